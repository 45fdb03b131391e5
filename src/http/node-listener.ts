import type { CredsignHandler } from './handler.js'
import { CredsignError } from '../errors/credsign-error.js'
import {
  handlerInternals,
  NodeRequest,
  type BodyRead,
  type HandlerInternals,
  type NodeBody,
} from './node-request.js'
import { HttpError } from './problem.js'
import { Reply, replyResponse } from './reply.js'

/*
 * node:http (and Express, Fastify's raw mode, …) to the web-standard handler. Structural types
 * only: this module imports nothing from Node, so credsign/http stays loadable on every runtime.
 */

/** The parts of node:http's `IncomingMessage` the listener reads. */
export interface NodeRequestLike {
  method?: string | undefined
  url?: string | undefined
  headers: Record<string, string | string[] | undefined>
  /**
   * The header lines as received, names and values alternating (node:http's `rawHeaders`): the
   * listener counts the `Authorization` lines in it, which `headers` keeps only the first of.
   */
  rawHeaders?: readonly string[]
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
  /** `callback` runs once the response is handed to the connection (node:http calls it on `finish`). */
  end(chunk?: Uint8Array | string, callback?: () => void): unknown
  headersSent?: boolean
}

/**
 * Default of {@link NodeListenerOptions.bodyTimeoutMs}: 30 s (1 MiB, the default body limit, at 35
 * kB/s). @internal
 */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /** Scheme of the request URLs the handler sees (default: `https` on TLS sockets, else `http`). */
  protocol?: 'http' | 'https'
  /**
   * Body read deadline in milliseconds (default 30,000: 30 s): a request body not received
   * completely this long after the request reached the listener is answered 408 `request_timeout`
   * and its connection is closed, so a client sending 1 byte/s cannot hold a request open. A body
   * the handler did not need (a 401, a 413) is drained for the same time at most. `0` turns the
   * deadline off (only behind a proxy that enforces one). Slow _headers_ never reach a listener:
   * bound them with the server's `headersTimeout` (`credsign serve` does).
   */
  bodyTimeoutMs?: number
}

/**
 * Adapts a web-standard handler (`createHandler`) to a node:http request listener, which also works
 * as Express middleware (`app.use(toNodeListener(handler))`: mount it before any body parser, since
 * it reads the raw body itself). The body streams into the handler, so the handler's size limit
 * stops reading an oversized body early, and a body that has not arrived within `bodyTimeoutMs`
 * (default 30 s) is answered 408 `request_timeout` and its connection closed. Throws
 * `invalid_argument` for invalid options.
 *
 * @example
 *
 * ```ts
 * import { createServer } from 'node:http'
 * import { createHandler, toNodeListener, type HandlerOptions } from 'credsign/http'
 * declare const options: HandlerOptions
 * const server = createServer(
 *   { headersTimeout: 10_000, requestTimeout: 45_000 },
 *   toNodeListener(createHandler(options), { bodyTimeoutMs: 30_000 }),
 * )
 * server.listen(3000, '127.0.0.1')
 * ```
 */
export function toNodeListener(
  handler: CredsignHandler,
  options: NodeListenerOptions = {},
): (req: NodeRequestLike, res: NodeResponseLike) => void {
  if (options === null || typeof options !== 'object')
    throw new CredsignError('invalid_argument', 'toNodeListener options must be an object')
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS
  // setTimeout's largest delay is 2^31 - 1 ms; a larger one would fire at once.
  if (!Number.isSafeInteger(bodyTimeoutMs) || bodyTimeoutMs < 0 || bodyTimeoutMs > 2_147_483_647) {
    throw new CredsignError(
      'invalid_argument',
      'bodyTimeoutMs must be a whole number of milliseconds (0 turns the deadline off)',
    )
  }
  const internals = handlerInternals(handler)
  if (internals?.acceptsNodeRequests === true) {
    return (req, res) => {
      void serveDirect(internals, options, bodyTimeoutMs, req, res)
    }
  }
  return (req, res) => {
    void serve(handler, options, bodyTimeoutMs, req, res)
  }
}

/**
 * A credsign handler, served without web objects: the request as a {@link NodeRequest} (node's
 * headers, the body read on demand into one buffer), the handler's {@link Reply} written as it is.
 * What the client sees is what {@link serve} answers (the HTTP tests run through this path).
 */
