import type { CorsOptions } from './options.js'

const ALLOWED_HEADERS = 'authorization, content-type'
const EXPOSED_HEADERS = 'retry-after, www-authenticate'

/**
 * The CORS headers for a request from `origin`, or none when CORS is off or the origin is not
 * allowed. @internal
 */
export function corsHeaders(
  cors: CorsOptions | undefined,
  origin: string | null,
): Record<string, string> {
  if (cors === undefined || origin === null) return {}
  const any = cors.origins === '*'
  if (!any && !cors.origins.includes(origin)) return {}
  const headers: Record<string, string> = {
    'access-control-allow-origin': any && cors.credentials !== true ? '*' : origin,
    'access-control-expose-headers': EXPOSED_HEADERS,
  }
  if (!any || cors.credentials === true) headers.vary = 'Origin'
  if (cors.credentials === true) headers['access-control-allow-credentials'] = 'true'
  return headers
}

/** The extra headers of a preflight (`OPTIONS`) answer. @internal */
export function preflightHeaders(cors: CorsOptions, allow: string): Record<string, string> {
  return {
    'access-control-allow-methods': allow,
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': String(cors.maxAgeSeconds ?? 600),
  }
}

/** Validates the `cors` option once. @internal */
export function checkCorsOption(cors: CorsOptions | undefined): string | undefined {
  if (cors === undefined) return undefined
  if (cors === null || typeof cors !== 'object') return 'cors must be an object'
  if (
    cors.origins !== '*' &&
    (!Array.isArray(cors.origins) || cors.origins.some((o) => typeof o !== 'string'))
  )
    return "cors.origins must be '*' or an array of origins"
  if (cors.origins === '*' && cors.credentials === true)
    return "cors.credentials cannot be combined with origins '*'"
  return undefined
}
