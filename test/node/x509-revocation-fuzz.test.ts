// Hostile CRLs and OCSP responses: bytes of real openssl-made ones flipped, overwritten or cut.
// Whatever the fetch returns, checkRevocation ends in a CredsignError with a revocation code (never
// a raw exception), and a revoked certificate never comes out good.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { CredsignError } from 'credsign'
import { decodeCertificate, type DecodedCertificate } from '../../src/x509/parse.js'
import { checkRevocation, clearRevocationCache } from '../../src/x509/revocation.js'
import { loadX509 } from '../../src/x509/lazy.js'
import { CA_ORIGIN, RevocationLab } from './fixtures/openssl-revocation.js'

const LEAF = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  `crlDistributionPoints=URI:${CA_ORIGIN}/int.crl`,
  `authorityInfoAccess=OCSP;URI:${CA_ORIGIN}/ocsp`,
]

interface Case {
  kind: 'CRL' | 'OCSP'
  path: DecodedCertificate[]
  der: Uint8Array
  verdict: 'good' | 'certificate_revoked'
}
const cases: Record<string, Case> = {}

beforeAll(async () => {
  await loadX509() // installs the codecs the X.509 chunk reads PEM with
  const lab = new RevocationLab()
  const root = lab.root('root')
  const int = lab.intermediate('int', root, [])
  int.issue('good', LEAF)
  int.issue('revoked', LEAF)
  int.revoke(lab.read('revoked'))
  const crl = new Uint8Array(int.crl())
  const intCert = await decodeCertificate(lab.read('int').pem)
  for (const name of ['good', 'revoked'] as const) {
    const path = [await decodeCertificate(lab.read(name).pem), intCert]
    const request = lab.opensslBytes([
      'ocsp',
      '-issuer',
      'int.pem',
      '-cert',
      `${name}.pem`,
      '-no_nonce',
      '-reqout',
      '-',
    ])
    const verdict = name === 'good' ? 'good' : 'certificate_revoked'
    cases[`CRL ${name}`] = { kind: 'CRL', path, der: crl, verdict }
    cases[`OCSP ${name}`] = { kind: 'OCSP', path, der: new Uint8Array(int.ocsp(request)), verdict }
  }
}, 120_000)

/** Checks `test.path` with `body` as the answer of its `test.kind` location (the other fails). */
async function outcome(test: Case, body: Uint8Array): Promise<string> {
  clearRevocationCache()
  try {
    await checkRevocation(test.path, Date.now(), {
      mode: 'require',
      cacheMs: 0,
      fetchBytes: async (_url, mediaTypes) => {
        const crlRequested = mediaTypes.includes('application/pkix-crl')
        if (crlRequested !== (test.kind === 'CRL')) throw new Error('not served')
        return body
      },
    })
    return 'good'
  } catch (error) {
    if (!CredsignError.is(error)) throw error
    return error.code
  }
}

interface Change {
  kind: 'flip' | 'set' | 'cut'
  at: number
  value: number
}
const change = fc.record({
  kind: fc.constantFrom<Change['kind']>('flip', 'set', 'cut'),
  at: fc.nat(4000),
  value: fc.integer({ min: 1, max: 255 }),
})

function mutated(der: Uint8Array, changes: Change[]): Uint8Array {
  let bytes = der.slice()
  for (const { kind, at, value } of changes) {
    const index = at % bytes.length
    if (kind === 'flip') bytes[index] = (bytes[index] as number) ^ value
    else if (kind === 'set') bytes[index] = value
    else bytes = bytes.subarray(0, Math.max(index, 1))
  }
  return bytes
}

describe('hostile CRL and OCSP bytes (mutations of openssl-made answers)', () => {
  it('the unmodified answers give the verdict openssl recorded', async () => {
    for (const test of Object.values(cases))
      expect(await outcome(test, test.der)).toBe(test.verdict)
  })

  for (const name of ['CRL good', 'CRL revoked', 'OCSP good', 'OCSP revoked']) {
    it(`${name}: a revocation code or the true verdict, never a raw exception or a false good`, async () => {
      const test = cases[name] as Case
      await fc.assert(
        fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 3 }), async (changes) => {
          const result = await outcome(test, mutated(test.der, changes))
          const allowed = ['revocation_invalid', 'revocation_unavailable', test.verdict]
          expect(allowed).toContain(result)
        }),
        { numRuns: 300 },
      )
    }, 300_000)
  }
})
