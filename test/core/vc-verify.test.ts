import { beforeAll, describe, expect, it } from 'vitest'
import {
  signCompact,
  signFlattened,
  signGeneral,
  staticResolver,
  type KeyResolver,
  type Signer,
} from '../../src/index.js'
import {
  JwtVcSigner,
  JwtVpSigner,
  decodeJwtCredential,
  envelopeCredential,
  joseHandler,
} from '../../src/index.js'
import {
  codes,
  credentialV1,
  credentialV2,
  decode,
  didOf,
  didSigner,
  expectVerified,
  plainSigner,
  presentationV1,
  presentationV2,
  signRaw,
  verifyVc,
} from './vc-helpers.js'
import vc11 from '../fixtures/vectors/jose-cose/vc11-example-016.json' with { type: 'json' }

const NOW = Date.UTC(2025, 5, 1, 12)
const SECONDS = NOW / 1000

let issuer: Signer
let holder: Signer
beforeAll(async () => {
  issuer = await didSigner('Ed25519')
  holder = await didSigner('P-256')
})

const vcSigner = () => new JwtVcSigner(issuer, { now: () => NOW })

describe('joseHandler.detect', () => {
  it('claims compact JWS and JSON serializations, nothing else', () => {
    expect(joseHandler.detect('eyJhbGciOiJFUzI1NiJ9.e30.c2ln')).toBe(true)
    expect(joseHandler.detect('eyJhbGciOiJFUzI1NiJ9.e30.')).toBe(true)
    expect(joseHandler.detect({ payload: 'e30', signature: 'c2ln', protected: 'eyJ' })).toBe(true)
    expect(joseHandler.detect({ payload: 'e30', signatures: [] })).toBe(true)
    expect(joseHandler.detect('eyJhbGciOiJFUzI1NiJ9.e30.c2ln~WyJhIl0~')).toBe(false)
    expect(joseHandler.detect('a.b')).toBe(false)
    expect(joseHandler.detect(credentialV2({ proof: { type: 'DataIntegrityProof' } }))).toBe(false)
    expect(joseHandler.detect(null)).toBe(false)
    expect(joseHandler.detect(42)).toBe(false)
  })
})

