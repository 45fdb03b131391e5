/**
 * Interop with independent implementations: `jose` (WebCrypto based) and node:crypto (OpenSSL).
 * Node-only: uses node:crypto KeyObjects.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  constants,
  type KeyObject,
} from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  CompactSign,
  compactVerify,
  exportJWK,
  generateKeyPair as joseGenerateKeyPair,
  importJWK,
} from 'jose'
import { p256, p384, p521 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import {
  generateKeyPair,
  importPrivateKey,
  jwsAlgorithm,
  loadPrivateKey,
  verifySignature,
  KEY_ALGORITHMS,
  isRsaAlgorithm,
  type KeyAlgorithm,
  type KeyMaterial,
  type PrivateJwk,
  type PublicJwk,
} from '../../src/index.js'
import { decodeDer, derBitStringBytes, derUnsigned, readDerChildren } from '../../src/keys/der.js'
import { b64u, fromB64u } from '../../src/util/bytes.js'

const encoder = new TextEncoder()
const ORDERS = {
  'P-256': p256.Point.Fn.ORDER,
  'P-384': p384.Point.Fn.ORDER,
  'P-521': p521.Point.Fn.ORDER,
  secp256k1: secp256k1.Point.Fn.ORDER,
} as const
const NODE_HASH: Record<KeyAlgorithm, string | null> = {
  Ed25519: null,
  'P-256': 'sha256',
  'P-384': 'sha384',
  'P-521': 'sha512',
  secp256k1: 'sha256',
  'RSA-PSS': 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
}
const PSS_SALT: Partial<Record<KeyAlgorithm, number>> = { 'RSA-PSS': 32, PS384: 48, PS512: 64 }

function nodeOptions(algorithm: KeyAlgorithm, key: KeyObject) {
  const salt = PSS_SALT[algorithm]
  if (salt !== undefined) return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt }
  if (isRsaAlgorithm(algorithm)) return { key, padding: constants.RSA_PKCS1_PADDING }
  if (algorithm === 'Ed25519') return key
  return { key, dsaEncoding: 'ieee-p1363' as const }
}

/** Node:crypto makes a PSS-restricted key (id-RSASSA-PSS with parameters) for the PSS algorithms. */
function rsaPssPair(
  hash: 'sha256' | 'sha384' | 'sha512',
  saltLength: number,
): { privateKey: KeyObject; publicKey: KeyObject } {
  // (@types/node 20 types saltLength as a string; node:crypto wants the number.)
  return generateKeyPairSync('rsa-pss', {
    modulusLength: 2048,
    hashAlgorithm: hash,
    mgf1HashAlgorithm: hash,
    saltLength: saltLength as unknown as string,
  })
}

function sOf(signature: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(signature.subarray(signature.length / 2)).toString('hex'))
}

/** Node:crypto exports no JWK for RSA-PSS keys: read n and e from the SPKI. */
function rsaJwkFromSpki(publicKey: KeyObject): PublicJwk {
  const spki = readDerChildren(
    decodeDer(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))),
  )
  const rsaPublicKey = readDerChildren(decodeDer(derBitStringBytes(spki[1]!)))
  return {
    kty: 'RSA',
    n: b64u(derUnsigned(rsaPublicKey[0]!)),
    e: b64u(derUnsigned(rsaPublicKey[1]!)),
  }
}

function stripKid(jwk: PublicJwk): PublicJwk {
  const { kid: _kid, ...rest } = jwk
  return rest as PublicJwk
}

const materials = {} as Record<KeyAlgorithm, KeyMaterial>
beforeAll(async () => {
  for (const algorithm of KEY_ALGORITHMS)
    materials[algorithm] = await generateKeyPair(algorithm, { modulusLength: 2048 })
}, 60_000)

