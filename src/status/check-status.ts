// The verifier's side of status lists: the verify() step that reads a verified credential's status
// from its W3C Bitstring Status List (`credentialStatus` entries of type BitstringStatusListEntry)
// or IETF Token Status List (`status.status_list`), after checking the list itself. W3C Bitstring
// Status List v1.0 section 3.2 (Validate Algorithm) and draft-ietf-oauth-status-list section 8.3
// (Validation Rules) are followed; where they leave a choice, the stricter reading is taken and
// named below.
import { CredsignError, type ErrorCode } from '../errors/credsign-error.js'
import { isStoreFailure, STORE_FAILURE_CODES } from '../errors/store-failure.js'
import { asList, isJsonObject, typesOf } from '../credential/validate-shared.js'
import { epochMilliseconds } from '../jose/jwt-times.js'
import { verifyJwt } from '../jose/jwt-verify.js'
import { decodeSignature, jwsLimits, splitJws } from '../jose/parse.js'
import { Lru } from '../util/lru.js'
import type { VerifyStep } from '../verify/engine.js'
import { ResultBuilder } from '../verify/result-builder.js'
import { checkCertificateBinding, x5cIssuerKey, type X5cIssuerKey } from '../verify/x5c-issuer.js'
import {
  STATUS_LIST_AUDIENCE,
  VERIFIER_AUDIENCE,
  audienceProblem,
  verifierAudienceOf,
  type AudienceOptions,
} from '../verify/audience.js'
import {
  DEFAULT_STATUS_CACHE_MAX_BYTES,
  type StatusListSource,
  type StatusOutcome,
} from '../verify/status-list-source.js'
import type {
  VerificationCheck,
  VerificationIssue,
  VerificationResult,
  VerifyOptions,
} from '../verify/types.js'
import { bitstringEntryCount, decodeBitstring, readBitstringStatus } from './bitstring.js'
import {
  decodeTokenStatusList,
  isTokenStatusBits,
  readTokenStatus,
  type TokenStatusBits,
} from './token-status-list.js'
import { shownUrl } from '../util/shown-url.js'

/** Most status references read from one credential. */
const MAX_REFERENCES = 16
/**
 * Lists fetched and inflated at once for one credential: each may inflate to `maxListBytes` (16 MiB
 * by default), so one `verify()` holds at most this many of them at a time (64 MiB), not all 16.
 */
const MAX_LISTS_AT_ONCE = 4
const BITSTRING_MEDIA_TYPES = [
  'application/vc+jwt',
  'application/vc',
  'application/vc+ld+json',
  'application/ld+json',
  'application/json',
] as const
const TOKEN_MEDIA_TYPES = ['application/statuslist+jwt'] as const
const TOKEN_STATUS_NAMES: Readonly<Record<number, string>> = {
  0: 'VALID',
  1: 'INVALID',
  2: 'SUSPENDED',
}

/** A status reference found in a credential. */
type Reference =
  | {
      kind: 'bitstring'
      path: string
      url: string
      index: number
      purpose: string
      statusSize: number
      messages: ReadonlyMap<number, string> | undefined
    }
  | { kind: 'token-status-list'; path: string; url: string; index: number }
  | { kind: 'unknown'; path: string; what: string }
  | { kind: 'invalid'; path: string; message: string }

/** A list that verified, decoded, as the cache keeps it. */
interface VerifiedList {
  kind: 'bitstring' | 'token-status-list'
  /** Who published it: the list credential's issuer, or the token's `iss` / key controller. */
  issuer: string | undefined
  /** The key that signed it (to bind a token without `iss` to the credential's key). */
  keyId: string
  keyController: string | undefined
  /**
   * Whether `issuer` was checked against the key that signed the list (verify()'s issuer binding
   * for a list credential; the leaf certificate's subjectAltName for a token under x5c). A token's
   * `iss` on a key of unknown controller is only a claim of whoever holds that key.
   */
  issuerBound: boolean
  bytes: Uint8Array
  purposes: readonly string[]
  bits: TokenStatusBits | undefined
  /** Epoch ms: the list's own validity bounds (`validFrom`/`validUntil`, `iat`/`exp`). */
  notBefore: number | undefined
  notAfter: number | undefined
}

/** What a list was verified with: a different resolver or policy verifies it again. */
interface VerifiedWith {
  resolver: VerifyOptions['resolver']
  trustAnchors: VerifyOptions['trustAnchors']
  algorithms: string
  handlers: VerifyOptions['handlers']
}

interface CacheEntry extends VerifiedWith {
  list: VerifiedList
  /** Epoch ms on the source's clock after which the list is fetched again. */
  staleAt: number
  /**
   * Whether a plug-in handler verified it (then the handlers are part of what it was verified
   * with).
   */
  usedHandlers: boolean
}

