// Work budgets for JSON-LD processing (the rdfc suites). jsonld's cost is not linear in the size
// of its input: it deep-copies the whole active context (every term definition, with its scoped
// context) for each context it applies and for each scoped context it validates, recursively, so
// property-scoped contexts nested N deep cost about N⁴ copies (11 KB of them took 91 s and 2.4 GB);
// and its node map compares each value of a node's property with every earlier one (duplicate
// removal), so n values of one property cost n²/2 comparisons (70 KB: 5 s). Neither can be
// interrupted from outside: expansion runs as one chain of promises that never yields to the event
// loop, and the node map is synchronous. So the budgets are enforced at the points jsonld gives us:
//
// 1. before jsonld runs, a pass over the document (values, nesting, @context entries, inline term
//    definitions) and over every context it can reach, inline or from the document loader, scoped
//    and imported ones included (scoped-context depth); see checkDocumentLimits / checkContextLimits;
// 2. during expansion, in the context resolver jsonld calls before it processes any context
//    (ContextResolver.resolve, awaited by jsonld's context processing each time): the term
//    definitions about to be processed, the active context about to be copied (weighted by the
//    scoped contexts its definitions carry), and the clock; see JsonLdBudget.meter;
// 3. between expansion and RDF conversion: the comparisons the node map will make, counted on the
//    expanded form (where aliases, maps and @nest are resolved and node identifiers explicit); see
//    checkValueComparisons.
//
// Everything here is plain JavaScript (no Node APIs): browsers get the same limits.
import { CredsignError } from '../../errors/credsign-error.js'
import { Lru } from '../../util/lru.js'
import { isPlainContainer } from '../../util/plain-data.js'
import type { DocumentLoader } from './types.js'

/**
 * Work budgets for JSON-LD processing (the rdfc suites: `eddsa-rdfc-2022`, `ecdsa-rdfc-2019`,
 * `Ed25519Signature2020`), at signing and verification. A document over any of them is refused with
 * `jsonld_limit_exceeded`, naming the limit, before or while jsonld works on it; nothing is signed.
 * The defaults ({@link JSONLD_LIMIT_DEFAULTS}) keep every input of up to 100 KB under about 250 ms
 * and 128 MB, and are far above what real credentials need (the W3C vectors use less than a tenth
 * of each). Raise one only for documents you trust.
 *
 * @example
 *
 * ```ts
 * import { dataIntegrityHandler, type JsonLdLimits } from 'credsign/data-integrity'
 * const limits: JsonLdLimits = { maxValues: 20_000, timeBudgetMs: 2_000 }
 * const handler = dataIntegrityHandler({ jsonLdLimits: limits })
 * ```
 */
export interface JsonLdLimits {
  /** Most JSON values (object members and array entries, outside contexts) of the document. */
  maxValues?: number
  /**
   * Most JSON objects in the document (outside contexts). Each is a node (or value) jsonld expands
   * and maps at tens of microseconds apiece, and a node without an `id` is a blank node RDFC-1.0
   * must label.
   */
  maxObjects?: number
  /** Deepest nesting of objects and arrays in the document (jsonld recurses once per level). */
  maxDepth?: number
  /** Most `@context` entries in the document (strings and objects, scoped contexts included). */
  maxContextEntries?: number
  /** Most term definitions in the document's own (inline) contexts, scoped ones included. */
  maxInlineTerms?: number
  /**
   * Deepest nesting of scoped contexts (a term definition's `@context` holding term definitions
   * with their own `@context`, …), across every context the document reaches: inline, from the
   * document loader, imported. jsonld's work grows with about the fourth power of this depth.
   */
  maxScopedContextDepth?: number
  /**
   * Most term definitions processed, counting a context again each time jsonld applies or validates
   * it.
   */
  maxTermDefinitions?: number
  /**
   * Most term definitions copied: jsonld copies the active context (each definition with its scoped
   * contexts) for every context it applies or validates; this is their total.
   */
  maxExpansionWork?: number
  /**
   * Most value comparisons of the duplicate removal in RDF conversion: n values of one property of
   * one node (objects with the same `id` merged) cost n·(n−1)/2. The default allows one property
   * with 1,000 values, or many properties with fewer.
   */
  maxValueComparisons?: number
  /** Milliseconds JSON-LD processing of one document may take (checked between jsonld's steps). */
  timeBudgetMs?: number
}

