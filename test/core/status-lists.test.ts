// StatusLists, the issuer's side: lists, allocation, status changes, publishing and the entries
// credentials carry, on the memory store (the stores themselves: status-store-contract.ts).
import { beforeAll, describe, expect, it } from 'vitest'
import {
  asDidSigner,
  decodeBitstring,
  decodeTokenStatusList,
  JwtVcSigner,
  KeyVault,
  MemoryStatusListStore,
  MemoryStore,
  readBitstringStatus,
  readTokenStatus,
  SdJwtVcSigner,
  StatusLists,
  verify,
  type Signer,
} from '../../src/index.js'
import { fromB64u, fromUtf8 } from '../../src/util/bytes.js'
import { codeOf } from './status-store-contract.js'

let signer: Signer

beforeAll(async () => {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
  })
  await vault.generate({ id: 'issuer', algorithm: 'P-256', secrets: ['s1'] })
  signer = asDidSigner(await vault.unlock('issuer', ['s1']))
})

function parts(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = jwt.split('.') as [string, string]
  return {
    header: JSON.parse(fromUtf8(fromB64u(h))) as Record<string, unknown>,
    payload: JSON.parse(fromUtf8(fromB64u(p))) as Record<string, unknown>,
  }
}

/** A signer that counts its signatures. */
function counting(inner: Signer): Signer & { count: number } {
  const wrapped = {
    id: inner.id,
    algorithm: inner.algorithm,
    publicJwk: inner.publicJwk,
    count: 0,
    sign: (data: Uint8Array) => {
      wrapped.count++
      return inner.sign(data)
    },
  }
  return wrapped
}

describe('StatusLists: creating lists', () => {
  it('makes a 131,072-entry one-bit revocation list by default, revocation final', async () => {
    const lists = new StatusLists({ store: new MemoryStatusListStore() })
    const info = await lists.createList({
      kind: 'bitstring',
      purpose: 'revocation',
      url: 'https://issuer.example/status/1',
    })
    expect(info).toMatchObject({ kind: 'bitstring', size: 131_072, bits: 1, finalStatuses: [1] })
    expect(info.id).toMatch(/^status-[0-9a-f-]{36}$/)
    const token = await lists.createList({ kind: 'token', uri: 'https://issuer.example/tsl/1' })
    expect(token).toMatchObject({ kind: 'token', size: 131_072, bits: 2, finalStatuses: [1] })
    const suspension = await lists.createList({
      kind: 'bitstring',
      purpose: 'suspension',
      url: 'https://issuer.example/status/2',
    })
    expect(suspension.finalStatuses).toEqual([])
  })

  it('refuses lists the specs do not allow: invalid_argument', async () => {
    const lists = new StatusLists({ store: new MemoryStatusListStore() })
    const bad: unknown[] = [
      { kind: 'bitstring', purpose: 'revocation', url: 'not a url' },
      { kind: 'bitstring', purpose: 'deletion', url: 'https://i.example/s' },
      { kind: 'bitstring', purpose: 'revocation', url: 'https://i.example/s', statusSize: 2 },
      { kind: 'bitstring', purpose: 'message', url: 'https://i.example/s', statusSize: 2 },
      {
        kind: 'bitstring',
        purpose: 'message',
        url: 'https://i.example/s',
        statusSize: 1,
        statusMessages: [
          { status: '0x1', message: 'a' },
          { status: '0x0', message: 'b' },
        ],
      },
      { kind: 'token', uri: 'https://i.example/t', bits: 3 },
      { kind: 'token', uri: 'relative/path' },
      { kind: 'token', uri: 'https://i.example/t', validFor: 0 },
      { kind: 'token', uri: 'https://i.example/t', validFor: 100, renewBefore: 100 },
      { kind: 'token', uri: 'https://i.example/t', size: 0 },
      { kind: 'crl', uri: 'https://i.example/t' },
    ]
    for (const options of bad)
      expect(
        await codeOf(lists.createList(options as never)),
        JSON.stringify(options).slice(0, 90),
      ).toBe('invalid_argument')
  })

  it('opens the next list with the same settings once one is full', async () => {
    const lists = new StatusLists({ store: new MemoryStatusListStore() })
    await lists.createList({
      id: 'm1',
      kind: 'bitstring',
      purpose: 'message',
      url: 'https://issuer.example/status/m1',
      size: 3,
      statusSize: 2,
      statusMessages: [
        { status: '0x0', message: 'pending' },
        { status: '0x1', message: 'accepted' },
        { status: '0x2', message: 'rejected' },
        { status: '0x3', message: 'withdrawn' },
      ],
      validFor: 3600,
      ttl: 60,
    })
    for (let i = 0; i < 3; i++) await lists.allocate('m1')
    expect(await codeOf(lists.allocate('m1'))).toBe('status_list_full')
    const next = await lists.createNextList('m1', {
      id: 'm2',
      url: 'https://issuer.example/status/m2',
    })
    expect(next).toMatchObject({ id: 'm2', size: 3, bits: 2 })
    expect(next.settings).toMatchObject({
      purpose: 'message',
      url: 'https://issuer.example/status/m2',
      validFor: 3600,
      ttl: 60,
    })
    const entry = await lists.allocate('m2')
    expect(entry.kind === 'bitstring' && entry.credentialStatus.statusMessage?.length).toBe(4)
  })
})