async function serveDirect(
  internals: HandlerInternals,
  options: NodeListenerOptions,
  bodyTimeoutMs: number,
  req: NodeRequestLike,
  res: NodeResponseLike,
): Promise<void> {
  let result: Response | Reply
  let body: DirectBody | undefined
  try {
    body = hasBody(req) ? directBody(req, bodyTimeoutMs) : undefined
    const { method, url } = requestTarget(req, options)
    const request = new NodeRequest(method, url, headersOf(req), body)
    result = await internals.handle(request as unknown as Request)
  } catch {
    result = lastResortReply()
  }
  // A body the handler did not read to the end (a 401, 404 or 415, a 413) is drained: left paused,
  // it would stall the connection and the client's next request on it.
  body?.drain()
  try {
    if (!(result instanceof Reply)) {
      await writeResponse(result, res, body)
      return
    }
    res.statusCode = result.status
    for (const name in result.headers) res.setHeader(name, result.headers[name]!)
    if (body?.timedOut() === true) res.setHeader('connection', 'close')
    const bytes = result.body === null ? undefined : UTF8.encode(result.body)
    if (bytes !== undefined) res.setHeader('content-length', String(bytes.byteLength))
    res.end(bytes, () => body?.responded())
  } catch {
    body?.dispose()
    req.destroy()
  }
}

const UTF8 = new TextEncoder()

/** The handler turns every error into a problem response; this is a last resort. */
function lastResortReply(): Reply {
  return new Reply(
    500,
    { 'content-type': 'application/problem+json' },
    JSON.stringify({
      type: 'urn:credsign:error:internal_error',
      title: 'internal_error',
      status: 500,
      detail: 'internal error',
      code: 'internal_error',
    }),
  )
}

/** Writes a web Response to node:http (its body read whole first, for Content-Length). */
async function writeResponse(
  response: Response,
  res: NodeResponseLike,
  body: { timedOut(): boolean; responded(): void } | undefined,
): Promise<void> {
  res.statusCode = response.status
  response.headers.forEach((value, name) => {
    res.setHeader(name, value)
  })
  // A client past the deadline is not kept: its unread rest would hold the connection.
  if (body?.timedOut() === true) res.setHeader('connection', 'close')
  const bytes = response.body === null ? undefined : new Uint8Array(await response.arrayBuffer())
  if (bytes !== undefined) res.setHeader('content-length', String(bytes.byteLength))
  res.end(bytes, () => body?.responded())
}

async function serve(
  handler: CredsignHandler,
  options: NodeListenerOptions,
  bodyTimeoutMs: number,
  req: NodeRequestLike,
  res: NodeResponseLike,
): Promise<void> {
  let response: Response
  let request: Request | undefined
  let body: RequestBody | undefined
  try {
    body = hasBody(req) ? requestBody(req, bodyTimeoutMs) : undefined
    request = toRequest(req, options, body?.stream)
    response = await handler(request)
  } catch {
    response = replyResponse(lastResortReply())
  }
  // A body the handler did not read to the end (a 401, 404 or 415, a 413 on the declared length) is
  // drained: left paused, it would stall the connection and the client's next request on it.
  if (request?.body != null && !request.body.locked) request.body.cancel().catch(() => undefined)
  try {
    await writeResponse(response, res, body)
  } catch {
    body?.dispose()
    req.destroy()
  }
}

/** Whether the request may have a body: node:http gives GET and HEAD bodies to no one here. */
function hasBody(req: NodeRequestLike): boolean {
  const method = (req.method ?? 'GET').toUpperCase()
  return method !== 'GET' && method !== 'HEAD'
}

/** The method and absolute URL the handler sees for a node request. */
function requestTarget(
  req: NodeRequestLike,
  options: NodeListenerOptions,
): { method: string; url: string } {
  const requested = (req.method ?? 'GET').toUpperCase()
  // The Fetch API refuses CONNECT, TRACE and TRACK (node:http passes TRACE on). No route serves
  // them: a stand-in name gets the answer of any other unknown method (405 with Allow, or 404).
  const method = FETCH_FORBIDDEN_METHODS.has(requested) ? `X-${requested}` : requested
  const protocol =
    options.protocol ??
    ((req.socket as { encrypted?: boolean } | null | undefined)?.encrypted === true
      ? 'https'
      : 'http')
  const hostHeader = req.headers.host
  const host =
    typeof hostHeader === 'string' &&
    /^[A-Za-z0-9.\-:[\]]{1,300}$/.test(hostHeader) &&
    isUrlHost(protocol, hostHeader)
      ? hostHeader
      : 'localhost'
  const path = typeof req.url === 'string' && req.url.startsWith('/') ? req.url : '/'
  return { method, url: `${protocol}://${host}${path}` }
}

