import { CredsignError } from '../errors/credsign-error.js'
import { b64u, fromB64u, fromUtf8, utf8 } from '../util/bytes.js'
import { describeKeyId, isValidKeyId, LONG_KEY_ID_LENGTH, MAX_KEY_ID_LENGTH } from './key-id.js'
import type { KeyRecord } from './key-store.js'

/**
 * The error code a failed record check throws: `store_corrupt` when a store reads data back,
 * `invalid_argument` when a caller hands a record to a store.
 *
 * @example
 *
 * ```ts
 * import { validateKeyRecord, type RecordErrorCode } from 'credsign'
 * const onRead: RecordErrorCode = 'store_corrupt'
 * const row: unknown = JSON.parse('{"id":"k1"}')
 * try {
 *   validateKeyRecord(row, onRead, 'row k1')
 * } catch (error) {
 *   console.log(error)
 * }
 * ```
 */
export type RecordErrorCode = 'store_corrupt' | 'invalid_argument'

const RSA_ALGORITHMS: ReadonlySet<string> = new Set([
  'RSA-PSS',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
])
const EC_CURVES: ReadonlySet<string> = new Set(['P-256', 'P-384', 'P-521', 'secp256k1'])
const ALGORITHMS: ReadonlySet<string> = new Set(['Ed25519', ...EC_CURVES, ...RSA_ALGORITHMS])
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
const B64U = /^[A-Za-z0-9_-]+$/
// ISO 8601 as `Date.prototype.toISOString` and most databases print it; the seconds fraction and
// the offset vary between producers, so both are optional within reason.
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/
// JSON nesting deeper than this is not a key record; the bound also stops cycles and stack blow-ups.
const MAX_DEPTH = 32

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Throws `code` unless `value` is a structurally valid {@link KeyRecord}: a valid key id, a positive
 * integer revision, ISO 8601 timestamps, and a non-empty `versions` array ascending by `version`
 * with exactly one `current` version, each with a known algorithm, a public JWK of the matching key
 * type (no private members) and an envelope of the right shape. Every value must be plain JSON.
 *
 * Envelopes are checked for shape only (binary fields base64url, numbers where numbers belong, and
 * lengths a sealed private key never exceeds: `ct` at most 16 KiB of ciphertext, `kid` 2,048
 * characters): stores never interpret them, and opening one validates it fully. Unknown extra
 * members are allowed so that data written by a newer credsign is not reported as corrupt.
 *
 * `where` (e.g. a file name) is put in the message to help an operator find the bad data.
 *
 * @example
 *
 * ```ts
 * import { CredsignError, validateKeyRecord } from 'credsign'
 * try {
 *   validateKeyRecord({ id: 'k1', revision: 0 }, 'invalid_argument')
 * } catch (error) {
 *   console.log(CredsignError.is(error, 'invalid_argument')) // true
 * }
 * ```
 */
export function validateKeyRecord(
  value: unknown,
  code: RecordErrorCode,
  where?: string,
): asserts value is KeyRecord {
  const problem = findRecordProblem(value)
  if (problem === undefined) return
  const subject = where === undefined ? 'key record' : `key record in ${where}`
  throw new CredsignError(code, `invalid ${subject}: ${problem}`)
}

/**
 * Returns a description of what is wrong with `value` as a {@link KeyRecord}, or `undefined` if
 * nothing is. The non-throwing form of {@link validateKeyRecord}.
 *
 * @example
 *
 * ```ts
 * import { findRecordProblem } from './record.js'
 * findRecordProblem({ id: 'k1' }) // 'revision is not a positive integer'
 * ```
 *
 * @internal
 */