describe('typ and format', () => {
  it('a VCDM 2.0 credential with another typ (or none, as the origin service signed) fails with typ_mismatch', async () => {
    for (const typ of [undefined, 'JWT', 'bad+typ']) {
      const payload = { ...credentialV2({ issuer: didOf(issuer) }), iss: didOf(issuer) }
      const header =
        typ === undefined ? { alg: 'EdDSA', kid: issuer.id } : { alg: 'EdDSA', kid: issuer.id, typ }
      const result = await verifyVc(await signRaw(issuer, header, payload), { now: NOW })
      expect(result.format).toBe('vc+jwt')
      expect(codes(result)).toEqual(['typ_mismatch'])
      expect(result.errors[0]?.path).toBe('header.typ')
      // The signature is still checked and reported.
      expect(result.checks.find((c) => c.name === 'signature')?.passed).toBe(true)
    }
  })

  it('accepts typ application/vc+jwt in any case', async () => {
    const payload = { ...credentialV2({ issuer: didOf(issuer) }) }
    expectVerified(
      await verifyVc(
        await signRaw(issuer, { alg: 'EdDSA', kid: issuer.id, typ: 'application/VC+JWT' }, payload),
        { now: NOW },
      ),
    )
  })

  it('a vc+jwt with vc / vp claims fails (VC-JOSE-COSE forbids them)', async () => {
    const payload = { ...credentialV2({ issuer: didOf(issuer) }), vc: 'oops', vp: 'nooo' }
    const result = await verifyVc(
      await signRaw(issuer, { alg: 'EdDSA', kid: issuer.id, typ: 'vc+jwt' }, payload),
      { now: NOW },
    )
    expect(result.format).toBe('vc+jwt')
    expect(codes(result)).toEqual(['credential_invalid', 'credential_invalid'])
    expect(result.errors.map((e) => e.path)).toEqual(['vc', 'vp'])
  })

  it('a vc+jwt whose payload is a VCDM 1.1 credential fails', async () => {
    const payload = credentialV1({ issuer: didOf(issuer) })
    const result = await verifyVc(
      await signRaw(issuer, { alg: 'EdDSA', kid: issuer.id, typ: 'vc+jwt' }, payload),
      { now: NOW },
    )
    expect(codes(result)).toEqual(['credential_invalid'])
  })

  it('a 1.1 vc claim with a typ other than JWT fails with typ_mismatch', async () => {
    const result = await verifyVc(
      await signRaw(
        issuer,
        { alg: 'EdDSA', kid: issuer.id, typ: 'at+jwt' },
        { iss: didOf(issuer), vc: credentialV1() },
      ),
      { now: NOW },
    )
    expect(result.format).toBe('vc-jwt')
    expect(codes(result)).toEqual(['typ_mismatch'])
  })

  it('a vp+jwt carrying a credential fails the data model', async () => {
    const payload = credentialV2({ issuer: didOf(issuer) })
    const result = await verifyVc(
      await signRaw(issuer, { alg: 'EdDSA', kid: issuer.id, typ: 'vp+jwt' }, payload),
      { now: NOW },
    )
    expect(result.format).toBe('vp+jwt')
    expect(codes(result)).toContain('credential_invalid')
  })

  it('plain JWTs and JWS verify as jwt / jws', async () => {
    const jwt = await signCompact(
      issuer,
      JSON.stringify({ iss: didOf(issuer), sub: 'alice', exp: SECONDS + 60 }),
      { protectedHeader: { typ: 'at+jwt' } },
    )
    const result = await verifyVc(jwt, { now: NOW })
    expectVerified(result)
    expect(result.format).toBe('jwt')
    expect(result.issuer).toBe(didOf(issuer))
    expect(result.checks.map((c) => c.name)).toEqual([
      'format',
      'algorithm',
      'key',
      'signature',
      'claims',
      'issuer_binding',
      'validity',
    ])
    const expired = await verifyVc(jwt, { now: NOW + 120_000 })
    expect(codes(expired)).toEqual(['expired'])

    const jws = await signCompact(issuer, 'hello, not JSON')
    const plain = await verifyVc(jws)
    expectVerified(plain)
    expect(plain.format).toBe('jws')
    expect(plain.payload).toBe('hello, not JSON')
  })

  it('JWS JSON serializations of a JSON payload verify as the JWT they are (same rules as compact)', async () => {
    const other = await didSigner('secp256k1')
    const flattened = await signFlattened({ signer: issuer }, '{"tx":1}')
    const general = await signGeneral('{"tx":2}', [{ signer: issuer }, { signer: other }])
    for (const [input, tx] of [
      [flattened, 1],
      [general, 2],
      [JSON.stringify(flattened), 1],
    ] as const) {
      const result = await verifyVc(input)
      expectVerified(result)
      expect(result.format).toBe('jwt')
      expect(result.payload).toEqual({ tx })
    }
    const tampered = { ...flattened, payload: 'eyJ0eCI6OX0' }
    expect(codes(await verifyVc(tampered))).toEqual(['signature_invalid'])
  })
})

