// copyJsonData must return exactly what JSON.parse(JSON.stringify(value)) returns (the copy the
// signers check and sign), and throw where JSON throws. The reference is the engine's own JSON.
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { copyJsonData } from '../../src/util/json-copy.js'

const viaJson = (value: unknown): unknown => {
  const text: unknown = JSON.stringify(value)
  return typeof text === 'string' ? JSON.parse(text) : undefined
}

/** Deep equality that also tells -0 from 0, own from inherited keys, and key order. */
function sameJson(a: unknown, b: unknown): void {
  expect(a).toStrictEqual(b)
  expect(JSON.stringify(a)).toBe(JSON.stringify(b))
  if (a !== null && typeof a === 'object') {
    expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b))
    expect(Object.keys(a)).toEqual(Object.keys(b as object))
    for (const key of Object.keys(a))
      sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])
  } else {
    expect(Object.is(a, b)).toBe(true)
  }
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** Values JSON treats specially, mixed into generated documents. */
const odd = fc.constantFrom<unknown>(
  undefined,
  () => 1,
  Symbol('s'),
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  1e21,
  5e-324,
  new Date(0),
  new Point(1, 2),
  Object.assign(Object.create(null) as object, { a: 1 }),
  { toJSON: () => ({ replaced: true }) },
  { toJSON: () => undefined },
  { toJSON: 'not a function' },
  Object.assign([1, 2], { extra: 'dropped' }),
  [, 1],
  new Number(3),
  new String('boxed'),
  '\ud800 lone surrogate',
  JSON.parse('{"__proto__": {"polluted": 1}, "b": 2}') as unknown,
  { 10: 'a', 2: 'b', z: 'c', 1: 'd' },
)

const documents = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    odd,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 6 }),
  ),
})).value

describe('copyJsonData', () => {
  it('returns what the JSON round trip returns, over generated values', () => {
    fc.assert(
      fc.property(documents, (value) => {
        sameJson(copyJsonData(value), viaJson(value))
      }),
      { numRuns: 3000 },
    )
  })

  it('returns a copy that shares no object with the input', () => {
    const input = { a: { b: [1, { c: 2 }] } }
    const copy = copyJsonData(input) as typeof input
    expect(copy).toEqual(input)
    expect(copy.a).not.toBe(input.a)
    expect(copy.a.b).not.toBe(input.a.b)
    expect(copy.a.b[1]).not.toBe(input.a.b[1])
  })

  it('reads each getter once on plain data and copies its value, not the getter', () => {
    let reads = 0
    const input = {
      get issuer() {
        reads++
        return `did:example:${reads}`
      },
    }
    const copy = copyJsonData(input) as Record<string, unknown>
    expect(reads).toBe(1)
    expect(Object.getOwnPropertyDescriptor(copy, 'issuer')).toEqual({
      value: 'did:example:1',
      writable: true,
      enumerable: true,
      configurable: true,
    })
  })

  it('makes `__proto__` an own property, as JSON.parse does, and never changes a prototype', () => {
    const input = JSON.parse('{"__proto__": {"x": 1}}') as object
    const copy = copyJsonData(input) as object
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect(Object.hasOwn(copy, '__proto__')).toBe(true)
  })

  describe('with a setter planted on Object.prototype', () => {
    afterEach(() => {
      delete (Object.prototype as Record<string, unknown>).planted
    })
    it('still makes an own data property (the setter is not called)', () => {
      let called = 0
      Object.defineProperty(Object.prototype, 'planted', {
        configurable: true,
        set() {
          called++
        },
        get() {
          return undefined
        },
      })
      const copy = copyJsonData({ planted: 'value' }) as Record<string, unknown>
      expect(called).toBe(0)
      expect(Object.getOwnPropertyDescriptor(copy, 'planted')?.value).toBe('value')
    })
  })

  it('throws where JSON throws: a cycle, a BigInt, a throwing getter or toJSON()', () => {
    const cycle: Record<string, unknown> = { a: 1 }
    cycle.self = cycle
    expect(() => copyJsonData(cycle)).toThrow(TypeError)
    expect(() => copyJsonData({ n: 1n })).toThrow(TypeError)
    expect(() => copyJsonData([1n])).toThrow(TypeError)
    const boom = new Error('getter')
    expect(() =>
      copyJsonData({
        get x(): never {
          throw boom
        },
      }),
    ).toThrow(boom)
    expect(() =>
      copyJsonData({
        toJSON(): never {
          throw boom
        },
      }),
    ).toThrow(boom)
  })

  it('copies nesting past the walk depth exactly as JSON does', () => {
    let deep: unknown = 'leaf'
    for (let i = 0; i < 500; i++) deep = i % 2 === 0 ? [deep] : { d: deep }
    sameJson(copyJsonData(deep), viaJson(deep))
  })

  it('leaves long (sparse) arrays to JSON: the same result, and the JSON error past its string limit', () => {
    const sparse: unknown[] = []
    sparse.length = 150_000
    sparse[7] = 'x'
    sameJson(copyJsonData({ sparse }), viaJson({ sparse }))
    const huge: unknown[] = []
    huge.length = 2 ** 32 - 1
    // JSON gives up at its string length limit; a copy of 2^32 - 1 nulls would exhaust memory.
    expect(() => copyJsonData({ huge })).toThrow(RangeError)
  }, 60_000)

  it('an object graph that reuses one array from many places: the same result as JSON (past the walk budget, JSON copies it)', () => {
    // 2^21 references to small arrays: more values than the walk copies before handing over.
    let shared: unknown = ['leaf', 1]
    for (let i = 0; i < 21; i++) shared = [shared, shared]
    // Compared as text: a deep equality over 2^22 nodes would take minutes.
    expect(JSON.stringify(copyJsonData({ shared }))).toBe(JSON.stringify({ shared }))
  }, 60_000)

  // A getter or a Proxy trap is caller code run mid-walk; when it copies another value (a getter on
  // a credential that signs another one), that copy must not reset the outer walk's value count.
  // Two halves of ~1.05M values each: 2.1M in all, past the 2,000,000 bound, each half under it.
  // Reaching the bound, the walk hands the whole value to JSON, which reads the getter a second
  // time: two reads prove the outer bound held (one read: the nested copy reset it and the walk
  // copied 2.1M values itself).
  const half = (): unknown => {
    let shared: unknown = ['leaf', 1]
    for (let i = 0; i < 18; i++) shared = [shared, shared]
    return shared
  }
  it('keeps the walk bound when a getter copies another value mid-walk (reentrancy)', () => {
    let reads = 0
    const input = {
      a: half(),
      get nested() {
        reads++
        return copyJsonData({ small: [1, 2, 3] })
      },
      b: half(),
    }
    const copy = copyJsonData(input)
    expect(reads).toBe(2)
    expect(JSON.stringify(copy)).toBe(JSON.stringify(input))
  }, 60_000)

  it('keeps the walk bound when a Proxy get trap copies another value mid-walk (reentrancy)', () => {
    let reads = 0
    const target = { a: half(), nested: 0, b: half() }
    const input = new Proxy(target, {
      get(object, key, receiver) {
        if (key !== 'nested') return Reflect.get(object, key, receiver) as unknown
        reads++
        return copyJsonData({ small: [1, 2, 3] })
      },
    })
    const copy = copyJsonData(input)
    expect(reads).toBe(2)
    expect(JSON.stringify(copy)).toBe(JSON.stringify(input))
  }, 60_000)

  it('returns undefined where JSON writes nothing', () => {
    expect(copyJsonData(undefined)).toBeUndefined()
    expect(copyJsonData(() => 1)).toBeUndefined()
    expect(copyJsonData(Symbol('s'))).toBeUndefined()
    expect(copyJsonData({ toJSON: () => undefined })).toBeUndefined()
  })
})

