import { beforeAll, describe, expect, it } from 'vitest'
import {
  checkDidDocument,
  createDidResolver,
  createResolver,
  didWebUrl,
  generateKeyPair,
  multikeyFromJwk,
  resolveKeyInDocument,
  type PublicJwk,
} from '../../src/index.js'
import { b58 } from '../../src/util/base58.js'
import { expectCode } from './keys-helpers.js'
import { fakeFetch, json } from './resolve-helpers.js'

const DID = 'did:web:issuer.example'
const URL_OF_DID = 'https://issuer.example/.well-known/did.json'

let ed: PublicJwk
let p256: PublicJwk
let edPrivate: Record<string, unknown>

beforeAll(async () => {
  const a = await generateKeyPair('Ed25519')
  const b = await generateKeyPair('P-256')
  ed = a.publicJwk
  p256 = b.publicJwk
  // A stand-in private member: what matters is that it is there.
  edPrivate = { ...ed, d: (ed as { x: string }).x }
  a.pkcs8.fill(0)
  b.pkcs8.fill(0)
})

function documentFor(did: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { kid: _kid, ...p256Jwk } = p256
  return {
    '@context': [
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/multikey/v1',
      'https://w3id.org/security/jwk/v1',
    ],
    id: did,
    verificationMethod: [
      {
        id: `${did}#key-1`,
        type: 'Multikey',
        controller: did,
        publicKeyMultibase: multikeyFromJwk(ed),
      },
      {
        id: '#key-2',
        type: 'JsonWebKey',
        controller: did,
        publicKeyJwk: { ...p256Jwk, alg: 'ES256', kid: 'key-2' },
      },
    ],
    authentication: ['#key-1'],
    assertionMethod: [`${did}#key-1`, '#key-2'],
    capabilityInvocation: [
      {
        id: '#key-3',
        type: 'Multikey',
        controller: did,
        publicKeyMultibase: multikeyFromJwk(p256),
      },
    ],
    keyAgreement: [
      {
        id: '#key-4',
        type: 'JsonWebKey',
        controller: did,
        publicKeyJwk: {
          kty: 'OKP',
          crv: 'X25519',
          x: '9GXjPGGvmRq9F6Ng5dQQ_s31mfhxrcNZxRGONrmH30k',
        },
      },
    ],
    ...extra,
  }
}

describe('didWebUrl (did:web read operation)', () => {
  it('maps domain, path and port as the method specifies', () => {
    expect(didWebUrl('did:web:example.com')).toBe('https://example.com/.well-known/did.json')
    expect(didWebUrl('did:web:example.com:user:alice')).toBe(
      'https://example.com/user/alice/did.json',
    )
    expect(didWebUrl('did:web:example.com%3A3000')).toBe(
      'https://example.com:3000/.well-known/did.json',
    )
    expect(didWebUrl('did:web:example.com%3a3000:user:alice')).toBe(
      'https://example.com:3000/user/alice/did.json',
    )
    expect(didWebUrl('did:web:w3c-ccg.github.io:user:alice')).toBe(
      'https://w3c-ccg.github.io/user/alice/did.json',
    )
  })

  it('uses http only for localhost names, and only with allowHttp', () => {
    expect(didWebUrl('did:web:localhost%3A8443')).toBe(
      'https://localhost:8443/.well-known/did.json',
    )
    expect(didWebUrl('did:web:localhost%3A8443', { allowHttp: true })).toBe(
      'http://localhost:8443/.well-known/did.json',
    )
    expect(didWebUrl('did:web:api.localhost', { allowHttp: true })).toBe(
      'http://api.localhost/.well-known/did.json',
    )
    expect(didWebUrl('did:web:example.com', { allowHttp: true })).toBe(
      'https://example.com/.well-known/did.json',
    )
  })

  it('refuses what could point somewhere unintended', async () => {
    const bad = [
      'did:web:127.0.0.1', // IP addresses are not allowed by the method
      'did:web:10.0.0.1%3A80',
      'did:web:2130706433', // 127.0.0.1 as one number
      'did:web:0x7f.1',
      'did:web:example.com:..:admin',
      'did:web:example.com:.',
      'did:web:example.com:%2e%2e:admin',
      'did:web:example.com:a%2Fb',
      'did:web:example.com:a%5Cb',
      'did:web:example.com:a%3Fq',
      'did:web:example.com:a%23f',
      'did:web:example.com:a%00',
      'did:web:example.com%3A0',
      'did:web:example.com%3A70000',
      'did:web:example.com%3A80%3A81',
      'did:web:-example.com',
      'did:web:exa%6Dple.com',
      'did:web:example.com::x',
      'did:key:z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj',
      'did:web:example.com#key-1',
    ]
    for (const did of bad) await expectCode(() => didWebUrl(did), 'malformed')
  })
})

