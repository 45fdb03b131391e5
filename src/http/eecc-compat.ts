import { CredsignError } from '../errors/credsign-error.js'
import { fromHex, subtle, toArrayBufferView, utf8 } from '../util/bytes.js'
import { parseJsonText } from '../jose/json.js'
import { readJsonBody, type BodyLimits } from './body.js'
import type { HandlerOptions } from './options.js'
import { HttpError } from './problem.js'
import { CREDSIGN_VERSION } from './package-version.js'

/*
 * `compat: 'eecc'`: what a client of the EECC key service 2.x would otherwise notice
 * (docs/http.md, "Compatibility mode"). Only the shape of answers changes, and the opt-in request
 * encryption; every check credsign makes still runs.
 */

/** Whether the handler runs in EECC compatibility mode. @internal */
export function isEeccCompat(options: HandlerOptions): boolean {
  return options.compat === 'eecc'
}

/**
 * The JWS name for Ed25519: the caller's choice, else `Ed25519` in compat mode, else `EdDSA`.
 *
 * @internal
 */
export function ed25519NameOf(options: HandlerOptions): 'EdDSA' | 'Ed25519' {
  return options.ed25519Name ?? (isEeccCompat(options) ? 'Ed25519' : 'EdDSA')
}

/** The origin's routes: the ones whose bodies may come encrypted. */
function isOriginBodyRoute(path: string): boolean {
  return path === '/generate' || path === '/delete' || path.startsWith('/sign/')
}

/**
 * Checks `requestEncryption` (only with compat `eecc`; a secret of exactly 32 UTF-8 bytes).
 *
 * @internal
 */
export function checkRequestEncryption(options: HandlerOptions): void {
  const encryption = options.requestEncryption as unknown
  if (encryption === undefined) return
  if (!isEeccCompat(options))
    throw new CredsignError('invalid_argument', "requestEncryption needs compat: 'eecc'")
  const secret = (encryption as { sharedSecret?: unknown } | null)?.sharedSecret
  if (typeof secret !== 'string' || utf8(secret).length !== 32)
    throw new CredsignError(
      'invalid_argument',
      'requestEncryption.sharedSecret must be exactly 32 bytes of UTF-8, as the origin required',
    )
}

/**
 * The request the route sees: with `requestEncryption` and an origin route, a body that is `{
 * "encryptedData": "<base64 of hex(iv):hex(tag):hex(ciphertext)>" }` is opened with AES-256-GCM
 * under the shared secret's 32 UTF-8 bytes and replaced by the JSON it holds (which the route then
 * validates as any body). Any other body passes through, as in the origin (which never required
 * encryption). A body that claims to be encrypted and does not open is 400 `malformed`.
 *
 * @internal
 */
export async function openEncryptedRequest(
  request: Request,
  path: string,
  options: HandlerOptions,
  limits: BodyLimits,
): Promise<Request> {
  const secret = options.requestEncryption?.sharedSecret
  if (secret === undefined || request.method.toUpperCase() !== 'POST' || !isOriginBodyRoute(path))
    return request
  const body = await readJsonBody(request, limits)
  const headers = new Headers(request.headers)
  headers.delete('content-length')
  const rebuilt = (json: unknown): Request =>
    new Request(request.url, { method: 'POST', headers, body: JSON.stringify(json) })
  if (
    body === null ||
    typeof body !== 'object' ||
    Array.isArray(body) ||
    Object.keys(body).length !== 1 ||
    typeof (body as { encryptedData?: unknown }).encryptedData !== 'string'
  )
    return rebuilt(body)
  const plaintext = await decryptPayload((body as { encryptedData: string }).encryptedData, secret)
  // Held to the plain body's rules (readJsonBody): no duplicate member, at most maxJsonDepth deep;
  // JSON.parse took the last of two members and re-serializing a deep nesting threw a RangeError.
  return rebuilt(parseJsonText(plaintext, 'the decrypted request body', limits.maxJsonDepth))
}

async function decryptPayload(encryptedData: string, secret: string): Promise<string> {
  if (encryptedData.length > 200_000 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encryptedData))
    throw notOpened()
  const text = atob(encryptedData)
  const parts = text.split(':')
  if (parts.length !== 3 || !parts.every((p) => /^(?:[0-9a-fA-F]{2})+$/.test(p))) throw notOpened()
  const [iv, tag, ciphertext] = parts.map((part) => fromHex(part)) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ]
  if (iv.length !== 12 || tag.length !== 16) throw notOpened()
  try {
    const key = await subtle().importKey(
      'raw',
      toArrayBufferView(utf8(secret)),
      { name: 'AES-GCM' },
      false,
      ['decrypt'],
    )
    const sealed = new Uint8Array(ciphertext.length + tag.length)
    sealed.set(ciphertext, 0)
    sealed.set(tag, ciphertext.length)
    const opened = await subtle().decrypt(
      { name: 'AES-GCM', iv: toArrayBufferView(iv), tagLength: 128 },
      key,
      toArrayBufferView(sealed),
    )
    return new TextDecoder('utf-8', { fatal: true }).decode(opened)
  } catch {
    throw notOpened()
  }
}

function notOpened(): HttpError {
  return new HttpError('malformed', 'encryptedData does not open with the shared secret')
}

/** Nest's names for the statuses credsign answers. */
const STATUS_NAME: Readonly<Record<number, [string, string]>> = {
  400: ['BAD_REQUEST', 'BadRequestException'],
  401: ['UNAUTHORIZED', 'UnauthorizedException'],
  403: ['FORBIDDEN', 'ForbiddenException'],
  404: ['NOT_FOUND', 'NotFoundException'],
  405: ['METHOD_NOT_ALLOWED', 'MethodNotAllowedException'],
  408: ['REQUEST_TIMEOUT', 'RequestTimeoutException'],
  409: ['CONFLICT', 'ConflictException'],
  413: ['PAYLOAD_TOO_LARGE', 'PayloadTooLargeException'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'UnsupportedMediaTypeException'],
  422: ['UNPROCESSABLE_ENTITY', 'UnprocessableEntityException'],
  429: ['TOO_MANY_REQUESTS', 'TooManyFailedAttempts'],
  500: ['INTERNAL_SERVER_ERROR', 'InternalServerErrorException'],
  503: ['SERVICE_UNAVAILABLE', 'ServiceUnavailableException'],
}

/**
 * A problem response in the origin's error shape: `{ timestamp, status, statusCode, type, message,
 * path, artifact, version }`, plus credsign's `code` (and `errors` / `retryAt` where they apply),
 * as `application/json`. Headers (`Retry-After`, `Allow`, `WWW-Authenticate`) stay.
 *
 * @internal
 */
export async function originErrorResponse(
  problemResponse: Response,
  path: string,
  options: HandlerOptions,
  now: number,
): Promise<Response> {
  const problem = (await problemResponse.json()) as Record<string, unknown>
  const statusCode = problemResponse.status
  const [status, type] = STATUS_NAME[statusCode] ?? ['INTERNAL_SERVER_ERROR', 'HttpException']
  const body: Record<string, unknown> = {
    timestamp: new Date(now).toISOString(),
    status,
    statusCode,
    type,
    message: problem.detail,
    path,
    artifact: options.service?.name ?? 'key-service',
    version: options.service?.version ?? CREDSIGN_VERSION,
    code: problem.code,
  }
  if (problem.errors !== undefined) body.errors = problem.errors
  if (problem.retryAt !== undefined) body.retryAt = problem.retryAt
  const headers = new Headers(problemResponse.headers)
  headers.set('content-type', 'application/json')
  return new Response(JSON.stringify(body), { status: statusCode, headers })
}
