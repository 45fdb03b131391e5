import { readFile } from 'node:fs/promises'
import type { CorsOptions } from '../http/options.js'
import type { PostgresConnectionOptions, PostgresTlsOptions } from '../postgres/connection.js'
import type { LockoutPolicy } from '../vault/attempt-limiter.js'
import { errnoSuffix } from './config.js'
import { CliError, stringFlag, type Flags } from './flags.js'
import type { CliIo } from './run.js'

/*
 * `credsign serve`'s JWS name, lockout policy and `--compat eecc`: what the EECC key service's
 * environment (FAILED_ATTEMPTS_*, DB_*, REQUEST_ENCRYPTION_*, CORS_ENABLED, SERVICE_VERSION,
 * PBKDF2_ITERATIONS) means to credsign (docs/http.md, "Compatibility mode").
 */

/**
 * The flags this file reads, for `serve`'s flag table.
 *
 * @example
 *
 * ```ts
 * flagsOrThrow(args, { ...SERVE_COMPAT_FLAGS, '--port': 'value' })
 * ```
 *
 * @internal
 */
export const SERVE_COMPAT_FLAGS = {
  '--compat': 'value',
  '--ed25519-alg': 'value',
  '--lockout-max-failures': 'value',
  '--lockout-seconds': 'value',
  '--eecc-table': 'value',
} as const

/**
 * What `serve` passes on: to createHandler (`compat`, `ed25519Name`, `requestEncryption`, `cors`,
 * `service`) and to the vault (`lockout`, `maxKeyIdLength`, the EECC table, the connection).
 *
 * @example
 *
 * ```ts
 * const compat: ServeCompat = await serveCompatOf(flags, io)
 * ```
 *
 * @internal
 */
export interface ServeCompat {
  compat?: 'eecc'
  ed25519Name?: 'EdDSA' | 'Ed25519'
  lockout?: LockoutPolicy
  requestEncryption?: { sharedSecret: string }
  /** Replaces the CORS_ORIGINS reading (CORS_ENABLED in compat mode). */
  cors?: CorsOptions | 'off'
  service?: { name?: string; version?: string }
  /** Options of the vault in compat mode. */
  vault?: {
    /** The PostgreSQL connection from DB_* when DATABASE_URL is unset. */
    connection?: PostgresConnectionOptions
    /** The origin's table and PBKDF2 iterations, for keys that move on first use (PostgreSQL only). */
    eecc: { schema: string; table: string; iterations: number }
  }
}

/** The origin's lockout: 3 failures, then blocked for 900 s after the last one. */
const EECC_LOCKOUT = { maxFailures: 3, seconds: 900 }

/**
 * Reads `--compat`, `--ed25519-alg`, `--lockout-*` and (in compat mode) the origin's variables.
 *
 * @example
 *
 * ```ts
 * await serveCompatOf({ '--compat': 'eecc' }, io) // { compat: 'eecc', ed25519Name: 'Ed25519', … }
 * ```
 *
 * @internal
 */
