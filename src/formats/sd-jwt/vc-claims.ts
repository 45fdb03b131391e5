import { CredsignError } from '../../errors/credsign-error.js'
import type { JoseHeader } from '../../jose/types.js'
import { issuerTypOf } from './issuer-jwt.js'
import { pathOf } from './process.js'

/** Claims SD-JWT VC (draft-ietf-oauth-sd-jwt-vc-18 section 3.2.2.2) forbids to disclose selectively. */
export const NEVER_DISCLOSABLE: readonly string[] = [
  'iss',
  'nbf',
  'exp',
  'cnf',
  'vct',
  'vct#integrity',
  'status',
]

/**
 * Members of a W3C `vc+sd-jwt` / `vp+sd-jwt` payload that must never come from a disclosure: SD-JWT
 * VC's list (a holder who can withhold them can withhold an expiry, a revocation entry or the key
 * binding) and its VCDM 2.0 counterparts (`validFrom`, `validUntil`, `credentialStatus`). What a
 * verifier cannot see, it cannot check, and a withheld `validUntil` is not "no expiry". `type`,
 * `holder` and `issuer` are not here: the VC-JOSE-COSE examples disclose `type` and `holder`
 * selectively, and a withheld issuer or holder fails (or is absent from) the binding check anyway.
 */
export const W3C_NEVER_DISCLOSABLE: readonly string[] = [
  'iss',
  'nbf',
  'exp',
  'cnf',
  'status',
  'validFrom',
  'validUntil',
  'credentialStatus',
]

/** What an issuer-signed JWT is, by its `typ` and payload. @internal */
export type SdJwtKind = 'sd-jwt-vc' | 'w3c-credential' | 'w3c-presentation' | 'sd-jwt'

/**
 * `dc+sd-jwt`: SD-JWT VC. `vc+sd-jwt`: W3C VC-JOSE-COSE when the payload has `@context`, else
 * SD-JWT VC before draft-06 (the same media type). `vp+sd-jwt`: a W3C presentation. Anything else
 * the caller accepted: a plain SD-JWT.
 *
 * @internal
 */
export function kindOf(header: JoseHeader, payload: Record<string, unknown>): SdJwtKind {
  const typ = issuerTypOf(header)
  if (typ === 'dc+sd-jwt') return 'sd-jwt-vc'
  if (typ === 'vc+sd-jwt') return payload['@context'] === undefined ? 'sd-jwt-vc' : 'w3c-credential'
  if (typ === 'vp+sd-jwt') return 'w3c-presentation'
  return 'sd-jwt'
}

/**
 * The SD-JWT VC rules on processed claims: `vct` is a string, `iss` (when present) a string, and
 * none of {@link NEVER_DISCLOSABLE} came from a disclosure. `claim_invalid` otherwise.
 *
 * @internal
 */
function checkSdJwtVcClaims(claims: Record<string, unknown>, disclosed: readonly string[]): void {
  if (typeof claims.vct !== 'string' || claims.vct.length === 0)
    throw new CredsignError('claim_invalid', 'an SD-JWT VC needs a vct claim (a string)')
  if (claims.iss !== undefined && typeof claims.iss !== 'string')
    throw new CredsignError('claim_invalid', 'iss must be a string')
  refuseDisclosed(disclosed, NEVER_DISCLOSABLE, 'an SD-JWT VC')
}

/**
 * The rule of {@link checkSdJwtVcClaims} for the W3C variants: none of {@link W3C_NEVER_DISCLOSABLE},
 * nor anything inside one of them, came from a disclosure. `claim_invalid` otherwise.
 *
 * @internal
 */
function checkW3cDisclosures(disclosed: readonly string[]): void {
  refuseDisclosed(disclosed, W3C_NEVER_DISCLOSABLE, 'a W3C SD-JWT credential or presentation')
}

/**
 * `@context` from a disclosure, in any SD-JWT: what a payload is (a W3C credential or presentation,
 * checked against the data model and its validity period, or an SD-JWT VC) is read from the
 * issuer-signed payload, so a disclosed `@context` would make a W3C credential skip every W3C rule
 * (and with the disclosure withheld, verify as something else). `claim_invalid`.
 *
 * @internal
 */
function refuseDisclosedContext(disclosed: readonly string[]): void {
  refuseDisclosed(disclosed, ['@context'], 'an SD-JWT')
}

/**
 * The disclosure rules of an SD-JWT of `kind`, the same in `verifySdJwt` and the SD-JWT handler: no
 * `@context` from a disclosure ({@link refuseDisclosedContext}), then {@link checkSdJwtVcClaims} for
 * SD-JWT VC or {@link checkW3cDisclosures} for the W3C kinds. `claim_invalid` otherwise.
 *
 * @internal
 */
export function checkDisclosureRules(
  kind: SdJwtKind,
  claims: Record<string, unknown>,
  disclosed: readonly string[],
): void {
  refuseDisclosedContext(disclosed)
  if (kind === 'sd-jwt-vc') checkSdJwtVcClaims(claims, disclosed)
  else if (kind === 'w3c-credential' || kind === 'w3c-presentation') checkW3cDisclosures(disclosed)
}

/**
 * Refuses a disclosed claim named in `names`, or any claim inside one (`cnf.jwk`,
 * `status.status_list`): withholding a member of `cnf` or `status` is as good as withholding the
 * whole claim.
 */
function refuseDisclosed(
  disclosed: readonly string[],
  names: readonly string[],
  what: string,
): void {
  for (const name of names) {
    const path = pathOf('', name)
    const hit = disclosed.find(
      (claim) => claim === path || claim.startsWith(`${path}.`) || claim.startsWith(`${path}[`),
    )
    if (hit !== undefined)
      throw new CredsignError(
        'claim_invalid',
        `${hit} must not be selectively disclosable in ${what}: verifiers must see ${name}`,
      )
  }
}
