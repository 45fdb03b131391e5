import { CredsignError, type ErrorCode } from '../errors/credsign-error.js'
import type { HttpErrorCode } from './http-error-code.js'
import { Reply } from './reply.js'
import { HTTP_STATUS } from './status.js'

/**
 * The code of a problem: a library {@link ErrorCode}, one of credsign/http's own
 * {@link HttpErrorCode}s, or `internal_error` for a fault credsign did not classify.
 */
export type ProblemCode = ErrorCode | HttpErrorCode | 'internal_error'

/** One entry of a problem's `errors`: a schema violation or a verification failure. */
export interface ProblemDetail {
  code: ProblemCode
  message: string
  /** JSON path of the offending member (`secrets[2]`, `credentialSubject.id`), when known. */
  path?: string
}

/**
 * An RFC 9457 problem document, as every credsign/http error response carries it (`Content-Type:
 * application/problem+json`).
 *
 * @example
 *
 * ```ts
 * import type { Problem } from 'credsign/http'
 * const body: Problem = {
 *   type: 'urn:credsign:error:locked',
 *   title: 'locked',
 *   status: 429,
 *   detail: 'too many failed attempts',
 *   code: 'locked',
 * }
 * ```
 */
export interface Problem {
  /** `urn:credsign:error:<code>`. */
  type: string
  /** The code again, as a short human-readable summary. */
  title: string
  status: number
  /** What went wrong. Never a secret, never a stack trace. */
  detail: string
  /** The stable code to branch on (the table in `docs/errors.md`). */
  code: ProblemCode
  /** Every problem found, for schema and verification failures. */
  errors?: ProblemDetail[]
  /** For `locked`: when the next attempt is admitted, ISO 8601. */
  retryAt?: string
  /** Extension members (e.g. `verified: false` and `checks` on a failed verification). */
  [extension: string]: unknown
}

/**
 * An error the HTTP layer raises: a refusal of the request as HTTP, with a library code
 * (`malformed` for a body that is not JSON) or one of its own ({@link HttpErrorCode}), and the
 * headers and problem details of its response. Deliberately not a {@link CredsignError}, whose code
 * is always a library {@link ErrorCode}; it never leaves the handler ({@link errorResponse} answers
 * it).
 *
 * @internal
 */
export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode | HttpErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly details?: ProblemDetail[],
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/** A `application/problem+json` response. @internal */
export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Reply {
  const all: Record<string, string> = {
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
  }
  for (const [name, value] of Object.entries(headers)) all[name.toLowerCase()] = value
  return new Reply(problem.status, all, JSON.stringify(problem))
}

/**
 * The detail a client gets for a server fault (a code answered with 5xx). The library's message
 * describes the server: a file store names the key file's absolute path, a database store its
 * schema, a resolver the network error of a fetch. None of that is the client's business, and a
 * path tells an attacker where the keys live; the message goes to `onLog` instead (`detail`).
 */
const SERVER_FAULT_DETAIL: Partial<Record<ProblemCode, string>> = {
  store_corrupt: 'a stored key record cannot be read: the operator has to restore it',
  store_unavailable: 'the key store is unavailable',
  envelope_malformed: 'a stored key cannot be opened',
  envelope_unsupported_version: 'a stored key cannot be opened',
  envelope_tampered: 'a stored key cannot be opened',
  envelope_context_mismatch: 'a stored key cannot be opened',
  service_secret_mismatch: 'a stored key cannot be opened with this service secret',
  invalid_service_secret: 'the service secret is not configured correctly',
  signer_locked: 'the key was locked while in use',
  crypto_unavailable: 'the server has no usable cryptography',
  key_resolution_failed: 'a key could not be resolved',
}

/**
 * What the client is told for an error: the library's message, except for server faults (any code
 * answered with 5xx), which get a fixed text: no server path, host or store detail leaves the
 * server.
 *
 * @internal
 */
export function clientMessage(code: ProblemCode, message: string): string {
  if (code === 'internal_error') return 'internal error'
  const status = HTTP_STATUS[code] ?? 500
  if (status < 500) return message
  return SERVER_FAULT_DETAIL[code] ?? 'server error'
}

/**
 * Turns anything thrown by a route into a problem response. A {@link CredsignError} or
 * {@link HttpError} keeps its code and message (credsign messages never carry secrets), except that
 * a server fault's message is replaced by a fixed text ({@link clientMessage}) and returned as
 * `serverDetail` for the log; anything else becomes a 500 `internal_error` with a fixed message, so
 * no stack trace or foreign message reaches the client.
 *
 * @internal
 */
export function errorResponse(
  error: unknown,
  now: number,
): { response: Reply; code: ProblemCode; serverDetail?: string } {
  if (!(error instanceof HttpError) && !CredsignError.is(error)) {
    return {
      code: 'internal_error',
      response: problemResponse({
        type: 'urn:credsign:error:internal_error',
        title: 'internal_error',
        status: 500,
        detail: 'internal error',
        code: 'internal_error',
      }),
    }
  }
  const code = error.code
  const status = HTTP_STATUS[code] ?? 500
  const detail = clientMessage(code, error.message)
  const problem: Problem = { type: `urn:credsign:error:${code}`, title: code, status, detail, code }
  const headers: Record<string, string> = error instanceof HttpError ? { ...error.headers } : {}
  if (error instanceof HttpError && error.details !== undefined) problem.errors = error.details
  if (code === 'locked' && !(error instanceof HttpError) && typeof error.retryAt === 'number') {
    problem.retryAt = new Date(error.retryAt).toISOString()
    headers['retry-after'] = String(Math.max(1, Math.ceil((error.retryAt - now) / 1000)))
  }
  if (code === 'unauthorized') headers['www-authenticate'] ??= 'Bearer'
  return {
    code,
    response: problemResponse(problem, headers),
    ...(detail === error.message ? {} : { serverDetail: error.message }),
  }
}
