// Which JSON-LD contexts a Data Integrity document may use, checked at signing and before any proof
// is verified (VC Data Integrity 1.0, "Validating Contexts"). The attack it stops: a proof over
// RDF (the rdfc suites) survives any change to the JSON that yields the same RDF, so a context
// appended after signing can rename or swap terms (`revoked: true` read as `note: true`,
// `firstName` and `lastName` exchanged) while the proof still verifies. Only contexts the verifier
// approved, by URL, with content fixed by its document loader, are accepted by default.
import { CredsignError } from '../../errors/credsign-error.js'
import type { DocumentLoader, JsonLdDocument } from './types.js'
import { shownUrl } from '../../util/shown-url.js'

/** The context rules a signer or verifier applies, validated. @internal */
export interface ContextPolicy {
  /** When set, the only context URLs a document may name (anywhere in it). */
  allowedContexts: ReadonlySet<string> | undefined
  /** Context objects (and `null` entries) in the document itself. Default false. */
  allowInlineContexts: boolean
}

/** The public option names, as the handler, `verify()` and the signer take them. @internal */
export interface ContextPolicyOptions {
  allowedContexts?: readonly string[] | undefined
  allowInlineContexts?: boolean | undefined
}

/** Most URLs accepted in `allowedContexts`: a list, not a registry. */
const MAX_ALLOWED_CONTEXTS = 1000

/**
 * Validates the two options (`invalid_argument`) and makes a policy of them.
 *
 * @internal
 */
export function contextPolicyOf(options: ContextPolicyOptions): ContextPolicy {
  const { allowedContexts, allowInlineContexts } = options
  if (allowInlineContexts !== undefined && typeof allowInlineContexts !== 'boolean')
    throw new CredsignError('invalid_argument', 'allowInlineContexts must be a boolean')
  return {
    allowedContexts: allowedContextSet(allowedContexts),
    allowInlineContexts: allowInlineContexts === true,
  }
}

/** `allowedContexts` as a set, validated (`invalid_argument`); `undefined` when not given. @internal */
export function allowedContextSet(allowedContexts: unknown): ReadonlySet<string> | undefined {
  if (allowedContexts === undefined) return undefined
  if (
    !Array.isArray(allowedContexts) ||
    allowedContexts.length > MAX_ALLOWED_CONTEXTS ||
    !allowedContexts.every((url) => typeof url === 'string' && url.length > 0)
  ) {
    throw new CredsignError(
      'invalid_argument',
      `allowedContexts must be an array of at most ${MAX_ALLOWED_CONTEXTS} context URLs`,
    )
  }
  return new Set(allowedContexts as string[])
}

/**
 * JSON-LD keywords that move data away from where a JSON reader (the data model checks, an
 * application reading `validUntil` or `credentialStatus`) looks for it while the RDF, and so the
 * proof, stays the same:
 *
 * - At the top level, a wrapper around the credential: `{ "@graph": [credential] }` (or `@included`,
 *   `@set`, `@list`, `@reverse`, `@value`) is the same RDF as the credential itself, but the
 *   top-level object has no `type`, `issuer` or `validUntil` to check;
 * - Anywhere, `@nest` (its members belong to the enclosing node) and `@included` (a node merged by
 *   its `id` with any other, the credential included).
 */
const TOP_LEVEL_WRAPPERS = new Set(['@graph', '@included', '@set', '@list', '@reverse', '@value'])
const HIDING_ANYWHERE = new Set(['@nest', '@included'])
/** Keywords an inline context may not alias: the aliases would do what the keywords above do. */
const FORM_KEYWORDS = new Set([
  '@graph',
  '@included',
  '@nest',
  '@reverse',
  '@set',
  '@list',
  '@value',
])

/**
 * Refuses (`jsonld_form_not_allowed`) a document in a JSON-LD form other than the compacted one the
 * data model describes, where the credential is the top-level object and every member is where a
 * JSON reader looks for it. See {@link TOP_LEVEL_WRAPPERS}.
 *
 * @internal
 */
export function checkDocumentForm(document: JsonLdDocument): void {
  for (const key of Object.keys(document)) {
    if (TOP_LEVEL_WRAPPERS.has(key)) {
      throw new CredsignError(
        'jsonld_form_not_allowed',
        `the document's top level is a JSON-LD "${key}" wrapper: a credential or presentation must be the top-level object (compacted form), where its type, issuer and validity are checked`,
      )
    }
    if (HIDING_ANYWHERE.has(key)) throw hidingForm(key, key)
    checkMemberName(key, key)
  }
  const proofs = Array.isArray(document.proof) ? document.proof : [document.proof]
  proofs.forEach((proof, index) => {
    if (proof === null || typeof proof !== 'object' || Array.isArray(proof)) return
    const at = Array.isArray(document.proof) ? `proof[${index}]` : 'proof'
    for (const key of Object.keys(proof)) checkMemberName(key, `${at}.${key}`)
  })
}

