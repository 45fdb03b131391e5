/**
 * Npm run bench — measures, in one run on this machine:
 *
 * 1. Unlock cost per KDF setting (and the longest event-loop stall while it runs);
 * 2. Sign throughput with an unlocked vault key for each algorithm, against the raw primitives
 *    (WebCrypto with a pre-imported CryptoKey, node:crypto with a KeyObject, @noble/curves), as
 *    ratios;
 * 3. The node:crypto backend (what `import 'credsign'` gets on Node through the package's `node`
 *    export condition) against the default WebCrypto / noble path: sign (one at a time and 8 in
 *    flight), verify, and unlock with scrypt and PBKDF2 (time and event-loop stall);
 * 4. JWT-VC against jose (bench/jwt.ts), Data Integrity against Digital Bazaar's libraries
 *    (bench/data-integrity.ts), and SD-JWT VC against @sd-jwt/sd-jwt-vc (bench/sd-jwt.ts), on both
 *    paths. Prints a Markdown report (paste into BENCHMARKS.md) and writes it to
 *    .bench-out/latest.md (.bench-out/data-integrity.md with BENCH_ONLY=data-integrity,
 *    .bench-out/sd-jwt.md with BENCH_ONLY=sd-jwt). Set BENCH_QUICK=1 for a short smoke run.
 *    BENCH_BACKEND=webcrypto runs sections 1-2 on the default path only; BENCH_BACKEND=node runs
 *    sections 1-2 with the node:crypto backend installed; unset (or `both`), sections 1-2 run on
 *    the default path and section 3 measures both in the same run. BENCH_ONLY=data-integrity runs
 *    the Data Integrity section alone, BENCH_ONLY=sd-jwt the SD-JWT VC section alone,
 *    BENCH_ONLY=jwt the JWT-VC vs jose section alone (.bench-out/jwt.md; each on the paths
 *    BENCH_BACKEND selects), BENCH_ONLY=jsonld-hostile the hostile JSON-LD table alone
 *    (bench/jsonld-hostile.ts; each case in a child process, default path only).
 */
