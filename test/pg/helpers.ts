// Shared by the test/pg files: the server under test, fresh schemas, and a throwaway private server
// for tests that stop theirs.
import { execFile } from 'node:child_process'
import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import pg from 'pg'
import { describe } from 'vitest'

const run = promisify(execFile)
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The server the pg tests use. Without DATABASE_URL the tests are skipped on a developer machine,
 * but under CI (CI=true) that is a failure: the PostgreSQL tests must never silently not run.
 */
export const databaseUrl: string | undefined = process.env.DATABASE_URL || undefined
if (databaseUrl === undefined && process.env.CI) {
  throw new Error(
    'DATABASE_URL is not set under CI: the PostgreSQL tests must run (.ci/test.sh starts a throwaway server when initdb exists)',
  )
}

/** `describe` when a server is configured, `describe.skip` otherwise (never under CI, see above). */
export const describePg = databaseUrl === undefined ? describe.skip : describe

/** A schema name no other test uses: `prefix_` and 12 random hex digits. */
export function freshSchema(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`
}

/** A pool on `url` for test administration (dropping schemas, planting rows). */
export function adminPool(url: string = databaseUrl as string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max })
  pool.on('error', () => {})
  return pool
}

export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  // The name is a test-generated identifier: [a-z_0-9] only.
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`)
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
}

export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error)
    return String((error as { code: unknown }).code)
  return String(error)
}

export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'resolved'
  } catch (error) {
    return errorCode(error)
  }
}

// A private throwaway server (.ci/pg-up.sh) ------------------------------------------------------

export interface PrivateServer {
  /** The directory pg-up.sh made (data dir, logs, env). */
  dir: string
  url: string
  port: number
  /** Kills the server at once, like a crash or a pulled plug (pg_ctl stop -m immediate). */
  crash(): Promise<void>
  /** Starts it again with the options it had, and waits until it accepts connections. */
  start(): Promise<void>
  /** Stops it and removes its directory. */
  destroy(): Promise<void>
}

function canStartServers(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false
  const bin = process.env.PGBIN
  if (bin !== undefined && existsSync(`${bin}/initdb`)) return true
  return existsSync('/usr/lib/postgresql') || existsSync('/usr/local/bin/initdb')
}

/** Whether this machine can start private servers (root, PostgreSQL binaries): CI can. */
export const privateServersAvailable = canStartServers()

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const match of text.matchAll(/([A-Z_]+)=([^\s]+)/g))
    env[match[1] as string] = match[2] as string
  return env
}

/** Starts a throwaway server with .ci/pg-up.sh (about a second). */
export async function startPrivateServer(): Promise<PrivateServer> {
  const { stdout } = await run('bash', [`${repoRoot}.ci/pg-up.sh`], { cwd: repoRoot })
  const dir = stdout.trim().split('\n').pop() as string
  const env = parseEnv(readFileSync(`${dir}/env`, 'utf8'))
  const bin = env.PGBIN as string
  const url = env.DATABASE_URL as string
  // postmaster.opts holds the exact command line the server started with: reuse its options.
  const opts = readFileSync(`${dir}/data/postmaster.opts`, 'utf8')
  const args = [...opts.matchAll(/"([^"]*)"/g)].map((m) => m[1] as string)
  const serverOptions = args.filter((_, i) => args[i] !== '-D' && args[i - 1] !== '-D')
  const asPostgres = (command: string, commandArgs: string[]) =>
    run('runuser', ['-u', 'postgres', '--', command, ...commandArgs])
  return {
    dir,
    url,
    port: Number(env.PGPORT),
    async crash() {
      await asPostgres(`${bin}/pg_ctl`, ['-D', `${dir}/data`, '-m', 'immediate', '-w', 'stop'])
    },
    async start() {
      await asPostgres(`${bin}/pg_ctl`, [
        '-D',
        `${dir}/data`,
        '-l',
        `${dir}/server.log`,
        '-w',
        '-t',
        '60',
        '-o',
        serverOptions.join(' '),
        'start',
      ])
    },
    async destroy() {
      await run('bash', [`${repoRoot}.ci/pg-down.sh`, dir])
    },
  }
}

// The EECC key service's table and blobs, written from its documented scheme with node:crypto
// only (nothing of src/), for the tests of the migration of its keys -------------------------------

/** The origin's `keys` table as its production migration makes it: no unique constraint. */
export async function createEeccKeysTable(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`CREATE TABLE "${schema}"."keys" (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    identifier varchar(255) NOT NULL,
    key_type varchar(50) NOT NULL,
    signature_type varchar(50) NOT NULL,
    encrypted_private_key text NOT NULL,
    encrypted_public_key text NOT NULL,
    created_at timestamp NOT NULL DEFAULT now())`)
}

/**
 * An origin blob: hex `salt:iv:tag:ciphertext`, AES-256-GCM under PBKDF2-SHA-256 of the secrets
 * sorted and joined, then the service secret.
 */
export function eeccEncrypt(
  plaintext: string,
  secrets: string[],
  serviceSecret: string,
  iterations: number,
): string {
  const salt = randomBytes(32)
  const iv = randomBytes(16)
  const key = pbkdf2Sync(
    [...secrets].sort().join('') + serviceSecret,
    salt,
    iterations,
    32,
    'sha256',
  )
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return [salt, iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('hex')).join(':')
}
