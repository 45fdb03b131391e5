/**
 * SD-JWT (RFC 9901) and SD-JWT VC (draft-ietf-oauth-sd-jwt-vc-18): issuance with disclosure frames,
 * holder presentations with KB-JWTs, and verification, on @noble/hashes and the credsign jose
 * layer. W3C VC-JOSE-COSE credentials secured as SD-JWT (`vc+sd-jwt`) too.
 *
 * @module
 */
export type {
  DisclosureFrame,
  SdHashAlgorithm,
  HolderBinding,
  SdJwtIssueOptions,
  SdJwtVcSignOptions,
  SdJwtCredentialOptions,
  PresentOptions,
  DecodedDisclosure,
  DecodedSdJwt,
  SdJwtVerifyOptions,
  VerifiedSdJwt,
} from './types.js'
export { issueSdJwt } from './issue.js'
export { SdJwtVcSigner } from './vc-signer.js'
export { presentSdJwt } from './present.js'
export { decodeSdJwt } from './decode.js'
export { verifySdJwt } from './verify-sd-jwt.js'
export { sdJwtHandler } from './handler.js'
export { KB_JWT_TYP } from './key-binding.js'
