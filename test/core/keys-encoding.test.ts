import { beforeAll, describe, expect, it } from 'vitest'
import {
  KEY_ALGORITHMS,
  generateKeyPair,
  importPrivateKey,
  isKeyAlgorithm,
  isRsaAlgorithm,
  jwkFromMultikey,
  jwkThumbprint,
  jwsAlgorithm,
  keyAlgorithmFromJwk,
  loadPrivateKey,
  multikeyFromJwk,
  toPublicJwk,
  verificationMethod,
  verificationMethodContext,
  verifySignature,
  type KeyAlgorithm,
  type KeyMaterial,
  type PrivateJwk,
  type PublicJwk,
} from '../../src/index.js'
import {
  decodeDer,
  derBitString,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derSmallInteger,
  derUnsigned,
  derUnsignedInteger,
  encodeDer,
  readDerChildren,
} from '../../src/keys/der.js'
import { parsePkcs8 } from '../../src/keys/pkcs8.js'
import { derivePublicKey } from '../../src/keys/key-parts.js'
import { b64u } from '../../src/util/bytes.js'
import { fromB58 } from '../../src/util/base58.js'
import { expectCode, hex, toHex, utf8 } from './keys-helpers.js'

const materials = {} as Record<KeyAlgorithm, KeyMaterial>
let rsa4096: KeyMaterial
beforeAll(async () => {
  for (const algorithm of KEY_ALGORITHMS)
    materials[algorithm] = await generateKeyPair(algorithm, { modulusLength: 2048 })
  rsa4096 = await generateKeyPair('RSA-PSS', { modulusLength: 4096 })
}, 120_000)

function withoutKid(jwk: PublicJwk): PublicJwk {
  const { kid: _kid, ...rest } = jwk
  return rest as PublicJwk
}

/** Splits canonical PKCS#8 into version, AlgorithmIdentifier and the inner private key bytes. */
function pkcs8Parts(der: Uint8Array) {
  const [version, algorithm, privateKey] = readDerChildren(decodeDer(der)) as [
    ReturnType<typeof decodeDer>,
    ReturnType<typeof decodeDer>,
    ReturnType<typeof decodeDer>,
  ]
  return { version, algorithm: encodeDer(algorithm.tag, algorithm.value), inner: privateKey.value }
}

