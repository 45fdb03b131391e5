// PEM / DER key formats on every runtime (Node and Chromium): WebCrypto's own exports as the
// independent side. The keys OpenSSL writes are in test/node/keys-pem.test.ts.
import { describe, expect, it } from 'vitest'
import {
  CredsignError,
  generateKeyPair,
  importPrivateKey,
  jwkFromSpki,
  jwkFromSpkiPem,
  spkiFromJwk,
  spkiPemFromJwk,
  type PublicJwk,
} from 'credsign'
import { decodePem, encodePem } from '../../src/keys/pem.js'
import { parsePrivateKeyDer, privateKeyFormatOf } from '../../src/keys/private-key-formats.js'
import { wipePrivateKeyParts } from '../../src/keys/key-parts.js'
import { DER_TAG, decodeDer, readDerChildren } from '../../src/keys/der.js'

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run()
  } catch (error) {
    if (error instanceof CredsignError) return error.code
    throw error
  }
  return 'resolved'
}

function withoutKid(jwk: PublicJwk): PublicJwk {
  const { kid: _kid, ...rest } = jwk
  return rest as PublicJwk
}

describe('PEM text', () => {
  it('decodes what tools write: text around blocks, CRLF, indentation, several blocks in order', () => {
    const text =
      'Key for tests\r\n-----BEGIN EC PARAMETERS-----\r\nBggqhkjOPQMBBw==\r\n-----END EC PARAMETERS-----\r\n  -----BEGIN PUBLIC KEY-----\n  BQ\n  A=\n  -----END PUBLIC KEY-----\ntrailing'
    const blocks = decodePem(text)
    expect(blocks.map((b) => b.label)).toEqual(['EC PARAMETERS', 'PUBLIC KEY'])
    expect(blocks[1]?.der).toEqual(new Uint8Array([5, 0]))
  })

  it('encodes RFC 7468 strict text that decodes back', () => {
    const der = crypto.getRandomValues(new Uint8Array(200))
    const pem = encodePem('PRIVATE KEY', der)
    expect(pem.split('\n').every((line) => line.length <= 64)).toBe(true)
    expect(decodePem(pem)[0]?.der).toEqual(der)
  })

  it('refuses broken text with invalid_key, legacy encryption headers with encrypted_key_unsupported', async () => {
    const ok = encodePem('PUBLIC KEY', new Uint8Array([5, 0]))
    expect(await codeOf(() => decodePem(ok.replace('-----END PUBLIC KEY-----\n', '')))).toBe(
      'invalid_key',
    )
    expect(await codeOf(() => decodePem(ok.replace('END PUBLIC', 'END PRIVATE')))).toBe(
      'invalid_key',
    )
    expect(await codeOf(() => decodePem(ok.replace('BQA=', 'B*A=')))).toBe('invalid_key')
    expect(await codeOf(() => decodePem(ok.replace('BQA=', '')))).toBe('invalid_key')
    expect(await codeOf(() => decodePem('-----END PUBLIC KEY-----'))).toBe('invalid_key')
    expect(await codeOf(() => decodePem(''))).toBe('invalid_key')
    expect(await codeOf(() => decodePem('x'.repeat(70_000)))).toBe('invalid_key')
    expect(await codeOf(() => decodePem(7 as unknown as string))).toBe('invalid_argument')
    const legacy =
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nBQA=\n-----END RSA PRIVATE KEY-----\n'
    expect(await codeOf(() => decodePem(legacy))).toBe('encrypted_key_unsupported')
    expect(await codeOf(() => decodePem(ok.replace('BQA=', 'Comment: x\nBQA=')))).toBe(
      'invalid_key',
    )
  })
})

