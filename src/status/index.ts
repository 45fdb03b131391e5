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
export {
  MAX_STATUS_INDEX_BLOCK,
  MAX_STATUS_LIST_SIZE,
  validateStatusListDefinition,
} from './status-list-store.js'
export type {
  StatusChange,
  StatusListDefinition,
  StatusListEntries,
  StatusListInfo,
  StatusListKind,
  StatusListStore,
} from './status-list-store.js'
export { MemoryStatusListStore } from './memory-status-list-store.js'
export { StatusLists } from './status-lists.js'
export type {
  BitstringListOptions,
  BitstringStatusListEntry,
  BitstringStatusMessage,
  BitstringStatusPurpose,
  CreateStatusListOptions,
  PublishedStatusList,
  StatusListAllocation,
  StatusListsOptions,
  TokenListOptions,
  TokenStatusClaim,
} from './status-lists.js'
export { statusListChecker } from './status-list-checker.js'
