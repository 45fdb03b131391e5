// The steps JwtVcSigner and JwtVpSigner share beyond the format-neutral ones (credential/): the 1.1
// encoding's mapped members, extra claims, the header, and the JWS itself (through the jose layer,
// never hand-assembled).
import { CredsignError } from '../../errors/credsign-error.js'
import { signCompact } from '../../jose/sign.js'
import { serializePayload } from '../../jose/json.js'
import type { JoseHeader } from '../../jose/types.js'
import type { Signer } from '../../keys/types.js'
import type { JwtVcSignOptions, JwtVpSignOptions } from './sign-options.js'
import type { JsonObject } from '../../credential/types.js'
import { jsonClaimsCopy } from '../../credential/prepare-document.js'
import { isJsonObject } from '../../credential/validate-shared.js'
import { x5cMember } from '../../jose/x5c-header.js'

/** Claims credsign derives itself: `claims` may not set them. */
const DERIVED_CLAIMS = ['iss', 'iat', 'nbf', 'exp', 'jti', 'sub', 'aud', 'nonce', 'vc', 'vp']

/** Header members that come from options, not from `header`. */
const DERIVED_HEADER = ['alg', 'typ', 'cty', 'kid', 'crit', 'b64']

/** The 1.1 encoding's choice of keeping or removing mapped members from the `vc` / `vp` object. */
export function mappedPropertiesOf(option: unknown): 'keep' | 'remove' {
  const mapped = option ?? 'remove'
  if (mapped !== 'keep' && mapped !== 'remove')
    throw new CredsignError('invalid_argument', "mappedProperties must be 'keep' or 'remove'")
  return mapped
}

/** The caller's extra claims, checked: JSON object, no derived claim. */
export function extraClaims(options: JwtVcSignOptions | JwtVpSignOptions): JsonObject {
  const claims = options.claims
  if (claims === undefined) return {}
  if (!isJsonObject(claims)) throw new CredsignError('invalid_argument', 'claims must be an object')
  // Checked and signed as one plain JSON copy: a getter, a cycle or a BigInt is the caller's error
  // (not a TypeError later), and no getter can answer the check below differently from the payload.
  const copy = jsonClaimsCopy(claims)
  for (const name of DERIVED_CLAIMS) {
    if (copy[name] !== undefined)
      throw new CredsignError(
        'invalid_argument',
        `claims may not set ${name}: credsign derives it from the document and options`,
      )
  }
  return copy
}

/** Signs the payload as a compact JWS with the header the options describe. */
export async function signJwtPayload(
  signer: Signer,
  payload: JsonObject,
  header: { typ: string; cty?: string },
  options: JwtVcSignOptions | JwtVpSignOptions,
): Promise<string> {
  const extra = options.header ?? {}
  if (!isJsonObject(extra)) throw new CredsignError('invalid_argument', 'header must be an object')
  for (const name of DERIVED_HEADER) {
    if (extra[name] !== undefined)
      throw new CredsignError(
        'invalid_argument',
        `header may not set ${name}: use the signer and the options`,
      )
  }
  const kid = options.kid ?? signer.id
  if (kid !== false && (typeof kid !== 'string' || kid.length === 0))
    throw new CredsignError('invalid_argument', 'kid must be a non-empty string or false')
  const chain = x5cMember(signer, options.x5c, extra)
  const protectedHeader: JoseHeader =
    kid === false ? { ...header, ...chain, ...extra } : { kid, ...header, ...chain, ...extra }
  return signCompact(signer, serializePayload(payload, 'credential_invalid'), {
    protectedHeader,
    includeKid: false,
    ...(options.ed25519Name === undefined ? {} : { ed25519Name: options.ed25519Name }),
    ...(options.fullySpecified === undefined ? {} : { fullySpecified: options.fullySpecified }),
  })
}
