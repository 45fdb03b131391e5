import type { ErrorCode } from '../../errors/credsign-error.js'
import { isPlainObject } from '../../jose/json.js'

/*
 * The HAIP 1.0 rules of an SD-JWT VC's own claims, shared by the issuer (vc-signer.ts, `profile:
 * 'haip'`) and the verifier (haip.ts): kept apart from haip.ts so the signer does not import the
 * verifier's JWS parsing.
 */

/** One HAIP rule a credential or presentation broke. @internal */
export interface HaipProblem {
  code: ErrorCode
  message: string
}

/**
 * The HAIP rules of the credential's own claims, which the issuer (`SdJwtVcSigner.issue` with
 * `profile: 'haip'`) and the verifier apply alike: the holder key is a JWK in `cnf.jwk` (section
 * 8.1.2) and a `status` claim holds `status_list` (section 8.1). Empty when none is broken.
 *
 * @example
 *
 * ```ts
 * haipClaimProblems({ cnf: { kid: 'k' } })[0]?.code // 'haip_key_binding_required'
 * ```
 *
 * @internal
 */
export function haipClaimProblems(claims: { cnf?: unknown; status?: unknown }): HaipProblem[] {
  const problems: HaipProblem[] = []
  const cnf = claims.cnf
  if (!isPlainObject(cnf) || !isPlainObject(cnf.jwk))
    problems.push({
      code: 'haip_key_binding_required',
      message: 'HAIP: the holder key must be a JWK in cnf.jwk',
    })
  const status = claims.status
  if (status !== undefined && !isStatusListReference(status))
    problems.push({
      code: 'haip_status_invalid',
      message:
        'HAIP: status must hold status_list with a non-negative integer idx and a uri (Token Status List)',
    })
  return problems
}

function isStatusListReference(status: unknown): boolean {
  if (!isPlainObject(status)) return false
  const list = status.status_list
  return (
    isPlainObject(list) &&
    Number.isSafeInteger(list.idx) &&
    (list.idx as number) >= 0 &&
    typeof list.uri === 'string' &&
    list.uri.length > 0
  )
}
