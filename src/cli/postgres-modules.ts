import { lazyModule } from '../util/lazy-module.js'

/*
 * The PostgreSQL stores, loaded only when DATABASE_URL (or --database-url) names a database: a
 * file-store install never loads pg. A module that cannot be loaded (an install without it) is
 * `store_unavailable`, as a missing `pg` package is, rather than an unexplained 'unexpected error'.
 */

/**
 * Credsign/postgres (PostgresStore).
 *
 * @example
 *
 * ```ts
 * const { PostgresStore } = await loadPostgresStore() // store_unavailable if it cannot be loaded
 * ```
 *
 * @internal
 */
export const loadPostgresStore = lazyModule(
  () => import('../postgres/index.js'),
  'the PostgreSQL key store (credsign/postgres)',
  'store_unavailable',
)

/**
 * The PostgreSQL status list store of `credsign serve`.
 *
 * @example
 *
 * ```ts
 * const { PostgresStatusListStore } = await loadPostgresStatusListStore()
 * ```
 *
 * @internal
 */
export const loadPostgresStatusListStore = lazyModule(
  () => import('../postgres/postgres-status-list-store.js'),
  'the PostgreSQL status list store (credsign/postgres)',
  'store_unavailable',
)
