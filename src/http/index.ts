/**
 * Credsign/http: the signing service as a web-standard `(Request) => Promise<Response>` handler,
 * with an adapter for node:http and Express. Framework-free; runs on Node, Deno, Bun and
 * Cloudflare-style runtimes. See docs/http.md.
 *
 * @packageDocumentation
 */
export { createHandler } from './handler.js'
export type { CredsignHandler } from './handler.js'
export { toNodeListener } from './node-listener.js'
export type { NodeListenerOptions, NodeRequestLike, NodeResponseLike } from './node-listener.js'
export type {
  AuthDecision,
  CorsOptions,
  DidWebPublication,
  HandlerOptions,
  HttpAuth,
  HttpLogEntry,
  IssuerProfile,
  MetricsOptions,
} from './options.js'
export type { Problem, ProblemCode, ProblemDetail } from './problem.js'
export type { HttpErrorCode } from './http-error-code.js'
export { HTTP_STATUS } from './status.js'
