import { CredsignError } from '../errors/credsign-error.js'
import { describeKeyId } from '../stores/key-id.js'

/**
 * What credsign reads of a `pg` query result. Structural, so the types never require `@types/pg`.
 *
 * @example
 *
 * ```ts
 * import type { PgQueryResult } from 'credsign/postgres'
 * const result: PgQueryResult = { rows: [{ one: 1 }], rowCount: 1 }
 * ```
 */
export interface PgQueryResult {
  rows: Record<string, unknown>[]
  rowCount: number | null
}

/**
 * The query form credsign sends: SQL text with `$n` placeholders and the values apart.
 *
 * @example
 *
 * ```ts
 * import type { PgQueryConfig } from 'credsign/postgres'
 * const query: PgQueryConfig = {
 *   text: 'SELECT $1::int AS n',
 *   values: [1],
 *   query_timeout: 2_000,
 * }
 * ```
 */
export interface PgQueryConfig {
  text: string
  values?: unknown[]
  /** Client-side read timeout in milliseconds (`pg` option). */
  query_timeout?: number
}

/**
 * The parts of a `pg` `PoolClient` credsign uses: `query`, `release`, and the `error` event.
 *
 * @example
 *
 * ```ts
 * import type { PgPool, PgPoolClient } from 'credsign/postgres'
 * async function one(pool: PgPool): Promise<unknown> {
 *   const client: PgPoolClient = await pool.connect()
 *   try {
 *     return (await client.query({ text: 'SELECT 1 AS one' })).rows[0]
 *   } finally {
 *     client.release()
 *   }
 * }
 * ```
 */
export interface PgPoolClient {
  query(config: PgQueryConfig): Promise<PgQueryResult>
  /** Returns the client to the pool; with an error (or `true`) the pool destroys it instead. */
  release(error?: Error | boolean): void
  on?(event: 'error', listener: (error: Error) => void): unknown
  removeListener?(event: 'error', listener: (error: Error) => void): unknown
}

/**
 * The parts of a `pg` `Pool` credsign uses. A `new pg.Pool(...)` satisfies it; so does any pool
 * with the same `connect`/`end` shape (a wrapper for metrics, a test double).
 *
 * @example
 *
 * ```ts
 * import pg from 'pg'
 * import { PostgresStore, type PgPool } from 'credsign/postgres'
 * const pool: PgPool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const store = new PostgresStore({ pool })
 * ```
 */
export interface PgPool {
  connect(): Promise<PgPoolClient>
  end(): Promise<void>
}

/**
 * TLS settings of {@link PostgresConnectionOptions}. Values are PEM text or bytes.
 *
 * - `verify-full` (default): the server certificate must chain to `ca` (or the system roots when `ca`
 *   is absent) **and** name the host you connect to. The only mode that stops a man-in-the-middle;
 *   use it in production.
 * - `verify-ca`: the chain is checked but not the name; any server holding a certificate from that CA
 *   passes. Requires `ca` (a private CA), since with a public CA it proves nothing.
 * - `require`: encrypted, **unauthenticated**: whoever answers on the network path gets the
 *   connection (and the password, and the key envelopes). Development only.
 *
 * @example
 *
 * ```ts
 * import { readFileSync } from 'node:fs'
 * import type { PostgresTlsOptions } from 'credsign/postgres'
 * const tls: PostgresTlsOptions = {
 *   mode: 'verify-full',
 *   ca: readFileSync('/etc/credsign/db-ca.pem', 'utf8'),
 *   cert: readFileSync('/etc/credsign/client.pem', 'utf8'),
 *   key: readFileSync('/etc/credsign/client.key', 'utf8'),
 * }
 * ```
 */
export interface PostgresTlsOptions {
  mode?: 'verify-full' | 'verify-ca' | 'require'
  /** Trusted CA certificate(s), PEM. Default: the runtime's root store. */
  ca?: string | Uint8Array | (string | Uint8Array)[]
  /** Client certificate (PEM) for certificate authentication. */
  cert?: string | Uint8Array
  /** Client private key (PEM). */
  key?: string | Uint8Array
  /** Passphrase of an encrypted `key`. */
  passphrase?: string
  /** Name to verify instead of the host (e.g. when connecting by IP address). */
  servername?: string
}