/** One cache per source (what `createStatusListResolver` returned), so reuse is the caller's. */
const caches = new WeakMap<StatusListSource, Lru<string, CacheEntry>>()
const inFlight = new WeakMap<
  StatusListSource,
  Map<string, VerifiedWith & { load: Promise<CacheEntry> }>
>()

/**
 * The verify() step for status lists. Runs on a verified credential only (TSL section 8.3: no
 * status is fetched for a token that failed its own checks). Without `options.statusLists`, each
 * reference becomes a `status_unchecked` check that did not pass (visible, not an error); with it,
 * every reference is checked and each failure is an error with its own code. Never throws.
 *
 * @internal
 */
export const checkCredentialStatus: VerifyStep = async (result, options, verifyOther) => {
  if (!result.verified || result.errors.length > 0) return result
  if (result.presentation !== undefined) return result
  const references = referencesOf(result)
  if (references.length === 0) return result
  const checks: VerificationCheck[] = [...result.checks]
  const errors: VerificationIssue[] = [...result.errors]
  const source = options.statusLists
  if (source === undefined) {
    for (const reference of references)
      checks.push({
        name: 'status_unchecked',
        passed: false,
        detail: `${reference.path}: ${describe(reference)} not checked (no statusLists option: nothing is fetched)`,
      })
    return { ...result, checks }
  }
  // The references are checked at once (each list's fetch has its own timeout, so a credential
  // naming several slow lists costs one timeout, not one per list), and reported in order.
  const settled = await mapAtMost(MAX_LISTS_AT_ONCE, references, async (reference) => {
    try {
      return await checkReference(reference, result, options, source, verifyOther)
    } catch (error) {
      return failureOf(error)
    }
  })
  const outcomes: StatusOutcome[] = []
  for (const [position, reference] of references.entries()) {
    const settledOne = settled[position] as ReferenceOutcome | { code: ErrorCode; message: string }
    if ('outcome' in settledOne) {
      outcomes.push(settledOne.outcome)
      const detail = `${reference.path}: ${settledOne.detail}`
      checks.push({ name: 'status', passed: settledOne.error === undefined, detail })
      if (settledOne.error !== undefined)
        errors.push({ code: settledOne.error, message: settledOne.detail, path: reference.path })
    } else {
      checks.push({
        name: 'status',
        passed: false,
        detail: `${reference.path}: ${settledOne.message}`,
      })
      errors.push({ code: settledOne.code, message: settledOne.message, path: reference.path })
    }
  }
  return {
    ...result,
    verified: result.verified && errors.length === 0,
    checks,
    errors,
    ...(outcomes.length === 0 ? {} : { status: outcomes }),
  }
}

