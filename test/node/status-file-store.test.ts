// FileStatusListStore: the store contract, then real processes allocating from one list at once
// (no index twice, the count exact), and what it does with damaged files.
import { execFileSync } from 'node:child_process'
import { constants } from 'node:fs'
import { mkdtemp, open, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { MAX_STATUS_INDEX_BLOCK, StatusLists } from 'credsign'
import { FileStatusListStore, keyFileStem } from 'credsign/file'
import { AtomicDirectory } from '../../src/file/atomic-file.js'
import { statusListStoreContract, definition, codeOf } from '../core/status-store-contract.js'
import { allocateInProcesses, allocateUntilKilled, drainStatusList } from './status-processes.js'

const dirs: string[] = []
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'credsign-status-'))
  dirs.push(dir)
  return dir
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

/** A list's file and its journal in a store directory. */
const listPath = (directory: string, id: string): string =>
  join(directory, `${keyFileStem(id)}.status-list.json`)
const journalPath = (directory: string, id: string): string =>
  join(directory, `${keyFileStem(id)}.status-list.journal`)

/** Runs `action` with the next `datasync` of any FileHandle failing with EIO (a failing disk). */
async function withFailedDatasync<T>(action: () => Promise<T>): Promise<T> {
  const { open } = await import('node:fs/promises')
  const probe = await open(tmpdir(), 'r')
  const handlePrototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> }
  await probe.close()
  const datasync = vi
    .spyOn(handlePrototype, 'datasync')
    .mockRejectedValueOnce(Object.assign(new Error('EIO'), { code: 'EIO' }))
  try {
    return await action()
  } finally {
    datasync.mockRestore()
  }
}

statusListStoreContract(
  'FileStatusListStore',
  async () => new FileStatusListStore({ directory: await freshDir() }),
)

describe('FileStatusListStore across processes', () => {
  it('two processes allocating 300 indexes each from one list: no index twice, none lost', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 131_072 })
    await store.createStatusList(def)
    const reports = await allocateInProcesses(2, {
      store: 'file',
      directory,
      list: def.id,
      count: 300,
      parallel: 4,
    })
    const all = reports.flatMap((r) => r.indexes)
    expect(reports.map((r) => r.refused)).toEqual([{}, {}])
    expect(all.length).toBe(600)
    expect(new Set(all).size).toBe(600)
    expect((await store.getStatusList(def.id))?.allocated).toBe(600)
    // Every index handed out is marked taken: setting its status works, and nothing else was taken.
    for (const index of all.slice(0, 20))
      expect((await store.setStatus(def.id, index, 1)).changed).toBe(true)
    const leftovers = (await readdir(directory)).filter(
      (name) => name.startsWith('.') || name.endsWith('.lock'),
    )
    expect(leftovers).toEqual([])
  }, 120_000)

  it('two processes exhausting a small list: exactly its size allocated, the rest status_list_full', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 150 })
    await store.createStatusList(def)
    const reports = await allocateInProcesses(2, {
      store: 'file',
      directory,
      list: def.id,
      count: 100,
      parallel: 3,
    })
    const all = reports.flatMap((r) => r.indexes)
    expect(new Set(all).size).toBe(150)
    expect(all.length).toBe(150)
    expect(reports.reduce((n, r) => n + (r.refused.status_list_full ?? 0), 0)).toBe(50)
  }, 120_000)
})

describe('FileStatusListStore: a writer killed midway', () => {
  it('never hands out again an index a killed process was given, and leaves a readable list', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory, staleLockMs: 100 })
    const def = definition({ size: 300 })
    await store.createStatusList(def)
    const reported = await allocateUntilKilled(
      { store: 'file', directory, list: def.id, count: 300, parallel: 4 },
      60,
    )
    expect(reported.length).toBeGreaterThanOrEqual(60)
    // The killed process may have left its lock file: it is broken once older than staleLockMs.
    await new Promise((done) => setTimeout(done, 150))
    const rest = await drainStatusList(store, def.id)
    expect(rest.filter((index) => reported.includes(index))).toEqual([])
    expect(new Set([...reported, ...rest]).size).toBe(reported.length + rest.length)
    expect((await store.getStatusList(def.id))?.allocated).toBe(300)
  }, 120_000)
})

