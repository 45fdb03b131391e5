// What jsonld's errors say, in the document's terms. jsonld's safe mode throws "Safe mode
// validation error." for every dropped term or relative IRI; its details name the term or value
// but not where it is. This finds where (the JSON path of the member or value) and says what is
// wrong, so `credentialSubject.degree: term not defined by any context` reaches the caller instead.
import { CredsignError } from '../../errors/credsign-error.js'
import type { JsonLdDocument } from './types.js'

interface JsonLdEvent {
  code?: unknown
  message?: unknown
  details?: Record<string, unknown>
}

/** Most places named for one problem: the first few are enough to find the rest. */
const MAX_PATHS = 3

/**
 * A clearer error for a failed JSON-LD operation on `document`: jsonld's protected term error
 * becomes `protected_term_redefinition`; safe-mode errors (`jsonld_invalid`) name the member or
 * value and its path. Anything else is returned unchanged.
 *
 * @internal
 */
export function explainJsonLdError(error: unknown, document: JsonLdDocument): unknown {
  if (!CredsignError.is(error) || error.code !== 'jsonld_invalid') return error
  const cause = error.cause as
    | { name?: unknown; details?: { code?: unknown; term?: unknown; event?: JsonLdEvent } }
    | undefined
  const details = cause?.details
  if (details?.code === 'protected term redefinition') {
    const term = typeof details.term === 'string' ? details.term : undefined
    const where = term === undefined ? [] : contextPathsDefining(document, term)
    return new CredsignError(
      'protected_term_redefinition',
      `${where.length > 0 ? `${where.join(', ')}: ` : ''}a context redefines ${term === undefined ? 'a protected term' : `the protected term ${quote(term)}`}, which an earlier context (such as the VC context) fixed`,
      { cause },
    )
  }
  const event = details?.event
  if (cause?.name !== 'jsonld.ValidationError' || event === undefined) return error
  const explained = explainEvent(event, document)
  return explained === undefined ? error : new CredsignError('jsonld_invalid', explained, { cause })
}

function explainEvent(event: JsonLdEvent, document: JsonLdDocument): string | undefined {
  const details = event.details ?? {}
  const code = typeof event.code === 'string' ? event.code : ''
  switch (code) {
    case 'invalid property': {
      const property = details.property
      if (typeof property !== 'string') return undefined
      return located(
        memberPaths(document, property),
        `term not defined by any context (${quote(property)} would not be signed)`,
      )
    }
    case 'relative @type reference': {
      const type = details.type
      if (typeof type !== 'string') return undefined
      return located(
        valuePaths(document, type, TYPE_KEYS),
        `type ${quote(type)} is not defined by any context`,
      )
    }
    case 'relative @id reference':
    case 'relative subject reference':
    case 'relative object reference':
    case 'relative graph reference':
    case 'relative predicate reference': {
      const value =
        details.id ?? details.subject ?? details.object ?? details.graph ?? details.predicate
      if (typeof value !== 'string') return undefined
      return located(
        valuePaths(document, value),
        `${quote(value)} is a relative IRI; identifiers must be absolute (there is no base IRI)`,
      )
    }
    case 'invalid @language value': {
      const language = details.language
      if (typeof language !== 'string') return undefined
      return located(
        valuePaths(document, language),
        `${quote(language)} is not a BCP47 language tag`,
      )
    }
    default:
      return typeof event.message === 'string'
        ? `${event.message} (${code || 'safe mode'})`
        : undefined
  }
}

const TYPE_KEYS = new Set(['type', '@type'])

function located(paths: string[], problem: string): string {
  return paths.length === 0 ? problem : `${paths.join(', ')}: ${problem}`
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)
}

/**
 * Walks `document` outside its contexts, calling `visit(value, path, key)` for each member and
 * array entry.
 */
function walk(
  document: JsonLdDocument,
  visit: (value: unknown, path: string, key: string | undefined) => boolean,
): void {
  const stack: { value: unknown; path: string; key: string | undefined }[] = [
    { value: document, path: '', key: undefined },
  ]
  while (stack.length > 0) {
    const { value, path, key } = stack.pop() as {
      value: unknown
      path: string
      key: string | undefined
    }
    if (!visit(value, path, key)) return
    if (value === null || typeof value !== 'object') continue
    const children: { value: unknown; path: string; key: string | undefined }[] = Array.isArray(
      value,
    )
      ? value.map((item, index) => ({ value: item, path: `${path}[${index}]`, key }))
      : Object.keys(value)
          .filter((name) => name !== '@context')
          .map((name) => ({
            value: (value as Record<string, unknown>)[name],
            path: path === '' ? name : `${path}.${name}`,
            key: name,
          }))
    // Reversed, so the first member is visited first (document order).
    for (let index = children.length - 1; index >= 0; index--)
      stack.push(children[index] as (typeof children)[number])
  }
}

/** Paths of the members named `name`, in document order (at most {@link MAX_PATHS}). */
function memberPaths(document: JsonLdDocument, name: string): string[] {
  const paths: string[] = []
  walk(document, (_value, path, key) => {
    if (key === name && !path.endsWith(']')) paths.push(path)
    return paths.length < MAX_PATHS
  })
  return paths
}

/** Paths of the string values equal to `text` (under one of `keys`, when given). */
function valuePaths(document: JsonLdDocument, text: string, keys?: ReadonlySet<string>): string[] {
  const paths: string[] = []
  walk(document, (value, path, key) => {
    if (value === text && (keys === undefined || (key !== undefined && keys.has(key))))
      paths.push(path)
    return paths.length < MAX_PATHS
  })
  return paths
}

/** Paths of the inline context entries of `document` that define `term`. */
function contextPathsDefining(document: JsonLdDocument, term: string): string[] {
  const paths: string[] = []
  const stack: { value: unknown; path: string }[] = [{ value: document, path: '' }]
  while (stack.length > 0 && paths.length < MAX_PATHS) {
    const { value, path } = stack.pop() as { value: unknown; path: string }
    if (value === null || typeof value !== 'object') continue
    if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, path: `${path}[${index}]` }))
      continue
    }
    for (const [name, member] of Object.entries(value)) {
      const memberPath = path === '' ? name : `${path}.${name}`
      if (name === '@context') {
        const entries = Array.isArray(member) ? member : [member]
        entries.forEach((entry, index) => {
          if (entry !== null && typeof entry === 'object' && Object.hasOwn(entry, term))
            paths.push(Array.isArray(member) ? `${memberPath}[${index}]` : memberPath)
        })
      } else {
        stack.push({ value: member, path: memberPath })
      }
    }
  }
  return paths
}
