import { CredsignError } from '../errors/credsign-error.js'
import type { PrivateKeyHandle } from '../keys/private-key.js'
import type { KeyAlgorithm, PublicJwk, Signer } from '../keys/types.js'

/**
 * Private key material shared by the handles an unlock cache hands out. It is destroyed (noble
 * key bytes zeroed, the non-extractable CryptoKey dropped) once it is out of the cache and no
 * handle holds it any more.
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

  #maybeDestroy(): void {
    if (!this.#destroyed && this.#refs <= 0 && !this.#cached) {
      this.#destroyed = true
      this.handle.destroy()
    }
  }
}

/** What {@link UnlockedKey} is made of. @internal */
export interface UnlockedKeyInit {
  id: string
  version: number
  algorithm: KeyAlgorithm
  publicJwk: PublicJwk
  material: SharedKeyMaterial
}

/**
 * A vault key unlocked for signing: a {@link Signer} plus `lock()`. Lock it as soon as you are done
 * (or use `vault.withKey`, which does); after `lock()` every `sign` fails with `signer_locked` and,
 * unless an unlock cache still holds it, the private key is discarded.
 *
 * @example
 * ```ts
 * import { KeyVault, MemoryStore } from 'credsign'
 * const vault = new KeyVault({ store: new MemoryStore(), serviceSecret: crypto.getRandomValues(new Uint8Array(32)) })
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
  #material: SharedKeyMaterial | undefined

  /** @internal */
  constructor(init: UnlockedKeyInit) {
    this.id = init.id
    this.version = init.version
    this.algorithm = init.algorithm
    // Each handle gets its own copy: handles served by the unlock cache share `init.publicJwk`, and
    // one caller changing its key's JWK must not change what later unlocks report.
    this.publicJwk = copyJwk(init.publicJwk)
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
    if (!material || material.destroyed) throw new CredsignError('signer_locked', `key ${this.id} is locked`)
    if (!(data instanceof Uint8Array)) throw new CredsignError('invalid_argument', 'data to sign must be a Uint8Array')
    return material.handle.sign(data)
  }

  /** Drops this handle's access to the private key. Idempotent. */
  lock(): void {
    const material = this.#material
    this.#material = undefined
    material?.release()
  }
}

function copyJwk(jwk: PublicJwk): PublicJwk {
  const copy: PublicJwk = { ...jwk }
  if (Array.isArray(copy.key_ops)) copy.key_ops = [...copy.key_ops]
  return copy
}
