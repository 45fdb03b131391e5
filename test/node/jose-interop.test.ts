// Interop with an independent implementation: jose 6 (dev dependency only; credsign's core never
// imports it). jose 6 has no ES256K, so ES256K is checked against node:crypto instead; nor the RFC 9864
// names ESP256/ESP384/ESP512, which are checked as the same signatures as ES256/ES384/ES512.

import {
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto'
import * as jose from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  SdJwtVcSigner,
  didKeyFromJwk,
  presentSdJwt,
  signCompact,
  signFlattened,
  signGeneral,
  signJwt,
  signKeyBinding,
  verifyJws,
  verifyJwt,
  verifyKeyBinding,
  verifySdJwt,
  type KeyAlgorithm,
  type PublicJwk,
} from '../../src/index.js'
import { testKey, withId, type TestKey } from '../core/jose-helpers.js'

interface InteropKey extends TestKey {
  privateKey: KeyObject
  publicKey: KeyObject
}

const JOSE_ALGORITHMS: { algorithm: KeyAlgorithm; alg: string }[] = [
  { algorithm: 'Ed25519', alg: 'EdDSA' },
  { algorithm: 'Ed25519', alg: 'Ed25519' },
  { algorithm: 'P-256', alg: 'ES256' },
  { algorithm: 'P-384', alg: 'ES384' },
  { algorithm: 'P-521', alg: 'ES512' },
  { algorithm: 'RSA-PSS', alg: 'PS256' },
  { algorithm: 'PS384', alg: 'PS384' },
  { algorithm: 'PS512', alg: 'PS512' },
  { algorithm: 'RS256', alg: 'RS256' },
  { algorithm: 'RS384', alg: 'RS384' },
  { algorithm: 'RS512', alg: 'RS512' },
]
const keys = {} as Record<KeyAlgorithm, InteropKey>
const NOW = Date.UTC(2030, 0, 1)
const T = NOW / 1000
const payloadText = JSON.stringify({
  '@context': { ex: 'http://example.org/ns/' },
  from: 'mydb:main',
  select: ['?name'],
})
const payload = new TextEncoder().encode(payloadText)
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
const ed25519Name = (alg: string): { ed25519Name?: 'Ed25519' } =>
  alg === 'Ed25519' ? { ed25519Name: 'Ed25519' } : {}

beforeAll(async () => {
  for (const algorithm of [
    'Ed25519',
    'P-256',
    'P-384',
    'P-521',
    'secp256k1',
    'RSA-PSS',
    'PS384',
    'PS512',
    'RS256',
    'RS384',
    'RS512',
  ] as const) {
    const key = await testKey(algorithm, `https://issuer.example/keys/${algorithm}`)
    const privateKey = createPrivateKey({
      key: Buffer.from(key.material.pkcs8),
      format: 'der',
      type: 'pkcs8',
    })
    keys[algorithm] = {
      ...key,
      privateKey,
      publicKey: createPublicKey({ key: key.publicJwk as never, format: 'jwk' }),
    }
  }
}, 120_000)

