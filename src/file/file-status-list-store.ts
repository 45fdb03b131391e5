import { lstat, open, stat, type FileHandle } from 'node:fs/promises'
import { platform } from 'node:process'
import { Buffer } from 'node:buffer'
import { resolve } from 'node:path'
import { createHash } from 'node:crypto'
import { CredsignError } from '../errors/credsign-error.js'
import { b64u, fromB64u, utf8 } from '../util/bytes.js'
import { isTaken, markTaken, pickFreeIndex, takeFreeIndexes } from '../status/allocation.js'
import {
  MAX_STATUS_INDEX_BLOCK,
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
import {
  AtomicDirectory,
  closeQuietly,
  errnoOf,
  openRegularFile,
  readHandle,
  readRegularFile,
  unavailable,
} from './atomic-file.js'
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

/**
 * The content of a list file. Format 2 (`credsign-status-list/2`) is format 1 plus an allocation
 * journal beside the file (its allocations are the file's and the journal's); format 1 files have
 * none and are read as they are (rewritten as format 2 at their first allocation). The format name
 * changed so that a version of credsign that knows only format 1 refuses a format 2 file
 * (`store_corrupt`) instead of allocating from its bitmap alone, which would hand the journal's
 * indexes out again.
 */
interface ListFile {
  format: typeof FORMAT_1 | typeof FORMAT
  definition: StatusListDefinition
  allocated: number
  version: number
  /** Base64url of the allocation bitmap (bit i of byte i >> 3, mask 1 << (i & 7)). */
  taken: string
  /** Non-zero statuses, ascending by index. */
  statuses: [number, number][]
}

const FORMAT_1 = 'credsign-status-list'
const FORMAT = 'credsign-status-list/2'
const LIST_SUFFIX = '.status-list.json'
const JOURNAL_SUFFIX = '.status-list.journal'
/**
 * The journal's size at which an allocation folds it into the list file instead of appending (a
 * block of 512 indexes is a 2 KiB record: the list file is rewritten about once per 30 blocks; one
 * of 4,096, what a busy issuer reserves, is 16 KiB: once per 4).
 */
const MAX_JOURNAL_BYTES = 64 * 1024
/**
 * The journal's record count at which an allocation folds it into the list file: every read replays
 * the journal (a checksum per record), so one-index allocations (`reserve` 1) must not pile up
 * thousands of records.
 */
const MAX_JOURNAL_RECORDS = 64
/** Bytes of a journal record's checksum (the start of a SHA-256). */
const CHECKSUM_BYTES = 8
/** The largest journal record: a count, MAX_STATUS_INDEX_BLOCK indexes, a checksum. */
const MAX_RECORD_BYTES = 4 + 4 * MAX_STATUS_INDEX_BLOCK + CHECKSUM_BYTES
/** The most of a journal read: a full journal and a record cut short after it. */
const MAX_JOURNAL_READ = MAX_JOURNAL_BYTES + MAX_RECORD_BYTES
const LOCK_SUFFIX = '.status-list.lock'
const TEMP_PREFIX = '.tmp-status-'
const DEFAULT_LOCK_TIMEOUT_MS = 10_000
const DEFAULT_STALE_LOCK_MS = 30_000
const MAX_FILE_BYTES = 64 * 1024 * 1024
/**
 * How many lists' loaded state the stores of a process keep between changes, in all (each list file
 * and journal held open): one bound for the process, so a store made per request holds no more
 * files or memory than one long-lived store.
 */
const CACHED_LISTS = 16
/**
 * Windows cannot rename a file over one held open by default: no list is kept there (each change
 * reads its list, as before).
 */
const CACHING = platform !== 'win32'

/**
 * The lists kept by this process's stores, by list file path, least recently used first (see
 * {@link CachedList}). Shared: stores on one directory path change a list one at a time (their
 * changes queue on the same lock chain), so they may share its kept state too.
 */
const keptLists = new Map<string, CachedList>()
/**
 * Paths of lists a change is under way on (from loading to keeping): never dropped to make room for
 * another list, whose change may run meanwhile (its files would be closed under it, and a dropped
 * entry put back or given a file it never closes).
 */
const changingLists = new Set<string>()

/**
 * A {@link StatusListStore} in a directory (Node, Deno, Bun): one JSON file per list holding its
 * definition, the allocation bitmap and the non-zero statuses, and beside it the list's allocation
 * journal. Every change happens under the list's lock (a promise chain in the process plus an
 * `O_EXCL` lock file across processes) and is on disk before it is acknowledged: an allocation is a
 * checksummed record appended to the journal and synced (one write where a rewrite of the list file
 * costs two syncs and a rename); a status change rewrites the list file, the journal folded in, to
 * a synced temporary file renamed over the old one with the directory synced (so is every 64th
 * journal record, or 64 KiB of them). A reader sees whole files and whole records: an append cut
 * short by a crash was never acknowledged and is ignored, then cut off. An allocated index is
 * therefore never handed out twice, also after a crash, by any number of processes on one host.
 * Reads the list files of earlier versions (format 1); a version that knows only format 1 refuses a
 * file this one wrote. The files may live beside a `FileStore`'s key files (their names never
 * collide) or in a directory of their own.
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
  /** The lists kept by this process's stores ({@link keptLists}). */
  readonly #cache = keptLists
  /** Lists a change is under way on ({@link changingLists}). */
  readonly #changing = changingLists

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
      format: FORMAT,
      definition: structuredClone(definition),
      allocated: 0,
      version: 0,
      taken: b64u(new Uint8Array(Math.ceil(definition.size / 8))),
      statuses: [],
    }
    // Creation is atomic, never an overwrite. A journal left by an earlier list of this id (one
    // whose file was removed by hand) would be replayed onto this one: empty it first, under the
    // list's lock, so a new list starts with no index taken. Before the file is made, not after: a
    // crash between the two would leave the new list with the old journal (its indexes taken, or
    // one outside a smaller list: store_corrupt for good). Never for a list that exists.
    const path = this.#listPath(definition.id)
    await this.#files.exclusive(this.#lockPath(definition.id), async () => {
      if (await present(path)) throw exists()
      await emptyJournal(journalPathOf(path))
      if (!(await this.#files.create(path, serialize(file)))) throw exists()
    })
  }

  async getStatusList(id: string): Promise<StatusListInfo | undefined> {
    const file = await this.#read(id)
    return file === undefined ? undefined : info(file)
  }

  async listStatusLists(): Promise<StatusListInfo[]> {
    const names = await this.#files.names()
    const lists: StatusListInfo[] = []
    for (const name of names.filter((n) => n.endsWith(LIST_SUFFIX) && !n.startsWith('.'))) {
      const loaded = await this.#load(this.#files.path(name))
      if (loaded !== undefined) lists.push(info(loaded.file))
    }
    return lists.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  async allocateStatusIndex(id: string): Promise<number> {
    const [index] = await this.#allocate(id, (file, taken) => {
      const index = pickFreeIndex(taken, file.definition.size, file.allocated)
      if (index < 0) throw listFull(id)
      markTaken(taken, index)
      return [index]
    })
    return index as number
  }

  /**
   * A block of indexes in one locked step and one synced write (an append to the list's journal):
   * each pick uniform among the indexes still free, as {@link allocateStatusIndex} draws one.
   */
  async allocateStatusIndexes(id: string, count: number): Promise<number[]> {
    checkIndexCount(count)
    return this.#allocate(id, (file, taken) => {
      const indexes = takeFreeIndexes(taken, file.definition.size, file.allocated, count)
      if (indexes.length === 0) throw listFull(id)
      return indexes
    })
  }

  async setStatus(id: string, index: number, status: number): Promise<StatusChange> {
    return this.#update(id, async (loaded) => {
      const { file, taken } = loaded
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
      await this.#fold(loaded)
      return { previous, version: file.version, changed: true }
    })
  }

  async readStatuses(id: string): Promise<StatusListEntries> {
    // Statuses and the version live in the list file alone: no journal to replay.
    const file = await this.#read(id, false)
    if (file === undefined) throw listNotFound(id)
    return { version: file.version, statuses: file.statuses }
  }

  async statusListVersion(id: string): Promise<number> {
    const file = await this.#read(id, false)
    if (file === undefined) throw listNotFound(id)
    return file.version
  }

  /**
   * Takes the indexes `pick` marks taken in the bitmap and makes them durable before they are
   * handed out: one record appended to the journal and synced, or, when the journal is full or the
   * file is format 1, the list file rewritten with them (the journal folded into it).
   */
  async #allocate(
    id: string,
    pick: (file: ListFile, taken: Uint8Array) => number[],
  ): Promise<number[]> {
    return this.#update(id, async (loaded) => {
      const indexes = pick(loaded.file, loaded.taken)
      loaded.file.allocated += indexes.length
      const record = journalRecord(loaded.file.definition.id, indexes)
      if (
        loaded.file.format === FORMAT &&
        loaded.journal.valid + record.length <= MAX_JOURNAL_BYTES &&
        loaded.journal.records < MAX_JOURNAL_RECORDS
      )
      // After the whole records: what a crashed append left is cut off (never acknowledged).
      {
        const { journal } = loaded
        const journalPath = journalPathOf(loaded.path)
        const cut = journal.size > journal.valid
        const held = this.#cache.get(loaded.path)
        if (held?.loaded === loaded && held.journal !== undefined) {
          const { handle, identity } = held.journal
          await this.#files.writeAtOpen(handle, identity, journalPath, record, journal.valid, {
            cut,
          })
        } else await this.#files.writeAt(journalPath, record, journal.valid, { cut })
        const bytes = new Uint8Array(journal.valid + record.length)
        bytes.set(journal.bytes)
        bytes.set(record, journal.valid)
        loaded.journal = {
          valid: bytes.length,
          records: journal.records + 1,
          size: bytes.length,
          bytes,
        }
      } else await this.#fold(loaded)
      return indexes
    })
  }

  /**
   * Writes the list file (format 2) holding everything, the journal's allocations included, then
   * empties the journal. In that order: a crash between the two leaves a journal whose records are
   * in the file already, and replaying a record is idempotent.
   */
  async #fold(loaded: Loaded): Promise<void> {
    const { file, taken, path } = loaded
    file.format = FORMAT
    file.taken = b64u(taken)
    const bytes = serialize(file)
    // `taken` (the bitmap) is what counts; its text is only for the file: not kept beside it.
    file.taken = ''
    loaded.written = await this.#files.replace(path, bytes)
    if (loaded.journal.size === 0) return
    try {
      await emptyJournal(journalPathOf(path))
      loaded.journal = { valid: 0, records: 0, size: 0, bytes: new Uint8Array(0) }
    } catch {
      // The change is durable (the list file holds it and the journal's records): failing here
      // would report a made status change as not made. Records left behind replay idempotently,
      // and the next fold empties the journal again.
    }
  }

  /** Loads the list under its lock and runs `change` (which writes what it changes). */
  async #update<T>(id: string, change: (loaded: Loaded) => Promise<T>): Promise<T> {
    validateListId(id)
    const path = this.#listPath(id)
    await this.#files.ensure()
    return this.#files.exclusive(this.#lockPath(id), async () => {
      // Changes of one list run one at a time in this process (the lock's chain): no other clears it.
      this.#changing.add(path)
      try {
        const loaded = await this.#loadForChange(path)
        if (loaded === undefined) throw listNotFound(id)
        let result: T
        try {
          result = await change(loaded)
        } catch (error) {
          // What `change` did to the loaded state may not be on disk: read the list again next time.
          this.#forget(path)
          throw error
        }
        await this.#keep(path, loaded)
        return result
      } finally {
        this.#changing.delete(path)
        this.#trim()
      }
    })
  }

  /**
   * The list at `path` for a change, under its lock: the kept state brought up to date (the
   * journal's new records replayed onto it) if the list file is still the one it was read from,
   * otherwise read again (and kept).
   */
  async #loadForChange(path: string): Promise<Loaded | undefined> {
    const cached = this.#cache.get(path)
    if (cached !== undefined) {
      let current: Loaded | undefined
      try {
        current = await brought(cached, path)
      } catch (error) {
        this.#forget(path)
        throw error
      }
      if (current !== undefined) {
        // Most recently used last: the first entry is the one to drop.
        this.#cache.delete(path)
        this.#cache.set(path, cached)
        return current
      }
      this.#forget(path)
    }
    return this.#load(path, true)
  }

  /**
   * After a change made under the list's lock: if it wrote a new list file (a fold), holds that one
   * open instead. Never fails (the change is made): a list that cannot be held is read again.
   */
  async #keep(path: string, loaded: Loaded): Promise<void> {
    const cached = this.#cache.get(path)
    if (cached === undefined || cached.loaded !== loaded) return
    if (cached.journal === undefined) cached.journal = await holdJournal(journalPathOf(path))
    const { written } = loaded
    if (written === undefined) return
    loaded.written = undefined
    let handle: FileHandle | undefined
    try {
      // The file at the path must be the one this change wrote: a writer that broke this lock as
      // stale may have put its own there since, which the kept state does not describe.
      const opened = await openRegularFile(path)
      handle = opened.handle
      const { stats } = opened
      const identity = identityOf(stats)
      if (identity !== undefined && `${stats.dev}:${stats.ino}` === written) {
        void closeQuietly(cached.handle)
        cached.handle = handle
        cached.identity = identity
        return
      }
    } catch {
      // Read again next time.
    }
    if (handle !== undefined) void closeQuietly(handle)
    this.#forget(path)
  }

  /**
   * Drops the least recently used kept lists beyond {@link CACHED_LISTS}, never one being changed:
   * the cache is over its bound only while more changes than that run at once.
   */
  #trim(): void {
    for (const kept of this.#cache.keys()) {
      if (this.#cache.size <= CACHED_LISTS) return
      if (!this.#changing.has(kept)) this.#forget(kept)
    }
  }

  /** Drops the kept state of the list at `path`, closing its file. */
  #forget(path: string): void {
    const cached = this.#cache.get(path)
    if (cached === undefined) return
    this.#cache.delete(path)
    closeHeld(cached)
  }

  /** The list file; `withJournal` false: without its allocations, for what the journal never holds. */
  async #read(id: string, withJournal = true): Promise<ListFile | undefined> {
    validateListId(id)
    const path = this.#listPath(id)
    return withJournal ? (await this.#load(path))?.file : (await this.#readPath(path))?.file
  }

  /**
   * A list file with its journal replayed onto it (the bitmap and `allocated`); `undefined` if the
   * file is absent. The journal is read first: an allocation or fold by another writer between the
   * two reads can then only make this snapshot miss the newest block (never count one twice, as
   * replaying is idempotent), and under the list's lock nothing changes between them.
   */
  async #load(path: string, keep = false): Promise<Loaded | undefined> {
    const journalPath = journalPathOf(path)
    const journalBytes = await readJournal(journalPath)
    const read = await this.#readPath(path, keep && CACHING)
    if (read === undefined) return undefined
    const { file, taken, handle } = read
    try {
      const { valid, records } = replayJournal(journalBytes, journalPath, file, taken)
      const journal = {
        valid,
        records,
        size: journalBytes.length,
        bytes: journalBytes.slice(0, valid),
      }
      const loaded: Loaded = { path, file, taken, journal }
      if (handle !== undefined) {
        const identity = identityOf(await handle.stat({ bigint: true }))
        if (identity !== undefined) {
          this.#cache.set(path, { handle, identity, loaded })
          this.#trim()
          return loaded
        }
      }
      if (handle !== undefined) await closeQuietly(handle)
      return loaded
    } catch (error) {
      if (handle !== undefined) await closeQuietly(handle)
      throw error
    }
  }

  /**
   * Reads and checks a list file: `undefined` if absent, `store_corrupt` naming it if it is not a
   * list file whose bitmap and statuses fit its definition. Also returns the decoded bitmap.
   */
  async #readPath(
    path: string,
    holdOpen = false,
  ): Promise<{ file: ListFile; taken: Uint8Array; handle?: FileHandle } | undefined> {
    let handle: FileHandle | undefined
    try {
      // Bounded: a huge file (damaged, or planted) is refused having read no more than the bound.
      // Not a regular file (a FIFO put there would hold a thread-pool thread in open() forever).
      if (holdOpen) {
        handle = (await openRegularFile(path)).handle
        const bytes = await readHandle(handle, path, MAX_FILE_BYTES)
        return { ...this.#parse(path, bytes), handle }
      }
      return this.#parse(path, await readRegularFile(path, MAX_FILE_BYTES))
    } catch (error) {
      if (handle !== undefined) await closeQuietly(handle)
      if (error instanceof CredsignError) throw error
      const code = errnoOf(error)
      if (code === 'ENOENT') return undefined
      if (code === 'EFBIG') throw corrupt(path, 'is too large')
      if (code === 'ENOTREG' || code === 'EISDIR') throw corrupt(path, 'is not a regular file')
      throw unavailable('read', path, error)
    }
  }

  /** Checks the bytes of a list file (see {@link FileStatusListStore.#readPath}). */
  #parse(path: string, bytes: Uint8Array): { file: ListFile; taken: Uint8Array } {
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      throw corrupt(path, 'is not UTF-8')
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
      (file.format !== FORMAT_1 && file.format !== FORMAT) ||
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
    // Decoded into `taken`: its text is not kept (a kept list would hold the bitmap twice).
    file.taken = ''
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

  #lockPath(id: string): string {
    return this.#files.path(`${keyFileStem(id)}${LOCK_SUFFIX}`)
  }
}

