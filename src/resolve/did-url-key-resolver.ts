import { CredsignError } from '../errors/credsign-error.js'
import { Lru } from '../util/lru.js'
import { isDid } from '../did/did-url.js'
import type { DidResolver } from './did-resolver.js'
import { resolveKeyInDocument } from './document-key.js'
import { typedResolution } from './resolution-errors.js'
import type { KeyResolver, ResolvedKey, ResolveOptions } from './types.js'

// The DID URL part of every key resolver: createResolver's, and the default resolver's, which is
// this alone over the offline DID methods. In a module of its own so the default resolver does not
// rely on tree-shaking to leave createResolver's JWK Set and option code out.

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
