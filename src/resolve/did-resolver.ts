import { CredsignError } from '../errors/credsign-error.js'
import { didJwkDocument } from '../did/did-jwk.js'
import { didKeyDocument } from '../did/did-key.js'
import { isDid } from '../did/did-url.js'
import { didWebUrl } from './did-web.js'
import { loadNetworkResolution } from './network-loader.js'
import {
  clockOption,
  fetchOption,
  isLoopbackHost,
  networkLimits,
  numberOption,
  RESOLVER_DEFAULTS,
} from './options.js'
import type { FetchLike } from './options.js'
import { offlineDecode, typedResolution } from './resolution-errors.js'
import { checkDidDocument } from './resolved-document.js'
import type { ResolvedDidDocument } from './resolved-document.js'
import type { ResolveOptions } from './types.js'

/**
 * Options of {@link createDidResolver} (and of `createResolver`, which passes them on).
 *
 * @example
 *
 * ```ts
 * import { createDidResolver, type DidResolverOptions } from 'credsign'
 * const options: DidResolverOptions = {
 *   fetch: globalThis.fetch,
 *   timeoutMs: 3000,
 *   cacheTtlMs: 60_000,
 * }
 * const resolver = createDidResolver(options)
 * ```
 */
export interface DidResolverOptions {
  /**
   * Enables did:web. Without it nothing is ever fetched and did:web answers
   * `resolver_not_configured`. Pass a fetch that itself restricts destinations (see
   * docs/resolvers.md).
   */
  fetch?: FetchLike
  /** Whole-request timeout in milliseconds (default 5000). */
  timeoutMs?: number
  /** Largest accepted DID document in bytes (default 262144, 256 KiB), enforced while streaming. */
  maxBytes?: number
  /** Keep fetched did:web documents this long, in milliseconds (default 0: no cache). */
  cacheTtlMs?: number
  /** Most documents kept (default 1000); the oldest is dropped first. */
  cacheMaxEntries?: number
  /**
   * Resolve did:web DIDs of `localhost` / `*.localhost`, over `http:`. Tests and local development
   * only: without it such DIDs are refused, so a credential cannot make a service fetch from
   * itself.
   */
  allowHttp?: boolean
  /** Clock for cache expiry, epoch milliseconds (default `Date.now`). */
  clock?: () => number
}

/**
 * Resolves DIDs to their DID documents.
 *
 * @example
 *
 * ```ts
 * import { createDidResolver, type DidResolver } from 'credsign'
 * const resolver: DidResolver = createDidResolver()
 * const doc = await resolver.resolveDid(
 *   'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
 * )
 * ```
 */
export interface DidResolver {
  /**
   * The DID document of `did` (a DID, not a DID URL). Errors: `malformed`,
   * `resolver_not_configured` (did:web without `fetch`, any method credsign does not know),
   * `key_resolution_failed`, `unsupported_algorithm` (a did:key of a key type credsign does not
   * support).
   */
  resolveDid(did: string, options?: ResolveOptions): Promise<ResolvedDidDocument>
}

/**
 * A DID resolver:
 *
 * - `did:key` and `did:jwk`: built in, offline, the document is derived from the DID itself;
 * - `did:web`: only when `fetch` is given, per the did:web method (see {@link didWebUrl}), over
 *   `https:` only, never to `localhost` (unless `allowHttp`) or an IP address, with a timeout
 *   (default 5 s, the caller's `signal` is honoured too), a size limit (default 256 KiB, counted
 *   while the body streams), a JSON media type (`application/did+json`, `application/did+ld+json`,
 *   `application/json`), redirects refused, and the document's `id` required to equal the DID (see
 *   `checkDidDocument` for the other checks);
 * - Anything else: `resolver_not_configured`.
 *
 * With `cacheTtlMs`, fetched documents are kept in memory (failures never are); each call gets its
 * own copy.
 *
 * @example
 *
 * ```ts
 * import { createDidResolver } from 'credsign'
 * const resolver = createDidResolver({ fetch: globalThis.fetch, cacheTtlMs: 5 * 60_000 })
 * const doc = await resolver.resolveDid(
 *   'did:jwk:eyJjcnYiOiJFZDI1NTE5Iiwia3R5IjoiT0tQIiwieCI6InNBMk5rNDVfZHoxUlZscXROcVlqOVRSUGYxMFpZUG5QUG80U1lnNmlnUTgifQ',
 * )
 * doc.verificationMethod?.[0]?.type // 'JsonWebKey2020'
 * ```
 */
