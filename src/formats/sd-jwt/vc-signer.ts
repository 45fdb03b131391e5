import { CredsignError } from '../../errors/credsign-error.js'
import { isOptionsObject, isPlainObject } from '../../jose/json.js'
import type { Signer } from '../../keys/types.js'
import { prepareDocument } from '../../credential/prepare-document.js'
import {
  addVcJoseClaims,
  refuseJwtClaimsIn20,
  timeClaims,
} from '../../credential/vc-jose-claims.js'
import { mergeOptions } from '../../util/merge-options.js'
import { bindParty, signerController } from '../../credential/party.js'
import type { JsonObject } from '../../credential/types.js'
import { validateCredential } from '../../credential/validate-credential.js'
import { refuseMismatchedRelatedResourcesWhenNamed } from '../../verify/related-resources-lazy.js'
import { frameLevel } from './frame.js'
import { NEVER_DISCLOSABLE, W3C_NEVER_DISCLOSABLE } from './vc-claims.js'
import { confirmationOf, issueSdJwtWith } from './issue.js'
import { haipClaimProblems } from './haip-claims.js'
import type {
  DisclosureFrame,
  SdJwtCredentialOptions,
  SdJwtIssueOptions,
  SdJwtVcSignOptions,
} from './types.js'

/**
 * Issues SD-JWT based credentials with any {@link Signer}:
 *
 * - {@link SdJwtVcSigner.issue}: an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc-18): `typ: dc+sd-jwt` (or
 *   `vc+sd-jwt` with `legacyTyp`), `vct` required, `iss` (default: the DID of the signer's DID URL
 *   id), `iat`, `nbf` / `exp`, `cnf` from `holder`, `status` as given. `iss`, `nbf`, `exp`, `cnf`,
 *   `vct`, `vct#integrity` and `status` are never selectively disclosable.
 * - {@link SdJwtVcSigner.signCredential}: a W3C VCDM 2.0 credential secured as an SD-JWT
 *   (VC-JOSE-COSE): `typ: vc+sd-jwt`, `cty: vc`, the credential as the payload with `iss`, `iat`,
 *   `nbf` / `exp` from `validFrom` / `validUntil`, validated and issuer-bound like `JwtVcSigner`.
 *   Put it in a presentation with `envelopeCredential(sdJwt, 'application/vc+sd-jwt')`.
 *
 * Selective disclosure follows `disclosureFrame` (see {@link issueSdJwt}).
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, SdJwtVcSigner, asDidSigner, generateKeyPair } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s1'] })
 * const issuer = new SdJwtVcSigner(asDidSigner(await vault.unlock('issuer', ['s1'])), {
 *   expiresIn: 365 * 24 * 3600,
 * })
 * const wallet = await generateKeyPair('P-256')
 * const sdJwt = await issuer.issue(
 *   {
 *     vct: 'https://credentials.example.com/identity_credential',
 *     given_name: 'John',
 *     family_name: 'Doe',
 *     birthdate: '1940-01-01',
 *   },
 *   {
 *     disclosureFrame: { _sd: ['given_name', 'family_name', 'birthdate'] },
 *     holder: wallet.publicJwk,
 *   },
 * )
 * ```
 */
export class SdJwtVcSigner {
  readonly #signer: Signer
  readonly #defaults: SdJwtVcSignOptions

  /** `defaults` apply to every call (per-call options win). */
  constructor(signer: Signer, defaults: SdJwtVcSignOptions = {}) {
    if (!signer || typeof signer.sign !== 'function' || typeof signer.id !== 'string')
      throw new CredsignError('invalid_argument', 'SdJwtVcSigner needs a Signer')
    if (!isOptionsObject(defaults))
      throw new CredsignError('invalid_argument', 'defaults must be an object')
    this.#signer = signer
    this.#defaults = { ...defaults }
  }

