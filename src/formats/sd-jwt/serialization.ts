import { CredsignError } from '../../errors/credsign-error.js'
import { isPlainObject, parseJsonText } from '../../jose/json.js'

/** Longest SD-JWT accepted, in characters (the issuer JWT, every disclosure and the KB-JWT). */
const MAX_SD_JWT_LENGTH = 4 * 1024 * 1024

/** Most disclosures one SD-JWT may carry. */
const MAX_DISCLOSURES = 10_000

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/

/**
 * An SD-JWT or SD-JWT+KB split into its parts (RFC 9901 section 4): `<jws>~<d1>~…~<dn>~[<kb-jwt>]`.
 *
 * @internal
 */
export interface SplitSdJwt {
  /** The issuer-signed JWT, compact. */
  jws: string
  /** The disclosures, in order. */
  disclosures: string[]
  /** The KB-JWT, when the input ends in one. */
  kbJwt?: string
  /** Everything up to and including the last `~`: what a KB-JWT's `sd_hash` covers. */
  presented: string
}

/**
 * Splits a compact SD-JWT; a JSON serialization (RFC 9901 section 8: flattened or general, with
 * `disclosures` and `kb_jwt` in the first signature's unprotected header) is accepted as a string
 * or an object and read as the equivalent compact form (the one its `sd_hash` covers). `malformed`
 * when it is neither.
 *
 * @example
 *
 * ```ts
 * splitSdJwt('eyJhbGciOiJFUzI1NiJ9.e30.c2ln~WyJzIiwiYSIsMV0~').disclosures // ['WyJzIiwiYSIsMV0']
 * ```
 *
 * @internal
 */
export function splitSdJwt(input: unknown): SplitSdJwt {
  if (isPlainObject(input)) return splitJson(input)
  if (typeof input !== 'string') throw new CredsignError('malformed', 'an SD-JWT is a string')
  if (input.length > MAX_SD_JWT_LENGTH)
    throw new CredsignError('malformed', 'the SD-JWT is larger than 4 MiB')
  const text = input.trim()
  if (text.startsWith('{')) return splitJson(parseJsonText(text, 'the SD-JWT JSON serialization'))
  const parts = text.split('~')
  if (parts.length < 2)
    throw new CredsignError('malformed', 'an SD-JWT has a ~ after the issuer-signed JWT')
  const jws = parts[0] as string
  if (!COMPACT_JWS.test(jws))
    throw new CredsignError('malformed', 'an SD-JWT starts with a compact JWS')
  const last = parts[parts.length - 1] as string
  const disclosures = parts.slice(1, -1)
  if (disclosures.length > MAX_DISCLOSURES)
    throw new CredsignError('malformed', `the SD-JWT has more than ${MAX_DISCLOSURES} disclosures`)
  if (disclosures.some((d) => d.length === 0))
    throw new CredsignError('disclosure_invalid', 'the SD-JWT has an empty disclosure (~~)')
  const presented = text.slice(0, text.length - last.length)
  if (last === '') return { jws, disclosures, presented }
  if (!COMPACT_JWS.test(last))
    throw new CredsignError('malformed', 'an SD-JWT ends with ~ or with a KB-JWT (a compact JWS)')
  return { jws, disclosures, kbJwt: last, presented }
}

function splitJson(value: unknown): SplitSdJwt {
  if (!isPlainObject(value) || typeof value.payload !== 'string')
    throw new CredsignError('malformed', 'an SD-JWT JSON serialization has a payload')
  const first = Array.isArray(value.signatures) ? (value.signatures[0] as unknown) : value
  if (
    !isPlainObject(first) ||
    typeof first.protected !== 'string' ||
    typeof first.signature !== 'string'
  ) {
    throw new CredsignError(
      'malformed',
      'an SD-JWT JSON serialization needs a protected header and a signature',
    )
  }
  const header = first.header === undefined ? {} : first.header
  if (!isPlainObject(header))
    throw new CredsignError('malformed', 'the unprotected header must be an object')
  const disclosures = header.disclosures ?? []
  if (
    !Array.isArray(disclosures) ||
    disclosures.some((d) => typeof d !== 'string' || d.length === 0)
  ) {
    throw new CredsignError(
      'disclosure_invalid',
      'disclosures must be an array of disclosure strings',
    )
  }
  if (disclosures.length > MAX_DISCLOSURES)
    throw new CredsignError('malformed', `the SD-JWT has more than ${MAX_DISCLOSURES} disclosures`)
  const kbJwt = header.kb_jwt
  if (kbJwt !== undefined && (typeof kbJwt !== 'string' || !COMPACT_JWS.test(kbJwt)))
    throw new CredsignError('malformed', 'kb_jwt must be a compact JWS')
  const jws = `${first.protected}.${value.payload}.${first.signature}`
  if (!COMPACT_JWS.test(jws))
    throw new CredsignError('malformed', 'the SD-JWT JSON serialization is not base64url')
  const presented = `${jws}~${(disclosures as string[]).map((d) => `${d}~`).join('')}`
  return kbJwt === undefined
    ? { jws, disclosures: disclosures as string[], presented }
    : { jws, disclosures: disclosures as string[], kbJwt, presented }
}
