import { CredsignError } from '../errors/credsign-error.js'
import { keyAlgorithmFromJwk } from './algorithms.js'
import { requiredMembers } from './jwk.js'
import { multikeyFromJwk } from './multikey.js'
import type { PrivateJwk, PublicJwk } from './types.js'

/**
 * Verification method types credsign can express a key as:
 *
 * - `Multikey` (W3C Controlled Identifiers 1.0), any key, `publicKeyMultibase`;
 * - `JsonWebKey` (W3C Controlled Identifiers 1.0), any key, `publicKeyJwk`;
 * - `JsonWebKey2020` (the older JWS 2020 suite, used by did:jwk), `publicKeyJwk`;
 * - `Ed25519VerificationKey2020` (Ed25519 keys only), `publicKeyMultibase`.
 *
 * @example
 *
 * ```ts
 * import type { VerificationMethodType } from 'credsign'
 * const type: VerificationMethodType = 'JsonWebKey'
 * ```
 */
export type VerificationMethodType =
  'Multikey' | 'JsonWebKey' | 'JsonWebKey2020' | 'Ed25519VerificationKey2020'

/**
 * A verification method carrying its key as `publicKeyMultibase`.
 *
 * @example
 *
 * ```ts
 * import type { MultibaseVerificationMethod } from 'credsign'
 * const vm: MultibaseVerificationMethod = {
 *   id: 'did:web:issuer.example#key-1',
 *   type: 'Multikey',
 *   controller: 'did:web:issuer.example',
 *   publicKeyMultibase: 'z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
 * }
 * ```
 */
export interface MultibaseVerificationMethod {
  id: string
  type: 'Multikey' | 'Ed25519VerificationKey2020'
  controller: string
  publicKeyMultibase: string
}

/**
 * A verification method carrying its key as `publicKeyJwk`.
 *
 * @example
 *
 * ```ts
 * import type { JwkVerificationMethod } from 'credsign'
 * const vm: JwkVerificationMethod = {
 *   id: 'did:web:issuer.example#key-1',
 *   type: 'JsonWebKey',
 *   controller: 'did:web:issuer.example',
 *   publicKeyJwk: {
 *     kty: 'OKP',
 *     crv: 'Ed25519',
 *     x: 'sA2Nk45_dz1RVlqtNqYj9TRPf10ZYPnPPo4SYg6igQ8',
 *   },
 * }
 * ```
 */
export interface JwkVerificationMethod {
  id: string
  type: 'JsonWebKey' | 'JsonWebKey2020'
  controller: string
  publicKeyJwk: PublicJwk
}

/**
 * Any verification method credsign produces.
 *
 * @example
 *
 * ```ts
 * import type { VerificationMethod } from 'credsign'
 * function keyOf(vm: VerificationMethod): string {
 *   return 'publicKeyMultibase' in vm ? vm.publicKeyMultibase : JSON.stringify(vm.publicKeyJwk)
 * }
 * ```
 */
export type VerificationMethod = MultibaseVerificationMethod | JwkVerificationMethod

/**
 * The verification method type `T` produces.
 *
 * @example
 *
 * ```ts
 * import type { VerificationMethodOf } from 'credsign'
 * type JwkMethod = VerificationMethodOf<'JsonWebKey'> // has publicKeyJwk
 * ```
 */
export type VerificationMethodOf<T extends VerificationMethodType> = T extends
  'JsonWebKey' | 'JsonWebKey2020'
  ? JwkVerificationMethod & { type: T }
  : MultibaseVerificationMethod & { type: T }

/**
 * Options of {@link verificationMethod}.
 *
 * @example
 *
 * ```ts
 * import { verificationMethod } from 'credsign'
 * const vm = verificationMethod(
 *   { kty: 'OKP', crv: 'Ed25519', x: 'sA2Nk45_dz1RVlqtNqYj9TRPf10ZYPnPPo4SYg6igQ8' },
 *   {
 *     id: 'did:web:issuer.example#key-1',
 *     controller: 'did:web:issuer.example',
 *     type: 'JsonWebKey',
 *   },
 * )
 * vm.publicKeyJwk.kty // 'OKP'
 * ```
 */
