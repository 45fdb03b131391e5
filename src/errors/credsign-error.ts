/**
 * Every stable error code credsign throws. Codes never change meaning between minor versions; the
 * table in `docs/errors.md` says what each means and what a caller should do. The codes only the
 * HTTP adapter answers with (`route_not_found`, `payload_too_large`, …) are its own:
 * `HttpErrorCode` in `credsign/http`.
 */
export type ErrorCode =
  // caller input
  | 'invalid_argument'
  | 'invalid_key_id'
  | 'invalid_secrets'
  | 'invalid_service_secret'
  | 'unsupported_algorithm'
  | 'invalid_key'
  | 'encrypted_key_unsupported'
  // key custody
  | 'exists'
  | 'not_found'
  | 'wrong_secrets'
  | 'locked'
  | 'signer_locked'
  // envelope
  | 'envelope_malformed'
  | 'envelope_unsupported_version'
  | 'envelope_tampered'
  | 'envelope_context_mismatch'
  | 'service_secret_mismatch'
  // storage
  | 'conflict'
  | 'store_corrupt'
  | 'store_unavailable'
  // verification (JWS, JWT, credentials, presentations)
  | 'malformed'
  | 'unsupported_format'
  | 'format_not_enabled'
  | 'algorithm_not_allowed'
  | 'crit_unsupported'
  | 'typ_mismatch'
  | 'signature_invalid'
  | 'key_not_found'
  | 'key_resolution_failed'
  | 'resolver_not_configured'
  | 'key_not_authorized'
  | 'issuer_mismatch'
  | 'expired'
  | 'not_yet_valid'
  | 'audience_mismatch'
  | 'nonce_mismatch'
  | 'expectation_unchecked'
  | 'claim_invalid'
  | 'credential_invalid'
  | 'embedded_credential_invalid'
  | 'related_resource_mismatch'
  | 'related_resource_unchecked'
  // Data Integrity and JSON-LD
  | 'context_not_found'
  | 'context_not_allowed'
  | 'protected_term_redefinition'
  | 'jsonld_form_not_allowed'
  | 'jsonld_invalid'
  | 'jsonld_limit_exceeded'
  | 'proof_invalid'
  | 'proof_purpose_mismatch'
  | 'previous_proof_missing'
  | 'unsupported_cryptosuite'
  // SD-JWT and OpenID4VCI
  | 'disclosure_invalid'
  | 'key_binding_required'
  | 'key_binding_invalid'
  | 'invalid_proof'
  | 'invalid_nonce'
  // status lists (W3C Bitstring Status List, IETF Token Status List)
  | 'status_list_invalid'
  | 'status_list_too_large'
  | 'status_index_out_of_range'
  | 'status_list_full'
  | 'status_irreversible'
  // status lists, verifier side (verify() with statusLists)
  | 'status_revoked'
  | 'status_suspended'
  | 'status_unrecognized'
  | 'status_unchecked'
  | 'status_entry_invalid'
  | 'status_list_unavailable'
  | 'status_list_not_verified'
  | 'status_list_expired'
  | 'status_list_issuer_mismatch'
  | 'status_purpose_mismatch'
  | 'status_list_too_short'
  // X.509
  | 'certificate_invalid'
  | 'certificate_key_mismatch'
  // X.509 on verify (x5c path validation) and the HAIP profile
  | 'trust_anchors_not_configured'
  | 'certificate_untrusted'
  | 'certificate_chain_order'
  | 'certificate_anchor_included'
  | 'certificate_self_signed'
  | 'certificate_expired'
  | 'certificate_not_yet_valid'
  | 'certificate_not_ca'
  | 'certificate_key_usage'
  | 'certificate_path_length'
  | 'certificate_name_constraints'
  | 'certificate_critical_extension'
  | 'certificate_san_mismatch'
  | 'certificate_extended_key_usage'
  | 'certificate_revoked'
  | 'revocation_unavailable'
  | 'revocation_invalid'
  | 'haip_format'
  | 'haip_algorithm'
  | 'haip_certificate_required'
  | 'haip_key_binding_required'
  | 'haip_status_invalid'
  // runtime
  | 'crypto_unavailable'

/** Marks credsign errors across bundle copies (`Symbol.for` is shared by the whole realm). */
const BRAND = Symbol.for('credsign.CredsignError')

/** Options accepted by {@link CredsignError}. */
export interface CredsignErrorOptions {
  /**
   * The underlying error, kept for debugging. Never a secret: credsign only attaches library
   * errors.
   */
  cause?: unknown
  /** For `locked`: when (epoch milliseconds) the next attempt may be admitted. */
  retryAt?: number
}

/**
 * The one error class credsign throws. Branch on {@link CredsignError.code}, never on the message.
 * No secret, key byte or derived key ever appears in a message or a field of this error.
 *
 * @example
 *
 * ```ts
 * import { CredsignError, KeyVault, MemoryStore } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * try {
 *   await vault.unlock('missing', ['s1'])
 * } catch (error) {
 *   if (error instanceof CredsignError && error.code === 'wrong_secrets') console.log('denied')
 * }
 * ```
 */
export class CredsignError extends Error {
  /** Stable, machine-readable code (see `docs/errors.md`). */
  readonly code: ErrorCode
  /** For `locked`: epoch milliseconds at which the key accepts attempts again. */
  declare readonly retryAt?: number

  constructor(code: ErrorCode, message: string, options: CredsignErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'CredsignError'
    this.code = code
    if (options.retryAt !== undefined)
      Object.defineProperty(this, 'retryAt', { value: options.retryAt, enumerable: true })
    Object.defineProperty(this, BRAND, { value: true })
  }

  /**
   * `instanceof CredsignError` holds for errors from every copy of credsign loaded in the process
   * (each entry point's bundle, two installed versions), because it checks a registry-wide brand
   * rather than the prototype chain.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses inherit this static method: for them keep the ordinary prototype-chain test, or
    // `x instanceof SomeSubclass` would hold for every credsign error.
    if (this !== CredsignError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true
    )
  }

  /**
   * Whether `error` is a credsign error, optionally with the given code.
   *
   * @example
   *
   * ```ts
   * import { CredsignError } from 'credsign'
   * const e = new CredsignError('locked', 'try later', { retryAt: Date.now() + 1000 })
   * CredsignError.is(e, 'locked') // true
   * ```
   */
  static is(error: unknown, code?: ErrorCode): error is CredsignError {
    return error instanceof CredsignError && (code === undefined || error.code === code)
  }
}
