import { CredsignError } from '../errors/credsign-error.js'
import type { Signer } from '../keys/types.js'
import { signJwt } from '../jose/jwt-sign.js'
import { x5cMember } from '../jose/x5c-header.js'
import { signerController } from '../credential/party.js'
import { isAbsoluteUrl } from '../credential/validate-shared.js'
import type { JsonObject } from '../credential/types.js'
import { JwtVcSigner } from '../formats/jwt/vc-signer.js'
import { createBitstring, encodeBitstring, writeBitstringStatus } from './bitstring.js'
import {
  createTokenStatusBytes,
  encodeTokenStatusList,
  TOKEN_STATUS,
  writeTokenStatus,
  type TokenStatusBits,
} from './token-status-list.js'
import { randomBelow } from './allocation.js'
import {
  MAX_STATUS_INDEX_BLOCK,
  type StatusListInfo,
  type StatusListStore,
} from './status-list-store.js'

/** The `statusPurpose` values of W3C Bitstring Status List v1.0. */
export type BitstringStatusPurpose = 'revocation' | 'suspension' | 'refresh' | 'message'

/** One `statusMessage` element of a `BitstringStatusListEntry` (statusSize > 1). */
export interface BitstringStatusMessage {
  /** The status value as hexadecimal with `0x` (`0x0`, `0x1`, …). */
  status: string
  /** For developers (not for end users). */
  message: string
}

/** Settings shared by both kinds of list. */
interface CommonListOptions {
  /** The list's id in the store (default: a random `status-<uuid>`). */
  id?: string
  /** Number of entries (default 131,072, the W3C minimum; at most 16,777,216). */
  size?: number
  /**
   * How long a published list is valid, in seconds (default 86,400: a day): `validUntil` of a
   * Bitstring Status List credential, `exp` of a Status List Token.
   */
  validFor?: number
  /**
   * The `ttl`, in seconds: how long a verifier may cache the list before fetching it again (default
   * 3,600). Written in seconds in a Status List Token and in milliseconds in a Bitstring Status
   * List, as each spec says.
   */
  ttl?: number
  /**
   * Re-sign a published list when less than this many seconds of its validity remain, even if
   * nothing changed (default: a quarter of `validFor`).
   */
  renewBefore?: number
}

/** {@link StatusLists.createList} options for a W3C Bitstring Status List. */
export interface BitstringListOptions extends CommonListOptions {
  kind: 'bitstring'
  /** The URL the list credential is published at: its `id` and every entry's `statusListCredential`. */
  url: string
  purpose: BitstringStatusPurpose
  /** Bits per entry (default 1; 1 to 8). Above 1, `statusMessages` is required. */
  statusSize?: number
  /** One message per possible value (`2 ** statusSize` of them), copied into every entry. */
  statusMessages?: BitstringStatusMessage[]
  /** `statusReference` of every entry: where the messages are explained. */
  statusReference?: string
}

/** {@link StatusLists.createList} options for an IETF Token Status List. */
export interface TokenListOptions extends CommonListOptions {
  kind: 'token'
  /** The list's URI: `sub` of the Status List Token and `uri` of every referenced token's entry. */
  uri: string
  /** Bits per entry: 1, 2, 4 or 8 (default 2: VALID, INVALID, SUSPENDED and one more). */
  bits?: TokenStatusBits
}

/** Options of {@link StatusLists.createList}. */
export type CreateStatusListOptions = BitstringListOptions | TokenListOptions

/** A W3C `BitstringStatusListEntry`: the `credentialStatus` of a credential. */
export interface BitstringStatusListEntry {
  id: string
  type: 'BitstringStatusListEntry'
  statusPurpose: BitstringStatusPurpose
  /** The index as a base-10 string, as the spec requires. */
  statusListIndex: string
  statusListCredential: string
  statusSize?: number
  statusMessage?: BitstringStatusMessage[]
  statusReference?: string
}

/** The `status` claim of a referenced token (SD-JWT VC, JWT): draft-ietf-oauth-status-list. */
// A type alias, not an interface: it must fit `Record<string, unknown>` options such as `claims`.
export type TokenStatusClaim = {
  status_list: { idx: number; uri: string }
}

/**
 * An allocated entry: pass `credentialStatus` in a W3C credential (any format), or `status` as the
 * `status` of an SD-JWT VC (`SdJwtVcSigner`) or a JWT claim (`JwtVcSigner` `claims`).
 */
export type StatusListAllocation =
  | { listId: string; index: number; kind: 'bitstring'; credentialStatus: BitstringStatusListEntry }
  | { listId: string; index: number; kind: 'token'; status: TokenStatusClaim }

