// The JSON-LD and RDFC-1.0 machinery, loaded on first use: `jsonld` and `rdf-canonize` are only
// imported (dynamically) when an rdfc suite runs, so the jcs suites, and every JWT user, never
// load them.
import { sha256, sha384 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { CredsignError } from '../errors/credsign-error.js'
import { Lru } from '../util/lru.js'
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
  toRDF(input: unknown, options: Record<string, unknown>): Promise<RdfQuad[]>
}
interface CanonizeApi {
  canonize(input: RdfQuad[], options: Record<string, unknown>): Promise<string>
}
type ContextResolverClass = new (options: { sharedCache: { get(key: string): unknown; set(key: string, value: unknown): void } }) => unknown

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
      throw new CredsignError('unsupported_format', 'the rdfc cryptosuites need the jsonld and rdf-canonize packages, which could not be loaded', { cause })
    },
  )
  return machinery
}

/**
 * Processed contexts, per document loader. jsonld's own shared cache is keyed by URL alone and is
 * consulted *before* the document loader: a context another loader (or another library in the
 * process) marked as static would be used even where our loader would refuse that URL. So every
 * loader gets its own cache, and our loader's documents are marked static only there.
 */
const contextCaches = new WeakMap<DocumentLoader, Lru<string, unknown>>()
function contextCacheOf(loader: DocumentLoader): Lru<string, unknown> {
  let cache = contextCaches.get(loader)
  if (cache === undefined) {
    cache = new Lru(100)
    contextCaches.set(loader, cache)
  }
  return cache
}

/** Wraps a loader so its answers are tagged static (cacheable for the loader's lifetime) and its errors kept typed. */
const wrappedLoaders = new WeakMap<DocumentLoader, (url: string) => Promise<RemoteDocument & { tag: string }>>()
function staticLoader(loader: DocumentLoader): (url: string) => Promise<RemoteDocument & { tag: string }> {
  let wrapped = wrappedLoaders.get(loader)
  if (wrapped === undefined) {
    wrapped = async (url: string) => ({ ...(await loader(url)), tag: 'static' })
    wrappedLoaders.set(loader, wrapped)
  }
  return wrapped
}

/**
 * The RDF dataset of a JSON-LD document: expansion and deserialization to RDF in safe mode (a
 * term no context defines, a dropped value or a relative IRI is an error, not silently ignored).
 * Errors: `context_not_found` (from the loader), `jsonld_invalid` (everything JSON-LD rejects).
 * @internal
 */
export async function toDataset(document: JsonLdDocument, documentLoader: DocumentLoader): Promise<RdfQuad[]> {
  const { jsonld, ContextResolver } = await loadMachinery()
  try {
    return await jsonld.toRDF(document, {
      documentLoader: staticLoader(documentLoader),
      safe: true,
      // As the W3C cryptosuites (and Digital Bazaar's implementations) process documents: no base
      // IRI (a relative IRI is an error in safe mode, never resolved against some URL), base
      // direction as i18n datatypes (else safe mode rejects every @direction), no generalized RDF.
      base: null,
      rdfDirection: 'i18n-datatype',
      produceGeneralizedRdf: false,
      contextResolver: new ContextResolver({ sharedCache: contextCacheOf(documentLoader) as unknown as { get(key: string): unknown; set(key: string, value: unknown): void } }),
    })
  } catch (error) {
    throw jsonLdError(error)
  }
}

/**
 * RDFC-1.0 canonical N-Quads of a dataset. `hash` is the algorithm RDFC-1.0 uses for blank node
 * labels (SHA-256, the default, for every suite credsign implements). Poison graphs are refused
 * (`jsonld_invalid`) rather than allowed to run for minutes.
 * @internal
 */
export async function canonizeDataset(dataset: RdfQuad[], hash: 'SHA-256' | 'SHA-384' = 'SHA-256'): Promise<string> {
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
export function jsonLdError(error: unknown): CredsignError {
  for (let cause = error, depth = 0; cause !== undefined && cause !== null && depth < 8; depth++) {
    if (CredsignError.is(cause)) return cause
    const record = cause as { details?: { cause?: unknown }; cause?: unknown }
    cause = record.details?.cause ?? record.cause
  }
  const record = error as { message?: unknown; details?: { code?: unknown } } | null
  const code = typeof record?.details?.code === 'string' ? ` (${record.details.code})` : ''
  const message = typeof record?.message === 'string' ? record.message.slice(0, 300) : 'JSON-LD processing failed'
  return new CredsignError('jsonld_invalid', `${message}${code}`, { cause: error })
}
