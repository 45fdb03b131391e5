import { parseEnvelopedCredential } from '../credential/enveloped.js'
import { decodeSdJwt } from '../formats/sd-jwt/decode.js'
import { pathOf } from '../formats/sd-jwt/process.js'
import type { DecodedDisclosure } from '../formats/sd-jwt/types.js'
import type { VerificationIssue, VerificationResult } from '../verify/types.js'
import { clientChecks, type ClientCheck } from './client-checks.js'
import { clientMessage } from './problem.js'

/*
 * What the verifier page shows of a verification (docs/http.md, "The verifier page"): the verdict of
 * `verify()` turned into plain strings the page puts into the DOM as text. Built on the server, so
 * the page's script stays small and every message passes through the same filter as the API's
 * (`clientMessage`: a server fault's message never leaves the server).
 */

/** One subject claim: its JSON path, its value as text, and whether an SD-JWT disclosure gave it. */
export interface CardClaim {
  path: string
  value: string
  /** SD-JWT: the claim (or an object or array holding it) came from a disclosure. */
  disclosed?: true
}

/** One check `verify()` ran; a failed one has the code of the error it raised. */
export type CardCheck = ClientCheck

/** A date of the credential, labelled with where it came from. */
export interface CardDate {
  label: string
  value: string
}

/** The verdict card of one credential or presentation (the JSON `POST /verify` answers). */
export interface VerdictCard {
  verified: boolean
  /** `verify()`'s format (`vc+jwt`, `sd-jwt`, `data-integrity`, …). */
  format: string
  /** The format for people: `JWT-VC (vc+jwt, VCDM 2.0)`, `SD-JWT VC (dc+sd-jwt)`, … */
  formatLabel: string
  kind: 'credential' | 'presentation' | 'signed data' | 'unknown'
  /** Set when the kind needs a word of explanation (a plain JWT is no credential). */
  note?: string
  types: string[]
  /** SD-JWT VC: the credential type (`vct`). */
  vct?: string
  /** The issuer (credentials) or holder (presentations): its id, and its name when it has one. */
  issuer?: string
  issuerName?: string
  holder?: string
  /** The key that verified the signature. */
  key?: string
  dates: CardDate[]
  claims: CardClaim[]
  /** Claims not shown: more than {@link MAX_CLAIMS}. */
  claimsOmitted?: number
  /**
   * SD-JWT: the disclosed claim paths, and where digests stayed undisclosed (absent when the SD-JWT
   * could not be read again).
   */
  sdJwt?: { disclosed: string[]; withheld?: { path: string; count: number }[] }
  checks: CardCheck[]
  /** Errors no failed check accounts for. */
  errors: { code: string; message: string; path?: string }[]
  /** A presentation's credentials, in order. */
  credentials: VerdictCard[]
}

/** Most claim rows in one card: a card is for reading, not for dumping a document. */
const MAX_CLAIMS = 300
/** Longest value shown in full (an embedded image can be a megabyte of base64). */
const MAX_VALUE_CHARS = 400
/** JWT claims shown as dates, not as subject claims, in an SD-JWT VC or a plain JWT. */
const REGISTERED_CLAIMS = new Set(['iss', 'iat', 'nbf', 'exp', 'cnf', 'vct', 'status', 'jti'])
/** Members of a credential shown in the card's header, not among the subject claims. */
const JWT_DATES: ReadonlyArray<readonly [string, string]> = [
  ['iat', 'Issued at (iat)'],
  ['nbf', 'Not before (nbf)'],
  ['exp', 'Expires (exp)'],
]
const DOCUMENT_DATES: ReadonlyArray<readonly [string, string]> = [
  ['validFrom', 'Valid from'],
  ['validUntil', 'Valid until'],
  ['issuanceDate', 'Issuance date'],
  ['expirationDate', 'Expiration date'],
]

/**
 * The card of a verification result. `input` is what was verified: for a top-level SD-JWT it tells
 * where digests stayed undisclosed (the result lists only what was disclosed).
 *
 * @internal
 */
