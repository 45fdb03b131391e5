import { beforeAll, describe, expect, it } from 'vitest'
import {
  CredsignError,
  KEY_BINDING_TYP,
  KeyVault,
  MemoryStore,
  generateKeyPair,
  signJwt,
  signKeyBinding,
  verifyJws,
  verifyKeyBinding,
  type Jwks,
  type KeyResolver,
  type PublicJwk,
} from '../../src/index.js'
import { fromB64u } from '../../src/util/bytes.js'
import { expectCode } from './keys-helpers.js'
import { testKey, type TestKey } from './jose-helpers.js'

const NOW = Date.UTC(2030, 0, 1)
const T = NOW / 1000
const clock = (): number => NOW
const decode = (segment: string): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(fromB64u(segment))) as Record<string, unknown>

let vault: KeyVault
let registryJwks: Jwks
let device: PublicJwk
let stranger: TestKey

/** Issues a certificate with the vault's registry key (a P-256 key that never leaves the vault). */
function issue(options: Partial<Parameters<typeof signKeyBinding>[1]> = {}): Promise<string> {
  return vault.withKey('registry-key-1', ['s1', 's2'], (signer) =>
    signKeyBinding(signer, {
      subject: '@user.w3id',
      publicKey: device,
      expiresIn: 3600,
      kid: signer.publicJwk.kid as string,
      now: clock,
      ...options,
    }),
  )
}

beforeAll(async () => {
  vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
  })
  await vault.generate({ id: 'registry-key-1', algorithm: 'P-256', secrets: ['s1', 's2'] })
  await vault.generate({ id: 'other-key', algorithm: 'Ed25519', secrets: ['s1', 's2'] })
  registryJwks = await vault.jwks()
  device = (await generateKeyPair('P-256')).publicJwk
  stranger = await testKey('P-256', 'stranger')
}, 60_000)

