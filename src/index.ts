/**
 * Credsign: keeps signing keys encrypted at rest and signs Verifiable Credentials with them.
 *
 * The core entry point runs unchanged on Node 20+, Deno, Bun and browsers. Node-only pieces live
 * behind their own subpaths: `credsign/file` (FileStore), `credsign/testing` (store contract
 * suite).
 *
 * @packageDocumentation
 */
export * from './errors/index.js'
export * from './keys/index.js'
export * from './x509/index.js'
export * from './did/index.js'
export * from './envelope/index.js'
export * from './stores/index.js'
export * from './vault/index.js'
export * from './jose/index.js'
export * from './resolve/index.js'
export * from './credential/index.js'
export * from './verify/index.js'
export * from './formats/jwt/index.js'
export * from './formats/sd-jwt/index.js'
export * from './formats/enveloped/index.js'
export * from './oid4vci/index.js'
export * from './status/index.js'
export * from './service/index.js'
