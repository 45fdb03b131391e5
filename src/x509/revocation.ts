import type * as Pkijs from 'pkijs'
import { CredsignError } from '../errors/credsign-error.js'
import type { ErrorCode } from '../errors/credsign-error.js'
import { b64u, constantTimeEqual, subtle, toArrayBufferView, toHex } from '../util/bytes.js'
import { BoundedMap } from './bounded-map.js'
import { codecs } from './core-codecs.js'
import { decodeCertificate } from './parse.js'
import type { CertificateSummary, DecodedCertificate } from './parse.js'
import {
  checkCertificateForm,
  checkValidityPeriod,
  position,
  weakSignatureAlgorithm,
} from './path-validation.js'
import { loadPkijs } from './pkijs.js'

/*
 * Certificate revocation (RFC 5280 CRLs, RFC 6960 OCSP) for an x5c path, only through the caller's
 * fetch (the verify layer hands in a bounded GET: resolve/bounded-fetch.ts). pkijs parses the CRL
 * and OCSP structures and checks signatures; it does not check a CRL's dates, the issuer's cRLSign,
 * who signed an OCSP response for which CA in the way credsign needs (its verify() accepts any
 * responder chaining to the trusted certificates it is given), or an OCSP answer's dates, so
 * credsign checks those here.
 *
 * Caches: verified CRLs by URL and issuer (name and key), until their nextUpdate (and at most the
 * reader's `cacheMs`), at most 64 of them and CRL_CACHE_MAX_WEIGHT in all; OCSP answers by issuer
 * and serial, the same way. A failure is never cached. Concurrent verifications share one fetch
 * (and its verification) of a CRL or an OCSP answer while it is in flight (see {@link sharedLoad}),
 * each waiting for it no longer than its own fetch would have run.
 */

/**
 * What the verify layer passes for revocation checking.
 *
 * @example
 *
 * ```ts
 * const context: RevocationContext = {
 *   mode: 'require',
 *   cacheMs: 3_600_000,
 *   fetchBytes: async (url, mediaTypes) => new Uint8Array(),
 *   shownUrl: (url) => JSON.stringify(new URL(url).origin),
 * }
 * ```
 *
 * @internal
 */
export interface RevocationContext {
  mode: 'require' | 'if-available'
  cacheMs: number
  /** GETs `url` (bounded, no redirects) and returns the body; throws on any failure. */
  fetchBytes: (url: string, mediaTypes: readonly string[]) => Promise<Uint8Array>
  /**
   * Waits for `shared`, a fetch another verification started, no longer than this verification
   * would let a fetch of its own run from now (its timeout, within its time budget): then rejects
   * as `fetchBytes` would. Without it a verification waits as long as the fetch it joined runs.
   */
  waitForShared?: <T>(shared: Promise<T>) => Promise<T>
  /**
   * A URL as messages show it (util/shown-url.ts `shownUrl`: no userinfo, query or fragment).
   * Handed in, not imported: this module loads lazily, and a module it shares with the entry's
   * static imports goes into the initial load of every app (+0.3 KB gz on verifySignature). Without
   * it, messages name no URL.
   */
  shownUrl?: (url: string) => string
}

/** A {@link RevocationContext} for one {@link checkRevocation} call. */
interface CheckContext extends RevocationContext {
  /** Wall-clock ms when this check began (a `cacheMs: 0` check joins only fetches begun since). */
  startedAt: number
  shownUrl: (url: string) => string
}

const CRL_MEDIA_TYPES = [
  'application/pkix-crl',
  'application/x-pkcs7-crl',
  'application/octet-stream',
]
const OCSP_MEDIA_TYPES = ['application/ocsp-response']

const CRL_DISTRIBUTION_POINTS = '2.5.29.31'
const AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1'
const ACCESS_METHOD_OCSP = '1.3.6.1.5.5.7.48.1'
const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1'
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9'
/** Id-pkix-ocsp-nocheck (RFC 6960 section 4.2.2.2.1): the responder certificate is not checked. */
const OCSP_NO_CHECK = '1.3.6.1.5.5.7.48.1.5'
const RESPONDER_EXTENSIONS: ReadonlySet<string> = new Set([OCSP_NO_CHECK])
/** CRL extensions credsign processes; any other critical one makes the CRL unusable. */
const UNDERSTOOD_CRL_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.20', // cRLNumber
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.28', // issuingDistributionPoint (its scope is checked: crlScope)
])
const ISSUING_DISTRIBUTION_POINT = '2.5.29.28'
const DELTA_CRL_INDICATOR = '2.5.29.27'
/** CRL entry extensions whose presence, critical or not, changes nothing credsign decides. */
const UNDERSTOOD_ENTRY_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.21', // reasonCode (every reason, certificateHold included, counts as revoked)
  '2.5.29.24', // invalidityDate
])
/** At most this many CRL and OCSP locations are tried per certificate. */
const MAX_SOURCES = 4
/**
 * How far a thisUpdate may lie after the verification time: the responder's clock and ours differ,
 * and an answer made while verify() runs is stamped after the `now` it started with.
 */
