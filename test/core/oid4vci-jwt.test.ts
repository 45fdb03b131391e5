// OpenID4VCI 1.0 `jwt` key proofs (Appendix F.1 / F.4): the spec's example verifies, vault keys
// round-trip with both key references, and every rule has a negative test with its error and reason.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  KeyVault,
  MemoryStore,
  OID4VCI_PROOF_TYP,
  Oid4vciProofSigner,
  asDidSigner,
  decodeJwsUnverified,
  jwkThumbprint,
  verifyOid4vciProof,
  verifyOid4vciProofs,
  type KeyAlgorithm,
  type Signer,
  type VerifyOid4vciProofOptions,
} from '../../src/index.js'
import { b64u } from '../../src/util/bytes.js'
import { rawCompact, seg, testKey, type TestKey } from './jose-helpers.js'
import specProofs from '../fixtures/vectors/openid4vci/proofs_jwt.json' with { type: 'json' }
import specDecoded from '../fixtures/vectors/openid4vci/proof_jwt_decoded.json' with { type: 'json' }

const ISSUER = 'https://credential-issuer.example.com'
const SPEC_NOW = 1701960444 * 1000 + 10_000
const SPEC_OPTIONS: VerifyOid4vciProofOptions = {
  expectedAudience: ISSUER,
  expectedNonce: 'LarRGSbmUPYtRYO6BQ4yn8',
  now: SPEC_NOW,
}
const NOW = Date.UTC(2030, 0, 1)
const NOW_S = NOW / 1000
const clock = () => NOW

function decode(jwt: string): {
  header: Record<string, unknown>
  payload: Record<string, unknown>
} {
  const decoded = decodeJwsUnverified(jwt)
  return {
    header: decoded.signatures[0]!.protectedHeader,
    payload: JSON.parse(new TextDecoder().decode(decoded.payload)),
  }
}

const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(9),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
const keys = new Map<KeyAlgorithm, Signer>()
beforeAll(async () => {
  for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS'] as KeyAlgorithm[]) {
    await vault.generate({
      id: `wallet-${algorithm}`,
      algorithm,
      secrets: ['s1'],
      ...(algorithm === 'RSA-PSS' ? { modulusLength: 2048 } : {}),
    })
    keys.set(algorithm, await vault.unlock(`wallet-${algorithm}`, ['s1']))
  }
})
const key = (algorithm: KeyAlgorithm): Signer => keys.get(algorithm)!
/** A vault key (a class instance: spreading it would lose sign()) under another id or public key. */
const renamed = (signer: Signer, changes: Partial<Signer>): Signer => ({
  id: signer.id,
  algorithm: signer.algorithm,
  publicJwk: signer.publicJwk,
  sign: (d) => signer.sign(d),
  ...changes,
})

describe('the spec example (OpenID4VCI 1.0 Appendix F.1)', () => {
  it('verifies with its header jwk at its time, for its audience and c_nonce, in every accepted input shape', async () => {
    const jwt = specProofs.jwt[0]!
    const expectedKey = {
      id: await jwkThumbprint(specDecoded.header.jwk as never),
      publicJwk: specDecoded.header.jwk,
    }
    for (const input of [specProofs, { proof_type: 'jwt', jwt }, jwt]) {
      const result = await verifyOid4vciProof(input, SPEC_OPTIONS)
      expect(result).toEqual({ verified: true, proofType: 'jwt', key: expectedKey })
    }
    expect(await verifyOid4vciProofs(specProofs, SPEC_OPTIONS)).toEqual([
      { verified: true, proofType: 'jwt', key: expectedKey },
    ])
    expect(decode(jwt)).toEqual({ header: specDecoded.header, payload: specDecoded.payload })
  })

  it('is refused today (iat is from 2023), for another issuer, and with another c_nonce', async () => {
    expect(await verifyOid4vciProof(specProofs, { ...SPEC_OPTIONS, now: undefined })).toMatchObject(
      { verified: false, error: 'invalid_proof', reason: 'expired' },
    )
    expect(
      await verifyOid4vciProof(specProofs, {
        ...SPEC_OPTIONS,
        expectedAudience: 'https://other.example',
      }),
    ).toMatchObject({ error: 'invalid_proof', reason: 'audience_mismatch' })
    expect(
      await verifyOid4vciProof(specProofs, { ...SPEC_OPTIONS, expectedNonce: 'fresh' }),
    ).toMatchObject({ error: 'invalid_nonce', reason: 'nonce_mismatch' })
  })

  it("our proofs have the example's shape: header typ, alg, jwk; claims aud, iat, nonce", async () => {
    const signer = renamed(key('P-256'), { id: 'wallet-key' })
    const { proof_type, jwt } = await new Oid4vciProofSigner(signer).sign({
      audience: ISSUER,
      nonce: 'LarRGSbmUPYtRYO6BQ4yn8',
      now: () => 1701960444_000,
    })
    expect(proof_type).toBe('jwt')
    const { header, payload } = decode(jwt)
    expect(Object.keys(header)).toEqual(Object.keys(specDecoded.header))
    expect(Object.keys(header.jwk as object).sort()).toEqual(
      Object.keys(specDecoded.header.jwk).sort(),
    )
    expect(payload).toEqual({ ...specDecoded.payload })
    expect(header).toMatchObject({ typ: OID4VCI_PROOF_TYP, alg: 'ES256' })
  })
})

