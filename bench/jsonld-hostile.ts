/**
 * Hostile JSON-LD inputs against the JSON-LD work budgets
 * (src/formats/data-integrity/jsonld-limits.ts): each case is at most 100 KB of JSON and must
 * finish, refused (`jsonld_limit_exceeded`) or processed, in under 250 ms and 128 MB. Used by
 * bench/run.ts (`BENCH_ONLY=jsonld-hostile npm run bench` runs this section alone); `tsx
 * bench/jsonld-hostile.ts <case>` runs one case.
 *
 * Each case runs in a child process of its own (so memory is its own): the child loads jsonld and
 * warms it up with one ordinary credential, then canonicalizes the hostile document with
 * `canonizeRdfc` (expansion, RDF, RDFC-1.0: everything an rdfc proof hashes) and reports the wall
 * time of that call and how far the process's peak resident memory rose above where it stood just
 * before the call. The cases: the findings of issue 13 (property-scoped contexts nested 150-250
 * deep, inline or from the document loader; 9,000 values of one property), and the other shapes
 * that are super-linear in jsonld (scoped contexts applied per object, merged nodes, maps, deep
 * documents, trees and rows of scoped contexts, many types, many blank nodes), each at the size
 * that hurts most within 100 KB, plus documents just within the limits, which must be processed.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { nestedContext, nestedValue, type Doc } from '../test/fixtures/jsonld-hostile.js'

const V2 = 'https://www.w3.org/ns/credentials/v2'
const EX2 = 'https://www.w3.org/ns/credentials/examples/v2'
const HOSTILE_URL = 'https://contexts.example/nested'

const credential = (context: unknown[], subject: unknown): Doc => ({
  '@context': context,
  type: ['VerifiableCredential'],
  issuer: 'did:example:issuer',
  credentialSubject: subject,
})

interface HostileCase {
  name: string
  /** What the case is. */
  about: string
  build(): Doc
  /** Contexts the document loader is given (as a caller, or a fetcher, would). */
  contexts?: () => Record<string, unknown>
  /** The expected outcome: refused with this limit named, or processed. */
  expect: string
}

const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i))

