import {
  mkdtemp,
  mkdir,
  readdir,
  readFile,
  rm,
  stat,
  utimes,
  writeFile,
  copyFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileStore, keyFileStem, loadServiceSecret } from 'credsign/file'
import { makeTestRecord, runKeyStoreContract } from 'credsign/testing'
import { CredsignError } from '../../src/errors/index.js'

const posix = process.platform !== 'win32'

async function freshDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'credsign-fs-'))
}

runKeyStoreContract(
  'FileStore',
  async () => {
    const dir = await freshDir()
    return {
      store: new FileStore({ directory: join(dir, 'keys') }),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    }
  },
  { describe, it },
)

describe('FileStore', () => {
  let root: string
  let dir: string
  let store: FileStore

  beforeEach(async () => {
    root = await freshDir()
    dir = join(root, 'keys')
    store = new FileStore({ directory: dir })
  })
  afterEach(async () => {
    await rm(root, { recursive: true, force: true })
  })

  const fileOf = (id: string): string => join(dir, `${keyFileStem(id)}.json`)

  it.runIf(posix)('creates the directory with mode 0700 and key files with mode 0600', async () => {
    const previous = process.umask(0o022)
    try {
      await store.create(makeTestRecord('issuer-1'))
      expect((await stat(dir)).mode & 0o777).toBe(0o700)
      expect((await stat(fileOf('issuer-1'))).mode & 0o777).toBe(0o600)
      const record = await store.get('issuer-1')
      await store.update(record!)
      expect((await stat(fileOf('issuer-1'))).mode & 0o777).toBe(0o600)
    } finally {
      process.umask(previous)
    }
  })

  it.runIf(posix)('leaves the mode of an existing directory alone', async () => {
    await mkdir(dir, { mode: 0o750 })
    await store.create(makeTestRecord('issuer-1'))
    expect((await stat(dir)).mode & 0o777).toBe(0o750)
  })

  it('stores one pretty JSON file per key holding the id, and nothing else', async () => {
    await store.create(makeTestRecord('did:web:issuer.example#key-1'))
    await store.create(makeTestRecord('issuer-2'))
    const names = (await readdir(dir)).sort()
    expect(names).toEqual(
      [
        `${keyFileStem('did:web:issuer.example#key-1')}.json`,
        `${keyFileStem('issuer-2')}.json`,
      ].sort(),
    )
    const content = JSON.parse(await readFile(fileOf('did:web:issuer.example#key-1'), 'utf8'))
    expect(content).toEqual({ ...makeTestRecord('did:web:issuer.example#key-1'), revision: 1 })
  })

  it('maps ids to distinct, safe, bounded file names', () => {
    const ids = [
      'a',
      'A',
      'k#1',
      'k%1',
      'k:1',
      'k_1',
      '.hidden',
      '..',
      '.',
      'did:web:x.example%3A8443#key-1',
      'x'.repeat(500),
      `${'x'.repeat(499)}y`,
    ]
    const stems = ids.map(keyFileStem)
    // Distinct even on a case-insensitive file system.
    expect(new Set(stems.map((stem) => stem.toLowerCase())).size).toBe(ids.length)
    for (const stem of stems) {
      expect(stem).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,59}\.[0-9a-f]{32}$/)
      expect(`${stem}.lock`.length).toBeLessThan(120)
    }
    expect(keyFileStem('did:web:issuer.example#key-1')).toMatch(
      /^did_web_issuer\.example_key-1\.[0-9a-f]{32}$/,
    )
    expect(keyFileStem('a')).not.toBe(keyFileStem('A'))
    expect(keyFileStem('k#1').split('.')[0]).toBe(keyFileStem('k%1').split('.')[0])
  })

  it('rejects a 10,000-character id with invalid_key_id and a short message', async () => {
    const id = 'k'.repeat(10_000)
    for (const attempt of [store.get(id), store.delete(id), store.create(makeTestRecord(id))]) {
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(CredsignError.is(error, 'invalid_key_id')).toBe(true)
      expect((error as Error).message.length).toBeLessThan(300)
    }
    await expect(store.get('../../etc/passwd')).rejects.toMatchObject({ code: 'invalid_key_id' })
    expect(await readdir(dir).catch(() => [])).toEqual([])
  })

  describe('a corrupt file', () => {
    const cases: [string, (path: string) => Promise<void>][] = [
      ['unparsable JSON', (path) => writeFile(path, '{"id": "issuer-1", "revision": ')],
      ['invalid UTF-8', (path) => writeFile(path, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))],
      ['an empty file', (path) => writeFile(path, '')],
      [
        'a record that fails validation',
        (path) => writeFile(path, JSON.stringify({ ...makeTestRecord('issuer-1'), versions: [] })),
      ],
      ['another id', (path) => writeFile(path, JSON.stringify(makeTestRecord('issuer-2')))],
    ]
    for (const [what, corrupt] of cases) {
      it(`holding ${what} gives store_corrupt naming it and is never changed`, async () => {
        await store.create(makeTestRecord('issuer-1'))
        await store.create(makeTestRecord('issuer-0'))
        const path = fileOf('issuer-1')
        await corrupt(path)
        const before = await readFile(path)
        const name = `${keyFileStem('issuer-1')}.json`
        const expectCorrupt = async (promise: Promise<unknown>): Promise<void> => {
          const error = await promise.then(
            () => undefined,
            (e: unknown) => e,
          )
          expect(CredsignError.is(error, 'store_corrupt'), String(error)).toBe(true)
          expect((error as Error).message).toContain(name)
        }
        await expectCorrupt(store.get('issuer-1'))
        await expectCorrupt(store.update(makeTestRecord('issuer-1')))
        await expectCorrupt(store.delete('issuer-1'))
        await expectCorrupt(store.delete('issuer-1', 1))
        await expectCorrupt(store.list())
        await expectCorrupt(store.list({ limit: 1 }))
        await expect(store.create(makeTestRecord('issuer-1'))).rejects.toMatchObject({
          code: 'exists',
        })
        expect(await readFile(path)).toEqual(before)
        // Other keys still work.
        expect((await store.get('issuer-0'))?.id).toBe('issuer-0')
      })
    }

    it('copied onto another id is store_corrupt for that id', async () => {
      await store.create(makeTestRecord('issuer-1'))
      await copyFile(fileOf('issuer-1'), fileOf('issuer-9'))
      await expect(store.get('issuer-9')).rejects.toMatchObject({ code: 'store_corrupt' })
      expect((await store.get('issuer-1'))?.id).toBe('issuer-1')
      await expect(store.list()).rejects.toThrow(keyFileStem('issuer-9'))
    })

    it('that is a directory is store_corrupt', async () => {
      await mkdir(fileOf('issuer-1'), { recursive: true })
      await expect(store.get('issuer-1')).rejects.toMatchObject({ code: 'store_corrupt' })
    })
  })

  it('list ignores temporary, lock and foreign files', async () => {
    await store.create(makeTestRecord('issuer-1'))
    await writeFile(join(dir, '.tmp-0123456789abcdef'), '{"half": ')
    await writeFile(join(dir, `${keyFileStem('issuer-2')}.lock`), '')
    await writeFile(join(dir, 'README.txt'), 'not a key')
    await writeFile(join(dir, '.DS_Store'), 'junk')
    await mkdir(join(dir, 'subdir'))
    const page = await store.list()
    expect(page.records.map((record) => record.id)).toEqual(['issuer-1'])
  })

  it('cleanup removes temporary files older than a minute and stale locks, nothing else', async () => {
    await store.create(makeTestRecord('issuer-1'))
    const old = new Date(Date.now() - 120_000)
    await writeFile(join(dir, '.tmp-old'), 'x')
    await utimes(join(dir, '.tmp-old'), old, old)
    await writeFile(join(dir, '.tmp-new'), 'x')
    await writeFile(join(dir, `${keyFileStem('issuer-2')}.lock`), '')
    await utimes(join(dir, `${keyFileStem('issuer-2')}.lock`), old, old)
    await writeFile(join(dir, `${keyFileStem('issuer-3')}.lock`), '')
    expect(await store.cleanup()).toBe(2)
    expect((await readdir(dir)).sort()).toEqual(
      ['.tmp-new', `${keyFileStem('issuer-1')}.json`, `${keyFileStem('issuer-3')}.lock`].sort(),
    )
    expect(await store.cleanup({ olderThanMs: 0 })).toBe(1)
  })

  it('an update waits for a lock held by another writer, then times out with store_unavailable', async () => {
    const quick = new FileStore({ directory: dir, lockTimeoutMs: 200 })
    const created = await quick.create(makeTestRecord('issuer-1'))
    const lock = join(dir, `${keyFileStem('issuer-1')}.lock`)
    await writeFile(lock, '')
    const started = Date.now()
    await expect(quick.update(created)).rejects.toMatchObject({ code: 'store_unavailable' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    await expect(quick.delete('issuer-1')).rejects.toMatchObject({ code: 'store_unavailable' })
    // Released: the next update goes through.
    await rm(lock)
    expect((await quick.update(created)).revision).toBe(2)
  })

  it('a writer waiting on a lock proceeds as soon as it is released', async () => {
    const created = await store.create(makeTestRecord('issuer-1'))
    const lock = join(dir, `${keyFileStem('issuer-1')}.lock`)
    await writeFile(lock, '')
    const pending = store.update(created)
    await new Promise((done) => setTimeout(done, 100))
    await rm(lock)
    expect((await pending).revision).toBe(2)
  })

  it('a lock older than staleLockMs is broken', async () => {
    const created = await store.create(makeTestRecord('issuer-1'))
    const lock = join(dir, `${keyFileStem('issuer-1')}.lock`)
    await writeFile(lock, '')
    const old = new Date(Date.now() - 31_000)
    await utimes(lock, old, old)
    expect((await store.update(created)).revision).toBe(2)
    expect(await readdir(dir)).toEqual([`${keyFileStem('issuer-1')}.json`])
  })

  it('two FileStore instances on one directory serialise their compare-and-swaps', async () => {
    const other = new FileStore({ directory: dir })
    const created = await store.create(makeTestRecord('issuer-1'))
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? store : other).update({
          ...created,
          updatedAt: `2026-02-01T00:00:${String(i).padStart(2, '0')}Z`,
        }),
      ),
    )
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
    expect(
      results.filter(
        (result) => result.status === 'rejected' && CredsignError.is(result.reason, 'conflict'),
      ),
    ).toHaveLength(19)
    expect(await readdir(dir)).toEqual([`${keyFileStem('issuer-1')}.json`])
  })

  it('read-modify-write loops with retry on conflict lose no update', async () => {
    await store.create(makeTestRecord('counter'))
    const stores = [store, new FileStore({ directory: dir })]
    const bump = async (s: FileStore): Promise<void> => {
      for (;;) {
        const record = await s.get('counter')
        try {
          await s.update(record!)
          return
        } catch (error) {
          if (!CredsignError.is(error, 'conflict')) throw error
        }
      }
    }
    await Promise.all(Array.from({ length: 30 }, (_, i) => bump(stores[i % 2]!)))
    expect((await store.get('counter'))?.revision).toBe(31)
  })

  it('turns I/O failures into store_unavailable, never raw errors', async () => {
    await writeFile(join(root, 'a-file'), 'x')
    const broken = new FileStore({ directory: join(root, 'a-file', 'keys') })
    for (const attempt of [
      broken.ping(),
      broken.list(),
      broken.get('k'),
      broken.create(makeTestRecord('k')),
      broken.update(makeTestRecord('k')),
      broken.delete('k'),
      broken.cleanup(),
    ]) {
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(CredsignError.is(error, 'store_unavailable'), String(error)).toBe(true)
      expect((error as CredsignError).cause).toBeDefined()
    }
  })

  it('ping creates the directory and leaves nothing behind', async () => {
    await store.ping()
    expect(await readdir(dir)).toEqual([])
  })

  it('rejects bad options', () => {
    expect(() => new FileStore({ directory: '' })).toThrow(CredsignError)
    expect(() => new FileStore({ directory: dir, lockTimeoutMs: -1 })).toThrow(CredsignError)
    expect(() => new FileStore({ directory: dir, staleLockMs: 10 })).toThrow(CredsignError)
  })
})

