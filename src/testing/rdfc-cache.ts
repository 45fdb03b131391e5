// Test-only controls of the RDFC shape-template cache (src/formats/data-integrity/rdfc-template.ts),
// for this repository's tests and benchmarks: compare the templated and the uncached path, count
// hits, start from an empty cache. Deliberately not exported from `credsign/testing` (nor any entry
// point): an application has no reason to switch the cache, and the output is the same either way.
import { rdfcTemplateControls } from '../formats/data-integrity/rdfc-template.js'
import type { RdfcCacheStats } from '../formats/data-integrity/rdfc-template.js'

export type { RdfcCacheStats } from '../formats/data-integrity/rdfc-template.js'

/**
 * Turns the shape-template cache of `canonizeRdfc` on (the default) or off. Turning it off also
 * forgets every template and zeroes the counters.
 *
 * @example
 *
 * ```ts
 * setRdfcCache(false) // every rdfc canonicalization expands the document again
 * ```
 */
export function setRdfcCache(enabled: boolean): void {
  rdfcTemplateControls.setEnabled(enabled)
}

/**
 * The cache's counters since the last reset (hits, misses, fallbacks, uncacheable).
 *
 * @example
 *
 * ```ts
 * rdfcCacheStats() // { hits: 0, misses: 0, fallbacks: 0, uncacheable: 0 }
 * ```
 */
export function rdfcCacheStats(): RdfcCacheStats {
  return rdfcTemplateControls.stats()
}

/**
 * Forgets every template and zeroes the counters.
 *
 * @example
 *
 * ```ts
 * resetRdfcCache()
 * ```
 */
export function resetRdfcCache(): void {
  rdfcTemplateControls.reset()
}
