// The StatusListStore contract: what every store (memory, file, PostgreSQL) must do, as one suite
// each store's test file runs against its own store.
import { describe, expect, it } from 'vitest'
import {
  CredsignError,
  MAX_STATUS_INDEX_BLOCK,
  type StatusListDefinition,
  type StatusListStore,
} from '../../src/index.js'

export function definition(overrides: Partial<StatusListDefinition> = {}): StatusListDefinition {
  return {
    id: `list-${crypto.randomUUID()}`,
    kind: 'bitstring',
    size: 131_072,
    bits: 1,
    finalStatuses: [1],
    settings: { url: 'https://issuer.example/status/1', purpose: 'revocation' },
    createdAt: '2026-12-07T00:00:00.000Z',
    ...overrides,
  }
}

export async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work
  } catch (error) {
    if (error instanceof CredsignError) return error.code
    throw error
  }
  return undefined
}

/**
 * Registers the contract tests for a store. `makeStore` may return the same store every time (each
 * test uses fresh list ids).
 */
export function statusListStoreContract(
  name: string,
  makeStore: () => StatusListStore | Promise<StatusListStore>,
): void {
  describe(`StatusListStore contract: ${name}`, () => {
    it('creates, reads and lists a list as given, with counters at zero; a taken id is exists', async () => {
      const store = await makeStore()
      const def = definition({ settings: { url: 'https://x.example/1', nested: { a: [1, 2] } } })
      await store.createStatusList(def)
      const info = await store.getStatusList(def.id)
      expect(info).toEqual({ ...def, allocated: 0, version: 0 })
      expect((await store.listStatusLists()).map((l) => l.id)).toContain(def.id)
      expect(await codeOf(store.createStatusList({ ...def, size: 10 }))).toBe('exists')
      expect((await store.getStatusList(def.id))?.size).toBe(131_072)
      expect(await store.getStatusList('missing-list')).toBeUndefined()
    })

    it('keeps a list under any id validateStatusListDefinition accepts (every character, 500 long)', async () => {
      const store = await makeStore()
      const suffix = crypto.randomUUID()
      for (const id of [`list-@~+=:.#%_${suffix}`, `${suffix}-${'x'.repeat(500 - 37)}`]) {
        const def = definition({ id })
        await store.createStatusList(def)
        expect(await store.getStatusList(id), id).toEqual({ ...def, allocated: 0, version: 0 })
      }
    })

    it('refuses definitions no store may keep: invalid_argument / invalid_key_id', async () => {
      const store = await makeStore()
      for (const bad of [
        definition({ size: 0 }),
        definition({ size: 2 ** 24 + 1 }),
        definition({ bits: 9 }),
        definition({ kind: 'token', bits: 3 }),
        definition({ finalStatuses: [2] }),
        definition({ finalStatuses: [0] }),
        definition({ kind: 'other' as 'token' }),
        definition({ settings: [] as unknown as Record<string, unknown> }),
      ])
        expect(await codeOf(store.createStatusList(bad)), JSON.stringify(bad).slice(0, 80)).toBe(
          'invalid_argument',
        )
      expect(await codeOf(store.createStatusList(definition({ id: 'a b' })))).toBe('invalid_key_id')
    })

    it('allocates every index of a list exactly once, in no fixed order, then status_list_full', async () => {
      const store = await makeStore()
      const def = definition({ size: 200 })
      await store.createStatusList(def)
      const got: number[] = []
      for (let i = 0; i < 200; i++) got.push(await store.allocateStatusIndex(def.id))
      expect(new Set(got).size).toBe(200)
      expect(Math.min(...got)).toBe(0)
      expect(Math.max(...got)).toBe(199)
      expect(got).not.toEqual([...got].sort((a, b) => a - b))
      expect(await codeOf(store.allocateStatusIndex(def.id))).toBe('status_list_full')
      expect((await store.getStatusList(def.id))?.allocated).toBe(200)
      expect(await codeOf(store.allocateStatusIndex('missing-list'))).toBe('not_found')
    })

    it('spreads allocations over the whole list: unpredictable, not sequential', async () => {
      const store = await makeStore()
      const def = definition()
      await store.createStatusList(def)
      const got: number[] = []
      for (let i = 0; i < 300; i++) got.push(await store.allocateStatusIndex(def.id))
      expect(new Set(got).size).toBe(300)
      // Uniform draws: each consecutive pair rises with probability 1/2, and the values fill the
      // range. A counter, a shuffled block or a cursor fails one of these.
      let rises = 0
      for (let i = 1; i < got.length; i++) if ((got[i] as number) > (got[i - 1] as number)) rises++
      expect(rises).toBeGreaterThan(100)
      expect(rises).toBeLessThan(200)
      expect(Math.max(...got) - Math.min(...got)).toBeGreaterThan(131_072 * 0.9)
      expect(got.filter((i) => i < 65_536).length).toBeGreaterThan(100)
      expect(got.filter((i) => i >= 65_536).length).toBeGreaterThan(100)
    })

    it('sets statuses of allocated indexes only, bumps the version on each change, reads them back sorted', async () => {
      const store = await makeStore()
      const def = definition({ kind: 'token', bits: 2, size: 1000, finalStatuses: [1] })
      await store.createStatusList(def)
      const [a, b, c] = [
        await store.allocateStatusIndex(def.id),
        await store.allocateStatusIndex(def.id),
        await store.allocateStatusIndex(def.id),
      ] as [number, number, number]
      const unallocated = [...Array(1000).keys()].find((i) => ![a, b, c].includes(i)) as number
      expect(await codeOf(store.setStatus(def.id, unallocated, 1))).toBe('not_found')
      expect(await codeOf(store.setStatus(def.id, 1000, 1))).toBe('not_found')
      expect(await codeOf(store.setStatus(def.id, -1, 1))).toBe('not_found')
      expect(await codeOf(store.setStatus(def.id, a, 4))).toBe('invalid_argument')
      expect(await codeOf(store.setStatus(def.id, a, 1.5))).toBe('invalid_argument')
      expect(await codeOf(store.setStatus('missing-list', a, 1))).toBe('not_found')
      expect(await store.setStatus(def.id, a, 2)).toEqual({
        previous: 0,
        version: 1,
        changed: true,
      })
      expect(await store.setStatus(def.id, a, 2)).toEqual({
        previous: 2,
        version: 1,
        changed: false,
      })
      expect(await store.setStatus(def.id, b, 3)).toEqual({
        previous: 0,
        version: 2,
        changed: true,
      })
      expect(await store.setStatus(def.id, c, 0)).toEqual({
        previous: 0,
        version: 2,
        changed: false,
      })
      const read = await store.readStatuses(def.id)
      expect(read.version).toBe(2)
      expect(read.statuses).toEqual(
        [
          [a, 2],
          [b, 3],
        ].sort((x, y) => (x[0] as number) - (y[0] as number)),
      )
      expect(await store.setStatus(def.id, a, 0)).toEqual({
        previous: 2,
        version: 3,
        changed: true,
      })
      expect((await store.readStatuses(def.id)).statuses).toEqual([[b, 3]])
      expect((await store.getStatusList(def.id))?.version).toBe(3)
      expect(await store.statusListVersion(def.id)).toBe(3)
      expect(await codeOf(store.statusListVersion('missing-list'))).toBe('not_found')
    })

    it('never changes a final status (revocation), also not back to 0', async () => {
      const store = await makeStore()
      const def = definition({ size: 100 })
      await store.createStatusList(def)
      const index = await store.allocateStatusIndex(def.id)
      expect((await store.setStatus(def.id, index, 1)).changed).toBe(true)
      expect(await codeOf(store.setStatus(def.id, index, 0))).toBe('status_irreversible')
      expect((await store.setStatus(def.id, index, 1)).changed).toBe(false)
      expect((await store.readStatuses(def.id)).statuses).toEqual([[index, 1]])
    })

    it('allocates atomically under concurrency: no index twice, the count exact', async () => {
      const store = await makeStore()
      const def = definition({ size: 300 })
      await store.createStatusList(def)
      const results = await Promise.allSettled(
        Array.from({ length: 320 }, () => store.allocateStatusIndex(def.id)),
      )
      const got = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
      const refused = results.flatMap((r) =>
        r.status === 'rejected' ? [(r.reason as CredsignError).code] : [],
      )
      expect(got.length).toBe(300)
      expect(new Set(got).size).toBe(300)
      expect(refused).toEqual(Array(20).fill('status_list_full'))
      expect((await store.getStatusList(def.id))?.allocated).toBe(300)
    })

    it('allocateStatusIndexes: a block of distinct random indexes in one call, counted as allocated, statuses settable', async () => {
      const store = await makeStore()
      const def = definition()
      await store.createStatusList(def)
      const block = await store.allocateStatusIndexes!(def.id, 32)
      // PostgreSQL may return fewer (candidates that were taken); a nearly empty list has none.
      expect(block.length).toBe(32)
      expect(new Set(block).size).toBe(32)
      expect(block.every((i) => Number.isSafeInteger(i) && i >= 0 && i < 131_072)).toBe(true)
      expect(Math.max(...block) - Math.min(...block)).toBeGreaterThan(131_072 / 4)
      expect((await store.getStatusList(def.id))?.allocated).toBe(32)
      const next = await store.allocateStatusIndexes!(def.id, 1)
      expect(next.length).toBe(1)
      expect(block).not.toContain(next[0])
      expect((await store.setStatus(def.id, block[5] as number, 1)).changed).toBe(true)
      expect((await store.readStatuses(def.id)).statuses).toEqual([[block[5], 1]])
    })

    it('allocateStatusIndexes: the last block of a list is partial, then status_list_full; bad counts are invalid_argument', async () => {
      const store = await makeStore()
      const def = definition({ size: 50 })
      await store.createStatusList(def)
      const got: number[] = []
      for (let calls = 0; calls < 200 && got.length < 50; calls++)
        got.push(...(await store.allocateStatusIndexes!(def.id, 32)))
      expect(got.length).toBe(50)
      expect(new Set(got).size).toBe(50)
      expect(await codeOf(store.allocateStatusIndexes!(def.id, 32))).toBe('status_list_full')
      expect(await codeOf(store.allocateStatusIndex(def.id))).toBe('status_list_full')
      expect((await store.getStatusList(def.id))?.allocated).toBe(50)
      expect(await codeOf(store.allocateStatusIndexes!('missing-list', 4))).toBe('not_found')
      const other = definition({ size: 100 })
      await store.createStatusList(other)
      for (const count of [0, -1, 1.5, MAX_STATUS_INDEX_BLOCK + 1, Number.NaN])
        expect(await codeOf(store.allocateStatusIndexes!(other.id, count)), String(count)).toBe(
          'invalid_argument',
        )
      expect((await store.getStatusList(other.id))?.allocated).toBe(0)
      // The largest block, in one call: every index distinct and counted.
      const large = definition({ size: 4 * MAX_STATUS_INDEX_BLOCK })
      await store.createStatusList(large)
      const block = await store.allocateStatusIndexes!(large.id, MAX_STATUS_INDEX_BLOCK)
      expect(new Set(block).size).toBe(block.length)
      expect(block.length).toBeGreaterThan(MAX_STATUS_INDEX_BLOCK / 2)
      expect((await store.getStatusList(large.id))?.allocated).toBe(block.length)
    })

    it('allocateStatusIndexes and allocateStatusIndex at once: no index twice, the count exact', async () => {
      const store = await makeStore()
      const def = definition({ size: 300 })
      await store.createStatusList(def)
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          i % 2 === 0
            ? store.allocateStatusIndexes!(def.id, 16)
            : store.allocateStatusIndex(def.id).then((index) => [index]),
        ),
      )
      const got = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []))
      const refused = results.flatMap((r) =>
        r.status === 'rejected' ? [(r.reason as CredsignError).code] : [],
      )
      expect(new Set(got).size).toBe(got.length)
      expect(refused.filter((code) => code !== 'status_list_full')).toEqual([])
      expect(got.length).toBe((await store.getStatusList(def.id))?.allocated)
      // A block may come back short (PostgreSQL: candidates another call took): fill up the rest.
      for (;;) {
        const code = await codeOf(
          store.allocateStatusIndexes!(def.id, 16).then((block) => void got.push(...block)),
        )
        if (code !== undefined) {
          expect(code).toBe('status_list_full')
          break
        }
      }
      expect(got.length).toBe(300)
      expect(new Set(got).size).toBe(300)
    })

    it('applies concurrent status changes without losing one', async () => {
      const store = await makeStore()
      const def = definition({ kind: 'token', bits: 2, size: 500, finalStatuses: [1] })
      await store.createStatusList(def)
      const indexes: number[] = []
      for (let i = 0; i < 40; i++) indexes.push(await store.allocateStatusIndex(def.id))
      await Promise.all(indexes.map((index, i) => store.setStatus(def.id, index, 1 + (i % 3))))
      const read = await store.readStatuses(def.id)
      expect(read.version).toBe(40)
      expect(read.statuses.length).toBe(40)
      for (const [index, value] of read.statuses)
        expect(value).toBe(1 + (indexes.indexOf(index) % 3))
    })
  })
}
