import type { ErrorCode } from '../errors/credsign-error.js'
import type { JwsAlgorithm } from '../keys/types.js'
import type { KeyResolver } from '../resolve/types.js'
import type { RelatedResourceOptions } from './related-resources.js'
import type { StatusListSource, StatusOutcome } from './status-list-source.js'
import type { TrustAnchors } from '../x509/trust-anchors.js'

/**
 * What `verify()` recognised. JOSE formats and `sd-jwt` come with the core; `data-integrity` is
 * handled when its handler is passed in `VerifyOptions.handlers`.
 */
export type VerificationFormat =
  | 'vc+jwt' // VC-JOSE-COSE: a VCDM 2.0 credential as the JWT payload
  | 'vp+jwt' // VC-JOSE-COSE: a VCDM 2.0 presentation as the JWT payload
  | 'vc-jwt' // VCDM 1.1 section 6.3.1: credential in the `vc` claim
  | 'vp-jwt' // VCDM 1.1 section 6.3.1: presentation in the `vp` claim
  | 'jwt' // any other JWT
  | 'jws' // a JWS (compact or JSON) whose payload is not a JWT
  | 'sd-jwt'
  | 'data-integrity'
  | 'unknown'

/** One check `verify()` ran, passed or not, in the order it ran. */
export interface VerificationCheck {
  /**
   * E.g. `format`, `algorithm`, `key`, `signature`, `issuer_binding`, `validity`, `audience`,
   * `nonce`, `credential`.
   */
  name: string
  passed: boolean
  /** A short human-readable note (never a secret). */
  detail?: string
}

/** A reason verification failed, with a stable code (see docs/errors.md). */
export interface VerificationIssue {
  code: ErrorCode
  message: string
  /** Where in the input, when useful (`verifiableCredential[1]`, `header.crit`). */
  path?: string
}

/**
 * The answer of `verify()`. `verified` is true exactly when `errors` is empty. `verify()` never
 * throws for bad input: every problem lands in `errors`.
 */
export interface VerificationResult {
  verified: boolean
  format: VerificationFormat
  /** The issuer (credentials) or holder (presentations) the signature was bound to. */
  issuer?: string
  /** The protected header of a JWS/JWT. */
  header?: Record<string, unknown>
  /** The JWT claims set or JWS payload (parsed JSON when it is JSON). */
  payload?: unknown
  /** The credential (VCDM 1.1 `vc` claim merged per the spec's mapping, or the VCDM 2.0 payload). */
  credential?: Record<string, unknown>
  /** The presentation, likewise. */
  presentation?: Record<string, unknown>
  /**
   * SD-JWT: the JSON paths of the claims that were selectively disclosed (`given_name`,
   * `address.street_address`, `nationalities[1]`).
   */
  disclosed?: string[]
  /** For presentations: the result for every embedded credential, in order. */
  credentials?: VerificationResult[]
  /** The key that verified the signature: its id and controller. */
  key?: { id: string; controller?: string }
  /**
   * The statuses read from the credential's status lists (only with `options.statusLists`), one per
   * `BitstringStatusListEntry` or `status.status_list` that could be checked.
   */
  status?: StatusOutcome[]
  checks: VerificationCheck[]
  errors: VerificationIssue[]
}

