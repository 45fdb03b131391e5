import { randomBytes } from 'node:crypto'
import { link, mkdir, open, stat, unlink } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { DEFAULT_KDF } from '../envelope/kdf-params.js'
import type { CallerSecret } from '../envelope/caller-secrets.js'
import type { KdfParams } from '../envelope/types.js'
import { CredsignError } from '../errors/credsign-error.js'
import { FileStore, loadServiceSecret } from '../file/file-store.js'
import type { KeyStore } from '../stores/key-store.js'
import type { AttemptLimiter } from '../vault/attempt-limiter.js'
import { MemoryAttemptLimiter } from '../vault/memory-attempt-limiter.js'
import { KeyVault } from '../vault/key-vault.js'
import type { LockoutPolicy } from '../vault/attempt-limiter.js'
import type { LegacyKeySource } from '../vault/legacy-key-source.js'
import { LONG_KEY_ID_LENGTH } from '../stores/key-id.js'
import type { ServeCompat } from './serve-compat.js'
import type { UnlockCacheOptions } from '../vault/unlock-cache.js'
import { CliError, stringFlag, type Flags } from './flags.js'
import type { CliIo } from './run.js'
import { wrapStore } from './wrap-store.js'
import { loadPostgresStore } from './postgres-modules.js'

/*
 * What the commands share: where the data lives, the service secret, the store (files or
 * PostgreSQL), the KDF and unlock cache settings, and the caller secrets of keygen / sign. Every
 * message names a file or a variable, never a secret's value.
 */

/**
 * Default `--data-dir`: keys in `./credsign-data/keys`, the development secret and token beside
 * them.
 *
 * @example
 *
 * ```ts
 * resolve(DEFAULT_DATA_DIR, 'api-token') // <cwd>/credsign-data/api-token
 * ```
 *
 * @internal
 */
export const DEFAULT_DATA_DIR = './credsign-data'
/**
 * The origin service's default service secret path, used in production when SIGNING_KEY_PATH is
 * unset.
 *
 * @example
 *
 * ```ts
 * const path = process.env.SIGNING_KEY_PATH ?? PRODUCTION_SECRET_PATH // '/run/secrets/signing-key'
 * ```
 *
 * @internal
 */
export const PRODUCTION_SECRET_PATH = '/run/secrets/signing-key'
/** Largest file the CLI reads as a document, secret list or token list. */
const MAX_INPUT_BYTES = 16 * 1024 * 1024
const MAX_SMALL_FILE_BYTES = 64 * 1024

/**
 * Whether the process runs in production (`NODE_ENV=production`): then nothing is created on the
 * fly (service secret, API token) and a missing one is an error.
 *
 * @example
 *
 * ```ts
 * isProduction({ NODE_ENV: 'production' }) // true
 * ```
 *
 * @internal
 */
export function isProduction(env: CliIo['env']): boolean {
  return env.NODE_ENV === 'production'
}

/**
 * The data directory: `--data-dir`, else `CREDSIGN_DATA_DIR`, else `./credsign-data`, absolute.
 *
 * @example
 *
 * ```ts
 * dataDirOf({ '--data-dir': '/var/lib/credsign' }, {}) // '/var/lib/credsign'
 * ```
 *
 * @internal
 */
export function dataDirOf(flags: Flags, env: CliIo['env']): string {
  return resolve(stringFlag(flags, '--data-dir') ?? (env.CREDSIGN_DATA_DIR || DEFAULT_DATA_DIR))
}

/** An integer from an environment variable, within bounds, or a usage error naming the variable. */
function intFromEnv(env: CliIo['env'], name: string, min: number, max: number): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(
      `${name} must be an integer from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}`,
      2,
    )
  }
  return value
}

/**
 * The KDF for new envelopes from `PBKDF2_ITERATIONS` (1,000 to 10,000,000; the library default
 * 600,000 when unset). Keys sealed earlier keep the parameters stored in their envelopes.
 *
 * @example
 *
 * ```ts
 * kdfFromEnv({ PBKDF2_ITERATIONS: '1000' }, io) // { id: 'pbkdf2-sha256', iterations: 1000 } (and a warning unless `warn` is false)
 * ```
 *
 * @internal
 */
