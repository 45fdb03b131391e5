// eVault (issue 17, item 3): its public-key string (`z` + hex of the SPKI DER) both ways, and key
// binding certificates (ES256, kid `entropy-key-1`, 1 h) that jose's createRemoteJWKSet verifies
// against the JWKS a real credsign server publishes.
import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CredsignError,
  evaultPublicKeyFromJwk,
  jwkFromEvaultPublicKey,
  KeyVault,
  MemoryStore,
  signJwt,
} from '../../src/index.js'
import { createHandler, toNodeListener } from '../../src/http/index.js'

describe('the eVault public-key string', () => {
  it('is z + the hex of the SPKI DER, as node:crypto exports it, and reads back', async () => {
    for (const [type, options] of [
      ['ec', { namedCurve: 'P-256' }],
      ['ed25519', {}],
    ] as const) {
      const { publicKey } = generateKeyPairSync(type as 'ec', options as { namedCurve: string })
      const spkiHex = publicKey.export({ format: 'der', type: 'spki' }).toString('hex')
      const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>
      const made = evaultPublicKeyFromJwk(jwk as never)
      expect(made).toBe(`z${spkiHex}`)
      const read = jwkFromEvaultPublicKey(`z${spkiHex}`) as unknown as Record<string, string>
      expect([read.x, read.y]).toEqual([jwk.x, jwk.y])
    }
    const p256 = evaultPublicKeyFromJwk(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
        format: 'jwk',
      }) as never,
    )
    // The prefix in eVault's documentation.
    expect(p256.startsWith('z3059301306072a8648ce3d020106082a8648ce3d03010703420004')).toBe(true)
    // Upper-case hex reads too; node:crypto agrees on the key.
    const upper = `z${p256.slice(1).toUpperCase()}`
    const node = createPublicKey({
      key: Buffer.from(upper.slice(1), 'hex'),
      format: 'der',
      type: 'spki',
    })
    expect((jwkFromEvaultPublicKey(upper) as { x?: string }).x).toBe(
      node.export({ format: 'jwk' }).x,
    )
  })

  it('refuses what is not one: a base58 Multikey, odd length, other digits, no z, a truncated SPKI', () => {
    const good = evaultPublicKeyFromJwk(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
        format: 'jwk',
      }) as never,
    )
    for (const bad of [
      'zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169',
      good.slice(0, -1),
      `${good.slice(0, -2)}zz`,
      good.slice(1),
      good.slice(0, 41),
      'z',
      `z${'00'.repeat(5000)}`,
    ]) {
      let error: unknown
      try {
        jwkFromEvaultPublicKey(bad)
      } catch (e) {
        error = e
      }
      expect(CredsignError.is(error), bad.slice(0, 20)).toBe(true)
    }
  })
})

describe('key binding certificates verified through the served JWKS', () => {
  let server: Server
  let jwksUrl: URL
  let vault: KeyVault

  beforeAll(async () => {
    vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    })
    await vault.generate({ id: 'registry', algorithm: 'P-256', secrets: ['r'] })
    await vault.generate({ id: '@user.w3id#device-1', algorithm: 'P-256', secrets: ['d'] })
    const handler = createHandler({
      vault,
      auth: { bearerTokens: ['a-long-random-token-0123456789'] },
      jwksAliases: { 'entropy-key-1': 'registry' },
    })
    server = createServer(toNodeListener(handler))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    jwksUrl = new URL(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    )
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  const certificate = (kid: string) =>
    vault.withKey('registry', ['r'], async (signer) => {
      const device = (await vault.publicKey('@user.w3id#device-1')).current.publicJwk
      return signJwt(
        signer,
        { ename: '@user.w3id', publicKey: evaultPublicKeyFromJwk(device) },
        { protectedHeader: { kid }, expiresIn: 3600 },
      )
    })

  it('an ES256 certificate with kid entropy-key-1 verifies with createRemoteJWKSet, for 1 h', async () => {
    const jwt = await certificate('entropy-key-1')
    const { payload, protectedHeader } = await jose.jwtVerify(
      jwt,
      jose.createRemoteJWKSet(jwksUrl),
      {
        algorithms: ['ES256'],
      },
    )
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: 'entropy-key-1' })
    expect(payload.ename).toBe('@user.w3id')
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600)
    const device = (await vault.publicKey('@user.w3id#device-1')).current.publicJwk
    const bound = jwkFromEvaultPublicKey(payload.publicKey as string) as { x?: string }
    expect(bound.x).toBe((device as { x?: string }).x)
  })

  it('a kid nobody published does not verify; vault.jwks() carries the alias too', async () => {
    const jwt = await certificate('entropy-key-2')
    await expect(jose.jwtVerify(jwt, jose.createRemoteJWKSet(jwksUrl))).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    })
    const jwks = await vault.jwks({ aliases: { 'entropy-key-1': 'registry' } })
    const alias = jwks.keys.find((k) => k.kid === 'entropy-key-1')
    expect(alias).toBeDefined()
    expect(
      jwks.keys.filter((k) => (k as { x?: string }).x === (alias as { x?: string }).x),
    ).toHaveLength(2)
  })

  it('refuses aliases that could shadow another key’s kid', async () => {
    for (const alias of ['did:web:x.example#k', 'A'.repeat(43), '', 'has space']) {
      await expect(vault.jwks({ aliases: { [alias]: 'registry' } })).rejects.toMatchObject({
        code: 'invalid_argument',
      })
      expect(() =>
        createHandler({ vault, auth: { disabled: true }, jwksAliases: { [alias]: 'registry' } }),
      ).toThrow(CredsignError)
    }
  })
})
