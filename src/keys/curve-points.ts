/*
 * Public-key point checks in plain bigint arithmetic, so that parsing a key (synchronous, on every
 * path that reads one) needs no curve library: @noble/curves is loaded only where a signature is
 * made or checked without the platform (secp256k1, or an engine lacking the algorithm). Public
 * values only: nothing here needs to run in constant time.
 *
 * Each function decides exactly as noble's strict decoders do (`Point.fromBytes` + `assertValidity`
 * for the ECDSA curves, `ed25519.Point.fromBytes(bytes, false)` + `isSmallOrder()` for Ed25519):
 * test/core/curve-points.test.ts compares them over random, crafted and Wycheproof inputs.
 */

/** `base^exponent mod modulus` (square and multiply; `base` already reduced). */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n
  let square = base
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * square) % modulus
    square = (square * square) % modulus
  }
  return result
}

/** The unsigned big-endian integer of `bytes` (0n for none). */
export function bigIntFromBytes(bytes: Uint8Array): bigint {
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return value
}

/**
 * `value` as `length` big-endian bytes (the caller knows it fits).
 *
 * @example
 *
 * ```ts
 * bytesOfBigInt(0x0102n, 3) // Uint8Array [0, 1, 2]
 * ```
 */
export function bytesOfBigInt(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let rest = value
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out
}

/** A short Weierstrass curve y² = x³ + ax + b over the prime field of `p` (prime order, cofactor 1). */
export interface WeierstrassField {
  /** Byte length of a field element (32, 48 or 66). */
  readonly size: number
  readonly p: bigint
  readonly a: bigint
  readonly b: bigint
}

/**
 * The uncompressed SEC1 encoding (0x04 || x || y) of the point `encoded` names, or `undefined` when
 * it names none: a compressed (0x02 / 0x03 || x) or uncompressed encoding of exactly the curve's
 * length, coordinates below p, on the curve. The point at infinity has no encoding here (SEC 1
 * section 3.2.2 refuses it as a public key), and every affine point of a prime-order curve is in
 * its one subgroup, so nothing else is to check.
 *
 * @example
 *
 * ```ts
 * const field = { size: 32, p: 2n ** 256n - 2n ** 32n - 977n, a: 0n, b: 7n } // secp256k1
 * decodeWeierstrassPoint(field, new Uint8Array(33)) // undefined: 0x00 is no compressed prefix
 * ```
 */
export function decodeWeierstrassPoint(
  field: WeierstrassField,
  encoded: Uint8Array,
): Uint8Array | undefined {
  const { size, p, a, b } = field
  const head = encoded[0]
  const x = bigIntFromBytes(encoded.subarray(1, 1 + size))
  if (x >= p) return undefined
  const rightSide = (((x * x) % p) * x + a * x + b) % p
  let y: bigint
  if (encoded.length === 2 * size + 1 && head === 0x04) {
    y = bigIntFromBytes(encoded.subarray(1 + size))
    if (y >= p || (y * y) % p !== rightSide) return undefined
  } else if (encoded.length === size + 1 && (head === 0x02 || head === 0x03)) {
    // p ≡ 3 (mod 4) for all four curves, so a square root of a square r is r^((p + 1) / 4).
    y = modPow(rightSide, (p + 1n) >> 2n, p)
    if ((y * y) % p !== rightSide) return undefined
    if ((y & 1n) !== BigInt(head & 1)) y = (p - y) % p
  } else return undefined
  const out = new Uint8Array(2 * size + 1)
  out[0] = 0x04
  out.set(bytesOfBigInt(x, size), 1)
  out.set(bytesOfBigInt(y, size), 1 + size)
  return out
}

/**
 * The compressed SEC1 encoding (0x02 or 0x03 by the parity of y, then x) of a validated
 * uncompressed point.
 *
 * @example
 *
 * ```ts
 * const point = new Uint8Array(65)
 * point[0] = 4
 * point[64] = 1 // y odd
 * compressPoint(point)[0] // 3
 * ```
 */
export function compressPoint(uncompressed: Uint8Array): Uint8Array {
  const size = (uncompressed.length - 1) / 2
  // A copy (`new Uint8Array`), not `slice`: on a Node Buffer `slice` is a view, and out[0] is written.
  const out = new Uint8Array(uncompressed.subarray(0, 1 + size))
  out[0] = 0x02 | ((uncompressed[2 * size] as number) & 1)
  return out
}

/**
 * Ed25519's field prime p = 2^255 - 19 (RFC 8032 section 5.1).
 *
 * @example
 *
 * ```ts
 * ED25519_P % 8n // 5n
 * ```
 *
 * @internal
 */
export const ED25519_P = 2n ** 255n - 19n
/** The Edwards curve constant d = -121665 / 121666 mod p (RFC 8032 section 5.1). */
const ED25519_D = 0x52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3n
/**
 * The y of the four points of order 8 are this value and p minus it. With the identity (y = 1), the
 * point of order 2 (y = p - 1) and the two of order 4 (y = 0), these are the y coordinates of all
 * eight points of small order (the torsion subgroup): its points are closed under negating either
 * coordinate.
 */
const ED25519_ORDER_8_Y = 0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n

/**
 * What a 32-byte string is as an Ed25519 public key under strict RFC 8032 decoding (section 5.1.3):
 * `non-canonical` when it decodes to no point (y >= p, no x for that y, or x = 0 with the sign bit
 * set), `small-order` for the eight points of order 1, 2, 4 or 8, `valid` otherwise.
 *
 * @example
 *
 * ```ts
 * ed25519PointKind(new Uint8Array(32)) // 'small-order': y = 0 is a point of order 4
 * ```
 */
export function ed25519PointKind(encoded: Uint8Array): 'valid' | 'non-canonical' | 'small-order' {
  if (encoded.length !== 32) return 'non-canonical'
  const signBit = ((encoded[31] as number) & 0x80) !== 0
  let y = 0n
  for (let i = 31; i >= 0; i--)
    y = (y << 8n) | BigInt(i === 31 ? (encoded[i] as number) & 0x7f : (encoded[i] as number))
  if (y >= ED25519_P) return 'non-canonical'
  // x² = u / v with u = y² - 1, v = d·y² + 1 (v is never 0: -1/d is not a square mod p).
  const y2 = (y * y) % ED25519_P
  const u = (y2 - 1n + ED25519_P) % ED25519_P
  if (u === 0n) {
    // x = 0 (y = ±1): the sign bit would name a negative zero.
    if (signBit) return 'non-canonical'
  } else {
    const v = (ED25519_D * y2 + 1n) % ED25519_P
    // u / v = u·v / v² is a square exactly when u·v is (Euler's criterion: (u·v)^((p-1)/2) = 1).
    if (modPow((u * v) % ED25519_P, (ED25519_P - 1n) >> 1n, ED25519_P) !== 1n)
      return 'non-canonical'
  }
  if (
    y === 0n ||
    y === 1n ||
    y === ED25519_P - 1n ||
    y === ED25519_ORDER_8_Y ||
    y === ED25519_P - ED25519_ORDER_8_Y
  )
    return 'small-order'
  return 'valid'
}