/** Options of `verify()`. */
export interface VerifyOptions {
  /** Where keys come from (default: did:key and did:jwk, offline). See `createResolver`. */
  resolver?: KeyResolver
  /**
   * Accepted JWS algorithms (default `JWS_ALGORITHMS`: every asymmetric one, EdDSA, Ed25519, ES256,
   * ES384, ES512, ESP256, ESP384, ESP512, ES256K, PS256, PS384, PS512, RS256, RS384, RS512; never
   * `none` or HMAC).
   */
  algorithms?: JwsAlgorithm[]
  /** The verifier's clock: epoch milliseconds, a Date, or a function returning epoch milliseconds. */
  now?: number | Date | (() => number)
  /** Allowed clock skew for time checks, in seconds (default 60). */
  clockToleranceSeconds?: number
  /**
   * This verifier's identifier, the expected audience (`aud` / `domain`): a presentation (or plain
   * JWT, or KB-JWT) must name it when given. Any JWT with `aud` (a credential too) must name it,
   * and is `audience_mismatch` without it (RFC 7519 section 4.1.3); a credential inside a
   * presentation is checked against it when it carries `aud`.
   */
  audience?: string
  /** Presentations: the expected nonce (`nonce` / `challenge`); required match when given. */
  nonce?: string
  /**
   * Require the key's controller to be the issuer (credentials) or holder (presentations). Default
   * true; conformance suites that sign with unrelated keys set false.
   */
  issuerBinding?: boolean
  /**
   * Check `exp` / `nbf` and `validFrom` / `validUntil` (`issuanceDate` / `expirationDate`) against
   * the clock (default true). `false` records the validity check as skipped: only for replaying
   * fixed vectors whose dates have passed; prefer a fixed `now` where the vector's time is known.
   */
  checkValidity?: boolean
  /** Whether to verify credentials embedded in a presentation (default true). */
  verifyEmbedded?: boolean
  /**
   * SD-JWT: `true` requires a key binding JWT even when the credential has no `cnf`; `false` lifts
   * the `cnf` rule (a KB-JWT present is still checked). Default: required exactly when the SD-JWT
   * carries `cnf`, or when `audience` or `nonce` is given (always, whatever this says).
   */
  requireKeyBinding?: boolean
  /** SD-JWT: how old a KB-JWT's `iat` may be, in seconds (default 300). */
  keyBindingMaxAgeSeconds?: number
  /** Extra format handlers (Data Integrity) tried after the built-in JOSE and SD-JWT ones. */
  handlers?: FormatHandler[]
  /**
   * The only JSON-LD context URLs the document (and each embedded credential) may name, for this
   * call, in every format (a `vc+jwt` or `vc+sd-jwt` credential's `@context` too); for Data
   * Integrity it replaces the handler's `allowedContexts`. Anything else, or an inline context, is
   * `context_not_allowed`. Default: for Data Integrity the handler's, else every context its
   * document loader knows; for the other formats no restriction.
   */
  allowedContexts?: readonly string[]
  /**
   * Where the resources of `relatedResource` entries come from, to check their digests (VCDM 2.0
   * section 5.3). Bundled contexts are always checked; nothing is fetched unless `load` is given. A
   * resource that cannot be dereferenced is a `related_resource_unchecked` check (an error only
   * with `required: true`); a digest that does not match is `related_resource_mismatch`.
   */
  relatedResources?: RelatedResourceOptions
  /**
   * Where the status lists a credential points to come from (`createStatusListResolver`). With it,
   * every `BitstringStatusListEntry` (`credentialStatus`, any W3C format) and `status.status_list`
   * (SD-JWT VC, JWT) is checked: the list's own signature, its issuer (the credential's), purpose,
   * length, validity and the value at the index; revoked is `status_revoked`, suspended
   * `status_suspended`, and a list that cannot be fetched or checked fails verification. Without it
   * nothing is fetched and each status is a visible `status_unchecked` check (not passed, not an
   * error).
   */
  statusLists?: StatusListSource
  /**
   * The CA certificates an issuer's `x5c` chain must lead to, made by `createTrustAnchors` (PEM,
   * DER or base64 DER). With them, a JWT, JWT credential or SD-JWT whose protected header carries
   * `x5c` is verified with the leaf certificate's key after RFC 5280 path validation at `now`
   * (signatures, validity, basicConstraints and pathLenConstraint, keyUsage, name constraints,
   * unknown critical extensions refused; the leaf not self-signed and no anchor inside x5c, as HAIP
   * requires), and the leaf's subjectAltName must name the issuer (`certificate_san_mismatch`).
   * Without them, `x5c` is never trusted on its own: a token that names its key only by `x5c` is
   * `trust_anchors_not_configured`. A leaf whose extKeyUsage lists only unrelated purposes
   * (serverAuth, …) is `certificate_extended_key_usage`. Certificate revocation (CRL, OCSP) is
   * checked only when the anchors were made with `revocation: { fetch }` (nothing is fetched
   * otherwise). See docs/x509.md.
   */
  trustAnchors?: TrustAnchors
  /**
   * `'haip'`: the OpenID4VC High Assurance Interoperability Profile 1.0 for presentations of SD-JWT
   * VCs: the format must be `dc+sd-jwt` (`haip_format`), the issuer key must come from `x5c`
   * (`haip_certificate_required`; pass `trustAnchors`), the issuer JWT and the KB-JWT must be
   * `ES256` (`haip_algorithm`), a KB-JWT with a `cnf.jwk` key is required
   * (`haip_key_binding_required`), and a `status` claim must hold a `status_list` reference
   * (`haip_status_invalid`). A format that has no such check is `expectation_unchecked`. See
   * docs/x509.md.
   */
  profile?: 'haip'
}

/**
 * A verifier for one family of formats, plugged into `verify()`. `credsign/data-integrity` exports
 * one; the SD-JWT one (`sdJwtHandler`) is built in.
 */
export interface FormatHandler {
  /** A short name for messages (`data-integrity`). */
  name: string
  /** Cheap structural test: does this handler understand `input`? Must not throw. */
  detect(input: unknown): boolean
  /**
   * Verifies `input`. Never throws for bad input (returns errors instead). `context.verify`
   * verifies an embedded credential with the same options and handlers.
   */
  verify(
    input: unknown,
    options: VerifyOptions,
    context: VerifyContext,
  ): Promise<VerificationResult>
}

/** What `verify()` hands to a {@link FormatHandler}. */
export interface VerifyContext {
  /** Verifies another input (an embedded credential) with the same options and handlers. */
  verify(input: unknown, options?: Partial<VerifyOptions>): Promise<VerificationResult>
}

/**
 * A check of a credential's status, run by a verifier on every verified result (embedded
 * credentials included): `statusListChecker` (W3C Bitstring Status List, IETF Token Status List),
 * which `verify()` always runs and `createVerifier` runs when given it. `verifyOther` verifies
 * another document (a status list credential) with the same verifier, one level deeper. Must not
 * throw for bad input; it may only add checks and errors (the verifier keeps `verified` false
 * whenever there is an error).
 *
 * @example
 *
 * ```ts
 * import { createVerifier, joseHandler, statusListChecker, type StatusChecker } from 'credsign'
 * const checkers: StatusChecker[] = [statusListChecker]
 * const verifyJwt = createVerifier({ handlers: [joseHandler], statusCheckers: checkers })
 * ```
 */
export type StatusChecker = (
  result: VerificationResult,
  options: VerifyOptions,
  verifyOther: (input: unknown, options: VerifyOptions) => Promise<VerificationResult>,
) => Promise<VerificationResult>
