import { CredsignError } from '../errors/credsign-error.js'
import { b64u, fromB64u } from '../util/bytes.js'
import {
  compressStatusList,
  DEFAULT_MAX_STATUS_LIST_BYTES,
  decompressStatusList,
} from './compression.js'

/**
 * The W3C Bitstring Status List v1.0 minimum: an uncompressed bitstring of at least 16 KB, that is
 * 131,072 bits. A verifier refuses a shorter list (STATUS_LIST_LENGTH_ERROR); an issuer never
 * publishes one.
 *
 * @example
 *
 * ```ts
 * import { BITSTRING_MIN_BITS } from 'credsign'
 * BITSTRING_MIN_BITS / 8 // 16384 bytes
 * ```
 */
export const BITSTRING_MIN_BITS = 131_072

/** Options of {@link decodeBitstring}. */
export interface DecodeBitstringOptions {
  /** The most bytes the bitstring may inflate to (default 16 MiB); past it, `status_list_too_large`. */
  maxBytes?: number
}

/**
 * The `encodedList` of a W3C Bitstring Status List: multibase base64url (the `u` prefix, no
 * padding) of the GZIP-compressed bitstring. The bitstring is taken as is (index 0 is the
 * left-most, most significant bit of byte 0); padding it to {@link BITSTRING_MIN_BITS} is the
 * caller's choice ({@link createBitstring} does).
 *
 * @example
 *
 * ```ts
 * import { createBitstring, encodeBitstring } from 'credsign'
 * const encodedList = await encodeBitstring(createBitstring(131_072))
 * encodedList.startsWith('uH4sI') // true: 'u' + base64url of the GZIP magic bytes
 * ```
 */
export async function encodeBitstring(bitstring: Uint8Array): Promise<string> {
  if (!(bitstring instanceof Uint8Array))
    throw new CredsignError('invalid_argument', 'the bitstring must be a Uint8Array')
  return 'u' + b64u(await compressStatusList(bitstring, 'gzip'))
}

/**
 * The bitstring of a W3C `encodedList`: strict multibase base64url (`u`, no padding, canonical
 * final character), then GZIP with a ceiling on the output. Throws `status_list_invalid` for a bad
 * encoding or stream and `status_list_too_large` past `maxBytes`. It does not enforce the 16 KB
 * minimum: the status check does, where the spec puts it (see {@link BITSTRING_MIN_BITS}).
 *
 * @example
 *
 * ```ts
 * import { decodeBitstring } from 'credsign'
 * // The encodedList of the W3C spec's example: 16 KB of zero bits.
 * const bits = await decodeBitstring(
 *   'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA',
 * )
 * bits.length // 16384
 * ```
 */
export async function decodeBitstring(
  encodedList: string,
  options: DecodeBitstringOptions = {},
): Promise<Uint8Array> {
  if (typeof encodedList !== 'string' || !encodedList.startsWith('u'))
    throw new CredsignError(
      'status_list_invalid',
      "encodedList is not multibase base64url (no 'u' prefix)",
    )
  let compressed: Uint8Array
  try {
    compressed = fromB64u(encodedList.slice(1))
  } catch (cause) {
    throw new CredsignError('status_list_invalid', 'encodedList is not base64url', { cause })
  }
  return decompressStatusList(compressed, 'gzip', options.maxBytes ?? DEFAULT_MAX_STATUS_LIST_BYTES)
}

/**
 * A zeroed bitstring for `entries` statuses of `statusSize` bits each, rounded up to whole bytes
 * and to at least the spec's 16 KB ({@link BITSTRING_MIN_BITS}).
 *
 * @example
 *
 * ```ts
 * import { createBitstring } from 'credsign'
 * createBitstring(10).length // 16384: never below the W3C minimum
 * createBitstring(131_072, 2).length // 32768
 * ```
 */
