import type { PublicJwk } from '../keys/types.js'
import type { VerificationRelationship } from '../did/did-document.js'

/**
 * A public key found for a reference (a DID URL, a `kid`, a JWK thumbprint), with what is known
 * about who controls it.
 */
export interface ResolvedKey {
  /** The full id of the key: the verification method id for DIDs, else the `kid`. */
  id: string
  /**
   * Who controls the key: the DID for DID URLs, the issuer a JWKS was configured for. Absent when
   * the caller supplied the key without saying whose it is; issuer binding is then the caller's
   * call.
   */
  controller?: string
  /** The public key. Never a private member. */
  publicJwk: PublicJwk
  /** The verification method type from the DID document (`Multikey`, `JsonWebKey`, …), if any. */
  type?: string
  /**
   * The DID document relationships that list this key (`assertionMethod`, `authentication`, …),
   * when known.
   */
  relationships?: VerificationRelationship[]
}

/** Options every resolution call accepts. */
export interface ResolveOptions {
  /** Aborts a network resolution (did:web, JWKS URL). */
  signal?: AbortSignal
}

/**
 * Finds public keys for references. Implementations throw `CredsignError` with `key_not_found`
 * (nothing known for this reference), `key_resolution_failed` (a fetch failed, timed out, was too
 * large or returned garbage), `resolver_not_configured` (e.g. a did:web reference without a
 * configured fetcher) or `malformed` (the reference itself is not well-formed); credsign's own
 * network resolvers also `crypto_unavailable` when their code, loaded on first use, could not be
 * loaded. A resolver backed by the verifier's own store (`vaultResolver`) throws
 * `store_unavailable` / `store_corrupt` when that store fails: an outage of the verifier, which
 * `verify()` reports under that code and credsign/http answers with a 5xx, never for anything a
 * reference controls. A failure of a source the credential names (a did:web host, a JWKS URL) is
 * `key_resolution_failed`, a verdict.
 *
 * @example
 *
 * ```ts
 * import { createResolver } from 'credsign'
 * const resolver = createResolver() // did:key and did:jwk, offline
 * const key = await resolver.resolveKey(
 *   'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
 * )
 * console.log(key.controller) // did:key:z6Mkha…
 * ```
 */
export interface KeyResolver {
  resolveKey(reference: string, options?: ResolveOptions): Promise<ResolvedKey>
}
