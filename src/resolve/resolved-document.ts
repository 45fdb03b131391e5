import { isDid } from '../did/did-url.js'
import type { VerificationRelationship } from '../did/did-document.js'
import { resolutionFailed } from './resolution-errors.js'

/**
 * Every verification relationship of DID Core section 5.3, in document order.
 *
 * @example
 *
 * ```ts
 * import { VERIFICATION_RELATIONSHIPS } from 'credsign'
 * VERIFICATION_RELATIONSHIPS.length // 5
 * ```
 */
export const VERIFICATION_RELATIONSHIPS: readonly VerificationRelationship[] =
  /* @__PURE__ */ Object.freeze([
    'authentication',
    'assertionMethod',
    'capabilityInvocation',
    'capabilityDelegation',
    'keyAgreement',
  ] as const)

/**
 * A verification method as found in a resolved DID document: checked for shape (string `id`,
 * `type`, DID `controller`; `publicKeyJwk` an object without private members), not for key
 * material, which is decoded only when the method is used.
 *
 * @example
 *
 * ```ts
 * import type { ResolvedVerificationMethod } from 'credsign'
 * const vm: ResolvedVerificationMethod = {
 *   id: '#key-1',
 *   type: 'Multikey',
 *   controller: 'did:web:issuer.example',
 *   publicKeyMultibase: 'z6Mk…',
 * }
 * ```
 */
export interface ResolvedVerificationMethod {
  /** Absolute (`did:web:issuer.example#key-1`) or relative to the document (`#key-1`). */
  id: string
  type: string
  controller: string
  publicKeyJwk?: object
  publicKeyMultibase?: string
}

/**
 * A DID document as a resolver returns it. Documents credsign builds (did:key, did:jwk) fit this
 * shape, and so does any well-formed did:web document, including members credsign does not use.
 *
 * @example
 *
 * ```ts
 * import { createResolver, type ResolvedDidDocument } from 'credsign'
 * const doc: ResolvedDidDocument = await createResolver().resolveDid(
 *   'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
 * )
 * ```
 */
export interface ResolvedDidDocument {
  '@context'?: unknown
  id: string
  controller?: string | string[]
  alsoKnownAs?: unknown
  verificationMethod?: ResolvedVerificationMethod[]
  authentication?: (string | ResolvedVerificationMethod)[]
  assertionMethod?: (string | ResolvedVerificationMethod)[]
  capabilityInvocation?: (string | ResolvedVerificationMethod)[]
  capabilityDelegation?: (string | ResolvedVerificationMethod)[]
  keyAgreement?: (string | ResolvedVerificationMethod)[]
  service?: unknown
}

/** Members that make a JWK private (RFC 7518 sections 6.2.2, 6.3.2, 6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/**
 * Whether a JWK-like object carries a private member. A document or key set that publishes a
 * private key is refused as a whole: whoever published it has lost that key.
 *
 * @example
 *
 * ```ts
 * hasPrivateMembers({ kty: 'OKP', crv: 'Ed25519', x: '…', d: '…' }) // true
 * ```
 */
export function hasPrivateMembers(jwk: object): boolean {
  return PRIVATE_MEMBERS.some((name) => Object.prototype.hasOwnProperty.call(jwk, name))
}

/**
 * The absolute form of a verification method id or reference inside the document of `did`: `#key-1`
 * → `did#key-1`; an absolute id is returned as is.
 *
 * @example
 *
 * ```ts
 * absoluteId('did:web:issuer.example', '#key-1') // 'did:web:issuer.example#key-1'
 * ```
 */
export function absoluteId(did: string, id: string): string {
  return id.startsWith('#') ? did + id : id
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkMethod(value: unknown, where: string): asserts value is ResolvedVerificationMethod {
  if (!isObject(value)) throw resolutionFailed(`${where} is not a verification method object`)
  if (typeof value.id !== 'string' || value.id.length === 0)
    throw resolutionFailed(`${where} has no id`)
  if (typeof value.type !== 'string' || value.type.length === 0)
    throw resolutionFailed(`${where} has no type`)
  if (!isDid(value.controller)) throw resolutionFailed(`${where} has no DID controller`)
  if (value.publicKeyJwk !== undefined) {
    if (!isObject(value.publicKeyJwk))
      throw resolutionFailed(`${where} has a publicKeyJwk that is not an object`)
    if (hasPrivateMembers(value.publicKeyJwk))
      throw resolutionFailed(`${where} publishes a private key`)
  }
  if (value.publicKeyMultibase !== undefined && typeof value.publicKeyMultibase !== 'string') {
    throw resolutionFailed(`${where} has a publicKeyMultibase that is not a string`)
  }
}

/**
 * Checks that `value` is a DID document for `did` (DID Core section 5) as far as key resolution
 * relies on it, and returns it typed. `key_resolution_failed` when:
 *
 * - It is not an object, or its `id` is not exactly `did`;
 * - `controller` is neither a DID nor a list of DIDs;
 * - `verificationMethod` or a relationship is not an array, or holds something other than references
 *   (strings) and verification method objects;
 * - A verification method lacks `id`, `type` or a DID `controller`, or two share an id;
 * - Any `publicKeyJwk` has a private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`).
 *
 * Key material is not decoded here: an unsupported key (an X25519 keyAgreement key, say) must not
 * spoil the document's other keys.
 *
 * @example
 *
 * ```ts
 * import { checkDidDocument } from 'credsign'
 * declare const text: string // the fetched did.json
 * const doc = checkDidDocument(JSON.parse(text), 'did:web:issuer.example')
 * ```
 */
export function checkDidDocument(value: unknown, did: string): ResolvedDidDocument {
  if (!isObject(value)) throw resolutionFailed('the DID document is not a JSON object')
  if (value.id !== did) throw resolutionFailed('the DID document id does not match the DID')
  const { controller } = value
  if (
    controller !== undefined &&
    !isDid(controller) &&
    !(Array.isArray(controller) && controller.every((entry) => isDid(entry)))
  ) {
    throw resolutionFailed('the DID document controller is not a DID or a list of DIDs')
  }
  const ids = new Set<string>()
  const record = (vm: ResolvedVerificationMethod): void => {
    const id = absoluteId(did, vm.id)
    if (ids.has(id)) throw resolutionFailed('two verification methods share an id')
    ids.add(id)
  }
  const methods = value.verificationMethod
  if (methods !== undefined) {
    if (!Array.isArray(methods)) throw resolutionFailed('verificationMethod is not an array')
    methods.forEach((vm: unknown, index) => {
      checkMethod(vm, `verificationMethod[${index}]`)
      record(vm)
    })
  }
  for (const relationship of VERIFICATION_RELATIONSHIPS) {
    const entries = value[relationship]
    if (entries === undefined) continue
    if (!Array.isArray(entries)) throw resolutionFailed(`${relationship} is not an array`)
    entries.forEach((entry: unknown, index) => {
      if (typeof entry === 'string') {
        if (entry.length === 0)
          throw resolutionFailed(`${relationship}[${index}] is an empty reference`)
        return
      }
      checkMethod(entry, `${relationship}[${index}]`)
      record(entry)
    })
  }
  return value as unknown as ResolvedDidDocument
}
