import { CredsignError } from '../errors/credsign-error.js'
import { b64u, fromB64u } from '../util/bytes.js'
import {
  compressStatusList,
  DEFAULT_MAX_STATUS_LIST_BYTES,
  decompressStatusList,
} from './compression.js'

/** The bits per entry an IETF Token Status List allows: 1, 2, 4 or 8. */
export type TokenStatusBits = 1 | 2 | 4 | 8

/**
 * The status values draft-ietf-oauth-status-list registers: 0 VALID, 1 INVALID (revoked for good),
 * 2 SUSPENDED; 3 and 0x0B to 0x0F are application-specific (the rest are reserved).
 *
 * @example
 *
 * ```ts
 * import { TOKEN_STATUS } from 'credsign'
 * TOKEN_STATUS.SUSPENDED // 2
 * ```
 */
export const TOKEN_STATUS = Object.freeze({ VALID: 0, INVALID: 1, SUSPENDED: 2 } as const)

/** Options of {@link decodeTokenStatusList}. */
export interface DecodeTokenStatusListOptions {
  /** The most bytes the list may inflate to (default 16 MiB); past it, `status_list_too_large`. */
  maxBytes?: number
}

/**
 * Whether `bits` is one of the values a Token Status List allows (1, 2, 4, 8).
 *
 * @example
 *
 * ```ts
 * import { isTokenStatusBits } from 'credsign'
 * isTokenStatusBits(2) // true
 * isTokenStatusBits(3) // false
 * ```
 */
export function isTokenStatusBits(bits: unknown): bits is TokenStatusBits {
  return bits === 1 || bits === 2 || bits === 4 || bits === 8
}

/**
 * A zeroed (all VALID) byte array for `entries` statuses of `bits` bits each.
 *
 * @example
 *
 * ```ts
 * import { createTokenStatusBytes } from 'credsign'
 * createTokenStatusBytes(131_072, 2).length // 32768
 * ```
 */
export function createTokenStatusBytes(entries: number, bits: TokenStatusBits): Uint8Array {
  checkBits(bits)
  if (!Number.isSafeInteger(entries) || entries < 1)
    throw new CredsignError('invalid_argument', 'a status list needs a positive number of entries')
  return new Uint8Array(Math.ceil((entries * bits) / 8))
}

/**
 * The `lst` of a Token Status List: base64url (no padding) of the byte array compressed with
 * DEFLATE in the ZLIB format (RFC 1950).
 *
 * @example
 *
 * ```ts
 * import { encodeTokenStatusList } from 'credsign'
 * const lst = await encodeTokenStatusList(new Uint8Array([0xb9, 0xa3]))
 * lst.startsWith('eN') // true: the ZLIB header 0x78
 * ```
 */
export async function encodeTokenStatusList(bytes: Uint8Array): Promise<string> {
  if (!(bytes instanceof Uint8Array))
    throw new CredsignError('invalid_argument', 'the status bytes must be a Uint8Array')
  return b64u(await compressStatusList(bytes, 'deflate'))
}

/**
 * The byte array of a Token Status List `lst`: strict base64url, then ZLIB inflation with a ceiling
 * on the output. Throws `status_list_invalid` for a bad encoding or stream and
 * `status_list_too_large` past `maxBytes`.
 *
 * @example
 *
 * ```ts
 * import { decodeTokenStatusList, readTokenStatus } from 'credsign'
 * // The 1-bit example of draft-ietf-oauth-status-list.
 * const bytes = await decodeTokenStatusList('eNrbuRgAAhcBXQ') // Uint8Array [0xb9, 0xa3]
 * readTokenStatus(bytes, 1, 0) // 1
 * ```
 */
export async function decodeTokenStatusList(
  lst: string,
  options: DecodeTokenStatusListOptions = {},
): Promise<Uint8Array> {
  if (typeof lst !== 'string')
    throw new CredsignError('status_list_invalid', 'lst must be a base64url string')
  let compressed: Uint8Array
  try {
    compressed = fromB64u(lst)
  } catch (cause) {
    throw new CredsignError('status_list_invalid', 'lst is not base64url', { cause })
  }
  return decompressStatusList(
    compressed,
    'deflate',
    options.maxBytes ?? DEFAULT_MAX_STATUS_LIST_BYTES,
  )
}

/**
 * How many entries of `bits` bits a byte array holds.
 *
 * @example
 *
 * ```ts
 * import { tokenStatusEntryCount } from 'credsign'
 * tokenStatusEntryCount(new Uint8Array(3), 2) // 12
 * ```
 */
export function tokenStatusEntryCount(bytes: Uint8Array, bits: TokenStatusBits): number {
  checkBits(bits)
  return (bytes.length * 8) / bits
}

/**
 * The status at `index`: the `bits` bits of entry `index`, packed from the least significant bit of
 * byte 0 upwards (draft-ietf-oauth-status-list, "Compressed Byte Array"). Throws
 * `status_index_out_of_range` for an index that is not a non-negative integer inside the list.
 *
 * @example
 *
 * ```ts
 * import { readTokenStatus } from 'credsign'
 * const bytes = new Uint8Array([0xc9, 0x44, 0xf9]) // the draft's 2-bit example
 * readTokenStatus(bytes, 2, 0) // 1
 * readTokenStatus(bytes, 2, 1) // 2
 * readTokenStatus(bytes, 2, 3) // 3
 * ```
 */
export function readTokenStatus(bytes: Uint8Array, bits: TokenStatusBits, index: number): number {
  const bit = bitPosition(bytes, bits, index)
  return ((bytes[bit >> 3] as number) >> (bit & 7)) & ((1 << bits) - 1)
}

/**
 * Sets the status at `index` in place (the layout of {@link readTokenStatus}); `value` must fit in
 * `bits` bits.
 *
 * @example
 *
 * ```ts
 * import {
 *   createTokenStatusBytes,
 *   readTokenStatus,
 *   TOKEN_STATUS,
 *   writeTokenStatus,
 * } from 'credsign'
 * const bytes = createTokenStatusBytes(16, 2)
 * writeTokenStatus(bytes, 2, 5, TOKEN_STATUS.SUSPENDED)
 * readTokenStatus(bytes, 2, 5) // 2
 * ```
 */
export function writeTokenStatus(
  bytes: Uint8Array,
  bits: TokenStatusBits,
  index: number,
  value: number,
): void {
  const bit = bitPosition(bytes, bits, index)
  if (!Number.isInteger(value) || value < 0 || value >= 1 << bits)
    throw new CredsignError(
      'invalid_argument',
      `a status of ${bits} bits is 0 to ${(1 << bits) - 1}`,
    )
  const mask = ((1 << bits) - 1) << (bit & 7)
  const byte = bytes[bit >> 3] as number
  bytes[bit >> 3] = (byte & ~mask) | (value << (bit & 7))
}

function bitPosition(bytes: Uint8Array, bits: TokenStatusBits, index: number): number {
  checkBits(bits)
  if (!Number.isSafeInteger(index) || index < 0 || (index + 1) * bits > bytes.length * 8)
    throw new CredsignError(
      'status_index_out_of_range',
      `status index ${String(index)} is outside a list of ${tokenStatusEntryCount(bytes, bits)} entries`,
    )
  return index * bits
}

function checkBits(bits: number): void {
  if (!isTokenStatusBits(bits))
    throw new CredsignError('status_list_invalid', 'bits must be 1, 2, 4 or 8')
}