/** A list file read and checked, with its journal replayed onto it. */
interface Loaded {
  path: string
  file: ListFile
  /** The allocation bitmap, the journal's allocations included. */
  taken: Uint8Array
  journal: {
    /** Bytes of whole, checked records at its start. */
    valid: number
    /** How many records those are. */
    records: number
    /** Its size: more than `valid` when an append was cut short (a crash), never acknowledged. */
    size: number
    /** Those `valid` bytes (a copy). */
    bytes: Uint8Array
  }
  /** `device:inode` of the new list file a change wrote (a fold) since it was read. */
  written?: string
}

/**
 * A list as a store last loaded or changed it under the list's lock, reused by the next change
 * instead of reading the list file again: a list of 2^20 entries is 175 KB of JSON, whose decoding
 * was most of the CPU of an allocation block (docs/status-lists.md). Sound because the list file is
 * held open: its inode cannot be freed while it is, so no other file can get its number, and a path
 * still naming that device and inode (with the same size and times) names the very bytes read. List
 * files are only ever replaced (rename) by credsign, never written in place; the times also catch
 * most edits in place by hand. The journal, appended to in place, is read at every change: its
 * first bytes must be the records already replayed (else the list is read again), and only what
 * follows them is replayed.
 */
interface CachedList {
  handle: FileHandle
  identity: string
  loaded: Loaded
  /**
   * The journal, held open once a change succeeded with it present: it is read and appended to
   * through this handle (fewer waits for the event loop than opening it each time), as long as the
   * path still names its device and inode.
   */
  journal?: HeldJournal
}

