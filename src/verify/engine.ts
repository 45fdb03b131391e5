import { CredsignError, type ErrorCode } from '../errors/credsign-error.js'
import type {
  FormatHandler,
  StatusChecker,
  VerificationFormat,
  VerificationResult,
  VerifyContext,
  VerifyOptions,
} from './types.js'
import { parseJsonText } from '../jose/json.js'
import { checkRelatedResourceOptions } from './related-resource-options.js'
import { withRelatedResourceChecksWhenNamed } from './related-resources-lazy.js'
import { withAllowedContexts } from './allowed-contexts.js'

/** Largest input `verify()` looks at (characters of a string, or of an object's JSON). */
const MAX_INPUT_LENGTH = 4 * 1024 * 1024
/** How deep presentations may nest credentials (a presentation of presentations of …). */
const MAX_EMBEDDING_DEPTH = 4

/**
 * A check the engine runs on every handler's result (embedded credentials included), after the
 * handler and the relatedResource digests, before the expectation rule: the status list check,
 * which lives above this layer. `verifyOther` verifies another document (a status list credential)
 * with the same handlers and steps, one level deeper. Must not throw for bad input.
 *
 * @internal
 */
export type VerifyStep = StatusChecker

/**
 * The verification engine behind `verify()`: bounds and normalizes the input, picks the first of
 * `handlers` that detects it, and keeps the verdict honest (errors ⇔ not verified; every
 * expectation the caller passed covered by a passed check; `allowedContexts` and relatedResource
 * digests for every format). Throws only for malformed `options` (`invalid_argument`).
 *
 * @internal
 */
export async function verifyWith(
  input: unknown,
  options: VerifyOptions,
  handlers: readonly FormatHandler[],
  steps: readonly VerifyStep[] = [],
): Promise<VerificationResult> {
  checkOptions(options)
  return verifyAt(input, options, [...handlers], [...steps], 0)
}

async function verifyAt(
  input: unknown,
  options: VerifyOptions,
  handlers: FormatHandler[],
  steps: VerifyStep[],
  depth: number,
): Promise<VerificationResult> {
  let normalized: unknown
  try {
    normalized = normalizeInput(input)
  } catch (error) {
    return failure('unknown', codeOf(error, 'malformed'), messageOf(error))
  }
  const handler = handlers.find((h) => detects(h, normalized))
  if (!handler) return unrecognized(normalized)
  const context: VerifyContext = {
    verify: async (embedded, overrides = {}) => {
      if (depth + 1 > MAX_EMBEDDING_DEPTH) {
        return failure(
          'unknown',
          'malformed',
          `credentials are nested more than ${MAX_EMBEDDING_DEPTH} levels deep`,
        )
      }
      const merged = { ...options, ...overrides }
      checkOptions(merged)
      return verifyAt(embedded, merged, handlers, steps, depth + 1)
    },
  }
  const verifyOther = async (
    other: unknown,
    otherOptions: VerifyOptions,
  ): Promise<VerificationResult> => {
    if (depth + 1 > MAX_EMBEDDING_DEPTH)
      return failure('unknown', 'malformed', `documents nest more than ${MAX_EMBEDDING_DEPTH} deep`)
    checkOptions(otherOptions)
    return verifyAt(other, otherOptions, handlers, steps, depth + 1)
  }
  try {
    // relatedResource digests (VCDM 2.0 section 5.3) are checked here, once for every format and
    // every embedded credential, after the handler has verified the signature (the digest code
    // loads only for a document that names related resources).
    let result = await withRelatedResourceChecksWhenNamed(
      withAllowedContexts(
        await handler.verify(normalized, options, context),
        options.allowedContexts,
      ),
      options.relatedResources,
    )
    for (const step of steps) result = await step(result, options, verifyOther)
    // A handler's verdict is only as good as its error list: keep them consistent whatever it did.
    return withExpectationsChecked(
      { ...result, verified: result.errors.length === 0 && result.verified },
      options,
    )
  } catch (error) {
    // Handlers report bad input as errors; an exception here is bad input that escaped one (or a
    // resolver/network failure): still an answer, never an unhandled rejection.
    return failure('unknown', codeOf(error, 'malformed'), messageOf(error))
  }
}

