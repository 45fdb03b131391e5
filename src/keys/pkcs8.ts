import { CredsignError } from '../errors/credsign-error.js'
import { constantTimeEqual, copyBytes, wipe } from '../util/bytes.js'
import {
  DER_TAG,
  decodeDer,
  derBitString,
  derBitStringBytes,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derSmallInt,
  derSmallInteger,
  derUnsigned,
  derUnsignedInteger,
  encodeDer,
  isDerOid,
  readDerChildren,
} from './der.js'
import type { DerElement } from './der.js'
import { EC_CURVES, isEcAlgorithm, uncompressedPoint } from './curves.js'
import type { EcAlgorithm } from './curves.js'
import { derivePublicKey, isRsaPrivateKey, wipePrivateKeyParts } from './key-parts.js'
import type { PrivateKeyParts, RsaPrivateParts, RsaRestriction } from './key-parts.js'
import { isRsaPublicKey } from './jwk.js'
import type { PublicKeyBytes } from './jwk.js'
import type { RsaAlgorithm } from './types.js'

/*
 * credsign stores every private key as PKCS#8 (RFC 5208 PrivateKeyInfo / RFC 5958 OneAsymmetricKey).
 * The canonical form it writes is the one WebCrypto implementations export, so WebCrypto can import
 * it everywhere and a WebCrypto-generated key re-encodes to the same bytes:
 *   Ed25519 (RFC 8410):  v0, id-Ed25519 (no parameters), OCTET STRING { OCTET STRING seed }
 *   EC (RFC 5480/5915):  v0, id-ecPublicKey + namedCurve, OCTET STRING { ECPrivateKey v1, scalar,
 *                        [1] public key } (parameters omitted inside, per RFC 5915 erratum 5008)
 *   RSA (RFC 8017):      v0, rsaEncryption + NULL, OCTET STRING { RSAPrivateKey v0 (two primes) }
 */

