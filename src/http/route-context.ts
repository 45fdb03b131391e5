import type { HandlerOptions } from './options.js'
import type { Caller } from './auth.js'
import type { BodyLimits } from './body.js'

/** What every route receives. @internal */
export interface RouteContext {
  request: Request
  params: Record<string, string>
  caller: Caller
  options: HandlerOptions
  limits: BodyLimits
  now: () => number
}

/** A route: method, path template (`:name` segments), whether it needs authentication, the work. @internal */
export interface Route {
  method: 'GET' | 'POST'
  path: string
  public?: boolean
  run(context: RouteContext): Promise<Response>
}

/** A JSON response. @internal */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
}

/** A text response (a compact JWS / SD-JWT), as the origin answered signing requests. @internal */
export function text(body: string, contentType: string, status = 201): Response {
  return new Response(body, { status, headers: { 'content-type': contentType } })
}

/** Decodes a path segment, or undefined when it is not valid percent-encoding. @internal */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}
