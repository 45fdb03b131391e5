/**
 * `credsign/data-integrity`: W3C Data Integrity proofs. Sign with {@link DataIntegritySigner},
 * verify by passing {@link dataIntegrityHandler} to `verify()`. Suites: `eddsa-rdfc-2022`,
 * `eddsa-jcs-2022`, `ecdsa-rdfc-2019`, `ecdsa-jcs-2019` and `Ed25519Signature2020`; proof sets and
 * chains. JSON-LD contexts come from the package (offline); `jsonld` and `rdf-canonize` are loaded
 * only when an rdfc suite runs.
 *
 * @module
 */
export type {
  CryptosuiteName,
  DataIntegrityProof,
  DocumentLoader,
  JsonLdDocument,
  RemoteDocument,
} from './types.js'
export { DataIntegritySigner } from './signer.js'
export type { DataIntegritySignOptions } from './signer.js'
export { dataIntegrityHandler } from './handler.js'
export type { DataIntegrityHandlerOptions } from './handler.js'
export { bundledContextUrls, createDocumentLoader } from './document-loader.js'
export type { DocumentLoaderOptions } from './document-loader.js'
export { canonicalizeJson } from './jcs.js'
export { canonizeRdfc } from './rdfc.js'
export { JSONLD_LIMIT_DEFAULTS } from './jsonld-limits.js'
export type { JsonLdLimits } from './jsonld-limits.js'
