import {
  certificateInvalid,
  derBoolean,
  derChildren,
  derNode,
  derSmallInteger,
  oidString,
} from './der-reading.js'
import { toHex } from '../util/bytes.js'
import type { DerNode } from './der-reading.js'

/*
 * The certificate extensions credsign reads itself (RFC 5280 section 4.2), decoded strictly from
 * their DER: basicConstraints, keyUsage, extKeyUsage, subjectAltName, subject and authority key
 * identifiers. A known extension that does not decode makes the certificate invalid (a lenient
 * reader that drops it would turn "CA:FALSE" into "no constraint"); others are kept as raw bytes.
 */

/**
 * OIDs of the extensions read here (id-ce, RFC 5280 section 4.2.1).
 *
 * @example
 *
 * ```ts
 * import { EXTENSION_OID } from './extensions.js'
 * EXTENSION_OID.basicConstraints // '2.5.29.19'
 * ```
 *
 * @internal
 */
export const EXTENSION_OID = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
} as const

/**
 * The keyUsage bits (RFC 5280 section 4.2.1.3), in bit order.
 *
 * @example
 *
 * ```ts
 * import type { CertificateKeyUsage } from 'credsign'
 * const usage: CertificateKeyUsage = 'digitalSignature'
 * ```
 */
export type CertificateKeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly'

const KEY_USAGE_BITS: readonly CertificateKeyUsage[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
]

/**
 * One extension as it appears in the certificate.
 *
 * @example
 *
 * ```ts
 * import type { CertificateExtension } from 'credsign'
 * declare const extension: CertificateExtension
 * if (extension.critical && extension.oid === '2.5.29.30') console.log('name constraints')
 * ```
 */
export interface CertificateExtension {
  /** The extnID in dotted form, e.g. `2.5.29.19` (basicConstraints). */
  readonly oid: string
  readonly critical: boolean
  /** The extnValue contents: the DER of the extension's own structure. */
  readonly value: Uint8Array
}

/**
 * The subjectAltName entries credsign reads (RFC 5280 section 4.2.1.6). Other name forms
 * (otherName, directoryName, …) are counted in `other`, not decoded.
 *
 * @example
 *
 * ```ts
 * import type { SubjectAltNames } from 'credsign'
 * declare const san: SubjectAltNames
 * san.dns.includes('issuer.example')
 * ```
 */
export interface SubjectAltNames {
  /** DNSName entries. */
  readonly dns: readonly string[]
  /** UniformResourceIdentifier entries. */
  readonly uri: readonly string[]
  /** Rfc822Name (e-mail) entries. */
  readonly email: readonly string[]
  /** IPAddress entries: dotted IPv4 or full lowercase IPv6 (eight groups). */
  readonly ip: readonly string[]
  /** How many entries of other forms there are. */
  readonly other: number
}

/**
 * BasicConstraints (RFC 5280 section 4.2.1.9).
 *
 * @example
 *
 * ```ts
 * import type { BasicConstraints } from 'credsign'
 * const intermediate: BasicConstraints = { ca: true, pathLength: 0 }
 * ```
 */
export interface BasicConstraints {
  readonly ca: boolean
  /** PathLenConstraint, when present. */
  readonly pathLength?: number
}

/**
 * What the known extensions say, decoded.
 *
 * @example
 *
 * ```ts
 * import { readExtensions } from './extensions.js'
 * const known: KnownExtensions = readExtensions([])
 * known.basicConstraints // undefined
 * ```
 *
 * @internal
 */
export interface KnownExtensions {
  readonly basicConstraints?: BasicConstraints
  readonly keyUsage?: readonly CertificateKeyUsage[]
  readonly extendedKeyUsage?: readonly string[]
  readonly subjectAltName?: SubjectAltNames
  readonly subjectKeyIdentifier?: string
  readonly authorityKeyIdentifier?: string
}

/**
 * The Extensions SEQUENCE (the contents of the `[3]` of a TBSCertificate) as a list. Errors:
 * `certificate_invalid` (bad DER, an extension twice, RFC 5280 section 4.2).
 *
 * @example
 *
 * ```ts
 * import { extensionList } from './extensions.js'
 * extensionList(new Uint8Array([0x30, 0x00])) // throws: SIZE (1..MAX)
 * ```
 *
 * @internal
 */
export function extensionList(sequence: Uint8Array): CertificateExtension[] {
  const entries = derChildren(derNode(sequence, 0x30, 'extensions'), 0x30, 'extensions')
  if (entries.length === 0) throw certificateInvalid('empty extensions')
  const seen = new Set<string>()
  return entries.map((entry) => {
    const parts = derChildren(entry, 0x30, 'extension')
    const [id, second, third] = parts
    if (id === undefined || second === undefined || parts.length > 3 || id.tag !== 0x06)
      throw certificateInvalid('bad extension')
    const oid = oidString(id.value)
    if (seen.has(oid)) throw certificateInvalid(`extension ${oid} appears twice`)
    seen.add(oid)
    const critical = third === undefined ? false : derBoolean(second, 'extension critical')
    const valueNode = third ?? second
    if (valueNode.tag !== 0x04) throw certificateInvalid('extension value is not an OCTET STRING')
    return { oid, critical, value: valueNode.value }
  })
}

/**
 * Decodes the extensions credsign reads. Errors: `certificate_invalid` (one of them malformed).
 *
 * @example
 *
 * ```ts
 * import { readExtensions } from './extensions.js'
 * readExtensions([]).keyUsage // undefined
 * ```
 *
 * @internal
 */
