import { describe, expect, it } from 'vitest'
import {
  CredsignError,
  KeyVault,
  MemoryStore,
  verifySignature,
  type KeyAlgorithm,
  type KeyRecord,
  type KeyStore,
  type KeyVaultOptions,
} from 'credsign'
import { CHEAP_KDF, SERVICE_SECRET, codeOf, data, makeVault } from './vault-helpers.js'

/** A store that counts reads, to observe what the vault does. */
class CountingStore implements KeyStore {
  gets = 0
  constructor(private readonly inner: KeyStore = new MemoryStore()) {}
  create(record: KeyRecord) {
    return this.inner.create(record)
  }
  get(id: string) {
    this.gets++
    return this.inner.get(id)
  }
  update(record: KeyRecord) {
    return this.inner.update(record)
  }
  delete(id: string, expectedRevision?: number) {
    return this.inner.delete(id, expectedRevision)
  }
  list(options?: { cursor?: string; limit?: number }) {
    return this.inner.list(options)
  }
}

const ALGORITHMS: { algorithm: KeyAlgorithm; kty: string }[] = [
  { algorithm: 'Ed25519', kty: 'OKP' },
  { algorithm: 'P-256', kty: 'EC' },
  { algorithm: 'P-384', kty: 'EC' },
  { algorithm: 'secp256k1', kty: 'EC' },
  { algorithm: 'RSA-PSS', kty: 'RSA' },
]

describe('KeyVault round trips', () => {
  for (const { algorithm, kty } of ALGORITHMS) {
    it(`generates, unlocks and signs with ${algorithm}`, async () => {
      const vault = makeVault()
      const info = await vault.generate({
        id: `key-${algorithm}`,
        algorithm,
        secrets: ['s1', 's2'],
        modulusLength: 2048,
      })
      expect(info.current.version).toBe(1)
      expect(info.current.algorithm).toBe(algorithm)
      expect(info.current.publicJwk.kty).toBe(kty)
      expect(info.current.publicJwk.kid).toBe(info.current.thumbprint)
      expect(info.current.publicKeyMultibase.startsWith('z')).toBe(true)
      expect('d' in info.current.publicJwk).toBe(false)

      const signer = await vault.unlock(`key-${algorithm}`, ['s1', 's2'])
      expect(signer.id).toBe(`key-${algorithm}`)
      expect(signer.algorithm).toBe(algorithm)
      const signature = await signer.sign(data)
      expect(await verifySignature(info.current.publicJwk, data, signature)).toBe(true)
      expect(
        await verifySignature(info.current.publicJwk, new Uint8Array([1, 2, 3]), signature),
      ).toBe(false)
      signer.lock()
      expect(signer.locked).toBe(true)
      expect(await codeOf(signer.sign(data))).toBe('signer_locked')
    })
  }

  it('imports a key and unlocks it to the same public key', async () => {
    const vault = makeVault()
    const seed = new Uint8Array(32).fill(7)
    const imported = await vault.import({
      id: 'imported',
      secrets: ['s'],
      key: { seed, algorithm: 'Ed25519' },
    })
    const again = await makeVault().import({
      id: 'other',
      secrets: ['t'],
      key: { seed, algorithm: 'Ed25519' },
    })
    expect(imported.current.thumbprint).toBe(again.current.thumbprint)
    const signature = await vault.withKey('imported', ['s'], (s) => s.sign(data))
    expect(await verifySignature(imported.current.publicJwk, data, signature)).toBe(true)
  })

  it('keeps no secret in the public view', async () => {
    const vault = makeVault()
    await vault.generate({ id: 'k', algorithm: 'P-256', secrets: ['top-secret-value'] })
    const text =
      JSON.stringify(await vault.publicKey('k')) +
      JSON.stringify(await vault.list()) +
      JSON.stringify(await vault.jwks())
    expect(text).not.toContain('top-secret-value')
    expect(text).not.toContain('"ct"')
    expect(text).not.toContain('"d"')
  })
})

