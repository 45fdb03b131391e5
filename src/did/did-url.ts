import { CredsignError } from '../errors/credsign-error.js'

/**
 * Longest DID or DID URL credsign parses (an RSA-4096 did:jwk is about 1 KB).
 *
 * @example
 *
 * ```ts
 * 'did:web:issuer.example'.length <= MAX_DID_LENGTH // true
 * ```
 */
const MAX_DID_LENGTH = 8192

// DID Core section 3.1: did:<method-name>:<method-specific-id>, where the id is
// *( *idchar ":" ) 1*idchar and idchar is ALPHA / DIGIT / "." / "-" / "_" / pct-encoded.
const DID_PATTERN =
  /^did:[a-z0-9]+:(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$/

/**
 * Whether `value` is a syntactically valid DID (no path, query or fragment).
 *
 * @example
 *
 * ```ts
 * import { isDid } from 'credsign'
 * isDid('did:web:issuer.example') // true
 * isDid('did:web:issuer.example#key-1') // false: that is a DID URL
 * ```
 */
export function isDid(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_DID_LENGTH && DID_PATTERN.test(value)
}

/**
 * The controller part of a key id or DID URL: everything before the first `#` (the whole string
 * when there is none). `did:web:issuer.example#key-1` → `did:web:issuer.example`. Throws
 * `invalid_argument` for a non-string, an empty string or an empty controller part.
 *
 * @example
 *
 * ```ts
 * import { controllerOf } from 'credsign'
 * controllerOf(
 *   'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
 * )
 * // 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2'
 * ```
 */
export function controllerOf(keyIdOrDidUrl: string): string {
  if (typeof keyIdOrDidUrl !== 'string')
    throw new CredsignError('invalid_argument', 'a key id must be a string')
  const hash = keyIdOrDidUrl.indexOf('#')
  const controller = hash === -1 ? keyIdOrDidUrl : keyIdOrDidUrl.slice(0, hash)
  if (controller.length === 0)
    throw new CredsignError('invalid_argument', 'the key id has no controller part')
  return controller
}

/**
 * Splits a DID URL of the form `did#fragment` (no path or query) and checks the DID syntax and,
 * when given, the method. Errors are `invalid_argument`.
 *
 * @example
 *
 * ```ts
 * splitDidUrl('did:key:z6Mk...#z6Mk...', 'key') // { did: 'did:key:z6Mk...', fragment: 'z6Mk...' }
 * ```
 */
export function splitDidUrl(
  didUrl: string,
  method?: string,
): { did: string; fragment: string | undefined } {
  if (typeof didUrl !== 'string')
    throw new CredsignError('invalid_argument', 'a DID must be a string')
  if (didUrl.length > MAX_DID_LENGTH) throw new CredsignError('invalid_argument', 'DID is too long')
  const hash = didUrl.indexOf('#')
  const did = hash === -1 ? didUrl : didUrl.slice(0, hash)
  const fragment = hash === -1 ? undefined : didUrl.slice(hash + 1)
  if (method !== undefined && !did.startsWith(`did:${method}:`))
    throw new CredsignError('invalid_argument', `not a did:${method} DID`)
  if (!isDid(did)) throw new CredsignError('invalid_argument', 'not a valid DID')
  return { did, fragment }
}

/**
 * The DID of a key id that is a DID URL with a fragment (`did:web:issuer.example#key-1` →
 * `did:web:issuer.example`), or `undefined` for any other key id (`issuer-1`, a bare DID, a
 * thumbprint). Such a key signs as itself; the others sign through their did:key or did:jwk.
 *
 * @example
 *
 * ```ts
 * keyIdDid('did:web:issuer.example#key-1') // 'did:web:issuer.example'
 * keyIdDid('issuer-1') // undefined
 * ```
 *
 * @internal
 */
export function keyIdDid(id: string): string | undefined {
  const hash = id.indexOf('#')
  if (hash <= 0) return undefined
  const did = id.slice(0, hash)
  return isDid(did) ? did : undefined
}
