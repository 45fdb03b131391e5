import { beforeAll, describe, expect, it } from 'vitest'
import {
  checkJwtTimes,
  epochMilliseconds,
  importPrivateKey,
  loadPrivateKey,
  normalizeTyp,
  signCompact,
  signJwt,
  typMatches,
  verifyJws,
  verifyJwt,
  type KeyAlgorithm,
  type PrivateJwk,
  type PublicJwk,
  type Signer,
} from '../../src/index.js'
import { fromB64u } from '../../src/util/bytes.js'
import vmEd25519 from '../fixtures/vectors/w3c-vc-jose-cose-test-suite/vm-ed25519.json' with { type: 'json' }
import vmP256 from '../fixtures/vectors/w3c-vc-jose-cose-test-suite/vm-p256.json' with { type: 'json' }
import { expectCode } from './keys-helpers.js'
import { ALGORITHMS, testKey, type TestKey } from './jose-helpers.js'

const NOW = Date.UTC(2030, 5, 15, 12, 0, 0) // injected clock (epoch ms)
const T = NOW / 1000
const clock = (): number => NOW
const keys = {} as Record<KeyAlgorithm, TestKey>
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
const partOf = (jwt: string, index: number): Record<string, unknown> =>
  JSON.parse(text(fromB64u(jwt.split('.')[index] as string))) as Record<string, unknown>

beforeAll(async () => {
  for (const algorithm of ALGORITHMS)
    keys[algorithm] = await testKey(algorithm, `https://issuer.example/keys/${algorithm}`)
}, 120_000)

