import { CredsignError } from '../errors/credsign-error.js'
import type { PrivateKeyHandle } from '../keys/private-key.js'
import type { KeyAlgorithm, PublicJwk, Signer } from '../keys/types.js'

/**
 * Private key material shared by the handles an unlock cache hands out. It is destroyed (noble key
 * bytes zeroed, the non-extractable CryptoKey dropped) once it is out of the cache and no handle
 * holds it any more.
 *
 * @internal
 */
export class SharedKeyMaterial {
  #refs = 0
  #cached = false
  #destroyed = false

  constructor(readonly handle: PrivateKeyHandle) {}

  get destroyed(): boolean {
    return this.#destroyed
  }

  acquire(): void {
    this.#refs += 1
  }

  release(): void {
    this.#refs -= 1
    this.#maybeDestroy()
  }

  set cached(value: boolean) {
    this.#cached = value
    this.#maybeDestroy()
  }

  /**
   * Destroys the material now, whatever holds it: every handle made from it fails with
   * `signer_locked` from then on. For a key that no longer exists (deleted, or its version
   * retired).
   */
  revoke(): void {
    if (this.#destroyed) return
    this.#destroyed = true
    this.handle.destroy()
  }

  #maybeDestroy(): void {
    if (!this.#destroyed && this.#refs <= 0 && !this.#cached) {
      this.#destroyed = true
      this.handle.destroy()
    }
  }
}

/**
 * The key material a vault has handed out, by key id and version, held weakly: what no handle
 * references any more is garbage as usual. `delete` and `retire` revoke what is listed, so a handle
 * unlocked before the key was deleted cannot go on signing with it.
 *
 * @internal
 */
export class LiveMaterials {
  readonly #byKey = new Map<
    string,
    Set<{ version: number; material: WeakRef<SharedKeyMaterial> }>
  >()
  /** Unlocks under way, by key id: what was revoked while they ran. */
  readonly #pending = new Map<string, Set<PendingUnlock>>()

  /**
   * Registers an unlock of `id` that is about to read the store. A `revoke` of the key (or of a
   * version) before {@link LiveMaterials.finish} is remembered on it: the unlock may have read the
   * record before the change and would otherwise hand out material of a destroyed key.
   */
  begin(id: string): PendingUnlock {
    const pending: PendingUnlock = { all: false, versions: new Set() }
    let set = this.#pending.get(id)
    if (set === undefined) {
      set = new Set()
      this.#pending.set(id, set)
    }
    set.add(pending)
    return pending
  }

  /** Ends what {@link LiveMaterials.begin} started. */
  finish(id: string, pending: PendingUnlock): void {
    const set = this.#pending.get(id)
    if (set === undefined) return
    set.delete(pending)
    if (set.size === 0) this.#pending.delete(id)
  }

  add(id: string, version: number, material: SharedKeyMaterial): void {
    let entries = this.#byKey.get(id)
    if (entries === undefined) {
      entries = new Set()
      this.#byKey.set(id, entries)
    }
    // Prune as we go: a key unlocked over and over keeps one entry per live material, not one per unlock.
    for (const entry of entries) {
      const held = entry.material.deref()
      if (held === undefined || held.destroyed) entries.delete(entry)
    }
    entries.add({ version, material: new WeakRef(material) })
  }

  /** Revokes every material of `id` (all versions, or only `version`), unlocks under way included. */
  revoke(id: string, version?: number): void {
    for (const pending of this.#pending.get(id) ?? []) {
      if (version === undefined) pending.all = true
      else pending.versions.add(version)
    }
    const entries = this.#byKey.get(id)
    if (entries === undefined) return
    for (const entry of entries) {
      if (version !== undefined && entry.version !== version) continue
      entry.material.deref()?.revoke()
      entries.delete(entry)
    }
    if (entries.size === 0) this.#byKey.delete(id)
  }
}

/**
 * An unlock under way, as {@link LiveMaterials.begin} registered it: whether the key (`all`) or some
 * of its versions were revoked since.
 *
 * @internal
 */
