import type * as Pkijs from 'pkijs'
import { CredsignError } from '../errors/credsign-error.js'
import { toHex } from '../util/bytes.js'
import { derChildren, derNode, oidString } from './der-reading.js'
import type { DerNode } from './der-reading.js'
import type { DecodedCertificate } from './parse.js'

/*
 * RFC 5280 section 4.2.1.10 name constraints, checked by credsign itself for every CA of a path
 * separately. pkijs checks them too, but it merges the subtrees of every CA into one list and
 * accepts a name that any of them permits: an intermediate could then widen what its root allowed
 * (test/node/x509-verify.test.ts has the chain). RFC 5280 intersects them: a name must satisfy the
 * constraints of every CA above it. Checked here: dNSName, uniformResourceIdentifier, rfc822Name
 * (the subject's emailAddress too), iPAddress and directoryName (the subject); a constraint of any
 * other form (otherName, x400Address, ediPartyName, registeredID) is refused, since it cannot be
 * evaluated. pkijs' own directoryName check is looser than RFC 5280 (it unions the CAs' subtrees,
 * and finds a subtree's RDNs anywhere in the name, not as its first RDNs), and it never applies an
 * excluded rfc822Name to the subject's emailAddress: test/node/x509-path-differential.test.ts has
 * a chain for each, which OpenSSL refuses.
 */

/** GeneralName CHOICE tags (RFC 5280 section 4.2.1.6). */
const FORM = { rfc822Name: 1, dNSName: 2, directoryName: 4, uri: 6, iPAddress: 7 } as const

/** The names of one certificate a constraint applies to. */
export interface ConstrainedNames {
  dns: readonly string[]
  uri: readonly string[]
  /** The rfc822Name SAN entries, and the subject's emailAddress (and mail) attributes. */
  email: readonly string[]
  /** IPAddress SAN entries, 4 or 16 bytes. */
  ip: readonly Uint8Array[]
  /** The subject Name's DER, when it has at least one RDN (an empty subject names nothing). */
  directoryNames?: readonly Uint8Array[]
  /**
   * How many subjectAltName entries are of a form credsign does not read (a directoryName among
   * them, say): a directoryName constraint cannot tell whether they are within it.
   */
  unreadAltNames?: number
}

/**
 * The names of a certificate that name constraints apply to: its subjectAltName entries as
 * credsign's strict reader decoded them (parse.ts), the same entries the issuer binding compares
 * with `iss`, and its subject: the whole Name (directoryName constraints) and its emailAddress
 * attributes (rfc822Name constraints: RFC 5280 section 4.2.1.10 requires it without a
 * subjectAltName; OpenSSL does it always, and so does credsign). Not pkijs' parse of the extension:
 * pkijs leaves an extension it cannot read (a GeneralName of a form it does not expect, which the
 * strict reader counts in `other`) without names, and a constraint would then see none of the names
 * the binding accepts.
 *
 * @example
 *
 * ```ts
 * declare const leaf: import('./parse.js').DecodedCertificate
 * constrainedNames(leaf).dns // ['issuer.example']
 * ```
 *
 * @internal
 */
export function constrainedNames(
  certificate: Pick<DecodedCertificate, 'summary' | 'subjectDer'>,
): ConstrainedNames {
  const rdns = nameRdns(certificate.subjectDer, 'the subject')
  const subjectEmails = rdns
    .flat()
    .filter((attribute) => EMAIL_ATTRIBUTES.has(attribute.type) && attribute.text !== undefined)
    .map((attribute) => attribute.text as string)
  const directoryNames = rdns.length === 0 ? [] : [certificate.subjectDer]
  const san = certificate.summary.subjectAltName
  if (san === undefined)
    return { dns: [], uri: [], email: subjectEmails, ip: [], directoryNames, unreadAltNames: 0 }
  return {
    dns: san.dns,
    uri: san.uri,
    email: [...san.email, ...subjectEmails],
    ip: san.ip.map(ipBytes),
    directoryNames,
    unreadAltNames: san.other,
  }
}

/** EmailAddress (PKCS #9) and mail (RFC 4524): the subject attributes holding a mailbox. */
const EMAIL_ATTRIBUTES: ReadonlySet<string> = new Set([
  '1.2.840.113549.1.9.1',
  '0.9.2342.19200300.100.1.3',
])

