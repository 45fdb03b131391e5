import { CredsignError } from '../errors/credsign-error.js'
import { isRsaAlgorithm, RSA_ALGORITHMS, RSA_SCHEMES, rsaAlgorithmOfJws } from './rsa-algorithms.js'
import type { JwsAlgorithm, KeyAlgorithm, PrivateJwk, PublicJwk } from './types.js'

/**
 * Every key algorithm credsign supports, in a stable order.
 *
 * @example
 *
 * ```ts
 * import { KEY_ALGORITHMS } from 'credsign'
 * KEY_ALGORITHMS.includes('P-256') // true
 * ```
 */
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = Object.freeze([
  'Ed25519',
  'P-256',
  'P-384',
  'P-521',
  'secp256k1',
  ...RSA_ALGORITHMS,
])

/**
 * Whether `value` names a supported key algorithm.
 *
 * @example
 *
 * ```ts
 * import { isKeyAlgorithm } from 'credsign'
 * isKeyAlgorithm('secp256k1') // true
 * isKeyAlgorithm('RS256') // true
 * isKeyAlgorithm('X25519') // false
 * ```
 */
export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return typeof value === 'string' && (KEY_ALGORITHMS as readonly string[]).includes(value)
}

/**
 * Options of {@link jwsAlgorithm}.
 *
 * @example
 *
 * ```ts
 * import { jwsAlgorithm } from 'credsign'
 * jwsAlgorithm('Ed25519', { ed25519Name: 'Ed25519' }) // 'Ed25519'
 * ```
 */
export interface JwsAlgorithmOptions {
  /**
   * The JWS name for Ed25519: `EdDSA` (RFC 8037, what most verifiers expect; the default) or the
   * fully-specified `Ed25519` (RFC 9864).
   */
  ed25519Name?: 'EdDSA' | 'Ed25519'
  /**
   * `true`: the RFC 9864 fully-specified names, `Ed25519`, `ESP256`, `ESP384` and `ESP512`, for
   * Ed25519, P-256, P-384 and P-521 (the other algorithms' names are fully specified already).
   * Default `false`. With `ed25519Name: 'EdDSA'` it is an `invalid_argument`.
   */
  fullySpecified?: boolean
}

/**
 * The JWS `alg` credsign signs with for a key algorithm: EdDSA (or Ed25519), ES256, ES384, ES512,
 * ES256K, and for RSA keys the one algorithm the key was made for (`RSA-PSS` → PS256, `RS256` →
 * RS256, ...). With `fullySpecified`, the RFC 9864 names Ed25519, ESP256, ESP384, ESP512.
 *
 * @example
 *
 * ```ts
 * import { jwsAlgorithm } from 'credsign'
 * jwsAlgorithm('P-384') // 'ES384'
 * jwsAlgorithm('P-521', { fullySpecified: true }) // 'ESP512'
 * jwsAlgorithm('Ed25519', { ed25519Name: 'Ed25519' }) // 'Ed25519'
 * jwsAlgorithm('RS256') // 'RS256'
 * ```
 */
export function jwsAlgorithm(
  algorithm: KeyAlgorithm,
  options: JwsAlgorithmOptions = {},
): JwsAlgorithm {
  const fully = options.fullySpecified ?? false
  if (typeof fully !== 'boolean')
    throw new CredsignError('invalid_argument', 'fullySpecified must be a boolean')
  if (isRsaAlgorithm(algorithm)) return RSA_SCHEMES[algorithm].jws
  switch (algorithm) {
    case 'Ed25519': {
      const name = options.ed25519Name ?? (fully ? 'Ed25519' : 'EdDSA')
      if (name !== 'EdDSA' && name !== 'Ed25519')
        throw new CredsignError('invalid_argument', 'ed25519Name must be EdDSA or Ed25519')
      if (fully && name !== 'Ed25519')
        throw new CredsignError('invalid_argument', 'fullySpecified names Ed25519, not EdDSA')
      return name
    }
    case 'P-256':
      return fully ? 'ESP256' : 'ES256'
    case 'P-384':
      return fully ? 'ESP384' : 'ES384'
    case 'P-521':
      return fully ? 'ESP512' : 'ES512'
    case 'secp256k1':
      return 'ES256K'
    default:
      throw new CredsignError('unsupported_algorithm', 'unsupported key algorithm')
  }
}

/**
 * The key a JWS (or HMAC) `alg` is for: the key algorithm, `RSA` for any RSA algorithm (the `alg`
 * itself picks the scheme), `oct` for HMAC. A JWK whose `alg` is here names its key.
 */
