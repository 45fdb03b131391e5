// Hostile input never reaches SQL text: ids are validated before any query and are always
// parameters; schema and table names are validated identifiers. A spying pool records every query.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { KeyVault } from 'credsign'
import {
  PostgresStore,
  type PgPool,
  type PgPoolClient,
  type PgQueryConfig,
} from 'credsign/postgres'
import { makeTestRecord } from 'credsign/testing'
import { b64u, utf8 } from '../../src/util/bytes.js'
import { adminPool, codeOf, databaseUrl, describePg, dropSchema, freshSchema } from './helpers.js'

const url = databaseUrl as string
let admin: ReturnType<typeof adminPool>
const schema = freshSchema('hostile')

/** A pool that records every statement sent through it. */
class SpyPool implements PgPool {
  readonly queries: PgQueryConfig[] = []
  constructor(readonly inner: ReturnType<typeof adminPool>) {}
  async connect(): Promise<PgPoolClient> {
    const client = await this.inner.connect()
    return {
      query: (config: PgQueryConfig) => {
        this.queries.push(config)
        return client.query(config) as unknown as ReturnType<PgPoolClient['query']>
      },
      release: (error?: Error | boolean) => client.release(error),
      on: (event, listener) => client.on(event, listener),
      removeListener: (event, listener) => client.removeListener(event, listener),
    }
  }
  async end(): Promise<void> {}
}

const HOSTILE_IDS = [
  `k'; DROP TABLE credsign_keys; --`,
  'k"; DROP TABLE credsign_keys; --',
  'k;DELETE FROM credsign_keys',
  'k\u0000x',
  '\u0000',
  'x'.repeat(10_000),
  'k\\',
  "k' OR '1'='1",
  'k$1',
  'k/*',
  'k\n',
  'k é',
  '',
]

beforeAll(async () => {
  if (databaseUrl === undefined) return
  admin = adminPool(url, 4)
  await new PostgresStore({ pool: admin, schema }).migrate()
})
afterAll(async () => {
  if (admin === undefined) return
  await dropSchema(admin, schema)
  await admin.end()
})

describePg('hostile input and PostgresStore', () => {
  it('rejects hostile ids with invalid_key_id before any SQL is sent', async () => {
    const spy = new SpyPool(admin)
    const store = new PostgresStore({ pool: spy, schema })
    for (const id of HOSTILE_IDS) {
      const what = JSON.stringify(id.slice(0, 30))
      expect(await codeOf(store.get(id)), what).toBe('invalid_key_id')
      expect(await codeOf(store.delete(id)), what).toBe('invalid_key_id')
      expect(await codeOf(store.create(makeTestRecord(id))), what).toBe('invalid_key_id')
      expect(await codeOf(store.update(makeTestRecord(id))), what).toBe('invalid_key_id')
      // A cursor is opaque but decodable: one smuggling a hostile id is refused too.
      expect(await codeOf(store.list({ cursor: b64u(utf8(`k1:${id}`)) })), what).toBe(
        'invalid_argument',
      )
    }
    expect(spy.queries).toEqual([])
    // And the messages never carry the whole 10,000 characters.
    const error = (await store.get('x'.repeat(10_000)).catch((e: unknown) => e)) as Error
    expect(error.message.length).toBeLessThan(300)
  })

  it('rejects hostile schema and table names at construction', () => {
    const bad = [
      'a"b',
      "a'b",
      'a;b',
      'a b',
      'A',
      '1a',
      'a'.repeat(64),
      'a'.repeat(10_000),
      'a\u0000',
      '',
      'x-y',
      'é',
      'a.b',
    ]
    for (const name of bad) {
      expect(() => new PostgresStore({ pool: admin, schema: name }), JSON.stringify(name)).toThrow(
        expect.objectContaining({ code: 'invalid_argument' }),
      )
      expect(
        () => new PostgresStore({ pool: admin, tables: { keys: name } }),
        JSON.stringify(name),
      ).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
    }
    expect(() => new PostgresStore({ pool: admin, schema: 'pg_catalog' })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    expect(
      () => new PostgresStore({ pool: admin, tables: { keys: 'same', versions: 'same' } }),
    ).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
    expect(() => new PostgresStore({ pool: admin, tables: { secrets: 'x' } as never })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    expect(() => new PostgresStore({ pool: admin, connection: url })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    expect(() => new PostgresStore({} as never)).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })

  it('sends only a fixed set of statements, with every id and value as a parameter', async () => {
    const spy = new SpyPool(admin)
    const store = new PostgresStore({ pool: spy, schema })
    const vault = new KeyVault({
      store,
      serviceSecret: 'hostile-input-test-service-secret-0123456789',
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
      limiter: store.attemptLimiter({ maxFailures: 2 }),
    })
    const ids = ['did:web:evil.example%27%3B#key-1', 'k#1', 'k%27', '--', 'k:1.2']
    for (const id of ids)
      await vault.generate({ id, algorithm: 'Ed25519', secrets: [`secret-${id}`] })
    for (const id of ids) {
      await vault.rotate(id, [`secret-${id}`])
      await vault.unlock(id, [`secret-${id}`], {
        client: `'; DROP TABLE credsign_attempts; --\u0000`,
      })
      await codeOf(vault.unlock(id, ['wrong'], { client: 'x'.repeat(10_000) }))
      await vault.rewrap(id, [`secret-${id}`], { secrets: ['new'] })
    }
    for (
      let cursor: string | undefined, first = true;
      first || cursor !== undefined;
      first = false
    ) {
      const page = await vault.list(cursor === undefined ? { limit: 2 } : { cursor, limit: 2 })
      cursor = page.nextCursor
    }
    for (const id of ids) await vault.delete(id, ['new'])
    await store.migrate()
    await store.ping()

    const texts = new Set(spy.queries.map((q) => q.text))
    // create, get, get for update, update, insert versions, delete, list (first, after), begin,
    // end (success, failure), ping, BEGIN/COMMIT, and migrate's handful.
    expect(texts.size).toBeLessThanOrEqual(22)
    const secrets = ids.map((id) => `secret-${id}`)
    for (const text of texts) {
      for (const needle of [
        ...ids,
        ...secrets,
        'DROP TABLE credsign_attempts',
        'xxxxxxxxxx',
        'new',
      ]) {
        expect(
          text.includes(needle),
          `statement contains ${JSON.stringify(needle)}:\n${text}`,
        ).toBe(false)
      }
      // No literal strings besides the fixed ones in the schema statements and SQL keywords.
      const literals = [...text.matchAll(/'([^']*)'/g)].map((m) => m[1])
      for (const literal of literals) {
        expect([
          '[]',
          'version',
          'algorithm',
          'status',
          'publicJwk',
          'envelope',
          'createdAt',
          'extra',
          'current',
          'previous',
          'object',
        ]).toContain(literal)
      }
    }
    // Ids travel as parameters; the limiter's keys only as SHA-256 hex, never the raw client string.
    const values = spy.queries.flatMap((q) => q.values ?? []).map(String)
    for (const id of ids) expect(values).toContain(id)
    expect(values.some((v) => v.includes('DROP TABLE'))).toBe(false)
    expect(values.some((v) => v.includes('\u0000'))).toBe(false)
  })
})
