// PostgresStatusListStore on a real server: the store contract, its migration history, and two
// processes x 10,000 allocations from one list with no index handed out twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StatusLists } from 'credsign'
import { PostgresStatusListStore, type PgPool } from 'credsign/postgres'
import { statusListStoreContract, definition } from '../core/status-store-contract.js'
import {
  allocateInProcesses,
  allocateUntilKilled,
  drainStatusList,
} from '../node/status-processes.js'
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

async function migratedStore(prefix: string): Promise<PostgresStatusListStore> {
  const schema = freshSchema(prefix)
  schemas.push(schema)
  const store = new PostgresStatusListStore({ pool: admin, schema })
  await store.migrate()
  return store
}

describePg('PostgresStatusListStore', () => {
  let shared: PostgresStatusListStore
  statusListStoreContract('PostgresStatusListStore', async () => {
    shared ??= await migratedStore('status_contract')
    return shared
  })

  describe('migrations', () => {
    it('has a history of its own: version 1, idempotent, replicas at once apply it once', async () => {
      const schema = freshSchema('status_mig')
      schemas.push(schema)
      const stores = Array.from(
        { length: 5 },
        () => new PostgresStatusListStore({ pool: admin, schema }),
      )
      expect(await stores[0]!.migrationStatus()).toEqual({ applied: [], pending: [1] })
      const results = await Promise.all(stores.map((store) => store.migrate()))
      expect(results.filter((r) => r.applied.length === 1)).toHaveLength(1)
      expect(await stores[0]!.migrationStatus()).toEqual({ applied: [1], pending: [] })
      const { rows } = await admin.query(
        `SELECT version, name FROM "${schema}".credsign_status_list_migrations`,
      )
      expect(rows).toEqual([{ version: 1, name: 'status lists and their entries' }])
    })

    it('says store_unavailable (run migrate) when the tables are missing', async () => {
      const store = new PostgresStatusListStore({ pool: admin, schema: freshSchema('status_none') })
      expect(await codeOf(store.getStatusList('x'))).toBe('store_unavailable')
    })

    it('the database itself refuses a second owner of an index and a status out of range', async () => {
      const store = await migratedStore('status_constraints')
      const def = definition({ size: 10 })
      await store.createStatusList(def)
      const index = await store.allocateStatusIndex(def.id)
      const schema = schemas[schemas.length - 1] as string
      const again = admin.query(
        `INSERT INTO "${schema}".credsign_status_list_entries (list_id, idx) VALUES ($1, $2)`,
        [def.id, index],
      )
      await expect(again).rejects.toMatchObject({ code: '23505' })
      const badStatus = admin.query(
        `UPDATE "${schema}".credsign_status_list_entries SET status = 256 WHERE list_id = $1`,
        [def.id],
      )
      await expect(badStatus).rejects.toMatchObject({ code: '23514' })
    })
  })

  describe('across processes', () => {
    it('two processes x 10,000 allocations on one list: 0 duplicates, every one recorded', async () => {
      const store = await migratedStore('status_procs')
      const schema = schemas[schemas.length - 1] as string
      const def = definition({ size: 131_072 })
      await store.createStatusList(def)
      const reports = await allocateInProcesses(2, {
        store: 'postgres',
        url,
        schema,
        list: def.id,
        count: 10_000,
        parallel: 8,
      })
      expect(reports.map((r) => r.refused)).toEqual([{}, {}])
      const all = reports.flatMap((r) => r.indexes)
      expect(all.length).toBe(20_000)
      expect(new Set(all).size).toBe(20_000)
      expect(all.every((i) => Number.isInteger(i) && i >= 0 && i < 131_072)).toBe(true)
      expect((await store.getStatusList(def.id))?.allocated).toBe(20_000)
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n FROM "${schema}".credsign_status_list_entries WHERE list_id = $1`,
        [def.id],
      )
      expect(rows[0].n).toBe(20_000)
    }, 300_000)

    it('never hands out again an index a killed process was given', async () => {
      const store = await migratedStore('status_kill')
      const schema = schemas[schemas.length - 1] as string
      const def = definition({ size: 400 })
      await store.createStatusList(def)
      const reported = await allocateUntilKilled(
        { store: 'postgres', url, schema, list: def.id, count: 400, parallel: 6 },
        100,
      )
      expect(reported.length).toBeGreaterThanOrEqual(100)
      const rest = await drainStatusList(store, def.id)
      expect(rest.filter((index) => reported.includes(index))).toEqual([])
      expect(reported.length + rest.length).toBeLessThanOrEqual(400)
      expect((await store.getStatusList(def.id))?.allocated).toBe(400)
    }, 120_000)

    it('concurrent blocks meeting on the same indexes never deadlock: every index once, only status_list_full refused', async () => {
      const store = await migratedStore('status_block_race')
      for (let round = 0; round < 5; round++) {
        const def = definition({ size: 1500 })
        await store.createStatusList(def)
        const results = await Promise.allSettled(
          Array.from({ length: 60 }, () => store.allocateStatusIndexes(def.id, 64)),
        )
        const got = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []))
        const refused = results.flatMap((r) =>
          r.status === 'rejected'
            ? [(r.reason as { code?: string; message?: string }).message]
            : [],
        )
        expect(refused.filter((message) => !/every index/.test(String(message)))).toEqual([])
        expect(new Set(got).size).toBe(got.length)
        expect(got.length).toBe((await store.getStatusList(def.id))?.allocated)
      }
    }, 120_000)

    it('StatusLists (reserve 32): 32 allocations cost one INSERT statement, not 32', async () => {
      const schema = freshSchema('status_block')
      schemas.push(schema)
      const statements: string[] = []
      const counting: PgPool = {
        connect: async () => {
          const client = await admin.connect()
          return {
            query: (config) => {
              statements.push(String(config.text))
              return client.query(config)
            },
            release: (error) => client.release(error),
          }
        },
        end: async () => undefined,
      }
      const store = new PostgresStatusListStore({ pool: counting, schema })
      await store.migrate()
      const def = definition({ size: 131_072 })
      await store.createStatusList(def)
      const lists = new StatusLists({ store, reserve: 32 })
      await lists.allocate(def.id) // reads the list's definition and size once
      statements.length = 0
      const got: number[] = []
      for (let i = 0; i < 23; i++) got.push((await lists.allocate(def.id)).index)
      expect(statements).toEqual([]) // the first block's 24 are held already
      for (let i = 0; i < 33; i++) got.push((await lists.allocate(def.id)).index)
      // An INSERT, alone or as a WITH query's data-modifying part (the block returns one array).
      const inserts = statements.filter((text) =>
        /^\s*(?:WITH\s+\w+\s+AS\s*\(\s*)?INSERT\b/.test(text),
      )
      expect(inserts.length).toBeLessThanOrEqual(2)
      expect(statements.length).toBe(inserts.length)
      expect(new Set(got).size).toBe(56)
      await lists.whenIdle()
    })

    it('two processes x 10,000 allocations through StatusLists (reserve 32): 0 duplicates', async () => {
      const store = await migratedStore('status_procs_reserve')
      const schema = schemas[schemas.length - 1] as string
      const def = definition({ size: 131_072 })
      await store.createStatusList(def)
      const reports = await allocateInProcesses(2, {
        store: 'postgres',
        url,
        schema,
        list: def.id,
        count: 10_000,
        parallel: 8,
        reserve: 32,
      })
      expect(reports.map((r) => r.refused)).toEqual([{}, {}])
      const all = reports.flatMap((r) => r.indexes)
      expect(all.length).toBe(20_000)
      expect(new Set(all).size).toBe(20_000)
      expect(all.every((i) => Number.isInteger(i) && i >= 0 && i < 131_072)).toBe(true)
      // Each process may end holding part of a block reserved ahead: at most 32.
      const allocated = (await store.getStatusList(def.id))?.allocated as number
      expect(allocated).toBeGreaterThanOrEqual(20_000)
      expect(allocated).toBeLessThanOrEqual(20_000 + 2 * 32)
      for (const index of all.slice(0, 10))
        expect((await store.setStatus(def.id, index, 1)).changed).toBe(true)
    }, 300_000)

    it('a process SIGKILLed while reserving blocks: none of its indexes handed out again, at most a block lost', async () => {
      const store = await migratedStore('status_kill_reserve')
      const schema = schemas[schemas.length - 1] as string
      const def = definition({ size: 400 })
      await store.createStatusList(def)
      const reported = await allocateUntilKilled(
        { store: 'postgres', url, schema, list: def.id, count: 400, parallel: 6, reserve: 16 },
        100,
      )
      expect(reported.length).toBeGreaterThanOrEqual(100)
      const rest = await drainStatusList(store, def.id)
      expect(rest.filter((index) => reported.includes(index))).toEqual([])
      expect(new Set([...reported, ...rest]).size).toBe(reported.length + rest.length)
      // At most a block (16) held unused, plus what its 6 workers had been given but not printed.
      expect(reported.length + rest.length).toBeGreaterThanOrEqual(400 - 16 - 6)
      expect((await store.getStatusList(def.id))?.allocated).toBe(400)
    }, 120_000)

    it('two processes exhausting a list: exactly its size, the rest status_list_full', async () => {
      const store = await migratedStore('status_full')
      const schema = schemas[schemas.length - 1] as string
      const def = definition({ size: 500 })
      await store.createStatusList(def)
      const reports = await allocateInProcesses(2, {
        store: 'postgres',
        url,
        schema,
        list: def.id,
        count: 300,
        parallel: 6,
      })
      const all = reports.flatMap((r) => r.indexes)
      expect(all.length).toBe(500)
      expect(new Set(all).size).toBe(500)
      expect(reports.reduce((n, r) => n + (r.refused.status_list_full ?? 0), 0)).toBe(100)
    }, 120_000)
  })
})
