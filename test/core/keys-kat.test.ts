import { describe, expect, it } from 'vitest'
import {
  didKeyFromJwk,
  importPrivateKey,
  jwkFromDidKey,
  jwkFromMultikey,
  jwkThumbprint,
  loadPrivateKey,
  multikeyFromJwk,
  toPublicJwk,
  verifySignature,
  type KeyAlgorithm,
  type PrivateJwk,
  type PublicJwk,
} from '../../src/index.js'
import { b64u, fromB64u } from '../../src/util/bytes.js'
import { fromB58 } from '../../src/util/base58.js'
import { p256, p384 } from '@noble/curves/nist.js'
import { expectCode, hex, rawFromPrivateMultibase, sOf, toHex, utf8 } from './keys-helpers.js'
import eddsaKeyPair from '../fixtures/vectors/w3c-vc-di-eddsa/keyPair.json' with { type: 'json' }
import eddsaMultiKeyPairs from '../fixtures/vectors/w3c-vc-di-eddsa/proof-set-chain/multiKeyPairs.json' with { type: 'json' }
import p256KeyPair from '../fixtures/vectors/w3c-vc-di-ecdsa/p256KeyPair.json' with { type: 'json' }
import p384KeyPair from '../fixtures/vectors/w3c-vc-di-ecdsa/p384KeyPair.json' with { type: 'json' }
import sdKeyMaterial from '../fixtures/vectors/w3c-vc-di-ecdsa/ecdsa-sd-2023/SDKeyMaterial.json' with { type: 'json' }
import vmEd25519 from '../fixtures/vectors/w3c-vc-jose-cose-test-suite/vm-ed25519.json' with { type: 'json' }
import vmDidEd25519 from '../fixtures/vectors/w3c-vc-jose-cose-test-suite/vm-did-ed25519.json' with { type: 'json' }
import vmP256 from '../fixtures/vectors/w3c-vc-jose-cose-test-suite/vm-p256.json' with { type: 'json' }
import vmP384 from '../fixtures/vectors/w3c-vc-jose-cose-test-suite/vm-p384.json' with { type: 'json' }
import vmP521 from '../fixtures/vectors/w3c-vc-jose-cose-test-suite/vm-p521.json' with { type: 'json' }
import suite11Keys from '../fixtures/vectors/w3c-vc-test-suite-1.1/jwt-keys.json' with { type: 'json' }
import sdJwtKeys from '../fixtures/vectors/ietf-sd-jwt/keys.json' with { type: 'json' }
import diSignatures from '../fixtures/vectors/di-signatures.json' with { type: 'json' }

// RFC 8032 section 7.1, TEST 1.
const RFC8032_TEST1 = {
  seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
}

// RFC 7638 section 3.1 (the RSA key of RFC 7517 appendix A.1).
const RFC7638_JWK = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
} as const
const RFC7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'

const MULTICODEC_PRIVATE = { 0x1300: 'Ed25519', 0x1306: 'P-256', 0x1307: 'P-384' } as Record<
  number,
  KeyAlgorithm
>

/** Imports a Multikey secret (`privateKeyMultibase` / `secretKeyMultibase`) via the seed form. */
async function importMultibaseSecret(multibase: string) {
  const { code, key } = rawFromPrivateMultibase(multibase, (t) => fromB58(t))
  const algorithm = MULTICODEC_PRIVATE[code]
  if (algorithm === undefined) throw new Error(`unexpected multicodec 0x${code.toString(16)}`)
  return importPrivateKey({ seed: key, algorithm })
}

