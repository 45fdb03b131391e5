// PostgresStore on a real server: the KeyStore contract suite, migrations, corrupt rows, round trips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CredsignError } from 'credsign'
import { createPostgresPool, PostgresAttemptLimiter, PostgresStore } from 'credsign/postgres'
import { makeTestRecord, runKeyStoreContract } from 'credsign/testing'
import { PgConnector } from '../../src/postgres/connection.js'
import {
  MIGRATIONS,
  resolveSchemaNames,
  runMigrations,
  type Migration,
} from '../../src/postgres/schema.js'
import { adminPool, codeOf, databaseUrl, describePg, dropSchema, freshSchema } from './helpers.js'

const url = databaseUrl as string
let admin: ReturnType<typeof adminPool>
const schemas: string[] = []

beforeAll(() => {
  if (databaseUrl !== undefined) admin = adminPool(url, 12)
})
afterAll(async () => {
  if (admin === undefined) return
  for (const schema of schemas) await dropSchema(admin, schema)
  await admin.end()
})

/** A migrated store in a new schema; the store shares the admin pool (a caller's pool). */
async function sharedPoolStore(prefix = 'store'): Promise<PostgresStore> {
  const schema = freshSchema(prefix)
  schemas.push(schema)
  const store = new PostgresStore({ pool: admin, schema })
  await store.migrate()
  return store
}

