import { CredsignError } from '../errors/credsign-error.js'
import { randomBelow } from '../status/allocation.js'
import {
  checkIndexCount,
  checkStatusChange,
  irreversible,
  listFull,
  listNotFound,
  notAllocated,
  validateStatusListDefinition,
  type StatusChange,
  type StatusListDefinition,
  type StatusListEntries,
  type StatusListInfo,
  type StatusListKind,
  type StatusListStore,
} from '../status/status-list-store.js'
import { hasSqlState, PgConnector, type PgPool, type Query } from './connection.js'
import type { PostgresConnectionOptions } from './connection.js'
import {
  migrationStatus,
  resolveSchemaNames,
  runMigrations,
  STATUS_LIST_MIGRATIONS,
  statusListMigrationNames,
  type MigrateOptions,
  type MigrationResult,
  type MigrationStatus,
  type PostgresTableNames,
  type SchemaNames,
} from './schema.js'

/**
 * Options of {@link PostgresStatusListStore}: where its tables live (as for `PostgresStore`: a pool
 * you own or a connection it makes, a schema, table names).
 *
 * @example
 *
 * ```ts
 * import {
 *   PostgresStatusListStore,
 *   type PostgresStatusListStoreOptions,
 * } from 'credsign/postgres'
 * const options: PostgresStatusListStoreOptions = {
 *   connection: process.env.DATABASE_URL,
 *   schema: 'issuer',
 * }
 * const store = new PostgresStatusListStore(options)
 * ```
 */
export interface PostgresStatusListStoreOptions {
  pool?: PgPool
  connection?: string | PostgresConnectionOptions
  schema?: string
  tables?: PostgresTableNames
}

/**
 * Random probes before counting (see allocateStatusIndex): with a quarter of the list free, all
 * eight miss with probability 10%; with half free, 0.4%.
 */
const PROBES = 8

/**
 * A {@link StatusListStore} in PostgreSQL, for issuers with several replicas: one row per list and
 * one per allocated index (`PRIMARY KEY (list_id, idx)`, so the database itself refuses a second
 * owner of an index). An allocation inserts a uniformly random index `ON CONFLICT DO NOTHING` and
 * draws again when it was taken (a crowded list counts its way to a random free one under a
 * per-list advisory lock); a block (`allocateStatusIndexes`) inserts that many random candidates in
 * one statement. Replicas allocate in parallel with no shared row to queue on, and an index is
 * handed out once, also across crashes (a rolled-back allocation hands out nothing). A status
 * change is one transaction under the entry's row lock; both are committed before they resolve.
 * Call `migrate()` once (it creates the tables, with a migration history of their own).
 *
 * @example
 *
 * ```ts
 * import { StatusLists } from 'credsign'
 * import { PostgresStatusListStore } from 'credsign/postgres'
 * const store = new PostgresStatusListStore({ connection: process.env.DATABASE_URL })
 * await store.migrate()
 * const lists = new StatusLists({ store })
 * ```
 */
export class PostgresStatusListStore implements StatusListStore {
  readonly #names: SchemaNames
  readonly #connector: PgConnector
  readonly #sizes = new Map<string, number>()

  constructor(options: PostgresStatusListStoreOptions) {
    if (typeof options !== 'object' || options === null)
      throw new CredsignError('invalid_argument', 'PostgresStatusListStore options are required')
    this.#names = resolveSchemaNames(options.schema, options.tables)
    this.#connector = new PgConnector({ pool: options.pool, connection: options.connection })
  }

