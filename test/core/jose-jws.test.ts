import { beforeAll, describe, expect, it } from 'vitest'
import {
  CredsignError,
  decodeJwsUnverified,
  didJwkFromJwk,
  didKeyFromJwk,
  signCompact,
  signFlattened,
  signGeneral,
  verifyJws,
  type KeyAlgorithm,
  type KeyResolver,
  type ResolvedKey,
} from '../../src/index.js'
import { fromB64u } from '../../src/util/bytes.js'
import { expectCode } from './keys-helpers.js'
import { ALGORITHMS, testKey, withId, type TestKey } from './jose-helpers.js'

const keys = {} as Record<KeyAlgorithm, TestKey>
let otherEd25519: TestKey
const EXPECTED_ALG: Record<KeyAlgorithm, string> = {
  Ed25519: 'EdDSA',
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
  secp256k1: 'ES256K',
  'RSA-PSS': 'PS256',
  PS384: 'PS384',
  PS512: 'PS512',
  RS256: 'RS256',
  RS384: 'RS384',
  RS512: 'RS512',
}
const payload = '{"from":"mydb:main","select":["?name"],"where":[{"@id":"?p","ex:name":"?name"}]}'
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
const headerOf = (segment: string): Record<string, unknown> =>
  JSON.parse(text(fromB64u(segment))) as Record<string, unknown>

beforeAll(async () => {
  for (const algorithm of ALGORITHMS) keys[algorithm] = await testKey(algorithm)
  otherEd25519 = await testKey('Ed25519', 'urn:test:other')
}, 120_000)

/** A resolver that knows exactly the given keys by id. */
function mapResolver(entries: Record<string, TestKey>): KeyResolver {
  return {
    async resolveKey(reference: string): Promise<ResolvedKey> {
      const entry = entries[reference]
      if (!entry) throw new CredsignError('key_not_found', 'unknown')
      return { id: reference, controller: 'https://issuer.example', publicJwk: entry.publicJwk }
    },
  }
}

