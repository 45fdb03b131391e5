import { beforeAll, describe, expect, it } from 'vitest'
import {
  assertAuthorized,
  combineResolvers,
  createResolver,
  CredsignError,
  generateKeyPair,
  isAuthorized,
  jwksResolver,
  KeyVault,
  MemoryStore,
  multikeyFromJwk,
  resolveVerificationMethod,
  SIGNING_RELATIONSHIPS,
  staticResolver,
  vaultResolver,
  type KeyResolver,
  type PublicJwk,
  type ResolvedKey,
  type VaultKeySource,
} from '../../src/index.js'
import { expectCode } from './keys-helpers.js'
import { fakeFetch, json } from './resolve-helpers.js'

let ed: PublicJwk
let p256: PublicJwk
let rsa: PublicJwk

beforeAll(async () => {
  for (const [algorithm, assign] of [
    ['Ed25519', (jwk: PublicJwk) => (ed = jwk)],
    ['P-256', (jwk: PublicJwk) => (p256 = jwk)],
    ['RSA-PSS', (jwk: PublicJwk) => (rsa = jwk)],
  ] as const) {
    const material = await generateKeyPair(
      algorithm,
      algorithm === 'RSA-PSS' ? { modulusLength: 2048 } : {},
    )
    material.pkcs8.fill(0)
    assign(material.publicJwk)
  }
})

/** The key with another kid (and optional extra members). */
function named(
  jwk: PublicJwk,
  kid: string | undefined,
  extra: Record<string, unknown> = {},
): PublicJwk {
  const { kid: _kid, ...rest } = jwk
  return { ...rest, ...(kid === undefined ? {} : { kid }), ...extra } as PublicJwk
}

const X25519 = {
  kty: 'OKP',
  crv: 'X25519',
  x: '9GXjPGGvmRq9F6Ng5dQQ_s31mfhxrcNZxRGONrmH30k',
  kid: 'x25519',
} as unknown as PublicJwk

