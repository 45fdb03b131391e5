// Every way an SD-JWT or SD-JWT+KB must be refused, each with its stable code: through
// verifySdJwt (which throws) and through verify() (which reports). Issuer and holder keys are the
// RFC 9901 example keys; hostile tokens are signed by hand with the issuer key.
import { jwtVerify } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  SdJwtVcSigner,
  generateKeyPair,
  issueSdJwt,
  loadPrivateKey,
  presentSdJwt,
  signCompact,
  signJwt,
  verify,
  verifySdJwt,
  type ErrorCode,
  type PublicJwk,
  type Signer,
  type SdJwtVerifyOptions,
} from '../../src/index.js'
import { sdDigest } from '../../src/formats/sd-jwt/hash.js'
import { b64u, utf8 } from '../../src/util/bytes.js'
import { KEYS, signerFromJwk } from './sd-jwt-helpers.js'

const NOW = Date.UTC(2026, 5, 1)
const now = () => NOW
const AUD = 'https://verifier.example'
const NONCE = 'n-0S6_WzA2Mj'
const key = KEYS.issuer_public_jwk

let issuer: Signer
let holder: Signer
let other: Signer
let issued: string // dc+sd-jwt with cnf, given_name/family_name/address(street) disclosable
let presented: string // all disclosed, with a KB-JWT

const disclosure = (value: unknown[]) => b64u(utf8(JSON.stringify(value)))
const digest = (d: string) => sdDigest('sha-256', d)

/** An SD-JWT over a hand-made payload, signed with the issuer key. */
async function craft(
  payload: Record<string, unknown>,
  disclosures: string[],
  typ = 'dc+sd-jwt',
): Promise<string> {
  const jws = await signCompact(issuer, JSON.stringify(payload), {
    protectedHeader: { kid: 'issuer-key', typ },
    includeKid: false,
  })
  return `${jws}~${disclosures.map((d) => `${d}~`).join('')}`
}

const base = { iss: 'https://issuer.example', iat: NOW / 1000 - 60, vct: 'urn:example:vct' }

beforeAll(async () => {
  issuer = await signerFromJwk(KEYS.issuer_private_jwk, 'issuer-key')
  holder = await signerFromJwk(KEYS.holder_private_jwk, 'holder-key')
  const material = await generateKeyPair('P-256')
  const otherKey = await loadPrivateKey('P-256', material.pkcs8)
  other = {
    id: 'issuer-key',
    algorithm: 'P-256',
    publicJwk: material.publicJwk,
    sign: (data) => otherKey.sign(data),
  }
  issued = await new SdJwtVcSigner(issuer, { issuer: 'https://issuer.example', now }).issue(
    {
      vct: 'urn:example:vct',
      given_name: 'John',
      family_name: 'Doe',
      address: { street_address: '123 Main St', country: 'US' },
    },
    {
      disclosureFrame: {
        _sd: ['given_name', 'family_name', 'address'],
        address: { _sd: ['street_address'] },
      },
      holder: KEYS.holder_public_jwk,
    },
  )
  presented = await presentSdJwt(issued, { holder, audience: AUD, nonce: NONCE, now })
})

interface Row {
  name: string
  input: () => Promise<string> | string
  code: ErrorCode
  options?: SdJwtVerifyOptions
  /** What the error message must say, where the code alone could come from another check. */
  message?: RegExp
}

const parts = (token: string) => token.split('~')
const kbOf = (token: string) => parts(token).at(-1) as string

/**
 * An SD-JWT whose cnf.jwk is the holder key with `extra` members, presented with a KB-JWT the
 * holder key signs (ES256).
 */
async function boundTo(extra: Record<string, unknown>): Promise<string> {
  const sdJwt = await craft({ ...base, cnf: { jwk: { ...KEYS.holder_public_jwk, ...extra } } }, [])
  return presentSdJwt(sdJwt, { holder, audience: AUD, nonce: NONCE, now })
}