/** A journal held open: its handle, `device:inode`, and a buffer for reading it whole. */
interface HeldJournal {
  handle: FileHandle
  identity: string
  buffer: Uint8Array
}

/** Opens the journal at `path` to hold; `undefined` if there is none or it cannot be held. */
async function holdJournal(path: string): Promise<HeldJournal | undefined> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r+')
  } catch {
    return undefined
  }
  try {
    const info = await handle.stat({ bigint: true })
    const { dev, ino } = info
    // Only a regular file: a read of a FIFO held open would wait for a writer forever.
    if (ino > 0n && info.isFile())
      // One byte more than a journal may hold: a read that fills it is of a journal too large.
      return { handle, identity: `${dev}:${ino}`, buffer: new Uint8Array(MAX_JOURNAL_READ + 1) }
  } catch {
    // Not held: read by its path.
  }
  void closeQuietly(handle)
  return undefined
}

/** Closes the files a kept list holds open (without waiting: nothing depends on it). */
function closeHeld(cached: CachedList): void {
  void closeQuietly(cached.handle)
  if (cached.journal !== undefined) void closeQuietly(cached.journal.handle)
}

/** `stat` of `path` (bigint), `undefined` if there is nothing there. */
async function statIfPresent(path: string): Promise<Parameters<typeof identityOf>[0] | undefined> {
  try {
    return await stat(path, { bigint: true })
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined
    throw unavailable('inspect', path, error)
  }
}

