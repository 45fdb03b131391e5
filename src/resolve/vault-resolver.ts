import { CredsignError } from '../errors/credsign-error.js'
import { isStoreFailure } from '../errors/store-failure.js'
import type { VerificationRelationship } from '../did/did-document.js'
import { controllerOf } from '../did/did-url.js'
import type { KeyInfo } from '../vault/key-info.js'
import type { KeyVault } from '../vault/key-vault.js'
import { resolveKeyInDocument } from './document-key.js'
import { resolutionFailed, typedResolution } from './resolution-errors.js'
import { resolvedJwk } from './resolved-jwk.js'
import type { KeyResolver, ResolvedKey, ResolveOptions } from './types.js'

/**
 * The part of a {@link KeyVault} a vault resolver reads: public views only, never a secret.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, type VaultKeySource } from 'credsign'
 * const source: VaultKeySource = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * ```
 */
export type VaultKeySource = Pick<KeyVault, 'publicKey' | 'list' | 'didDocument'>

/**
 * Options of {@link vaultResolver}.
 *
 * @example
 *
 * ```ts
 * import type { VaultResolverOptions } from 'credsign'
 * const options: VaultResolverOptions = { relationships: ['assertionMethod'] }
 * ```
 */
export interface VaultResolverOptions {
  /**
   * What keys with ids that are not DIDs (`issuer-1`) are authorised for. Keys with DID URL ids get
   * the relationships of the document the vault publishes for them (`vault.didDocument`). Default:
   * not stated.
   */
  relationships?: readonly VerificationRelationship[]
  /**
   * Look up references shaped like an RFC 7638 thumbprint across every key version (default true).
   * It lists the whole vault.
   */
  thumbprints?: boolean
}

// A base64url SHA-256 digest: what vault JWKS kids and RFC 7638 thumbprints look like.
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/

/**
 * A resolver over the keys of a local {@link KeyVault}: verifies what this service signed without
 * any network or DID document hosting.
 *
 * - A vault key id whose id is a DID URL (`did:web:issuer.example#key-1`), or a DID URL inside the
 *   document the vault publishes for a key stored under a bare DID: the key is looked up in
 *   `vault.didDocument(id)`, so `id`, `controller` (the DID), `type` and `relationships` are what
 *   that document says. Only the current version is in it.
 * - Any other vault key id (`issuer-1`): the current version, no controller, `relationships` from the
 *   options.
 * - An RFC 7638 thumbprint (the `kid` of `vault.jwks()`): every listed version of every key, current
 *   or previous, so tokens signed before a rotation still verify. The controller is
 *   `controllerOf(id)` for DID URL ids; only the current version of such a key is in its DID
 *   document, so only it gets the document's relationships.
 *
 * `key_not_found` when nothing matches (so a combined resolver can go on to the network). A failure
 * of the vault's store is the verifier's outage, not the credential's problem, and keeps its code:
 * `store_unavailable` (a store that throws something untyped is `store_unavailable` too) or
 * `store_corrupt`, which `verify()` reports as they are and credsign/http answers with 503 / 500
 * (see `STORE_FAILURE_CODES`). Any other error of the vault is `key_resolution_failed`.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, vaultResolver } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({
 *   id: 'did:web:issuer.example#key-1',
 *   algorithm: 'Ed25519',
 *   secrets: ['s1'],
 * })
 * const key = await vaultResolver(vault).resolveKey('did:web:issuer.example#key-1')
 * key.controller // 'did:web:issuer.example'
 * ```
 */
