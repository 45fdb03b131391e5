import { CredsignError } from '../errors/credsign-error.js'
import { fromB64u } from '../util/bytes.js'
import { DEFAULT_MAX_JSON_DEPTH, isPlainObject, parseJsonObject, parseJsonText } from './json.js'
import type { JoseHeader, JwsVerifyOptions } from './types.js'

/** Size limits of one verification call (see `JwsVerifyOptions`). */
export interface JwsLimits {
  maxInputBytes: number
  maxHeaderBytes: number
  maxPayloadBytes: number
  maxSignatures: number
  maxJsonDepth: number
}

const DEFAULT_LIMITS: JwsLimits = {
  maxInputBytes: 1024 * 1024,
  maxHeaderBytes: 8 * 1024,
  maxPayloadBytes: 1024 * 1024,
  maxSignatures: 10,
  maxJsonDepth: DEFAULT_MAX_JSON_DEPTH,
}

/**
 * The limits of a call: the defaults, overridden by positive integers in `options` (anything else
 * is `invalid_argument`).
 *
 * @example
 *
 * ```ts
 * jwsLimits({ maxHeaderBytes: 1024 }).maxInputBytes // 1048576
 * ```
 */
export function jwsLimits(options: JwsVerifyOptions): JwsLimits {
  const limits = { ...DEFAULT_LIMITS }
  for (const name of Object.keys(DEFAULT_LIMITS) as (keyof JwsLimits)[]) {
    const value = options[name]
    if (value === undefined) continue
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new CredsignError('invalid_argument', `${name} must be a positive integer`)
    limits[name] = value
  }
  return limits
}

/** One signature of a JWS as found in the input, before its headers are decoded. */
export interface RawSignature {
  protected: string | undefined
  header: unknown
  signature: string
}

/** A JWS split into its parts; the payload is decoded, the signatures are not. */
export interface SplitJws {
  serialization: 'compact' | 'flattened' | 'general'
  payloadB64: string
  payload: Uint8Array
  signatures: RawSignature[]
}

/** One signature with its headers decoded and checked for shape (not yet for meaning). */
export interface DecodedSignature {
  /** The protected header segment as found, `''` when absent: part of the signing input. */
  protectedB64: string
  protectedHeader: JoseHeader
  unprotectedHeader?: JoseHeader
  signature: Uint8Array
}

/**
 * Splits a JWS in any serialization (RFC 7515 section 7): a compact string (exactly three base64url
 * segments), a JSON string, or a parsed flattened or general JSON object. Checks sizes and decodes
 * the payload. Everything wrong is `malformed`.
 *
 * @example
 *
 * ```ts
 * splitJws('eyJhbGciOiJFUzI1NiJ9.e30.AAAA', jwsLimits({})).serialization // 'compact'
 * ```
 */
export function splitJws(input: unknown, limits: JwsLimits): SplitJws {
  if (typeof input === 'string') {
    if (input.length > limits.maxInputBytes)
      throw new CredsignError(
        'malformed',
        `the JWS is longer than ${limits.maxInputBytes} characters`,
      )
    if (input.trimStart().startsWith('{'))
      return splitJson(parseJsonText(input, 'JWS JSON serialization', limits.maxJsonDepth), limits)
    return splitCompact(input, limits)
  }
  if (isPlainObject(input) && !ArrayBuffer.isView(input)) {
    // Measure and use one plain JSON copy: getters, proxies or toJSON() could otherwise show the
    // size check one object and the verifier another (more signatures, longer segments).
    const text = toJson(input, 'the JWS')
    if (text.length > limits.maxInputBytes)
      throw new CredsignError('malformed', `the JWS is larger than ${limits.maxInputBytes} bytes`)
    return splitJson(parseJsonText(text, 'JWS JSON serialization', limits.maxJsonDepth), limits)
  }
  throw new CredsignError(
    'malformed',
    'a JWS is a compact string, a JSON string or a JSON serialization object',
  )
}

function splitCompact(token: string, limits: JwsLimits): SplitJws {
  const parts = token.split('.')
  if (parts.length !== 3)
    throw new CredsignError('malformed', `a compact JWS has 3 parts, this one ${parts.length}`)
  const [protectedB64, payloadB64, signature] = parts as [string, string, string]
  return {
    serialization: 'compact',
    payloadB64,
    payload: decodePayload(payloadB64, limits),
    signatures: [{ protected: protectedB64, header: undefined, signature }],
  }
}