describe('KeyVault errors', () => {
  it('answers an unknown id exactly like wrong secrets', async () => {
    const vault = makeVault()
    await vault.generate({ id: 'known', algorithm: 'Ed25519', secrets: ['right'] })
    const errors: CredsignError[] = []
    for (const id of ['known', 'unknown']) {
      try {
        await vault.unlock(id, ['wrong'])
      } catch (error) {
        errors.push(error as CredsignError)
      }
    }
    expect(errors.map((e) => e.code)).toEqual(['wrong_secrets', 'wrong_secrets'])
    expect(errors[0]?.message).toBe(errors[1]?.message)
  })

  it('rejects reordered, missing, extra and concatenation-equal secrets', async () => {
    // Five wrong attempts would lock the key before the final right one: raise the limit.
    const vault = makeVault({ lockout: { maxFailures: 10 } })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['ab', 'c'] })
    expect(await codeOf(vault.unlock('k', ['c', 'ab']))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock('k', ['ab']))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock('k', ['ab', 'c', 'd']))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock('k', ['abc']))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock('k', ['a', 'bc']))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock('k', ['ab', 'c']))).toBe('resolved')
  })

  it('validates ids, secrets and algorithms before doing any work', async () => {
    const vault = makeVault()
    expect(
      await codeOf(vault.generate({ id: 'bad id', algorithm: 'Ed25519', secrets: ['s'] })),
    ).toBe('invalid_key_id')
    expect(
      await codeOf(vault.generate({ id: 'x'.repeat(501), algorithm: 'Ed25519', secrets: ['s'] })),
    ).toBe('invalid_key_id')
    expect(
      await codeOf(vault.generate({ id: "a';drop", algorithm: 'Ed25519', secrets: ['s'] })),
    ).toBe('invalid_key_id')
    expect(await codeOf(vault.generate({ id: 'ok', algorithm: 'Ed25519', secrets: [] }))).toBe(
      'invalid_secrets',
    )
    expect(
      await codeOf(
        vault.generate({ id: 'ok', algorithm: 'Ed25519', secrets: Array(11).fill('s') }),
      ),
    ).toBe('invalid_secrets')
    expect(
      await codeOf(vault.generate({ id: 'ok', algorithm: 'Ed25519', secrets: ['x'.repeat(1001)] })),
    ).toBe('invalid_secrets')
    expect(
      await codeOf(
        vault.generate({ id: 'ok', algorithm: 'P-192' as KeyAlgorithm, secrets: ['s'] }),
      ),
    ).toBe('unsupported_algorithm')
    expect(await codeOf(vault.unlock('ok', 'secret' as unknown as string[]))).toBe(
      'invalid_secrets',
    )
    expect(await codeOf(vault.publicKey('missing'))).toBe('not_found')
    expect(() => new KeyVault({ store: new MemoryStore(), serviceSecret: 'too short' })).toThrow(
      CredsignError,
    )
  })

  it('accepts DID URL ids with # and %', async () => {
    const vault = makeVault()
    const id = 'did:web:issuer.example%3A8443:users:alice#key-1'
    await vault.generate({ id, algorithm: 'Ed25519', secrets: ['s'] })
    expect((await vault.unlock(id, ['s'])).id).toBe(id)
  })

  it('never puts a secret into an error', async () => {
    const vault = makeVault()
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['correct-horse'] })
    for (const attempt of [['battery-staple'], ['correct-horse', 'extra-secret']]) {
      try {
        await vault.unlock('k', attempt)
        expect.unreachable()
      } catch (error) {
        const dump = JSON.stringify(error) + String(error) + (error as Error).stack
        for (const secret of [...attempt, 'correct-horse', SERVICE_SECRET])
          expect(dump).not.toContain(secret)
      }
    }
  })

  it('refuses a duplicate id, and 50 concurrent generates leave one key', async () => {
    const vault = makeVault()
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        vault.generate({ id: 'race', algorithm: 'Ed25519', secrets: ['s'] }),
      ),
    )
    const fulfilled = results.filter((r) => r.status === 'fulfilled')
    const codes = results.flatMap((r) =>
      r.status === 'rejected' ? [(r.reason as CredsignError).code] : [],
    )
    expect(fulfilled).toHaveLength(1)
    expect(codes).toEqual(Array(49).fill('exists'))
    expect((await vault.list()).keys).toHaveLength(1)
  })
})