/** `work` over `items` with at most `limit` running at a time; results in the items' order. */
async function mapAtMost<T, R>(
  limit: number,
  items: readonly T[],
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const runner = async (): Promise<void> => {
    while (next < items.length) {
      const position = next++
      results[position] = await work(items[position] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner))
  return results
}

function failureOf(error: unknown): { code: ErrorCode; message: string } {
  if (CredsignError.is(error)) return { code: error.code, message: error.message }
  return {
    code: 'status_list_unavailable',
    message: `the status could not be checked: unexpected ${error instanceof Error ? error.name : typeof error}`,
  }
}

function describe(reference: Reference): string {
  switch (reference.kind) {
    case 'bitstring':
      return `the ${reference.purpose} status at ${reference.index} of ${shownUrl(reference.url)}`
    case 'token-status-list':
      return `the status at ${reference.index} of ${shownUrl(reference.url)}`
    case 'unknown':
      return `the status (${reference.what})`
    case 'invalid':
      return 'the status entry'
  }
}

/** Every status reference of a verified credential, in document order. */
function referencesOf(result: VerificationResult): Reference[] {
  const references: Reference[] = []
  const credential = result.credential
  if (credential !== undefined && credential.credentialStatus !== undefined) {
    const value = credential.credentialStatus
    const entries = asList(value)
    for (const [position, entry] of entries.entries()) {
      const path = Array.isArray(value) ? `credentialStatus[${position}]` : 'credentialStatus'
      references.push(bitstringReference(entry, path))
    }
  }
  const payload = result.payload
  if (isJsonObject(payload) && payload.status !== undefined) {
    const status = payload.status
    if (!isJsonObject(status))
      references.push({ kind: 'invalid', path: 'status', message: 'status is not an object' })
    else {
      const names = Object.keys(status)
      if (names.length === 0)
        references.push({ kind: 'invalid', path: 'status', message: 'status names no mechanism' })
      for (const name of names) {
        if (name === 'status_list') references.push(tokenReference(status.status_list))
        else
          references.push({
            kind: 'unknown',
            path: `status.${name}`,
            what: `status mechanism ${clip(name)}`,
          })
      }
    }
  }
  if (references.length > MAX_REFERENCES)
    return [
      {
        kind: 'invalid',
        path: 'credentialStatus',
        message: `more than ${MAX_REFERENCES} status references`,
      },
    ]
  return references
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/
const HEX_STATUS = /^0x[0-9a-fA-F]+$/

function bitstringReference(entry: unknown, path: string): Reference {
  if (!isJsonObject(entry))
    return { kind: 'invalid', path, message: 'a credentialStatus entry is not an object' }
  const types = typesOf(entry.type) ?? []
  if (!types.includes('BitstringStatusListEntry'))
    return {
      kind: 'unknown',
      path,
      what: `type ${clip(types.join(', ') || '(none)')}, not BitstringStatusListEntry`,
    }
  const invalid = (message: string): Reference => ({ kind: 'invalid', path, message })
  const { statusPurpose, statusListIndex, statusListCredential, statusSize, statusMessage } = entry
  if (typeof statusPurpose !== 'string' || statusPurpose === '')
    return invalid('statusPurpose must be a non-empty string')
  // Section 2.1: "an arbitrary size integer greater than or equal to 0, expressed as a string in
  // base 10". A number, a sign, leading zeros or an exponent are refused rather than guessed at.
  if (typeof statusListIndex !== 'string' || !DECIMAL.test(statusListIndex))
    return invalid('statusListIndex must be a base-10 integer string')
  const index = Number(statusListIndex)
  if (!Number.isSafeInteger(index)) return invalid('statusListIndex is too large')
  if (typeof statusListCredential !== 'string' || !isUrl(statusListCredential))
    return invalid('statusListCredential must be a URL')
  // Section 2.1: the entry's `id` "MUST NOT be the URL for the status list" (Digital Bazaar's
  // checkStatus refuses it too). Compared as URLs, so a spelling with the default port or another
  // case of the host is the same URL.
  if (typeof entry.id === 'string' && sameUrl(entry.id, statusListCredential))
    return invalid('the entry id must not be the statusListCredential URL')
  const size = statusSize === undefined ? 1 : statusSize
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 8)
    return invalid('statusSize must be an integer from 1 to 8')
  let messages: Map<number, string> | undefined
  if (statusMessage !== undefined) {
    if (!Array.isArray(statusMessage) || statusMessage.length !== 2 ** size)
      return invalid(`statusMessage must be an array of ${2 ** size} entries (2^statusSize)`)
    messages = new Map()
    for (const item of statusMessage) {
      if (
        !isJsonObject(item) ||
        typeof item.status !== 'string' ||
        !HEX_STATUS.test(item.status) ||
        typeof item.message !== 'string'
      )
        return invalid('each statusMessage entry needs a 0x-hex status and a message string')
      const value = Number.parseInt(item.status.slice(2), 16)
      if (value >= 2 ** size || messages.has(value))
        return invalid(`statusMessage status ${clip(item.status)} is out of range or repeated`)
      messages.set(value, item.message)
    }
  } else if (size > 1) return invalid('statusMessage is required when statusSize is above 1')
  return {
    kind: 'bitstring',
    path,
    url: statusListCredential,
    index,
    purpose: statusPurpose,
    statusSize: size,
    messages,
  }
}

function tokenReference(value: unknown): Reference {
  const path = 'status.status_list'
  if (!isJsonObject(value))
    return { kind: 'invalid', path, message: 'status.status_list is not an object' }
  const { idx, uri } = value
  if (typeof idx !== 'number' || !Number.isSafeInteger(idx) || idx < 0)
    return { kind: 'invalid', path, message: 'idx must be a non-negative integer' }
  if (typeof uri !== 'string' || !isUrl(uri))
    return { kind: 'invalid', path, message: 'uri must be a URI' }
  return { kind: 'token-status-list', path, url: uri, index: idx }
}

/**
 * Whether two strings name the same URL once parsed (`https://a.example:443/x` is
 * `https://a.example/x`).
 */
function sameUrl(a: string, b: string): boolean {
  if (a === b) return true
  if (!isUrl(a) || !isUrl(b)) return false
  return new URL(a).href === new URL(b).href
}

function isUrl(value: string): boolean {
  if (value.length > 2048) return false
  try {
    new URL(value)
    return true
  } catch {
    return false
  }
}

interface ReferenceOutcome {
  outcome: StatusOutcome
  detail: string
  error?: ErrorCode
}

async function checkReference(
  reference: Reference,
  result: VerificationResult,
  options: VerifyOptions,
  source: StatusListSource,
  verifyOther: Parameters<VerifyStep>[2],
): Promise<ReferenceOutcome> {
  if (reference.kind === 'invalid')
    throw new CredsignError('status_entry_invalid', reference.message)
  if (reference.kind === 'unknown')
    throw new CredsignError(
      'status_unchecked',
      `${describe(reference)} is not a status mechanism credsign checks (BitstringStatusListEntry, status_list)`,
    )
  const list = await listFor(reference, options, source, verifyOther)
  const now = epochMilliseconds(options.now)
  const tolerance = (options.clockToleranceSeconds ?? 60) * 1000
  if (list.notAfter !== undefined && now - tolerance >= list.notAfter)
    throw new CredsignError(
      'status_list_expired',
      `the status list ${shownUrl(reference.url)} has expired`,
    )
  if (list.notBefore !== undefined && now + tolerance < list.notBefore)
    throw new CredsignError(
      'status_list_expired',
      `the status list ${shownUrl(reference.url)} is not valid yet`,
    )
  checkListIssuer(list, reference, result)
  if (reference.kind === 'bitstring') return readBitstring(reference, list, source)
  return readToken(reference, list)
}

/**
 * The list must come from the credential's issuer. The W3C specification allows another issuer to
 * publish the list (section 2.2) and leaves its trust to the verifier; credsign does not guess at
 * that trust: a list from anyone else is `status_list_issuer_mismatch`. A list whose issuer is not
 * bound to its key (a token without `iss`, or with an `iss` on a key of unknown controller and no
 * x5c) must be signed by the very key that signed the credential.
 */
function checkListIssuer(
  list: VerifiedList,
  reference: Reference,
  result: VerificationResult,
): void {
  const issuer = result.issuer
  const mismatch = (why: string): CredsignError =>
    new CredsignError(
      'status_list_issuer_mismatch',
      `the status list ${shownUrl('url' in reference ? reference.url : '')} ${why}`,
    )
  if (issuer === undefined) throw mismatch('cannot be bound: the credential names no issuer')
  if (list.issuer !== undefined && list.issuer !== issuer)
    throw mismatch(`is issued by ${clip(list.issuer)}, not the credential's issuer ${clip(issuer)}`)
  if (list.keyController !== undefined && list.keyController !== issuer)
    throw mismatch(`is signed by a key of ${clip(list.keyController)}, not of ${clip(issuer)}`)
  // With neither a bound issuer nor a known controller, nothing says the list is the issuer's but
  // the key itself: it must be the one that signed the credential. (A token's `iss` on a key of
  // unknown controller is no more than a claim of whoever holds that key; verify() refuses a
  // credential on such a key for the same reason.)
  if (!list.issuerBound && list.keyController === undefined && list.keyId !== result.key?.id)
    throw mismatch(
      list.issuer === undefined
        ? 'names no issuer and is not signed by the key that signed the credential'
        : 'is signed by a key nothing binds to its iss, and not by the key that signed the credential',
    )
}

function readBitstring(
  reference: Extract<Reference, { kind: 'bitstring' }>,
  list: VerifiedList,
  source: StatusListSource,
): ReferenceOutcome {
  if (!list.purposes.includes(reference.purpose))
    throw new CredsignError(
      'status_purpose_mismatch',
      `the entry's statusPurpose ${clip(reference.purpose)} is not one of the list's (${list.purposes.map(clip).join(', ')})`,
    )
  const entries = bitstringEntryCount(list.bytes, reference.statusSize)
  if (entries < source.limits.minimumBitstringEntries)
    throw new CredsignError(
      'status_list_too_short',
      `the list holds ${entries} entries of ${reference.statusSize} bit(s), fewer than the minimum of ${source.limits.minimumBitstringEntries}`,
    )
  const value = readBitstringStatus(list.bytes, reference.index, reference.statusSize)
  const message = reference.messages?.get(value)
  const outcome: StatusOutcome = {
    mechanism: 'bitstring',
    list: reference.url,
    index: reference.index,
    purpose: reference.purpose,
    value,
    valid: true,
    ...(message === undefined ? {} : { message }),
  }
  const shown = `${reference.purpose} status ${value}${message === undefined ? '' : ` (${clip(message)})`}`
  if (value === 0) return { outcome, detail: `${shown}: not set` }
  switch (reference.purpose) {
    case 'revocation':
      return {
        outcome: { ...outcome, valid: false },
        detail: `revoked (${shown})`,
        error: 'status_revoked',
      }
    case 'suspension':
      return {
        outcome: { ...outcome, valid: false },
        detail: `suspended (${shown})`,
        error: 'status_suspended',
      }
    case 'refresh':
      // Section 2.1: refresh "does not invalidate the verifiable credential".
      return { outcome, detail: `${shown}: a refreshed credential is available` }
    case 'message':
      return { outcome, detail: shown }
    default:
      return {
        outcome: { ...outcome, valid: false },
        detail: `${shown}: a set status of a purpose credsign gives no meaning to`,
        error: 'status_unrecognized',
      }
  }
}

function readToken(
  reference: Extract<Reference, { kind: 'token-status-list' }>,
  list: VerifiedList,
): ReferenceOutcome {
  const bits = list.bits as TokenStatusBits
  const value = readTokenStatus(list.bytes, bits, reference.index)
  const name = TOKEN_STATUS_NAMES[value]
  const outcome: StatusOutcome = {
    mechanism: 'token-status-list',
    list: reference.url,
    index: reference.index,
    purpose: 'status_list',
    value,
    valid: value === 0,
    ...(name === undefined ? {} : { message: name }),
  }
  const shown = `status 0x${value.toString(16).padStart(2, '0')}${name === undefined ? '' : ` (${name})`}`
  if (value === 0) return { outcome, detail: shown }
  if (value === 1) return { outcome, detail: `revoked: ${shown}`, error: 'status_revoked' }
  if (value === 2) return { outcome, detail: `suspended: ${shown}`, error: 'status_suspended' }
  // 0x03 and 0x0C-0x0F are application specific, the rest unassigned (TSL section 7.2): no
  // statement can be made, so the credential is not accepted on credsign's word.
  return {
    outcome,
    detail: `${shown}: an application-specific or unassigned status`,
    error: 'status_unrecognized',
  }
}

/** The verified, decoded list for a reference: from the cache while fresh, else fetched. */
async function listFor(
  reference: Extract<Reference, { kind: 'bitstring' | 'token-status-list' }>,
  options: VerifyOptions,
  source: StatusListSource,
  verifyOther: Parameters<VerifyStep>[2],
): Promise<VerifiedList> {
  let cache = caches.get(source)
  if (cache === undefined) {
    // Bounded in bytes too: a list inflates to as much as maxListBytes, and any issuer can point
    // credentials at as many lists as it likes.
    cache = new Lru<string, CacheEntry>(Math.max(source.limits.cacheMaxEntries, 1), {
      of: (entry) => entry.list.bytes.length,
      max: source.limits.cacheMaxBytes ?? DEFAULT_STATUS_CACHE_MAX_BYTES,
    })
    caches.set(source, cache)
  }
  const key = `${reference.kind} ${reference.url}`
  const trust = verifiedWith(options)
  const cached = cache.get(key)
  if (
    cached !== undefined &&
    source.limits.clock() < cached.staleAt &&
    sameTrust(cached, trust, cached.usedHandlers)
  )
    return cached.list
  // Concurrent checks of one list with the same trust share one fetch and one verification, and
  // its outcome (a failure too, whatever the cache period); with another trust, their own.
  let pending = inFlight.get(source)
  if (pending === undefined) {
    pending = new Map()
    inFlight.set(source, pending)
  }
  const running = pending.get(key)
  if (running !== undefined && sameTrust(running, trust, true)) return (await running.load).list
  const load = loadList(reference, options, source, verifyOther, trust)
  const own = { ...trust, load }
  pending.set(key, own)
  try {
    const entry = await load
    if (source.limits.cacheMaxEntries > 0 && entry.staleAt > source.limits.clock())
      cache.set(key, entry)
    return entry.list
  } finally {
    if (pending.get(key) === own) pending.delete(key)
  }
}

/** What `options` verify a list with (the identity of a cached or running load). */
function verifiedWith(options: VerifyOptions): VerifiedWith {
  return {
    resolver: options.resolver,
    trustAnchors: options.trustAnchors,
    algorithms: options.algorithms?.join(',') ?? '',
    handlers: options.handlers,
  }
}

/** Whether a list verified with `a` is verified for `b` (handlers matter when one verified it). */
function sameTrust(a: VerifiedWith, b: VerifiedWith, handlersMatter: boolean): boolean {
  return (
    a.resolver === b.resolver &&
    a.trustAnchors === b.trustAnchors &&
    a.algorithms === b.algorithms &&
    (!handlersMatter || sameHandlers(a.handlers, b.handlers))
  )
}

function sameHandlers(a: VerifyOptions['handlers'], b: VerifyOptions['handlers']): boolean {
  const left = a ?? []
  const right = b ?? []
  return left.length === right.length && left.every((handler, i) => handler === right[i])
}

async function loadList(
  reference: Extract<Reference, { kind: 'bitstring' | 'token-status-list' }>,
  options: VerifyOptions,
  source: StatusListSource,
  verifyOther: Parameters<VerifyStep>[2],
  trust: VerifiedWith,
): Promise<CacheEntry> {
  const fetchedAt = source.limits.clock()
  let text: string
  try {
    text = await source.fetchList(reference.url, {
      mediaTypes: reference.kind === 'bitstring' ? BITSTRING_MEDIA_TYPES : TOKEN_MEDIA_TYPES,
    })
    if (typeof text !== 'string') throw new Error('not text')
  } catch (error) {
    // A source backed by the verifier's own store that fails: an outage, kept as such.
    if (CredsignError.is(error, 'status_list_unavailable') || isStoreFailure(error)) throw error
    throw new CredsignError(
      'status_list_unavailable',
      `the status list ${shownUrl(reference.url)} could not be had${CredsignError.is(error) ? `: ${error.message}` : ''}`,
    )
  }
  const verified =
    reference.kind === 'bitstring'
      ? await verifyBitstringList(text, reference.url, options, source, verifyOther)
      : await verifyTokenList(text, reference.url, options, source)
  const ttl = verified.ttlMs === undefined ? source.limits.defaultCacheMs : verified.ttlMs
  let staleAt = fetchedAt + Math.min(ttl, source.limits.maxCacheMs)
  if (verified.list.notAfter !== undefined) staleAt = Math.min(staleAt, verified.list.notAfter)
  return {
    list: verified.list,
    staleAt,
    ...trust,
    usedHandlers: verified.usedHandlers,
  }
}

/** The options a status list is verified with: the caller's trust, the list's own rules. */
function listOptions(options: VerifyOptions): VerifyOptions {
  const listed: VerifyOptions & AudienceOptions = {
    // A list is the same for every verifier: verified for no audience, so one with `aud` fails
    // (verify()'s one aud rule, src/verify/audience.ts), whatever audience the caller gave.
    [VERIFIER_AUDIENCE]: STATUS_LIST_AUDIENCE,
    ...(options.resolver === undefined ? {} : { resolver: options.resolver }),
    ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.clockToleranceSeconds === undefined
      ? {}
      : { clockToleranceSeconds: options.clockToleranceSeconds }),
    ...(options.handlers === undefined ? {} : { handlers: options.handlers }),
    ...(options.trustAnchors === undefined ? {} : { trustAnchors: options.trustAnchors }),
    // Whatever the caller relaxed for the credential, a list is held to the issuer's key and to
    // its own validity period.
    issuerBinding: true,
    checkValidity: true,
  }
  return listed
}

