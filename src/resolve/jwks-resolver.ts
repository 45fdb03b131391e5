import { CredsignError } from '../errors/credsign-error.js'
import type { VerificationRelationship } from '../did/did-document.js'
import { signatureUseProblem } from '../keys/key-use.js'
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
import { typedResolution } from './resolution-errors.js'
import { hasPrivateMembers } from './resolved-document.js'
import { resolvedJwk } from './resolved-jwk.js'
import type { KeyResolver, ResolvedKey, ResolveOptions } from './types.js'

/**
 * Options of {@link jwksResolver}.
 *
 * @example
 *
 * ```ts
 * import type { JwksResolverOptions } from 'credsign'
 * const options: JwksResolverOptions = {
 *   url: 'https://issuer.example/.well-known/jwks.json',
 *   fetch: globalThis.fetch,
 *   issuer: 'https://issuer.example',
 * }
 * ```
 */
export interface JwksResolverOptions {
  /**
   * The JWK Set URL: `https:` (or `http:` to a loopback host with `allowHttp`), no credentials in
   * it.
   */
  url: string
  /** Required: credsign never fetches on its own. */
  fetch: FetchLike
  /** The issuer the key set belongs to, reported as every key's `controller`. */
  issuer?: string
  /** Whole-request timeout in milliseconds (default 5000). */
  timeoutMs?: number
  /** Largest accepted JWK Set in bytes (default 262144), enforced while streaming. */
  maxBytes?: number
  /** Reuse a fetched set this long, in milliseconds (default 300000; 0 fetches on every resolution). */
  cacheTtlMs?: number
  /**
   * A `kid` not in the cached set refetches it, at most once per this many milliseconds (default
   * 30000).
   */
  refetchIntervalMs?: number
  /** Allow an `http:` URL to `localhost`, `*.localhost`, 127.0.0.0/8 or `[::1]`. Tests only. */
  allowHttp?: boolean
  /** What the keys are authorised for, reported as `relationships` (default: not stated). */
  relationships?: readonly VerificationRelationship[]
  /** Clock for cache expiry and refetch limits, epoch milliseconds (default `Date.now`). */
  clock?: () => number
}

/**
 * A resolver over a JWK Set fetched from a URL (an issuer's `jwks_uri`), with the limits of every
 * network resolution (timeout, size counted while streaming, no redirects, JSON media type; see
 * docs/resolvers.md).
 *
 * A reference matches a key by `kid`, else by RFC 7638 thumbprint; the returned `id` is the
 * reference and `controller` the configured `issuer`. Keys whose `use` is not `"sig"` (such as
 * `"enc"`), whose `key_ops` is not an array holding `verify` (staticResolver's rule), or of a type
 * credsign cannot verify with are ignored (RFC 7517 section 5); a set that publishes any private
 * key, or that gives one `kid` to two usable keys, is refused (`key_resolution_failed`).
 *
 * The set is cached for `cacheTtlMs`; a `kid` that is not in it refetches the set (key rotation),
 * at most once per `refetchIntervalMs`. Concurrent resolutions share one request; a caller's
 * `signal` stops that caller waiting (the shared request still ends at its timeout).
 *
 * @example
 *
 * ```ts
 * import { jwksResolver } from 'credsign'
 * const resolver = jwksResolver({
 *   url: 'https://issuer.example/.well-known/jwks.json',
 *   fetch: globalThis.fetch,
 *   issuer: 'https://issuer.example',
 * })
 * const key = await resolver.resolveKey('2024-05-key')
 * key.controller // 'https://issuer.example'
 * ```
 */
export function jwksResolver(options: JwksResolverOptions): KeyResolver {
  if (typeof options !== 'object' || options === null)
    throw new CredsignError('invalid_argument', 'jwksResolver needs options')
  const fetch = fetchOption(options.fetch)
  if (fetch === undefined) throw new CredsignError('invalid_argument', 'jwksResolver needs a fetch')
  const url = checkUrl(options.url, options.allowHttp === true)
  const { issuer, relationships } = options
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer.length === 0))
    throw new CredsignError('invalid_argument', 'issuer must be a non-empty string')
  if (relationships !== undefined && !Array.isArray(relationships))
    throw new CredsignError('invalid_argument', 'relationships must be an array')
  const limits = networkLimits(options)
  const ttlMs = numberOption(
    options.cacheTtlMs,
    'cacheTtlMs',
    RESOLVER_DEFAULTS.jwksCacheTtlMs,
    0,
    7 * 24 * 3_600_000,
  )
  const refetchIntervalMs = numberOption(
    options.refetchIntervalMs,
    'refetchIntervalMs',
    RESOLVER_DEFAULTS.jwksRefetchIntervalMs,
    0,
    7 * 24 * 3_600_000,
  )
  const clock = clockOption(options.clock)
  // The code that fetches, reads and searches the set (network-resolution.ts) loads on the first
  // resolution: every option above is checked now, so a bad one still throws when the resolver is
  // made.
  let keySet: KeyResolver | undefined

  return {
    resolveKey(reference: string, resolveOptions: ResolveOptions = {}): Promise<ResolvedKey> {
      return typedResolution(async () => {
        if (typeof reference !== 'string' || reference.length === 0)
          throw new CredsignError('malformed', 'a key reference must be a non-empty string')
        if (keySet === undefined) {
          const { jwksKeySet } = await loadNetworkResolution()
          keySet ??= jwksKeySet({
            url,
            fetch,
            issuer,
            relationships,
            limits,
            ttlMs,
            refetchIntervalMs,
            clock,
            readKey: resolvedJwk,
            hasPrivateMembers,
            signatureUseProblem,
          })
        }
        return keySet.resolveKey(reference, resolveOptions)
      })
    },
  }
}

function checkUrl(value: unknown, allowHttp: boolean): string {
  let url: URL
  try {
    url = new URL(value as string)
  } catch {
    // No cause: the URL parser's error carries the whole input, credentials included.
    throw new CredsignError('invalid_argument', 'url must be an absolute URL')
  }
  if (url.username !== '' || url.password !== '')
    throw new CredsignError('invalid_argument', 'the JWKS URL must not carry credentials')
  const httpAllowed = url.protocol === 'http:' && allowHttp && isLoopbackHost(url.hostname)
  if (url.protocol !== 'https:' && !httpAllowed)
    throw new CredsignError(
      'invalid_argument',
      'the JWKS URL must be https: (http: only to a loopback host with allowHttp)',
    )
  url.hash = ''
  return url.href
}