describe('our signatures verify elsewhere', () => {
  for (const algorithm of [
    'Ed25519',
    'P-256',
    'P-384',
    'P-521',
    'RSA-PSS',
    'PS384',
    'PS512',
    'RS256',
    'RS384',
    'RS512',
  ] as const) {
    for (const backend of isRsaAlgorithm(algorithm)
      ? (['auto'] as const)
      : (['auto', 'noble'] as const)) {
      it(`${algorithm} (${backend}): jose compactVerify accepts our JWS`, async () => {
        const material = materials[algorithm]
        const key = await loadPrivateKey(algorithm, material.pkcs8, { backend })
        const alg = jwsAlgorithm(algorithm)
        const header = b64u(encoder.encode(JSON.stringify({ alg, kid: material.publicJwk.kid })))
        const payload = b64u(
          encoder.encode(JSON.stringify({ iss: 'did:example:issuer', n: algorithm })),
        )
        const signature = await key.sign(encoder.encode(`${header}.${payload}`))
        const joseKey = await importJWK({ ...material.publicJwk }, alg)
        const { payload: verified, protectedHeader } = await compactVerify(
          `${header}.${payload}.${b64u(signature)}`,
          joseKey,
        )
        expect(protectedHeader.alg).toBe(alg)
        expect(JSON.parse(new TextDecoder().decode(verified))).toEqual({
          iss: 'did:example:issuer',
          n: algorithm,
        })
        // And a wrong signature is refused by jose too (the check is real).
        const bad = new Uint8Array(signature)
        bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1
        await expect(compactVerify(`${header}.${payload}.${b64u(bad)}`, joseKey)).rejects.toThrow()
      })
    }
  }

  for (const algorithm of KEY_ALGORITHMS) {
    it(`${algorithm}: node:crypto verifies our signatures and imports our canonical PKCS#8`, async () => {
      const material = materials[algorithm]
      const nodePublic = createPublicKey({ key: { ...material.publicJwk }, format: 'jwk' })
      const backends = isRsaAlgorithm(algorithm)
        ? (['auto'] as const)
        : (['auto', 'noble'] as const)
      for (const backend of backends) {
        const key = await loadPrivateKey(algorithm, material.pkcs8, { backend })
        for (let i = 0; i < 5; i++) {
          const data = encoder.encode(`node interop ${algorithm} ${i}`)
          const signature = await key.sign(data)
          expect(
            nodeVerify(NODE_HASH[algorithm], data, nodeOptions(algorithm, nodePublic), signature),
          ).toBe(true)
          expect(
            nodeVerify(
              NODE_HASH[algorithm],
              encoder.encode('other'),
              nodeOptions(algorithm, nodePublic),
              signature,
            ),
          ).toBe(false)
        }
      }
      // OpenSSL parses our PKCS#8 and derives the same public key.
      const nodePrivate = createPrivateKey({
        key: Buffer.from(material.pkcs8),
        format: 'der',
        type: 'pkcs8',
      })
      const derived = createPublicKey(nodePrivate).export({ format: 'jwk' }) as unknown as PublicJwk
      expect({ ...derived }).toMatchObject(stripKid(material.publicJwk))
    })
  }
})

