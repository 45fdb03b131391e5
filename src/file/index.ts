// `credsign/file`: the parts of credsign that need a file system (Node, Deno, Bun).
export { FileStore, keyFileStem, loadServiceSecret } from './file-store.js'
export type {
  FileStoreOptions,
  FileStoreCleanupOptions,
  LoadServiceSecretOptions,
} from './file-store.js'
export { FileStatusListStore } from './file-status-list-store.js'
export type { FileStatusListStoreOptions } from './file-status-list-store.js'
