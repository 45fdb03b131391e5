/**
 * One Ed25519 verification rule on every backend (src/keys/ed25519-verify.ts): S < L, canonical R,
 * and the cofactorless equation [S]B = R + [k]A, which is what OpenSSL (node:crypto, Node's
 * WebCrypto) and BoringSSL (Chromium's WebCrypto) check. noble's own `ed25519.verify` checks the
 * cofactored equation, so before this rule a signature whose R carries a small-order component
 * verified on the noble path (Deno/Bun/browsers without WebCrypto Ed25519, `backend: 'noble'`) and
 * failed everywhere else. Runs in every project.
 */
import { describe, expect, it } from 'vitest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToNumberLE } from '@noble/curves/utils.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { verifySignature, type PublicJwk } from '../../src/index.js'
import { verifyEd25519 } from '../../src/keys/ed25519-verify.js'
import { b64u, concat, utf8 } from '../../src/util/bytes.js'
import { hex } from './keys-helpers.js'

const Point = ed25519.Point
const L = Point.Fn.ORDER
/** A point of order 8 (see ed25519-small-order.test.ts for all eight). */
const ORDER_8 = Point.fromBytes(
  hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'),
  false,
)

function littleEndian(value: bigint): Uint8Array {
  const out = new Uint8Array(32)
  let rest = value
  for (let i = 0; i < 32; i++) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out
}

const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 7)
const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(seed)
const jwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: b64u(pointBytes) }
const message = utf8('transfer 10 EUR to Bob')

/**
 * A signature made with the private key whose R is nonce·B plus a point of order 8: the cofactored
 * equation ([8]SB = [8]R + [8]kA) holds, the cofactorless one does not (SB = R - T). An honest
 * signer never makes one; a malicious signer can, to get different verdicts from different
 * verifiers.
 */
function torsionedSignature(): Uint8Array {
  const nonce = 123456789n
  const r = Point.BASE.multiply(nonce).add(ORDER_8).toBytes()
  const k = bytesToNumberLE(sha512(concat(r, pointBytes, message))) % L
  const s = (nonce + k * scalar) % L
  return concat(r, littleEndian(s))
}

describe('Ed25519: the same verdict on every backend', () => {
  const backends = ['auto', 'noble'] as const

  it.each(backends)('%s: an honest signature verifies', async (backend) => {
    expect(await verifySignature(jwk, message, ed25519.sign(message, seed), { backend })).toBe(true)
  })

  it.each(backends)(
    '%s: R with a small-order component is refused (cofactorless equation)',
    async (backend) => {
      const signature = torsionedSignature()
      // The premise: noble's cofactored verify accepts it.
      expect(ed25519.verify(signature, message, pointBytes, { zip215: false })).toBe(true)
      expect(await verifySignature(jwk, message, signature, { backend })).toBe(false)
    },
  )

  it.each(backends)(
    '%s: S + L (a malleated copy of a valid signature) is refused',
    async (backend) => {
      const signature = ed25519.sign(message, seed)
      const s = bytesToNumberLE(signature.subarray(32))
      const malleated = concat(signature.subarray(0, 32), littleEndian(s + L))
      expect(await verifySignature(jwk, message, malleated, { backend })).toBe(false)
    },
  )

  it.each(backends)(
    '%s: R with y >= p or a negative zero x is refused before any curve arithmetic',
    async (backend) => {
      const signature = ed25519.sign(message, seed)
      const highY = concat(
        hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'),
        signature.subarray(32),
      )
      const negativeZero = concat(
        hex('0100000000000000000000000000000000000000000000000000000000000080'),
        signature.subarray(32),
      )
      expect(await verifySignature(jwk, message, highY, { backend })).toBe(false)
      expect(await verifySignature(jwk, message, negativeZero, { backend })).toBe(false)
    },
  )
})

describe('verifyEd25519 (the noble path) on its own', () => {
  it('decodes a reused key array again when its bytes changed (no stale cached point)', () => {
    const other = Uint8Array.from({ length: 32 }, (_, i) => 200 - i)
    const reused = new Uint8Array(pointBytes)
    const signature = ed25519.sign(message, seed)
    expect(verifyEd25519(reused, message, signature)).toBe(true)
    reused.set(ed25519.getPublicKey(other))
    expect(verifyEd25519(reused, message, signature)).toBe(false)
    expect(verifyEd25519(reused, message, ed25519.sign(message, other))).toBe(true)
  })

  it('refuses a small-order key even when called without the import check', () => {
    const identity = hex('0100000000000000000000000000000000000000000000000000000000000000')
    expect(verifyEd25519(identity, message, concat(identity, new Uint8Array(32)))).toBe(false)
  })
})
