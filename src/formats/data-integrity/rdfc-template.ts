// Shape templates for RDFC-1.0: documents of the same shape (credentials an issuer signs by the
// thousand, proof configurations) skip JSON-LD expansion, which is ~90% of the cost of
// canonicalization. Output is byte-identical to the uncached path; whenever that cannot be shown
// for a document, the document takes the uncached path.
//
// The argument, in short:
//
// 1. Shape. Two documents with the same shape key have the same JSON structure (keys in the same
//    order, array lengths, value kinds), the same numbers, booleans and nulls, the same `@context`
//    values everywhere, the same values under the keys `type` and `@…` (other than the structural
//    keywords `@id`, `@value`, `@graph`, `@list`, …). They differ only in their other strings: the
//    slots. Everything that selects contexts (embedded, property-scoped, type-scoped through `type`
//    or `@type`) is in the shape, so the two documents have the same term definitions wherever a
//    slot is, and the same keys expand to the same properties.
// 2. Template. The shape's representative is processed with each slot replaced by a unique
//    placeholder, an absolute IRI with a random scheme no context can define. Where a placeholder
//    comes out of jsonld.toRDF tells how jsonld treats that slot:
//    - the whole value of a Literal (not rdf:JSON, not xsd:double: those transform the string):
//      jsonld copies any string verbatim into such a literal (`_expandValue`, `_objectToRDF`),
//      and the string's content steers nothing (only its kind, string, does);
//    - the whole value of a NamedNode as subject, object (not of rdf:type: a type can select a
//      type-scoped context) or graph name: jsonld ran it through IRI expansion (`_expandIri`),
//      which returns a value unchanged when it is an absolute IRI (jsonld's own regex), is not a
//      term (vocab-relative expansion) and its prefix is not a term (compact IRI). The hit path
//      checks exactly that, against every term of every context the shape can reach (a superset
//      of the active context wherever the slot is);
//    - anything else (inside a longer string, an @json literal, a datatype or language, a
//      predicate, a type, nowhere at all, or two roles at once): the slot is *pinned*: the
//      template is rebuilt with the real value there, and a document only uses the template if it
//      has that exact value. Slots under a key that aliases a keyword other than `@id`/`@value`
//      (`"lang": "@language"`, a second `@type` alias) are pinned from the start. So is an IRI slot
//      whose own value would not come out unchanged (`assertionMethod` under `@type: @vocab`,
//      `ex:foo` with an `ex` prefix, `_:b0`).
// 3. Collisions. The template's placeholders are all distinct; a document whose slot values make
//    two template quads equal (a merged node repeating a value, two equal values of one property)
//    could be deduplicated by jsonld where the template cannot know (jsonld compares JSON-LD
//    values, not quads, and rdf-canonize keeps duplicate input quads as duplicate output lines),
//    so it takes the uncached path.
//    Nodes merging without such duplicates only union their quads, which the template reproduces,
//    unless an `@index` is anywhere in reach (jsonld rejects conflicting indexes of merged nodes):
//    then any IRI collision takes the uncached path as well.
// 4. Validation. A new template must reproduce its own document: the real values substituted must
//    canonicalize to exactly what the uncached path returned, or the shape is not cached. (A
//    document whose own values collide cannot be reproduced; the next document of the shape
//    tries again.)
// 5. Blank nodes. Their structure comes from the JSON structure (embedded nodes without `@id`,
//    lists), never from slot values (values that are blank node identifiers are pinned), so the
//    substituted template is isomorphic to the real dataset; RDFC-1.0 relabels blank nodes, so the
//    canonical output is identical.
//
// Templates are per document loader (contexts depend on it) and assume, as jsonld's own context
// cache does, that a loader returns the same document for a URL each time. A shape keeps up to
// MAX_VARIANTS templates (one per set of pinned values: `assertionMethod`, `authentication`).
// The first document of a shape costs about twice the uncached path (the template run, plus one
// more per round of pinning); every later one costs the shape walk, the substitution and RDFC-1.0.
//
// The argument rests on the code of jsonld 9.0.0 (lib/context.js `_expandIri`, lib/expand.js
// `_expandValue`, lib/nodeMap.js, lib/toRdf.js) and rdf-canonize 5.0.0, both pinned in
// package.json: re-read them, and run the randomized test longer, before upgrading either.
import { CredsignError } from '../../errors/credsign-error.js'
import { Lru } from '../../util/lru.js'
import { toHex } from '../../util/bytes.js'
import { canonizeDataset, toDataset } from './jsonld.js'
import { isPlainContainer } from '../../util/plain-data.js'
import { explainJsonLdError } from './jsonld-errors.js'
import type { RdfQuad, RdfTerm } from './jsonld.js'
import type { DocumentLoader, JsonLdDocument } from './types.js'

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
const RDF_JSON = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON'
const XSD_DOUBLE = 'http://www.w3.org/2001/XMLSchema#double'

