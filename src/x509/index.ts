/**
 * X.509 for issuer keys: certificates parsed to a typed summary, certificate signing requests from
 * a vault key, certificate chains per key version. pkijs is loaded on first use only.
 *
 * @module
 */
export { createCertificateSigningRequest, parseCertificate, parseCertificates } from './lazy.js'
export type { CertificateSigningRequest, CsrOptions, CsrSubject } from './csr.js'
export type { KeyCertificateChain } from './certificate-chain.js'
export type { CertificateInput, CertificateSummary } from './parse.js'
export type {
  BasicConstraints,
  CertificateExtension,
  CertificateKeyUsage,
  SubjectAltNames,
} from './extensions.js'
export { createTrustAnchors } from './trust-anchors.js'
export type {
  RevocationFetch,
  RevocationOptions,
  TrustAnchorOptions,
  TrustAnchors,
} from './trust-anchors.js'
