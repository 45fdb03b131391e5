// Interop both ways with independent implementations:
// - jose (jwtVerify / SignJWT): VC-JOSE-COSE (typ vc+jwt, vp+jwt) and the VCDM 1.1 claims;
// - did-jwt-vc 4 with did-jwt 8 (verifyCredential / verifyPresentation /
//   createVerifiableCredentialJwt / createVerifiablePresentationJwt): the VCDM 1.1 JWT encoding.
//   did-jwt signs and verifies EdDSA, ES256 and ES256K only. Its DID resolver here is a small
//   in-process object over credsign's did:key documents, so nothing touches the network.
import { ed25519 } from '@noble/curves/ed25519.js'
import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { EdDSASigner, ES256KSigner, ES256Signer, type Signer as DidJwtSigner } from 'did-jwt'
import {
  createVerifiableCredentialJwt,
  createVerifiablePresentationJwt,
  verifyCredential,
  verifyPresentation,
} from 'did-jwt-vc'
import type { Resolvable } from 'did-resolver'
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  didKeyDocument,
  didKeyFromJwk,
  importPrivateKey,
  loadPrivateKey,
  type KeyAlgorithm,
  type Signer,
} from '../../src/index.js'
import { JwtVcSigner, JwtVpSigner, envelopeCredential } from '../../src/index.js'
import {
  ALGORITHMS,
  credentialV1,
  credentialV2,
  decode,
  didOf,
  didSigner,
  expectVerified,
  presentationV1,
  presentationV2,
  verifyVc,
} from '../core/vc-helpers.js'

/** Did:key resolution for did-jwt, from credsign's own did:key documents. */
const resolver: Resolvable = {
  resolve: async (didUrl: string) => {
    const did = didUrl.split('#')[0] as string
    return {
      didResolutionMetadata: { contentType: 'application/did+ld+json' },
      didDocument: didKeyDocument(did) as never,
      didDocumentMetadata: {},
    }
  },
}

/** One key, as a credsign signer (named by its did:key) and as a did-jwt signer. */
interface Pair {
  ours: Signer
  theirs: DidJwtSigner
  alg: 'EdDSA' | 'ES256' | 'ES256K'
  did: string
}

async function pair(algorithm: KeyAlgorithm): Promise<Pair> {
  const secret =
    algorithm === 'Ed25519'
      ? ed25519.utils.randomSecretKey()
      : algorithm === 'P-256'
        ? p256.utils.randomSecretKey()
        : secp256k1.utils.randomSecretKey()
  const material = await importPrivateKey({ seed: secret, algorithm })
  const handle = await loadPrivateKey(algorithm, material.pkcs8)
  const did = didKeyFromJwk(material.publicJwk)
  const fragment = did.slice('did:key:'.length)
  const ours: Signer = {
    id: `${did}#${fragment}`,
    algorithm,
    publicJwk: material.publicJwk,
    sign: (data) => handle.sign(data),
  }
  const theirs =
    algorithm === 'Ed25519'
      ? EdDSASigner(secret)
      : algorithm === 'P-256'
        ? ES256Signer(secret)
        : ES256KSigner(secret)
  const alg = algorithm === 'Ed25519' ? 'EdDSA' : algorithm === 'P-256' ? 'ES256' : 'ES256K'
  return { ours, theirs, alg, did }
}

const DID_JWT_ALGORITHMS: KeyAlgorithm[] = ['Ed25519', 'P-256', 'secp256k1']

