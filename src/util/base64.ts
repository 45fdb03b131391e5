// Padded base64 (RFC 4648 section 4): PEM bodies and data: URLs, on util/bytes' base64url codec
// rather than @scure/base (see base58.ts for why, and for the test that holds it to @scure/base).
import { CredsignError } from '../errors/credsign-error.js'
import { b64u, fromB64u } from './bytes.js'

/** Base64 with padding (RFC 4648 section 4): PEM bodies, `data:` URLs. */
export function b64(bytes: Uint8Array): string {
  const url = b64u(bytes).replace(/-/g, '+').replace(/_/g, '/')
  return url + '='.repeat((4 - (url.length % 4)) % 4)
}

/**
 * Decodes base64 with padding, strictly: the standard alphabet only, exactly the padding the length
 * needs, no whitespace, no non-zero spare bits. Throws `invalid_argument` (or `code`).
 */
export function fromB64(
  text: string,
  code: 'invalid_argument' | 'invalid_key' | 'malformed' = 'invalid_argument',
): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 !== 0 || /[-_]/.test(text))
    throw new CredsignError(code, 'not base64')
  const unpadded = text.replace(/={1,2}$/, '')
  const padding = [0, -1, 2, 1][unpadded.length % 4] as number
  if (padding !== text.length - unpadded.length) throw new CredsignError(code, 'not base64')
  return fromB64u(unpadded.replace(/\+/g, '-').replace(/\//g, '_'), code)
}
