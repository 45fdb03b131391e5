/**
 * Npm run bench:http — a bounded, loopback-only load test of credsign/http (issue 7): `POST
 * /sign/vc/jwt` (one key, and spread over 64 keys so that concurrent requests rarely share an
 * unlock) and `POST /credentials/issue` (a jwt and a Data Integrity eddsa-rdfc-2022 issuer profile)
 * at 1, 8 and 32 connections, with the vault's unlock cache off (PBKDF2-SHA-256 100,000 iterations:
 * the origin service's default, one derivation per request) and on. The server runs in a child
 * process (bench/http-server.ts); autocannon drives it over keep-alive connections. While the
 * 32-connection runs go, a probe requests `/health/liveness` and `/health/readiness` every 50 ms
 * and records their latency. Prints a Markdown report and writes .bench-out/http.md.
 * HTTP_BENCH_SECONDS sets the duration of each run (default 30).
 *
 * Slow clients (issue 13): 100 connections each send a POST's headers and then its body at 1 byte/s
 * while the probe measures `/health/*`, first with no slow client (baseline), then with the 100
 * connected (HTTP_BENCH_SLOW_SECONDS each, default 20); then the run waits (bounded) until the
 * server's body deadline (30 s, as in `credsign serve`) has answered each one 408 and closed it.
 * HTTP_BENCH_ONLY=slow runs only this part, HTTP_BENCH_ONLY=load only the load runs.
 *
 * `credsign serve` itself (issue 15, item 7): the command as a user runs it (keys made by `credsign
 * keygen`, PBKDF2 100,000, unlock cache on, bearer token, access log and metrics on) under
 * autocannon, 32 connections, `POST /sign/vc/jwt`: a file store with `--workers 1` and with one
 * worker per core, PostgreSQL (when DATABASE_URL is set) with one worker per core, next to the
 * in-process handler (bench/http-server.ts, MemoryStore). HTTP_BENCH_SERVE_BEFORE=DIR also runs the
 * `credsign serve` of another checkout (e.g. a `git worktree` of an older commit, with its
 * node_modules) right before, for a before/after ratio measured back to back. HTTP_BENCH_ONLY=serve
 * runs only this part.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer as createNetServer } from 'node:net'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import autocannon from 'autocannon'

const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 30)
const SLOW_SECONDS = Number(process.env.HTTP_BENCH_SLOW_SECONDS ?? 20)
const SLOW_CLIENTS = 100
/**
 * The server's body deadline (bench/http-server.ts, as `credsign serve`), and how long past it the
 * run waits at most.
 */
const BODY_TIMEOUT_MS = 30_000
const CUT_OFF_GRACE_MS = 10_000
const ONLY = process.env.HTTP_BENCH_ONLY
const TOKEN = 'bench-token-0123456789abcdef'
const lines: string[] = []
const out = (line = ''): void => {
  lines.push(line)
  console.log(line)
}

const credential = {
  '@context': [
    'https://www.w3.org/ns/credentials/v2',
    'https://www.w3.org/ns/credentials/examples/v2',
  ],
  type: ['VerifiableCredential', 'ExampleAlumniCredential'],
  issuer: 'did:web:issuer.example',
  validFrom: '2026-01-01T00:00:00Z',
  credentialSubject: {
    id: 'did:example:ebfeb1f712ebc6f1c276e12ec21',
    alumniOf: { name: 'Example University' },
  },
}

interface Target {
  name: string
  path: string
  body: string
  /** Each request signs with one of this many keys, picked at random (defeats unlock sharing). */
  spreadKeys?: number
}

const SPREAD_KEYS = 64
const spreadBody = (i: number): string =>
  JSON.stringify({
    identifier: `did:web:issuer.example#spread-${i}`,
    secrets: [`spread-secret-${i}`],
    verifiable: credential,
  })

