/**
 * Npm run demo — the main job on the embedded default store: keys encrypted in local files,
 * unlocked only to sign, verified, served as public keys.
 *
 * Re-running it reuses the keys it made the first time (in ./.demo-keys, git-ignored). Set
 * CREDSIGN_DEMO_DIR to use another folder.
 */
import { join } from 'node:path'
import {
  CredsignError,
  JwtVcSigner,
  JwtVpSigner,
  KeyVault,
  MemoryStatusListStore,
  Oid4vciProofSigner,
  SdJwtVcSigner,
  StatusLists,
  asDidSigner,
  createStatusListResolver,
  envelopeCredential,
  presentSdJwt,
  signCompact,
  signKeyBinding,
  verify,
  verifyJws,
  verifyKeyBinding,
  verifyOid4vciProof,
  verifySignature,
  type KeyAlgorithm,
} from 'credsign'
import {
  DataIntegritySigner,
  dataIntegrityHandler,
  type DataIntegrityProof,
} from 'credsign/data-integrity'
import { FileStore, loadServiceSecret } from 'credsign/file'

const dir = process.env.CREDSIGN_DEMO_DIR ?? '.demo-keys'
const secrets = ['demo-caller-secret-1', 'demo-caller-secret-2']
const encoder = new TextEncoder()
const step = (text: string) => console.log(`\n▸ ${text}`)
const ms = (start: number) => `${(performance.now() - start).toFixed(0)} ms`

step(
  `service secret: ${join(dir, 'service-secret')} (created on first run; provision it properly in production)`,
)
const serviceSecret = await loadServiceSecret(join(dir, 'service-secret'), {
  createIfMissing: true,
})

const store = new FileStore({ directory: join(dir, 'keys') })
const vault = new KeyVault({ store, serviceSecret })
console.log(`  key store: ${join(dir, 'keys')} (one encrypted file per key, mode 0600)`)
console.log('  KDF: PBKDF2-SHA-256, 600,000 iterations (the default)')

const keys: { id: string; algorithm: KeyAlgorithm }[] = [
  { id: 'did:web:issuer.example#ed25519-1', algorithm: 'Ed25519' },
  { id: 'did:web:issuer.example#p256-1', algorithm: 'P-256' },
  { id: 'wallet-holder-secp256k1', algorithm: 'secp256k1' },
]

for (const { id, algorithm } of keys) {
  step(`${algorithm} key ${id}`)
  let start = performance.now()
  try {
    const info = await vault.generate({ id, algorithm, secrets })
    console.log(`  generated and sealed (${ms(start)}): ${info.current.publicKeyMultibase}`)
  } catch (error) {
    if (!CredsignError.is(error, 'exists')) throw error
    console.log('  already in the store from an earlier run: reusing it')
  }

  const message = encoder.encode(`hello from credsign at ${new Date().toISOString()}`)
  start = performance.now()
  const signature = await vault.withKey(id, secrets, (signer) => signer.sign(message))
  console.log(`  unlocked, signed ${message.length} bytes and locked again (${ms(start)})`)
  const { current } = await vault.publicKey(id)
  const valid = await verifySignature(current.publicJwk, message, signature)
  console.log(
    `  verified with the stored public key (no secrets needed): ${valid ? 'valid' : 'INVALID'}`,
  )
  if (!valid) process.exitCode = 1
}

step('wrong secrets are refused, and counted towards the lockout')
try {
  await vault.unlock(keys[0]!.id, ['not-the-secret'])
} catch (error) {
  if (!CredsignError.is(error, 'wrong_secrets')) throw error
  console.log(`  ${error.code}: ${error.message}`)
}

step('public keys out, without secrets')
const doc = await vault.didDocument('did:web:issuer.example#ed25519-1')
console.log(
  `  DID document for ${doc.id}: ${doc.verificationMethod?.length ?? 0} verification method(s)`,
)
const jwks = await vault.jwks()
console.log(
  `  JWKS with ${jwks.keys.length} keys: ${jwks.keys.map((k) => `${k.kty}/${k.alg}`).join(', ')}`,
)
const didKey = await vault.didDocument('wallet-holder-secp256k1')
console.log(`  did:key of the wallet key: ${didKey.id}`)

step('a Verifiable Credential as a JWT (VC-JOSE-COSE, VCDM 2.0), verified with verify()')
const issuerKey = asDidSigner(await vault.unlock('did:web:issuer.example#p256-1', secrets)) // kid: did:key:zDn…
const credential = {
  '@context': [
    'https://www.w3.org/ns/credentials/v2',
    'https://www.w3.org/ns/credentials/examples/v2',
  ],
  type: ['VerifiableCredential', 'ExampleDegreeCredential'],
  validFrom: '2026-01-01T00:00:00Z',
  credentialSubject: {
    id: 'did:example:alice',
    degree: { type: 'ExampleBachelorDegree', name: 'Bachelor of Science' },
  },
}
const vcJwt = await new JwtVcSigner(issuerKey, { allowProperties: ['degree'] }).sign(credential)
console.log(`  ${vcJwt.slice(0, 72)}… (${vcJwt.length} chars, issuer filled from the key's DID)`)
const vcResult = await verify(vcJwt)
console.log(
  `  verify(): verified=${vcResult.verified} format=${vcResult.format} issuer=${vcResult.issuer?.slice(0, 30)}…`,
)
console.log(`  checks: ${vcResult.checks.map((c) => `${c.name}${c.passed ? '✓' : '✗'}`).join(' ')}`)