export function readExtensions(extensions: readonly CertificateExtension[]): KnownExtensions {
  const byOid = new Map(extensions.map((extension) => [extension.oid, extension.value]))
  const value = (oid: string): Uint8Array | undefined => byOid.get(oid)
  const basic = value(EXTENSION_OID.basicConstraints)
  const usage = value(EXTENSION_OID.keyUsage)
  const extended = value(EXTENSION_OID.extKeyUsage)
  const san = value(EXTENSION_OID.subjectAltName)
  const ski = value(EXTENSION_OID.subjectKeyIdentifier)
  const aki = value(EXTENSION_OID.authorityKeyIdentifier)
  const authorityKeyIdentifier = aki === undefined ? undefined : readAuthorityKeyId(aki)
  return {
    ...(basic !== undefined && { basicConstraints: readBasicConstraints(basic) }),
    ...(usage !== undefined && { keyUsage: readKeyUsage(usage) }),
    ...(extended !== undefined && { extendedKeyUsage: readExtendedKeyUsage(extended) }),
    ...(san !== undefined && { subjectAltName: readSubjectAltName(san) }),
    ...(ski !== undefined && { subjectKeyIdentifier: toHex(derNode(ski, 0x04, 'SKI').value) }),
    ...(authorityKeyIdentifier !== undefined && { authorityKeyIdentifier }),
  }
}

function readBasicConstraints(value: Uint8Array): BasicConstraints {
  const parts = derChildren(derNode(value, 0x30, 'basicConstraints'), 0x30, 'basicConstraints')
  let ca = false
  let pathLength: number | undefined
  let index = 0
  const first = parts[index]
  if (first?.tag === 0x01) {
    ca = derBoolean(first, 'basicConstraints cA')
    index++
  }
  const second = parts[index]
  if (second !== undefined) {
    pathLength = derSmallInteger(second, 'basicConstraints pathLenConstraint')
    index++
  }
  if (index !== parts.length) throw certificateInvalid('basicConstraints has extra elements')
  return pathLength === undefined ? { ca } : { ca, pathLength }
}

function readKeyUsage(value: Uint8Array): CertificateKeyUsage[] {
  const bits = derNode(value, 0x03, 'keyUsage').value
  const unused = bits[0]
  if (unused === undefined || unused > 7 || (bits.length === 1 && unused !== 0))
    throw certificateInvalid('bad keyUsage BIT STRING')
  const usages: CertificateKeyUsage[] = []
  const bitCount = (bits.length - 1) * 8 - unused
  for (let bit = 0; bit < bitCount; bit++) {
    const set = (((bits[1 + (bit >> 3)] as number) >> (7 - (bit & 7))) & 1) === 1
    if (!set) continue
    const name = KEY_USAGE_BITS[bit]
    if (name === undefined) throw certificateInvalid('keyUsage sets an undefined bit')
    usages.push(name)
  }
  return usages
}

function readExtendedKeyUsage(value: Uint8Array): string[] {
  const oids = derChildren(derNode(value, 0x30, 'extKeyUsage'), 0x30, 'extKeyUsage')
  if (oids.length === 0) throw certificateInvalid('empty extKeyUsage')
  return oids.map((node) => {
    if (node.tag !== 0x06) throw certificateInvalid('extKeyUsage entry is not an OID')
    return oidString(node.value)
  })
}

// IA5String contents of dNSName, URI and rfc822Name: printable ASCII only (no spaces, no
// controls): a NUL or a space in a name is how "issuer.example\0.evil" tricks start.
function ia5(node: DerNode, what: string): string {
  if (node.value.length === 0 || node.value.some((byte) => byte < 0x21 || byte > 0x7e))
    throw certificateInvalid(`${what} is empty or not printable ASCII`)
  let text = ''
  for (const byte of node.value) text += String.fromCharCode(byte)
  return text
}

function readSubjectAltName(value: Uint8Array): SubjectAltNames {
  const names = derChildren(derNode(value, 0x30, 'subjectAltName'), 0x30, 'subjectAltName')
  if (names.length === 0) throw certificateInvalid('empty subjectAltName')
  const dns: string[] = []
  const uri: string[] = []
  const email: string[] = []
  const ip: string[] = []
  let other = 0
  for (const name of names) {
    switch (name.tag) {
      case 0x81:
        email.push(ia5(name, 'rfc822Name'))
        break
      case 0x82:
        dns.push(ia5(name, 'dNSName'))
        break
      case 0x86:
        uri.push(ia5(name, 'uniformResourceIdentifier'))
        break
      case 0x87:
        ip.push(ipAddress(name.value))
        break
      default:
        // otherName [0], x400Address [3], directoryName [4], ediPartyName [5], registeredID [8]
        if ((name.tag & 0xc0) !== 0x80 || (name.tag & 0x1f) > 8)
          throw certificateInvalid('bad GeneralName')
        other++
    }
  }
  return { dns, uri, email, ip, other }
}

function ipAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.')
  if (bytes.length === 16) {
    const groups: string[] = []
    for (let i = 0; i < 16; i += 2)
      groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16))
    return groups.join(':')
  }
  throw certificateInvalid('iPAddress is neither 4 nor 16 octets')
}

function readAuthorityKeyId(value: Uint8Array): string | undefined {
  const parts = derChildren(
    derNode(value, 0x30, 'authorityKeyIdentifier'),
    0x30,
    'authorityKeyIdentifier',
  )
  for (const part of parts) {
    if (part.tag !== 0x80 && part.tag !== 0xa1 && part.tag !== 0x82)
      throw certificateInvalid('bad authorityKeyIdentifier')
  }
  const keyId = parts.find((part) => part.tag === 0x80)
  return keyId === undefined ? undefined : toHex(keyId.value)
}
