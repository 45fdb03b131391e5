// Issue 12, findings 5 and 6 (vault): an unknown version must answer and count like wrong secrets (it
// answered not_found before any secret was checked, an existence oracle that cost no attempt), and
// handles unlocked before `delete` / `retire` must stop signing.
import { describe, expect, it } from 'vitest'
import { codeOf, data, makeVault } from './vault-helpers.js'

describe('no key id / version existence oracle (finding 5)', () => {
  it('an unknown version of an existing key answers exactly like an unknown key: wrong_secrets', async () => {
    const vault = makeVault()
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    const existing = await codeOf(vault.unlock('k', ['guess'], { version: 99 }))
    const unknown = await codeOf(vault.unlock('no-such-key', ['guess'], { version: 99 }))
    expect([existing, unknown]).toEqual(['wrong_secrets', 'wrong_secrets'])
    // even with the right secrets: the version does not exist, and the answer says nothing more
    expect(await codeOf(vault.unlock('k', ['s'], { version: 99 }))).toBe('wrong_secrets')
  })

  it('unknown versions count as failed attempts and lock the key like wrong secrets do', async () => {
    const vault = makeVault({ lockout: { maxFailures: 3 } })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    for (let version = 90; version < 93; version++)
      expect(await codeOf(vault.unlock('k', ['s'], { version }))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock('k', ['s']))).toBe('locked')
    expect(await codeOf(vault.unlock('no-such-key', ['s']))).toBe('wrong_secrets')
  })
})

describe('handles after delete, retire and rotate (finding 6)', () => {
  it('a handle unlocked before delete stops signing (signer_locked)', async () => {
    const vault = makeVault()
    await vault.generate({ id: 'k', algorithm: 'P-256', secrets: ['s'] })
    const handle = await vault.unlock('k', ['s'])
    const other = await vault.unlock('k', ['s'])
    await handle.sign(data)
    await vault.delete('k', ['s'])
    expect(await codeOf(handle.sign(data))).toBe('signer_locked')
    expect(await codeOf(other.sign(data))).toBe('signer_locked')
    expect(handle.locked).toBe(true)
  })

  it('with the unlock cache on, cached material is revoked too', async () => {
    const vault = makeVault({ unlockCache: { ttlMs: 60_000 } })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    const first = await vault.unlock('k', ['s'])
    const cached = await vault.unlock('k', ['s'])
    await vault.delete('k', ['s'])
    expect(await codeOf(first.sign(data))).toBe('signer_locked')
    expect(await codeOf(cached.sign(data))).toBe('signer_locked')
    expect(await codeOf(vault.unlock('k', ['s']))).toBe('wrong_secrets')
  })

  it('rotate: a handle of the previous version keeps signing (still a key of this id); retire stops it', async () => {
    const vault = makeVault()
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    const v1 = await vault.unlock('k', ['s'])
    await vault.rotate('k', ['s'])
    const v2 = await vault.unlock('k', ['s'])
    expect(await codeOf(v1.sign(data))).toBe('resolved')
    await vault.retire('k', 1, ['s'])
    expect(await codeOf(v1.sign(data))).toBe('signer_locked')
    expect(await codeOf(v2.sign(data))).toBe('resolved')
  })

  it('deleting one key leaves the handles of other keys alone', async () => {
    const vault = makeVault()
    await vault.generate({ id: 'a', algorithm: 'Ed25519', secrets: ['s'] })
    await vault.generate({ id: 'b', algorithm: 'Ed25519', secrets: ['s'] })
    const a = await vault.unlock('a', ['s'])
    const b = await vault.unlock('b', ['s'])
    await vault.delete('a', ['s'])
    expect(await codeOf(a.sign(data))).toBe('signer_locked')
    expect(await codeOf(b.sign(data))).toBe('resolved')
  })
})
