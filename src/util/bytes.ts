import { CredsignError } from '../errors/credsign-error.js'

// Tables and codecs are marked pure so that a bundle using none of the functions that need one
// (verifySignature alone uses only the decoder) drops it.
const encoder = /* @__PURE__ */ new TextEncoder()
const strictDecoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true })

/**
 * A copy of `bytes` in memory of its own. Not `bytes.slice()`: on a Node `Buffer` (a Uint8Array
 * subclass) `slice` returns a view, so a "copy" of a caller's Buffer would share its memory: a wipe
 * of the copy zeroed the caller's key bytes, and a later change of the caller's bytes changed what
 * credsign had checked.
 *
 * @example
 *
 * ```ts
 * const original = new Uint8Array([1, 2, 3])
 * const copy = copyBytes(original)
 * copy[0] = 9
 * original[0] // 1
 * ```
 *
 * @internal
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}

/** Decodes UTF-8, throwing `invalid_argument` on malformed input. */
export function fromUtf8(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes)
  } catch (cause) {
    throw new CredsignError('invalid_argument', 'not valid UTF-8', { cause })
  }
}

const B64U_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** Character code → 6-bit value, 255 for characters outside the alphabet. */
const B64U_VALUES = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128).fill(255)
  for (let i = 0; i < 64; i++) table[B64U_ALPHABET.charCodeAt(i)] = i
  return table
})()
/**
 * Every pair of 6-bit values as two characters: one lookup per 12 bits. Made on the first encoding,
 * not at import: its 4,096 strings were the largest top-level work of credsign's own modules in a
 * CPU profile of `import('credsign')` (about 0.8 ms; issue 15, cold start).
 */
let b64uPairs: readonly string[] | undefined

function makeB64uPairs(): readonly string[] {
  const pairs: string[] = []
  for (let i = 0; i < 4096; i++)
    pairs.push((B64U_ALPHABET[i >> 6] as string) + (B64U_ALPHABET[i & 63] as string))
  b64uPairs = pairs
  return pairs
}

/** Character codes of the base64url alphabet. */
const B64U_CODES = /* @__PURE__ */ (() => {
  const codes = new Uint8Array(64)
  for (let i = 0; i < 64; i++) codes[i] = B64U_ALPHABET.charCodeAt(i)
  return codes
})()

/** Length of the unpadded base64url encoding of `byteLength` bytes. */
export function b64uLength(byteLength: number): number {
  return Math.floor(byteLength / 3) * 4 + [0, 2, 3][byteLength % 3]!
}

/**
 * Writes the unpadded base64url encoding of `bytes` into `out` at `offset` as ASCII codes (exactly
 * {@link b64u}'s characters), and returns the offset after it. For building a JWS signing input as
 * bytes without making strings first.
 */
export function b64uInto(bytes: Uint8Array, out: Uint8Array, offset: number): number {
  const full = bytes.length - (bytes.length % 3)
  let o = offset
  let i = 0
  for (; i < full; i += 3) {
    const n =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)
    out[o++] = B64U_CODES[n >> 18] as number
    out[o++] = B64U_CODES[(n >> 12) & 63] as number
    out[o++] = B64U_CODES[(n >> 6) & 63] as number
    out[o++] = B64U_CODES[n & 63] as number
  }
  const rest = bytes.length - full
  if (rest === 1) {
    const n = bytes[i] as number
    out[o++] = B64U_CODES[n >> 2] as number
    out[o++] = B64U_CODES[(n << 4) & 63] as number
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 8) | (bytes[i + 1] as number)
    out[o++] = B64U_CODES[n >> 10] as number
    out[o++] = B64U_CODES[(n >> 4) & 63] as number
    out[o++] = B64U_CODES[(n << 2) & 63] as number
  }
  return o
}

