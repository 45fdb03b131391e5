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
 *   valid signature); R has a canonical y (< p) and no negative zero (ed25519-signature-form.ts,
 *   checked before any backend);
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

/**
 * Decoded public points by their key byte arrays (`verifySignature` hands over the same validated
 * array for the same key while it stays in its cache). Each entry keeps a copy of the bytes it was
 * decoded from and is used only while they still match, so a caller that reuses an array for
 * another key can never get the old point.
 */
const decodedPoints = new WeakMap<
  Uint8Array,
  { bytes: Uint8Array; point: InstanceType<typeof Point> }
>()

/**
 * Verifies an Ed25519 signature with @noble/curves arithmetic under credsign's rule (see above):
 * strict decoding, S < L, and the cofactorless equation, exactly as OpenSSL and BoringSSL decide.
 * `publicKey` must already have passed `assertEd25519Point`. Never throws: anything malformed is
 * `false`.
 *
 * @example
 *
 * ```ts
 * import { ed25519 } from '@noble/curves/ed25519.js'
 * const seed = crypto.getRandomValues(new Uint8Array(32))
 * const message = new TextEncoder().encode('hi')
 * verifyEd25519(ed25519.getPublicKey(seed), message, ed25519.sign(message, seed)) // true
 * ```
 */
export function verifyEd25519(
  publicKey: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  // The signature's form (ed25519-signature-form.ts) is checked by verifySignature before any
  // backend; here only what this function relies on: 64 bytes and S < L (`multiplyUnsafe` would
  // reduce a larger S). A non-canonical R (y >= p, or x = 0 with the sign bit) is never equal to
  // the canonical encoding compared with below, so it fails there. Not importing that module keeps
  // this lazily loaded one from sharing a file with the entry bundle (a chunk split of its own).
  if (signature.length !== 64) return false
  try {
    const known = decodedPoints.get(publicKey)
    let a: InstanceType<typeof Point>
    if (known !== undefined && equalBytes(known.bytes, publicKey)) a = known.point
    else {
      a = Point.fromBytes(publicKey, false)
      // Also refused on import (assertEd25519Point); kept here so this function is safe on its own.
      if (a.isSmallOrder()) return false
      // A copy (`new Uint8Array`, not `slice`: a view on a Node Buffer). Not util/bytes' copyBytes:
      // importing it would make that module a chunk shared with this lazily loaded one.
      decodedPoints.set(publicKey, { bytes: new Uint8Array(publicKey), point: a })
    }
    const r = signature.subarray(0, 32)
    const s = bytesToNumberLE(signature.subarray(32, 64))
    if (s >= L) return false
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
