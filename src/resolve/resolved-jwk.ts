import { CredsignError } from '../errors/credsign-error.js'
import { thumbprintedJwk } from '../keys/thumbprint.js'
import type { PublicJwk } from '../keys/types.js'
import { hasPrivateMembers } from './resolved-document.js'

/**
 * The public JWK a resolver hands out for a key found in a document, key set or vault: the key is
 * validated (points on the curve, supported RSA size), reduced to its required members, `kid` is
 * set to the RFC 7638 thumbprint (whatever `kid` the source used is the ResolvedKey's `id`), and a
 * string `alg` is kept, because it restricts what the key may verify (RFC 7517 section 4.4). A
 * source with a private member is refused with `invalid_key`. Other errors are those of
 * `toPublicJwk` (`invalid_key`, `unsupported_algorithm`), except that an `alg` of another key type
 * is kept, not refused: verification refuses that key (`algorithm_not_allowed`), where it answers
 * for every other `alg` that does not fit.
 *
 * @example
 *
 * ```ts
 * await resolvedJwk({
 *   kty: 'OKP',
 *   crv: 'Ed25519',
 *   x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
 *   alg: 'EdDSA',
 *   kid: 'k1',
 * })
 * // { crv: 'Ed25519', kty: 'OKP', x: '11qY…', kid: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k', alg: 'EdDSA' }
 * ```
 */
export async function resolvedJwk(source: object): Promise<PublicJwk> {
  if (typeof source !== 'object' || source === null || Array.isArray(source))
    throw new CredsignError('invalid_key', 'a JWK must be an object')
  if (hasPrivateMembers(source))
    throw new CredsignError('invalid_key', 'a resolver never hands out a private key')
  const jwk = await thumbprintedJwk(source as PublicJwk)
  const alg = (source as { alg?: unknown }).alg
  if (typeof alg === 'string') jwk.alg = alg
  return jwk
}
