/**
 * Keys: generation, import, signing and verification for Ed25519, P-256, P-384, P-521, secp256k1
 * and RSA (PSS and PKCS#1 v1.5, SHA-256/384/512), and their public forms (JWK, thumbprint,
 * Multikey, verification methods).
 *
 * @module
 */
export type {
  KeyAlgorithm,
  RsaAlgorithm,
  RsaModulusLength,
  JwsAlgorithm,
  JwkMetadata,
  OkpPublicJwk,
  EcPublicJwk,
  RsaPublicJwk,
  PublicJwk,
  PrivateJwk,
  Signer,
} from './types.js'
export { KEY_ALGORITHMS, isKeyAlgorithm, jwsAlgorithm, keyAlgorithmFromJwk } from './algorithms.js'
export type { JwsAlgorithmOptions } from './algorithms.js'
export { RSA_ALGORITHMS, isRsaAlgorithm } from './rsa-algorithms.js'
export { generateKeyPair } from './generate.js'
export type { GenerateKeyPairOptions, KeyMaterial } from './generate.js'
export { importPrivateKey } from './import.js'
export type { PrivateKeyInput } from './import.js'
export { loadPrivateKey } from './private-key.js'
export type { LoadPrivateKeyOptions, PrivateKeyHandle } from './private-key.js'
export { verifySignature } from './verify-signature.js'
export type { VerifySignatureOptions } from './verify-signature.js'
export { jwkThumbprint, toPublicJwk } from './thumbprint.js'
export { multikeyFromJwk, jwkFromMultikey } from './multikey.js'
export { spkiFromJwk, jwkFromSpki, spkiPemFromJwk, jwkFromSpkiPem } from './spki.js'
export { evaultPublicKeyFromJwk, jwkFromEvaultPublicKey } from './evault-public-key.js'
export { verificationMethod, verificationMethodContext } from './verification-method.js'
export type {
  VerificationMethod,
  VerificationMethodType,
  VerificationMethodOf,
  VerificationMethodOptions,
  MultibaseVerificationMethod,
  JwkVerificationMethod,
} from './verification-method.js'
