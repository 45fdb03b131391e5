import { CredsignError } from '../errors/credsign-error.js'
import type { KeyAlgorithm, Signer } from '../keys/types.js'
import { assertSigner } from './signer-check.js'

/**
 * The signer object Digital Bazaar's suites take (`new DataIntegrityProof({ signer, cryptosuite })`
 * from `@digitalbazaar/data-integrity`, `new Ed25519Signature2020({ signer })`): `id` becomes the
 * proof's `verificationMethod`, `algorithm` is checked against the cryptosuite (`Ed25519` for the
 * EdDSA suites, `P-256` / `P-384` for the ECDSA ones), `sign({ data })` signs the bytes the suite
 * prepared.
 *
 * @example
 *
 * ```ts
 * import type { DigitalBazaarSigner } from 'credsign/adapters'
 * declare const signer: DigitalBazaarSigner
 * signer.algorithm // 'Ed25519'
 * ```
 */
export interface DigitalBazaarSigner {
  /** The verification method the proof names (a DID URL). */
  readonly id: string
  /**
   * The key algorithm in Digital Bazaar's spelling, which is credsign's: `Ed25519`, `P-256`,
   * `P-384`, …
   */
  readonly algorithm: KeyAlgorithm
  /** Signs `data`: 64 bytes for Ed25519, `r || s` (P1363) for ECDSA over the curve's hash. */
  sign(options: { data: Uint8Array }): Promise<Uint8Array>
}

/**
 * Options of {@link digitalBazaarSigner}.
 *
 * @example
 *
 * ```ts
 * import type { DigitalBazaarSignerOptions } from 'credsign/adapters'
 * const options: DigitalBazaarSignerOptions = { id: 'did:web:issuer.example#key-1' }
 * ```
 */
export interface DigitalBazaarSignerOptions {
  /**
   * The verification method id for the proof (default: the signer's `id`; a vault key's id is its
   * vault id, so pass the DID URL here, or wrap the key with `asDidSigner` first).
   */
  id?: string
}

/**
 * Any credsign `Signer` (an unlocked vault key, a DID signer, a remote KMS) as the `signer` of
 * Digital Bazaar's Data Integrity suites: `DataIntegrityProof` with the eddsa-rdfc-2022,
 * eddsa-jcs-2022, ecdsa-rdfc-2019 and ecdsa-jcs-2019 cryptosuites, and `Ed25519Signature2020`. The
 * signatures are the ones those suites expect (credsign's `Signer` encodings are the Data Integrity
 * ones); the private key never leaves the signer. `@digitalbazaar/*` packages are not dependencies
 * of credsign. Digital Bazaar checks the algorithm against the suite (an RSA or secp256k1 key is
 * refused there: no suite of theirs signs with it).
 *
 * Errors: `invalid_argument` (not a Signer; `id` not a non-empty string); when called,
 * `invalid_argument` for data that is not bytes and the signer's errors (`signer_locked`).
 *
 * @example
 *
 * ```ts
 * import { asDidSigner, KeyVault, MemoryStore } from 'credsign'
 * import { digitalBazaarSigner } from 'credsign/adapters'
 * // From Digital Bazaar's vc, data-integrity and eddsa-rdfc-2022-cryptosuite packages (which ship
 * // no type declarations):
 * declare const vc: {
 *   issue(options: {
 *     credential: object
 *     suite: object
 *     documentLoader: unknown
 *   }): Promise<object>
 * }
 * declare const DataIntegrityProof: new (options: {
 *   signer: object
 *   cryptosuite: unknown
 * }) => object
 * declare const eddsaRdfc2022: unknown,
 *   credential: object,
 *   documentLoader: (url: string) => Promise<unknown>
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer-1', algorithm: 'Ed25519', secrets: ['s1'] })
 * const key = asDidSigner(await vault.unlock('issuer-1', ['s1'])) // id: the did:key verification method
 * const suite = new DataIntegrityProof({
 *   signer: digitalBazaarSigner(key),
 *   cryptosuite: eddsaRdfc2022,
 * })
 * const signed = await vc.issue({ credential, suite, documentLoader })
 * ```
 */
export function digitalBazaarSigner(
  signer: Signer,
  options: DigitalBazaarSignerOptions = {},
): DigitalBazaarSigner {
  assertSigner(signer)
  const id = options.id ?? signer.id
  if (typeof id !== 'string' || id === '')
    throw new CredsignError('invalid_argument', 'id must be a non-empty string')
  return {
    id,
    algorithm: signer.algorithm,
    async sign(input: { data: Uint8Array }): Promise<Uint8Array> {
      const data = (input as { data?: unknown } | undefined)?.data
      if (!(data instanceof Uint8Array))
        throw new CredsignError('invalid_argument', 'data to sign must be a Uint8Array')
      return signer.sign(data)
    },
  }
}
