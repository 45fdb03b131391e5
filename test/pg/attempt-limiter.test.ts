// PostgresAttemptLimiter: the MemoryAttemptLimiter unit expectations, then a randomized comparison
// proving both give the same answers for the same calls.
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  CredsignError,
  MemoryAttemptLimiter,
  type AttemptOutcome,
  type LockoutPolicy,
} from 'credsign'
import { PostgresAttemptLimiter, PostgresStore } from 'credsign/postgres'
import { adminPool, codeOf, databaseUrl, describePg, dropSchema, freshSchema } from './helpers.js'

const url = databaseUrl as string
let admin: ReturnType<typeof adminPool>
const schema = freshSchema('limiter')

beforeAll(async () => {
  if (databaseUrl === undefined) return
  admin = adminPool(url, 8)
  await new PostgresStore({ pool: admin, schema }).migrate()
})
afterAll(async () => {
  if (admin === undefined) return
  await dropSchema(admin, schema)
  await admin.end()
})

let table = 0
/** A limiter on its own freshly migrated attempts table, so tests never see each other's counters. */
async function limiter(
  policy: LockoutPolicy & { pruneIntervalMs?: number } = {},
): Promise<PostgresAttemptLimiter> {
  const tables = {
    attempts: `attempts_${++table}`,
    keys: `keys_${table}`,
    versions: `versions_${table}`,
    migrations: `migrations_${table}`,
  }
  const made = new PostgresAttemptLimiter({ pool: admin, schema, tables, ...policy })
  await made.migrate()
  return made
}