describe('our tokens verify with jose jwtVerify', () => {
  // jose 6 runs on WebCrypto, which has no secp256k1: ES256K is left out here.
  for (const { key, alg } of ALGORITHMS.filter((a) => a.key !== 'secp256k1')) {
    it(`${alg}: vc+jwt, vp+jwt and VCDM 1.1 claims`, async () => {
      const signer = await didSigner(key)
      const publicKey = await importJWK(signer.publicJwk as JWK, alg)

      const vc = await new JwtVcSigner(signer).sign(
        credentialV2({ validUntil: '2099-01-01T00:00:00Z' }),
      )
      const verified = await jwtVerify(vc, publicKey, {
        typ: 'vc+jwt',
        issuer: didOf(signer),
        algorithms: [alg],
      })
      expect(verified.protectedHeader).toMatchObject({
        alg,
        typ: 'vc+jwt',
        cty: 'vc',
        kid: signer.id,
      })
      expect(verified.payload).toMatchObject({
        issuer: didOf(signer),
        credentialSubject: { id: 'did:example:alice' },
        exp: Date.UTC(2099, 0, 1) / 1000,
      })

      const vp = await new JwtVpSigner(signer).sign(
        presentationV2({ verifiableCredential: [envelopeCredential(vc)] }),
        { audience: 'https://verifier.example', nonce: 'n1', expiresIn: 60 },
      )
      const vpVerified = await jwtVerify(vp, publicKey, {
        typ: 'vp+jwt',
        audience: 'https://verifier.example',
        issuer: didOf(signer),
      })
      expect(vpVerified.payload).toMatchObject({ nonce: 'n1', holder: didOf(signer) })

      const v1 = await new JwtVcSigner(signer).sign(
        credentialV1({ expirationDate: '2099-01-01T00:00:00Z' }),
      )
      const v1Verified = await jwtVerify(v1, publicKey, {
        typ: 'JWT',
        issuer: didOf(signer),
        subject: 'did:example:alice',
        requiredClaims: ['vc', 'nbf', 'jti', 'exp'],
      })
      expect((v1Verified.payload.vc as Record<string, unknown>).type).toEqual([
        'VerifiableCredential',
        'UniversityDegreeCredential',
      ])
    })
  }

  it('the fully-specified Ed25519 alg verifies with jose too', async () => {
    const signer = await didSigner('Ed25519')
    const jwt = await new JwtVcSigner(signer, { ed25519Name: 'Ed25519' }).sign(credentialV2())
    const { protectedHeader } = await jwtVerify(
      jwt,
      await importJWK(signer.publicJwk as JWK, 'Ed25519'),
      { typ: 'vc+jwt' },
    )
    expect(protectedHeader.alg).toBe('Ed25519')
  })
})

describe('jose SignJWT tokens verify here', () => {
  for (const { alg } of ALGORITHMS.filter((a) => a.key !== 'secp256k1')) {
    it(`${alg}: a vc+jwt, a vp+jwt and a VCDM 1.1 JWT made by jose`, async () => {
      const { privateKey, publicKey } = await generateKeyPair(alg, {
        extractable: true,
        ...(alg === 'PS256' ? { modulusLength: 2048 } : {}),
      })
      const did = didKeyFromJwk((await exportJWK(publicKey)) as never)
      const kid = `${did}#${did.slice('did:key:'.length)}`

      const vc = await new SignJWT(credentialV2({ issuer: did }))
        .setProtectedHeader({ alg, typ: 'vc+jwt', cty: 'vc', kid })
        .setIssuer(did)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey)
      const result = await verifyVc(vc)
      expectVerified(result)
      expect(result.format).toBe('vc+jwt')
      expect(result.issuer).toBe(did)

      const vp = await new SignJWT(
        presentationV2({ holder: did, verifiableCredential: [envelopeCredential(vc)] }),
      )
        .setProtectedHeader({ alg, typ: 'vp+jwt', kid })
        .setIssuer(did)
        .setAudience('https://verifier.example')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey)
      const vpResult = await verifyVc(vp, { audience: 'https://verifier.example' })
      expectVerified(vpResult)
      expect(vpResult.credentials?.map((c) => c.format)).toEqual(['vc+jwt'])

      const v1 = await new SignJWT({ vc: credentialV1({ issuer: did }) })
        .setProtectedHeader({ alg, typ: 'JWT', kid })
        .setIssuer(did)
        .setSubject('did:example:alice')
        .setNotBefore(Date.UTC(2020, 0, 1, 19, 23, 24) / 1000)
        .setJti('http://example.edu/credentials/3732')
        .sign(privateKey)
      const v1Result = await verifyVc(v1)
      expectVerified(v1Result)
      expect(v1Result.format).toBe('vc-jwt')
    })
  }
})

