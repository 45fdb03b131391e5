/*
 * Counters and histograms, and their Prometheus text exposition (format version 0.0.4). Small on
 * purpose: a registry per process, snapshots that are plain JSON (so the workers of `credsign serve
 * --workers N` can send theirs to the primary, which adds them up), and one renderer. Runtime-neutral.
 */

/** Label names and values of one series. @internal */
export type MetricLabels = Readonly<Record<string, string>>

/** One series of a family in a snapshot. @internal */
export interface MetricSeries {
  labels: MetricLabels
  /** A counter's value. */
  value?: number
  /** A histogram's per-bucket counts (not cumulative), one more than `buckets`: the last is +Inf. */
  counts?: number[]
  sum?: number
}

/** One metric family in a snapshot. @internal */
export interface MetricFamily {
  name: string
  help: string
  type: 'counter' | 'histogram'
  /** A histogram's upper bounds, ascending. */
  buckets?: number[]
  series: MetricSeries[]
}

/**
 * Every family of a registry at one moment: plain JSON, so that it can cross a process boundary.
 *
 * @internal
 */
export interface MetricsSnapshot {
  families: MetricFamily[]
}

/** A monotonically increasing count, by labels. @internal */
export interface Counter {
  inc(labels?: MetricLabels, by?: number): void
}

/** A distribution of observed values (seconds, for latencies), by labels. @internal */
export interface Histogram {
  observe(labels: MetricLabels, value: number): void
}

/**
 * Bucket bounds for request and unlock latencies, in seconds: 1 ms to 10 s.
 *
 * @example
 *
 * ```ts
 * registry.histogram(
 *   'credsign_http_request_duration_seconds',
 *   'Request latency.',
 *   LATENCY_BUCKETS,
 * )
 * ```
 *
 * @internal
 */
export const LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
])

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

interface FamilyState {
  name: string
  help: string
  type: 'counter' | 'histogram'
  buckets: number[] | undefined
  series: Map<string, { labels: MetricLabels; value: number; counts: number[]; sum: number }>
}

/**
 * The metrics of one process: counters and histograms registered once, updated per request,
 * exported as a {@link MetricsSnapshot} and rendered with {@link renderPrometheus}.
 *
 * @example
 *
 * ```ts
 * const registry = new MetricsRegistry()
 * const requests = registry.counter('credsign_http_requests_total', 'Requests answered.')
 * requests.inc({ route: '/health', status: '200' })
 * renderPrometheus(registry.snapshot())
 * ```
 *
 * @internal
 */
export class MetricsRegistry {
  readonly #families = new Map<string, FamilyState>()

  /** A counter named `name` (ending in `_total`, by the Prometheus convention). */
  counter(name: string, help: string): Counter {
    const family = this.#register(name, help, 'counter', undefined)
    return {
      inc(labels = {}, by = 1) {
        if (!(by >= 0)) return
        seriesOf(family, labels).value += by
      },
    }
  }

  /** A histogram named `name` with the given ascending bucket bounds. */
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    const bounds = [...buckets]
    if (
      bounds.length === 0 ||
      bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!))
    )
      throw new RangeError(`histogram ${name}: buckets must be finite and ascending`)
    const family = this.#register(name, help, 'histogram', bounds)
    return {
      observe(labels, value) {
        if (!Number.isFinite(value)) return
        const series = seriesOf(family, labels)
        let index = bounds.findIndex((bound) => value <= bound)
        if (index === -1) index = bounds.length
        series.counts[index]! += 1
        series.sum += value
      },
    }
  }

  /** Every family and series as plain JSON. */
  snapshot(): MetricsSnapshot {
    return {
      families: [...this.#families.values()].map((family) => ({
        name: family.name,
        help: family.help,
        type: family.type,
        ...(family.buckets === undefined ? {} : { buckets: [...family.buckets] }),
        series: [...family.series.values()].map((s) =>
          family.type === 'counter'
            ? { labels: s.labels, value: s.value }
            : { labels: s.labels, counts: [...s.counts], sum: s.sum },
        ),
      })),
    }
  }

  #register(
    name: string,
    help: string,
    type: 'counter' | 'histogram',
    buckets: number[] | undefined,
  ): FamilyState {
    if (!METRIC_NAME.test(name)) throw new RangeError(`not a metric name: ${name}`)
    if (this.#families.has(name)) throw new RangeError(`metric ${name} is registered twice`)
    const family: FamilyState = { name, help, type, buckets, series: new Map() }
    this.#families.set(name, family)
    return family
  }
}