const TARGETS: Target[] = [
  {
    name: 'POST /sign/vc/jwt',
    path: '/sign/vc/jwt',
    body: JSON.stringify({
      identifier: 'did:web:issuer.example#key-1',
      secrets: ['bench-secret-1'],
      verifiable: credential,
    }),
  },
  {
    name: `POST /sign/vc/jwt, ${SPREAD_KEYS} keys`,
    path: '/sign/vc/jwt',
    body: spreadBody(0),
    spreadKeys: SPREAD_KEYS,
  },
  {
    name: 'POST /credentials/issue (jwt profile)',
    path: '/issuers/jwt/credentials/issue',
    body: JSON.stringify({ credential }),
  },
  {
    name: 'POST /credentials/issue (eddsa-rdfc-2022 profile)',
    path: '/issuers/di/credentials/issue',
    body: JSON.stringify({ credential }),
  },
]

async function startServer(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/http-server.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const match = /READY (\d+)/.exec(buffered)
      if (match) resolve(Number(match[1]))
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  return { child, port }
}

async function stopServer(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 5000).unref()
  })
}

interface Probe {
  stop(): Promise<{ p50: number; p99: number; max: number; count: number; failures: number }>
}

function probeHealth(port: number): Probe {
  const samples: number[] = []
  let failures = 0
  let running = true
  const loop = (async () => {
    while (running) {
      for (const path of ['/health/liveness', '/health/readiness']) {
        const start = performance.now()
        try {
          const response = await fetch(`http://127.0.0.1:${port}${path}`)
          await response.arrayBuffer()
          if (response.status !== 200) failures++
        } catch {
          failures++
        }
        samples.push(performance.now() - start)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      samples.sort((a, b) => a - b)
      const at = (q: number): number =>
        samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN
      return {
        p50: at(0.5),
        p99: at(0.99),
        max: samples[samples.length - 1] ?? NaN,
        count: samples.length,
        failures,
      }
    },
  }
}

async function warmUp(port: number, target: Target): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const response = await fetch(`http://127.0.0.1:${port}${target.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: target.body,
    })
    const text = await response.text()
    if (response.status !== 201)
      throw new Error(`${target.name}: ${response.status} ${text.slice(0, 200)}`)
  }
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

interface SlowClientOutcome {
  /** The status line's code, or 0 when the server closed without answering. */
  status: number
  closedAfterMs: number
}

/**
 * One slow client: the headers of a POST /credentials/verify with a 10,000-byte body, then the body
 * at 1 byte/s. Resolves when the server closes the connection, or after `giveUpMs` (then it is
 * closed here, and reported as status -1).
 */
function slowBodyClient(port: number, giveUpMs: number): Promise<SlowClientOutcome> {
  const started = performance.now()
  const length = 10_000
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    let sent = 0
    let gaveUp = false
    const timer = setInterval(() => {
      if (sent < length && !socket.destroyed) {
        socket.write(sent === 0 ? '{' : ' ')
        sent++
      }
    }, 1_000)
    const limit = setTimeout(() => {
      gaveUp = true
      socket.destroy()
    }, giveUpMs)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (received += chunk))
    socket.on('error', () => undefined)
    socket.on('connect', () => {
      socket.write(
        `POST /credentials/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: ${length}\r\n\r\n{`,
      )
      sent = 1
    })
    socket.on('close', () => {
      clearInterval(timer)
      clearTimeout(limit)
      const status = gaveUp ? -1 : Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0)
      resolve({ status, closedAfterMs: performance.now() - started })
    })
  })
}

async function measureProbes(
  port: number,
  seconds: number,
): Promise<Awaited<ReturnType<Probe['stop']>>> {
  const probe = probeHealth(port)
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  return probe.stop()
}

async function runSlowClients(): Promise<void> {
  out()
  out(`### Slow clients: ${SLOW_CLIENTS} connections sending a body at 1 byte/s`)
  out()
  out(
    `Command: \`HTTP_BENCH_ONLY=slow npm run bench:http\` (${SLOW_SECONDS} s per probe window; body deadline ${BODY_TIMEOUT_MS / 1000} s, headers 10 s, as \`credsign serve\` sets them). Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, loopback. Each slow client sends the headers of a \`POST /credentials/verify\` with \`Content-Length: 10000\`, then one byte per second.`,
  )
  out()
  out(
    '| slow clients connected | /health probes p50 / p99 / max ms (count) | slow clients answered 408 and closed | closed after, min / max s |',
  )
  out('|---:|---|---|---|')
  const { child, port } = await startServer({
    KDF_ITERATIONS: '100000',
    BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
  })
  try {
    // Warm-up: the first requests load the health route's code; they are not what is measured.
    for (let i = 0; i < 10; i++)
      await (await fetch(`http://127.0.0.1:${port}/health/readiness`)).arrayBuffer()
    const baseline = await measureProbes(port, SLOW_SECONDS)
    out(
      `| 0 | ${fmt(baseline.p50, 1)} / ${fmt(baseline.p99, 1)} / ${fmt(baseline.max, 1)} (${baseline.count}${baseline.failures ? `, ${baseline.failures} failed` : ''}) | — | — |`,
    )
    const clients = Array.from({ length: SLOW_CLIENTS }, () =>
      slowBodyClient(port, BODY_TIMEOUT_MS + CUT_OFF_GRACE_MS),
    )
    const loaded = await measureProbes(port, SLOW_SECONDS)
    const outcomes = await Promise.all(clients)
    const answered = outcomes.filter((o) => o.status === 408).length
    const times = outcomes.map((o) => o.closedAfterMs / 1000)
    const others = outcomes.filter((o) => o.status !== 408).map((o) => o.status)
    out(
      `| ${SLOW_CLIENTS} | ${fmt(loaded.p50, 1)} / ${fmt(loaded.p99, 1)} / ${fmt(loaded.max, 1)} (${loaded.count}${loaded.failures ? `, ${loaded.failures} failed` : ''}) | ${answered} of ${SLOW_CLIENTS}${others.length > 0 ? ` (others: ${others.join(', ')})` : ''} | ${fmt(Math.min(...times), 1)} / ${fmt(Math.max(...times), 1)} |`,
    )
  } finally {
    await stopServer(child)
  }
}

async function run(): Promise<void> {
  out(
    `## HTTP load (credsign/http over node:http), run of ${new Date().toISOString().slice(0, 10)}`,
  )
  out()
  if (ONLY === undefined || ONLY === 'load') await runLoad()
  if (ONLY === undefined || ONLY === 'serve') await runServe()
  if (ONLY === undefined || ONLY === 'slow') await runSlowClients()
  mkdirSync('.bench-out', { recursive: true })
  writeFileSync(
    ONLY === undefined ? '.bench-out/http.md' : `.bench-out/http-${ONLY}.md`,
    lines.join('\n') + '\n',
  )
}

async function runLoad(): Promise<void> {
  out(
    `Command: \`npm run bench:http\` (${SECONDS} s per run). Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}; server and load generator (autocannon 9, keep-alive) on the same machine, loopback.`,
  )
  out()
  out(
    '| route | unlock cache | KDF | connections | req/s | p50 ms | p99 ms | max ms | errors | non-2xx | /health probes p50 / p99 / max ms |',
  )
  out('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|')
  const settings = [
    { cache: 'off', env: { KDF_ITERATIONS: '100000' }, kdf: 'PBKDF2 100k' },
    { cache: 'on', env: { KDF_ITERATIONS: '100000', UNLOCK_CACHE: '1' }, kdf: 'PBKDF2 100k' },
  ]
  for (const setting of settings) {
    for (const target of TARGETS) {
      const { child, port } = await startServer({
        ...setting.env,
        EXTRA_KEYS: String(target.spreadKeys ?? 0),
      } as Record<string, string>)
      try {
        await warmUp(port, target)
        for (const connections of [1, 8, 32]) {
          const probe = connections === 32 ? probeHealth(port) : undefined
          const result = await autocannon({
            url: `http://127.0.0.1:${port}${target.path}`,
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
            body: target.body,
            ...(target.spreadKeys === undefined
              ? {}
              : {
                  requests: [
                    {
                      setupRequest: (request: autocannon.Request) => ({
                        ...request,
                        body: spreadBody(Math.floor(Math.random() * target.spreadKeys!)),
                      }),
                    },
                  ],
                }),
            connections,
            duration: SECONDS,
            timeout: 10,
          })
          const health = probe === undefined ? undefined : await probe.stop()
          const healthText =
            health === undefined
              ? ''
              : `${fmt(health.p50, 1)} / ${fmt(health.p99, 1)} / ${fmt(health.max, 1)} (${health.count}${health.failures ? `, ${health.failures} failed` : ''})`
          out(
            `| ${target.name} | ${setting.cache} | ${setting.kdf} | ${connections} | ${fmt(result.requests.average)} | ${fmt(result.latency.p50, 1)} | ${fmt(result.latency.p99, 1)} | ${fmt(result.latency.max, 0)} | ${result.errors + result.timeouts} | ${result.non2xx} | ${healthText} |`,
          )
        }
      } finally {
        await stopServer(child)
      }
    }
  }
}

await run()

/**
 * CPU time (user + system, ms) of process `pid` and its children, from /proc (Linux; 0 elsewhere):
 * per request, it is what the server costs whatever else runs on the machine.
 */
function cpuMs(pid: number): number {
  const ticksOf = (stat: string): { ppid: number; ticks: number } => {
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) }
  }
  try {
    let ticks = ticksOf(readFileSync(`/proc/${pid}/stat`, 'utf8')).ticks
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      try {
        const child = ticksOf(readFileSync(`/proc/${entry}/stat`, 'utf8'))
        if (child.ppid === pid) ticks += child.ticks
      } catch {
        // gone meanwhile
      }
    }
    return ticks * 10 // USER_HZ is 100 on Linux
  } catch {
    return 0
  }
}