/**
 * How {@link PostgresStore} / {@link PostgresAttemptLimiter} connect when they make their own pool
 * (`pg` is then loaded on first use with `await import('pg')`).
 *
 * @example
 *
 * ```ts
 * import { PostgresStore, type PostgresConnectionOptions } from 'credsign/postgres'
 * const connection: PostgresConnectionOptions = {
 *   host: 'db.internal.example',
 *   database: 'issuer',
 *   user: 'credsign',
 *   password: () => process.env.PGPASSWORD ?? '',
 *   ssl: { mode: 'verify-full', ca: process.env.DB_CA_PEM },
 *   maxConnections: 10,
 * }
 * const store = new PostgresStore({ connection })
 * ```
 */
export interface PostgresConnectionOptions {
  /**
   * `postgres://user@host:port/db`. TLS belongs in `ssl`, not in `sslmode=` parameters, when both
   * are used.
   */
  connectionString?: string
  host?: string
  port?: number
  database?: string
  user?: string
  /** A string, or a function called for every new connection (rotating or IAM tokens). */
  password?: string | (() => string | Promise<string>)
  /** TLS; absent means whatever the connection string or `PGSSLMODE` say (plain TCP by default). */
  ssl?: PostgresTlsOptions
  /** Pool size (default 10). */
  maxConnections?: number
  /** How long to wait for a new connection, in milliseconds (default 5,000). */
  connectTimeoutMs?: number
  /**
   * Longest a statement may run, in milliseconds (default 30,000): the server cancels it
   * (`statement_timeout`) and the client gives up 2 seconds later whatever the server does.
   */
  statementTimeoutMs?: number
  /** Idle connections are closed after this many milliseconds (default 30,000). */
  idleTimeoutMs?: number
  /** Shown in `pg_stat_activity` (default `credsign`). */
  applicationName?: string
}

const DEFAULTS = {
  maxConnections: 10,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  // Server-side: a crashed or stalled client cannot hold row locks for longer than this.
  idleInTransactionMs: 60_000,
  clientGraceMs: 2_000,
}

function positiveInteger(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new CredsignError('invalid_argument', `postgres ${name} must be a positive integer`)
  }
  return value
}

function pemList(value: unknown, name: string): string | string[] | undefined {
  if (value === undefined) return undefined
  const one = (item: unknown): string => {
    if (typeof item === 'string' && item.length > 0) return item
    if (item instanceof Uint8Array && item.length > 0) return new TextDecoder().decode(item)
    throw new CredsignError('invalid_argument', `postgres ssl.${name} must be PEM text or bytes`)
  }
  return Array.isArray(value) ? value.map(one) : one(value)
}

/** Node `tls.connect` options for a {@link PostgresTlsOptions}, as `pg` passes them through. */
function tlsConfig(ssl: PostgresTlsOptions): Record<string, unknown> {
  if (typeof ssl !== 'object' || ssl === null)
    throw new CredsignError('invalid_argument', 'postgres ssl must be an object')
  const mode = ssl.mode ?? 'verify-full'
  if (mode !== 'verify-full' && mode !== 'verify-ca' && mode !== 'require') {
    throw new CredsignError(
      'invalid_argument',
      'postgres ssl.mode must be verify-full, verify-ca or require',
    )
  }
  const config: Record<string, unknown> = {}
  const ca = pemList(ssl.ca, 'ca')
  const cert = pemList(ssl.cert, 'cert')
  const key = pemList(ssl.key, 'key')
  if ((cert === undefined) !== (key === undefined)) {
    throw new CredsignError('invalid_argument', 'postgres ssl.cert and ssl.key go together')
  }
  if (ca !== undefined) config.ca = ca
  if (cert !== undefined) config.cert = cert
  if (key !== undefined) config.key = key
  if (ssl.passphrase !== undefined) config.passphrase = ssl.passphrase
  if (ssl.servername !== undefined) config.servername = ssl.servername
  if (mode === 'require') {
    config.rejectUnauthorized = false
  } else {
    config.rejectUnauthorized = true
    if (mode === 'verify-ca') {
      if (ca === undefined)
        throw new CredsignError(
          'invalid_argument',
          'postgres ssl verify-ca needs ssl.ca (with a public CA it would accept any server)',
        )
      // Chain checked by rejectUnauthorized; the host name deliberately not.
      config.checkServerIdentity = () => undefined
    }
  }
  return config
}

/**
 * The `pg.Pool` configuration for `options`. Throws `invalid_argument` for nonsense, and when TLS
 * is configured both in `ssl` and in the connection string (`pg` would silently let the string
 * win).
 *
 * @example
 *
 * ```ts
 * import { poolConfig } from './connection.js'
 * const config = poolConfig({
 *   connectionString: 'postgres://u@localhost/db',
 *   maxConnections: 4,
 * })
 * ```
 *
 * @internal
 */