export function kdfFromEnv(env: CliIo['env'], io: CliIo, warn = true): KdfParams | undefined {
  const iterations = intFromEnv(env, 'PBKDF2_ITERATIONS', 1_000, 10_000_000)
  if (iterations === undefined) return undefined
  if (warn && iterations < DEFAULT_KDF.iterations) {
    io.err(
      `credsign: warning: PBKDF2_ITERATIONS=${iterations} is below the default ${DEFAULT_KDF.iterations.toLocaleString('en')}: keys sealed now are cheaper to brute-force`,
    )
  }
  return { id: 'pbkdf2-sha256', iterations }
}

/**
 * The opt-in unlock cache from `CREDSIGN_UNLOCK_CACHE_TTL_MS` (1 to 3,600,000 ms); off when unset.
 *
 * @example
 *
 * ```ts
 * unlockCacheFromEnv({ CREDSIGN_UNLOCK_CACHE_TTL_MS: '60000' }) // { ttlMs: 60000 }
 * ```
 *
 * @internal
 */
export function unlockCacheFromEnv(env: CliIo['env']): UnlockCacheOptions | undefined {
  const ttlMs = intFromEnv(env, 'CREDSIGN_UNLOCK_CACHE_TTL_MS', 1, 3_600_000)
  return ttlMs === undefined ? undefined : { ttlMs }
}

/**
 * Whether a path exists (any kind of file). Errors other than "not found" are reported.
 *
 * @example
 *
 * ```ts
 * await exists('./credsign-data/service-secret') // false on the first run
 * ```
 *
 * @internal
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return false
    throw new CliError(`cannot read ${path}${errnoSuffix(error)}`)
  }
}

/**
 * ` (ENOENT)` for a Node file system error, or nothing: the one detail of an error worth printing.
 *
 * @example
 *
 * ```ts
 * throw new CliError(`cannot read ${path}${errnoSuffix(error)}`)
 * ```
 *
 * @internal
 */
export function errnoSuffix(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? ` (${code})` : ''
}

/**
 * Reads a whole file as UTF-8, refusing files over `maxBytes` (a misconfigured path: a log, a
 * device).
 *
 * @example
 *
 * ```ts
 * const text = await readTextFile('./vc.json')
 * ```
 *
 * @internal
 */
export async function readTextFile(
  path: string,
  maxBytes: number = MAX_INPUT_BYTES,
): Promise<string> {
  let bytes: Buffer
  try {
    const handle = await open(path, 'r')
    try {
      const size = (await handle.stat()).size
      if (size > maxBytes) throw new CliError(`${path} is larger than ${maxBytes} bytes`)
      bytes = await handle.readFile()
    } finally {
      await handle.close()
    }
  } catch (error) {
    if (error instanceof CliError) throw error
    throw new CliError(`cannot read ${path}${errnoSuffix(error)}`)
  }
  if (bytes.length > maxBytes) throw new CliError(`${path} is larger than ${maxBytes} bytes`)
  return bytes.toString('utf8')
}

/**
 * Writes `text` to a new file with mode 0600; `false` (and nothing written) when it already exists.
 * The file appears whole or not at all (written under a temporary name, then linked into place), so
 * a second process starting at the same moment reads the complete file.
 *
 * @example
 *
 * ```ts
 * await writeNewPrivateFile('./credsign-data/api-token', token + '\n')
 * ```
 *
 * @internal
 */
export async function writeNewPrivateFile(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.chmod(0o600)
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await link(temp, path)
    return true
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return false
    throw new CliError(`cannot create ${path}${errnoSuffix(error)}`)
  } finally {
    await unlink(temp).catch(() => undefined)
  }
}