step('the same credential in a presentation for a verifier (audience and nonce bound)')
const holderKey = asDidSigner(await vault.unlock('wallet-holder-secp256k1', secrets))
const vpJwt = await new JwtVpSigner(holderKey).sign(
  {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiablePresentation'],
    verifiableCredential: [envelopeCredential(vcJwt)],
  },
  { audience: 'https://verifier.example', nonce: 'n-0S6_WzA2Mj', expiresIn: 300 },
)
const vpResult = await verify(vpJwt, {
  audience: 'https://verifier.example',
  nonce: 'n-0S6_WzA2Mj',
})
console.log(
  `  verify(): verified=${vpResult.verified} format=${vpResult.format}, embedded credentials verified: ${vpResult.credentials?.map((c) => c.verified).join(', ')}`,
)
const replay = await verify(vpJwt, { audience: 'https://verifier.example', nonce: 'another-nonce' })
console.log(
  `  replayed with another nonce: verified=${replay.verified} (${replay.errors.map((e) => e.code).join(', ')})`,
)

step(
  'the same credential with Data Integrity proofs (eddsa-rdfc-2022, then a chained ecdsa-jcs-2019 co-signature), verified offline',
)
const edHandle = await vault.unlock('did:web:issuer.example#ed25519-1', secrets)
const edIssuer = asDidSigner(edHandle)
const diCredential = await new DataIntegritySigner(edIssuer, { allowProperties: ['degree'] }).sign(
  credential,
  { proofId: 'urn:uuid:6f0b2f7e-0f47-4d1e-9a53-2b1b1c1f3a01' },
)
const coSigned = await new DataIntegritySigner(issuerKey, {
  cryptosuite: 'ecdsa-jcs-2019',
  allowIssuerMismatch: true,
  allowProperties: ['degree'],
}).sign(diCredential, {
  previousProof: 'urn:uuid:6f0b2f7e-0f47-4d1e-9a53-2b1b1c1f3a01',
})
for (const proof of [coSigned.proof].flat() as DataIntegrityProof[])
  console.log(
    `  proof ${proof.cryptosuite} by ${proof.verificationMethod.slice(0, 24)}…: ${proof.proofValue.slice(0, 24)}…`,
  )
let start = performance.now()
const diResult = await verify(coSigned, { handlers: [dataIntegrityHandler()] })
console.log(
  `  verify(): verified=${diResult.verified} format=${diResult.format} (${ms(start)}, JSON-LD contexts from the package, nothing fetched)`,
)
console.log(`  checks: ${diResult.checks.map((c) => `${c.name}${c.passed ? '✓' : '✗'}`).join(' ')}`)
const forged = {
  ...coSigned,
  credentialSubject: {
    ...credential.credentialSubject,
    degree: { type: 'ExampleBachelorDegree', name: 'Doctor of Science' },
  },
}
const forgedResult = await verify(forged, { handlers: [dataIntegrityHandler()] })
console.log(
  `  with a changed claim: verified=${forgedResult.verified} (${forgedResult.errors.map((e) => e.code).join(', ')})`,
)

step('a Fluree-style signed credential: Ed25519Signature2020 with proofPurpose authentication')
start = performance.now()
const flureeCredential = await new DataIntegritySigner(edIssuer, {
  cryptosuite: 'Ed25519Signature2020',
  proofPurpose: 'authentication',
  allowProperties: ['degree'],
}).sign(credential)
const flureeResult = await verify(flureeCredential, {
  handlers: [dataIntegrityHandler({ proofPurpose: 'authentication' })],
})
console.log(
  `  verify(): verified=${flureeResult.verified}, proof type ${(flureeCredential.proof as { type: string }).type} (${ms(start)} to sign and verify)`,
)
edHandle.lock() // the private key is unusable from here on

step('OpenID4VCI: the wallet proves possession of its key (jwt proof), the issuer checks it')
const walletHandle = await vault.unlock('wallet-holder-secp256k1', secrets)
const wallet = asDidSigner(walletHandle)
const issuerId = 'https://credential-issuer.example'
const cNonce = 'c-nonce-7f3a'
const keyProof = await new Oid4vciProofSigner(wallet).sign({ audience: issuerId, nonce: cNonce })
const proofCheck = await verifyOid4vciProof(keyProof, {
  expectedAudience: issuerId,
  expectedNonce: cNonce,
  anonymous: true,
})
console.log(
  `  proof_type ${keyProof.proof_type}: verified=${proofCheck.verified}, bind the credential to ${proofCheck.key?.id?.slice(0, 28)}…`,
)
const staleNonce = await verifyOid4vciProof(keyProof, {
  expectedAudience: issuerId,
  expectedNonce: 'another-c-nonce',
  anonymous: true,
})
console.log(
  `  with another c_nonce: verified=${staleNonce.verified} (${staleNonce.error}: ${staleNonce.reason})`,
)