/** A port that was free a moment ago (for a server whose stdout carries the access log). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createNetServer()
    probe.once('error', fail)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => done(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

/** `credsign <args>` of the checkout at `root`, run through tsx as the tests do. */
function cliArgs(root: string, args: string[]): string[] {
  return [
    '--import',
    join(root, 'node_modules/tsx/dist/loader.mjs'),
    join(root, 'src/cli/main.ts'),
    ...args,
  ]
}

async function startServe(
  root: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort()
  const child = spawn(process.execPath, cliArgs(root, ['serve', '--port', String(port), ...args]), {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  await new Promise<void>((done, fail) => {
    let buffered = ''
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString()
      if (buffered.includes('credsign listening on')) {
        buffered = ''
        // Keep reading (and dropping) the access log, as a log shipper would.
        child.stdout!.off('data', onData)
        child.stdout!.resume()
        done()
      }
    }
    child.stdout!.on('data', onData)
    child.once('exit', (code) => fail(new Error(`credsign serve exited with ${code}: ${stderr}`)))
  })
  return { child, port }
}

async function runServe(): Promise<void> {
  const cores = availableParallelism()
  const before = process.env.HTTP_BENCH_SERVE_BEFORE
  out()
  out('### `credsign serve` itself: `POST /sign/vc/jwt`, 32 connections')
  out()
  out(
    `Command: \`HTTP_BENCH_ONLY=serve npm run bench:http\` (${SECONDS} s per run${before === undefined ? '' : '; HTTP_BENCH_SERVE_BEFORE set'}). Node ${process.version}, ${cores} × ${cpus()[0]?.model.trim()}; autocannon on the same machine, loopback. \`credsign serve\` as a user runs it: a key made by \`credsign keygen\` (Ed25519, PBKDF2 100,000), \`CREDSIGN_UNLOCK_CACHE_TTL_MS=300000\`, a bearer token, access log (read and dropped) and metrics on.`,
  )
  out()
  out(
    '| server | store | processes | req/s | p50 ms | p99 ms | max ms | errors | non-2xx | server CPU ms per request |',
  )
  out('|---|---|---|---:|---:|---:|---:|---:|---:|---:|')
  const body = JSON.stringify({
    identifier: 'did:web:issuer.example#key-1',
    secrets: ['bench-secret-1'],
    verifiable: credential,
  })
  const load = async (port: number, pid: number) => {
    const cpuBefore = cpuMs(pid)
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/sign/vc/jwt`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body,
      connections: 32,
      duration: SECONDS,
      timeout: 10,
    })
    const perRequest = (cpuMs(pid) - cpuBefore) / Math.max(1, result.requests.total)
    return `${fmt(result.requests.average)} | ${fmt(result.latency.p50, 1)} | ${fmt(result.latency.p99, 1)} | ${fmt(result.latency.max, 0)} | ${result.errors + result.timeouts} | ${result.non2xx} | ${fmt(perRequest, 3)}`
  }
  const warm = async (port: number): Promise<void> => {
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/sign/vc/jwt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body,
      })
      const text = await response.text()
      if (response.status !== 201)
        throw new Error(`warm-up: ${response.status} ${text.slice(0, 200)}`)
    }
  }

  // The in-process figure, as in the table above.
  {
    const { child, port } = await startServer({ KDF_ITERATIONS: '100000', UNLOCK_CACHE: '1' })
    try {
      await warm(port)
      out(
        `| in-process handler (bench/http-server.ts) | memory | 1 | ${await load(port, child.pid!)} |`,
      )
    } finally {
      await stopServer(child)
    }
  }

  const runs: { name: string; root: string; store: 'file' | 'pg'; workers?: number }[] = [
    ...(before === undefined
      ? []
      : [{ name: `credsign serve of ${before}`, root: resolve(before), store: 'file' as const }]),
    { name: 'credsign serve', root: process.cwd(), store: 'file', workers: 1 },
    { name: 'credsign serve', root: process.cwd(), store: 'file', workers: cores },
    ...(process.env.DATABASE_URL
      ? [{ name: 'credsign serve', root: process.cwd(), store: 'pg' as const, workers: cores }]
      : []),
  ]
  for (const run of runs) {
    const dataDir = mkdtempSync(join(tmpdir(), 'credsign-bench-serve-'))
    const schema = `bench_serve_${Math.random().toString(16).slice(2, 10)}`
    const env: Record<string, string> = {
      CREDSIGN_DATA_DIR: dataDir,
      PBKDF2_ITERATIONS: '100000',
      CREDSIGN_UNLOCK_CACHE_TTL_MS: '300000',
      CREDSIGN_TOKENS: TOKEN,
      DATABASE_URL: run.store === 'pg' ? process.env.DATABASE_URL! : '',
    }
    const schemaArgs = run.store === 'pg' ? ['--schema', schema] : []
    try {
      writeFileSync(join(dataDir, 'secrets'), 'bench-secret-1\n', { mode: 0o600 })
      if (run.store === 'pg') {
        const migrated = spawnSync(
          process.execPath,
          cliArgs(run.root, ['migrate', ...schemaArgs]),
          { env: { ...process.env, ...env }, encoding: 'utf8' },
        )
        if (migrated.status !== 0) throw new Error(`migrate: ${migrated.stderr}`)
      }
      const keygen = spawnSync(
        process.execPath,
        cliArgs(run.root, [
          'keygen',
          '--id',
          'did:web:issuer.example#key-1',
          '--algorithm',
          'Ed25519',
          '--secrets-file',
          join(dataDir, 'secrets'),
          ...schemaArgs,
        ]),
        { env: { ...process.env, ...env }, encoding: 'utf8' },
      )
      if (keygen.status !== 0) throw new Error(`keygen: ${keygen.stderr}`)
      const { child, port } = await startServe(
        run.root,
        [...(run.workers === undefined ? [] : ['--workers', String(run.workers)]), ...schemaArgs],
        env,
      )
      try {
        await warm(port)
        out(
          `| ${run.name} | ${run.store === 'pg' ? 'PostgreSQL' : 'files'} | ${run.workers ?? 1} | ${await load(port, child.pid!)} |`,
        )
      } finally {
        await stopServer(child)
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
      if (run.store === 'pg') {
        const pg = (await import('pg')).default
        const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => pool.end())
      }
    }
  }
}