describe('copyJsonData: inputs the plain-data walk once copied differently from JSON', () => {
  it('a function with a toJSON() is written as its toJSON() returns, in an object and an array', () => {
    const fn = Object.assign(() => 1, { toJSON: () => 'from toJSON' })
    const input = { a: fn, b: [fn] }
    sameJson(copyJsonData(input), viaJson(input))
    expect(copyJsonData(input)).toEqual({
      a: 'from toJSON',
      b: ['from toJSON'],
    })
  })

  it('with a Function.prototype.toJSON planted, every function is written as JSON writes it', () => {
    const input = { a: () => 1, b: [() => 2] }
    let copy: unknown
    let reference: unknown
    // Planted for the two copies only: the test runner's own functions must not see it.
    Object.defineProperty(Function.prototype, 'toJSON', {
      configurable: true,
      value: () => 'planted',
    })
    try {
      copy = copyJsonData(input)
      reference = viaJson(input)
    } finally {
      delete (Function.prototype as unknown as Record<string, unknown>).toJSON
    }
    expect(reference).toEqual({ a: 'planted', b: ['planted'] })
    sameJson(copy, reference)
  })

  it('with an index accessor planted on Array.prototype or Object.prototype, the copy still holds the array items as own data (the setter is not called)', () => {
    let called = 0
    const accessor = {
      configurable: true,
      set() {
        called++
      },
      get() {
        return 'planted'
      },
    }
    const input = { list: ['signed', 'also signed', 'third'] }
    let copy: { list: unknown[] }
    let reference: unknown
    // Planted for the two copies only: the test runner's own arrays must not see it.
    Object.defineProperty(Array.prototype, '0', accessor)
    Object.defineProperty(Object.prototype, '1', accessor)
    try {
      copy = copyJsonData(input) as { list: unknown[] }
      reference = viaJson(input)
    } finally {
      delete (Array.prototype as unknown as Record<string, unknown>)['0']
      delete (Object.prototype as Record<string, unknown>)['1']
    }
    expect(called).toBe(0)
    expect(Object.hasOwn(copy.list, '0')).toBe(true)
    expect(Object.hasOwn(copy.list, '1')).toBe(true)
    sameJson(copy, reference)
  })

  it('a boxed primitive whose prototype was changed is written as JSON writes it (its value)', () => {
    const input = {
      b: Object.setPrototypeOf(new Boolean(true), Object.prototype) as unknown,
      n: Object.setPrototypeOf(new Number(3), Object.prototype) as unknown,
      s: Object.setPrototypeOf(new String('ab'), Object.prototype) as unknown,
      f: Object.setPrototypeOf(new Boolean(false), null) as unknown,
    }
    sameJson(copyJsonData(input), viaJson(input))
    // JSON cannot turn a Number without a prototype into a number: it throws, so must the copy.
    const bare = { n: Object.setPrototypeOf(new Number(3), null) as unknown }
    expect(() => viaJson(bare)).toThrow(TypeError)
    expect(() => copyJsonData(bare)).toThrow(TypeError)
  })
})
