import { CredsignError } from '../../errors/credsign-error.js'
import { loadBoundedFetch } from '../../resolve/network-loader.js'
import { numberOption, RESOLVER_DEFAULTS } from '../../resolve/options.js'
import type { FetchLike } from '../../resolve/options.js'
import { BUNDLED_CONTEXT_DOCUMENTS } from './contexts/index.js'
import type { DocumentLoader, RemoteDocument } from './types.js'
import { shownUrl } from '../../util/shown-url.js'

/**
 * Options of {@link createDocumentLoader}.
 *
 * @example
 *
 * ```ts
 * import type { DocumentLoaderOptions } from 'credsign/data-integrity'
 * const options: DocumentLoaderOptions = {
 *   contexts: {
 *     'https://example.org/ctx/v1': { '@context': { name: 'https://schema.org/name' } },
 *   },
 * }
 * ```
 */
export interface DocumentLoaderOptions {
  /** Extra contexts by URL (they take precedence over bundled ones with the same URL). */
  contexts?: Readonly<Record<string, unknown>>
  /**
   * Fetches contexts that are neither bundled nor in `contexts`. Absent by default: credsign never
   * fetches a context unless you pass this. Only `https:` URLs are fetched; redirects are refused;
   * each answer is cached for the loader's lifetime (contexts are immutable by convention).
   */
  fetch?: FetchLike
  /** Network limits for `fetch` (defaults: `RESOLVER_DEFAULTS`). */
  timeoutMs?: number
  maxBytes?: number
}

/** Deep-frozen copies, so no caller (and no JSON-LD processor) can alter a shared context. */
function frozenCopy(value: unknown): unknown {
  return deepFreeze(JSON.parse(JSON.stringify(value)) as unknown)
}

function deepFreeze(value: unknown): unknown {
  if (value !== null && typeof value === 'object') {
    for (const member of Object.values(value)) deepFreeze(member)
    Object.freeze(value)
  }
  return value
}

function plainCopy(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown
}

let bundled: Map<string, unknown> | undefined
function bundledContexts(): Map<string, unknown> {
  bundled ??= new Map(
    BUNDLED_CONTEXT_DOCUMENTS.map(([url, document]) => [url, frozenCopy(document)]),
  )
  return bundled
}

/**
 * The URLs of the JSON-LD contexts credsign ships: credentials v1 and v2 (and their examples and
 * undefined-terms contexts), data-integrity v1 and v2, multikey v1, jwk v1, did v1, ed25519-2020 v1
 * and citizenship v4rc1.
 *
 * @example
 *
 * ```ts
 * import { bundledContextUrls } from 'credsign/data-integrity'
 * bundledContextUrls().includes('https://www.w3.org/ns/credentials/v2') // true
 * ```
 */
export function bundledContextUrls(): string[] {
  return [...bundledContexts().keys()]
}

/**
 * An offline JSON-LD document loader: bundled contexts plus the ones you add. Any other URL is
 * `context_not_found`, and nothing is fetched, unless you pass `fetch` (then only `https:` URLs,
 * within the size and time limits, cached for the loader's lifetime).
 *
 * @example
 *
 * ```ts
 * import { createDocumentLoader } from 'credsign/data-integrity'
 * const loader = createDocumentLoader({
 *   contexts: {
 *     'https://example.org/ctx/v1': { '@context': { name: 'https://schema.org/name' } },
 *   },
 * })
 * await loader('https://example.org/ctx/v1') // the added context
 * await loader('https://www.w3.org/ns/credentials/v2') // bundled
 * await loader('https://unknown.example/ctx').catch((e) => e.code) // 'context_not_found'
 * ```
 */
export function createDocumentLoader(options: DocumentLoaderOptions = {}): DocumentLoader {
  if (options === null || typeof options !== 'object')
    throw new CredsignError('invalid_argument', 'document loader options must be an object')
  const added = new Map<string, unknown>()
  if (options.contexts !== undefined) {
    if (options.contexts === null || typeof options.contexts !== 'object')
      throw new CredsignError(
        'invalid_argument',
        'contexts must be an object of URL → context document',
      )
    for (const [url, document] of Object.entries(options.contexts)) {
      if (document === null || typeof document !== 'object' || Array.isArray(document)) {
        throw new CredsignError(
          'invalid_argument',
          `the context for ${shownUrl(url)} must be a JSON object`,
        )
      }
      let copy: unknown
      try {
        copy = frozenCopy(document)
      } catch (cause) {
        throw new CredsignError(
          'invalid_argument',
          `the context for ${shownUrl(url)} is not JSON`,
          { cause },
        )
      }
      added.set(url, copy)
    }
  }
  const fetch = options.fetch
  if (fetch !== undefined && typeof fetch !== 'function')
    throw new CredsignError('invalid_argument', 'fetch must be a function')
  const timeoutMs = numberOption(
    options.timeoutMs,
    'timeoutMs',
    RESOLVER_DEFAULTS.timeoutMs,
    1,
    600_000,
  )
  const maxBytes = numberOption(
    options.maxBytes,
    'maxBytes',
    RESOLVER_DEFAULTS.maxBytes,
    1,
    64 * 1024 * 1024,
  )
  const fetched = new Map<string, Promise<unknown>>()

  const contexts = bundledContexts()
  return async (url: string): Promise<RemoteDocument> => {
    if (typeof url !== 'string')
      throw new CredsignError('context_not_found', 'a context reference must be a URL string')
    const known = added.get(url) ?? contexts.get(url)
    // A fresh copy per call: JSON-LD processors rewrite relative URLs inside the documents they are
    // given. (Processed contexts are cached per loader, so this runs once per context and loader.)
    if (known !== undefined)
      return { documentUrl: url, document: plainCopy(known), contextUrl: null }
    const shown = shownUrl(url)
    if (fetch === undefined) {
      throw new CredsignError(
        'context_not_found',
        `the JSON-LD context ${shown} is not bundled or added, and credsign does not fetch contexts unless a fetcher is configured`,
      )
    }
    if (!url.startsWith('https://'))
      throw new CredsignError('context_not_found', `only https: contexts are fetched, not ${shown}`)
    let pending = fetched.get(url)
    if (pending === undefined) {
      // The bounded GET loads on the first fetch: a loader without `fetch` never loads it.
      pending = loadBoundedFetch().then(({ fetchJsonText, parseJsonObject }) =>
        fetchJsonText(url, {
          fetch,
          timeoutMs,
          maxBytes,
          mediaTypes: ['application/ld+json', 'application/json'],
        }).then((text) => frozenCopy(parseJsonObject(text))),
      )
      fetched.set(url, pending)
      // A failed fetch is not remembered: the next use tries again.
      pending.catch(() => fetched.delete(url))
    }
    try {
      return { documentUrl: url, document: plainCopy(await pending), contextUrl: null }
    } catch (cause) {
      throw new CredsignError(
        'context_not_found',
        `the JSON-LD context ${shown} could not be fetched`,
        { cause },
      )
    }
  }
}

let defaultLoader: DocumentLoader | undefined
/** The shared offline loader (bundled contexts only). @internal */
export function offlineDocumentLoader(): DocumentLoader {
  defaultLoader ??= createDocumentLoader()
  return defaultLoader
}
