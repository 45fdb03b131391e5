// Certificate signing requests from vault keys, checked by an independent implementation: the
// openssl CLI verifies each CSR's signature (`openssl req -verify`), prints what it says, and a CA
// run with openssl issues a certificate from it whose key is the vault key.
import { beforeAll, describe, expect, it } from 'vitest'
import * as pkijs from 'pkijs'
import {
  CredsignError,
  KeyVault,
  MemoryStore,
  createCertificateSigningRequest,
  parseCertificate,
  type KeyAlgorithm,
} from '../../src/index.js'
import { OpensslCa, type CaCert } from './fixtures/openssl-ca.js'
import { CHEAP_KDF } from '../core/vault-helpers.js'

let ca: OpensslCa
let root: CaCert
let intermediate: CaCert
const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(7),
  kdf: CHEAP_KDF,
})

beforeAll(() => {
  ca = new OpensslCa()
  root = ca.root()
  intermediate = ca.intermediate('int', root)
})

async function csrFor(id: string, algorithm: KeyAlgorithm) {
  await vault.generate({ id, algorithm, secrets: ['s1'] })
  return vault.withKey(id, ['s1'], (signer) =>
    createCertificateSigningRequest(signer, {
      subject: { commonName: 'issuer.example', organization: 'Example Ü', country: 'DE' },
      dnsNames: ['issuer.example'],
      uris: ['https://issuer.example'],
    }),
  )
}

describe('createCertificateSigningRequest (verified by openssl)', () => {
  for (const algorithm of ['P-256', 'P-384', 'P-521', 'Ed25519', 'RS256'] as const) {
    it(`${algorithm}: openssl verifies the CSR and reads its subject, SAN and key usage`, async () => {
      const csr = await csrFor(`csr-${algorithm}`, algorithm)
      const file = ca.write(`csr-${algorithm}.pem`, csr.pem)
      const text = ca.openssl([
        'req',
        '-in',
        file,
        '-verify',
        '-noout',
        '-text',
        '-nameopt',
        'RFC2253',
      ])
      // 'Ü' as UTF-8 (C3 9C): a UTF8String, escaped by openssl's RFC 2253 output
      expect(text).toContain('Subject: CN=issuer.example,O=Example \\C3\\9C,C=DE')
      expect(text).toMatch(/DNS:issuer\.example, URI:https:\/\/issuer\.example/)
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/)
      // openssl exits non-zero when the signature does not verify; its stderr says OK when it does.
      const check = ca.openssl(['req', '-in', file, '-verify', '-noout'])
      expect(check).toBe('')
    })
  }

  it('a CA (openssl x509 -req) issues a certificate from our CSR whose key is the vault key', async () => {
    const csr = await csrFor('csr-chain', 'P-256')
    const file = ca.write('csr-chain.pem', csr.pem)
    const leaf = ca.signCsr(
      'leaf-from-csr',
      file,
      intermediate,
      ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'],
      { copyExtensions: true },
    )
    const summary = await parseCertificate(leaf.pem)
    const { current } = await vault.publicKey('csr-chain')
    expect(summary.publicJwk).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      x: (current.publicJwk as { x: string }).x,
      y: (current.publicJwk as { y: string }).y,
    })
    expect(summary.subjectAltName?.dns).toEqual(['issuer.example'])
    expect(summary.subjectAltName?.uri).toEqual(['https://issuer.example'])
    ca.write('chain-int.pem', intermediate.pem)
    ca.write('chain-root.pem', root.pem)
    expect(
      ca.openssl([
        'verify',
        '-CAfile',
        'chain-root.pem',
        '-untrusted',
        'chain-int.pem',
        'leaf-from-csr.pem',
      ]),
    ).toContain('OK')
  })

  it('pkijs (a second implementation) verifies the CSR signature too; a flipped bit does not', async () => {
    const csr = await csrFor('csr-pkijs', 'P-256')
    const request = pkijs.CertificationRequest.fromBER(new Uint8Array(csr.der))
    expect(await request.verify()).toBe(true)
    const tampered = csr.der.slice()
    const at = tampered.length - 5
    tampered[at] = (tampered[at] as number) ^ 1
    expect(await pkijs.CertificationRequest.fromBER(tampered).verify()).toBe(false)
  })

  it('refuses bad input with stable codes, and a locked signer cannot sign one', async () => {
    await vault.generate({ id: 'csr-bad', algorithm: 'P-256', secrets: ['s1'] })
    const signer = await vault.unlock('csr-bad', ['s1'])
    const code = async (options: unknown) => {
      try {
        await createCertificateSigningRequest(signer, options as never)
        return 'ok'
      } catch (error) {
        return error instanceof CredsignError ? error.code : String(error)
      }
    }
    expect(await code({ subject: {} })).toBe('invalid_argument')
    expect(await code({ subject: { commonName: 'x', nickname: 'y' } })).toBe('invalid_argument')
    expect(await code({ subject: { country: 'Germany' } })).toBe('invalid_argument')
    expect(await code({ subject: { commonName: 'x' }, dnsNames: ['bad name'] })).toBe(
      'invalid_argument',
    )
    expect(await code({ subject: { commonName: 'x' }, dnsNames: ['issuer.example\0.evil'] })).toBe(
      'invalid_argument',
    )
    expect(await code({ subject: { commonName: 'x' }, uris: ['not a uri'] })).toBe(
      'invalid_argument',
    )
    expect(await code({ subject: { commonName: 'x' }, keyUsage: ['toString'] })).toBe(
      'invalid_argument',
    )
    expect(await code({ subject: { commonName: 'x' } })).toBe('ok')
    signer.lock()
    expect(await code({ subject: { commonName: 'x' } })).toBe('signer_locked')
    await vault.generate({ id: 'csr-pss', algorithm: 'RSA-PSS', secrets: ['s1'] })
    const pss = await vault.unlock('csr-pss', ['s1'])
    await expect(
      createCertificateSigningRequest(pss, { subject: { commonName: 'x' } }),
    ).rejects.toMatchObject({ code: 'unsupported_algorithm' })
    pss.lock()
  })
})
