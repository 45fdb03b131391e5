// Recipe: FIWARE VCVerifier (issue 17). The verifier signs its access tokens and its OpenID4VP
// request objects (`typ: oauth-authz-req+jwt`) with a vault key, ES256 or RS256; jose checks each,
// typ included. Then it verifies an incoming SD-JWT presentation with the nonce and audience of
// its request, and an incoming JSON-LD (Data Integrity) presentation the same way.
// Run: npm run build && TSX_TSCONFIG_PATH=examples/tsconfig.json node --import tsx examples/recipes/vcverifier.ts
import * as jose from 'jose'
import {
  asDidSigner,
  KeyVault,
  MemoryStore,
  presentSdJwt,
  SdJwtVcSigner,
  signJwt,
  verify,
} from 'credsign'
import { DataIntegritySigner, dataIntegrityHandler } from 'credsign/data-integrity'

export async function vcverifierRecipe(): Promise<void> {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
  })
  await vault.generate({ id: 'verifier-es256', algorithm: 'P-256', secrets: ['s'] })
  await vault.generate({ id: 'verifier-rs256', algorithm: 'RS256', secrets: ['s'] })
  const nonce = crypto.randomUUID()
  const audience = 'x509_san_dns:verifier.example'

  for (const [id, alg] of [
    ['verifier-es256', 'ES256'],
    ['verifier-rs256', 'RS256'],
  ] as const) {
    const publicKey = await jose.importJWK(
      (await vault.publicKey(id)).current.publicJwk as jose.JWK,
      alg,
    )
    const [token, requestObject] = await vault.withKey(id, ['s'], (signer) =>
      Promise.all([
        signJwt(
          signer,
          {
            iss: 'https://verifier.example',
            sub: 'did:key:holder',
            aud: 'https://api.example',
            scope: 'openid',
          },
          { typ: 'JWT', expiresIn: 3600, jwtId: true },
        ),
        signJwt(
          signer,
          {
            iss: 'verifier.example',
            client_id: audience,
            response_type: 'vp_token',
            response_mode: 'direct_post',
            response_uri: 'https://verifier.example/api/v1/response',
            nonce,
            state: crypto.randomUUID(),
            dcql_query: { credentials: [{ id: 'pid', format: 'dc+sd-jwt' }] },
          },
          { typ: 'oauth-authz-req+jwt', expiresIn: 300 },
        ),
      ]),
    )
    const access = await jose.jwtVerify(token, publicKey, {
      algorithms: [alg],
      audience: 'https://api.example',
    })
    if (access.protectedHeader.alg !== alg) throw new Error('wrong alg')
    const request = await jose.jwtVerify(requestObject, publicKey, {
      algorithms: [alg],
      typ: 'oauth-authz-req+jwt',
    })
    if (request.payload.nonce !== nonce) throw new Error('nonce lost')
  }

  // An incoming SD-JWT presentation, bound to the request's nonce and audience (the issuer signs
  // as its did:key, which the verifier resolves offline).
  await vault.generate({ id: 'issuer', algorithm: 'P-256', secrets: ['i'] })
  await vault.generate({ id: 'holder', algorithm: 'P-256', secrets: ['h'] })
  const holderJwk = (await vault.publicKey('holder')).current.publicJwk
  const issued = await vault.withKey('issuer', ['i'], (signer) =>
    new SdJwtVcSigner(asDidSigner(signer)).issue(
      { vct: 'https://credentials.example/pid', given_name: 'Alice', family_name: 'Doe' },
      { disclosureFrame: { _sd: ['given_name', 'family_name'] }, holder: holderJwk },
    ),
  )
  const presented = await vault.withKey('holder', ['h'], (holder) =>
    presentSdJwt(issued, { disclose: { _sd: ['given_name'] }, holder, audience, nonce }),
  )
  const result = await verify(presented, { nonce, audience })
  if (!result.verified)
    throw new Error(`presentation did not verify: ${JSON.stringify(result.errors)}`)
  const replayed = await verify(presented, { nonce: 'another nonce', audience })
  if (replayed.verified) throw new Error('a presentation for another nonce verified')

  // An incoming JSON-LD presentation (Data Integrity, authentication, challenge = nonce, domain =
  // audience), checked the same way.
  const vp = await vault.withKey('holder', ['h'], (holder) =>
    new DataIntegritySigner(asDidSigner(holder)).sign(
      {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiablePresentation'],
        holder: asDidSigner(holder).id.split('#')[0],
      },
      { challenge: nonce, domain: audience },
    ),
  )
  const handlers = [dataIntegrityHandler()]
  const jsonLd = await verify(vp, { nonce, audience, handlers })
  if (!jsonLd.verified)
    throw new Error(`JSON-LD VP did not verify: ${JSON.stringify(jsonLd.errors)}`)
  if ((await verify(vp, { nonce, audience: 'https://elsewhere.example', handlers })).verified)
    throw new Error('a JSON-LD presentation for another audience verified')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await vcverifierRecipe()
  console.log('vcverifier recipe: ok')
}
