// A failure of the verifier's own key store during a verification is an outage, not a verdict: the
// VC-API verify routes and the verifier page answer it as a 5xx problem (503 `store_unavailable`,
// 500 `store_corrupt`), never as a 422 `verified: false` a client reads as "this credential is
// invalid". What a credential controls (an issuer URL nobody can reach, a kid the vault would never
// look up) stays a 422 verdict, whatever state the store is in: a hostile credential cannot make
// the verifier answer 5xx on its own.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FileStore, keyFileStem } from '../../src/file/index.js'
import { DataIntegritySigner } from '../../src/formats/data-integrity/index.js'
import { createHandler } from '../../src/http/index.js'
import {
  asDidSigner,
  combineResolvers,
  createResolver,
  CredsignError,
  envelopeCredential,
  JwtVcSigner,
  JwtVpSigner,
  KeyVault,
  MemoryStore,
  verify,
  vaultResolver,
  type KeyResolver,
  type KeyStore,
} from '../../src/index.js'

const V2 = 'https://www.w3.org/ns/credentials/v2'
const ISSUER = 'did:web:issuer.example'
const KEY = `${ISSUER}#key-1`
const SECRET_PATH = '/srv/credsign/keys/did_web_issuer.example.json'

type Failure = 'unavailable' | 'corrupt' | 'untyped'

/** A MemoryStore whose reads fail, when told to, as a store on a broken disk or database does. */
function switchableStore(): { store: KeyStore; fail(mode: Failure | undefined): void } {
  const memory = new MemoryStore()
  let mode: Failure | undefined
  const failure = (): Error =>
    mode === 'unavailable'
      ? new CredsignError('store_unavailable', `file store: cannot read ${SECRET_PATH} (EIO)`)
      : mode === 'corrupt'
        ? new CredsignError('store_corrupt', `file store: ${SECRET_PATH} is not valid JSON`)
        : Object.assign(new Error(`EACCES: permission denied, open '${SECRET_PATH}'`), {
            code: 'EACCES',
          })
  const store: KeyStore = {
    create: (record) => memory.create(record),
    get: (id) => (mode === undefined ? memory.get(id) : Promise.reject(failure())),
    update: (record) => memory.update(record),
    delete: (id, revision) => memory.delete(id, revision),
    list: (options) => (mode === undefined ? memory.list(options) : Promise.reject(failure())),
    ping: () => (mode === undefined ? memory.ping() : Promise.reject(failure())),
  }
  return { store, fail: (next) => void (mode = next) }
}

