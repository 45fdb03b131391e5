import { VC_V1_CONTEXT, VC_V2_CONTEXT } from './contexts.js'
import type { VcVersion } from './types.js'

/**
 * The data model version a credential or presentation declares by its first `@context` entry: `2.0`
 * for `https://www.w3.org/ns/credentials/v2`, `1.1` for `https://www.w3.org/2018/credentials/v1`,
 * `undefined` for anything else (no `@context`, another first entry, not an object). Never throws.
 *
 * @example
 *
 * ```ts
 * import { dataModelVersion } from 'credsign'
 * dataModelVersion({ '@context': ['https://www.w3.org/ns/credentials/v2'] }) // '2.0'
 * dataModelVersion({ '@context': 'https://www.w3.org/2018/credentials/v1' }) // '1.1'
 * dataModelVersion({}) // undefined
 * ```
 */
export function dataModelVersion(document: unknown): VcVersion | undefined {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return undefined
  const context = (document as Record<string, unknown>)['@context']
  const first = Array.isArray(context) ? (context[0] as unknown) : context
  if (first === VC_V2_CONTEXT) return '2.0'
  if (first === VC_V1_CONTEXT) return '1.1'
  return undefined
}
