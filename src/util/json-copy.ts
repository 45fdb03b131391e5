/**
 * What `JSON.parse(JSON.stringify(value))` returns, without the text in between: a private copy of
 * a caller's document that is plain JSON data (own enumerable properties read once each, no getter,
 * prototype or `toJSON()` left), the one the checks and the signature both see.
 *
 * The walk covers plain data only: plain objects and arrays, strings, finite numbers, booleans and
 * `null` (with JSON's rules for `undefined`, functions and symbols: skipped in objects, `null` in
 * arrays; `-0` and non-finite numbers as JSON writes them). Anything else — a `toJSON()` method (a
 * `Date`), another prototype (a class instance, a boxed primitive), a BigInt, a key that
 * `Object.prototype` has (`__proto__`, or a polluted one whose setter an assignment would call),
 * nesting deeper than 200 (a cycle), an array longer than 100,000 or a throwing getter — hands the
 * whole value to JSON itself, so the result and the errors are always JSON's. Why: signing a small
 * credential spent ~3 µs in the JSON round trip, more than any other step but the signature; the
 * walk takes ~0.6 µs. `test/core/json-copy.test.ts` compares the two over generated values.
 *
 * @example
 *
 * ```ts
 * const copy = copyJsonData({ a: [1, undefined, -0], b: undefined, c: new Date(0) })
 * console.log(copy) // { a: [1, null, 0], c: '1970-01-01T00:00:00.000Z' }
 * ```
 *
 * @param value - What to copy.
 * @returns JSON's copy: `undefined` when JSON writes nothing (a function, a symbol, `undefined`, a
 *   `toJSON()` that returns one of them).
 * @throws Whatever `JSON.stringify` throws for `value` (a cycle: `TypeError`; a BigInt:
 *   `TypeError`; a throwing getter or `toJSON()`: its error).
 * @internal
 */
export function copyJsonData(value: unknown): unknown {
  // A getter or a Proxy trap in `value` is caller code run in the middle of the walk, and it may
  // copy another value (sign another document): that copy counts from 0 and then puts back this
  // walk's count, so a nested copy can never reset the bound of the walk it runs inside.
  const outerWalked = walked
  walked = 0
  try {
    return walk(value, 0)
  } catch {
    // Not plain data, or the walk met something it leaves to JSON: JSON decides (and throws).
    const text: unknown = JSON.stringify(value)
    return typeof text === 'string' ? (JSON.parse(text) as unknown) : undefined
  } finally {
    walked = outerWalked
  }
}

/** Deeper than this, the value goes to JSON (which reports a cycle as a TypeError). */
const MAX_WALK_DEPTH = 200

/**
 * Longer arrays go to JSON: a sparse array's `length` can be 2^32 - 1 with nothing in it, and JSON
 * stops at its string length limit (a RangeError) where a copy would fill memory first.
 */
const MAX_WALK_ARRAY_LENGTH = 100_000

/**
 * More values than this (objects, arrays and their members, counted each time they are reached) and
 * the value goes to JSON: a caller's object that refers to one array from many places is copied
 * once per reference, so without a bound a small object graph could fill memory and crash the
 * process where JSON fails with its string-length RangeError. Far above any credential.
 */
const MAX_WALK_VALUES = 2_000_000

/**
 * Values reached by the innermost walk under way. One at a time except when a getter or Proxy trap
 * the walk calls starts a copy of its own; copyJsonData saves and restores it around each walk.
 */
let walked = 0

/** Thrown inside the walk to hand the value to JSON. */
const NOT_PLAIN = new Error('not plain JSON data')

const objectPrototype = Object.prototype
const arrayPrototype = Array.prototype
const objectToString = Object.prototype.toString

function walk(value: unknown, depth: number): unknown {
  if (++walked > MAX_WALK_VALUES) throw NOT_PLAIN
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      // JSON writes NaN and ±Infinity as null, and -0 as 0.
      return Number.isFinite(value) ? value + 0 : null
    case 'object': {
      if (value === null) return null
      if (depth >= MAX_WALK_DEPTH) throw NOT_PLAIN
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN
      const prototype: unknown = Object.getPrototypeOf(value)
      if (Array.isArray(value)) {
        if (prototype !== arrayPrototype) throw NOT_PLAIN
        const length = value.length
        if (length > MAX_WALK_ARRAY_LENGTH) throw NOT_PLAIN
        const copy: unknown[] = new Array<unknown>(length)
        for (let i = 0; i < length; i++) {
          // An index accessor planted on Array.prototype or Object.prototype would take the
          // assignment below (JSON.parse defines an own property): JSON decides.
          if (i in copy) throw NOT_PLAIN
          const item: unknown = value[i]
          copy[i] = isSkipped(item) ? null : walk(item, depth + 1)
        }
        return copy
      }
      if (prototype !== objectPrototype && prototype !== null) throw NOT_PLAIN
      // A boxed primitive given Object.prototype or no prototype: JSON writes a Number, String or
      // Boolean object as its value. Object.prototype.toString names such a built-in unless a
      // Symbol.toStringTag hides it, so one of those anywhere hands the value to JSON as well.
      if (Symbol.toStringTag in value || objectToString.call(value) !== '[object Object]')
        throw NOT_PLAIN
      const copy: Record<string, unknown> = {}
      for (const key of Object.keys(value)) {
        // An assignment to `__proto__` (or to a setter someone put on Object.prototype) would not
        // make an own property as JSON.parse does.
        if (key in objectPrototype) throw NOT_PLAIN
        const item: unknown = (value as Record<string, unknown>)[key]
        if (!isSkipped(item)) copy[key] = walk(item, depth + 1)
      }
      return copy
    }
    default:
      // undefined, a function or a symbol at the top; a BigInt anywhere.
      throw NOT_PLAIN
  }
}

/** What JSON leaves out of an object (and writes as null in an array). */
function isSkipped(value: unknown): boolean {
  if (typeof value === 'function') {
    // JSON writes a function with a toJSON() (its own, or one planted on Function.prototype) as
    // that returns: JSON decides.
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN
    return true
  }
  return value === undefined || typeof value === 'symbol'
}
