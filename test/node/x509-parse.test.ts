// parseCertificate on certificates made by the openssl CLI: what it reads must be what openssl wrote,
// and what is malformed must be certificate_invalid, never a crash or a silently dropped extension.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createPublicKey } from 'node:crypto'
import {
  CredsignError,
  jwkThumbprint,
  parseCertificate,
  parseCertificates,
} from '../../src/index.js'
import { decodeDer, derNull, encodeDer, readDerChildren } from '../../src/keys/der.js'
import { OpensslCa, type CaCert } from './fixtures/openssl-ca.js'

let ca: OpensslCa
let root: CaCert
let intermediate: CaCert
let leaf: CaCert

function der(cert: CaCert): Uint8Array {
  return new Uint8Array(Buffer.from(cert.x5c, 'base64'))
}

/** Replaces the first occurrence of `from` in `bytes` (same length) and returns a copy. */
function patched(bytes: Uint8Array, from: number[], to: number[]): Uint8Array {
  const out = bytes.slice()
  const at = Buffer.from(out).indexOf(Buffer.from(from))
  expect(at).toBeGreaterThan(0)
  out.set(to, at)
  return out
}

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return undefined
  } catch (error) {
    if (error instanceof CredsignError) return error.code
    throw error
  }
}

beforeAll(() => {
  ca = new OpensslCa()
  root = ca.root()
  intermediate = ca.intermediate('int', root)
  leaf = ca.issue('leaf', intermediate, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,nonRepudiation',
    'extendedKeyUsage=serverAuth,1.3.6.1.4.1.55555.7',
    'subjectAltName=DNS:issuer.example,URI:https://issuer.example/x,email:a@issuer.example,IP:192.0.2.1,IP:2001:db8::1',
  ])
})

describe('parseCertificate (openssl-made certificates)', () => {
  it('reads what openssl wrote: names, validity, SAN, key usage, constraints, key ids, the key', async () => {
    const summary = await parseCertificate(leaf.pem)
    const text = execFileSync(
      'openssl',
      ['x509', '-noout', '-serial', '-dates', '-subject', '-issuer', '-nameopt', 'RFC2253'],
      {
        input: leaf.pem,
      },
    ).toString()
    expect(text).toContain(`serial=${summary.serialNumber.toUpperCase().padStart(2, '0')}`)
    expect(text).toContain(`subject=${summary.subject}`)
    expect(text).toContain(`issuer=${summary.issuer}`)
    expect(summary.subject).toBe('CN=credsign test leaf')
    expect(summary.issuer).toBe('CN=credsign test int')
    expect(summary.version).toBe(3)
    expect(summary.selfIssued).toBe(false)
    const notAfter = /notAfter=(.*)/.exec(text)?.[1]
    expect(new Date(summary.notAfter).getTime()).toBe(new Date(notAfter as string).getTime())
    expect(summary.basicConstraints).toEqual({ ca: false })
    expect(summary.keyUsage).toEqual(['digitalSignature', 'nonRepudiation'])
    expect(summary.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.4.1.55555.7'])
    expect(summary.subjectAltName).toEqual({
      dns: ['issuer.example'],
      uri: ['https://issuer.example/x'],
      email: ['a@issuer.example'],
      ip: ['192.0.2.1', '2001:db8:0:0:0:0:0:1'],
      other: 0,
    })
    const intermediateSummary = await parseCertificate(intermediate.x5c)
    expect(intermediateSummary.basicConstraints).toEqual({ ca: true, pathLength: 0 })
    expect(intermediateSummary.keyUsage).toEqual(['keyCertSign', 'cRLSign'])
    expect(summary.authorityKeyIdentifier).toBe(intermediateSummary.subjectKeyIdentifier)
    expect(summary.extensions.map((e) => [e.oid, e.critical])).toContainEqual(['2.5.29.19', true])
    expect(summary.signatureAlgorithm).toBe('1.2.840.10045.4.3.2')
    expect(summary.publicKeyAlgorithm).toBe('1.2.840.10045.2.1')
    // The key: the same JWK node:crypto (OpenSSL) reads from the leaf's private key.
    const expected = createPublicKey(ca.keyPem('leaf')).export({ format: 'jwk' })
    expect(summary.publicJwk).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      x: expected.x,
      y: expected.y,
    })
    expect(summary.x5c).toBe(leaf.x5c)
    expect(summary.der).toEqual(der(leaf))
  })

  it('takes DER, PEM and x5c base64 alike, and a root is self-issued', async () => {
    const fromDer = await parseCertificate(der(root))
    const fromPem = await parseCertificate(root.pem)
    const fromX5c = await parseCertificate(root.x5c)
    expect(fromDer).toEqual(fromPem)
    expect(fromX5c).toEqual(fromPem)
    expect(fromPem.selfIssued).toBe(true)
    expect(await jwkThumbprint(fromPem.publicJwk!)).toMatch(/^[\w-]{43}$/)
  })

  it('parses a PEM bundle and a list in order', async () => {
    const bundle = await parseCertificates(leaf.pem + intermediate.pem)
    expect(bundle.map((c) => c.subject)).toEqual(['CN=credsign test leaf', 'CN=credsign test int'])
    const list = await parseCertificates([leaf.x5c, der(intermediate), root.pem])
    expect(list.map((c) => c.subject)).toEqual([
      'CN=credsign test leaf',
      'CN=credsign test int',
      'CN=credsign test root',
    ])
  })

  it('a key type credsign does not sign with (Ed448) parses with publicJwk undefined', async () => {
    const dir = ca.dir
    execFileSync('openssl', ['genpkey', '-algorithm', 'Ed448', '-out', 'ed448.key'], { cwd: dir })
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-new',
        '-key',
        'ed448.key',
        '-subj',
        '/CN=ed448',
        '-days',
        '1',
        '-out',
        'ed448.pem',
      ],
      { cwd: dir },
    )
    const summary = await parseCertificate(readFileSync(join(dir, 'ed448.pem'), 'utf8'))
    expect(summary.publicJwk).toBeUndefined()
    expect(summary.publicKeyAlgorithm).toBe('1.3.101.113')
  })
})

