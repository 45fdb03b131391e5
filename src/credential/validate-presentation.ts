import { CredsignError } from '../errors/credsign-error.js'
import { envelopeSerializationProblem, parseDataUrl } from './enveloped.js'
import type { ValidationProblem, VcVersion } from './types.js'
import { checkContext, checkEnvelopeContext } from './validate-context.js'
import {
  checkCredentialAt,
  checkId,
  checkMembers,
  checkParty,
  checkType,
  checkTypedObjects,
  formatProblem,
} from './validate-credential.js'
import {
  asList,
  checkLanguageValues,
  isJsonObject,
  joinPath,
  Problems,
  typesOf,
} from './validate-shared.js'
import { dataModelVersion } from './data-model-version.js'

/**
 * Options of {@link validatePresentation} and {@link presentationProblems}.
 *
 * @example
 *
 * ```ts
 * import { validatePresentation } from 'credsign'
 * const options = { strict: false }
 * ```
 */
export interface ValidatePresentationOptions {
  /** The data model to check against (default: from the first `@context` entry). */
  version?: VcVersion
  /**
   * Refuse top-level members the base context does not define. Default: `true` for VCDM 2.0,
   * `false` for 1.1.
   */
  strict?: boolean
  /** Top-level members accepted in strict mode besides the data model's own. */
  allowProperties?: readonly string[]
  /**
   * Check the entries of `verifiableCredential` too (default true). Verifiers turn it off because
   * they verify every entry on its own and report it as `embedded_credential_invalid`.
   */
  checkCredentials?: boolean
  /** As `ValidateCredentialOptions.jsonLd`: the document is processed as JSON-LD (Data Integrity). */
  jsonLd?: boolean
}

const V2_PRESENTATION_MEMBERS = new Set([
  '@context',
  'id',
  'type',
  'name',
  'description',
  'holder',
  'proof',
  'termsOfUse',
  'verifiableCredential',
])
const V1_PRESENTATION_MEMBERS = new Set([
  '@context',
  'id',
  'type',
  'holder',
  'proof',
  'verifiableCredential',
])

// A compact JWS/JWT (VCDM 1.1 presentations carry JWT credentials as strings), optionally followed
// by SD-JWT disclosures.
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(~[A-Za-z0-9_.~-]*)?$/

/**
 * Every data model problem of a presentation (VCDM 1.1 or 2.0), in document order. Besides the
 * presentation's own members (`@context`, `id`, `type` includes `VerifiablePresentation`, `holder`
 * a URL or an object with a URL `id`, `type` on terms of use and proofs, in 2.0 `name` /
 * `description` as strings or language value objects) it checks each entry of
 * `verifiableCredential`: in VCDM 2.0 an object (an `EnvelopedVerifiableCredential` with an
 * `@context` and a well-formed `data:` URL `id`, or a credential, validated like
 * {@link credentialProblems} in non-strict mode); in VCDM 1.1 also a compact JWT string. It does not
 * verify anything, so rules that depend on how an entry is secured (section 4.13.4: a self-asserted
 * credential secured only by the presentation's proof needs `holder` equal to its `issuer`) are the
 * verifier's. Never throws.
 *
 * @example
 *
 * ```ts
 * import { presentationProblems } from 'credsign'
 * presentationProblems({
 *   '@context': ['https://www.w3.org/ns/credentials/v2'],
 *   type: ['VerifiablePresentation'],
 *   holder: 'alice',
 * })
 * // [{ path: 'holder', message: 'holder must be a URL (or an object with a URL id)' }]
 * ```
 */
export function presentationProblems(
  presentation: unknown,
  options: ValidatePresentationOptions = {},
): ValidationProblem[] {
  const problems = new Problems()
  if (!isJsonObject(presentation)) {
    problems.add('', 'a presentation must be a JSON object')
    return problems.list
  }
  const version = options.version ?? dataModelVersion(presentation)
  const protectedTerms = options.jsonLd !== true
  if (version === undefined) {
    checkContext(presentation, '2.0', problems, '', protectedTerms)
    return problems.list
  }
  checkContext(presentation, version, problems, '', protectedTerms)
  checkId(presentation.id, problems, 'id')
  checkType(presentation.type, 'VerifiablePresentation', problems, 'type')
  if (presentation.holder !== undefined)
    checkParty(presentation.holder, 'holder', problems, 'holder')
  if (version === '2.0') {
    checkLanguageValues(presentation.name, 'name', problems, 'name')
    checkLanguageValues(presentation.description, 'description', problems, 'description')
  }
  checkTypedObjects(presentation, 'termsOfUse', { nonEmpty: version === '2.0' }, problems, '')
  checkTypedObjects(presentation, 'proof', { nonEmpty: version === '2.0' }, problems, '')

  const embedded = presentation.verifiableCredential
  if (embedded !== undefined && options.checkCredentials !== false) {
    asList(embedded).forEach((entry, index) => {
      const at = Array.isArray(embedded)
        ? joinPath('verifiableCredential', index)
        : 'verifiableCredential'
      checkEmbedded(entry, version, problems, at)
    })
  }

  const strict = options.strict ?? version === '2.0'
  if (strict)
    checkMembers(
      presentation,
      version === '2.0' ? V2_PRESENTATION_MEMBERS : V1_PRESENTATION_MEMBERS,
      options.allowProperties,
      problems,
      '',
    )
  return problems.list
}