/** A signed status list, ready to serve. */
export interface PublishedStatusList {
  listId: string
  kind: 'bitstring' | 'token'
  /** The compact JWT: a `vc+jwt` BitstringStatusListCredential, or a `statuslist+jwt`. */
  jwt: string
  /** `application/vc+jwt` or `application/statuslist+jwt`. */
  mediaType: 'application/vc+jwt' | 'application/statuslist+jwt'
  /** The store version the list was built from. */
  version: number
  /** When it was signed and until when it is valid (epoch milliseconds). */
  issuedAt: number
  expiresAt: number
  /** The `ttl` in seconds (what HTTP `Cache-Control: max-age` should say). */
  ttl: number
  /** Whether this call signed it (false: the cached token was still current). */
  signed: boolean
}

/** Options of {@link StatusLists}. */
export interface StatusListsOptions {
  /**
   * Where the lists live: `MemoryStatusListStore`, `FileStatusListStore`,
   * `PostgresStatusListStore`, yours.
   */
  store: StatusListStore
  /**
   * The key that signs published lists: an unlocked vault key (wrapped by `asDidSigner` for a DID
   * issuer), or a function choosing one per list. Needed by `publish` only.
   */
  signer?: Signer | ((list: StatusListInfo) => Signer | Promise<Signer>)
  /**
   * The list's issuer, when the signer's id names no controller (a vault key id): the `issuer` of
   * the Bitstring Status List credential and `iss` of the Status List Token. Default: the signer's
   * controller (the DID of its DID URL).
   */
  issuer?: string
  /**
   * `true`: published lists carry the signer's X.509 chain in the `x5c` header (an unlocked vault
   * key with an attached chain), as OpenID4VC HAIP asks of status list tokens. Publishing fails
   * (`invalid_argument`) when the signer has no chain.
   */
  x5c?: boolean
  /** The clock, epoch milliseconds (default `Date.now`). */
  now?: () => number
  /**
   * How many indexes of a list this object holds at most, taken from the store a block at a time,
   * when the store can take a block (`allocateStatusIndexes`: the memory, file and PostgreSQL
   * stores): one store write per block instead of one per credential, each index recorded as
   * allocated before it is handed out. `allocate()` hands the block's indexes out one per call, in
   * random order, and reserves the next block in the background once less than a quarter of it is
   * left (by default up to a half, when the store's writes are slow against the pace). Those an
   * ended or crashed process held are never handed out: they stay valid (status 0) in the published
   * list, and cost list capacity only. A number (1 to 8,192): exactly that many at a time; `1`: one
   * store write per credential (the behaviour without blocks).
   *
   * Default (unset): sized to demand. The first block is a 256th of the list (at least 32, at most
   * 1,024: 512 for the default 131,072 entries); a block used up within a second is followed by one
   * twice as large, up to a 32nd of the list (never under the first size, at most 8,192: 4,096 for
   * the default size), and one that lasted over 4 seconds by one half as large, down to the first
   * size. A quiet issuer thus loses at most a 256th of a list of 8,192 entries or more to a restart
   * (32 indexes of a smaller list), and a busy one at most what about five seconds of its issuing
   * would use (a store write costs ~1 ms of the issuer's CPU: spread over thousands of credentials,
   * it is lost in the cost of signing them); one that went quiet after a burst, the block it grew
   * to, until it is used.
   */
  reserve?: number
}

/**
 * The first block of a list of `size` entries under the default {@link StatusListsOptions.reserve},
 * and the least it shrinks to: a 256th of the list, 32 to 1,024 (docs/status-lists.md has the
 * trade-off and the measurements).
 */
function defaultReserve(size: number): number {
  return Math.min(1_024, Math.max(32, Math.floor(size / 256)))
}

/** The most the default {@link StatusListsOptions.reserve} grows to: a 32nd of the list, ≤ 8,192. */
function largestReserve(size: number): number {
  return Math.min(MAX_STATUS_INDEX_BLOCK, Math.max(defaultReserve(size), Math.floor(size / 32)))
}

/** A block used up faster than this (ms, from its arrival to the next block's start) doubles. */
const GROW_BELOW_MS = 1_000
/**
 * A block that lasted longer than this (ms) halves. Four times {@link GROW_BELOW_MS}: a block just
 * doubled or halved lasts about twice or half as long, so neither step undoes the last one at
 * once.
 */
const SHRINK_ABOVE_MS = 4_000

/** The indexes of one list this object reserved and has not handed out yet. */
interface Reservation {
  indexes: number[]
  /** The reservation in flight, shared by every allocate() that waits for it. */
  pending: Promise<void> | undefined
  /**
   * The store answered `status_list_full` to a block reserved ahead: no more are reserved ahead
   * (each would be a store call that fails). What is held is still handed out; an allocate() that
   * finds nothing held asks the store once more and gets its answer.
   */
  storeFull?: boolean
  /** How many indexes the next block tops the reservation up to. */
  target: number
  /** The next block is reserved once fewer than this many are held (a quarter to a half of it). */
  ahead: number
  /**
   * When the last block was asked for and when it arrived (`performance.now()`), and how many were
   * held then. `arrivedAt` is undefined until the block asked for last arrives: a block that failed
   * (or was refused) measured nothing, so asking again sizes nothing again.
   */
  askedAt: number | undefined
  arrivedAt: number | undefined
  heldAtArrival: number
  /**
   * The count the last block asked for, when the store gave fewer (PostgreSQL's candidates mostly
   * taken on a crowded list, or the list's end); undefined when it was filled.
   */
  partOf: number | undefined
}

