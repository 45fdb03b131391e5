import { chmod, link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { bytesToHex } from '@noble/hashes/utils.js'
import { CredsignError } from '../errors/credsign-error.js'
import { b64u, fromB64u, randomBytes, utf8 } from '../util/bytes.js'
import { isTaken, markTaken, pickFreeIndex } from '../status/allocation.js'
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
  type StatusListStore,
} from '../status/status-list-store.js'
import { keyFileStem } from './file-store.js'

/**
 * Options of {@link FileStatusListStore}.
 *
 * @example
 *
 * ```ts
 * import { FileStatusListStore, type FileStatusListStoreOptions } from 'credsign/file'
 * const options: FileStatusListStoreOptions = { directory: '/var/lib/issuer/status-lists' }
 * const store = new FileStatusListStore(options)
 * ```
 */
export interface FileStatusListStoreOptions {
  /** The directory holding one file per list (created with mode 0700 if missing). */
  directory: string
  /** How long a write waits for another writer's lock on the same list (ms, default 10,000). */
  lockTimeoutMs?: number
  /**
   * Age after which a lock file is taken to be left by a crashed process and broken (ms, default
   * 30,000; at least 100). Must exceed the longest a single write can take.
   */
  staleLockMs?: number
}

/** The content of a list file. */
interface ListFile {
  format: 'credsign-status-list'
  definition: StatusListDefinition
  allocated: number
  version: number
  /** Base64url of the allocation bitmap (bit i of byte i >> 3, mask 1 << (i & 7)). */
  taken: string
  /** Non-zero statuses, ascending by index. */
  statuses: [number, number][]
}

const LIST_SUFFIX = '.status-list.json'
const LOCK_SUFFIX = '.status-list.lock'
const TEMP_PREFIX = '.tmp-status-'
const DEFAULT_LOCK_TIMEOUT_MS = 10_000
const DEFAULT_STALE_LOCK_MS = 30_000
const MAX_FILE_BYTES = 64 * 1024 * 1024

/** This process's writers per lock file: one FileStatusListStore or several on one directory. */
const chains = new Map<string, Promise<void>>()

/**
 * A {@link StatusListStore} in a directory (Node, Deno, Bun): one JSON file per list holding its
 * definition, the allocation bitmap and the non-zero statuses. Every change is a read-modify-write
 * of that file under the list's lock (a promise chain in the process plus an `O_EXCL` lock file
 * across processes), written to a synced temporary file and renamed over the old one, with the
 * directory synced: a reader sees the old or the new file, never a mix, and a change is on disk
 * before it is acknowledged. An allocated index is therefore never handed out twice, also after a
 * crash, by any number of processes on one host. The files may live beside a `FileStore`'s key
 * files (their names never collide) or in a directory of their own.
 *
 * @example
 *
 * ```ts
 * import { StatusLists } from 'credsign'
 * import { FileStatusListStore } from 'credsign/file'
 * const lists = new StatusLists({
 *   store: new FileStatusListStore({ directory: './status-lists' }),
 * })
 * ```
 */
export class FileStatusListStore implements StatusListStore {
  readonly directory: string
  readonly #lockTimeoutMs: number
  readonly #staleLockMs: number
  #directoryReady: Promise<void> | undefined

