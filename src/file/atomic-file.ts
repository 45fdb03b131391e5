import {
  chmod,
  constants,
  link,
  mkdir,
  open,
  readdir,
  rename,
  stat,
  unlink,
} from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import type { BigIntStats } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex } from '@noble/hashes/utils.js'
import { CredsignError } from '../errors/credsign-error.js'
import { randomBytes, wipe } from '../util/bytes.js'

// The crash-safe file mechanics shared by FileStore and FileStatusListStore: a directory of files
// each written to a synced temporary file, then linked (create) or renamed (replace) into place
// with the directory synced, and changed under a per-file lock (a promise chain in the process plus
// an O_EXCL lock file across processes, broken once older than staleLockMs).

/** Options of {@link AtomicDirectory}. @internal */
export interface AtomicDirectoryOptions {
  /** How long {@link AtomicDirectory.exclusive} waits for another writer's lock (ms). */
  lockTimeoutMs: number
  /** Age after which a lock file is taken to be left by a crashed process and broken (ms). */
  staleLockMs: number
  /** Start of every transient file's name: a dot, so it never collides with a stored file. */
  tempPrefix: string
}

/**
 * Per-lock-file chains of this process's writers. Module-wide, so two stores on one directory queue
 * behind each other instead of spinning on each other's lock file.
 */
const chains = new Map<string, Promise<void>>()

/**
 * Files {@link AtomicDirectory.writeAt} wrote to whose directory this process synced since: path to
 * `device:inode`. Another inode at the path (the file removed and made again) is synced again.
 */
const namesSynced = new Map<string, string>()

/**
 * A directory of files written atomically and durably, changed under per-file locks. Every I/O
 * failure is a `store_unavailable` CredsignError naming the path, with the Node error as cause.
 *
 * @internal
 */
export class AtomicDirectory {
  readonly #options: AtomicDirectoryOptions
  #ready: Promise<void> | undefined

  constructor(
    readonly directory: string,
    options: AtomicDirectoryOptions,
  ) {
    this.#options = options
  }

  /** The path of `name` in the directory. */
  path(name: string): string {
    return join(this.directory, name)
  }

  /** A fresh transient file name: the temp prefix, `kind` and 96 random bits. */
  randomName(kind: string): string {
    return `${this.#options.tempPrefix}${kind}${bytesToHex(randomBytes(12))}`
  }

