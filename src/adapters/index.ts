/**
 * Credsign/adapters: vault keys for code built on other libraries. An unlocked vault key (or any
 * credsign `Signer`) signs through jose (`joseSigningKey`: a non-extractable CryptoKey),
 * `@sd-jwt/core` / `@sd-jwt/sd-jwt-vc` (`sdJwtSigner`: the `signer` / `signAlg` callbacks) and
 * Digital Bazaar's Data Integrity suites (`digitalBazaarSigner`: the `{ id, algorithm, sign }`
 * signer). None of those libraries is a dependency of credsign; the private key never leaves the
 * vault's handle. See docs/keys.md.
 *
 * @module
 */
export { joseSigningKey } from './jose.js'
export type { JoseSigningKey, JoseSigningKeyOptions } from './jose.js'
export { sdJwtSigner } from './sd-jwt.js'
export type { SdJwtSignerCallbacks, SdJwtSignerOptions } from './sd-jwt.js'
export { digitalBazaarSigner } from './digital-bazaar.js'
export type { DigitalBazaarSigner, DigitalBazaarSignerOptions } from './digital-bazaar.js'
