import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, expect, it } from 'vitest'
import { runCli } from '../../src/cli/run.js'
import { adminPool, databaseUrl, describePg, dropSchema, freshSchema, repoRoot } from './helpers.js'

const run = promisify(execFile)

describePg('credsign migrate (CLI)', () => {
  const schema = freshSchema('cli')
  const admin = adminPool()
  afterAll(async () => {
    await dropSchema(admin, schema)
    await admin.end()
  })

  function io(env: Record<string, string | undefined> = { DATABASE_URL: databaseUrl }) {
    const out: string[] = []
    const err: string[] = []
    return {
      io: { env, out: (l: string) => out.push(l), err: (l: string) => err.push(l) },
      out,
      err,
    }
  }

  it('applies the migrations once, then reports the schema up to date; --status lists them', async () => {
    const before = io()
    expect(await runCli(['migrate', '--schema', schema, '--status'], before.io)).toBe(0)
    expect(before.out.join('\n')).toMatch(/applied: none; pending: \d/)

    const first = io()
    expect(await runCli(['migrate', '--schema', schema], first.io)).toBe(0)
    expect(first.out.join('\n')).toMatch(/^applied migrations? [\d, ]+; schema version \d+$/)
    const tables = await admin.query(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
      [schema],
    )
    expect(tables.rows.map((r) => r.table_name)).toContain('credsign_keys')

    const second = io()
    expect(await runCli(['migrate', `--schema=${schema}`], second.io)).toBe(0)
    expect(second.out.join('\n')).toMatch(/^schema is up to date/)
  })

  it('fails with a usage error, never a stack trace or the database URL', async () => {
    const missing = io({})
    expect(await runCli(['migrate'], missing.io)).toBe(2)
    expect(missing.err.join('\n')).toContain('DATABASE_URL')
    const badSchema = io()
    expect(await runCli(['migrate', '--schema', 'x"; drop table y; --'], badSchema.io)).toBe(1)
    expect(badSchema.err.join('\n')).toMatch(/invalid_argument/)
    const down = io({ DATABASE_URL: 'postgres://user:hunter2@127.0.0.1:1/nothing' })
    expect(await runCli(['migrate'], down.io)).toBe(1)
    expect(down.err.join('\n')).toMatch(/store_unavailable/)
    expect(down.err.join('\n')).not.toContain('hunter2')
    expect(await runCli(['migrate', '--bogus'], io().io)).toBe(2)
    expect(await runCli(['frobnicate'], io().io)).toBe(2)
    // A mistyped option, a URL without its option, or a URL as the command: the password is never echoed.
    for (const argv of [
      ['migrate', '--database_url=postgres://u:hunter2@h/db'],
      ['migrate', 'postgres://u:hunter2@h/db'],
      ['postgres://u:hunter2@h/db'],
    ]) {
      const typo = io({})
      expect(await runCli(argv, typo.io)).toBe(2)
      expect(typo.err.join('\n')).not.toContain('hunter2')
    }
    const named = io({})
    expect(await runCli(['migrate', '--database_url=postgres://u:hunter2@h/db'], named.io)).toBe(2)
    expect(named.err.join('\n')).toContain('--database_url')
    // Object.prototype members are not options.
    expect(await runCli(['migrate', 'constructor', 'x'], io().io)).toBe(2)
    expect(await runCli(['migrate', '__proto__=x'], io().io)).toBe(2)
  })

  it('runs as a command', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'migrate', '--schema', schema],
      {
        cwd: repoRoot,
        env: { ...process.env, DATABASE_URL: databaseUrl },
      },
    )
    expect(stdout).toMatch(/schema is up to date/)
    await expect(
      run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'nope'], { cwd: repoRoot }),
    ).rejects.toMatchObject({ code: 2 })
  })
})
