import { isDid } from '../../did/did-url.js'
import { CredsignError } from '../../errors/credsign-error.js'
import { isPlainObject, parseJsonBytes } from '../../jose/json.js'
import { decodeSignature, jwsLimits, splitJws } from '../../jose/parse.js'
import { normalizeTyp, typMatches } from '../../jose/typ.js'
import type { JoseHeader, JwsVerifyOptions } from '../../jose/types.js'
import { verifyJws } from '../../jose/verify-jws.js'
import type { JwsAlgorithm, PublicJwk } from '../../keys/types.js'
import { defaultResolver } from '../../resolve/default-resolver.js'
import type { KeyResolver, ResolvedKey } from '../../resolve/types.js'
import { sdAlgorithmOf } from './hash.js'
import type { SplitSdJwt } from './serialization.js'
import type { SdHashAlgorithm } from './types.js'

/**
 * The `typ` values an SD-JWT VC verifier accepts by default: the current one and the one before
 * draft-06 (also W3C VC-JOSE-COSE's).
 */
export const SD_JWT_VC_TYPES: readonly string[] = ['dc+sd-jwt', 'vc+sd-jwt']

/** The issuer-signed JWT of an SD-JWT, decoded and NOT verified. @internal */
export interface IssuerJwt {
  header: JoseHeader
  payload: Record<string, unknown>
  alg: SdHashAlgorithm
}

/**
 * Decodes the issuer-signed JWT (header and payload, strict JSON) and reads `_sd_alg`. `malformed`
 * for a JWT that does not decode or a payload that is not a JSON object; `disclosure_invalid` for
 * an unsupported `_sd_alg`.
 *
 * @internal
 */
export function readIssuerJwt(split: SplitSdJwt): IssuerJwt {
  const limits = jwsLimits({})
  const jws = splitJws(split.jws, limits)
  const header = decodeSignature(jws.signatures[0] as never, limits).protectedHeader
  const payload = parseJsonBytes(jws.payload, 'the SD-JWT payload', limits.maxJsonDepth)
  if (!isPlainObject(payload))
    throw new CredsignError('malformed', 'the SD-JWT payload is not a JSON object')
  return { header, payload, alg: sdAlgorithmOf(payload) }
}

/**
 * `typ_mismatch` unless the header's `typ` is one of `accepted` (any case, `application/` ignored).
 *
 * @internal
 */
export function checkIssuerTyp(header: JoseHeader, accepted: readonly string[]): void {
  if (typMatches(header.typ, accepted)) return
  const shown = typeof header.typ === 'string' ? JSON.stringify(header.typ.slice(0, 40)) : 'absent'
  throw new CredsignError(
    'typ_mismatch',
    `the SD-JWT typ is ${shown}, not ${accepted.join(' or ')}`,
  )
}

/** The normalized `typ` of an issuer JWT header (`dc+sd-jwt`), or undefined. @internal */
export function issuerTypOf(header: JoseHeader): string | undefined {
  return typeof header.typ === 'string' ? normalizeTyp(header.typ) : undefined
}

/**
 * Verifies the issuer signature through the jose layer: with `key` when given; else, when the
 * header has neither `kid` nor `jwk` and `iss` is a DID, with that DID's key; else `kid` through
 * the resolver (default: did:key and did:jwk, offline). Codes as in `verifyJws`.
 *
 * @internal
 */
export async function verifyIssuerSignature(
  split: SplitSdJwt,
  issuer: IssuerJwt,
  options: { resolver?: KeyResolver; key?: PublicJwk; algorithms?: JwsAlgorithm[] },
): Promise<ResolvedKey> {
  const jwsOptions: JwsVerifyOptions = {}
  if (options.algorithms !== undefined) jwsOptions.algorithms = options.algorithms
  const iss = issuer.payload.iss
  let keyFromIss: ResolvedKey | undefined
  if (options.key !== undefined) {
    jwsOptions.key = options.key
  } else if (
    issuer.header.kid === undefined &&
    issuer.header.jwk === undefined &&
    typeof iss === 'string' &&
    isDid(iss.split('#')[0])
  ) {
    keyFromIss = await (options.resolver ?? defaultResolver()).resolveKey(iss)
    jwsOptions.key = keyFromIss.publicJwk
  } else if (options.resolver !== undefined) {
    jwsOptions.resolver = options.resolver
  }
  const verified = await verifyJws(split.jws, jwsOptions)
  return keyFromIss ?? verified.key
}