describe('FileStatusListStore with StatusLists reserving blocks (reserve)', () => {
  it('32 allocations cost one synced write (a journal append), not 32', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ kind: 'token', bits: 2, size: 131_072 })
    await store.createStatusList(def)
    // Every synced write of a list: a rewrite of its file, or an append to its journal.
    const rewrites = vi.spyOn(AtomicDirectory.prototype, 'replace')
    const appends = vi.spyOn(AtomicDirectory.prototype, 'writeAt')
    const writes = (): number => rewrites.mock.calls.length + appends.mock.calls.length
    try {
      const lists = new StatusLists({ store, reserve: 32 })
      const got: number[] = []
      // Up to the reserve-ahead point (a quarter of the block left): exactly one write.
      for (let i = 0; i < 24; i++) got.push((await lists.allocate(def.id)).index)
      expect(writes()).toBe(1)
      expect(appends).toHaveBeenCalledTimes(1)
      for (let i = 0; i < 8; i++) got.push((await lists.allocate(def.id)).index)
      expect(writes()).toBeLessThanOrEqual(2)
      expect(new Set(got).size).toBe(32)
      // 32 concurrent callers on a fresh object share the reservations: a few writes, not 32.
      rewrites.mockClear()
      appends.mockClear()
      const other = new StatusLists({ store, reserve: 32 })
      const parallel = await Promise.all(Array.from({ length: 32 }, () => other.allocate(def.id)))
      expect(writes()).toBeLessThanOrEqual(2)
      expect(new Set([...got, ...parallel.map((e) => e.index)]).size).toBe(64)
      // Every index handed out was recorded before: its status can be set.
      expect(await lists.revoke(def.id, got[31] as number)).toBe(true)
    } finally {
      rewrites.mockRestore()
      appends.mockRestore()
    }
  })

  it('two processes x 2,000 allocations through StatusLists (reserve 32): no index twice', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 131_072 })
    await store.createStatusList(def)
    const reports = await allocateInProcesses(2, {
      store: 'file',
      directory,
      list: def.id,
      count: 2000,
      parallel: 8,
      reserve: 32,
    })
    const all = reports.flatMap((r) => r.indexes)
    expect(reports.map((r) => r.refused)).toEqual([{}, {}])
    expect(all.length).toBe(4000)
    expect(new Set(all).size).toBe(4000)
    // Each process may end holding part of a block it reserved ahead: never more than 32.
    const allocated = (await store.getStatusList(def.id))?.allocated as number
    expect(allocated).toBeGreaterThanOrEqual(4000)
    expect(allocated).toBeLessThanOrEqual(4000 + 2 * 32)
    for (const index of all.slice(0, 20))
      expect((await store.setStatus(def.id, index, 1)).changed).toBe(true)
  }, 120_000)

  it('a process SIGKILLed while reserving: none of its indexes handed out again, at most a block lost', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory, staleLockMs: 100 })
    const def = definition({ size: 300 })
    await store.createStatusList(def)
    const reported = await allocateUntilKilled(
      { store: 'file', directory, list: def.id, count: 300, parallel: 4, reserve: 16 },
      60,
    )
    expect(reported.length).toBeGreaterThanOrEqual(60)
    await new Promise((done) => setTimeout(done, 150))
    const rest = await drainStatusList(store, def.id)
    expect(rest.filter((index) => reported.includes(index))).toEqual([])
    expect(new Set([...reported, ...rest]).size).toBe(reported.length + rest.length)
    // What the killed process held unused (its reservation, at most `reserve`) is never used; nor
    // are indexes its 4 workers had been given but not yet printed when the kill came.
    expect(reported.length + rest.length).toBeGreaterThanOrEqual(300 - 16 - 4)
    expect((await store.getStatusList(def.id))?.allocated).toBe(300)
  }, 120_000)
})

describe('FileStatusListStore: damaged files', () => {
  it('reports a file that is not a status list as store_corrupt, never as a list', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 100 })
    await store.createStatusList(def)
    const path = join(directory, `${keyFileStem(def.id)}.status-list.json`)
    for (const content of ['{', '[]', '{"format":"credsign-status-list"}', '\u00ff\u00fe']) {
      await writeFile(path, content)
      expect(await codeOf(store.getStatusList(def.id)), content).toBe('store_corrupt')
      expect(await codeOf(store.allocateStatusIndex(def.id)), content).toBe('store_corrupt')
    }
    // Another list's file copied onto this name.
    const other = definition({ size: 100 })
    await store.createStatusList(other)
    const { readFile } = await import('node:fs/promises')
    await writeFile(
      path,
      await readFile(join(directory, `${keyFileStem(other.id)}.status-list.json`)),
    )
    expect(await codeOf(store.getStatusList(def.id))).toBe('store_corrupt')
  })

  it('refuses an oversized file as store_corrupt, reading no more than the 64 MiB bound', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 100 })
    await store.createStatusList(def)
    const path = join(directory, `${keyFileStem(def.id)}.status-list.json`)
    // Sparse: 3 GiB that fs.readFile would refuse (ERR_FS_FILE_TOO_LARGE) after trying to read it.
    await truncate(path, 3 * 2 ** 30)
    expect(await codeOf(store.getStatusList(def.id))).toBe('store_corrupt')
    expect(await codeOf(store.allocateStatusIndex(def.id))).toBe('store_corrupt')
  })

  it('refuses a list file whose bitmap or statuses do not fit its definition as store_corrupt', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 100, bits: 2 })
    await store.createStatusList(def)
    const path = join(directory, `${keyFileStem(def.id)}.status-list.json`)
    const good = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
    const damaged: Record<string, unknown>[] = [
      { taken: '!!!!' }, // not base64url
      { taken: 'AAAA' }, // 3 bytes for a 100-entry list: an index past them could be handed out twice
      { statuses: [null] },
      { statuses: [[1]] },
      { statuses: [[100, 1]] }, // index outside the list
      { statuses: [[1, 4]] }, // status wider than 2 bits
      { statuses: [[1, 0]] }, // zero statuses are not stored
      {
        statuses: [
          [2, 1],
          [1, 1],
        ],
      }, // not ascending
      { allocated: 101 },
      { allocated: -1 },
      { version: -1 },
    ]
    for (const change of damaged) {
      await writeFile(path, JSON.stringify({ ...good, ...change }))
      const label = JSON.stringify(change)
      expect(await codeOf(store.getStatusList(def.id)), label).toBe('store_corrupt')
      expect(await codeOf(store.allocateStatusIndex(def.id)), label).toBe('store_corrupt')
      expect(await codeOf(store.setStatus(def.id, 1, 1)), label).toBe('store_corrupt')
    }
  })
})

