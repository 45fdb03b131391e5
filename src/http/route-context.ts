import type * as z from 'zod'
import type { HandlerOptions } from './options.js'
import type { Caller } from './auth.js'
import type { BodyLimits } from './body.js'
import { Reply } from './reply.js'

/** What every route receives. @internal */
export interface RouteContext {
  request: Request
  params: Record<string, string>
  caller: Caller
  options: HandlerOptions
  limits: BodyLimits
  now: () => number
}

/**
 * A route: method, path template (`:name` segments), whether it needs authentication, what it
 * answers, its request schema, and the work. Everything `/openapi.json` says about a route comes
 * from here (openapi.ts walks the route table), so a new route is one object in one file, listed in
 * the table of handler.ts.
 *
 * @internal
 */
export interface Route {
  method: 'GET' | 'POST'
  path: string
  /** No authentication (health, JWKS). */
  public?: boolean
  /**
   * The route checks its own credentials (`/metrics` with a metrics token): the handler's
   * authentication is skipped, and OpenAPI still lists it as needing a bearer token.
   */
  ownAuth?: boolean
  /** One line for the OpenAPI operation. */
  summary: string
  /** The status of a successful answer. */
  successStatus: 200 | 201 | 204
  /**
   * The JSON body's schema: `run` validates the body with it (`parseRequest`), and OpenAPI
   * publishes it as the request body, so the two cannot drift.
   */
  requestSchema?: z.ZodType
  /**
   * JSON Schemas of the path parameters that take more than any string (default `{ type: 'string'
   * }`).
   */
  pathParameters?: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  /** A `Reply` (what `json` and `text` make), or any web `Response`. */
  run(context: RouteContext): Promise<Response | Reply>
}

/** A JSON response. @internal */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Reply {
  return new Reply(
    status,
    { 'content-type': 'application/json', ...lowercased(headers) },
    JSON.stringify(body),
  )
}

function lowercased(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value
  return result
}

/** A text response (a compact JWS / SD-JWT), as the origin answered signing requests. @internal */
export function text(body: string, contentType: string, status = 201): Reply {
  return new Reply(status, { 'content-type': contentType }, body)
}

/** Decodes a path segment, or undefined when it is not valid percent-encoding. @internal */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}
