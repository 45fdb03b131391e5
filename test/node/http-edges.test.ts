// Edge cases of credsign/http in process (no socket): members named __proto__ inside documents are
// signed as sent, never dropped; HEAD works wherever GET does; an identifier needs a controller.
import { beforeAll, describe, expect, it } from 'vitest'
import { KeyVault, MemoryStore, decodeJwsUnverified } from '../../src/index.js'
import { createHandler } from '../../src/http/index.js'

const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: 'edge-service-secret-0123456789abcdef',
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
const handler = createHandler({ vault, auth: { disabled: true } })
const post = (path: string, body: string): Promise<Response> =>
  handler(
    new Request(`http://localhost${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }),
  )
const KEY = 'did:web:issuer.example#key-1'

function signBody(verifiableJson: string): string {
  return `{"identifier":${JSON.stringify(KEY)},"secrets":["s1"],"verifiable":${verifiableJson}}`
}
const credentialWithProto =
  '{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:web:issuer.example","credentialSubject":{"id":"did:example:a","__proto__":{"admin":true}}}'
const topLevelProto =
  '{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:web:issuer.example","credentialSubject":{"id":"did:example:a"},"__proto__":{"polluted":true}}'

beforeAll(async () => {
  await vault.generate({ id: KEY, algorithm: 'Ed25519', secrets: ['s1'] })
})

describe('documents with __proto__ members', () => {
  it('a JWT VC signs them as sent (own members), and nothing is polluted', async () => {
    const response = await post('/sign/vc/jwt', signBody(credentialWithProto))
    expect(response.status).toBe(201)
    const payload = JSON.parse(
      new TextDecoder().decode(decodeJwsUnverified(await response.text()).payload),
    ) as Record<string, unknown>
    const subject = payload.credentialSubject as Record<string, unknown>
    expect(Object.prototype.hasOwnProperty.call(subject, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
  })

  it('a top-level __proto__ is an unknown VCDM 2.0 member: refused in strict mode (400 credential_invalid), not dropped', async () => {
    for (const type of ['jwt', 'data-integrity', 'sd-jwt']) {
      const response = await post(`/sign/vc/${type}`, signBody(topLevelProto))
      expect(response.status, type).toBe(400)
      const problem = await response.json()
      expect(problem.code, type).toBe('credential_invalid')
      expect(problem.detail, type).toContain('__proto__')
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('Data Integrity refuses them (JSON-LD would drop them unsigned): 400 jsonld_invalid', async () => {
    const response = await post('/sign/vc/data-integrity', signBody(credentialWithProto))
    expect(response.status).toBe(400)
    expect((await response.json()).code).toBe('jsonld_invalid')
  })
})

describe('HEAD and identifiers', () => {
  it('HEAD answers as GET without a body; HEAD on a POST route is 405', async () => {
    const head = await handler(new Request('http://localhost/health', { method: 'HEAD' }))
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe('application/json')
    expect(await head.text()).toBe('')
    const jwks = await handler(
      new Request('http://localhost/.well-known/jwks.json', { method: 'HEAD' }),
    )
    expect(jwks.status).toBe(200)
    const wrong = await handler(new Request('http://localhost/generate', { method: 'HEAD' }))
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('POST')
    expect(await wrong.text()).toBe('')
  })

  it('/generate refuses an identifier without a controller part', async () => {
    for (const identifier of ['#', '#key-1', '#%']) {
      const response = await post(
        '/generate',
        JSON.stringify({ identifier, secrets: ['s1'], signatureType: 'Ed25519' }),
      )
      expect(response.status, identifier).toBe(400)
      expect((await response.json()).code, identifier).toBe('invalid_request')
    }
  })
})

describe('SD-JWT presentations', () => {
  it('an SD-JWT without holder binding (cnf) cannot be presented with a KB-JWT: 400 invalid_argument; with cnf it can', async () => {
    await vault.generate({
      id: 'did:web:holder.example#key-1',
      algorithm: 'P-256',
      secrets: ['h1'],
    })
    const credential =
      '{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:web:issuer.example","credentialSubject":{"id":"did:example:a","name":"A"}}'
    const unbound = await (await post('/sign/vc/sd-jwt', signBody(credential))).text()
    const present = (sdJwt: string): Promise<Response> =>
      post(
        '/sign/vp/sd-jwt',
        JSON.stringify({
          identifier: 'did:web:holder.example#key-1',
          secrets: ['h1'],
          verifiable: sdJwt,
          domain: 'https://verifier.example',
          challenge: 'n1',
        }),
      )
    const refused = await present(unbound)
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({ code: 'invalid_argument' })
    const holderPublicJwk = (await vault.publicKey('did:web:holder.example#key-1')).current
      .publicJwk
    const bound = await post(
      '/sign/vc/sd-jwt',
      `{"identifier":${JSON.stringify(KEY)},"secrets":["s1"],"holderPublicJwk":${JSON.stringify(holderPublicJwk)},"verifiable":${credential}}`,
    )
    expect(bound.status).toBe(201)
    const presented = await present(await bound.text())
    expect(presented.status).toBe(201)
    expect((await presented.text()).split('~')).toHaveLength(3) // issuer JWS ~ the name disclosure (the default frame) ~ KB-JWT
  })
})

describe('JWKS', () => {
  it('publishes a plain key id only through its did:key kid, which is the kid its JWTs carry', async () => {
    await vault.generate({ id: 'plain-issuer-key', algorithm: 'Ed25519', secrets: ['p1'] })
    const credential = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      credentialSubject: { id: 'did:example:a' },
    }
    const jwt = await (
      await post(
        '/sign/vc/jwt',
        JSON.stringify({ identifier: 'plain-issuer-key', secrets: ['p1'], verifiable: credential }),
      )
    ).text()
    const header = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.from(atob(jwt.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/')), (c) =>
          c.charCodeAt(0),
        ),
      ),
    ) as { kid: string }
    expect(header.kid).toMatch(/^did:key:z6Mk/)
    const jwks = (await (
      await handler(new Request('http://localhost/.well-known/jwks.json'))
    ).json()) as { keys: { kid: string }[] }
    expect(jwks.keys.some((k) => k.kid === header.kid)).toBe(true)
    expect(JSON.stringify(jwks)).not.toContain('plain-issuer-key')
    expect(jwks.keys.some((k) => k.kid === KEY)).toBe(true)
  })
})
