// verifySignature keeps validated public keys by their key members (src/keys/verify-signature.ts). A cached
// entry must never answer for a different key: these tests try to make it.
import { describe, expect, it } from 'vitest'
import {
  generateKeyPair,
  loadPrivateKey,
  verifySignature,
  type KeyMaterial,
  type PublicJwk,
} from '../../src/index.js'
import { expectCode, utf8 } from './keys-helpers.js'

const data = utf8('verify key cache')

async function signed(
  algorithm: 'Ed25519' | 'P-256',
): Promise<{ material: KeyMaterial; signature: Uint8Array }> {
  const material = await generateKeyPair(algorithm)
  return { material, signature: await (await loadPrivateKey(algorithm, material.pkcs8)).sign(data) }
}

describe('verifySignature key cache', () => {
  it('more keys than it holds (300): every key still verifies its own signature and no other', async () => {
    const keys = await Promise.all(Array.from({ length: 300 }, () => signed('Ed25519')))
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < keys.length; i += round === 0 ? 1 : 7) {
        const { material, signature } = keys[i] as { material: KeyMaterial; signature: Uint8Array }
        expect(await verifySignature(material.publicJwk, data, signature)).toBe(true)
        const other = (keys[(i + 1) % keys.length] as { signature: Uint8Array }).signature
        expect(await verifySignature(material.publicJwk, data, other)).toBe(false)
      }
    }
  }, 60_000)

  it('follows the JWK object when the caller changes its members', async () => {
    const a = await signed('P-256')
    const b = await signed('P-256')
    const jwk = { ...(a.material.publicJwk as PublicJwk & { x: string; y: string }) }
    expect(await verifySignature(jwk, data, a.signature)).toBe(true)
    const bJwk = b.material.publicJwk as { x: string; y: string }
    jwk.x = bJwk.x
    jwk.y = bJwk.y
    expect(await verifySignature(jwk, data, a.signature)).toBe(false)
    expect(await verifySignature(jwk, data, b.signature)).toBe(true)
  })

  it('a JWK whose getters answer differently on each read cannot put one key under another key’s members', async () => {
    const a = await signed('Ed25519')
    const b = await signed('Ed25519')
    const xs = [
      (a.material.publicJwk as { x: string }).x,
      (b.material.publicJwk as { x: string }).x,
    ]
    let reads = 0
    const shifty = {
      kty: 'OKP',
      crv: 'Ed25519',
      get x() {
        return xs[reads++ % 2]
      },
    } as unknown as PublicJwk
    // Whatever it verified against, the plain JWKs of a and b must keep verifying their own signatures only.
    await verifySignature(shifty, data, a.signature)
    await verifySignature(shifty, data, b.signature)
    expect(await verifySignature(a.material.publicJwk, data, a.signature)).toBe(true)
    expect(await verifySignature(a.material.publicJwk, data, b.signature)).toBe(false)
    expect(await verifySignature(b.material.publicJwk, data, b.signature)).toBe(true)
    expect(await verifySignature(b.material.publicJwk, data, a.signature)).toBe(false)
  })

  it('the same coordinates under another curve are validated for that curve (invalid_key), not served from the cache', async () => {
    const a = await signed('P-256')
    expect(await verifySignature(a.material.publicJwk, data, a.signature)).toBe(true)
    const onOtherCurve = { ...(a.material.publicJwk as object), crv: 'secp256k1' } as PublicJwk
    await expectCode(() => verifySignature(onOtherCurve, data, a.signature), 'invalid_key')
    await expectCode(() => verifySignature(onOtherCurve, data, a.signature), 'invalid_key')
  })

  it('refusals are not cached: a bad JWK fails every time, with its own code', async () => {
    const bad = { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' } as PublicJwk
    await expectCode(() => verifySignature(bad, data, new Uint8Array(64)), 'invalid_key')
    await expectCode(() => verifySignature(bad, data, new Uint8Array(64)), 'invalid_key')
    await expectCode(
      () => verifySignature([] as unknown as PublicJwk, data, new Uint8Array(64)),
      'invalid_argument',
    )
    await expectCode(
      () =>
        verifySignature(
          { kty: 'OKP', crv: 'Ed25519', x: 5 } as unknown as PublicJwk,
          data,
          new Uint8Array(64),
        ),
      'invalid_key',
    )
  })
})
