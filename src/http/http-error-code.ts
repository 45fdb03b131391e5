/**
 * The stable codes only credsign/http answers with: refusals of a request as HTTP (its route,
 * method, authentication, body), which no library function raises. The library's own codes are
 * `ErrorCode` (`credsign`); a problem's `code` is one of either. Both are tabled in
 * `docs/errors.md`, each in the section of its owner, with the HTTP status (a test keeps them
 * equal).
 *
 * @example
 *
 * ```ts
 * import type { HttpErrorCode } from 'credsign/http'
 * const code: HttpErrorCode = 'payload_too_large'
 * ```
 */
export type HttpErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'request_timeout'
  | 'headers_too_large'
  | 'not_a_credential'
  | 'not_a_presentation'
