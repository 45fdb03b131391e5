import { beforeAll, describe, expect, it } from 'vitest'
import type { KeyAlgorithm, Signer } from '../../src/index.js'
import {
  JwtVcSigner,
  JwtVpSigner,
  decodeJwtCredential,
  envelopeCredential,
  signerController,
} from '../../src/index.js'
import { expectCode } from './keys-helpers.js'
import {
  ALGORITHMS,
  V1,
  V2,
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
  verifyVc,
} from './vc-helpers.js'

const NOW = Date.UTC(2025, 5, 1, 12)
const clock = () => NOW
const SECONDS = NOW / 1000

describe('round trips: every algorithm × VCDM 1.1 and 2.0 × credential and presentation', () => {
  const signers = new Map<KeyAlgorithm, Signer>()
  beforeAll(async () => {
    for (const { key } of ALGORITHMS) signers.set(key, await didSigner(key))
  })

  for (const { key, alg } of ALGORITHMS) {
    it(`${alg}: VCDM 2.0 credential (vc+jwt)`, async () => {
      const signer = signers.get(key) as Signer
      const jwt = await new JwtVcSigner(signer, { now: clock }).sign(
        credentialV2({ validUntil: '2030-01-01T00:00:00Z' }),
      )
      const { header, payload } = decode(jwt)
      expect(header).toEqual({ alg, kid: signer.id, typ: 'vc+jwt', cty: 'vc' })
      expect(payload.vc).toBeUndefined()
      expect(payload).toMatchObject({
        issuer: didOf(signer),
        iss: didOf(signer),
        iat: SECONDS,
        nbf: Date.UTC(2020, 0, 1) / 1000,
        exp: Date.UTC(2030, 0, 1) / 1000,
      })
      const result = await verifyVc(jwt, { now: NOW })
      expectVerified(result)
      expect(result.format).toBe('vc+jwt')
      expect(result.issuer).toBe(didOf(signer))
      expect(result.key).toEqual({ id: signer.id, controller: didOf(signer) })
      expect(result.credential).toEqual(payload)
      expect(result.checks.map((c) => c.name)).toEqual([
        'format',
        'typ',
        'algorithm',
        'key',
        'signature',
        'credential',
        'claims',
        'issuer_binding',
        'key_purpose',
        'validity',
      ])
    })

    it(`${alg}: VCDM 1.1 credential (vc claim)`, async () => {
      const signer = signers.get(key) as Signer
      const jwt = await new JwtVcSigner(signer, { now: clock }).sign(
        credentialV1({ expirationDate: '2030-01-01T00:00:00Z' }),
      )
      const { header, payload } = decode(jwt)
      expect(header).toEqual({ alg, kid: signer.id, typ: 'JWT' })
      expect(payload).toMatchObject({
        iss: didOf(signer),
        nbf: Date.UTC(2020, 0, 1, 19, 23, 24) / 1000,
        exp: Date.UTC(2030, 0, 1) / 1000,
        jti: 'http://example.edu/credentials/3732',
        sub: 'did:example:alice',
        iat: SECONDS,
      })
      // "Instead of" by default: the mapped members live in the claims only.
      expect(payload.vc).toEqual({
        '@context': [V1, 'https://www.w3.org/2018/credentials/examples/v1'],
        type: ['VerifiableCredential', 'UniversityDegreeCredential'],
        credentialSubject: { degree: { type: 'BachelorDegree', name: 'BSc' } },
      })
      const result = await verifyVc(jwt, { now: NOW })
      expectVerified(result)
      expect(result.format).toBe('vc-jwt')
      expect(result.credential).toEqual(
        credentialV1({ issuer: didOf(signer), expirationDate: '2030-01-01T00:00:00Z' }),
      )
    })

    it(`${alg}: VCDM 2.0 presentation (vp+jwt) with an enveloped credential`, async () => {
      const signer = signers.get(key) as Signer
      const issuer = signers.get('Ed25519') as Signer
      const vcJwt = await new JwtVcSigner(issuer, { now: clock }).sign(credentialV2())
      const jwt = await new JwtVpSigner(signer, { now: clock }).sign(
        presentationV2({ verifiableCredential: [envelopeCredential(vcJwt)] }),
        {
          audience: 'https://verifier.example',
          nonce: 'n-0S6_WzA2Mj',
          expiresIn: 300,
        },
      )
      const { header, payload } = decode(jwt)
      expect(header).toEqual({ alg, kid: signer.id, typ: 'vp+jwt', cty: 'vp' })
      expect(payload).toMatchObject({
        holder: didOf(signer),
        iss: didOf(signer),
        aud: 'https://verifier.example',
        nonce: 'n-0S6_WzA2Mj',
        iat: SECONDS,
        exp: SECONDS + 300,
      })
      const result = await verifyVc(jwt, {
        now: NOW,
        audience: 'https://verifier.example',
        nonce: 'n-0S6_WzA2Mj',
      })
      expectVerified(result)
      expect(result.format).toBe('vp+jwt')
      expect(result.issuer).toBe(didOf(signer))
      expect(result.credentials?.map((c) => [c.verified, c.format, c.issuer])).toEqual([
        [true, 'vc+jwt', didOf(issuer)],
      ])
      expect(result.checks.map((c) => c.name)).toEqual([
        'format',
        'typ',
        'algorithm',
        'key',
        'signature',
        'presentation',
        'claims',
        'issuer_binding',
        'key_purpose',
        'validity',
        'audience',
        'nonce',
        'credentials',
      ])
    })

    it(`${alg}: VCDM 1.1 presentation (vp claim) with a JWT credential`, async () => {
      const signer = signers.get(key) as Signer
      const issuer = signers.get('P-256') as Signer
      const vcJwt = await new JwtVcSigner(issuer, { now: clock }).sign(credentialV1())
      const jwt = await new JwtVpSigner(signer, { now: clock }).sign(
        presentationV1({
          id: 'urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5',
          verifiableCredential: [vcJwt],
        }),
        {
          audience: 'did:example:verifier',
          nonce: '343s$FSFDa-',
        },
      )
      const { header, payload } = decode(jwt)
      expect(header).toEqual({ alg, kid: signer.id, typ: 'JWT' })
      expect(payload).toMatchObject({
        iss: didOf(signer),
        jti: 'urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5',
        aud: 'did:example:verifier',
        nonce: '343s$FSFDa-',
      })
      expect((payload.vp as Record<string, unknown>).verifiableCredential).toEqual([vcJwt])
      const result = await verifyVc(jwt, {
        now: NOW,
        audience: 'did:example:verifier',
        nonce: '343s$FSFDa-',
      })
      expectVerified(result)
      expect(result.format).toBe('vp-jwt')
      expect(result.presentation?.holder).toBe(didOf(signer))
      expect(result.credentials?.map((c) => [c.verified, c.format])).toEqual([[true, 'vc-jwt']])
    })
  }
})

