import type { DisclosureFrame } from '../formats/sd-jwt/types.js'

/**
 * Claims SD-JWT VC forbids to disclose selectively (draft-ietf-oauth-sd-jwt-vc section 3.2.2), and
 * `iat`.
 */
const ALWAYS_VISIBLE = new Set([
  'iss',
  'nbf',
  'exp',
  'cnf',
  'vct',
  'vct#integrity',
  'status',
  'iat',
])

/**
 * The disclosure frame `signVerifiable` (so the HTTP routes and the CLI) uses when the caller gives
 * none, so that an SD-JWT always has something to withhold: for a W3C credential, every member of
 * each credential subject but `id`; for SD-JWT VC claims, every top-level claim the profile lets a
 * holder withhold.
 *
 * @example
 *
 * ```ts
 * defaultDisclosureFrame({
 *   '@context': ['https://www.w3.org/ns/credentials/v2'],
 *   credentialSubject: { id: 'did:example:a', name: 'A' },
 * })
 * // { credentialSubject: { _sd: ['name'] } }
 * ```
 *
 * @internal
 */
export function defaultDisclosureFrame(document: Record<string, unknown>): DisclosureFrame {
  if (document['@context'] !== undefined) {
    const subject = document.credentialSubject
    if (subject === null || typeof subject !== 'object' || Array.isArray(subject)) return {}
    const names = Object.keys(subject).filter((name) => name !== 'id')
    return names.length === 0 ? {} : { credentialSubject: { _sd: names } }
  }
  const names = Object.keys(document).filter((name) => !ALWAYS_VISIBLE.has(name))
  return names.length === 0 ? {} : { _sd: names }
}