describe('parseCertificate refuses malformed input with certificate_invalid', () => {
  it('trailing bytes, truncation, garbage, wrong PEM label, bad base64, oversize', async () => {
    const bytes = der(leaf)
    const withTrailing = new Uint8Array([...bytes, 0])
    expect(await code(parseCertificate(withTrailing))).toBe('certificate_invalid')
    expect(await code(parseCertificate(bytes.subarray(0, bytes.length - 1)))).toBe(
      'certificate_invalid',
    )
    expect(await code(parseCertificate(new Uint8Array([0x30, 0x00])))).toBe('certificate_invalid')
    expect(await code(parseCertificate(new Uint8Array(0)))).toBe('certificate_invalid')
    expect(await code(parseCertificate(ca.keyPem('leaf')))).toBe('certificate_invalid')
    expect(await code(parseCertificate(leaf.pem + intermediate.pem))).toBe('certificate_invalid')
    expect(await code(parseCertificate(leaf.x5c.replace(/\+/g, '-').replace(/\//g, '_')))).toMatch(
      /^certificate_invalid$/,
    )
    expect(await code(parseCertificate('not base64!'))).toBe('certificate_invalid')
    expect(await code(parseCertificate(new Uint8Array(17 * 1024)))).toBe('certificate_invalid')
    expect(await code(parseCertificate(42 as unknown as string))).toBe('invalid_argument')
    expect(await code(parseCertificates([]))).toBe('certificate_invalid')
    expect(await code(parseCertificates(Array(11).fill(leaf.x5c)))).toBe('certificate_invalid')
  })

  it('a BER (non-minimal) length is refused, though a lenient parser reads it', async () => {
    const bytes = der(leaf)
    // Re-encode the outer SEQUENCE length in a longer form than needed (0x82 LL LL → 0x83 00 LL LL).
    expect(bytes[1]).toBe(0x82)
    const ber = new Uint8Array([0x30, 0x83, 0x00, ...bytes.subarray(2)])
    expect(await code(parseCertificate(ber))).toBe('certificate_invalid')
  })

  it('an extension that appears twice is refused (RFC 5280 section 4.2)', async () => {
    // openssl refuses to write a duplicate, so patch one: rename the extKeyUsage OID (2.5.29.37) to
    // basicConstraints (2.5.29.19), which is already present.
    const twice = patched(der(leaf), [0x06, 0x03, 0x55, 0x1d, 0x25], [0x06, 0x03, 0x55, 0x1d, 0x13])
    expect(await code(parseCertificate(twice))).toBe('certificate_invalid')
  })

  it('a malformed known extension is an error, not an absent extension', async () => {
    // keyUsage's BIT STRING (03 02 06 c0: digitalSignature, nonRepudiation) with 8 unused bits.
    const bytes = der(leaf)
    const badUsage = patched(bytes, [0x03, 0x02, 0x06, 0xc0], [0x03, 0x02, 0x08, 0xc0])
    expect(await code(parseCertificate(badUsage))).toBe('certificate_invalid')
    // basicConstraints cA BOOLEAN 0x01 (BER TRUE, not DER): intermediate's 30 06 01 01 ff 02 01 00
    const intBytes = der(intermediate)
    const berTrue = patched(
      intBytes,
      [0x01, 0x01, 0xff, 0x02, 0x01, 0x00],
      [0x01, 0x01, 0x01, 0x02, 0x01, 0x00],
    )
    expect(await code(parseCertificate(berTrue))).toBe('certificate_invalid')
    // a NUL inside a dNSName: 'issuer.example' → 'issuer\0example'
    const nul = patched(
      bytes,
      [...Buffer.from('issuer.example')],
      [...Buffer.from('issuer'), 0, ...Buffer.from('example')],
    )
    expect(await code(parseCertificate(nul))).toBe('certificate_invalid')
  })

  it('a version [0] holding more than the INTEGER is refused', async () => {
    const [tbs, algorithm, signature] = readDerChildren(decodeDer(der(leaf)))
    if (tbs === undefined || algorithm === undefined || signature === undefined) throw new Error()
    const [, ...fields] = readDerChildren(tbs)
    const again = (element: { tag: number; value: Uint8Array }): Uint8Array =>
      encodeDer(element.tag, element.value)
    // [0] { INTEGER 2, NULL } instead of [0] { INTEGER 2 }
    const version = encodeDer(0xa0, encodeDer(0x02, new Uint8Array([2])), derNull())
    const bytes = encodeDer(
      0x30,
      encodeDer(0x30, version, ...fields.map(again)),
      again(algorithm),
      again(signature),
    )
    expect(await code(parseCertificate(bytes))).toBe('certificate_invalid')
  })

  it('TBS signature algorithm different from the outer one is refused (RFC 5280 4.1.1.2)', async () => {
    const bytes = der(leaf)
    // ecdsa-with-SHA256 (…04 03 02) appears twice; change the last one (the outer) to SHA384 (…04 03 03).
    const oid = Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])
    const at = Buffer.from(bytes).lastIndexOf(oid)
    const changed = bytes.slice()
    changed[at + oid.length - 1] = 0x03
    expect(await code(parseCertificate(changed))).toBe('certificate_invalid')
  })
})