function toRequest(
  req: NodeRequestLike,
  options: NodeListenerOptions,
  body: ReadableStream<Uint8Array> | undefined,
): Request {
  const { method, url } = requestTarget(req, options)
  const headers = new Headers()
  for (const [name, value] of Object.entries(headersOf(req))) {
    if (value === undefined || name.startsWith(':')) continue
    try {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v)
      else headers.set(name, value)
    } catch {
      // A header value the Fetch API refuses is dropped, never fatal.
    }
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers }
  if (body !== undefined) {
    init.body = body
    init.duplex = 'half'
  }
  return new Request(url, init)
}

const FETCH_FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])

/**
 * The request's headers with every `Authorization` line it has. node:http keeps the first of
 * several (it drops repeats of the fields it knows to be single), so two lines, the first a valid
 * token, authenticated here while a web Request joins them into one value no bearer check accepts,
 * and a proxy reading the last one would have seen another caller.
 */
function headersOf(req: NodeRequestLike): Record<string, string | string[] | undefined> {
  const raw = req.rawHeaders
  if (raw === undefined || req.headers.authorization === undefined) return req.headers
  const lines: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i]!.toLowerCase() === 'authorization') lines.push(raw[i + 1]!)
  return lines.length > 1 ? { ...req.headers, authorization: lines } : req.headers
}

/**
 * Whether a Host header the character check admitted also parses as a URL host (`[`, `a:b:c` or
 * port 99999 do not).
 */
function isUrlHost(protocol: string, host: string): boolean {
  try {
    return new URL(`${protocol}://${host}/`).host !== ''
  } catch {
    return false
  }
}

/** A request body as the handler reads it, under the read deadline. */
interface RequestBody {
  stream: ReadableStream<Uint8Array>
  /** Whether the deadline passed before the body was complete. */
  timedOut(): boolean
  /**
   * The response is out: a client still sending past the deadline is cut off now (else when it
   * passes).
   */
  responded(): void
  /** Stops the deadline (the connection is being destroyed anyway). */
  dispose(): void
}

/**
 * The read deadline of one request body: when the whole body has not arrived `timeoutMs` after the
 * request reached the listener, `expire` gets the `request_timeout` error (the reader fails with
 * it, the handler answers 408) and, once that answer is out, the connection is destroyed. The
 * deadline covers the whole body, not the gap between bytes: a client trickling 1 byte per second
 * is cut off all the same. `0` turns it off.
 */
function bodyDeadline(
  req: NodeRequestLike,
  timeoutMs: number,
  expire: (error: HttpError) => void,
): {
  /** The client sent the whole body, or the request is gone: the deadline stops. */
  end(): void
  /** Whether {@link end} ran. */
  ended(): boolean
  /** Whether the deadline passed before the body was complete. */
  timedOut(): boolean
  /**
   * The response is out: a client still sending past the deadline is cut off now (else when it
   * passes).
   */
  responded(): void
  /** Stops the deadline (the connection is being destroyed anyway). */
  dispose(): void
} {
  let ended = false
  let expired = false
  let answered = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const stop = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
  }
  if (timeoutMs > 0) {
    timer = setTimeout(() => {
      timer = undefined
      if (ended) return
      expired = true
      expire(
        new HttpError('request_timeout', `the request body did not arrive within ${timeoutMs} ms`),
      )
      // Already answered (a refusal the handler gave without reading, now being drained): cut it off.
      if (answered) req.destroy()
    }, timeoutMs)
    // A pending deadline must not keep a closing server's process alive.
    ;(timer as { unref?: () => void }).unref?.()
  }
  return {
    end() {
      ended = true
      stop()
    },
    ended: () => ended,
    timedOut: () => expired,
    responded() {
      answered = true
      if (expired && !ended) req.destroy()
    },
    dispose: stop,
  }
}

/**
 * The request body as a pull stream (Node delivers a chunk only when the handler asks for one),
 * under the {@link bodyDeadline}.
 */
