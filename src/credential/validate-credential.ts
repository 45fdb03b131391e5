import { CredsignError } from '../errors/credsign-error.js'
import { parseDateTime } from './date-time.js'
import type { ValidationProblem, VcVersion } from './types.js'
import { checkContext } from './validate-context.js'
import {
  asList,
  checkLanguageValues,
  isAbsoluteUrl,
  isJsonObject,
  joinPath,
  Problems,
  typesOf,
} from './validate-shared.js'
import { dataModelVersion } from './data-model-version.js'

/**
 * Options of {@link validateCredential} and {@link credentialProblems}.
 *
 * @example
 *
 * ```ts
 * import { validateCredential } from 'credsign'
 * const options = { strict: true, allowProperties: ['awardedBy'] }
 * ```
 */
export interface ValidateCredentialOptions {
  /**
   * The data model to check against. Default: the one the first `@context` entry declares; a
   * document that declares neither is invalid.
   */
  version?: VcVersion
  /**
   * Refuse top-level members the base context does not define (a typo such as `validUntill` would
   * otherwise silently mean "never expires"). Default: `true` for VCDM 2.0, `false` for 1.1.
   * Extension members need `allowProperties` (or `strict: false`).
   */
  strict?: boolean
  /** Top-level members accepted in strict mode besides the data model's own. */
  allowProperties?: readonly string[]
  /**
   * Accept a credential whose issuer is still to be filled in: no `issuer` at all, or an `issuer`
   * object without an `id` member (`{ name: 'Example University' }`), as an issuing service
   * receives it before it adds its own identifier. A present but wrong value (`null`, `{ id: null
   * }`, a non-URL) is still a problem. Default false. (`JwtVcSigner` fills a missing `issuer` from
   * the key; an issuer object needs its `id` from the caller.)
   */
  allowMissingIssuer?: boolean
  /** Accept a VCDM 1.1 credential without `issuanceDate` (signers fill it). Default false. */
  allowMissingIssuanceDate?: boolean
  /**
   * The document is processed as JSON-LD (Data Integrity), which refuses an inline context that
   * redefines a protected term of the base context itself (`protected_term_redefinition`): not
   * checked here then. Default false: such a context is a problem (a JOSE-secured document is never
   * expanded, and VC-JOSE-COSE requires well-formed compact JSON-LD).
   */
  jsonLd?: boolean
}

/** Top-level members of a credential the VCDM 2.0 base context defines. */
const V2_CREDENTIAL_MEMBERS = new Set([
  '@context',
  'id',
  'type',
  'name',
  'description',
  'issuer',
  'credentialSubject',
  'validFrom',
  'validUntil',
  'credentialStatus',
  'credentialSchema',
  'refreshService',
  'termsOfUse',
  'evidence',
  'proof',
  'relatedResource',
  'renderMethod',
  'confidenceMethod',
])

/** Top-level members of a credential the VCDM 1.1 base context defines. */
const V1_CREDENTIAL_MEMBERS = new Set([
  '@context',
  'id',
  'type',
  'issuer',
  'issuanceDate',
  'expirationDate',
  'credentialSubject',
  'credentialStatus',
  'credentialSchema',
  'refreshService',
  'termsOfUse',
  'evidence',
  'proof',
  'validFrom',
  'validUntil',
])

/**
 * Every data model problem of a credential (VCDM 1.1 or 2.0), in document order; empty when it is
 * valid. Checks what can be checked without JSON-LD processing: `@context` (base context first, the
 * other entries URLs or objects), `type` includes `VerifiableCredential`, `id` / `issuer` / subject
 * ids are single URLs, `credentialSubject` present and every subject makes a claim, date-time
 * formats and order, `type` on status, schema, evidence, refresh, terms of use, proof (and in 2.0
 * `renderMethod` / `confidenceMethod`) objects, a URL `id` on schemas; in VCDM 2.0 also `name` /
 * `description` (on the credential and the issuer) as strings or language value objects and
 * `relatedResource` (unique URL ids, a `digestSRI` or `digestMultibase`); and (strict mode) no
 * unknown top-level members. What only JSON-LD expansion decides (undefined or redefined terms,
 * what an inline context maps a type to) is left to Data Integrity. Never throws.
 *
 * @example
 *
 * ```ts
 * import { credentialProblems } from 'credsign'
 * credentialProblems({
 *   '@context': ['https://www.w3.org/ns/credentials/v2'],
 *   type: ['VerifiableCredential'],
 *   credentialSubject: {},
 * })
 * // [{ path: 'issuer', message: 'issuer is required' }, { path: 'credentialSubject', message: '…' }]
 * ```
 */
