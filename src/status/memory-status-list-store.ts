import { CredsignError } from '../errors/credsign-error.js'
import { isTaken, markTaken, pickFreeIndex, takeFreeIndexes } from './allocation.js'
import {
  checkIndexCount,
  checkStatusChange,
  irreversible,
  listFull,
  listNotFound,
  notAllocated,
  validateStatusListDefinition,
  type StatusChange,
  type StatusListDefinition,
  type StatusListEntries,
  type StatusListInfo,
  type StatusListStore,
} from './status-list-store.js'

interface ListState {
  definition: StatusListDefinition
  /** Bit i set: index i was handed out. */
  taken: Uint8Array
  allocated: number
  version: number
  /** Non-zero statuses by index. */
  statuses: Map<number, number>
}

/**
 * A {@link StatusListStore} in memory, for tests, demos and single-process issuers whose lists need
 * not outlive the process. Every method runs to completion without awaiting, so calls never
 * interleave: allocation is atomic within the process (and there is no other).
 *
 * @example
 *
 * ```ts
 * import { MemoryStatusListStore, StatusLists } from 'credsign'
 * const lists = new StatusLists({ store: new MemoryStatusListStore() })
 * ```
 */
export class MemoryStatusListStore implements StatusListStore {
  readonly #lists = new Map<string, ListState>()

  async createStatusList(definition: StatusListDefinition): Promise<void> {
    validateStatusListDefinition(definition)
    if (this.#lists.has(definition.id))
      throw new CredsignError('exists', 'a status list with this id exists')
    const copy = structuredClone(definition)
    this.#lists.set(definition.id, {
      definition: copy,
      taken: new Uint8Array(Math.ceil(definition.size / 8)),
      allocated: 0,
      version: 0,
      statuses: new Map(),
    })
  }

  async getStatusList(id: string): Promise<StatusListInfo | undefined> {
    const state = this.#lists.get(id)
    return state === undefined ? undefined : info(state)
  }

  async listStatusLists(): Promise<StatusListInfo[]> {
    return [...this.#lists.keys()]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((id) => info(this.#lists.get(id) as ListState))
  }

  async allocateStatusIndex(id: string): Promise<number> {
    const state = this.#state(id)
    const index = pickFreeIndex(state.taken, state.definition.size, state.allocated)
    if (index < 0) throw listFull(id)
    markTaken(state.taken, index)
    state.allocated++
    return index
  }

  async allocateStatusIndexes(id: string, count: number): Promise<number[]> {
    checkIndexCount(count)
    const state = this.#state(id)
    const indexes = takeFreeIndexes(state.taken, state.definition.size, state.allocated, count)
    if (indexes.length === 0) throw listFull(id)
    state.allocated += indexes.length
    return indexes
  }

  async setStatus(id: string, index: number, status: number): Promise<StatusChange> {
    const state = this.#state(id)
    checkStatusChange(state.definition, index, status)
    if (!isTaken(state.taken, index)) throw notAllocated(id, index)
    const previous = state.statuses.get(index) ?? 0
    if (previous === status) return { previous, version: state.version, changed: false }
    if (state.definition.finalStatuses.includes(previous)) throw irreversible(id, index, previous)
    if (status === 0) state.statuses.delete(index)
    else state.statuses.set(index, status)
    state.version++
    return { previous, version: state.version, changed: true }
  }

  async readStatuses(id: string): Promise<StatusListEntries> {
    const state = this.#state(id)
    return {
      version: state.version,
      statuses: [...state.statuses].sort((a, b) => a[0] - b[0]),
    }
  }

  async statusListVersion(id: string): Promise<number> {
    return this.#state(id).version
  }

  #state(id: string): ListState {
    const state = this.#lists.get(id)
    if (state === undefined) throw listNotFound(id)
    return state
  }
}

function info(state: ListState): StatusListInfo {
  return {
    ...structuredClone(state.definition),
    allocated: state.allocated,
    version: state.version,
  }
}
