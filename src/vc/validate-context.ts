import { VC_V1_CONTEXT, VC_V2_CONTEXT } from './contexts.js'
import type { VcVersion } from './types.js'
import { isAbsoluteUrl, isJsonObject, joinPath, type Problems } from './validate-shared.js'

/**
 * Checks `@context`: present, an ordered set whose first entry is the base context of `version`,
 * every other entry a URL or an inline context object. Whether the URLs resolve and what inline
 * contexts define is JSON-LD processing, left to Data Integrity (JWT formats never expand).
 */
export function checkContext(document: Record<string, unknown>, version: VcVersion, problems: Problems, path: string): void {
  const at = joinPath(path, '@context')
  const context = document['@context']
  if (context === undefined) {
    problems.add(at, '@context is required')
    return
  }
  const entries = Array.isArray(context) ? (context as unknown[]) : [context]
  const base = version === '2.0' ? VC_V2_CONTEXT : VC_V1_CONTEXT
  if (entries[0] !== base) {
    problems.add(joinPath(at, 0), `the first @context entry must be ${base}`)
  }
  entries.forEach((entry, index) => {
    if (index === 0) return
    checkEntry(entry, { baseAllowed: false }, problems, joinPath(at, index))
  })
}

/**
 * Checks the `@context` of an `EnvelopedVerifiableCredential` (VCDM 2.0 section 4.13.1): present,
 * every entry a URL or an inline context object. The spec asks for "a context, such as the base
 * context", that defines `id`, `type` and `EnvelopedVerifiableCredential`, so the base context is
 * not required first here; which terms a context defines is JSON-LD processing.
 */
export function checkEnvelopeContext(document: Record<string, unknown>, problems: Problems, path: string): void {
  const at = joinPath(path, '@context')
  const context = document['@context']
  if (context === undefined) {
    problems.add(at, 'an EnvelopedVerifiableCredential needs an @context (the base context defines its terms)')
    return
  }
  if (Array.isArray(context)) {
    if (context.length === 0) problems.add(at, '@context must not be empty')
    context.forEach((entry, index) => checkEntry(entry, { baseAllowed: index === 0 }, problems, joinPath(at, index)))
  } else {
    checkEntry(context, { baseAllowed: true }, problems, at)
  }
}

/** One `@context` entry: a URL (a base context only where `baseAllowed`) or an inline context object. */
function checkEntry(entry: unknown, rules: { baseAllowed: boolean }, problems: Problems, at: string): void {
  if (typeof entry === 'string') {
    if (!isAbsoluteUrl(entry)) problems.add(at, '@context entries must be URLs or objects')
    else if (!rules.baseAllowed && (entry === VC_V1_CONTEXT || entry === VC_V2_CONTEXT)) problems.add(at, 'a base context may appear only first')
  } else if (!isJsonObject(entry)) {
    problems.add(at, '@context entries must be URLs or objects')
  }
}
