import { CredsignError } from '../errors/credsign-error.js'
import { constantTimeEqual } from '../util/bytes.js'
import { isKeyAlgorithm, keyAlgorithmFromJwk } from './algorithms.js'
import { EC_CURVES, isEcAlgorithm } from './curves.js'
import type { EcAlgorithm } from './curves.js'
import { fixedMember, isRsaPublicKey, parsePublicJwk, uintMember } from './jwk.js'
import type { PublicKeyBytes } from './jwk.js'
import {
  derivePublicKey,
  isRsaPrivateKey,
  wipePrivateKeyParts,
  withKeyAlgorithm,
} from './key-parts.js'
import type { PrivateKeyParts, RsaRestriction } from './key-parts.js'
import { isRsaAlgorithm } from './rsa-algorithms.js'
import { keyMaterial } from './key-material.js'
import type { KeyMaterial } from './key-material.js'
import { parsePkcs8 } from './pkcs8.js'
import { parsePrivateKeyDer, parsePrivateKeyPem } from './private-key-formats.js'
import type { KeyAlgorithm, PrivateJwk } from './types.js'

/**
 * A private key to import, in one of these forms:
 *
 * - `{ jwk }`: a private JWK (RFC 7517/7518/8037); its public members must match the private key; RSA
 *   JWKs need all CRT members (`p`, `q`, `dp`, `dq`, `qi`), multi-prime (`oth`) is unsupported;
 * - `{ pkcs8 }`: PKCS#8 DER (see `parsePkcs8` for what is accepted), or its PEM (`BEGIN PRIVATE
 *   KEY`);
 * - `{ pem }`: PEM text holding one PKCS#8 (`BEGIN PRIVATE KEY`), SEC1 (`BEGIN EC PRIVATE KEY`, what
 *   `openssl ecparam -genkey` writes; an `EC PARAMETERS` block beside it is ignored) or PKCS#1
 *   (`BEGIN RSA PRIVATE KEY`) key;
 * - `{ der }`: the DER of any of those three, told apart by structure; with `pem` and `der`, an RSA
 *   key needs `algorithm` (nothing in PKCS#1 or an rsaEncryption PKCS#8 says PSS or PKCS#1 v1.5,
 *   nor the hash), unless it is an id-RSASSA-PSS key with parameters. Encrypted keys (`BEGIN
 *   ENCRYPTED PRIVATE KEY`, OpenSSL's `Proc-Type: 4,ENCRYPTED`) are `encrypted_key_unsupported`:
 *   decrypt them first (`openssl pkey -in enc.pem -out key.pem`);
 * - `{ seed, algorithm }`: the raw private key: the 32-byte Ed25519 seed, or the EC private scalar
 *   (32 bytes for P-256 and secp256k1, 48 for P-384, 66 for P-521). Not available for RSA.
 *
 * `algorithm` with `jwk`, `pkcs8`, `pem` or `der` names the algorithm the key will sign with. An
 * RSA key is used with exactly one of `RSA-PSS` (PS256), `PS384`, `PS512`, `RS256`, `RS384`,
 * `RS512`: by default the one its JWK `alg` names, else the PSS algorithm an id-RSASSA-PSS PKCS#8
 * is restricted to, else `RSA-PSS`. For other keys it must be the key's own algorithm (else
 * `invalid_key`).
 *
 * @example
 *
 * ```ts
 * import { importPrivateKey, type PrivateKeyInput } from 'credsign'
 * const input: PrivateKeyInput = {
 *   seed: crypto.getRandomValues(new Uint8Array(32)),
 *   algorithm: 'secp256k1',
 * }
 * const material = await importPrivateKey(input)
 * // an RSA key for RS256: await importPrivateKey({ pkcs8: rsaPkcs8, algorithm: 'RS256' })
 * ```
 */
export type PrivateKeyInput =
  | { jwk: PrivateJwk; algorithm?: KeyAlgorithm }
  | { pkcs8: Uint8Array | string; algorithm?: KeyAlgorithm }
  | { pem: string; algorithm?: KeyAlgorithm }
  | { der: Uint8Array; algorithm?: KeyAlgorithm }
  | { seed: Uint8Array; algorithm: KeyAlgorithm }

/**
 * Validates a private key and converts it to credsign's canonical {@link KeyMaterial}: PKCS#8 DER
 * plus the public JWK (with `kid` = thumbprint). The public key is always derived from the private
 * key; a JWK whose `x`/`y`/`n`/`e` disagree with its private part is rejected. Intermediate private
 * bytes are wiped; the input is not modified (the caller wipes it).
 *
 * Errors: `invalid_argument` (not exactly one of the forms, wrong types, a seed for RSA, an RSA
 * `pem` / `der` without `algorithm`), `invalid_key` (malformed, truncated or inconsistent key,
 * scalar out of range, wrong lengths, a PEM block that is no private key), `unsupported_algorithm`
 * (other key types and curves, RSA moduli other than 2048/3072/4096 bits),
 * `encrypted_key_unsupported` (an encrypted PKCS#8 or PEM key).
 *
 * @example
 *
 * ```ts
 * import { importPrivateKey } from 'credsign'
 * const material = await importPrivateKey({
 *   seed: crypto.getRandomValues(new Uint8Array(32)),
 *   algorithm: 'Ed25519',
 * })
 * material.publicJwk.kty // 'OKP'
 * material.pkcs8.fill(0)
 * ```
 */