import { createPrivateKey, sign as nodeSign, type KeyObject } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { JWT_TABLE_HEADER, benchJwt } from './jwt.js'
import { createDataIntegrityBench } from './data-integrity.js'
import { createSdJwtBench } from './sd-jwt.js'
import { hostileJsonLdTable, measureHostileJsonLd } from './jsonld-hostile.js'
import { cpus } from 'node:os'
import { ed25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { sha256 } from '@noble/hashes/sha2.js'
import {
  KeyVault,
  MemoryStore,
  loadPrivateKey,
  verifySignature,
  type KdfParams,
  type KeyAlgorithm,
} from '../src/index.js'
import { generateKeyPair } from '../src/keys/generate.js'
import { parsePkcs8 } from '../src/keys/pkcs8.js'

const QUICK = process.env.BENCH_QUICK === '1'
const BACKEND = process.env.BENCH_BACKEND ?? 'both'
if (!['both', 'webcrypto', 'node'].includes(BACKEND))
  throw new Error('BENCH_BACKEND must be both, webcrypto or node')
/** BENCH_ONLY=data-integrity, sd-jwt, jwt or jsonld-hostile runs that section alone. */
const ONLY = process.env.BENCH_ONLY
if (ONLY !== undefined && !['data-integrity', 'sd-jwt', 'jwt', 'jsonld-hostile'].includes(ONLY)) {
  throw new Error('BENCH_ONLY must be data-integrity, sd-jwt, jwt or jsonld-hostile (or unset)')
}
const SIGN_SECONDS = QUICK ? 0.3 : 1.5
const UNLOCK_RUNS = QUICK ? 2 : 5
const message = new TextEncoder().encode(
  '{"iss":"did:example:issuer","vc":{"type":["VerifiableCredential"]}} a typical JWS signing input',
)
const serviceSecret = new Uint8Array(32).fill(42)
const lines: string[] = []
const out = (line = '') => {
  lines.push(line)
  console.log(line)
}

/** Runs `fn` repeatedly for `seconds` (after a warm-up) and returns operations per second. */
async function opsPerSecond(
  fn: () => Promise<unknown> | unknown,
  seconds = SIGN_SECONDS,
): Promise<number> {
  for (let i = 0; i < 20; i++) await fn()
  let ops = 0
  const start = performance.now()
  const end = start + seconds * 1000
  while (performance.now() < end) {
    for (let i = 0; i < 10; i++) await fn()
    ops += 10
  }
  return ops / ((performance.now() - start) / 1000)
}

/** Measures the longest gap between 1 ms timer ticks while `work` runs. */
async function maxEventLoopStall<T>(
  work: () => Promise<T>,
): Promise<{ result: T; stallMs: number }> {
  let last = performance.now()
  let stallMs = 0
  const timer = setInterval(() => {
    const now = performance.now()
    stallMs = Math.max(stallMs, now - last)
    last = now
  }, 1)
  try {
    const result = await work()
    return { result, stallMs }
  } finally {
    clearInterval(timer)
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

async function benchUnlock(): Promise<void> {
  const settings: { name: string; kdf: KdfParams }[] = [
    {
      name: 'PBKDF2-SHA-256, 600,000 iterations (default)',
      kdf: { id: 'pbkdf2-sha256', iterations: 600_000 },
    },
    {
      name: 'PBKDF2-SHA-256, 210,000 iterations',
      kdf: { id: 'pbkdf2-sha256', iterations: 210_000 },
    },
    { name: 'scrypt N=2^17, r=8, p=1 (128 MiB)', kdf: { id: 'scrypt', N: 2 ** 17, r: 8, p: 1 } },
    { name: 'scrypt N=2^15, r=8, p=1 (32 MiB)', kdf: { id: 'scrypt', N: 2 ** 15, r: 8, p: 1 } },
    { name: 'Argon2id m=19 MiB, t=2, p=1 (OWASP)', kdf: { id: 'argon2id', m: 19_456, t: 2, p: 1 } },
  ]
  out('### Unlock cost per KDF setting')
  out()
  out(
    'One `vault.unlock()` of an Ed25519 key from a MemoryStore: KDF + HMAC + AES-GCM + key import.',
  )
  out(
    '"Longest stall" is the longest gap between 1 ms timer ticks during the unlock: how long the event loop was blocked.',
  )
  out()
  out('| KDF | unlock, mean ms | min ms | longest event-loop stall, ms |')
  out('|---|---:|---:|---:|')
  for (const { name, kdf } of settings) {
    const { mean, min, stall } = await measureUnlock(kdf)
    out(`| ${name} | ${fmt(mean, 1)} | ${fmt(min, 1)} | ${fmt(stall, 1)} |`)
  }
  out()
  await benchRefusals()
}

/** `UNLOCK_RUNS` unlocks of an Ed25519 key sealed with `kdf`: mean and min time, longest stall (ms). */
async function measureUnlock(
  kdf: KdfParams,
): Promise<{ mean: number; min: number; stall: number }> {
  const vault = new KeyVault({ store: new MemoryStore(), serviceSecret, kdf })
  await vault.generate({
    id: 'bench',
    algorithm: 'Ed25519',
    secrets: ['caller-secret-1', 'caller-secret-2'],
  })
  const times: number[] = []
  let stall = 0
  for (let i = 0; i < UNLOCK_RUNS; i++) {
    const start = performance.now()
    const { result, stallMs } = await maxEventLoopStall(() =>
      vault.unlock('bench', ['caller-secret-1', 'caller-secret-2']),
    )
    times.push(performance.now() - start)
    result.lock()
    stall = Math.max(stall, stallMs)
  }
  return { mean: times.reduce((a, b) => a + b, 0) / times.length, min: Math.min(...times), stall }
}

/** Wrong secrets and an unknown id must cost the same, or response times tell which ids exist. */
async function benchRefusals(): Promise<void> {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret,
    lockout: { maxFailures: 1_000 },
  })
  await vault.generate({ id: 'known', algorithm: 'Ed25519', secrets: ['right'] })
  const time = async (id: string) => {
    const times: number[] = []
    for (let i = 0; i < UNLOCK_RUNS; i++) {
      const start = performance.now()
      await vault.unlock(id, ['wrong']).catch(() => undefined)
      times.push(performance.now() - start)
    }
    return times.reduce((a, b) => a + b, 0) / times.length
  }
  const known = await time('known')
  const unknown = await time('unknown')
  out('Refusals at the default KDF (both answer `wrong_secrets`):')
  out()
  out('| attempt | mean ms |')
  out('|---|---:|')
  out(`| wrong secrets for an existing key | ${fmt(known, 1)} |`)
  out(`| any secrets for an unknown key id | ${fmt(unknown, 1)} |`)
  out()
}

interface RawSigner {
  name: string
  sign: () => Promise<unknown> | unknown
}

async function rawSigners(algorithm: KeyAlgorithm, pkcs8: Uint8Array): Promise<RawSigner[]> {
  const der = new Uint8Array(pkcs8)
  const raw: RawSigner[] = []
  const nodeKey: KeyObject = createPrivateKey({
    key: Buffer.from(der),
    format: 'der',
    type: 'pkcs8',
  })
  const webcrypto = {
    Ed25519: { import: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
    'P-256': {
      import: { name: 'ECDSA', namedCurve: 'P-256' },
      sign: { name: 'ECDSA', hash: 'SHA-256' },
    },
    'P-384': {
      import: { name: 'ECDSA', namedCurve: 'P-384' },
      sign: { name: 'ECDSA', hash: 'SHA-384' },
    },
    'P-521': {
      import: { name: 'ECDSA', namedCurve: 'P-521' },
      sign: { name: 'ECDSA', hash: 'SHA-512' },
    },
    'RSA-PSS': {
      import: { name: 'RSA-PSS', hash: 'SHA-256' },
      sign: { name: 'RSA-PSS', saltLength: 32 },
    },
    RS256: {
      import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      sign: { name: 'RSASSA-PKCS1-v1_5' },
    },
  } as const
  if (algorithm !== 'secp256k1') {
    const params = webcrypto[algorithm as keyof typeof webcrypto]
    const key = await crypto.subtle.importKey('pkcs8', der, params.import, false, ['sign'])
    raw.push({
      name: 'WebCrypto subtle.sign',
      sign: () => crypto.subtle.sign(params.sign, key, message),
    })
  }
  if (algorithm === 'Ed25519') {
    raw.push({ name: 'node:crypto sign', sign: () => nodeSign(null, message, nodeKey) })
    const parsed = (await parsePkcs8(der)).key
    if (!('seed' in parsed)) throw new Error('unreachable')
    const seed = parsed.seed
    raw.push({ name: '@noble/curves ed25519', sign: () => ed25519.sign(message, seed) })
  } else if (algorithm === 'secp256k1') {
    raw.push({
      name: 'node:crypto sign',
      sign: () => nodeSign('sha256', message, { key: nodeKey, dsaEncoding: 'ieee-p1363' }),
    })
    const parsed = (await parsePkcs8(der)).key
    if (!('scalar' in parsed)) throw new Error('unreachable')
    const scalar = parsed.scalar
    raw.push({
      name: '@noble/curves secp256k1',
      sign: () => secp256k1.sign(sha256(message), scalar, { prehash: false }),
    })
  } else if (algorithm === 'RSA-PSS') {
    raw.push({
      name: 'node:crypto sign',
      sign: () => nodeSign('sha256', message, { key: nodeKey, padding: 6, saltLength: 32 }),
    })
  } else if (algorithm === 'RS256') {
    raw.push({
      name: 'node:crypto sign',
      sign: () => nodeSign('sha256', message, { key: nodeKey, padding: 1 }),
    })
  } else {
    const hash = algorithm === 'P-384' ? 'sha384' : algorithm === 'P-521' ? 'sha512' : 'sha256'
    raw.push({
      name: 'node:crypto sign',
      sign: () => nodeSign(hash, message, { key: nodeKey, dsaEncoding: 'ieee-p1363' }),
    })
  }
  return raw
}

async function benchSign(): Promise<void> {
  const algorithms: KeyAlgorithm[] = [
    'Ed25519',
    'P-256',
    'P-384',
    'P-521',
    'secp256k1',
    'RSA-PSS',
    'RS256',
  ]
  out('### Signing with an unlocked key vs the raw primitive')
  out()
  out(
    `Signing a ${message.length}-byte message. credsign = \`(await vault.unlock(...)).sign(bytes)\` on an already unlocked key.`,
  )
  out(
    'Ratio = credsign ops/s ÷ raw ops/s (1.00 = no overhead). RSA-PSS (PS256) and RS256 are 2048-bit.',
  )
  out()
  out('| algorithm | credsign ops/s | raw primitive | raw ops/s | ratio |')
  out('|---|---:|---|---:|---:|')
  for (const algorithm of algorithms) {
    const vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret,
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    })
    await vault.generate({ id: 'bench', algorithm, secrets: ['s'], modulusLength: 2048 })
    const signer = await vault.unlock('bench', ['s'])
    const ours = await opsPerSecond(() => signer.sign(message))
    // The raw primitives get the same key, exported once through a separate generate for fairness.
    const material = await generateKeyPair(algorithm, { modulusLength: 2048 })
    const raws = await rawSigners(algorithm, material.pkcs8)
    let first = true
    for (const raw of raws) {
      const rawOps = await opsPerSecond(raw.sign)
      out(
        `| ${first ? algorithm : ''} | ${first ? fmt(ours) : ''} | ${raw.name} | ${fmt(rawOps)} | ${fmt(ours / rawOps, 2)} |`,
      )
      first = false
    }
    signer.lock()
  }
  out()
}

