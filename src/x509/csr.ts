import { CredsignError } from '../errors/credsign-error.js'
import type { KeyAlgorithm, Signer } from '../keys/types.js'
import { utf8 } from '../util/bytes.js'
import { codecs } from './core-codecs.js'
import type { CertificateKeyUsage } from './extensions.js'

/*
 * PKCS#10 certificate signing requests (RFC 2986) signed by any credsign Signer, an unlocked vault
 * key included: the request is built as DER here and only its CertificationRequestInfo goes to
 * `signer.sign`, so the private key never leaves the vault. ECDSA signatures are converted from the
 * JOSE form (r || s) to the X.509 form (a DER SEQUENCE of two INTEGERs, RFC 5480 / RFC 3279).
 */

/**
 * The subject of a certificate signing request. Attributes are written most significant first (C,
 * ST, L, O, OU, organizationIdentifier, serialNumber, CN); at least one is needed.
 *
 * @example
 *
 * ```ts
 * import type { CsrSubject } from 'credsign'
 * const subject: CsrSubject = {
 *   commonName: 'issuer.example',
 *   organization: 'Example',
 *   country: 'DE',
 * }
 * ```
 */
export interface CsrSubject {
  commonName?: string
  organization?: string
  organizationalUnit?: string
  /** Two letters (ISO 3166), written as a PrintableString. */
  country?: string
  locality?: string
  state?: string
  /** ETSI EN 319 412-1 organizationIdentifier, e.g. `VATDE-123456789`. */
  organizationIdentifier?: string
  serialNumber?: string
}

/**
 * What to put in a certificate signing request.
 *
 * @example
 *
 * ```ts
 * import type { CsrOptions } from 'credsign'
 * const options: CsrOptions = {
 *   subject: { commonName: 'issuer.example' },
 *   dnsNames: ['issuer.example'],
 *   uris: ['https://issuer.example'],
 * }
 * ```
 */
export interface CsrOptions {
  subject: CsrSubject
  /** SubjectAltName dNSName entries (an SD-JWT VC issuer `https://host` matches `host`). */
  dnsNames?: string[]
  /** SubjectAltName uniformResourceIdentifier entries (an issuer URL, matched as a whole). */
  uris?: string[]
  /**
   * KeyUsage to request (marked critical). Default `['digitalSignature']`, what an issuer key
   * signing credentials needs; the CA decides what the certificate finally says.
   */
  keyUsage?: CertificateKeyUsage[]
}

/**
 * A certificate signing request.
 *
 * @example
 *
 * ```ts
 * import type { CertificateSigningRequest } from 'credsign'
 * declare const csr: CertificateSigningRequest
 * console.log(csr.pem) // '-----BEGIN CERTIFICATE REQUEST-----…'
 * ```
 */
export interface CertificateSigningRequest {
  /** The DER of the CertificationRequest. */
  der: Uint8Array
  /** PEM, label `CERTIFICATE REQUEST` (what `openssl req -in` and CAs read). */
  pem: string
}

const OID = {
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  state: '2.5.4.8',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  organizationIdentifier: '2.5.4.97',
  extensionRequest: '1.2.840.113549.1.9.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
} as const

// Most significant first, the order of `openssl req -subj /C=…/O=…/CN=…`.
const SUBJECT_ORDER: readonly (keyof CsrSubject)[] = [
  'country',
  'state',
  'locality',
  'organization',
  'organizationalUnit',
  'organizationIdentifier',
  'serialNumber',
  'commonName',
]

const KEY_USAGE_BIT: Readonly<Record<CertificateKeyUsage, number>> = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
}