/**
 * The default {@link JsonLdLimits}.
 *
 * @example
 *
 * ```ts
 * import { JSONLD_LIMIT_DEFAULTS } from 'credsign/data-integrity'
 * JSONLD_LIMIT_DEFAULTS.maxScopedContextDepth // 8
 * ```
 */
export const JSONLD_LIMIT_DEFAULTS: Readonly<Required<JsonLdLimits>> = Object.freeze({
  maxValues: 5_000,
  maxObjects: 1_000,
  maxDepth: 64,
  maxContextEntries: 256,
  maxInlineTerms: 1024,
  maxScopedContextDepth: 8,
  maxTermDefinitions: 10_000,
  maxExpansionWork: 50_000,
  maxValueComparisons: 500_000,
  timeBudgetMs: 1_000,
})

type Limits = Readonly<Required<JsonLdLimits>>
const LIMIT_NAMES = Object.keys(JSONLD_LIMIT_DEFAULTS) as (keyof JsonLdLimits)[]

/**
 * Validated limits, defaults filled in (`invalid_argument` for anything but positive integers of
 * known names). @internal
 */
function resolveJsonLdLimits(limits: unknown): Limits {
  if (limits === undefined) return JSONLD_LIMIT_DEFAULTS
  if (limits === null || typeof limits !== 'object' || Array.isArray(limits))
    throw new CredsignError('invalid_argument', 'jsonLdLimits must be an object')
  const resolved: Record<string, number> = { ...JSONLD_LIMIT_DEFAULTS }
  for (const [name, value] of Object.entries(limits)) {
    if (!(LIMIT_NAMES as string[]).includes(name))
      throw new CredsignError(
        'invalid_argument',
        `jsonLdLimits has no limit named ${JSON.stringify(name.slice(0, 60))}`,
      )
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
      throw new CredsignError('invalid_argument', `jsonLdLimits.${name} must be a positive integer`)
    resolved[name] = value
  }
  return Object.freeze(resolved) as unknown as Limits
}

// ---------------------------------------------------------------------------------------------
// Limits travel with the document loader: every cache of the rdfc path (processed contexts, RDF
// templates, context summaries) is kept per loader, so a loader bound to other limits gets caches
// of its own, and a template made under loose limits never serves a caller with strict ones.

const boundLimits = new WeakMap<DocumentLoader, Limits>()
const boundBase = new WeakMap<DocumentLoader, DocumentLoader>()
const variantsOf = new WeakMap<DocumentLoader, Lru<string, DocumentLoader>>()

/**
 * `loader` with `limits` for the JSON-LD processing that uses it: `loader` itself for the defaults,
 * else one delegating loader per loader and set of limits (so its caches are reused).
 *
 * @internal
 */
export function loaderWithLimits(
  loader: DocumentLoader,
  limits: JsonLdLimits | undefined,
): DocumentLoader {
  const base = boundBase.get(loader) ?? loader
  const resolved = resolveJsonLdLimits(limits)
  const key = JSON.stringify(resolved)
  if (key === JSON.stringify(JSONLD_LIMIT_DEFAULTS)) return base
  let variants = variantsOf.get(base)
  if (variants === undefined) {
    variants = new Lru(16)
    variantsOf.set(base, variants)
  }
  let bound = variants.get(key)
  if (bound === undefined) {
    bound = (url: string) => base(url)
    boundLimits.set(bound, resolved)
    boundBase.set(bound, base)
    variants.set(key, bound)
  }
  return bound
}

/** The limits JSON-LD processing with `loader` runs under. @internal */
export function jsonLdLimitsOf(loader: DocumentLoader): Limits {
  return boundLimits.get(loader) ?? JSONLD_LIMIT_DEFAULTS
}

