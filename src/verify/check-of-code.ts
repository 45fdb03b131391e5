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
  certificate_invalid: 'certificate_chain',
  trust_anchors_not_configured: 'certificate_chain',
  certificate_untrusted: 'certificate_chain',
  certificate_chain_order: 'certificate_chain',
  certificate_anchor_included: 'certificate_chain',
  certificate_self_signed: 'certificate_chain',
  certificate_expired: 'certificate_chain',
  certificate_not_yet_valid: 'certificate_chain',
  certificate_not_ca: 'certificate_chain',
  certificate_key_usage: 'certificate_chain',
  certificate_path_length: 'certificate_chain',
  certificate_name_constraints: 'certificate_chain',
  certificate_critical_extension: 'certificate_chain',
}
