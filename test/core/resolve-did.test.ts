import { describe, expect, it } from 'vitest'
import {
  assertAuthorized,
  createResolver,
  didJwkDocument,
  didJwkFromJwk,
  didKeyDocument,
  didKeyFromJwk,
  generateKeyPair,
  jwkThumbprint,
  KEY_ALGORITHMS,
  multikeyFromJwk,
  resolveDid,
  SIGNING_RELATIONSHIPS,
  type KeyAlgorithm,
  type PublicJwk,
} from '../../src/index.js'
import { b64u, utf8 } from '../../src/util/bytes.js'
import { b58 } from '../../src/util/base58.js'
import { expectCode } from './keys-helpers.js'
import { fakeFetch } from './resolve-helpers.js'

/** Published did:key DIDs (W3C vc-di-eddsa / vc-di-ecdsa vectors): Ed25519, P-256, P-384. */
const PUBLISHED = [
  'did:key:z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj',
  'did:key:zDnaeTHxNEBZoKaEo6PdA83fq98ebiFvo3X273Ydu4YmV96rg',
  'did:key:z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ',
]

function requiredOnly(jwk: PublicJwk): Record<string, unknown> {
  const { kid: _kid, alg: _alg, use: _use, key_ops: _ops, ...rest } = jwk
  return rest
}

const keys = new Map<KeyAlgorithm, PublicJwk>()
async function publicKeyOf(algorithm: KeyAlgorithm): Promise<PublicJwk> {
  let jwk = keys.get(algorithm)
  if (jwk === undefined) {
    const material = await generateKeyPair(
      algorithm,
      algorithm === 'RSA-PSS' ? { modulusLength: 2048 } : {},
    )
    material.pkcs8.fill(0)
    jwk = material.publicJwk
    keys.set(algorithm, jwk)
  }
  return jwk
}

describe('createResolver: did:key, offline', () => {
  for (const algorithm of KEY_ALGORITHMS) {
    it(`${algorithm}: DID URL with the standard fragment, and the bare DID`, async () => {
      const jwk = await publicKeyOf(algorithm)
      const did = didKeyFromJwk(jwk)
      const vmId = `${did}#${multikeyFromJwk(jwk)}`
      const resolver = createResolver()
      const key = await resolver.resolveKey(vmId)
      expect(key.id).toBe(vmId)
      expect(key.controller).toBe(did)
      expect(key.type).toBe('Multikey')
      expect(requiredOnly(key.publicJwk)).toEqual(requiredOnly(jwk))
      expect(key.publicJwk.kid).toBe(await jwkThumbprint(jwk))
      expect(key.relationships).toEqual([...SIGNING_RELATIONSHIPS])
      // The bare DID names its only key.
      expect(await resolver.resolveKey(did)).toEqual(key)
      // Another fragment is no key of this DID.
      await expectCode(() => resolver.resolveKey(`${did}#key-1`), 'key_not_found')
    })
  }

  it('published did:key DIDs resolve to the key they encode', async () => {
    const resolver = createResolver()
    for (const did of PUBLISHED) {
      const key = await resolver.resolveKey(did)
      expect(key.id).toBe(`${did}#${did.slice('did:key:'.length)}`)
      expect(didKeyFromJwk(key.publicJwk)).toBe(did)
    }
  })

  it('undecodable did:key DIDs are malformed; unsupported key types say so', async () => {
    const resolver = createResolver()
    await expectCode(() => resolver.resolveKey('did:key:z6MkBad0OIl'), 'malformed') // not base58btc
    // The Ed25519 codec with 31 key bytes, and with 32 bytes that are no canonical point encoding.
    await expectCode(
      () =>
        resolver.resolveKey(`did:key:z${b58(new Uint8Array([0xed, 0x01, ...new Uint8Array(31)]))}`),
      'malformed',
    )
    await expectCode(
      () =>
        resolver.resolveKey(
          `did:key:z${b58(new Uint8Array([0xed, 0x01, ...new Uint8Array(32).fill(0xff)]))}`,
        ),
      'malformed',
    )
    await expectCode(() => resolver.resolveKey('did:key:'), 'malformed')
    await expectCode(
      () => resolver.resolveKey('did:key:z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj#'),
      'malformed',
    )
    await expectCode(() => resolver.resolveKey('did:key:z6Mk?x#y'), 'malformed')
    // X25519 (multicodec 0xec), from the did:key specification's examples.
    await expectCode(
      () => resolver.resolveKey('did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc'),
      'unsupported_algorithm',
    )
  })
})