describe('signature, algorithm and key', () => {
  it.each<[string, () => Promise<unknown>, Record<string, unknown>, string, string]>([
    [
      'a tampered payload',
      async () => {
        const [h, , s] = (await vcSigner().sign(credentialV2())).split('.')
        const [, p] = (await vcSigner().sign(credentialV2({ id: 'urn:uuid:other' }))).split('.')
        return `${h}.${p}.${s}`
      },
      {},
      'signature_invalid',
      'signature',
    ],
    [
      'alg none',
      async () => {
        const [, p] = (await vcSigner().sign(credentialV2())).split('.')
        return `eyJhbGciOiJub25lIiwidHlwIjoidmMrand0In0.${p}.`
      },
      {},
      'algorithm_not_allowed',
      'algorithm',
    ],
    [
      'an algorithm the caller did not allow',
      () => vcSigner().sign(credentialV2()),
      { algorithms: ['ES256'] },
      'algorithm_not_allowed',
      'algorithm',
    ],
    [
      'a did:web kid without a resolver that fetches',
      async () =>
        new JwtVcSigner(await plainSigner('Ed25519', 'did:web:issuer.example#key-1'), {
          now: () => NOW,
        }).sign(credentialV2()),
      {},
      'resolver_not_configured',
      'key',
    ],
    [
      'a kid nobody knows',
      async () =>
        new JwtVcSigner(await plainSigner('Ed25519', 'some-kid'), { now: () => NOW }).sign(
          credentialV2({ issuer: 'https://issuer.example' }),
        ),
      {},
      'key_not_found',
      'key',
    ],
    [
      'an unknown critical header',
      async () =>
        signRaw(
          issuer,
          { alg: 'EdDSA', kid: issuer.id, typ: 'vc+jwt', crit: ['x-policy'], 'x-policy': 1 },
          credentialV2({ issuer: didOf(issuer) }),
        ),
      {},
      'crit_unsupported',
      'header',
    ],
  ])('%s', async (_name, make, options, code, check) => {
    const result = await verifyVc(await make(), { now: NOW, ...options })
    expect(codes(result)).toEqual([code])
    expect(result.checks.at(-1)).toMatchObject({ name: check, passed: false })
    expect(result.verified).toBe(false)
  })

  it('a claims set with a member twice is malformed, never read as an opaque payload', async () => {
    const json = JSON.stringify(credentialV2({ issuer: didOf(issuer) })).replace(
      '{',
      `{"issuer":"did:example:mallory",`,
    )
    const result = await verifyVc(
      await signRaw(issuer, { alg: 'EdDSA', kid: issuer.id, typ: 'vc+jwt' }, json),
      { now: NOW },
    )
    expect(codes(result)).toEqual(['malformed'])
    const untyped = await signRaw(issuer, { alg: 'EdDSA', kid: issuer.id }, json)
    expect(() => decodeJwtCredential(untyped)).toThrow(
      expect.objectContaining({ code: 'malformed' }),
    )
  })

  it('a vc+jwt / vp+jwt typ over a payload that is not a JSON object is credential_invalid', async () => {
    for (const typ of ['vc+jwt', 'vp+jwt']) {
      const result = await verifyVc(
        await signRaw(issuer, { alg: 'EdDSA', kid: issuer.id, typ }, 'just text'),
        { now: NOW },
      )
      expect(result.format).toBe(typ)
      expect(codes(result)).toEqual(['credential_invalid'])
    }
    const array = await verifyVc(
      await signRaw(issuer, { alg: 'EdDSA', kid: issuer.id, typ: 'vc+jwt' }, '[1,2]'),
      { now: NOW },
    )
    expect(codes(array)).toEqual(['credential_invalid'])
  })

  it('never throws on garbage', async () => {
    for (const input of [
      'a.b.c',
      'eyJ.eyJ.eyJ',
      '....',
      'e30.e30.e30',
      `${'A'.repeat(10)}.${'B'.repeat(10)}.`,
      { payload: 'e30', signature: 'x' },
      { payload: 'e30', signatures: [] },
    ]) {
      const result = await verifyVc(input)
      expect(result.verified).toBe(false)
      expect(result.errors.length).toBeGreaterThan(0)
    }
  })

  it('a token without kid verifies through the DID in iss (did-jwt style)', async () => {
    const jwt = await new JwtVcSigner(issuer, { kid: false, now: () => NOW }).sign(credentialV1())
    expect(decode(jwt).header.kid).toBeUndefined()
    const result = await verifyVc(jwt, { now: NOW })
    expectVerified(result)
    expect(result.key?.controller).toBe(didOf(issuer))
  })
})