/** Like {@link opsPerSecond}, with `inFlight` operations started together each round. */
async function opsPerSecondConcurrent(
  fn: () => Promise<unknown>,
  inFlight: number,
  seconds = SIGN_SECONDS,
): Promise<number> {
  const round = () => Promise.all(Array.from({ length: inFlight }, fn))
  for (let i = 0; i < 5; i++) await round()
  let ops = 0
  const start = performance.now()
  const end = start + seconds * 1000
  while (performance.now() < end) {
    await round()
    ops += inFlight
  }
  return ops / ((performance.now() - start) / 1000)
}

const IN_FLIGHT = 8
const BACKEND_KDFS: { name: string; kdf: KdfParams }[] = [
  { name: 'scrypt N=2^17, r=8, p=1 (128 MiB)', kdf: { id: 'scrypt', N: 2 ** 17, r: 8, p: 1 } },
  { name: 'scrypt N=2^15, r=8, p=1 (32 MiB)', kdf: { id: 'scrypt', N: 2 ** 15, r: 8, p: 1 } },
  {
    name: 'PBKDF2-SHA-256, 600,000 iterations (default)',
    kdf: { id: 'pbkdf2-sha256', iterations: 600_000 },
  },
]

interface BackendFigures {
  sign: Record<string, { serial: number; concurrent: number; verify: number; backend: string }>
  unlock: Record<string, { mean: number; stall: number }>
}

