import { CredsignError } from '../errors/credsign-error.js'
import { isDid } from '../did/did-url.js'
import type { VerificationRelationship } from '../did/did-document.js'
import { jwkFromMultikey } from '../keys/multikey.js'
import type { PublicJwk } from '../keys/types.js'
import { resolutionFailed } from './resolution-errors.js'
import { absoluteId, checkDidDocument, VERIFICATION_RELATIONSHIPS } from './resolved-document.js'
import type { ResolvedDidDocument, ResolvedVerificationMethod } from './resolved-document.js'
import { resolvedJwk } from './resolved-jwk.js'
import type { ResolvedKey } from './types.js'

/** Types whose key is a `publicKeyJwk` (W3C Controlled Identifiers; the JWS 2020 suite). */
const JWK_TYPES = new Set(['JsonWebKey', 'JsonWebKey2020'])
/**
 * Types whose key is a multicodec `publicKeyMultibase` (Controlled Identifiers; Ed25519 2020
 * suite).
 */
const MULTIBASE_TYPES = new Set(['Multikey', 'Ed25519VerificationKey2020'])

/**
 * Finds the verification method `reference` names in a DID document and returns it as a
 * {@link ResolvedKey}. This is what every DID-based resolver does after obtaining the document; call
 * it directly when you obtained a document some other way.
 *
 * - `reference` is a DID URL of this document (`did:web:issuer.example#key-1`), a relative one
 *   (`#key-1`), or the bare DID, which names the document's only verification method (an error when
 *   it has several).
 * - Methods are found in `verificationMethod` and embedded in relationships, by absolute or relative
 *   id.
 * - **Controller rule.** The method's `controller` must be the DID itself (Controlled Identifiers
 *   1.0, "Retrieve Verification Method"), even when the document's `controller` names other DIDs;
 *   otherwise `key_resolution_failed`. The returned `controller` is therefore the document's DID.
 * - `relationships` lists every relationship of the document that references or embeds the method.
 * - The key is `publicKeyJwk` (types `JsonWebKey`, `JsonWebKey2020`, others) or `publicKeyMultibase`
 *   (`Multikey`, `Ed25519VerificationKey2020`, others), never both. The JWK is validated and
 *   reduced (private members refused, the rest reduced to the required members);
 *   `Ed25519VerificationKey2020` must hold an Ed25519 key.
 *
 * Errors: `malformed` (reference not a string or an empty fragment), `key_not_found` (no such
 * method, a reference to another DID, a bare DID with several methods), `key_resolution_failed` (a
 * document or method that breaks the rules above, undecodable key material),
 * `unsupported_algorithm` (a key type credsign cannot verify with, or another key encoding such as
 * `publicKeyBase58`).
 *
 * @example
 *
 * ```ts
 * import { didKeyDocument, resolveKeyInDocument } from 'credsign'
 * const did = 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2'
 * const key = await resolveKeyInDocument(didKeyDocument(did), did)
 * key.relationships // ['authentication', 'assertionMethod', 'capabilityInvocation', 'capabilityDelegation']
 * ```
 */
export async function resolveKeyInDocument(
  document: ResolvedDidDocument,
  reference: string,
): Promise<ResolvedKey> {
  const did = (document as { id?: unknown } | null)?.id
  if (!isDid(did)) throw resolutionFailed('the DID document has no DID as id')
  const doc = checkDidDocument(document, did)
  const wanted = targetOf(did, reference)

  const methods = new Map<string, ResolvedVerificationMethod>()
  for (const vm of doc.verificationMethod ?? []) methods.set(absoluteId(did, vm.id), vm)
  for (const relationship of VERIFICATION_RELATIONSHIPS) {
    for (const entry of doc[relationship] ?? [])
      if (typeof entry !== 'string') methods.set(absoluteId(did, entry.id), entry)
  }

  let id: string
  let vm: ResolvedVerificationMethod | undefined
  if (wanted === undefined) {
    const only = methods.size === 1 ? [...methods][0] : undefined
    if (only === undefined)
      throw new CredsignError(
        'key_not_found',
        `the DID has ${methods.size} verification methods: name one with a fragment`,
      )
    ;[id, vm] = only
  } else {
    id = wanted
    vm = methods.get(id)
    if (vm === undefined)
      throw new CredsignError('key_not_found', 'the DID document has no such verification method')
  }

  // Controlled Identifiers 1.0, "Retrieve Verification Method" step 10: the method's controller
  // is the document's DID, even when the document names other controllers (they may change the
  // document, they do not make its keys theirs, and Digital Bazaar binds such a key to them).
  if (vm.controller !== did)
    throw resolutionFailed("the verification method's controller is not the DID")

  const relationships: VerificationRelationship[] = VERIFICATION_RELATIONSHIPS.filter(
    (relationship) =>
      (doc[relationship] ?? []).some(
        (entry) => absoluteId(did, typeof entry === 'string' ? entry : entry.id) === id,
      ),
  )
  return { id, controller: did, type: vm.type, publicJwk: await methodJwk(vm), relationships }
}