describe('did-jwt-vc (VCDM 1.1)', () => {
  const pairs = new Map<KeyAlgorithm, Pair>()
  beforeAll(async () => {
    for (const algorithm of DID_JWT_ALGORITHMS) pairs.set(algorithm, await pair(algorithm))
  })

  for (const algorithm of DID_JWT_ALGORITHMS) {
    it(`${algorithm}: our credentials verify with verifyCredential (kept and removed mapped members)`, async () => {
      const { ours, did } = pairs.get(algorithm) as Pair
      for (const mappedProperties of ['keep', 'remove'] as const) {
        const jwt = await new JwtVcSigner(ours, { mappedProperties }).sign(
          credentialV1({ expirationDate: '2099-01-01T00:00:00Z' }),
        )
        const verified = await verifyCredential(jwt, resolver)
        expect(verified.verified).toBe(true)
        expect(verified.issuer).toBe(did)
        expect(verified.verifiableCredential).toMatchObject({
          issuer: { id: did },
          id: 'http://example.edu/credentials/3732',
          issuanceDate: '2020-01-01T19:23:24.000Z',
          expirationDate: '2099-01-01T00:00:00.000Z',
          credentialSubject: {
            id: 'did:example:alice',
            degree: { type: 'BachelorDegree', name: 'BSc' },
          },
        })
        // With the default ("instead of") did-jwt-vc's normalized credential is clean; with `keep`
        // its normalizer leaves the duplicated members behind in a stray `vc` member.
        expect('vc' in verified.verifiableCredential).toBe(mappedProperties === 'keep')
      }
    })

    it(`${algorithm}: our presentations verify with verifyPresentation (domain and challenge)`, async () => {
      const { ours, did } = pairs.get(algorithm) as Pair
      const issuer = pairs.get('Ed25519') as Pair
      const vc = await new JwtVcSigner(issuer.ours).sign(credentialV1())
      const vp = await new JwtVpSigner(ours).sign(presentationV1({ verifiableCredential: [vc] }), {
        audience: 'did:example:verifier',
        nonce: 'challenge-1',
        expiresIn: 300,
      })
      const verified = await verifyPresentation(vp, resolver, {
        domain: 'did:example:verifier',
        challenge: 'challenge-1',
      })
      expect(verified.verified).toBe(true)
      expect(verified.verifiablePresentation.holder).toBe(did)
      expect(verified.verifiablePresentation.verifiableCredential?.[0]).toMatchObject({
        issuer: { id: issuer.did },
      })
    })

    it(`${algorithm}: did-jwt-vc credentials and presentations verify here (with and without kid)`, async () => {
      const { theirs, alg, did, ours } = pairs.get(algorithm) as Pair
      for (const header of [{}, { kid: ours.id }]) {
        const vc = await createVerifiableCredentialJwt(
          {
            sub: 'did:example:alice',
            nbf: 1577836800,
            vc: {
              '@context': ['https://www.w3.org/2018/credentials/v1'],
              type: ['VerifiableCredential'],
              credentialSubject: { degree: 'BSc' },
            },
          },
          { did, signer: theirs, alg },
          { header },
        )
        const result = await verifyVc(vc)
        expectVerified(result)
        expect(result.format).toBe('vc-jwt')
        expect(result.credential).toMatchObject({
          issuer: did,
          issuanceDate: '2020-01-01T00:00:00Z',
          credentialSubject: { id: 'did:example:alice', degree: 'BSc' },
        })

        const vp = await createVerifiablePresentationJwt(
          {
            vp: {
              '@context': ['https://www.w3.org/2018/credentials/v1'],
              type: ['VerifiablePresentation'],
              verifiableCredential: [vc],
            },
          },
          { did, signer: theirs, alg },
          { domain: 'https://verifier.example', challenge: 'c-42', header },
        )
        const vpResult = await verifyVc(vp, { audience: 'https://verifier.example', nonce: 'c-42' })
        expectVerified(vpResult)
        expect(vpResult.format).toBe('vp-jwt')
        expect(vpResult.presentation?.holder).toBe(did)
        expect(vpResult.credentials?.map((c) => c.verified)).toEqual([true])
      }
    })
  }

  it('did-jwt-vc refuses what we refuse: a credential whose issuer is not the key', async () => {
    const { ours } = pairs.get('Ed25519') as Pair
    const jwt = await new JwtVcSigner(ours, { allowIssuerMismatch: true }).sign(
      credentialV1({ issuer: (pairs.get('P-256') as Pair).did }),
    )
    await expect(verifyCredential(jwt, resolver)).rejects.toThrow()
    expect((await verifyVc(jwt)).errors.map((e) => e.code)).toEqual(['issuer_mismatch'])
  })

  it('a token signed by did-jwt decodes the same way here and there', async () => {
    const { theirs, alg, did } = pairs.get('secp256k1') as Pair
    const vc = await createVerifiableCredentialJwt(
      { ...credentialV1({ issuer: did }), expirationDate: '2099-01-01T00:00:00Z' } as never,
      { did, signer: theirs, alg },
    )
    const header = decode(vc).header
    expect(header).toMatchObject({ alg: 'ES256K', typ: 'JWT' })
    const [ours, theirsVerified] = await Promise.all([verifyVc(vc), verifyCredential(vc, resolver)])
    expectVerified(ours)
    const mine = ours.credential as Record<string, string>
    const normalized = theirsVerified.verifiableCredential
    expect(mine.id).toBe(normalized.id)
    expect(mine.issuer).toBe((normalized.issuer as { id: string }).id)
    // did-jwt-vc writes dates with milliseconds (`.000Z`); the instants are the same.
    expect(Date.parse(mine.issuanceDate as string)).toBe(Date.parse(normalized.issuanceDate))
    expect(Date.parse(mine.expirationDate as string)).toBe(
      Date.parse(normalized.expirationDate as string),
    )
  })
})
