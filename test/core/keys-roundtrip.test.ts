import { beforeAll, describe, expect, it } from 'vitest'
import { p256, p384 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import {
  generateKeyPair,
  importPrivateKey,
  jwkThumbprint,
  loadPrivateKey,
  verifySignature,
  type KeyAlgorithm,
  type KeyMaterial,
  type PrivateJwk,
} from '../../src/index.js'
import { parsePkcs8 } from '../../src/keys/pkcs8.js'
import { webCryptoEd25519 } from '../../src/keys/ed25519-support.js'
import { b64u } from '../../src/util/bytes.js'
import { autoBackend, expectCode, sOf, toHex, utf8 } from './keys-helpers.js'

const EC_ORDERS = {
  'P-256': p256.Point.Fn.ORDER,
  'P-384': p384.Point.Fn.ORDER,
  secp256k1: secp256k1.Point.Fn.ORDER,
} as const
const ALL: KeyAlgorithm[] = ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS']
const CURVE_ALGORITHMS: KeyAlgorithm[] = ['Ed25519', 'P-256', 'P-384', 'secp256k1']
const data = utf8('credsign round trip: {"vc":{"type":["VerifiableCredential"]}}')

function tampered(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes)
  copy[0] = (copy[0] as number) ^ 0x01
  return copy
}

/** The private JWK of key material, rebuilt from its PKCS#8 with independent code paths. */
async function privateJwkOf(material: KeyMaterial): Promise<PrivateJwk> {
  const { key } = await parsePkcs8(material.pkcs8)
  if (key.algorithm === 'Ed25519')
    return { ...(material.publicJwk as PrivateJwk), d: b64u(key.seed) } as PrivateJwk
  if ('rsa' in key) {
    const r = key.rsa
    return {
      kty: 'RSA',
      n: b64u(r.n),
      e: b64u(r.e),
      d: b64u(r.d),
      p: b64u(r.p),
      q: b64u(r.q),
      dp: b64u(r.dp),
      dq: b64u(r.dq),
      qi: b64u(r.qi),
    }
  }
  return { ...(material.publicJwk as PrivateJwk), d: b64u(key.scalar) } as PrivateJwk
}

const rsa: Record<number, KeyMaterial> = {}
beforeAll(async () => {
  // RSA generation is slow (4096 especially): once per file.
  for (const bits of [2048, 3072, 4096] as const)
    rsa[bits] = await generateKeyPair('RSA-PSS', { modulusLength: bits })
}, 120_000)