/**
 * An absolute IRI as jsonld's `_isAbsoluteIri` sees it, minus blank node identifiers (`_:`) and
 * minus `,` in the scheme (jsonld's class `[+-.]` is a range that includes it): a strict subset, so
 * every value it accepts jsonld also takes as absolute.
 */
const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/

/** Shapes remembered per document loader. */
const MAX_SHAPES = 256
/** Templates of bigger datasets are not kept (memory; and such documents are rarely repeated). */
const MAX_QUADS = 2000
/** Shape keys longer than this (huge inline contexts, huge documents) are not cached. */
const MAX_KEY_LENGTH = 1 << 16
/** Deeper JSON is not cached (and not walked recursively). */
const MAX_DEPTH = 200
/** Templates per shape: one per set of pinned values (`assertionMethod`, `authentication`, …). */
const MAX_VARIANTS = 4
/** Template runs per build: each run may pin more slots. */
const MAX_ROUNDS = 3
/** Context documents a shape may reach. */
const MAX_CONTEXTS = 64

/**
 * Keywords whose values are JSON-LD structure (nodes, values, lists): walked like any other value.
 * Every other key starting with `@` (`@type`, `@language`, `@direction`, `@index`, `@vocab`,
 * `@base`, `@container`, unknown keyword-like keys, …) has its whole value in the shape.
 */
const STRUCTURAL_KEYWORDS = new Set([
  '@id',
  '@value',
  '@graph',
  '@included',
  '@reverse',
  '@nest',
  '@list',
  '@set',
])

/** True when the value under `key` is part of the shape (compared verbatim), not slots. */
function isVerbatimKey(key: string): boolean {
  // `@context`: contexts decide every term's meaning. `type`: the usual alias of `@type`, whose
  // values select type-scoped contexts.
  if (key === '@context' || key === 'type') return true
  return key.charCodeAt(0) === 64 /* @ */ && !STRUCTURAL_KEYWORDS.has(key)
}

const UNSUPPORTED: unique symbol = Symbol('unsupported')

/**
 * The shape key of `value`, pushing the slot strings (in walk order) to `slots` and, when given,
 * the key each slot is under to `keys`. The encoding is injective: strings in the shape are JSON
 * strings, slots `s`, numbers `d…,`, and every composite is bracketed. Throws {@link UNSUPPORTED}
 * for anything that is not plain JSON (plus `undefined` members).
 */