/** Device, inode, size and times of a file; `undefined` where the platform has no inode numbers. */
function identityOf(s: {
  dev: bigint
  ino: bigint
  size: bigint
  mtimeNs: bigint
  ctimeNs: bigint
}): string | undefined {
  return s.ino > 0n ? `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}` : undefined
}

/**
 * The kept state of the list at `path` brought up to date: the journal's records appended since
 * replayed onto it. `undefined` when the list file is not the one it was read from (replaced,
 * removed) or the journal does not start with the records replayed: the list must be read again. A
 * `store_corrupt` journal leaves the state half-replayed: the caller drops it.
 */
async function brought(cached: CachedList, path: string): Promise<Loaded | undefined> {
  const journalPath = journalPathOf(path)
  const held = cached.journal
  // At once (one wait for the event loop, not one per step): under the list's lock nothing changes
  // between them.
  const [listNow, journalNow, bytes] = await Promise.all([
    statIfPresent(path),
    held === undefined ? undefined : statIfPresent(journalPath),
    held === undefined ? readJournal(journalPath) : readHeld(held, journalPath),
  ])
  if (listNow === undefined || identityOf(listNow) !== cached.identity) return undefined
  // The journal at the path must be the one held, read whole (a read that filled the buffer is of
  // a journal too large: read again by path, which refuses it).
  if (
    held !== undefined &&
    (journalNow === undefined ||
      `${journalNow.dev}:${journalNow.ino}` !== held.identity ||
      journalNow.size !== BigInt(bytes.length) ||
      bytes.length === held.buffer.length)
  )
    return undefined
  const { loaded } = cached
  const known = loaded.journal.bytes
  if (bytes.length < known.length || !equalBytes(bytes.subarray(0, known.length), known))
    return undefined
  const added = replayJournal(bytes.subarray(known.length), journalPath, loaded.file, loaded.taken)
  const valid = known.length + added.valid
  loaded.journal = {
    valid,
    records: loaded.journal.records + added.records,
    size: bytes.length,
    bytes: valid === known.length ? known : bytes.slice(0, valid),
  }
  return loaded
}