/** The X.509 signature algorithm (RFC 5758, RFC 8410, RFC 4055) for each key algorithm. */
const SIGNATURE_ALGORITHM: Partial<Record<KeyAlgorithm, { oid: string; nullParameters: boolean }>> =
  {
    Ed25519: { oid: '1.3.101.112', nullParameters: false },
    'P-256': { oid: '1.2.840.10045.4.3.2', nullParameters: false },
    secp256k1: { oid: '1.2.840.10045.4.3.2', nullParameters: false },
    'P-384': { oid: '1.2.840.10045.4.3.3', nullParameters: false },
    'P-521': { oid: '1.2.840.10045.4.3.4', nullParameters: false },
    RS256: { oid: '1.2.840.113549.1.1.11', nullParameters: true },
    RS384: { oid: '1.2.840.113549.1.1.12', nullParameters: true },
    RS512: { oid: '1.2.840.113549.1.1.13', nullParameters: true },
  }

const ECDSA_SIZES: Partial<Record<KeyAlgorithm, number>> = {
  'P-256': 32,
  secp256k1: 32,
  'P-384': 48,
  'P-521': 66,
}

function invalid(message: string): CredsignError {
  return new CredsignError('invalid_argument', message)
}

// Printable ASCII without spaces: what a dNSName or URI may hold (RFC 5280 section 4.2.1.6).
const IA5_NAME = /^[\x21-\x7e]{1,253}$/
const DNS_NAME =
  /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/

function ia5(tag: number, text: string): Uint8Array {
  const bytes = utf8(text)
  return codecs().der.encodeDer(tag, bytes)
}

function subjectName(subject: CsrSubject): Uint8Array {
  const { der } = codecs()
  if (typeof subject !== 'object' || subject === null) throw invalid('subject must be an object')
  const known = new Set<string>(SUBJECT_ORDER)
  for (const key of Object.keys(subject))
    if (!known.has(key)) throw invalid(`unknown subject attribute ${JSON.stringify(key)}`)
  const rdns: Uint8Array[] = []
  for (const key of SUBJECT_ORDER) {
    const value = subject[key]
    if (value === undefined) continue
    if (
      typeof value !== 'string' ||
      value.length === 0 ||
      value.length > 256 ||
      /[\0-\x1f\x7f]/.test(value)
    )
      throw invalid(`subject ${key} must be 1 to 256 characters without control characters`)
    let encoded: Uint8Array
    if (key === 'country') {
      if (!/^[A-Z]{2}$/.test(value)) throw invalid('subject country must be two capital letters')
      encoded = der.encodeDer(0x13, utf8(value)) // PrintableString (RFC 5280: C is PrintableString)
    } else {
      encoded = der.encodeDer(0x0c, utf8(value)) // UTF8String
    }
    rdns.push(der.encodeDer(0x31, der.derSequence(der.derOid(OID[key]), encoded)))
  }
  if (rdns.length === 0) throw invalid('the subject needs at least one attribute')
  return der.derSequence(...rdns)
}

function keyUsageBits(usages: readonly CertificateKeyUsage[]): Uint8Array {
  if (!Array.isArray(usages) || usages.length === 0)
    throw invalid('keyUsage must be a non-empty array')
  let highest = -1
  const bits = new Uint8Array(2)
  for (const usage of usages as readonly unknown[]) {
    const bit =
      typeof usage === 'string' && Object.hasOwn(KEY_USAGE_BIT, usage)
        ? KEY_USAGE_BIT[usage as CertificateKeyUsage]
        : undefined
    if (bit === undefined) throw invalid(`unknown keyUsage ${JSON.stringify(usage)}`)
    bits[bit >> 3] = (bits[bit >> 3] as number) | (0x80 >> (bit & 7))
    highest = Math.max(highest, bit)
  }
  // DER (X.690 11.2.2): a named bit list has no trailing zero bits.
  const bytes = bits.subarray(0, (highest >> 3) + 1)
  const unused = 7 - (highest & 7)
  return codecs().der.encodeDer(0x03, new Uint8Array([unused]), bytes)
}

