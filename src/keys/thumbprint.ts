import { b64u, subtle, toArrayBufferView, utf8 } from '../util/bytes.js'
import { keyAlgorithmFromJwk } from './algorithms.js'
import { requiredMembers } from './jwk.js'
import { Lru } from '../util/lru.js'
import type { PrivateJwk, PublicJwk } from './types.js'

/**
 * The RFC 7638 JWK thumbprint: base64url(SHA-256(UTF-8 JSON of the required members in
 * lexicographic order, no whitespace)). The key is validated first (typed `invalid_key` /
 * `unsupported_algorithm` errors); members other than the required ones (`kid`, `alg`, `d`, ...) do
 * not affect the result.
 *
 * @example
 *
 * ```ts
 * import { jwkThumbprint } from 'credsign'
 * const kid = await jwkThumbprint({
 *   kty: 'OKP',
 *   crv: 'Ed25519',
 *   x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
 * })
 * // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k'
 * ```
 */
export async function jwkThumbprint(jwk: PublicJwk | PrivateJwk): Promise<string> {
  const members = keyMembers(jwk)
  if (members === undefined) return thumbprintOf(jwk)
  const id = JSON.stringify(members)
  const hit = thumbprints.get(id)
  if (hit !== undefined) return hit
  // Computed from exactly the values `id` names (not the object again), so an entry can never
  // hold another key's thumbprint.
  const [kty, crv, x, y, n, e] = members
  const thumbprint = await thumbprintOf({ kty, crv, x, y, n, e } as unknown as PublicJwk)
  thumbprints.set(id, thumbprint)
  return thumbprint
}

async function thumbprintOf(jwk: PublicJwk | PrivateJwk): Promise<string> {
  // Every required member is a base64url string or a fixed name, so JSON.stringify of the
  // ordered object is exactly the RFC 7638 serialization (nothing to escape).
  const input = utf8(JSON.stringify(requiredMembers(jwk)))
  return b64u(new Uint8Array(await subtle().digest('SHA-256', toArrayBufferView(input))))
}

/**
 * Thumbprints by the key members they depend on (the last 1,000): validating an RSA key and a
 * WebCrypto digest cost far more than the lookup, and verifiers see the same keys over and over.
 * Only successes are kept.
 */
const thumbprints = /* @__PURE__ */ new Lru<string, string>(1000)

/**
 * The members the thumbprint reads (kty, crv, x, y, n, e), or undefined unless each is a string or
 * absent.
 */
function keyMembers(jwk: unknown): (string | undefined)[] | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined
  const { kty, crv, x, y, n, e } = jwk as Record<string, unknown>
  const members = [kty, crv, x, y, n, e]
  return members.every((v) => v === undefined || typeof v === 'string')
    ? (members as (string | undefined)[])
    : undefined
}

/**
 * The public JWK credsign publishes for a key: only the required members plus `kid` set to the RFC
 * 7638 thumbprint. Private members (`d`, `p`, ...) and other metadata (`alg`, `use`, `key_ops`, an
 * existing `kid`) are dropped. Validates the key like {@link jwkThumbprint}, and refuses
 * (`invalid_key`) an `alg` naming an algorithm of another key type (RFC 7517 section 4.4), which
 * dropping would hide.
 *
 * @example
 *
 * ```ts
 * import { toPublicJwk } from 'credsign'
 * const jwk = await toPublicJwk({
 *   kty: 'OKP',
 *   crv: 'Ed25519',
 *   x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
 *   alg: 'EdDSA',
 * })
 * // { crv: 'Ed25519', kty: 'OKP', x: '11qY...', kid: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' }
 * ```
 */
export async function toPublicJwk(jwk: PublicJwk | PrivateJwk): Promise<PublicJwk> {
  keyAlgorithmFromJwk(jwk)
  return thumbprintedJwk(jwk)
}

/**
 * {@link toPublicJwk} without its `alg` check: for resolvers, which hand a key out with its `alg`
 * (`resolvedJwk`) so that verification refuses the pair (`algorithm_not_allowed`).
 *
 * @example
 *
 * ```ts
 * await thumbprintedJwk({ kty: 'OKP', crv: 'Ed25519', x: '11qY…', alg: 'ES256' })
 * // { crv: 'Ed25519', kty: 'OKP', x: '11qY…', kid: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' }
 * ```
 *
 * @internal
 */
export async function thumbprintedJwk(jwk: PublicJwk | PrivateJwk): Promise<PublicJwk> {
  const required = requiredMembers(jwk)
  const digest = await subtle().digest('SHA-256', toArrayBufferView(utf8(JSON.stringify(required))))
  return { ...required, kid: b64u(new Uint8Array(digest)) }
}
