import { describe, expect, it } from 'vitest'
import {
  didJwkDocument,
  didJwkFromJwk,
  generateKeyPair,
  importPrivateKey,
  jwkFromDidJwk,
  KEY_ALGORITHMS,
  type PrivateJwk,
  type PublicJwk,
} from '../../src/index.js'
import { b64u, fromB64u } from '../../src/util/bytes.js'
import { expectCode, utf8 } from './keys-helpers.js'
import suite11Keys from '../fixtures/vectors/w3c-vc-test-suite-1.1/jwt-keys.json' with { type: 'json' }

// The P-256 and X25519 examples of the did:jwk method specification.
const SPEC_P256 =
  'did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9'
const SPEC_X25519 =
  'did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdPUTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9'

function withoutKid(jwk: PublicJwk): PublicJwk {
  const { kid: _kid, ...rest } = jwk
  return rest as PublicJwk
}

const didJwkOf = (jwk: object): string => `did:jwk:${b64u(utf8(JSON.stringify(jwk)))}`

describe('did:jwk', () => {
  it('the specification P-256 example: the DID re-encodes identically and resolves to its document', () => {
    const jwk = jwkFromDidJwk(SPEC_P256)
    expect(jwk).toEqual({
      crv: 'P-256',
      kty: 'EC',
      x: 'acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0',
      y: '_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE',
    })
    expect(didJwkFromJwk(jwk)).toBe(SPEC_P256)
    const vm = `${SPEC_P256}#0`
    expect(didJwkDocument(SPEC_P256)).toEqual({
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
      id: SPEC_P256,
      verificationMethod: [
        { id: vm, type: 'JsonWebKey2020', controller: SPEC_P256, publicKeyJwk: jwk },
      ],
      authentication: [vm],
      assertionMethod: [vm],
      capabilityInvocation: [vm],
      capabilityDelegation: [vm],
      keyAgreement: [vm], // no "use" member: all five, as the specification says
    })
  })

  it('the specification X25519 example is unsupported_algorithm', async () => {
    await expectCode(() => jwkFromDidJwk(SPEC_X25519), 'unsupported_algorithm')
  })

  for (const algorithm of KEY_ALGORITHMS) {
    it(`${algorithm}: jwk -> did:jwk -> jwk round trip, required members only, sorted`, async () => {
      const { publicJwk } =
        algorithm === 'RSA-PSS'
          ? await importPrivateKey({ jwk: suite11Keys.rs256PrivateKeyJwk as PrivateJwk })
          : await generateKeyPair(algorithm)
      const did = didJwkFromJwk({ ...publicJwk, alg: 'X', use: 'sig' } as PublicJwk)
      const encoded = JSON.parse(new TextDecoder().decode(fromB64u(did.slice(8)))) as Record<
        string,
        unknown
      >
      expect(Object.keys(encoded)).toEqual(Object.keys(encoded).sort())
      expect(encoded).toEqual(withoutKid(publicJwk))
      expect(jwkFromDidJwk(did)).toEqual(withoutKid(publicJwk))
      expect(jwkFromDidJwk(`${did}#0`)).toEqual(withoutKid(publicJwk))
      expect(didJwkFromJwk(publicJwk)).toBe(did)
    })
  }

  it('relationships follow "use" (and Ed25519 is signature-only)', async () => {
    const ec = withoutKid((await generateKeyPair('P-256')).publicJwk)
    const ed = withoutKid((await generateKeyPair('Ed25519')).publicJwk)
    const relationships = (did: string) =>
      [
        'authentication',
        'assertionMethod',
        'capabilityInvocation',
        'capabilityDelegation',
        'keyAgreement',
      ].filter((r) => r in didJwkDocument(did))
    expect(relationships(didJwkOf({ ...ec, use: 'sig' }))).toEqual([
      'authentication',
      'assertionMethod',
      'capabilityInvocation',
      'capabilityDelegation',
    ])
    expect(relationships(didJwkOf({ ...ec, use: 'enc' }))).toEqual(['keyAgreement'])
    expect(relationships(didJwkFromJwk(ed))).toEqual([
      'authentication',
      'assertionMethod',
      'capabilityInvocation',
      'capabilityDelegation',
    ])
    // Extra members stay in publicKeyJwk, as the specification says.
    const doc = didJwkDocument(didJwkOf({ ...ec, use: 'sig', kid: 'k1' }))
    expect(doc.verificationMethod[0]).toMatchObject({
      publicKeyJwk: { ...ec, use: 'sig', kid: 'k1' },
    })
  })

  it('private keys are refused in both directions', async () => {
    const material = await generateKeyPair('P-256')
    const privateJwk = { ...withoutKid(material.publicJwk), d: b64u(new Uint8Array(32).fill(1)) }
    await expectCode(() => didJwkFromJwk(privateJwk as unknown as PublicJwk), 'invalid_key')
    await expectCode(() => jwkFromDidJwk(didJwkOf(privateJwk)), 'invalid_key')
    await expectCode(() => didJwkDocument(didJwkOf(privateJwk)), 'invalid_key')
  })

  it('malformed did:jwk strings', async () => {
    for (const input of [
      'did:key:z6Mk',
      'did:jwk:',
      `${SPEC_P256}#1`,
      `${SPEC_P256}?v=1`,
      'did:jwk:eyJ+',
      'did:jwk:' + 'A'.repeat(9000),
    ]) {
      await expectCode(() => jwkFromDidJwk(input), 'invalid_argument')
    }
    await expectCode(() => jwkFromDidJwk(undefined as unknown as string), 'invalid_argument')
    const notJson = `did:jwk:${b64u(utf8('{"kty":'))}`
    const array = didJwkOf([1, 2])
    const nonUtf8 = `did:jwk:${b64u(new Uint8Array([0x7b, 0xff, 0x7d]))}`
    const badPoint = didJwkOf({
      crv: 'P-256',
      kty: 'EC',
      x: b64u(new Uint8Array(32).fill(1)),
      y: b64u(new Uint8Array(32).fill(2)),
    })
    for (const input of [
      notJson,
      array,
      nonUtf8,
      badPoint,
      didJwkOf(null as unknown as object),
      'did:jwk:A',
    ])
      await expectCode(() => jwkFromDidJwk(input), 'invalid_key')
    await expectCode(() => jwkFromDidJwk(didJwkOf({ kty: 'oct', k: 'AAAA' })), 'invalid_key') // k is a private member
    await expectCode(
      () => jwkFromDidJwk(didJwkOf({ kty: 'EC', crv: 'P-192', x: 'AA', y: 'AA' })),
      'unsupported_algorithm',
    )
    await expectCode(
      () => jwkFromDidJwk(didJwkOf({ kty: 'EC', crv: 'P-521', x: 'AA', y: 'AA' })),
      'invalid_key',
    ) // P-521 coordinates are 66 bytes
  })
})