describe('did:web through a caller-supplied fetch', () => {
  it('fetches the document once per resolution, with safe request options', async () => {
    const fetch = fakeFetch({ [URL_OF_DID]: json(documentFor(DID)) })
    const resolver = createResolver({ fetch })
    const key = await resolver.resolveKey(`${DID}#key-1`)
    expect(key).toMatchObject({
      id: `${DID}#key-1`,
      controller: DID,
      type: 'Multikey',
      relationships: ['authentication', 'assertionMethod'],
    })
    expect(multikeyFromJwk(key.publicJwk)).toBe(multikeyFromJwk(ed))
    expect(fetch.calls).toHaveLength(1)
    const { url, init } = fetch.calls[0] as (typeof fetch.calls)[0]
    expect(url).toBe(URL_OF_DID)
    expect(init).toMatchObject({ method: 'GET', redirect: 'manual', credentials: 'omit' })
    expect(init.signal).toBeInstanceOf(AbortSignal)
    expect(new Headers(init.headers).get('accept')).toContain('application/did+json')
  })

  it('finds relative ids, embedded methods and reports every relationship', async () => {
    const resolver = createResolver({ fetch: fakeFetch({ [URL_OF_DID]: json(documentFor(DID)) }) })
    const key2 = await resolver.resolveKey(`${DID}#key-2`)
    expect(key2).toMatchObject({
      id: `${DID}#key-2`,
      controller: DID,
      type: 'JsonWebKey',
      relationships: ['assertionMethod'],
    })
    expect(key2.publicJwk.alg).toBe('ES256') // restricts the key: kept
    expect(key2.publicJwk.kid).toBe(p256.kid) // the thumbprint, whatever kid the document used
    const key3 = await resolver.resolveKey(`${DID}#key-3`)
    expect(key3.relationships).toEqual(['capabilityInvocation'])
    // An X25519 key does not spoil the rest of the document, but cannot be used.
    await expectCode(() => resolver.resolveKey(`${DID}#key-4`), 'unsupported_algorithm')
    await expectCode(() => resolver.resolveKey(`${DID}#key-9`), 'key_not_found')
    await expectCode(() => resolver.resolveKey(DID), 'key_not_found') // four methods: name one
  })

  it('resolves path-based DIDs and DIDs with a port', async () => {
    const alice = 'did:web:issuer.example:user:alice'
    const port = 'did:web:issuer.example%3A8443'
    const both = 'did:web:issuer.example%3A8443:tenants:t1'
    const fetch = fakeFetch({
      'https://issuer.example/user/alice/did.json': json(documentFor(alice)),
      'https://issuer.example:8443/.well-known/did.json': json(
        documentFor(port),
        'application/did+ld+json',
      ),
      'https://issuer.example:8443/tenants/t1/did.json': json(
        documentFor(both),
        'application/json; charset=utf-8',
      ),
    })
    const resolver = createResolver({ fetch })
    expect((await resolver.resolveKey(`${alice}#key-1`)).controller).toBe(alice)
    expect((await resolver.resolveKey(`${port}#key-2`)).controller).toBe(port)
    expect((await resolver.resolveKey(`${both}#key-1`)).controller).toBe(both)
    expect(fetch.calls.map((call) => call.url)).toEqual([
      'https://issuer.example/user/alice/did.json',
      'https://issuer.example:8443/.well-known/did.json',
      'https://issuer.example:8443/tenants/t1/did.json',
    ])
  })

  it('without fetch: resolver_not_configured, and nothing is requested', async () => {
    await expectCode(() => createResolver().resolveKey(`${DID}#key-1`), 'resolver_not_configured')
    await expectCode(() => createDidResolver().resolveDid(DID), 'resolver_not_configured')
  })

  it('refuses a did:web on localhost unless allowHttp, before any request', async () => {
    const local = 'did:web:localhost%3A8080'
    const fetch = fakeFetch({
      'http://localhost:8080/.well-known/did.json': json(documentFor(local)),
    })
    await expectCode(
      () => createResolver({ fetch }).resolveKey(`${local}#key-1`),
      'key_resolution_failed',
    )
    await expectCode(
      () => createResolver({ fetch }).resolveKey('did:web:admin.localhost#key-1'),
      'key_resolution_failed',
    )
    await expectCode(
      () => createResolver({ fetch }).resolveKey('did:web:127.0.0.1#key-1'),
      'malformed',
    )
    expect(fetch.calls).toHaveLength(0)
    expect(
      (await createResolver({ fetch, allowHttp: true }).resolveKey(`${local}#key-1`)).controller,
    ).toBe(local)
    expect(fetch.calls.map((call) => call.url)).toEqual([
      'http://localhost:8080/.well-known/did.json',
    ])
  })

  it('a document for another DID is refused', async () => {
    const resolver = createResolver({
      fetch: fakeFetch({ [URL_OF_DID]: json(documentFor('did:web:attacker.example')) }),
    })
    await expectCode(() => resolver.resolveKey(`${DID}#key-1`), 'key_resolution_failed')
    const noId = documentFor(DID)
    delete noId.id
    await expectCode(
      () =>
        createResolver({ fetch: fakeFetch({ [URL_OF_DID]: json(noId) }) }).resolveKey(
          `${DID}#key-1`,
        ),
      'key_resolution_failed',
    )
  })

  it('a document publishing a private key is refused as a whole', async () => {
    const doc = documentFor(DID)
    ;(doc.verificationMethod as unknown[]).push({
      id: '#leak',
      type: 'JsonWebKey',
      controller: DID,
      publicKeyJwk: edPrivate,
    })
    const resolver = createResolver({ fetch: fakeFetch({ [URL_OF_DID]: json(doc) }) })
    await expectCode(() => resolver.resolveKey(`${DID}#leak`), 'key_resolution_failed')
    await expectCode(() => resolver.resolveKey(`${DID}#key-1`), 'key_resolution_failed')
  })

  it('refuses answers that are not a JSON DID document', async () => {
    const cases: [string, Response][] = [
      [
        'not JSON',
        new Response('<html>hello</html>', { headers: { 'content-type': 'application/json' } }),
      ],
      ['HTML', new Response('<html>hello</html>', { headers: { 'content-type': 'text/html' } })],
      [
        'JSON as text/plain',
        new Response(JSON.stringify(documentFor(DID)), {
          headers: { 'content-type': 'text/plain' },
        }),
      ],
      ['no content type', new Response(new TextEncoder().encode(JSON.stringify(documentFor(DID))))],
      ['an array', json([documentFor(DID)])],
      ['a string', json('did:web:issuer.example')],
      ['null', json(null)],
      ['empty', new Response('', { headers: { 'content-type': 'application/did+json' } })],
      [
        'not UTF-8',
        new Response(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), {
          headers: { 'content-type': 'application/did+json' },
        }),
      ],
      ['404', json({ error: 'not found' }, 'application/json', 404)],
      ['500', json(documentFor(DID), 'application/did+json', 500)],
      ['201', json(documentFor(DID), 'application/did+json', 201)],
      [
        '302',
        new Response(null, {
          status: 302,
          headers: { location: 'https://attacker.example/did.json' },
        }),
      ],
      [
        '307',
        new Response(null, {
          status: 307,
          headers: { location: 'https://attacker.example/did.json' },
        }),
      ],
      ['verificationMethod not an array', json(documentFor(DID, { verificationMethod: {} }))],
      ['relationship not an array', json(documentFor(DID, { assertionMethod: '#key-1' }))],
      [
        'method without type',
        json(
          documentFor(DID, {
            verificationMethod: [{ id: '#key-1', controller: DID, publicKeyMultibase: 'z' }],
          }),
        ),
      ],
      [
        'duplicate ids',
        json(
          documentFor(DID, {
            authentication: [
              { id: '#key-1', type: 'Multikey', controller: DID, publicKeyMultibase: 'z' },
            ],
          }),
        ),
      ],
      ['controller not a DID', json(documentFor(DID, { controller: 'https://issuer.example' }))],
    ]
    for (const [name, response] of cases) {
      const resolver = createResolver({ fetch: fakeFetch({ [URL_OF_DID]: response }) })
      await expectCode(() => resolver.resolveKey(`${DID}#key-1`), 'key_resolution_failed').catch(
        (error: unknown) => {
          throw new Error(`${name}: ${String(error)}`)
        },
      )
    }
  })

  it('refuses a response the fetch followed through a redirect', async () => {
    const followed = json(documentFor(DID))
    Object.defineProperty(followed, 'redirected', { value: true })
    await expectCode(
      () => createResolver({ fetch: async () => followed }).resolveKey(`${DID}#key-1`),
      'key_resolution_failed',
    )
    const opaque = new Response(null, { status: 200 })
    Object.defineProperty(opaque, 'type', { value: 'opaqueredirect' })
    await expectCode(
      () => createResolver({ fetch: async () => opaque }).resolveKey(`${DID}#key-1`),
      'key_resolution_failed',
    )
  })

  it('turns a throwing or misbehaving fetch into key_resolution_failed', async () => {
    const cases = [
      () => Promise.reject(new TypeError('fetch failed')),
      () => {
        throw new Error('synchronous throw')
      },
      () => Promise.resolve({ nope: true } as unknown as Response),
      () => Promise.resolve(null as unknown as Response),
    ]
    for (const fetch of cases)
      await expectCode(
        () => createResolver({ fetch }).resolveKey(`${DID}#key-1`),
        'key_resolution_failed',
      )
  })

  it('checks the verification method: controller rule, key material, type', async () => {
    const other = 'did:web:other.example'
    const vm = (extra: Record<string, unknown>) => ({
      id: '#k',
      type: 'Multikey',
      controller: DID,
      publicKeyMultibase: multikeyFromJwk(ed),
      ...extra,
    })
    const { kid: _kid, ...p256Jwk } = p256
    const bad: Record<string, unknown>[] = [
      vm({ controller: other }), // a controller the document does not name
      vm({ publicKeyMultibase: `z${b58(new Uint8Array([0xed, 0x01, ...new Uint8Array(31)]))}` }), // 31-byte Ed25519 key
      vm({ publicKeyMultibase: multikeyFromJwk(ed), publicKeyJwk: p256Jwk }), // both encodings
      vm({ type: 'JsonWebKey' }), // a JsonWebKey with a multibase
      vm({ type: 'Ed25519VerificationKey2020', publicKeyMultibase: multikeyFromJwk(p256) }),
      { id: '#k', type: 'Multikey', controller: DID, publicKeyJwk: p256Jwk }, // a Multikey with a JWK
      {
        id: '#k',
        type: 'JsonWebKey',
        controller: DID,
        publicKeyJwk: { ...p256Jwk, y: (ed as { x: string }).x },
      }, // not on the curve
    ]
    for (const method of bad) {
      const resolver = createResolver({
        fetch: fakeFetch({
          [URL_OF_DID]: json(documentFor(DID, { verificationMethod: [method] })),
        }),
      })
      await expectCode(() => resolver.resolveKey(`${DID}#k`), 'key_resolution_failed').catch(
        (error: unknown) => {
          throw new Error(`${JSON.stringify(method)}: ${String(error)}`)
        },
      )
    }
    // Another key encoding credsign does not read.
    const base58 = createResolver({
      fetch: fakeFetch({
        [URL_OF_DID]: json(
          documentFor(DID, {
            verificationMethod: [
              {
                id: '#k',
                type: 'Ed25519VerificationKey2018',
                controller: DID,
                publicKeyBase58: 'abc',
              },
            ],
          }),
        ),
      }),
    })
    await expectCode(() => base58.resolveKey(`${DID}#k`), 'unsupported_algorithm')
    // A controller the document names is refused too: the method's controller must be the DID
    // (Controlled Identifiers 1.0, "Retrieve Verification Method" step 10).
    const delegated = createResolver({
      fetch: fakeFetch({
        [URL_OF_DID]: json(
          documentFor(DID, {
            controller: [other],
            verificationMethod: [vm({ controller: other })],
            assertionMethod: ['#k'],
          }),
        ),
      }),
    })
    await expectCode(() => delegated.resolveKey(`${DID}#k`), 'key_resolution_failed')
    // The same document with the DID as the method's controller resolves, as the DID's key.
    const own = createResolver({
      fetch: fakeFetch({
        [URL_OF_DID]: json(
          documentFor(DID, {
            controller: [other],
            verificationMethod: [vm({})],
            assertionMethod: ['#k'],
          }),
        ),
      }),
    })
    const key = await own.resolveKey(`${DID}#k`)
    expect(key.controller).toBe(DID)
    expect(key.relationships).toEqual(['assertionMethod'])
    // Ed25519VerificationKey2020 with an Ed25519 key is fine.
    const legacy = createResolver({
      fetch: fakeFetch({
        [URL_OF_DID]: json(
          documentFor(DID, { verificationMethod: [vm({ type: 'Ed25519VerificationKey2020' })] }),
        ),
      }),
    })
    expect((await legacy.resolveKey(`${DID}#k`)).type).toBe('Ed25519VerificationKey2020')
  })
})

