import { CredsignError } from '../errors/credsign-error.js'
import { randomBelow } from '../status/allocation.js'
import {
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

/** Random probes before asking the database for the k-th free index (see allocateStatusIndex). */
const PROBES = 8

/**
 * A {@link StatusListStore} in PostgreSQL, for issuers with several replicas: one row per list and
 * one per allocated index (`PRIMARY KEY (list_id, idx)`, so the database itself refuses a second
 * owner of an index). An allocation is one transaction: it takes the list row's lock while raising
 * `allocated` (that also makes `status_list_full` exact), then inserts a uniformly random free
 * index; replicas allocating from one list queue on that row, and an index is handed out once, also
 * across crashes (a rolled-back allocation hands out nothing). A status change is one transaction
 * under the entry's row lock; both are committed before they resolve. Call `migrate()` once (it
 * creates the tables, with a migration history of their own).
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
      query(`SELECT * FROM ${this.#names.q.statusLists} WHERE id = $1`, [id]),
    )
    return rows[0] === undefined ? undefined : toInfo(rows[0])
  }

  async listStatusLists(): Promise<StatusListInfo[]> {
    const { rows } = await this.#connector.run('list status lists', (query) =>
      query(`SELECT * FROM ${this.#names.q.statusLists} ORDER BY id`),
    )
    return rows.map(toInfo)
  }

  async allocateStatusIndex(id: string): Promise<number> {
    const { q } = this.#names
    return this.#connector.run(
      'allocate a status list index',
      async (query) => {
        // The row lock taken here serialises allocators of this list until COMMIT, so the count is
        // exact and the free index chosen below stays free until it is inserted.
        const { rows } = await query(
          `UPDATE ${q.statusLists} SET allocated = allocated + 1
           WHERE id = $1 AND allocated < size RETURNING allocated, size`,
          [id],
        )
        const row = rows[0]
        if (row === undefined) {
          const exists = await query(`SELECT 1 FROM ${q.statusLists} WHERE id = $1`, [id])
          throw exists.rows.length === 0 ? listNotFound(id) : listFull(id)
        }
        const size = Number(row.size)
        const taken = Number(row.allocated) - 1
        const insert = `INSERT INTO ${q.statusListEntries} (list_id, idx) VALUES ($1, $2)
                        ON CONFLICT DO NOTHING RETURNING idx`
        // Mostly free: a random index is free with probability >= 1/2 per probe.
        if (taken * 2 <= size) {
          for (let probe = 0; probe < PROBES; probe++) {
            const inserted = await query(insert, [id, randomBelow(size)])
            if (inserted.rows.length === 1) return Number(inserted.rows[0]?.idx)
          }
        }
        // Otherwise (or after unlucky probes): the k-th free index for a uniform k, so the choice
        // stays uniform over the free indexes however full the list is.
        const k = randomBelow(size - taken)
        const picked = await query(
          `INSERT INTO ${q.statusListEntries} (list_id, idx)
           SELECT $1, i FROM generate_series(0, $2::integer - 1) AS i
           WHERE NOT EXISTS (SELECT 1 FROM ${q.statusListEntries} e WHERE e.list_id = $1 AND e.idx = i)
           ORDER BY i OFFSET $3 LIMIT 1
           RETURNING idx`,
          [id, size, k],
        )
        if (picked.rows.length !== 1)
          throw new CredsignError(
            'store_corrupt',
            `status list ${JSON.stringify(id.slice(0, 60))}: its allocated count and entries disagree`,
          )
        return Number(picked.rows[0]?.idx)
      },
      { transaction: true },
    )
  }

  async setStatus(id: string, index: number, status: number): Promise<StatusChange> {
    const { q } = this.#names
    return this.#connector.run(
      'set a status',
      async (query) => {
        const list = await query(`SELECT * FROM ${q.statusLists} WHERE id = $1`, [id])
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
