// Issue 16 item 1: P-521 (ES512), RSASSA-PKCS1-v1_5 (RS256/384/512), RSA-PSS with SHA-384/512
// (PS384/512) and the RFC 9864 names, through every layer that allows them: the vault (the key's one
// algorithm bound in the record and its AAD), did:key / did:jwk / Multikey, JWS / JWT, JWT-VC,
// SD-JWT with KB-JWT, OpenID4VCI jwt proofs, the default verify list; Data Integrity refuses them.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  JWS_ALGORITHMS,
  generateKeyPair,
  JwtVcSigner,
  KeyVault,
  MemoryStore,
  Oid4vciProofSigner,
  SdJwtVcSigner,
  asDidSigner,
  decodeJwsUnverified,
  didKeyFromJwk,
  jwkFromDidKey,
  jwkFromMultikey,
  multikeyFromJwk,
  presentSdJwt,
  signCompact,
  signJwt,
  signKeyBinding,
  verify,
  verifyJws,
  verifyJwt,
  verifyKeyBinding,
  verifyOid4vciProof,
  verifySignature,
  type KeyAlgorithm,
  type KeyRecord,
  type Signer,
  type UnlockedKey,
} from '../../src/index.js'
import { DataIntegritySigner } from '../../src/formats/data-integrity/index.js'
import { expectCode, utf8 } from './keys-helpers.js'

