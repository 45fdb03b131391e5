import { CredsignError } from '../errors/credsign-error.js'

/** Where the CLI writes and what it reads; injectable for tests. */
export interface CliIo {
  env: Record<string, string | undefined>
  out: (line: string) => void
  err: (line: string) => void
}

const USAGE = `usage: credsign <command> [options]

commands:
  migrate [--schema NAME] [--status] [--allow-destructive]
      Apply the PostgreSQL store's pending migrations (DATABASE_URL, or --database-url URL).
      Idempotent and safe when several replicas run it at once. --status only lists them.
  help
      Show this text.

Exit codes: 0 success, 1 failure, 2 usage error.`

/**
 * The `credsign` command line, as a function: parses `argv` (without `node` and the script),
 * runs the command and resolves with the exit code. Never prints a secret (the database URL is
 * never echoed).
 *
 * @example
 * ```sh
 * DATABASE_URL=postgres://app@db.internal/app npx credsign migrate --schema credsign
 * ```
 * @internal
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    ;(command === undefined ? io.err : io.out)(USAGE)
    return command === undefined ? 2 : 0
  }
  if (command !== 'migrate') {
    io.err(`credsign: unknown command${printable(command)}\n\n${USAGE}`)
    return 2
  }
  const options = parseFlags(rest, { '--schema': 'value', '--database-url': 'value', '--status': 'flag', '--allow-destructive': 'flag' })
  if (typeof options === 'string') {
    io.err(`credsign migrate: ${options}`)
    return 2
  }
  const url = (options['--database-url'] as string | undefined) ?? io.env.DATABASE_URL
  if (!url) {
    io.err('credsign migrate: set DATABASE_URL (or pass --database-url)')
    return 2
  }
  const { PostgresStore } = await import('../postgres/index.js')
  let store: InstanceType<typeof PostgresStore> | undefined
  try {
    const schema = options['--schema'] as string | undefined
    store = new PostgresStore({ connection: url, ...(schema === undefined ? {} : { schema }) })
    if (options['--status']) {
      const { applied, pending } = await store.migrationStatus()
      io.out(`applied: ${applied.join(', ') || 'none'}; pending: ${pending.join(', ') || 'none'}`)
      return 0
    }
    const result = await store.migrate({ allowDestructive: options['--allow-destructive'] === true })
    io.out(
      result.applied.length === 0
        ? `schema is up to date (version ${result.version})`
        : `applied migration${result.applied.length === 1 ? '' : 's'} ${result.applied.join(', ')}; schema version ${result.version}`,
    )
    if (result.unknown.length > 0) io.err(`note: the database has migrations this credsign does not know (${result.unknown.join(', ')}): a newer release migrated it`)
    return 0
  } catch (error) {
    io.err(`credsign migrate: ${error instanceof CredsignError ? `${error.code}: ${error.message}` : 'unexpected error'}`)
    return 1
  } finally {
    await store?.close().catch(() => undefined)
  }
}

/** Parses `--flag` and `--option value` pairs; returns an error message for anything else. */
function parseFlags(args: string[], spec: Record<string, 'flag' | 'value'>): Record<string, string | true> | string {
  const out: Record<string, string | true> = {}
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    // Own members only: `--constructor` or `__proto__` must not find Object.prototype's.
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined
    // Only the name is echoed: the value, or a stray argument, may be a database URL with its password.
    if (!kind) return `unknown option${printable(name)}`
    if (kind === 'flag') {
      if (inline !== undefined) return `${name} takes no value`
      out[name] = true
    } else {
      const value = inline ?? args[++i]
      if (value === undefined || value.startsWith('--')) return `${name} needs a value`
      out[name] = value
    }
  }
  return out
}

/** ` "name"` for a plain command or option name; nothing for anything else, which may be a secret. */
function printable(name: string): string {
  return /^-{0,2}[A-Za-z][A-Za-z0-9_-]{0,39}$/.test(name) ? ` ${JSON.stringify(name)}` : ''
}
