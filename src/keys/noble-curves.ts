import { p256, p384, p521 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js'
export { ed25519 } from '@noble/curves/ed25519.js'
import type { EcAlgorithm } from './curves.js'

/**
 * The @noble/curves ECDSA implementation of each curve (its ECDSA hashes with the curve's hash:
 * SHA-256, SHA-384 or SHA-512), for signing, key generation and public key derivation. Kept apart
 * from the constants in curves.ts so that code which only parses or checks keys does not load noble
 * (key-parts.ts' `loadNobleCurves` and noble-verify.ts load it, both lazily).
 *
 * @example
 *
 * ```ts
 * NOBLE_CURVES['secp256k1'].getPublicKey(NOBLE_CURVES['secp256k1'].utils.randomSecretKey())
 *   .length // 33
 * ```
 */
export const NOBLE_CURVES: Readonly<Record<EcAlgorithm, ECDSA>> = {
  'P-256': p256,
  'P-384': p384,
  'P-521': p521,
  secp256k1,
}
