/**
 * Npm run bench:pg — PostgresStore throughput against the server at DATABASE_URL (also run by `npm
 * run bench` when DATABASE_URL is set):
 *
 * 1. The store alone: create, get, update (compare-and-swap), list pages;
 * 2. The vault on it: generate and unlock with the default KDF, with a cheap KDF (to show what the
 *    database adds), and with the unlock cache; failed-attempt counting in the shared table.
 *    Sequential (one caller) and concurrent (16 callers on a pool of 16) figures. Uses a fresh
 *    schema, dropped at the end. Prints Markdown (paste into BENCHMARKS.md) and writes
 *    .bench-out/postgres.md. BENCH_QUICK=1 for a short smoke run.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import pg from 'pg'
import { KeyVault, type KdfParams } from '../src/index.js'
import { PostgresStore } from '../src/postgres/index.js'
import { makeTestRecord } from '../src/testing/index.js'

const url = process.env.DATABASE_URL
if (!url) {
  console.error(
    'bench/postgres.ts needs DATABASE_URL (e.g. PGTMP=$(bash .ci/pg-up.sh); . "$PGTMP/env")',
  )
  process.exit(1)
}
const QUICK = process.env.BENCH_QUICK === '1'
const SECONDS = QUICK ? 0.5 : 3
const LIST_KEYS = QUICK ? 1_000 : 10_000
const CONCURRENCY = 16
const DEFAULT_KDF: KdfParams = { id: 'pbkdf2-sha256', iterations: 600_000 }
const CHEAP_KDF: KdfParams = { id: 'pbkdf2-sha256', iterations: 1_000 }
const serviceSecret = new Uint8Array(32).fill(42)
const schema = `bench_${randomBytes(4).toString('hex')}`
const lines: string[] = []
const out = (line = '') => {
  lines.push(line)
  console.log(line)
}
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/**
 * Runs `fn(i, worker)` from `workers` concurrent loops for `seconds` (`i` counts calls overall);
 * returns operations per second and mean latency.
 */
async function throughput(
  fn: (i: number, worker: number) => Promise<unknown>,
  workers: number,
  seconds = SECONDS,
): Promise<{ ops: number; ms: number }> {
  let next = 0
  for (let i = 0; i < Math.min(5, workers * 2); i++) await fn(next++, i % workers) // warm-up
  let done = 0
  const start = performance.now()
  const end = start + seconds * 1000
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < end) {
        await fn(next++, worker)
        done++
      }
    }),
  )
  const elapsed = (performance.now() - start) / 1000
  return { ops: done / elapsed, ms: (elapsed * 1000 * workers) / done }
}

function row(
  name: string,
  one: { ops: number; ms: number },
  many: { ops: number; ms: number },
): void {
  out(`| ${name} | ${fmt(one.ops)} | ${fmt(one.ms, 2)} | ${fmt(many.ops)} | ${fmt(many.ms, 2)} |`)
}

