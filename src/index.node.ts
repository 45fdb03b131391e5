/**
 * Credsign for Node.js (and Deno and Bun, which match the same `node` export condition): the same
 * API as `./index.ts`, with the node:crypto backend installed. Signing, verification and scrypt go
 * through node:crypto where that is faster on the runtime (see `backend/node-crypto.ts`);
 * everything else, and every algorithm node:crypto declines, takes the WebCrypto / noble path.
 *
 * Importing this module has one side effect (installing the backend), which is why package.json
 * lists its build outputs under `sideEffects`.
 *
 * @packageDocumentation
 */
import { nodeCryptoBackend } from './backend/node-crypto.js'
import { installBackend } from './keys/backend.js'

installBackend(nodeCryptoBackend())

export * from './index.js'
