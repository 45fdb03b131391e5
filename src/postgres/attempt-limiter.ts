import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { CredsignError } from '../errors/credsign-error.js'
import { utf8 } from '../util/bytes.js'
import type {
  Admission,
  AttemptLimiter,
  AttemptOutcome,
  LockoutPolicy,
} from '../vault/attempt-limiter.js'
import { resolveLockoutPolicy } from '../vault/memory-attempt-limiter.js'
import { PgConnector } from './connection.js'
import {
  MIGRATIONS,
  resolveSchemaNames,
  runMigrations,
  type MigrateOptions,
  type MigrationResult,
  type PostgresTarget,
  type SchemaNames,
} from './schema.js'

/**
 * Options of {@link PostgresAttemptLimiter}: where the counters live and the lockout policy
 * (defaults: 5 failures within 15 minutes lock for 15 minutes). Every process sharing the table
 * must use the same policy.
 *
 * @example
 *
 * ```ts
 * import {
 *   PostgresAttemptLimiter,
 *   type PostgresAttemptLimiterOptions,
 * } from 'credsign/postgres'
 * const options: PostgresAttemptLimiterOptions = {
 *   connection: process.env.DATABASE_URL,
 *   maxFailures: 5,
 *   lockoutMs: 15 * 60_000,
 * }
 * const limiter = new PostgresAttemptLimiter(options)
 * ```
 */
export interface PostgresAttemptLimiterOptions extends PostgresTarget, LockoutPolicy {
  /**
   * How often (by the `now` passed to `begin`) `begin` also deletes expired counters, in
   * milliseconds (default 600,000; 0 never: then call {@link PostgresAttemptLimiter.prune}
   * yourself). Keeps the table small when attempts come for many random ids.
   */
  pruneIntervalMs?: number
}

const DEFAULT_PRUNE_INTERVAL_MS = 10 * 60_000
const PRUNE_BATCH = 10_000

function statements({ q }: SchemaNames) {
  // $1 key, $2 now, $3 maxFailures, $4 windowMs, $5 lockoutMs.
  // A row is "expired" exactly when MemoryAttemptLimiter would start afresh: no failures left, a
  // lock that ended, or (unlocked) a window that ended.
  const expired = `(a.failures = 0
      OR (a.locked_until IS NOT NULL AND $2::bigint >= a.locked_until)
      OR (a.locked_until IS NULL AND $2::bigint - a.window_start >= $4::bigint))`
  return {
    // One statement, atomic per key: the row is locked while the new state is computed from it.
    // Refused (locked) attempts leave the counters as they are; `admitted` records this call's answer.
    begin: `INSERT INTO ${q.attempts} AS a (key, failures, window_start, locked_until, admitted)
      VALUES ($1, 1, $2::bigint, CASE WHEN $3::integer <= 1 THEN $2::bigint + $5::bigint END, true)
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN ${expired} THEN 1 WHEN a.locked_until IS NOT NULL THEN a.failures ELSE a.failures + 1 END,
        window_start = CASE WHEN ${expired} THEN $2::bigint ELSE a.window_start END,
        locked_until = CASE
          WHEN ${expired} THEN CASE WHEN $3::integer <= 1 THEN $2::bigint + $5::bigint END
          WHEN a.locked_until IS NOT NULL THEN a.locked_until
          WHEN a.failures + 1 >= $3::integer THEN $2::bigint + $5::bigint
        END,
        admitted = (${expired} OR a.locked_until IS NULL)
      RETURNING admitted, locked_until::text AS locked_until`,
    success: `DELETE FROM ${q.attempts} WHERE key = $1`,
    // The attempt never tested the secrets: un-count it, and unlock if below the limit again.
    void: `UPDATE ${q.attempts} SET failures = GREATEST(failures - 1, 0),
        locked_until = CASE WHEN GREATEST(failures - 1, 0) < $2::integer THEN NULL ELSE locked_until END
      WHERE key = $1`,
    // A failure ending after its lock expired must not leave a lock nobody enforces.
    failure: `DELETE FROM ${q.attempts} WHERE key = $1 AND locked_until IS NOT NULL AND locked_until < $2::bigint`,
    // $1 now, $2 windowMs, $3 batch size. Deletes only rows `begin` would start afresh anyway, so
    // pruning never changes an answer; SKIP LOCKED leaves rows being counted right now alone.
    prune: `DELETE FROM ${q.attempts} WHERE key IN (
        SELECT a.key FROM ${q.attempts} a
        WHERE a.failures = 0
          OR (a.locked_until IS NOT NULL AND $1::bigint >= a.locked_until)
          OR (a.locked_until IS NULL AND $1::bigint - a.window_start >= $2::bigint)
        LIMIT $3 FOR UPDATE SKIP LOCKED)`,
  }
}

