// verify()'s one `aud` rule, for every JWT kind it accepts (src/verify/audience.ts): a token carrying
// `aud` is refused (`audience_mismatch`) unless the verifier identifies itself with a value in it
// (RFC 7519 section 4.1.3: "If the principal processing the claim does not identify itself with a
// value in the "aud" claim when this claim is present, then the JWT MUST be rejected"). Credentials
// were exempt: a `vc+jwt`, a VCDM 1.1 `vc` JWT or an SD-JWT VC's issuer-signed JWT addressed to one
// verifier was accepted by any verifier that named no audience.
//
// The references, on the same tokens: did-jwt-vc's verifyCredential (did-jwt) refuses a credential
// with `aud` and no audience, as credsign now does; jose's jwtVerify and @sd-jwt/sd-jwt-vc's verify
// do not check `aud` unless given an audience (@sd-jwt has no option for the issuer JWT's `aud` at
// all): credsign's low-level verifyJwt keeps jose's rule (docs/jose.md), verify() does not.
//
// A credential inside a presentation is processed by the same verifier: its `aud`, when it has one,
// must name the presentation's audience (a credential addressed to another party is refused), and
// a credential without `aud` needs none. Status lists are the same for every verifier: one with
// `aud` is refused.
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { verifyCredential } from 'did-jwt-vc'
import type { Resolvable } from 'did-resolver'
import { importJWK, jwtVerify } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  JwtVcSigner,
  JwtVpSigner,
  SdJwtVcSigner,
  createStatusListResolver,
  createVerifier,
  didKeyDocument,
  envelopeCredential,
  envelopedHandler,
  joseHandler,
  presentSdJwt,
  sdJwtHandler,
  verify,
  verifyJwt,
  type Signer,
  type VerificationResult,
} from '../../src/index.js'
import {
  DataIntegritySigner,
  dataIntegrityHandler,
} from '../../src/formats/data-integrity/index.js'
import {
  codes,
  credentialV1,
  credentialV2,
  decode,
  didSigner,
  expectVerified,
  presentationV1,
  presentationV2,
  signRaw,
} from '../core/vc-helpers.js'
import {
  LIST_URL,
  TOKEN_URL,
  bitstringEntry,
  bitstringListCredential,
  credentialWithStatus,
  sdJwtWithStatus,
  tokenList,
} from '../core/status-helpers.js'

const VERIFIER = 'https://verifier.example'
const OTHER = 'https://other.example'
const VCT = 'https://credentials.example.com/identity_credential'

/** Did:key resolution for did-jwt, from credsign's own did:key documents (no network). */
const resolver: Resolvable = {
  resolve: async (didUrl: string) => ({
    didResolutionMetadata: { contentType: 'application/did+ld+json' },
    didDocument: didKeyDocument(didUrl.split('#')[0] as string) as never,
    didDocumentMetadata: {},
  }),
}

let issuer: Signer
let holder: Signer

beforeAll(async () => {
  issuer = await didSigner('Ed25519')
  holder = await didSigner('Ed25519')
})

/** `jwt` re-signed by `signer` with `aud` set (JwtVcSigner refuses an `aud` claim). */
async function withAud(signer: Signer, jwt: string, aud: string | string[]): Promise<string> {
  const { header, payload } = decode(jwt)
  return signRaw(signer, header, { ...payload, aud })
}

/** A VC-JOSE-COSE `vc+jwt` of `issuer` addressed to `aud`. */
async function vcJwt(aud: string | string[]): Promise<string> {
  return withAud(issuer, await new JwtVcSigner(issuer).sign(credentialV2()), aud)
}

/** A VCDM 1.1 `vc` JWT of `issuer` addressed to `aud`. */
async function vcJwtV1(aud: string | string[]): Promise<string> {
  return withAud(issuer, await new JwtVcSigner(issuer).sign(credentialV1()), aud)
}

/** An SD-JWT VC (no cnf, no KB-JWT) whose issuer-signed JWT is addressed to `aud`. */
async function sdJwtVc(aud: string | string[]): Promise<string> {
  return new SdJwtVcSigner(issuer).issue({ given_name: 'Erika', aud }, { vct: VCT })
}

