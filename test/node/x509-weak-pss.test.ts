// RSASSA-PSS names its hash in its parameters (RFC 4055; SHA-1 when absent): a certificate, CRL or
// OCSP response signed with PSS over SHA-1 is as forgeable by a chosen-prefix collision as
// sha1WithRSAEncryption, which credsign refuses by OID. openssl makes every object here; pkijs
// verifies their signatures, so only credsign's own rule refuses them.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { CredsignError } from 'credsign'
import { decodeCertificate, type DecodedCertificate } from '../../src/x509/parse.js'
import { validateCertificatePath } from '../../src/x509/path-validation.js'
import { checkRevocation, clearRevocationCache } from '../../src/x509/revocation.js'
import { loadX509 } from '../../src/x509/lazy.js'

const dir = mkdtempSync(join(tmpdir(), 'credsign-pss-'))
const openssl = (args: string[]): Buffer =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
const pss = (hash: string): string[] => [`-${hash}`, '-sigopt', 'rsa_padding_mode:pss']

let ca: DecodedCertificate
const leaves: Record<string, DecodedCertificate> = {}
const crls: Record<string, Uint8Array> = {}

beforeAll(async () => {
  await loadX509() // installs the codecs the X.509 chunk reads PEM with
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-subj',
    '/CN=credsign pss ca',
    '-days',
    '30',
    '-sha256',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    'ca.pem',
  ])
  openssl([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'leaf.key',
    '-subj',
    '/CN=credsign pss leaf',
    '-out',
    'leaf.csr',
  ])
  writeFileSync(
    join(dir, 'leaf.ext'),
    'keyUsage=critical,digitalSignature\ncrlDistributionPoints=URI:http://ca.test/pss.crl\n',
  )
  for (const hash of ['sha1', 'sha256']) {
    openssl([
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      '7',
      '-days',
      '20',
      ...pss(hash),
      '-extfile',
      'leaf.ext',
      '-out',
      `leaf-${hash}.pem`,
    ])
    leaves[hash] = await decodeCertificate(readFileSync(join(dir, `leaf-${hash}.pem`), 'utf8'))
    writeFileSync(join(dir, 'index.txt'), '')
    writeFileSync(join(dir, 'crlnumber'), '1000\n')
    writeFileSync(
      join(dir, 'ca.cnf'),
      `[ca]\ndefault_ca=this\n[this]\ndatabase=${dir}/index.txt\ncrlnumber=${dir}/crlnumber\ncertificate=${dir}/ca.pem\nprivate_key=${dir}/ca.key\ndefault_md=${hash}\ndefault_crl_days=1\n`,
    )
    openssl([
      'ca',
      '-config',
      'ca.cnf',
      '-gencrl',
      '-md',
      hash,
      '-sigopt',
      'rsa_padding_mode:pss',
      '-out',
      `crl-${hash}.pem`,
    ])
    crls[hash] = new Uint8Array(openssl(['crl', '-in', `crl-${hash}.pem`, '-outform', 'DER']))
  }
  ca = await decodeCertificate(readFileSync(join(dir, 'ca.pem'), 'utf8'))
}, 60_000)

async function crlOutcome(crl: Uint8Array): Promise<string> {
  clearRevocationCache()
  try {
    await checkRevocation([leaves.sha256 as DecodedCertificate, ca], Date.now(), {
      mode: 'require',
      cacheMs: 0,
      fetchBytes: async () => crl,
    })
    return 'good'
  } catch (error) {
    if (!CredsignError.is(error)) throw error
    return error.code
  }
}

describe('RSASSA-PSS over SHA-1 is a weak signature', () => {
  it('a CRL signed with PSS over SHA-1 is revocation_invalid; over SHA-256 it answers', async () => {
    expect(await crlOutcome(crls.sha256 as Uint8Array)).toBe('good')
    expect(await crlOutcome(crls.sha1 as Uint8Array)).toBe('revocation_invalid')
  })

  it('a certificate signed with PSS over SHA-1 is certificate_untrusted; over SHA-256 it validates', async () => {
    await expect(
      validateCertificatePath([leaves.sha256 as DecodedCertificate], [ca], Date.now()),
    ).resolves.toBeDefined()
    await expect(
      validateCertificatePath([leaves.sha1 as DecodedCertificate], [ca], Date.now()),
    ).rejects.toMatchObject({ code: 'certificate_untrusted' })
  })
})
