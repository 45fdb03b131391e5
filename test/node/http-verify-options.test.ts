// The VC-API verify routes are never looser than `verify()` with the server's options on the same
// document. A request names the challenge, the domain and the expected proof purpose of the
// document it sends, nothing else: `options.checks` turns no check off, an unknown member (a
// `checkValidity`, a `__proto__`) is refused, and the body is read as strict JSON only. In process:
// createHandler with web Request objects.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  dataIntegrityHandler,
  DataIntegritySigner,
} from '../../src/formats/data-integrity/index.js'
import { createHandler } from '../../src/http/index.js'
import {
  asDidSigner,
  createStatusListResolver,
  envelopeCredential,
  JwtVcSigner,
  JwtVpSigner,
  KeyVault,
  MemoryStatusListStore,
  MemoryStore,
  StatusLists,
  verify,
  type Signer,
} from '../../src/index.js'

type Json = Record<string, unknown>

const V2 = 'https://www.w3.org/ns/credentials/v2'
const VERIFIER = 'https://verifier.example'

const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
const handler = createHandler({ vault, auth: { disabled: true } })
let signer: Signer
let did: string

beforeAll(async () => {
  await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s1'] })
  signer = asDidSigner(await vault.unlock('issuer', ['s1']))
  did = signer.id.split('#')[0]!
})

interface Reply {
  status: number
  body: Json
}