async function verifyBitstringList(
  text: string,
  url: string,
  options: VerifyOptions,
  source: StatusListSource,
  verifyOther: Parameters<VerifyStep>[2],
): Promise<{ list: VerifiedList; ttlMs: number | undefined; usedHandlers: boolean }> {
  // The text as served: verify() parses JSON with the strict parser (and bounds it) itself.
  const verified = await verifyOther(text, listOptions(options))
  const usedHandlers = !['vc+jwt', 'vc-jwt', 'sd-jwt', 'jwt', 'jws'].includes(verified.format)
  if (!verified.verified) {
    const codes = verified.errors.map((error) => error.code)
    const first = verified.errors[0]
    // The list's key could not be resolved because the verifier's own store failed: an outage.
    const outage = verified.errors.find((error) => STORE_FAILURE_CODES.has(error.code))
    if (outage !== undefined) throw new CredsignError(outage.code, outage.message)
    if (codes.every((code) => code === 'expired' || code === 'not_yet_valid'))
      throw new CredsignError(
        'status_list_expired',
        `the status list ${shownUrl(url)} is outside its validity period: ${first?.message ?? ''}`,
      )
    throw new CredsignError(
      'status_list_not_verified',
      `the status list ${shownUrl(url)} does not verify (${[...new Set(codes)].join(', ')}): ${first?.message ?? ''}`,
    )
  }
  const credential = verified.credential
  if (credential === undefined || verified.presentation !== undefined)
    throw new CredsignError('status_list_not_verified', `${shownUrl(url)} is not a credential`)
  // A status list has no holder: selective disclosure in one only lets whoever serves it (a cache,
  // a holder stapling it) withhold members the checks below rely on, its `id` above all (a list of
  // another population served at this URL). credsign asks for no SD-JWT media type, and refuses
  // one given in `lists` or served under another type.
  if (verified.format === 'sd-jwt')
    throw new CredsignError(
      'status_list_not_verified',
      `the status list ${shownUrl(url)} is an SD-JWT: a status list is not selectively disclosable`,
    )
  if (!(typesOf(credential.type) ?? []).includes('BitstringStatusListCredential'))
    throw new CredsignError(
      'status_list_not_verified',
      `${shownUrl(url)} is not a BitstringStatusListCredential`,
    )
  // The list's `id`, when it states one, must be the URL it was fetched for: a list of the same
  // issuer published elsewhere (another purpose, another population) is not this list.
  if (credential.id !== undefined && credential.id !== url)
    throw new CredsignError(
      'status_list_not_verified',
      `the status list's id ${shownUrl(String(credential.id))} is not ${shownUrl(url)}`,
    )
  const subject = credential.credentialSubject
  if (!isJsonObject(subject))
    throw new CredsignError(
      'status_list_not_verified',
      'the status list credential needs one credentialSubject object',
    )
  if (!(typesOf(subject.type) ?? []).includes('BitstringStatusList'))
    throw new CredsignError(
      'status_list_not_verified',
      'the status list credential subject is not a BitstringStatusList',
    )
  const purposes = asList(subject.statusPurpose)
  if (purposes.length === 0 || purposes.some((purpose) => typeof purpose !== 'string'))
    throw new CredsignError(
      'status_list_not_verified',
      'the status list states no statusPurpose string',
    )
  if (typeof subject.encodedList !== 'string')
    throw new CredsignError('status_list_invalid', 'the status list has no encodedList string')
  const ttl = subject.ttl
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0))
    throw new CredsignError('status_list_not_verified', 'the status list ttl is not a number')
  const bytes = await decodeBitstring(subject.encodedList, { maxBytes: source.limits.maxListBytes })
  // A JWT-secured list may state its validity as `nbf` / `exp` only (JwtVcSigner's `expiresIn`):
  // verify() held it to them once, and the cache must not reuse it outside them either.
  const claims = !usedHandlers && isJsonObject(verified.payload) ? verified.payload : {}
  // A list whose key came from an x5c chain is trusted only while that chain is valid: the cache
  // must not hand it out past the earliest notAfter of the path (the chain verdict is cached, so
  // asking again costs a lookup).
  const header = !usedHandlers && isJsonObject(verified.header) ? verified.header : {}
  let chain: X5cIssuerKey['chain'] | undefined
  if (header.x5c !== undefined && options.trustAnchors !== undefined) {
    try {
      chain = (await x5cIssuerKey(header, listOptions(options), true, new ResultBuilder('jwt')))
        ?.chain
    } catch (error) {
      throw new CredsignError(
        'status_list_not_verified',
        `the status list ${shownUrl(url)} does not verify (${CredsignError.is(error) ? error.code : 'certificate_invalid'})`,
      )
    }
  }
  // A Data Integrity list is valid only while its proofs are (section 3.2 step 4: all of them
  // verify): not before the latest proof `created` nor past the earliest proof `expires` either,
  // for the cache and for every check (a joiner's or a later caller's `now` is not the loader's).
  const notBefore = latest(
    latest(latest(dateOf(credential.validFrom), secondsOf(claims.nbf)), chain?.validFrom),
    proofsCreated(credential.proof),
  )
  const notAfter = earliest(
    earliest(
      earliest(dateOf(credential.validUntil ?? credential.expirationDate), secondsOf(claims.exp)),
      chain?.validUntil,
    ),
    proofsExpire(credential.proof),
  )
  return {
    list: {
      kind: 'bitstring',
      issuer: verified.issuer,
      // verify() held the list's issuer to its key (listOptions: issuerBinding true).
      issuerBound: verified.issuer !== undefined,
      keyId: verified.key?.id ?? '',
      keyController: verified.key?.controller,
      bytes,
      purposes: purposes as string[],
      bits: undefined,
      notBefore,
      notAfter,
    },
    // W3C `ttl` is in milliseconds (section 2.2).
    ttlMs: ttl,
    usedHandlers,
  }
}

