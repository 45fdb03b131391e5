import { CredsignError } from '../errors/credsign-error.js'
import type { JwsAlgorithm, KeyAlgorithm } from '../keys/types.js'

/** The key type each accepted JWS algorithm verifies with: one algorithm, one key type. */
const KEY_OF_ALGORITHM: Readonly<Record<JwsAlgorithm, KeyAlgorithm>> = {
  EdDSA: 'Ed25519',
  Ed25519: 'Ed25519',
  ES256: 'P-256',
  ES384: 'P-384',
  ES512: 'P-521',
  ESP256: 'P-256',
  ESP384: 'P-384',
  ESP512: 'P-521',
  ES256K: 'secp256k1',
  PS256: 'RSA-PSS',
  PS384: 'PS384',
  PS512: 'PS512',
  RS256: 'RS256',
  RS384: 'RS384',
  RS512: 'RS512',
}

/** Names of one algorithm: the polymorphic name and its RFC 9864 fully-specified twin. */
const SAME_ALGORITHM: Readonly<Record<string, string>> = {
  EdDSA: 'Ed25519',
  ES256: 'ESP256',
  ES384: 'ESP384',
  ES512: 'ESP512',
}

/**
 * The JWS algorithms credsign verifies by default: every asymmetric algorithm it signs with, as
 * jose does (RS256 and the other RSASSA-PKCS1-v1_5 algorithms included: they are what most JWKS
 * publishers use, and a key verifies only the one algorithm its header and JWK agree on). `none`,
 * the HMAC family and anything else are never accepted, whatever the options say.
 *
 * @example
 *
 * ```ts
 * import { JWS_ALGORITHMS } from 'credsign'
 * JWS_ALGORITHMS.includes('ES256K') // true
 * JWS_ALGORITHMS.includes('RS256') // true
 * JWS_ALGORITHMS.includes('HS256' as never) // false
 * ```
 */
export const JWS_ALGORITHMS: readonly JwsAlgorithm[] = /* @__PURE__ */ Object.freeze([
  'EdDSA',
  'Ed25519',
  'ES256',
  'ES384',
  'ES512',
  'ESP256',
  'ESP384',
  'ESP512',
  'ES256K',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
] as const)

/**
 * Whether `value` is one of {@link JWS_ALGORITHMS}.
 *
 * @example
 *
 * ```ts
 * isJwsAlgorithm('RS256') // true
 * isJwsAlgorithm('HS256') // false
 * ```
 */
export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(KEY_OF_ALGORITHM, value)
}

/**
 * The key algorithm a JWS algorithm needs (`ES256` and `ESP256` → `P-256`, `EdDSA` and `Ed25519` →
 * `Ed25519`, `PS256` → `RSA-PSS`, `RS256` → `RS256`).
 *
 * @example
 *
 * ```ts
 * keyAlgorithmOf('ES256K') // 'secp256k1'
 * keyAlgorithmOf('ESP512') // 'P-521'
 * ```
 */
export function keyAlgorithmOf(alg: JwsAlgorithm): KeyAlgorithm {
  return KEY_OF_ALGORITHM[alg]
}

/**
 * Whether two JWS names denote the same algorithm: equal, or a polymorphic name and its RFC 9864
 * fully-specified twin (`EdDSA` and `Ed25519` for Ed25519 keys; `ES256`/`ESP256`, `ES384`/`ESP384`,
 * `ES512`/`ESP512`: the same ECDSA signatures).
 *
 * @example
 *
 * ```ts
 * sameAlgorithm('EdDSA', 'Ed25519') // true
 * sameAlgorithm('ES256', 'ESP256') // true
 * sameAlgorithm('PS256', 'RS256') // false
 * ```
 */
export function sameAlgorithm(a: string, b: string): boolean {
  if (a === b) return true
  const own = (name: string): boolean => Object.prototype.hasOwnProperty.call(SAME_ALGORITHM, name)
  return (own(a) && SAME_ALGORITHM[a] === b) || (own(b) && SAME_ALGORITHM[b] === a)
}

/**
 * The accepted algorithms of a verification call, validated: `undefined` gives
 * {@link JWS_ALGORITHMS}; an empty list or a name credsign cannot verify (`HS256`, `none`,
 * `ES256K1`) is a caller bug (`invalid_argument`), not a silent narrowing.
 *
 * @example
 *
 * ```ts
 * acceptedAlgorithms(['ES256']) // Set { 'ES256' }
 * ```
 */
export function acceptedAlgorithms(
  algorithms: readonly JwsAlgorithm[] | undefined,
): ReadonlySet<JwsAlgorithm> {
  if (algorithms === undefined) return DEFAULT_SET
  if (!Array.isArray(algorithms) || algorithms.length === 0)
    throw new CredsignError('invalid_argument', 'algorithms must be a non-empty array')
  for (const alg of algorithms) {
    if (!isJwsAlgorithm(alg))
      throw new CredsignError(
        'invalid_argument',
        `credsign does not verify the algorithm ${JSON.stringify(String(alg).slice(0, 16))}`,
      )
  }
  return new Set(algorithms)
}

const DEFAULT_SET: ReadonlySet<JwsAlgorithm> = /* @__PURE__ */ new Set(JWS_ALGORITHMS)
