import { CredsignError } from '../errors/credsign-error.js'
import { SecretEnvelope, DEFAULT_KDF } from '../envelope/index.js'
import {
  encodeCallerSecrets as encodeParts,
  normalizeCallerSecrets,
} from '../envelope/caller-secrets.js'
import type { CallerSecret, KdfParams } from '../envelope/index.js'
import { stretch } from '../envelope/stretch.js'
import { generateKeyPair } from '../keys/generate.js'
import { importPrivateKey, type PrivateKeyInput } from '../keys/import.js'
import { loadPrivateKey } from '../keys/private-key.js'
import { isKeyAlgorithm } from '../keys/algorithms.js'
import type { KeyAlgorithm, PublicJwk, RsaModulusLength } from '../keys/types.js'
import { requiredMembers } from '../keys/jwk.js'
import type { KeyMaterial } from '../keys/generate.js'
import { MAX_KEY_ID_LENGTH, validateKeyId } from '../stores/key-id.js'
import { validateKeyRecord } from '../stores/record.js'
import type { KeyRecord, KeyStore, KeyVersionRecord } from '../stores/key-store.js'
import type { DidDocument } from '../did/did-document.js'
import { concat, randomBytes, utf8, wipe } from '../util/bytes.js'
import type { AttemptLimiter, LockoutPolicy } from './attempt-limiter.js'
import { MemoryAttemptLimiter } from './memory-attempt-limiter.js'
import { hmacSha256Base64url, UnlockCache, type UnlockCacheOptions } from './unlock-cache.js'
import { LiveMaterials, SharedKeyMaterial, UnlockedKey } from './unlocked-key.js'
import { keyDidDocument, toKeyInfo, type DidDocumentOptions } from './public-views.js'
import type { Jwks, KeyInfo, KeyInfoPage } from './key-info.js'
import type { LegacyKeySource } from './legacy-key-source.js'
import { loadX509 } from '../x509/lazy.js'
import type { CertificateInput } from '../x509/parse.js'

/** Options of {@link KeyVault}. */
export interface KeyVaultOptions {
  /** Where keys live: `MemoryStore`, `FileStore` (credsign/file), or your own {@link KeyStore}. */
  store: KeyStore
  /**
   * The service secret: at least 32 bytes, kept outside the store (a mounted file, a secret
   * manager). A string is read as UTF-8 and trimmed. Without it, stored keys cannot be opened.
   * Bytes (a Node `Buffer` too) are copied, never modified nor wiped: the vault keeps only keys
   * derived from them, so the caller may wipe its array once the vault is made.
   */
  serviceSecret: Uint8Array | string
  /**
   * Older service secrets that may still open envelopes during a rotation. `rewrap` re-seals under
   * the current one; `needsRewrap` tells which keys still depend on an old one.
   */
  previousServiceSecrets?: (Uint8Array | string)[]
  /** KDF for new envelopes (default PBKDF2-SHA-256, 600,000 iterations). Stored per envelope. */
  kdf?: KdfParams
  /**
   * Failed-attempt limiter (default: a {@link MemoryAttemptLimiter} with
   * {@link KeyVaultOptions.lockout}).
   */
  limiter?: AttemptLimiter
  /** Lockout policy of the default limiter (5 failures in 15 minutes lock for 15 minutes). */
  lockout?: LockoutPolicy
  /** Opt-in cache of unlocked keys for high-throughput signing. Off by default. */
  unlockCache?: UnlockCacheOptions
  /** Clock in epoch milliseconds (default `Date.now`); inject one in tests. */
  clock?: () => number
  /**
   * Keys of another system to move into `store` on first use (e.g. the EECC key service's, from
   * `PostgresStore.eeccLegacyKeys`): an unlock of an id the store lacks opens the legacy key with
   * the caller's secrets and re-seals it as a credsign key, counted by the same limiter.
   */
  legacyKeys?: LegacyKeySource
}

/** Options of {@link KeyVault.generate}. */
export interface GenerateOptions {
  /**
   * Key id: letters, digits and `-_:.#%@~+=`, at most 500 characters (or the store's
   * `maxKeyIdLength`); typically a DID URL.
   */
  id: string
  algorithm: KeyAlgorithm
  /** 1 to 10 caller secrets; all of them, in this order, are needed to unlock. */
  secrets: CallerSecret[]
  /** RSA modulus length for `RSA-PSS` (default 3072). */
  modulusLength?: RsaModulusLength
  /** KDF for this key's envelope (default: the vault's). */
  kdf?: KdfParams
}

/** Options of {@link KeyVault.import}. */
export interface ImportOptions {
  id: string
  secrets: CallerSecret[]
  /**
   * The private key: PEM (`{ pem }`: PKCS#8, SEC1 `EC PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`),
   * DER (`{ der }`, any of those), PKCS#8 (`{ pkcs8 }`, DER or PEM), a private JWK, or a raw
   * seed/scalar with its algorithm; `algorithm` names what an RSA key signs with (see
   * `PrivateKeyInput` and docs/keys.md).
   */
  key: PrivateKeyInput
  kdf?: KdfParams
}

/** Options of unlock-style operations. */
export interface UnlockOptions {
  /**
   * Who is asking (an authenticated user or client id). When given, failed attempts are counted per
   * key id and client, so a stranger cannot lock the owner out; see `docs/security.md`.
   */
  client?: string
  /** Unlock this version instead of the current one (e.g. to sign with a previous key). */
  version?: number
}

