// Migration of the EECC key service's keys on first use (issue 17, item 1). The origin rows are made
// here by an independent implementation of the origin's documented scheme (research note
// eecc-key-service.md §2-3), with node:crypto and Digital Bazaar's base58 only: nothing of src/.
import {
  createPublicKey,
  generateKeyPairSync,
  pbkdf2Sync,
  randomBytes,
  verify as nodeVerify,
  constants as cryptoConstants,
  type KeyObject,
} from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CredsignError, KeyVault, type LegacyKeySource } from 'credsign'
import { PostgresStore } from 'credsign/postgres'
import { makeTestRecord } from 'credsign/testing'
import {
  adminPool,
  codeOf,
  createEeccKeysTable,
  databaseUrl,
  eeccEncrypt,
  describePg,
  dropSchema,
  freshSchema,
} from './helpers.js'

// Digital Bazaar's base58 (what the origin's Multikey libraries use); it ships no types.
const base58Module = 'base58-universal'
const base58 = (await import(base58Module)) as { encode(bytes: Uint8Array): string }

const url = databaseUrl as string
const schema = freshSchema('eecc')
const ORIGIN_SECRET = 'origin-service-secret-' + randomBytes(24).toString('base64url')
const ITERATIONS = 1_000 // the origin's PBKDF2_ITERATIONS is per install; small keeps tests fast
let admin: ReturnType<typeof adminPool>
const opened: PostgresStore[] = []

beforeAll(async () => {
  if (databaseUrl === undefined) return
  admin = adminPool(url, 6)
  await admin.query(`CREATE SCHEMA "${schema}"`)
  await createEeccKeysTable(admin, schema)
  await admin.query(`CREATE TABLE "${schema}".deleted_log (row_id text)`)
  await admin.query(`CREATE FUNCTION "${schema}".log_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO "${schema}".deleted_log VALUES (OLD.id::text); RETURN OLD; END $$`)
  await admin.query(`CREATE TRIGGER log_delete AFTER DELETE ON "${schema}"."keys"
    FOR EACH ROW EXECUTE FUNCTION "${schema}".log_delete()`)
  await new PostgresStore({ pool: admin, schema }).migrate()
})
afterAll(async () => {
  if (admin === undefined) return
  await Promise.all(opened.map((s) => s.close()))
  await dropSchema(admin, schema)
  await admin.end()
})

// The origin's scheme, written from its description -------------------------------------------

const originEncrypt = (plaintext: string, secrets: string[]): string =>
  eeccEncrypt(plaintext, secrets, ORIGIN_SECRET, ITERATIONS)

function originIdentifierHash(identifier: string): string {
  return pbkdf2Sync(
    identifier,
    Buffer.from(ORIGIN_SECRET, 'utf8'),
    ITERATIONS,
    32,
    'sha256',
  ).toString('hex')
}

const mb = (...parts: Uint8Array[]): string => 'z' + base58.encode(Buffer.concat(parts))

interface OriginKey {
  signatureType: 'Ed25519' | 'ES256' | 'PS256'
  publicKey: KeyObject
  secretKeyMultibase: string
  publicKeyMultibase: string
}

/** A key as the origin's Multikey libraries wrote it. */
function originKey(signatureType: OriginKey['signatureType']): OriginKey {
  if (signatureType === 'Ed25519') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const d = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url')
    const x = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
    return {
      signatureType,
      publicKey,
      // @digitalbazaar/ed25519-multikey: 0x1300 varint, then seed and public key (64 bytes).
      secretKeyMultibase: mb(Buffer.from([0x80, 0x26]), d, x),
      publicKeyMultibase: mb(Buffer.from([0xed, 0x01]), x),
    }
  }
  if (signatureType === 'ES256') {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const d = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url')
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-65)
    const compressed = Buffer.concat([
      Buffer.from([(raw[64] as number) & 1 ? 3 : 2]),
      raw.subarray(1, 33),
    ])
    return {
      signatureType,
      publicKey,
      secretKeyMultibase: mb(Buffer.from([0x86, 0x26]), d),
      publicKeyMultibase: mb(Buffer.from([0x80, 0x24]), compressed),
    }
  }
  // @eecc/rsa-multikey: RSA-4096 by default, the PKCS#8 and SPKI DER with no multicodec prefix.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 4096 })
  return {
    signatureType,
    publicKey,
    secretKeyMultibase: mb(privateKey.export({ format: 'der', type: 'pkcs8' })),
    publicKeyMultibase: mb(publicKey.export({ format: 'der', type: 'spki' })),
  }
}

