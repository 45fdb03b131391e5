import type { Reply } from './reply.js'

/*
 * The request toNodeListener hands a credsign handler: the few members of a web `Request` the
 * handler and its routes read (method, url, headers.get, the body), straight from node:http's
 * IncomingMessage, with no Headers object, no Request and no web stream on the way. The body is
 * read on demand, only through `readJsonBody` (no route reads a Request's body any other way),
 * under the same size limit and deadline as the streamed body of a real Request, with the same
 * answers (413, 408, a cut-off body).
 */

/** The handler's entry for toNodeListener (a symbol-keyed property of createHandler's function). */
export const HANDLER_INTERNALS = Symbol('credsign.handlerInternals')

/** What createHandler exposes to toNodeListener. @internal */
export interface HandlerInternals {
  /** The handler before the web Response is made. */
  handle(request: Request): Promise<Response | Reply>
  /** Whether a {@link NodeRequest} may stand in for the Request (not for an authorize hook). */
  acceptsNodeRequests: boolean
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

  constructor(
    readonly method: string,
    readonly url: string,
    headers: Record<string, string | string[] | undefined>,
    body: NodeBody | undefined,
  ) {
    this.headers = new NodeHeaders(headers)
    this.#body = body
  }

  /** The body reader (undefined for GET and HEAD). */
  get nodeBody(): NodeBody | undefined {
    return this.#body
  }
}

/** The node body reader behind `request`, when it is a {@link NodeRequest}. @internal */
export function nodeBodyOf(request: unknown): NodeBody | undefined | null {
  return request instanceof NodeRequest ? (request.nodeBody ?? null) : undefined
}
