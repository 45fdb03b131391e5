/**
 * Data Integrity signing and verification next to Digital Bazaar's libraries (@digitalbazaar/vc
 * `issue` / `verifyCredential` with the equivalent suite from @digitalbazaar/data-integrity and the
 * eddsa / ecdsa cryptosuites, or @digitalbazaar/ed25519-signature-2020), with the same key and the
 * same credential, in one run. Used by bench/run.ts (`BENCH_ONLY=data-integrity npm run bench` runs
 * this section alone).
 *
 * - Credentials: the W3C vc-di-eddsa vector credential (unsigned.json, "typical") and the W3C
 *   employment authorization credential (employmentAuth.json: blank nodes, images, the citizenship
 *   context), issued by the key's did:key. Every signing call gets a fresh `id` (`urn:uuid:…`), as
 *   an issuer's would, on both sides; each verifier verifies the same 32 credsign-signed
 *   credentials in turn.
 * - Keys: the W3C vector keys (Ed25519, P-256, P-384). credsign signs with an unlocked vault key
 *   under its did:key (`asDidSigner`), DB with a Multikey key pair of the same secret.
 * - Verification: credsign `verify(vc, { handlers: [dataIntegrityHandler()] })` (default resolver:
 *   did:key offline; issuer binding, validity, data model); DB `vc.verifyCredential` with the
 *   matching suite only, and a document loader that resolves did:key through DB's did-method-key
 *   driver and serves contexts from memory (DB's context packages, credsign's bundle for the
 *   rest).
 * - "raw": node:crypto sign / verify with the same key (a KeyObject) on a message of the size the
 *   suite signs (64 bytes; 96 for P-384): the floor under any implementation's time per operation.
 *   "overhead" = credsign's µs per operation − raw µs per operation.
 * - Deterministic suites (Ed25519): credsign's and DB's proofValue for the same credential and
 *   `created` must be identical; ECDSA: each side verifies the other's proof. Checked in the run.
 */
