/**
 * Key parsing checks points without @noble/curves (src/keys/curve-points.ts), so that a bundle
 * which only verifies with WebCrypto never loads noble. The checks must decide exactly as noble's
 * strict decoders did before (they are the boundary every public key crosses: off-curve EC points,
 * non-canonical and small-order Ed25519 keys are `invalid_key`). Differential tests against noble
 * over random, crafted and Wycheproof inputs; runs in every project.
 */
import { describe, expect, it } from 'vitest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { p256, p384, p521 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js'
import {
  bigIntFromBytes,
  compressPoint,
  decodeWeierstrassPoint,
  ed25519PointKind,
  modPow,
} from '../../src/keys/curve-points.js'
import { EC_CURVES, EC_ORDERS, type EcAlgorithm } from '../../src/keys/curves.js'
import { NOBLE_CURVES } from '../../src/keys/noble-curves.js'
import { ed25519SignatureWellFormed } from '../../src/keys/ed25519-signature-form.js'
import { hex, toHex } from './keys-helpers.js'
import ed25519Vectors from '../fixtures/vectors/wycheproof/ed25519_test.json' with { type: 'json' }
import p256Vectors from '../fixtures/vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json' with { type: 'json' }
import p384Vectors from '../fixtures/vectors/wycheproof/ecdsa_secp384r1_sha384_p1363_test.json' with { type: 'json' }
import p521Vectors from '../fixtures/vectors/wycheproof/ecdsa_secp521r1_sha512_p1363_test.json' with { type: 'json' }
import k1Vectors from '../fixtures/vectors/wycheproof/ecdsa_secp256k1_sha256_p1363_test.json' with { type: 'json' }

const NOBLE: Record<EcAlgorithm, ECDSA> = { 'P-256': p256, 'P-384': p384, 'P-521': p521, secp256k1 }
const ALGORITHMS = Object.keys(NOBLE) as EcAlgorithm[]

/** Noble's strict verdict: the uncompressed point, or undefined when noble refuses the bytes. */
function nobleDecode(algorithm: EcAlgorithm, bytes: Uint8Array): string | undefined {
  try {
    const point = NOBLE[algorithm].Point.fromBytes(bytes)
    point.assertValidity()
    return toHex(point.toBytes(false))
  } catch {
    return undefined
  }
}

function ourDecode(algorithm: EcAlgorithm, bytes: Uint8Array): string | undefined {
  const point = decodeWeierstrassPoint(EC_CURVES[algorithm], bytes)
  return point === undefined ? undefined : toHex(point)
}

function nobleEd25519Kind(bytes: Uint8Array): string {
  try {
    return ed25519.Point.fromBytes(bytes, false).isSmallOrder() ? 'small-order' : 'valid'
  } catch {
    return 'non-canonical'
  }
}

function random(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length))
}

function bigEndian(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let rest = value
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out
}

function littleEndian32(value: bigint, signBit = false): Uint8Array {
  const out = bigEndian(value, 32).reverse()
  if (signBit) out[31] = (out[31] as number) | 0x80
  return out
}

function uncompressed(size: number, x: bigint, y: bigint): Uint8Array {
  const out = new Uint8Array(2 * size + 1)
  out[0] = 4
  out.set(bigEndian(x, size), 1)
  out.set(bigEndian(y, size), 1 + size)
  return out
}

describe('curve constants', () => {
  it.each(ALGORITHMS)('%s: p, a, b and n are those of noble', (algorithm) => {
    const ours = EC_CURVES[algorithm]
    const theirs = NOBLE[algorithm].Point.CURVE()
    expect([ours.p, ours.a, ours.b, EC_ORDERS[algorithm]]).toEqual([
      theirs.p,
      theirs.a,
      theirs.b,
      theirs.n,
    ])
    expect(ours.size).toBe(NOBLE[algorithm].Point.Fp.BYTES)
    expect(NOBLE_CURVES[algorithm]).toBe(NOBLE[algorithm])
  })

  it('modPow and bigIntFromBytes', () => {
    const p = EC_CURVES['P-256'].p
    for (let i = 0; i < 50; i++) {
      const base = bigIntFromBytes(random(32)) % p
      // Fermat: base^(p-1) = 1 for base != 0; base^(p-2) is the inverse.
      if (base !== 0n) {
        expect(modPow(base, p - 1n, p)).toBe(1n)
        expect((modPow(base, p - 2n, p) * base) % p).toBe(1n)
      }
    }
    expect(modPow(5n, 0n, 7n)).toBe(1n)
    expect(bigIntFromBytes(new Uint8Array(0))).toBe(0n)
    expect(bigIntFromBytes(new Uint8Array([1, 0, 1]))).toBe(65537n)
  })
})