const CLOCK_SKEW_MS = 5 * 60_000
/** An OCSP answer without nextUpdate is fresh for this long after its thisUpdate. */
const OCSP_WITHOUT_NEXT_UPDATE_MS = 5 * 60_000
const HASH_OF_OID: ReadonlyMap<string, string> = new Map([
  ['1.3.14.3.2.26', 'SHA-1'],
  ['2.16.840.1.101.3.4.2.1', 'SHA-256'],
  ['2.16.840.1.101.3.4.2.2', 'SHA-384'],
  ['2.16.840.1.101.3.4.2.3', 'SHA-512'],
])

/** Which certificates a CRL covers (its issuingDistributionPoint; all of the issuer's without). */
interface CrlScope {
  /** The locations (URIs) it names as its own; undefined when it names none. */
  locations: readonly string[] | undefined
  onlyUserCerts: boolean
  onlyCaCerts: boolean
}

interface CrlEntry {
  revoked: ReadonlySet<string>
  /** Roughly the bytes it holds (see {@link crlWeight}): the CRL cache's total is bounded. */
  weight: number
  scope: CrlScope
  thisUpdate: number
  nextUpdate: number
  /** Wall-clock ms when it was fetched (see {@link stale}). */
  fetchedAt: number
}

interface OcspEntry {
  status: 'good' | 'revoked'
  thisUpdate: number
  freshUntil: number
  /**
   * The validity of the delegated responder certificate that signed it; undefined when the CA
   * signed it itself (the chain's own validation covers the CA). Checked at each verification's own
   * `now` (responderValidAt), not when the answer was verified: verifications at other times share
   * the answer. (Only the dates are kept: not the certificate, for the cache's size.)
   */
  responderValidity: Pick<CertificateSummary, 'notBefore' | 'notAfter'> | undefined
  /** Wall-clock ms when it was fetched (see {@link stale}). */
  fetchedAt: number
}

/**
 * The most the cached CRLs weigh in all (their {@link crlWeight}s). Each CRL may be up to the trust
 * anchors' `maxBytes` (64 MiB at most): 64 of them could otherwise hold gigabytes. A CRL heavier
 * than this alone is used but not cached (fetched again by the next verification).
 */
const CRL_CACHE_MAX_WEIGHT = 16 * 1024 * 1024
/** What {@link crlWeight} counts per revoked serial beyond its characters (string, set slot). */
const SERIAL_OVERHEAD_BYTES = 64
/** What {@link crlWeight} counts per CRL beyond its serials and locations. */
const CRL_OVERHEAD_BYTES = 256

const crls = new BoundedMap<CrlEntry>(64, {
  of: (entry) => entry.weight,
  max: CRL_CACHE_MAX_WEIGHT,
})
const ocspAnswers = new BoundedMap<OcspEntry>(1024)

/** A fetch (and verification) in flight, shared by the verifications that need it meanwhile. */
interface Load<T> {
  /** Wall-clock ms when the fetch began. */
  startedAt: number
  /** How it ended, once it has: never rejects. */
  outcome: Promise<LoadOutcome<T>>
}
/** CRL fetches in flight, by the CRL cache's key. */
const crlLoads = new Map<string, Load<CrlEntry>>()
/** OCSP fetches in flight, by the OCSP cache's key and the request's URL. */
const ocspLoads = new Map<string, Load<OcspEntry>>()

/**
 * Whether a cached answer is no longer reused: past its nextUpdate, or older than this caller's
 * `cacheMs`. The caches are shared by every trust anchor set in the process, each with its own
 * `cacheMs`, so the age is checked against the reader's, not the one of whoever stored it.
 */
function stale(fetchedAt: number, validUntil: number, cacheMs: number): boolean {
  const wallClock = Date.now()
  return wallClock > validUntil || wallClock - fetchedAt > cacheMs
}

function fail(code: ErrorCode, message: string, cause?: unknown): never {
  throw new CredsignError(code, message, cause === undefined ? undefined : { cause })
}

/**
 * Checks that no certificate of `path` (leaf first, the trust anchor last; the anchor itself is not
 * checked: it is trusted by configuration) is revoked at `now`, as `context.mode` asks. Returns
 * what was checked, for the `certificate_chain` check's detail. Errors: `certificate_revoked`,
 * `revocation_unavailable` (`'require'` mode), `revocation_invalid`.
 *
 * @example
 *
 * ```ts
 * declare const path: DecodedCertificate[], context: RevocationContext
 * const detail = await checkRevocation(path, Date.now(), context) // 'revocation: 2 good (CRL)'
 * ```
 *
 * @internal
 */
export async function checkRevocation(
  path: readonly DecodedCertificate[],
  now: number,
  context: RevocationContext,
): Promise<string> {
  const check: CheckContext = {
    ...context,
    startedAt: Date.now(),
    shownUrl: context.shownUrl ?? ((): string => '(a URL)'),
  }
  const pkijs = await loadPkijs()
  const answers: string[] = []
  for (let index = 0; index + 1 < path.length; index++) {
    const certificate = path[index] as DecodedCertificate
    const issuer = path[index + 1] as DecodedCertificate
    const where = position(index, path.length - 1)
    answers.push(await certificateStatus(pkijs, certificate, issuer, where, now, check))
  }
  return `revocation: ${answers.join(', ')}`
}