const NEW_ALGORITHMS = ['P-521', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'] as const
const JWS_OF: Readonly<Record<(typeof NEW_ALGORITHMS)[number], string>> = {
  'P-521': 'ES512',
  PS384: 'PS384',
  PS512: 'PS512',
  RS256: 'RS256',
  RS384: 'RS384',
  RS512: 'RS512',
}
const V2 = 'https://www.w3.org/ns/credentials/v2'
const AUD = 'https://verifier.example'
const NONCE = 'n-issue-16'

const store = new MemoryStore()
const vault = new KeyVault({
  store,
  serviceSecret: new Uint8Array(32).fill(7),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
const keys = new Map<KeyAlgorithm, UnlockedKey>()
let holder: UnlockedKey

beforeAll(async () => {
  for (const algorithm of NEW_ALGORITHMS) {
    await vault.generate({ id: `k-${algorithm}`, algorithm, secrets: ['s1'], modulusLength: 2048 })
    keys.set(algorithm, await vault.unlock(`k-${algorithm}`, ['s1']))
  }
  await vault.generate({ id: 'wallet-p521', algorithm: 'P-521', secrets: ['w'] })
  holder = await vault.unlock('wallet-p521', ['w'])
}, 120_000)

/** The protected header of a compact JWS (not verified). */
function headerOf(token: string): { protectedHeader: Record<string, unknown> } {
  return { protectedHeader: decodeJwsUnverified(token).signatures[0]?.protectedHeader ?? {} }
}

const key = (algorithm: KeyAlgorithm): UnlockedKey => keys.get(algorithm) as UnlockedKey

describe('the vault: one algorithm per key, bound in the record and its AAD', () => {
  for (const algorithm of NEW_ALGORITHMS) {
    it(`${algorithm}: generated, recorded, signs with ${JWS_OF[algorithm]} only`, async () => {
      const info = await vault.publicKey(`k-${algorithm}`)
      expect(info.current.algorithm).toBe(algorithm)
      expect(key(algorithm).algorithm).toBe(algorithm)
      const token = await signCompact(key(algorithm), 'payload')
      expect(headerOf(token).protectedHeader.alg).toBe(JWS_OF[algorithm])
      expect(
        new TextDecoder().decode(
          (await verifyJws(token, { key: key(algorithm).publicJwk })).payload,
        ),
      ).toBe('payload')
      // The header cannot ask for another algorithm of the same key type.
      const other = algorithm === 'RS256' ? 'PS256' : 'RS256'
      await expectCode(
        () => signCompact(key(algorithm), 'x', { protectedHeader: { alg: other } }),
        'invalid_argument',
      )
    })
  }

  it('a record whose algorithm is changed (RS256 → RSA-PSS, PS512 → PS256) no longer opens: envelope_context_mismatch', async () => {
    for (const [from, to] of [
      ['RS256', 'RSA-PSS'],
      ['PS512', 'RS512'],
    ] as const) {
      const id = `tamper-${from}`
      await vault.generate({ id, algorithm: from, secrets: ['s1'], modulusLength: 2048 })
      // What an attacker with write access to the store could do: relabel the sealed key.
      const record = (await store.get(id)) as KeyRecord
      const version = record.versions[0] as KeyRecord['versions'][number]
      await store.update({ ...record, versions: [{ ...version, algorithm: to }] })
      await expectCode(() => vault.unlock(id, ['s1']), 'envelope_context_mismatch')
    }
  })

  it("the vault's public views name an RSA key's algorithm (JWK alg), so JWKS consumers know it", async () => {
    for (const algorithm of ['PS384', 'RS256'] as const) {
      const info = await vault.publicKey(`k-${algorithm}`)
      expect(info.current.publicJwk).toMatchObject({ alg: algorithm })
      const jwks = await vault.jwks({ ids: [`k-${algorithm}`] })
      const token = await signCompact(key(algorithm), 'x', {
        protectedHeader: { kid: info.current.publicJwk.kid },
      })
      await verifyJws(token, { jwks })
    }
  })

  it('import: an RSA PKCS#8 becomes the algorithm named (default RSA-PSS); a JWK with alg RS384 imports as RS384', async () => {
    const source = await generateKeyPair('RS256', { modulusLength: 2048 })
    const asPs = await vault.import({
      id: 'imported-default',
      secrets: ['s1'],
      key: { pkcs8: source.pkcs8 },
    })
    expect(asPs.current.algorithm).toBe('RSA-PSS')
    const asRs = await vault.import({
      id: 'imported-rs512',
      secrets: ['s1'],
      key: { pkcs8: source.pkcs8, algorithm: 'RS512' },
    })
    expect(asRs.current.algorithm).toBe('RS512')
    await expectCode(
      () =>
        vault.import({
          id: 'imported-bad',
          secrets: ['s1'],
          key: { pkcs8: source.pkcs8, algorithm: 'P-256' },
        }),
      'invalid_key',
    )
    const signer = await vault.unlock('imported-rs512', ['s1'])
    expect(headerOf(await signCompact(signer, 'x')).protectedHeader.alg).toBe('RS512')
  })
})

describe('identifiers: did:key (P-521 0x1202), did:jwk, Multikey', () => {
  it('P-521: did:key z2J9…, Multikey and did:jwk round trips; signatures verify through the DID', async () => {
    const jwk = key('P-521').publicJwk
    const did = didKeyFromJwk(jwk)
    expect(did.startsWith('did:key:z2J9')).toBe(true)
    const { kid: _kid, ...required } = jwk
    expect(jwkFromDidKey(did)).toEqual(required)
    expect(jwkFromMultikey(multikeyFromJwk(jwk))).toEqual(required)
    for (const form of ['key', 'jwk'] as const) {
      const signer = asDidSigner(key('P-521'), form)
      const jwt = await signJwt(signer, { sub: 'x' })
      expect((await verifyJwt(jwt)).key.id).toBe(signer.id)
    }
  })

  it('RSA keys of every algorithm: the did:key / did:jwk key names no scheme, so the header alg picks it (and must match the signature)', async () => {
    for (const algorithm of ['PS384', 'PS512', 'RS256', 'RS384', 'RS512'] as const) {
      for (const form of ['key', 'jwk'] as const) {
        const signer = asDidSigner(key(algorithm), form)
        const jwt = await signJwt(signer, { sub: algorithm })
        expect((await verifyJwt(jwt)).payload.sub).toBe(algorithm)
      }
    }
  })
})

describe('the default accepted algorithms', () => {
  it('every asymmetric JOSE algorithm, RFC 9864 names included; options.algorithms narrows', async () => {
    expect([...JWS_ALGORITHMS].sort()).toEqual(
      [
        'EdDSA',
        'Ed25519',
        'ES256',
        'ES384',
        'ES512',
        'ESP256',
        'ESP384',
        'ESP512',
        'ES256K',
        'PS256',
        'PS384',
        'PS512',
        'RS256',
        'RS384',
        'RS512',
      ].sort(),
    )
    const token = await signCompact(key('RS256'), 'x')
    await expectCode(
      () => verifyJws(token, { key: key('RS256').publicJwk, algorithms: ['PS256', 'ES256'] }),
      'algorithm_not_allowed',
    )
  })

  it('ESP512: signed with fullySpecified, verified; an ESP512 header is an ES512 signature', async () => {
    const token = await signCompact(key('P-521'), 'x', { fullySpecified: true })
    expect(headerOf(token).protectedHeader.alg).toBe('ESP512')
    await verifyJws(token, { key: key('P-521').publicJwk })
    await expectCode(
      () => verifyJws(token, { key: key('P-521').publicJwk, algorithms: ['ES512'] }),
      'algorithm_not_allowed',
    )
  })
})

describe('formats', () => {
  for (const algorithm of NEW_ALGORITHMS) {
    it(`${algorithm}: JWT-VC (vc+jwt), SD-JWT VC with a P-521 KB-JWT, OpenID4VCI jwt proof`, async () => {
      const signer: Signer = asDidSigner(key(algorithm), 'jwk')
      const jwtVc = await new JwtVcSigner(signer).sign({
        '@context': [V2],
        type: ['VerifiableCredential'],
        issuer: signer.id.split('#')[0],
        credentialSubject: { id: 'did:example:alice' },
      })
      const vcResult = await verify(jwtVc)
      expect(vcResult.errors).toEqual([])
      expect(vcResult.verified).toBe(true)

      const sdJwt = await new SdJwtVcSigner(signer, { expiresIn: 3600 }).issue(
        { vct: 'https://credentials.example/id', given_name: 'Ada' },
        { disclosureFrame: { _sd: ['given_name'] }, holder: holder.publicJwk },
      )
      const presentation = await presentSdJwt(sdJwt, { holder, audience: AUD, nonce: NONCE })
      const sdResult = await verify(presentation, { audience: AUD, nonce: NONCE })
      expect(sdResult.errors).toEqual([])
      expect(sdResult).toMatchObject({ verified: true, format: 'sd-jwt' })

      const proof = await new Oid4vciProofSigner(key(algorithm)).sign({
        audience: 'https://issuer.example',
        nonce: 'c-1',
      })
      expect(headerOf(proof.jwt).protectedHeader.alg).toBe(JWS_OF[algorithm])
      const proofResult = await verifyOid4vciProof(proof, {
        expectedAudience: 'https://issuer.example',
        expectedNonce: 'c-1',
      })
      expect(proofResult).toMatchObject({ verified: true })
    }, 30_000)
  }

  it('fullySpecified in every JOSE format: JWT-VC, SD-JWT issuer JWS and KB-JWT, OpenID4VCI proof, key binding certificate (ESP512)', async () => {
    const signer = asDidSigner(key('P-521'), 'key')
    const jwtVc = await new JwtVcSigner(signer, { fullySpecified: true }).sign({
      '@context': [V2],
      type: ['VerifiableCredential'],
      credentialSubject: { id: 'did:example:alice' },
    })
    expect(headerOf(jwtVc).protectedHeader.alg).toBe('ESP512')
    expect((await verify(jwtVc)).verified).toBe(true)
    const sdJwt = await new SdJwtVcSigner(signer, { fullySpecified: true }).issue(
      { vct: 'https://credentials.example/id', n: 1 },
      { disclosureFrame: { _sd: ['n'] }, holder: holder.publicJwk },
    )
    expect(headerOf(sdJwt.split('~')[0] as string).protectedHeader.alg).toBe('ESP512')
    const presentation = await presentSdJwt(sdJwt, {
      holder,
      audience: AUD,
      nonce: NONCE,
      fullySpecified: true,
    })
    expect(headerOf(presentation.split('~').at(-1) as string).protectedHeader.alg).toBe('ESP512')
    expect((await verify(presentation, { audience: AUD, nonce: NONCE })).errors).toEqual([])
    const proof = await new Oid4vciProofSigner(signer, { fullySpecified: true }).sign({
      audience: 'https://issuer.example',
      nonce: 'c-2',
    })
    expect(headerOf(proof.jwt).protectedHeader.alg).toBe('ESP512')
    expect(
      await verifyOid4vciProof(proof, {
        expectedAudience: 'https://issuer.example',
        expectedNonce: 'c-2',
      }),
    ).toMatchObject({ verified: true })
    const registry = { ...signer, id: signer.publicJwk.kid as string }
    const certificate = await signKeyBinding(registry, {
      subject: '@user',
      publicKey: holder.publicJwk,
      expiresIn: 60,
      fullySpecified: true,
    })
    expect(headerOf(certificate).protectedHeader.alg).toBe('ESP512')
    expect(
      (await verifyKeyBinding(certificate, { jwks: { keys: [signer.publicJwk] } })).publicJwk,
    ).toEqual(holder.publicJwk)
  })

  it('KB-JWT signed by RSA holder keys (RS256, PS512)', async () => {
    const issuer = asDidSigner(key('P-521'), 'key')
    for (const algorithm of ['RS256', 'PS512'] as const) {
      const rsaHolder = key(algorithm)
      const sdJwt = await new SdJwtVcSigner(issuer).issue(
        { vct: 'https://credentials.example/id', n: 1 },
        { disclosureFrame: { _sd: ['n'] }, holder: rsaHolder.publicJwk },
      )
      const presentation = await presentSdJwt(sdJwt, {
        holder: rsaHolder,
        audience: AUD,
        nonce: NONCE,
      })
      const kbJwt = presentation.split('~').at(-1) as string
      expect(headerOf(kbJwt).protectedHeader.alg).toBe(algorithm)
      const result = await verify(presentation, { audience: AUD, nonce: NONCE })
      expect(result.errors).toEqual([])
    }
  })

  it('Data Integrity: ecdsa-rdfc-2019 / ecdsa-jcs-2019 are P-256 and P-384 only; P-521 and RSA keys are refused with unsupported_cryptosuite', async () => {
    const document = {
      '@context': [V2],
      type: ['VerifiableCredential'],
      issuer: 'did:example:issuer',
      credentialSubject: { id: 'did:example:alice' },
    }
    for (const algorithm of ['P-521', 'RS256'] as const) {
      const signer = asDidSigner(key(algorithm), 'key')
      for (const cryptosuite of ['ecdsa-rdfc-2019', 'ecdsa-jcs-2019'] as const) {
        await expectCode(
          () =>
            new DataIntegritySigner(signer, { cryptosuite }).sign({
              ...document,
              issuer: signer.id.split('#')[0] as string,
            }),
          'unsupported_cryptosuite',
        )
      }
    }
  })
})

describe('verifySignature names the RSA algorithm', () => {
  it('a signature verifies only as the algorithm it was made with', async () => {
    const data = utf8('data')
    for (const algorithm of ['PS384', 'PS512', 'RS256', 'RS384', 'RS512'] as const) {
      const signature = await key(algorithm).sign(data)
      for (const other of ['RSA-PSS', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'] as const) {
        expect(
          await verifySignature(key(algorithm).publicJwk, data, signature, { algorithm: other }),
          `${algorithm} as ${other}`,
        ).toBe(other === algorithm)
      }
      await expectCode(
        () => verifySignature(key(algorithm).publicJwk, data, signature, { algorithm: 'P-256' }),
        'invalid_argument',
      )
    }
  })
})
