/**
 * `npx tsx bench/status-issue.ts` — what status lists cost the issuer (issue 18), Ed25519 keys,
 * did:key:
 *
 * 1. Issuing with status vs without (goal: at least 90% of the throughput): `allocate()` plus signing
 *    a credential that carries the entry, against signing the same credential without one, for a
 *    `vc+jwt` with a BitstringStatusListEntry and an SD-JWT VC with a Token Status List `status`. A
 *    third side signs the same credential carrying one entry allocated once: the table splits the
 *    cost into the entry's bytes (a larger credential to copy, validate, encode and sign) and the
 *    allocation. The sides use the same key, build their credential per call, and run in
 *    alternating rounds in one process (ABC CBA: no side always runs first or after the same
 *    other's garbage). Each round records the wall-clock throughput and the process's CPU time per
 *    credential; the table gives the median of the per-round ratios of each, with their range. On a
 *    shared machine the CPU ratio is the steadier one (it leaves out the time the process waited
 *    for a core). Rows: MemoryStatusListStore, one credential at a time, on the node:crypto backend
 *    (`import 'credsign'` on Node) and on the WebCrypto backend (browsers, and Node without the
 *    `node` export condition; its signing runs off the JavaScript thread, so a sequential loop
 *    waits for it); then the durable stores, 8 credentials in flight (an issuing server):
 *    FileStatusListStore and, with DATABASE_URL, PostgresStatusListStore (the server's CPU is not
 *    counted), with `StatusLists`' default `reserve` (sized to demand: a 256th of the list first,
 *    doubling while blocks are used up within a second, up to a 32nd: 4,096 for the file row's
 *    131,072 entries, 8,192 for PostgreSQL's 2^20, once the warm-up has issued a few thousand): one
 *    synced journal append, or one INSERT statement, per block of indexes rather than per
 *    allocation (BENCH_RESERVE=n for a fixed block of n, 1 for one store write per allocation).
 *    Also `allocate()` alone on a MemoryStatusListStore of 2^20 entries, nearly empty and 90%
 *    full.
 * 2. One status change and re-signing a 131,072-entry list (`setStatus` + `publish`): building the
 *    bitstring / byte array, compressing it, signing (goal: under 20 ms).
 * 3. With DATABASE_URL: two processes allocating 10,000 indexes each from one list of a
 *    PostgresStatusListStore (8 at a time per process): allocations per second (the 0-duplicates
 *    assertion is a test, test/pg/status-list-store.test.ts). Also one process on a
 *    FileStatusListStore (each allocation a synced write).
 *
 * BENCH_QUICK=1 for a short smoke run, BENCH_ISSUING_ONLY=1 for part 1 alone, BENCH_SECONDS=n for n
 * seconds per measured row instead of 3 (longer rounds: steadier ratios on a shared machine),
 * BENCH_STORES=memory8,file for chosen rows of part 1 only (see {@link STORES}; `memory8`, the
 * memory store with 8 in flight, is the control of the durable rows), BENCH_CPU_SPLIT=1 for a table
 * of each row's CPU split into user and system (kernel) time. Prints Markdown tables (paste into
 * BENCHMARKS.md).
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
  type Signer,
  type StatusListStore,
} from '../src/index.node.js'
import { cryptoBackend, installBackend } from '../src/keys/backend.js'
import { privateKeyHandleOf } from '../src/vault/unlocked-key.js'
import { FileStatusListStore } from '../src/file/file-status-list-store.js'
import { allocateInProcesses } from '../test/node/status-processes.js'

const QUICK = process.env.BENCH_QUICK === '1'
const SECONDS = QUICK ? 0.3 : Number(process.env.BENCH_SECONDS ?? 3)
/**
 * BENCH_ROUNDS=n: alternating rounds per row (default 21). More, shorter rounds follow a machine
 * whose speed drifts within seconds (a shared VM) more closely: each round's ratio compares sides
 * run a few milliseconds apart.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21)
const DATABASE_URL = process.env.DATABASE_URL
/**
 * BENCH_STORES=memory8,file: only these rows of part 1 (`memory`, `memory8`, `file`, `postgres`,
 * `webcrypto`; `allocate` for `allocate()` alone). Unset: every row but `memory8`.
 */
const STORES =
  process.env.BENCH_STORES === undefined || process.env.BENCH_STORES === ''
    ? undefined
    : new Set(process.env.BENCH_STORES.split(',').map((name) => name.trim()))
