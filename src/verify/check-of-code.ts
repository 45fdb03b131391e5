import type { ErrorCode } from '../errors/credsign-error.js'

/**
 * Which check a JWS verification error belongs to (the JOSE and SD-JWT handlers record a jose-layer
 * failure under it). @internal
 */
export const CHECK_OF_CODE: Partial<Record<ErrorCode, string>> = {
  algorithm_not_allowed: 'algorithm',
  crit_unsupported: 'header',
  malformed: 'header',
  key_not_found: 'key',
  key_resolution_failed: 'key',
  resolver_not_configured: 'key',
  invalid_key: 'key',
  unsupported_algorithm: 'key',
  signature_invalid: 'signature',
  invalid_argument: 'options',
}
