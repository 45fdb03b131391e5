// OpenID4VCI 1.0 `di_vp` key proofs (Appendix F.2 / F.4): vault keys round-trip through
// DataIntegritySigner (eddsa-rdfc-2022, ecdsa-rdfc-2019), our presentations have the shape of the
// spec's example, and every di_vp rule has a negative test with its error and reason.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  KeyVault,
  MemoryStore,
  Oid4vciProofSigner,
  asDidSigner,
  jwkThumbprint,
  verifyOid4vciProof,
  verifyOid4vciProofs,
  type KeyAlgorithm,
  type Signer,
  type VerifyOid4vciProofOptions,
} from '../../src/index.js'
import {
  DataIntegritySigner,
  dataIntegrityHandler,
} from '../../src/formats/data-integrity/index.js'
import specProofs from '../fixtures/vectors/openid4vci/proofs_di_vp.json' with { type: 'json' }

const ISSUER = 'https://credential-issuer.example.com'
const NOW = Date.UTC(2030, 0, 1)
const clock = () => NOW
const handlers = [dataIntegrityHandler()]
const OPTIONS: VerifyOid4vciProofOptions = {
  expectedAudience: ISSUER,
  expectedNonce: 'c-nonce',
  now: NOW + 5_000,
  handlers,
}

const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(5),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
const keys = new Map<KeyAlgorithm, Signer>()
beforeAll(async () => {
  for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1'] as KeyAlgorithm[]) {
    await vault.generate({ id: `holder-${algorithm}`, algorithm, secrets: ['s1'] })
    keys.set(algorithm, await vault.unlock(`holder-${algorithm}`, ['s1']))
  }
})
const holderKey = (algorithm: KeyAlgorithm, method: 'key' | 'jwk' = 'key'): Signer =>
  asDidSigner(keys.get(algorithm)!, method)

async function diVp(
  signer: Signer,
  options: {
    audience?: string
    nonce?: string
    cryptosuite?: string
    dataModel?: '2.0' | '1.1'
  } = {},
) {
  return new Oid4vciProofSigner(signer).signDiVp(new DataIntegritySigner(signer), {
    audience: ISSUER,
    nonce: 'c-nonce',
    now: clock,
    ...options,
  })
}

type Proof = Record<string, unknown>
const proofOf = (vp: Record<string, unknown>): Proof =>
  (Array.isArray(vp.proof) ? vp.proof[0] : vp.proof) as Proof

