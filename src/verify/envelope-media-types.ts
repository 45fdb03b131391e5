import { normalizeTyp } from '../jose/typ.js'
import type { VerificationFormat, VerificationResult } from './types.js'

/**
 * What each envelope media type may hold, by the format `verify()` reports for it. COSE
 * (`application/vc+cose`) is not here: credsign has no COSE verifier. `application/jwt` and the
 * `-ld+` types are earlier VC-JOSE-COSE drafts', still used by the VCDM 2.0 test suite.
 *
 * @internal
 */
export const ENVELOPE_MEDIA_TYPES: Readonly<
  Record<
    'EnvelopedVerifiableCredential' | 'EnvelopedVerifiablePresentation',
    Readonly<Record<string, readonly VerificationFormat[]>>
  >
> = {
  EnvelopedVerifiableCredential: {
    'application/vc+jwt': ['vc+jwt'],
    'application/vc-ld+jwt': ['vc+jwt', 'vc-jwt'],
    'application/jwt': ['vc+jwt', 'vc-jwt'],
    'application/vc+sd-jwt': ['sd-jwt'],
    'application/vc-ld+sd-jwt': ['sd-jwt'],
    'application/dc+sd-jwt': ['sd-jwt'],
  },
  EnvelopedVerifiablePresentation: {
    'application/vp+jwt': ['vp+jwt'],
    'application/vp-ld+jwt': ['vp+jwt', 'vp-jwt'],
    'application/jwt': ['vp+jwt', 'vp-jwt'],
    'application/vp+sd-jwt': ['sd-jwt'],
    'application/vp-ld+sd-jwt': ['sd-jwt'],
  },
}

/**
 * Why a verified SD-JWT is not the kind its envelope's media type names, or undefined when it is
 * (or is no SD-JWT). `application/vc+sd-jwt` registers "a payload conforming to the Verifiable
 * Credential Data Model" (VC-JOSE-COSE section 7): an SD-JWT VC (`dc+sd-jwt`, or `vc+sd-jwt`
 * without `@context`) verifies without one, so it is refused under that label; and
 * `application/dc+sd-jwt` names an SD-JWT VC, so a token typed otherwise is mislabelled.
 *
 * @internal
 */
export function envelopeSdJwtProblem(
  mediaType: string,
  result: VerificationResult,
): string | undefined {
  if (result.format !== 'sd-jwt') return undefined
  if (mediaType === 'application/dc+sd-jwt') {
    const typ = result.header?.typ
    return typeof typ === 'string' && normalizeTyp(typ) === 'dc+sd-jwt'
      ? undefined
      : `an application/dc+sd-jwt envelope holds an SD-JWT typed ${JSON.stringify(typeof typ === 'string' ? typ.slice(0, 40) : typ)}, not dc+sd-jwt`
  }
  if (result.credential === undefined && result.presentation === undefined)
    return `an ${mediaType} envelope holds an SD-JWT whose payload is no VCDM 2.0 credential (an SD-JWT VC is application/dc+sd-jwt)`
  return undefined
}
