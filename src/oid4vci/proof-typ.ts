/**
 * The JWT `typ` of an OpenID4VCI key proof (OpenID4VCI 1.0 Appendix F.1, registered as the media
 * type `application/openid4vci-proof+jwt`). Explicit typing keeps any other JWT (an ID token, a key
 * binding JWT, a VP) from being accepted as a key proof (RFC 8725 section 3.11).
 *
 * @example
 *
 * ```ts
 * import { OID4VCI_PROOF_TYP } from 'credsign'
 * OID4VCI_PROOF_TYP // 'openid4vci-proof+jwt'
 * ```
 */
export const OID4VCI_PROOF_TYP = 'openid4vci-proof+jwt'