export function vaultResolver(
  vault: VaultKeySource,
  options: VaultResolverOptions = {},
): KeyResolver {
  if (
    typeof vault !== 'object' ||
    vault === null ||
    typeof vault.publicKey !== 'function' ||
    typeof vault.list !== 'function' ||
    typeof vault.didDocument !== 'function'
  ) {
    throw new CredsignError('invalid_argument', 'vaultResolver needs a KeyVault')
  }
  if (typeof options !== 'object' || options === null)
    throw new CredsignError('invalid_argument', 'options must be an object')
  const { relationships } = options
  if (relationships !== undefined && !Array.isArray(relationships))
    throw new CredsignError('invalid_argument', 'relationships must be an array')
  const thumbprints = options.thumbprints !== false

  /**
   * The key stored under `id`, or undefined when there is none (or the id is not a vault id at
   * all).
   */
  const stored = async (id: string): Promise<KeyInfo | undefined> => {
    try {
      return await readVault(() => vault.publicKey(id))
    } catch (error) {
      if (CredsignError.is(error, 'not_found') || CredsignError.is(error, 'invalid_key_id'))
        return undefined
      if (isStoreFailure(error)) throw error // readVault's, with a fixed message
      throw resolutionFailed('the vault could not be read', error)
    }
  }

  const fromDocument = async (
    info: KeyInfo,
    reference: string,
  ): Promise<ResolvedKey | undefined> => {
    try {
      return await resolveKeyInDocument(
        await readVault(() => vault.didDocument(info.id)),
        reference,
      )
    } catch (error) {
      // e.g. a key stored under a did:key id that is not its own did:key: not this reference's key.
      if (CredsignError.is(error, 'key_not_found') || CredsignError.is(error, 'not_found'))
        return undefined
      throw error
    }
  }

  const plain = async (reference: string, info: KeyInfo): Promise<ResolvedKey> => ({
    id: reference,
    publicJwk: await resolvedJwk(info.current.publicJwk),
    ...(relationships === undefined ? {} : { relationships: [...relationships] }),
  })

  const byThumbprint = async (reference: string): Promise<ResolvedKey | undefined> => {
    let cursor: string | undefined
    do {
      const page = await readVault(() =>
        vault.list(cursor === undefined ? { limit: 1000 } : { cursor, limit: 1000 }),
      )
      for (const info of page.keys) {
        const version = info.versions.find((v) => v.thumbprint === reference)
        if (version === undefined) continue
        const isDid = info.id.startsWith('did:')
        if (isDid && version.version === info.current.version) {
          // The current version is the one method of the key's published document: report what it says.
          const document = await readVault(() => vault.didDocument(info.id))
          return { ...(await resolveKeyInDocument(document, document.id)), id: reference }
        }
        // A previous version of a DID key is in no published document: no relationships.
        const authorised = isDid || relationships === undefined ? undefined : [...relationships]
        return {
          id: reference,
          ...(isDid ? { controller: controllerOf(info.id) } : {}),
          publicJwk: await resolvedJwk(version.publicJwk),
          ...(authorised === undefined ? {} : { relationships: authorised }),
        }
      }
      cursor = page.nextCursor
    } while (cursor !== undefined)
    return undefined
  }

  return {
    resolveKey(reference: string, _options?: ResolveOptions): Promise<ResolvedKey> {
      return typedResolution(async () => {
        if (typeof reference !== 'string' || reference.length === 0)
          throw new CredsignError('malformed', 'a key reference must be a non-empty string')
        const isDidUrl = reference.startsWith('did:')
        const info = await stored(reference)
        if (info !== undefined) {
          const key = isDidUrl ? await fromDocument(info, reference) : await plain(reference, info)
          if (key !== undefined) return key
        }
        if (isDidUrl && reference.includes('#')) {
          // A key stored under a bare DID is published as `did#<multibase>` (see vault.didDocument).
          const owner = await stored(controllerOf(reference))
          const key = owner === undefined ? undefined : await fromDocument(owner, reference)
          if (key !== undefined) return key
        }
        if (thumbprints && THUMBPRINT.test(reference)) {
          const key = await byThumbprint(reference)
          if (key !== undefined) return key
        }
        throw new CredsignError('key_not_found', 'the vault holds no key for this reference')
      })
    },
  }
}

/**
 * A read of the vault. A store failure is the verifier's outage and keeps its code
 * (`store_unavailable`, `store_corrupt`); anything untyped is the store breaking its contract (a
 * `KeyStore` whose `get` rejects with a driver or file system error), `store_unavailable`. Either
 * gets a fixed message, the store's error kept as cause: a store's message names a file path or a
 * schema, and a verification result (where this message lands) is often shown to whoever sent the
 * credential. Other credsign errors pass through.
 */
async function readVault<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (CredsignError.is(error, 'store_corrupt'))
      throw new CredsignError('store_corrupt', "a key record of the vault's store cannot be read", {
        cause: error,
      })
    if (CredsignError.is(error) && !isStoreFailure(error)) throw error
    throw new CredsignError('store_unavailable', "the vault's key store is unavailable", {
      cause: error,
    })
  }
}
