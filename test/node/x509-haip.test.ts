// verify(…, { profile: 'haip' }): the OpenID4VC HAIP 1.0 rules for SD-JWT VC presentations. A
// conforming presentation (dc+sd-jwt, ES256, x5c from an openssl chain, cnf.jwk, KB-JWT ES256)
// verifies; each violation is refused with the code that names its rule.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  JwtVcSigner,
  SdJwtVcSigner,
  createTrustAnchors,
  didKeyFromJwk,
  generateKeyPair,
  loadPrivateKey,
  parseCertificate,
  presentSdJwt,
  verify,
  type ErrorCode,
  type KeyAlgorithm,
  type SdJwtVcSignOptions,
  type Signer,
  type VerifyOptions,
} from 'credsign'
import { decodePem } from '../../src/keys/pem.js'
import { ISSUER, makeTestChains, type MadeCert, type TestChains } from './fixtures/x509-chains.js'

let chains: TestChains
let issuer: Signer
let holder: Signer
const AUDIENCE = 'https://verifier.example'
const NONCE = 'n-0S6_WzA2Mj'
const VCT = 'https://credentials.example/identity'

async function generated(algorithm: KeyAlgorithm): Promise<Signer> {
  const { pkcs8, publicJwk } = await generateKeyPair(algorithm)
  const key = await loadPrivateKey(algorithm, pkcs8)
  const did = didKeyFromJwk(publicJwk)
  return {
    id: `${did}#${did.slice('did:key:'.length)}`,
    algorithm,
    publicJwk,
    sign: (data) => key.sign(data),
  }
}

beforeAll(async () => {
  chains = makeTestChains()
  const leaf = chains.leaf as MadeCert
  const key = await loadPrivateKey('P-256', decodePem(leaf.keyPem)[0]?.der as Uint8Array)
  const { publicJwk } = await parseCertificate(leaf.pem)
  if (publicJwk === undefined) throw new Error('no key')
  issuer = { id: 'leaf', algorithm: 'P-256', publicJwk, sign: (data) => key.sign(data) }
  holder = await generated('P-256')
}, 60_000)

const options = (): VerifyOptions => ({
  profile: 'haip',
  trustAnchors: createTrustAnchors([chains.root.pem]),
  audience: AUDIENCE,
  nonce: NONCE,
})

async function presentation(
  claims: Record<string, unknown> = {},
  issue: SdJwtVcSignOptions = {},
  by: { issuer?: Signer; holder?: Signer | null } = {},
): Promise<string> {
  const holderKey = by.holder === undefined ? holder : by.holder
  const sdJwt = await new SdJwtVcSigner(by.issuer ?? issuer).issue(
    { iss: ISSUER, vct: VCT, given_name: 'Erika', ...claims },
    {
      disclosureFrame: { _sd: ['given_name'] },
      kid: false,
      header: { x5c: chains.good.map((certificate) => certificate.x5c) },
      ...(holderKey === null ? {} : { holder: holderKey.publicJwk }),
      ...issue,
    },
  )
  if (holderKey === null) return sdJwt
  return presentSdJwt(sdJwt, { holder: holderKey, audience: AUDIENCE, nonce: NONCE })
}

function codes(result: { errors: { code: ErrorCode }[] }): ErrorCode[] {
  return result.errors.map((error) => error.code)
}

describe("profile: 'haip'", () => {
  it('a conforming presentation verifies, with a passed profile check', async () => {
    const result = await verify(await presentation(), options())
    expect(result.errors).toEqual([])
    expect(result.checks.find((check) => check.name === 'profile')).toEqual({
      name: 'profile',
      passed: true,
      detail: 'haip',
    })
  })

  it('with a Token Status List reference, too', async () => {
    const result = await verify(
      await presentation({
        status: { status_list: { idx: 7, uri: 'https://issuer.example/sl/1' } },
      }),
      options(),
    )
    expect(result.errors).toEqual([])
  })

  it('typ vc+sd-jwt: haip_format', async () => {
    const result = await verify(await presentation({}, { typ: 'vc+sd-jwt' }), options())
    expect(codes(result)).toEqual(['haip_format'])
  })

  it('a JWT credential: haip_format', async () => {
    const jwt = await new JwtVcSigner(issuer).sign(
      {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        issuer: ISSUER,
        credentialSubject: { id: 'did:example:alice' },
      },
      { kid: false, header: { x5c: chains.good.map((certificate) => certificate.x5c) } },
    )
    expect(codes(await verify(jwt, options()))).toContain('haip_format')
  })

  it('an issuer key from kid instead of x5c: haip_certificate_required', async () => {
    const didIssuer = await generated('P-256')
    const issuerDid = didIssuer.id.split('#')[0] as string
    const result = await verify(
      await presentation(
        { iss: issuerDid },
        { kid: didIssuer.id, header: {} },
        { issuer: didIssuer },
      ),
      options(),
    )
    expect(codes(result)).toEqual(['haip_certificate_required'])
  })

  it('an issuer JWT that is not ES256: haip_algorithm (and haip_certificate_required for its kid)', async () => {
    const p384 = await generated('P-384')
    const result = await verify(
      await presentation(
        { iss: p384.id.split('#')[0] },
        { kid: p384.id, header: {} },
        { issuer: p384 },
      ),
      options(),
    )
    expect(codes(result)).toEqual(['haip_certificate_required', 'haip_algorithm'])
  })

  it('a KB-JWT that is not ES256: haip_algorithm', async () => {
    const result = await verify(
      await presentation({}, {}, { holder: await generated('Ed25519') }),
      options(),
    )
    expect(codes(result)).toEqual(['haip_algorithm'])
  })

  it('no KB-JWT (a bearer credential): haip_key_binding_required, whatever requireKeyBinding says', async () => {
    const bare = await presentation({}, {}, { holder: null })
    const { audience: _a, nonce: _n, ...noExpectations } = options()
    for (const extra of [{}, { requireKeyBinding: false }]) {
      const result = await verify(bare, { ...noExpectations, ...extra })
      expect(result.verified).toBe(false)
      expect(codes(result)).toContain('haip_key_binding_required')
    }
  })

  it('a status that is not a status_list reference: haip_status_invalid', async () => {
    for (const status of [
      { status_list: { idx: -1, uri: 'https://issuer.example/sl/1' } },
      { status_list: { idx: 1 } },
      { bitstring: { idx: 1, uri: 'https://issuer.example/sl/1' } },
      'revoked',
    ]) {
      const result = await verify(await presentation({ status }), options())
      expect(codes(result), JSON.stringify(status)).toEqual(['haip_status_invalid'])
    }
  })

  it('x5c present but no trust anchors: trust_anchors_not_configured', async () => {
    const { trustAnchors: _t, ...noAnchors } = options()
    const result = await verify(await presentation(), noAnchors)
    expect(codes(result)).toContain('trust_anchors_not_configured')
    expect(result.verified).toBe(false)
  })

  it('an unknown profile name is a caller error', async () => {
    await expect(
      verify(await presentation(), { profile: 'HAIP' as unknown as 'haip' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
  })
})