describe('loadServiceSecret', () => {
  let root: string
  beforeEach(async () => {
    root = await freshDir()
  })
  afterEach(async () => {
    await rm(root, { recursive: true, force: true })
  })
  const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

  it('reads the file and trims surrounding whitespace like the origin service', async () => {
    const secret = 'A'.repeat(40)
    await writeFile(join(root, 's1'), `${secret}\n`)
    await writeFile(join(root, 's2'), `  \t${secret}\r\n\n  `)
    await writeFile(join(root, 's3'), `\uFEFF${secret}\n`)
    for (const name of ['s1', 's2', 's3'])
      expect(text(await loadServiceSecret(join(root, name)))).toBe(secret)
  })

  it('keeps inner whitespace and arbitrary bytes', async () => {
    const bytes = new Uint8Array(40).map((_, i) => (i * 37 + 1) % 256)
    bytes[0] = 0x41
    bytes[39] = 0x42
    bytes[20] = 0x20
    await writeFile(join(root, 's'), bytes)
    expect(await loadServiceSecret(join(root, 's'))).toEqual(bytes)
  })

  it('requires at least 32 bytes after trimming', async () => {
    await writeFile(join(root, 'short'), `${'x'.repeat(31)}\n\n\n`)
    await expect(loadServiceSecret(join(root, 'short'))).rejects.toMatchObject({
      code: 'invalid_service_secret',
    })
    await writeFile(join(root, 'ok'), 'x'.repeat(32))
    expect((await loadServiceSecret(join(root, 'ok'))).length).toBe(32)
    await writeFile(join(root, 'blank'), ' \n'.repeat(40))
    await expect(loadServiceSecret(join(root, 'blank'))).rejects.toMatchObject({
      code: 'invalid_service_secret',
    })
  })

  it('fails with invalid_service_secret for a missing, unreadable or huge file', async () => {
    await expect(loadServiceSecret(join(root, 'missing'))).rejects.toMatchObject({
      code: 'invalid_service_secret',
    })
    await expect(loadServiceSecret(root)).rejects.toMatchObject({ code: 'invalid_service_secret' })
    await writeFile(join(root, 'huge'), 'x'.repeat(100_000))
    await expect(loadServiceSecret(join(root, 'huge'))).rejects.toMatchObject({
      code: 'invalid_service_secret',
    })
    expect(await readdir(root)).toEqual(['huge'])
  })

  it('createIfMissing writes 32 random bytes base64url with mode 0600, once', async () => {
    const path = join(root, 'nested', 'dev-secret')
    const first = await loadServiceSecret(path, { createIfMissing: true })
    expect(text(first)).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(await readFile(path, 'utf8')).toBe(`${text(first)}\n`)
    if (posix) expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(await loadServiceSecret(path, { createIfMissing: true })).toEqual(first)
    expect(await loadServiceSecret(path)).toEqual(first)
    expect(await readdir(join(root, 'nested'))).toEqual(['dev-secret'])
  })

  it('concurrent createIfMissing calls agree on one secret', async () => {
    const path = join(root, 'dev-secret')
    const secrets = await Promise.all(
      Array.from({ length: 10 }, () => loadServiceSecret(path, { createIfMissing: true })),
    )
    for (const secret of secrets) expect(secret).toEqual(secrets[0])
    expect(await readdir(root)).toEqual(['dev-secret'])
  })

  it('does not overwrite an existing (even too short) file', async () => {
    await writeFile(join(root, 'short'), 'short')
    await expect(
      loadServiceSecret(join(root, 'short'), { createIfMissing: true }),
    ).rejects.toMatchObject({ code: 'invalid_service_secret' })
    expect(await readFile(join(root, 'short'), 'utf8')).toBe('short')
  })
})