/** The bytes of a held journal (a view of its buffer, valid until the next read). */
async function readHeld(held: HeldJournal, path: string): Promise<Uint8Array> {
  try {
    const { bytesRead } = await held.handle.read(held.buffer, 0, held.buffer.length, 0)
    return held.buffer.subarray(0, bytesRead)
  } catch (error) {
    throw unavailable('read', path, error)
  }
}

/** The bytes of the journal at `path`: empty if there is none; bounded. */
async function readJournal(path: string): Promise<Uint8Array> {
  try {
    return await readRegularFile(path, MAX_JOURNAL_READ)
  } catch (error) {
    const code = errnoOf(error)
    if (code === 'ENOENT') return new Uint8Array(0)
    if (code === 'EFBIG') throw corrupt(path, 'is too large')
    if (code === 'ENOTREG' || code === 'EISDIR') throw corrupt(path, 'is not a regular file')
    throw unavailable('read', path, error)
  }
}

// The allocation journal: records appended one per allocation, each
//   count (u32 LE, 1 to MAX_STATUS_INDEX_BLOCK) | count indexes (u32 LE) | checksum
// with the checksum the first CHECKSUM_BYTES of SHA-256(list id (UTF-8) | count | indexes): a record
// cut short by a crash, or zeros a file system shows in place of data never written, fail it. Only
// the last record can be cut short (the next append first truncates the journal to its whole
// records, and a failed append cuts itself off), so a bad record followed by a whole one, or by more
// bytes than any record holds, is damage, not a crash: store_corrupt.