function encode(
  value: unknown,
  verbatim: boolean,
  slots: string[],
  keys: (string | undefined)[] | undefined,
  parentKey: string | undefined,
  depth: number,
): string {
  switch (typeof value) {
    case 'string':
      if (verbatim) return JSON.stringify(value)
      slots.push(value)
      keys?.push(parentKey)
      return 's'
    case 'number':
      if (!Number.isFinite(value)) throw UNSUPPORTED
      return Object.is(value, -0) ? 'd-0,' : `d${value},`
    case 'boolean':
      return value ? 't' : 'f'
    case 'undefined':
      return 'u'
    case 'object': {
      if (value === null) return 'n'
      if (depth > MAX_DEPTH) throw UNSUPPORTED
      // Not JSON data (a class instance, a Date, a boxed primitive even with Object.prototype,
      // which JSON writes as its value and this walk would take for `{}`): the uncached path
      // refuses it with checkDocumentLimits' reason.
      if (!isPlainContainer(value)) throw UNSUPPORTED
      if (Array.isArray(value)) {
        let out = '['
        for (let i = 0; i < value.length; i++) {
          // A hole and an explicit undefined would share an encoding; jsonld may not treat them alike.
          if (!(i in value)) throw UNSUPPORTED
          out += encode(value[i], verbatim, slots, keys, parentKey, depth + 1)
        }
        return `${out}]`
      }
      let out = '{'
      const record = value as Record<string, unknown>
      for (const key of Object.keys(record)) {
        // A rebuilt copy could not hold it as an own property without special care; not worth it.
        if (key === '__proto__') throw UNSUPPORTED
        out += JSON.stringify(key)
        out += encode(record[key], verbatim || isVerbatimKey(key), slots, keys, key, depth + 1)
      }
      return `${out}}`
    }
    default:
      throw UNSUPPORTED
  }
}

/** The shape key, or undefined for documents that are not plain JSON objects (uncached path). */
function shapeOf(
  document: unknown,
  slots: string[],
  keys?: (string | undefined)[],
): string | undefined {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return undefined
  try {
    return encode(document, false, slots, keys, undefined, 0)
  } catch (error) {
    if (error === UNSUPPORTED) return undefined
    throw error
  }
}

/**
 * A copy of `value` with its slots (in {@link encode}'s order) replaced by `values`; shape parts are
 * shared, not copied.
 */
function rebuild(
  value: unknown,
  verbatim: boolean,
  values: readonly string[],
  cursor: { next: number },
): unknown {
  if (verbatim) return value
  if (typeof value === 'string') return values[cursor.next++]
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    const out: unknown[] = []
    for (let i = 0; i < value.length; i++) out.push(rebuild(value[i], false, values, cursor))
    return out
  }
  const out: Record<string, unknown> = {}
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record))
    out[key] = rebuild(record[key], isVerbatimKey(key), values, cursor)
  return out
}

// ---------------------------------------------------------------------------------------------
// Contexts: every term any context reachable from the shape defines.

interface ContextInfo {
  /** Every term defined in any reachable context (including scoped contexts and imports). */
  terms: Set<string>
  /** Terms defined as aliases of keywords other than `@id` and `@value` (their values get pinned). */
  keywordAliases: Set<string>
  /** Whether `@index` appears in any reachable context (then node merges are not allowed on hits). */
  mentionsIndex: boolean
}

/** Thrown when the reachable contexts cannot be enumerated with certainty: the shape is not cached. */
class Unenumerable extends Error {}

/** Collects the `@context` values found anywhere in a JSON value. */
function contextsIn(value: unknown, out: unknown[], depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return
  if (Array.isArray(value)) {
    for (const item of value) contextsIn(item, out, depth + 1)
    return
  }
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    if (key === '@context') out.push(member)
    else contextsIn(member, out, depth + 1)
  }
}

/**
 * The terms of every context the document can reach, loading remote contexts with `loader` itself
 * (the loader jsonld used; bundled and fetched contexts are memoised there). Inline contexts,
 * remote ones, `@import`s and the scoped contexts inside term definitions are all followed, whether
 * or not jsonld ends up applying them: a superset is what the IRI check needs.
 */
