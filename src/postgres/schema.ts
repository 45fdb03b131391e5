import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { CredsignError } from '../errors/credsign-error.js'
import { utf8 } from '../util/bytes.js'
import {
  quoteIdentifier,
  validateIdentifier,
  type PgConnector,
  type PgPool,
  type PostgresConnectionOptions,
  type Query,
} from './connection.js'

/**
 * Table names of the PostgreSQL store, each a plain lower-case identifier
 * (`^[a-z_][a-z0-9_]{0,62}$`). Defaults: `credsign_keys`, `credsign_key_versions`,
 * `credsign_attempts`, `credsign_migrations`.
 *
 * @example
 *
 * ```ts
 * import { PostgresStore, type PostgresTableNames } from 'credsign/postgres'
 * const tables: PostgresTableNames = { keys: 'issuer_keys', versions: 'issuer_key_versions' }
 * const store = new PostgresStore({
 *   connection: process.env.DATABASE_URL,
 *   schema: 'issuer',
 *   tables,
 * })
 * ```
 */
export interface PostgresTableNames {
  /** One row per key id: revision and timestamps. */
  keys?: string
  /** One row per key version: public JWK, status and sealed envelope. */
  versions?: string
  /** The shared failed-attempt limiter's counters. */
  attempts?: string
  /** Applied migration versions. */
  migrations?: string
  /** One row per status list (`PostgresStatusListStore`): definition and counters. */
  statusLists?: string
  /** One row per allocated status list index and its status. */
  statusListEntries?: string
  /** Applied migration versions of the status list tables (a history of their own). */
  statusListMigrations?: string
}

/**
 * Where a PostgreSQL store or limiter keeps its data: a connection (a pool the object makes and
 * owns) or a pool the caller owns, plus the schema and table names.
 *
 * @example
 *
 * ```ts
 * import { PostgresStore, type PostgresTarget } from 'credsign/postgres'
 * const target: PostgresTarget = { connection: process.env.DATABASE_URL, schema: 'credsign' }
 * const store = new PostgresStore(target)
 * ```
 */
export interface PostgresTarget {
  /** A `pg.Pool` (or anything shaped like one) the caller owns: `close()` leaves it open. */
  pool?: PgPool
  /**
   * A connection string or options: a pool is made on first use (loading `pg`) and ended by
   * `close()`.
   */
  connection?: string | PostgresConnectionOptions
  /** Schema of the tables (default `public`); created by `migrate()` if missing. */
  schema?: string
  /**
   * Table names (defaults `credsign_keys`, `credsign_key_versions`, `credsign_attempts`,
   * `credsign_migrations`).
   */
  tables?: PostgresTableNames
}

/**
 * Resolved, validated names, each already quoted and schema-qualified for SQL.
 *
 * @internal
 */
export interface SchemaNames {
  schema: string
  tables: Required<PostgresTableNames>
  /** `"schema"."table"` for each table. */
  q: Required<PostgresTableNames>
}

const DEFAULT_TABLES: Required<PostgresTableNames> = {
  keys: 'credsign_keys',
  versions: 'credsign_key_versions',
  attempts: 'credsign_attempts',
  migrations: 'credsign_migrations',
  statusLists: 'credsign_status_lists',
  statusListEntries: 'credsign_status_list_entries',
  statusListMigrations: 'credsign_status_list_migrations',
}

/**
 * Validates the schema and table names (`invalid_argument` otherwise) and quotes them.
 *
 * @example
 *
 * ```ts
 * import { resolveSchemaNames } from './schema.js'
 * resolveSchemaNames('issuer', {}).q.keys // '"issuer"."credsign_keys"'
 * ```
 *
 * @internal
 */
