import type { JoseHeader } from '../../jose/types.js'
import type { JwsAlgorithm, PublicJwk, Signer } from '../../keys/types.js'
import type { KeyResolver, ResolvedKey } from '../../resolve/types.js'

/**
 * Which claims are selectively disclosable, in the style of `@sd-jwt`: at each level, `_sd` lists
 * the claim names (of an object) or the indexes (of an array) that become disclosures; `_sd_decoy`
 * adds that many decoy digests at this level; any other member describes the inner level of the
 * claim (or array element) of that name. A claim that is disclosable and has an inner frame becomes
 * a recursive disclosure (its disclosure carries the inner digests).
 *
 * The same shape selects what a holder reveals in {@link presentSdJwt}: there `_sd` names the
 * disclosable claims to reveal, and `_sd_decoy` means nothing.
 *
 * @example
 *
 * ```ts
 * import type { DisclosureFrame } from 'credsign'
 * const frame: DisclosureFrame = {
 *   _sd: ['given_name', 'family_name', 'address'],
 *   address: { _sd: ['street_address', 'locality'] }, // recursive: address and its members
 *   nationalities: { _sd: [0, 1] }, // array elements
 *   _sd_decoy: 2,
 * }
 * ```
 */
export type DisclosureFrame = {
  _sd?: (string | number)[]
  _sd_decoy?: number
  [claim: string]: DisclosureFrame | (string | number)[] | number | undefined
}

/**
 * The hash algorithms (IANA "Named Information Hash Algorithm" names) credsign digests disclosures
 * with.
 */
export type SdHashAlgorithm = 'sha-256' | 'sha-384' | 'sha-512'

/**
 * Who the SD-JWT is bound to (`cnf`, RFC 7800): a public JWK, `{ jwk }`, or `{ kid }` (a key
 * reference the verifier resolves, such as a did:key or did:web DID URL). A verifier uses `cnf.jwk`
 * when present, else resolves `cnf.kid`.
 */
export type HolderBinding = PublicJwk | { jwk: PublicJwk } | { kid: string }

/**
 * Options of {@link issueSdJwt}.
 *
 * @example
 *
 * ```ts
 * import type { SdJwtIssueOptions } from 'credsign'
 * declare const holderJwk: import('credsign').PublicJwk
 * const options: SdJwtIssueOptions = {
 *   disclosureFrame: { _sd: ['email'] },
 *   holder: holderJwk,
 *   typ: 'dc+sd-jwt',
 * }
 * ```
 */
export interface SdJwtIssueOptions {
  /** Which claims become disclosures (default: none: an SD-JWT with no disclosure). */
  disclosureFrame?: DisclosureFrame
  /** The digest algorithm, written to `_sd_alg` (default `sha-256`). */
  hashAlgorithm?: SdHashAlgorithm
  /** The holder's key, written to `cnf`: a KB-JWT then proves possession when presenting. */
  holder?: HolderBinding
  /** Header `typ` (default: `dc+sd-jwt` when the claims carry `vct`, else `sd-jwt`). */
  typ?: string
  /** Header `kid`: the signer's id (default), another string, or `false` for none. */
  kid?: string | false
  /**
   * Extra protected header members (`x5c`, …). `alg`, `typ`, `kid`, `crit` and `b64` come from the
   * options.
   */
  header?: JoseHeader
  /**
   * `true`: put the signer's X.509 chain in the `x5c` header (an unlocked vault key's chain,
   * attached with `KeyVault.attachCertificateChain`; leaf first, trust anchor omitted).
   */
  x5c?: boolean
  /** `EdDSA` (default) or the fully-specified `Ed25519` for an Ed25519 key. */
  ed25519Name?: 'EdDSA' | 'Ed25519'
  /**
   * `true`: the RFC 9864 fully-specified `alg` names (`Ed25519`, `ESP256`, `ESP384`, `ESP512`);
   * default `false`.
   */
  fullySpecified?: boolean
}

/**
 * Options of {@link SdJwtVcSigner.issue} (and its constructor defaults).
 *
 * @example
 *
 * ```ts
 * import type { SdJwtVcSignOptions } from 'credsign'
 * const options: SdJwtVcSignOptions = {
 *   vct: 'https://credentials.example.com/identity_credential',
 *   expiresIn: 365 * 24 * 3600,
 * }
 * ```
 */
