import { CredsignError } from '../errors/credsign-error.js'

/**
 * Runs a WebCrypto operation and turns a platform exception into `crypto_unavailable`. Inputs are
 * validated before they reach WebCrypto, so a refusal here means the runtime cannot do the
 * operation, not that the caller's input was bad. The platform error is kept as `cause` (it never
 * holds key bytes).
 *
 * @example
 *
 * ```ts
 * const digest = await callWebCrypto('digest', () =>
 *   crypto.subtle.digest('SHA-256', new Uint8Array(0)),
 * )
 * ```
 */
export async function callWebCrypto<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (cause) {
    if (cause instanceof CredsignError) throw cause
    throw new CredsignError('crypto_unavailable', `WebCrypto could not ${operation}`, { cause })
  }
}
