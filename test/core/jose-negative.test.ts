import { beforeAll, describe, expect, it } from 'vitest'
import {
  CredsignError,
  signCompact,
  signGeneral,
  verifyJws,
  verifyJwt,
  type ErrorCode,
  type KeyAlgorithm,
  type KeyResolver,
  type PublicJwk,
} from '../../src/index.js'
import { b64u, utf8 } from '../../src/util/bytes.js'
import { rawCompact, seg, testKey, withId, type TestKey } from './jose-helpers.js'

const NOW = Date.UTC(2030, 0, 1) // injected clock, epoch ms
const T = NOW / 1000
const payload = { hello: 'world' }
const keys = {} as Record<KeyAlgorithm, TestKey>
let otherEd: TestKey
let otherP256: TestKey

beforeAll(async () => {
  for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS'] as const)
    keys[algorithm] = await testKey(algorithm, 'k1')
  otherEd = await testKey('Ed25519', 'k1')
  otherP256 = await testKey('P-256', 'k1')
}, 120_000)

const ed = (): TestKey => keys.Ed25519
const p256 = (): TestKey => keys['P-256']
/** Verification with the Ed25519 key pinned. */
const withEd = (input: unknown, extra: Record<string, unknown> = {}): Promise<unknown> =>
  verifyJws(input, { key: ed().publicJwk, ...extra })
const resolverOf = (entries: Record<string, PublicJwk>): KeyResolver => ({
  async resolveKey(reference) {
    const publicJwk = entries[reference]
    if (!publicJwk) throw new CredsignError('key_not_found', 'unknown kid')
    return { id: reference, publicJwk }
  },
})
const edToken = (
  header: object | string = { alg: 'EdDSA', kid: 'k1' },
  body: object | string = payload,
): Promise<string> => rawCompact(ed().signer, header, body)
const replacePart = (token: string, index: number, value: string): string =>
  token
    .split('.')
    .map((part, i) => (i === index ? value : part))
    .join('.')
const jwtOptions = { now: NOW }
const edJwt = (
  claims: Record<string, unknown>,
  header: object = { alg: 'EdDSA', typ: 'JWT' },
): Promise<string> => rawCompact(ed().signer, header, claims)