export function poolConfig(options: string | PostgresConnectionOptions): Record<string, unknown> {
  const o: PostgresConnectionOptions =
    typeof options === 'string' ? { connectionString: options } : options
  if (typeof o !== 'object' || o === null)
    throw new CredsignError(
      'invalid_argument',
      'postgres connection options must be a string or an object',
    )
  const statementTimeoutMs = positiveInteger(
    o.statementTimeoutMs,
    DEFAULTS.statementTimeoutMs,
    'statementTimeoutMs',
  )
  const config: Record<string, unknown> = {
    max: positiveInteger(o.maxConnections, DEFAULTS.maxConnections, 'maxConnections'),
    connectionTimeoutMillis: positiveInteger(
      o.connectTimeoutMs,
      DEFAULTS.connectTimeoutMs,
      'connectTimeoutMs',
    ),
    idleTimeoutMillis: positiveInteger(o.idleTimeoutMs, DEFAULTS.idleTimeoutMs, 'idleTimeoutMs'),
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + DEFAULTS.clientGraceMs,
    idle_in_transaction_session_timeout: DEFAULTS.idleInTransactionMs,
    keepAlive: true,
    application_name: o.applicationName ?? 'credsign',
  }
  if (o.connectionString !== undefined) {
    if (typeof o.connectionString !== 'string' || o.connectionString === '') {
      throw new CredsignError(
        'invalid_argument',
        'postgres connectionString must be a non-empty string',
      )
    }
    if (o.ssl !== undefined && /[?&]ssl[a-z]*=/i.test(o.connectionString)) {
      throw new CredsignError(
        'invalid_argument',
        'postgres TLS is set both in options.ssl and in the connection string; use one (options.ssl)',
      )
    }
    config.connectionString = o.connectionString
  }
  for (const name of ['host', 'database', 'user'] as const) {
    const value = o[name]
    if (value !== undefined) {
      if (typeof value !== 'string' || value === '')
        throw new CredsignError('invalid_argument', `postgres ${name} must be a non-empty string`)
      config[name] = value
    }
  }
  if (o.port !== undefined) {
    if (!Number.isSafeInteger(o.port) || o.port < 1 || o.port > 65_535)
      throw new CredsignError('invalid_argument', 'postgres port must be 1 to 65535')
    config.port = o.port
  }
  if (o.password !== undefined) {
    if (typeof o.password !== 'string' && typeof o.password !== 'function') {
      throw new CredsignError(
        'invalid_argument',
        'postgres password must be a string or a function',
      )
    }
    config.password = o.password
  }
  if (o.ssl !== undefined) config.ssl = tlsConfig(o.ssl)
  return config
}

interface PgModule {
  Pool: new (
    config: Record<string, unknown>,
  ) => PgPool & { on(event: 'error', listener: (error: Error) => void): unknown }
}

async function loadPg(): Promise<PgModule> {
  let loaded: unknown
  try {
    loaded = await import('pg')
  } catch (cause) {
    throw new CredsignError(
      'store_unavailable',
      'credsign/postgres needs the "pg" package: npm install pg',
      { cause },
    )
  }
  // pg is CommonJS: its exports sit on `default` under ESM, on the namespace under CommonJS interop.
  const namespace = loaded as { default?: { Pool?: unknown }; Pool?: unknown }
  const Pool = namespace.default?.Pool ?? namespace.Pool
  if (typeof Pool !== 'function')
    throw new CredsignError('store_unavailable', 'the "pg" package has no Pool export')
  return { Pool: Pool as PgModule['Pool'] }
}

/**
 * Makes a `pg.Pool` from connection options, with credsign's defaults (timeouts, keep-alive, TLS
 * checks), loading `pg` on first use. Use it to share one pool between a {@link PostgresStore} and a
 * {@link PostgresAttemptLimiter}; end it with `pool.end()` when done. Throws `invalid_argument` for
 * bad options and `store_unavailable` when `pg` is not installed.
 *
 * @example
 *
 * ```ts
 * import { createPostgresPool, PostgresAttemptLimiter, PostgresStore } from 'credsign/postgres'
 * const pool = await createPostgresPool({ connectionString: process.env.DATABASE_URL })
 * const store = new PostgresStore({ pool })
 * const limiter = new PostgresAttemptLimiter({ pool, maxFailures: 5 })
 * // ... and at shutdown:
 * await pool.end()
 * ```
 */
export async function createPostgresPool(
  options: string | PostgresConnectionOptions,
): Promise<PgPool> {
  return makePool(poolConfig(options))
}

