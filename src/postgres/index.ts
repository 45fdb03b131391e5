// `credsign/postgres`: a KeyStore and a shared failed-attempt limiter in PostgreSQL (Node, Deno, Bun).
// `pg` is an optional peer dependency, loaded on first use; no type here needs @types/pg.
export { PostgresStore } from './postgres-store.js'
export { PostgresStatusListStore } from './postgres-status-list-store.js'
export type { PostgresStatusListStoreOptions } from './postgres-status-list-store.js'
export type { PostgresStoreOptions } from './postgres-store.js'
export { EeccLegacyKeys } from './eecc-legacy.js'
export type { EeccLegacyKeysOptions } from './eecc-legacy.js'
export { PostgresAttemptLimiter } from './attempt-limiter.js'
export type { PostgresAttemptLimiterOptions } from './attempt-limiter.js'
export { createPostgresPool } from './connection.js'
export type {
  PgPool,
  PgPoolClient,
  PgQueryConfig,
  PgQueryResult,
  PostgresConnectionOptions,
  PostgresTlsOptions,
} from './connection.js'
export type {
  MigrateOptions,
  MigrationResult,
  MigrationStatus,
  PostgresTableNames,
  PostgresTarget,
} from './schema.js'
