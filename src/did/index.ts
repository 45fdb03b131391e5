/**
 * DID helpers: did:key and did:jwk (create and resolve), and a DID document builder for methods
 * such as did:web.
 *
 * @module
 */
export { didKeyFromJwk, jwkFromDidKey, didKeyDocument } from './did-key.js'
export type { DidKeyDocumentOptions } from './did-key.js'
export { didJwkFromJwk, jwkFromDidJwk, didJwkDocument } from './did-jwk.js'
export { didDocument, DID_CONTEXT_V1, SIGNING_RELATIONSHIPS } from './did-document.js'
export type {
  DidDocument,
  DidDocumentInput,
  DidService,
  RelationshipsInput,
  VerificationRelationship,
} from './did-document.js'
export { controllerOf, isDid } from './did-url.js'
export { asDidSigner } from './as-did-signer.js'