  /**
   * Creates or upgrades the status list tables (idempotent; replicas may run it at once).
   *
   * @example
   *
   * ```ts
   * import { PostgresStatusListStore } from 'credsign/postgres'
   * const store = new PostgresStatusListStore({ connection: process.env.DATABASE_URL })
   * const { version } = await store.migrate()
   * ```
   */
  async migrate(options: MigrateOptions = {}): Promise<MigrationResult> {
    return runMigrations(
      this.#connector,
      statusListMigrationNames(this.#names),
      STATUS_LIST_MIGRATIONS,
      options,
    )
  }

  /**
   * Which status list migrations are applied and pending.
   *
   * @example
   *
   * ```ts
   * import { PostgresStatusListStore } from 'credsign/postgres'
   * const store = new PostgresStatusListStore({ connection: process.env.DATABASE_URL })
   * const { pending } = await store.migrationStatus()
   * ```
   */
  async migrationStatus(): Promise<MigrationStatus> {
    return migrationStatus(
      this.#connector,
      statusListMigrationNames(this.#names),
      STATUS_LIST_MIGRATIONS,
    )
  }

  /**
   * Ends the pool if this store made it.
   *
   * @example
   *
   * ```ts
   * import { PostgresStatusListStore } from 'credsign/postgres'
   * const store = new PostgresStatusListStore({ connection: process.env.DATABASE_URL })
   * await store.close()
   * ```
   */
  async close(): Promise<void> {
    await this.#connector.close()
  }

  async createStatusList(definition: StatusListDefinition): Promise<void> {
    validateStatusListDefinition(definition)
    const { q } = this.#names
    try {
      await this.#connector.run('create a status list', (query) =>
        query(
          `INSERT INTO ${q.statusLists} (id, kind, size, bits, final_statuses, settings, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            definition.id,
            definition.kind,
            definition.size,
            definition.bits,
            [...definition.finalStatuses],
            JSON.stringify(definition.settings),
            definition.createdAt,
          ],
        ),
      )
    } catch (error) {
      if (hasSqlState((error as CredsignError).cause, '23505'))
        throw new CredsignError('exists', 'a status list with this id exists')
      throw error
    }
  }

  async getStatusList(id: string): Promise<StatusListInfo | undefined> {
    const { rows } = await this.#connector.run('read a status list', (query) =>
      query(`${this.#selectLists} WHERE l.id = $1`, [id]),
    )
    return rows[0] === undefined ? undefined : toInfo(rows[0])
  }

  async listStatusLists(): Promise<StatusListInfo[]> {
    const { rows } = await this.#connector.run('list status lists', (query) =>
      query(`${this.#selectLists} ORDER BY l.id`),
    )
    return rows.map(toInfo)
  }

  /** Lists with their allocated count (the entries are the truth: no counter row to contend on). */
  get #selectLists(): string {
    const { q } = this.#names
    return `SELECT l.*, (SELECT count(*) FROM ${q.statusListEntries} e WHERE e.list_id = l.id) AS allocated
            FROM ${q.statusLists} l`
  }

  async statusListVersion(id: string): Promise<number> {
    const { rows } = await this.#connector.run('read a status list version', (query) =>
      query(`SELECT version FROM ${this.#names.q.statusLists} WHERE id = $1`, [id]),
    )
    if (rows[0] === undefined) throw listNotFound(id)
    return Number(rows[0].version)
  }

  async allocateStatusIndex(id: string): Promise<number> {
    const { q } = this.#names
    const size = await this.#sizeOf(id)
    // Mostly free: a random index, inserted if no one has it. Each INSERT is atomic by itself and
    // the primary key (list_id, idx) admits one owner, so replicas allocate in parallel with no
    // shared row to queue on; a probe that hits a taken index just draws again.
    const insert = `INSERT INTO ${q.statusListEntries} (list_id, idx) VALUES ($1, $2)
                    ON CONFLICT DO NOTHING RETURNING idx`
    for (let probe = 0; probe < PROBES; probe++) {
      const { rows } = await this.#connector.run('allocate a status list index', (query) =>
        query(insert, [id, randomBelow(size)]),
      )
      if (rows.length === 1) return Number(rows[0]?.idx)
    }
    return this.#allocateCrowded(id, size)
  }

  /**
   * A block in one statement: `count` distinct random candidates inserted at once, `ON CONFLICT DO
   * NOTHING RETURNING` the ones that were free. The candidates are a uniformly random set of
   * distinct indexes, so the free ones among them are a uniformly random set of the free indexes
   * (of their number): the same distribution as drawing them one by one. A round that hits only
   * taken indexes draws again; after `PROBES` (8) such rounds (a crowded list) one index is taken
   * the way {@link allocateStatusIndex} takes it when crowded.
   */
  async allocateStatusIndexes(id: string, count: number): Promise<number[]> {
    checkIndexCount(count)
    const { q } = this.#names
    const size = await this.#sizeOf(id)
    // The candidates go as one comma-separated text and the indexes taken come back as one: the
    // driver would otherwise escape a JavaScript array element by element, build an object per
    // returned row, and a block is up to 8,192 of each (most of the client's CPU per block).
    // string_to_array keeps the text's order, which the insert relies on (below).
    const insert = `WITH taken AS (
                      INSERT INTO ${q.statusListEntries} (list_id, idx)
                      SELECT $1, candidate
                      FROM unnest(string_to_array($2::text, ',')::integer[]) AS candidate
                      ON CONFLICT DO NOTHING RETURNING idx)
                    SELECT coalesce(array_to_string(array_agg(idx), ','), '') AS taken FROM taken`
    for (let round = 0; round < PROBES; round++) {
      // Ascending: concurrent multi-row inserts that meet on a key wait for each other in one
      // order, never in a cycle (a deadlock otherwise, 40P01). The block is a random set; its order
      // carries nothing (callers hand a block out in random order, as the store contract says, and
      // StatusLists does), so it is not shuffled here again.
      // A typed array sorts numerically without a comparator call per pair.
      const candidates = Uint32Array.from(distinctRandomIndexes(size, count)).sort()
      const { rows } = await this.#connector.run('allocate status list indexes', (query) =>
        query(insert, [id, candidates.join(',')]),
      )
      const taken = String(rows[0]?.taken ?? '')
      if (taken !== '') return taken.split(',').map(Number)
    }
    return [await this.#allocateCrowded(id, size)]
  }

