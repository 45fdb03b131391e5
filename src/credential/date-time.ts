// XML Schema 1.1 dateTime (VCDM 1.1 `issuanceDate`, `expirationDate`) and dateTimeStamp (VCDM 2.0
// `validFrom`, `validUntil`: the same with a mandatory time-zone offset). Written out instead of
// Date.parse because Date.parse accepts far more than XSD does ("01/01/2010", RFC 2822 strings)
// and its result for strings without an offset depends on the runtime's local zone.
import { CredsignError } from '../errors/credsign-error.js'
import { Lru } from '../util/lru.js'

const DATE_TIME =
  /^(-?(?:[1-9][0-9]{3,}|0[0-9]{3}))-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(?:([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(\.[0-9]+)?|(24):00:00(?:\.0+)?)(Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$/

/**
 * Parses an XML Schema dateTime and returns epoch milliseconds, or `undefined` when `value` is not
 * one (wrong syntax, a day the month does not have, a missing offset when `requireOffset`, or a
 * year outside what ECMAScript dates hold). A value without an offset is read as UTC, which is what
 * VCDM 1.1 implementations do in practice.
 *
 * @example
 *
 * ```ts
 * parseDateTime('2010-01-01T19:23:24Z') // 1262373804000
 * parseDateTime('2010-01-01T19:23:24', { requireOffset: true }) // undefined
 * ```
 */
export function parseDateTime(
  value: unknown,
  options: { requireOffset?: boolean } = {},
): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined
  // A pure function of the string: signing and verifying read the same validFrom several times.
  const id = options.requireOffset ? `o${value}` : `-${value}`
  const known = parsedDateTimes.get(id)
  if (known !== undefined) return Number.isNaN(known) ? undefined : known
  const time = parseUncached(value, Boolean(options.requireOffset))
  parsedDateTimes.set(id, time ?? Number.NaN)
  return time
}

/** Results of {@link parseDateTime} (the last 1,000 strings); NaN for no date. */
const parsedDateTimes = new Lru<string, number>(1000)

function parseUncached(value: string, requireOffset: boolean): number | undefined {
  const m = DATE_TIME.exec(value)
  if (!m) return undefined
  const [
    ,
    yearText,
    monthText,
    dayText,
    hourText,
    minuteText,
    secondText,
    fraction,
    midnight,
    offset,
  ] = m
  if (requireOffset && offset === undefined) return undefined
  const year = Number(yearText)
  const month = Number(monthText)
  const day = Number(dayText)
  if (day > daysInMonth(year, month)) return undefined
  const date = new Date(0)
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 onto 1900-1999.
  date.setUTCFullYear(year, month - 1, day)
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0${fraction}`) * 1000)
  if (midnight !== undefined) date.setUTCHours(24, 0, 0, 0)
  else date.setUTCHours(Number(hourText), Number(minuteText), Number(secondText), millis)
  let time = date.getTime()
  if (offset !== undefined && offset !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1
    time -= sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000
  }
  return Number.isFinite(time) && Math.abs(time) <= 8.64e15 ? time : undefined
}

/**
 * A NumericDate (seconds since the epoch, RFC 7519) as an XML Schema dateTimeStamp in UTC, with no
 * fractional part: `1262373804` → `2010-01-01T19:23:24Z`. This is the VCDM 1.1 decoding rule for
 * `nbf` and `exp`.
 *
 * @example
 *
 * ```ts
 * numericDateToDateTime(1262373804) // '2010-01-01T19:23:24Z'
 * ```
 */
export function numericDateToDateTime(seconds: number): string {
  const date = new Date(Math.floor(seconds) * 1000)
  // Outside the Date range (±8.64e15 ms) toISOString() throws a RangeError: a claim, not a crash.
  if (!Number.isFinite(date.getTime()))
    throw new CredsignError('claim_invalid', 'the NumericDate is outside the range of dates')
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/**
 * Whether `value` is a JWT NumericDate: a finite JSON number (RFC 7519 section 2; fractions
 * allowed).
 *
 * @example
 *
 * ```ts
 * isNumericDate(1262373804) // true
 * isNumericDate('2010-01-01T19:23:24Z') // false
 * ```
 */
export function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/**
 * The NumericDate (whole seconds, rounded down) of an XML Schema dateTime, or `undefined` when
 * `value` is absent or not one. Used for `nbf` / `exp` derived from `validFrom` / `validUntil`.
 *
 * @example
 *
 * ```ts
 * numericDateOf('2010-01-01T19:23:24.9Z') // 1262373804
 * ```
 */
export function numericDateOf(value: unknown): number | undefined {
  const time = parseDateTime(value)
  return time === undefined ? undefined : Math.floor(time / 1000)
}
