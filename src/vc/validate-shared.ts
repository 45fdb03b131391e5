import type { JsonObject, ValidationProblem } from './types.js'

/** Whether `value` is a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// RFC 3986 section 3.1 scheme, then anything without whitespace or controls: enough to tell a URL
// or DID (`did:example:123`, `urn:uuid:…`) from a bare word (`example`, `z6Mk…`, `https ://x`).
const ABSOLUTE_URL = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s\u0000-\u001f\u007f]+$/

/** Whether `value` is a string holding an absolute URL (any scheme, DIDs included). */
export function isAbsoluteUrl(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 8192 && ABSOLUTE_URL.test(value)
}

/** The members of a JSON-LD "set": one value or an array of values. */
export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value]
}

/** `parent.child` or `parent[3]` for problem paths. */
export function joinPath(parent: string, child: string | number): string {
  if (typeof child === 'number') return `${parent}[${child}]`
  return parent === '' ? child : `${parent}.${child}`
}

/** Collects problems in document order. */
export class Problems {
  readonly list: ValidationProblem[] = []
  add(path: string, message: string): void {
    this.list.push({ path, message })
  }
}

/** The `type` values of a document, or undefined when `type` is not a string or array of strings. */
export function typesOf(value: unknown): string[] | undefined {
  const list = asList(value)
  if (value === undefined || list.length === 0) return undefined
  return list.every((t) => typeof t === 'string' && t.length > 0) ? (list as string[]) : undefined
}

/** The id of an `issuer` / `holder` value: the string itself or the `id` member of an object. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (isJsonObject(value) && typeof value.id === 'string') return value.id
  return undefined
}
