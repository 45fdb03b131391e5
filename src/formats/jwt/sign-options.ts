import type { JoseHeader, JwtClaims } from '../../jose/types.js'
import type { MappedProperties } from './mapping-v1.js'
import type { VcVersion } from '../../credential/types.js'

/**
 * Options of {@link JwtVcSigner} (as defaults in the constructor, or per `sign` call, which wins).
 *
 * @example
 *
 * ```ts
 * import type { JwtVcSignOptions } from 'credsign'
 * const options: JwtVcSignOptions = {
 *   version: '1.1',
 *   expiresIn: 365 * 24 * 3600,
 *   ed25519Name: 'EdDSA',
 * }
 * ```
 */
export interface JwtVcSignOptions {
  /**
   * The JWT encoding: `2.0` (W3C VC-JOSE-COSE: the credential is the payload, `typ: vc+jwt`) or
   * `1.1` (VCDM 1.1 section 6.3.1: the credential in the `vc` claim, `typ: JWT`). Default: the data
   * model of the first `@context` entry. A VCDM 2.0 credential may be sent in the 1.1 encoding (for
   * verifiers that only read `vc`); a VCDM 1.1 credential cannot be secured with VC-JOSE-COSE.
   */
  version?: VcVersion
  /** `EdDSA` (default, what most verifiers expect) or the fully-specified `Ed25519` (RFC 9864). */
  ed25519Name?: 'EdDSA' | 'Ed25519'
  /**
   * `true`: the RFC 9864 fully-specified `alg` names (`Ed25519`, `ESP256`, `ESP384`, `ESP512`);
   * default `false`.
   */
  fullySpecified?: boolean
  /**
   * The `kid` header: the signer's id (default, the verification method id), another string, or
   * `false` for none.
   */
  kid?: string | false
  /**
   * Sign even when the credential's issuer is not the controller of the signing key (default false:
   * `issuer_mismatch`).
   */
  allowIssuerMismatch?: boolean
  /**
   * Refuse top-level members the data model does not define (default: true for VCDM 2.0, false for
   * 1.1); see `validateCredential`.
   */
  strict?: boolean
  /** Extension members accepted in strict mode. */
  allowProperties?: readonly string[]
  /**
   * 1.1 encoding: `remove` (the default, the spec's "instead of" form, what did-jwt-vc and Veramo
   * issue) takes the members that registered claims represent out of `vc` (`issuer`,
   * `issuanceDate`, `expirationDate`, `id`, `credentialSubject.id`; `holder` and `id` of a
   * presentation); `keep` ("in addition to") leaves them in as well, for verifiers that only read
   * `vc`.
   */
  mappedProperties?: MappedProperties
  /**
   * 2.0 encoding: add `nbf` from `validFrom` and `exp` from `validUntil` (default true), so that
   * plain JWT libraries enforce the credential's validity period too. The values are derived, so
   * they cannot conflict with the credential.
   */
  validityClaims?: boolean
  /** 2.0 encoding: put `cty: vc` (`vp`) in the header, as VC-JOSE-COSE suggests (default true). */
  cty?: boolean
  /** `iat`: the signing time (true, the default), this NumericDate, or none (false). */
  issuedAt?: boolean | number
  /**
   * `exp` = `iat` (or now) + this many seconds. With a `validUntil` / `expirationDate` too, the
   * earlier of the two is used.
   */
  expiresIn?: number
  /**
   * Extra JWT claims (`cnf`, `status`, …). They may not redefine a claim credsign derives (`iss`,
   * `iat`, `nbf`, `exp`, `jti`, `sub`, `aud`, `nonce`, `vc`, `vp`): use the credential or the
   * options.
   */
  claims?: JwtClaims
  /**
   * Extra protected header members (`x5c`, `jku`, …). `alg`, `typ`, `cty` and `kid` come from the
   * other options.
   */
  header?: JoseHeader
  /**
   * `true`: put the signer's X.509 chain in the `x5c` header (an unlocked vault key's chain,
   * attached with `KeyVault.attachCertificateChain`; leaf first, trust anchor omitted).
   */
  x5c?: boolean
  /** The clock, epoch milliseconds (default `Date.now`). */
  now?: () => number
}

/**
 * Options of {@link JwtVpSigner}: those of {@link JwtVcSignOptions} (read "holder" for "issuer") plus
 * the presentation's audience and nonce.
 *
 * @example
 *
 * ```ts
 * import type { JwtVpSignOptions } from 'credsign'
 * const options: JwtVpSignOptions = {
 *   audience: 'https://verifier.example',
 *   nonce: 'n-0S6_WzA2Mj',
 *   expiresIn: 300,
 * }
 * ```
 */
export interface JwtVpSignOptions extends Omit<
  JwtVcSignOptions,
  'allowIssuerMismatch' | 'validityClaims'
> {
  /** `aud`: the verifier the presentation is for (OpenID4VP `client_id`, Data Integrity `domain`). */
  audience?: string | string[]
  /** `nonce`: the verifier's challenge (OpenID4VP `nonce`, Data Integrity `challenge`). */
  nonce?: string
  /**
   * Sign even when `holder` is not the controller of the signing key (default false:
   * `issuer_mismatch`).
   */
  allowHolderMismatch?: boolean
}