export interface SdJwtVcSignOptions extends SdJwtIssueOptions {
  /** `vct`, the credential type (required: here or in the claims). */
  vct?: string
  /** `iss` (default: `claims.iss`, else the DID of the signer's DID URL id; required). */
  issuer?: string
  /** `iat`: now (true, default), this NumericDate, or none (false). */
  issuedAt?: boolean | number
  /** `exp` = `iat` (or now) + this many seconds. */
  expiresIn?: number
  /** `nbf`: a NumericDate. */
  notBefore?: number
  /**
   * `status` (e.g. `{ status_list: { idx, uri } }`), written as given; never selectively
   * disclosable.
   */
  status?: Record<string, unknown>
  /** Header `typ` `vc+sd-jwt` (SD-JWT VC before draft-06) instead of `dc+sd-jwt`, for older wallets. */
  legacyTyp?: boolean
  /**
   * `'haip'`: issue as OpenID4VC HAIP 1.0 requires, or refuse: ES256 (a P-256 key, `alg` ES256;
   * `haip_algorithm`), SHA-256 disclosure digests (`haip_algorithm`), `typ` `dc+sd-jwt`
   * (`haip_format`), the issuer key in an `x5c` chain (sent as with `x5c: true`;
   * `haip_certificate_required` when the signer has none), a holder key as a JWK in `cnf.jwk` for
   * key binding (`haip_key_binding_required`; a `{ kid }` holder is refused), a `status` holding
   * `status_list` (`haip_status_invalid`): what `verify(…, { profile: 'haip' })` checks. Nothing is
   * signed when a rule fails.
   */
  profile?: 'haip'
  /** The clock, epoch milliseconds (default `Date.now`). */
  now?: () => number
}

/**
 * Options of {@link SdJwtVcSigner.signCredential}: a VCDM 2.0 credential secured as an SD-JWT (W3C
 * VC-JOSE-COSE, `typ: vc+sd-jwt`).
 *
 * @example
 *
 * ```ts
 * import type { SdJwtCredentialOptions } from 'credsign'
 * const options: SdJwtCredentialOptions = {
 *   disclosureFrame: { credentialSubject: { _sd: ['birthDate'] } },
 *   expiresIn: 3600,
 * }
 * ```
 */
export interface SdJwtCredentialOptions extends SdJwtIssueOptions {
  /**
   * Sign even when the credential's issuer is not the controller of the signing key (default false:
   * `issuer_mismatch`).
   */
  allowIssuerMismatch?: boolean
  /** Refuse top-level members VCDM 2.0 does not define (default true); see `validateCredential`. */
  strict?: boolean
  /** Extension members accepted in strict mode. */
  allowProperties?: readonly string[]
  /** `iat`: now (true, default), this NumericDate, or none (false). */
  issuedAt?: boolean | number
  /** `exp` = `iat` + this many seconds (the earlier of that and `validUntil`). */
  expiresIn?: number
  /** Add `nbf` / `exp` from `validFrom` / `validUntil` (default true). */
  validityClaims?: boolean
  /** The clock, epoch milliseconds (default `Date.now`). */
  now?: () => number
}

/**
 * Options of {@link presentSdJwt}.
 *
 * @example
 *
 * ```ts
 * import type { PresentOptions } from 'credsign'
 * declare const holder: import('credsign').Signer
 * const options: PresentOptions = {
 *   disclose: { _sd: ['given_name'] },
 *   holder,
 *   audience: 'https://verifier.example',
 *   nonce: 'n-0S6_WzA2Mj',
 * }
 * ```
 */
export interface PresentOptions {
  /**
   * What to reveal: a presentation frame (`_sd` names the disclosable claims to reveal), `'all'`
   * (default) or `'none'`.
   */
  disclose?: DisclosureFrame | 'all' | 'none'
  /**
   * Signs the KB-JWT (the key in the SD-JWT's `cnf`: `cnf.jwk`, or the key `cnf.kid` names).
   * Without it, no KB-JWT is added.
   */
  holder?: Signer
  /** KB-JWT `aud`: the verifier (required with `holder`). */
  audience?: string
  /** KB-JWT `nonce`: the verifier's challenge (required with `holder`). */
  nonce?: string
  /** The clock for the KB-JWT `iat`, epoch milliseconds (default `Date.now`). */
  now?: () => number
  /** `EdDSA` (default) or `Ed25519` for an Ed25519 holder key. */
  ed25519Name?: 'EdDSA' | 'Ed25519'
  /**
   * `true`: the KB-JWT's `alg` by its RFC 9864 fully-specified name (`Ed25519`, `ESP256`, …);
   * default `false`.
   */
  fullySpecified?: boolean
}

