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
  JwtVcSigner,
  SdJwtVcSigner,
  StatusLists,
  createCertificateSigningRequest,
  createStatusListResolver,
  createTrustAnchors,
  verify,
} from '../../src/index.js'
import { CHEAP_KDF } from '../core/vault-helpers.js'
import { OpensslCa, type CaCert } from './fixtures/openssl-ca.js'

let ca: OpensslCa
let root: CaCert
let intermediate: CaCert

beforeAll(() => {
  ca = new OpensslCa()
  root = ca.root()
  intermediate = ca.intermediate('int', root)
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

describe('verifying the credential of an x5c issuer against its x5c status lists', () => {
  it("verify() takes the lists' key from x5c with the caller's trustAnchors, as the credential's", async () => {
    const { vault } = await vaultWithChain()
    const signer = await vault.unlock('lists', ['s1'])
    const lists = new StatusLists({
      store: new MemoryStatusListStore(),
      signer,
      issuer: 'https://issuer.example',
      x5c: true,
    })
    await lists.createList({ id: 'tsl', kind: 'token', uri: 'https://issuer.example/tsl/1' })
    const entry = await lists.allocate('tsl')
    if (entry.kind !== 'token') throw new Error('a token list gives a status')
    await lists.revoke('tsl', entry.index)
    const sdJwt = await new SdJwtVcSigner(signer).issue(
      {
        iss: 'https://issuer.example',
        vct: 'https://credentials.example/id',
        status: entry.status,
      },
      { kid: false, x5c: true },
    )
    const statusLists = createStatusListResolver({
      lists: { 'https://issuer.example/tsl/1': (await lists.publish('tsl')).jwt },
    })
    const trustAnchors = createTrustAnchors([root.pem])
    const result = await verify(sdJwt, { trustAnchors, statusLists })
    expect(result.errors.map((error) => error.code)).toEqual(['status_revoked'])
    // Without anchors the list (like the credential) has no key: never accepted on its word.
    expect((await verify(sdJwt, { statusLists })).verified).toBe(false)

    // The bitstring form (a vc+jwt through verify()) likewise.
    await lists.createList({
      id: 'bsl',
      kind: 'bitstring',
      url: 'https://issuer.example/status/1',
      purpose: 'revocation',
    })
    const bitstring = await lists.allocate('bsl')
    if (bitstring.kind !== 'bitstring') throw new Error('a bitstring list gives a credentialStatus')
    await lists.revoke('bsl', bitstring.index)
    const vc = await new JwtVcSigner(signer).sign(
      {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        issuer: 'https://issuer.example',
        credentialSubject: { id: 'did:example:alice' },
        credentialStatus: bitstring.credentialStatus,
      },
      { x5c: true },
    )
    const withBitstring = createStatusListResolver({
      lists: { 'https://issuer.example/status/1': (await lists.publish('bsl')).jwt },
    })
    const vcResult = await verify(vc, { trustAnchors, statusLists: withBitstring })
    expect(vcResult.errors.map((error) => error.code)).toEqual(['status_revoked'])
  })

  it('an x5c list whose leaf certificate does not name its iss is not verified', async () => {
    const { vault } = await vaultWithChain()
    const signer = await vault.unlock('lists', ['s1'])
    const store = new MemoryStatusListStore()
    const lists = new StatusLists({ store, signer, issuer: 'https://issuer.example', x5c: true })
    await lists.createList({ id: 'tsl', kind: 'token', uri: 'https://issuer.example/tsl/1' })
    const entry = await lists.allocate('tsl')
    if (entry.kind !== 'token') throw new Error('a token list gives a status')
    const sdJwt = await new SdJwtVcSigner(signer).issue(
      {
        iss: 'https://issuer.example',
        vct: 'https://credentials.example/id',
        status: entry.status,
      },
      { kid: false, x5c: true },
    )
    // The same key and chain (SAN issuer.example) signing a list that says another issuer.
    const other = new StatusLists({ store, signer, issuer: 'https://other.example', x5c: true })
    const statusLists = createStatusListResolver({
      lists: { 'https://issuer.example/tsl/1': (await other.publish('tsl')).jwt },
    })
    const trustAnchors = createTrustAnchors([root.pem])
    const result = await verify(sdJwt, { trustAnchors, statusLists })
    expect(result.errors.map((error) => error.code)).toEqual(['status_list_not_verified'])
    expect(result.errors[0]?.message).toMatch(/certificate_san_mismatch/)
  })
})

describe('a cached x5c status list is not used past its certificate chain', () => {
  it.each(['token', 'bitstring'] as const)(
    "%s list: once the list's leaf certificate expires, the cached list is dropped and the expired chain refused",
    async (kind) => {
      const vault = new KeyVault({
        store: new MemoryStore(),
        serviceSecret: new Uint8Array(32).fill(9),
        kdf: CHEAP_KDF,
      })
      await vault.generate({ id: 'lists', algorithm: 'P-256', secrets: ['s1'] })
      const csr = await vault.withKey('lists', ['s1'], (signer) =>
        createCertificateSigningRequest(signer, {
          subject: { commonName: 'issuer.example' },
          dnsNames: ['issuer.example'],
        }),
      )
      const csrFile = ca.write(`lists-expiring-${kind}.csr`, csr.pem)
      const extensions = [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'subjectAltName=DNS:issuer.example',
      ]
      const start = Date.now()
      const asn1Time = (ms: number): string =>
        new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'
      // The list is signed under a certificate valid for two hours; the credential under a second
      // certificate for the same key that is valid for years (a renewed certificate).
      const shortLeaf = ca.signCsr(`lists-short-${kind}`, csrFile, intermediate, extensions, {
        notBefore: asn1Time(start - 3_600_000),
        notAfter: asn1Time(start + 3_600_000),
      })
      await vault.attachCertificateChain('lists', ['s1'], shortLeaf.pem + intermediate.pem)
      const signer = await vault.unlock('lists', ['s1'])
      const lists = new StatusLists({
        store: new MemoryStatusListStore(),
        signer,
        issuer: 'https://issuer.example',
        x5c: true,
      })
      const url = `https://issuer.example/${kind}/1`
      const week = 7 * 86_400
      await lists.createList(
        kind === 'token'
          ? { id: 'list', kind, uri: url, validFor: week, ttl: week }
          : { id: 'list', kind, url, purpose: 'revocation', validFor: week, ttl: week },
      )
      const entry = await lists.allocate('list')
      const listJwt = (await lists.publish('list')).jwt

      // Its validity starts before `start` too (a certificate made now starts at the current
      // second, which may be after `start`).
      const longLeaf = ca.signCsr(`lists-long-${kind}`, csrFile, intermediate, extensions, {
        notBefore: asn1Time(start - 3_600_000),
      })
      await vault.attachCertificateChain('lists', ['s1'], longLeaf.pem + intermediate.pem)
      const credential = await vault.withKey('lists', ['s1'], (renewed) =>
        entry.kind === 'token'
          ? new SdJwtVcSigner(renewed).issue(
              {
                iss: 'https://issuer.example',
                vct: 'https://credentials.example/id',
                status: entry.status,
              },
              { kid: false, x5c: true },
            )
          : new JwtVcSigner(renewed).sign(
              {
                '@context': ['https://www.w3.org/ns/credentials/v2'],
                type: ['VerifiableCredential'],
                issuer: 'https://issuer.example',
                credentialSubject: { id: 'did:example:alice' },
                credentialStatus: entry.credentialStatus,
              },
              { x5c: true },
            ),
      )
      let clock = start
      const statusLists = createStatusListResolver({
        lists: { [url]: listJwt },
        defaultCacheMs: week * 1000,
        maxCacheMs: week * 1000,
        clock: () => clock,
      })
      const trustAnchors = createTrustAnchors([root.pem])
      const first = await verify(credential, { trustAnchors, statusLists, now: start })
      expect(first.errors).toEqual([])
      expect(first.verified).toBe(true)

      // Three hours on: the list itself says it is good for a week, but the chain it was verified
      // under has expired.
      clock = start + 3 * 3_600_000
      const later = await verify(credential, { trustAnchors, statusLists, now: clock })
      expect(later.verified).toBe(false)
      expect(later.errors.map((error) => error.code)).toEqual(['status_list_not_verified'])
      expect(later.errors[0]?.message).toMatch(/certificate_expired/)
    },
  )
})
