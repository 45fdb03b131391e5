// createVerifier({ handlers: [joseHandler] }) against verify() on one corpus of JWS / JWT / JWT-VC /
// JWT-VP inputs (valid, forged, expired, wrong typ, relatedResource, status, x5c, did:web kid,
// SD-JWT and envelopes it was not given, garbage). The slim verifier must never say verified where
// verify() does not, and must agree with it exactly (verdict, format, error codes, checks) on every
// input that needs nothing it was not configured with. A verifier given every built-in part agrees
// with verify() on all of them.
import { describe, expect, it } from 'vitest'
import {
  JwtVcSigner,
  JwtVpSigner,
  SdJwtVcSigner,
  createStatusListResolver,
  createTrustAnchors,
  createVerifier,
  envelopeCredential,
  envelopedHandler,
  joseHandler,
  loadPrivateKey,
  parseCertificate,
  sdJwtHandler,
  signJwt,
  statusListChecker,
  verify,
  type Signer,
  type VerificationResult,
  type VerifyOptions,
} from '../../src/index.js'
import { decodePem } from '../../src/keys/pem.js'
import { b64u, utf8 } from '../../src/util/bytes.js'
import {
  FIXTURE_ISSUER,
  FIXTURE_LEAF_KEY_PEM,
  FIXTURE_ROOT_PEM,
  FIXTURE_X5C,
} from '../fixtures/x509/chain.js'
import { LIST_URL, bitstringEntry, bitstringListJwt, servingFetch } from './status-helpers.js'
import { V1, V2, credentialV1, credentialV2, didOf, didSigner, signRaw } from './vc-helpers.js'

interface Case {
  name: string
  input: unknown
  options?: VerifyOptions
  /** The input needs a part the slim verifier was not given (SD-JWT, envelopes, status lists). */
  needsMore?: true
}

const X5C_NOW = Date.UTC(2030, 0, 1)
const V2_SRI = 'sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU'
const WRONG_SRI = 'sha384-_rCVIV7fSXXTNIvpiq26jRDyj8JG8TDjij-tD0ewLk4JpnXEz6a5AeeY_1qQ0d0P'

function flipLastChar(token: string): string {
  const last = token.at(-1) === 'A' ? 'B' : 'A'
  return token.slice(0, -1) + last
}

function flattened(compact: string): Record<string, string> {
  const [protectedB64, payload, signature] = compact.split('.') as [string, string, string]
  return { protected: protectedB64, payload, signature }
}

async function x5cSigner(): Promise<Signer> {
  const key = await loadPrivateKey('P-256', decodePem(FIXTURE_LEAF_KEY_PEM)[0]?.der as Uint8Array)
  const { publicJwk } = await parseCertificate(FIXTURE_X5C[0] as string)
  if (publicJwk === undefined) throw new Error('no key in the fixture leaf')
  return { id: 'leaf', algorithm: 'P-256', publicJwk, sign: (data) => key.sign(data) }
}

