// Issue 13, item 3: the VC-API verify routes answer 200 only for what they are named after.
// `POST /credentials/verify` is 200 only for a verified credential (vc+jwt, vc-jwt, an SD-JWT
// credential, a Data Integrity credential); `POST /presentations/verify` only for a verified
// presentation (vp+jwt, vp-jwt, a Data Integrity presentation, an SD-JWT with its KB-JWT). A string
// is accepted only as a compact JWT / SD-JWT serialization, never as stringified JSON; an object
// only as a Data Integrity document or an envelope. Everything else is a 422 problem
// `not_a_credential` / `not_a_presentation`. Over a real socket: node:http on 127.0.0.1, port 0.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProof } from '../../src/formats/data-integrity/create-proof.js'
import { suiteForSigning } from '../../src/formats/data-integrity/cryptosuites.js'
import { offlineDocumentLoader } from '../../src/formats/data-integrity/document-loader.js'
import { DataIntegritySigner } from '../../src/formats/data-integrity/index.js'
import { createHandler, toNodeListener } from '../../src/http/index.js'
import {
  asDidSigner,
  envelopeCredential,
  JwtVcSigner,
  JwtVpSigner,
  KeyVault,
  MemoryStore,
  SdJwtVcSigner,
  signCompact,
  signFlattened,
  signGeneral,
  signJwt,
  type Signer,
} from '../../src/index.js'

type Json = Record<string, unknown>

const V2 = 'https://www.w3.org/ns/credentials/v2'
const TOKEN = 'strict-verify-token-0123456789'

let server: Server
let base: string
let signer: Signer
let did: string

beforeAll(async () => {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
    kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
  })
  await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s1'] })
  signer = asDidSigner(await vault.unlock('issuer', ['s1']))
  did = signer.id.split('#')[0]!
  server = createServer(toNodeListener(createHandler({ vault, auth: { bearerTokens: [TOKEN] } })))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

interface Reply {
  status: number
  body: any
  text: string
  type: string | null
}

async function post(path: string, body: unknown): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  return {
    status: response.status,
    text,
    body: text === '' ? undefined : JSON.parse(text),
    type: response.headers.get('content-type'),
  }
}

const verifyCredential = (document: unknown): Promise<Reply> =>
  post('/credentials/verify', { verifiableCredential: document })
const verifyPresentation = (document: unknown, options?: Json): Promise<Reply> =>
  post('/presentations/verify', {
    verifiablePresentation: document,
    ...(options === undefined ? {} : { options }),
  })

function expectRefused(reply: Reply, code: 'not_a_credential' | 'not_a_presentation'): void {
  expect({ status: reply.status, code: reply.body?.code }, reply.text).toEqual({
    status: 422,
    code,
  })
  expect(reply.type).toBe('application/problem+json')
  expect(reply.body).toMatchObject({
    type: `urn:credsign:error:${code}`,
    title: code,
    status: 422,
    verified: false,
  })
  expect(reply.body.errors.map((e: Json) => e.code)).toContain(code)
}

const draft = (extra: Json = {}): Json => ({
  '@context': [V2],
  type: ['VerifiableCredential'],
  issuer: did,
  validFrom: '2024-01-01T00:00:00Z',
  credentialSubject: { id: 'did:example:alice', name: 'Alice' },
  ...extra,
})

const diCredential = (): Promise<Json> => new DataIntegritySigner(signer).sign(draft())
const vcJwt = (): Promise<string> => new JwtVcSigner(signer).sign(draft())

/** The compact JWS `h.p.s` as the flattened and general JSON serializations (RFC 7515 section 7.2). */
function jsonSerializations(compact: string): { flattened: Json; general: Json } {
  const [protectedHeader, payload, signature] = compact.split('.')
  return {
    flattened: { protected: protectedHeader, payload, signature },
    general: { payload, signatures: [{ protected: protectedHeader, signature }] },
  }
}