  async #allocateCrowded(id: string, size: number): Promise<number> {
    const { q } = this.#names
    // Crowded (or unlucky): count the free indexes and take the k-th for a uniform k, serialised
    // per list by an advisory lock so that two such allocators do not aim at the same k. A probe
    // of another replica may still take it first: then the insert does nothing and we draw again.
    for (let attempt = 0; attempt < 20; attempt++) {
      const index = await this.#connector.run(
        'allocate a status list index',
        async (query) => {
          await query('SELECT pg_advisory_xact_lock(hashtextextended($1, 18))', [
            `${this.#names.schema}.${this.#names.tables.statusListEntries}:${id}`,
          ])
          const counted = await query(
            `SELECT count(*)::integer AS n FROM ${q.statusListEntries} WHERE list_id = $1`,
            [id],
          )
          const free = size - Number(counted.rows[0]?.n)
          if (free <= 0) throw listFull(id)
          const picked = await query(
            `INSERT INTO ${q.statusListEntries} (list_id, idx)
             SELECT $1, i FROM generate_series(0, $2::integer - 1) AS i
             WHERE NOT EXISTS (SELECT 1 FROM ${q.statusListEntries} e WHERE e.list_id = $1 AND e.idx = i)
             ORDER BY i OFFSET $3 LIMIT 1
             ON CONFLICT DO NOTHING
             RETURNING idx`,
            [id, size, randomBelow(free)],
          )
          return picked.rows.length === 1 ? Number(picked.rows[0]?.idx) : -1
        },
        { transaction: true },
      )
      if (index >= 0) return index
    }
    throw new CredsignError(
      'store_unavailable',
      `status list ${JSON.stringify(id.slice(0, 60))}: no free index could be taken (heavy contention); retry`,
    )
  }

  /** A list's size: fixed at creation, so read once per list and kept. */
  async #sizeOf(id: string): Promise<number> {
    const known = this.#sizes.get(id)
    if (known !== undefined) return known
    const { rows } = await this.#connector.run('read a status list', (query) =>
      query(`SELECT size FROM ${this.#names.q.statusLists} WHERE id = $1`, [id]),
    )
    if (rows[0] === undefined) throw listNotFound(id)
    const size = Number(rows[0].size)
    this.#sizes.set(id, size)
    return size
  }

  async setStatus(id: string, index: number, status: number): Promise<StatusChange> {
    const { q } = this.#names
    return this.#connector.run(
      'set a status',
      async (query) => {
        const list = await query(`SELECT *, 0 AS allocated FROM ${q.statusLists} WHERE id = $1`, [
          id,
        ])
        if (list.rows[0] === undefined) throw listNotFound(id)
        const info = toInfo(list.rows[0])
        checkStatusChange(info, index, status)
        const entry = await query(
          `SELECT status FROM ${q.statusListEntries} WHERE list_id = $1 AND idx = $2 FOR UPDATE`,
          [id, index],
        )
        if (entry.rows[0] === undefined) throw notAllocated(id, index)
        const previous = Number(entry.rows[0].status)
        if (previous === status) return { previous, version: info.version, changed: false }
        if (info.finalStatuses.includes(previous)) throw irreversible(id, index, previous)
        await query(
          `UPDATE ${q.statusListEntries} SET status = $3 WHERE list_id = $1 AND idx = $2`,
          [id, index, status],
        )
        const bumped = await query(
          `UPDATE ${q.statusLists} SET version = version + 1 WHERE id = $1 RETURNING version`,
          [id],
        )
        return { previous, version: Number(bumped.rows[0]?.version), changed: true }
      },
      { transaction: true },
    )
  }

  async readStatuses(id: string): Promise<StatusListEntries> {
    const { q } = this.#names
    // One statement, one snapshot: the version and the statuses agree.
    const { rows } = await this.#connector.run('read statuses', (query: Query) =>
      query(
        `SELECT l.version, e.idx, e.status FROM ${q.statusLists} l
         LEFT JOIN ${q.statusListEntries} e ON e.list_id = l.id AND e.status <> 0
         WHERE l.id = $1 ORDER BY e.idx`,
        [id],
      ),
    )
    if (rows.length === 0) throw listNotFound(id)
    return {
      version: Number(rows[0]?.version),
      statuses: rows
        .filter((row) => row.idx !== null && row.idx !== undefined)
        .map((row) => [Number(row.idx), Number(row.status)] as [number, number]),
    }
  }
}

/** `count` distinct indexes below `size` (all of them, in random order, when `count >= size`). */
function distinctRandomIndexes(size: number, count: number): number[] {
  const wanted = Math.min(size, count)
  const picked = new Set<number>()
  while (picked.size < wanted) picked.add(randomBelow(size))
  return [...picked]
}

function toInfo(row: Record<string, unknown>): StatusListInfo {
  return {
    id: String(row.id),
    kind: row.kind as StatusListKind,
    size: Number(row.size),
    bits: Number(row.bits),
    finalStatuses: (row.final_statuses as unknown[]).map(Number),
    settings: row.settings as Record<string, unknown>,
    createdAt: String(row.created_at),
    allocated: Number(row.allocated),
    version: Number(row.version),
  }
}
