import { CredsignError } from '../errors/credsign-error.js'
import { verificationMethodContext } from '../keys/verification-method.js'
import type { VerificationMethod } from '../keys/verification-method.js'
import { isDid } from './did-url.js'

/**
 * The DID Core v1 JSON-LD context, first in every DID document's `@context`.
 *
 * @example
 *
 * ```ts
 * import { DID_CONTEXT_V1 } from 'credsign'
 * const context = [DID_CONTEXT_V1, 'https://w3id.org/security/multikey/v1']
 * ```
 */
export const DID_CONTEXT_V1 = 'https://www.w3.org/ns/did/v1'

/**
 * The verification relationships of DID Core section 5.3.
 *
 * @example
 *
 * ```ts
 * import type { VerificationRelationship } from 'credsign'
 * const relationship: VerificationRelationship = 'assertionMethod'
 * ```
 */
export type VerificationRelationship =
  | 'authentication'
  | 'assertionMethod'
  | 'capabilityInvocation'
  | 'capabilityDelegation'
  | 'keyAgreement'

/**
 * The four relationships of a signing key, in the order credsign writes them.
 *
 * @example
 *
 * ```ts
 * import { SIGNING_RELATIONSHIPS } from 'credsign'
 * SIGNING_RELATIONSHIPS.includes('assertionMethod') // true
 * ```
 */
export const SIGNING_RELATIONSHIPS: readonly VerificationRelationship[] = Object.freeze([
  'authentication',
  'assertionMethod',
  'capabilityInvocation',
  'capabilityDelegation',
] as const)

const ALL_RELATIONSHIPS: readonly VerificationRelationship[] = [
  ...SIGNING_RELATIONSHIPS,
  'keyAgreement',
]

/**
 * A service entry (DID Core section 5.4).
 *
 * @example
 *
 * ```ts
 * import type { DidService } from 'credsign'
 * const service: DidService = {
 *   id: 'did:web:issuer.example#linked-domain',
 *   type: 'LinkedDomains',
 *   serviceEndpoint: 'https://issuer.example',
 * }
 * ```
 */
export interface DidService {
  id: string
  type: string | string[]
  serviceEndpoint: string | Record<string, unknown> | (string | Record<string, unknown>)[]
}

/**
 * A DID document (DID Core section 5) as credsign produces it.
 *
 * @example
 *
 * ```ts
 * import { didKeyDocument, type DidDocument } from 'credsign'
 * const doc: DidDocument = didKeyDocument(
 *   'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
 * )
 * doc.verificationMethod.length // 1
 * ```
 */
export interface DidDocument {
  '@context': string[]
  id: string
  controller?: string | string[]
  alsoKnownAs?: string[]
  verificationMethod: VerificationMethod[]
  /** References (DID URLs) to, or embedded, verification methods. */
  authentication?: (string | VerificationMethod)[]
  assertionMethod?: (string | VerificationMethod)[]
  capabilityInvocation?: (string | VerificationMethod)[]
  capabilityDelegation?: (string | VerificationMethod)[]
  keyAgreement?: (string | VerificationMethod)[]
  service?: DidService[]
}

/**
 * Which verification methods go into which relationship: either a list of relationships that every
 * method joins, or, per relationship, the ids of the methods (absolute, or `#fragment` relative to
 * the DID) that join it.
 *
 * @example
 *
 * ```ts
 * import type { RelationshipsInput } from 'credsign'
 * const everyMethod: RelationshipsInput = ['assertionMethod', 'authentication']
 * const perMethod: RelationshipsInput = {
 *   assertionMethod: ['#key-1'],
 *   authentication: ['#key-2'],
 * }
 * ```
 */
export type RelationshipsInput =
  readonly VerificationRelationship[] | Partial<Record<VerificationRelationship, readonly string[]>>

/**
 * Input of {@link didDocument}.
 *
 * @example
 *
 * ```ts
 * import type { DidDocumentInput } from 'credsign'
 * const input: DidDocumentInput = { id: 'did:web:issuer.example', verificationMethods: [] }
 * ```
 */
export interface DidDocumentInput {
  /** The DID the document describes. */
  id: string
  /**
   * The verification methods, e.g. from `verificationMethod(jwk, { id, controller: did })`; each
   * one's `controller` must be `id`.
   */
  verificationMethods: readonly VerificationMethod[]
  /** Defaults to every method in the four signing relationships (see {@link SIGNING_RELATIONSHIPS}). */
  relationships?: RelationshipsInput
}

