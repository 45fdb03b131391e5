import { CredsignError } from '../errors/credsign-error.js'
import type { JwtClaims, JwtTimeOptions } from './types.js'

/** Default allowed clock skew, in seconds. */
const DEFAULT_TOLERANCE_SECONDS = 60

/**
 * The verifier's clock in epoch milliseconds from a `now` option: a number (epoch ms), a Date, a
 * function returning epoch ms, or `undefined` for `Date.now()`. Anything that is not a finite time
 * is `invalid_argument`.
 *
 * @example
 *
 * ```ts
 * import { epochMilliseconds } from 'credsign'
 * epochMilliseconds(new Date('2030-01-01T00:00:00Z')) // 1893456000000
 * ```
 */
export function epochMilliseconds(now: number | Date | (() => number) | undefined): number {
  const value =
    now === undefined
      ? Date.now()
      : typeof now === 'function'
        ? now()
        : now instanceof Date
          ? now.getTime()
          : now
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new CredsignError(
      'invalid_argument',
      'now must be epoch milliseconds, a Date or a function returning epoch milliseconds',
    )
  return value
}

/**
 * Applies the RFC 7519 time claims of a JWT claims set against a clock, with a tolerance for clock
 * skew (default 60 s). `verifyJwt` calls it; it is exported for callers with their own claim policy
 * (the VC layer, which must accept the W3C suite's string `iat`).
 *
 * - `exp` (RFC 7519 section 4.1.4): refused on or after `exp` + tolerance: `expired`.
 * - `nbf` (section 4.1.5): refused before `nbf` - tolerance: `not_yet_valid`.
 * - `iat` (section 4.1.6): after now + tolerance: `not_yet_valid` (a token from the future); with
 *   `maxAgeSeconds`, older than that + tolerance: `expired`, and a missing `iat` is
 *   `claim_invalid`.
 * - Each present time claim must be a finite number (NumericDate, fractions allowed):
 *   `claim_invalid`, except that `nonNumericIat: 'ignore'` treats a non-number `iat` as absent.
 *
 * @example
 *
 * ```ts
 * import { checkJwtTimes } from 'credsign'
 * const now = Date.UTC(2030, 0, 1)
 * checkJwtTimes({ iat: now / 1000 - 10, exp: now / 1000 + 300 }, { now }) // passes
 * checkJwtTimes({ exp: now / 1000 - 120 }, { now }) // throws CredsignError expired
 * checkJwtTimes({ iat: '2010-01-01T19:23:24Z' }, { now, nonNumericIat: 'ignore' }) // passes
 * ```
 */
export function checkJwtTimes(
  claims: JwtClaims | Record<string, unknown>,
  options: JwtTimeOptions = {},
): void {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    throw new CredsignError('invalid_argument', 'claims must be an object')
  if (typeof options !== 'object' || options === null)
    throw new CredsignError('invalid_argument', 'options must be an object')
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new CredsignError(
      'invalid_argument',
      'clockToleranceSeconds must be a non-negative number',
    )
  }
  const maxAge = options.maxAgeSeconds
  if (
    maxAge !== undefined &&
    (typeof maxAge !== 'number' || !Number.isFinite(maxAge) || maxAge < 0)
  ) {
    throw new CredsignError('invalid_argument', 'maxAgeSeconds must be a non-negative number')
  }
  const nonNumericIat = options.nonNumericIat ?? 'reject'
  if (nonNumericIat !== 'reject' && nonNumericIat !== 'ignore')
    throw new CredsignError('invalid_argument', 'nonNumericIat must be reject or ignore')
  const now = epochMilliseconds(options.now) / 1000

  const exp = numericDate(claims, 'exp')
  const nbf = numericDate(claims, 'nbf')
  let iat: number | undefined
  if (nonNumericIat === 'ignore') {
    const value = (claims as Record<string, unknown>).iat
    iat =
      typeof value === 'number' && Number.isFinite(value) ? numericDate(claims, 'iat') : undefined
  } else {
    iat = numericDate(claims, 'iat')
  }

  if (exp !== undefined && now >= exp + tolerance)
    throw new CredsignError('expired', 'the token has expired (exp)')
  if (nbf !== undefined && now < nbf - tolerance)
    throw new CredsignError('not_yet_valid', 'the token is not valid yet (nbf)')
  if (iat !== undefined && now < iat - tolerance)
    throw new CredsignError('not_yet_valid', 'the token was issued in the future (iat)')
  if (maxAge !== undefined) {
    if (iat === undefined)
      throw new CredsignError('claim_invalid', 'maxAgeSeconds needs a numeric iat claim')
    if (now > iat + maxAge + tolerance)
      throw new CredsignError('expired', 'the token is older than maxAgeSeconds (iat)')
  }
}

/**
 * Largest NumericDate credsign accepts, in seconds: the range of an ECMAScript Date (±8.64e15 ms,
 * about ±275,760 years). A time beyond it names no instant any consumer can represent (`new
 * Date(exp * 1000)` is Invalid Date, `toISOString()` throws), so it is refused rather than
 * compared.
 */
const MAX_NUMERIC_DATE = 8.64e12

/** A NumericDate claim: absent, or a finite number within the Date range (RFC 7519 section 2). */
function numericDate(claims: object, name: 'exp' | 'nbf' | 'iat'): number | undefined {
  const value = (claims as Record<string, unknown>)[name]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new CredsignError(
      'claim_invalid',
      `${name} must be a NumericDate (seconds since the epoch)`,
    )
  if (Math.abs(value) > MAX_NUMERIC_DATE)
    throw new CredsignError(
      'claim_invalid',
      `${name} is outside the range of dates (±${MAX_NUMERIC_DATE} seconds)`,
    )
  return value
}