/** Sign, verify and unlock figures on whichever path is installed right now. */
async function measurePath(): Promise<BackendFigures> {
  const figures: BackendFigures = { sign: {}, unlock: {} }
  for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS'] as KeyAlgorithm[]) {
    const vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret,
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    })
    await vault.generate({ id: 'bench', algorithm, secrets: ['s'], modulusLength: 2048 })
    const signer = await vault.unlock('bench', ['s'])
    const signature = await signer.sign(message)
    const material = await generateKeyPair(algorithm, { modulusLength: 2048 })
    const backend = (await loadPrivateKey(algorithm, material.pkcs8)).backend
    figures.sign[algorithm] = {
      serial: await opsPerSecond(() => signer.sign(message)),
      concurrent: await opsPerSecondConcurrent(() => signer.sign(message), IN_FLIGHT),
      verify: await opsPerSecond(() => verifySignature(signer.publicJwk, message, signature)),
      backend,
    }
    signer.lock()
  }
  for (const { name, kdf } of BACKEND_KDFS) figures.unlock[name] = await measureUnlock(kdf)
  return figures
}

async function benchBackends(): Promise<void> {
  const fallback = await measurePath()
  await import('../src/index.node.js') // installs the node:crypto backend, as the `node` export condition does
  const node = await measurePath()
  out('### node:crypto backend (`node` export condition) vs the default path')
  out()
  out(
    'Same machine, same run. "default" = WebCrypto / noble (what `credsign` is everywhere without the `node`',
  )
  out(
    'condition); "node" = the same API with the node:crypto backend installed (`import \'credsign\'` on Node).',
  )
  out(
    `Signing with an unlocked vault key: one call at a time, and ${IN_FLIGHT} calls in flight at once.`,
  )
  out('Verify = `verifySignature(publicJwk, bytes, signature)` repeated with the same key. Ops/s.')
  out()
  out(
    `| algorithm | signs with | sign, default | sign, node | × | ${IN_FLIGHT} in flight, default | ${IN_FLIGHT} in flight, node | × | verify, default | verify, node | × |`,
  )
  out('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const algorithm of Object.keys(node.sign)) {
    const a = fallback.sign[algorithm] as BackendFigures['sign'][string]
    const b = node.sign[algorithm] as BackendFigures['sign'][string]
    out(
      `| ${algorithm} | ${a.backend} → ${b.backend} | ${fmt(a.serial)} | ${fmt(b.serial)} | ${fmt(b.serial / a.serial, 2)} | ` +
        `${fmt(a.concurrent)} | ${fmt(b.concurrent)} | ${fmt(b.concurrent / a.concurrent, 2)} | ${fmt(a.verify)} | ${fmt(b.verify)} | ${fmt(b.verify / a.verify, 2)} |`,
    )
  }
  out()
  out(
    'Unlock (KDF + HMAC + AES-GCM + key import) of an Ed25519 key; longest event-loop stall as above.',
  )
  out()
  out('| KDF | default, mean ms | default, stall ms | node, mean ms | node, stall ms |')
  out('|---|---:|---:|---:|---:|')
  for (const { name } of BACKEND_KDFS) {
    const a = fallback.unlock[name] as BackendFigures['unlock'][string]
    const b = node.unlock[name] as BackendFigures['unlock'][string]
    out(
      `| ${name} | ${fmt(a.mean, 1)} | ${fmt(a.stall, 1)} | ${fmt(b.mean, 1)} | ${fmt(b.stall, 1)} |`,
    )
  }
  out()
}

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  out(`## Run of ${new Date().toISOString().slice(0, 10)}`)
  out()
  const flags = [
    QUICK ? 'BENCH_QUICK=1' : '',
    BACKEND !== 'both' ? `BENCH_BACKEND=${BACKEND}` : '',
    ONLY ? `BENCH_ONLY=${ONLY}` : '',
  ]
    .filter(Boolean)
    .join(' ')
  out(
    `Command: \`npm run bench\`${flags ? ` (${flags})` : ''}. Node ${process.version}, ${cpus().length} × ${cpu}.`,
  )
  out()
  if (BACKEND === 'node') {
    await import('../src/index.node.js')
    out(
      'Sections below: credsign with the node:crypto backend installed (the `node` export condition).',
    )
    out()
  }
  const all = ONLY === undefined
  const runDi = all || ONLY === 'data-integrity'
  const runSd = all || ONLY === 'sd-jwt'
  const runJwt = all || ONLY === 'jwt'
  const runHostile = all || ONLY === 'jsonld-hostile'
  if (ONLY === 'jsonld-hostile') {
    reportHostileJsonLd()
    mkdirSync('.bench-out', { recursive: true })
    writeFileSync(`.bench-out/${ONLY}.md`, lines.join('\n') + '\n')
    return
  }
  if (all) {
    await benchUnlock()
    await benchSign()
  }
  const lib = await import('../src/index.js')
  const di = await import('../src/formats/data-integrity/index.js')
  const diBench = createDataIntegrityBench({ opsPerSecond, fmt })
  const sdBench = createSdJwtBench({ opsPerSecond, fmt })
  const jwtRows =
    BACKEND === 'node' || !runJwt ? [] : await benchJwt(lib, 'default', { opsPerSecond, fmt })
  if (BACKEND !== 'node') {
    if (runDi) await diBench.measure(lib, di, 'default')
    if (runSd) await sdBench.measure(lib, 'default')
  }
  if (BACKEND === 'both') {
    // installs the node backend from here on
    if (all) await benchBackends()
    else await import('../src/index.node.js')
  }
  if (BACKEND !== 'webcrypto') {
    if (runJwt) jwtRows.push(...(await benchJwt(lib, 'node', { opsPerSecond, fmt })))
    if (runDi) await diBench.measure(lib, di, 'node', { cacheOff: true })
    if (runSd) await sdBench.measure(lib, 'node')
  }
  if (runJwt) reportJwt(jwtRows)
  if (runDi) reportDataIntegrity(diBench.report())
  if (runSd) reportSdJwt(sdBench.report())
  if (runHostile) reportHostileJsonLd()
  mkdirSync('.bench-out', { recursive: true })
  writeFileSync(all ? '.bench-out/latest.md' : `.bench-out/${ONLY}.md`, lines.join('\n') + '\n')
}