async function reachableContexts(
  document: JsonLdDocument,
  loader: DocumentLoader,
): Promise<ContextInfo> {
  const info: ContextInfo = { terms: new Set(), keywordAliases: new Set(), mentionsIndex: false }
  const loaded = new Set<string>()

  const load = async (url: unknown): Promise<void> => {
    // A relative context URL resolves against a base we would have to reproduce: not worth it.
    if (typeof url !== 'string' || !ABSOLUTE_IRI.test(url))
      throw new Unenumerable('context reference')
    if (loaded.has(url)) return
    loaded.add(url)
    if (loaded.size > MAX_CONTEXTS) throw new Unenumerable('too many contexts')
    const remote = await loader(url)
    let document = remote?.document
    if (typeof document === 'string') document = JSON.parse(document) as unknown
    if (document === null || typeof document !== 'object' || Array.isArray(document))
      throw new Unenumerable('context document')
    if (JSON.stringify(document).includes('@index')) info.mentionsIndex = true
    await walk((document as Record<string, unknown>)['@context'], 0)
  }

  const walk = async (context: unknown, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new Unenumerable('context depth')
    if (context === null || context === undefined) return
    if (typeof context === 'string') return load(context)
    if (Array.isArray(context)) {
      for (const item of context) await walk(item, depth + 1)
      return
    }
    if (typeof context !== 'object') throw new Unenumerable('context value')
    for (const [term, definition] of Object.entries(context as Record<string, unknown>)) {
      if (term === '@import') {
        await load(definition)
        continue
      }
      if (term.startsWith('@')) continue
      info.terms.add(term)
      const target =
        typeof definition === 'string'
          ? definition
          : definition !== null && typeof definition === 'object'
            ? (definition as Record<string, unknown>)['@id']
            : undefined
      if (
        typeof target === 'string' &&
        target.startsWith('@') &&
        target !== '@id' &&
        target !== '@value'
      )
        info.keywordAliases.add(term)
      if (definition !== null && typeof definition === 'object' && '@context' in definition)
        await walk((definition as Record<string, unknown>)['@context'], depth + 1)
    }
  }

  const contexts: unknown[] = []
  contextsIn(document, contexts)
  for (const context of contexts) {
    if (JSON.stringify(context).includes('@index')) info.mentionsIndex = true
    await walk(context, 0)
  }
  return info
}

/**
 * Whether jsonld's IRI expansion certainly returns `value` unchanged, whatever the active context
 * (see the file header).
 */
function expandsToItself(value: string, terms: ReadonlySet<string>): boolean {
  if (!ABSOLUTE_IRI.test(value) || terms.has(value)) return false
  return !terms.has(value.slice(0, value.indexOf(':')))
}

// ---------------------------------------------------------------------------------------------
// Templates.

const enum Role {
  /** Not seen yet (while analysing). */
  None = 0,
  /** The whole value of a NamedNode (subject, object, graph). */
  Iri = 1,
  /** The whole value of a Literal. */
  Literal = 2,
  /** Must equal the value the template was built with. */
  Pinned = 3,
}

/** A term of a template quad: a constant (shared, frozen) or a slot. */
type TemplateTerm = RdfTerm | SlotTerm
interface SlotTerm {
  slot: number
  termType: 'NamedNode' | 'Literal'
  datatype?: { termType: 'NamedNode'; value: string }
  language?: string
}

interface Template {
  quads: [TemplateTerm, TemplateTerm, TemplateTerm, TemplateTerm][]
  roles: Role[]
  /** The value of each pinned slot (undefined for the others). */
  pinned: (string | undefined)[]
  terms: ReadonlySet<string>
  /**
   * Every constant term value (IRIs, literal values, blank node labels): a slot value equal to one
   * may collide.
   */
  constants: ReadonlySet<string>
  /** Distinct quads of the template (jsonld may emit duplicates; substitution must not add any). */
  distinct: number
  /** No `@index` anywhere in reach: nodes may merge (equal IRIs in distinct slots). */
  mergeSafe: boolean
}

function isSlot(term: TemplateTerm): term is SlotTerm {
  return (term as SlotTerm).slot !== undefined
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const member of Object.values(value)) deepFreeze(member)
    Object.freeze(value)
  }
  return value
}