/** One AttributeTypeAndValue of a Name: its type, its text (string types), its DER. */
interface NameAttribute {
  type: string
  text: string | undefined
  encoded: Uint8Array
}

/**
 * The RDNs read so far, by the DER's bytes object: a subject is compared with every directoryName
 * subtree of every CA above it, and a subtree with the subject of every certificate below it; each
 * is read once, not once per comparison (quadratic in attacker-sized subtree and RDN counts).
 */
const readNames = new WeakMap<Uint8Array, NameAttribute[][]>()

/** The RDNs of a Name's DER (SEQUENCE OF SET OF AttributeTypeAndValue), first RDN first. */
function nameRdns(nameDer: Uint8Array, what: string): NameAttribute[][] {
  const known = readNames.get(nameDer)
  if (known !== undefined) return known
  const rdns = readNameRdns(nameDer, what)
  readNames.set(nameDer, rdns)
  return rdns
}

function readNameRdns(nameDer: Uint8Array, what: string): NameAttribute[][] {
  return derChildren(derNode(nameDer, 0x30, what), 0x30, what).map((rdn) =>
    derChildren(rdn, 0x31, what).map((attribute) => {
      const [type, value] = derChildren(attribute, 0x30, what) as [DerNode?, DerNode?]
      if (type?.tag !== 0x06 || value === undefined)
        throw new CredsignError('certificate_invalid', `${what}: a bad AttributeTypeAndValue`)
      return {
        type: oidString(type.value),
        text: directoryText(value, what),
        encoded: value.encoded,
      }
    }),
  )
}

/**
 * UTF-8 as it is: an invalid sequence throws (a non-fatal decoder makes each one U+FFFD, so names
 * of other bytes would compare equal), and a leading BOM stays a character.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * The text of a DirectoryString (or IA5String) value; undefined for other types. Each reading is
 * one-to-one, so two values compare equal only when their bytes mean the same text: a UTF8String
 * that is not UTF-8 is `certificate_invalid` (OpenSSL cannot decode such a Name, its canonical form
 * needs the UTF-8), and the one-byte types are read byte by byte, as OpenSSL reads them, so a
 * PrintableString's bytes C3 A9 are "Ã©", not the UTF8String "é".
 */
function directoryText(value: DerNode, what: string): string | undefined {
  switch (value.tag) {
    case 0x0c: // UTF8String
      try {
        return strictUtf8.decode(value.value)
      } catch (cause) {
        throw new CredsignError('certificate_invalid', `${what}: a UTF8String that is not UTF-8`, {
          cause,
        })
      }
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
    case 0x14: {
      // TeletexString, read as ISO 8859-1 (as OpenSSL does), and the types of ASCII subsets: a
      // byte over 0x7F is not theirs, and OpenSSL reads it as ISO 8859-1 too. A loop, not
      // fromCharCode(...bytes): spreading a long value overflows the stack (a RangeError).
      let text = ''
      for (const byte of value.value) text += String.fromCharCode(byte)
      return text
    }
    case 0x1e: {
      // BMPString (UCS-2, big-endian; decoded by hand: not every runtime's TextDecoder has utf-16be)
      let text = ''
      for (let i = 0; i + 1 < value.value.length; i += 2)
        text += String.fromCharCode(
          ((value.value[i] as number) << 8) | (value.value[i + 1] as number),
        )
      return text
    }
    case 0x1c: {
      // UniversalString (UCS-4); a value beyond Unicode compares by its DER.
      let text = ''
      for (let i = 0; i + 3 < value.value.length; i += 4) {
        const codePoint =
          (((value.value[i] as number) << 24) |
            ((value.value[i + 1] as number) << 16) |
            ((value.value[i + 2] as number) << 8) |
            (value.value[i + 3] as number)) >>>
          0
        if (codePoint > 0x10ffff) return undefined
        text += String.fromCodePoint(codePoint)
      }
      return text
    }
    default:
      return undefined
  }
}

/** The octets of an iPAddress as extensions.ts prints it: dotted IPv4, or eight hex groups. */
function ipBytes(text: string): Uint8Array {
  if (text.includes('.')) return new Uint8Array(text.split('.').map(Number))
  const bytes = new Uint8Array(16)
  text.split(':').forEach((group, i) => {
    const value = Number.parseInt(group, 16)
    bytes[2 * i] = value >> 8
    bytes[2 * i + 1] = value & 0xff
  })
  return bytes
}