describe('issuer binding and key purpose', () => {
  const issuerUrl = 'https://example.issuer/vc-jose-cose'
  let web: Signer
  beforeAll(async () => {
    web = await plainSigner('P-256', 'key-1')
  })
  const token = () =>
    new JwtVcSigner(web, { now: () => NOW }).sign(credentialV2({ issuer: issuerUrl }))

  it('binds through the controller a resolver reports', async () => {
    expectVerified(
      await verifyVc(await token(), {
        now: NOW,
        resolver: staticResolver({ 'key-1': web.publicJwk }, { controller: issuerUrl }),
      }),
    )
  })

  it('fails when the controller is another issuer or unknown, unless issuerBinding is false', async () => {
    const other = await verifyVc(await token(), {
      now: NOW,
      resolver: staticResolver(
        { 'key-1': web.publicJwk },
        { controller: 'https://attacker.example' },
      ),
    })
    expect(codes(other)).toEqual(['issuer_mismatch'])
    const unknown = await verifyVc(await token(), {
      now: NOW,
      resolver: staticResolver({ 'key-1': web.publicJwk }),
    })
    expect(codes(unknown)).toEqual(['issuer_mismatch'])
    expect(unknown.errors[0]?.message).toMatch(/issuerBinding: false/)
    const skipped = await verifyVc(await token(), {
      now: NOW,
      resolver: staticResolver({ 'key-1': web.publicJwk }),
      issuerBinding: false,
    })
    expectVerified(skipped)
    expect(skipped.checks.find((c) => c.name === 'issuer_binding')?.detail).toMatch(/not checked/)
  })

  it('refuses a key its controller document does not list for the purpose', async () => {
    const resolver = staticResolver(
      { 'key-1': web.publicJwk },
      { controller: issuerUrl, relationships: ['authentication'] },
    )
    expect(codes(await verifyVc(await token(), { now: NOW, resolver }))).toEqual([
      'key_not_authorized',
    ])
    const vp = await new JwtVpSigner(web, { now: () => NOW }).sign(
      presentationV2({ holder: issuerUrl }),
      { allowHolderMismatch: true },
    )
    expectVerified(await verifyVc(vp, { now: NOW, resolver }))
  })

  it('2.0: an iss that names another issuer than the credential is claim_invalid', async () => {
    const payload = { ...credentialV2({ issuer: didOf(issuer) }), iss: 'did:example:mallory' }
    const result = await verifyVc(
      await signRaw(issuer, { alg: 'EdDSA', kid: issuer.id, typ: 'vc+jwt' }, payload),
      { now: NOW },
    )
    expect(codes(result)).toEqual(['claim_invalid'])
    expect(result.errors[0]?.path).toBe('iss')
  })

  it('1.1: claims that contradict the vc claim are claim_invalid', async () => {
    const vc = credentialV1({ issuer: didOf(issuer) })
    for (const [claims, path] of [
      [{ iss: 'did:example:mallory' }, 'iss'],
      [{ iss: didOf(issuer), jti: 'urn:other' }, 'jti'],
      [{ iss: didOf(issuer), sub: 'did:example:bob' }, 'sub'],
      [{ iss: didOf(issuer), nbf: '2020-01-01' }, 'nbf'],
    ] as const) {
      const result = await verifyVc(
        await signRaw(issuer, { alg: 'EdDSA', kid: issuer.id, typ: 'JWT' }, { ...claims, vc }),
        { now: NOW },
      )
      expect(codes(result)).toContain('claim_invalid')
      expect(result.errors.map((e) => e.path)).toContain(path)
    }
  })
})

