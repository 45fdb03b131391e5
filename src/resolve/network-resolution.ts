import { CredsignError } from '../errors/credsign-error.js'
import type { VerificationRelationship } from '../did/did-document.js'
import type { PublicJwk } from '../keys/types.js'
import { callerAborted, fetchJsonText, parseJsonObject, resolutionFailed } from './bounded-fetch.js'
import type { FetchLike, NetworkLimits } from './options.js'
import type { ResolvedDidDocument } from './resolved-document.js'
import { TtlCache } from './ttl-cache.js'
import type { KeyResolver, ResolvedKey, ResolveOptions } from './types.js'

/*
 * What runs only when the caller passed a `fetch`: fetching and caching did:web documents, fetching,
 * reading and searching JWK Sets. Loaded by import() on first use (network-loader.ts), so an app
 * that verifies offline (did:key, did:jwk, embedded and x5c keys: the default) never loads it. The
 * options are validated before, when the resolver is made (did-resolver.ts, jwks-resolver.ts), so a
 * bad option still throws there and then.
 *
 * This module imports only modules no entry point reaches statically (bounded-fetch.ts,
 * ttl-cache.ts) and CredsignError: what it needs from the rest of credsign (checking a DID
 * document, reading a JWK) the caller hands in with the settings. A module this chunk imported
 * would be live in every bundle and, reached from `credsign`'s index, join every app's initial load
 * (scripts/bundle-size.mjs), verifySignature's included.
 */

/** A did:web resolution's settings, validated by `createDidResolver`. @internal */
export interface DidWebSettings {
  fetch: FetchLike
  limits: NetworkLimits
  cacheTtlMs: number
  cacheMaxEntries: number
  clock: () => number
  /** `checkDidDocument`: the parsed document, checked for `did`. */
  checkDocument: (value: unknown, did: string) => ResolvedDidDocument
}

/**
 * Media types a did:web server may answer with (DID Core section 6.2, DID Specification
 * Registries).
 */
const DID_MEDIA_TYPES = [
  'application/did+json',
  'application/did+ld+json',
  'application/json',
] as const

/**
 * The did:web documents of one `createDidResolver`: fetches the document of a did:web DID from its
 * URL (`didWebUrl`, already checked), or takes it from this resolver's cache, and checks it. The
 * rules are `createDidResolver`'s.
 *
 * @example
 *
 * ```ts
 * const documents = didWebDocuments({
 *   fetch: globalThis.fetch,
 *   limits: { timeoutMs: 5000, maxBytes: 262144 },
 *   cacheTtlMs: 0,
 *   cacheMaxEntries: 1000,
 *   clock: Date.now,
 *   checkDocument: checkDidDocument,
 * })
 * const did = 'did:web:issuer.example'
 * const doc = await documents(did, didWebUrl(did), undefined)
 * ```
 *
 * @internal
 */
export function didWebDocuments(
  settings: DidWebSettings,
): (did: string, url: string, signal: AbortSignal | undefined) => Promise<ResolvedDidDocument> {
  const { fetch, limits, checkDocument } = settings
  const cache = new TtlCache<string>(settings.cacheTtlMs, settings.cacheMaxEntries, settings.clock)
  return async (did, url, signal) => {
    // The cache holds the text, not the object: every caller gets a fresh parse it may mutate.
    const cached = cache.get(did)
    const text =
      cached ??
      (await fetchJsonText(url, { fetch, ...limits, mediaTypes: DID_MEDIA_TYPES, signal }))
    const document = checkDocument(parseJsonObject(text), did)
    if (cached === undefined) cache.set(did, text)
    return document
  }
}

/** A JWK Set resolver's settings, validated by `jwksResolver`. @internal */
export interface JwksSettings {
  url: string
  fetch: FetchLike
  issuer: string | undefined
  relationships: readonly VerificationRelationship[] | undefined
  limits: NetworkLimits
  ttlMs: number
  refetchIntervalMs: number
  clock: () => number
  /** `resolvedJwk`: a set member validated and reduced to a public key, or a throw. */
  readKey: (jwk: object) => Promise<PublicJwk>
  /** `hasPrivateMembers`: whether a set member is a private key. */
  hasPrivateMembers: (jwk: object) => boolean
  /** `signatureUseProblem`: why a set member's `use` / `key_ops` say it does not verify, if they do. */
  signatureUseProblem: (jwk: object) => string | undefined
}

/** Media types of a JWK Set (RFC 7517 section 8.5.1), and what servers commonly send. */
const JWKS_MEDIA_TYPES = ['application/jwk-set+json', 'application/json'] as const