describe('generate, sign, verify', () => {
  for (const algorithm of CURVE_ALGORITHMS) {
    for (const backend of ['auto', 'noble'] as const) {
      it(`${algorithm} (${backend})`, async () => {
        const material = await generateKeyPair(algorithm, { backend })
        expect(material.algorithm).toBe(algorithm)
        expect(material.publicJwk.kid).toBe(await jwkThumbprint(material.publicJwk))
        const key = await loadPrivateKey(algorithm, material.pkcs8, { backend })
        if (backend === 'noble') expect(key.backend).toBe('noble')
        if (backend === 'auto' && (algorithm === 'P-256' || algorithm === 'P-384'))
          expect(key.backend).toBe(autoBackend('webcrypto'))
        if (algorithm === 'secp256k1')
          expect(key.backend).toBe(backend === 'auto' ? autoBackend('noble') : 'noble')
        const signature = await key.sign(data)
        expect(signature.length).toBe(algorithm === 'P-384' ? 96 : 64)
        for (const verifyBackend of ['auto', 'noble'] as const) {
          expect(
            await verifySignature(material.publicJwk, data, signature, { backend: verifyBackend }),
          ).toBe(true)
          expect(
            await verifySignature(material.publicJwk, tampered(data), signature, {
              backend: verifyBackend,
            }),
          ).toBe(false)
          expect(
            await verifySignature(material.publicJwk, data, tampered(signature), {
              backend: verifyBackend,
            }),
          ).toBe(false)
          expect(
            await verifySignature(material.publicJwk, data, signature.subarray(1), {
              backend: verifyBackend,
            }),
          ).toBe(false)
        }
        // Another key of the same type must not verify it.
        const other = await generateKeyPair(algorithm)
        expect(await verifySignature(other.publicJwk, data, signature)).toBe(false)
        key.destroy()
      })
    }
  }

  for (const bits of [2048, 3072, 4096] as const) {
    it(`RSA-PSS ${bits}`, async () => {
      const material = rsa[bits] as KeyMaterial
      const n = material.publicJwk.kty === 'RSA' ? material.publicJwk.n : ''
      expect(n.length).toBe(Math.ceil(((bits / 8) * 4) / 3))
      const key = await loadPrivateKey('RSA-PSS', material.pkcs8)
      expect(key.backend).toBe(autoBackend('webcrypto'))
      const signature = await key.sign(data)
      expect(signature.length).toBe(bits / 8)
      expect(await verifySignature(material.publicJwk, data, signature)).toBe(true)
      expect(await verifySignature(material.publicJwk, tampered(data), signature)).toBe(false)
      expect(await verifySignature(material.publicJwk, data, tampered(signature))).toBe(false)
      expect(await verifySignature(material.publicJwk, data, signature.subarray(1))).toBe(false)
      // PSS is randomized: two signatures differ, both verify.
      const again = await key.sign(data)
      expect(toHex(again)).not.toBe(toHex(signature))
      expect(await verifySignature(material.publicJwk, data, again)).toBe(true)
    })
  }

  it('RSA defaults to 3072 bits', async () => {
    const material = await generateKeyPair('RSA-PSS')
    const n = material.publicJwk.kty === 'RSA' ? material.publicJwk.n : ''
    expect(n.length).toBe(512)
  }, 60_000)

  it('RSA has no noble backend', async () => {
    const material = rsa[2048] as KeyMaterial
    await expectCode(
      () => loadPrivateKey('RSA-PSS', material.pkcs8, { backend: 'noble' }),
      'unsupported_algorithm',
    )
    await expectCode(
      () => verifySignature(material.publicJwk, data, new Uint8Array(256), { backend: 'noble' }),
      'unsupported_algorithm',
    )
    await expectCode(
      () => generateKeyPair('RSA-PSS', { backend: 'noble' }),
      'unsupported_algorithm',
    )
  })
})

describe('Ed25519 backends', () => {
  it('WebCrypto support is detected (Node 20+ and current browsers have it)', async () => {
    expect(await webCryptoEd25519()).toBe(true)
  })

  it('WebCrypto and noble produce byte-identical signatures', async () => {
    const material = await generateKeyPair('Ed25519')
    const web = await loadPrivateKey('Ed25519', material.pkcs8)
    const noble = await loadPrivateKey('Ed25519', material.pkcs8, { backend: 'noble' })
    expect(web.backend).toBe(autoBackend('webcrypto'))
    expect(noble.backend).toBe('noble')
    for (const message of [new Uint8Array(0), data, new Uint8Array(1000).fill(7)]) {
      expect(toHex(await web.sign(message))).toBe(toHex(await noble.sign(message)))
    }
  })
})

describe('ECDSA low-S', () => {
  for (const algorithm of ['P-256', 'P-384', 'secp256k1'] as const) {
    for (const backend of ['auto', 'noble'] as const) {
      it(`${algorithm} (${backend}): 200 signatures are all low-S and verify`, async () => {
        const material = await generateKeyPair(algorithm)
        const key = await loadPrivateKey(algorithm, material.pkcs8, { backend })
        const half = EC_ORDERS[algorithm] >> 1n
        for (let i = 0; i < 200; i++) {
          const message = utf8(`message ${i}`)
          const signature = await key.sign(message)
          expect(sOf(signature) <= half).toBe(true)
          if (i % 20 === 0)
            expect(await verifySignature(material.publicJwk, message, signature)).toBe(true)
        }
      })
    }
  }
})

