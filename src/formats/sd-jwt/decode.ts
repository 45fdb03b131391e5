import { CredsignError } from '../../errors/credsign-error.js'
import { isPlainObject, parseJsonBytes } from '../../jose/json.js'
import { decodeSignature, jwsLimits, splitJws } from '../../jose/parse.js'
import { parseDisclosure } from './disclosure.js'
import { readIssuerJwt } from './issuer-jwt.js'
import { processPayload } from './process.js'
import { splitSdJwt } from './serialization.js'
import type { DecodedSdJwt } from './types.js'

/**
 * Reads an SD-JWT or SD-JWT+KB WITHOUT verifying anything: the issuer JWT's header and payload,
 * every disclosure (salt, name, value, digest), the claims with all disclosures applied, and the
 * KB-JWT. For wallets (what could I disclose?) and for routing; never for trusting the content: use
 * {@link verifySdJwt} or `verify()`. Throws `malformed` or `disclosure_invalid` for input that does
 * not decode or whose disclosures do not fit the payload.
 *
 * @example
 *
 * ```ts
 * import { decodeSdJwt } from 'credsign'
 * declare const sdJwt: string
 * const { payload, disclosures, claims } = decodeSdJwt(sdJwt)
 * disclosures.map((d) => d.name) // ['given_name', 'street_address', …] (undefined for an array element)
 * ```
 */
export function decodeSdJwt(sdJwt: string): DecodedSdJwt {
  const split = splitSdJwt(sdJwt)
  const issuer = readIssuerJwt(split)
  const disclosures = split.disclosures.map((d) => parseDisclosure(d, issuer.alg))
  const { claims } = processPayload(issuer.payload, disclosures)
  const decoded: DecodedSdJwt = {
    header: issuer.header,
    payload: issuer.payload,
    disclosures,
    claims,
  }
  if (split.kbJwt !== undefined) {
    const limits = jwsLimits({})
    const jws = splitJws(split.kbJwt, limits)
    const header = decodeSignature(jws.signatures[0] as never, limits).protectedHeader
    const payload = parseJsonBytes(jws.payload, 'the KB-JWT payload', limits.maxJsonDepth)
    if (!isPlainObject(payload))
      throw new CredsignError('malformed', 'the KB-JWT payload is not a JSON object')
    decoded.kbJwt = { jwt: split.kbJwt, header, payload }
  }
  return decoded
}
