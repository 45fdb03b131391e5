import { describe, expect, it } from 'vitest'
import { CredsignError, MemoryAttemptLimiter } from 'credsign'

describe('MemoryAttemptLimiter', () => {
  it('admits maxFailures attempts, then answers with the lock end', async () => {
    const limiter = new MemoryAttemptLimiter({ maxFailures: 3, lockoutMs: 1000, windowMs: 5000 })
    for (let i = 0; i < 3; i++) expect(await limiter.begin('k', 100)).toEqual({ admitted: true })
    expect(await limiter.begin('k', 100)).toEqual({ admitted: false, retryAt: 1100 })
    expect(await limiter.begin('k', 1099)).toEqual({ admitted: false, retryAt: 1100 })
    expect(await limiter.begin('k', 1100)).toEqual({ admitted: true })
  })

  it('un-counts void attempts and resets on success', async () => {
    const limiter = new MemoryAttemptLimiter({ maxFailures: 2 })
    await limiter.begin('k', 0)
    await limiter.begin('k', 0)
    expect((await limiter.begin('k', 0)).admitted).toBe(false)
    await limiter.end('k', 'void', 0)
    expect((await limiter.begin('k', 0)).admitted).toBe(true)
    await limiter.end('k', 'success', 0)
    expect((await limiter.begin('k', 0)).admitted).toBe(true)
    expect((await limiter.begin('k', 0)).admitted).toBe(true)
    expect((await limiter.begin('k', 0)).admitted).toBe(false)
  })

  it('keeps keys apart', async () => {
    const limiter = new MemoryAttemptLimiter({ maxFailures: 1 })
    await limiter.begin('a', 0)
    expect((await limiter.begin('a', 0)).admitted).toBe(false)
    expect((await limiter.begin('b', 0)).admitted).toBe(true)
  })

  it('keeps locks when flooded with new keys beyond maxEntries', async () => {
    const limiter = new MemoryAttemptLimiter({ maxFailures: 1, maxEntries: 10 })
    await limiter.begin('victim', 0)
    for (let i = 0; i < 100; i++) await limiter.begin(`noise-${i}`, 1)
    expect((await limiter.begin('victim', 2)).admitted).toBe(false)
  })

  it('rejects nonsensical policies', () => {
    expect(() => new MemoryAttemptLimiter({ maxFailures: 0 })).toThrow(CredsignError)
    expect(() => new MemoryAttemptLimiter({ lockoutMs: -1 })).toThrow(CredsignError)
    expect(() => new MemoryAttemptLimiter({ windowMs: 1.5 })).toThrow(CredsignError)
  })
})
