// KeyVault on PostgresStore with the shared PostgreSQL limiter: the vault's own flows end to end.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { KeyVault, verifySignature, type CredsignError, type KeyVaultOptions } from 'credsign'
import { PostgresStore } from 'credsign/postgres'
import { adminPool, codeOf, databaseUrl, describePg, dropSchema, freshSchema } from './helpers.js'

const CHEAP_KDF = { id: 'pbkdf2-sha256', iterations: 1000 } as const
const serviceSecret = 'postgres-vault-test-service-secret-0123456789'
const data = new TextEncoder().encode('signed on postgres')
const url = databaseUrl as string
let admin: ReturnType<typeof adminPool>
const schemas: string[] = []

beforeAll(() => {
  if (databaseUrl !== undefined) admin = adminPool(url, 10)
})
afterAll(async () => {
  if (admin === undefined) return
  for (const schema of schemas) await dropSchema(admin, schema)
  await admin.end()
})

async function makeVault(
  options: Partial<KeyVaultOptions> & { maxFailures?: number } = {},
): Promise<{ vault: KeyVault; store: PostgresStore }> {
  const schema = freshSchema('vault')
  schemas.push(schema)
  const store = new PostgresStore({ pool: admin, schema })
  await store.migrate()
  const { maxFailures, ...rest } = options
  const vault = new KeyVault({
    store,
    serviceSecret,
    kdf: CHEAP_KDF,
    limiter: store.attemptLimiter(maxFailures === undefined ? {} : { maxFailures }),
    ...rest,
  })
  return { vault, store }
}

describePg('KeyVault on PostgresStore', () => {
  it('generates, unlocks, signs and serves public keys for every algorithm; no secret reaches the database', async () => {
    const { vault, store } = await makeVault()
    for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS'] as const) {
      await vault.generate({
        id: `did:web:issuer.example#${algorithm}`,
        algorithm,
        secrets: ['caller-secret-in-db?'],
        modulusLength: 2048,
      })
    }
    // A second vault (another replica) on the same tables opens every key.
    const replica = new KeyVault({
      store: new PostgresStore({ pool: admin, schema: store.names.schema }),
      serviceSecret,
      kdf: CHEAP_KDF,
    })
    for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS'] as const) {
      const id = `did:web:issuer.example#${algorithm}`
      const signature = await replica.withKey(id, ['caller-secret-in-db?'], (signer) =>
        signer.sign(data),
      )
      expect(
        await verifySignature((await replica.publicKey(id)).current.publicJwk, data, signature),
      ).toBe(true)
    }
    expect((await vault.jwks()).keys).toHaveLength(5)
    const dump =
      await admin.query(`SELECT row_to_json(k)::text AS k FROM "${store.names.schema}".credsign_keys k
      UNION ALL SELECT row_to_json(v)::text FROM "${store.names.schema}".credsign_key_versions v`)
    const text = dump.rows.map((r) => r.k as string).join('\n')
    expect(text).not.toContain('caller-secret-in-db?')
    expect(text).not.toContain(serviceSecret)
    expect(text).not.toMatch(/"d"\s*:/)
  })

  it('50 concurrent generates of one id leave exactly one key and 49 exists errors', async () => {
    const { vault } = await makeVault()
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
    expect(winners).toHaveLength(1)
    expect(
      results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as CredsignError).code] : [])),
    ).toEqual(Array(49).fill('exists'))
    await expect(
      vault.unlock('did:web:race.example#key-1', [`s${winners[0]}`]),
    ).resolves.toBeTruthy()
  })

  it('rotates, retires, rewraps and deletes', async () => {
    const { vault } = await makeVault()
    await vault.generate({ id: 'k', algorithm: 'P-256', secrets: ['a'] })
    await Promise.all([vault.rotate('k', ['a']), vault.rotate('k', ['a'])])
    expect((await vault.publicKey('k')).versions.map((v) => v.version)).toEqual([1, 2, 3])
    await vault.retire('k', 1, ['a'])
    await vault.rewrap('k', ['a'], { secrets: ['b', 'c'] })
    const info = await vault.publicKey('k')
    expect(info.versions.map((v) => v.version)).toEqual([2, 3])
    for (const v of info.versions)
      expect(await codeOf(vault.unlock('k', ['b', 'c'], { version: v.version }))).toBe('resolved')
    expect(await codeOf(vault.unlock('k', ['a']))).toBe('wrong_secrets')
    expect(await codeOf(vault.delete('k', ['a']))).toBe('wrong_secrets')
    await vault.delete('k', ['b', 'c'])
    expect((await vault.list()).keys).toHaveLength(0)
    expect(await codeOf(vault.unlock('k', ['b', 'c']))).toBe('wrong_secrets')
  })

  it('never loses an update when rotations and rewraps race', async () => {
    const { vault } = await makeVault()
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
    for (const v of info.versions)
      expect(await codeOf(vault.unlock('k', ['t'], { version: v.version }))).toBe('resolved')
  })

  it('locks a key after maxFailures wrong unlocks, counted in the shared table, also for unknown ids', async () => {
    let now = 1_000_000
    const { vault, store } = await makeVault({ maxFailures: 3, clock: () => now })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['right'] })
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) => codeOf(vault.unlock('k', [`wrong-${i}`]))),
    )
    expect(attempts.filter((c) => c === 'wrong_secrets')).toHaveLength(3)
    expect(attempts.filter((c) => c === 'locked')).toHaveLength(5)
    // Another replica's vault (own limiter object, same table) sees the lock too.
    const replica = new KeyVault({
      store,
      serviceSecret,
      kdf: CHEAP_KDF,
      limiter: store.attemptLimiter({ maxFailures: 3 }),
      clock: () => now,
    })
    const locked = await replica.unlock('k', ['right']).catch((e: unknown) => e as CredsignError)
    expect(locked).toMatchObject({ code: 'locked', retryAt: 1_000_000 + 15 * 60_000 })
    now += 15 * 60_000
    await expect(replica.unlock('k', ['right'])).resolves.toBeTruthy()
    for (let i = 0; i < 3; i++)
      expect(await codeOf(vault.unlock('nobody', ['x']))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock('nobody', ['x']))).toBe('locked')
  })

  it('serves unlocks from the cache without reading the database', async () => {
    const { vault, store } = await makeVault({ unlockCache: { ttlMs: 60_000 } })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    await vault.unlock('k', ['s'])
    await store.close() // a caller pool: still open for others, but this store refuses work now
    expect(await codeOf(store.get('k'))).toBe('store_unavailable')
    await expect(vault.unlock('k', ['s'])).resolves.toBeTruthy()
  })
})