async function verifyTokenList(
  text: string,
  url: string,
  options: VerifyOptions,
  source: StatusListSource,
): Promise<{ list: VerifiedList; ttlMs: number | undefined; usedHandlers: boolean }> {
  let verified
  let x5c: X5cIssuerKey | undefined
  try {
    // A list signed under an X.509 chain (HAIP) takes its key from x5c under the caller's trust
    // anchors, as the credential's did in the JWT / SD-JWT handlers; without anchors, x5c is not
    // looked at (a list naming its key only by x5c then has none: not verified).
    if (options.trustAnchors !== undefined) {
      const limits = jwsLimits({})
      const [raw] = splitJws(text.trim(), limits).signatures
      const header = raw === undefined ? {} : decodeSignature(raw, limits).protectedHeader
      x5c = await x5cIssuerKey(
        header,
        options,
        header.kid !== undefined || header.jwk !== undefined,
        new ResultBuilder('jwt'),
      )
    }
    verified = await verifyJwt(text.trim(), {
      ...(x5c !== undefined
        ? { key: x5c.key.publicJwk }
        : options.resolver === undefined
          ? {}
          : { resolver: options.resolver }),
      ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.clockToleranceSeconds === undefined
        ? {}
        : { clockToleranceSeconds: options.clockToleranceSeconds }),
      typ: 'statuslist+jwt',
      // TSL section 5.1: `sub` MUST equal the referenced token's `uri`; `iat` is required.
      subject: url,
      requiredClaims: ['sub', 'iat', 'status_list'],
    })
  } catch (error) {
    if (isStoreFailure(error)) throw error // the verifier's own key store: an outage
    const code = CredsignError.is(error) ? error.code : 'malformed'
    const message = CredsignError.is(error) ? error.message : 'the token could not be verified'
    if (code === 'expired' || code === 'not_yet_valid')
      throw new CredsignError(
        'status_list_expired',
        `the status list token ${shownUrl(url)}: ${message}`,
      )
    throw new CredsignError(
      'status_list_not_verified',
      `the status list token ${shownUrl(url)} does not verify (${code}): ${message}`,
    )
  }
  const claims = verified.payload
  // verifyJwt checks aud only against an audience it is given (jose's rule); verify()'s rule
  // refuses a list addressed to anyone (src/verify/audience.ts), as it does a vc+jwt list.
  const audience = audienceProblem(
    claims.aud,
    verifierAudienceOf({ [VERIFIER_AUDIENCE]: STATUS_LIST_AUDIENCE }),
    'the status list token',
  )
  if (audience !== undefined)
    throw new CredsignError(
      'status_list_not_verified',
      `the status list token ${shownUrl(url)} does not verify (audience_mismatch): ${audience}`,
    )
  if (typeof claims.iat !== 'number')
    throw new CredsignError('status_list_not_verified', 'the status list token iat is not a number')
  if (x5c !== undefined) {
    // The leaf certificate must name the list's `iss` (without one, the list is bound below by
    // its very key: the credential's leaf).
    const binding = new ResultBuilder('jwt')
    const iss = typeof claims.iss === 'string' ? claims.iss : undefined
    checkCertificateBinding(iss, x5c.chain, { issuerBinding: true }, binding)
    if (binding.failed)
      throw new CredsignError(
        'status_list_not_verified',
        `the status list token ${shownUrl(url)} does not verify (certificate_san_mismatch): ${binding.errors[0]?.message ?? ''}`,
      )
  }
  const ttl = claims.ttl
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0))
    throw new CredsignError(
      'status_list_not_verified',
      'the status list token ttl is not a positive number',
    )
  const statusList = claims.status_list
  if (!isJsonObject(statusList))
    throw new CredsignError('status_list_invalid', 'status_list is not an object')
  if (!isTokenStatusBits(statusList.bits))
    throw new CredsignError('status_list_invalid', 'status_list.bits must be 1, 2, 4 or 8')
  const bytes = await decodeTokenStatusList(statusList.lst as string, {
    maxBytes: source.limits.maxListBytes,
  })
  return {
    list: {
      kind: 'token-status-list',
      issuer: typeof claims.iss === 'string' ? claims.iss : undefined,
      // Under x5c the leaf must name `iss` (checkCertificateBinding above); with a resolved key, its
      // controller (checked against the credential's issuer) is what binds it.
      issuerBound: x5c !== undefined && typeof claims.iss === 'string',
      keyId: x5c?.key.id ?? verified.key.id,
      keyController: x5c === undefined ? verified.key.controller : undefined,
      bytes,
      purposes: [],
      bits: statusList.bits,
      // A list signed under a certificate chain is trusted only while the chain is valid: the
      // cache must not hand it out past the earliest notAfter of the path.
      notBefore: latest(secondsOf(claims.nbf), x5c?.chain.validFrom),
      notAfter: earliest(
        typeof claims.exp === 'number' ? claims.exp * 1000 : undefined,
        x5c?.chain.validUntil,
      ),
    },
    // TSL `ttl` is in seconds (section 5.1).
    ttlMs: ttl === undefined ? undefined : (ttl as number) * 1000,
    usedHandlers: false,
  }
}

/** The latest `created` of a list credential's Data Integrity proofs, in epoch milliseconds. */
function proofsCreated(proof: unknown): number | undefined {
  let last: number | undefined
  if (proof === undefined) return last
  for (const one of asList(proof)) if (isJsonObject(one)) last = latest(last, dateOf(one.created))
  return last
}

/** The earliest `expires` of a list credential's Data Integrity proofs, in epoch milliseconds. */
function proofsExpire(proof: unknown): number | undefined {
  let first: number | undefined
  if (proof === undefined) return first
  for (const one of asList(proof))
    if (isJsonObject(one)) first = earliest(first, dateOf(one.expires))
  return first
}

/** A JWT NumericDate claim in epoch milliseconds. */
function secondsOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value * 1000 : undefined
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b)
}

function latest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b)
}

function dateOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const time = Date.parse(value)
  return Number.isNaN(time) ? undefined : time
}

function clip(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)
}
