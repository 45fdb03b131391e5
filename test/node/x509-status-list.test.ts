// Status list tokens with x5c (OpenID4VC HAIP asks status list tokens to carry the issuer's chain,
// like the credentials): StatusLists({ x5c: true }) puts the signing key version's chain in the
// protected header of both list forms, and jose verifies each with the key of the x5c leaf. A signer
// without a chain is refused before anything is signed.
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  KeyVault,
  MemoryStatusListStore,
  MemoryStore,
  StatusLists,
  createCertificateSigningRequest,
} from '../../src/index.js'
import { CHEAP_KDF } from '../core/vault-helpers.js'
import { OpensslCa, type CaCert } from './fixtures/openssl-ca.js'

let ca: OpensslCa
let intermediate: CaCert

beforeAll(() => {
  ca = new OpensslCa()
  intermediate = ca.intermediate('int', ca.root())
})

async function vaultWithChain(): Promise<{ vault: KeyVault; leaf: CaCert }> {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: new Uint8Array(32).fill(7),
    kdf: CHEAP_KDF,
  })
  await vault.generate({ id: 'lists', algorithm: 'P-256', secrets: ['s1'] })
  const csr = await vault.withKey('lists', ['s1'], (signer) =>
    createCertificateSigningRequest(signer, {
      subject: { commonName: 'issuer.example' },
      dnsNames: ['issuer.example'],
    }),
  )
  const leaf = ca.signCsr('lists-leaf', ca.write('lists.csr', csr.pem), intermediate, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'subjectAltName=DNS:issuer.example',
  ])
  await vault.attachCertificateChain('lists', ['s1'], leaf.pem + intermediate.pem)
  return { vault, leaf }
}

describe('status list tokens with x5c', () => {
  it('both list forms carry the chain (leaf first) and verify with the x5c leaf key in jose', async () => {
    const { vault, leaf } = await vaultWithChain()
    const signer = await vault.unlock('lists', ['s1'])
    const lists = new StatusLists({
      store: new MemoryStatusListStore(),
      signer,
      issuer: 'https://issuer.example',
      x5c: true,
    })
    await lists.createList({ id: 'tsl', kind: 'token', uri: 'https://issuer.example/tsl/1' })
    await lists.createList({
      id: 'bsl',
      kind: 'bitstring',
      url: 'https://issuer.example/status/1',
      purpose: 'revocation',
    })
    for (const [id, typ] of [
      ['tsl', 'statuslist+jwt'],
      ['bsl', 'vc+jwt'],
    ] as const) {
      const { jwt } = await lists.publish(id)
      const header = decodeProtectedHeader(jwt)
      expect(header.typ).toBe(typ)
      expect(header.x5c).toEqual([leaf.x5c, intermediate.x5c])
      const leafKey = await importX509(
        `-----BEGIN CERTIFICATE-----\n${leaf.x5c}\n-----END CERTIFICATE-----`,
        'ES256',
      )
      await expect(compactVerify(jwt, leafKey)).resolves.toBeDefined()
    }
  })

  it('without x5c: true no x5c is sent; with it, a signer without a chain is invalid_argument', async () => {
    const vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret: new Uint8Array(32).fill(8),
      kdf: CHEAP_KDF,
    })
    await vault.generate({ id: 'plain', algorithm: 'P-256', secrets: ['s1'] })
    const signer = await vault.unlock('plain', ['s1'])
    const store = new MemoryStatusListStore()
    const plain = new StatusLists({ store, signer, issuer: 'https://issuer.example' })
    await plain.createList({ id: 'tsl', kind: 'token', uri: 'https://issuer.example/tsl/1' })
    expect(decodeProtectedHeader((await plain.publish('tsl')).jwt).x5c).toBeUndefined()
    const withX5c = new StatusLists({ store, signer, issuer: 'https://issuer.example', x5c: true })
    await expect(withX5c.publish('tsl')).rejects.toMatchObject({ code: 'invalid_argument' })
    expect(() => new StatusLists({ store, x5c: 'yes' as unknown as boolean })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })
})