describe('failed-attempt lockout', () => {
  function clockVault(options: Partial<KeyVaultOptions> = {}) {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const vault = makeVault({ clock: () => now, ...options })
    return { vault, advance: (ms: number) => (now += ms), now: () => now }
  }

  it('locks after 5 failures and releases after the cooldown', async () => {
    const { vault, advance, now } = clockVault()
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['right'] })
    for (let i = 0; i < 5; i++)
      expect(await codeOf(vault.unlock('k', ['wrong']))).toBe('wrong_secrets')
    let lockedError: CredsignError | undefined
    try {
      await vault.unlock('k', ['right'])
    } catch (error) {
      lockedError = error as CredsignError
    }
    expect(lockedError?.code).toBe('locked')
    expect(lockedError?.retryAt).toBe(now() + 15 * 60_000)
    advance(15 * 60_000 - 1)
    expect(await codeOf(vault.unlock('k', ['right']))).toBe('locked')
    advance(1)
    expect(await codeOf(vault.unlock('k', ['right']))).toBe('resolved')
  })

  it('resets the count on success and forgets failures outside the window', async () => {
    const { vault, advance } = clockVault()
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['right'] })
    for (let i = 0; i < 4; i++) await codeOf(vault.unlock('k', ['wrong']))
    expect(await codeOf(vault.unlock('k', ['right']))).toBe('resolved')
    for (let i = 0; i < 4; i++) await codeOf(vault.unlock('k', ['wrong']))
    advance(15 * 60_000)
    for (let i = 0; i < 4; i++)
      expect(await codeOf(vault.unlock('k', ['wrong']))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock('k', ['right']))).toBe('resolved')
  })

  it('counts unknown ids too, but not malformed input', async () => {
    const { vault } = clockVault()
    for (let i = 0; i < 5; i++)
      expect(await codeOf(vault.unlock('ghost', ['guess']))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock('ghost', ['guess']))).toBe('locked')
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['right'] })
    for (let i = 0; i < 10; i++) expect(await codeOf(vault.unlock('k', []))).toBe('invalid_secrets')
    expect(await codeOf(vault.unlock('k', ['right']))).toBe('resolved')
  })

  it('admits exactly the limit when distinct guesses race', async () => {
    const { vault } = clockVault()
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['right'] })
    const codes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => codeOf(vault.unlock('k', [`wrong-${i}`]))),
    )
    expect(codes.filter((c) => c === 'wrong_secrets')).toHaveLength(5)
    expect(codes.filter((c) => c === 'locked')).toHaveLength(7)
    expect(await codeOf(vault.unlock('k', ['right']))).toBe('locked')
  })

  it('counts identical racing requests as one guess: one attempt, one shared answer', async () => {
    const { vault } = clockVault()
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['right'] })
    const codes = await Promise.all(
      Array.from({ length: 12 }, () => codeOf(vault.unlock('k', ['wrong']))),
    )
    expect(codes).toEqual(Array.from({ length: 12 }, () => 'wrong_secrets'))
    // One failure was counted, so four more distinct guesses are admitted before the lock.
    for (let i = 0; i < 4; i++)
      expect(await codeOf(vault.unlock('k', [`guess-${i}`]))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock('k', ['right']))).toBe('locked')
  })

  it('serves many concurrent correct unlocks of one key without tripping the limiter, each with its own handle', async () => {
    const { vault } = clockVault()
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['right'] })
    const keys = await Promise.all(Array.from({ length: 32 }, () => vault.unlock('k', ['right'])))
    const data = new Uint8Array([1, 2, 3])
    keys[0]!.lock()
    expect(await codeOf(keys[0]!.sign(data))).toBe('signer_locked')
    // Locking one handle leaves the others usable, also after the flight's reference is released.
    await new Promise((resolve) => setTimeout(resolve, 5))
    const signatures = await Promise.all(keys.slice(1).map((key) => key.sign(data)))
    expect(signatures.every((s) => s.length === 64)).toBe(true)
    for (const key of keys.slice(1)) key.lock()
    expect(await codeOf(keys[31]!.sign(data))).toBe('signer_locked')
    // Waves of concurrent requests, arriving while earlier ones run, never see `locked`.
    const waves = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i % 7))
        return codeOf(vault.unlock('k', ['right']))
      }),
    )
    expect(waves.every((c) => c === 'resolved')).toBe(true)
  })

  it('does not share an unlock between clients or between different secrets', async () => {
    const { vault } = clockVault({ lockout: { maxFailures: 1 } })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['right'] })
    const [a, b, c] = await Promise.all([
      codeOf(vault.unlock('k', ['right'], { client: 'a' })),
      codeOf(vault.unlock('k', ['wrong'], { client: 'b' })),
      codeOf(vault.unlock('k', ['right'], { client: 'c' })),
    ])
    expect([a, b, c]).toEqual(['resolved', 'wrong_secrets', 'resolved'])
    expect(await codeOf(vault.unlock('k', ['right'], { client: 'b' }))).toBe('locked')
  })

  it('keys the limiter by client, so a stranger cannot lock the owner out', async () => {
    const { vault } = clockVault()
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['right'] })
    for (let i = 0; i < 5; i++) await codeOf(vault.unlock('k', ['wrong'], { client: 'mallory' }))
    expect(await codeOf(vault.unlock('k', ['right'], { client: 'mallory' }))).toBe('locked')
    expect(await codeOf(vault.unlock('k', ['right'], { client: 'owner' }))).toBe('resolved')
  })

  it('applies a custom policy and guards delete, rotate and rewrap too', async () => {
    const { vault } = clockVault({ lockout: { maxFailures: 2 } })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['right'] })
    expect(await codeOf(vault.delete('k', ['wrong']))).toBe('wrong_secrets')
    expect(await codeOf(vault.rotate('k', ['wrong']))).toBe('wrong_secrets')
    expect(await codeOf(vault.rewrap('k', ['right'], { secrets: ['new'] }))).toBe('locked')
    expect((await vault.publicKey('k')).versions).toHaveLength(1)
  })
})