const measured = (row: string): boolean =>
  STORES === undefined ? row !== 'memory8' : STORES.has(row)

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

interface Round {
  /** Operations per second (wall clock). */
  rate: number
  /** CPU time of the process per operation, µs (user + system, every thread). */
  cpu: number
  /** Operations, and the process's user and system (kernel) CPU time over the round, µs. */
  ops: number
  user: number
  system: number
}

/** `fn` for `ms` milliseconds, `inFlight` calls at a time. */
async function roundOf(
  fn: () => Promise<unknown>,
  ms: number,
  inFlight: number,
  settle?: () => Promise<void>,
): Promise<Round> {
  let ops = 0
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  const end = start + ms
  // With several in flight (a server), each credential starts from the event loop, as a request
  // does: without that, calls that resolve in microtasks keep I/O callbacks (a durable store's block
  // reserved in the background) from running until every worker waits.
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      for (let i = 0; i < 5; i++) {
        if (inFlight > 1) await new Promise((next) => setImmediate(next))
        await fn()
      }
      ops += 5
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  // A block of indexes reserved ahead and still in flight is this side's work: it ends inside the
  // round, so its CPU is not counted in the next side's (short rounds would shift it there).
  await settle?.()
  const elapsed = performance.now() - start
  const cpu = process.cpuUsage(cpuStart)
  return {
    rate: (ops * 1000) / elapsed,
    cpu: (cpu.user + cpu.system) / ops,
    ops,
    user: cpu.user,
    system: cpu.system,
  }
}

const sum = (rounds: Round[], key: 'ops' | 'user' | 'system'): number =>
  rounds.reduce((total, round) => total + round[key], 0)
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1] as number

/** Median, lowest and highest of some per-round figures. */
interface Spread {
  median: number
  low: number
  high: number
}
const spread = (xs: number[]): Spread => ({
  median: median(xs),
  low: Math.min(...xs),
  high: Math.max(...xs),
})

interface Compared {
  /** Median round of each side: operations per second, and CPU µs per operation. */
  rates: number[]
  cpus: number[]
  /**
   * Each side's user and system (kernel) CPU µs per operation over all its rounds: the kernel
   * counts CPU time in ticks, too coarse for one round.
   */
  users: number[]
  systems: number[]
  /** Per-round throughput ratio of side i to side 0 (wall clock); entry 0 is 1. */
  rateRatios: Spread[]
  /**
   * Per-round CPU ratio cpu(0) / cpu(i): the throughput ratio a dedicated core would show. On a
   * shared machine it moves much less than the wall clock, which counts time the process waited.
   */
  cpuRatios: Spread[]
  /** Per-round throughput ratio of the last side to the one before it (what that step costs). */
  lastStepRatio: Spread
}

/**
 * The sides measured in alternating rounds (the machine is shared: alternating keeps a slow moment
 * from landing on one side only), after a warm-up of every side (also alternating, so the JIT has
 * compiled each before anything counts). Each round runs every side once, in forward then reverse
 * order (ABC CBA): no side always runs first or after the same other side's garbage.
 */
async function compared(
  sides: (() => Promise<unknown>)[],
  inFlight = 1,
  settle?: () => Promise<void>,
): Promise<Compared> {
  const last = sides.length - 1
  for (let i = 0; i < 2 * sides.length; i++)
    await roundOf(sides[i % sides.length] as () => Promise<unknown>, QUICK ? 50 : 250, inFlight)
  const rounds = QUICK ? 3 : ROUNDS
  const per = (SECONDS * 1000) / rounds / sides.length
  const results: Round[][] = sides.map(() => [])
  const order = sides.map((_, i) => i)
  for (let round = 0; round < rounds; round++)
    for (const side of round % 2 === 0 ? order : [...order].reverse())
      results[side]?.push(
        await roundOf(
          sides[side] as () => Promise<unknown>,
          per,
          inFlight,
          side === last ? settle : undefined,
        ),
      )
  const base = results[0] as Round[]
  const ratioTo = (rs: Round[], to: Round[]): Spread =>
    spread(rs.map((r, i) => r.rate / (to[i] as Round).rate))
  return {
    rates: results.map((rs) => median(rs.map((r) => r.rate))),
    cpus: results.map((rs) => median(rs.map((r) => r.cpu))),
    users: results.map((rs) => sum(rs, 'user') / sum(rs, 'ops')),
    systems: results.map((rs) => sum(rs, 'system') / sum(rs, 'ops')),
    rateRatios: results.map((rs) => ratioTo(rs, base)),
    cpuRatios: results.map((rs) => spread(rs.map((r, i) => (base[i] as Round).cpu / r.cpu))),
    lastStepRatio: ratioTo(results[last] as Round[], results[last - 1] as Round[]),
  }
}

