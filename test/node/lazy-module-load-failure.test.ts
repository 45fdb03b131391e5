// A module credsign loads by import() on first use (@noble/curves where the platform lacks an
// algorithm, the scrypt / Argon2id KDFs, SHA-3, the Data Integrity chunks, the network resolution
// and bounded fetch code that only a caller's fetch needs) that fails to load (a
// browser offline, a CDN 404, a bundler that dropped the chunk) is a typed `crypto_unavailable`,
// never the raw TypeError of the import; verify() reports it as an error of its result instead of
// throwing or calling it a bad key; and the failure is not remembered: once the module can be
// loaded again, the next call works. Each site is made to fail with vi.doMock (the import rejects
// while `failing` names the module), then fixed. Keys and signatures come from node:crypto and
// jose, and the KDF and digest outputs are compared with node:crypto, not with credsign itself.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  scryptSync,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { base58 } from '@scure/base'
import { SignJWT } from 'jose'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { lazyModule } from '../../src/util/lazy-module.js'

/** The modules whose import rejects, by the specifier the test mocks. */
const failing = new Set<string>()
const MOCKED = [
  '../../src/keys/noble-curves.js',
  '../../src/keys/noble-verify.js',
  '@noble/hashes/scrypt.js',
  '@noble/hashes/argon2.js',
  '@noble/hashes/sha3.js',
  '../../src/formats/data-integrity/handler.js',
  '../../src/formats/data-integrity/signer.js',
  '../../src/postgres/index.js',
  '../../src/resolve/network-resolution.js',
  '../../src/resolve/bounded-fetch.js',
] as const
type Mocked = (typeof MOCKED)[number]

/** What a browser's import() rejects with for a chunk it cannot fetch. */
const chunkError = (specifier: string): TypeError =>
  new TypeError(`Failed to fetch dynamically imported module: ${specifier}`)

beforeEach(() => {
  failing.clear()
  vi.resetModules()
  for (const specifier of MOCKED) {
    vi.doMock(specifier, async (importOriginal) => {
      if (failing.has(specifier)) throw chunkError(specifier)
      return importOriginal()
    })
  }
})

afterEach(() => {
  for (const specifier of MOCKED) vi.doUnmock(specifier)
  vi.resetModules()
})

const fail = (...specifiers: Mocked[]): void => {
  for (const specifier of specifiers) failing.add(specifier)
}
const mend = (): void => failing.clear()

/** The typed error a failed load must be: crypto_unavailable, naming the part, the cause kept. */
const unavailable = (part: string): unknown =>
  expect.objectContaining({
    name: 'CredsignError',
    code: 'crypto_unavailable',
    message: expect.stringContaining(part),
    cause: expect.any(Error), // vitest wraps the TypeError the mock throws
  })

/** A plain Uint8Array copy: a Node Buffer's slice() is a view, which credsign's wipes would reach. */
const secp256k1Pkcs8 = (): Uint8Array =>
  new Uint8Array(
    generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({
      format: 'der',
      type: 'pkcs8',
    }),
  )

describe('lazyModule', () => {
  it('imports once, shares the promise, and types and forgets a failure', async () => {
    let calls = 0
    let broken = true
    const load = lazyModule(async () => {
      calls += 1
      if (broken) throw chunkError('./chunk.js')
      return { answer: 42 }
    }, 'the answer module')
    const first = load()
    expect(load()).toBe(first) // in flight: shared
    await expect(first).rejects.toEqual(unavailable('the answer module could not be loaded'))
    expect(calls).toBe(1)
    broken = false
    await expect(load()).resolves.toEqual({ answer: 42 }) // retried
    expect(load()).toBe(load()) // settled: kept
    expect(calls).toBe(2)
  })

  it('uses the code it is given', async () => {
    const load = lazyModule(() => Promise.reject(chunkError('pg')), 'pg', 'store_unavailable')
    await expect(load()).rejects.toMatchObject({ code: 'store_unavailable' })
  })
})