/**
 * A member of the credential (or of its proof) named by an absolute or compact IRI
 * (`"https://www.w3.org/2018/credentials#validUntil"`, `"cred:validUntil"`) or by `@id` / `@type`
 * is the same RDF as the term it expands to, so a proof signed over `validUntil` still verifies
 * after the member is renamed, while every check that reads the JSON (`validUntil`, `issuer`, a
 * proof's `expires`) no longer finds it: an expired credential would verify. The compacted form the
 * data model describes names these members by their terms; anything else is refused.
 */
function checkMemberName(key: string, path: string): void {
  if (key === '@id' || key === '@type') {
    throw new CredsignError(
      'jsonld_form_not_allowed',
      `${path}: write ${key.slice(1)} (the term), not "${key}": members are read by their terms`,
    )
  }
  if (key.includes(':')) {
    throw new CredsignError(
      'jsonld_form_not_allowed',
      `${path}: a member named by an IRI or compact IRI is the same RDF as the term it expands to, but hidden from the checks that read the term (an expiry, an issuer): use the term`,
    )
  }
}

function hidingForm(key: string, path: string): CredsignError {
  return new CredsignError(
    'jsonld_form_not_allowed',
    `${path}: "${key}" puts members where a JSON reader does not look for them`,
  )
}

/** The context URLs a document names, and where (for messages). */
interface ContextReferences {
  urls: Map<string, string>
}

/**
 * Checks the contexts of `document` against `policy`, then that `documentLoader` knows every URL:
 *
 * - A context object (inline) or a `null` entry, anywhere, is `context_not_allowed` unless
 *   `allowInlineContexts` (an inline context can give any term any meaning);
 * - A URL outside `allowedContexts` (when given) is `context_not_allowed`;
 * - A URL the loader does not know is what the loader throws (`context_not_found`): the rdfc suites
 *   would meet it in JSON-LD processing anyway, and the jcs suites, which do not process JSON-LD,
 *   must not accept what the rdfc suites refuse;
 * - JSON-LD forms that hide members from a JSON reader are `jsonld_form_not_allowed`
 *   ({@link checkDocumentForm}, `@nest` and `@included` anywhere, inline aliases of them). The
 *   top-level `proof` is skipped: its `@context` (jcs suites) is checked against the document's by
 *   {@link checkContextsSigned} and the proof verification.
 *
 * @internal
 */
export async function checkContextPolicy(
  document: JsonLdDocument,
  policy: ContextPolicy,
  documentLoader: DocumentLoader,
): Promise<void> {
  checkDocumentForm(document)
  const references: ContextReferences = { urls: new Map() }
  // Iterative: signing input is not depth-limited by a parser.
  const stack: { value: unknown; path: string }[] = []
  for (const key of Object.keys(document)) {
    if (key !== 'proof' && key !== '@context') stack.push({ value: document[key], path: key })
  }
  recordContexts(document['@context'], '@context', policy, references)
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string }
    if (value === null || typeof value !== 'object') continue
    if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, path: `${path}[${index}]` }))
      continue
    }
    for (const key of Object.keys(value)) {
      const member = (value as Record<string, unknown>)[key]
      const memberPath = `${path}.${key}`
      if (key === '@context') {
        recordContexts(member, memberPath, policy, references)
        continue
      }
      // A value object's @value is data (a JSON literal may hold anything), not JSON-LD.
      if (key === '@value') continue
      if (HIDING_ANYWHERE.has(key)) throw hidingForm(key, memberPath)
      stack.push({ value: member, path: memberPath })
    }
  }
  for (const [url, path] of references.urls) {
    if (policy.allowedContexts !== undefined && !policy.allowedContexts.has(url)) {
      throw new CredsignError(
        'context_not_allowed',
        `${path}: the context ${shownUrl(url)} is not in allowedContexts`,
      )
    }
  }
  for (const url of references.urls.keys()) await checkKnown(url, documentLoader)
}

/**
 * The entries of one `@context` value: URLs are recorded; inline contexts are refused or, when
 * allowed, searched for the URLs they import or scope and the keywords they alias.
 */
