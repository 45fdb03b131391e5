// Base58btc, here rather than from @scure/base: a browser app that reaches any module importing a
// package gets the whole package in its initial load (~2 KB gz for @scure/base's index), and this is
// a few lines. Its own module, apart from util/bytes: a bundler puts a module's code in one chunk,
// so base58 in util/bytes would join the initial load of every app (verifySignature) as soon as a
// lazy chunk (relatedResource digests) used it. test/core/multibase-decoders.test.ts holds it to
// @scure/base's answers (accepted texts, bytes, refusals).
import { CredsignError } from '../errors/credsign-error.js'

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const BASE58_TEXT = /^[1-9A-HJ-NP-Za-km-z]*$/

/**
 * Base58btc (Bitcoin alphabet), as used by multibase `z`: each leading zero byte is a `1`.
 * Quadratic in the length, as every base58 codec: callers bound what they encode and decode.
 */
export function b58(bytes: Uint8Array): string {
  let zeros = 0
  while (zeros < bytes.length && bytes[zeros] === 0) zeros += 1
  const digits: number[] = [] // base 58, least significant first
  for (let index = zeros; index < bytes.length; index += 1) {
    let carry = bytes[index] as number
    for (let position = 0; position < digits.length; position += 1) {
      carry += (digits[position] as number) * 256
      digits[position] = carry % 58
      carry = Math.floor(carry / 58)
    }
    while (carry > 0) {
      digits.push(carry % 58)
      carry = Math.floor(carry / 58)
    }
  }
  let out = '1'.repeat(zeros)
  for (let position = digits.length - 1; position >= 0; position -= 1)
    out += BASE58_ALPHABET[digits[position] as number] as string
  return out
}

/** Decodes base58btc; throws `invalid_argument` (or `code`). */
export function fromB58(
  text: string,
  code: 'invalid_argument' | 'invalid_key' | 'malformed' = 'invalid_argument',
): Uint8Array {
  if (typeof text !== 'string' || !BASE58_TEXT.test(text))
    throw new CredsignError(code, 'not base58btc')
  let zeros = 0
  while (zeros < text.length && text[zeros] === '1') zeros += 1
  const bytes: number[] = [] // base 256, least significant first
  for (let index = zeros; index < text.length; index += 1) {
    let carry = BASE58_ALPHABET.indexOf(text[index] as string)
    for (let position = 0; position < bytes.length; position += 1) {
      carry += (bytes[position] as number) * 58
      bytes[position] = carry & 0xff
      carry >>= 8
    }
    while (carry > 0) {
      bytes.push(carry & 0xff)
      carry >>= 8
    }
  }
  const out = new Uint8Array(zeros + bytes.length)
  for (let position = 0; position < bytes.length; position += 1)
    out[out.length - 1 - position] = bytes[position] as number
  return out
}
