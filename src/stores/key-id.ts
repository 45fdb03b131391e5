import { CredsignError } from '../errors/credsign-error.js'

/**
 * Longest key id accepted by default, in characters. Long enough for DID URLs, short enough for any
 * index. A store made with `maxKeyIdLength` (up to {@link LONG_KEY_ID_LENGTH}) accepts longer ones.
 *
 * @example
 *
 * ```ts
 * import { MAX_KEY_ID_LENGTH, isValidKeyId } from 'credsign'
 * isValidKeyId('k'.repeat(MAX_KEY_ID_LENGTH)) // true
 * isValidKeyId('k'.repeat(MAX_KEY_ID_LENGTH + 1)) // false
 * ```
 */
export const MAX_KEY_ID_LENGTH = 500

/**
 * Longest key id any store can be configured to accept (`maxKeyIdLength`), in characters: what the
 * EECC key service made of an RSA-4096 key generated for an identifier without a fragment
 * (`identifier#<publicKeyMultibase>`, about 1,250 characters), with room to spare, and still within
 * PostgreSQL's index entry limit (ids are ASCII).
 *
 * @example
 *
 * ```ts
 * import { LONG_KEY_ID_LENGTH, isValidKeyId } from 'credsign'
 * isValidKeyId('k'.repeat(1_000), LONG_KEY_ID_LENGTH) // true
 * ```
 */
export const LONG_KEY_ID_LENGTH = 2048

// The character set is what DID URLs (`did:web:example.com%3A8443#key-1`) and eVault eNames
// (`@user.w3id#device-1`, `@e4d909c2-…`) use: RFC 3986 unreserved characters, `:#%@`, and `+=`.
// Nothing that means something to a file system, a shell, SQL or a URL path (`/ ? $ ; ' " *` and
// white space stay out), so stores and logs never need to escape an id.
const KEY_ID_PATTERN = /^[A-Za-z0-9\-_:.#%@~+=]+$/
/** The characters of {@link KEY_ID_PATTERN}, for messages. */
const KEY_ID_CHARACTERS = 'A-Z a-z 0-9 - _ : . # % @ ~ + ='

/**
 * How much of a rejected id an error message shows: enough to recognise it, never a 10,000-char
 * blob.
 */
const SHOWN_PREFIX = 40

/**
 * Whether `id` is a valid key id: 1 to `maxLength` (default 500) characters out of letters, digits
 * and `-_:.#%@~+=` (the characters of DID URLs and eNames).
 *
 * @example
 *
 * ```ts
 * import { isValidKeyId } from 'credsign'
 * isValidKeyId('did:web:issuer.example#key-1') // true
 * isValidKeyId('@user.w3id#device-1') // true
 * isValidKeyId('has space') // false
 * ```
 */
export function isValidKeyId(id: unknown, maxLength: number = MAX_KEY_ID_LENGTH): id is string {
  return (
    typeof id === 'string' &&
    id.length >= 1 &&
    id.length <= Math.min(maxLength, LONG_KEY_ID_LENGTH) &&
    KEY_ID_PATTERN.test(id)
  )
}

/**
 * A store's `maxKeyIdLength` option checked: the default {@link MAX_KEY_ID_LENGTH} when absent, else
 * an integer from 1 to {@link LONG_KEY_ID_LENGTH} (`invalid_argument` otherwise).
 *
 * @example
 *
 * ```ts
 * import { resolveMaxKeyIdLength } from './key-id.js'
 * resolveMaxKeyIdLength(undefined) // 500
 * ```
 *
 * @internal
 */
export function resolveMaxKeyIdLength(value: unknown): number {
  if (value === undefined) return MAX_KEY_ID_LENGTH
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < 1 ||
    value > LONG_KEY_ID_LENGTH
  )
    throw new CredsignError(
      'invalid_argument',
      `maxKeyIdLength must be an integer from 1 to ${LONG_KEY_ID_LENGTH}`,
    )
  return value
}

/**
 * Throws `invalid_key_id` unless `id` is 1 to `maxLength` (default 500) characters out of letters,
 * digits and `-_:.#%@~+=`. The message shows at most the first 40 characters of the id, so a
 * hostile id cannot flood logs.
 *
 * @example
 *
 * ```ts
 * import { CredsignError, validateKeyId } from 'credsign'
 * validateKeyId('did:web:issuer.example#key-1') // passes
 * try {
 *   validateKeyId('has space')
 * } catch (error) {
 *   console.log(CredsignError.is(error, 'invalid_key_id')) // true
 * }
 * ```
 */
export function validateKeyId(
  id: unknown,
  maxLength: number = MAX_KEY_ID_LENGTH,
): asserts id is string {
  if (isValidKeyId(id, maxLength)) return
  throw new CredsignError(
    'invalid_key_id',
    `invalid key id ${describeKeyId(id)}: use 1 to ${Math.min(maxLength, LONG_KEY_ID_LENGTH)} characters out of ${KEY_ID_CHARACTERS}`,
  )
}

/**
 * A short, printable description of a (possibly invalid) id for error messages: quoted, escaped,
 * and cut to 40 characters.
 *
 * @example
 *
 * ```ts
 * import { describeKeyId } from './key-id.js'
 * describeKeyId('k'.repeat(10_000)) // '"' + 'k'.repeat(40) + '"... (10000 characters)'
 * ```
 *
 * @internal
 */
export function describeKeyId(id: unknown): string {
  if (typeof id !== 'string') return `(a ${id === null ? 'null' : typeof id}, not a string)`
  if (id.length === 0) return '(empty)'
  // JSON.stringify escapes control characters so the message stays on one line.
  if (id.length <= SHOWN_PREFIX) return JSON.stringify(id)
  return `${JSON.stringify(id.slice(0, SHOWN_PREFIX))}... (${id.length} characters)`
}
