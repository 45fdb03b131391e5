import type { RsaAlgorithm } from './types.js'

/**
 * What one RSA key algorithm signs with: the WebCrypto scheme and hash, the PSS salt length (as
 * long as the hash, RFC 7518 section 3.5), the JWS name and the node:crypto digest name.
 *
 * @example
 *
 * ```ts
 * const scheme: RsaSchemeInfo = RSA_SCHEMES.RS256
 * scheme.webCryptoName // 'RSASSA-PKCS1-v1_5'
 * ```
 */
export interface RsaSchemeInfo {
  readonly algorithm: RsaAlgorithm
  /** The JWS `alg` of this key algorithm. */
  readonly jws: 'PS256' | 'PS384' | 'PS512' | 'RS256' | 'RS384' | 'RS512'
  /** The WebCrypto algorithm name. */
  readonly webCryptoName: 'RSA-PSS' | 'RSASSA-PKCS1-v1_5'
  /** The message (and MGF1) hash, WebCrypto spelling. */
  readonly hash: 'SHA-256' | 'SHA-384' | 'SHA-512'
  /** The hash in node:crypto's spelling. */
  readonly nodeHash: 'sha256' | 'sha384' | 'sha512'
  /** PSS salt length in bytes (the hash length); 0 for PKCS#1 v1.5, which has no salt. */
  readonly saltLength: number
}

function scheme(
  algorithm: RsaAlgorithm,
  jws: RsaSchemeInfo['jws'],
  bits: 256 | 384 | 512,
): RsaSchemeInfo {
  const pss = jws.startsWith('PS')
  return {
    algorithm,
    jws,
    webCryptoName: pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5',
    hash: `SHA-${bits}`,
    nodeHash: `sha${bits}`,
    saltLength: pss ? bits / 8 : 0,
  }
}

/**
 * The six RSA key algorithms, keyed by name. `RSA-PSS` is PS256.
 *
 * @example
 *
 * ```ts
 * RSA_SCHEMES['RSA-PSS'].jws // 'PS256'
 * RSA_SCHEMES.PS512.saltLength // 64
 * ```
 */
export const RSA_SCHEMES: Readonly<Record<RsaAlgorithm, RsaSchemeInfo>> = Object.freeze({
  'RSA-PSS': scheme('RSA-PSS', 'PS256', 256),
  PS384: scheme('PS384', 'PS384', 384),
  PS512: scheme('PS512', 'PS512', 512),
  RS256: scheme('RS256', 'RS256', 256),
  RS384: scheme('RS384', 'RS384', 384),
  RS512: scheme('RS512', 'RS512', 512),
})

/**
 * Every RSA key algorithm, in a stable order.
 *
 * @example
 *
 * ```ts
 * import { RSA_ALGORITHMS } from 'credsign'
 * RSA_ALGORITHMS.includes('RS256') // true
 * ```
 */
export const RSA_ALGORITHMS: readonly RsaAlgorithm[] = Object.freeze(
  Object.keys(RSA_SCHEMES) as RsaAlgorithm[],
)

/**
 * Whether `value` names an RSA key algorithm.
 *
 * @example
 *
 * ```ts
 * import { isRsaAlgorithm } from 'credsign'
 * isRsaAlgorithm('RS256') // true
 * isRsaAlgorithm('PS256') // false: the key algorithm of PS256 is named RSA-PSS
 * ```
 */
export function isRsaAlgorithm(value: unknown): value is RsaAlgorithm {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RSA_SCHEMES, value)
}

/**
 * The RSA key algorithm of an RSA JWS `alg` (`PS256` → `RSA-PSS`, `RS256` → `RS256`), or undefined.
 *
 * @example
 *
 * ```ts
 * rsaAlgorithmOfJws('PS256') // 'RSA-PSS'
 * rsaAlgorithmOfJws('ES256') // undefined
 * ```
 */
export function rsaAlgorithmOfJws(alg: unknown): RsaAlgorithm | undefined {
  return RSA_ALGORITHMS.find((name) => RSA_SCHEMES[name].jws === alg)
}
