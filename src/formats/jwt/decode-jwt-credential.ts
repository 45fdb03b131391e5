import { CredsignError } from '../../errors/credsign-error.js'
import { parseJsonText } from '../../jose/json.js'
import { decodeSignature, jwsLimits, splitJws } from '../../jose/parse.js'
import type { JoseHeader } from '../../jose/types.js'
import { classifyJwt, type JwtKind } from './classify.js'
import { decodeV1Credential, decodeV1Presentation } from './mapping-v1.js'
import type { VcVersion } from '../../credential/types.js'
import { extractVcJosePayload, type ExtractedDocument } from '../../credential/vc-jose-claims.js'
import { idOf, isJsonObject } from '../../credential/validate-shared.js'
import { dataModelVersion } from '../../credential/data-model-version.js'

/**
 * Strict UTF-8 that keeps a BOM (which then makes the payload not JSON), as the jose layer reads
 * it.
 */
const payloadDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * A JWT credential or presentation decoded WITHOUT verification (see {@link decodeJwtCredential}).
 *
 * @example
 *
 * ```ts
 * import type { DecodedJwtCredential } from 'credsign'
 * const show = (d: DecodedJwtCredential) => `${d.format} from ${d.issuer ?? 'unknown'}`
 * ```
 */
export interface DecodedJwtCredential {
  /**
   * `vc+jwt` / `vp+jwt` (VC-JOSE-COSE), `vc-jwt` / `vp-jwt` (VCDM 1.1 `vc` / `vp` claim), `jwt`, or
   * `jws` (payload not a JSON object).
   */
  format: JwtKind['format']
  /** The protected header. */
  header: JoseHeader
  /**
   * The claims set (parsed JSON), the payload text when it is not JSON, or undefined when it is not
   * text.
   */
  payload: unknown
  /**
   * The credential: the payload itself (2.0), or the `vc` claim with the VCDM 1.1 decoding rules
   * applied.
   */
  credential?: Record<string, unknown>
  /** The presentation, likewise. */
  presentation?: Record<string, unknown>
  /** The data model the credential or presentation declares (`@context`). */
  version?: VcVersion
  /** The issuer id (credentials) or holder id (presentations; `iss` when there is no holder). */
  issuer?: string
}

/**
 * Decodes a compact JWT credential or presentation for display or routing, WITHOUT verifying its
 * signature, issuer or validity: never trust what it returns (use `verify()` for that). Applies the
 * same classification and VCDM 1.1 decoding rules as verification. Throws `malformed` when `jwt` is
 * not a compact JWS (three base64url segments, a JSON object header).
 *
 * @example
 *
 * ```ts
 * import { decodeJwtCredential } from 'credsign'
 * const decoded = decodeJwtCredential(
 *   'eyJhbGciOiJFUzI1NiIsInR5cCI6InZjK2p3dCJ9.' +
 *     'eyJAY29udGV4dCI6WyJodHRwczovL3d3dy53My5vcmcvbnMvY3JlZGVudGlhbHMvdjIiXSwidHlwZSI6WyJWZXJpZmlhYmxlQ3JlZGVudGlhbCJdLCJpc3N1ZXIiOiJkaWQ6ZXhhbXBsZTppc3N1ZXIiLCJjcmVkZW50aWFsU3ViamVjdCI6eyJpZCI6ImRpZDpleGFtcGxlOmFsaWNlIn19.' +
 *     'c2ln',
 * )
 * decoded.format // 'vc+jwt'
 * decoded.issuer // 'did:example:issuer'
 * ```
 */
export function decodeJwtCredential(jwt: string): DecodedJwtCredential {
  if (typeof jwt !== 'string') throw new CredsignError('malformed', 'a JWT is a string')
  const token = jwt.trim()
  if (token.startsWith('{'))
    throw new CredsignError('malformed', 'a JWT uses the compact serialization')
  const limits = jwsLimits({})
  const split = splitJws(token, limits)
  const raw = split.signatures[0]
  if (raw === undefined) throw new CredsignError('malformed', 'the JWS has no signature')
  const header = decodeSignature(raw, limits).protectedHeader
  const payload = readPayload(split.payload, limits.maxJsonDepth)
  const kind = classifyJwt(header, payload)
  const decoded: DecodedJwtCredential = { format: kind.format, header, payload }
  const extracted = extractDocument(kind.format, payload)
  if (extracted) {
    decoded[extracted.kind] = extracted.document
    const version = dataModelVersion(extracted.document)
    if (version !== undefined) decoded.version = version
  }
  const issuer = issuerOf(extracted, payload)
  if (issuer !== undefined) decoded.issuer = issuer
  return decoded
}

/**
 * The payload as JSON when it is JSON, as text when it is other text, else undefined. A payload
 * that starts like JSON but does not parse (a member twice, nesting too deep, a syntax error) is
 * `malformed`: reading it as text would let a broken claims set pass as an opaque JWS payload.
 *
 * @internal
 */
export function readPayload(bytes: Uint8Array, maxDepth: number): unknown {
  let text: string
  try {
    text = payloadDecoder.decode(bytes)
  } catch {
    return undefined
  }
  const start = text.trimStart()[0]
  if (start !== '{' && start !== '[' && start !== '"') return text
  return parseJsonText(text, 'the payload', maxDepth)
}

/** The credential or presentation a JWT of `format` carries, by the rules of its encoding. @internal */
export function extractDocument(
  format: JwtKind['format'],
  payload: unknown,
): ExtractedDocument | undefined {
  if (!isJsonObject(payload)) return undefined
  if (format === 'vc+jwt' || format === 'vp+jwt')
    return extractVcJosePayload(
      format === 'vc+jwt' ? 'credential' : 'presentation',
      payload,
      format,
    )
  if (format === 'vc-jwt') {
    const { document, problems } = decodeV1Credential(payload)
    return { kind: 'credential', document, modelProblems: [], claimProblems: problems }
  }
  if (format === 'vp-jwt') {
    const { document, problems } = decodeV1Presentation(payload)
    return { kind: 'presentation', document, modelProblems: [], claimProblems: problems }
  }
  return undefined
}

/** The issuer (credential) or holder (presentation; else `iss`) a token is bound to. @internal */
export function issuerOf(
  extracted: ExtractedDocument | undefined,
  payload: unknown,
): string | undefined {
  if (extracted?.kind === 'credential') return idOf(extracted.document.issuer)
  const holder = extracted ? idOf(extracted.document.holder) : undefined
  if (holder !== undefined) return holder
  return isJsonObject(payload) && typeof payload.iss === 'string' ? payload.iss : undefined
}
