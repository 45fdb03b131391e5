import type * as Pkijs from 'pkijs'
import { CredsignError } from '../errors/credsign-error.js'
import { constantTimeEqual, toArrayBufferView, toHex } from '../util/bytes.js'
import type { PublicJwk } from '../keys/types.js'
import {
  certificateInvalid,
  derBitStringOctets,
  derChildren,
  derNode,
  derSmallInteger,
  oidString,
} from './der-reading.js'
import type { DerNode } from './der-reading.js'
import { extensionList, readExtensions } from './extensions.js'
import type {
  BasicConstraints,
  CertificateExtension,
  CertificateKeyUsage,
  SubjectAltNames,
} from './extensions.js'
import { distinguishedName } from './names.js'
import { loadPkijs } from './pkijs.js'
import { codecs } from './core-codecs.js'

/*
 * X.509 certificates (RFC 5280) to a typed summary. Two readers, on purpose: the structure and the
 * extensions credsign decides on (basicConstraints, keyUsage, subjectAltName, key identifiers) are
 * read strictly from the DER here (minimal lengths, nothing trailing, each extension once, the
 * inner and outer signature algorithms equal); pkijs parses the same bytes for what it is good at
 * (names, times) and is the object path validation and signature checks run on.
 */

/**
 * A certificate larger than this is not an issuer certificate; refused unread.
 *
 * @example
 *
 * ```ts
 * import { MAX_CERTIFICATE_BYTES } from './parse.js'
 * MAX_CERTIFICATE_BYTES // 16384
 * ```
 *
 * @internal
 */
export const MAX_CERTIFICATE_BYTES = 16 * 1024

/**
 * A chain longer than this (leaf included) is refused: HAIP chains are 2 or 3 certificates.
 *
 * @example
 *
 * ```ts
 * import { MAX_CHAIN_LENGTH } from './parse.js'
 * MAX_CHAIN_LENGTH // 10
 * ```
 *
 * @internal
 */
export const MAX_CHAIN_LENGTH = 10

/**
 * A certificate as credsign accepts it: DER bytes, a PEM `CERTIFICATE` block, or the standard
 * base64 of the DER (an `x5c` entry, RFC 7515 section 4.1.6).
 *
 * @example
 *
 * ```ts
 * import type { CertificateInput } from 'credsign'
 * declare const pem: string
 * const input: CertificateInput = pem // '-----BEGIN CERTIFICATE-----\n…'
 * ```
 */
export type CertificateInput = string | Uint8Array

/**
 * What a certificate says, decoded. Dates are ISO 8601; names are RFC 4514 strings (most
 * significant last, as `openssl x509 -nameopt RFC2253` prints them), for display: compare names by
 * their DER, never by these strings.
 *
 * @example
 *
 * ```ts
 * import { parseCertificate } from 'credsign'
 * declare const pem: string
 * const certificate = await parseCertificate(pem)
 * console.log(certificate.subject, certificate.notAfter, certificate.subjectAltName?.dns)
 * ```
 */
export interface CertificateSummary {
  /** The certificate's DER. */
  readonly der: Uint8Array
  /** The standard base64 of the DER: the certificate's form in an `x5c` header. */
  readonly x5c: string
  /** 1, 2 or 3. */
  readonly version: number
  /** The serial number, lowercase hexadecimal (as encoded, without a sign octet). */
  readonly serialNumber: string
  /** The subject, RFC 4514. */
  readonly subject: string
  /** The issuer, RFC 4514. */
  readonly issuer: string
  /** Subject and issuer are the same name (byte for byte): a root or a self-issued certificate. */
  readonly selfIssued: boolean
  /** Start of validity, ISO 8601. */
  readonly notBefore: string
  /** End of validity, ISO 8601. */
  readonly notAfter: string
  /** The signature algorithm OID (e.g. `1.2.840.10045.4.3.2`, ecdsa-with-SHA256). */
  readonly signatureAlgorithm: string
  /** The subject public key's algorithm OID (e.g. `1.2.840.10045.2.1`, id-ecPublicKey). */
  readonly publicKeyAlgorithm: string
  /** The subject public key as a JWK; `undefined` for a key type credsign does not support. */
  readonly publicJwk: PublicJwk | undefined
  readonly subjectAltName?: SubjectAltNames
  readonly keyUsage?: readonly CertificateKeyUsage[]
  /** ExtKeyUsage purposes (OIDs). */
  readonly extendedKeyUsage?: readonly string[]
  readonly basicConstraints?: BasicConstraints
  /** SubjectKeyIdentifier, hexadecimal. */
  readonly subjectKeyIdentifier?: string
  /** The keyIdentifier of authorityKeyIdentifier, hexadecimal. */
  readonly authorityKeyIdentifier?: string
  /** Every extension, in certificate order (known ones included). */
  readonly extensions: readonly CertificateExtension[]
}