export interface VerificationMethodOptions<
  T extends VerificationMethodType = VerificationMethodType,
> {
  /** The verification method id, usually a DID URL (`did:web:example.com#key-1`). */
  id: string
  /** The DID (or other identifier) that controls the key. */
  controller: string
  /** Defaults to `Multikey`. */
  type?: T
}

const CONTEXTS: Readonly<Record<VerificationMethodType, string>> = {
  Multikey: 'https://w3id.org/security/multikey/v1',
  JsonWebKey: 'https://w3id.org/security/jwk/v1',
  JsonWebKey2020: 'https://w3id.org/security/suites/jws-2020/v1',
  Ed25519VerificationKey2020: 'https://w3id.org/security/suites/ed25519-2020/v1',
}

/**
 * The JSON-LD context that defines a verification method type (for a document's `@context`).
 *
 * @example
 *
 * ```ts
 * import { verificationMethodContext } from 'credsign'
 * verificationMethodContext('Multikey') // 'https://w3id.org/security/multikey/v1'
 * ```
 */
export function verificationMethodContext(type: VerificationMethodType): string {
  const context = CONTEXTS[type]
  if (context === undefined)
    throw new CredsignError('invalid_argument', 'unknown verification method type')
  return context
}

/**
 * A verification method for a public key. The key is validated; `publicKeyJwk` holds only the
 * required members, plus `kid` when the input has one (private members are never copied; nor is
 * `alg`, so one naming an algorithm of another key type, RFC 7517 section 4.4, is `invalid_key`).
 * `Ed25519VerificationKey2020` with a non-Ed25519 key is `unsupported_algorithm`.
 *
 * @example
 *
 * ```ts
 * import { verificationMethod } from 'credsign'
 * const vm = verificationMethod(
 *   { kty: 'OKP', crv: 'Ed25519', x: 'sA2Nk45_dz1RVlqtNqYj9TRPf10ZYPnPPo4SYg6igQ8' },
 *   { id: 'did:web:issuer.example#key-1', controller: 'did:web:issuer.example' },
 * )
 * // { id: ..., type: 'Multikey', controller: ..., publicKeyMultibase: 'z6Mk...' }
 * ```
 */
export function verificationMethod<T extends VerificationMethodType = 'Multikey'>(
  publicJwk: PublicJwk | PrivateJwk,
  options: VerificationMethodOptions<T>,
): VerificationMethodOf<T> {
  if (typeof options !== 'object' || options === null)
    throw new CredsignError('invalid_argument', 'options must be an object')
  const { id, controller } = options
  const type: VerificationMethodType = options.type ?? 'Multikey'
  if (typeof id !== 'string' || id.length === 0)
    throw new CredsignError('invalid_argument', 'id must be a non-empty string')
  if (typeof controller !== 'string' || controller.length === 0)
    throw new CredsignError('invalid_argument', 'controller must be a non-empty string')
  verificationMethodContext(type)
  const algorithm = keyAlgorithmFromJwk(publicJwk)
  if (type === 'JsonWebKey' || type === 'JsonWebKey2020') {
    const publicKeyJwk: PublicJwk = requiredMembers(publicJwk)
    const kid = (publicJwk as { kid?: unknown }).kid
    if (typeof kid === 'string') publicKeyJwk.kid = kid
    const vm: JwkVerificationMethod = { id, type, controller, publicKeyJwk }
    return vm as VerificationMethodOf<T>
  }
  if (type === 'Ed25519VerificationKey2020' && algorithm !== 'Ed25519') {
    throw new CredsignError(
      'unsupported_algorithm',
      'Ed25519VerificationKey2020 holds Ed25519 keys only',
    )
  }
  const vm: MultibaseVerificationMethod = {
    id,
    type,
    controller,
    publicKeyMultibase: multikeyFromJwk(publicJwk),
  }
  return vm as VerificationMethodOf<T>
}