function seriesOf(
  family: FamilyState,
  labels: MetricLabels,
): { labels: MetricLabels; value: number; counts: number[]; sum: number } {
  const key = labelKey(labels)
  let series = family.series.get(key)
  if (series === undefined) {
    for (const name of Object.keys(labels))
      if (!LABEL_NAME.test(name) || name === 'le' || name.startsWith('__'))
        throw new RangeError(`not a label name: ${name}`)
    series = {
      labels: { ...labels },
      value: 0,
      counts: new Array<number>((family.buckets?.length ?? 0) + 1).fill(0),
      sum: 0,
    }
    family.series.set(key, series)
  }
  return series
}

/** One string per label set, independent of the order the names were given in. */
function labelKey(labels: MetricLabels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((name) => [name, labels[name]]),
  )
}

/**
 * The sum of several snapshots (the workers of one server): counters and bucket counts added series
 * by series. Families that disagree on their type or buckets keep the first one's.
 *
 * @example
 *
 * ```ts
 * const total = mergeSnapshots([workerA.snapshot(), workerB.snapshot()])
 * ```
 *
 * @internal
 */
export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const families = new Map<string, MetricFamily & { index: Map<string, MetricSeries> }>()
  for (const snapshot of snapshots) {
    for (const family of snapshot.families) {
      let merged = families.get(family.name)
      if (merged === undefined) {
        merged = {
          name: family.name,
          help: family.help,
          type: family.type,
          ...(family.buckets === undefined ? {} : { buckets: [...family.buckets] }),
          series: [],
          index: new Map(),
        }
        families.set(family.name, merged)
      }
      if (merged.type !== family.type || String(merged.buckets) !== String(family.buckets)) continue
      for (const series of family.series) {
        const key = labelKey(series.labels)
        const existing = merged.index.get(key)
        if (existing === undefined) {
          const copy: MetricSeries = {
            labels: { ...series.labels },
            ...(series.value === undefined ? {} : { value: series.value }),
            ...(series.counts === undefined ? {} : { counts: [...series.counts] }),
            ...(series.sum === undefined ? {} : { sum: series.sum }),
          }
          merged.index.set(key, copy)
          merged.series.push(copy)
        } else {
          if (existing.value !== undefined) existing.value += series.value ?? 0
          if (existing.counts !== undefined)
            existing.counts = existing.counts.map((c, i) => c + (series.counts?.[i] ?? 0))
          if (existing.sum !== undefined) existing.sum += series.sum ?? 0
        }
      }
    }
  }
  return {
    families: [...families.values()].map(({ index: _index, ...family }) => family),
  }
}

/**
 * The media type of the Prometheus text exposition format 0.0.4.
 *
 * @example
 *
 * ```ts
 * new Response(renderPrometheus(snapshot), {
 *   headers: { 'content-type': PROMETHEUS_CONTENT_TYPE },
 * })
 * ```
 *
 * @internal
 */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/**
 * A snapshot in the Prometheus text exposition format 0.0.4: `# HELP` and `# TYPE` per family, a
 * line per counter series, and per histogram series the cumulative `_bucket` lines (ending with
 * `le="+Inf"`), `_sum` and `_count`.
 *
 * @example
 *
 * ```ts
 * const text = renderPrometheus(registry.snapshot())
 * // # HELP credsign_http_requests_total Requests answered.
 * // # TYPE credsign_http_requests_total counter
 * // credsign_http_requests_total{route="/health",status="200"} 1
 * ```
 *
 * @internal
 */
export function renderPrometheus(snapshot: MetricsSnapshot): string {
  const lines: string[] = []
  for (const family of snapshot.families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`)
    lines.push(`# TYPE ${family.name} ${family.type}`)
    for (const series of family.series) {
      if (family.type === 'counter') {
        lines.push(`${family.name}${labelText(series.labels)} ${numberText(series.value ?? 0)}`)
        continue
      }
      const bounds = family.buckets ?? []
      const counts = series.counts ?? []
      let cumulative = 0
      bounds.forEach((bound, i) => {
        cumulative += counts[i] ?? 0
        lines.push(
          `${family.name}_bucket${labelText(series.labels, numberText(bound))} ${cumulative}`,
        )
      })
      cumulative += counts[bounds.length] ?? 0
      lines.push(`${family.name}_bucket${labelText(series.labels, '+Inf')} ${cumulative}`)
      lines.push(`${family.name}_sum${labelText(series.labels)} ${numberText(series.sum ?? 0)}`)
      lines.push(`${family.name}_count${labelText(series.labels)} ${cumulative}`)
    }
  }
  return lines.join('\n') + '\n'
}

function labelText(labels: MetricLabels, le?: string): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}="${escapeLabelValue(labels[name]!)}"`)
  if (le !== undefined) parts.push(`le="${le}"`)
  return parts.length === 0 ? '' : `{${parts.join(',')}}`
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}

/** Label values escape backslash, double quote and line feed (format 0.0.4). */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** Help text escapes backslash and line feed. */
function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}
