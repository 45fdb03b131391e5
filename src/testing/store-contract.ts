import { CredsignError } from '../errors/credsign-error.js'
import type { ErrorCode } from '../errors/credsign-error.js'
import type { KeyRecord, KeyStore } from '../stores/key-store.js'

/**
 * The parts of a test framework the contract suite uses, injected so it runs under vitest, jest,
 * `node:test`, `bun:test` and Deno's `@std/testing/bdd` alike. Pass the framework's own functions.
 * `beforeEach`/`afterEach` are accepted so a whole framework module can be passed, but not needed:
 * every test makes and cleans up its own store.
 *
 * @example
 *
 * ```ts
 * import { describe, it } from 'node:test'
 * import { MemoryStore } from 'credsign'
 * import { runKeyStoreContract } from 'credsign/testing'
 * runKeyStoreContract('MemoryStore', async () => ({ store: new MemoryStore() }), {
 *   describe,
 *   it,
 * })
 * ```
 */
export interface ContractTestApi {
  describe(name: string, body: () => void): unknown
  it(name: string, body: () => Promise<void>): unknown
  beforeEach?: unknown
  afterEach?: unknown
}

/**
 * What the store factory of {@link runKeyStoreContract} resolves with.
 *
 * @example
 *
 * ```ts
 * import { mkdtemp, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { FileStore } from 'credsign/file'
 * import type { StoreUnderTest } from 'credsign/testing'
 * async function freshFileStore(): Promise<StoreUnderTest> {
 *   const directory = await mkdtemp(join(tmpdir(), 'keys-'))
 *   return {
 *     store: new FileStore({ directory }),
 *     cleanup: () => rm(directory, { recursive: true }),
 *   }
 * }
 * ```
 */
export interface StoreUnderTest {
  /** A fresh, empty store. */
  store: KeyStore
  /** Called after the test, whether it passed or not: drop tables, remove directories... */
  cleanup?: () => Promise<void>
}

/**
 * Overrides of {@link makeTestRecord}.
 *
 * @example
 *
 * ```ts
 * import { makeTestRecord } from 'credsign/testing'
 * const rotated = makeTestRecord('issuer-1', {
 *   versions: 3,
 *   revision: 4,
 *   updatedAt: '2026-06-01T00:00:00.000Z',
 * })
 * ```
 */
export interface TestRecordOptions {
  /** Default 1. */
  revision?: number
  /** How many versions (default 1); the last one is `current`. */
  versions?: number
  /** Default `2026-01-01T00:00:00.000Z`. */
  createdAt?: string
  /** Default `createdAt`. */
  updatedAt?: string
}

// Fixed fake base64url values of the lengths a real envelope has (16-byte salt, 8-byte fingerprint,
// 12-byte nonce, 32-byte MAC); stores only check shape, and fixed values keep failures readable.
const SALT = 'c2FsdHNhbHRzYWx0c2FsdA'
const SFP = 'ZmluZ2VycHI'
const IV = 'bm9uY2Vub25jZW5v'
const CT = 'Y2lwaGVydGV4dCBmb2xsb3dlZCBieSBhIDE2LWJ5dGUgdGFn'
const MAC = 'bWFjbWFjbWFjbWFjbWFjbWFjbWFjbWFjbWFjbWFjbWE'
const X = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI'

/**
 * A syntactically valid {@link KeyRecord} with fake key material (nothing here decrypts), for
 * exercising stores.
 *
 * @example
 *
 * ```ts
 * import { MemoryStore } from 'credsign'
 * import { makeTestRecord } from 'credsign/testing'
 * const store = new MemoryStore()
 * await store.create(makeTestRecord('issuer-1', { versions: 2 }))
 * ```
 */