  /** Creates the directory (mode 0700) if missing; memoised on success only. */
  ensure(): Promise<void> {
    // Memoised on success only, so a directory that appears later (a mounted volume) is picked up.
    this.#ready ??= this.#makeDirectory().catch((error: unknown) => {
      this.#ready = undefined
      throw error
    })
    return this.#ready
  }

  async #makeDirectory(): Promise<void> {
    try {
      const created = await mkdir(this.directory, { recursive: true, mode: 0o700 })
      // mkdir's mode is filtered by the umask; set it outright, but only on a directory we made.
      if (created !== undefined) await chmod(this.directory, 0o700)
    } catch (error) {
      throw unavailable('create the directory', this.directory, error)
    }
  }

  /** The directory's entries (created first if missing). */
  async names(): Promise<string[]> {
    await this.ensure()
    try {
      return await readdir(this.directory)
    } catch (error) {
      throw unavailable('read the directory', this.directory, error)
    }
  }

  /** Writes `data` to a new synced temporary file with mode 0600 and returns its path. */
  async writeTemp(data: Uint8Array, kind = ''): Promise<string> {
    const temp = this.path(this.randomName(kind))
    let handle: FileHandle
    try {
      handle = await open(temp, 'wx', 0o600)
    } catch (error) {
      throw unavailable('write a temporary file in', this.directory, error)
    }
    try {
      // open()'s mode is filtered by the umask; make it exactly 0600.
      await chmod(temp, 0o600)
      await handle.writeFile(data)
      // Durable before it gets its real name, so a crash can never expose a partial file under it.
      await handle.sync()
    } catch (error) {
      await closeQuietly(handle)
      await unlinkQuietly(temp)
      throw unavailable('write', temp, error)
    }
    try {
      await handle.close()
    } catch (error) {
      await unlinkQuietly(temp)
      throw unavailable('write', temp, error)
    }
    return temp
  }

  /**
   * Creates `path` holding `data`, complete or not at all; `false` (nothing written) if the name is
   * taken. link() fails with EEXIST atomically, even against other processes: exactly one of many
   * concurrent creates wins.
   */
  async create(path: string, data: Uint8Array): Promise<boolean> {
    const temp = await this.writeTemp(data)
    try {
      await link(temp, path)
    } catch (error) {
      if (errnoOf(error) === 'EEXIST') return false
      throw unavailable('create', path, error)
    } finally {
      await unlinkQuietly(temp)
    }
    await this.sync()
    return true
  }

  /**
   * Replaces `path` by a file holding `data` (rename: readers see the old or the new file).
   * Resolves with the new file's `device:inode`.
   */
  async replace(path: string, data: Uint8Array): Promise<string> {
    const temp = await this.writeTemp(data)
    let identity: string
    try {
      const { dev, ino } = await stat(temp, { bigint: true })
      identity = `${dev}:${ino}`
      await rename(temp, path)
    } catch (error) {
      await unlinkQuietly(temp)
      throw unavailable('replace', path, error)
    }
    await this.sync()
    return identity
  }

  /**
   * Writes `data` at `offset` of `path` (created with mode 0600 if missing), synced (fdatasync)
   * before it resolves: an append to a journal. `cut`: the file is longer than `offset` (an append
   * cut short by a crash left bytes there, never acknowledged), so it is first truncated to it. The
   * first write of this process to a file (by device and inode) also syncs the directory: the file
   * may have been created by a process killed before it synced the directory, and an fdatasync
   * makes the file's data durable, not its name. If the write or its sync fails, the file is cut
   * back to `offset` (best effort): bytes a failed sync left in the page cache may never reach the
   * disk, and a later, acknowledged append after them would sit behind a hole.
   */
  async writeAt(
    path: string,
    data: Uint8Array,
    offset: number,
    { cut }: { cut: boolean },
  ): Promise<void> {
    let handle: FileHandle
    try {
      handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600)
    } catch (error) {
      throw unavailable('open', path, error)
    }
    let identity: string
    try {
      const { dev, ino } = await handle.stat({ bigint: true })
      identity = `${dev}:${ino}`
    } catch (error) {
      await closeQuietly(handle)
      throw unavailable('write', path, error)
    }
    try {
      await this.writeAtOpen(handle, identity, path, data, offset, { cut })
    } finally {
      await closeQuietly(handle)
    }
  }

  /**
   * {@link AtomicDirectory.writeAt} to a file this process holds open (`handle`, of `path`, whose
   * `device:inode` is `identity`): the same steps without opening, inspecting and closing it (three
   * waits for the event loop fewer: a busy process's turns are what an append waits for most).
   */
  async writeAtOpen(
    handle: FileHandle,
    identity: string,
    path: string,
    data: Uint8Array,
    offset: number,
    { cut }: { cut: boolean },
  ): Promise<void> {
    try {
      if (cut) await handle.truncate(offset)
      const { bytesWritten } = await handle.write(data, 0, data.length, offset)
      if (bytesWritten !== data.length) throw new Error(`short write to ${path}`)
      await handle.datasync()
    } catch (error) {
      try {
        await handle.truncate(offset)
        await handle.datasync()
      } catch {
        // The disk is failing: the reader's check (no whole record after a bad one) still holds.
      }
      throw unavailable('write', path, error)
    }
    if (namesSynced.get(path) !== identity) {
      await this.sync()
      namesSynced.set(path, identity)
    }
  }

  /** Makes a link, rename or unlink in the directory durable. */
  async sync(): Promise<void> {
    let handle: FileHandle | undefined
    try {
      handle = await open(this.directory, 'r')
      await handle.sync()
    } catch (error) {
      // Some platforms (Windows) and file systems cannot open or sync a directory; their rename is as
      // durable as it gets there.
      const code = errnoOf(error)
      if (
        code !== 'EISDIR' &&
        code !== 'EPERM' &&
        code !== 'EINVAL' &&
        code !== 'ENOTSUP' &&
        code !== 'EACCES'
      ) {
        throw unavailable('sync the directory', this.directory, error)
      }
    } finally {
      if (handle !== undefined) await closeQuietly(handle)
    }
  }

  /** Runs `action` holding the lock file `lockPath`: first in this process, then across processes. */
  async exclusive<T>(lockPath: string, action: () => Promise<T>): Promise<T> {
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
    const { lockTimeoutMs, staleLockMs } = this.#options
    const deadline = Date.now() + lockTimeoutMs
    let delay = 1
    for (;;) {
      try {
        // O_CREAT | O_EXCL: exactly one process can create the file.
        const handle = await open(lockPath, 'wx', 0o600)
        // The lock is the file's existence, not this descriptor: closed without waiting for it.
        void closeQuietly(handle)
        return
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') throw unavailable('create the lock file', lockPath, error)
      }
      const gone = await this.breakStaleLock(lockPath)
      if (gone && Date.now() < deadline) continue
      if (Date.now() >= deadline) {
        throw new CredsignError(
          'store_unavailable',
          `file store: timed out after ${lockTimeoutMs} ms waiting for ${lockPath} (held by another writer; ` +
            `it is broken once older than ${staleLockMs} ms)`,
        )
      }
      // Jittered exponential backoff, so contending processes do not retry in lockstep.
      await sleep(delay * (0.5 + Math.random()))
      delay = Math.min(delay * 2, 50)
    }
  }

  /**
   * Removes the lock file if it is older than `staleLockMs` (its holder crashed). Resolves `true`
   * if the lock is gone (broken here or released meanwhile), so the caller should retry at once.
   */
  async breakStaleLock(lockPath: string): Promise<boolean> {
    let before
    try {
      before = await stat(lockPath, { bigint: true })
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return true
      throw unavailable('inspect the lock file', lockPath, error)
    }
    if (Date.now() - Number(before.mtimeMs) < this.#options.staleLockMs) return false
    // Unlinking directly could delete a fresh lock that another process made after breaking the same
    // stale one. Move it aside instead, check it is the file judged stale, and put it back if not.
    const aside = this.path(this.randomName('stale-lock-'))
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
      // EEXIST: yet another writer holds the lock now; it stays theirs.
    }
    await unlinkQuietly(aside)
    return true
  }
}