describe('compact round trip', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}`, async () => {
      const key = keys[algorithm]
      const jws = await signCompact(key.signer, payload)
      const [h, p, s] = jws.split('.') as [string, string, string]
      expect(headerOf(h)).toEqual({ alg: EXPECTED_ALG[algorithm], kid: key.signer.id })
      expect(text(fromB64u(p))).toBe(payload)
      expect(s.length).toBeGreaterThan(0)
      const verified = await verifyJws(jws, { key: key.publicJwk })
      expect(text(verified.payload)).toBe(payload)
      expect(verified.protectedHeader).toEqual({ alg: EXPECTED_ALG[algorithm], kid: key.signer.id })
      expect(verified.key.id).toBe(key.publicJwk.kid)
      // through a resolver, by kid
      const resolved = await verifyJws(jws, { resolver: mapResolver({ [key.signer.id]: key }) })
      expect(resolved.key).toMatchObject({
        id: key.signer.id,
        controller: 'https://issuer.example',
      })
      // through a JWK Set, by kid
      const viaJwks = await verifyJws(jws, {
        jwks: {
          keys: [
            { ...keys['P-256'].publicJwk, kid: 'other' },
            { ...key.publicJwk, kid: key.signer.id },
          ],
        },
      })
      expect(viaJwks.key.id).toBe(key.signer.id)
    })
  }

  it('binary payloads and empty payloads', async () => {
    const bytes = new Uint8Array([0, 255, 1, 2, 3])
    const jws = await signCompact(keys['P-256'].signer, bytes)
    expect((await verifyJws(jws, { key: keys['P-256'].publicJwk })).payload).toEqual(bytes)
    const empty = await signCompact(keys.Ed25519.signer, '')
    expect(empty.split('.')[1]).toBe('')
    expect((await verifyJws(empty, { key: keys.Ed25519.publicJwk })).payload).toEqual(
      new Uint8Array(),
    )
  })

  it('typ, cty and custom members are signed in the order given', async () => {
    const jws = await signCompact(keys['P-256'].signer, payload, {
      protectedHeader: {
        typ: 'oauth-authz-req+jwt',
        cty: 'json',
        'x-tenant': 'acme',
        nested: { a: [1, 2] },
      },
    })
    expect(jws.split('.')[0]).toBe(
      b64uText(
        JSON.stringify({
          alg: 'ES256',
          kid: 'urn:test:P-256',
          typ: 'oauth-authz-req+jwt',
          cty: 'json',
          'x-tenant': 'acme',
          nested: { a: [1, 2] },
        }),
      ),
    )
    const verified = await verifyJws(jws, { key: keys['P-256'].publicJwk })
    expect(verified.protectedHeader['x-tenant']).toBe('acme')
  })

  it('an exact header can be reproduced: alg and kid where the caller puts them', async () => {
    const header = {
      alg: 'EdDSA',
      cty: 'vc',
      kid: '2aOHaQxsWVT4mLsUkdtlCnUV-au0BBR-5yPYaPaCc5k',
      typ: 'vc+jwt',
    }
    const jws = await signCompact(keys.Ed25519.signer, '{}', { protectedHeader: header })
    expect(jws.split('.')[0]).toBe(b64uText(JSON.stringify(header)))
  })

  it('includeKid: false leaves kid out; kid: undefined means no kid given', async () => {
    const noKid = await signCompact(keys.Ed25519.signer, payload, { includeKid: false })
    expect(headerOf(noKid.split('.')[0] as string)).toEqual({ alg: 'EdDSA' })
    const defaulted = await signCompact(keys.Ed25519.signer, payload, {
      protectedHeader: { kid: undefined },
    })
    expect(headerOf(defaulted.split('.')[0] as string)).toEqual({
      alg: 'EdDSA',
      kid: 'urn:test:Ed25519',
    })
    const own = await signCompact(keys.Ed25519.signer, payload, {
      protectedHeader: { kid: 'mine' },
    })
    expect(headerOf(own.split('.')[0] as string)).toEqual({ alg: 'EdDSA', kid: 'mine' })
  })

  it('Ed25519 name: EdDSA by default, Ed25519 on request or when the header says so', async () => {
    const named = await signCompact(keys.Ed25519.signer, payload, { ed25519Name: 'Ed25519' })
    expect(headerOf(named.split('.')[0] as string).alg).toBe('Ed25519')
    const fromHeader = await signCompact(keys.Ed25519.signer, payload, {
      protectedHeader: { alg: 'Ed25519' },
    })
    expect(headerOf(fromHeader.split('.')[0] as string).alg).toBe('Ed25519')
    expect(text((await verifyJws(named, { key: keys.Ed25519.publicJwk })).payload)).toBe(payload)
    await expectCode(
      () => verifyJws(named, { key: keys.Ed25519.publicJwk, algorithms: ['EdDSA'] }),
      'algorithm_not_allowed',
    )
    await expectCode(
      () =>
        signCompact(keys.Ed25519.signer, payload, {
          ed25519Name: 'EdDSA',
          protectedHeader: { alg: 'Ed25519' },
        }),
      'invalid_argument',
    )
  })

  it('a header alg that does not match the key is refused at signing', async () => {
    await expectCode(
      () => signCompact(keys['P-256'].signer, payload, { protectedHeader: { alg: 'ES384' } }),
      'invalid_argument',
    )
    await expectCode(
      () => signCompact(keys['P-256'].signer, payload, { protectedHeader: { alg: 'none' } }),
      'invalid_argument',
    )
  })

  it('signing refuses bad input with invalid_argument', async () => {
    const signer = keys['P-256'].signer
    await expectCode(() => signCompact(signer, 42 as never), 'invalid_argument')
    await expectCode(() => signCompact({} as never, payload), 'invalid_argument')
    await expectCode(
      () => signCompact(signer, payload, { protectedHeader: { crit: [] } }),
      'invalid_argument',
    )
    await expectCode(
      () => signCompact(signer, payload, { protectedHeader: { crit: ['kid'] } }),
      'invalid_argument',
    )
    await expectCode(
      () => signCompact(signer, payload, { protectedHeader: { crit: ['exp'] } }),
      'invalid_argument',
    )
    await expectCode(
      () => signCompact(signer, payload, { protectedHeader: { b64: false, crit: ['b64'] } }),
      'invalid_argument',
    )
    await expectCode(
      () => signCompact(signer, payload, { protectedHeader: { big: 1n } }),
      'invalid_argument',
    )
    await expectCode(
      () =>
        signCompact(signer, payload, {
          protectedHeader: { jwk: { ...keys['P-256'].publicJwk, d: 'secret' } as never },
        }),
      'invalid_argument',
    )
    await expectCode(
      () => signCompact(signer, payload, { unprotectedHeader: { a: 1 } } as never),
      'invalid_argument',
    )
    // a producer may mark its own extension critical
    const critical = await signCompact(signer, payload, {
      protectedHeader: { exp: 1, crit: ['exp'] },
    })
    expect(
      (await verifyJws(critical, { key: keys['P-256'].publicJwk, crit: ['exp'] })).protectedHeader
        .crit,
    ).toEqual(['exp'])
  })

  it('signer errors pass through', async () => {
    const locked = {
      ...keys['P-256'].signer,
      sign: async () => {
        throw new CredsignError('signer_locked', 'locked')
      },
    }
    await expectCode(() => signCompact(locked, payload), 'signer_locked')
  })
})

describe('flattened JSON round trip', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}`, async () => {
      const key = keys[algorithm]
      const jws = await signFlattened(
        {
          signer: key.signer,
          protectedHeader: { typ: 'JOSE+JSON' },
          unprotectedHeader: { 'x-trace': 'abc' },
        },
        payload,
      )
      expect(Object.keys(jws)).toEqual(['payload', 'protected', 'header', 'signature'])
      expect(jws.header).toEqual({ 'x-trace': 'abc' })
      for (const input of [jws, JSON.stringify(jws), `  \n${JSON.stringify(jws, null, 2)}`]) {
        const verified = await verifyJws(input, { key: key.publicJwk })
        expect(text(verified.payload)).toBe(payload)
        expect(verified.protectedHeader).toEqual({
          alg: EXPECTED_ALG[algorithm],
          kid: key.signer.id,
          typ: 'JOSE+JSON',
        })
        expect(verified.unprotectedHeader).toEqual({ 'x-trace': 'abc' })
      }
    })
  }

  it('kid in the unprotected header is used for resolution and not duplicated', async () => {
    const key = keys['P-384']
    const jws = await signFlattened(
      { signer: key.signer, unprotectedHeader: { kid: 'k-unprotected' } },
      payload,
    )
    expect(headerOf(jws.protected as string)).toEqual({ alg: 'ES384' })
    const verified = await verifyJws(jws, { resolver: mapResolver({ 'k-unprotected': key }) })
    expect(verified.key.id).toBe('k-unprotected')
  })

  it('protected and unprotected headers must not share a member (signing)', async () => {
    await expectCode(
      () =>
        signFlattened(
          {
            signer: keys.Ed25519.signer,
            protectedHeader: { typ: 'a' },
            unprotectedHeader: { typ: 'b' },
          },
          payload,
        ),
      'invalid_argument',
    )
    await expectCode(
      () =>
        signFlattened(
          { signer: keys.Ed25519.signer, unprotectedHeader: { alg: 'EdDSA' } },
          payload,
        ),
      'invalid_argument',
    )
    await expectCode(
      () =>
        signFlattened(
          { signer: keys.Ed25519.signer, unprotectedHeader: { crit: ['x'], x: 1 } },
          payload,
        ),
      'invalid_argument',
    )
  })
})

