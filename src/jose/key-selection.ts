import { CredsignError } from '../errors/credsign-error.js'
import type { ErrorCode } from '../errors/credsign-error.js'
import { jwkKeyAlgorithm } from '../keys/algorithms.js'
import { signatureUseProblem } from '../keys/key-use.js'
import { isRsaAlgorithm } from '../keys/rsa-algorithms.js'
import { jwkThumbprint } from '../keys/thumbprint.js'
import type { JwsAlgorithm, PublicJwk } from '../keys/types.js'
import { verifySignature } from '../keys/verify-signature.js'
import type { KeyResolver, ResolvedKey } from '../resolve/types.js'
import { keyAlgorithmOf, sameAlgorithm } from './algorithms.js'
import { isPlainObject } from './json.js'
import { hasPrivateMembers, withoutPrivateMembers } from './private-jwk.js'
import type { JoseHeader, JwsVerifyOptions } from './types.js'

/**
 * Codes a KeyResolver may throw (see `KeyResolver`), plus the ones this module throws inside the
 * same try.
 */
const RESOLVER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'key_not_found',
  'key_resolution_failed',
  'resolver_not_configured',
  'malformed',
  'crypto_unavailable',
  'algorithm_not_allowed',
  // The verifier's own key store failing (a vault resolver): an outage, kept as such.
  'store_unavailable',
  'store_corrupt',
])

/** Where a candidate key came from: decides the error code when the key itself is unusable. */
type KeySource = 'key' | 'jwks' | 'resolver' | 'embedded'

/** A key that may have made a signature. */
interface Candidate {
  source: KeySource
  publicJwk: PublicJwk
  /** Set for resolver keys: the resolver's answer, returned as is. */
  resolved?: ResolvedKey
}

/** The key sources of one verification call, validated once before any signature is looked at. */
export interface KeySources {
  key?: PublicJwk
  jwks?: readonly unknown[]
  resolver: KeyResolver
  allowEmbeddedJwk: boolean
}

/**
 * Validates the key options: at most one of `key`, `jwks` and `resolver` (two would leave it
 * unclear which one a verified token was checked against), each of the right shape.
 *
 * @example
 *
 * ```ts
 * keySources({ key: someJwk, jwks: { keys: [] } }, () => createResolver()) // throws invalid_argument
 * ```
 */
export function keySources(
  options: JwsVerifyOptions,
  defaultResolver: () => KeyResolver,
): KeySources {
  const given = [options.key, options.jwks, options.resolver].filter(
    (source) => source !== undefined,
  ).length
  if (given > 1)
    throw new CredsignError('invalid_argument', 'give at most one of key, jwks and resolver')
  if (options.key !== undefined && !isPlainObject(options.key))
    throw new CredsignError('invalid_argument', 'key must be a JWK object')
  if (
    options.jwks !== undefined &&
    !(isPlainObject(options.jwks) && Array.isArray(options.jwks.keys))
  ) {
    throw new CredsignError('invalid_argument', 'jwks must be a JWK Set ({ keys: [...] })')
  }
  const resolver = options.resolver ?? defaultResolver()
  if (
    typeof resolver !== 'object' ||
    resolver === null ||
    typeof resolver.resolveKey !== 'function'
  ) {
    throw new CredsignError(
      'invalid_argument',
      'resolver must be a KeyResolver (an object with resolveKey())',
    )
  }
  const sources: KeySources = { resolver, allowEmbeddedJwk: options.allowEmbeddedJwk === true }
  if (options.key !== undefined) sources.key = options.key
  if (options.jwks !== undefined) sources.jwks = options.jwks.keys
  return sources
}

