import { CredsignError } from '../errors/credsign-error.js'
import { parseEnvelopedCredential } from '../credential/enveloped.js'
import type { VerificationResult } from '../verify/types.js'
import { HttpError } from './problem.js'

/*
 * What the VC-API verify routes accept, before and after `verify()` runs. `verify()` answers for
 * anything it can verify (a JWS over "hello", a plain JWT, a JWS in a JSON serialization, a JSON
 * string it parses); a route named after credentials must answer 200 for a verified credential
 * only, and the presentation route for a verified presentation only. A string is accepted only in
 * the serializations VC-JOSE-COSE and SD-JWT define (compact); a JSON document only as an object.
 */

/** Which of the two verify routes. @internal */
export type VerifyRouteKind = 'credential' | 'presentation'

/** How the request carried the secured document. @internal */
export type InputShape =
  /** A compact JWS / JWT string (`vc+jwt`, `vc-jwt`, `vp+jwt`, `vp-jwt`). */
  | { kind: 'compact'; text: string }
  /**
   * An SD-JWT string; `keyBinding` when it ends with a KB-JWT (an SD-JWT+KB, the holder's
   * presentation).
   */
  | { kind: 'sd-jwt'; text: string; keyBinding: boolean }
  /**
   * An `EnvelopedVerifiableCredential`: `mediaType` says what its `data:` URL holds; `verify()` is
   * given the envelope itself, so that its wrapper rules (`@context`, `id`, `type`) apply too.
   */
  | { kind: 'enveloped-credential'; document: Record<string, unknown>; mediaType: string }
  /** An `EnvelopedVerifiablePresentation`: `verify()` reads the envelope itself. */
  | { kind: 'enveloped-presentation'; document: Record<string, unknown> }
  /** A JSON-LD document (Data Integrity). */
  | { kind: 'document'; document: Record<string, unknown> }

const PART = '[A-Za-z0-9_-]+'
/** RFC 7515 section 7.1, with a payload and a signature (no detached payload, no `alg: none`). */
const COMPACT_JWS = new RegExp(`^${PART}\\.${PART}\\.${PART}$`)
/** RFC 9901 section 4: `<issuer JWT>~<disclosure>~…~[<KB-JWT>]`. */
const SD_JWT = new RegExp(
  `^${PART}\\.${PART}\\.${PART}~(?:${PART}~)*(?:${PART}\\.${PART}\\.${PART})?$`,
)

/**
 * The media types of an `EnvelopedVerifiableCredential` the credential route verifies (VC-JOSE-COSE
 * section 3).
 */
const ENVELOPED_CREDENTIAL_MEDIA_TYPES = new Set(['application/vc+jwt', 'application/vc+sd-jwt'])

/**
 * Reads the document of a verify request into one of the accepted shapes; `not_a_credential` /
 * `not_a_presentation` (422) for a string that is no compact JWT or SD-JWT (stringified JSON
 * included), a JWS in a JSON serialization, or an envelope of the other kind. A malformed envelope
 * keeps the library's code (`malformed`).
 *
 * @internal
 */
