import { CredsignError } from '../errors/credsign-error.js'
import type { EnvelopeContext } from './types.js'

const LONE_SURROGATE = /[\uD800-\uDFFF]/u

/**
 * Whether `value` is a non-empty string without lone surrogates. Lone surrogates are refused
 * because UTF-8 would turn them into U+FFFD, so two different key ids could share header bytes.
 *
 * @example
 *
 * ```ts
 * isBindableText('did:example:123#key-1') // true
 * ```
 *
 * @internal
 */
export function isBindableText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && !LONE_SURROGATE.test(value)
}

/**
 * Whether `value` is a valid key version: a non-negative safe integer.
 *
 * @example
 *
 * ```ts
 * isKeyVersion(1) // true
 * ```
 *
 * @internal
 */
export function isKeyVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/**
 * Checks a caller-supplied {@link EnvelopeContext} and returns a plain copy; `invalid_argument` if a
 * member is missing or mistyped.
 *
 * @example
 *
 * ```ts
 * validateContext({ keyId: 'k1', algorithm: 'Ed25519', keyVersion: 1 })
 * ```
 *
 * @internal
 */
export function validateContext(context: unknown): EnvelopeContext {
  if (typeof context !== 'object' || context === null)
    throw new CredsignError('invalid_argument', 'context must be an object')
  const { keyId, algorithm, keyVersion } = context as Record<string, unknown>
  if (!isBindableText(keyId))
    throw new CredsignError(
      'invalid_argument',
      'context.keyId must be a non-empty, well-formed string',
    )
  if (!isBindableText(algorithm))
    throw new CredsignError(
      'invalid_argument',
      'context.algorithm must be a non-empty, well-formed string',
    )
  if (!isKeyVersion(keyVersion))
    throw new CredsignError('invalid_argument', 'context.keyVersion must be a non-negative integer')
  return { keyId, algorithm, keyVersion }
}
