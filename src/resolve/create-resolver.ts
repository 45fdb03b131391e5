import { CredsignError } from '../errors/credsign-error.js'
import { combineResolvers } from './combine.js'
import { createDidResolver } from './did-resolver.js'
import type { DidResolver, DidResolverOptions } from './did-resolver.js'
import { didUrlKeyResolver } from './did-url-key-resolver.js'
import { jwksResolver } from './jwks-resolver.js'
import type { ResolvedDidDocument } from './resolved-document.js'
import type { KeyResolver, ResolveOptions } from './types.js'

/**
 * A JWK Set URL for {@link createResolver}: the URL alone, or with the issuer it belongs to.
 *
 * @example
 *
 * ```ts
 * import type { JwksSource } from 'credsign'
 * const source: JwksSource = {
 *   url: 'https://issuer.example/.well-known/jwks.json',
 *   issuer: 'https://issuer.example',
 * }
 * ```
 */
export type JwksSource = string | { url: string; issuer?: string }

/**
 * Options of {@link createResolver}: those of `createDidResolver`, plus resolvers to try first and
 * JWK Set URLs to try last.
 *
 * @example
 *
 * ```ts
 * import { createResolver, staticResolver, type ResolverOptions } from 'credsign'
 * const options: ResolverOptions = {
 *   fetch: globalThis.fetch, // enables did:web and the JWKS URLs
 *   jwks: [
 *     {
 *       url: 'https://issuer.example/.well-known/jwks.json',
 *       issuer: 'https://issuer.example',
 *     },
 *   ],
 *   resolvers: [staticResolver({ keys: [] })],
 * }
 * const resolver = createResolver(options)
 * ```
 */
export interface ResolverOptions extends DidResolverOptions {
  /** Tried first, in order (a vault resolver, a static resolver, another DID method). */
  resolvers?: KeyResolver[]
  /** JWK Set URLs tried after DIDs, fetched with `fetch` under the same limits (see `jwksResolver`). */
  jwks?: JwksSource[]
  /** How long a fetched JWK Set is reused, in milliseconds (default 300000). */
  jwksCacheTtlMs?: number
}

/**
 * The default resolver: a {@link KeyResolver} that also resolves DID documents.
 *
 * @example
 *
 * ```ts
 * import { createResolver, type Resolver } from 'credsign'
 * const resolver: Resolver = createResolver()
 * const doc = await resolver.resolveDid(
 *   'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
 * )
 * ```
 */
export interface Resolver extends KeyResolver, DidResolver {}

/**
 * The default key resolver. With no options it resolves did:key and did:jwk, offline, and makes no
 * network request ever. `fetch` enables did:web and the `jwks` URLs, under the limits in
 * docs/resolvers.md.
 *
 * `resolveKey(reference)`:
 *
 * - A DID URL (`did:web:issuer.example#key-1`; did:key's `did:key:z…#z…`; did:jwk's `…#0`): resolves
 *   the DID document and returns the verification method with that id (see `resolveKeyInDocument`
 *   for the controller rule and `relationships`);
 * - A bare DID: the document's only verification method (`key_not_found` when it has several);
 * - Anything else (a `kid`, a thumbprint): left to `resolvers` and `jwks`.
 *
 * Order: `resolvers`, then DIDs, then `jwks`, combined as by `combineResolvers` (first success
 * wins; a network failure is never reported as `key_not_found`). `resolveDid` resolves DIDs with
 * the built-in methods only.
 *
 * @example
 *
 * ```ts
 * import { createResolver } from 'credsign'
 * const resolver = createResolver()
 * const key = await resolver.resolveKey(
 *   'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
 * )
 * key.controller // 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2'
 * key.relationships?.includes('assertionMethod') // true
 * ```
 */
export function createResolver(options: ResolverOptions = {}): Resolver {
  if (typeof options !== 'object' || options === null)
    throw new CredsignError('invalid_argument', 'resolver options must be an object')
  const { resolvers = [], jwks = [], jwksCacheTtlMs, ...didOptions } = options
  if (!Array.isArray(resolvers))
    throw new CredsignError('invalid_argument', 'resolvers must be an array')
  if (!Array.isArray(jwks)) throw new CredsignError('invalid_argument', 'jwks must be an array')
  const dids = createDidResolver(didOptions)
  const { fetch } = didOptions
  if (jwks.length > 0 && fetch === undefined)
    throw new CredsignError('invalid_argument', 'jwks URLs need a fetch')

  const didKeys = didUrlKeyResolver(dids)

  const jwksResolvers = jwks.map((source) => {
    const { url, issuer } =
      typeof source === 'string'
        ? { url: source, issuer: undefined }
        : (source ?? { url: undefined, issuer: undefined })
    return jwksResolver({
      url: url as string,
      fetch: fetch as NonNullable<typeof fetch>,
      ...(issuer === undefined ? {} : { issuer }),
      ...(didOptions.timeoutMs === undefined ? {} : { timeoutMs: didOptions.timeoutMs }),
      ...(didOptions.maxBytes === undefined ? {} : { maxBytes: didOptions.maxBytes }),
      ...(jwksCacheTtlMs === undefined ? {} : { cacheTtlMs: jwksCacheTtlMs }),
      ...(didOptions.allowHttp === undefined ? {} : { allowHttp: didOptions.allowHttp }),
      ...(didOptions.clock === undefined ? {} : { clock: didOptions.clock }),
    })
  })

  const keys = combineResolvers(...resolvers, didKeys, ...jwksResolvers)
  return {
    resolveKey: (reference: string, resolveOptions?: ResolveOptions) =>
      keys.resolveKey(reference, resolveOptions),
    resolveDid: (did: string, resolveOptions?: ResolveOptions): Promise<ResolvedDidDocument> =>
      dids.resolveDid(did, resolveOptions),
  }
}
