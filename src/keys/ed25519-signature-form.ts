/*
 * The form every Ed25519 signature must have before any backend sees it (the first part of
 * credsign's one Ed25519 verification rule: ed25519-verify.ts). Byte comparisons against constants
 * only, so `verifySignature` checks it without loading a curve library.
 */
import { bytesOfBigInt, ED25519_P as P } from './curve-points.js'

/** The prime order L of the base point: 2^252 + 27742317777372353535851937790883648493. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n

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
  return bytesOfBigInt(value, 32).reverse()
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
