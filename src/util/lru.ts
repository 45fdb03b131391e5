/**
 * A bounded map that forgets its least recently used entry first. For memoising pure functions of
 * small public inputs (validated key points, offline DID resolutions); never for secrets.
 *
 * @example
 *
 * ```ts
 * const cache = new Lru<string, number>(2)
 * cache.set('a', 1)
 * cache.get('a') // 1
 * ```
 *
 * @internal
 */
export class Lru<K, V> {
  readonly #entries = new Map<K, V>()
  #weight = 0
  /**
   * `limit` entries at most; with `weight`, also at most `weight.max` in total of `weight.of` over
   * the values (a value heavier than that alone is not kept).
   */
  constructor(
    readonly limit: number,
    readonly weight?: { of: (value: V) => number; max: number },
  ) {}

  get(key: K): V | undefined {
    const hit = this.#entries.get(key)
    if (hit !== undefined) {
      // Most recently used last: the first entry is the one to evict.
      this.#entries.delete(key)
      this.#entries.set(key, hit)
    }
    return hit
  }

  set(key: K, value: V): void {
    this.#forget(key)
    const weight = this.weight?.of(value) ?? 0
    if (this.weight !== undefined && weight > this.weight.max) return
    this.#entries.set(key, value)
    this.#weight += weight
    while (
      this.#entries.size > this.limit ||
      (this.weight !== undefined && this.#weight > this.weight.max)
    )
      this.#forget(this.#entries.keys().next().value as K)
  }

  #forget(key: K): void {
    const value = this.#entries.get(key)
    if (value === undefined && !this.#entries.has(key)) return
    this.#entries.delete(key)
    if (this.weight !== undefined && value !== undefined) this.#weight -= this.weight.of(value)
  }

  get size(): number {
    return this.#entries.size
  }

  clear(): void {
    this.#entries.clear()
    this.#weight = 0
  }
}

/**
 * The bytes as a string of one character per byte: a cheap, exact Map key for short public byte
 * strings (key material).
 *
 * @example
 *
 * ```ts
 * byteKey(new Uint8Array([104, 105])) // 'hi'
 * ```
 *
 * @internal
 */
export function byteKey(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i] as number)
  return out
}
