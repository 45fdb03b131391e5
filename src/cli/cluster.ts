import cluster, { type Worker } from 'node:cluster'
import { mergeSnapshots, type MetricsSnapshot } from '../http/metrics.js'
import type { KeyStore } from '../stores/key-store.js'
import type { Admission, AttemptLimiter, AttemptOutcome } from '../vault/attempt-limiter.js'
import { MemoryAttemptLimiter } from '../vault/memory-attempt-limiter.js'
import type { LockoutPolicy } from '../vault/attempt-limiter.js'
import { IpcChannel } from './ipc-channel.js'
import { wrapStore } from './wrap-store.js'
import type { CliIo } from './run.js'

/*
 * `credsign serve --workers N`: N node:cluster workers share the port (the primary hands out the
 * connections), each a complete server with its own vault. What must stay correct across them goes
 * through the primary:
 *
 * - the failed-attempt limiter of a file store: one MemoryAttemptLimiter in the primary, asked by
 *   every worker (PostgreSQL's limiter is shared through the database already), so N workers admit
 *   no more wrong guesses than one process;
 * - the unlock cache: a worker that changes or deletes a key in the store has every other worker
 *   drop its cached unlocked keys before its own answer goes out (one that does not confirm in
 *   time is killed and replaced, never left serving its old cache);
 * - GET /metrics: the worker that is asked collects every worker's counters and adds them up.
 */

/** The environment variable that makes a `credsign serve` process a worker (its number, from 1). */
export const WORKER_ENV = 'CREDSIGN_SERVE_WORKER'

/**
 * How long a worker's answer may take before the primary goes on without it (a stuck or dying
 * worker must not stall a request on another).
 */
const PEER_TIMEOUT_MS = 2_000

/** The primary's side: starts the workers, answers them, stops them. @internal */
export interface PrimaryOptions {
  workers: number
  /** The `credsign` script the workers run (the running one). */
  script: string
  /** `serve` and its arguments, for the workers. */
  args: string[]
  io: CliIo
  /** Resolves when the server should stop (signals, or `io.onShutdown`). */
  shutdown: Promise<void>
  /** How long workers get to finish in-flight requests. */
  graceMs: number
  /** Prints the address once every worker listens. */
  announce(address: string): void
  /** The policy of the shared file-store limiter (`--lockout-*`, or the origin's in compat mode). */
  lockout?: LockoutPolicy
}

/**
 * Runs the primary of `credsign serve --workers N`: forks the workers, prints the address once all
 * listen, serves their limiter, cache and metrics requests, restarts a worker that dies, and stops
 * them all on shutdown. Resolves with the exit code.
 *
 * @example
 *
 * ```ts
 * return runPrimary({
 *   workers: 4,
 *   script: process.argv[1]!,
 *   args: ['serve', '--port', '8080'],
 *   io,
 *   shutdown,
 *   graceMs: 10_000,
 * })
 * ```
 *
 * @internal
 */
export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const { io } = options
  const limiter = new MemoryAttemptLimiter(options.lockout ?? {})
  const channels = new Map<number, { worker: Worker; channel: IpcChannel; ready: boolean }>()
  let stopping = false
  let exitCode = 0
  let announced = false
  let readyCount = 0
  let failedStarts = 0
  let settle!: (code: number) => void
  const done = new Promise<number>((resolve) => (settle = resolve))

  cluster.setupPrimary({ exec: options.script, args: options.args })

  const others = (index: number): CachePeer[] =>
    [...channels.entries()].filter(([i]) => i !== index).map(([, c]) => c)

  const start = (index: number): void => {
    const worker = cluster.fork({ [WORKER_ENV]: String(index) })
    let ready = false
    const channel = new IpcChannel(worker, {
      ready: (payload) => {
        ready = true
        peer.ready = true
        failedStarts = 0
        readyCount++
        if (!announced && readyCount === options.workers) {
          announced = true
          io.err(`credsign: ${options.workers} workers`)
          options.announce((payload as { address: string }).address)
        }
      },
      'limiter.begin': (payload): Promise<Admission> => {
        const { key, now } = payload as { key: string; now: number }
        return limiter.begin(key, now)
      },
      'limiter.end': async (payload) => {
        const { key, outcome, now } = payload as {
          key: string
          outcome: AttemptOutcome
          now: number
        }
        await limiter.end(key, outcome, now)
        return true
      },
      'cache.invalidate': async () => {
        await clearCaches(others(index))
        return true
      },
      'metrics.collect': async () => {
        const answers = await Promise.allSettled(
          [...channels.values()].map((c) =>
            c.channel.request('metrics.snapshot', undefined, PEER_TIMEOUT_MS),
          ),
        )
        return mergeSnapshots(
          answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value as MetricsSnapshot] : [])),
        )
      },
    })
    const peer = { worker, channel, ready: false }
    channels.set(index, peer)
    worker.on('exit', (code, signal) => {
      channel.close()
      if (channels.get(index)?.worker === worker) channels.delete(index)
      if (ready) readyCount--
      if (stopping) {
        if (channels.size === 0) settle(exitCode)
        return
      }
      const how = signal === null ? `code ${code}` : signal
      if (!ready) failedStarts++
      // A worker that cannot start (bad configuration) prints why; do not retry forever. One that
      // listened and then died (killed for not confirming a cache clear, say) is replaced, even
      // while others are still starting.
      if ((!ready && !announced) || failedStarts >= 3) {
        io.err(`credsign: worker ${index} exited (${how}) before it listened; stopping`)
        stopAll(true)
        return
      }
      io.err(`credsign: worker ${index} exited (${how}); starting another`)
      start(index)
    })
  }

  const stopAll = (failed = false): void => {
    if (failed) exitCode = 1
    if (stopping) return
    stopping = true
    if (channels.size === 0) {
      settle(exitCode)
      return
    }
    for (const { worker, channel } of channels.values())
      channel.request('shutdown', undefined, PEER_TIMEOUT_MS).catch(() => worker.kill('SIGTERM'))
    const killer = setTimeout(() => {
      for (const { worker } of channels.values()) worker.kill('SIGKILL')
    }, options.graceMs + 2_000)
    killer.unref()
  }

  for (let index = 1; index <= options.workers; index++) start(index)
  void options.shutdown.then(() => {
    if (!stopping) io.err('credsign: shutting down')
    stopAll()
  })
  await done
  io.err('credsign: stopped')
  return exitCode
}

