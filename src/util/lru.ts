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
  constructor(readonly limit: number) {}

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
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.limit)
      this.#entries.delete(this.#entries.keys().next().value as K)
  }

  get size(): number {
    return this.#entries.size
  }

  clear(): void {
    this.#entries.clear()
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
