/**
 * Encrypted-at-rest envelopes for private keys: {@link SecretEnvelope} and its stored format.
 *
 * @module
 */
export { SecretEnvelope } from './secret-envelope.js'
export type { SecretEnvelopeOptions, SealOptions, RewrapTarget } from './secret-envelope.js'
export { parseEnvelope } from './parse-envelope.js'
export { DEFAULT_KDF, KDF_PRESETS } from './kdf-params.js'
export type { CallerSecret } from './caller-secrets.js'
export type { SealedEnvelope, KdfParams, EnvelopeContext } from './types.js'