/** A worker as {@link clearCaches} reaches it. @internal */
export interface CachePeer {
  worker: { kill(signal?: NodeJS.Signals): unknown }
  channel: Pick<IpcChannel, 'request'>
  /**
   * Whether it reported `ready` (it listens, so its channel answers). One still starting may not
   * listen for messages yet, and has served no request: it is not killed for its silence.
   */
  ready: boolean
}

/**
 * Has every worker of `peers` drop its unlocked keys. A ready worker that does not confirm within
 * `timeoutMs` (stuck, dying, its channel gone) is killed: it may still hold a changed or deleted
 * key unlocked, and the primary starts another in its place. Resolves once every worker confirmed
 * or was killed.
 *
 * @example
 *
 * ```ts
 * await clearCaches([{ worker, channel, ready: true }], 2_000) // worker.kill('SIGKILL') unless it confirms
 * ```
 *
 * @internal
 */
export async function clearCaches(
  peers: readonly CachePeer[],
  timeoutMs = PEER_TIMEOUT_MS,
): Promise<void> {
  await Promise.all(
    peers.map((peer) =>
      peer.channel.request('cache.clear', undefined, timeoutMs).then(
        () => undefined,
        () => {
          if (peer.ready) peer.worker.kill('SIGKILL')
        },
      ),
    ),
  )
}

/**
 * A worker's link to the primary: the shared limiter, cache invalidation, collected metrics, and
 * the `ready` report.
 *
 * @example
 *
 * ```ts
 * const link = connectToPrimary({
 *   clearCache: () => vault.clearUnlockCache(),
 *   snapshot: () => registry.snapshot(),
 *   stop,
 * })
 * const vault = new KeyVault({
 *   store: link.invalidating(store),
 *   limiter: link.limiter,
 *   serviceSecret,
 * })
 * ```
 *
 * @internal
 */
export function connectToPrimary(hooks: {
  clearCache(): void
  snapshot(): MetricsSnapshot
  stop(): void
}): {
  limiter: AttemptLimiter
  invalidating(store: KeyStore): KeyStore
  collectMetrics(): Promise<MetricsSnapshot>
  ready(address: string): Promise<void>
  close(): void
} {
  const channel = new IpcChannel(process, {
    'cache.clear': () => {
      hooks.clearCache()
      return true
    },
    'metrics.snapshot': () => hooks.snapshot(),
    shutdown: () => {
      hooks.stop()
      return true
    },
  })
  // The primary is gone: nothing shares the limiter any more, so stop serving.
  const orphaned = (): void => hooks.stop()
  process.once('disconnect', orphaned)
  const limiter: AttemptLimiter = {
    begin: async (key, now) => (await channel.request('limiter.begin', { key, now })) as Admission,
    end: async (key, outcome, now) => {
      await channel.request('limiter.end', { key, outcome, now })
    },
  }
  const invalidate = async (): Promise<void> => {
    await channel.request('cache.invalidate', undefined, PEER_TIMEOUT_MS * 2).catch(() => undefined)
  }
  return {
    limiter,
    // A changed or deleted key: every other worker drops its unlocked keys before this answer.
    invalidating: (store) =>
      wrapStore(store, {
        update: async (record) => {
          const result = await store.update(record)
          await invalidate()
          return result
        },
        delete: async (...args) => {
          const result = await store.delete(...args)
          await invalidate()
          return result
        },
      }),
    collectMetrics: async () => (await channel.request('metrics.collect')) as MetricsSnapshot,
    ready: async (address) => {
      await channel.request('ready', { address })
    },
    close() {
      process.off('disconnect', orphaned)
      channel.close()
    },
  }
}