/** Inserts the origin row of `key` for `identifier` (the full key id the origin hashed). */
async function originRow(identifier: string, secrets: string[], key: OriginKey): Promise<void> {
  await admin.query(
    `INSERT INTO "${schema}"."keys" (identifier, key_type, signature_type, encrypted_private_key, encrypted_public_key)
     VALUES ($1, 'JsonWebKey', $2, $3, $4)`,
    [
      originIdentifierHash(identifier),
      key.signatureType,
      originEncrypt(JSON.stringify(key.secretKeyMultibase), secrets),
      originEncrypt(JSON.stringify(key.publicKeyMultibase), secrets),
    ],
  )
}

async function originRows(identifier: string): Promise<number> {
  const { rows } = await admin.query(
    `SELECT count(*)::int AS n FROM "${schema}"."keys" WHERE identifier = $1`,
    [originIdentifierHash(identifier)],
  )
  return rows[0].n as number
}

function vaultOn(options: { maxFailures?: number } = {}): {
  vault: KeyVault
  store: PostgresStore
  legacy: ReturnType<PostgresStore['eeccLegacyKeys']>
} {
  // Its own pool, as another replica would have.
  const store = new PostgresStore({ connection: url, schema })
  opened.push(store)
  const legacy = store.eeccLegacyKeys({
    serviceSecret: ORIGIN_SECRET,
    iterations: ITERATIONS,
    schema,
  })
  const vault = new KeyVault({
    store,
    serviceSecret: 'the credsign service secret, 32+ bytes long',
    kdf: { id: 'pbkdf2-sha256', iterations: 1_000 },
    limiter: store.attemptLimiter({ maxFailures: options.maxFailures ?? 3 }),
    legacyKeys: legacy,
  })
  return { vault, store, legacy }
}

