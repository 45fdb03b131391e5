import { CredsignError } from '../errors/credsign-error.js'
import { wipe } from '../util/bytes.js'
import { EC_CURVES } from './curves.js'
import type { EcAlgorithm } from './curves.js'
import { bigIntFromBytes } from './curve-points.js'
import { checkRsaPublicKey } from './jwk.js'
import type { PublicKeyBytes } from './jwk.js'
import { isRsaAlgorithm, RSA_SCHEMES } from './rsa-algorithms.js'
import type { KeyAlgorithm, RsaAlgorithm } from './types.js'
import { lazyModule } from '../util/lazy-module.js'

/**
 * The @noble/curves module (noble-curves.ts: signing, key generation, public key derivation),
 * loaded on first use by every path that needs it: a chunk that fails to load is
 * `crypto_unavailable`, and the next call tries again (util/lazy-module.ts).
 *
 * @example
 *
 * ```ts
 * const { NOBLE_CURVES } = await loadNobleCurves() // crypto_unavailable if it cannot be loaded
 * NOBLE_CURVES['secp256k1'].utils.randomSecretKey().length // 32
 * ```
 *
 * @internal
 */
export const loadNobleCurves = /* @__PURE__ */ lazyModule(
  () => import('./noble-curves.js'),
  '@noble/curves',
)

/**
 * The CRT form of an RSA private key; every member big-endian without leading zero octets.
 *
 * @example
 *
 * ```ts
 * declare const rsaPkcs8: Uint8Array // an RSA-2048 key
 * const { key } = parsePkcs8(rsaPkcs8)
 * if ('rsa' in key) key.rsa.n.length // 256 for RSA-2048
 * ```
 */
export interface RsaPrivateParts {
  n: Uint8Array
  e: Uint8Array
  d: Uint8Array
  p: Uint8Array
  q: Uint8Array
  dp: Uint8Array
  dq: Uint8Array
  qi: Uint8Array
}

/**
 * A private key in raw form: what every import path reduces to before re-encoding as PKCS#8.
 *
 * @example
 *
 * ```ts
 * const parts: PrivateKeyParts = {
 *   algorithm: 'Ed25519',
 *   seed: crypto.getRandomValues(new Uint8Array(32)),
 * }
 * await derivePublicKey(parts)
 * wipePrivateKeyParts(parts)
 * ```
 */
export type PrivateKeyParts =
  /** `seed`: the 32-byte RFC 8032 private key. */
  | { readonly algorithm: 'Ed25519'; readonly seed: Uint8Array }
  /** `scalar`: the private scalar, big-endian, exactly the curve size (32 or 48 bytes). */
  | { readonly algorithm: EcAlgorithm; readonly scalar: Uint8Array }
  /**
   * `algorithm`: the one RSA scheme and hash the key signs with (the key material says nothing of
   * it).
   */
  | { readonly algorithm: RsaAlgorithm; readonly rsa: RsaPrivateParts }

/**
 * Validates a private key and derives its public key: Ed25519 seeds must be 32 bytes; EC scalars
 * exactly the curve size and in [1, n-1]; RSA keys must be self-consistent (n = p·q, e·d ≡ 1 modulo
 * p-1 and q-1, matching CRT values) with a 2048/3072/4096-bit modulus. Failures are `invalid_key`
 * (`unsupported_algorithm` for other RSA sizes). Primality of p and q is not tested.
 *
 * @example
 *
 * ```ts
 * const seed = new Uint8Array(32)
 * ;(await derivePublicKey({ algorithm: 'Ed25519', seed })).algorithm // 'Ed25519'
 * ```
 */
export async function derivePublicKey(key: PrivateKeyParts): Promise<PublicKeyBytes> {
  if (key.algorithm === 'Ed25519') {
    if (key.seed.length !== 32)
      throw new CredsignError('invalid_key', 'an Ed25519 private key is a 32-byte seed')
    // noble on first use only (noble-curves.ts): a bundle that never derives a key never loads it.
    const { ed25519 } = await loadNobleCurves()
    return { algorithm: 'Ed25519', publicKey: ed25519.getPublicKey(key.seed) }
  }
  if (isRsaPrivateKey(key)) {
    checkRsaPrivateKey(key.rsa)
    return { algorithm: key.algorithm, n: key.rsa.n, e: key.rsa.e }
  }
  const curve = EC_CURVES[key.algorithm]
  if (key.scalar.length !== curve.size) {
    throw new CredsignError('invalid_key', `a ${key.algorithm} private key is ${curve.size} bytes`)
  }
  // Exact length and 1 <= d < n; noble refuses anything else as well, this gives the stable code.
  const { NOBLE_CURVES } = await loadNobleCurves()
  if (!NOBLE_CURVES[key.algorithm].utils.isValidSecretKey(key.scalar)) {
    throw new CredsignError('invalid_key', `${key.algorithm} private scalar out of range`)
  }
  return {
    algorithm: key.algorithm,
    publicKey: NOBLE_CURVES[key.algorithm].getPublicKey(key.scalar, false),
  }
}