describe('round trips with vault keys', () => {
  const algorithms: KeyAlgorithm[] = ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS']
  for (const algorithm of algorithms) {
    it(`${algorithm}: kid (a DID URL, resolved offline) and jwk (the public key in the header)`, async () => {
      const unlocked = key(algorithm)
      // did:key for the curves, did:jwk for RSA (no did:key multicodec for it here).
      const did = asDidSigner(unlocked, algorithm === 'RSA-PSS' ? 'jwk' : 'key')
      const viaKid = await new Oid4vciProofSigner(did).sign({
        audience: ISSUER,
        nonce: 'n-1',
        now: clock,
      })
      expect(decode(viaKid.jwt).header).toEqual({
        typ: OID4VCI_PROOF_TYP,
        alg: expect.any(String),
        kid: did.id,
      })
      const kidResult = await verifyOid4vciProof(viaKid, {
        expectedAudience: ISSUER,
        expectedNonce: 'n-1',
        now: NOW + 5_000,
      })
      const controller = did.id.split('#')[0]
      expect(kidResult).toMatchObject({
        verified: true,
        proofType: 'jwt',
        key: { id: did.id, controller },
        holder: controller,
      })
      expect(await jwkThumbprint(kidResult.key!.publicJwk)).toBe(
        await jwkThumbprint(unlocked.publicJwk),
      )

      // The vault's id is not a DID URL: the default is jwk.
      const viaJwk = await new Oid4vciProofSigner(unlocked).sign({
        audience: ISSUER,
        nonce: 'n-1',
        now: clock,
      })
      const { header } = decode(viaJwk.jwt)
      expect(header).not.toHaveProperty('kid')
      expect(header.jwk).not.toHaveProperty('d')
      const jwkResult = await verifyOid4vciProof(viaJwk, {
        expectedAudience: ISSUER,
        expectedNonce: 'n-1',
        now: NOW,
      })
      expect(jwkResult).toMatchObject({
        verified: true,
        proofType: 'jwt',
        key: { id: await jwkThumbprint(unlocked.publicJwk) },
      })
      expect(jwkResult.holder).toBeUndefined()
      expect(await jwkThumbprint(jwkResult.key!.publicJwk)).toBe(
        await jwkThumbprint(unlocked.publicJwk),
      )
    })
  }

  it('keyReference overrides the default; clientId becomes iss; constructor defaults apply', async () => {
    const did = asDidSigner(key('Ed25519'))
    const signer = new Oid4vciProofSigner(did, {
      audience: ISSUER,
      clientId: 's6BhdRkqt3',
      now: clock,
    })
    const proof = await signer.sign({ audience: ISSUER, keyReference: 'jwk', nonce: 'n-2' })
    const { header, payload } = decode(proof.jwt)
    expect(header).toHaveProperty('jwk')
    expect(header).not.toHaveProperty('kid')
    expect(payload).toEqual({ iss: 's6BhdRkqt3', aud: ISSUER, iat: NOW_S, nonce: 'n-2' })
    expect(
      await verifyOid4vciProof(proof, {
        expectedAudience: ISSUER,
        expectedClientId: 's6BhdRkqt3',
        expectedNonce: 'n-2',
        now: NOW,
      }),
    ).toMatchObject({ verified: true })
    // No nonce and no clientId: neither claim.
    const bare = await new Oid4vciProofSigner(did).sign({ audience: ISSUER, now: clock })
    expect(decode(bare.jwt).payload).toEqual({ aud: ISSUER, iat: NOW_S })
    expect(
      await verifyOid4vciProof(bare, { expectedAudience: ISSUER, anonymous: true, now: NOW }),
    ).toMatchObject({ verified: true })
  })

  it('batches: verifyOid4vciProofs answers per proof; verifyOid4vciProof refuses several', async () => {
    const a = await new Oid4vciProofSigner(asDidSigner(key('Ed25519'))).sign({
      audience: ISSUER,
      nonce: 'n',
      now: clock,
    })
    const b = await new Oid4vciProofSigner(key('P-256')).sign({
      audience: ISSUER,
      nonce: 'other',
      now: clock,
    })
    const options = { expectedAudience: ISSUER, expectedNonce: 'n', now: NOW }
    const results = await verifyOid4vciProofs({ jwt: [a.jwt, b.jwt] }, options)
    expect(results.map((r) => [r.verified, r.error, r.reason])).toEqual([
      [true, undefined, undefined],
      [false, 'invalid_nonce', 'nonce_mismatch'],
    ])
    expect(await verifyOid4vciProof({ jwt: [a.jwt, a.jwt] }, options)).toMatchObject({
      error: 'invalid_proof',
      reason: 'malformed',
    })
  })

  it('batches: a proof whose key an earlier verified proof of the batch already bound is refused (section 8: distinct key material)', async () => {
    const signer = new Oid4vciProofSigner(key('P-256'))
    const first = await signer.sign({ audience: ISSUER, nonce: 'n', now: clock })
    const again = await signer.sign({ audience: ISSUER, nonce: 'n', now: () => NOW - 1000 })
    const other = await new Oid4vciProofSigner(key('Ed25519')).sign({
      audience: ISSUER,
      nonce: 'n',
      now: clock,
    })
    const options = { expectedAudience: ISSUER, expectedNonce: 'n', now: NOW }
    for (const batch of [
      [first.jwt, first.jwt], // the same proof twice
      [first.jwt, other.jwt, again.jwt], // another proof by the same key
    ]) {
      const results = await verifyOid4vciProofs({ jwt: batch }, options)
      expect(results.map((r) => r.verified)).toEqual(batch.map((_, i) => i < batch.length - 1))
      expect(results.at(-1)).toMatchObject({ error: 'invalid_proof', reason: 'malformed' })
      expect(results.at(-1)?.key).toBeUndefined()
    }
  })

  it('signing refuses missing or bad options', async () => {
    const signer = new Oid4vciProofSigner(key('P-256'))
    await expect(signer.sign({} as never)).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(
      signer.sign({ audience: ISSUER, keyReference: 'x5c' as never }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(signer.sign({ audience: ISSUER, nonce: 42 as never })).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    const leaky = renamed(key('P-256'), {
      id: 'k',
      publicJwk: { ...key('P-256').publicJwk, d: 'secret' } as never,
    })
    await expect(new Oid4vciProofSigner(leaky).sign({ audience: ISSUER })).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    expect(() => new Oid4vciProofSigner({} as never)).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })
})

describe('refused proofs: error and reason', () => {
  let did: Signer
  let jwk: Record<string, unknown>
  let other: TestKey
  const options: VerifyOid4vciProofOptions = {
    expectedAudience: ISSUER,
    expectedNonce: 'c-nonce',
    now: NOW,
  }
  const claims = { aud: ISSUER, iat: NOW_S, nonce: 'c-nonce' }
  beforeAll(async () => {
    did = asDidSigner(key('P-256'))
    other = await testKey('P-256')
    jwk = { ...key('P-256').publicJwk }
    delete jwk.kid
  })
  const kidHeader = () => ({ typ: OID4VCI_PROOF_TYP, alg: 'ES256', kid: did.id })
  const jwkHeader = () => ({ typ: OID4VCI_PROOF_TYP, alg: 'ES256', jwk })

  const cases: [
    string,
    () => Promise<unknown>,
    VerifyOid4vciProofOptions | undefined,
    'invalid_proof' | 'invalid_nonce',
    string,
  ][] = [
    [
      'typ JWT',
      () => rawCompact(did, { ...kidHeader(), typ: 'JWT' }, claims),
      undefined,
      'invalid_proof',
      'typ_mismatch',
    ],
    [
      'no typ',
      () => rawCompact(did, { alg: 'ES256', kid: did.id }, claims),
      undefined,
      'invalid_proof',
      'typ_mismatch',
    ],
    [
      'typ of a key binding JWT',
      () => rawCompact(did, { ...kidHeader(), typ: 'kb+jwt' }, claims),
      undefined,
      'invalid_proof',
      'typ_mismatch',
    ],
    [
      'wrong aud',
      () => rawCompact(did, kidHeader(), { ...claims, aud: 'https://other.example' }),
      undefined,
      'invalid_proof',
      'audience_mismatch',
    ],
    [
      'aud naming the issuer and another audience (F.1: aud is one string)',
      () => rawCompact(did, kidHeader(), { ...claims, aud: [ISSUER, 'https://other.example'] }),
      undefined,
      'invalid_proof',
      'audience_mismatch',
    ],
    [
      'no aud',
      () => rawCompact(did, kidHeader(), { iat: NOW_S, nonce: 'c-nonce' }),
      undefined,
      'invalid_proof',
      'claim_invalid',
    ],
    [
      'stale iat (older than maxAgeSeconds + tolerance)',
      () => rawCompact(did, kidHeader(), { ...claims, iat: NOW_S - 300 - 61 }),
      undefined,
      'invalid_proof',
      'expired',
    ],
    [
      'stale iat with a tighter maxAgeSeconds',
      () => rawCompact(did, kidHeader(), { ...claims, iat: NOW_S - 100 }),
      { ...options, maxAgeSeconds: 30 },
      'invalid_proof',
      'expired',
    ],
    [
      'future iat (beyond tolerance)',
      () => rawCompact(did, kidHeader(), { ...claims, iat: NOW_S + 120 }),
      undefined,
      'invalid_proof',
      'not_yet_valid',
    ],
    [
      'missing iat',
      () => rawCompact(did, kidHeader(), { aud: ISSUER, nonce: 'c-nonce' }),
      undefined,
      'invalid_proof',
      'claim_invalid',
    ],
    [
      'string iat',
      () => rawCompact(did, kidHeader(), { ...claims, iat: '2030-01-01T00:00:00Z' }),
      undefined,
      'invalid_proof',
      'claim_invalid',
    ],
    [
      'expired exp',
      () => rawCompact(did, kidHeader(), { ...claims, exp: NOW_S - 120 }),
      undefined,
      'invalid_proof',
      'expired',
    ],
    [
      'wrong nonce',
      () => rawCompact(did, kidHeader(), { ...claims, nonce: 'stale-nonce' }),
      undefined,
      'invalid_nonce',
      'nonce_mismatch',
    ],
    [
      'missing nonce',
      () => rawCompact(did, kidHeader(), { aud: ISSUER, iat: NOW_S }),
      undefined,
      'invalid_nonce',
      'nonce_mismatch',
    ],
    [
      'iss present when anonymous',
      () => rawCompact(did, kidHeader(), { iss: 'client-1', ...claims }),
      { ...options, anonymous: true },
      'invalid_proof',
      'claim_invalid',
    ],
    [
      'iss is another client',
      () => rawCompact(did, kidHeader(), { iss: 'client-2', ...claims }),
      { ...options, expectedClientId: 'client-1' },
      'invalid_proof',
      'claim_invalid',
    ],
    [
      'iss missing when a client_id is expected',
      () => rawCompact(did, kidHeader(), claims),
      { ...options, expectedClientId: 'client-1' },
      'invalid_proof',
      'claim_invalid',
    ],
    [
      'both kid and jwk',
      () => rawCompact(did, { ...kidHeader(), jwk }, claims),
      undefined,
      'invalid_proof',
      'malformed',
    ],
    [
      'neither kid nor jwk',
      () => rawCompact(did, { typ: OID4VCI_PROOF_TYP, alg: 'ES256' }, claims),
      undefined,
      'invalid_proof',
      'malformed',
    ],
    [
      'x5c',
      () => rawCompact(did, { typ: OID4VCI_PROOF_TYP, alg: 'ES256', x5c: ['MIIB'] }, claims),
      undefined,
      'invalid_proof',
      'unsupported_format',
    ],
    [
      'jwk and x5c',
      () => rawCompact(did, { ...jwkHeader(), x5c: ['MIIB'] }, claims),
      undefined,
      'invalid_proof',
      'malformed',
    ],
    [
      'private jwk in the header',
      () => rawCompact(did, { ...jwkHeader(), jwk: { ...jwk, d: 'AAAA' } }, claims),
      undefined,
      'invalid_proof',
      'malformed',
    ],
    [
      'a symmetric jwk in the header',
      () => rawCompact(did, { ...jwkHeader(), jwk: { kty: 'oct', k: 'AAAA' } }, claims),
      undefined,
      'invalid_proof',
      'malformed',
    ],
    [
      'jwk of another key',
      () => rawCompact(did, { ...jwkHeader(), jwk: other.publicJwk }, claims),
      undefined,
      'invalid_proof',
      'signature_invalid',
    ],
    [
      'a jwk that is not a valid key',
      () => rawCompact(did, { ...jwkHeader(), jwk: { ...jwk, x: 'AAAA' } }, claims),
      undefined,
      'invalid_proof',
      'malformed',
    ],
    [
      'jwk of a key type that cannot make alg (algorithm confusion)',
      () => rawCompact(did, { ...jwkHeader(), jwk: key('Ed25519').publicJwk }, claims),
      undefined,
      'invalid_proof',
      'algorithm_not_allowed',
    ],
    [
      'alg none',
      async () => `${seg({ ...kidHeader(), alg: 'none' })}.${seg(claims)}.`,
      undefined,
      'invalid_proof',
      'algorithm_not_allowed',
    ],
    [
      'alg HS256',
      async () =>
        `${seg({ ...kidHeader(), alg: 'HS256' })}.${seg(claims)}.${b64u(new Uint8Array(32))}`,
      undefined,
      'invalid_proof',
      'algorithm_not_allowed',
    ],
    [
      'alg outside the allow-list',
      () => rawCompact(did, kidHeader(), claims),
      { ...options, algorithms: ['EdDSA'] },
      'invalid_proof',
      'algorithm_not_allowed',
    ],
    [
      'tampered signature',
      async () => {
        const [h, p, sig] = (await rawCompact(did, kidHeader(), claims)).split('.') as [
          string,
          string,
          string,
        ]
        return `${h}.${p}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`
      },
      undefined,
      'invalid_proof',
      'signature_invalid',
    ],
    [
      'tampered payload',
      async () => {
        const jwt = await rawCompact(did, kidHeader(), claims)
        const [h, , s] = jwt.split('.')
        return `${h}.${seg({ ...claims, aud: ISSUER, extra: 1 })}.${s}`
      },
      undefined,
      'invalid_proof',
      'signature_invalid',
    ],
    [
      'signed by another key than the kid names',
      () => rawCompact(other.signer, kidHeader(), claims),
      undefined,
      'invalid_proof',
      'signature_invalid',
    ],
    [
      'kid a did:jwk of an encryption key (use enc: keyAgreement only, no authentication)',
      () =>
        rawCompact(
          did,
          {
            ...kidHeader(),
            kid: `did:jwk:${b64u(new TextEncoder().encode(JSON.stringify({ ...jwk, use: 'enc' })))}#0`,
          },
          claims,
        ),
      undefined,
      'invalid_proof',
      // Refused where the resolved key is checked against the proof's alg: the did:jwk's JWK keeps
      // its `use: enc` (RFC 7517 4.2), which no signature may be verified with.
      'algorithm_not_allowed',
    ],
    [
      'kid a key its controller document lists for assertionMethod only, not authentication',
      () => rawCompact(did, kidHeader(), claims),
      {
        ...options,
        resolver: {
          resolveKey: async (reference: string) => ({
            id: reference,
            controller: reference.split('#')[0] as string,
            publicJwk: key('P-256').publicJwk,
            relationships: ['assertionMethod' as const],
          }),
        },
      },
      'invalid_proof',
      'key_not_authorized',
    ],
    [
      'a kid nobody can resolve',
      () => rawCompact(did, { ...kidHeader(), kid: 'did:web:unknown.example#k' }, claims),
      undefined,
      'invalid_proof',
      'resolver_not_configured',
    ],
    [
      'a flattened JSON JWS',
      async () => {
        const [h, p, s] = (await rawCompact(did, kidHeader(), claims)).split('.')
        return {
          proof_type: 'jwt',
          jwt: JSON.stringify({ protected: h, payload: p, signature: s }),
        }
      },
      undefined,
      'invalid_proof',
      'malformed',
    ],
    [
      'not a string',
      async () => ({ proof_type: 'jwt', jwt: 42 }),
      undefined,
      'invalid_proof',
      'malformed',
    ],
    ['garbage', async () => 'not-a-jwt', undefined, 'invalid_proof', 'malformed'],
    [
      'an unsupported proof_type',
      async () => ({ proof_type: 'cwt', cwt: 'x' }),
      undefined,
      'invalid_proof',
      'unsupported_format',
    ],
    [
      'a proofs object with an unsupported type',
      async () => ({ attestation: ['x'] }),
      undefined,
      'invalid_proof',
      'unsupported_format',
    ],
    [
      'a proofs object with two types',
      async () => ({ jwt: ['x'], di_vp: [{}] }),
      undefined,
      'invalid_proof',
      'malformed',
    ],
    ['an empty proofs array', async () => ({ jwt: [] }), undefined, 'invalid_proof', 'malformed'],
    ['null', async () => null, undefined, 'invalid_proof', 'malformed'],
  ]
  for (const [name, make, caseOptions, error, reason] of cases) {
    it(`${name} → ${error} / ${reason}`, async () => {
      const result = await verifyOid4vciProof(await make(), caseOptions ?? options)
      expect(result).toMatchObject({ verified: false, error, reason })
      expect(typeof result.message).toBe('string')
      expect(result.key).toBeUndefined()
    })
  }

  it('a proof inside the iat window and tolerance still verifies (control for the time cases)', async () => {
    for (const iat of [NOW_S - 300 - 59, NOW_S + 59]) {
      expect(
        await verifyOid4vciProof(await rawCompact(did, kidHeader(), { ...claims, iat }), options),
      ).toMatchObject({ verified: true })
    }
  })

  it('aud as a one-member array naming the issuer verifies (RFC 7519 section 4.1.3)', async () => {
    const jwt = await rawCompact(did, kidHeader(), { ...claims, aud: [ISSUER] })
    expect(await verifyOid4vciProof(jwt, options)).toMatchObject({ verified: true })
  })

  it('application/openid4vci-proof+jwt is the same typ (RFC 7515 section 4.1.9)', async () => {
    const jwt = await rawCompact(
      did,
      { ...kidHeader(), typ: 'application/openid4vci-proof+jwt' },
      claims,
    )
    expect(await verifyOid4vciProof(jwt, options)).toMatchObject({ verified: true })
  })

  it('bad options throw invalid_argument; bad input never throws', async () => {
    const jwt = await rawCompact(did, kidHeader(), claims)
    await expect(verifyOid4vciProof(jwt, {} as never)).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    await expect(
      verifyOid4vciProof(jwt, { expectedAudience: ISSUER, anonymous: true, expectedClientId: 'c' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(
      verifyOid4vciProof(jwt, { expectedAudience: ISSUER, maxAgeSeconds: -1 }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(
      verifyOid4vciProof(jwt, { expectedAudience: ISSUER, algorithms: ['HS256' as never] }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(verifyOid4vciProofs(jwt, null as never)).rejects.toMatchObject({
      code: 'invalid_argument',
    })
  })
})
