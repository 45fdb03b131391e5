import { CredsignError } from '../errors/credsign-error.js'
import { utf8 } from '../util/bytes.js'

/**
 * One secret a caller presents to seal or open an envelope: a passphrase (string) or raw bytes. All
 * of an envelope's secrets, in the same order, are needed to open it.
 *
 * A string is normalised to Unicode NFC and encoded as UTF-8, so the same visible passphrase gives
 * the same key whether a keyboard, operating system or form produced the composed (`é`, U+00E9) or
 * decomposed (`e` + U+0301) form. Strings are not trimmed: spaces can be part of a passphrase. A
 * `Uint8Array` is used as is, and credsign never modifies it.
 *
 * @example
 *
 * ```ts
 * import type { CallerSecret } from 'credsign'
 * const secrets: CallerSecret[] = [
 *   'key access secret',
 *   crypto.getRandomValues(new Uint8Array(32)),
 * ]
 * ```
 */
export type CallerSecret = string | Uint8Array

/** At most this many secrets per envelope (the count is encoded in one byte). */
const MAX_SECRETS = 10
/** At most this many Unicode code points per string secret, counted after NFC. */
const MAX_CODE_POINTS = 1_000
/** At most this many bytes per byte secret (1,000 code points take at most 4,000 bytes of UTF-8). */
const MAX_BYTES = 4_000
/**
 * Strings longer than this (UTF-16 units) are rejected before normalising, so a huge input costs
 * nothing. NFC composes at most 4 code points into 1, so such a string can never be 1,000 code
 * points after NFC.
 */
const MAX_RAW_UNITS = 16_000

/** Domain tag that starts the encoding; a fixed prefix, so it needs no length. */
const DOMAIN_TAG = utf8('credsign/caller-secrets/v1')

/**
 * Matches a lone surrogate: with the `u` flag a well-formed pair is one code point outside this
 * range.
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u

function invalid(message: string): CredsignError {
  // Messages name the position, never the value.
  return new CredsignError('invalid_secrets', message)
}

/**
 * Checks caller secrets and returns each as a fresh byte array (NFC UTF-8 for strings, a copy for
 * bytes). Throws `invalid_secrets` unless there are 1 to 10 secrets, each a non-empty string of at
 * most 1,000 code points after NFC without lone surrogates, or 1 to 4,000 bytes. The caller wipes
 * the result.
 *
 * Lone surrogates are rejected because UTF-8 encoding would replace them with U+FFFD, making two
 * different strings the same secret.
 *
 * @example
 *
 * ```ts
 * normalizeCallerSecrets(['pass', new Uint8Array([1, 2])]) // [Uint8Array(4), Uint8Array(2)]
 * ```
 *
 * @internal
 */
export function normalizeCallerSecrets(secrets: unknown): Uint8Array[] {
  if (!Array.isArray(secrets)) throw invalid('secrets must be an array')
  if (secrets.length < 1 || secrets.length > MAX_SECRETS)
    throw invalid(`between 1 and ${MAX_SECRETS} secrets are required`)
  const out: Uint8Array[] = []
  for (let i = 0; i < secrets.length; i++) {
    const secret: unknown = secrets[i]
    if (typeof secret === 'string') {
      if (secret.length === 0) throw invalid(`secret ${i} is empty`)
      if (secret.length > MAX_RAW_UNITS)
        throw invalid(`secret ${i} is longer than ${MAX_CODE_POINTS} characters`)
      if (LONE_SURROGATE.test(secret))
        throw invalid(`secret ${i} is not well-formed Unicode (lone surrogate)`)
      const normalized = secret.normalize('NFC')
      let codePoints = 0
      for (const _ of normalized) codePoints++
      if (codePoints > MAX_CODE_POINTS)
        throw invalid(`secret ${i} is longer than ${MAX_CODE_POINTS} characters`)
      out.push(utf8(normalized))
    } else if (secret instanceof Uint8Array) {
      if (secret.length < 1 || secret.length > MAX_BYTES)
        throw invalid(`secret ${i} must be 1 to ${MAX_BYTES} bytes`)
      out.push(Uint8Array.from(secret))
    } else {
      throw invalid(`secret ${i} must be a string or a Uint8Array`)
    }
  }
  return out
}

/**
 * The unambiguous, order-sensitive encoding of normalised caller secrets that the KDF stretches:
 * `"credsign/caller-secrets/v1" || u8 count || (u32be length || bytes)*`. Because every secret is
 * length-prefixed and the count is included, `["ab","c"]`, `["abc"]` and `["c","ab"]` all encode
 * differently. The caller wipes the result.
 *
 * @example
 *
 * ```ts
 * encodeCallerSecrets([new Uint8Array([0x61])]).length // 26 + 1 + 4 + 1
 * ```
 *
 * @internal
 */
export function encodeCallerSecrets(parts: readonly Uint8Array[]): Uint8Array {
  let length = DOMAIN_TAG.length + 1
  for (const part of parts) length += 4 + part.length
  const out = new Uint8Array(length)
  const view = new DataView(out.buffer)
  out.set(DOMAIN_TAG, 0)
  let offset = DOMAIN_TAG.length
  out[offset++] = parts.length
  for (const part of parts) {
    view.setUint32(offset, part.length, false)
    out.set(part, offset + 4)
    offset += 4 + part.length
  }
  return out
}
