import { normalizeTyp } from '../../jose/typ.js'
import type { JoseHeader } from '../../jose/types.js'
import type { VerificationFormat } from '../../verify/types.js'
import { isJsonObject, typesOf } from '../../credential/validate-shared.js'

/** What a JWT is, from its header and payload, before anything is verified. */
export interface JwtKind {
  format: Extract<VerificationFormat, 'vc+jwt' | 'vp+jwt' | 'vc-jwt' | 'vp-jwt' | 'jwt' | 'jws'>
  /** Why the `typ` does not fit the format, when it does not. */
  typProblem?: string
}

/**
 * Classifies a JWS by its `typ` and payload:
 *
 * - `typ` `vc+jwt` / `vp+jwt` (any case, `application/` prefix allowed): VC-JOSE-COSE, whatever the
 *   payload;
 * - A `vc` / `vp` claim (whatever its value; `vc` first): the VCDM 1.1 encoding, whose `typ`, if
 *   present, must be `JWT`; a claim that is not an object fails the 1.1 decoding;
 * - A payload that is itself a credential or presentation (`@context` and a `VerifiableCredential` /
 *   `VerifiablePresentation` type) with another or no `typ`: VC-JOSE-COSE with a `typ` problem (the
 *   suite's "bad media type" tokens; the untyped tokens of the origin service);
 * - Any other JSON object: `jwt`; anything else: `jws`.
 */
export function classifyJwt(header: JoseHeader, payload: unknown): JwtKind {
  const typ = typeof header.typ === 'string' ? normalizeTyp(header.typ) : undefined
  if (typ === 'vc+jwt') return { format: 'vc+jwt' }
  if (typ === 'vp+jwt') return { format: 'vp+jwt' }
  if (!isJsonObject(payload)) return { format: 'jws' }
  const legacyTyp = typ === undefined || typ === 'jwt'
  const shown = typeof header.typ === 'string' ? JSON.stringify(header.typ.slice(0, 40)) : 'absent'
  // VCDM 1.1 section 6.3.1: `vc` / `vp` are the credential / presentation, JSON objects. A claim of
  // that name with another value is a broken 1.1 token, not a plain JWT: classified as one, it
  // fails its decoding (`the vc claim must be a JSON object`) instead of verifying as `jwt`.
  if (Object.hasOwn(payload, 'vc')) {
    return legacyTyp
      ? { format: 'vc-jwt' }
      : {
          format: 'vc-jwt',
          typProblem: `a VCDM 1.1 JWT credential has typ JWT or none, not ${shown}`,
        }
  }
  if (Object.hasOwn(payload, 'vp')) {
    return legacyTyp
      ? { format: 'vp-jwt' }
      : {
          format: 'vp-jwt',
          typProblem: `a VCDM 1.1 JWT presentation has typ JWT or none, not ${shown}`,
        }
  }
  if (payload['@context'] !== undefined) {
    const types = typesOf(payload.type) ?? []
    if (types.includes('VerifiableCredential'))
      return {
        format: 'vc+jwt',
        typProblem: `typ is ${shown}; a VC-JOSE-COSE credential has typ vc+jwt`,
      }
    if (types.includes('VerifiablePresentation'))
      return {
        format: 'vp+jwt',
        typProblem: `typ is ${shown}; a VC-JOSE-COSE presentation has typ vp+jwt`,
      }
  }
  return { format: 'jwt' }
}
