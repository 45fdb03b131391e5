import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createResolver,
  generateKeyPair,
  jwksResolver,
  multikeyFromJwk,
  type FetchLike,
  type PublicJwk,
} from '../../src/index.js'
import { expectCode } from '../core/keys-helpers.js'

// A real HTTP server on 127.0.0.1 playing every part a did:web host or JWKS endpoint can play,
// honest or hostile. It records which paths were requested and which responses the client dropped.

let server: Server
let port = 0
let did = ''
let jwk: PublicJwk
const requested: string[] = []
const closedEarly: string[] = []
let bytesStreamed = 0

function document(id: string) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id,
    verificationMethod: [
      {
        id: `${id}#key-1`,
        type: 'Multikey',
        controller: id,
        publicKeyMultibase: multikeyFromJwk(jwk),
      },
    ],
    assertionMethod: ['#key-1'],
  }
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
  requested.push(path)
  res.on('close', () => {
    if (!res.writableFinished) closedEarly.push(path)
  })
  const send = (status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) })
    res.end(body)
  }
  switch (path) {
    case '/.well-known/did.json':
      return send(200, 'application/did+json', JSON.stringify(document(did)))
    case '/user/alice/did.json':
      return send(
        200,
        'application/did+ld+json; charset=utf-8',
        JSON.stringify(document(`${did}:user:alice`)),
      )
    case '/never/did.json':
      return // never answers; the socket stays open
    case '/stall/did.json':
      res.writeHead(200, { 'content-type': 'application/did+json' })
      res.write('{"id":') // then nothing, ever
      return
    case '/huge/did.json': {
      // Streams forever (chunked, no Content-Length) until the client goes away.
      res.writeHead(200, { 'content-type': 'application/did+json' })
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      const pump = () => {
        let flowing = true
        while (!res.destroyed && flowing) {
          flowing = res.write(chunk)
          bytesStreamed += chunk.length
        }
        if (!res.destroyed) res.once('drain', pump)
      }
      pump()
      return
    }
    case '/redirect/did.json':
      res.writeHead(302, { location: '/.well-known/did.json' })
      res.end()
      return
    case '/permanent/did.json':
      res.writeHead(301, { location: `http://127.0.0.1:${port}/.well-known/did.json` })
      res.end()
      return
    case '/html/did.json':
      return send(200, 'text/html', '<html><body>not a DID document</body></html>')
    case '/text/did.json':
      return send(200, 'text/plain', JSON.stringify(document(`${did}:text`)))
    case '/other/did.json':
      return send(200, 'application/did+json', JSON.stringify(document('did:web:attacker.example')))
    case '/jwks.json':
      return send(
        200,
        'application/jwk-set+json',
        JSON.stringify({ keys: [{ ...jwk, kid: 'key-1' }] }),
      )
    case '/jwks-redirect.json':
      res.writeHead(307, { location: '/jwks.json' })
      res.end()
      return
    default:
      return send(404, 'application/json', '{"error":"not found"}')
  }
}

/** The caller-supplied fetch: only this test server is reachable (a destination allowlist). */
const localFetch: FetchLike = (url, init) => {
  const target = new URL(url)
  if (target.hostname !== 'localhost' || target.port !== String(port))
    return Promise.reject(new Error(`destination not allowed: ${target.host}`))
  target.hostname = '127.0.0.1'
  return fetch(target, init)
}

