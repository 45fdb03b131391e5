import { CredsignError } from '../errors/credsign-error.js'
import { concat, copyBytes } from '../util/bytes.js'
import { b58, fromB58 } from '../util/base58.js'
import {
  DER_TAG,
  decodeDer,
  derSequence,
  derUnsigned,
  derUnsignedInteger,
  readDerChildren,
} from './der.js'
import { keyAlgorithmFromJwk } from './algorithms.js'
import { EC_CURVES, uncompressedPoint } from './curves.js'
import { compressPoint } from './curve-points.js'
import {
  assertEd25519Point,
  checkRsaPublicKey,
  isRsaPublicKey,
  jwkFromPublicKey,
  parsePublicJwk,
} from './jwk.js'
import type { PublicKeyBytes } from './jwk.js'
import type { PrivateJwk, PublicJwk } from './types.js'

/**
 * Multicodec codes (https://github.com/multiformats/multicodec, table.csv) of the public keys
 * credsign supports. One code for RSA (`rsa-pub`): the key carries no scheme, so a Multikey /
 * did:key RSA key reads back as `RSA-PSS` (PS256), like a JWK without `alg`.
 */
const PUBLIC_CODECS = {
  Ed25519: 0xed,
  'P-256': 0x1200,
  'P-384': 0x1201,
  'P-521': 0x1202,
  secp256k1: 0xe7,
  'RSA-PSS': 0x1205,
} as const
type CodecKey = keyof typeof PUBLIC_CODECS

/** Private-key codecs: recognized only to refuse them with a clear error. */
const PRIVATE_CODECS = new Set([0x1300, 0x1301, 0x1302, 0x1305, 0x1306, 0x1307, 0x1308])

/**
 * A multikey (or did:key identifier) longer than this is no key credsign supports; refused before
 * base58 decoding, which is quadratic.
 */
const MAX_MULTIBASE_LENGTH = 1024

function varint(code: number): Uint8Array {
  const out: number[] = []
  let rest = code
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80)
    rest >>>= 7
  }
  out.push(rest)
  return new Uint8Array(out)
}

function readVarint(bytes: Uint8Array): { code: number; length: number } {
  let code = 0
  for (let i = 0; i < 4 && i < bytes.length; i++) {
    const byte = bytes[i] as number
    code += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) {
      // The multiformats varint must be minimal: no trailing zero group.
      if (i > 0 && byte === 0) break
      return { code, length: i + 1 }
    }
  }
  throw new CredsignError('invalid_key', 'malformed multicodec prefix')
}

/**
 * The Multikey `publicKeyMultibase` of a public key: `z` + base58btc(multicodec varint || key),
 * where the key is the 32-byte Ed25519 key, the compressed SEC1 point (P-256, P-384, P-521,
 * secp256k1), or the DER PKCS#1 RSAPublicKey. This is also the did:key method-specific identifier.
 * The key is validated; private members of a private JWK are ignored. A Multikey carries no `alg`,
 * so a JWK whose `alg` names an algorithm of another key type (RFC 7517 section 4.4) is an
 * `invalid_key` rather than converted without it.
 *
 * @example
 *
 * ```ts
 * import { multikeyFromJwk } from 'credsign'
 * multikeyFromJwk({
 *   kty: 'OKP',
 *   crv: 'Ed25519',
 *   x: 'sA2Nk45_dz1RVlqtNqYj9TRPf10ZYPnPPo4SYg6igQ8',
 * })
 * // 'z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2'
 * ```
 */
export function multikeyFromJwk(jwk: PublicJwk | PrivateJwk): string {
  keyAlgorithmFromJwk(jwk) // an `alg` of another key type: invalid_key, not dropped
  return multikeyFromPublicKey(parsePublicJwk(jwk))
}

function multikeyFromPublicKey(key: PublicKeyBytes): string {
  let body: Uint8Array
  if (key.algorithm === 'Ed25519') body = key.publicKey
  else if (isRsaPublicKey(key))
    body = derSequence(derUnsignedInteger(key.n), derUnsignedInteger(key.e))
  else body = compressPoint(key.publicKey)
  return (
    'z' + b58(concat(varint(PUBLIC_CODECS[isRsaPublicKey(key) ? 'RSA-PSS' : key.algorithm]), body))
  )
}

/**
 * The public JWK (required members only, no `kid`) of a Multikey `publicKeyMultibase`. EC points
 * are decompressed and validated on the curve.
 *
 * Errors: `invalid_argument` (not a string), `invalid_key` (not `z`-base58btc, bad prefix, wrong
 * length, not a point, a private-key codec), `unsupported_algorithm` (another key type, e.g.
 * X25519, or an RSA size other than 2048/3072/4096).
 *
 * @example
 *
 * ```ts
 * import { jwkFromMultikey } from 'credsign'
 * jwkFromMultikey('z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2')
 * // { crv: 'Ed25519', kty: 'OKP', x: 'sA2Nk45_dz1RVlqtNqYj9TRPf10ZYPnPPo4SYg6igQ8' }
 * ```
 */
export function jwkFromMultikey(publicKeyMultibase: string): PublicJwk {
  return jwkFromPublicKey(publicKeyFromMultikey(publicKeyMultibase))
}

function publicKeyFromMultikey(multibase: string): PublicKeyBytes {
  if (typeof multibase !== 'string')
    throw new CredsignError('invalid_argument', 'publicKeyMultibase must be a string')
  if (!multibase.startsWith('z'))
    throw new CredsignError('invalid_key', 'publicKeyMultibase must be base58btc (prefix z)')
  if (multibase.length > MAX_MULTIBASE_LENGTH)
    throw new CredsignError('invalid_key', 'publicKeyMultibase is too long')
  const bytes = fromB58(multibase.slice(1), 'invalid_key')
  const { code, length } = readVarint(bytes)
  const body = bytes.subarray(length)
  if (PRIVATE_CODECS.has(code))
    throw new CredsignError('invalid_key', 'this is a private key, not a public key')
  const algorithm = (Object.keys(PUBLIC_CODECS) as CodecKey[]).find(
    (name) => PUBLIC_CODECS[name] === code,
  )
  if (algorithm === undefined)
    throw new CredsignError(
      'unsupported_algorithm',
      `unsupported multicodec 0x${code.toString(16)}`,
    )
  if (algorithm === 'Ed25519') {
    assertEd25519Point(body)
    return { algorithm, publicKey: copyBytes(body) }
  }
  if (algorithm === 'RSA-PSS') {
    const fields = readDerChildren(decodeDer(body, DER_TAG.SEQUENCE))
    const [nField, eField] = fields
    if (fields.length !== 2 || nField === undefined || eField === undefined)
      throw new CredsignError('invalid_key', 'malformed RSAPublicKey')
    const n = copyBytes(derUnsigned(nField))
    const e = copyBytes(derUnsigned(eField))
    checkRsaPublicKey(n, e)
    return { algorithm, n, e }
  }
  const curve = EC_CURVES[algorithm]
  // Multikey mandates the compressed form for EC keys.
  if (body.length !== curve.size + 1 || (body[0] !== 2 && body[0] !== 3)) {
    throw new CredsignError(
      'invalid_key',
      `a ${algorithm} multikey holds a ${curve.size + 1}-byte compressed point`,
    )
  }
  return { algorithm, publicKey: uncompressedPoint(curve, body) }
}
