import { CredsignError } from '../errors/credsign-error.js'
import { resolveMaxKeyIdLength, validateKeyId } from './key-id.js'
import type { KeyRecord, KeyRecordPage, KeyStore, ListOptions } from './key-store.js'
import {
  cloneKeyRecord,
  compareKeyIds,
  decodeListCursor,
  encodeListCursor,
  prepareRecordForWrite,
  resolveListLimit,
  validateRevision,
} from './record.js'

/**
 * A {@link KeyStore} in process memory: for tests, demos and short-lived processes. Keys are lost
 * when the process ends.
 *
 * Records are copied on the way in and on the way out, so a caller mutating a record it passed in
 * or got back never changes what the store holds (as with any real database). Every operation runs
 * to completion without yielding, which makes create-if-absent and compare-and-swap atomic.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore } from 'credsign'
 * const store = new MemoryStore()
 * const vault = new KeyVault({
 *   store,
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * console.log((await store.list()).records.length) // 0
 * ```
 */
export class MemoryStore implements KeyStore {
  readonly #records = new Map<string, KeyRecord>()
  /** Longest key id accepted (default 500). */
  readonly maxKeyIdLength: number

  /**
   * An empty store. `maxKeyIdLength` (up to 2,048) admits longer key ids than the default 500.
   *
   * @example
   *
   * ```ts
   * import { MemoryStore } from 'credsign'
   * const store = new MemoryStore({ maxKeyIdLength: 2048 })
   * ```
   */
  constructor(options: { maxKeyIdLength?: number } = {}) {
    this.maxKeyIdLength = resolveMaxKeyIdLength(options?.maxKeyIdLength)
  }

  /**
   * Stores a copy of `record` with revision 1; `exists` if the id is taken.
   *
   * @example
   *
   * ```ts
   * import { MemoryStore } from 'credsign'
   * import { makeTestRecord } from 'credsign/testing'
   * const store = new MemoryStore()
   * const stored = await store.create(makeTestRecord('issuer-1'))
   * console.log(stored.revision) // 1
   * ```
   */
  async create(record: KeyRecord): Promise<KeyRecord> {
    const stored = prepareRecordForWrite(record, 1, this.maxKeyIdLength)
    if (this.#records.has(stored.id))
      throw new CredsignError(
        'exists',
        `a key record with id ${JSON.stringify(stored.id)} already exists`,
      )
    this.#records.set(stored.id, stored)
    return cloneKeyRecord(stored)
  }

  /**
   * A copy of the record with this id, or `undefined`.
   *
   * @example
   *
   * ```ts
   * import { MemoryStore } from 'credsign'
   * console.log(await new MemoryStore().get('nobody')) // undefined
   * ```
   */
  async get(id: string): Promise<KeyRecord | undefined> {
    validateKeyId(id, this.maxKeyIdLength)
    const stored = this.#records.get(id)
    return stored === undefined ? undefined : cloneKeyRecord(stored)
  }

  /**
   * Replaces the record if its stored revision is `record.revision`; the stored copy gets revision
   *
   * - 1.
   *
   * @example
   *
   * ```ts
   * import { MemoryStore } from 'credsign'
   * import { makeTestRecord } from 'credsign/testing'
   * const store = new MemoryStore()
   * const created = await store.create(makeTestRecord('issuer-1'))
   * const updated = await store.update({ ...created, updatedAt: new Date().toISOString() })
   * console.log(updated.revision) // 2
   * ```
   */
  async update(record: KeyRecord): Promise<KeyRecord> {
    validateRevision((record as Partial<KeyRecord> | null)?.revision)
    const next = prepareRecordForWrite(record, record.revision + 1, this.maxKeyIdLength)
    const stored = this.#records.get(next.id)
    if (stored === undefined)
      throw new CredsignError('not_found', `no key record with id ${JSON.stringify(next.id)}`)
    if (stored.revision !== record.revision) {
      throw new CredsignError(
        'conflict',
        `key record ${JSON.stringify(next.id)} is at revision ${stored.revision}, not ${record.revision}`,
      )
    }
    this.#records.set(next.id, next)
    return cloneKeyRecord(next)
  }

  /**
   * Deletes the record (only at `expectedRevision`, when given); `false` if there was none.
   *
   * @example
   *
   * ```ts
   * import { MemoryStore } from 'credsign'
   * console.log(await new MemoryStore().delete('nobody')) // false
   * ```
   */
  async delete(id: string, expectedRevision?: number): Promise<boolean> {
    validateKeyId(id, this.maxKeyIdLength)
    if (expectedRevision !== undefined) validateRevision(expectedRevision, 'expectedRevision')
    const stored = this.#records.get(id)
    if (stored === undefined) return false
    if (expectedRevision !== undefined && stored.revision !== expectedRevision) {
      throw new CredsignError(
        'conflict',
        `key record ${JSON.stringify(id)} is at revision ${stored.revision}, not ${expectedRevision}`,
      )
    }
    this.#records.delete(id)
    return true
  }

  /**
   * A page of copies in ascending id order, continuing after `options.cursor`.
   *
   * @example
   *
   * ```ts
   * import { MemoryStore } from 'credsign'
   * const store = new MemoryStore()
   * let cursor: string | undefined
   * do {
   *   const page = await store.list({ cursor, limit: 50 })
   *   for (const record of page.records) console.log(record.id)
   *   cursor = page.nextCursor
   * } while (cursor !== undefined)
   * ```
   */
  async list(options: ListOptions = {}): Promise<KeyRecordPage> {
    const limit = resolveListLimit(options.limit)
    const after = options.cursor === undefined ? undefined : decodeListCursor(options.cursor)
    const ids = [...this.#records.keys()]
      .filter((id) => after === undefined || id > after)
      .sort(compareKeyIds)
    const pageIds = ids.slice(0, limit)
    const records = pageIds.map((id) => cloneKeyRecord(this.#records.get(id) as KeyRecord))
    const last = pageIds[pageIds.length - 1]
    return ids.length > limit && last !== undefined
      ? { records, nextCursor: encodeListCursor(last) }
      : { records }
  }

  /**
   * Always resolves: memory is always there.
   *
   * @example
   *
   * ```ts
   * import { MemoryStore } from 'credsign'
   * await new MemoryStore().ping()
   * ```
   */
  async ping(): Promise<void> {}
}
