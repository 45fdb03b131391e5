// Failures: the server crashing in the middle of a batch of writes and coming back, a connection
// killed inside a transaction, servers that refuse or never answer, statements that hang.
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CredsignError } from 'credsign'
import {
  PostgresStore,
  type PgPool,
  type PgPoolClient,
  type PgQueryConfig,
} from 'credsign/postgres'
import { makeTestRecord } from 'credsign/testing'
import {
  adminPool,
  codeOf,
  databaseUrl,
  describePg,
  errorCode,
  privateServersAvailable,
  startPrivateServer,
  type PrivateServer,
} from './helpers.js'

if (databaseUrl !== undefined && !privateServersAvailable && process.env.CI) {
  throw new Error(
    'under CI the fault tests must run: they start a private PostgreSQL, which needs root and the server binaries',
  )
}
const describeFaults =
  privateServersAvailable && databaseUrl !== undefined ? describe : describe.skip

let server: PrivateServer
let admin: ReturnType<typeof adminPool>

beforeAll(async () => {
  if (databaseUrl === undefined || !privateServersAvailable) return
  // A server of our own: crashing it must not disturb the other test files.
  server = await startPrivateServer()
  admin = adminPool(server.url, 4)
  // pg-up.sh runs with synchronous_commit=off (fast, but an acknowledged commit can be lost in a
  // crash). Durability is what this file tests, so: on, for every new session in this database.
  await admin.query(
    `ALTER DATABASE ${new URL(server.url).pathname.slice(1)} SET synchronous_commit = on`,
  )
  await admin.end()
  admin = adminPool(server.url, 4)
}, 60_000)
afterAll(async () => {
  await admin?.end()
  await server?.destroy()
})

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** What a key may look like after the run: absent (0) or at a revision with that many versions. */
type State = number

