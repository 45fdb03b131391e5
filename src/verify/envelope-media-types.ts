import type { VerificationFormat } from './types.js'

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
