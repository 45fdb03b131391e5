import { CredsignError } from '../../errors/credsign-error.js'
import type { Signer } from '../../keys/types.js'
import { numericDateToDateTime } from '../../credential/date-time.js'
import { encodeV1Credential } from './mapping-v1.js'
import { extraClaims, mappedPropertiesOf, signJwtPayload } from './sign-document.js'
import { prepareDocument } from '../../credential/prepare-document.js'
import {
  addClaims,
  addVcJoseClaims,
  earlier,
  refuseJwtClaimsIn20,
  timeClaims,
} from '../../credential/vc-jose-claims.js'
import { mergeOptions } from '../../util/merge-options.js'
import { bindParty } from '../../credential/party.js'
import type { JwtVcSignOptions } from './sign-options.js'
import type { JsonObject } from '../../credential/types.js'
import { validateCredential } from '../../credential/validate-credential.js'
import { refuseMismatchedRelatedResourcesWhenNamed } from '../../verify/related-resources-lazy.js'

/**
 * Signs W3C Verifiable Credentials as JWTs with any {@link Signer} (an unlocked vault key, a KMS):
 *
 * - VCDM 2.0 (`@context` starts with `https://www.w3.org/ns/credentials/v2`): W3C VC-JOSE-COSE. The
 *   payload is the credential itself plus `iss` (the issuer id), `iat`, and `nbf` / `exp` from
 *   `validFrom` / `validUntil`; the header is `{ alg, kid, typ: 'vc+jwt', cty: 'vc' }`. No `vc`
 *   claim, ever.
 * - VCDM 1.1 (`https://www.w3.org/2018/credentials/v1`): VCDM 1.1 section 6.3.1. The credential goes
 *   in the `vc` claim, with `iss`, `nbf`, `exp`, `jti`, `sub` derived by the spec's mapping rules
 *   and `typ: JWT`. A missing `issuanceDate` (required by VCDM 1.1) is set to the signing time.
 *
 * `kid` is the signer's id (the verification method id) and `alg` follows from its key: EdDSA (or
 * `Ed25519` with `ed25519Name`), ES256, ES384, ES512, ES256K, and for RSA keys the one algorithm
 * the key was made for (PS256, PS384, PS512, RS256, RS384, RS512).
 *
 * Issuer rules: an absent `issuer` is filled with the key's controller (the DID of a DID URL
 * `kid`); without one it is `credential_invalid`. An issuer that is not the key's controller is
 * `issuer_mismatch` unless `allowIssuerMismatch: true`. A present issuer is never overwritten. The
 * credential is validated first (`validateCredential`; strict for VCDM 2.0, so unknown top-level
 * members are refused) and never modified: the signer works on a copy.
 *
 * @example
 *
 * ```ts
 * import { JwtVcSigner, KeyVault, MemoryStore, asDidSigner } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer', algorithm: 'P-256', secrets: ['s1'] })
 * const signer = asDidSigner(await vault.unlock('issuer', ['s1']))
 * const jwt = await new JwtVcSigner(signer).sign({
 *   '@context': ['https://www.w3.org/ns/credentials/v2'],
 *   type: ['VerifiableCredential'],
 *   validFrom: '2025-01-01T00:00:00Z',
 *   credentialSubject: { id: 'did:example:alice', degree: 'BSc' },
 * })
 * // header { alg: 'ES256', kid: 'did:key:zDn…#zDn…', typ: 'vc+jwt', cty: 'vc' },
 * // payload { '@context': […], type: […], validFrom: …, credentialSubject: {…}, issuer: 'did:key:zDn…', iss: 'did:key:zDn…', iat: …, nbf: 1735689600 }
 * ```
 */
export class JwtVcSigner {
  readonly #signer: Signer
  readonly #defaults: JwtVcSignOptions

  /** `options` are defaults for every {@link JwtVcSigner.sign} call. */
  constructor(signer: Signer, options: JwtVcSignOptions = {}) {
    if (!signer || typeof signer.sign !== 'function' || typeof signer.id !== 'string')
      throw new CredsignError('invalid_argument', 'JwtVcSigner needs a Signer')
    if (options === null || typeof options !== 'object')
      throw new CredsignError('invalid_argument', 'options must be an object')
    this.#signer = signer
    this.#defaults = { ...options }
  }

  /**
   * Signs `credential` and resolves with the compact JWT. Errors: `credential_invalid` (the message
   * starts with the path of the problem), `issuer_mismatch`, `invalid_argument` (bad options), and
   * whatever the signer throws (`signer_locked`).
   *
   * @example
   *
   * ```ts
   * import { JwtVcSigner, generateKeyPair, loadPrivateKey, type Signer } from 'credsign'
   * const { pkcs8, publicJwk } = await generateKeyPair('Ed25519')
   * const key = await loadPrivateKey('Ed25519', pkcs8)
   * const signer: Signer = {
   *   id: 'did:web:issuer.example#key-1',
   *   algorithm: 'Ed25519',
   *   publicJwk,
   *   sign: (d) => key.sign(d),
   * }
   * const jwt = await new JwtVcSigner(signer).sign(
   *   {
   *     '@context': ['https://www.w3.org/2018/credentials/v1'],
   *     type: ['VerifiableCredential'],
   *     id: 'urn:uuid:1d5ab5b2-0f0c-4f0e-9d8e-1f5b1e0c8b11',
   *     issuanceDate: '2025-01-01T00:00:00Z',
   *     credentialSubject: { id: 'did:example:alice', degree: 'BSc' },
   *   },
   *   { expiresIn: 3600 },
   * )
   * // payload { vc: {…, issuer: 'did:web:issuer.example'}, iss: 'did:web:issuer.example', nbf: 1735689600, jti: 'urn:uuid:…', sub: 'did:example:alice', iat: …, exp: … }
   * ```
   */
  async sign(credential: Record<string, unknown>, options: JwtVcSignOptions = {}): Promise<string> {
    const opts = mergeOptions(this.#defaults, options)
    const { document, dataModel, encoding } = prepareDocument(
      credential,
      'credential',
      opts.version,
    )

    const issuer = bindParty(document, this.#signer, {
      member: 'issuer',
      allowMismatch: opts.allowIssuerMismatch === true,
    })
    const times = timeClaims(opts)
    if (dataModel === '1.1' && document.issuanceDate === undefined) {
      document.issuanceDate = numericDateToDateTime(Math.floor(times.now / 1000))
    }
    refuseJwtClaimsIn20(document, encoding)
    validateCredential(document, {
      version: dataModel,
      ...(opts.strict === undefined ? {} : { strict: opts.strict }),
      ...(opts.allowProperties === undefined ? {} : { allowProperties: opts.allowProperties }),
    })
    await refuseMismatchedRelatedResourcesWhenNamed(document)
    const extra = extraClaims(opts)

    if (encoding === '2.0') {
      const payload: JsonObject = document
      addVcJoseClaims(payload, issuer, times, opts.validityClaims ?? true)
      addClaims(payload, extra)
      return signJwtPayload(
        this.#signer,
        payload,
        opts.cty === false ? { typ: 'vc+jwt' } : { typ: 'vc+jwt', cty: 'vc' },
        opts,
      )
    }

    const mapped = mappedPropertiesOf(opts.mappedProperties)
    const payload = encodeV1Credential(document, mapped)
    if (times.iat !== undefined) payload.iat = times.iat
    payload.exp = earlier(times.exp, payload.exp as number | undefined)
    if (payload.exp === undefined) delete payload.exp
    addClaims(payload, extra)
    return signJwtPayload(this.#signer, payload, { typ: 'JWT' }, opts)
  }
}