describe('signJwt / verifyJwt round trip', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}`, async () => {
      const key = keys[algorithm]
      const jwt = await signJwt(
        key.signer,
        {
          iss: 'https://issuer.example',
          sub: 'alice',
          aud: ['https://api.example', 'https://other.example'],
          scope: 'read',
        },
        {
          typ: 'at+jwt',
          expiresIn: 300,
          notBefore: T - 10,
          jwtId: true,
          now: clock,
        },
      )
      const header = partOf(jwt, 0)
      expect(header).toEqual({
        alg: key.signer.algorithm === 'Ed25519' ? 'EdDSA' : header.alg,
        kid: key.signer.id,
        typ: 'at+jwt',
      })
      const claims = partOf(jwt, 1)
      expect(claims).toMatchObject({ iat: T, nbf: T - 10, exp: T + 300, sub: 'alice' })
      expect(claims.jti).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      )
      // claim order: the caller's first, then the helpers'
      expect(Object.keys(claims)).toEqual([
        'iss',
        'sub',
        'aud',
        'scope',
        'iat',
        'nbf',
        'exp',
        'jti',
      ])

      const verified = await verifyJwt(jwt, {
        key: key.publicJwk,
        typ: 'application/AT+JWT',
        issuer: 'https://issuer.example',
        audience: 'https://other.example',
        subject: 'alice',
        requiredClaims: ['exp', 'jti', 'scope'],
        now: NOW,
        maxAgeSeconds: 60,
      })
      expect(verified.payload.scope).toBe('read')
      expect(verified.protectedHeader.typ).toBe('at+jwt')
      expect(verified.key.publicJwk.kid).toBe(key.publicJwk.kid)
    })
  }

  it('nonce, audience as a string and as a list', async () => {
    const jwt = await signJwt(
      keys['P-256'].signer,
      { aud: 'https://verifier.example', nonce: 'n-0S6_WzA2Mj' },
      { now: clock },
    )
    const base = { key: keys['P-256'].publicJwk, now: NOW }
    await expect(
      verifyJwt(jwt, {
        ...base,
        nonce: 'n-0S6_WzA2Mj',
        audience: ['https://x.example', 'https://verifier.example'],
      }),
    ).resolves.toBeTruthy()
    await expectCode(() => verifyJwt(jwt, { ...base, nonce: 'other' }), 'nonce_mismatch')
  })

  it('iat helpers: default now, a given number, false, or the claims own iat', async () => {
    const s = keys.Ed25519.signer
    expect(partOf(await signJwt(s, {}, { now: clock }), 1)).toEqual({ iat: T })
    expect(partOf(await signJwt(s, {}, { issuedAt: 1000 }), 1)).toEqual({ iat: 1000 })
    expect(partOf(await signJwt(s, {}, { issuedAt: false }), 1)).toEqual({})
    expect(partOf(await signJwt(s, { iat: 5 }, { now: clock }), 1)).toEqual({ iat: 5 })
    expect(partOf(await signJwt(s, { iat: 5 }, { expiresIn: 10 }), 1)).toEqual({ iat: 5, exp: 15 })
    expect(partOf(await signJwt(s, {}, { issuedAt: false, expiresIn: 10, now: clock }), 1)).toEqual(
      { exp: T + 10 },
    )
    expect(partOf(await signJwt(s, {}, { issuedAt: false, jwtId: 'req-1' }), 1)).toEqual({
      jti: 'req-1',
    })
    // Date.now by default
    const iat = partOf(await signJwt(s, {}), 1).iat as number
    expect(Math.abs(iat - Date.now() / 1000)).toBeLessThan(5)
  })

  it('a helper and the same claim at once is invalid_argument; bad helper values too', async () => {
    const s = keys.Ed25519.signer
    await expectCode(() => signJwt(s, { exp: 1 }, { expiresIn: 10 }), 'invalid_argument')
    await expectCode(() => signJwt(s, { iat: 1 }, { issuedAt: 2 }), 'invalid_argument')
    await expectCode(() => signJwt(s, { nbf: 1 }, { notBefore: 2 }), 'invalid_argument')
    await expectCode(() => signJwt(s, { jti: 'a' }, { jwtId: true }), 'invalid_argument')
    await expectCode(() => signJwt(s, {}, { expiresIn: -1 }), 'invalid_argument')
    await expectCode(() => signJwt(s, {}, { expiresIn: Number.NaN }), 'invalid_argument')
    await expectCode(() => signJwt(s, {}, { notBefore: '1' as never }), 'invalid_argument')
    await expectCode(
      () => signJwt(s, {}, { typ: 'a', protectedHeader: { typ: 'b' } }),
      'invalid_argument',
    )
    await expectCode(() => signJwt(s, [] as never), 'invalid_argument')
    await expectCode(() => signJwt(s, { n: 1n }), 'invalid_argument')
    await expectCode(() => signJwt(s, {}, { now: () => Number.NaN }), 'invalid_argument')
  })

  it('claim values are signed as given (a string iat, as in the W3C suite)', async () => {
    const jwt = await signJwt(
      keys.Ed25519.signer,
      { iat: '2010-01-01T19:23:24Z' as never },
      { typ: 'vc+jwt' },
    )
    expect(partOf(jwt, 1).iat).toBe('2010-01-01T19:23:24Z')
    await expectCode(() => verifyJwt(jwt, { key: keys.Ed25519.publicJwk }), 'claim_invalid')
    await expect(
      verifyJwt(jwt, { key: keys.Ed25519.publicJwk, nonNumericIat: 'ignore' }),
    ).resolves.toBeTruthy()
    await expect(
      verifyJwt(jwt, { key: keys.Ed25519.publicJwk, checkTimes: false }),
    ).resolves.toBeTruthy()
  })

  it('clock tolerance: default 60 s, configurable, boundaries per RFC 7519', async () => {
    const s = keys.Ed25519.signer
    const key = keys.Ed25519.publicJwk
    const exp = await signJwt(s, { exp: T - 60 }, { issuedAt: false })
    await expectCode(() => verifyJwt(exp, { key, now: NOW }), 'expired') // on exp + tolerance: refused
    await expect(verifyJwt(exp, { key, now: NOW - 1 })).resolves.toBeTruthy()
    await expect(verifyJwt(exp, { key, now: NOW, clockToleranceSeconds: 61 })).resolves.toBeTruthy()
    await expectCode(
      () => verifyJwt(exp, { key, now: NOW - 1, clockToleranceSeconds: 0 }),
      'expired',
    )
    const nbf = await signJwt(s, {}, { issuedAt: false, notBefore: T + 60 })
    await expect(verifyJwt(nbf, { key, now: NOW })).resolves.toBeTruthy()
    await expectCode(() => verifyJwt(nbf, { key, now: NOW - 1 }), 'not_yet_valid')
    // checkTimes: false leaves times to the caller
    await expect(
      verifyJwt(exp, { key, now: NOW + 86_400_000, checkTimes: false }),
    ).resolves.toBeTruthy()
  })

  it('the clock may be a number, a Date or a function', async () => {
    const jwt = await signJwt(keys.Ed25519.signer, {}, { now: clock, expiresIn: 10 })
    for (const now of [NOW, new Date(NOW), clock])
      await expect(verifyJwt(jwt, { key: keys.Ed25519.publicJwk, now })).resolves.toBeTruthy()
    await expectCode(
      () => verifyJwt(jwt, { key: keys.Ed25519.publicJwk, now: new Date('nope') }),
      'invalid_argument',
    )
  })

  it('typ comparison: case-insensitive, application/ prefix ignored, lists accepted', async () => {
    const jwt = await signJwt(
      keys.Ed25519.signer,
      {},
      { typ: 'application/oauth-authz-req+jwt', now: clock },
    )
    const key = keys.Ed25519.publicJwk
    await expect(
      verifyJwt(jwt, { key, now: NOW, typ: 'oauth-authz-req+jwt' }),
    ).resolves.toBeTruthy()
    await expect(
      verifyJwt(jwt, { key, now: NOW, typ: ['JWT', 'OAuth-Authz-Req+JWT'] }),
    ).resolves.toBeTruthy()
    await expectCode(() => verifyJwt(jwt, { key, now: NOW, typ: 'jwt' }), 'typ_mismatch')
    await expectCode(() => verifyJwt(jwt, { key, now: NOW, typ: [] }), 'invalid_argument')
    expect(normalizeTyp('application/VC+JWT')).toBe('vc+jwt')
    expect(normalizeTyp('text/plain')).toBe('text/plain')
    expect(typMatches('JWT', 'application/jwt')).toBe(true)
    expect(typMatches(undefined, 'JWT')).toBe(false)
    expect(typMatches('vc+jwt', 'vp+jwt')).toBe(false)
  })

  it('typ is checked before the key is looked up', async () => {
    const jwt = await signJwt(keys.Ed25519.signer, {}, { typ: 'at+jwt', now: clock })
    let calls = 0
    const resolver = {
      resolveKey: async () => {
        calls += 1
        throw new Error('not reached')
      },
    }
    await expectCode(() => verifyJwt(jwt, { resolver, typ: 'vc+jwt', now: NOW }), 'typ_mismatch')
    expect(calls).toBe(0)
  })
})

describe('checkJwtTimes', () => {
  it('applies exp, nbf, iat and maxAge with the tolerance', () => {
    checkJwtTimes({}, { now: NOW })
    checkJwtTimes({ iat: T, nbf: T, exp: T + 1 }, { now: NOW, clockToleranceSeconds: 0 })
    checkJwtTimes({ iat: T - 0.5, exp: T + 0.25 }, { now: NOW, clockToleranceSeconds: 0 }) // fractions are NumericDates too
    expect(() => checkJwtTimes({ exp: T }, { now: NOW, clockToleranceSeconds: 0 })).toThrow(
      expect.objectContaining({ code: 'expired' }),
    )
    expect(() => checkJwtTimes({ nbf: T + 1 }, { now: NOW, clockToleranceSeconds: 0 })).toThrow(
      expect.objectContaining({ code: 'not_yet_valid' }),
    )
    expect(() => checkJwtTimes({ iat: T + 120 }, { now: NOW })).toThrow(
      expect.objectContaining({ code: 'not_yet_valid' }),
    )
    expect(() => checkJwtTimes({ iat: T - 400 }, { now: NOW, maxAgeSeconds: 300 })).toThrow(
      expect.objectContaining({ code: 'expired' }),
    )
    checkJwtTimes({ iat: T - 350 }, { now: NOW, maxAgeSeconds: 300 })
    expect(() => checkJwtTimes({}, { now: NOW, maxAgeSeconds: 300 })).toThrow(
      expect.objectContaining({ code: 'claim_invalid' }),
    )
  })

  it('non-numeric times: claim_invalid, except iat with nonNumericIat: ignore', () => {
    for (const claims of [
      { exp: '1' },
      { nbf: true },
      { iat: '2010-01-01T19:23:24Z' },
      { exp: Number.POSITIVE_INFINITY },
      { exp: null },
    ]) {
      expect(() => checkJwtTimes(claims, { now: NOW })).toThrow(
        expect.objectContaining({ code: 'claim_invalid' }),
      )
    }
    checkJwtTimes({ iat: '2010-01-01T19:23:24Z' }, { now: NOW, nonNumericIat: 'ignore' })
    expect(() =>
      checkJwtTimes({ iat: '2010', exp: 'x' }, { now: NOW, nonNumericIat: 'ignore' }),
    ).toThrow(expect.objectContaining({ code: 'claim_invalid' }))
    // The W3C suite's expired presentation: the caller decides (here: exp not checked at all)
    expect(() => checkJwtTimes({ exp: 1734397450, iat: 1734311050 }, { now: NOW })).toThrow(
      expect.objectContaining({ code: 'expired' }),
    )
  })

  it('validates its options', () => {
    expect(() => checkJwtTimes({}, { clockToleranceSeconds: -1 })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    expect(() => checkJwtTimes({}, { nonNumericIat: 'maybe' as never })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    expect(() => checkJwtTimes(null as never)).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    expect(epochMilliseconds(new Date(5))).toBe(5)
    expect(epochMilliseconds(() => 7)).toBe(7)
    expect(() => epochMilliseconds('now' as never)).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })
})

describe('W3C VC-JOSE-COSE suite tokens at the JWS/JWT level', () => {
  // Verbatim from w3c/vc-jose-cose-test-suite tests/input/ (see test/fixtures/vectors/README.md).
  const ISSUER_MATCH_SIGNED =
    'eyJhbGciOiJFZERTQSIsImN0eSI6InZjIiwia2lkIjoiMmFPSGFReHNXVlQ0bUxzVWtkdGxDblVWLWF1MEJCUi01eVBZYVBhQ2M1ayIsInR5cCI6InZjK2p3dCJ9.eyJAY29udGV4dCI6WyJodHRwczovL3d3dy53My5vcmcvbnMvY3JlZGVudGlhbHMvdjIiLCJodHRwczovL3d3dy53My5vcmcvbnMvY3JlZGVudGlhbHMvZXhhbXBsZXMvdjIiXSwiY3JlZGVudGlhbFNjaGVtYSI6eyJpZCI6Imh0dHBzOi8vZXhhbXBsZS5vcmcvZXhhbXBsZXMvZGVncmVlLmpzb24iLCJ0eXBlIjoiSnNvblNjaGVtYSJ9LCJjcmVkZW50aWFsU3ViamVjdCI6eyJkZWdyZWUiOnsibmFtZSI6IkJhY2hlbG9yIG9mIFNjaWVuY2UgYW5kIEFydHMiLCJ0eXBlIjoiQmFjaGVsb3JEZWdyZWUifSwiaWQiOiJkaWQ6ZXhhbXBsZToxMjMifSwiaWF0IjoiMjAxMC0wMS0wMVQxOToyMzoyNFoiLCJpZCI6Imh0dHA6Ly91bml2ZXJzaXR5LmV4YW1wbGUvY3JlZGVudGlhbHMvMTg3MiIsImlzcyI6Imh0dHBzOi8vZXhhbXBsZS5pc3N1ZXIvdmMtam9zZS1jb3NlIiwiaXNzdWVyIjoiaHR0cHM6Ly9leGFtcGxlLmlzc3Vlci92Yy1qb3NlLWNvc2UiLCJqdGkiOiJodHRwOi8vdW5pdmVyc2l0eS5leGFtcGxlL2NyZWRlbnRpYWxzLzE4NzIiLCJ0eXBlIjpbIlZlcmlmaWFibGVDcmVkZW50aWFsIiwiRXhhbXBsZUFsdW1uaUNyZWRlbnRpYWwiXSwidmFsaWRGcm9tIjoiMjAxMC0wMS0wMVQxOToyMzoyNFoifQ.Ar5J3jlPCjXpZy055JDSPGF6mF46XnNZ5QaqGvLrtHjI2pwbGU2j9X0W3KNiKs71n_mfFSghfuy-cPjIRu9CAw'
  const JOSE_MINIMAL_ES256 =
    'eyJhbGciOiJFUzI1NiIsImN0eSI6InZjIiwia2lkIjoiNzN2b01YRk5tTmxPRXB1WUNTSmxoOGVOMGRzY3lrb082Z0J1a2dSUzF1VSIsInR5cCI6InZjK2p3dCJ9.eyJAY29udGV4dCI6WyJodHRwczovL3d3dy53My5vcmcvbnMvY3JlZGVudGlhbHMvdjIiLCJodHRwczovL3d3dy53My5vcmcvbnMvY3JlZGVudGlhbHMvZXhhbXBsZXMvdjIiXSwiY3JlZGVudGlhbFNjaGVtYSI6eyJpZCI6Imh0dHBzOi8vZXhhbXBsZS5vcmcvZXhhbXBsZXMvZGVncmVlLmpzb24iLCJ0eXBlIjoiSnNvblNjaGVtYSJ9LCJjcmVkZW50aWFsU3ViamVjdCI6eyJkZWdyZWUiOnsibmFtZSI6IkJhY2hlbG9yIG9mIFNjaWVuY2UgYW5kIEFydHMiLCJ0eXBlIjoiQmFjaGVsb3JEZWdyZWUifSwiaWQiOiJkaWQ6ZXhhbXBsZToxMjMifSwiaWF0IjoiMjAxMC0wMS0wMVQxOToyMzoyNFoiLCJpZCI6Imh0dHA6Ly91bml2ZXJzaXR5LmV4YW1wbGUvY3JlZGVudGlhbHMvMTg3MiIsImlzcyI6Imh0dHBzOi8vZXhhbXBsZS5pc3N1ZXIvdmMtam9zZS1jb3NlIiwiaXNzdWVyIjoiaHR0cHM6Ly9leGFtcGxlLmlzc3Vlci92Yy1qb3NlLWNvc2UiLCJqdGkiOiJodHRwOi8vdW5pdmVyc2l0eS5leGFtcGxlL2NyZWRlbnRpYWxzLzE4NzIiLCJ0eXBlIjpbIlZlcmlmaWFibGVDcmVkZW50aWFsIiwiRXhhbXBsZUFsdW1uaUNyZWRlbnRpYWwiXSwidmFsaWRGcm9tIjoiMjAxMC0wMS0wMVQxOToyMzoyNFoifQ.8MlgeePPgLKmffZriidj8y2Z5rlxX4A7-dDppUMMjNNURUk9PaG6Qh5irW0Gyot1ZITIFPn1in9OZINvB6dkOA'
  const BAD_SIGNATURE = `${ISSUER_MATCH_SIGNED.slice(0, ISSUER_MATCH_SIGNED.lastIndexOf('.'))}.CAJ3jlPCjXpZyAr5NiKs71n_mfFSghy-cPjIRu96mF46XnNZ5QaqGvLrtHjI2pwbG055JDSPGFU2j9X0W3Kfuw`

  it('the Ed25519 token re-signs byte for byte from its header and payload', async () => {
    const material = await importPrivateKey({ jwk: vmEd25519.secretKeyJwk as PrivateJwk })
    const handle = await loadPrivateKey('Ed25519', material.pkcs8)
    const signer: Signer = {
      id: vmEd25519.id,
      algorithm: 'Ed25519',
      publicJwk: material.publicJwk,
      sign: (data) => handle.sign(data),
    }
    const [h, p] = ISSUER_MATCH_SIGNED.split('.') as [string, string]
    const header = JSON.parse(text(fromB64u(h))) as Record<string, unknown>
    expect(await signCompact(signer, fromB64u(p), { protectedHeader: header })).toBe(
      ISSUER_MATCH_SIGNED,
    )
  })

  it('verify with the suite keys (EdDSA and ES256); string iat tolerated by policy; bad signature refused', async () => {
    const ed = vmEd25519.publicKeyJwk as PublicJwk
    const es = vmP256.publicKeyJwk as PublicJwk
    await expect(verifyJws(ISSUER_MATCH_SIGNED, { jwks: { keys: [es, ed] } })).resolves.toBeTruthy()
    await expect(verifyJws(JOSE_MINIMAL_ES256, { jwks: { keys: [ed, es] } })).resolves.toBeTruthy()
    const verified = await verifyJwt(ISSUER_MATCH_SIGNED, {
      key: ed,
      typ: 'vc+jwt',
      nonNumericIat: 'ignore',
      issuer: 'https://example.issuer/vc-jose-cose',
    })
    expect(verified.payload.iat).toBe('2010-01-01T19:23:24Z')
    await expectCode(() => verifyJwt(ISSUER_MATCH_SIGNED, { key: ed }), 'claim_invalid')
    await expectCode(() => verifyJws(BAD_SIGNATURE, { key: ed }), 'signature_invalid')
    await expectCode(() => verifyJws(JOSE_MINIMAL_ES256, { key: ed }), 'algorithm_not_allowed')
  })
})