export function createDidResolver(options: DidResolverOptions = {}): DidResolver {
  if (typeof options !== 'object' || options === null)
    throw new CredsignError('invalid_argument', 'resolver options must be an object')
  const fetch = fetchOption(options.fetch)
  const limits = networkLimits(options)
  const allowHttp = options.allowHttp === true
  const cacheTtlMs = numberOption(
    options.cacheTtlMs,
    'cacheTtlMs',
    RESOLVER_DEFAULTS.didCacheTtlMs,
    0,
    7 * 24 * 3_600_000,
  )
  const cacheMaxEntries = numberOption(
    options.cacheMaxEntries,
    'cacheMaxEntries',
    RESOLVER_DEFAULTS.cacheMaxEntries,
    1,
    1_000_000,
  )
  const clock = clockOption(options.clock)
  // The fetch and the cache (network-resolution.ts) load on the first did:web resolution: every
  // option above is checked now, so a bad one still throws when the resolver is made.
  let documents:
    | ((did: string, url: string, signal: AbortSignal | undefined) => Promise<ResolvedDidDocument>)
    | undefined

  const resolveWeb = async (
    did: string,
    signal: AbortSignal | undefined,
  ): Promise<ResolvedDidDocument> => {
    if (fetch === undefined) return didWebNeedsFetch()
    const url = didWebUrl(did, { allowHttp })
    // The DID usually comes from an untrusted credential: it must not make this service call itself.
    if (!allowHttp && isLoopbackHost(new URL(url).hostname)) {
      throw new CredsignError(
        'key_resolution_failed',
        'a did:web on localhost is resolved only with allowHttp (local development)',
      )
    }
    if (documents === undefined) {
      const { didWebDocuments } = await loadNetworkResolution()
      documents ??= didWebDocuments({
        fetch,
        limits,
        cacheTtlMs,
        cacheMaxEntries,
        clock,
        checkDocument: checkDidDocument,
      })
    }
    return documents(did, url, signal)
  }

  return didResolverOver(resolveWeb)
}

/**
 * What every DID resolver answers for a did:web when no fetch was given.
 *
 * @example
 *
 * ```ts
 * await didWebNeedsFetch() // rejects: resolver_not_configured
 * ```
 *
 * @internal
 */
export async function didWebNeedsFetch(): Promise<never> {
  throw new CredsignError(
    'resolver_not_configured',
    'did:web needs a fetch: pass `fetch` to the resolver',
  )
}

/**
 * A DID resolver: did:key and did:jwk from the DID, did:web by `resolveWeb`, nothing else. Over
 * {@link didWebNeedsFetch} it is what `createDidResolver()` makes with no options, without the
 * option checks and the did:web code only a `fetch` uses: the default resolver is built so, and an
 * app that verifies offline bundles neither.
 *
 * @example
 *
 * ```ts
 * const offline = didResolverOver(didWebNeedsFetch)
 * const doc = await offline.resolveDid(
 *   'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
 * )
 * ```
 *
 * @internal
 */
export function didResolverOver(
  resolveWeb: (did: string, signal: AbortSignal | undefined) => Promise<ResolvedDidDocument>,
): DidResolver {
  return {
    resolveDid(did: string, resolveOptions: ResolveOptions = {}): Promise<ResolvedDidDocument> {
      return typedResolution(async () => {
        if (!isDid(did))
          throw new CredsignError('malformed', 'not a DID (a DID URL names a key: use resolveKey)')
        if (did.startsWith('did:key:')) return offlineDecode(() => didKeyDocument(did))
        if (did.startsWith('did:jwk:')) return offlineDecode(() => didJwkDocument(did))
        if (did.startsWith('did:web:')) return resolveWeb(did, resolveOptions?.signal)
        throw new CredsignError(
          'resolver_not_configured',
          `no resolver for did:${did.split(':')[1] ?? ''}: pass one in \`resolvers\``,
        )
      })
    },
  }
}

/**
 * Resolves one DID with a resolver made for this call (so nothing is cached): did:key and did:jwk
 * offline, did:web only with `fetch`. See {@link createDidResolver}.
 *
 * @example
 *
 * ```ts
 * import { resolveDid } from 'credsign'
 * const doc = await resolveDid('did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2')
 * doc.assertionMethod // ['did:key:z6Mkr…#z6Mkr…']
 * ```
 */
export function resolveDid(
  did: string,
  options: DidResolverOptions & ResolveOptions = {},
): Promise<ResolvedDidDocument> {
  return typedResolution(async () => {
    const { signal, ...resolverOptions } = options ?? {}
    return createDidResolver(resolverOptions).resolveDid(
      did,
      signal === undefined ? {} : { signal },
    )
  })
}