async function corpus(): Promise<Case[]> {
  const issuer = await didSigner('Ed25519')
  const p256 = await didSigner('P-256')
  const holder = await didSigner('Ed25519')
  const vc = await new JwtVcSigner(issuer).sign(credentialV2())
  const vcP256 = await new JwtVcSigner(p256).sign(credentialV2())
  const vc11 = await new JwtVcSigner(issuer).sign(credentialV1(), { version: '1.1' })
  const now = Math.floor(Date.now() / 1000)
  const v2Payload = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    ...credentialV2({ issuer: didOf(issuer) }),
    iss: didOf(issuer),
    ...extra,
  })
  const header = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    alg: 'EdDSA',
    kid: issuer.id,
    typ: 'vc+jwt',
    ...extra,
  })
  const expired = await signRaw(issuer, header(), v2Payload({ exp: now - 3600 }))
  const notYet = await signRaw(issuer, header(), v2Payload({ nbf: now + 3600 }))
  const wrongTyp = await signRaw(issuer, header({ typ: 'JWT' }), v2Payload())
  const didWebKid = await signRaw(
    issuer,
    header({ kid: 'did:web:issuer.example#key-1' }),
    v2Payload({ issuer: 'did:web:issuer.example', iss: 'did:web:issuer.example' }),
  )
  const wrongIssuer = await signRaw(
    issuer,
    header(),
    v2Payload({ issuer: didOf(holder), iss: didOf(holder) }),
  )
  const plainJwt = await signJwt(issuer, { iss: didOf(issuer), aud: 'https://verifier.example' })
  const vcRelated = await new JwtVcSigner(issuer).sign(
    credentialV2({ relatedResource: [{ id: V2, digestSRI: V2_SRI }] }),
  )
  const vcRelatedWrong = await signRaw(
    issuer,
    header(),
    v2Payload({ relatedResource: [{ id: V2, digestSRI: WRONG_SRI }] }),
  )
  const vcRelatedUnknown = await new JwtVcSigner(issuer).sign(
    credentialV2({
      relatedResource: [{ id: 'https://issuer.example/logo.svg', digestSRI: V2_SRI }],
    }),
  )
  const vcStatus = await new JwtVcSigner(issuer).sign(
    credentialV2({ credentialStatus: bitstringEntry(7) }),
  )
  const vcRevoked = await new JwtVcSigner(issuer).sign(
    credentialV2({ credentialStatus: bitstringEntry(5) }),
  )
  const list = await bitstringListJwt(issuer, { set: { 5: 1 } })
  const statusLists = createStatusListResolver({
    fetch: servingFetch({ [LIST_URL]: { body: list, type: 'application/vc+jwt' } }).fetch,
  })
  const vp = await new JwtVpSigner(holder).sign(
    { '@context': [V2], type: ['VerifiablePresentation'], verifiableCredential: [] },
    { audience: 'https://verifier.example', nonce: 'n-1' },
  )
  const vpWithVc = await new JwtVpSigner(holder).sign(
    {
      '@context': [V2],
      type: ['VerifiablePresentation'],
      verifiableCredential: [envelopeCredential(vc)],
    },
    { audience: 'https://verifier.example', nonce: 'n-1' },
  )
  const vp11 = await new JwtVpSigner(holder).sign(
    { '@context': [V1], type: ['VerifiablePresentation'], verifiableCredential: [vc11] },
    { version: '1.1', audience: 'https://verifier.example', nonce: 'n-1' },
  )
  const sdJwt = await new SdJwtVcSigner(issuer).issue(
    { given_name: 'Erika' },
    { vct: 'https://credentials.example/identity', disclosureFrame: { _sd: ['given_name'] } },
  )
  const sdJwtNoTilde = sdJwt.split('~')[0] as string
  const sdTypedFlattened = flattened(
    await signRaw(issuer, header({ typ: 'dc+sd-jwt' }), {
      iss: didOf(issuer),
      vct: 'https://credentials.example/identity',
    }),
  )
  const leaf = await x5cSigner()
  const x5cJwt = await signRaw(
    leaf,
    { alg: 'ES256', typ: 'JWT', x5c: [...FIXTURE_X5C] },
    { iss: FIXTURE_ISSUER, sub: 'alice' },
  )
  const trustAnchors = createTrustAnchors([FIXTURE_ROOT_PEM])
  const unsignedHeader = `${b64u(utf8(JSON.stringify({ alg: 'none' })))}.${b64u(utf8('{}'))}.`

  return [
    { name: 'vc+jwt Ed25519', input: vc },
    { name: 'vc+jwt P-256', input: vcP256 },
    { name: 'vc-jwt (VCDM 1.1)', input: vc11 },
    { name: 'vc+jwt, JSON flattened', input: flattened(vc) },
    { name: 'vc+jwt, as a JSON string', input: JSON.stringify(flattened(vc)) },
    { name: 'forged signature', input: flipLastChar(vc) },
    { name: 'forged payload', input: vc.replace(/\.[^.]+\./, `.${b64u(utf8('{"iss":"x"}'))}.`) },
    {
      name: 'forged, flattened',
      input: { ...flattened(vc), signature: flipLastChar(vc).split('.')[2] },
    },
    { name: 'expired', input: expired },
    { name: 'not yet valid', input: notYet },
    { name: 'expired, validity not checked', input: expired, options: { checkValidity: false } },
    { name: 'wrong typ', input: wrongTyp },
    { name: 'issuer not the key controller', input: wrongIssuer },
    { name: 'did:web kid, no fetcher', input: didWebKid },
    { name: 'algorithms excludes EdDSA', input: vc, options: { algorithms: ['ES256'] } },
    { name: 'alg none', input: unsignedHeader },
    { name: 'plain JWT', input: plainJwt },
    {
      name: 'plain JWT, audience matches',
      input: plainJwt,
      options: { audience: 'https://verifier.example' },
    },
    {
      name: 'plain JWT, audience wrong',
      input: plainJwt,
      options: { audience: 'https://other.example' },
    },
    { name: 'credential with a nonce asked', input: vc, options: { nonce: 'n-1' } },
    {
      name: 'allowedContexts refuses the examples context',
      input: vc,
      options: { allowedContexts: [V2] },
    },
    { name: 'relatedResource, bundled context, matches', input: vcRelated },
    { name: 'relatedResource, bundled context, wrong digest', input: vcRelatedWrong },
    { name: 'relatedResource, not dereferenceable', input: vcRelatedUnknown },
    {
      name: 'relatedResource, not dereferenceable, required',
      input: vcRelatedUnknown,
      options: { relatedResources: { required: true } },
    },
    { name: 'credentialStatus, no statusLists', input: vcStatus },
    {
      name: 'credentialStatus, statusLists, valid',
      input: vcStatus,
      options: { statusLists },
      needsMore: true,
    },
    {
      name: 'credentialStatus, statusLists, revoked',
      input: vcRevoked,
      options: { statusLists },
      needsMore: true,
    },
    {
      name: 'vp+jwt, no credentials',
      input: vp,
      options: { audience: 'https://verifier.example', nonce: 'n-1' },
    },
    {
      name: 'vp+jwt, wrong nonce',
      input: vp,
      options: { audience: 'https://verifier.example', nonce: 'n-2' },
    },
    { name: 'vp+jwt, no nonce asked', input: vp },
    {
      name: 'vp+jwt with an enveloped vc+jwt',
      input: vpWithVc,
      options: { audience: 'https://verifier.example', nonce: 'n-1' },
    },
    {
      name: 'vp-jwt (VCDM 1.1) with a vc-jwt',
      input: vp11,
      options: { audience: 'https://verifier.example', nonce: 'n-1' },
    },
    { name: 'x5c, trust anchors', input: x5cJwt, options: { trustAnchors, now: X5C_NOW } },
    { name: 'x5c, no trust anchors', input: x5cJwt, options: { now: X5C_NOW } },
    { name: 'SD-JWT VC', input: sdJwt, needsMore: true },
    { name: 'SD-JWT typ without ~', input: sdJwtNoTilde, needsMore: true },
    { name: 'SD-JWT typ, flattened, no disclosures', input: sdTypedFlattened, needsMore: true },
    { name: 'enveloped vc+jwt object', input: envelopeCredential(vc), needsMore: true },
    { name: 'garbage string', input: 'not a token' },
    { name: 'three empty segments', input: '..' },
    { name: 'an unsecured credential', input: credentialV2() },
    {
      name: 'a Data Integrity credential',
      input: { ...credentialV2(), proof: { type: 'DataIntegrityProof' } },
    },
    { name: 'a number', input: 42 },
  ]
}