export function verdictCard(result: VerificationResult, input?: unknown): VerdictCard {
  const payload = isRecord(result.payload) ? result.payload : undefined
  // A failed verification often stops before the handler names the credential: show what the
  // document claims to be (the page says it cannot be trusted).
  const claimed = result.verified ? {} : claimedDocument(payload, input)
  const presentation = result.presentation ?? claimed.presentation
  const credential =
    presentation === undefined ? (result.credential ?? claimed.credential) : undefined
  const document = presentation ?? credential
  const typ = typeof result.header?.typ === 'string' ? result.header.typ : undefined
  const kind: VerdictCard['kind'] =
    presentation !== undefined
      ? 'presentation'
      : credential !== undefined || (result.format === 'sd-jwt' && payload !== undefined)
        ? 'credential'
        : result.format === 'jwt' || result.format === 'jws'
          ? 'signed data'
          : 'unknown'
  const card: VerdictCard = {
    verified: result.verified,
    format: result.format,
    formatLabel: formatLabel(result, typ, document),
    kind,
    types: document === undefined ? [] : strings(document.type),
    dates: [],
    claims: [],
    ...checksAndErrors(result),
    credentials: (result.credentials ?? []).map((embedded, index) =>
      verdictCard(embedded, embeddedInput(presentation, index)),
    ),
  }
  if (kind === 'signed data')
    card.note =
      'A signed JWT or JWS, not a verifiable credential: only its signature and claims were checked.'
  if (result.key !== undefined) card.key = result.key.id

  if (presentation !== undefined) {
    const holder = partyId(presentation.holder) ?? result.issuer
    if (holder !== undefined) card.holder = holder
  } else if (credential !== undefined) {
    const issuer = partyId(credential.issuer) ?? result.issuer
    if (issuer !== undefined) card.issuer = issuer
    const name = partyName(credential.issuer)
    if (name !== undefined) card.issuerName = name
  } else if (result.issuer !== undefined || typeof payload?.iss === 'string') {
    card.issuer = result.issuer ?? (payload!.iss as string)
  }
  if (typeof payload?.vct === 'string') card.vct = payload.vct

  if (document !== undefined) addDates(card.dates, document, DOCUMENT_DATES, isoText)
  if (payload !== undefined) addDates(card.dates, payload, JWT_DATES, epochText)
  for (const proof of proofs(document)) {
    if (typeof proof.created === 'string')
      card.dates.push({ label: 'Proof created', value: proof.created })
    if (typeof proof.expires === 'string')
      card.dates.push({ label: 'Proof expires', value: proof.expires })
  }

  const disclosed = result.format === 'sd-jwt' ? (result.disclosed ?? []) : undefined
  const subject = subjectOf(presentation, credential, payload)
  if (subject !== undefined) {
    const rows: CardClaim[] = []
    flatten(subject.value, subject.base, subject.base, rows, disclosed ?? [])
    card.claims = rows.slice(0, MAX_CLAIMS)
    if (rows.length > MAX_CLAIMS) card.claimsOmitted = rows.length - MAX_CLAIMS
  }
  if (disclosed !== undefined) {
    const withheld = typeof input === 'string' ? withheldDigests(input) : undefined
    card.sdJwt = {
      disclosed: [...disclosed].sort(),
      ...(withheld === undefined ? {} : { withheld }),
    }
  }
  return card
}

/** A card for input refused before `verify()` could run (a paste that is not JSON). @internal */
export function refusedCard(issue: VerificationIssue): VerdictCard {
  return {
    verified: false,
    format: 'unknown',
    formatLabel: 'Not recognised',
    kind: 'unknown',
    types: [],
    dates: [],
    claims: [],
    checks: [],
    errors: [{ code: issue.code, message: clientMessage(issue.code, issue.message) }],
    credentials: [],
  }
}