/**
 * The data directory, created (mode 0700) when missing.
 *
 * @example
 *
 * ```ts
 * await ensureDataDir('/var/lib/credsign')
 * ```
 *
 * @internal
 */
export async function ensureDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
  } catch (error) {
    throw new CliError(`cannot create the data directory ${dataDir}${errnoSuffix(error)}`)
  }
}

/**
 * The service secret, from the file at `SIGNING_KEY_PATH` (default: `DATA_DIR/service-secret` in
 * development, `/run/secrets/signing-key` in production), trimmed, at least 32 bytes. A missing
 * file is created (32 random bytes, base64url, mode 0600) in development with a one-line warning,
 * and is an error in production. The secret itself is never printed.
 *
 * @example
 *
 * ```ts
 * const secret = await loadCliServiceSecret(process.env, '/var/lib/credsign', io)
 * ```
 *
 * @internal
 */
export async function loadCliServiceSecret(
  env: CliIo['env'],
  dataDir: string,
  io: CliIo,
): Promise<Uint8Array> {
  const production = isProduction(env)
  const configured = env.SIGNING_KEY_PATH?.trim() || undefined
  const path = resolve(
    configured ?? (production ? PRODUCTION_SECRET_PATH : join(dataDir, 'service-secret')),
  )
  const present = await exists(path)
  if (!present && production) {
    throw new CliError(
      `the service secret file ${path} does not exist. In production, provision it (32+ random bytes, e.g. \`openssl rand -base64 48\`, ` +
        'readable by this user only, backed up) and point SIGNING_KEY_PATH at it; credsign creates one only when NODE_ENV is not production',
    )
  }
  try {
    if (!present) {
      if (configured === undefined) await ensureDataDir(dataDir)
      const secret = await loadServiceSecret(path, { createIfMissing: true })
      io.err(
        `credsign: warning: created a development service secret in ${path}; keys sealed under it cannot be opened without it (in production, provision SIGNING_KEY_PATH)`,
      )
      return secret
    }
    return await loadServiceSecret(path)
  } catch (error) {
    if (CredsignError.is(error, 'invalid_service_secret'))
      throw new CliError(`${error.message} (SIGNING_KEY_PATH)`)
    throw error
  }
}

/**
 * The caller secrets of a key: the lines of `--secrets-file PATH`, else of `CREDSIGN_SECRETS`. Each
 * non-empty line is one secret, exactly as written (only the line break is removed). Never taken
 * from the command line, where every user of the machine can read them (`ps`).
 *
 * @example
 *
 * ```ts
 * await readCallerSecrets({}, { CREDSIGN_SECRETS: 'first secret\nsecond secret' }) // ['first secret', 'second secret']
 * ```
 *
 * @internal
 */
export async function readCallerSecrets(flags: Flags, env: CliIo['env']): Promise<CallerSecret[]> {
  const file = stringFlag(flags, '--secrets-file')
  let text: string
  let source: string
  if (file !== undefined) {
    text = await readTextFile(file, MAX_SMALL_FILE_BYTES)
    source = file
  } else if (env.CREDSIGN_SECRETS !== undefined) {
    text = env.CREDSIGN_SECRETS
    source = 'CREDSIGN_SECRETS'
  } else {
    throw new CliError(
      "the key's secrets are needed: --secrets-file PATH (one per line) or CREDSIGN_SECRETS (one per line); never as arguments, which other users can read",
      2,
    )
  }
  const secrets = text.split(/\r?\n/).filter((line) => line !== '')
  if (secrets.length === 0) throw new CliError(`${source} holds no secret (one per line)`, 2)
  if (secrets.length > 10)
    throw new CliError(`${source} holds ${secrets.length} lines; a key has 1 to 10 secrets`, 2)
  return secrets
}

/**
 * A vault and the store under it, and how to release them.
 *
 * @example
 *
 * ```ts
 * const opened: CliVault = await openCliVault(io, { dataDir, migrations: 'require' })
 * await opened.close()
 * ```
 *
 * @internal
 */
