import type { ErrorCode } from '../errors/credsign-error.js'
import type { HttpErrorCode } from './http-error-code.js'

/**
 * The HTTP status credsign/http answers for each error code, the library's ({@link ErrorCode}) and
 * its own ({@link HttpErrorCode}): the "HTTP" column of `docs/errors.md` (a test keeps the two
 * equal). Caller mistakes are 4xx; a wrong secret is 400 and a lockout 429 on every route (the
 * origin service turned both into 500 on its JWT paths); stored data that cannot be opened is a
 * server fault (500); a store that is down is 503; a remote key that cannot be fetched is 502.
 *
 * @example
 *
 * ```ts
 * import { HTTP_STATUS } from 'credsign/http'
 * HTTP_STATUS.locked // 429
 * ```
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode | HttpErrorCode, number>> = {
  invalid_argument: 400,
  invalid_key_id: 400,
  invalid_secrets: 400,
  invalid_service_secret: 500,
  unsupported_algorithm: 400,
  invalid_key: 400,
  encrypted_key_unsupported: 400,
  exists: 409,
  not_found: 404,
  wrong_secrets: 400,
  locked: 429,
  signer_locked: 500,
  envelope_malformed: 500,
  envelope_unsupported_version: 500,
  envelope_tampered: 500,
  envelope_context_mismatch: 500,
  service_secret_mismatch: 500,
  conflict: 409,
  store_corrupt: 500,
  store_unavailable: 503,
  malformed: 400,
  unsupported_format: 400,
  format_not_enabled: 400,
  algorithm_not_allowed: 400,
  crit_unsupported: 400,
  typ_mismatch: 400,
  signature_invalid: 400,
  key_not_found: 400,
  key_resolution_failed: 502,
  resolver_not_configured: 400,
  key_not_authorized: 400,
  issuer_mismatch: 400,
  expired: 400,
  not_yet_valid: 400,
  audience_mismatch: 400,
  nonce_mismatch: 400,
  expectation_unchecked: 400,
  claim_invalid: 400,
  credential_invalid: 400,
  embedded_credential_invalid: 400,
  related_resource_mismatch: 400,
  related_resource_unchecked: 400,
  context_not_found: 400,
  context_not_allowed: 400,
  protected_term_redefinition: 400,
  jsonld_form_not_allowed: 400,
  jsonld_invalid: 400,
  jsonld_limit_exceeded: 400,
  proof_invalid: 400,
  proof_purpose_mismatch: 400,
  previous_proof_missing: 400,
  unsupported_cryptosuite: 400,
  disclosure_invalid: 400,
  key_binding_required: 400,
  key_binding_invalid: 400,
  invalid_proof: 400,
  invalid_nonce: 400,
  status_list_invalid: 400,
  status_list_too_large: 400,
  status_index_out_of_range: 400,
  status_list_full: 409,
  status_irreversible: 409,
  status_revoked: 400,
  status_suspended: 400,
  status_unrecognized: 400,
  status_unchecked: 400,
  status_entry_invalid: 400,
  status_list_unavailable: 502,
  status_list_not_verified: 400,
  status_list_expired: 400,
  status_list_issuer_mismatch: 400,
  status_purpose_mismatch: 400,
  status_list_too_short: 400,
  crypto_unavailable: 500,
  // credsign/http's own codes
  invalid_request: 400,
  unauthorized: 401,
  route_not_found: 404,
  method_not_allowed: 405,
  unsupported_media_type: 415,
  payload_too_large: 413,
  request_timeout: 408,
  not_a_credential: 422,
  not_a_presentation: 422,
}