describePg('PostgresStore', () => {
  runKeyStoreContract(
    'PostgresStore (caller pool)',
    async () => {
      const schema = freshSchema('contract')
      const store = new PostgresStore({ pool: admin, schema })
      await store.migrate()
      return { store, cleanup: () => dropSchema(admin, schema) }
    },
    { describe, it },
  )

  runKeyStoreContract(
    'PostgresStore (own pool, custom table names)',
    async () => {
      const schema = freshSchema('contract_own')
      const store = new PostgresStore({
        connection: { connectionString: url, maxConnections: 5 },
        schema,
        tables: { keys: 'k', versions: 'kv', attempts: 'a', migrations: 'm' },
      })
      await store.migrate()
      return {
        store,
        cleanup: async () => {
          await store.close()
          await dropSchema(admin, schema)
        },
      }
    },
    { describe, it },
  )

  describe('migrations', () => {
    it('creates the schema and tables, records versions 1 and 2, and is idempotent', async () => {
      const schema = freshSchema('mig')
      schemas.push(schema)
      const store = new PostgresStore({ pool: admin, schema })
      expect(await store.migrationStatus()).toEqual({ applied: [], pending: [1, 2] })
      expect(await store.migrate()).toEqual({ applied: [1, 2], version: 2, unknown: [] })
      expect(await store.migrate()).toEqual({ applied: [], version: 2, unknown: [] })
      expect(await store.migrationStatus()).toEqual({ applied: [1, 2], pending: [] })
      const { rows } = await admin.query(
        `SELECT version, name, length(checksum) AS checksum FROM "${schema}".credsign_migrations`,
      )
      expect(rows).toEqual([
        { version: 1, name: 'keys, key versions and attempt counters', checksum: 64 },
        {
          version: 2,
          name: 'key ids with the characters of eNames and up to 2,048 characters',
          checksum: 64,
        },
      ])
    })

    it('ten replicas migrating one schema at once apply each migration exactly once', async () => {
      const schema = freshSchema('mig_race')
      schemas.push(schema)
      const stores = Array.from(
        { length: 10 },
        () => new PostgresStore({ connection: url, schema }),
      )
      try {
        const results = await Promise.all(stores.map((store) => store.migrate()))
        expect(results.filter((r) => r.applied.length === 2)).toHaveLength(1)
        expect(results.filter((r) => r.applied.length === 0)).toHaveLength(9)
        expect(results.every((r) => r.version === 2)).toBe(true)
        const { rows } = await admin.query(
          `SELECT count(*)::int AS n FROM "${schema}".credsign_migrations`,
        )
        expect(rows[0].n).toBe(2)
      } finally {
        await Promise.all(stores.map((store) => store.close()))
      }
    })

    it('puts a unique constraint on (key id, version) and allows one current version per key', async () => {
      const store = await sharedPoolStore('mig_unique')
      const schema = store.names.schema
      await store.create(makeTestRecord('k1', { versions: 2 }))
      const duplicate = admin.query(
        `INSERT INTO "${schema}".credsign_key_versions (key_id, version, algorithm, status, public_jwk, envelope, created_at)
         SELECT key_id, version, algorithm, 'previous', public_jwk, envelope, created_at FROM "${schema}".credsign_key_versions WHERE key_id = 'k1' AND version = 1`,
      )
      await expect(duplicate).rejects.toMatchObject({ code: '23505' })
      const secondCurrent = admin.query(
        `UPDATE "${schema}".credsign_key_versions SET status = 'current' WHERE key_id = 'k1' AND version = 1`,
      )
      await expect(secondCurrent).rejects.toMatchObject({ code: '23505' })
      const orphan = admin.query(
        `INSERT INTO "${schema}".credsign_key_versions (key_id, version, algorithm, status, public_jwk, envelope, created_at)
         VALUES ('nobody', 1, 'Ed25519', 'current', '{}', '{}', 'x')`,
      )
      await expect(orphan).rejects.toMatchObject({ code: '23503' })
      const hostileId = admin.query(
        `INSERT INTO "${schema}".credsign_keys (id, revision, created_at, updated_at) VALUES ('a b', 1, 'x', 'x')`,
      )
      await expect(hostileId).rejects.toMatchObject({ code: '23514' })
    })

    it('refuses a pending destructive migration without allowDestructive, applying nothing', async () => {
      const schema = freshSchema('mig_destructive')
      schemas.push(schema)
      const names = resolveSchemaNames(schema, {})
      const connector = new PgConnector({ pool: admin })
      const dropper: Migration = {
        version: 3,
        name: 'drop a column',
        destructive: true,
        statements: ({ q }) => [`ALTER TABLE ${q.keys} DROP COLUMN extra`],
      }
      const extra: Migration = {
        version: 4,
        name: 'an index',
        destructive: false,
        statements: ({ q }) => [`CREATE INDEX ON ${q.keys} (updated_at)`],
      }
      await runMigrations(connector, names, MIGRATIONS)
      const refused = runMigrations(connector, names, [...MIGRATIONS, dropper, extra])
      await expect(refused).rejects.toMatchObject({ code: 'invalid_argument' })
      await expect(refused).rejects.toThrow(/allowDestructive/)
      const { rows } = await admin.query(
        `SELECT version FROM "${schema}".credsign_migrations ORDER BY version`,
      )
      expect(rows.map((r) => r.version)).toEqual([1, 2])
      expect(
        await runMigrations(connector, names, [...MIGRATIONS, dropper, extra], {
          allowDestructive: true,
        }),
      ).toEqual({
        applied: [3, 4],
        version: 4,
        unknown: [],
      })
      // An older credsign on a schema a newer one migrated: reported, not an error.
      expect(await runMigrations(connector, names, MIGRATIONS)).toEqual({
        applied: [],
        version: 4,
        unknown: [3, 4],
      })
    })

    it('says store_unavailable (and to migrate) when the tables are missing', async () => {
      const store = new PostgresStore({ pool: admin, schema: freshSchema('unmigrated') })
      const error = await store.get('k1').catch((e: unknown) => e)
      expect(CredsignError.is(error, 'store_unavailable')).toBe(true)
      expect((error as Error).message).toMatch(/migrate\(\)/)
    })
  })

  describe('records', () => {
    it('round-trips unknown members, unusual timestamps and big revisions exactly', async () => {
      const store = await sharedPoolStore('roundtrip')
      const record = makeTestRecord('k1', {
        versions: 2,
        createdAt: '2026-01-01T00:00:00+02:00',
        updatedAt: '2026-01-01T00:00:00.123456789Z',
      })
      Object.assign(record, { future: { nested: [1, 'two', null, true] }, label: 'é ☃ 🔑' })
      Object.defineProperty(record, '__proto__', {
        value: { not: 'a prototype' },
        enumerable: true,
        configurable: true,
        writable: true,
      })
      Object.assign(record.versions[0] as object, { note: 'kept', weight: 1.5 })
      const created = await store.create(record)
      const got = await store.get('k1')
      expect(got).toEqual(created)
      // jsonb keeps members, not their order: compare member by member (as the contract suite does).
      expect(Object.keys(got as object).sort()).toEqual(Object.keys(created).sort())
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype)
      expect(Object.keys(got as object)).toContain('__proto__')
      expect((got as unknown as { future: unknown }).future).toEqual({
        nested: [1, 'two', null, true],
      })
      expect((got?.versions[0] as unknown as { note: string }).note).toBe('kept')
      expect(got?.createdAt).toBe('2026-01-01T00:00:00+02:00')
      expect(got?.updatedAt).toBe('2026-01-01T00:00:00.123456789Z')
      await admin.query(
        `UPDATE "${store.names.schema}".credsign_keys SET revision = 9007199254740000 WHERE id = 'k1'`,
      )
      const big = await store.get('k1')
      expect(big?.revision).toBe(9007199254740000)
      expect((await store.update(big!)).revision).toBe(9007199254740001)
    })

    it('rejects text PostgreSQL cannot hold (NUL, lone surrogates) as invalid_argument, writing nothing', async () => {
      const store = await sharedPoolStore('unstorable')
      const withNul = makeTestRecord('k1')
      withNul.versions[0]!.envelope.kid = 'a\u0000b'
      expect(await codeOf(store.create(withNul))).toBe('invalid_argument')
      const withSurrogate = makeTestRecord('k1')
      Object.assign(withSurrogate, { note: 'x\ud800y' })
      expect(await codeOf(store.create(withSurrogate))).toBe('invalid_argument')
      const nulName = makeTestRecord('k1')
      Object.assign(nulName, { 'a\u0000': 1 })
      expect(await codeOf(store.create(nulName))).toBe('invalid_argument')
      expect(await store.get('k1')).toBeUndefined()
      await store.create(makeTestRecord('k1'))
      expect(await codeOf(store.update(withNul))).toBe('invalid_argument')
      expect((await store.get('k1'))?.revision).toBe(1)
    })

    it('reports corrupt rows as store_corrupt from every method, and never overwrites or deletes them', async () => {
      const store = await sharedPoolStore('corrupt')
      const schema = store.names.schema
      for (const id of [
        'a-fine',
        'b-no-versions',
        'c-bad-envelope',
        'd-bad-extra',
        'e-private-jwk',
        'f-two-current',
      ]) {
        await store.create(makeTestRecord(id, { versions: 2 }))
      }
      const table = `"${schema}".credsign_key_versions`
      await admin.query(`DELETE FROM ${table} WHERE key_id = 'b-no-versions'`)
      await admin.query(
        `UPDATE ${table} SET envelope = envelope - 'mac' WHERE key_id = 'c-bad-envelope' AND version = 2`,
      )
      await admin.query(
        `UPDATE "${schema}".credsign_keys SET extra = '{"id": "other"}' WHERE id = 'd-bad-extra'`,
      )
      await admin.query(
        `UPDATE ${table} SET public_jwk = public_jwk || '{"d": "secret"}' WHERE key_id = 'e-private-jwk' AND version = 1`,
      )
      // Two current versions cannot be written (the partial unique index), so: zero current versions.
      await admin.query(`UPDATE ${table} SET status = 'previous' WHERE key_id = 'f-two-current'`)
      for (const id of [
        'b-no-versions',
        'c-bad-envelope',
        'd-bad-extra',
        'e-private-jwk',
        'f-two-current',
      ]) {
        const error = await store.get(id).catch((e: unknown) => e)
        expect(CredsignError.is(error, 'store_corrupt'), id).toBe(true)
        expect((error as Error).message).toContain(id)
        expect(await codeOf(store.update(makeTestRecord(id, { versions: 3 }))), id).toBe(
          'store_corrupt',
        )
        expect(await codeOf(store.delete(id)), id).toBe('store_corrupt')
        expect(await codeOf(store.create(makeTestRecord(id))), id).toBe('exists')
      }
      expect(await codeOf(store.list())).toBe('store_corrupt')
      // The fine record before the corrupt ones is still listable page by page.
      expect((await store.list({ limit: 1 })).records.map((r) => r.id)).toEqual(['a-fine'])
      const { rows } = await admin.query(
        `SELECT id, revision::int FROM "${schema}".credsign_keys ORDER BY id`,
      )
      expect(rows.every((row) => row.revision === 1)).toBe(true)
      expect(rows).toHaveLength(6)
    })

    it('lists in UTF-16 code unit order even in a database whose default collation is ICU en-US', async () => {
      const db = `credsign_icu_${Date.now()}`
      await admin.query(
        `CREATE DATABASE ${db} LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8' TEMPLATE template0`,
      )
      const icuUrl = new URL(url)
      icuUrl.pathname = `/${db}`
      const store = new PostgresStore({ connection: icuUrl.toString() })
      try {
        await store.migrate()
        const ids = ['b', 'B', '_', '#x', '%x', '9', 'a:b', 'a.b', 'a-b', 'ab', 'A-b', 'a_b']
        for (const id of ids) await store.create(makeTestRecord(id))
        const listed: string[] = []
        let cursor: string | undefined
        do {
          const page = await store.list({ cursor, limit: 5 })
          listed.push(...page.records.map((r) => r.id))
          cursor = page.nextCursor
        } while (cursor !== undefined)
        expect(listed).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
        // The database itself sorts differently: the column collation is what makes the order right.
        const probe = adminPool(icuUrl.toString(), 1)
        const { rows } = await probe.query(
          `SELECT x FROM unnest(ARRAY['b','B','a']) AS x ORDER BY x`,
        )
        await probe.end()
        expect(rows.map((r) => r.x)).toEqual(['a', 'b', 'B'])
      } finally {
        await store.close()
        await admin.query(`DROP DATABASE ${db}`)
      }
    })
  })

  describe('connections', () => {
    it('close() ends an own pool but leaves a caller pool open', async () => {
      const own = new PostgresStore({ connection: url })
      await own.ping()
      await own.close()
      expect(await codeOf(own.ping())).toBe('store_unavailable')
      const shared = await sharedPoolStore('close')
      await shared.close()
      expect((await admin.query('SELECT 1 AS one')).rows[0].one).toBe(1)
    })

    it("createPostgresPool makes a pool a store and a limiter can share; ending it is the caller's job", async () => {
      const pool = await createPostgresPool({
        connectionString: url,
        maxConnections: 2,
        applicationName: 'credsign-pool-test',
      })
      const schema = freshSchema('made_pool')
      schemas.push(schema)
      const store = new PostgresStore({ pool, schema })
      const limiter = new PostgresAttemptLimiter({ pool, schema, maxFailures: 2 })
      await store.migrate()
      await store.create(makeTestRecord('k1'))
      expect(await limiter.begin('k1', 0)).toEqual({ admitted: true })
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'credsign-pool-test'`,
      )
      expect(rows[0].n).toBeGreaterThanOrEqual(1)
      expect(rows[0].n).toBeLessThanOrEqual(2)
      await store.close()
      await limiter.close()
      // Closed objects refuse work, but the pool is the caller's: still open until pool.end().
      expect(await codeOf(store.get('k1'))).toBe('store_unavailable')
      const client = await pool.connect()
      client.release()
      await pool.end()
    })

    it('attemptLimiter() shares the store pool and schema', async () => {
      const store = await sharedPoolStore('shared_limiter')
      const limiter = store.attemptLimiter({ maxFailures: 1 })
      expect(await limiter.begin('k', 0)).toEqual({ admitted: true })
      expect(await limiter.begin('k', 1)).toEqual({ admitted: false, retryAt: 15 * 60_000 })
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n FROM "${store.names.schema}".credsign_attempts`,
      )
      expect(rows[0].n).toBe(1)
    })
  })
})