const DEFAULT_SIZE = 131_072
const DEFAULT_VALID_FOR = 86_400
const DEFAULT_TTL = 3_600

interface ListSettings extends JsonObject {
  validFor: number
  ttl: number
  renewBefore: number
  // bitstring
  url?: string
  purpose?: BitstringStatusPurpose
  statusMessages?: BitstringStatusMessage[]
  statusReference?: string
  // token
  uri?: string
}

interface CachedList {
  version: number
  published: PublishedStatusList
}

/**
 * The issuer's side of status lists, on any {@link StatusListStore}: create W3C Bitstring Status
 * Lists and IETF Token Status Lists, allocate a random unused index per credential, change statuses
 * (revocation is final), and publish each list signed by a vault key, re-signing only when it
 * changed or nears expiry.
 *
 * @example
 *
 * ```ts
 * import {
 *   asDidSigner,
 *   JwtVcSigner,
 *   KeyVault,
 *   MemoryStatusListStore,
 *   MemoryStore,
 *   StatusLists,
 * } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer', algorithm: 'P-256', secrets: ['s1'] })
 * const signer = asDidSigner(await vault.unlock('issuer', ['s1']))
 * const lists = new StatusLists({ store: new MemoryStatusListStore(), signer })
 * await lists.createList({
 *   id: 'revocation-1',
 *   kind: 'bitstring',
 *   purpose: 'revocation',
 *   url: 'https://issuer.example/status/1',
 * })
 * const entry = await lists.allocate('revocation-1')
 * if (entry.kind !== 'bitstring') throw new Error('a bitstring list gives a credentialStatus')
 * const jwt = await new JwtVcSigner(signer).sign({
 *   '@context': ['https://www.w3.org/ns/credentials/v2'],
 *   type: ['VerifiableCredential'],
 *   credentialSubject: { id: 'did:example:alice' },
 *   credentialStatus: entry.credentialStatus,
 * })
 * await lists.revoke('revocation-1', entry.index)
 * const published = await lists.publish('revocation-1') // serve published.jwt at the list URL
 * ```
 */
export class StatusLists {
  readonly #store: StatusListStore
  readonly #signer: StatusListsOptions['signer']
  readonly #issuer: string | undefined
  readonly #x5c: boolean
  readonly #now: () => number
  readonly #cache = new Map<string, CachedList>()
  readonly #publishing = new Map<string, Promise<PublishedStatusList>>()
  /**
   * Definitions never change once created: read each once (allocation then costs one store call). A
   * cached one cannot go stale: no store can change or delete a list, and an id is never given to a
   * second list (`exists`). Its counters (`allocated`, `version`) are stale at once: StatusLists
   * never reads them from here (the store answers those); a `signer` function receives them as they
   * were at the first read.
   */
  readonly #definitions = new Map<string, StatusListInfo>()
  /** The `reserve` option; undefined: sized to demand (see {@link StatusListsOptions.reserve}). */
  readonly #reserve: number | undefined
  readonly #reservations = new Map<string, Reservation>()

  constructor(options: StatusListsOptions) {
    if (typeof options !== 'object' || options === null || typeof options.store !== 'object')
      throw new CredsignError('invalid_argument', 'StatusLists needs a store')
    if (options.issuer !== undefined && !isAbsoluteUrl(options.issuer))
      throw new CredsignError('invalid_argument', 'issuer must be a URL or a DID')
    this.#store = options.store
    this.#signer = options.signer
    if (options.x5c !== undefined && typeof options.x5c !== 'boolean')
      throw new CredsignError('invalid_argument', 'x5c must be a boolean')
    this.#issuer = options.issuer
    this.#x5c = options.x5c === true
    this.#now = options.now ?? Date.now
    const reserve = options.reserve
    if (
      reserve !== undefined &&
      (!Number.isSafeInteger(reserve) || reserve < 1 || reserve > MAX_STATUS_INDEX_BLOCK)
    )
      throw new CredsignError(
        'invalid_argument',
        `reserve must be an integer, 1 to ${MAX_STATUS_INDEX_BLOCK}`,
      )
    this.#reserve = reserve
  }