describe('did:web limits with a fake fetch', () => {
  it('aborts a body larger than maxBytes while it streams, whatever Content-Length says', async () => {
    let pulls = 0
    let cancelled = false
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++
        controller.enqueue(new Uint8Array(16 * 1024).fill(0x20))
      },
      cancel() {
        cancelled = true
      },
    })
    // The header lies: it claims a small body.
    const response = new Response(endless, {
      headers: { 'content-type': 'application/did+json', 'content-length': '100' },
    })
    const resolver = createResolver({ fetch: async () => response, maxBytes: 64 * 1024 })
    await expectCode(() => resolver.resolveKey(`${DID}#key-1`), 'key_resolution_failed')
    expect(pulls).toBeLessThan(10)
    expect(cancelled).toBe(true)
  })

  it('refuses a declared Content-Length above maxBytes without reading the body', async () => {
    let pulls = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++
        controller.enqueue(new Uint8Array(1024))
      },
    })
    const response = new Response(body, {
      headers: {
        'content-type': 'application/did+json',
        'content-length': String(10 * 1024 * 1024),
      },
    })
    await expectCode(
      () => createResolver({ fetch: async () => response }).resolveKey(`${DID}#key-1`),
      'key_resolution_failed',
    )
    expect(pulls).toBeLessThanOrEqual(1) // a stream may pre-pull one chunk; nothing is read
  })

  it('accepts a document of exactly maxBytes', async () => {
    const text = JSON.stringify(documentFor(DID))
    const fetch = fakeFetch({
      [URL_OF_DID]: new Response(text, { headers: { 'content-type': 'application/did+json' } }),
    })
    const size = new TextEncoder().encode(text).length
    expect((await createResolver({ fetch, maxBytes: size }).resolveKey(`${DID}#key-1`)).id).toBe(
      `${DID}#key-1`,
    )
    await expectCode(
      () => createResolver({ fetch, maxBytes: size - 1 }).resolveKey(`${DID}#key-1`),
      'key_resolution_failed',
    )
  })

  it('times out even when the fetch ignores its signal', async () => {
    const never = () => new Promise<Response>(() => undefined)
    const started = Date.now()
    await expectCode(
      () => createResolver({ fetch: never, timeoutMs: 100 }).resolveKey(`${DID}#key-1`),
      'key_resolution_failed',
    )
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('aborts the signal it gave the fetch when the time is up', async () => {
    let given: AbortSignal | undefined
    const fetch = (_url: string, init: RequestInit) => {
      given = init.signal ?? undefined
      return new Promise<Response>((_, reject) =>
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      )
    }
    await expectCode(
      () => createResolver({ fetch, timeoutMs: 50 }).resolveKey(`${DID}#key-1`),
      'key_resolution_failed',
    )
    expect(given?.aborted).toBe(true)
  })

  it('times out a body that stops streaming', async () => {
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"id":'))
      },
    })
    const response = new Response(stalled, { headers: { 'content-type': 'application/did+json' } })
    const started = Date.now()
    await expectCode(
      () =>
        createResolver({ fetch: async () => response, timeoutMs: 100 }).resolveKey(`${DID}#key-1`),
      'key_resolution_failed',
    )
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it("honours the caller's signal", async () => {
    const never = () => new Promise<Response>(() => undefined)
    const controller = new AbortController()
    const pending = createResolver({ fetch: never }).resolveKey(`${DID}#key-1`, {
      signal: controller.signal,
    })
    setTimeout(() => controller.abort(new Error('user left')), 20)
    const started = Date.now()
    await expectCode(() => pending, 'key_resolution_failed')
    expect(Date.now() - started).toBeLessThan(1_000)
  })
})