export function findRecordProblem(value: unknown): string | undefined {
  const jsonProblem = findJsonProblem(value, 'record', 0)
  if (jsonProblem !== undefined) return jsonProblem
  if (!isPlainObject(value)) return 'not an object'
  // Any id a store may be configured for: a store checks its own limit when a record is written.
  if (!isValidKeyId(value.id, LONG_KEY_ID_LENGTH))
    return `id ${describeKeyId(value.id)} is not a valid key id`
  if (!isPositiveInteger(value.revision)) return 'revision is not a positive integer'
  if (!isTimestamp(value.createdAt)) return 'createdAt is not an ISO 8601 timestamp'
  if (!isTimestamp(value.updatedAt)) return 'updatedAt is not an ISO 8601 timestamp'
  const versions = value.versions
  if (!Array.isArray(versions) || versions.length === 0) return 'versions is not a non-empty array'
  let previous = 0
  let current = 0
  for (const [index, entry] of versions.entries()) {
    const at = `versions[${index}]`
    if (!isPlainObject(entry)) return `${at} is not an object`
    if (!isPositiveInteger(entry.version)) return `${at}.version is not a positive integer`
    if (entry.version <= previous) return `${at}.version is not greater than the previous version`
    previous = entry.version
    if (typeof entry.algorithm !== 'string' || !ALGORITHMS.has(entry.algorithm))
      return `${at}.algorithm is not a known algorithm`
    const jwkProblem = findPublicJwkProblem(entry.publicJwk, entry.algorithm)
    if (jwkProblem !== undefined) return `${at}.publicJwk ${jwkProblem}`
    if (entry.status === 'current') current++
    else if (entry.status !== 'previous') return `${at}.status is neither "current" nor "previous"`
    if (!isTimestamp(entry.createdAt)) return `${at}.createdAt is not an ISO 8601 timestamp`
    const envelopeProblem = findEnvelopeProblem(entry.envelope)
    if (envelopeProblem !== undefined) return `${at}.envelope ${envelopeProblem}`
    if (entry.certificateChain !== undefined) {
      const chainProblem = findCertificateChainProblem(entry.certificateChain)
      if (chainProblem !== undefined) return `${at}.certificateChain ${chainProblem}`
    }
  }
  if (current !== 1) return `${current} versions have status "current" (exactly one must)`
  return undefined
}

// Standard base64 with padding (x5c, RFC 7515 section 4.1.6), at most 16 KiB of DER per entry.
const X5C_ENTRY = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const MAX_X5C_ENTRY = Math.ceil((16 * 1024) / 3) * 4

function findCertificateChainProblem(chain: unknown): string | undefined {
  if (!isPlainObject(chain)) return 'is not an object'
  const { x5c, notAfter } = chain
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > 10)
    return 'x5c is not an array of 1 to 10 certificates'
  for (const entry of x5c) {
    if (typeof entry !== 'string' || entry.length === 0 || entry.length > MAX_X5C_ENTRY)
      return 'x5c has an entry that is not a certificate of at most 16 KiB'
    if (!X5C_ENTRY.test(entry)) return 'x5c has an entry that is not standard base64'
  }
  if (!isTimestamp(notAfter)) return 'notAfter is not an ISO 8601 timestamp'
  return undefined
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1
}

function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value))
}

function isB64u(value: unknown): value is string {
  return typeof value === 'string' && B64U.test(value)
}

function findPublicJwkProblem(jwk: unknown, algorithm: string): string | undefined {
  if (!isPlainObject(jwk)) return 'is not an object'
  // A private member here would be a private key stored in clear: refuse it outright.
  for (const member of PRIVATE_JWK_MEMBERS) {
    if (member in jwk) return `has the private member "${member}"`
  }
  switch (algorithm) {
    case 'Ed25519':
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !isB64u(jwk.x))
        return 'is not an Ed25519 OKP key'
      return undefined
    case 'RSA-PSS':
    case 'PS384':
    case 'PS512':
    case 'RS256':
    case 'RS384':
    case 'RS512':
      if (jwk.kty !== 'RSA' || !isB64u(jwk.n) || !isB64u(jwk.e)) return 'is not an RSA key'
      return undefined
    default:
      if (
        jwk.kty !== 'EC' ||
        jwk.crv !== algorithm ||
        !EC_CURVES.has(algorithm) ||
        !isB64u(jwk.x) ||
        !isB64u(jwk.y)
      ) {
        return `is not an EC ${algorithm} key`
      }
      return undefined
  }
}

/**
 * Longest text of each envelope member a key record may hold. Opening an envelope decodes and MACs
 * `ct` (and encodes `kid` and `alg` into its header) before anything can tell it is forged, for any
 * caller, wrong secrets included, and that is not counted as a failed attempt: a store writer who
 * planted megabytes there made every request for the key cost that. A key version seals one PKCS#8
 * key (RSA-4096, the largest, is about 2.4 KB: `ct` about 3,200 characters), so 16 KiB of
 * ciphertext is ample; the other binary members have fixed lengths of at most 32 bytes.
 */
const MAX_ENVELOPE_TEXT = {
  kid: LONG_KEY_ID_LENGTH,
  alg: 64,
  kdfId: 64,
  kdfMembers: 16,
  ct: Math.ceil((16 * 1024 * 4) / 3),
  salt: 64,
  sfp: 64,
  iv: 64,
  mac: 64,
} as const

