/**
 * A bounded map that forgets its least recently used entry (util/lru.ts's rule, kept here: this
 * lazily loaded chunk imports nothing of the core but the error class and util/bytes, see
 * core-codecs.ts).
 *
 * @example
 *
 * ```ts
 * const crls = new BoundedMap<string>(2)
 * crls.set('a', '1')
 * crls.get('a') // '1'
 * ```
 *
 * @internal
 */
export class BoundedMap<V> {
  readonly #entries = new Map<string, V>()
  constructor(readonly limit: number) {}
  get(key: string): V | undefined {
    const hit = this.#entries.get(key)
    if (hit !== undefined) {
      this.#entries.delete(key)
      this.#entries.set(key, hit)
    }
    return hit
  }
  set(key: string, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.limit)
      this.#entries.delete(this.#entries.keys().next().value as string)
  }
  delete(key: string): void {
    this.#entries.delete(key)
  }
  clear(): void {
    this.#entries.clear()
  }
}