import {
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
// @ts-expect-error -- @digitalbazaar/* and jsonld-signatures ship no type declarations
import * as vc from '@digitalbazaar/vc'
// @ts-expect-error -- no type declarations
import jsigs from 'jsonld-signatures'
import type * as Credsign from '../src/index.js'
import type * as CredsignDataIntegrity from '../src/formats/data-integrity/index.js'
import { importPrivateKey } from '../src/keys/import.js'
import { DB_CONTEXTS, didKeyDriver } from '../test/node/fixtures/digital-bazaar.js'
import {
  DB_SUITES as SUITES,
  vectorKey,
  type DbKey,
  type DbSuiteCase as SuiteCase,
  type VectorAlgorithm as Algorithm,
} from '../test/node/fixtures/digital-bazaar-suites.js'
import type { BenchTools } from './jwt.js'

type Json = Record<string, unknown>

const VECTORS = new URL('../test/fixtures/vectors/', import.meta.url)
const vector = (path: string): Json =>
  JSON.parse(readFileSync(new URL(path, VECTORS), 'utf8')) as Json

// ---------------------------------------------------------------------------------------------
// Suites and keys.

interface KeyCase {
  did: string
  vm: string
  seed: Uint8Array
  dbKey: DbKey
  /** Node:crypto handles of the same key, for the raw figures. */
  nodePrivate: KeyObject
  nodePublic: KeyObject
}

async function keyCase(algorithm: Algorithm): Promise<KeyCase> {
  const { did, vm, seed, dbKey } = await vectorKey(algorithm)
  const material = await importPrivateKey({ seed, algorithm })
  const nodePrivate = createPrivateKey({
    key: Buffer.from(material.pkcs8),
    format: 'der',
    type: 'pkcs8',
  })
  return { did, vm, seed, dbKey, nodePrivate, nodePublic: createPublicKey(nodePrivate) }
}

// ---------------------------------------------------------------------------------------------
// DB's document loader.

function dbDocumentLoader(
  credsignLoader: CredsignDataIntegrity.DocumentLoader,
): (url: string) => Promise<unknown> {
  // DB's packages' contexts, copied: the loader adds credsign's bundled ones DB does not ship.
  const contexts = new Map<string, unknown>(DB_CONTEXTS)
  return jsigs.extendContextLoader(async (url: string) => {
    if (url.startsWith('did:key:'))
      return { contextUrl: null, documentUrl: url, document: await didKeyDriver.get({ url }) }
    let document = contexts.get(url)
    if (document === undefined) {
      document = structuredClone((await credsignLoader(url)).document)
      contexts.set(url, document)
    }
    return { contextUrl: null, documentUrl: url, document, tag: 'static' }
  }) as (url: string) => Promise<unknown>
}

// ---------------------------------------------------------------------------------------------
// Credentials.

interface CredentialCase {
  name: string
  make(did: string, n: number): Json
}

const uuid = (n: number) => `urn:uuid:4f0c9a3e-1b2d-4c5e-8f60-${n.toString(16).padStart(12, '0')}`

const CREDENTIALS: CredentialCase[] = [
  {
    name: 'typical (W3C unsigned.json)',
    make: (did, n) => ({
      ...vector('w3c-vc-di-eddsa/TestVectors/unsigned.json'),
      id: uuid(n),
      issuer: did,
    }),
  },
  {
    name: 'employment (W3C employmentAuth.json)',
    make: (did, n) => {
      const employ = vector('w3c-vc-di-eddsa/TestVectors/employmentAuth.json')
      // validUntil moved from 2029 to 2099, so both verifiers keep accepting it.
      return {
        ...employ,
        id: uuid(n),
        issuer: { ...(employ.issuer as Json), id: did },
        validUntil: '2099-12-03T00:00:00Z',
      }
    },
  },
]
// Parsed once: `make` above reads the files, so the timed loops use these templates instead.
function templates(did: string): Map<string, Json> {
  return new Map(CREDENTIALS.map((c) => [c.name, c.make(did, 0)]))
}
const withId = (template: Json, n: number): Json => ({ ...template, id: uuid(n) })

// ---------------------------------------------------------------------------------------------

interface Figures {
  signOurs: number
  verifyOurs: number
}
interface Shared {
  signDb: number
  verifyDb: number
  rawSign: number
  rawVerify: number
  check: string
}

interface Row {
  suite: SuiteCase
  credential: string
  backend: string
  ours: Figures
  oursNoCache?: Figures
  shared: Shared
}

const VERIFY_SET = 32

/**
 * Runs `fn` for up to 300 calls or 0.5 s before it is measured: opsPerSecond's own 20 calls leave a
 * library's JSON-LD path (DB's first of all: it is measured first) partly unoptimized.
 */
async function warmUp(fn: () => Promise<unknown> | unknown): Promise<void> {
  const end = performance.now() + 500
  for (let i = 0; i < 300 && performance.now() < end; i++) await fn()
}

/**
 * `measure(lib, di, label)` runs every suite × credential on whichever credsign backend is
 * installed now (DB's and the raw figures are measured once, on the first call); `report()` gives
 * the Markdown lines.
 */
export function createDataIntegrityBench(
  tools: BenchTools,
  options: { credentials?: number } = {},
) {
  const { opsPerSecond, fmt } = tools
  const credentials = CREDENTIALS.slice(0, options.credentials ?? CREDENTIALS.length)
  const keys = new Map<Algorithm, KeyCase>()
  const shared = new Map<string, Shared>()
  const rows: Row[] = []
  let cacheNote = ''

  async function measure(
    lib: typeof Credsign,
    di: typeof CredsignDataIntegrity,
    label: string,
    extra: { cacheOff?: boolean } = {},
  ): Promise<void> {
    const credsignLoader = di.createDocumentLoader()
    const dbLoader = dbDocumentLoader(credsignLoader)
    const handlers = { handlers: [di.dataIntegrityHandler()] }
    // The switch of the RDFC shape cache, when the tree has it: src/testing/rdfc-cache.ts (rdfc.ts in older trees).
    const controls = existsSync(new URL('../src/testing/rdfc-cache.ts', import.meta.url))
      ? ((await import('../src/testing/rdfc-cache.js')) as Record<string, unknown>)
      : ((await import('../src/formats/data-integrity/rdfc.js')) as Record<string, unknown>)
    const setCache =
      typeof controls.setRdfcCache === 'function'
        ? (controls.setRdfcCache as (enabled: boolean) => void)
        : undefined
    const template = existsSync(
      new URL('../src/formats/data-integrity/rdfc-template.ts', import.meta.url),
    )
      ? 'exists'
      : 'does not exist'
    cacheNote =
      setCache === undefined
        ? `No RDFC shape cache in this tree (no setRdfcCache; src/formats/data-integrity/rdfc-template.ts ${template}).`
        : `The RDFC shape cache is in this tree (src/formats/data-integrity/rdfc-template.ts ${template}): on, except in the "cache off" table.`

    for (const c of SUITES) {
      let key = keys.get(c.algorithm)
      if (key === undefined) {
        key = await keyCase(c.algorithm)
        keys.set(c.algorithm, key)
      }
      const vault = new lib.KeyVault({
        store: new lib.MemoryStore(),
        serviceSecret: new Uint8Array(32).fill(5),
        kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
      })
      await vault.import({
        id: 'bench',
        secrets: ['s'],
        key: { seed: key.seed, algorithm: c.algorithm },
      })
      const signer = lib.asDidSigner(await vault.unlock('bench', ['s']))
      if (signer.id !== key.vm) throw new Error(`bench setup: ${signer.id} is not ${key.vm}`)
      const ourSigner = new di.DataIntegritySigner(signer, { cryptosuite: c.suite })
      const dbSuite = c.dbSigner(key.dbKey)
      const dbVerifier = c.dbVerifier()

      for (const credential of credentials) {
        const template = templates(key.did).get(credential.name) as Json
        const before = JSON.stringify(template)
        let n = 1
        const signOurs = () => ourSigner.sign(withId(template, n++))
        const signDb = () =>
          vc.issue({
            credential: withId(template, n++),
            suite: dbSuite,
            documentLoader: dbLoader,
          }) as Promise<Json>
        const toVerify: Json[] = []
        for (let i = 0; i < VERIFY_SET; i++) toVerify.push(await signOurs())
        let v = 0
        const verifyOurs = async () => {
          const result = await lib.verify(toVerify[v++ % VERIFY_SET] as Json, handlers)
          if (!result.verified)
            throw new Error(`credsign did not verify: ${JSON.stringify(result.errors)}`)
        }
        const verifyDb = async () => {
          const result = (await vc.verifyCredential({
            credential: toVerify[v++ % VERIFY_SET],
            suite: [dbVerifier],
            documentLoader: dbLoader,
          })) as { verified: boolean; error?: unknown }
          if (!result.verified) throw new Error(`DB did not verify: ${String(result.error)}`)
        }

        const id = `${c.label} / ${credential.name}`
        let common = shared.get(id)
        if (common === undefined) {
          const check = await crossCheck(c, key, ourSigner, template, dbLoader, lib, handlers)
          const size = c.algorithm === 'P-384' ? 96 : 64
          const message = new Uint8Array(size).fill(7)
          const rawSign = () =>
            c.algorithm === 'Ed25519'
              ? nodeSign(null, message, key.nodePrivate)
              : nodeSign(c.algorithm === 'P-384' ? 'sha384' : 'sha256', message, {
                  key: key.nodePrivate,
                  dsaEncoding: 'ieee-p1363',
                })
          const signature = rawSign()
          const rawVerify = () =>
            c.algorithm === 'Ed25519'
              ? nodeVerify(null, message, key.nodePublic, signature)
              : nodeVerify(
                  c.algorithm === 'P-384' ? 'sha384' : 'sha256',
                  message,
                  { key: key.nodePublic, dsaEncoding: 'ieee-p1363' },
                  signature,
                )
          for (const fn of [signDb, verifyDb]) await warmUp(fn)
          common = {
            signDb: await opsPerSecond(signDb),
            verifyDb: await opsPerSecond(verifyDb),
            rawSign: await opsPerSecond(rawSign),
            rawVerify: await opsPerSecond(rawVerify),
            check,
          }
          shared.set(id, common)
        }
        for (const fn of [signOurs, verifyOurs]) await warmUp(fn)
        const ours = {
          signOurs: await opsPerSecond(signOurs),
          verifyOurs: await opsPerSecond(verifyOurs),
        }
        let oursNoCache: Figures | undefined
        if (extra.cacheOff && setCache !== undefined && c.rdfc) {
          setCache(false)
          try {
            for (const fn of [signOurs, verifyOurs]) await warmUp(fn)
            oursNoCache = {
              signOurs: await opsPerSecond(signOurs),
              verifyOurs: await opsPerSecond(verifyOurs),
            }
          } finally {
            setCache(true)
          }
        }
        // Both sides got shallow copies of the template: neither may have changed it.
        if (JSON.stringify(template) !== before)
          throw new Error(`bench: the ${credential.name} template was modified while signing`)
        rows.push({
          suite: c,
          credential: credential.name,
          backend: label,
          ours,
          ...(oursNoCache === undefined ? {} : { oursNoCache }),
          shared: common,
        })
      }
    }
  }

  function report(): string[] {
    const us = (opsPerSec: number) => 1e6 / opsPerSec
    const lines: string[] = [
      cacheNote,
      '',
      '| suite | credential | credsign backend | sign, credsign | sign, DB | × | ceiling × | verify, credsign | verify, DB | × | ceiling × | raw sign | sign overhead µs | raw verify | verify overhead µs | same bytes / cross-verified |',
      '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ]
    for (const row of rows) {
      const { ours, shared: s } = row
      lines.push(
        `| ${row.suite.label} | ${row.credential} | ${row.backend} | ${fmt(ours.signOurs)} | ${fmt(s.signDb)} | **${fmt(ours.signOurs / s.signDb, 2)}** | ${fmt(s.rawSign / s.signDb, 2)} | ` +
          `${fmt(ours.verifyOurs)} | ${fmt(s.verifyDb)} | **${fmt(ours.verifyOurs / s.verifyDb, 2)}** | ${fmt(s.rawVerify / s.verifyDb, 2)} | ${fmt(s.rawSign)} | ${fmt(us(ours.signOurs) - us(s.rawSign))} | ` +
          `${fmt(s.rawVerify)} | ${fmt(us(ours.verifyOurs) - us(s.rawVerify))} | ${s.check} |`,
      )
    }
    const noCache = rows.filter((row) => row.oursNoCache !== undefined)
    if (noCache.length > 0) {
      lines.push(
        '',
        'The rdfc suites again with the shape cache off (`setRdfcCache(false)`), same run, ops/s:',
        '',
      )
      lines.push(
        '| suite | credential | credsign backend | sign, cache on | sign, cache off | sign ÷ DB, cache off | verify, cache on | verify, cache off | verify ÷ DB, cache off |',
      )
      lines.push('|---|---|---|---:|---:|---:|---:|---:|---:|')
      for (const row of noCache) {
        const off = row.oursNoCache as Figures
        lines.push(
          `| ${row.suite.label} | ${row.credential} | ${row.backend} | ${fmt(row.ours.signOurs)} | ${fmt(off.signOurs)} | ${fmt(off.signOurs / row.shared.signDb, 2)} | ` +
            `${fmt(row.ours.verifyOurs)} | ${fmt(off.verifyOurs)} | ${fmt(off.verifyOurs / row.shared.verifyDb, 2)} |`,
        )
      }
    }
    return lines
  }

  return { measure, report }
}

/**
 * Deterministic suites: the same credential and `created` must give the same proofValue (and the
 * same document) on both sides. ECDSA: DB verifies credsign's proof and credsign verifies DB's.
 */
async function crossCheck(
  c: SuiteCase,
  key: KeyCase,
  ourSigner: CredsignDataIntegrity.DataIntegritySigner,
  template: Json,
  dbLoader: (url: string) => Promise<unknown>,
  lib: typeof Credsign,
  handlers: { handlers: Credsign.FormatHandler[] },
): Promise<string> {
  const created = '2024-05-01T12:00:00Z'
  const ours = await ourSigner.sign(structuredClone(template), { created })
  const theirs = (await vc.issue({
    credential: structuredClone(template),
    suite: c.dbSigner(key.dbKey, created),
    documentLoader: dbLoader,
  })) as Json
  const dbVerdict = (await vc.verifyCredential({
    credential: ours,
    suite: [c.dbVerifier()],
    documentLoader: dbLoader,
  })) as { verified: boolean }
  const ourVerdict = await lib.verify(theirs, handlers)
  if (!dbVerdict.verified || !ourVerdict.verified)
    throw new Error(
      `${c.label}: cross-verification failed (DB: ${dbVerdict.verified}, credsign: ${JSON.stringify(ourVerdict.errors)})`,
    )
  if (!c.deterministic) return 'cross-verified ✓'
  const proofValue = (doc: Json) => (doc.proof as Json).proofValue
  if (proofValue(ours) !== proofValue(theirs))
    throw new Error(`${c.label}: credsign's proofValue differs from DB's`)
  const sorted = (doc: Json) =>
    JSON.stringify({
      ...doc,
      proof: Object.fromEntries(
        Object.entries(doc.proof as Json).sort(([a], [b]) => (a < b ? -1 : 1)),
      ),
    })
  if (sorted(ours) !== sorted(theirs))
    throw new Error(`${c.label}: credsign's document differs from DB's`)
  return JSON.stringify(ours) === JSON.stringify(theirs)
    ? 'identical bytes ✓'
    : 'same proofValue ✓ (proof members in another order)'
}
