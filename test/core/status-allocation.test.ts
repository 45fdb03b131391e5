// The random index drawing behind every status list store (src/status/allocation.ts): unbiased
// rejection sampling, a pooled CSPRNG whose words are each used once, and a free-index pick that is
// uniform among the free indexes (probes and the counting fallback alike), never sequential, never
// a taken index. Statistical checks use a significance level of 1e-6, so a correct implementation
// fails one of them about once in a million runs.
import { describe, expect, it } from 'vitest'
import {
  markTaken,
  pickFreeIndex,
  takeFreeIndexes,
  randomBelow,
  randomWord,
  uniformBelow,
} from '../../src/status/allocation.js'
import { MemoryStatusListStore, StatusLists } from '../../src/index.js'
import { codeOf, definition } from './status-store-contract.js'

/**
 * The chi-square statistic's critical value for `dof` degrees of freedom at p = 1e-6
 * (Wilson–Hilferty approximation, within a few per cent of the exact value from 3 degrees up).
 */
function chiSquareCritical(dof: number): number {
  const z = 4.753 // upper 1e-6 quantile of the standard normal
  const a = 2 / (9 * dof)
  return dof * (1 - a + z * Math.sqrt(a)) ** 3
}

/** Pearson's chi-square statistic of `counts` against equal expected counts. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0)
  const expected = total / counts.length
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0)
}

function expectUniform(counts: number[]): void {
  expect(chiSquare(counts)).toBeLessThan(chiSquareCritical(counts.length - 1))
}

describe('uniformBelow: rejection sampling without modulo bias', () => {
  it('rejects exactly the words at or above the largest multiple of n below 2^32', () => {
    // 2^32 = 3 * 1431655765 + 1: the one word 0xffffffff would make residue 0 likelier.
    const words = [0xffffffff, 0xffffffff, 7]
    expect(uniformBelow(3, () => words.shift() as number)).toBe(1)
    expect(words).toEqual([])
    // n = 2^31 + 1: 2^31 - 1 words (half the space) must be rejected.
    const n = 2 ** 31 + 1
    const seen: number[] = []
    const feed = [2 ** 32 - 1, 2 ** 31 + 1, 2 ** 31, 5]
    expect(
      uniformBelow(n, () => {
        const w = feed.shift() as number
        seen.push(w)
        return w
      }),
    ).toBe(2 ** 31)
    expect(seen).toEqual([2 ** 32 - 1, 2 ** 31 + 1, 2 ** 31])
  })

  it('maps every accepted word to word % n, for random words and sizes', () => {
    for (let i = 0; i < 2000; i++) {
      const n = 1 + Math.floor(Math.random() * 2 ** 32)
      const limit = 2 ** 32 - (2 ** 32 % n)
      const word = Math.floor(Math.random() * 2 ** 32)
      const fallback = 12345 % n
      const words = [word, 12345]
      const got = uniformBelow(n, () => words.shift() as number)
      expect(got).toBe(word < limit ? word % n : fallback)
    }
  })

  it('refuses sizes outside 1 to 2^32', async () => {
    for (const n of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN])
      expect(await codeOf(Promise.resolve().then(() => randomBelow(n)))).toBe('invalid_argument')
    expect(randomBelow(1)).toBe(0)
  })
})

describe('randomBelow: the pooled CSPRNG', () => {
  it('is uniform over a small range, across many pool refills', () => {
    const n = 7
    const counts = Array<number>(n).fill(0)
    for (let i = 0; i < 70_000; i++) {
      const index = randomBelow(n)
      counts[index] = (counts[index] ?? 0) + 1
    }
    expectUniform(counts)
  })

  it('is uniform in every bit of a 32-bit draw, and consecutive draws are independent', () => {
    const draws = Array.from({ length: 20_000 }, () => randomBelow(2 ** 32))
    for (let bit = 0; bit < 32; bit++) {
      const ones = draws.filter((d) => Math.floor(d / 2 ** bit) % 2 === 1).length
      expectUniform([ones, draws.length - ones])
    }
    // Pairs of consecutive draws, by their top two bits: 16 cells, equally likely.
    const pairs = Array<number>(16).fill(0)
    for (let i = 1; i < draws.length; i++) {
      const cell = ((draws[i - 1] as number) >>> 30) * 4 + ((draws[i] as number) >>> 30)
      pairs[cell] = (pairs[cell] ?? 0) + 1
    }
    expectUniform(pairs)
  })

  it('never hands out a pool twice: no run of 256 words repeats', () => {
    const words = Array.from({ length: 256 * 8 }, () => randomWord())
    const blocks = new Set<string>()
    for (let offset = 0; offset < words.length; offset += 256)
      blocks.add(words.slice(offset, offset + 256).join(','))
    expect(blocks.size).toBe(8)
    expect(new Set(words).size).toBeGreaterThan(words.length - 3)
  })
})

/** A bitmap of `size` indexes with `takenIndexes` set. */
function bitmap(size: number, takenIndexes: Iterable<number>): Uint8Array {
  const taken = new Uint8Array(Math.ceil(size / 8))
  for (const index of takenIndexes) markTaken(taken, index)
  return taken
}

