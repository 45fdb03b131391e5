/**
 * What the transports (credsign/http, the CLI) and applications call: `verify()` with every
 * built-in format handler.
 * @module
 */
export { verify } from './verify.js'
