// StatusLists reserving blocks of indexes (the `reserve` option): one store call per block, shared
// by concurrent allocate() calls, every index recorded before it is handed out, a partial last
// block, the fallback for stores without allocateStatusIndexes, and stores that misbehave.
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  MemoryStatusListStore,
  StatusLists,
  type StatusListStore,
  type StatusListDefinition,
} from '../../src/index.js'
import { codeOf } from './status-store-contract.js'

/** A MemoryStatusListStore that counts its allocation calls (and can fail or lie on request). */
class CountingStore implements StatusListStore {
  readonly inner = new MemoryStatusListStore()
  blocks = 0
  singles = 0
  /** Each block call's `count`. */
  counts: number[] = []
  fail: Error | undefined
  tamper: ((block: number[]) => number[]) | undefined
  createStatusList = (d: StatusListDefinition) => this.inner.createStatusList(d)
  getStatusList = (id: string) => this.inner.getStatusList(id)
  listStatusLists = () => this.inner.listStatusLists()
  setStatus = (id: string, index: number, status: number) => this.inner.setStatus(id, index, status)
  readStatuses = (id: string) => this.inner.readStatuses(id)
  statusListVersion = (id: string) => this.inner.statusListVersion(id)
  async allocateStatusIndex(id: string): Promise<number> {
    this.singles++
    return this.inner.allocateStatusIndex(id)
  }
  async allocateStatusIndexes(id: string, count: number): Promise<number[]> {
    this.blocks++
    this.counts.push(count)
    // A real store's write takes a while: let concurrent callers pile up behind it.
    await new Promise((done) => setTimeout(done, 1))
    if (this.fail !== undefined) throw this.fail
    const block = await this.inner.allocateStatusIndexes(id, count)
    return this.tamper === undefined ? block : this.tamper(block)
  }
}

async function setUp(
  reserve: number | undefined,
  size = 131_072,
): Promise<{ store: CountingStore; lists: StatusLists }> {
  const store = new CountingStore()
  const lists = new StatusLists({ store, ...(reserve === undefined ? {} : { reserve }) })
  await lists.createList({ id: 't', kind: 'token', uri: 'https://issuer.example/tsl/1', size })
  return { store, lists }
}

