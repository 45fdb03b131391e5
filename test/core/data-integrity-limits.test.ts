// JSON-LD work budgets (issue 13, item 2): each hostile input of the finding, and each other shape
// that is super-linear in jsonld, is refused with jsonld_limit_exceeded naming its limit, at
// verification and at signing; documents within the limits (the W3C vectors, the existing tests,
// the edge of each limit) are processed as before. No timing asserts here: the time and memory
// goals are in bench/jsonld-hostile.ts. Runs in Node and in Chromium.
import { describe, expect, it } from 'vitest'
import { verify, type VerificationResult } from '../../src/index.js'
import {
  DataIntegritySigner,
  JSONLD_LIMIT_DEFAULTS,
  canonizeRdfc,
  createDocumentLoader,
  dataIntegrityHandler,
  type JsonLdLimits,
} from '../../src/formats/data-integrity/index.js'
import { loaderWithLimits } from '../../src/formats/data-integrity/jsonld-limits.js'
import { setRdfcCache } from '../../src/testing/rdfc-cache.js'
import { clone, rejectionCode } from './di-helpers.js'
import { didSigner } from './vc-helpers.js'
import { HOSTILE_CASES, nestedContext, nestedValue, type Doc } from '../fixtures/jsonld-hostile.js'

const V2 = 'https://www.w3.org/ns/credentials/v2'
const EX2 = 'https://www.w3.org/ns/credentials/examples/v2'
const CONTEXT_URL = 'https://contexts.example/nested'

const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i))
const credential = (context: unknown[], subject: unknown): Doc => ({
  '@context': context,
  type: ['VerifiableCredential'],
  credentialSubject: subject,
})

/** The limit a rejection names, or 'processed'. */
async function outcome(work: Promise<unknown>): Promise<string> {
  try {
    await work
    return 'processed'
  } catch (error) {
    const e = error as { code?: string; message?: string }
    if (e.code !== 'jsonld_limit_exceeded') return `${e.code}: ${e.message}`
    return /JSON-LD limit (\w+) \(\d+\)/.exec(e.message ?? '')?.[1] ?? `unnamed: ${e.message}`
  }
}

interface Case {
  name: string
  document: () => Doc
  contexts?: Record<string, unknown>
  limit: keyof JsonLdLimits
}

// Each would take seconds to minutes, and up to gigabytes, without its limit: the refused cases of
// the shared table (the ones bench/jsonld-hostile.ts measures), and one more shape.
const HOSTILE: Case[] = [
  ...HOSTILE_CASES.flatMap(({ name, about, build, contexts, expect: limit }): Case[] =>
    limit === 'processed'
      ? []
      : [
          {
            name: `${name}: ${about}`,
            document: build,
            ...(contexts === undefined ? {} : { contexts: contexts() }),
            limit,
          },
        ],
  ),
  {
    name: '495 objects each entered through a property-scoped context',
    document: () =>
      credential(
        [V2, { s: { '@id': 'https://ex.example/s', '@context': { t: 'https://ex.example/t' } } }],
        { id: 'did:example:a', s: many(495, (i) => ({ s: { t: `x${i}` } })) },
      ),
    limit: 'maxExpansionWork',
  },
]