function requestBody(req: NodeRequestLike, timeoutMs: number): RequestBody {
  let done = false // the stream is closed, failed or cancelled: nothing more goes into it
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const deadline = bodyDeadline(req, timeoutMs, (error) => {
    if (done) return
    done = true
    controller.error(error)
  })
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
        req.on('data', (chunk) => {
          if (done) return
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          if ((controller.desiredSize ?? 0) <= 0) req.pause()
        })
        req.on('end', () => {
          deadline.end()
          if (done) return
          done = true
          controller.close()
        })
        req.on('error', () => {
          deadline.end()
          if (done) return
          done = true
          // The client hung up before the body was complete: its fault, not an internal error.
          controller.error(new HttpError('malformed', 'the request body was cut off'))
        })
        req.on('close', () => deadline.end())
        req.pause()
      },
      pull() {
        req.resume()
      },
      cancel() {
        done = true
        // The handler has seen enough (e.g. a body over the limit): drain the rest, under the deadline.
        req.resume()
      },
    },
    { highWaterMark: 4 },
  )
  const { timedOut, responded, dispose } = deadline
  return { stream, timedOut, responded, dispose }
}

/** A request body read on demand from node:http, under the read deadline (see {@link requestBody}). */
interface DirectBody extends NodeBody {
  /** Whether the deadline passed before the body was complete. */
  timedOut(): boolean
  /** The response is out: a client still sending past the deadline is cut off now. */
  responded(): void
  /** Stop keeping the body: the rest is read and dropped (under the deadline). */
  drain(): void
  /** Stops the deadline (the connection is being destroyed anyway). */
  dispose(): void
}

/**
 * The body of `req`, collected into one buffer when the handler asks for it, with the semantics of
 * {@link requestBody}: paused until read; past `maxBytes` it answers `tooLarge` and drops the rest;
 * it fails with `request_timeout` past the {@link bodyDeadline}; a client that hangs up gives
 * `malformed`.
 */
function directBody(req: NodeRequestLike, timeoutMs: number): DirectBody {
  let done = false // nothing more is kept: complete, failed, too large or drained
  let chunks: Uint8Array[] = []
  let length = 0
  let limit = Number.POSITIVE_INFINITY
  let outcome: Promise<BodyRead> | undefined
  let settle: ((read: BodyRead) => void) | undefined
  let fail: ((error: HttpError) => void) | undefined
  let failure: HttpError | undefined
  let final: BodyRead | undefined
  const finishWith = (error: HttpError | undefined, read?: BodyRead): void => {
    done = true
    chunks = []
    if (error !== undefined) {
      failure = error
      fail?.(error)
    } else if (read !== undefined) {
      final = read
      settle?.(read)
    }
  }
  const deadline = bodyDeadline(req, timeoutMs, (error) => {
    if (!done) finishWith(error)
  })
  req.on('data', (chunk) => {
    if (done) return
    length += chunk.byteLength
    if (length > limit) {
      finishWith(undefined, { tooLarge: true })
      return
    }
    chunks.push(chunk)
  })
  req.on('end', () => {
    deadline.end()
    if (done) return
    const bytes = chunks.length === 1 ? chunks[0]! : joinChunks(chunks, length)
    finishWith(undefined, { bytes })
  })
  req.on('error', () => {
    deadline.end()
    // The client hung up before the body was complete: its fault, not an internal error.
    if (!done) finishWith(new HttpError('malformed', 'the request body was cut off'))
  })
  req.on('close', () => {
    deadline.end()
    if (!done && settle !== undefined)
      finishWith(new HttpError('malformed', 'the request body was cut off'))
  })
  req.pause()
  return {
    read(maxBytes) {
      if (outcome !== undefined) return outcome
      if (failure !== undefined) return (outcome = Promise.reject(failure))
      // The whole body came before anyone asked (an empty one can).
      if (final !== undefined)
        return (outcome = Promise.resolve(
          'bytes' in final && final.bytes.byteLength > maxBytes ? { tooLarge: true } : final,
        ))
      limit = maxBytes
      outcome = new Promise<BodyRead>((resolve, reject) => {
        settle = resolve
        fail = reject
      })
      if (length > limit) finishWith(undefined, { tooLarge: true })
      else if (!done) req.resume()
      return outcome
    },
    timedOut: deadline.timedOut,
    responded: deadline.responded,
    drain() {
      if (deadline.ended()) return
      done = true
      chunks = []
      req.resume()
    },
    dispose: deadline.dispose,
  }
}

function joinChunks(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