function findEnvelopeProblem(envelope: unknown): string | undefined {
  if (!isPlainObject(envelope)) return 'is not an object'
  // `v` may be a later format version: opening the envelope reports that precisely
  // (envelope_unsupported_version), which is more useful than calling the store corrupt.
  if (!isPositiveInteger(envelope.v)) return 'v is not a positive integer'
  if (typeof envelope.kid !== 'string' || envelope.kid.length > MAX_ENVELOPE_TEXT.kid)
    return `kid is not a string of at most ${MAX_ENVELOPE_TEXT.kid} characters`
  if (typeof envelope.alg !== 'string' || envelope.alg.length > MAX_ENVELOPE_TEXT.alg)
    return `alg is not a string of at most ${MAX_ENVELOPE_TEXT.alg} characters`
  if (!isPositiveInteger(envelope.kv)) return 'kv is not a positive integer'
  const kdf = envelope.kdf
  if (!isPlainObject(kdf) || typeof kdf.id !== 'string' || kdf.id.length > MAX_ENVELOPE_TEXT.kdfId)
    return 'kdf is not an object with a string id'
  const params = Object.entries(kdf)
  if (params.length > MAX_ENVELOPE_TEXT.kdfMembers)
    return `kdf has more than ${MAX_ENVELOPE_TEXT.kdfMembers} members`
  for (const [name, param] of params) {
    if (name !== 'id' && typeof param !== 'number') return `kdf.${name} is not a number`
  }
  for (const field of ['salt', 'sfp', 'iv', 'ct', 'mac'] as const) {
    const text = envelope[field]
    // The length first: the pattern test would read all of it.
    if (typeof text === 'string' && text.length > MAX_ENVELOPE_TEXT[field])
      return `${field} is longer than ${MAX_ENVELOPE_TEXT[field]} characters`
    if (!isB64u(text)) return `${field} is not non-empty base64url`
  }
  return undefined
}

/** Checks that `value` is plain JSON, so what a store keeps is exactly what it would serialise. */
function findJsonProblem(value: unknown, path: string, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return `${path} is nested too deeply`
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined
  if (typeof value === 'number')
    return Number.isFinite(value) ? undefined : `${path} is not a finite number`
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      // Sparse arrays would serialise holes as null: reject them rather than change the data.
      if (!(i in value)) return `${path}[${i}] is a hole`
      const problem = findJsonProblem(value[i], `${path}[${i}]`, depth + 1)
      if (problem !== undefined) return problem
    }
    return undefined
  }
  if (isPlainObject(value)) {
    for (const [key, member] of Object.entries(value)) {
      const problem = findJsonProblem(member, `${path}.${key}`, depth + 1)
      if (problem !== undefined) return problem
    }
    return undefined
  }
  return `${path} is not a JSON value (${typeof value})`
}

/**
 * A deep copy of a JSON-valued record, sharing nothing with the original, so neither the caller nor
 * the store can change the other's copy. Validate first: it copies plain JSON only.
 *
 * @example
 *
 * ```ts
 * import { cloneKeyRecord, MemoryStore } from 'credsign'
 * const store = new MemoryStore()
 * const page = await store.list()
 * const copies = page.records.map(cloneKeyRecord)
 * console.log(copies.length)
 * ```
 */
export function cloneKeyRecord(record: KeyRecord): KeyRecord {
  return cloneJson(record as unknown as Json) as unknown as KeyRecord
}

