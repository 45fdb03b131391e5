import { CredsignError } from '../../errors/credsign-error.js'
import type { Signer } from '../../keys/types.js'
import { encodeV1Presentation } from './mapping-v1.js'
import { extraClaims, mappedPropertiesOf, signJwtPayload } from './sign-document.js'
import { prepareDocument } from '../../credential/prepare-document.js'
import { addClaims, refuseJwtClaimsIn20, timeClaims } from '../../credential/vc-jose-claims.js'
import { mergeOptions } from '../../util/merge-options.js'
import { bindParty } from '../../credential/party.js'
import type { JwtVpSignOptions } from './sign-options.js'
import type { JsonObject } from '../../credential/types.js'
import { validatePresentation } from '../../credential/validate-presentation.js'

/**
 * Signs W3C Verifiable Presentations as JWTs with any {@link Signer} (the holder's key):
 *
 * - VCDM 2.0: W3C VC-JOSE-COSE. The payload is the presentation itself plus `iss` (the holder),
 *   `iat`, and `aud` / `nonce` / `exp` from the options; header `{ alg, kid, typ: 'vp+jwt', cty:
 *   'vp' }`. Credentials go in `verifiableCredential` as objects: JWT credentials wrapped with
 *   `envelopeCredential(jwt)` (an `EnvelopedVerifiableCredential` with a
 *   `data:application/vc+jwt,…` id).
 * - VCDM 1.1: VCDM 1.1 section 6.3.1. The presentation goes in the `vp` claim; `iss` ← holder, `jti`
 *   ← id, `aud` and `nonce` from the options, `typ: JWT`. JWT credentials go in
 *   `verifiableCredential` as strings.
 *
 * `audience` and `nonce` are the verifier's `client_id` / `domain` and `nonce` / `challenge`; a
 * presentation should carry both and a short `expiresIn`. Holder rules are the issuer rules of
 * {@link JwtVcSigner}: an absent `holder` is filled with the key's controller, a different one is
 * `issuer_mismatch` unless `allowHolderMismatch: true`. The presentation is validated
 * (`validatePresentation`) and never modified. Embedded credentials are not verified here.
 *
 * @example
 *
 * ```ts
 * import {
 *   JwtVcSigner,
 *   JwtVpSigner,
 *   KeyVault,
 *   MemoryStore,
 *   asDidSigner,
 *   envelopeCredential,
 * } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s1'] })
 * await vault.generate({ id: 'holder', algorithm: 'P-256', secrets: ['s2'] })
 * const holder = asDidSigner(await vault.unlock('holder', ['s2']))
 * const vcJwt = await new JwtVcSigner(asDidSigner(await vault.unlock('issuer', ['s1']))).sign({
 *   '@context': ['https://www.w3.org/ns/credentials/v2'],
 *   type: ['VerifiableCredential'],
 *   credentialSubject: { id: holder.id.split('#')[0], degree: 'BSc' },
 * })
 * const vpJwt = await new JwtVpSigner(holder).sign(
 *   {
 *     '@context': ['https://www.w3.org/ns/credentials/v2'],
 *     type: ['VerifiablePresentation'],
 *     verifiableCredential: [envelopeCredential(vcJwt)],
 *   },
 *   { audience: 'https://verifier.example', nonce: 'n-0S6_WzA2Mj', expiresIn: 300 },
 * )
 * ```
 */
export class JwtVpSigner {
  readonly #signer: Signer
  readonly #defaults: JwtVpSignOptions

  /** `options` are defaults for every {@link JwtVpSigner.sign} call. */
  constructor(signer: Signer, options: JwtVpSignOptions = {}) {
    if (!signer || typeof signer.sign !== 'function' || typeof signer.id !== 'string')
      throw new CredsignError('invalid_argument', 'JwtVpSigner needs a Signer')
    if (options === null || typeof options !== 'object')
      throw new CredsignError('invalid_argument', 'options must be an object')
    this.#signer = signer
    this.#defaults = { ...options }
  }

  /**
   * Signs `presentation` and resolves with the compact JWT. Errors as for `JwtVcSigner.sign`.
   *
   * @example
   *
   * ```ts
   * import { JwtVpSigner, generateKeyPair, loadPrivateKey, type Signer } from 'credsign'
   * const { pkcs8, publicJwk } = await generateKeyPair('P-256')
   * const key = await loadPrivateKey('P-256', pkcs8)
   * const holder: Signer = {
   *   id: 'did:web:wallet.example#key-1',
   *   algorithm: 'P-256',
   *   publicJwk,
   *   sign: (d) => key.sign(d),
   * }
   * const jwt = await new JwtVpSigner(holder).sign(
   *   {
   *     '@context': ['https://www.w3.org/2018/credentials/v1'],
   *     type: ['VerifiablePresentation'],
   *     verifiableCredential: [],
   *   },
   *   { audience: 'did:example:verifier', nonce: '343s$FSFDa-' },
   * )
   * // payload { vp: {…, holder: 'did:web:wallet.example'}, iss: 'did:web:wallet.example', aud: 'did:example:verifier', nonce: '343s$FSFDa-', iat: … }
   * ```
   */
  async sign(
    presentation: Record<string, unknown>,
    options: JwtVpSignOptions = {},
  ): Promise<string> {
    const opts = mergeOptions(this.#defaults, options)
    const { document, dataModel, encoding } = prepareDocument(
      presentation,
      'presentation',
      opts.version,
    )
    const audience = checkAudience(opts.audience)
    if (opts.nonce !== undefined && (typeof opts.nonce !== 'string' || opts.nonce.length === 0)) {
      throw new CredsignError('invalid_argument', 'nonce must be a non-empty string')
    }

    const holder = bindParty(document, this.#signer, {
      member: 'holder',
      allowMismatch: opts.allowHolderMismatch === true,
    })
    refuseJwtClaimsIn20(document, encoding)
    validatePresentation(document, {
      version: dataModel,
      ...(opts.strict === undefined ? {} : { strict: opts.strict }),
      ...(opts.allowProperties === undefined ? {} : { allowProperties: opts.allowProperties }),
    })
    const times = timeClaims(opts)
    const extra = extraClaims(opts)
    const claims: JsonObject = {
      iss: holder,
      aud: audience,
      nonce: opts.nonce,
      iat: times.iat,
      exp: times.exp,
    }

    if (encoding === '2.0') {
      const payload: JsonObject = document
      addClaims(payload, claims)
      addClaims(payload, extra)
      return signJwtPayload(
        this.#signer,
        payload,
        opts.cty === false ? { typ: 'vp+jwt' } : { typ: 'vp+jwt', cty: 'vp' },
        opts,
      )
    }
    const mapped = mappedPropertiesOf(opts.mappedProperties)
    const payload = encodeV1Presentation(document, mapped)
    addClaims(payload, claims)
    addClaims(payload, extra)
    return signJwtPayload(this.#signer, payload, { typ: 'JWT' }, opts)
  }
}

function checkAudience(audience: unknown): string | string[] | undefined {
  if (audience === undefined) return undefined
  if (typeof audience === 'string' && audience.length > 0) return audience
  if (
    Array.isArray(audience) &&
    audience.length > 0 &&
    audience.every((a) => typeof a === 'string' && a.length > 0)
  )
    return [...(audience as string[])]
  throw new CredsignError(
    'invalid_argument',
    'audience must be a non-empty string or array of strings',
  )
}