describe('staticResolver', () => {
  it('matches a JWK Set by kid and by RFC 7638 thumbprint', async () => {
    const resolver = staticResolver(
      { keys: [named(ed, 'ed-1'), named(p256, 'p-1', { alg: 'ES256' })] },
      { controller: 'https://issuer.example' },
    )
    const byKid = await resolver.resolveKey('p-1')
    expect(byKid).toEqual({
      id: 'p-1',
      controller: 'https://issuer.example',
      publicJwk: { ...named(p256, p256.kid), alg: 'ES256' },
    })
    const byThumbprint = await resolver.resolveKey(ed.kid as string)
    expect(byThumbprint.id).toBe(ed.kid)
    expect(multikeyFromJwk(byThumbprint.publicJwk)).toBe(multikeyFromJwk(ed))
    expect(byThumbprint.relationships).toBeUndefined()
    await expectCode(() => resolver.resolveKey('ed-2'), 'key_not_found')
    await expectCode(() => resolver.resolveKey(''), 'malformed')
  })

  it('takes a record (by name) and a list, and states relationships only when told', async () => {
    const record = staticResolver(
      { 'did:web:issuer.example#key-1': named(ed, undefined) },
      { relationships: ['assertionMethod'] },
    )
    const key = await record.resolveKey('did:web:issuer.example#key-1')
    expect(key.controller).toBeUndefined() // never inferred from the name: the caller says whose keys these are
    expect(key.relationships).toEqual(['assertionMethod'])
    expect(isAuthorized(key, 'assertionMethod')).toBe(true)
    const list = staticResolver([named(rsa, 'rsa-1')])
    expect((await list.resolveKey('rsa-1')).publicJwk.kty).toBe('RSA')
  })

  it('hands out copies', async () => {
    const resolver = staticResolver([named(ed, 'ed-1')])
    const first = await resolver.resolveKey('ed-1')
    ;(first.publicJwk as { x: string }).x = 'tampered'
    expect((await resolver.resolveKey('ed-1')).publicJwk).not.toHaveProperty('x', 'tampered')
  })

  it('skips encryption keys; in a JWK Set also keys it cannot use (RFC 7517 section 5)', async () => {
    const resolver = staticResolver({
      keys: [named(p256, 'enc-1', { use: 'enc' }), X25519, 'garbage' as never, named(ed, 'ed-1')],
    })
    await expectCode(() => resolver.resolveKey('enc-1'), 'key_not_found')
    await expectCode(() => resolver.resolveKey('x25519'), 'key_not_found')
    expect((await resolver.resolveKey('ed-1')).id).toBe('ed-1')
  })

  it('skips keys whose key_ops lack verify or whose use is not sig, as a JWK Set resolver does', async () => {
    const keys = [
      named(ed, 'sign-only', { key_ops: ['sign'] }),
      named(p256, 'ops-garbage', { key_ops: 'verify' }),
      named(rsa, 'use-other', { use: 'wrap' }),
    ]
    const record = Object.fromEntries(keys.map((key) => [key.kid as string, key]))
    for (const resolver of [staticResolver(keys), staticResolver({ keys }), staticResolver(record)])
      for (const kid of ['sign-only', 'ops-garbage', 'use-other', ed.kid as string])
        await expectCode(() => resolver.resolveKey(kid), 'key_not_found')
    const ok = staticResolver([named(ed, 'ed-1', { key_ops: ['verify'], use: 'sig' })])
    expect((await ok.resolveKey('ed-1')).id).toBe('ed-1')
  })

  it('refuses private keys, ambiguous names and, outside a JWK Set, unusable keys', async () => {
    const privateKey = { ...named(ed, 'ed-1'), d: (ed as { x: string }).x } as unknown as PublicJwk
    await expectCode(() => staticResolver([privateKey]), 'invalid_key')
    await expectCode(() => staticResolver({ keys: [privateKey] }), 'invalid_key')
    await expectCode(() => staticResolver([named(ed, 'k'), named(p256, 'k')]), 'invalid_argument')
    await expectCode(
      () => staticResolver({ a: named(ed, 'b'), b: named(p256, undefined) }),
      'invalid_argument',
    )
    await expectCode(() => staticResolver([X25519]), 'unsupported_algorithm')
    await expectCode(() => staticResolver([named(ed, 'k', { x: 'AAAA' })]), 'invalid_key')
    await expectCode(() => staticResolver(null as never), 'invalid_argument')
    await expectCode(() => staticResolver([], { controller: '' }), 'invalid_argument')
  })
})

