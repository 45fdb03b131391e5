import { CredsignError } from '../errors/credsign-error.js'
import { wipe } from '../util/bytes.js'
import {
  DER_TAG,
  decodeDer,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derSmallInt,
  encodeDer,
  readDerChildren,
} from './der.js'
import type { DerElement } from './der.js'
import { decodePem } from './pem.js'
import { parsePkcs8 } from './pkcs8.js'
import type { ParsedPkcs8 } from './pkcs8.js'

/*
 * The private-key containers other tools write, reduced to PKCS#8 so that one parser
 * (`parsePkcs8`) validates every key whatever it arrived in:
 *   PKCS#8 (RFC 5208/5958)   PEM "PRIVATE KEY": openssl genpkey, WebCrypto, Java, jose's exportPKCS8
 *   SEC1 (RFC 5915)          PEM "EC PRIVATE KEY": openssl ecparam -genkey, openssl ec
 *   PKCS#1 (RFC 8017)        PEM "RSA PRIVATE KEY": openssl genrsa -traditional, ssh-keygen -m PEM
 * A SEC1 ECPrivateKey is exactly the privateKey contents of an EC PKCS#8 key (whose AlgorithmIdentifier
 * names the curve its own [0] parameters name), and a PKCS#1 RSAPrivateKey that of an rsaEncryption
 * key: each is wrapped, never re-parsed by hand.
 *
 * Encrypted keys (PEM "ENCRYPTED PRIVATE KEY", PKCS#8 EncryptedPrivateKeyInfo; OpenSSL's legacy
 * `Proc-Type: 4,ENCRYPTED`) are refused with `encrypted_key_unsupported`: the passphrase would be one
 * more secret to handle, and the vault seals the key with its own secrets anyway.
 */

/**
 * The private-key encodings credsign reads.
 *
 * @example
 *
 * ```ts
 * const format: PrivateKeyFormat = 'sec1' // what `openssl ecparam -genkey` writes
 * ```
 */
export type PrivateKeyFormat = 'pkcs8' | 'sec1' | 'pkcs1'

const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const

/** PEM labels (RFC 7468 and OpenSSL's "traditional" ones) of the private-key formats. */
const PEM_LABELS: Readonly<Record<string, PrivateKeyFormat>> = {
  'PRIVATE KEY': 'pkcs8',
  'EC PRIVATE KEY': 'sec1',
  'RSA PRIVATE KEY': 'pkcs1',
}

function encrypted(): CredsignError {
  return new CredsignError(
    'encrypted_key_unsupported',
    'the private key is encrypted: decrypt it first (e.g. openssl pkey -in encrypted.pem -out key.pem), the vault encrypts it with its own secrets',
  )
}

/**
 * Which private-key format DER bytes hold, from their structure: PKCS#8 (`SEQUENCE { INTEGER,
 * SEQUENCE, OCTET STRING, … }`), SEC1 (`SEQUENCE { INTEGER 1, OCTET STRING, … }`) or PKCS#1
 * (`SEQUENCE { INTEGER 0, INTEGER n, … }`, nine integers). An EncryptedPrivateKeyInfo (`SEQUENCE {
 * SEQUENCE, OCTET STRING }`) is `encrypted_key_unsupported`; anything else `invalid_key`.
 *
 * @example
 *
 * ```ts
 * import { generateKeyPair } from 'credsign'
 * const { pkcs8 } = await generateKeyPair('P-256')
 * privateKeyFormatOf(pkcs8) // 'pkcs8'
 * ```
 */
export function privateKeyFormatOf(der: Uint8Array): PrivateKeyFormat {
  if (!(der instanceof Uint8Array))
    throw new CredsignError('invalid_argument', 'DER input must be a Uint8Array')
  const fields = readDerChildren(decodeDer(der, DER_TAG.SEQUENCE))
  const [first, second, third] = fields
  if (
    first?.tag === DER_TAG.SEQUENCE &&
    second?.tag === DER_TAG.OCTET_STRING &&
    fields.length === 2
  )
    throw encrypted()
  if (first?.tag !== DER_TAG.INTEGER)
    throw new CredsignError('invalid_key', 'not a PKCS#8, SEC1 or PKCS#1 private key')
  if (second?.tag === DER_TAG.SEQUENCE && third?.tag === DER_TAG.OCTET_STRING) return 'pkcs8'
  const version = derSmallInt(first)
  if (version === 1 && second?.tag === DER_TAG.OCTET_STRING) return 'sec1'
  if ((version === 0 || version === 1) && second?.tag === DER_TAG.INTEGER) return 'pkcs1'
  throw new CredsignError('invalid_key', 'not a PKCS#8, SEC1 or PKCS#1 private key')
}

/**
 * Decodes and validates a private key given as DER in any of the {@link PrivateKeyFormat}s (detected
 * by {@link privateKeyFormatOf}; `format`, when given, must be what is detected), with the same
 * checks as `parsePkcs8`. An RSA key comes back as `RSA-PSS` (the caller names its algorithm:
 * PKCS#1 says nothing of the scheme or hash). Errors: `invalid_key`, `unsupported_algorithm` (as
 * `parsePkcs8`), `encrypted_key_unsupported`. Does not modify `der`; the caller wipes the result's
 * `key`.
 *
 * @example
 *
 * ```ts
 * import { generateKeyPair } from 'credsign'
 * const { pkcs8 } = await generateKeyPair('Ed25519')
 * const { key } = parsePrivateKeyDer(pkcs8)
 * key.algorithm // 'Ed25519'
 * wipePrivateKeyParts(key)
 * ```
 */
