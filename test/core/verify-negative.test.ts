/**
 * Hostile and malformed input through the public entry point: `verify()` must answer every row with
 * `verified: false` and the row's error code, and never throw or reject.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import {
  JwtVcSigner,
  JwtVpSigner,
  asDidSigner,
  envelopeCredential,
  signCompact,
  signFlattened,
  signJwt,
  staticResolver,
  verify,
  type ErrorCode,
  type Signer,
  type VerifyOptions,
} from 'credsign'
import { b64u, utf8 } from '../../src/util/bytes.js'
import { rawCompact, seg, testKey } from './jose-helpers.js'

const V2 = 'https://www.w3.org/ns/credentials/v2'
const NOW = Date.parse('2026-06-01T00:00:00Z')
const credential = (issuer?: string, extra: Record<string, unknown> = {}) => ({
  '@context': [V2],
  type: ['VerifiableCredential'],
  ...(issuer ? { issuer } : {}),
  credentialSubject: { id: 'did:example:alice' },
  ...extra,
})

interface Row {
  name: string
  input: () => unknown
  code: ErrorCode
  options?: VerifyOptions
}

let ed: Signer
let p256: Signer
let other: Signer
let plain: Signer
let good: string
let goodVp: string

beforeAll(async () => {
  ed = asDidSigner((await testKey('Ed25519')).signer)
  p256 = asDidSigner((await testKey('P-256')).signer)
  other = asDidSigner((await testKey('Ed25519')).signer)
  plain = (await testKey('Ed25519', 'urn:plain:key')).signer
  good = await new JwtVcSigner(ed).sign(credential())
  goodVp = await new JwtVpSigner(ed).sign(
    {
      '@context': [V2],
      type: ['VerifiablePresentation'],
      verifiableCredential: [envelopeCredential(good)],
    },
    { audience: 'https://verifier.example', nonce: 'n-123' },
  )
})

const parts = (jwt: string) => jwt.split('.') as [string, string, string]
const edDid = () => ed.id.split('#')[0]!

const rows: Row[] = [
  { name: 'empty string', input: () => '', code: 'unsupported_format' },
  { name: 'a number', input: () => 42, code: 'malformed' },
  { name: 'null', input: () => null, code: 'malformed' },
  { name: 'bytes instead of text', input: () => utf8(good), code: 'malformed' },
  { name: 'random text', input: () => 'hello world', code: 'unsupported_format' },
  { name: 'JSON that does not parse', input: () => '{"payload": ', code: 'malformed' },
  {
    name: '100,000 levels of nesting',
    input: () => `{"a":${'['.repeat(100_000)}`,
    code: 'malformed',
  },
  {
    name: 'cyclic object',
    input: () => {
      const o: Record<string, unknown> = {}
      o.self = o
      return o
    },
    code: 'malformed',
  },
  { name: 'over 4 MiB', input: () => `${good}${'A'.repeat(4 * 1024 * 1024)}`, code: 'malformed' },
  {
    name: 'unsigned credential',
    input: () => credential('did:example:issuer'),
    code: 'unsupported_format',
  },
  {
    name: 'Data Integrity without its handler',
    input: () => ({ ...credential('did:example:i'), proof: { type: 'DataIntegrityProof' } }),
    code: 'format_not_enabled',
  },
  // SD-JWT is built in: a vc+jwt with a disclosure appended is an SD-JWT of the wrong typ whose disclosure nothing references.
  {
    name: 'SD-JWT made of a vc+jwt (typ)',
    input: () => `${good}~WyJzYWx0IiwibmFtZSIsIkFsaWNlIl0~`,
    code: 'typ_mismatch',
  },
  {
    name: 'SD-JWT made of a vc+jwt (foreign disclosure)',
    input: () => `${good}~WyJzYWx0IiwibmFtZSIsIkFsaWNlIl0~`,
    code: 'disclosure_invalid',
  },
  { name: 'two parts', input: () => parts(good).slice(0, 2).join('.'), code: 'unsupported_format' },
  { name: 'four parts', input: () => `${good}.AAAA`, code: 'unsupported_format' },
  {
    name: 'padding in base64url',
    input: () => {
      const [h, p, s] = parts(good)
      return `${h}=.${p}.${s}`
    },
    code: 'unsupported_format',
  },
  {
    name: 'empty signature',
    input: () => {
      const [h, p] = parts(good)
      return `${h}.${p}.`
    },
    code: 'signature_invalid',
  },
  {
    name: 'signature of another token',
    input: async () => {
      const [h, p] = parts(good)
      const [, , s] = parts(await new JwtVcSigner(ed).sign(credential(undefined, { id: 'urn:x' })))
      return `${h}.${p}.${s}`
    },
    code: 'signature_invalid',
  },
  {
    name: 'tampered claim, valid JSON',
    input: () => {
      const [h, , s] = parts(good)
      return `${h}.${seg(credential(edDid(), { credentialSubject: { id: 'did:example:mallory' } }))}.${s}`
    },
    code: 'signature_invalid',
  },
  {
    name: 'payload that is not JSON',
    input: () => {
      const [h, , s] = parts(good)
      return `${h}.${seg('{"iss":')}.${s}`
    },
    code: 'malformed',
  },
  {
    name: 'flipped signature character',
    input: () => {
      const [h, p, s] = parts(good)
      return `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`
    },
    code: 'signature_invalid',
  },
  {
    name: 'alg none',
    input: () => {
      const [, p] = parts(good)
      return `${seg({ alg: 'none', typ: 'vc+jwt', kid: ed.id })}.${p}.`
    },
    code: 'algorithm_not_allowed',
  },
  {
    name: 'alg HS256 with the public key as secret',
    input: () => {
      const [, p] = parts(good)
      return `${seg({ alg: 'HS256', typ: 'vc+jwt', kid: ed.id })}.${p}.${b64u(new Uint8Array(32))}`
    },
    code: 'algorithm_not_allowed',
  },
  {
    name: 'ES256 header over an Ed25519 key',
    input: () => rawCompact(ed, { alg: 'ES256', typ: 'vc+jwt', kid: ed.id }, credential(edDid())),
    code: 'algorithm_not_allowed',
  },
  {
    name: 'header swapped from a P-256 token',
    input: async () => {
      const [h] = parts(await new JwtVcSigner(p256).sign(credential()))
      const [, p, s] = parts(good)
      return `${h}.${p}.${s}`
    },
    code: 'signature_invalid',
  },
  {
    name: 'unknown crit',
    input: () =>
      rawCompact(
        ed,
        { alg: 'EdDSA', typ: 'vc+jwt', kid: ed.id, crit: ['exp2'], exp2: 1 },
        credential(edDid()),
      ),
    code: 'crit_unsupported',
  },
  {
    name: 'kid not resolvable',
    input: () =>
      rawCompact(
        plain,
        { alg: 'EdDSA', typ: 'vc+jwt', kid: 'urn:plain:key' },
        credential('did:example:issuer'),
      ),
    code: 'key_not_found',
  },
  {
    name: 'kid of another DID than the issuer',
    input: () =>
      rawCompact(other, { alg: 'EdDSA', typ: 'vc+jwt', kid: other.id }, credential(edDid())),
    code: 'issuer_mismatch',
  },
  {
    name: 'wrong key for the kid',
    input: () =>
      rawCompact(other, { alg: 'EdDSA', typ: 'vc+jwt', kid: ed.id }, credential(edDid())),
    code: 'signature_invalid',
  },
  {
    name: 'bad media type',
    input: () => rawCompact(ed, { alg: 'EdDSA', typ: 'bad+typ', kid: ed.id }, credential(edDid())),
    code: 'typ_mismatch',
  },
  {
    name: 'vc claim inside a 2.0 payload',
    input: () =>
      rawCompact(
        ed,
        { alg: 'EdDSA', typ: 'vc+jwt', kid: ed.id },
        { ...credential(edDid()), vc: {} },
      ),
    code: 'credential_invalid',
  },
  {
    name: 'expired',
    input: () =>
      new JwtVcSigner(ed).sign(credential(undefined, { validUntil: '2026-01-01T00:00:00Z' })),
    code: 'expired',
    options: { now: NOW },
  },
  {
    name: 'not yet valid',
    input: () =>
      new JwtVcSigner(ed).sign(credential(undefined, { validFrom: '2027-01-01T00:00:00Z' })),
    code: 'not_yet_valid',
    options: { now: NOW },
  },
  {
    name: 'presentation for another audience',
    input: () => goodVp,
    code: 'audience_mismatch',
    options: { audience: 'https://other.example', nonce: 'n-123' },
  },
  {
    name: 'presentation with another nonce',
    input: () => goodVp,
    code: 'nonce_mismatch',
    options: { audience: 'https://verifier.example', nonce: 'n-999' },
  },
  {
    name: 'presentation with a forged embedded credential',
    input: async () => {
      const [h, , s] = parts(good)
      const forged = `${h}.${seg(credential(edDid(), { credentialSubject: { id: 'did:example:mallory' } }))}.${s}`
      return new JwtVpSigner(ed).sign({
        '@context': [V2],
        type: ['VerifiablePresentation'],
        verifiableCredential: [envelopeCredential(forged)],
      })
    },
    code: 'embedded_credential_invalid',
  },
  // The signer refuses to make this one, so it is signed by hand.
  {
    name: 'enveloped credential that is not a data URL',
    input: () =>
      rawCompact(
        ed,
        { alg: 'EdDSA', typ: 'vp+jwt', kid: ed.id },
        {
          '@context': [V2],
          type: ['VerifiablePresentation'],
          holder: edDid(),
          verifiableCredential: [
            {
              '@context': [V2],
              type: ['EnvelopedVerifiableCredential'],
              id: 'https://evil.example/vc',
            },
          ],
        },
      ),
    code: 'embedded_credential_invalid',
  },
  {
    name: 'JWT whose payload is an array',
    input: () => signCompact(ed, JSON.stringify([1, 2]), { protectedHeader: { typ: 'JWT' } }),
    code: 'malformed',
  },
  {
    name: 'JWT with a string exp',
    input: () =>
      rawCompact(ed, { alg: 'EdDSA', typ: 'JWT', kid: ed.id }, { iss: edDid(), exp: 'tomorrow' }),
    code: 'claim_invalid',
  },
  {
    name: 'JWT with a duplicate claim',
    input: () =>
      rawCompact(
        ed,
        { alg: 'EdDSA', typ: 'JWT', kid: ed.id },
        `{"iss":"${edDid()}","iss":"did:example:evil"}`,
      ),
    code: 'malformed',
  },
  // Parsers disagree on duplicates (first wins, last wins): the last payload here is the signed one.
  {
    name: 'JSON JWS with a duplicate payload member',
    input: async () => {
      const jws = await signFlattened({ signer: ed }, utf8(JSON.stringify({ ok: true })))
      return `{"payload":"${seg({ admin: true })}","payload":"${jws.payload}","protected":"${jws.protected}","signature":"${jws.signature}"}`
    },
    code: 'malformed',
  },
  {
    name: 'JSON JWS with no signatures',
    input: () => ({ payload: seg({ a: 1 }), signatures: [] }),
    code: 'malformed',
  },
  {
    name: 'algorithm outside the allow-list',
    input: () => good,
    code: 'algorithm_not_allowed',
    options: { algorithms: ['ES256'] },
  },
  {
    name: 'key outside the configured set',
    input: () => good,
    code: 'key_not_found',
    options: { resolver: staticResolver([]) },
  },
  // A document typed both VerifiableCredential and VerifiablePresentation verified as a presentation
  // (no issuer to bind, any key may sign one) while a reader of its `type` takes it for a credential.
  {
    name: 'vp+jwt typed VerifiableCredential too (a credential signed as a presentation)',
    input: () =>
      signJwt(
        other,
        {
          '@context': [V2],
          type: ['VerifiablePresentation', 'VerifiableCredential'],
          issuer: edDid(),
          credentialSubject: { id: 'did:example:alice' },
        },
        { typ: 'vp+jwt' },
      ),
    code: 'credential_invalid',
  },
  {
    name: 'vc+jwt typed VerifiablePresentation too',
    input: () =>
      signJwt(
        ed,
        {
          '@context': [V2],
          type: ['VerifiableCredential', 'VerifiablePresentation'],
          issuer: edDid(),
          credentialSubject: { id: 'did:example:alice' },
        },
        { typ: 'vc+jwt' },
      ),
    code: 'credential_invalid',
  },
  {
    name: 'expired plain JWT',
    input: () =>
      signJwt(
        ed,
        { iss: edDid(), exp: Math.floor(NOW / 1000) - 3600 },
        { issuedAt: Math.floor(NOW / 1000) - 7200 },
      ),
    code: 'expired',
    options: { now: NOW },
  },
]

describe('verify() on hostile input', () => {
  it('accepts the untampered credential and presentation (the rows below are tampered copies)', async () => {
    expect((await verify(good)).verified).toBe(true)
    expect(
      (await verify(goodVp, { audience: 'https://verifier.example', nonce: 'n-123' })).verified,
    ).toBe(true)
  })

  it(`has at least 30 rows (${rows.length})`, () => {
    expect(rows.length).toBeGreaterThanOrEqual(30)
  })

  for (const row of rows) {
    it(`${row.name} → ${row.code}`, async () => {
      const input = await row.input()
      let result
      try {
        result = await verify(input, row.options)
      } catch (error) {
        throw new Error(`verify() threw instead of answering: ${String(error)}`)
      }
      expect(result.verified).toBe(false)
      expect(result.errors.map((e) => e.code)).toContain(row.code)
      for (const error of result.errors) expect(typeof error.message).toBe('string')
    })
  }
})
