// Differential property tests of canonicalizeJson (RFC 8785, what eddsa-jcs-2022 and ecdsa-jcs-2019
// hash) against the `canonicalize` package (Samuel Erdtman's, listed by RFC 8785's authors; the copy
// in node_modules, 2.1.0, is the one Digital Bazaar's packages pull in), over generated JSON and over
// values JSON cannot hold as they are.
//
// The properties:
// - JSON data (any nesting, keys with astral characters, combining marks and JSON-LD keywords, own
//   `__proto__` members, doubles at their edges): credsign writes what `canonicalize` writes, and
//   the text parses back to the value; a lone surrogate anywhere (not I-JSON, RFC 7493 section 2.1,
//   and so not JCS) is refused, where `canonicalize` escapes it.
// - Anything else (Date, toJSON(), boxed primitives, class instances, Map, typed arrays, array
//   holes, undefined, functions, symbols, BigInt): credsign refuses (`invalid_argument`), or writes
//   exactly what `canonicalize` writes for the value's JSON copy. A signature is never made or checked
//   over bytes another implementation would not produce from the same value.
//
// Found: a Date (or a boxed number, a Map with a toJSON, …) was written from its own members, `{}`,
// where JSON and `canonicalize` write its toJSON(); an array hole was written as nothing
// (`[1,,2]`, not JSON) where JSON writes `null` and `canonicalize` skips it. verify() hashes the
// caller's object as given, so a jcs proof over `{}` verified a credential carrying a Date. Fixed in
// src/formats/data-integrity/jcs.ts; the end-to-end cases are in test/core/data-integrity-verify.test.ts.
//
// Seeded: FC_SEED overrides the seed, FC_RUNS the number of cases per property.
import canonicalize from 'canonicalize'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalizeJson } from '../../src/formats/data-integrity/jcs.js'
import { CredsignError } from '../../src/errors/credsign-error.js'

const SEED = Number(process.env.FC_SEED ?? 20_261_207)
const RUNS = Number(process.env.FC_RUNS ?? 2000)
// A CommonJS module: its module.exports is the function (its .d.ts says `export default`).
const reference = canonicalize as unknown as (value: unknown) => string | undefined

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Strings from every corner of UTF-16: ASCII, BMP, astral, combining marks, escapes, surrogates. */
const stringArb = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom(
      'a',
      'é',
      'e\u0301',
      '\u{1F600}',
      '\uFFFF',
      '\u0000',
      '"',
      '\\',
      '\u2028',
      '\uD800',
      '\uDC00',
      '\u007F',
      '\u00A0',
    ),
  }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toJSON',
    '@context',
    '',
    'hasOwnProperty',
  ),
)

/** Doubles JCS's number serialization (ECMAScript Number::toString) must get right. */
const numberArb = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(
    0,
    -0,
    1e21,
    1e-7,
    1e-6,
    5e-324,
    -5e-324,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    9007199254740993,
    1.7976931348623157e308,
    2.2250738585072014e-308,
    0.1,
    1 / 3,
    123456789.125,
    1e300,
    333333333.3333333,
  ),
)

const jsonArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    numberArb,
    stringArb,
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 5 }),
  // JSON.parse semantics: every member an own data property, `__proto__` included.
  object: fc
    .array(fc.tuple(stringArb, tie('value')), { maxLength: 5 })
    .map(
      (entries) =>
        JSON.parse(
          `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`,
        ) as unknown,
    ),
}))

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** Values that are not JSON data as they are. */
const oddArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  numberArb.map((n) => new Number(n)),
  stringArb.map((s) => new String(s)),
  fc.boolean().map((b) => new Boolean(b)),
  fc.tuple(numberArb, numberArb).map(([x, y]) => new Point(x, y)),
  fc.constant(new Map([['a', 1]])),
  fc.constant(new Uint8Array([1, 2])),
  fc.constant(/x/),
  fc.constant(new Error('e')),
  stringArb.map((s) => ({ toJSON: () => s, shown: 1 })),
  fc.array(numberArb, { minLength: 1, maxLength: 3 }).map((a) => {
    const sparse = [...a]
    sparse.length += 2
    sparse.push(0)
    return sparse
  }),
  fc.constant(Object.setPrototypeOf(new Number(7), Object.prototype) as unknown),
)

const withOddArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    numberArb,
    stringArb,
    oddArb,
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(stringArb, tie('value'), { maxKeys: 4 }),
}))

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value)
  if (value === null || typeof value !== 'object') return false
  return Object.keys(value).some(
    (key) => LONE_SURROGATE.test(key) || hasLoneSurrogate((value as Record<string, unknown>)[key]),
  )
}

function outcome(run: () => unknown): { text: unknown } | { error: unknown } {
  try {
    return { text: run() }
  } catch (error) {
    return { error }
  }
}

describe('canonicalizeJson against the canonicalize package', () => {
  it('JSON data: the same text as canonicalize, which parses back to the value; lone surrogates refused', () => {
    let compared = 0
    let refused = 0
    fc.assert(
      fc.property(jsonArb.value, (value) => {
        const ours = outcome(() => canonicalizeJson(value))
        if (hasLoneSurrogate(value)) {
          // canonicalize escapes it (\udXXX); an I-JSON parser refuses it; other JCS
          // implementations replace it with U+FFFD: no one byte string to sign.
          expect(ours).toMatchObject({ error: expect.any(CredsignError) })
          expect((ours as { error: CredsignError }).error.code).toBe('invalid_argument')
          refused++
          return
        }
        expect(ours).toEqual({ text: reference(value) })
        expect(JSON.parse((ours as { text: string }).text)).toEqual(
          JSON.parse(JSON.stringify(value)),
        )
        compared++
      }),
      { seed: SEED, numRuns: RUNS },
    )
    expect(compared).toBeGreaterThan(RUNS / 4)
    expect(refused).toBeGreaterThan(0)
  })

  it('anything else: refused, or the text canonicalize writes for its JSON copy', () => {
    let refused = 0
    fc.assert(
      fc.property(withOddArb.value, (value) => {
        const ours = outcome(() => canonicalizeJson(value))
        if ('error' in ours) {
          expect(ours.error).toBeInstanceOf(CredsignError)
          expect((ours.error as CredsignError).code).toBe('invalid_argument')
          refused++
          return
        }
        // Accepted: what JSON makes of the value, written by the reference, is the same text.
        const text: unknown = JSON.stringify(value)
        expect(typeof text).toBe('string')
        expect(ours.text).toBe(reference(JSON.parse(text as string)))
        expect(ours.text).toBe(reference(value))
      }),
      { seed: SEED, numRuns: RUNS },
    )
    expect(refused).toBeGreaterThan(RUNS / 10)
  })

  // The counterexamples found, kept as plain cases.
  it.each([
    ['a Date', { d: new Date(0) }],
    ['a boxed number', { n: new Number(1) }],
    [
      'a boxed number given Object.prototype',
      { n: Object.setPrototypeOf(new Number(7), Object.prototype) as unknown },
    ],
    ['a toJSON() member', { v: { toJSON: () => 'x' } }],
    ['a class instance', { p: new Point(1, 2) }],
    ['an array hole', [1, , 2]],
    [
      'a trailing hole',
      (() => {
        const a = [1]
        a.length = 2
        return a
      })(),
    ],
  ])('refuses %s', (_name, value) => {
    expect(() => canonicalizeJson(value)).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }) as Error,
    )
  })

  it('writes what RFC 8785 section 3.2 asks for at the edges', () => {
    expect(canonicalizeJson([-0, 1e21, 1e-7, 5e-324, 2 ** 53 + 1, 1e308, 0.000001])).toBe(
      '[0,1e+21,1e-7,5e-324,9007199254740992,1e+308,0.000001]',
    )
    // UTF-16 code unit order: U+1F600 (D83D DE00) sorts before U+FFFF; 'e' + U+0301 before 'é'.
    expect(canonicalizeJson({ '\uFFFF': 1, '\u{1F600}': 2, é: 3, 'e\u0301': 4 })).toBe(
      '{"e\u0301":4,"é":3,"\u{1F600}":2,"\uFFFF":1}',
    )
    expect(canonicalizeJson(JSON.parse('{"__proto__":{"b":1},"a":2}'))).toBe(
      '{"__proto__":{"b":1},"a":2}',
    )
    expect(canonicalizeJson(Object.assign(Object.create(null) as object, { b: 1, a: 2 }))).toBe(
      '{"a":2,"b":1}',
    )
  })
})