/** The absolute id `reference` names in the document of `did`, or undefined for the bare DID. */
function targetOf(did: string, reference: string): string | undefined {
  if (typeof reference !== 'string' || reference.length === 0)
    throw new CredsignError('malformed', 'a key reference must be a non-empty string')
  const hash = reference.indexOf('#')
  if (hash === reference.length - 1) throw new CredsignError('malformed', 'empty DID URL fragment')
  if (hash === 0) return did + reference
  const base = hash === -1 ? reference : reference.slice(0, hash)
  if (base !== did)
    throw new CredsignError('key_not_found', 'the reference names another DID than this document')
  return hash === -1 ? undefined : reference
}

async function methodJwk(vm: ResolvedVerificationMethod): Promise<PublicJwk> {
  const { publicKeyJwk, publicKeyMultibase, type } = vm
  if (publicKeyJwk !== undefined && publicKeyMultibase !== undefined) {
    throw resolutionFailed('the verification method has both publicKeyJwk and publicKeyMultibase')
  }
  if (publicKeyJwk === undefined && publicKeyMultibase === undefined) {
    throw new CredsignError(
      'unsupported_algorithm',
      `credsign reads publicKeyJwk and publicKeyMultibase; this ${type} has neither`,
    )
  }
  if (JWK_TYPES.has(type) && publicKeyJwk === undefined)
    throw resolutionFailed(`a ${type} verification method carries publicKeyJwk`)
  if (MULTIBASE_TYPES.has(type) && publicKeyMultibase === undefined)
    throw resolutionFailed(`a ${type} verification method carries publicKeyMultibase`)
  let jwk: PublicJwk
  try {
    jwk = await resolvedJwk(publicKeyJwk ?? jwkFromMultikey(publicKeyMultibase as string))
  } catch (error) {
    // A key type credsign does not verify with is not the document's fault; bad bytes are.
    if (CredsignError.is(error, 'unsupported_algorithm')) throw error
    throw resolutionFailed('the verification method does not hold a valid public key', error)
  }
  if (type === 'Ed25519VerificationKey2020' && jwk.kty !== 'OKP')
    throw resolutionFailed('an Ed25519VerificationKey2020 must hold an Ed25519 key')
  if (publicKeyJwk !== undefined) keepIntendedUse(publicKeyJwk, jwk)
  return jwk
}

/**
 * Copies the JWK's `use` and `key_ops` (RFC 7517 sections 4.2, 4.3) onto the key handed out, as
 * `resolvedJwk` keeps `alg`: they say what the document's author published the key for, and a
 * signature verifier must see them to refuse an encryption key (`use: "enc"`, `key_ops` without
 * `verify`). The key is still resolved: a keyAgreement key is looked up by id too. Other values,
 * and an `alg` that is not a string, are refused, so that what is handed out is a well-formed JWK.
 */
function keepIntendedUse(source: object, jwk: PublicJwk): void {
  const { use, key_ops: ops, alg } = source as { use?: unknown; key_ops?: unknown; alg?: unknown }
  // resolvedJwk keeps a string alg and drops any other: dropped, it would restrict nothing.
  if (alg !== undefined && typeof alg !== 'string')
    throw resolutionFailed('the publicKeyJwk alg is not a string')
  if (use !== undefined) {
    if (use !== 'sig' && use !== 'enc')
      throw resolutionFailed('the publicKeyJwk use is neither "sig" nor "enc"')
    jwk.use = use
  }
  if (ops !== undefined) {
    if (!Array.isArray(ops) || !ops.every((op) => typeof op === 'string'))
      throw resolutionFailed('the publicKeyJwk key_ops is not a list of strings')
    jwk.key_ops = [...(ops as string[])]
  }
}
