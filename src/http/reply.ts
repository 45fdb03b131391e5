/*
 * What routes answer with before it becomes a web `Response`: a status, headers and a text body.
 * `createHandler` turns it into a `Response` at its edge; `toNodeListener` writes it to node:http
 * directly, so a signing request costs no Response object and no body stream on Node.
 */

/**
 * A response as the handler builds it: status, headers (lowercase names) and a text body (or none).
 *
 * @internal
 */
export class Reply {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: string | null,
  ) {}
}

/** The web `Response` of a reply. @internal */
export function replyResponse(reply: Reply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers })
}