function rowKey(key: unknown): string {
  if (typeof key !== 'string')
    throw new CredsignError('invalid_argument', 'limiter key must be a string')
  // The vault's keys are `id` or `id\u0000client`: PostgreSQL text cannot hold NUL, and a client
  // string has no length bound. A hash is fixed-size text and keeps the keys apart.
  return bytesToHex(sha256(utf8(key)))
}

function epochMs(now: unknown): number {
  if (typeof now !== 'number' || !Number.isFinite(now))
    throw new CredsignError(
      'invalid_argument',
      'limiter time must be a finite number of milliseconds',
    )
  return Math.floor(now)
}

/**
 * An {@link AttemptLimiter} whose counters live in a PostgreSQL table, so the lockout holds across
 * every replica using the database (an attacker spreading guesses over replicas gets the limit once
 * in total, not once per replica), and survives restarts.
 *
 * Same policy and semantics as `MemoryAttemptLimiter`: attempts count at admission, a success
 * resets, a void attempt is un-counted, reaching `maxFailures` locks for `lockoutMs`. `begin` is
 * one `INSERT ... ON CONFLICT DO UPDATE` statement, atomic per key. Counters are keyed by the
 * SHA-256 of the limiter key. Times are the `now` the vault passes (its clock, milliseconds,
 * rounded down), so keep replicas' clocks in sync.
 *
 * The table comes from the store's migrations (`PostgresStore.migrate()` or
 * {@link PostgresAttemptLimiter.migrate}). Storage errors are `store_unavailable`: the vault then
 * refuses the unlock (fails closed).
 *
 * @example
 *
 * ```ts
 * import { KeyVault } from 'credsign'
 * import { PostgresAttemptLimiter, PostgresStore } from 'credsign/postgres'
 * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
 * const limiter = new PostgresAttemptLimiter({
 *   connection: process.env.DATABASE_URL,
 *   maxFailures: 5,
 * })
 * const vault = new KeyVault({ store, limiter, serviceSecret: process.env.SERVICE_SECRET! })
 * ```
 */
export class PostgresAttemptLimiter implements AttemptLimiter {
  readonly #connector: PgConnector
  readonly #schema: SchemaNames
  readonly #sql: ReturnType<typeof statements>
  readonly #policy: Required<LockoutPolicy>
  readonly #pruneIntervalMs: number
  readonly #ownsConnector: boolean
  #lastPrune = Number.NEGATIVE_INFINITY

  /**
   * Makes a limiter with its own connection (or the caller's pool). Connects on first use.
   *
   * @example
   *
   * ```ts
   * import { PostgresAttemptLimiter } from 'credsign/postgres'
   * const limiter = new PostgresAttemptLimiter({
   *   connection: process.env.DATABASE_URL,
   *   maxFailures: 3,
   *   lockoutMs: 60_000,
   * })
   * ```
   */
  constructor(options: PostgresAttemptLimiterOptions)
  /** @internal */
  constructor(
    options: PostgresAttemptLimiterOptions,
    shared: { connector: PgConnector; schema: SchemaNames },
  )
  constructor(
    options: PostgresAttemptLimiterOptions,
    shared?: { connector: PgConnector; schema: SchemaNames },
  ) {
    if (typeof options !== 'object' || options === null)
      throw new CredsignError('invalid_argument', 'PostgresAttemptLimiter options are required')
    const { pool, connection, schema, tables, pruneIntervalMs, ...policy } = options
    this.#policy = resolveLockoutPolicy(policy)
    const prune = pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS
    if (!Number.isSafeInteger(prune) || prune < 0)
      throw new CredsignError('invalid_argument', 'pruneIntervalMs must be a non-negative integer')
    this.#pruneIntervalMs = prune
    this.#schema = shared?.schema ?? resolveSchemaNames(schema, tables)
    this.#connector = shared?.connector ?? new PgConnector({ pool, connection })
    this.#ownsConnector = shared === undefined
    this.#sql = statements(this.#schema)
  }

  /**
   * A limiter on an existing connector (the store's), sharing its pool.
   *
   * @internal
   */
  static onConnector(
    connector: PgConnector,
    schema: SchemaNames,
    options: Omit<PostgresAttemptLimiterOptions, keyof PostgresTarget>,
  ): PostgresAttemptLimiter {
    return new PostgresAttemptLimiter(stripTarget(options), { connector, schema })
  }

  /**
   * The policy in force.
   *
   * @example
   *
   * ```ts
   * import { PostgresAttemptLimiter } from 'credsign/postgres'
   * console.log(
   *   new PostgresAttemptLimiter({ connection: process.env.DATABASE_URL }).policy.maxFailures,
   * ) // 5
   * ```
   */
  get policy(): Readonly<Required<LockoutPolicy>> {
    return this.#policy
  }