/** What must agree: the verdict, the format, the error codes, the checks by name and outcome. */
function summary(result: VerificationResult): unknown {
  return {
    verified: result.verified,
    format: result.format,
    errors: result.errors.map((error) => error.code),
    checks: result.checks
      .filter((check) => check.name !== 'status_unchecked')
      .map((check) => `${check.name}:${check.passed}`),
    statusUnchecked: result.checks.some((check) => check.name === 'status_unchecked'),
  }
}

describe('createVerifier against verify()', () => {
  const slim = createVerifier({ handlers: [joseHandler] })
  const slimWithStatus = createVerifier({
    handlers: [joseHandler],
    statusCheckers: [statusListChecker],
  })
  const full = createVerifier({
    handlers: [sdJwtHandler, joseHandler, envelopedHandler],
    statusCheckers: [statusListChecker],
  })

  it('the JOSE-only verifier never verifies what verify() refuses, and agrees where it is configured enough', async () => {
    const cases = await corpus()
    let agreed = 0
    for (const { name, input, options, needsMore } of cases) {
      const reference = await verify(input, options)
      if (options?.statusLists !== undefined) {
        // No status checker: statusLists is refused loudly, never ignored.
        await expect(slim(input, options), name).rejects.toMatchObject({ code: 'invalid_argument' })
        const withStatus = await slimWithStatus(input, options)
        expect(summary(withStatus), name).toEqual(summary(reference))
        continue
      }
      const result = await slim(input, options)
      if (result.verified) expect(reference.verified, name).toBe(true)
      if (needsMore) {
        expect(result.verified, name).toBe(false)
        expect(result.errors.length, name).toBeGreaterThan(0)
      } else {
        expect(summary(result), name).toEqual(summary(reference))
        agreed += 1
      }
    }
    // The corpus is mostly inputs the JOSE path alone must handle exactly as verify() does.
    expect(agreed).toBeGreaterThan(30)
  })

  it('a verifier with every built-in handler and the status checker agrees with verify() on all of it', async () => {
    for (const { name, input, options } of await corpus()) {
      expect(summary(await full(input, options)), name).toEqual(
        summary(await verify(input, options)),
      )
    }
  })

  it('inputs it was not given the handler for fail with format_not_enabled, naming what to pass', async () => {
    const cases = new Map((await corpus()).map((c) => [c.name, c.input]))
    for (const name of [
      'SD-JWT VC',
      'SD-JWT typ without ~',
      'SD-JWT typ, flattened, no disclosures',
      'enveloped vc+jwt object',
    ]) {
      const result = await slim(cases.get(name))
      expect(result.verified, name).toBe(false)
      expect(
        result.errors.map((e) => e.code),
        name,
      ).toEqual(['format_not_enabled'])
      expect(result.errors[0]?.message, name).toMatch(/verify\(\)|Handler/)
    }
  })

  it('a status without a status checker is a visible status_unchecked check, not a pass in silence', async () => {
    const issuer = await didSigner('Ed25519')
    const jwt = await new JwtVcSigner(issuer).sign(
      credentialV2({ credentialStatus: bitstringEntry(3) }),
    )
    const result = await slim(jwt)
    expect(result.verified).toBe(true)
    expect(result.checks.find((c) => c.name === 'status_unchecked')).toMatchObject({
      passed: false,
    })
  })

  it('joseHandler refuses a JWS that says it is an SD-JWT, in verify() too (key binding must not be skipped)', async () => {
    const issuer = await didSigner('Ed25519')
    const typed = await signRaw(
      issuer,
      { alg: 'EdDSA', kid: issuer.id, typ: 'dc+sd-jwt' },
      { iss: didOf(issuer), vct: 'https://credentials.example/identity', cnf: { jwk: {} } },
    )
    const noContext = {
      verify: async (): Promise<VerificationResult> => {
        throw new Error('no embedded credentials here')
      },
    }
    // A flattened JSON serialization without disclosures: sdJwtHandler does not claim it, so
    // verify() used to verify it as a plain JWS, without the cnf / key binding rule.
    for (const input of [typed, flattened(typed)]) {
      const direct = await joseHandler.verify(input, {}, noContext)
      expect(direct.verified).toBe(false)
      expect(direct.errors.map((e) => e.code)).toEqual(['format_not_enabled'])
    }
    const viaVerify = await verify(flattened(typed))
    expect(viaVerify.verified).toBe(false)
    expect(viaVerify.errors.map((e) => e.code)).toEqual(['format_not_enabled'])
    const unprotected = {
      ...flattened(await signRaw(issuer, { alg: 'EdDSA', kid: issuer.id }, { iss: didOf(issuer) })),
      header: { kb_jwt: 'x.y.z' },
    }
    expect((await joseHandler.verify(unprotected, {}, noContext)).verified).toBe(false)
  })

  it('refuses malformed configurations', () => {
    expect(() => createVerifier({ handlers: [] })).toThrow(/at least one/)
    expect(() => createVerifier(null as never)).toThrow(/must be an object/)
    expect(() => createVerifier({ handlers: [{ name: 'x' } as never] })).toThrow(/detect/)
    expect(() =>
      createVerifier({ handlers: [joseHandler], statusCheckers: ['no' as never] }),
    ).toThrow(/statusCheckers/)
  })
})

