// `compat: 'eecc'` through the real handler: what a client of the EECC key service 2.x would
// notice, and that outside compat mode credsign's stricter answers stay (issue 17, item 2).
import { createCipheriv, randomBytes } from 'node:crypto'
import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { CredsignError, KeyVault, MemoryStore } from '../../src/index.js'
import { createHandler } from '../../src/http/index.js'
import type { HandlerOptions } from '../../src/http/index.js'

const SECRETS = ['key-access-secret', 'user-secret']
const SHARED = 'abcdefghijklmnopqrstuvwxyz012345' // 32 bytes, as the origin required
const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  credentialSubject: { id: 'did:example:alice', name: 'Alice' },
}

function handlerWith(extra: Partial<HandlerOptions>, store = new MemoryStore()) {
  const vault = new KeyVault({
    store,
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
    kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    lockout: { maxFailures: 3, windowMs: 900_000, lockoutMs: 900_000 },
  })
  const handler = createHandler({ vault, auth: { disabled: true }, ...extra })
  const post = (path: string, body: unknown) =>
    handler(
      new Request(`http://localhost${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    )
  return { handler, post, vault }
}

const compat = () => handlerWith({ compat: 'eecc' }, new MemoryStore({ maxKeyIdLength: 2048 }))

/** The origin's request encryption, written from its description with node:crypto. */
function encryptForOrigin(body: unknown, secret = SHARED): { encryptedData: string } {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(secret, 'utf8'), iv)
  const ct = Buffer.concat([cipher.update(JSON.stringify(body), 'utf8'), cipher.final()])
  const joined = [iv, cipher.getAuthTag(), ct].map((b) => b.toString('hex')).join(':')
  return { encryptedData: Buffer.from(joined, 'utf8').toString('base64') }
}

describe("compat: 'eecc'", () => {
  it('signs Ed25519 JWTs with alg Ed25519, which jose verifies with the origin clients’ algorithms', async () => {
    const { post } = compat()
    const made = await post('/generate', {
      identifier: 'did:web:issuer.example#key-1',
      secrets: SECRETS,
      signatureType: 'Ed25519',
    })
    expect(made.status).toBe(201)
    const method = (await made.json()) as { publicKeyJwk: jose.JWK }
    const signed = await post('/sign/vc/jwt', {
      identifier: 'did:web:issuer.example#key-1',
      secrets: SECRETS,
      verifiable: { ...credential, issuer: 'did:web:issuer.example' },
    })
    expect(signed.status).toBe(201)
    const jwt = await signed.text()
    const { protectedHeader } = await jose.jwtVerify(
      jwt,
      await jose.importJWK(method.publicKeyJwk, 'Ed25519'),
      { algorithms: ['Ed25519'] },
    )
    expect(protectedHeader.alg).toBe('Ed25519')
  })

  it('PS256 with an identifier without a fragment: 201, an RSA-4096 key under the long id, usable for signing', async () => {
    const { post } = compat()
    const made = await post('/generate', {
      identifier: 'did:web:issuer.example',
      secrets: SECRETS,
      signatureType: 'PS256',
    })
    expect(made.status).toBe(201)
    const method = (await made.json()) as { id: string; publicKeyJwk: jose.JWK }
    expect(method.id.length).toBeGreaterThan(500)
    expect(method.id.startsWith('did:web:issuer.example#z')).toBe(true)
    expect(Buffer.from(method.publicKeyJwk.n as string, 'base64url').length).toBe(512)
    const signed = await post('/sign/vc/jwt', {
      identifier: method.id,
      secrets: SECRETS,
      verifiable: { ...credential, issuer: 'did:web:issuer.example' },
    })
    expect(signed.status).toBe(201)
    const { protectedHeader } = await jose.jwtVerify(
      await signed.text(),
      await jose.importJWK(method.publicKeyJwk, 'PS256'),
    )
    expect(protectedHeader.kid).toBe(method.id)
  }, 60_000)

  it('answers the origin’s health body (info.database, service key-service)', async () => {
    const { handler } = compat()
    const response = await handler(new Request('http://localhost/health'))
    expect(response.status).toBe(200)
    const body = (await response.json()) as Record<string, any>
    expect(body.status).toBe('ok')
    expect(body.info).toEqual({ database: { status: 'up' } })
    expect(body.details).toEqual({ database: { status: 'up' } })
    expect(body.service.name).toBe('key-service')
  })

  it('answers errors in the origin’s shape, with credsign’s code; the lockout is 429 with Retry-After', async () => {
    const { post, vault } = compat()
    await vault.generate({ id: 'did:web:x.example#k', algorithm: 'Ed25519', secrets: SECRETS })
    const body = { identifier: 'did:web:x.example#k', secrets: ['wrong'], verifiable: credential }
    const wrong = await post('/sign/vc/jwt', body)
    expect(wrong.status).toBe(400)
    expect(wrong.headers.get('content-type')).toBe('application/json')
    const problem = (await wrong.json()) as Record<string, unknown>
    expect(problem).toMatchObject({
      status: 'BAD_REQUEST',
      statusCode: 400,
      type: 'BadRequestException',
      path: '/sign/vc/jwt',
      code: 'wrong_secrets',
    })
    expect(typeof problem.message).toBe('string')
    expect(Number.isNaN(Date.parse(problem.timestamp as string))).toBe(false)
    await post('/sign/vc/jwt', body)
    const third = await post('/sign/vc/jwt', body)
    const locked = await post('/sign/vc/jwt', { ...body, secrets: SECRETS })
    expect([third.status, locked.status]).toEqual([400, 429])
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await locked.json()).toMatchObject({ status: 'TOO_MANY_REQUESTS', code: 'locked' })
  })

  it('/delete answers 201 with an empty body, as the origin did', async () => {
    const { post, vault } = compat()
    await vault.generate({ id: 'did:web:x.example#gone', algorithm: 'Ed25519', secrets: SECRETS })
    const deleted = await post('/delete', {
      identifier: 'did:web:x.example#gone',
      secrets: SECRETS,
    })
    expect(deleted.status).toBe(201)
    expect(await deleted.text()).toBe('')
  })

  it('accepts encryptedData bodies only with a shared secret; the decrypted body is validated as any', async () => {
    const withSecret = handlerWith(
      { compat: 'eecc', requestEncryption: { sharedSecret: SHARED } },
      new MemoryStore({ maxKeyIdLength: 2048 }),
    )
    const generate = {
      identifier: 'did:web:enc.example#k',
      secrets: SECRETS,
      signatureType: 'ES256',
    }
    expect((await withSecret.post('/generate', encryptForOrigin(generate))).status).toBe(201)
    // Plain bodies still work (the origin never required encryption).
    const signed = await withSecret.post('/sign/vc/jwt', {
      identifier: 'did:web:enc.example#k',
      secrets: SECRETS,
      verifiable: { ...credential, issuer: 'did:web:enc.example' },
    })
    expect(signed.status).toBe(201)
    const forged = await withSecret.post('/generate', encryptForOrigin(generate, 'x'.repeat(32)))
    expect(forged.status).toBe(400)
    expect(await forged.json()).toMatchObject({ code: 'malformed' })
    // Inside, the strict schema still runs: an unknown member is refused.
    const sloppy = await withSecret.post(
      '/generate',
      encryptForOrigin({ ...generate, identifier: 'did:web:enc.example#k2', extra: 1 }),
    )
    expect(sloppy.status).toBe(400)
    expect(await sloppy.json()).toMatchObject({ code: 'invalid_request' })
    // Without a shared secret, an encrypted body is just an unknown member.
    const without = compat()
    const refused = await without.post('/generate', encryptForOrigin(generate))
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({ code: 'invalid_request' })
  })

  it('refuses requestEncryption outside compat mode and a shared secret that is not 32 bytes', () => {
    const vault = new KeyVault({ store: new MemoryStore(), serviceSecret: 'x'.repeat(32) })
    const make = (extra: Partial<HandlerOptions>) => () =>
      createHandler({ vault, auth: { disabled: true }, ...extra })
    expect(make({ requestEncryption: { sharedSecret: SHARED } })).toThrow(CredsignError)
    expect(make({ compat: 'eecc', requestEncryption: { sharedSecret: 'short' } })).toThrow(
      CredsignError,
    )
    expect(make({ compat: 'other' as 'eecc' })).toThrow(CredsignError)
  })
})

describe('outside compat mode credsign’s stricter answers stay', () => {
  it('EdDSA, info.store, 204 for /delete, problem+json, and no 500+ character key ids', async () => {
    const { post, handler, vault } = handlerWith({})
    await vault.generate({ id: 'did:web:s.example#k', algorithm: 'Ed25519', secrets: SECRETS })
    const signed = await post('/sign/vc/jwt', {
      identifier: 'did:web:s.example#k',
      secrets: SECRETS,
      verifiable: { ...credential, issuer: 'did:web:s.example' },
    })
    expect(jose.decodeProtectedHeader(await signed.text()).alg).toBe('EdDSA')
    const health = (await (await handler(new Request('http://localhost/health'))).json()) as {
      info: unknown
    }
    expect(health.info).toEqual({ store: { status: 'up' } })
    const wrong = await post('/sign/vc/jwt', {
      identifier: 'did:web:s.example#k',
      secrets: ['nope'],
      verifiable: credential,
    })
    expect(wrong.headers.get('content-type')).toBe('application/problem+json')
    const deleted = await post('/delete', { identifier: 'did:web:s.example#k', secrets: SECRETS })
    expect(deleted.status).toBe(204)
    const long = await post('/generate', {
      identifier: 'did:web:issuer.example',
      secrets: SECRETS,
      signatureType: 'PS256',
    })
    expect(long.status).toBe(400)
    expect(await long.json()).toMatchObject({ code: 'invalid_request' })
    const tooLong = await post('/sign/vc/jwt', {
      identifier: `did:web:issuer.example#${'a'.repeat(600)}`,
      secrets: SECRETS,
      verifiable: credential,
    })
    expect(tooLong.status).toBe(400)
    expect(await tooLong.json()).toMatchObject({
      code: 'invalid_request',
      errors: [expect.objectContaining({ path: 'identifier' })],
    })
  }, 60_000)
})