/**
 * Builds a DID document, e.g. for did:web: `@context` is DID v1 plus the context of each method
 * type used; relationships reference methods by id. Throws `invalid_argument` for a malformed DID,
 * a method whose `controller` is not the document's DID (credsign's resolver refuses such a method:
 * Controlled Identifiers 1.0, "Retrieve Verification Method"), duplicate method ids, or a
 * relationship naming a method that is not in the document.
 *
 * @example
 *
 * ```ts
 * import { didDocument, verificationMethod } from 'credsign'
 * const did = 'did:web:issuer.example'
 * const vm = verificationMethod(
 *   { kty: 'OKP', crv: 'Ed25519', x: 'sA2Nk45_dz1RVlqtNqYj9TRPf10ZYPnPPo4SYg6igQ8' },
 *   { id: `${did}#key-1`, controller: did },
 * )
 * const doc = didDocument({
 *   id: did,
 *   verificationMethods: [vm],
 *   relationships: ['assertionMethod'],
 * })
 * doc.assertionMethod // ['did:web:issuer.example#key-1']
 * ```
 */
export function didDocument(input: DidDocumentInput): DidDocument {
  if (typeof input !== 'object' || input === null)
    throw new CredsignError('invalid_argument', 'didDocument expects an object')
  const { id, verificationMethods } = input
  if (!isDid(id)) throw new CredsignError('invalid_argument', 'id must be a DID')
  if (!Array.isArray(verificationMethods))
    throw new CredsignError('invalid_argument', 'verificationMethods must be an array')

  const contexts = [DID_CONTEXT_V1]
  const ids = new Set<string>()
  for (const vm of verificationMethods as readonly VerificationMethod[]) {
    if (typeof vm !== 'object' || vm === null || typeof vm.id !== 'string' || vm.id.length === 0) {
      throw new CredsignError('invalid_argument', 'every verification method needs an id')
    }
    // credsign's resolver refuses a method controlled by anyone else (Controlled Identifiers 1.0,
    // "Retrieve Verification Method" step 10), so it never builds one.
    if (vm.controller !== id)
      throw new CredsignError(
        'invalid_argument',
        "every verification method's controller must be the document's DID",
      )
    const absolute = absoluteId(id, vm.id)
    if (ids.has(absolute))
      throw new CredsignError('invalid_argument', 'duplicate verification method id')
    ids.add(absolute)
    const context = verificationMethodContext(vm.type)
    if (!contexts.includes(context)) contexts.push(context)
  }

  const document: DidDocument = {
    '@context': contexts,
    id,
    verificationMethod: verificationMethods.map((vm) => ({ ...vm })),
  }
  const relationships = input.relationships ?? SIGNING_RELATIONSHIPS
  if (Array.isArray(relationships)) {
    for (const relationship of relationships as readonly VerificationRelationship[]) {
      checkRelationship(relationship)
      document[relationship] = verificationMethods.map((vm) => vm.id)
    }
  } else {
    if (typeof relationships !== 'object' || relationships === null)
      throw new CredsignError('invalid_argument', 'relationships must be an array or an object')
    for (const [relationship, references] of Object.entries(relationships)) {
      checkRelationship(relationship)
      if (!Array.isArray(references))
        throw new CredsignError(
          'invalid_argument',
          `${relationship} must list verification method ids`,
        )
      document[relationship] = (references as readonly unknown[]).map((reference) => {
        if (typeof reference !== 'string' || !ids.has(absoluteId(id, reference))) {
          throw new CredsignError(
            'invalid_argument',
            `${relationship} references a verification method that is not in the document`,
          )
        }
        return reference
      })
    }
  }
  return document
}

function absoluteId(did: string, id: string): string {
  return id.startsWith('#') ? did + id : id
}

function checkRelationship(name: unknown): asserts name is VerificationRelationship {
  if (!ALL_RELATIONSHIPS.includes(name as VerificationRelationship))
    throw new CredsignError('invalid_argument', 'unknown verification relationship')
}

// The vault imports controllerOf next to didDocument; it is defined with the other DID URL helpers.
export { controllerOf } from './did-url.js'
