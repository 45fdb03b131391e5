// Certificate chains on vault key versions, end to end with real parts: a vault key makes a CSR, an
// openssl CA (root → intermediate) issues the leaf from it, the chain is attached, stored (memory
// and file stores; PostgreSQL in test/pg/x509-chain.test.ts), shown with its expiry, sent as x5c,
// and jose verifies the JWS with the key of the x5c leaf. Every wrong chain is refused with its code.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { X509Certificate } from 'node:crypto'
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  JwtVcSigner,
  KeyVault,
  MemoryStore,
  SdJwtVcSigner,
  createCertificateSigningRequest,
  type KeyStore,
} from '../../src/index.js'
import { FileStore } from '../../src/file/index.js'
import { CHEAP_KDF } from '../core/vault-helpers.js'
import { OpensslCa, type CaCert } from './fixtures/openssl-ca.js'

let ca: OpensslCa
let root: CaCert
let intermediate: CaCert
let otherIntermediate: CaCert

beforeAll(() => {
  ca = new OpensslCa()
  root = ca.root()
  intermediate = ca.intermediate('int', root)
  otherIntermediate = ca.intermediate('other-int', root)
})

const LEAF = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'subjectAltName=DNS:issuer.example,URI:https://issuer.example',
]

/** The vault key's CSR, issued by `issuer` through openssl. */
async function issueFor(
  vault: KeyVault,
  id: string,
  name: string,
  issuer: CaCert = intermediate,
  validity: { notBefore?: string; notAfter?: string } = {},
): Promise<CaCert> {
  const csr = await vault.withKey(id, ['s1'], (signer) =>
    createCertificateSigningRequest(signer, {
      subject: { commonName: 'issuer.example' },
      dnsNames: ['issuer.example'],
      uris: ['https://issuer.example'],
    }),
  )
  return ca.signCsr(name, ca.write(`${name}.csr`, csr.pem), issuer, LEAF, validity)
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    return (error as { code?: string }).code ?? String(error)
  }
}