/** An injective string for a quad, for counting distinct quads. */
function quadKey(quad: RdfQuad): string {
  return `${termKey(quad.subject)}${termKey(quad.predicate)}${termKey(quad.object)}${termKey(quad.graph)}`
}
function termKey(term: RdfTerm): string {
  let key = `${term.termType.charAt(0)}${term.value.length}:${term.value}`
  if (term.datatype !== undefined) key += `^${term.datatype.value.length}:${term.datatype.value}`
  if (term.language !== undefined) key += `@${term.language.length}:${term.language}`
  return key
}

function distinctCount(quads: readonly RdfQuad[]): number {
  const seen = new Set<string>()
  for (const quad of quads) seen.add(quadKey(quad))
  return seen.size
}

/**
 * The template's dataset with `slots` substituted, or undefined when this document cannot use the
 * template (a pinned value differs, an IRI value would not expand to itself, a collision).
 */
function instantiate(template: Template, slots: readonly string[]): RdfQuad[] | undefined {
  const { roles, pinned, terms, constants } = template
  if (slots.length !== roles.length) return undefined
  let mayCollide = false
  let iriMayCollide = false
  const used = new Set<string>()
  for (let i = 0; i < roles.length; i++) {
    const value = slots[i] as string
    const role = roles[i]
    if (role === Role.Pinned) {
      if (value !== pinned[i]) return undefined
      continue
    }
    if (role === Role.Iri && !expandsToItself(value, terms)) return undefined
    if (used.has(value) || constants.has(value)) {
      mayCollide = true
      if (role === Role.Iri) iriMayCollide = true
    }
    used.add(value)
  }
  // An IRI slot equal to another slot's value or to a constant may merge nodes; with an `@index` in
  // reach, jsonld could reject the merge (conflicting indexes). Equal to a literal's value is
  // flagged too (cheaper than telling them apart; merely conservative).
  if (iriMayCollide && !template.mergeSafe) return undefined
  const quads: RdfQuad[] = new Array(template.quads.length)
  for (let q = 0; q < template.quads.length; q++) {
    const [s, p, o, g] = template.quads[q] as [
      TemplateTerm,
      TemplateTerm,
      TemplateTerm,
      TemplateTerm,
    ]
    quads[q] = {
      subject: term(s, slots),
      predicate: term(p, slots),
      object: term(o, slots),
      graph: term(g, slots),
    }
  }
  // Two quads the placeholders kept apart are now equal: jsonld may or may not have deduplicated
  // them (it compares JSON-LD values, not RDF terms). Not worth guessing.
  if (mayCollide && distinctCount(quads) !== template.distinct) return undefined
  return quads
}

function term(template: TemplateTerm, slots: readonly string[]): RdfTerm {
  if (!isSlot(template)) return template
  const value = slots[template.slot] as string
  if (template.termType === 'NamedNode') return { termType: 'NamedNode', value }
  const literal: RdfTerm = { termType: 'Literal', value }
  if (template.datatype !== undefined) literal.datatype = template.datatype
  if (template.language !== undefined) literal.language = template.language
  return literal
}

/**
 * 16 random hex digits: the placeholder scheme is unguessable, so no document or context can
 * contain or define it.
 */
function randomHex(): string {
  const bytes = new Uint8Array(8)
  globalThis.crypto.getRandomValues(bytes)
  return toHex(bytes)
}
let schemeCache: string | undefined
/** `credsign-<random>`: a URI scheme, so placeholders are absolute IRIs whose prefix is no term. */
function placeholderScheme(): string {
  schemeCache ??= `credsign-${randomHex()}`
  return schemeCache
}

/**
 * A template; 'uncacheable' when the shape cannot be templated with certainty; 'unsuitable' when
 * only this document cannot serve (its own values collide), so another document of the shape may.
 */
type BuildResult = Template | 'uncacheable' | 'unsuitable'

