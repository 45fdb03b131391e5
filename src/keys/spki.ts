import { CredsignError } from '../errors/credsign-error.js'
import { b64u } from '../util/bytes.js'
import {
  DER_TAG,
  decodeDer,
  derBitString,
  derBitStringBytes,
  derNull,
  derOid,
  derSequence,
  derUnsigned,
  derUnsignedInteger,
  isDerOid,
  readDerChildren,
} from './der.js'
import type { DerElement } from './der.js'
import { keyAlgorithmFromJwk } from './algorithms.js'
import { EC_CURVES, isEcAlgorithm, uncompressedPoint } from './curves.js'
import { isRsaPublicKey, jwkFromPublicKey, parsePublicJwk, requiredMembers } from './jwk.js'
import { decodePem, encodePem } from './pem.js'
import type { PrivateJwk, PublicJwk } from './types.js'

/*
 * SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7): the public-key encoding of X.509 certificates,
 * PEM "PUBLIC KEY", what `openssl pkey -pubout`, jose's exportSPKI / importSPKI, WebCrypto's
 * `spki` format and Java read and write.
 *   Ed25519 (RFC 8410):  { id-Ed25519 }, BIT STRING the 32-byte key
 *   EC (RFC 5480):       { id-ecPublicKey, namedCurve }, BIT STRING the uncompressed point
 *   RSA (RFC 8017):      { rsaEncryption, NULL }, BIT STRING RSAPublicKey { n, e }
 * The JWK carries no RSA scheme, and neither does an rsaEncryption SPKI: one RSA key, two encodings.
 */

const OID = {
  ed25519: '1.3.101.112',
  ecPublicKey: '1.2.840.10045.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
} as const

function malformed(what: string): CredsignError {
  return new CredsignError('invalid_key', `malformed SubjectPublicKeyInfo: ${what}`)
}

function at(children: DerElement[], index: number): DerElement {
  const child = children[index]
  if (child === undefined) throw malformed('missing element')
  return child
}

/**
 * The SubjectPublicKeyInfo DER of a public key (EC points uncompressed, RSA under rsaEncryption).
 * The key is validated first; members other than the key material (`kid`, private members of a
 * private JWK) are ignored, so only the public key is ever encoded. An `alg` is not encoded either,
 * so one naming an algorithm of another key type (RFC 7517 section 4.4, as jose's `importJWK`
 * refuses it) is an `invalid_key` rather than dropped.
 *
 * Errors: `invalid_argument` (not an object), `invalid_key` (malformed key, point not on the curve,
 * an `alg` of another key type), `unsupported_algorithm` (a key type, curve or RSA size credsign
 * does not support).
 *
 * @example
 *
 * ```ts
 * import { spkiFromJwk } from 'credsign'
 * const der = spkiFromJwk({
 *   kty: 'OKP',
 *   crv: 'Ed25519',
 *   x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
 * })
 * der.length // 44
 * ```
 */
export function spkiFromJwk(jwk: PublicJwk | PrivateJwk): Uint8Array {
  keyAlgorithmFromJwk(jwk) // an `alg` of another key type: invalid_key, not dropped
  const key = parsePublicJwk(jwk)
  if (key.algorithm === 'Ed25519')
    return derSequence(derSequence(derOid(OID.ed25519)), derBitString(key.publicKey))
  if (isRsaPublicKey(key)) {
    const rsaPublicKey = derSequence(derUnsignedInteger(key.n), derUnsignedInteger(key.e))
    return derSequence(
      derSequence(derOid(OID.rsaEncryption), derNull()),
      derBitString(rsaPublicKey),
    )
  }
  if (!isEcAlgorithm(key.algorithm))
    throw new CredsignError('unsupported_algorithm', 'unsupported key algorithm')
  return derSequence(
    derSequence(derOid(OID.ecPublicKey), derOid(EC_CURVES[key.algorithm].oid)),
    derBitString(key.publicKey),
  )
}

/**
 * The public JWK (required members only, no `kid`; see `toPublicJwk` to add it) of a
 * SubjectPublicKeyInfo DER. Accepts Ed25519, EC keys on the curves credsign supports (named curves;
 * compressed or uncompressed points, validated on the curve), and RSA keys under rsaEncryption. An
 * id-RSASSA-PSS key (restricted to PSS) is `unsupported_algorithm`: a JWK cannot carry the
 * restriction. Decoding is strict DER; small-order Ed25519 points are refused as everywhere.
 *
 * Errors: `invalid_argument` (not bytes), `invalid_key` (malformed or truncated DER, not a point,
 * bad RSA numbers), `unsupported_algorithm` (other key types, curves, RSA sizes).
 *
 * @example
 *
 * ```ts
 * import { jwkFromSpki, spkiFromJwk } from 'credsign'
 * const jwk = {
 *   crv: 'Ed25519',
 *   kty: 'OKP',
 *   x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
 * } as const
 * jwkFromSpki(spkiFromJwk(jwk)) // equal to jwk
 * ```
 */