export interface PendingUnlock {
  all: boolean
  versions: Set<number>
}

/** What {@link UnlockedKey} is made of. @internal */
export interface UnlockedKeyInit {
  id: string
  version: number
  algorithm: KeyAlgorithm
  publicJwk: PublicJwk
  /** The version's attached X.509 chain (x5c entries), if any. */
  x5c?: string[]
  material: SharedKeyMaterial
}

/** Set by {@link UnlockedKey}'s static block, the one place that can read its private material. */
let privateKeyHandle: (key: UnlockedKey) => PrivateKeyHandle

/**
 * A vault key unlocked for signing: a {@link Signer} plus `lock()`. Lock it as soon as you are done
 * (or use `vault.withKey`, which does); after `lock()` every `sign` fails with `signer_locked` and,
 * unless an unlock cache still holds it, the private key is discarded.
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
 * const key = await vault.unlock('issuer-1', ['s1'])
 * try {
 *   const signature = await key.sign(new TextEncoder().encode('hello'))
 * } finally {
 *   key.lock()
 * }
 * ```
 */
export class UnlockedKey implements Signer {
  /** The vault key id. */
  readonly id: string
  /** The key version this handle signs with. */
  readonly version: number
  readonly algorithm: KeyAlgorithm
  readonly publicJwk: PublicJwk
  /**
   * The X.509 chain attached to this handle's key version when it was unlocked (`x5c` entries, leaf
   * first, no trust anchor); `undefined` when none is attached. Signers send it with `x5c: true`.
   */
  readonly x5c?: readonly string[]
  #material: SharedKeyMaterial | undefined

  /** @internal */
  constructor(init: UnlockedKeyInit) {
    this.id = init.id
    this.version = init.version
    this.algorithm = init.algorithm
    // Each handle gets its own copy: handles served by the unlock cache share `init.publicJwk`, and
    // one caller changing its key's JWK must not change what later unlocks report.
    this.publicJwk = copyJwk(init.publicJwk)
    if (init.x5c !== undefined) this.x5c = Object.freeze([...init.x5c])
    init.material.acquire()
    this.#material = init.material
  }

  /** Whether `lock()` was called (or the material was destroyed). */
  get locked(): boolean {
    return this.#material === undefined || this.#material.destroyed
  }

  /** Signs `data` (see {@link Signer.sign} for the signature encodings). */
  async sign(data: Uint8Array): Promise<Uint8Array> {
    const material = this.#material
    if (!material || material.destroyed)
      throw new CredsignError('signer_locked', `key ${this.id} is locked`)
    if (!(data instanceof Uint8Array))
      throw new CredsignError('invalid_argument', 'data to sign must be a Uint8Array')
    return material.handle.sign(data)
  }

  /** Drops this handle's access to the private key. Idempotent. */
  lock(): void {
    const material = this.#material
    this.#material = undefined
    material?.release()
  }

  static {
    privateKeyHandle = (key) => {
      const material = key.#material
      if (!material || material.destroyed)
        throw new CredsignError('signer_locked', `key ${key.id} is locked`)
      return material.handle
    }
  }
}

/**
 * The private key handle behind an unlocked key (`signer_locked` once locked), for the adapters of
 * `credsign/adapters` that need what a `Signer` does not give (a WebCrypto key for jose). Not part
 * of the public API: a handle outlives nothing, but what it gives out may.
 *
 * @example
 *
 * ```ts
 * const handle = privateKeyHandleOf(await vault.unlock('issuer-1', ['s1']))
 * ```
 *
 * @internal
 */
export function privateKeyHandleOf(key: UnlockedKey): PrivateKeyHandle {
  if (!(key instanceof UnlockedKey))
    throw new CredsignError('invalid_argument', 'expected an UnlockedKey from KeyVault.unlock')
  return privateKeyHandle(key)
}

function copyJwk(jwk: PublicJwk): PublicJwk {
  const copy: PublicJwk = { ...jwk }
  if (Array.isArray(copy.key_ops)) copy.key_ops = [...copy.key_ops]
  return copy
}
