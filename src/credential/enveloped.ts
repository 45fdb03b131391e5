import { CredsignError } from '../errors/credsign-error.js'
import { utf8 } from '../util/bytes.js'
import { b64, fromB64 } from '../util/base64.js'
import { VC_V2_CONTEXT } from './contexts.js'
import { isJsonObject, typesOf } from './validate-shared.js'

/**
 * A VCDM 2.0 `EnvelopedVerifiableCredential`: a secured credential (a JWT, an SD-JWT, COSE) carried
 * inside a presentation as a `data:` URL in `id`.
 *
 * @example
 *
 * ```ts
 * import type { EnvelopedVerifiableCredential } from 'credsign'
 * const entry: EnvelopedVerifiableCredential = {
 *   '@context': 'https://www.w3.org/ns/credentials/v2',
 *   id: 'data:application/vc+jwt,eyJhbGciOi...',
 *   type: 'EnvelopedVerifiableCredential',
 * }
 * ```
 */
export interface EnvelopedVerifiableCredential {
  '@context': string | string[]
  id: string
  type: string | string[]
  [member: string]: unknown
}

/** The content of an `EnvelopedVerifiableCredential`, from its `data:` URL. */
export interface EnvelopedContent {
  /** The media type, lower-cased, without parameters (`application/vc+jwt`). */
  mediaType: string
  /** Media type parameters (`;charset=…`), names lower-cased; a parameter without `=` maps to ''. */
  parameters: Record<string, string>
  /** Whether the data was base64 encoded (`;base64`). */
  base64: boolean
  /** The decoded content. */
  bytes: Uint8Array
  /** The content as text, when it is valid UTF-8 (always for JWT and SD-JWT). */
  text?: string
}

/** The media type of a VC-JOSE-COSE credential JWT, and the default of {@link envelopeCredential}. */
const VC_JWT_MEDIA_TYPE = 'application/vc+jwt'

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/

/**
 * Wraps a secured credential (a compact JWT by default) as a VCDM 2.0
 * `EnvelopedVerifiableCredential` for the `verifiableCredential` of a presentation: `{ '@context':
 * 'https://www.w3.org/ns/credentials/v2', id: 'data:application/vc+jwt,<jwt>', type:
 * 'EnvelopedVerifiableCredential' }`. Text is percent-encoded where RFC 2397 needs it (a JWT or
 * SD-JWT needs none); bytes (COSE) are written as `;base64`. Throws `invalid_argument` for an empty
 * token or a malformed media type.
 *
 * @example
 *
 * ```ts
 * import { envelopeCredential } from 'credsign'
 * const vcJwt =
 *   'eyJhbGciOiJFUzI1NiIsInR5cCI6InZjK2p3dCJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZTppc3N1ZXIifQ.c2ln' // from JwtVcSigner
 * const presentation = {
 *   '@context': ['https://www.w3.org/ns/credentials/v2'],
 *   type: ['VerifiablePresentation'],
 *   verifiableCredential: [envelopeCredential(vcJwt)], // then sign it with JwtVpSigner
 * }
 * presentation.verifiableCredential[0]?.id // 'data:application/vc+jwt,eyJhbGciOi…'
 * envelopeCredential(vcJwt + '~', 'application/vc+sd-jwt').id // 'data:application/vc+sd-jwt,eyJ…~'
 * ```
 */
export function envelopeCredential(
  token: string | Uint8Array,
  mediaType: string = VC_JWT_MEDIA_TYPE,
): EnvelopedVerifiableCredential {
  return {
    '@context': VC_V2_CONTEXT,
    id: dataUrl(token, mediaType),
    type: 'EnvelopedVerifiableCredential',
  }
}

