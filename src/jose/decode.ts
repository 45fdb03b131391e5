import { CredsignError } from '../errors/credsign-error.js'
import { isOptionsObject } from './json.js'
import { decodeSignature, jwsLimits, splitJws } from './parse.js'
import type { JoseHeader, JwsVerifyOptions } from './types.js'

/**
 * What {@link decodeJwsUnverified} read: nothing in it is verified.
 *
 * @example
 *
 * ```ts
 * import type { DecodedJws } from 'credsign'
 * declare const decoded: DecodedJws
 * decoded.signatures[0]?.protectedHeader.typ
 * ```
 */
export interface DecodedJws {
  serialization: 'compact' | 'flattened' | 'general'
  payload: Uint8Array
  signatures: { protectedHeader: JoseHeader; unprotectedHeader?: JoseHeader }[]
}

/**
 * Reads a JWS (any serialization) WITHOUT verifying it: for routing (which verifier, which `typ`,
 * which issuer to look up) and for error reports, never for trusting the content. Applies the same
 * parsing rules and size limits as `verifyJws` (`malformed` otherwise), but no algorithm, `crit` or
 * key check.
 *
 * @example
 *
 * ```ts
 * import { decodeJwsUnverified } from 'credsign'
 * const { signatures } = decodeJwsUnverified(
 *   'eyJhbGciOiJFZERTQSIsInR5cCI6InZjK2p3dCJ9.e30.c2ln',
 * )
 * signatures[0]?.protectedHeader.typ // 'vc+jwt'
 * ```
 */
export function decodeJwsUnverified(
  input: unknown,
  options: Pick<
    JwsVerifyOptions,
    'maxInputBytes' | 'maxHeaderBytes' | 'maxPayloadBytes' | 'maxSignatures' | 'maxJsonDepth'
  > = {},
): DecodedJws {
  if (!isOptionsObject(options))
    throw new CredsignError('invalid_argument', 'options must be an object')
  const limits = jwsLimits(options)
  try {
    const jws = splitJws(input, limits)
    const signatures = jws.signatures.map((raw) => {
      const { protectedHeader, unprotectedHeader } = decodeSignature(raw, limits)
      return unprotectedHeader === undefined
        ? { protectedHeader }
        : { protectedHeader, unprotectedHeader }
    })
    return { serialization: jws.serialization, payload: jws.payload, signatures }
  } catch (error) {
    if (error instanceof CredsignError) throw error
    throw new CredsignError('malformed', 'the JWS could not be read', { cause: error })
  }
}