export function makeTestRecord(id: string, options: TestRecordOptions = {}): KeyRecord {
  const createdAt = options.createdAt ?? '2026-01-01T00:00:00.000Z'
  const count = options.versions ?? 1
  const versions: KeyRecord['versions'] = []
  for (let version = 1; version <= count; version++) {
    versions.push({
      version,
      algorithm: 'Ed25519',
      publicJwk: { kty: 'OKP', crv: 'Ed25519', x: X },
      status: version === count ? 'current' : 'previous',
      createdAt,
      envelope: {
        v: 1,
        kid: id,
        alg: 'Ed25519',
        kv: version,
        kdf: { id: 'pbkdf2-sha256', iterations: 600_000 },
        salt: SALT,
        sfp: SFP,
        iv: IV,
        ct: CT,
        mac: MAC,
      },
    })
  }
  return {
    id,
    revision: options.revision ?? 1,
    createdAt,
    updatedAt: options.updatedAt ?? createdAt,
    versions,
  }
}

// Assertions of our own, so the suite depends on no assertion library.

function fail(message: string): never {
  throw new Error(`store contract: ${message}`)
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) fail(message)
}

function canonical(value: unknown): string {
  // Key order does not matter for records (a database may return members in any order).
  return JSON.stringify(value, (_key, member: unknown) =>
    member !== null && typeof member === 'object' && !Array.isArray(member)
      ? Object.fromEntries(Object.entries(member).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : member,
  )
}

function assertSameRecord(actual: unknown, expected: KeyRecord, what: string): void {
  const a = canonical(actual)
  const e = canonical(expected)
  if (a !== e) fail(`${what}: expected ${e.slice(0, 300)}, got ${String(a).slice(0, 300)}`)
}

function errorCodeOf(error: unknown): string {
  if (error instanceof CredsignError) return error.code
  // Duck-typed as well: a store built against another copy of credsign throws another class.
  if (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'CredsignError'
  ) {
    return String((error as { code?: unknown }).code)
  }
  return `a non-CredsignError (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode, what: string): Promise<void> {
  try {
    await promise
  } catch (error) {
    const actual = errorCodeOf(error)
    if (actual !== code) fail(`${what}: expected a CredsignError '${code}', got ${actual}`)
    return
  }
  fail(`${what}: expected a CredsignError '${code}', but it succeeded`)
}

async function settle<T>(promises: Promise<T>[]): Promise<{ values: T[]; codes: string[] }> {
  const results = await Promise.allSettled(promises)
  const values: T[] = []
  const codes: string[] = []
  for (const result of results) {
    if (result.status === 'fulfilled') values.push(result.value)
    else codes.push(errorCodeOf(result.reason))
  }
  return { values, codes }
}

async function listAll(store: KeyStore, limit: number): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | undefined
  for (let page = 0; ; page++) {
    assert(page < 10_000, 'list never ends (nextCursor keeps coming)')
    const result = await store.list(cursor === undefined ? { limit } : { cursor, limit })
    assert(Array.isArray(result.records), 'list must resolve with a records array')
    assert(
      result.records.length <= limit,
      `list returned ${result.records.length} records for limit ${limit}`,
    )
    ids.push(...result.records.map((record) => record.id))
    if (result.nextCursor === undefined) return ids
    assert(typeof result.nextCursor === 'string', 'nextCursor must be a string when present')
    cursor = result.nextCursor
  }
}

function assertAscendingUnique(ids: string[], what: string): void {
  for (let i = 1; i < ids.length; i++) {
    const previous = ids[i - 1] as string
    const current = ids[i] as string
    if (previous === current) fail(`${what}: id ${JSON.stringify(current)} listed twice`)
    if (!(previous < current))
      fail(`${what}: ${JSON.stringify(previous)} listed before ${JSON.stringify(current)}`)
  }
}

function sortedByCodeUnits(ids: string[]): string[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Ids that exercise escaping and file naming: DID URLs, `#`, `%`, `:`, dots, case, 500 characters. */
const ODD_IDS = [
  'did:web:issuer.example#key-1',
  'did:web:issuer.example%3A8443#key-1',
  'k#1',
  'k%1',
  'k:1',
  'a',
  'A',
  '.hidden',
  '..',
  '-_:.#%',
  'x'.repeat(500),
  `${'y'.repeat(499)}#`,
  `${'y'.repeat(499)}%`,
]

/**
 * Registers the {@link KeyStore} contract tests for a store implementation: create/get round trips,
 * `exists` on duplicates (also under 30 concurrent creates), compare-and-swap updates and deletes
 * (also concurrent), `not_found`, pagination in ascending id order, unusual ids, defensive copies,
 * and `ping`. `factory` must resolve with a fresh, empty store for each test.
 *
 * @example
 *
 * ```ts
 * import { describe, it } from 'vitest'
 * import { MemoryStore } from 'credsign'
 * import { runKeyStoreContract } from 'credsign/testing'
 * runKeyStoreContract('MemoryStore', async () => ({ store: new MemoryStore() }), {
 *   describe,
 *   it,
 * })
 * ```
 */
export function runKeyStoreContract(
  name: string,
  factory: () => Promise<StoreUnderTest>,
  t: ContractTestApi,
): void {
  const test = (title: string, body: (store: KeyStore) => Promise<void>): void => {
    t.it(title, async () => {
      const { store, cleanup } = await factory()
      try {
        await body(store)
      } finally {
        await cleanup?.()
      }
    })
  }

  t.describe(`KeyStore contract: ${name}`, () => {
    test('create then get returns an equal record with revision 1', async (store) => {
      const record = makeTestRecord('issuer-1', { versions: 2 })
      const created = await store.create(record)
      assertSameRecord(created, record, 'create result')
      const got = await store.get('issuer-1')
      assert(got !== undefined, 'get after create returned undefined')
      assertSameRecord(got, record, 'get after create')
    })

    test('create sets revision 1 whatever revision the input has', async (store) => {
      const created = await store.create(makeTestRecord('issuer-1', { revision: 7 }))
      assert(created.revision === 1, `create resolved with revision ${created.revision}`)
      assert((await store.get('issuer-1'))?.revision === 1, 'stored revision is not 1')
    })

    test('create of an existing id throws exists and keeps the first record', async (store) => {
      await store.create(makeTestRecord('issuer-1'))
      await expectCode(
        store.create(makeTestRecord('issuer-1', { versions: 3 })),
        'exists',
        'second create',
      )
      assertSameRecord(
        await store.get('issuer-1'),
        makeTestRecord('issuer-1'),
        'record after failed create',
      )
    })

    test('30 concurrent creates of one id: exactly one succeeds, the rest throw exists', async (store) => {
      const attempts = Array.from({ length: 30 }, (_, i) =>
        store.create(makeTestRecord('contended', { versions: (i % 3) + 1 })),
      )
      const { values, codes } = await settle(attempts)
      assert(values.length === 1, `${values.length} creates succeeded`)
      const unexpected = codes.filter((code) => code !== 'exists')
      assert(
        unexpected.length === 0,
        `failed creates threw ${unexpected.join(', ')} instead of exists`,
      )
      assertSameRecord(
        await store.get('contended'),
        values[0] as KeyRecord,
        'stored record vs the winning create',
      )
    })

    test('get of an unknown id resolves undefined', async (store) => {
      assert(
        (await store.get('nobody')) === undefined,
        'get of an unknown id did not resolve undefined',
      )
      await store.create(makeTestRecord('somebody'))
      assert(
        (await store.get('nobody')) === undefined,
        'get of an unknown id did not resolve undefined',
      )
    })

    test('update at the stored revision stores the record with revision + 1', async (store) => {
      const created = await store.create(makeTestRecord('issuer-1'))
      const changed = makeTestRecord('issuer-1', {
        revision: created.revision,
        versions: 2,
        updatedAt: '2026-02-01T00:00:00.000Z',
      })
      const updated = await store.update(changed)
      assert(updated.revision === 2, `update resolved with revision ${updated.revision}`)
      assertSameRecord(updated, { ...changed, revision: 2 }, 'update result')
      assertSameRecord(await store.get('issuer-1'), { ...changed, revision: 2 }, 'get after update')
      const again = await store.update({ ...updated, updatedAt: '2026-03-01T00:00:00.000Z' })
      assert(again.revision === 3, `second update resolved with revision ${again.revision}`)
    })

    test('update at a stale revision throws conflict and changes nothing', async (store) => {
      const created = await store.create(makeTestRecord('issuer-1'))
      const updated = await store.update({ ...created, updatedAt: '2026-02-01T00:00:00.000Z' })
      await expectCode(
        store.update(makeTestRecord('issuer-1', { revision: 1, versions: 3 })),
        'conflict',
        'update at revision 1 of a revision-2 record',
      )
      await expectCode(
        store.update(makeTestRecord('issuer-1', { revision: 5, versions: 3 })),
        'conflict',
        'update at a future revision',
      )
      assertSameRecord(await store.get('issuer-1'), updated, 'record after failed updates')
    })

    test('concurrent updates from one revision: exactly one wins, the rest throw conflict', async (store) => {
      const created = await store.create(makeTestRecord('issuer-1'))
      const attempts = Array.from({ length: 20 }, (_, i) =>
        store.update({
          ...created,
          updatedAt: `2026-02-01T00:00:${String(i).padStart(2, '0')}.000Z`,
        }),
      )
      const { values, codes } = await settle(attempts)
      assert(values.length === 1, `${values.length} concurrent updates from revision 1 succeeded`)
      const unexpected = codes.filter((code) => code !== 'conflict')
      assert(
        unexpected.length === 0,
        `failed updates threw ${unexpected.join(', ')} instead of conflict`,
      )
      const winner = values[0] as KeyRecord
      assert(winner.revision === 2, `the winning update has revision ${winner.revision}`)
      assertSameRecord(await store.get('issuer-1'), winner, 'stored record vs the winning update')
    })

    test('update of an unknown id throws not_found', async (store) => {
      await expectCode(
        store.update(makeTestRecord('nobody')),
        'not_found',
        'update of an unknown id',
      )
      assert((await store.get('nobody')) === undefined, 'update of an unknown id created it')
    })

    test('delete removes the record and resolves true, then false', async (store) => {
      await store.create(makeTestRecord('issuer-1'))
      await store.create(makeTestRecord('issuer-2'))
      assert(
        (await store.delete('issuer-1')) === true,
        'delete of an existing record did not resolve true',
      )
      assert((await store.get('issuer-1')) === undefined, 'record still there after delete')
      assert((await store.delete('issuer-1')) === false, 'second delete did not resolve false')
      assert(
        (await store.delete('nobody', 1)) === false,
        'delete of an unknown id with expectedRevision did not resolve false',
      )
      assert((await store.get('issuer-2')) !== undefined, 'delete removed another record')
      await store.create(makeTestRecord('issuer-1'))
      assert(
        (await store.get('issuer-1'))?.revision === 1,
        'a re-created record does not start at revision 1',
      )
    })

    test('delete with a stale expectedRevision throws conflict; with the right one it deletes', async (store) => {
      const created = await store.create(makeTestRecord('issuer-1'))
      const updated = await store.update({ ...created, updatedAt: '2026-02-01T00:00:00.000Z' })
      await expectCode(store.delete('issuer-1', 1), 'conflict', 'delete at a stale revision')
      assertSameRecord(await store.get('issuer-1'), updated, 'record after failed delete')
      assert(
        (await store.delete('issuer-1', 2)) === true,
        'delete at the stored revision did not resolve true',
      )
      assert((await store.get('issuer-1')) === undefined, 'record still there after delete')
    })

    test('list pages through every record in ascending id order without duplicates', async (store) => {
      const empty = await store.list()
      assert(
        empty.records.length === 0 && empty.nextCursor === undefined,
        'list of an empty store is not an empty last page',
      )
      const ids = Array.from(
        { length: 25 },
        (_, i) => `key-${String((i * 7) % 25).padStart(2, '0')}`,
      )
      for (const id of ids) await store.create(makeTestRecord(id))
      const expected = sortedByCodeUnits(ids)
      for (const limit of [1, 4, 7, 25, 100]) {
        const listed = await listAll(store, limit)
        assertAscendingUnique(listed, `list with limit ${limit}`)
        assert(
          canonical(listed) === canonical(expected),
          `list with limit ${limit} gave ${listed.join(',')}`,
        )
      }
      const all = await store.list()
      assert(
        all.records.length === 25 && all.nextCursor === undefined,
        'list with the default limit did not return all 25 records',
      )
      assertSameRecord(all.records[0], makeTestRecord('key-00'), 'listed record')
    })

    test('list orders ids by UTF-16 code units and reflects deletes', async (store) => {
      const ids = ['b', 'B', '_', '#x', '%x', '9', 'a:b', 'a.b', 'a-b', 'ab']
      for (const id of ids) await store.create(makeTestRecord(id))
      assert(
        canonical(await listAll(store, 3)) === canonical(sortedByCodeUnits(ids)),
        'list is not in code unit order',
      )
      await store.delete('B')
      const first = await store.list({ limit: 2 })
      assert(first.nextCursor !== undefined, 'a partial page has no nextCursor')
      await store.delete('9') // already listed: must not disturb the following pages
      await store.create(makeTestRecord('zz'))
      const rest = await listAll(store, 100)
      assert(!rest.includes('B'), 'deleted id still listed')
      const resumed: string[] = first.records.map((record) => record.id)
      let cursor: string | undefined = first.nextCursor
      while (cursor !== undefined) {
        const page = await store.list({ cursor, limit: 2 })
        resumed.push(...page.records.map((record) => record.id))
        cursor = page.nextCursor
      }
      assertAscendingUnique(resumed, 'list resumed after changes')
      assert(
        resumed.includes('zz') && !resumed.includes('B'),
        `list resumed after changes gave ${resumed.join(',')}`,
      )
    })

    test('ids with #, %, :, dots, case differences and 500 characters are kept apart', async (store) => {
      for (const [index, id] of ODD_IDS.entries())
        await store.create(makeTestRecord(id, { versions: (index % 3) + 1 }))
      for (const [index, id] of ODD_IDS.entries()) {
        assertSameRecord(
          await store.get(id),
          makeTestRecord(id, { versions: (index % 3) + 1 }),
          `get ${JSON.stringify(id.slice(0, 40))}`,
        )
      }
      const listed = await listAll(store, 5)
      assert(
        canonical(listed) === canonical(sortedByCodeUnits(ODD_IDS)),
        `list of odd ids gave ${listed.map((id) => id.slice(0, 20)).join(',')}`,
      )
      const updated = await store.update(makeTestRecord('k#1', { versions: 3 }))
      assert(updated.revision === 2, 'update of k#1 failed')
      assert((await store.get('k%1'))?.revision === 1, 'updating k#1 changed k%1')
      assert((await store.delete('A')) === true, 'delete of A failed')
      assert((await store.get('a')) !== undefined, 'deleting A removed a')
    })

    test('records passed in and handed out are copies', async (store) => {
      const record = makeTestRecord('issuer-1')
      const created = await store.create(record)
      const pristine = makeTestRecord('issuer-1')
      record.updatedAt = '2030-01-01T00:00:00.000Z'
      ;(record.versions[0] as KeyRecord['versions'][number]).envelope.ct = 'bXV0YXRlZA'
      created.versions.push(created.versions[0] as KeyRecord['versions'][number])
      created.revision = 99
      const got = await store.get('issuer-1')
      assertSameRecord(got, pristine, 'record after mutating the created input and output')
      assert(got !== undefined, 'record gone')
      got.versions[0]!.status = 'previous'
      got.id = 'other'
      const listed = (await store.list()).records[0]
      assert(listed !== undefined, 'list lost the record')
      listed.versions.length = 0
      assertSameRecord(
        await store.get('issuer-1'),
        pristine,
        'record after mutating get and list results',
      )
      const update = { ...pristine }
      const updated = await store.update(update)
      update.updatedAt = '2031-01-01T00:00:00.000Z'
      updated.createdAt = '2031-01-01T00:00:00.000Z'
      assertSameRecord(
        await store.get('issuer-1'),
        { ...pristine, revision: 2 },
        'record after mutating update input and output',
      )
    })

    test('ping resolves on a working store', async (store) => {
      if (store.ping === undefined) return
      await store.ping()
    })
  })
}