export interface CliVault {
  vault: KeyVault
  store: KeyStore
  /** `files in DIR` or `PostgreSQL` (never the URL). */
  where: string
  close(): Promise<void>
}

/**
 * How {@link openCliVault} treats the PostgreSQL schema: `apply` pending migrations, or `require`
 * that none is pending.
 *
 * @example
 *
 * ```ts
 * const policy: MigrationPolicy = flags['--no-migrate'] ? 'require' : 'apply'
 * ```
 *
 * @internal
 */
export type MigrationPolicy = 'apply' | 'require'

/**
 * Opens the store (PostgreSQL when `DATABASE_URL` is set, else a FileStore in `DATA_DIR/keys`) and
 * a vault on it. With PostgreSQL, `apply` runs the pending non-destructive migrations (idempotent
 * and serialized by an advisory lock, so replicas may start together); `require` changes nothing
 * and fails if any is pending. `serviceSecret: 'none'` makes a vault for public reads only
 * (verify); `sealsKeys` warns about a weak `PBKDF2_ITERATIONS` (commands that create keys).
 *
 * @example
 *
 * ```ts
 * const { vault, close } = await openCliVault(io, {
 *   dataDir: '/var/lib/credsign',
 *   migrations: 'require',
 * })
 * try {
 *   console.log(await vault.jwks())
 * } finally {
 *   await close()
 * }
 * ```
 *
 * @internal
 */
export async function openCliVault(
  io: CliIo,
  options: {
    dataDir: string
    migrations: MigrationPolicy
    schema?: string | undefined
    serviceSecret?: 'load' | 'none'
    sealsKeys?: boolean
    /**
     * Public reads only (verify): the store refuses every write, and a missing key directory is
     * read as empty instead of being created.
     */
    readOnly?: boolean
    /**
     * The attempt limiter for a file store (default: one in this process's memory). With PostgreSQL
     * the store's shared limiter is used and this is ignored.
     */
    fileLimiter?: AttemptLimiter
    /** Wrappers that observe the store and the limiter (`credsign serve`'s metrics). */
    instrument?: {
      store(store: KeyStore): KeyStore
      limiter(limiter: AttemptLimiter): AttemptLimiter
    }
    /** The failed-attempt policy (`serve --lockout-*`, or the origin's in compat mode). */
    lockout?: LockoutPolicy
    /**
     * `serve --compat eecc`: long key ids, the origin's keys moving on first use (PostgreSQL),
     * PBKDF2_ITERATIONS as the origin's count (not credsign's KDF), DB_* when DATABASE_URL is
     * unset.
     */
    eecc?: NonNullable<ServeCompat['vault']>
  },
): Promise<CliVault> {
  const env = io.env
  const eecc = options.eecc
  // In compat mode PBKDF2_ITERATIONS is the origin's count, for its rows only.
  const kdf = eecc === undefined ? kdfFromEnv(env, io, options.sealsKeys === true) : undefined
  const maxKeyIdLength = eecc === undefined ? {} : { maxKeyIdLength: LONG_KEY_ID_LENGTH }
  const unlockCache = unlockCacheFromEnv(env)
  const serviceSecret =
    options.serviceSecret === 'none'
      ? randomBytes(32)
      : await loadCliServiceSecret(env, options.dataDir, io)
  let store: KeyStore
  let limiter: AttemptLimiter | undefined
  let where: string
  let close: () => Promise<void> = async () => undefined
  let legacyKeys: LegacyKeySource | undefined
  const connection = env.DATABASE_URL || eecc?.connection
  if (connection) {
    const { PostgresStore } = await loadPostgresStore()
    const pgStore = new PostgresStore({
      connection,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...maxKeyIdLength,
    })
    close = () => pgStore.close().catch(() => undefined)
    try {
      if (options.migrations === 'apply') {
        const result = await pgStore.migrate()
        if (result.applied.length > 0)
          io.err(
            `credsign: applied PostgreSQL migration${result.applied.length === 1 ? '' : 's'} ${result.applied.join(', ')} (schema version ${result.version})`,
          )
      } else {
        const { pending } = await pgStore.migrationStatus()
        if (pending.length > 0)
          throw new CliError(
            `the database schema has pending migrations (${pending.join(', ')}): run \`credsign migrate\` first`,
          )
      }
    } catch (error) {
      await close()
      throw error
    }
    store = pgStore
    limiter = pgStore.attemptLimiter(options.lockout ?? {})
    where = `PostgreSQL (schema ${pgStore.names.schema})`
    if (eecc !== undefined && options.readOnly !== true)
      legacyKeys = pgStore.eeccLegacyKeys({
        serviceSecret,
        iterations: eecc.eecc.iterations,
        schema: eecc.eecc.schema,
        table: eecc.eecc.table,
      })
  } else {
    const directory = join(options.dataDir, 'keys')
    // FileStore creates its directory on first use, even for a read: a reader that finds none
    // reads an empty store instead, so verifying never leaves a directory behind.
    store =
      options.readOnly === true && !(await exists(directory))
        ? EMPTY_STORE
        : new FileStore({ directory, ...maxKeyIdLength })
    where = `encrypted files in ${directory}`
  }
  if (options.readOnly === true) store = readOnlyStore(store)
  if (options.instrument !== undefined) {
    limiter = options.instrument.limiter(
      limiter ?? options.fileLimiter ?? new MemoryAttemptLimiter(options.lockout ?? {}),
    )
    store = options.instrument.store(store)
  } else if (limiter === undefined && options.fileLimiter !== undefined) {
    limiter = options.fileLimiter
  }
  const vault = new KeyVault({
    store,
    serviceSecret,
    ...(kdf === undefined ? {} : { kdf }),
    ...(unlockCache === undefined ? {} : { unlockCache }),
    ...(limiter === undefined ? {} : { limiter }),
    ...(options.lockout === undefined ? {} : { lockout: options.lockout }),
    ...(legacyKeys === undefined ? {} : { legacyKeys }),
  })
  return { vault, store, where, close }
}