describe('StatusLists reserve: one store call per block', () => {
  it('a reserve of 512: one store call up to the reserve-ahead point, then one per ~385', async () => {
    const { store, lists } = await setUp(512)
    const got: number[] = []
    for (let i = 0; i < 384; i++) got.push((await lists.allocate('t')).index)
    expect([store.blocks, store.singles]).toEqual([1, 0])
    for (let i = 0; i < 3616; i++) got.push((await lists.allocate('t')).index)
    expect(new Set(got).size).toBe(4000)
    // Each block after the first tops the reservation up from under a quarter (127) back to 512.
    expect(store.blocks).toBeLessThanOrEqual(1 + Math.ceil((4000 - 384) / 385))
    expect(store.blocks).toBeGreaterThanOrEqual(Math.floor(4000 / 512))
    expect(store.singles).toBe(0)
    // Never more than `reserve` held: what the store counts exceeds what was handed out by <= 512.
    await lists.whenIdle()
    const allocated = (await store.getStatusList('t'))?.allocated as number
    expect(allocated - 4000).toBeGreaterThanOrEqual(0)
    expect(allocated - 4000).toBeLessThanOrEqual(512)
  })

  it('the default reserve is a 256th of the list, 32 to 1,024: what the first block takes', async () => {
    for (const [size, reserve] of [
      [16, 16], // a block never asks for more than the list has left
      [1_024, 32],
      [8_192, 32],
      [65_536, 256],
      [131_072, 512],
      [262_144, 1_024],
      [2 ** 20, 1_024],
    ] as const) {
      const { store, lists } = await setUp(undefined, size)
      await lists.allocate('t')
      await lists.whenIdle()
      expect([size, store.blocks, (await store.getStatusList('t'))?.allocated]).toEqual([
        size,
        1,
        reserve,
      ])
    }
  })

  it('concurrent allocate() calls share the reservation in flight: no thundering herd', async () => {
    const { store, lists } = await setUp(32)
    const entries = await Promise.all(Array.from({ length: 100 }, () => lists.allocate('t')))
    expect(new Set(entries.map((e) => e.index)).size).toBe(100)
    expect(store.blocks).toBeLessThanOrEqual(1 + Math.ceil((100 - 24) / 24))
    expect(store.singles).toBe(0)
  })

  it('reserve: 1 and stores without allocateStatusIndexes allocate one index per store call', async () => {
    const one = await setUp(1)
    for (let i = 0; i < 10; i++) await one.lists.allocate('t')
    expect([one.store.blocks, one.store.singles]).toEqual([0, 10])
    const plain = new CountingStore()
    const withoutBlocks: StatusListStore = {
      createStatusList: (d) => plain.createStatusList(d),
      getStatusList: (id) => plain.getStatusList(id),
      listStatusLists: () => plain.listStatusLists(),
      allocateStatusIndex: (id) => plain.allocateStatusIndex(id),
      setStatus: (id, index, status) => plain.setStatus(id, index, status),
      readStatuses: (id) => plain.readStatuses(id),
      statusListVersion: (id) => plain.statusListVersion(id),
    }
    const lists = new StatusLists({ store: withoutBlocks, reserve: 64 })
    await lists.createList({ id: 't', kind: 'token', uri: 'https://issuer.example/tsl/1' })
    const got = await Promise.all(Array.from({ length: 10 }, () => lists.allocate('t')))
    expect(new Set(got.map((e) => e.index)).size).toBe(10)
    expect([plain.blocks, plain.singles]).toEqual([0, 10])
  })

  it('refuses a reserve outside 1 to 8,192: invalid_argument', async () => {
    expect(() => new StatusLists({ store: new CountingStore(), reserve: 8_192 })).not.toThrow()
    for (const reserve of [0, -1, 1.5, 8_193, Number.NaN])
      expect(
        await codeOf(
          Promise.resolve().then(() => new StatusLists({ store: new CountingStore(), reserve })),
        ),
        String(reserve),
      ).toBe('invalid_argument')
  })
})