function formatLabel(
  result: VerificationResult,
  typ: string | undefined,
  document: Record<string, unknown> | undefined,
): string {
  switch (result.format) {
    case 'vc+jwt':
      return 'JWT-VC (VC-JOSE-COSE vc+jwt, VCDM 2.0)'
    case 'vp+jwt':
      return 'JWT-VP (VC-JOSE-COSE vp+jwt, VCDM 2.0)'
    case 'vc-jwt':
      return 'JWT-VC (VCDM 1.1)'
    case 'vp-jwt':
      return 'JWT-VP (VCDM 1.1)'
    case 'jwt':
      return 'JWT'
    case 'jws':
      return 'JWS'
    case 'sd-jwt':
      if (typ === 'dc+sd-jwt' || (typ === 'vc+sd-jwt' && result.credential === undefined))
        return `SD-JWT VC (${typ})`
      return typ === undefined ? 'SD-JWT' : `SD-JWT (${typ})`
    case 'data-integrity': {
      const suites = [...new Set(proofs(document).map((p) => p.cryptosuite ?? p.type))].filter(
        (s): s is string => typeof s === 'string',
      )
      return suites.length === 0 ? 'Data Integrity' : `Data Integrity (${suites.join(', ')})`
    }
    default:
      return 'Not recognised'
  }
}

/** The checks with the code of each failed one, and the errors no failed check accounts for. */
function checksAndErrors(result: VerificationResult): Pick<VerdictCard, 'checks' | 'errors'> {
  const { checks, unpaired } = clientChecks(result)
  const errors = unpaired.map((e) => ({
    code: e.code,
    message: clientMessage(e.code, e.message),
    ...(e.path === undefined ? {} : { path: e.path }),
  }))
  return { checks, errors }
}

/** Where the subject claims are: `credentialSubject`, or an SD-JWT VC's / JWT's own claims. */
function subjectOf(
  presentation: Record<string, unknown> | undefined,
  credential: Record<string, unknown> | undefined,
  payload: Record<string, unknown> | undefined,
): { value: unknown; base: string } | undefined {
  if (presentation !== undefined) return undefined
  if (credential !== undefined) {
    const subject = credential.credentialSubject
    return subject === undefined ? undefined : { value: subject, base: 'credentialSubject' }
  }
  if (payload === undefined) return undefined
  const claims = Object.fromEntries(
    Object.entries(payload).filter(([name]) => !REGISTERED_CLAIMS.has(name)),
  )
  return { value: claims, base: '' }
}

/**
 * What a presentation's credential number `index` was before it was verified: the compact string,
 * the content of an `EnvelopedVerifiableCredential`, or the object (`result.credentials` follows
 * the order of `verifiableCredential`).
 */
function embeddedInput(presentation: Record<string, unknown> | undefined, index: number): unknown {
  const entries = presentation?.verifiableCredential
  const entry = Array.isArray(entries)
    ? (entries[index] as unknown)
    : index === 0
      ? entries
      : undefined
  if (!isRecord(entry) || !strings(entry.type).includes('EnvelopedVerifiableCredential'))
    return entry
  try {
    return parseEnvelopedCredential(entry).text
  } catch {
    return undefined
  }
}

/**
 * What an unverified document claims to be: a credential (it has `credentialSubject`, or a VCDM 1.1
 * JWT's `vc` claim has) or a presentation (`VerifiablePresentation` among its types, or a `vp`
 * claim), from the JWT payload or the JSON document that was pasted.
 */
function claimedDocument(
  payload: Record<string, unknown> | undefined,
  input: unknown,
): { credential?: Record<string, unknown>; presentation?: Record<string, unknown> } {
  for (const candidate of [payload?.vp, payload?.vc, payload, input]) {
    if (!isRecord(candidate)) continue
    if (strings(candidate.type).includes('VerifiablePresentation') || candidate === payload?.vp)
      return { presentation: candidate }
    if (candidate.credentialSubject !== undefined) return { credential: candidate }
  }
  return {}
}

/**
 * Flattens a subject into rows, one per leaf, with paths relative to the subject (`name`,
 * `address.locality`, `[1].name` for the second of several subjects). `disclosed` holds SD-JWT
 * paths from the document's top (`credentialSubject.name`): a row is disclosed when its path or an
 * ancestor's is among them.
 */
