// The KDFs must not block the event loop: a ticker keeps firing while a derivation runs. This
// counts ticks, it does not time anything (speed belongs in the benchmarks).
import { describe, expect, it } from 'vitest'
import { SecretEnvelope } from '../../src/envelope/index.js'
import type { KdfParams } from '../../src/envelope/index.js'

const context = { keyId: 'event-loop', algorithm: 'Ed25519', keyVersion: 1 }

interface PostTaskScheduler {
  yield(): Promise<void>
  postTask(
    callback: () => void,
    options: { priority: 'user-blocking'; delay: number },
  ): Promise<void>
}

/**
 * Where `scheduler.yield` exists (Chromium), noble yields through it. Its continuations run ahead
 * of ordinary tasks (timers) of the page but behind input and `user-blocking` work, so that is what
 * the ticker uses there; elsewhere (Node, Deno, Bun, browsers without it) noble yields with
 * setTimeout and a plain 1 ms interval must keep firing. See docs/envelope.md, "Event loop".
 */
function startTicker(kdf: KdfParams): { count(): number; stop(): void } {
  let ticks = 0
  let stopped = false
  const scheduler = (globalThis as { scheduler?: Partial<PostTaskScheduler> }).scheduler
  if (
    kdf.id !== 'pbkdf2-sha256' &&
    typeof scheduler?.yield === 'function' &&
    typeof scheduler.postTask === 'function'
  ) {
    const post = scheduler.postTask.bind(scheduler)
    const tick = (): void => {
      if (stopped) return
      ticks++
      void post(tick, { priority: 'user-blocking', delay: 1 })
    }
    void post(tick, { priority: 'user-blocking', delay: 1 })
    return { count: () => ticks, stop: () => void (stopped = true) }
  }
  const timer = setInterval(() => {
    ticks++
  }, 1)
  return { count: () => ticks, stop: () => clearInterval(timer) }
}

async function ticksDuring(kdf: KdfParams, work: () => Promise<unknown>): Promise<number> {
  const ticker = startTicker(kdf)
  try {
    await work()
  } finally {
    ticker.stop()
  }
  return ticker.count()
}

describe('KDFs keep the event loop running', () => {
  const kdfs: KdfParams[] = [
    { id: 'pbkdf2-sha256', iterations: 200_000 },
    { id: 'scrypt', N: 2 ** 15, r: 8, p: 1 },
    { id: 'argon2id', m: 16_384, t: 3, p: 1 },
  ]
  for (const kdf of kdfs) {
    it(`${kdf.id}: a 1 ms ticker fires repeatedly during seal and open`, async () => {
      const envelope = new SecretEnvelope({
        serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
        kdf,
      })
      let sealed: unknown
      const sealTicks = await ticksDuring(kdf, async () => {
        sealed = await envelope.seal(new Uint8Array(32), ['secret'], context)
      })
      const openTicks = await ticksDuring(kdf, () => envelope.open(sealed, ['secret'], context))
      expect(sealTicks).toBeGreaterThanOrEqual(3)
      expect(openTicks).toBeGreaterThanOrEqual(3)
    })
  }
})
