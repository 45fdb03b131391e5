// Before/after cost of verify() (node:crypto backend) for JWT-VC and Data Integrity, to measure what a
// change costs: run it against the tree before and the tree after, in turn, a few times.
//   git worktree add /tmp/old <commit> && ln -s "$PWD/node_modules" /tmp/old/node_modules
//   npx tsx bench/verify-before-after.mts /tmp/old data-integrity/index.ts        (an older layout)
//   npx tsx bench/verify-before-after.mts "$PWD" formats/data-integrity/index.ts
// Prints ops/s of verify() for an Ed25519 and a P-256 vc+jwt and an eddsa-rdfc-2022 credential.
const root = process.argv[2]
const di = await import(`${root}/src/${process.argv[3]}`)
const cs = await import(`${root}/src/index.node.ts`)
const { KeyVault, MemoryStore, JwtVcSigner, asDidSigner, verify } = cs
const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(7),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
const credential = {
  '@context': [
    'https://www.w3.org/ns/credentials/v2',
    'https://www.w3.org/ns/credentials/examples/v2',
  ],
  type: ['VerifiableCredential', 'ExampleDegreeCredential'],
  validFrom: '2020-01-01T00:00:00Z',
  credentialSubject: { id: 'did:example:alice', degree: { type: 'BachelorDegree', name: 'BSc' } },
}
async function ops(fn: () => Promise<unknown>, seconds = 2): Promise<number> {
  for (let i = 0; i < 50; i++) await fn()
  let n = 0
  const end = performance.now() + seconds * 1000
  const start = performance.now()
  while (performance.now() < end) {
    for (let i = 0; i < 10; i++) await fn()
    n += 10
  }
  return n / ((performance.now() - start) / 1000)
}
const out: Record<string, number> = {}
for (const alg of ['Ed25519', 'P-256'] as const) {
  await vault.generate({ id: `k-${alg}`, algorithm: alg, secrets: ['s'] })
  const signer = asDidSigner(await vault.unlock(`k-${alg}`, ['s']))
  const jwt = await new JwtVcSigner(signer).sign({ ...credential, issuer: signer.id.split('#')[0] })
  const r = await verify(jwt)
  if (!r.verified) throw new Error(JSON.stringify(r.errors))
  out[`jwt ${alg}`] = await ops(() => verify(jwt))
}
const handler = di.dataIntegrityHandler()
const signer = asDidSigner(await vault.unlock('k-Ed25519', ['s']))
const secured = await new di.DataIntegritySigner(signer).sign({
  ...credential,
  issuer: signer.id.split('#')[0],
})
const r = await verify(secured, { handlers: [handler] })
if (!r.verified) throw new Error(JSON.stringify(r.errors))
out['di eddsa-rdfc-2022'] = await ops(() => verify(secured, { handlers: [handler] }))
console.log(JSON.stringify(out))
