// Adversarial review of X.509 path validation (issue 19): no certificate of an x5c path is accepted
// on a SHA-1 (or MD5) signature, which a chosen-prefix collision forges (SHA-1: Leurent and Peyrin,
// 2020). Go's crypto/x509 and the browsers refuse them; `openssl verify` still accepts one, so
// credsign is stricter than openssl here. The chains are made by the openssl CLI.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createTrustAnchors } from '../../src/x509/trust-anchors.js'
import { loadX509 } from '../../src/x509/lazy.js'
import { ChainMaker, LEAF_EXTENSIONS, type MadeCert } from './fixtures/x509-chains.js'

let maker: ChainMaker
let root: MadeCert
let good: MadeCert
let sha1Leaf: MadeCert

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { cwd: maker.dir, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim()
}

/** `name`'s CSR (left by ChainMaker.issue) signed again by `issuer` with `digest`. */
function resign(name: string, issuer: MadeCert, digest: string): MadeCert {
  const out = `${name}-${digest}`
  openssl([
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${issuer.name}.pem`,
    '-CAkey',
    `${issuer.name}.key`,
    '-set_serial',
    '4242',
    '-days',
    '3650',
    `-${digest}`,
    '-extfile',
    `${name}.ext`,
    '-extensions',
    'ext',
    '-out',
    `${out}.pem`,
  ])
  const pem = readFileSync(join(maker.dir, `${out}.pem`), 'utf8')
  const x5c = pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '')
  return { name: out, pem, x5c, keyPem: readFileSync(join(maker.dir, `${name}.key`), 'utf8') }
}

/** Openssl verify's verdict at its default security level: 'OK' or its error line. */
function opensslVerdict(leaf: MadeCert): string {
  writeFileSync(join(maker.dir, 'anchor.pem'), root.pem)
  try {
    openssl(['verify', '-CAfile', 'anchor.pem', `${leaf.name}.pem`])
    return 'OK'
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error)
  }
}

async function codeOf(leaf: MadeCert): Promise<string> {
  const x509 = await loadX509()
  try {
    await x509.keyFromX5c([leaf.x5c], [root.pem], Date.now())
    return 'resolved'
  } catch (error) {
    return (error as { code?: string }).code ?? String(error)
  }
}

beforeAll(() => {
  maker = new ChainMaker()
  root = maker.root()
  good = maker.leaf('leaf', root, LEAF_EXTENSIONS)
  sha1Leaf = resign('leaf', root, 'sha1')
}, 60_000)

describe('weak signatures on an x5c path', () => {
  it('the same leaf signed with SHA-256 validates, with SHA-1 it is refused (openssl accepts both)', async () => {
    expect(opensslVerdict(good)).toBe('OK')
    expect(await codeOf(good)).toBe('resolved')
    expect(opensslVerdict(sha1Leaf)).toBe('OK')
    expect(await codeOf(sha1Leaf)).toBe('certificate_untrusted')
  })
})

describe('name constraints read the names the issuer binding reads', () => {
  const CA_KU = 'keyUsage=critical,keyCertSign,cRLSign'
  const hexOf = (bytes: string): string => Buffer.from(bytes).toString('hex')
  const tlv = (tag: string, contents: string): string =>
    `${tag}${(contents.length / 2).toString(16).padStart(2, '0')}${contents}`

  async function codeOfChain(chain: MadeCert[]): Promise<string> {
    const x509 = await loadX509()
    try {
      await x509.keyFromX5c(
        chain.map((certificate) => certificate.x5c),
        [root.pem],
        Date.now(),
      )
      return 'resolved'
    } catch (error) {
      return (error as { code?: string }).code ?? String(error)
    }
  }

  it('a SAN pkijs cannot read (a primitive [0] otherName next to the dNSName) still meets the constraints', async () => {
    const constrained = maker.intermediate('int-nc-review', root, [
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      CA_KU,
      'nameConstraints=critical,permitted;DNS:allowed.example',
    ])
    // SEQUENCE { [2] "issuer.example", [0] 0x00 }: credsign reads dNSName issuer.example (and counts
    // the otherName in `other`); pkijs fails on the whole extension and sees no names at all.
    const san = tlv('30', tlv('82', hexOf('issuer.example')) + '800100')
    const leaf = maker.leaf('leaf-odd-san', constrained, [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      `subjectAltName=DER:${san}`,
    ])
    const x509 = await loadX509()
    expect((await x509.parseCertificate(leaf.pem)).subjectAltName?.dns).toEqual(['issuer.example'])
    expect(await codeOfChain([leaf, constrained])).toBe('certificate_name_constraints')
  })

  it('a nameConstraints extension pkijs cannot read is refused, not taken as no constraint', async () => {
    // SEQUENCE { [0] 0x00 }: permittedSubtrees as a primitive, which pkijs does not parse.
    const constrained = maker.intermediate('int-bad-nc-review', root, [
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      CA_KU,
      `nameConstraints=critical,DER:${tlv('30', '800100')}`,
    ])
    const leaf = maker.leaf('leaf-bad-nc', constrained, LEAF_EXTENSIONS)
    expect(await codeOfChain([leaf, constrained])).toBe('certificate_name_constraints')
  })
})

describe('trust anchors are read once per TrustAnchors', () => {
  it('createTrustAnchors copies DER bytes: changing the caller’s buffer later changes nothing', async () => {
    const x509 = await loadX509()
    const der = new Uint8Array(Buffer.from(root.x5c, 'base64'))
    const anchors = createTrustAnchors([der])
    expect(anchors.certificates[0]).not.toBe(der)
    const first = await x509.keyFromX5c([good.x5c], anchors.certificates, Date.now())
    x509.clearX5cCache()
    der.fill(0)
    const second = await x509.keyFromX5c([good.x5c], anchors.certificates, Date.now())
    expect(second.cached).toBe(false)
    expect(second.anchor.der).toEqual(first.anchor.der)
  })
})
