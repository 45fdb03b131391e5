import { describe, expect, it } from 'vitest'
// The stores' own barrel rather than 'credsign', so these tests depend on nothing but the stores.
import { CredsignError } from '../../src/errors/index.js'
import {
  MemoryStore,
  cloneKeyRecord,
  isValidKeyId,
  validateKeyId,
  validateKeyRecord,
} from '../../src/stores/index.js'
import type { KeyRecord } from '../../src/stores/index.js'
import { makeTestRecord, runKeyStoreContract } from 'credsign/testing'
import { decodeListCursor, encodeListCursor, findRecordProblem } from '../../src/stores/record.js'

runKeyStoreContract('MemoryStore', async () => ({ store: new MemoryStore() }), { describe, it })

function codeOf(action: () => unknown): string | undefined {
  try {
    action()
  } catch (error) {
    return error instanceof CredsignError ? error.code : `not a CredsignError: ${String(error)}`
  }
  return undefined
}

describe('validateKeyId', () => {
  it('accepts letters, digits and -_:.#% from 1 to 500 characters', () => {
    for (const id of [
      'a',
      'Z9',
      'did:web:issuer.example#key-1',
      'did:web:x.example%3A8443#k',
      '-_:.#%',
      '..',
      'x'.repeat(500),
    ]) {
      expect(() => validateKeyId(id), id.slice(0, 40)).not.toThrow()
      expect(isValidKeyId(id)).toBe(true)
    }
  })

  it('rejects empty, too long, other characters and non-strings with invalid_key_id', () => {
    const bad: unknown[] = [
      '',
      'x'.repeat(501),
      'a b',
      'a/b',
      'a\\b',
      'a\nb',
      'é',
      'a?b',
      'a*b',
      'a\u0000',
      '😀',
      42,
      null,
      undefined,
      {},
    ]
    for (const id of bad) {
      expect(
        codeOf(() => validateKeyId(id)),
        String(id).slice(0, 40),
      ).toBe('invalid_key_id')
      expect(isValidKeyId(id)).toBe(false)
    }
  })

  it('does not echo a huge id in the message', () => {
    const huge = `${'z'.repeat(10_000)} `
    try {
      validateKeyId(huge)
      expect.unreachable()
    } catch (error) {
      expect(CredsignError.is(error, 'invalid_key_id')).toBe(true)
      expect((error as Error).message.length).toBeLessThan(300)
      expect((error as Error).message).toContain('10001 characters')
    }
  })

  it('stores reject invalid ids with invalid_key_id', async () => {
    const store = new MemoryStore()
    await expect(store.get('a b')).rejects.toMatchObject({ code: 'invalid_key_id' })
    await expect(store.delete('x'.repeat(501))).rejects.toMatchObject({ code: 'invalid_key_id' })
    await expect(store.create(makeTestRecord('a/b'))).rejects.toMatchObject({
      code: 'invalid_key_id',
    })
  })
})