function exceeded(limit: keyof JsonLdLimits, limits: Limits, what: string): CredsignError {
  return new CredsignError(
    'jsonld_limit_exceeded',
    `${what}: more than the JSON-LD limit ${limit} (${limits[limit]}) allows`,
  )
}

// ---------------------------------------------------------------------------------------------
// 1. Before jsonld: the document.

/**
 * The document's own shape, refused before jsonld runs: a member named `__proto__` anywhere
 * (`jsonld_invalid`: jsonld drops it without a safe-mode error, so it would be neither signed nor
 * rejected, and a verified document would carry unsigned data that `Object.assign` and friends turn
 * into a prototype); a value that is not JSON data (`invalid_argument`: a Date, a Map, a function,
 * which jsonld reads by its string form); more values, nesting, `@context` entries or inline term
 * definitions than the limits allow (`jsonld_limit_exceeded`). Iterative: signing input is not
 * depth-limited by a parser. Returns every `@context` value found (to be walked by
 * {@link checkContextLimits}).
 *
 * @internal
 */
export function checkDocumentLimits(document: unknown, limits: Limits): unknown[] {
  let entries = 0
  let terms = 0
  let values = 0
  let objects = 0
  const contexts: unknown[] = []
  const stack: { value: unknown; inContext: boolean; depth: number }[] = [
    { value: document, inContext: false, depth: 0 },
  ]
  while (stack.length > 0) {
    const { value, inContext, depth } = stack.pop() as {
      value: unknown
      inContext: boolean
      depth: number
    }
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint')
        throw notJsonData(`a ${typeof value}`)
      continue
    }
    if (!isPlainContainer(value))
      throw notJsonData(
        'an object that is not a plain object or array (a Date, a Map, a class instance, a toJSON() object)',
      )
    if (depth > limits.maxDepth)
      throw exceeded(
        'maxDepth',
        limits,
        `the document nests objects and arrays more than ${limits.maxDepth} deep`,
      )
    if (Array.isArray(value)) {
      if (!inContext) values += value.length
      if (values > limits.maxValues) throw tooManyValues(limits)
      for (const item of value) stack.push({ value: item, inContext, depth: depth + 1 })
      continue
    }
    if (!inContext && ++objects > limits.maxObjects)
      throw exceeded(
        'maxObjects',
        limits,
        'the document has too many objects to process as JSON-LD',
      )
    for (const key of Object.keys(value)) {
      if (key === '__proto__')
        throw new CredsignError(
          'jsonld_invalid',
          'a member is named "__proto__", which JSON-LD processing would drop unsigned',
        )
      const member = (value as Record<string, unknown>)[key]
      if (key === '@context') {
        entries += Array.isArray(member) ? member.length : 1
        if (!inContext) contexts.push(member)
        stack.push({ value: member, inContext: true, depth: depth + 1 })
        continue
      }
      if (inContext && !key.startsWith('@')) terms++
      if (!inContext) values++
      stack.push({ value: member, inContext, depth: depth + 1 })
    }
    if (values > limits.maxValues) throw tooManyValues(limits)
    if (entries > limits.maxContextEntries)
      throw exceeded('maxContextEntries', limits, 'the document has too many @context entries')
    if (terms > limits.maxInlineTerms)
      throw exceeded(
        'maxInlineTerms',
        limits,
        "the document's inline contexts define too many terms",
      )
  }
  return contexts
}

function notJsonData(what: string): CredsignError {
  return new CredsignError(
    'invalid_argument',
    `the document is not JSON data: it holds ${what}, which JSON-LD would read by its string form`,
  )
}

function tooManyValues(limits: Limits): CredsignError {
  return exceeded(
    'maxValues',
    limits,
    'the document has too many values (object members and array entries) to process as JSON-LD',
  )
}

// ---------------------------------------------------------------------------------------------
// 1b. Before jsonld: every context the document can reach.

