import { CredsignError, type ErrorCode } from './credsign-error.js'

/**
 * The codes of a failure of the verifier's own key store (`store_unavailable`: it cannot serve
 * requests; `store_corrupt`: a record it holds cannot be read). During a verification they are an
 * outage of the verifier, never a verdict about the credential: key resolvers let them through
 * under their own code (a vault resolver, `combineResolvers`, which ranks them above every other
 * failure), `verify()` reports them in `errors` as they are (`verified: false`, never thrown), and
 * credsign/http answers a verification that failed with one as a 5xx problem (503 / 500), not as a
 * 422 verdict.
 *
 * The rule that keeps a hostile credential from causing a 5xx: only the verifier's own store raises
 * these codes, and only for the store's state, never for the reference it was asked about (key ids
 * are validated before any store is read, and an id the vault does not hold is `key_not_found`).
 * Whatever a credential controls (a did:web host, a JWKS or status list URL that cannot be reached
 * or serves garbage) is `key_resolution_failed` / `status_list_unavailable`: a verdict.
 *
 * @internal
 */
export const STORE_FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'store_unavailable',
  'store_corrupt',
])

/** Whether `error` is a {@link STORE_FAILURE_CODES} CredsignError. @internal */
export function isStoreFailure(error: unknown): boolean {
  return CredsignError.is(error) && STORE_FAILURE_CODES.has(error.code)
}