export async function serveCompatOf(flags: Flags, io: CliIo): Promise<ServeCompat> {
  const env = io.env
  const mode = stringFlag(flags, '--compat') ?? (env.CREDSIGN_COMPAT?.trim() || undefined)
  if (mode !== undefined && mode !== 'eecc')
    throw new CliError('--compat (or CREDSIGN_COMPAT) must be eecc', 2)
  const compat = mode === 'eecc'
  const result: ServeCompat = compat ? { compat: 'eecc' } : {}

  const alg = stringFlag(flags, '--ed25519-alg') ?? (env.CREDSIGN_ED25519_ALG?.trim() || undefined)
  if (alg !== undefined && alg !== 'EdDSA' && alg !== 'Ed25519')
    throw new CliError('--ed25519-alg (or CREDSIGN_ED25519_ALG) must be EdDSA or Ed25519', 2)
  if (alg !== undefined) result.ed25519Name = alg

  const maxFailures =
    intSetting(flags, '--lockout-max-failures', env, 'CREDSIGN_LOCKOUT_MAX_FAILURES', 1, 1000) ??
    (compat ? intEnv(env, 'FAILED_ATTEMPTS_MAX_FAILED_ATTEMPTS', 1, 1000) : undefined) ??
    (compat ? EECC_LOCKOUT.maxFailures : undefined)
  const seconds =
    intSetting(flags, '--lockout-seconds', env, 'CREDSIGN_LOCKOUT_SECONDS', 1, 86_400) ??
    (compat ? intEnv(env, 'FAILED_ATTEMPTS_COOLDOWN_PERIOD_SECONDS', 1, 86_400) : undefined) ??
    (compat ? EECC_LOCKOUT.seconds : undefined)
  if (maxFailures !== undefined || seconds !== undefined) {
    // One period for both: failures within it count, and a lock lasts it (the origin's TTL).
    result.lockout = {
      ...(maxFailures === undefined ? {} : { maxFailures }),
      ...(seconds === undefined ? {} : { windowMs: seconds * 1000, lockoutMs: seconds * 1000 }),
    }
  }
  if (!compat) {
    if (stringFlag(flags, '--eecc-table') !== undefined)
      throw new CliError('--eecc-table needs --compat eecc', 2)
    return result
  }

  if (env.REQUEST_ENCRYPTION_ENABLED?.trim().toLowerCase() === 'true') {
    const secret = env.REQUEST_ENCRYPTION_SHARED_SECRET
    if (secret === undefined || Buffer.byteLength(secret, 'utf8') !== 32)
      throw new CliError(
        'REQUEST_ENCRYPTION_SHARED_SECRET must be exactly 32 bytes (as the origin required) when REQUEST_ENCRYPTION_ENABLED=true',
        2,
      )
    io.err(
      'credsign: warning: REQUEST_ENCRYPTION_ENABLED: encrypted request bodies are accepted; they have no replay protection (see docs/http.md); prefer TLS',
    )
    result.requestEncryption = { sharedSecret: secret }
  }
  const corsEnabled = env.CORS_ENABLED?.trim().toLowerCase()
  if (corsEnabled !== undefined && corsEnabled !== '') {
    // The origin: CORS only with CORS_ENABLED=true, then CORS_ORIGINS or every origin.
    if (corsEnabled !== 'true') result.cors = 'off'
    else if (!env.CORS_ORIGINS?.trim()) result.cors = { origins: '*' }
  }
  const version = env.SERVICE_VERSION?.trim()
  result.service = { name: 'key-service', ...(version ? { version } : {}) }
  const table = stringFlag(flags, '--eecc-table') ?? 'public.keys'
  const match = /^(?:([a-z_][a-z0-9_]{0,62})\.)?([a-z_][a-z0-9_]{0,62})$/.exec(table)
  if (match === null)
    throw new CliError('--eecc-table must be TABLE or SCHEMA.TABLE (lower case, _ and digits)', 2)
  result.vault = {
    eecc: {
      schema: match[1] ?? 'public',
      table: match[2] as string,
      iterations: intEnv(env, 'PBKDF2_ITERATIONS', 1, 10_000_000) ?? 100_000,
    },
  }
  if (!env.DATABASE_URL && hasDbVariables(env))
    result.vault.connection = await connectionFromDbEnv(env)
  return result
}

function hasDbVariables(env: CliIo['env']): boolean {
  return ['DB_HOST', 'DB_PORT', 'DB_USERNAME', 'DB_PASSWORD', 'DB_NAME'].some(
    (name) => (env[name] ?? '') !== '',
  )
}

/**
 * The origin's database variables: `DB_HOST/PORT/USERNAME/PASSWORD/NAME` (defaults
 * localhost/5432/postgres/postgres/key_service), `DB_SSL`, `DB_SSL_MODE` (verify-full by default,
 * as in the origin), `DB_SSL_CA/CERT/KEY` (file paths).
 */
async function connectionFromDbEnv(env: CliIo['env']): Promise<PostgresConnectionOptions> {
  const connection: PostgresConnectionOptions = {
    host: env.DB_HOST || 'localhost',
    port: intEnv(env, 'DB_PORT', 1, 65_535) ?? 5432,
    user: env.DB_USERNAME || 'postgres',
    password: env.DB_PASSWORD ?? 'postgres',
    database: env.DB_NAME || 'key_service',
  }
  if (env.DB_SSL?.trim().toLowerCase() === 'true') {
    const mode = env.DB_SSL_MODE?.trim() || 'verify-full'
    if (mode === 'disable') return connection
    if (mode !== 'verify-full' && mode !== 'verify-ca' && mode !== 'require')
      throw new CliError('DB_SSL_MODE must be disable, require, verify-ca or verify-full', 2)
    const ssl: PostgresTlsOptions = { mode }
    if (env.DB_SSL_CA) ssl.ca = await readPem(env.DB_SSL_CA, 'DB_SSL_CA')
    if (env.DB_SSL_CERT) ssl.cert = await readPem(env.DB_SSL_CERT, 'DB_SSL_CERT')
    if (env.DB_SSL_KEY) ssl.key = await readPem(env.DB_SSL_KEY, 'DB_SSL_KEY')
    connection.ssl = ssl
  }
  return connection
}

async function readPem(path: string, name: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new CliError(`cannot read ${path} (${name})${errnoSuffix(error)}`)
  }
}

function intSetting(
  flags: Flags,
  flag: string,
  env: CliIo['env'],
  variable: string,
  min: number,
  max: number,
): number | undefined {
  const raw = stringFlag(flags, flag)
  if (raw !== undefined) return parseBounded(raw, `${flag}`, min, max)
  return intEnv(env, variable, min, max)
}

function intEnv(env: CliIo['env'], name: string, min: number, max: number): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  return parseBounded(raw, name, min, max)
}

function parseBounded(raw: string, name: string, min: number, max: number): number {
  const value = /^\s*\d{1,10}\s*$/.test(raw) ? Number(raw) : Number.NaN
  if (!(value >= min && value <= max))
    throw new CliError(`${name} must be an integer from ${min} to ${max}`, 2)
  return value
}