describe('JwtVcSigner: issuer rules', () => {
  let signer: Signer
  beforeAll(async () => {
    signer = await didSigner('Ed25519')
  })

  it('fills an absent issuer from the DID of the key and never changes the caller object', async () => {
    const credential = credentialV2()
    const jwt = await new JwtVcSigner(signer).sign(credential)
    expect(credential.issuer).toBeUndefined()
    expect(decode(jwt).payload.issuer).toBe(didOf(signer))
  })

  it('keeps a matching issuer, as a string or an object', async () => {
    const object = { id: didOf(signer), name: 'Example University' }
    const jwt = await new JwtVcSigner(signer).sign(credentialV2({ issuer: object }))
    expect(decode(jwt).payload).toMatchObject({ issuer: object, iss: didOf(signer) })
    expectVerified(await verifyVc(jwt))
  })

  it('refuses a conflicting issuer with issuer_mismatch unless the caller opts in', async () => {
    const credential = credentialV2({ issuer: 'did:example:someone-else' })
    await expectCode(() => new JwtVcSigner(signer).sign(credential), 'issuer_mismatch')
    await expectCode(
      () =>
        new JwtVcSigner(signer).sign(credentialV1({ issuer: 'https://example.edu/issuers/14' })),
      'issuer_mismatch',
    )
    const jwt = await new JwtVcSigner(signer, { allowIssuerMismatch: true }).sign(credential)
    expect(decode(jwt).payload).toMatchObject({
      issuer: 'did:example:someone-else',
      iss: 'did:example:someone-else',
    })
    // The verifier sees it too: the key is not the issuer's.
    const result = await verifyVc(jwt)
    expect(codes(result)).toEqual(['issuer_mismatch'])
    expectVerified(await verifyVc(jwt, { issuerBinding: false }))
  })

  it('takes the controller of any URL#fragment verification method id', async () => {
    const web = await plainSigner('P-256', 'https://example.issuer/vc-jose-cose#key-1')
    expect(signerController(web)).toBe('https://example.issuer/vc-jose-cose')
    expect(decode(await new JwtVcSigner(web).sign(credentialV2())).payload.issuer).toBe(
      'https://example.issuer/vc-jose-cose',
    )
  })

  it('needs an issuer when the key id names no controller', async () => {
    const vaultKey = await plainSigner('P-256', 'issuer-key')
    expect(signerController(vaultKey)).toBeUndefined()
    await expectCode(() => new JwtVcSigner(vaultKey).sign(credentialV2()), 'credential_invalid')
    const jwt = await new JwtVcSigner(vaultKey).sign(
      credentialV2({ issuer: 'https://issuer.example' }),
    )
    expect(decode(jwt).header.kid).toBe('issuer-key')
  })
})

