// Verifying the credentials inside a presentation. Each goes back through `context.verify`, so it
// is verified with the caller's options and every registered handler (JOSE, SD-JWT, Data Integrity)
// and nested presentations are bounded by verify()'s depth limit. The presentation's own audience
// and nonce are not the credentials' (a credential need not be addressed): they are cleared for the
// inner calls, but the audience stays the verifier's identity, which an `aud` a credential carries
// must name, and the nonce the one a KB-JWT inside must carry (src/verify/audience.ts).
import type { ErrorCode } from '../errors/credsign-error.js'
import { CredsignError } from '../errors/credsign-error.js'
import type {
  VerificationFormat,
  VerificationResult,
  VerifyContext,
  VerifyOptions,
} from './types.js'
import { embeddedOptions } from './audience.js'
import { envelopeSerializationProblem, parseEnvelopedCredential } from '../credential/enveloped.js'
import { ENVELOPE_MEDIA_TYPES, envelopeSdJwtProblem } from './envelope-media-types.js'
import { envelopeProblems } from '../credential/validate-presentation.js'
import type { VcVersion } from '../credential/types.js'
import { isJsonObject, typesOf } from '../credential/validate-shared.js'

/** Formats that are credentials (a presentation inside `verifiableCredential` is not one). */
const CREDENTIAL_FORMATS: readonly VerificationFormat[] = [
  'vc+jwt',
  'vc-jwt',
  'sd-jwt',
  'data-integrity',
]

const ENVELOPE_TYPES = /* @__PURE__ */ (() => ENVELOPE_MEDIA_TYPES.EnvelopedVerifiableCredential)()

/**
 * The outcome for one embedded credential: its own result, and the presentation's error if it
 * failed.
 */
export interface EmbeddedOutcome {
  result: VerificationResult
  /** Why the presentation fails because of this credential (`embedded_credential_invalid`). */
  reason?: string
}

/**
 * Verifies one entry of a presentation's `verifiableCredential`: a compact JWT string (VCDM 1.1),
 * an `EnvelopedVerifiableCredential` (VCDM 2.0: its `data:` URL is decoded and the content
 * verified), or a credential object secured some other way (Data Integrity), which goes to the
 * registered handlers as is.
 */
export async function verifyEmbedded(
  entry: unknown,
  presentationVersion: VcVersion | undefined,
  options: VerifyOptions,
  context: VerifyContext,
): Promise<EmbeddedOutcome> {
  const inner = embeddedOptions(options)
  if (typeof entry === 'string') {
    if (presentationVersion === '2.0') {
      const result = local(
        'unknown',
        'malformed',
        'a VCDM 2.0 presentation carries a JWT credential as an EnvelopedVerifiableCredential, not as a string',
      )
      return { result, reason: result.errors[0]?.message ?? '' }
    }
    return judged(await context.verify(entry, inner), CREDENTIAL_FORMATS)
  }
  if (isJsonObject(entry) && typesOf(entry.type)?.includes('EnvelopedVerifiableCredential')) {
    // The wrapper first (VCDM 2.0 section 4.13.1): its @context, id and type, before what it holds.
    const [problem] = envelopeProblems(entry, 'EnvelopedVerifiableCredential')
    if (problem !== undefined && !problem.path.startsWith('id')) {
      const result = local('unknown', 'credential_invalid', `${problem.path}: ${problem.message}`)
      return { result, reason: `credential_invalid: ${result.errors[0]?.message ?? ''}` }
    }
    let content
    try {
      content = parseEnvelopedCredential(entry)
    } catch (error) {
      const result = local(
        'unknown',
        'malformed',
        CredsignError.is(error)
          ? error.message
          : 'the EnvelopedVerifiableCredential cannot be read',
      )
      return { result, reason: result.errors[0]?.message ?? '' }
    }
    const expected = ENVELOPE_TYPES[content.mediaType]
    if (expected === undefined || content.text === undefined) {
      const result = local(
        'unknown',
        'unsupported_format',
        `credsign does not verify ${content.mediaType} credentials`,
      )
      return { result, reason: result.errors[0]?.message ?? '' }
    }
    const serializationProblem = envelopeSerializationProblem(content.mediaType, content.text)
    if (serializationProblem !== undefined) {
      const result = local('unknown', 'malformed', serializationProblem)
      return { result, reason: `malformed: ${serializationProblem}` }
    }
    return judged(await context.verify(content.text, inner), expected, content.mediaType)
  }
  return judged(await context.verify(entry, inner), CREDENTIAL_FORMATS)
}

function judged(
  result: VerificationResult,
  expected: readonly VerificationFormat[],
  mediaType?: string,
): EmbeddedOutcome {
  if (!result.verified) {
    const first = result.errors[0]
    return {
      result,
      reason: first ? `${first.code}: ${first.message}` : 'the credential did not verify',
    }
  }
  // An SD-JWT may hold a presentation (vp+sd-jwt): that is not a credential either.
  if (!expected.includes(result.format) || result.presentation !== undefined) {
    const what = mediaType === undefined ? 'a credential' : mediaType
    return {
      result,
      reason: `expected ${what}, found ${result.presentation !== undefined ? `a ${result.format} presentation` : result.format}`,
    }
  }
  const mislabelled = mediaType === undefined ? undefined : envelopeSdJwtProblem(mediaType, result)
  if (mislabelled !== undefined) return { result, reason: mislabelled }
  // Data Integrity secures any JSON-LD document: one that is no credential (no VCDM context first,
  // no VerifiableCredential type) verifies as a plain document, without the issuer binding, data
  // model and validity checks a credential gets, so it must not count as one (VCDM 2.0:
  // verifiableCredential holds verifiable credentials; the presentation's own data model check
  // leaves the entries to this function).
  if (result.format === 'data-integrity' && result.credential === undefined) {
    return {
      result,
      reason:
        'expected a credential, found a Data Integrity-secured document that is not a credential (its first @context is no VCDM context and its type does not include VerifiableCredential)',
    }
  }
  return { result }
}

/** A result for an entry that never reached a handler. */
function local(format: VerificationFormat, code: ErrorCode, message: string): VerificationResult {
  return {
    verified: false,
    format,
    checks: [{ name: 'format', passed: false, detail: message }],
    errors: [{ code, message }],
  }
}
