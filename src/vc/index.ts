/**
 * W3C Verifiable Credentials and Presentations as JWTs: VC-JOSE-COSE (VCDM 2.0, `vc+jwt` /
 * `vp+jwt`) and the VCDM 1.1 JWT encoding (`vc` / `vp` claims); their signers, data model
 * validation, `EnvelopedVerifiableCredential` data URLs, and the JOSE handler of `verify()`.
 * @module
 */
export { VC_V1_CONTEXT, VC_V2_CONTEXT } from './contexts.js'
export type { VcVersion, ValidationProblem } from './types.js'
export { dataModelVersion } from './version.js'
export { credentialProblems, validateCredential } from './validate-credential.js'
export type { ValidateCredentialOptions } from './validate-credential.js'
export { presentationProblems, validatePresentation } from './validate-presentation.js'
export type { ValidatePresentationOptions } from './validate-presentation.js'
export { signerController } from './party.js'
export type { MappedProperties } from './jwt-mapping-v1.js'
export type { JwtVcSignOptions, JwtVpSignOptions } from './sign-options.js'
export { JwtVcSigner } from './jwt-vc-signer.js'
export { JwtVpSigner } from './jwt-vp-signer.js'
export { envelopeCredential, envelopePresentation, parseEnvelopedCredential } from './enveloped.js'
export type { EnvelopedContent, EnvelopedVerifiableCredential, EnvelopedVerifiablePresentation } from './enveloped.js'
export { envelopedHandler } from './enveloped-handler.js'
export { decodeJwtCredential } from './decode-jwt-credential.js'
export type { DecodedJwtCredential } from './decode-jwt-credential.js'
export { joseHandler } from './jose-handler.js'
export type { RelatedResourceOptions } from './related-resource.js'