describe('key generation, derivation and signing with @noble/curves', () => {
  it('generateKeyPair(secp256k1): crypto_unavailable, then a key that signs for node:crypto', async () => {
    fail('../../src/keys/noble-curves.js')
    const { generateKeyPair, loadPrivateKey } = await import('../../src/index.js')
    await expect(generateKeyPair('secp256k1')).rejects.toEqual(unavailable('@noble/curves'))
    mend()
    const { pkcs8, publicJwk } = await generateKeyPair('secp256k1')
    const key = await loadPrivateKey('secp256k1', pkcs8)
    const data = new TextEncoder().encode('retried')
    const signature = await key.sign(data)
    const publicKey = createPublicKey({ key: { ...publicJwk }, format: 'jwk' })
    expect(
      nodeVerify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature),
    ).toBe(true)
  })

  it('importPrivateKey (public key derivation): crypto_unavailable, then the key node:crypto derives', async () => {
    const pkcs8 = secp256k1Pkcs8()
    fail('../../src/keys/noble-curves.js')
    const { importPrivateKey } = await import('../../src/index.js')
    await expect(importPrivateKey({ pkcs8 })).rejects.toEqual(unavailable('@noble/curves'))
    mend()
    const { publicJwk } = await importPrivateKey({ pkcs8 })
    const expected = createPublicKey(
      createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }),
    ).export({ format: 'jwk' })
    expect(publicJwk).toMatchObject({ crv: 'secp256k1', x: expected.x, y: expected.y })
  })

  it('Ed25519 signing on the noble backend: crypto_unavailable, then a signature node:crypto accepts', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }))
    fail('../../src/keys/noble-curves.js')
    const { loadPrivateKey } = await import('../../src/index.js')
    const data = new TextEncoder().encode('retried')
    // Loading an Ed25519 seed derives its public key with noble.
    await expect(loadPrivateKey('Ed25519', pkcs8, { backend: 'noble' })).rejects.toEqual(
      unavailable('@noble/curves'),
    )
    mend()
    const key = await loadPrivateKey('Ed25519', pkcs8, { backend: 'noble' })
    expect(nodeVerify(null, data, publicKey, await key.sign(data))).toBe(true)
  })
})

describe('verifySignature fallbacks', () => {
  it('Ed25519 on the noble backend: crypto_unavailable, then true for a node:crypto signature', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const jwk = publicKey.export({ format: 'jwk' })
    const data = new TextEncoder().encode('hello')
    const signature = nodeSign(null, data, privateKey)
    fail('../../src/keys/noble-verify.js')
    const { verifySignature } = await import('../../src/index.js')
    const check = () =>
      verifySignature({ kty: 'OKP', crv: 'Ed25519', x: jwk.x as string }, data, signature, {
        backend: 'noble',
      })
    await expect(check()).rejects.toEqual(unavailable('@noble/curves'))
    mend()
    await expect(check()).resolves.toBe(true)
  })

  it('secp256k1 (no WebCrypto curve): crypto_unavailable, then true for a node:crypto signature', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
    const jwk = publicKey.export({ format: 'jwk' })
    const data = new TextEncoder().encode('hello')
    const signature = nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
    fail('../../src/keys/noble-verify.js')
    const { verifySignature } = await import('../../src/index.js')
    const check = () =>
      verifySignature(
        { kty: 'EC', crv: 'secp256k1', x: jwk.x as string, y: jwk.y as string },
        data,
        signature,
      )
    await expect(check()).rejects.toEqual(unavailable('@noble/curves'))
    mend()
    await expect(check()).resolves.toBe(true)
  })
})