const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(1),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s'] })
const signer = asDidSigner(await vault.unlock('issuer', ['s']))

// 1. Issuing with and without status ---------------------------------------------------------
const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  credentialSubject: { id: 'did:example:alice', degree: 'BSc' },
}
const SIZE = 2 ** 20
/**
 * A credential of a more usual size than the minimal one above (~560 bytes of JSON, the shape of
 * the VCDM 2.0 spec's degree examples), with the status entry when given one: the entry adds the
 * same ~215 bytes to each, so its share of the cost depends on what else the credential says.
 */
function degreeCredential(credentialStatus?: object): Record<string, unknown> {
  // Two literals rather than a spread of the optional member (a slower path for V8, see above).
  if (credentialStatus === undefined)
    return {
      '@context': DEGREE.context,
      id: DEGREE.id,
      type: DEGREE.type,
      name: DEGREE.name,
      description: DEGREE.description,
      validFrom: DEGREE.validFrom,
      validUntil: DEGREE.validUntil,
      credentialSubject: DEGREE.credentialSubject,
    }
  return {
    '@context': DEGREE.context,
    id: DEGREE.id,
    type: DEGREE.type,
    name: DEGREE.name,
    description: DEGREE.description,
    validFrom: DEGREE.validFrom,
    validUntil: DEGREE.validUntil,
    credentialSubject: DEGREE.credentialSubject,
    credentialStatus,
  }
}
const DEGREE = {
  context: [
    'https://www.w3.org/ns/credentials/v2',
    'https://www.w3.org/ns/credentials/examples/v2',
  ],
  id: 'http://university.example/credentials/3732',
  type: ['VerifiableCredential', 'ExampleDegreeCredential'],
  name: 'Example University Degree',
  description: 'A bachelor of science and arts degree awarded by Example University.',
  validFrom: '2026-01-01T00:00:00Z',
  validUntil: '2031-01-01T00:00:00Z',
  credentialSubject: {
    id: 'did:example:ebfeb1f712ebc6f1c276e12ec21',
    name: 'Jayden Doe',
    degree: { type: 'ExampleBachelorDegree', name: 'Bachelor of Science and Arts' },
  },
}

