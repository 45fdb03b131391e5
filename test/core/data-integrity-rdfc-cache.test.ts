// The shape-template cache of canonizeRdfc (src/formats/data-integrity/rdfc-template.ts): whatever the
// document, the cached path must return byte-for-byte what the uncached path returns, or fail
// with the same error. Most checks build a template from one document and apply it to another
// of the same shape, which is where a wrong template would show.
import { beforeEach, describe, expect, it } from 'vitest'
import { createDocumentLoader } from '../../src/formats/data-integrity/document-loader.js'
import { canonizeRdfc, canonizeRdfcWithHash } from '../../src/formats/data-integrity/rdfc.js'
import { canonizeUncached } from '../../src/formats/data-integrity/rdfc-template.js'
import { rdfcCacheStats, resetRdfcCache, setRdfcCache } from '../../src/testing/rdfc-cache.js'
import type { RdfcCacheStats } from '../../src/testing/rdfc-cache.js'
import type { DocumentLoader, JsonLdDocument } from '../../src/formats/data-integrity/types.js'
import unsigned from '../fixtures/vectors/w3c-vc-di-eddsa/TestVectors/unsigned.json' with { type: 'json' }
import employmentAuth from '../fixtures/vectors/w3c-vc-di-eddsa/TestVectors/employmentAuth.json' with { type: 'json' }
import chainUnsigned from '../fixtures/vectors/w3c-vc-di-eddsa/TestVectors/proof-set-chain/unsigned.json' with { type: 'json' }
import proofConfigDataInt from '../fixtures/vectors/w3c-vc-di-eddsa/TestVectors/eddsa-rdfc-2022/proofConfigDataInt.json' with { type: 'json' }
import proofConfigEdSig from '../fixtures/vectors/w3c-vc-di-eddsa/TestVectors/Ed25519Signature2020/proofConfigEdSig.json' with { type: 'json' }

const corpus = import.meta.glob<JsonLdDocument>(
  '../fixtures/vectors/w3c-vc-data-model-2.0-test-suite/**/*.json',
  { eager: true, import: 'default' },
)

type Outcome = { ok: string } | { code: string; message: string }

async function outcome(run: () => Promise<string>): Promise<Outcome> {
  try {
    return { ok: await run() }
  } catch (error) {
    const record = error as { code?: unknown; message?: unknown }
    return { code: String(record.code), message: String(record.message) }
  }
}

const clone = <T>(value: T): T => structuredClone(value)

type Kind = 'hit' | 'miss' | 'fallback' | 'uncacheable'

/** What the cache did with the last call, from its counters. */
function kindSince(before: RdfcCacheStats): Kind {
  const after = rdfcCacheStats()
  if (after.hits > before.hits) return 'hit'
  if (after.misses > before.misses) return 'miss'
  if (after.fallbacks > before.fallbacks) return 'fallback'
  return 'uncacheable'
}

/** The cached result equals the uncached one, on the document's first call and on a second one. */
async function expectSame(
  doc: JsonLdDocument,
  loader: DocumentLoader,
): Promise<Outcome & { kind: Kind }> {
  const expected = await outcome(() => canonizeUncached(doc, loader))
  const before = rdfcCacheStats()
  expect(await outcome(() => canonizeRdfc(doc, loader))).toEqual(expected)
  const kind = kindSince(before)
  expect(await outcome(() => canonizeRdfc(doc, loader))).toEqual(expected)
  return { ...expected, kind }
}

/**
 * Builds the template of `first`'s shape, then checks every other document against the uncached
 * path; returns their outcomes and what the cache did with each (on its first call).
 */
async function expectSameAfter(
  first: JsonLdDocument,
  others: JsonLdDocument[],
  loader: DocumentLoader,
): Promise<(Outcome & { kind: Kind })[]> {
  resetRdfcCache()
  await expectSame(first, loader)
  const outcomes: (Outcome & { kind: Kind })[] = []
  for (const doc of others) outcomes.push(await expectSame(doc, loader))
  // And the other way round: templates built from the others, applied to the first.
  for (const doc of others) {
    resetRdfcCache()
    await outcome(() => canonizeRdfc(doc, loader))
    expect(await outcome(() => canonizeRdfc(first, loader))).toEqual(
      await outcome(() => canonizeUncached(first, loader)),
    )
  }
  resetRdfcCache()
  return outcomes
}

const kinds = (outcomes: { kind: Kind }[]): Kind[] => outcomes.map((result) => result.kind)

// ---------------------------------------------------------------------------------------------
// The slots of a document, as the cache sees them (mirrors isVerbatimKey in rdfc-template.ts).

type Path = (string | number)[]
const STRUCTURAL = new Set([
  '@id',
  '@value',
  '@graph',
  '@included',
  '@reverse',
  '@nest',
  '@list',
  '@set',
])
const verbatimKey = (key: string): boolean =>
  key === '@context' || key === 'type' || (key.startsWith('@') && !STRUCTURAL.has(key))

