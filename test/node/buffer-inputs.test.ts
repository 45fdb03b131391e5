// Node Buffers as inputs: `Buffer.prototype.slice` returns a view, not a copy, so credsign's "copies"
// of a caller's bytes shared the caller's memory. Loading a PKCS#8 key from a Buffer zeroed the
// caller's key bytes (the parsed key parts are wiped after loading), so loading the same Buffer
// again loaded an all-zero Ed25519 seed: a valid, publicly known key, with no error. Trust anchors
// given as Buffers changed when the caller's Buffer did. Keys and the expected results come from
// node:crypto.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import {
  createTrustAnchors,
  decodeBitstring,
  decodeTokenStatusList,
  encodeBitstring,
  encodeTokenStatusList,
  importPrivateKey,
  KeyVault,
  loadPrivateKey,
  MemoryStore,
  SecretEnvelope,
  verifySignature,
  type KeyAlgorithm,
  type PrivateJwk,
  type PublicJwk,
} from '../../src/index.js'
import { copyBytes } from '../../src/util/bytes.js'
import { FIXTURE_LEAF_KEY_PEM, FIXTURE_X5C } from '../fixtures/x509/chain.js'

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

const CHEAP_KDF = { id: 'pbkdf2-sha256', iterations: 1000 } as const

describe('loadServiceSecret keeps its own copy of the trimmed secret', () => {
  it('even when the file is read into a Node Buffer (whose slice is a view of what is wiped)', async () => {
    // readWhole returns a plain Uint8Array today; a Buffer (fs.readFile) made `bytes.slice` a view,
    // and the wipe of the file's bytes turned the service secret into 32+ zero bytes, no error.
    vi.resetModules()
    vi.doMock('../../src/file/atomic-file.js', async (importOriginal) => {
      const original = await importOriginal<typeof import('../../src/file/atomic-file.js')>()
      return {
        ...original,
        readWhole: async (path: string, maxBytes?: number) =>
          Buffer.from(await original.readWhole(path, maxBytes)),
      }
    })
    try {
      const { loadServiceSecret } = await import('../../src/file/file-store.js')
      const text = 'c2VydmljZS1zZWNyZXQtZm9yLWEtYnVmZmVyLXRlc3QtMDEyMzQ1Njc4OQ'
      const path = join(mkdtempSync(join(tmpdir(), 'credsign-views-')), 'secret')
      writeFileSync(path, `  ${text}\n`)
      const secret = await loadServiceSecret(path)
      expect(Buffer.from(secret).toString('utf8')).toBe(text)
    } finally {
      vi.doUnmock('../../src/file/atomic-file.js')
      vi.resetModules()
    }
  })
})

describe('caller-owned Buffers in the vault and the envelope are never modified nor kept', () => {
  it('KeyVault: a Buffer service secret and Buffer caller secrets, through every operation', async () => {
    const serviceSecret = Buffer.from('a service secret of at least 32 bytes, as a Buffer')
    const secret = Buffer.from('caller secret bytes')
    const [serviceBefore, secretBefore] = [Buffer.from(serviceSecret), Buffer.from(secret)]
    const store = new MemoryStore()
    const vault = new KeyVault({
      store,
      serviceSecret,
      kdf: CHEAP_KDF,
      unlockCache: { ttlMs: 60_000 },
    })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: [secret] })
    for (let i = 0; i < 2; i++) (await vault.unlock('k', [secret])).lock()
    await vault.rotate('k', [secret])
    await vault.rewrap('k', [secret], { secrets: [secret, 'second'] })
    expect(serviceSecret.equals(serviceBefore)).toBe(true)
    expect(secret.equals(secretBefore)).toBe(true)
    // The vault keeps keys derived from the service secret, not the caller's Buffer: the caller may
    // wipe it, and a vault given the same bytes again opens the keys.
    serviceSecret.fill(0)
    const data = new TextEncoder().encode('after the wipe')
    const signature = await vault.withKey('k', [secret, 'second'], (signer) => signer.sign(data))
    const again = new KeyVault({ store, serviceSecret: serviceBefore, kdf: CHEAP_KDF })
    const { current } = await again.publicKey('k')
    expect(await verifySignature(current.publicJwk, data, signature)).toBe(true)
    expect(await again.withKey('k', [secretBefore, 'second'], () => 'opened')).toBe('opened')
  })

  it('SecretEnvelope: Buffer plaintext, secrets and service secret are unchanged; open returns a copy', async () => {
    const serviceSecret = Buffer.from('another service secret of 32+ bytes, a Buffer')
    const plaintext = generateKeyPairSync('ed25519').privateKey.export({
      format: 'der',
      type: 'pkcs8',
    })
    const secret = Buffer.from('envelope caller secret')
    const before = [serviceSecret, plaintext, secret].map((b) => Buffer.from(b))
    const envelope = new SecretEnvelope({ serviceSecret, kdf: CHEAP_KDF })
    const context = { keyId: 'k', algorithm: 'Ed25519', keyVersion: 1 }
    const sealed = await envelope.seal(plaintext, [secret], context)
    const rewrapped = await envelope.rewrap(sealed, [secret], context, { secrets: [secret, 'x'] })
    const opened = await envelope.open(rewrapped, [secret, 'x'], context)
    expect(Buffer.from(opened).equals(before[1] as Buffer)).toBe(true)
    opened.fill(0) // the caller wipes what open returned: its own bytes, not the plaintext's
    ;[serviceSecret, plaintext, secret].forEach((b, i) =>
      expect(b.equals(before[i] as Buffer)).toBe(true),
    )
  })
})

