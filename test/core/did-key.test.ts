import { describe, expect, it } from 'vitest'
import {
  didKeyDocument,
  didKeyFromJwk,
  generateKeyPair,
  importPrivateKey,
  jwkFromDidKey,
  multikeyFromJwk,
  type KeyAlgorithm,
  type PrivateJwk,
  type PublicJwk,
} from '../../src/index.js'
import { b58, fromB58 } from '../../src/util/base58.js'
import { expectCode } from './keys-helpers.js'
import diSignatures from '../fixtures/vectors/di-signatures.json' with { type: 'json' }
import suite11Keys from '../fixtures/vectors/w3c-vc-test-suite-1.1/jwt-keys.json' with { type: 'json' }

/** Did:key DIDs published in the vectors (issuers, proofs, subjects), mostly without private keys. */
const PUBLISHED = [
  'did:key:z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj', // vc-di-eddsa employmentAuth issuer
  'did:key:z6Mkska8oQD7QQQWxqa7L5ai4mH98HfAdSwomPFYKuqNyE2y', // vc-di-eddsa employ proof
  'did:key:z6MkvrFpBNCoYewiaeBLgjUDvLxUtnK5R6mqh5XPvLsrPsro', // vc-di-eddsa employ
  'did:key:z6MktgKTsu1QhX6QPbyqG6geXdw6FQCZBPq7uQpieWbiQiG7', // proof-set-chain keyPair1
  'did:key:zDnaeTHxNEBZoKaEo6PdA83fq98ebiFvo3X273Ydu4YmV96rg', // vc-di-ecdsa ecdsa-sd-2023
  'did:key:zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76', // vc-di-ecdsa ecdsa-sd-2023
  'did:key:zDnaeTHfhmSaQKBc7CmdL3K7oYg3D6SC7yowe2eBeVd2DH32r', // SDKeyMaterial proofKeyPair
  'did:key:z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ', // p384KeyPair
]

function withoutKid(jwk: PublicJwk): PublicJwk {
  const { kid: _kid, ...rest } = jwk
  return rest as PublicJwk
}

describe('did:key', () => {
  it('published did:key DIDs and proof verification methods decode and re-encode identically', () => {
    const all = [...PUBLISHED, ...diSignatures.map((v) => v.verificationMethod)]
    for (const didOrUrl of all) {
      const jwk = jwkFromDidKey(didOrUrl)
      expect(didKeyFromJwk(jwk)).toBe(didOrUrl.split('#')[0])
    }
  })

  for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1'] as KeyAlgorithm[]) {
    it(`${algorithm}: jwk -> did:key -> jwk round trip`, async () => {
      const { publicJwk } = await generateKeyPair(algorithm)
      const did = didKeyFromJwk(publicJwk)
      expect(did).toBe(`did:key:${multikeyFromJwk(publicJwk)}`)
      expect(jwkFromDidKey(did)).toEqual(withoutKid(publicJwk))
      expect(jwkFromDidKey(`${did}#${did.slice(8)}`)).toEqual(withoutKid(publicJwk))
    })
  }

  it('RSA-PSS: jwk -> did:key -> jwk round trip', async () => {
    const { publicJwk } = await importPrivateKey({
      jwk: suite11Keys.rs256PrivateKeyJwk as PrivateJwk,
    })
    const did = didKeyFromJwk(publicJwk)
    expect(did.startsWith('did:key:z4MX')).toBe(true)
    expect(jwkFromDidKey(did)).toEqual(withoutKid(publicJwk))
  })

  it('document: Multikey verification method in the four signing relationships', () => {
    const did = PUBLISHED[0] as string
    const multibase = did.slice('did:key:'.length)
    const vmId = `${did}#${multibase}`
    expect(didKeyDocument(did)).toEqual({
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: did,
      verificationMethod: [
        { id: vmId, type: 'Multikey', controller: did, publicKeyMultibase: multibase },
      ],
      authentication: [vmId],
      assertionMethod: [vmId],
      capabilityInvocation: [vmId],
      capabilityDelegation: [vmId],
    })
    // A DID URL resolves to the same document.
    expect(didKeyDocument(vmId)).toEqual(didKeyDocument(did))
  })

  it('document: other verification method types and their contexts', () => {
    const did = PUBLISHED[0] as string
    const ed2020 = didKeyDocument(did, { verificationMethodType: 'Ed25519VerificationKey2020' })
    expect(ed2020['@context']).toEqual([
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/suites/ed25519-2020/v1',
    ])
    expect(ed2020.verificationMethod[0]).toMatchObject({
      type: 'Ed25519VerificationKey2020',
      publicKeyMultibase: did.slice(8),
    })
    const jwkDoc = didKeyDocument(did, { verificationMethodType: 'JsonWebKey' })
    expect(jwkDoc['@context']).toEqual([
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/jwk/v1',
    ])
    expect(jwkDoc.verificationMethod[0]).toEqual({
      id: `${did}#${did.slice(8)}`,
      type: 'JsonWebKey',
      controller: did,
      publicKeyJwk: jwkFromDidKey(did),
    })
    const jws2020 = didKeyDocument(did, { verificationMethodType: 'JsonWebKey2020' })
    expect(jws2020['@context'][1]).toBe('https://w3id.org/security/suites/jws-2020/v1')
    expect(() =>
      didKeyDocument(PUBLISHED[4] as string, {
        verificationMethodType: 'Ed25519VerificationKey2020',
      }),
    ).toThrowError(expect.objectContaining({ code: 'unsupported_algorithm' }))
  })

  it('malformed did:key strings', async () => {
    const good = PUBLISHED[0] as string
    const argument = [
      'did:web:example.com',
      'did:key:',
      'did:key',
      `${good}#other`,
      `${good}?x=1`,
      `${good}/path`,
      ` ${good}`,
      'did:KEY:z6Mk',
      'did:key:' + 'z'.repeat(9000),
    ]
    for (const input of argument) await expectCode(() => jwkFromDidKey(input), 'invalid_argument')
    await expectCode(() => jwkFromDidKey(42 as unknown as string), 'invalid_argument')
    await expectCode(() => didKeyDocument('did:example:123'), 'invalid_argument')
    const truncated = 'did:key:z' + b58(fromB58(good.slice(9)).subarray(0, 20))
    const key = [
      'did:key:6Mk' + good.slice(12),
      good.slice(0, -1) + '0',
      truncated,
      'did:key:z' + 'A'.repeat(2000),
    ]
    for (const input of key) await expectCode(() => jwkFromDidKey(input), 'invalid_key')
    await expectCode(
      () => jwkFromDidKey('did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc'),
      'unsupported_algorithm',
    ) // X25519
  })
})
