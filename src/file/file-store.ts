import { chmod, link, mkdir, open, stat, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { CredsignError } from '../errors/credsign-error.js'
import { b64u, copyBytes, fromUtf8, randomBytes, utf8, wipe } from '../util/bytes.js'
import {
  AtomicDirectory,
  closeQuietly,
  errnoOf,
  readRegularFile,
  readWhole,
  unavailable,
  unlinkQuietly,
} from './atomic-file.js'
import {
  describeKeyId,
  resolveMaxKeyIdLength,
  validateKeyId,
  LONG_KEY_ID_LENGTH,
} from '../stores/key-id.js'
import type { KeyRecord, KeyRecordPage, KeyStore, ListOptions } from '../stores/key-store.js'
import {
  cloneKeyRecord,
  compareKeyIds,
  decodeListCursor,
  encodeListCursor,
  prepareRecordForWrite,
  resolveListLimit,
  validateKeyRecord,
  validateRevision,
} from '../stores/record.js'

/**
 * Options of {@link FileStore}.
 *
 * @example
 *
 * ```ts
 * import { FileStore, type FileStoreOptions } from 'credsign/file'
 * const options: FileStoreOptions = { directory: '/var/lib/issuer/keys', lockTimeoutMs: 5_000 }
 * const store = new FileStore(options)
 * ```
 */
export interface FileStoreOptions {
  /** The directory holding one file per key. Created with mode 0700 if missing. */
  directory: string
  /**
   * How long an update or delete waits for another writer's lock on the same id before failing with
   * `store_unavailable`, in milliseconds. Default 10,000.
   */
  lockTimeoutMs?: number
  /**
   * Age (by modification time) after which a lock file is taken to be left by a crashed process and
   * is broken, in milliseconds. Default 30,000; at least 100. Must exceed the longest a single
   * write can take. A lock left by a crash delays writes to that one id until it is this old.
   */
  staleLockMs?: number
  /**
   * Longest key id accepted (default 500, at most 2,048). File names do not grow with it: they hold
   * a 40-character readable prefix and a hash of the id.
   */
  maxKeyIdLength?: number
}

/**
 * Options of {@link FileStore.cleanup}.
 *
 * @example
 *
 * ```ts
 * import { FileStore } from 'credsign/file'
 * await new FileStore({ directory: './keys' }).cleanup({ olderThanMs: 10 * 60_000 })
 * ```
 */
export interface FileStoreCleanupOptions {
  /** Temporary files older than this many milliseconds are removed. Default 60,000. */
  olderThanMs?: number
}

// Readable part of a file name: at most this many characters of the id.
const READABLE_PREFIX_LENGTH = 60
// 128 bits of SHA-256 of the exact id: collisions are out of reach, and the name stays short.
const HASH_HEX_LENGTH = 32
const KEY_FILE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,59}\.[0-9a-f]{32}\.json$/
const LOCK_FILE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,59}\.[0-9a-f]{32}\.lock$/
// Every transient file starts with a dot, which no key file name does, so they can never collide.
const TEMP_PREFIX = '.tmp-'
// Files read concurrently by list(): enough for throughput, far from any open-files limit.
const READ_CONCURRENCY = 16
const DEFAULT_LOCK_TIMEOUT_MS = 10_000
const DEFAULT_STALE_LOCK_MS = 30_000
const MIN_STALE_LOCK_MS = 100
const DEFAULT_TEMP_AGE_MS = 60_000

/**
 * The file name (without extension) a key id is stored under: up to 60 characters of the id with
 * anything outside `[A-Za-z0-9._-]` replaced by `_` (never a leading dot), then `.` and the first
 * 32 hex characters of SHA-256 of the exact id. The hash keeps ids apart that a case-insensitive
 * file system or the replacement would merge (`a` and `A`, `k#1` and `k%1`); the prefix is for
 * humans.
 *
 * @example
 *
 * ```ts
 * import { keyFileStem } from 'credsign/file'
 * console.log(keyFileStem('did:web:issuer.example#key-1')) // 'did_web_issuer.example_key-1.<32 hex>'
 * ```
 */
