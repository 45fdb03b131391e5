import { CredsignError } from '../errors/credsign-error.js'
import type { VerificationRelationship } from '../did/did-document.js'
import { requiredMembers } from '../keys/jwk.js'
import { signatureUseProblem } from '../keys/key-use.js'
import type { PublicJwk } from '../keys/types.js'
import type { Jwks } from '../vault/key-info.js'
import { hasPrivateMembers } from './resolved-document.js'
import { resolvedJwk } from './resolved-jwk.js'
import { typedResolution } from './resolution-errors.js'
import type { KeyResolver, ResolvedKey, ResolveOptions } from './types.js'

/**
 * Options of {@link staticResolver}.
 *
 * @example
 *
 * ```ts
 * import type { StaticResolverOptions } from 'credsign'
 * const options: StaticResolverOptions = {
 *   controller: 'https://issuer.example',
 *   relationships: ['assertionMethod'],
 * }
 * ```
 */
export interface StaticResolverOptions {
  /**
   * The issuer these keys belong to (a DID or an issuer URL), reported as every key's `controller`
   * so the verifier can bind the token's issuer to it. Leave it out when the keys are not tied to
   * one issuer; issuer binding is then the caller's call.
   */
  controller?: string
  /**
   * What the keys are authorised for, as `relationships` (see `assertAuthorized`). Default: not
   * stated, so a proof-purpose check fails: say so explicitly when these keys may sign proofs.
   */
  relationships?: readonly VerificationRelationship[]
}

/** A key with the names it answers to and, once computed, its thumbprint. */
interface Entry {
  names: string[]
  source: object
  jwk?: Promise<PublicJwk>
}

/**
 * A resolver over keys you already have: a JWK Set (`{ keys: [...] }`), a list of JWKs, or a record
 * from reference to JWK. A reference matches a key by the record key, by the key's `kid`, or by its
 * RFC 7638 thumbprint, in that order; the returned `id` is the reference.
 *
 * Keys whose own members say they do not verify signatures (`use` other than `"sig"`, such as
 * `"enc"`, or `key_ops` without `"verify"`) are skipped, as in a JWK Set. A private key anywhere is
 * refused (`invalid_key`), as is a name used for two keys (`invalid_argument`). Keys of a type
 * credsign cannot verify with throw at construction, except inside a JWK Set, where RFC 7517
 * section 5 says to ignore them.
 *
 * @example
 *
 * ```ts
 * import { staticResolver } from 'credsign'
 * const resolver = staticResolver(
 *   {
 *     keys: [
 *       {
 *         kty: 'OKP',
 *         crv: 'Ed25519',
 *         x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
 *         kid: 'issuer-1',
 *       },
 *     ],
 *   },
 *   { controller: 'https://issuer.example' },
 * )
 * const key = await resolver.resolveKey('issuer-1')
 * key.controller // 'https://issuer.example'
 * ```
 */
export function staticResolver(
  keys: Jwks | readonly PublicJwk[] | Readonly<Record<string, PublicJwk>>,
  options: StaticResolverOptions = {},
): KeyResolver {
  if (typeof keys !== 'object' || keys === null)
    throw new CredsignError(
      'invalid_argument',
      'staticResolver needs a JWK Set, a list of JWKs or a record of JWKs',
    )
  if (typeof options !== 'object' || options === null)
    throw new CredsignError('invalid_argument', 'options must be an object')
  const { controller, relationships } = options
  if (controller !== undefined && (typeof controller !== 'string' || controller.length === 0)) {
    throw new CredsignError('invalid_argument', 'controller must be a non-empty string')
  }
  if (relationships !== undefined && !Array.isArray(relationships))
    throw new CredsignError('invalid_argument', 'relationships must be an array')

  const isSet = !Array.isArray(keys) && Array.isArray((keys as Partial<Jwks>).keys)
  const listed: [string | undefined, unknown][] = Array.isArray(keys)
    ? keys.map((jwk) => [undefined, jwk])
    : isSet
      ? (keys as Jwks).keys.map((jwk) => [undefined, jwk])
      : Object.entries(keys)

  const entries: Entry[] = []
  const byName = new Map<string, Entry>()
  for (const [recordKey, source] of listed) {
    if (typeof source !== 'object' || source === null || Array.isArray(source)) {
      if (isSet) continue
      throw new CredsignError('invalid_key', 'every key must be a JWK object')
    }
    if (hasPrivateMembers(source))
      throw new CredsignError('invalid_key', 'staticResolver takes public keys only')
    // Not for verifying signatures (`use` other than `sig`, `key_ops` without `verify`): skipped,
    // as a JWK Set resolver skips them; resolvedJwk drops both members, so nothing later sees them.
    if (signatureUseProblem(source) !== undefined) continue
    const { kid } = source as { kid?: unknown }
    try {
      requiredMembers(source as PublicJwk)
    } catch (error) {
      if (isSet) continue // RFC 7517 section 5: ignore keys we do not understand
      throw error
    }
    const entry: Entry = {
      names: [recordKey, typeof kid === 'string' ? kid : undefined].filter(
        (name): name is string => name !== undefined,
      ),
      source,
    }
    for (const name of new Set(entry.names)) {
      if (byName.has(name))
        throw new CredsignError('invalid_argument', 'two keys answer to the same name')
      byName.set(name, entry)
    }
    entries.push(entry)
  }

  const jwkOf = (entry: Entry): Promise<PublicJwk> => (entry.jwk ??= resolvedJwk(entry.source))
  const found = async (reference: string, entry: Entry): Promise<ResolvedKey> => ({
    id: reference,
    ...(controller === undefined ? {} : { controller }),
    publicJwk: { ...(await jwkOf(entry)) },
    ...(relationships === undefined ? {} : { relationships: [...relationships] }),
  })

  return {
    resolveKey(reference: string, _options?: ResolveOptions): Promise<ResolvedKey> {
      return typedResolution(async () => {
        if (typeof reference !== 'string' || reference.length === 0)
          throw new CredsignError('malformed', 'a key reference must be a non-empty string')
        const named = byName.get(reference)
        if (named !== undefined) return found(reference, named)
        for (const entry of entries)
          if ((await jwkOf(entry)).kid === reference) return found(reference, entry)
        throw new CredsignError('key_not_found', 'no key with this kid or thumbprint')
      })
    },
  }
}
