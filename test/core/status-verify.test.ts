// verify() and status lists: each status read from a list that verified, and every forged or broken
// list a typed code, never a pass and never a throw. The lists are made here from the codecs and the
// signers, so forged ones can be made too.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createResolver,
  CredsignError,
  createStatusListResolver,
  signJwt,
  staticResolver,
  verify,
  JwtVpSigner,
  envelopeCredential,
  encodeBitstring,
  compressStatusList,
  type Signer,
  type VerificationResult,
} from '../../src/index.js'
import { verifyWith } from '../../src/verify/engine.js'
import { builtInHandlers } from '../../src/formats/built-in-handlers.js'
import { b64u } from '../../src/util/bytes.js'
import { codes, didOf, didSigner, presentationV2 } from './vc-helpers.js'
import {
  LIST_URL,
  TOKEN_URL,
  bitstringEntry,
  bitstringListJwt,
  credentialWithStatus,
  sdJwtWithStatus,
  servingFetch,
  tokenList,
} from './status-helpers.js'
import type { PublicJwk } from '../../src/index.js'

const RAW = import.meta.glob('../fixtures/status/ietf-status-list-token-example.json', {
  eager: true,
  query: '?raw',
  import: 'default',
}) as Record<string, string>
/** Draft-ietf-oauth-status-list's example Status List Token and key (see the file's `source`). */
const example = JSON.parse(Object.values(RAW)[0] as string) as {
  statusListToken: string
  publicJwk: PublicJwk & { kid: string }
  issuer: string
  uri: string
  iat: number
  statuses: number[]
}

let issuer: Signer
let other: Signer

beforeAll(async () => {
  issuer = await didSigner('Ed25519')
  other = await didSigner('Ed25519')
})

const statusChecks = (result: VerificationResult) =>
  result.checks.filter((check) => check.name.startsWith('status'))

/** Verify() with one list given by URL (no network). */
async function verifyWithList(
  input: unknown,
  lists: Record<string, string | Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): Promise<VerificationResult> {
  return verify(input, { statusLists: createStatusListResolver({ lists, ...extra }) })
}

describe('offline by default', () => {
  it('a status that is not checked is a visible status_unchecked check, never a silent pass', async () => {
    const vc = await credentialWithStatus(issuer, bitstringEntry(7))
    const result = await verify(vc)
    expect(result.verified).toBe(true)
    expect(statusChecks(result)).toEqual([
      expect.objectContaining({ name: 'status_unchecked', passed: false }),
    ])
    expect(result.status).toBeUndefined()
    const sd = await verify(await sdJwtWithStatus(issuer, 3))
    expect(sd.verified).toBe(true)
    expect(statusChecks(sd)).toEqual([
      expect.objectContaining({ name: 'status_unchecked', passed: false }),
    ])
  })

  it('fetches nothing without statusLists, and nothing without a fetch in statusLists', async () => {
    const served = servingFetch({})
    const vc = await credentialWithStatus(issuer, bitstringEntry(7))
    await verify(vc)
    const result = await verify(vc, { statusLists: createStatusListResolver() })
    expect(codes(result)).toEqual(['status_list_unavailable'])
    expect(served.calls).toEqual([])
  })
})

