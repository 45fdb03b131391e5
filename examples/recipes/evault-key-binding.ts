// Recipe: eVault key binding certificates (issue 17). The Registry signs `{ ename, publicKey }`
// (ES256, kid `entropy-key-1`, valid 1 h), where `publicKey` is eVault's `z` + hex-of-SPKI string of
// the device key; the JWKS credsign serves publishes the Registry key under that kid, and jose's
// createRemoteJWKSet verifies the certificate against it, as eVault clients do.
// Run: npm run build && TSX_TSCONFIG_PATH=examples/tsconfig.json node --import tsx examples/recipes/evault-key-binding.ts
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as jose from 'jose'
import {
  evaultPublicKeyFromJwk,
  jwkFromEvaultPublicKey,
  KeyVault,
  MemoryStore,
  signJwt,
} from 'credsign'
import { createHandler, toNodeListener } from 'credsign/http'

export async function evaultKeyBindingRecipe(): Promise<void> {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
  })
  await vault.generate({ id: 'registry', algorithm: 'P-256', secrets: ['registry-secret'] })
  // The device key, under the eName's key id (eNames start with @).
  await vault.generate({ id: '@user.w3id#device-1', algorithm: 'P-256', secrets: ['device'] })
  const devicePublicKey = evaultPublicKeyFromJwk(
    (await vault.publicKey('@user.w3id#device-1')).current.publicJwk,
  ) // 'z3059301306072a8648ce3d0201…'

  const handler = createHandler({
    vault,
    auth: { bearerTokens: [crypto.randomUUID() + crypto.randomUUID()] },
    jwksAliases: { 'entropy-key-1': 'registry' },
  })
  const server = createServer(toNodeListener(handler))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const certificate = await vault.withKey('registry', ['registry-secret'], (signer) =>
      signJwt(
        signer,
        { ename: '@user.w3id', publicKey: devicePublicKey },
        { protectedHeader: { kid: 'entropy-key-1' }, expiresIn: 3600 },
      ),
    )
    const port = (server.address() as AddressInfo).port
    const jwks = jose.createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`))
    const { payload, protectedHeader } = await jose.jwtVerify(certificate, jwks, {
      algorithms: ['ES256'],
    })
    if (protectedHeader.kid !== 'entropy-key-1') throw new Error('wrong kid')
    if ((payload.exp as number) - (payload.iat as number) !== 3600) throw new Error('not 1 h')
    const bound = jwkFromEvaultPublicKey(payload.publicKey as string) as { x?: string }
    const device = (await vault.publicKey('@user.w3id#device-1')).current.publicJwk as {
      x?: string
    }
    if (bound.x !== device.x) throw new Error('the certificate binds another key')
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await evaultKeyBindingRecipe()
  console.log('evault key binding recipe: ok')
}