/** Builds (and validates) the template of `document`, whose uncached canonical form is `expected`. */
async function buildTemplate(
  document: JsonLdDocument,
  loader: DocumentLoader,
  expected: string,
  hash: RdfcHash,
): Promise<BuildResult> {
  const originals: string[] = []
  const keys: (string | undefined)[] = []
  if (shapeOf(document, originals, keys) === undefined) return 'uncacheable'
  const scheme = placeholderScheme()
  if (JSON.stringify(document).includes(scheme)) return 'uncacheable'

  let contexts: ContextInfo
  try {
    contexts = await reachableContexts(document, loader)
  } catch {
    // Unenumerable contexts, a loader that now fails, a context that is not JSON: don't guess.
    return 'uncacheable'
  }

  const count = originals.length
  const pinnedSlots = keys.map((key) => key !== undefined && contexts.keywordAliases.has(key))
  const placeholderIndex = new Map<string, number>()
  const placeholders = originals.map((_, i) => {
    const placeholder = `${scheme}:s${i}e`
    placeholderIndex.set(placeholder, i)
    return placeholder
  })
  const mentions = new RegExp(`${scheme}:s(\\d+)e`, 'g')

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const values = originals.map((original, i) =>
      pinnedSlots[i] === true ? original : (placeholders[i] as string),
    )
    let dataset: RdfQuad[]
    try {
      dataset = await toDataset(
        rebuild(document, false, values, { next: 0 }) as JsonLdDocument,
        loader,
      )
    } catch {
      return 'uncacheable'
    }
    if (dataset.length > MAX_QUADS) return 'uncacheable'

    const roles: Role[] = new Array<Role>(count).fill(Role.None)
    let pinMore = false
    let mangled = false
    const pin = (i: number): void => {
      if (pinnedSlots[i] !== true) {
        pinnedSlots[i] = true
        pinMore = true
      }
    }
    /** Pins every slot whose placeholder is somewhere inside `text`. */
    const pinMentions = (text: string | undefined): void => {
      if (text === undefined || !text.includes(scheme)) return
      let found = 0
      for (const match of text.matchAll(mentions)) {
        const i = Number(match[1])
        if (i < count) {
          pin(i)
          found++
        }
      }
      // The scheme without a placeholder we can name: nothing can be trusted.
      if (found === 0) mangled = true
    }
    const note = (i: number, role: Role): void => {
      if (pinnedSlots[i] === true) return
      if (roles[i] === Role.None) roles[i] = role
      else if (roles[i] !== role) pin(i)
    }

    const templateQuads: Template['quads'] = []
    for (const quad of dataset) {
      const positions = [quad.subject, quad.predicate, quad.object, quad.graph] as const
      const out: TemplateTerm[] = []
      for (let position = 0; position < 4; position++) {
        const t = positions[position] as RdfTerm
        const slot = placeholderIndex.get(t.value)
        pinMentions(t.datatype?.value)
        pinMentions(t.language)
        if (slot === undefined) {
          pinMentions(t.value)
          out.push(t)
          continue
        }
        const isObject = position === 2
        if (
          t.termType === 'NamedNode' &&
          (position === 0 || position === 3 || (isObject && quad.predicate.value !== RDF_TYPE))
        ) {
          note(slot, Role.Iri)
          out.push({ slot, termType: 'NamedNode' })
        } else if (
          t.termType === 'Literal' &&
          isObject &&
          t.datatype !== undefined &&
          t.datatype.value !== RDF_JSON &&
          t.datatype.value !== XSD_DOUBLE &&
          !t.datatype.value.includes(scheme) &&
          (t.language === undefined || !t.language.includes(scheme))
        ) {
          note(slot, Role.Literal)
          const slotTerm: SlotTerm = { slot, termType: 'Literal', datatype: t.datatype }
          if (t.language !== undefined) slotTerm.language = t.language
          out.push(slotTerm)
        } else {
          pin(slot)
          out.push(t)
        }
      }
      templateQuads.push(out as [TemplateTerm, TemplateTerm, TemplateTerm, TemplateTerm])
    }
    for (let i = 0; i < count; i++) {
      if (pinnedSlots[i] === true) continue
      // A slot that left no trace (an index, a dropped or transformed value) must stay what it was.
      if (roles[i] === Role.None) pin(i)
      // An IRI slot whose own value would not come out unchanged (a term, a compact IRI, a blank node id).
      else if (roles[i] === Role.Iri && !expandsToItself(originals[i] as string, contexts.terms))
        pin(i)
    }
    if (mangled) return 'uncacheable'
    if (pinMore) continue

    const constants = new Set<string>()
    for (const quad of templateQuads) {
      for (const t of quad) if (!isSlot(t)) constants.add(t.value)
    }
    const template: Template = {
      quads: deepFreeze(templateQuads),
      roles: originals.map((_, i) => (pinnedSlots[i] === true ? Role.Pinned : (roles[i] as Role))),
      pinned: originals.map((original, i) => (pinnedSlots[i] === true ? original : undefined)),
      terms: contexts.terms,
      constants,
      distinct: distinctCount(dataset),
      mergeSafe: !contexts.mentionsIndex && !JSON.stringify(document).includes('@index'),
    }
    // The template must reproduce its own document exactly. It cannot when the document's own
    // values collide (a merged node repeating a value): a template of this shape built from
    // another document may still serve.
    const own = instantiate(template, originals)
    if (own === undefined) return 'unsuitable'
    try {
      if ((await canonizeDataset(own, hash)) !== expected) return 'uncacheable'
    } catch {
      return 'uncacheable'
    }
    return template
  }
  return 'uncacheable'
}