step('an SD-JWT VC bound to that key; the wallet discloses two claims to a verifier, with a KB-JWT')
const sdJwt = await new SdJwtVcSigner(issuerKey).issue(
  {
    given_name: 'Alice',
    family_name: 'Example',
    birthdate: '2000-01-01',
    address: { locality: 'Berlin', country: 'DE' },
  },
  {
    vct: 'https://credentials.example/identity_credential',
    holder: proofCheck.key?.publicJwk ?? wallet.publicJwk,
    disclosureFrame: {
      _sd: ['given_name', 'family_name', 'birthdate', 'address'],
      address: { _sd: ['locality', 'country'] },
    },
    expiresIn: 365 * 24 * 3600,
  },
)
console.log(
  `  issued: ${sdJwt.split('~').length - 2} disclosures, typ dc+sd-jwt, ${sdJwt.length} chars`,
)
const shown = await presentSdJwt(sdJwt, {
  disclose: { _sd: ['given_name', 'address'], address: { _sd: ['country'] } },
  holder: wallet,
  audience: 'https://verifier.example',
  nonce: 'n-8Kd2',
})
const sdResult = await verify(shown, { audience: 'https://verifier.example', nonce: 'n-8Kd2' })
console.log(
  `  verify(): verified=${sdResult.verified} format=${sdResult.format}, disclosed: ${sdResult.disclosed?.join(', ')}`,
)
const replayed = await verify(shown, { audience: 'https://verifier.example', nonce: 'another' })
console.log(
  `  replayed with another nonce: verified=${replayed.verified} (${replayed.errors.map((e) => e.code).join(', ')})`,
)
walletHandle.lock()

step(
  'status lists: a credential revoked through its Token Status List, and verify() turning it down',
)
const statusLists = new StatusLists({ store: new MemoryStatusListStore(), signer: issuerKey })
const listUri = 'https://issuer.example/status/tsl-1'
await statusLists.createList({ id: 'tsl-1', kind: 'token', uri: listUri })
const slot = await statusLists.allocate('tsl-1')
if (slot.kind !== 'token') throw new Error('a Token Status List gives a status claim')
const withStatus = await new SdJwtVcSigner(issuerKey).issue(
  { given_name: 'Alice' },
  { vct: 'https://credentials.example/identity_credential', status: slot.status },
)
console.log(`  issued with status_list idx ${slot.index} (random, never reused) of ${listUri}`)
// A verifier fetches the published list from listUri; here the published token is handed over.
const published = async () =>
  createStatusListResolver({ lists: { [listUri]: (await statusLists.publish('tsl-1')).jwt } })
const offline = await verify(withStatus)
console.log(
  `  verify() offline: verified=${offline.verified}, with a ${offline.checks.find((c) => c.name === 'status_unchecked')?.name} check that did not pass (nothing fetched)`,
)
const before = await verify(withStatus, { statusLists: await published() })
console.log(
  `  verify() with the list: verified=${before.verified} (status ${before.status?.[0]?.message})`,
)
await statusLists.revoke('tsl-1', slot.index)
const after = await verify(withStatus, { statusLists: await published() })
console.log(
  `  revoked, list re-signed: verified=${after.verified} (${after.errors.map((e) => e.code).join(', ')})`,
)
if (!before.verified || after.verified) process.exitCode = 1

step('a signed request (Fluree style: compact JWS, EdDSA, did:key kid)')
const requester = asDidSigner(await vault.unlock('did:web:issuer.example#ed25519-1', secrets))
const query = JSON.stringify({ from: 'ex:ledger', select: { '?s': ['*'] }, where: { '@id': '?s' } })
const signedQuery = await signCompact(requester, query)
const checked = await verifyJws(signedQuery)
console.log(
  `  verified by kid ${String(checked.protectedHeader.kid).slice(0, 28)}…: ${new TextDecoder().decode(checked.payload).slice(0, 50)}…`,
)

step(
  'a key binding certificate (eVault style: "alice holds this P-256 key"), checked against the JWKS',
)
const registry = await vault.unlock('did:web:issuer.example#p256-1', secrets)
const bindingJwt = await signKeyBinding(registry, {
  subject: 'alice',
  publicKey: (await vault.publicKey('did:web:issuer.example#p256-1')).current.publicJwk,
  expiresIn: 3600,
  kid: registry.publicJwk.kid, // the JWKS publishes thumbprint kids
})
const binding = await verifyKeyBinding(bindingJwt, { jwks })
console.log(
  `  ${binding.subject} holds the ${binding.publicJwk.kty} key with thumbprint ${binding.publicJwk.kid?.slice(0, 12)}…, valid until ${new Date(binding.expiresAt * 1000).toISOString()}`,
)
registry.lock()

console.log('\nDone. Delete the folder to start over:', dir)