async function hmacToken(secret: Uint8Array): Promise<string> {
  const input = `${seg({ alg: 'HS256', kid: 'k1' })}.${seg(payload)}`
  const key = await crypto.subtle.importKey(
    'raw',
    secret as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return `${input}.${b64u(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(input) as Uint8Array<ArrayBuffer>)))}`
}

interface Row {
  name: string
  code: ErrorCode
  run: () => Promise<unknown>
}

const rows: Row[] = [
  // algorithm
  {
    name: 'alg none without signature',
    code: 'algorithm_not_allowed',
    run: async () => withEd(`${seg({ alg: 'none' })}.${seg(payload)}.`),
  },
  {
    name: 'alg none with a signature',
    code: 'algorithm_not_allowed',
    run: async () => withEd(await edToken({ alg: 'none', kid: 'k1' })),
  },
  {
    name: 'alg NONE (case variant)',
    code: 'algorithm_not_allowed',
    run: async () => withEd(await edToken({ alg: 'NONE' })),
  },
  {
    name: 'alg HS256, public key JSON as the HMAC secret',
    code: 'algorithm_not_allowed',
    run: async () => withEd(await hmacToken(utf8(JSON.stringify(ed().publicJwk)))),
  },
  {
    name: 'alg HS256, raw public key bytes as the HMAC secret, via resolver',
    code: 'algorithm_not_allowed',
    run: async () =>
      verifyJws(await hmacToken(utf8(ed().publicJwk.kid as string)), {
        resolver: resolverOf({ k1: ed().publicJwk }),
      }),
  },
  {
    name: 'ES256 header with an Ed25519 key',
    code: 'algorithm_not_allowed',
    run: async () => withEd(await edToken({ alg: 'ES256', kid: 'k1' })),
  },
  {
    name: 'ES256 header, kid resolves to an RSA key',
    code: 'algorithm_not_allowed',
    run: async () =>
      verifyJws(await rawCompact(p256().signer, { alg: 'ES256', kid: 'k1' }, payload), {
        resolver: resolverOf({ k1: keys['RSA-PSS'].publicJwk }),
      }),
  },
  {
    name: 'ES256K header with a P-256 key (curve confusion)',
    code: 'algorithm_not_allowed',
    run: async () =>
      verifyJws(await rawCompact(p256().signer, { alg: 'ES256K' }, payload), {
        key: p256().publicJwk,
      }),
  },
  {
    name: 'EdDSA header with a JWK Set key of another type under that kid',
    code: 'algorithm_not_allowed',
    run: async () =>
      verifyJws(await edToken(), { jwks: { keys: [{ ...p256().publicJwk, kid: 'k1' }] } }),
  },
  // An RSA key is used with one algorithm: a PS256 signature relabelled RS256 or PS384 never verifies.
  {
    name: 'PS256 signature under an RS256 header (key without alg)',
    code: 'signature_invalid',
    run: async () =>
      verifyJws(await rawCompact(keys['RSA-PSS'].signer, { alg: 'RS256' }, payload), {
        key: keys['RSA-PSS'].publicJwk,
      }),
  },
  {
    name: 'PS256 signature under a PS384 header (key without alg)',
    code: 'signature_invalid',
    run: async () =>
      verifyJws(await rawCompact(keys['RSA-PSS'].signer, { alg: 'PS384' }, payload), {
        key: keys['RSA-PSS'].publicJwk,
      }),
  },
  {
    name: 'RS256 header, key whose JWK alg is PS256',
    code: 'algorithm_not_allowed',
    run: async () =>
      verifyJws(await rawCompact(keys['RSA-PSS'].signer, { alg: 'RS256' }, payload), {
        key: { ...keys['RSA-PSS'].publicJwk, alg: 'PS256' },
      }),
  },
  {
    name: 'RS256 outside options.algorithms',
    code: 'algorithm_not_allowed',
    run: async () =>
      verifyJws(await rawCompact(keys['RSA-PSS'].signer, { alg: 'RS256' }, payload), {
        key: keys['RSA-PSS'].publicJwk,
        algorithms: ['PS256'],
      }),
  },
  {
    name: 'ES512 header with a P-256 key (curve confusion)',
    code: 'algorithm_not_allowed',
    run: async () =>
      verifyJws(await rawCompact(p256().signer, { alg: 'ES512' }, payload), {
        key: p256().publicJwk,
      }),
  },
  {
    name: 'ESP384 header with a P-256 key (curve confusion)',
    code: 'algorithm_not_allowed',
    run: async () =>
      verifyJws(await rawCompact(p256().signer, { alg: 'ESP384' }, payload), {
        key: p256().publicJwk,
      }),
  },
  {
    name: 'alg outside options.algorithms',
    code: 'algorithm_not_allowed',
    run: async () =>
      verifyJws(await signCompact(p256().signer, 'x'), {
        key: p256().publicJwk,
        algorithms: ['EdDSA'],
      }),
  },
  {
    name: 'key whose JWK alg is RS256 for a PS256 token',
    code: 'algorithm_not_allowed',
    run: async () =>
      verifyJws(await signCompact(keys['RSA-PSS'].signer, 'x'), {
        key: { ...keys['RSA-PSS'].publicJwk, alg: 'RS256' },
      }),
  },
  {
    name: 'key with use enc',
    code: 'algorithm_not_allowed',
    run: async () =>
      verifyJws(await signCompact(p256().signer, 'x'), {
        key: { ...p256().publicJwk, use: 'enc' as never },
      }),
  },
  // signature
  {
    name: 'wrong key of the right type',
    code: 'signature_invalid',
    run: async () => verifyJws(await edToken(), { key: otherEd.publicJwk }),
  },
  {
    name: 'signature of another token',
    code: 'signature_invalid',
    run: async () =>
      withEd(
        replacePart(
          await edToken(),
          2,
          (await edToken(undefined, { other: 1 })).split('.')[2] as string,
        ),
      ),
  },
  {
    name: 'swapped headers between two tokens',
    code: 'signature_invalid',
    run: async () => {
      const a = await signCompact(ed().signer, 'a', { protectedHeader: { typ: 'JWT' } })
      const b = await signCompact(ed().signer, 'b', { protectedHeader: { typ: 'at+jwt' } })
      return withEd(replacePart(b, 0, a.split('.')[0] as string))
    },
  },
  {
    name: 'payload changed',
    code: 'signature_invalid',
    run: async () => withEd(replacePart(await edToken(), 1, seg({ hello: 'mallory' }))),
  },
  {
    name: 'empty signature',
    code: 'signature_invalid',
    run: async () => withEd(replacePart(await edToken(), 2, '')),
  },
  {
    name: 'truncated ECDSA signature',
    code: 'signature_invalid',
    run: async () =>
      verifyJws(replacePart(await signCompact(p256().signer, 'x'), 2, b64u(new Uint8Array(63))), {
        key: p256().publicJwk,
      }),
  },
  {
    name: 'ECDSA signature of zeros (r = s = 0)',
    code: 'signature_invalid',
    run: async () =>
      verifyJws(replacePart(await signCompact(p256().signer, 'x'), 2, b64u(new Uint8Array(64))), {
        key: p256().publicJwk,
      }),
  },
  // base64url and structure
  {
    name: 'padding in the signature',
    code: 'malformed',
    run: async () => withEd(`${await edToken()}==`),
  },
  {
    name: '+ in the payload',
    code: 'malformed',
    run: async () => withEd(replacePart(await edToken(), 1, `${seg(payload)}+`)),
  },
  { name: '/ in the header', code: 'malformed', run: async () => withEd(`/${await edToken()}`) },
  { name: 'trailing newline', code: 'malformed', run: async () => withEd(`${await edToken()}\n`) },
  {
    name: 'space inside a segment',
    code: 'malformed',
    run: async () => withEd((await edToken()).replace('.', ' .')),
  },
  {
    name: 'non-canonical base64url (non-zero trailing bits)',
    code: 'malformed',
    run: async () => withEd(replacePart(await edToken(), 1, 'AB')),
  },
  {
    name: 'impossible base64url length',
    code: 'malformed',
    run: async () => withEd(replacePart(await edToken(), 1, 'AAAAA')),
  },
  {
    name: '2 parts',
    code: 'malformed',
    run: async () => withEd((await edToken()).split('.').slice(0, 2).join('.')),
  },
  { name: '4 parts', code: 'malformed', run: async () => withEd(`${await edToken()}.AAAA`) },
  { name: 'empty string', code: 'malformed', run: async () => withEd('') },
  { name: 'not a string or object (number)', code: 'malformed', run: async () => withEd(42) },
  {
    name: 'not a string or object (bytes)',
    code: 'malformed',
    run: async () => withEd(new Uint8Array(3)),
  },
  {
    name: 'empty protected header segment',
    code: 'malformed',
    run: async () => withEd(replacePart(await edToken(), 0, '')),
  },
  // sizes
  {
    name: 'oversized header (> 8 KiB)',
    code: 'malformed',
    run: async () => withEd(await edToken({ alg: 'EdDSA', pad: 'x'.repeat(9000) })),
  },
  {
    name: 'oversized header (custom limit)',
    code: 'malformed',
    run: async () =>
      withEd(await edToken({ alg: 'EdDSA', pad: 'x'.repeat(200) }), { maxHeaderBytes: 100 }),
  },
  {
    name: 'oversized payload (custom limit)',
    code: 'malformed',
    run: async () =>
      withEd(await edToken(undefined, { pad: 'x'.repeat(200) }), { maxPayloadBytes: 100 }),
  },
  {
    name: 'oversized total (> 1 MiB)',
    code: 'malformed',
    run: async () => withEd(`${seg({ alg: 'EdDSA' })}.${'A'.repeat(1024 * 1024)}.AAAA`),
  },
  {
    name: 'oversized JSON object input',
    code: 'malformed',
    run: async () =>
      withEd(
        { payload: 'A'.repeat(2000), protected: seg({ alg: 'EdDSA' }), signature: 'AAAA' },
        { maxInputBytes: 1000 },
      ),
  },
  {
    name: 'too many signatures',
    code: 'malformed',
    run: async () =>
      withEd({
        payload: '',
        signatures: Array.from({ length: 11 }, () => ({
          protected: seg({ alg: 'EdDSA' }),
          signature: 'AAAA',
        })),
      }),
  },
  // header JSON
  {
    name: 'header not JSON',
    code: 'malformed',
    run: async () => withEd(await edToken('{alg:EdDSA}')),
  },
  {
    name: 'header is a JSON array',
    code: 'malformed',
    run: async () => withEd(await edToken('["EdDSA"]')),
  },
  {
    name: 'header is a JSON string',
    code: 'malformed',
    run: async () => withEd(await edToken('"EdDSA"')),
  },
  {
    name: 'header has a duplicate member',
    code: 'malformed',
    run: async () => withEd(await edToken('{"alg":"ES256","alg":"EdDSA"}')),
  },
  {
    name: 'header has a duplicate member spelled with an escape',
    code: 'malformed',
    run: async () => withEd(await edToken('{"alg":"EdDSA","kid":"a","\\u006bid":"b"}')),
  },
  {
    name: 'header has a duplicate member in a nested object',
    code: 'malformed',
    run: async () => withEd(await edToken('{"alg":"EdDSA","x":{"a":1,"a":2}}')),
  },
  {
    name: 'header is not UTF-8',
    code: 'malformed',
    run: async () => withEd(`${b64u(new Uint8Array([0x7b, 0xff, 0x7d]))}.${seg(payload)}.AAAA`),
  },
  {
    name: 'header starts with a BOM',
    code: 'malformed',
    run: async () => withEd(await edToken('\ufeff{"alg":"EdDSA"}')),
  },
  {
    name: 'header nested 100,000 levels deep',
    code: 'malformed',
    run: async () =>
      withEd(`${seg('['.repeat(100_000))}.${seg(payload)}.AAAA`, { maxHeaderBytes: 300_000 }),
  },
  {
    name: 'header nested 100,000 levels, balanced',
    code: 'malformed',
    run: async () =>
      withEd(
        `${seg(`{"alg":"EdDSA","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)}.${seg(payload)}.AAAA`,
        { maxHeaderBytes: 300_000 },
      ),
  },
  {
    name: 'JSON serialization text of 100,000 [',
    code: 'malformed',
    run: async () => withEd(`{"payload":${'['.repeat(100_000)}`),
  },
  {
    name: 'JSON serialization object nested 100,000 levels',
    code: 'malformed',
    run: async () => {
      let deep: unknown = 1
      for (let i = 0; i < 100_000; i++) deep = [deep]
      return withEd({
        payload: '',
        protected: seg({ alg: 'EdDSA' }),
        header: { deep },
        signature: '',
      })
    },
  },
  { name: 'alg missing', code: 'malformed', run: async () => withEd(await edToken({ kid: 'k1' })) },
  {
    name: 'alg not a string',
    code: 'malformed',
    run: async () => withEd(await edToken({ alg: ['EdDSA'] })),
  },
  {
    name: 'kid not a string',
    code: 'malformed',
    run: async () => withEd(await edToken({ alg: 'EdDSA', kid: 7 })),
  },
  // crit
  {
    name: 'unknown crit',
    code: 'crit_unsupported',
    run: async () => withEd(await edToken({ alg: 'EdDSA', crit: ['exp'], exp: 1 })),
  },
  {
    name: 'crit empty array',
    code: 'crit_unsupported',
    run: async () => withEd(await edToken({ alg: 'EdDSA', crit: [] })),
  },
  {
    name: 'crit not an array',
    code: 'crit_unsupported',
    run: async () =>
      withEd(await edToken({ alg: 'EdDSA', crit: 'exp', exp: 1 }), { crit: ['exp'] }),
  },
  {
    name: 'crit naming a registered header (kid)',
    code: 'crit_unsupported',
    run: async () =>
      withEd(await edToken({ alg: 'EdDSA', kid: 'k1', crit: ['kid'] }), { crit: ['kid'] }),
  },
  {
    name: 'crit naming a parameter absent from the header',
    code: 'crit_unsupported',
    run: async () => withEd(await edToken({ alg: 'EdDSA', crit: ['exp'] }), { crit: ['exp'] }),
  },
  {
    name: 'crit naming a member of the unprotected header only',
    code: 'crit_unsupported',
    run: async () =>
      withEd(
        { ...(await flattened({ alg: 'EdDSA', crit: ['exp'] })), header: { exp: 1 } },
        { crit: ['exp'] },
      ),
  },
  {
    name: 'crit in the unprotected header',
    code: 'crit_unsupported',
    run: async () =>
      withEd(
        { ...(await flattened({ alg: 'EdDSA', exp: 1 })), header: { crit: ['exp'] } },
        { crit: ['exp'] },
      ),
  },
  {
    name: 'crit b64 (unencoded payload, unsupported)',
    code: 'crit_unsupported',
    run: async () =>
      withEd(await edToken({ alg: 'EdDSA', b64: false, crit: ['b64'] }), { crit: ['b64'] }),
  },
  {
    name: 'b64 false without crit',
    code: 'crit_unsupported',
    run: async () => withEd(await edToken({ alg: 'EdDSA', b64: false })),
  },
  // keys
  {
    name: 'kid not found',
    code: 'key_not_found',
    run: async () => verifyJws(await edToken(), { resolver: resolverOf({}) }),
  },
  {
    name: 'kid not in the JWK Set',
    code: 'key_not_found',
    run: async () =>
      verifyJws(await edToken(), { jwks: { keys: [{ ...ed().publicJwk, kid: 'k2' }] } }),
  },
  {
    name: 'plain kid with the default resolver',
    code: 'key_not_found',
    run: async () => verifyJws(await edToken()),
  },
  {
    name: 'no kid and no key',
    code: 'key_not_found',
    run: async () => verifyJws(await edToken({ alg: 'EdDSA' })),
  },
  {
    name: 'embedded jwk without allowEmbeddedJwk',
    code: 'key_not_found',
    run: async () => verifyJws(await edToken({ alg: 'EdDSA', jwk: ed().publicJwk })),
  },
  {
    name: 'embedded jwk holding a private member',
    code: 'malformed',
    run: async () =>
      verifyJws(await edToken({ alg: 'EdDSA', jwk: { ...ed().publicJwk, d: 'AAAA' } }), {
        allowEmbeddedJwk: true,
      }),
  },
  {
    name: 'embedded jwk of another key (allowEmbeddedJwk)',
    code: 'signature_invalid',
    run: async () =>
      verifyJws(await edToken({ alg: 'EdDSA', jwk: otherEd.publicJwk }), {
        allowEmbeddedJwk: true,
      }),
  },
  {
    name: 'resolver throwing a plain Error',
    code: 'key_resolution_failed',
    run: async () =>
      verifyJws(await edToken(), {
        resolver: {
          resolveKey: async () => {
            throw new Error('boom')
          },
        },
      }),
  },
  {
    name: 'resolver returning garbage',
    code: 'key_resolution_failed',
    run: async () =>
      verifyJws(await edToken(), { resolver: { resolveKey: async () => 42 as never } }),
  },
  {
    name: 'malformed did:key kid',
    code: 'malformed',
    run: async () => verifyJws(await edToken({ alg: 'EdDSA', kid: 'did:key:z6Mk!!' })),
  },
  {
    name: 'resolver throwing a code outside the KeyResolver contract',
    code: 'key_resolution_failed',
    run: async () =>
      verifyJws(await edToken(), {
        resolver: {
          resolveKey: async () => {
            throw new CredsignError('invalid_key', 'bad')
          },
        },
      }),
  },
  // JSON serializations
  {
    name: 'protected and unprotected both carry alg',
    code: 'malformed',
    run: async () => withEd({ ...(await flattened({ alg: 'EdDSA' })), header: { alg: 'EdDSA' } }),
  },
  {
    name: 'protected and unprotected share a member',
    code: 'malformed',
    run: async () =>
      withEd({ ...(await flattened({ alg: 'EdDSA', typ: 'a' })), header: { typ: 'b' } }),
  },
  {
    name: 'alg only in the unprotected header',
    code: 'malformed',
    run: async () => withEd({ payload: seg(payload), header: { alg: 'EdDSA' }, signature: 'AAAA' }),
  },
  {
    name: 'unprotected header not an object',
    code: 'malformed',
    run: async () => withEd({ ...(await flattened({ alg: 'EdDSA' })), header: ['x'] }),
  },
  {
    name: 'general JSON with zero signatures',
    code: 'malformed',
    run: async () => withEd({ payload: seg(payload), signatures: [] }),
  },
  {
    name: 'general JSON with a top-level signature too',
    code: 'malformed',
    run: async () =>
      withEd({ ...(await signGeneral('x', [{ signer: ed().signer }])), signature: 'AAAA' }),
  },
  {
    name: 'general JSON entry not an object',
    code: 'malformed',
    run: async () => withEd({ payload: seg(payload), signatures: ['AAAA'] }),
  },
  {
    name: 'detached payload',
    code: 'malformed',
    run: async () => {
      const { payload: _p, ...rest } = await flattened({ alg: 'EdDSA' })
      return withEd(rest)
    },
  },
  {
    name: 'JSON text that is an array',
    code: 'malformed',
    run: async () => withEd('[{"payload":""}]'),
  },
  {
    name: 'JSON serialization with a duplicate payload member',
    code: 'malformed',
    run: async () => {
      const f = await flattened({ alg: 'EdDSA' })
      return withEd(
        `{"payload":"${seg({ a: 1 })}","payload":"${f.payload}","protected":"${f.protected}","signature":"${f.signature}"}`,
      )
    },
  },
  // JWT
  {
    name: 'JWT expired',
    code: 'expired',
    run: async () =>
      verifyJwt(await edJwt({ exp: T - 61 }), { key: ed().publicJwk, ...jwtOptions }),
  },
  {
    name: 'JWT not yet valid (nbf)',
    code: 'not_yet_valid',
    run: async () =>
      verifyJwt(await edJwt({ nbf: T + 61 }), { key: ed().publicJwk, ...jwtOptions }),
  },
  {
    name: 'JWT issued in the future (iat)',
    code: 'not_yet_valid',
    run: async () =>
      verifyJwt(await edJwt({ iat: T + 3600 }), { key: ed().publicJwk, ...jwtOptions }),
  },
  {
    name: 'JWT older than maxAgeSeconds',
    code: 'expired',
    run: async () =>
      verifyJwt(await edJwt({ iat: T - 600 }), {
        key: ed().publicJwk,
        maxAgeSeconds: 300,
        ...jwtOptions,
      }),
  },
  {
    name: 'JWT wrong audience',
    code: 'audience_mismatch',
    run: async () =>
      verifyJwt(await edJwt({ aud: ['https://a.example', 'https://b.example'] }), {
        key: ed().publicJwk,
        audience: 'https://c.example',
        ...jwtOptions,
      }),
  },
  {
    name: 'JWT without aud when one is expected',
    code: 'audience_mismatch',
    run: async () =>
      verifyJwt(await edJwt({}), {
        key: ed().publicJwk,
        audience: 'https://c.example',
        ...jwtOptions,
      }),
  },
  {
    name: 'JWT nonce mismatch',
    code: 'nonce_mismatch',
    run: async () =>
      verifyJwt(await edJwt({ nonce: 'n-1' }), {
        key: ed().publicJwk,
        nonce: 'n-2',
        ...jwtOptions,
      }),
  },
  {
    name: 'JWT typ mismatch',
    code: 'typ_mismatch',
    run: async () =>
      verifyJwt(await edJwt({}, { alg: 'EdDSA', typ: 'at+jwt' }), {
        key: ed().publicJwk,
        typ: 'vc+jwt',
        ...jwtOptions,
      }),
  },
  {
    name: 'JWT typ missing when required',
    code: 'typ_mismatch',
    run: async () =>
      verifyJwt(await edJwt({}, { alg: 'EdDSA' }), {
        key: ed().publicJwk,
        typ: 'JWT',
        ...jwtOptions,
      }),
  },
  {
    name: 'JWT issuer mismatch',
    code: 'issuer_mismatch',
    run: async () =>
      verifyJwt(await edJwt({ iss: 'https://evil.example' }), {
        key: ed().publicJwk,
        issuer: 'https://issuer.example',
        ...jwtOptions,
      }),
  },
  {
    name: 'JWT iat not numeric',
    code: 'claim_invalid',
    run: async () =>
      verifyJwt(await edJwt({ iat: '2010-01-01T19:23:24Z' }), {
        key: ed().publicJwk,
        ...jwtOptions,
      }),
  },
  {
    name: 'JWT exp not numeric',
    code: 'claim_invalid',
    run: async () =>
      verifyJwt(await edJwt({ exp: String(T + 600) }), { key: ed().publicJwk, ...jwtOptions }),
  },
  {
    name: 'JWT nbf null',
    code: 'claim_invalid',
    run: async () => verifyJwt(await edJwt({ nbf: null }), { key: ed().publicJwk, ...jwtOptions }),
  },
  {
    name: 'JWT aud not a string',
    code: 'claim_invalid',
    run: async () => verifyJwt(await edJwt({ aud: [1] }), { key: ed().publicJwk, ...jwtOptions }),
  },
  {
    name: 'JWT iss not a string',
    code: 'claim_invalid',
    run: async () =>
      verifyJwt(await edJwt({ iss: { id: 'x' } }), { key: ed().publicJwk, ...jwtOptions }),
  },
  {
    name: 'JWT required claim missing',
    code: 'claim_invalid',
    run: async () =>
      verifyJwt(await edJwt({ sub: 'a' }), {
        key: ed().publicJwk,
        requiredClaims: ['exp'],
        ...jwtOptions,
      }),
  },
  {
    name: 'JWT subject mismatch',
    code: 'claim_invalid',
    run: async () =>
      verifyJwt(await edJwt({ sub: 'a' }), { key: ed().publicJwk, subject: 'b', ...jwtOptions }),
  },
  {
    name: 'JWT payload a JSON array',
    code: 'malformed',
    run: async () =>
      verifyJwt(await edJwt([1, 2] as never), { key: ed().publicJwk, ...jwtOptions }),
  },
  {
    name: 'JWT payload not JSON',
    code: 'malformed',
    run: async () =>
      verifyJwt(await rawCompact(ed().signer, { alg: 'EdDSA' }, 'not json'), {
        key: ed().publicJwk,
        ...jwtOptions,
      }),
  },
  {
    name: 'JWT payload with a duplicate claim',
    code: 'malformed',
    run: async () =>
      verifyJwt(await rawCompact(ed().signer, { alg: 'EdDSA' }, '{"aud":"a","aud":"b"}'), {
        key: ed().publicJwk,
        ...jwtOptions,
      }),
  },
  {
    name: 'JWT payload nested 100,000 levels (signed)',
    code: 'malformed',
    run: async () =>
      verifyJwt(
        await rawCompact(
          ed().signer,
          { alg: 'EdDSA' },
          `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
        ),
        { key: ed().publicJwk, ...jwtOptions },
      ),
  },
  {
    name: 'JWT in JSON serialization',
    code: 'malformed',
    run: async () =>
      verifyJwt(JSON.stringify(await flattened({ alg: 'EdDSA' })), {
        key: ed().publicJwk,
        ...jwtOptions,
      }),
  },
  {
    name: 'JWT not a string',
    code: 'malformed',
    run: async () => verifyJwt({} as never, { key: ed().publicJwk, ...jwtOptions }),
  },
  {
    name: 'JWT with alg none',
    code: 'algorithm_not_allowed',
    run: async () =>
      verifyJwt(`${seg({ alg: 'none', typ: 'JWT' })}.${seg({ sub: 'admin' })}.`, {
        key: ed().publicJwk,
        ...jwtOptions,
      }),
  },
  // options
  {
    name: 'key and jwks together',
    code: 'invalid_argument',
    run: async () => verifyJws(await edToken(), { key: ed().publicJwk, jwks: { keys: [] } }),
  },
  {
    name: 'algorithms naming HS256',
    code: 'invalid_argument',
    run: async () =>
      verifyJws(await edToken(), { key: ed().publicJwk, algorithms: ['HS256' as never] }),
  },
  {
    name: 'a negative size limit',
    code: 'invalid_argument',
    run: async () => verifyJws(await edToken(), { key: ed().publicJwk, maxInputBytes: -1 }),
  },
  {
    name: 'a toJSON() that hides an oversized signature from the size check',
    code: 'malformed',
    run: async () => {
      const token = await flattened({ alg: 'EdDSA' })
      const jws = {
        ...token,
        signature: `${token.signature}${'A'.repeat(2_000_000)}`,
        toJSON: () => ({ payload: 'e30' }),
      }
      return withEd(jws)
    },
  },
]

async function flattened(
  header: Record<string, unknown>,
): Promise<{ payload: string; protected: string; signature: string }> {
  const input = `${seg(header)}.${seg(payload)}`
  return {
    payload: seg(payload),
    protected: seg(header),
    signature: b64u(await ed().signer.sign(utf8(input))),
  }
}

describe('hostile and malformed input: every row fails with its exact code', () => {
  it('has more than 100 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(100)
    expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length)
  })
  for (const row of rows) {
    it(`${row.name} → ${row.code}`, async () => {
      let caught: unknown
      try {
        await row.run()
      } catch (error) {
        caught = error
      }
      expect(caught, 'expected a CredsignError').toBeInstanceOf(CredsignError)
      expect((caught as CredsignError).code, (caught as Error).message).toBe(row.code)
    })
  }
})

describe('the checks do not reject what they should accept', () => {
  it('a well-formed token of each kind used above verifies', async () => {
    await expect(withEd(await edToken())).resolves.toBeTruthy()
    await expect(
      verifyJws(await edToken({ alg: 'EdDSA', exp: 1, crit: ['exp'] }), {
        key: ed().publicJwk,
        crit: ['exp'],
      }),
    ).resolves.toBeTruthy()
    await expect(
      verifyJws(await edToken({ alg: 'EdDSA', jwk: ed().publicJwk }), { allowEmbeddedJwk: true }),
    ).resolves.toMatchObject({ key: { id: ed().publicJwk.kid } })
    await expect(
      verifyJws(await edToken(), {
        resolver: resolverOf({ k1: otherEd.publicJwk }),
        allowEmbeddedJwk: true,
      }),
    ).rejects.toMatchObject({ code: 'signature_invalid' })
    await expect(
      verifyJws(await edToken({ alg: 'EdDSA', kid: 'unknown', jwk: ed().publicJwk }), {
        resolver: resolverOf({}),
        allowEmbeddedJwk: true,
      }),
    ).resolves.toBeTruthy()
    await expect(
      verifyJws(await signCompact(keys['RSA-PSS'].signer, 'x'), {
        key: { ...keys['RSA-PSS'].publicJwk, alg: 'PS256', use: 'sig', key_ops: ['verify'] },
      }),
    ).resolves.toBeTruthy()
    await expect(
      verifyJwt(await edJwt({ exp: T - 59, nbf: T + 59, iat: T + 59 }), {
        key: ed().publicJwk,
        ...jwtOptions,
      }),
    ).resolves.toBeTruthy()
    await expect(withEd(await edToken({ alg: 'EdDSA', b64: true }))).resolves.toBeTruthy()
    await expect(
      withEd(
        await edToken({
          alg: 'EdDSA',
          nested: { a: { b: [1, { c: 2 }] } },
          __proto__: { polluted: true },
        }),
      ),
    ).resolves.toBeTruthy()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('a JSON serialization object is read once: a getter cannot show the limits fewer signatures than are verified', async () => {
    const entry = { protected: seg({ alg: 'EdDSA', kid: 'k1' }), signature: 'AAAA' }
    let reads = 0
    let resolutions = 0
    // One entry for the size and count checks, fifty (each a key resolution) afterwards.
    const jws = {
      payload: seg(payload),
      get signatures() {
        reads += 1
        return reads <= 4 ? [entry] : Array.from({ length: 50 }, () => entry)
      },
    }
    const resolver: KeyResolver = {
      async resolveKey() {
        resolutions += 1
        throw new CredsignError('key_not_found', 'unknown kid')
      },
    }
    await expect(verifyJws(jws, { maxSignatures: 1, resolver })).rejects.toMatchObject({
      code: 'key_not_found',
    })
    expect(resolutions).toBe(1)
  })

  it('general JSON: a malformed entry does not stop a good one', async () => {
    const good = await signGeneral(seg(payload), [{ signer: ed().signer }])
    const jws = {
      payload: good.payload,
      signatures: [{ protected: 'AB', signature: 'AAAA' }, ...good.signatures],
    }
    await expect(withEd(jws)).resolves.toBeTruthy()
  })

  it('a JWK Set without kid match: keys of the fitting type are tried in turn', async () => {
    const token = await signCompact(p256().signer, 'x', { includeKid: false })
    const jwks = {
      keys: [
        ed().publicJwk,
        { ...otherP256.publicJwk },
        { ...p256().publicJwk, use: 'enc' as never },
        p256().publicJwk,
      ],
    }
    await expect(verifyJws(token, { jwks })).resolves.toMatchObject({
      key: { id: p256().publicJwk.kid },
    })
    await expect(verifyJws(token, { jwks: { keys: [otherP256.publicJwk] } })).rejects.toMatchObject(
      { code: 'signature_invalid' },
    )
    await expect(verifyJws(token, { jwks: { keys: [ed().publicJwk] } })).rejects.toMatchObject({
      code: 'key_not_found',
    })
  })

  it('signature verification: ES256K with a secp256k1 key and high-S ECDSA are accepted', async () => {
    const token = await signCompact(withId(keys.secp256k1, 'k'), 'x')
    await expect(verifyJws(token, { key: keys.secp256k1.publicJwk })).resolves.toBeTruthy()
    // make the P-256 signature high-S: s' = n - s verifies the same message
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
    const jws = await signCompact(p256().signer, 'x')
    const [h, p, s] = jws.split('.') as [string, string, string]
    const sig = Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) =>
      c.charCodeAt(0),
    )
    let low = 0n
    for (const byte of sig.subarray(32)) low = (low << 8n) | BigInt(byte)
    const high = n - low
    const out = new Uint8Array(sig)
    for (let i = 0; i < 32; i++) out[63 - i] = Number((high >> BigInt(8 * i)) & 0xffn)
    await expect(
      verifyJws(`${h}.${p}.${b64u(out)}`, { key: p256().publicJwk }),
    ).resolves.toBeTruthy()
  })
})
