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

// RFC 5646 well-formedness, loosely: the LANGTAG production JSON-LD and RDF use (a letter subtag,
// then letter-or-digit subtags). It refuses what is certainly not a tag (`en US`, `""`, `english!`).
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/

const LANGUAGE_VALUE_KEYS = new Set(['@value', '@language', '@direction'])

/**
 * VCDM 2.0 `name` / `description` (section 4.6, language value objects of section 11.1): a string,
 * a language value object (`@value` string, optional `@language` tag and `@direction` `ltr` /
 * `rtl`, no other member), or one or more of these (one per language). Absent is fine.
 */
export function checkLanguageValues(
  value: unknown,
  name: string,
  problems: Problems,
  path: string,
): void {
  if (value === undefined) return
  if (Array.isArray(value) && value.length === 0) {
    problems.add(
      path,
      `${name} must be a string, a language value object, or a non-empty array of them`,
    )
    return
  }
  asList(value).forEach((item, index) => {
    const at = Array.isArray(value) ? joinPath(path, index) : path
    if (typeof item === 'string') return
    if (!isJsonObject(item)) {
      problems.add(
        at,
        `${name} must be a string or a language value object (@value, @language, @direction)`,
      )
      return
    }
    for (const key of Object.keys(item)) {
      if (!LANGUAGE_VALUE_KEYS.has(key)) {
        problems.add(
          joinPath(at, key),
          `a language value object may only have @value, @language and @direction, not ${JSON.stringify(key.slice(0, 64))}`,
        )
      }
    }
    if (typeof item['@value'] !== 'string')
      problems.add(joinPath(at, '@value'), 'a language value object needs a string @value')
    const language = item['@language']
    if (language !== undefined && !(typeof language === 'string' && LANGUAGE_TAG.test(language))) {
      problems.add(joinPath(at, '@language'), '@language must be a well-formed BCP 47 language tag')
    }
    const direction = item['@direction']
    if (
      direction !== undefined &&
      direction !== null &&
      direction !== 'ltr' &&
      direction !== 'rtl'
    ) {
      problems.add(joinPath(at, '@direction'), '@direction must be ltr or rtl')
    }
  })
}