describe('StatusLists: entries and status changes', () => {
  it('gives a W3C BitstringStatusListEntry with the index as a base-10 string', async () => {
    const lists = new StatusLists({ store: new MemoryStatusListStore() })
    await lists.createList({
      id: 'r1',
      kind: 'bitstring',
      purpose: 'revocation',
      url: 'https://issuer.example/status/r1',
    })
    const entry = await lists.allocate('r1')
    expect(entry).toEqual({
      listId: 'r1',
      index: entry.index,
      kind: 'bitstring',
      credentialStatus: {
        id: `https://issuer.example/status/r1#${entry.index}`,
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: String(entry.index),
        statusListCredential: 'https://issuer.example/status/r1',
      },
    })
  })

  it('gives a Token Status List status claim { status_list: { idx, uri } }', async () => {
    const lists = new StatusLists({ store: new MemoryStatusListStore() })
    await lists.createList({ id: 't1', kind: 'token', uri: 'https://issuer.example/tsl/1' })
    const entry = await lists.allocate('t1')
    expect(entry).toEqual({
      listId: 't1',
      index: entry.index,
      kind: 'token',
      status: { status_list: { idx: entry.index, uri: 'https://issuer.example/tsl/1' } },
    })
  })

  it('revokes for good; suspends and unsuspends; refuses what the purpose forbids', async () => {
    const lists = new StatusLists({ store: new MemoryStatusListStore() })
    await lists.createList({
      id: 'r',
      kind: 'bitstring',
      purpose: 'revocation',
      url: 'https://i.example/r',
    })
    await lists.createList({
      id: 's',
      kind: 'bitstring',
      purpose: 'suspension',
      url: 'https://i.example/s',
    })
    await lists.createList({ id: 't', kind: 'token', uri: 'https://i.example/t' })
    await lists.createList({ id: 't1', kind: 'token', uri: 'https://i.example/t1', bits: 1 })
    const r = (await lists.allocate('r')).index
    const s = (await lists.allocate('s')).index
    const t = (await lists.allocate('t')).index
    const t1 = (await lists.allocate('t1')).index

    expect(await lists.revoke('r', r)).toBe(true)
    expect(await lists.revoke('r', r)).toBe(false)
    expect(await codeOf(lists.setStatus('r', r, 0))).toBe('status_irreversible')
    expect(await codeOf(lists.suspend('r', r))).toBe('invalid_argument')
    expect(await codeOf(lists.revoke('s', s))).toBe('invalid_argument')

    expect(await lists.suspend('s', s)).toBe(true)
    expect(await lists.unsuspend('s', s)).toBe(true)
    expect(await lists.unsuspend('s', s)).toBe(false)

    expect(await lists.suspend('t', t)).toBe(true)
    expect(await lists.unsuspend('t', t)).toBe(true)
    await lists.setStatus('t', t, 3)
    expect(await codeOf(lists.unsuspend('t', t))).toBe('invalid_argument')
    expect(await lists.revoke('t', t)).toBe(true)
    expect(await codeOf(lists.suspend('t', t))).toBe('status_irreversible')
    expect(await codeOf(lists.unsuspend('t', t))).toBe('invalid_argument')
    expect(await codeOf(lists.suspend('t1', t1))).toBe('invalid_argument')
    expect(await codeOf(lists.revoke('missing', 0))).toBe('not_found')
  })

  it('the entries sign into credentials: credentialStatus in a JWT-VC, status in an SD-JWT VC', async () => {
    const lists = new StatusLists({ store: new MemoryStatusListStore() })
    await lists.createList({
      id: 'r',
      kind: 'bitstring',
      purpose: 'revocation',
      url: 'https://i.example/r',
    })
    await lists.createList({ id: 't', kind: 'token', uri: 'https://i.example/t' })
    const r = await lists.allocate('r')
    const t = await lists.allocate('t')
    if (r.kind !== 'bitstring' || t.kind !== 'token') throw new Error('kinds')
    const jwt = await new JwtVcSigner(signer).sign({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      credentialSubject: { id: 'did:example:alice' },
      credentialStatus: r.credentialStatus,
    })
    expect(parts(jwt).payload.credentialStatus).toEqual(r.credentialStatus)
    const withClaim = await new JwtVcSigner(signer).sign(
      {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        credentialSubject: { id: 'did:example:alice' },
      },
      { claims: { status: t.status } },
    )
    expect(parts(withClaim).payload.status).toEqual(t.status)
    const sdJwt = await new SdJwtVcSigner(signer).issue(
      { given_name: 'Erika' },
      { vct: 'urn:example:pid', status: t.status },
    )
    expect(parts(sdJwt.split('~')[0] as string).payload.status).toEqual(t.status)
  })
})