/** What a context URL (and everything it reaches) holds, as far as the budgets are concerned. */
interface ContextSummary {
  /** Deepest scoped-context nesting inside it (0: no term has a scoped context). */
  depth: number
  /** Term definitions in it, scoped ones included (its weight as a scoped context). */
  size: number
  /** The copy cost of each term it defines (see {@link checkContextLimits}). */
  weights: ReadonlyMap<string, number>
}

/**
 * Summaries of loaded contexts, per loader (contexts are immutable per URL, as jsonld's own cache
 * assumes).
 */
const summaryCaches = new WeakMap<DocumentLoader, Lru<string, ContextSummary>>()
function summaryCacheOf(loader: DocumentLoader): Lru<string, ContextSummary> {
  let cache = summaryCaches.get(loader)
  if (cache === undefined) {
    cache = new Lru(256)
    summaryCaches.set(loader, cache)
  }
  return cache
}

/** Most distinct context URLs followed for one document. */
const MAX_CONTEXT_URLS = 64

interface Walked {
  /** The deepest scoped-context depth reached. */
  depth: number
  /** Term definitions walked. */
  size: number
  /** A cycle of context URLs was cut somewhere below (the summary is then not cached). */
  cut: boolean
}

function mergeWeights(into: Map<string, number>, from: ReadonlyMap<string, number>): void {
  for (const [term, weight] of from) if (weight > (into.get(term) ?? 0)) into.set(term, weight)
}

/**
 * Walks every context the document reaches (inline, from the loader, imported, scoped), refusing
 * scoped contexts nested deeper than `maxScopedContextDepth`. Returns each term's weight: one plus
 * the term definitions of its scoped contexts (the largest over every definition of that name),
 * which is what copying its definition costs jsonld. A context the loader cannot give is skipped:
 * jsonld asks the same loader, and fails if it needs it.
 *
 * @internal
 */
export async function checkContextLimits(
  contexts: readonly unknown[],
  loader: DocumentLoader,
  limits: Limits,
  budget: JsonLdBudget,
): Promise<Map<string, number>> {
  const cache = summaryCacheOf(loader)
  const visiting = new Set<string>()
  const followed = new Set<string>()
  const tooDeep = (): CredsignError =>
    exceeded(
      'maxScopedContextDepth',
      limits,
      "scoped contexts (a term definition's @context) are nested too deep",
    )

  const walkUrl = async (
    url: string,
    depth: number,
    weights: Map<string, number>,
  ): Promise<Walked> => {
    const known = cache.get(url)
    if (known !== undefined) {
      if (depth + known.depth > limits.maxScopedContextDepth) throw tooDeep()
      mergeWeights(weights, known.weights)
      return { depth: depth + known.depth, size: known.size, cut: false }
    }
    // A context reached again below itself: jsonld stops there too (its `cycles`), and during
    // expansion the document's own nesting bounds how often it is applied.
    if (visiting.has(url)) return { depth, size: 0, cut: true }
    followed.add(url)
    if (followed.size > MAX_CONTEXT_URLS)
      throw exceeded(
        'maxScopedContextDepth',
        limits,
        `the document reaches more than ${MAX_CONTEXT_URLS} context URLs`,
      )
    let document: unknown
    try {
      document = (await loader(url))?.document
      if (typeof document === 'string') document = JSON.parse(document) as unknown
    } catch {
      return { depth, size: 0, cut: true }
    } finally {
      budget.checkTime('loading contexts')
    }
    if (document === null || typeof document !== 'object' || Array.isArray(document))
      return { depth, size: 0, cut: true }
    visiting.add(url)
    try {
      const own = new Map<string, number>()
      // Walked from depth 0, so the summary holds for any depth it is reached at.
      const walked = await walk((document as Record<string, unknown>)['@context'], 0, own)
      if (depth + walked.depth > limits.maxScopedContextDepth) throw tooDeep()
      if (!walked.cut) cache.set(url, { depth: walked.depth, size: walked.size, weights: own })
      mergeWeights(weights, own)
      return { depth: depth + walked.depth, size: walked.size, cut: walked.cut }
    } finally {
      visiting.delete(url)
    }
  }

  const walk = async (
    context: unknown,
    depth: number,
    weights: Map<string, number>,
  ): Promise<Walked> => {
    if (depth > limits.maxScopedContextDepth) throw tooDeep()
    if (typeof context === 'string') return walkUrl(context, depth, weights)
    const result: Walked = { depth, size: 0, cut: false }
    if (context === null || typeof context !== 'object') return result
    const merge = (inner: Walked): void => {
      result.depth = Math.max(result.depth, inner.depth)
      result.size += inner.size
      result.cut ||= inner.cut
    }
    if (Array.isArray(context)) {
      for (const item of context) merge(await walk(item, depth, weights))
      return result
    }
    for (const [term, definition] of Object.entries(context as Record<string, unknown>)) {
      if (term === '@import') {
        merge(await walk(definition, depth, weights))
        continue
      }
      if (term.startsWith('@')) continue
      result.size++
      let weight = 1
      if (
        definition !== null &&
        typeof definition === 'object' &&
        !Array.isArray(definition) &&
        '@context' in definition
      ) {
        const scoped = await walk(
          (definition as Record<string, unknown>)['@context'],
          depth + 1,
          weights,
        )
        merge(scoped)
        weight += scoped.size
      }
      if (weight > (weights.get(term) ?? 0)) weights.set(term, weight)
    }
    return result
  }

  const weights = new Map<string, number>()
  for (const context of contexts) await walk(context, 0, weights)
  return weights
}

