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
import { HOSTILE_CASES, type Doc } from '../test/fixtures/jsonld-hostile.js'

const V2 = 'https://www.w3.org/ns/credentials/v2'

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
