import type * as Pkijs from 'pkijs'
import { CredsignError } from '../errors/credsign-error.js'
import type { CertificateSummary } from './parse.js'

/*
 * RFC 5280 section 4.2.1.10 name constraints, checked by credsign itself for every CA of a path
 * separately. pkijs checks them too, but it merges the subtrees of every CA into one list and
 * accepts a name that any of them permits: an intermediate could then widen what its root allowed
 * (test/node/x509-verify.test.ts has the chain). RFC 5280 intersects them: a name must satisfy the
 * constraints of every CA above it. Checked here: dNSName, uniformResourceIdentifier, rfc822Name
 * and iPAddress; directoryName constraints are left to pkijs; a constraint of any other form
 * (otherName, x400Address, ediPartyName, registeredID) is refused, since it cannot be evaluated.
 */

/** GeneralName CHOICE tags (RFC 5280 section 4.2.1.6). */
const FORM = { rfc822Name: 1, dNSName: 2, directoryName: 4, uri: 6, iPAddress: 7 } as const

/** The names of one certificate a constraint applies to. */
export interface ConstrainedNames {
  dns: readonly string[]
  uri: readonly string[]
  email: readonly string[]
  /** IPAddress SAN entries, 4 or 16 bytes. */
  ip: readonly Uint8Array[]
}

/**
 * The names of a certificate that name constraints apply to: its subjectAltName entries as
 * credsign's strict reader decoded them (parse.ts), the same entries the issuer binding compares
 * with `iss`. Not pkijs' parse of the extension: pkijs leaves an extension it cannot read (a
 * GeneralName of a form it does not expect, which the strict reader counts in `other`) without
 * names, and a constraint would then see none of the names the binding accepts.
 *
 * @example
 *
 * ```ts
 * declare const leaf: import('./parse.js').CertificateSummary
 * constrainedNames(leaf).dns // ['issuer.example']
 * ```
 *
 * @internal
 */
export function constrainedNames(certificate: CertificateSummary): ConstrainedNames {
  const san = certificate.subjectAltName
  if (san === undefined) return { dns: [], uri: [], email: [], ip: [] }
  return { dns: san.dns, uri: san.uri, email: san.email, ip: san.ip.map(ipBytes) }
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
  ]
  for (const [form, values] of forms) {
    const permitted = set.permitted.filter((subtree) => subtree.base.type === form)
    const excluded = set.excluded.filter((subtree) => subtree.base.type === form)
    for (const value of values) {
      if (permitted.length > 0 && !permitted.some((subtree) => matches(form, value, subtree)))
        throw violation(`${subject}: ${shown(value)} is outside the permitted name subtrees`)
      if (excluded.some((subtree) => matches(form, value, subtree)))
        throw violation(`${subject}: ${shown(value)} is in an excluded name subtree`)
    }
  }
}

function violation(message: string): CredsignError {
  return new CredsignError('certificate_name_constraints', message)
}

function shown(value: string | Uint8Array): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : 'an IP address'
}

function matches(form: number, value: string | Uint8Array, subtree: Pkijs.GeneralSubtree): boolean {
  const base: unknown = subtree.base.value
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
