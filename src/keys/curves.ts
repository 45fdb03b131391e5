import { copyBytes } from '../util/bytes.js'
import { CredsignError } from '../errors/credsign-error.js'
import { byteKey, Lru } from '../util/lru.js'
import {
  bigIntFromBytes,
  bytesOfBigInt,
  decodeWeierstrassPoint,
  type WeierstrassField,
} from './curve-points.js'
import type { KeyAlgorithm } from './types.js'

/**
 * The ECDSA key algorithms credsign supports.
 *
 * @example
 *
 * ```ts
 * const algorithm: EcAlgorithm = 'secp256k1'
 * ```
 */
export type EcAlgorithm = 'P-256' | 'P-384' | 'P-521' | 'secp256k1'

/**
 * Everything credsign needs to know about one ECDSA curve: plain constants (the curve arithmetic
 * itself is @noble/curves', in noble-curves.ts, loaded only where a signature needs it).
 *
 * @example
 *
 * ```ts
 * const info: EcCurveInfo = EC_CURVES['P-256']
 * info.oid // '1.2.840.10045.3.1.7'
 * ```
 */
export interface EcCurveInfo extends WeierstrassField {
  /** The key algorithm (equal to the JWK `crv`). */
  readonly algorithm: EcAlgorithm
  /** Byte length of a field element and of a scalar (32, 48, or 66 for P-521). */
  readonly size: number
  /** The RFC 5480 / SEC 2 namedCurve object identifier. */
  readonly oid: string
  /** The WebCrypto hash for ECDSA on this curve, or undefined when WebCrypto has no such curve. */
  readonly webCryptoHash: 'SHA-256' | 'SHA-384' | 'SHA-512' | undefined
  /**
   * Whether every WebCrypto has the curve (P-256, P-384); for P-521, which some runtimes lack, it
   * is feature-detected (`webCryptoHasCurve`) and noble signs and verifies where it is missing.
   */
  readonly webCryptoEverywhere: boolean
}

/** The field prime p of the NIST curves P-256 and P-384 (FIPS 186-5 / SP 800-186), whose a is p - 3. */
const P256_P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n
const P384_P = 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n
const P521_P = 2n ** 521n - 1n

/**
 * The four ECDSA curves, keyed by algorithm name (the constants of SP 800-186 and SEC 2; the test
 * compares each with noble's).
 *
 * @example
 *
 * ```ts
 * EC_CURVES['P-384'].size // 48
 * ```
 */
export const EC_CURVES: Readonly<Record<EcAlgorithm, EcCurveInfo>> = {
  'P-256': {
    algorithm: 'P-256',
    size: 32,
    p: P256_P,
    a: P256_P - 3n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    oid: '1.2.840.10045.3.1.7',
    webCryptoHash: 'SHA-256',
    webCryptoEverywhere: true,
  },
  'P-384': {
    algorithm: 'P-384',
    size: 48,
    p: P384_P,
    a: P384_P - 3n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    oid: '1.3.132.0.34',
    webCryptoHash: 'SHA-384',
    webCryptoEverywhere: true,
  },
  'P-521': {
    algorithm: 'P-521',
    size: 66,
    p: P521_P,
    a: P521_P - 3n,
    b: 0x51953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    oid: '1.3.132.0.35',
    webCryptoHash: 'SHA-512',
    webCryptoEverywhere: false,
  },
  secp256k1: {
    algorithm: 'secp256k1',
    size: 32,
    p: 2n ** 256n - 2n ** 32n - 977n,
    a: 0n,
    b: 7n,
    oid: '1.3.132.0.10',
    webCryptoHash: undefined,
    webCryptoEverywhere: false,
  },
}

/**
 * Whether `algorithm` is one of the ECDSA curves.
 *
 * @example
 *
 * ```ts
 * isEcAlgorithm('P-256') // true
 * isEcAlgorithm('Ed25519') // false
 * ```
 */
export function isEcAlgorithm(algorithm: KeyAlgorithm): algorithm is EcAlgorithm {
  return (
    algorithm === 'P-256' ||
    algorithm === 'P-384' ||
    algorithm === 'P-521' ||
    algorithm === 'secp256k1'
  )
}

/** Validated points by curve and encoding (the last 1,000), as their uncompressed form. */
const validPoints = new Lru<string, Uint8Array>(1000)

/**
 * The uncompressed SEC1 point (0x04 || x || y) for a validated curve point, or `invalid_key` when
 * the bytes are no point of the curve (off-curve, coordinates out of range, infinity). Accepts
 * compressed or uncompressed input.
 *
 * @example
 *
 * ```ts
 * import { p256 } from '@noble/curves/nist.js'
 * const compressed = p256.getPublicKey(p256.utils.randomSecretKey())
 * uncompressedPoint(EC_CURVES['P-256'], compressed).length // 65
 * ```
 */
export function uncompressedPoint(curve: EcCurveInfo, point: Uint8Array): Uint8Array {
  // Decoding and the on-curve check cost tens of microseconds (a square root for compressed
  // input) and verifiers see the same few keys over and over: each distinct encoding is checked
  // once. Only successes are remembered; callers get their own copy.
  const id = `${curve.algorithm}:${byteKey(point)}`
  const known = validPoints.get(id)
  if (known !== undefined) return copyBytes(known)
  const uncompressed = decodeWeierstrassPoint(curve, point)
  if (uncompressed === undefined)
    throw new CredsignError('invalid_key', `not a point on ${curve.algorithm}`)
  validPoints.set(id, copyBytes(uncompressed))
  return uncompressed
}

/**
 * The group order n of each curve. Apart from {@link EC_CURVES} so that code that only checks keys
 * and verifies (no {@link toLowS}) does not carry it.
 *
 * @example
 *
 * ```ts
 * EC_ORDERS['P-256'] < EC_CURVES['P-256'].p // true
 * ```
 */
export const EC_ORDERS: Readonly<Record<EcAlgorithm, bigint>> = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384':
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  'P-521':
    0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
}

/**
 * Flips a high-S ECDSA signature (r || s) to its low-S twin (s := n - s), in place if needed. Both
 * verify; low-S is the one canonical form, which keeps signatures non-malleable.
 *
 * @example
 *
 * ```ts
 * const signature = new Uint8Array(64)
 * toLowS(EC_CURVES['P-256'], signature) // unchanged: s = 0 is already low
 * ```
 */
export function toLowS(curve: EcCurveInfo, signature: Uint8Array): Uint8Array {
  const size = curve.size
  if (signature.length !== 2 * size)
    throw new CredsignError('invalid_argument', 'ECDSA signature has the wrong length')
  const s = bigIntFromBytes(signature.subarray(size))
  const order = EC_ORDERS[curve.algorithm]
  if (s <= order >> 1n) return signature
  const out = new Uint8Array(signature)
  out.set(bytesOfBigInt(order - s, size), size)
  return out
}