const rows: Row[] = [
  {
    name: 'tampered disclosure',
    input: () => {
      const p = parts(issued)
      const d = p[1] as string
      p[1] = `${d.slice(0, 5)}${d[5] === 'A' ? 'B' : 'A'}${d.slice(6)}`
      return p.join('~')
    },
    code: 'disclosure_invalid',
    options: { requireKeyBinding: false },
  },
  {
    name: 'the same disclosure twice',
    input: () => {
      const p = parts(issued)
      return [p[0], p[1], ...p.slice(1)].join('~')
    },
    code: 'disclosure_invalid',
    options: { requireKeyBinding: false },
  },
  {
    name: 'a digest twice in the payload',
    input: () => {
      const d = disclosure(['s1', 'given_name', 'John'])
      return craft({ ...base, _sd: [digest(d), digest(d)] }, [d])
    },
    code: 'disclosure_invalid',
  },
  {
    name: 'a digest in _sd and in an array',
    input: () => {
      const d = disclosure(['s1', 'given_name', 'John'])
      return craft({ ...base, _sd: [digest(d)], list: [{ '...': digest(d) }] }, [d])
    },
    code: 'disclosure_invalid',
  },
  {
    name: 'a disclosure no digest references',
    input: () => `${issued}${disclosure(['s9', 'email', 'x@example.com'])}~`,
    code: 'disclosure_invalid',
    options: { requireKeyBinding: false },
  },
  {
    name: 'disclosure named _sd',
    input: () => {
      const d = disclosure(['s1', '_sd', ['x']])
      return craft({ ...base, _sd: [digest(d)] }, [d])
    },
    code: 'disclosure_invalid',
  },
  {
    name: 'disclosure named ...',
    input: () => {
      const d = disclosure(['s1', '...', 'x'])
      return craft({ ...base, _sd: [digest(d)] }, [d])
    },
    code: 'disclosure_invalid',
  },
  {
    name: 'disclosure overwriting a payload claim',
    input: () => {
      const d = disclosure(['s1', 'given_name', 'Mallory'])
      return craft({ ...base, given_name: 'John', _sd: [digest(d)] }, [d])
    },
    code: 'disclosure_invalid',
  },
  {
    name: 'two disclosures of one name',
    input: () => {
      const a = disclosure(['s1', 'given_name', 'A'])
      const b = disclosure(['s2', 'given_name', 'B'])
      return craft({ ...base, _sd: [digest(a), digest(b)] }, [a, b])
    },
    code: 'disclosure_invalid',
  },
  {
    name: 'array-element disclosure referenced from _sd',
    input: () => {
      const d = disclosure(['s1', 'DE'])
      return craft({ ...base, _sd: [digest(d)] }, [d])
    },
    code: 'disclosure_invalid',
  },
  {
    name: 'property disclosure referenced as an array element',
    input: () => {
      const d = disclosure(['s1', 'n', 'DE'])
      return craft({ ...base, list: [{ '...': digest(d) }] }, [d])
    },
    code: 'disclosure_invalid',
  },
  {
    name: 'disclosure that is not a JSON array',
    input: () => {
      const d = b64u(utf8('{"salt":"s"}'))
      return craft({ ...base, _sd: [digest(d)] }, [d])
    },
    code: 'disclosure_invalid',
  },
  {
    name: 'disclosure with four members',
    input: () => {
      const d = disclosure(['s', 'a', 1, 2])
      return craft({ ...base, _sd: [digest(d)] }, [d])
    },
    code: 'disclosure_invalid',
  },
  {
    name: 'unsupported _sd_alg',
    input: () => craft({ ...base, _sd_alg: 'md5' }, []),
    code: 'disclosure_invalid',
  },
  {
    name: '_sd that is not an array',
    input: () => craft({ ...base, _sd: 'abc' }, []),
    code: 'disclosure_invalid',
  },
  {
    name: 'issuer JWT typ example+sd-jwt',
    input: () => craft(base, [], 'example+sd-jwt'),
    code: 'typ_mismatch',
  },
  { name: 'issuer JWT typ JWT', input: () => craft(base, [], 'JWT'), code: 'typ_mismatch' },
  {
    name: 'tampered issuer payload',
    input: () => {
      const [h, , s] = (parts(issued)[0] as string).split('.')
      return `${h}.${b64u(utf8(JSON.stringify(base)))}.${s}~`
    },
    code: 'signature_invalid',
  },
  {
    name: 'signed by another key',
    input: async () => {
      const jws = await signCompact(other, JSON.stringify(base), {
        protectedHeader: { typ: 'dc+sd-jwt' },
      })
      return `${jws}~`
    },
    code: 'signature_invalid',
  },
  {
    name: 'SD-JWT VC without vct',
    input: () => craft({ iss: 'https://issuer.example' }, []),
    code: 'claim_invalid',
  },
  {
    name: 'SD-JWT VC with exp disclosed',
    input: () => {
      const d = disclosure(['s1', 'exp', NOW / 1000 + 60])
      return craft({ ...base, _sd: [digest(d)] }, [d])
    },
    code: 'claim_invalid',
  },
  {
    name: 'expired SD-JWT',
    input: () => craft({ ...base, exp: NOW / 1000 - 3600 }, []),
    code: 'expired',
  },
  {
    name: 'SD-JWT not yet valid',
    input: () => craft({ ...base, nbf: NOW / 1000 + 3600 }, []),
    code: 'not_yet_valid',
  },
  { name: 'missing KB-JWT (cnf)', input: () => issued, code: 'key_binding_required' },
  {
    name: 'missing KB-JWT (requireKeyBinding)',
    input: () => craft(base, []),
    code: 'key_binding_required',
    options: { requireKeyBinding: true },
  },
  {
    name: 'missing KB-JWT (audience asked)',
    input: () => craft(base, []),
    code: 'key_binding_required',
    options: { audience: AUD },
  },
  {
    name: 'KB-JWT by the wrong key',
    input: async () => {
      const p = parts(presented)
      p[p.length - 1] = await signJwt(
        other,
        { ...(await kbClaims()) },
        { typ: 'kb+jwt', includeKid: false, now },
      )
      return p.join('~')
    },
    code: 'key_binding_invalid',
  },
  {
    name: 'KB-JWT with typ JWT',
    input: async () => {
      const p = parts(presented)
      p[p.length - 1] = await signJwt(holder, await kbClaims(), {
        typ: 'JWT',
        includeKid: false,
        now,
      })
      return p.join('~')
    },
    code: 'key_binding_invalid',
  },
  {
    name: 'KB-JWT without nonce',
    input: async () => {
      const p = parts(presented)
      const { nonce: _n, ...claims } = await kbClaims()
      p[p.length - 1] = await signJwt(holder, claims, { typ: 'kb+jwt', includeKid: false, now })
      return p.join('~')
    },
    code: 'key_binding_invalid',
    options: { audience: AUD },
  },
  {
    name: 'KB-JWT with a wrong sd_hash (a disclosure dropped after signing)',
    input: () => {
      const p = parts(presented)
      return [p[0], ...p.slice(2)].join('~')
    },
    code: 'key_binding_invalid',
  },
  {
    name: 'KB-JWT with a wrong sd_hash (its own)',
    input: async () => {
      const p = parts(presented)
      p[p.length - 1] = await signJwt(
        holder,
        { ...(await kbClaims()), sd_hash: digest('other') },
        { typ: 'kb+jwt', includeKid: false, now },
      )
      return p.join('~')
    },
    code: 'key_binding_invalid',
  },
  // RFC 7517 4.2 to 4.4 (RFC 7800 cnf carries a JWK): a cnf key published for another algorithm or
  // not for verifying does not verify the KB-JWT (jose's jwtVerify refuses such a JWK too).
  ...(
    [
      ['whose alg is for another key type (ES384 on a P-256 key)', { alg: 'ES384' }],
      ['whose alg is for another algorithm (EdDSA)', { alg: 'EdDSA' }],
      ['with use enc', { use: 'enc' }],
      ['whose key_ops lack verify', { key_ops: ['encrypt'] }],
    ] as const
  ).map(([what, extra]): Row => ({
    name: `cnf.jwk ${what}`,
    input: () => boundTo(extra),
    code: 'key_binding_invalid',
    options: { audience: AUD, nonce: NONCE },
    message: /algorithm_not_allowed/,
  })),
  {
    name: 'KB-JWT on an SD-JWT without cnf',
    input: async () => `${await craft(base, [])}${kbOf(presented)}`,
    code: 'key_binding_invalid',
  },
  {
    name: 'wrong nonce',
    input: () => presented,
    code: 'nonce_mismatch',
    options: { audience: AUD, nonce: 'another' },
  },
  {
    name: 'wrong audience',
    input: () => presented,
    code: 'audience_mismatch',
    options: { audience: 'https://other.example', nonce: NONCE },
  },
  {
    name: 'stale KB-JWT iat (older than 300 s)',
    input: () => presented,
    code: 'expired',
    options: { audience: AUD, nonce: NONCE, now: NOW + 400_000 },
  },
  {
    name: 'stale KB-JWT iat (keyBindingMaxAgeSeconds 10)',
    input: () => presented,
    code: 'expired',
    options: { audience: AUD, nonce: NONCE, now: NOW + 120_000, keyBindingMaxAgeSeconds: 10 },
  },
  {
    name: 'KB-JWT from the future',
    input: () => presented,
    code: 'not_yet_valid',
    options: { audience: AUD, nonce: NONCE, now: NOW - 120_000 },
  },
  // A member twice (JSON.parse keeps the last, other parsers the first): refused wherever the JSON is
  // (RFC 7515 section 4 and RFC 7519 section 4 allow rejecting; I-JSON says MUST NOT), where jose and
  // @sd-jwt keep the last one.
  {
    name: 'a disclosure whose value has a member twice',
    input: async () => {
      const d = b64u(utf8('["salt-salt-salt","address",{"country":"US","country":"FR"}]'))
      return craft({ ...base, _sd: [digest(d)], _sd_alg: 'sha-256' }, [d])
    },
    code: 'disclosure_invalid',
    // parseDisclosure's message; the cause says which member.
    message: /not valid JSON/,
  },
  {
    name: 'an issuer-signed payload with a claim twice (vct)',
    input: async () => {
      const jws = await signCompact(
        issuer,
        `{"iss":"https://issuer.example","iat":${NOW / 1000 - 60},"vct":"urn:example:other","vct":"urn:example:vct"}`,
        { protectedHeader: { kid: 'issuer-key', typ: 'dc+sd-jwt' }, includeKid: false },
      )
      return `${jws}~`
    },
    code: 'malformed',
    message: /twice/,
  },
  {
    name: 'KB-JWT with a claim twice (nonce)',
    input: async () => {
      const p = parts(presented)
      const claims = await kbClaims()
      const text = JSON.stringify({ ...claims, iat: NOW / 1000 }).replace(
        '{',
        '{"nonce":"another",',
      )
      p[p.length - 1] = await signCompact(holder, text, {
        protectedHeader: { typ: 'kb+jwt' },
        includeKid: false,
      })
      return p.join('~')
    },
    code: 'key_binding_invalid',
    message: /twice/,
    options: { audience: AUD, nonce: NONCE },
  },
  {
    name: 'KB-JWT with a header member twice (typ)',
    input: async () => {
      const p = parts(presented)
      const header = b64u(utf8(`{"alg":"ES256","typ":"JWT","typ":"kb+jwt"}`))
      const payload = b64u(utf8(JSON.stringify({ ...(await kbClaims()), iat: NOW / 1000 })))
      const signature = await holder.sign(utf8(`${header}.${payload}`))
      p[p.length - 1] = `${header}.${payload}.${b64u(signature)}`
      return p.join('~')
    },
    code: 'key_binding_invalid',
    message: /twice/,
    options: { audience: AUD, nonce: NONCE },
  },
  { name: 'not an SD-JWT (no ~)', input: () => parts(issued)[0] as string, code: 'malformed' },
  {
    name: 'empty disclosure (~~)',
    input: () => issued.replace('~', '~~'),
    code: 'disclosure_invalid',
  },
  {
    name: 'trailing garbage after the last ~',
    input: () => `${issued}not-a-jwt`,
    code: 'malformed',
  },
]

