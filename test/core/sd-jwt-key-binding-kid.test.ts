// SD-JWT key binding with `cnf.kid` (RFC 7800 section 3.4): the KB-JWT verifies with the key the
// kid resolves to through the verifier's resolver (default did:key / did:jwk, offline; did:web only
// with a configured fetch), whose DID document must list it under `authentication`; `cnf.jwk`
// wins over a `kid` next to it.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  CredsignError,
  asDidSigner,
  combineResolvers,
  createResolver,
  decodeSdJwt,
  didDocument,
  issueSdJwt,
  presentSdJwt,
  staticResolver,
  verificationMethod,
  verify,
  verifySdJwt,
  type KeyResolver,
  type Signer,
  type VerificationResult,
} from '../../src/index.js'
import { signKbJwt } from '../../src/formats/sd-jwt/key-binding.js'
import { testKey, withId, type TestKey } from './jose-helpers.js'
import { fakeFetch, json } from './resolve-helpers.js'

const AUD = 'https://verifier.example'
const NONCE = 'n-0S6_WzA2Mj'
const HOLDER_WEB = 'did:web:holder.example'
const claims = {
  vct: 'https://credentials.example.com/identity_credential',
  given_name: 'John',
  family_name: 'Doe',
}
const frame = { _sd: ['given_name', 'family_name'] }

let issuer: Signer
let holderKey: TestKey
let holder: Signer // id: the did:key URL of the holder key
let otherKey: TestKey
let other: Signer // id: the did:key URL of another key

beforeAll(async () => {
  issuer = asDidSigner((await testKey('Ed25519')).signer)
  holderKey = await testKey('P-256')
  holder = asDidSigner(holderKey.signer)
  otherKey = await testKey('Ed25519')
  other = asDidSigner(otherKey.signer)
})

const issueBoundTo = (binding: Record<string, unknown>): Promise<string> =>
  issueSdJwt(
    issuer,
    { iss: issuer.id.split('#')[0], ...claims },
    { disclosureFrame: frame, holder: binding as never },
  )
const issueWithCnf = (cnf: Record<string, unknown>): Promise<string> =>
  issueSdJwt(issuer, { iss: issuer.id.split('#')[0], ...claims, cnf }, { disclosureFrame: frame })

/** `presented` (`…~`) with a KB-JWT by `signer`, whatever key the SD-JWT is bound to. */
const withKbBy = async (presented: string, signer: Signer): Promise<string> =>
  `${presented}${await signKbJwt(signer, presented, 'sha-256', { audience: AUD, nonce: NONCE })}`

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<CredsignError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(CredsignError.is(error), `expected a CredsignError ${code}, got ${String(error)}`).toBe(
    true,
  )
  expect((error as CredsignError).code).toBe(code)
  return error as CredsignError
}

function keyBindingCheck(result: VerificationResult) {
  return result.checks.find((c) => c.name === 'key_binding')
}

/**
 * A did:web DID document for the holder key, listing it under `relationships`, served by a fake
 * fetch.
 */
function didWebResolver(relationships: ('authentication' | 'assertionMethod')[]): {
  resolver: KeyResolver
  calls: unknown[]
} {
  const vm = verificationMethod(holderKey.publicJwk, {
    id: `${HOLDER_WEB}#key-1`,
    controller: HOLDER_WEB,
  })
  const fetch = fakeFetch({
    'https://holder.example/.well-known/did.json': json(
      didDocument({ id: HOLDER_WEB, verificationMethods: [vm], relationships }),
    ),
  })
  return { resolver: createResolver({ fetch }), calls: fetch.calls }
}