/** Rows of the issuing table for one backend and store: a `vc+jwt` and an SD-JWT VC. */
async function issuingRows(
  backend: string,
  storeLabel: string,
  store: StatusListStore,
  issuer: Signer,
  inFlight: number,
  size = SIZE,
): Promise<string[]> {
  const reserve =
    process.env.BENCH_RESERVE === undefined ? {} : { reserve: Number(process.env.BENCH_RESERVE) }
  const lists = new StatusLists({ store, signer: issuer, ...reserve })
  const suffix = Date.now().toString(36)
  const bsl = `bsl-${suffix}`
  const tsl = `tsl-${suffix}`
  const bslTypical = `bsl-typical-${suffix}`
  await lists.createList({
    id: bsl,
    kind: 'bitstring',
    purpose: 'revocation',
    url: 'https://issuer.example/status/1',
    size,
  })
  // The row of the usual-size credential has a list of its own: a list of the default size holds
  // what one row allocates at ~16,000 a second for BENCH_SECONDS of 8, not two rows' worth.
  await lists.createList({
    id: bslTypical,
    kind: 'bitstring',
    purpose: 'revocation',
    url: 'https://issuer.example/status/2',
    size,
  })
  await lists.createList({
    id: tsl,
    kind: 'token',
    uri: 'https://issuer.example/tsl/1',
    size,
  })
  const jwtSigner = new JwtVcSigner(issuer)
  const sdSigner = new SdJwtVcSigner(issuer)
  // One entry of each list, allocated once: the middle side signs it in every credential, so the
  // table separates what the entry's bytes cost (signing a larger credential) from what allocating
  // an index per credential costs.
  const bitstringEntry = async (list: string): Promise<object> => {
    const entry = await lists.allocate(list)
    if (entry.kind !== 'bitstring') throw new Error('kind')
    return entry.credentialStatus
  }
  const fixedBsl = await bitstringEntry(bsl)
  const fixedTypical = await bitstringEntry(bslTypical)
  const fixedTsl = await lists.allocate(tsl)
  if (fixedTsl.kind !== 'token') throw new Error('kind')
  const rows: string[] = []
  for (const [label, plain, fixedEntry, withStatus] of [
    [
      '`vc+jwt`, BitstringStatusListEntry',
      // Both sides are async functions that build their credential per call and await the
      // signature, as an issuer's handler does: the only difference is allocate() and the entry.
      // Each builds its credential as an object literal: V8 builds `{ ...credential, member }` on
      // a slow path (~0.6 µs more than the literal, measured), which is not what status costs.
      async () =>
        await jwtSigner.sign({
          '@context': credential['@context'],
          type: credential.type,
          credentialSubject: credential.credentialSubject,
        }),
      async () =>
        await jwtSigner.sign({
          '@context': credential['@context'],
          type: credential.type,
          credentialSubject: credential.credentialSubject,
          credentialStatus: fixedBsl,
        }),
      async () => {
        const entry = await lists.allocate(bsl)
        if (entry.kind !== 'bitstring') throw new Error('kind')
        return await jwtSigner.sign({
          '@context': credential['@context'],
          type: credential.type,
          credentialSubject: credential.credentialSubject,
          credentialStatus: entry.credentialStatus,
        })
      },
    ],
    [
      '`vc+jwt` of a typical size (the VCDM 2.0 degree example), BitstringStatusListEntry',
      async () => await jwtSigner.sign(degreeCredential()),
      async () => await jwtSigner.sign(degreeCredential(fixedTypical)),
      async () => {
        const entry = await lists.allocate(bslTypical)
        if (entry.kind !== 'bitstring') throw new Error('kind')
        return await jwtSigner.sign(degreeCredential(entry.credentialStatus))
      },
    ],
    [
      'SD-JWT VC, Token Status List `status`',
      async () => await sdSigner.issue({ given_name: 'Erika' }, { vct: 'urn:example:pid' }),
      async () =>
        await sdSigner.issue(
          { given_name: 'Erika' },
          { vct: 'urn:example:pid', status: fixedTsl.status },
        ),
      async () => {
        const entry = await lists.allocate(tsl)
        if (entry.kind !== 'token') throw new Error('kind')
        return await sdSigner.issue(
          { given_name: 'Erika' },
          { vct: 'urn:example:pid', status: entry.status },
        )
      },
    ],
  ] as const) {
    const r = await compared([plain, fixedEntry, withStatus], inFlight, () => lists.whenIdle())
    const round = (n: number): string => Math.round(n).toLocaleString('en')
    const pct = (n: number): string => `${(n * 100).toFixed(0)}%`
    const ratio = (x: Spread): string => `**${pct(x.median)}** (${pct(x.low)}–${pct(x.high)})`
    rows.push(
      `| ${backend} | ${storeLabel}, ${inFlight} in flight | ${label} | ${round(r.rates[0] as number)} | ${round(r.rates[1] as number)} | ${round(r.rates[2] as number)} | ${ratio(r.rateRatios[2] as Spread)} | ${pct((r.rateRatios[1] as Spread).median)} | ${pct(r.lastStepRatio.median)} | ${r.cpus.map((c) => c.toFixed(1)).join(' → ')} | ${ratio(r.cpuRatios[2] as Spread)} |`,
    )
    splitRows.push(
      `| ${backend} | ${storeLabel}, ${inFlight} in flight | ${label} | ${r.users.map((user, i) => `${user.toFixed(1)} + ${(r.systems[i] as number).toFixed(1)}`).join(' → ')} |`,
    )
  }
  // A block reserved ahead may be in flight: let it finish before the store is closed or removed.
  await lists.whenIdle()
  return rows
}

/** Μs per `allocate()` on a fresh MemoryStatusListStore list of 2^20 entries, `filled` taken first. */
async function allocateMicroseconds(filled: number): Promise<number> {
  const lists = new StatusLists({ store: new MemoryStatusListStore() })
  await lists.createList({
    id: 'a',
    kind: 'token',
    uri: 'https://issuer.example/tsl/a',
    size: SIZE,
  })
  for (let i = 0; i < filled * SIZE; i++) await lists.allocate('a')
  // At most 2% of the list more, so the fill level stays what the row says.
  const count = Math.floor(SIZE * 0.02)
  const start = performance.now()
  for (let i = 0; i < count; i++) await lists.allocate('a')
  return ((performance.now() - start) * 1000) / count
}