describe('POST /credentials/verify: 200 only for a verified credential', () => {
  it('still verifies each credential format: Data Integrity, vc+jwt, its envelope, VCDM 1.1 vc-jwt, vc+sd-jwt (control)', async () => {
    const v11 = await new JwtVcSigner(signer).sign({
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiableCredential'],
      issuer: did,
      issuanceDate: '2024-01-01T00:00:00Z',
      credentialSubject: { id: 'did:example:alice' },
    })
    const sdJwt = await new SdJwtVcSigner(signer).signCredential(draft(), {
      disclosureFrame: { credentialSubject: { _sd: ['name'] } },
    })
    const cases: [string, unknown, string][] = [
      ['data-integrity', await diCredential(), 'data-integrity'],
      ['vc+jwt', await vcJwt(), 'vc+jwt'],
      ['enveloped vc+jwt', envelopeCredential(await vcJwt()), 'vc+jwt'],
      ['vc-jwt', v11, 'vc-jwt'],
      ['enveloped vc+sd-jwt', envelopeCredential(sdJwt, 'application/vc+sd-jwt'), 'sd-jwt'],
    ]
    for (const [name, document, format] of cases) {
      const reply = await verifyCredential(document)
      expect({ name, status: reply.status }, reply.text).toEqual({ name, status: 200 })
      expect(reply.body).toMatchObject({ verified: true, format })
    }
  })

  it('a JWS over the text "hello" is not a credential', async () => {
    const jws = await signCompact(signer, 'hello')
    expectRefused(await verifyCredential(jws), 'not_a_credential')
  })

  it('a plain JWT (no vc claim, no credential typ) is not a credential', async () => {
    const jwt = await signJwt(signer, {
      iss: did,
      sub: 'did:example:alice',
      iat: Math.floor(Date.now() / 1000),
    })
    expectRefused(await verifyCredential(jwt), 'not_a_credential')
  })

  it('a vc+jwt in the flattened or general JSON serialization is refused (VC-JOSE-COSE uses the compact one), as an object and as a string', async () => {
    const { flattened, general } = jsonSerializations(await vcJwt())
    for (const document of [
      flattened,
      general,
      JSON.stringify(flattened),
      JSON.stringify(general),
    ]) {
      expectRefused(await verifyCredential(document), 'not_a_credential')
    }
    // Signed as JSON serializations by the library itself, too.
    const payload = JSON.stringify({ ...draft(), iss: did })
    const input = { signer, protectedHeader: { typ: 'vc+jwt', cty: 'vc' } }
    expectRefused(await verifyCredential(await signFlattened(input, payload)), 'not_a_credential')
    expectRefused(await verifyCredential(await signGeneral(payload, [input])), 'not_a_credential')
  })

  it('a Data Integrity credential sent as a JSON string is refused ("securedDocument is not a map")', async () => {
    const secured = await diCredential()
    expect((await verifyCredential(secured)).status).toBe(200)
    expectRefused(await verifyCredential(JSON.stringify(secured)), 'not_a_credential')
    expectRefused(await verifyCredential(`  ${JSON.stringify(secured)}\n`), 'not_a_credential')
  })

  it('a string that is no JWT / SD-JWT serialization is refused without being verified', async () => {
    for (const text of ['not-a-credential', '[]', '"quoted"', 'a.b', 'a.b.c.d', 'a.b.c~x y~']) {
      expectRefused(await verifyCredential(text), 'not_a_credential')
    }
  })

  it('an expired credential wrapped in a top-level @graph is not 200', async () => {
    const expired = draft({
      id: 'urn:uuid:6a3c1f0e-6d1b-4c0e-9f1a-0c9b8f2d7e11',
      validFrom: '2020-01-01T00:00:00Z',
      validUntil: '2021-01-01T00:00:00Z',
    })
    const { '@context': context, ...node } = expired
    const document: Json = { '@context': context, '@graph': [node] }
    const suite = suiteForSigning('eddsa-rdfc-2022', 'Ed25519')
    const { proof } = await createProof(
      document,
      [],
      suite,
      signer,
      {
        verificationMethod: signer.id,
        proofPurpose: 'assertionMethod',
        created: '2020-01-01T00:00:00Z',
      },
      offlineDocumentLoader(),
    )
    const reply = await verifyCredential({ ...document, proof })
    expect(reply.status, reply.text).toBe(422)
    expect(reply.type).toBe('application/problem+json')
    expect(reply.body.verified).toBe(false)
  })

  it('a presentation is not a credential', async () => {
    const vp = await new JwtVpSigner(signer).sign({
      '@context': [V2],
      type: ['VerifiablePresentation'],
      holder: did,
    })
    expectRefused(await verifyCredential(vp), 'not_a_credential')
  })

  it('an envelope whose media type does not match its content is refused', async () => {
    const jwt = await vcJwt()
    expectRefused(
      await verifyCredential(envelopeCredential(jwt, 'application/vc+sd-jwt')),
      'not_a_credential',
    )
    expectRefused(
      await verifyCredential(envelopeCredential(jwt, 'application/json')),
      'not_a_credential',
    )
  })
})

