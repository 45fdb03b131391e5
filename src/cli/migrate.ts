import { CredsignError } from '../errors/credsign-error.js'
import { CliError, flagsOrThrow, stringFlag } from './flags.js'
import type { CliIo } from './run.js'
import { loadPostgresStatusListStore, loadPostgresStore } from './postgres-modules.js'

/**
 * `credsign migrate [--schema NAME] [--status] [--allow-destructive] [--database-url URL]`: applies
 * the PostgreSQL store's pending migrations (idempotent, safe when replicas run it together), or
 * lists them with `--status`. The database URL is never echoed.
 *
 * @example
 *
 * ```sh
 * DATABASE_URL=postgres://app@db.internal/app npx credsign migrate --schema credsign
 * ```
 *
 * @internal
 */
export async function migrateCommand(args: string[], io: CliIo): Promise<number> {
  const flags = flagsOrThrow(args, {
    '--schema': 'value',
    '--database-url': 'value',
    '--status': 'flag',
    '--allow-destructive': 'flag',
  })
  const url = stringFlag(flags, '--database-url') ?? io.env.DATABASE_URL
  if (!url) throw new CliError('set DATABASE_URL (or pass --database-url)', 2)
  const { PostgresStore } = await loadPostgresStore()
  let store: InstanceType<typeof PostgresStore> | undefined
  try {
    const schema = stringFlag(flags, '--schema')
    store = new PostgresStore({ connection: url, ...(schema === undefined ? {} : { schema }) })
    if (flags['--status']) {
      const { applied, pending } = await store.migrationStatus()
      io.out(`applied: ${applied.join(', ') || 'none'}; pending: ${pending.join(', ') || 'none'}`)
      return 0
    }
    const result = await store.migrate({ allowDestructive: flags['--allow-destructive'] === true })
    io.out(
      result.applied.length === 0
        ? `schema is up to date (version ${result.version})`
        : `applied migration${result.applied.length === 1 ? '' : 's'} ${result.applied.join(', ')}; schema version ${result.version}`,
    )
    // The status list tables of `credsign serve` (issuer profiles with statusLists), same schema.
    const { PostgresStatusListStore } = await loadPostgresStatusListStore()
    const statusStore = new PostgresStatusListStore({
      connection: url,
      ...(schema === undefined ? {} : { schema }),
    })
    try {
      const lists = await statusStore.migrate({
        allowDestructive: flags['--allow-destructive'] === true,
      })
      if (lists.applied.length > 0)
        io.err(`status list tables: applied ${lists.applied.join(', ')} (version ${lists.version})`)
    } finally {
      await statusStore.close().catch(() => undefined)
    }
    if (result.unknown.length > 0)
      io.err(
        `note: the database has migrations this credsign does not know (${result.unknown.join(', ')}): a newer release migrated it`,
      )
    return 0
  } catch (error) {
    // As before the CLI had several commands: a store error is one line, never the URL or a stack.
    throw CredsignError.is(error) ? error : new CliError('unexpected error')
  } finally {
    await store?.close().catch(() => undefined)
  }
}
