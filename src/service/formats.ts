/*
 * The one list of what credsign signs: the signing formats, the kinds of document each signs, and
 * the Data Integrity cryptosuites. The HTTP schemas, OpenAPI, the issuer-profile check, the CLI and
 * `signVerifiable` all read these names, so adding a format is one folder under src/formats/ and
 * one entry here (the compiler then points at the one `signVerifiable` entry still missing).
 * Nothing here loads a signer: the names are cheap to import (JSON-LD stays lazy).
 */
import { CRYPTOSUITE_NAMES } from '../formats/data-integrity/cryptosuites.js'
import type { CryptosuiteName } from '../formats/data-integrity/types.js'

/**
 * What is signed: a credential (`vc`), a presentation (`vp`), or an OpenID4VCI proof of possession
 * of a key (`pop`, which signs no document of the caller's).
 *
 * @example
 *
 * ```ts
 * VERIFIABLE_KINDS.includes('vp') // true
 * ```
 *
 * @internal
 */
export const VERIFIABLE_KINDS = ['vc', 'vp', 'pop'] as const

/**
 * One of {@link VERIFIABLE_KINDS}.
 *
 * @example
 *
 * ```ts
 * const kind: VerifiableKind = 'vc'
 * ```
 *
 * @internal
 */
export type VerifiableKind = (typeof VERIFIABLE_KINDS)[number]

/**
 * The formats credsign signs in, each with the kinds it signs. `pop` in `jwt` is the OpenID4VCI
 * `jwt` proof type, in `data-integrity` the `di_vp` proof type; OpenID4VCI has no SD-JWT proof.
 *
 * @example
 *
 * ```ts
 * SIGNING_FORMAT_KINDS['sd-jwt'] // ['vc', 'vp']
 * ```
 *
 * @internal
 */
export const SIGNING_FORMAT_KINDS = {
  jwt: ['vc', 'vp', 'pop'],
  'data-integrity': ['vc', 'vp', 'pop'],
  'sd-jwt': ['vc', 'vp'],
} as const satisfies Readonly<Record<string, readonly VerifiableKind[]>>

/**
 * A signing format: `jwt` (JWT-VC / VP, VC-JOSE-COSE), `data-integrity` (W3C Data Integrity
 * proofs), `sd-jwt` (SD-JWT VC and VC-JOSE-COSE `vc+sd-jwt`).
 *
 * @example
 *
 * ```ts
 * const format: SigningFormat = 'sd-jwt'
 * ```
 *
 * @internal
 */
export type SigningFormat = keyof typeof SIGNING_FORMAT_KINDS

/**
 * The names of every signing format, in the order the docs list them.
 *
 * @example
 *
 * ```ts
 * SIGNING_FORMATS.join(', ') // 'jwt, data-integrity, sd-jwt'
 * ```
 *
 * @internal
 */
export const SIGNING_FORMATS = Object.keys(
  SIGNING_FORMAT_KINDS,
) as readonly SigningFormat[] as readonly [SigningFormat, ...SigningFormat[]]

/**
 * The Data Integrity cryptosuites credsign signs and verifies (from the format's own table).
 *
 * @example
 *
 * ```ts
 * CRYPTOSUITES_OFFERED.includes('ecdsa-jcs-2019') // true
 * ```
 *
 * @internal
 */
export const CRYPTOSUITES_OFFERED = CRYPTOSUITE_NAMES as readonly [
  CryptosuiteName,
  ...CryptosuiteName[],
]

export type { CryptosuiteName }

/**
 * Whether `format` signs documents of `kind`.
 *
 * @example
 *
 * ```ts
 * formatSigns('sd-jwt', 'pop') // false
 * ```
 *
 * @internal
 */
export function formatSigns(format: SigningFormat, kind: VerifiableKind): boolean {
  return (SIGNING_FORMAT_KINDS[format] as readonly VerifiableKind[]).includes(kind)
}

/**
 * Whether `value` names a signing format.
 *
 * @example
 *
 * ```ts
 * isSigningFormat('cose') // false
 * ```
 *
 * @internal
 */
export function isSigningFormat(value: unknown): value is SigningFormat {
  return typeof value === 'string' && (SIGNING_FORMATS as readonly string[]).includes(value)
}

/**
 * Names as prose: `a, b or c`.
 *
 * @example
 *
 * ```ts
 * oneOf(['jwt', 'data-integrity', 'sd-jwt']) // 'jwt, data-integrity or sd-jwt'
 * ```
 *
 * @internal
 */
export function oneOf(names: readonly string[], conjunction = 'or'): string {
  return names.length < 2
    ? names.join('')
    : `${names.slice(0, -1).join(', ')} ${conjunction} ${names.at(-1)!}`
}
