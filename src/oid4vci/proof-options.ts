import { CredsignError, type ErrorCode } from '../errors/credsign-error.js'
import { acceptedAlgorithms } from '../jose/algorithms.js'
import { isPlainObject } from '../jose/json.js'
import { epochMilliseconds } from '../jose/jwt-times.js'
import type { JwsAlgorithm } from '../keys/types.js'
import { defaultResolver } from '../resolve/default-resolver.js'
import type { KeyResolver } from '../resolve/types.js'
import type { FormatHandler } from '../verify/types.js'
import type { Oid4vciProofResult, VerifyOid4vciProofOptions } from './types.js'

/** Default `maxAgeSeconds`: how old a key proof may be. */
const DEFAULT_PROOF_MAX_AGE_SECONDS = 300
/** Default `clockToleranceSeconds`, as for every credsign time check. */
const DEFAULT_TOLERANCE_SECONDS = 60

/** {@link VerifyOid4vciProofOptions}, validated once, with the clock read once. @internal */
export interface ProofCheckSettings {
  expectedAudience: string
  expectedNonce: string | undefined
  expectedClientId: string | undefined
  anonymous: boolean
  maxAgeSeconds: number
  clockToleranceSeconds: number
  /** Epoch milliseconds: one reading for every check of the call. */
  now: number
  resolver: KeyResolver
  algorithms: JwsAlgorithm[] | undefined
  handlers: FormatHandler[]
}

/**
 * Validates the options of `verifyOid4vciProof`. Bad options are a programming error:
 * `invalid_argument`, thrown (the one thing `verifyOid4vciProof` throws).
 *
 * @example
 *
 * ```ts
 * proofCheckSettings({
 *   expectedAudience: 'https://issuer.example',
 *   anonymous: true,
 *   expectedClientId: 'c1',
 * }) // throws invalid_argument
 * ```
 *
 * @internal
 */
export function proofCheckSettings(options: VerifyOid4vciProofOptions): ProofCheckSettings {
  if (!isPlainObject(options))
    throw new CredsignError('invalid_argument', 'options must be an object')
  const {
    expectedAudience,
    expectedNonce,
    expectedClientId,
    anonymous,
    maxAgeSeconds,
    clockToleranceSeconds,
    resolver,
    algorithms,
    handlers,
  } = options
  if (typeof expectedAudience !== 'string' || expectedAudience.length === 0) {
    throw new CredsignError(
      'invalid_argument',
      'expectedAudience must be the Credential Issuer Identifier (a non-empty string)',
    )
  }
  for (const [name, value] of [
    ['expectedNonce', expectedNonce],
    ['expectedClientId', expectedClientId],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.length === 0))
      throw new CredsignError('invalid_argument', `${name} must be a non-empty string`)
  }
  if (anonymous !== undefined && typeof anonymous !== 'boolean')
    throw new CredsignError('invalid_argument', 'anonymous must be a boolean')
  if (anonymous === true && expectedClientId !== undefined) {
    throw new CredsignError(
      'invalid_argument',
      'anonymous access has no client_id: give anonymous or expectedClientId, not both',
    )
  }
  const maxAge = maxAgeSeconds ?? DEFAULT_PROOF_MAX_AGE_SECONDS
  const tolerance = clockToleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS
  for (const [name, value] of [
    ['maxAgeSeconds', maxAge],
    ['clockToleranceSeconds', tolerance],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new CredsignError(
        'invalid_argument',
        `${name} must be a non-negative number of seconds`,
      )
  }
  if (
    resolver !== undefined &&
    (typeof resolver !== 'object' || resolver === null || typeof resolver.resolveKey !== 'function')
  ) {
    throw new CredsignError(
      'invalid_argument',
      'resolver must be a KeyResolver (an object with resolveKey())',
    )
  }
  if (algorithms !== undefined) acceptedAlgorithms(algorithms)
  if (
    handlers !== undefined &&
    (!Array.isArray(handlers) ||
      handlers.some((h) => !h || typeof h.detect !== 'function' || typeof h.verify !== 'function'))
  ) {
    throw new CredsignError(
      'invalid_argument',
      'handlers must be an array of verify() format handlers',
    )
  }
  return {
    expectedAudience,
    expectedNonce,
    expectedClientId,
    anonymous: anonymous === true,
    maxAgeSeconds: maxAge,
    clockToleranceSeconds: tolerance,
    now: epochMilliseconds(options.now),
    resolver: resolver ?? defaultResolver(),
    algorithms: algorithms === undefined ? undefined : [...algorithms],
    handlers: handlers === undefined ? [] : [...handlers],
  }
}

/** Codes that say the `c_nonce` is missing or wrong: the wallet must fetch a fresh one. */
const NONCE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['nonce_mismatch', 'invalid_nonce'])

/**
 * A failed result: `invalid_nonce` for nonce problems, `invalid_proof` for everything else, with
 * the specific code as `reason`.
 *
 * @example
 *
 * ```ts
 * proofFailure('jwt', 'nonce_mismatch', 'nonce is not the expected nonce') // { verified: false, error: 'invalid_nonce', reason: 'nonce_mismatch', … }
 * ```
 *
 * @internal
 */
export function proofFailure(
  proofType: 'jwt' | 'di_vp' | undefined,
  reason: ErrorCode,
  message: string,
): Oid4vciProofResult {
  const result: Oid4vciProofResult = { verified: false }
  if (proofType !== undefined) result.proofType = proofType
  result.error = NONCE_CODES.has(reason) ? 'invalid_nonce' : 'invalid_proof'
  result.reason = reason
  result.message = message
  return result
}

/**
 * {@link proofFailure} for a caught error: a `CredsignError` keeps its code; anything else (a
 * resolver bug, an environment failure) is `malformed` without echoing its message.
 *
 * @example
 *
 * ```ts
 * failureOf('jwt', new CredsignError('signature_invalid', 'the signature does not verify'))
 * ```
 *
 * @internal
 */
export function failureOf(
  proofType: 'jwt' | 'di_vp' | undefined,
  error: unknown,
): Oid4vciProofResult {
  if (error instanceof CredsignError) {
    // Options were validated up front: an invalid_argument from below is about the proof's content.
    return proofFailure(
      proofType,
      error.code === 'invalid_argument' ? 'malformed' : error.code,
      error.message,
    )
  }
  return proofFailure(
    proofType,
    'malformed',
    `unexpected ${error instanceof Error ? error.name : typeof error} while verifying the proof`,
  )
}