  constructor(options: FileStatusListStoreOptions) {
    if (typeof options !== 'object' || options === null || typeof options.directory !== 'string')
      throw new CredsignError('invalid_argument', 'FileStatusListStore needs a directory')
    this.directory = resolve(options.directory)
    this.#lockTimeoutMs = duration(
      options.lockTimeoutMs,
      DEFAULT_LOCK_TIMEOUT_MS,
      0,
      'lockTimeoutMs',
    )
    this.#staleLockMs = duration(options.staleLockMs, DEFAULT_STALE_LOCK_MS, 100, 'staleLockMs')
  }

  async createStatusList(definition: StatusListDefinition): Promise<void> {
    validateStatusListDefinition(definition)
    await this.#ensureDirectory()
    const file: ListFile = {
      format: 'credsign-status-list',
      definition: structuredClone(definition),
      allocated: 0,
      version: 0,
      taken: b64u(new Uint8Array(Math.ceil(definition.size / 8))),
      statuses: [],
    }
    const path = this.#listPath(definition.id)
    const temp = await this.#writeTemp(file)
    try {
      // link() fails with EEXIST if the name is taken: creation is atomic, never an overwrite.
      await link(temp, path)
    } catch (error) {
      if (errnoOf(error) === 'EEXIST')
        throw new CredsignError('exists', 'a status list with this id exists')
      throw unavailable('create', path, error)
    } finally {
      await unlinkQuietly(temp)
    }
    await this.#syncDirectory()
  }

  async getStatusList(id: string): Promise<StatusListInfo | undefined> {
    const file = await this.#read(id)
    return file === undefined ? undefined : info(file)
  }

  async listStatusLists(): Promise<StatusListInfo[]> {
    await this.#ensureDirectory()
    let names: string[]
    try {
      names = await readdir(this.directory)
    } catch (error) {
      throw unavailable('read the directory', this.directory, error)
    }
    const lists: StatusListInfo[] = []
    for (const name of names.filter((n) => n.endsWith(LIST_SUFFIX) && !n.startsWith('.'))) {
      const file = await this.#readPath(join(this.directory, name))
      if (file !== undefined) lists.push(info(file))
    }
    return lists.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  async allocateStatusIndex(id: string): Promise<number> {
    return this.#update(id, (file, taken) => {
      const index = pickFreeIndex(taken, file.definition.size, file.allocated)
      if (index < 0) throw listFull(id)
      markTaken(taken, index)
      file.allocated++
      return index
    })
  }

  async setStatus(id: string, index: number, status: number): Promise<StatusChange> {
    return this.#update(id, (file, taken) => {
      checkStatusChange(file.definition, index, status)
      if (!isTaken(taken, index)) throw notAllocated(id, index)
      const at = file.statuses.findIndex(([i]) => i === index)
      const previous = at < 0 ? 0 : (file.statuses[at] as [number, number])[1]
      if (previous === status) return { previous, version: file.version, changed: false }
      if (file.definition.finalStatuses.includes(previous)) throw irreversible(id, index, previous)
      if (at >= 0) file.statuses.splice(at, 1)
      if (status !== 0) {
        file.statuses.push([index, status])
        file.statuses.sort((a, b) => a[0] - b[0])
      }
      file.version++
      return { previous, version: file.version, changed: true }
    })
  }

  async readStatuses(id: string): Promise<StatusListEntries> {
    const file = await this.#read(id)
    if (file === undefined) throw listNotFound(id)
    return { version: file.version, statuses: file.statuses }
  }

  async statusListVersion(id: string): Promise<number> {
    const file = await this.#read(id)
    if (file === undefined) throw listNotFound(id)
    return file.version
  }

  /**
   * Read, change, write back under the list's lock. `change` may throw (nothing is written) or
   * return a result that is not a change (`changed: false`: nothing is written either).
   */
  async #update<T>(id: string, change: (file: ListFile, taken: Uint8Array) => T): Promise<T> {
    validateListId(id)
    const path = this.#listPath(id)
    await this.#ensureDirectory()
    return this.#exclusive(id, async () => {
      const file = await this.#readPath(path)
      if (file === undefined) throw listNotFound(id)
      const taken = fromB64u(file.taken)
      const result = change(file, taken)
      if (
        typeof result === 'object' &&
        result !== null &&
        (result as { changed?: unknown }).changed === false
      )
        return result
      file.taken = b64u(taken)
      const temp = await this.#writeTemp(file)
      try {
        await rename(temp, path)
      } catch (error) {
        await unlinkQuietly(temp)
        throw unavailable('replace', path, error)
      }
      await this.#syncDirectory()
      return result
    })
  }

  async #read(id: string): Promise<ListFile | undefined> {
    validateListId(id)
    return this.#readPath(this.#listPath(id))
  }

  async #readPath(path: string): Promise<ListFile | undefined> {
    let text: string
    try {
      const bytes = await readFile(path)
      if (bytes.length > MAX_FILE_BYTES) throw corrupt(path, 'is too large')
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return undefined
      if (error instanceof CredsignError) throw error
      if (error instanceof TypeError) throw corrupt(path, 'is not UTF-8')
      throw unavailable('read', path, error)
    }
    let file: ListFile
    try {
      file = JSON.parse(text) as ListFile
    } catch {
      throw corrupt(path, 'is not JSON')
    }
    if (
      typeof file !== 'object' ||
      file === null ||
      file.format !== 'credsign-status-list' ||
      !Number.isSafeInteger(file.allocated) ||
      !Number.isSafeInteger(file.version) ||
      typeof file.taken !== 'string' ||
      !Array.isArray(file.statuses)
    )
      throw corrupt(path, 'is not a status list file')
    try {
      validateStatusListDefinition(file.definition)
    } catch (cause) {
      throw new CredsignError('store_corrupt', `file store: ${path} holds a bad definition`, {
        cause,
      })
    }
    if (this.#listPath(file.definition.id) !== path)
      throw corrupt(path, 'holds another list (a file copied onto another name)')
    return file
  }

  #listPath(id: string): string {
    return join(this.directory, `${keyFileStem(id)}${LIST_SUFFIX}`)
  }

  async #ensureDirectory(): Promise<void> {
    this.#directoryReady ??= mkdir(this.directory, { recursive: true, mode: 0o700 }).then(
      () => undefined,
      (error: unknown) => {
        this.#directoryReady = undefined
        throw unavailable('create the directory', this.directory, error)
      },
    )
    return this.#directoryReady
  }

  async #writeTemp(file: ListFile): Promise<string> {
    const temp = join(this.directory, `${TEMP_PREFIX}${bytesToHex(randomBytes(12))}`)
    let handle: FileHandle
    try {
      handle = await open(temp, 'wx', 0o600)
    } catch (error) {
      throw unavailable('write a temporary file in', this.directory, error)
    }
    try {
      await chmod(temp, 0o600)
      await handle.writeFile(utf8(JSON.stringify(file)))
      // Durable before it gets its real name: a crash never leaves a partial list under it.
      await handle.sync()
      await handle.close()
    } catch (error) {
      await handle.close().catch(() => undefined)
      await unlinkQuietly(temp)
      throw unavailable('write', temp, error)
    }
    return temp
  }

  async #syncDirectory(): Promise<void> {
    let handle: FileHandle | undefined
    try {
      handle = await open(this.directory, 'r')
      await handle.sync()
    } catch (error) {
      const code = errnoOf(error)
      if (!['EISDIR', 'EPERM', 'EINVAL', 'ENOTSUP', 'EACCES'].includes(code ?? ''))
        throw unavailable('sync the directory', this.directory, error)
    } finally {
      await handle?.close().catch(() => undefined)
    }
  }

  /** Runs `action` holding the list's lock: first in this process, then across processes. */
  async #exclusive<T>(id: string, action: () => Promise<T>): Promise<T> {
    const lockPath = join(this.directory, `${keyFileStem(id)}${LOCK_SUFFIX}`)
    const previous = chains.get(lockPath) ?? Promise.resolve()
    let release!: () => void
    const released = new Promise<void>((done) => (release = done))
    const tail = previous.then(() => released)
    chains.set(lockPath, tail)
    await previous
    try {
      await this.#acquireLockFile(lockPath)
      try {
        return await action()
      } finally {
        await unlinkQuietly(lockPath)
      }
    } finally {
      release()
      if (chains.get(lockPath) === tail) chains.delete(lockPath)
    }
  }

  async #acquireLockFile(lockPath: string): Promise<void> {
    const deadline = Date.now() + this.#lockTimeoutMs
    let delay = 1
    for (;;) {
      try {
        // O_CREAT | O_EXCL: exactly one process creates it.
        const handle = await open(lockPath, 'wx', 0o600)
        await handle.close().catch(() => undefined)
        return
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') throw unavailable('create the lock file', lockPath, error)
      }
      if ((await this.#breakStaleLock(lockPath)) && Date.now() < deadline) continue
      if (Date.now() >= deadline)
        throw new CredsignError(
          'store_unavailable',
          `file store: timed out after ${this.#lockTimeoutMs} ms waiting for ${lockPath}`,
        )
      // Jittered exponential backoff: contending processes do not retry in lockstep.
      await new Promise((done) => setTimeout(done, delay * (0.5 + Math.random())))
      delay = Math.min(delay * 2, 20)
    }
  }

  /** Breaks a lock older than staleLockMs (its holder crashed); true if the lock is gone. */
  async #breakStaleLock(lockPath: string): Promise<boolean> {
    let before
    try {
      before = await stat(lockPath, { bigint: true })
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return true
      throw unavailable('inspect the lock file', lockPath, error)
    }
    if (Date.now() - Number(before.mtimeMs) < this.#staleLockMs) return false
    // Moved aside, not unlinked: a fresh lock made meanwhile by another breaker is put back.
    const aside = join(this.directory, `${TEMP_PREFIX}stale-${bytesToHex(randomBytes(12))}`)
    try {
      await rename(lockPath, aside)
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return true
      throw unavailable('break the stale lock file', lockPath, error)
    }
    try {
      const moved = await stat(aside, { bigint: true })
      if (moved.ino !== before.ino || moved.dev !== before.dev) await link(aside, lockPath)
    } catch {
      // EEXIST: another writer holds the lock now; it stays theirs.
    }
    await unlinkQuietly(aside)
    return true
  }
}

function info(file: ListFile): StatusListInfo {
  return { ...file.definition, allocated: file.allocated, version: file.version }
}

function validateListId(id: string): void {
  keyFileStem(id) // invalid_key_id for a bad id
}

function duration(value: unknown, fallback: number, min: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new CredsignError('invalid_argument', `${name} must be an integer of at least ${min} ms`)
  return value
}

function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string'
    ? error.code
    : undefined
}

function unavailable(action: string, path: string, cause: unknown): CredsignError {
  if (cause instanceof CredsignError) return cause
  const code = errnoOf(cause)
  return new CredsignError(
    'store_unavailable',
    `file store: cannot ${action} ${path}${code === undefined ? '' : ` (${code})`}`,
    { cause },
  )
}

function corrupt(path: string, what: string): CredsignError {
  return new CredsignError('store_corrupt', `file store: ${path} ${what}`)
}

async function unlinkQuietly(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch {
    // A leftover temporary file is harmless (its name starts with a dot and never matches a list).
  }
}
