import { CredsignError } from '../errors/credsign-error.js'
import type { Admission, AttemptLimiter, AttemptOutcome, LockoutPolicy } from './attempt-limiter.js'

const MINUTE = 60_000

/**
 * The default lockout policy: 5 failures within 15 minutes lock the key for 15 minutes.
 *
 * @example
 *
 * ```ts
 * import { DEFAULT_LOCKOUT_POLICY, MemoryAttemptLimiter } from 'credsign'
 * // Twice as patient as the default, same cooldown:
 * const limiter = new MemoryAttemptLimiter({ ...DEFAULT_LOCKOUT_POLICY, maxFailures: 10 })
 * ```
 */
export const DEFAULT_LOCKOUT_POLICY: Required<LockoutPolicy> = Object.freeze({
  maxFailures: 5,
  windowMs: 15 * MINUTE,
  lockoutMs: 15 * MINUTE,
})

interface AttemptState {
  /** Admitted attempts not (yet) proven successful, since `windowStart`. */
  failures: number
  windowStart: number
  /** Set exactly while `failures >= maxFailures`. */
  lockedUntil: number | undefined
}

/** Options of {@link MemoryAttemptLimiter}. */
export interface MemoryAttemptLimiterOptions extends LockoutPolicy {
  /**
   * Most keys tracked at once (default 100,000). Unknown key ids are counted too (so they cost the
   * same as known ones); when full, expired entries are pruned first, then the oldest.
   */
  maxEntries?: number
}

/** Resolves a partial policy against the defaults and checks it. */
export function resolveLockoutPolicy(policy: LockoutPolicy = {}): Required<LockoutPolicy> {
  const resolved = { ...DEFAULT_LOCKOUT_POLICY, ...stripUndefined(policy) }
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new CredsignError(
        'invalid_argument',
        `lockout policy ${name} must be a positive integer`,
      )
    }
  }
  return resolved
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

/**
 * An {@link AttemptLimiter} in this process's memory. Right for a single process; services with
 * several replicas need a shared limiter (the PostgreSQL store provides one) or an attacker gets
 * the limit once per replica.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, MemoryAttemptLimiter } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 *   limiter: new MemoryAttemptLimiter({ maxFailures: 3, lockoutMs: 60_000 }),
 * })
 * ```
 */
export class MemoryAttemptLimiter implements AttemptLimiter {
  readonly #policy: Required<LockoutPolicy>
  readonly #maxEntries: number
  readonly #states = new Map<string, AttemptState>()

  constructor(options: MemoryAttemptLimiterOptions = {}) {
    const { maxEntries = 100_000, ...policy } = options
    this.#policy = resolveLockoutPolicy(policy)
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new CredsignError('invalid_argument', 'maxEntries must be a positive integer')
    }
    this.#maxEntries = maxEntries
  }

  /** The policy in force. */
  get policy(): Readonly<Required<LockoutPolicy>> {
    return this.#policy
  }

  async begin(key: string, now: number): Promise<Admission> {
    const state = this.#current(key, now)
    if (state.lockedUntil !== undefined) return { admitted: false, retryAt: state.lockedUntil }
    state.failures += 1
    // Lock provisionally at admission: a concurrent attempt must not slip past the limit while
    // this one is still running. A success clears it.
    if (state.failures >= this.#policy.maxFailures) state.lockedUntil = now + this.#policy.lockoutMs
    this.#store(key, state)
    return { admitted: true }
  }

  async end(key: string, outcome: AttemptOutcome, now: number): Promise<void> {
    const state = this.#states.get(key)
    if (!state) return
    if (outcome === 'success') {
      this.#states.delete(key)
    } else if (outcome === 'void') {
      state.failures = Math.max(0, state.failures - 1)
      if (state.failures < this.#policy.maxFailures) state.lockedUntil = undefined
      if (state.failures === 0) this.#states.delete(key)
    } else if (state.lockedUntil !== undefined && state.lockedUntil < now) {
      // A failure that ends after a lock expired must not extend a lock nobody is enforcing.
      this.#states.delete(key)
    }
  }

  /** The live state of `key`, with an expired lock or window reset. */
  #current(key: string, now: number): AttemptState {
    const state = this.#states.get(key)
    if (!state || this.#expired(state, now)) {
      return { failures: 0, windowStart: now, lockedUntil: undefined }
    }
    return state
  }

  #expired(state: AttemptState, now: number): boolean {
    if (state.lockedUntil !== undefined) return now >= state.lockedUntil
    return now - state.windowStart >= this.#policy.windowMs
  }

  #store(key: string, state: AttemptState): void {
    if (!this.#states.has(key) && this.#states.size >= this.#maxEntries)
      this.#evict(state.windowStart)
    this.#states.set(key, state)
  }

  #evict(now: number): void {
    for (const [key, state] of this.#states) if (this.#expired(state, now)) this.#states.delete(key)
    // Still full: drop the oldest unlocked entries (Map iterates in insertion order). Locks are
    // kept, so flooding the limiter with random ids cannot release a locked key.
    for (const [key, state] of this.#states) {
      if (this.#states.size < this.#maxEntries) break
      if (state.lockedUntil === undefined) this.#states.delete(key)
    }
  }
}
