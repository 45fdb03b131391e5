import { join } from 'node:path'
import { CredsignError } from '../errors/credsign-error.js'
import { FileStatusListStore } from '../file/file-status-list-store.js'
import type { IssuerProfile } from '../http/options.js'
import { resolvableSigner } from '../service/sign-verifiable.js'
import type { StatusListStore } from '../status/status-list-store.js'
import { StatusLists } from '../status/status-lists.js'
import type { KeyVault } from '../vault/key-vault.js'
import type { MigrationPolicy } from './config.js'
import { CliError } from './flags.js'
import { IssuerProfilesError, type ServeStatusList } from './issuer-profiles.js'
import type { CliIo } from './run.js'
import { loadPostgresStatusListStore } from './postgres-modules.js'

/*
 * `credsign serve` with `statusLists` in its issuer profiles file: the lists live beside the keys
 * (a FileStatusListStore in DATA_DIR/status-lists, or PostgresStatusListStore in the key store's
 * database and schema), are created on startup when missing, and are signed by the key of the
 * profile each names. Workers share the store: allocation and status changes are atomic there (a
 * file lock, a PostgreSQL row lock), and StatusLists re-reads the list's version from the store on
 * every publish, so a worker never serves a list older than the last change any worker made (a
 * verifier may still cache it for the list's ttl, `Cache-Control: max-age`).
 */

/**
 * The status lists of `credsign serve`, opened and created.
 *
 * @example
 *
 * ```ts
 * const opened = await openServeStatusLists(io, {
 *   dataDir,
 *   migrations: 'apply',
 *   lists,
 *   issuers,
 *   vault,
 *   file,
 * })
 * await opened.close()
 * ```
 *
 * @internal
 */
export interface ServeStatusLists {
  lists: StatusLists
  where: string
  close(): Promise<void>
}

/**
 * Opens the status list store (PostgreSQL when `DATABASE_URL` is set, migrated unless `migrations`
 * is `require`; else files in `DATA_DIR/status-lists`) and creates every configured list that is
 * missing. A list that exists with another URL or purpose stops the start.
 *
 * @example
 *
 * ```ts
 * const opened = await openServeStatusLists(io, {
 *   dataDir,
 *   migrations: 'apply',
 *   lists,
 *   issuers,
 *   vault,
 *   file,
 * })
 * createHandler({ vault, auth, issuers, statusLists: opened.lists })
 * ```
 *
 * @internal
 */
export async function openServeStatusLists(
  io: CliIo,
  options: {
    dataDir: string
    migrations: MigrationPolicy
    schema?: string | undefined
    lists: readonly ServeStatusList[]
    issuers: readonly IssuerProfile[]
    vault: KeyVault
    /** The issuer profiles file, for messages. */
    file: string
  },
): Promise<ServeStatusLists> {
  let store: StatusListStore
  let where: string
  let close: () => Promise<void> = async () => undefined
  const connection = io.env.DATABASE_URL
  if (connection) {
    const { PostgresStatusListStore } = await loadPostgresStatusListStore()
    const pgStore = new PostgresStatusListStore({
      connection,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    })
    close = () => pgStore.close().catch(() => undefined)
    try {
      if (options.migrations === 'apply') await pgStore.migrate()
      else {
        const { pending } = await pgStore.migrationStatus()
        if (pending.length > 0)
          throw new CliError(
            `the status list tables have pending migrations (${pending.join(', ')}): run \`credsign migrate\` first`,
          )
      }
    } catch (error) {
      await close()
      throw error
    }
    store = pgStore
    where = 'PostgreSQL'
  } else {
    const directory = join(options.dataDir, 'status-lists')
    store = new FileStatusListStore({ directory })
    where = `files in ${directory}`
  }
  const byId = new Map(options.lists.map((list) => [list.id, list]))
  const lists = new StatusLists({
    store,
    signer: async (info) => {
      const profile = options.issuers.find((p) => p.name === byId.get(info.id)?.signedBy)
      if (profile === undefined)
        throw new CredsignError('not_found', 'no issuer profile signs this status list')
      return resolvableSigner(
        await options.vault.unlock(profile.keyId, profile.secrets),
        profile.didMethod,
      )
    },
  })
  try {
    for (const [index, list] of options.lists.entries()) {
      try {
        await lists.createList({
          id: list.id,
          kind: 'bitstring',
          purpose: list.purpose,
          url: list.url,
        })
      } catch (error) {
        if (!CredsignError.is(error, 'exists')) throw error
        // Created earlier (or by another worker just now): it must be the list the file describes.
        const existing = await store.getStatusList(list.id)
        const settings = existing?.settings
        if (
          existing?.kind !== 'bitstring' ||
          settings?.url !== list.url ||
          settings?.purpose !== list.purpose
        )
          throw new IssuerProfilesError(
            options.file,
            `/statusLists/${index}`,
            `the store holds a list ${list.id} with another kind, url or purpose`,
          )
      }
    }
  } catch (error) {
    await close()
    throw error
  }
  // A block of indexes reserved ahead is a store write: let it finish before the store closes
  // (an interrupted file store write leaves its lock file behind until it is stale).
  const closeStore = close
  return {
    lists,
    where,
    close: async () => {
      await lists.whenIdle()
      await closeStore()
    },
  }
}
