import type { ErrorCode } from '../errors/credsign-error.js'
import type { ResolvedKey } from '../resolve/types.js'
import type { ResultBuilder } from './result-builder.js'

/**
 * Which check a JWS verification error belongs to (the JOSE and SD-JWT handlers record a jose-layer
 * failure under it). @internal
 */
const CHECK_OF_CODE: Partial<Record<ErrorCode, string>> = {
  algorithm_not_allowed: 'algorithm',
  crit_unsupported: 'header',
  malformed: 'header',
  key_not_found: 'key',
  key_resolution_failed: 'key',
  resolver_not_configured: 'key',
  store_unavailable: 'key',
  store_corrupt: 'key',
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
  certificate_extended_key_usage: 'certificate_chain',
  certificate_revoked: 'certificate_chain',
  revocation_unavailable: 'certificate_chain',
  revocation_invalid: 'certificate_chain',
}

/**
 * Records a verified JWS signature (the JOSE and SD-JWT handlers): the algorithm, key and signature
 * checks passed, and the key that verified in the result. @internal
 */
export function recordSignature(builder: ResultBuilder, alg: unknown, key: ResolvedKey): void {
  builder.pass('algorithm', String(alg))
  builder.pass('key', key.id)
  builder.pass('signature')
  builder.extra.key =
    key.controller === undefined ? { id: key.id } : { id: key.id, controller: key.controller }
}

/**
 * Records a failed JWS verification under the check its code belongs to ({@link CHECK_OF_CODE}),
 * with the checks before that one as passed. @internal
 */
export function recordSignatureFailure(
  builder: ResultBuilder,
  alg: unknown,
  code: ErrorCode,
  message: string,
): void {
  const check = CHECK_OF_CODE[code] ?? 'signature'
  if (check === 'key' || check === 'signature') builder.pass('algorithm', String(alg ?? ''))
  // (`options`: a caller error such as an algorithm credsign cannot verify, `RS256`.)
  if (check === 'signature') builder.pass('key')
  builder.fail(check, code, message)
}
