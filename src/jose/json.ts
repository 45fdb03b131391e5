import { CredsignError } from '../errors/credsign-error.js'

/**
 * Strict UTF-8 for JOSE JSON. `ignoreBOM: true` keeps a leading U+FEFF in the text, so JSON.parse
 * refuses it: a BOM-tolerant decoder here and a BOM-strict one elsewhere would read the same bytes
 * differently, and RFC 8259 section 8.1 forbids producers from adding one.
 */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Default deepest nesting of arrays and objects (a JOSE header needs 3; a VC payload rarely 15). */
export const DEFAULT_MAX_JSON_DEPTH = 64

/**
 * Decodes UTF-8 JSON bytes and parses them with {@link parseJsonText}; invalid UTF-8 is `malformed`.
 *
 * @example
 *
 * ```ts
 * parseJsonBytes(new TextEncoder().encode('{"alg":"ES256"}'), 'header') // { alg: 'ES256' }
 * ```
 */
export function parseJsonBytes(
  bytes: Uint8Array,
  what: string,
  maxDepth: number = DEFAULT_MAX_JSON_DEPTH,
): unknown {
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch (cause) {
    throw new CredsignError('malformed', `${what} is not valid UTF-8`, { cause })
  }
  return parseJsonText(text, what, maxDepth)
}

/**
 * Parses JSON text, refusing (with `malformed`) what JSON.parse would quietly accept or choke on: a
 * member name that appears twice in one object (JSON.parse keeps the last, another parser may keep
 * the first: RFC 7515 section 4 and RFC 7519 section 4 allow rejecting, which removes the
 * ambiguity), nesting deeper than `maxDepth`, and any engine error (a RangeError from deep nesting
 * on engines whose parser recurses).
 *
 * @example
 *
 * ```ts
 * parseJsonText('{"a":1,"a":2}', 'header') // throws CredsignError malformed (duplicate member)
 * ```
 */
export function parseJsonText(
  text: string,
  what: string,
  maxDepth: number = DEFAULT_MAX_JSON_DEPTH,
): unknown {
  // The scan runs first so that hostile nesting is refused before any parser sees it.
  scanMembers(text, what, maxDepth)
  try {
    return JSON.parse(text) as unknown
  } catch {
    // Without the engine's error as cause: V8's message quotes the text around the fault, and the
    // text may be a decrypted request body or a private JWK, which a thrown object must not carry.
    throw new CredsignError('malformed', `${what} is not valid JSON`)
  }
}

/**
 * {@link parseJsonText} or {@link parseJsonBytes}, then requires a JSON object (not an array, string,
 * number or null).
 *
 * @example
 *
 * ```ts
 * parseJsonObject('[1]', 'JWT claims') // throws CredsignError malformed
 * ```
 */
export function parseJsonObject(
  input: string | Uint8Array,
  what: string,
  maxDepth: number = DEFAULT_MAX_JSON_DEPTH,
): Record<string, unknown> {
  const value =
    typeof input === 'string'
      ? parseJsonText(input, what, maxDepth)
      : parseJsonBytes(input, what, maxDepth)
  if (!isPlainObject(value)) throw new CredsignError('malformed', `${what} is not a JSON object`)
  return value
}

/**
 * Whether `value` is a non-null, non-array object.
 *
 * @example
 *
 * ```ts
 * isPlainObject({}) // true
 * isPlainObject([]) // false
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COMMA = 0x2c
const COLON = 0x3a

/**
 * One linear pass over the text with an explicit stack (no recursion, so no stack overflow at any
 * depth): tracks container nesting and the member names of every open object. It does not validate
 * the grammar; JSON.parse does that afterwards. On text that is not JSON it may see phantom
 * members, and can then only report `malformed`, which JSON.parse would have reported anyway.
 */
function scanMembers(text: string, what: string, maxDepth: number): void {
  // One entry per open container: the member names seen so far for an object, null for an array.
  const stack: (Set<string> | null)[] = []
  let expectName = false
  const length = text.length
  let i = 0
  while (i < length) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      let end = i + 1
      let escaped = false
      while (end < length) {
        const d = text.charCodeAt(end)
        if (d === QUOTE) break
        if (d === BACKSLASH) {
          escaped = true
          end += 2
        } else {
          end += 1
        }
      }
      if (expectName) {
        const names = stack[stack.length - 1]
        if (names) {
          const name = escaped ? unescapeName(text.slice(i, end + 1)) : text.slice(i + 1, end)
          if (names.has(name))
            throw new CredsignError(
              'malformed',
              `${what} has the member ${JSON.stringify(name.slice(0, 32))} twice`,
            )
          names.add(name)
        }
        expectName = false
      }
      i = end + 1
      continue
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      stack.push(c === OPEN_OBJECT ? new Set() : null)
      if (stack.length > maxDepth)
        throw new CredsignError('malformed', `${what} nests deeper than ${maxDepth} levels`)
      expectName = c === OPEN_OBJECT
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop()
      expectName = false
    } else if (c === COMMA) {
      expectName = stack[stack.length - 1] instanceof Set
    } else if (c === COLON) {
      expectName = false
    }
    i += 1
  }
}

/** A member name with escapes, decoded so that `"a"` and `"\u0061"` count as the same name. */
function unescapeName(quoted: string): string {
  try {
    const value: unknown = JSON.parse(quoted)
    return typeof value === 'string' ? value : quoted
  } catch {
    // Not a valid string literal: JSON.parse of the whole text will refuse it.
    return quoted
  }
}

/**
 * {@link isPlainObject} without narrowing: for options objects whose declared type must survive the
 * check.
 *
 * @example
 *
 * ```ts
 * isOptionsObject(undefined) // false
 * ```
 */
export function isOptionsObject(value: unknown): boolean {
  return isPlainObject(value)
}

/**
 * `JSON.stringify(payload)` for a payload about to be signed, with a typed error where JSON throws:
 * a payload longer than a JavaScript string can hold (~512 MiB: a RangeError), which a caller's
 * document can reach after the copy step (the same large string many times over).
 *
 * @example
 *
 * ```ts
 * serializePayload({ a: 1 }, 'credential_invalid') // '{"a":1}'
 * ```
 *
 * @internal
 */
export function serializePayload(
  payload: unknown,
  code: 'credential_invalid' | 'invalid_argument',
  encode: (value: unknown) => string = JSON.stringify,
): string {
  try {
    return encode(payload)
  } catch (cause) {
    throw new CredsignError(
      code,
      cause instanceof RangeError
        ? 'the payload cannot be serialized as JSON (larger than a JavaScript string can hold)'
        : 'the payload cannot be serialized as JSON',
      { cause },
    )
  }
}