function slotPaths(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  if (typeof value === 'string') out.push(path)
  else if (Array.isArray(value)) value.forEach((item, i) => slotPaths(item, [...path, i], out))
  else if (value !== null && typeof value === 'object') {
    for (const [key, member] of Object.entries(value))
      if (!verbatimKey(key)) slotPaths(member, [...path, key], out)
  }
  return out
}

function getAt(doc: unknown, path: Path): unknown {
  let node = doc
  for (const step of path) node = (node as Record<string | number, unknown>)[step]
  return node
}

function withValue(doc: JsonLdDocument, path: Path, value: string): JsonLdDocument {
  const copy = clone(doc)
  let node = copy as unknown as Record<string | number, unknown>
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>
  node[path[path.length - 1] as string | number] = value
  return copy
}

/**
 * Every slot changed, IRIs to other IRIs (`…2`), other strings to other strings. `soft` keeps
 * single words (`assertionMethod`, `Male`): they may be terms, which the cache pins.
 */
function varied(doc: JsonLdDocument, tag = '2', soft = false): JsonLdDocument {
  let copy = doc
  for (const path of slotPaths(doc)) {
    const value = getAt(doc, path) as string
    if (soft && /^[A-Za-z]+$/.test(value)) continue
    copy = withValue(
      copy,
      path,
      /^[a-z][a-z0-9+.-]*:\S*$/i.test(value) && !value.startsWith('_:')
        ? `${value}${tag}`
        : `${value} (${tag})`,
    )
  }
  return copy
}

// ---------------------------------------------------------------------------------------------
// Documents.

const V2 = 'https://www.w3.org/ns/credentials/v2'
const V1 = 'https://www.w3.org/2018/credentials/v1'

const credentialV1: JsonLdDocument = {
  '@context': [V1, 'https://www.w3.org/2018/credentials/examples/v1'],
  id: 'http://example.edu/credentials/1872',
  type: ['VerifiableCredential', 'AlumniCredential'],
  issuer: { id: 'https://example.edu/issuers/565049', name: 'Example University' },
  issuanceDate: '2010-01-01T19:23:24Z',
  credentialSubject: {
    id: 'did:example:ebfeb1f712ebc6f1c276e12ec21',
    alumniOf: {
      id: 'did:example:c276e12ec21ebfeb1f712ebc6f1',
      name: ['Example University', 'Exemple d’Université'],
    },
  },
}

const proofV1 = {
  type: 'Ed25519Signature2020',
  created: '2022-02-25T14:58:43Z',
  verificationMethod: 'https://example.edu/issuers/565049#key-1',
  proofPurpose: 'assertionMethod',
  proofValue:
    'zeEdUoM7m9cY8ZyTpey83yBKeBcmcvbyrEQzJ19rD2UXArU2U1jPGoEtrRvGYppdiK37GU4NBeoPakxpWhAvsVSt',
}

const presentationV1: JsonLdDocument = {
  '@context': [
    V1,
    'https://www.w3.org/2018/credentials/examples/v1',
    'https://w3id.org/security/suites/ed25519-2020/v1',
  ],
  type: 'VerifiablePresentation',
  holder: 'did:example:ebfeb1f712ebc6f1c276e12ec21',
  verifiableCredential: [
    {
      ...credentialV1,
      '@context': [
        V1,
        'https://www.w3.org/2018/credentials/examples/v1',
        'https://w3id.org/security/suites/ed25519-2020/v1',
      ],
      proof: proofV1,
    },
  ],
}

const presentationV2: JsonLdDocument = {
  '@context': [V2, 'https://www.w3.org/ns/credentials/examples/v2'],
  id: 'urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5',
  type: ['VerifiablePresentation', 'ExamplePresentation'],
  holder: 'did:example:holder',
  verifiableCredential: [
    {
      ...unsigned,
      proof: {
        type: 'DataIntegrityProof',
        cryptosuite: 'eddsa-rdfc-2022',
        created: '2023-02-24T23:36:38Z',
        verificationMethod: 'did:example:issuer#key-1',
        proofPurpose: 'assertionMethod',
        proofValue: 'z3tvSc3uhwr9Xsd4nJhXZ8wy5Fwd',
      },
    },
    clone(employmentAuth),
  ],
}