async function certificateStatus(
  pkijs: typeof Pkijs,
  certificate: DecodedCertificate,
  issuer: DecodedCertificate,
  where: string,
  now: number,
  context: CheckContext,
): Promise<string> {
  const sources = [
    ...crlUrls(pkijs, certificate).map((url) => ({ kind: 'CRL', url })),
    ...ocspUrls(pkijs, certificate).map((url) => ({ kind: 'OCSP', url })),
  ].slice(0, MAX_SOURCES)
  const problems: CredsignError[] = []
  for (const source of sources) {
    let status: 'good' | 'revoked'
    try {
      status =
        source.kind === 'CRL'
          ? await crlStatus(pkijs, certificate, issuer, source.url, now, context)
          : await ocspStatus(pkijs, certificate, issuer, source.url, now, context)
    } catch (error) {
      if (!CredsignError.is(error)) throw error
      problems.push(error)
      continue
    }
    if (status === 'revoked')
      fail(
        'certificate_revoked',
        `${where} (serial ${certificate.summary.serialNumber}) is revoked (${source.kind} ${context.shownUrl(source.url)})`,
      )
    return `${where} good (${source.kind})`
  }
  // No answer. Data that was fetched and does not verify is never a pass: someone answered falsely.
  const invalid = problems.find((problem) => problem.code === 'revocation_invalid')
  if (invalid !== undefined) throw invalid
  const why =
    sources.length === 0
      ? 'it names no CRL distribution point or OCSP responder (http/https)'
      : problems.map((problem) => problem.message).join('; ')
  if (context.mode === 'require')
    fail('revocation_unavailable', `no revocation answer for ${where}: ${why}`)
  return `${where} not checked (${sources.length === 0 ? 'no CRL or OCSP location' : 'unavailable'})`
}

function httpUri(name: Pkijs.GeneralName): string | undefined {
  // GeneralName [6] uniformResourceIdentifier; only http and https are fetched (no ldap, no file).
  if (name.type !== 6 || typeof name.value !== 'string') return undefined
  return /^https?:\/\/[^\s]+$/i.test(name.value) ? name.value : undefined
}

function extensionValue<T>(certificate: DecodedCertificate, oid: string): T | undefined {
  const extension = certificate.pkijs.extensions?.find((candidate) => candidate.extnID === oid)
  return extension?.parsedValue as T | undefined
}

function crlUrls(pkijs: typeof Pkijs, certificate: DecodedCertificate): string[] {
  const points = extensionValue<Pkijs.CRLDistributionPoints>(certificate, CRL_DISTRIBUTION_POINTS)
  if (!(points instanceof pkijs.CRLDistributionPoints)) return []
  const urls: string[] = []
  for (const point of points.distributionPoints) {
    // A point with cRLIssuer (an indirect CRL) or reasons (a partial one) is not a complete CRL of
    // this certificate's issuer: credsign does not process those.
    if (point.cRLIssuer !== undefined || point.reasons !== undefined) continue
    const names = point.distributionPoint
    if (!Array.isArray(names)) continue
    for (const name of names) {
      const url = httpUri(name)
      if (url !== undefined) urls.push(url)
    }
  }
  return urls
}

function ocspUrls(pkijs: typeof Pkijs, certificate: DecodedCertificate): string[] {
  const access = extensionValue<Pkijs.InfoAccess>(certificate, AUTHORITY_INFO_ACCESS)
  if (!(access instanceof pkijs.InfoAccess)) return []
  const urls: string[] = []
  for (const description of access.accessDescriptions) {
    if (description.accessMethod !== ACCESS_METHOD_OCSP) continue
    const url = httpUri(description.accessLocation)
    if (url !== undefined) urls.push(url)
  }
  return urls
}

/**
 * `step` (getting the bytes at a URL, or waiting for another's fetch of them); any failure of it is
 * `revocation_unavailable` at that URL (`shown`: as messages show it).
 */
async function unavailableOnFailure<T>(shown: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (cause) {
    const reason = CredsignError.is(cause) ? cause.message : 'the request failed'
    return fail('revocation_unavailable', `${shown}: ${reason}`, cause)
  }
}

/**
 * How a load (a fetch and the verification of what it brought) ended. The kinds differ in who else
 * may take them: an answer and a refusal of what was brought are the same for every verification
 * that needed it; a failure of the fetch itself is not (see {@link joined}).
 */
type LoadOutcome<T> =
  /** The fetch brought an answer that verified. */
  | { kind: 'answered'; value: T }
  /** The fetch brought something, and it was refused (revocation_invalid, an OCSP non-answer). */
  | { kind: 'refused'; error: unknown }
  /**
   * The fetch itself failed (revocation_unavailable at its URL): of the fetching verification's own
   * limits (its fetch function, timeout, time budget, maxBytes).
   */
  | { kind: 'fetch-failed'; error: unknown }

/**
 * Fetches `url` as `context` allows, then `judge`s what came: which of the two failed is the
 * outcome's kind. Never rejects.
 */