describe('algorithms', () => {
  it('names, JWS algorithms and JWK mapping', () => {
    expect([...KEY_ALGORITHMS]).toEqual([
      'Ed25519',
      'P-256',
      'P-384',
      'P-521',
      'secp256k1',
      'RSA-PSS',
      'PS384',
      'PS512',
      'RS256',
      'RS384',
      'RS512',
    ])
    expect(KEY_ALGORITHMS.map((a) => jwsAlgorithm(a))).toEqual([
      'EdDSA',
      'ES256',
      'ES384',
      'ES512',
      'ES256K',
      'PS256',
      'PS384',
      'PS512',
      'RS256',
      'RS384',
      'RS512',
    ])
    expect(KEY_ALGORITHMS.map((a) => jwsAlgorithm(a, { fullySpecified: true }))).toEqual([
      'Ed25519',
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
    ])
    expect(jwsAlgorithm('Ed25519', { ed25519Name: 'Ed25519' })).toBe('Ed25519')
    expect(jwsAlgorithm('P-256', { ed25519Name: 'Ed25519' })).toBe('ES256')
    expect(() =>
      jwsAlgorithm('Ed25519', { ed25519Name: 'EdDSA', fullySpecified: true }),
    ).toThrowError(expect.objectContaining({ code: 'invalid_argument' }))
    expect(isKeyAlgorithm('RSA-PSS')).toBe(true)
    expect(isKeyAlgorithm('RS256')).toBe(true)
    expect(isKeyAlgorithm('PS256')).toBe(false) // the key algorithm of PS256 is RSA-PSS
    expect(isKeyAlgorithm('RSA')).toBe(false)
    expect(isKeyAlgorithm(undefined)).toBe(false)
    for (const algorithm of KEY_ALGORITHMS) {
      // An RSA JWK names no scheme: without alg it is RSA-PSS (PS256), with alg the algorithm it names.
      const rsa = isRsaAlgorithm(algorithm)
      expect(keyAlgorithmFromJwk(materials[algorithm].publicJwk)).toBe(rsa ? 'RSA-PSS' : algorithm)
      if (rsa)
        expect(
          keyAlgorithmFromJwk({ ...materials[algorithm].publicJwk, alg: jwsAlgorithm(algorithm) }),
        ).toBe(algorithm)
    }
    expect(() => jwsAlgorithm('P-192' as KeyAlgorithm)).toThrowError(
      expect.objectContaining({ code: 'unsupported_algorithm' }),
    )
    expect(() => jwsAlgorithm('Ed25519', { ed25519Name: 'ed25519' as 'EdDSA' })).toThrowError(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    expect(() => keyAlgorithmFromJwk(null as unknown as PublicJwk)).toThrowError(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })
})

describe('canonical PKCS#8', () => {
  it('has the documented shape for each algorithm', () => {
    expect(toHex(materials.Ed25519.pkcs8).slice(0, 32)).toBe('302e020100300506032b657004220420')
    expect(materials.Ed25519.pkcs8.length).toBe(48)
    // P-256: id-ecPublicKey + prime256v1, ECPrivateKey v1 without [0], with [1] public key.
    expect(toHex(materials['P-256'].pkcs8).slice(0, 36 * 2)).toBe(
      '308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420',
    )
    expect(toHex(materials['P-256'].pkcs8).slice((36 + 32) * 2, (36 + 32 + 4) * 2)).toBe('a1440342')
    expect(toHex(materials['P-384'].pkcs8)).toContain('06052b81040022') // secp384r1
    expect(toHex(materials.secp256k1.pkcs8)).toContain('06052b8104000a') // secp256k1
    expect(toHex(materials['RSA-PSS'].pkcs8)).toContain('300d06092a864886f70d0101010500') // rsaEncryption, NULL
  })

  it('RFC 8410 section 10.3 examples (v0, and v1 with attributes and public key) parse to the same key', async () => {
    const v0 = Uint8Array.from(
      atob('MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC'),
      (c) => c.charCodeAt(0),
    )
    const material = await importPrivateKey({ pkcs8: v0 })
    expect(toHex(material.pkcs8)).toBe(toHex(v0))
    // The same seed wrapped as OneAsymmetricKey v1 with an attribute and the derived public key.
    const { key, publicKey } = await parsePkcs8(v0)
    if (key.algorithm !== 'Ed25519' || publicKey.algorithm !== 'Ed25519')
      throw new Error('unexpected')
    const attributes = encodeDer(
      0xa0,
      derSequence(
        derOid('1.2.840.113549.1.9.9.20'),
        encodeDer(0x31, encodeDer(0x0c, utf8('Curdle Chairs'))),
      ),
    )
    const v1 = derSequence(
      derSmallInteger(1),
      derSequence(derOid('1.3.101.112')),
      derOctetString(derOctetString(key.seed)),
      attributes,
      encodeDer(0x81, new Uint8Array([0]), publicKey.publicKey),
    )
    expect((await importPrivateKey({ pkcs8: v1 })).publicJwk).toEqual(material.publicJwk)
    const wrongPublic = new Uint8Array(publicKey.publicKey)
    wrongPublic[0] = (wrongPublic[0] as number) ^ 1
    const v1Wrong = derSequence(
      derSmallInteger(1),
      derSequence(derOid('1.3.101.112')),
      derOctetString(derOctetString(key.seed)),
      encodeDer(0x81, new Uint8Array([0]), wrongPublic),
    )
    await expectCode(() => importPrivateKey({ pkcs8: v1Wrong }), 'invalid_key')
    // A public key in a version 0 structure is not allowed.
    const v0WithPublic = derSequence(
      derSmallInteger(0),
      derSequence(derOid('1.3.101.112')),
      derOctetString(derOctetString(key.seed)),
      encodeDer(0x81, new Uint8Array([0]), publicKey.publicKey),
    )
    await expectCode(() => importPrivateKey({ pkcs8: v0WithPublic }), 'invalid_key')
    // Ed25519 takes no AlgorithmIdentifier parameters.
    const withNull = derSequence(
      derSmallInteger(0),
      derSequence(derOid('1.3.101.112'), derNull()),
      derOctetString(derOctetString(key.seed)),
    )
    await expectCode(() => importPrivateKey({ pkcs8: withNull }), 'invalid_key')
  })

  for (const algorithm of ['P-256', 'P-384', 'secp256k1'] as const) {
    it(`${algorithm}: ECPrivateKey variants (with [0] parameters, without public key) are accepted; mismatches are not`, async () => {
      const material = materials[algorithm]
      const { key, publicKey } = await parsePkcs8(material.pkcs8)
      if (key.algorithm !== algorithm || publicKey.algorithm !== algorithm)
        throw new Error('unexpected')
      const { algorithm: algorithmId } = pkcs8Parts(material.pkcs8)
      const curveOid = readDerChildren(decodeDer(algorithmId))[1] as ReturnType<typeof decodeDer>
      const curve = encodeDer(curveOid.tag, curveOid.value)
      const wrap = (ecPrivateKey: Uint8Array) =>
        derSequence(derSmallInteger(0), algorithmId, derOctetString(ecPrivateKey))
      const withParameters = wrap(
        derSequence(
          derSmallInteger(1),
          derOctetString(key.scalar),
          encodeDer(0xa0, curve),
          encodeDer(0xa1, derBitString(publicKey.publicKey)),
        ),
      )
      const bare = wrap(derSequence(derSmallInteger(1), derOctetString(key.scalar)))
      for (const variant of [withParameters, bare]) {
        const imported = await importPrivateKey({ pkcs8: variant })
        expect(imported.publicJwk).toEqual(material.publicJwk)
        expect(toHex(imported.pkcs8)).toBe(toHex(material.pkcs8))
        const handle = await loadPrivateKey(algorithm, variant)
        expect(
          await verifySignature(material.publicJwk, utf8('v'), await handle.sign(utf8('v'))),
        ).toBe(true)
      }
      const otherCurve =
        algorithm === 'P-384' ? derOid('1.2.840.10045.3.1.7') : derOid('1.3.132.0.34')
      await expectCode(
        () =>
          importPrivateKey({
            pkcs8: wrap(
              derSequence(
                derSmallInteger(1),
                derOctetString(key.scalar),
                encodeDer(0xa0, otherCurve),
              ),
            ),
          }),
        'invalid_key',
      )
      const stranger = (await generateKeyPair(algorithm)).pkcs8
      const strangerPublic = (await (
        await parsePkcs8(stranger)
      ).publicKey) as { publicKey: Uint8Array }
      await expectCode(
        () =>
          importPrivateKey({
            pkcs8: wrap(
              derSequence(
                derSmallInteger(1),
                derOctetString(key.scalar),
                encodeDer(0xa1, derBitString(strangerPublic.publicKey)),
              ),
            ),
          }),
        'invalid_key',
      )
      await expectCode(
        () =>
          importPrivateKey({
            pkcs8: wrap(derSequence(derSmallInteger(2), derOctetString(key.scalar))),
          }),
        'invalid_key',
      )
      await expectCode(
        () =>
          importPrivateKey({
            pkcs8: wrap(derSequence(derSmallInteger(1), derOctetString(key.scalar.subarray(1)))),
          }),
        'invalid_key',
      )
      // Explicit curve parameters instead of a named curve.
      const explicit = derSequence(
        derSmallInteger(0),
        derSequence(derOid('1.2.840.10045.2.1'), derSequence(derSmallInteger(1))),
        derOctetString(derSequence(derSmallInteger(1), derOctetString(key.scalar))),
      )
      await expectCode(() => importPrivateKey({ pkcs8: explicit }), 'unsupported_algorithm')
    })
  }

  it('RSA: id-RSASSA-PSS keys are accepted when their parameters permit PS256', async () => {
    const material = materials['RSA-PSS']
    const { inner } = pkcs8Parts(material.pkcs8)
    const sha256 = derSequence(derOid('2.16.840.1.101.3.4.2.1'))
    const sha256Null = derSequence(derOid('2.16.840.1.101.3.4.2.1'), derNull())
    const mgf1 = (hash: Uint8Array) => derSequence(derOid('1.2.840.113549.1.1.8'), hash)
    const pss = (parameters?: Uint8Array) =>
      derSequence(
        derSmallInteger(0),
        parameters
          ? derSequence(derOid('1.2.840.113549.1.1.10'), parameters)
          : derSequence(derOid('1.2.840.113549.1.1.10')),
        derOctetString(inner),
      )
    const ok = [
      pss(),
      pss(
        derSequence(
          encodeDer(0xa0, sha256),
          encodeDer(0xa1, mgf1(sha256)),
          encodeDer(0xa2, derSmallInteger(32)),
        ),
      ),
      pss(
        derSequence(
          encodeDer(0xa0, sha256Null),
          encodeDer(0xa1, mgf1(sha256Null)),
          encodeDer(0xa2, derSmallInteger(32)),
          encodeDer(0xa3, derSmallInteger(1)),
        ),
      ),
      pss(derSequence(encodeDer(0xa0, sha256), encodeDer(0xa1, mgf1(sha256)))), // salt default 20 <= 32
    ]
    for (const der of ok) {
      const imported = await importPrivateKey({ pkcs8: der })
      expect(imported.publicJwk).toEqual(material.publicJwk)
      expect(toHex(imported.pkcs8)).toBe(toHex(material.pkcs8)) // re-encoded as rsaEncryption
      const handle = await loadPrivateKey('RSA-PSS', der)
      expect(
        await verifySignature(material.publicJwk, utf8('pss'), await handle.sign(utf8('pss'))),
      ).toBe(true)
    }
    const sha1 = derSequence(derOid('1.3.14.3.2.26'))
    const refused = [
      pss(derSequence()), // all SHA-1 defaults
      pss(
        derSequence(
          encodeDer(0xa0, sha1),
          encodeDer(0xa1, mgf1(sha1)),
          encodeDer(0xa2, derSmallInteger(20)),
        ),
      ),
      pss(
        derSequence(
          encodeDer(0xa0, sha256),
          encodeDer(0xa1, mgf1(sha1)),
          encodeDer(0xa2, derSmallInteger(32)),
        ),
      ),
      pss(
        derSequence(
          encodeDer(0xa0, sha256),
          encodeDer(0xa1, mgf1(sha256)),
          encodeDer(0xa2, derSmallInteger(64)),
        ),
      ),
      pss(
        derSequence(
          encodeDer(0xa0, sha256),
          encodeDer(0xa1, mgf1(sha256)),
          encodeDer(0xa3, derSmallInteger(2)),
        ),
      ),
    ]
    for (const der of refused)
      await expectCode(() => importPrivateKey({ pkcs8: der }), 'unsupported_algorithm')
    // rsaEncryption parameters must be NULL (or absent).
    await expectCode(
      () =>
        importPrivateKey({
          pkcs8: derSequence(
            derSmallInteger(0),
            derSequence(derOid('1.2.840.113549.1.1.1'), derSmallInteger(0)),
            derOctetString(inner),
          ),
        }),
      'invalid_key',
    )
    // Multi-prime RSAPrivateKey (version 1).
    const fields = readDerChildren(decodeDer(inner))
      .slice(1)
      .map((f) => derUnsignedInteger(derUnsigned(f)))
    const multiPrime = derSequence(derSmallInteger(1), ...fields, derSequence())
    await expectCode(
      () =>
        importPrivateKey({
          pkcs8: derSequence(
            derSmallInteger(0),
            derSequence(derOid('1.2.840.113549.1.1.1'), derNull()),
            derOctetString(multiPrime),
          ),
        }),
      'unsupported_algorithm',
    )
  })

  it('DER integers must be minimal and non-negative', async () => {
    const der = materials.Ed25519.pkcs8
    // version INTEGER 0 written as 02 02 00 00
    const padded = new Uint8Array([0x30, der[1]! + 1, 0x02, 0x02, 0x00, 0x00, ...der.subarray(5)])
    await expectCode(() => importPrivateKey({ pkcs8: padded }), 'invalid_key')
    expect(() => derUnsigned({ tag: 0x02, value: new Uint8Array([0xff]) })).toThrowError(
      expect.objectContaining({ code: 'invalid_key' }),
    )
    expect(toHex(derUnsignedInteger(hex('0080')))).toBe('02020080')
    expect(toHex(derUnsignedInteger(hex('000001')))).toBe('020101')
  })

  // encodePkcs8 takes the public key derivePublicKey validated the parts with (derivation loads
  // noble lazily, so it is asynchronous): the refusal is derivePublicKey's.
  it('derivePublicKey (what encodePkcs8 is given the result of) refuses invalid private parts', async () => {
    await expect(
      derivePublicKey({ algorithm: 'P-256', scalar: new Uint8Array(32) }),
    ).rejects.toThrowError(expect.objectContaining({ code: 'invalid_key' }))
    await expect(
      derivePublicKey({ algorithm: 'Ed25519', seed: new Uint8Array(31) }),
    ).rejects.toThrowError(expect.objectContaining({ code: 'invalid_key' }))
  })
})

describe('Multikey', () => {
  const prefixes: Record<KeyAlgorithm, string> = {
    Ed25519: 'z6Mk',
    'P-256': 'zDna',
    'P-384': 'z82L',
    'P-521': 'z2J9',
    secp256k1: 'zQ3s',
    'RSA-PSS': 'z4MX',
    PS384: 'z4MX',
    PS512: 'z4MX',
    RS256: 'z4MX',
    RS384: 'z4MX',
    RS512: 'z4MX',
  }
  for (const algorithm of KEY_ALGORITHMS) {
    it(`${algorithm}: jwk -> multikey -> jwk round trip and multicodec prefix`, () => {
      const jwk = materials[algorithm].publicJwk
      const multikey = multikeyFromJwk(jwk)
      expect(multikey.startsWith(prefixes[algorithm])).toBe(true)
      expect(jwkFromMultikey(multikey)).toEqual(withoutKid(jwk))
      const bytes = fromB58(multikey.slice(1))
      const expectedLength =
        'n' in jwk
          ? bytes.length
          : { Ed25519: 34, 'P-256': 35, 'P-384': 51, 'P-521': 69, secp256k1: 35 }[
              algorithm as 'Ed25519'
            ]
      expect(bytes.length).toBe(expectedLength)
    })
  }

  it('RSA 4096 round trip (zgg prefix); the body is a DER RSAPublicKey', () => {
    const multikey = multikeyFromJwk(rsa4096.publicJwk)
    expect(multikey.startsWith('zgg')).toBe(true)
    expect(jwkFromMultikey(multikey)).toEqual(withoutKid(rsa4096.publicJwk))
    const bytes = fromB58(multikey.slice(1))
    expect(toHex(bytes.subarray(0, 2))).toBe('8524')
    const [n, e] = readDerChildren(decodeDer(bytes.subarray(2)))
    expect(b64u(derUnsigned(n!))).toBe((rsa4096.publicJwk as { n: string }).n)
    expect(b64u(derUnsigned(e!))).toBe('AQAB')
  })

  it('private members are ignored, not encoded', async () => {
    const material = materials['P-256']
    const { key } = await parsePkcs8(material.pkcs8)
    const privateJwk = {
      ...material.publicJwk,
      d: b64u((key as { scalar: Uint8Array }).scalar),
    } as PrivateJwk
    expect(multikeyFromJwk(privateJwk)).toBe(multikeyFromJwk(material.publicJwk))
  })
})

describe('thumbprints and public JWKs', () => {
  it('toPublicJwk keeps only required members plus the thumbprint kid', async () => {
    for (const algorithm of KEY_ALGORITHMS) {
      const { key } = await parsePkcs8(materials[algorithm].pkcs8)
      const secret = key.algorithm === 'Ed25519' ? key.seed : 'rsa' in key ? key.rsa.d : key.scalar
      const dirty = {
        ...materials[algorithm].publicJwk,
        d: b64u(secret),
        alg: 'none',
        use: 'sig',
        key_ops: ['sign'],
        kid: 'old',
        extra: 1,
      }
      const clean = await toPublicJwk(dirty as unknown as PrivateJwk)
      expect(clean).toEqual(materials[algorithm].publicJwk)
      expect(JSON.stringify(clean)).not.toContain(b64u(secret))
      expect(clean.kid).toBe(await jwkThumbprint(dirty as unknown as PublicJwk))
    }
  })

  it('different keys have different thumbprints', async () => {
    const kids = new Set(
      await Promise.all(KEY_ALGORITHMS.map((a) => jwkThumbprint(materials[a].publicJwk))),
    )
    expect(kids.size).toBe(KEY_ALGORITHMS.length)
  })
})

describe('verification methods', () => {
  const did = 'did:web:issuer.example'
  it('Multikey (default), JsonWebKey, JsonWebKey2020', () => {
    const jwk = materials['P-256'].publicJwk
    expect(verificationMethod(jwk, { id: `${did}#k`, controller: did })).toEqual({
      id: `${did}#k`,
      type: 'Multikey',
      controller: did,
      publicKeyMultibase: multikeyFromJwk(jwk),
    })
    for (const type of ['JsonWebKey', 'JsonWebKey2020'] as const) {
      const vm = verificationMethod(jwk, { id: `${did}#k`, controller: did, type })
      expect(vm).toEqual({ id: `${did}#k`, type, controller: did, publicKeyJwk: jwk })
      expect(vm.publicKeyJwk.kid).toBe(jwk.kid)
    }
    const noKid = verificationMethod(withoutKid(jwk), {
      id: `${did}#k`,
      controller: did,
      type: 'JsonWebKey',
    })
    expect(noKid.publicKeyJwk).toEqual(withoutKid(jwk))
  })

  it('never copies private members into publicKeyJwk', async () => {
    const { key } = await parsePkcs8(materials.Ed25519.pkcs8)
    const privateJwk = {
      ...materials.Ed25519.publicJwk,
      d: b64u((key as { seed: Uint8Array }).seed),
    } as PrivateJwk
    const vm = verificationMethod(privateJwk, {
      id: `${did}#k`,
      controller: did,
      type: 'JsonWebKey',
    })
    expect('d' in vm.publicKeyJwk).toBe(false)
  })

  it('Ed25519VerificationKey2020 only for Ed25519', () => {
    const vm = verificationMethod(materials.Ed25519.publicJwk, {
      id: `${did}#k`,
      controller: did,
      type: 'Ed25519VerificationKey2020',
    })
    expect(vm.publicKeyMultibase).toBe(multikeyFromJwk(materials.Ed25519.publicJwk))
    for (const algorithm of ['P-256', 'P-384', 'secp256k1', 'RSA-PSS'] as const) {
      expect(() =>
        verificationMethod(materials[algorithm].publicJwk, {
          id: `${did}#k`,
          controller: did,
          type: 'Ed25519VerificationKey2020',
        }),
      ).toThrowError(expect.objectContaining({ code: 'unsupported_algorithm' }))
    }
  })

  it('contexts and argument checks', () => {
    expect(verificationMethodContext('Multikey')).toBe('https://w3id.org/security/multikey/v1')
    expect(verificationMethodContext('JsonWebKey')).toBe('https://w3id.org/security/jwk/v1')
    expect(verificationMethodContext('JsonWebKey2020')).toBe(
      'https://w3id.org/security/suites/jws-2020/v1',
    )
    expect(verificationMethodContext('Ed25519VerificationKey2020')).toBe(
      'https://w3id.org/security/suites/ed25519-2020/v1',
    )
    const jwk = materials.Ed25519.publicJwk
    expect(() => verificationMethod(jwk, { id: '', controller: did })).toThrowError(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    expect(() =>
      verificationMethod(jwk, { id: 'x', controller: 3 as unknown as string }),
    ).toThrowError(expect.objectContaining({ code: 'invalid_argument' }))
    expect(() =>
      verificationMethod(jwk, {
        id: 'x',
        controller: did,
        type: 'EcdsaSecp256k1VerificationKey2019' as 'Multikey',
      }),
    ).toThrowError(expect.objectContaining({ code: 'invalid_argument' }))
  })
})