/** The path of the journal of the list file at `listPath`. */
function journalPathOf(listPath: string): string {
  return `${listPath.slice(0, -LIST_SUFFIX.length)}${JOURNAL_SUFFIX}`
}

/** The journal record of `indexes` allocated from list `id`. */
function journalRecord(id: string, indexes: number[]): Uint8Array {
  const body = new Uint8Array(4 + 4 * indexes.length)
  const view = new DataView(body.buffer)
  view.setUint32(0, indexes.length, true)
  for (let i = 0; i < indexes.length; i++) view.setUint32(4 + 4 * i, indexes[i] as number, true)
  const record = new Uint8Array(body.length + CHECKSUM_BYTES)
  record.set(body)
  record.set(checksumOf(id, body), body.length)
  return record
}

// node:crypto's SHA-256 rather than noble's: every read replays the journal, up to 64 KiB of records,
// ~5x faster natively (0.05 against 0.25 ms for 20 records of 1.6 KB, measured).
function checksumOf(id: string, body: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(id, 'utf8').update(body).digest()
  return new Uint8Array(digest.buffer, digest.byteOffset, CHECKSUM_BYTES)
}

/**
 * Marks the journal's allocations taken in `taken` (and counts those not taken yet into
 * `file.allocated`): replaying a record twice changes nothing. Returns the bytes of whole, checked
 * records and their count; `store_corrupt` for a checked record that does not fit the list, or a
 * bad one too far from the end to be an append cut short.
 */