async function load<T>(
  url: string,
  mediaTypes: readonly string[],
  context: CheckContext,
  judge: (body: Uint8Array) => Promise<T>,
): Promise<LoadOutcome<T>> {
  let body: Uint8Array
  try {
    body = await unavailableOnFailure(context.shownUrl(url), () =>
      context.fetchBytes(url, mediaTypes),
    )
  } catch (error) {
    return { kind: 'fetch-failed', error }
  }
  try {
    return { kind: 'answered', value: await judge(body) }
  } catch (error) {
    return { kind: 'refused', error }
  }
}

/** The value of an answered `outcome`; throws the failure of any other. */
function answerOf<T>(outcome: LoadOutcome<T>): T {
  if (outcome.kind === 'answered') return outcome.value
  throw outcome.error
}

/**
 * The answer of the load in flight under `key` in `loads`, or of a new one (`start`) that
 * verifications needing the same key meanwhile join. The load is forgotten once it settles: its
 * answer is kept only by the caches' own rules, and a failure is not kept at all. A joiner acts on
 * the kind of the load's outcome ({@link joined}): an answer, or a refusal of what the fetch
 * brought, is the same for all; a failure of the fetch itself may come of the fetching
 * verification's own limits (a shorter timeout, its fetch function), so the joiner then fetches on
 * its own.
 *
 * A waiter waits no longer than its own fetch would have run ({@link RevocationContext}
 * `waitForShared`), then fails as that fetch would (`revocation_unavailable` at `url`, its own
 * fetch's URL); the load goes on for the others.
 *
 * Which loads a caller joins: the answer a load brings was made after the load began, so a load is
 * joined when that answer cannot be older than what the caller accepts: begun after this check
 * began (an answer as new as one of its own fetch would be), or within its `cacheMs` (the age it
 * accepts of a cached answer). So `cacheMs: 0` (no reuse) joins only loads begun since its check
 * began, never an earlier one: that one's answer may have been made before this caller asked, and
 * taking it would be reuse. Such a caller fetches its own, which later callers join.
 */
async function sharedLoad<T>(
  loads: Map<string, Load<T>>,
  key: string,
  url: string,
  context: CheckContext,
  start: () => Promise<LoadOutcome<T>>,
): Promise<T> {
  const inFlight = loads.get(key)
  const oldestAccepted = Math.min(context.startedAt, Date.now() - context.cacheMs)
  if (inFlight !== undefined && inFlight.startedAt >= oldestAccepted)
    return joined(inFlight.outcome, url, context, start)
  const started: Load<T> = { startedAt: Date.now(), outcome: start() }
  loads.set(key, started)
  // Only this load: a `cacheMs: 0` caller's newer load may have taken its place meanwhile.
  void started.outcome.then(() => {
    if (loads.get(key) === started) loads.delete(key)
  })
  return answerOf(await started.outcome)
}

/**
 * Waits for `outcome` (another verification's load) within this verification's own time limit, then
 * acts on its kind: an answer or a refusal is taken as it is; a failed fetch is fetched again on
 * this verification's own (`start`, not shared), once.
 */
async function joined<T>(
  outcome: Promise<LoadOutcome<T>>,
  url: string,
  context: CheckContext,
  start: () => Promise<LoadOutcome<T>>,
): Promise<T> {
  const { waitForShared } = context
  // Only the wait's failure (this verification's time is up) is this caller's
  // revocation_unavailable at `url`; the load's own failures are in its outcome.
  const shared =
    waitForShared === undefined
      ? await outcome
      : await unavailableOnFailure(context.shownUrl(url), () => waitForShared(outcome))
  // A fetch that failed (timed out at the other's shorter limit, refused by its fetch function, over
  // its maxBytes) says nothing of this verification's own fetch: that one is made, within this
  // verification's own limits. What a fetch brought and failed to verify is the same for all.
  return answerOf(shared.kind === 'fetch-failed' ? await start() : shared)
}

/**
 * A serial number as the signed integer it is (RFC 5280 section 4.1.2.2: verifiers handle negative
 * serials): the hex of its minimal two's complement. Dropping a leading 00 octet, as the
 * certificate summary's display form does, would make 128 (00 80) and -128 (80) one serial: a CRL
 * entry or a cached OCSP answer of one would count for the other.
 */
function serialKey(integer: { valueBlock: { valueHexView: Uint8Array } }): string {
  let bytes = integer.valueBlock.valueHexView
  while (
    bytes.length > 1 &&
    ((bytes[0] === 0x00 && (bytes[1] as number) < 0x80) ||
      (bytes[0] === 0xff && (bytes[1] as number) >= 0x80))
  )
    bytes = bytes.subarray(1)
  return toHex(bytes)
}

/**
 * The issuing CA in a cache key: its name and its key. A serial number is unique per issuer name
 * (RFC 5280 section 4.1.2.2), and a CA renamed with its key kept signs for both names: by key
 * alone, the answer for one name's serial 4660 was reused for the other's.
 */
function issuerCacheKey(issuer: DecodedCertificate): string {
  return `${b64u(issuer.subjectDer)}.${b64u(issuer.spkiDer)}`
}

// --- CRL -------------------------------------------------------------------------------------