export async function parsePrivateKeyDer(
  der: Uint8Array,
  format?: PrivateKeyFormat,
): Promise<ParsedPkcs8> {
  // Detected even when demanded: an EncryptedPrivateKeyInfo under a PRIVATE KEY label gets its own code.
  const detected = privateKeyFormatOf(der)
  if (format !== undefined && format !== detected)
    throw new CredsignError(
      'invalid_key',
      `expected a ${format} private key, the contents are ${detected}`,
    )
  if (detected === 'pkcs8') return parsePkcs8(der)
  const wrapped = detected === 'sec1' ? pkcs8FromSec1(der) : pkcs8FromPkcs1(der)
  try {
    // `await`, not a bare return: the bytes are wiped only once the parse (which awaits the key
    // derivation) is done with them.
    return await parsePkcs8(wrapped)
  } finally {
    wipe(wrapped)
  }
}

/**
 * Decodes and validates the one private key of a PEM text: `PRIVATE KEY` (PKCS#8), `EC PRIVATE KEY`
 * (SEC1) or `RSA PRIVATE KEY` (PKCS#1); other blocks next to it (OpenSSL's `EC PARAMETERS`, the
 * certificates of a TLS-style bundle) are skipped. `ENCRYPTED PRIVATE KEY` and OpenSSL's legacy
 * encrypted PEM are `encrypted_key_unsupported`; no private key (only a public key or a
 * certificate) or two private keys are `invalid_key` (every `… PRIVATE KEY` block counts, one in a
 * format credsign does not read, such as `DSA PRIVATE KEY`, too). `only` restricts the accepted
 * format. A PEM string cannot be wiped from memory (a JavaScript limitation); the decoded bytes
 * are.
 *
 * @example
 *
 * ```ts
 * declare const pem: string // from `openssl ecparam -name prime256v1 -genkey`
 * const { key } = parsePrivateKeyPem(pem)
 * key.algorithm // 'P-256'
 * wipePrivateKeyParts(key)
 * ```
 */
export async function parsePrivateKeyPem(
  pem: string,
  only?: PrivateKeyFormat,
): Promise<ParsedPkcs8> {
  const blocks = decodePem(pem)
  try {
    if (blocks.some((block) => block.label === 'ENCRYPTED PRIVATE KEY')) throw encrypted()
    // Blocks that travel with a key (EC PARAMETERS, a certificate chain in a TLS-style bundle) are
    // skipped. Every "… PRIVATE KEY" block counts as a private key, read or not: OpenSSL reads a
    // DSA PRIVATE KEY (any "<algorithm> PRIVATE KEY") first, and skipping it would import another
    // key than the one other tools see in the same text.
    const privateBlocks = blocks.filter(
      (block) => block.label === 'PRIVATE KEY' || block.label.endsWith(' PRIVATE KEY'),
    )
    if (privateBlocks.length > 1)
      throw new CredsignError(
        'invalid_key',
        `expected one private key in the PEM text, found ${privateBlocks.length}`,
      )
    const keys = privateBlocks.filter((block) => Object.hasOwn(PEM_LABELS, block.label))
    if (keys.length === 0) {
      const labels = blocks.map((block) => JSON.stringify(block.label.slice(0, 40))).join(', ')
      throw new CredsignError('invalid_key', `no private key in the PEM text (found ${labels})`)
    }
    const block = keys[0] as (typeof keys)[number]
    const format = PEM_LABELS[block.label] as PrivateKeyFormat
    if (only !== undefined && format !== only)
      throw new CredsignError(
        'invalid_key',
        `expected a PEM ${only === 'pkcs8' ? 'PRIVATE KEY' : only} block, not ${block.label}`,
      )
    return await parsePrivateKeyDer(block.der, format)
  } finally {
    for (const block of blocks) wipe(block.der)
  }
}

function pkcs8FromSec1(der: Uint8Array): Uint8Array {
  const fields = readDerChildren(decodeDer(der, DER_TAG.SEQUENCE))
  const parameters = fields.find((field) => field.tag === 0xa0)
  if (parameters === undefined)
    throw new CredsignError(
      'invalid_key',
      'the SEC1 key does not name its curve: give it as PKCS#8',
    )
  const curve: DerElement = decodeDer(parameters.value)
  if (curve.tag !== DER_TAG.OID)
    throw new CredsignError('unsupported_algorithm', 'only named curves are supported')
  return wrap(derSequence(derOid(OID.ecPublicKey), encodeDer(DER_TAG.OID, curve.value)), der)
}

function pkcs8FromPkcs1(der: Uint8Array): Uint8Array {
  return wrap(derSequence(derOid(OID.rsaEncryption), derNull()), der)
}

/** PrivateKeyInfo v0 around `inner`; the intermediate copy of the secret is wiped. */
function wrap(algorithmId: Uint8Array, inner: Uint8Array): Uint8Array {
  const octets = derOctetString(inner)
  try {
    return derSequence(new Uint8Array([DER_TAG.INTEGER, 1, 0]), algorithmId, octets)
  } finally {
    wipe(octets)
  }
}
