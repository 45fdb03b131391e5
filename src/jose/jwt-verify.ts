import { CredsignError } from '../errors/credsign-error.js'
import { isOptionsObject, parseJsonObject } from './json.js'
import { checkJwtTimes } from './jwt-times.js'
import { jwsLimits } from './parse.js'
import { expectedTyp, typMatches } from './typ.js'
import type { JwtClaims, JwtVerifyOptions, VerifiedJwt } from './types.js'
import { verifyJwsWith } from './verify-jws.js'

/**
 * Verifies a JWT (RFC 7519, compact serialization only) and its claims. The JWS is checked as in
 * `verifyJws` (same options, same codes); then:
 *
 * - `typ` (when `options.typ` is given): compared case-insensitively, `application/` ignored; absent
 *   or different: `typ_mismatch`. Checked before any key is resolved.
 * - The payload must be a UTF-8 JSON object without duplicate claim names: else `malformed`.
 * - `iss`, `sub`, `jti`, `nonce` must be strings and `aud` a string or an array of strings, when
 *   present: else `claim_invalid`. `requiredClaims` missing: `claim_invalid`.
 * - Times (unless `checkTimes: false`), see `checkJwtTimes`: `expired`, `not_yet_valid`,
 *   `claim_invalid` for a non-numeric `exp`/`nbf`/`iat`.
 * - `issuer` ≠ `iss`: `issuer_mismatch`; `subject` ≠ `sub`: `claim_invalid`; none of `audience` in
 *   `aud`: `audience_mismatch`; `nonce` ≠ `nonce`: `nonce_mismatch`. A missing claim never
 *   matches.
 *
 * @example
 *
 * ```ts
 * import { verifyJwt } from 'credsign'
 * declare const jwt: string, issuerJwks: { keys: import('credsign').PublicJwk[] }
 * const { payload } = await verifyJwt(jwt, {
 *   jwks: issuerJwks,
 *   typ: 'at+jwt',
 *   issuer: 'https://as.example',
 *   audience: 'https://api.example',
 *   requiredClaims: ['exp', 'jti'],
 * })
 * payload.sub // 'alice'
 * ```
 */
export async function verifyJwt(jwt: string, options: JwtVerifyOptions = {}): Promise<VerifiedJwt> {
  if (!isOptionsObject(options))
    throw new CredsignError('invalid_argument', 'options must be an object')
  const typ = expectedTyp(options.typ)
  for (const name of ['issuer', 'subject', 'nonce'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'string')
      throw new CredsignError('invalid_argument', `${name} must be a string`)
  }
  const audience =
    options.audience === undefined
      ? undefined
      : typeof options.audience === 'string'
        ? [options.audience]
        : options.audience
  if (
    audience !== undefined &&
    (!Array.isArray(audience) ||
      audience.length === 0 ||
      audience.some((entry) => typeof entry !== 'string'))
  ) {
    throw new CredsignError(
      'invalid_argument',
      'audience must be a string or a non-empty array of strings',
    )
  }
  const required = options.requiredClaims ?? []
  if (!Array.isArray(required) || required.some((name) => typeof name !== 'string'))
    throw new CredsignError('invalid_argument', 'requiredClaims must be an array of claim names')
  if (options.checkTimes !== undefined && typeof options.checkTimes !== 'boolean')
    throw new CredsignError('invalid_argument', 'checkTimes must be a boolean')

  // RFC 7519 section 7.2: a JWT is a compact JWS. JSON serializations are for verifyJws.
  if (typeof jwt !== 'string') throw new CredsignError('malformed', 'a JWT is a string')
  if (jwt.trimStart().startsWith('{'))
    throw new CredsignError('malformed', 'a JWT uses the compact serialization')

  const verified = await verifyJwsWith(jwt, options, (header) => {
    if (typ !== undefined && !typMatches(header.typ, typ)) {
      throw new CredsignError(
        'typ_mismatch',
        header.typ === undefined
          ? 'the JWT has no typ'
          : `typ ${JSON.stringify(String(header.typ).slice(0, 40))} is not ${typ.join(' or ')}`,
      )
    }
  })
  const claims = parseJsonObject(
    verified.payload,
    'the JWT claims set',
    jwsLimits(options).maxJsonDepth,
  ) as JwtClaims

  for (const name of ['iss', 'sub', 'jti', 'nonce'] as const) {
    if (claims[name] !== undefined && typeof claims[name] !== 'string')
      throw new CredsignError('claim_invalid', `${name} must be a string`)
  }
  const aud = claims.aud
  if (
    aud !== undefined &&
    typeof aud !== 'string' &&
    !(Array.isArray(aud) && aud.every((entry) => typeof entry === 'string'))
  ) {
    throw new CredsignError('claim_invalid', 'aud must be a string or an array of strings')
  }
  for (const name of required) {
    if (claims[name] === undefined)
      throw new CredsignError(
        'claim_invalid',
        `the JWT has no ${JSON.stringify(name.slice(0, 40))} claim`,
      )
  }
  if (options.checkTimes !== false) checkJwtTimes(claims, options)
  if (options.issuer !== undefined && claims.iss !== options.issuer)
    throw new CredsignError('issuer_mismatch', 'iss is not the expected issuer')
  if (options.subject !== undefined && claims.sub !== options.subject)
    throw new CredsignError('claim_invalid', 'sub is not the expected subject')
  if (audience !== undefined) {
    const tokenAudience = aud === undefined ? [] : typeof aud === 'string' ? [aud] : aud
    if (!tokenAudience.some((entry) => audience.includes(entry)))
      throw new CredsignError('audience_mismatch', 'aud does not name this audience')
  }
  if (options.nonce !== undefined && claims.nonce !== options.nonce)
    throw new CredsignError('nonce_mismatch', 'nonce is not the expected nonce')
  return { payload: claims, protectedHeader: verified.protectedHeader, key: verified.key }
}
