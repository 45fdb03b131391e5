// The runtime-neutral stores: no Node API here, so this barrel loads in browsers, Deno and Bun.
// FileStore lives behind the `credsign/file` subpath because it needs `node:fs`.
export { MemoryStore } from './memory-store.js'
export { isValidKeyId, validateKeyId, MAX_KEY_ID_LENGTH, LONG_KEY_ID_LENGTH } from './key-id.js'
export { validateKeyRecord, cloneKeyRecord } from './record.js'
export type { RecordErrorCode } from './record.js'
export type {
  KeyStore,
  KeyRecord,
  KeyVersionRecord,
  KeyVersionStatus,
  KeyRecordPage,
  ListOptions,
} from './key-store.js'
