import { CredsignError } from '../errors/credsign-error.js'
import type { Signer } from '../keys/types.js'
import type { JoseHeader } from './types.js'

/**
 * The `x5c` header member for a signer asked to send its chain (`x5c: true`): the signer's own
 * `x5c` (an unlocked vault key's attached chain, of the same key version as the signature, so `kid`
 * and `x5c` always name one key), leaf first, trust anchor omitted. Errors: `invalid_argument` (the
 * signer has no chain; `x5c` both in `header` and asked for; `x5c` not a boolean).
 *
 * @example
 *
 * ```ts
 * import { x5cMember } from './x5c-header.js'
 * declare const signer: import('credsign').Signer
 * const header = { typ: 'dc+sd-jwt', ...x5cMember(signer, true, undefined) }
 * ```
 *
 * @internal
 */
export function x5cMember(
  signer: Signer,
  x5c: boolean | undefined,
  extra: JoseHeader | undefined,
): { x5c?: string[] } {
  if (x5c === undefined || x5c === false) return {}
  if (x5c !== true) throw new CredsignError('invalid_argument', 'x5c must be a boolean')
  if (extra?.x5c !== undefined)
    throw new CredsignError(
      'invalid_argument',
      'x5c is both in header and asked for with x5c: true; use one',
    )
  const chain = signer.x5c
  if (
    !Array.isArray(chain) ||
    chain.length === 0 ||
    !chain.every((entry) => typeof entry === 'string' && entry.length > 0)
  )
    throw new CredsignError(
      'invalid_argument',
      'x5c: true, but the signer has no certificate chain (attach one with vault.attachCertificateChain and unlock again)',
    )
  return { x5c: [...chain] }
}
