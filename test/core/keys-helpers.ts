import { expect } from 'vitest'
import { CredsignError, type ErrorCode } from '../../src/errors/credsign-error.js'
import { cryptoBackend } from '../../src/keys/backend.js'

/** Bytes of a hex string. */
export function hex(text: string): Uint8Array {
  const clean = text.trim()
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Asserts that `run` throws (or rejects with) a CredsignError with `code`. */
export async function expectCode(run: () => unknown, code: ErrorCode): Promise<void> {
  let caught: unknown
  try {
    await run()
  } catch (error) {
    caught = error
  }
  expect(caught, `expected CredsignError ${code}`).toBeInstanceOf(CredsignError)
  expect((caught as CredsignError).code).toBe(code)
}

/** The s half of an r || s signature as a bigint. */
export function sOf(signature: Uint8Array): bigint {
  let s = 0n
  for (const byte of signature.subarray(signature.length / 2)) s = (s << 8n) | BigInt(byte)
  return s
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

/** Decodes a multibase `z` private key (multicodec varint + raw key), returning the raw key. */
export function rawFromPrivateMultibase(
  multibase: string,
  decode: (text: string) => Uint8Array,
): { code: number; key: Uint8Array } {
  const bytes = decode(multibase.slice(1))
  const code = ((bytes[0] as number) & 0x7f) | ((bytes[1] as number) << 7)
  return { code, key: bytes.subarray(2) }
}

/**
 * The `backend` of a handle that `loadPrivateKey` picked automatically: `'node'` when the
 * node:crypto backend is installed (vitest project `node-backend`; it takes every algorithm on
 * Node), else `otherwise` (the WebCrypto / noble choice).
 */
export function autoBackend(otherwise: 'webcrypto' | 'noble'): 'webcrypto' | 'noble' | 'node' {
  return cryptoBackend() === undefined ? otherwise : 'node'
}
