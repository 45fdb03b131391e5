import { parseJsonBytes } from '../jose/json.js'
import { nodeBodyOf } from './node-request.js'
import { HttpError } from './problem.js'

/** Request limits (see {@link HandlerOptions.limits}). @internal */
export interface BodyLimits {
  maxBodyBytes: number
  maxJsonDepth: number
}

/**
 * Default largest request body: 1 MiB (a credential with an embedded image fits; Express's default
 * is 100 kB).
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024
/** Default deepest JSON nesting in a request body (a VC rarely goes past 15). */
export const DEFAULT_MAX_JSON_DEPTH = 32

/**
 * Whether a `Content-Type` names JSON: `application/json` or any `application/*+json`, with
 * parameters. @internal
 */
export function isJsonContentType(value: string | null): boolean {
  if (value === null) return false
  const essence = value.split(';', 1)[0]!.trim().toLowerCase()
  return (
    essence === 'application/json' ||
    (essence.startsWith('application/') && essence.endsWith('+json'))
  )
}

/**
 * Reads a JSON request body within the limits: `unsupported_media_type` (415) unless the content
 * type is JSON, `payload_too_large` (413) as soon as the declared or the streamed length passes
 * `maxBodyBytes` (the rest is never buffered), `malformed` (400) for bytes that are not UTF-8 JSON,
 * duplicate members or nesting deeper than `maxJsonDepth` (checked before `JSON.parse` runs).
 *
 * @internal
 */
export async function readJsonBody(request: Request, limits: BodyLimits): Promise<unknown> {
  if (!isJsonContentType(request.headers.get('content-type'))) {
    throw new HttpError(
      'unsupported_media_type',
      'the request body must be JSON (Content-Type: application/json)',
    )
  }
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > limits.maxBodyBytes) throw tooLarge(limits)
  let bytes: Uint8Array
  const fromNode = nodeBodyOf(request)
  if (fromNode !== undefined) {
    // toNodeListener's request: the body straight from node:http, no web stream in between.
    if (fromNode === null) throw new HttpError('malformed', 'the request has no body')
    const read = await fromNode.read(limits.maxBodyBytes)
    if ('tooLarge' in read) throw tooLarge(limits)
    bytes = read.bytes
  } else {
    bytes = await readStream(request, limits)
  }
  const length = bytes.byteLength
  if (length === 0) throw new HttpError('malformed', 'the request body is empty')
  return parseJsonBytes(bytes, 'the request body', limits.maxJsonDepth)
}

/** A web Request's body, streamed, stopped as soon as it passes the limit. */
async function readStream(request: Request, limits: BodyLimits): Promise<Uint8Array> {
  const body = request.body
  if (body === null) throw new HttpError('malformed', 'the request has no body')
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      length += value.byteLength
      if (length > limits.maxBodyBytes) {
        await reader.cancel().catch(() => undefined)
        throw tooLarge(limits)
      }
      chunks.push(value)
    }
  } finally {
    reader.releaseLock()
  }
  const bytes = chunks.length === 1 ? chunks[0]! : new Uint8Array(length)
  if (chunks.length !== 1) {
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.byteLength
    }
  }
  return bytes
}

function tooLarge(limits: BodyLimits): HttpError {
  return new HttpError('payload_too_large', `the request body is over ${limits.maxBodyBytes} bytes`)
}
