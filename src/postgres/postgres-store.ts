import { CredsignError } from '../errors/credsign-error.js'
import { describeKeyId, resolveMaxKeyIdLength, validateKeyId } from '../stores/key-id.js'
import type { KeyRecord, KeyRecordPage, KeyStore, ListOptions } from '../stores/key-store.js'
import {
  decodeListCursor,
  encodeListCursor,
  prepareRecordForWrite,
  resolveListLimit,
  validateKeyRecord,
  validateRevision,
} from '../stores/record.js'
import type { LockoutPolicy } from '../vault/attempt-limiter.js'
import { PostgresAttemptLimiter, type PostgresAttemptLimiterOptions } from './attempt-limiter.js'
import { hasSqlState, PgConnector, type Query } from './connection.js'
import { EeccLegacyKeys, type EeccLegacyKeysOptions } from './eecc-legacy.js'
import {
  MIGRATIONS,
  migrationStatus,
  resolveSchemaNames,
  runMigrations,
  type MigrateOptions,
  type MigrationResult,
  type MigrationStatus,
  type PostgresTableNames,
  type PostgresTarget,
  type SchemaNames,
} from './schema.js'

/**
 * Options of {@link PostgresStore}.
 *
 * @example
 *
 * ```ts
 * import { PostgresStore, type PostgresStoreOptions } from 'credsign/postgres'
 * const options: PostgresStoreOptions = {
 *   connection: process.env.DATABASE_URL,
 *   pingTimeoutMs: 1_000,
 * }
 * const store = new PostgresStore(options)
 * ```
 */
export interface PostgresStoreOptions extends PostgresTarget {
  /** How long {@link PostgresStore.ping} waits for the server, in milliseconds (default 2,000). */
  pingTimeoutMs?: number
  /**
   * Longest key id accepted (default 500, at most 2,048; the table takes up to 2,048 from schema
   * version 2 on).
   */
  maxKeyIdLength?: number
}

const KEY_MEMBERS = new Set(['id', 'revision', 'createdAt', 'updatedAt', 'versions'])
const VERSION_MEMBERS = new Set([
  'version',
  'algorithm',
  'publicJwk',
  'status',
  'createdAt',
  'envelope',
])
// Text PostgreSQL cannot hold: NUL anywhere (text and jsonb), and lone UTF-16 surrogates (jsonb).
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Throws `invalid_argument` if any member name or string in `value` cannot be stored by PostgreSQL. */
function assertStorableText(value: unknown): void {
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value))
      throw new CredsignError(
        'invalid_argument',
        'key record holds text PostgreSQL cannot store (a NUL character or a lone surrogate)',
      )
  } else if (Array.isArray(value)) {
    for (const item of value) assertStorableText(item)
  } else if (typeof value === 'object' && value !== null) {
    for (const [name, member] of Object.entries(value)) {
      assertStorableText(name)
      assertStorableText(member)
    }
  }
}