  /**
   * Admits and counts one attempt on `key`, or answers with the lock's end: one atomic statement.
   *
   * @example
   *
   * ```ts
   * import { PostgresAttemptLimiter } from 'credsign/postgres'
   * const limiter = new PostgresAttemptLimiter({ connection: process.env.DATABASE_URL })
   * const admission = await limiter.begin('issuer-1', Date.now())
   * if (!admission.admitted)
   *   console.log(`locked until ${new Date(admission.retryAt).toISOString()}`)
   * ```
   */
  async begin(key: string, now: number): Promise<Admission> {
    const hashed = rowKey(key)
    const at = epochMs(now)
    const { maxFailures, windowMs, lockoutMs } = this.#policy
    const { rows } = await this.#connector.run('count an unlock attempt', (query) =>
      query(this.#sql.begin, [
        hashed,
        String(at),
        maxFailures,
        String(windowMs),
        String(lockoutMs),
      ]),
    )
    const row = rows[0]
    if (row === undefined || typeof row.admitted !== 'boolean')
      throw new CredsignError(
        'store_unavailable',
        'postgres limiter: no answer from the attempt counter',
      )
    if (this.#pruneIntervalMs > 0 && at - this.#lastPrune >= this.#pruneIntervalMs) {
      this.#lastPrune = at
      // Housekeeping only: a failure here must not fail the attempt.
      await this.prune(at).catch(() => {})
    }
    if (row.admitted) return { admitted: true }
    return { admitted: false, retryAt: Number(row.locked_until) }
  }

  /**
   * Records how an admitted attempt ended: `success` clears the counter, `void` un-counts the
   * attempt, `failure` keeps it counted.
   *
   * @example
   *
   * ```ts
   * import { PostgresAttemptLimiter } from 'credsign/postgres'
   * const limiter = new PostgresAttemptLimiter({ connection: process.env.DATABASE_URL })
   * if ((await limiter.begin('issuer-1', Date.now())).admitted)
   *   await limiter.end('issuer-1', 'success', Date.now())
   * ```
   */
  async end(key: string, outcome: AttemptOutcome, now: number): Promise<void> {
    const hashed = rowKey(key)
    const at = epochMs(now)
    let text: string
    let values: unknown[]
    if (outcome === 'success') [text, values] = [this.#sql.success, [hashed]]
    else if (outcome === 'void')
      [text, values] = [this.#sql.void, [hashed, this.#policy.maxFailures]]
    else if (outcome === 'failure') [text, values] = [this.#sql.failure, [hashed, String(at)]]
    else throw new CredsignError('invalid_argument', 'outcome must be success, failure or void')
    await this.#connector.run('record an unlock attempt', (query) => query(text, values))
  }

  /**
   * Deletes counters that no longer matter at `now` (lock or window over, nothing counted), at most
   * 10,000 per call, and resolves with how many. `begin` calls it every `pruneIntervalMs`.
   *
   * @example
   *
   * ```ts
   * import { PostgresAttemptLimiter } from 'credsign/postgres'
   * const limiter = new PostgresAttemptLimiter({
   *   connection: process.env.DATABASE_URL,
   *   pruneIntervalMs: 0,
   * })
   * setInterval(() => void limiter.prune().catch(() => {}), 60_000).unref()
   * ```
   */
  async prune(now: number = Date.now()): Promise<number> {
    const at = epochMs(now)
    const result = await this.#connector.run('prune attempt counters', (query) =>
      query(this.#sql.prune, [String(at), String(this.#policy.windowMs), PRUNE_BATCH]),
    )
    return result.rowCount ?? 0
  }

  /**
   * Creates or upgrades the tables (the same migrations as `PostgresStore.migrate()`).
   *
   * @example
   *
   * ```ts
   * import { PostgresAttemptLimiter } from 'credsign/postgres'
   * await new PostgresAttemptLimiter({ connection: process.env.DATABASE_URL }).migrate()
   * ```
   */
  migrate(options: MigrateOptions = {}): Promise<MigrationResult> {
    return runMigrations(this.#connector, this.#schema, MIGRATIONS, options)
  }

  /**
   * Ends the pool if this limiter made it; a caller's or a store's pool stays open.
   *
   * @example
   *
   * ```ts
   * import { PostgresAttemptLimiter } from 'credsign/postgres'
   * const limiter = new PostgresAttemptLimiter({ connection: process.env.DATABASE_URL })
   * await limiter.close()
   * ```
   */
  async close(): Promise<void> {
    if (this.#ownsConnector) await this.#connector.close()
  }
}

function stripTarget(
  options: Omit<PostgresAttemptLimiterOptions, keyof PostgresTarget>,
): PostgresAttemptLimiterOptions {
  if (typeof options !== 'object' || options === null)
    throw new CredsignError('invalid_argument', 'limiter policy must be an object')
  const { maxFailures, windowMs, lockoutMs, pruneIntervalMs } = options
  return { maxFailures, windowMs, lockoutMs, pruneIntervalMs }
}
