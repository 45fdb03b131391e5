// The decoders of the digests in `relatedResource` entries (multibase `digestMultibase`, SRI
// `digestSRI`), as strict as @scure/base's (the alphabet only, exact padding where the base has
// it, no non-zero spare bits). They load in a lazy chunk, and a bundler puts every module that a
// lazy chunk uses and the package entry also reaches into the app's initial load: with
// @scure/base here, `verifySignature` went 5.9 -> 8.2 KB gz; with util/base58 and util/base64
// (which did:key and PEM need), 5.8 -> 6.4. So this module takes only util/bytes, which every app
// loads anyway, and decodes base58 itself.
import { CredsignError } from '../errors/credsign-error.js'
import { fromB64u, fromHex } from '../util/bytes.js'

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const BASE58_TEXT = /^[1-9A-HJ-NP-Za-km-z]*$/
/**
 * Longer base58 text than any digest credsign knows (a 64-byte digest with its multihash header is
 * at most 91 characters): decoded all the same, but the quadratic decoder stops here so an issuer's
 * 4 MiB string costs nothing; what it returns is then only as long as such text decodes to, which
 * is no digest.
 */
const MAX_BASE58_DECODED = 256

function invalid(base: string): never {
  throw new CredsignError('malformed', `not ${base}`)
}

/**
 * Base58btc (the Bitcoin alphabet; each leading `1` is a zero byte). Text that decodes to more than
 * about 256 bytes is returned as 257 zero bytes: like its real value, no digest credsign knows.
 *
 * @internal
 */
export function decodeBase58(text: string): Uint8Array {
  if (!BASE58_TEXT.test(text)) invalid('base58btc')
  let zeros = 0
  while (zeros < text.length && text[zeros] === '1') zeros += 1
  // Every character after the leading ones adds more than 5.8 bits, so this many bytes at least.
  if (zeros + Math.floor(((text.length - zeros) * 5.857) / 8) > MAX_BASE58_DECODED)
    return new Uint8Array(MAX_BASE58_DECODED + 1)
  const littleEndian: number[] = []
  for (let index = zeros; index < text.length; index += 1) {
    let carry = BASE58_ALPHABET.indexOf(text[index] as string)
    for (let position = 0; position < littleEndian.length; position += 1) {
      carry += (littleEndian[position] as number) * 58
      littleEndian[position] = carry & 0xff
      carry >>= 8
    }
    while (carry > 0) {
      littleEndian.push(carry & 0xff)
      carry >>= 8
    }
  }
  const out = new Uint8Array(zeros + littleEndian.length)
  for (let position = 0; position < littleEndian.length; position += 1)
    out[out.length - 1 - position] = littleEndian[position] as number
  return out
}

/** Strips RFC 4648 padding, which must be exactly what the length needs. */
function unpadded(text: string, base: string): string {
  if (text.length % 4 !== 0) invalid(base)
  const stripped = text.replace(/={1,2}$/, '')
  const needed = [0, -1, 2, 1][stripped.length % 4] as number
  if (needed !== text.length - stripped.length) invalid(base)
  return stripped
}

/** `-` and `_` belong to base64url only; `+` and `/` become them for the base64url decoder. */
function asBase64Url(text: string, base: string): string {
  if (/[-_]/.test(text)) invalid(base)
  return text.replace(/\+/g, '-').replace(/\//g, '_')
}

/**
 * Base64url without padding (multibase `u`).
 *
 * @internal
 */
export function decodeBase64UrlNoPad(text: string): Uint8Array {
  return fromB64u(text, 'malformed')
}

/**
 * Base64url with padding (multibase `U`).
 *
 * @internal
 */
export function decodeBase64UrlPadded(text: string): Uint8Array {
  return fromB64u(unpadded(text, 'padded base64url'), 'malformed')
}

/**
 * Base64 without padding (multibase `m`, and SRI once its padding is dropped).
 *
 * @internal
 */
export function decodeBase64NoPad(text: string): Uint8Array {
  return fromB64u(asBase64Url(text, 'base64'), 'malformed')
}

/**
 * Base64 with padding (multibase `M`).
 *
 * @internal
 */
export function decodeBase64Padded(text: string): Uint8Array {
  return fromB64u(asBase64Url(unpadded(text, 'padded base64'), 'padded base64'), 'malformed')
}

/**
 * Hexadecimal, either case (multibase `f`; `F` is lowercased first), as @scure/base's `hex`.
 *
 * @internal
 */
export function decodeHex(text: string): Uint8Array {
  return fromHex(text)
}