describe('Bitstring Status List (credentialStatus)', () => {
  it('reads revocation: set is status_revoked, unset passes with a status check', async () => {
    const list = await bitstringListJwt(issuer, { set: { 94567: 1 } })
    const revoked = await verifyWithList(
      await credentialWithStatus(issuer, bitstringEntry(94567)),
      { [LIST_URL]: list },
    )
    expect(revoked.verified).toBe(false)
    expect(codes(revoked)).toEqual(['status_revoked'])
    expect(revoked.status).toEqual([
      expect.objectContaining({ purpose: 'revocation', index: 94567, value: 1, valid: false }),
    ])
    const fine = await verifyWithList(await credentialWithStatus(issuer, bitstringEntry(94566)), {
      [LIST_URL]: list,
    })
    expect(fine.verified).toBe(true)
    expect(statusChecks(fine)).toEqual([expect.objectContaining({ name: 'status', passed: true })])
    expect(fine.status?.[0]).toMatchObject({ value: 0, valid: true })
  })

  it('reads suspension, refresh, message, and several entries at once', async () => {
    const suspension = `${LIST_URL}-s`
    const message = `${LIST_URL}-m`
    const lists = {
      [LIST_URL]: await bitstringListJwt(issuer, { set: { 5: 1 } }),
      [suspension]: await bitstringListJwt(issuer, {
        url: suspension,
        purpose: ['suspension', 'refresh'],
        set: { 9: 1 },
      }),
      [message]: await bitstringListJwt(issuer, {
        url: message,
        purpose: 'message',
        statusSize: 2,
        set: { 4: 2 },
      }),
    }
    const statusMessage = [
      { status: '0x0', message: 'pending_review' },
      { status: '0x1', message: 'accepted' },
      { status: '0x2', message: 'rejected' },
      { status: '0x3', message: 'undefined' },
    ]
    const entries = [
      bitstringEntry(6),
      bitstringEntry(9, { statusPurpose: 'suspension', statusListCredential: suspension }),
      bitstringEntry(9, { statusPurpose: 'refresh', statusListCredential: suspension }),
      bitstringEntry(4, {
        statusPurpose: 'message',
        statusListCredential: message,
        statusSize: 2,
        statusMessage,
      }),
    ]
    const result = await verifyWithList(await credentialWithStatus(issuer, entries), lists)
    expect(codes(result)).toEqual(['status_suspended'])
    expect(result.errors[0]?.path).toBe('credentialStatus[1]')
    expect(result.status).toEqual([
      expect.objectContaining({ purpose: 'revocation', value: 0, valid: true }),
      expect.objectContaining({ purpose: 'suspension', value: 1, valid: false }),
      expect.objectContaining({ purpose: 'refresh', value: 1, valid: true }),
      expect.objectContaining({ purpose: 'message', value: 2, message: 'rejected', valid: true }),
    ])
    // Without the suspended entry, refresh and message statuses do not invalidate.
    const ok = await verifyWithList(
      await credentialWithStatus(issuer, [entries[0], entries[2], entries[3]]),
      lists,
    )
    expect(ok.verified).toBe(true)
  })

  it('a purpose credsign gives no meaning to, when set, is status_unrecognized', async () => {
    const list = await bitstringListJwt(issuer, { purpose: 'custom', set: { 1: 1 } })
    const vc = await credentialWithStatus(issuer, bitstringEntry(1, { statusPurpose: 'custom' }))
    expect(codes(await verifyWithList(vc, { [LIST_URL]: list }))).toEqual(['status_unrecognized'])
  })
})