/**
 * {@link b64uInto} of the UTF-8 bytes of `text` when `text` is all ASCII (then its bytes are its
 * character codes, and `out` needs `b64uLength(text.length)` bytes from `offset`): one pass, no
 * encoder. Returns the offset after the encoding, or -1 as soon as a character is not ASCII (what
 * was written is then garbage; encode with `utf8` instead).
 */
export function asciiB64uInto(text: string, out: Uint8Array, offset: number): number {
  const length = text.length
  const full = length - (length % 3)
  let o = offset
  let i = 0
  for (; i < full; i += 3) {
    const a = text.charCodeAt(i)
    const b = text.charCodeAt(i + 1)
    const c = text.charCodeAt(i + 2)
    if ((a | b | c) > 127) return -1
    const n = (a << 16) | (b << 8) | c
    out[o++] = B64U_CODES[n >> 18] as number
    out[o++] = B64U_CODES[(n >> 12) & 63] as number
    out[o++] = B64U_CODES[(n >> 6) & 63] as number
    out[o++] = B64U_CODES[n & 63] as number
  }
  const rest = length - full
  if (rest === 1) {
    const n = text.charCodeAt(i)
    if (n > 127) return -1
    out[o++] = B64U_CODES[n >> 2] as number
    out[o++] = B64U_CODES[(n << 4) & 63] as number
  } else if (rest === 2) {
    const a = text.charCodeAt(i)
    const b = text.charCodeAt(i + 1)
    if ((a | b) > 127) return -1
    const n = (a << 8) | b
    out[o++] = B64U_CODES[n >> 10] as number
    out[o++] = B64U_CODES[(n >> 4) & 63] as number
    out[o++] = B64U_CODES[(n << 2) & 63] as number
  }
  return o
}

const asciiDecoder = /* @__PURE__ */ new TextDecoder()

/** The string of bytes that are all ASCII (base64url text and the like): one flat string. */
export function asciiText(bytes: Uint8Array): string {
  return asciiDecoder.decode(bytes)
}

/**
 * Base64url without padding (RFC 4648 section 5). Hand-rolled because every JWS encodes three
 * parts: a table-driven loop is about ten times faster than a generic radix converter, and works
 * the same on every runtime (no Buffer, no `Uint8Array.prototype.toBase64` on Node 20).
 */
export function b64u(bytes: Uint8Array): string {
  // Long inputs: ASCII codes into one buffer, decoded once (about four times faster than building
  // the string from pieces); short ones (keys, signatures) are cheaper as strings.
  if (bytes.length >= 96) {
    const ascii = new Uint8Array(b64uLength(bytes.length))
    b64uInto(bytes, ascii, 0)
    return asciiText(ascii)
  }
  const pairs = b64uPairs ?? makeB64uPairs()
  let out = ''
  const full = bytes.length - (bytes.length % 3)
  let i = 0
  for (; i < full; i += 3) {
    const n =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)
    out += (pairs[n >> 12] as string) + (pairs[n & 4095] as string)
  }
  const rest = bytes.length - full
  if (rest === 1) {
    const n = (bytes[i] as number) << 4
    out += pairs[n] as string
  } else if (rest === 2) {
    const n = (((bytes[i] as number) << 8) | (bytes[i + 1] as number)) << 2
    out += (pairs[n >> 6] as string) + (B64U_ALPHABET[n & 63] as string)
  }
  return out
}

/**
 * Decodes base64url without padding, strictly: only the URL-safe alphabet, no padding, no
 * whitespace, no impossible length (4n+1), and no non-zero bits in the last character's unused bits
 * (so every byte string has exactly one encoding). Throws `invalid_argument` (or `code`).
 */