describe('StatusLists reserve: the default sized to demand', () => {
  // The block clock is performance.now(): each test drives it by hand.
  let clock = 0
  afterEach(() => {
    vi.restoreAllMocks()
  })
  const driveClock = (): void => {
    clock = 1_000_000
    vi.spyOn(performance, 'now').mockImplementation(() => clock)
  }
  /**
   * What each block call topped the reservation up to: its count plus what was still held. Each
   * allocation is counted as handed out before it runs: a block reserved ahead is asked for after
   * its allocate() took its index, the first (nothing held, nothing handed out) before.
   */
  function pacer(
    lists: StatusLists,
    store: CountingStore,
  ): (allocations: number, msPerAllocation: number) => Promise<number[]> {
    let seen: number[] = []
    let handed = 0
    const inner = store.allocateStatusIndexes.bind(store)
    store.allocateStatusIndexes = async (id: string, count: number) => {
      const allocated = (await store.getStatusList(id))?.allocated ?? 0
      seen.push(allocated === 0 ? count : count + (allocated - handed))
      return inner(id, count)
    }
    return async (allocations, msPerAllocation) => {
      seen = []
      for (let i = 0; i < allocations; i++) {
        handed++
        await lists.allocate('t')
        clock += msPerAllocation
        await lists.whenIdle()
      }
      return seen
    }
  }

  it('a block used up within a second is followed by one twice as large, up to a 32nd of the list', async () => {
    driveClock()
    const { store, lists } = await setUp(undefined) // 131,072: 512 first, 4,096 at most
    const seen = await pacer(lists, store)(20_000, 0.01)
    expect(seen.slice(0, 5)).toEqual([512, 1_024, 2_048, 4_096, 4_096])
    expect(Math.max(...seen)).toBe(4_096)
    // 20,000 credentials in 9 store calls, not the ~52 of a fixed 512.
    expect(store.blocks).toBeLessThanOrEqual(9)
  })

  it('the largest block is a 32nd of the list, at most 8,192, never under the first', async () => {
    driveClock()
    for (const [size, first, largest] of [
      [1_024, 32, 32],
      [8_192, 32, 256],
      [131_072, 512, 4_096],
      [2 ** 20, 1_024, 8_192],
      [2 ** 24, 1_024, 8_192],
    ] as const) {
      const { store, lists } = await setUp(undefined, size)
      const seen = await pacer(lists, store)(Math.min(size - 1, 3 * largest), 0)
      expect([size, seen[0], Math.max(...seen)]).toEqual([size, first, largest])
    }
  })

  it('a block that lasted over 4 seconds is followed by one half as large, down to the first size', async () => {
    driveClock()
    const { store, lists } = await setUp(undefined)
    const pace = pacer(lists, store)
    expect((await pace(12_000, 0.01)).at(-1)).toBe(4_096)
    // 2 ms a credential: 3,072 used of 4,096 in 6 s, halved; 1,536 of 2,048 in 3 s, kept.
    const steady = await pace(8_000, 2)
    expect(steady.length).toBeGreaterThanOrEqual(4)
    expect(new Set(steady)).toEqual(new Set([2_048]))
    // 10 ms a credential: 7.7 s, halved; then 3.8 s at the first size, which is the least.
    const slow = await pace(3_000, 10)
    expect(slow.slice(0, 2)).toEqual([1_024, 512])
    expect(new Set(slow.slice(2))).toEqual(new Set([512]))
  })

  it('a slow store write is reserved ahead by what twice its wait would use: a quarter to a half of the block', async () => {
    driveClock()
    for (const [waitMs, low, high] of [
      [0, 1_023, 1_023], // a quarter of 4,096: the least
      [10, 1_023, 1_023], // 2 x 10 ms x 20 a ms = 400: still a quarter
      [40, 1_595, 1_605], // 2 x 40 ms x 20 a ms = 1,600 (the pace measured to a credential)
      [200, 2_047, 2_047], // 8,000: a half at most
    ] as const) {
      const { store, lists } = await setUp(undefined)
      const inner = store.allocateStatusIndexes.bind(store)
      let handed = 0
      const held: number[] = []
      store.allocateStatusIndexes = async (id: string, count: number) => {
        held.push(((await store.getStatusList(id))?.allocated ?? 0) - handed)
        clock += waitMs // the store's wait, seen by the block clock
        return inner(id, count)
      }
      for (let i = 0; i < 30_000; i++) {
        handed++
        await lists.allocate('t')
        clock += 0.05 // 20 credentials a millisecond
        await lists.whenIdle()
      }
      // Once at the largest block (the first blocks grow), what was held at each ask.
      const late = held.slice(5)
      expect(late.length, String(waitMs)).toBeGreaterThan(5)
      expect(Math.min(...late), String(waitMs)).toBeGreaterThanOrEqual(low)
      expect(Math.max(...late), String(waitMs)).toBeLessThanOrEqual(high)
    }
  })

  it('a block asked for again after a failure is sized once: retries within the second do not double it each time', async () => {
    driveClock()
    const { store, lists } = await setUp(undefined) // 131,072: 512 first
    let handed = 0
    const asked: number[] = []
    const inner = store.allocateStatusIndexes.bind(store)
    store.allocateStatusIndexes = async (id: string, count: number) => {
      // What the ask tops the reservation up to: its count plus what is still held.
      const allocated = (await store.getStatusList(id))?.allocated ?? 0
      asked.push(allocated === 0 ? count : count + allocated - handed)
      return inner(id, count)
    }
    for (let i = 0; i < 384; i++) {
      handed++
      await lists.allocate('t') // 128 held: not yet below a quarter
    }
    // The store fails for a moment: the block reserved ahead and two retries of it (the first
    // block was used up within a second: the next is twice as large, once).
    store.fail = new Error('down')
    for (let i = 0; i < 3; i++) {
      handed++
      await lists.allocate('t')
      await lists.whenIdle()
    }
    store.fail = undefined
    handed++
    await lists.allocate('t')
    await lists.whenIdle()
    expect(asked).toEqual([512, 1_024, 1_024, 1_024, 1_024])
    // Nothing more held than that block.
    expect(((await store.getStatusList('t'))?.allocated ?? 0) - handed).toBeLessThanOrEqual(1_024)
  })

  it('a block the store filled in part (PostgreSQL, a crowded list) is sized by how long a full one would last', async () => {
    driveClock()
    for (const [pace, grows] of [
      [20, false], // quiet: 512 indexes last over 19 s; 5% of them under a second
      [2_000, true], // busy: even a full block of 512 is used up within a second
    ] as const) {
      const { store, lists } = await setUp(undefined) // 131,072: 512 first
      const inner = store.allocateStatusIndexes.bind(store)
      const asked: number[] = []
      // Candidates mostly taken: 1 in 20 of those asked for is free.
      store.allocateStatusIndexes = async (id: string, count: number) => {
        asked.push(count)
        return inner(id, Math.ceil(count / 20))
      }
      let handed = 0
      let held = 0
      for (let i = 0; i < 3_000; i++) {
        handed++
        await lists.allocate('t')
        clock += 1_000 / pace
        await lists.whenIdle()
        held = Math.max(held, ((await store.getStatusList('t'))?.allocated ?? 0) - handed)
      }
      if (grows) expect(Math.max(...asked), String(pace)).toBeGreaterThan(512)
      else {
        // Never more asked for, nor held, than the first block: what a quiet issuer may lose.
        expect(Math.max(...asked), String(pace)).toBeLessThanOrEqual(512)
        expect(held, String(pace)).toBeLessThanOrEqual(512)
      }
    }
  })

  it('a fixed reserve never changes, whatever the pace', async () => {
    driveClock()
    const { store, lists } = await setUp(512)
    const seen = await pacer(lists, store)(5_000, 0)
    expect(new Set(seen)).toEqual(new Set([512]))
  })

  it('what a crash loses is bounded: never more held than the largest block', async () => {
    driveClock()
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            burst: fc.integer({ min: 1, max: 3_000 }),
            // Often no time at all between bursts: the pace that grows blocks fastest.
            ms: fc.oneof(fc.constant(0), fc.nat(20_000)),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (steps) => {
          const { store, lists } = await setUp(undefined, 65_536) // largest block 2,048
          let handed = 0
          for (const step of steps) {
            for (let i = 0; i < step.burst; i++) {
              await lists.allocate('t')
              handed++
            }
            clock += step.ms
            await lists.whenIdle()
            const allocated = (await store.getStatusList('t'))?.allocated ?? 0
            expect(allocated - handed).toBeGreaterThanOrEqual(0)
            expect(allocated - handed).toBeLessThanOrEqual(2_048)
          }
        },
      ),
      { numRuns: 40 },
    )
  }, 120_000)
})

