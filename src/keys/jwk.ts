import { CredsignError } from '../errors/credsign-error.js'
import { b64u, concat, fromB64u } from '../util/bytes.js'
import { byteKey, Lru } from '../util/lru.js'
import { jwkKeyAlgorithm } from './algorithms.js'
import { EC_CURVES, isEcAlgorithm, uncompressedPoint } from './curves.js'
import { bigIntFromBytes, ed25519PointKind } from './curve-points.js'
import type { EcAlgorithm } from './curves.js'
import { isRsaAlgorithm } from './rsa-algorithms.js'
import type { PrivateJwk, PublicJwk, RsaAlgorithm, RsaModulusLength } from './types.js'

/**
 * A validated public key in raw form.
 *
 * @example
 *
 * ```ts
 * const key: PublicKeyBytes = parsePublicJwk({
 *   kty: 'OKP',
 *   crv: 'Ed25519',
 *   x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
 * })
 * if (key.algorithm === 'Ed25519') key.publicKey.length // 32
 * ```
 */
export type PublicKeyBytes =
  /** `publicKey`: the 32-byte RFC 8032 encoding. */
  | { readonly algorithm: 'Ed25519'; readonly publicKey: Uint8Array }
  /** `publicKey`: the uncompressed SEC1 point 0x04 || x || y. */
  | { readonly algorithm: EcAlgorithm; readonly publicKey: Uint8Array }
  /**
   * `n`, `e`: big-endian, without leading zero octets; `algorithm`: the one scheme the key is used
   * with.
   */
  | { readonly algorithm: RsaAlgorithm; readonly n: Uint8Array; readonly e: Uint8Array }

/**
 * An RSA public key of {@link PublicKeyBytes}.
 *
 * @example
 *
 * ```ts
 * const key: RsaPublicKeyBytes = {
 *   algorithm: 'RS256',
 *   n: new Uint8Array(256),
 *   e: new Uint8Array([1, 0, 1]),
 * }
 * ```
 */
export type RsaPublicKeyBytes = Extract<PublicKeyBytes, { readonly n: Uint8Array }>

/**
 * Whether `key` is an RSA key (whichever of the six RSA algorithms it is used with).
 *
 * @example
 *
 * ```ts
 * isRsaPublicKey({ algorithm: 'Ed25519', publicKey: new Uint8Array(32) }) // false
 * ```
 */
export function isRsaPublicKey(key: PublicKeyBytes): key is RsaPublicKeyBytes {
  return isRsaAlgorithm(key.algorithm)
}

/**
 * RSA modulus sizes credsign accepts, in bits.
 *
 * @example
 *
 * ```ts
 * RSA_MODULUS_LENGTHS.includes(3072) // true
 * ```
 */
export const RSA_MODULUS_LENGTHS: readonly RsaModulusLength[] = [2048, 3072, 4096]

function member(jwk: object, name: string): string {
  const value = (jwk as Record<string, unknown>)[name]
  if (typeof value !== 'string')
    throw new CredsignError('invalid_key', `JWK member ${name} is missing or not a string`)
  return value
}

/**
 * Decodes a fixed-length base64url member; wrong lengths are `invalid_key`.
 *
 * @example
 *
 * ```ts
 * fixedMember({ x: 'AQID' }, 'x', 3) // Uint8Array [1, 2, 3]
 * ```
 */
export function fixedMember(jwk: object, name: string, length: number): Uint8Array {
  const bytes = fromB64u(member(jwk, name), 'invalid_key')
  if (bytes.length !== length)
    throw new CredsignError('invalid_key', `JWK member ${name} must be ${length} bytes`)
  return bytes
}

/**
 * Decodes an RFC 7518 Base64urlUInt member: non-empty, no leading zero octet.
 *
 * @example
 *
 * ```ts
 * uintMember({ e: 'AQAB' }, 'e') // Uint8Array [1, 0, 1]
 * ```
 */
export function uintMember(jwk: object, name: string): Uint8Array {
  const bytes = fromB64u(member(jwk, name), 'invalid_key')
  if (bytes.length === 0 || (bytes.length > 1 && bytes[0] === 0)) {
    throw new CredsignError('invalid_key', `JWK member ${name} is not a minimal unsigned integer`)
  }
  return bytes
}

/**
 * Validates an RSA public key: modulus of exactly 2048, 3072 or 4096 bits (else
 * `unsupported_algorithm`), odd modulus, odd exponent with 1 < e < n (else `invalid_key`).
 *
 * @example
 *
 * ```ts
 * checkRsaPublicKey(new Uint8Array(256).fill(0xff), new Uint8Array([1, 0, 1]))
 * ```
 */
export function checkRsaPublicKey(n: Uint8Array, e: Uint8Array): void {
  if (n.length === 0 || n[0] === 0)
    throw new CredsignError('invalid_key', 'RSA modulus is not minimal')
  const bits = n.length * 8 - Math.clz32(n[0] as number) + 24
  if (!(RSA_MODULUS_LENGTHS as readonly number[]).includes(bits)) {
    throw new CredsignError(
      'unsupported_algorithm',
      `RSA modulus of ${bits} bits (credsign supports 2048, 3072 and 4096)`,
    )
  }
  if (((n[n.length - 1] as number) & 1) === 0)
    throw new CredsignError('invalid_key', 'RSA modulus is even')
  const exponent = bigIntFromBytes(e)
  if (exponent <= 1n || (exponent & 1n) === 0n || exponent >= bigIntFromBytes(n)) {
    throw new CredsignError('invalid_key', 'RSA public exponent is out of range')
  }
}