describe('JSON-LD work budgets: hostile documents are refused with jsonld_limit_exceeded, naming the limit', () => {
  for (const { name, document, contexts, limit } of HOSTILE) {
    it(`${name}: ${limit}`, async () => {
      const loader = createDocumentLoader(contexts === undefined ? {} : { contexts })
      expect(await outcome(canonizeRdfc(document(), loader))).toBe(limit)
    })
  }

  it('the message names the limit and its value', async () => {
    const error = await canonizeRdfc(
      credential([V2, CONTEXT_URL], nestedValue(1)),
      createDocumentLoader({ contexts: { [CONTEXT_URL]: { '@context': nestedContext(50) } } }),
    ).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'jsonld_limit_exceeded',
      message: expect.stringContaining(
        `maxScopedContextDepth (${JSONLD_LIMIT_DEFAULTS.maxScopedContextDepth})`,
      ),
    })
  })

  it('refused at verification (a handler allowing the inline contexts) and at signing: nothing is signed', async () => {
    const signer = new DataIntegritySigner(await didSigner(), {
      allowInlineContexts: true,
    } as never)
    const secured = await signer.sign(
      credential([V2, EX2], { id: 'did:example:abcdefgh', alumniOf: 'x' }),
    )
    const handlers = [dataIntegrityHandler({ allowInlineContexts: true } as never)]
    const hostile: Doc[] = [
      {
        ...clone(secured),
        '@context': [V2, EX2, nestedContext(25)],
        credentialSubject: nestedValue(25),
      },
      {
        ...clone(secured),
        credentialSubject: { id: 'did:example:abcdefgh', alumniOf: many(4900, (i) => `v${i}`) },
      },
    ]
    for (const input of hostile) {
      const result: VerificationResult = await verify(input, { handlers })
      expect(result.verified).toBe(false)
      expect(result.errors.map((e) => e.code)).toContain('jsonld_limit_exceeded')
      const { proof: _proof, ...unsecured } = input
      expect(await rejectionCode(signer.sign(unsecured))).toBe('jsonld_limit_exceeded')
    }
  })

  it('a budget exceeded inside scoped-context validation is still reported as the limit (jsonld rewraps those errors)', async () => {
    // The work budget runs out while jsonld validates the scoped contexts of one term definition.
    const loader = loaderWithLimits(createDocumentLoader(), { maxExpansionWork: 600 })
    expect(
      await outcome(canonizeRdfc(credential([V2, nestedContext(6)], nestedValue(1)), loader)),
    ).toBe('maxExpansionWork')
  })
})

describe('JSON-LD work budgets: documents within the limits are processed', () => {
  // The processed cases of the shared table (each at the edge of a limit), and one more shape.
  const WITHIN: { name: string; document: () => Doc }[] = [
    ...HOSTILE_CASES.filter((c) => c.expect === 'processed').map(({ name, about, build }) => ({
      name: `${name}: ${about}`,
      document: build,
    })),
    {
      name: 'a list of 3,000 values (lists are not deduplicated)',
      document: () =>
        credential([V2, { l: { '@id': 'https://ex.example/l', '@container': '@list' } }], {
          id: 'did:example:a',
          l: many(3000, (i) => `v${i}`),
        }),
    },
  ]
  for (const { name, document } of WITHIN) {
    it(name, async () => {
      expect(await outcome(canonizeRdfc(document(), createDocumentLoader()))).toBe('processed')
    })
  }

  it('output is unchanged by the budgets: the same N-Quads as with every limit raised', async () => {
    const loose = loaderWithLimits(
      createDocumentLoader(),
      Object.fromEntries(
        Object.keys(JSONLD_LIMIT_DEFAULTS).map((name) => [name, 1e9]),
      ) as JsonLdLimits,
    )
    setRdfcCache(false)
    try {
      for (const { document } of WITHIN)
        expect(await canonizeRdfc(document(), createDocumentLoader())).toBe(
          await canonizeRdfc(document(), loose),
        )
    } finally {
      setRdfcCache(true)
    }
  })
})

