/**
 * What the transports (credsign/http, the CLI) and applications call: `verify()` with every
 * built-in format handler. The transports also import `sign-verifiable.ts` (the one "sign this in
 * format X") and `formats.ts` (the one list of formats and cryptosuites) from their files: those
 * are internal, not part of the `credsign` entry this module feeds.
 *
 * @module
 */
export { verify } from './verify.js'
export { createVerifier } from './create-verifier.js'
export type { Verifier, VerifierOptions } from './create-verifier.js'
