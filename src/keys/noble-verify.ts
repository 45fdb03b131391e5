import type { EcAlgorithm } from './curves.js'
import { NOBLE_CURVES } from './noble-curves.js'

/*
 * verifySignature's @noble/curves paths, in the one module it loads with `import()` on first use:
 * ECDSA on the curves the platform lacks (secp256k1; P-521 on some engines) or under
 * `backend: 'noble'`, and Ed25519 where WebCrypto lacks it (ed25519-verify.ts).
 *
 * Why one module: a module that both a static and a dynamic import reach ends up in a chunk that
 * esbuild-style code splitting loads with the entry, putting noble back into every bundle (so
 * noble-curves.ts, imported here, must only ever be reached through `import()`); and each
 * lazily loaded module that shares files with the entry's bundle splits those files into a chunk of
 * their own, which costs gzip context. One lazy module keeps that to one split.
 */
export { verifyEd25519 } from './ed25519-verify.js'

/**
 * Whether `signature` (r || s, high S accepted) is valid for `data` under the uncompressed point
 * `publicKey`, with the curve's own hash. `false` for anything malformed; never throws.
 *
 * @example
 *
 * ```ts
 * import { secp256k1 } from '@noble/curves/secp256k1.js'
 * const secret = secp256k1.utils.randomSecretKey()
 * const data = new TextEncoder().encode('hi')
 * const signature = secp256k1.sign(data, secret, { prehash: true, format: 'compact' })
 * verifyEcdsaWithNoble('secp256k1', secp256k1.getPublicKey(secret, false), data, signature) // true
 * ```
 */
export function verifyEcdsaWithNoble(
  algorithm: EcAlgorithm,
  publicKey: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const curve = NOBLE_CURVES[algorithm]
  try {
    return curve.verify(signature, data, publicKey, {
      prehash: true,
      lowS: false,
      format: 'compact',
    })
  } catch {
    // Noble throws on some malformed signatures (e.g. r or s out of range): those are just invalid.
    return false
  }
}