const proofConfigs: JsonLdDocument[] = [
  proofConfigDataInt,
  proofConfigEdSig,
  {
    '@context': V2,
    type: 'DataIntegrityProof',
    cryptosuite: 'ecdsa-rdfc-2019',
    created: '2024-05-01T10:00:00Z',
    verificationMethod:
      'did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP#zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP',
    proofPurpose: 'authentication',
    challenge: '1f44d55f-f161-4938-a659-f8026467f126',
    domain: 'https://verifier.example',
  },
  {
    '@context': V2,
    id: 'urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544',
    type: 'DataIntegrityProof',
    cryptosuite: 'eddsa-rdfc-2022',
    created: '2023-02-26T22:16:38Z',
    verificationMethod:
      'did:key:z6Mkm1S51iPHJvDEkJ9MRtxJmT8Pqo6wHipAFwBAjN83vntT#z6Mkm1S51iPHJvDEkJ9MRtxJmT8Pqo6wHipAFwBAjN83vntT',
    proofPurpose: 'assertionMethod',
    previousProof: ['urn:uuid:d94f792a-c546-4d06-b38a-da070ab56c23'],
  },
  {
    '@context': ['https://w3id.org/security/data-integrity/v2'],
    type: 'DataIntegrityProof',
    cryptosuite: 'eddsa-rdfc-2022',
    created: '2023-02-24T23:36:38Z',
    expires: '2033-02-24T23:36:38Z',
    verificationMethod: 'did:example:issuer#key-1',
    proofPurpose: 'capabilityInvocation',
    nonce: 'abc',
  },
  {
    ...proofV1,
    '@context': [V1, 'https://w3id.org/security/suites/ed25519-2020/v1'],
    proofValue: undefined,
  },
]

const credentials: [string, JsonLdDocument][] = [
  ['vector unsigned.json', unsigned],
  ['vector employmentAuth.json', employmentAuth],
  ['vector proof-set-chain/unsigned.json', chainUnsigned],
  ['VCDM 1.1 credential', credentialV1],
  ['VCDM 1.1 presentation', presentationV1],
  ['VCDM 2.0 presentation', presentationV2],
  ...proofConfigs.map((doc, i): [string, JsonLdDocument] => [`proof configuration ${i}`, doc]),
]

// A context exercising what naive templating would get wrong.
const EX = 'https://example.org/ctx/v1'
const XSD = 'http://www.w3.org/2001/XMLSchema#'
const exContext = {
  '@context': {
    '@version': 1.1,
    ex: 'https://example.org/',
    id: '@id',
    type: '@type',
    kind: '@type',
    lang: '@language',
    val: '@value',
    Thing: {
      '@id': 'ex:Thing',
      '@context': {
        label: { '@id': 'ex:thingLabel', '@type': 'ex:Special' },
        ref: { '@id': 'ex:thingRef', '@type': '@vocab' },
      },
    },
    Other: 'ex:Other',
    label: 'ex:label',
    ref: { '@id': 'ex:ref', '@type': '@id' },
    vref: { '@id': 'ex:vref', '@type': '@vocab' },
    Red: 'ex:Red',
    Blue: 'ex:Blue',
    data: { '@id': 'ex:data', '@type': '@json' },
    names: { '@id': 'ex:names', '@container': '@language' },
    seq: { '@id': 'ex:seq', '@container': '@list' },
    dbl: { '@id': 'ex:dbl', '@type': `${XSD}double` },
    int: { '@id': 'ex:int', '@type': `${XSD}integer` },
    num: 'ex:num',
    flag: 'ex:flag',
    child: 'ex:child',
    friends: { '@id': 'ex:friends', '@type': '@id', '@container': '@set' },
    graphs: { '@id': 'ex:graphs', '@container': '@graph' },
  },
}
const INDEXED = 'https://example.org/ctx/indexed'
const indexedContext = {
  '@context': {
    ex: 'https://example.org/',
    id: '@id',
    label: 'ex:label',
    indexed: { '@id': 'ex:indexed', '@container': '@index' },
  },
}
const exLoader = createDocumentLoader({ contexts: { [EX]: exContext, [INDEXED]: indexedContext } })
const loader = createDocumentLoader()

beforeEach(() => {
  setRdfcCache(true)
  resetRdfcCache()
})

