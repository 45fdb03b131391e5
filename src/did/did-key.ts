import { CredsignError } from '../errors/credsign-error.js'
import { jwkFromMultikey, multikeyFromJwk } from '../keys/multikey.js'
import { verificationMethod } from '../keys/verification-method.js'
import type { VerificationMethodType } from '../keys/verification-method.js'
import type { PrivateJwk, PublicJwk } from '../keys/types.js'
import { didDocument } from './did-document.js'
import type { DidDocument } from './did-document.js'
import { splitDidUrl } from './did-url.js'

/**
 * The did:key DID of a public key: `did:key:` + its Multikey `publicKeyMultibase` (W3C CCG did:key
 * method v0.7). Private members of a private JWK are ignored.
 *
 * @example
 *
 * ```ts
 * import { didKeyFromJwk } from 'credsign'
 * didKeyFromJwk({
 *   kty: 'OKP',
 *   crv: 'Ed25519',
 *   x: 'sA2Nk45_dz1RVlqtNqYj9TRPf10ZYPnPPo4SYg6igQ8',
 * })
 * // 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2'
 * ```
 */
export function didKeyFromJwk(jwk: PublicJwk | PrivateJwk): string {
  return `did:key:${multikeyFromJwk(jwk)}`
}

/** The method-specific id of a did:key DID or DID URL, whose fragment (if any) must equal it. */
function multibaseOf(didOrDidUrl: string): { did: string; multibase: string } {
  const { did, fragment } = splitDidUrl(didOrDidUrl, 'key')
  const multibase = did.slice('did:key:'.length)
  if (fragment !== undefined && fragment !== multibase)
    throw new CredsignError('invalid_argument', 'a did:key fragment must repeat the key')
  return { did, multibase }
}

/**
 * The public JWK (required members only) of a did:key DID or of its key's DID URL
 * (`did:key:z…#z…`). Errors: `invalid_argument` (not a did:key DID, other fragment), `invalid_key`
 * / `unsupported_algorithm` as for `jwkFromMultikey`.
 *
 * @example
 *
 * ```ts
 * import { jwkFromDidKey } from 'credsign'
 * const jwk = jwkFromDidKey('did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2')
 * // { crv: 'Ed25519', kty: 'OKP', x: 'sA2Nk45_dz1RVlqtNqYj9TRPf10ZYPnPPo4SYg6igQ8' }
 * ```
 */
export function jwkFromDidKey(didOrDidUrl: string): PublicJwk {
  return jwkFromMultikey(multibaseOf(didOrDidUrl).multibase)
}

/**
 * Options of {@link didKeyDocument}.
 *
 * @example
 *
 * ```ts
 * import { didKeyDocument } from 'credsign'
 * didKeyDocument('did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2', {
 *   verificationMethodType: 'Ed25519VerificationKey2020',
 * })
 * ```
 */
export interface DidKeyDocumentOptions {
  /** Defaults to `Multikey`. `Ed25519VerificationKey2020` only for Ed25519 keys. */
  verificationMethodType?: VerificationMethodType
}

/**
 * The DID document of a did:key DID (the method's read operation): one verification method with id
 * `did:key:z…#z…`, referenced from authentication, assertionMethod, capabilityInvocation and
 * capabilityDelegation; `@context` is DID v1 plus the context of the method type (Multikey v1 by
 * default). No X25519 keyAgreement key is derived. A DID URL is accepted; its fragment is dropped.
 *
 * @example
 *
 * ```ts
 * import { didKeyDocument } from 'credsign'
 * const doc = didKeyDocument('did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2')
 * doc.assertionMethod // ['did:key:z6Mkr...#z6Mkr...']
 * ```
 */
export function didKeyDocument(did: string, options: DidKeyDocumentOptions = {}): DidDocument {
  const { did: id, multibase } = multibaseOf(did)
  const jwk = jwkFromMultikey(multibase)
  const vm = verificationMethod(jwk, {
    id: `${id}#${multibase}`,
    controller: id,
    type: options.verificationMethodType ?? 'Multikey',
  })
  return didDocument({ id, verificationMethods: [vm] })
}
