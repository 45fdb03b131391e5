import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CredsignError, KeyVault, verifySignature } from 'credsign'
import { FileStore } from 'credsign/file'

const CHEAP_KDF = { id: 'pbkdf2-sha256', iterations: 1000 } as const
const serviceSecret = 'file-store-vault-test-service-secret-0123456789'
let directory: string

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'credsign-vault-'))
})
afterEach(async () => {
  await rm(directory, { recursive: true, force: true })
})

describe('KeyVault on FileStore', () => {
  it('50 concurrent generates of one id leave exactly one key and 49 exists errors', async () => {
    const vault = new KeyVault({
      store: new FileStore({ directory }),
      serviceSecret,
      kdf: CHEAP_KDF,
    })
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        vault.generate({
          id: 'did:web:race.example#key-1',
          algorithm: 'Ed25519',
          secrets: [`s${i}`],
        }),
      ),
    )
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
    const codes = results.flatMap((r) =>
      r.status === 'rejected' ? [(r.reason as CredsignError).code] : [],
    )
    expect(winners).toHaveLength(1)
    expect(codes).toEqual(Array(49).fill('exists'))
    const files = (await readdir(directory)).filter((f) => f.endsWith('.json'))
    expect(files).toHaveLength(1)
    // The stored key is the winner's: its secrets, and only its secrets, open it.
    const winner = winners[0]!
    await expect(vault.unlock('did:web:race.example#key-1', [`s${winner}`])).resolves.toBeTruthy()
    await expect(
      vault.unlock('did:web:race.example#key-1', [`s${(winner + 1) % 50}`]),
    ).rejects.toMatchObject({ code: 'wrong_secrets' })
  })

  it('keeps keys across vault instances (a restart) and never writes a secret to disk in clear', async () => {
    const first = new KeyVault({
      store: new FileStore({ directory }),
      serviceSecret,
      kdf: CHEAP_KDF,
    })
    for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS'] as const) {
      await first.generate({
        id: `key-${algorithm}`,
        algorithm,
        secrets: ['caller-secret-on-disk?'],
        modulusLength: 2048,
      })
    }
    const second = new KeyVault({
      store: new FileStore({ directory }),
      serviceSecret,
      kdf: CHEAP_KDF,
    })
    const data = new TextEncoder().encode('persisted')
    for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS'] as const) {
      const signature = await second.withKey(`key-${algorithm}`, ['caller-secret-on-disk?'], (s) =>
        s.sign(data),
      )
      const { current } = await second.publicKey(`key-${algorithm}`)
      expect(await verifySignature(current.publicJwk, data, signature)).toBe(true)
    }
    for (const file of await readdir(directory)) {
      const path = join(directory, file)
      expect((await stat(path)).mode & 0o777).toBe(0o600)
      const text = await readFile(path, 'utf8')
      expect(text).not.toContain('caller-secret-on-disk?')
      expect(text).not.toContain(serviceSecret)
      expect(text).not.toMatch(/"d"\s*:/)
    }
  })

  it('rotation and rewrap persist atomically', async () => {
    const vault = new KeyVault({
      store: new FileStore({ directory }),
      serviceSecret,
      kdf: CHEAP_KDF,
    })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['a'] })
    await Promise.all([vault.rotate('k', ['a']), vault.rotate('k', ['a'])])
    await vault.rewrap('k', ['a'], { secrets: ['b'] })
    const reopened = new KeyVault({
      store: new FileStore({ directory }),
      serviceSecret,
      kdf: CHEAP_KDF,
    })
    const info = await reopened.publicKey('k')
    expect(info.versions.map((v) => v.version)).toEqual([1, 2, 3])
    for (const v of info.versions)
      await expect(reopened.unlock('k', ['b'], { version: v.version })).resolves.toBeTruthy()
  })
})