describe('validity with an injected clock', () => {
  const cred = credentialV2({
    validFrom: '2025-06-01T00:00:00Z',
    validUntil: '2025-07-01T00:00:00Z',
  })

  it('exp / nbf and validFrom / validUntil', async () => {
    const jwt = await vcSigner().sign(cred)
    expectVerified(await verifyVc(jwt, { now: NOW }))
    expect(codes(await verifyVc(jwt, { now: Date.UTC(2025, 6, 1, 0, 5) }))).toEqual(['expired'])
    expect(codes(await verifyVc(jwt, { now: Date.UTC(2025, 4, 31, 23, 55) }))).toEqual([
      'not_yet_valid',
    ])
    // Within the default 60 s of skew, and outside a tolerance of 0.
    expectVerified(await verifyVc(jwt, { now: Date.UTC(2025, 6, 1, 0, 0, 30) }))
    expect(
      codes(await verifyVc(jwt, { now: Date.UTC(2025, 6, 1, 0, 0, 30), clockToleranceSeconds: 0 })),
    ).toEqual(['expired'])
    expectVerified(await verifyVc(jwt, { now: new Date(Date.UTC(2025, 5, 15)) }))
    expectVerified(await verifyVc(jwt, { now: () => Date.UTC(2025, 5, 15) }))
  })

  it('the credential dates count even without the JWT claims', async () => {
    const jwt = await new JwtVcSigner(issuer, { now: () => NOW, validityClaims: false }).sign(cred)
    const late = await verifyVc(jwt, { now: Date.UTC(2026, 0, 1) })
    expect(codes(late)).toEqual(['expired'])
    expect(late.errors[0]?.path).toBe('validUntil')
    expect(codes(await verifyVc(jwt, { now: Date.UTC(2025, 0, 1) }))).toEqual(['not_yet_valid'])
  })

  it('1.1: expirationDate and issuanceDate via exp and nbf', async () => {
    const jwt = await vcSigner().sign(
      credentialV1({
        issuanceDate: '2025-06-01T00:00:00Z',
        expirationDate: '2025-07-01T00:00:00Z',
      }),
    )
    expectVerified(await verifyVc(jwt, { now: NOW }))
    expect(codes(await verifyVc(jwt, { now: Date.UTC(2025, 7, 1) }))).toEqual(['expired'])
  })

  it('iat in the future is not_yet_valid; a string iat is ignored', async () => {
    const future = await new JwtVcSigner(issuer, { issuedAt: SECONDS + 3600 }).sign(credentialV2())
    expect(codes(await verifyVc(future, { now: NOW }))).toEqual(['not_yet_valid'])
    const stringIat = await signRaw(
      issuer,
      { alg: 'EdDSA', kid: issuer.id, typ: 'vc+jwt' },
      { ...credentialV2({ issuer: didOf(issuer) }), iat: '2010-01-01T19:23:24Z' },
    )
    expectVerified(await verifyVc(stringIat, { now: NOW }))
    const stringExp = await signRaw(
      issuer,
      { alg: 'EdDSA', kid: issuer.id, typ: 'vc+jwt' },
      { ...credentialV2({ issuer: didOf(issuer) }), exp: '2030-01-01T00:00:00Z' },
    )
    expect(codes(await verifyVc(stringExp, { now: NOW }))).toEqual(['claim_invalid'])
  })

  it('checkValidity: false skips the whole check and says so', async () => {
    const jwt = await vcSigner().sign(cred)
    const result = await verifyVc(jwt, { now: Date.UTC(2030, 0, 1), checkValidity: false })
    expectVerified(result)
    expect(result.checks.find((c) => c.name === 'validity')).toEqual({
      name: 'validity',
      passed: true,
      detail: 'not checked (checkValidity: false)',
    })
  })
})