/**
 * Throws `credential_invalid` (message `path: problem`) at the first data model problem of a
 * presentation; see {@link presentationProblems}.
 *
 * @example
 *
 * ```ts
 * import { validatePresentation } from 'credsign'
 * validatePresentation({
 *   '@context': ['https://www.w3.org/ns/credentials/v2'],
 *   type: ['VerifiablePresentation'],
 * }) // passes
 * ```
 */
export function validatePresentation(
  presentation: unknown,
  options: ValidatePresentationOptions = {},
): void {
  const [first] = presentationProblems(presentation, options)
  if (first) throw new CredsignError('credential_invalid', formatProblem(first))
}

function checkEmbedded(entry: unknown, version: VcVersion, problems: Problems, path: string): void {
  if (typeof entry === 'string') {
    if (version === '2.0') {
      problems.add(
        path,
        'VCDM 2.0 presentations carry secured credentials as objects: wrap a JWT with envelopeCredential()',
      )
    } else if (!COMPACT.test(entry)) {
      problems.add(path, 'a credential given as a string must be a compact JWT')
    }
    return
  }
  if (!isJsonObject(entry)) {
    problems.add(path, 'each verifiableCredential entry must be an object')
    return
  }
  const types = typesOf(entry.type)
  const dataUrlId = typeof entry.id === 'string' && /^data:/i.test(entry.id)
  // An entry whose id is a data: URL and that does not claim to be a credential is an envelope that
  // lost its type: say that, instead of listing every credential member it lacks.
  if (
    types?.includes('EnvelopedVerifiableCredential') ||
    (dataUrlId && !types?.includes('VerifiableCredential'))
  ) {
    checkEnvelope(entry, types, problems, path)
    return
  }
  checkCredentialAt(entry, { strict: false }, problems, path)
}

/** The two envelope types of VCDM 2.0 section 4.13. @internal */
export type EnvelopeType = 'EnvelopedVerifiableCredential' | 'EnvelopedVerifiablePresentation'

/**
 * The problems of an envelope object (VCDM 2.0 sections 4.13.1 and 4.13.2): `@context` with the
 * base context first, `id` a well-formed `data:` URL (RFC 2397), `type` including `envelopeType`
 * and not the other envelope type.
 *
 * @internal
 */
export function envelopeProblems(
  entry: Record<string, unknown>,
  envelopeType: EnvelopeType,
  path = '',
): ValidationProblem[] {
  const problems = new Problems()
  checkEnvelope(entry, typesOf(entry.type), problems, path, envelopeType)
  return problems.list
}

function checkEnvelope(
  entry: Record<string, unknown>,
  types: string[] | undefined,
  problems: Problems,
  path: string,
  envelopeType: EnvelopeType = 'EnvelopedVerifiableCredential',
): void {
  checkEnvelopeContext(entry, problems, path, envelopeType)
  const id = entry.id
  if (typeof id !== 'string' || !/^data:/i.test(id)) {
    problems.add(joinPath(path, 'id'), `an ${envelopeType} id must be a data: URL`)
  } else {
    try {
      const content = parseDataUrl(id)
      const serializationProblem =
        content.text === undefined
          ? undefined
          : envelopeSerializationProblem(content.mediaType, content.text)
      if (serializationProblem !== undefined)
        problems.add(joinPath(path, 'id'), `an ${envelopeType} id: ${serializationProblem}`)
    } catch (error) {
      const reason = CredsignError.is(error) ? `: ${error.message}` : ''
      problems.add(
        joinPath(path, 'id'),
        `an ${envelopeType} id must be a well-formed data: URL${reason}`,
      )
    }
  }
  const otherType: EnvelopeType =
    envelopeType === 'EnvelopedVerifiableCredential'
      ? 'EnvelopedVerifiablePresentation'
      : 'EnvelopedVerifiableCredential'
  if (!types?.includes(envelopeType)) {
    problems.add(
      joinPath(path, 'type'),
      `an enveloped ${envelopeType === 'EnvelopedVerifiableCredential' ? 'credential' : 'presentation'} (a data: URL id) needs type ${envelopeType}`,
    )
  } else if (types.includes(otherType)) {
    // VCDM 2.0 sections 4.13.1 / 4.13.2: the type "MUST be" one of them. An object that is both would
    // be read as a presentation on its own and as a credential inside a presentation.
    problems.add(
      joinPath(path, 'type'),
      `an envelope is either an EnvelopedVerifiableCredential or an EnvelopedVerifiablePresentation, not both`,
    )
  }
}