describe('key binding JWT (eVault pattern)', () => {
  it('issues sub + cnf.jwk + iat + exp, typ kb-cert+jwt, ES256', async () => {
    const jwt = await issue({
      issuer: 'https://registry.example',
      audience: 'https://evault.example',
    })
    const [h, p] = jwt.split('.') as [string, string]
    expect(decode(h)).toEqual({
      alg: 'ES256',
      kid: registryJwks.keys.find((k) => k.kty === 'EC')?.kid,
      typ: KEY_BINDING_TYP,
    })
    expect(decode(p)).toEqual({
      iss: 'https://registry.example',
      sub: '@user.w3id',
      aud: 'https://evault.example',
      cnf: { jwk: device },
      iat: T,
      exp: T + 3600,
    })
  })

  it('verifies against the registry JWKS (matched by kid) and returns the bound key', async () => {
    const jwt = await issue({ issuer: 'https://registry.example' })
    const binding = await verifyKeyBinding(jwt, {
      jwks: registryJwks,
      issuer: 'https://registry.example',
      subject: '@user.w3id',
      now: NOW,
    })
    expect(binding.subject).toBe('@user.w3id')
    expect(binding.publicJwk).toEqual(device)
    expect(binding.expiresAt).toBe(T + 3600)
    expect(binding.issuedAt).toBe(T)
    expect(binding.issuer).toBe('https://registry.example')
    expect(binding.issuerKey.publicJwk.kid).toBe(decode(jwt.split('.')[0] as string).kid)
  })

  it('without kid: every JWKS key of the fitting type is tried, never use: enc keys', async () => {
    const jwt = await vault.withKey('registry-key-1', ['s1', 's2'], (signer) =>
      signJwt(
        signer,
        { sub: 'bob', cnf: { jwk: device } },
        { typ: KEY_BINDING_TYP, includeKid: false, expiresIn: 60, now: clock },
      ),
    )
    const registry = registryJwks.keys.find((k) => k.kty === 'EC') as PublicJwk
    const binding = await verifyKeyBinding(jwt, {
      jwks: { keys: [stranger.publicJwk, registry] },
      now: NOW,
    })
    expect(binding.subject).toBe('bob')
    await expectCode(
      () =>
        verifyKeyBinding(jwt, {
          jwks: { keys: [stranger.publicJwk, { ...registry, use: 'enc' as never }] },
          now: NOW,
        }),
      'signature_invalid',
    )
  })

  it('an expired binding fails with expired', async () => {
    const jwt = await issue({ expiresIn: 60 })
    await expect(
      verifyKeyBinding(jwt, { jwks: registryJwks, now: NOW + 30_000 }),
    ).resolves.toBeTruthy()
    await expectCode(
      () => verifyKeyBinding(jwt, { jwks: registryJwks, now: NOW + 121_000 }),
      'expired',
    )
    await expect(
      verifyKeyBinding(jwt, { jwks: registryJwks, now: NOW + 121_000, clockToleranceSeconds: 120 }),
    ).resolves.toBeTruthy()
  })

  it('one signed by a key outside the JWKS fails with key_not_found (unknown kid) or signature_invalid (kid reused)', async () => {
    const foreign = await signKeyBinding(stranger.signer, {
      subject: '@user.w3id',
      publicKey: device,
      expiresIn: 3600,
      now: clock,
    })
    await expectCode(
      () => verifyKeyBinding(foreign, { jwks: registryJwks, now: NOW }),
      'key_not_found',
    )
    const registryKid = registryJwks.keys.find((k) => k.kty === 'EC')?.kid as string
    const forged = await signKeyBinding(stranger.signer, {
      subject: '@user.w3id',
      publicKey: device,
      expiresIn: 3600,
      now: clock,
      kid: registryKid,
    })
    await expectCode(
      () => verifyKeyBinding(forged, { jwks: registryJwks, now: NOW }),
      'signature_invalid',
    )
  })

  it('claims and type are enforced', async () => {
    const noExp = await vault.withKey('registry-key-1', ['s1', 's2'], (signer) =>
      signJwt(
        signer,
        { sub: 'a', cnf: { jwk: device } },
        { typ: KEY_BINDING_TYP, protectedHeader: { kid: signer.publicJwk.kid }, now: clock },
      ),
    )
    await expectCode(
      () => verifyKeyBinding(noExp, { jwks: registryJwks, now: NOW }),
      'claim_invalid',
    )
    const badCnf = await vault.withKey('registry-key-1', ['s1', 's2'], (signer) =>
      signJwt(
        signer,
        { sub: 'a', cnf: { jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } } },
        {
          typ: KEY_BINDING_TYP,
          expiresIn: 60,
          protectedHeader: { kid: signer.publicJwk.kid },
          now: clock,
        },
      ),
    )
    await expectCode(
      () => verifyKeyBinding(badCnf, { jwks: registryJwks, now: NOW }),
      'claim_invalid',
    )
    const privateCnf = await vault.withKey('registry-key-1', ['s1', 's2'], (signer) =>
      signJwt(
        signer,
        { sub: 'a', cnf: { jwk: { ...device, d: 'AAAA' } } },
        {
          typ: KEY_BINDING_TYP,
          expiresIn: 60,
          protectedHeader: { kid: signer.publicJwk.kid },
          now: clock,
        },
      ),
    )
    await expectCode(
      () => verifyKeyBinding(privateCnf, { jwks: registryJwks, now: NOW }),
      'claim_invalid',
    )
    const sdJwtKb = await vault.withKey('registry-key-1', ['s1', 's2'], (signer) =>
      signJwt(
        signer,
        { sub: 'a', cnf: { jwk: device } },
        {
          typ: 'kb+jwt',
          expiresIn: 60,
          protectedHeader: { kid: signer.publicJwk.kid },
          now: clock,
        },
      ),
    )
    await expectCode(
      () => verifyKeyBinding(sdJwtKb, { jwks: registryJwks, now: NOW }),
      'typ_mismatch',
    )
    const jwt = await issue()
    await expectCode(
      () => verifyKeyBinding(jwt, { jwks: registryJwks, now: NOW, subject: '@mallory.w3id' }),
      'claim_invalid',
    )
    await expectCode(
      () =>
        verifyKeyBinding(jwt, { jwks: registryJwks, now: NOW, issuer: 'https://registry.example' }),
      'issuer_mismatch',
    )
    await expectCode(
      () =>
        verifyKeyBinding(jwt, { jwks: registryJwks, now: NOW, audience: 'https://evault.example' }),
      'audience_mismatch',
    )
    await expectCode(
      () => verifyKeyBinding(jwt, { jwks: registryJwks, now: NOW, algorithms: ['EdDSA'] }),
      'algorithm_not_allowed',
    )
  })

  it('a resolver works as the trust anchor too; one of jwks/resolver is required', async () => {
    const jwt = await issue()
    const registry = registryJwks.keys.find((k) => k.kty === 'EC') as PublicJwk
    const resolver: KeyResolver = {
      async resolveKey(reference) {
        if (reference !== registry.kid) throw new CredsignError('key_not_found', 'unknown')
        return { id: reference, controller: 'https://registry.example', publicJwk: registry }
      },
    }
    expect((await verifyKeyBinding(jwt, { resolver, now: NOW })).issuerKey.controller).toBe(
      'https://registry.example',
    )
    await expectCode(() => verifyKeyBinding(jwt, { now: NOW }), 'invalid_argument')
    await expectCode(
      () => verifyKeyBinding(jwt, { jwks: registryJwks, resolver, now: NOW }),
      'invalid_argument',
    )
  })

  it('signing refuses a private key, a missing subject and a missing or bad lifetime', async () => {
    const signer = stranger.signer
    await expectCode(
      () =>
        signKeyBinding(signer, {
          subject: 'a',
          publicKey: { ...device, d: 'AAAA' } as unknown as PublicJwk,
          expiresIn: 60,
        }),
      'invalid_argument',
    )
    await expectCode(
      () => signKeyBinding(signer, { subject: '', publicKey: device, expiresIn: 60 }),
      'invalid_argument',
    )
    await expectCode(
      () => signKeyBinding(signer, { subject: 'a', publicKey: device } as never),
      'invalid_argument',
    )
    await expectCode(
      () => signKeyBinding(signer, { subject: 'a', publicKey: device, expiresIn: 0 }),
      'invalid_argument',
    )
    await expectCode(
      () =>
        signKeyBinding(signer, {
          subject: 'a',
          publicKey: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' },
          expiresIn: 60,
        }),
      'invalid_key',
    )
  })

  it('signing refuses a bound key whose alg is for another key type (cnf.jwk would drop it)', async () => {
    for (const alg of ['EdDSA', 'RS256', 'ES384'])
      await expectCode(
        () =>
          signKeyBinding(stranger.signer, {
            subject: 'a',
            publicKey: { ...device, alg } as PublicJwk,
            expiresIn: 60,
          }),
        'invalid_key',
      )
  })

  it('the certificate is an ordinary JWS too', async () => {
    const jwt = await issue()
    const { payload } = await verifyJws(jwt, { jwks: registryJwks })
    expect(JSON.parse(new TextDecoder().decode(payload)).sub).toBe('@user.w3id')
  })
})