describe('jwksResolver', () => {
  const URL = 'https://issuer.example/.well-known/jwks.json'
  const set = () => ({
    keys: [named(ed, 'ed-1'), named(p256, 'p-1', { alg: 'ES256', use: 'sig' })],
  })

  it('fetches the set and matches by kid, then by thumbprint, with the issuer as controller', async () => {
    const fetch = fakeFetch({ [URL]: json(set(), 'application/jwk-set+json') })
    const resolver = jwksResolver({ url: URL, fetch, issuer: 'https://issuer.example' })
    expect(await resolver.resolveKey('p-1')).toEqual({
      id: 'p-1',
      controller: 'https://issuer.example',
      publicJwk: { ...named(p256, p256.kid), alg: 'ES256' },
    })
    expect((await resolver.resolveKey(ed.kid as string)).id).toBe(ed.kid)
    expect(fetch.calls).toHaveLength(1) // cached
    expect(fetch.calls[0]?.init).toMatchObject({ redirect: 'manual', credentials: 'omit' })
  })

  it('ignores encryption keys, keys not for verify, and keys it cannot use', async () => {
    const keys = [
      named(ed, 'enc', { use: 'enc' }),
      named(p256, 'sign-only', { key_ops: ['sign'] }),
      // The rule staticResolver applies (signatureUseProblem): any use but sig, key_ops that is
      // not an array holding verify. Both verified JWTs from a fetched set before.
      named(ed, 'use-other', { use: 'wrap' }),
      named(p256, 'ops-garbage', { key_ops: 'verify' }),
      X25519,
      7,
      named(rsa, 'rsa'),
    ]
    const resolver = jwksResolver({
      url: URL,
      fetch: fakeFetch({ [URL]: json({ keys }, 'application/json') }),
      refetchIntervalMs: 60_000,
    })
    for (const kid of ['enc', 'sign-only', 'use-other', 'ops-garbage', 'x25519'])
      await expectCode(() => resolver.resolveKey(kid), 'key_not_found')
    expect((await resolver.resolveKey('rsa')).publicJwk.kty).toBe('RSA')
  })

  it('refuses a set with a private key, an ambiguous kid, or no keys array', async () => {
    const bad = [
      { keys: [{ ...named(ed, 'ed-1'), d: (ed as { x: string }).x }] },
      { keys: [named(ed, 'same'), named(p256, 'same')] },
      { key: [] },
    ]
    for (const body of bad) {
      await expectCode(
        () =>
          jwksResolver({
            url: URL,
            fetch: fakeFetch({ [URL]: json(body, 'application/json') }),
          }).resolveKey('ed-1'),
        'key_resolution_failed',
      )
    }
    const html = jwksResolver({ url: URL, fetch: fakeFetch({ [URL]: json(set(), 'text/html') }) })
    await expectCode(() => html.resolveKey('ed-1'), 'key_resolution_failed')
  })

  it('reports a network failure as key_resolution_failed, never as key_not_found', async () => {
    const down = jwksResolver({
      url: URL,
      fetch: () => Promise.reject(new TypeError('ECONNREFUSED')),
    })
    await expectCode(() => down.resolveKey('ed-1'), 'key_resolution_failed')
    const missing = jwksResolver({ url: URL, fetch: fakeFetch({}) })
    await expectCode(() => missing.resolveKey('ed-1'), 'key_resolution_failed') // 404
  })

  it('refetches once on an unknown kid (rotation), at most once per refetchIntervalMs', async () => {
    let now = 0
    let current = { keys: [named(ed, 'ed-1')] }
    const fetch = fakeFetch({ [URL]: () => json(current, 'application/json') })
    const resolver = jwksResolver({
      url: URL,
      fetch,
      clock: () => now,
      cacheTtlMs: 3_600_000,
      refetchIntervalMs: 30_000,
    })
    await resolver.resolveKey('ed-1')
    expect(fetch.calls).toHaveLength(1)

    current = { keys: [named(ed, 'ed-1'), named(p256, 'p-2')] } // the issuer rotates
    await expectCode(() => resolver.resolveKey('p-2'), 'key_not_found') // just fetched: no refetch yet
    expect(fetch.calls).toHaveLength(1)
    now += 30_000
    expect((await resolver.resolveKey('p-2')).id).toBe('p-2') // the miss refetched
    expect(fetch.calls).toHaveLength(2)
    await expectCode(() => resolver.resolveKey('nope'), 'key_not_found')
    await expectCode(() => resolver.resolveKey('nope'), 'key_not_found')
    expect(fetch.calls).toHaveLength(2) // rate-limited
  })

  it('expires the cached set after cacheTtlMs', async () => {
    let now = 0
    const fetch = fakeFetch({ [URL]: json(set(), 'application/json') })
    const resolver = jwksResolver({ url: URL, fetch, clock: () => now, cacheTtlMs: 1_000 })
    await resolver.resolveKey('ed-1')
    now += 999
    await resolver.resolveKey('ed-1')
    expect(fetch.calls).toHaveLength(1)
    now += 1
    await resolver.resolveKey('ed-1')
    expect(fetch.calls).toHaveLength(2)
  })

  it('shares one request between concurrent resolutions', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    const fetch = fakeFetch({ [URL]: async () => (await gate, json(set(), 'application/json')) })
    const resolver = jwksResolver({ url: URL, fetch })
    const pending = Promise.all([
      resolver.resolveKey('ed-1'),
      resolver.resolveKey('p-1'),
      resolver.resolveKey('ed-1'),
    ])
    release()
    expect((await pending).map((key) => key.id)).toEqual(['ed-1', 'p-1', 'ed-1'])
    expect(fetch.calls).toHaveLength(1)
  })

  it("stops waiting when the caller's signal aborts", async () => {
    const resolver = jwksResolver({
      url: URL,
      fetch: () => new Promise<Response>(() => undefined),
      timeoutMs: 60_000,
    })
    const controller = new AbortController()
    const pending = resolver.resolveKey('ed-1', { signal: controller.signal })
    controller.abort()
    await expectCode(() => pending, 'key_resolution_failed')
    await expectCode(
      () => resolver.resolveKey('ed-1', { signal: AbortSignal.abort() }),
      'key_resolution_failed',
    )
  })

  it('validates its options', async () => {
    const fetch = fakeFetch({})
    await expectCode(() => jwksResolver({ url: URL } as never), 'invalid_argument')
    await expectCode(
      () => jwksResolver({ url: 'http://issuer.example/jwks.json', fetch }),
      'invalid_argument',
    )
    await expectCode(
      () => jwksResolver({ url: 'http://issuer.example/jwks.json', fetch, allowHttp: true }),
      'invalid_argument',
    ) // not loopback
    await expectCode(
      () => jwksResolver({ url: 'https://user:pw@issuer.example/jwks.json', fetch }),
      'invalid_argument',
    )
    await expectCode(() => jwksResolver({ url: 'file:///etc/passwd', fetch }), 'invalid_argument')
    await expectCode(() => jwksResolver({ url: 'jwks.json', fetch }), 'invalid_argument')
    // An unparsable URL with credentials: the error (and its cause chain) must not carry the password.
    let thrown: unknown
    try {
      jwksResolver({ url: 'https://user:hunter2@issuer.example:99999/jwks.json', fetch })
    } catch (error) {
      thrown = error
    }
    expect(CredsignError.is(thrown, 'invalid_argument')).toBe(true)
    const seen: string[] = []
    for (
      let e: unknown = thrown;
      typeof e === 'object' && e !== null;
      e = (e as { cause?: unknown }).cause
    ) {
      for (const name of Object.getOwnPropertyNames(e))
        seen.push(String((e as Record<string, unknown>)[name]))
    }
    expect(seen.join(' ')).not.toContain('hunter2')
    await expectCode(() => jwksResolver({ url: URL, fetch, timeoutMs: 0 }), 'invalid_argument')
    await expectCode(() => jwksResolver({ url: URL, fetch, issuer: '' }), 'invalid_argument')
    expect(
      jwksResolver({ url: 'http://127.0.0.1:8080/jwks.json', fetch, allowHttp: true }),
    ).toBeTruthy()
  })

  it('plugs into createResolver through `jwks`, after DIDs', async () => {
    const fetch = fakeFetch({ [URL]: json(set(), 'application/json') })
    const resolver = createResolver({
      fetch,
      jwks: [{ url: URL, issuer: 'https://issuer.example' }],
    })
    expect((await resolver.resolveKey('ed-1')).controller).toBe('https://issuer.example')
    const did = `did:key:${multikeyFromJwk(ed)}`
    expect((await resolver.resolveKey(did)).controller).toBe(did)
    expect(fetch.calls).toHaveLength(1)
  })
})

