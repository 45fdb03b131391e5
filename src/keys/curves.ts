import { p256, p384, p521 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js'
import { CredsignError } from '../errors/credsign-error.js'
import { byteKey, Lru } from '../util/lru.js'
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
 * Everything credsign needs to know about one ECDSA curve.
 *
 * @example
 *
 * ```ts
 * const info: EcCurveInfo = EC_CURVES['P-256']
 * info.oid // '1.2.840.10045.3.1.7'
 * ```
 */
export interface EcCurveInfo {
  /** The key algorithm (equal to the JWK `crv`). */
  readonly algorithm: EcAlgorithm
  /** The noble implementation; its ECDSA hashes with the curve's hash (SHA-256, SHA-384 or SHA-512). */
  readonly noble: ECDSA
  /** Byte length of a field element and of a scalar (32, 48, or 66 for P-521). */
  readonly size: number
  /** The group order n. */
  readonly order: bigint
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

/**
 * The four ECDSA curves, keyed by algorithm name.
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
    noble: p256,
    size: 32,
    order: p256.Point.Fn.ORDER,
    oid: '1.2.840.10045.3.1.7',
    webCryptoHash: 'SHA-256',
    webCryptoEverywhere: true,
  },
  'P-384': {
    algorithm: 'P-384',
    noble: p384,
    size: 48,
    order: p384.Point.Fn.ORDER,
    oid: '1.3.132.0.34',
    webCryptoHash: 'SHA-384',
    webCryptoEverywhere: true,
  },
  'P-521': {
    algorithm: 'P-521',
    noble: p521,
    size: 66,
    order: p521.Point.Fn.ORDER,
    oid: '1.3.132.0.35',
    webCryptoHash: 'SHA-512',
    webCryptoEverywhere: false,
  },
  secp256k1: {
    algorithm: 'secp256k1',
    noble: secp256k1,
    size: 32,
    order: secp256k1.Point.Fn.ORDER,
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
  if (known !== undefined) return known.slice()
  try {
    const p = curve.noble.Point.fromBytes(point)
    p.assertValidity()
    const uncompressed = p.toBytes(false)
    validPoints.set(id, uncompressed.slice())
    return uncompressed
  } catch (cause) {
    throw new CredsignError('invalid_key', `not a point on ${curve.algorithm}`, { cause })
  }
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
  let s = 0n
  for (let i = size; i < 2 * size; i++) s = (s << 8n) | BigInt(signature[i] as number)
  if (s <= curve.order >> 1n) return signature
  let low = curve.order - s
  const out = new Uint8Array(signature)
  for (let i = 2 * size - 1; i >= size; i--) {
    out[i] = Number(low & 0xffn)
    low >>= 8n
  }
  return out
}