/**
 * Parses and fully validates the public part of a JWK (points on the curve, exact lengths,
 * supported RSA size). Members other than the key material (including any private ones) are
 * ignored.
 *
 * @example
 *
 * ```ts
 * const key = parsePublicJwk({
 *   kty: 'OKP',
 *   crv: 'Ed25519',
 *   x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
 * })
 * key.algorithm // 'Ed25519'
 * ```
 */
export function parsePublicJwk(jwk: PublicJwk | PrivateJwk): PublicKeyBytes {
  const algorithm = jwkKeyAlgorithm(jwk)
  if (algorithm === 'Ed25519') {
    const publicKey = fixedMember(jwk, 'x', 32)
    assertEd25519Point(publicKey)
    return { algorithm, publicKey }
  }
  if (isEcAlgorithm(algorithm)) {
    const curve = EC_CURVES[algorithm]
    const x = fixedMember(jwk, 'x', curve.size)
    const y = fixedMember(jwk, 'y', curve.size)
    return { algorithm, publicKey: uncompressedPoint(curve, concat(new Uint8Array([4]), x, y)) }
  }
  const n = uintMember(jwk, 'n')
  const e = uintMember(jwk, 'e')
  checkRsaPublicKey(n, e)
  return { algorithm, n, e }
}

/** Ed25519 encodings that passed {@link assertEd25519Point} (the last 1,000). */
const validEd25519Points = new Lru<string, true>(1000)

/**
 * Throws `invalid_key` unless `publicKey` is a canonical RFC 8032 encoding of an Ed25519 point of
 * large order: non-canonical encodings (y >= p, or x = 0 with the sign bit set) and the eight
 * small-order points (order 1, 2, 4 or 8: the identity, (0, -1), (±sqrt(-1), 0) and four points of
 * order 8) are refused. Every public key credsign reads (JWK, did:key, did:jwk, Multikey, `cnf`,
 * header `jwk`) passes through here, so no backend ever sees such a key.
 *
 * Why small-order keys: for A of order dividing 8, [k]A takes at most 8 values whatever the message
 * hash k is, so a signature can be forged without the private key (for the identity, R = identity
 * and S = 0 verify for every message). OpenSSL and BoringSSL accept those forgeries, noble's strict
 * mode refuses them: refusing the key gives one answer on every runtime. (Libsodium refuses the
 * same keys; no honest key generator can produce one: a clamped seed times B is never
 * small-order.)
 *
 * @example
 *
 * ```ts
 * assertEd25519Point(new Uint8Array(32)) // throws: y = 0 is a point of order 4
 * ```
 */
export function assertEd25519Point(publicKey: Uint8Array): void {
  if (publicKey.length !== 32)
    throw new CredsignError('invalid_key', 'an Ed25519 public key is 32 bytes')
  // The check costs ~0.1 ms (a modular exponentiation) and a verifier sees the same few keys
  // over and over: each distinct encoding is checked once (only successes are remembered; the
  // check is a pure function of the 32 bytes).
  const id = byteKey(publicKey)
  if (validEd25519Points.get(id) === true) return
  // Strict RFC 8032 decoding (y < p, x = 0 only with the sign bit clear) and the small-order test,
  // in bigint arithmetic (curve-points.ts: the same verdicts as noble's strict decoder, by test).
  const kind = ed25519PointKind(publicKey)
  if (kind === 'non-canonical')
    throw new CredsignError('invalid_key', 'not a canonical encoding of an Ed25519 point')
  // The eight points whose eightfold is the identity (the torsion subgroup).
  if (kind === 'small-order')
    throw new CredsignError(
      'invalid_key',
      'a small-order Ed25519 point is no public key (signatures could be forged)',
    )
  validEd25519Points.set(id, true)
}

/**
 * The public JWK of a validated key, holding only the members RFC 7638 requires, in lexicographic
 * order (so `JSON.stringify` of it is the thumbprint input and the did:jwk form).
 *
 * @example
 *
 * ```ts
 * jwkFromPublicKey({ algorithm: 'Ed25519', publicKey: new Uint8Array(32) })
 * // { crv: 'Ed25519', kty: 'OKP', x: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }
 * ```
 */
export function jwkFromPublicKey(key: PublicKeyBytes): PublicJwk {
  if (key.algorithm === 'Ed25519') return { crv: 'Ed25519', kty: 'OKP', x: b64u(key.publicKey) }
  if (isRsaPublicKey(key)) return { e: b64u(key.e), kty: 'RSA', n: b64u(key.n) }
  const size = EC_CURVES[key.algorithm].size
  return {
    crv: key.algorithm,
    kty: 'EC',
    x: b64u(key.publicKey.subarray(1, 1 + size)),
    y: b64u(key.publicKey.subarray(1 + size, 1 + 2 * size)),
  }
}

/**
 * Validates a public JWK and returns a copy with only its required members (no `kid`), in
 * lexicographic order.
 *
 * @example
 *
 * ```ts
 * requiredMembers({
 *   kty: 'OKP',
 *   crv: 'Ed25519',
 *   x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
 *   kid: 'k',
 * })
 * // { crv: 'Ed25519', kty: 'OKP', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }
 * ```
 */
export function requiredMembers(jwk: PublicJwk | PrivateJwk): PublicJwk {
  return jwkFromPublicKey(parsePublicJwk(jwk))
}
