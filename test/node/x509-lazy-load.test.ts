// The lazily loaded X.509 chunk failing to load (offline, dropped by a bundler) is a typed
// `crypto_unavailable`, not a raw import error that verify() would report as `malformed`, and it is
// not remembered: the next call tries again.
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  vi.doUnmock('../../src/x509/implementation.js')
  vi.resetModules()
})

describe('loadX509', () => {
  it('a chunk that does not load is crypto_unavailable, and the next call tries again', async () => {
    vi.resetModules()
    vi.doMock('../../src/x509/implementation.js', () => {
      throw new Error('Failed to fetch dynamically imported module')
    })
    const { loadX509 } = await import('../../src/x509/lazy.js')
    const first = loadX509()
    await expect(first).rejects.toMatchObject({ code: 'crypto_unavailable' })
    // Not the remembered rejection: a new attempt.
    const second = loadX509()
    expect(second).not.toBe(first)
    await expect(second).rejects.toMatchObject({ code: 'crypto_unavailable' })
  })
})