export function createBitstring(entries: number, statusSize = 1): Uint8Array {
  checkStatusSize(statusSize)
  if (!Number.isSafeInteger(entries) || entries < 1)
    throw new CredsignError('invalid_argument', 'a status list needs a positive number of entries')
  const bits = Math.max(entries * statusSize, BITSTRING_MIN_BITS)
  return new Uint8Array(Math.ceil(bits / 8))
}

/**
 * How many entries of `statusSize` bits a bitstring holds (whole entries only).
 *
 * @example
 *
 * ```ts
 * import { bitstringEntryCount } from 'credsign'
 * bitstringEntryCount(new Uint8Array(16384), 2) // 65536
 * ```
 */
export function bitstringEntryCount(bitstring: Uint8Array, statusSize = 1): number {
  checkStatusSize(statusSize)
  return Math.floor((bitstring.length * 8) / statusSize)
}

/**
 * The status at `index` of a W3C bitstring: the `statusSize` bits starting at bit `index *
 * statusSize`, counted from the left-most (most significant) bit of byte 0, read as a big-endian
 * number (so with `statusSize` 2, bits `10` are status 2). Throws `status_index_out_of_range` for
 * an index that is not a non-negative integer inside the list.
 *
 * @example
 *
 * ```ts
 * import { readBitstringStatus } from 'credsign'
 * const bits = new Uint8Array([0b1000_0000, 0b0000_0001])
 * readBitstringStatus(bits, 0) // 1
 * readBitstringStatus(bits, 15) // 1
 * readBitstringStatus(bits, 7, 2) // 1: bits 14 and 15 are 0 and 1
 * ```
 */
export function readBitstringStatus(bitstring: Uint8Array, index: number, statusSize = 1): number {
  const first = bitPosition(bitstring, index, statusSize)
  let value = 0
  for (let bit = first; bit < first + statusSize; bit++)
    value = (value << 1) | (((bitstring[bit >> 3] as number) >> (7 - (bit & 7))) & 1)
  return value
}

/**
 * Sets the status at `index` of a W3C bitstring in place (the layout of
 * {@link readBitstringStatus}). `value` must fit in `statusSize` bits.
 *
 * @example
 *
 * ```ts
 * import { createBitstring, readBitstringStatus, writeBitstringStatus } from 'credsign'
 * const bits = createBitstring(131_072)
 * writeBitstringStatus(bits, 94567, 1)
 * readBitstringStatus(bits, 94567) // 1
 * ```
 */
export function writeBitstringStatus(
  bitstring: Uint8Array,
  index: number,
  value: number,
  statusSize = 1,
): void {
  const first = bitPosition(bitstring, index, statusSize)
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** statusSize)
    throw new CredsignError(
      'invalid_argument',
      `a status of ${statusSize} bits is 0 to ${2 ** statusSize - 1}`,
    )
  for (let i = 0; i < statusSize; i++) {
    const bit = first + i
    const mask = 1 << (7 - (bit & 7))
    const on = (value >> (statusSize - 1 - i)) & 1
    const byte = bitstring[bit >> 3] as number
    bitstring[bit >> 3] = on ? byte | mask : byte & ~mask
  }
}

/** The first bit of entry `index`, after checking the index and size. */
function bitPosition(bitstring: Uint8Array, index: number, statusSize: number): number {
  checkStatusSize(statusSize)
  if (!Number.isSafeInteger(index) || index < 0 || (index + 1) * statusSize > bitstring.length * 8)
    throw new CredsignError(
      'status_index_out_of_range',
      `status index ${String(index)} is outside a list of ${bitstringEntryCount(bitstring, statusSize)} entries`,
    )
  return index * statusSize
}

/**
 * The spec allows any positive `statusSize`; credsign reads and writes 1 to 8 bits (256 messages),
 * which covers every published profile, and refuses wider entries rather than guess their layout.
 */
function checkStatusSize(statusSize: number): void {
  if (!Number.isInteger(statusSize) || statusSize < 1 || statusSize > 8)
    throw new CredsignError('status_list_invalid', 'statusSize must be an integer from 1 to 8')
}
