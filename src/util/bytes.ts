import { base64urlnopad, base58 } from '@scure/base'
import { CredsignError } from '../errors/credsign-error.js'

const encoder = new TextEncoder()
const strictDecoder = new TextDecoder('utf-8', { fatal: true })

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

/** base64url without padding (RFC 4648 section 5). */
export function b64u(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes)
}

/** Decodes base64url without padding; throws `invalid_argument` (or `code`) on anything else. */
export function fromB64u(text: string, code: 'invalid_argument' | 'envelope_malformed' | 'invalid_key' = 'invalid_argument'): Uint8Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) {
    throw new CredsignError(code, 'not base64url')
  }
  try {
    return base64urlnopad.decode(text)
  } catch (cause) {
    throw new CredsignError(code, 'not base64url', { cause })
  }
}

/** base58btc (Bitcoin alphabet), as used by multibase `z`. */
export function b58(bytes: Uint8Array): string {
  return base58.encode(bytes)
}

/** Decodes base58btc; throws `invalid_argument` (or `code`). */
export function fromB58(text: string, code: 'invalid_argument' | 'invalid_key' = 'invalid_argument'): Uint8Array {
  try {
    return base58.decode(text)
  } catch (cause) {
    throw new CredsignError(code, 'not base58btc', { cause })
  }
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
 * The same bytes as a fresh `Uint8Array<ArrayBuffer>`, the type WebCrypto accepts in TypeScript 5.9.
 * Copies only when needed.
 */
export function toArrayBufferView(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.buffer instanceof ArrayBuffer) return bytes as Uint8Array<ArrayBuffer>
  return new Uint8Array(bytes)
}

/** The WebCrypto SubtleCrypto, or `crypto_unavailable` (e.g. a browser page that is not a secure context). */
export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle
  if (!s) throw new CredsignError('crypto_unavailable', 'WebCrypto (crypto.subtle) is not available in this runtime')
  return s
}