/**
 * Whether `key` is an RSA key.
 *
 * @example
 *
 * ```ts
 * isRsaPrivateKey({ algorithm: 'Ed25519', seed: new Uint8Array(32) }) // false
 * ```
 */
export function isRsaPrivateKey(
  key: PrivateKeyParts,
): key is Extract<PrivateKeyParts, { readonly rsa: RsaPrivateParts }> {
  return isRsaAlgorithm(key.algorithm)
}

function checkRsaPrivateKey(rsa: RsaPrivateParts): void {
  checkRsaPublicKey(rsa.n, rsa.e)
  // BigInts cannot be wiped; they live only for this check (a JavaScript limitation, see docs).
  const [n, e, d, p, q, dp, dq, qi] = [
    rsa.n,
    rsa.e,
    rsa.d,
    rsa.p,
    rsa.q,
    rsa.dp,
    rsa.dq,
    rsa.qi,
  ].map((v) => bigIntFromBytes(v)) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ]
  const bad = (): CredsignError => new CredsignError('invalid_key', 'inconsistent RSA private key')
  if (p <= 1n || q <= 1n || p * q !== n) throw bad()
  if (d <= 0n || d >= n || dp <= 0n || dq <= 0n || qi <= 0n || qi >= p) throw bad()
  const p1 = p - 1n
  const q1 = q - 1n
  if (d % p1 !== dp || d % q1 !== dq) throw bad()
  // e·d ≡ 1 modulo p-1 and q-1 is exactly e·d ≡ 1 mod λ(n): the key inverts its public operation.
  if ((e * dp) % p1 !== 1n || (e * dq) % q1 !== 1n) throw bad()
  if ((qi * q) % p !== 1n) throw bad()
}

/**
 * How far a PKCS#8 RSA key restricts its use: `pss` for id-RSASSA-PSS without parameters (any PSS
 * hash), `exact` for id-RSASSA-PSS with parameters (the one PSS algorithm they name); an
 * rsaEncryption key (`undefined`) may be used with any RSA algorithm.
 *
 * @example
 *
 * ```ts
 * const restriction: RsaRestriction = 'pss'
 * ```
 */
export type RsaRestriction = 'pss' | 'exact'

/**
 * `key` as a key of `algorithm`: the same parts when the algorithm is already its own; for an RSA
 * key and an RSA `algorithm`, the parts with that algorithm (the key material of the six RSA
 * algorithms is the same; the algorithm is what the key will be used with), within the key's
 * `restriction`. Anything else is `invalid_key`. The parts are shared, not copied.
 *
 * @example
 *
 * ```ts
 * declare const rsa: PrivateKeyParts // parsed from an rsaEncryption PKCS#8: algorithm 'RSA-PSS'
 * withKeyAlgorithm(rsa, 'RS256').algorithm // 'RS256'
 * ```
 */
export function withKeyAlgorithm(
  key: PrivateKeyParts,
  algorithm: KeyAlgorithm,
  restriction?: RsaRestriction,
): PrivateKeyParts {
  if (key.algorithm === algorithm) return key
  if (isRsaPrivateKey(key) && isRsaAlgorithm(algorithm)) {
    const allowed =
      restriction === undefined ||
      (restriction === 'pss' && RSA_SCHEMES[algorithm].webCryptoName === 'RSA-PSS')
    if (!allowed)
      throw new CredsignError(
        'invalid_key',
        `this RSA key is restricted to ${key.algorithm === 'RSA-PSS' ? 'PS256' : key.algorithm}, not ${algorithm}`,
      )
    return { algorithm, rsa: key.rsa }
  }
  throw new CredsignError('invalid_key', `the key is not a ${algorithm} key`)
}

/**
 * Zeroes every secret byte array of `key` (best effort; see `wipe`).
 *
 * @example
 *
 * ```ts
 * const seed = crypto.getRandomValues(new Uint8Array(32))
 * wipePrivateKeyParts({ algorithm: 'Ed25519', seed }) // seed is now all zeros
 * ```
 */
export function wipePrivateKeyParts(key: PrivateKeyParts | undefined): void {
  if (key === undefined) return
  if (key.algorithm === 'Ed25519') wipe(key.seed)
  else if (isRsaPrivateKey(key))
    wipe(key.rsa.d, key.rsa.p, key.rsa.q, key.rsa.dp, key.rsa.dq, key.rsa.qi)
  else wipe(key.scalar)
}