describe('vaultResolver', () => {
  const KDF = { id: 'pbkdf2-sha256', iterations: 1000 } as const
  const makeVault = () =>
    new KeyVault({
      store: new MemoryStore(),
      serviceSecret: 'service-secret-for-tests-only-0123456789abcdef',
      kdf: KDF,
    })

  it('resolves DID URL ids through the document the vault publishes', async () => {
    const vault = makeVault()
    await vault.generate({
      id: 'did:web:issuer.example#key-1',
      algorithm: 'P-256',
      secrets: ['s1'],
    })
    const key = await vaultResolver(vault).resolveKey('did:web:issuer.example#key-1')
    expect(key).toMatchObject({
      id: 'did:web:issuer.example#key-1',
      controller: 'did:web:issuer.example',
      type: 'Multikey',
      relationships: [...SIGNING_RELATIONSHIPS],
    })
    expect(key.publicJwk.kid).toBe(
      (await vault.publicKey('did:web:issuer.example#key-1')).current.thumbprint,
    )
    await expectCode(
      () => vaultResolver(vault).resolveKey('did:web:issuer.example#key-2'),
      'key_not_found',
    )
  })

  it('resolves a key stored under a bare DID by its published method id', async () => {
    const vault = makeVault()
    const info = await vault.generate({
      id: 'did:web:bare.example',
      algorithm: 'Ed25519',
      secrets: ['s1'],
    })
    const vmId = `did:web:bare.example#${info.current.publicKeyMultibase}`
    const resolver = vaultResolver(vault)
    expect((await resolver.resolveKey(vmId)).id).toBe(vmId)
    expect((await resolver.resolveKey('did:web:bare.example')).id).toBe(vmId)
    await expectCode(() => resolver.resolveKey('did:web:bare.example#other'), 'key_not_found')
  })

  it('resolves plain ids to the current version, with no controller', async () => {
    const vault = makeVault()
    await vault.generate({ id: 'issuer-1', algorithm: 'Ed25519', secrets: ['s1'] })
    const rotated = await vault.rotate('issuer-1', ['s1'])
    const key = await vaultResolver(vault, { relationships: ['assertionMethod'] }).resolveKey(
      'issuer-1',
    )
    // The vault's JWK: required members, kid (the thumbprint) and alg; `use` is not carried over.
    const { use: _use, ...expected } = rotated.current.publicJwk
    expect(key).toEqual({ id: 'issuer-1', publicJwk: expected, relationships: ['assertionMethod'] })
    expect((await vaultResolver(vault).resolveKey('issuer-1')).relationships).toBeUndefined()
  })

  it('resolves thumbprints across versions, so signatures made before a rotation still verify', async () => {
    const vault = makeVault()
    const first = await vault.generate({
      id: 'did:web:issuer.example#key-1',
      algorithm: 'Ed25519',
      secrets: ['s1'],
    })
    const second = await vault.rotate('did:web:issuer.example#key-1', ['s1'])
    const resolver = vaultResolver(vault)
    const old = await resolver.resolveKey(first.current.thumbprint)
    expect(old).toMatchObject({
      id: first.current.thumbprint,
      controller: 'did:web:issuer.example',
    })
    expect(old.relationships).toBeUndefined() // no longer in the published document
    expect(multikeyFromJwk(old.publicJwk)).toBe(first.current.publicKeyMultibase)
    const current = await resolver.resolveKey(second.current.thumbprint)
    expect(current).toMatchObject({
      id: second.current.thumbprint,
      controller: 'did:web:issuer.example',
      relationships: [...SIGNING_RELATIONSHIPS],
    })
    await expectCode(
      () => vaultResolver(vault, { thumbprints: false }).resolveKey(first.current.thumbprint),
      'key_not_found',
    )
    await expectCode(() => resolver.resolveKey('A'.repeat(43)), 'key_not_found')
  })

  it("reports a failure of the vault's store under the store's code (an outage, not a verdict)", async () => {
    const broken: VaultKeySource = {
      publicKey: () => Promise.reject(new CredsignError('store_unavailable', 'database down')),
      list: () => Promise.reject(new Error('untyped')),
      didDocument: () => Promise.reject(new CredsignError('store_unavailable', 'database down')),
    }
    await expectCode(() => vaultResolver(broken).resolveKey('issuer-1'), 'store_unavailable')
    const corrupt: VaultKeySource = {
      ...broken,
      publicKey: () => Promise.reject(new CredsignError('store_corrupt', 'bad record')),
    }
    await expectCode(() => vaultResolver(corrupt).resolveKey('issuer-1'), 'store_corrupt')
    // A store that throws something untyped broke its contract: still the store, still an outage.
    const listFails: VaultKeySource = {
      ...broken,
      publicKey: () => Promise.reject(new CredsignError('not_found', 'no')),
    }
    await expectCode(() => vaultResolver(listFails).resolveKey('A'.repeat(43)), 'store_unavailable')
    const untyped: VaultKeySource = {
      ...broken,
      publicKey: () => Promise.reject(new TypeError('x')),
    }
    await expectCode(() => vaultResolver(untyped).resolveKey('issuer-1'), 'store_unavailable')
    // Any other error of the vault stays key_resolution_failed.
    const odd: VaultKeySource = {
      ...broken,
      publicKey: () => Promise.reject(new CredsignError('invalid_argument', 'odd')),
    }
    await expectCode(() => vaultResolver(odd).resolveKey('issuer-1'), 'key_resolution_failed')
    await expectCode(() => vaultResolver({} as never), 'invalid_argument')
  })

  it('combineResolvers: a store failure outranks every other failure, a found key wins over it', async () => {
    const down: KeyResolver = {
      resolveKey: () => Promise.reject(new CredsignError('store_unavailable', 'database down')),
    }
    const unreachable: KeyResolver = {
      resolveKey: () => Promise.reject(new CredsignError('key_resolution_failed', 'ECONNREFUSED')),
    }
    await expectCode(
      () => combineResolvers(unreachable, down).resolveKey('issuer-1'),
      'store_unavailable',
    )
    await expectCode(
      () => combineResolvers(down, unreachable).resolveKey('issuer-1'),
      'store_unavailable',
    )
    const didKey =
      'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'
    const key = await combineResolvers(down, createResolver()).resolveKey(didKey)
    expect(key.id).toBe(didKey)
  })

  it('lets a combined resolver verify local did:web keys without any fetch', async () => {
    const vault = makeVault()
    await vault.generate({
      id: 'did:web:issuer.example#key-1',
      algorithm: 'Ed25519',
      secrets: ['s1'],
    })
    const fetch = fakeFetch({})
    const resolver = createResolver({ fetch, resolvers: [vaultResolver(vault)] })
    const key = await resolveVerificationMethod(resolver, 'did:web:issuer.example#key-1', {
      purpose: 'assertionMethod',
    })
    expect(key.controller).toBe('did:web:issuer.example')
    expect(fetch.calls).toHaveLength(0)
    // A did:web key the vault does not hold goes to the network.
    await expectCode(
      () => resolver.resolveKey('did:web:other.example#key-1'),
      'key_resolution_failed',
    )
    expect(fetch.calls.map((call) => call.url)).toEqual([
      'https://other.example/.well-known/did.json',
    ])
  })
})

