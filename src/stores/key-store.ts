import type { KeyAlgorithm, PublicJwk } from '../keys/types.js'
import type { SealedEnvelope } from '../envelope/types.js'

/** Where a key version stands in its key's life. */
export type KeyVersionStatus = 'current' | 'previous'

/** One version of a key: its public part in clear, its private part sealed in an envelope. */
export interface KeyVersionRecord {
  /** 1 for the first key, incremented by every rotation. */
  version: number
  algorithm: KeyAlgorithm
  /** Public key in clear so it can be served without secrets. */
  publicJwk: PublicJwk
  status: KeyVersionStatus
  /** ISO 8601 timestamp. */
  createdAt: string
  /** The private key (PKCS#8), encrypted. */
  envelope: SealedEnvelope
  /**
   * The X.509 chain attached to this version (`KeyVault.attachCertificateChain`): public data,
   * `x5c` entries leaf first without the trust anchor, and when the chain stops being valid.
   */
  certificateChain?: { x5c: string[]; notAfter: string }
}

/**
 * What a {@link KeyStore} keeps for one key id. JSON-serialisable; stores keep it whole and never
 * interpret the envelopes.
 */
export interface KeyRecord {
  id: string
  /**
   * Compare-and-swap token. A store sets it to 1 on create and increments it on every update; an
   * update whose `revision` is not the stored one fails with `conflict`.
   */
  revision: number
  /** ISO 8601 timestamps. */
  createdAt: string
  updatedAt: string
  /** Ascending by `version`; exactly one has status `current`. */
  versions: KeyVersionRecord[]
}

/** Options of {@link KeyStore.list}. */
export interface ListOptions {
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string
  /** Page size, 1 to 1000 (default 100). */
  limit?: number
}

/** One page of {@link KeyStore.list}: records in ascending id order (UTF-16 code unit order). */
export interface KeyRecordPage {
  records: KeyRecord[]
  /** Present when more records follow. */
  nextCursor?: string
}

/**
 * Where a {@link KeyVault} keeps its keys. Implement it to keep keys anywhere; run the store
 * contract suite from `credsign/testing` against your implementation.
 *
 * Every method either completes fully or throws: a record is never half-written. Errors are
 * `CredsignError`s: `exists`, `not_found`, `conflict`, `store_corrupt`, `store_unavailable`, and
 * `invalid_key_id` / `invalid_argument` for malformed ids, records, cursors or limits. A record
 * that cannot be read is reported as `store_corrupt` by every method and is never deleted or
 * overwritten. `createdAt` and `updatedAt` belong to the caller; `revision` to the store.
 *
 * @example
 *
 * ```ts
 * import { MemoryStore, type KeyStore } from 'credsign'
 * const store: KeyStore = new MemoryStore()
 * const page = await store.list({ limit: 10 })
 * console.log(page.records.length)
 * ```
 */
export interface KeyStore {
  /**
   * Stores a new record if no record has this id; throws `exists` otherwise (atomically: of many
   * concurrent creates of one id exactly one succeeds). The input `revision` is ignored; resolves
   * with the stored record (revision 1).
   */
  create(record: KeyRecord): Promise<KeyRecord>
  /** The record with this id, or `undefined`. Throws `store_corrupt` for unreadable data. */
  get(id: string): Promise<KeyRecord | undefined>
  /**
   * Replaces the record if the stored revision equals `record.revision`; resolves with the stored
   * record (revision + 1). Throws `conflict` if the revision moved, `not_found` if the id is gone.
   */
  update(record: KeyRecord): Promise<KeyRecord>
  /**
   * Deletes the record. With `expectedRevision`, only if the stored revision matches (else
   * `conflict`). Resolves `false` if there was nothing to delete.
   */
  delete(id: string, expectedRevision?: number): Promise<boolean>
  /** A page of records in ascending id order. */
  list(options?: ListOptions): Promise<KeyRecordPage>
  /** Cheap health check; throws `store_unavailable` when the store cannot serve requests. */
  ping?(): Promise<void>
  /**
   * Longest key id this store accepts (default 500, `MAX_KEY_ID_LENGTH`; at most 2,048,
   * `LONG_KEY_ID_LENGTH`). The vault refuses longer ids with `invalid_key_id` before any work.
   */
  readonly maxKeyIdLength?: number
}
