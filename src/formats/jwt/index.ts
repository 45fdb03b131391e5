/**
 * W3C Verifiable Credentials and Presentations as JWTs: VC-JOSE-COSE (VCDM 2.0, `vc+jwt` /
 * `vp+jwt`) and the VCDM 1.1 JWT encoding (`vc` / `vp` claims): their signers, an unverified
 * decoder, and the JOSE handler of `verify()`.
 *
 * @module
 */
export type { MappedProperties } from './mapping-v1.js'
export type { JwtVcSignOptions, JwtVpSignOptions } from './sign-options.js'
export { JwtVcSigner } from './vc-signer.js'
export { JwtVpSigner } from './vp-signer.js'
export { decodeJwtCredential } from './decode-jwt-credential.js'
export type { DecodedJwtCredential } from './decode-jwt-credential.js'
export { joseHandler } from './handler.js'