export function fromB64u(
  text: string,
  code:
    'invalid_argument' | 'envelope_malformed' | 'invalid_key' | 'malformed' = 'invalid_argument',
): Uint8Array {
  if (typeof text !== 'string') throw new CredsignError(code, 'not base64url')
  const length = text.length
  const rest = length % 4
  if (rest === 1) throw new CredsignError(code, 'not base64url')
  const out = new Uint8Array(((length - rest) / 4) * 3 + (rest === 0 ? 0 : rest - 1))
  let o = 0
  let i = 0
  const full = length - rest
  // A character outside the alphabet has a code of 128 or more (badCodes > 127) or the table's
  // 255 (badValues > 63): checked once, after the loop.
  let badCodes = 0
  let badValues = 0
  for (; i < full; i += 4) {
    const c0 = text.charCodeAt(i)
    const c1 = text.charCodeAt(i + 1)
    const c2 = text.charCodeAt(i + 2)
    const c3 = text.charCodeAt(i + 3)
    const v0 = B64U_VALUES[c0 & 127] as number
    const v1 = B64U_VALUES[c1 & 127] as number
    const v2 = B64U_VALUES[c2 & 127] as number
    const v3 = B64U_VALUES[c3 & 127] as number
    badCodes |= c0 | c1 | c2 | c3
    badValues |= v0 | v1 | v2 | v3
    const n = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3
    out[o++] = n >> 16
    out[o++] = (n >> 8) & 255
    out[o++] = n & 255
  }
  if (badCodes > 127 || badValues > 63) throw new CredsignError(code, 'not base64url')
  if (rest === 2) {
    const a = value(text, i, code)
    const b = value(text, i + 1, code)
    if (b & 15) throw new CredsignError(code, 'not base64url (non-canonical final character)')
    out[o] = (a << 2) | (b >> 4)
  } else if (rest === 3) {
    const n =
      (value(text, i, code) << 12) | (value(text, i + 1, code) << 6) | value(text, i + 2, code)
    if (n & 3) throw new CredsignError(code, 'not base64url (non-canonical final character)')
    out[o++] = n >> 10
    out[o] = (n >> 2) & 255
  }
  return out
}

function value(
  text: string,
  index: number,
  code: 'invalid_argument' | 'envelope_malformed' | 'invalid_key' | 'malformed',
): number {
  const c = text.charCodeAt(index)
  const v = c < 128 ? (B64U_VALUES[c] as number) : 255
  if (v === 255) throw new CredsignError(code, 'not base64url')
  return v
}

/**
 * Lowercase hexadecimal of `bytes`.
 *
 * @example
 *
 * ```ts
 * toHex(new Uint8Array([0x0a, 0xff])) // '0aff'
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}

/**
 * The bytes of a hexadecimal string (either case, an even number of digits); throws `malformed` (or
 * `code`) for anything else.
 *
 * @example
 *
 * ```ts
 * fromHex('0aFF') // Uint8Array [10, 255]
 * ```
 */
export function fromHex(
  text: string,
  code: 'malformed' | 'invalid_key' = 'malformed',
): Uint8Array<ArrayBuffer> {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text))
    throw new CredsignError(code, 'not hexadecimal')
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Compares in time that depends only on the lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

/** `n` bytes from the platform CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n)
  // getRandomValues fills at most 65,536 bytes per call.
  for (let offset = 0; offset < n; offset += 65_536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(n, offset + 65_536)))
  }
  return out
}

/** Overwrites bytes with zeros: the best JavaScript can do to shorten a secret's life in memory. */
export function wipe(...arrays: (Uint8Array | undefined)[]): void {
  for (const array of arrays) array?.fill(0)
}

/**
 * The same bytes as a fresh `Uint8Array<ArrayBuffer>`, the type WebCrypto accepts in TypeScript
 * 5.9. Copies only when needed.
 */
export function toArrayBufferView(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.buffer instanceof ArrayBuffer) return bytes as Uint8Array<ArrayBuffer>
  return new Uint8Array(bytes)
}

/**
 * The WebCrypto SubtleCrypto, or `crypto_unavailable` (e.g. a browser page that is not a secure
 * context).
 */
export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle
  if (!s)
    throw new CredsignError(
      'crypto_unavailable',
      'WebCrypto (crypto.subtle) is not available in this runtime',
    )
  return s
}