describe('FileStatusListStore: the allocation journal', () => {
  /** Every index a fresh store on `directory` still hands out, in blocks, until the list is full. */
  async function drainInBlocks(directory: string, id: string): Promise<number[]> {
    const store = new FileStatusListStore({ directory })
    const rest: number[] = []
    for (;;) {
      try {
        rest.push(...(await store.allocateStatusIndexes(id, 5)))
      } catch (error) {
        if ((error as { code?: string }).code !== 'status_list_full') throw error
        return rest
      }
    }
  }

  it('an append cut short at any byte of its record (a crash): the earlier blocks kept, the cut one not half-kept, the next append readable', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 64 })
    await store.createStatusList(def)
    const first = await store.allocateStatusIndexes(def.id, 10)
    const second = await store.allocateStatusIndexes(def.id, 7)
    const whole = new Uint8Array(await readFile(journalPath(directory, def.id)))
    const lastRecord = 4 + 4 * 7 + 8
    expect(whole.length).toBe(4 + 4 * 10 + 8 + lastRecord)
    const listFile = await readFile(listPath(directory, def.id))
    const start = whole.length - lastRecord
    // Each length a crash can leave (the record's first k bytes), and the record's place full of
    // zeros (a file system that grew the file but never wrote the data).
    const damaged = Array.from({ length: lastRecord }, (_, k) => whole.subarray(0, start + k))
    damaged.push(new Uint8Array([...whole.subarray(0, start), ...new Uint8Array(lastRecord)]))
    for (const [at, journal] of damaged.entries()) {
      const label = `cut ${at}`
      await writeFile(listPath(directory, def.id), listFile)
      await writeFile(journalPath(directory, def.id), journal)
      const reader = new FileStatusListStore({ directory })
      expect((await reader.getStatusList(def.id))?.allocated, label).toBe(10)
      // The next append cuts off what the crash left: the journal is whole records again.
      const one = await reader.allocateStatusIndexes(def.id, 1)
      expect((await readFile(journalPath(directory, def.id))).length, label).toBe(start + 16)
      // The first block is never handed out again; the cut one (never acknowledged) may be.
      const rest = [...one, ...(await drainInBlocks(directory, def.id))]
      expect(
        rest.filter((index) => first.includes(index)),
        label,
      ).toEqual([])
      expect(new Set([...first, ...rest]).size, label).toBe(64)
      expect(rest.length, label).toBe(54)
      // What was appended after the cut reads back whole: the list is full for a new reader too.
      const again = new FileStatusListStore({ directory })
      expect((await again.getStatusList(def.id))?.allocated, label).toBe(64)
      expect(await codeOf(again.allocateStatusIndex(def.id)), label).toBe('status_list_full')
    }
    // The journal intact: both blocks kept.
    await writeFile(listPath(directory, def.id), listFile)
    await writeFile(journalPath(directory, def.id), whole)
    const rest = await drainInBlocks(directory, def.id)
    expect(new Set([...first, ...second, ...rest]).size).toBe(64)
    expect(rest.length).toBe(47)
  })

  it('reads a list file of format 1 (before the journal) and keeps its allocations and statuses', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 64 })
    await store.createStatusList(def)
    // What credsign wrote before the journal: format 1, every allocation in the file's bitmap.
    const taken = new Uint8Array(8)
    taken[0] = 0xff // indexes 0 to 7
    taken[1] = 0x03 // 8 and 9
    const old = {
      format: 'credsign-status-list',
      definition: def,
      allocated: 10,
      version: 1,
      taken: Buffer.from(taken).toString('base64url'),
      statuses: [[3, 1]],
    }
    await writeFile(listPath(directory, def.id), JSON.stringify(old))
    expect((await store.getStatusList(def.id))?.allocated).toBe(10)
    expect(await store.readStatuses(def.id)).toEqual({ version: 1, statuses: [[3, 1]] })
    expect(await codeOf(store.setStatus(def.id, 3, 0))).toBe('status_irreversible')
    const block = await store.allocateStatusIndexes(def.id, 5)
    expect(block.filter((index) => index < 10)).toEqual([])
    // Its first allocation rewrote it as format 2 (a reader that knows only format 1 refuses it).
    const now = JSON.parse(await readFile(listPath(directory, def.id), 'utf8')) as {
      format: string
      allocated: number
    }
    expect(now.format).toBe('credsign-status-list/2')
    expect(now.allocated).toBe(15)
    const rest = await drainInBlocks(directory, def.id)
    expect(new Set([...block, ...rest]).size).toBe(54)
    expect(rest.filter((index) => index < 10)).toEqual([])
  })

  it('folds the journal into the list file: after 64 records, and at a status change', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 1024 })
    await store.createStatusList(def)
    const got: number[] = []
    for (let i = 0; i < 70; i++) got.push(await store.allocateStatusIndex(def.id))
    const journalBytes = (await readFile(journalPath(directory, def.id))).length
    // 64 one-index records (16 bytes each), then a fold (the 65th), then 5 more.
    expect(journalBytes).toBe(5 * 16)
    const file = JSON.parse(await readFile(listPath(directory, def.id), 'utf8')) as {
      allocated: number
    }
    expect(file.allocated).toBe(65)
    expect((await store.getStatusList(def.id))?.allocated).toBe(70)
    expect((await store.setStatus(def.id, got[69] as number, 1)).changed).toBe(true)
    expect((await readFile(journalPath(directory, def.id))).length).toBe(0)
    expect((await store.getStatusList(def.id))?.allocated).toBe(70)
    expect(new Set([...got, ...(await drainInBlocks(directory, def.id))]).size).toBe(1024)
  })

  it('reports a journal damaged before its end as store_corrupt, never as fewer allocations', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 4096 })
    await store.createStatusList(def)
    await store.allocateStatusIndexes(def.id, 3)
    const whole = new Uint8Array(await readFile(journalPath(directory, def.id)))
    // A flipped bit in the first record, followed by more than any record holds.
    const damaged = new Uint8Array([...whole, ...new Uint8Array(4 * MAX_STATUS_INDEX_BLOCK + 100)])
    damaged[5] = (damaged[5] as number) ^ 1
    await writeFile(journalPath(directory, def.id), damaged)
    expect(await codeOf(store.getStatusList(def.id))).toBe('store_corrupt')
    expect(await codeOf(store.allocateStatusIndexes(def.id, 3))).toBe('store_corrupt')
  })
})

