import { createResolver } from './create-resolver.js'
import type { KeyResolver } from './types.js'

let shared: KeyResolver | undefined

/**
 * The resolver every verifier uses when the caller passes none: `createResolver()`, that is did:key
 * and did:jwk, offline (nothing is fetched). Made once, on first use: it holds no state that varies
 * by caller, and a module that never verifies never builds it.
 *
 * @internal
 */
export function defaultResolver(): KeyResolver {
  shared ??= createResolver()
  return shared
}
