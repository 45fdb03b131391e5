import { CredsignError } from '../errors/credsign-error.js'

/**
 * Longest key id accepted, in characters. Long enough for DID URLs, short enough for any index.
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

// The character set is what DID URLs and vault names need (`did:web:example.com%3A8443#key-1`),
// and nothing that means something to a file system, a shell, SQL LIKE or a URL path segment
// separator, so stores can use ids without escaping ambiguities.
const KEY_ID_PATTERN = /^[A-Za-z0-9\-_:.#%]+$/

/**
 * How much of a rejected id an error message shows: enough to recognise it, never a 10,000-char
 * blob.
 */
const SHOWN_PREFIX = 40

/**
 * Whether `id` is a valid key id: 1 to 500 characters out of letters, digits and `-_:.#%`.
 *
 * @example
 *
 * ```ts
 * import { isValidKeyId } from 'credsign'
 * isValidKeyId('did:web:issuer.example#key-1') // true
 * isValidKeyId('../etc/passwd') // false
 * ```
 */
export function isValidKeyId(id: unknown): id is string {
  return (
    typeof id === 'string' &&
    id.length >= 1 &&
    id.length <= MAX_KEY_ID_LENGTH &&
    KEY_ID_PATTERN.test(id)
  )
}

/**
 * Throws `invalid_key_id` unless `id` is 1 to 500 characters out of letters, digits and `-_:.#%`.
 * The message shows at most the first 40 characters of the id, so a hostile id cannot flood logs.
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
export function validateKeyId(id: unknown): asserts id is string {
  if (isValidKeyId(id)) return
  throw new CredsignError(
    'invalid_key_id',
    `invalid key id ${describeKeyId(id)}: use 1 to ${MAX_KEY_ID_LENGTH} characters out of A-Z a-z 0-9 - _ : . # %`,
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