  /**
   * Issues an SD-JWT VC. Errors: `invalid_argument` (no `vct`, no `iss` and a signer id that names
   * no controller, an option that contradicts a claim, a frame that discloses a claim that must
   * stay visible, or anything {@link issueSdJwt} refuses), and the signer's errors.
   *
   * @example
   *
   * ```ts
   * import { SdJwtVcSigner } from 'credsign'
   * declare const signer: import('credsign').Signer, walletJwk: import('credsign').PublicJwk
   * const sdJwt = await new SdJwtVcSigner(signer).issue(
   *   { given_name: 'Erika', address: { locality: 'Berlin', postal_code: '10115' } },
   *   {
   *     vct: 'urn:eudi:pid:de:1',
   *     issuer: 'https://pid-issuer.example',
   *     expiresIn: 30 * 24 * 3600,
   *     holder: walletJwk,
   *     status: { status_list: { idx: 412, uri: 'https://pid-issuer.example/statuslists/1' } },
   *     disclosureFrame: {
   *       _sd: ['given_name', 'address'],
   *       address: { _sd: ['locality', 'postal_code'] },
   *     },
   *   },
   * )
   * ```
   */
  async issue(claims: Record<string, unknown>, options: SdJwtVcSignOptions = {}): Promise<string> {
    if (!isPlainObject(claims))
      throw new CredsignError('invalid_argument', 'claims must be an object')
    if (!isOptionsObject(options))
      throw new CredsignError('invalid_argument', 'options must be an object')
    const opts = mergeOptions(this.#defaults, options)
    const {
      vct,
      issuer,
      issuedAt,
      expiresIn,
      notBefore,
      status,
      legacyTyp,
      now,
      typ,
      profile,
      ...issueOptions
    } = opts
    if (profile !== undefined && profile !== 'haip')
      throw new CredsignError('invalid_argument', "profile must be 'haip'")
    if (profile === 'haip') {
      checkHaipIssuance(this.#signer, { ...issueOptions, legacyTyp, typ }, status ?? claims.status)
      issueOptions.x5c = true
    }
    const conflict = (claim: string, value: unknown, option: string): void => {
      if (
        value !== undefined &&
        claims[claim] !== undefined &&
        JSON.stringify(claims[claim]) !== JSON.stringify(value)
      ) {
        throw new CredsignError(
          'invalid_argument',
          `claims.${claim} and the ${option} option differ`,
        )
      }
    }
    conflict('vct', vct, 'vct')
    conflict('iss', issuer, 'issuer')
    conflict('status', status, 'status')
    const vctValue = vct ?? claims.vct
    if (typeof vctValue !== 'string' || vctValue.length === 0)
      throw new CredsignError(
        'invalid_argument',
        'an SD-JWT VC needs vct (a string): in the claims or the vct option',
      )
    const iss = issuer ?? claims.iss ?? signerController(this.#signer)
    if (typeof iss !== 'string' || iss.length === 0) {
      throw new CredsignError(
        'invalid_argument',
        'an SD-JWT VC needs iss: give the issuer option, claims.iss, or a signer whose id is a DID URL',
      )
    }
    if (status !== undefined && !isPlainObject(status))
      throw new CredsignError('invalid_argument', 'status must be an object')
    for (const name of ['iat', 'nbf', 'exp'] as const) {
      const option = { iat: 'issuedAt', nbf: 'notBefore', exp: 'expiresIn' }[name]
      if (claims[name] !== undefined && opts[option as keyof SdJwtVcSignOptions] !== undefined)
        throw new CredsignError(
          'invalid_argument',
          `claims.${name} and the ${option} option are both given`,
        )
    }
    const times = timeClaims({
      ...(claims.iat !== undefined && issuedAt === undefined
        ? { issuedAt: false }
        : issuedAt === undefined
          ? {}
          : { issuedAt }),
      ...(expiresIn === undefined ? {} : { expiresIn }),
      ...(now === undefined ? {} : { now }),
    })
    if (notBefore !== undefined && (typeof notBefore !== 'number' || !Number.isFinite(notBefore)))
      throw new CredsignError('invalid_argument', 'notBefore must be a NumericDate')
    // `aud` too: verify() holds every JWT to its `aud` (src/verify/audience.ts), and a disclosable
    // `aud` is one whoever holds the SD-JWT can withhold, making an addressed credential good for
    // any verifier (RFC 9901's security considerations count `aud` among such claims). Its array
    // elements may still be disclosures: one per verifier, and withholding all of them leaves `[]`.
    refuseDisclosable(issueOptions.disclosureFrame, [...NEVER_DISCLOSABLE, 'aud'])

    const payload: Record<string, unknown> = { iss }
    if (times.iat !== undefined) payload.iat = times.iat
    if (notBefore !== undefined) payload.nbf = notBefore
    if (times.exp !== undefined) payload.exp = times.exp
    payload.vct = vctValue
    if (status !== undefined) payload.status = status
    for (const [name, value] of Object.entries(claims)) {
      if (!(name in payload))
        Object.defineProperty(payload, name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        })
    }
    const headerTyp = typ ?? (legacyTyp === true ? 'vc+sd-jwt' : 'dc+sd-jwt')
    return issueSdJwtWith(this.#signer, payload, { ...issueOptions, typ: headerTyp }, {})
  }

  /**
   * Secures a VCDM 2.0 credential as an SD-JWT (W3C VC-JOSE-COSE `application/vc+sd-jwt`): the
   * credential is validated (strict by default) and bound to the key's controller as in
   * `JwtVcSigner` (absent `issuer` filled in; another issuer is `issuer_mismatch` unless
   * `allowIssuerMismatch`), then issued with `typ: vc+sd-jwt`, `cty: vc`, `iss`, `iat` and `nbf` /
   * `exp` from `validFrom` / `validUntil`. `@context`, `iss`, `nbf`, `exp`, `cnf`, `status`,
   * `validFrom`, `validUntil` and `credentialStatus` are never selectively disclosable. Errors:
   * `credential_invalid`, `issuer_mismatch`, `invalid_argument`, and the signer's.
   *
   * @example
   *
   * ```ts
   * import { SdJwtVcSigner, envelopeCredential } from 'credsign'
   * declare const signer: import('credsign').Signer // a did:key / DID URL signer
   * const sdJwt = await new SdJwtVcSigner(signer).signCredential(
   *   {
   *     '@context': [
   *       'https://www.w3.org/ns/credentials/v2',
   *       'https://www.w3.org/ns/credentials/examples/v2',
   *     ],
   *     type: ['VerifiableCredential', 'IdentityCredential'],
   *     credentialSubject: {
   *       id: 'did:example:alice',
   *       firstName: 'Jane',
   *       lastName: 'Doe',
   *       birthDate: '1990-01-01',
   *     },
   *   },
   *   {
   *     disclosureFrame: {
   *       credentialSubject: { _sd: ['firstName', 'lastName', 'birthDate'] },
   *     },
   *   },
   * )
   * const entry = envelopeCredential(sdJwt, 'application/vc+sd-jwt') // for a VCDM 2.0 presentation
   * ```
   */
  async signCredential(
    credential: Record<string, unknown>,
    options: SdJwtCredentialOptions = {},
  ): Promise<string> {
    if (!isOptionsObject(options))
      throw new CredsignError('invalid_argument', 'options must be an object')
    const {
      allowIssuerMismatch,
      strict,
      allowProperties,
      issuedAt,
      expiresIn,
      validityClaims,
      now,
      typ,
      ...issueOptions
    } = options
    const ed25519Name = options.ed25519Name ?? this.#defaults.ed25519Name
    const fullySpecified = options.fullySpecified ?? this.#defaults.fullySpecified
    const { document } = prepareDocument(credential, 'credential', '2.0')
    const issuer = bindParty(document, this.#signer, {
      member: 'issuer',
      allowMismatch: allowIssuerMismatch === true,
    })
    refuseJwtClaimsIn20(document, '2.0')
    validateCredential(document, {
      version: '2.0',
      ...(strict === undefined ? {} : { strict }),
      ...(allowProperties === undefined ? {} : { allowProperties }),
    })
    await refuseMismatchedRelatedResourcesWhenNamed(document)
    // `aud` as in issue(): withheld, an addressed credential would be good for any verifier.
    refuseDisclosable(issueOptions.disclosureFrame, ['@context', ...W3C_NEVER_DISCLOSABLE, 'aud'])
    // The constructor's clock applies here too, as it does to issue() (it was ignored before).
    const clock = now ?? this.#defaults.now
    const times = timeClaims({
      ...(issuedAt === undefined ? {} : { issuedAt }),
      ...(expiresIn === undefined ? {} : { expiresIn }),
      ...(clock === undefined ? {} : { now: clock }),
    })
    const payload: JsonObject = document
    addVcJoseClaims(payload, issuer, times, validityClaims ?? true)
    const { header, kid } = issueOptions
    return issueSdJwtWith(
      this.#signer,
      payload,
      {
        ...issueOptions,
        typ: typ ?? 'vc+sd-jwt',
        header: { cty: 'vc', ...header },
        ...(kid === undefined && this.#defaults.kid !== undefined
          ? { kid: this.#defaults.kid }
          : {}),
        ...(ed25519Name === undefined ? {} : { ed25519Name }),
        ...(fullySpecified === undefined ? {} : { fullySpecified }),
      },
      {},
    )
  }
}

/** `invalid_argument` when the top level of `frame` makes one of `names` selectively disclosable. */
function refuseDisclosable(frame: DisclosureFrame | undefined, names: readonly string[]): void {
  const level = frameLevel(frame, '')
  for (const name of names) {
    if (level.names.has(name))
      throw new CredsignError(
        'invalid_argument',
        `${name} cannot be selectively disclosable here: verifiers must see it`,
      )
  }
}

/**
 * OpenID4VC HAIP 1.0 rules an SD-JWT VC issuer must meet (the verifier side checks the same).
 * Section numbers are HAIP 1.0's.
 */
function checkHaipIssuance(
  signer: Signer,
  options: SdJwtIssueOptions & { legacyTyp?: boolean; typ?: string },
  status: unknown,
): void {
  // Section 7.2 / 8: ES256 (ECDSA on P-256 with SHA-256) for issuer signatures.
  if (signer.algorithm !== 'P-256')
    throw new CredsignError(
      'haip_algorithm',
      `HAIP: the issuer signs with ES256 (a P-256 key), not ${signer.algorithm}`,
    )
  if (options.fullySpecified === true)
    throw new CredsignError('haip_algorithm', 'HAIP: alg is ES256, not the fully-specified ESP256')
  if (options.hashAlgorithm !== undefined && options.hashAlgorithm !== 'sha-256')
    throw new CredsignError('haip_algorithm', 'HAIP: disclosure digests use SHA-256')
  // Section 7.2.4: the media type / typ is dc+sd-jwt.
  if (options.legacyTyp === true || (options.typ !== undefined && options.typ !== 'dc+sd-jwt'))
    throw new CredsignError('haip_format', 'HAIP: the SD-JWT VC typ is dc+sd-jwt')
  // Section 8.1.1: the issuer key comes from x5c (leaf first, trust anchor omitted).
  if (options.header?.x5c !== undefined)
    throw new CredsignError(
      'haip_certificate_required',
      "HAIP: x5c comes from the signer's attached chain, not from header",
    )
  if (!Array.isArray(signer.x5c) || signer.x5c.length === 0)
    throw new CredsignError(
      'haip_certificate_required',
      'HAIP: the issuer key needs an X.509 chain in x5c; attach one (vault.attachCertificateChain) and unlock again',
    )
  // Section 7.2: presentations are key-bound: the credential carries the holder key (cnf).
  if (options.holder === undefined)
    throw new CredsignError(
      'haip_key_binding_required',
      'HAIP: the credential needs a holder key (holder) for key binding',
    )
  // The claim rules a HAIP verifier applies (haip-claims.ts): cnf.jwk, not cnf.kid; status_list.
  const [problem] = haipClaimProblems({ cnf: confirmationOf(options.holder), status })
  if (problem !== undefined) throw new CredsignError(problem.code, problem.message)
}
