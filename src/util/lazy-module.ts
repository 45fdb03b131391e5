import { CredsignError, type ErrorCode } from '../errors/credsign-error.js'

/**
 * A loader for a module credsign imports on first use (`import()`: @noble/curves where the platform
 * lacks an algorithm, a password KDF, SHA-3, a format's chunk). The first call runs `load`, and
 * every call shares its promise, in flight or settled. A load that fails (a browser offline, a CDN
 * 404, a bundler that dropped the chunk, an install without the file) rejects with a typed
 * `CredsignError` (`code`, default `crypto_unavailable`) naming `what` and keeping the import's
 * error as `cause`, never with the raw `TypeError`; and it is not remembered: the next call imports
 * again, so one network blip does not break the process for good.
 *
 * `load` is the call site's own `() => import('literal')`, so bundlers still see (and split) the
 * chunk. Create loaders at module level with a `/* @__PURE__ *\/` annotation, so a bundle that
 * never reaches one drops it.
 *
 * @example
 *
 * ```ts
 * import { lazyModule } from './lazy-module.js'
 * const loadSha3 = lazyModule(() => import('@noble/hashes/sha3.js'), 'SHA-3 (@noble/hashes)')
 * const { sha3_256 } = await loadSha3() // crypto_unavailable if the chunk is missing; retried next call
 * ```
 *
 * @internal
 */
export function lazyModule<T>(
  load: () => Promise<T>,
  what: string,
  code: ErrorCode = 'crypto_unavailable',
): () => Promise<T> {
  let loading: Promise<T> | undefined
  return () =>
    (loading ??= load().catch((cause: unknown) => {
      loading = undefined
      throw new CredsignError(code, `${what} could not be loaded`, { cause })
    }))
}
