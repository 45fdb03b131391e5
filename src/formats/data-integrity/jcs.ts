import { CredsignError } from '../../errors/credsign-error.js'

/** A lone UTF-16 surrogate: not a Unicode scalar value, so not I-JSON (RFC 7493) and not JCS. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * The JSON Canonicalization Scheme (RFC 8785) serialization of a JSON value: members sorted by
 * their UTF-16 code units, no whitespace, strings and numbers as ECMAScript's `JSON.stringify`
 * writes them (which is what RFC 8785 specifies). The `eddsa-jcs-2022` and `ecdsa-jcs-2019`
 * cryptosuites hash this.
 *
 * Throws `invalid_argument` for what JSON cannot hold or I-JSON forbids: non-finite numbers, lone
 * surrogates, `undefined`, functions, symbols, BigInts and cycles.
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
  ancestors.add(value)
  let out: string
  if (Array.isArray(value)) {
    out = `[${value.map((entry) => serialize(entry, ancestors)).join(',')}]`
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