function flatten(
  value: unknown,
  fullPath: string,
  base: string,
  rows: CardClaim[],
  disclosed: readonly string[],
): void {
  if (rows.length > MAX_CLAIMS) return
  const shownPath = base === '' ? fullPath : fullPath.slice(base.length).replace(/^\./, '')
  const isLeaf =
    value === null ||
    typeof value !== 'object' ||
    (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0)
  if (isLeaf) {
    const row: CardClaim = { path: shownPath === '' ? '(value)' : shownPath, value: text(value) }
    if (disclosed.some((d) => d === fullPath || isAncestor(d, fullPath))) row.disclosed = true
    rows.push(row)
    return
  }
  if (Array.isArray(value)) {
    value.forEach((element, index) =>
      flatten(element, pathOf(fullPath, index), base, rows, disclosed),
    )
    return
  }
  for (const [name, member] of Object.entries(value as Record<string, unknown>))
    flatten(member, pathOf(fullPath, name), base, rows, disclosed)
}

function isAncestor(ancestor: string, path: string): boolean {
  return (
    path.startsWith(ancestor) &&
    (path[ancestor.length] === '.' || path[ancestor.length] === '[') &&
    ancestor !== ''
  )
}

function text(value: unknown): string {
  const full = typeof value === 'string' ? value : JSON.stringify(value)
  return full.length > MAX_VALUE_CHARS
    ? `${full.slice(0, MAX_VALUE_CHARS)}… (${full.length} characters)`
    : full
}

/**
 * Where an SD-JWT's digests stayed undisclosed: for each object (`_sd`) or array (`...` elements),
 * how many digests no presented disclosure matches. These are withheld claims or decoys (RFC 9901
 * section 4.2.5): a verifier cannot tell which, nor what a withheld claim is called.
 */
function withheldDigests(input: string): { path: string; count: number }[] | undefined {
  let decoded: ReturnType<typeof decodeSdJwt>
  try {
    decoded = decodeSdJwt(input.trim())
  } catch {
    return undefined
  }
  const byDigest = new Map<string, DecodedDisclosure>(decoded.disclosures.map((d) => [d.digest, d]))
  const counts = new Map<string, number>()
  const withhold = (path: string): void => {
    counts.set(path, (counts.get(path) ?? 0) + 1)
  }
  const walk = (value: unknown, path: string, depth: number): void => {
    if (depth > 128 || value === null || typeof value !== 'object') return
    if (Array.isArray(value)) {
      let index = 0
      for (const element of value) {
        const digest = isRecord(element) ? element['...'] : undefined
        if (typeof digest === 'string' && Object.keys(element as object).length === 1) {
          const disclosure = byDigest.get(digest)
          if (disclosure === undefined) withhold(path)
          else walk(disclosure.value, pathOf(path, index++), depth + 1)
        } else walk(element, pathOf(path, index++), depth + 1)
      }
      return
    }
    const record = value as Record<string, unknown>
    if (Array.isArray(record._sd)) {
      for (const digest of record._sd) {
        const disclosure = typeof digest === 'string' ? byDigest.get(digest) : undefined
        if (disclosure === undefined || disclosure.name === undefined) withhold(path)
        else walk(disclosure.value, pathOf(path, disclosure.name), depth + 1)
      }
    }
    for (const [name, member] of Object.entries(record)) {
      if (name === '_sd' || (name === '_sd_alg' && path === '')) continue
      walk(member, pathOf(path, name), depth + 1)
    }
  }
  walk(decoded.payload, '', 0)
  return [...counts].map(([path, count]) => ({ path: path === '' ? '(top level)' : path, count }))
}

function addDates(
  dates: CardDate[],
  source: Record<string, unknown>,
  names: ReadonlyArray<readonly [string, string]>,
  render: (value: unknown) => string | undefined,
): void {
  for (const [name, label] of names) {
    const value = render(source[name])
    if (value !== undefined) dates.push({ label, value })
  }
}

function isoText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function epochText(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined
  const date = new Date(value * 1000)
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace(/\.000Z$/, 'Z')
}

function proofs(document: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const proof = document?.proof
  return (Array.isArray(proof) ? proof : [proof]).filter(isRecord)
}

function partyId(party: unknown): string | undefined {
  if (typeof party === 'string') return party
  return isRecord(party) && typeof party.id === 'string' ? party.id : undefined
}

function partyName(party: unknown): string | undefined {
  if (!isRecord(party) || party.name === undefined) return undefined
  return text(party.name)
}

function strings(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((t): t is string => typeof t === 'string')
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