describe('RFC known answers', () => {
  it('RFC 8032 7.1 TEST 1: public key and signature of the empty message, both backends', async () => {
    const material = await importPrivateKey({ seed: hex(RFC8032_TEST1.seed), algorithm: 'Ed25519' })
    expect(toHex(fromB64u((material.publicJwk as { x: string }).x))).toBe(RFC8032_TEST1.publicKey)
    for (const backend of ['auto', 'noble'] as const) {
      const key = await loadPrivateKey('Ed25519', material.pkcs8, { backend })
      expect(toHex(await key.sign(new Uint8Array(0)))).toBe(RFC8032_TEST1.signature)
      expect(
        await verifySignature(material.publicJwk, new Uint8Array(0), hex(RFC8032_TEST1.signature), {
          backend,
        }),
      ).toBe(true)
    }
  })

  it('RFC 8037 A.3 thumbprint and A.4 JWS signature (same key as RFC 8032 TEST 1)', async () => {
    const jwk = {
      kty: 'OKP',
      crv: 'Ed25519',
      d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
      x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
    } as const
    expect(await jwkThumbprint(jwk)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k')
    const material = await importPrivateKey({ jwk })
    const key = await loadPrivateKey('Ed25519', material.pkcs8)
    const signingInput = 'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc'
    expect(b64u(await key.sign(utf8(signingInput)))).toBe(
      'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg',
    )
  })

  it('RFC 7638 3.1 thumbprint', async () => {
    expect(await jwkThumbprint(RFC7638_JWK)).toBe(RFC7638_THUMBPRINT)
    const publicJwk = await toPublicJwk(RFC7638_JWK)
    expect(publicJwk).toEqual({ e: 'AQAB', kty: 'RSA', n: RFC7638_JWK.n, kid: RFC7638_THUMBPRINT })
  })
})

describe('W3C Data Integrity key pairs', () => {
  const pairs: [
    string,
    { publicKeyMultibase: string; privateKeyMultibase?: string; secretKeyMultibase?: string },
  ][] = [
    ['vc-di-eddsa keyPair', eddsaKeyPair],
    ...Object.entries(eddsaMultiKeyPairs).map(
      ([name, pair]) => [`vc-di-eddsa proof-set-chain ${name}`, pair] as [string, typeof pair],
    ),
    ['vc-di-ecdsa p256KeyPair', p256KeyPair],
    ['vc-di-ecdsa p384KeyPair', p384KeyPair],
    ['vc-di-ecdsa ecdsa-sd-2023 baseKeyPair', sdKeyMaterial.baseKeyPair],
    ['vc-di-ecdsa ecdsa-sd-2023 proofKeyPair', sdKeyMaterial.proofKeyPair],
  ]
  for (const [name, pair] of pairs) {
    it(`${name}: the private key derives the published publicKeyMultibase`, async () => {
      const material = await importMultibaseSecret(
        (pair.privateKeyMultibase ?? pair.secretKeyMultibase) as string,
      )
      expect(multikeyFromJwk(material.publicJwk)).toBe(pair.publicKeyMultibase)
      expect(didKeyFromJwk(material.publicJwk)).toBe(`did:key:${pair.publicKeyMultibase}`)
      const { kid: _kid, ...withoutKid } = material.publicJwk
      expect(jwkFromMultikey(pair.publicKeyMultibase)).toEqual(withoutKid)
    })
  }
})

describe('published signatures (vc-di-eddsa, vc-di-ecdsa) over combinedHash', () => {
  const keys = new Map<string, string>([
    [eddsaKeyPair.publicKeyMultibase, eddsaKeyPair.privateKeyMultibase],
    [p256KeyPair.publicKeyMultibase, p256KeyPair.secretKeyMultibase],
    [p384KeyPair.publicKeyMultibase, p384KeyPair.secretKeyMultibase],
  ])
  for (const vector of diSignatures) {
    it(`${vector.source}: verifies with the did:key of its proof`, async () => {
      const jwk = jwkFromDidKey(vector.verificationMethod)
      const message = hex(vector.combinedHash)
      const signature = hex(vector.sigHex)
      for (const backend of ['auto', 'noble'] as const) {
        expect(await verifySignature(jwk, message, signature, { backend })).toBe(true)
        const wrong = new Uint8Array(message)
        wrong[5] = (wrong[5] as number) ^ 0x80
        expect(await verifySignature(jwk, wrong, signature, { backend })).toBe(false)
      }
      const secret = keys.get(vector.verificationMethod.split('#')[1] as string)
      expect(secret).toBeDefined()
      const material = await importMultibaseSecret(secret as string)
      expect(material.publicJwk).toEqual({ ...jwk, kid: await jwkThumbprint(jwk) })
      const key = await loadPrivateKey(material.algorithm, material.pkcs8)
      const ours = await key.sign(message)
      if (material.algorithm === 'Ed25519') {
        // Deterministic: byte-exact reproduction of the published signature.
        expect(toHex(ours)).toBe(vector.sigHex)
      } else {
        expect(await verifySignature(jwk, message, ours)).toBe(true)
      }
    })
  }
  it('three of the published ECDSA signatures are high-S (so high-S acceptance is exercised above)', () => {
    let highS = 0
    for (const vector of diSignatures) {
      const crv = jwkFromDidKey(vector.verificationMethod) as { crv: string }
      if (crv.crv === 'Ed25519') continue
      const order = crv.crv === 'P-256' ? p256.Point.Fn.ORDER : p384.Point.Fn.ORDER
      if (sOf(hex(vector.sigHex)) > order >> 1n) highS++
    }
    expect(highS).toBe(3)
  })
})

describe('VC-JOSE-COSE verification methods', () => {
  for (const [name, vm] of [
    ['vm-ed25519', vmEd25519],
    ['vm-did-ed25519', vmDidEd25519],
    ['vm-p256', vmP256],
    ['vm-p384', vmP384],
    ['vm-p521', vmP521],
  ] as const) {
    it(`${name}: secretKeyJwk imports and matches publicKeyJwk and its kid`, async () => {
      const material = await importPrivateKey({ jwk: vm.secretKeyJwk as PrivateJwk })
      const { alg: _alg, kid, ...required } = vm.publicKeyJwk
      expect(material.publicJwk).toEqual({ ...required, kid })
      expect(await jwkThumbprint(vm.publicKeyJwk as PublicJwk)).toBe(kid)
      const key = await loadPrivateKey(material.algorithm, material.pkcs8)
      const message = utf8(name)
      expect(
        await verifySignature(vm.publicKeyJwk as PublicJwk, message, await key.sign(message)),
      ).toBe(true)
    })
  }
  it('vm-p521: a P-521 key (ES512), as the suite uses in three tests', async () => {
    const material = await importPrivateKey({ jwk: vmP521.secretKeyJwk as unknown as PrivateJwk })
    expect(material.algorithm).toBe('P-521')
    // 66-byte scalar and coordinates: one leading zero byte too many or too few is invalid_key.
    const tooLong = {
      ...vmP521.secretKeyJwk,
      d: b64u(new Uint8Array([0, ...fromB64u(vmP521.secretKeyJwk.d)])),
    }
    await expectCode(
      () => importPrivateKey({ jwk: tooLong as unknown as PrivateJwk }),
      'invalid_key',
    )
  })
})

describe('VCDM 1.1 test suite JWT keys', () => {
  it('ES256K: imports (crv renamed from the pre-RFC 8812 P-256K) and keeps x/y', async () => {
    const { kid: _kid, key_ops: _ops, ...legacy } = suite11Keys.es256kPrivateKeyJwk
    await expectCode(
      () => importPrivateKey({ jwk: legacy as unknown as PrivateJwk }),
      'unsupported_algorithm',
    )
    const jwk = { ...legacy, crv: 'secp256k1' } as PrivateJwk
    const material = await importPrivateKey({ jwk })
    expect(material.publicJwk).toMatchObject({
      kty: 'EC',
      crv: 'secp256k1',
      x: legacy.x,
      y: legacy.y,
    })
    expect(jwkFromDidKey(didKeyFromJwk(material.publicJwk))).toEqual({
      crv: 'secp256k1',
      kty: 'EC',
      x: legacy.x,
      y: legacy.y,
    })
    expect(didKeyFromJwk(material.publicJwk).startsWith('did:key:zQ3s')).toBe(true)
  })

  it('RS256: a 2048-bit key whose public part is the RFC 7638 example key', async () => {
    const material = await importPrivateKey({ jwk: suite11Keys.rs256PrivateKeyJwk as PrivateJwk })
    expect(material.publicJwk).toEqual({
      e: 'AQAB',
      kty: 'RSA',
      n: suite11Keys.rs256PrivateKeyJwk.n,
      kid: RFC7638_THUMBPRINT,
    })
    const key = await loadPrivateKey('RSA-PSS', material.pkcs8)
    const message = utf8('vc 1.1')
    expect(await verifySignature(material.publicJwk, message, await key.sign(message))).toBe(true)
    expect(didKeyFromJwk(material.publicJwk).startsWith('did:key:z4MX')).toBe(true)
  })
})

describe('SD-JWT (draft 22) example keys', () => {
  for (const role of ['issuer', 'holder'] as const) {
    it(`${role}: private JWK derives the published public JWK`, async () => {
      const material = await importPrivateKey({
        jwk: sdJwtKeys[`${role}_private_jwk`] as PrivateJwk,
      })
      const { kid, ...publicJwk } = material.publicJwk
      expect(publicJwk).toEqual(sdJwtKeys[`${role}_public_jwk`])
      expect(kid).toBe(await jwkThumbprint(sdJwtKeys[`${role}_public_jwk`] as PublicJwk))
    })
  }
})