describe('SD-JWT key binding with cnf.kid', () => {
  it('cnf.kid = did:key URL of the holder key: presents with that key, verifies with verifySdJwt and verify()', async () => {
    const sdJwt = await issueBoundTo({ kid: holder.id })
    expect(decodeSdJwt(sdJwt).payload.cnf).toEqual({ kid: holder.id })
    const presentation = await presentSdJwt(sdJwt, {
      disclose: { _sd: ['given_name'] },
      holder,
      audience: AUD,
      nonce: NONCE,
    })

    const direct = await verifySdJwt(presentation, { audience: AUD, nonce: NONCE })
    expect(direct.claims).toMatchObject({ given_name: 'John' })
    expect(direct.claims.family_name).toBeUndefined()
    expect(direct.keyBinding?.payload).toMatchObject({ aud: AUD, nonce: NONCE })
    expect(direct.keyBinding?.header.kid).toBeUndefined()

    const result = await verify(presentation, { audience: AUD, nonce: NONCE })
    expect(result.errors).toEqual([])
    expect(result.verified).toBe(true)
    expect(keyBindingCheck(result)?.passed).toBe(true)
    expect(result.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['key_binding', 'audience', 'nonce']),
    )
  })

  it('a holder signer under another id (same key) presents fine: the id plays no part', async () => {
    const sdJwt = await issueBoundTo({ kid: holder.id })
    const presentation = await presentSdJwt(sdJwt, {
      holder: withId(holderKey, 'wallet-key-1'),
      audience: AUD,
      nonce: NONCE,
    })
    await expect(verifySdJwt(presentation, { audience: AUD, nonce: NONCE })).resolves.toMatchObject(
      { claims: { given_name: 'John' } },
    )
  })

  it('a KB-JWT signed by another key is key_binding_invalid; presentSdJwt refuses that holder up front', async () => {
    const sdJwt = await issueBoundTo({ kid: holder.id })
    const forged = await withKbBy(sdJwt, other)
    const error = await rejectsWith(
      verifySdJwt(forged, { audience: AUD, nonce: NONCE }),
      'key_binding_invalid',
    )
    expect(error.message).toMatch(/does not verify/)
    const result = await verify(forged, { audience: AUD, nonce: NONCE })
    expect(result.verified).toBe(false)
    expect(result.errors.map((e) => e.code)).toEqual(['key_binding_invalid'])
    expect(keyBindingCheck(result)?.passed).toBe(false)
    // did:key resolves offline, so the holder's wrong key is caught before signing.
    await rejectsWith(
      presentSdJwt(sdJwt, { holder: other, audience: AUD, nonce: NONCE }),
      'invalid_argument',
    )
  })

  it('cnf.kid of did:web without a fetcher: resolver_not_configured, and nothing is fetched', async () => {
    const sdJwt = await issueBoundTo({ kid: `${HOLDER_WEB}#key-1` })
    // Not resolvable offline: presentSdJwt cannot compare, and does not try.
    const presentation = await presentSdJwt(sdJwt, { holder, audience: AUD, nonce: NONCE })
    const error = await rejectsWith(
      verifySdJwt(presentation, { audience: AUD, nonce: NONCE }),
      'resolver_not_configured',
    )
    expect(error.message).toMatch(/cnf\.kid/)
    expect(CredsignError.is(error.cause, 'resolver_not_configured')).toBe(true)
    const result = await verify(presentation, { audience: AUD, nonce: NONCE })
    expect(result.verified).toBe(false)
    expect(result.errors.map((e) => e.code)).toEqual(['resolver_not_configured'])
    expect(keyBindingCheck(result)?.passed).toBe(false)
  })

  it('cnf.kid of did:web with a configured fetch: resolved, authorised for authentication, verified', async () => {
    const sdJwt = await issueBoundTo({ kid: `${HOLDER_WEB}#key-1` })
    const presentation = await presentSdJwt(sdJwt, { holder, audience: AUD, nonce: NONCE })
    const { resolver, calls } = didWebResolver(['authentication'])
    await expect(
      verifySdJwt(presentation, { resolver, audience: AUD, nonce: NONCE }),
    ).resolves.toMatchObject({ claims: { given_name: 'John' } })
    expect(calls).toHaveLength(1)
    const result = await verify(presentation, { resolver, audience: AUD, nonce: NONCE })
    expect(result.errors).toEqual([])
    expect(result.verified).toBe(true)
  })

  it('a cnf.kid key its DID document does not list under authentication: key_not_authorized', async () => {
    const sdJwt = await issueBoundTo({ kid: `${HOLDER_WEB}#key-1` })
    const presentation = await presentSdJwt(sdJwt, { holder, audience: AUD, nonce: NONCE })
    const { resolver } = didWebResolver(['assertionMethod'])
    await rejectsWith(
      verifySdJwt(presentation, { resolver, audience: AUD, nonce: NONCE }),
      'key_not_authorized',
    )
    const result = await verify(presentation, { resolver, audience: AUD, nonce: NONCE })
    expect(result.errors.map((e) => e.code)).toEqual(['key_not_authorized'])
    expect(keyBindingCheck(result)?.passed).toBe(false)
  })

  it("cnf.kid whose resolution hits the verifier's failing key store: store_unavailable (an outage), not key_binding_invalid", async () => {
    const sdJwt = await issueBoundTo({ kid: 'wallet-key-1' })
    const presentation = await presentSdJwt(sdJwt, { holder, audience: AUD, nonce: NONCE })
    const storeDown: KeyResolver = {
      resolveKey: () => Promise.reject(new CredsignError('store_unavailable', 'database down')),
    }
    const resolver = combineResolvers(createResolver(), storeDown)
    await rejectsWith(
      verifySdJwt(presentation, { resolver, audience: AUD, nonce: NONCE }),
      'store_unavailable',
    )
    const result = await verify(presentation, { resolver, audience: AUD, nonce: NONCE })
    expect(result.verified).toBe(false)
    expect(result.errors.map((e) => e.code)).toEqual(['store_unavailable'])
  })

  it('a resolver that states no relationships (static keys): no purpose check, the signature decides', async () => {
    const sdJwt = await issueBoundTo({ kid: 'wallet-key-1' })
    const presentation = await presentSdJwt(sdJwt, { holder, audience: AUD, nonce: NONCE })
    const resolver = createResolver({
      resolvers: [staticResolver({ 'wallet-key-1': holderKey.publicJwk })],
    })
    await expect(
      verifySdJwt(presentation, { resolver, audience: AUD, nonce: NONCE }),
    ).resolves.toMatchObject({ claims: { given_name: 'John' } })
    expect((await verify(presentation, { resolver, audience: AUD, nonce: NONCE })).errors).toEqual(
      [],
    )
    // The default resolver knows no such kid: unresolvable, key_binding_invalid with the cause kept.
    const error = await rejectsWith(
      verifySdJwt(presentation, { audience: AUD, nonce: NONCE }),
      'key_binding_invalid',
    )
    expect(error.message).toMatch(/resol/)
    expect(CredsignError.is(error.cause, 'key_not_found')).toBe(true)
  })

  it('an unresolvable cnf.kid (a did:key that decodes to no key) is key_binding_invalid, the cause kept', async () => {
    const presentation = await withKbBy(
      await issueBoundTo({ kid: 'did:key:z6Mk!!#z6Mk!!' }),
      holder,
    )
    const error = await rejectsWith(
      verifySdJwt(presentation, { audience: AUD, nonce: NONCE }),
      'key_binding_invalid',
    )
    expect(error.message).toMatch(/resol/)
    expect(CredsignError.is(error.cause, 'malformed')).toBe(true)
    const result = await verify(presentation, { audience: AUD, nonce: NONCE })
    expect(result.errors.map((e) => e.code)).toEqual(['key_binding_invalid'])
  })

  it('a cnf with neither a usable jwk nor kid is key_binding_invalid', async () => {
    for (const cnf of [{}, { kid: '' }, { kid: 42 }, { jku: 'https://holder.example/jwks' }]) {
      const presentation = await withKbBy(await issueWithCnf(cnf), holder)
      await rejectsWith(
        verifySdJwt(presentation, { audience: AUD, nonce: NONCE }),
        'key_binding_invalid',
      )
    }
  })

  it('cnf with both jwk and kid uses jwk: the kid is only a hint, never resolved', async () => {
    // jwk = the holder key, kid = a did:web nobody can resolve here: verified, nothing resolved.
    const hinted = await issueWithCnf({ jwk: holderKey.publicJwk, kid: `${HOLDER_WEB}#key-1` })
    const presentation = await presentSdJwt(hinted, { holder, audience: AUD, nonce: NONCE })
    await expect(verifySdJwt(presentation, { audience: AUD, nonce: NONCE })).resolves.toMatchObject(
      { claims: { given_name: 'John' } },
    )
    expect((await verify(presentation, { audience: AUD, nonce: NONCE })).errors).toEqual([])

    // jwk = another key, kid = the holder's did:key: a KB-JWT by the kid's key does not verify.
    const split = await issueWithCnf({ jwk: otherKey.publicJwk, kid: holder.id })
    await rejectsWith(
      presentSdJwt(split, { holder, audience: AUD, nonce: NONCE }),
      'invalid_argument',
    )
    const byKid = await withKbBy(split, holder)
    await rejectsWith(verifySdJwt(byKid, { audience: AUD, nonce: NONCE }), 'key_binding_invalid')
    expect(
      (await verify(byKid, { audience: AUD, nonce: NONCE })).errors.map((e) => e.code),
    ).toEqual(['key_binding_invalid'])
    // …and one by the jwk's key does.
    const byJwk = await presentSdJwt(split, { holder: other, audience: AUD, nonce: NONCE })
    await expect(verifySdJwt(byJwk, { audience: AUD, nonce: NONCE })).resolves.toBeDefined()
  })
})