describe('presentations: audience, nonce and embedded credentials', () => {
  const vpSigner = () => new JwtVpSigner(holder, { now: () => NOW })

  it('audience and nonce must match when the verifier asks', async () => {
    const jwt = await vpSigner().sign(presentationV2(), {
      audience: 'https://verifier.example',
      nonce: 'abc',
    })
    expectVerified(await verifyVc(jwt, { now: NOW, audience: 'https://verifier.example' }))
    expect(codes(await verifyVc(jwt, { now: NOW, audience: 'https://other.example' }))).toEqual([
      'audience_mismatch',
    ])
    expect(
      codes(await verifyVc(jwt, { now: NOW, audience: 'https://verifier.example', nonce: 'xyz' })),
    ).toEqual(['nonce_mismatch'])
    // Addressed to a verifier (aud) and verified by one that names none: refused (RFC 7519 section
    // 4.1.3), or a presentation made for another verifier would be accepted anywhere.
    expect(codes(await verifyVc(jwt, { now: NOW }))).toEqual(['audience_mismatch'])
    expect(codes(await verifyVc(jwt, { now: NOW, nonce: 'abc' }))).toEqual(['audience_mismatch'])
    const bare = await vpSigner().sign(presentationV2())
    expectVerified(await verifyVc(bare, { now: NOW }))
    expect(
      codes(await verifyVc(bare, { now: NOW, audience: 'https://verifier.example', nonce: 'abc' })),
    ).toEqual(['audience_mismatch', 'nonce_mismatch'])
  })

  it('an embedded credential that fails makes the presentation fail, with the inner result kept', async () => {
    const good = await vcSigner().sign(credentialV2())
    const expired = await vcSigner().sign(credentialV2({ validUntil: '2025-01-01T00:00:00Z' }))
    const jwt = await vpSigner().sign(
      presentationV2({
        verifiableCredential: [envelopeCredential(good), envelopeCredential(expired)],
      }),
    )
    const result = await verifyVc(jwt, { now: NOW })
    expect(codes(result)).toEqual(['embedded_credential_invalid'])
    expect(result.errors[0]?.path).toBe('verifiableCredential[1]')
    expect(result.credentials?.map((c) => [c.verified, codes(c)])).toEqual([
      [true, []],
      [false, ['expired']],
    ])
    expect(result.checks.at(-1)).toMatchObject({
      name: 'credentials',
      passed: false,
      detail: '1 of 2 embedded credential(s) verified',
    })
    expectVerified(await verifyVc(jwt, { now: NOW, verifyEmbedded: false }))
  })

  it('the presentation audience and nonce are not applied to the credentials', async () => {
    const vc = await vcSigner().sign(credentialV2())
    const jwt = await vpSigner().sign(
      presentationV2({ verifiableCredential: envelopeCredential(vc) }),
      { audience: 'https://v.example', nonce: 'n' },
    )
    expectVerified(await verifyVc(jwt, { now: NOW, audience: 'https://v.example', nonce: 'n' }))
  })

  it('holder binding of the credentials is not required', async () => {
    const vc = await vcSigner().sign(
      credentialV2({ credentialSubject: { id: 'did:example:somebody-else' } }),
    )
    expectVerified(
      await verifyVc(
        await vpSigner().sign(presentationV2({ verifiableCredential: [envelopeCredential(vc)] })),
        { now: NOW },
      ),
    )
  })

  it.each<[string, () => Promise<unknown>, string]>([
    [
      'an envelope id that is not a data: URL',
      async () => ({
        '@context': 'https://www.w3.org/ns/credentials/v2',
        id: 'not-a-credential',
        type: 'EnvelopedVerifiableCredential',
      }),
      'malformed',
    ],
    [
      'COSE',
      async () => envelopeCredential(new Uint8Array([0xd2, 0x84]), 'application/vc+cose'),
      'unsupported_format',
    ],
    [
      'a presentation inside a vc+jwt envelope',
      async () => envelopeCredential(await vpSigner().sign(presentationV2())),
      'vp+jwt',
    ],
    [
      'a plain JWT inside a vc+jwt envelope',
      async () =>
        envelopeCredential(await signCompact(issuer, JSON.stringify({ iss: didOf(issuer) }))),
      'jwt',
    ],
    [
      'garbage inside a vc+jwt envelope',
      async () => envelopeCredential('yJhbGciOi.eyJ.x'),
      'malformed',
    ],
  ])('embedded: %s', async (_name, entry, expected) => {
    const jwt = await signRaw(
      holder,
      { alg: 'ES256', kid: holder.id, typ: 'vp+jwt' },
      presentationV2({ holder: didOf(holder), verifiableCredential: [await entry()] }),
    )
    const result = await verifyVc(jwt, { now: NOW })
    expect(codes(result)).toEqual(['embedded_credential_invalid'])
    const inner = result.credentials?.[0]
    expect(inner === undefined ? '' : (codes(inner)[0] ?? inner.format)).toBe(expected)
  })

  it('a JWT string in a VCDM 2.0 presentation is refused', async () => {
    const vc = await vcSigner().sign(credentialV2())
    const jwt = await signRaw(
      holder,
      { alg: 'ES256', kid: holder.id, typ: 'vp+jwt' },
      presentationV2({ holder: didOf(holder), verifiableCredential: [vc] }),
    )
    const result = await verifyVc(jwt, { now: NOW })
    expect(codes(result)).toEqual(['embedded_credential_invalid'])
    expect(result.credentials?.[0]?.errors[0]?.code).toBe('malformed')
  })

  it('embedded SD-JWT credentials go to the built-in SD-JWT handler', async () => {
    // A hand-made SD-JWT with no kid and a non-DID iss: the built-in handler takes it and finds no key.
    const sdJwt =
      'eyJhbGciOiJFUzI1NiIsInR5cCI6InZjK3NkLWp3dCJ9.eyJpc3MiOiJ4In0.c2ln~WyJzYWx0IiwiYSIsMV0~'
    const jwt = await vpSigner().sign(
      presentationV2({
        verifiableCredential: [envelopeCredential(sdJwt, 'application/vc+sd-jwt')],
      }),
    )
    const result = await verifyVc(jwt, { now: NOW })
    expect(codes(result)).toEqual(['embedded_credential_invalid'])
    expect(result.credentials?.[0]?.format).toBe('sd-jwt')
    expect(result.credentials?.[0]?.errors[0]?.code).toBe('key_not_found')
  })

  it('1.1: an embedded RS256 credential (the VCDM 1.1 suite example) fails: its did:example key cannot be resolved; RS256 outside algorithms is algorithm_not_allowed', async () => {
    const jwt = await new JwtVpSigner(holder, { now: () => NOW }).sign(
      presentationV1({ verifiableCredential: [vc11['example-016-jwt.jwt']] }),
    )
    const result = await verifyVc(jwt, { now: NOW })
    expect(codes(result)).toEqual(['embedded_credential_invalid'])
    expect(codes(result.credentials?.[0] as never)).toEqual(['resolver_not_configured'])
    const narrowed = await verifyVc(jwt, { now: NOW, algorithms: ['ES256', 'EdDSA'] })
    expect(codes(narrowed.credentials?.[0] as never)).toEqual(['algorithm_not_allowed'])
  })
})