function cloneJson(value: Json): Json {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(cloneJson)
  const out: { [key: string]: Json } = {}
  for (const [key, member] of Object.entries(value)) {
    // defineProperty, not assignment, so a "__proto__" key stays data and never touches the prototype.
    Object.defineProperty(out, key, {
      value: cloneJson(member),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

/**
 * Validates `record` as a caller's input and returns a private copy of it with `revision` set: what
 * a store keeps. Throws `invalid_key_id` for a bad id and `invalid_argument` for anything else.
 *
 * @example
 *
 * ```ts
 * import { prepareRecordForWrite } from './record.js'
 * import { makeTestRecord } from '../testing/store-contract.js'
 * const stored = prepareRecordForWrite({ ...makeTestRecord('k1'), revision: 0 }, 1)
 * console.log(stored.revision) // 1
 * ```
 *
 * @internal
 */
export function prepareRecordForWrite(
  record: KeyRecord,
  revision: number,
  maxKeyIdLength: number = MAX_KEY_ID_LENGTH,
): KeyRecord {
  if (!isPlainObject(record))
    throw new CredsignError('invalid_argument', 'a key record must be a plain object')
  if (!isValidKeyId(record.id, maxKeyIdLength)) {
    throw new CredsignError(
      'invalid_key_id',
      `invalid key id ${describeKeyId(record.id)} in key record`,
    )
  }
  const jsonProblem = findJsonProblem(record, 'record', 0)
  if (jsonProblem !== undefined)
    throw new CredsignError('invalid_argument', `invalid key record: ${jsonProblem}`)
  const copy = cloneKeyRecord(record)
  copy.revision = revision
  validateKeyRecord(copy, 'invalid_argument')
  return copy
}

/**
 * Throws `invalid_argument` unless `revision` is a positive integer (a revision a store could
 * hold).
 *
 * @example
 *
 * ```ts
 * import { validateRevision } from './record.js'
 * validateRevision(3) // passes; validateRevision(0) throws invalid_argument
 * ```
 *
 * @internal
 */
export function validateRevision(revision: unknown, name = 'revision'): asserts revision is number {
  if (!isPositiveInteger(revision))
    throw new CredsignError('invalid_argument', `${name} must be a positive integer`)
}

// List cursors -------------------------------------------------------------------------------

const CURSOR_PREFIX = 'k1:'

/**
 * Page size when {@link ListOptions.limit} is absent.
 *
 * @example
 *
 * ```ts
 * import { DEFAULT_LIST_LIMIT, resolveListLimit } from './record.js'
 * resolveListLimit(undefined) === DEFAULT_LIST_LIMIT // true
 * ```
 *
 * @internal
 */
export const DEFAULT_LIST_LIMIT = 100
/**
 * Largest accepted {@link ListOptions.limit}.
 *
 * @example
 *
 * ```ts
 * import { MAX_LIST_LIMIT, resolveListLimit } from './record.js'
 * resolveListLimit(MAX_LIST_LIMIT) // 1000
 * ```
 *
 * @internal
 */
export const MAX_LIST_LIMIT = 1000

/**
 * The cursor that continues a listing after `lastId`. Opaque to callers (base64url of a versioned
 * string) so stores may change what it holds later without breaking anyone who merely passes it
 * back.
 *
 * @example
 *
 * ```ts
 * import { decodeListCursor, encodeListCursor } from './record.js'
 * decodeListCursor(encodeListCursor('did:web:x#k')) // 'did:web:x#k'
 * ```
 *
 * @internal
 */
export function encodeListCursor(lastId: string): string {
  return b64u(utf8(CURSOR_PREFIX + lastId))
}

/**
 * The last id of the previous page, from a cursor made by {@link encodeListCursor};
 * `invalid_argument` otherwise.
 *
 * @example
 *
 * ```ts
 * import { decodeListCursor, encodeListCursor } from './record.js'
 * decodeListCursor(encodeListCursor('k1')) // 'k1'; decodeListCursor('junk') throws invalid_argument
 * ```
 *
 * @internal
 */
export function decodeListCursor(cursor: unknown): string {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 4096) {
    throw new CredsignError('invalid_argument', 'invalid list cursor')
  }
  let text: string
  try {
    text = fromUtf8(fromB64u(cursor))
  } catch (cause) {
    throw new CredsignError('invalid_argument', 'invalid list cursor', { cause })
  }
  const lastId = text.slice(CURSOR_PREFIX.length)
  if (!text.startsWith(CURSOR_PREFIX) || !isValidKeyId(lastId, LONG_KEY_ID_LENGTH))
    throw new CredsignError('invalid_argument', 'invalid list cursor')
  return lastId
}

/**
 * The page size for `limit`: the default when absent, `invalid_argument` outside 1 to 1000.
 *
 * @example
 *
 * ```ts
 * import { resolveListLimit } from './record.js'
 * resolveListLimit(25) // 25; resolveListLimit(0) throws invalid_argument
 * ```
 *
 * @internal
 */
export function resolveListLimit(limit: unknown): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT
  if (
    typeof limit !== 'number' ||
    !Number.isSafeInteger(limit) ||
    limit < 1 ||
    limit > MAX_LIST_LIMIT
  ) {
    throw new CredsignError(
      'invalid_argument',
      `list limit must be an integer from 1 to ${MAX_LIST_LIMIT}`,
    )
  }
  return limit
}

/**
 * Compares ids in UTF-16 code unit order, the order every store lists in (and what JavaScript's `<`
 * does), so pages from different stores line up. Not `localeCompare`: that depends on the locale.
 *
 * @example
 *
 * ```ts
 * import { compareKeyIds } from './record.js'
 * ;['b', 'B', '#'].sort(compareKeyIds) // ['#', 'B', 'b']
 * ```
 *
 * @internal
 */
export function compareKeyIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