describe('verify() never throws for a module that did not load', () => {
  /**
   * A JWT-VC naming its did:key (resolved offline), signed by node:crypto (ES256K, which jose's
   * WebCrypto build lacks) or jose (EdDSA).
   */
  async function externalVc(alg: 'ES256K' | 'EdDSA'): Promise<string> {
    const { didKeyFromJwk } = await import('../../src/index.js')
    const pair =
      alg === 'ES256K'
        ? generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
        : generateKeyPairSync('ed25519')
    const did = didKeyFromJwk(pair.publicKey.export({ format: 'jwk' }) as never)
    const header = { alg, typ: 'vc+jwt', kid: `${did}#${did.slice('did:key:'.length)}` }
    const payload = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      issuer: did,
      credentialSubject: { id: 'did:example:alice' },
    }
    if (alg === 'EdDSA')
      return new SignJWT(payload).setProtectedHeader(header).sign(pair.privateKey)
    const b64u = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
    const input = `${b64u(header)}.${b64u(payload)}`
    const signature = nodeSign('sha256', Buffer.from(input), {
      key: pair.privateKey,
      dsaEncoding: 'ieee-p1363',
    })
    return `${input}.${signature.toString('base64url')}`
  }

  it('ES256K: an error crypto_unavailable (not a bad key), then verified', async () => {
    const jwt = await externalVc('ES256K')
    fail('../../src/keys/noble-verify.js')
    const { verify } = await import('../../src/index.js')
    const failed = await verify(jwt)
    expect(failed.verified).toBe(false)
    expect(failed.errors).toEqual([
      expect.objectContaining({
        code: 'crypto_unavailable',
        message: expect.stringContaining('@noble/curves'),
      }),
    ])
    mend()
    const retried = await verify(jwt)
    expect(retried.errors).toEqual([])
    expect(retried.verified).toBe(true)
  })

  it('EdDSA on an engine without WebCrypto Ed25519: crypto_unavailable, then verified', async () => {
    vi.doMock('../../src/keys/ed25519-support.js', () => ({ webCryptoEd25519: async () => false }))
    try {
      const jwt = await externalVc('EdDSA')
      fail('../../src/keys/noble-verify.js')
      const { verify } = await import('../../src/index.js')
      const failed = await verify(jwt)
      expect(failed.verified).toBe(false)
      expect(failed.errors.map((error) => error.code)).toEqual(['crypto_unavailable'])
      mend()
      expect((await verify(jwt)).verified).toBe(true)
    } finally {
      vi.doUnmock('../../src/keys/ed25519-support.js')
    }
  })

  it('a sha3-256 relatedResource digest: crypto_unavailable, then the digest node:crypto computes matches', async () => {
    const logo = 'https://issuer.example/logo.svg'
    const bytes = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>')
    // multihash sha3-256 (0x16, 32 bytes), base58btc
    const digestMultibase = `z${base58.encode(new Uint8Array([0x16, 0x20, ...createHash('sha3-256').update(bytes).digest()]))}`
    const { generateKeyPair, loadPrivateKey, asDidSigner, JwtVcSigner, verify } =
      await import('../../src/index.js')
    const material = await generateKeyPair('P-256')
    const handle = await loadPrivateKey('P-256', material.pkcs8)
    const signer = asDidSigner({
      id: 'k',
      algorithm: 'P-256',
      publicJwk: material.publicJwk,
      sign: (data) => handle.sign(data),
    })
    const jwt = await new JwtVcSigner(signer).sign({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      credentialSubject: { id: 'did:example:alice' },
      relatedResource: [{ id: logo, digestMultibase }],
    })
    const options = { relatedResources: { documents: { [logo]: bytes } } }
    fail('@noble/hashes/sha3.js')
    const failed = await verify(jwt, options)
    expect(failed.verified).toBe(false)
    expect(failed.errors).toEqual([
      expect.objectContaining({
        code: 'crypto_unavailable',
        message: expect.stringContaining('SHA-3'),
      }),
    ])
    mend()
    const retried = await verify(jwt, options)
    expect(retried.verified).toBe(true)
    expect(retried.checks).toContainEqual(
      expect.objectContaining({ name: 'related_resource', passed: true }),
    )
  })
})

