// Issue → present → verify with vault keys of every type, presentations that reveal subsets
// (nested claims and array elements), the W3C vc+sd-jwt variant through verify() and inside a
// VCDM 2.0 presentation, decoys and hash algorithms.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  JwtVpSigner,
  KeyVault,
  MemoryStore,
  SdJwtVcSigner,
  asDidSigner,
  decodeSdJwt,
  envelopeCredential,
  issueSdJwt,
  presentSdJwt,
  verify,
  verifySdJwt,
  type KeyAlgorithm,
  type Signer,
} from '../../src/index.js'

const AUD = 'https://verifier.example'
const NONCE = 'n-0S6_WzA2Mj'
const V2 = 'https://www.w3.org/ns/credentials/v2'
const ALGORITHMS: KeyAlgorithm[] = ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS']

const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(3),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
const signers = new Map<KeyAlgorithm, Signer>()
let holder: Signer

const claims = {
  vct: 'https://credentials.example.com/identity_credential',
  given_name: 'John',
  family_name: 'Doe',
  address: { street_address: '123 Main St', locality: 'Anytown', country: 'US' },
  nationalities: ['US', 'DE'],
}
const frame = {
  _sd: ['given_name', 'family_name', 'address'],
  address: { _sd: ['street_address', 'locality'] },
  nationalities: { _sd: [0, 1] },
}

beforeAll(async () => {
  for (const algorithm of ALGORITHMS) {
    await vault.generate({
      id: `issuer-${algorithm}`,
      algorithm,
      secrets: ['s1'],
      ...(algorithm === 'RSA-PSS' ? { modulusLength: 2048 } : {}),
    })
    signers.set(algorithm, asDidSigner(await vault.unlock(`issuer-${algorithm}`, ['s1'])))
  }
  await vault.generate({ id: 'wallet', algorithm: 'P-256', secrets: ['w'] })
  holder = await vault.unlock('wallet', ['w'])
})

