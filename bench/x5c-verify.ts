/**
 * `npx tsx bench/x5c-verify.ts` — what an `x5c` issuer key costs `verify()` (issue 19), on the
 * node:crypto path (`import 'credsign'` on Node): an SD-JWT VC signed with ES256 by the leaf of a
 * root → intermediate → leaf chain made by the openssl CLI (P-256 throughout), verified with
 * `trustAnchors` (the root):
 *
 * - "first sight": the validated-chain cache emptied before every call, so each `verify()` parses the
 *   two certificates and runs path validation (pkijs: two ECDSA certificate signatures, plus
 *   credsign's own checks);
 * - "cached chain": the same token again, the chain served from the cache (only the JWS signature);
 * - "kid (did:key), no x5c": the same claims signed by a P-256 did:key issuer, for comparison;
 * - "cached chain + revocation, CRLs cached": a chain from `openssl ca` whose intermediate and leaf
 *   name CRLs, verified with `revocation` configured; the chain and both CRLs come from the caches
 *   (what a verifier pays per token once warm);
 * - "… CRLs fetched every time": `cacheMs: 0`, the CRLs served from memory by the fetch (no network:
 *   what parsing and verifying two CRLs costs).
 *
 * Each figure is the best of 5 rounds. BENCH_QUICK=1 for a short smoke run. Prints a Markdown table
 * (paste into BENCHMARKS.md).
 */
import {
  SdJwtVcSigner,
  createTrustAnchors,
  didKeyFromJwk,
  generateKeyPair,
  loadPrivateKey,
  parseCertificate,
  verify,
  type Signer,
} from '../src/index.node.js'
import { decodePem } from '../src/keys/pem.js'
import { loadX509 } from '../src/x509/lazy.js'
import { ISSUER, makeTestChains } from '../test/node/fixtures/x509-chains.js'
import { CA_ORIGIN, RevocationLab } from '../test/node/fixtures/openssl-revocation.js'
import { perOp as timePerOp } from './per-op.js'
const perOp = (fn: () => Promise<unknown>): Promise<number> =>
  timePerOp(fn, { warmup: 50, batch: 10 })

const chains = makeTestChains()
const leafKey = await loadPrivateKey('P-256', decodePem(chains.leaf.keyPem)[0]?.der as Uint8Array)
const { publicJwk: leafJwk } = await parseCertificate(chains.leaf.pem)
if (leafJwk === undefined) throw new Error('no leaf key')
const leaf: Signer = {
  id: 'leaf',
  algorithm: 'P-256',
  publicJwk: leafJwk,
  sign: (data) => leafKey.sign(data),
}
const claims = { iss: ISSUER, vct: 'https://credentials.example/identity', given_name: 'Erika' }
const x5cToken = await new SdJwtVcSigner(leaf).issue(claims, {
  disclosureFrame: { _sd: ['given_name'] },
  kid: false,
  header: { x5c: chains.good.map((certificate) => certificate.x5c) },
})
const pair = await generateKeyPair('P-256')
const didKey = await loadPrivateKey('P-256', pair.pkcs8)
const did = didKeyFromJwk(pair.publicJwk)
const didSigner: Signer = {
  id: `${did}#${did.slice('did:key:'.length)}`,
  algorithm: 'P-256',
  publicJwk: pair.publicJwk,
  sign: (data) => didKey.sign(data),
}
const kidToken = await new SdJwtVcSigner(didSigner).issue(
  { ...claims, iss: did },
  { disclosureFrame: { _sd: ['given_name'] } },
)

const trustAnchors = createTrustAnchors([chains.root.pem])
const x509 = await loadX509()
const check = async (token: string): Promise<void> => {
  const result = await verify(token, { trustAnchors })
  if (!result.verified) throw new Error(JSON.stringify(result.errors))
}

const firstSight = await perOp(async () => {
  x509.clearX5cCache()
  await check(x5cToken)
})
const cached = await perOp(() => check(x5cToken))
const kid = await perOp(() => check(kidToken))

// A chain whose certificates name CRLs (openssl ca -gencrl), served from memory.
const lab = new RevocationLab()
const revocationRoot = lab.root('root')
const revocationInt = lab.intermediate('int', revocationRoot, [
  `crlDistributionPoints=URI:${CA_ORIGIN}/root.crl`,
])
const revocationLeaf = revocationInt.issue('leaf', [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'subjectAltName=DNS:issuer.example,URI:https://issuer.example',
  `crlDistributionPoints=URI:${CA_ORIGIN}/int.crl`,
])
const crlOf = new Map([
  [`${CA_ORIGIN}/root.crl`, revocationRoot.crl()],
  [`${CA_ORIGIN}/int.crl`, revocationInt.crl()],
])
const memoryFetch = async (url: string): Promise<Response> =>
  new Response(new Uint8Array(crlOf.get(url) ?? []), {
    headers: { 'content-type': 'application/pkix-crl' },
  })
const revocationKey = await loadPrivateKey(
  'P-256',
  decodePem(revocationLeaf.keyPem)[0]?.der as Uint8Array,
)
const { publicJwk: revocationJwk } = await parseCertificate(revocationLeaf.pem)
if (revocationJwk === undefined) throw new Error('no leaf key')
const revocationToken = await new SdJwtVcSigner({
  id: 'leaf',
  algorithm: 'P-256',
  publicJwk: revocationJwk,
  sign: (data) => revocationKey.sign(data),
}).issue(claims, {
  disclosureFrame: { _sd: ['given_name'] },
  kid: false,
  header: { x5c: [revocationLeaf.x5c, lab.read('int').x5c] },
})
const revocationAnchors = (cacheMs: number) =>
  createTrustAnchors([lab.read('root').pem], { revocation: { fetch: memoryFetch, cacheMs } })
const checkRevoked = (anchors: ReturnType<typeof revocationAnchors>) => async (): Promise<void> => {
  const result = await verify(revocationToken, { trustAnchors: anchors })
  if (!result.verified) throw new Error(JSON.stringify(result.errors))
}
const crlCached = await perOp(checkRevoked(revocationAnchors(3_600_000)))
const crlFetched = await perOp(checkRevoked(revocationAnchors(0)))

console.log('| SD-JWT VC, ES256 issuer | verify() (µs) |')
console.log('|---|---|')
console.log(`| x5c, first sight (path validation) | ${firstSight.toFixed(1)} |`)
console.log(`| x5c, cached chain | ${cached.toFixed(1)} |`)
console.log(`| kid (did:key), no x5c | ${kid.toFixed(1)} |`)
console.log(`| x5c, cached chain + revocation, CRLs cached | ${crlCached.toFixed(1)} |`)
console.log(
  `| x5c, cached chain + revocation, 2 CRLs parsed and verified (cacheMs 0) | ${crlFetched.toFixed(1)} |`,
)