describe('rotation, retirement, rewrap, deletion', () => {
  it('rotates: the new version signs, the old one stays listed until retired', async () => {
    const vault = makeVault()
    const first = await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    const rotated = await vault.rotate('k', ['s'], { algorithm: 'P-256' })
    expect(rotated.current.version).toBe(2)
    expect(rotated.current.algorithm).toBe('P-256')
    expect(rotated.versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'previous'],
      [2, 'current'],
    ])
    expect((await vault.jwks()).keys.map((k) => k.kid)).toEqual([
      first.current.thumbprint,
      rotated.current.thumbprint,
    ])

    const current = await vault.unlock('k', ['s'])
    expect(current.version).toBe(2)
    expect(await verifySignature(rotated.current.publicJwk, data, await current.sign(data))).toBe(
      true,
    )
    const previous = await vault.unlock('k', ['s'], { version: 1 })
    expect(await verifySignature(first.current.publicJwk, data, await previous.sign(data))).toBe(
      true,
    )

    expect(await codeOf(vault.retire('k', 2, ['s']))).toBe('invalid_argument')
    expect(await codeOf(vault.retire('k', 7, ['s']))).toBe('not_found')
    const retired = await vault.retire('k', 1, ['s'])
    expect(retired.versions.map((v) => v.version)).toEqual([2])
    expect((await vault.jwks()).keys).toHaveLength(1)
  })

  it('rewraps to new secrets without changing the key', async () => {
    const vault = makeVault()
    const before = await vault.generate({ id: 'k', algorithm: 'secp256k1', secrets: ['old'] })
    await vault.rotate('k', ['old'])
    const after = await vault.rewrap('k', ['old'], { secrets: ['new-1', 'new-2'] })
    expect(after.versions.map((v) => v.thumbprint)).toEqual([
      before.current.thumbprint,
      after.current.thumbprint,
    ])
    expect(await codeOf(vault.unlock('k', ['old']))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock('k', ['new-1', 'new-2'], { version: 1 }))).toBe('resolved')
    expect(await codeOf(vault.unlock('k', ['new-1', 'new-2']))).toBe('resolved')
  })

  it('rotates the service secret through previousServiceSecrets and rewrap', async () => {
    const store = new MemoryStore()
    const oldSecret = 'old-service-secret-0123456789abcdef0123456789'
    const newSecret = 'new-service-secret-0123456789abcdef0123456789'
    await new KeyVault({ store, serviceSecret: oldSecret, kdf: CHEAP_KDF }).generate({
      id: 'k',
      algorithm: 'Ed25519',
      secrets: ['s'],
    })
    expect(
      await codeOf(
        new KeyVault({ store, serviceSecret: newSecret, kdf: CHEAP_KDF }).unlock('k', ['s']),
      ),
    ).toBe('service_secret_mismatch')
    const transition = new KeyVault({
      store,
      serviceSecret: newSecret,
      previousServiceSecrets: [oldSecret],
      kdf: CHEAP_KDF,
    })
    expect(await transition.needsRewrap('k')).toBe(true)
    expect(await codeOf(transition.unlock('k', ['s']))).toBe('resolved')
    await transition.rewrap('k', ['s'])
    expect(await transition.needsRewrap('k')).toBe(false)
    expect(
      await codeOf(
        new KeyVault({ store, serviceSecret: newSecret, kdf: CHEAP_KDF }).unlock('k', ['s']),
      ),
    ).toBe('resolved')
  })

  it('never loses an update when rotations and rewraps race', async () => {
    const vault = makeVault()
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    const rotations = await Promise.allSettled([
      vault.rotate('k', ['s']),
      vault.rotate('k', ['s']),
      vault.rotate('k', ['s']),
    ])
    expect(rotations.every((r) => r.status === 'fulfilled')).toBe(true)
    expect((await vault.publicKey('k')).versions.map((v) => v.version)).toEqual([1, 2, 3, 4])

    const [rotate, rewrap] = await Promise.allSettled([
      vault.rotate('k', ['s']),
      vault.rewrap('k', ['s'], { secrets: ['t'] }),
    ])
    expect(rewrap.status).toBe('fulfilled')
    const info = await vault.publicKey('k')
    if (rotate.status === 'fulfilled') expect(info.versions).toHaveLength(5)
    else {
      expect((rotate.reason as CredsignError).code).toBe('wrong_secrets')
      expect(info.versions).toHaveLength(4)
    }
    // Whatever the order, every listed version opens with the new secrets: no version was left behind.
    for (const v of info.versions)
      expect(await codeOf(vault.unlock('k', ['t'], { version: v.version }))).toBe('resolved')
  })

  it('deletes only with the right secrets', async () => {
    const vault = makeVault()
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    expect(await codeOf(vault.delete('k', ['x']))).toBe('wrong_secrets')
    expect((await vault.list()).keys).toHaveLength(1)
    await vault.delete('k', ['s'])
    expect((await vault.list()).keys).toHaveLength(0)
    expect(await codeOf(vault.unlock('k', ['s']))).toBe('wrong_secrets')
    await vault.generate({ id: 'k', algorithm: 'P-384', secrets: ['s'] })
  })
})

