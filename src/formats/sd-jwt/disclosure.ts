import { CredsignError } from '../../errors/credsign-error.js'
import { parseJsonText } from '../../jose/json.js'
import { fromB64u } from '../../util/bytes.js'
import { sdDigest } from './hash.js'
import type { DecodedDisclosure, SdHashAlgorithm } from './types.js'

/** Claim names a disclosure may never carry (RFC 9901 section 4.2.1). */
const RESERVED_CLAIM_NAMES: ReadonlySet<string> = new Set(['_sd', '...'])

/**
 * Claim names refused in disclosures because of what they do to the applications that read the
 * processed claims: a `__proto__` member that a consumer copies with `Object.assign` or a deep
 * merge replaces the target's prototype (prototype pollution). No credential needs the name.
 */
const UNSAFE_CLAIM_NAMES: ReadonlySet<string> = new Set(['__proto__'])

/** Deepest nesting of a disclosure's JSON. */
const MAX_DISCLOSURE_DEPTH = 64

const B64URL = /^[A-Za-z0-9_-]+$/
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Reads one disclosure (base64url of a JSON array: `[salt, name, value]` for an object property,
 * `[salt, value]` for an array element) and computes its digest. Anything else (not base64url, not
 * UTF-8 JSON, a member twice, not an array of 2 or 3, a salt or name that is not a string, a
 * reserved name `_sd` / `...`, or `__proto__`) is `disclosure_invalid`.
 *
 * @example
 *
 * ```ts
 * parseDisclosure('WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0', 'sha-256')
 * // { disclosure: 'WyJsa2x4…', digest: 'w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs', salt: 'lklxF5jMYlGTPUovMNIvCA', value: 'FR' }
 * ```
 */
export function parseDisclosure(disclosure: string, algorithm: SdHashAlgorithm): DecodedDisclosure {
  if (typeof disclosure !== 'string' || !B64URL.test(disclosure))
    throw new CredsignError('disclosure_invalid', 'a disclosure is not base64url')
  let text: string
  try {
    text = strictUtf8.decode(fromB64u(disclosure, 'malformed'))
  } catch (cause) {
    throw new CredsignError('disclosure_invalid', 'a disclosure is not base64url-encoded UTF-8', {
      cause,
    })
  }
  let array: unknown
  try {
    array = parseJsonText(text, 'a disclosure', MAX_DISCLOSURE_DEPTH)
  } catch (cause) {
    throw new CredsignError('disclosure_invalid', 'a disclosure is not valid JSON', { cause })
  }
  if (!Array.isArray(array) || (array.length !== 2 && array.length !== 3)) {
    throw new CredsignError(
      'disclosure_invalid',
      'a disclosure must be a JSON array of 2 (array element) or 3 (object property) members',
    )
  }
  const [salt] = array as unknown[]
  if (typeof salt !== 'string')
    throw new CredsignError('disclosure_invalid', 'the salt of a disclosure must be a string')
  const digest = sdDigest(algorithm, disclosure)
  if (array.length === 2) return { disclosure, digest, salt, value: array[1] as unknown }
  const name = array[1] as unknown
  if (typeof name !== 'string')
    throw new CredsignError('disclosure_invalid', 'the claim name of a disclosure must be a string')
  if (RESERVED_CLAIM_NAMES.has(name))
    throw new CredsignError(
      'disclosure_invalid',
      `a disclosure may not use the reserved claim name ${JSON.stringify(name)}`,
    )
  if (UNSAFE_CLAIM_NAMES.has(name))
    throw new CredsignError(
      'disclosure_invalid',
      `a disclosure may not use the claim name ${JSON.stringify(name)} (prototype pollution in the applications that read it)`,
    )
  return { disclosure, digest, salt, name, value: array[2] as unknown }
}