describe('FileStatusListStore journal: review findings', () => {
  it('a hole before a whole record (a lost append after a failed sync, then an acknowledged one) is store_corrupt, never skipped', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 64 })
    await store.createStatusList(def)
    const [first] = await store.allocateStatusIndexes(def.id, 1)
    const [lost] = await store.allocateStatusIndexes(def.id, 1)
    const [acknowledged] = await store.allocateStatusIndexes(def.id, 1)
    const whole = new Uint8Array(await readFile(journalPath(directory, def.id)))
    expect(whole.length).toBe(3 * 16)
    // The second record's bytes never reached the disk (zeros where they were), the third did: the
    // third was acknowledged, so its index must never be handed out again.
    const damaged = whole.slice()
    damaged.fill(0, 16, 32)
    await writeFile(journalPath(directory, def.id), damaged)
    const reader = new FileStatusListStore({ directory })
    expect(await codeOf(reader.getStatusList(def.id))).toBe('store_corrupt')
    expect(await codeOf(reader.allocateStatusIndexes(def.id, 60))).toBe('store_corrupt')
    // The same with garbage (not zeros) in the hole.
    damaged.fill(0x5a, 16, 32)
    await writeFile(journalPath(directory, def.id), damaged)
    expect(await codeOf(reader.allocateStatusIndexes(def.id, 60))).toBe('store_corrupt')
    expect([first, lost, acknowledged].every((index) => index !== undefined)).toBe(true)
  })

  it('a journal another process created (and may have been killed before syncing the directory): the first append of this process syncs the directory before it is acknowledged', async () => {
    const directory = await freshDir()
    const def = definition({ size: 64 })
    await new FileStatusListStore({ directory }).createStatusList(def)
    // What a writer killed between creating the journal and syncing the directory leaves: a journal
    // whose name may not be durable.
    await writeFile(journalPath(directory, def.id), new Uint8Array(0))
    const sync = vi.spyOn(AtomicDirectory.prototype, 'sync')
    try {
      await new FileStatusListStore({ directory }).allocateStatusIndexes(def.id, 2)
      expect(sync).toHaveBeenCalled()
    } finally {
      sync.mockRestore()
    }
  })

  it('an append whose sync fails leaves no bytes behind in the journal (cut back to its start)', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 64 })
    await store.createStatusList(def)
    await store.allocateStatusIndexes(def.id, 1)
    expect(await withFailedDatasync(() => codeOf(store.allocateStatusIndexes(def.id, 3)))).toBe(
      'store_unavailable',
    )
    // The failed record is gone: a page the kernel could not write may later read back as zeros,
    // and an acknowledged record appended after it would then sit behind a hole.
    expect((await readFile(journalPath(directory, def.id))).length).toBe(16)
  })
})