describe('combineResolvers', () => {
  const answer = (id: string): KeyResolver => ({ resolveKey: async () => ({ id, publicJwk: ed }) })
  const failing = (code: CredsignError['code']): KeyResolver => ({
    resolveKey: async () => {
      throw new CredsignError(code, code)
    },
  })

  it('returns the first success; not found falls through', async () => {
    expect(
      (await combineResolvers(failing('key_not_found'), answer('b'), answer('c')).resolveKey('x'))
        .id,
    ).toBe('b')
    expect(
      (await combineResolvers(failing('key_resolution_failed'), answer('b')).resolveKey('x')).id,
    ).toBe('b')
  })

  it('reports the most telling failure when nothing succeeds', async () => {
    const codeOf = async (...resolvers: KeyResolver[]) => {
      try {
        await combineResolvers(...resolvers).resolveKey('x')
      } catch (error) {
        return (error as CredsignError).code
      }
      return 'resolved'
    }
    expect(
      await codeOf(
        failing('key_not_found'),
        failing('key_resolution_failed'),
        failing('key_not_found'),
      ),
    ).toBe('key_resolution_failed')
    expect(await codeOf(failing('key_resolution_failed'), failing('malformed'))).toBe(
      'key_resolution_failed',
    )
    expect(await codeOf(failing('key_not_found'), failing('resolver_not_configured'))).toBe(
      'resolver_not_configured',
    )
    expect(await codeOf(failing('resolver_not_configured'), failing('malformed'))).toBe('malformed')
    expect(await codeOf(failing('key_not_found'))).toBe('key_not_found')
    expect(await codeOf()).toBe('key_not_found')
  })

  it('types whatever a resolver throws or returns', async () => {
    const throwsTypeError: KeyResolver = {
      resolveKey: () => {
        throw new TypeError('bug')
      },
    }
    const returnsGarbage: KeyResolver = {
      resolveKey: async () => ({ nope: 1 }) as unknown as ResolvedKey,
    }
    await expectCode(
      () => combineResolvers(throwsTypeError).resolveKey('x'),
      'key_resolution_failed',
    )
    await expectCode(
      () => combineResolvers(returnsGarbage).resolveKey('x'),
      'key_resolution_failed',
    )
    await expectCode(
      () => combineResolvers(failing('key_not_found'), { nope: true } as never),
      'invalid_argument',
    )
  })

  it('stops at once when the caller aborts', async () => {
    let asked = 0
    const counting: KeyResolver = {
      resolveKey: async () => (asked++, answer('late').resolveKey('x')),
    }
    const controller = new AbortController()
    const aborting: KeyResolver = {
      resolveKey: async () => {
        controller.abort()
        throw new CredsignError('key_resolution_failed', 'aborted')
      },
    }
    await expectCode(
      () => combineResolvers(aborting, counting).resolveKey('x', { signal: controller.signal }),
      'key_resolution_failed',
    )
    expect(asked).toBe(0)
  })
})

