import { HttpError } from './problem.js'
import type { Reply } from './reply.js'

/*
 * The request toNodeListener hands a credsign handler: the few members of a web `Request` the
 * handler and its routes read (method, url, headers.get, the body), straight from node:http's
 * IncomingMessage, with no Headers object, no Request and no web stream on the way. The body is
 * read on demand (`readJsonBody`) under the same size limit and deadline as the streamed body of a
 * real Request, with the same answers (413, 408, a cut-off body). Anything else a route might use
 * of a Request (`text()`, `json()`, `arrayBuffer()`, `body`) works too, through the same reader.
 */

/** The handler's entry for toNodeListener (a symbol-keyed property of createHandler's function). */
export const HANDLER_INTERNALS = Symbol('credsign.handlerInternals')

/** What createHandler exposes to toNodeListener. @internal */
export interface HandlerInternals {
  /** The handler before the web Response is made. */
  handle(request: Request): Promise<Response | Reply>
  /** Whether a {@link NodeRequest} may stand in for the Request (not for an authorize hook). */
  acceptsNodeRequests: boolean
  /** `limits.maxBodyBytes`. */
  maxBodyBytes: number
}

/** A credsign handler's internals, when `handler` is one. @internal */
export function handlerInternals(handler: unknown): HandlerInternals | undefined {
  return (handler as { [HANDLER_INTERNALS]?: HandlerInternals } | null)?.[HANDLER_INTERNALS]
}

/** The outcome of reading a body within a limit. @internal */
export type BodyRead = { bytes: Uint8Array } | { tooLarge: true }

/** A request body read from node:http on demand. @internal */
export interface NodeBody {
  /**
   * The whole body, or `tooLarge` once more than `maxBytes` arrived (the rest is then drained, not
   * kept). Fails with `request_timeout` past the deadline and `malformed` when the client hung up.
   */
  read(maxBytes: number): Promise<BodyRead>
}

/** Headers as the handler reads them: `get` (and `has`, `forEach`) over node's lowercased object. */
class NodeHeaders {
  readonly #raw: Record<string, string | string[] | undefined>

  constructor(raw: Record<string, string | string[] | undefined>) {
    this.#raw = raw
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()]
    if (value === undefined) return null
    return Array.isArray(value) ? value.join(', ') : value
  }

  has(name: string): boolean {
    return this.get(name) !== null
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this) callback(value, name)
  }

  /**
   * `[name, value]` pairs in name order, as a web `Headers` iterates (so `new Headers(this)`
   * works).
   */
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.#raw).sort()) {
      if (name.startsWith(':')) continue
      const value = this.get(name)
      if (value !== null) yield [name, value]
    }
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries()
  }
}

/**
 * The Request-like object of one node:http request. Typed as a `Request` where the handler takes
 * one; only the members above exist.
 *
 * @internal
 */
export class NodeRequest {
  readonly headers: NodeHeaders
  readonly #body: NodeBody | undefined
  #stream: ReadableStream<Uint8Array> | null | undefined

  constructor(
    readonly method: string,
    readonly url: string,
    headers: Record<string, string | string[] | undefined>,
    body: NodeBody | undefined,
    readonly maxBodyBytes: number,
  ) {
    this.headers = new NodeHeaders(headers)
    this.#body = body
  }

  /** The body reader (undefined for GET and HEAD). */
  get nodeBody(): NodeBody | undefined {
    return this.#body
  }

  /** The body as a web stream, for a route that wants one (made on first use). */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream !== undefined) return this.#stream
    const reader = this.#body
    if (reader === undefined) return (this.#stream = null)
    const limit = this.maxBodyBytes
    this.#stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const read = await reader.read(limit)
        if ('tooLarge' in read)
          controller.error(
            new HttpError('payload_too_large', `the request body is over ${limit} bytes`),
          )
        else {
          if (read.bytes.byteLength > 0) controller.enqueue(read.bytes)
          controller.close()
        }
      },
    })
    return this.#stream
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#bytes()
    return bytes.slice().buffer
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.#bytes())
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }

  async #bytes(): Promise<Uint8Array> {
    if (this.#body === undefined) return new Uint8Array(0)
    const read = await this.#body.read(this.maxBodyBytes)
    if ('tooLarge' in read)
      throw new HttpError(
        'payload_too_large',
        `the request body is over ${this.maxBodyBytes} bytes`,
      )
    return read.bytes
  }
}

/** The node body reader behind `request`, when it is a {@link NodeRequest}. @internal */
export function nodeBodyOf(request: unknown): NodeBody | undefined | null {
  return request instanceof NodeRequest ? (request.nodeBody ?? null) : undefined
}
