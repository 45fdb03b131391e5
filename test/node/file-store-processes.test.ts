// FileStore across real processes: atomic create and compare-and-swap between two Node processes,
// and crash safety under SIGKILL at random moments.
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileStore } from 'credsign/file'
import { makeTestRecord } from 'credsign/testing'
import { validateKeyRecord } from '../../src/stores/record.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

/** A child running a TypeScript fixture, with its stdout split into complete lines. */
class Child {
  readonly process: ChildProcessWithoutNullStreams
  readonly lines: string[] = []
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  #stderr = ''
  #partial = ''
  #waiters: (() => void)[] = []

  constructor(script: string, args: string[]) {
    this.process = spawn(process.execPath, ['--import', 'tsx', fixture(script), ...args], {
      cwd: repoRoot,
      stdio: 'pipe',
    })
    this.process.stdout.setEncoding('utf8')
    this.process.stdout.on('data', (chunk: string) => {
      // Only complete lines count: a line cut short by SIGKILL is no report.
      const parts = (this.#partial + chunk).split('\n')
      this.#partial = parts.pop() ?? ''
      this.lines.push(...parts)
      for (const wake of this.#waiters.splice(0)) wake()
    })
    this.process.stderr.setEncoding('utf8')
    this.process.stderr.on('data', (chunk: string) => {
      this.#stderr += chunk
    })
    this.exited = new Promise((done) => {
      this.process.on('close', (code, signal) => {
        for (const wake of this.#waiters.splice(0)) wake()
        done({ code, signal })
      })
    })
  }

  get stderr(): string {
    return this.#stderr
  }

  /** Resolves with the first line matching `test`; rejects if the child ends or `ms` pass first. */
  async waitFor(test: (line: string) => boolean, ms = 30_000): Promise<string> {
    const deadline = Date.now() + ms
    for (;;) {
      const found = this.lines.find(test)
      if (found !== undefined) return found
      if (this.process.exitCode !== null || this.process.signalCode !== null) {
        throw new Error(
          `child exited (${this.process.exitCode ?? this.process.signalCode}) without the expected line; stderr:\n${this.#stderr}`,
        )
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for the child; stderr:\n${this.#stderr}`)
      await new Promise<void>((wake) => {
        this.#waiters.push(wake)
        setTimeout(wake, 200)
      })
    }
  }

  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null)
      this.process.kill('SIGKILL')
  }
}

describe('FileStore across processes', () => {
  let dir: string
  const children: Child[] = []
  const start = (script: string, args: string[]): Child => {
    const child = new Child(script, args)
    children.push(child)
    return child
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsign-procs-'))
  })
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill()
      await child.exited
    }
    await rm(dir, { recursive: true, force: true })
  })

  it('two processes each making 25 concurrent creates of one id: exactly one succeeds in total', async () => {
    const a = start('concurrent-create.ts', [dir, 'did:web:contended.example#key-1', '25'])
    const b = start('concurrent-create.ts', [dir, 'did:web:contended.example#key-1', '25'])
    await Promise.all([
      a.waitFor((line) => line === 'ready'),
      b.waitFor((line) => line === 'ready'),
    ])
    a.process.stdin.write('go\n')
    b.process.stdin.write('go\n')
    const summaries = await Promise.all(
      [a, b].map(
        async (child) =>
          JSON.parse(await child.waitFor((line) => line.startsWith('{'))) as {
            ok: number
            exists: number
            other: string[]
          },
      ),
    )
    expect(summaries.flatMap((summary) => summary.other)).toEqual([])
    expect(summaries.reduce((sum, summary) => sum + summary.ok, 0)).toBe(1)
    expect(summaries.reduce((sum, summary) => sum + summary.exists, 0)).toBe(49)
    const record = await new FileStore({ directory: dir }).get('did:web:contended.example#key-1')
    expect(record?.revision).toBe(1)
    // Only the key file is left: no temporary or lock files.
    expect(await readdir(dir)).toHaveLength(1)
  }, 60_000)

  it('two processes bumping one record with compare-and-swap lose no update', async () => {
    const store = new FileStore({ directory: dir })
    await store.create(makeTestRecord('counter'))
    const a = start('increment.ts', [dir, 'counter', '15'])
    const b = start('increment.ts', [dir, 'counter', '15'])
    await Promise.all([
      a.waitFor((line) => line === 'ready'),
      b.waitFor((line) => line === 'ready'),
    ])
    a.process.stdin.write('go\n')
    b.process.stdin.write('go\n')
    await Promise.all([
      a.waitFor((line) => line.startsWith('done')),
      b.waitFor((line) => line.startsWith('done')),
    ])
    expect((await store.get('counter'))?.revision).toBe(31)
    expect(await readdir(dir)).toHaveLength(1)
  }, 60_000)

  it('a writer SIGKILLed at random moments never leaves a torn or lost record (20 kills)', async () => {
    const created = new Set<string>()
    const lastRevision = new Map<string, number>()
    let reports = 0
    for (let round = 0; round < 20; round++) {
      const child = start('crash-writer.ts', [dir, `r${round}`])
      await child.waitFor((line) => line === 'ready')
      // Let it run 5 to 150 ms: long enough for dozens of writes, random enough to land anywhere.
      await new Promise((done) => setTimeout(done, 5 + Math.random() * 145))
      child.kill()
      const { signal } = await child.exited
      expect(signal, `child ended on its own; stderr:\n${child.stderr}`).toBe('SIGKILL')

      for (const line of child.lines) {
        const [kind, id, revision] = line.split(' ')
        if (kind === 'C' && id !== undefined) created.add(id)
        if (kind === 'U' && id !== undefined)
          lastRevision.set(id, Math.max(lastRevision.get(id) ?? 0, Number(revision)))
        if (kind === 'C' || kind === 'U') reports++
      }

      // Every key file is complete and valid; nothing but key, temporary and lock files exists.
      const names = await readdir(dir)
      for (const name of names) {
        if (name.startsWith('.tmp-') || name.endsWith('.lock')) continue
        expect(name).toMatch(/\.json$/)
        const value: unknown = JSON.parse(await readFile(join(dir, name), 'utf8'))
        validateKeyRecord(value, 'store_corrupt', name)
      }
      // The store agrees, reports every acknowledged create, and no revision went backwards.
      const store = new FileStore({ directory: dir })
      const listed = new Map<string, number>()
      let cursor: string | undefined
      do {
        const page = await store.list({ cursor, limit: 1000 })
        for (const record of page.records) listed.set(record.id, record.revision)
        cursor = page.nextCursor
      } while (cursor !== undefined)
      for (const id of created)
        expect(listed.has(id), `acknowledged create of ${id} is lost`).toBe(true)
      for (const [id, revision] of lastRevision) {
        expect(
          listed.get(id) ?? 0,
          `acknowledged update of ${id} to revision ${revision} is lost`,
        ).toBeGreaterThanOrEqual(revision)
      }
    }
    // The test means something only if the children got real work done.
    expect(created.size).toBeGreaterThan(20)
    expect(reports).toBeGreaterThan(40)
    // Leftovers from the kills are harmless and cleanup() takes the old ones away.
    expect(
      await new FileStore({ directory: dir }).cleanup({ olderThanMs: 0 }),
    ).toBeGreaterThanOrEqual(0)
    expect((await readdir(dir)).filter((name) => name.startsWith('.tmp-'))).toEqual([])
  }, 180_000)
})