interface SetKey {
  /** The `kid` the set gave the key, if any. */
  kid: string | undefined
  /** Validated; its `kid` is the RFC 7638 thumbprint. */
  jwk: PublicJwk
}

/**
 * The resolver behind one `jwksResolver`: fetches, caches and searches the set. The rules are
 * `jwksResolver`'s.
 *
 * @example
 *
 * ```ts
 * const keys = jwksKeySet({
 *   url: 'https://issuer.example/.well-known/jwks.json',
 *   fetch: globalThis.fetch,
 *   issuer: 'https://issuer.example',
 *   relationships: undefined,
 *   limits: { timeoutMs: 5000, maxBytes: 262144 },
 *   ttlMs: 300000,
 *   refetchIntervalMs: 30000,
 *   clock: Date.now,
 *   readKey: resolvedJwk,
 *   hasPrivateMembers,
 *   signatureUseProblem,
 * })
 * const key = await keys.resolveKey('2024-05-key')
 * ```
 *
 * @internal
 */
export function jwksKeySet(settings: JwksSettings): KeyResolver {
  const { url, fetch, issuer, relationships, limits, ttlMs, refetchIntervalMs, clock } = settings
  const parseSet = (text: string): Promise<SetKey[]> => readSet(text, settings)

  let cached: { keys: SetKey[]; fetchedAt: number } | undefined
  let inflight: Promise<SetKey[]> | undefined
  let lastFetchStarted = -Infinity

  const load = (): Promise<SetKey[]> =>
    (inflight ??= (async () => {
      lastFetchStarted = clock()
      try {
        // Shared by every waiting caller, so it runs under no single caller's signal.
        const keys = await parseSet(
          await fetchJsonText(url, { fetch, ...limits, mediaTypes: JWKS_MEDIA_TYPES }),
        )
        cached = { keys, fetchedAt: clock() }
        return keys
      } finally {
        inflight = undefined
      }
    })())

  const found = (reference: string, key: SetKey): ResolvedKey => ({
    id: reference,
    ...(issuer === undefined ? {} : { controller: issuer }),
    publicJwk: { ...key.jwk },
    ...(relationships === undefined ? {} : { relationships: [...relationships] }),
  })

  return {
    // jwksResolver's resolveKey checked the reference and types whatever this throws.
    async resolveKey(reference: string, resolveOptions: ResolveOptions = {}): Promise<ResolvedKey> {
      const signal = resolveOptions?.signal
      const fresh = cached !== undefined && clock() - cached.fetchedAt < ttlMs
      let keys = fresh && cached !== undefined ? cached.keys : await untilAborted(load(), signal)
      let match = pick(keys, reference)
      if (match === undefined && clock() - lastFetchStarted >= refetchIntervalMs) {
        // An unknown kid may be a key the issuer rotated in after we cached the set.
        keys = await untilAborted(load(), signal)
        match = pick(keys, reference)
      }
      if (match === undefined)
        throw new CredsignError(
          'key_not_found',
          'the JWK Set has no key with this kid or thumbprint',
        )
      return found(reference, match)
    },
  }
}

async function readSet(text: string, settings: JwksSettings): Promise<SetKey[]> {
  const { readKey, hasPrivateMembers, signatureUseProblem } = settings
  const set = parseJsonObject(text)
  if (!Array.isArray(set.keys)) throw resolutionFailed('not a JWK Set: no keys array')
  const keys: SetKey[] = []
  for (const entry of set.keys as unknown[]) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue
    if (hasPrivateMembers(entry)) throw resolutionFailed('the JWK Set publishes a private key')
    const { kid } = entry as { kid?: unknown }
    // Not for verifying signatures (RFC 7517 4.2, 4.3: `use` other than `sig`, `key_ops` without
    // `verify`, or malformed): ignored, by the rule staticResolver and key selection apply.
    if (signatureUseProblem(entry) !== undefined) continue
    let jwk: PublicJwk
    try {
      jwk = await readKey(entry)
    } catch {
      continue // RFC 7517 section 5: ignore keys that are not understood or not valid
    }
    keys.push({ kid: typeof kid === 'string' ? kid : undefined, jwk })
  }
  const kids = keys.flatMap((key) => (key.kid === undefined ? [] : [key.kid]))
  if (new Set(kids).size !== kids.length)
    throw resolutionFailed('the JWK Set gives one kid to several keys')
  return keys
}

function pick(keys: readonly SetKey[], reference: string): SetKey | undefined {
  return keys.find((key) => key.kid === reference) ?? keys.find((key) => key.jwk.kid === reference)
}

/** Waits for `step`, or rejects as soon as the caller's signal aborts. */
function untilAborted<T>(step: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return step
  if (signal.aborted) return Promise.reject(callerAborted(signal))
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(callerAborted(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    step.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
