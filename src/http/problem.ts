import { CredsignError, type ErrorCode } from '../errors/credsign-error.js'
import { HTTP_STATUS } from './status.js'

/** The code of a problem: a library {@link ErrorCode}, or `internal_error` for a fault credsign did not classify. */
export type ProblemCode = ErrorCode | 'internal_error'

/** One entry of a problem's `errors`: a schema violation or a verification failure. */
export interface ProblemDetail {
  code: ProblemCode
  message: string
  /** JSON path of the offending member (`secrets[2]`, `credentialSubject.id`), when known. */
  path?: string
}

/**
 * An RFC 9457 problem document, as every credsign/http error response carries it
 * (`Content-Type: application/problem+json`).
 *
 * @example
 * ```ts
 * import type { Problem } from 'credsign/http'
 * const body: Problem = { type: 'urn:credsign:error:locked', title: 'locked', status: 429, detail: 'too many failed attempts', code: 'locked' }
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

/** An error the HTTP layer raises with its own status or headers. @internal */
export class HttpError extends CredsignError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly details?: ProblemDetail[],
  ) {
    super(code, message)
  }
}

/** A `application/problem+json` response. @internal */
export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers },
  })
}

/**
 * Turns anything thrown by a route into a problem response. A {@link CredsignError} keeps its code
 * and message (credsign messages never carry secrets); anything else becomes a 500 `internal_error`
 * with a fixed message, so no stack trace or foreign message reaches the client.
 * @internal
 */
export function errorResponse(error: unknown, now: number): { response: Response; code: ProblemCode } {
  if (!CredsignError.is(error)) {
    return {
      code: 'internal_error',
      response: problemResponse({ type: 'urn:credsign:error:internal_error', title: 'internal_error', status: 500, detail: 'internal error', code: 'internal_error' }),
    }
  }
  const code = error.code
  const status = HTTP_STATUS[code] ?? 500
  const problem: Problem = { type: `urn:credsign:error:${code}`, title: code, status, detail: error.message, code }
  const headers: Record<string, string> = error instanceof HttpError ? { ...error.headers } : {}
  if (error instanceof HttpError && error.details !== undefined) problem.errors = error.details
  if (code === 'locked' && typeof error.retryAt === 'number') {
    problem.retryAt = new Date(error.retryAt).toISOString()
    headers['retry-after'] = String(Math.max(1, Math.ceil((error.retryAt - now) / 1000)))
  }
  if (code === 'unauthorized') headers['www-authenticate'] ??= 'Bearer'
  return { code, response: problemResponse(problem, headers) }
}
