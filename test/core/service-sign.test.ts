// signVerifiable: the one "sign this in format X" behind POST /sign/*, the VC-API issue routes and
// `credsign sign`. What each kind and format makes, what each refuses (before any signature), and
// that the formats list is the one the transports read.
import { describe, expect, it } from 'vitest'
import { CredsignError } from '../../src/errors/credsign-error.js'
import { dataIntegrityHandler } from '../../src/formats/data-integrity/handler.js'
import { CRYPTOSUITES } from '../../src/formats/data-integrity/cryptosuites.js'
import type { Signer } from '../../src/keys/types.js'
import {
  CRYPTOSUITES_OFFERED,
  formatSigns,
  SIGNING_FORMAT_KINDS,
  SIGNING_FORMATS,
  VERIFIABLE_KINDS,
} from '../../src/service/formats.js'
import {
  checkSignRequest,
  resolvableSigner,
  SignRequestInvalid,
  signVerifiable,
  type SignVerifiableRequest,
} from '../../src/service/sign-verifiable.js'
import { verify } from '../../src/service/verify.js'
import { credentialV2, didOf, didSigner, plainSigner, V2 } from './vc-helpers.js'

const NOW = Date.parse('2026-01-01T00:00:00Z')
const now = (): number => NOW
const DOMAIN = 'https://verifier.example'
const CHALLENGE = 'n-0S6_WzA2Mj'

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(
    new TextDecoder().decode(
      Uint8Array.from(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')), (c) =>
        c.charCodeAt(0),
      ),
    ),
  ) as Record<string, unknown>
}

function headerOf(jwt: string): Record<string, unknown> {
  return JSON.parse(
    new TextDecoder().decode(
      Uint8Array.from(atob(jwt.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/')), (c) =>
        c.charCodeAt(0),
      ),
    ),
  ) as Record<string, unknown>
}

function presentation(): Record<string, unknown> {
  return { '@context': [V2], type: ['VerifiablePresentation'] }
}

/** A signer that fails the test if anything is signed: for requests that must be refused first. */
function untouchable(inner: Signer): Signer {
  return {
    ...inner,
    sign: () => Promise.reject(new Error('signed a request that should have been refused')),
  }
}

async function refusal(request: SignVerifiableRequest, signer?: Signer): Promise<CredsignError> {
  const error = await signVerifiable(untouchable(signer ?? (await didSigner())), request).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CredsignError)
  return error as CredsignError
}

describe('the one list of formats', () => {
  it('names every format with the kinds it signs, and every cryptosuite the Data Integrity format implements', () => {
    expect(SIGNING_FORMATS).toEqual(['jwt', 'data-integrity', 'sd-jwt'])
    expect(VERIFIABLE_KINDS).toEqual(['vc', 'vp', 'pop'])
    expect(SIGNING_FORMAT_KINDS['sd-jwt']).toEqual(['vc', 'vp'])
    expect(formatSigns('sd-jwt', 'pop')).toBe(false)
    expect(formatSigns('data-integrity', 'pop')).toBe(true)
    expect([...CRYPTOSUITES_OFFERED]).toEqual(Object.keys(CRYPTOSUITES))
    expect(CRYPTOSUITES_OFFERED).toEqual([
      'eddsa-rdfc-2022',
      'eddsa-jcs-2022',
      'ecdsa-rdfc-2019',
      'ecdsa-jcs-2019',
      'Ed25519Signature2020',
    ])
  })
})

