import { CredsignError } from '../errors/credsign-error.js'

/**
 * The `fetch` credsign calls for network resolution (did:web, JWKS URLs). `globalThis.fetch` fits;
 * so does any wrapper that restricts destinations, adds a proxy or logs. credsign passes `redirect:
 * 'manual'`, `credentials: 'omit'` and an abort `signal` in `init`; a wrapper should forward them.
 *
 * @example
 *
 * ```ts
 * import type { FetchLike } from 'credsign'
 * const allowed = new Set(['issuer.example'])
 * const restricted: FetchLike = (url, init) => {
 *   if (!allowed.has(new URL(url).hostname))
 *     return Promise.reject(new Error('destination not allowed'))
 *   return fetch(url, init)
 * }
 * ```
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

/**
 * The limits network resolution uses when the caller does not set them.
 *
 * @example
 *
 * ```ts
 * import { RESOLVER_DEFAULTS } from 'credsign'
 * RESOLVER_DEFAULTS.timeoutMs // 5000
 * ```
 */
export const RESOLVER_DEFAULTS = Object.freeze({
  /** Whole request, headers and body, in milliseconds. */
  timeoutMs: 5_000,
  /** Largest accepted response body: 256 KiB. */
  maxBytes: 256 * 1024,
  /** Did:web documents are not cached unless `cacheTtlMs` is set. */
  didCacheTtlMs: 0,
  /** A fetched JWKS is reused for 5 minutes (a `kid` miss may refetch sooner). */
  jwksCacheTtlMs: 5 * 60_000,
  /** Entries kept by a resolver's cache before the oldest is dropped. */
  cacheMaxEntries: 1_000,
  /** A `kid` miss refetches a JWKS at most this often. */
  jwksRefetchIntervalMs: 30_000,
})

/** Network limits after validation. @internal */
export interface NetworkLimits {
  timeoutMs: number
  maxBytes: number
}

/**
 * Validates an optional number option: a finite number in [min, max] (an integer when asked), else
 * `invalid_argument`. Returns the fallback when the option is absent.
 *
 * @example
 *
 * ```ts
 * numberOption(undefined, 'timeoutMs', 5000, 1, 600000) // 5000
 * ```
 */
export function numberOption(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
  integer = true,
): number {
  if (value === undefined) return fallback
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new CredsignError(
      'invalid_argument',
      `${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
    )
  }
  return value
}

/**
 * Validates the timeout and size limit shared by every network resolver.
 *
 * @example
 *
 * ```ts
 * networkLimits({ timeoutMs: 2000 }) // { timeoutMs: 2000, maxBytes: 262144 }
 * ```
 */
export function networkLimits(options: {
  timeoutMs?: number | undefined
  maxBytes?: number | undefined
}): NetworkLimits {
  return {
    // A resolution that takes longer than ten minutes is a bug in the caller's configuration.
    timeoutMs: numberOption(
      options.timeoutMs,
      'timeoutMs',
      RESOLVER_DEFAULTS.timeoutMs,
      1,
      600_000,
    ),
    maxBytes: numberOption(
      options.maxBytes,
      'maxBytes',
      RESOLVER_DEFAULTS.maxBytes,
      1,
      64 * 1024 * 1024,
    ),
  }
}

/**
 * Validates an optional `fetch` option: absent, or a function.
 *
 * @example
 *
 * ```ts
 * fetchOption(globalThis.fetch) // the function
 * ```
 */
export function fetchOption(value: unknown): FetchLike | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function')
    throw new CredsignError('invalid_argument', 'fetch must be a function')
  return value as FetchLike
}

/**
 * Validates an optional clock option (epoch milliseconds), defaulting to `Date.now`.
 *
 * @example
 *
 * ```ts
 * clockOption(undefined)() > 0 // true
 * ```
 */
export function clockOption(value: unknown): () => number {
  if (value === undefined) return Date.now
  if (typeof value !== 'function')
    throw new CredsignError('invalid_argument', 'clock must be a function')
  return value as () => number
}

/**
 * Whether `hostname` (as `URL.hostname` gives it) names this machine: `localhost`, a `*.localhost`
 * name, a 127.0.0.0/8 address or `[::1]`. Plain HTTP is allowed to these only.
 *
 * @example
 *
 * ```ts
 * isLoopbackHost('localhost') // true
 * isLoopbackHost('issuer.example') // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127(?:\.\d{1,3}){3}$/.test(host) ||
    host === '[::1]'
  )
}