describe('createResolver: did:jwk, offline', () => {
  for (const algorithm of KEY_ALGORITHMS) {
    it(`${algorithm}: #0 and the bare DID`, async () => {
      const jwk = await publicKeyOf(algorithm)
      const did = didJwkFromJwk(jwk)
      const resolver = createResolver()
      const key = await resolver.resolveKey(`${did}#0`)
      expect(key.id).toBe(`${did}#0`)
      expect(key.controller).toBe(did)
      expect(key.type).toBe('JsonWebKey2020')
      expect(requiredOnly(key.publicJwk)).toEqual(requiredOnly(jwk))
      // did:jwk: an Ed25519 key signs only; any other key without `use` is in all five relationships.
      expect(key.relationships).toEqual(
        algorithm === 'Ed25519'
          ? [...SIGNING_RELATIONSHIPS]
          : [...SIGNING_RELATIONSHIPS, 'keyAgreement'],
      )
      expect(await resolver.resolveKey(did)).toEqual(key)
      await expectCode(() => resolver.resolveKey(`${did}#1`), 'key_not_found')
    })
  }

  it('keeps the alg of the encoded JWK and reports use-based relationships', async () => {
    const { x, y } = (await publicKeyOf('P-256')) as { x: string; y: string }
    const encode = (jwk: object) => `did:jwk:${b64u(utf8(JSON.stringify(jwk)))}`
    const resolver = createResolver()

    const signing = await resolver.resolveKey(
      encode({ alg: 'ES256', crv: 'P-256', kty: 'EC', use: 'sig', x, y }),
    )
    expect(signing.publicJwk.alg).toBe('ES256')
    expect(signing.relationships).toEqual([...SIGNING_RELATIONSHIPS])

    const encryption = await resolver.resolveKey(
      encode({ crv: 'P-256', kty: 'EC', use: 'enc', x, y }),
    )
    expect(encryption.relationships).toEqual(['keyAgreement'])
    await expectCode(
      async () => assertAuthorized(encryption, 'assertionMethod'),
      'key_not_authorized',
    )
  })

  it('a did:jwk holding a private key is key_resolution_failed (private key published); no JWK at all is malformed', async () => {
    const resolver = createResolver()
    const ed = (await publicKeyOf('Ed25519')) as { x: string }
    const withD = `did:jwk:${b64u(utf8(JSON.stringify({ crv: 'Ed25519', d: ed.x, kty: 'OKP', x: ed.x })))}`
    await expectCode(() => resolver.resolveKey(withD), 'key_resolution_failed')
    await expectCode(() => resolver.resolveKey(`did:jwk:${b64u(utf8('not json'))}`), 'malformed')
    await expectCode(() => resolver.resolveKey('did:jwk:e30'), 'malformed') // {}
  })
})

describe('createResolver: references it does not handle', () => {
  it('answers with the contract codes and never fetches', async () => {
    const fetch = fakeFetch({})
    const resolver = createResolver()
    await expectCode(() => resolver.resolveKey('issuer-key-1'), 'key_not_found')
    await expectCode(() => resolver.resolveKey(''), 'malformed')
    await expectCode(() => resolver.resolveKey(42 as unknown as string), 'malformed')
    await expectCode(
      () => resolver.resolveKey('did:web:issuer.example#key-1'),
      'resolver_not_configured',
    )
    await expectCode(
      () => resolver.resolveKey('did:example:123456#key-1'),
      'resolver_not_configured',
    )
    // A fetch configured but a method credsign does not know: still not configured, still no request.
    await expectCode(
      () => createResolver({ fetch }).resolveKey('did:example:123456#key-1'),
      'resolver_not_configured',
    )
    await createResolver({ fetch }).resolveKey(PUBLISHED[0] as string)
    expect(fetch.calls).toHaveLength(0)
  })

  it('rejects bad options with invalid_argument', async () => {
    await expectCode(
      () => createResolver({ fetch: 'yes' as unknown as typeof fetch }),
      'invalid_argument',
    )
    await expectCode(() => createResolver({ timeoutMs: 0 }), 'invalid_argument')
    await expectCode(() => createResolver({ maxBytes: -1 }), 'invalid_argument')
    await expectCode(() => createResolver({ cacheTtlMs: Number.NaN }), 'invalid_argument')
    await expectCode(() => createResolver({ resolvers: [{} as never] }), 'invalid_argument')
    await expectCode(
      () => createResolver({ jwks: ['https://issuer.example/jwks.json'] }),
      'invalid_argument',
    ) // no fetch
    await expectCode(() => createResolver(null as never), 'invalid_argument')
  })
})

describe('resolveDid', () => {
  it('returns the did:key and did:jwk documents credsign builds', async () => {
    const jwk = await publicKeyOf('Ed25519')
    const didKey = didKeyFromJwk(jwk)
    const didJwk = didJwkFromJwk(jwk)
    expect(await resolveDid(didKey)).toEqual(didKeyDocument(didKey))
    expect(await resolveDid(didJwk)).toEqual(didJwkDocument(didJwk))
    expect(await createResolver().resolveDid(didKey)).toEqual(didKeyDocument(didKey))
  })

  it('takes DIDs only', async () => {
    await expectCode(() => resolveDid(`${PUBLISHED[0]}#x`), 'malformed')
    await expectCode(() => resolveDid('not a did'), 'malformed')
    await expectCode(() => resolveDid('did:web:issuer.example'), 'resolver_not_configured')
  })

  it('honours an already aborted signal for did:web, before any request', async () => {
    const fetch = fakeFetch({})
    await expectCode(
      () => resolveDid('did:web:issuer.example', { fetch, signal: AbortSignal.abort() }),
      'key_resolution_failed',
    )
    expect(fetch.calls).toHaveLength(0)
  })
})