/** The cases, in table order. @internal */
export const HOSTILE_CASES: HostileCase[] = [
  // The findings of issue 13. A document using the contexts 150 deep is also deeper than maxDepth.
  {
    name: 'nested-150',
    about:
      'property-scoped contexts nested 150 deep, inline, used 150 deep (issue 13: 2.6-15.7 s, ~590 MB)',
    build: () => credential([V2, nestedContext(150)], nestedValue(150)),
    expect: 'maxDepth',
  },
  {
    name: 'nested-200',
    about: 'the same, 200 deep (issue 13: up to 38 s, 1.3 GB)',
    build: () => credential([V2, nestedContext(200)], nestedValue(200)),
    expect: 'maxDepth',
  },
  {
    name: 'nested-250',
    about: 'the same, 250 deep (issue 13: 91 s, 2.4 GB)',
    build: () => credential([V2, nestedContext(250)], nestedValue(250)),
    expect: 'maxDepth',
  },
  {
    name: 'nested-250-ctx',
    about:
      'the 250 nested contexts, used one level deep (jsonld validates every level; the inline context itself is deeper than maxDepth)',
    build: () => credential([V2, nestedContext(250)], nestedValue(1)),
    expect: 'maxDepth',
  },
  {
    name: 'nested-250-loader',
    about:
      'the 250 nested contexts in a context the document loader serves (caller-added or fetched), used one level deep',
    build: () => credential([V2, HOSTILE_URL], nestedValue(1)),
    contexts: () => ({ [HOSTILE_URL]: { '@context': nestedContext(250) } }),
    expect: 'maxScopedContextDepth',
  },
  {
    name: 'nested-25',
    about: 'property-scoped contexts nested 25 deep, used 25 deep (within maxDepth; ~1 s before)',
    build: () => credential([V2, nestedContext(25)], nestedValue(25)),
    expect: 'maxScopedContextDepth',
  },
  {
    name: 'nested-8',
    about: 'property-scoped contexts nested 8 deep, used 8 deep: at the depth limit',
    build: () => credential([V2, nestedContext(8)], nestedValue(8)),
    expect: 'processed',
  },
  {
    name: 'values-9000',
    about: 'one property with 9,000 values (issue 13: 2.6-5 s)',
    build: () =>
      credential([V2, EX2], { id: 'did:example:a', alumniOf: many(9000, (i) => `v${i}`) }),
    expect: 'maxValues',
  },
  // Values, objects and duplicate removal.
  {
    name: 'values-4900',
    about: 'one property with 4,900 values (within maxValues)',
    build: () =>
      credential([V2, EX2], { id: 'did:example:a', alumniOf: many(4900, (i) => `v${i}`) }),
    expect: 'maxValueComparisons',
  },
  {
    name: 'values-1000',
    about: 'one property with 1,000 values: at the comparison limit',
    build: () =>
      credential([V2, EX2], { id: 'did:example:a', alumniOf: many(1000, (i) => `v${i}`) }),
    expect: 'processed',
  },
  {
    name: 'values-49x100',
    about: '49 properties of one node with 100 values each (4,900 values, at the comparison limit)',
    build: () =>
      credential([V2, { '@vocab': 'https://ex.example/' }], {
        id: 'did:example:a',
        ...Object.fromEntries(many(49, (p) => [`p${p}`, many(100, (i) => `v${i}`)])),
      }),
    expect: 'processed',
  },
  {
    name: 'values-7x700',
    about: '7 properties of one node with 700 values each (each alone within the comparison limit)',
    build: () =>
      credential([V2, { '@vocab': 'https://ex.example/' }], {
        id: 'did:example:a',
        ...Object.fromEntries(many(7, (p) => [`p${p}`, many(700, (i) => `v${i}`)])),
      }),
    expect: 'maxValueComparisons',
  },
  {
    name: 'merged-990',
    about:
      '990 objects with the same id (one node with 990 names, referenced 990 times by one property: 2 × 489,555 comparisons)',
    build: () =>
      credential([V2, EX2], {
        id: 'did:example:a',
        alumniOf: many(990, (i) => ({ id: 'urn:x:same', name: `v${i}` })),
      }),
    expect: 'maxValueComparisons',
  },
  {
    name: 'merged-2-ids',
    about: 'two properties, each 990 objects with the same id (two nodes with 990 values each)',
    build: () =>
      credential([V2, { '@vocab': 'https://ex.example/' }], {
        id: 'did:example:a',
        p: many(495, (i) => ({ id: 'urn:x:same', q: [`a${i}`, `b${i}`] })),
        r: many(495, (i) => ({ id: 'urn:x:same', q: [`c${i}`, `d${i}`] })),
      }),
    expect: 'maxValueComparisons',
  },
  {
    name: 'index-map-4900',
    about: 'an @index map with 4,900 keys (one property with 4,900 values once expanded)',
    build: () =>
      credential([V2, { m: { '@id': 'https://ex.example/m', '@container': '@index' } }], {
        id: 'did:example:a',
        m: Object.fromEntries(many(4900, (i) => [`k${i}`, `v${i}`])),
      }),
    expect: 'maxValueComparisons',
  },
  {
    name: 'objects-5000',
    about: '5,000 node objects (blank nodes) spread over 50 properties',
    build: () =>
      credential([V2, { '@vocab': 'https://ex.example/' }], {
        id: 'did:example:a',
        ...Object.fromEntries(many(50, (p) => [`p${p}`, many(100, (i) => ({ n: i }))])),
      }),
    expect: 'maxObjects',
  },
  {
    name: 'objects-990',
    about: '990 node objects (blank nodes) spread over 10 properties: at the object limit',
    build: () =>
      credential([V2, { '@vocab': 'https://ex.example/' }], {
        id: 'did:example:a',
        ...Object.fromEntries(many(10, (p) => [`p${p}`, many(99, (i) => ({ n: i }))])),
      }),
    expect: 'processed',
  },
  {
    name: 'objects-990-same',
    about: '990 identical blank nodes (RDFC-1.0 cannot tell them apart by their own quads)',
    build: () =>
      credential([V2, { '@vocab': 'https://ex.example/' }], {
        id: 'did:example:a',
        ...Object.fromEntries(many(10, (p) => [`p${p}`, many(99, () => ({ n: 1 }))])),
      }),
    expect: 'processed',
  },
  // Contexts.
  {
    name: 'scoped-per-object',
    about:
      '990 objects, each entered through a property with a scoped context (the context is applied again for each)',
    build: () =>
      credential(
        [
          V2,
          {
            s: {
              '@id': 'https://ex.example/s',
              '@context': { t: 'https://ex.example/t', u: 'https://ex.example/u' },
            },
          },
        ],
        { id: 'did:example:a', s: many(495, (i) => ({ s: { t: `x${i}` } })) },
      ),
    expect: 'maxExpansionWork',
  },
  {
    name: 'scoped-tree',
    about: 'a tree of scoped contexts, 4 terms wide and 5 deep (1,364 definitions)',
    build: () => {
      const tree = (depth: number): Doc =>
        depth === 0
          ? {}
          : Object.fromEntries(
              many(4, (i) => [
                `b${depth}_${i}`,
                { '@id': `https://ex.example/b${depth}_${i}`, '@context': tree(depth - 1) },
              ]),
            )
      let value: unknown = 'x'
      for (let depth = 1; depth <= 5; depth++) value = { [`b${depth}_0`]: value }
      return credential([V2, tree(5)], value)
    },
    expect: 'maxContextEntries',
  },
  {
    name: 'scoped-tree-loader',
    about: 'the same tree in a context the document loader serves, used 5 deep',
    build: () => {
      let value: unknown = 'x'
      for (let depth = 1; depth <= 5; depth++) value = { [`b${depth}_0`]: value }
      return credential([V2, HOSTILE_URL], value)
    },
    contexts: () => {
      const tree = (depth: number): Doc =>
        depth === 0
          ? {}
          : Object.fromEntries(
              many(4, (i) => [
                `b${depth}_${i}`,
                { '@id': `https://ex.example/b${depth}_${i}`, '@context': tree(depth - 1) },
              ]),
            )
      return { [HOSTILE_URL]: { '@context': tree(5) } }
    },
    expect: 'maxExpansionWork',
  },
  {
    name: 'scoped-row',
    about:
      '1,000 terms each with a one-term scoped context (each validated against the growing active context)',
    build: () =>
      credential(
        [
          V2,
          Object.fromEntries(
            many(1000, (i) => [
              `w${i}`,
              { '@id': `https://ex.example/w${i}`, '@context': { x: 'https://ex.example/x' } },
            ]),
          ),
        ],
        { id: 'did:example:a', w0: { x: 'y' } },
      ),
    expect: 'maxInlineTerms',
  },
  {
    name: 'scoped-row-250',
    about: '250 terms each with a two-term scoped context (within maxContextEntries)',
    build: () =>
      credential(
        [
          V2,
          Object.fromEntries(
            many(250, (i) => [
              `w${i}`,
              {
                '@id': `https://ex.example/w${i}`,
                '@context': { x: 'https://ex.example/x', z: 'https://ex.example/z' },
              },
            ]),
          ),
        ],
        { id: 'did:example:a', w0: { x: 'y' } },
      ),
    expect: 'maxExpansionWork',
  },
  {
    name: 'types-250',
    about: 'one node with 250 types, each with a type-scoped context',
    build: () =>
      credential(
        [
          V2,
          Object.fromEntries(
            many(250, (i) => [
              `T${i}`,
              { '@id': `https://ex.example/T${i}`, '@context': { y: 'https://ex.example/y' } },
            ]),
          ),
        ],
        { id: 'did:example:a', type: many(250, (i) => `T${i}`), y: 'z' },
      ),
    expect: 'maxExpansionWork',
  },
  {
    name: 'embedded-250',
    about: '250 objects, each with an embedded context of its own',
    build: () =>
      credential([V2, { '@vocab': 'https://ex.example/' }], {
        id: 'did:example:a',
        ...Object.fromEntries(
          many(250, (i) => [`m${i}`, { '@context': { v: `https://ex.example/v${i}` }, v: 1 }]),
        ),
      }),
    expect: 'processed',
  },
  {
    name: 'deep-3000',
    about: 'a document nested 3,000 deep (jsonld recurses once per level)',
    build: () => credential([V2, { '@vocab': 'https://ex.example/' }], nestedValue(3000)),
    expect: 'maxDepth',
  },
]