/**
 * A certificate decoded for credsign's own checks: the summary, the DER pieces names and keys are
 * compared by, and the pkijs object signatures and paths are checked on.
 *
 * @example
 *
 * ```ts
 * import { decodeCertificate } from './parse.js'
 * declare const der: Uint8Array
 * const decoded: DecodedCertificate = await decodeCertificate(der)
 * decoded.summary.subject
 * ```
 *
 * @internal
 */
export interface DecodedCertificate {
  readonly summary: CertificateSummary
  /** The issuer Name's DER. */
  readonly issuerDer: Uint8Array
  /** The subject Name's DER. */
  readonly subjectDer: Uint8Array
  /** The SubjectPublicKeyInfo's DER. */
  readonly spkiDer: Uint8Array
  /** The TBSCertificate's DER (what the signature covers). */
  readonly tbsDer: Uint8Array
  /** The signatureValue BIT STRING's contents (the unused-bits octet removed). */
  readonly signature: Uint8Array
  readonly pkijs: Pkijs.Certificate
}

function checkSize(der: Uint8Array): Uint8Array {
  if (der.length > MAX_CERTIFICATE_BYTES)
    throw certificateInvalid(`larger than ${MAX_CERTIFICATE_BYTES} bytes`)
  return der
}

function fromPem(text: string): Uint8Array[] {
  let blocks
  try {
    blocks = codecs().decodePem(text)
  } catch (error) {
    throw certificateInvalid('bad PEM', error)
  }
  const certificates = blocks.filter((block) => block.label === 'CERTIFICATE')
  if (certificates.length !== blocks.length)
    throw certificateInvalid('a PEM block is not a CERTIFICATE')
  return certificates.map((block) => checkSize(block.der))
}

function fromBase64(text: string): Uint8Array {
  // An x5c entry: standard base64 of the DER (RFC 7515 section 4.1.6), not base64url.
  if (text.length > ((MAX_CERTIFICATE_BYTES + 2) / 3) * 4 + 4)
    throw certificateInvalid(`larger than ${MAX_CERTIFICATE_BYTES} bytes`)
  let der: Uint8Array
  try {
    der = codecs().base64.decode(text)
  } catch (error) {
    throw certificateInvalid('not base64 (an x5c entry is standard base64 of the DER)', error)
  }
  return checkSize(der)
}

function isPem(text: string): boolean {
  return text.trimStart().startsWith('-----BEGIN')
}

/**
 * The DER of every certificate in `input`: a PEM bundle (several blocks, in order), or a list of
 * certificates (DER, PEM or x5c base64 each). Errors: `invalid_argument` (not a string, bytes or a
 * list of them), `certificate_invalid` (bad PEM or base64, no certificate, a certificate over 16
 * KiB, more than {@link MAX_CHAIN_LENGTH}).
 *
 * @example
 *
 * ```ts
 * import { certificateDers } from './parse.js'
 * declare const bundlePem: string
 * certificateDers(bundlePem).length // one entry per CERTIFICATE block
 * ```
 *
 * @internal
 */
export function certificateDers(
  input: CertificateInput | readonly CertificateInput[],
): Uint8Array[] {
  // A list longer than a chain is refused before any entry is decoded.
  if (Array.isArray(input) && input.length > MAX_CHAIN_LENGTH)
    throw certificateInvalid(`more than ${MAX_CHAIN_LENGTH} certificates`)
  const ders = Array.isArray(input)
    ? (input as readonly unknown[]).flatMap((entry) => {
        if (typeof entry === 'string' && isPem(entry)) return fromPem(entry)
        return [certificateDer(entry as CertificateInput)]
      })
    : typeof input === 'string' && isPem(input)
      ? fromPem(input)
      : [certificateDer(input as CertificateInput)]
  if (ders.length === 0) throw certificateInvalid('no certificate')
  if (ders.length > MAX_CHAIN_LENGTH)
    throw certificateInvalid(`more than ${MAX_CHAIN_LENGTH} certificates`)
  return ders
}

