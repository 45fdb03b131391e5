import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { cryptoBackend } from '../../keys/backend.js'
import { CredsignError } from '../../errors/credsign-error.js'
import { b64u, utf8 } from '../../util/bytes.js'
import type { SdHashAlgorithm } from './types.js'

const HASHES: Readonly<Record<SdHashAlgorithm, (data: Uint8Array) => Uint8Array>> = {
  'sha-256': sha256,
  'sha-384': sha384,
  'sha-512': sha512,
}

/**
 * Whether `value` names a digest algorithm credsign supports for `_sd_alg`.
 *
 * @example
 *
 * ```ts
 * isSdHashAlgorithm('sha-256') // true
 * isSdHashAlgorithm('md5') // false
 * ```
 */
export function isSdHashAlgorithm(value: unknown): value is SdHashAlgorithm {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(HASHES, value)
}

/**
 * The `_sd_alg` of an issuer-signed payload: absent means `sha-256` (RFC 9901 section 4.1.1);
 * anything credsign does not support is `disclosure_invalid`.
 *
 * @example
 *
 * ```ts
 * sdAlgorithmOf({ _sd_alg: 'sha-384' }) // 'sha-384'
 * sdAlgorithmOf({}) // 'sha-256'
 * ```
 */
export function sdAlgorithmOf(payload: Record<string, unknown>): SdHashAlgorithm {
  const alg = payload._sd_alg
  if (alg === undefined) return 'sha-256'
  if (!isSdHashAlgorithm(alg))
    throw new CredsignError(
      'disclosure_invalid',
      `_sd_alg ${JSON.stringify(String(alg).slice(0, 32))} is not supported (sha-256, sha-384, sha-512)`,
    )
  return alg
}

/**
 * Base64url(hash(ASCII text)): the digest of a disclosure (RFC 9901 section 4.2.3) and the
 * `sd_hash` of a KB-JWT (section 4.3.1). The input is always base64url / compact-JWS text, i.e.
 * ASCII.
 *
 * @example
 *
 * ```ts
 * sdDigest(
 *   'sha-256',
 *   'WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0',
 * )
 * // 'X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0'
 * ```
 */
export function sdDigest(algorithm: SdHashAlgorithm, text: string): string {
  // The node backend's native hash when installed (about 2.5x noble for these short inputs).
  return cryptoBackend()?.digestBase64url?.(algorithm, text) ?? b64u(HASHES[algorithm](utf8(text)))
}

/**
 * 128 bits from the platform CSPRNG, base64url (22 characters): a disclosure salt (RFC 9901 section
 * 4.2.1).
 *
 * @example
 *
 * ```ts
 * randomSalt().length // 22
 * ```
 */
export function randomSalt(): string {
  if (saltOffset + 16 > saltPool.length) {
    // One CSPRNG call per 64 salts instead of one per salt (a call costs about as much as a
    // disclosure digest). Salts are published in the disclosures, so pooling them reveals nothing;
    // every byte is used once.
    globalThis.crypto.getRandomValues(saltPool)
    saltOffset = 0
  }
  const salt = b64u(saltPool.subarray(saltOffset, saltOffset + 16))
  saltPool.fill(0, saltOffset, saltOffset + 16)
  saltOffset += 16
  return salt
}

const saltPool = new Uint8Array(1024)
let saltOffset = saltPool.length

/**
 * A decoy digest: the hash of 128 random bits, indistinguishable from a real digest (RFC 9901
 * section 4.2.5).
 *
 * @example
 *
 * ```ts
 * decoyDigest('sha-256').length // 43
 * ```
 */
export function decoyDigest(algorithm: SdHashAlgorithm): string {
  return sdDigest(algorithm, randomSalt())
}