/** One measured case. @internal */
export interface HostileRow {
  name: string
  about: string
  bytes: number
  /** Median of the warm runs. */
  ms: number
  /** The first run (cold). */
  coldMs: number
  /** Peak resident memory above the level just before the first run, MB. */
  memoryMb: number
  outcome: string
  expected: string
  ok: boolean
}

/**
 * Runs of each case in its child: the first (cold: code jsonld has not run yet) and the rest
 * (warm).
 */
const RUNS = 5

/** Runs one case in this process and prints its row as JSON (the child side). */
async function runCase(name: string): Promise<void> {
  const spec = HOSTILE_CASES.find((c) => c.name === name)
  if (spec === undefined) throw new Error(`no hostile case ${name}`)
  const { canonizeRdfc, createDocumentLoader } =
    await import('../src/formats/data-integrity/index.js')
  const { setRdfcCache } = await import('../src/testing/rdfc-cache.js')
  // Every run does the whole JSON-LD processing (no shape template from the run before).
  setRdfcCache(false)
  const loader = createDocumentLoader(
    spec.contexts === undefined ? {} : { contexts: spec.contexts() },
  )
  // Warm up: jsonld and rdf-canonize loaded, the bundled contexts processed, the JIT awake.
  for (let i = 0; i < 3; i++)
    await canonizeRdfc(
      {
        '@context': [V2],
        type: ['VerifiableCredential'],
        issuer: 'did:example:i',
        credentialSubject: { id: `did:example:${i}` },
      },
      loader,
    )
  const document = spec.build()
  let bytes: number
  try {
    bytes = JSON.stringify(document).length
  } catch {
    bytes = Number.NaN // too deep for JSON.stringify (a parser would not have produced it either)
  }
  const before = process.memoryUsage().rss
  const times: number[] = []
  let outcome = ''
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now()
    try {
      await canonizeRdfc(structuredCloneSafe(document), loader)
      outcome = 'processed'
    } catch (error) {
      const e = error as { code?: string; message?: string }
      const limit = /JSON-LD limit (\w+)/.exec(e.message ?? '')?.[1]
      outcome =
        e.code === 'jsonld_limit_exceeded' && limit !== undefined
          ? limit
          : `${e.code ?? 'error'}: ${(e.message ?? '').slice(0, 80)}`
    }
    times.push(performance.now() - started)
  }
  const warm = times.slice(1).sort((a, b) => a - b)
  const ms = warm[Math.floor(warm.length / 2)] as number
  const memoryMb = Math.max(0, process.resourceUsage().maxRSS * 1024 - before) / (1024 * 1024)
  console.log(JSON.stringify({ name, bytes, ms, coldMs: times[0], memoryMb, outcome }))
}