describeFaults('PostgresStore when things fail', () => {
  it('server crash mid-batch: every write happened completely or failed store_unavailable; the same store recovers', async () => {
    const store = new PostgresStore({
      connection: { connectionString: server.url, maxConnections: 8, connectTimeoutMs: 1_000 },
      schema: 'crash',
    })
    await store.migrate()
    // id -> the states it may be in: one when the last write was acknowledged, two when it failed
    // (before or after: a commit whose answer was lost may have happened).
    const possible = new Map<string, Set<State>>()
    const failures: string[] = []
    let ok = 0
    let okAfterRestart = 0
    let phase: 'before' | 'down' | 'after' = 'before'
    let stop = false

    async function writer(w: number): Promise<void> {
      for (let j = 0; !stop; j++) {
        const id = `w${w}-${j}`
        let state: State = 0
        possible.set(id, new Set([0]))
        // create, two updates (each adds a version: revision = number of versions), maybe delete.
        const steps =
          j % 2 === 0 ? ['create', 'update', 'update', 'delete'] : ['create', 'update', 'update']
        for (const step of steps) {
          const next: State = step === 'create' ? 1 : step === 'update' ? state + 1 : 0
          try {
            if (step === 'create') await store.create(makeTestRecord(id))
            else if (step === 'update')
              await store.update(makeTestRecord(id, { versions: next, revision: state }))
            else await store.delete(id, state)
            state = next
            possible.set(id, new Set([state]))
            ok++
            if (phase === 'after') okAfterRestart++
          } catch (error) {
            failures.push(errorCode(error))
            possible.set(id, new Set([state, next]))
            await sleep(10)
            break // the outcome is unknown: leave this id alone
          }
        }
      }
    }

    const writers = Array.from({ length: 8 }, (_, w) => writer(w))
    // Crash once the writers are in full swing (at least 60 writes done), whatever the machine's speed.
    const warm = Date.now() + 10_000
    while (ok < 60 && Date.now() < warm) await sleep(10)
    await sleep(20)
    phase = 'down'
    await server.crash()
    await sleep(300)
    await server.start()
    phase = 'after'
    // The same store object, no restart: writes succeed again.
    const deadline = Date.now() + 10_000
    while (okAfterRestart < 50 && Date.now() < deadline) await sleep(50)
    stop = true
    await Promise.all(writers)

    expect(failures.length).toBeGreaterThan(0)
    expect(failures.filter((code) => code !== 'store_unavailable')).toEqual([])
    expect(ok).toBeGreaterThanOrEqual(110)
    expect(okAfterRestart).toBeGreaterThanOrEqual(50)

    // Every row is whole: revision = number of versions, versions 1..n, exactly one current.
    const { rows } = await admin.query(`
      SELECT k.id, k.revision::int AS revision, count(v.version)::int AS versions,
             count(*) FILTER (WHERE v.status = 'current')::int AS current,
             coalesce(max(v.version), 0)::int AS top
      FROM crash.credsign_keys k LEFT JOIN crash.credsign_key_versions v ON v.key_id = k.id GROUP BY k.id`)
    for (const row of rows) {
      expect(row, `row ${row.id}`).toMatchObject({
        versions: row.revision,
        current: 1,
        top: row.revision,
      })
    }
    const actual = new Map<string, State>(
      rows.map((row) => [row.id as string, row.revision as number]),
    )
    for (const id of actual.keys()) expect(possible.has(id), `unexpected row ${id}`).toBe(true)
    for (const [id, states] of possible) {
      const state = actual.get(id) ?? 0
      expect(
        states.has(state),
        `${id} is at ${state}, expected one of ${[...states].join('/')}`,
      ).toBe(true)
    }
    expect(await store.list({ limit: 1000 })).toMatchObject({ records: expect.any(Array) })
    await store.close()
  }, 60_000)

  it('a connection killed inside a transaction rolls the transaction back', async () => {
    const inner = adminPool(server.url, 4)
    const killer = adminPool(server.url, 1)
    let killBefore: RegExp | undefined
    const killed: number[] = []
    // A pool whose clients, when told to, have their backend terminated (from another connection)
    // just before a chosen statement: the previous statements of the transaction have run.
    const pool: PgPool = {
      async connect(): Promise<PgPoolClient> {
        const client = await inner.connect()
        const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number
        return {
          query: async (config: PgQueryConfig) => {
            if (killBefore?.test(config.text)) {
              killBefore = undefined
              await killer.query('SELECT pg_terminate_backend($1)', [pid])
              killed.push(pid)
              await sleep(50)
            }
            return client.query(config) as unknown as ReturnType<PgPoolClient['query']>
          },
          release: (error?: Error | boolean) => client.release(error),
          on: (event, listener) => client.on(event, listener),
          removeListener: (event, listener) => client.removeListener(event, listener),
        }
      },
      end: () => inner.end(),
    }
    const store = new PostgresStore({ pool, schema: 'killed' })
    await store.migrate()
    const created = await store.create(makeTestRecord('k1', { versions: 2 }))

    // update: UPDATE keys + DELETE versions have run when the connection dies before INSERT versions.
    killBefore = /INSERT INTO .*jsonb_to_recordset/s
    const error = await store
      .update(makeTestRecord('k1', { versions: 3, revision: 1 }))
      .catch((e: unknown) => e)
    expect(killed).toHaveLength(1)
    expect(CredsignError.is(error, 'store_unavailable')).toBe(true)
    expect((error as Error).cause).toBeDefined()
    expect(await store.get('k1')).toEqual(created)

    // delete: the row is locked and checked when the connection dies before DELETE.
    killBefore = /^DELETE FROM/
    expect(await codeOf(store.delete('k1', 1))).toBe('store_unavailable')
    expect(killed).toHaveLength(2)
    expect(await store.get('k1')).toEqual(created)

    // The broken connections were destroyed, not pooled: everything works on.
    expect((await store.update(makeTestRecord('k1', { versions: 3, revision: 1 }))).revision).toBe(
      2,
    )
    expect(await store.delete('k1', 2)).toBe(true)
    const { rows } = await killer.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1)`,
      [killed],
    )
    expect(rows[0].n).toBe(0)
    await killer.end()
    await inner.end()
  }, 30_000)

  it('a statement blocked past statementTimeoutMs fails store_unavailable and leaves the row alone', async () => {
    const store = new PostgresStore({
      connection: { connectionString: server.url, statementTimeoutMs: 300 },
      schema: 'timeouts',
    })
    await store.migrate()
    await store.create(makeTestRecord('k1'))
    const holder = await admin.connect()
    try {
      await holder.query('BEGIN')
      await holder.query(`SELECT 1 FROM timeouts.credsign_keys WHERE id = 'k1' FOR UPDATE`)
      const started = Date.now()
      const error = await store
        .update(makeTestRecord('k1', { versions: 2 }))
        .catch((e: unknown) => e)
      expect(CredsignError.is(error, 'store_unavailable')).toBe(true)
      expect(Date.now() - started).toBeLessThan(3_000)
    } finally {
      await holder.query('ROLLBACK')
      holder.release()
    }
    expect((await store.get('k1'))?.revision).toBe(1)
    expect((await store.update(makeTestRecord('k1', { versions: 2 }))).revision).toBe(2)
    await store.close()
  })
})

describePg('PostgresStore without a server', () => {
  let blackHole: Server
  const sockets: Socket[] = []
  let blackHolePort: number
  let refusedPort: number
  beforeAll(async () => {
    // Accepts connections and never answers: a hung server or a black-holed network path.
    blackHole = createServer((socket) => {
      sockets.push(socket)
      socket.on('error', () => {})
    })
    await new Promise<void>((done) => blackHole.listen(0, '127.0.0.1', done))
    blackHolePort = (blackHole.address() as { port: number }).port
    // A port nothing listens on.
    const probe = createServer()
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done))
    refusedPort = (probe.address() as { port: number }).port
    await new Promise<void>((done) => probe.close(() => done()))
  })
  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((done) => (blackHole ? blackHole.close(() => done()) : done()))
  })

  it('a refused connection is store_unavailable from every method, with the driver error as cause', async () => {
    const store = new PostgresStore({
      connection: `postgres://nobody@127.0.0.1:${refusedPort}/none`,
    })
    const calls = [
      () => store.get('k1'),
      () => store.create(makeTestRecord('k1')),
      () => store.update(makeTestRecord('k1')),
      () => store.delete('k1'),
      () => store.list(),
      () => store.ping(),
      () => store.migrate(),
    ]
    for (const call of calls) {
      const error = await call().catch((e: unknown) => e)
      expect(CredsignError.is(error, 'store_unavailable')).toBe(true)
      expect(errorCode((error as Error).cause)).toBe('ECONNREFUSED')
    }
    const limiter = store.attemptLimiter()
    expect(await codeOf(limiter.begin('k1', Date.now()))).toBe('store_unavailable')
    await store.close()
  })

  it('ping answers store_unavailable within pingTimeoutMs when the server never answers', async () => {
    const store = new PostgresStore({
      connection: {
        connectionString: `postgres://nobody@127.0.0.1:${blackHolePort}/none`,
        connectTimeoutMs: 1_000,
      },
      pingTimeoutMs: 300,
    })
    const started = Date.now()
    expect(await codeOf(store.ping())).toBe('store_unavailable')
    expect(Date.now() - started).toBeLessThan(1_500)
    // Other calls give up after connectTimeoutMs.
    const slow = new PostgresStore({
      connection: {
        connectionString: `postgres://nobody@127.0.0.1:${blackHolePort}/none`,
        connectTimeoutMs: 400,
      },
    })
    const t0 = Date.now()
    expect(await codeOf(slow.get('k1'))).toBe('store_unavailable')
    expect(Date.now() - t0).toBeLessThan(2_000)
    await store.close()
    await slow.close()
  })

  it('rejects nonsensical connection options at construction', () => {
    const bad: unknown[] = [
      { connectionString: '' },
      { connectionString: 'postgres://h/db?sslmode=disable', ssl: { mode: 'verify-full' } },
      { ssl: { mode: 'prefer' } },
      { ssl: { mode: 'verify-ca' } },
      { ssl: { cert: 'PEM' } },
      { port: 70_000 },
      { maxConnections: 0 },
      { statementTimeoutMs: 1.5 },
      { password: 42 },
    ]
    for (const connection of bad) {
      expect(
        () => new PostgresStore({ connection: connection as never }),
        JSON.stringify(connection),
      ).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
    }
  })
})
