// A JWK's `alg` (RFC 7517 section 4.4) is the algorithm the key is for: one of another key type is
// refused at every JWK import (keyAlgorithmFromJwk, importPrivateKey, KeyVault.import: invalid_key)
// and by every conversion of a public JWK into another form (SPKI, Multikey, did:key, did:jwk,
// verification methods, toPublicJwk), which would otherwise drop the `alg` and with it the
// contradiction; one of the key's own is honoured. jose's importJWK is the reference verdict for
// every pair. Resolvers stay lenient, so that verification answers as before: JOSE key selection
// and Data Integrity refuse such a key, algorithm_not_allowed (differential-did-document.test.ts).
import { generateKeyPairSync } from 'node:crypto'
import { calculateJwkThumbprint, importJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  CredsignError,
  KeyVault,
  MemoryStore,
  didJwkFromJwk,
  didKeyFromJwk,
  evaultPublicKeyFromJwk,
  importPrivateKey,
  jwkFromDidJwk,
  jwkThumbprint,
  keyAlgorithmFromJwk,
  multikeyFromJwk,
  spkiFromJwk,
  spkiPemFromJwk,
  staticResolver,
  toPublicJwk,
  verificationMethod,
  type KeyAlgorithm,
  type PrivateJwk,
  type PublicJwk,
} from 'credsign'

type KeyName = 'RSA' | 'P-256' | 'P-384' | 'P-521' | 'Ed25519'

function privateJwkOf(name: KeyName): PrivateJwk {
  const { privateKey } =
    name === 'RSA'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : name === 'Ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: name })
  return privateKey.export({ format: 'jwk' }) as unknown as PrivateJwk
}

const KEYS = Object.fromEntries(
  (['RSA', 'P-256', 'P-384', 'P-521', 'Ed25519'] as const).map((name) => [
    name,
    privateJwkOf(name),
  ]),
) as Record<KeyName, PrivateJwk>

function publicOf(jwk: PrivateJwk): PrivateJwk {
  const {
    d: _d,
    p: _p,
    q: _q,
    dp: _dp,
    dq: _dq,
    qi: _qi,
    ...rest
  } = jwk as unknown as Record<string, unknown>
  return rest as unknown as PrivateJwk
}

/** Contradictory pairs: the alg names a signature algorithm of another key. */
const CONTRADICTORY: [KeyName, string][] = [
  ['RSA', 'ES256'],
  ['RSA', 'EdDSA'],
  ['RSA', 'Ed25519'],
  ['RSA', 'ESP256'],
  ['P-256', 'RS256'],
  ['P-256', 'PS256'],
  ['P-256', 'ES384'],
  ['P-256', 'EdDSA'],
  ['P-384', 'ES256'],
  ['P-521', 'ESP384'],
  ['Ed25519', 'ES256'],
  ['Ed25519', 'RS256'],
  ['P-256', 'HS256'],
]

/** Consistent pairs, with the key algorithm the alg selects. */
const CONSISTENT: [KeyName, string, KeyAlgorithm][] = [
  ['RSA', 'RS256', 'RS256'],
  ['RSA', 'PS256', 'RSA-PSS'],
  ['RSA', 'PS384', 'PS384'],
  ['RSA', 'RS512', 'RS512'],
  ['P-256', 'ES256', 'P-256'],
  ['P-256', 'ESP256', 'P-256'],
  ['P-384', 'ES384', 'P-384'],
  ['P-521', 'ES512', 'P-521'],
  ['Ed25519', 'EdDSA', 'Ed25519'],
  ['Ed25519', 'Ed25519', 'Ed25519'],
]

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run()
  } catch (error) {
    if (error instanceof CredsignError) return error.code
    throw error
  }
  return 'resolved'
}

async function joseAccepts(jwk: PrivateJwk): Promise<boolean> {
  try {
    await importJWK(jwk as never)
    return true
  } catch {
    return false
  }
}

const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: 'service-secret-for-tests-only-0123456789abcdef',
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
let vaultIds = 0

describe('a JWK whose alg is for another key type is refused at every import', () => {
  for (const [name, alg] of CONTRADICTORY) {
    it(`${name} JWK with alg ${alg}`, async () => {
      const jwk = { ...KEYS[name], alg } as PrivateJwk
      expect(await joseAccepts(jwk)).toBe(false)
      expect(await joseAccepts({ ...publicOf(jwk) })).toBe(false)
      expect(await codeOf(() => keyAlgorithmFromJwk(jwk))).toBe('invalid_key')
      expect(await codeOf(() => importPrivateKey({ jwk }))).toBe('invalid_key')
      expect(
        await codeOf(() => vault.import({ id: `c${vaultIds++}`, secrets: ['s'], key: { jwk } })),
      ).toBe('invalid_key')
    })
  }
})