describe('FileStatusListStore journal: a list made again', () => {
  it('a list made again with the id of a removed one, the process killed right after creating its file: the old journal is never replayed onto it', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const big = definition({ size: 4096 })
    await store.createStatusList(big)
    await store.allocateStatusIndexes(big.id, 50)
    // The list file removed by hand, its journal left behind.
    await rm(join(directory, `${keyFileStem(big.id)}.status-list.json`))
    const small = { ...big, size: 64 }
    // A kill right after the new list file is in place: nothing after create() runs.
    const realCreate = AtomicDirectory.prototype.create
    const create = vi
      .spyOn(AtomicDirectory.prototype, 'create')
      .mockImplementationOnce(async function (this: AtomicDirectory, path, data) {
        await realCreate.call(this, path, data)
        throw new Error('killed')
      })
    try {
      await expect(store.createStatusList(small)).rejects.toThrow('killed')
    } finally {
      create.mockRestore()
    }
    const reader = new FileStatusListStore({ directory })
    expect((await reader.getStatusList(small.id))?.allocated).toBe(0)
    expect((await reader.allocateStatusIndexes(small.id, 64)).length).toBe(64)
  })
})

describe('FileStatusListStore journal: a fold whose journal cannot be emptied', () => {
  it('a status change is reported as made once the list file holding it is durable, even if emptying the journal then fails', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 64 })
    await store.createStatusList(def)
    const block = await store.allocateStatusIndexes(def.id, 3)
    const { open } = await import('node:fs/promises')
    const probe = await open(join(directory, `${keyFileStem(def.id)}.status-list.json`), 'r')
    const handlePrototype = Object.getPrototypeOf(probe) as { truncate: () => Promise<void> }
    await probe.close()
    const truncateFails = vi
      .spyOn(handlePrototype, 'truncate')
      .mockRejectedValueOnce(Object.assign(new Error('EIO'), { code: 'EIO' }))
    try {
      expect((await store.setStatus(def.id, block[0] as number, 1)).changed).toBe(true)
    } finally {
      truncateFails.mockRestore()
    }
    expect(await store.readStatuses(def.id)).toEqual({ version: 1, statuses: [[block[0], 1]] })
    // The journal's records, left behind, are in the list file: replaying them changes nothing.
    expect((await store.getStatusList(def.id))?.allocated).toBe(3)
    const rest = await store.allocateStatusIndexes(def.id, 61)
    expect(new Set([...block, ...rest]).size).toBe(64)
  })
})

describe('FileStatusListStore journal: a fold killed before it emptied the journal', () => {
  it('the records left are in the list file already: not counted twice, none handed out again', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ size: 64 })
    await store.createStatusList(def)
    const taken = [
      ...(await store.allocateStatusIndexes(def.id, 5)),
      ...(await store.allocateStatusIndexes(def.id, 4)),
    ]
    const path = join(directory, `${keyFileStem(def.id)}.status-list.journal`)
    const records = await readFile(path)
    expect(records.length).toBe(2 * 4 + 9 * 4 + 2 * 8)
    await store.setStatus(def.id, taken[0] as number, 1) // folds, empties the journal
    await writeFile(path, records) // as if killed between the rename and the truncation
    const reader = new FileStatusListStore({ directory })
    expect((await reader.getStatusList(def.id))?.allocated).toBe(9)
    const rest = await reader.allocateStatusIndexes(def.id, 64)
    expect(rest.length).toBe(55)
    expect(new Set([...taken, ...rest]).size).toBe(64)
  })
})