async function signAndCheck(vault: KeyVault, id: string, secrets: string[], key: OriginKey) {
  const data = Buffer.from(`signed with ${id.slice(0, 30)}`)
  const signature = await vault.withKey(id, secrets, (signer) => signer.sign(data))
  const sig = Buffer.from(signature)
  if (key.signatureType === 'Ed25519') return nodeVerify(null, data, key.publicKey, sig)
  if (key.signatureType === 'ES256')
    return nodeVerify('sha256', data, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, sig)
  return nodeVerify(
    'sha256',
    data,
    { key: key.publicKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    sig,
  )
}

describePg('EECC keys move into credsign on first use', () => {
  it('opens Ed25519, ES256 and PS256 (RSA-4096) origin rows, re-seals them, removes the row', async () => {
    const { vault, store } = vaultOn()
    const cases: [string, OriginKey][] = []
    for (const type of ['Ed25519', 'ES256', 'PS256'] as const) {
      const key = originKey(type)
      const id = `did:web:issuer.example#${type}`
      await originRow(id, ['key-access-secret', 'user-secret'], key)
      cases.push([id, key])
    }
    for (const [id, key] of cases) {
      expect(await store.get(id)).toBeUndefined()
      // Secrets in another order than at generation: the origin sorted them.
      expect(await signAndCheck(vault, id, ['user-secret', 'key-access-secret'], key)).toBe(true)
      expect(await originRows(id)).toBe(0)
      const record = await store.get(id)
      expect(record?.revision).toBe(1)
      const stored = JSON.stringify(record)
      expect(stored).toContain('"envelope"')
      expect(stored).not.toContain(key.secretKeyMultibase.slice(0, 40))
      // From now on a credsign key: the public key needs no secrets, and signing still works.
      const jwk = (await vault.publicKey(id)).current.publicJwk as unknown as Record<string, string>
      const origin = key.publicKey.export({ format: 'jwk' })
      expect(jwk.x ?? jwk.n).toBe(origin.x ?? origin.n)
      expect(await signAndCheck(vault, id, ['user-secret', 'key-access-secret'], key)).toBe(true)
    }
  }, 60_000)

  it('the origin ordering rules hold for origin rows only: the credsign key needs the order of first use', async () => {
    const { vault } = vaultOn()
    const id = 'did:web:order.example#k'
    const key = originKey('Ed25519')
    await originRow(id, ['b-secret', 'a-secret'], key)
    // The origin's ambiguity: ["a-se", "cretb-secret"] concatenates like the sorted pair.
    expect(await signAndCheck(vault, id, ['a-secret', 'b-secret'], key)).toBe(true)
    expect(await codeOf(vault.unlock(id, ['b-secret', 'a-secret']))).toBe('wrong_secrets')
    expect(await codeOf(vault.unlock(id, ['a-se', 'cretb-secret']))).toBe('wrong_secrets')
    expect(await signAndCheck(vault, id, ['a-secret', 'b-secret'], key)).toBe(true)
  })

  it('wrong secrets are wrong_secrets, count against the same lockout, and leave the origin row', async () => {
    const { vault, store } = vaultOn({ maxFailures: 3 })
    const id = 'did:web:lock.example#k'
    const key = originKey('ES256')
    await originRow(id, ['right'], key)
    for (let i = 0; i < 3; i++)
      expect(await codeOf(vault.unlock(id, ['wrong']))).toBe('wrong_secrets')
    const locked = await vault.unlock(id, ['right']).catch((e: unknown) => e)
    expect(CredsignError.is(locked, 'locked')).toBe(true)
    expect(await originRows(id)).toBe(1)
    expect(await store.get(id)).toBeUndefined()
    // Another replica shares the PostgreSQL limiter: locked there too.
    expect(await codeOf(vaultOn({ maxFailures: 3 }).vault.unlock(id, ['right']))).toBe('locked')
  })

  it('two callers using a key first at once migrate it once; both sign with it', async () => {
    const a = vaultOn()
    const b = vaultOn()
    const id = 'did:web:race.example#k'
    const key = originKey('Ed25519')
    await originRow(id, ['s1'], key)
    const { rows: before } = await admin.query(
      `SELECT count(*)::int AS n FROM "${schema}".deleted_log`,
    )
    const results = await Promise.all([
      signAndCheck(a.vault, id, ['s1'], key),
      signAndCheck(b.vault, id, ['s1'], key),
      signAndCheck(a.vault, id, ['s1'], key),
    ])
    expect(results).toEqual([true, true, true])
    const { rows: after } = await admin.query(
      `SELECT count(*)::int AS n FROM "${schema}".deleted_log`,
    )
    expect(after[0].n - before[0].n).toBe(1)
    const record = await a.store.get(id)
    expect(record?.revision).toBe(1)
    expect(record?.versions).toHaveLength(1)
  })

  it('a crash mid-way (the connection dies after the insert, before the commit) leaves the origin row usable', async () => {
    const { vault, store } = vaultOn()
    const id = 'did:web:crash.example#k'
    const key = originKey('ES256')
    await originRow(id, ['s1'], key)
    // The backend kills itself while deleting the origin row: the credsign insert is already done
    // in the same transaction, and nothing commits.
    await admin.query(`CREATE FUNCTION "${schema}".die() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5); RETURN OLD; END $$`)
    await admin.query(
      `CREATE TRIGGER die BEFORE DELETE ON "${schema}"."keys" FOR EACH ROW EXECUTE FUNCTION "${schema}".die()`,
    )
    try {
      expect(await codeOf(vault.unlock(id, ['s1']))).toBe('store_unavailable')
    } finally {
      await admin.query(`DROP TRIGGER die ON "${schema}"."keys"`)
    }
    expect(await originRows(id)).toBe(1)
    expect(await store.get(id)).toBeUndefined()
    // Not counted as a failure, and the row still opens.
    expect(await signAndCheck(vault, id, ['s1'], key)).toBe(true)
    expect(await originRows(id)).toBe(0)
  })

  it('a transaction that fails after the insert rolls back the insert too', async () => {
    const { vault, store } = vaultOn()
    const id = 'did:web:rollback.example#k'
    const key = originKey('Ed25519')
    await originRow(id, ['s1'], key)
    await admin.query(`CREATE FUNCTION "${schema}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused'; END $$`)
    await admin.query(
      `CREATE TRIGGER refuse BEFORE DELETE ON "${schema}"."keys" FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse()`,
    )
    try {
      expect(await codeOf(vault.unlock(id, ['s1']))).not.toBe('resolved')
    } finally {
      await admin.query(`DROP TRIGGER refuse ON "${schema}"."keys"`)
    }
    expect(await originRows(id)).toBe(1)
    expect(await store.get(id)).toBeUndefined()
    expect(await signAndCheck(vault, id, ['s1'], key)).toBe(true)
  })

  it('no KDF runs under the origin row lock: the row is opened and re-sealed before the transaction', async () => {
    const { legacy } = vaultOn()
    const id = 'did:web:nolock.example#k'
    await originRow(id, ['s1'], originKey('Ed25519'))
    let probe: unknown = 'not run'
    const result = await legacy.migrate(id, ['s1'], async () => {
      // Re-sealing runs the vault's KDF: the origin row must not be locked meanwhile.
      const client = await admin.connect()
      try {
        await client.query('BEGIN')
        await client.query(
          `SELECT 1 FROM "${schema}"."keys" WHERE identifier = $1 FOR UPDATE NOWAIT`,
          [originIdentifierHash(id)],
        )
        probe = 'unlocked'
      } catch (error) {
        probe = (error as { code?: string }).code
      } finally {
        await client.query('ROLLBACK')
        client.release()
      }
      return makeTestRecord(id)
    })
    expect(probe).toBe('unlocked')
    expect(result).toBe('migrated')
    expect(await originRows(id)).toBe(0)
  })

  it('generate refuses an id an origin row still holds; unknown ids stay wrong_secrets', async () => {
    const { vault, legacy } = vaultOn()
    const id = 'did:web:taken.example#k'
    await originRow(id, ['s1'], originKey('Ed25519'))
    expect(await legacy.has(id)).toBe(true)
    expect(await codeOf(vault.generate({ id, algorithm: 'Ed25519', secrets: ['s2'] }))).toBe(
      'exists',
    )
    expect(await codeOf(vault.unlock('did:web:nobody.example#k', ['s1']))).toBe('wrong_secrets')
    expect(await legacy.pending()).toBeGreaterThan(0)
  })

  it('a tampered row (the public key of another key) is store_corrupt and is left alone', async () => {
    const { vault } = vaultOn()
    const id = 'did:web:tampered.example#k'
    const key = originKey('Ed25519')
    const other = originKey('Ed25519')
    await originRow(id, ['s1'], { ...key, publicKeyMultibase: other.publicKeyMultibase })
    expect(await codeOf(vault.unlock(id, ['s1']))).toBe('store_corrupt')
    expect(await originRows(id)).toBe(1)
  })

  it('a vault without the legacy source never sees origin rows; a source must have has() and migrate()', async () => {
    const store = new PostgresStore({ connection: url, schema })
    opened.push(store)
    const id = 'did:web:plain.example#k'
    await originRow(id, ['s1'], originKey('Ed25519'))
    const plain = new KeyVault({
      store,
      serviceSecret: 'the credsign service secret, 32+ bytes long',
    })
    expect(await codeOf(plain.unlock(id, ['s1']))).toBe('wrong_secrets')
    expect(await originRows(id)).toBe(1)
    const broken = { migrate: async () => 'absent' } as unknown as LegacyKeySource
    expect(
      () => new KeyVault({ store, serviceSecret: 'x'.repeat(32), legacyKeys: broken }),
    ).toThrow(CredsignError)
  })

  it('the table gone (every key moved) reads as nothing pending', async () => {
    const store = new PostgresStore({ connection: url, schema })
    opened.push(store)
    const gone = store.eeccLegacyKeys({
      serviceSecret: ORIGIN_SECRET,
      schema,
      table: 'no_such_table',
    })
    expect(await gone.pending()).toBe(0)
    expect(await gone.has('did:web:x#k')).toBe(false)
    expect(() => store.eeccLegacyKeys({ serviceSecret: 'short' })).toThrow(CredsignError)
    expect(createPublicKey).toBeTypeOf('function')
  })
})

describePg('PostgresStore key ids after schema version 2', () => {
  it('stores eName ids and, with maxKeyIdLength, 2,048-character ids; the table itself refuses others', async () => {
    const store = new PostgresStore({ connection: url, schema, maxKeyIdLength: 2048 })
    opened.push(store)
    const { makeTestRecord } = await import('credsign/testing')
    const ids = [
      '@user.w3id#device-1',
      '@user_w3id#device-1',
      `did:web:l.example#${'z'.repeat(2000)}`,
    ]
    for (const id of ids) await store.create(makeTestRecord(id))
    for (const id of ids) expect((await store.get(id))?.id).toBe(id)
    expect(await codeOf(store.get('x'.repeat(2049)))).toBe('invalid_key_id')
    const strict = new PostgresStore({ connection: url, schema })
    opened.push(strict)
    expect(await codeOf(strict.get(ids[2]!))).toBe('invalid_key_id')
    for (const bad of ['a$b', 'a b', `k${'x'.repeat(2048)}`]) {
      const direct = admin.query(
        `INSERT INTO "${schema}".credsign_keys (id, revision, created_at, updated_at) VALUES ($1, 1, 'x', 'x')`,
        [bad],
      )
      await expect(direct).rejects.toMatchObject({ code: '23514' })
    }
  })
})
