import type { ErrorCode } from '../../errors/credsign-error.js'
import { CredsignError } from '../../errors/credsign-error.js'
import type { FormatHandler, VerificationResult, VerifyContext } from '../../verify/types.js'
import { envelopeSerializationProblem, parseDataUrl } from '../../credential/enveloped.js'
import { ENVELOPE_MEDIA_TYPES, envelopeSdJwtProblem } from '../../verify/envelope-media-types.js'
import { envelopeProblems, type EnvelopeType } from '../../credential/validate-presentation.js'
import { isJsonObject, typesOf } from '../../credential/validate-shared.js'

/**
 * The `verify()` handler for VCDM 2.0 envelopes given on their own (sections 4.13.1 and 4.13.2): an
 * `EnvelopedVerifiableCredential` or `EnvelopedVerifiablePresentation` object, as the VC-API verify
 * routes receive them. It checks the wrapper — `@context` with the base context first, `id` a
 * well-formed `data:` URL, `type` the envelope type (`credential_invalid`; `malformed` for an `id`
 * that is not a well-formed `data:` URL) — then verifies the content through `context.verify` with
 * the same options, so every format rule applies and `audience` / `nonce` (VC-API `domain` /
 * `challenge`) bind the presentation inside. The result is the inner one (format `vp+jwt`,
 * `sd-jwt`, …) with an `envelope` check first; content that is not the compact serialization its
 * media type registers (a JSON envelope or JWS JSON serialization under `application/vc+jwt`) is
 * `malformed`, content of another kind than the envelope says (a credential in an
 * `EnvelopedVerifiablePresentation`, an SD-JWT VC as `application/vc+sd-jwt`) `credential_invalid`,
 * a media type credsign does not verify (COSE) `unsupported_format`. Built in; objects with a
 * `proof` are left to Data Integrity.
 *
 * @example
 *
 * ```ts
 * import { envelopedHandler, envelopePresentation } from 'credsign'
 * envelopedHandler.detect(envelopePresentation('eyJhbGciOiJFZERTQSJ9.e30.c2ln')) // true
 * // verify(envelope, { audience, nonce }) uses it: the result is the vp+jwt's own
 * ```
 */
export const envelopedHandler: FormatHandler = {
  name: 'enveloped',
  detect: (input) =>
    isJsonObject(input) &&
    !Object.hasOwn(input, 'proof') &&
    (envelopeTypeOf(input) !== undefined || isDataUrl(input.id)),
  verify: async (input, _options, context) => {
    try {
      return await verifyEnvelope(input as Record<string, unknown>, context)
    } catch (error) {
      // The never-throw backstop: every expected failure is a result above.
      return failure(
        CredsignError.is(error) ? error.code : 'malformed',
        CredsignError.is(error) ? error.message : 'the envelope could not be verified',
      )
    }
  },
}

function envelopeTypeOf(input: Record<string, unknown>): EnvelopeType | undefined {
  const types = typesOf(input.type) ?? []
  if (types.includes('EnvelopedVerifiablePresentation')) return 'EnvelopedVerifiablePresentation'
  if (types.includes('EnvelopedVerifiableCredential')) return 'EnvelopedVerifiableCredential'
  return undefined
}

function isDataUrl(value: unknown): boolean {
  return typeof value === 'string' && /^data:/i.test(value)
}

async function verifyEnvelope(
  input: Record<string, unknown>,
  context: VerifyContext,
): Promise<VerificationResult> {
  const envelopeType = envelopeTypeOf(input)
  if (envelopeType === undefined) {
    return failure(
      'credential_invalid',
      'an object whose id is a data: URL is an envelope: its type must be EnvelopedVerifiableCredential or EnvelopedVerifiablePresentation',
      'type',
    )
  }
  const [problem] = envelopeProblems(input, envelopeType)
  if (problem !== undefined)
    return failure(
      problem.path === 'id' ? 'malformed' : 'credential_invalid',
      problem.message,
      problem.path,
    )
  const content = parseDataUrl(input.id as string, envelopeType)
  const formats = ENVELOPE_MEDIA_TYPES[envelopeType][content.mediaType]
  if (formats === undefined || content.text === undefined) {
    return failure(
      'unsupported_format',
      `credsign does not verify ${content.mediaType} in an ${envelopeType}`,
      'id',
    )
  }
  const serializationProblem = envelopeSerializationProblem(content.mediaType, content.text)
  if (serializationProblem !== undefined) return failure('malformed', serializationProblem, 'id')
  const inner = await context.verify(content.text)
  const checks = [
    { name: 'envelope', passed: true, detail: `${envelopeType} (${content.mediaType})` },
    ...inner.checks,
  ]
  const errors = [...inner.errors]
  const isPresentation = inner.presentation !== undefined
  if (
    inner.verified &&
    (!formats.includes(inner.format) ||
      isPresentation !== (envelopeType === 'EnvelopedVerifiablePresentation'))
  ) {
    const found = isPresentation
      ? `a ${inner.format} presentation`
      : inner.credential !== undefined
        ? `a ${inner.format} credential`
        : `a ${inner.format}`
    const message = `an ${envelopeType} of ${content.mediaType} holds ${found}`
    checks.push({ name: 'envelope_content', passed: false, detail: message })
    errors.push({ code: 'credential_invalid', message, path: 'id' })
  } else if (inner.verified) {
    const mislabelled = envelopeSdJwtProblem(content.mediaType, inner)
    if (mislabelled !== undefined) {
      checks.push({ name: 'envelope_content', passed: false, detail: mislabelled })
      errors.push({ code: 'credential_invalid', message: mislabelled, path: 'id' })
    }
  }
  return { ...inner, verified: errors.length === 0, checks, errors }
}

function failure(code: ErrorCode, message: string, path?: string): VerificationResult {
  return {
    verified: false,
    format: 'unknown',
    checks: [{ name: 'envelope', passed: false, detail: message }],
    errors: [path === undefined ? { code, message } : { code, message, path }],
  }
}