function recordContexts(
  value: unknown,
  path: string,
  policy: ContextPolicy,
  references: ContextReferences,
): void {
  if (value === undefined) return
  const entries = Array.isArray(value) ? value : [value]
  const pending: { entry: unknown; path: string }[] = entries.map((entry, index) => ({
    entry,
    path: Array.isArray(value) ? `${path}[${index}]` : path,
  }))
  while (pending.length > 0) {
    const { entry, path: entryPath } = pending.pop() as { entry: unknown; path: string }
    if (typeof entry === 'string') {
      if (!references.urls.has(entry)) references.urls.set(entry, entryPath)
      continue
    }
    if (entry !== null && (typeof entry !== 'object' || Array.isArray(entry))) {
      throw new CredsignError(
        'jsonld_invalid',
        `${entryPath}: a context entry must be a URL, a context object or null`,
      )
    }
    if (!policy.allowInlineContexts) {
      throw new CredsignError(
        'context_not_allowed',
        `${entryPath}: ${entry === null ? 'a null context (which clears every term definition before it)' : 'an inline context object'} is not accepted: it can give the document's terms another meaning without changing what is signed; name contexts by URL (add yours with createDocumentLoader({ contexts })), or pass allowInlineContexts: true`,
      )
    }
    if (entry === null) continue
    for (const [term, definition] of Object.entries(entry)) {
      const termPath = `${entryPath}.${term}`
      if (term === '@import' && typeof definition === 'string') {
        if (!references.urls.has(definition)) references.urls.set(definition, termPath)
        continue
      }
      const target =
        typeof definition === 'string'
          ? definition
          : definition !== null && typeof definition === 'object'
            ? (definition as Record<string, unknown>)['@id']
            : undefined
      if (typeof target === 'string' && FORM_KEYWORDS.has(target)) {
        throw new CredsignError(
          'jsonld_form_not_allowed',
          `${termPath}: an alias of "${target}" puts members where a JSON reader does not look for them`,
        )
      }
      const scoped =
        definition !== null && typeof definition === 'object'
          ? (definition as Record<string, unknown>)['@context']
          : undefined
      if (scoped !== undefined) {
        const scopedEntries = Array.isArray(scoped) ? scoped : [scoped]
        scopedEntries.forEach((item, index) =>
          pending.push({
            entry: item,
            path: Array.isArray(scoped) ? `${termPath}.@context[${index}]` : `${termPath}.@context`,
          }),
        )
      }
    }
  }
}

/**
 * Refuses (`context_not_allowed`) a document whose `@context` has entries some proof does not sign.
 * A proof with its own `@context` (the jcs suites) signs the document with that context: VC Data
 * Integrity lets the document's `@context` merely start with it, so entries appended later are not
 * signed by that proof, yet change what the document's terms mean to a JSON-LD reader (an appended
 * context redefining `issuer`). Every proof must sign all of it: one without its own `@context`
 * (the rdfc suites hash the document with all of it) or one whose `@context` is the document's.
 * "Some proof signs it" is not enough: in a proof set, a second proof by any key signs the appended
 * entries while the issuer's proof, which binds the credential to the issuer, does not.
 *
 * @internal
 */
export function checkContextsSigned(
  document: JsonLdDocument,
  proofs: readonly JsonLdDocument[],
): void {
  const documentContext = JSON.stringify(document['@context'] ?? null)
  const unsigned = proofs.findIndex(
    (proof) =>
      proof['@context'] !== undefined && JSON.stringify(proof['@context']) !== documentContext,
  )
  if (unsigned === -1) return
  throw new CredsignError(
    'context_not_allowed',
    `the document's @context has entries ${proofs.length === 1 ? 'no proof signs' : `proof[${unsigned}] does not sign (its own @context is shorter)`} (added after signing): they could change what its terms mean`,
  )
}

/** URLs each loader answered, so a known context costs one call per loader, not one per document. */
const knownByLoader = new WeakMap<DocumentLoader, Set<string>>()
/**
 * Most URLs remembered per loader (a fetching loader could otherwise be made to remember any
 * number).
 */
const MAX_KNOWN_PER_LOADER = 1024

async function checkKnown(url: string, documentLoader: DocumentLoader): Promise<void> {
  let known = knownByLoader.get(documentLoader)
  if (known?.has(url) === true) return
  try {
    await documentLoader(url)
  } catch (error) {
    if (CredsignError.is(error)) throw error
    throw new CredsignError(
      'context_not_found',
      `the JSON-LD context ${shownUrl(url)} could not be loaded`,
      { cause: error },
    )
  }
  if (known === undefined) {
    known = new Set()
    knownByLoader.set(documentLoader, known)
  }
  if (known.size < MAX_KNOWN_PER_LOADER) known.add(url)
}