describe('StatusLists reserve: the end of a list', () => {
  it('hands out a partial last block, then status_list_full', async () => {
    const { store, lists } = await setUp(32, 50)
    const got: number[] = []
    for (let i = 0; i < 50; i++) got.push((await lists.allocate('t')).index)
    expect(new Set(got).size).toBe(50)
    expect(await codeOf(lists.allocate('t'))).toBe('status_list_full')
    expect(await codeOf(lists.allocate('t'))).toBe('status_list_full')
    expect((await store.getStatusList('t'))?.allocated).toBe(50)
  })

  it('once the store answers status_list_full to a block reserved ahead, no more are reserved ahead', async () => {
    const { store, lists } = await setUp(32, 100)
    for (let i = 0; i < 100; i++) {
      await lists.allocate('t')
      await lists.whenIdle() // each reservation ahead settles before the next allocate()
    }
    // Blocks: 32, then 24 at a time topping up to 32 (76 more: 4 calls, the last partial), then one
    // that the full store refuses; nothing more while the last held indexes are handed out.
    expect(store.blocks).toBeLessThanOrEqual(6)
    expect(await codeOf(lists.allocate('t'))).toBe('status_list_full')
  })

  it('two objects on one store of 40: one gets a full block, the other the partial rest; together every index once', async () => {
    const store = new MemoryStatusListStore()
    const a = new StatusLists({ store, reserve: 32 })
    const b = new StatusLists({ store, reserve: 32 })
    await a.createList({ id: 't', kind: 'token', uri: 'https://issuer.example/tsl/1', size: 40 })
    const fromA = [(await a.allocate('t')).index]
    const fromB: number[] = []
    for (;;) {
      const code = await codeOf(b.allocate('t').then((e) => void fromB.push(e.index)))
      if (code !== undefined) {
        expect(code).toBe('status_list_full')
        break
      }
    }
    // a still hands out what it holds after b saw the list full.
    for (;;) {
      const code = await codeOf(a.allocate('t').then((e) => void fromA.push(e.index)))
      if (code !== undefined) {
        expect(code).toBe('status_list_full')
        break
      }
    }
    expect(fromA.length + fromB.length).toBe(40)
    expect(new Set([...fromA, ...fromB]).size).toBe(40)
    expect(fromA.length).toBeGreaterThanOrEqual(24)
  })

  it('concurrent callers past the end: exactly the list size handed out, the rest status_list_full', async () => {
    const { lists } = await setUp(32, 50)
    const results = await Promise.allSettled(Array.from({ length: 80 }, () => lists.allocate('t')))
    const got = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.index] : []))
    const codes = results.flatMap((r) =>
      r.status === 'rejected' ? [(r.reason as { code?: string }).code] : [],
    )
    expect(new Set(got).size).toBe(50)
    expect(got.length).toBe(50)
    expect(codes).toEqual(Array(30).fill('status_list_full'))
  })
})