export function keyFileStem(id: string): string {
  validateKeyId(id, LONG_KEY_ID_LENGTH)
  const readable = id
    .slice(0, READABLE_PREFIX_LENGTH)
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\./, '_')
  return `${readable}.${bytesToHex(sha256(utf8(id))).slice(0, HASH_HEX_LENGTH)}`
}

/** The bytes of a key file: pretty JSON, so an operator can read the public parts. */
function serializeRecord(record: KeyRecord): Uint8Array {
  return utf8(`${JSON.stringify(record, null, 2)}\n`)
}

function randomName(kind: string): string {
  return `${TEMP_PREFIX}${kind}${bytesToHex(randomBytes(12))}`
}

/**
 * A {@link KeyStore} keeping one JSON file per key in a directory: for single-host deployments,
 * development and tests. Safe with many concurrent callers in one process and across processes on
 * one host (or a file system with POSIX `link`, `rename` and `O_EXCL` semantics).
 *
 * - Files have mode 0600; the directory is created with mode 0700 if missing.
 * - Every write goes to a temporary file that is synced, then linked (create) or renamed (update)
 *   into place, and the directory is synced: a crash leaves the old or the new file, never a half
 *   one. Leftover `.tmp-*` files are harmless; {@link FileStore.cleanup} removes them.
 * - Creates are atomic through `link`, which fails if the name exists. Updates and deletes
 *   compare-and-swap under a per-id lock: a promise chain in the process plus an `O_EXCL` lock file
 *   across processes, broken when older than `staleLockMs`.
 * - A file that does not parse, fails validation or holds another id is reported as `store_corrupt`
 *   naming it, and is never overwritten or deleted: move it aside by hand after inspection.
 * - `list` reads every file, so it suits thousands of keys, not millions.
 *
 * The file system must support hard links (ext4, XFS, APFS, NTFS... but not FAT).
 *
 * @example
 *
 * ```ts
 * import { KeyVault } from 'credsign'
 * import { FileStore, loadServiceSecret } from 'credsign/file'
 * const store = new FileStore({ directory: './keys' })
 * await store.ping()
 * const vault = new KeyVault({
 *   store,
 *   serviceSecret: await loadServiceSecret('./service-secret', { createIfMissing: true }),
 * })
 * ```
 */
export class FileStore implements KeyStore {
  /** The absolute directory path. */
  readonly directory: string
  /** Longest key id accepted (default 500). */
  readonly maxKeyIdLength: number
  readonly #files: AtomicDirectory