describe('EC points: decodeWeierstrassPoint decides as noble Point.fromBytes + assertValidity', () => {
  it.each(ALGORITHMS)('%s: random valid keys, compressed and uncompressed', (algorithm) => {
    const noble = NOBLE[algorithm]
    for (let i = 0; i < 40; i++) {
      const secret = noble.utils.randomSecretKey()
      const full = noble.getPublicKey(secret, false)
      const short = noble.getPublicKey(secret, true)
      expect(ourDecode(algorithm, full)).toBe(toHex(full))
      expect(ourDecode(algorithm, short)).toBe(toHex(full))
      expect(toHex(compressPoint(full))).toBe(toHex(short))
    }
  })

  it.each(ALGORITHMS)('%s: random bytes with every prefix and length', (algorithm) => {
    const size = EC_CURVES[algorithm].size
    for (let i = 0; i < 60; i++) {
      for (const length of [size + 1, 2 * size + 1, size, 2 * size, 1, 0]) {
        for (const head of [0x00, 0x02, 0x03, 0x04, 0x06, 0x07]) {
          const bytes = random(length)
          if (length > 0) bytes[0] = head
          // P-521: a top byte of 0 or 1 keeps x below p often enough to reach the curve equation.
          if (algorithm === 'P-521' && length > 1 && i % 2 === 0)
            bytes[1] = (bytes[1] as number) & 1
          expect(ourDecode(algorithm, bytes), toHex(bytes)).toBe(nobleDecode(algorithm, bytes))
        }
      }
    }
  })

  it.each(ALGORITHMS)('%s: crafted coordinates (p, p - 1, 0, y + p, -y, y + 1)', (algorithm) => {
    const { size, p } = EC_CURVES[algorithm]
    const noble = NOBLE[algorithm]
    const point = noble.getPublicKey(noble.utils.randomSecretKey(), false)
    const x = bigIntFromBytes(point.subarray(1, 1 + size))
    const y = bigIntFromBytes(point.subarray(1 + size))
    const top = 2n ** BigInt(8 * size) - 1n
    const cases: Uint8Array[] = [
      uncompressed(size, x, p - y), // the negated point: valid
      uncompressed(size, x, (y + 1n) % p), // off the curve
      uncompressed(size, x + 1n, y),
      uncompressed(size, 0n, 0n), // the usual encoding of infinity
      uncompressed(size, p, y),
      uncompressed(size, p - 1n, y),
      uncompressed(size, top, top),
      new Uint8Array([0]), // SEC1 infinity
      new Uint8Array([4]),
      point.subarray(0, 2 * size), // one byte short
    ]
    if (y + p <= top) cases.push(uncompressed(size, x, y + p)) // y not reduced mod p
    if (x + p <= top) cases.push(uncompressed(size, x + p, y))
    for (const head of [0x02, 0x03]) {
      for (const value of [0n, 1n, p - 1n, p, p + 1n, top, x, x + p]) {
        if (value > top) continue
        const bytes = new Uint8Array(size + 1)
        bytes[0] = head
        bytes.set(bigEndian(value, size), 1)
        cases.push(bytes)
      }
    }
    for (const bytes of cases)
      expect(ourDecode(algorithm, bytes), toHex(bytes)).toBe(nobleDecode(algorithm, bytes))
  })

  it('Wycheproof public keys decode as noble decodes them', () => {
    const files: [EcAlgorithm, { testGroups: { publicKey: { uncompressed: string } }[] }][] = [
      ['P-256', p256Vectors],
      ['P-384', p384Vectors],
      ['P-521', p521Vectors],
      ['secp256k1', k1Vectors],
    ]
    let count = 0
    for (const [algorithm, file] of files) {
      for (const group of file.testGroups) {
        const bytes = hex(group.publicKey.uncompressed)
        expect(ourDecode(algorithm, bytes)).toBe(nobleDecode(algorithm, bytes))
        expect(ourDecode(algorithm, bytes)).toBe(toHex(bytes))
        count++
      }
    }
    expect(count).toBeGreaterThan(4)
  })
})