function subjectAltName(dnsNames: readonly string[], uris: readonly string[]): Uint8Array {
  const names: Uint8Array[] = []
  for (const name of dnsNames) {
    if (typeof name !== 'string' || !IA5_NAME.test(name) || !DNS_NAME.test(name))
      throw invalid(`${JSON.stringify(name)} is not a DNS name`)
    names.push(ia5(0x82, name))
  }
  for (const uri of uris) {
    if (typeof uri !== 'string' || !IA5_NAME.test(uri) || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri))
      throw invalid(`${JSON.stringify(uri)} is not an absolute URI (ASCII, no spaces)`)
    names.push(ia5(0x86, uri))
  }
  return codecs().der.derSequence(...names)
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  const { der } = codecs()
  return critical
    ? der.derSequence(
        der.derOid(oid),
        der.encodeDer(0x01, new Uint8Array([0xff])),
        der.derOctetString(value),
      )
    : der.derSequence(der.derOid(oid), der.derOctetString(value))
}

/** R || s (JOSE, WebCrypto) to the DER SEQUENCE { r INTEGER, s INTEGER } of X.509. */
function ecdsaDer(signature: Uint8Array, size: number): Uint8Array {
  if (signature.length !== size * 2)
    throw new CredsignError('invalid_key', 'unexpected ECDSA signature length')
  const { der } = codecs()
  // derUnsignedInteger trims the leading zeros of each half and adds a sign octet when needed.
  return der.derSequence(
    der.derUnsignedInteger(signature.subarray(0, size)),
    der.derUnsignedInteger(signature.subarray(size)),
  )
}

/**
 * Builds and signs a certificate signing request (the public wrapper, with the docs, is in
 * lazy.ts).
 *
 * @example
 *
 * ```ts
 * import { createCertificateSigningRequest } from './csr.js'
 * declare const signer: import('credsign').Signer
 * await createCertificateSigningRequest(signer, { subject: { commonName: 'issuer.example' } })
 * ```
 *
 * @internal
 */
export async function createCertificateSigningRequest(
  signer: Signer,
  options: CsrOptions,
): Promise<CertificateSigningRequest> {
  if (typeof signer !== 'object' || signer === null || typeof signer.sign !== 'function')
    throw invalid('signer must be a credsign Signer')
  if (typeof options !== 'object' || options === null) throw invalid('options are required')
  const algorithm = Object.hasOwn(SIGNATURE_ALGORITHM, signer.algorithm)
    ? SIGNATURE_ALGORITHM[signer.algorithm]
    : undefined
  if (algorithm === undefined)
    throw new CredsignError(
      'unsupported_algorithm',
      `certificate signing requests are not supported for ${signer.algorithm} keys`,
    )
  const { der, encodePem, spkiFromJwk } = codecs()
  const extensions: Uint8Array[] = [
    extension(OID.keyUsage, true, keyUsageBits(options.keyUsage ?? ['digitalSignature'])),
  ]
  const dnsNames = options.dnsNames ?? []
  const uris = options.uris ?? []
  if (!Array.isArray(dnsNames) || !Array.isArray(uris))
    throw invalid('dnsNames and uris must be arrays')
  if (dnsNames.length + uris.length > 0)
    extensions.push(extension(OID.subjectAltName, false, subjectAltName(dnsNames, uris)))
  const attributes = der.encodeDer(
    0xa0, // [0] IMPLICIT SET OF Attribute
    der.derSequence(
      der.derOid(OID.extensionRequest),
      der.encodeDer(0x31, der.derSequence(...extensions)),
    ),
  )
  const info = der.derSequence(
    der.derSmallInteger(0),
    subjectName(options.subject),
    spkiFromJwk(signer.publicJwk),
    attributes,
  )
  const raw = await signer.sign(info)
  const size = Object.hasOwn(ECDSA_SIZES, signer.algorithm)
    ? ECDSA_SIZES[signer.algorithm]
    : undefined
  const signature = size === undefined ? raw : ecdsaDer(raw, size)
  const algorithmIdentifier = algorithm.nullParameters
    ? der.derSequence(der.derOid(algorithm.oid), der.derNull())
    : der.derSequence(der.derOid(algorithm.oid))
  const request = der.derSequence(info, algorithmIdentifier, der.derBitString(signature))
  return { der: request, pem: encodePem('CERTIFICATE REQUEST', request) }
}