describe('the VCDM 1.1 suite example-016-jwt.jwt (RS256, no published key)', () => {
  it('decodes by the 1.1 rules and does not verify: no key for its did:example issuer', async () => {
    const token = vc11['example-016-jwt.jwt']
    const decoded = decodeJwtCredential(token)
    expect(decoded.format).toBe('vc-jwt')
    expect(decoded.header.alg).toBe('RS256')
    // Its vc names https://w3.org/2018/credentials/v1 (no www): not the VCDM 1.1 base context.
    expect(decoded.version).toBeUndefined()
    expect(decoded.issuer).toBe('did:example:abfe13f712120431c276e12ecab')
    expect(decoded.credential).toMatchObject({
      '@context': ['https://w3.org/2018/credentials/v1', 'https://example.com/examples/v1'],
      id: 'http://example.edu/credentials/3732',
      issuer: 'did:example:abfe13f712120431c276e12ecab',
      issuanceDate: '2018-11-06T08:42:04Z',
      expirationDate: '2019-11-06T08:42:03Z',
      credentialSubject: { id: 'did:example:ebfeb1f712ebc6f1c276e12ec21' },
    })
    const result = await verifyVc(token)
    expect(codes(result)).toEqual(['resolver_not_configured'])
    expect(codes(await verifyVc(token, { algorithms: ['PS256'] }))).toEqual([
      'algorithm_not_allowed',
    ])
    // Asking for an algorithm credsign never verifies is a caller error, reported (not thrown) as invalid_argument.
    expect(codes(await verifyVc(token, { algorithms: ['HS256' as never] }))).toEqual([
      'invalid_argument',
    ])
  })
})

describe('decodeJwtCredential', () => {
  it('classifies without verifying', async () => {
    const vp = await new JwtVpSigner(holder).sign(presentationV1({ verifiableCredential: [] }))
    expect(decodeJwtCredential(vp)).toMatchObject({
      format: 'vp-jwt',
      issuer: didOf(holder),
      version: '1.1',
      presentation: { holder: didOf(holder) },
    })
    const jws = await signCompact(issuer, 'text')
    expect(decodeJwtCredential(jws)).toMatchObject({ format: 'jws', payload: 'text' })
  })

  it('throws malformed for what is not a compact JWS', () => {
    for (const input of ['a.b', '{"payload":"e30"}', 'eyJ.e30.', 42]) {
      expect(() => decodeJwtCredential(input as string)).toThrow(
        expect.objectContaining({ code: 'malformed' }),
      )
    }
  })
})

describe('resolvers', () => {
  it('uses the caller resolver for kids', async () => {
    const key = await plainSigner('P-256', 'did:web:issuer.example#key-1')
    const resolver: KeyResolver = {
      resolveKey: async (reference) => ({
        id: reference,
        controller: 'did:web:issuer.example',
        publicJwk: key.publicJwk,
        relationships: ['assertionMethod'],
      }),
    }
    const jwt = await new JwtVcSigner(key, { now: () => NOW }).sign(credentialV2())
    const result = await verifyVc(jwt, { now: NOW, resolver })
    expectVerified(result)
    expect(result.key).toEqual({
      id: 'did:web:issuer.example#key-1',
      controller: 'did:web:issuer.example',
    })
  })
})