// Marked pure so a bundle that never calls keyAlgorithmFromJwk drops it (verifySignature's row).
const KEY_OF_JWS: Readonly<Record<string, KeyAlgorithm | 'RSA' | 'oct'>> =
  /* @__PURE__ */ Object.freeze({
    EdDSA: 'Ed25519',
    Ed25519: 'Ed25519',
    ES256: 'P-256',
    ESP256: 'P-256',
    ES384: 'P-384',
    ESP384: 'P-384',
    ES512: 'P-521',
    ESP512: 'P-521',
    ES256K: 'secp256k1',
    PS256: 'RSA',
    PS384: 'RSA',
    PS512: 'RSA',
    RS256: 'RSA',
    RS384: 'RSA',
    RS512: 'RSA',
    HS256: 'oct',
    HS384: 'oct',
    HS512: 'oct',
  })

/**
 * {@link keyAlgorithmFromJwk} without its `alg` check: for the verification side, where JOSE key
 * selection refuses a key whose `alg` is not the header's (`algorithm_not_allowed`).
 *
 * @example
 *
 * ```ts
 * jwkKeyAlgorithm({ kty: 'RSA', n: '...', e: 'AQAB', alg: 'ES256' }) // 'RSA-PSS'
 * ```
 */
export function jwkKeyAlgorithm(jwk: PublicJwk | PrivateJwk): KeyAlgorithm {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new CredsignError('invalid_argument', 'a JWK must be an object')
  }
  const { kty, crv } = jwk as { kty?: unknown; crv?: unknown }
  if (typeof kty !== 'string') throw new CredsignError('invalid_key', 'JWK has no kty')
  if (kty === 'RSA') return rsaAlgorithmOfJws((jwk as { alg?: unknown }).alg) ?? 'RSA-PSS'
  if (kty !== 'OKP' && kty !== 'EC')
    throw new CredsignError(
      'unsupported_algorithm',
      `unsupported JWK kty ${JSON.stringify(kty.slice(0, 16))}`,
    )
  if (typeof crv !== 'string') throw new CredsignError('invalid_key', 'JWK has no crv')
  if (kty === 'OKP' && crv === 'Ed25519') return 'Ed25519'
  if (
    kty === 'EC' &&
    (crv === 'P-256' || crv === 'P-384' || crv === 'P-521' || crv === 'secp256k1')
  )
    return crv
  throw new CredsignError(
    'unsupported_algorithm',
    `unsupported ${kty} curve ${JSON.stringify(crv.slice(0, 16))}`,
  )
}

/**
 * The key algorithm of a JWK, from its `kty` and `crv`. An RSA JWK carries no scheme of its own: it
 * is the RSA algorithm its `alg` names (`RS256` → `RS256`, `PS384` → `PS384`, `PS256` → `RSA-PSS`),
 * and `RSA-PSS` (PS256) when `alg` is absent or names no signature algorithm (as in credsign 0.1).
 * An `alg` naming a signature algorithm of another key (RFC 7517 section 4.4: `ES256` on an RSA or
 * P-384 key, `RS256` on an EC key, `HS256` on any) is an `invalid_key`. Checks only those members;
 * the key material itself is validated where it is used.
 *
 * Throws `invalid_argument` when `jwk` is not an object, `invalid_key` when `kty`/`crv` are missing
 * or not strings, `unsupported_algorithm` for any other key type or curve (e.g. `P-192`, `X25519`,
 * the pre-RFC 8812 name `P-256K`).
 *
 * @example
 *
 * ```ts
 * import { keyAlgorithmFromJwk } from 'credsign'
 * keyAlgorithmFromJwk({ kty: 'EC', crv: 'secp256k1', x: '...', y: '...' }) // 'secp256k1'
 * keyAlgorithmFromJwk({ kty: 'RSA', n: '...', e: 'AQAB' }) // 'RSA-PSS'
 * keyAlgorithmFromJwk({ kty: 'RSA', n: '...', e: 'AQAB', alg: 'RS256' }) // 'RS256'
 * keyAlgorithmFromJwk({ kty: 'RSA', n: '...', e: 'AQAB', alg: 'ES256' }) // throws invalid_key
 * ```
 */
export function keyAlgorithmFromJwk(jwk: PublicJwk | PrivateJwk): KeyAlgorithm {
  const algorithm = jwkKeyAlgorithm(jwk)
  // RFC 7517 section 4.4: `alg` is the algorithm the key is for. One of another key type is refused
  // here, the one place a private JWK import (importPrivateKey, KeyVault.import) learns its algorithm.
  const alg = (jwk as { alg?: unknown }).alg
  if (typeof alg !== 'string' || !Object.prototype.hasOwnProperty.call(KEY_OF_JWS, alg))
    return algorithm
  const key = isRsaAlgorithm(algorithm) ? 'RSA' : algorithm
  if (KEY_OF_JWS[alg] !== key)
    throw new CredsignError('invalid_key', `a ${key} JWK cannot be for ${alg}`)
  return algorithm
}