describe('network code, loaded only when the caller passed a fetch', () => {
  const did = 'did:web:issuer.example'
  const didUrl = 'https://issuer.example/.well-known/did.json'
  const jwksUrl = 'https://issuer.example/.well-known/jwks.json'

  /** An Ed25519 key of node:crypto: its public JWK, and a compact JWT-VC jose signs with it. */
  async function issuerKey(kid: string): Promise<{ jwk: Record<string, unknown>; jwt: string }> {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>
    const jwt = await new SignJWT({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      issuer: did,
      credentialSubject: { id: 'did:example:alice' },
    })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'vc+jwt', kid })
      .sign(privateKey)
    return { jwk, jwt }
  }

  /** A fetch that serves one JSON document at one URL, counting its calls. */
  function serving(url: string, body: unknown, contentType: string) {
    const calls: string[] = []
    const fetch = async (requested: string): Promise<Response> => {
      calls.push(requested)
      if (requested !== url) return new Response('not found', { status: 404 })
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'content-type': contentType },
      })
    }
    return Object.assign(fetch, { calls })
  }

  const didDocument = (jwk: Record<string, unknown>) => ({
    id: did,
    verificationMethod: [
      { id: `${did}#key-1`, type: 'JsonWebKey', controller: did, publicKeyJwk: jwk },
    ],
    assertionMethod: [`${did}#key-1`],
  })

  it('verify() with a did:web kid: an error crypto_unavailable (nothing fetched), then verified', async () => {
    const { jwk, jwt } = await issuerKey(`${did}#key-1`)
    const fetch = serving(didUrl, didDocument(jwk), 'application/did+json')
    fail('../../src/resolve/network-resolution.js')
    const { createResolver, verify } = await import('../../src/index.js')
    const resolver = createResolver({ fetch })
    const failed = await verify(jwt, { resolver })
    expect(failed.verified).toBe(false)
    expect(failed.errors).toEqual([
      expect.objectContaining({
        code: 'crypto_unavailable',
        message: expect.stringContaining('the network resolution module'),
      }),
    ])
    expect(fetch.calls).toEqual([])
    mend()
    const retried = await verify(jwt, { resolver })
    expect(retried.errors).toEqual([])
    expect(retried.verified).toBe(true)
    expect(fetch.calls).toEqual([didUrl])
  })

  it('createDidResolver: crypto_unavailable, then the document (a bad did:web is still malformed first)', async () => {
    const { jwk } = await issuerKey(`${did}#key-1`)
    const fetch = serving(didUrl, didDocument(jwk), 'application/did+json')
    fail('../../src/resolve/network-resolution.js')
    const { createDidResolver } = await import('../../src/index.js')
    const resolver = createDidResolver({ fetch })
    await expect(resolver.resolveDid(did)).rejects.toEqual(
      unavailable('the network resolution module'),
    )
    // Checked before the load, as before the load existed.
    await expect(resolver.resolveDid('did:web:127.0.0.1')).rejects.toMatchObject({
      code: 'malformed',
    })
    mend()
    const document = await resolver.resolveDid(did)
    expect(document.verificationMethod?.[0]?.publicKeyJwk).toEqual(jwk)
  })

  it('jwksResolver: crypto_unavailable, then the key (bad options still throw when it is made)', async () => {
    const { jwk } = await issuerKey('k1')
    const fetch = serving(jwksUrl, { keys: [{ ...jwk, kid: 'k1' }] }, 'application/jwk-set+json')
    fail('../../src/resolve/network-resolution.js')
    const { jwksResolver } = await import('../../src/index.js')
    expect(() => jwksResolver({ url: 'http://issuer.example/jwks', fetch })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    const resolver = jwksResolver({ url: jwksUrl, fetch, issuer: 'https://issuer.example' })
    await expect(resolver.resolveKey('k1')).rejects.toEqual(
      unavailable('the network resolution module'),
    )
    expect(fetch.calls).toEqual([])
    mend()
    const key = await resolver.resolveKey('k1')
    expect(key).toMatchObject({ id: 'k1', controller: 'https://issuer.example' })
    expect(key.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: jwk.x })
  })

  it('a status list fetch: status_list_unavailable caused by crypto_unavailable, then the list', async () => {
    const url = 'https://issuer.example/status/1'
    const fetch = serving(url, { list: 1 }, 'application/json')
    fail('../../src/resolve/bounded-fetch.js')
    const { createStatusListResolver } = await import('../../src/index.js')
    const source = createStatusListResolver({ fetch })
    const request = { mediaTypes: ['application/json'] }
    await expect(source.fetchList(url, request)).rejects.toMatchObject({
      code: 'status_list_unavailable',
      cause: unavailable('the network fetch module'),
    })
    mend()
    await expect(source.fetchList(url, request)).resolves.toBe('{"list":1}')
  })

  it('a JSON-LD context fetch: context_not_found caused by crypto_unavailable, then the context', async () => {
    const url = 'https://contexts.example/v1'
    const fetch = serving(
      url,
      { '@context': { name: 'https://schema.org/name' } },
      'application/ld+json',
    )
    fail('../../src/resolve/bounded-fetch.js')
    const { createDocumentLoader } = await import('../../src/formats/data-integrity/index.js')
    const loader = createDocumentLoader({ fetch })
    await expect(loader(url)).rejects.toMatchObject({
      code: 'context_not_found',
      cause: unavailable('the network fetch module'),
    })
    mend()
    const loaded = await loader(url)
    expect(loaded.document).toEqual({ '@context': { name: 'https://schema.org/name' } })
  })

  it('offline resolution and verification never load it', async () => {
    fail('../../src/resolve/network-resolution.js', '../../src/resolve/bounded-fetch.js')
    const { createResolver, didKeyFromJwk, verify } = await import('../../src/index.js')
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const didKey = didKeyFromJwk(publicKey.export({ format: 'jwk' }) as never)
    const jwt = await new SignJWT({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      issuer: didKey,
      credentialSubject: { id: 'did:example:alice' },
    })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'vc+jwt', kid: `${didKey}#${didKey.slice(8)}` })
      .sign(privateKey)
    const result = await verify(jwt)
    expect(result.errors).toEqual([])
    expect(result.verified).toBe(true)
    // did:web without a fetch answers as it always did, without loading anything.
    await expect(createResolver().resolveDid(did)).rejects.toMatchObject({
      code: 'resolver_not_configured',
    })
  })
})