describe('SD-JWT VC round trips with vault keys', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}: issue, present with KB-JWT, verify() and verifySdJwt`, async () => {
      const signer = signers.get(algorithm) as Signer
      const sdJwt = await new SdJwtVcSigner(signer, { expiresIn: 3600 }).issue(claims, {
        disclosureFrame: frame,
        holder: holder.publicJwk,
      })
      expect(decodeSdJwt(sdJwt).header).toMatchObject({ typ: 'dc+sd-jwt', kid: signer.id })
      const presentation = await presentSdJwt(sdJwt, { holder, audience: AUD, nonce: NONCE })
      const result = await verify(presentation, { audience: AUD, nonce: NONCE })
      expect(result.errors).toEqual([])
      expect(result).toMatchObject({
        verified: true,
        format: 'sd-jwt',
        issuer: signer.id.split('#')[0],
        payload: { ...claims },
      })
      expect(result.disclosed).toEqual(
        expect.arrayContaining([
          'given_name',
          'address',
          'address.street_address',
          'nationalities[0]',
          'nationalities[1]',
        ]),
      )
      expect(result.checks.map((c) => c.name)).toEqual([
        'format',
        'typ',
        'algorithm',
        'key',
        'signature',
        'disclosures',
        'claims',
        'issuer_binding',
        'key_purpose',
        'validity',
        'key_binding',
        'audience',
        'nonce',
      ])
      const direct = await verifySdJwt(presentation, { audience: AUD, nonce: NONCE })
      expect(direct.claims).toEqual(result.payload)
      expect(direct.keyBinding?.payload).toMatchObject({ aud: AUD, nonce: NONCE })
    })
  }
})

describe('presentations reveal subsets', () => {
  let sdJwt: string
  beforeAll(async () => {
    sdJwt = await new SdJwtVcSigner(signers.get('Ed25519') as Signer).issue(claims, {
      disclosureFrame: frame,
      holder: holder.publicJwk,
    })
  })

  it('a nested claim brings its parent disclosure; one array element', async () => {
    const presentation = await presentSdJwt(sdJwt, {
      disclose: {
        _sd: ['given_name'],
        address: { _sd: ['locality'] },
        nationalities: { _sd: [1] },
      },
      holder,
      audience: AUD,
      nonce: NONCE,
    })
    const { claims: shown, disclosed } = await verifySdJwt(presentation, {
      audience: AUD,
      nonce: NONCE,
    })
    expect(shown).toMatchObject({
      given_name: 'John',
      address: { locality: 'Anytown', country: 'US' },
      nationalities: ['DE'],
    })
    expect(shown).not.toHaveProperty('family_name')
    expect(shown.address).not.toHaveProperty('street_address')
    expect([...disclosed].sort()).toEqual([
      'address',
      'address.locality',
      'given_name',
      'nationalities[0]',
    ])
    expect(decodeSdJwt(presentation).disclosures).toHaveLength(4)
  })

  it("'none' reveals nothing; 'all' (the default) everything; without a holder no KB-JWT", async () => {
    const none = await presentSdJwt(sdJwt, { disclose: 'none' })
    expect(none.endsWith('~')).toBe(true)
    const { claims: hidden } = await verifySdJwt(none, { requireKeyBinding: false })
    expect(hidden).toEqual({
      iss: expect.any(String),
      iat: expect.any(Number),
      vct: claims.vct,
      nationalities: [],
      cnf: expect.any(Object),
    })
    const all = await presentSdJwt(sdJwt)
    expect(decodeSdJwt(all).disclosures).toHaveLength(decodeSdJwt(sdJwt).disclosures.length)
    await expect(verifySdJwt(all)).rejects.toMatchObject({ code: 'key_binding_required' })
  })

  it('recursive disclosures of array elements that are objects', async () => {
    const issued = await issueSdJwt(
      signers.get('P-256') as Signer,
      {
        vct: 'urn:x',
        phones: [
          { type: 'work', number: '1' },
          { type: 'home', number: '2' },
        ],
      },
      {
        disclosureFrame: { phones: { _sd: [0, 1], 0: { _sd: ['number'] } } },
      },
    )
    const presentation = await presentSdJwt(issued, {
      disclose: { phones: { 0: { _sd: ['number'] } } },
    })
    const { claims: shown, disclosed } = await verifySdJwt(presentation)
    expect(shown.phones).toEqual([{ type: 'work', number: '1' }])
    expect(disclosed).toEqual(['phones[0]', 'phones[0].number'])
  })

  it('decoys (objects and arrays) and sha-384 / sha-512 digests', async () => {
    for (const hashAlgorithm of ['sha-256', 'sha-384', 'sha-512'] as const) {
      const issued = await issueSdJwt(signers.get('P-384') as Signer, claims, {
        disclosureFrame: { ...frame, _sd_decoy: 3, nationalities: { _sd: [0], _sd_decoy: 2 } },
        hashAlgorithm,
      })
      const { payload, disclosures } = decodeSdJwt(issued)
      expect(payload._sd_alg).toBe(hashAlgorithm)
      expect(payload._sd).toHaveLength(6)
      expect(payload.nationalities).toHaveLength(4)
      expect(disclosures[0]?.digest).toHaveLength(
        { 'sha-256': 43, 'sha-384': 64, 'sha-512': 86 }[hashAlgorithm],
      )
      const { claims: shown } = await verifySdJwt(issued)
      expect(shown).toEqual({ ...claims })
    }
  })
})

describe('W3C VC-JOSE-COSE credentials secured as SD-JWT (vc+sd-jwt)', () => {
  const credential = {
    '@context': [V2, 'https://www.w3.org/ns/credentials/examples/v2'],
    type: ['VerifiableCredential', 'IdentityCredential'],
    validFrom: '2024-01-01T00:00:00Z',
    credentialSubject: {
      id: 'did:example:alice',
      firstName: 'Jane',
      lastName: 'Doe',
      birthDate: '1990-01-01',
    },
  }

  it('signCredential → verify(): format sd-jwt with the credential, data model checked, issuer bound', async () => {
    const signer = signers.get('P-256') as Signer
    const sdJwt = await new SdJwtVcSigner(signer).signCredential(credential, {
      disclosureFrame: { credentialSubject: { _sd: ['firstName', 'lastName', 'birthDate'] } },
    })
    expect(decodeSdJwt(sdJwt).header).toMatchObject({ typ: 'vc+sd-jwt', cty: 'vc' })
    const presentation = await presentSdJwt(sdJwt, {
      disclose: { credentialSubject: { _sd: ['birthDate'] } },
    })
    const result = await verify(presentation)
    expect(result.errors).toEqual([])
    expect(result.format).toBe('sd-jwt')
    expect(result.issuer).toBe(signer.id.split('#')[0])
    expect(result.credential).toMatchObject({
      credentialSubject: { id: 'did:example:alice', birthDate: '1990-01-01' },
    })
    expect(result.credential?.credentialSubject).not.toHaveProperty('firstName')
    expect(result.checks.find((c) => c.name === 'credential')?.passed).toBe(true)
    expect(result.disclosed).toEqual(['credentialSubject.birthDate'])
  })

  it('inside a VCDM 2.0 presentation as an EnvelopedVerifiableCredential (application/vc+sd-jwt)', async () => {
    const issuer = signers.get('Ed25519') as Signer
    const presenter = signers.get('P-384') as Signer
    const sdJwt = await new SdJwtVcSigner(issuer).signCredential(credential, {
      disclosureFrame: { credentialSubject: { _sd: ['firstName'] } },
    })
    const entry = envelopeCredential(sdJwt, 'application/vc+sd-jwt')
    expect(entry.id.startsWith('data:application/vc+sd-jwt,')).toBe(true)
    const vp = await new JwtVpSigner(presenter).sign(
      { '@context': [V2], type: ['VerifiablePresentation'], verifiableCredential: [entry] },
      { audience: AUD, nonce: NONCE },
    )
    const result = await verify(vp, { audience: AUD, nonce: NONCE })
    expect(result.errors).toEqual([])
    expect(result.credentials?.[0]).toMatchObject({
      verified: true,
      format: 'sd-jwt',
      issuer: issuer.id.split('#')[0],
    })
  })

  it('refuses what VC-JOSE-COSE refuses: a VCDM 1.1 credential, an issuer that is not the key controller, @context disclosable', async () => {
    const signer = new SdJwtVcSigner(signers.get('Ed25519') as Signer)
    await expect(
      signer.signCredential({
        ...credential,
        '@context': ['https://www.w3.org/2018/credentials/v1'],
      }),
    ).rejects.toMatchObject({ code: 'credential_invalid' })
    await expect(
      signer.signCredential({ ...credential, issuer: 'did:example:someone-else' }),
    ).rejects.toMatchObject({ code: 'issuer_mismatch' })
    await expect(
      signer.signCredential(credential, { disclosureFrame: { _sd: ['@context'] } }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
  })

  it('legacy SD-JWT VC typ vc+sd-jwt (no @context) is still an SD-JWT VC', async () => {
    const sdJwt = await new SdJwtVcSigner(signers.get('secp256k1') as Signer).issue(
      { vct: 'urn:x', a: 1 },
      { legacyTyp: true, disclosureFrame: { _sd: ['a'] } },
    )
    expect(decodeSdJwt(sdJwt).header.typ).toBe('vc+sd-jwt')
    const result = await verify(sdJwt)
    expect(result.errors).toEqual([])
    expect(result.credential).toBeUndefined()
  })
})

describe('salts', () => {
  it('are 128-bit base64url, and never repeat across pool refills', async () => {
    const { randomSalt } = await import('../../src/formats/sd-jwt/hash.js')
    const salts = Array.from({ length: 300 }, () => randomSalt())
    expect(new Set(salts).size).toBe(300)
    for (const salt of salts) expect(salt).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })
})
