import { utf8 } from '../util/bytes.js'
import { canonicalKdf } from './kdf-params.js'
import type { KdfParams } from './types.js'

/**
 * The fields the header binds, in the decoded (binary) form.
 *
 * @example
 *
 * ```ts
 * const fields: HeaderFields = {
 *   kid: 'key-1',
 *   alg: 'Ed25519',
 *   kv: 1,
 *   kdf: { id: 'pbkdf2-sha256', iterations: 600_000 },
 *   salt: new Uint8Array(16),
 *   sfp: new Uint8Array(8),
 *   iv: new Uint8Array(12),
 * }
 * ```
 *
 * @internal
 */
export interface HeaderFields {
  kid: string
  alg: string
  kv: number
  kdf: KdfParams
  salt: Uint8Array
  sfp: Uint8Array
  iv: Uint8Array
}

/** First header item: the format name, so these bytes cannot be mistaken for another protocol's. */
const FORMAT = utf8('credsign-envelope')
/** Second header item: the format version as text. */
const VERSION = utf8('1')

/**
 * `u32be(length) || bytes` for each part: the framing used by the header and the MAC input.
 *
 * @example
 *
 * ```ts
 * lengthPrefixed([new Uint8Array([7])]) // Uint8Array [0, 0, 0, 1, 7]
 * ```
 *
 * @internal
 */
function lengthPrefixed(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += 4 + part.length
  const out = new Uint8Array(length)
  const view = new DataView(out.buffer)
  let offset = 0
  for (const part of parts) {
    view.setUint32(offset, part.length, false)
    out.set(part, offset + 4)
    offset += 4 + part.length
  }
  return out
}

/**
 * The envelope header: the AES-GCM associated data and the start of the MAC input. It is the
 * length-prefixed sequence `"credsign-envelope"`, `"1"`, kid (UTF-8), alg (UTF-8), kv (decimal
 * text), canonical KDF text, salt, sfp, iv. `docs/envelope.md` gives the layout byte by byte.
 *
 * @example
 *
 * ```ts
 * const header = encodeHeader({
 *   kid: 'key-1',
 *   alg: 'Ed25519',
 *   kv: 1,
 *   kdf: { id: 'pbkdf2-sha256', iterations: 600_000 },
 *   salt: new Uint8Array(16),
 *   sfp: new Uint8Array(8),
 *   iv: new Uint8Array(12),
 * })
 * ```
 *
 * @internal
 */
export function encodeHeader(fields: HeaderFields): Uint8Array {
  return lengthPrefixed([
    FORMAT,
    VERSION,
    utf8(fields.kid),
    utf8(fields.alg),
    utf8(String(fields.kv)),
    utf8(canonicalKdf(fields.kdf)),
    fields.salt,
    fields.sfp,
    fields.iv,
  ])
}