function reportDataIntegrity(diLines: string[]): void {
  out('### Data Integrity vs Digital Bazaar (@digitalbazaar/vc 7)')
  out()
  out(
    'The same key and credential on both sides, one call at a time, ops/s. credsign: `new DataIntegritySigner(asDidSigner(vaultKey), { cryptosuite }).sign(vc)`',
  )
  out(
    '(copy, issuer binding, data model validation, proof) and `verify(vc, { handlers: [dataIntegrityHandler()] })` (did:key resolution, key purpose,',
  )
  out(
    'signature, issuer binding, validity, data model). DB: `vc.issue({ credential, suite, documentLoader })` and `vc.verifyCredential(...)` with the',
  )
  out(
    "matching suite (DataIntegrityProof + cryptosuite, or Ed25519Signature2020), did:key through DB's did-method-key driver, contexts from memory.",
  )
  out(
    'Each signing call signs a credential with a fresh `id`; each verifier verifies the same 32 credsign-signed credentials in turn. × = credsign ÷ DB.',
  )
  out(
    '"default" = WebCrypto / noble; "node" = the node:crypto backend (what `import \'credsign\'` gets on Node). DB figures are measured once.',
  )
  out(
    'raw = node:crypto sign / verify with the same key on a 64-byte (P-384: 96-byte) message, as the suite signs; overhead = credsign µs/op − raw µs/op.',
  )
  out(
    '"ceiling ×" = raw ÷ DB: no implementation signing / verifying with node:crypto can beat DB by more than that.',
  )
  out()
  for (const line of diLines) out(line)
  out()
}

