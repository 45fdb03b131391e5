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
 * Whether an Ed25519 signature has the form every backend must require before any curve arithmetic:
 * 64 bytes, R with a canonical y coordinate and no negative zero, S below the group order L.
 * OpenSSL and BoringSSL refuse all of these too; checking them here keeps any platform that does
 * not (an older or different native library) from deciding differently.
 *
 * @example
 *
 * ```ts
 * ed25519SignatureWellFormed(new Uint8Array(64)) // true: well-formed (R has y = 0, S = 0), not necessarily valid
 * ed25519SignatureWellFormed(new Uint8Array(64).fill(0xff)) // false: y of R >= p, and S >= L
 * ```
 */
export function ed25519SignatureWellFormed(signature: Uint8Array): boolean {
  if (signature.length !== 64) return false
  // Byte comparisons, not bigints: this runs before every Ed25519 verification on every backend.
  if (!lessThanLittleEndian(signature, 32, L_BYTES)) return false
  // y of R (the sign bit masked off) must be below p; p - 1 and 1 are the y of the two points with x = 0.
  const yAtLeastP = !lessThanLittleEndian(signature, 0, P_BYTES)
  if (yAtLeastP) return false
  if (
    ((signature[31] as number) & 0x80) !== 0 &&
    (isLittleEndian(signature, 0, P_MINUS_1_BYTES) || isLittleEndian(signature, 0, ONE_BYTES))
  )
    return false
  return true
}

/** 32-byte little-endian encodings (sign bit clear) of L, p, p - 1 and 1. */
const L_BYTES = littleEndian32(L)
const P_BYTES = littleEndian32(P)
const P_MINUS_1_BYTES = littleEndian32(P - 1n)
const ONE_BYTES = littleEndian32(1n)

function littleEndian32(value: bigint): Uint8Array {
  const out = new Uint8Array(32)
  let rest = value
  for (let i = 0; i < 32; i++) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out
}

/**
 * Whether the 32 bytes at `offset` (top bit of the last one ignored when comparing R's y) are below
 * `bound`.
 */
function lessThanLittleEndian(bytes: Uint8Array, offset: number, bound: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    let byte = bytes[offset + i] as number
    if (i === 31 && offset === 0) byte &= 0x7f
    const limit = bound[i] as number
    if (byte !== limit) return byte < limit
  }
  return false
}

/** Whether the 32 bytes at `offset` (ignoring the top bit) equal `value`. */
function isLittleEndian(bytes: Uint8Array, offset: number, value: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const byte = i === 31 ? (bytes[offset + i] as number) & 0x7f : (bytes[offset + i] as number)
    if (byte !== value[i]) return false
  }
  return true
}

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
  if (!ed25519SignatureWellFormed(signature)) return false
  try {
    const known = decodedPoints.get(publicKey)
    let a: InstanceType<typeof Point>
    if (known !== undefined && equalBytes(known.bytes, publicKey)) a = known.point
    else {
      a = Point.fromBytes(publicKey, false)
      // Also refused on import (assertEd25519Point); kept here so this function is safe on its own.
      if (a.isSmallOrder()) return false
      decodedPoints.set(publicKey, { bytes: publicKey.slice(), point: a })
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