export async function importPrivateKey(input: PrivateKeyInput): Promise<KeyMaterial> {
  if (typeof input !== 'object' || input === null)
    throw new CredsignError('invalid_argument', 'importPrivateKey expects an object')
  const forms = ['jwk', 'pkcs8', 'pem', 'der', 'seed'].filter(
    (name) => (input as Record<string, unknown>)[name] !== undefined,
  )
  if (forms.length !== 1)
    throw new CredsignError('invalid_argument', 'give exactly one of jwk, pkcs8, pem, der or seed')

  let key: PrivateKeyParts | undefined
  try {
    let publicKey: PublicKeyBytes
    let rsaRestriction: RsaRestriction | undefined
    if ('pkcs8' in input && input.pkcs8 !== undefined) {
      const { pkcs8 } = input
      ;({ key, publicKey, rsaRestriction } =
        typeof pkcs8 === 'string'
          ? await parsePrivateKeyPem(pkcs8, 'pkcs8')
          : await parsePkcs8(pkcs8))
    } else if (
      ('pem' in input && input.pem !== undefined) ||
      ('der' in input && input.der !== undefined)
    ) {
      const { pem, der } = input as { pem?: unknown; der?: unknown }
      if (pem !== undefined && typeof pem !== 'string')
        throw new CredsignError('invalid_argument', 'pem must be a string')
      if (der !== undefined && !(der instanceof Uint8Array))
        throw new CredsignError('invalid_argument', 'der must be a Uint8Array')
      ;({ key, publicKey, rsaRestriction } =
        typeof pem === 'string'
          ? await parsePrivateKeyPem(pem)
          : await parsePrivateKeyDer(der as Uint8Array))
      // PKCS#1 and plain PKCS#8 RSA keys say nothing of the scheme or hash: the caller names it
      // (the pkcs8 form keeps its 0.1 default, RSA-PSS). A PSS key with parameters names its own.
      if (
        isRsaPrivateKey(key) &&
        rsaRestriction !== 'exact' &&
        (input as { algorithm?: unknown }).algorithm === undefined
      ) {
        throw new CredsignError(
          'invalid_argument',
          'an RSA key does not say which algorithm it signs with: give algorithm (RS256, RSA-PSS for PS256, …)',
        )
      }
    } else if ('jwk' in input && input.jwk !== undefined) {
      key = privatePartsFromJwk(input.jwk)
      publicKey = await derivePublicKey(key)
      checkJwkPublicMembers(input.jwk, publicKey)
    } else {
      const { seed, algorithm } = input as { seed: unknown; algorithm: unknown }
      if (!(seed instanceof Uint8Array))
        throw new CredsignError('invalid_argument', 'seed must be a Uint8Array')
      if (typeof algorithm !== 'string')
        throw new CredsignError('invalid_argument', 'a seed needs its algorithm')
      if (!isKeyAlgorithm(algorithm))
        throw new CredsignError('unsupported_algorithm', 'unsupported key algorithm')
      if (isRsaAlgorithm(algorithm))
        throw new CredsignError('invalid_argument', 'RSA keys cannot be imported from a seed')
      // Borrowed, not copied: derivation and encoding only read it, and the caller wipes it.
      const borrowed: PrivateKeyParts =
        algorithm === 'Ed25519'
          ? { algorithm, seed }
          : { algorithm: algorithm as EcAlgorithm, scalar: seed }
      return await keyMaterial(borrowed, await derivePublicKey(borrowed))
    }
    // The algorithm the key will sign with: an RSA key's own says nothing of its scheme (see
    // PrivateKeyInput); any other key must be of the algorithm named.
    const wanted = (input as { algorithm?: unknown }).algorithm
    if (wanted !== undefined) {
      if (!isKeyAlgorithm(wanted))
        throw new CredsignError('unsupported_algorithm', 'unsupported key algorithm')
      key = withKeyAlgorithm(key, wanted, rsaRestriction)
      if (isRsaPrivateKey(key)) publicKey = { algorithm: key.algorithm, n: key.rsa.n, e: key.rsa.e }
    }
    return await keyMaterial(key, publicKey)
  } finally {
    wipePrivateKeyParts(key)
  }
}

function privatePartsFromJwk(jwk: PrivateJwk): PrivateKeyParts {
  const algorithm = keyAlgorithmFromJwk(jwk)
  if (algorithm === 'Ed25519') return { algorithm, seed: fixedMember(jwk, 'd', 32) }
  if (isEcAlgorithm(algorithm))
    return { algorithm, scalar: fixedMember(jwk, 'd', EC_CURVES[algorithm].size) }
  if ((jwk as { oth?: unknown }).oth !== undefined)
    throw new CredsignError('unsupported_algorithm', 'multi-prime RSA keys are not supported')
  const parts: Uint8Array[] = []
  try {
    for (const name of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'])
      parts.push(uintMember(jwk, name))
  } catch (error) {
    for (const part of parts) part.fill(0)
    throw error
  }
  const [n, e, d, p, q, dp, dq, qi] = parts as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ]
  return { algorithm, rsa: { n, e, d, p, q, dp, dq, qi } }
}

function checkJwkPublicMembers(jwk: PrivateJwk, derived: PublicKeyBytes): void {
  const stated = parsePublicJwk(jwk)
  const same =
    isRsaPublicKey(stated) || isRsaPublicKey(derived)
      ? // n and e are the private key's own members: consistency was checked with the CRT values.
        stated.algorithm === derived.algorithm
      : constantTimeEqual(stated.publicKey, derived.publicKey)
  if (!same)
    throw new CredsignError('invalid_key', 'the JWK public members do not match its private key')
}