function reportHostileJsonLd(): void {
  out('### Hostile JSON-LD inputs (rdfc suites)')
  out()
  out(
    'Each input is at most 100 KB of JSON and must finish, refused (`jsonld_limit_exceeded`, the limit named) or processed, in under 250 ms and 128 MB',
  )
  out(
    'with the default JSON-LD limits (docs/data-integrity.md, "Limits"). `canonizeRdfc(document, createDocumentLoader())` (expansion, RDF,',
  )
  out(
    'RDFC-1.0: what an rdfc proof hashes), shape templates off, each case in a child process of its own after three ordinary credentials:',
  )
  out(
    "time = median of 4 warm runs after the first (cold) run; peak memory = the rise of the child's peak RSS above its RSS before the first run.",
  )
  out()
  for (const line of hostileJsonLdTable(measureHostileJsonLd())) out(line)
  out()
}

function reportSdJwt(sdLines: string[]): void {
  out('### SD-JWT VC vs @sd-jwt/sd-jwt-vc 0.19')
  out()
  out(
    'The same issuer and holder keys and the same claims on both sides, one call at a time, ops/s. 10 selectively disclosable claims',
  )
  out(
    '(8 top-level; `address` is disclosable and holds 2 more), `vct`, `iss`, `iat`, `cnf`. issue: credsign `new SdJwtVcSigner(asDidSigner(vaultKey)).issue(claims,',
  )
  out(
    '{ vct, disclosureFrame, holder })`; @sd-jwt `SDJwtVcInstance.issue(claims, frame)`. present: both present the same credsign-issued SD-JWT, revealing',
  )
  out(
    '4 claims (5 disclosures), with a KB-JWT (`aud`, `nonce`, `iat`, `sd_hash`). verify: both verify the same 16 credsign presentations in turn, KB-JWT',
  )
  out(
    'required: credsign `verifySdJwt(p, { key, audience, nonce })` (issuer key given, as @sd-jwt has it) and `verify(p, { audience, nonce })`',
  )
  out(
    '(did:key resolution, issuer binding, key purpose, SD-JWT VC claim rules, validity); @sd-jwt `verify(p, { keyBindingNonce })` + an `aud` comparison.',
  )
  out(
    '@sd-jwt brings no crypto: its hasher, salts, signers and verifiers are node:crypto callbacks (createHash, randomBytes, KeyObjects) written in',
  )
  out(
    'bench/sd-jwt.ts; its issuer key is pre-imported, its KB verifier imports `cnf.jwk` per call. × = credsign ÷ @sd-jwt (product goal: issue and',
  )
  out(
    'verify ≥ 1.5×). "default" = WebCrypto / noble; "node" = the node:crypto backend. @sd-jwt and raw figures are measured once.',
  )
  out(
    'raw = node:crypto sign / verify with the same key on the issuer JWS signing input. "ceiling ×" = raw sign (issue, present) or raw verify ÷ 2',
  )
  out(
    '(verify checks two signatures) ÷ @sd-jwt: no implementation on node:crypto can beat @sd-jwt by more than that.',
  )
  out()
  for (const line of sdLines) out(line)
  out()
}