/** The permitted and excluded subtrees of one CA certificate, or undefined when it has none. */
export interface NameConstraintSet {
  permitted: Pkijs.GeneralSubtree[]
  excluded: Pkijs.GeneralSubtree[]
}

/**
 * The nameConstraints of `certificate`, or undefined. Throws `certificate_name_constraints` for a
 * nameConstraints extension that does not decode, or uses a form credsign cannot evaluate.
 *
 * @example
 *
 * ```ts
 * declare const ca: import('pkijs').Certificate
 * nameConstraintsOf(ca)?.permitted.length
 * ```
 *
 * @internal
 */
export function nameConstraintsOf(certificate: Pkijs.Certificate): NameConstraintSet | undefined {
  const extension = certificate.extensions?.find((entry) => entry.extnID === '2.5.29.30')
  if (extension === undefined) return undefined
  const parsed = extension.parsedValue as Pkijs.NameConstraints | undefined
  // pkijs keeps an empty NameConstraints with `parsingError` for one it cannot read: no subtrees
  // would mean no constraint.
  if (parsed === undefined || typeof parsed !== 'object' || 'parsingError' in parsed)
    throw violation('a nameConstraints extension does not decode')
  const set = { permitted: parsed.permittedSubtrees ?? [], excluded: parsed.excludedSubtrees ?? [] }
  for (const subtree of [...set.permitted, ...set.excluded]) {
    if (!Object.values(FORM).includes(subtree.base.type as 1))
      throw violation(
        `a name constraint of GeneralName form ${subtree.base.type} cannot be checked`,
      )
  }
  return set
}

/**
 * Throws `certificate_name_constraints` unless every name of `names` is permitted by `set` (for
 * each form with permitted subtrees, one of them matches) and none is excluded. `subject` names the
 * certificate in the message.
 *
 * @example
 *
 * ```ts
 * checkNameConstraints(
 *   set,
 *   { dns: ['issuer.example'], uri: [], email: [], ip: [] },
 *   'the leaf',
 * )
 * ```
 *
 * @internal
 */
export function checkNameConstraints(
  set: NameConstraintSet,
  names: ConstrainedNames,
  subject: string,
): void {
  const forms: [number, readonly (string | Uint8Array)[]][] = [
    [FORM.dNSName, names.dns],
    [FORM.uri, names.uri],
    [FORM.rfc822Name, names.email],
    [FORM.iPAddress, names.ip],
    [FORM.directoryName, names.directoryNames ?? []],
  ]
  for (const [form, values] of forms) {
    const permitted = set.permitted.filter((subtree) => subtree.base.type === form)
    const excluded = set.excluded.filter((subtree) => subtree.base.type === form)
    if (
      form === FORM.directoryName &&
      permitted.length + excluded.length > 0 &&
      (names.unreadAltNames ?? 0) > 0
    )
      throw violation(
        `${subject}: a subjectAltName entry of a form credsign does not read (a directoryName, say) cannot be checked against directoryName constraints`,
      )
    for (const value of values) {
      if (
        permitted.length > 0 &&
        !permitted.some((subtree) => matches(form, value, subtree, 'permitted'))
      )
        throw violation(`${subject}: ${shown(value)} is outside the permitted name subtrees`)
      if (excluded.some((subtree) => matches(form, value, subtree, 'excluded')))
        throw violation(`${subject}: ${shown(value)} is in an excluded name subtree`)
    }
  }
}

function violation(message: string): CredsignError {
  return new CredsignError('certificate_name_constraints', message)
}

function shown(value: string | Uint8Array): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 80))
  return value.length === 4 || value.length === 16 ? 'an IP address' : 'the subject name'
}

function matches(
  form: number,
  value: string | Uint8Array,
  subtree: Pkijs.GeneralSubtree,
  kind: 'permitted' | 'excluded',
): boolean {
  const base: unknown = subtree.base.value
  if (form === FORM.directoryName)
    return value instanceof Uint8Array && directoryNameWithin(value, base, kind)
  if (form === FORM.iPAddress) {
    const range = (base as { valueBlock?: { valueHexView?: Uint8Array } }).valueBlock?.valueHexView
    return value instanceof Uint8Array && range !== undefined && ipInRange(value, range)
  }
  if (typeof value !== 'string' || typeof base !== 'string') return false
  if (form === FORM.dNSName) return dnsWithin(value, base)
  if (form === FORM.uri) {
    const host = uriHost(value)
    // RFC 5280: a URI without a host name cannot satisfy a URI constraint.
    return host !== undefined && hostWithin(host, base)
  }
  return emailWithin(value, base)
}

