// Node Buffers as inputs: `Buffer.prototype.slice` returns a view, not a copy, so credsign's "copies"
// of a caller's bytes shared the caller's memory. Loading a PKCS#8 key from a Buffer zeroed the
// caller's key bytes (the parsed key parts are wiped after loading), so loading the same Buffer
// again loaded an all-zero Ed25519 seed: a valid, publicly known key, with no error. Trust anchors
// given as Buffers changed when the caller's Buffer did. Keys and the expected results come from
// node:crypto.
import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  createTrustAnchors,
  KeyVault,
  loadPrivateKey,
  MemoryStore,
  verifySignature,
  type KeyAlgorithm,
  type PublicJwk,
} from '../../src/index.js'
import { copyBytes } from '../../src/util/bytes.js'

const keyTypes: [KeyAlgorithm, () => ReturnType<typeof generateKeyPairSync>][] = [
  ['Ed25519', () => generateKeyPairSync('ed25519')],
  ['P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ['secp256k1', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' })],
  ['RSA-PSS', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
]

describe('a PKCS#8 key given as a Node Buffer', () => {
  for (const [algorithm, generate] of keyTypes) {
    it(`${algorithm}: the Buffer is unchanged after a load, and a second load gives the same key`, async () => {
      const { privateKey, publicKey } = generate()
      const der = privateKey.export({ format: 'der', type: 'pkcs8' })
      expect(Buffer.isBuffer(der)).toBe(true)
      const before = Buffer.from(der)
      const first = await loadPrivateKey(algorithm, der)
      expect(der.equals(before)).toBe(true)
      const second = await loadPrivateKey(algorithm, der)
      expect(der.equals(before)).toBe(true)
      // The key node:crypto made: both handles must sign for it.
      const expectedJwk = publicKey.export({ format: 'jwk' }) as PublicJwk
      for (const handle of [first, second]) {
        const data = new TextEncoder().encode('the same key')
        const signature = await handle.sign(data)
        expect(await verifySignature(expectedJwk, data, signature, { algorithm })).toBe(true)
        handle.destroy()
      }
      expect(der.equals(before)).toBe(true)
    })
  }

  it('the Buffer is unchanged after a refused load', async () => {
    const der = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' })
    const before = Buffer.from(der)
    await expect(loadPrivateKey('P-256', der)).rejects.toMatchObject({ code: 'invalid_key' })
    expect(der.equals(before)).toBe(true)
  })
})

describe('KeyVault.import of a PKCS#8 key given as a Node Buffer', () => {
  for (const form of ['pkcs8', 'der'] as const) {
    it(`{ ${form} }: the Buffer is unchanged, and the vault signs for node:crypto's public key`, async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const der = privateKey.export({ format: 'der', type: 'pkcs8' })
      const before = Buffer.from(der)
      const vault = new KeyVault({
        store: new MemoryStore(),
        serviceSecret: new Uint8Array(32).fill(7),
        kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
      })
      await vault.import({
        id: 'k',
        secrets: ['s'],
        key: form === 'pkcs8' ? { pkcs8: der } : { der },
      })
      expect(der.equals(before)).toBe(true)
      const signer = await vault.unlock('k', ['s'])
      const data = new TextEncoder().encode('imported')
      const signature = await signer.sign(data)
      const jwk = publicKey.export({ format: 'jwk' }) as PublicJwk
      expect(await verifySignature(jwk, data, signature)).toBe(true)
      signer.lock()
    })
  }
})

describe('public bytes given as Node Buffers are copied, not shared', () => {
  it('copyBytes copies a Buffer (Buffer.slice would share its memory)', () => {
    const buffer = Buffer.from([1, 2, 3])
    const copy = copyBytes(buffer)
    buffer[0] = 9
    expect([...copy]).toEqual([1, 2, 3])
    expect(buffer.slice()[0]).toBe(9) // the trap: slice is a view on a Buffer
  })

  it('createTrustAnchors keeps its own copy of a certificate given as a Buffer', () => {
    const certificate = Buffer.from('3003020101', 'hex') // any bytes: anchors are parsed on use
    const anchors = createTrustAnchors([certificate])
    const kept = anchors.certificates[0] as Uint8Array
    certificate.fill(0)
    expect(Buffer.from(kept).toString('hex')).toBe('3003020101')
  })
})
