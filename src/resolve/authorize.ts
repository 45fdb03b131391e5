import { CredsignError } from '../errors/credsign-error.js'
import type { VerificationRelationship } from '../did/did-document.js'
import { typedResolution } from './resolution-errors.js'
import type { KeyResolver, ResolvedKey, ResolveOptions } from './types.js'

/**
 * Whether `key` is authorised for `purpose`: its controller document lists it (by reference or
 * embedded) under that verification relationship. A key whose relationships are not known (a static
 * or JWKS key without `relationships`) is not.
 *
 * @example
 *
 * ```ts
 * import { createResolver, isAuthorized } from 'credsign'
 * const did = 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2'
 * const key = await createResolver().resolveKey(did)
 * isAuthorized(key, 'assertionMethod') // true
 * isAuthorized(key, 'keyAgreement') // false: did:key lists no keyAgreement key
 * ```
 */
export function isAuthorized(key: ResolvedKey, purpose: VerificationRelationship): boolean {
  return Array.isArray(key?.relationships) && key.relationships.includes(purpose)
}

/**
 * Throws `key_not_authorized` unless `key` is authorised for `purpose` (see {@link isAuthorized}).
 * Data Integrity verifiers call it with the proof's `proofPurpose` (`assertionMethod` for
 * credentials, `authentication` for presentations). `invalid_argument` when `purpose` is not a
 * string.
 *
 * @example
 *
 * ```ts
 * import { assertAuthorized, createResolver } from 'credsign'
 * const key = await createResolver().resolveKey(
 *   'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
 * )
 * assertAuthorized(key, 'assertionMethod') // passes
 * ```
 */
export function assertAuthorized(key: ResolvedKey, purpose: VerificationRelationship): void {
  if (typeof purpose !== 'string' || purpose.length === 0)
    throw new CredsignError('invalid_argument', 'purpose must be a verification relationship')
  if (!isAuthorized(key, purpose)) {
    const known = Array.isArray(key?.relationships)
    throw new CredsignError(
      'key_not_authorized',
      known
        ? `the key is not authorised for ${purpose} by its controller document`
        : `nothing says the key is authorised for ${purpose}`,
    )
  }
}

/**
 * Options of {@link resolveVerificationMethod}.
 *
 * @example
 *
 * ```ts
 * import type { ResolveVerificationMethodOptions } from 'credsign'
 * const options: ResolveVerificationMethodOptions = {
 *   purpose: 'assertionMethod',
 *   signal: AbortSignal.timeout(10_000),
 * }
 * ```
 */
export interface ResolveVerificationMethodOptions extends ResolveOptions {
  /** When given, the method must be authorised for it (else `key_not_authorized`). */
  purpose?: VerificationRelationship
}

/**
 * Resolves a verification method id and, with `purpose`, checks that its controller document
 * authorises it for that purpose: the one call a Data Integrity verifier needs per proof. Errors
 * are the resolver's (`key_not_found`, `key_resolution_failed`, …) or `key_not_authorized`.
 *
 * @example
 *
 * ```ts
 * import { createResolver, resolveVerificationMethod } from 'credsign'
 * const id =
 *   'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2'
 * const key = await resolveVerificationMethod(createResolver(), id, {
 *   purpose: 'assertionMethod',
 * })
 * key.publicJwk.kty // 'OKP'
 * ```
 */
export async function resolveVerificationMethod(
  resolver: KeyResolver,
  id: string,
  options: ResolveVerificationMethodOptions = {},
): Promise<ResolvedKey> {
  if (typeof resolver?.resolveKey !== 'function')
    throw new CredsignError('invalid_argument', 'resolver must be a KeyResolver')
  const { purpose, signal } = options ?? {}
  const key = await typedResolution(() =>
    resolver.resolveKey(id, signal === undefined ? {} : { signal }),
  )
  if (purpose !== undefined) assertAuthorized(key, purpose)
  return key
}