const issueRows: string[] = []
/** The CPU per credential of each row split into user + system time (BENCH_CPU_SPLIT=1). */
const splitRows: string[] = []
if (cryptoBackend()?.name !== 'node') throw new Error('the node:crypto backend is not installed')
if (measured('memory'))
  issueRows.push(
    ...(await issuingRows(
      'node:crypto',
      'MemoryStatusListStore',
      new MemoryStatusListStore(),
      signer,
      1,
    )),
  )
// The control of the durable rows: the same 8 in flight and list size with no store I/O, so what
// a durable row costs beyond it is the store's, not the setting's.
if (measured('memory8'))
  issueRows.push(
    ...(await issuingRows(
      'node:crypto',
      'MemoryStatusListStore',
      new MemoryStatusListStore(),
      signer,
      8,
      131_072,
    )),
  )
if (measured('file')) {
  const directory = await mkdtemp(join(tmpdir(), 'credsign-bench-status-'))
  try {
    issueRows.push(
      ...(await issuingRows(
        'node:crypto',
        'FileStatusListStore',
        new FileStatusListStore({ directory }),
        signer,
        8,
        // The default size: each block rewrites the whole list file (its bitmap included).
        131_072,
      )),
    )
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}
if (measured('postgres') && DATABASE_URL !== undefined && DATABASE_URL !== '') {
  const { PostgresStatusListStore } = await import('../src/postgres/postgres-status-list-store.js')
  const schema = `bench_issue_${Date.now().toString(36)}`
  const store = new PostgresStatusListStore({
    connection: { connectionString: DATABASE_URL, maxConnections: 8 },
    schema,
  })
  await store.migrate()
  try {
    issueRows.push(
      ...(await issuingRows('node:crypto', 'PostgresStatusListStore', store, signer, 8)),
    )
  } finally {
    await store.close()
    const pg = await import('pg')
    const admin = new pg.default.Pool({ connectionString: DATABASE_URL })
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`)
    await admin.end()
  }
}
const allocateAlone = STORES === undefined || STORES.has('allocate')
const allocateEmpty = allocateAlone ? await allocateMicroseconds(0) : 0
const allocateFull = allocateAlone ? await allocateMicroseconds(QUICK ? 0.5 : 0.9) : 0
if (measured('webcrypto')) {
  // The WebCrypto backend: no platform backend, a key unlocked again so its handle is a WebCrypto
  // one.
  installBackend(undefined)
  const webSigner = asDidSigner(await vault.unlock('issuer', ['s']))
  const webHandle = privateKeyHandleOf(await vault.unlock('issuer', ['s']))
  if (webHandle.backend !== 'webcrypto')
    throw new Error(`expected WebCrypto, got ${webHandle.backend}`)
  issueRows.push(
    ...(await issuingRows(
      'WebCrypto',
      'MemoryStatusListStore',
      new MemoryStatusListStore(),
      webSigner,
      1,
    )),
  )
  const nodeBackend = await import('../src/backend/node-crypto.js')
  installBackend(nodeBackend.nodeCryptoBackend())
}

console.log('\n### Issuing with a status entry (Ed25519, same key both sides)\n')
console.log(
  "| backend | store | credential | signs/s without status | signs/s, one entry reused (no allocation) | allocate + sign/s | throughput ratio (goal ≥ 90%) | the entry's bytes alone | allocating, given the entry | CPU µs per credential: without → entry reused → allocate + sign | CPU ratio |",
)
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const row of issueRows) console.log(row)
if (process.env.BENCH_CPU_SPLIT === '1') {
  console.log(
    '\n| backend | store | credential | CPU µs per credential, user + system: without → entry reused → allocate + sign |',
  )
  console.log('|---|---|---|---:|')
  for (const row of splitRows) console.log(row)
}
if (allocateAlone)
  console.log(
    `\n\`allocate()\` alone (MemoryStatusListStore, 2^20 entries): ${allocateEmpty.toFixed(2)} µs nearly empty, ${allocateFull.toFixed(2)} µs ${QUICK ? 50 : 90}% full`,
  )

if (process.env.BENCH_ISSUING_ONLY === '1') process.exit(0)

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
const fileDirectory = await mkdtemp(join(tmpdir(), 'credsign-bench-status-'))
try {
  const fileStore = new FileStatusListStore({ directory: fileDirectory })
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
  await rm(fileDirectory, { recursive: true, force: true })
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