describe('import forms agree', () => {
  for (const algorithm of ALL) {
    it(`${algorithm}: JWK, PKCS#8 and seed give the same key`, async () => {
      const material =
        algorithm === 'RSA-PSS' ? (rsa[2048] as KeyMaterial) : await generateKeyPair(algorithm)
      const fromPkcs8 = await importPrivateKey({ pkcs8: material.pkcs8 })
      const jwk = await privateJwkOf(material)
      const fromJwk = await importPrivateKey({ jwk })
      expect(fromPkcs8.publicJwk).toEqual(material.publicJwk)
      expect(fromJwk.publicJwk).toEqual(material.publicJwk)
      // Canonical: every path yields the very same PKCS#8 bytes.
      expect(toHex(fromPkcs8.pkcs8)).toBe(toHex(material.pkcs8))
      expect(toHex(fromJwk.pkcs8)).toBe(toHex(material.pkcs8))
      if (algorithm !== 'RSA-PSS') {
        const { key } = await parsePkcs8(material.pkcs8)
        const seed =
          key.algorithm === 'Ed25519' ? key.seed : 'rsa' in key ? new Uint8Array(0) : key.scalar
        const fromSeed = await importPrivateKey({ seed, algorithm })
        expect(fromSeed.publicJwk).toEqual(material.publicJwk)
        expect(toHex(fromSeed.pkcs8)).toBe(toHex(material.pkcs8))
      }
    })
  }

  it('WebCrypto-generated PKCS#8 is already canonical', async () => {
    for (const algorithm of ['Ed25519', 'P-256', 'P-384'] as const) {
      const params =
        algorithm === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: algorithm }
      const pair = (await crypto.subtle.generateKey(params, true, [
        'sign',
        'verify',
      ])) as CryptoKeyPair
      const exported = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey))
      const material = await importPrivateKey({ pkcs8: exported })
      expect(toHex(material.pkcs8)).toBe(toHex(exported))
      const jwk = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as {
        x: string
        y?: string
      }
      expect((material.publicJwk as { x: string }).x).toBe(jwk.x)
    }
  })

  it('the caller-provided PKCS#8 and seed are not modified', async () => {
    const material = await generateKeyPair('P-256')
    const before = toHex(material.pkcs8)
    const key = await loadPrivateKey('P-256', material.pkcs8)
    await importPrivateKey({ pkcs8: material.pkcs8 })
    expect(toHex(material.pkcs8)).toBe(before)
    key.destroy()
    expect(toHex(material.pkcs8)).toBe(before)
  })
})

describe('private key handle lifecycle', () => {
  for (const backend of ['auto', 'noble'] as const) {
    for (const algorithm of CURVE_ALGORITHMS) {
      it(`${algorithm} (${backend}): destroy locks the handle`, async () => {
        const material = await generateKeyPair(algorithm)
        const key = await loadPrivateKey(algorithm, material.pkcs8, { backend })
        await key.sign(data)
        key.destroy()
        key.destroy()
        await expectCode(() => key.sign(data), 'signer_locked')
      })
    }
  }

  it('RSA-PSS: destroy locks the handle', async () => {
    const key = await loadPrivateKey('RSA-PSS', (rsa[2048] as KeyMaterial).pkcs8)
    key.destroy()
    await expectCode(() => key.sign(data), 'signer_locked')
  })

  it('sign rejects non-bytes', async () => {
    const material = await generateKeyPair('Ed25519')
    for (const backend of ['auto', 'noble'] as const) {
      const key = await loadPrivateKey('Ed25519', material.pkcs8, { backend })
      await expectCode(() => key.sign('text' as unknown as Uint8Array), 'invalid_argument')
    }
  })
})