describe('canonizeRdfc with shape templates: equivalence', () => {
  it.each(credentials)(
    '%s: identical on a miss, a hit, and for other values of the shape',
    async (_name, doc) => {
      const outcome = await expectSame(doc, loader)
      expect('ok' in outcome).toBe(true)
      await expectSameAfter(doc, [varied(doc), varied(doc, 'third')], loader)
      // Values that keep the words (terms such as proofPurpose's) use the template.
      expect(
        kinds(
          await expectSameAfter(doc, [varied(doc, '2', true), varied(doc, 'third', true)], loader),
        ),
      ).toEqual(['hit', 'hit'])
    },
  )

  it('the W3C vc-data-model-2.0 corpus (valid and invalid documents alike)', async () => {
    const entries = Object.entries(corpus)
    expect(entries.length).toBeGreaterThan(50)
    for (const [, doc] of entries) {
      await expectSame(doc, loader)
      await expectSame(varied(doc), loader)
    }
  })

  it('SHA-384 (ecdsa-rdfc-2019 with P-384): the same templates, the same output as uncached', async () => {
    for (const doc of [...proofConfigs, employmentAuth, presentationV2]) {
      for (const d of [doc, varied(doc)]) {
        const expected = await outcome(() => canonizeUncached(d, loader, 'SHA-384'))
        expect(await outcome(() => canonizeRdfcWithHash(d, loader, 'SHA-384'))).toEqual(expected)
        expect(await outcome(() => canonizeRdfcWithHash(d, loader, 'SHA-256'))).toEqual(
          await outcome(() => canonizeUncached(d, loader, 'SHA-256')),
        )
      }
    }
  })

  it('the vector canonical forms are unchanged (hit path)', async () => {
    // canonDocDataInt.txt of the vectors, for unsigned.json
    const expected = await canonizeUncached(unsigned, loader)
    await canonizeRdfc(varied(unsigned), loader)
    expect(await canonizeRdfc(unsigned, loader)).toBe(expected)
    expect(rdfcCacheStats().hits).toBe(1)
  })
})