/**
 * Finds the key for one signature and verifies the signature with it. The order: the caller's
 * `key`; else the caller's JWK Set; else `kid` through the resolver; else, only with
 * `allowEmbeddedJwk`, the header's `jwk`. A key whose type, `use`, `key_ops` or `alg` does not fit
 * the header's `alg` is never tried: `algorithm_not_allowed` (this is what stops algorithm
 * confusion: an `ES256` header cannot make credsign verify with an Ed25519 or RSA key).
 *
 * Throws `key_not_found`, `algorithm_not_allowed`, `signature_invalid`, the resolver's errors, and
 * for an unusable key `invalid_argument` (the caller's key or JWK Set), `key_resolution_failed` (a
 * resolved key) or `malformed` (an embedded key).
 *
 * @example
 *
 * ```ts
 * const key = await verifyWithSelectedKey(header, 'ES256', signingInput, signature, sources)
 * key.id // the kid, DID URL or thumbprint of the key that verified
 * ```
 */
export async function verifyWithSelectedKey(
  header: JoseHeader,
  alg: JwsAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
  sources: KeySources,
): Promise<ResolvedKey> {
  const candidates = await candidatesFor(header, alg, sources)
  let keyError: CredsignError | undefined
  let rejected = false
  for (const candidate of candidates) {
    let valid: boolean
    try {
      // The header's algorithm, which the key fits (misfit): for an RSA key, it picks the scheme and hash.
      valid = await verifySignature(candidate.publicJwk, data, signature, {
        algorithm: keyAlgorithmOf(alg),
      })
    } catch (cause) {
      // A bad key in a JWK Set must not hide a good one after it.
      keyError ??= unusableKey(candidate.source, cause)
      continue
    }
    if (valid) return resolvedKeyOf(candidate)
    rejected = true
  }
  if (rejected || keyError === undefined)
    throw new CredsignError('signature_invalid', 'the signature does not verify')
  throw keyError
}

async function candidatesFor(
  header: JoseHeader,
  alg: JwsAlgorithm,
  sources: KeySources,
): Promise<Candidate[]> {
  const kid = header.kid as string | undefined
  if (sources.key !== undefined) {
    requireFit(sources.key, alg, 'the given key')
    return [{ source: 'key', publicJwk: sources.key }]
  }
  if (sources.jwks !== undefined) return fromJwks(sources.jwks, kid, alg)
  if (kid !== undefined) {
    try {
      const resolved = checkResolved(await sources.resolver.resolveKey(kid))
      requireFit(resolved.publicJwk, alg, 'the key of this kid')
      return [{ source: 'resolver', publicJwk: resolved.publicJwk, resolved }]
    } catch (error) {
      if (
        CredsignError.is(error, 'key_not_found') &&
        sources.allowEmbeddedJwk &&
        header.jwk !== undefined
      )
        return [embedded(header, alg)]
      // The KeyResolver contract's codes pass through; anything else (a resolver's internal
      // invalid_key, a plain Error) becomes key_resolution_failed, so callers see a stable set.
      if (error instanceof CredsignError && RESOLVER_CODES.has(error.code)) throw error
      throw new CredsignError('key_resolution_failed', 'the resolver failed', { cause: error })
    }
  }
  if (header.jwk !== undefined) {
    if (sources.allowEmbeddedJwk) return [embedded(header, alg)]
    throw new CredsignError(
      'key_not_found',
      'the header has no kid and embedded keys (jwk) are not accepted: set allowEmbeddedJwk, or pass a key',
    )
  }
  throw new CredsignError('key_not_found', 'the header has no kid: pass a key or a JWK Set')
}

function fromJwks(
  keys: readonly unknown[],
  kid: string | undefined,
  alg: JwsAlgorithm,
): Candidate[] {
  const named = keys.filter(
    (key): key is PublicJwk => isPlainObject(key) && (kid === undefined || key.kid === kid),
  )
  if (named.length === 0)
    throw new CredsignError(
      'key_not_found',
      kid === undefined ? 'the JWK Set is empty' : 'no key of the JWK Set has this kid',
    )
  const fitting = named.filter((key) => misfit(key, alg) === undefined)
  if (fitting.length === 0) {
    const reason = misfit(named[0] as PublicJwk, alg) as string
    if (kid !== undefined)
      throw new CredsignError('algorithm_not_allowed', `the key with this kid ${reason}`)
    throw new CredsignError('key_not_found', `no key of the JWK Set can verify ${alg}`)
  }
  return fitting.map((publicJwk) => ({ source: 'jwks', publicJwk }))
}

