// Two Node processes on one database: atomic create, compare-and-swap under racing rotate and
// rewrap, and one lockout count across processes.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { KeyVault } from 'credsign'
import { PostgresStore } from 'credsign/postgres'
import {
  adminPool,
  codeOf,
  databaseUrl,
  describePg,
  dropSchema,
  freshSchema,
  repoRoot,
} from './helpers.js'

const url = databaseUrl as string
const worker = fileURLToPath(new URL('./fixtures/vault-worker.ts', import.meta.url))
const serviceSecret = 'postgres-process-test-service-secret-0123456789'
const CHEAP_KDF = { id: 'pbkdf2-sha256', iterations: 1000 } as const
const schema = freshSchema('procs')
let admin: ReturnType<typeof adminPool>
let store: PostgresStore

type Result = { ok: unknown } | { code: string }

/** A worker process running one job; `results` resolves with its report. */
class Worker {
  readonly child: ChildProcessWithoutNullStreams
  readonly ready: Promise<void>
  readonly results: Promise<Result[]>
  #stdout = ''
  #stderr = ''

  constructor(job: Record<string, unknown>) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', worker, JSON.stringify({ url, schema, ...job })],
      { cwd: repoRoot, stdio: 'pipe' },
    )
    this.child.stdout.setEncoding('utf8')
    this.child.stderr.setEncoding('utf8')
    this.child.stderr.on('data', (chunk: string) => (this.#stderr += chunk))
    const exited = new Promise<void>((done) => this.child.on('close', () => done()))
    const line = (test: (l: string) => boolean): Promise<string> =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = this.#stdout.split('\n').find(test)
          if (found !== undefined) resolve(found)
        }
        this.child.stdout.on('data', (chunk: string) => {
          this.#stdout += chunk
          check()
        })
        void exited.then(() => {
          check()
          reject(new Error(`worker exited without the expected line; stderr:\n${this.#stderr}`))
        })
      })
    this.ready = line((l) => l === 'ready').then(() => undefined)
    this.results = line((l) => l.startsWith('{')).then(
      (l) => (JSON.parse(l) as { results: Result[] }).results,
    )
  }

  go(): void {
    this.child.stdin.write('go\n')
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL')
  }
}

const workers: Worker[] = []
/** Starts workers, waits until every one is connected, then releases them at once. */
async function race(...jobs: Record<string, unknown>[]): Promise<Result[][]> {
  const started = jobs.map((job) => new Worker(job))
  workers.push(...started)
  await Promise.all(started.map((w) => w.ready))
  for (const w of started) w.go()
  return Promise.all(started.map((w) => w.results))
}

const codes = (results: Result[]): string[] => results.flatMap((r) => ('code' in r ? [r.code] : []))
const oks = (results: Result[]): unknown[] => results.flatMap((r) => ('ok' in r ? [r.ok] : []))

beforeAll(async () => {
  if (databaseUrl === undefined) return
  admin = adminPool(url, 4)
  store = new PostgresStore({ pool: admin, schema })
  await store.migrate()
})
afterEach(() => {
  for (const w of workers.splice(0)) w.kill()
})
afterAll(async () => {
  if (admin === undefined) return
  await dropSchema(admin, schema)
  await admin.end()
})