  /**
   * Creates a list (`exists` if the id is taken). Revocation and refresh statuses are final, as the
   * W3C spec says, and so is a Token Status List's INVALID (0x01).
   *
   * @example
   *
   * ```ts
   * import { MemoryStatusListStore, StatusLists } from 'credsign'
   * const lists = new StatusLists({ store: new MemoryStatusListStore() })
   * await lists.createList({ id: 'tsl-1', kind: 'token', uri: 'https://issuer.example/tsl/1' })
   * ```
   */
  async createList(options: CreateStatusListOptions): Promise<StatusListInfo> {
    if (typeof options !== 'object' || options === null)
      throw new CredsignError('invalid_argument', 'createList needs options')
    const id = options.id ?? `status-${crypto.randomUUID()}`
    const size = options.size ?? DEFAULT_SIZE
    const validFor = positiveSeconds(options.validFor ?? DEFAULT_VALID_FOR, 'validFor')
    const ttl = positiveSeconds(options.ttl ?? DEFAULT_TTL, 'ttl')
    const renewBefore = options.renewBefore ?? Math.floor(validFor / 4)
    if (!Number.isSafeInteger(renewBefore) || renewBefore < 0 || renewBefore >= validFor)
      throw new CredsignError('invalid_argument', 'renewBefore must be 0 to validFor - 1 seconds')
    const settings: ListSettings = { validFor, ttl, renewBefore }
    let bits: number
    let finalStatuses: number[]
    if (options.kind === 'bitstring') {
      if (!isAbsoluteUrl(options.url))
        throw new CredsignError('invalid_argument', 'a bitstring list needs its url')
      const purposes = ['revocation', 'suspension', 'refresh', 'message']
      if (!purposes.includes(options.purpose))
        throw new CredsignError('invalid_argument', `purpose must be one of ${purposes.join(', ')}`)
      bits = options.statusSize ?? 1
      if (!Number.isInteger(bits) || bits < 1 || bits > 8)
        throw new CredsignError('invalid_argument', 'statusSize must be 1 to 8')
      if (options.purpose !== 'message' && bits !== 1)
        throw new CredsignError(
          'invalid_argument',
          `a ${options.purpose} list has one bit per entry`,
        )
      const messages = options.statusMessages
      if (bits > 1 || messages !== undefined) checkMessages(messages, bits)
      if (options.statusReference !== undefined && !isAbsoluteUrl(options.statusReference))
        throw new CredsignError('invalid_argument', 'statusReference must be a URL')
      settings.url = options.url
      settings.purpose = options.purpose
      if (messages !== undefined) settings.statusMessages = structuredClone(messages)
      if (options.statusReference !== undefined) settings.statusReference = options.statusReference
      finalStatuses = options.purpose === 'revocation' || options.purpose === 'refresh' ? [1] : []
    } else if (options.kind === 'token') {
      if (!isAbsoluteUrl(options.uri))
        throw new CredsignError('invalid_argument', 'a token status list needs its uri')
      bits = options.bits ?? 2
      settings.uri = options.uri
      finalStatuses = [TOKEN_STATUS.INVALID]
    } else {
      throw new CredsignError('invalid_argument', "kind must be 'bitstring' or 'token'")
    }
    await this.#store.createStatusList({
      id,
      kind: options.kind,
      size,
      bits,
      finalStatuses,
      settings,
      createdAt: new Date(this.#now()).toISOString(),
    })
    return (await this.#store.getStatusList(id)) as StatusListInfo
  }

  /**
   * Creates the list that follows a full one: the same kind, purpose, size and validity, with a new
   * id and URL. Allocate there once `allocate` says `status_list_full`.
   *
   * @example
   *
   * ```ts
   * import { MemoryStatusListStore, StatusLists } from 'credsign'
   * const lists = new StatusLists({ store: new MemoryStatusListStore() })
   * await lists.createList({ id: 't1', kind: 'token', uri: 'https://issuer.example/tsl/1' })
   * await lists.createNextList('t1', { id: 't2', url: 'https://issuer.example/tsl/2' })
   * ```
   */
  async createNextList(
    previousId: string,
    next: { id: string; url: string },
  ): Promise<StatusListInfo> {
    const previous = await this.#list(previousId)
    const s = previous.settings as ListSettings
    const common = {
      id: next.id,
      size: previous.size,
      validFor: s.validFor,
      ttl: s.ttl,
      renewBefore: s.renewBefore,
    }
    if (previous.kind === 'token')
      return this.createList({
        ...common,
        kind: 'token',
        uri: next.url,
        bits: previous.bits as TokenStatusBits,
      })
    return this.createList({
      ...common,
      kind: 'bitstring',
      url: next.url,
      purpose: s.purpose as BitstringStatusPurpose,
      statusSize: previous.bits,
      ...(s.statusMessages === undefined ? {} : { statusMessages: s.statusMessages }),
      ...(s.statusReference === undefined ? {} : { statusReference: s.statusReference }),
    })
  }