async function crlStatus(
  pkijs: typeof Pkijs,
  certificate: DecodedCertificate,
  issuer: DecodedCertificate,
  url: string,
  now: number,
  context: CheckContext,
): Promise<'good' | 'revoked'> {
  const cacheKey = `${url}\u0000${issuerCacheKey(issuer)}`
  const shown = context.shownUrl(url)
  let entry = context.cacheMs > 0 ? crls.get(cacheKey) : undefined
  if (entry !== undefined && stale(entry.fetchedAt, entry.nextUpdate, context.cacheMs)) {
    crls.delete(cacheKey)
    entry = undefined
  }
  if (entry === undefined) {
    // Concurrent verifications of tokens under one CA share one fetch (a busy verifier at a CRL's
    // nextUpdate would otherwise fetch it once per request in flight). What is shared does not
    // depend on this caller's `now`: the CRL's dates and scope are checked below, by each.
    entry = await sharedLoad(crlLoads, cacheKey, url, context, async () =>
      load(url, CRL_MEDIA_TYPES, context, async (body) => verifiedCrl(pkijs, body, issuer, shown)),
    )
    if (context.cacheMs > 0) crls.set(cacheKey, entry)
  }
  // This caller's issuer certificate, not the one the cached or shared CRL was verified with: the
  // key is the CA's name and key, and another certificate of them may grant cRLSign.
  if (issuer.summary.keyUsage !== undefined && !issuer.summary.keyUsage.includes('cRLSign'))
    fail(
      'revocation_invalid',
      `the CRL ${shown} is signed by ${issuer.summary.subject}, whose keyUsage lacks cRLSign`,
    )
  if (entry.thisUpdate > now + CLOCK_SKEW_MS)
    fail('revocation_invalid', `the CRL ${shown} is not valid before its thisUpdate`)
  if (entry.nextUpdate < now)
    fail(
      'revocation_invalid',
      `the CRL ${shown} is out of date: its nextUpdate ${new Date(entry.nextUpdate).toISOString()} has passed`,
    )
  // RFC 5280 section 6.3.3 (b)(2): a CRL of another distribution point, or of the issuer's CA
  // certificates only (or end-entity ones only), is not this certificate's list.
  const { scope } = entry
  const isCa = certificate.summary.basicConstraints?.ca === true
  if (scope.locations !== undefined && !scope.locations.includes(url))
    fail(
      'revocation_invalid',
      `the CRL ${shown} is the list of another distribution point (issuingDistributionPoint: ${scope.locations.map(context.shownUrl).join(', ') || 'no URI'})`,
    )
  if ((scope.onlyUserCerts && isCa) || (scope.onlyCaCerts && !isCa))
    fail(
      'revocation_invalid',
      `the CRL ${shown} covers only ${scope.onlyCaCerts ? 'CA' : 'end-entity'} certificates (issuingDistributionPoint), not ${certificate.summary.subject}`,
    )
  return entry.revoked.has(serialKey(certificate.pkijs.serialNumber)) ? 'revoked' : 'good'
}

/**
 * Roughly the bytes a cached CRL holds: its revoked serials (hex strings in a set) and the
 * locations of its scope. Not its DER size: what is kept is the decoded list, not the bytes.
 */
function crlWeight(revoked: ReadonlySet<string>, scope: CrlScope): number {
  let weight = CRL_OVERHEAD_BYTES
  for (const serial of revoked) weight += serial.length + SERIAL_OVERHEAD_BYTES
  for (const location of scope.locations ?? []) weight += 2 * location.length
  return weight
}

/**
 * The scope of a CRL from its issuingDistributionPoint (RFC 5280 section 5.2.5). Indirect CRLs,
 * CRLs of some reasons only and of attribute certificates only are not complete lists of the
 * issuer's certificates: `revocation_invalid`.
 */
function crlScope(
  pkijs: typeof Pkijs,
  crl: Pkijs.CertificateRevocationList,
  invalid: (why: string) => never,
): CrlScope {
  const extension = crl.crlExtensions?.extensions.find(
    (candidate) => candidate.extnID === ISSUING_DISTRIBUTION_POINT,
  )
  if (extension === undefined)
    return { locations: undefined, onlyUserCerts: false, onlyCaCerts: false }
  const point = extension.parsedValue as unknown
  if (!(point instanceof pkijs.IssuingDistributionPoint))
    return invalid('has an issuingDistributionPoint that does not decode')
  if (point.indirectCRL) invalid('is an indirect CRL (issuingDistributionPoint)')
  if (point.onlySomeReasons !== undefined)
    invalid('covers only some revocation reasons (issuingDistributionPoint)')
  if (point.onlyContainsAttributeCerts)
    invalid('covers only attribute certificates (issuingDistributionPoint)')
  let locations: string[] | undefined
  if (point.distributionPoint !== undefined) {
    // nameRelativeToCRLIssuer: matched against nothing credsign reads (it fetches full-name URIs).
    if (!Array.isArray(point.distributionPoint))
      invalid('names its distribution point relative to its issuer (issuingDistributionPoint)')
    locations = point.distributionPoint.flatMap((name) =>
      name.type === 6 && typeof name.value === 'string' ? [name.value] : [],
    )
  }
  return {
    locations,
    onlyUserCerts: point.onlyContainsUserCerts,
    onlyCaCerts: point.onlyContainsCACerts,
  }
}

