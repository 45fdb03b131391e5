import { CredsignError } from '../errors/credsign-error.js'
import { jwsAlgorithm } from '../keys/algorithms.js'
import type { JwsAlgorithmOptions } from '../keys/algorithms.js'
import type { JwsAlgorithm, Signer } from '../keys/types.js'
import { b64u, utf8 } from '../util/bytes.js'
import { assertSigner } from './signer-check.js'

/**
 * The signing members of an `@sd-jwt/core` / `@sd-jwt/sd-jwt-vc` configuration (`SDJwtInstance`,
 * `SDJwtVcInstance`): `signer` receives the JWS signing input (`header.payload`) and resolves with
 * the base64url signature; `signAlg` is the `alg` of the header. For key binding (a holder's
 * KB-JWT) the same pair is `kbSigner` and `kbSignAlg`.
 *
 * @example
 *
 * ```ts
 * import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
 * import type { SdJwtSignerCallbacks } from 'credsign/adapters'
 * declare const callbacks: SdJwtSignerCallbacks
 * declare const hasher: (data: string | ArrayBuffer, alg: string) => Promise<Uint8Array>
 * const sdjwt = new SDJwtVcInstance({
 *   ...callbacks,
 *   hasher,
 *   hashAlg: 'sha-256',
 *   saltGenerator: () => crypto.randomUUID(),
 * })
 * ```
 */
export interface SdJwtSignerCallbacks {
  /** Signs the JWS signing input; resolves with the base64url signature. */
  readonly signer: (data: string) => Promise<string>
  /** The JWS `alg` of the signatures `signer` makes. */
  readonly signAlg: JwsAlgorithm
}

/**
 * Options of {@link sdJwtSigner}: the JWS names for Ed25519 and the RFC 9864 fully-specified names,
 * as for credsign's own signers (`jwsAlgorithm`).
 *
 * @example
 *
 * ```ts
 * import type { SdJwtSignerOptions } from 'credsign/adapters'
 * const options: SdJwtSignerOptions = { ed25519Name: 'EdDSA' }
 * ```
 */
export type SdJwtSignerOptions = JwsAlgorithmOptions

/**
 * Any credsign `Signer` (an unlocked vault key, a DID signer, a remote KMS) as the `signer` /
 * `signAlg` callbacks of `@sd-jwt/core` and `@sd-jwt/sd-jwt-vc`, so code built on those libraries
 * issues (and, as `kbSigner` / `kbSignAlg`, presents) with vault keys. The private key never leaves
 * the signer: the callback hands it the signing input and encodes what comes back. Signatures are
 * exactly credsign's (low-S ECDSA, RSA per the key's one algorithm); every algorithm works,
 * secp256k1 (ES256K) included. Neither library is a dependency of credsign.
 *
 * Errors: `invalid_argument` (not a Signer; bad options), `unsupported_algorithm`; when called,
 * `invalid_argument` for a signing input that is not a string, and the signer's own errors
 * (`signer_locked` once the key is locked).
 *
 * @example
 *
 * ```ts
 * import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
 * import { KeyVault, MemoryStore } from 'credsign'
 * import { sdJwtSigner } from 'credsign/adapters'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer-1', algorithm: 'Ed25519', secrets: ['s1'] })
 * const key = await vault.unlock('issuer-1', ['s1'])
 * const hasher = async (data: string | ArrayBuffer) =>
 *   new Uint8Array(
 *     await crypto.subtle.digest(
 *       'SHA-256',
 *       typeof data === 'string' ? new TextEncoder().encode(data) : data,
 *     ),
 *   )
 * const sdjwt = new SDJwtVcInstance({
 *   ...sdJwtSigner(key),
 *   hasher,
 *   hashAlg: 'sha-256',
 *   saltGenerator: () => crypto.randomUUID(),
 * })
 * const credential = await sdjwt.issue(
 *   {
 *     iss: 'https://issuer.example',
 *     iat: Math.floor(Date.now() / 1000),
 *     vct: 'https://credentials.example/identity',
 *     given_name: 'Alice',
 *   },
 *   { _sd: ['given_name'] },
 * )
 * key.lock()
 * ```
 */
export function sdJwtSigner(
  signer: Signer,
  options: SdJwtSignerOptions = {},
): SdJwtSignerCallbacks {
  assertSigner(signer)
  const signAlg = jwsAlgorithm(signer.algorithm, options)
  return {
    signAlg,
    async signer(data: string): Promise<string> {
      if (typeof data !== 'string')
        throw new CredsignError('invalid_argument', 'the SD-JWT signing input must be a string')
      return b64u(await signer.sign(utf8(data)))
    },
  }
}