describe('purpose checks', () => {
  it('assertAuthorized throws key_not_authorized for a relationship the document does not list', async () => {
    const did = `did:key:${multikeyFromJwk(ed)}`
    const key = await createResolver().resolveKey(did)
    assertAuthorized(key, 'assertionMethod')
    assertAuthorized(key, 'authentication')
    await expectCode(async () => assertAuthorized(key, 'keyAgreement'), 'key_not_authorized')
    await expectCode(
      async () => assertAuthorized({ id: 'k', publicJwk: ed }, 'assertionMethod'),
      'key_not_authorized',
    ) // unknown
    await expectCode(async () => assertAuthorized(key, 7 as never), 'invalid_argument')
  })

  it('resolveVerificationMethod resolves and checks in one call', async () => {
    const did = `did:key:${multikeyFromJwk(p256)}`
    const id = `${did}#${multikeyFromJwk(p256)}`
    const resolver = createResolver()
    expect(
      (await resolveVerificationMethod(resolver, id, { purpose: 'capabilityDelegation' })).id,
    ).toBe(id)
    expect((await resolveVerificationMethod(resolver, id)).id).toBe(id)
    await expectCode(
      () => resolveVerificationMethod(resolver, id, { purpose: 'keyAgreement' }),
      'key_not_authorized',
    )
    await expectCode(
      () => resolveVerificationMethod(resolver, `${did}#nope`, { purpose: 'assertionMethod' }),
      'key_not_found',
    )
    await expectCode(() => resolveVerificationMethod({} as never, id), 'invalid_argument')
  })
})