/**
 * What the caller asked for, and the check a handler must have passed to say it was checked. A
 * verdict that covered less than the caller asked for (a `nonce` on a credential, which has none;
 * `algorithms` that a handler never compared; `requireKeyBinding` on a JWT credential) would be a
 * `verified: true` for something nobody checked, so it is refused here, for every handler alike,
 * built in or plugged in.
 */
function expectedChecks(
  result: VerificationResult,
  options: VerifyOptions,
): { option: string; check: string }[] {
  const expected: { option: string; check: string }[] = []
  if (options.nonce !== undefined) expected.push({ option: 'nonce', check: 'nonce' })
  if (options.audience !== undefined) expected.push({ option: 'audience', check: 'audience' })
  if (options.algorithms !== undefined) expected.push({ option: 'algorithms', check: 'algorithm' })
  if (options.requireKeyBinding === true)
    expected.push({ option: 'requireKeyBinding', check: 'key_binding' })
  if (options.profile !== undefined) expected.push({ option: 'profile', check: 'profile' })
  if (
    options.allowedContexts !== undefined &&
    (result.credential !== undefined || result.presentation !== undefined)
  )
    expected.push({ option: 'allowedContexts', check: 'context' })
  if (result.credential !== undefined || result.presentation !== undefined)
    expected.push({ option: 'issuerBinding', check: 'issuer_binding' })
  if (result.credential !== undefined && result.presentation === undefined)
    expected.push({ option: 'checkValidity', check: 'validity' })
  if (result.presentation !== undefined)
    expected.push({ option: 'verifyEmbedded', check: 'credentials' })
  if (options.statusLists !== undefined && carriesStatus(result))
    expected.push({ option: 'statusLists', check: 'status' })
  return expected
}

/** Refuses a verified result that lacks a passed check for one of the caller's expectations. */
function withExpectationsChecked(
  result: VerificationResult,
  options: VerifyOptions,
): VerificationResult {
  if (!result.verified) return result
  const passed = new Set(result.checks.filter((check) => check.passed).map((check) => check.name))
  const unchecked = expectedChecks(result, options).filter(({ check }) => !passed.has(check))
  if (unchecked.length === 0) return result
  const what =
    result.presentation !== undefined
      ? 'presentation'
      : result.credential !== undefined
        ? 'credential'
        : 'token'
  const message = `${unchecked.map(({ option }) => option).join(', ')}: not checked for this ${result.format} ${what}, so it cannot be verified as asked`
  return {
    ...result,
    verified: false,
    checks: [...result.checks, { name: 'expectations', passed: false, detail: message }],
    errors: [...result.errors, { code: 'expectation_unchecked', message }],
  }
}

/**
 * Whether a verified credential names a status (W3C `credentialStatus`, or a JWT / SD-JWT `status`
 * claim): then a caller who configured `statusLists` gets no verdict without a passed status
 * check.
 */
function carriesStatus(result: VerificationResult): boolean {
  if (result.presentation !== undefined) return false
  if (result.credential !== undefined && result.credential.credentialStatus !== undefined)
    return true
  return isRecord(result.payload) && result.payload.status !== undefined
}

function detects(handler: FormatHandler, input: unknown): boolean {
  try {
    return handler.detect(input)
  } catch {
    return false
  }
}

/** Strings that hold JSON become objects; everything is bounded in size first. */
function normalizeInput(input: unknown): unknown {
  if (typeof input === 'string') {
    if (input.length > MAX_INPUT_LENGTH)
      throw new CredsignError('malformed', 'input is larger than 4 MiB')
    const text = input.trim()
    // The same strict parser as JWS headers and JWT claims: duplicate member names (which parsers
    // resolve differently) and hostile nesting are `malformed`, for every format alike.
    if (text.startsWith('{')) return parseJsonText(text, 'input')
    return text
  }
  if (input instanceof Uint8Array)
    throw new CredsignError('malformed', 'pass credentials as a string or a JSON object, not bytes')
  if (input !== null && typeof input === 'object') {
    let length: number
    try {
      length = JSON.stringify(input)?.length ?? 0
    } catch (cause) {
      throw new CredsignError(
        'malformed',
        'input is not JSON-serialisable (a cycle, a BigInt, or nesting too deep)',
        { cause },
      )
    }
    if (length > MAX_INPUT_LENGTH)
      throw new CredsignError('malformed', 'input is larger than 4 MiB')
    return input
  }
  throw new CredsignError('malformed', 'input must be a string (JWT, JWS, SD-JWT) or a JSON object')
}