/** The members of `object` not named in `known`, or null when there are none. */
function extraMembers(object: object, known: Set<string>): Record<string, unknown> | null {
  const extra: Record<string, unknown> = {}
  let any = false
  for (const [name, value] of Object.entries(object)) {
    if (known.has(name)) continue
    // defineProperty: a "__proto__" member stays a member.
    Object.defineProperty(extra, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
    any = true
  }
  return any ? extra : null
}

/** The statement parameters of a validated record: key columns and versions as one JSON array. */
function recordParameters(record: KeyRecord): { extra: string | null; versions: string } {
  assertStorableText(record)
  const extra = extraMembers(record, KEY_MEMBERS)
  const versions = record.versions.map((v) => ({
    version: v.version,
    algorithm: v.algorithm,
    status: v.status,
    public_jwk: v.publicJwk,
    envelope: v.envelope,
    created_at: v.createdAt,
    extra: extraMembers(v, VERSION_MEMBERS),
  }))
  // Always JSON text: pg would turn a JS array into a PostgreSQL array, not JSON.
  return {
    extra: extra === null ? null : JSON.stringify(extra),
    versions: JSON.stringify(versions),
  }
}

function parseJson(text: unknown, what: string): unknown {
  if (text === null) return null
  if (typeof text !== 'string')
    throw new CredsignError('store_corrupt', `postgres store: ${what} is not JSON text`)
  try {
    return JSON.parse(text)
  } catch {
    // No cause: the engine's SyntaxError quotes the text around the fault, a piece of a row of
    // sealed key versions.
    throw new CredsignError('store_corrupt', `postgres store: ${what} is not valid JSON`)
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Merges stored extra members under the known ones; `store_corrupt` if they are not an object of
 * unknown names.
 */
function withExtra(extra: unknown, known: Set<string>, where: string): Record<string, unknown> {
  if (extra === null || extra === undefined) return {}
  if (!isObject(extra) || Object.keys(extra).some((name) => known.has(name))) {
    throw new CredsignError(
      'store_corrupt',
      `postgres store: extra members of ${where} are not an object of unknown members`,
    )
  }
  return extra
}

/** A stored record from its row, validated: `store_corrupt` (naming the key) for anything wrong. */
function recordFromRow(row: Record<string, unknown>, table: string): KeyRecord {
  const id = row.id
  const where = `${table} row ${describeKeyId(id)}`
  const revisionText = row.revision
  if (typeof revisionText !== 'string' || !/^[1-9][0-9]{0,15}$/.test(revisionText)) {
    throw new CredsignError(
      'store_corrupt',
      `postgres store: ${where} has revision ${String(revisionText).slice(0, 20)}`,
    )
  }
  const rawVersions = parseJson(row.versions, `versions of ${where}`)
  if (!Array.isArray(rawVersions))
    throw new CredsignError(
      'store_corrupt',
      `postgres store: versions of ${where} are not an array`,
    )
  const versions = rawVersions.map((v: unknown) => {
    if (!isObject(v))
      throw new CredsignError(
        'store_corrupt',
        `postgres store: a version of ${where} is not an object`,
      )
    // Known members first, then the unknown ones (which cannot shadow a known one: checked).
    return {
      version: v.version,
      algorithm: v.algorithm,
      publicJwk: v.publicJwk,
      status: v.status,
      createdAt: v.createdAt,
      envelope: v.envelope,
      ...withExtra(v.extra, VERSION_MEMBERS, `a version of ${where}`),
    }
  })
  const record: unknown = {
    id,
    revision: Number(revisionText),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    versions,
    ...withExtra(parseJson(row.extra, `extra members of ${where}`), KEY_MEMBERS, where),
  }
  validateKeyRecord(record, 'store_corrupt', `postgres ${where}`)
  return record
}

/**
 * Every statement of the store, built once from validated, quoted names. Values are always `$n`
 * parameters.
 */
function statements({ q }: SchemaNames) {
  const versionsJson = `(SELECT coalesce(jsonb_agg(jsonb_build_object(
        'version', v.version, 'algorithm', v.algorithm, 'status', v.status, 'publicJwk', v.public_jwk,
        'envelope', v.envelope, 'createdAt', v.created_at, 'extra', v.extra) ORDER BY v.version), '[]'::jsonb)
      FROM ${q.versions} v WHERE v.key_id = k.id)::text AS versions`
  const recordColumns = `k.id, k.revision::text AS revision, k.created_at, k.updated_at, k.extra::text AS extra, ${versionsJson}`
  const versionRows = `jsonb_to_recordset($2::jsonb) AS r(version bigint, algorithm text, status text, public_jwk jsonb, envelope jsonb, created_at text, extra jsonb)`
  return {
    get: `SELECT ${recordColumns} FROM ${q.keys} k WHERE k.id = $1`,
    getForUpdate: `SELECT ${recordColumns} FROM ${q.keys} k WHERE k.id = $1 FOR UPDATE OF k`,
    // One statement: the key row and its versions appear together or not at all, and ON CONFLICT
    // makes concurrent creates of one id wait for each other: exactly one inserts.
    create: `WITH k AS (
        INSERT INTO ${q.keys} (id, revision, created_at, updated_at, extra) VALUES ($1, 1, $3, $4, $5::jsonb)
        ON CONFLICT (id) DO NOTHING RETURNING id)
      INSERT INTO ${q.versions} (key_id, version, algorithm, status, public_jwk, envelope, created_at, extra)
      SELECT k.id, r.version, r.algorithm, r.status, r.public_jwk, r.envelope, r.created_at, r.extra FROM k CROSS JOIN ${versionRows}`,
    // Compare-and-swap on revision; the versions are replaced in the same transaction.
    update: `WITH u AS (
        UPDATE ${q.keys} SET revision = revision + 1, created_at = $3, updated_at = $4, extra = $5::jsonb
        WHERE id = $1 AND revision = $2::bigint RETURNING id),
      d AS (DELETE FROM ${q.versions} WHERE key_id IN (SELECT id FROM u))
      SELECT count(*)::int AS updated FROM u`,
    insertVersions: `INSERT INTO ${q.versions} (key_id, version, algorithm, status, public_jwk, envelope, created_at, extra)
      SELECT $1, r.version, r.algorithm, r.status, r.public_jwk, r.envelope, r.created_at, r.extra FROM ${versionRows}`,
    delete: `DELETE FROM ${q.keys} WHERE id = $1 AND revision = $2::bigint`,
    listFirst: `SELECT ${recordColumns} FROM ${q.keys} k ORDER BY k.id COLLATE "C" LIMIT $1`,
    listAfter: `SELECT ${recordColumns} FROM ${q.keys} k WHERE k.id > $2 COLLATE "C" ORDER BY k.id COLLATE "C" LIMIT $1`,
    ping: 'SELECT 1 AS ok',
  }
}

/**
 * A {@link KeyStore} in PostgreSQL, for services with several replicas (`credsign/postgres`; Node,
 * Deno, Bun). `pg` is an optional peer dependency: install it next to credsign.
 *
 * - Tables (see `docs/postgres.md`): one row per key with its compare-and-swap `revision`, one row
 *   per key version with `PRIMARY KEY (key_id, version)`, created by {@link PostgresStore.migrate}.
 * - Every operation is one statement or one transaction: a record is never half-written, also when
 *   the server dies or the connection drops mid-way.
 * - `create` is `INSERT ... ON CONFLICT DO NOTHING` (`exists` for the losers); `update` and `delete`
 *   lock the row, check the stored record and the revision, then write.
 * - Rows that fail validation are `store_corrupt` (naming the key id) for every method, and are never
 *   updated or deleted.
 * - Connection problems of any kind are `store_unavailable`, with the driver error as `cause`; the
 *   same object recovers by itself when the server is back.
 * - Ids and values are always statement parameters; schema and table names are validated identifiers.
 *   No SQL is ever built from data.
 *
 * @example
 *
 * ```ts
 * import { KeyVault } from 'credsign'
 * import { PostgresStore } from 'credsign/postgres'
 * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
 * await store.migrate()
 * const vault = new KeyVault({
 *   store,
 *   serviceSecret: process.env.SERVICE_SECRET!,
 *   limiter: store.attemptLimiter(),
 * })
 * ```
 */
export class PostgresStore implements KeyStore {
  /** The schema and table names in use. */
  readonly names: { schema: string; tables: Readonly<Required<PostgresTableNames>> }
  readonly #connector: PgConnector
  readonly #schema: SchemaNames
  readonly #sql: ReturnType<typeof statements>
  readonly #pingTimeoutMs: number
  /** Longest key id accepted (default 500). */
  readonly maxKeyIdLength: number

  /**
   * Makes a store. Checks the options (`invalid_argument`) but connects only on first use.
   *
   * @example
   *
   * ```ts
   * import pg from 'pg'
   * import { PostgresStore } from 'credsign/postgres'
   * const own = new PostgresStore({
   *   connection: { connectionString: process.env.DATABASE_URL, maxConnections: 5 },
   * })
   * const shared = new PostgresStore({ pool: new pg.Pool(), schema: 'issuer' })
   * ```
   */
  constructor(options: PostgresStoreOptions) {
    if (typeof options !== 'object' || options === null)
      throw new CredsignError('invalid_argument', 'PostgresStore options are required')
    this.#schema = resolveSchemaNames(options.schema, options.tables)
    this.#connector = new PgConnector({ pool: options.pool, connection: options.connection })
    this.#sql = statements(this.#schema)
    const ping = options.pingTimeoutMs ?? 2_000
    if (!Number.isSafeInteger(ping) || ping < 1)
      throw new CredsignError('invalid_argument', 'pingTimeoutMs must be a positive integer')
    this.#pingTimeoutMs = ping
    this.maxKeyIdLength = resolveMaxKeyIdLength(options.maxKeyIdLength)
    this.names = Object.freeze({
      schema: this.#schema.schema,
      tables: Object.freeze({ ...this.#schema.tables }),
    })
  }

  /**
   * Creates or upgrades the tables: idempotent, and safe when several replicas run it at once (an
   * advisory lock serialises them). Call it at deployment or start-up. Destructive migrations (none
   * so far) need `{ allowDestructive: true }`.
   *
   * @example
   *
   * ```ts
   * import { PostgresStore } from 'credsign/postgres'
   * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
   * const { applied, version } = await store.migrate()
   * console.log(`schema version ${version}; applied ${applied.length} migration(s)`)
   * ```
   */
  migrate(options: MigrateOptions = {}): Promise<MigrationResult> {
    return runMigrations(this.#connector, this.#schema, MIGRATIONS, options)
  }

  /**
   * Applied and pending schema versions, changing nothing.
   *
   * @example
   *
   * ```ts
   * import { PostgresStore } from 'credsign/postgres'
   * const { pending } = await new PostgresStore({
   *   connection: process.env.DATABASE_URL,
   * }).migrationStatus()
   * if (pending.length > 0) throw new Error('database schema is not migrated')
   * ```
   */
  migrationStatus(): Promise<MigrationStatus> {
    return migrationStatus(this.#connector, this.#schema, MIGRATIONS)
  }

  /**
   * A failed-attempt limiter on the same database, pool and schema, shared by every process that
   * uses it: pass it as the vault's `limiter`. Use the same policy in every replica.
   *
   * @example
   *
   * ```ts
   * import { KeyVault } from 'credsign'
   * import { PostgresStore } from 'credsign/postgres'
   * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
   * const limiter = store.attemptLimiter({
   *   maxFailures: 5,
   *   windowMs: 15 * 60_000,
   *   lockoutMs: 15 * 60_000,
   * })
   * const vault = new KeyVault({ store, limiter, serviceSecret: process.env.SERVICE_SECRET! })
   * ```
   */
  attemptLimiter(
    policy: LockoutPolicy & Pick<PostgresAttemptLimiterOptions, 'pruneIntervalMs'> = {},
  ): PostgresAttemptLimiter {
    return PostgresAttemptLimiter.onConnector(this.#connector, this.#schema, policy)
  }

  /**
   * The keys the EECC key service left in its `keys` table on this database, for the vault's
   * `legacyKeys`: each moves into this store, re-sealed, the first time its owner uses it
   * (docs/migrate-from-eecc.md). Pass the origin's service secret and `PBKDF2_ITERATIONS`.
   *
   * @example
   *
   * ```ts
   * import { KeyVault } from 'credsign'
   * import { PostgresStore } from 'credsign/postgres'
   * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
   * const vault = new KeyVault({
   *   store,
   *   serviceSecret: process.env.SERVICE_SECRET!,
   *   limiter: store.attemptLimiter(),
   *   legacyKeys: store.eeccLegacyKeys({
   *     serviceSecret: process.env.SERVICE_SECRET!,
   *     iterations: 100_000,
   *   }),
   * })
   * ```
   */
  eeccLegacyKeys(options: EeccLegacyKeysOptions): EeccLegacyKeys {
    return new EeccLegacyKeys(
      {
        connector: this.#connector,
        insert: (query, record) =>
          this.#insert(query, prepareRecordForWrite(record, 1, this.maxKeyIdLength)),
      },
      options,
    )
  }

  /**
   * Stores `record` with revision 1 (key row and versions in one statement); `exists` if the id is
   * taken.
   *
   * @example
   *
   * ```ts
   * import { PostgresStore } from 'credsign/postgres'
   * import { makeTestRecord } from 'credsign/testing'
   * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
   * console.log((await store.create(makeTestRecord('issuer-1'))).revision) // 1
   * ```
   */
  async create(record: KeyRecord): Promise<KeyRecord> {
    const stored = prepareRecordForWrite(record, 1, this.maxKeyIdLength)
    const inserted = await this.#connector.run('create a key record', (query) =>
      this.#insert(query, stored),
    )
    if (!inserted)
      throw new CredsignError(
        'exists',
        `a key record with id ${describeKeyId(stored.id)} already exists`,
      )
    return stored
  }

  /**
   * The record with this id, or `undefined` (one statement: a consistent snapshot of the key row
   * and its versions); `store_corrupt` for a row that fails validation.
   *
   * @example
   *
   * ```ts
   * import { PostgresStore } from 'credsign/postgres'
   * console.log(
   *   await new PostgresStore({ connection: process.env.DATABASE_URL }).get('nobody'),
   * ) // undefined
   * ```
   */
  async get(id: string): Promise<KeyRecord | undefined> {
    validateKeyId(id, this.maxKeyIdLength)
    const { rows } = await this.#connector.run('read a key record', (query) =>
      query(this.#sql.get, [id]),
    )
    const row = rows[0]
    return row === undefined ? undefined : this.#fromRow(row, id)
  }

  /**
   * Replaces the record if its stored revision is `record.revision`, in one transaction that locks
   * the key row; the stored record gets revision + 1. `conflict` if the revision moved, `not_found`
   * if the id is gone, `store_corrupt` (nothing written) if the stored row is unreadable.
   *
   * @example
   *
   * ```ts
   * import { PostgresStore } from 'credsign/postgres'
   * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
   * const record = await store.get('issuer-1')
   * if (record) await store.update({ ...record, updatedAt: new Date().toISOString() })
   * ```
   */
  async update(record: KeyRecord): Promise<KeyRecord> {
    validateRevision((record as Partial<KeyRecord> | null)?.revision)
    const next = prepareRecordForWrite(record, record.revision + 1, this.maxKeyIdLength)
    const { extra, versions } = recordParameters(next)
    await this.#connector.run(
      'update a key record',
      async (query) => {
        const current = await this.#lockedRecord(query, next.id)
        if (current === undefined)
          throw new CredsignError('not_found', `no key record with id ${describeKeyId(next.id)}`)
        if (current.revision !== record.revision) {
          throw new CredsignError(
            'conflict',
            `key record ${describeKeyId(next.id)} is at revision ${current.revision}, not ${record.revision}`,
          )
        }
        const { rows } = await query(this.#sql.update, [
          next.id,
          String(record.revision),
          next.createdAt,
          next.updatedAt,
          extra,
        ])
        // The row is locked: it cannot have moved since the read.
        if (rows[0]?.updated !== 1)
          throw new CredsignError(
            'conflict',
            `key record ${describeKeyId(next.id)} changed during the update`,
          )
        await query(this.#sql.insertVersions, [next.id, versions])
      },
      { transaction: true },
    )
    return next
  }

  /**
   * Deletes the record and its versions (only at `expectedRevision`, when given), in one
   * transaction that first reads and checks the row; `false` if there was none. A corrupt row is
   * not deleted.
   *
   * @example
   *
   * ```ts
   * import { PostgresStore } from 'credsign/postgres'
   * console.log(
   *   await new PostgresStore({ connection: process.env.DATABASE_URL }).delete('nobody'),
   * ) // false
   * ```
   */
  async delete(id: string, expectedRevision?: number): Promise<boolean> {
    validateKeyId(id, this.maxKeyIdLength)
    if (expectedRevision !== undefined) validateRevision(expectedRevision, 'expectedRevision')
    return this.#connector.run(
      'delete a key record',
      async (query) => {
        const current = await this.#lockedRecord(query, id)
        if (current === undefined) return false
        if (expectedRevision !== undefined && current.revision !== expectedRevision) {
          throw new CredsignError(
            'conflict',
            `key record ${describeKeyId(id)} is at revision ${current.revision}, not ${expectedRevision}`,
          )
        }
        const result = await query(this.#sql.delete, [id, String(current.revision)])
        return (result.rowCount ?? 0) === 1
      },
      { transaction: true },
    )
  }

  /**
   * A page of records in ascending id order (`COLLATE "C"`: UTF-16 code unit order for key ids), by
   * keyset pagination on the primary key: each page is one indexed range scan, however deep.
   *
   * @example
   *
   * ```ts
   * import { PostgresStore } from 'credsign/postgres'
   * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
   * let cursor: string | undefined
   * do {
   *   const page = await store.list({ cursor, limit: 100 })
   *   for (const record of page.records) console.log(record.id)
   *   cursor = page.nextCursor
   * } while (cursor !== undefined)
   * ```
   */
  async list(options: ListOptions = {}): Promise<KeyRecordPage> {
    const limit = resolveListLimit(options?.limit)
    const after = options?.cursor === undefined ? undefined : decodeListCursor(options.cursor)
    const { rows } = await this.#connector.run('list key records', (query) =>
      after === undefined
        ? query(this.#sql.listFirst, [limit + 1])
        : query(this.#sql.listAfter, [limit + 1, after]),
    )
    const records = rows.slice(0, limit).map((row) => this.#fromRow(row))
    const last = records[records.length - 1]
    return rows.length > limit && last !== undefined
      ? { records, nextCursor: encodeListCursor(last.id) }
      : { records }
  }

  /**
   * `SELECT 1` within `pingTimeoutMs` (default 2 s): resolves when the server answers,
   * `store_unavailable` otherwise. For readiness probes.
   *
   * @example
   *
   * ```ts
   * import { PostgresStore } from 'credsign/postgres'
   * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
   * const ready = await store.ping().then(
   *   () => true,
   *   () => false,
   * )
   * ```
   */
  async ping(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new CredsignError(
              'store_unavailable',
              `postgres store: no answer within ${this.#pingTimeoutMs} ms`,
            ),
          ),
        this.#pingTimeoutMs,
      )
    })
    // The connector still releases (or destroys) the connection if the timeout wins the race.
    const attempt = this.#connector.run('ping', (query) => query(this.#sql.ping), {
      timeoutMs: this.#pingTimeoutMs,
    })
    attempt.catch(() => {})
    try {
      await Promise.race([attempt, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * Ends the pool if the store made it (from `connection`); a caller's `pool` stays open. Limiters
   * from {@link PostgresStore.attemptLimiter} share the pool and stop working too.
   *
   * @example
   *
   * ```ts
   * import { PostgresStore } from 'credsign/postgres'
   * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
   * process.once('SIGTERM', () => void store.close())
   * ```
   */
  close(): Promise<void> {
    return this.#connector.close()
  }

  /** Inserts a prepared record (one statement); false when the id is taken. */
  async #insert(query: Query, stored: KeyRecord): Promise<boolean> {
    const { extra, versions } = recordParameters(stored)
    try {
      const result = await query(this.#sql.create, [
        stored.id,
        versions,
        stored.createdAt,
        stored.updatedAt,
        extra,
      ])
      return (result.rowCount ?? 0) > 0
    } catch (error) {
      // ON CONFLICT covers the key row; a unique violation can only mean the same race.
      if (hasSqlState(error, '23505')) return false
      throw error
    }
  }

  async #lockedRecord(query: Query, id: string): Promise<KeyRecord | undefined> {
    const { rows } = await query(this.#sql.getForUpdate, [id])
    const row = rows[0]
    return row === undefined ? undefined : this.#fromRow(row, id)
  }

  #fromRow(row: Record<string, unknown>, expectedId?: string): KeyRecord {
    const record = recordFromRow(row, this.#schema.tables.keys)
    if (expectedId !== undefined && record.id !== expectedId) {
      throw new CredsignError(
        'store_corrupt',
        `postgres store: looked up ${describeKeyId(expectedId)}, got row ${describeKeyId(record.id)}`,
      )
    }
    return record
  }
}