export function resolveSchemaNames(
  schema: unknown = 'public',
  tables: PostgresTableNames | undefined = {},
): SchemaNames {
  validateIdentifier(schema, 'schema name')
  if (schema.startsWith('pg_'))
    throw new CredsignError(
      'invalid_argument',
      'postgres schema names starting with pg_ are reserved',
    )
  if (typeof tables !== 'object' || tables === null)
    throw new CredsignError('invalid_argument', 'postgres tables must be an object')
  const resolved = { ...DEFAULT_TABLES }
  for (const role of Object.keys(DEFAULT_TABLES) as (keyof PostgresTableNames)[]) {
    const name = tables[role]
    if (name === undefined) continue
    validateIdentifier(name, `${role} table name`)
    resolved[role] = name
  }
  for (const name of Object.keys(tables)) {
    if (!(name in DEFAULT_TABLES))
      throw new CredsignError(
        'invalid_argument',
        `unknown postgres table role ${JSON.stringify(name.slice(0, 40))}`,
      )
  }
  if (new Set(Object.values(resolved)).size !== Object.keys(DEFAULT_TABLES).length)
    throw new CredsignError('invalid_argument', 'postgres table names must differ')
  const qs = quoteIdentifier(schema)
  const q = {
    keys: `${qs}.${quoteIdentifier(resolved.keys)}`,
    versions: `${qs}.${quoteIdentifier(resolved.versions)}`,
    attempts: `${qs}.${quoteIdentifier(resolved.attempts)}`,
    migrations: `${qs}.${quoteIdentifier(resolved.migrations)}`,
    statusLists: `${qs}.${quoteIdentifier(resolved.statusLists)}`,
    statusListEntries: `${qs}.${quoteIdentifier(resolved.statusListEntries)}`,
    statusListMigrations: `${qs}.${quoteIdentifier(resolved.statusListMigrations)}`,
  }
  return { schema, tables: resolved, q }
}

/**
 * One schema change. Versions are applied in ascending order, each once, each in the migration
 * transaction; `destructive` ones (dropping or rewriting data) only with `allowDestructive`.
 *
 * @internal
 */
export interface Migration {
  version: number
  name: string
  destructive: boolean
  /** The statements, given the resolved names. Constant SQL: no values. */
  statements(names: SchemaNames): string[]
}