/** No handler took it: say what it looks like and how to enable it, if it is a known format. */
function unrecognized(input: unknown): VerificationResult {
  // A verifier made by createVerifier may lack a built-in handler: say which one the input needs.
  if (typeof input === 'string' && SD_JWT_PREFIX.test(input)) {
    return failure(
      'sd-jwt',
      'format_not_enabled',
      'this is an SD-JWT: verify it with verify(), or pass sdJwtHandler to createVerifier',
    )
  }
  if (isRecord(input) && isEnvelope(input.type)) {
    return failure(
      'unknown',
      'format_not_enabled',
      'this is an enveloped credential or presentation: verify it with verify(), or pass envelopedHandler to createVerifier',
    )
  }
  if (isRecord(input) && 'proof' in input) {
    return failure(
      'data-integrity',
      'format_not_enabled',
      "this is secured with a Data Integrity proof: pass `handlers: [dataIntegrityHandler()]` from 'credsign/data-integrity'",
    )
  }
  if (isRecord(input) && ('@context' in input || 'type' in input)) {
    return failure(
      'unknown',
      'unsupported_format',
      'an unsecured credential or presentation: there is no proof or signature to verify',
    )
  }
  return failure('unknown', 'unsupported_format', 'not a format credsign recognises')
}

/** A compact SD-JWT: an issuer-signed JWT and its `~`-separated disclosures. */
const SD_JWT_PREFIX = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*~/

function isEnvelope(type: unknown): boolean {
  const types = Array.isArray(type) ? type : [type]
  return types.some(
    (name) =>
      name === 'EnvelopedVerifiableCredential' || name === 'EnvelopedVerifiablePresentation',
  )
}

function failure(format: VerificationFormat, code: ErrorCode, message: string): VerificationResult {
  return {
    verified: false,
    format,
    checks: [{ name: 'format', passed: format !== 'unknown', detail: message }],
    errors: [{ code, message }],
  }
}

function codeOf(error: unknown, fallback: ErrorCode): ErrorCode {
  return error instanceof CredsignError ? error.code : fallback
}

function messageOf(error: unknown): string {
  if (error instanceof CredsignError) return error.message
  // Not a credsign error: a bug or an environment failure. Say so without echoing input.
  return `unexpected ${error instanceof Error ? error.name : typeof error} while verifying`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function checkOptions(options: VerifyOptions): void {
  if (options === null || typeof options !== 'object')
    throw new CredsignError('invalid_argument', 'verify options must be an object')
  const tolerance = options.clockToleranceSeconds
  if (tolerance !== undefined && (!Number.isFinite(tolerance) || tolerance < 0)) {
    throw new CredsignError(
      'invalid_argument',
      'clockToleranceSeconds must be a non-negative number',
    )
  }
  if (options.handlers !== undefined) {
    if (!Array.isArray(options.handlers))
      throw new CredsignError('invalid_argument', 'handlers must be an array')
    for (const h of options.handlers) {
      if (!h || typeof h.detect !== 'function' || typeof h.verify !== 'function') {
        throw new CredsignError('invalid_argument', 'every handler needs detect() and verify()')
      }
    }
  }
  if (options.algorithms !== undefined && !Array.isArray(options.algorithms)) {
    throw new CredsignError('invalid_argument', 'algorithms must be an array')
  }
  const anchors = options.trustAnchors as { certificates?: unknown; load?: unknown } | undefined
  if (
    anchors !== undefined &&
    (anchors === null ||
      typeof anchors !== 'object' ||
      !Array.isArray(anchors.certificates) ||
      typeof anchors.load !== 'function')
  ) {
    throw new CredsignError(
      'invalid_argument',
      'trustAnchors must be made by createTrustAnchors([...certificates])',
    )
  }
  if (options.profile !== undefined && options.profile !== 'haip')
    throw new CredsignError('invalid_argument', "profile must be 'haip'")
  checkRelatedResourceOptions(options.relatedResources)
  const statusLists = options.statusLists as unknown
  if (
    statusLists !== undefined &&
    (statusLists === null ||
      typeof statusLists !== 'object' ||
      typeof (statusLists as { fetchList?: unknown }).fetchList !== 'function' ||
      typeof (statusLists as { limits?: unknown }).limits !== 'object')
  )
    throw new CredsignError(
      'invalid_argument',
      'statusLists must come from createStatusListResolver (fetchList and limits)',
    )
}
