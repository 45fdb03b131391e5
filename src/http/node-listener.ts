import type { CredsignHandler } from './handler.js'
import { HttpError } from './problem.js'

/*
 * node:http (and Express, Fastify's raw mode, …) to the web-standard handler. Structural types
 * only: this module imports nothing from Node, so credsign/http stays loadable on every runtime.
 */

/** The parts of node:http's `IncomingMessage` the listener reads. */
export interface NodeRequestLike {
  method?: string | undefined
  url?: string | undefined
  headers: Record<string, string | string[] | undefined>
  /** The connection; a TLS socket has `encrypted: true`. */
  socket?: object | null
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown
  on(event: 'end' | 'close', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  pause(): unknown
  resume(): unknown
  destroy(error?: Error): unknown
}

/** The parts of node:http's `ServerResponse` the listener writes. */
export interface NodeResponseLike {
  statusCode: number
  setHeader(name: string, value: string | string[]): unknown
  end(chunk?: Uint8Array | string): unknown
  headersSent?: boolean
}

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /** Scheme of the request URLs the handler sees (default: `https` on TLS sockets, else `http`). */
  protocol?: 'http' | 'https'
}

/**
 * Adapts a web-standard handler (`createHandler`) to a node:http request listener, which also
 * works as Express middleware (`app.use(toNodeListener(handler))`: mount it before any body parser,
 * since it reads the raw body itself). The body streams into the handler, so the handler's size
 * limit stops reading an oversized body early.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { createHandler, toNodeListener } from 'credsign/http'
 * createServer(toNodeListener(createHandler(options))).listen(3000, '127.0.0.1')
 * ```
 */
export function toNodeListener(handler: CredsignHandler, options: NodeListenerOptions = {}): (req: NodeRequestLike, res: NodeResponseLike) => void {
  return (req, res) => {
    void serve(handler, options, req, res)
  }
}

async function serve(handler: CredsignHandler, options: NodeListenerOptions, req: NodeRequestLike, res: NodeResponseLike): Promise<void> {
  let response: Response
  let request: Request | undefined
  try {
    request = toRequest(req, options)
    response = await handler(request)
  } catch {
    // The handler turns every error into a problem response; this is a last resort.
    response = new Response(JSON.stringify({ type: 'urn:credsign:error:internal_error', title: 'internal_error', status: 500, detail: 'internal error', code: 'internal_error' }), {
      status: 500,
      headers: { 'content-type': 'application/problem+json' },
    })
  }
  // A body the handler did not read to the end (a 401, 404 or 415, a 413 on the declared length) is
  // drained: left paused, it would stall the connection and the client's next request on it.
  if (request?.body != null && !request.body.locked) request.body.cancel().catch(() => undefined)
  try {
    res.statusCode = response.status
    response.headers.forEach((value, name) => {
      res.setHeader(name, value)
    })
    const body = response.body === null ? undefined : new Uint8Array(await response.arrayBuffer())
    if (body !== undefined) res.setHeader('content-length', String(body.byteLength))
    res.end(body)
  } catch {
    req.destroy()
  }
}

function toRequest(req: NodeRequestLike, options: NodeListenerOptions): Request {
  const requested = (req.method ?? 'GET').toUpperCase()
  // The Fetch API refuses CONNECT, TRACE and TRACK (node:http passes TRACE on). No route serves
  // them: a stand-in name gets the answer of any other unknown method (405 with Allow, or 404).
  const method = FETCH_FORBIDDEN_METHODS.has(requested) ? `X-${requested}` : requested
  const protocol = options.protocol ?? ((req.socket as { encrypted?: boolean } | null | undefined)?.encrypted === true ? 'https' : 'http')
  const hostHeader = req.headers.host
  const host = typeof hostHeader === 'string' && /^[A-Za-z0-9.\-:[\]]{1,300}$/.test(hostHeader) && isUrlHost(protocol, hostHeader) ? hostHeader : 'localhost'
  const path = typeof req.url === 'string' && req.url.startsWith('/') ? req.url : '/'
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue
    try {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v)
      else headers.set(name, value)
    } catch {
      // A header value the Fetch API refuses is dropped, never fatal.
    }
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers }
  if (method !== 'GET' && method !== 'HEAD') {
    init.body = bodyStream(req)
    init.duplex = 'half'
  }
  return new Request(`${protocol}://${host}${path}`, init)
}

const FETCH_FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])

/** Whether a Host header the character check admitted also parses as a URL host (`[`, `a:b:c` or port 99999 do not). */
function isUrlHost(protocol: string, host: string): boolean {
  try {
    return new URL(`${protocol}://${host}/`).host !== ''
  } catch {
    return false
  }
}

/** The request body as a pull stream: Node delivers a chunk only when the handler asks for one. */
function bodyStream(req: NodeRequestLike): ReadableStream<Uint8Array> {
  let done = false
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk) => {
        if (done) return
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        if ((controller.desiredSize ?? 0) <= 0) req.pause()
      })
      req.on('end', () => {
        if (done) return
        done = true
        controller.close()
      })
      req.on('error', () => {
        if (done) return
        done = true
        // The client hung up before the body was complete: its fault, not an internal error.
        controller.error(new HttpError('malformed', 'the request body was cut off'))
      })
      req.pause()
    },
    pull() {
      req.resume()
    },
    cancel() {
      done = true
      // The handler has seen enough (e.g. a body over the limit): stop receiving the rest.
      req.resume()
    },
  }, { highWaterMark: 4 })
}