/** A `pg.Pool` for a checked configuration, with the error listener every pool needs. */
async function makePool(config: Record<string, unknown>): Promise<PgPool> {
  const { Pool } = await loadPg()
  const pool = new Pool(config)
  // An idle connection that dies (server restart) is an 'error' event on the pool: without a
  // listener Node would crash the process. The pool drops that client by itself; nothing to do.
  pool.on('error', () => {})
  return pool
}

// Errors ---------------------------------------------------------------------------------------

interface PgErrorFields {
  code?: unknown
  severity?: unknown
}

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as PgErrorFields).code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/**
 * Whether `error` is a PostgreSQL error with this SQLSTATE (e.g. `23505`, unique violation).
 *
 * @example
 *
 * ```ts
 * import { hasSqlState } from './connection.js'
 * hasSqlState({ code: '23505' }, '23505') // true
 * ```
 *
 * @internal
 */
export function hasSqlState(error: unknown, code: string): boolean {
  return sqlState(error) === code
}

/**
 * Whether the connection that raised `error` can still be used: only for an ordinary statement
 * error (severity `ERROR`) reported by a live server. Anything else (socket errors, timeouts,
 * `FATAL` terminations) means the connection must be destroyed, not returned to the pool.
 */
function connectionSurvives(error: unknown): boolean {
  if (sqlState(error) === undefined) return false
  const { code, severity } = error as PgErrorFields
  return severity === 'ERROR' && !String(code).startsWith('08') && !String(code).startsWith('57P')
}

function nodeCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/**
 * Maps anything `pg` throws to a {@link CredsignError}: never a raw driver error. Missing tables are
 * `store_unavailable` with a hint to migrate; data the server refuses (class 22) is
 * `invalid_argument`; everything else (network, timeouts, server down, shutdown)
 * `store_unavailable`. The original error is kept as `cause`.
 *
 * @example
 *
 * ```ts
 * import { toCredsignError } from './connection.js'
 * toCredsignError(
 *   Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
 *   'read',
 * ).code // 'store_unavailable'
 * ```
 *
 * @internal
 */
export function toCredsignError(error: unknown, action: string): CredsignError {
  if (error instanceof CredsignError) return error
  const state = sqlState(error)
  if (state === '42P01' || state === '3F000' || state === '42703') {
    return new CredsignError(
      'store_unavailable',
      `postgres store: cannot ${action}: tables missing or older than this credsign (SQLSTATE ${state}); run migrate()`,
      { cause: error },
    )
  }
  if (state?.startsWith('22')) {
    return new CredsignError(
      'invalid_argument',
      `postgres store: cannot ${action}: the server refused a value (SQLSTATE ${state})`,
      { cause: error },
    )
  }
  const detail =
    state !== undefined
      ? `SQLSTATE ${state}`
      : (nodeCode(error) ?? (error instanceof Error ? error.message.slice(0, 80) : 'unknown error'))
  return new CredsignError('store_unavailable', `postgres store: cannot ${action} (${detail})`, {
    cause: error,
  })
}

// Identifiers ----------------------------------------------------------------------------------

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * Throws `invalid_argument` unless `name` is a plain lower-case SQL identifier
 * (`^[a-z_][a-z0-9_]{0,62}$`). Schema and table names are the only text credsign puts into SQL;
 * everything else is a parameter.
 *
 * @example
 *
 * ```ts
 * import { validateIdentifier } from './connection.js'
 * validateIdentifier('credsign_keys', 'table name') // passes; 'keys"; DROP' throws invalid_argument
 * ```
 *
 * @internal
 */
export function validateIdentifier(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new CredsignError(
      'invalid_argument',
      `invalid postgres ${what} ${describeKeyId(name)}: use 1 to 63 characters out of a-z 0-9 _, not starting with a digit`,
    )
  }
}

/**
 * `name` as a quoted SQL identifier. Only for names that passed {@link validateIdentifier}; checks
 * again.
 *
 * @example
 *
 * ```ts
 * import { quoteIdentifier } from './connection.js'
 * quoteIdentifier('credsign_keys') // '"credsign_keys"'
 * ```
 *
 * @internal
 */
export function quoteIdentifier(name: string): string {
  validateIdentifier(name, 'identifier')
  return `"${name}"`
}

// Running statements ---------------------------------------------------------------------------

/**
 * Runs one statement on the connection a {@link PgConnector.run} body holds.
 *
 * @internal
 */
export type Query = (text: string, values?: unknown[]) => Promise<PgQueryResult>

/** Options of {@link PgConnector.run}. */
interface RunOptions {
  /** Wrap the body in BEGIN ... COMMIT (default false: the body is one statement, atomic by itself). */
  transaction?: boolean
  /** Client-side timeout of each statement, in milliseconds (default: the pool's). */
  timeoutMs?: number
}

