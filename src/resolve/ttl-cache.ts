/**
 * A small in-memory cache: entries live `ttlMs` from when they were stored, and at most
 * `maxEntries` are kept (storing one more drops the oldest). Times come from the injected clock, so
 * tests need no fake timers. A `ttlMs` of 0 disables it.
 *
 * @example
 *
 * ```ts
 * const cache = new TtlCache<string>(60_000, 100, Date.now)
 * cache.set('did:web:issuer.example', '{"id":"did:web:issuer.example"}')
 * cache.get('did:web:issuer.example') // the text, for a minute
 * ```
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>()
  readonly #ttlMs: number
  readonly #maxEntries: number
  readonly #clock: () => number

  constructor(ttlMs: number, maxEntries: number, clock: () => number) {
    this.#ttlMs = ttlMs
    this.#maxEntries = maxEntries
    this.#clock = clock
  }

  /** Whether the cache stores anything at all. */
  get enabled(): boolean {
    return this.#ttlMs > 0
  }

  /** The live value for `key`, if any; an expired entry is dropped. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (this.#clock() >= entry.expiresAt) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.value
  }

  /** Stores `value` for `ttlMs` from now, evicting the oldest entries beyond `maxEntries`. */
  set(key: string, value: V): void {
    if (!this.enabled) return
    // Re-inserting moves the key to the end of the Map's order, so eviction drops the oldest write.
    this.#entries.delete(key)
    this.#entries.set(key, { value, expiresAt: this.#clock() + this.#ttlMs })
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done === true) break
      this.#entries.delete(oldest.value)
    }
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear()
  }

  /** How many entries are stored (expired ones included until read). */
  get size(): number {
    return this.#entries.size
  }
}
