/**
 * `npx tsx bench/status-issue.ts` — what status lists cost the issuer (issue 18), on the
 * node:crypto path (`import 'credsign'` on Node), Ed25519 keys, did:key:
 *
 * 1. Issuing with status vs without: `allocate()` on a MemoryStatusListStore plus signing a credential
 *    that carries the entry, against signing the same credential without one (goal: at least 90% of
 *    the throughput), for a `vc+jwt` with a BitstringStatusListEntry and an SD-JWT VC with a Token
 *    Status List `status`. The lists hold 2^20 entries, so the run never fills them.
 * 2. One status change and re-signing a 131,072-entry list (`setStatus` + `publish`): building the
 *    bitstring / byte array, compressing it, signing (goal: under 20 ms).
 * 3. With DATABASE_URL: two processes allocating 10,000 indexes each from one list of a
 *    PostgresStatusListStore (8 at a time per process): allocations per second (the 0-duplicates
 *    assertion is a test, test/pg/status-list-store.test.ts). Also one process on a
 *    FileStatusListStore (each allocation a synced write).
 *
 * BENCH_QUICK=1 for a short smoke run. Prints Markdown tables (paste into BENCHMARKS.md).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  JwtVcSigner,
  KeyVault,
  MemoryStatusListStore,
  MemoryStore,
  SdJwtVcSigner,
  StatusLists,
  asDidSigner,
} from '../src/index.node.js'
import { FileStatusListStore } from '../src/file/file-status-list-store.js'
import { allocateInProcesses } from '../test/node/status-processes.js'

const QUICK = process.env.BENCH_QUICK === '1'
const SECONDS = QUICK ? 0.3 : 3

/** Operations per second of `fn`, after a warm-up. */
async function opsPerSecond(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 100; i++) await fn()
  let ops = 0
  const start = performance.now()
  const end = start + SECONDS * 1000
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) await fn()
    ops += 20
  }
  return (ops * 1000) / (performance.now() - start)
}

/**
 * Operations per second of `a` and of `b`, measured in alternating rounds (the machine is shared:
 * alternating keeps a slow moment from landing on one side only); the median round of each.
 */
async function pairedOpsPerSecond(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<[number, number]> {
  for (let i = 0; i < 100; i++) await a()
  for (let i = 0; i < 100; i++) await b()
  const rounds = QUICK ? 3 : 15
  const per = (SECONDS * 1000) / rounds / 2
  const rates: [number[], number[]] = [[], []]
  for (let round = 0; round < rounds; round++)
    // ABBA order: neither side always runs first (after the other's garbage).
    for (const side of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const fn = side === 0 ? a : b
      let ops = 0
      const start = performance.now()
      while (performance.now() - start < per) {
        for (let i = 0; i < 10; i++) await fn()
        ops += 10
      }
      rates[side]?.push((ops * 1000) / (performance.now() - start))
    }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1] as number
  return [median(rates[0]), median(rates[1])]
}

const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(1),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s'] })
const signer = asDidSigner(await vault.unlock('issuer', ['s']))

// 1. Issuing with and without status ---------------------------------------------------------
const lists = new StatusLists({ store: new MemoryStatusListStore(), signer })
await lists.createList({
  id: 'bsl',
  kind: 'bitstring',
  purpose: 'revocation',
  url: 'https://issuer.example/status/1',
  size: 2 ** 20,
})
await lists.createList({
  id: 'tsl',
  kind: 'token',
  uri: 'https://issuer.example/tsl/1',
  size: 2 ** 20,
})
const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  credentialSubject: { id: 'did:example:alice', degree: 'BSc' },
}
const jwtSigner = new JwtVcSigner(signer)
const sdSigner = new SdJwtVcSigner(signer)
const issueRows: string[] = []
for (const [label, listId, plain, withStatus] of [
  [
    '`vc+jwt`, BitstringStatusListEntry',
    'bsl',
    () => jwtSigner.sign(credential),
    async () => {
      const entry = await lists.allocate('bsl')
      if (entry.kind !== 'bitstring') throw new Error('kind')
      return jwtSigner.sign({ ...credential, credentialStatus: entry.credentialStatus })
    },
  ],
  [
    'SD-JWT VC, Token Status List `status`',
    'tsl',
    () => sdSigner.issue({ given_name: 'Erika' }, { vct: 'urn:example:pid' }),
    async () => {
      const entry = await lists.allocate('tsl')
      if (entry.kind !== 'token') throw new Error('kind')
      return sdSigner.issue(
        { given_name: 'Erika' },
        { vct: 'urn:example:pid', status: entry.status },
      )
    },
  ],
] as const) {
  const [without, withIt] = await pairedOpsPerSecond(plain, withStatus)
  const allocateAlone = await opsPerSecond(() => lists.allocate(listId))
  issueRows.push(
    `| ${label} | ${Math.round(without).toLocaleString('en')} | ${Math.round(withIt).toLocaleString('en')} | ${((withIt / without) * 100).toFixed(0)}% | ${(1e6 / allocateAlone).toFixed(1)} |`,
  )
}
console.log('\n### Issuing with a status entry (MemoryStatusListStore, Ed25519)\n')
console.log(
  '| credential | signs/s without status | allocate + sign/s | ratio (goal ≥ 90%) | `allocate()` alone, µs |',
)
console.log('|---|---:|---:|---:|---:|')
for (const row of issueRows) console.log(row)