describe('validateKeyRecord', () => {
  const valid = (): KeyRecord => makeTestRecord('issuer-1', { versions: 2 })

  it('accepts a well-formed record, including unknown extra members', () => {
    expect(() => validateKeyRecord(valid(), 'store_corrupt')).not.toThrow()
    expect(() =>
      validateKeyRecord({ ...valid(), future: { a: [1, 'b'] } }, 'store_corrupt'),
    ).not.toThrow()
    const p256 = valid()
    p256.versions[0]!.algorithm = 'P-256'
    p256.versions[0]!.publicJwk = { kty: 'EC', crv: 'P-256', x: 'AA', y: 'BB' }
    p256.versions[1]!.algorithm = 'RSA-PSS'
    p256.versions[1]!.publicJwk = { kty: 'RSA', n: 'AQAB', e: 'AQAB' }
    expect(findRecordProblem(p256)).toBeUndefined()
  })

  const broken: [string, (record: Record<string, any>) => unknown][] = [
    ['not an object', () => 'x'],
    ['an array', () => []],
    ['a bad id', (r) => ({ ...r, id: 'a b' })],
    ['revision 0', (r) => ({ ...r, revision: 0 })],
    ['a fractional revision', (r) => ({ ...r, revision: 1.5 })],
    ['a string revision', (r) => ({ ...r, revision: '1' })],
    ['a non-ISO createdAt', (r) => ({ ...r, createdAt: 'yesterday' })],
    ['a Date updatedAt', (r) => ({ ...r, updatedAt: new Date() })],
    ['no versions', (r) => ({ ...r, versions: [] })],
    ['versions not ascending', (r) => ({ ...r, versions: [...r.versions].reverse() })],
    [
      'two current versions',
      (r) => ({ ...r, versions: r.versions.map((v: object) => ({ ...v, status: 'current' })) }),
    ],
    [
      'no current version',
      (r) => ({ ...r, versions: r.versions.map((v: object) => ({ ...v, status: 'previous' })) }),
    ],
    [
      'an unknown algorithm',
      (r) => ({ ...r, versions: [r.versions[0], { ...r.versions[1], algorithm: 'RSA1_5' }] }),
    ],
    [
      'a JWK of the wrong type',
      (r) => ({
        ...r,
        versions: [
          r.versions[0],
          { ...r.versions[1], publicJwk: { kty: 'EC', crv: 'P-256', x: 'A', y: 'B' } },
        ],
      }),
    ],
    [
      'a private JWK member',
      (r) => ({
        ...r,
        versions: [
          r.versions[0],
          { ...r.versions[1], publicJwk: { ...r.versions[1].publicJwk, d: 'secret' } },
        ],
      }),
    ],
    [
      'an envelope without mac',
      (r) => ({
        ...r,
        versions: [
          r.versions[0],
          { ...r.versions[1], envelope: { ...r.versions[1].envelope, mac: undefined } },
        ],
      }),
    ],
    [
      'an envelope with non-base64url ct',
      (r) => ({
        ...r,
        versions: [
          r.versions[0],
          { ...r.versions[1], envelope: { ...r.versions[1].envelope, ct: 'a+b/' } },
        ],
      }),
    ],
    [
      'a kdf with a string parameter',
      (r) => ({
        ...r,
        versions: [
          r.versions[0],
          {
            ...r.versions[1],
            envelope: { ...r.versions[1].envelope, kdf: { id: 'scrypt', N: '1' } },
          },
        ],
      }),
    ],
    ['a non-JSON value', (r) => ({ ...r, extra: () => 1 })],
    ['NaN', (r) => ({ ...r, extra: Number.NaN })],
    ['a class instance', (r) => ({ ...r, extra: new Map() })],
  ]
  for (const [what, make] of broken) {
    it(`rejects ${what} with the given code`, () => {
      const value = make(valid() as unknown as Record<string, any>)
      expect(codeOf(() => validateKeyRecord(value, 'store_corrupt', 'keys/x.json'))).toBe(
        'store_corrupt',
      )
      expect(codeOf(() => validateKeyRecord(value, 'invalid_argument'))).toBe('invalid_argument')
    })
  }

  it('names where the bad record came from', () => {
    expect(() => validateKeyRecord({}, 'store_corrupt', 'keys/x.json')).toThrow(/keys\/x\.json/)
  })

  it('rejects cycles and absurd nesting without overflowing the stack', () => {
    const cyclic: Record<string, unknown> = { ...valid() }
    cyclic.self = cyclic
    expect(codeOf(() => validateKeyRecord(cyclic, 'invalid_argument'))).toBe('invalid_argument')
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(codeOf(() => validateKeyRecord({ ...valid(), deep }, 'invalid_argument'))).toBe(
      'invalid_argument',
    )
  })

  it('cloneKeyRecord makes a deep copy and keeps __proto__ keys as data', () => {
    const parsed = JSON.parse(
      JSON.stringify({ ...valid(), extra: { nested: [1] } }).replace('"extra"', '"__proto__"'),
    ) as KeyRecord
    const copy = cloneKeyRecord(parsed)
    expect(copy).toEqual(parsed)
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect(Object.prototype.hasOwnProperty.call(copy, '__proto__')).toBe(true)
    copy.versions[0]!.envelope.ct = 'changed'
    expect(parsed.versions[0]!.envelope.ct).not.toBe('changed')
  })
})

describe('MemoryStore specifics', () => {
  it('rejects malformed records with invalid_argument and keeps nothing', async () => {
    const store = new MemoryStore()
    const bad = { ...makeTestRecord('issuer-1'), versions: [] }
    await expect(store.create(bad)).rejects.toMatchObject({ code: 'invalid_argument' })
    expect(await store.get('issuer-1')).toBeUndefined()
    await store.create(makeTestRecord('issuer-1'))
    await expect(store.update(bad)).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(
      store.update({ ...makeTestRecord('issuer-1'), revision: 0 }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(store.delete('issuer-1', 0)).rejects.toMatchObject({ code: 'invalid_argument' })
    expect((await store.get('issuer-1'))?.revision).toBe(1)
  })

  it('rejects bad list options with invalid_argument', async () => {
    const store = new MemoryStore()
    for (const limit of [0, 1001, 1.5, Number.NaN]) {
      await expect(store.list({ limit })).rejects.toMatchObject({ code: 'invalid_argument' })
    }
    for (const cursor of ['', 'not a cursor', 'AAAA', encodeListCursor('a').slice(1)]) {
      await expect(store.list({ cursor })).rejects.toMatchObject({ code: 'invalid_argument' })
    }
  })

  it('cursors round-trip and are opaque', () => {
    const id = 'did:web:x.example%3A8443#key-1'
    const cursor = encodeListCursor(id)
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(cursor).not.toContain('did')
    expect(decodeListCursor(cursor)).toBe(id)
  })
})
