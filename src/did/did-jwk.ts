import { CredsignError } from '../errors/credsign-error.js'
import { keyAlgorithmFromJwk } from '../keys/algorithms.js'
import { requiredMembers } from '../keys/jwk.js'
import type { PublicJwk } from '../keys/types.js'
import { b64u, fromB64u, utf8 } from '../util/bytes.js'
import { DID_CONTEXT_V1, SIGNING_RELATIONSHIPS } from './did-document.js'
import type { DidDocument, VerificationRelationship } from './did-document.js'
import { splitDidUrl } from './did-url.js'

/** Members that make a JWK private (RFC 7518 sections 6.2.2, 6.3.2, 6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/**
 * The `cause` of the `invalid_key` thrown for a did:jwk that carries private members, so that
 * resolvers can tell "someone published a private key" (`key_resolution_failed`, as for a DID
 * document that does) from a DID that does not decode at all (`malformed`).
 *
 * @internal
 */
export const PRIVATE_KEY_PUBLISHED = 'did:jwk private key published'

function assertNoPrivateMembers(jwk: object): void {
  if (PRIVATE_MEMBERS.some((name) => name in jwk))
    throw new CredsignError('invalid_key', 'did:jwk never holds a private key', {
      cause: PRIVATE_KEY_PUBLISHED,
    })
}

/**
 * The did:jwk DID of a public key: `did:jwk:` + base64url(UTF-8 JSON of the JWK's required members
 * in lexicographic order, without `kid` or other metadata), so one key always gets one DID. A
 * private JWK is refused (`invalid_key`): it would publish the private key. So is one whose `alg`
 * names an algorithm of another key type (RFC 7517 section 4.4), which the DID would not carry.
 *
 * @example
 *
 * ```ts
 * import { didJwkFromJwk } from 'credsign'
 * didJwkFromJwk({
 *   kty: 'OKP',
 *   crv: 'Ed25519',
 *   x: 'sA2Nk45_dz1RVlqtNqYj9TRPf10ZYPnPPo4SYg6igQ8',
 * })
 * // 'did:jwk:eyJjcnYiOiJFZDI1NTE5Iiwia3R5IjoiT0tQIiwieCI6InNBMk5rNDVfZHoxUlZscXROcVlqOVRSUGYxMFpZUG5QUG80U1lnNmlnUTgifQ'
 * ```
 */
export function didJwkFromJwk(jwk: PublicJwk): string {
  keyAlgorithmFromJwk(jwk)
  assertNoPrivateMembers(jwk)
  return `did:jwk:${b64u(utf8(JSON.stringify(requiredMembers(jwk))))}`
}

/** The JWK exactly as encoded in a did:jwk DID (or its `#0` DID URL), after validation. */
function decodeDidJwk(didOrDidUrl: string): { did: string; jwk: Record<string, unknown> } {
  const { did, fragment } = splitDidUrl(didOrDidUrl, 'jwk')
  if (fragment !== undefined && fragment !== '0')
    throw new CredsignError('invalid_argument', 'a did:jwk DID URL has the fragment #0')
  const encoded = did.slice('did:jwk:'.length)
  let jwk: unknown
  try {
    jwk = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(fromB64u(encoded, 'invalid_key')),
    )
  } catch (cause) {
    if (cause instanceof CredsignError) throw cause
    // No cause: the engine's SyntaxError quotes the text, which may be a private JWK pasted as a
    // did:jwk.
    throw new CredsignError('invalid_key', 'did:jwk does not hold a JSON JWK')
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    throw new CredsignError('invalid_key', 'did:jwk does not hold a JWK object')
  assertNoPrivateMembers(jwk)
  requiredMembers(jwk as PublicJwk)
  return { did, jwk: jwk as Record<string, unknown> }
}

/**
 * The public JWK (required members only) of a did:jwk DID or its `#0` DID URL. Errors:
 * `invalid_argument` (not a did:jwk DID), `invalid_key` (not base64url JSON, a private key, bad key
 * material, an `alg` of another key type, which the result would not carry),
 * `unsupported_algorithm` (a key type credsign does not support).
 *
 * @example
 *
 * ```ts
 * import { jwkFromDidJwk } from 'credsign'
 * const jwk = jwkFromDidJwk(
 *   'did:jwk:eyJjcnYiOiJFZDI1NTE5Iiwia3R5IjoiT0tQIiwieCI6InNBMk5rNDVfZHoxUlZscXROcVlqOVRSUGYxMFpZUG5QUG80U1lnNmlnUTgifQ',
 * )
 * // { crv: 'Ed25519', kty: 'OKP', x: 'sA2Nk45_dz1RVlqtNqYj9TRPf10ZYPnPPo4SYg6igQ8' }
 * ```
 */
export function jwkFromDidJwk(didOrDidUrl: string): PublicJwk {
  const jwk = decodeDidJwk(didOrDidUrl).jwk as unknown as PublicJwk
  // The result drops `alg`: one of another key type is refused, not lost. (didJwkDocument keeps the
  // JWK as encoded, and verification refuses such a key: algorithm_not_allowed.)
  keyAlgorithmFromJwk(jwk)
  return requiredMembers(jwk)
}

/**
 * The DID document of a did:jwk DID (the method's read operation): one `JsonWebKey2020`
 * verification method `#0` whose `publicKeyJwk` is the encoded JWK as is. Relationships follow the
 * did:jwk specification: with `use: "sig"`, or for an Ed25519 key (signature-only), the four
 * signing relationships; with `use: "enc"` only keyAgreement; otherwise all five.
 *
 * @example
 *
 * ```ts
 * import { didJwkDocument } from 'credsign'
 * const doc = didJwkDocument(
 *   'did:jwk:eyJjcnYiOiJFZDI1NTE5Iiwia3R5IjoiT0tQIiwieCI6InNBMk5rNDVfZHoxUlZscXROcVlqOVRSUGYxMFpZUG5QUG80U1lnNmlnUTgifQ',
 * )
 * doc.verificationMethod[0]?.id // 'did:jwk:eyJj...#0'
 * ```
 */
export function didJwkDocument(did: string): DidDocument {
  const { did: id, jwk } = decodeDidJwk(did)
  const vmId = `${id}#0`
  let relationships: readonly VerificationRelationship[]
  if (jwk.use === 'enc') relationships = ['keyAgreement']
  else if (jwk.use === 'sig' || jwk.kty === 'OKP') relationships = SIGNING_RELATIONSHIPS
  else relationships = [...SIGNING_RELATIONSHIPS, 'keyAgreement']
  const document: DidDocument = {
    '@context': [DID_CONTEXT_V1, 'https://w3id.org/security/suites/jws-2020/v1'],
    id,
    verificationMethod: [
      {
        id: vmId,
        type: 'JsonWebKey2020',
        controller: id,
        publicKeyJwk: jwk as unknown as PublicJwk,
      },
    ],
  }
  for (const relationship of relationships) document[relationship] = [vmId]
  return document
}