describe('withKey and the unlock cache', () => {
  it('locks the key after the callback, also when it throws', async () => {
    const vault = makeVault()
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    let leaked: { sign(d: Uint8Array): Promise<Uint8Array> } | undefined
    await expect(
      vault.withKey('k', ['s'], (signer) => {
        leaked = signer
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await codeOf(leaked!.sign(data))).toBe('signer_locked')
  })

  it('is off by default: every unlock reads the store', async () => {
    const store = new CountingStore()
    const vault = makeVault({ store })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    store.gets = 0
    await vault.unlock('k', ['s'])
    await vault.unlock('k', ['s'])
    expect(store.gets).toBe(2)
  })

  it('serves repeated unlocks from memory until the TTL, never for wrong secrets', async () => {
    let now = 1_000_000
    const store = new CountingStore()
    const vault = makeVault({ store, unlockCache: { ttlMs: 60_000 }, clock: () => now })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    store.gets = 0
    const a = await vault.unlock('k', ['s'])
    const b = await vault.unlock('k', ['s'])
    expect(store.gets).toBe(1)
    a.lock()
    expect(await verifySignature(b.publicJwk, data, await b.sign(data))).toBe(true) // b unaffected by a.lock()
    expect(await codeOf(vault.unlock('k', ['wrong']))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock('k', ['s', 'extra']))).toBe('wrong_secrets')
    expect(store.gets).toBe(3)
    now += 60_000
    await vault.unlock('k', ['s'])
    expect(store.gets).toBe(4)
  })

  it('drops cached keys on rotate and delete', async () => {
    const vault = makeVault({ unlockCache: { ttlMs: 60_000 } })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    expect((await vault.unlock('k', ['s'])).version).toBe(1)
    await vault.rotate('k', ['s'])
    expect((await vault.unlock('k', ['s'])).version).toBe(2)
    await vault.delete('k', ['s'])
    expect(await codeOf(vault.unlock('k', ['s']))).toBe('wrong_secrets')
  })

  /** A store whose reads can be held back: the snapshot is taken at call time, delivered later. */
  class SlowReadStore extends CountingStore {
    hold: Promise<void> | undefined
    override async get(id: string) {
      const snapshot = await super.get(id)
      if (this.hold) await this.hold
      return snapshot
    }
  }

  it('does not cache an unlock that read the record before a rewrap or delete finished', async () => {
    for (const change of ['rewrap', 'delete'] as const) {
      const store = new SlowReadStore()
      const vault = makeVault({ store, unlockCache: { ttlMs: 60_000 } })
      await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['old'] })
      let release!: () => void
      store.hold = new Promise((resolve) => {
        release = resolve
      })
      const inFlight = vault.unlock('k', ['old']) // reads the record, then waits
      await new Promise((resolve) => setTimeout(resolve, 5))
      store.hold = undefined
      if (change === 'rewrap') await vault.rewrap('k', ['old'], { secrets: ['new'] })
      else await vault.delete('k', ['old'])
      release()
      ;(await inFlight).lock() // it did open the record it read
      // …but the old secrets (or the deleted key) must not keep working from the cache.
      expect(await codeOf(vault.unlock('k', ['old']))).toBe('wrong_secrets')
    }
  })

  it('gives every unlocked handle its own publicJwk, also from the cache', async () => {
    const vault = makeVault({ unlockCache: { ttlMs: 60_000 } })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    const a = await vault.unlock('k', ['s'])
    const original = { ...a.publicJwk }
    ;(a.publicJwk as { x: string }).x = 'tampered'
    const b = await vault.unlock('k', ['s'])
    expect(b.publicJwk).toEqual(original)
    expect(await verifySignature(b.publicJwk, data, await b.sign(data))).toBe(true)
  })
})

