// Status lists over HTTP, end to end over a socket: a VC-API issuer profile issues with a status
// entry, GET /status-lists/{id} serves the signed list (media type, Cache-Control, ETag, 304), a
// verifier fetches it with its own fetch (createStatusListResolver), POST /credentials/status
// revokes, and the verifier's next fetch turns the credential down.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  KeyVault,
  MemoryStatusListStore,
  MemoryStore,
  JwtVcSigner,
  SdJwtVcSigner,
  StatusLists,
  asDidSigner,
  createStatusListResolver,
  verify,
  type Signer,
} from '../../src/index.js'
import { createHandler, toNodeListener } from '../../src/http/index.js'

const TOKEN = 'status-test-token-0123456789abcdef'
const KEY = 'issuer-key'
let server: Server
let base: string
let lists: StatusLists
let issuer: Signer

const auth = { authorization: `Bearer ${TOKEN}` }
const post = (path: string, body: unknown, headers: Record<string, string> = auth) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

beforeAll(async () => {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: 'status-http-service-secret-0123456789',
    kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
  })
  await vault.generate({ id: KEY, algorithm: 'Ed25519', secrets: ['s1'] })
  const signer = asDidSigner(await vault.unlock(KEY, ['s1']))
  issuer = signer
  lists = new StatusLists({ store: new MemoryStatusListStore(), signer })
  const handler = createHandler({
    vault,
    auth: { bearerTokens: [TOKEN] },
    statusLists: lists,
    issuers: [{ name: 'jwt', keyId: KEY, secrets: ['s1'], format: 'jwt', statusList: 'bsl' }],
  })
  server = createServer(toNodeListener(handler))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  await lists.createList({
    id: 'bsl',
    kind: 'bitstring',
    purpose: 'revocation',
    url: `${base}/status-lists/bsl`,
    ttl: 600,
  })
  await lists.createList({ id: 'tsl', kind: 'token', uri: `${base}/status-lists/tsl` })
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('GET /status-lists/{id}', () => {
  it('serves the signed list publicly, cacheable, with an ETag and 304 for If-None-Match', async () => {
    const response = await fetch(`${base}/status-lists/bsl`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/vc+jwt')
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=(600|59\d)$/)
    const etag = response.headers.get('etag')
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/)
    const body = await response.text()
    expect(body.split('.')).toHaveLength(3)
    const again = await fetch(`${base}/status-lists/bsl`, {
      headers: { 'if-none-match': `W/${etag}, "other"` },
    })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    const other = await fetch(`${base}/status-lists/bsl`, { headers: { 'if-none-match': '"x"' } })
    expect(other.status).toBe(200)
    const token = await fetch(`${base}/status-lists/tsl`)
    expect(token.headers.get('content-type')).toBe('application/statuslist+jwt')
    expect((await fetch(`${base}/status-lists/nope`)).status).toBe(404)
  })

  it('is listed in /openapi.json with POST /credentials/status', async () => {
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, unknown>
    }
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/status-lists/{id}', '/credentials/status']),
    )
  })
})

