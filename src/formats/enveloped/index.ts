/**
 * `EnvelopedVerifiableCredential` and `EnvelopedVerifiablePresentation` objects given to `verify()`
 * on their own: the wrapper is checked, its content verified with the same options.
 *
 * @module
 */
export { envelopedHandler } from './handler.js'