describe('credsign → jose', () => {
  for (const { algorithm, alg } of JOSE_ALGORITHMS) {
    it(`${alg}: compact, flattened, JWT`, async () => {
      const key = keys[algorithm]
      const compact = await signCompact(key.signer, payload, {
        protectedHeader: { typ: 'JOSE', cty: 'json' },
        ...ed25519Name(alg),
      })
      const c = await jose.compactVerify(compact, key.publicKey)
      expect(text(c.payload)).toBe(payloadText)
      expect(c.protectedHeader).toEqual({ alg, kid: key.signer.id, typ: 'JOSE', cty: 'json' })

      const flattened = await signFlattened(
        { signer: key.signer, unprotectedHeader: { 'x-trace': '1' }, ...ed25519Name(alg) },
        payload,
      )
      const f = await jose.flattenedVerify(flattened, key.publicKey)
      expect(text(f.payload)).toBe(payloadText)
      expect(f.unprotectedHeader).toEqual({ 'x-trace': '1' })

      const jwt = await signJwt(
        key.signer,
        { iss: 'https://issuer.example', sub: 'alice', aud: 'https://api.example', nonce: 'n1' },
        {
          typ: 'at+jwt',
          expiresIn: 600,
          jwtId: true,
          now: () => NOW,
          ...ed25519Name(alg),
        },
      )
      const j = await jose.jwtVerify(jwt, key.publicKey, {
        issuer: 'https://issuer.example',
        audience: 'https://api.example',
        subject: 'alice',
        typ: 'at+jwt',
        currentDate: new Date(NOW + 1000),
        maxTokenAge: 60,
        requiredClaims: ['jti', 'exp'],
      })
      expect(j.payload).toMatchObject({ iat: T, exp: T + 600, nonce: 'n1' })
    })
  }

  it('general JSON with EdDSA, ES256, ES384, ES512, PS256 and RS256 signatures: jose verifies each key', async () => {
    const signers = [
      keys.Ed25519,
      keys['P-256'],
      keys['P-384'],
      keys['P-521'],
      keys['RSA-PSS'],
      keys.RS256,
    ]
    const general = await signGeneral(
      payload,
      signers.map((key) => ({
        signer: key.signer,
        unprotectedHeader: { who: key.signer.algorithm },
      })),
    )
    for (const key of signers) {
      const result = await jose.generalVerify(general, key.publicKey)
      expect(text(result.payload)).toBe(payloadText)
      expect(result.unprotectedHeader).toEqual({ who: key.signer.algorithm })
    }
  })

  it('ES256K: node:crypto verifies the compact JWS and the JWT', async () => {
    const key = keys.secp256k1
    for (const token of [
      await signCompact(key.signer, payload),
      await signJwt(key.signer, { sub: 'x' }),
    ]) {
      const [h, p, s] = token.split('.') as [string, string, string]
      expect(JSON.parse(Buffer.from(h, 'base64url').toString()).alg).toBe('ES256K')
      const ok = nodeVerify(
        'sha256',
        Buffer.from(`${h}.${p}`),
        { key: key.publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(s, 'base64url'),
      )
      expect(ok).toBe(true)
    }
  })

  it('Ed25519 is deterministic: credsign and jose produce the same compact JWS and JWT bytes', async () => {
    const key = keys.Ed25519
    const header = { alg: 'EdDSA', kid: key.signer.id, typ: 'JWT' }
    const ours = await signCompact(key.signer, payload, { protectedHeader: header })
    const theirs = await new jose.CompactSign(payload)
      .setProtectedHeader(header)
      .sign(key.privateKey)
    expect(ours).toBe(theirs)
    const claims = { sub: 'alice', iat: T, exp: T + 60 }
    const ourJwt = await signJwt(key.signer, claims, { protectedHeader: header })
    const theirJwt = await new jose.SignJWT(claims).setProtectedHeader(header).sign(key.privateKey)
    expect(ourJwt).toBe(theirJwt)
  })

  it('the key binding certificate verifies with jose against the same JWKS', async () => {
    const registry = keys['P-256']
    const device = keys.Ed25519.publicJwk
    const certificate = await signKeyBinding(withId(registry, registry.publicJwk.kid as string), {
      subject: '@user.w3id',
      publicKey: device,
      expiresIn: 3600,
    })
    const jwks = jose.createLocalJWKSet({
      keys: [keys.Ed25519.publicJwk, registry.publicJwk] as jose.JWK[],
    })
    const { payload: claims, protectedHeader } = await jose.jwtVerify(certificate, jwks, {
      typ: 'kb-cert+jwt',
      requiredClaims: ['exp', 'sub'],
    })
    expect(protectedHeader.alg).toBe('ES256')
    expect((claims.cnf as { jwk: PublicJwk }).jwk).toEqual(device)
    // and a jose-made certificate of the same shape verifies with credsign
    const theirs = await new jose.SignJWT({ sub: '@user.w3id', cnf: { jwk: device } })
      .setProtectedHeader({
        alg: 'ES256',
        kid: registry.publicJwk.kid as string,
        typ: 'kb-cert+jwt',
      })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(registry.privateKey)
    const binding = await verifyKeyBinding(theirs, {
      jwks: { keys: [keys.Ed25519.publicJwk, registry.publicJwk] },
    })
    expect(binding.publicJwk).toEqual(device)
  })
})

describe('jose → credsign', () => {
  for (const { algorithm, alg } of JOSE_ALGORITHMS) {
    it(`${alg}: CompactSign, FlattenedSign, SignJWT`, async () => {
      const key = keys[algorithm]
      const compact = await new jose.CompactSign(payload)
        .setProtectedHeader({ alg, kid: 'k1', typ: 'JOSE' })
        .sign(key.privateKey)
      const c = await verifyJws(compact, { key: key.publicJwk })
      expect(text(c.payload)).toBe(payloadText)
      expect(c.protectedHeader).toEqual({ alg, kid: 'k1', typ: 'JOSE' })

      const flattened = await new jose.FlattenedSign(payload)
        .setProtectedHeader({ alg })
        .setUnprotectedHeader({ kid: 'k1' })
        .sign(key.privateKey)
      const f = await verifyJws(JSON.stringify(flattened), {
        jwks: { keys: [{ ...key.publicJwk, kid: 'k1' }] },
      })
      expect(text(f.payload)).toBe(payloadText)
      expect(f.unprotectedHeader).toEqual({ kid: 'k1' })

      const jwt = await new jose.SignJWT({ scope: 'read', nonce: 'n1' })
        .setProtectedHeader({ alg, typ: 'oauth-authz-req+jwt' })
        .setIssuer('https://client.example')
        .setSubject('client-1')
        .setAudience(['https://as.example'])
        .setIssuedAt(T)
        .setNotBefore(T)
        .setExpirationTime(T + 300)
        .setJti('req-1')
        .sign(key.privateKey)
      const verified = await verifyJwt(jwt, {
        key: key.publicJwk,
        typ: 'application/oauth-authz-req+jwt',
        issuer: 'https://client.example',
        subject: 'client-1',
        audience: 'https://as.example',
        nonce: 'n1',
        requiredClaims: ['jti'],
        now: NOW,
      })
      expect(verified.payload).toMatchObject({ scope: 'read', jti: 'req-1', exp: T + 300 })
    })
  }

  it('GeneralSign with seven algorithms: credsign verifies with each key, through a resolver too', async () => {
    const signers = [
      keys.Ed25519,
      keys['P-256'],
      keys['P-384'],
      keys['RSA-PSS'],
      keys['P-521'],
      keys.RS256,
      keys.PS512,
    ]
    const algs = ['EdDSA', 'ES256', 'ES384', 'PS256', 'ES512', 'RS256', 'PS512']
    const builder = new jose.GeneralSign(payload)
    signers.forEach((key, index) =>
      builder
        .addSignature(key.privateKey)
        .setProtectedHeader({ alg: algs[index] as string })
        .setUnprotectedHeader({ kid: `k${index}` }),
    )
    const general = await builder.sign()
    for (const [index, key] of signers.entries()) {
      const verified = await verifyJws(general, { key: key.publicJwk })
      expect(verified.unprotectedHeader).toEqual({ kid: `k${index}` })
    }
    const resolver = {
      async resolveKey(reference: string) {
        const index = Number(reference.slice(1))
        return { id: reference, publicJwk: (signers[index] as TestKey).publicJwk }
      },
    }
    expect((await verifyJws(general, { resolver })).key.id).toBe('k0')
  })

  it('ES256K from node:crypto verifies with credsign', async () => {
    const key = keys.secp256k1
    const h = Buffer.from(JSON.stringify({ alg: 'ES256K', typ: 'JWT' })).toString('base64url')
    const p = Buffer.from(JSON.stringify({ sub: 'x', iat: T })).toString('base64url')
    const s = nodeSign('sha256', Buffer.from(`${h}.${p}`), {
      key: key.privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url')
    const verified = await verifyJwt(`${h}.${p}.${s}`, { key: key.publicJwk, typ: 'JWT', now: NOW })
    expect(verified.payload.sub).toBe('x')
  })

  it('a Fluree-style signed transaction from jose (SignJWT, EdDSA, did:key kid) verifies through the did:key resolver', async () => {
    const key = keys.Ed25519
    const did = didKeyFromJwk(key.publicJwk)
    const transaction = {
      '@context': { ex: 'http://example.org/ns/' },
      '@graph': [{ '@id': 'ex:alice', 'schema:name': 'Alice' }],
    }
    const jws = await new jose.SignJWT(transaction)
      .setProtectedHeader({ alg: 'EdDSA', kid: did })
      .setIssuedAt(T)
      .setExpirationTime(T + 900)
      .sign(key.privateKey)
    const verified = await verifyJwt(jws, { now: NOW })
    expect(verified.payload['@graph']).toEqual(transaction['@graph'])
    expect(verified.key.controller).toBe(did)
    // past its expiry: TOKEN_EXPIRED in Fluree's terms
    await expect(verifyJwt(jws, { now: NOW + 3_600_000 })).rejects.toMatchObject({
      code: 'expired',
    })
  })

  it('an RSA key made for RS256 never verifies a PS256 token, nor the reverse: with jose or credsign', async () => {
    const rs = keys.RS256
    const ps = keys['RSA-PSS']
    // The same RSA public key, but the JWK says which algorithm it is for (as a JWKS publisher's would).
    const rsJwk = { ...rs.publicJwk, alg: 'RS256' }
    const psToken = await new jose.CompactSign(payload)
      .setProtectedHeader({ alg: 'PS256' })
      .sign(rs.privateKey)
    await expect(verifyJws(psToken, { key: rsJwk })).rejects.toMatchObject({
      code: 'algorithm_not_allowed',
    })
    // A PS256 signature under an RS256 header (or the reverse) is refused by both.
    const [, p, s] = (await signCompact(ps.signer, payload)).split('.') as [string, string, string]
    const relabelled = `${Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url')}.${p}.${s}`
    await expect(jose.compactVerify(relabelled, ps.publicKey)).rejects.toThrow()
    await expect(verifyJws(relabelled, { key: ps.publicJwk })).rejects.toMatchObject({
      code: 'signature_invalid',
    })
  })

  it('ESP256 / ESP384 / ESP512 (RFC 9864): credsign signs with fullySpecified and verifies; the signatures are ES* ones (node:crypto checks them)', async () => {
    for (const [algorithm, esp, es] of [
      ['P-256', 'ESP256', 'ES256'],
      ['P-384', 'ESP384', 'ES384'],
      ['P-521', 'ESP512', 'ES512'],
    ] as const) {
      const key = keys[algorithm]
      const token = await signCompact(key.signer, payload, { fullySpecified: true })
      const [h, p, s] = token.split('.') as [string, string, string]
      expect(JSON.parse(Buffer.from(h, 'base64url').toString()).alg).toBe(esp)
      expect(text((await verifyJws(token, { key: key.publicJwk })).payload)).toBe(payloadText)
      // The header names it too (no option): the same algorithm by its other name.
      const named = await signCompact(key.signer, payload, { protectedHeader: { alg: esp } })
      expect(text((await verifyJws(named, { key: { ...key.publicJwk, alg: es } })).payload)).toBe(
        payloadText,
      )
      expect(
        nodeVerify(
          `sha${es.slice(2)}`,
          Buffer.from(`${h}.${p}`),
          { key: key.publicKey, dsaEncoding: 'ieee-p1363' },
          Buffer.from(s, 'base64url'),
        ),
      ).toBe(true)
      // An ESP* token made elsewhere (node:crypto over a jose payload) verifies with credsign.
      const joseToken = await new jose.CompactSign(payload)
        .setProtectedHeader({ alg: es })
        .sign(key.privateKey)
      const [, jp] = joseToken.split('.') as [string, string, string]
      const espHeader = Buffer.from(JSON.stringify({ alg: esp })).toString('base64url')
      const espSignature = nodeSign(`sha${es.slice(2)}`, Buffer.from(`${espHeader}.${jp}`), {
        key: key.privateKey,
        dsaEncoding: 'ieee-p1363',
      }).toString('base64url')
      expect(
        text(
          (await verifyJws(`${espHeader}.${jp}.${espSignature}`, { key: key.publicJwk })).payload,
        ),
      ).toBe(payloadText)
    }
  })

  it('SD-JWT VC with an RS256 issuer and an ES512 / PS384 holder: jose verifies the issuer JWT and the KB-JWT; a jose-made KB-JWT verifies with credsign', async () => {
    const issuer = keys.RS256
    for (const holderKey of [keys['P-521'], keys.PS384]) {
      const sdJwt = await new SdJwtVcSigner(issuer.signer, {
        issuer: 'https://issuer.example',
      }).issue(
        { vct: 'https://credentials.example/id', name: 'Ada' },
        { disclosureFrame: { _sd: ['name'] }, holder: holderKey.publicJwk },
      )
      const presentation = await presentSdJwt(sdJwt, {
        holder: holderKey.signer,
        audience: 'https://verifier.example',
        nonce: 'n1',
      })
      const parts = presentation.split('~')
      const issued = await jose.compactVerify(parts[0] as string, issuer.publicKey)
      expect(issued.protectedHeader.alg).toBe('RS256')
      const kb = await jose.jwtVerify(parts.at(-1) as string, holderKey.publicKey, {
        audience: 'https://verifier.example',
        typ: 'kb+jwt',
      })
      expect(kb.protectedHeader.alg).toBe(holderKey === keys.PS384 ? 'PS384' : 'ES512')
      expect(kb.payload.nonce).toBe('n1')
      // The same presentation with a KB-JWT made by jose over the same sd_hash.
      const theirs = await new jose.SignJWT({ ...kb.payload })
        .setProtectedHeader({ alg: kb.protectedHeader.alg, typ: 'kb+jwt' })
        .sign(holderKey.privateKey)
      const withTheirs = [...parts.slice(0, -1), theirs].join('~')
      const verified = await verifySdJwt(withTheirs, {
        key: issuer.publicJwk,
        audience: 'https://verifier.example',
        nonce: 'n1',
        now: (kb.payload.iat as number) * 1000,
      })
      expect(verified.claims).toMatchObject({ name: 'Ada' })
      expect(verified.keyBinding?.header.alg).toBe(kb.protectedHeader.alg)
    }
  })

  it('jose refuses what credsign refuses: a token whose header alg does not fit the key', async () => {
    const key = keys['P-256']
    const token = await signCompact(key.signer, payload)
    await expect(jose.compactVerify(token, keys.Ed25519.publicKey)).rejects.toThrow()
    await expect(verifyJws(token, { key: keys.Ed25519.publicJwk })).rejects.toMatchObject({
      code: 'algorithm_not_allowed',
    })
  })
})