describe('other private key forms given as Node Buffers', () => {
  const cases: [string, () => { der: Buffer; jwk: PublicJwk }, KeyAlgorithm][] = [
    [
      'a SEC1 P-256 key',
      () => exported(generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'sec1'),
      'P-256',
    ],
    [
      'a PKCS#1 RSA key',
      () => exported(generateKeyPairSync('rsa', { modulusLength: 2048 }), 'pkcs1'),
      'RS256',
    ],
  ]
  for (const [name, make, algorithm] of cases) {
    it(`${name} as { der }: the Buffer is unchanged, and a second import gives node:crypto's key`, async () => {
      const { der, jwk } = make()
      const before = Buffer.from(der)
      for (let i = 0; i < 2; i++) {
        const material = await importPrivateKey({ der, algorithm })
        expect(material.publicJwk).toMatchObject(jwk)
        expect(der.equals(before)).toBe(true)
      }
    })
  }

  it('a raw Ed25519 seed Buffer (node:crypto JWK d) is unchanged by importPrivateKey and KeyVault.import', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const seed = Buffer.from(
      (privateKey.export({ format: 'jwk' }) as PrivateJwk).d as string,
      'base64url',
    )
    const before = Buffer.from(seed)
    const expected = publicKey.export({ format: 'jwk' }) as PublicJwk
    expect((await importPrivateKey({ seed, algorithm: 'Ed25519' })).publicJwk).toMatchObject(
      expected,
    )
    const vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret: new Uint8Array(32).fill(7),
      kdf: CHEAP_KDF,
    })
    await vault.import({ id: 'k', secrets: ['s'], key: { seed, algorithm: 'Ed25519' } })
    expect(seed.equals(before)).toBe(true)
    expect((await vault.publicKey('k')).current.publicJwk).toMatchObject(expected)
  })
})

describe('certificate chains and status lists given as Node Buffers', () => {
  it('attachCertificateChain stores the chain as given, unchanged by a later change of the Buffers', async () => {
    const vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret: new Uint8Array(32).fill(7),
      kdf: CHEAP_KDF,
    })
    await vault.import({ id: 'k', secrets: ['s'], key: { pem: FIXTURE_LEAF_KEY_PEM } })
    const chain = FIXTURE_X5C.map((entry) => Buffer.from(entry, 'base64'))
    const before = chain.map((der) => Buffer.from(der))
    await vault.attachCertificateChain('k', ['s'], chain)
    chain.forEach((der, i) => expect(der.equals(before[i] as Buffer)).toBe(true))
    for (const der of chain) der.fill(0)
    const stored = (await vault.publicKey('k')).current.certificateChain?.x5c
    expect(stored).toEqual([...FIXTURE_X5C])
  })

  it('encodeBitstring and encodeTokenStatusList leave the Buffer unchanged and encode what it held', async () => {
    const bits = Buffer.alloc(16_384)
    bits[7] = 0b1010_0000
    const before = Buffer.from(bits)
    const encodedList = await encodeBitstring(bits)
    const lst = await encodeTokenStatusList(bits)
    expect(bits.equals(before)).toBe(true)
    bits.fill(0xff)
    expect(Buffer.from(await decodeBitstring(encodedList)).equals(before)).toBe(true)
    expect(Buffer.from(await decodeTokenStatusList(lst)).equals(before)).toBe(true)
  })
})

/** A node:crypto key pair's private key as DER in `type`, and its public JWK. */
function exported(
  pair: ReturnType<typeof generateKeyPairSync>,
  type: 'sec1' | 'pkcs1',
): { der: Buffer; jwk: PublicJwk } {
  const der = createPrivateKey(
    pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
  ).export({
    format: 'der',
    type,
  })
  return { der, jwk: pair.publicKey.export({ format: 'jwk' }) as PublicJwk }
}