async function setup(resolver?: KeyResolver) {
  const { store, fail } = switchableStore()
  const vault = new KeyVault({
    store,
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
    kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
  })
  await vault.generate({ id: KEY, algorithm: 'Ed25519', secrets: ['s1'] })
  await vault.generate({ id: 'holder', algorithm: 'Ed25519', secrets: ['s1'] })
  const issuer = await vault.unlock(KEY, ['s1'])
  const holder = asDidSigner(await vault.unlock('holder', ['s1']))
  const credential = {
    '@context': [V2],
    type: ['VerifiableCredential'],
    issuer: ISSUER,
    credentialSubject: { id: 'did:example:alice' },
  }
  const jwt = await new JwtVcSigner(issuer).sign(credential)
  const di = await new DataIntegritySigner(issuer).sign(credential)
  const vp = await new JwtVpSigner(holder).sign({
    '@context': [V2],
    type: ['VerifiablePresentation'],
    holder: holder.id.split('#')[0],
    verifiableCredential: [envelopeCredential(jwt)],
  })
  const didKeyJwt = await new JwtVcSigner(holder).sign({
    ...credential,
    issuer: holder.id.split('#')[0],
  })
  const handler = createHandler({
    vault,
    auth: { disabled: true },
    verifierPage: true,
    ...(resolver === undefined ? {} : { resolver }),
  })
  const post = async (path: string, body: unknown) => {
    const response = await handler(
      new Request(`http://localhost${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    )
    const text = await response.text()
    return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> }
  }
  return { vault, fail, jwt, di, vp, didKeyJwt, post }
}

const STATUS: Record<Failure, { status: number; code: string }> = {
  unavailable: { status: 503, code: 'store_unavailable' },
  untyped: { status: 503, code: 'store_unavailable' },
  corrupt: { status: 500, code: 'store_corrupt' },
}

describe('verify routes: a failing key store is an outage, not a verdict', () => {
  for (const mode of ['unavailable', 'untyped', 'corrupt'] as const) {
    it(`${mode}: POST /credentials/verify (JWT and Data Integrity), /presentations/verify, /verify answer ${STATUS[mode].status} ${STATUS[mode].code}`, async () => {
      const { fail, jwt, di, vp, post } = await setup()
      fail(mode)
      const replies = [
        await post('/credentials/verify', { verifiableCredential: jwt }),
        await post('/credentials/verify', { verifiableCredential: di }),
        await post('/presentations/verify', { verifiablePresentation: vp }),
        await post('/verify', { input: jwt }),
      ]
      for (const reply of replies) {
        expect(reply.status, reply.text).toBe(STATUS[mode].status)
        expect(reply.body.code, reply.text).toBe(STATUS[mode].code)
        // A problem about the server, not a verdict about the credential.
        expect(reply.body.verified, reply.text).toBeUndefined()
        expect(reply.text).not.toContain(SECRET_PATH)
        expect(reply.text).not.toContain('EACCES')
      }
    })
  }

  it('the same requests verify once the store is back (control)', async () => {
    const { fail, jwt, di, vp, post } = await setup()
    fail(undefined)
    expect((await post('/credentials/verify', { verifiableCredential: jwt })).status).toBe(200)
    expect((await post('/credentials/verify', { verifiableCredential: di })).status).toBe(200)
    expect((await post('/presentations/verify', { verifiablePresentation: vp })).status).toBe(200)
  })

  it('a credential the store is not needed for is judged as usual while the store is down', async () => {
    const { fail, didKeyJwt, post } = await setup()
    fail('unavailable')
    // did:key: the vault is asked first, fails, and the offline did:key resolver answers.
    expect((await post('/credentials/verify', { verifiableCredential: didKeyJwt })).status).toBe(
      200,
    )
    // A bad signature stays a verdict.
    const [h, p, s] = didKeyJwt.split('.')
    const tampered = `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`
    const reply = await post('/credentials/verify', { verifiableCredential: tampered })
    expect(reply.status, reply.text).toBe(422)
    expect(reply.body.code).toBe('signature_invalid')
  })

  it('a hostile credential cannot reach the store with a kid the vault never looks up: 422', async () => {
    const { fail, post } = await setup()
    fail('unavailable')
    const header = Buffer.from(
      JSON.stringify({ alg: 'EdDSA', typ: 'vc+jwt', kid: 'not a key id \u0000' }),
    ).toString('base64url')
    const payload = Buffer.from(
      JSON.stringify({
        '@context': [V2],
        type: ['VerifiableCredential'],
        issuer: ISSUER,
        credentialSubject: { id: 'did:example:alice' },
      }),
    ).toString('base64url')
    const reply = await post('/credentials/verify', {
      verifiableCredential: `${header}.${payload}.${'A'.repeat(86)}`,
    })
    expect(reply.status, reply.text).toBe(422)
    expect(reply.body.verified).toBe(false)
  })

  it("an issuer key behind a URL the verifier's resolver cannot reach stays a 422 verdict", async () => {
    const unreachable: KeyResolver = {
      async resolveKey() {
        throw new CredsignError('key_resolution_failed', 'fetch failed: ECONNREFUSED')
      },
    }
    const { jwt, post, vault } = await setup(unreachable)
    // The vault no longer holds the key: only the (failing) network resolver could know it.
    await vault.delete(KEY, ['s1'])
    const reply = await post('/credentials/verify', { verifiableCredential: jwt })
    expect(reply.status, reply.text).toBe(422)
    expect(reply.body.code).toBe('key_resolution_failed')
    expect(reply.body.verified).toBe(false)
  })
})

describe('verify(): a failing key store', () => {
  it('is reported with the store code, verified false, never thrown', async () => {
    const { vault, fail, jwt, vp } = await setup()
    fail('unavailable')
    const resolver = combineResolvers(vaultResolver(vault), createResolver())
    const result = await verify(jwt, { resolver })
    expect(result.verified).toBe(false)
    expect(result.errors.map((e) => e.code)).toEqual(['store_unavailable'])
    // The store's message (a file path) stays on the cause, out of a result shown to the sender.
    expect(JSON.stringify(result)).not.toContain(SECRET_PATH)
    const presentation = await verify(vp, { resolver })
    expect(presentation.verified).toBe(false)
    expect(presentation.credentials?.[0]?.errors.map((e) => e.code)).toEqual(['store_unavailable'])
  })
})

describe('a damaged key file in a FileStore', () => {
  it('POST /credentials/verify and /verify: 500 store_corrupt, never the file path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'credsign-outage-'))
    try {
      const keys = join(dir, 'keys')
      const vault = new KeyVault({
        store: new FileStore({ directory: keys }),
        serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
        kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
      })
      await vault.generate({ id: KEY, algorithm: 'Ed25519', secrets: ['s1'] })
      const jwt = await new JwtVcSigner(await vault.unlock(KEY, ['s1'])).sign({
        '@context': [V2],
        type: ['VerifiableCredential'],
        issuer: ISSUER,
        credentialSubject: { id: 'did:example:alice' },
      })
      await writeFile(join(keys, `${keyFileStem(KEY)}.json`), '{ this is not json')
      const handler = createHandler({ vault, auth: { disabled: true }, verifierPage: true })
      for (const [path, body] of [
        ['/credentials/verify', { verifiableCredential: jwt }],
        ['/verify', { input: jwt }],
      ] as const) {
        const response = await handler(
          new Request(`http://localhost${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }),
        )
        const text = await response.text()
        expect(response.status, text).toBe(500)
        expect(response.headers.get('content-type')).toBe('application/problem+json')
        expect((JSON.parse(text) as { code: string }).code).toBe('store_corrupt')
        expect(text).not.toContain(keys)
        expect(text).not.toContain(tmpdir())
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
