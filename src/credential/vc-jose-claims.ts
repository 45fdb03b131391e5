// The registered JWT claims of a VC-JOSE-COSE payload (a `vc+jwt` or `vc+sd-jwt` credential is its
// own claims set): derived from the document and the signing options, added without ever replacing
// a member the document already has. Shared by the JWT and SD-JWT formats.
import { CredsignError } from '../errors/credsign-error.js'
import { numericDateOf } from './date-time.js'
import type { JsonObject, ValidationProblem, VcVersion } from './types.js'
import { idOf } from './validate-shared.js'

/** The signing options the time claims come from (JWT and SD-JWT signers alike). */
export interface TimeClaimOptions {
  /** `iat`: `true` (now, the default), `false` (none) or a NumericDate. */
  issuedAt?: boolean | number
  /** Seconds from `iat` (or now) to `exp`. */
  expiresIn?: number
  /** The clock, epoch milliseconds (default `Date.now`). */
  now?: () => number
}

/** VC-JOSE-COSE payloads are the document itself: a `vc` or `vp` claim in one is refused. */
export function refuseJwtClaimsIn20(document: JsonObject, encoding: VcVersion): void {
  if (encoding === '2.0' && (document.vc !== undefined || document.vp !== undefined)) {
    throw new CredsignError(
      'credential_invalid',
      `${document.vc !== undefined ? 'vc' : 'vp'}: VC-JOSE-COSE forbids the vc and vp claims`,
    )
  }
}

/** `iat` and the `exp` that `expiresIn` asks for, as NumericDates. */
export function timeClaims(options: TimeClaimOptions): { iat?: number; exp?: number; now: number } {
  const now = options.now === undefined ? Date.now() : options.now()
  if (!Number.isFinite(now))
    throw new CredsignError('invalid_argument', 'now() must return epoch milliseconds')
  const nowSeconds = Math.floor(now / 1000)
  const out: { iat?: number; exp?: number; now: number } = { now }
  const issuedAt = options.issuedAt ?? true
  if (issuedAt === true) out.iat = nowSeconds
  else if (typeof issuedAt === 'number') {
    if (!Number.isFinite(issuedAt) || issuedAt < 0)
      throw new CredsignError('invalid_argument', 'issuedAt must be a NumericDate (seconds)')
    out.iat = Math.floor(issuedAt)
  } else if (issuedAt !== false) {
    throw new CredsignError('invalid_argument', 'issuedAt must be a boolean or a NumericDate')
  }
  if (options.expiresIn !== undefined) {
    if (!Number.isFinite(options.expiresIn) || options.expiresIn <= 0)
      throw new CredsignError('invalid_argument', 'expiresIn must be a positive number of seconds')
    out.exp = (out.iat ?? nowSeconds) + Math.floor(options.expiresIn)
  }
  return out
}

/**
 * The registered claims a VC-JOSE-COSE payload (`vc+jwt`, `vc+sd-jwt`) gets from its credential:
 * `iss`, `iat`, and, with `validity` (the default), `nbf` from `validFrom` and `exp` from
 * `validUntil` (the earlier of that and the `expiresIn` one). Added with {@link addClaims}, so a
 * credential member that contradicts one is `credential_invalid`. @internal
 */
export function addVcJoseClaims(
  document: JsonObject,
  issuer: string | undefined,
  times: { iat?: number; exp?: number },
  validity: boolean,
): void {
  addClaims(document, {
    iss: issuer,
    iat: times.iat,
    nbf: validity ? numericDateOf(document.validFrom) : undefined,
    exp: earlier(times.exp, validity ? numericDateOf(document.validUntil) : undefined),
  })
}

/** The earlier of two optional NumericDates. */
export function earlier(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return Math.min(a, b)
}

/**
 * Adds `claims` to `payload` without ever replacing a member: a member that is already there with
 * another value is `credential_invalid` (2.0: the payload is the document, so a credential member
 * named `iss` or `exp` that disagrees with what credsign derives is a contradiction, not something
 * to overwrite quietly).
 */
export function addClaims(payload: JsonObject, claims: JsonObject): void {
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) continue
    if (name in payload && JSON.stringify(payload[name]) !== JSON.stringify(value)) {
      throw new CredsignError(
        'credential_invalid',
        `${name}: the document has a member ${name} that contradicts the ${name} claim credsign derives`,
      )
    }
    payload[name] = value
  }
}

/**
 * The document of a secured credential or presentation and what did not add up while extracting it.
 *
 * @internal
 */
export interface ExtractedDocument {
  kind: 'credential' | 'presentation'
  document: JsonObject
  /**
   * Data model problems found by the encoding rules (VC-JOSE-COSE forbids `vc`/`vp`):
   * `credential_invalid`.
   */
  modelProblems: ValidationProblem[]
  /** Claims that contradict the document or are not of their type: `claim_invalid`. */
  claimProblems: ValidationProblem[]
}

/**
 * A VC-JOSE-COSE payload (`vc+jwt`, `vp+jwt`, `vc+sd-jwt`, `vp+sd-jwt`) is the document itself:
 * `vc` / `vp` claims are data model problems, and `iss` must name the issuer (holder). `format`
 * only words the messages. @internal
 */
export function extractVcJosePayload(
  kind: 'credential' | 'presentation',
  payload: JsonObject,
  format: string,
): ExtractedDocument {
  const modelProblems: ValidationProblem[] = []
  for (const claim of ['vc', 'vp']) {
    if (payload[claim] !== undefined)
      modelProblems.push({
        path: claim,
        message: `VC-JOSE-COSE forbids the ${claim} claim: a ${format} payload is the ${kind} itself`,
      })
  }
  const claimProblems: ValidationProblem[] = []
  // VC-JOSE-COSE recommends that iss and issuer (holder) agree. When they do not, which one is
  // "the issuer" would depend on who reads the token: refuse rather than pick.
  const party = kind === 'credential' ? idOf(payload.issuer) : idOf(payload.holder)
  if (
    payload.iss !== undefined &&
    (typeof payload.iss !== 'string' || (party !== undefined && payload.iss !== party))
  ) {
    claimProblems.push({
      path: 'iss',
      message: `iss must name the same ${kind === 'credential' ? 'issuer' : 'holder'} as the ${kind}`,
    })
  }
  return { kind, document: payload, modelProblems, claimProblems }
}

/**
 * Why an `iss` in a JOSE header (protected or unprotected) contradicts the token, or undefined: it
 * is not a string, or names another party than the `iss` claim or the issuer (holder) the token is
 * bound to. VC-JOSE-COSE (Key Discovery, `iss`): an `iss` present in the JOSE header or the claims
 * MUST match `issuer`; RFC 7519 section 5.3: a claim replicated in the header is the claim.
 * Ignoring it would let a token name one issuer to whoever reads the header and another to whoever
 * reads the claims. Shared by the JWT and SD-JWT formats. @internal
 */
export function headerIssProblem(
  headers: readonly (Readonly<Record<string, unknown>> | undefined)[],
  payload: JsonObject,
  party: string | undefined,
): ValidationProblem | undefined {
  for (const header of headers) {
    if (header === undefined || !Object.hasOwn(header, 'iss')) continue
    const iss = header.iss
    if (
      typeof iss !== 'string' ||
      (payload.iss !== undefined && iss !== payload.iss) ||
      (party !== undefined && iss !== party)
    )
      return {
        path: 'header.iss',
        message: 'the header iss must name the same issuer as the token',
      }
  }
  return undefined
}