/**
 * One disclosure of an SD-JWT, decoded.
 *
 * @example
 *
 * ```ts
 * import type { DecodedDisclosure } from 'credsign'
 * const d: DecodedDisclosure = {
 *   disclosure: 'WyJzYWx0IiwgIm5hbWUiLCAidmFsdWUiXQ',
 *   digest: '…',
 *   salt: 'salt',
 *   name: 'name',
 *   value: 'value',
 * }
 * ```
 */
export interface DecodedDisclosure {
  /** The disclosure as it appears in the SD-JWT (base64url). */
  disclosure: string
  /** Its digest with the SD-JWT's `_sd_alg`, base64url. */
  digest: string
  salt: string
  /** The claim name; absent for an array element. */
  name?: string
  value: unknown
}

/**
 * What {@link decodeSdJwt} read: NOTHING in it is verified.
 *
 * @example
 *
 * ```ts
 * import type { DecodedSdJwt } from 'credsign'
 * const names = (d: DecodedSdJwt) => d.disclosures.map((x) => x.name ?? '(array element)')
 * ```
 */
export interface DecodedSdJwt {
  /** The issuer-signed JWT's protected header. */
  header: JoseHeader
  /** The issuer-signed payload (with `_sd`, `_sd_alg`, `...`). */
  payload: Record<string, unknown>
  /** Every disclosure, in the order of the SD-JWT. */
  disclosures: DecodedDisclosure[]
  /** The claims with every disclosure applied (as a verifier would see them, unverified). */
  claims: Record<string, unknown>
  /** The KB-JWT, when the SD-JWT ends in one. */
  kbJwt?: { jwt: string; header: JoseHeader; payload: Record<string, unknown> }
}

/**
 * Options of {@link verifySdJwt}.
 *
 * @example
 *
 * ```ts
 * import type { SdJwtVerifyOptions } from 'credsign'
 * const options: SdJwtVerifyOptions = {
 *   audience: 'https://verifier.example',
 *   nonce: 'n-0S6_WzA2Mj',
 *   keyBindingMaxAgeSeconds: 120,
 * }
 * ```
 */
export interface SdJwtVerifyOptions {
  /**
   * Resolves the issuer key (header `kid`, a DID URL, or `iss` when it is a DID and there is no
   * `kid`) and the holder key of a `cnf.kid` (default: did:key and did:jwk, offline).
   */
  resolver?: KeyResolver
  /** Verify the issuer signature with this key instead. */
  key?: PublicJwk
  /** Accepted algorithms, for the issuer JWT and the KB-JWT (default: every one credsign verifies). */
  algorithms?: JwsAlgorithm[]
  /** Required KB-JWT `aud` (makes the KB-JWT required). */
  audience?: string
  /** Required KB-JWT `nonce` (makes the KB-JWT required). */
  nonce?: string
  /**
   * `true`: a KB-JWT is required; `false`: never required (checked when present); default: required
   * exactly when the SD-JWT has `cnf`, or `audience` or `nonce` is given.
   */
  requireKeyBinding?: boolean
  /** How old the KB-JWT's `iat` may be, in seconds (default 300). */
  keyBindingMaxAgeSeconds?: number
  /** Verifier clock: epoch ms, a Date, or a function (default `Date.now`). */
  now?: number | Date | (() => number)
  /** Allowed clock skew in seconds (default 60). */
  clockToleranceSeconds?: number
  /**
   * Accepted header `typ` values, compared case-insensitively without `application/` (default
   * `dc+sd-jwt`, `vc+sd-jwt`).
   */
  typ?: string[]
}

/**
 * A verified SD-JWT.
 *
 * @example
 *
 * ```ts
 * import type { VerifiedSdJwt } from 'credsign'
 * const givenName = (v: VerifiedSdJwt) => v.claims.given_name
 * ```
 */
export interface VerifiedSdJwt {
  /** The issuer-signed JWT's protected header. */
  header: JoseHeader
  /** The issuer-signed payload as signed (with `_sd`, `_sd_alg`, `...`). */
  payload: Record<string, unknown>
  /**
   * The processed claims: disclosed claims in place, `_sd`, `_sd_alg` and undisclosed `...`
   * elements removed.
   */
  claims: Record<string, unknown>
  /**
   * JSON paths of the claims that came from disclosures (`given_name`, `address.street_address`,
   * `nationalities[0]`), in processing order.
   */
  disclosed: string[]
  /** The issuer key that verified. */
  key: ResolvedKey
  /** The verified KB-JWT, when there was one. */
  keyBinding?: { header: JoseHeader; payload: Record<string, unknown> }
}