  /**
   * Makes a store on `options.directory`. Touches nothing yet: the directory is created on first
   * use. Throws `invalid_argument` for a missing directory or negative durations.
   *
   * @example
   *
   * ```ts
   * import { FileStore } from 'credsign/file'
   * const store = new FileStore({ directory: './keys' })
   * ```
   */
  constructor(options: FileStoreOptions) {
    if (typeof options?.directory !== 'string' || options.directory === '') {
      throw new CredsignError('invalid_argument', 'FileStore needs a directory')
    }
    this.directory = resolve(options.directory)
    this.maxKeyIdLength = resolveMaxKeyIdLength(options.maxKeyIdLength)
    const lockTimeoutMs = FileStore.#duration(
      options.lockTimeoutMs,
      DEFAULT_LOCK_TIMEOUT_MS,
      'lockTimeoutMs',
    )
    const staleLockMs = FileStore.#duration(
      options.staleLockMs,
      DEFAULT_STALE_LOCK_MS,
      'staleLockMs',
    )
    // A lock judged stale while its holder still works breaks mutual exclusion; no write takes 100 ms.
    if (staleLockMs < MIN_STALE_LOCK_MS) {
      throw new CredsignError(
        'invalid_argument',
        `FileStore staleLockMs must be at least ${MIN_STALE_LOCK_MS}`,
      )
    }
    this.#files = new AtomicDirectory(this.directory, {
      lockTimeoutMs,
      staleLockMs,
      tempPrefix: TEMP_PREFIX,
    })
  }

  static #duration(value: unknown, fallback: number, name: string): number {
    if (value === undefined) return fallback
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new CredsignError(
        'invalid_argument',
        `FileStore ${name} must be a non-negative number of milliseconds`,
      )
    }
    return value
  }

  /**
   * Stores `record` with revision 1 in a new file; `exists` if a file for the id is there (even a
   * corrupt one, which is left untouched).
   *
   * @example
   *
   * ```ts
   * import { FileStore } from 'credsign/file'
   * import { makeTestRecord } from 'credsign/testing'
   * const store = new FileStore({ directory: './keys' })
   * console.log((await store.create(makeTestRecord('issuer-1'))).revision) // 1
   * ```
   */
  async create(record: KeyRecord): Promise<KeyRecord> {
    const stored = prepareRecordForWrite(record, 1, this.maxKeyIdLength)
    await this.#ensureDirectory()
    const path = this.#path(`${keyFileStem(stored.id)}.json`)
    // Exactly one of many concurrent creates wins, and the winner's file appears complete.
    if (!(await this.#files.create(path, serializeRecord(stored)))) {
      throw new CredsignError(
        'exists',
        `a key record with id ${describeKeyId(stored.id)} already exists`,
      )
    }
    return cloneKeyRecord(stored)
  }

  /**
   * The record with this id, or `undefined`; `store_corrupt` (naming the file) if its file is
   * unreadable.
   *
   * @example
   *
   * ```ts
   * import { FileStore } from 'credsign/file'
   * console.log(await new FileStore({ directory: './keys' }).get('nobody')) // undefined
   * ```
   */
  async get(id: string): Promise<KeyRecord | undefined> {
    validateKeyId(id, this.maxKeyIdLength)
    const name = `${keyFileStem(id)}.json`
    await this.#ensureDirectory()
    const record = await this.#read(name)
    // The name embeds a hash of the id, so only a planted or damaged file can hold another id.
    if (record !== undefined && record.id !== id) {
      throw new CredsignError(
        'store_corrupt',
        `file store: ${this.#path(name)} holds key id ${describeKeyId(record.id)}, not ${describeKeyId(id)}`,
      )
    }
    return record
  }

  /**
   * Replaces the record if its stored revision is `record.revision`, atomically by rename under the
   * id's lock; the new file has revision + 1.
   *
   * @example
   *
   * ```ts
   * import { FileStore } from 'credsign/file'
   * const store = new FileStore({ directory: './keys' })
   * const record = await store.get('issuer-1')
   * if (record) await store.update({ ...record, updatedAt: new Date().toISOString() })
   * ```
   */
  async update(record: KeyRecord): Promise<KeyRecord> {
    validateRevision((record as Partial<KeyRecord> | null)?.revision)
    const next = prepareRecordForWrite(record, record.revision + 1, this.maxKeyIdLength)
    const stem = keyFileStem(next.id)
    await this.#ensureDirectory()
    return this.#exclusive(stem, async () => {
      const path = this.#path(`${stem}.json`)
      const current = await this.#read(`${stem}.json`)
      if (current === undefined)
        throw new CredsignError('not_found', `no key record with id ${describeKeyId(next.id)}`)
      if (current.revision !== record.revision) {
        throw new CredsignError(
          'conflict',
          `key record ${describeKeyId(next.id)} is at revision ${current.revision}, not ${record.revision}`,
        )
      }
      await this.#files.replace(path, serializeRecord(next))
      return cloneKeyRecord(next)
    })
  }

  /**
   * Deletes the record's file under the id's lock (only at `expectedRevision`, when given); `false`
   * if there was none. A corrupt file is not deleted: `store_corrupt`.
   *
   * @example
   *
   * ```ts
   * import { FileStore } from 'credsign/file'
   * console.log(await new FileStore({ directory: './keys' }).delete('nobody')) // false
   * ```
   */
  async delete(id: string, expectedRevision?: number): Promise<boolean> {
    validateKeyId(id, this.maxKeyIdLength)
    const stem = keyFileStem(id)
    if (expectedRevision !== undefined) validateRevision(expectedRevision, 'expectedRevision')
    await this.#ensureDirectory()
    return this.#exclusive(stem, async () => {
      const path = this.#path(`${stem}.json`)
      // Read first even without expectedRevision: a corrupt file must be reported, not silently removed.
      const current = await this.#read(`${stem}.json`)
      if (current === undefined) return false
      if (expectedRevision !== undefined && current.revision !== expectedRevision) {
        throw new CredsignError(
          'conflict',
          `key record ${describeKeyId(id)} is at revision ${current.revision}, not ${expectedRevision}`,
        )
      }
      try {
        await unlink(path)
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') return false
        throw unavailable('delete', path, error)
      }
      await this.#files.sync()
      return true
    })
  }

  /**
   * A page of records in ascending id order. Reads and validates every key file in the directory,
   * so a corrupt file fails the listing with `store_corrupt` naming it rather than hiding a key.
   *
   * @example
   *
   * ```ts
   * import { FileStore } from 'credsign/file'
   * const store = new FileStore({ directory: './keys' })
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
    const names = await this.#readDirectory()
    const keyNames = names.filter((name) => KEY_FILE.test(name))
    const records: KeyRecord[] = []
    for (let start = 0; start < keyNames.length; start += READ_CONCURRENCY) {
      const batch = await Promise.all(
        keyNames.slice(start, start + READ_CONCURRENCY).map((name) => this.#read(name)),
      )
      for (const record of batch) {
        // undefined: deleted since readdir, which is fine.
        if (record !== undefined && (after === undefined || record.id > after)) records.push(record)
      }
    }
    records.sort((a, b) => compareKeyIds(a.id, b.id))
    const page = records.slice(0, limit)
    const last = page[page.length - 1]
    return records.length > limit && last !== undefined
      ? { records: page, nextCursor: encodeListCursor(last.id) }
      : { records: page }
  }

  /**
   * Checks that the directory exists (creating it if needed) and can be listed, written and
   * cleaned: `store_unavailable` otherwise.
   *
   * @example
   *
   * ```ts
   * import { FileStore } from 'credsign/file'
   * await new FileStore({ directory: './keys' }).ping()
   * ```
   */
  async ping(): Promise<void> {
    await this.#readDirectory()
    // The same write path a key takes (create, write, fsync), on a throwaway file.
    await unlinkQuietly(await this.#files.writeTemp(utf8('ping'), 'ping-'))
  }

  /**
   * Removes temporary files left by crashed writers (older than a minute by default) and lock files
   * older than `staleLockMs`. Optional: leftovers never affect correctness. Resolves with how many
   * files were removed.
   *
   * @example
   *
   * ```ts
   * import { FileStore } from 'credsign/file'
   * const removed = await new FileStore({ directory: './keys' }).cleanup()
   * console.log(`${removed} leftover files removed`)
   * ```
   */
  async cleanup(options: FileStoreCleanupOptions = {}): Promise<number> {
    const olderThanMs = FileStore.#duration(options.olderThanMs, DEFAULT_TEMP_AGE_MS, 'olderThanMs')
    const names = await this.#readDirectory()
    let removed = 0
    for (const name of names) {
      const path = this.#path(name)
      if (name.startsWith(TEMP_PREFIX)) {
        try {
          const info = await stat(path)
          if (!info.isFile() || Date.now() - info.mtimeMs < olderThanMs) continue
          await unlink(path)
          removed++
        } catch (error) {
          if (errnoOf(error) !== 'ENOENT') throw unavailable('remove', path, error)
        }
      } else if (LOCK_FILE.test(name)) {
        if (await this.#files.breakStaleLock(path)) removed++
      }
    }
    return removed
  }

  #path(name: string): string {
    return this.#files.path(name)
  }

  #ensureDirectory(): Promise<void> {
    return this.#files.ensure()
  }

  /** Reads and validates a key file; `undefined` if absent, `store_corrupt` naming it if bad. */
  async #read(name: string): Promise<KeyRecord | undefined> {
    const path = this.#path(name)
    let bytes: Uint8Array
    try {
      bytes = await readRegularFile(path)
    } catch (error) {
      const code = errnoOf(error)
      if (code === 'ENOENT') return undefined
      if (code === 'ENOTREG')
        throw new CredsignError(
          'store_corrupt',
          `file store: ${path} is not a regular file (a FIFO, device or socket); it was left untouched`,
        )
      if (code === 'EISDIR')
        throw new CredsignError(
          'store_corrupt',
          `file store: ${path} is a directory, not a key file`,
          { cause: error },
        )
      if (code === 'EFBIG')
        throw new CredsignError(
          'store_corrupt',
          `file store: ${path} is far too large for a key file; it was left untouched`,
          { cause: error },
        )
      throw unavailable('read', path, error)
    }
    let value: unknown
    try {
      value = JSON.parse(fromUtf8(bytes))
    } catch {
      // No cause: the engine's SyntaxError quotes the text around the fault, and the text is a
      // sealed key record — or, through a symlink a store writer made, a file only the service can
      // read (its service secret) — which no log of this error may carry a piece of.
      throw new CredsignError(
        'store_corrupt',
        `file store: ${path} is not valid UTF-8 JSON; it was left untouched`,
      )
    }
    validateKeyRecord(value, 'store_corrupt', path)
    // The id inside is authoritative; a file copied or renamed onto another id's name is corrupt.
    if (`${keyFileStem(value.id)}.json` !== name) {
      throw new CredsignError(
        'store_corrupt',
        `file store: ${path} holds key id ${describeKeyId(value.id)}, which belongs in another file`,
      )
    }
    return value
  }

  /** The directory's entries (created first if missing); `store_unavailable` when it cannot be read. */
  #readDirectory(): Promise<string[]> {
    return this.#files.names()
  }

  /** Runs `action` holding the id's lock: first in this process, then across processes. */
  #exclusive<T>(stem: string, action: () => Promise<T>): Promise<T> {
    return this.#files.exclusive(this.#path(`${stem}.lock`), action)
  }
}

