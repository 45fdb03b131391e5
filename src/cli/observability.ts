import { CredsignError } from '../errors/credsign-error.js'
import { LATENCY_BUCKETS, MetricsRegistry, type Counter, type Histogram } from '../http/metrics.js'
import type { HttpLogEntry } from '../http/options.js'
import type { KeyStore } from '../stores/key-store.js'
import type { Admission, AttemptLimiter, AttemptOutcome } from '../vault/attempt-limiter.js'
import { wrapStore } from './wrap-store.js'

/*
 * What `credsign serve` reports about itself: one JSON line per request (the access log) and the
 * counters and histograms behind GET /metrics. Both are fed from outside the library: the handler's
 * onLog entry (route template, status, duration, request id), and wrappers around the vault's
 * attempt limiter (unlocks that ran the KDF, refusals of locked keys) and its store (failures).
 * Neither ever sees a request body, a header value other than the request id, or a query string.
 */

/**
 * One access log line: JSON with `time`, `method`, `route` (the template, never the raw path),
 * `status`, `durationMs`, `requestId`, and for a problem its `code` (and, for a server fault, the
 * library's `detail`, which names server-side things and never a secret).
 *
 * @example
 *
 * ```ts
 * accessLogLine(
 *   { method: 'POST', route: '/sign/vc/:type', status: 201, durationMs: 3.21 },
 *   Date.now(),
 * )
 * // {"time":"2026-…","method":"POST","route":"/sign/vc/:type","status":201,"durationMs":3.21}
 * ```
 *
 * @internal
 */
export function accessLogLine(entry: HttpLogEntry, now: number, worker?: number): string {
  return JSON.stringify({
    time: new Date(now).toISOString(),
    method: entry.method,
    route: entry.route,
    status: entry.status,
    durationMs: Math.round(entry.durationMs * 100) / 100,
    ...(entry.requestId === undefined ? {} : { requestId: entry.requestId }),
    ...(entry.code === undefined ? {} : { code: entry.code }),
    ...(entry.detail === undefined ? {} : { detail: entry.detail }),
    ...(worker === undefined ? {} : { worker }),
  })
}

/** Store error codes that mean the store failed, not that the caller asked for something absent. */
const BENIGN_STORE_CODES = new Set(['exists', 'conflict', 'not_found'])

/**
 * The metrics of one `credsign serve` process: requests by route template, method and status, their
 * latency, unlocks that ran the KDF by outcome and their duration, refusals of locked keys, and
 * store failures by operation and code.
 *
 * @example
 *
 * ```ts
 * const metrics = new ServeMetrics()
 * const handler = createHandler({ vault, auth, onLog: (entry) => metrics.onRequest(entry) })
 * renderPrometheus(metrics.registry.snapshot())
 * ```
 *
 * @internal
 */
export class ServeMetrics {
  readonly registry = new MetricsRegistry()
  readonly #requests: Counter
  readonly #latency: Histogram
  readonly #unlocks: Counter
  readonly #unlockSeconds: Histogram
  readonly #locked: Counter
  readonly #storeErrors: Counter

  constructor() {
    const r = this.registry
    this.#requests = r.counter(
      'credsign_http_requests_total',
      'HTTP requests answered, by method, route template and status.',
    )
    this.#latency = r.histogram(
      'credsign_http_request_duration_seconds',
      'Time from a request reaching the handler to its response, by route template.',
      LATENCY_BUCKETS,
    )
    this.#unlocks = r.counter(
      'credsign_unlocks_total',
      'Unlock attempts that ran the KDF (unlock cache misses), by outcome: success, failure (wrong secrets or unknown key), void (never tested the secrets).',
    )
    this.#unlockSeconds = r.histogram(
      'credsign_unlock_kdf_seconds',
      'Duration of unlock attempts that ran the KDF: the store read, the key derivation and the envelope open.',
      LATENCY_BUCKETS,
    )
    this.#locked = r.counter(
      'credsign_unlock_locked_total',
      'Unlock attempts refused because the key (or key and client) is locked after too many failures.',
    )
    this.#storeErrors = r.counter(
      'credsign_store_errors_total',
      'Key store operations that failed, by operation and error code.',
    )
  }

  /** The handler's log entry of one request. */
  onRequest(entry: HttpLogEntry): void {
    this.#requests.inc({ method: entry.method, route: entry.route, status: String(entry.status) })
    this.#latency.observe({ route: entry.route }, entry.durationMs / 1000)
  }

  /** `limiter`, counting what it decides. */
  instrumentLimiter(limiter: AttemptLimiter): AttemptLimiter {
    const started = new Map<string, number[]>()
    return {
      begin: async (key: string, now: number): Promise<Admission> => {
        const admission = await limiter.begin(key, now)
        if (!admission.admitted) this.#locked.inc()
        else {
          const list = started.get(key)
          if (list === undefined) started.set(key, [performance.now()])
          else list.push(performance.now())
        }
        return admission
      },
      end: async (key: string, outcome: AttemptOutcome, now: number): Promise<void> => {
        const list = started.get(key)
        const began = list?.shift()
        if (list !== undefined && list.length === 0) started.delete(key)
        this.#unlocks.inc({ outcome })
        if (began !== undefined) this.#unlockSeconds.observe({}, (performance.now() - began) / 1000)
        return limiter.end(key, outcome, now)
      },
    }
  }

  /** `store`, counting its failures (not `exists`, `conflict`, `not_found`: answers, not faults). */
  instrumentStore(store: KeyStore): KeyStore {
    const count = <T>(operation: string, promise: Promise<T>): Promise<T> =>
      promise.catch((error: unknown) => {
        const code = CredsignError.is(error) ? error.code : 'internal_error'
        if (!BENIGN_STORE_CODES.has(code)) this.#storeErrors.inc({ operation, code })
        throw error
      })
    return wrapStore(store, {
      create: (record) => count('create', store.create(record)),
      update: (record) => count('update', store.update(record)),
      delete: (...args) => count('delete', store.delete(...args)),
      get: (id) => count('get', store.get(id)),
      list: (listOptions) => count('list', store.list(listOptions)),
      ...(store.ping === undefined
        ? {}
        : { ping: () => count('ping', Promise.resolve(store.ping!())) }),
    })
  }
}
