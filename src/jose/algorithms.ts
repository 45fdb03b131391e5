import { CredsignError } from '../errors/credsign-error.js'
import type { JwsAlgorithm, KeyAlgorithm } from '../keys/types.js'

/** The key type each accepted JWS algorithm verifies with: one algorithm, one key type. */
const KEY_OF_ALGORITHM: Readonly<Record<JwsAlgorithm, KeyAlgorithm>> = {
  EdDSA: 'Ed25519',
  Ed25519: 'Ed25519',
  ES256: 'P-256',
  ES384: 'P-384',
  ES256K: 'secp256k1',
  PS256: 'RSA-PSS',
}

/**
 * The JWS algorithms credsign verifies by default: every asymmetric algorithm it signs with.
 * `none`, the HMAC family and anything else are never accepted, whatever the options say.
 *
 * @example
 * ```ts
 * import { JWS_ALGORITHMS } from 'credsign'
 * JWS_ALGORITHMS.includes('ES256K') // true
 * JWS_ALGORITHMS.includes('HS256' as never) // false
 * ```
 */
export const JWS_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze(['EdDSA', 'Ed25519', 'ES256', 'ES384', 'ES256K', 'PS256'] as const)

/**
 * Whether `value` is one of {@link JWS_ALGORITHMS}.
 *
 * @example
 * ```ts
 * isJwsAlgorithm('PS256') // true
 * isJwsAlgorithm('RS256') // false
 * ```
 */
export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(KEY_OF_ALGORITHM, value)
}

/**
 * The key algorithm a JWS algorithm needs (`ES256` → `P-256`, `EdDSA` and `Ed25519` → `Ed25519`).
 *
 * @example
 * ```ts
 * keyAlgorithmOf('ES256K') // 'secp256k1'
 * ```
 */
export function keyAlgorithmOf(alg: JwsAlgorithm): KeyAlgorithm {
  return KEY_OF_ALGORITHM[alg]
}

/**
 * Whether two JWS names denote the same algorithm: equal, or `EdDSA` and `Ed25519` (RFC 9864 made
 * `Ed25519` the fully-specified name of what RFC 8037's `EdDSA` means for Ed25519 keys).
 *
 * @example
 * ```ts
 * sameAlgorithm('EdDSA', 'Ed25519') // true
 * ```
 */
export function sameAlgorithm(a: string, b: string): boolean {
  if (a === b) return true
  const ed = (name: string): boolean => name === 'EdDSA' || name === 'Ed25519'
  return ed(a) && ed(b)
}

/**
 * The accepted algorithms of a verification call, validated: `undefined` gives
 * {@link JWS_ALGORITHMS}; an empty list or a name credsign cannot verify (`RS256`, `HS256`, `none`)
 * is a caller bug (`invalid_argument`), not a silent narrowing.
 *
 * @example
 * ```ts
 * acceptedAlgorithms(['ES256']) // Set { 'ES256' }
 * ```
 */
export function acceptedAlgorithms(algorithms: readonly JwsAlgorithm[] | undefined): ReadonlySet<JwsAlgorithm> {
  if (algorithms === undefined) return DEFAULT_SET
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw new CredsignError('invalid_argument', 'algorithms must be a non-empty array')
  for (const alg of algorithms) {
    if (!isJwsAlgorithm(alg)) throw new CredsignError('invalid_argument', `credsign does not verify the algorithm ${JSON.stringify(String(alg).slice(0, 16))}`)
  }
  return new Set(algorithms)
}

const DEFAULT_SET: ReadonlySet<JwsAlgorithm> = new Set(JWS_ALGORITHMS)