describe('FileStatusListStore: a list kept between changes', () => {
  // A store keeps the list it last changed (its file held open) and reads only the journal's new
  // records at the next change. These tests change the list behind its back, through another store
  // on the same directory (another process behaves the same: the state is on disk, not shared).
  /** Blocks of `count` from `store` until the list is full. */
  async function blocksUntilFull(store: FileStatusListStore, id: string, count: number) {
    const got: number[] = []
    for (;;) {
      try {
        got.push(...(await store.allocateStatusIndexes(id, count)))
      } catch (error) {
        if ((error as { code?: string }).code !== 'status_list_full') throw error
        return got
      }
    }
  }

  it('another store appending and folding between its blocks: every index handed out once, the list exactly exhausted', async () => {
    const directory = await freshDir()
    const mine = new FileStatusListStore({ directory })
    const other = new FileStatusListStore({ directory })
    const def = definition({ size: 1_000 })
    await mine.createStatusList(def)
    const handed: number[] = []
    for (let round = 0; ; round++) {
      try {
        handed.push(...(await mine.allocateStatusIndexes(def.id, 7)))
        // Appends only, then (every third round) a status change: a fold writes a new list file
        // and empties the journal, so the kept file is no longer the one at the path.
        handed.push(...(await other.allocateStatusIndexes(def.id, 5)))
        if (round % 3 === 2) await other.setStatus(def.id, handed.at(-1) as number, 1)
      } catch (error) {
        if ((error as { code?: string }).code !== 'status_list_full') throw error
        break
      }
    }
    handed.push(
      ...(await blocksUntilFull(mine, def.id, 7)),
      ...(await blocksUntilFull(other, def.id, 3)),
    )
    expect(new Set(handed).size).toBe(handed.length)
    expect(handed.length).toBe(1_000)
    expect((await mine.getStatusList(def.id))?.allocated).toBe(1_000)
  })

  it('a list removed by hand and made again under its id: the new list is read, not the kept one', async () => {
    const directory = await freshDir()
    const mine = new FileStatusListStore({ directory })
    const old = definition({ size: 1_000 })
    await mine.createStatusList(old)
    await mine.allocateStatusIndexes(old.id, 10)
    await rm(listPath(directory, old.id))
    await rm(journalPath(directory, old.id), { force: true })
    await new FileStatusListStore({ directory }).createStatusList({ ...old, size: 20 })
    const again = await blocksUntilFull(mine, old.id, 3)
    expect(again.length).toBe(20)
    expect(new Set(again).size).toBe(20)
    expect(Math.max(...again)).toBeLessThan(20)
  })

  it('a list file replaced by hand with an older copy (a restore): the copy is read, not the kept state', async () => {
    const directory = await freshDir()
    const mine = new FileStatusListStore({ directory })
    const def = definition({ size: 100 })
    await mine.createStatusList(def)
    const before = await readFile(listPath(directory, def.id))
    // 64 journal records fold the journal into the list file: the kept state then holds 65 blocks.
    for (let i = 0; i < 65; i++) await mine.allocateStatusIndexes(def.id, 1)
    await rm(journalPath(directory, def.id), { force: true })
    const restored = join(directory, 'restored')
    await writeFile(restored, before)
    const { rename } = await import('node:fs/promises')
    await rename(restored, listPath(directory, def.id))
    // The restored list has no index taken: all 100 are handed out again (what a restore means).
    expect((await blocksUntilFull(mine, def.id, 9)).length).toBe(100)
  })

  it('a journal removed by hand and begun again by another store: the new journal is read, not the one held open', async () => {
    const directory = await freshDir()
    const mine = new FileStatusListStore({ directory })
    const other = new FileStatusListStore({ directory })
    const def = definition({ size: 15 })
    await mine.createStatusList(def)
    await mine.allocateStatusIndexes(def.id, 5)
    await mine.allocateStatusIndexes(def.id, 5)
    // Removing the journal drops those 10 (a hand edit loses what it removes); the other store
    // then takes 10 in a new journal of the same length (appends only: the list file stays).
    await rm(journalPath(directory, def.id))
    const others = [
      ...(await other.allocateStatusIndexes(def.id, 5)),
      ...(await other.allocateStatusIndexes(def.id, 5)),
    ]
    const rest = await blocksUntilFull(mine, def.id, 5)
    expect(rest.length).toBe(5)
    expect(new Set([...others, ...rest]).size).toBe(15)
  })

  it('a change that fails drops what it did to the kept state: nothing taken that is not on disk', async () => {
    const directory = await freshDir()
    const mine = new FileStatusListStore({ directory })
    const def = definition({ size: 40 })
    await mine.createStatusList(def)
    const first = await mine.allocateStatusIndexes(def.id, 4)
    expect(await withFailedDatasync(() => codeOf(mine.allocateStatusIndexes(def.id, 6)))).toBe(
      'store_unavailable',
    )
    // The 6 of the failed block were never acknowledged: they are free again, in this store too.
    const rest = await blocksUntilFull(mine, def.id, 5)
    expect(rest.length).toBe(36)
    expect(new Set([...first, ...rest]).size).toBe(40)
  })

  it('a journal damaged by hand behind the kept records is read again: store_corrupt, never fewer allocations', async () => {
    const directory = await freshDir()
    const mine = new FileStatusListStore({ directory })
    const def = definition({ size: 100 })
    await mine.createStatusList(def)
    await mine.allocateStatusIndexes(def.id, 3)
    await mine.allocateStatusIndexes(def.id, 3)
    const journal = new Uint8Array(await readFile(journalPath(directory, def.id)))
    journal[5] = (journal[5] as number) ^ 1 // the first record's first index
    await writeFile(journalPath(directory, def.id), journal)
    expect(await codeOf(mine.allocateStatusIndexes(def.id, 3))).toBe('store_corrupt')
  })
})