// 2. One change and a re-signed 131,072-entry list -----------------------------------------
const publishRows: string[] = []
for (const [label, options] of [
  [
    'Bitstring, `vc+jwt` (16 KB bitstring, GZIP)',
    { kind: 'bitstring', purpose: 'suspension', url: 'https://issuer.example/status/s' },
  ],
  [
    'Token Status List, 2 bits, `statuslist+jwt` (32 KB, ZLIB)',
    { kind: 'token', uri: 'https://issuer.example/tsl/2', bits: 2 },
  ],
] as const) {
  const store = new MemoryStatusListStore()
  const publisher = new StatusLists({ store, signer })
  const list = await publisher.createList({ ...options, size: 131_072 })
  // A realistic list: a few thousand live entries, a tenth of them suspended.
  const indexes: number[] = []
  for (let i = 0; i < 5_000; i++) indexes.push((await publisher.allocate(list.id)).index)
  for (const index of indexes.slice(0, 500)) await publisher.suspend(list.id, index)
  let turn = 0
  const rate = await opsPerSecond(async () => {
    // Suspend an entry, then lift that suspension: every call changes one status.
    const index = indexes[1000 + (Math.floor(turn / 2) % 4000)] as number
    if (turn++ % 2 === 0) await publisher.suspend(list.id, index)
    else await publisher.unsuspend(list.id, index)
    const published = await publisher.publish(list.id)
    if (!published.signed) throw new Error('a change must re-sign')
  })
  publishRows.push(`| ${label} | ${(1000 / rate).toFixed(2)} |`)
}
console.log(
  '\n### One status change + re-signing a 131,072-entry list (500 of 5,000 entries set)\n',
)
console.log('| list | ms per change + publish (goal < 20 ms) |')
console.log('|---|---:|')
for (const row of publishRows) console.log(row)

// 3. Stores across processes -----------------------------------------------------------------
const directory = await mkdtemp(join(tmpdir(), 'credsign-bench-status-'))
try {
  const fileStore = new FileStatusListStore({ directory })
  await fileStore.createStatusList({
    id: 'bench',
    kind: 'bitstring',
    size: 131_072,
    bits: 1,
    finalStatuses: [1],
    settings: {},
    createdAt: new Date().toISOString(),
  })
  const count = QUICK ? 100 : 1000
  const start = performance.now()
  for (let i = 0; i < count; i++) await fileStore.allocateStatusIndex('bench')
  const fileRate = (count * 1000) / (performance.now() - start)
  console.log('\n### Allocation throughput of the durable stores\n')
  console.log('| store | setup | allocations/s |')
  console.log('|---|---|---:|')
  console.log(
    `| FileStatusListStore | one process, one at a time, ${count} allocations (each a synced write + rename) | ${Math.round(fileRate).toLocaleString('en')} |`,
  )
} finally {
  await rm(directory, { recursive: true, force: true })
}

const url = process.env.DATABASE_URL
if (url !== undefined && url !== '') {
  const { PostgresStatusListStore } = await import('../src/postgres/postgres-status-list-store.js')
  const schema = `bench_status_${Date.now().toString(36)}`
  const store = new PostgresStatusListStore({ connection: url, schema })
  await store.migrate()
  await store.createStatusList({
    id: 'bench',
    kind: 'token',
    size: 131_072,
    bits: 2,
    finalStatuses: [1],
    settings: {},
    createdAt: new Date().toISOString(),
  })
  const perProcess = QUICK ? 1000 : 10_000
  const start = performance.now()
  const reports = await allocateInProcesses(2, {
    store: 'postgres',
    url,
    schema,
    list: 'bench',
    count: perProcess,
    parallel: 8,
  })
  const seconds = (performance.now() - start) / 1000
  const total = reports.reduce((n, r) => n + r.indexes.length, 0)
  const distinct = new Set(reports.flatMap((r) => r.indexes)).size
  console.log(
    `| PostgresStatusListStore | 2 processes × ${perProcess.toLocaleString('en')}, 8 in flight each (${distinct === total ? 'no duplicates' : 'DUPLICATES'}; wall time incl. process start) | ${Math.round(total / seconds).toLocaleString('en')} |`,
  )
  await store.close()
  const pg = await import('pg')
  const admin = new pg.default.Pool({ connectionString: url })
  await admin.query(`DROP SCHEMA "${schema}" CASCADE`)
  await admin.end()
}