/** The DER of a CRL: as fetched, or from a PEM `X509 CRL` block (some CAs publish PEM). */
function crlDer(body: Uint8Array, shown: string): Uint8Array {
  if (body[0] !== 0x2d) return body
  try {
    const block = codecs()
      .decodePem(new TextDecoder('utf-8', { fatal: true }).decode(body))
      .find((candidate) => candidate.label === 'X509 CRL')
    if (block !== undefined) return block.der
  } catch {
    // reported below
  }
  return fail('revocation_invalid', `the CRL ${shown} is neither DER nor a PEM X509 CRL`)
}

async function verifiedCrl(
  pkijs: typeof Pkijs,
  body: Uint8Array,
  issuer: DecodedCertificate,
  shown: string,
): Promise<CrlEntry> {
  const invalid = (why: string, cause?: unknown): never =>
    fail('revocation_invalid', `the CRL ${shown} ${why}`, cause)
  let crl: Pkijs.CertificateRevocationList
  try {
    crl = pkijs.CertificateRevocationList.fromBER(toArrayBufferView(crlDer(body, shown)))
  } catch (cause) {
    return invalid('is not a DER CertificateList', cause)
  }
  if (!crl.issuer.isEqual(issuer.pkijs.subject))
    invalid(`is issued by another CA than ${issuer.summary.subject}`)
  const algorithm = crl.signatureAlgorithm.algorithmId
  if (
    weakSignatureAlgorithm(pkijs, crl.signatureAlgorithm) !== undefined ||
    crl.signature.algorithmId !== algorithm
  )
    invalid(`has a weak or inconsistent signature algorithm (${algorithm})`)
  for (const extension of crl.crlExtensions?.extensions ?? []) {
    // A delta CRL lists only the changes since a base CRL: never the complete list, critical or not
    // (RFC 5280 requires it critical; a CA that forgot would otherwise pass its revocations by).
    if (extension.extnID === DELTA_CRL_INDICATOR)
      invalid('is a delta CRL (deltaCRLIndicator), not the complete list')
    // Any other extension whose meaning credsign cannot read is not taken as the complete list.
    if (extension.critical && !UNDERSTOOD_CRL_EXTENSIONS.has(extension.extnID))
      invalid(`has the critical extension ${extension.extnID}, which credsign does not process`)
  }
  const scope = crlScope(pkijs, crl, invalid)
  let signed: boolean
  try {
    signed = await crl.verify({ issuerCertificate: issuer.pkijs })
  } catch (cause) {
    return invalid('signature could not be checked', cause)
  }
  if (!signed) invalid(`signature does not verify with the key of ${issuer.summary.subject}`)
  const nextUpdate = crl.nextUpdate?.value
  // RFC 5280 section 5.1.2.5: conforming CAs include nextUpdate; without it nothing bounds replay.
  if (nextUpdate === undefined) invalid('has no nextUpdate')
  const revoked = new Set<string>()
  for (const entry of crl.revokedCertificates ?? []) {
    for (const extension of entry.crlEntryExtensions?.extensions ?? []) {
      if (extension.critical && !UNDERSTOOD_ENTRY_EXTENSIONS.has(extension.extnID))
        invalid(`has an entry with the critical extension ${extension.extnID}`)
    }
    revoked.add(serialKey(entry.userCertificate))
  }
  const next = (nextUpdate as Date).getTime()
  return {
    revoked,
    weight: crlWeight(revoked, scope),
    scope,
    thisUpdate: crl.thisUpdate.value.getTime(),
    nextUpdate: next,
    fetchedAt: Date.now(),
  }
}

// --- OCSP ------------------------------------------------------------------------------------

async function ocspStatus(
  pkijs: typeof Pkijs,
  certificate: DecodedCertificate,
  issuer: DecodedCertificate,
  url: string,
  now: number,
  context: CheckContext,
): Promise<'good' | 'revoked'> {
  const cacheKey = `${issuerCacheKey(issuer)}\u0000${serialKey(certificate.pkijs.serialNumber)}`
  const shown = context.shownUrl(url)
  let entry = context.cacheMs > 0 ? ocspAnswers.get(cacheKey) : undefined
  if (entry !== undefined && stale(entry.fetchedAt, entry.freshUntil, context.cacheMs)) {
    ocspAnswers.delete(cacheKey)
    entry = undefined
  }
  // An answer whose delegated responder is not valid at this `now` (an earlier or later time than
  // the one it was checked at) is not reused: fetched again, its signer is checked at this time.
  const validity = entry?.responderValidity
  if (
    validity !== undefined &&
    (now < Date.parse(validity.notBefore) || now > Date.parse(validity.notAfter))
  )
    entry = undefined
  if (entry === undefined) {
    // RFC 6960 appendix A.1 / RFC 5019: GET {url}/{base64 of the DER request, URL-encoded}. No
    // nonce (a GET answer is cacheable by design): freshness is thisUpdate / nextUpdate below.
    const request = new pkijs.OCSPRequest()
    await request.createForCertificate(certificate.pkijs, {
      hashAlgorithm: 'SHA-1',
      issuerCertificate: issuer.pkijs,
    })
    const der = new Uint8Array(request.toSchema(true).toBER(false))
    const target = `${url}${url.endsWith('/') ? '' : '/'}${encodeURIComponent(codecs().base64.encode(der))}`
    // Concurrent verifications of one certificate share one request to its responder (N of them
    // made N requests: a load amplifier against the responder). What is shared does not depend on
    // this caller's `now`: the answer's dates and its responder's validity are checked below, by
    // each at its own time.
    entry = await sharedLoad(ocspLoads, `${cacheKey}\u0000${target}`, target, context, async () =>
      load(target, OCSP_MEDIA_TYPES, context, async (body) =>
        verifiedOcsp(pkijs, body, certificate, issuer, shown),
      ),
    )
    // (A cached answer passed this already: it is used only at a time inside its responder's
    // validity, above.)
    responderValidAt(entry, shown, now)
    if (context.cacheMs > 0) ocspAnswers.set(cacheKey, entry)
  }
  if (entry.thisUpdate > now + CLOCK_SKEW_MS)
    fail('revocation_invalid', `the OCSP response of ${shown} is not valid before its thisUpdate`)
  if (entry.freshUntil < now)
    fail(
      'revocation_invalid',
      `the OCSP response of ${shown} is out of date (nextUpdate ${new Date(entry.freshUntil).toISOString()})`,
    )
  return entry.status
}