async function postText(
  path: string,
  text: string,
  contentType = 'application/json',
): Promise<Reply> {
  const response = await handler(
    new Request(`http://localhost${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: text,
    }),
  )
  return { status: response.status, body: (await response.json()) as Json }
}

const post = (path: string, body: unknown): Promise<Reply> => postText(path, JSON.stringify(body))

/** What `verify()` says with this server's options (none: did:key, bundled contexts). */
async function libraryVerified(document: unknown, options: Json = {}): Promise<boolean> {
  const result = await verify(document, {
    handlers: [dataIntegrityHandler()],
    ...(options.challenge === undefined ? {} : { nonce: options.challenge as string }),
    ...(options.domain === undefined ? {} : { audience: options.domain as string }),
  })
  return result.verified
}

const credential = (extra: Json = {}): Json => ({
  '@context': [V2],
  type: ['VerifiableCredential'],
  issuer: did,
  credentialSubject: { id: 'did:example:alice' },
  ...extra,
})

const presentation = (credentials: unknown[]): Json => ({
  '@context': [V2],
  type: ['VerifiablePresentation'],
  holder: did,
  verifiableCredential: credentials,
})

describe('options.expectedProofPurpose is the request document’s purpose only', () => {
  it('a presentation whose credential’s proof is for authentication is refused, as verify() refuses it, whatever the presentation’s expected purpose', async () => {
    const forAuthentication = await new DataIntegritySigner(signer).sign(credential(), {
      proofPurpose: 'authentication',
    })
    const vp = await new DataIntegritySigner(signer).sign(presentation([forAuthentication]), {
      challenge: 'c-1',
      domain: VERIFIER,
    })
    const options = { challenge: 'c-1', domain: VERIFIER }
    expect(await libraryVerified(vp, options)).toBe(false)
    const reply = await post('/presentations/verify', {
      verifiablePresentation: vp,
      options: { ...options, expectedProofPurpose: 'authentication' },
    })
    expect(reply.status, JSON.stringify(reply.body)).toBe(422)
    expect(reply.body.code).toBe('embedded_credential_invalid')
    expect(reply.body.detail).toContain('proof_purpose_mismatch')
  })

  it('a presentation expected for authentication still verifies its assertionMethod credentials (control)', async () => {
    const asserted = await new DataIntegritySigner(signer).sign(credential())
    const vp = await new DataIntegritySigner(signer).sign(presentation([asserted]), {
      challenge: 'c-2',
      domain: VERIFIER,
    })
    const reply = await post('/presentations/verify', {
      verifiablePresentation: vp,
      options: { challenge: 'c-2', domain: VERIFIER, expectedProofPurpose: 'authentication' },
    })
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(reply.body.checks).toEqual(expect.arrayContaining(['proof_purpose', 'credentials']))
  })

  it('the purpose still applies to the request’s document: a presentation proof for assertionMethod is refused unless asked for', async () => {
    const vp = await new DataIntegritySigner(signer).sign(presentation([]), {
      proofPurpose: 'assertionMethod',
    })
    const refused = await post('/presentations/verify', { verifiablePresentation: vp })
    expect(refused.body.code).toBe('proof_purpose_mismatch')
    const asked = await post('/presentations/verify', {
      verifiablePresentation: vp,
      options: { expectedProofPurpose: 'assertionMethod' },
    })
    expect(asked.status, JSON.stringify(asked.body)).toBe(200)
    const credentialForAuthentication = await new DataIntegritySigner(signer).sign(credential(), {
      proofPurpose: 'authentication',
    })
    const askedOfCredential = await post('/credentials/verify', {
      verifiableCredential: credentialForAuthentication,
      options: { expectedProofPurpose: 'authentication' },
    })
    expect(askedOfCredential.status, JSON.stringify(askedOfCredential.body)).toBe(200)
  })
})

describe('a hostile request body is never verified more loosely than verify() would', () => {
  interface Row {
    name: string
    path: '/credentials/verify' | '/presentations/verify'
    /** The request body as sent. */
    text: () => Promise<string>
    contentType?: string
    /** The document and options verify() is given, when the row verifies one. */
    library?: () => Promise<{ document: unknown; options?: Json }>
    status: number
    code?: string
  }

  const expired = () =>
    new DataIntegritySigner(signer).sign(credential({ validUntil: '2020-01-01T00:00:00Z' }))
  const good = () => new DataIntegritySigner(signer).sign(credential())
  const jwtPresentationFor = async (audience: string) =>
    new JwtVpSigner(signer).sign(
      presentation([envelopeCredential(await new JwtVcSigner(signer).sign(credential()))]),
      { audience, nonce: 'n-1' },
    )
  const diPresentation = () =>
    new DataIntegritySigner(signer).sign(presentation([]), {
      challenge: 'c-3',
      domain: VERIFIER,
    })
  const vc = (document: unknown, options?: unknown) =>
    JSON.stringify({
      verifiableCredential: document,
      ...(options === undefined ? {} : { options }),
    })
  const vp = (document: unknown, options?: unknown) =>
    JSON.stringify({
      verifiablePresentation: document,
      ...(options === undefined ? {} : { options }),
    })

  const rows: Row[] = [
    {
      name: 'an expired credential with options.checks ["proof"]',
      path: '/credentials/verify',
      text: async () => vc(await expired(), { checks: ['proof'] }),
      library: async () => ({ document: await expired() }),
      status: 422,
      code: 'expired',
    },
    {
      name: 'an expired credential with options.checks []',
      path: '/credentials/verify',
      text: async () => vc(await expired(), { checks: [] }),
      status: 422,
      code: 'expired',
    },
    {
      name: 'options.checkValidity false',
      path: '/credentials/verify',
      text: async () => vc(await expired(), { checkValidity: false }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'options with a __proto__ member carrying checkValidity false',
      path: '/credentials/verify',
      text: async () =>
        `{"verifiableCredential": ${JSON.stringify(await expired())}, "options": {"__proto__": {"checkValidity": false}}}`,
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a top-level __proto__ member',
      path: '/credentials/verify',
      text: async () =>
        `{"verifiableCredential": ${JSON.stringify(await expired())}, "__proto__": {"options": {}}}`,
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'options as an array',
      path: '/credentials/verify',
      text: async () => vc(await good(), ['proof']),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'options as a string',
      path: '/credentials/verify',
      text: async () => vc(await good(), 'proof'),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'server options in options: allowedContexts, resolver, trustAnchors, verifyEmbedded, now, clock tolerance',
      path: '/credentials/verify',
      text: async () =>
        vc(await expired(), {
          allowedContexts: [],
          resolver: 'https://attacker.example/keys',
          trustAnchors: ['MIIB'],
          verifyEmbedded: false,
          now: 0,
          clockToleranceSeconds: 1e12,
        }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a huge challenge',
      path: '/presentations/verify',
      text: async () => vp(await diPresentation(), { challenge: 'c'.repeat(20_000) }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'verifiableCredential twice: the expired one, then a good one',
      path: '/credentials/verify',
      text: async () =>
        `{"verifiableCredential": ${JSON.stringify(await expired())}, "verifiableCredential": ${JSON.stringify(await good())}}`,
      status: 400,
      code: 'malformed',
    },
    {
      name: 'Content-Type text/plain',
      path: '/credentials/verify',
      text: async () => vc(await good()),
      contentType: 'text/plain',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'a JSON body that starts with a byte order mark',
      path: '/credentials/verify',
      text: async () => `\uFEFF${vc(await good())}`,
      status: 400,
      code: 'malformed',
    },
    {
      name: 'application/json; charset=utf-8 (control)',
      path: '/credentials/verify',
      text: async () => vc(await good()),
      contentType: 'application/json; charset=utf-8',
      library: async () => ({ document: await good() }),
      status: 200,
    },
    {
      name: 'a presentation whose credential expired',
      path: '/presentations/verify',
      text: async () =>
        vp(await new DataIntegritySigner(signer).sign(presentation([await expired()]))),
      library: async () => ({
        document: await new DataIntegritySigner(signer).sign(presentation([await expired()])),
      }),
      status: 422,
      code: 'embedded_credential_invalid',
    },
    {
      name: 'a vp+jwt for another audience, the request names no domain',
      path: '/presentations/verify',
      text: async () => vp(await jwtPresentationFor('https://other.example')),
      library: async () => ({ document: await jwtPresentationFor('https://other.example') }),
      status: 422,
      code: 'audience_mismatch',
    },
    {
      name: 'a vp+jwt for another audience, the request names this verifier',
      path: '/presentations/verify',
      text: async () =>
        vp(await jwtPresentationFor('https://other.example'), {
          domain: VERIFIER,
          challenge: 'n-1',
        }),
      library: async () => ({
        document: await jwtPresentationFor('https://other.example'),
        options: { domain: VERIFIER, challenge: 'n-1' },
      }),
      status: 422,
      code: 'audience_mismatch',
    },
    {
      name: 'a Data Integrity presentation with another challenge than the request’s',
      path: '/presentations/verify',
      text: async () => vp(await diPresentation(), { challenge: 'c-other', domain: VERIFIER }),
      library: async () => ({
        document: await diPresentation(),
        options: { challenge: 'c-other', domain: VERIFIER },
      }),
      status: 422,
      code: 'nonce_mismatch',
    },
  ]

  it('has distinct row names', () => {
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length)
  })

  for (const row of rows) {
    it(`${row.name} → ${row.status}${row.code === undefined ? '' : ` ${row.code}`}`, async () => {
      const reply = await postText(row.path, await row.text(), row.contentType)
      expect({ status: reply.status, code: reply.body.code }, JSON.stringify(reply.body)).toEqual({
        status: row.status,
        code: row.code,
      })
      if (row.library !== undefined) {
        const { document, options } = await row.library()
        // Never looser: a 200 only where verify() with the server's options verifies too.
        expect(reply.status === 200).toBe(await libraryVerified(document, options))
      }
    })
  }
})

describe('a 200 names only the checks that passed; what was not checked is a warning', () => {
  const withStatus = (): Json =>
    credential({
      credentialStatus: {
        id: 'https://status.example/lists/1#5',
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: '5',
        statusListCredential: 'https://status.example/lists/1',
      },
    })

  it('a credential whose status was not checked (no verify.statusLists): no status check, a status_unchecked warning', async () => {
    const signed = await new DataIntegritySigner(signer).sign(withStatus())
    const reply = await post('/credentials/verify', { verifiableCredential: signed })
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(reply.body.checks).not.toContain('status_unchecked')
    expect(reply.body.checks).toEqual(expect.arrayContaining(['signature', 'validity']))
    expect(reply.body.warnings).toEqual([{ name: 'status_unchecked' }])
  })

  it('a presentation: its credential’s unchecked status is a warning with its path; the challenge and domain it was checked against are named', async () => {
    const inner = await new DataIntegritySigner(signer).sign(withStatus())
    const vp = await new DataIntegritySigner(signer).sign(presentation([inner]), {
      challenge: 'c-4',
      domain: VERIFIER,
    })
    const reply = await post('/presentations/verify', {
      verifiablePresentation: vp,
      options: { challenge: 'c-4', domain: VERIFIER },
    })
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(reply.body).toMatchObject({ challenge: 'c-4', domain: VERIFIER })
    expect(reply.body.checks).toEqual(expect.arrayContaining(['nonce', 'audience']))
    expect(reply.body.warnings).toEqual([
      { name: 'status_unchecked', path: 'verifiableCredential[0]' },
    ])
  })

  it('a presentation verified without options.challenge or options.domain: each is a warning, not silence', async () => {
    const vp = await new DataIntegritySigner(signer).sign(presentation([]), {
      challenge: 'c-5',
      domain: VERIFIER,
    })
    const reply = await post('/presentations/verify', { verifiablePresentation: vp })
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(reply.body.checks).not.toContain('nonce')
    expect(reply.body).not.toHaveProperty('challenge')
    expect(reply.body.warnings).toEqual([
      { name: 'nonce', detail: 'not checked: the request has no options.challenge' },
      { name: 'audience', detail: 'not checked: the request has no options.domain' },
    ])
  })
})

describe('options.checks asking for the status: never a 200 with the status unchecked', () => {
  const withStatus = (): Json =>
    credential({
      credentialStatus: {
        id: 'https://status.example/lists/2#7',
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: '7',
        statusListCredential: 'https://status.example/lists/2',
      },
    })

  it('a credential with a status, on a server without verify.statusLists: 422 status_unchecked', async () => {
    const signed = await new DataIntegritySigner(signer).sign(withStatus())
    const reply = await post('/credentials/verify', {
      verifiableCredential: signed,
      options: { checks: ['proof', 'status'] },
    })
    expect(reply.status, JSON.stringify(reply.body)).toBe(422)
    expect(reply.body).toMatchObject({ code: 'status_unchecked', verified: false })
  })

  it('a presentation whose credential has a status: 422 status_unchecked, naming the credential', async () => {
    const inner = await new DataIntegritySigner(signer).sign(withStatus())
    const vp = await new DataIntegritySigner(signer).sign(presentation([inner]), {
      challenge: 'c-6',
    })
    const reply = await post('/presentations/verify', {
      verifiablePresentation: vp,
      options: { challenge: 'c-6', checks: ['credentialStatus'] },
    })
    expect(reply.status, JSON.stringify(reply.body)).toBe(422)
    expect(reply.body.code).toBe('status_unchecked')
    expect(reply.body.detail).toContain('verifiableCredential[0]')
  })

  it('without "status" in options.checks, or for a credential without a status, still 200 (control)', async () => {
    const signed = await new DataIntegritySigner(signer).sign(withStatus())
    const proofOnly = await post('/credentials/verify', {
      verifiableCredential: signed,
      options: { checks: ['proof'] },
    })
    expect(proofOnly.status, JSON.stringify(proofOnly.body)).toBe(200)
    const statusless = await post('/credentials/verify', {
      verifiableCredential: await new DataIntegritySigner(signer).sign(credential()),
      options: { checks: ['proof', 'status'] },
    })
    expect(statusless.status, JSON.stringify(statusless.body)).toBe(200)
  })
})

describe('a server verifying with checkValidity: false does not report a validity check', () => {
  const lenient = createHandler({
    vault,
    auth: { disabled: true },
    verify: { checkValidity: false },
  })

  const verifyWith = async (checks: string[]) => {
    const signed = await new DataIntegritySigner(signer).sign(
      credential({ validUntil: '2020-01-01T00:00:00Z' }),
    )
    const response = await lenient(
      new Request('http://localhost/credentials/verify', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verifiableCredential: signed, options: { checks } }),
      }),
    )
    return { status: response.status, body: (await response.json()) as Json }
  }

  it('options.checks asking for the validity period ("expiration", "validity"): 422 expectation_unchecked, not a 200', async () => {
    for (const name of ['expiration', 'validity']) {
      const reply = await verifyWith(['proof', name])
      expect(reply.status, JSON.stringify(reply.body)).toBe(422)
      expect(reply.body).toMatchObject({ code: 'expectation_unchecked', verified: false })
    }
    expect((await verifyWith(['proof'])).status).toBe(200) // as configured
  })

  it('an expired credential: 200 as configured, validity a warning and not among the checks', async () => {
    const signed = await new DataIntegritySigner(signer).sign(
      credential({ validUntil: '2020-01-01T00:00:00Z' }),
    )
    const response = await lenient(
      new Request('http://localhost/credentials/verify', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verifiableCredential: signed }),
      }),
    )
    const body = (await response.json()) as Json
    expect(response.status, JSON.stringify(body)).toBe(200)
    expect(body.checks).toEqual(expect.arrayContaining(['signature']))
    expect(body.checks).not.toContain('validity')
    expect(body.warnings).toEqual([
      { name: 'validity', detail: 'not checked: this server verifies with checkValidity: false' },
    ])
  })
})

describe('a /credentials/verify expected purpose is not its status list’s', () => {
  const LIST_URL = 'https://issuer.example/status-lists/purpose'

  /** A handler whose status source holds the list signed for `listPurpose`, and an entry of it. */
  async function serverWithList(listPurpose: string) {
    const lists = new StatusLists({ store: new MemoryStatusListStore(), signer })
    await lists.createList({ id: 'l', kind: 'bitstring', purpose: 'revocation', url: LIST_URL })
    const allocation = await lists.allocate('l')
    if (allocation.kind !== 'bitstring') throw new Error('a bitstring entry')
    const listCredential = await new DataIntegritySigner(signer).sign(
      await lists.statusListCredential('l'),
      { proofPurpose: listPurpose },
    )
    const server = createHandler({
      vault,
      auth: { disabled: true },
      verify: { statusLists: createStatusListResolver({ lists: { [LIST_URL]: listCredential } }) },
    })
    const signed = await new DataIntegritySigner(signer).sign(
      credential({ credentialStatus: allocation.credentialStatus }),
      { proofPurpose: 'authentication' },
    )
    const response = await server(
      new Request('http://localhost/credentials/verify', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          verifiableCredential: signed,
          options: { expectedProofPurpose: 'authentication' },
        }),
      }),
    )
    return { status: response.status, body: (await response.json()) as Json }
  }

  it('a status list whose proof is for authentication does not vouch for the credential’s status', async () => {
    const reply = await serverWithList('authentication')
    expect(reply.status, JSON.stringify(reply.body)).toBe(422)
    expect(JSON.stringify(reply.body)).toContain('proof_purpose_mismatch')
  })

  it('the list signed for assertionMethod checks the status of a credential expected for authentication (control)', async () => {
    const reply = await serverWithList('assertionMethod')
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(reply.body.checks).toContain('status')
  })
})
