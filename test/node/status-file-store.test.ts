// FileStatusListStore: the store contract, then real processes allocating from one list at once
// (no index twice, the count exact), and what it does with damaged files.
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { StatusLists } from 'credsign'
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
  it('32 allocations cost one synced write of the list file, not 32', async () => {
    const directory = await freshDir()
    const store = new FileStatusListStore({ directory })
    const def = definition({ kind: 'token', bits: 2, size: 131_072 })
    await store.createStatusList(def)
    const writes = vi.spyOn(AtomicDirectory.prototype, 'replace')
    try {
      const lists = new StatusLists({ store, reserve: 32 })
      const got: number[] = []
      // Up to the reserve-ahead point (a quarter of the block left): exactly one write.
      for (let i = 0; i < 24; i++) got.push((await lists.allocate(def.id)).index)
      expect(writes).toHaveBeenCalledTimes(1)
      for (let i = 0; i < 8; i++) got.push((await lists.allocate(def.id)).index)
      expect(writes.mock.calls.length).toBeLessThanOrEqual(2)
      expect(new Set(got).size).toBe(32)
      // 32 concurrent callers on a fresh object share the reservations: a few writes, not 32.
      writes.mockClear()
      const other = new StatusLists({ store, reserve: 32 })
      const parallel = await Promise.all(Array.from({ length: 32 }, () => other.allocate(def.id)))
      expect(writes.mock.calls.length).toBeLessThanOrEqual(2)
      expect(new Set([...got, ...parallel.map((e) => e.index)]).size).toBe(64)
      // Every index handed out was recorded before: its status can be set.
      expect(await lists.revoke(def.id, got[31] as number)).toBe(true)
    } finally {
      writes.mockRestore()
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