export function jwkFromSpki(der: Uint8Array): PublicJwk {
  if (!(der instanceof Uint8Array))
    throw new CredsignError('invalid_argument', 'SubjectPublicKeyInfo input must be a Uint8Array')
  const top = readDerChildren(decodeDer(der, DER_TAG.SEQUENCE))
  if (top.length !== 2) throw malformed('expected an AlgorithmIdentifier and a BIT STRING')
  const algorithmId = at(top, 0)
  if (algorithmId.tag !== DER_TAG.SEQUENCE) throw malformed('unexpected element')
  const keyBytes = derBitStringBytes(at(top, 1))
  const algorithm = readDerChildren(algorithmId)
  if (algorithm.length > 2) throw malformed('bad AlgorithmIdentifier')
  const oid = at(algorithm, 0)
  const parameters = algorithm[1]

  if (isDerOid(oid, OID.ed25519)) {
    if (parameters !== undefined) throw malformed('Ed25519 takes no parameters')
    return requiredMembers({ kty: 'OKP', crv: 'Ed25519', x: b64u(keyBytes) })
  }
  if (isDerOid(oid, OID.ecPublicKey)) {
    if (parameters === undefined) throw malformed('EC key without a named curve')
    if (parameters.tag !== DER_TAG.OID)
      throw new CredsignError('unsupported_algorithm', 'only named curves are supported')
    const curve = Object.values(EC_CURVES).find((candidate) => isDerOid(parameters, candidate.oid))
    if (curve === undefined)
      throw new CredsignError('unsupported_algorithm', 'unsupported elliptic curve')
    return jwkFromPublicKey({
      algorithm: curve.algorithm,
      publicKey: uncompressedPoint(curve, keyBytes),
    })
  }
  if (isDerOid(oid, OID.rsaEncryption)) {
    if (
      parameters !== undefined &&
      (parameters.tag !== DER_TAG.NULL || parameters.value.length !== 0)
    )
      throw malformed('bad rsaEncryption parameters')
    const fields = readDerChildren(decodeDer(keyBytes, DER_TAG.SEQUENCE))
    if (fields.length !== 2) throw malformed('bad RSAPublicKey')
    return requiredMembers({
      kty: 'RSA',
      n: b64u(derUnsigned(at(fields, 0))),
      e: b64u(derUnsigned(at(fields, 1))),
    })
  }
  if (isDerOid(oid, OID.rsassaPss))
    throw new CredsignError(
      'unsupported_algorithm',
      'RSA keys restricted to RSASSA-PSS (id-RSASSA-PSS) are not supported as public keys: use rsaEncryption',
    )
  throw new CredsignError('unsupported_algorithm', 'unsupported SubjectPublicKeyInfo key algorithm')
}

/**
 * {@link spkiFromJwk} as PEM (`-----BEGIN PUBLIC KEY-----`), what `openssl pkey -pubout` writes and
 * jose's `importSPKI` reads.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, spkiPemFromJwk } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * const info = await vault.generate({ id: 'issuer-1', algorithm: 'P-256', secrets: ['s1'] })
 * console.log(spkiPemFromJwk(info.current.publicJwk)) // -----BEGIN PUBLIC KEY-----\nMFkw…
 * ```
 */
export function spkiPemFromJwk(jwk: PublicJwk | PrivateJwk): string {
  return encodePem('PUBLIC KEY', spkiFromJwk(jwk))
}

/**
 * The public JWK of a PEM `PUBLIC KEY` (one block; text around it is ignored). A private key, a
 * certificate or an RSA `RSA PUBLIC KEY` (PKCS#1) block is `invalid_key`; otherwise the errors of
 * {@link jwkFromSpki}.
 *
 * @example
 *
 * ```ts
 * import { jwkFromSpkiPem, spkiPemFromJwk } from 'credsign'
 * const jwk = {
 *   crv: 'Ed25519',
 *   kty: 'OKP',
 *   x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
 * } as const
 * jwkFromSpkiPem(spkiPemFromJwk(jwk)) // equal to jwk
 * ```
 */
export function jwkFromSpkiPem(pem: string): PublicJwk {
  const blocks = decodePem(pem)
  const [block] = blocks
  if (blocks.length !== 1 || block === undefined)
    throw new CredsignError(
      'invalid_key',
      `expected one PEM PUBLIC KEY block, found ${blocks.length}`,
    )
  if (block.label !== 'PUBLIC KEY')
    throw new CredsignError(
      'invalid_key',
      `a PEM ${JSON.stringify(block.label.slice(0, 40))} block is no SubjectPublicKeyInfo (expected PUBLIC KEY)`,
    )
  return jwkFromSpki(block.der)
}