describe('pickFreeIndex: uniform among the free indexes', () => {
  it('mostly free (the random probes): uniform, never a taken index', () => {
    const size = 40
    const takenIndexes = [0, 1, 2, 3, 10, 20, 30, 39]
    const taken = bitmap(size, takenIndexes)
    const counts = new Map<number, number>()
    for (let i = 0; i < 64_000; i++) {
      const index = pickFreeIndex(taken, size, takenIndexes.length)
      counts.set(index, (counts.get(index) ?? 0) + 1)
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(
      [...Array(size).keys()].filter((i) => !takenIndexes.includes(i)),
    )
    expectUniform([...counts.values()])
  })

  it('nearly full (the counting fallback): uniform, never a taken index, the last partial byte included', () => {
    // 4 free of 4,093: the probes almost always miss, so the k-th free index is counted, through
    // whole bytes and the trailing byte that holds indexes 4088 to 4092.
    const size = 4093
    const free = [5, 1234, 4087, 4092]
    const taken = bitmap(
      size,
      [...Array(size).keys()].filter((i) => !free.includes(i)),
    )
    const counts = new Map<number, number>()
    for (let i = 0; i < 8_000; i++) {
      const index = pickFreeIndex(taken, size, size - free.length)
      counts.set(index, (counts.get(index) ?? 0) + 1)
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(free)
    expectUniform([...counts.values()])
  })

  it('returns -1 when nothing is free', () => {
    const size = 13
    expect(pickFreeIndex(bitmap(size, Array(size).keys()), size, size)).toBe(-1)
  })
})

describe('takeFreeIndexes: a block, uniform among the free indexes, crowded lists in one pass', () => {
  it('nearly full (the probes miss, the free indexes listed once): every free index, each once', () => {
    const size = 4093
    const free = [5, 1234, 1235, 3000, 4087, 4092]
    const taken = bitmap(
      size,
      [...Array(size).keys()].filter((i) => !free.includes(i)),
    )
    const block = takeFreeIndexes(taken, size, size - free.length, 1024)
    expect([...block].sort((a, b) => a - b)).toEqual(free)
    expect(pickFreeIndex(taken, size, size)).toBe(-1)
  })

  it('nearly full: a partial block is uniform over the free indexes (first and later draws alike)', () => {
    const size = 4093
    const free = [5, 1234, 4087, 4092, 17, 2048]
    const takenIndexes = [...Array(size).keys()].filter((i) => !free.includes(i))
    const first = new Map<number, number>()
    const second = new Map<number, number>()
    for (let i = 0; i < 12_000; i++) {
      const block = takeFreeIndexes(bitmap(size, takenIndexes), size, takenIndexes.length, 2)
      expect(new Set(block).size).toBe(2)
      first.set(block[0] as number, (first.get(block[0] as number) ?? 0) + 1)
      second.set(block[1] as number, (second.get(block[1] as number) ?? 0) + 1)
    }
    expect([...first.keys()].sort((a, b) => a - b)).toEqual([...free].sort((a, b) => a - b))
    expectUniform([...first.values()])
    expectUniform([...second.values()])
  })

  it('never more than the list has free, none when full', () => {
    const size = 64
    const taken = bitmap(size, [...Array(60).keys()])
    expect(takeFreeIndexes(taken, size, 60, 10).sort((a, b) => a - b)).toEqual([60, 61, 62, 63])
    expect(takeFreeIndexes(taken, size, 64, 10)).toEqual([])
  })
})

describe('MemoryStatusListStore allocation: random order, never sequential, never twice', () => {
  it('allocates a small list in a uniformly random order', async () => {
    // Over many fresh lists of 10, the index handed out at each position is uniform: a counter
    // (0, 1, 2, …), a cursor from a random start, or any fixed order fails this at once.
    const size = 10
    const store = new MemoryStatusListStore()
    const byPosition = Array.from({ length: size }, () => Array<number>(size).fill(0))
    for (let list = 0; list < 3000; list++) {
      const def = definition({ size })
      await store.createStatusList(def)
      const got: number[] = []
      for (let i = 0; i < size; i++) got.push(await store.allocateStatusIndex(def.id))
      expect(new Set(got).size).toBe(size)
      got.forEach((index, position) => {
        const counts = byPosition[position] as number[]
        counts[index] = (counts[index] ?? 0) + 1
      })
      expect(await codeOf(store.allocateStatusIndex(def.id))).toBe('status_list_full')
    }
    for (const counts of byPosition) expectUniform(counts)
  })

  it('never hands out an index twice while filling a larger list, to the last index', async () => {
    const store = new MemoryStatusListStore()
    const size = 5_003
    const def = definition({ size })
    await store.createStatusList(def)
    const got = new Set<number>()
    let rises = 0
    let previous = -1
    for (let i = 0; i < size; i++) {
      const index = await store.allocateStatusIndex(def.id)
      expect(got.has(index)).toBe(false)
      got.add(index)
      if (index === previous + 1) rises++
      previous = index
    }
    expect(got.size).toBe(size)
    // A sequential allocator would step by one every time; random picks almost never do.
    expect(rises).toBeLessThan(50)
    expect(await codeOf(store.allocateStatusIndex(def.id))).toBe('status_list_full')
  })
})

describe('StatusLists with blocks of indexes (reserve): still uniform, still never sequential', () => {
  /** Over many fresh lists of 10, the index handed out at each position must be uniform. */
  async function positionsUniform(store: MemoryStatusListStore, reserve: number): Promise<void> {
    const size = 10
    const lists = new StatusLists({ store, reserve })
    const byPosition = Array.from({ length: size }, () => Array<number>(size).fill(0))
    for (let list = 0; list < 3000; list++) {
      const { id } = await lists.createList({
        kind: 'token',
        uri: 'https://issuer.example/tsl/1',
        size,
      })
      const got: number[] = []
      for (let i = 0; i < size; i++) got.push((await lists.allocate(id)).index)
      expect(new Set(got).size).toBe(size)
      got.forEach((index, position) => {
        const counts = byPosition[position] as number[]
        counts[index] = (counts[index] ?? 0) + 1
      })
      expect(await codeOf(lists.allocate(id))).toBe('status_list_full')
    }
    for (const counts of byPosition) expectUniform(counts)
  }

  it('hands a small list out in a uniformly random order, with blocks smaller and larger than the list', async () => {
    await positionsUniform(new MemoryStatusListStore(), 4)
    await positionsUniform(new MemoryStatusListStore(), 32)
  })

  it('hands a block out in random order even when the store returns it sorted', async () => {
    // A custom store may return its block in any order (ascending, say): StatusLists must not
    // hand it out in that order, or consecutive credentials would get rising indexes.
    class SortingStore extends MemoryStatusListStore {
      override async allocateStatusIndexes(id: string, count: number): Promise<number[]> {
        return (await super.allocateStatusIndexes(id, count)).sort((a, b) => a - b)
      }
    }
    await positionsUniform(new SortingStore(), 32)
  })

  it('spreads 8,192 allocations of blocks of 32 uniformly over a list of 2^16, rising half the time', async () => {
    const size = 2 ** 16
    const lists = new StatusLists({ store: new MemoryStatusListStore(), reserve: 32 })
    const { id } = await lists.createList({
      kind: 'token',
      uri: 'https://issuer.example/tsl/1',
      size,
    })
    const got: number[] = []
    for (let i = 0; i < 8192; i++) got.push((await lists.allocate(id)).index)
    expect(new Set(got).size).toBe(got.length)
    const buckets = Array<number>(32).fill(0)
    for (const index of got) buckets[index >> 11] = (buckets[index >> 11] ?? 0) + 1
    expectUniform(buckets)
    let rises = 0
    for (let i = 1; i < got.length; i++) if ((got[i] as number) > (got[i - 1] as number)) rises++
    // Independent uniform draws rise with probability 1/2 (sd ~ 26 here); a sorted block would not.
    expect(Math.abs(rises - got.length / 2)).toBeLessThan(200)
  })
})
