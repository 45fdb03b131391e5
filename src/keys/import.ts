import { CredsignError } from '../errors/credsign-error.js'
import { constantTimeEqual } from '../util/bytes.js'
import { isKeyAlgorithm, keyAlgorithmFromJwk } from './algorithms.js'
import { EC_CURVES, isEcAlgorithm } from './curves.js'
import { fixedMember, parsePublicJwk, uintMember } from './jwk.js'
import type { PublicKeyBytes } from './jwk.js'
import { derivePublicKey, wipePrivateKeyParts } from './key-parts.js'
import type { PrivateKeyParts } from './key-parts.js'
import { keyMaterial } from './key-material.js'
import type { KeyMaterial } from './key-material.js'
import { parsePkcs8 } from './pkcs8.js'
import type { KeyAlgorithm, PrivateJwk } from './types.js'

/**
 * A private key to import, in one of three forms:
 * - `{ jwk }`: a private JWK (RFC 7517/7518/8037); its public members must match the private key;
 *   RSA JWKs need all CRT members (`p`, `q`, `dp`, `dq`, `qi`), multi-prime (`oth`) is unsupported;
 * - `{ pkcs8 }`: PKCS#8 DER (see `parsePkcs8` for what is accepted);
 * - `{ seed, algorithm }`: the raw private key: the 32-byte Ed25519 seed, or the EC private scalar
 *   (32 bytes for P-256 and secp256k1, 48 for P-384). Not available for RSA.
 *
 * @example
 * ```ts
 * import { importPrivateKey, type PrivateKeyInput } from 'credsign'
 * const input: PrivateKeyInput = { seed: crypto.getRandomValues(new Uint8Array(32)), algorithm: 'secp256k1' }
 * const material = await importPrivateKey(input)
 * ```
 */
export type PrivateKeyInput = { jwk: PrivateJwk } | { pkcs8: Uint8Array } | { seed: Uint8Array; algorithm: KeyAlgorithm }

/**
 * Validates a private key and converts it to credsign's canonical {@link KeyMaterial}: PKCS#8 DER
 * plus the public JWK (with `kid` = thumbprint). The public key is always derived from the private
 * key; a JWK whose `x`/`y`/`n`/`e` disagree with its private part is rejected. Intermediate
 * private bytes are wiped; the input is not modified (the caller wipes it).
 *
 * Errors: `invalid_argument` (not exactly one of the three forms, wrong types, a seed for RSA),
 * `invalid_key` (malformed or inconsistent key, scalar out of range, wrong lengths),
 * `unsupported_algorithm` (other key types and curves, RSA moduli other than 2048/3072/4096 bits).
 *
 * @example
 * ```ts
 * import { importPrivateKey } from 'credsign'
 * const material = await importPrivateKey({ seed: crypto.getRandomValues(new Uint8Array(32)), algorithm: 'Ed25519' })
 * material.publicJwk.kty // 'OKP'
 * material.pkcs8.fill(0)
 * ```
 */
export async function importPrivateKey(input: PrivateKeyInput): Promise<KeyMaterial> {
  if (typeof input !== 'object' || input === null) throw new CredsignError('invalid_argument', 'importPrivateKey expects an object')
  const forms = ['jwk', 'pkcs8', 'seed'].filter((name) => (input as Record<string, unknown>)[name] !== undefined)
  if (forms.length !== 1) throw new CredsignError('invalid_argument', 'give exactly one of jwk, pkcs8 or seed')

  let key: PrivateKeyParts | undefined
  try {
    let publicKey: PublicKeyBytes
    if ('pkcs8' in input && input.pkcs8 !== undefined) {
      ;({ key, publicKey } = parsePkcs8(input.pkcs8))
    } else if ('jwk' in input && input.jwk !== undefined) {
      key = privatePartsFromJwk(input.jwk)
      publicKey = derivePublicKey(key)
      checkJwkPublicMembers(input.jwk, publicKey)
    } else {
      const { seed, algorithm } = input as { seed: unknown; algorithm: unknown }
      if (!(seed instanceof Uint8Array)) throw new CredsignError('invalid_argument', 'seed must be a Uint8Array')
      if (typeof algorithm !== 'string') throw new CredsignError('invalid_argument', 'a seed needs its algorithm')
      if (!isKeyAlgorithm(algorithm)) throw new CredsignError('unsupported_algorithm', 'unsupported key algorithm')
      if (algorithm === 'RSA-PSS') throw new CredsignError('invalid_argument', 'RSA keys cannot be imported from a seed')
      // Borrowed, not copied: derivation and encoding only read it, and the caller wipes it.
      const borrowed: PrivateKeyParts = algorithm === 'Ed25519' ? { algorithm, seed } : { algorithm, scalar: seed }
      return await keyMaterial(borrowed, derivePublicKey(borrowed))
    }
    return await keyMaterial(key, publicKey)
  } finally {
    wipePrivateKeyParts(key)
  }
}

function privatePartsFromJwk(jwk: PrivateJwk): PrivateKeyParts {
  const algorithm = keyAlgorithmFromJwk(jwk)
  if (algorithm === 'Ed25519') return { algorithm, seed: fixedMember(jwk, 'd', 32) }
  if (isEcAlgorithm(algorithm)) return { algorithm, scalar: fixedMember(jwk, 'd', EC_CURVES[algorithm].size) }
  if ((jwk as { oth?: unknown }).oth !== undefined) throw new CredsignError('unsupported_algorithm', 'multi-prime RSA keys are not supported')
  const parts: Uint8Array[] = []
  try {
    for (const name of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi']) parts.push(uintMember(jwk, name))
  } catch (error) {
    for (const part of parts) part.fill(0)
    throw error
  }
  const [n, e, d, p, q, dp, dq, qi] = parts as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array]
  return { algorithm, rsa: { n, e, d, p, q, dp, dq, qi } }
}

function checkJwkPublicMembers(jwk: PrivateJwk, derived: PublicKeyBytes): void {
  const stated = parsePublicJwk(jwk)
  const same =
    stated.algorithm === 'RSA-PSS' || derived.algorithm === 'RSA-PSS'
      ? // n and e are the private key's own members: consistency was checked with the CRT values.
        stated.algorithm === derived.algorithm
      : constantTimeEqual(stated.publicKey, derived.publicKey)
  if (!same) throw new CredsignError('invalid_key', 'the JWK public members do not match its private key')
}