  /**
   * Allocates a random unused index of the list (recorded in the store before it is handed out;
   * `status_list_full` when none is left) and returns the entry to put in the credential. With a
   * block-capable store the index comes from this object's reservation (`reserve`): one store write
   * per block, shared by concurrent calls.
   *
   * @example
   *
   * ```ts
   * import { MemoryStatusListStore, StatusLists } from 'credsign'
   * const lists = new StatusLists({ store: new MemoryStatusListStore() })
   * await lists.createList({ id: 't1', kind: 'token', uri: 'https://issuer.example/tsl/1' })
   * const entry = await lists.allocate('t1')
   * if (entry.kind === 'token') console.log(entry.status) // { status_list: { idx: …, uri: 'https://issuer.example/tsl/1' } }
   * ```
   */
  async allocate(listId: string): Promise<StatusListAllocation> {
    // The cached definition without an await: issuing calls this once per credential.
    const list = this.#definitions.get(listId) ?? (await this.#definition(listId))
    if (this.#reserve === 1 || this.#store.allocateStatusIndexes === undefined)
      return entryFor(list, await this.#store.allocateStatusIndex(listId))
    // An index already held is handed out without another await: issuing pays for one per block.
    const held = this.#takeHeld(list)
    return entryFor(list, held >= 0 ? held : await this.#reservedIndex(list))
  }

  /**
   * One index of the list's reservation: a random one of those held (a store may return a block in
   * any order), after waiting for the reservation in flight (one per list: concurrent callers share
   * it) or starting one when none is held.
   */
  async #reservedIndex(list: StatusListInfo): Promise<number> {
    for (;;) {
      const index = this.#takeHeld(list)
      if (index >= 0) return index
      const reservation = this.#reservations.get(list.id) as Reservation
      await (reservation.pending ?? this.#reserveBlock(list, reservation))
    }
  }

  /**
   * A random one of the indexes held for `list`, taken out of the reservation; -1 when none is
   * held. Reserves the next block in the background once less than a quarter of `reserve` is left,
   * so a busy issuer does not wait for the store at each block's end (its failure is not lost: an
   * allocate() that finds nothing held tries again and sees it).
   */
  #takeHeld(list: StatusListInfo): number {
    let reservation = this.#reservations.get(list.id)
    if (reservation === undefined) {
      reservation = {
        indexes: [],
        pending: undefined,
        target: this.#reserve ?? defaultReserve(list.size),
        ahead: (this.#reserve ?? defaultReserve(list.size)) >> 2,
        askedAt: undefined,
        arrivedAt: undefined,
        heldAtArrival: 0,
        partOf: undefined,
      }
      this.#reservations.set(list.id, reservation)
    }
    const { indexes } = reservation
    if (indexes.length === 0) return -1
    const at = randomBelow(indexes.length)
    const index = indexes[at] as number
    indexes[at] = indexes[indexes.length - 1] as number
    indexes.pop()
    if (
      indexes.length < reservation.ahead &&
      reservation.pending === undefined &&
      reservation.storeFull !== true
    )
      this.#reserveBlock(list, reservation).catch((error: unknown) => {
        if (CredsignError.is(error) && error.code === 'status_list_full')
          reservation.storeFull = true
      })
    return index
  }

  /**
   * Resolves once no reservation of this object is in flight. `allocate()` reserves the next block
   * in the background; a process that exits (`process.exit`) during that store write ends it like a
   * crash would (a `FileStatusListStore` then leaves its lock file, broken only after
   * `staleLockMs`). Await this before exiting; it never rejects (a failed reservation is reported
   * to the `allocate()` that needs it).
   *
   * @example
   *
   * ```ts
   * import { MemoryStatusListStore, StatusLists } from 'credsign'
   * const lists = new StatusLists({ store: new MemoryStatusListStore() })
   * await lists.createList({ id: 't1', kind: 'token', uri: 'https://issuer.example/tsl/1' })
   * await lists.allocate('t1')
   * await lists.whenIdle() // then exit
   * ```
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      const pending = [...this.#reservations.values()].flatMap((r) =>
        r.pending === undefined ? [] : [r.pending],
      )
      if (pending.length === 0) return
      await Promise.allSettled(pending)
    }
  }

  /**
   * Takes a block from the store, topping what is held up to the reservation's target, first sized
   * to demand (the default `reserve`; a fixed one never changes): doubled when the last block was
   * used up within {@link GROW_BELOW_MS} of its arrival, halved when it lasted over
   * {@link SHRINK_ABOVE_MS}, between the list's {@link defaultReserve} and {@link largestReserve}.
   */
  #reserveBlock(list: StatusListInfo, reservation: Reservation): Promise<void> {
    const now = performance.now()
    const { askedAt, arrivedAt, partOf } = reservation
    if (
      this.#reserve === undefined &&
      askedAt !== undefined &&
      arrivedAt !== undefined &&
      // A block the store filled in part that left fewer held than the reserve-ahead point is
      // topped up at once: no pace was measured, nothing is resized.
      (partOf === undefined || reservation.heldAtArrival >= reservation.ahead)
    ) {
      const lasted = now - arrivedAt
      const used = reservation.heldAtArrival - reservation.indexes.length
      // A block the store filled in part is sized by how long a full one would have lasted at the
      // pace since it came: with 5% of its candidates free (a crowded PostgreSQL list) it is used
      // up 20 times sooner, and growing on that had a quiet issuer hold (and lose to a crash)
      // several times the first block.
      const projected = partOf === undefined ? lasted : (lasted * partOf) / Math.max(used, 1)
      if (projected < GROW_BELOW_MS)
        reservation.target = Math.min(largestReserve(list.size), reservation.target * 2)
      else if (projected > SHRINK_ABOVE_MS)
        reservation.target = Math.max(defaultReserve(list.size), reservation.target >> 1)
      // Ahead by what twice the last block's wait would use at the pace since it came, so a larger
      // or slower store write (a PostgreSQL block of thousands of rows) arrives before the held
      // indexes run out: a quarter of the target at least, half at most.
      const wait = arrivedAt - askedAt
      const need = Math.ceil((2 * used * wait) / Math.max(lasted, 1))
      reservation.ahead = Math.min(reservation.target >> 1, Math.max(reservation.target >> 2, need))
    }
    reservation.askedAt = now
    // Each arrival sizes one block: retries after a failure within the second must not double the
    // target again and again.
    reservation.arrivedAt = undefined
    const count = reservation.target - reservation.indexes.length
    const store = this.#store as Required<StatusListStore>
    const work = store
      .allocateStatusIndexes(list.id, count)
      .then((block) => {
        checkBlock(list, block, count, reservation.indexes)
        reservation.indexes.push(...block)
        reservation.arrivedAt = performance.now()
        reservation.heldAtArrival = reservation.indexes.length
        reservation.partOf = block.length < count ? count : undefined
      })
      .finally(() => {
        reservation.pending = undefined
      })
    reservation.pending = work
    return work
  }