/**
 * DirectoryName (RFC 5280 sections 4.2.1.10 and 7.1): the name's first RDNs are the constraint's,
 * RDN by RDN, each with the same attributes. Values of string types compare with surrounding spaces
 * trimmed, inner runs of spaces as one, and case ignored: ASCII spaces and case for a permitted
 * subtree (as OpenSSL, so credsign permits no name OpenSSL refuses), any Unicode space and case for
 * an excluded one (so a name spelled in other case or spacing stays excluded). Other values compare
 * by their DER.
 */
function directoryNameWithin(
  nameDer: Uint8Array,
  base: unknown,
  kind: 'permitted' | 'excluded',
): boolean {
  const before = (base as { valueBeforeDecode?: unknown } | undefined)?.valueBeforeDecode
  if (!(before instanceof ArrayBuffer) || before.byteLength === 0)
    throw violation('a directoryName constraint does not decode')
  let constraint: NameAttribute[][]
  try {
    constraint = nameRdns(constraintView(before), 'a directoryName constraint')
  } catch (error) {
    throw new CredsignError(
      'certificate_name_constraints',
      'a directoryName constraint does not decode',
      { cause: error },
    )
  }
  const name = nameRdns(nameDer, 'the subject')
  if (constraint.length > name.length) return false
  const key = (attribute: NameAttribute): string => {
    if (attribute.text === undefined) return `${attribute.type}#${toHex(attribute.encoded)}`
    const folded =
      kind === 'excluded'
        ? attribute.text.trim().replace(/\s+/g, ' ').toLowerCase()
        : attribute.text
            .replace(ASCII_SPACE_AT_ENDS, '')
            .replace(ASCII_SPACES, ' ')
            .replace(/[A-Z]/g, (letter) => letter.toLowerCase())
    return `${attribute.type}=${folded}`
  }
  return constraint.every((rdn, i) => {
    const other = (name[i] as NameAttribute[]).map(key)
    return rdn.length === other.length && rdn.every((attribute) => other.includes(key(attribute)))
  })
}

/** OpenSSL's isspace (asn1_string_canon): String.trim() and \s also take U+00A0, U+3000 and more. */
const ASCII_SPACE_AT_ENDS = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g
const ASCII_SPACES = /[ \t\n\v\f\r]+/g

/** One view per constraint's bytes, so {@link nameRdns} reads each constraint once. */
const constraintViews = new WeakMap<ArrayBuffer, Uint8Array>()
function constraintView(bytes: ArrayBuffer): Uint8Array {
  let view = constraintViews.get(bytes)
  if (view === undefined) {
    view = new Uint8Array(bytes)
    constraintViews.set(bytes, view)
  }
  return view
}

/** DNSName: the name is the constraint or a subdomain of it (a leading dot: subdomains only). */
function dnsWithin(name: string, constraint: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '')
  const c = constraint.toLowerCase().replace(/\.$/, '')
  if (c === '') return true
  if (c.startsWith('.')) return n.endsWith(c)
  return n === c || n.endsWith(`.${c}`)
}

/** URI host: `.example.com` any host below it; `example.com` exactly that host. */
function hostWithin(host: string, constraint: string): boolean {
  const h = host.toLowerCase()
  const c = constraint.toLowerCase()
  return c.startsWith('.') ? h.endsWith(c) : h === c
}

/** Rfc822Name: `user@host` that mailbox, `host` every mailbox there, `.host` those below it. */
function emailWithin(address: string, constraint: string): boolean {
  const a = address.toLowerCase()
  const c = constraint.toLowerCase()
  if (c.includes('@')) return a === c
  const host = a.slice(a.lastIndexOf('@') + 1)
  return c.startsWith('.') ? host.endsWith(c) : host === c
}

function uriHost(uri: string): string | undefined {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(uri)
  const host = match?.[1]
  return host === undefined || host === '' ? undefined : host
}

function ipInRange(address: Uint8Array, range: Uint8Array): boolean {
  if (range.length !== address.length * 2) return false
  for (let i = 0; i < address.length; i++) {
    const mask = range[address.length + i] as number
    if (((address[i] as number) & mask) !== ((range[i] as number) & mask)) return false
  }
  return true
}