describe('POST /presentations/verify: 200 only for a verified presentation', () => {
  it('still verifies presentations: vp+jwt, Data Integrity (control)', async () => {
    const vp = await new JwtVpSigner(signer).sign({
      '@context': [V2],
      type: ['VerifiablePresentation'],
      holder: did,
      verifiableCredential: [envelopeCredential(await vcJwt())],
    })
    const jwtReply = await verifyPresentation(vp)
    expect(jwtReply.status, jwtReply.text).toBe(200)
    expect(jwtReply.body).toMatchObject({ verified: true, format: 'vp+jwt' })
    const di = await new DataIntegritySigner(signer).sign(
      { '@context': [V2], type: ['VerifiablePresentation'], holder: did },
      { challenge: 'n-1', domain: 'https://verifier.example' },
    )
    const diReply = await verifyPresentation(di, {
      challenge: 'n-1',
      domain: 'https://verifier.example',
    })
    expect(diReply.status, diReply.text).toBe(200)
    expect(diReply.body).toMatchObject({ verified: true, format: 'data-integrity' })
  })

  it('a credential, a JWS over "hello" and a plain JWT are not presentations', async () => {
    expectRefused(await verifyPresentation(await vcJwt()), 'not_a_presentation')
    expectRefused(await verifyPresentation(await diCredential()), 'not_a_presentation')
    expectRefused(
      await verifyPresentation(await signCompact(signer, 'hello')),
      'not_a_presentation',
    )
    expectRefused(
      await verifyPresentation(
        await signJwt(signer, { iss: did, iat: Math.floor(Date.now() / 1000) }),
      ),
      'not_a_presentation',
    )
  })

  it('a presentation as a JSON string, or in a JSON serialization, is refused', async () => {
    const di = await new DataIntegritySigner(signer).sign({
      '@context': [V2],
      type: ['VerifiablePresentation'],
      holder: did,
    })
    expectRefused(await verifyPresentation(JSON.stringify(di)), 'not_a_presentation')
    const vp = await new JwtVpSigner(signer).sign({
      '@context': [V2],
      type: ['VerifiablePresentation'],
      holder: did,
    })
    const { flattened, general } = jsonSerializations(vp)
    for (const document of [flattened, general, JSON.stringify(general)])
      expectRefused(await verifyPresentation(document), 'not_a_presentation')
  })

  it('an SD-JWT without a KB-JWT is a credential, not a presentation', async () => {
    const sdJwt = await new SdJwtVcSigner(signer).issue(
      { vct: 'https://credentials.example/identity', iss: did, given_name: 'Erika' },
      { disclosureFrame: { _sd: ['given_name'] } },
    )
    expect((await verifyCredential(sdJwt)).status).toBe(200)
    expectRefused(await verifyPresentation(sdJwt), 'not_a_presentation')
  })
})