/**
 * Where the store and the limiter get connections: the caller's pool, or one made (and owned) here.
 * Every connection use goes through {@link PgConnector.run}, which maps errors, rolls back, and
 * destroys a connection that broke instead of returning it to the pool.
 *
 * @example
 *
 * ```ts
 * import { PgConnector } from './connection.js'
 * const connector = new PgConnector({ connection: 'postgres://u@localhost/db' })
 * await connector.run('ping', (query) => query('SELECT 1'))
 * await connector.close()
 * ```
 *
 * @internal
 */
export class PgConnector {
  readonly #config: Record<string, unknown> | undefined
  #pool: PgPool | undefined
  #creating: Promise<PgPool> | undefined
  #closed = false

  constructor(source: {
    pool?: PgPool | undefined
    connection?: string | PostgresConnectionOptions | undefined
  }) {
    const { pool, connection } = source
    if ((pool === undefined) === (connection === undefined)) {
      throw new CredsignError(
        'invalid_argument',
        'postgres: pass either pool or connection (exactly one)',
      )
    }
    if (pool !== undefined) {
      if (typeof pool !== 'object' || pool === null || typeof pool.connect !== 'function') {
        throw new CredsignError(
          'invalid_argument',
          'postgres pool must have a connect() method (a pg.Pool)',
        )
      }
      this.#pool = pool
    } else {
      // Checked now, so bad options fail at construction rather than at the first request.
      this.#config = poolConfig(connection as string | PostgresConnectionOptions)
    }
  }

  /** Whether this connector made its pool (and so ends it on close). */
  get ownsPool(): boolean {
    return this.#config !== undefined
  }

  async #getPool(): Promise<PgPool> {
    if (this.#closed) throw new CredsignError('store_unavailable', 'postgres store is closed')
    if (this.#pool !== undefined) return this.#pool
    // Memoised on success only: a failed load (pg not installed yet) is retried next time.
    this.#creating ??= makePool(this.#config as Record<string, unknown>).then(
      (pool) => {
        this.#pool = pool
        return pool
      },
      (error: unknown) => {
        this.#creating = undefined
        throw error
      },
    )
    return this.#creating
  }

  /**
   * Runs `body` on one pooled connection, inside a transaction when asked. Any error becomes a
   * CredsignError; a transaction is rolled back on error (and by the server if the connection
   * died); a broken connection is released with the error so the pool destroys it.
   */
  async run<T>(
    action: string,
    body: (query: Query) => Promise<T>,
    options: RunOptions = {},
  ): Promise<T> {
    let pool: PgPool
    let client: PgPoolClient
    try {
      pool = await this.#getPool()
      client = await pool.connect()
    } catch (error) {
      throw toCredsignError(error, `${action} (no connection)`)
    }
    // A checked-out client has no 'error' listener of the pool's: an error between statements
    // (server shutdown, terminated backend) would otherwise be an unhandled 'error' event.
    let broken: unknown
    const onError = (error: Error): void => {
      broken ??= error
    }
    client.on?.('error', onError)
    const query: Query = async (text, values) => {
      if (broken !== undefined) throw broken
      const config: PgQueryConfig = values === undefined ? { text } : { text, values }
      if (options.timeoutMs !== undefined) config.query_timeout = options.timeoutMs
      try {
        return await client.query(config)
      } catch (error) {
        if (!connectionSurvives(error)) broken ??= error
        throw error
      }
    }
    let inTransaction = false
    try {
      if (options.transaction) {
        await query('BEGIN')
        inTransaction = true
      }
      const result = await body(query)
      if (inTransaction) {
        // If COMMIT's answer is lost (connection dropped), the outcome is unknown to us: the
        // transaction committed entirely or not at all. The caller gets store_unavailable.
        await query('COMMIT')
        inTransaction = false
      }
      return result
    } catch (error) {
      if (inTransaction && broken === undefined) {
        try {
          await query('ROLLBACK')
        } catch (rollbackError) {
          broken ??= rollbackError
        }
      }
      throw toCredsignError(error, action)
    } finally {
      client.removeListener?.('error', onError)
      if (broken !== undefined)
        client.release(broken instanceof Error ? broken : new Error(String(broken)))
      else client.release()
    }
  }

  /** Ends the pool if this connector made it; a caller's pool is left alone. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (!this.ownsPool) return
    const pool =
      this.#pool ?? (this.#creating ? await this.#creating.catch(() => undefined) : undefined)
    if (pool !== undefined) await pool.end()
  }
}
