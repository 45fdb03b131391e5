// The VC-API routes follow the Data Integrity context policy: an inline @context (which can rename or
// swap terms without changing what a proof signs) is refused by default, on issue and on verify.
// `dataIntegrity: { allowInlineContexts: true }` (credsign serve --allow-inline-contexts) lets the
// W3C VCDM 2.0 suite's inputs through for conformance runs.
import { describe, expect, it } from 'vitest'
import { createHandler, type HandlerOptions } from '../../src/http/index.js'
import { KeyVault, MemoryStore, didKeyFromJwk } from '../../src/index.js'

const V2 = 'https://www.w3.org/ns/credentials/v2'
const TOKEN = 'inline-contexts-token-0123456789'

let issuerDid = ''

async function handlerWith(
  extra: Partial<HandlerOptions>,
): Promise<(request: Request) => Promise<Response>> {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
    kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
  })
  const info = await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s1'] })
  issuerDid = didKeyFromJwk(info.current.publicJwk)
  return createHandler({
    vault,
    auth: { bearerTokens: [TOKEN] },
    issuers: [{ name: 'di', keyId: 'issuer', secrets: ['s1'], format: 'data-integrity' }],
    verify: { issuerBinding: false },
    ...extra,
  })
}

async function post(
  handler: (request: Request) => Promise<Response>,
  path: string,
  body: unknown,
): Promise<{ status: number; body: any }> {
  const response = await handler(
    new Request(`http://127.0.0.1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  )
  return { status: response.status, body: await response.json() }
}

/** A credential with an inline context, as the VCDM 2.0 suite sends (its terms defined inline). */
const credential = (issuer: string) => ({
  '@context': [
    V2,
    { '@vocab': 'https://vocab.example/#', nickname: 'https://vocab.example/#nickname' },
  ],
  type: ['VerifiableCredential'],
  issuer,
  credentialSubject: { id: 'did:example:alice', nickname: 'Al' },
})

describe('VC-API routes and inline contexts', () => {
  it('refused by default on issue (context_not_allowed), signed with allowInlineContexts', async () => {
    const strict = await handlerWith({})
    const refused = await post(strict, '/issuers/di/credentials/issue', {
      credential: credential(issuerDid),
    })
    expect(refused.status).toBe(400)
    expect(refused.body.code).toBe('context_not_allowed')

    const conformance = await handlerWith({ dataIntegrity: { allowInlineContexts: true } })
    const issued = await post(conformance, '/issuers/di/credentials/issue', {
      credential: credential(issuerDid),
    })
    expect(issued.status, JSON.stringify(issued.body)).toBe(201)
    const secured = issued.body.verifiableCredential
    expect(secured.proof.cryptosuite).toBe('eddsa-rdfc-2022')

    // The same secured credential: verified with the option, refused without it.
    expect(
      (await post(conformance, '/credentials/verify', { verifiableCredential: secured })).status,
    ).toBe(200)
    const strictVerify = await post(strict, '/credentials/verify', {
      verifiableCredential: secured,
    })
    expect(strictVerify.status).toBe(422)
    expect(strictVerify.body.errors.map((e: { code: string }) => e.code)).toContain(
      'context_not_allowed',
    )
  })
})
