// Adversarial review of X.509 path validation (issue 19): no certificate of an x5c path is accepted
// on a SHA-1 (or MD5) signature, which a chosen-prefix collision forges (SHA-1: Leurent and Peyrin,
// 2020). Go's crypto/x509 and the browsers refuse them; `openssl verify` still accepts one, so
// credsign is stricter than openssl here. The chains are made by the openssl CLI.
import { execFileSync } from 'node:child_process'
import { sign } from 'node:crypto'
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

describe('directoryName constraints compare what the name’s bytes say, not a lossy decoding', () => {
  // pkijs checks the union of every CA's subtrees, so a chain whose second CA permits the forged
  // name's own bytes passes pkijs; only credsign's per-CA check stands for the first CA's rule.
  const CA_KU = 'keyUsage=critical,keyCertSign,cRLSign'
  const UTF8 = 0x0c
  const PRINTABLE = 0x13

  /** A DER TLV, short or long length form. */
  function tlv(tag: number, contents: Buffer): Buffer {
    const n = contents.length
    const length =
      n < 0x80
        ? Buffer.from([n])
        : n < 0x100
          ? Buffer.from([0x81, n])
          : Buffer.from([0x82, n >> 8, n & 0xff])
    return Buffer.concat([Buffer.from([tag]), length, contents])
  }

  /** The [offset of contents, end] of the TLV at `at`. */
  function span(der: Buffer, at: number): [number, number] {
    const first = der[at + 1] as number
    if (first < 0x80) return [at + 2, at + 2 + first]
    const count = first & 0x7f
    let length = 0
    for (let i = 0; i < count; i++) length = length * 256 + (der[at + 2 + i] as number)
    return [at + 2 + count, at + 2 + count + length]
  }

  /** A string of a Name: tag, length, bytes. */
  const string = (tag: number, bytes: Buffer): Buffer => tlv(tag, bytes)

  /**
   * `certificate` with every occurrence of each `[from, to]` (same length) in its TBS replaced,
   * signed again by `issuer`'s key: names openssl will not write.
   */
  function patched(certificate: MadeCert, issuer: MadeCert, swaps: [Buffer, Buffer][]): MadeCert {
    const der = Buffer.from(certificate.x5c, 'base64')
    const [body] = span(der, 0)
    const [, tbsEnd] = span(der, body)
    const [, algorithmEnd] = span(der, tbsEnd)
    const tbs = Buffer.from(der.subarray(body, tbsEnd))
    for (const [from, to] of swaps) {
      expect(to.length).toBe(from.length)
      let at = tbs.indexOf(from)
      expect(at).toBeGreaterThan(0)
      for (; at >= 0; at = tbs.indexOf(from, at + 1)) to.copy(tbs, at)
    }
    const signature = sign('sha256', tbs, issuer.keyPem)
    const x5c = tlv(
      0x30,
      Buffer.concat([
        tbs,
        der.subarray(tbsEnd, algorithmEnd),
        tlv(0x03, Buffer.concat([Buffer.from([0]), signature])),
      ]),
    ).toString('base64')
    return {
      ...certificate,
      x5c,
      pem: `-----BEGIN CERTIFICATE-----\n${x5c}\n-----END CERTIFICATE-----\n`,
    }
  }

  /** NameConstraints permitting the directoryName O=<organization> (a DER string). */
  function permittedOrganization(organization: Buffer): string {
    // AttributeTypeAndValue { id-at-organizationName (2.5.4.10), organization }
    const attribute = tlv(0x30, Buffer.concat([Buffer.from('060355040a', 'hex'), organization]))
    const name = tlv(0x30, tlv(0x31, attribute))
    const nameConstraints = tlv(0x30, tlv(0xa0, tlv(0x30, tlv(0xa4, name))))
    return `nameConstraints=critical,DER:${nameConstraints.toString('hex')}`
  }

  /** `openssl verify`'s verdict on [leaf, ...intermediates]: 'OK' or its error output. */
  function opensslOn([leaf, ...intermediates]: MadeCert[]): string {
    writeFileSync(join(maker.dir, 'anchor.pem'), root.pem)
    writeFileSync(join(maker.dir, 'nc-untrusted.pem'), intermediates.map((c) => c.pem).join(''))
    writeFileSync(join(maker.dir, 'nc-leaf.pem'), (leaf as MadeCert).pem)
    try {
      openssl(['verify', '-CAfile', 'anchor.pem', '-untrusted', 'nc-untrusted.pem', 'nc-leaf.pem'])
      return 'OK'
    } catch (error) {
      return String((error as { stderr?: Buffer }).stderr ?? error)
    }
  }

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

  /**
   * Root → first (permits O=`firstRule`) → second (subject O=`secondName`, permits O=`secondRule`)
   * → leaf (subject O=`leafName`). Names are DER strings, written over placeholders.
   */
  function chainOf(
    label: string,
    firstRule: Buffer,
    secondName: Buffer,
    secondRule: Buffer,
    leafName: Buffer,
  ): MadeCert[] {
    const placeholder = (text: string): Buffer => string(UTF8, Buffer.from(text))
    // A UTF8String placeholder as long as the name that replaces it (names under 128 bytes).
    const placeholderOf = (prefix: string, name: Buffer): string =>
      prefix.padEnd(name.length - 2, 'x')
    const secondPlaceholder = placeholderOf('second-', secondName)
    const leafPlaceholder = placeholderOf('leaf-', leafName)
    const first = maker.intermediate(`${label}-first`, root, [
      'basicConstraints=critical,CA:TRUE,pathlen:1',
      CA_KU,
      permittedOrganization(firstRule),
    ])
    const secondMade = maker.issue(`${label}-second`, `/O=${secondPlaceholder}/CN=second`, first, [
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      CA_KU,
      permittedOrganization(secondRule),
    ])
    const leafMade = maker.issue(
      `${label}-leaf`,
      `/O=${leafPlaceholder}`,
      secondMade,
      LEAF_EXTENSIONS,
    )
    const swapSecond: [Buffer, Buffer] = [placeholder(secondPlaceholder), secondName]
    const second = patched(secondMade, first, [swapSecond])
    const leaf = patched(leafMade, secondMade, [
      swapSecond,
      [placeholder(leafPlaceholder), leafName],
    ])
    return [leaf, second, first]
  }

  const utf8 = (text: string): Buffer => string(UTF8, Buffer.from(text))
  const bytesOf = (tag: number, ...parts: (string | number[])[]): Buffer =>
    string(
      tag,
      Buffer.concat(
        parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))),
      ),
    )

  it('control: the same chain with the names as written validates, in openssl too', async () => {
    const name = utf8('credsign goodé')
    const chain = chainOf(
      'nc-control',
      name,
      name,
      name,
      bytesOf(UTF8, 'credsign good', [0xc3, 0xa9]),
    )
    expect(opensslOn(chain)).toBe('OK')
    expect(await codeOfChain(chain)).toBe('resolved')
  })

  it('a UTF8String that is not UTF-8 is refused, not read as U+FFFD (openssl cannot parse it)', async () => {
    // The first CA permits O="credsign goo\uFFFD" (EF BF BD); the leaf's O is "credsign goo"
    // then the byte 0xFF, which a non-fatal UTF-8 decoder reads as that same U+FFFD.
    const replacement = bytesOf(UTF8, 'credsign goo', [0xef, 0xbf, 0xbd])
    const invalid = bytesOf(UTF8, 'credsign goo', [0xff])
    const chain = chainOf('nc-utf8', replacement, replacement, invalid, invalid)
    expect(opensslOn(chain)).not.toBe('OK')
    expect(await codeOfChain(chain)).toBe('certificate_invalid')
  })

  it('a PrintableString is read byte by byte (as openssl does), not as UTF-8', async () => {
    // The first CA permits O=UTF8String "credsign goodé" (C3 A9); the leaf's O is a PrintableString
    // of those bytes, which openssl reads as "credsign goodÃ©": outside the first CA's subtree.
    const accented = bytesOf(UTF8, 'credsign good', [0xc3, 0xa9])
    const printable = bytesOf(PRINTABLE, 'credsign good', [0xc3, 0xa9])
    const chain = chainOf('nc-printable', accented, accented, printable, printable)
    expect(opensslOn(chain)).toMatch(/subtree violation/)
    expect(await codeOfChain(chain)).toBe('certificate_name_constraints')
  })

  it('a permitted subtree trims ASCII spaces only, as OpenSSL: an ideographic space stays', async () => {
    // The first CA permits O="credsign good"; the leaf's O ends in U+3000, which String.trim()
    // removes and OpenSSL's canonical form keeps.
    const plain = utf8('credsign good')
    const spaced = utf8('credsign good\u3000')
    const chain = chainOf('nc-space', plain, plain, spaced, spaced)
    expect(opensslOn(chain)).toMatch(/subtree violation/)
    expect(await codeOfChain(chain)).toBe('certificate_name_constraints')
  })
})
