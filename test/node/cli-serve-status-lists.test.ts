// credsign serve with status lists (issue 18, item 3): lists configured in the issuer profiles file
// are created on startup (idempotently, in DATA_DIR/status-lists), served at GET /status-lists/{id},
// changed by POST /credentials/status, and allocated by /credentials/issue for a profile with a
// statusList. A verifier fetching the served list (createStatusListResolver) turns a revoked
// credential down. Through the real CLI, on real sockets.
import { spawn } from 'node:child_process'
import { get } from 'node:http'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileStatusListStore } from '../../src/file/file-status-list-store.js'
import { StatusLists } from '../../src/status/status-lists.js'
import { createStatusListResolver } from '../../src/status/status-list-resolver.js'
import { verify } from '../../src/service/verify.js'
import { KeyVault } from '../../src/vault/key-vault.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import { asDidSigner } from '../../src/did/as-did-signer.js'
import { serveInProcess, serveRefused } from '../fixtures/serve.js'

const ENV = { PBKDF2_ITERATIONS: '1000', CREDSIGN_TOKENS: 'api-token-0123456789abcdef' }
const TOKEN = ENV.CREDSIGN_TOKENS
const SECRET = 'caller-secret-0123456789'
const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  credentialSubject: { id: 'did:example:alice' },
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsign-serve-status-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const serve = (args: string[]) => serveInProcess(args, ENV, { accessLog: 'drop' })

const refused = (args: string[]) => serveRefused(['--port', '0', ...args], ENV)

const post = (base: string, path: string, body: unknown, token: string | null = TOKEN) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  })

const resolver = () => createStatusListResolver({ fetch: globalThis.fetch, allowHttp: true })