describe('JSON-LD work budgets: options', () => {
  it('a raised limit lets a trusted document through; a lowered one refuses an ordinary one', async () => {
    const doc = credential([V2, EX2], { id: 'did:example:a', alumniOf: many(1500, (i) => `v${i}`) })
    expect(await outcome(canonizeRdfc(doc, createDocumentLoader()))).toBe('maxValueComparisons')
    expect(
      await outcome(
        canonizeRdfc(
          doc,
          loaderWithLimits(createDocumentLoader(), {
            maxValueComparisons: 2_000_000,
            timeBudgetMs: 60_000,
          }),
        ),
      ),
    ).toBe('processed')
    const ordinary = credential([V2, EX2], { id: 'did:example:a', alumniOf: ['a', 'b', 'c'] })
    expect(
      await outcome(
        canonizeRdfc(
          ordinary,
          loaderWithLimits(createDocumentLoader(), { maxValueComparisons: 2 }),
        ),
      ),
    ).toBe('maxValueComparisons')
    expect(
      await outcome(
        canonizeRdfc(ordinary, loaderWithLimits(createDocumentLoader(), { maxTermDefinitions: 5 })),
      ),
    ).toBe('maxTermDefinitions')
    expect(
      await outcome(
        canonizeRdfc(ordinary, loaderWithLimits(createDocumentLoader(), { maxObjects: 1 })),
      ),
    ).toBe('maxObjects')
    expect(await outcome(canonizeRdfc(ordinary, createDocumentLoader()))).toBe('processed')
  })

  it('the time budget aborts between jsonld steps', async () => {
    // A clock that has always run out: the first check refuses.
    const loader = loaderWithLimits(createDocumentLoader(), { timeBudgetMs: 1 })
    const slow = credential(
      [V2, { s: { '@id': 'https://ex.example/s', '@context': { t: 'https://ex.example/t' } } }],
      { id: 'did:example:a', s: many(200, (i) => ({ s: { t: `x${i}` } })) },
    )
    const result = await outcome(canonizeRdfc(slow, loader))
    // 200 scoped-context applications take far more than 1 ms anywhere.
    expect(result).toBe('timeBudgetMs')
  })

  it('the handler and the signer take jsonLdLimits; bad limits are invalid_argument', async () => {
    const raised = { maxValueComparisons: 2_000_000, timeBudgetMs: 60_000 }
    const signer = new DataIntegritySigner(await didSigner(), { jsonLdLimits: raised })
    const big = credential([V2, EX2], {
      id: 'did:example:abcdefgh',
      alumniOf: many(1500, (i) => `v${i}`),
    })
    const secured = await signer.sign(big)
    expect(await rejectionCode(new DataIntegritySigner(await didSigner()).sign(big))).toBe(
      'jsonld_limit_exceeded',
    )
    const strict = await verify(secured, { handlers: [dataIntegrityHandler()] })
    expect(strict.errors.map((e) => e.code)).toContain('jsonld_limit_exceeded')
    const trusting = await verify(secured, {
      handlers: [dataIntegrityHandler({ jsonLdLimits: raised })],
    })
    expect(trusting.errors).toEqual([])
    expect(trusting.verified).toBe(true)
    for (const jsonLdLimits of [
      { maxValues: 0 },
      { maxValues: 1.5 },
      { maxValues: '10' },
      { noSuchLimit: 1 },
      'x',
      null,
    ]) {
      expect(() => dataIntegrityHandler({ jsonLdLimits: jsonLdLimits as never })).toThrow(
        expect.objectContaining({ code: 'invalid_argument' }),
      )
      expect(
        await rejectionCode(
          new DataIntegritySigner(await didSigner()).sign(big, {
            jsonLdLimits: jsonLdLimits as never,
          }),
        ),
      ).toBe('invalid_argument')
    }
  })

  it('the defaults are the documented ones', () => {
    expect(JSONLD_LIMIT_DEFAULTS).toEqual({
      maxValues: 5000,
      maxObjects: 1000,
      maxDepth: 64,
      maxContextEntries: 256,
      maxInlineTerms: 1024,
      maxScopedContextDepth: 8,
      maxTermDefinitions: 10_000,
      maxExpansionWork: 50_000,
      maxValueComparisons: 500_000,
      timeBudgetMs: 1000,
    })
    expect(Object.isFrozen(JSONLD_LIMIT_DEFAULTS)).toBe(true)
  })
})