function reportJwt(jwtRows: string[]): void {
  out('### JWT-VC signing and verification vs jose')
  out()
  out(
    'The same VCDM 2.0 credential (603 bytes of JSON) and the same key on both sides, one call at a time, ops/s.',
  )
  out(
    'credsign: `new JwtVcSigner(signer).sign(vc)` (validation, issuer rules, `vc+jwt` header) and `verify(jwt)` (format, `typ`,',
  )
  out(
    'algorithm, did:key resolution, signature, issuer binding, key purpose, validity), plus `verifyJwt(jwt, { key })` (JWS + claims',
  )
  out(
    'only, like jwtVerify). jose 6: `new SignJWT(vc).setProtectedHeader(...).setIssuer(...).sign(key)` and `jwtVerify(jwt, key)`',
  )
  out(
    'with the key already imported. × = credsign ÷ jose. jose has no ES256K on WebCrypto, so secp256k1 is not in this table.',
  )
  out('RSA-PSS (PS256) and RS256 are 2048-bit keys; P-521 is ES512.')
  out(
    '"ceiling ×" = the bare signature primitive of that backend on the same signing input (no JWS or VC work at all) ÷ jose:',
  )
  out('no signer or verifier on that backend can beat jose by more than that.')
  out()
  for (const line of [...JWT_TABLE_HEADER, ...jwtRows]) out(line)
  out()
}

await main()
