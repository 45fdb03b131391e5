/**
 * `npx tsx bench/status-issue-steps.ts` — where the extra cost of a `vc+jwt` carrying a
 * BitstringStatusListEntry goes (issue 18's issuing goal; see BENCHMARKS.md): the CPU time of each
 * step of `JwtVcSigner.sign` on the node:crypto path, Ed25519, without and with the entry, and of
 * `allocate()` on a MemoryStatusListStore. CPU time (`process.cpuUsage`) over short rounds, every
 * step interleaved with the others; each figure is the 10th percentile of the rounds, which on a
 * shared machine is close to what a quiet one gives. ROUNDS=… (default 40).
 *
 * "with a new entry" signs a credential whose entry was just allocated (new index strings every
 * time, as issuing has); the other rows reuse one entry object.
 */
import {
  JwtVcSigner,
  KeyVault,
  MemoryStatusListStore,
  MemoryStore,
  StatusLists,
  asDidSigner,
  type BitstringStatusListEntry,
} from '../src/index.node.js'
import type { JsonObject } from '../src/credential/types.js'
import { copyDocument } from '../src/credential/prepare-document.js'
import { validateCredential } from '../src/credential/validate-credential.js'
import { signCompact } from '../src/jose/sign.js'

const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(1),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s'] })
const signer = asDidSigner(await vault.unlock('issuer', ['s']))
const lists = new StatusLists({ store: new MemoryStatusListStore(), signer })
await lists.createList({
  id: 'bsl',
  kind: 'bitstring',
  purpose: 'revocation',
  url: 'https://issuer.example/status/1',
  size: 2 ** 24,
})
async function newEntry(): Promise<BitstringStatusListEntry> {
  const allocation = await lists.allocate('bsl')
  if (allocation.kind !== 'bitstring') throw new Error('kind')
  return allocation.credentialStatus
}

const issuer = signer.id.split('#')[0] as string
const base = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  credentialSubject: { id: 'did:example:alice', degree: 'BSc' },
}
const entry = await newEntry()
type Side = 'plain' | 'status'
const docs: Record<Side, JsonObject> = {
  plain: { ...base },
  status: { ...base, credentialStatus: entry },
}
const copies: Record<Side, JsonObject> = {
  plain: { ...copyDocument(docs.plain, 'credential'), issuer },
  status: { ...copyDocument(docs.status, 'credential'), issuer },
}
const payloads: Record<Side, JsonObject> = {
  plain: { ...copies.plain, iss: issuer, iat: 1765000000 },
  status: { ...copies.status, iss: issuer, iat: 1765000000 },
}
const texts: Record<Side, string> = {
  plain: JSON.stringify(payloads.plain),
  status: JSON.stringify(payloads.status),
}
// A signer that returns a constant: the JWS encoding without the signature.
const noSignature = { ...signer, sign: async (): Promise<Uint8Array> => new Uint8Array(64) }
const header = { kid: signer.id, typ: 'vc+jwt', cty: 'vc' }
const signingInputs = {} as Record<Side, Uint8Array>
for (const side of ['plain', 'status'] as const) {
  const jws = await signCompact(noSignature, texts[side], {
    protectedHeader: header,
    includeKid: false,
  })
  signingInputs[side] = new TextEncoder().encode(jws.slice(0, jws.lastIndexOf('.')))
}
// Texts that differ in the index only, as each credential's does.
const varyingTexts: string[] = []
for (let i = 0; i < 5000; i++)
  varyingTexts.push(JSON.stringify({ ...payloads.status, credentialStatus: await newEntry() }))
let turn = 0

const jwt = new JwtVcSigner(signer)
const steps: [string, (side: Side) => unknown][] = [
  ['JwtVcSigner.sign, one entry reused', (side) => jwt.sign({ ...docs[side] })],
  [
    'JwtVcSigner.sign, a new entry per credential (allocate() included)',
    async (side) =>
      side === 'plain'
        ? jwt.sign({ ...base })
        : jwt.sign({ ...base, credentialStatus: await newEntry() }),
  ],
  ['JSON copy (stringify + parse)', (side) => copyDocument(docs[side], 'credential')],
  [
    'JSON.parse of the payload, the same text / a text that varies',
    (side) => JSON.parse(side === 'plain' ? texts.status : (varyingTexts[turn++ % 5000] as string)),
  ],
  ['validateCredential', (side) => validateCredential(copies[side], { version: '2.0' })],
  ['JSON.stringify of the payload', (side) => JSON.stringify(payloads[side])],
  [
    'JWS encoding, no signature',
    (side) => signCompact(noSignature, texts[side], { protectedHeader: header, includeKid: false }),
  ],
  ['Ed25519 signature of the signing input', (side) => signer.sign(signingInputs[side])],
]

const work: [string, () => unknown][] = []
for (const [name, step] of steps)
  for (const side of ['plain', 'status'] as const) work.push([`${name}|${side}`, () => step(side)])
work.push(['allocate()|status', () => lists.allocate('bsl')])
const samples = new Map<string, number[]>(work.map(([name]) => [name, []]))
for (const [, fn] of work) for (let i = 0; i < 2000; i++) await fn()
const rounds = Number(process.env.ROUNDS ?? 40)
for (let round = 0; round < rounds; round++)
  for (const [name, fn] of round % 2 === 0 ? work : [...work].reverse()) {
    const count = name.startsWith('JwtVcSigner') || name.startsWith('Ed25519') ? 400 : 4000
    const start = process.cpuUsage()
    for (let i = 0; i < count; i++) await fn()
    const used = process.cpuUsage(start)
    samples.get(name)?.push((used.user + used.system) / count)
  }
const p10 = (name: string): number => {
  const sorted = [...(samples.get(name) ?? [])].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 10)] as number
}
console.log(
  `\n### vc+jwt with a BitstringStatusListEntry, step by step (payload ${texts.plain.length} → ${texts.status.length} bytes; CPU µs, 10th percentile of ${rounds} rounds)\n`,
)
console.log('| step | without status | with status | difference |')
console.log('|---|---:|---:|---:|')
for (const [name] of steps) {
  const [a, b] = [p10(`${name}|plain`), p10(`${name}|status`)]
  console.log(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b - a).toFixed(2)} |`)
}
const allocate = p10('allocate()|status')
console.log(`| allocate() | | ${allocate.toFixed(2)} | ${allocate.toFixed(2)} |`)
