import { CredsignError } from '../errors/credsign-error.js'
import { loadBoundedFetch } from '../resolve/network-loader.js'
import {
  clockOption,
  fetchOption,
  isLoopbackHost,
  numberOption,
  type FetchLike,
} from '../resolve/options.js'
import {
  DEFAULT_STATUS_CACHE_MAX_BYTES,
  type StatusListLimits,
  type StatusListRequest,
  type StatusListSource,
} from '../verify/status-list-source.js'
import { DEFAULT_MAX_STATUS_LIST_BYTES } from './compression.js'
import { BITSTRING_MIN_BITS } from './bitstring.js'
import { shownUrl } from '../util/shown-url.js'

/**
 * Options of {@link createStatusListResolver}.
 *
 * @example
 *
 * ```ts
 * import type { StatusListResolverOptions } from 'credsign'
 * const options: StatusListResolverOptions = {
 *   fetch: globalThis.fetch, // without it, only `lists` are known: nothing is fetched
 *   timeoutMs: 3000,
 *   defaultCacheMs: 60_000,
 * }
 * ```
 */
export interface StatusListResolverOptions {
  /**
   * Fetches lists over `https:`, under the same rules as key resolution: no redirects, no cookies,
   * one timeout, a size limit, never this machine (see `allowHttp`). Without it nothing is
   * fetched.
   */
  fetch?: FetchLike
  /**
   * Local development only (default false): fetch lists from loopback hosts (`localhost`,
   * 127.0.0.0/8, `[::1]`), over `http:` too. Without it a list URL on this machine is
   * `status_list_unavailable` before any request: the URL comes from the credential, whose issuer
   * may be anyone, and must not make this service call itself (as for did:web).
   */
  allowHttp?: boolean
  /**
   * Lists already at hand, by URL (a stapled or pre-fetched list): the JWT text, or the JSON
   * credential. Taken before `fetch`, and verified like a fetched list.
   */
  lists?: Readonly<Record<string, string | Record<string, unknown>>>
  /** Whole request, in milliseconds (default 5000). */
  timeoutMs?: number
  /** Largest response body, in bytes (default 4 MiB). */
  maxBytes?: number
  /** Largest decompressed list, in bytes (default 16 MiB). */
  maxListBytes?: number
  /**
   * Fewest entries of a Bitstring Status List (default 131,072, the specification's minimum; lower
   * it only for an ecosystem that sets another bound).
   */
  minimumBitstringEntries?: number
  /** Verified lists kept (default 1000). */
  cacheMaxEntries?: number
  /** Decoded bytes of the verified lists kept, in total (default 64 MiB). */
  cacheMaxBytes?: number
  /** Reuse of a list that states no `ttl`, in milliseconds (default 300000; 0: never reused). */
  defaultCacheMs?: number
  /** Cap on a list's `ttl`, in milliseconds (default 86400000, one day). */
  maxCacheMs?: number
  /** The cache's clock, epoch milliseconds (default `Date.now`). */
  clock?: () => number
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024

/**
 * Builds the `statusLists` option of `verify()`: where status lists come from, and the limits and
 * cache applied to them. Keep one and reuse it: lists it verified are cached (by URL, for the
 * list's `ttl` or `defaultCacheMs`, never past its `validUntil` / `exp`, at most
 * `cacheMaxEntries`). Offline by default: with neither `fetch` nor `lists`, every list is
 * `status_list_unavailable`.
 *
 * @example
 *
 * ```ts
 * import { createStatusListResolver, verify } from 'credsign'
 * declare const sdJwtVc: string
 * const statusLists = createStatusListResolver({ fetch: globalThis.fetch })
 * const result = await verify(sdJwtVc, { statusLists })
 * if (result.errors.some((e) => e.code === 'status_revoked')) console.log('revoked')
 * ```
 */
export function createStatusListResolver(
  options: StatusListResolverOptions = {},
): StatusListSource {
  if (options === null || typeof options !== 'object')
    throw new CredsignError('invalid_argument', 'status list resolver options must be an object')
  const fetch = fetchOption(options.fetch)
  if (options.allowHttp !== undefined && typeof options.allowHttp !== 'boolean')
    throw new CredsignError('invalid_argument', 'allowHttp must be a boolean')
  const allowHttp = options.allowHttp === true
  const lists = listsOption(options.lists)
  const timeoutMs = numberOption(options.timeoutMs, 'timeoutMs', 5_000, 1, 600_000)
  const maxBytes = numberOption(
    options.maxBytes,
    'maxBytes',
    DEFAULT_MAX_BODY_BYTES,
    1,
    256 * 1024 * 1024,
  )
  const limits: StatusListLimits = Object.freeze({
    maxListBytes: numberOption(
      options.maxListBytes,
      'maxListBytes',
      DEFAULT_MAX_STATUS_LIST_BYTES,
      1,
      1024 * 1024 * 1024,
    ),
    minimumBitstringEntries: numberOption(
      options.minimumBitstringEntries,
      'minimumBitstringEntries',
      BITSTRING_MIN_BITS,
      1,
      2 ** 32,
    ),
    cacheMaxEntries: numberOption(options.cacheMaxEntries, 'cacheMaxEntries', 1_000, 0, 1_000_000),
    cacheMaxBytes: numberOption(
      options.cacheMaxBytes,
      'cacheMaxBytes',
      DEFAULT_STATUS_CACHE_MAX_BYTES,
      0,
      2 ** 40,
    ),
    defaultCacheMs: numberOption(options.defaultCacheMs, 'defaultCacheMs', 300_000, 0, 2 ** 40),
    maxCacheMs: numberOption(options.maxCacheMs, 'maxCacheMs', 86_400_000, 0, 2 ** 40),
    clock: clockOption(options.clock),
  })
  return {
    limits,
    async fetchList(url: string, request: StatusListRequest): Promise<string> {
      const given = lists.get(url)
      if (given !== undefined) return given
      if (fetch === undefined)
        throw new CredsignError(
          'status_list_unavailable',
          `${shownUrl(url)} is not among the lists given and no fetch is configured (offline)`,
        )
      checkFetchableUrl(url, allowHttp)
      try {
        // Loaded on the first fetch: a resolver given only `lists` never loads it.
        const { fetchJsonText } = await loadBoundedFetch()
        return await fetchJsonText(url, {
          fetch,
          timeoutMs,
          maxBytes,
          mediaTypes: request.mediaTypes,
          signal: request.signal,
        })
      } catch (cause) {
        throw new CredsignError(
          'status_list_unavailable',
          `${shownUrl(url)} could not be fetched: ${CredsignError.is(cause) ? cause.message : 'the request failed'}`,
          { cause },
        )
      }
    },
  }
}

function listsOption(value: unknown): Map<string, string> {
  const lists = new Map<string, string>()
  if (value === undefined) return lists
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CredsignError('invalid_argument', 'lists must be an object of URL → list')
  for (const [url, list] of Object.entries(value)) {
    if (typeof list === 'string') lists.set(url, list)
    else if (list !== null && typeof list === 'object' && !Array.isArray(list))
      lists.set(url, JSON.stringify(list))
    else
      throw new CredsignError(
        'invalid_argument',
        'each list must be a JWT string or a JSON credential object',
      )
  }
  return lists
}

/**
 * `https:` to another machine; with `allowHttp`, `http:` or `https:` to this one. A status list is
 * never fetched in clear over a network, nor from this machine because a credential said so.
 */
function checkFetchableUrl(url: string, allowHttp: boolean): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new CredsignError('status_list_unavailable', `${shownUrl(url)} is not a URL`)
  }
  // `localhost.` is `localhost`; other spellings of this machine (0.0.0.0, [::], an IPv4-mapped
  // address) and every other IP address are refused with the rest of the IP literals below.
  const host = parsed.hostname.replace(/\.$/, '')
  if (isLoopbackHost(host)) {
    if (allowHttp && (parsed.protocol === 'https:' || parsed.protocol === 'http:')) return
    throw new CredsignError(
      'status_list_unavailable',
      `${shownUrl(url)} is on this machine: status lists are fetched from loopback hosts only with allowHttp (local development)`,
    )
  }
  // As for a did:web host: a list is published under a domain name, and an IP address in a
  // credential points the verifier at a network (its own, its cloud's) by number.
  if (host.startsWith('[') || /^[0-9.]+$/.test(host))
    throw new CredsignError(
      'status_list_unavailable',
      `${shownUrl(url)}: a status list host must be a domain name, not an IP address`,
    )
  if (parsed.protocol === 'https:') return
  throw new CredsignError(
    'status_list_unavailable',
    `${shownUrl(url)} is not an https: URL: status lists are fetched over https only`,
  )
}
