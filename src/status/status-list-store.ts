import { CredsignError } from '../errors/credsign-error.js'
import { validateKeyId } from '../stores/key-id.js'

/** The two status list specifications: W3C Bitstring Status List v1.0, IETF Token Status List. */
export type StatusListKind = 'bitstring' | 'token'

/**
 * The largest list a store keeps: 2^24 entries (16,777,216), whose packed statuses stay within the
 * 16 MiB a verifier inflates by default even at 8 bits per entry.
 *
 * @example
 *
 * ```ts
 * import { MAX_STATUS_LIST_SIZE } from 'credsign'
 * MAX_STATUS_LIST_SIZE // 16777216
 * ```
 */
export const MAX_STATUS_LIST_SIZE = 2 ** 24

/**
 * The most indexes one {@link StatusListStore.allocateStatusIndexes} call takes (and the largest
 * `reserve` of `StatusLists`): 8,192.
 *
 * @example
 *
 * ```ts
 * import { MAX_STATUS_INDEX_BLOCK } from 'credsign'
 * MAX_STATUS_INDEX_BLOCK // 8192
 * ```
 */
export const MAX_STATUS_INDEX_BLOCK = 8192

/**
 * What a status list is, fixed when it is created. Stores keep it as given; only `settings` is
 * opaque to them (the publishing settings of {@link StatusLists}).
 */
export interface StatusListDefinition {
  /** The list's id in the store: 1 to 500 characters of `[A-Za-z0-9_:.#%-]` (as key ids). */
  id: string
  kind: StatusListKind
  /** Number of entries (indexes 0 to size - 1), 1 to {@link MAX_STATUS_LIST_SIZE}. */
  size: number
  /** Bits per entry: `statusSize` 1 to 8 for a bitstring list, `bits` 1, 2, 4 or 8 for a token list. */
  bits: number
  /**
   * Statuses that are final: once an entry has one, it never changes again (revocation: `[1]`). The
   * store enforces this in the same atomic step as the change.
   */
  finalStatuses: readonly number[]
  /** Publishing settings (purpose, URL, validity, …): JSON, kept as given. */
  settings: Record<string, unknown>
  /** When the list was created (ISO 8601). */
  createdAt: string
}

/** A list's definition plus its counters, as a store reads them. */
export interface StatusListInfo extends StatusListDefinition {
  /** How many indexes have been handed out (never decreases: an index is never reused). */
  allocated: number
  /** Counts acknowledged status changes: it moves exactly when the published list must change. */
  version: number
}

/** Every non-zero status of a list, read in one consistent snapshot. */
export interface StatusListEntries {
  /** The list's {@link StatusListInfo.version} at the snapshot. */
  version: number
  /** `[index, status]` pairs, ascending by index, status never 0. */
  statuses: [number, number][]
}

/** What {@link StatusListStore.setStatus} did. */
export interface StatusChange {
  /** The entry's status before the call. */
  previous: number
  /** The list's version after the call. */
  version: number
  /** Whether the status changed (false when it already had the value). */
  changed: boolean
}

/**
 * Where status lists keep their state: definitions, which indexes are taken, and the status of
 * each. Implementations: `MemoryStatusListStore` (credsign), `FileStatusListStore` (credsign/file),
 * `PostgresStatusListStore` (credsign/postgres). Every method is atomic, also between processes
 * sharing the backing store, and durable before it resolves.
 */
export interface StatusListStore {
  /** Creates a list; `exists` if the id is taken. */
  createStatusList(definition: StatusListDefinition): Promise<void>
  /** The list, or undefined. */
  getStatusList(id: string): Promise<StatusListInfo | undefined>
  /** Every list, ordered by id. */
  listStatusLists(): Promise<StatusListInfo[]>
  /**
   * Takes an index no one has had, chosen uniformly at random among the unused ones (never
   * sequential, never reused, also not after a crash); durable before it resolves.
   * `status_list_full` when every index is taken, `not_found` for an unknown list.
   */
  allocateStatusIndex(id: string): Promise<number>
  /**
   * Optional (a store without it allocates one index per call): takes up to `count` indexes (1 to
   * {@link MAX_STATUS_INDEX_BLOCK}) no one has had in ONE atomic step, durable before it resolves:
   * each drawn uniformly at random among the indexes still free, as `allocateStatusIndex` draws one
   * (a random set: hand its indexes out in random order, as `StatusLists` does). Fewer than `count`
   * when fewer are free (the list's last block), or when a store draws candidates and some were
   * taken (PostgreSQL); never none: `status_list_full` when every index is taken, `not_found` for
   * an unknown list, `invalid_argument` for a bad `count`. `StatusLists` uses it to reserve a block
   * of indexes and hand them out one per `allocate()` (its `reserve` option).
   */
  allocateStatusIndexes?(id: string, count: number): Promise<number[]>
  /**
   * Sets the status of an allocated index. `not_found` for an unknown list or an index never
   * allocated, `status_irreversible` when the entry holds a final status and `status` differs,
   * `invalid_argument` for a value that does not fit the list's bits.
   */
  setStatus(id: string, index: number, status: number): Promise<StatusChange>
  /** The non-zero statuses of a list (`not_found` for an unknown list). */
  readStatuses(id: string): Promise<StatusListEntries>
  /**
   * The list's {@link StatusListInfo.version} (`not_found` for an unknown list): the cheap read that
   * tells a publisher whether its signed list is still current.
   */
  statusListVersion(id: string): Promise<number>
}