describe('public keys out', () => {
  it('serves a DID document for did:web ids and did:key for others', async () => {
    const vault = makeVault()
    const web = await vault.generate({
      id: 'did:web:issuer.example#key-1',
      algorithm: 'Ed25519',
      secrets: ['s'],
    })
    const doc = await vault.didDocument('did:web:issuer.example#key-1')
    expect(doc.id).toBe('did:web:issuer.example')
    expect(JSON.stringify(doc)).toContain(web.current.publicKeyMultibase)
    expect(JSON.stringify(doc)).toContain('did:web:issuer.example#key-1')

    await vault.generate({ id: 'plain', algorithm: 'P-256', secrets: ['s'] })
    const keyDoc = await vault.didDocument('plain')
    expect(keyDoc.id.startsWith('did:key:zDn')).toBe(true)
    const jwkDoc = await vault.didDocument('plain', { method: 'jwk' })
    expect(jwkDoc.id.startsWith('did:jwk:')).toBe(true)
  })

  it('lists keys page by page', async () => {
    const vault = makeVault()
    for (let i = 0; i < 7; i++)
      await vault.generate({ id: `k${i}`, algorithm: 'Ed25519', secrets: ['s'] })
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await vault.list(cursor ? { cursor, limit: 3 } : { limit: 3 })
      seen.push(...page.keys.map((k) => k.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6'])
  })
})
