/**
 * JOSE: JWS in compact, flattened and general JSON serialization (RFC 7515), JWT (RFC 7519) with
 * claim checks, and key binding JWTs, over any credsign `Signer`. Verification refuses `none`,
 * HMAC, algorithm confusion, unknown `crit` and malformed input with stable error codes.
 *
 * @module
 */
export type {
  JoseHeader,
  FlattenedJws,
  GeneralJws,
  JwsSignatureInput,
  JwsVerifyOptions,
  VerifiedJws,
  JwtClaims,
  JwtSignOptions,
  JwtTimeOptions,
  JwtVerifyOptions,
  VerifiedJwt,
} from './types.js'
export { JWS_ALGORITHMS } from './algorithms.js'
export { signCompact, signFlattened, signGeneral } from './sign.js'
export { verifyJws } from './verify-jws.js'
export { decodeJwsUnverified } from './decode.js'
export type { DecodedJws } from './decode.js'
export { signJwt } from './jwt-sign.js'
export { verifyJwt } from './jwt-verify.js'
export { checkJwtTimes, epochMilliseconds } from './jwt-times.js'
export { normalizeTyp, typMatches } from './typ.js'
export { KEY_BINDING_TYP, signKeyBinding, verifyKeyBinding } from './key-binding.js'
export type {
  KeyBindingOptions,
  VerifyKeyBindingOptions,
  VerifiedKeyBinding,
} from './key-binding.js'
