import { combineResolvers } from './combine.js'
import { didResolverOver, didWebNeedsFetch } from './did-resolver.js'
import { didUrlKeyResolver } from './did-url-key-resolver.js'
import type { KeyResolver } from './types.js'

let shared: KeyResolver | undefined

/**
 * The resolver every verifier uses when the caller passes none: what `createResolver()` makes with
 * no options (did:key and did:jwk, offline, nothing fetched), from the same parts, so with the same
 * answers (test/core/default-resolver.test.ts), but without `createResolver`'s option checks, JWK
 * Set and did:web code, which no default can use. Made once, on first use: it holds no state that
 * varies by caller, and a module that never verifies never builds it.
 *
 * @internal
 */
export function defaultResolver(): KeyResolver {
  shared ??= combineResolvers(didUrlKeyResolver(didResolverOver(didWebNeedsFetch)))
  return shared
}