describe('W3C Bitstring Status List v1.0 examples (known answers)', () => {
  // Section 2.1 "Example StatusListCredential using simple entries" (the credential's two entries)
  // and section 2.2's list credential `encodedList` (16 KB of zero bits, GZIP, multibase), as data.
  const W3C_ENCODED_LIST = 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA'
  const W3C_ENTRIES = [
    {
      id: 'https://example.com/credentials/status/3#94567',
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '94567',
      statusListCredential: 'https://example.com/credentials/status/3',
    },
    {
      id: 'https://example.com/credentials/status/4#23452',
      type: 'BitstringStatusListEntry',
      statusPurpose: 'suspension',
      statusListIndex: '23452',
      statusListCredential: 'https://example.com/credentials/status/4',
    },
  ]

  it("the example entries read 0 (valid) from the example's encodedList, 131,072 entries", async () => {
    const lists = {
      'https://example.com/credentials/status/3': await bitstringListJwt(issuer, {
        url: 'https://example.com/credentials/status/3',
        encodedList: W3C_ENCODED_LIST,
      }),
      'https://example.com/credentials/status/4': await bitstringListJwt(issuer, {
        url: 'https://example.com/credentials/status/4',
        purpose: 'suspension',
        encodedList: W3C_ENCODED_LIST,
      }),
    }
    const result = await verifyWithList(await credentialWithStatus(issuer, W3C_ENTRIES), lists)
    expect(result.errors).toEqual([])
    expect(result.status).toEqual([
      expect.objectContaining({ purpose: 'revocation', index: 94567, value: 0, valid: true }),
      expect.objectContaining({ purpose: 'suspension', index: 23452, value: 0, valid: true }),
    ])
    // The last of its 131,072 entries exists; the next does not.
    const last = await verifyWithList(
      await credentialWithStatus(issuer, { ...W3C_ENTRIES[0], statusListIndex: '131071' }),
      lists,
    )
    expect(last.errors).toEqual([])
    const past = await verifyWithList(
      await credentialWithStatus(issuer, { ...W3C_ENTRIES[0], statusListIndex: '131072' }),
      lists,
    )
    expect(codes(past)).toEqual(['status_index_out_of_range'])
  })
})

describe('Token Status List (status.status_list)', () => {
  it('reads VALID, INVALID, SUSPENDED and refuses application-specific values', async () => {
    const list = await tokenList(issuer, { bits: 2, set: { 1: 1, 2: 2, 3: 3 } })
    const lists = { [TOKEN_URL]: list }
    const valid = await verifyWithList(await sdJwtWithStatus(issuer, 0), lists)
    expect(valid.verified).toBe(true)
    expect(valid.status).toEqual([
      expect.objectContaining({ mechanism: 'token-status-list', value: 0, message: 'VALID' }),
    ])
    expect(codes(await verifyWithList(await sdJwtWithStatus(issuer, 1), lists))).toEqual([
      'status_revoked',
    ])
    expect(codes(await verifyWithList(await sdJwtWithStatus(issuer, 2), lists))).toEqual([
      'status_suspended',
    ])
    expect(codes(await verifyWithList(await sdJwtWithStatus(issuer, 3), lists))).toEqual([
      'status_unrecognized',
    ])
  })

  it('the specification example token (signed with its example key) reads as the example says', async () => {
    // The referenced token: issued by the example's https issuer, with a key of ours bound to it.
    const signer = await didSigner('P-256')
    const ours = { ...signer, id: 'ours' }
    const resolver = staticResolver(
      { ours: signer.publicJwk, [example.publicJwk.kid]: example.publicJwk } as Record<
        string,
        PublicJwk
      >,
      { controller: example.issuer },
    )
    const statusLists = createStatusListResolver({
      lists: { [example.uri]: example.statusListToken },
    })
    const referenced = (idx: number) =>
      signJwt(ours, { iss: example.issuer, status: { status_list: { idx, uri: example.uri } } })
    for (const [index, expected] of example.statuses.entries()) {
      const result = await verify(await referenced(index), { resolver, statusLists })
      expect(result.status?.[0]?.value, `index ${index}`).toBe(expected)
      expect(codes(result)).toEqual(expected === 1 ? ['status_revoked'] : [])
    }
    // 16 one-bit entries: index 16 is past the end.
    expect(codes(await verify(await referenced(16), { resolver, statusLists }))).toEqual([
      'status_index_out_of_range',
    ])
    // The same token for another URI: its sub does not match.
    const elsewhere = createStatusListResolver({
      lists: { [`${example.uri}/2`]: example.statusListToken },
    })
    const moved = await signJwt(ours, {
      iss: example.issuer,
      status: { status_list: { idx: 0, uri: `${example.uri}/2` } },
    })
    expect(codes(await verify(moved, { resolver, statusLists: elsewhere }))).toEqual([
      'status_list_not_verified',
    ])
  })
})

