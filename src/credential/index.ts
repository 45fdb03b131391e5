/**
 * The format-neutral W3C credential data model (VCDM 1.1 and 2.0): contexts, versions, validation
 * of credentials and presentations, the issuer / holder party of a signer, and
 * `EnvelopedVerifiableCredential` / `EnvelopedVerifiablePresentation` data URLs.
 *
 * @module
 */
export { VC_V1_CONTEXT, VC_V2_CONTEXT } from './contexts.js'
export type { VcVersion, ValidationProblem } from './types.js'
export { dataModelVersion } from './data-model-version.js'
export { credentialProblems, validateCredential } from './validate-credential.js'
export type { ValidateCredentialOptions } from './validate-credential.js'
export { presentationProblems, validatePresentation } from './validate-presentation.js'
export type { ValidatePresentationOptions } from './validate-presentation.js'
export { signerController } from './party.js'
export { envelopeCredential, envelopePresentation, parseEnvelopedCredential } from './enveloped.js'
export type {
  EnvelopedContent,
  EnvelopedVerifiableCredential,
  EnvelopedVerifiablePresentation,
} from './enveloped.js'
