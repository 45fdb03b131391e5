import { decodeSignature, jwsLimits, splitJws } from '../../jose/parse.js'
import type { JoseHeader } from '../../jose/types.js'
import type { JsonObject } from '../../credential/types.js'
import { issuerTypOf } from './issuer-jwt.js'
import type { SplitSdJwt } from './serialization.js'
import { haipClaimProblems, type HaipProblem } from './haip-claims.js'

/*
 * The verifier side of OpenID4VC HAIP 1.0 (final, December 2025) for SD-JWT VC presentations, as
 * `verify(…, { profile: 'haip' })` checks it. Each rule is one code; the section of HAIP it comes
 * from is in docs/x509.md.
 */

/**
 * The HAIP rules `issuerHeader`, `claims` (processed) and the presentation break, in order: format
 * `dc+sd-jwt` (section 7.2.4), the issuer key from `x5c` (section 8.1.1: `usedX5c` says whether the
 * signature was verified with a validated chain), ES256 for the issuer JWT and the KB-JWT (section
 * 9), a KB-JWT and a `cnf.jwk` key (sections 8.1 and 8.1.2), and a `status` claim that holds
 * `status_list` (section 8.1). Empty when none.
 *
 * @example
 *
 * ```ts
 * haipProblems(header, claims, split, true) // [] for a conforming presentation
 * ```
 *
 * @internal
 */
export function haipProblems(
  issuerHeader: JoseHeader,
  claims: JsonObject,
  split: SplitSdJwt,
  usedX5c: boolean,
): HaipProblem[] {
  const problems: HaipProblem[] = []
  const typ = issuerTypOf(issuerHeader)
  if (typ !== 'dc+sd-jwt')
    problems.push({
      code: 'haip_format',
      message: `HAIP: an SD-JWT VC's typ must be dc+sd-jwt, not ${typ === undefined ? 'absent' : JSON.stringify(typ.slice(0, 40))}`,
    })
  if (!usedX5c)
    problems.push({
      code: 'haip_certificate_required',
      message:
        issuerHeader.x5c === undefined
          ? 'HAIP: the issuer key must come from an x5c certificate chain in the protected header'
          : 'HAIP: the x5c chain was not used (configure trustAnchors)',
    })
  if (issuerHeader.alg !== 'ES256')
    problems.push({
      code: 'haip_algorithm',
      message: `HAIP: the issuer JWT must be signed with ES256, not ${JSON.stringify(String(issuerHeader.alg).slice(0, 16))}`,
    })
  if (split.kbJwt === undefined)
    problems.push({
      code: 'haip_key_binding_required',
      message: 'HAIP: the presentation must carry a KB-JWT',
    })
  else {
    const kbAlg = kbJwtAlgorithm(split.kbJwt)
    if (kbAlg !== 'ES256')
      problems.push({
        code: 'haip_algorithm',
        message: `HAIP: the KB-JWT must be signed with ES256, not ${JSON.stringify(String(kbAlg).slice(0, 16))}`,
      })
  }
  problems.push(...haipClaimProblems(claims))
  return problems
}

function kbJwtAlgorithm(kbJwt: string): unknown {
  try {
    const limits = jwsLimits({})
    const [signature] = splitJws(kbJwt, limits).signatures
    return signature === undefined
      ? undefined
      : decodeSignature(signature, limits).protectedHeader.alg
  } catch {
    return undefined
  }
}
