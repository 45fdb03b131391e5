import { CredsignError } from '../errors/credsign-error.js'
import { toArrayBufferView } from '../util/bytes.js'
import { assertSingleStream } from './stream-end.js'

/**
 * The two compressed formats the status list specifications use, named as the web-standard
 * `CompressionStream` names them: `'gzip'` (RFC 1952: W3C Bitstring Status List `encodedList`) and
 * `'deflate'` (DEFLATE in the ZLIB format of RFC 1950: IETF Token Status List `lst`). Raw DEFLATE
 * without the ZLIB wrapper is neither spec's format and is not offered.
 */
export type StatusListCompression = 'gzip' | 'deflate'

/**
 * The default ceiling on the size of a decompressed status list: 16 MiB, a Token Status List of
 * 16,777,216 one-byte entries or a Bitstring Status List of 134 million one-bit entries; far above
 * what an issuer publishes (the W3C minimum is 16 KB) and far below what exhausts a browser tab.
 *
 * @example
 *
 * ```ts
 * import { DEFAULT_MAX_STATUS_LIST_BYTES } from 'credsign'
 * DEFAULT_MAX_STATUS_LIST_BYTES // 16777216
 * ```
 */
export const DEFAULT_MAX_STATUS_LIST_BYTES = 16 * 1024 * 1024

/**
 * Compresses `bytes` as GZIP or ZLIB-wrapped DEFLATE with the runtime's `CompressionStream`
 * (present in Node 18+, Deno, Bun and every current browser: no dependency, native speed).
 *
 * @example
 *
 * ```ts
 * import { compressStatusList } from 'credsign'
 * const zipped = await compressStatusList(new Uint8Array(16384), 'gzip')
 * zipped.length < 100 // true
 * ```
 */
export async function compressStatusList(
  bytes: Uint8Array,
  format: StatusListCompression,
): Promise<Uint8Array> {
  checkFormat(format)
  const stream = new Blob([toArrayBufferView(bytes)])
    .stream()
    .pipeThrough(new CompressionStream(format))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/**
 * Decompresses GZIP or ZLIB-wrapped DEFLATE and stops reading the moment the output would pass
 * `maxOutputBytes`: a "zip bomb" (kilobytes inflating to gigabytes) costs at most `maxOutputBytes`
 * plus one chunk of memory, never more. Throws `status_list_too_large` past the limit, and
 * `status_list_invalid` for anything that is not one complete, well-formed stream of `format` (a
 * bad header, a checksum mismatch, a truncated stream, an empty input, and any byte after the
 * stream's end: zero padding, a second GZIP member or ZLIB stream, junk). The last is checked by
 * credsign itself, so every runtime answers alike (Node's inflater skips such bytes or reads on,
 * Chromium's refuses them).
 *
 * @example
 *
 * ```ts
 * import { compressStatusList, decompressStatusList } from 'credsign'
 * const zipped = await compressStatusList(new Uint8Array([0xb9, 0xa3]), 'deflate')
 * const bytes = await decompressStatusList(zipped, 'deflate', 1024) // Uint8Array [185, 163]
 * ```
 */
export async function decompressStatusList(
  compressed: Uint8Array,
  format: StatusListCompression,
  maxOutputBytes: number = DEFAULT_MAX_STATUS_LIST_BYTES,
): Promise<Uint8Array> {
  checkFormat(format)
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0)
    throw new CredsignError('invalid_argument', 'maxOutputBytes must be a non-negative integer')
  if (!(compressed instanceof Uint8Array))
    throw new CredsignError('invalid_argument', 'the compressed status list must be a Uint8Array')
  if (compressed.length === 0)
    throw new CredsignError('status_list_invalid', `the ${format} status list is empty`)
  let decompressor: DecompressionStream
  try {
    decompressor = new DecompressionStream(format)
  } catch (cause) {
    throw new CredsignError('crypto_unavailable', 'this runtime has no DecompressionStream', {
      cause,
    })
  }
  const reader = new Blob([toArrayBufferView(compressed)])
    .stream()
    .pipeThrough(decompressor)
    .getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.length
      if (total > maxOutputBytes) {
        // Cancelling stops the inflater: nothing past this chunk is ever produced.
        await reader.cancel().catch(() => undefined)
        throw new CredsignError(
          'status_list_too_large',
          `the status list inflates to more than ${maxOutputBytes} bytes`,
        )
      }
      chunks.push(value)
    }
  } catch (cause) {
    if (cause instanceof CredsignError) throw cause
    throw new CredsignError('status_list_invalid', `the status list is not valid ${format} data`, {
      cause,
    })
  } finally {
    reader.releaseLock()
  }
  // RFC 1950 / RFC 1952: one stream, nothing after it (a second GZIP member too is refused: the
  // specifications compress the list into one, and a runtime that reads only the first would see
  // another list).
  assertSingleStream(compressed, format)
  if (chunks.length === 1) return chunks[0] as Uint8Array
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

function checkFormat(format: StatusListCompression): void {
  if (format !== 'gzip' && format !== 'deflate')
    throw new CredsignError('invalid_argument', "the compression must be 'gzip' or 'deflate'")
}
