import { describe, expect, it } from 'vitest'
import {
  controllerOf,
  didDocument,
  generateKeyPair,
  isDid,
  verificationMethod,
  type VerificationMethod,
} from '../../src/index.js'
import { expectCode } from './keys-helpers.js'

const did = 'did:web:issuer.example:users:alice'

async function vms(): Promise<[VerificationMethod, VerificationMethod]> {
  const ed = await generateKeyPair('Ed25519')
  const ec = await generateKeyPair('P-256')
  return [
    verificationMethod(ed.publicJwk, { id: `${did}#key-1`, controller: did }),
    verificationMethod(ec.publicJwk, { id: `${did}#key-2`, controller: did, type: 'JsonWebKey' }),
  ]
}

describe('didDocument', () => {
  it('defaults: every method in the four signing relationships; contexts of the method types', async () => {
    const [a, b] = await vms()
    const doc = didDocument({ id: did, verificationMethods: [a, b] })
    expect(doc).toEqual({
      '@context': [
        'https://www.w3.org/ns/did/v1',
        'https://w3id.org/security/multikey/v1',
        'https://w3id.org/security/jwk/v1',
      ],
      id: did,
      verificationMethod: [a, b],
      authentication: [a.id, b.id],
      assertionMethod: [a.id, b.id],
      capabilityInvocation: [a.id, b.id],
      capabilityDelegation: [a.id, b.id],
    })
    expect('keyAgreement' in doc).toBe(false)
    // The document holds copies: editing it does not change the inputs.
    doc.verificationMethod[0]!.id = 'changed'
    expect(a.id).toBe(`${did}#key-1`)
  })

  it('a list of relationships applies to every method; a map picks methods (absolute or #relative)', async () => {
    const [a, b] = await vms()
    const listed = didDocument({
      id: did,
      verificationMethods: [a, b],
      relationships: ['assertionMethod'],
    })
    expect(listed.assertionMethod).toEqual([a.id, b.id])
    expect(listed.authentication).toBeUndefined()
    const mapped = didDocument({
      id: did,
      verificationMethods: [a, b],
      relationships: { assertionMethod: ['#key-1'], authentication: [b.id] },
    })
    expect(mapped.assertionMethod).toEqual(['#key-1'])
    expect(mapped.authentication).toEqual([b.id])
    expect(mapped.capabilityInvocation).toBeUndefined()
    expect(didDocument({ id: did, verificationMethods: [a], relationships: [] })).toEqual({
      '@context': expect.any(Array),
      id: did,
      verificationMethod: [a],
    })
  })

  it('refuses bad input with invalid_argument', async () => {
    const [a, b] = await vms()
    await expectCode(
      () => didDocument({ id: 'https://issuer.example', verificationMethods: [a] }),
      'invalid_argument',
    )
    await expectCode(
      () => didDocument({ id: `${did}#key-1`, verificationMethods: [a] }),
      'invalid_argument',
    )
    await expectCode(
      () => didDocument({ id: did, verificationMethods: [a, { ...b, id: a.id }] }),
      'invalid_argument',
    )
    await expectCode(
      () =>
        didDocument({
          id: did,
          verificationMethods: [a],
          relationships: { assertionMethod: ['#key-9'] },
        }),
      'invalid_argument',
    )
    await expectCode(
      () =>
        didDocument({
          id: did,
          verificationMethods: [a],
          relationships: ['signing' as 'assertionMethod'],
        }),
      'invalid_argument',
    )
    await expectCode(
      () =>
        didDocument({
          id: did,
          verificationMethods: [a],
          relationships: { bogus: [a.id] } as never,
        }),
      'invalid_argument',
    )
    await expectCode(
      () => didDocument({ id: did, verificationMethods: 'a' as unknown as VerificationMethod[] }),
      'invalid_argument',
    )
    await expectCode(
      () =>
        didDocument({
          id: did,
          verificationMethods: [{ ...a, type: 'Unknown' } as unknown as VerificationMethod],
        }),
      'invalid_argument',
    )
    await expectCode(() => didDocument(undefined as never), 'invalid_argument')
  })

  it("refuses a verification method whose controller is not the document's DID (the resolver refuses it)", async () => {
    const [a] = await vms()
    for (const controller of ['did:web:other.example', `${did}#key-1`, undefined])
      await expectCode(
        () =>
          didDocument({
            id: did,
            verificationMethods: [{ ...a, controller } as unknown as VerificationMethod],
          }),
        'invalid_argument',
      )
  })
})

describe('DID helpers', () => {
  it('controllerOf returns the part before #', async () => {
    expect(controllerOf('did:web:issuer.example#key-1')).toBe('did:web:issuer.example')
    expect(controllerOf('did:web:issuer.example')).toBe('did:web:issuer.example')
    expect(controllerOf('https://example.issuer/vc-jose-cose#key-1')).toBe(
      'https://example.issuer/vc-jose-cose',
    )
    expect(controllerOf('a#b#c')).toBe('a')
    await expectCode(() => controllerOf('#key-1'), 'invalid_argument')
    await expectCode(() => controllerOf(''), 'invalid_argument')
    await expectCode(() => controllerOf(null as unknown as string), 'invalid_argument')
  })

  it('isDid follows the DID Core syntax', () => {
    for (const good of [
      'did:web:example.com',
      'did:web:example.com%3A8443:user',
      'did:key:z6Mk',
      'did:example:a:b',
      'did:ion:EiA-_.x',
    ]) {
      expect(isDid(good), good).toBe(true)
    }
    for (const bad of [
      'did:web:',
      'did:Web:x',
      'did::x',
      'did:web:a#b',
      'did:web:a/b',
      'did:web:a?b',
      'did:web:a:',
      'did:web:%zz',
      'DID:web:a',
      'did:web:a b',
      42,
    ]) {
      expect(isDid(bad), String(bad)).toBe(false)
    }
  })
})
