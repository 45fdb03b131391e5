import { CredsignError } from '../../errors/credsign-error.js'
import { isPlainContainer } from '../../util/plain-data.js'

/** A lone UTF-16 surrogate: not a Unicode scalar value, so not I-JSON (RFC 7493) and not JCS. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const hasOwn = Object.prototype.hasOwnProperty

/**
 * The JSON Canonicalization Scheme (RFC 8785) serialization of a JSON value: members sorted by
 * their UTF-16 code units, no whitespace, strings and numbers as ECMAScript's `JSON.stringify`
 * writes them (which is what RFC 8785 specifies). The `eddsa-jcs-2022` and `ecdsa-jcs-2019`
 * cryptosuites hash this.
 *
 * Throws `invalid_argument` for what JSON cannot hold or I-JSON forbids: non-finite numbers, lone
 * surrogates, `undefined`, functions, symbols, BigInts and cycles; and for values that are not
 * plain JSON data, which JSON and other JCS implementations write differently from their own
 * members (a `Date` or any `toJSON()`, a boxed primitive, a class instance, a `Map`) or not at all
 * (an array hole, which `JSON.stringify` writes as `null` and other JCS implementations skip).
 *
 * @example
 *
 * ```ts
 * import { canonicalizeJson } from 'credsign/data-integrity'
 * canonicalizeJson({ b: [1e21, 0.1], a: 'é' }) // '{"a":"é","b":[1e+21,0.1]}'
 * ```
 */
export function canonicalizeJson(value: unknown): string {
  return serialize(value, new Set())
}

function serialize(value: unknown, ancestors: Set<object>): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value))
        throw new CredsignError('invalid_argument', 'JCS cannot serialize NaN or Infinity')
      return JSON.stringify(value)
    case 'string':
      if (LONE_SURROGATE.test(value))
        throw new CredsignError(
          'invalid_argument',
          'JCS cannot serialize a string with a lone surrogate',
        )
      return JSON.stringify(value)
    case 'object':
      break
    default:
      throw new CredsignError('invalid_argument', `JCS cannot serialize a ${typeof value}`)
  }
  if (ancestors.has(value))
    throw new CredsignError('invalid_argument', 'JCS cannot serialize a cycle')
  checkPlainData(value)
  ancestors.add(value)
  let out: string
  if (Array.isArray(value)) {
    const entries: string[] = []
    for (let index = 0; index < value.length; index++) {
      // A hole reads as undefined here, as null in JSON.stringify, and is skipped by the
      // `canonicalize` package: three serializations of one value, so none is signed.
      if (!hasOwn.call(value, index))
        throw new CredsignError('invalid_argument', 'JCS cannot serialize an array with a hole')
      entries.push(serialize(value[index], ancestors))
    }
    out = `[${entries.join(',')}]`
  } else {
    const record = value as Record<string, unknown>
    // The default sort compares UTF-16 code units, exactly as RFC 8785 section 3.2.3 asks.
    const names = Object.keys(record).sort()
    const members: string[] = []
    for (const name of names) {
      if (LONE_SURROGATE.test(name))
        throw new CredsignError(
          'invalid_argument',
          'JCS cannot serialize a member name with a lone surrogate',
        )
      members.push(`${JSON.stringify(name)}:${serialize(record[name], ancestors)}`)
    }
    out = `{${members.join(',')}}`
  }
  ancestors.delete(value)
  return out
}

/** Refuses what is not plain JSON data ({@link isPlainContainer}): JCS would write a `Date` as `{}`. */
function checkPlainData(value: object): void {
  if (!isPlainContainer(value))
    throw new CredsignError(
      'invalid_argument',
      'JCS serializes plain JSON data only (no Date, toJSON(), boxed primitive or class instance)',
    )
}
