import { CredsignError } from '../errors/credsign-error.js'
import { isStoreFailure } from '../errors/store-failure.js'
import { resolutionFailed, typedResolution } from './resolution-errors.js'
import type { KeyResolver, ResolvedKey, ResolveOptions } from './types.js'

/**
 * How much a failure says, when no resolver succeeded: the verifier's own store failing
 * (`store_unavailable`, `store_corrupt`) outranks everything (nobody can say whether the key it
 * holds would have verified: an outage, not a verdict), then a resolver that could not reach or
 * read its source (a network failure must never read as "no such key"), then a specific problem
 * (`malformed`, `unsupported_algorithm`), then "not set up for this reference", then "not found".
 */
function rank(error: CredsignError): number {
  if (isStoreFailure(error)) return 4
  if (error.code === 'key_not_found') return 0
  if (error.code === 'resolver_not_configured') return 1
  if (error.code === 'key_resolution_failed') return 3
  return 2
}

function checkResult(value: unknown): ResolvedKey {
  const key = value as Partial<ResolvedKey> | null
  if (
    typeof key !== 'object' ||
    key === null ||
    typeof key.id !== 'string' ||
    typeof key.publicJwk !== 'object' ||
    key.publicJwk === null
  ) {
    throw resolutionFailed('a resolver returned something that is not a ResolvedKey')
  }
  return key as ResolvedKey
}

/**
 * One resolver over several, tried in order: the first that finds the key wins. Every failure falls
 * through to the next resolver; when none succeeds the most telling failure is thrown: a store
 * failure (`store_unavailable`, `store_corrupt`: the verifier's own store is down) over
 * `key_resolution_failed` (some source was unreachable or returned garbage) over `malformed` /
 * `unsupported_algorithm` over `resolver_not_configured` over `key_not_found`, the first of equal
 * rank. A caller abort stops the chain at once. A resolver throwing something other than a
 * `CredsignError`, or returning something that is not a key, counts as `key_resolution_failed`.
 *
 * @example
 *
 * ```ts
 * import { combineResolvers, createResolver, staticResolver } from 'credsign'
 * const resolver = combineResolvers(
 *   staticResolver({
 *     'issuer-key-1': {
 *       kty: 'OKP',
 *       crv: 'Ed25519',
 *       x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
 *     },
 *   }),
 *   createResolver(), // did:key, did:jwk
 * )
 * const key = await resolver.resolveKey('issuer-key-1')
 * ```
 */
export function combineResolvers(...resolvers: KeyResolver[]): KeyResolver {
  resolvers.forEach((resolver, index) => {
    if (typeof (resolver as Partial<KeyResolver> | null)?.resolveKey !== 'function') {
      throw new CredsignError('invalid_argument', `resolver ${index} has no resolveKey function`)
    }
  })
  const chain = [...resolvers]
  return {
    async resolveKey(reference: string, options: ResolveOptions = {}): Promise<ResolvedKey> {
      const signal = options?.signal
      let best: CredsignError | undefined
      for (const resolver of chain) {
        if (signal?.aborted)
          throw new CredsignError('key_resolution_failed', 'resolution aborted by the caller', {
            cause: signal.reason,
          })
        try {
          return checkResult(await typedResolution(() => resolver.resolveKey(reference, options)))
        } catch (error) {
          const failure = error as CredsignError // typedResolution and checkResult throw nothing else
          if (signal?.aborted) throw failure
          if (best === undefined || rank(failure) > rank(best)) best = failure
        }
      }
      throw best ?? new CredsignError('key_not_found', 'no resolver knows this key')
    },
  }
}