async function kbClaims(): Promise<Record<string, unknown>> {
  const p = parts(presented)
  const sdHash = digest(`${p.slice(0, -1).join('~')}~`)
  return { aud: AUD, nonce: NONCE, sd_hash: sdHash }
}

describe('verifySdJwt refuses, with the stable code', () => {
  for (const row of rows) {
    it(`${row.name} → ${row.code}`, async () => {
      const token = await row.input()
      await expect(verifySdJwt(token, { key, now: NOW, ...row.options })).rejects.toMatchObject({
        code: row.code,
        ...(row.message === undefined ? {} : { message: expect.stringMatching(row.message) }),
      })
    })
  }
})

describe('a cnf.jwk whose alg, use and key_ops allow the KB-JWT', () => {
  it('verifies (the control of the cnf.jwk rows)', async () => {
    const token = await boundTo({ alg: 'ES256', use: 'sig', key_ops: ['verify'] })
    const result = await verifySdJwt(token, { key, now: NOW, audience: AUD, nonce: NONCE })
    expect(result.keyBinding).toBeDefined()
  })

  it("jose's jwtVerify, given the cnf.jwk, refuses the KB-JWT of every refused row and takes the control's", async () => {
    const kbJwtWith = async (extra: Record<string, unknown>) => kbOf(await boundTo(extra))
    const joseVerdict = (kbJwt: string, extra: Record<string, unknown>) =>
      jwtVerify(kbJwt, { ...KEYS.holder_public_jwk, ...extra } as never, {
        currentDate: new Date(NOW),
      }).then(
        () => 'verified',
        () => 'refused',
      )
    for (const extra of [
      { alg: 'ES384' },
      { alg: 'EdDSA' },
      { use: 'enc' },
      { key_ops: ['encrypt'] },
    ])
      expect([extra, await joseVerdict(await kbJwtWith(extra), extra)]).toEqual([extra, 'refused'])
    const control = { alg: 'ES256', use: 'sig', key_ops: ['verify'] }
    expect(await joseVerdict(await kbJwtWith(control), control)).toBe('verified')
  })
})