/** A copy per run (jsonld does not modify its input, but the runs must not share anything). */
function structuredCloneSafe(document: Doc): Doc {
  try {
    return structuredClone(document)
  } catch {
    return document
  }
}

/** Runs every case (each in a child process) and returns the rows. */
export function measureHostileJsonLd(): HostileRow[] {
  const self = fileURLToPath(import.meta.url)
  const rows: HostileRow[] = []
  for (const spec of HOSTILE_CASES) {
    const child = spawnSync(process.execPath, [...process.execArgv, self, spec.name], {
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 1 << 20,
    })
    const line = child.stdout.trim().split('\n').pop() ?? ''
    let measured: { bytes: number; ms: number; coldMs: number; memoryMb: number; outcome: string }
    try {
      measured = JSON.parse(line) as typeof measured
    } catch {
      measured = {
        bytes: 0,
        ms: Number.NaN,
        coldMs: Number.NaN,
        memoryMb: Number.NaN,
        outcome: child.error
          ? `did not finish (${child.error.message})`
          : `crashed: ${child.stderr.slice(-200)}`,
      }
    }
    const ok =
      measured.outcome === spec.expect &&
      measured.ms < 250 &&
      measured.memoryMb < 128 &&
      !(measured.bytes > 100_000)
    rows.push({ name: spec.name, about: spec.about, expected: spec.expect, ok, ...measured })
  }
  return rows
}

/** The Markdown table of the rows. */
export function hostileJsonLdTable(rows: readonly HostileRow[]): string[] {
  const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '—')
  return [
    '| input | size | time (warm) | time (first run) | peak memory | outcome | within 250 ms / 128 MB |',
    '|---|---:|---:|---:|---:|---|:---:|',
    ...rows.map(
      (r) =>
        `| \`${r.name}\`: ${r.about} | ${Number.isFinite(r.bytes) ? `${fmt(r.bytes / 1000, 1)} KB` : '> 100 KB deep'} | ${fmt(r.ms, 1)} ms | ${fmt(r.coldMs, 1)} ms | ${fmt(r.memoryMb, 1)} MB | ${r.outcome === 'processed' ? 'processed' : `refused: \`${r.outcome}\``}${r.outcome === r.expected ? '' : ` (expected ${r.expected})`} | ${r.ok ? '✓' : '✗'} |`,
    ),
  ]
}

const invokedAs =
  process.argv[1] === undefined ? undefined : fileURLToPath(new URL(`file://${process.argv[1]}`))
if (invokedAs === fileURLToPath(import.meta.url)) {
  const name = process.argv[2]
  if (name !== undefined) await runCase(name)
  else for (const line of hostileJsonLdTable(measureHostileJsonLd())) console.log(line)
}
