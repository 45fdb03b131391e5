// The `node` export condition's entry (dist/index.node.js: node:crypto backend) against the default
// entry (dist/index.js: WebCrypto / noble) on Node, Deno and Bun, which all match that condition.
// Build first (`npx tsup`), then run once per runtime and entry, e.g.:
//   ENTRY=index.js      npx deno run -A bench/runtimes.mjs     ENTRY=index.node.js npx deno run -A bench/runtimes.mjs
//   ENTRY=index.js      npx bun bench/runtimes.mjs             ENTRY=index.node.js npx bun bench/runtimes.mjs
//   ENTRY=index.js      node bench/runtimes.mjs                ENTRY=index.node.js node bench/runtimes.mjs
// One process per entry: importing dist/index.node.js installs the backend for dist/index.js too.
// Prints one JSON line: per algorithm [which backend signs, sign ops/s, verifySignature ops/s], and
// the mean unlock time (ms) of a key sealed with scrypt N=2^15, r=8, p=1.
const entry = globalThis.Deno ? Deno.env.get('ENTRY') : process.env.ENTRY
if (entry !== 'index.js' && entry !== 'index.node.js')
  throw new Error('set ENTRY=index.js or ENTRY=index.node.js')
const lib = await import(`../dist/${entry}`)
const runtime = globalThis.Deno
  ? `deno ${Deno.version.deno}`
  : globalThis.Bun
    ? `bun ${Bun.version}`
    : `node ${process.version}`
const message = new TextEncoder().encode(
  '{"iss":"did:example:issuer","vc":{"type":["VerifiableCredential"]}} a typical JWS signing input',
)

async function opsPerSecond(fn, seconds = 1) {
  for (let i = 0; i < 20; i++) await fn()
  let ops = 0
  const start = performance.now()
  while (performance.now() < start + seconds * 1000) {
    for (let i = 0; i < 10; i++) await fn()
    ops += 10
  }
  return Math.round(ops / ((performance.now() - start) / 1000))
}

const result = { runtime, entry }
for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS']) {
  const material = await lib.generateKeyPair(algorithm, { modulusLength: 2048 })
  const key = await lib.loadPrivateKey(algorithm, material.pkcs8)
  const signature = await key.sign(message)
  result[algorithm] = [
    key.backend,
    await opsPerSecond(() => key.sign(message)),
    await opsPerSecond(() => lib.verifySignature(material.publicJwk, message, signature)),
  ]
}
const vault = new lib.KeyVault({
  store: new lib.MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(1),
  kdf: { id: 'scrypt', N: 2 ** 15, r: 8, p: 1 },
})
await vault.generate({ id: 'bench', algorithm: 'Ed25519', secrets: ['secret'] })
const start = performance.now()
for (let i = 0; i < 4; i++) (await vault.unlock('bench', ['secret'])).lock()
result.scryptUnlockMs = Math.round((performance.now() - start) / 4)
console.log(JSON.stringify(result))
