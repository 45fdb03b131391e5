/**
 * Resolvers: find public keys for key references (DID URLs, `kid`s, thumbprints). did:key and
 * did:jwk resolve offline; did:web and JWK Set URLs only through a caller-supplied `fetch`.
 *
 * @module
 */
export type { KeyResolver, ResolvedKey, ResolveOptions } from './types.js'
export { RESOLVER_DEFAULTS } from './options.js'
export type { FetchLike } from './options.js'
export { createResolver } from './create-resolver.js'
export type { Resolver, ResolverOptions, JwksSource } from './create-resolver.js'
export { createDidResolver, resolveDid } from './did-resolver.js'
export type { DidResolver, DidResolverOptions } from './did-resolver.js'
export { didWebUrl } from './did-web.js'
export type { DidWebUrlOptions } from './did-web.js'
export { resolveKeyInDocument } from './document-key.js'
export { checkDidDocument, VERIFICATION_RELATIONSHIPS } from './resolved-document.js'
export type { ResolvedDidDocument, ResolvedVerificationMethod } from './resolved-document.js'
export { staticResolver } from './static-resolver.js'
export type { StaticResolverOptions } from './static-resolver.js'
export { jwksResolver } from './jwks-resolver.js'
export type { JwksResolverOptions } from './jwks-resolver.js'
export { vaultResolver } from './vault-resolver.js'
export type { VaultKeySource, VaultResolverOptions } from './vault-resolver.js'
export { combineResolvers } from './combine.js'
export { assertAuthorized, isAuthorized, resolveVerificationMethod } from './authorize.js'
export type { ResolveVerificationMethodOptions } from './authorize.js'
