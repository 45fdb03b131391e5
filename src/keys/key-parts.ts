import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToNumberBE } from '@noble/curves/utils.js'
import { CredsignError } from '../errors/credsign-error.js'
import { wipe } from '../util/bytes.js'
import { EC_CURVES } from './curves.js'
import type { EcAlgorithm } from './curves.js'
import { checkRsaPublicKey } from './jwk.js'
import type { PublicKeyBytes } from './jwk.js'

/**
 * The CRT form of an RSA private key; every member big-endian without leading zero octets.
 *
 * @example
 * ```ts
 * declare const rsaPkcs8: Uint8Array // an RSA-2048 key
 * const { key } = parsePkcs8(rsaPkcs8)
 * if (key.algorithm === 'RSA-PSS') key.rsa.n.length // 256 for RSA-2048
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
 * ```ts
 * const parts: PrivateKeyParts = { algorithm: 'Ed25519', seed: crypto.getRandomValues(new Uint8Array(32)) }
 * derivePublicKey(parts)
 * wipePrivateKeyParts(parts)
 * ```
 */
export type PrivateKeyParts =
  /** `seed`: the 32-byte RFC 8032 private key. */
  | { readonly algorithm: 'Ed25519'; readonly seed: Uint8Array }
  /** `scalar`: the private scalar, big-endian, exactly the curve size (32 or 48 bytes). */
  | { readonly algorithm: EcAlgorithm; readonly scalar: Uint8Array }
  | { readonly algorithm: 'RSA-PSS'; readonly rsa: RsaPrivateParts }

/**
 * Validates a private key and derives its public key: Ed25519 seeds must be 32 bytes; EC scalars
 * exactly the curve size and in [1, n-1]; RSA keys must be self-consistent (n = p·q, e·d ≡ 1 modulo
 * p-1 and q-1, matching CRT values) with a 2048/3072/4096-bit modulus. Failures are `invalid_key`
 * (`unsupported_algorithm` for other RSA sizes). Primality of p and q is not tested.
 *
 * @example
 * ```ts
 * const seed = new Uint8Array(32)
 * derivePublicKey({ algorithm: 'Ed25519', seed }).algorithm // 'Ed25519'
 * ```
 */
export function derivePublicKey(key: PrivateKeyParts): PublicKeyBytes {
  if (key.algorithm === 'Ed25519') {
    if (key.seed.length !== 32) throw new CredsignError('invalid_key', 'an Ed25519 private key is a 32-byte seed')
    return { algorithm: 'Ed25519', publicKey: ed25519.getPublicKey(key.seed) }
  }
  if (key.algorithm === 'RSA-PSS') {
    checkRsaPrivateKey(key.rsa)
    return { algorithm: 'RSA-PSS', n: key.rsa.n, e: key.rsa.e }
  }
  const curve = EC_CURVES[key.algorithm]
  if (key.scalar.length !== curve.size) {
    throw new CredsignError('invalid_key', `a ${key.algorithm} private key is ${curve.size} bytes`)
  }
  // Exact length and 1 <= d < n; noble refuses anything else as well, this gives the stable code.
  if (!curve.noble.utils.isValidSecretKey(key.scalar)) {
    throw new CredsignError('invalid_key', `${key.algorithm} private scalar out of range`)
  }
  return { algorithm: key.algorithm, publicKey: curve.noble.getPublicKey(key.scalar, false) }
}

function checkRsaPrivateKey(rsa: RsaPrivateParts): void {
  checkRsaPublicKey(rsa.n, rsa.e)
  // BigInts cannot be wiped; they live only for this check (a JavaScript limitation, see docs).
  const [n, e, d, p, q, dp, dq, qi] = [rsa.n, rsa.e, rsa.d, rsa.p, rsa.q, rsa.dp, rsa.dq, rsa.qi].map((v) => bytesToNumberBE(v)) as [
    bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint,
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
 * Zeroes every secret byte array of `key` (best effort; see `wipe`).
 *
 * @example
 * ```ts
 * const seed = crypto.getRandomValues(new Uint8Array(32))
 * wipePrivateKeyParts({ algorithm: 'Ed25519', seed }) // seed is now all zeros
 * ```
 */
export function wipePrivateKeyParts(key: PrivateKeyParts | undefined): void {
  if (key === undefined) return
  if (key.algorithm === 'Ed25519') wipe(key.seed)
  else if (key.algorithm === 'RSA-PSS') wipe(key.rsa.d, key.rsa.p, key.rsa.q, key.rsa.dp, key.rsa.dq, key.rsa.qi)
  else wipe(key.scalar)
}
