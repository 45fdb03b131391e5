// What verify() needs to know about status lists, at the layer of its options: the source of
// published lists the caller configures (`createStatusListResolver` from `credsign` builds one),
// and the outcome of one status check. The checking itself lives in src/status/.

/**
 * What a {@link StatusListSource} is asked for: the media types the list may be served as (sent as
 * `Accept` and held to the response's `Content-Type`) and an abort signal.
 */
export interface StatusListRequest {
  /**
   * `application/statuslist+jwt` for a Token Status List; `application/vc+jwt`, `application/vc`,
   * `application/vc+ld+json`, `application/ld+json`, `application/json` for a Bitstring Status List
   * credential.
   */
  mediaTypes: readonly string[]
  signal?: AbortSignal
}

/**
 * The limits `verify()` applies to the lists of a {@link StatusListSource}.
 *
 * @example
 *
 * ```ts
 * import { createStatusListResolver } from 'credsign'
 * createStatusListResolver().limits.minimumBitstringEntries // 131072
 * ```
 */
export interface StatusListLimits {
  /** Largest decompressed list, in bytes (a zip bomb stops here: `status_list_too_large`). */
  readonly maxListBytes: number
  /**
   * Fewest entries a Bitstring Status List may have (W3C Bitstring Status List v1.0 section 3.2:
   * 131,072): a shorter list gives its holders too little herd privacy (`status_list_too_short`).
   */
  readonly minimumBitstringEntries: number
  /** Verified lists kept, by URL, before the least recently used is dropped. */
  readonly cacheMaxEntries: number
  /**
   * Decoded bytes of the verified lists kept, in total (default 64 MiB): least recently used lists
   * are dropped beyond it, and a list larger than it is not kept.
   */
  readonly cacheMaxBytes?: number
  /**
   * How long a verified list is reused when it states no `ttl`, in milliseconds; a list is never
   * reused past its own `validUntil` / `exp`.
   */
  readonly defaultCacheMs: number
  /** Upper bound on a list's own `ttl`, in milliseconds (a list cannot pin itself in the cache). */
  readonly maxCacheMs: number
  /** The clock of the cache (epoch milliseconds). */
  readonly clock: () => number
}

/**
 * Default of {@link StatusListLimits.cacheMaxBytes}: 64 MiB, four lists of the largest default size
 * or thousands of common ones.
 *
 * @example
 *
 * ```ts
 * import { createStatusListResolver } from 'credsign'
 * createStatusListResolver().limits.cacheMaxBytes // 67108864
 * ```
 *
 * @internal
 */
export const DEFAULT_STATUS_CACHE_MAX_BYTES = 64 * 1024 * 1024

/**
 * Where `verify()` (option `statusLists`) gets the status lists credentials point to. Build one
 * with `createStatusListResolver` and keep it: verified lists are cached per source, by `ttl` and
 * validity.
 *
 * @example
 *
 * ```ts
 * import { createStatusListResolver, verify } from 'credsign'
 * declare const credential: string
 * const statusLists = createStatusListResolver({ fetch: globalThis.fetch })
 * const result = await verify(credential, { statusLists })
 * result.status // [{ purpose: 'revocation', value: 0, valid: true, … }]
 * ```
 */
export interface StatusListSource {
  /**
   * The list published at `url`, as served: a compact JWT (`statuslist+jwt`, `vc+jwt`) or the JSON
   * text of a Data Integrity credential. Throws when it cannot be had (a `CredsignError`
   * `status_list_unavailable`, or anything else, reported as that code).
   */
  fetchList(url: string, request: StatusListRequest): Promise<string>
  readonly limits: StatusListLimits
}

/**
 * One status `verify()` read from a status list (`result.status`), whatever it means for the
 * verdict.
 *
 * @example
 *
 * ```ts
 * import type { StatusOutcome } from 'credsign'
 * const outcome: StatusOutcome = {
 *   mechanism: 'bitstring',
 *   list: 'https://issuer.example/status/1',
 *   index: 94567,
 *   purpose: 'revocation',
 *   value: 1,
 *   valid: false,
 * }
 * ```
 */
export interface StatusOutcome {
  /**
   * `bitstring`: a `BitstringStatusListEntry` (W3C); `token-status-list`: `status.status_list`
   * (IETF).
   */
  mechanism: 'bitstring' | 'token-status-list'
  /** The list's URL (`statusListCredential` / `uri`). */
  list: string
  index: number
  /**
   * The entry's `statusPurpose` (`revocation`, `suspension`, `refresh`, `message`, …); for a Token
   * Status List, `status_list`.
   */
  purpose: string
  /** The status value read from the list. */
  value: number
  /**
   * False when the value withdraws the credential (revoked, suspended) or has no meaning credsign
   * knows.
   */
  valid: boolean
  /**
   * The meaning of the value: the entry's `statusMessage` for it (Bitstring), or the Token Status
   * List type name (`VALID`, `INVALID`, `SUSPENDED`).
   */
  message?: string
}
