import { CredsignError } from '../errors/credsign-error.js'
import type { JoseHeader } from './types.js'
import { isPlainObject } from './json.js'

/**
 * Header parameter names defined by RFC 7515 section 4.1, RFC 7516 section 4.1 and RFC 7518
 * sections 4.6-4.8. RFC 7515 section 4.1.11 lets a recipient refuse a `crit` that names one of
 * them; credsign does, because such a `crit` is either a producer bug or an attempt to make a
 * recipient treat a parameter it already handles as something else.
 */
const REGISTERED_HEADER_NAMES: ReadonlySet<string> = new Set([
  'alg',
  'jku',
  'jwk',
  'kid',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'typ',
  'cty',
  'crit',
  'enc',
  'zip',
  'epk',
  'apu',
  'apv',
  'iv',
  'tag',
  'p2s',
  'p2c',
])

/**
 * Whether header problems are the caller's (signing: `invalid_argument`) or the token's
 * (verifying).
 */
export type HeaderMode = 'sign' | 'verify'

/**
 * Checks the protected and unprotected headers of one signature, before any key is looked at: the
 * two share no member name (RFC 7515 section 7.2.1), `alg` is a string in the protected header
 * (credsign never trusts an unprotected `alg`), `kid`/`typ`/`cty` are strings, `jwk` is an object,
 * `crit` follows RFC 7515 section 4.1.11 and (when verifying) names only parameters in
 * `understood`, and nothing asks for an unencoded payload (RFC 7797 `b64: false`, unsupported).
 * Returns the merged header.
 *
 * Verify mode throws `malformed`, or `crit_unsupported` for anything about `crit`/`b64`; sign mode
 * throws `invalid_argument`.
 *
 * @example
 *
 * ```ts
 * checkHeaders({ alg: 'ES256', crit: ['exp'] }, undefined, [], 'verify') // throws crit_unsupported
 * ```
 */
export function checkHeaders(
  protectedHeader: JoseHeader,
  unprotectedHeader: JoseHeader | undefined,
  understood: readonly string[],
  mode: HeaderMode,
): JoseHeader {
  const fail = (code: 'malformed' | 'crit_unsupported', message: string): never => {
    throw new CredsignError(mode === 'sign' ? 'invalid_argument' : code, message)
  }
  if (unprotectedHeader !== undefined) {
    for (const name of Object.keys(unprotectedHeader)) {
      if (Object.prototype.hasOwnProperty.call(protectedHeader, name))
        fail('malformed', `header member ${quote(name)} is both protected and unprotected`)
    }
  }
  const merged: JoseHeader = { ...unprotectedHeader, ...protectedHeader }

  if (!Object.prototype.hasOwnProperty.call(protectedHeader, 'alg')) {
    fail(
      'malformed',
      unprotectedHeader && 'alg' in unprotectedHeader
        ? 'alg must be in the protected header'
        : 'the header has no alg',
    )
  }
  if (typeof protectedHeader.alg !== 'string') fail('malformed', 'alg must be a string')
  for (const name of ['kid', 'typ', 'cty'] as const) {
    if (merged[name] !== undefined && typeof merged[name] !== 'string')
      fail('malformed', `${name} must be a string`)
  }
  if (merged.jwk !== undefined && !isPlainObject(merged.jwk))
    fail('malformed', 'jwk must be an object')

  if (unprotectedHeader !== undefined && 'crit' in unprotectedHeader)
    fail('crit_unsupported', 'crit must be in the protected header')
  if ('b64' in merged && merged.b64 !== true)
    fail('crit_unsupported', 'unencoded payloads (RFC 7797 b64: false) are not supported')
  // A producer may mark its own extensions critical: only a recipient checks what it understands.
  if ('crit' in protectedHeader)
    checkCrit(protectedHeader, mode === 'sign' ? undefined : understood, fail)
  return merged
}

function checkCrit(
  protectedHeader: JoseHeader,
  understood: readonly string[] | undefined,
  fail: (code: 'crit_unsupported', message: string) => never,
): void {
  const crit = protectedHeader.crit as unknown
  if (!Array.isArray(crit) || crit.length === 0)
    fail('crit_unsupported', 'crit must be a non-empty array')
  const seen = new Set<string>()
  for (const name of crit as unknown[]) {
    if (typeof name !== 'string')
      return fail('crit_unsupported', 'crit must list header parameter names')
    if (seen.has(name)) fail('crit_unsupported', `crit lists ${quote(name)} twice`)
    seen.add(name)
    if (REGISTERED_HEADER_NAMES.has(name))
      fail('crit_unsupported', `crit must not list the registered parameter ${quote(name)}`)
    // b64 is never understood: credsign does not implement unencoded payloads.
    if (name === 'b64' || (understood !== undefined && !understood.includes(name)))
      fail('crit_unsupported', `critical header parameter ${quote(name)} is not understood`)
    if (!Object.prototype.hasOwnProperty.call(protectedHeader, name))
      fail('crit_unsupported', `critical parameter ${quote(name)} is not in the protected header`)
  }
}

function quote(name: string): string {
  return JSON.stringify(name.slice(0, 32))
}
