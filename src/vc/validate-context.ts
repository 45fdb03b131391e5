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
    if (typeof entry === 'string') {
      if (!isAbsoluteUrl(entry)) problems.add(joinPath(at, index), '@context entries must be URLs or objects')
      else if (entry === VC_V1_CONTEXT || entry === VC_V2_CONTEXT) problems.add(joinPath(at, index), 'a base context may appear only first')
    } else if (!isJsonObject(entry)) {
      problems.add(joinPath(at, index), '@context entries must be URLs or objects')
    }
  })
}
