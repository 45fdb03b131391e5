// Key ids with the characters of eVault eNames (`@user.w3id#device-1`) and, where a store is made
// for them, long ids: kept apart and stored safely in every store; FileStore's file names for the ids
// that were valid before stay what they were (issue 17, item 3).
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CredsignError,
  isValidKeyId,
  KeyVault,
  LONG_KEY_ID_LENGTH,
  MemoryStore,
  type KeyStore,
} from '../../src/index.js'
import { FileStore, keyFileStem } from '../../src/file/index.js'
import { makeTestRecord } from '../../src/testing/index.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsign-enames-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const ENAME_IDS = [
  '@user.w3id#device-1',
  '@user.w3id#device-2',
  '@e4d909c2-5e2b-4c6e-9a4f-0c1d2e3f4a5b',
  'did:w3id:@user#default',
  'entropy-key-1',
  'k+1=2~x',
]

describe('key id syntax', () => {
  it('accepts the characters eNames use, and still refuses separators, quotes, $ and white space', () => {
    for (const id of ENAME_IDS) expect(isValidKeyId(id), id).toBe(true)
    for (const id of ['a/b', 'a?b', "a'b", 'a$b', 'a b', 'a*b', 'a;b', 'a\\b', '@'.repeat(501)])
      expect(isValidKeyId(id), id).toBe(false)
    expect(isValidKeyId('a'.repeat(1000), LONG_KEY_ID_LENGTH)).toBe(true)
    expect(isValidKeyId('a'.repeat(LONG_KEY_ID_LENGTH + 1), 10_000)).toBe(false)
  })
})

describe.each([
  ['MemoryStore', () => new MemoryStore({ maxKeyIdLength: LONG_KEY_ID_LENGTH })],
  [
    'FileStore',
    () => new FileStore({ directory: join(dir, 'long'), maxKeyIdLength: LONG_KEY_ID_LENGTH }),
  ],
] as [string, () => KeyStore][])('%s with eName ids and long ids', (_, make) => {
  it('keeps ids apart that differ only in the new characters, and takes 2,048-character ids', async () => {
    const store = make()
    const ids = [...ENAME_IDS, `did:web:x.example#${'z'.repeat(2000)}`, '@user_w3id#device-1']
    for (const id of ids) await store.create(makeTestRecord(id))
    for (const id of ids) expect((await store.get(id))?.id).toBe(id)
    expect((await store.list({ limit: 1000 })).records.map((r) => r.id).sort()).toEqual(
      [...ids].sort(),
    )
    await expect(store.get('x'.repeat(LONG_KEY_ID_LENGTH + 1))).rejects.toMatchObject({
      code: 'invalid_key_id',
    })
  })
})

describe('a vault on a store with maxKeyIdLength', () => {
  it('takes the long ids in every id-taking operation (attachCertificateChain too)', async () => {
    const vault = new KeyVault({
      store: new MemoryStore({ maxKeyIdLength: LONG_KEY_ID_LENGTH }),
      serviceSecret: 'x'.repeat(32),
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    })
    const id = `did:web:x.example#${'k'.repeat(1000)}`
    await vault.generate({ id, algorithm: 'Ed25519', secrets: ['s1'] })
    // Wrong secrets get as far as the secrets check: the id itself is not refused.
    const error = await vault.attachCertificateChain(id, ['wrong'], []).catch((e: unknown) => e)
    expect(CredsignError.is(error, 'wrong_secrets')).toBe(true)
  })
})

describe('a store without maxKeyIdLength keeps the 500-character limit', () => {
  it('refuses longer ids in the store and in the vault, before any work', async () => {
    const store = new MemoryStore()
    await expect(store.create(makeTestRecord('x'.repeat(501)))).rejects.toMatchObject({
      code: 'invalid_key_id',
    })
    const vault = new KeyVault({ store, serviceSecret: 'x'.repeat(32) })
    const error = await vault
      .generate({ id: 'x'.repeat(501), algorithm: 'Ed25519', secrets: ['s'] })
      .catch((e: unknown) => e)
    expect(CredsignError.is(error, 'invalid_key_id')).toBe(true)
    expect(() => new MemoryStore({ maxKeyIdLength: 0 })).toThrow(CredsignError)
    expect(() => new MemoryStore({ maxKeyIdLength: 4096 })).toThrow(CredsignError)
  })
})

describe('FileStore file names', () => {
  /** The naming FileStore documents, written again here: readable prefix + SHA-256 prefix. */
  const documentedStem = (id: string) =>
    `${id
      .slice(0, 60)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\./, '_')}.${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 32)}`

  it('are unchanged for ids that were valid before (existing stores read as they are)', () => {
    expect(keyFileStem('did:web:issuer.example#key-1')).toBe(
      'did_web_issuer.example_key-1.' +
        createHash('sha256').update('did:web:issuer.example#key-1').digest('hex').slice(0, 32),
    )
    for (const id of ['issuer-1', 'did:web:x.example%3A8443#k', '..', 'A'.repeat(500)])
      expect(keyFileStem(id)).toBe(documentedStem(id))
  })

  it('give eName ids a safe name, and a vault signs with such a key', async () => {
    const directory = join(dir, 'vault')
    const vault = new KeyVault({
      store: new FileStore({ directory }),
      serviceSecret: 'x'.repeat(32),
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    })
    await vault.generate({ id: '@user.w3id#device-1', algorithm: 'P-256', secrets: ['s'] })
    const signature = await vault.withKey('@user.w3id#device-1', ['s'], (key) =>
      key.sign(new Uint8Array([1])),
    )
    expect(signature.length).toBe(64)
    const names = await readdir(directory)
    expect(names).toContain(`${documentedStem('@user.w3id#device-1')}.json`)
    expect(names.every((name) => /^[A-Za-z0-9._-]+$/.test(name))).toBe(true)
  })
})