describe('StatusLists reserve: statuses, failures, misbehaving stores', () => {
  it('statuses on indexes from a block work as before; publishing shows only the ones set', async () => {
    const store = new MemoryStatusListStore()
    const lists = new StatusLists({ store, reserve: 16 })
    await lists.createList({ id: 't', kind: 'token', uri: 'https://issuer.example/tsl/1' })
    const a = (await lists.allocate('t')).index
    const b = (await lists.allocate('t')).index
    expect(await lists.revoke('t', a)).toBe(true)
    expect(await lists.suspend('t', b)).toBe(true)
    expect(await codeOf(lists.setStatus('t', a, 0))).toBe('status_irreversible')
    expect((await store.readStatuses('t')).statuses).toEqual(
      [
        [a, 1],
        [b, 2],
      ].sort((x, y) => (x[0] as number) - (y[0] as number)),
    )
  })

  it('a failed reservation rejects every caller waiting for it; the next allocate() tries again', async () => {
    const { store, lists } = await setUp(8)
    store.fail = Object.assign(new Error('down'), { code: 'store_unavailable' })
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => lists.allocate('t')))
    expect(results.every((r) => r.status === 'rejected')).toBe(true)
    expect(store.blocks).toBe(1)
    store.fail = undefined
    const got = await Promise.all(Array.from({ length: 8 }, () => lists.allocate('t')))
    expect(new Set(got.map((e) => e.index)).size).toBe(8)
  })

  it('a reservation made ahead that fails is reported to the allocate() that needs it, never unhandled', async () => {
    const { store, lists } = await setUp(8)
    for (let i = 0; i < 6; i++) await lists.allocate('t') // 2 held
    store.fail = new Error('down')
    await lists.allocate('t') // 1 held: the next block is reserved ahead, and that fails
    await lists.whenIdle()
    await lists.allocate('t') // the last one held (and another attempt ahead, failing too)
    await expect(lists.allocate('t')).rejects.toThrow('down')
    store.fail = undefined
    expect(typeof (await lists.allocate('t')).index).toBe('number')
  })

  it("refuses a store's block that would hand an index out twice or outside the list: store_corrupt", async () => {
    for (const tamper of [
      (block: number[]) => [...block, block[0] as number], // a duplicate
      () => [] as number[], // none
      (block: number[]) => [...block.slice(1), 131_072], // outside the list
      (block: number[]) => [...block.slice(1), 1.5],
    ]) {
      const { store, lists } = await setUp(8)
      store.tamper = tamper
      expect(await codeOf(lists.allocate('t'))).toBe('store_corrupt')
    }
    // A block (reserved ahead) repeating the index this object still holds: refused, none of it used.
    const { store, lists } = await setUp(8)
    let firstBlock: number[] = []
    const handed: number[] = []
    store.tamper = (block) => {
      if (firstBlock.length === 0) {
        firstBlock = [...block]
        return block
      }
      const held = firstBlock.find((i) => !handed.includes(i)) as number
      return [held, ...block.slice(1)]
    }
    for (let i = 0; i < 7; i++) handed.push((await lists.allocate('t')).index) // 1 held: ahead
    await lists.whenIdle()
    expect(store.blocks).toBe(2)
    store.tamper = undefined
    for (let i = 0; i < 3; i++) handed.push((await lists.allocate('t')).index)
    expect(new Set(handed).size).toBe(10)
    expect(store.blocks).toBe(3)
  })
})