describe('JwtVcSigner: encoding details', () => {
  let signer: Signer
  beforeAll(async () => {
    signer = await didSigner('Ed25519')
  })

  it('chooses the encoding from @context and lets the caller override it for VCDM 2.0 credentials', async () => {
    const jwt = await new JwtVcSigner(signer, { now: clock }).sign(
      credentialV2({ validUntil: '2030-01-01T00:00:00Z' }),
      { version: '1.1' },
    )
    const { header, payload } = decode(jwt)
    expect(header.typ).toBe('JWT')
    // A 2.0 document in the 1.1 encoding: validFrom / validUntil are what nbf / exp stand for.
    expect(payload).toMatchObject({
      nbf: Date.UTC(2020, 0, 1) / 1000,
      exp: Date.UTC(2030, 0, 1) / 1000,
      jti: 'urn:uuid:6a3c1a0e-3c55-4a43-8c1b-5b1d1d1f0a01',
    })
    const result = await verifyVc(jwt, { now: NOW })
    expectVerified(result)
    expect(result.format).toBe('vc-jwt')
    expect(result.credential?.validFrom).toBe('2020-01-01T00:00:00Z')
    await expectCode(
      () => new JwtVcSigner(signer).sign(credentialV1(), { version: '2.0' }),
      'credential_invalid',
    )
    await expectCode(
      () => new JwtVcSigner(signer).sign(credentialV1(), { version: '3.0' as never }),
      'invalid_argument',
    )
  })

  it('1.1: removes the mapped members by default, and decoding restores them', async () => {
    const credential = credentialV1({
      issuer: { id: didOf(signer), name: 'Example University' },
      expirationDate: '2030-01-01T00:00:00Z',
    })
    const jwt = await new JwtVcSigner(signer, { now: clock }).sign(credential)
    const vc = decode(jwt).payload.vc as Record<string, unknown>
    expect(vc.id).toBeUndefined()
    expect(vc.issuanceDate).toBeUndefined()
    expect(vc.expirationDate).toBeUndefined()
    expect(vc.issuer).toEqual({ name: 'Example University' })
    expect(vc.credentialSubject).toEqual({ degree: { type: 'BachelorDegree', name: 'BSc' } })
    const result = await verifyVc(jwt, { now: NOW })
    expectVerified(result)
    expect(result.credential).toEqual(credential)
    expect(decodeJwtCredential(jwt).credential).toEqual(credential)
  })

  it('1.1: keeps them in vc as well with mappedProperties: keep, losslessly', async () => {
    const credential = credentialV1({ issuanceDate: '2020-01-01T20:23:24.5+01:00' })
    const jwt = await new JwtVcSigner(signer, { mappedProperties: 'keep', now: clock }).sign(
      credential,
    )
    const { payload } = decode(jwt)
    expect(payload.vc).toEqual({ ...credential, issuer: didOf(signer) })
    expect(payload.nbf).toBe(Date.UTC(2020, 0, 1, 19, 23, 24) / 1000)
    const result = await verifyVc(jwt, { now: NOW })
    expectVerified(result)
    // The written date denotes the same second as nbf: it is kept as written.
    expect(result.credential?.issuanceDate).toBe('2020-01-01T20:23:24.5+01:00')
  })

  it('1.1: fills a missing issuanceDate with the signing time', async () => {
    const credential = credentialV1()
    delete credential.issuanceDate
    const { payload } = decode(await new JwtVcSigner(signer, { now: clock }).sign(credential))
    expect(payload.nbf).toBe(SECONDS)
    expect(
      decodeJwtCredential(await new JwtVcSigner(signer, { now: clock }).sign(credential)).credential
        ?.issuanceDate,
    ).toBe('2025-06-01T12:00:00Z')
    expect(
      (
        decode(
          await new JwtVcSigner(signer, { now: clock, mappedProperties: 'keep' }).sign(credential),
        ).payload.vc as Record<string, unknown>
      ).issuanceDate,
    ).toBe('2025-06-01T12:00:00Z')
  })

  it('2.0: validity claims can be turned off; expiresIn takes the earlier of the two expiries', async () => {
    const credential = credentialV2({ validUntil: '2025-06-01T13:00:00Z' })
    const off = decode(
      await new JwtVcSigner(signer, { now: clock, validityClaims: false }).sign(credential),
    ).payload
    expect(off.nbf).toBeUndefined()
    expect(off.exp).toBeUndefined()
    expect(
      decode(await new JwtVcSigner(signer, { now: clock, expiresIn: 60 }).sign(credential)).payload
        .exp,
    ).toBe(SECONDS + 60)
    expect(
      decode(await new JwtVcSigner(signer, { now: clock, expiresIn: 86400 }).sign(credential))
        .payload.exp,
    ).toBe(SECONDS + 3600)
  })

  it('options: Ed25519 name, kid, cty, iat, extra claims and header members', async () => {
    const jwt = await new JwtVcSigner(signer, {
      ed25519Name: 'Ed25519',
      kid: 'custom-kid',
      cty: false,
      issuedAt: false,
    }).sign(credentialV2(), {
      claims: { cnf: { jwk: signer.publicJwk } },
      header: { 'x-trace': '1' },
    })
    const { header, payload } = decode(jwt)
    expect(header).toEqual({ alg: 'Ed25519', kid: 'custom-kid', typ: 'vc+jwt', 'x-trace': '1' })
    expect(payload.iat).toBeUndefined()
    expect(payload.cnf).toEqual({ jwk: signer.publicJwk })
    expect(
      decode(await new JwtVcSigner(signer, { kid: false }).sign(credentialV2())).header.kid,
    ).toBeUndefined()
    expect(
      decode(await new JwtVcSigner(signer, { issuedAt: 1700000000 }).sign(credentialV2())).payload
        .iat,
    ).toBe(1700000000)
    // Per-call options win over the constructor's.
    expect(
      decode(
        await new JwtVcSigner(signer, { ed25519Name: 'Ed25519' }).sign(credentialV2(), {
          ed25519Name: 'EdDSA',
        }),
      ).header.alg,
    ).toBe('EdDSA')
  })

  it.each<[string, () => Promise<unknown>, string]>([
    [
      'a derived claim in claims',
      () => new JwtVcSigner(signer).sign(credentialV2(), { claims: { iss: 'x' } }),
      'invalid_argument',
    ],
    [
      'a derived header member',
      () => new JwtVcSigner(signer).sign(credentialV2(), { header: { typ: 'JWT' } }),
      'invalid_argument',
    ],
    [
      'an empty kid',
      () => new JwtVcSigner(signer).sign(credentialV2(), { kid: '' }),
      'invalid_argument',
    ],
    [
      'a bad expiresIn',
      () => new JwtVcSigner(signer).sign(credentialV2(), { expiresIn: -1 }),
      'invalid_argument',
    ],
    [
      'a bad mappedProperties',
      () => new JwtVcSigner(signer).sign(credentialV1(), { mappedProperties: 'drop' as never }),
      'invalid_argument',
    ],
    ['not an object', () => new JwtVcSigner(signer).sign('x' as never), 'credential_invalid'],
    [
      'no @context',
      () => new JwtVcSigner(signer).sign({ type: ['VerifiableCredential'] }),
      'credential_invalid',
    ],
    [
      'a cycle',
      () => {
        const c = credentialV2()
        c.self = c
        return new JwtVcSigner(signer, { strict: false }).sign(c)
      },
      'credential_invalid',
    ],
    [
      'a toJSON() that returns nothing',
      () => new JwtVcSigner(signer).sign({ ...credentialV2(), toJSON: () => undefined } as never),
      'credential_invalid',
    ],
    [
      'a cycle in claims',
      () => {
        const cnf: Record<string, unknown> = {}
        cnf.self = cnf
        return new JwtVcSigner(signer).sign(credentialV2(), { claims: { cnf } })
      },
      'invalid_argument',
    ],
    [
      'a BigInt in claims',
      () => new JwtVcSigner(signer).sign(credentialV2(), { claims: { n: 1n } as never }),
      'invalid_argument',
    ],
    [
      'a throwing getter in claims',
      () =>
        new JwtVcSigner(signer).sign(credentialV2(), {
          claims: {
            get cnf(): never {
              throw new Error('boom')
            },
          },
        }),
      'invalid_argument',
    ],
    [
      'unknown members (strict, suite case 5)',
      () => new JwtVcSigner(signer).sign(credentialV2({ badExtension: { huh: 'what?' } })),
      'credential_invalid',
    ],
    [
      'a vc claim in a 2.0 credential',
      () => new JwtVcSigner(signer, { strict: false }).sign(credentialV2({ vc: 'oops' })),
      'credential_invalid',
    ],
    [
      'a member contradicting a derived claim',
      () =>
        new JwtVcSigner(signer, { strict: false }).sign(credentialV2({ iss: 'did:example:other' })),
      'credential_invalid',
    ],
    [
      'a bad validUntil',
      () => new JwtVcSigner(signer).sign(credentialV2({ validUntil: 'tomorrow' })),
      'credential_invalid',
    ],
    [
      'no subject',
      () => new JwtVcSigner(signer).sign({ '@context': [V2], type: ['VerifiableCredential'] }),
      'credential_invalid',
    ],
  ])('refuses %s', async (_name, run, code) => {
    await expectCode(run, code as never)
  })

  it('signs the extra claims it checked: a getter cannot slip a derived claim past the check', async () => {
    let reads = 0
    // Undefined when checked, a value when read again: only what was checked may be signed.
    const claims = {
      get aud() {
        reads += 1
        return reads === 1 ? undefined : 'https://evil.example'
      },
    }
    const jwt = await new JwtVpSigner(signer).sign(presentationV2(), { claims })
    expect(decodeJwtCredential(jwt).payload).not.toHaveProperty('aud')
  })

  it('accepts extension members with allowProperties or strict: false', async () => {
    const credential = credentialV2({ awardedBy: 'Faculty of Science' })
    await expect(
      new JwtVcSigner(signer, { allowProperties: ['awardedBy'] }).sign(credential),
    ).resolves.toMatch(/^ey/)
    await expect(new JwtVcSigner(signer, { strict: false }).sign(credential)).resolves.toMatch(
      /^ey/,
    )
  })

  it('refuses what is not a signer', () => {
    expect(() => new JwtVcSigner({} as never)).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    expect(() => new JwtVpSigner(null as never)).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })
})