// Service secret ------------------------------------------------------------------------------

/**
 * Options of {@link loadServiceSecret}.
 *
 * @example
 *
 * ```ts
 * import { loadServiceSecret } from 'credsign/file'
 * const isDev = process.env.NODE_ENV !== 'production'
 * const secret = await loadServiceSecret('./.dev-service-secret', { createIfMissing: isDev })
 * ```
 */
export interface LoadServiceSecretOptions {
  /**
   * Create the file with 32 random bytes (base64url, mode 0600) if it does not exist. For
   * development only: in production provision the secret (a mounted secret, a vault agent), back it
   * up, and leave this off, so that a missing secret fails loudly instead of silently making every
   * key unreadable.
   */
  createIfMissing?: boolean
}

/** Minimum service secret length in bytes, after trimming. */
const MIN_SERVICE_SECRET_BYTES = 32
// A service secret is a short text; refusing big files stops a misconfigured path (a log, /dev/zero).
const MAX_SERVICE_SECRET_FILE_BYTES = 64 * 1024

/**
 * Reads the service secret from a file: its bytes, with leading and trailing ASCII whitespace (and
 * a UTF-8 byte order mark) removed, as a `trim()` of the text would, so a file made with `openssl
 * rand -base64 48 > secret` works and a secret from an existing deployment keeps its value. Throws
 * `invalid_service_secret` if the file is missing (unless `createIfMissing`), unreadable, larger
 * than 64 KiB, or holds fewer than 32 bytes after trimming.
 *
 * Keep the file readable by the service's user only (mode 0600), and back it up: without it, no
 * stored key can ever be decrypted.
 *
 * @example
 *
 * ```ts
 * import { loadServiceSecret } from 'credsign/file'
 * // Production: provisioned by the deployment (e.g. a mounted secret).
 * const secret = await loadServiceSecret(
 *   process.env.SIGNING_KEY_PATH ?? '/run/secrets/signing-key',
 * )
 * // Development: made on first run.
 * const devSecret = await loadServiceSecret('./.dev-service-secret', { createIfMissing: true })
 * ```
 */