describe('issue with status, revoke, verify', () => {
  it('a VC-API profile with a statusList issues with an entry; revoking turns verify() down', async () => {
    const issued = await post('/credentials/issue', {
      credential: {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        credentialSubject: { id: 'did:example:alice' },
      },
    })
    expect(issued.status).toBe(201)
    const { verifiableCredential } = (await issued.json()) as {
      verifiableCredential: { id: string }
    }
    const jwt = verifiableCredential.id.slice(verifiableCredential.id.indexOf(',') + 1)
    const before = await verify(jwt, {
      statusLists: createStatusListResolver({ fetch: globalThis.fetch, allowHttp: true }),
    })
    expect(before.errors).toEqual([])
    const entry = before.credential?.credentialStatus as { statusListIndex: string }
    expect(entry).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' })

    const unauthenticated = await post(
      '/credentials/status',
      { credentialStatus: entry, status: 'revoked' },
      {},
    )
    expect(unauthenticated.status).toBe(401)
    const revoked = await post('/credentials/status', {
      credentialStatus: entry,
      status: 'revoked',
    })
    expect(revoked.status).toBe(200)
    expect(await revoked.json()).toEqual({
      listId: 'bsl',
      index: Number(entry.statusListIndex),
      status: 'revoked',
      changed: true,
    })
    const after = await verify(jwt, {
      statusLists: createStatusListResolver({ fetch: globalThis.fetch, allowHttp: true }),
    })
    expect(after.errors.map((e) => e.code)).toEqual(['status_revoked'])
    // Revocation is final: 409 status_irreversible.
    const undo = await post('/credentials/status', { credentialStatus: entry, status: 'active' })
    expect(undo.status).toBe(409)
  })

  it('suspends and reinstates an SD-JWT VC through its Token Status List', async () => {
    const slot = await lists.allocate('tsl')
    if (slot.kind !== 'token') throw new Error('token')
    const sdJwt = await new SdJwtVcSigner(issuer).issue(
      { given_name: 'Erika' },
      { vct: 'urn:example', status: slot.status },
    )
    const check = () =>
      verify(sdJwt, {
        statusLists: createStatusListResolver({ fetch: globalThis.fetch, allowHttp: true }),
      })
    expect((await check()).errors).toEqual([])
    const suspended = await post('/credentials/status', {
      credentialStatus: slot.status,
      status: 'suspended',
    })
    expect(suspended.status).toBe(200)
    expect((await check()).errors.map((e) => e.code)).toEqual(['status_suspended'])
    expect(
      (await post('/credentials/status', { listId: 'tsl', index: slot.index, status: 'active' }))
        .status,
    ).toBe(200)
    expect((await check()).errors).toEqual([])
  })

  it('refuses what it cannot do: a list of another server, both forms, an unknown list', async () => {
    const foreign = await post('/credentials/status', {
      credentialStatus: {
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: '1',
        statusListCredential: 'https://elsewhere.example/lists/1',
      },
      status: 'revoked',
    })
    expect(foreign.status).toBe(400)
    const both = await post('/credentials/status', {
      listId: 'bsl',
      index: 1,
      credentialStatus: { status_list: { idx: 1, uri: `${base}/status-lists/tsl` } },
      status: 'revoked',
    })
    expect(both.status).toBe(400)
    const unknown = await post('/credentials/status', {
      listId: 'nope',
      index: 1,
      status: 'revoked',
    })
    expect(unknown.status).toBe(404)
  })
})

describe('the VC-API verify routes with verify.statusLists', () => {
  it('check statuses when the handler is given a status list resolver: a revoked credential is 422 status_revoked', async () => {
    const vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret: 'status-verify-service-secret-0123456789',
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    })
    const own = new StatusLists({ store: new MemoryStatusListStore(), signer: issuer })
    const url = 'https://issuer.example/status-lists/r'
    await own.createList({ id: 'r', kind: 'bitstring', purpose: 'revocation', url })
    const slot = await own.allocate('r')
    if (slot.kind !== 'bitstring') throw new Error('bitstring')
    const jwt = await new JwtVcSigner(issuer).sign({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      credentialSubject: { id: 'did:example:alice' },
      credentialStatus: slot.credentialStatus,
    })
    await own.revoke('r', slot.index)
    const { jwt: list } = await own.publish('r')
    const handler = createHandler({
      vault,
      auth: { disabled: true },
      verify: { statusLists: createStatusListResolver({ lists: { [url]: list } }) },
    })
    const verifyRequest = (verifiableCredential: unknown) =>
      handler(
        new Request('http://localhost/credentials/verify', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ verifiableCredential }),
        }),
      )
    const response = await verifyRequest(jwt)
    expect(response.status).toBe(422)
    const problem = (await response.json()) as { errors: { code: string }[] }
    expect(problem.errors.map((e) => e.code)).toContain('status_revoked')
    // Without verify.statusLists, the same credential verifies (its status a status_unchecked check).
    const offline = createHandler({ vault, auth: { disabled: true } })
    const unchecked = await offline(
      new Request('http://localhost/credentials/verify', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verifiableCredential: jwt }),
      }),
    )
    expect(unchecked.status).toBe(200)
  })
})
