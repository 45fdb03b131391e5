// Run inside a throwaway consumer that installed ONLY the packed tarball (`npm install credsign`),
// none of the optional peers (jsonld, rdf-canonize, pg, pkijs): see .ci/consumer-smoke.sh.
// The common paths work with no extra step; an rdfc Data Integrity suite says what to install.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
for (const optional of ['jsonld', 'rdf-canonize', 'pg', 'zod', 'pkijs']) {
  assert.throws(
    () => require.resolve(optional),
    `${optional} is not installed by npm install credsign`,
  )
}
const { KeyVault, MemoryStore, JwtVcSigner, CredsignError, asDidSigner, verify } =
  await import('credsign')
const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
await vault.generate({ id: 'issuer-key', algorithm: 'Ed25519', secrets: ['s1'] })
// did:key: the default resolver finds the key offline; the issuer is filled from it.
const issuer = asDidSigner(await vault.unlock('issuer-key', ['s1']))
const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  credentialSubject: { id: 'did:example:alice' },
}
const jwt = await new JwtVcSigner(issuer).sign(credential)
const result = await verify(jwt)
assert.equal(result.verified, true, JSON.stringify(result.errors))
assert.equal(result.format, 'vc+jwt')

// credsign/http (zod is bundled into it) answers without any extra install.
const { createHandler } = await import('credsign/http')
const handler = createHandler({ vault, auth: { bearerTokens: ['a-long-random-token-0123456789'] } })
const health = await handler(new Request('http://localhost/health'))
assert.equal(health.status, 200)

// Data Integrity: the JCS suites need nothing more; rdfc names the packages to install.
const { DataIntegritySigner } = await import('credsign/data-integrity')
const jcs = await new DataIntegritySigner(issuer, { cryptosuite: 'eddsa-jcs-2022' }).sign(
  credential,
)
assert.equal(jcs.proof.cryptosuite, 'eddsa-jcs-2022')
await assert.rejects(
  new DataIntegritySigner(issuer).sign(credential),
  (e) =>
    e instanceof CredsignError &&
    e.code === 'unsupported_format' &&
    /npm install jsonld rdf-canonize/.test(e.message),
)
// X.509 (pkijs, an optional peer) names the package to install; verify() without x5c never loads it.
// (test/fixtures/x509/chain.ts's root, made by openssl; a well-formed certificate reaches pkijs)
const rootPem =
  '-----BEGIN CERTIFICATE-----\nMIIBdDCCARmgAwIBAgIBATAKBggqhkjOPQQDAjAgMR4wHAYDVQQDDBVjcmVkc2ln\nbiBmaXh0dXJlIHJvb3QwIBcNMjYxMjA3MDYwMDQ4WhgPMjEyNjExMTMwNjAwNDha\nMCAxHjAcBgNVBAMMFWNyZWRzaWduIGZpeHR1cmUgcm9vdDBZMBMGByqGSM49AgEG\nCCqGSM49AwEHA0IABJTbuiqz0tAFwyaXqN9xiXo8ZIFW9poo+x/ex6PAbyc4hfMp\nv/Tp0h3FiIa9nPcwffTzqA/b1ci1todXbOiWDNmjQjBAMA8GA1UdEwEB/wQFMAMB\nAf8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBRAVBhs+I1IJTOtGueX7zdTPVsF\nkzAKBggqhkjOPQQDAgNJADBGAiEA+EXejaXsywTlI5iPY0tvchKfkeTrOrNRGwOw\naN+Z0d4CIQDNDV18Y36UULgbIRHnqedawmzAHlmg7iLaNPTEELDM6w==\n-----END CERTIFICATE-----\n'
const { parseCertificate } = await import('credsign')
await assert.rejects(
  parseCertificate(rootPem),
  (e) =>
    e instanceof CredsignError &&
    e.code === 'crypto_unavailable' &&
    /npm install pkijs/.test(e.message),
)
console.log(
  'bare install: core, credsign/http and the JCS suites work; rdfc asks for jsonld + rdf-canonize, X.509 for pkijs',
)