function replayJournal(
  bytes: Uint8Array,
  path: string,
  file: ListFile,
  taken: Uint8Array,
): { valid: number; records: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const { id, size } = file.definition
  let offset = 0
  let records = 0
  while (offset < bytes.length) {
    const count = bytes.length - offset >= 4 ? view.getUint32(offset, true) : 0
    const end = offset + 4 + 4 * count + CHECKSUM_BYTES
    const whole =
      count >= 1 &&
      count <= MAX_STATUS_INDEX_BLOCK &&
      end <= bytes.length &&
      equalBytes(
        checksumOf(id, bytes.subarray(offset, end - CHECKSUM_BYTES)),
        bytes.subarray(end - CHECKSUM_BYTES, end),
      )
    if (!whole) {
      // A torn append is the journal's last bytes: a whole record after a bad one was written
      // (and maybe acknowledged) after it, so the bad one is damage (a lost page, a failed sync),
      // and skipping it would drop the later record's indexes.
      if (bytes.length - offset > MAX_RECORD_BYTES || wholeRecordAfter(bytes, offset, id))
        throw corrupt(path, 'holds a damaged record before its end')
      break
    }
    for (let at = offset + 4; at < end - CHECKSUM_BYTES; at += 4) {
      const index = view.getUint32(at, true)
      if (index >= size) throw corrupt(path, 'holds an index outside the list')
      if (!isTaken(taken, index)) {
        markTaken(taken, index)
        file.allocated++
      }
    }
    offset = end
    records++
  }
  return { valid: offset, records }
}

/**
 * Whether a whole record (count in range, checksum right) starts at any 4-byte boundary after
 * `offset` (records are multiples of 4 bytes from the journal's start).
 */
function wholeRecordAfter(bytes: Uint8Array, offset: number, id: string): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let at = offset + 4; at + 4 <= bytes.length; at += 4) {
    const count = view.getUint32(at, true)
    const end = at + 4 + 4 * count + CHECKSUM_BYTES
    if (count < 1 || count > MAX_STATUS_INDEX_BLOCK || end > bytes.length) continue
    const sum = checksumOf(id, bytes.subarray(at, end - CHECKSUM_BYTES))
    if (equalBytes(sum, bytes.subarray(end - CHECKSUM_BYTES, end))) return true
  }
  return false
}

/** Empties the journal at `path` (synced), if there is one. */
async function emptyJournal(path: string): Promise<void> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r+')
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return
    throw unavailable('open', path, error)
  }
  try {
    await handle.truncate(0)
    await handle.sync()
  } catch (error) {
    throw unavailable('empty', path, error)
  } finally {
    await closeQuietly(handle)
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  // Natively: a kept journal's records are compared at every change (up to 64 KiB).
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)
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

/** Whether anything is at `path`. */
async function present(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false
    throw unavailable('inspect', path, error)
  }
}

function exists(): CredsignError {
  return new CredsignError('exists', 'a status list with this id exists')
}

function corrupt(path: string, what: string): CredsignError {
  return new CredsignError('store_corrupt', `file store: ${path} ${what}`)
}