// ---------------------------------------------------------------------------------------------
// 2. During expansion.

/** The parts of jsonld's active context the budget reads (lib/context.js, jsonld 9). */
interface ActiveContextView {
  mappings?: Map<string, unknown>
  previousContext?: ActiveContextView
}
/** Jsonld's `ResolvedContext`: the context document it is about to process. */
interface ResolvedContextView {
  document?: unknown
}
/** The one method of jsonld's `ContextResolver` jsonld calls during processing. */
export interface ContextResolverLike {
  resolve(args: {
    activeCtx: ActiveContextView
    context: unknown
    [name: string]: unknown
  }): Promise<ResolvedContextView[]>
}

/**
 * The budgets of one JSON-LD operation. A limit it finds exceeded is thrown and kept in
 * {@link JsonLdBudget.exceeded}: jsonld rewraps errors thrown while it validates a scoped context
 * ("invalid scoped context"), so the caller reports this one instead of what jsonld says.
 *
 * @internal
 */
export class JsonLdBudget {
  exceeded: CredsignError | undefined
  termDefinitions = 0
  work = 0
  readonly #limits: Limits
  readonly #started: number
  readonly #now: () => number
  #weights = new Map<string, number>()

  constructor(limits: Limits, now: () => number = Date.now) {
    this.#limits = limits
    this.#now = now
    this.#started = now()
  }

  /** Each term's copy cost, from {@link checkContextLimits}. */
  useWeights(weights: Map<string, number>): void {
    this.#weights = weights
  }

  fail(error: CredsignError): never {
    this.exceeded ??= error
    throw this.exceeded
  }

