// The JSON-LD and RDFC-1.0 machinery, loaded on first use: `jsonld` and `rdf-canonize` are only
// imported (dynamically) when an rdfc suite runs, so the jcs suites, and every JWT user, never
// load them.
import { sha256, sha384 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { CredsignError } from '../../errors/credsign-error.js'
import { Lru } from '../../util/lru.js'
import {
  checkContextLimits,
  checkDocumentLimits,
  checkValueComparisons,
  JSONLD_LIMIT_DEFAULTS,
  JsonLdBudget,
  jsonLdLimitsOf,
  type ContextResolverLike,
} from './jsonld-limits.js'
import type { DocumentLoader, JsonLdDocument, RemoteDocument } from './types.js'

/** An RDF term as `jsonld` and `rdf-canonize` exchange them (RDF/JS-like plain objects). @internal */
export interface RdfTerm {
  termType: 'NamedNode' | 'BlankNode' | 'Literal' | 'DefaultGraph'
  value: string
  datatype?: { termType: 'NamedNode'; value: string }
  language?: string
}

/** One quad of an RDF dataset. @internal */
export interface RdfQuad {
  subject: RdfTerm
  predicate: RdfTerm
  object: RdfTerm
  graph: RdfTerm
}

interface JsonLdApi {
  expand(input: unknown, options: Record<string, unknown>): Promise<unknown>
  toRDF(input: unknown, options: Record<string, unknown>): Promise<RdfQuad[]>
}
interface CanonizeApi {
  canonize(input: RdfQuad[], options: Record<string, unknown>): Promise<string>
}
type ContextResolverClass = new (options: {
  sharedCache: { get(key: string): unknown; set(key: string, value: unknown): void }
}) => ContextResolverLike

interface Machinery {
  jsonld: JsonLdApi
  rdfc: CanonizeApi
  ContextResolver: ContextResolverClass
}

function moduleDefault<T>(module: unknown): T {
  const record = module as { default?: unknown }
  return (record.default ?? module) as T
}

let machinery: Promise<Machinery> | undefined
/** Loads jsonld and rdf-canonize once; a failed load (a bundle without them) is retried next time. */
function loadMachinery(): Promise<Machinery> {
  machinery ??= Promise.all([
    import('jsonld'),
    // @ts-expect-error -- rdf-canonize ships no type declarations; CanonizeApi below is what we use
    import('rdf-canonize'),
    // jsonld's context resolver, so each document loader gets a context cache of its own (see below).
    // @ts-expect-error -- an internal CommonJS module without type declarations
    import('jsonld/lib/ContextResolver.js'),
  ]).then(
    ([jsonld, rdfc, resolver]) => ({
      jsonld: moduleDefault<JsonLdApi>(jsonld),
      rdfc: moduleDefault<CanonizeApi>(rdfc),
      ContextResolver: moduleDefault<ContextResolverClass>(resolver),
    }),
    (cause: unknown) => {
      machinery = undefined
      // Optional peer dependencies of credsign (JWT-only installs skip them): say how to get them.
      throw new CredsignError(
        'unsupported_format',
        'the rdfc cryptosuites need the jsonld and rdf-canonize packages, which could not be loaded (npm install jsonld rdf-canonize)',
        { cause },
      )
    },
  )
  return machinery
}

/**
 * Processed contexts, per document loader. jsonld's own shared cache is keyed by URL alone and is
 * consulted _before_ the document loader: a context another loader (or another library in the
 * process) marked as static would be used even where our loader would refuse that URL. So every
 * loader gets its own cache, and our loader's documents are marked static only there.
 */
interface SharedContextCache {
  get(key: string): unknown
  set(key: string, value: unknown): void
}
const contextCaches = new WeakMap<DocumentLoader, SharedContextCache>()
function contextCacheOf(loader: DocumentLoader): SharedContextCache {
  let cache = contextCaches.get(loader)
  if (cache === undefined) {
    const lru = new Lru<string, unknown>(100)
    // jsonld keys this cache by a context's URL, and an inline context by its JSON text, in one
    // namespace, and looks a string context up before calling the loader. So only URLs are kept
    // across operations: an inline context cached by one document would otherwise answer another
    // document's string context with that JSON text (resolved without the loader, depending on
    // what was processed before), and hostile documents could keep 100 multi-megabyte inline
    // contexts alive for the loader's lifetime.
    cache = {
      get: (key) => (isInlineKey(key) ? undefined : lru.get(key)),
      set: (key, value) => {
        if (!isInlineKey(key)) lru.set(key, value)
      },
    }
    contextCaches.set(loader, cache)
  }
  return cache
}
function isInlineKey(key: string): boolean {
  return typeof key !== 'string' || key.startsWith('{')
}

/**
 * Wraps a loader so its answers are tagged static (cacheable for the loader's lifetime) and its
 * errors kept typed.
 */
const wrappedLoaders = new WeakMap<
  DocumentLoader,
  (url: string) => Promise<RemoteDocument & { tag: string }>
>()
function staticLoader(
  loader: DocumentLoader,
): (url: string) => Promise<RemoteDocument & { tag: string }> {
  let wrapped = wrappedLoaders.get(loader)
  if (wrapped === undefined) {
    wrapped = async (url: string) => ({ ...(await loader(url)), tag: 'static' })
    wrappedLoaders.set(loader, wrapped)
  }
  return wrapped
}

/**
 * The RDF dataset of a JSON-LD document: expansion and deserialization to RDF in safe mode (a term
 * no context defines, a dropped value or a relative IRI is an error, not silently ignored), within
 * the JSON-LD limits the loader carries (`jsonld-limits.ts`; the defaults unless the handler or
 * signer was given `jsonLdLimits`). Errors: `context_not_found` (from the loader),
 * `jsonld_limit_exceeded`, `jsonld_invalid` (everything JSON-LD rejects).
 *
 * @internal
 */
export async function toDataset(
  document: JsonLdDocument,
  documentLoader: DocumentLoader,
): Promise<RdfQuad[]> {
  const limits = jsonLdLimitsOf(documentLoader)
  const budget = new JsonLdBudget(limits)
  const contexts = checkDocumentLimits(document, limits)
  const { jsonld, ContextResolver } = await loadMachinery()
  budget.useWeights(await checkContextLimits(contexts, documentLoader, limits, budget))
  const options = {
    documentLoader: staticLoader(documentLoader),
    safe: true,
    // As the W3C cryptosuites (and Digital Bazaar's implementations) process documents: no base
    // IRI (a relative IRI is an error in safe mode, never resolved against some URL), base
    // direction as i18n datatypes (else safe mode rejects every @direction), no generalized RDF.
    base: null,
    rdfDirection: 'i18n-datatype',
    produceGeneralizedRdf: false,
    contextResolver: budget.meter(
      new ContextResolver({ sharedCache: contextCacheOf(documentLoader) }),
    ),
  }
  try {
    // What jsonld.toRDF does, in two steps, so the node map's cost can be counted in between.
    const expanded = await jsonld.expand(document, options)
    budget.checkTime('expansion')
    checkValueComparisons(expanded, limits)
    const dataset = await jsonld.toRDF(expanded, { ...options, skipExpansion: true })
    budget.checkTime('RDF conversion')
    return dataset
  } catch (error) {
    throw budget.exceeded ?? jsonLdError(error)
  }
}

/**
 * Most `@context` entries (strings and objects, scoped contexts included) a document may hold by
 * default. @internal
 */
export const MAX_CONTEXT_ENTRIES = JSONLD_LIMIT_DEFAULTS.maxContextEntries
/** Most term definitions all inline contexts of a document may hold together by default. @internal */
export const MAX_INLINE_TERMS = JSONLD_LIMIT_DEFAULTS.maxInlineTerms
/**
 * Most JSON values (object members and array entries, outside contexts) of a document processed as
 * JSON-LD, by default. @internal
 */
export const MAX_JSONLD_VALUES = JSONLD_LIMIT_DEFAULTS.maxValues

/**
 * RDFC-1.0 canonical N-Quads of a dataset. `hash` is the algorithm RDFC-1.0 uses for blank node
 * labels (SHA-256, the default; ecdsa-rdfc-2019 with P-384 keys uses SHA-384). Poison graphs are
 * refused (`jsonld_invalid`) rather than allowed to run for minutes.
 *
 * @internal
 */
export async function canonizeDataset(
  dataset: RdfQuad[],
  hash: 'SHA-256' | 'SHA-384' = 'SHA-256',
): Promise<string> {
  const { rdfc } = await loadMachinery()
  try {
    return await rdfc.canonize(dataset, {
      algorithm: 'RDFC-1.0',
      format: 'application/n-quads',
      // A synchronous digest (noble): the same bytes as WebCrypto, without a promise per blank node.
      createMessageDigest: () => new NobleDigest(hash),
      maxWorkFactor: 1,
    })
  } catch (error) {
    throw jsonLdError(error)
  }
}

/** The `MessageDigest` interface rdf-canonize calls: `update(text)`, `digest()` → hex. */
class NobleDigest {
  readonly #hash
  readonly #encoder = new TextEncoder()
  constructor(hash: 'SHA-256' | 'SHA-384') {
    this.#hash = hash === 'SHA-384' ? sha384.create() : sha256.create()
  }
  update(text: string): void {
    this.#hash.update(this.#encoder.encode(text))
  }
  digest(): string {
    return bytesToHex(this.#hash.digest())
  }
}

/** A typed error for whatever jsonld or rdf-canonize threw: the loader's own, or `jsonld_invalid`. */
function jsonLdError(error: unknown): CredsignError {
  for (let cause = error, depth = 0; cause !== undefined && cause !== null && depth < 8; depth++) {
    if (CredsignError.is(cause)) return cause
    const record = cause as { details?: { cause?: unknown }; cause?: unknown }
    cause = record.details?.cause ?? record.cause
  }
  const record = error as { message?: unknown; details?: { code?: unknown } } | null
  const code = typeof record?.details?.code === 'string' ? ` (${record.details.code})` : ''
  const message =
    typeof record?.message === 'string' ? record.message.slice(0, 300) : 'JSON-LD processing failed'
  return new CredsignError('jsonld_invalid', `${message}${code}`, { cause: error })
}