  /**
   * Sets an entry's status: 0 to `2 ** bits - 1`. `status_irreversible` when it holds a final
   * status (revoked), `not_found` for an index never allocated.
   *
   * @example
   *
   * ```ts
   * import { MemoryStatusListStore, StatusLists, TOKEN_STATUS } from 'credsign'
   * const lists = new StatusLists({ store: new MemoryStatusListStore() })
   * await lists.createList({
   *   id: 't1',
   *   kind: 'token',
   *   uri: 'https://issuer.example/tsl/1',
   *   bits: 4,
   * })
   * const { index } = await lists.allocate('t1')
   * await lists.setStatus('t1', index, 0x0c) // an application-specific status
   * ```
   */
  async setStatus(listId: string, index: number, status: number): Promise<boolean> {
    return (await this.#store.setStatus(listId, index, status)).changed
  }

  /**
   * Revokes an entry for good: status 1 of a `revocation` bitstring list, INVALID (0x01) of a token
   * list. Resolves whether it changed (false if it was already revoked).
   *
   * @example
   *
   * ```ts
   * import { MemoryStatusListStore, StatusLists } from 'credsign'
   * const lists = new StatusLists({ store: new MemoryStatusListStore() })
   * await lists.createList({ id: 't1', kind: 'token', uri: 'https://issuer.example/tsl/1' })
   * const { index } = await lists.allocate('t1')
   * await lists.revoke('t1', index) // true
   * ```
   */
  async revoke(listId: string, index: number): Promise<boolean> {
    const list = await this.#definition(listId)
    if (list.kind === 'bitstring' && (list.settings as ListSettings).purpose !== 'revocation')
      throw new CredsignError('invalid_argument', 'revoke needs a revocation list')
    return this.setStatus(listId, index, list.kind === 'token' ? TOKEN_STATUS.INVALID : 1)
  }

  /**
   * Suspends an entry: status 1 of a `suspension` bitstring list, SUSPENDED (0x02) of a token list
   * (2 bits or more). `status_irreversible` if it is revoked.
   *
   * @example
   *
   * ```ts
   * import { MemoryStatusListStore, StatusLists } from 'credsign'
   * const lists = new StatusLists({ store: new MemoryStatusListStore() })
   * await lists.createList({ id: 't1', kind: 'token', uri: 'https://issuer.example/tsl/1' })
   * const { index } = await lists.allocate('t1')
   * await lists.suspend('t1', index)
   * await lists.unsuspend('t1', index)
   * ```
   */
  async suspend(listId: string, index: number): Promise<boolean> {
    return this.setStatus(listId, index, await this.#suspendedValue(listId))
  }

  /**
   * Lifts a suspension (status back to 0). Only a suspended entry (or one already valid) can be
   * unsuspended: anything else is `status_irreversible` or `invalid_argument`.
   *
   * @example
   *
   * ```ts
   * import { MemoryStatusListStore, StatusLists } from 'credsign'
   * const lists = new StatusLists({ store: new MemoryStatusListStore() })
   * await lists.createList({
   *   id: 's1',
   *   kind: 'bitstring',
   *   purpose: 'suspension',
   *   url: 'https://issuer.example/status/s1',
   * })
   * const { index } = await lists.allocate('s1')
   * await lists.suspend('s1', index)
   * await lists.unsuspend('s1', index) // true
   * ```
   */
  async unsuspend(listId: string, index: number): Promise<boolean> {
    const suspended = await this.#suspendedValue(listId)
    const { statuses } = await this.#store.readStatuses(listId)
    const current = statuses.find(([i]) => i === index)?.[1] ?? 0
    if (current !== 0 && current !== suspended)
      throw new CredsignError(
        'invalid_argument',
        `index ${index} is not suspended (status ${current}): use setStatus`,
      )
    return this.setStatus(listId, index, 0)
  }

  /**
   * The unsigned `BitstringStatusListCredential` of a bitstring list as it stands, for securing it
   * another way (a `DataIntegritySigner` from `credsign/data-integrity`); `publish` signs it as a
   * `vc+jwt`. `issuer` is set when the options give one.
   *
   * @example
   *
   * ```ts
   * import { MemoryStatusListStore, StatusLists } from 'credsign'
   * const lists = new StatusLists({
   *   store: new MemoryStatusListStore(),
   *   issuer: 'did:web:issuer.example',
   * })
   * await lists.createList({
   *   id: 'r1',
   *   kind: 'bitstring',
   *   purpose: 'revocation',
   *   url: 'https://issuer.example/status/r1',
   * })
   * const credential = await lists.statusListCredential('r1') // credentialSubject.encodedList: 'uH4sI…'
   * ```
   */
  async statusListCredential(listId: string): Promise<Record<string, unknown>> {
    const list = await this.#definition(listId)
    if (list.kind !== 'bitstring')
      throw new CredsignError('invalid_argument', 'a token status list is not a credential')
    const { statuses } = await this.#store.readStatuses(listId)
    return this.#credential(list, statuses, this.#now(), this.#issuer)
  }

  /**
   * The list signed: a `vc+jwt` BitstringStatusListCredential (VCDM 2.0, `validFrom` now,
   * `validUntil` after `validFor`, `ttl` in milliseconds) or a `statuslist+jwt` (`sub` the list
   * URI, `iat`, `exp`, `ttl`, `status_list: { bits, lst }`). The last signed list is kept and
   * returned as long as no status changed and it is not within `renewBefore` of expiring: a busy
   * endpoint signs once per change, not once per request. Concurrent calls share one signing.
   *
   * @example
   *
   * ```ts
   * import {
   *   asDidSigner,
   *   KeyVault,
   *   MemoryStatusListStore,
   *   MemoryStore,
   *   StatusLists,
   * } from 'credsign'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s1'] })
   * const signer = asDidSigner(await vault.unlock('issuer', ['s1']))
   * const lists = new StatusLists({ store: new MemoryStatusListStore(), signer })
   * await lists.createList({ id: 't1', kind: 'token', uri: 'https://issuer.example/tsl/1' })
   * const { jwt, mediaType } = await lists.publish('t1') // 'application/statuslist+jwt'
   * ```
   */
  async publish(listId: string): Promise<PublishedStatusList> {
    const running = this.#publishing.get(listId)
    if (running !== undefined) return running
    const work = this.#publish(listId).finally(() => this.#publishing.delete(listId))
    this.#publishing.set(listId, work)
    return work
  }

  async #publish(listId: string): Promise<PublishedStatusList> {
    const list = await this.#definition(listId)
    const settings = list.settings as ListSettings
    const now = this.#now()
    const cached = this.#cache.get(listId)
    if (
      cached !== undefined &&
      cached.version === (await this.#store.statusListVersion(listId)) &&
      now < cached.published.expiresAt - settings.renewBefore * 1000
    )
      return { ...cached.published, signed: false }
    const { version, statuses } = await this.#store.readStatuses(listId)
    const signer = await this.#signerFor(list)
    const issuedAt = Math.floor(now / 1000) * 1000
    const expiresAt = issuedAt + settings.validFor * 1000
    let jwt: string
    if (list.kind === 'bitstring') {
      const issuer = this.#issuer ?? signerController(signer)
      const credential = await this.#credential(list, statuses, issuedAt, issuer)
      jwt = await new JwtVcSigner(signer).sign(credential, {
        now: () => issuedAt,
        ...(this.#x5c ? { x5c: true } : {}),
      })
    } else {
      const bytes = createTokenStatusBytes(list.size, list.bits as TokenStatusBits)
      for (const [index, value] of statuses)
        writeTokenStatus(bytes, list.bits as TokenStatusBits, index, value)
      const issuer = this.#issuer ?? signerController(signer)
      const claims: JsonObject = {
        sub: settings.uri as string,
        ...(issuer === undefined ? {} : { iss: issuer }),
        iat: issuedAt / 1000,
        exp: expiresAt / 1000,
        ttl: settings.ttl,
        status_list: { bits: list.bits, lst: await encodeTokenStatusList(bytes) },
      }
      jwt = await signJwt(signer, claims, {
        typ: 'statuslist+jwt',
        ...(this.#x5c ? { protectedHeader: x5cMember(signer, true, undefined) } : {}),
      })
    }
    const published: PublishedStatusList = {
      listId,
      kind: list.kind,
      jwt,
      mediaType: list.kind === 'bitstring' ? 'application/vc+jwt' : 'application/statuslist+jwt',
      version,
      issuedAt,
      expiresAt,
      ttl: settings.ttl,
      signed: true,
    }
    this.#cache.set(listId, { version, published })
    return published
  }

  async #credential(
    list: StatusListInfo,
    statuses: [number, number][],
    issuedAt: number,
    issuer: string | undefined,
  ): Promise<JsonObject> {
    const settings = list.settings as ListSettings
    const bits = createBitstring(list.size, list.bits)
    for (const [index, value] of statuses) writeBitstringStatus(bits, index, value, list.bits)
    const subject: JsonObject = {
      id: `${settings.url as string}#list`,
      type: 'BitstringStatusList',
      statusPurpose: settings.purpose as string,
      encodedList: await encodeBitstring(bits),
      ttl: settings.ttl * 1000,
    }
    if (settings.statusMessages !== undefined) subject.statusMessages = settings.statusMessages
    if (settings.statusReference !== undefined) subject.statusReference = settings.statusReference
    return {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: settings.url as string,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      ...(issuer === undefined ? {} : { issuer }),
      validFrom: new Date(issuedAt).toISOString().replace('.000Z', 'Z'),
      validUntil: new Date(issuedAt + settings.validFor * 1000).toISOString().replace('.000Z', 'Z'),
      credentialSubject: subject,
    }
  }

  async #suspendedValue(listId: string): Promise<number> {
    const list = await this.#definition(listId)
    if (list.kind === 'token') {
      if (list.bits < 2)
        throw new CredsignError('invalid_argument', 'a 1-bit token status list cannot suspend')
      return TOKEN_STATUS.SUSPENDED
    }
    if ((list.settings as ListSettings).purpose !== 'suspension')
      throw new CredsignError('invalid_argument', 'suspend needs a suspension list')
    return 1
  }

  async #signerFor(list: StatusListInfo): Promise<Signer> {
    const source = this.#signer
    if (source === undefined)
      throw new CredsignError('invalid_argument', 'publishing needs the signer option')
    return typeof source === 'function' ? source(list) : source
  }

  /**
   * The list's definition, read from the store once: it never changes after creation (its counters
   * do, and are not read from here).
   */
  async #definition(listId: string): Promise<StatusListInfo> {
    const known = this.#definitions.get(listId)
    if (known !== undefined) return known
    const list = await this.#list(listId)
    this.#definitions.set(listId, list)
    return list
  }

