import { sha256 } from '@noble/hashes/sha2.js'
import { utf8 } from '../util/bytes.js'
import { authenticate } from './auth.js'
import { PROMETHEUS_CONTENT_TYPE } from './metrics.js'
import type { MetricsOptions } from './options.js'
import type { Route } from './route-context.js'

/**
 * `GET /metrics`: the Prometheus exposition. With its own `bearerTokens` the route skips the
 * handler's authentication and checks those (in constant time, as the API tokens are); without, it
 * is authenticated like every other non-public route.
 */
export function metricsRoute(metrics: MetricsOptions): Route {
  const own = metrics.bearerTokens
  const ownDigests = own === undefined ? [] : own.map((t) => sha256(utf8(t)))
  return {
    method: 'GET',
    path: '/metrics',
    ...(own === undefined ? {} : { ownAuth: true }),
    summary:
      own === undefined
        ? 'Prometheus metrics (text exposition 0.0.4).'
        : 'Prometheus metrics (text exposition 0.0.4), with the metrics token.',
    successStatus: 200,
    async run(context) {
      if (own !== undefined) await authenticate({ bearerTokens: own }, ownDigests, context.request)
      return new Response(await metrics.exposition(), {
        status: 200,
        headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' },
      })
    },
  }
}