const OID = {
  ed25519: '1.3.101.112',
  ecPublicKey: '1.2.840.10045.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const

/** The PSS algorithm of each hash a restricted key may name, and its salt length (the hash length). */
const PSS_HASHES = [
  { oid: OID.sha256, algorithm: 'RSA-PSS', saltLength: 32 },
  { oid: OID.sha384, algorithm: 'PS384', saltLength: 48 },
  { oid: OID.sha512, algorithm: 'PS512', saltLength: 64 },
] as const satisfies readonly { oid: string; algorithm: RsaAlgorithm; saltLength: number }[]

/**
 * A decoded PKCS#8 key: the validated private parts and the public key derived from them.
 *
 * @example
 *
 * ```ts
 * const parsed: ParsedPkcs8 = parsePkcs8(
 *   encodePkcs8({ algorithm: 'Ed25519', seed: new Uint8Array(32) }),
 * )
 * wipePrivateKeyParts(parsed.key)
 * ```
 */
export interface ParsedPkcs8 {
  /** Fresh copies of the private parts; the caller wipes them with `wipePrivateKeyParts`. */
  readonly key: PrivateKeyParts
  /** The public key, derived from the private key (and checked against any embedded copy). */
  readonly publicKey: PublicKeyBytes
  /**
   * Set for an id-RSASSA-PSS key (RFC 4055), which may sign with PSS only (`pss`), or with the one
   * PSS algorithm its parameters name (`exact`; then `key.algorithm` is that algorithm). An
   * rsaEncryption key is `RSA-PSS` (PS256) in `key` and may be used with any RSA algorithm.
   */
  readonly rsaRestriction?: RsaRestriction
}

function malformed(what: string): CredsignError {
  return new CredsignError('invalid_key', `malformed PKCS#8: ${what}`)
}

function at(children: DerElement[], index: number): DerElement {
  const child = children[index]
  if (child === undefined) throw malformed('missing element')
  return child
}

/**
 * Encodes a private key as credsign's canonical PKCS#8 DER. Validates the key first (see
 * `derivePublicKey`) unless the caller passes the public key it already derived with it. The caller
 * owns and wipes the result.
 *
 * @example
 *
 * ```ts
 * const seed = crypto.getRandomValues(new Uint8Array(32))
 * const der = encodePkcs8({ algorithm: 'Ed25519', seed }) // 48 bytes, starts 30 2e 02 01 00
 * ```
 */
export function encodePkcs8(key: PrivateKeyParts, publicKey: PublicKeyBytes): Uint8Array {
  if (publicKey.algorithm !== key.algorithm)
    throw new CredsignError('invalid_argument', 'public key does not belong to the private key')
  const version = derSmallInteger(0)
  let algorithmId: Uint8Array
  let inner: Uint8Array
  if (key.algorithm === 'Ed25519') {
    algorithmId = derSequence(derOid(OID.ed25519))
    inner = derOctetString(key.seed)
  } else if (isRsaPrivateKey(key)) {
    algorithmId = derSequence(derOid(OID.rsaEncryption), derNull())
    inner = encodeRsaPrivateKey(key.rsa)
  } else {
    if (publicKey.algorithm === 'Ed25519' || isRsaPublicKey(publicKey))
      throw new CredsignError('invalid_argument', 'algorithm mismatch')
    algorithmId = derSequence(derOid(OID.ecPublicKey), derOid(EC_CURVES[key.algorithm].oid))
    const scalar = derOctetString(key.scalar)
    inner = derSequence(
      derSmallInteger(1),
      scalar,
      encodeDer(0xa1, derBitString(publicKey.publicKey)),
    )
    wipe(scalar)
  }
  const octets = derOctetString(inner)
  wipe(inner)
  const out = derSequence(version, algorithmId, octets)
  wipe(octets)
  return out
}

function encodeRsaPrivateKey(rsa: RsaPrivateParts): Uint8Array {
  const parts = [rsa.n, rsa.e, rsa.d, rsa.p, rsa.q, rsa.dp, rsa.dq, rsa.qi].map((v) =>
    derUnsignedInteger(v),
  )
  const out = derSequence(derSmallInteger(0), ...parts)
  wipe(...parts)
  return out
}

/**
 * Decodes and validates a PKCS#8 private key (DER). Accepts Ed25519, EC keys on P-256, P-384, P-521
 * and secp256k1 (named curves only; inner parameters and public key optional but checked when
 * present), and two-prime RSA keys under rsaEncryption (`RSA-PSS` in the result, usable with every
 * RSA algorithm) or id-RSASSA-PSS (whose parameters, if any, must name one of PS256, PS384, PS512:
 * one SHA-2 hash for message and MGF1, salt length at most the hash length; see `rsaRestriction`).
 * Version 1 (OneAsymmetricKey) with an embedded public key is accepted when that key matches;
 * attributes are skipped once they parse as DER Attributes. Structural problems are `invalid_key`;
 * other key types, curves and RSA sizes are `unsupported_algorithm`. Does not modify `der`.
 *
 * @example
 *
 * ```ts
 * const der = encodePkcs8({ algorithm: 'Ed25519', seed: new Uint8Array(32) })
 * const { key, publicKey } = parsePkcs8(der)
 * key.algorithm // 'Ed25519'
 * wipePrivateKeyParts(key)
 * ```
 */
export async function parsePkcs8(der: Uint8Array): Promise<ParsedPkcs8> {
  if (!(der instanceof Uint8Array))
    throw new CredsignError('invalid_argument', 'PKCS#8 input must be a Uint8Array')
  const top = readDerChildren(decodeDer(der, DER_TAG.SEQUENCE))
  const version = derSmallInt(at(top, 0))
  if (version !== 0 && version !== 1) throw malformed('unknown version')
  const algorithmId = at(top, 1)
  const privateKey = at(top, 2)
  if (algorithmId.tag !== DER_TAG.SEQUENCE || privateKey.tag !== DER_TAG.OCTET_STRING)
    throw malformed('unexpected element')
  let index = 3
  // [0] IMPLICIT attributes: carried by some encoders, meaningless for signing; skipped once they
  // parse as attributes, so that no byte of a key goes unread (OpenSSL refuses malformed ones too).
  const attributes = top[index]
  if (attributes?.tag === 0xa0) {
    checkAttributes(attributes)
    index++
  }
  let embeddedPublicKey: Uint8Array | undefined
  if (top[index]?.tag === 0x81) {
    if (version !== 1) throw malformed('public key in a version 0 structure')
    embeddedPublicKey = derBitStringBytes({ tag: DER_TAG.BIT_STRING, value: at(top, index).value })
    index++
  }
  if (index !== top.length) throw malformed('unexpected trailing element')

  const algorithm = readDerChildren(algorithmId)
  const oid = at(algorithm, 0)
  const parameters = algorithm[1]
  if (algorithm.length > 2) throw malformed('bad AlgorithmIdentifier')

  let key: PrivateKeyParts
  let rsaRestriction: RsaRestriction | undefined
  const embedded: Uint8Array[] = embeddedPublicKey === undefined ? [] : [embeddedPublicKey]
  if (isDerOid(oid, OID.ed25519)) {
    if (parameters !== undefined) throw malformed('Ed25519 takes no parameters')
    const seed = decodeDer(privateKey.value, DER_TAG.OCTET_STRING).value
    if (seed.length !== 32)
      throw new CredsignError('invalid_key', 'an Ed25519 private key is a 32-byte seed')
    key = { algorithm: 'Ed25519', seed: copyBytes(seed) }
  } else if (isDerOid(oid, OID.ecPublicKey)) {
    const ec = parseEcPrivateKey(privateKey.value, ecAlgorithmOf(parameters))
    key = ec.key
    if (ec.embedded !== undefined) embedded.push(ec.embedded)
  } else if (isDerOid(oid, OID.rsaEncryption) || isDerOid(oid, OID.rsassaPss)) {
    let rsaAlgorithm: RsaAlgorithm = 'RSA-PSS'
    if (isDerOid(oid, OID.rsaEncryption)) {
      if (
        parameters !== undefined &&
        (parameters.tag !== DER_TAG.NULL || parameters.value.length !== 0)
      )
        throw malformed('bad rsaEncryption parameters')
    } else if (parameters !== undefined) {
      rsaAlgorithm = pssAlgorithmOf(parameters)
      rsaRestriction = 'exact'
    } else {
      rsaRestriction = 'pss'
    }
    key = { algorithm: rsaAlgorithm, rsa: parseRsaPrivateKey(privateKey.value) }
  } else {
    throw new CredsignError('unsupported_algorithm', 'unsupported PKCS#8 key algorithm')
  }

  // The embedded public keys may be views of `der`: copied (public data) before the derivation
  // awaits, so a caller that reuses or wipes `der` meanwhile cannot change what is compared.
  const embeddedCopies = embedded.map((bytes) => copyBytes(bytes))
  try {
    const publicKey = await derivePublicKey(key)
    for (const copy of embeddedCopies) checkEmbeddedPublicKey(publicKey, copy)
    return rsaRestriction === undefined ? { key, publicKey } : { key, publicKey, rsaRestriction }
  } catch (error) {
    wipePrivateKeyParts(key)
    throw error
  }
}

/**
 * Throws `invalid_key` unless `element` holds RFC 5958 Attributes: DER Attribute SEQUENCEs, each an
 * OBJECT IDENTIFIER and a SET of values (whose contents are not interpreted).
 */
function checkAttributes(element: DerElement): void {
  for (const attribute of readDerChildren(element)) {
    const fields = attribute.tag === DER_TAG.SEQUENCE ? readDerChildren(attribute) : []
    const [type, values] = fields
    if (fields.length !== 2 || type?.tag !== DER_TAG.OID || values?.tag !== DER_TAG.SET)
      throw malformed('bad attributes')
    readDerChildren(values)
  }
}

function ecAlgorithmOf(parameters: DerElement | undefined): EcAlgorithm {
  if (parameters === undefined) throw malformed('EC key without a named curve')
  // Explicit curve parameters (a SEQUENCE) are allowed by RFC 5480's syntax but not by its profile.
  if (parameters.tag !== DER_TAG.OID)
    throw new CredsignError('unsupported_algorithm', 'only named curves are supported')
  for (const curve of Object.values(EC_CURVES)) {
    if (isDerOid(parameters, curve.oid)) return curve.algorithm
  }
  throw new CredsignError('unsupported_algorithm', 'unsupported elliptic curve')
}

function parseEcPrivateKey(
  bytes: Uint8Array,
  algorithm: EcAlgorithm,
): { key: PrivateKeyParts; embedded: Uint8Array | undefined } {
  const curve = EC_CURVES[algorithm]
  const fields = readDerChildren(decodeDer(bytes, DER_TAG.SEQUENCE))
  if (derSmallInt(at(fields, 0)) !== 1) throw malformed('unknown ECPrivateKey version')
  const scalar = at(fields, 1)
  if (scalar.tag !== DER_TAG.OCTET_STRING) throw malformed('unexpected element')
  if (scalar.value.length !== curve.size)
    throw new CredsignError('invalid_key', `a ${algorithm} private key is ${curve.size} bytes`)
  let index = 2
  const explicitParameters = fields[index]
  if (explicitParameters?.tag === 0xa0) {
    // Redundant with the AlgorithmIdentifier; must agree with it (RFC 5915 erratum 5008).
    if (ecAlgorithmOf(decodeDer(explicitParameters.value)) !== algorithm)
      throw new CredsignError('invalid_key', 'ECPrivateKey curve does not match')
    index++
  }
  let embedded: Uint8Array | undefined
  const publicField = fields[index]
  if (publicField?.tag === 0xa1) {
    embedded = derBitStringBytes(decodeDer(publicField.value, DER_TAG.BIT_STRING))
    index++
  }
  if (index !== fields.length) throw malformed('unexpected ECPrivateKey element')
  return { key: { algorithm, scalar: copyBytes(scalar.value) }, embedded }
}

function checkEmbeddedPublicKey(derived: PublicKeyBytes, embedded: Uint8Array): void {
  if (isRsaPublicKey(derived)) throw malformed('unexpected public key for RSA')
  const expected = derived.publicKey
  const actual = isEcAlgorithm(derived.algorithm)
    ? uncompressedPoint(EC_CURVES[derived.algorithm], embedded)
    : embedded
  if (!constantTimeEqual(expected, actual))
    throw new CredsignError('invalid_key', 'embedded public key does not match the private key')
}

function parseRsaPrivateKey(bytes: Uint8Array): RsaPrivateParts {
  const fields = readDerChildren(decodeDer(bytes, DER_TAG.SEQUENCE))
  const version = derSmallInt(at(fields, 0))
  if (version === 1)
    throw new CredsignError('unsupported_algorithm', 'multi-prime RSA keys are not supported')
  if (version !== 0 || fields.length !== 9) throw malformed('bad RSAPrivateKey')
  // Every field is read (and may be refused) as a view first; the copies are made only once all
  // are valid, so a refused key leaves no copy of its secret fields behind.
  const views = fields.slice(1).map((field) => derUnsigned(field))
  const [n, e, d, p, q, dp, dq, qi] = views.map((view) => copyBytes(view)) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ]
  return { n, e, d, p, q, dp, dq, qi }
}