/** No keys at all: what a reader sees of a key directory that does not exist. */
const EMPTY_STORE: KeyStore = {
  create: () => Promise.reject(readOnlyRefusal()),
  update: () => Promise.reject(readOnlyRefusal()),
  delete: () => Promise.reject(readOnlyRefusal()),
  get: async () => undefined,
  list: async () => ({ records: [] }),
}

function readOnlyRefusal(): CredsignError {
  return new CredsignError('store_unavailable', 'this command opens the key store read-only')
}

/**
 * `store` for reading only: `get`, `list` and `ping` pass through; `create`, `update` and `delete`
 * fail with `store_unavailable` and never reach it.
 *
 * @example
 *
 * ```ts
 * const store = readOnlyStore(new FileStore({ directory: './credsign-data/keys' }))
 * await store.get('did:web:issuer.example#key-1')
 * ```
 *
 * @internal
 */
export function readOnlyStore(store: KeyStore): KeyStore {
  return wrapStore(store, {
    create: () => Promise.reject(readOnlyRefusal()),
    update: () => Promise.reject(readOnlyRefusal()),
    delete: () => Promise.reject(readOnlyRefusal()),
  })
}

/**
 * The document a command works on: the file named by `--in`, or stdin for `--in -` and when `--in`
 * is absent (a usage error if stdin is a terminal).
 *
 * @example
 *
 * ```ts
 * const text = await readInput({ '--in': 'vc.json' }, io)
 * ```
 *
 * @internal
 */
export async function readInput(flags: Flags, io: CliIo): Promise<string> {
  const path = stringFlag(flags, '--in') ?? '-'
  if (path !== '-') return readTextFile(path)
  if (io.readStdin !== undefined) return io.readStdin()
  if (process.stdin.isTTY) throw new CliError('pass --in FILE, or pipe the document into stdin', 2)
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    length += chunk.length
    if (length > 16 * 1024 * 1024) throw new CliError('stdin holds more than 16 MiB')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