describe('StatusLists: publishing', () => {
  it('signs a Bitstring list as a vc+jwt BitstringStatusListCredential that verifies and reads back', async () => {
    let now = Date.parse('2026-12-07T10:00:00Z')
    const lists = new StatusLists({ store: new MemoryStatusListStore(), signer, now: () => now })
    await lists.createList({
      id: 'r',
      kind: 'bitstring',
      purpose: 'revocation',
      url: 'https://issuer.example/status/r',
      validFor: 7200,
      ttl: 300,
    })
    const revoked = (await lists.allocate('r')).index
    const kept = (await lists.allocate('r')).index
    await lists.revoke('r', revoked)
    const published = await lists.publish('r')
    expect(published).toMatchObject({
      listId: 'r',
      kind: 'bitstring',
      mediaType: 'application/vc+jwt',
      version: 1,
      issuedAt: now,
      expiresAt: now + 7_200_000,
      ttl: 300,
      signed: true,
    })
    const { header, payload } = parts(published.jwt)
    expect(header).toMatchObject({ typ: 'vc+jwt', cty: 'vc', kid: signer.id })
    const issuer = signer.id.split('#')[0]
    expect(payload).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: 'https://issuer.example/status/r',
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer,
      validFrom: '2026-12-07T10:00:00Z',
      validUntil: '2026-12-07T12:00:00Z',
      credentialSubject: {
        id: 'https://issuer.example/status/r#list',
        type: 'BitstringStatusList',
        statusPurpose: 'revocation',
        ttl: 300_000,
      },
    })
    const result = await verify(published.jwt, { now: () => now + 1000 })
    expect(result.errors).toEqual([])
    expect(result.verified).toBe(true)
    const subject = payload.credentialSubject as { encodedList: string }
    const bits = await decodeBitstring(subject.encodedList)
    expect(bits.length).toBe(16_384)
    expect(readBitstringStatus(bits, revoked)).toBe(1)
    expect(readBitstringStatus(bits, kept)).toBe(0)
    expect(bits.reduce((n, byte) => n + (byte === 0 ? 0 : 1), 0)).toBe(1)
    now += 1000
  })

  it('signs a Token Status List as a statuslist+jwt with sub, iat, exp, ttl and status_list', async () => {
    const now = Date.parse('2026-12-07T10:00:00.600Z')
    const lists = new StatusLists({ store: new MemoryStatusListStore(), signer, now: () => now })
    await lists.createList({
      id: 't',
      kind: 'token',
      uri: 'https://issuer.example/tsl/1',
      ttl: 600,
    })
    const a = (await lists.allocate('t')).index
    const b = (await lists.allocate('t')).index
    await lists.revoke('t', a)
    await lists.suspend('t', b)
    const published = await lists.publish('t')
    expect(published.mediaType).toBe('application/statuslist+jwt')
    const { header, payload } = parts(published.jwt)
    expect(header).toEqual({ alg: 'ES256', kid: signer.id, typ: 'statuslist+jwt' })
    const iat = Math.floor(now / 1000)
    expect(payload).toMatchObject({
      sub: 'https://issuer.example/tsl/1',
      iss: signer.id.split('#')[0],
      iat,
      exp: iat + 86_400,
      ttl: 600,
      status_list: { bits: 2 },
    })
    const bytes = await decodeTokenStatusList((payload.status_list as { lst: string }).lst)
    expect(bytes.length).toBe(131_072 / 4)
    expect(readTokenStatus(bytes, 2, a)).toBe(1)
    expect(readTokenStatus(bytes, 2, b)).toBe(2)
  })

  it('re-signs only when a status changed or the list nears expiry; concurrent calls sign once', async () => {
    let now = Date.parse('2026-12-07T10:00:00Z')
    const counted = counting(signer)
    const lists = new StatusLists({
      store: new MemoryStatusListStore(),
      signer: counted,
      now: () => now,
    })
    await lists.createList({
      id: 't',
      kind: 'token',
      uri: 'https://issuer.example/tsl/1',
      validFor: 1000,
      renewBefore: 100,
    })
    const index = (await lists.allocate('t')).index
    const [first, second] = await Promise.all([lists.publish('t'), lists.publish('t')])
    expect(counted.count).toBe(1)
    expect(second.jwt).toBe(first.jwt)
    const again = await lists.publish('t')
    expect(again).toEqual({ ...first, signed: false })
    expect(counted.count).toBe(1)
    await lists.allocate('t') // allocating changes no published status
    expect((await lists.publish('t')).signed).toBe(false)
    await lists.suspend('t', index)
    const changed = await lists.publish('t')
    expect(changed.signed).toBe(true)
    expect(changed.version).toBe(1)
    expect(counted.count).toBe(2)
    now += 899_000
    expect((await lists.publish('t')).signed).toBe(false)
    now += 1000
    expect((await lists.publish('t')).signed).toBe(true)
    expect(counted.count).toBe(3)
  })

  it('gives the unsigned list credential for Data Integrity, and refuses to publish without a signer', async () => {
    const lists = new StatusLists({
      store: new MemoryStatusListStore(),
      issuer: 'did:web:issuer.example',
    })
    await lists.createList({
      id: 'r',
      kind: 'bitstring',
      purpose: 'revocation',
      url: 'https://i.example/r',
    })
    await lists.createList({ id: 't', kind: 'token', uri: 'https://i.example/t' })
    const credential = await lists.statusListCredential('r')
    expect(credential).toMatchObject({
      issuer: 'did:web:issuer.example',
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    })
    expect(await codeOf(lists.statusListCredential('t'))).toBe('invalid_argument')
    expect(await codeOf(lists.publish('r'))).toBe('invalid_argument')
    expect(await codeOf(lists.publish('missing'))).toBe('not_found')
  })
})