/** Options of {@link KeyVault.rotate}. */
export interface RotateOptions extends Pick<UnlockOptions, 'client'> {
  /** Algorithm of the new version (default: the current one's). */
  algorithm?: KeyAlgorithm
  modulusLength?: RsaModulusLength
}

/** Options of {@link KeyVault.rewrap}. */
export interface RewrapOptions extends Pick<UnlockOptions, 'client'> {
  /** New caller secrets (default: keep the current ones). */
  secrets?: CallerSecret[]
  /** New KDF parameters (default: the vault's). */
  kdf?: KdfParams
}

/** How many times a read-modify-write retries after a concurrent change before giving up. */
const MAX_CAS_ATTEMPTS = 5

/** The result of an unlock that concurrent identical requests share. */
interface InFlightUnlock {
  facts: { version: number; algorithm: KeyAlgorithm; publicJwk: PublicJwk; x5c?: string[] }
  material: SharedKeyMaterial
}

/** HMAC-SHA-256 over the length-prefixed key id, the version, the client and the encoded secrets. */
function unlockFlightKey(
  macKey: Uint8Array,
  id: string,
  version: number | 'current',
  client: string | undefined,
  encodedSecrets: Uint8Array,
): string {
  const parts = [utf8(id), utf8(String(version)), utf8(client === undefined ? '' : `c:${client}`)]
  const header = new Uint8Array(4 * parts.length)
  const view = new DataView(header.buffer)
  parts.forEach((part, i) => view.setUint32(4 * i, part.length))
  const data = concat(header, ...parts, encodedSecrets)
  try {
    return hmacSha256Base64url(macKey, data)
  } finally {
    wipe(data)
  }
}

/**
 * Keeps private keys encrypted in a {@link KeyStore} and unlocks them, only in memory and only with
 * the right secrets, as {@link UnlockedKey} signers.
 *
 * Failed unlocks are limited (default: 5 failures within 15 minutes lock for 15 minutes); an
 * unknown key id and wrong secrets fail alike with `wrong_secrets`. Public keys are stored in
 * clear, so `publicKey`, `list`, `jwks` and `didDocument` need no secrets.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, verifySignature } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer-1', algorithm: 'Ed25519', secrets: ['s1'] })
 * const signature = await vault.withKey('issuer-1', ['s1'], (signer) =>
 *   signer.sign(new TextEncoder().encode('hi')),
 * )
 * const { current } = await vault.publicKey('issuer-1')
 * console.log(
 *   await verifySignature(current.publicJwk, new TextEncoder().encode('hi'), signature),
 * ) // true
 * ```
 */
export class KeyVault {
  readonly #store: KeyStore
  readonly #envelope: SecretEnvelope
  readonly #kdf: KdfParams
  readonly #limiter: AttemptLimiter
  readonly #cache: UnlockCache | undefined
  readonly #clock: () => number
  readonly #legacy: LegacyKeySource | undefined
  /** The store's longest key id. */
  readonly #maxIdLength: number
  /**
   * Unlocks under way, by an HMAC of (key id, version, client, secrets) under a per-vault random
   * key. An identical request that arrives while one runs waits for it instead of starting its own
   * KDF run and limiter attempt: the same guess is counted once, and concurrent legitimate requests
   * for one key cannot trip the limiter's provisional lock (which counts attempts at admission).
   */
  readonly #inFlight = new Map<string, Promise<InFlightUnlock>>()
  readonly #flightMacKey = randomBytes(32)
  /** What this vault unlocked, so that `delete` and `retire` can stop handles still in use. */
  readonly #live = new LiveMaterials()