describe('FileStatusListStore kept list: review findings', () => {
  // A store keeps up to 16 lists; making room for another drops the least recently used one and
  // closes its files. Changes of different lists run at once, so the one dropped can be a list
  // whose change is under way: its held files closed under it.
  /** The prototype of Node's FileHandle (to delay one of its calls). */
  type Call = (this: unknown, ...args: unknown[]) => Promise<unknown>
  async function fileHandlePrototype(directory: string): Promise<{ read: Call; stat: Call }> {
    const { open } = await import('node:fs/promises')
    const probe = await open(directory, 'r')
    await probe.close()
    return Object.getPrototypeOf(probe) as { read: Call; stat: Call }
  }
  /** A promise and its resolver. */
  function gate(): { wait: Promise<void>; open: () => void } {
    let open!: () => void
    const wait = new Promise<void>((done) => (open = done))
    return { wait, open }
  }

  it('a kept list dropped for another while its change reads its journal: the change still succeeds', async () => {
    const directory = await freshDir()
    const mine = new FileStatusListStore({ directory })
    const defs = Array.from({ length: 17 }, () => definition({ size: 100 }))
    for (const def of defs) await mine.createStatusList(def)
    // Lists 0 to 15 kept, their journals held open; list 0 the least recently used.
    const handed = new Map<string, number[]>()
    for (const def of defs.slice(0, 16))
      handed.set(def.id, await mine.allocateStatusIndexes(def.id, 2))
    const proto = await fileHandlePrototype(directory)
    const read = proto.read
    const reading = gate()
    const release = gate()
    let armed = true
    const spy = vi.spyOn(proto, 'read').mockImplementation(async function (
      this: unknown,
      ...args: unknown[]
    ) {
      const result = await read.apply(this, args)
      // The held journal's read (its buffer is larger than any chunk of a read by path), made slow.
      if (armed && args[0] instanceof Uint8Array && args[0].length > 64 * 1024) {
        armed = false
        reading.open()
        await release.wait
      }
      return result
    })
    try {
      const first = mine.allocateStatusIndexes(defs[0]!.id, 2)
      await reading.wait
      // Meanwhile a 17th list is loaded: the least recently used kept list is dropped.
      await mine.allocateStatusIndexes(defs[16]!.id, 2)
      release.open()
      handed.set(defs[0]!.id, [...handed.get(defs[0]!.id)!, ...(await first)])
    } finally {
      release.open()
      spy.mockRestore()
    }
    handed.set(defs[0]!.id, [
      ...handed.get(defs[0]!.id)!,
      ...(await mine.allocateStatusIndexes(defs[0]!.id, 2)),
    ])
    const all = handed.get(defs[0]!.id)!
    expect(new Set(all).size).toBe(6)
    expect(
      (await new FileStatusListStore({ directory }).getStatusList(defs[0]!.id))?.allocated,
    ).toBe(6)
  })

  it.skipIf(process.platform !== 'linux')(
    'a kept list dropped while its change opens the new list file: that file is not left open',
    async () => {
      const { readlink } = await import('node:fs/promises')
      const directory = await freshDir()
      const mine = new FileStatusListStore({ directory })
      const defs = Array.from({ length: 33 }, () => definition({ size: 100 }))
      for (const def of defs) await mine.createStatusList(def)
      const [index] = await mine.allocateStatusIndexes(defs[0]!.id, 1)
      const proto = await fileHandlePrototype(directory)
      const stat = proto.stat
      const statting = gate()
      const release = gate()
      let armed = true
      let statted: unknown
      const spy = vi.spyOn(proto, 'stat').mockImplementation(async function (
        this: unknown,
        ...args: unknown[]
      ) {
        const result = await stat.apply(this, args)
        if (armed) {
          armed = false
          statted = result
          statting.open()
          await release.wait
        }
        return result
      })
      try {
        // A status change folds: the store then opens the new list file to hold it and stats it
        // (the change's only FileHandle stat), made slow here.
        const change = mine.setStatus(defs[0]!.id, index as number, 1)
        await statting.wait
        const { stat: statPath } = await import('node:fs/promises')
        expect((statted as { ino: bigint }).ino).toBe(
          (await statPath(listPath(directory, defs[0]!.id), { bigint: true })).ino,
        )
        // 16 other lists loaded meanwhile: list 0 is dropped while its change finishes.
        for (const def of defs.slice(1, 17)) await mine.allocateStatusIndexes(def.id, 1)
        release.open()
        await change
      } finally {
        release.open()
        spy.mockRestore()
      }
      // 16 more: whatever list 0 still held open is dropped and closed.
      for (const def of defs.slice(17, 33)) await mine.allocateStatusIndexes(def.id, 1)
      const target = listPath(directory, defs[0]!.id)
      let open = 0
      for (const fd of await readdir('/proc/self/fd')) {
        try {
          if ((await readlink(`/proc/self/fd/${fd}`)) === target) open++
        } catch {
          // Closed meanwhile.
        }
      }
      expect(open).toBe(0)
    },
  )
})

