import type { CallerSecret } from '../envelope/caller-secrets.js'
import type { KeyMaterial } from '../keys/generate.js'
import type { KeyRecord } from '../stores/key-store.js'

/**
 * Turns a legacy key, opened, into the credsign record that replaces it (the vault seals it under
 * the caller's secrets and its current envelope and KDF). The source stores that record itself, in
 * the transaction that removes the legacy copy.
 *
 * @example
 *
 * ```ts
 * import type { LegacyKeyReseal } from 'credsign'
 * declare const reseal: LegacyKeyReseal
 * declare const material: Parameters<LegacyKeyReseal>[0]
 * const record = await reseal(material)
 * console.log(record.versions[0]?.algorithm)
 * ```
 */
export type LegacyKeyReseal = (material: KeyMaterial) => Promise<KeyRecord>

/**
 * Keys another system left behind, moved into the vault on first use: when a caller unlocks an id
 * that the vault's store does not hold, the vault asks its `legacyKeys` source to open the legacy
 * key with the caller's secrets and to replace it, atomically, with a credsign record. A failure to
 * open counts against the same lockout as wrong secrets for a credsign key.
 *
 * `credsign/postgres` has one for the EECC key service's `keys` table
 * (`PostgresStore.eeccLegacyKeys`, docs/migrate-from-eecc.md).
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, type LegacyKeySource } from 'credsign'
 * const nothingLeft: LegacyKeySource = {
 *   has: async () => false,
 *   migrate: async () => 'absent',
 * }
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 *   legacyKeys: nothingLeft,
 * })
 * ```
 */
export interface LegacyKeySource {
  /** Whether a legacy key with this id waits to be migrated (so `generate` refuses the id). */
  has(id: string): Promise<boolean>
  /**
   * Opens the legacy key `id` with `secrets` and, in one transaction, stores the record `reseal`
   * makes of it in the vault's store and removes (or marks) the legacy copy. Resolves `'migrated'`
   * once that committed, `'absent'` when there is no legacy key with this id (also when a
   * concurrent caller migrated it first); throws `wrong_secrets` when the secrets do not open it,
   * and leaves the legacy key as it was on any error. An absent id must cost the same work as wrong
   * secrets for a waiting key (the vault adds one KDF run to both), so that the time of a refusal
   * does not tell a stranger which ids have a legacy key.
   */
  migrate(
    id: string,
    secrets: CallerSecret[],
    reseal: LegacyKeyReseal,
  ): Promise<'migrated' | 'absent'>
}
