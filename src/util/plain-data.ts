// One rule for "what JSON.parse makes", shared by the Data Integrity paths that hash a caller's
// object as given (canonicalizeJson for the jcs suites, the JSON-LD walk and the templated RDFC path
// for the rdfc suites): anything else serializes differently in each implementation.

const objectPrototype = Object.prototype
const arrayPrototype = Array.prototype
const objectToString = Object.prototype.toString

/**
 * A plain object (prototype `Object.prototype` or none, no `toJSON()`, no boxed value) or a plain
 * array: what JSON.parse makes. JSON.stringify and the `canonicalize` package write a `Date` by its
 * `toJSON()` and a boxed number as the number, jsonld expands a `Date` by `Date.prototype.toString`
 * and a `Map` as `"[object Map]"`, and a serializer reading own members writes both as `{}`: a
 * proof over one of those texts would vouch for a value JSON writes differently.
 *
 * @example
 *
 * ```ts
 * isPlainContainer({ a: 1 }) // true
 * isPlainContainer(Object.setPrototypeOf(new Number(5), Object.prototype)) // false
 * ```
 *
 * @internal
 */
export function isPlainContainer(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value)
  if (Array.isArray(value)) return prototype === arrayPrototype
  return (
    (prototype === objectPrototype || prototype === null) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function' &&
    // A boxed primitive or a Date given Object.prototype still has its internal value, which
    // JSON.stringify writes; Object.prototype.toString names it (unless Symbol.toStringTag hides it).
    !(Symbol.toStringTag in value) &&
    objectToString.call(value) === '[object Object]'
  )
}
