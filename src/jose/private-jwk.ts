/** Members that make a JWK private or symmetric (RFC 7518 sections 6.2.2, 6.3.2, 6.4). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/**
 * Whether a JWK carries private (or symmetric) key material. Such a key never belongs in a header,
 * a claim or a verification result.
 *
 * @example
 *
 * ```ts
 * hasPrivateMembers({ kty: 'OKP', crv: 'Ed25519', x: '…', d: '…' }) // true
 * ```
 */
export function hasPrivateMembers(jwk: object): boolean {
  return PRIVATE_JWK_MEMBERS.some((name) => name in jwk)
}

/**
 * A shallow copy of a JWK without its private members.
 *
 * @example
 *
 * ```ts
 * withoutPrivateMembers({ kty: 'OKP', crv: 'Ed25519', x: 'abc', d: 'secret' }) // { kty: 'OKP', crv: 'Ed25519', x: 'abc' }
 * ```
 */
export function withoutPrivateMembers<T extends object>(jwk: T): T {
  return Object.fromEntries(
    Object.entries(jwk).filter(([name]) => !PRIVATE_JWK_MEMBERS.includes(name)),
  ) as T
}