/**
 * Checks a definition: `invalid_argument` (or `invalid_key_id` for the id) when a store must not
 * accept it. Stores call it before writing, so every store refuses the same things.
 *
 * @example
 *
 * ```ts
 * import { validateStatusListDefinition } from 'credsign'
 * validateStatusListDefinition({
 *   id: 'revocation-1',
 *   kind: 'bitstring',
 *   size: 131_072,
 *   bits: 1,
 *   finalStatuses: [1],
 *   settings: {},
 *   createdAt: new Date().toISOString(),
 * })
 * ```
 */
export function validateStatusListDefinition(definition: StatusListDefinition): void {
  if (typeof definition !== 'object' || definition === null)
    throw new CredsignError('invalid_argument', 'a status list definition must be an object')
  validateKeyId(definition.id)
  const { kind, size, bits, finalStatuses, settings, createdAt } = definition
  if (kind !== 'bitstring' && kind !== 'token')
    throw new CredsignError('invalid_argument', "a status list's kind is 'bitstring' or 'token'")
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_STATUS_LIST_SIZE)
    throw new CredsignError(
      'invalid_argument',
      `a status list has 1 to ${MAX_STATUS_LIST_SIZE} entries`,
    )
  const bitsOk =
    kind === 'token'
      ? bits === 1 || bits === 2 || bits === 4 || bits === 8
      : Number.isInteger(bits) && bits >= 1 && bits <= 8
  if (!bitsOk)
    throw new CredsignError(
      'invalid_argument',
      kind === 'token' ? 'bits must be 1, 2, 4 or 8' : 'statusSize must be 1 to 8',
    )
  if (
    !Array.isArray(finalStatuses) ||
    finalStatuses.some((s) => !Number.isInteger(s) || s < 1 || s >= 2 ** bits)
  )
    throw new CredsignError(
      'invalid_argument',
      'finalStatuses must be non-zero statuses that fit the bits',
    )
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
    throw new CredsignError('invalid_argument', 'settings must be a JSON object')
  if (typeof createdAt !== 'string' || createdAt.length === 0 || createdAt.length > 64)
    throw new CredsignError('invalid_argument', 'createdAt must be an ISO 8601 date-time')
}

/**
 * Checks a status change's index and value against a list (`invalid_argument` for a value that does
 * not fit, `not_found` for an index outside the list); shared by every store.
 *
 * @internal
 */
export function checkStatusChange(list: StatusListDefinition, index: number, status: number): void {
  if (!Number.isInteger(status) || status < 0 || status >= 2 ** list.bits)
    throw new CredsignError(
      'invalid_argument',
      `a status of list ${describeListId(list.id)} is 0 to ${2 ** list.bits - 1}`,
    )
  if (!Number.isSafeInteger(index) || index < 0 || index >= list.size)
    throw notAllocated(list.id, index)
}

/**
 * Checks the `count` of an `allocateStatusIndexes` call: an integer, 1 to
 * {@link MAX_STATUS_INDEX_BLOCK} (`invalid_argument`).
 *
 * @internal
 */
export function checkIndexCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_STATUS_INDEX_BLOCK)
    throw new CredsignError(
      'invalid_argument',
      `a block of status list indexes is 1 to ${MAX_STATUS_INDEX_BLOCK} indexes`,
    )
}

/** @internal */
export function notAllocated(id: string, index: number): CredsignError {
  return new CredsignError(
    'not_found',
    `index ${String(index).slice(0, 20)} of status list ${describeListId(id)} was never allocated`,
  )
}

/** @internal */
export function listNotFound(id: string): CredsignError {
  return new CredsignError('not_found', `no status list ${describeListId(id)}`)
}

/** @internal */
export function listFull(id: string): CredsignError {
  return new CredsignError(
    'status_list_full',
    `every index of status list ${describeListId(id)} is allocated: create the next list`,
  )
}

/** @internal */
export function irreversible(id: string, index: number, current: number): CredsignError {
  return new CredsignError(
    'status_irreversible',
    `index ${index} of status list ${describeListId(id)} has the final status ${current}`,
  )
}

/** A list id for messages: truncated, JSON-quoted. */
function describeListId(id: unknown): string {
  return JSON.stringify(String(id).slice(0, 60))
}