const KINDS: [string, (aud: string | string[]) => Promise<string>, string][] = [
  ['vc+jwt (VC-JOSE-COSE)', vcJwt, 'vc+jwt'],
  ['VCDM 1.1 vc JWT', vcJwtV1, 'vc-jwt'],
  ['SD-JWT VC issuer-signed JWT', sdJwtVc, 'sd-jwt'],
]

const audienceChecks = (result: VerificationResult) =>
  result.checks.filter((check) => check.name === 'audience')

describe('a credential with aud: one rule for every kind', () => {
  it.each(KINDS)(
    '%s: aud and no audience is audience_mismatch; the right audience, or an aud array holding it, verifies',
    async (_name, make, format) => {
      const addressed = await make(VERIFIER)
      const none = await verify(addressed)
      expect(none.format).toBe(format)
      expect(codes(none)).toEqual(['audience_mismatch'])
      expect(none.errors[0]?.path).toBe('aud')

      const named = await verify(addressed, { audience: VERIFIER })
      expectVerified(named)
      expect(audienceChecks(named)).toContainEqual({
        name: 'audience',
        passed: true,
        detail: VERIFIER,
      })
      // (An SD-JWT whose issuer JWT does not name the audience needs a KB-JWT for it as well.)
      expect(codes(await verify(addressed, { audience: OTHER }))[0]).toBe('audience_mismatch')

      const several = await make([OTHER, VERIFIER])
      expect(codes(await verify(several))).toEqual(['audience_mismatch'])
      expectVerified(await verify(several, { audience: VERIFIER }))
    },
  )

  it.each(KINDS)(
    '%s: the same through createVerifier (a slim verifier runs the same rule)',
    async (_name, make) => {
      const slim = createVerifier({ handlers: [joseHandler, sdJwtHandler, envelopedHandler] })
      const addressed = await make(VERIFIER)
      expect(codes(await slim(addressed))).toEqual(['audience_mismatch'])
      expectVerified(await slim(addressed, { audience: VERIFIER }))
    },
  )

  it('an EnvelopedVerifiableCredential holding an addressed vc+jwt: the same rule', async () => {
    const envelope = envelopeCredential(await vcJwt(VERIFIER))
    expect(codes(await verify(envelope))).toEqual(['audience_mismatch'])
    expectVerified(await verify(envelope, { audience: VERIFIER }))
  })

  it('a credential without aud: verified with no audience (nothing to identify with); an audience asked of it is not checked (expectation_unchecked)', async () => {
    const bare = await new JwtVcSigner(issuer).sign(credentialV2())
    expectVerified(await verify(bare))
    expect(codes(await verify(bare, { audience: VERIFIER }))).toEqual(['expectation_unchecked'])
  })
})

