import { resolve } from 'node:path'
import { CredsignError } from '../errors/credsign-error.js'
import { b64u, fromB64u, utf8 } from '../util/bytes.js'
import { isTaken, markTaken, pickFreeIndex, takeFreeIndexes } from '../status/allocation.js'
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
  type StatusListStore,
} from '../status/status-list-store.js'
import { AtomicDirectory, errnoOf, readWhole, unavailable } from './atomic-file.js'
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
  readonly #files: AtomicDirectory

  constructor(options: FileStatusListStoreOptions) {
    if (typeof options !== 'object' || options === null || typeof options.directory !== 'string')
      throw new CredsignError('invalid_argument', 'FileStatusListStore needs a directory')
    this.directory = resolve(options.directory)
    this.#files = new AtomicDirectory(this.directory, {
      lockTimeoutMs: duration(options.lockTimeoutMs, DEFAULT_LOCK_TIMEOUT_MS, 0, 'lockTimeoutMs'),
      staleLockMs: duration(options.staleLockMs, DEFAULT_STALE_LOCK_MS, 100, 'staleLockMs'),
      tempPrefix: TEMP_PREFIX,
    })
  }

  async createStatusList(definition: StatusListDefinition): Promise<void> {
    validateStatusListDefinition(definition)
    await this.#files.ensure()
    const file: ListFile = {
      format: 'credsign-status-list',
      definition: structuredClone(definition),
      allocated: 0,
      version: 0,
      taken: b64u(new Uint8Array(Math.ceil(definition.size / 8))),
      statuses: [],
    }
    // Creation is atomic, never an overwrite.
    if (!(await this.#files.create(this.#listPath(definition.id), serialize(file))))
      throw new CredsignError('exists', 'a status list with this id exists')
  }

  async getStatusList(id: string): Promise<StatusListInfo | undefined> {
    const file = await this.#read(id)
    return file === undefined ? undefined : info(file)
  }

  async listStatusLists(): Promise<StatusListInfo[]> {
    const names = await this.#files.names()
    const lists: StatusListInfo[] = []
    for (const name of names.filter((n) => n.endsWith(LIST_SUFFIX) && !n.startsWith('.'))) {
      const loaded = await this.#readPath(this.#files.path(name))
      if (loaded !== undefined) lists.push(info(loaded.file))
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

  /**
   * A block of indexes in one locked read-modify-write and one synced write: each pick uniform
   * among the indexes still free, as {@link allocateStatusIndex} draws one.
   */
  async allocateStatusIndexes(id: string, count: number): Promise<number[]> {
    checkIndexCount(count)
    return this.#update(id, (file, taken) => {
      const indexes = takeFreeIndexes(taken, file.definition.size, file.allocated, count)
      if (indexes.length === 0) throw listFull(id)
      file.allocated += indexes.length
      return indexes
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
    await this.#files.ensure()
    const lockPath = this.#files.path(`${keyFileStem(id)}${LOCK_SUFFIX}`)
    return this.#files.exclusive(lockPath, async () => {
      const loaded = await this.#readPath(path)
      if (loaded === undefined) throw listNotFound(id)
      const { file, taken } = loaded
      const result = change(file, taken)
      if (
        typeof result === 'object' &&
        result !== null &&
        (result as { changed?: unknown }).changed === false
      )
        return result
      file.taken = b64u(taken)
      await this.#files.replace(path, serialize(file))
      return result
    })
  }

  async #read(id: string): Promise<ListFile | undefined> {
    validateListId(id)
    return (await this.#readPath(this.#listPath(id)))?.file
  }

  /**
   * Reads and checks a list file: `undefined` if absent, `store_corrupt` naming it if it is not a
   * list file whose bitmap and statuses fit its definition. Also returns the decoded bitmap.
   */
  async #readPath(path: string): Promise<{ file: ListFile; taken: Uint8Array } | undefined> {
    let text: string
    try {
      // Bounded: a huge file (damaged, or planted) is refused having read no more than the bound.
      const bytes = await readWhole(path, MAX_FILE_BYTES)
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch (error) {
      const code = errnoOf(error)
      if (code === 'ENOENT') return undefined
      if (code === 'EFBIG') throw corrupt(path, 'is too large')
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
    const { size, bits } = file.definition
    // A bitmap shorter than the list would let an index past it be handed out again.
    let taken: Uint8Array
    try {
      taken = fromB64u(file.taken)
    } catch {
      throw corrupt(path, 'holds an allocation bitmap that is not base64url')
    }
    if (taken.length !== Math.ceil(size / 8))
      throw corrupt(path, 'holds an allocation bitmap of the wrong length')
    if (file.allocated < 0 || file.allocated > size || file.version < 0)
      throw corrupt(path, 'holds a count or version out of range')
    let last = -1
    for (const entry of file.statuses as unknown[]) {
      const [index, status] = Array.isArray(entry) && entry.length === 2 ? entry : []
      if (
        !Number.isSafeInteger(index) ||
        (index as number) <= last ||
        (index as number) >= size ||
        !Number.isInteger(status) ||
        (status as number) < 1 ||
        (status as number) >= 2 ** bits
      )
        throw corrupt(path, 'holds statuses that do not fit the list (or are out of order)')
      last = index as number
    }
    return { file, taken }
  }

  #listPath(id: string): string {
    return this.#files.path(`${keyFileStem(id)}${LIST_SUFFIX}`)
  }
}

/** The bytes of a list file. */
function serialize(file: ListFile): Uint8Array {
  return utf8(JSON.stringify(file))
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

function corrupt(path: string, what: string): CredsignError {
  return new CredsignError('store_corrupt', `file store: ${path} ${what}`)
}