function splitJson(value: unknown, limits: JwsLimits): SplitJws {
  if (!isPlainObject(value))
    throw new CredsignError('malformed', 'the JWS JSON serialization is not an object')
  const { payload } = value
  if (typeof payload !== 'string') {
    throw new CredsignError(
      'malformed',
      payload === undefined
        ? 'the JWS has no payload (detached payloads are not supported)'
        : 'payload must be a string',
    )
  }
  let signatures: RawSignature[]
  let serialization: 'flattened' | 'general'
  if ('signatures' in value) {
    // RFC 7515 section 7.2.2: flattened members next to `signatures` make the input ambiguous.
    if ('signature' in value || 'protected' in value || 'header' in value) {
      throw new CredsignError(
        'malformed',
        'a general JWS has no top-level signature, protected or header',
      )
    }
    if (!Array.isArray(value.signatures))
      throw new CredsignError('malformed', 'signatures must be an array')
    if (value.signatures.length === 0)
      throw new CredsignError('malformed', 'the JWS has no signatures')
    if (value.signatures.length > limits.maxSignatures)
      throw new CredsignError(
        'malformed',
        `the JWS has more than ${limits.maxSignatures} signatures`,
      )
    signatures = value.signatures.map((entry) => rawSignature(entry))
    serialization = 'general'
  } else {
    signatures = [rawSignature(value)]
    serialization = 'flattened'
  }
  return { serialization, payloadB64: payload, payload: decodePayload(payload, limits), signatures }
}

function rawSignature(entry: unknown): RawSignature {
  if (!isPlainObject(entry))
    throw new CredsignError('malformed', 'a signature entry must be an object')
  if (typeof entry.signature !== 'string')
    throw new CredsignError('malformed', 'signature must be a string')
  if (entry.protected !== undefined && typeof entry.protected !== 'string')
    throw new CredsignError('malformed', 'protected must be a string')
  return { protected: entry.protected, header: entry.header, signature: entry.signature }
}

function decodePayload(payloadB64: string, limits: JwsLimits): Uint8Array {
  if (Math.floor((payloadB64.length * 3) / 4) > limits.maxPayloadBytes) {
    throw new CredsignError(
      'malformed',
      `the payload is larger than ${limits.maxPayloadBytes} bytes`,
    )
  }
  return decodeSegment(payloadB64, 'payload')
}

/**
 * Decodes the headers and the signature of one signature entry. The protected header must be
 * base64url of a UTF-8 JSON object without duplicate members; the unprotected header a JSON object;
 * both within `maxHeaderBytes`. All problems are `malformed`.
 *
 * @example
 *
 * ```ts
 * decodeSignature(
 *   { protected: 'eyJhbGciOiJFUzI1NiJ9', header: undefined, signature: '' },
 *   jwsLimits({}),
 * ).protectedHeader
 * // { alg: 'ES256' }
 * ```
 */
export function decodeSignature(raw: RawSignature, limits: JwsLimits): DecodedSignature {
  let protectedHeader: JoseHeader = {}
  if (raw.protected !== undefined) {
    // RFC 7515 section 7.2.1: with no protected header the member is absent, never empty.
    if (raw.protected.length === 0)
      throw new CredsignError('malformed', 'the protected header is empty')
    if (Math.floor((raw.protected.length * 3) / 4) > limits.maxHeaderBytes) {
      throw new CredsignError(
        'malformed',
        `the protected header is larger than ${limits.maxHeaderBytes} bytes`,
      )
    }
    protectedHeader = parseJsonObject(
      decodeSegment(raw.protected, 'protected header'),
      'the protected header',
      limits.maxJsonDepth,
    )
  }
  const decoded: DecodedSignature = {
    protectedB64: raw.protected ?? '',
    protectedHeader,
    signature: decodeSegment(raw.signature, 'signature'),
  }
  if (raw.header !== undefined) {
    if (!isPlainObject(raw.header))
      throw new CredsignError('malformed', 'the unprotected header must be a JSON object')
    // Re-read through JSON so that an object handed in by the caller is plain JSON data (no
    // getters, cycles or prototypes), measured and depth-checked like the protected header.
    const text = toJson(raw.header, 'the unprotected header')
    if (text.length > limits.maxHeaderBytes)
      throw new CredsignError(
        'malformed',
        `the unprotected header is larger than ${limits.maxHeaderBytes} bytes`,
      )
    decoded.unprotectedHeader = parseJsonObject(text, 'the unprotected header', limits.maxJsonDepth)
  }
  return decoded
}

function decodeSegment(segment: string, what: string): Uint8Array {
  // fromB64u refuses padding, `+`, `/`, whitespace, any other character outside the base64url
  // alphabet and non-zero trailing bits.
  try {
    return fromB64u(segment)
  } catch (cause) {
    throw new CredsignError('malformed', `the ${what} is not base64url`, { cause })
  }
}

function toJson(value: unknown, what: string): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (cause) {
    throw new CredsignError('malformed', `${what} is not JSON data`, { cause })
  }
  if (typeof text !== 'string') throw new CredsignError('malformed', `${what} is not JSON data`)
  return text
}
