import { CredsignError } from '../errors/credsign-error.js'
import { parseDateTime } from './date-time.js'
import type { ValidationProblem, VcVersion } from './types.js'
import { checkContext } from './validate-context.js'
import { asList, isAbsoluteUrl, isJsonObject, joinPath, Problems, typesOf } from './validate-shared.js'
import { dataModelVersion } from './version.js'

/**
 * Options of {@link validateCredential} and {@link credentialProblems}.
 *
 * @example
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
   * Refuse top-level members the base context does not define (a typo such as `validUntill`
   * would otherwise silently mean "never expires"). Default: `true` for VCDM 2.0, `false` for 1.1.
   * Extension members need `allowProperties` (or `strict: false`).
   */
  strict?: boolean
  /** Top-level members accepted in strict mode besides the data model's own. */
  allowProperties?: readonly string[]
  /** Accept a credential without `issuer` (signers fill it from the key, then validate again). Default false. */
  allowMissingIssuer?: boolean
  /** Accept a VCDM 1.1 credential without `issuanceDate` (signers fill it). Default false. */
  allowMissingIssuanceDate?: boolean
}

/** Top-level members of a credential the VCDM 2.0 base context defines. */
const V2_CREDENTIAL_MEMBERS = new Set([
  '@context', 'id', 'type', 'name', 'description', 'issuer', 'credentialSubject', 'validFrom', 'validUntil', 'credentialStatus',
  'credentialSchema', 'refreshService', 'termsOfUse', 'evidence', 'proof', 'relatedResource', 'renderMethod', 'confidenceMethod',
])

/** Top-level members of a credential the VCDM 1.1 base context defines. */
const V1_CREDENTIAL_MEMBERS = new Set([
  '@context', 'id', 'type', 'issuer', 'issuanceDate', 'expirationDate', 'credentialSubject', 'credentialStatus', 'credentialSchema',
  'refreshService', 'termsOfUse', 'evidence', 'proof', 'validFrom', 'validUntil',
])

/**
 * Every data model problem of a credential (VCDM 1.1 or 2.0), in document order; empty when it is
 * valid. Checks what can be checked without JSON-LD processing: `@context` order, `type` includes
 * `VerifiableCredential`, `id` / `issuer` / subject ids are URLs, `credentialSubject` present and
 * non-empty, date-time formats and order, `type` on status, schema, evidence, refresh, terms of use
 * and proof objects, and (strict mode) no unknown top-level members. Never throws.
 *
 * @example
 * ```ts
 * import { credentialProblems } from 'credsign'
 * credentialProblems({ '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], credentialSubject: {} })
 * // [{ path: 'issuer', message: 'issuer is required' }, { path: 'credentialSubject', message: '…' }]
 * ```
 */
export function credentialProblems(credential: unknown, options: ValidateCredentialOptions = {}): ValidationProblem[] {
  const problems = new Problems()
  checkCredentialAt(credential, options, problems, '')
  return problems.list
}

