/**
 * `npx tsx bench/status-verify.ts` — what a status check costs `verify()` once the list is cached
 * (issue 18's goal: under 50 µs per check), on the node:crypto path (`import 'credsign'` on Node).
 *
 * - "step alone": the engine's status step (`checkCredentialStatus`) on an already verified result,
 *   the list in the resolver's cache: cache lookup, validity and issuer checks, the bit read;
 * - "verify() with − without": `verify()` of a credential carrying one status entry with
 *   `statusLists` (cached list), minus `verify()` of the same kind of credential without a status
 *   (signature, key resolution and the data model cost the same in both), per format: a `vc+jwt`
 *   with a Bitstring Status List entry (131,072 entries) and an SD-JWT VC with a Token Status List
 *   entry (2 bits, 131,072 entries). Ed25519 keys, did:key.
 *
 * Each figure is the best of 5 rounds. BENCH_QUICK=1 for a short smoke run. Prints a Markdown table
 * (paste into BENCHMARKS.md).
 */
import {
  JwtVcSigner,
  KeyVault,
  MemoryStatusListStore,
  MemoryStore,
  SdJwtVcSigner,
  StatusLists,
  asDidSigner,
  createStatusListResolver,
  verify,
  type VerificationResult,
} from '../src/index.node.js'
import { checkCredentialStatus } from '../src/status/check-status.js'

import { perOp as timePerOp } from './per-op.js'
const perOp = (fn: () => Promise<unknown>): Promise<number> =>
  timePerOp(fn, { warmup: 200, batch: 20 })

const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(1),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s'] })
const signer = asDidSigner(await vault.unlock('issuer', ['s']))
const lists = new StatusLists({ store: new MemoryStatusListStore(), signer })
const BSL = 'https://issuer.example/status/1'
const TSL = 'https://issuer.example/tsl/1'
await lists.createList({ id: 'bsl', kind: 'bitstring', purpose: 'revocation', url: BSL })
await lists.createList({ id: 'tsl', kind: 'token', uri: TSL, size: 131_072 })
const bslEntry = await lists.allocate('bsl')
const tslEntry = await lists.allocate('tsl')
if (bslEntry.kind !== 'bitstring' || tslEntry.kind !== 'token') throw new Error('entries')
const statusLists = createStatusListResolver({
  lists: { [BSL]: (await lists.publish('bsl')).jwt, [TSL]: (await lists.publish('tsl')).jwt },
})

const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  credentialSubject: { id: 'did:example:alice' },
}
const vcPlain = await new JwtVcSigner(signer).sign(credential)
const vcStatus = await new JwtVcSigner(signer).sign({
  ...credential,
  credentialStatus: bslEntry.credentialStatus,
})
const sdPlain = await new SdJwtVcSigner(signer).issue({ given_name: 'Erika' }, { vct: 'urn:x' })
const sdStatus = await new SdJwtVcSigner(signer).issue(
  { given_name: 'Erika' },
  { vct: 'urn:x', status: tslEntry.status },
)

const rows: string[] = []
for (const [label, plain, withStatus] of [
  ['vc+jwt, Bitstring Status List entry', vcPlain, vcStatus],
  ['SD-JWT VC, Token Status List entry', sdPlain, sdStatus],
] as const) {
  const first = await verify(withStatus, { statusLists })
  if (!first.verified || first.status?.length !== 1) throw new Error(`${label}: not checked`)
  // The verified result without its status check, to run the step alone.
  const base: VerificationResult = await verify(withStatus)
  const strip = { ...base, checks: base.checks.filter((c) => !c.name.startsWith('status')) }
  const options = { statusLists }
  const unused = async (): Promise<VerificationResult> => {
    throw new Error('the list is cached: nothing to verify')
  }
  const step = await perOp(() => checkCredentialStatus(strip, options, unused))
  const without = await perOp(() => verify(plain))
  const withCheck = await perOp(() => verify(withStatus, { statusLists }))
  rows.push(
    `| ${label} | ${step.toFixed(1)} | ${without.toFixed(1)} | ${withCheck.toFixed(1)} | ${(withCheck - without).toFixed(1)} |`,
  )
}
console.log(`Status check of a cached list (Node ${process.version}, node:crypto path)\n`)
console.log(
  '| credential | step alone (µs) | verify() without status (µs) | verify() with status (µs) | difference (µs) |',
)
console.log('|---|---|---|---|---|')
for (const row of rows) console.log(row)
