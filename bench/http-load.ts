/**
 * npm run bench:http — a bounded, loopback-only load test of credsign/http (issue 7):
 * `POST /sign/vc/jwt` (one key, and spread over 64 keys so that concurrent requests rarely share an
 * unlock) and `POST /credentials/issue` (a jwt and a Data Integrity eddsa-rdfc-2022 issuer profile) at 1, 8 and 32 connections, with the vault's unlock cache off (PBKDF2-SHA-256
 * 100,000 iterations: the origin service's default, one derivation per request) and on. The server
 * runs in a child process (bench/http-server.ts); autocannon drives it over keep-alive connections.
 * While the 32-connection runs go, a probe requests `/health/liveness` and `/health/readiness`
 * every 50 ms and records their latency. Prints a Markdown report and writes .bench-out/http.md.
 * HTTP_BENCH_SECONDS sets the duration of each run (default 30).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import autocannon from 'autocannon'

const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 30)
const TOKEN = 'bench-token-0123456789abcdef'
const lines: string[] = []
const out = (line = ''): void => {
  lines.push(line)
  console.log(line)
}

const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2', 'https://www.w3.org/ns/credentials/examples/v2'],
  type: ['VerifiableCredential', 'ExampleAlumniCredential'],
  issuer: 'did:web:issuer.example',
  validFrom: '2026-01-01T00:00:00Z',
  credentialSubject: { id: 'did:example:ebfeb1f712ebc6f1c276e12ec21', alumniOf: { name: 'Example University' } },
}

interface Target {
  name: string
  path: string
  body: string
  /** Each request signs with one of this many keys, picked at random (defeats unlock sharing). */
  spreadKeys?: number
}

const SPREAD_KEYS = 64
const spreadBody = (i: number): string => JSON.stringify({ identifier: `did:web:issuer.example#spread-${i}`, secrets: [`spread-secret-${i}`], verifiable: credential })

const TARGETS: Target[] = [
  { name: 'POST /sign/vc/jwt', path: '/sign/vc/jwt', body: JSON.stringify({ identifier: 'did:web:issuer.example#key-1', secrets: ['bench-secret-1'], verifiable: credential }) },
  { name: `POST /sign/vc/jwt, ${SPREAD_KEYS} keys`, path: '/sign/vc/jwt', body: spreadBody(0), spreadKeys: SPREAD_KEYS },
  { name: 'POST /credentials/issue (jwt profile)', path: '/issuers/jwt/credentials/issue', body: JSON.stringify({ credential }) },
  { name: 'POST /credentials/issue (eddsa-rdfc-2022 profile)', path: '/issuers/di/credentials/issue', body: JSON.stringify({ credential }) },
]

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/http-server.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
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
      const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN
      return { p50: at(0.5), p99: at(0.99), max: samples[samples.length - 1] ?? NaN, count: samples.length, failures }
    },
  }
}

async function warmUp(port: number, target: Target): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const response = await fetch(`http://127.0.0.1:${port}${target.path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: target.body })
    const text = await response.text()
    if (response.status !== 201) throw new Error(`${target.name}: ${response.status} ${text.slice(0, 200)}`)
  }
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

async function run(): Promise<void> {
  out(`## HTTP load (credsign/http over node:http), run of ${new Date().toISOString().slice(0, 10)}`)
  out()
  out(`Command: \`npm run bench:http\` (${SECONDS} s per run). Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}; server and load generator (autocannon 9, keep-alive) on the same machine, loopback.`)
  out()
  out('| route | unlock cache | KDF | connections | req/s | p50 ms | p99 ms | max ms | errors | non-2xx | /health probes p50 / p99 / max ms |')
  out('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|')
  const settings = [
    { cache: 'off', env: { KDF_ITERATIONS: '100000' }, kdf: 'PBKDF2 100k' },
    { cache: 'on', env: { KDF_ITERATIONS: '100000', UNLOCK_CACHE: '1' }, kdf: 'PBKDF2 100k' },
  ]
  for (const setting of settings) {
    for (const target of TARGETS) {
      const { child, port } = await startServer({ ...setting.env, EXTRA_KEYS: String(target.spreadKeys ?? 0) } as Record<string, string>)
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
              : { requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, body: spreadBody(Math.floor(Math.random() * target.spreadKeys!)) }) }] }),
            connections,
            duration: SECONDS,
            timeout: 10,
          })
          const health = probe === undefined ? undefined : await probe.stop()
          const healthText = health === undefined ? '' : `${fmt(health.p50, 1)} / ${fmt(health.p99, 1)} / ${fmt(health.max, 1)} (${health.count}${health.failures ? `, ${health.failures} failed` : ''})`
          out(
            `| ${target.name} | ${setting.cache} | ${setting.kdf} | ${connections} | ${fmt(result.requests.average)} | ${fmt(result.latency.p50, 1)} | ${fmt(result.latency.p99, 1)} | ${fmt(result.latency.max, 0)} | ${result.errors + result.timeouts} | ${result.non2xx} | ${healthText} |`,
          )
        }
      } finally {
        await stopServer(child)
      }
    }
  }
  mkdirSync('.bench-out', { recursive: true })
  writeFileSync('.bench-out/http.md', lines.join('\n') + '\n')
}

await run()