/**
 * The schema history of credsign/postgres. Append only: a released migration never changes.
 *
 * @internal
 */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'keys, key versions and attempt counters',
    destructive: false,
    statements: ({ q }: SchemaNames) => [
      // COLLATE "C": byte order, which for key ids (ASCII only) is UTF-16 code unit order, the
      // order every KeyStore lists in, whatever the database's default collation.
      `CREATE TABLE ${q.keys} (
        id text COLLATE "C" NOT NULL PRIMARY KEY
          CHECK (id ~ '^[A-Za-z0-9_:.#%-]+$' AND char_length(id) <= 500),
        revision bigint NOT NULL CHECK (revision >= 1),
        created_at text NOT NULL,
        updated_at text NOT NULL,
        extra jsonb CHECK (extra IS NULL OR jsonb_typeof(extra) = 'object')
      )`,
      // The primary key is the unique constraint on (key id, version) that the origin service's
      // production migration forgot.
      `CREATE TABLE ${q.versions} (
        key_id text COLLATE "C" NOT NULL REFERENCES ${q.keys} (id) ON DELETE CASCADE,
        version bigint NOT NULL CHECK (version >= 1),
        algorithm text NOT NULL,
        status text NOT NULL CHECK (status IN ('current', 'previous')),
        public_jwk jsonb NOT NULL CHECK (jsonb_typeof(public_jwk) = 'object'),
        envelope jsonb NOT NULL CHECK (jsonb_typeof(envelope) = 'object'),
        created_at text NOT NULL,
        extra jsonb CHECK (extra IS NULL OR jsonb_typeof(extra) = 'object'),
        PRIMARY KEY (key_id, version)
      )`,
      // At most one current version per key (the store checks "at least one" before writing).
      `CREATE UNIQUE INDEX ON ${q.versions} (key_id) WHERE status = 'current'`,
      // key: hex SHA-256 of the limiter key (which may hold a NUL and any length).
      `CREATE TABLE ${q.attempts} (
        key text COLLATE "C" NOT NULL PRIMARY KEY CHECK (key ~ '^[0-9a-f]{64}$'),
        failures integer NOT NULL CHECK (failures >= 0),
        window_start bigint NOT NULL,
        locked_until bigint,
        admitted boolean NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'key ids with the characters of eNames and up to 2,048 characters',
    destructive: false,
    // Only widens the check: every stored id still passes it. The version 1 check has a name the
    // server chose (it depends on the table name), so it is found by its definition.
    statements: ({ q }: SchemaNames) => [
      `DO $$ DECLARE c record; BEGIN
        FOR c IN SELECT conname FROM pg_constraint
          WHERE conrelid = '${q.keys}'::regclass AND contype = 'c'
            AND pg_get_constraintdef(oid) LIKE '%char_length(id)%'
        LOOP EXECUTE format('ALTER TABLE ${q.keys} DROP CONSTRAINT %I', c.conname); END LOOP;
      END $$`,
      `ALTER TABLE ${q.keys} ADD CHECK (id ~ '^[A-Za-z0-9_:.#%@~+=-]+$' AND char_length(id) <= 2048)`,
    ],
  },
])

/**
 * The schema history of the status list tables (`PostgresStatusListStore`), kept apart from the key
 * tables' history (its own migrations table), so that each store migrates only what it uses. Append
 * only.
 *
 * @internal
 */
export const STATUS_LIST_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'status lists and their entries',
    destructive: false,
    statements: ({ q }: SchemaNames) => [
      // The id rule of validateStatusListDefinition (validateKeyId: key migration 2's characters,
      // at most 500), so that every list the other stores keep fits here too.
      `CREATE TABLE ${q.statusLists} (
        id text COLLATE "C" NOT NULL PRIMARY KEY
          CHECK (id ~ '^[A-Za-z0-9_:.#%@~+=-]+$' AND char_length(id) <= 500),
        kind text NOT NULL CHECK (kind IN ('bitstring', 'token')),
        size integer NOT NULL CHECK (size >= 1 AND size <= 16777216),
        bits smallint NOT NULL CHECK (bits >= 1 AND bits <= 8),
        final_statuses smallint[] NOT NULL,
        settings jsonb NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
        created_at text NOT NULL,
        version bigint NOT NULL DEFAULT 0 CHECK (version >= 0)
      )`,
      // The primary key is what makes an index impossible to hand out twice, whatever the code does.
      `CREATE TABLE ${q.statusListEntries} (
        list_id text COLLATE "C" NOT NULL REFERENCES ${q.statusLists} (id) ON DELETE CASCADE,
        idx integer NOT NULL CHECK (idx >= 0),
        status smallint NOT NULL DEFAULT 0 CHECK (status >= 0 AND status <= 255),
        PRIMARY KEY (list_id, idx)
      )`,
      // Publishing reads only the non-zero statuses.
      `CREATE INDEX ON ${q.statusListEntries} (list_id, idx) WHERE status <> 0`,
    ],
  },
])

/**
 * The names {@link runMigrations} works on for the status list history: the same schema, with the
 * status list migrations table in the role of the migrations table.
 *
 * @internal
 */
export function statusListMigrationNames(names: SchemaNames): SchemaNames {
  return {
    schema: names.schema,
    tables: { ...names.tables, migrations: names.tables.statusListMigrations },
    q: { ...names.q, migrations: names.q.statusListMigrations },
  }
}

/**
 * What {@link PostgresStore.migrate} did.
 *
 * @example
 *
 * ```ts
 * import { PostgresStore, type MigrationResult } from 'credsign/postgres'
 * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
 * const result: MigrationResult = await store.migrate()
 * console.log(
 *   `schema at version ${result.version}, applied now: ${result.applied.join(', ') || 'nothing'}`,
 * )
 * ```
 */
export interface MigrationResult {
  /** Versions applied by this call, ascending (empty when the schema was up to date). */
  applied: number[]
  /** The schema version now (the highest applied version). */
  version: number
  /** Applied versions this credsign does not know: the schema was migrated by a newer release. */
  unknown: number[]
}

/**
 * Options of {@link PostgresStore.migrate}.
 *
 * @example
 *
 * ```ts
 * import { PostgresStore } from 'credsign/postgres'
 * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
 * await store.migrate({ allowDestructive: false })
 * ```
 */
export interface MigrateOptions {
  /**
   * Allow migrations that drop or rewrite data. Default false: such a migration makes `migrate()`
   * fail with `invalid_argument` before anything is applied. None exists yet.
   */
  allowDestructive?: boolean
}

function checksum(statements: string[]): string {
  return bytesToHex(sha256(utf8(statements.join(';\n'))))
}

/**
 * The advisory lock id of a schema's migrations: 64 bits of SHA-256 of the qualified migrations
 * table name, so stores in different schemas never wait for each other.
 */
function migrationLockId(names: SchemaNames): string {
  const digest = sha256(utf8(`credsign:migrate:${names.schema}.${names.tables.migrations}`))
  let value = 0n
  for (let i = 0; i < 8; i++) value = (value << 8n) | BigInt(digest[i] as number)
  return BigInt.asIntN(64, value).toString()
}

async function appliedVersions(query: Query, names: SchemaNames): Promise<number[]> {
  const { rows } = await query(`SELECT version FROM ${names.q.migrations} ORDER BY version`)
  return rows.map((row) => Number(row.version))
}

/**
 * Applies pending migrations in one transaction under a transaction-scoped advisory lock, so that
 * replicas starting together apply each migration exactly once (the others wait, then find nothing
 * to do). Creates the schema if missing. Idempotent.
 *
 * @example
 *
 * ```ts
 * import { PgConnector } from './connection.js'
 * import { runMigrations, resolveSchemaNames, MIGRATIONS } from './schema.js'
 * const connector = new PgConnector({ connection: process.env.DATABASE_URL })
 * await runMigrations(connector, resolveSchemaNames('public', {}), MIGRATIONS, {})
 * ```
 *
 * @internal
 */
export async function runMigrations(
  connector: PgConnector,
  names: SchemaNames,
  migrations: readonly Migration[],
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  if (typeof options !== 'object' || options === null)
    throw new CredsignError('invalid_argument', 'migrate options must be an object')
  const allowDestructive = options.allowDestructive === true
  return connector.run(
    'migrate',
    async (query) => {
      await query('SELECT pg_advisory_xact_lock($1::bigint)', [migrationLockId(names)])
      // CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database: only ask
      // for it when the schema is really missing (e.g. "public" usually exists).
      const { rows } = await query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [names.schema])
      if (rows.length === 0) await query(`CREATE SCHEMA ${quoteIdentifier(names.schema)}`)
      await query(`CREATE TABLE IF NOT EXISTS ${names.q.migrations} (
        version integer NOT NULL PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`)
      const done = new Set(await appliedVersions(query, names))
      const known = new Set(migrations.map((m) => m.version))
      const pending = migrations
        .filter((m) => !done.has(m.version))
        .sort((a, b) => a.version - b.version)
      const destructive = pending.filter((m) => m.destructive)
      if (destructive.length > 0 && !allowDestructive) {
        throw new CredsignError(
          'invalid_argument',
          `pending migration ${destructive.map((m) => `${m.version} (${m.name})`).join(', ')} drops or rewrites data: back up, then run migrate({ allowDestructive: true })`,
        )
      }
      for (const migration of pending) {
        const statements = migration.statements(names)
        for (const statement of statements) await query(statement)
        await query(
          `INSERT INTO ${names.q.migrations} (version, name, checksum) VALUES ($1, $2, $3)`,
          [migration.version, migration.name, checksum(statements)],
        )
      }
      const all = [...done, ...pending.map((m) => m.version)]
      return {
        applied: pending.map((m) => m.version),
        version: all.length === 0 ? 0 : Math.max(...all),
        unknown: [...done].filter((v) => !known.has(v)).sort((a, b) => a - b),
      }
    },
    { transaction: true },
  )
}

/**
 * Where the schema stands, without changing it.
 *
 * @example
 *
 * ```ts
 * import { PostgresStore, type MigrationStatus } from 'credsign/postgres'
 * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
 * const status: MigrationStatus = await store.migrationStatus()
 * if (status.pending.length > 0) console.log('run store.migrate() first')
 * ```
 */
export interface MigrationStatus {
  /** Applied versions, ascending. */
  applied: number[]
  /** Versions this credsign would apply. */
  pending: number[]
}

/**
 * Reads the applied versions (none when the migrations table does not exist).
 *
 * @example
 *
 * ```ts
 * import { PgConnector } from './connection.js'
 * import { migrationStatus, resolveSchemaNames, MIGRATIONS } from './schema.js'
 * const connector = new PgConnector({ connection: process.env.DATABASE_URL })
 * console.log(await migrationStatus(connector, resolveSchemaNames('public', {}), MIGRATIONS))
 * ```
 *
 * @internal
 */
export async function migrationStatus(
  connector: PgConnector,
  names: SchemaNames,
  migrations: readonly Migration[],
): Promise<MigrationStatus> {
  return connector.run('read the migration status', async (query) => {
    const { rows } = await query('SELECT to_regclass($1) IS NOT NULL AS present', [
      `${quoteIdentifier(names.schema)}.${quoteIdentifier(names.tables.migrations)}`,
    ])
    const applied = rows[0]?.present === true ? await appliedVersions(query, names) : []
    const done = new Set(applied)
    return { applied, pending: migrations.map((m) => m.version).filter((v) => !done.has(v)) }
  })
}