  constructor(options: KeyVaultOptions) {
    if (!options || typeof options !== 'object')
      throw new CredsignError('invalid_argument', 'KeyVault options are required')
    if (!isKeyStore(options.store))
      throw new CredsignError('invalid_argument', 'options.store must implement KeyStore')
    this.#store = options.store
    this.#kdf = options.kdf ?? DEFAULT_KDF
    this.#envelope = new SecretEnvelope({
      serviceSecret: options.serviceSecret,
      previousServiceSecrets: options.previousServiceSecrets ?? [],
      kdf: this.#kdf,
    })
    this.#limiter = options.limiter ?? new MemoryAttemptLimiter(options.lockout ?? {})
    this.#cache = options.unlockCache ? new UnlockCache(options.unlockCache) : undefined
    this.#clock = options.clock ?? Date.now
    const legacy = options.legacyKeys
    if (
      legacy !== undefined &&
      (typeof legacy?.migrate !== 'function' || typeof legacy.has !== 'function')
    )
      throw new CredsignError('invalid_argument', 'options.legacyKeys must be a LegacyKeySource')
    this.#legacy = options.legacyKeys
    const max = (this.#store as { maxKeyIdLength?: unknown }).maxKeyIdLength
    this.#maxIdLength = typeof max === 'number' ? max : MAX_KEY_ID_LENGTH
  }

  /** The store this vault uses. */
  get store(): KeyStore {
    return this.#store
  }

  /**
   * Generates a key pair, seals the private key and stores it as version 1 of `id`. Throws `exists`
   * if `id` is taken (atomically, even under concurrent calls).
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * const info = await vault.generate({
   *   id: 'did:web:issuer.example#key-1',
   *   algorithm: 'P-256',
   *   secrets: ['s1', 's2'],
   * })
   * console.log(info.current.publicKeyMultibase) // zDn…
   * ```
   */
  async generate(options: GenerateOptions): Promise<KeyInfo> {
    const { id, algorithm, secrets } = requireObject(options, 'generate options')
    validateKeyId(id, this.#maxIdLength)
    if (!isKeyAlgorithm(algorithm))
      throw new CredsignError('unsupported_algorithm', 'unsupported key algorithm')
    assertCallerSecrets(secrets) // before any expensive work
    if (await this.#exists(id))
      throw new CredsignError('exists', 'a key with this id already exists')
    const material = await generateKeyPair(
      algorithm,
      options.modulusLength ? { modulusLength: options.modulusLength } : {},
    )
    return this.#createKey(id, secrets, material, options.kdf)
  }

  /**
   * Imports an existing private key (PEM, DER, PKCS#8, JWK or raw seed; see `PrivateKeyInput`) as
   * version 1 of `id`. The key is validated and re-encoded before it is sealed; the input is not
   * modified (the caller wipes it). Throws `exists`, and the errors of `importPrivateKey`
   * (`invalid_key`, `unsupported_algorithm`, `invalid_argument`, `encrypted_key_unsupported`).
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * const seed = crypto.getRandomValues(new Uint8Array(32))
   * await vault.import({
   *   id: 'legacy-1',
   *   secrets: ['s1'],
   *   key: { seed, algorithm: 'Ed25519' },
   * })
   * // openssl genrsa -traditional 3072, for RS256:
   * declare const rsaPem: string
   * await vault.import({
   *   id: 'rs256-1',
   *   secrets: ['s1'],
   *   key: { pem: rsaPem, algorithm: 'RS256' },
   * })
   * ```
   */
  async import(options: ImportOptions): Promise<KeyInfo> {
    const { id, secrets, key } = requireObject(options, 'import options')
    validateKeyId(id, this.#maxIdLength)
    assertCallerSecrets(secrets)
    if (await this.#exists(id))
      throw new CredsignError('exists', 'a key with this id already exists')
    const material = await importPrivateKey(key)
    return this.#createKey(id, secrets, material, options.kdf)
  }

  /**
   * Unlocks a key for signing. Lock the returned key when done, or use {@link KeyVault.withKey}.
   *
   * Fails with `wrong_secrets` for wrong secrets and for an unknown id alike, with `locked` (see
   * `retryAt`) while too many failures lock the key, and with `invalid_secrets` / `invalid_key_id`
   * for malformed input (which does not count as an attempt).
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({ id: 'issuer-1', algorithm: 'Ed25519', secrets: ['s1'] })
   * const signer = await vault.unlock('issuer-1', ['s1'], { client: 'tenant-a' })
   * await signer.sign(new Uint8Array([1, 2, 3]))
   * signer.lock()
   * ```
   */
  async unlock(
    id: string,
    secrets: CallerSecret[],
    options: UnlockOptions = {},
  ): Promise<UnlockedKey> {
    validateKeyId(id, this.#maxIdLength)
    const encodedSecrets = encodeCallerSecrets(secrets)
    const requested = options.version ?? 'current'
    if (requested !== 'current' && (!Number.isSafeInteger(requested) || requested < 1)) {
      throw new CredsignError('invalid_argument', 'version must be a positive integer')
    }
    let flightKey: string
    let cacheKey: string | undefined
    try {
      cacheKey = this.#cache?.cacheKey(id, requested, encodedSecrets)
      if (this.#cache && cacheKey) {
        const hit = this.#cache.get(cacheKey, this.#clock())
        if (hit) return new UnlockedKey({ id, ...hit.version, material: hit.material })
      }
      // Only a cache miss needs the flight key (a second HMAC over the secrets).
      flightKey = unlockFlightKey(this.#flightMacKey, id, requested, options.client, encodedSecrets)
    } finally {
      wipe(encodedSecrets)
    }
    const running = this.#inFlight.get(flightKey)
    if (running !== undefined) {
      const shared = await running
      // The flight keeps the material alive until every waiter has its handle (see below).
      if (!shared.material.destroyed)
        return new UnlockedKey({ id, ...shared.facts, material: shared.material })
    }
    const flight = this.#unlockOnce(id, secrets, options, cacheKey)
    this.#inFlight.set(flightKey, flight)
    let shared: InFlightUnlock
    try {
      shared = await flight
    } finally {
      if (this.#inFlight.get(flightKey) === flight) this.#inFlight.delete(flightKey)
    }
    const unlocked = new UnlockedKey({ id, ...shared.facts, material: shared.material })
    // Waiters resume in microtasks right after the flight settles; a macrotask later every one of
    // them holds its own reference, so the flight's reference can go.
    setTimeout(() => shared.material.release(), 0)
    return unlocked
  }

  /**
   * One real unlock: limiter, KDF, key load; the material comes back with one reference held for
   * the flight.
   */
  async #unlockOnce(
    id: string,
    secrets: CallerSecret[],
    options: UnlockOptions,
    cacheKey: string | undefined,
  ): Promise<InFlightUnlock> {
    const generation = this.#cache?.generation ?? 0
    // Before the store is read: a delete or retire that lands while this unlock runs is seen.
    const pending = this.#live.begin(id)
    let version: KeyVersionRecord
    let material: SharedKeyMaterial
    let publicJwk: PublicJwk
    try {
      const auth = await this.#authorize(id, secrets, options)
      version = auth.version
      try {
        publicJwk = await assertSealedKeyIsPublished(version, auth.plaintext)
        material = new SharedKeyMaterial(await loadPrivateKey(version.algorithm, auth.plaintext))
      } finally {
        wipe(auth.plaintext)
      }
      material.acquire()
      this.#live.add(id, version.version, material)
      // Deleted or retired while this unlock ran (after it read the record): the key is gone, and
      // the handle is as one unlocked just before the change: `signer_locked`.
      if (pending.all || pending.versions.has(version.version)) material.revoke()
    } finally {
      this.#live.finish(id, pending)
    }
    const facts = {
      version: version.version,
      algorithm: version.algorithm,
      // The sealed key's own JWK (required members and thumbprint `kid`): nothing a store writer
      // added to the stored one (`alg`, `use`, `key_ops`, another `kid`) reaches what signers send.
      publicJwk,
      ...(version.certificateChain !== undefined && { x5c: version.certificateChain.x5c }),
    }
    if (this.#cache && cacheKey && !material.destroyed)
      this.#cache.set(cacheKey, id, facts, material, this.#clock(), generation)
    return { facts, material }
  }

  /**
   * Unlocks a key, runs `fn` with it and locks it again, also when `fn` throws.
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({ id: 'issuer-1', algorithm: 'P-256', secrets: ['s1'] })
   * const signature = await vault.withKey('issuer-1', ['s1'], (signer) =>
   *   signer.sign(new Uint8Array([1])),
   * )
   * ```
   */
  async withKey<T>(
    id: string,
    secrets: CallerSecret[],
    fn: (signer: UnlockedKey) => Promise<T> | T,
    options: UnlockOptions = {},
  ): Promise<T> {
    if (typeof fn !== 'function')
      throw new CredsignError('invalid_argument', 'withKey needs a function')
    const signer = await this.unlock(id, secrets, options)
    try {
      return await fn(signer)
    } finally {
      signer.lock()
    }
  }

  /**
   * The public view of a key (no secrets needed). Throws `not_found` for an unknown id.
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({ id: 'issuer-1', algorithm: 'secp256k1', secrets: ['s1'] })
   * const { current } = await vault.publicKey('issuer-1')
   * console.log(current.publicJwk.kty) // 'EC'
   * ```
   */
  async publicKey(id: string): Promise<KeyInfo> {
    validateKeyId(id, this.#maxIdLength)
    const record = await this.#get(id)
    if (!record) throw new CredsignError('not_found', 'no key with this id')
    return toKeyInfo(record)
  }

  /**
   * A page of keys in ascending id order.
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * let cursor: string | undefined
   * do {
   *   const page = await vault.list({ cursor, limit: 100 })
   *   for (const key of page.keys) console.log(key.id)
   *   cursor = page.nextCursor
   * } while (cursor)
   * ```
   */
  async list(options: { cursor?: string; limit?: number } = {}): Promise<KeyInfoPage> {
    const page = await this.#store.list(options)
    const records: unknown = page?.records
    if (!Array.isArray(records))
      throw new CredsignError('store_corrupt', 'the key store listed no array of records')
    const keys = await Promise.all(records.map((record) => toKeyInfo(checkedRecord(record))))
    return page.nextCursor === undefined ? { keys } : { keys, nextCursor: page.nextCursor }
  }

  /**
   * A JWKS of every listed key version (current and previous) of every key, with RFC 7638
   * thumbprints as `kid`, for verifiers that fetch keys by URL. `aliases` (`{ kid: keyId }`) adds
   * the current version of `keyId` once more under `kid`: the `kid` a token signed with that key
   * carries when it is not a thumbprint (eVault's key binding certificates use `entropy-key-1`). An
   * alias must not look like a DID URL or a thumbprint, so it never shadows another key's `kid`
   * (`invalid_argument`).
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({ id: 'registry', algorithm: 'P-256', secrets: ['s1'] })
   * const jwks = await vault.jwks({ aliases: { 'entropy-key-1': 'registry' } })
   * console.log(jwks.keys.map((k) => k.kid)) // [thumbprint, 'entropy-key-1']
   * ```
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({ id: 'issuer-1', algorithm: 'P-256', secrets: ['s1'] })
   * const jwks = await vault.jwks()
   * console.log(jwks.keys.length) // 1
   * ```
   */
  async jwks(
    options: { ids?: string[]; aliases?: Readonly<Record<string, string>> } = {},
  ): Promise<Jwks> {
    const aliases = Object.entries(options.aliases ?? {})
    for (const [alias] of aliases) validateJwksAlias(alias)
    const keys: Jwks['keys'] = []
    const add = (info: KeyInfo) => {
      for (const version of info.versions) keys.push(version.publicJwk)
    }
    if (options.ids) {
      for (const id of options.ids) add(await this.publicKey(id))
    } else {
      let cursor: string | undefined
      do {
        const page = await this.list(
          cursor === undefined ? { limit: 1000 } : { cursor, limit: 1000 },
        )
        page.keys.forEach(add)
        cursor = page.nextCursor
      } while (cursor !== undefined)
    }
    for (const [alias, id] of aliases)
      keys.push({ ...(await this.publicKey(id)).current.publicJwk, kid: alias })
    return { keys }
  }

  /**
   * A DID document for a key. For a key whose id is a DID URL (e.g. `did:web:issuer.example#key-1`)
   * it is that DID's document with the key's current version as verification method; otherwise, or
   * with `method: 'key' | 'jwk'`, the did:key or did:jwk document of the public key.
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({
   *   id: 'did:web:issuer.example#key-1',
   *   algorithm: 'Ed25519',
   *   secrets: ['s1'],
   * })
   * const doc = await vault.didDocument('did:web:issuer.example#key-1')
   * console.log(doc.id) // 'did:web:issuer.example'
   * ```
   */
  async didDocument(id: string, options: DidDocumentOptions = {}): Promise<DidDocument> {
    const info = await this.publicKey(id)
    return keyDidDocument(info, options)
  }

  /**
   * Deletes a key and all its versions. Needs the key's secrets (counted like an unlock). Handles
   * this vault unlocked before stop signing (`signer_locked`); handles held by another process
   * (another vault instance on the same store) keep their key in memory until they are locked.
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({ id: 'tmp', algorithm: 'Ed25519', secrets: ['s1'] })
   * await vault.delete('tmp', ['s1'])
   * ```
   */
  async delete(
    id: string,
    secrets: CallerSecret[],
    options: Pick<UnlockOptions, 'client'> = {},
  ): Promise<void> {
    validateKeyId(id, this.#maxIdLength)
    assertCallerSecrets(secrets)
    const { record, plaintext } = await this.#authorize(id, secrets, options)
    wipe(plaintext)
    this.#cache?.invalidate(id)
    let deleted: boolean
    try {
      deleted = await this.#store.delete(id, record.revision)
    } finally {
      // Again after the delete: an unlock that read the record in between must not stay cached.
      this.#cache?.invalidate(id)
    }
    if (!deleted) throw new CredsignError('not_found', 'no key with this id')
    // Handles unlocked before the delete stop signing: the key is gone, not just its record.
    this.#live.revoke(id)
  }

  /**
   * Rotates a key: a new key pair becomes the current version; the previous one stays listed (in
   * `publicKey`, `jwks`) for verifying what it signed until {@link KeyVault.retire}d. Handles
   * unlocked for the previous version keep signing with it (it is still a key of this id) until
   * they are locked or the version is retired. Concurrent rotations and rewraps never lose an
   * update (compare-and-swap on the record).
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({ id: 'issuer-1', algorithm: 'Ed25519', secrets: ['s1'] })
   * const info = await vault.rotate('issuer-1', ['s1'])
   * console.log(info.current.version, info.versions.length) // 2 2
   * ```
   */
  async rotate(id: string, secrets: CallerSecret[], options: RotateOptions = {}): Promise<KeyInfo> {
    validateKeyId(id, this.#maxIdLength)
    assertCallerSecrets(secrets)
    if (options.algorithm !== undefined && !isKeyAlgorithm(options.algorithm)) {
      throw new CredsignError('unsupported_algorithm', 'unsupported key algorithm')
    }
    const auth = await this.#authorize(id, secrets, options)
    wipe(auth.plaintext)
    const algorithm = options.algorithm ?? auth.version.algorithm
    const material = await generateKeyPair(
      algorithm,
      options.modulusLength ? { modulusLength: options.modulusLength } : {},
    )
    try {
      return await this.#compareAndSwap(id, auth.record, async (record) => {
        // A concurrent rewrap may have changed the secrets: every version of a key must open with
        // the same secrets, so re-prove them against the record we are about to replace.
        if (record.revision !== auth.record.revision) await this.#reprove(record, secrets)
        const version = Math.max(...record.versions.map((v) => v.version)) + 1
        const envelope = await this.#envelope.seal(material.pkcs8, secrets, {
          keyId: id,
          algorithm,
          keyVersion: version,
        })
        const now = new Date(this.#clock()).toISOString()
        return {
          ...record,
          updatedAt: now,
          versions: [
            ...record.versions.map((v) => ({ ...v, status: 'previous' as const })),
            {
              version,
              algorithm,
              publicJwk: material.publicJwk,
              status: 'current',
              createdAt: now,
              envelope,
            },
          ],
        }
      })
    } finally {
      wipe(material.pkcs8)
    }
  }

  /**
   * Removes a previous version (its private key is destroyed with its envelope, and handles this
   * vault unlocked for it stop signing). The current version cannot be retired; rotate first.
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({ id: 'issuer-1', algorithm: 'Ed25519', secrets: ['s1'] })
   * await vault.rotate('issuer-1', ['s1'])
   * await vault.retire('issuer-1', 1, ['s1'])
   * ```
   */
  async retire(
    id: string,
    version: number,
    secrets: CallerSecret[],
    options: Pick<UnlockOptions, 'client'> = {},
  ): Promise<KeyInfo> {
    validateKeyId(id, this.#maxIdLength)
    assertCallerSecrets(secrets)
    if (!Number.isSafeInteger(version) || version < 1)
      throw new CredsignError('invalid_argument', 'version must be a positive integer')
    const auth = await this.#authorize(id, secrets, options)
    wipe(auth.plaintext)
    const info = await this.#compareAndSwap(id, auth.record, async (record) => {
      const target = record.versions.find((v) => v.version === version)
      if (!target) throw new CredsignError('not_found', `key has no version ${version}`)
      if (target.status === 'current')
        throw new CredsignError(
          'invalid_argument',
          'the current version cannot be retired; rotate first',
        )
      return {
        ...record,
        updatedAt: new Date(this.#clock()).toISOString(),
        versions: record.versions.filter((v) => v !== target),
      }
    })
    // The retired version's private key is destroyed with its envelope: so are handles to it.
    this.#live.revoke(id, version)
    return info
  }

  /**
   * Re-seals every version of a key under new caller secrets and/or the current service secret and
   * KDF, without the private key ever leaving the vault. Use it to change secrets, to finish a
   * service-secret rotation, or to upgrade KDF parameters.
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({ id: 'issuer-1', algorithm: 'Ed25519', secrets: ['old'] })
   * await vault.rewrap('issuer-1', ['old'], { secrets: ['new-1', 'new-2'] })
   * await vault.unlock('issuer-1', ['new-1', 'new-2'])
   * ```
   */
  async rewrap(id: string, secrets: CallerSecret[], options: RewrapOptions = {}): Promise<KeyInfo> {
    validateKeyId(id, this.#maxIdLength)
    assertCallerSecrets(secrets)
    const target = { secrets: options.secrets ?? secrets, kdf: options.kdf ?? this.#kdf }
    assertCallerSecrets(target.secrets)
    const auth = await this.#authorize(id, secrets, options)
    wipe(auth.plaintext)
    const info = await this.#compareAndSwap(id, auth.record, async (record) => {
      const versions: KeyVersionRecord[] = []
      for (const v of record.versions) {
        const context = { keyId: id, algorithm: v.algorithm, keyVersion: v.version }
        const envelope = await this.#envelope.rewrap(v.envelope, secrets, context, target)
        versions.push({ ...v, envelope })
      }
      return { ...record, updatedAt: new Date(this.#clock()).toISOString(), versions }
    })
    return info
  }

  /**
   * Attaches an X.509 certificate chain to a key version (the current one unless
   * `options.version`): what the CA issued for a CSR of that version
   * (`createCertificateSigningRequest`), leaf first, then intermediates, without the trust anchor
   * (HAIP 1.0: verifiers have it). Stored with the version as public data in every store, shown by
   * `publicKey()` / `list()` (`certificateChain`, with its `notAfter`), sent as `x5c` by signers
   * given `x5c: true`. A chain belongs to one version: `rotate` gives the new version none (attach
   * the new certificate to it) and the old one keeps its own. Attaching again replaces the chain
   * (renewal).
   *
   * It needs the key's secrets, like `rotate` and `retire`: the chain is public, but swapping it
   * changes who wallets believe signed (another subject, another CA), so only the key's holders
   * may. Failed attempts count towards the lockout.
   *
   * Errors: `wrong_secrets` / `locked` (as `unlock`), `certificate_invalid`,
   * `certificate_key_mismatch` (the leaf is for another key or version), `certificate_self_signed`,
   * `certificate_chain_order`, `certificate_anchor_included`, `certificate_expired`.
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * declare const vault: KeyVault, chainPem: string // leaf + intermediate, as the CA sent them
   * const info = await vault.attachCertificateChain('issuer-1', ['s1'], chainPem)
   * console.log(info.current.certificateChain?.notAfter)
   * ```
   */
  async attachCertificateChain(
    id: string,
    secrets: CallerSecret[],
    chain: CertificateInput | readonly CertificateInput[],
    options: Pick<UnlockOptions, 'client' | 'version'> = {},
  ): Promise<KeyInfo> {
    validateKeyId(id, this.#maxIdLength)
    assertCallerSecrets(secrets)
    if (
      options.version !== undefined &&
      (!Number.isSafeInteger(options.version) || options.version < 1)
    )
      throw new CredsignError('invalid_argument', 'version must be a positive integer')
    const auth = await this.#authorize(id, secrets, options)
    try {
      // The chain is checked against the stored public key: it must be the sealed key's.
      await assertSealedKeyIsPublished(auth.version, auth.plaintext)
    } finally {
      wipe(auth.plaintext)
    }
    const target = auth.version.version
    const x509 = await loadX509()
    const certificateChain = await x509.checkKeyCertificateChain(
      chain,
      auth.version.publicJwk,
      this.#clock(),
    )
    const info = await this.#compareAndSwap(id, auth.record, async (record) => {
      const version = record.versions.find((v) => v.version === target)
      if (!version) throw new CredsignError('not_found', `key has no version ${target}`)
      if (!sameJwk(version.publicJwk, auth.version.publicJwk))
        throw new CredsignError('conflict', 'the key version changed while the chain was checked')
      return {
        ...record,
        updatedAt: new Date(this.#clock()).toISOString(),
        versions: record.versions.map((v) => (v === version ? { ...v, certificateChain } : v)),
      }
    })
    // Unlock-cache entries hold the version's facts (its x5c among them): drop them so the next
    // unlock carries the new chain. Handles already unlocked keep the chain they were given.
    this.#cache?.invalidate(id)
    return info
  }

  /**
   * Whether any version of `id` is sealed under a previous service secret or a KDF weaker than the
   * vault's, i.e. whether it should be {@link KeyVault.rewrap}ped.
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({ id: 'issuer-1', algorithm: 'Ed25519', secrets: ['s1'] })
   * console.log(await vault.needsRewrap('issuer-1')) // false
   * ```
   */
  async needsRewrap(id: string): Promise<boolean> {
    validateKeyId(id, this.#maxIdLength)
    const record = await this.#get(id)
    if (!record) throw new CredsignError('not_found', 'no key with this id')
    return record.versions.some((v) => this.#envelope.needsRewrap(v.envelope))
  }

  /** Drops every cached unlocked key (no-op without an unlock cache). */
  clearUnlockCache(): void {
    this.#cache?.clear()
  }

  async #createKey(
    id: string,
    secrets: CallerSecret[],
    material: KeyMaterial,
    kdf: KdfParams | undefined,
  ): Promise<KeyInfo> {
    try {
      const stored = await this.#store.create(await this.#newRecord(id, secrets, material, kdf))
      return toKeyInfo(stored)
    } finally {
      wipe(material.pkcs8)
    }
  }

  /** Whether the store, or the legacy source, holds `id`. */
  async #exists(id: string): Promise<boolean> {
    if ((await this.#store.get(id)) !== undefined) return true
    return this.#legacy !== undefined && (await this.#legacy.has(id))
  }

  /** Version 1 of a new key: `material` sealed under `secrets` (the caller wipes the material). */
  async #newRecord(
    id: string,
    secrets: CallerSecret[],
    material: KeyMaterial,
    kdf: KdfParams | undefined,
  ): Promise<KeyRecord> {
    const context = { keyId: id, algorithm: material.algorithm, keyVersion: 1 }
    const envelope = await this.#envelope.seal(material.pkcs8, secrets, context, kdf ? { kdf } : {})
    const now = new Date(this.#clock()).toISOString()
    return {
      id,
      revision: 0,
      createdAt: now,
      updatedAt: now,
      versions: [
        {
          version: 1,
          algorithm: material.algorithm,
          publicJwk: material.publicJwk,
          status: 'current',
          createdAt: now,
          envelope,
        },
      ],
    }
  }

  /**
   * The record of `id`, moving it from the legacy source first when only that has it. Resolves
   * `undefined` when neither has the id; throws `wrong_secrets` when the legacy key does not open.
   */
  async #recordOrLegacy(id: string, secrets: CallerSecret[]): Promise<KeyRecord | undefined> {
    const record = await this.#get(id)
    if (record !== undefined || this.#legacy === undefined) return record
    // The source re-checks under its own lock: a concurrent caller that migrated the key first
    // makes this one 'absent', and the store then has the record.
    await this.#legacy.migrate(id, secrets, (material) =>
      this.#newRecord(id, secrets, material, undefined),
    )
    return this.#get(id)
  }

  /**
   * The record of `id` as the store gives it, checked: a {@link KeyStore} may be anyone's code, and
   * a record it should have refused (a row edited past a store that does not validate) must be
   * `store_corrupt`, never a `TypeError` or another record's data.
   */
  async #get(id: string): Promise<KeyRecord | undefined> {
    const record: unknown = await this.#store.get(id)
    return record === undefined ? undefined : checkedRecord(record, id)
  }

  /**
   * Proves the caller holds the secrets of `id`: admits the attempt through the limiter, opens the
   * requested version's envelope and reports the outcome. Resolves with the record and the
   * plaintext private key (the caller wipes it).
   */
  async #authorize(
    id: string,
    secrets: CallerSecret[],
    options: UnlockOptions,
  ): Promise<{ record: KeyRecord; version: KeyVersionRecord; plaintext: Uint8Array }> {
    const limiterKey = options.client === undefined ? id : `${id}\u0000${String(options.client)}`
    const admission = await this.#limiter.begin(limiterKey, this.#clock())
    if (!admission.admitted) {
      throw new CredsignError('locked', 'too many failed attempts; try again later', {
        retryAt: admission.retryAt,
      })
    }
    let outcome: 'success' | 'failure' | 'void' = 'void'
    let opened: Uint8Array | undefined
    try {
      let record: KeyRecord | undefined
      try {
        record = await this.#recordOrLegacy(id, secrets)
      } catch (error) {
        // A legacy key the secrets do not open is a failed attempt like any other, and costs what
        // an unknown id costs (the source's work, then one KDF run): the time must not tell a
        // stranger that a legacy key waits under this id.
        if (CredsignError.is(error, 'wrong_secrets')) {
          outcome = 'failure'
          await this.#spendLikeAnOpen(secrets)
          throw wrongSecrets()
        }
        throw error
      }
      if (!record) {
        outcome = 'failure'
        await this.#spendLikeAnOpen(secrets)
        throw wrongSecrets()
      }
      const version =
        options.version === undefined
          ? record.versions.find((v) => v.status === 'current')
          : record.versions.find((v) => v.version === options.version)
      if (!version) {
        // An unknown version answers and counts like wrong secrets, as an unknown id does: a
        // `not_found` here, given before any secret was checked, would tell a stranger which ids exist.
        outcome = 'failure'
        await this.#spendLikeAnOpen(secrets)
        throw wrongSecrets()
      }
      try {
        const plaintext = await this.#envelope.open(version.envelope, secrets, {
          keyId: id,
          algorithm: version.algorithm,
          keyVersion: version.version,
        })
        opened = plaintext
        outcome = 'success'
        return { record, version, plaintext }
      } catch (error) {
        if (CredsignError.is(error, 'wrong_secrets')) {
          outcome = 'failure'
          throw wrongSecrets()
        }
        throw error
      }
    } finally {
      try {
        await this.#limiter.end(limiterKey, outcome, this.#clock())
      } catch (error) {
        // The limiter's error replaces the result: the private key it carried must not outlive it.
        if (opened !== undefined) wipe(opened)
        throw error
      }
    }
  }

  /** Opens the current version of a re-read record; the caller already passed the limiter. */
  async #reprove(record: KeyRecord, secrets: CallerSecret[]): Promise<void> {
    const current = record.versions.find((v) => v.status === 'current')
    if (!current) throw new CredsignError('store_corrupt', 'key record has no current version')
    try {
      const plaintext = await this.#envelope.open(current.envelope, secrets, {
        keyId: record.id,
        algorithm: current.algorithm,
        keyVersion: current.version,
      })
      wipe(plaintext)
    } catch (error) {
      throw CredsignError.is(error, 'wrong_secrets') ? wrongSecrets() : error
    }
  }

  /**
   * Costs what opening a real envelope costs (one KDF run at the vault's parameters over the given
   * secrets), so an unknown id answers in about the time wrong secrets do.
   */
  async #spendLikeAnOpen(secrets: CallerSecret[]): Promise<void> {
    const encoded = encodeCallerSecrets(secrets)
    try {
      wipe(await stretch(this.#kdf, encoded, randomBytes(16)))
    } finally {
      wipe(encoded)
    }
  }

  /** Applies `change` to the freshest record until the store accepts it or retries run out. */
  async #compareAndSwap(
    id: string,
    first: KeyRecord,
    change: (record: KeyRecord) => Promise<KeyRecord>,
  ): Promise<KeyInfo> {
    let record: KeyRecord | undefined = first
    for (let attempt = 1; ; attempt++) {
      if (!record) throw new CredsignError('not_found', 'no key with this id')
      const next = await change(record)
      try {
        const stored = await this.#store.update(next)
        this.#cache?.invalidate(id)
        return toKeyInfo(stored)
      } catch (error) {
        if (!CredsignError.is(error, 'conflict') || attempt >= MAX_CAS_ATTEMPTS) throw error
        record = await this.#get(id)
      }
    }
  }
}

/**
 * Throws `invalid_argument` unless `alias` can be an extra `kid` in a JWKS: 1 to 200 visible ASCII
 * characters, not a DID URL (the `kid` of a key signing as its DID) and not shaped like an RFC 7638
 * thumbprint (43 base64url characters), so it can never shadow another key's `kid`.
 *
 * @example
 *
 * ```ts
 * validateJwksAlias('entropy-key-1') // passes; validateJwksAlias('did:web:x#k') throws
 * ```
 *
 * @internal
 */
export function validateJwksAlias(alias: unknown): asserts alias is string {
  if (
    typeof alias !== 'string' ||
    !/^[\x21-\x7e]{1,200}$/.test(alias) ||
    alias.startsWith('did:') ||
    /^[A-Za-z0-9_-]{43}$/.test(alias)
  )
    throw new CredsignError(
      'invalid_argument',
      'a JWKS alias must be 1 to 200 visible ASCII characters, neither a DID URL nor thumbprint-shaped',
    )
}

/**
 * Validates caller secrets (`invalid_secrets`) and returns their canonical encoding; wipe it after
 * use.
 */
function encodeCallerSecrets(secrets: CallerSecret[]): Uint8Array {
  const parts = normalizeCallerSecrets(secrets)
  try {
    return encodeParts(parts)
  } finally {
    wipe(...parts)
  }
}

/** Throws `invalid_secrets` for malformed secrets, so they never reach the limiter or the KDF. */
function assertCallerSecrets(secrets: CallerSecret[]): void {
  wipe(encodeCallerSecrets(secrets))
}

function wrongSecrets(): CredsignError {
  // One message for unknown ids and wrong secrets alike, so neither is distinguishable.
  return new CredsignError('wrong_secrets', 'the key does not exist or the secrets do not open it')
}

function requireObject<T extends object>(value: T, what: string): T {
  if (!value || typeof value !== 'object')
    throw new CredsignError('invalid_argument', `${what} must be an object`)
  return value
}

function isKeyStore(value: unknown): value is KeyStore {
  if (!value || typeof value !== 'object') return false
  const store = value as Record<string, unknown>
  return ['create', 'get', 'update', 'delete', 'list'].every((m) => typeof store[m] === 'function')
}

/**
 * Throws `store_corrupt` unless `record` is a valid {@link KeyRecord} (of `id`, when given). Stores
 * validate what they read; the vault does not rely on it.
 */
function checkedRecord(record: unknown, id?: string): KeyRecord {
  validateKeyRecord(record, 'store_corrupt', 'the key store')
  if (id !== undefined && record.id !== id)
    throw new CredsignError('store_corrupt', 'the key store answered with the record of another id')
  return record
}

/**
 * Throws `store_corrupt` unless the private key sealed in a version's envelope is the key of the
 * version's public JWK; resolves with the sealed key's public JWK (required members, `kid` its RFC
 * 7638 thumbprint). The envelope binds the key id, algorithm and version but not the public key,
 * which the store keeps in clear: a store writer could swap it for another key's, and a handle
 * would then sign with one key while naming (in its `publicJwk`, the JWKS, a DID document, a
 * certificate chain) another. Compared by the key's required members (`requiredMembers`, the
 * members of the RFC 7638 thumbprint), so members a writer added are not the key either.
 */
async function assertSealedKeyIsPublished(
  version: KeyVersionRecord,
  pkcs8: Uint8Array,
): Promise<PublicJwk> {
  const sealed = await importPrivateKey({ pkcs8, algorithm: version.algorithm })
  wipe(sealed.pkcs8)
  let same = false
  try {
    same = sameJwk(requiredMembers(version.publicJwk), requiredMembers(sealed.publicJwk))
  } catch {
    // A stored JWK that is no public key at all: not the sealed key's either.
  }
  if (!same)
    throw new CredsignError(
      'store_corrupt',
      'the stored public key of this key version is not the key sealed in its envelope',
    )
  return sealed.publicJwk
}

function sameJwk(a: PublicJwk, b: PublicJwk): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