/**
 * A VCDM 2.0 `EnvelopedVerifiablePresentation` (section 4.13.2): a secured presentation (a `vp+jwt`
 * by default, or a `vp+sd-jwt` with its key binding JWT) as a `data:` URL, which `verify()` unwraps
 * and verifies with the same options (`audience` / `nonce` apply to the presentation inside).
 * Throws `invalid_argument` as {@link envelopeCredential} does.
 *
 * @example
 *
 * ```ts
 * import { envelopePresentation } from 'credsign'
 * const vpJwt =
 *   'eyJhbGciOiJFZERTQSIsInR5cCI6InZwK2p3dCJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZTpob2xkZXIifQ.c2ln' // from JwtVpSigner
 * envelopePresentation(vpJwt)
 * // { '@context': 'https://www.w3.org/ns/credentials/v2', id: 'data:application/vp+jwt,eyJ…', type: 'EnvelopedVerifiablePresentation' }
 * envelopePresentation(vpJwt + '~', 'application/vp+sd-jwt').id // 'data:application/vp+sd-jwt,eyJ…~'
 * ```
 */
export function envelopePresentation(
  token: string | Uint8Array,
  mediaType = 'application/vp+jwt',
): EnvelopedVerifiablePresentation {
  return {
    '@context': VC_V2_CONTEXT,
    id: dataUrl(token, mediaType),
    type: 'EnvelopedVerifiablePresentation',
  }
}

/**
 * A VCDM 2.0 `EnvelopedVerifiablePresentation`: a secured presentation (a JWT, an SD-JWT) as a
 * `data:` URL in `id`; see {@link envelopePresentation}.
 *
 * @example
 *
 * ```ts
 * import type { EnvelopedVerifiablePresentation } from 'credsign'
 * const envelope: EnvelopedVerifiablePresentation = {
 *   '@context': 'https://www.w3.org/ns/credentials/v2',
 *   id: 'data:application/vp+jwt,eyJhbGciOi...',
 *   type: 'EnvelopedVerifiablePresentation',
 * }
 * ```
 */
export interface EnvelopedVerifiablePresentation {
  '@context': string | string[]
  id: string
  type: string | string[]
  [member: string]: unknown
}

function dataUrl(token: string | Uint8Array, mediaType: string): string {
  if (typeof mediaType !== 'string' || !MEDIA_TYPE.test(mediaType.toLowerCase())) {
    throw new CredsignError(
      'invalid_argument',
      'mediaType must be a type/subtype media type such as application/vc+jwt',
    )
  }
  let data: string
  if (typeof token === 'string') {
    if (token.length === 0)
      throw new CredsignError('invalid_argument', 'the credential to envelope is empty')
    data = `,${encodeURIComponent(token)}`
  } else if (token instanceof Uint8Array) {
    if (token.length === 0)
      throw new CredsignError('invalid_argument', 'the credential to envelope is empty')
    data = `;base64,${b64(token)}`
  } else {
    throw new CredsignError('invalid_argument', 'envelopeCredential needs a string or bytes')
  }
  return `data:${mediaType}${data}`
}

/**
 * Reads the `data:` URL of an `EnvelopedVerifiableCredential` (or the URL itself): media type,
 * parameters and content. Does not verify anything. Throws `malformed` when `envelope` is not an
 * object of type `EnvelopedVerifiableCredential` with a string `id`, or the id is not a well-formed
 * `data:` URL (RFC 2397).
 *
 * @example
 *
 * ```ts
 * import { envelopeCredential, parseEnvelopedCredential } from 'credsign'
 * const parsed = parseEnvelopedCredential(envelopeCredential('eyJhbGciOiJFUzI1NiJ9.e30.c2ln'))
 * parsed.mediaType // 'application/vc+jwt'
 * parsed.text // 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln'
 * ```
 */
export function parseEnvelopedCredential(envelope: unknown): EnvelopedContent {
  let url: unknown = envelope
  if (isJsonObject(envelope)) {
    if (!typesOf(envelope.type)?.includes('EnvelopedVerifiableCredential')) {
      throw new CredsignError('malformed', 'not an EnvelopedVerifiableCredential (type)')
    }
    url = envelope.id
  }
  if (typeof url !== 'string')
    throw new CredsignError('malformed', 'an EnvelopedVerifiableCredential needs a string id')
  return parseDataUrl(url, 'EnvelopedVerifiableCredential')
}