describe('Ed25519 public keys: ed25519PointKind decides as noble strict fromBytes + isSmallOrder', () => {
  const P = 2n ** 255n - 19n

  it('random 32-byte strings (about half decode) and honest keys', () => {
    const kinds = new Map<string, number>()
    for (let i = 0; i < 1500; i++) {
      const bytes = random(32)
      const kind = ed25519PointKind(bytes)
      expect(kind, toHex(bytes)).toBe(nobleEd25519Kind(bytes))
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
    }
    // Both outcomes occur, so the comparison above exercised both branches.
    expect(kinds.get('valid')).toBeGreaterThan(500)
    expect(kinds.get('non-canonical')).toBeGreaterThan(500)
    for (let i = 0; i < 200; i++) {
      const publicKey = ed25519.getPublicKey(ed25519.utils.randomSecretKey())
      expect(ed25519PointKind(publicKey)).toBe('valid')
    }
  })

  it('crafted encodings: y near 0, 1, p - 1 and p, every y >= p, both sign bits, the torsion points', () => {
    const ys = new Set<bigint>()
    for (let d = 0n; d < 40n; d++) {
      ys.add(d)
      ys.add(P - 1n - d)
      ys.add(P + d) // non-canonical (up to 2^255 - 1)
    }
    ys.add(2n ** 255n - 1n)
    // The y of the points of order 8, their neighbours, and of points of order 8 plus a
    // large-order point (those are not small-order).
    const order8 = 0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n
    for (const y of [order8, P - order8]) for (const d of [-1n, 0n, 1n]) ys.add(y + d)
    const torsionPlusKey = ed25519.Point.fromBytes(
      ed25519.getPublicKey(ed25519.utils.randomSecretKey()),
    ).add(ed25519.Point.fromBytes(littleEndian32(order8)))
    ys.add(bigIntFromBytes(torsionPlusKey.toBytes().reverse()) & (2n ** 255n - 1n))
    const counts = new Map<string, number>()
    for (const y of ys) {
      if (y >= 2n ** 255n) continue
      for (const sign of [false, true]) {
        const bytes = littleEndian32(y, sign)
        const kind = ed25519PointKind(bytes)
        expect(kind, toHex(bytes)).toBe(nobleEd25519Kind(bytes))
        counts.set(kind, (counts.get(kind) ?? 0) + 1)
      }
    }
    // The eight small-order points in their canonical encodings, and nothing else, are small-order.
    expect(counts.get('small-order')).toBe(8)
    expect(ed25519PointKind(new Uint8Array(31))).toBe('non-canonical')
    expect(ed25519PointKind(new Uint8Array(33))).toBe('non-canonical')
  })

  it('Wycheproof Ed25519 public keys', () => {
    for (const group of ed25519Vectors.testGroups) {
      const publicKey = hex((group.publicKey as { pk: string }).pk)
      expect(ed25519PointKind(publicKey)).toBe(nobleEd25519Kind(publicKey))
    }
  })

  it('ed25519SignatureWellFormed uses the L and p of noble', () => {
    const L = ed25519.Point.Fn.ORDER
    const signature = (r: Uint8Array, s: bigint): Uint8Array => {
      const out = new Uint8Array(64)
      out.set(r)
      out.set(littleEndian32(s), 32)
      return out
    }
    const r = new Uint8Array(32)
    expect(ed25519SignatureWellFormed(signature(r, L - 1n))).toBe(true)
    expect(ed25519SignatureWellFormed(signature(r, L))).toBe(false)
    expect(
      ed25519SignatureWellFormed(signature(littleEndian32(ed25519.Point.Fp.ORDER - 1n), 0n)),
    ).toBe(true)
    expect(ed25519SignatureWellFormed(signature(littleEndian32(ed25519.Point.Fp.ORDER), 0n))).toBe(
      false,
    )
  })
})