function chainSuite(storeName: string, makeStore: () => KeyStore): void {
  describe(`certificate chains on a ${storeName}`, () => {
    let counter = 0
    const fresh = async () => {
      const store = makeStore()
      const vault = new KeyVault({
        store,
        serviceSecret: new Uint8Array(32).fill(9),
        kdf: CHEAP_KDF,
      })
      const id = `issuer-${++counter}`
      await vault.generate({ id, algorithm: 'P-256', secrets: ['s1'] })
      return { store, vault, id }
    }

    it('attach → stored, shown with notAfter, sent as x5c; jose verifies with the x5c leaf key', async () => {
      const { store, vault, id } = await fresh()
      const leaf = await issueFor(vault, id, `${storeName}-leaf-${counter}`)
      const info = await vault.attachCertificateChain(id, ['s1'], leaf.pem + intermediate.pem)
      expect(info.current.certificateChain?.x5c).toEqual([leaf.x5c, intermediate.x5c])
      // notAfter: when the first certificate of the chain expires (here the leaf or the intermediate).
      const notAfter = Math.min(
        Date.parse(new X509Certificate(leaf.pem).validTo),
        Date.parse(new X509Certificate(intermediate.pem).validTo),
      )
      expect(Date.parse(info.current.certificateChain?.notAfter ?? '')).toBe(notAfter)
      // Stored: a new vault on the same store sees it; list() shows it too.
      const again = new KeyVault({
        store,
        serviceSecret: new Uint8Array(32).fill(9),
        kdf: CHEAP_KDF,
      })
      expect((await again.publicKey(id)).current.certificateChain?.x5c).toHaveLength(2)
      const listed = (await again.list()).keys.find((key) => key.id === id)
      expect(listed?.current.certificateChain?.notAfter).toBe(
        info.current.certificateChain?.notAfter,
      )

      const signer = await again.unlock(id, ['s1'])
      expect(signer.x5c).toEqual([leaf.x5c, intermediate.x5c])
      const jwt = await new JwtVcSigner(signer).sign(
        {
          '@context': ['https://www.w3.org/ns/credentials/v2'],
          type: ['VerifiableCredential'],
          issuer: 'https://issuer.example',
          credentialSubject: { id: 'did:example:subject' },
        },
        { x5c: true, kid: false },
      )
      const header = decodeProtectedHeader(jwt)
      expect(header.x5c).toEqual([leaf.x5c, intermediate.x5c])
      const leafKey = await importX509(
        `-----BEGIN CERTIFICATE-----\n${(header.x5c as string[])[0]}\n-----END CERTIFICATE-----`,
        'ES256',
      )
      await expect(compactVerify(jwt, leafKey)).resolves.toBeDefined()

      const sdJwt = await new SdJwtVcSigner(signer).issue(
        { given_name: 'Erika' },
        {
          vct: 'https://credentials.example/pid',
          issuer: 'https://issuer.example',
          holder: {
            kty: 'EC',
            crv: 'P-256',
            x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
            y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
          },
          profile: 'haip',
          disclosureFrame: { _sd: ['given_name'] },
        },
      )
      const issuerJwt = sdJwt.split('~')[0] as string
      expect(decodeProtectedHeader(issuerJwt)).toMatchObject({
        alg: 'ES256',
        typ: 'dc+sd-jwt',
        x5c: [leaf.x5c, intermediate.x5c],
      })
      await expect(compactVerify(issuerJwt, leafKey)).resolves.toBeDefined()
      signer.lock()
    })

    it('rotate: the new version has no chain, the old keeps its own; a chain for v1 is refused on v2', async () => {
      const { vault, id } = await fresh()
      const leaf1 = await issueFor(vault, id, `${storeName}-rot1-${counter}`)
      await vault.attachCertificateChain(id, ['s1'], [leaf1.x5c, intermediate.x5c])
      const rotated = await vault.rotate(id, ['s1'])
      expect(rotated.current.certificateChain).toBeUndefined()
      expect(rotated.versions[0]?.certificateChain?.x5c[0]).toBe(leaf1.x5c)
      expect(
        await code(vault.attachCertificateChain(id, ['s1'], [leaf1.x5c, intermediate.x5c])),
      ).toBe('certificate_key_mismatch')
      const leaf2 = await issueFor(vault, id, `${storeName}-rot2-${counter}`)
      const info = await vault.attachCertificateChain(id, ['s1'], [leaf2.x5c, intermediate.x5c])
      expect(info.current.certificateChain?.x5c[0]).toBe(leaf2.x5c)
      expect(info.versions[0]?.certificateChain?.x5c[0]).toBe(leaf1.x5c)
      // x5c: true with a version that has none is refused, never sent empty or with another chain.
      const old = await vault.unlock(id, ['s1'], { version: 1 })
      expect(old.x5c?.[0]).toBe(leaf1.x5c)
      old.lock()
    })

    it('refuses wrong chains: order, anchor included, foreign, self-signed leaf, expired, wrong secrets', async () => {
      const { vault, id } = await fresh()
      const leaf = await issueFor(vault, id, `${storeName}-bad-${counter}`)
      const attach = (chain: string[], secrets = ['s1']) =>
        code(vault.attachCertificateChain(id, secrets, chain))
      expect(await attach([intermediate.x5c, leaf.x5c])).toBe('certificate_key_mismatch')
      expect(await attach([leaf.x5c, intermediate.x5c, root.x5c])).toBe(
        'certificate_anchor_included',
      )
      expect(await attach([leaf.x5c, otherIntermediate.x5c])).toBe('certificate_chain_order')
      expect(await attach([leaf.x5c, root.x5c, intermediate.x5c])).toBe('certificate_chain_order')
      expect(await attach(['bm90IGEgY2VydA=='])).toBe('certificate_invalid')
      expect(await attach([leaf.x5c, intermediate.x5c], ['wrong'])).toBe('wrong_secrets')
      const expired = await issueFor(vault, id, `${storeName}-expired-${counter}`, intermediate, {
        notBefore: '20200101000000Z',
        notAfter: '20210101000000Z',
      })
      expect(await attach([expired.x5c, intermediate.x5c])).toBe('certificate_expired')
      // A self-signed certificate of the vault key itself is not an issuer certificate (HAIP):
      // the key is made by openssl, imported, and openssl self-signs a certificate with it.
      ca.key(`self-${storeName}`)
      await vault.import({
        id: `${id}-self`,
        secrets: ['s1'],
        key: { pem: ca.keyPem(`self-${storeName}`) },
      })
      ca.openssl([
        'req',
        '-x509',
        '-new',
        '-key',
        `self-${storeName}.key`,
        '-subj',
        '/CN=issuer.example',
        '-days',
        '30',
        '-out',
        `self-${storeName}.pem`,
      ])
      const self = ca.read(`self-${storeName}`)
      expect(await code(vault.attachCertificateChain(`${id}-self`, ['s1'], [self.x5c]))).toBe(
        'certificate_self_signed',
      )
      expect((await vault.publicKey(id)).current.certificateChain).toBeUndefined()
    })

    it("x5c: true without a chain, and HAIP's rules, refuse before signing", async () => {
      const { vault, id } = await fresh()
      const signer = await vault.unlock(id, ['s1'])
      const credential = {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        issuer: 'https://issuer.example',
        credentialSubject: { id: 'did:example:subject' },
      }
      expect(await code(new JwtVcSigner(signer).sign(credential, { x5c: true }))).toBe(
        'invalid_argument',
      )
      const holder = {
        kty: 'EC',
        crv: 'P-256',
        x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
        y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
      } as const
      const base = {
        vct: 'https://credentials.example/pid',
        issuer: 'https://issuer.example',
        holder,
        profile: 'haip' as const,
      }
      const sd = new SdJwtVcSigner(signer)
      expect(await code(sd.issue({}, base))).toBe('haip_certificate_required')
      signer.lock()
      const leaf = await issueFor(vault, id, `${storeName}-haip-${counter}`)
      await vault.attachCertificateChain(id, ['s1'], [leaf.x5c, intermediate.x5c])
      const chained = new SdJwtVcSigner(await vault.unlock(id, ['s1']))
      expect(await code(chained.issue({}, base))).toBe('ok')
      expect(await code(chained.issue({}, { ...base, legacyTyp: true }))).toBe('haip_format')
      expect(await code(chained.issue({}, { ...base, typ: 'vc+sd-jwt' }))).toBe('haip_format')
      expect(await code(chained.issue({}, { ...base, hashAlgorithm: 'sha-384' }))).toBe(
        'haip_algorithm',
      )
      expect(await code(chained.issue({}, { ...base, fullySpecified: true }))).toBe(
        'haip_algorithm',
      )
      expect(await code(chained.issue({}, { ...base, holder: undefined }))).toBe(
        'haip_key_binding_required',
      )
      expect(await code(chained.issue({}, { ...base, header: { x5c: [leaf.x5c] } }))).toBe(
        'haip_certificate_required',
      )
      // What a HAIP verifier refuses is refused here too (haip-claims.ts, shared).
      expect(await code(chained.issue({}, { ...base, holder: { kid: 'holder-key' } }))).toBe(
        'haip_key_binding_required',
      )
      expect(await code(chained.issue({}, { ...base, status: { other: 1 } }))).toBe(
        'haip_status_invalid',
      )
      expect(
        await code(chained.issue({ status: { status_list: { idx: -1, uri: 'x' } } }, base)),
      ).toBe('haip_status_invalid')
      expect(
        await code(
          chained.issue(
            {},
            { ...base, status: { status_list: { idx: 0, uri: 'https://s.example/1' } } },
          ),
        ),
      ).toBe('ok')
      await vault.generate({ id: `${id}-ed`, algorithm: 'Ed25519', secrets: ['s1'] })
      const ed = new SdJwtVcSigner(await vault.unlock(`${id}-ed`, ['s1']))
      expect(await code(ed.issue({}, base))).toBe('haip_algorithm')
    })
  })
}

chainSuite('MemoryStore', () => new MemoryStore())
chainSuite(
  'FileStore',
  () => new FileStore({ directory: mkdtempSync(join(tmpdir(), 'credsign-chain-')) }),
)