describe('general JSON round trip', () => {
  it('three signers of different algorithms; any verifying key is enough', async () => {
    const signers = [keys.Ed25519, keys['P-256'], keys['RSA-PSS']]
    const jws = await signGeneral(
      payload,
      signers.map((key, index) => ({
        signer: withId(key, `k${index}`),
        unprotectedHeader: { index },
      })),
    )
    expect(jws.signatures).toHaveLength(3)
    expect(jws.signatures.map((s) => headerOf(s.protected as string).alg)).toEqual([
      'EdDSA',
      'ES256',
      'PS256',
    ])
    for (const [index, key] of signers.entries()) {
      const verified = await verifyJws(jws, { key: key.publicJwk })
      expect(text(verified.payload)).toBe(payload)
      expect(verified.unprotectedHeader).toEqual({ index })
      expect(verified.protectedHeader.kid).toBe(`k${index}`)
    }
    // resolver knowing only the last key: the first two fail, the third verifies
    const last = await verifyJws(JSON.stringify(jws), {
      resolver: mapResolver({ k2: keys['RSA-PSS'] }),
    })
    expect(last.key.id).toBe('k2')
    // the first one that verifies is returned
    const first = await verifyJws(jws, {
      resolver: mapResolver({ k0: keys.Ed25519, k1: keys['P-256'], k2: keys['RSA-PSS'] }),
    })
    expect(first.key.id).toBe('k0')
  })

  it('all signatures failing: one error with every reason, the shared code or signature_invalid', async () => {
    const jws = await signGeneral(payload, [
      { signer: withId(keys.Ed25519, 'a') },
      { signer: withId(keys['P-384'], 'b') },
    ])
    let error: unknown
    try {
      await verifyJws(jws, { resolver: mapResolver({}) })
    } catch (caught) {
      error = caught
    }
    expect(CredsignError.is(error, 'key_not_found')).toBe(true)
    expect((error as Error).message).toContain('[0] key_not_found')
    expect((error as Error).message).toContain('[1] key_not_found')
    expect((error as Error).cause).toBeInstanceOf(AggregateError)
    // different reasons: one key wrong (signature_invalid), the other unknown
    await expectCode(
      () => verifyJws(jws, { resolver: mapResolver({ a: otherEd25519 }) }),
      'signature_invalid',
    )
  })

  it('ES384 and ES256K together with the Ed25519 name', async () => {
    const jws = await signGeneral('x', [
      { signer: keys['P-384'].signer },
      { signer: keys.secp256k1.signer },
      { signer: keys.Ed25519.signer, ed25519Name: 'Ed25519' },
    ])
    expect(jws.signatures.map((s) => headerOf(s.protected as string).alg)).toEqual([
      'ES384',
      'ES256K',
      'Ed25519',
    ])
    expect(text((await verifyJws(jws, { key: keys.secp256k1.publicJwk })).payload)).toBe('x')
  })

  it('needs at least one input', async () => {
    await expectCode(() => signGeneral(payload, []), 'invalid_argument')
  })
})