describe('verify() reports the same codes and never throws', () => {
  for (const row of rows) {
    it(`${row.name} → ${row.code}`, async () => {
      const token = await row.input()
      const {
        key: _key,
        typ: _typ,
        ...rest
      } = { key, now: NOW, ...row.options } as SdJwtVerifyOptions
      const resolver = {
        resolveKey: async () => ({
          id: 'issuer-key',
          publicJwk: key,
          controller: 'https://issuer.example',
        }),
      }
      const result = await verify(token, { ...rest, resolver, issuerBinding: false } as never)
      expect(result.verified).toBe(false)
      expect(result.format).toBe('sd-jwt')
      expect(result.errors.map((e) => e.code)).toContain(row.code)
    })
  }
})

describe('issuers refuse what would make a broken SD-JWT', () => {
  it('reserved claim names, _sd_alg, cnf twice, a bad frame', async () => {
    await expect(issueSdJwt(issuer, { _sd: [] })).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    await expect(issueSdJwt(issuer, { a: { '...': 'x' } })).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    // Deep inside claims no frame reaches (copied as they are), with the path of the member.
    await expect(
      issueSdJwt(issuer, { a: [1, { b: { ok: true, _sd: [] } }] }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'a[1].b._sd: _sd and ... are reserved and cannot be claim names',
    })
    await expect(
      issueSdJwt(issuer, { a: { c: [{ '...': 'x' }] } }, { disclosureFrame: { _sd: ['a'] } }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'a.c[0]....: _sd and ... are reserved and cannot be claim names',
    })
    await expect(issueSdJwt(issuer, { _sd_alg: 'sha-256' })).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    await expect(
      issueSdJwt(issuer, { cnf: {} }, { holder: KEYS.holder_public_jwk }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(
      issueSdJwt(issuer, { a: 1 }, { disclosureFrame: { _sd: 'a' } as never }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(
      issueSdJwt(issuer, { a: 1 }, { disclosureFrame: { _sd_decoy: -1 } }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(
      issueSdJwt(issuer, { a: 1 }, { holder: KEYS.holder_private_jwk as never }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(issueSdJwt(issuer, { a: 1 }, { header: { typ: 'x' } })).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    await expect(
      issueSdJwt(issuer, { a: 1 }, { hashAlgorithm: 'md5' as never }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
  })

  it('a holder key whose alg is for another key type, or that is not for signatures, is not published in cnf (invalid_key)', async () => {
    // cnf carries the public members only: these would publish the key for any KB-JWT.
    for (const extra of [
      { alg: 'ES384' },
      { alg: 'EdDSA' },
      { alg: 'RS256' },
      { use: 'enc' },
      { key_ops: ['encrypt'] },
      { key_ops: 'verify' },
    ]) {
      const holderKey = { ...KEYS.holder_public_jwk, ...extra } as unknown as PublicJwk
      await expect(
        issueSdJwt(issuer, { a: 1 }, { holder: holderKey }),
        JSON.stringify(extra),
      ).rejects.toMatchObject({ code: 'invalid_key' })
      await expect(
        issueSdJwt(issuer, { a: 1 }, { holder: { jwk: holderKey } }),
        JSON.stringify(extra),
      ).rejects.toMatchObject({ code: 'invalid_key' })
    }
    // What the key is for, when it says so consistently, is fine.
    for (const extra of [{ alg: 'ES256' }, { use: 'sig' }, { key_ops: ['verify'] }])
      await expect(
        issueSdJwt(
          issuer,
          { a: 1 },
          {
            holder: { ...KEYS.holder_public_jwk, ...extra } as unknown as PublicJwk,
          },
        ),
      ).resolves.toEqual(expect.any(String))
  })

  it('SD-JWT VC: vct and iss required; iss, exp, cnf, vct, status never disclosable', async () => {
    const vc = new SdJwtVcSigner(issuer)
    await expect(vc.issue({ a: 1 }, { issuer: 'https://issuer.example' })).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    await expect(vc.issue({ vct: 'urn:x' })).rejects.toMatchObject({ code: 'invalid_argument' }) // issuer-key names no controller
    for (const name of ['iss', 'exp', 'cnf', 'vct', 'status']) {
      await expect(
        vc.issue(
          { vct: 'urn:x', exp: 1 },
          { issuer: 'https://i.example', disclosureFrame: { _sd: [name] } },
        ),
      ).rejects.toMatchObject({ code: 'invalid_argument' })
    }
    await expect(
      vc.issue({ vct: 'urn:x' }, { vct: 'urn:y', issuer: 'https://i.example' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
  })

  it('presentSdJwt: a holder that is not the cnf key, a KB-JWT without aud/nonce, a second KB-JWT', async () => {
    await expect(
      presentSdJwt(issued, { holder: other, audience: AUD, nonce: NONCE }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(presentSdJwt(issued, { holder, audience: AUD })).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    await expect(presentSdJwt(issued, { audience: AUD, nonce: NONCE })).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    await expect(
      presentSdJwt(presented, { holder, audience: AUD, nonce: NONCE }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
  })
})
