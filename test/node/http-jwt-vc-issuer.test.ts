// GET /.well-known/jwt-vc-issuer: SD-JWT VC issuer metadata (draft-ietf-oauth-sd-jwt-vc, "JWT VC
// Issuer Metadata") from the handler, with a real openssl CA for the certificate chain: jose reads
// the served `jwks` as a remote JWKS and verifies a JWT the vault key signed; the key with a chain
// carries its x5c, and a key without one does not.
import { X509Certificate } from 'node:crypto'
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  CredsignError,
  JwtVcSigner,
  KeyVault,
  MemoryStore,
  createCertificateSigningRequest,
} from '../../src/index.js'
import { createHandler } from '../../src/http/index.js'
import { CHEAP_KDF } from '../core/vault-helpers.js'
import { OpensslCa, type CaCert } from './fixtures/openssl-ca.js'

const ISSUER = 'https://issuer.example'
const KEY = 'did:web:issuer.example#key-1'
const PLAIN = 'did:web:issuer.example#key-2'
const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(3),
  kdf: CHEAP_KDF,
})
let intermediate: CaCert
let leaf: CaCert

beforeAll(async () => {
  const ca = new OpensslCa()
  const root = ca.root()
  intermediate = ca.intermediate('int', root)
  await vault.generate({ id: KEY, algorithm: 'P-256', secrets: ['s1'] })
  await vault.generate({ id: PLAIN, algorithm: 'Ed25519', secrets: ['s1'] })
  const csr = await vault.withKey(KEY, ['s1'], (signer) =>
    createCertificateSigningRequest(signer, { subject: { commonName: 'issuer.example' } }),
  )
  leaf = ca.signCsr('leaf', ca.write('leaf.csr', csr.pem), intermediate, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
  ])
  await vault.attachCertificateChain(KEY, ['s1'], leaf.pem + intermediate.pem)
})

const get = (handler: (r: Request) => Promise<Response>, path: string) =>
  handler(new Request(`https://issuer.example${path}`))

describe('GET /.well-known/jwt-vc-issuer', () => {
  it('without jwtVcIssuer: 404 route_not_found', async () => {
    const handler = createHandler({ vault, auth: { disabled: true } })
    const reply = await get(handler, '/.well-known/jwt-vc-issuer')
    expect(reply.status).toBe(404)
    expect((await reply.json()).code).toBe('route_not_found')
  })

  it('serves { issuer, jwks } publicly and cacheably; jose verifies a vault JWT through the jwks; x5c only on the key with a chain', async () => {
    const handler = createHandler({
      vault,
      auth: { bearerTokens: ['a-long-enough-bearer-token'] },
      jwtVcIssuer: ISSUER,
    })
    const reply = await get(handler, '/.well-known/jwt-vc-issuer')
    expect(reply.status).toBe(200)
    expect(reply.headers.get('cache-control')).toBe('public, max-age=300')
    const metadata = (await reply.json()) as {
      issuer: string
      jwks: { keys: { kid?: string; x5c?: string[]; d?: string }[] }
    }
    expect(metadata.issuer).toBe(ISSUER)
    const withChain = metadata.jwks.keys.find((k) => k.kid === KEY)
    expect(withChain?.x5c).toEqual([leaf.x5c, intermediate.x5c])
    // RFC 7517 §4.7: the first certificate holds the JWK's key.
    const leafKey = new X509Certificate(leaf.pem).publicKey.export({ format: 'jwk' })
    expect(withChain).toMatchObject({ kty: 'EC', crv: 'P-256', x: leafKey.x, y: leafKey.y })
    expect(metadata.jwks.keys.find((k) => k.kid === PLAIN)).not.toHaveProperty('x5c')
    expect(metadata.jwks.keys.every((k) => k.d === undefined)).toBe(true)

    // A verifier: fetch the metadata, check `issuer`, and use its `jwks` as a remote key set.
    const jwks = createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwt-vc-issuer`), {
      [customFetch]: async (url: string) => {
        const body = (await (await get(handler, new URL(url).pathname)).json()) as typeof metadata
        if (body.issuer !== ISSUER) throw new Error('issuer mismatch')
        return Response.json(body.jwks)
      },
    })
    const jwt = await vault.withKey(KEY, ['s1'], (signer) =>
      new JwtVcSigner(signer).sign(
        {
          '@context': ['https://www.w3.org/ns/credentials/v2'],
          type: ['VerifiableCredential'],
          issuer: ISSUER,
          credentialSubject: { id: 'did:example:subject' },
        },
        { x5c: true, allowIssuerMismatch: true },
      ),
    )
    expect(decodeProtectedHeader(jwt).kid).toBe(KEY)
    const verified = await jwtVerify(jwt, jwks, { issuer: ISSUER })
    expect(verified.protectedHeader.x5c).toEqual([leaf.x5c, intermediate.x5c])
  })

  it('an issuer with a path is served below the well-known segment, and only there', async () => {
    const handler = createHandler({
      vault,
      auth: { disabled: true },
      jwtVcIssuer: `${ISSUER}/tenant`,
    })
    const reply = await get(handler, '/.well-known/jwt-vc-issuer/tenant')
    expect(reply.status).toBe(200)
    expect((await reply.json()).issuer).toBe(`${ISSUER}/tenant`)
    expect((await get(handler, '/.well-known/jwt-vc-issuer')).status).toBe(404)
    expect((await get(handler, '/.well-known/jwt-vc-issuer/other')).status).toBe(404)
  })

  it('createHandler refuses an issuer that is not an https URL, or with jwks: false', () => {
    for (const jwtVcIssuer of [
      'http://issuer.example',
      'issuer.example',
      'https://issuer.example/a/b',
      'https://issuer.example/?q=1',
      'https://issuer.example/#f',
      'https://user:pw@issuer.example',
      42 as unknown as string,
    ])
      expect(
        () => createHandler({ vault, auth: { disabled: true }, jwtVcIssuer }),
        jwtVcIssuer,
      ).toThrow(CredsignError)
    expect(() =>
      createHandler({ vault, auth: { disabled: true }, jwtVcIssuer: ISSUER, jwks: false }),
    ).toThrow(CredsignError)
  })

  it('/openapi.json lists it, public, only when configured', async () => {
    const paths = async (handler: (r: Request) => Promise<Response>) =>
      (
        (await (await get(handler, '/openapi.json')).json()) as {
          paths: Record<string, Record<string, unknown>>
        }
      ).paths
    const listed = await paths(
      createHandler({ vault, auth: { disabled: true }, jwtVcIssuer: ISSUER }),
    )
    expect(listed['/.well-known/jwt-vc-issuer']?.get).toMatchObject({ security: [] })
    const tenant = await paths(
      createHandler({ vault, auth: { disabled: true }, jwtVcIssuer: `${ISSUER}/tenant` }),
    )
    expect(tenant).toHaveProperty(['/.well-known/jwt-vc-issuer/tenant'])
    expect(await paths(createHandler({ vault, auth: { disabled: true } }))).not.toHaveProperty([
      '/.well-known/jwt-vc-issuer',
    ])
  })
})