export function credentialProblems(
  credential: unknown,
  options: ValidateCredentialOptions = {},
): ValidationProblem[] {
  const problems = new Problems()
  checkCredentialAt(credential, options, problems, '')
  return problems.list
}

/**
 * Throws `credential_invalid` (message `path: problem`) at the first data model problem of a
 * credential; see {@link credentialProblems} for what is checked.
 *
 * @example
 *
 * ```ts
 * import { validateCredential } from 'credsign'
 * validateCredential({
 *   '@context': ['https://www.w3.org/ns/credentials/v2'],
 *   type: ['VerifiableCredential'],
 *   issuer: 'did:example:issuer',
 *   credentialSubject: { id: 'did:example:alice' },
 * }) // passes
 * ```
 */
export function validateCredential(
  credential: unknown,
  options: ValidateCredentialOptions = {},
): void {
  const [first] = credentialProblems(credential, options)
  if (first) throw new CredsignError('credential_invalid', formatProblem(first))
}

/** `path: message`, or just the message for the root. @internal */
export function formatProblem(problem: ValidationProblem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`
}

/** Checks one credential found at `path` (the root, or inside a presentation). @internal */
export function checkCredentialAt(
  credential: unknown,
  options: ValidateCredentialOptions,
  problems: Problems,
  path: string,
): void {
  if (!isJsonObject(credential)) {
    problems.add(path, 'a credential must be a JSON object')
    return
  }
  const version = options.version ?? dataModelVersion(credential)
  const protectedTerms = options.jsonLd !== true
  if (version === undefined) {
    checkContext(credential, '2.0', problems, path, protectedTerms)
    return
  }
  checkContext(credential, version, problems, path, protectedTerms)
  checkId(credential.id, problems, joinPath(path, 'id'))
  checkType(credential.type, 'VerifiableCredential', problems, joinPath(path, 'type'))

  const allowMissingIssuer = options.allowMissingIssuer === true
  if (credential.issuer === undefined) {
    if (!allowMissingIssuer) problems.add(joinPath(path, 'issuer'), 'issuer is required')
  } else {
    checkParty(credential.issuer, 'issuer', problems, joinPath(path, 'issuer'), {
      allowMissingId: allowMissingIssuer,
    })
  }
  checkSubjects(credential.credentialSubject, problems, joinPath(path, 'credentialSubject'))

  if (version === '2.0') {
    checkLanguageValues(credential.name, 'name', problems, joinPath(path, 'name'))
    checkLanguageValues(
      credential.description,
      'description',
      problems,
      joinPath(path, 'description'),
    )
    if (isJsonObject(credential.issuer)) {
      checkLanguageValues(credential.issuer.name, 'name', problems, joinPath(path, 'issuer.name'))
      checkLanguageValues(
        credential.issuer.description,
        'description',
        problems,
        joinPath(path, 'issuer.description'),
      )
    }
    const from = checkDate(credential, 'validFrom', true, problems, path)
    const until = checkDate(credential, 'validUntil', true, problems, path)
    if (from !== undefined && until !== undefined && until < from)
      problems.add(joinPath(path, 'validUntil'), 'validUntil is before validFrom')
  } else {
    if (credential.issuanceDate === undefined) {
      if (!options.allowMissingIssuanceDate)
        problems.add(joinPath(path, 'issuanceDate'), 'issuanceDate is required in VCDM 1.1')
    }
    const from = checkDate(credential, 'issuanceDate', false, problems, path)
    const until = checkDate(credential, 'expirationDate', false, problems, path)
    if (from !== undefined && until !== undefined && until < from)
      problems.add(joinPath(path, 'expirationDate'), 'expirationDate is before issuanceDate')
  }

  // VCDM 2.0 says "one or more" for each of these sets, so an empty array is a problem there; 1.1
  // documents keep the earlier behaviour (an empty array is no value).
  const nonEmpty = version === '2.0'
  checkTypedObjects(
    credential,
    'credentialStatus',
    { needsId: version === '1.1', nonEmpty },
    problems,
    path,
  )
  checkTypedObjects(credential, 'credentialSchema', { needsId: true, nonEmpty }, problems, path)
  checkTypedObjects(
    credential,
    'refreshService',
    { needsId: version === '1.1', nonEmpty },
    problems,
    path,
  )
  checkTypedObjects(credential, 'termsOfUse', { nonEmpty }, problems, path)
  checkTypedObjects(credential, 'evidence', { nonEmpty }, problems, path)
  checkTypedObjects(credential, 'proof', { nonEmpty }, problems, path)
  if (version === '2.0') {
    // Reserved extension points (VCDM 2.0 section 5.10): "implementations MUST specify a type".
    checkTypedObjects(credential, 'renderMethod', { nonEmpty }, problems, path)
    checkTypedObjects(credential, 'confidenceMethod', { nonEmpty }, problems, path)
    checkRelatedResources(credential.relatedResource, problems, joinPath(path, 'relatedResource'))
  }

  const strict = options.strict ?? version === '2.0'
  if (strict) {
    const known = version === '2.0' ? V2_CREDENTIAL_MEMBERS : V1_CREDENTIAL_MEMBERS
    checkMembers(credential, known, options.allowProperties, problems, path)
  }
}

/** `id` of a credential or presentation: optional, one URL. @internal */
export function checkId(id: unknown, problems: Problems, path: string): void {
  if (id !== undefined && !isAbsoluteUrl(id)) problems.add(path, 'id must be a single URL')
}

/**
 * `type`: a string or array of strings that includes `required`, and not the other of
 * VerifiableCredential / VerifiablePresentation: a document typed both would verify as a
 * presentation (no issuer to bind, any key may sign one) while a reader of its `type` takes it for
 * a credential. @internal
 */
export function checkType(type: unknown, required: string, problems: Problems, path: string): void {
  const types = typesOf(type)
  if (types === undefined)
    problems.add(
      path,
      type === undefined
        ? 'type is required'
        : 'type must be a string or a non-empty array of strings',
    )
  else if (!types.includes(required)) problems.add(path, `type must include ${required}`)
  else {
    const other =
      required === 'VerifiableCredential' ? 'VerifiablePresentation' : 'VerifiableCredential'
    if (types.includes(other))
      problems.add(path, `type must not include both ${required} and ${other}`)
  }
}

/**
 * `issuer` / `holder`: a URL, or an object whose `id` is a URL (`allowMissingId`: or an object
 * without `id`, which an issuing service fills in). @internal
 */
export function checkParty(
  value: unknown,
  name: string,
  problems: Problems,
  path: string,
  rules: { allowMissingId?: boolean } = {},
): void {
  if (typeof value === 'string') {
    if (!isAbsoluteUrl(value))
      problems.add(path, `${name} must be a URL (or an object with a URL id)`)
  } else if (isJsonObject(value)) {
    if (value.id === undefined && rules.allowMissingId) return
    if (!isAbsoluteUrl(value.id)) problems.add(joinPath(path, 'id'), `${name}.id must be a URL`)
  } else {
    problems.add(path, `${name} must be a URL or an object with a URL id`)
  }
}

/**
 * Strict mode: every top-level member is one the data model defines or the caller allowed.
 *
 * @internal
 */
export function checkMembers(
  document: Record<string, unknown>,
  known: ReadonlySet<string>,
  allowed: readonly string[] | undefined,
  problems: Problems,
  path: string,
): void {
  for (const name of Object.keys(document)) {
    if (!known.has(name) && !(allowed ?? []).includes(name)) {
      problems.add(
        joinPath(path, name),
        `unknown member ${JSON.stringify(name.slice(0, 64))} (strict mode; add it to allowProperties or pass strict: false)`,
      )
    }
  }
}

function checkSubjects(value: unknown, problems: Problems, path: string): void {
  if (value === undefined) {
    problems.add(path, 'credentialSubject is required')
    return
  }
  const subjects = asList(value)
  if (subjects.length === 0) problems.add(path, 'credentialSubject must not be empty')
  subjects.forEach((subject, index) => {
    const at = Array.isArray(value) ? joinPath(path, index) : path
    if (!isJsonObject(subject)) problems.add(at, 'each credentialSubject must be an object')
    else if (Object.keys(subject).length === 0)
      problems.add(at, 'each credentialSubject must make at least one claim')
    else if (subject.id !== undefined && !isAbsoluteUrl(subject.id))
      problems.add(joinPath(at, 'id'), 'credentialSubject.id must be a URL')
  })
}

function checkDate(
  document: Record<string, unknown>,
  name: string,
  requireOffset: boolean,
  problems: Problems,
  path: string,
): number | undefined {
  const value = document[name]
  if (value === undefined) return undefined
  const time = parseDateTime(value, { requireOffset })
  if (time === undefined) {
    problems.add(
      joinPath(path, name),
      requireOffset
        ? `${name} must be an XML Schema dateTimeStamp (with a time zone)`
        : `${name} must be an XML Schema dateTime`,
    )
  }
  return time
}

/**
 * `name` holds one or more objects, each with a `type` (and, `needsId`, an `id`); ids are single
 * URLs. @internal
 */
export function checkTypedObjects(
  document: Record<string, unknown>,
  name: string,
  rules: { needsId?: boolean; nonEmpty?: boolean },
  problems: Problems,
  path: string,
): void {
  const value = document[name]
  if (value === undefined) return
  if (rules.nonEmpty && Array.isArray(value) && value.length === 0) {
    problems.add(joinPath(path, name), `${name} must be one or more objects, not an empty array`)
    return
  }
  const items = asList(value)
  items.forEach((item, index) => {
    const at = Array.isArray(value) ? joinPath(joinPath(path, name), index) : joinPath(path, name)
    if (!isJsonObject(item)) {
      problems.add(at, `${name} entries must be objects`)
      return
    }
    if (typesOf(item.type) === undefined)
      problems.add(joinPath(at, 'type'), `${name} needs a type (a string or array of strings)`)
    if (item.id === undefined) {
      if (rules.needsId) problems.add(joinPath(at, 'id'), `${name} needs an id`)
    } else if (!isAbsoluteUrl(item.id)) {
      problems.add(joinPath(at, 'id'), `${name}.id must be a single URL`)
    }
  })
}

// Subresource Integrity hash-expression (SRI section 3.5, CSP2 hash-algo and base64-value; the
// base64url letters CSP3 added are accepted too).
const SRI_HASH = /^(?:sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}$/i
// A multibase string: a one-character base prefix, then the encoded multihash; printable ASCII.
const MULTIBASE = /^[\x21-\x7e]{2,}$/
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;.*)?$/

/**
 * VCDM 2.0 section 5.3 (Integrity of Related Resources): one or more objects, each with an `id` URL
 * unique in the list and at least one of `digestSRI` (SRI hash expressions) or `digestMultibase`
 * (multibase multihashes); `mediaType`, when present, a media type. The digests are not computed
 * here: that needs the resource.
 */
function checkRelatedResources(value: unknown, problems: Problems, path: string): void {
  if (value === undefined) return
  if (Array.isArray(value) && value.length === 0) {
    problems.add(path, 'relatedResource must be one or more objects, not an empty array')
    return
  }
  const seen = new Set<string>()
  asList(value).forEach((item, index) => {
    const at = Array.isArray(value) ? joinPath(path, index) : path
    if (!isJsonObject(item)) {
      problems.add(at, 'relatedResource entries must be objects')
      return
    }
    if (item.id === undefined)
      problems.add(joinPath(at, 'id'), 'relatedResource needs an id (the URL of the resource)')
    else if (!isAbsoluteUrl(item.id))
      problems.add(joinPath(at, 'id'), 'relatedResource.id must be a single URL')
    else if (seen.has(item.id))
      problems.add(joinPath(at, 'id'), 'relatedResource ids must be unique')
    else seen.add(item.id)
    if (item.digestSRI === undefined && item.digestMultibase === undefined) {
      problems.add(at, 'relatedResource needs a digestSRI or a digestMultibase')
    }
    checkDigests(
      item.digestSRI,
      SRI_HASH,
      'digestSRI must be one or more SRI hash expressions (sha256-, sha384- or sha512- then base64)',
      problems,
      joinPath(at, 'digestSRI'),
    )
    checkDigests(
      item.digestMultibase,
      MULTIBASE,
      'digestMultibase must be one or more multibase-encoded multihashes',
      problems,
      joinPath(at, 'digestMultibase'),
    )
    if (
      item.mediaType !== undefined &&
      !(typeof item.mediaType === 'string' && MEDIA_TYPE.test(item.mediaType))
    ) {
      problems.add(joinPath(at, 'mediaType'), 'mediaType must be a media type (type/subtype)')
    }
  })
}

function checkDigests(
  value: unknown,
  syntax: RegExp,
  message: string,
  problems: Problems,
  path: string,
): void {
  if (value === undefined) return
  const digests = asList(value)
  if (
    digests.length === 0 ||
    !digests.every(
      (digest) => typeof digest === 'string' && digest.length <= 1024 && syntax.test(digest),
    )
  ) {
    problems.add(path, message)
  }
}
