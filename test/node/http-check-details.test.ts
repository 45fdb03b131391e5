// No server detail in a verification's checks. A failed check's detail is the message of the error
// it raised, and a server fault's message is the server's own: a resolver's network error names an
// internal host and path. `errors` always had the fixed detail (http-server-paths.test.ts); the 422
// of POST /credentials/verify also carried `checks` with the raw message (found while building the
// verifier page), and the page's card must not carry it either.
import { describe, expect, it } from 'vitest'
import { createHandler } from '../../src/http/index.js'
import {
  CredsignError,
  JwtVcSigner,
  KeyVault,
  MemoryStore,
  generateKeyPair,
  loadPrivateKey,
  type KeyResolver,
} from '../../src/index.js'

const INTERNAL = 'https://10.1.2.3:8443/internal/keys/issuer'

async function credentialOfUnreachableIssuer(): Promise<string> {
  const { pkcs8, publicJwk } = await generateKeyPair('Ed25519')
  const key = await loadPrivateKey('Ed25519', pkcs8)
  return new JwtVcSigner({
    id: 'did:web:issuer.example#key-1',
    algorithm: 'Ed25519',
    publicJwk,
    sign: (bytes) => key.sign(bytes),
  }).sign({
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiableCredential'],
    issuer: 'did:web:issuer.example',
    credentialSubject: { id: 'did:example:alice' },
  })
}

/** A resolver that fails as a fetching one does when its host is down. */
const unreachable: KeyResolver = {
  async resolveKey() {
    throw new CredsignError('key_resolution_failed', `fetch ${INTERNAL} failed: ECONNREFUSED`)
  },
}

describe('verify answers carry no server message in their checks', () => {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
  })
  const handler = createHandler({
    vault,
    auth: { disabled: true },
    resolver: unreachable,
    verifierPage: true,
  })
  const post = (path: string, body: unknown) =>
    handler(
      new Request(`http://localhost${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    )

  it('POST /credentials/verify: 422, the key check failed with the fixed detail', async () => {
    const response = await post('/credentials/verify', {
      verifiableCredential: await credentialOfUnreachableIssuer(),
    })
    expect(response.status).toBe(422)
    const text = await response.text()
    expect(text).not.toContain('10.1.2.3')
    const body = JSON.parse(text) as {
      checks: { name: string; passed: boolean; detail?: string }[]
    }
    expect(body.checks.find((c) => !c.passed)).toEqual({
      name: 'key',
      passed: false,
      detail: 'a key could not be resolved',
    })
  })

  it('POST /verify (the verifier page): the card names the code, with the fixed detail', async () => {
    const response = await post('/verify', { input: await credentialOfUnreachableIssuer() })
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(text).not.toContain('10.1.2.3')
    const card = JSON.parse(text) as { verified: boolean; checks: unknown[] }
    expect(card.verified).toBe(false)
    expect(card.checks).toContainEqual({
      name: 'key',
      passed: false,
      code: 'key_resolution_failed',
      detail: 'a key could not be resolved',
    })
  })
})
