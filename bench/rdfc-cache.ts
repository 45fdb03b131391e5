/**
 * Npx tsx bench/rdfc-cache.ts — µs per RDFC-1.0 canonicalization, uncached (JSON-LD expansion + RDF
 * deserialization + RDFC-1.0) against the shape-template cache of `canonizeRdfc`, for the W3C
 * vc-di-eddsa vector credentials and proof configurations. Each cached iteration canonicalizes a
 * _different_ document of the shape (new id, dates, names), as an issuer signing a batch would.
 * BENCH_QUICK=1 for a short run.
 */
import { readFileSync } from 'node:fs'
import { createDocumentLoader } from '../src/formats/data-integrity/document-loader.js'
import { canonizeRdfc } from '../src/formats/data-integrity/rdfc.js'
import { rdfcCacheStats, resetRdfcCache, setRdfcCache } from '../src/testing/rdfc-cache.js'
import type { JsonLdDocument } from '../src/formats/data-integrity/types.js'

const QUICK = process.env.BENCH_QUICK === '1'
const SECONDS = QUICK ? 0.3 : 1.5
const VECTORS = new URL('../test/fixtures/vectors/w3c-vc-di-eddsa/TestVectors/', import.meta.url)
const load = (path: string): JsonLdDocument =>
  JSON.parse(readFileSync(new URL(path, VECTORS), 'utf8')) as JsonLdDocument

/** `count` documents of the shape of `base`, differing in their ids, dates and names. */
function variants(base: JsonLdDocument, count: number): JsonLdDocument[] {
  const out: JsonLdDocument[] = []
  for (let i = 0; i < count; i++) {
    const doc = structuredClone(base) as Record<string, unknown>
    if (typeof doc.id === 'string')
      doc.id = `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
    if (typeof doc.name === 'string') doc.name = `${doc.name} #${i}`
    if (typeof doc.created === 'string')
      doc.created = `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`
    const subject = doc.credentialSubject as Record<string, unknown> | undefined
    if (subject !== undefined && typeof subject.id === 'string')
      subject.id = `did:example:subject${i}`
    if (subject !== undefined && typeof subject.givenName === 'string')
      subject.givenName = `NAME${i}`
    out.push(doc)
  }
  return out
}

/** Μs per call of `fn` over the documents (round robin), after a warm-up. */
async function microseconds(
  docs: JsonLdDocument[],
  fn: (doc: JsonLdDocument) => Promise<unknown>,
): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(docs[i % docs.length] as JsonLdDocument)
  let calls = 0
  const start = performance.now()
  const end = start + SECONDS * 1000
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await fn(docs[(calls + i) % docs.length] as JsonLdDocument)
    calls += 50
  }
  return ((performance.now() - start) * 1000) / calls
}

const loader = createDocumentLoader()
const cases: [string, JsonLdDocument][] = [
  ['vector credential (unsigned.json)', load('unsigned.json')],
  ['employmentAuth.json credential', load('employmentAuth.json')],
  ['proof config eddsa-rdfc-2022', load('eddsa-rdfc-2022/proofConfigDataInt.json')],
  ['proof config Ed25519Signature2020', load('Ed25519Signature2020/proofConfigEdSig.json')],
]

console.log(`RDFC-1.0 canonicalization, µs per document (Node ${process.version})\n`)
console.log('| document | uncached µs | cached µs | speed-up |')
console.log('|---|---:|---:|---:|')
for (const [name, base] of cases) {
  const docs = variants(base, 64)
  setRdfcCache(false)
  const uncached = await microseconds(docs, (doc) => canonizeRdfc(doc, loader))
  setRdfcCache(true)
  resetRdfcCache()
  const cached = await microseconds(docs, (doc) => canonizeRdfc(doc, loader))
  const stats = rdfcCacheStats()
  if (stats.misses !== 1 || stats.fallbacks !== 0 || stats.uncacheable !== 0)
    console.warn(`  unexpected cache counters for ${name}: ${JSON.stringify(stats)}`)
  console.log(
    `| ${name} | ${uncached.toFixed(1)} | ${cached.toFixed(1)} | ${(uncached / cached).toFixed(1)}× |`,
  )
}
