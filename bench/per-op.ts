/**
 * The timing loop of the per-call benchmarks (bench/status-verify.ts, bench/x5c-verify.ts): warm
 * up, then 5 rounds of SECONDS / 5 each calling `fn` in batches, and the best round's µs per call
 * (the machine is shared: the best round has the least noise). BENCH_QUICK=1 shortens it for a
 * smoke run.
 */
const QUICK = process.env.BENCH_QUICK === '1'
const SECONDS = QUICK ? 0.3 : 2

/** Μs per call of `fn`: the best of 5 rounds, after `warmup` calls, timed in batches of `batch`. */
export async function perOp(
  fn: () => Promise<unknown>,
  { warmup, batch }: { warmup: number; batch: number },
): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn()
  let best = Infinity
  for (let round = 0; round < 5; round++) {
    let ops = 0
    const start = performance.now()
    const end = start + (SECONDS * 1000) / 5
    while (performance.now() < end) {
      for (let i = 0; i < batch; i++) await fn()
      ops += batch
    }
    best = Math.min(best, ((performance.now() - start) * 1000) / ops)
  }
  return best
}
