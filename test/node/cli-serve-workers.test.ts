// credsign serve --workers N (issue 15, item 7): node:cluster workers that stay correct together. A
// file store's failed-attempt limiter lives in the primary, so two workers admit exactly as many
// wrong guesses as one process; a key deleted through one worker stops signing in every worker
// even with the unlock cache on; /metrics adds up every worker; the primary stops them all on
// SIGTERM. Real processes, real sockets.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/run.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const TOKEN = 'api-token-0123456789abcdef'
const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  issuer: 'did:web:issuer.example',
  credentialSubject: { id: 'did:example:alice' },
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsign-workers-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

interface Process {
  base: string
  lines: string[]
  err: string[]
  stop(): Promise<number | null>
}

async function start(
  workers: number,
  dataDir: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<Process> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      join(repoRoot, 'node_modules/tsx/dist/loader.mjs'),
      join(repoRoot, 'src/cli/main.ts'),
      'serve',
      '--port',
      '0',
      '--workers',
      String(workers),
      '--data-dir',
      dataDir,
      ...args,
    ],
    {
      cwd: dir,
      env: {
        ...process.env,
        DATABASE_URL: '',
        CREDSIGN_TOKENS: TOKEN,
        PBKDF2_ITERATIONS: '1000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const lines: string[] = []
  const err: string[] = []
  let buffered = ''
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const parts = buffered.split('\n')
      buffered = parts.pop()!
      for (const line of parts) {
        lines.push(line)
        const match = /^credsign listening on (http:\/\/\S+)$/.exec(line)
        if (match) resolve(match[1]!)
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => err.push(...chunk.toString().split('\n')))
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${err.join('\n')}`)))
  })
  return {
    base,
    lines,
    err,
    stop: async () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
  body: JSON.stringify(body),
})

/** Every access log line so far, parsed. */
const entries = (p: Process): Record<string, unknown>[] =>
  p.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100))

async function metric(
  p: Process,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (
    await fetch(`${p.base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).text()
  let sum = 0
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line)
    if (match?.[1] !== name) continue
    const set = match[2] ?? ''
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`)))
      sum += Number(match[3])
  }
  return sum
}

describe('credsign serve --workers', () => {
  it('two workers admit no more wrong guesses than one process: 12 concurrent guesses on one key, exactly 5 run the KDF, 7 are refused as locked', async () => {
    const outcomes: Record<
      number,
      { statuses: number[]; failures: number; locked: number; workersSeen: number }
    > = {}
    for (const workers of [1, 2]) {
      const dataDir = join(dir, `limiter-${workers}`)
      const server = await start(workers, dataDir)
      try {
        const generated = await fetch(
          `${server.base}/generate`,
          post({
            identifier: 'did:web:issuer.example#k',
            secrets: ['right'],
            signatureType: 'ES256',
          }),
        )
        expect(generated.status).toBe(201)
        // Distinct wrong secrets (identical guesses would share one attempt), all at once, over as
        // many connections as there are requests.
        const statuses = await Promise.all(
          Array.from({ length: 12 }, async (_, i) => {
            const response = await fetch(
              `${server.base}/sign/vc/jwt`,
              post({
                identifier: 'did:web:issuer.example#k',
                secrets: [`wrong-${i}`],
                verifiable: credential,
              }),
            )
            await response.arrayBuffer()
            return response.status
          }),
        )
        await settle()
        const signLines = entries(server).filter((e) => e.route === '/sign/vc/:type')
        outcomes[workers] = {
          statuses: statuses.sort(),
          failures: await metric(server, 'credsign_unlocks_total', { outcome: 'failure' }),
          locked: await metric(server, 'credsign_unlock_locked_total'),
          workersSeen: new Set(signLines.map((e) => e.worker ?? 0)).size,
        }
        // The right secrets are locked out too, in every worker (the lock is the primary's).
        const right = await Promise.all(
          Array.from({ length: 4 }, () =>
            fetch(
              `${server.base}/sign/vc/jwt`,
              post({
                identifier: 'did:web:issuer.example#k',
                secrets: ['right'],
                verifiable: credential,
              }),
            ).then(async (r) => (await r.arrayBuffer(), r.status)),
          ),
        )
        expect(right).toEqual([429, 429, 429, 429])
      } finally {
        expect(await server.stop()).toBe(0)
      }
    }
    expect(outcomes[1]!.failures).toBe(5)
    expect(outcomes[1]!.locked).toBe(7)
    expect(outcomes[2]!.failures).toBe(outcomes[1]!.failures)
    expect(outcomes[2]!.locked).toBe(outcomes[1]!.locked)
    expect(outcomes[2]!.statuses).toEqual(outcomes[1]!.statuses)
    expect(outcomes[2]!.statuses.filter((s) => s === 429)).toHaveLength(7)
    // The guesses really were spread over both workers.
    expect(outcomes[2]!.workersSeen).toBe(2)
  })

  it('a key deleted through one worker stops signing in every worker, unlock cache on; /metrics adds up every worker', async () => {
    const dataDir = join(dir, 'cache')
    const server = await start(2, dataDir, { CREDSIGN_UNLOCK_CACHE_TTL_MS: '600000' })
    try {
      const id = 'did:web:issuer.example#cached'
      expect(
        (
          await fetch(
            `${server.base}/generate`,
            post({ identifier: id, secrets: ['s'], signatureType: 'Ed25519' }),
          )
        ).status,
      ).toBe(201)
      const signAll = (n: number): Promise<number[]> =>
        Promise.all(
          Array.from({ length: n }, () =>
            fetch(
              `${server.base}/sign/vc/jwt`,
              post({ identifier: id, secrets: ['s'], verifiable: credential }),
            ).then(async (r) => (await r.arrayBuffer(), r.status)),
          ),
        )
      // Warm both workers' caches.
      for (let round = 0; round < 3; round++) expect(await signAll(8)).toEqual(Array(8).fill(201))
      await settle()
      const warmed = new Set(
        entries(server)
          .filter((e) => e.route === '/sign/vc/:type')
          .map((e) => e.worker),
      )
      expect(warmed).toEqual(new Set([1, 2]))
      const deleted = await fetch(`${server.base}/delete`, post({ identifier: id, secrets: ['s'] }))
      expect(deleted.status).toBeLessThan(300)
      const after = await signAll(12)
      expect(after.filter((s) => s === 201)).toEqual([])
      await settle()
      const afterLines = entries(server)
        .filter((e) => e.route === '/sign/vc/:type')
        .slice(-12)
      expect(new Set(afterLines.map((e) => e.worker))).toEqual(new Set([1, 2]))
      // Aggregated: every signing request of both workers is counted once.
      const signed = await metric(server, 'credsign_http_requests_total', {
        route: '/sign/vc/:type',
        status: '201',
      })
      expect(signed).toBe(24)
      const all = await metric(server, 'credsign_http_requests_total', { route: '/sign/vc/:type' })
      expect(all).toBe(36)
    } finally {
      expect(await server.stop()).toBe(0)
    }
    expect(server.err.join('\n')).toContain('credsign: stopped')
  })

  it.skipIf(!process.env.DATABASE_URL)(
    'with DATABASE_URL: the workers share the PostgreSQL limiter (5 failures, then locked, across both)',
    async () => {
      const schema = `cli_workers_${Math.random().toString(16).slice(2, 10)}`
      const server = await start(2, join(dir, 'pg'), { DATABASE_URL: process.env.DATABASE_URL! }, [
        '--schema',
        schema,
      ])
      try {
        expect(server.err.join('\n')).toContain(`keys in PostgreSQL (schema ${schema})`)
        const generated = await fetch(
          `${server.base}/generate`,
          post({
            identifier: 'did:web:issuer.example#pg',
            secrets: ['right'],
            signatureType: 'ES256',
          }),
        )
        expect(generated.status).toBe(201)
        const statuses = await Promise.all(
          Array.from({ length: 12 }, async (_, i) => {
            const response = await fetch(
              `${server.base}/sign/vc/jwt`,
              post({
                identifier: 'did:web:issuer.example#pg',
                secrets: [`wrong-${i}`],
                verifiable: credential,
              }),
            )
            await response.arrayBuffer()
            return response.status
          }),
        )
        expect(statuses.filter((s) => s === 429)).toHaveLength(7)
        expect(await metric(server, 'credsign_unlocks_total', { outcome: 'failure' })).toBe(5)
      } finally {
        expect(await server.stop()).toBe(0)
        const pg = (await import('pg')).default
        const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => pool.end())
      }
    },
  )

  it('--workers is checked; in-process (runCli) it cannot fork', async () => {
    for (const value of ['0', '257', 'two']) {
      const err: string[] = []
      const code = await runCli(['serve', '--workers', value], {
        env: {},
        out: () => undefined,
        err: (l) => err.push(l),
      })
      expect(code).toBe(2)
      expect(err.join('\n')).toContain(
        '--workers (or CREDSIGN_WORKERS) must be a number from 1 to 256',
      )
    }
    const err: string[] = []
    const code = await runCli(['serve', '--workers', '2'], {
      env: {},
      out: () => undefined,
      err: (l) => err.push(l),
    })
    expect(code).toBe(2)
    expect(err.join('\n')).toContain('needs the credsign command itself')
  })
})
