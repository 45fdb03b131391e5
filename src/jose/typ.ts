import { CredsignError } from '../errors/credsign-error.js'

/**
 * A `typ` (or `cty`) value in the form RFC 7515 section 4.1.9 compares: lower case (media types are
 * case-insensitive, RFC 2045) and without an `application/` prefix, which producers are told to
 * omit and recipients to assume. `application/vc+jwt`, `VC+JWT` and `vc+jwt` all become `vc+jwt`;
 * `text/plain` keeps its prefix.
 *
 * @example
 *
 * ```ts
 * import { normalizeTyp } from 'credsign'
 * normalizeTyp('application/VC+JWT') // 'vc+jwt'
 * ```
 */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

/**
 * Whether a header `typ` is one of the expected types, compared as {@link normalizeTyp} says. A
 * missing `typ` matches nothing.
 *
 * @example
 *
 * ```ts
 * import { typMatches } from 'credsign'
 * typMatches('application/oauth-authz-req+jwt', 'oauth-authz-req+jwt') // true
 * typMatches(undefined, 'JWT') // false
 * ```
 */
export function typMatches(typ: unknown, expected: string | readonly string[]): boolean {
  if (typeof typ !== 'string') return false
  const wanted = typeof expected === 'string' ? [expected] : expected
  const actual = normalizeTyp(typ)
  return wanted.some((candidate) => normalizeTyp(candidate) === actual)
}

/**
 * Validates an expected-`typ` option: a non-empty string or a non-empty array of them.
 *
 * @example
 *
 * ```ts
 * expectedTyp(['vc+jwt', 'vc+ld+jwt']) // ['vc+jwt', 'vc+ld+jwt']
 * ```
 */
export function expectedTyp(typ: unknown): readonly string[] | undefined {
  if (typ === undefined) return undefined
  const list = typeof typ === 'string' ? [typ] : typ
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((entry) => typeof entry !== 'string' || entry.length === 0)
  ) {
    throw new CredsignError(
      'invalid_argument',
      'typ must be a non-empty string or array of strings',
    )
  }
  return list as string[]
}

/** `…+sd-jwt`, or RFC 9901's own media types `sd-jwt` / `sd-jwt+json` (section 11). */
const SD_JWT_TYP = /(?:^|\+)sd-jwt(?:\+json)?$/

/**
 * Whether a header `typ` says SD-JWT: `…+sd-jwt`, `sd-jwt` or `sd-jwt+json`, compared as
 * {@link normalizeTyp} says and trimmed (whitespace around it is no way out of the SD-JWT rules).
 * The one test behind both joseHandler's refusal of an SD-JWT and sdJwtHandler's of one stripped of
 * its `~`, so the two cannot drift apart.
 *
 * @example
 *
 * ```ts
 * saysSdJwt('application/DC+SD-JWT ') // true
 * saysSdJwt('vc+jwt') // false
 * ```
 *
 * @internal
 */
export function saysSdJwt(typ: unknown): boolean {
  return typeof typ === 'string' && SD_JWT_TYP.test(normalizeTyp(typ).trim())
}