describe('credsign serve --issuer-profiles FILE with statusLists', () => {
  it('issues with a status entry, serves the list, revokes through POST /credentials/status, and a verifier turns the credential down (also after a restart)', async () => {
    const dataDir = join(dir, 'data')
    const port = await freePort()
    const first = await serve(['--port', '0', '--data-dir', dataDir])
    let keyId: string
    try {
      const generated = await post(first.base, '/generate', {
        identifier: 'issuer-1',
        secrets: [SECRET],
        signatureType: 'ES256',
      })
      expect(generated.status).toBe(201)
      keyId = ((await generated.json()) as { id: string }).id
    } finally {
      await first.stop()
    }
    await writeFile(join(dir, 'issuer-1.secrets'), `${SECRET}\n`, { mode: 0o600 })
    const url = `http://127.0.0.1:${port}/status-lists/revocation-1`
    const profiles = join(dir, 'issuers.json')
    await writeFile(
      profiles,
      JSON.stringify({
        issuers: [
          {
            name: 'jwt',
            keyId,
            secretsFile: 'issuer-1.secrets',
            format: 'jwt',
            statusList: 'revocation-1',
          },
        ],
        statusLists: [{ id: 'revocation-1', url, signedBy: 'jwt' }],
      }),
    )
    const args = ['--port', String(port), '--data-dir', dataDir, '--issuer-profiles', profiles]
    let server = await serve(args)
    let jwt: string
    let entry: { statusListIndex: string; statusListCredential: string }
    try {
      expect(server.err.join('\n')).toContain(
        `status lists in files in ${join(dataDir, 'status-lists')}`,
      )
      const issued = await post(server.base, '/credentials/issue', { credential })
      expect(issued.status).toBe(201)
      const { verifiableCredential } = (await issued.json()) as {
        verifiableCredential: { id: string }
      }
      jwt = verifiableCredential.id.slice(verifiableCredential.id.indexOf(',') + 1)
      const before = await verify(jwt, { statusLists: resolver() })
      expect(before.errors).toEqual([])
      entry = before.credential?.credentialStatus as typeof entry
      expect(entry).toMatchObject({
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListCredential: url,
      })

      const list = await fetch(url)
      expect(list.status).toBe(200)
      expect(list.headers.get('content-type')).toBe('application/vc+jwt')
      expect(list.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/)

      const anonymous = await post(
        server.base,
        '/credentials/status',
        { credentialStatus: entry, status: 'revoked' },
        null,
      )
      expect(anonymous.status).toBe(401)
      const revoked = await post(server.base, '/credentials/status', {
        credentialStatus: entry,
        status: 'revoked',
      })
      expect(revoked.status).toBe(200)
      expect(await revoked.json()).toMatchObject({ listId: 'revocation-1', changed: true })
      const after = await verify(jwt, { statusLists: resolver() })
      expect(after.errors.map((e) => e.code)).toEqual(['status_revoked'])
    } finally {
      await server.stop()
    }
    // Started again on the same data: the list is found (not created twice), still revoked.
    server = await serve(args)
    try {
      const again = await verify(jwt, { statusLists: resolver() })
      expect(again.errors.map((e) => e.code)).toEqual(['status_revoked'])
      const second = await post(server.base, '/credentials/issue', { credential })
      expect(second.status).toBe(201)
    } finally {
      await server.stop()
    }
    // The file now describes the list differently: refused, naming the list's pointer.
    await writeFile(
      profiles,
      JSON.stringify({
        issuers: [{ name: 'jwt', keyId, secretsFile: 'issuer-1.secrets', format: 'jwt' }],
        statusLists: [{ id: 'revocation-1', url, signedBy: 'jwt', purpose: 'suspension' }],
      }),
    )
    const changed = await refused(['--data-dir', dataDir, '--issuer-profiles', profiles])
    expect(changed.code).toBe(2)
    expect(changed.err).toContain('at /statusLists/0: the store holds a list revocation-1')
  })

  it.each([
    [
      { statusList: 'nope' },
      [{ id: 'r1', url: 'https://issuer.example/status-lists/r1', signedBy: 'jwt' }],
      '/issuers/0/statusList',
    ],
    [
      {},
      [{ id: 'r1', url: 'https://issuer.example/lists/r1', signedBy: 'jwt' }],
      '/statusLists/0/url',
    ],
    [
      {},
      [{ id: 'r1', url: 'ftp://issuer.example/status-lists/r1', signedBy: 'jwt' }],
      '/statusLists/0/url',
    ],
    [
      {},
      [{ id: 'r1', url: 'https://issuer.example/status-lists/r1', signedBy: 'other' }],
      '/statusLists/0/signedBy',
    ],
    [
      {},
      [{ id: 'r 1', url: 'https://issuer.example/status-lists/r 1', signedBy: 'jwt' }],
      '/statusLists/0/id',
    ],
    [
      {},
      [
        {
          id: 'r1',
          url: 'https://issuer.example/status-lists/r1',
          signedBy: 'jwt',
          purpose: 'refresh',
        },
      ],
      '/statusLists/0/purpose',
    ],
    [
      {},
      [{ id: 'r1', url: 'https://issuer.example/status-lists/r1', signedby: 'jwt' }],
      '/statusLists/0/signedby',
    ],
    [{}, [], '/statusLists'],
    [
      {},
      [
        { id: 'r1', url: 'https://issuer.example/status-lists/r1', signedBy: 'jwt' },
        { id: 'r1', url: 'https://issuer.example/status-lists/r1', signedBy: 'jwt' },
      ],
      '/statusLists/1/id',
    ],
  ])('refuses a bad status list configuration (%j, %j) at %s', async (profile, lists, pointer) => {
    const file = join(dir, `bad-${pointer.replace(/\W/g, '')}.json`)
    await writeFile(
      file,
      JSON.stringify({
        issuers: [{ name: 'jwt', keyId: 'k', secrets: ['s'], format: 'jwt', ...profile }],
        statusLists: lists,
      }),
      { mode: 0o600 },
    )
    const result = await refused(['--data-dir', join(dir, 'unused'), '--issuer-profiles', file])
    expect(result.code).toBe(2)
    expect(result.err).toContain(` at ${pointer}: `)
  })
})

describe('workers share one status list store', () => {
  it('a list published by one process is re-signed after another process changed a status', async () => {
    // What two `--workers` do: each has its own StatusLists (and its cache of the signed list) on
    // one FileStatusListStore directory.
    const vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s1'] })
    const signer = asDidSigner(await vault.unlock('k', ['s1']))
    const directory = join(dir, 'shared-lists')
    const one = new StatusLists({ store: new FileStatusListStore({ directory }), signer })
    const two = new StatusLists({ store: new FileStatusListStore({ directory }), signer })
    await one.createList({
      id: 'r',
      kind: 'bitstring',
      purpose: 'revocation',
      url: 'https://issuer.example/status-lists/r',
    })
    const entry = await two.allocate('r')
    const before = await one.publish('r')
    expect((await one.publish('r')).signed).toBe(false)
    await two.revoke('r', entry.index)
    const after = await one.publish('r')
    expect(after.signed).toBe(true)
    expect(after.version).toBeGreaterThan(before.version)
    expect(after.jwt).not.toBe(before.jwt)
  })
})