/**
 * Throws `credential_invalid` (message `path: problem`) at the first data model problem of a
 * credential; see {@link credentialProblems} for what is checked.
 *
 * @example
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
export function validateCredential(credential: unknown, options: ValidateCredentialOptions = {}): void {
  const [first] = credentialProblems(credential, options)
  if (first) throw new CredsignError('credential_invalid', formatProblem(first))
}

/** `path: message`, or just the message for the root. @internal */
export function formatProblem(problem: ValidationProblem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`
}

/** Checks one credential found at `path` (the root, or inside a presentation). @internal */
export function checkCredentialAt(credential: unknown, options: ValidateCredentialOptions, problems: Problems, path: string): void {
  if (!isJsonObject(credential)) {
    problems.add(path, 'a credential must be a JSON object')
    return
  }
  const version = options.version ?? dataModelVersion(credential)
  if (version === undefined) {
    checkContext(credential, '2.0', problems, path)
    return
  }
  checkContext(credential, version, problems, path)
  checkId(credential.id, problems, joinPath(path, 'id'))
  checkType(credential.type, 'VerifiableCredential', problems, joinPath(path, 'type'))

  if (credential.issuer === undefined) {
    if (!options.allowMissingIssuer) problems.add(joinPath(path, 'issuer'), 'issuer is required')
  } else {
    checkParty(credential.issuer, 'issuer', problems, joinPath(path, 'issuer'))
  }
  checkSubjects(credential.credentialSubject, problems, joinPath(path, 'credentialSubject'))

  if (version === '2.0') {
    const from = checkDate(credential, 'validFrom', true, problems, path)
    const until = checkDate(credential, 'validUntil', true, problems, path)
    if (from !== undefined && until !== undefined && until < from) problems.add(joinPath(path, 'validUntil'), 'validUntil is before validFrom')
  } else {
    if (credential.issuanceDate === undefined) {
      if (!options.allowMissingIssuanceDate) problems.add(joinPath(path, 'issuanceDate'), 'issuanceDate is required in VCDM 1.1')
    }
    const from = checkDate(credential, 'issuanceDate', false, problems, path)
    const until = checkDate(credential, 'expirationDate', false, problems, path)
    if (from !== undefined && until !== undefined && until < from) problems.add(joinPath(path, 'expirationDate'), 'expirationDate is before issuanceDate')
  }

  checkTypedObjects(credential, 'credentialStatus', { needsId: version === '1.1' }, problems, path)
  checkTypedObjects(credential, 'credentialSchema', { needsId: true }, problems, path)
  checkTypedObjects(credential, 'refreshService', { needsId: version === '1.1' }, problems, path)
  checkTypedObjects(credential, 'termsOfUse', {}, problems, path)
  checkTypedObjects(credential, 'evidence', {}, problems, path)
  checkTypedObjects(credential, 'proof', {}, problems, path)

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

/** `type`: a string or array of strings that includes `required`. @internal */
export function checkType(type: unknown, required: string, problems: Problems, path: string): void {
  const types = typesOf(type)
  if (types === undefined) problems.add(path, 'type must be a string or an array of strings')
  else if (!types.includes(required)) problems.add(path, `type must include ${required}`)
}

/** `issuer` / `holder`: a URL, or an object whose `id` is a URL. @internal */
export function checkParty(value: unknown, name: string, problems: Problems, path: string): void {
  if (typeof value === 'string') {
    if (!isAbsoluteUrl(value)) problems.add(path, `${name} must be a URL (or an object with a URL id)`)
  } else if (isJsonObject(value)) {
    if (!isAbsoluteUrl(value.id)) problems.add(joinPath(path, 'id'), `${name}.id must be a URL`)
  } else {
    problems.add(path, `${name} must be a URL or an object with a URL id`)
  }
}

/** Strict mode: every top-level member is one the data model defines or the caller allowed. @internal */
export function checkMembers(
  document: Record<string, unknown>,
  known: ReadonlySet<string>,
  allowed: readonly string[] | undefined,
  problems: Problems,
  path: string,
): void {
  for (const name of Object.keys(document)) {
    if (!known.has(name) && !(allowed ?? []).includes(name)) {
      problems.add(joinPath(path, name), `unknown member ${JSON.stringify(name.slice(0, 64))} (strict mode; add it to allowProperties or pass strict: false)`)
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
    else if (Object.keys(subject).length === 0) problems.add(at, 'each credentialSubject must make at least one claim')
    else if (subject.id !== undefined && !isAbsoluteUrl(subject.id)) problems.add(joinPath(at, 'id'), 'credentialSubject.id must be a URL')
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
    problems.add(joinPath(path, name), requireOffset ? `${name} must be an XML Schema dateTimeStamp (with a time zone)` : `${name} must be an XML Schema dateTime`)
  }
  return time
}

function checkTypedObjects(
  document: Record<string, unknown>,
  name: string,
  rules: { needsId?: boolean },
  problems: Problems,
  path: string,
): void {
  const value = document[name]
  if (value === undefined) return
  const items = asList(value)
  items.forEach((item, index) => {
    const at = Array.isArray(value) ? joinPath(joinPath(path, name), index) : joinPath(path, name)
    if (!isJsonObject(item)) {
      problems.add(at, `${name} entries must be objects`)
      return
    }
    if (typesOf(item.type) === undefined) problems.add(joinPath(at, 'type'), `${name} needs a type (a string or array of strings)`)
    if (item.id === undefined) {
      if (rules.needsId) problems.add(joinPath(at, 'id'), `${name} needs an id`)
    } else if (!isAbsoluteUrl(item.id)) {
      problems.add(joinPath(at, 'id'), `${name}.id must be a single URL`)
    }
  })
}