/**
 * The DER of one certificate given as DER, one PEM block or x5c base64. Errors: `invalid_argument`
 * (neither a string nor bytes), `certificate_invalid` (bad encoding, several PEM blocks, over 16
 * KiB).
 *
 * @example
 *
 * ```ts
 * import { certificateDer } from './parse.js'
 * declare const x5cEntry: string
 * const der: Uint8Array = certificateDer(x5cEntry)
 * ```
 *
 * @internal
 */
export function certificateDer(input: CertificateInput): Uint8Array {
  if (input instanceof Uint8Array) return checkSize(input)
  if (typeof input !== 'string')
    throw new CredsignError(
      'invalid_argument',
      'a certificate is DER bytes, a PEM CERTIFICATE block or base64 DER',
    )
  if (!isPem(input)) return fromBase64(input)
  const ders = fromPem(input)
  const [der] = ders
  if (ders.length !== 1 || der === undefined)
    throw certificateInvalid('expected one PEM CERTIFICATE block')
  return der
}

function at(nodes: readonly DerNode[], index: number, what: string): DerNode {
  const node = nodes[index]
  if (node === undefined) throw certificateInvalid(`no ${what}`)
  return node
}

function isoDate(time: Pkijs.Time, what: string): string {
  const date = time.value
  if (!(date instanceof Date) || Number.isNaN(date.getTime()))
    throw certificateInvalid(`bad ${what}`)
  return date.toISOString()
}

function publicJwkOf(spki: Uint8Array): PublicJwk | undefined {
  try {
    return codecs().jwkFromSpki(spki)
  } catch (error) {
    if (CredsignError.is(error, 'unsupported_algorithm')) return undefined
    throw certificateInvalid('bad subject public key', error)
  }
}

/**
 * Decodes one certificate (see {@link parseCertificate}) and keeps the pieces credsign's checks
 * need. Loads pkijs on first use.
 *
 * @example
 *
 * ```ts
 * import { decodeCertificate } from './parse.js'
 * declare const der: Uint8Array
 * const { summary, spkiDer } = await decodeCertificate(der)
 * ```
 *
 * @internal
 */
export async function decodeCertificate(input: CertificateInput): Promise<DecodedCertificate> {
  const der = certificateDer(input)
  const top = derChildren(derNode(der, 0x30, 'Certificate'), 0x30, 'Certificate')
  if (top.length !== 3) throw certificateInvalid('Certificate is not 3 elements')
  const tbs = at(top, 0, 'TBSCertificate')
  const outerAlgorithm = at(top, 1, 'signatureAlgorithm')
  const signatureValue = at(top, 2, 'signatureValue')
  const signature = derBitStringOctets(signatureValue, 'signatureValue')
  const fields = derChildren(tbs, 0x30, 'TBSCertificate')
  let index = 0
  let version = 1
  const first = at(fields, 0, 'serialNumber')
  if (first.tag === 0xa0) {
    const versionNodes = derChildren(first, 0xa0, 'version')
    const [versionNode] = versionNodes
    if (versionNode === undefined || versionNodes.length !== 1)
      throw certificateInvalid('bad version')
    version = derSmallInteger(versionNode, 'version') + 1
    if (version > 3) throw certificateInvalid('bad version')
    index++
  }
  const serial = at(fields, index++, 'serialNumber')
  if (serial.tag !== 0x02 || serial.value.length === 0 || serial.value.length > 21)
    throw certificateInvalid('bad serialNumber')
  const innerAlgorithm = at(fields, index++, 'signature')
  const issuer = at(fields, index++, 'issuer')
  const validity = at(fields, index++, 'validity')
  const subject = at(fields, index++, 'subject')
  const spki = at(fields, index++, 'subjectPublicKeyInfo')
  for (const [node, what] of [
    [innerAlgorithm, 'signature'],
    [issuer, 'issuer'],
    [validity, 'validity'],
    [subject, 'subject'],
    [spki, 'subjectPublicKeyInfo'],
  ] as const) {
    if (node.tag !== 0x30) throw certificateInvalid(`${what} is not a SEQUENCE`)
  }
  // RFC 5280 section 4.1.1.2: the signature field of the TBS MUST equal signatureAlgorithm.
  if (
    outerAlgorithm.tag !== 0x30 ||
    !constantTimeEqual(innerAlgorithm.encoded, outerAlgorithm.encoded)
  )
    throw certificateInvalid('signature and signatureAlgorithm differ')
  let extensions: CertificateExtension[] = []
  for (const node of fields.slice(index)) {
    if ((node.tag === 0x81 || node.tag === 0xa1) && extensions.length === 0 && version >= 2)
      continue // issuerUniqueID
    if ((node.tag === 0x82 || node.tag === 0xa2) && extensions.length === 0 && version >= 2)
      continue // subjectUniqueID
    if (node.tag === 0xa3 && extensions.length === 0 && version === 3) {
      extensions = extensionList(node.value)
      continue
    }
    throw certificateInvalid('unexpected element in TBSCertificate')
  }
  const algorithmOid = derChildren(spki, 0x30, 'subjectPublicKeyInfo')[0]
  const keyAlgorithm = algorithmOid && derChildren(algorithmOid, 0x30, 'algorithm')[0]
  const signatureOid = derChildren(outerAlgorithm, 0x30, 'signatureAlgorithm')[0]
  if (keyAlgorithm?.tag !== 0x06 || signatureOid?.tag !== 0x06)
    throw certificateInvalid('bad AlgorithmIdentifier')

  const pkijs = await loadPkijs()
  let parsed: Pkijs.Certificate
  try {
    parsed = pkijs.Certificate.fromBER(toArrayBufferView(der))
  } catch (error) {
    throw certificateInvalid('not an X.509 certificate', error)
  }
  const known = readExtensions(extensions)
  const summary: CertificateSummary = {
    der,
    x5c: codecs().base64.encode(der),
    version,
    serialNumber: toHex(serial.value[0] === 0 ? serial.value.subarray(1) : serial.value),
    subject: distinguishedName(parsed.subject),
    issuer: distinguishedName(parsed.issuer),
    selfIssued: constantTimeEqual(subject.encoded, issuer.encoded),
    notBefore: isoDate(parsed.notBefore, 'notBefore'),
    notAfter: isoDate(parsed.notAfter, 'notAfter'),
    signatureAlgorithm: oidString(signatureOid.value),
    publicKeyAlgorithm: oidString(keyAlgorithm.value),
    publicJwk: publicJwkOf(spki.encoded),
    ...known,
    extensions,
  }
  return {
    summary,
    issuerDer: issuer.encoded,
    subjectDer: subject.encoded,
    spkiDer: spki.encoded,
    tbsDer: tbs.encoded,
    signature,
    pkijs: parsed,
  }
}