/**
 * The PSS algorithm that RSASSA-PSS-params (RFC 4055 section 3.1) of a restricted key permit: one
 * hash (SHA-256, SHA-384 or SHA-512) for the message and MGF1, and a minimum salt no longer than
 * the hash (PS256, PS384, PS512 use a salt as long as the hash).
 */
function pssAlgorithmOf(parameters: DerElement): RsaAlgorithm {
  const unsupported = (): CredsignError =>
    new CredsignError(
      'unsupported_algorithm',
      'RSA-PSS key restricted to parameters other than PS256, PS384 or PS512',
    )
  if (parameters.tag !== DER_TAG.SEQUENCE) throw malformed('bad RSASSA-PSS parameters')
  const fields = readDerChildren(parameters)
  const byTag = new Map<number, DerElement>()
  let previous = -1
  for (const field of fields) {
    // Fields are [0]..[3] EXPLICIT, each at most once and in order.
    if (field.tag < 0xa0 || field.tag > 0xa3 || field.tag <= previous)
      throw malformed('bad RSASSA-PSS parameters')
    previous = field.tag
    byTag.set(field.tag, decodeDer(field.value))
  }
  const hash = byTag.get(0xa0)
  const mgf = byTag.get(0xa1)
  const salt = byTag.get(0xa2)
  const trailer = byTag.get(0xa3)
  // Absent hash or MGF means the SHA-1 defaults.
  const pss =
    hash === undefined ? undefined : PSS_HASHES.find((candidate) => isHash(hash, candidate.oid))
  if (pss === undefined) throw unsupported()
  if (mgf === undefined || mgf.tag !== DER_TAG.SEQUENCE) throw unsupported()
  const mgfFields = readDerChildren(mgf)
  const mgfParameters = mgfFields[1]
  if (
    !isDerOid(at(mgfFields, 0), OID.mgf1) ||
    mgfFields.length !== 2 ||
    mgfParameters === undefined ||
    !isHash(mgfParameters, pss.oid)
  )
    throw unsupported()
  // The key's saltLength is the minimum salt (RFC 4055); PSn uses the hash length. The default is 20.
  if (salt !== undefined && derSmallInt(salt) > pss.saltLength) throw unsupported()
  if (trailer !== undefined && derSmallInt(trailer) !== 1) throw unsupported()
  return pss.algorithm
}

function isHash(algorithmId: DerElement, oid: string): boolean {
  if (algorithmId.tag !== DER_TAG.SEQUENCE) return false
  const fields = readDerChildren(algorithmId)
  const parameters = fields[1]
  if (fields.length > 2 || fields[0] === undefined || !isDerOid(fields[0], oid)) return false
  return (
    parameters === undefined || (parameters.tag === DER_TAG.NULL && parameters.value.length === 0)
  )
}