describePg('PostgresStore across two processes', () => {
  it('50 concurrent generates of one id from two processes: one key, exactly 49 exists', async () => {
    const id = 'did:web:contended.example#key-1'
    const [a, b] = await race(
      { op: 'generate', id, count: 25, tag: 'a' },
      { op: 'generate', id, count: 25, tag: 'b' },
    )
    const all = [...(a as Result[]), ...(b as Result[])]
    expect(codes(all)).toEqual(Array(49).fill('exists'))
    expect(oks(all)).toEqual([1])
    const { rows } = await admin.query(
      `SELECT (SELECT count(*)::int FROM "${schema}".credsign_keys WHERE id = $1) AS keys,
              (SELECT count(*)::int FROM "${schema}".credsign_key_versions WHERE key_id = $1) AS versions`,
      [id],
    )
    expect(rows[0]).toEqual({ keys: 1, versions: 1 })
    // The stored key is the winner's: exactly one of the 50 secrets opens it.
    const vault = new KeyVault({
      store,
      serviceSecret,
      kdf: CHEAP_KDF,
      lockout: { maxFailures: 100 },
    })
    const winnerTag = (a as Result[]).some((r) => 'ok' in r) ? 'a' : 'b'
    const winnerIndex = ((winnerTag === 'a' ? a : b) as Result[]).findIndex((r) => 'ok' in r)
    await expect(vault.unlock(id, [`${winnerTag}-${winnerIndex}`])).resolves.toBeTruthy()
  }, 60_000)

  it('rotations in one process racing a rewrap to new secrets in another never lose an update', async () => {
    const outcomes = { rotatedBefore: 0, refusedAfter: 0 }
    // At least 4 rounds, and more (the rewrap landing later each time, up to 12 rounds) until both
    // sides of the race were seen: rotations that landed before the rewrap and rotations refused after.
    for (
      let round = 0;
      round < 12 && (round < 4 || outcomes.rotatedBefore === 0 || outcomes.refusedAfter === 0);
      round++
    ) {
      const id = `rotate-rewrap-${round}`
      const vault = new KeyVault({
        store,
        serviceSecret,
        kdf: CHEAP_KDF,
        lockout: { maxFailures: 1000 },
      })
      await vault.generate({ id, algorithm: 'Ed25519', secrets: ['s'] })
      // Rotations start every 5 ms; the rewrap lands somewhere in the middle of them.
      const [rotations, rewraps] = (await race(
        { op: 'rotate', id, count: 10, secrets: ['s'], maxFailures: 1000, staggerMs: 5 },
        {
          op: 'rewrap',
          id,
          count: 1,
          secrets: ['s'],
          newSecrets: ['t'],
          maxFailures: 1000,
          delayMs: 10 + round * 15,
        },
      )) as [Result[], Result[]]
      // Failures are clean: a rotation after the rewrap no longer proves the old secrets, and a
      // compare-and-swap may give up after its retries. Nothing else.
      for (const code of codes(rotations)) expect(['wrong_secrets', 'conflict']).toContain(code)
      for (const code of codes(rewraps)) expect(code).toBe('conflict')
      const rotated = oks(rotations) as number[]
      const rewrapped = oks(rewraps).length
      outcomes.rotatedBefore += rotated.length
      outcomes.refusedAfter += codes(rotations).filter((c) => c === 'wrong_secrets').length
      const record = await store.get(id)
      // Every successful write is in the record: one version per rotation, one revision per write.
      expect(record?.versions.map((v) => v.version)).toEqual(
        Array.from({ length: 1 + rotated.length }, (_, i) => i + 1),
      )
      expect(new Set(rotated).size).toBe(rotated.length)
      expect(record?.revision).toBe(1 + rotated.length + rewrapped)
      // Every version opens with the final secrets: no version was left under the old ones.
      const finalSecrets = rewrapped === 1 ? ['t'] : ['s']
      for (const v of record?.versions ?? []) {
        expect(
          await codeOf(vault.unlock(id, finalSecrets, { version: v.version })),
          `round ${round} version ${v.version}`,
        ).toBe('resolved')
      }
    }
    // The race was real: some rotations landed before a rewrap, some were refused after one.
    expect(outcomes.rotatedBefore).toBeGreaterThan(0)
    expect(outcomes.refusedAfter).toBeGreaterThan(0)
  }, 120_000)

  it('rotations and rewraps interleaving from two processes all land: versions and revision add up', async () => {
    const id = 'rotate-rewrap-same-secrets'
    const vault = new KeyVault({
      store,
      serviceSecret,
      kdf: CHEAP_KDF,
      lockout: { maxFailures: 1000 },
    })
    await vault.generate({ id, algorithm: 'Ed25519', secrets: ['s'] })
    const [rotations, rewraps] = (await race(
      { op: 'rotate', id, count: 8, secrets: ['s'], maxFailures: 1000, staggerMs: 3 },
      { op: 'rewrap', id, count: 8, secrets: ['s'], maxFailures: 1000, staggerMs: 3, delayMs: 1 },
    )) as [Result[], Result[]]
    for (const code of [...codes(rotations), ...codes(rewraps)]) expect(code).toBe('conflict')
    const rotated = oks(rotations).length
    const rewrapped = oks(rewraps).length
    // Under contention a compare-and-swap may give up after its retries (`conflict`), but every
    // round of conflicts has a winner: something landed.
    expect(rotated + rewrapped).toBeGreaterThan(0)
    const record = await store.get(id)
    expect(record?.versions.map((v) => v.version)).toEqual(
      Array.from({ length: 1 + rotated }, (_, i) => i + 1),
    )
    expect(record?.revision).toBe(1 + rotated + rewrapped)
    for (const v of record?.versions ?? [])
      expect(await codeOf(vault.unlock(id, ['s'], { version: v.version }))).toBe('resolved')
  }, 60_000)

  it('two processes making distinct wrong guesses on one key lock it after exactly maxFailures in total', async () => {
    const id = 'lockout-target'
    const vault = new KeyVault({
      store,
      serviceSecret,
      kdf: CHEAP_KDF,
      limiter: store.attemptLimiter({ maxFailures: 5 }),
    })
    await vault.generate({ id, algorithm: 'Ed25519', secrets: ['right'] })
    const [a, b] = (await race(
      { op: 'unlock', id, count: 10, secrets: ['wrong'], maxFailures: 5, tag: 'a' },
      { op: 'unlock', id, count: 10, secrets: ['wrong'], maxFailures: 5, tag: 'b' },
    )) as [Result[], Result[]]
    const all = codes([...a, ...b])
    expect(all.filter((c) => c === 'wrong_secrets')).toHaveLength(5)
    expect(all.filter((c) => c === 'locked')).toHaveLength(15)
    // Both processes took part (neither ran all of its attempts before the other began is fine,
    // but the count is shared): and now even the right secrets are refused, from either side.
    expect(await codeOf(vault.unlock(id, ['right']))).toBe('locked')
    const [c] = (await race({
      op: 'unlock',
      id,
      count: 1,
      secrets: ['right'],
      maxFailures: 5,
    })) as [Result[]]
    expect(codes(c)).toEqual(['locked'])
  }, 60_000)
})