describe('a JWS typed as an SD-JWT in any spelling is never a plain JWS', () => {
  it('typ sd-jwt / application/sd-jwt (RFC 9901 media type), any case, with stray whitespace', async () => {
    const issuer = await didSigner('Ed25519')
    const slim = createVerifier({ handlers: [joseHandler] })
    for (const typ of [
      'sd-jwt',
      'application/sd-jwt',
      'SD-JWT',
      'sd-jwt+json',
      'dc+sd-jwt ',
      ' vc+sd-jwt',
      'dc+sd-jwt\n',
    ]) {
      // An issuer-signed JWT with cnf, stripped of its disclosures: as a plain JWS it would pass
      // without the key binding its cnf asks for.
      const typed = await signRaw(
        issuer,
        { alg: 'EdDSA', kid: issuer.id, typ },
        { iss: didOf(issuer), vct: 'https://credentials.example/identity', cnf: { jwk: {} } },
      )
      for (const input of [typed, flattened(typed)]) {
        for (const result of [await verify(input), await slim(input)]) {
          expect(result.verified, JSON.stringify(typ)).toBe(false)
          expect(result.format, JSON.stringify(typ)).toBe('sd-jwt')
        }
      }
    }
  })
})

describe('an issuer-signed SD-JWT payload is never a plain JWT', () => {
  it('a JWS whose payload has _sd_alg or top-level _sd (RFC 9901 section 4), whatever its typ, stripped of ~', async () => {
    const issuer = await didSigner('Ed25519')
    const slim = createVerifier({ handlers: [joseHandler] })
    // The issuer-signed part of an untyped SD-JWT (RFC 9901 does not require a typ): without its
    // disclosures and key binding JWT it would verify as a JWT, its cnf never proven.
    const sdPayload = {
      iss: didOf(issuer),
      _sd: ['ZnJvbS1hLWRpZ2VzdC1vZi1hLWRpc2Nsb3N1cmUtaGVyZQ'],
      cnf: { jwk: {} },
    }
    for (const [header, payload] of [
      [
        { alg: 'EdDSA', kid: issuer.id },
        { ...sdPayload, _sd_alg: 'sha-256' },
      ],
      [{ alg: 'EdDSA', kid: issuer.id, typ: 'JWT' }, sdPayload],
      [
        { alg: 'EdDSA', kid: issuer.id },
        { iss: didOf(issuer), _sd_alg: 'sha-256' },
      ],
    ] as const) {
      const token = await signRaw(issuer, header, payload)
      for (const input of [token, flattened(token)]) {
        for (const result of [await verify(input), await slim(input)]) {
          expect(result.verified, JSON.stringify(payload)).toBe(false)
          expect(result.format).toBe('sd-jwt')
        }
      }
    }
    // A nested _sd (not a top-level claim) alone is left alone: such a payload is a JWT's data.
    const nested = await signRaw(
      issuer,
      { alg: 'EdDSA', kid: issuer.id },
      { iss: didOf(issuer), data: { _sd: [] } },
    )
    expect((await slim(nested)).verified).toBe(true)
  })
})