describePg('PostgresAttemptLimiter: the MemoryAttemptLimiter expectations', () => {
  it('admits maxFailures attempts, then answers with the lock end', async () => {
    const l = await limiter({ maxFailures: 3, lockoutMs: 1000, windowMs: 5000 })
    for (let i = 0; i < 3; i++) expect(await l.begin('k', 100)).toEqual({ admitted: true })
    expect(await l.begin('k', 100)).toEqual({ admitted: false, retryAt: 1100 })
    expect(await l.begin('k', 1099)).toEqual({ admitted: false, retryAt: 1100 })
    expect(await l.begin('k', 1100)).toEqual({ admitted: true })
  })

  it('un-counts void attempts and resets on success', async () => {
    const l = await limiter({ maxFailures: 2 })
    await l.begin('k', 0)
    await l.begin('k', 0)
    expect((await l.begin('k', 0)).admitted).toBe(false)
    await l.end('k', 'void', 0)
    expect((await l.begin('k', 0)).admitted).toBe(true)
    await l.end('k', 'success', 0)
    expect((await l.begin('k', 0)).admitted).toBe(true)
    expect((await l.begin('k', 0)).admitted).toBe(true)
    expect((await l.begin('k', 0)).admitted).toBe(false)
  })

  it('keeps keys apart', async () => {
    const l = await limiter({ maxFailures: 1 })
    await l.begin('a', 0)
    expect((await l.begin('a', 0)).admitted).toBe(false)
    expect((await l.begin('b', 0)).admitted).toBe(true)
  })

  it('keeps locks when flooded with new keys, and prunes only what no longer matters', async () => {
    const l = await limiter({ maxFailures: 1, windowMs: 100, lockoutMs: 1000, pruneIntervalMs: 0 })
    await l.begin('victim', 0)
    for (let i = 0; i < 200; i++) await l.begin(`noise-${i}`, 1)
    expect(await l.prune(50)).toBe(0)
    expect((await l.begin('victim', 2)).admitted).toBe(false)
    // At 1001 the noise locks (until 1001) have ended, the victim's (until 1000) too.
    expect(await l.prune(1001)).toBe(201)
    expect((await l.begin('victim', 1002)).admitted).toBe(true)
  })

  it('rejects nonsensical policies and inputs', async () => {
    expect(() => new PostgresAttemptLimiter({ pool: admin, maxFailures: 0 })).toThrow(CredsignError)
    expect(() => new PostgresAttemptLimiter({ pool: admin, lockoutMs: -1 })).toThrow(CredsignError)
    expect(() => new PostgresAttemptLimiter({ pool: admin, windowMs: 1.5 })).toThrow(CredsignError)
    expect(() => new PostgresAttemptLimiter({ pool: admin, pruneIntervalMs: -1 })).toThrow(
      CredsignError,
    )
    const l = await limiter()
    expect(await codeOf(l.begin('k', Number.NaN))).toBe('invalid_argument')
    expect(await codeOf(l.begin(42 as unknown as string, 0))).toBe('invalid_argument')
    expect(await codeOf(l.end('k', 'maybe' as AttemptOutcome, 0))).toBe('invalid_argument')
  })

  it("takes any key: NUL (the vault's id\\u0000client), 10,000 characters, quotes; keyed by SHA-256", async () => {
    const l = await limiter({ maxFailures: 1 })
    const keys = [
      'did:web:x#k\u0000client-a',
      'did:web:x#k\u0000client-b',
      'x'.repeat(10_000),
      `k'; DROP TABLE x; --`,
      '',
    ]
    for (const key of keys)
      expect(await l.begin(key, 0), key.slice(0, 20)).toEqual({ admitted: true })
    for (const key of keys) expect((await l.begin(key, 0)).admitted, key.slice(0, 20)).toBe(false)
    const { rows } = await admin.query(`SELECT key FROM "${schema}".attempts_${table}`)
    expect(rows).toHaveLength(keys.length)
    for (const row of rows) expect(row.key).toMatch(/^[0-9a-f]{64}$/)
  })

  it('counts concurrent begins atomically: of 30 at once exactly maxFailures are admitted', async () => {
    const l = await limiter({ maxFailures: 5 })
    const answers = await Promise.all(Array.from({ length: 30 }, () => l.begin('k', 1000)))
    expect(answers.filter((a) => a.admitted)).toHaveLength(5)
    expect(
      answers
        .filter((a) => !a.admitted)
        .every((a) => !a.admitted && a.retryAt === 1000 + 15 * 60_000),
    ).toBe(true)
  })

  it('matches the memory limiter when a failure ends exactly at the lock end, then a void attempt ends', async () => {
    const policy = { maxFailures: 2, windowMs: 10, lockoutMs: 4 }
    const memory = new MemoryAttemptLimiter(policy)
    const postgres = await limiter({ ...policy, pruneIntervalMs: 0 })
    const answers: unknown[][] = [[], []]
    for (const [index, l] of [memory, postgres].entries()) {
      const out = answers[index] as unknown[]
      out.push(await l.begin('k', 0), await l.begin('k', 0)) // locked until 4
      await l.end('k', 'failure', 4) // the lock ends now, not before: the state stays
      await l.end('k', 'void', 4) // un-counts one: 1 failure left in the window that began at 0
      out.push(await l.begin('k', 5), await l.begin('k', 5))
    }
    expect(answers[0]).toEqual([
      { admitted: true },
      { admitted: true },
      { admitted: true },
      { admitted: false, retryAt: 9 },
    ])
    expect(answers[1]).toEqual(answers[0])
  })

  it('answers exactly like MemoryAttemptLimiter over 3 x 1,000 random calls, boundaries included', async () => {
    // Tiny windows and steps of 0 to 3 ms, so that "now" lands exactly on lock and window ends often.
    for (const seed of [1, 2, 3]) {
      const policy = { maxFailures: 3, windowMs: 7, lockoutMs: 4 }
      const memory = new MemoryAttemptLimiter(policy)
      // Prune whenever time moves: pruning must never change an answer.
      const postgres = await limiter({ ...policy, pruneIntervalMs: 1 })
      let state = seed
      const random = (n: number): number => {
        // mulberry32
        state = (state + 0x6d2b79f5) | 0
        let t = Math.imul(state ^ (state >>> 15), 1 | state)
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
        return ((t ^ (t >>> 14)) >>> 0) % n
      }
      const outcomes: AttemptOutcome[] = ['success', 'failure', 'failure', 'void', 'void']
      let now = 1_000
      const trace: string[] = []
      let refused = 0
      for (let step = 0; step < 1_000; step++) {
        if (random(2) === 0) now += random(4)
        const key = `k${random(2)}`
        if (random(2) === 0) {
          const expected = await memory.begin(key, now)
          const actual = await postgres.begin(key, now)
          trace.push(`${now} begin ${key} -> ${JSON.stringify(expected)}`)
          expect(actual, `seed ${seed}:\n${trace.slice(-12).join('\n')}`).toEqual(expected)
          if (!expected.admitted) refused++
        } else {
          const outcome = outcomes[random(outcomes.length)] as AttemptOutcome
          await memory.end(key, outcome, now)
          await postgres.end(key, outcome, now)
          trace.push(`${now} end ${key} ${outcome}`)
        }
      }
      expect(refused).toBeGreaterThan(20)
    }
  })
})