describe('canonizeRdfc with shape templates: adversarial shapes', () => {
  const base = (extra: Record<string, unknown>, context: unknown = EX): JsonLdDocument => ({
    '@context': context,
    id: 'https://example.org/a',
    ...extra,
  })

  it('nodes with the same id merge (and duplicate quads are not guessed)', async () => {
    const doc = base({
      label: 'x',
      child: { id: 'https://example.org/b', label: 'y', num: 1 },
      ref: 'https://example.org/c',
    })
    const merges = await expectSameAfter(
      doc,
      [
        base({
          label: 'x',
          child: { id: 'https://example.org/a', label: 'y', num: 1 },
          ref: 'https://example.org/c',
        }), // child = root
        base({
          label: 'x',
          child: { id: 'https://example.org/a', label: 'x', num: 1 },
          ref: 'https://example.org/a',
        }), // + same label: one quad
        base({
          label: 'x',
          child: { id: 'https://example.org/b', label: 'y', num: 1 },
          ref: 'https://example.org/b',
        }), // ref = child
        base({
          label: 'https://example.org/b',
          child: { id: 'https://example.org/b', label: 'y', num: 1 },
          ref: 'https://example.org/c',
        }), // literal = IRI
      ],
      exLoader,
    )
    expect(kinds(merges)).toEqual(['hit', 'fallback', 'hit', 'hit'])
    const twins = base({
      friends: [
        { id: 'https://example.org/f', num: 1 },
        { id: 'https://example.org/g', num: 1 },
      ],
    })
    // Both nodes say num 1: jsonld keeps one quad, the template would have two.
    expect(
      kinds(
        await expectSameAfter(
          twins,
          [
            base({
              friends: [
                { id: 'https://example.org/f', num: 1 },
                { id: 'https://example.org/f', num: 1 },
              ],
            }),
          ],
          exLoader,
        ),
      ),
    ).toEqual(['fallback'])
  })

  it('an id equal to another node id, in named graphs', async () => {
    const doc = base({
      graphs: [
        { id: 'https://example.org/g1', label: 'a' },
        { id: 'https://example.org/g2', label: 'b' },
      ],
    })
    const outcomes = await expectSameAfter(
      doc,
      [
        base({
          graphs: [
            { id: 'https://example.org/a', label: 'a' },
            { id: 'https://example.org/a', label: 'a' },
          ],
        }),
        base({
          id: 'https://example.org/g2',
          graphs: [
            { id: 'https://example.org/g2', label: 'a' },
            { id: 'https://example.org/g2', label: 'b' },
          ],
        }),
      ],
      exLoader,
    )
    expect(kinds(outcomes)).toEqual(['hit', 'hit'])
  })

  it('merging nodes under an @index container (conflicting indexes)', async () => {
    const doc: JsonLdDocument = {
      '@context': INDEXED,
      id: 'https://example.org/a',
      indexed: {
        k1: { id: 'https://example.org/b', label: 'x' },
        k2: { id: 'https://example.org/c', label: 'y' },
      },
    }
    const [merged] = await expectSameAfter(
      doc,
      [
        {
          ...doc,
          indexed: {
            k1: { id: 'https://example.org/b', label: 'x' },
            k2: { id: 'https://example.org/b', label: 'y' },
          },
        },
      ],
      exLoader,
    )
    // An @index in reach: no merges on the template path.
    expect(merged).toMatchObject({ code: 'jsonld_invalid', kind: 'fallback' })
  })

  it('compact IRIs whose prefix an inline context defines, terms under @type: @vocab', async () => {
    const context = [EX, { ex2: 'https://example.org/two/', Green: 'ex:Green' }]
    const doc = base(
      {
        ref: 'https://example.org/x',
        vref: 'https://example.org/y',
        friends: ['https://example.org/f'],
      },
      context,
    )
    const outcomes = await expectSameAfter(
      doc,
      [
        base(
          { ref: 'ex2:foo', vref: 'https://example.org/y', friends: ['https://example.org/f'] },
          context,
        ),
        base({ ref: 'ex:foo', vref: 'ex2:bar', friends: ['ex2:f'] }, context),
        base(
          { ref: 'https://example.org/x', vref: 'Red', friends: ['https://example.org/f'] },
          context,
        ),
        base({ ref: 'https://example.org/x', vref: 'Green', friends: ['Blue'] }, context),
        base(
          { ref: 'ex2://authority/x', vref: 'ex2://y', friends: ['https://example.org/f'] },
          context,
        ),
        base(
          { ref: 'Red', vref: 'https://example.org/y', friends: ['https://example.org/f'] },
          context,
        ),
        base(
          { ref: 'https://example.org/x', vref: 'label', friends: ['https://example.org/f'] },
          context,
        ),
        base({ ref: 'urn:ex2:x', vref: 'ex3:y', friends: ['did:ex:f'] }, context),
      ],
      exLoader,
    )
    // `ref` and `friends` are @id-typed: a term there is a relative IRI (rejected), unlike under `vref`.
    expect(outcomes.map((result) => 'ok' in result)).toEqual([
      true,
      true,
      true,
      false,
      true,
      false,
      true,
      true,
    ])
    // Only the last one's values certainly expand to themselves.
    expect(kinds(outcomes)).toEqual([
      'fallback',
      'fallback',
      'fallback',
      'fallback',
      'fallback',
      'fallback',
      'fallback',
      'hit',
    ])
  })

  it('relative IRIs fail the same way both ways', async () => {
    const doc = base({ ref: 'https://example.org/x' })
    const outcomes = await expectSameAfter(
      doc,
      [
        base({ ref: 'relative/path' }),
        base({ ref: '#fragment' }),
        base({ ref: '' }),
        { ...doc, id: 'relative' },
        base({ ref: 'a b' }),
      ],
      exLoader,
    )
    // An empty @id reference is dropped (the node then has no quads); the others are rejected.
    expect(outcomes.map((result) => ('ok' in result ? result.ok : result.code))).toEqual([
      'jsonld_invalid',
      'jsonld_invalid',
      '',
      'jsonld_invalid',
      'jsonld_invalid',
    ])
  })

  it('blank node ids, ids with spaces, keyword-like ids', async () => {
    const doc = base({
      ref: 'https://example.org/x',
      child: { id: 'https://example.org/c', label: 'x' },
    })
    await expectSameAfter(
      doc,
      [
        base({ ref: '_:b0', child: { id: '_:b0', label: 'x' } }),
        base({ ref: '_:b0', child: { id: '_:b1', label: 'x' } }),
        { ...base({ ref: '_:x', child: { id: '_:x', label: 'x' } }), id: '_:x' },
        base({
          ref: 'https://example.org/a b',
          child: { id: 'https://example.org/c', label: 'x' },
        }),
        base({
          ref: 'https://example.org/x',
          child: { id: 'https://example.org/c d', label: 'x' },
        }),
        base({ ref: '@type', child: { id: 'https://example.org/c', label: 'x' } }),
        base({ ref: 'https://example.org/x', child: { id: '@id', label: 'x' } }),
        base({
          ref: 'https://example.org/x\nfoo',
          child: { id: 'https://example.org/c', label: 'x' },
        }),
      ],
      exLoader,
    )
    // A template built from a blank node id pins it.
    await expectSameAfter(
      base({ ref: '_:b0', child: { id: '_:b0', label: 'x' } }),
      [doc, base({ ref: '_:b1', child: { id: '_:b0', label: 'x' } })],
      exLoader,
    )
  })

  it('@json literals', async () => {
    const doc = base({ data: { a: 'x', b: ['y', 1, true, null], c: { '@id': 'z', type: 't' } } })
    await expectSameAfter(
      doc,
      [
        base({ data: { a: 'x2', b: ['y', 1, true, null], c: { '@id': 'z', type: 't' } } }),
        base({ data: { a: 'x', b: ['y\u2028', 1, true, null], c: { '@id': 'other', type: 't' } } }),
      ],
      exLoader,
    )
    await expectSameAfter(
      base({ data: 'text' }),
      [base({ data: 'other text' }), base({ data: '"quoted"' })],
      exLoader,
    )
  })

  it('an alias of @type other than `type` (a type-scoped context hangs on it)', async () => {
    const doc = base({ kind: 'Thing', label: 'x', ref: 'Red' })
    const outcomes = await expectSameAfter(
      doc,
      [
        base({ kind: 'Other', label: 'x', ref: 'https://example.org/r' }),
        base({ kind: 'ex:Thing', label: 'y', ref: 'https://example.org/r' }),
        base({ kind: 'https://example.org/Thing', label: 'y', ref: 'https://example.org/r' }),
        base({ kind: 'Thing', label: 'z', ref: 'Red' }),
      ],
      exLoader,
    )
    expect('ok' in (outcomes[0] as Outcome)).toBe(true)
    // The alias's value is pinned: only the same type (and the same term under @type: @vocab) uses the template.
    expect(kinds(outcomes)).toEqual(['fallback', 'fallback', 'fallback', 'hit'])
  })

  it('type-scoped contexts chosen by `type`', async () => {
    const thing = base({ type: 'Thing', label: 'x', ref: 'Red' })
    const other = base({ type: 'Other', label: 'x', ref: 'https://example.org/r' })
    await expectSameAfter(
      thing,
      [
        base({ type: 'Thing', label: 'y', ref: 'Blue' }),
        base({ type: 'Thing', label: 'y', ref: 'https://example.org/r' }),
      ],
      exLoader,
    )
    await expectSameAfter(
      other,
      [base({ type: 'Other', label: 'y', ref: 'https://example.org/s' })],
      exLoader,
    )
    expect(await canonizeRdfc(thing, exLoader)).not.toBe(
      await canonizeRdfc({ ...thing, type: 'Other' }, exLoader).catch(() => ''),
    )
  })

  it('@language maps, value objects, a @language alias, a default language', async () => {
    const doc = base({
      names: { en: 'Hello', fr: 'Bonjour' },
      label: [
        { val: 'x', lang: 'en' },
        { '@value': 'y', '@language': 'de' },
      ],
    })
    const outcomes = await expectSameAfter(
      doc,
      [
        base({
          names: { en: 'Hi', fr: 'Salut' },
          label: [
            { val: 'x', lang: 'fr' },
            { '@value': 'z', '@language': 'de' },
          ],
        }),
        base({
          names: { en: 'Hi', fr: 'Hi' },
          label: [
            { val: 'Hi', lang: 'en' },
            { '@value': 'Hi', '@language': 'de' },
          ],
        }),
        base({
          names: { en: 'Hi', fr: 'Hi' },
          label: [
            { val: 'x', lang: 'not a tag' },
            { '@value': 'x', '@language': 'de' },
          ],
        }),
      ],
      exLoader,
    )
    // The language alias's value is pinned.
    expect(kinds(outcomes)).toEqual(['fallback', 'hit', 'fallback'])
    const withDefault = [EX, { '@language': 'en' }]
    await expectSameAfter(
      base({ label: 'x' }, withDefault),
      [base({ label: 'y' }, withDefault)],
      exLoader,
    )
  })

  it('@list containers (repeats allowed), @set duplicates (merged)', async () => {
    const doc = base({ seq: ['a', 'b', 'c'], label: ['a', 'b'] })
    const outcomes = await expectSameAfter(
      doc,
      [
        base({ seq: ['a', 'a', 'a'], label: ['a', 'b'] }),
        base({ seq: ['a', 'b', 'c'], label: ['a', 'a'] }),
        base({ seq: ['', '', ''], label: ['', ' '] }),
      ],
      exLoader,
    )
    expect(kinds(outcomes)).toEqual(['hit', 'fallback', 'hit'])
    await expectSameAfter(
      base({ seq: [[1, 'x'], ['y']] }),
      [base({ seq: [[1, 'y'], ['y']] })],
      exLoader,
    )
  })

  it('numbers, booleans, null, and strings typed as numbers', async () => {
    const doc = base({
      num: [1, 1.5, 1e21, -0, 0, 12345678901234567890, 2.5e-7],
      flag: [true, false],
      label: null,
      int: '7',
      dbl: '1.5',
    })
    const outcomes = await expectSameAfter(
      doc,
      [
        base({
          num: [1, 1.5, 1e21, -0, 0, 12345678901234567890, 2.5e-7],
          flag: [true, false],
          label: null,
          int: '8',
          dbl: '2.5',
        }),
        base({
          num: [1, 1.5, 1e21, -0, 0, 12345678901234567890, 2.5e-7],
          flag: [true, false],
          label: null,
          int: 'not a number',
          dbl: 'NaN',
        }),
      ],
      exLoader,
    )
    for (const result of outcomes) expect('ok' in result).toBe(true)
    // A string typed xsd:double is reformatted by jsonld (parseFloat): pinned.
    expect(kinds(outcomes)).toEqual(['fallback', 'fallback'])
    expect(kinds(await expectSameAfter(doc, [{ ...doc, int: '9' }], exLoader))).toEqual(['hit'])
    // Numbers are part of the shape: other numbers, another template.
    await expectSame(
      base({
        num: [2, 2.5, 1e22, 0, -0, 1, 3e-7],
        flag: [false, true],
        label: null,
        int: '7',
        dbl: '1.5',
      }),
      exLoader,
    )
    // A native number and a string with the same lexical form (jsonld keeps both quads).
    await expectSameAfter(
      base({ int: ['x', 5], num: 5 }),
      [base({ int: ['5', 5], num: 5 })],
      exLoader,
    )
  })

  it('unicode, escapes, control characters and lone surrogates in literals', async () => {
    const doc = base({ label: 'plain' })
    const outcomes = await expectSameAfter(
      doc,
      [
        'é ü 😀',
        'line\nbreak\r\ttab',
        'quote " backslash \\',
        '\u0000\u0001\u007f',
        '\ud800 lone',
        'lone \udfff',
        '\u2028\u2029',
        'urn:not-an-iri-here',
        '<https://x> .',
        '_:b0',
        '',
      ].map((label) => base({ label })),
      exLoader,
    )
    expect(new Set(kinds(outcomes))).toEqual(new Set(['hit']))
  })

  it('empty strings and strings that look like placeholders or terms', async () => {
    const doc = base({ label: 'a', ref: 'https://example.org/r', child: { label: 'b' } })
    await expectSameAfter(
      doc,
      [
        base({ label: '', ref: 'https://example.org/r', child: { label: '' } }),
        base({ label: 'label', ref: 'https://example.org/r', child: { label: 'ref' } }),
        base({
          label: 'credsign-0123456789abcdef:s0e',
          ref: 'credsign-0123456789abcdef:s1e',
          child: { label: 'b' },
        }),
      ],
      exLoader,
    )
  })

  it('documents that are not plain JSON take the uncached path', async () => {
    class Odd {
      toString(): string {
        return 'odd'
      }
    }
    const docs: JsonLdDocument[] = [
      base({ label: new Odd() }),
      base({ label: new Date(0) }),
      base({ label: Number.NaN }),
      base({ label: undefined }),
      base({ label: [1, , 2] }),
      JSON.parse(
        `{"@context":"${EX}","id":"https://example.org/a","__proto__":{"label":"x"}}`,
      ) as JsonLdDocument,
    ]
    for (const doc of docs) await expectSame(doc, exLoader)
  })

  it('documents with keys in another order, or an embedded context', async () => {
    const a: JsonLdDocument = { '@context': EX, label: 'x', id: 'https://example.org/a' }
    const b: JsonLdDocument = { id: 'https://example.org/a', '@context': EX, label: 'y' }
    await expectSameAfter(
      a,
      [{ '@context': EX, label: 'y', id: 'https://example.org/b' }],
      exLoader,
    )
    await expectSame(b, exLoader)
    const embedded = base({
      child: { '@context': { label: 'https://other.example/label' }, label: 'x' },
    })
    await expectSameAfter(
      embedded,
      [base({ child: { '@context': { label: 'https://other.example/label' }, label: 'y' } })],
      exLoader,
    )
    await expectSame(
      base({ child: { '@context': { label: 'https://third.example/label' }, label: 'y' } }),
      exLoader,
    )
  })

  it('an unknown context fails the same way', async () => {
    const doc: JsonLdDocument = {
      '@context': 'https://unknown.example/ctx',
      id: 'https://example.org/a',
    }
    const result = await expectSame(doc, exLoader)
    expect(result).toMatchObject({ code: 'context_not_found' })
  })
})