describe('JwtVpSigner', () => {
  let holder: Signer
  beforeAll(async () => {
    holder = await didSigner('P-256')
  })

  it('fills the holder, refuses another holder unless allowed', async () => {
    expect(decode(await new JwtVpSigner(holder).sign(presentationV2())).payload.holder).toBe(
      didOf(holder),
    )
    await expectCode(
      () => new JwtVpSigner(holder).sign(presentationV2({ holder: 'did:example:bob' })),
      'issuer_mismatch',
    )
    const jwt = await new JwtVpSigner(holder, { allowHolderMismatch: true }).sign(
      presentationV2({ holder: 'did:example:bob' }),
    )
    expect(decode(jwt).payload.iss).toBe('did:example:bob')
  })

  it('leaves holder and iss out when the key names no controller', async () => {
    const plain = await plainSigner('P-256', 'wallet-key')
    const { payload } = decode(await new JwtVpSigner(plain).sign(presentationV2()))
    expect(payload.holder).toBeUndefined()
    expect(payload.iss).toBeUndefined()
  })

  it('accepts an audience list', async () => {
    const jwt = await new JwtVpSigner(holder).sign(presentationV2(), {
      audience: ['https://a.example', 'https://b.example'],
    })
    expect(decode(jwt).payload.aud).toEqual(['https://a.example', 'https://b.example'])
    expectVerified(await verifyVc(jwt, { audience: 'https://b.example' }))
  })

  it.each<[string, () => Promise<unknown>, string]>([
    [
      'an empty audience',
      () => new JwtVpSigner(holder).sign(presentationV2(), { audience: '' }),
      'invalid_argument',
    ],
    [
      'an empty nonce',
      () => new JwtVpSigner(holder).sign(presentationV2(), { nonce: '' }),
      'invalid_argument',
    ],
    [
      'a JWT string in a 2.0 presentation',
      () =>
        new JwtVpSigner(holder).sign(
          presentationV2({ verifiableCredential: ['eyJhbGciOiJFUzI1NiJ9.e30.c2ln'] }),
        ),
      'credential_invalid',
    ],
    [
      'a 1.1 presentation in the 2.0 encoding',
      () => new JwtVpSigner(holder).sign(presentationV1(), { version: '2.0' }),
      'credential_invalid',
    ],
    [
      'a vp member in a 2.0 presentation',
      () => new JwtVpSigner(holder, { strict: false }).sign(presentationV2({ vp: {} })),
      'credential_invalid',
    ],
    [
      'a credential in the presentation signer',
      () => new JwtVpSigner(holder).sign(credentialV2()),
      'credential_invalid',
    ],
  ])('refuses %s', async (_name, run, code) => {
    await expectCode(run, code as never)
  })

  it('1.1 presentations move holder and id to iss and jti by default, and can keep them', async () => {
    const doc = presentationV1({ id: 'urn:uuid:1', holder: didOf(holder) })
    expect(
      decode(await new JwtVpSigner(holder, { mappedProperties: 'keep' }).sign(doc)).payload.vp,
    ).toEqual(doc)
    const moved = decode(await new JwtVpSigner(holder).sign(doc)).payload
    expect(moved.vp).toEqual({ '@context': [V1], type: ['VerifiablePresentation'] })
    expect(moved).toMatchObject({ iss: didOf(holder), jti: 'urn:uuid:1' })
  })
})