  /** Refuses to go on once the time budget is spent. */
  checkTime(step: string): void {
    if (this.exceeded !== undefined) throw this.exceeded
    const elapsed = this.#now() - this.#started
    if (elapsed > this.#limits.timeBudgetMs)
      this.fail(
        exceeded(
          'timeBudgetMs',
          this.#limits,
          `JSON-LD processing took ${Math.round(elapsed)} ms (${step})`,
        ),
      )
  }

  /**
   * `resolver` with every `resolve` call metered: jsonld resolves each context right before it
   * processes it (copying the active context, then defining each term), so this is the place to
   * count both and look at the clock. Returns the same resolver.
   */
  meter<T extends ContextResolverLike>(resolver: T): T {
    const resolve = resolver.resolve.bind(resolver)
    resolver.resolve = async (args) => {
      this.checkTime('context processing')
      this.#chargeCopy(args.activeCtx)
      const resolved = await resolve(args)
      for (const context of resolved) this.#chargeTerms(context.document)
      return resolved
    }
    return resolver
  }

  #chargeCopy(active: ActiveContextView | undefined): void {
    for (
      let context = active, hops = 0;
      context !== undefined && hops < 2;
      context = context.previousContext, hops++
    ) {
      const mappings = context.mappings
      if (!(mappings instanceof Map)) continue
      for (const term of mappings.keys()) this.work += this.#weights.get(term) ?? 1
    }
    if (this.work > this.#limits.maxExpansionWork)
      this.fail(
        exceeded(
          'maxExpansionWork',
          this.#limits,
          'JSON-LD expansion copies too many term definitions (contexts applied to a large active context)',
        ),
      )
  }

  #chargeTerms(document: unknown): void {
    if (document === null || typeof document !== 'object') return
    const context =
      '@context' in document ? (document as { '@context': unknown })['@context'] : document
    if (context === null || typeof context !== 'object') return
    this.termDefinitions += Array.isArray(context) ? context.length : Object.keys(context).length
    if (this.termDefinitions > this.#limits.maxTermDefinitions)
      this.fail(
        exceeded(
          'maxTermDefinitions',
          this.#limits,
          'JSON-LD expansion processes too many term definitions (contexts applied again and again)',
        ),
      )
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Between expansion and RDF conversion.

type Expanded = Record<string, unknown>

/**
 * Counts, on the expanded form, the comparisons jsonld's node map makes to remove duplicate values
 * (lib/nodeMap.js: each value of a node's property is compared with every earlier one; objects with
 * the same `@id` in a graph are one node), and refuses more than `maxValueComparisons`. Iterative
 * and linear in the expanded document.
 *
 * @internal
 */
export function checkValueComparisons(expanded: unknown, limits: Limits): void {
  const counts = new Map<string, number>()
  let comparisons = 0
  let blank = 0
  const add = (node: string, property: string, n: number): void => {
    const key = `${node}\u0000${property}`
    const before = counts.get(key) ?? 0
    // Values before + i compared with the i-th new one.
    comparisons += n * before + (n * (n - 1)) / 2
    counts.set(key, before + n)
    if (comparisons > limits.maxValueComparisons) {
      throw exceeded(
        'maxValueComparisons',
        limits,
        'a node has too many values of one property (each is compared with every other one when JSON-LD removes duplicates)',
      )
    }
  }
  const stack: { element: unknown; graph: string }[] = [{ element: expanded, graph: '@default' }]
  while (stack.length > 0) {
    const { element, graph } = stack.pop() as { element: unknown; graph: string }
    if (element === null || typeof element !== 'object') continue
    if (Array.isArray(element)) {
      for (const item of element) stack.push({ element: item, graph })
      continue
    }
    const object = element as Expanded
    if ('@value' in object) continue
    if ('@list' in object) {
      stack.push({ element: object['@list'], graph })
      continue
    }
    const id = typeof object['@id'] === 'string' ? object['@id'] : `_:\u0000${blank++}`
    const node = `${graph}\u0000${id}`
    for (const [property, value] of Object.entries(object)) {
      if (property === '@id' || property === '@index' || property === '@context') continue
      if (property === '@graph') {
        stack.push({ element: value, graph: id })
        continue
      }
      if (property === '@included') {
        stack.push({ element: value, graph })
        continue
      }
      if (property === '@reverse') {
        if (value === null || typeof value !== 'object') continue
        for (const [reverseProperty, items] of Object.entries(value as Expanded)) {
          for (const item of Array.isArray(items) ? items : [items]) {
            const itemId =
              item !== null &&
              typeof item === 'object' &&
              typeof (item as Expanded)['@id'] === 'string'
                ? ((item as Expanded)['@id'] as string)
                : `_:\u0000${blank++}`
            add(`${graph}\u0000${itemId}`, reverseProperty, 1)
            stack.push({ element: item, graph })
          }
        }
        continue
      }
      const values = Array.isArray(value) ? value : [value]
      add(node, property, values.length)
      if (property !== '@type') stack.push({ element: values, graph })
    }
  }
}
