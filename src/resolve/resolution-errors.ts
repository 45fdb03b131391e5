import { CredsignError } from '../errors/credsign-error.js'
import { PRIVATE_KEY_PUBLISHED } from '../did/did-jwk.js'

/**
 * Runs a resolution step so that nothing untyped escapes: a `CredsignError` passes through, any
 * other error (a caller's resolver or fetch throwing a `TypeError`, a `RangeError` from hostile
 * input) becomes `key_resolution_failed` with the original as `cause`.
 *
 * @example
 *
 * ```ts
 * await typedResolution(async () => {
 *   throw new TypeError('boom')
 * }) // rejects: key_resolution_failed
 * ```
 */
export async function typedResolution<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof CredsignError) throw error
    throw new CredsignError('key_resolution_failed', 'key resolution failed', { cause: error })
  }
}

/**
 * Maps errors from decoding a DID that needs no network (did:key, did:jwk) to the resolver
 * contract: a DID that does not decode to a key (`invalid_argument`, `invalid_key`) is a
 * `malformed` reference; one that publishes private key material (a did:jwk with `d`) is
 * `key_resolution_failed`, as a DID document that does; `unsupported_algorithm` (e.g. an X25519
 * did:key) keeps its code.
 *
 * @example
 *
 * ```ts
 * offlineDecode(() => didKeyDocument('did:key:zBad')) // throws malformed
 * ```
 */
export function offlineDecode<T>(decode: () => T): T {
  try {
    return decode()
  } catch (error) {
    if (CredsignError.is(error, 'invalid_key') && error.cause === PRIVATE_KEY_PUBLISHED) {
      // Private key material published in the DID itself: the documented key_resolution_failed.
      throw new CredsignError(
        'key_resolution_failed',
        `the DID publishes private key material: ${error.message}`,
        { cause: error },
      )
    }
    if (CredsignError.is(error, 'invalid_argument') || CredsignError.is(error, 'invalid_key')) {
      throw new CredsignError('malformed', `the DID does not decode to a key: ${error.message}`, {
        cause: error,
      })
    }
    throw error
  }
}

/**
 * A `key_resolution_failed` error whose cause says why. Used for everything a remote party
 * controls: status codes, content types, sizes, document contents.
 *
 * @example
 *
 * ```ts
 * throw resolutionFailed('the DID document id does not match the DID')
 * ```
 */
export function resolutionFailed(message: string, cause?: unknown): CredsignError {
  return new CredsignError('key_resolution_failed', message, cause === undefined ? {} : { cause })
}