beforeAll(async () => {
  const material = await generateKeyPair('Ed25519')
  material.pkcs8.fill(0)
  jwk = material.publicJwk
  server = createServer(handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  did = `did:web:localhost%3A${port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

/** Waits (briefly) until the server has seen the client drop the response for `path`. */
async function droppedByClient(path: string): Promise<boolean> {
  for (let i = 0; i < 100 && !closedEarly.includes(path); i++)
    await new Promise((resolve) => setTimeout(resolve, 20))
  return closedEarly.includes(path)
}

describe('did:web over real HTTP (127.0.0.1)', () => {
  it('resolves a document, root and path-based', async () => {
    const resolver = createResolver({ fetch: localFetch, allowHttp: true })
    const key = await resolver.resolveKey(`${did}#key-1`)
    expect(key).toMatchObject({
      id: `${did}#key-1`,
      controller: did,
      type: 'Multikey',
      relationships: ['assertionMethod'],
    })
    expect((await resolver.resolveKey(`${did}:user:alice#key-1`)).controller).toBe(
      `${did}:user:alice`,
    )
  })

  it('without allowHttp, a localhost did:web is refused before any request', async () => {
    const urls: string[] = []
    const recording: FetchLike = (url, init) => (urls.push(url), localFetch(url, init))
    await expectCode(
      () => createResolver({ fetch: recording }).resolveKey(`${did}#key-1`),
      'key_resolution_failed',
    )
    await expectCode(
      () => createResolver({ fetch: recording }).resolveKey('did:web:api.localhost#key-1'),
      'key_resolution_failed',
    )
    expect(urls).toEqual([])
  })

  it('times out a server that never answers, within the configured time, and drops the connection', async () => {
    const started = performance.now()
    await expectCode(
      () =>
        createResolver({ fetch: localFetch, allowHttp: true, timeoutMs: 300 }).resolveKey(
          `${did}:never#key-1`,
        ),
      'key_resolution_failed',
    )
    const elapsed = performance.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(250)
    expect(elapsed).toBeLessThan(1_500)
    expect(await droppedByClient('/never/did.json')).toBe(true)
  })

  it('times out a body that stalls after the headers', async () => {
    const started = performance.now()
    await expectCode(
      () =>
        createResolver({ fetch: localFetch, allowHttp: true, timeoutMs: 300 }).resolveKey(
          `${did}:stall#key-1`,
        ),
      'key_resolution_failed',
    )
    expect(performance.now() - started).toBeLessThan(1_500)
    expect(await droppedByClient('/stall/did.json')).toBe(true)
  })

  it('aborts a body that streams forever once it passes maxBytes', async () => {
    bytesStreamed = 0
    const started = performance.now()
    await expectCode(
      () =>
        createResolver({ fetch: localFetch, allowHttp: true, maxBytes: 256 * 1024 }).resolveKey(
          `${did}:huge#key-1`,
        ),
      'key_resolution_failed',
    )
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(await droppedByClient('/huge/did.json')).toBe(true)
    // The connection is gone, so the server stopped: only what socket buffers absorbed was sent
    // (a few MB on loopback), and nothing more flows.
    const sent = bytesStreamed
    expect(sent).toBeLessThan(64 * 1024 * 1024)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(bytesStreamed).toBe(sent)
  })

  it('does not follow redirects', async () => {
    const resolver = createResolver({ fetch: localFetch, allowHttp: true })
    const before = requested.filter((path) => path === '/.well-known/did.json').length
    await expectCode(() => resolver.resolveKey(`${did}:redirect#key-1`), 'key_resolution_failed')
    await expectCode(() => resolver.resolveKey(`${did}:permanent#key-1`), 'key_resolution_failed')
    expect(requested.filter((path) => path === '/.well-known/did.json').length).toBe(before)
  })

  it('refuses 404s, wrong content types and documents of another DID', async () => {
    const resolver = createResolver({ fetch: localFetch, allowHttp: true })
    await expectCode(() => resolver.resolveKey(`${did}:missing#key-1`), 'key_resolution_failed')
    await expectCode(() => resolver.resolveKey(`${did}:html#key-1`), 'key_resolution_failed')
    await expectCode(() => resolver.resolveKey(`${did}:text#key-1`), 'key_resolution_failed')
    await expectCode(() => resolver.resolveKey(`${did}:other#key-1`), 'key_resolution_failed')
  })

  it("honours the caller's AbortSignal", async () => {
    const controller = new AbortController()
    const started = performance.now()
    const pending = createResolver({
      fetch: localFetch,
      allowHttp: true,
      timeoutMs: 60_000,
    }).resolveKey(`${did}:never#key-1`, { signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    await expectCode(() => pending, 'key_resolution_failed')
    expect(performance.now() - started).toBeLessThan(1_500)
  })

  it('never reaches a destination the caller-supplied fetch does not allow', async () => {
    await expectCode(
      () => createResolver({ fetch: localFetch }).resolveKey('did:web:internal.example#key-1'),
      'key_resolution_failed',
    )
  })
})

describe('JWKS URL over real HTTP (127.0.0.1)', () => {
  it('fetches a JWK Set with the global fetch', async () => {
    const resolver = jwksResolver({
      url: `http://127.0.0.1:${port}/jwks.json`,
      fetch: globalThis.fetch,
      allowHttp: true,
      issuer: 'https://issuer.example',
    })
    const key = await resolver.resolveKey('key-1')
    expect(key).toMatchObject({ id: 'key-1', controller: 'https://issuer.example' })
    expect(multikeyFromJwk(key.publicJwk)).toBe(multikeyFromJwk(jwk))
  })

  it('does not follow a redirect, and reports a dead endpoint as key_resolution_failed', async () => {
    await expectCode(
      () =>
        jwksResolver({
          url: `http://127.0.0.1:${port}/jwks-redirect.json`,
          fetch: globalThis.fetch,
          allowHttp: true,
        }).resolveKey('key-1'),
      'key_resolution_failed',
    )
    await expectCode(
      () =>
        jwksResolver({
          url: `http://127.0.0.1:${port}/nothing.json`,
          fetch: globalThis.fetch,
          allowHttp: true,
        }).resolveKey('key-1'),
      'key_resolution_failed',
    )
    await expectCode(
      () =>
        jwksResolver({
          url: 'http://127.0.0.1:1/jwks.json',
          fetch: globalThis.fetch,
          allowHttp: true,
        }).resolveKey('key-1'),
      'key_resolution_failed',
    )
  })

  it('times out a JWKS endpoint that never answers', async () => {
    const started = performance.now()
    await expectCode(
      () =>
        jwksResolver({
          url: `http://127.0.0.1:${port}/never/did.json`,
          fetch: globalThis.fetch,
          allowHttp: true,
          timeoutMs: 300,
        }).resolveKey('key-1'),
      'key_resolution_failed',
    )
    expect(performance.now() - started).toBeLessThan(1_500)
  })
})