describe('a JWK whose alg is one of its key is imported under that algorithm', () => {
  for (const [name, alg, algorithm] of CONSISTENT) {
    it(`${name} JWK with alg ${alg} → ${algorithm}`, async () => {
      const jwk = { ...KEYS[name], alg } as PrivateJwk
      // jose 6 knows no RFC 9864 ESP256, so it has no verdict on that pair.
      if (alg !== 'ESP256') expect(await joseAccepts(jwk)).toBe(true)
      expect(keyAlgorithmFromJwk(jwk)).toBe(algorithm)
      expect((await importPrivateKey({ jwk })).algorithm).toBe(algorithm)
      const info = await vault.import({ id: `k${vaultIds++}`, secrets: ['s'], key: { jwk } })
      expect(info.current.algorithm).toBe(algorithm)
    })
  }
})

/** Every conversion of a public JWK credsign offers, each a function of the JWK. */
const CONVERSIONS: [string, (jwk: PublicJwk) => unknown][] = [
  ['spkiFromJwk', (jwk) => spkiFromJwk(jwk)],
  ['spkiPemFromJwk', (jwk) => spkiPemFromJwk(jwk)],
  ['evaultPublicKeyFromJwk', (jwk) => evaultPublicKeyFromJwk(jwk)],
  ['multikeyFromJwk', (jwk) => multikeyFromJwk(jwk)],
  ['didKeyFromJwk', (jwk) => didKeyFromJwk(jwk)],
  ['didJwkFromJwk', (jwk) => didJwkFromJwk(jwk)],
  ['toPublicJwk', (jwk) => toPublicJwk(jwk)],
  [
    'verificationMethod (Multikey)',
    (jwk) => verificationMethod(jwk, { id: 'did:example:a#k', controller: 'did:example:a' }),
  ],
  [
    'verificationMethod (JsonWebKey)',
    (jwk) =>
      verificationMethod(jwk, {
        id: 'did:example:a#k',
        controller: 'did:example:a',
        type: 'JsonWebKey',
      }),
  ],
  [
    'jwkFromDidJwk (the JWK a did:jwk encodes)',
    (jwk) => jwkFromDidJwk(`did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`),
  ],
]

describe('a public JWK whose alg is for another key type is refused by every conversion', () => {
  for (const [name, alg] of CONTRADICTORY) {
    it(`${name} public JWK with alg ${alg}`, async () => {
      const jwk = { ...publicOf(KEYS[name]), alg } as unknown as PublicJwk
      expect(await joseAccepts(jwk as unknown as PrivateJwk)).toBe(false)
      const verdicts: Record<string, string> = {}
      for (const [conversion, convert] of CONVERSIONS)
        verdicts[conversion] = await codeOf(() => convert(jwk))
      expect(verdicts).toEqual(
        Object.fromEntries(CONVERSIONS.map(([conversion]) => [conversion, 'invalid_key'])),
      )
    })
  }
  for (const [name, alg] of CONSISTENT) {
    it(`${name} public JWK with alg ${alg} converts`, async () => {
      const jwk = { ...publicOf(KEYS[name]), alg } as unknown as PublicJwk
      const plain = publicOf(KEYS[name]) as unknown as PublicJwk
      for (const [conversion, convert] of CONVERSIONS) {
        // Multikey (so did:key) has no RSA encoding: unsupported_algorithm with or without alg.
        if (name === 'RSA' && /multikey|Multikey|didKey/.test(conversion)) continue
        expect([conversion, await codeOf(() => convert(jwk))]).toEqual([conversion, 'resolved'])
        // The alg changes nothing in the converted form (RSA: the scheme is not in the key).
        expect(await convert(jwk)).toEqual(await convert(plain))
      }
    })
  }
})

describe('where the contradiction is not the conversion to judge', () => {
  const jwk = { ...publicOf(KEYS.Ed25519), alg: 'ES256', kid: 'k' } as unknown as PublicJwk
  it('jwkThumbprint reads the required members only (RFC 7638), as jose does', async () => {
    const { alg: _alg, kid: _kid, ...plain } = jwk as unknown as Record<string, unknown>
    expect(await jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(plain as never))
  })
  it('staticResolver hands the key out with its alg, which verification then refuses', async () => {
    const key = await staticResolver([jwk]).resolveKey('k')
    expect(key.publicJwk.alg).toBe('ES256')
  })
})