describe('the password KDFs of the envelope', () => {
  const password = new TextEncoder().encode('correct horse')
  const salt = new Uint8Array(16).fill(7)

  it('scrypt: crypto_unavailable, then the bytes node:crypto derives', async () => {
    fail('@noble/hashes/scrypt.js')
    const { stretch } = await import('../../src/envelope/stretch.js')
    const kdf = { id: 'scrypt', N: 1024, r: 8, p: 1 } as const
    await expect(stretch(kdf, password, salt)).rejects.toEqual(unavailable('scrypt'))
    mend()
    const derived = await stretch(kdf, password, salt)
    expect(Buffer.from(derived)).toEqual(scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 }))
  })

  it('Argon2id: crypto_unavailable, then a vault key that unlocks', async () => {
    fail('@noble/hashes/argon2.js')
    const { KeyVault, MemoryStore } = await import('../../src/index.js')
    const vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret: new Uint8Array(32).fill(1),
      kdf: { id: 'argon2id', m: 1024, t: 1, p: 1 },
    })
    await expect(vault.generate({ id: 'k', algorithm: 'P-256', secrets: ['s1'] })).rejects.toEqual(
      unavailable('Argon2id'),
    )
    mend()
    await vault.generate({ id: 'k', algorithm: 'P-256', secrets: ['s1'] })
    const key = await vault.unlock('k', ['s1'])
    expect(key.algorithm).toBe('P-256')
    key.lock()
  })
})

describe('the Data Integrity chunks of credsign/http and signVerifiable', () => {
  it('the verify routes: crypto_unavailable, then a handler (the failure was remembered for good)', async () => {
    fail('../../src/formats/data-integrity/handler.js')
    const { dataIntegrity } = await import('../../src/http/vc-api-routes.js')
    await expect(dataIntegrity(undefined, false)).rejects.toEqual(unavailable('Data Integrity'))
    mend()
    const handler = await dataIntegrity(undefined, false)
    expect(typeof handler.verify).toBe('function')
  })

  it('signVerifiable in data-integrity: crypto_unavailable, then a signed credential', async () => {
    fail('../../src/formats/data-integrity/signer.js')
    const { generateKeyPair, loadPrivateKey } = await import('../../src/index.js')
    const { signVerifiable, resolvableSigner } =
      await import('../../src/service/sign-verifiable.js')
    const material = await generateKeyPair('P-256')
    const handle = await loadPrivateKey('P-256', material.pkcs8)
    const signer = resolvableSigner({
      id: 'k',
      algorithm: 'P-256',
      publicJwk: material.publicJwk,
      sign: (data) => handle.sign(data),
    })
    const request = {
      kind: 'vc',
      format: 'data-integrity',
      cryptosuite: 'ecdsa-jcs-2019',
      verifiable: {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        credentialSubject: { id: 'did:example:alice' },
      },
    } as const
    await expect(signVerifiable(signer, request)).rejects.toEqual(unavailable('Data Integrity'))
    mend()
    const signed = await signVerifiable(signer, request)
    expect(signed.mediaType).toBe('application/json')
  })
})

describe('the credsign command', () => {
  /** Runs the CLI in-process; stderr is where a failure is explained. */
  async function cli(argv: string[], stdin?: string): Promise<{ code: number; err: string }> {
    const { runCli } = await import('../../src/cli/run.js')
    const dir = await mkdtemp(join(tmpdir(), 'credsign-lazy-'))
    const err: string[] = []
    try {
      const code = await runCli(argv, {
        env: { CREDSIGN_DATA_DIR: join(dir, 'data') },
        out: () => undefined,
        err: (line) => err.push(line),
        ...(stdin === undefined ? {} : { readStdin: async () => stdin }),
      })
      return { code, err: err.join('\n') }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  it('verify of a JSON document: crypto_unavailable named, not "unexpected error"', async () => {
    fail('../../src/formats/data-integrity/handler.js')
    const document = JSON.stringify({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      credentialSubject: { id: 'did:example:alice' },
    })
    const run = await cli(['verify'], document)
    expect(run.code).not.toBe(0)
    expect(run.err).toContain('crypto_unavailable: Data Integrity could not be loaded')
  })

  it('migrate: store_unavailable when credsign/postgres cannot be loaded', async () => {
    fail('../../src/postgres/index.js')
    const run = await cli(['migrate', '--database-url', 'postgres://127.0.0.1:1/none'])
    expect(run.code).not.toBe(0)
    expect(run.err).toContain('store_unavailable: the PostgreSQL key store')
  })
})
