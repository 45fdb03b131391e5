/**
 * Status lists: W3C Bitstring Status List v1.0 and the IETF Token Status List
 * (draft-ietf-oauth-status-list). The codecs (compression, bitstring and byte-array layouts) are
 * runtime-neutral and import nothing above `util/`.
 *
 * @module
 */
export {
  compressStatusList,
  decompressStatusList,
  DEFAULT_MAX_STATUS_LIST_BYTES,
} from './compression.js'
export type { StatusListCompression } from './compression.js'
export {
  BITSTRING_MIN_BITS,
  bitstringEntryCount,
  createBitstring,
  decodeBitstring,
  encodeBitstring,
  readBitstringStatus,
  writeBitstringStatus,
} from './bitstring.js'
export type { DecodeBitstringOptions } from './bitstring.js'
export {
  createTokenStatusBytes,
  decodeTokenStatusList,
  encodeTokenStatusList,
  isTokenStatusBits,
  readTokenStatus,
  TOKEN_STATUS,
  tokenStatusEntryCount,
  writeTokenStatus,
} from './token-status-list.js'
export type { DecodeTokenStatusListOptions, TokenStatusBits } from './token-status-list.js'
export { createStatusListResolver } from './status-list-resolver.js'
export type { StatusListResolverOptions } from './status-list-resolver.js'
