import { CredsignError } from '../errors/credsign-error.js'

/**
 * CSPRNG words fetched in bulk. On Node a `getRandomValues` call costs about 2 µs whatever its size
 * (the call, not the bytes: it crosses into C++ and OpenSSL), which was most of the cost of an
 * allocation; one call for 256 draws makes it negligible. Each word is the platform CSPRNG's
 * output, used at most once and wiped when taken, so the draws are exactly as unpredictable and as
 * independent as one call per draw. (A process that forks shares no pool: Node's child processes
 * and workers each load their own copy of this module.)
 */
const POOL_WORDS = 256
const pool = new Uint32Array(POOL_WORDS)
let poolNext = POOL_WORDS

/** The next unused CSPRNG word of the pool, refilling it when it is spent. @internal */
export function randomWord(): number {
  if (poolNext === POOL_WORDS) {
    crypto.getRandomValues(pool)
    poolNext = 0
  }
  const word = pool[poolNext] as number
  pool[poolNext++] = 0
  return word
}

/**
 * A uniformly random integer in [0, n) from the platform CSPRNG (rejection sampling, no modulo
 * bias). `n` is 1 to 2^32.
 *
 * @internal
 */
export function randomBelow(n: number): number {
  return uniformBelow(n, randomWord)
}

/**
 * A uniformly random integer in [0, n) from uniform 32-bit words: a word is used only below the
 * largest multiple of `n` that fits in 2^32 (otherwise the next word is drawn), so every residue
 * has the same number of words mapping to it: no modulo bias. `n` is 1 to 2^32. Separate from
 * {@link randomBelow} so tests can feed it chosen words.
 *
 * @internal
 */
export function uniformBelow(n: number, nextWord: () => number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 32)
    throw new CredsignError('invalid_argument', 'randomBelow needs 1 to 2^32')
  const limit = 2 ** 32 - (2 ** 32 % n)
  for (;;) {
    const word = nextWord()
    if (word < limit) return word % n
  }
}

/**
 * Random probes before counting. A probe costs a pooled word and a bit test (tens of nanoseconds),
 * the count a pass over the bitmap (a list of 2^20 entries: 128 KiB), so probe long: with 64 probes
 * the count is needed once in 800 allocations at 90% full, once in 27 at 95%.
 */
const PROBES = 64

/** Free (0) bits of each byte value. */
const FREE_BITS = Uint8Array.from({ length: 256 }, (_, value) => {
  let free = 0
  for (let bit = 0; bit < 8; bit++) if (((value >> bit) & 1) === 0) free++
  return free
})

/**
 * An index whose bit is 0 in `taken` (bit i = byte i >> 3, mask 1 << (i & 7)), chosen uniformly
 * among the `size - allocated` free ones: random probes first (one or two while the list is mostly
 * free), then, if they all hit taken indexes, the k-th free index for a uniform k. Both steps are
 * uniform over the free indexes, so the choice never depends on the order of earlier ones. Returns
 * -1 when none is free.
 *
 * @internal
 */
export function pickFreeIndex(taken: Uint8Array, size: number, allocated: number): number {
  const free = size - allocated
  if (free <= 0) return -1
  for (let probe = 0; probe < PROBES; probe++) {
    const index = randomBelow(size)
    if ((((taken[index >> 3] as number) >> (index & 7)) & 1) === 0) return index
  }
  let k = randomBelow(free)
  // Whole bytes by their count of free bits; then the bits of the byte holding the k-th.
  const wholeBytes = size >> 3
  let byte = 0
  for (; byte < wholeBytes; byte++) {
    const freeHere = FREE_BITS[taken[byte] as number] as number
    if (k < freeHere) break
    k -= freeHere
  }
  for (let index = byte * 8; index < size; index++)
    if ((((taken[index >> 3] as number) >> (index & 7)) & 1) === 0 && k-- === 0) return index
  return -1
}

/**
 * A block for a bitmap store's `allocateStatusIndexes`: up to `count` free indexes, each uniform
 * among those still free (so the block is distributed as `count` single allocations are) and marked
 * taken in `taken`. Fewer when fewer are free, none when the list is full; the caller adds the
 * block's length to its `allocated`. Random probes first, as {@link pickFreeIndex}; once the probes
 * for one index all miss (a crowded list), the free indexes are listed in one pass and the rest of
 * the block is drawn from that list without replacement — not one pass over the bitmap per index,
 * which near a full list of 2^20 entries held the event loop (or the file store's lock) for ~80 ms
 * a block.
 *
 * @internal
 */
export function takeFreeIndexes(
  taken: Uint8Array,
  size: number,
  allocated: number,
  count: number,
): number[] {
  const wanted = Math.min(count, size - allocated)
  const indexes: number[] = []
  probing: while (indexes.length < wanted) {
    for (let probe = 0; probe < PROBES; probe++) {
      const index = randomBelow(size)
      if ((((taken[index >> 3] as number) >> (index & 7)) & 1) === 0) {
        markTaken(taken, index)
        indexes.push(index)
        continue probing
      }
    }
    break
  }
  if (indexes.length < wanted) {
    const free: number[] = []
    for (let byte = 0; byte < taken.length; byte++) {
      const bits = taken[byte] as number
      if (bits === 0xff) continue
      for (let bit = 0; bit < 8; bit++) {
        const index = byte * 8 + bit
        if (index < size && ((bits >> bit) & 1) === 0) free.push(index)
      }
    }
    // A partial Fisher-Yates shuffle: each draw uniform among the free indexes not drawn yet.
    for (let i = 0; i < free.length && indexes.length < wanted; i++) {
      const j = i + randomBelow(free.length - i)
      const index = free[j] as number
      free[j] = free[i] as number
      markTaken(taken, index)
      indexes.push(index)
    }
  }
  return indexes
}

/** Marks `index` taken in the bitmap. @internal */
export function markTaken(taken: Uint8Array, index: number): void {
  taken[index >> 3] = (taken[index >> 3] as number) | (1 << (index & 7))
}

/** Whether `index` is taken in the bitmap. @internal */
export function isTaken(taken: Uint8Array, index: number): boolean {
  return (((taken[index >> 3] as number) >> (index & 7)) & 1) === 1
}
