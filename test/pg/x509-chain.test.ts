// A certificate chain attached to a vault key version survives PostgreSQL: stored with the version
// (in the versions table's extra members, no schema change), read back by a second vault, kept by
// the old version through a rotation, and carried by the unlocked key.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { KeyVault, createCertificateSigningRequest } from 'credsign'
import { PostgresStore } from 'credsign/postgres'
import { OpensslCa } from '../node/fixtures/openssl-ca.js'
import { adminPool, databaseUrl, describePg, dropSchema, freshSchema } from './helpers.js'

const CHEAP_KDF = { id: 'pbkdf2-sha256', iterations: 1000 } as const
const serviceSecret = 'postgres-x509-test-service-secret-0123456789'
let admin: ReturnType<typeof adminPool>
const schema = freshSchema('x509')

beforeAll(() => {
  if (databaseUrl !== undefined) admin = adminPool(databaseUrl, 4)
})
afterAll(async () => {
  if (admin === undefined) return
  await dropSchema(admin, schema)
  await admin.end()
})

describePg('certificate chains in PostgresStore', () => {
  it('attach, read back from a second vault, rotate: the old version keeps its chain', async () => {
    const store = new PostgresStore({ pool: admin, schema })
    await store.migrate()
    const vault = new KeyVault({ store, serviceSecret, kdf: CHEAP_KDF })
    await vault.generate({ id: 'issuer', algorithm: 'P-256', secrets: ['s1'] })
    const csr = await vault.withKey('issuer', ['s1'], (signer) =>
      createCertificateSigningRequest(signer, {
        subject: { commonName: 'issuer.example' },
        uris: ['https://issuer.example'],
      }),
    )
    const ca = new OpensslCa()
    const root = ca.root()
    const intermediate = ca.intermediate('int', root)
    const leaf = ca.signCsr('leaf', ca.write('leaf.csr', csr.pem), intermediate, [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'subjectAltName=URI:https://issuer.example',
    ])
    await vault.attachCertificateChain('issuer', ['s1'], [leaf.x5c, intermediate.x5c])

    const other = new KeyVault({
      store: new PostgresStore({ pool: admin, schema }),
      serviceSecret,
      kdf: CHEAP_KDF,
    })
    const info = await other.publicKey('issuer')
    expect(info.current.certificateChain?.x5c).toEqual([leaf.x5c, intermediate.x5c])
    expect(Date.parse(info.current.certificateChain?.notAfter ?? '')).toBeGreaterThan(Date.now())
    const signer = await other.unlock('issuer', ['s1'])
    expect(signer.x5c).toEqual([leaf.x5c, intermediate.x5c])
    signer.lock()

    const rotated = await other.rotate('issuer', ['s1'])
    expect(rotated.current.certificateChain).toBeUndefined()
    expect((await vault.publicKey('issuer')).versions[0]?.certificateChain?.x5c[0]).toBe(leaf.x5c)
  })
})