describe('canonizeRdfc with shape templates: randomized', () => {
  /** Mulberry32: a small deterministic PRNG. */
  function prng(seed: number): () => number {
    let a = seed >>> 0
    return () => {
      a = (a + 0x6d2b79f5) >>> 0
      let t = a
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }

  const pool = [
    '',
    ' ',
    'a b',
    'x',
    'VerifiableCredential',
    'name',
    'id',
    'type',
    'Person',
    'assertionMethod',
    'authentication',
    'schema:name',
    'cred:issuer',
    'xsd:string',
    'ex:foo',
    'ex2:foo',
    'urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33',
    'did:example:abcdefgh',
    'https://vc.example/issuers/5678',
    'https://example.org/',
    'https://',
    'https:',
    'http://a b',
    'HTTPS://EXAMPLE.ORG/X',
    'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
    'urn:x',
    'a:b:c',
    'a1+.-:x',
    'a,b:c',
    '1a:x',
    '_:b0',
    '_:b1',
    '_:c14n0',
    'relative',
    '#frag',
    '/abs/path',
    '?q',
    '@id',
    '@type',
    '@foo',
    'credsign-0:s0e',
    '2023-01-01T00:00:00Z',
    '1',
    '1.5',
    'true',
    'null',
    '{"a":1}',
    'é\n"\\',
    '\ud800',
    '😀',
    '\u0000',
  ]

  it('mutated credentials and proof configurations match the uncached path', async () => {
    const random = prng(0x5eed)
    const bases: [JsonLdDocument, DocumentLoader][] = [
      [unsigned, loader],
      [employmentAuth, loader],
      [presentationV2, loader],
      [credentialV1, loader],
      [proofConfigDataInt, loader],
      [proofConfigs[2] as JsonLdDocument, loader],
      [
        {
          '@context': [EX, { ex2: 'https://example.org/two/' }],
          id: 'https://example.org/a',
          type: 'Thing',
          label: 'x',
          ref: 'Red',
          vref: 'Blue',
          friends: ['https://example.org/f', 'https://example.org/g'],
          child: { id: 'https://example.org/c', label: 'y', kind: 'Other' },
          names: { en: 'n' },
          seq: ['s', 't'],
        },
        exLoader,
      ],
    ]
    let compared = 0
    let errors = 0
    for (let iteration = 0; iteration < 300; iteration++) {
      const [doc, docLoader] = bases[Math.floor(random() * bases.length)] as [
        JsonLdDocument,
        DocumentLoader,
      ]
      const paths = slotPaths(doc)
      let mutated = doc
      const changes = 1 + Math.floor(random() * 3)
      for (let c = 0; c < changes; c++) {
        const path = paths[Math.floor(random() * paths.length)] as Path
        // Half the time another slot's value of the same document (collisions, merges).
        const value =
          random() < 0.5
            ? (pool[Math.floor(random() * pool.length)] as string)
            : (getAt(doc, paths[Math.floor(random() * paths.length)] as Path) as string)
        mutated = withValue(mutated, path, value)
      }
      const expected = await outcome(() => canonizeUncached(mutated, docLoader))
      expect(
        await outcome(() => canonizeRdfc(mutated, docLoader)),
        JSON.stringify(mutated),
      ).toEqual(expected)
      compared++
      if (!('ok' in expected)) errors++
    }
    expect(compared).toBe(300)
    // Both kinds happened: documents that canonicalize and documents jsonld rejects.
    expect(errors).toBeGreaterThan(10)
    expect(errors).toBeLessThan(compared - 50)
    const stats = rdfcCacheStats()
    expect(stats.hits).toBeGreaterThan(50)
  })
})

describe('canonizeRdfc with shape templates: counters', () => {
  it('the second document of a shape is a hit', async () => {
    await canonizeRdfc(unsigned, loader)
    expect(rdfcCacheStats()).toEqual({ hits: 0, misses: 1, fallbacks: 0, uncacheable: 0 })
    await canonizeRdfc(varied(unsigned), loader)
    expect(rdfcCacheStats()).toEqual({ hits: 1, misses: 1, fallbacks: 0, uncacheable: 0 })
    await canonizeRdfc(proofConfigDataInt, loader)
    await canonizeRdfc(
      {
        ...proofConfigDataInt,
        created: '2025-01-01T00:00:00Z',
        verificationMethod: 'did:example:other#key',
      },
      loader,
    )
    expect(rdfcCacheStats()).toEqual({ hits: 2, misses: 2, fallbacks: 0, uncacheable: 0 })
  })

  it('templates are per document loader', async () => {
    const other = createDocumentLoader()
    await canonizeRdfc(unsigned, loader)
    await canonizeRdfc(unsigned, other)
    expect(rdfcCacheStats()).toMatchObject({ hits: 0, misses: 2 })
  })

  it('a pinned value (proofPurpose is a term) gets a template of its own', async () => {
    const authentication = { ...proofConfigDataInt, proofPurpose: 'authentication' }
    await canonizeRdfc(proofConfigDataInt, loader)
    expect(await canonizeRdfc(authentication, loader)).toBe(
      await canonizeUncached(authentication, loader),
    )
    expect(rdfcCacheStats()).toEqual({ hits: 0, misses: 1, fallbacks: 1, uncacheable: 0 })
    await canonizeRdfc({ ...authentication, created: '2025-01-01T00:00:00Z' }, loader)
    await canonizeRdfc({ ...proofConfigDataInt, created: '2025-01-01T00:00:00Z' }, loader)
    expect(rdfcCacheStats()).toEqual({ hits: 2, misses: 1, fallbacks: 1, uncacheable: 0 })
  })

  it('documents that are not plain JSON are counted as uncacheable; turning the cache off resets it', async () => {
    await canonizeRdfc({ ...unsigned, validFrom: new Date(0) as unknown as string }, loader).catch(
      () => undefined,
    )
    expect(rdfcCacheStats().uncacheable).toBe(1)
    setRdfcCache(false)
    await canonizeRdfc(unsigned, loader)
    await canonizeRdfc(unsigned, loader)
    expect(rdfcCacheStats()).toEqual({ hits: 0, misses: 0, fallbacks: 0, uncacheable: 0 })
  })
})
