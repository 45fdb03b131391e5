/**
 * A bounded map that forgets its least recently used entry (util/lru.ts's rule, kept here: this
 * lazily loaded chunk imports nothing of the core but the error class and util/bytes, see
 * core-codecs.ts). Bounded in entries and, with `weight`, in the total weight of its values too: an
 * entry count alone does not bound memory when one value may be large (a CRL of 64 MiB).
 *
 * @example
 *
 * ```ts
 * const crls = new BoundedMap<string>(2, { of: (text) => text.length, max: 10 })
 * crls.set('a', '1')
 * crls.get('a') // '1'
 * crls.totalWeight // 1
 * ```
 *
 * @internal
 */
export class BoundedMap<V> {
  readonly #entries = new Map<string, V>()
  #weight = 0
  /**
   * `limit` entries at most; with `weight`, also at most `weight.max` in total of `weight.of` over
   * the values (a value heavier than that alone is not kept). `weight.of` must give a value the
   * same weight every time (it is asked again when the value is forgotten).
   */
  constructor(
    readonly limit: number,
    readonly weight?: { of: (value: V) => number; max: number },
  ) {}
  get(key: string): V | undefined {
    const hit = this.#entries.get(key)
    if (hit !== undefined) {
      // Most recently used last: the first entry is the one to evict.
      this.#entries.delete(key)
      this.#entries.set(key, hit)
    }
    return hit
  }
  set(key: string, value: V): void {
    this.delete(key)
    const weight = this.weight?.of(value) ?? 0
    if (this.weight !== undefined && weight > this.weight.max) return
    this.#entries.set(key, value)
    this.#weight += weight
    while (
      this.#entries.size > this.limit ||
      (this.weight !== undefined && this.#weight > this.weight.max)
    )
      this.delete(this.#entries.keys().next().value as string)
  }
  delete(key: string): void {
    const value = this.#entries.get(key)
    if (value === undefined) return
    this.#entries.delete(key)
    if (this.weight !== undefined) this.#weight -= this.weight.of(value)
  }
  clear(): void {
    this.#entries.clear()
    this.#weight = 0
  }
  /** The total weight of the values held (0 without `weight`). */
  get totalWeight(): number {
    return this.#weight
  }
}