export async function loadServiceSecret(
  path: string,
  options: LoadServiceSecretOptions = {},
): Promise<Uint8Array> {
  if (typeof path !== 'string' || path === '')
    throw new CredsignError('invalid_argument', 'loadServiceSecret needs a file path')
  let bytes = await readServiceSecretFile(path)
  if (bytes === undefined && options?.createIfMissing === true) {
    await createServiceSecretFile(path)
    bytes = await readServiceSecretFile(path)
  }
  if (bytes === undefined) {
    throw new CredsignError(
      'invalid_service_secret',
      `service secret file ${path} does not exist (provision it, or pass createIfMissing for development)`,
    )
  }
  let start = 0
  let end = bytes.length
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3
  while (start < end && isAsciiWhitespace(bytes[start] as number)) start++
  while (end > start && isAsciiWhitespace(bytes[end - 1] as number)) end--
  // A copy (`copyBytes`), not `bytes.slice`: on a Node Buffer `slice` is a view, so the wipe of
  // `bytes` below would zero the returned secret (an all-zero, publicly known service secret).
  const secret = copyBytes(bytes.subarray(start, end))
  wipe(bytes)
  if (secret.length < MIN_SERVICE_SECRET_BYTES) {
    wipe(secret)
    throw new CredsignError(
      'invalid_service_secret',
      `service secret file ${path} holds ${secret.length} bytes after trimming whitespace; at least ${MIN_SERVICE_SECRET_BYTES} are required`,
    )
  }
  return secret
}