  async #list(listId: string): Promise<StatusListInfo> {
    const list = await this.#store.getStatusList(listId)
    if (list === undefined)
      throw new CredsignError(
        'not_found',
        `no status list ${JSON.stringify(String(listId).slice(0, 60))}`,
      )
    return list
  }
}

function entryFor(list: StatusListInfo, index: number): StatusListAllocation {
  const settings = list.settings as ListSettings
  if (list.kind === 'token')
    return {
      listId: list.id,
      index,
      kind: 'token',
      status: { status_list: { idx: index, uri: settings.uri as string } },
    }
  const url = settings.url as string
  const entry: BitstringStatusListEntry = {
    id: `${url}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: settings.purpose as BitstringStatusPurpose,
    statusListIndex: String(index),
    statusListCredential: url,
  }
  if (list.bits > 1) entry.statusSize = list.bits
  if (settings.statusMessages !== undefined)
    entry.statusMessage = structuredClone(settings.statusMessages)
  if (settings.statusReference !== undefined) entry.statusReference = settings.statusReference
  return { listId: list.id, index, kind: 'bitstring', credentialStatus: entry }
}

/**
 * A store's block must be 1 to `count` distinct indexes of the list that this object does not hold
 * already: anything else (a custom store's bug) would hand an index out twice or outside the list,
 * so it is refused (`store_corrupt`) and nothing of it is handed out.
 */
function checkBlock(
  list: StatusListInfo,
  block: unknown,
  count: number,
  held: readonly number[],
): asserts block is number[] {
  const ok =
    Array.isArray(block) &&
    block.length >= 1 &&
    block.length <= count &&
    block.every((i) => Number.isSafeInteger(i) && i >= 0 && i < list.size) &&
    new Set([...block, ...held]).size === block.length + held.length
  if (!ok)
    throw new CredsignError(
      'store_corrupt',
      `the store's block of indexes of status list ${JSON.stringify(list.id.slice(0, 60))} is not 1 to ${count} new, distinct indexes of the list`,
    )
}

function checkMessages(messages: BitstringStatusMessage[] | undefined, bits: number): void {
  if (!Array.isArray(messages) || messages.length !== 2 ** bits)
    throw new CredsignError(
      'invalid_argument',
      `statusMessages must have one message per status: ${2 ** bits} for statusSize ${bits}`,
    )
  messages.forEach((m, i) => {
    if (
      typeof m !== 'object' ||
      m === null ||
      m.status !== `0x${i.toString(16)}` ||
      typeof m.message !== 'string'
    )
      throw new CredsignError(
        'invalid_argument',
        `statusMessages[${i}] must be { status: '0x${i.toString(16)}', message: '…' }`,
      )
  })
}

function positiveSeconds(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > 10 * 365 * 86_400)
    throw new CredsignError(
      'invalid_argument',
      `${name} must be a whole number of seconds, 1 to ten years`,
    )
  return value
}