const store = new PostgresStore({
  connection: { connectionString: url, maxConnections: CONCURRENCY },
  schema,
})
const admin = new pg.Pool({ connectionString: url, max: 1 })
try {
  await store.migrate()
  const version = (await admin.query('SHOW server_version')).rows[0].server_version as string
  out(`## PostgreSQL store (credsign/postgres)`)
  out()
  out(
    `\`npm run bench:pg\` (DATABASE_URL = a throwaway PostgreSQL ${version} from \`.ci/pg-up.sh\` on the same machine: TCP on 127.0.0.1,`,
  )
  out(
    `fsync off). Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, load average at start ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}. ${QUICK ? 'QUICK run.' : ''}`,
  )
  out(
    `"1 caller" = one loop awaiting each call; "${CONCURRENCY} callers" = ${CONCURRENCY} loops on a pool of ${CONCURRENCY} connections.`,
  )
  out()

  // 1. The store alone.
  out('### The store alone')
  out()
  out(`| operation | 1 caller, ops/s | mean ms | ${CONCURRENCY} callers, ops/s | mean ms |`)
  out('|---|---:|---:|---:|---:|')
  let created = 0
  const create = (i: number) =>
    store.create(makeTestRecord(`create-${i}-${created++}`, { versions: 2 }))
  row(
    '`create` (2 versions, one statement)',
    await throughput(create, 1),
    await throughput(create, CONCURRENCY),
  )
  const get = (i: number) => store.get(`create-${i % 100}-${i % 100}`)
  row('`get`', await throughput(get, 1), await throughput(get, CONCURRENCY))
  for (let i = 0; i < CONCURRENCY; i++)
    await store.create(makeTestRecord(`cas-${i}`, { versions: 3 }))
  const revisions = new Map<string, number>()
  // Each loop updates its own key: compare-and-swap without conflicts.
  const update = async (_: number, worker: number) => {
    const id = `cas-${worker}`
    const revision = revisions.get(id) ?? 1
    const stored = await store.update(makeTestRecord(id, { versions: 3, revision }))
    revisions.set(id, stored.revision)
  }
  const updateOne = await throughput(update, 1)
  row(
    '`update` (compare-and-swap, 3 versions, one transaction)',
    updateOne,
    await throughput(update, CONCURRENCY),
  )
  out()

  // List: a table of LIST_KEYS keys, paged 100 at a time.
  await admin.query(`TRUNCATE "${schema}".credsign_keys CASCADE`)
  for (let i = 0; i < LIST_KEYS; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, LIST_KEYS - i) }, (_, j) =>
        store.create(
          makeTestRecord(`did:web:issuer.example#key-${String(i + j).padStart(6, '0')}`, {
            versions: 2,
          }),
        ),
      ),
    )
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
  out(`### list`)
  out()
  out(
    `Paging through ${fmt(LIST_KEYS)} keys (2 versions each, full validated records) with keyset pagination; median of 3 full scans:`,
  )
  out()
  out('| page size | records/s | pages | median page ms | slowest page ms |')
  out('|---:|---:|---:|---:|---:|')
  for (const limit of [100, 1000]) {
    const rates: number[] = []
    const pages: number[] = []
    for (let scan = 0; scan < 3; scan++) {
      const start = performance.now()
      let listed = 0
      let cursor: string | undefined
      do {
        const t0 = performance.now()
        const page = await store.list(cursor === undefined ? { limit } : { cursor, limit })
        pages.push(performance.now() - t0)
        listed += page.records.length
        cursor = page.nextCursor
      } while (cursor !== undefined)
      rates.push(listed / ((performance.now() - start) / 1000))
    }
    out(
      `| ${limit} | ${fmt(median(rates))} | ${Math.ceil(LIST_KEYS / limit)} | ${fmt(median(pages), 2)} | ${fmt(Math.max(...pages), 2)} |`,
    )
  }
  out()

  // 2. The vault on the store, with the shared limiter.
  out('### The vault on PostgresStore + PostgresAttemptLimiter')
  out()
  out(`| operation | 1 caller, ops/s | mean ms | ${CONCURRENCY} callers, ops/s | mean ms |`)
  out('|---|---:|---:|---:|---:|')
  const limiter = store.attemptLimiter({ maxFailures: 1_000_000 })
  const vaultDefault = new KeyVault({ store, serviceSecret, kdf: DEFAULT_KDF, limiter })
  const vaultCheap = new KeyVault({ store, serviceSecret, kdf: CHEAP_KDF, limiter })
  let generated = 0
  const genDefault = () =>
    vaultDefault.generate({
      id: `gen-default-${generated++}`,
      algorithm: 'Ed25519',
      secrets: ['caller-secret'],
    })
  row(
    '`generate` Ed25519, default KDF (PBKDF2 600,000)',
    await throughput(genDefault, 1),
    await throughput(genDefault, CONCURRENCY),
  )
  const genCheap = () =>
    vaultCheap.generate({
      id: `gen-cheap-${generated++}`,
      algorithm: 'Ed25519',
      secrets: ['caller-secret'],
    })
  row(
    '`generate` Ed25519, cheap KDF (PBKDF2 1,000)',
    await throughput(genCheap, 1),
    await throughput(genCheap, CONCURRENCY),
  )
  for (let i = 0; i < CONCURRENCY; i++) {
    await vaultDefault.generate({
      id: `unlock-default-${i}`,
      algorithm: 'Ed25519',
      secrets: ['caller-secret'],
    })
    await vaultCheap.generate({
      id: `unlock-cheap-${i}`,
      algorithm: 'Ed25519',
      secrets: ['caller-secret'],
    })
  }
  const unlockDefault = async (i: number) =>
    (await vaultDefault.unlock(`unlock-default-${i % CONCURRENCY}`, ['caller-secret'])).lock()
  row(
    '`unlock`, default KDF',
    await throughput(unlockDefault, 1),
    await throughput(unlockDefault, CONCURRENCY),
  )
  const unlockCheap = async (i: number) =>
    (await vaultCheap.unlock(`unlock-cheap-${i % CONCURRENCY}`, ['caller-secret'])).lock()
  row(
    '`unlock`, cheap KDF (limiter begin/end + get + open)',
    await throughput(unlockCheap, 1),
    await throughput(unlockCheap, CONCURRENCY),
  )
  const cached = new KeyVault({
    store,
    serviceSecret,
    kdf: DEFAULT_KDF,
    limiter,
    unlockCache: { ttlMs: 60_000, maxEntries: 1000 },
  })
  for (let i = 0; i < CONCURRENCY; i++)
    (await cached.unlock(`unlock-default-${i}`, ['caller-secret'])).lock() // fill the cache
  const unlockCached = async (i: number) =>
    (await cached.unlock(`unlock-default-${i % CONCURRENCY}`, ['caller-secret'])).lock()
  row(
    '`unlock`, default KDF, unlock cache hit',
    await throughput(unlockCached, 1),
    await throughput(unlockCached, CONCURRENCY),
  )
  const wrong = (i: number) =>
    vaultCheap.unlock(`unlock-cheap-${i % CONCURRENCY}`, ['wrong']).catch(() => undefined)
  row(
    'wrong-secrets `unlock`, cheap KDF (counted in the shared table)',
    await throughput(wrong, 1),
    await throughput(wrong, CONCURRENCY),
  )
  const begin = (i: number) =>
    limiter
      .begin(`bench-${i % 1000}`, Date.now())
      .then((a) =>
        a.admitted ? limiter.end(`bench-${i % 1000}`, 'success', Date.now()) : undefined,
      )
  row(
    'limiter `begin` + `end` alone',
    await throughput(begin, 1),
    await throughput(begin, CONCURRENCY),
  )
  out()
  mkdirSync('.bench-out', { recursive: true })
  writeFileSync('.bench-out/postgres.md', `${lines.join('\n')}\n`)
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await admin.end()
  await store.close()
}