describe('forged and broken lists: a typed code each, never a pass', () => {
  const cases: {
    name: string
    code: string
    make: () => Promise<{
      input: string
      lists: Record<string, string>
      extra?: Record<string, unknown>
    }>
  }[] = [
    {
      name: 'a Bitstring list of another issuer',
      code: 'status_list_issuer_mismatch',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3)),
        lists: { [LIST_URL]: await bitstringListJwt(other) },
      }),
    },
    {
      name: 'a token list of another issuer',
      code: 'status_list_issuer_mismatch',
      make: async () => ({
        input: await sdJwtWithStatus(issuer, 3),
        lists: { [TOKEN_URL]: await tokenList(other) },
      }),
    },
    {
      name: 'a token list naming the right iss, signed by another key',
      code: 'status_list_issuer_mismatch',
      make: async () => ({
        input: await sdJwtWithStatus(issuer, 3),
        lists: { [TOKEN_URL]: await tokenList(other, { iss: didOf(issuer) }) },
      }),
    },
    {
      name: 'a Bitstring list with a bad signature',
      code: 'status_list_not_verified',
      make: async () => {
        const list = await bitstringListJwt(issuer)
        const tampered = `${list.slice(0, -4)}${list.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
        return {
          input: await credentialWithStatus(issuer, bitstringEntry(3)),
          lists: { [LIST_URL]: tampered },
        }
      },
    },
    {
      name: 'a token list with a bad signature',
      code: 'status_list_not_verified',
      make: async () => {
        const list = await tokenList(issuer)
        const [h, , s] = list.split('.')
        const forged = await tokenList(issuer, { set: { 3: 1 } })
        return {
          input: await sdJwtWithStatus(issuer, 3),
          lists: { [TOKEN_URL]: `${h}.${forged.split('.')[1]}.${s}` },
        }
      },
    },
    {
      name: 'a wrong purpose',
      code: 'status_purpose_mismatch',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3)),
        lists: { [LIST_URL]: await bitstringListJwt(issuer, { purpose: 'suspension' }) },
      }),
    },
    {
      name: 'a Bitstring index out of range',
      code: 'status_index_out_of_range',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(131_072)),
        lists: { [LIST_URL]: await bitstringListJwt(issuer) },
      }),
    },
    {
      name: 'a token index out of range',
      code: 'status_index_out_of_range',
      make: async () => ({
        input: await sdJwtWithStatus(issuer, 1024),
        lists: { [TOKEN_URL]: await tokenList(issuer, { entries: 1024 }) },
      }),
    },
    {
      name: 'a Bitstring list shorter than 131,072 entries',
      code: 'status_list_too_short',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3)),
        lists: {
          [LIST_URL]: await bitstringListJwt(issuer, {
            encodedList: await encodeBitstring(new Uint8Array(16_383)),
          }),
        },
      }),
    },
    {
      name: 'a 2-bit entry on a list of 131,072 bits (65,536 entries)',
      code: 'status_list_too_short',
      make: async () => ({
        input: await credentialWithStatus(
          issuer,
          bitstringEntry(3, {
            statusSize: 2,
            statusMessage: [0, 1, 2, 3].map((n) => ({ status: `0x${n}`, message: `m${n}` })),
          }),
        ),
        lists: { [LIST_URL]: await bitstringListJwt(issuer) },
      }),
    },
    {
      name: 'bad compression (not GZIP)',
      code: 'status_list_invalid',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3)),
        lists: {
          [LIST_URL]: await bitstringListJwt(issuer, {
            encodedList: `u${b64u(await compressStatusList(new Uint8Array(16_384), 'deflate'))}`,
          }),
        },
      }),
    },
    {
      name: 'an encodedList without the multibase prefix',
      code: 'status_list_invalid',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3)),
        lists: {
          [LIST_URL]: await bitstringListJwt(issuer, {
            encodedList: b64u(await compressStatusList(new Uint8Array(16_384), 'gzip')),
          }),
        },
      }),
    },
    {
      name: 'a token lst that is not ZLIB',
      code: 'status_list_invalid',
      make: async () => ({
        input: await sdJwtWithStatus(issuer, 3),
        lists: {
          [TOKEN_URL]: await tokenList(issuer, {
            lst: b64u(await compressStatusList(new Uint8Array(64), 'gzip')),
          }),
        },
      }),
    },
    {
      name: 'a zip bomb past maxListBytes (Bitstring)',
      code: 'status_list_too_large',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3)),
        lists: {
          [LIST_URL]: await bitstringListJwt(issuer, {
            encodedList: `u${b64u(await compressStatusList(new Uint8Array(4 * 1024 * 1024), 'gzip'))}`,
          }),
        },
        extra: { maxListBytes: 1024 * 1024 },
      }),
    },
    {
      name: 'a zip bomb past maxListBytes (token)',
      code: 'status_list_too_large',
      make: async () => ({
        input: await sdJwtWithStatus(issuer, 3),
        lists: {
          [TOKEN_URL]: await tokenList(issuer, {
            lst: b64u(await compressStatusList(new Uint8Array(4 * 1024 * 1024), 'deflate')),
          }),
        },
        extra: { maxListBytes: 1024 * 1024 },
      }),
    },
    {
      name: 'a token with typ JWT',
      code: 'status_list_not_verified',
      make: async () => ({
        input: await sdJwtWithStatus(issuer, 3),
        lists: { [TOKEN_URL]: await tokenList(issuer, { typ: 'JWT' }) },
      }),
    },
    {
      name: 'a token whose sub is another list',
      code: 'status_list_not_verified',
      make: async () => ({
        input: await sdJwtWithStatus(issuer, 3),
        lists: { [TOKEN_URL]: await tokenList(issuer, { sub: `${TOKEN_URL}/other` }) },
      }),
    },
    {
      name: 'a token without iat',
      code: 'status_list_not_verified',
      make: async () => ({
        input: await sdJwtWithStatus(issuer, 3),
        lists: { [TOKEN_URL]: await tokenList(issuer, { iat: null }) },
      }),
    },
    {
      name: 'a token with bits 3',
      code: 'status_list_invalid',
      make: async () => {
        const list = await tokenList(issuer)
        const payload = JSON.parse(atob(list.split('.')[1] as string)) as Record<string, never>
        return {
          input: await sdJwtWithStatus(issuer, 3),
          lists: {
            [TOKEN_URL]: await signJwt(
              issuer,
              { ...payload, status_list: { bits: 3, lst: 'eNrbuRgAAhcBXQ' } },
              { typ: 'statuslist+jwt' },
            ),
          },
        }
      },
    },
    {
      name: 'a Bitstring list past its validUntil',
      code: 'status_list_expired',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3)),
        lists: {
          [LIST_URL]: await bitstringListJwt(issuer, {
            validFrom: '2020-01-01T00:00:00Z',
            validUntil: '2021-01-01T00:00:00Z',
          }),
        },
      }),
    },
    {
      name: 'a token past its exp',
      code: 'status_list_expired',
      make: async () => ({
        input: await sdJwtWithStatus(issuer, 3),
        lists: {
          [TOKEN_URL]: await tokenList(issuer, { iat: 1_600_000_000, exp: 1_600_000_600 }),
        },
      }),
    },
    {
      name: 'a list credential that is not a BitstringStatusListCredential',
      code: 'status_list_not_verified',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3)),
        lists: {
          [LIST_URL]: await bitstringListJwt(issuer, {
            type: ['VerifiableCredential', 'StatusList2021Credential'],
          }),
        },
      }),
    },
    {
      name: 'a list credential whose id is another list',
      code: 'status_list_not_verified',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3)),
        lists: { [LIST_URL]: await bitstringListJwt(issuer, { id: `${LIST_URL}-other` }) },
      }),
    },
    {
      name: 'a statusListIndex that is a number, not a string',
      code: 'status_entry_invalid',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3, { statusListIndex: 3 })),
        lists: { [LIST_URL]: await bitstringListJwt(issuer) },
      }),
    },
    {
      name: 'a statusListIndex with a sign',
      code: 'status_entry_invalid',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry('-0')),
        lists: { [LIST_URL]: await bitstringListJwt(issuer) },
      }),
    },
    {
      name: 'a negative idx',
      code: 'status_entry_invalid',
      make: async () => ({
        input: await sdJwtWithStatus(issuer, -1),
        lists: { [TOKEN_URL]: await tokenList(issuer) },
      }),
    },
    {
      name: 'statusSize 2 without statusMessage',
      code: 'status_entry_invalid',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3, { statusSize: 2 })),
        lists: { [LIST_URL]: await bitstringListJwt(issuer) },
      }),
    },
    {
      name: 'a status mechanism credsign does not check (StatusList2021Entry)',
      code: 'status_unchecked',
      make: async () => ({
        input: await credentialWithStatus(issuer, {
          ...bitstringEntry(3),
          type: 'StatusList2021Entry',
        }),
        lists: { [LIST_URL]: await bitstringListJwt(issuer) },
      }),
    },
    {
      name: 'no list for the URL',
      code: 'status_list_unavailable',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3)),
        lists: {},
      }),
    },
    {
      name: 'a list that is not JSON',
      code: 'status_list_not_verified',
      make: async () => ({
        input: await credentialWithStatus(issuer, bitstringEntry(3)),
        lists: { [LIST_URL]: '{"not json' },
      }),
    },
  ]

  it.each(cases)('$name: $code', async ({ code, make }) => {
    const { input, lists, extra } = await make()
    const result = await verifyWithList(input, lists, extra ?? {})
    expect(result.verified).toBe(false)
    expect(codes(result)).toEqual([code])
    expect(statusChecks(result)).toEqual([
      expect.objectContaining({ name: 'status', passed: false }),
    ])
  })
})

describe('fetching and caching', () => {
  it('fetches over the caller fetch with the media type, and reuses a verified list', async () => {
    const served = servingFetch({
      [LIST_URL]: {
        body: await bitstringListJwt(issuer, { set: { 2: 1 } }),
        type: 'application/vc+jwt',
      },
      [TOKEN_URL]: {
        body: await tokenList(issuer, { set: { 2: 1 } }),
        type: 'application/statuslist+jwt',
      },
    })
    let clock = 1_000_000
    const statusLists = createStatusListResolver({ fetch: served.fetch, clock: () => clock })
    const vc = await credentialWithStatus(issuer, bitstringEntry(1))
    const sd = await sdJwtWithStatus(issuer, 2)
    expect((await verify(vc, { statusLists })).verified).toBe(true)
    expect(codes(await verify(sd, { statusLists }))).toEqual(['status_revoked'])
    expect((await verify(vc, { statusLists })).verified).toBe(true)
    expect(served.calls).toEqual([LIST_URL, TOKEN_URL])
    clock += 300_001 // past the default cache period: fetched again
    await verify(vc, { statusLists })
    expect(served.calls).toEqual([LIST_URL, TOKEN_URL, LIST_URL])
    // Another key resolver verifies the list again.
    expect((await verify(vc, { statusLists, resolver: createResolver() })).verified).toBe(true)
    expect(served.calls.length).toBe(4)
  })

  it('honours the list ttl (W3C in ms, TSL in s), capped by maxCacheMs', async () => {
    const served = servingFetch({
      [TOKEN_URL]: {
        body: await tokenList(issuer, { ttl: 10 }),
        type: 'application/statuslist+jwt',
      },
    })
    let clock = 0
    const statusLists = createStatusListResolver({ fetch: served.fetch, clock: () => clock })
    const sd = await sdJwtWithStatus(issuer, 2)
    await verify(sd, { statusLists })
    clock = 9_000
    await verify(sd, { statusLists })
    expect(served.calls.length).toBe(1)
    clock = 10_001
    await verify(sd, { statusLists })
    expect(served.calls.length).toBe(2)
  })

  it('a fetch failure, a 404, a wrong media type or an http URL is status_list_unavailable', async () => {
    const vc = await credentialWithStatus(issuer, bitstringEntry(1))
    const failing = createStatusListResolver({
      fetch: () => Promise.reject(new Error('ECONNREFUSED')),
    })
    expect(codes(await verify(vc, { statusLists: failing }))).toEqual(['status_list_unavailable'])
    const missing = createStatusListResolver({ fetch: servingFetch({}).fetch })
    expect(codes(await verify(vc, { statusLists: missing }))).toEqual(['status_list_unavailable'])
    const html = createStatusListResolver({
      fetch: servingFetch({
        [LIST_URL]: { body: await bitstringListJwt(issuer), type: 'text/html' },
      }).fetch,
    })
    expect(codes(await verify(vc, { statusLists: html }))).toEqual(['status_list_unavailable'])
    const plain = await credentialWithStatus(
      issuer,
      bitstringEntry(1, { statusListCredential: 'http://issuer.example/status/1' }),
    )
    const served = servingFetch({})
    expect(
      codes(
        await verify(plain, { statusLists: createStatusListResolver({ fetch: served.fetch }) }),
      ),
    ).toEqual(['status_list_unavailable'])
    expect(served.calls).toEqual([])
  })

  it('fetches the lists of several entries at once (one slow list does not queue the others)', async () => {
    const second = `${LIST_URL}-2`
    const bodies: Record<string, string> = {
      [LIST_URL]: await bitstringListJwt(issuer, { set: { 1: 1 } }),
      [second]: await bitstringListJwt(issuer, { url: second }),
    }
    // Each request is answered only once both have been made: checked one after the other, the
    // first would wait for a second request that never comes, and time out.
    let arrived = 0
    let release: () => void = () => undefined
    const both = new Promise<void>((resolve) => (release = resolve))
    const statusLists = createStatusListResolver({
      timeoutMs: 5000,
      fetch: async (url) => {
        arrived += 1
        if (arrived === 2) release()
        await both
        return new Response(bodies[url], { headers: { 'content-type': 'application/vc+jwt' } })
      },
    })
    const vc = await credentialWithStatus(issuer, [
      bitstringEntry(1),
      bitstringEntry(2, { statusListCredential: second }),
    ])
    const result = await verify(vc, { statusLists })
    expect(codes(result)).toEqual(['status_revoked'])
    expect(result.status?.map((s) => s.value)).toEqual([1, 0])
  })

  it('fetches at most 4 lists at once for one credential (each may inflate to 16 MiB)', async () => {
    const urls = Array.from({ length: 8 }, (_, i) => `${LIST_URL}-at-once-${i}`)
    const bodies = new Map<string, string>()
    for (const url of urls) bodies.set(url, await bitstringListJwt(issuer, { url }))
    let inFlight = 0
    let most = 0
    const statusLists = createStatusListResolver({
      fetch: async (url) => {
        inFlight += 1
        most = Math.max(most, inFlight)
        await new Promise((resolve) => setTimeout(resolve, 20))
        inFlight -= 1
        return new Response(bodies.get(String(url)), {
          headers: { 'content-type': 'application/vc+jwt' },
        })
      },
    })
    const vc = await credentialWithStatus(
      issuer,
      urls.map((url, i) => bitstringEntry(i + 1, { statusListCredential: url })),
    )
    const result = await verify(vc, { statusLists })
    expect(result.errors).toEqual([])
    expect(result.status).toHaveLength(8)
    expect(most).toBe(4)
  })

  it('a forged credential fetches nothing (its status is not looked at)', async () => {
    const served = servingFetch({})
    const vc = await credentialWithStatus(issuer, bitstringEntry(1))
    const forged = `${vc.slice(0, -4)}${vc.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
    const result = await verify(forged, {
      statusLists: createStatusListResolver({ fetch: served.fetch }),
    })
    expect(result.verified).toBe(false)
    expect(served.calls).toEqual([])
  })
})

