import { encodePkcs8 } from './pkcs8.js'
import type { PrivateKeyParts } from './key-parts.js'
import { jwkFromPublicKey } from './jwk.js'
import type { PublicKeyBytes } from './jwk.js'
import { toPublicJwk } from './thumbprint.js'
import type { KeyAlgorithm, PublicJwk } from './types.js'

/**
 * A private key in credsign's canonical form, as produced by `generateKeyPair` and
 * `importPrivateKey`. `pkcs8` is secret: the caller encrypts or wipes it (`wipe(material.pkcs8)`)
 * as soon as it is no longer needed.
 *
 * @example
 *
 * ```ts
 * import { generateKeyPair } from 'credsign'
 * const material = await generateKeyPair('Ed25519')
 * material.publicJwk.kid // the RFC 7638 thumbprint
 * material.pkcs8.fill(0) // done with the private key
 * ```
 */
export interface KeyMaterial {
  /** The key type. */
  algorithm: KeyAlgorithm
  /** The private key as canonical PKCS#8 DER (see the `pkcs8` module). Secret. */
  pkcs8: Uint8Array
  /** The public key: required members only, plus `kid` set to the RFC 7638 thumbprint. */
  publicJwk: PublicJwk
}

/**
 * Builds the canonical key material from validated private parts and the public key derived from
 * them. Does not wipe `key` (the caller owns it).
 *
 * @example
 *
 * ```ts
 * import { ed25519 } from '@noble/curves/ed25519.js'
 * const seed = crypto.getRandomValues(new Uint8Array(32))
 * const material = await keyMaterial(
 *   { algorithm: 'Ed25519', seed },
 *   { algorithm: 'Ed25519', publicKey: ed25519.getPublicKey(seed) },
 * )
 * ```
 */
export async function keyMaterial(
  key: PrivateKeyParts,
  publicKey: PublicKeyBytes,
): Promise<KeyMaterial> {
  const publicJwk = await toPublicJwk(jwkFromPublicKey(publicKey))
  return { algorithm: key.algorithm, pkcs8: encodePkcs8(key, publicKey), publicJwk }
}
