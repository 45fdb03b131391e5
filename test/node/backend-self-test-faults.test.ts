/**
 * The node:crypto backend's self-test (src/backend/node-crypto.ts `selfTest`) against runtimes
 * whose node:crypto differs from credsign's ECDSA (as Bun's BoringSSL lacks secp256k1): node:crypto
 * is replaced by a faulty copy, and every ECDSA algorithm must then be declined. The faults are the
 * ways a port goes wrong: the wrong hash, DER instead of `r || s`, a verification that accepts
 * anything, a signature that its own verification accepts but no one else's does.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type * as NodeCrypto from 'node:crypto'

type Fault = 'none' | 'wrong-hash' | 'der' | 'accept-all' | 'self-consistent-wrong-hash'
const fault = vi.hoisted(() => ({ current: 'none' as Fault }))

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof NodeCrypto>()
  const otherHash = (hash: string | null | undefined): string | null | undefined =>
    hash === 'sha256' ? 'sha384' : hash === 'sha384' || hash === 'sha512' ? 'sha256' : hash
  const isEc = (key: unknown): boolean => {
    const object = (key as { key?: NodeCrypto.KeyObject }).key ?? (key as NodeCrypto.KeyObject)
    return object?.asymmetricKeyType === 'ec'
  }
  type Sign = (
    hash: string | null,
    data: Uint8Array,
    key: NodeCrypto.SignKeyObjectInput,
  ) => Uint8Array
  type Verify = (
    hash: string | null,
    data: Uint8Array,
    key: NodeCrypto.VerifyKeyObjectInput,
    signature: Uint8Array,
  ) => boolean
  const realSign = real.sign as unknown as Sign
  const realVerify = real.verify as unknown as Verify
  const sign: Sign = (hash, data, key) => {
    if (!isEc(key) || fault.current === 'none' || fault.current === 'accept-all')
      return realSign(hash, data, key)
    if (fault.current === 'der') return realSign(hash, data, { ...key, dsaEncoding: 'der' })
    return realSign(otherHash(hash) ?? null, data, key)
  }
  const verify: Verify = (hash, data, key, signature) => {
    if (
      !isEc(key) ||
      fault.current === 'none' ||
      fault.current === 'wrong-hash' ||
      fault.current === 'der'
    )
      return realVerify(hash, data, key, signature)
    if (fault.current === 'accept-all') return true
    return realVerify(otherHash(hash) ?? null, data, key, signature)
  }
  return { ...real, sign, verify, default: { ...real, sign, verify } }
})

const { selfTest } = await import('../../src/backend/node-crypto.js')
const EC = ['P-256', 'P-384', 'P-521', 'secp256k1'] as const

afterEach(() => {
  fault.current = 'none'
})

describe('the ECDSA self-test declines a node:crypto that differs', () => {
  it('passes with the real node:crypto (behind the same wrapper)', () => {
    for (const algorithm of EC) expect(selfTest(algorithm), algorithm).toBe(true)
  })

  for (const which of ['wrong-hash', 'der', 'accept-all', 'self-consistent-wrong-hash'] as const) {
    it(`declines every curve when node:crypto has the fault "${which}"`, () => {
      fault.current = which
      for (const algorithm of EC) expect(selfTest(algorithm), algorithm).toBe(false)
    })
  }
})