describe('the engine keeps the status expectation', () => {
  it('with statusLists, a verdict without a passed status check is refused', async () => {
    const vc = await credentialWithStatus(issuer, bitstringEntry(1))
    // The engine alone (no status step): the caller's statusLists would go unchecked.
    const result = await verifyWith(
      vc,
      { statusLists: createStatusListResolver({ lists: {} }) },
      builtInHandlers(),
    )
    expect(codes(result)).toEqual(['expectation_unchecked'])
  })

  it('a revoked credential inside a presentation fails the presentation', async () => {
    const holder = await didSigner('P-256')
    const vc = await credentialWithStatus(issuer, bitstringEntry(8))
    const vp = await new JwtVpSigner(holder).sign(
      presentationV2({ verifiableCredential: [envelopeCredential(vc)] }),
    )
    const result = await verify(vp, {
      statusLists: createStatusListResolver({
        lists: { [LIST_URL]: await bitstringListJwt(issuer, { set: { 8: 1 } }) },
      }),
    })
    expect(codes(result)).toEqual(['embedded_credential_invalid'])
    expect(codes(result.credentials?.[0] as VerificationResult)).toEqual(['status_revoked'])
  })

  it('rejects a statusLists option that is not a resolver', async () => {
    await expect(
      verify('x', { statusLists: { fetch: globalThis.fetch } as never }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
  })
})

describe("the verifier's own store failing during a status check", () => {
  it('a status list source that reports store_unavailable: the status error keeps that code (an outage)', async () => {
    const vc = await credentialWithStatus(issuer, bitstringEntry(7))
    const statusLists = {
      ...createStatusListResolver({}),
      fetchList: () => Promise.reject(new CredsignError('store_unavailable', 'database down')),
    }
    const result = await verify(vc, { statusLists })
    expect(result.verified).toBe(false)
    expect(codes(result)).toEqual(['store_unavailable'])
  })

  it('a list whose key cannot be resolved because the store is down: store_unavailable, not status_list_not_verified', async () => {
    const vc = await credentialWithStatus(issuer, bitstringEntry(7))
    const list = await bitstringListJwt(issuer)
    const offline = createResolver()
    let resolutions = 0
    // The credential's key resolves; the list's (the same key, resolved again) meets a store that is down.
    const resolver = {
      resolveKey: (reference: string) =>
        resolutions++ === 0
          ? offline.resolveKey(reference)
          : Promise.reject(new CredsignError('store_unavailable', 'database down')),
    }
    const result = await verify(vc, {
      resolver,
      statusLists: createStatusListResolver({ lists: { [LIST_URL]: list } }),
    })
    expect(resolutions).toBe(2)
    expect(result.verified).toBe(false)
    expect(codes(result)).toEqual(['store_unavailable'])
  })
  it('a Token Status List whose key cannot be resolved because the store is down: store_unavailable', async () => {
    const sd = await sdJwtWithStatus(issuer, 0)
    const list = await tokenList(issuer, { bits: 2 })
    const offline = createResolver()
    let resolutions = 0
    const resolver = {
      resolveKey: (reference: string) =>
        resolutions++ === 0
          ? offline.resolveKey(reference)
          : Promise.reject(new CredsignError('store_unavailable', 'database down')),
    }
    const result = await verify(sd, {
      resolver,
      statusLists: createStatusListResolver({ lists: { [TOKEN_URL]: list } }),
    })
    expect(resolutions).toBe(2)
    expect(result.verified).toBe(false)
    expect(codes(result)).toEqual(['store_unavailable'])
  })
})