describe("an SD-JWT VC's aud cannot be made withholdable by credsign's issuer", () => {
  it('SdJwtVcSigner refuses aud as a disclosable claim (whoever holds the SD-JWT could strip the address and present it to any verifier); its array elements stay disclosable, and withholding them all leaves aud [] (refused)', async () => {
    const signer = new SdJwtVcSigner(issuer)
    await expect(
      signer.issue(
        { given_name: 'Erika', aud: VERIFIER },
        { vct: VCT, disclosureFrame: { _sd: ['aud'] } },
      ),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    // The W3C variant too (a non-strict credential may carry aud).
    await expect(
      signer.signCredential(
        { ...credentialV2(), aud: VERIFIER },
        {
          strict: false,
          disclosureFrame: { _sd: ['aud'] },
        },
      ),
    ).rejects.toMatchObject({ code: 'invalid_argument' })

    const perVerifier = await signer.issue(
      { given_name: 'Erika', aud: [VERIFIER, OTHER] },
      { vct: VCT, disclosureFrame: { aud: { _sd: [0, 1] } } },
    )
    expectVerified(
      await verify(await presentSdJwt(perVerifier, { disclose: { aud: { _sd: [0] } } }), {
        audience: VERIFIER,
      }),
    )
    const stripped = await presentSdJwt(perVerifier, { disclose: 'none' })
    expect(codes(await verify(stripped))).toEqual(['audience_mismatch'])
    // (Not addressed, so the audience asks for a KB-JWT too.)
    expect(codes(await verify(stripped, { audience: VERIFIER }))).toEqual([
      'audience_mismatch',
      'key_binding_required',
    ])
  })
})

describe('the references on the same credentials', () => {
  it('did-jwt-vc refuses a VCDM 1.1 credential with aud and no audience, accepts it with the audience: credsign agrees', async () => {
    const addressed = await vcJwtV1(VERIFIER)
    await expect(verifyCredential(addressed, resolver)).rejects.toThrow(
      /JWT audience is required but your app address has not been configured/,
    )
    await expect(
      verifyCredential(addressed, resolver, { audience: VERIFIER }),
    ).resolves.toBeTruthy()
    await expect(verifyCredential(addressed, resolver, { audience: OTHER })).rejects.toThrow(
      /JWT audience does not match/,
    )
    expect(codes(await verify(addressed))).toEqual(['audience_mismatch'])
    expectVerified(await verify(addressed, { audience: VERIFIER }))
    expect(codes(await verify(addressed, { audience: OTHER }))).toEqual(['audience_mismatch'])
  })

  it("jose's jwtVerify accepts a vc+jwt with aud when given no audience; so does credsign's low-level verifyJwt (jose's rule), verify() does not", async () => {
    const addressed = await vcJwt(VERIFIER)
    const key = await importJWK({ ...issuer.publicJwk, alg: 'EdDSA' }, 'EdDSA')
    await expect(jwtVerify(addressed, key)).resolves.toBeTruthy()
    await expect(jwtVerify(addressed, key, { audience: OTHER })).rejects.toThrow(/aud/)
    await expect(
      verifyJwt(addressed, { key: issuer.publicJwk, typ: 'vc+jwt' }),
    ).resolves.toBeTruthy()
    await expect(
      verifyJwt(addressed, { key: issuer.publicJwk, typ: 'vc+jwt', audience: OTHER }),
    ).rejects.toMatchObject({ code: 'audience_mismatch' })
    expect(codes(await verify(addressed))).toEqual(['audience_mismatch'])
  })

  it("@sd-jwt/sd-jwt-vc's verify accepts an SD-JWT VC whose issuer-signed JWT has aud (it never reads it); credsign refuses it without the audience", async () => {
    const addressed = await sdJwtVc(VERIFIER)
    const publicKey = createPublicKey({ key: issuer.publicJwk as never, format: 'jwk' })
    const instance = new SDJwtVcInstance({
      hasher: (data: string | ArrayBuffer) =>
        new Uint8Array(
          createHash('sha256')
            .update(typeof data === 'string' ? data : new Uint8Array(data))
            .digest(),
        ),
      hashAlg: 'sha-256',
      verifier: (data: string, signature: string) =>
        nodeVerify(null, Buffer.from(data), publicKey, Buffer.from(signature, 'base64url')),
    })
    const reference = await instance.verify(addressed)
    expect(reference.payload.aud).toBe(VERIFIER)
    expect(codes(await verify(addressed))).toEqual(['audience_mismatch'])
    expectVerified(await verify(addressed, { audience: VERIFIER }))
  })
})

describe('credentials inside a presentation: checked against the presentation audience', () => {
  const vp = (credentials: unknown[], audience?: string) =>
    new JwtVpSigner(holder).sign(
      presentationV2({ verifiableCredential: credentials }),
      audience === undefined ? {} : { audience, nonce: 'n' },
    )

  it('a vc+jwt addressed to the verifier the presentation is for verifies; one addressed to another party is embedded_credential_invalid (audience_mismatch)', async () => {
    const forVerifier = await vp([envelopeCredential(await vcJwt(VERIFIER))], VERIFIER)
    expectVerified(await verify(forVerifier, { audience: VERIFIER, nonce: 'n' }))

    const forOther = await vp([envelopeCredential(await vcJwt(OTHER))], VERIFIER)
    const refused = await verify(forOther, { audience: VERIFIER, nonce: 'n' })
    expect(codes(refused)).toEqual(['embedded_credential_invalid'])
    expect(refused.errors[0]?.message).toContain('audience_mismatch')
    expect(codes(refused.credentials?.[0] as VerificationResult)).toEqual(['audience_mismatch'])

    const inArray = await vp([envelopeCredential(await vcJwt([OTHER, VERIFIER]))], VERIFIER)
    expectVerified(await verify(inArray, { audience: VERIFIER, nonce: 'n' }))
  })

  it('a credential without aud needs no audience of its own (the presentation is what is addressed)', async () => {
    const bare = await new JwtVcSigner(issuer).sign(credentialV2())
    expectVerified(
      await verify(await vp([envelopeCredential(bare)], VERIFIER), {
        audience: VERIFIER,
        nonce: 'n',
      }),
    )
    expectVerified(await verify(await vp([envelopeCredential(bare)])))
  })

  it('an addressed credential in a presentation verified with no audience is refused', async () => {
    const result = await verify(await vp([envelopeCredential(await vcJwt(VERIFIER))]))
    expect(codes(result)).toEqual(['embedded_credential_invalid'])
    expect(codes(result.credentials?.[0] as VerificationResult)).toEqual(['audience_mismatch'])
  })

  it('an SD-JWT VC with an issuer aud inside a presentation: the same rule, no KB-JWT required by the audience', async () => {
    const inside = (sdJwt: string) =>
      vp([envelopeCredential(sdJwt, 'application/dc+sd-jwt')], VERIFIER)
    expectVerified(
      await verify(await inside(await sdJwtVc(VERIFIER)), { audience: VERIFIER, nonce: 'n' }),
    )
    const refused = await verify(await inside(await sdJwtVc(OTHER)), {
      audience: VERIFIER,
      nonce: 'n',
    })
    expect(codes(refused)).toEqual(['embedded_credential_invalid'])
    expect(codes(refused.credentials?.[0] as VerificationResult)).toEqual(['audience_mismatch'])
  })

  it("an SD-JWT+KB inside a presentation: its KB-JWT's aud is checked against the presentation's audience (it was refused whatever it named: the inner audience was cleared)", async () => {
    const bound = await new SdJwtVcSigner(issuer).issue(
      { given_name: 'Erika' },
      { vct: VCT, holder: holder.publicJwk },
    )
    const inside = async (kbAudience: string) =>
      vp(
        [
          envelopeCredential(
            await presentSdJwt(bound, { holder, audience: kbAudience, nonce: 'n' }),
            'application/dc+sd-jwt',
          ),
        ],
        VERIFIER,
      )
    expectVerified(await verify(await inside(VERIFIER), { audience: VERIFIER, nonce: 'n' }))
    const refused = await verify(await inside(OTHER), { audience: VERIFIER, nonce: 'n' })
    expect(codes(refused)).toEqual(['embedded_credential_invalid'])
    expect(codes(refused.credentials?.[0] as VerificationResult)).toEqual(['audience_mismatch'])
  })

  it('an SD-JWT+KB inside a presentation verified with a nonce: its KB-JWT must carry that nonce (else one captured within keyBindingMaxAgeSeconds is replayed in a fresh presentation, as verify(sdJwt, { audience, nonce }) refuses)', async () => {
    const bound = await new SdJwtVcSigner(issuer).issue(
      { given_name: 'Erika' },
      { vct: VCT, holder: holder.publicJwk },
    )
    // Made by the holder for the verifier's earlier request (nonce n-1), seen by an attacker.
    const captured = await presentSdJwt(bound, { holder, audience: VERIFIER, nonce: 'n-1' })
    expect(codes(await verify(captured, { audience: VERIFIER, nonce: 'n-2' }))).toEqual([
      'nonce_mismatch',
    ])
    // The attacker's own presentation, answering the verifier's fresh nonce n-2.
    const attacker = await didSigner('Ed25519')
    const replayed = await new JwtVpSigner(attacker).sign(
      presentationV2({
        verifiableCredential: [envelopeCredential(captured, 'application/dc+sd-jwt')],
      }),
      { audience: VERIFIER, nonce: 'n-2' },
    )
    const refused = await verify(replayed, { audience: VERIFIER, nonce: 'n-2' })
    expect(codes(refused)).toEqual(['embedded_credential_invalid'])
    expect(codes(refused.credentials?.[0] as VerificationResult)).toEqual(['nonce_mismatch'])
    // A presentation verified without a nonce asks the KB-JWT for none, as verify(sdJwt) without one.
    const unasked = await new JwtVpSigner(holder).sign(
      presentationV2({
        verifiableCredential: [envelopeCredential(captured, 'application/dc+sd-jwt')],
      }),
      { audience: VERIFIER },
    )
    expectVerified(await verify(unasked, { audience: VERIFIER }))
  })

  it('a Data Integrity presentation (domain) carrying an addressed vc+jwt: the same rule, the domain being the audience', async () => {
    const handlers = [dataIntegrityHandler()]
    const diPresentation = async (vc: string) =>
      new DataIntegritySigner(holder).sign(
        presentationV2({ verifiableCredential: [envelopeCredential(vc)] }),
        { challenge: 'n', domain: VERIFIER },
      )
    expectVerified(
      await verify(await diPresentation(await vcJwt(VERIFIER)), {
        handlers,
        audience: VERIFIER,
        nonce: 'n',
      }),
    )
    const refused = await verify(await diPresentation(await vcJwt(OTHER)), {
      handlers,
      audience: VERIFIER,
      nonce: 'n',
    })
    expect(codes(refused)).toEqual(['embedded_credential_invalid'])
    expect(codes(refused.credentials?.[0] as VerificationResult)).toEqual(['audience_mismatch'])
  })

  it('VCDM 1.1: a vc JWT string in a vp JWT, addressed to another party, is refused; to the verifier, verified', async () => {
    const vp1 = async (vc: string) =>
      new JwtVpSigner(holder).sign(presentationV1({ verifiableCredential: [vc] }), {
        audience: VERIFIER,
        nonce: 'n',
      })
    expectVerified(
      await verify(await vp1(await vcJwtV1(VERIFIER)), { audience: VERIFIER, nonce: 'n' }),
    )
    const refused = await verify(await vp1(await vcJwtV1(OTHER)), {
      audience: VERIFIER,
      nonce: 'n',
    })
    expect(codes(refused)).toEqual(['embedded_credential_invalid'])
  })
})

describe('status lists fetched during a status check: verified for no audience', () => {
  const statusLists = (lists: Record<string, string>) => createStatusListResolver({ lists })

  it('a vc+jwt BitstringStatusListCredential with aud is status_list_not_verified, whatever audience the caller gave', async () => {
    const list = await withAud(
      issuer,
      await new JwtVcSigner(issuer).sign(await bitstringListCredential()),
      VERIFIER,
    )
    const bare = await credentialWithStatus(issuer, bitstringEntry(3))
    const addressed = await withAud(issuer, bare, VERIFIER)
    // A credential without aud verified with no audience, and one addressed to the verifier
    // verified with its audience: the list is refused either way.
    for (const [credential, options] of [
      [bare, {}],
      [addressed, { audience: VERIFIER }],
    ] as const) {
      const result = await verify(credential, {
        statusLists: statusLists({ [LIST_URL]: list }),
        ...options,
      })
      expect(codes(result)).toEqual(['status_list_not_verified'])
      expect(result.errors[0]?.message).toContain('audience_mismatch')
    }
    // The same list without aud: the status check passes.
    const bareList = await new JwtVcSigner(issuer).sign(await bitstringListCredential())
    expectVerified(
      await verify(addressed, {
        audience: VERIFIER,
        statusLists: statusLists({ [LIST_URL]: bareList }),
      }),
    )
    expectVerified(await verify(bare, { statusLists: statusLists({ [LIST_URL]: bareList }) }))
  })

  it('a statuslist+jwt with aud is status_list_not_verified (verifyJwt would have ignored it)', async () => {
    const bare = await tokenList(issuer)
    const { header, payload } = decode(bare)
    const addressed = await signRaw(issuer, header, { ...payload, aud: VERIFIER })
    const sdJwt = await sdJwtWithStatus(issuer, 3)
    expectVerified(await verify(sdJwt, { statusLists: statusLists({ [TOKEN_URL]: bare }) }))
    const result = await verify(sdJwt, { statusLists: statusLists({ [TOKEN_URL]: addressed }) })
    expect(codes(result)).toEqual(['status_list_not_verified'])
    expect(result.errors[0]?.message).toContain('a status list is the same for every verifier')
  })
})