describe('Fluree-style signed queries', () => {
  it('EdDSA compact JWS with a bare did:key kid verifies through the default (did:key) resolver', async () => {
    const did = didKeyFromJwk(keys.Ed25519.publicJwk)
    const query = JSON.stringify({
      '@context': { ex: 'http://example.org/ns/' },
      from: 'mydb:main',
      select: ['?name'],
      where: [{ '@id': '?person', 'ex:name': '?name' }],
    })
    const jws = await signCompact(withId(keys.Ed25519, did), query)
    expect(headerOf(jws.split('.')[0] as string)).toEqual({ alg: 'EdDSA', kid: did })
    const verified = await verifyJws(jws)
    expect(JSON.parse(text(verified.payload))).toEqual(JSON.parse(query))
    expect(verified.key.controller).toBe(did)
    expect(verified.key.id).toBe(`${did}#${did.slice('did:key:'.length)}`)
  })

  it('JSON serialization with signatures[] (Fluree JSON form) and a did:key DID URL kid', async () => {
    const did = didKeyFromJwk(keys.Ed25519.publicJwk)
    const vm = `${did}#${did.slice('did:key:'.length)}`
    const jws = await signGeneral('{"from":"mydb:main"}', [{ signer: withId(keys.Ed25519, vm) }])
    const verified = await verifyJws(JSON.stringify(jws))
    expect(verified.key.id).toBe(vm)
  })

  it('did:jwk kids (P-256) resolve offline too', async () => {
    const did = didJwkFromJwk(keys['P-256'].publicJwk)
    const jws = await signCompact(withId(keys['P-256'], `${did}#0`), '{}')
    expect((await verifyJws(jws)).key.controller).toBe(did)
  })

  it('a tampered query fails with signature_invalid (Fluree INVALID_SIGNATURE); an unknown did:web kid is not resolved offline', async () => {
    const did = didKeyFromJwk(keys.Ed25519.publicJwk)
    const jws = await signCompact(withId(keys.Ed25519, did), '{"from":"mydb:main"}')
    const [h, , s] = jws.split('.')
    const tampered = `${h}.${b64uText('{"from":"mydb:other"}')}.${s}`
    await expectCode(() => verifyJws(tampered), 'signature_invalid')
    const web = await signCompact(
      withId(keys.Ed25519, 'did:web:example.com:users:alice#key-1'),
      '{}',
    )
    await expectCode(() => verifyJws(web), 'resolver_not_configured')
  })
})

describe('decodeJwsUnverified', () => {
  it('reads headers and payload of every serialization without verifying', async () => {
    const compact = await signCompact(keys.Ed25519.signer, payload, {
      protectedHeader: { typ: 'vc+jwt' },
    })
    const decoded = decodeJwsUnverified(compact)
    expect(decoded.serialization).toBe('compact')
    expect(decoded.signatures[0]?.protectedHeader.typ).toBe('vc+jwt')
    expect(text(decoded.payload)).toBe(payload)
    const general = await signGeneral(payload, [
      { signer: keys.Ed25519.signer, unprotectedHeader: { u: 1 } },
      { signer: keys['P-256'].signer },
    ])
    const g = decodeJwsUnverified(JSON.stringify(general))
    expect(g.serialization).toBe('general')
    expect(g.signatures.map((s) => s.protectedHeader.alg)).toEqual(['EdDSA', 'ES256'])
    expect(g.signatures[0]?.unprotectedHeader).toEqual({ u: 1 })
    await expectCode(() => decodeJwsUnverified('a.b'), 'malformed')
  })
})

/**
 * Base64url of a UTF-8 string, computed independently of src/util (these tests also run in
 * Chromium).
 */
function b64uText(value: string): string {
  const bytes = new TextEncoder().encode(value)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
