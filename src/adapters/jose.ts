import { CredsignError } from '../errors/credsign-error.js'
import { jwsAlgorithm } from '../keys/algorithms.js'
import type { JwsAlgorithmOptions } from '../keys/algorithms.js'
import type { JwsAlgorithm } from '../keys/types.js'
import { privateKeyHandleOf } from '../vault/unlocked-key.js'
import type { UnlockedKey } from '../vault/unlocked-key.js'

/**
 * An unlocked vault key in the form jose's `SignJWT`, `CompactSign`, `FlattenedSign` and
 * `GeneralSign` take: a CryptoKey and the `alg` to put in the protected header.
 *
 * @example
 *
 * ```ts
 * import { SignJWT } from 'jose'
 * import type { JoseSigningKey } from 'credsign/adapters'
 * declare const joseKey: JoseSigningKey
 * const jwt = await new SignJWT({ sub: 'did:example:alice' })
 *   .setProtectedHeader({ alg: joseKey.alg, kid: joseKey.kid })
 *   .sign(joseKey.key)
 * ```
 */
export interface JoseSigningKey {
  /**
   * A WebCrypto `CryptoKey` with `extractable: false` and usages `['sign']`: jose (or anything
   * else) can sign with it, nothing can export its private part.
   */
  readonly key: CryptoKey
  /** The JWS `alg` the key signs with (`EdDSA`, `ES256`, `ES384`, `ES512`, `PS256`, `RS256`, …). */
  readonly alg: JwsAlgorithm
  /** The key's RFC 7638 thumbprint (its `publicJwk.kid`), a `kid` for the header. */
  readonly kid: string | undefined
}

/**
 * Options of {@link joseSigningKey}: the JWS names for Ed25519 and the RFC 9864 fully-specified
 * names, as for credsign's own signers (`jwsAlgorithm`).
 *
 * @example
 *
 * ```ts
 * import type { JoseSigningKeyOptions } from 'credsign/adapters'
 * const options: JoseSigningKeyOptions = { ed25519Name: 'Ed25519' }
 * ```
 */
export type JoseSigningKeyOptions = JwsAlgorithmOptions

/**
 * An unlocked vault key as a key jose signs with. jose signs only with a `CryptoKey` or a
 * node:crypto `KeyObject` (or raw key material); a `KeyObject` can always export its private key,
 * so credsign gives a non-extractable WebCrypto `CryptoKey` instead: the private key stays out of
 * reach of JavaScript, as in the vault. Every WebCrypto algorithm works: Ed25519 (where the
 * runtime's WebCrypto has it), P-256, P-384, P-521, and RSA keys for their one algorithm (the
 * CryptoKey is imported for that scheme and hash, so jose refuses any other `alg` with it).
 *
 * What differs from signing through credsign's own signers, which call `key.sign`:
 *
 * - The CryptoKey lives as long as the caller keeps it. `key.lock()`, `vault.delete` and
 *   `vault.retire` stop the UnlockedKey, not a CryptoKey already handed to jose: keep it no longer
 *   than the UnlockedKey, and prefer the `Signer`-based adapters (`sdJwtSigner`,
 *   `digitalBazaarSigner`) where a library takes a signing callback;
 * - ECDSA signatures are WebCrypto's own, not normalized to low-S (every verifier, credsign's
 *   included, accepts both halves).
 *
 * Errors: `invalid_argument` (not an UnlockedKey from `KeyVault.unlock`), `signer_locked` (locked),
 * `unsupported_algorithm` (secp256k1: no WebCrypto has the curve and jose has no ES256K; sign with
 * credsign's `signJws` / `JwtVcSigner`, or `sdJwtSigner`), `crypto_unavailable` (the runtime's
 * WebCrypto lacks Ed25519 or P-521).
 *
 * @example
 *
 * ```ts
 * import { CompactSign, SignJWT } from 'jose'
 * import { KeyVault, MemoryStore } from 'credsign'
 * import { joseSigningKey } from 'credsign/adapters'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer-1', algorithm: 'P-256', secrets: ['s1'] })
 * const unlocked = await vault.unlock('issuer-1', ['s1'])
 * try {
 *   const { key, alg, kid } = await joseSigningKey(unlocked)
 *   const jwt = await new SignJWT({ sub: 'did:example:alice' })
 *     .setProtectedHeader({ alg, kid })
 *     .setIssuedAt()
 *     .sign(key)
 *   const jws = await new CompactSign(new TextEncoder().encode('hello'))
 *     .setProtectedHeader({ alg })
 *     .sign(key)
 * } finally {
 *   unlocked.lock()
 * }
 * ```
 */
export async function joseSigningKey(
  key: UnlockedKey,
  options: JoseSigningKeyOptions = {},
): Promise<JoseSigningKey> {
  const handle = privateKeyHandleOf(key)
  const alg = jwsAlgorithm(key.algorithm, options)
  if (key.algorithm === 'secp256k1') {
    throw new CredsignError(
      'unsupported_algorithm',
      'secp256k1 (ES256K) has no WebCrypto key for jose: sign with credsign (signJws, JwtVcSigner) or the sdJwtSigner adapter',
    )
  }
  if (handle.webCryptoKey === undefined)
    throw new CredsignError('unsupported_algorithm', 'this key cannot be given to WebCrypto')
  const cryptoKey = await handle.webCryptoKey()
  // The whole point: never hand out a key whose private part could be read back.
  if (cryptoKey.extractable || cryptoKey.type !== 'private')
    throw new CredsignError(
      'crypto_unavailable',
      'the runtime produced an extractable key; refusing to hand it out',
    )
  return { key: cryptoKey, alg, kid: key.publicJwk.kid }
}