/** A fetch on a new connection each time: node:cluster hands each connection to the next worker. */
const freshConnectionFetch = (url: string | URL | Request): Promise<Response> =>
  new Promise((resolve, reject) => {
    get(String(url), { agent: false }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve(
          new Response(Buffer.concat(chunks), {
            status: response.statusCode!,
            headers: response.headers as Record<string, string>,
          }),
        ),
      )
    }).once('error', reject)
  })
const spreadResolver = () =>
  createStatusListResolver({ fetch: freshConnectionFetch as typeof fetch, allowHttp: true })

describe('credsign serve --workers 2 with status lists', () => {
  it('after a revocation through one worker, no worker serves the list without it', async () => {
    const dataDir = join(dir, 'workers')
    const first = await serve(['--port', '0', '--data-dir', dataDir])
    let keyId: string
    try {
      const generated = await post(first.base, '/generate', {
        identifier: 'issuer-w',
        secrets: [SECRET],
        signatureType: 'ES256',
      })
      keyId = ((await generated.json()) as { id: string }).id
    } finally {
      await first.stop()
    }
    const port = await freePort()
    const url = `http://127.0.0.1:${port}/status-lists/w1`
    const profiles = join(dir, 'workers.json')
    await writeFile(
      profiles,
      JSON.stringify({
        issuers: [{ name: 'jwt', keyId, secrets: [SECRET], format: 'jwt', statusList: 'w1' }],
        statusLists: [{ id: 'w1', url, signedBy: 'jwt' }],
      }),
      { mode: 0o600 },
    )
    const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
    const child = spawn(
      process.execPath,
      [
        '--import',
        join(repoRoot, 'node_modules/tsx/dist/loader.mjs'),
        join(repoRoot, 'src/cli/main.ts'),
        'serve',
        '--port',
        String(port),
        '--workers',
        '2',
        '--data-dir',
        dataDir,
        '--issuer-profiles',
        profiles,
      ],
      { env: { ...process.env, DATABASE_URL: '', ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    const lines: string[] = []
    const err: string[] = []
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk.toString()))
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        lines.push(...chunk.toString().split('\n'))
        if (lines.some((l) => l.startsWith('credsign listening on'))) resolve()
      })
      void exited.then((code) => reject(new Error(`serve exited with ${code}: ${err.join('')}`)))
    })
    try {
      const base = `http://127.0.0.1:${port}`
      const issued = await post(base, '/credentials/issue', { credential })
      expect(issued.status).toBe(201)
      const { verifiableCredential } = (await issued.json()) as {
        verifiableCredential: { id: string }
      }
      const jwt = verifiableCredential.id.slice(verifiableCredential.id.indexOf(',') + 1)
      // Every worker signs and keeps the list (connections spread over the workers).
      const workersServing = async (): Promise<number> => {
        await new Promise((resolve) => setTimeout(resolve, 200))
        const served = lines
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { route?: string; worker?: number })
          .filter((e) => e.route === '/status-lists/:id')
        return new Set(served.map((e) => e.worker)).size
      }
      for (let i = 0; i < 6; i++)
        expect((await verify(jwt, { statusLists: spreadResolver() })).errors).toEqual([])
      expect(await workersServing()).toBe(2)
      const entry = (await verify(jwt)).credential?.credentialStatus
      const revoked = await post(base, '/credentials/status', {
        credentialStatus: entry,
        status: 'revoked',
      })
      expect(revoked.status).toBe(200)
      for (let i = 0; i < 6; i++)
        expect(
          (await verify(jwt, { statusLists: spreadResolver() })).errors.map((e) => e.code),
        ).toEqual(['status_revoked'])
    } finally {
      child.kill('SIGTERM')
      await exited
    }
  }, 30_000)
})