describe('node:crypto signatures and keys work here', () => {
  const nodeKeys: Record<KeyAlgorithm, () => { privateKey: KeyObject; publicKey: KeyObject }> = {
    Ed25519: () => generateKeyPairSync('ed25519'),
    'P-256': () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
    'P-384': () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }),
    'P-521': () => generateKeyPairSync('ec', { namedCurve: 'secp521r1' }),
    secp256k1: () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }),
    // The PSS keys: OpenSSL writes them with id-RSASSA-PSS and restricted parameters.
    'RSA-PSS': () => rsaPssPair('sha256', 32),
    PS384: () => rsaPssPair('sha384', 48),
    PS512: () => rsaPssPair('sha512', 64),
    // The PKCS#1 v1.5 keys: plain rsaEncryption keys; the algorithm is named on import.
    RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
    RS384: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
    RS512: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  }

  for (const algorithm of KEY_ALGORITHMS) {
    it(`${algorithm}: OpenSSL PKCS#8 and JWK import; OpenSSL signatures (high-S included) verify`, async () => {
      const { privateKey, publicKey } = nodeKeys[algorithm]()
      const der = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }))
      const pss = PSS_SALT[algorithm] !== undefined
      if (pss) expect(Buffer.from(der).toString('hex')).toContain('06092a864886f70d01010a') // id-RSASSA-PSS
      // A restricted PSS key imports as the PSS algorithm its parameters name; an RSA key as the one named.
      const fromDer = await importPrivateKey(
        isRsaAlgorithm(algorithm) && !pss ? { pkcs8: der, algorithm } : { pkcs8: der },
      )
      expect(fromDer.algorithm).toBe(algorithm)
      const nodeJwk = pss
        ? rsaJwkFromSpki(publicKey)
        : (publicKey.export({ format: 'jwk' }) as unknown as PublicJwk)
      expect(stripKid(fromDer.publicJwk)).toEqual(
        Object.fromEntries(
          Object.entries(nodeJwk).filter(([k]) => ['kty', 'crv', 'x', 'y', 'n', 'e'].includes(k)),
        ),
      )
      if (!pss) {
        // node:crypto exports no JWK for RSA-PSS keys; the rest round-trip through JWK too.
        const privateJwk = privateKey.export({ format: 'jwk' }) as unknown as PrivateJwk
        const fromJwk = await importPrivateKey(
          isRsaAlgorithm(algorithm) ? { jwk: privateJwk, algorithm } : { jwk: privateJwk },
        )
        expect(fromJwk.publicJwk).toEqual(fromDer.publicJwk)
        expect(Buffer.from(fromJwk.pkcs8).equals(Buffer.from(fromDer.pkcs8))).toBe(true)
      }
      let highS = 0
      for (let i = 0; i < 40; i++) {
        const data = encoder.encode(`openssl ${i}`)
        const signature = new Uint8Array(
          nodeSign(NODE_HASH[algorithm], data, nodeOptions(algorithm, privateKey)),
        )
        if (
          algorithm !== 'Ed25519' &&
          !isRsaAlgorithm(algorithm) &&
          sOf(signature) > ORDERS[algorithm] >> 1n
        )
          highS++
        for (const backend of isRsaAlgorithm(algorithm)
          ? (['auto'] as const)
          : (['auto', 'noble'] as const)) {
          expect(await verifySignature(nodeJwk, data, signature, { backend, algorithm })).toBe(true)
          expect(
            await verifySignature(nodeJwk, encoder.encode('x'), signature, { backend, algorithm }),
          ).toBe(false)
        }
        if (isRsaAlgorithm(algorithm) && i >= 3) break
      }
      if (algorithm !== 'Ed25519' && !isRsaAlgorithm(algorithm)) expect(highS).toBeGreaterThan(0)
      // Our handle, loaded from OpenSSL's PKCS#8, signs what OpenSSL verifies.
      const handle = await loadPrivateKey(algorithm, der)
      const data = encoder.encode('reverse')
      expect(
        nodeVerify(
          NODE_HASH[algorithm],
          data,
          nodeOptions(algorithm, publicKey),
          await handle.sign(data),
        ),
      ).toBe(true)
    })
  }

  it('jose-produced JWS verify with verifySignature', async () => {
    for (const algorithm of [
      'Ed25519',
      'P-256',
      'P-384',
      'P-521',
      'RSA-PSS',
      'PS384',
      'PS512',
      'RS256',
      'RS384',
      'RS512',
    ] as const) {
      const alg = jwsAlgorithm(algorithm)
      const { privateKey, publicKey } = await joseGenerateKeyPair(alg, { extractable: true })
      const jws = await new CompactSign(encoder.encode('jose payload'))
        .setProtectedHeader({ alg })
        .sign(privateKey)
      const [h, p, s] = jws.split('.') as [string, string, string]
      const jwk = (await exportJWK(publicKey)) as unknown as PublicJwk
      expect(
        await verifySignature(jwk, encoder.encode(`${h}.${p}`), fromB64u(s), { algorithm }),
      ).toBe(true)
      expect(
        await verifySignature(jwk, encoder.encode(`${h}.${p}x`), fromB64u(s), { algorithm }),
      ).toBe(false)
    }
  })
})
