import { CredsignError } from '../errors/credsign-error.js'

/**
 * A uniformly random integer in [0, n) from the platform CSPRNG (rejection sampling, no modulo
 * bias). `n` is 1 to 2^32.
 *
 * @internal
 */
export function randomBelow(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 32)
    throw new CredsignError('invalid_argument', 'randomBelow needs 1 to 2^32')
  const limit = 2 ** 32 - (2 ** 32 % n)
  const word = new Uint32Array(1)
  for (;;) {
    crypto.getRandomValues(word)
    if ((word[0] as number) < limit) return (word[0] as number) % n
  }
}

/** Random probes before counting: with at least 1/4 of the list free, 16 misses is p < 1%. */
const PROBES = 16

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
  for (let byte = 0; byte < taken.length; byte++) {
    const value = taken[byte] as number
    if (value === 0xff) continue
    for (let bit = 0; bit < 8; bit++) {
      const index = byte * 8 + bit
      if (index >= size) return -1
      if (((value >> bit) & 1) === 0 && k-- === 0) return index
    }
  }
  return -1
}

/** Marks `index` taken in the bitmap. @internal */
export function markTaken(taken: Uint8Array, index: number): void {
  taken[index >> 3] = (taken[index >> 3] as number) | (1 << (index & 7))
}

/** Whether `index` is taken in the bitmap. @internal */
export function isTaken(taken: Uint8Array, index: number): boolean {
  return (((taken[index >> 3] as number) >> (index & 7)) & 1) === 1
}