/**
 * The delegated responder that signed `entry` is valid at `now` (RFC 6960 section 4.2.2.2: the
 * responder certificate is checked as any other), else `revocation_invalid`.
 */
function responderValidAt(entry: OcspEntry, shown: string, now: number): void {
  if (entry.responderValidity === undefined) return
  try {
    checkValidityPeriod(entry.responderValidity, 'the responder certificate', now)
  } catch (error) {
    if (!CredsignError.is(error)) throw error
    fail(
      'revocation_invalid',
      `the OCSP response of ${shown} is signed by a responder certificate that is not usable: ${error.message}`,
    )
  }
}

async function verifiedOcsp(
  pkijs: typeof Pkijs,
  body: Uint8Array,
  certificate: DecodedCertificate,
  issuer: DecodedCertificate,
  shown: string,
): Promise<OcspEntry> {
  const invalid = (why: string, cause?: unknown): never =>
    fail('revocation_invalid', `the OCSP response of ${shown} ${why}`, cause)
  let basic: Pkijs.BasicOCSPResponse
  try {
    const response = pkijs.OCSPResponse.fromBER(toArrayBufferView(body))
    const status = response.responseStatus.valueBlock.valueDec
    // tryLater, internalError, unauthorized, …: the responder gave no answer (not a false one).
    if (status !== 0)
      return fail('revocation_unavailable', `the OCSP responder ${shown} answered status ${status}`)
    if (response.responseBytes?.responseType !== OCSP_BASIC)
      return invalid('is not a basic OCSP response')
    basic = pkijs.BasicOCSPResponse.fromBER(
      toArrayBufferView(response.responseBytes.response.valueBlock.valueHexView),
    )
  } catch (cause) {
    if (CredsignError.is(cause)) throw cause
    return invalid('is not a DER OCSPResponse', cause)
  }
  const { signer, responder } = await authorizedResponder(pkijs, basic, issuer, invalid)
  const algorithm = basic.signatureAlgorithm.algorithmId
  if (weakSignatureAlgorithm(pkijs, basic.signatureAlgorithm) !== undefined)
    invalid(`is signed with a weak algorithm (${algorithm})`)
  let signed: boolean
  try {
    signed = await pkijs
      .getCrypto(true)
      .verifyWithPublicKey(
        toArrayBufferView(basic.tbsResponseData.tbsView),
        basic.signature,
        signer.subjectPublicKeyInfo,
        basic.signatureAlgorithm,
      )
  } catch (cause) {
    return invalid('signature could not be checked', cause)
  }
  if (!signed) invalid('signature does not verify')

  const single = await responseFor(pkijs, basic, certificate, issuer)
  // credsign processes no OCSP extension (it sends no nonce): a critical one is not understood.
  const critical = [
    ...(basic.tbsResponseData.responseExtensions ?? []),
    ...(single?.singleExtensions ?? []),
  ].find((extension) => extension.critical)
  if (critical !== undefined) invalid(`has the critical extension ${critical.extnID}`)
  if (single === undefined)
    return fail(
      'revocation_unavailable',
      `the OCSP response of ${shown} has no answer for ${certificate.summary.subject}`,
    )
  const tag = single.certStatus?.idBlock as { tagNumber?: number } | undefined
  // CertStatus: good [0], revoked [1], unknown [2] (the responder does not know the certificate).
  const status = tag?.tagNumber === 0 ? 'good' : tag?.tagNumber === 1 ? 'revoked' : undefined
  if (status === undefined)
    return fail(
      'revocation_unavailable',
      `the OCSP responder ${shown} does not know the certificate`,
    )
  const thisUpdate = single.thisUpdate.getTime()
  const freshUntil = single.nextUpdate?.getTime() ?? thisUpdate + OCSP_WITHOUT_NEXT_UPDATE_MS
  return {
    status,
    thisUpdate,
    freshUntil,
    responderValidity:
      responder === undefined
        ? undefined
        : { notBefore: responder.summary.notBefore, notAfter: responder.summary.notAfter },
    fetchedAt: Date.now(),
  }
}