// ---------------------------------------------------------------------------------------------
// The cache.

/** The hash RDFC-1.0 uses for blank node labels. @internal */
export type RdfcHash = 'SHA-256' | 'SHA-384'

interface Shape {
  templates: Template[]
  /** Documents of this shape that could not be templated (each counts towards {@link MAX_VARIANTS}). */
  failures: number
}
interface LoaderCache {
  shapes: Lru<string, Shape | 'uncacheable'>
  /**
   * Shapes whose template is being built (concurrent documents of the shape take the uncached
   * path).
   */
  building: Set<string>
}

let caches = new WeakMap<DocumentLoader, LoaderCache>()
function cacheOf(loader: DocumentLoader): LoaderCache {
  let cache = caches.get(loader)
  if (cache === undefined) {
    cache = { shapes: new Lru(MAX_SHAPES), building: new Set() }
    caches.set(loader, cache)
  }
  return cache
}

/** Counters of the template cache, for tests and benchmarks (src/testing/rdfc-cache.ts). @internal */
export interface RdfcCacheStats {
  /** Documents canonicalized from a template. */
  hits: number
  /** Documents of a shape never seen (uncached, then a template was built). */
  misses: number
  /**
   * Documents of a known shape that no template fits (a pinned value differs, a collision, …):
   * uncached.
   */
  fallbacks: number
  /**
   * Documents that cannot be templated at all (not plain JSON, huge, or a shape found uncacheable):
   * uncached.
   */
  uncacheable: number
}
const stats: RdfcCacheStats = { hits: 0, misses: 0, fallbacks: 0, uncacheable: 0 }

/** Off: every document takes the uncached path, and nothing is counted. */
let templatesEnabled = true

/**
 * The template cache's controls, which nothing in the library calls: tests and benchmarks reach
 * them through `src/testing/rdfc-cache.ts` to compare the two paths, count hits and start from
 * empty.
 *
 * @internal
 */
export const rdfcTemplateControls = {
  /**
   * Turns templating on (the default) or off; off also forgets every template and zeroes the
   * counters.
   */
  setEnabled(enabled: boolean): void {
    templatesEnabled = enabled
    if (!enabled) rdfcTemplateControls.reset()
  },
  /** A copy of the counters. */
  stats(): RdfcCacheStats {
    return { ...stats }
  },
  /** Forgets every template and zeroes the counters. */
  reset(): void {
    caches = new WeakMap()
    stats.hits = 0
    stats.misses = 0
    stats.fallbacks = 0
    stats.uncacheable = 0
  },
}