function embedded(header: JoseHeader, alg: JwsAlgorithm): Candidate {
  const jwk = header.jwk
  if (!isPlainObject(jwk)) throw new CredsignError('malformed', 'jwk must be an object')
  // RFC 7515 section 4.1.3: the header key is a public key. A private one is a leak, never a key to trust.
  if (hasPrivateMembers(jwk))
    throw new CredsignError('malformed', 'the header jwk holds a private key')
  requireFit(jwk, alg, 'the header jwk')
  return { source: 'embedded', publicJwk: jwk }
}

/** Why `jwk` cannot verify `alg`, or undefined when it can. */
function misfit(jwk: PublicJwk, alg: JwsAlgorithm): string | undefined {
  let keyAlgorithm: string
  try {
    keyAlgorithm = jwkKeyAlgorithm(jwk)
  } catch {
    return 'is not a key type credsign verifies with'
  }
  const keyAlg = (jwk as { alg?: unknown }).alg
  const needed = keyAlgorithmOf(alg)
  // An RSA JWK names no scheme: any RSA algorithm fits it unless its `alg` names another one (below).
  const fits = isRsaAlgorithm(needed) ? isRsaAlgorithm(keyAlgorithm) : keyAlgorithm === needed
  if (!fits)
    return `is ${isRsaAlgorithm(keyAlgorithm) ? 'an RSA' : `a ${keyAlgorithm}`} key, which cannot verify ${alg}`
  const useProblem = signatureUseProblem(jwk)
  if (useProblem !== undefined) return useProblem
  if (keyAlg !== undefined && !(typeof keyAlg === 'string' && sameAlgorithm(keyAlg, alg)))
    return `is for another algorithm than ${alg}`
  return undefined
}

function requireFit(jwk: PublicJwk, alg: JwsAlgorithm, what: string): void {
  const reason = misfit(jwk, alg)
  if (reason !== undefined) throw new CredsignError('algorithm_not_allowed', `${what} ${reason}`)
}

function checkResolved(resolved: unknown): ResolvedKey {
  if (
    !isPlainObject(resolved) ||
    typeof resolved.id !== 'string' ||
    !isPlainObject(resolved.publicJwk)
  ) {
    throw new CredsignError(
      'key_resolution_failed',
      'the resolver returned something that is not a ResolvedKey',
    )
  }
  return resolved as unknown as ResolvedKey
}

function unusableKey(source: KeySource, cause: unknown): CredsignError {
  if (CredsignError.is(cause, 'crypto_unavailable')) return cause
  switch (source) {
    case 'key':
      return new CredsignError('invalid_argument', 'the given key is not a valid public key', {
        cause,
      })
    case 'jwks':
      return new CredsignError('invalid_argument', 'the JWK Set holds an invalid key', { cause })
    case 'resolver':
      return new CredsignError(
        'key_resolution_failed',
        'the resolved key is not a valid public key',
        { cause },
      )
    case 'embedded':
      return new CredsignError('malformed', 'the header jwk is not a valid public key', { cause })
  }
}

/**
 * What callers learn about the key that verified. Resolver answers pass through; other keys get
 * their own `kid` (the caller's key or JWK Set) or their RFC 7638 thumbprint (an embedded key,
 * whose `kid` the token's author chose), and lose any private member a caller may have passed.
 */
async function resolvedKeyOf(candidate: Candidate): Promise<ResolvedKey> {
  if (candidate.resolved !== undefined) return candidate.resolved
  const publicJwk = withoutPrivateMembers(candidate.publicJwk)
  const ownKid =
    candidate.source !== 'embedded' && typeof publicJwk.kid === 'string' ? publicJwk.kid : undefined
  return { id: ownKid ?? (await jwkThumbprint(publicJwk)), publicJwk }
}
