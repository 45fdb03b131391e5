import { lazyModule } from '../util/lazy-module.js'

/**
 * The did:web and JWK Set code (network-resolution.ts), loaded on the first resolution that needs
 * the caller's `fetch`: an app that never passes one never loads it. A chunk that did not load
 * (offline, a bundler that dropped it) is `crypto_unavailable` naming it, retried on the next call
 * (util/lazy-module.ts); the resolver contract lets it through (`KeyResolver`), and
 * `combineResolvers` ranks it above `resolver_not_configured` and `key_not_found`.
 *
 * @example
 *
 * ```ts
 * const { jwksKeySet } = await loadNetworkResolution()
 * ```
 *
 * @internal
 */
export const loadNetworkResolution = /* @__PURE__ */ lazyModule(
  () => import('./network-resolution.js'),
  'the network resolution module (did:web, JWK Sets)',
)

/**
 * The bounded GET (bounded-fetch.ts), loaded on the first fetch of a status list, a revocation
 * answer or a JSON-LD context (network-resolution.ts imports it itself): an app that configures no
 * fetch never loads it. A chunk that did not load is `crypto_unavailable` naming it, retried on the
 * next call; the callers report it as they report a failed fetch (`status_list_unavailable`,
 * `revocation_unavailable`, `context_not_found`, the cause kept).
 *
 * @example
 *
 * ```ts
 * const { fetchJsonText } = await loadBoundedFetch()
 * ```
 *
 * @internal
 */
export const loadBoundedFetch = /* @__PURE__ */ lazyModule(
  () => import('./bounded-fetch.js'),
  'the network fetch module',
)
