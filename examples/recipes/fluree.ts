// Recipe: Fluree signed queries and transactions (issue 17). A compact JWS over the JSON query or
// transaction, naming its key by `kid` (a did:key URL) or carrying it whole in the header (`jwk`,
// what Fluree's current verifier reads), and a credential-wrapped transaction: a VC signed with
// Ed25519Signature2020 and proof purpose `authentication`. Every output is checked with jose (the
// JWS) and with credsign's verifier (the Data Integrity proof).
// Run: npm run build && TSX_TSCONFIG_PATH=examples/tsconfig.json node --import tsx examples/recipes/fluree.ts
import * as jose from 'jose'
import { asDidSigner, KeyVault, MemoryStore, signCompact, verify } from 'credsign'
import { DataIntegritySigner, dataIntegrityHandler } from 'credsign/data-integrity'

export async function flureeRecipe(): Promise<void> {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
  })
  await vault.generate({ id: 'fluree-user', algorithm: 'Ed25519', secrets: ['s1'] })
  const query = { from: 'cookbook/base', select: { '?s': ['*'] }, where: { '@id': '?s' } }
  const transaction = {
    '@context': { ex: 'http://example.org/' },
    ledger: 'cookbook/base',
    insert: { '@id': 'ex:alice', 'ex:name': 'Alice' },
  }

  await vault.withKey('fluree-user', ['s1'], async (key) => {
    const signer = asDidSigner(key) // id: did:key:z6Mk…#z6Mk…
    // 1. kid = the did:key URL: the server resolves the key from the DID.
    const byKid = await signCompact(signer, JSON.stringify(query))
    const publicJwk = { kty: 'OKP', crv: 'Ed25519', x: (key.publicJwk as { x: string }).x } as const
    const checked = await jose.compactVerify(byKid, await jose.importJWK(publicJwk, 'EdDSA'))
    if (checked.protectedHeader.kid !== signer.id) throw new Error('kid is not the did:key URL')
    if (JSON.parse(new TextDecoder().decode(checked.payload)).from !== query.from)
      throw new Error('query payload changed')

    // 2. The public JWK in the header, no kid: what Fluree's verifier (header.jwk) reads.
    const byJwk = await signCompact(signer, JSON.stringify(transaction), {
      protectedHeader: { jwk: publicJwk },
      includeKid: false,
    })
    const embedded = await jose.compactVerify(byJwk, jose.EmbeddedJWK)
    if (embedded.protectedHeader.kid !== undefined) throw new Error('unexpected kid')

    // 3. A credential-wrapped transaction: Ed25519Signature2020, proof purpose authentication.
    const vc = await new DataIntegritySigner(signer).sign(
      {
        '@context': [
          'https://www.w3.org/2018/credentials/v1',
          'https://w3id.org/security/suites/ed25519-2020/v1',
        ],
        type: ['VerifiableCredential'],
        issuer: signer.id.split('#')[0],
        issuanceDate: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        credentialSubject: {
          '@id': 'urn:fluree:tx',
          'https://ns.flur.ee/ledger#tx': JSON.stringify(transaction),
        },
      },
      { cryptosuite: 'Ed25519Signature2020', proofPurpose: 'authentication' },
    )
    const proof = vc.proof as { type: string; proofPurpose: string }
    if (proof.type !== 'Ed25519Signature2020' || proof.proofPurpose !== 'authentication')
      throw new Error('wrong proof')
    // A Fluree server checks the proof for its purpose: authentication, not assertionMethod.
    const result = await verify(vc, {
      handlers: [dataIntegrityHandler({ proofPurpose: 'authentication' })],
    })
    if (!result.verified) throw new Error(`VC did not verify: ${JSON.stringify(result.errors)}`)
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await flureeRecipe()
  console.log('fluree recipe: ok')
}