describe('signVerifiable: what each kind and format makes', () => {
  it('vc in jwt: a JWT-VC (application/jwt) that verify() accepts', async () => {
    const signer = await didSigner()
    const signed = await signVerifiable(signer, {
      kind: 'vc',
      format: 'jwt',
      verifiable: credentialV2(),
      now,
    })
    expect(signed.mediaType).toBe('application/jwt')
    const result = await verify(signed.secured, { now: NOW })
    expect(result.errors).toEqual([])
    expect(result).toMatchObject({ verified: true, format: 'vc+jwt', issuer: didOf(signer) })
  })

  it('vp in jwt: aud, nonce, and exp = validUntil to the second, iat from the same clock', async () => {
    const signed = await signVerifiable(await didSigner('P-256'), {
      kind: 'vp',
      format: 'jwt',
      verifiable: presentation(),
      domain: DOMAIN,
      challenge: CHALLENGE,
      validUntil: '2026-01-01T00:10:00Z',
      now,
    })
    expect(signed.mediaType).toBe('application/jwt')
    expect(claimsOf(signed.secured as string)).toMatchObject({
      aud: DOMAIN,
      nonce: CHALLENGE,
      iat: NOW / 1000,
      exp: NOW / 1000 + 600,
    })
  })

  it('an empty challenge or domain is absent: no aud or nonce claim', async () => {
    const signed = await signVerifiable(await didSigner(), {
      kind: 'vp',
      format: 'jwt',
      verifiable: presentation(),
      domain: '',
      challenge: '',
      now,
    })
    const claims = claimsOf(signed.secured as string)
    expect(claims.aud).toBeUndefined()
    expect(claims.nonce).toBeUndefined()
  })

  it('vc in sd-jwt: vc+sd-jwt for a W3C credential (subject claims disclosable by default), dc+sd-jwt for SD-JWT VC claims', async () => {
    const signer = await didSigner()
    const w3c = await signVerifiable(signer, {
      kind: 'vc',
      format: 'sd-jwt',
      verifiable: credentialV2(),
      now,
    })
    expect(w3c.mediaType).toBe('application/vc+sd-jwt')
    expect((w3c.secured as string).split('~').length).toBeGreaterThan(2) // the degree is a disclosure
    const result = await verify(w3c.secured, { now: NOW })
    expect(result.errors).toEqual([])
    const vct = await signVerifiable(signer, {
      kind: 'vc',
      format: 'sd-jwt',
      verifiable: { vct: 'https://credentials.example/id', given_name: 'Alice' },
      now,
    })
    expect(vct.mediaType).toBe('application/dc+sd-jwt')
    expect(headerOf(vct.secured as string).typ).toBe('dc+sd-jwt')
  })

  it('vp in sd-jwt: the holder presents a bound SD-JWT with a KB-JWT carrying domain and challenge', async () => {
    const issuer = await didSigner()
    const holder = await didSigner('P-256')
    const issued = await signVerifiable(issuer, {
      kind: 'vc',
      format: 'sd-jwt',
      verifiable: { vct: 'https://credentials.example/id', given_name: 'Alice' },
      holderPublicJwk: { ...holder.publicJwk },
      now,
    })
    const presented = await signVerifiable(holder, {
      kind: 'vp',
      format: 'sd-jwt',
      verifiable: issued.secured as string,
      domain: DOMAIN,
      challenge: CHALLENGE,
      now,
    })
    expect(presented.mediaType).toBe('application/dc+sd-jwt')
    const result = await verify(presented.secured, { now: NOW, audience: DOMAIN, nonce: CHALLENGE })
    expect(result.errors).toEqual([])
    expect(result.verified).toBe(true)
  })

  it('vc and vp in data-integrity: a proof (the named suite); a presentation without holder becomes the key controller’s', async () => {
    const signer = await didSigner()
    const vc = await signVerifiable(signer, {
      kind: 'vc',
      format: 'data-integrity',
      verifiable: credentialV2({ issuer: didOf(signer) }),
      cryptosuite: 'eddsa-jcs-2022',
      now,
    })
    expect(vc.mediaType).toBe('application/json')
    expect((vc.secured as Record<string, unknown>).proof).toMatchObject({
      type: 'DataIntegrityProof',
      cryptosuite: 'eddsa-jcs-2022',
      proofPurpose: 'assertionMethod',
      verificationMethod: signer.id,
    })
    const result = await verify(vc.secured, { now: NOW, handlers: [dataIntegrityHandler()] })
    expect(result.errors).toEqual([])
    const vp = await signVerifiable(signer, {
      kind: 'vp',
      format: 'data-integrity',
      verifiable: presentation(),
      cryptosuite: 'eddsa-jcs-2022',
      domain: DOMAIN,
      challenge: CHALLENGE,
      now,
    })
    expect(vp.secured).toMatchObject({
      holder: didOf(signer),
      proof: { proofPurpose: 'authentication', domain: DOMAIN, challenge: CHALLENGE },
    })
  })

  it('pop in jwt and data-integrity: the OpenID4VCI proof types', async () => {
    const signer = await didSigner()
    const jwt = await signVerifiable(signer, {
      kind: 'pop',
      format: 'jwt',
      domain: 'https://issuer.example',
      challenge: 'c-nonce',
      clientId: 'wallet',
      now,
    })
    expect(jwt.mediaType).toBe('application/jwt')
    expect(headerOf(jwt.secured as string)).toMatchObject({
      typ: 'openid4vci-proof+jwt',
      kid: signer.id,
    })
    expect(claimsOf(jwt.secured as string)).toMatchObject({
      iss: 'wallet',
      aud: 'https://issuer.example',
      nonce: 'c-nonce',
      iat: NOW / 1000,
    })
    const jwk = await signVerifiable(signer, {
      kind: 'pop',
      format: 'jwt',
      domain: 'https://issuer.example',
      keyReference: 'jwk',
      now,
    })
    expect(headerOf(jwk.secured as string).jwk).toBeDefined()
    const diVp = await signVerifiable(signer, {
      kind: 'pop',
      format: 'data-integrity',
      domain: 'https://issuer.example',
      challenge: 'c-nonce',
      now,
    })
    expect(diVp.mediaType).toBe('application/json')
    expect(diVp.secured).toMatchObject({
      type: ['VerifiablePresentation'],
      holder: didOf(signer),
      proof: {
        cryptosuite: 'eddsa-rdfc-2022',
        domain: 'https://issuer.example',
        challenge: 'c-nonce',
      },
    })
  })

  it('resolvableSigner: a key whose id is not a DID URL signs as its did:key (or did:jwk); a DID URL signs as itself', async () => {
    const plain = await plainSigner('Ed25519', 'plain-key')
    expect(resolvableSigner(plain).id).toMatch(/^did:key:z6Mk\w+#z6Mk\w+$/)
    expect(resolvableSigner(plain, 'jwk').id).toMatch(/^did:jwk:[\w-]+#0$/)
    const named = await plainSigner('Ed25519', 'did:web:issuer.example#key-1')
    expect(resolvableSigner(named)).toBe(named)
  })
})

describe('signVerifiable: what it refuses, before anything is signed', () => {
  const cases: { name: string; request: SignVerifiableRequest; code: string; field?: string }[] = [
    {
      name: 'pop in sd-jwt (OpenID4VCI has no such proof type)',
      request: { kind: 'pop', format: 'sd-jwt', domain: DOMAIN },
      code: 'unsupported_format',
    },
    {
      name: 'a credential with a challenge',
      request: { kind: 'vc', format: 'jwt', verifiable: credentialV2(), challenge: 'c' },
      code: 'invalid_argument',
      field: 'challenge',
    },
    {
      name: 'a credential with a domain, even empty',
      request: { kind: 'vc', format: 'jwt', verifiable: credentialV2(), domain: '' },
      code: 'invalid_argument',
      field: 'domain',
    },
    {
      name: 'a credential with validUntil',
      request: {
        kind: 'vc',
        format: 'jwt',
        verifiable: credentialV2(),
        validUntil: '2030-01-01T00:00:00Z',
      },
      code: 'invalid_argument',
      field: 'validUntil',
    },
    {
      name: 'a credential that is a string',
      request: { kind: 'vc', format: 'jwt', verifiable: 'eyJ' },
      code: 'invalid_argument',
      field: 'verifiable',
    },
    {
      name: 'no presentation',
      request: { kind: 'vp', format: 'data-integrity' },
      code: 'invalid_argument',
      field: 'verifiable',
    },
    {
      name: 'an SD-JWT presentation of an object',
      request: {
        kind: 'vp',
        format: 'sd-jwt',
        verifiable: presentation(),
        domain: DOMAIN,
        challenge: CHALLENGE,
      },
      code: 'invalid_argument',
      field: 'verifiable',
    },
    {
      name: 'an SD-JWT presentation without challenge',
      request: { kind: 'vp', format: 'sd-jwt', verifiable: 'a~', domain: DOMAIN },
      code: 'invalid_argument',
    },
    {
      name: 'an SD-JWT presentation with an empty domain',
      request: { kind: 'vp', format: 'sd-jwt', verifiable: 'a~', domain: '', challenge: CHALLENGE },
      code: 'invalid_argument',
    },
    {
      name: 'a proof of possession without domain',
      request: { kind: 'pop', format: 'jwt', challenge: 'c' },
      code: 'invalid_argument',
      field: 'domain',
    },
    {
      name: 'a proof of possession with an empty domain',
      request: { kind: 'pop', format: 'jwt', domain: '' },
      code: 'invalid_argument',
      field: 'domain',
    },
    {
      name: 'a proof of possession of a document',
      request: { kind: 'pop', format: 'jwt', domain: DOMAIN, verifiable: {} },
      code: 'invalid_argument',
      field: 'verifiable',
    },
    {
      name: 'a proof of possession with validUntil',
      request: {
        kind: 'pop',
        format: 'data-integrity',
        domain: DOMAIN,
        validUntil: '2030-01-01T00:00:00Z',
      },
      code: 'invalid_argument',
      field: 'validUntil',
    },
    {
      name: 'a cryptosuite for a JWT',
      request: {
        kind: 'vc',
        format: 'jwt',
        verifiable: credentialV2(),
        cryptosuite: 'eddsa-jcs-2022',
      },
      code: 'invalid_argument',
      field: 'cryptosuite',
    },
    {
      name: 'an unknown cryptosuite',
      request: {
        kind: 'vc',
        format: 'data-integrity',
        verifiable: credentialV2(),
        cryptosuite: 'bbs-2023' as never,
      },
      code: 'invalid_argument',
      field: 'cryptosuite',
    },
    {
      name: 'a disclosure frame for a JWT',
      request: {
        kind: 'vc',
        format: 'jwt',
        verifiable: credentialV2(),
        disclosureFrame: { _sd: ['x'] },
      },
      code: 'invalid_argument',
      field: 'disclosureFrame',
    },
    {
      name: 'a holder key for a presentation',
      request: { kind: 'vp', format: 'jwt', verifiable: presentation(), holderPublicJwk: {} },
      code: 'invalid_argument',
      field: 'holderPublicJwk',
    },
    {
      name: 'a presentation frame for a credential',
      request: { kind: 'vc', format: 'sd-jwt', verifiable: credentialV2(), presentationFrame: {} },
      code: 'invalid_argument',
      field: 'presentationFrame',
    },
    {
      name: 'a clientId outside pop/jwt',
      request: { kind: 'pop', format: 'data-integrity', domain: DOMAIN, clientId: 'w' },
      code: 'invalid_argument',
      field: 'clientId',
    },
    {
      name: 'a keyReference outside pop/jwt',
      request: { kind: 'vp', format: 'jwt', verifiable: presentation(), keyReference: 'jwk' },
      code: 'invalid_argument',
      field: 'keyReference',
    },
    {
      name: 'an unknown format',
      request: { kind: 'vc', format: 'cose' as never, verifiable: credentialV2() },
      code: 'invalid_argument',
      field: 'format',
    },
    {
      name: 'an unknown kind',
      request: { kind: 'vcp' as never, format: 'jwt', verifiable: credentialV2() },
      code: 'invalid_argument',
      field: 'kind',
    },
    {
      name: 'a JWT presentation expiring in the past',
      request: {
        kind: 'vp',
        format: 'jwt',
        verifiable: presentation(),
        validUntil: '2020-01-01T00:00:00Z',
        now,
      },
      code: 'invalid_argument',
      field: 'validUntil',
    },
  ]
  for (const { name, request, code, field } of cases) {
    it(name, async () => {
      const error = await refusal(request)
      expect(error.code).toBe(code)
      if (code === 'invalid_argument') {
        expect(error).toBeInstanceOf(SignRequestInvalid)
        expect((error as SignRequestInvalid).field).toBe(field)
      }
    })
  }

  it('checkSignRequest refuses the same requests without a signer (what transports run before unlocking)', () => {
    expect(() =>
      checkSignRequest({ kind: 'vc', format: 'jwt', verifiable: credentialV2(), challenge: 'c' }),
    ).toThrow(SignRequestInvalid)
    expect(() => checkSignRequest({ kind: 'pop', format: 'sd-jwt', domain: DOMAIN })).toThrow(
      /OpenID4VCI has no sd-jwt proof type: use jwt or data-integrity/,
    )
    expect(() =>
      checkSignRequest({
        kind: 'vp',
        format: 'jwt',
        verifiable: presentation(),
        challenge: 'c',
        domain: 'd',
      }),
    ).not.toThrow()
  })

  it('the signer’s own refusals pass through with their codes (no Data Integrity suite for secp256k1)', async () => {
    const error = await signVerifiable(await didSigner('secp256k1'), {
      kind: 'vc',
      format: 'data-integrity',
      verifiable: credentialV2(),
      now,
    }).catch((e: unknown) => e)
    expect(CredsignError.is(error, 'unsupported_cryptosuite')).toBe(true)
  })
})
