// Run inside a throwaway consumer that installed the packed tarball (see .ci/consumer-smoke.sh).
// import() of every subpath in the package's exports, then a tiny real use from ESM.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const pkg = createRequire(import.meta.url)('credsign/package.json')
for (const key of Object.keys(pkg.exports)) {
  if (key === './package.json') continue
  const spec = 'credsign' + key.slice(1)
  const mod = await import(spec)
  assert.ok(Object.keys(mod).length > 0, `${spec} exports something`)
}
// What bundlers get (the `import` condition without `node`): the per-module build, one file per
// source module. Node never resolves it (it has the `node` condition), so it is loaded by path here:
// every subpath exports the same names as under `node`, and signs and verifies on WebCrypto.
const bundlerBuild = (subpath) =>
  import(new URL(`node_modules/credsign/${subpath}`, import.meta.url))
for (const [key, conditions] of Object.entries(pkg.exports)) {
  if (key === './package.json') continue
  const spec = 'credsign' + key.slice(1)
  const perModule = await bundlerBuild(conditions.import.default.slice(2))
  const bundled = await import(spec)
  const wanted = Object.keys(bundled).filter((name) => name !== 'default')
  assert.deepEqual(
    Object.keys(perModule)
      .filter((name) => wanted.includes(name))
      .sort(),
    wanted.sort(),
    `${spec}: the per-module build exports what the node build does`,
  )
}
{
  const browserish = await bundlerBuild(pkg.exports['.'].import.default.slice(2))
  const key = await browserish.generateKeyPair('Ed25519')
  const handle = await browserish.loadPrivateKey('Ed25519', key.pkcs8)
  assert.equal(handle.backend, 'webcrypto')
  const bytes = new TextEncoder().encode('per-module build')
  assert.equal(
    await browserish.verifySignature(key.publicJwk, bytes, await handle.sign(bytes)),
    true,
  )
}
const { KeyVault, MemoryStore, CredsignError, verifySignature, generateKeyPair, loadPrivateKey } =
  await import('credsign')
const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
await vault.generate({ id: 'esm-1', algorithm: 'P-256', secrets: ['s1'] })
const signer = await vault.unlock('esm-1', ['s1'])
const data = new TextEncoder().encode('hello from import')
const signature = await signer.sign(data)
assert.equal(await verifySignature(signer.publicJwk, data, signature), true)
// Node resolves the `node` export condition: the node:crypto backend signs.
assert.match(import.meta.resolve('credsign'), /index\.node\.js$/)
const material = await generateKeyPair('P-256')
assert.equal((await loadPrivateKey('P-256', material.pkcs8)).backend, 'node')
await assert.rejects(
  vault.unlock('esm-1', ['wrong']),
  (e) => e instanceof CredsignError && e.code === 'wrong_secrets',
)
// An error thrown by another entry point (credsign/file) is the core's CredsignError.
const { FileStore } = await import('credsign/file')
await assert.rejects(
  new FileStore({ directory: '/tmp/credsign-consumer-esm' }).get('bad id'),
  (e) => e instanceof CredsignError && e.code === 'invalid_key_id',
)
// Data Integrity from the package: eddsa-rdfc-2022 loads jsonld lazily; the proof verifies through verify().
const { DataIntegritySigner, dataIntegrityHandler } = await import('credsign/data-integrity')
const { asDidSigner, verify } = await import('credsign')
await vault.generate({ id: 'di-1', algorithm: 'Ed25519', secrets: ['s1'] })
const diSigner = asDidSigner(await vault.unlock('di-1', ['s1']))
const secured = await new DataIntegritySigner(diSigner).sign({
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  credentialSubject: { id: 'did:example:alice' },
})
const diResult = await verify(secured, { handlers: [dataIntegrityHandler()] })
assert.deepEqual(diResult.errors, [])
assert.equal(diResult.format, 'data-integrity')
await assert.rejects(
  new DataIntegritySigner(diSigner).sign({
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://unknown.example/ctx'],
    type: ['VerifiableCredential'],
    credentialSubject: { id: 'did:example:alice' },
  }),
  (e) => e instanceof CredsignError && e.code === 'context_not_found',
)
console.log('esm ok')