describe('private keys from WebCrypto-made PKCS#8, as PEM and DER', () => {
  for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1'] as const) {
    it(`${algorithm}: pem, der and pkcs8-as-PEM give the same key material`, async () => {
      const original = await generateKeyPair(algorithm)
      const pem = encodePem('PRIVATE KEY', original.pkcs8)
      for (const input of [{ pem }, { der: original.pkcs8 }, { pkcs8: pem }]) {
        const material = await importPrivateKey(input)
        expect(material.publicJwk).toEqual(original.publicJwk)
        expect(material.pkcs8).toEqual(original.pkcs8)
      }
    })
  }

  it('a SEC1 ECPrivateKey (the inner structure of an EC PKCS#8) imports under EC PRIVATE KEY', async () => {
    const original = await generateKeyPair('P-256')
    const inner = readDerChildren(decodeDer(original.pkcs8))[2]?.value as Uint8Array
    // credsign's canonical inner ECPrivateKey omits the curve (RFC 5915 erratum 5008): a bare SEC1 key needs it.
    expect(await codeOf(() => importPrivateKey({ der: inner }))).toBe('invalid_key')
    expect(privateKeyFormatOf(inner)).toBe('sec1')
  })

  it('an EncryptedPrivateKeyInfo is encrypted_key_unsupported, as DER and under either label', async () => {
    // SEQUENCE { SEQUENCE { OID pbes2 }, OCTET STRING }: the shape is what counts.
    const encrypted = new Uint8Array([
      0x30, 0x11, 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d,
      0x04, 0x02, 0x01, 0x02,
    ])
    expect(decodeDer(encrypted, DER_TAG.SEQUENCE).tag).toBe(0x30)
    expect(await codeOf(() => importPrivateKey({ der: encrypted }))).toBe(
      'encrypted_key_unsupported',
    )
    expect(
      await codeOf(() => importPrivateKey({ pem: encodePem('ENCRYPTED PRIVATE KEY', encrypted) })),
    ).toBe('encrypted_key_unsupported')
    expect(await codeOf(() => importPrivateKey({ pem: encodePem('PRIVATE KEY', encrypted) }))).toBe(
      'encrypted_key_unsupported',
    )
  })

  it('parsePrivateKeyDer refuses a format other than the one demanded', async () => {
    const { pkcs8 } = await generateKeyPair('Ed25519')
    expect(await codeOf(() => parsePrivateKeyDer(pkcs8, 'sec1'))).toBe('invalid_key')
    const { key } = await parsePrivateKeyDer(pkcs8, 'pkcs8')
    wipePrivateKeyParts(key)
  })
})

describe('SPKI', () => {
  for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'RSA-PSS'] as const) {
    it(`${algorithm}: spkiFromJwk equals WebCrypto's spki export, and reads back`, async () => {
      const material = await generateKeyPair(
        algorithm,
        algorithm === 'RSA-PSS' ? { modulusLength: 2048 } : {},
      )
      const params =
        algorithm === 'RSA-PSS'
          ? { name: 'RSA-PSS', hash: 'SHA-256' }
          : algorithm === 'Ed25519'
            ? { name: 'Ed25519' }
            : { name: 'ECDSA', namedCurve: algorithm }
      const publicKey = await crypto.subtle.importKey(
        'jwk',
        withoutKid(material.publicJwk) as JsonWebKey,
        params,
        true,
        ['verify'],
      )
      const theirs = new Uint8Array(await crypto.subtle.exportKey('spki', publicKey))
      expect(spkiFromJwk(material.publicJwk)).toEqual(theirs)
      expect(jwkFromSpki(theirs)).toEqual(withoutKid(material.publicJwk))
      expect(jwkFromSpkiPem(spkiPemFromJwk(material.publicJwk))).toEqual(
        withoutKid(material.publicJwk),
      )
    })
  }

  it('a private key in a PUBLIC KEY block, trailing bytes, an unknown algorithm: CredsignErrors', async () => {
    const material = await generateKeyPair('Ed25519')
    const spki = spkiFromJwk(material.publicJwk)
    expect(await codeOf(() => jwkFromSpki(material.pkcs8))).toBe('invalid_key')
    expect(await codeOf(() => jwkFromSpki(new Uint8Array([...spki, 0])))).toBe('invalid_key')
    const x25519 = spki.slice()
    x25519[8] = 0x6e // id-X25519 (1.3.101.110)
    expect(await codeOf(() => jwkFromSpki(x25519))).toBe('unsupported_algorithm')
    expect(await codeOf(() => jwkFromSpki('MCo' as unknown as Uint8Array))).toBe('invalid_argument')
    expect(await codeOf(() => jwkFromSpkiPem(spkiPemFromJwk(material.publicJwk).repeat(2)))).toBe(
      'invalid_key',
    )
  })
})
