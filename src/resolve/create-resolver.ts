import { CredsignError } from '../errors/credsign-error.js'
import { Lru } from '../util/lru.js'
import { isDid } from '../did/did-url.js'
import { combineResolvers } from './combine.js'
import { createDidResolver } from './did-resolver.js'
import type { DidResolver, DidResolverOptions } from './did-resolver.js'
import { resolveKeyInDocument } from './document-key.js'
import { jwksResolver } from './jwks-resolver.js'
import { typedResolution } from './resolution-errors.js'
import type { ResolvedDidDocument } from './resolved-document.js'
import type { KeyResolver, ResolvedKey, ResolveOptions } from './types.js'

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
 * Keys of did:key / did:jwk DID URLs already resolved (the last 1,000), shared by every resolver:
 * they depend on nothing but the reference. Only successes are kept, and every caller gets its own
 * copy, so nobody can alter a cached answer.
 */
const offlineKeys = /* @__PURE__ */ new Lru<string, ResolvedKey>(1000)

function copyResolvedKey(key: ResolvedKey): ResolvedKey {
  const copy: ResolvedKey = { ...key, publicJwk: { ...key.publicJwk } }
  if (key.publicJwk.key_ops !== undefined) copy.publicJwk.key_ops = [...key.publicJwk.key_ops]
  if (key.relationships !== undefined) copy.relationships = [...key.relationships]
  return copy
}

/**
 * The DID URL part of {@link createResolver} over `dids`: a DID URL resolves to its document and the
 * verification method with that id, a bare DID to the document's only method; anything else is
 * `key_not_found` (for the next resolver). did:key and did:jwk answers are cached (`offlineKeys`).
 * The default resolver is this over `didResolverOver(didWebNeedsFetch)`, so it answers as
 * `createResolver()` without bundling the JWK Set and did:web code.
 *
 * @example
 *
 * ```ts
 * const keys = didUrlKeyResolver(didResolverOver(didWebNeedsFetch))
 * ```
 *
 * @internal
 */
export function didUrlKeyResolver(dids: DidResolver): KeyResolver {
  return {
    resolveKey(reference: string, resolveOptions: ResolveOptions = {}): Promise<ResolvedKey> {
      return typedResolution(async () => {
        if (typeof reference !== 'string' || reference.length === 0)
          throw new CredsignError('malformed', 'a key reference must be a non-empty string')
        // Only references that passed every check below are cached.
        const hit = offlineKeys.get(reference)
        if (hit !== undefined) return copyResolvedKey(hit)
        // Not a DID URL: a kid or thumbprint for another resolver, not a malformed DID.
        if (!reference.startsWith('did:')) throw new CredsignError('key_not_found', 'not a DID URL')
        const hash = reference.indexOf('#')
        const did = hash === -1 ? reference : reference.slice(0, hash)
        if (!isDid(did))
          throw new CredsignError('malformed', 'not a DID URL of the form did:method:id#fragment')
        // did:key and did:jwk resolve offline: the answer is a pure function of the reference.
        const offline = did.startsWith('did:key:') || did.startsWith('did:jwk:')
        const resolved = await resolveKeyInDocument(
          await dids.resolveDid(did, resolveOptions),
          reference,
        )
        if (offline) offlineKeys.set(reference, copyResolvedKey(resolved))
        return resolved
      })
    },
  }
}

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
