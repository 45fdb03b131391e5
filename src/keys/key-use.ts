/**
 * Why a JWK's own members say it is not for verifying signatures (RFC 7517 sections 4.2, 4.3): a
 * `use` other than `sig` (an encryption key a DID document or JWK Set published), or `key_ops`
 * without `verify`. Undefined when they allow it (or say nothing). The one rule for JOSE key
 * selection and Data Integrity proofs, which both refuse such a key (`algorithm_not_allowed`)
 * before any signature is checked; each adds its own `alg` rule (a JWS algorithm for JOSE, the
 * key's own type for Data Integrity, whose proofs name no JWS algorithm). `staticResolver` skips
 * such keys, as a JWK Set resolver does.
 *
 * @example
 *
 * ```ts
 * signatureUseProblem({ kty: 'OKP', crv: 'X25519', x: '…', use: 'enc' }) // 'is not a signature key (use)'
 * signatureUseProblem({ kty: 'OKP', crv: 'Ed25519', x: '…', key_ops: ['verify'] }) // undefined
 * ```
 *
 * @internal
 */
export function signatureUseProblem(jwk: object): string | undefined {
  const { use, key_ops: ops } = jwk as { use?: unknown; key_ops?: unknown }
  if (use !== undefined && use !== 'sig') return 'is not a signature key (use)'
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify')))
    return 'does not allow verify (key_ops)'
  return undefined
}