/**
 * Parses one X.509 certificate (DER bytes, a PEM `CERTIFICATE` block, or an `x5c` entry's base64)
 * into a {@link CertificateSummary}. It decodes and summarises; it does not verify a signature or
 * decide trust (that is path validation, on verify).
 *
 * Strict where a lenient reader would change a decision: DER only (minimal lengths, nothing after
 * the certificate), each extension at most once, basicConstraints / keyUsage / subjectAltName / key
 * identifiers decoded strictly (a malformed one is an error, not an absent one), the TBS signature
 * algorithm equal to the outer one.
 *
 * Errors: `invalid_argument` (not a string or bytes), `certificate_invalid` (anything malformed,
 * over 16 KiB), `crypto_unavailable` (pkijs could not be loaded).
 *
 * @example
 *
 * ```ts
 * import { parseCertificate } from './parse.js'
 * declare const x5cLeaf: string // the first entry of an x5c header
 * const leaf = await parseCertificate(x5cLeaf)
 * ```
 *
 * The public wrapper, which loads this file lazily, is in lazy.ts.
 *
 * @internal
 */
export async function parseCertificate(input: CertificateInput): Promise<CertificateSummary> {
  return (await decodeCertificate(input)).summary
}

/**
 * Parses several certificates: a PEM bundle (blocks in order) or a list of DER / PEM / x5c entries.
 * Each is parsed as {@link parseCertificate} does; no order or signature is checked. Errors: those
 * of {@link parseCertificate}, and `certificate_invalid` for an empty list or more than
 * {@link MAX_CHAIN_LENGTH} certificates.
 *
 * @example
 *
 * ```ts
 * import { parseCertificates } from './parse.js'
 * declare const chainPem: string // leaf, then intermediates
 * const [leaf, ...intermediates] = await parseCertificates(chainPem)
 * ```
 *
 * The public wrapper is in lazy.ts.
 *
 * @internal
 */
export async function parseCertificates(
  input: CertificateInput | readonly CertificateInput[],
): Promise<CertificateSummary[]> {
  const summaries: CertificateSummary[] = []
  for (const der of certificateDers(input)) summaries.push(await parseCertificate(der))
  return summaries
}
