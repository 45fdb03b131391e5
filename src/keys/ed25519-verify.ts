import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToNumberLE, equalBytes } from '@noble/curves/utils.js'
import { sha512 } from '@noble/hashes/sha2.js'

/*
 * credsign's one Ed25519 verification rule, the same on every backend (node:crypto, WebCrypto in
 * Node, Deno, Bun and browsers, noble):
 *
 * - the public key is a canonical encoding of a point of large order (checked where keys enter:
 *   `assertEd25519Point`);
 * - the signature is 64 bytes; S < L (RFC 8032 section 5.1.7: a larger S is a malleated copy of a
 *   valid signature); R has a canonical y (< p) and no negative zero;
 * - the cofactorless equation [S]B = R + [k]A holds exactly, checked as encode([S]B - [k]A) == R.
 *
 * Why cofactorless: RFC 8032 allows either the cofactored ([8][S]B = [8]R + [8][k]A) or the
 * cofactorless equation, and implementations differ on signatures whose R carries a small-order
 * component: OpenSSL and BoringSSL (node:crypto and every WebCrypto credsign runs on) check the
 * cofactorless one, noble's `ed25519.verify` the cofactored one. The platform libraries cannot be
 * changed, so the noble path follows them. Both agree on every signature an honest signer makes.
 */

const Point = ed25519.Point
/** The prime order L of the base point: 2^252 + 27742317777372353535851937790883648493. */
const L = Point.Fn.ORDER
const P = Point.Fp.ORDER

/**
 * Whether an Ed25519 signature has the form every backend must require before any curve
 * arithmetic: 64 bytes, R with a canonical y coordinate and no negative zero, S below the group
 * order L. OpenSSL and BoringSSL refuse all of these too; checking them here keeps any platform
 * that does not (an older or different native library) from deciding differently.
 *
 * @example
 * ```ts
 * ed25519SignatureWellFormed(new Uint8Array(64)) // true: well-formed (R has y = 0, S = 0), not necessarily valid
 * ed25519SignatureWellFormed(new Uint8Array(64).fill(0xff)) // false: y of R >= p, and S >= L
 * ```
 */
export function ed25519SignatureWellFormed(signature: Uint8Array): boolean {
  if (signature.length !== 64) return false
  const s = bytesToNumberLE(signature.subarray(32, 64))
  if (s >= L) return false
  const rSign = ((signature[31] as number) & 0x80) !== 0
  const rBytes = signature.slice(0, 32)
  rBytes[31] = (rBytes[31] as number) & 0x7f
  const y = bytesToNumberLE(rBytes)
  if (y >= P) return false
  // x = 0 exactly when y = 1 or y = -1; its encoding has the sign bit clear ("negative zero" is not canonical).
  if (rSign && (y === 1n || y === P - 1n)) return false
  return true
}

/** Decoded public points by their validated key bytes (the objects `verifySignature` caches). */
const decodedPoints = new WeakMap<Uint8Array, InstanceType<typeof Point>>()

/**
 * Verifies an Ed25519 signature with @noble/curves arithmetic under credsign's rule (see above):
 * strict decoding, S < L, and the cofactorless equation, exactly as OpenSSL and BoringSSL decide.
 * `publicKey` must already have passed `assertEd25519Point`. Never throws: anything malformed is
 * `false`.
 *
 * @example
 * ```ts
 * import { ed25519 } from '@noble/curves/ed25519.js'
 * const seed = crypto.getRandomValues(new Uint8Array(32))
 * const message = new TextEncoder().encode('hi')
 * verifyEd25519(ed25519.getPublicKey(seed), message, ed25519.sign(message, seed)) // true
 * ```
 */
export function verifyEd25519(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (!ed25519SignatureWellFormed(signature)) return false
  try {
    let a = decodedPoints.get(publicKey)
    if (a === undefined) {
      a = Point.fromBytes(publicKey, false)
      decodedPoints.set(publicKey, a)
    }
    const r = signature.subarray(0, 32)
    const s = bytesToNumberLE(signature.subarray(32, 64))
    // k = SHA-512(R || A || M) mod L (RFC 8032 section 5.1.7, step 2), over the bytes as received.
    const digest = sha512.create().update(r).update(publicKey).update(data).digest()
    const k = bytesToNumberLE(digest) % L
    // Public values only, so the variable-time multiplications are fine.
    const expectedR = Point.BASE.multiplyUnsafe(s).subtract(a.multiplyUnsafe(k))
    return equalBytes(expectedR.toBytes(), r)
  } catch {
    return false
  }
}