describe('StatusLists reserve: a property over interleavings (review of the held-index fast path)', () => {
  it('several objects on one store, bursts of concurrent allocate() and store failures: no index twice, each recorded, status_list_full only when the store had none left', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 3 }),
        fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
        fc.array(
          fc.record({
            object: fc.nat(),
            burst: fc.integer({ min: 1, max: 12 }),
            fail: fc.boolean(),
            idle: fc.boolean(),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        async (size, objects, reserve, steps) => {
          const store = new CountingStore()
          const all = Array.from(
            { length: objects },
            () => new StatusLists({ store, ...(reserve === undefined ? {} : { reserve }) }),
          )
          await (all[0] as StatusLists).createList({
            id: 't',
            kind: 'token',
            uri: 'https://issuer.example/tsl/1',
            size,
          })
          const handed = new Set<number>()
          for (const step of steps) {
            const lists = all[step.object % objects] as StatusLists
            store.fail = step.fail ? new Error('down') : undefined
            const results = await Promise.allSettled(
              Array.from({ length: step.burst }, () => lists.allocate('t')),
            )
            const allocatedInStore = (await store.getStatusList('t'))?.allocated ?? 0
            for (const result of results) {
              if (result.status === 'fulfilled') {
                const { index } = result.value
                expect(handed.has(index)).toBe(false)
                handed.add(index)
                // Recorded in the store: a status can be set on it.
                await store.setStatus('t', index, 0)
              } else {
                const code = (result.reason as { code?: string }).code
                if (code === 'status_list_full') expect(allocatedInStore).toBe(size)
                else expect((result.reason as Error).message).toBe('down')
              }
            }
            if (step.idle) await lists.whenIdle()
          }
          store.fail = undefined
          for (const lists of all) await lists.whenIdle()
          expect(handed.size).toBeLessThanOrEqual((await store.getStatusList('t'))?.allocated ?? 0)
        },
      ),
      { numRuns: 150 },
    )
  }, 120_000)
})