describe('did:web cache', () => {
  it('reuses a document for cacheTtlMs, then fetches again', async () => {
    let now = 1_000_000
    const fetch = fakeFetch({ [URL_OF_DID]: json(documentFor(DID)) })
    const resolver = createResolver({ fetch, cacheTtlMs: 60_000, clock: () => now })
    await resolver.resolveKey(`${DID}#key-1`)
    await resolver.resolveKey(`${DID}#key-2`)
    const doc = await resolver.resolveDid(DID)
    expect(fetch.calls).toHaveLength(1)
    // Every caller gets its own copy: mutating one changes nothing for the next.
    doc.verificationMethod = []
    expect((await resolver.resolveDid(DID)).verificationMethod).toHaveLength(2)
    now += 60_000
    await resolver.resolveKey(`${DID}#key-1`)
    expect(fetch.calls).toHaveLength(2)
  })

  it('is off by default, never keeps failures, and keeps at most cacheMaxEntries documents', async () => {
    const fetch = fakeFetch({ [URL_OF_DID]: json(documentFor(DID)) })
    const uncached = createResolver({ fetch })
    await uncached.resolveKey(`${DID}#key-1`)
    await uncached.resolveKey(`${DID}#key-1`)
    expect(fetch.calls).toHaveLength(2)

    let fail = true
    const flaky = fakeFetch({
      [URL_OF_DID]: () => (fail ? json({}, 'application/json', 503) : json(documentFor(DID))),
    })
    const cached = createResolver({ fetch: flaky, cacheTtlMs: 60_000 })
    await expectCode(() => cached.resolveKey(`${DID}#key-1`), 'key_resolution_failed')
    fail = false
    await cached.resolveKey(`${DID}#key-1`)
    await cached.resolveKey(`${DID}#key-1`)
    expect(flaky.calls).toHaveLength(2)

    const other = 'did:web:other.example'
    const two = fakeFetch({
      [URL_OF_DID]: json(documentFor(DID)),
      'https://other.example/.well-known/did.json': json(documentFor(other)),
    })
    const small = createResolver({ fetch: two, cacheTtlMs: 60_000, cacheMaxEntries: 1 })
    await small.resolveKey(`${DID}#key-1`)
    await small.resolveKey(`${other}#key-1`) // evicts DID
    await small.resolveKey(`${other}#key-1`) // cached
    await small.resolveKey(`${DID}#key-1`) // fetched again
    expect(two.calls.map((call) => call.url)).toEqual([
      URL_OF_DID,
      'https://other.example/.well-known/did.json',
      URL_OF_DID,
    ])
  })
})

describe('resolveKeyInDocument on a document the caller obtained', () => {
  it('takes absolute and relative references and refuses references to other DIDs', async () => {
    const doc = checkDidDocument(documentFor(DID), DID)
    expect((await resolveKeyInDocument(doc, '#key-2')).id).toBe(`${DID}#key-2`)
    expect((await resolveKeyInDocument(doc, `${DID}#key-1`)).relationships).toEqual([
      'authentication',
      'assertionMethod',
    ])
    await expectCode(
      () => resolveKeyInDocument(doc, 'did:web:other.example#key-1'),
      'key_not_found',
    )
    await expectCode(() => resolveKeyInDocument(doc, `${DID}#`), 'malformed')
    await expectCode(() => resolveKeyInDocument(doc, ''), 'malformed')
    await expectCode(
      () => resolveKeyInDocument({ id: 'nope' } as never, '#key-1'),
      'key_resolution_failed',
    )
    await expectCode(() => resolveKeyInDocument(null as never, '#key-1'), 'key_resolution_failed')
    await expectCode(
      async () => checkDidDocument(documentFor(DID), 'did:web:other.example'),
      'key_resolution_failed',
    )
  })
})