/** The `code` of a Node system error, if any. @internal */
export function errnoOf(error: unknown): string | undefined {
  if (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string'
  )
    return error.code
  return undefined
}

/**
 * Any I/O failure becomes `store_unavailable` with the Node error as cause: callers never see raw
 * errors. A CredsignError passes through.
 *
 * @internal
 */
export function unavailable(action: string, path: string, cause: unknown): CredsignError {
  if (cause instanceof CredsignError) return cause
  const code = errnoOf(cause)
  return new CredsignError(
    'store_unavailable',
    `file store: cannot ${action} ${path}${code === undefined ? '' : ` (${code})`}`,
    { cause },
  )
}

/**
 * Reads a whole file (at most `maxBytes`, else an EFBIG-coded error, having read no more).
 *
 * @internal
 */
export async function readWhole(path: string, maxBytes = 64 * 1024 * 1024): Promise<Uint8Array> {
  const handle = await open(path, 'r')
  try {
    return await readHandle(handle, path, maxBytes)
  } finally {
    await closeQuietly(handle)
  }
}

/**
 * {@link readWhole} for files that must be regular files (key files): opened without blocking, so a
 * FIFO put in the file's place is refused (an `ENOTREG` error) instead of an `open` that waits for
 * a writer forever while holding a libuv thread-pool thread. A directory is an `EISDIR` error, as a
 * read of one would be.
 *
 * @example
 *
 * ```ts
 * const bytes = await readRegularFile('/var/lib/credsign/keys/k.json')
 * ```
 *
 * @internal
 */
export async function readRegularFile(
  path: string,
  maxBytes = 64 * 1024 * 1024,
): Promise<Uint8Array> {
  const { handle } = await openRegularFile(path)
  try {
    return await readHandle(handle, path, maxBytes)
  } finally {
    await closeQuietly(handle)
  }
}

/**
 * Opens `path` for reading if it is a regular file (with its `stat`): without blocking, so a FIFO
 * put in the file's place is refused (an `ENOTREG` error) instead of an `open` that waits for a
 * writer forever while holding a libuv thread-pool thread; a directory is an `EISDIR` error.
 *
 * @example
 *
 * ```ts
 * const { handle, stats } = await openRegularFile(
 *   '/var/lib/credsign/status/l.status-list.json',
 * )
 * ```
 *
 * @internal
 */
export async function openRegularFile(
  path: string,
): Promise<{ handle: FileHandle; stats: BigIntStats }> {
  // O_NONBLOCK opens a FIFO at once (no writer needed); for a regular file it changes nothing.
  // Windows has no O_NONBLOCK, and no FIFOs to open this way.
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    const stats = await handle.stat({ bigint: true })
    if (stats.isDirectory())
      throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' })
    if (!stats.isFile())
      throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG' })
    return { handle, stats }
  } catch (error) {
    await closeQuietly(handle)
    throw error
  }
}

/**
 * The whole content of the open file `handle` (of `path`, named in errors), read from its current
 * position, at most `maxBytes` (an `EFBIG` error beyond, as {@link readWhole}).
 *
 * @internal
 */
export async function readHandle(
  handle: FileHandle,
  path: string,
  maxBytes = 64 * 1024 * 1024,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const chunk = new Uint8Array(Math.min(64 * 1024, maxBytes + 1 - total))
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null)
    if (bytesRead === 0) break
    chunks.push(chunk.subarray(0, bytesRead))
    total += bytesRead
    if (total > maxBytes) {
      wipe(...chunks)
      throw Object.assign(new Error(`${path} is larger than ${maxBytes} bytes`), {
        code: 'EFBIG',
      })
    }
  }
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  wipe(...chunks)
  return out
}

/** Unlinks, ignoring failure: a leftover transient file is harmless. @internal */
export async function unlinkQuietly(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch {
    // A leftover temporary file is harmless: its name starts with a dot and never matches a stored
    // file, and FileStore.cleanup() removes it.
  }
}

/** Closes, ignoring failure. @internal */
export async function closeQuietly(handle: FileHandle): Promise<void> {
  try {
    await handle.close()
  } catch {
    // Nothing useful to do: the data was already written and synced, or the write already failed.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms))
}