describe('FileStatusListStore kept list: review findings (a lock broken as stale)', () => {
  function gate(): { wait: Promise<void>; open: () => void } {
    let open!: () => void
    const wait = new Promise<void>((done) => (open = done))
    return { wait, open }
  }
  it('a fold whose lock was broken as stale, another writer folding before it holds the new file: the other writer’s allocations are never handed out again', async () => {
    const { symlink, open } = await import('node:fs/promises')
    const directory = await freshDir()
    // Another writer that does not queue behind this one in the process (as another process): the
    // same directory by another name.
    const alias = `${directory}-alias`
    dirs.push(alias)
    await symlink(directory, alias)
    const slow = new FileStatusListStore({ directory, staleLockMs: 100 })
    const other = new FileStatusListStore({ directory: alias, staleLockMs: 100 })
    const def = definition({ size: 40 })
    await slow.createStatusList(def)
    const mine = await slow.allocateStatusIndexes(def.id, 2)
    const probe = await open(directory, 'r')
    const proto = Object.getPrototypeOf(probe) as { truncate: (len?: number) => Promise<void> }
    await probe.close()
    const truncate = proto.truncate
    const emptying = gate()
    const release = gate()
    let armed = true
    const spy = vi.spyOn(proto, 'truncate').mockImplementation(async function (
      this: unknown,
      len?: number,
    ) {
      if (armed) {
        // The slow writer's fold renamed its new list file and now empties the journal: it stalls
        // there for longer than staleLockMs.
        armed = false
        emptying.open()
        await release.wait
      }
      return truncate.call(this, len)
    })
    let theirs: number[]
    try {
      const change = slow.setStatus(def.id, mine[0] as number, 1)
      await emptying.wait
      await new Promise((done) => setTimeout(done, 150))
      // The other writer breaks the stale lock, allocates and folds (a status change).
      theirs = await other.allocateStatusIndexes(def.id, 30)
      await other.setStatus(def.id, mine[1] as number, 1)
      release.open()
      await change
    } finally {
      release.open()
      spy.mockRestore()
    }
    const rest: number[] = []
    for (;;) {
      try {
        rest.push(...(await slow.allocateStatusIndexes(def.id, 3)))
      } catch (error) {
        if ((error as { code?: string }).code !== 'status_list_full') throw error
        break
      }
    }
    const all = [...mine, ...theirs, ...rest]
    expect(new Set(all).size).toBe(all.length)
    expect(all.length).toBe(40)
  })
})

describe('FileStatusListStore kept lists: one bound per process', () => {
  it.runIf(process.platform === 'linux')(
    'a store made per request holds no more files than one long-lived store (16 lists kept in all)',
    async () => {
      const { readdir: list } = await import('node:fs/promises')
      const openFiles = async (): Promise<number> => (await list('/proc/self/fd')).length
      const directory = await freshDir()
      const before = await openFiles()
      for (let i = 0; i < 40; i++) {
        const store = new FileStatusListStore({ directory })
        const def = definition({ id: `per-request-${i}`, size: 64 })
        await store.createStatusList(def)
        await store.allocateStatusIndexes(def.id, 2)
        await store.allocateStatusIndexes(def.id, 2)
      }
      // Each kept list holds its list file and its journal open; the closes run unawaited.
      await new Promise((done) => setTimeout(done, 50))
      expect(await openFiles()).toBeLessThanOrEqual(before + 2 * 16 + 4)
    },
  )
})

describe('FileStatusListStore: a FIFO in place of a file', () => {
  /** `action`'s code, or 'hung' after 2 s; then unblocks any reader that did open the FIFO. */
  async function codeWithin(fifo: string, action: Promise<unknown>): Promise<string | undefined> {
    let release: ReturnType<typeof setTimeout> | undefined
    try {
      return await Promise.race([
        codeOf(action),
        new Promise<string>((resolve) => {
          release = setTimeout(() => resolve('hung'), 2000)
        }),
      ])
    } finally {
      clearTimeout(release)
      const writer = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(
        () => undefined,
      )
      await writer?.close()
    }
  }

  it('a list file or a journal that is a FIFO is store_corrupt at once, not an open that waits for a writer forever (holding a libuv thread)', async () => {
    for (const which of ['list', 'journal'] as const) {
      const directory = await freshDir()
      const def = definition({ size: 4096 })
      await new FileStatusListStore({ directory }).createStatusList(def)
      await new FileStatusListStore({ directory }).allocateStatusIndexes(def.id, 3)
      const path = which === 'list' ? listPath(directory, def.id) : journalPath(directory, def.id)
      await rm(path)
      execFileSync('mkfifo', [path])
      // A store that reads the list afresh, and one allocating (which reads list and journal).
      expect(
        await codeWithin(path, new FileStatusListStore({ directory }).getStatusList(def.id)),
        which,
      ).toBe('store_corrupt')
      expect(
        await codeWithin(
          path,
          new FileStatusListStore({ directory }).allocateStatusIndexes(def.id, 3),
        ),
        which,
      ).toBe('store_corrupt')
    }
  })
})
