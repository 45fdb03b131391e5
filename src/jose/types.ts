import type { JwsAlgorithm, PublicJwk, Signer } from '../keys/types.js'
import type { KeyResolver, ResolvedKey } from '../resolve/types.js'

/** A JOSE header (RFC 7515 section 4). Extra members are allowed and signed as given. */
export interface JoseHeader {
  alg?: JwsAlgorithm | string
  typ?: string
  cty?: string
  kid?: string
  jwk?: PublicJwk
  crit?: string[]
  [member: string]: unknown
}

/** A JWS in flattened JSON serialization (RFC 7515 section 7.2.2). */
export interface FlattenedJws {
  payload: string
  protected?: string
  header?: JoseHeader
  signature: string
}

/**
 * A JWS in general JSON serialization (RFC 7515 section 7.2.1): several signatures over one
 * payload.
 */
export interface GeneralJws {
  payload: string
  signatures: { protected?: string; header?: JoseHeader; signature: string }[]
}

/** How to sign one signature of a JWS. */
export interface JwsSignatureInput {
  signer: Signer
  /**
   * Protected header members. `alg` is set from the signer (and must match if given); `kid`
   * defaults to `signer.id` unless `kid: undefined`-style control is needed via `includeKid:
   * false`.
   */
  protectedHeader?: JoseHeader
  /** Unprotected header members (JSON serializations only). */
  unprotectedHeader?: JoseHeader
  /** Put `kid: signer.id` in the protected header when none is given (default true). */
  includeKid?: boolean
  /**
   * Which name to use for Ed25519: `EdDSA` (default, most verifiers) or the fully-specified
   * `Ed25519`.
   */
  ed25519Name?: 'EdDSA' | 'Ed25519'
  /**
   * `true`: the RFC 9864 fully-specified names `Ed25519`, `ESP256`, `ESP384`, `ESP512` for Ed25519,
   * P-256, P-384 and P-521 keys (default `false`: `EdDSA`, `ES256`, `ES384`, `ES512`).
   */
  fullySpecified?: boolean
}

/** Options shared by JWS verification. */
export interface JwsVerifyOptions {
  /** Resolves `kid` to a key (default: did:key and did:jwk, offline). */
  resolver?: KeyResolver
  /** Verify with this key instead of resolving `kid`. */
  key?: PublicJwk
  /**
   * Accepted algorithms (default: all asymmetric algorithms credsign signs with). `none` and HMAC
   * are never accepted.
   */
  algorithms?: JwsAlgorithm[]
  /** Header parameters this caller understands when they appear in `crit` (RFC 7515 section 4.1.11). */
  crit?: string[]
  /**
   * Accept a key embedded in the header (`jwk`) when there is no `kid` or resolver match (default
   * false).
   */
  allowEmbeddedJwk?: boolean
  /**
   * Verify with a key of this JWK Set instead of resolving `kid`: the key whose `kid` equals the
   * header's `kid`, or, when the header has no `kid`, every key whose type fits `alg` in turn. Keys
   * with `use` other than `sig`, `key_ops` without `verify`, or an `alg` other than the header's
   * are never used. Give at most one of `key`, `jwks` and `resolver`.
   */
  jwks?: { keys: PublicJwk[] }
  /**
   * Longest input accepted, in characters of the serialization (default 1 MiB). Longer:
   * `malformed`.
   */
  maxInputBytes?: number
  /** Largest JOSE header, protected (decoded) or unprotected (as JSON), in bytes (default 8 KiB). */
  maxHeaderBytes?: number
  /** Largest decoded payload in bytes (default 1 MiB). */
  maxPayloadBytes?: number
  /** Most signatures a general JSON JWS may carry (default 10): each may cost a key resolution. */
  maxSignatures?: number
  /** Deepest nesting of arrays and objects in any JSON credsign parses for this call (default 64). */
  maxJsonDepth?: number
}

/** What a successful JWS verification yields. */
export interface VerifiedJws {
  payload: Uint8Array
  protectedHeader: JoseHeader
  unprotectedHeader?: JoseHeader
  /** The key that verified (for general JSON: the first signature that verified). */
  key: ResolvedKey
}

/** Registered JWT claims plus anything else (RFC 7519). Times are NumericDate seconds. */
export interface JwtClaims {
  iss?: string
  sub?: string
  aud?: string | string[]
  exp?: number
  nbf?: number
  iat?: number
  jti?: string
  nonce?: string
  [claim: string]: unknown
}

/** Options of JWT signing. */
export interface JwtSignOptions extends Omit<JwsSignatureInput, 'signer' | 'unprotectedHeader'> {
  /** `typ` header (e.g. `vc+jwt`, `oauth-authz-req+jwt`, `at+jwt`). */
  typ?: string
  /** Set `iat` to now (true, default) or to this NumericDate. */
  issuedAt?: boolean | number
  /** Set `exp` to `iat` + this many seconds. */
  expiresIn?: number
  /** Set `nbf`: a NumericDate. */
  notBefore?: number
  /** Set `jti`: a random UUID (true) or this value. */
  jwtId?: boolean | string
  /** Clock for `iat`, epoch milliseconds (default Date.now). */
  now?: () => number
}

/**
 * The time policy of JWT claims (RFC 7519 sections 4.1.4-4.1.6), shared by `verifyJwt` and
 * `checkJwtTimes`.
 */
export interface JwtTimeOptions {
  /** Verifier clock: epoch ms, Date, or a function returning epoch ms (default Date.now). */
  now?: number | Date | (() => number)
  /** Allowed clock skew in seconds (default 60). */
  clockToleranceSeconds?: number
  /** Reject tokens whose `iat` is older than this many seconds (`iat` then becomes required). */
  maxAgeSeconds?: number
  /**
   * What an `iat` that is not a NumericDate means: `reject` (`claim_invalid`, the default) or
   * `ignore` (treated as absent; the W3C VC-JOSE-COSE suite sends `iat` as an ISO date string).
   * `exp` and `nbf` must always be numbers.
   */
  nonNumericIat?: 'reject' | 'ignore'
}

/** Options of JWT verification. */
export interface JwtVerifyOptions extends JwsVerifyOptions, JwtTimeOptions {
  /**
   * Required `typ` (compared case-insensitively, `application/` prefix ignored, RFC 7515 section
   * 4.1.9).
   */
  typ?: string | string[]
  issuer?: string
  audience?: string | string[]
  subject?: string
  nonce?: string
  /** Claims that must be present. */
  requiredClaims?: string[]
  /**
   * Check `exp`, `nbf` and `iat` (default true). `false` leaves every time claim unchecked, for
   * callers (the VC layer) that apply their own policy, e.g. with `checkJwtTimes`.
   */
  checkTimes?: boolean
}

/** A verified JWT. */
export interface VerifiedJwt {
  payload: JwtClaims
  protectedHeader: JoseHeader
  key: ResolvedKey
}
