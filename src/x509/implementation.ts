/*
 * The lazily loaded X.509 chunk: everything lazy.ts reaches through one dynamic import, so dist/ has
 * one chunk for it (and pkijs behind it). Nothing outside src/x509/lazy.ts imports this file.
 *
 * To use X.509 code from elsewhere in credsign (verify, the vault): export it here and call
 * `await loadX509()` (lazy.ts), never `import('./x.js')` of another x509 file: that would make a
 * second chunk, and one that runs without the codecs lazy.ts installs (core-codecs.ts).
 */
export { installCodecs } from './core-codecs.js'
export {
  certificateDer,
  certificateDers,
  decodeCertificate,
  parseCertificate,
  parseCertificates,
} from './parse.js'
export { clearX5cCache, keyFromX5c } from './x5c-key.js'
export { clearRevocationCache } from './revocation.js'
export { createCertificateSigningRequest } from './csr.js'
export { checkKeyCertificateChain } from './certificate-chain.js'