export function readVerifyInput(kind: VerifyRouteKind, document: unknown): InputShape {
  if (typeof document === 'string') {
    const text = document.trim()
    if (COMPACT_JWS.test(text)) return { kind: 'compact', text }
    if (SD_JWT.test(text)) return { kind: 'sd-jwt', text, keyBinding: !text.endsWith('~') }
    throw refusal(
      kind,
      text.startsWith('{') || text.startsWith('[')
        ? 'a JSON document must be sent as a JSON object, not as a string; a string is a compact JWT or SD-JWT'
        : 'a string must be a compact JWT or an SD-JWT',
    )
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document))
    throw refusal(kind, 'the document must be an object or a compact JWT / SD-JWT string')
  const record = document as Record<string, unknown>
  const types = typesOf(record.type)
  if (types.includes('EnvelopedVerifiableCredential')) {
    if (kind !== 'credential')
      throw refusal(kind, 'an EnvelopedVerifiableCredential is a credential')
    const content = parseEnvelopedCredential(record)
    if (content.text === undefined)
      throw new CredsignError(
        'unsupported_format',
        'the enveloped credential is not text (COSE is not supported)',
      )
    if (!ENVELOPED_CREDENTIAL_MEDIA_TYPES.has(content.mediaType))
      throw refusal(
        kind,
        'an EnvelopedVerifiableCredential must hold application/vc+jwt or application/vc+sd-jwt',
      )
    const text = content.text.trim()
    const fits =
      content.mediaType === 'application/vc+jwt' ? COMPACT_JWS.test(text) : SD_JWT.test(text)
    if (!fits)
      throw refusal(
        kind,
        `the data: URL does not hold a compact ${content.mediaType.slice('application/'.length)}`,
      )
    return { kind: 'enveloped-credential', document: record, mediaType: content.mediaType }
  }
  if (types.includes('EnvelopedVerifiablePresentation')) {
    if (kind !== 'presentation')
      throw refusal(kind, 'an EnvelopedVerifiablePresentation is a presentation')
    return { kind: 'enveloped-presentation', document: record }
  }
  if (
    typeof record.payload === 'string' &&
    (typeof record.signature === 'string' || Array.isArray(record.signatures))
  ) {
    throw refusal(
      kind,
      'a JWS in the JSON serialization is not a secured credential or presentation (VC-JOSE-COSE uses the compact serialization)',
    )
  }
  return { kind: 'document', document: record }
}

/** What `verify()` is given for an input shape. @internal */
export function verifyInputOf(shape: InputShape): unknown {
  return shape.kind === 'document' ||
    shape.kind === 'enveloped-presentation' ||
    shape.kind === 'enveloped-credential'
    ? shape.document
    : shape.text
}

/**
 * Why a verified result is not what the route verifies, or `undefined` when it is: the format must
 * be a credential (presentation) format that fits how the input came, and the result must carry the
 * credential (presentation). Checked only for a verified result; a failed one keeps its own
 * errors.
 *
 * @internal
 */
export function kindProblem(
  kind: VerifyRouteKind,
  shape: InputShape,
  result: VerificationResult,
): string | undefined {
  const { format } = result
  if (kind === 'credential') {
    if (result.presentation !== undefined)
      return 'this is a presentation: use POST /presentations/verify'
    switch (shape.kind) {
      case 'compact':
        return (format === 'vc+jwt' || format === 'vc-jwt') && result.credential !== undefined
          ? undefined
          : `a ${format} is not a credential`
      case 'sd-jwt':
        // A W3C credential (vc+sd-jwt) or an SD-JWT VC (vct claims): the handler accepts no other SD-JWT.
        return format === 'sd-jwt' ? undefined : `a ${format} is not a credential`
      case 'enveloped-credential': {
        const expected = shape.mediaType === 'application/vc+jwt' ? 'vc+jwt' : 'sd-jwt'
        return format === expected && result.credential !== undefined
          ? undefined
          : `the envelope says ${shape.mediaType}, its content is a ${format}`
      }
      default:
        return format === 'data-integrity' && result.credential !== undefined
          ? undefined
          : 'the document is not a VerifiableCredential'
    }
  }
  switch (shape.kind) {
    case 'compact':
      return (format === 'vp+jwt' || format === 'vp-jwt') && result.presentation !== undefined
        ? undefined
        : `a ${format} is not a presentation`
    case 'sd-jwt':
      // vp+sd-jwt, or an SD-JWT presented with its KB-JWT; an SD-JWT alone is the credential.
      return format === 'sd-jwt' && (result.presentation !== undefined || shape.keyBinding)
        ? undefined
        : 'an SD-JWT without a KB-JWT is a credential, not a presentation'
    case 'enveloped-presentation':
      return result.presentation !== undefined
        ? undefined
        : 'the envelope does not hold a presentation'
    default:
      return format === 'data-integrity' && result.presentation !== undefined
        ? undefined
        : 'the document is not a VerifiablePresentation'
  }
}

/** The refusal of a route: `not_a_credential` / `not_a_presentation`, 422. @internal */
export function refusal(kind: VerifyRouteKind, message: string): HttpError {
  return new HttpError(kind === 'credential' ? 'not_a_credential' : 'not_a_presentation', message)
}

function typesOf(type: unknown): unknown[] {
  return Array.isArray(type) ? type : [type]
}