/**
 * Reads a `data:` URL (RFC 2397): media type, parameters and content. Throws `malformed`.
 *
 * @internal
 */
export function parseDataUrl(url: string, what = 'envelope'): EnvelopedContent {
  if (!/^data:/i.test(url))
    throw new CredsignError('malformed', `the id of an ${what} must be a data: URL`)
  const comma = url.indexOf(',')
  if (comma === -1)
    throw new CredsignError('malformed', 'a data: URL needs a comma before its data')
  const head = url.slice(5, comma).split(';')
  const mediaType = (head.shift() ?? '').trim().toLowerCase()
  if (!MEDIA_TYPE.test(mediaType))
    throw new CredsignError('malformed', 'the data: URL has no valid media type')
  const parameters: Record<string, string> = {}
  let isBase64 = false
  head.forEach((part, index) => {
    const equals = part.indexOf('=')
    const name = (equals === -1 ? part : part.slice(0, equals)).trim().toLowerCase()
    // RFC 2397: `;base64` can only be the last token before the comma.
    if (name === 'base64' && equals === -1 && index === head.length - 1) isBase64 = true
    else if (name !== '') parameters[name] = equals === -1 ? '' : part.slice(equals + 1).trim()
  })
  let raw: string
  try {
    raw = decodeURIComponent(url.slice(comma + 1))
  } catch (cause) {
    throw new CredsignError('malformed', 'the data: URL has a broken percent-encoding', { cause })
  }
  let bytes: Uint8Array
  if (isBase64) {
    try {
      // Producers leave out the padding and wrap lines (the suite's COSE credential ends in a newline).
      const text = raw.replace(/\s+/g, '')
      bytes = fromB64(text.padEnd(text.length + ((4 - (text.length % 4)) % 4), '='), 'malformed')
    } catch (cause) {
      throw new CredsignError('malformed', 'the data: URL says base64 but its data is not base64', {
        cause,
      })
    }
  } else {
    bytes = utf8(raw)
  }
  const result: EnvelopedContent = { mediaType, parameters, base64: isBase64, bytes }
  const text = isBase64 ? decodeText(bytes) : raw
  if (text !== undefined) result.text = text
  return result
}

const PART = '[A-Za-z0-9_-]+'
/** RFC 7515 section 7.1: header, payload and signature, base64url, separated by periods. */
const COMPACT_JWS = new RegExp(`^${PART}\\.${PART}\\.${PART}$`)
/** RFC 9901 section 4: `<issuer JWT>~<disclosure>~…~[<KB-JWT>]`. */
const COMPACT_SD_JWT = new RegExp(
  `^${PART}\\.${PART}\\.${PART}~(?:${PART}~)*(?:${PART}\\.${PART}\\.${PART})?$`,
)

/**
 * Why the text of an envelope's `data:` URL is not the serialization its media type registers, or
 * undefined when it is (or the media type is no JOSE one: COSE, anything else). VC-JOSE-COSE
 * section 7: `…+jwt` values are a compact JWS ("base64url-encoded values … separated by period"),
 * `…+sd-jwt` values an SD-JWT (periods and tildes). Content of another shape (a JSON envelope, a
 * JWS JSON serialization, whitespace around the token) would otherwise reach `verify()` as whatever
 * it parses to, under a label that does not describe it.
 *
 * @internal
 */
export function envelopeSerializationProblem(mediaType: string, text: string): string | undefined {
  const isSdJwt = mediaType.endsWith('+sd-jwt')
  if (!isSdJwt && !mediaType.endsWith('+jwt') && mediaType !== 'application/jwt') return undefined
  if ((isSdJwt ? COMPACT_SD_JWT : COMPACT_JWS).test(text)) return undefined
  return `the data: URL of ${mediaType} must hold a compact ${isSdJwt ? 'SD-JWT' : 'JWS'} (VC-JOSE-COSE section 7), nothing else`
}

function decodeText(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}
