import { CredsignError } from '../errors/credsign-error.js'
import type { Signer } from '../keys/types.js'

/**
 * Throws `invalid_argument` unless `signer` looks like a credsign `Signer` (the adapters take
 * whatever their caller passes, often from untyped code).
 *
 * @example
 *
 * ```ts
 * assertSigner({
 *   id: 'k',
 *   algorithm: 'Ed25519',
 *   publicJwk: { kty: 'OKP', crv: 'Ed25519', x: '' },
 *   sign: async () => new Uint8Array(64),
 * })
 * ```
 *
 * @internal
 */
export function assertSigner(signer: Signer): void {
  if (
    typeof signer !== 'object' ||
    signer === null ||
    typeof signer.sign !== 'function' ||
    typeof signer.id !== 'string' ||
    typeof signer.algorithm !== 'string'
  ) {
    throw new CredsignError(
      'invalid_argument',
      'expected a credsign Signer (id, algorithm, publicJwk, sign)',
    )
  }
}