/**
 * RDFC-1.0 without templates: JSON-LD expansion and RDF deserialization, then canonicalization.
 *
 * @internal
 */
export async function canonizeUncached(
  document: JsonLdDocument,
  documentLoader: DocumentLoader,
  hash: RdfcHash = 'SHA-256',
): Promise<string> {
  let dataset: RdfQuad[]
  try {
    dataset = await toDataset(document, documentLoader)
  } catch (error) {
    // jsonld says "Safe mode validation error." and which term; this says where it is.
    throw explainJsonLdError(error, document)
  }
  return unicodeOnly(await canonizeDataset(dataset, hash))
}

/** A lone UTF-16 surrogate (the same test as jcs.ts). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * The canonical N-Quads, refused when they hold a lone surrogate: the suites hash their UTF-8, and
 * UTF-8 has none (TextEncoder writes U+FFFD), so "\uD800", "\uDC00" and "\uFFFD" would all sign
 * alike. One regex scan: ~50 ns for a 3.5 kB credential, against milliseconds of RDFC-1.0.
 */
function unicodeOnly(nquads: string): string {
  if (LONE_SURROGATE.test(nquads))
    throw new CredsignError(
      'invalid_argument',
      'RDFC-1.0 cannot canonicalize a string or IRI with a lone surrogate (not Unicode)',
    )
  return nquads
}

/**
 * RDFC-1.0 canonical N-Quads of `document`, from the template of its shape when one fits, otherwise
 * uncached (building a template for the next document of the shape). The output is byte-identical
 * to {@link canonizeUncached}'s, errors included (errors only come from the uncached path, or from
 * RDFC-1.0 on the same dataset). Always uncached while templating is off.
 *
 * @internal
 */
export async function canonizeTemplated(
  document: JsonLdDocument,
  documentLoader: DocumentLoader,
  hash: RdfcHash = 'SHA-256',
): Promise<string> {
  if (!templatesEnabled) return canonizeUncached(document, documentLoader, hash)
  const slots: string[] = []
  const key = shapeOf(document, slots)
  if (key === undefined || key.length > MAX_KEY_LENGTH) {
    stats.uncacheable++
    return canonizeUncached(document, documentLoader, hash)
  }
  const cache = cacheOf(documentLoader)
  const shape = cache.shapes.get(key)
  if (shape === 'uncacheable') {
    stats.uncacheable++
    return canonizeUncached(document, documentLoader, hash)
  }
  if (shape !== undefined) {
    for (const template of shape.templates) {
      const dataset = instantiate(template, slots)
      if (dataset !== undefined) {
        stats.hits++
        return unicodeOnly(await canonizeDataset(dataset, hash))
      }
    }
  }
  if (shape === undefined || shape.templates.length === 0) stats.misses++
  else stats.fallbacks++
  // Build at most one template of a shape at a time, and at most MAX_VARIANTS per shape.
  if (
    cache.building.has(key) ||
    (shape !== undefined && shape.templates.length + shape.failures >= MAX_VARIANTS)
  ) {
    return canonizeUncached(document, documentLoader, hash)
  }
  cache.building.add(key)
  try {
    // The answer is always the uncached one; errors propagate and cache nothing.
    const expected = await canonizeUncached(document, documentLoader, hash)
    const built = await buildTemplate(document, documentLoader, expected, hash)
    const current = cache.shapes.get(key)
    const target = current === undefined || current === 'uncacheable' ? undefined : current
    if (built === 'uncacheable') {
      if (target === undefined) cache.shapes.set(key, 'uncacheable')
      else target.failures++
    } else if (built === 'unsuitable') {
      if (target === undefined) cache.shapes.set(key, { templates: [], failures: 1 })
      else target.failures++
    } else if (target === undefined) {
      cache.shapes.set(key, { templates: [built], failures: 0 })
    } else {
      target.templates.push(built)
    }
    return expected
  } finally {
    cache.building.delete(key)
  }
}