function isAsciiWhitespace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d)
}

async function readServiceSecretFile(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readWhole(path, MAX_SERVICE_SECRET_FILE_BYTES)
  } catch (error) {
    const code = errnoOf(error)
    if (code === 'ENOENT') return undefined
    if (code === 'EFBIG') {
      throw new CredsignError(
        'invalid_service_secret',
        `service secret file ${path} is larger than ${MAX_SERVICE_SECRET_FILE_BYTES} bytes`,
      )
    }
    throw new CredsignError(
      'invalid_service_secret',
      `cannot read service secret file ${path}${code === undefined ? '' : ` (${code})`}`,
      { cause: error },
    )
  }
}

async function createServiceSecretFile(path: string): Promise<void> {
  const raw = randomBytes(32)
  const data = utf8(`${b64u(raw)}\n`)
  wipe(raw)
  // Written in full under a temporary name and linked into place, so a process reading the secret
  // concurrently sees no file or the whole file, never an empty one.
  const temp = join(dirname(path), randomName('secret-'))
  let handle: FileHandle | undefined
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 })
    handle = await open(temp, 'wx', 0o600)
    await chmod(temp, 0o600)
    await handle.writeFile(data)
    await handle.sync()
    await handle.close()
    handle = undefined
    await link(temp, path)
  } catch (error) {
    // EEXIST: another process created it first; the caller reads theirs.
    if (errnoOf(error) !== 'EEXIST') {
      throw new CredsignError(
        'invalid_service_secret',
        `cannot create service secret file ${path}`,
        { cause: error },
      )
    }
  } finally {
    wipe(data)
    if (handle !== undefined) await closeQuietly(handle)
    await unlinkQuietly(temp)
  }
}
