// `credsign/file`: the parts of credsign that need a file system (Node, Deno, Bun).
export { FileStore, keyFileStem, loadServiceSecret } from '../stores/file-store.js'
export type { FileStoreOptions, FileStoreCleanupOptions, LoadServiceSecretOptions } from '../stores/file-store.js'