/**
 * The certificate that may sign an OCSP answer for `issuer`'s certificates (RFC 6960 section
 * 4.2.2.2): the issuing CA itself, or a delegated responder certificate carried in the response,
 * issued (and signed) by that CA, with id-kp-OCSPSigning in its extKeyUsage, digitalSignature when
 * it has keyUsage (and valid at the verification time: responderValidAt, by each verification that
 * uses the answer). A responder trusted only through another CA is refused. `responder` is
 * undefined when the CA signed the answer itself.
 */
async function authorizedResponder(
  pkijs: typeof Pkijs,
  basic: Pkijs.BasicOCSPResponse,
  issuer: DecodedCertificate,
  invalid: (why: string) => never,
): Promise<{ signer: Pkijs.Certificate; responder: DecodedCertificate | undefined }> {
  const responderId = basic.tbsResponseData.responderID as unknown
  const matches = async (candidate: Pkijs.Certificate): Promise<boolean> => {
    if (responderId instanceof pkijs.RelativeDistinguishedNames)
      return candidate.subject.isEqual(responderId)
    const keyHash = (responderId as { valueBlock?: { valueHexView?: Uint8Array } }).valueBlock
      ?.valueHexView
    if (keyHash === undefined) return false
    const key = candidate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView
    const digest = new Uint8Array(await subtle().digest('SHA-1', toArrayBufferView(key)))
    return constantTimeEqual(digest, keyHash)
  }
  if (await matches(issuer.pkijs)) return { signer: issuer.pkijs, responder: undefined }
  for (const candidate of basic.certs ?? []) {
    if (!(await matches(candidate))) continue
    if (!candidate.issuer.isEqual(issuer.pkijs.subject))
      invalid(`is signed by a responder that ${issuer.summary.subject} did not issue`)
    let issuedByCa: boolean
    try {
      issuedByCa = await candidate.verify(issuer.pkijs)
    } catch {
      issuedByCa = false
    }
    if (!issuedByCa)
      invalid(`is signed by a responder whose certificate ${issuer.summary.subject} did not sign`)
    let responder: DecodedCertificate
    try {
      responder = await decodeCertificate(new Uint8Array(candidate.toSchema(true).toBER(false)))
    } catch {
      return invalid('carries a responder certificate that does not decode')
    }
    const { summary } = responder
    if (!(summary.extendedKeyUsage ?? []).includes(OCSP_SIGNING))
      invalid('is signed by a responder certificate without id-kp-OCSPSigning (extKeyUsage)')
    if (summary.keyUsage !== undefined && !summary.keyUsage.includes('digitalSignature'))
      invalid('is signed by a responder certificate without digitalSignature (keyUsage)')
    try {
      // The x5c certificates' own rules but validity: no SHA-1/MD5 signature, no unknown critical
      // extension (id-pkix-ocsp-nocheck is understood: its revocation is not checked).
      checkCertificateForm(pkijs, responder, 'the responder certificate', RESPONDER_EXTENSIONS)
    } catch (error) {
      if (!CredsignError.is(error)) throw error
      invalid(`is signed by a responder certificate that is not usable: ${error.message}`)
    }
    return { signer: candidate, responder }
  }
  return invalid(`is signed neither by ${issuer.summary.subject} nor by a responder it delegated`)
}

async function responseFor(
  pkijs: typeof Pkijs,
  basic: Pkijs.BasicOCSPResponse,
  certificate: DecodedCertificate,
  issuer: DecodedCertificate,
): Promise<Pkijs.SingleResponse | undefined> {
  // The certificate's CertID once per hash algorithm, not once per answer: a response may carry
  // many answers (for other certificates), each would hash the issuer's name and key again.
  const ids = new Map<string, Pkijs.CertID>()
  for (const single of basic.tbsResponseData.responses) {
    const hashAlgorithm = HASH_OF_OID.get(single.certID.hashAlgorithm.algorithmId)
    if (hashAlgorithm === undefined) continue
    let id = ids.get(hashAlgorithm)
    if (id === undefined) {
      id = new pkijs.CertID()
      await id.createForCertificate(certificate.pkijs, {
        hashAlgorithm,
        issuerCertificate: issuer.pkijs,
      })
      ids.set(hashAlgorithm, id)
    }
    if (id.isEqual(single.certID)) return single
  }
  return undefined
}

/**
 * Empties the CRL and OCSP caches (tests and benchmarks of a first fetch).
 *
 * @example
 *
 * ```ts
 * clearRevocationCache()
 * ```
 *
 * @internal
 */
export function clearRevocationCache(): void {
  crls.clear()
  ocspAnswers.clear()
}

/**
 * What the cached CRLs weigh in all (see crlWeight; at most 16 MiB): for tests of the bound.
 *
 * @example
 *
 * ```ts
 * crlCacheWeight() // 0 after clearRevocationCache()
 * ```
 *
 * @internal
 */
export function crlCacheWeight(): number {
  return crls.totalWeight
}