describe('round trips with vault keys', () => {
  const cases: [KeyAlgorithm, 'key' | 'jwk', string][] = [
    ['Ed25519', 'key', 'eddsa-rdfc-2022'],
    ['Ed25519', 'jwk', 'eddsa-rdfc-2022'],
    ['P-256', 'key', 'ecdsa-rdfc-2019'],
    ['P-384', 'key', 'ecdsa-rdfc-2019'],
  ]
  for (const [algorithm, method, cryptosuite] of cases) {
    it(`${algorithm} (did:${method}): ${cryptosuite}, holder = the key's DID, key bound to the verification method`, async () => {
      const signer = holderKey(algorithm, method)
      const did = signer.id.split('#')[0]
      const proof = await diVp(signer)
      expect(proof.proof_type).toBe('di_vp')
      expect(proof.di_vp).toMatchObject({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiablePresentation'],
        holder: did,
      })
      expect(proofOf(proof.di_vp)).toMatchObject({
        type: 'DataIntegrityProof',
        cryptosuite,
        proofPurpose: 'authentication',
        verificationMethod: signer.id,
        domain: ISSUER,
        challenge: 'c-nonce',
        created: '2030-01-01T00:00:00Z',
      })
      const result = await verifyOid4vciProof(proof, OPTIONS)
      expect(result).toMatchObject({
        verified: true,
        proofType: 'di_vp',
        key: { id: signer.id, controller: did },
        holder: did,
      })
      expect(await jwkThumbprint(result.key!.publicJwk)).toBe(await jwkThumbprint(signer.publicJwk))
      // The proofs object and a bare presentation are accepted too.
      expect(await verifyOid4vciProof({ di_vp: [proof.di_vp] }, OPTIONS)).toMatchObject({
        verified: true,
        proofType: 'di_vp',
      })
      expect(await verifyOid4vciProof(proof.di_vp, OPTIONS)).toMatchObject({
        verified: true,
        proofType: 'di_vp',
      })
    })
  }

  it('a VCDM 1.1 presentation, an explicit cryptosuite, and no nonce', async () => {
    const signer = holderKey('P-256')
    const proof = await diVp(signer, {
      dataModel: '1.1',
      cryptosuite: 'ecdsa-jcs-2019',
      nonce: undefined,
    })
    expect((proof.di_vp['@context'] as string[])[0]).toBe('https://www.w3.org/2018/credentials/v1')
    expect(proofOf(proof.di_vp)).not.toHaveProperty('challenge')
    expect(proofOf(proof.di_vp)).toMatchObject({ cryptosuite: 'ecdsa-jcs-2019' })
    const { expectedNonce: _nonce, ...withoutNonce } = OPTIONS
    expect(await verifyOid4vciProof(proof, withoutNonce)).toMatchObject({ verified: true })
  })

  it('batches of presentations verify per proof', async () => {
    const a = await diVp(holderKey('Ed25519'))
    const b = await diVp(holderKey('P-256'), { nonce: 'old' })
    const results = await verifyOid4vciProofs({ di_vp: [a.di_vp, b.di_vp] }, OPTIONS)
    expect(results.map((r) => [r.verified, r.error, r.reason])).toEqual([
      [true, undefined, undefined],
      [false, 'invalid_nonce', 'nonce_mismatch'],
    ])
  })

  it('signing refuses keys without a Data Integrity suite, a signer of another key, and bad options', async () => {
    const k1 = holderKey('secp256k1')
    await expect(
      new Oid4vciProofSigner(k1).signDiVp({ sign: async () => ({}) }, { audience: ISSUER }),
    ).rejects.toMatchObject({ code: 'unsupported_cryptosuite' })
    const ed = holderKey('Ed25519')
    // Another verification method: the Data Integrity signer refuses our holder, or (told to allow that) we refuse its proof.
    await expect(
      new Oid4vciProofSigner(ed).signDiVp(new DataIntegritySigner(holderKey('Ed25519', 'jwk')), {
        audience: ISSUER,
        now: clock,
      }),
    ).rejects.toMatchObject({ code: 'issuer_mismatch' })
    const lenient = new DataIntegritySigner(holderKey('Ed25519', 'jwk'), {
      allowHolderMismatch: true,
    })
    await expect(
      new Oid4vciProofSigner(ed).signDiVp(lenient, { audience: ISSUER, now: clock }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(
      new Oid4vciProofSigner(ed).signDiVp(new DataIntegritySigner(ed), {} as never),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(
      new Oid4vciProofSigner(ed).signDiVp({} as never, { audience: ISSUER }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(
      new Oid4vciProofSigner(ed).signDiVp(new DataIntegritySigner(ed), {
        audience: ISSUER,
        dataModel: '3.0' as never,
      }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
  })
})

describe('the spec example (OpenID4VCI 1.0 Appendix F.2, structure only)', () => {
  const example = specProofs.di_vp[0] as Record<string, unknown>
  const exampleProof = proofOf(example)

  it('our presentation has its members and its proof the same members, with the same purpose / domain / challenge rules', async () => {
    const ours = (
      await diVp(holderKey('Ed25519'), {
        audience: exampleProof.domain as string,
        nonce: exampleProof.challenge as string,
      })
    ).di_vp
    expect(Object.keys(ours).sort()).toEqual(Object.keys(example).sort())
    expect(Object.keys(proofOf(ours)).sort()).toEqual(Object.keys(exampleProof).sort())
    for (const name of ['type', 'proofPurpose', 'domain', 'challenge'] as const)
      expect(proofOf(ours)[name]).toBe(exampleProof[name])
    expect(ours.holder).toBe((proofOf(ours).verificationMethod as string).split('#')[0])
    expect(example.holder).toBe((exampleProof.verificationMethod as string).split('#')[0])
  })

  it('passes every OpenID4VCI check and then fails on its obsolete cryptosuite, not on its structure', async () => {
    const created = Date.parse(exampleProof.created as string)
    const result = await verifyOid4vciProof(specProofs, {
      expectedAudience: exampleProof.domain as string,
      expectedNonce: exampleProof.challenge as string,
      now: created + 1_000,
      handlers,
    })
    expect(result).toMatchObject({
      verified: false,
      proofType: 'di_vp',
      error: 'invalid_proof',
      reason: 'unsupported_cryptosuite',
    })
  })
})

describe('refused presentations: error and reason', () => {
  let signer: Signer
  let did: string
  let valid: Record<string, unknown>
  beforeAll(async () => {
    signer = holderKey('Ed25519')
    did = signer.id.split('#')[0]!
    valid = (await diVp(signer)).di_vp
  })
  /**
   * A presentation signed by our key with Data Integrity options of the test's choosing (a valid
   * signature).
   */
  const signed = (
    options: Record<string, unknown>,
    document: Record<string, unknown> = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
    },
  ) =>
    new DataIntegritySigner(signer).sign(document, {
      proofPurpose: 'authentication',
      domain: ISSUER,
      challenge: 'c-nonce',
      now: clock,
      ...options,
    })

  const cases: [
    string,
    () => Promise<unknown>,
    VerifyOid4vciProofOptions | undefined,
    'invalid_proof' | 'invalid_nonce',
    string,
  ][] = [
    [
      'wrong domain',
      () => signed({ domain: 'https://other.example' }),
      undefined,
      'invalid_proof',
      'audience_mismatch',
    ],
    [
      'no domain',
      () => signed({ domain: undefined }),
      undefined,
      'invalid_proof',
      'audience_mismatch',
    ],
    // OpenID4VCI 1.0 Appendix F.2: domain "MUST be set to the Credential Issuer Identifier", one
    // string; an array naming the issuer (Data Integrity allows a set) is for other audiences too.
    [
      'domain an array holding the issuer and another audience',
      () => signed({ domain: [ISSUER, 'https://other.example'] }),
      undefined,
      'invalid_proof',
      'audience_mismatch',
    ],
    [
      'domain an array holding only the issuer',
      () => signed({ domain: [ISSUER] }),
      undefined,
      'invalid_proof',
      'audience_mismatch',
    ],
    [
      'wrong challenge',
      () => signed({ challenge: 'stale-nonce' }),
      undefined,
      'invalid_nonce',
      'nonce_mismatch',
    ],
    [
      'no challenge when a c_nonce is expected',
      () => signed({ challenge: undefined }),
      undefined,
      'invalid_nonce',
      'nonce_mismatch',
    ],
    [
      'proofPurpose assertionMethod',
      () => signed({ proofPurpose: 'assertionMethod' }),
      undefined,
      'invalid_proof',
      'proof_purpose_mismatch',
    ],
    [
      'created too long ago',
      () => signed({ now: () => NOW - 400_000 }),
      undefined,
      'invalid_proof',
      'expired',
    ],
    [
      'created in the future',
      () => signed({ now: () => NOW + 120_000 }),
      undefined,
      'invalid_proof',
      'not_yet_valid',
    ],
    [
      'no Data Integrity handler',
      async () => valid,
      { ...OPTIONS, handlers: undefined },
      'invalid_proof',
      'format_not_enabled',
    ],
    [
      'tampered proofValue',
      async () => ({
        ...valid,
        proof: {
          ...proofOf(valid),
          proofValue: `${(proofOf(valid).proofValue as string).slice(0, -4)}aaaa`,
        },
      }),
      undefined,
      'invalid_proof',
      'signature_invalid',
    ],
    [
      'tampered presentation',
      async () => ({ ...valid, id: 'urn:uuid:9e3c3a3a-0000-4000-8000-000000000000' }),
      undefined,
      'invalid_proof',
      'signature_invalid',
    ],
    [
      "holder is not the key's controller",
      () =>
        new DataIntegritySigner(signer, { allowHolderMismatch: true }).sign(
          {
            '@context': ['https://www.w3.org/ns/credentials/v2'],
            type: ['VerifiablePresentation'],
            holder: 'did:example:someone-else',
          },
          { proofPurpose: 'authentication', domain: ISSUER, challenge: 'c-nonce', now: clock },
        ),
      undefined,
      'invalid_proof',
      'issuer_mismatch',
    ],
    [
      'two proofs',
      async () => ({ ...valid, proof: [proofOf(valid), proofOf(valid)] }),
      undefined,
      'invalid_proof',
      'proof_invalid',
    ],
    [
      'no proof',
      async () => ({
        di_vp: [
          {
            '@context': ['https://www.w3.org/ns/credentials/v2'],
            type: ['VerifiablePresentation'],
          },
        ],
      }),
      undefined,
      'invalid_proof',
      'proof_invalid',
    ],
    [
      'a legacy Ed25519Signature2020 proof',
      () =>
        new DataIntegritySigner(signer, { cryptosuite: 'Ed25519Signature2020' }).sign(
          {
            '@context': ['https://www.w3.org/ns/credentials/v2'],
            type: ['VerifiablePresentation'],
          },
          { proofPurpose: 'authentication', domain: ISSUER, challenge: 'c-nonce', now: clock },
        ),
      undefined,
      'invalid_proof',
      'proof_invalid',
    ],
    [
      'not a presentation',
      async () => ({ proof_type: 'di_vp', di_vp: { ...valid, type: ['VerifiableCredential'] } }),
      undefined,
      'invalid_proof',
      'malformed',
    ],
    [
      'not an object',
      async () => ({ proof_type: 'di_vp', di_vp: 'eyJ...' }),
      undefined,
      'invalid_proof',
      'malformed',
    ],
  ]
  for (const [name, make, caseOptions, error, reason] of cases) {
    it(`${name} → ${error} / ${reason}`, async () => {
      const input = await make()
      const result = await verifyOid4vciProof(input, caseOptions ?? OPTIONS)
      expect(result).toMatchObject({ verified: false, proofType: 'di_vp', error, reason })
      expect(typeof result.message).toBe('string')
      expect(result.key).toBeUndefined()
    })
  }

  it('the control: the valid presentation verifies with these options', async () => {
    expect(await verifyOid4vciProof(valid, OPTIONS)).toMatchObject({ verified: true, holder: did })
  })
})
