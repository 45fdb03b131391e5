import { CredsignError } from '../errors/credsign-error.js'
import type { FetchLike, NetworkLimits } from './options.js'
import { concat } from '../util/bytes.js'

/*
 * Loaded by import() only (network-loader.ts; network-resolution.ts, itself loaded so), so an app
 * that configures no fetch never loads it. It imports nothing but modules every bundle of credsign
 * loads anyway, hence its own resolutionFailed: a module a lazy chunk imports joins the initial
 * load of every app (scripts/bundle-size.mjs), and importing resolution-errors.ts from here cost
 * every size row about 1 KB gz (verifySignature 5.9 -> 6.4).
 */

/**
 * A `key_resolution_failed` whose cause says why (resolution-errors.ts's resolutionFailed), for
 * this module and network-resolution.ts.
 *
 * @internal
 */
export function resolutionFailed(message: string, cause?: unknown): CredsignError {
  return new CredsignError('key_resolution_failed', message, cause === undefined ? {} : { cause })
}

/**
 * What {@link fetchJsonText} needs: the caller's fetch, the limits, the media types accepted and an
 * optional caller signal.
 *
 * @example
 *
 * ```ts
 * const request: BoundedRequest = {
 *   fetch,
 *   timeoutMs: 5000,
 *   maxBytes: 262144,
 *   mediaTypes: ['application/json'],
 * }
 * ```
 */
export interface BoundedRequest extends NetworkLimits {
  fetch: FetchLike
  /** Accepted `Content-Type` media types, lowercase, without parameters. */
  mediaTypes: readonly string[]
  signal?: AbortSignal | undefined
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * GETs `url` and returns its body as text, within limits that hold even against a hostile server:
 *
 * - One timeout covers the whole exchange (connect, headers and body), through an `AbortController`;
 *   every await also races the abort, so a `fetch` that ignores its signal cannot stall the caller
 *   either;
 * - The caller's `signal` aborts it the same way;
 * - The body is counted while it streams and the read is cancelled one chunk past `maxBytes` (a
 *   `Content-Length` above the limit fails early, but is never trusted to be true);
 * - Redirects are refused (`redirect: 'manual'`; a 3xx, an opaque redirect or a response the fetch
 *   followed anyway all fail), only status 200 is accepted, the media type must be listed;
 * - No cookies or referrer are sent (`credentials: 'omit'`, `referrerPolicy: 'no-referrer'`);
 * - A URL that does not parse, or that carries credentials (`user:password@`), is refused before any
 *   request: the Fetch standard refuses the latter too, and with an error whose message holds the
 *   whole URL, password included.
 *
 * Every failure is `key_resolution_failed`.
 *
 * @example
 *
 * ```ts
 * const text = await fetchJsonText('https://issuer.example/.well-known/did.json', {
 *   fetch,
 *   timeoutMs: 5000,
 *   maxBytes: 262144,
 *   mediaTypes: ['application/did+json', 'application/json'],
 * })
 * ```
 */
export async function fetchJsonText(url: string, request: BoundedRequest): Promise<string> {
  const bytes = await fetchBoundedBytes(url, request)
  try {
    return decoder.decode(bytes)
  } catch (cause) {
    throw resolutionFailed('the response is not UTF-8', cause)
  }
}

/**
 * GETs `url` and returns its body as bytes, within the limits {@link fetchJsonText} describes (one
 * timeout for the whole exchange, the body counted against `maxBytes` while it streams, redirects
 * refused, only status 200 and a listed media type accepted). Every failure is
 * `key_resolution_failed`; callers that fetch something else than keys (CRLs, OCSP responses)
 * rethrow it under their own code.
 *
 * @example
 *
 * ```ts
 * const der = await fetchBoundedBytes('http://crl.ca.example/ca.crl', {
 *   fetch,
 *   timeoutMs: 5000,
 *   maxBytes: 1048576,
 *   mediaTypes: ['application/pkix-crl'],
 * })
 * ```
 */
export async function fetchBoundedBytes(url: string, request: BoundedRequest): Promise<Uint8Array> {
  const { signal, timeoutMs, maxBytes } = request
  // Duck-typed: AbortSignal polyfills and other realms' signals are not `instanceof` this one.
  if (
    signal !== undefined &&
    (typeof signal?.addEventListener !== 'function' || typeof signal.aborted !== 'boolean')
  ) {
    throw new CredsignError('invalid_argument', 'signal must be an AbortSignal')
  }
  if (signal?.aborted) throw callerAborted(signal)
  refuseUnsendableUrl(url)

  const controller = new AbortController()
  // The first reason to stop wins; later ones (e.g. the cleanup abort below) do not replace it.
  let stopped: CredsignError | undefined
  const stop = (reason: CredsignError): void => {
    if (stopped !== undefined) return
    stopped = reason
    controller.abort(reason)
  }
  const whenStopped = new Promise<never>((_, reject) => {
    controller.signal.addEventListener(
      'abort',
      () => reject(stopped ?? resolutionFailed('request aborted')),
      { once: true },
    )
  })
  whenStopped.catch(() => undefined) // observed through race(); never an unhandled rejection
  const race = <T>(step: Promise<T>): Promise<T> => Promise.race([step, whenStopped])

  const timer = setTimeout(() => stop(noCompleteResponse(timeoutMs)), timeoutMs)
  const onCallerAbort = (): void => stop(callerAborted(signal))
  signal?.addEventListener('abort', onCallerAbort, { once: true })

  // Called unbound: a browser's window.fetch refuses any other `this` ('Illegal invocation'), and
  // `request.fetch(…)` would pass the request object.
  const callerFetch = request.fetch
  try {
    const response = await race(
      (async () =>
        callerFetch(url, {
          method: 'GET',
          headers: { accept: request.mediaTypes.join(', ') },
          redirect: 'manual',
          credentials: 'omit',
          referrerPolicy: 'no-referrer',
          signal: controller.signal,
        }))(),
    )
    checkResponse(response, request.mediaTypes, maxBytes)
    return await readBody(response, maxBytes, race)
  } catch (error) {
    // After a stop, the fetch's own error (an AbortError) says less than our reason.
    if (stopped !== undefined) throw stopped
    if (error instanceof CredsignError) throw error
    throw resolutionFailed('the request failed', error)
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onCallerAbort)
    // Releases the connection of a response whose body was not read to the end (no-op otherwise).
    if (stopped === undefined) controller.abort(resolutionFailed('request finished'))
  }
}

/**
 * Waits for `step` (a bounded fetch another caller started, say) at most `timeoutMs`: then rejects
 * as {@link fetchBoundedBytes} does when its own timeout ends it (`key_resolution_failed`, "no
 * complete response within … ms"). `step` itself goes on.
 *
 * @example
 *
 * ```ts
 * declare const shared: Promise<Uint8Array>
 * const der = await withinTimeout(shared, 5000)
 * ```
 *
 * @internal
 */
export async function withinTimeout<T>(step: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(noCompleteResponse(timeoutMs)), timeoutMs)
  })
  try {
    return await Promise.race([step, timedOut])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Refuses, without a cause (a URL parser's or fetch's error quotes the whole URL), a URL that does
 * not parse or that carries userinfo: credsign never sends credentials in a URL, and a fetch that
 * refuses it (every standard one) would put the password in its error.
 */
function refuseUnsendableUrl(url: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw resolutionFailed('the URL does not parse')
  }
  if (parsed.username !== '' || parsed.password !== '')
    throw resolutionFailed(
      'the URL carries credentials (user:password@), which credsign never sends',
    )
}

function noCompleteResponse(timeoutMs: number): CredsignError {
  return resolutionFailed(`no complete response within ${timeoutMs} ms`)
}

/**
 * The `key_resolution_failed` of a resolution the caller's signal aborted, its reason as cause.
 *
 * @internal
 */
export function callerAborted(signal: AbortSignal | undefined): CredsignError {
  return new CredsignError('key_resolution_failed', 'resolution aborted by the caller', {
    cause: signal?.reason,
  })
}

function checkResponse(
  response: unknown,
  mediaTypes: readonly string[],
  maxBytes: number,
): asserts response is Response {
  if (
    typeof response !== 'object' ||
    response === null ||
    typeof (response as Response).status !== 'number' ||
    typeof (response as Response).headers?.get !== 'function'
  ) {
    throw resolutionFailed('fetch did not return a Response')
  }
  const { status, type, redirected, headers } = response as Response
  // A browser answers `redirect: 'manual'` with an opaque redirect (status 0); Node with the 3xx
  // itself; a custom fetch that followed anyway says `redirected`. None of them is accepted.
  if (type === 'opaqueredirect' || redirected === true || (status >= 300 && status < 400)) {
    throw resolutionFailed(`redirect refused (status ${status}): credsign never follows redirects`)
  }
  if (status !== 200) throw resolutionFailed(`HTTP status ${status}`)
  const mediaType = (headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (!mediaTypes.includes(mediaType)) {
    throw resolutionFailed(
      `content type ${mediaType === '' ? '(none)' : mediaType} is not one of ${mediaTypes.join(', ')}`,
    )
  }
  const declared = headers.get('content-length')
  if (declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > maxBytes) {
    throw resolutionFailed(
      `the response declares ${declared.trim()} bytes, more than the limit of ${maxBytes}`,
    )
  }
}

async function readBody(
  response: Response,
  maxBytes: number,
  race: <T>(step: Promise<T>) => Promise<T>,
): Promise<Uint8Array> {
  const body = response.body
  if (body === null || body === undefined) return new Uint8Array(0)
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await race(reader.read())
      if (done) break
      if (!ArrayBuffer.isView(value)) throw resolutionFailed('the response body is not bytes')
      total += value.byteLength
      if (total > maxBytes)
        throw resolutionFailed(`the response is larger than the limit of ${maxBytes} bytes`)
      chunks.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
    }
  } catch (error) {
    // Stop the sender: a body that never ends must not keep streaming into a closed reader.
    reader.cancel().catch(() => undefined)
    throw error
  }
  return concat(...chunks)
}

/**
 * Parses response text as a JSON object (not an array or a primitive); `key_resolution_failed`
 * otherwise.
 *
 * @example
 *
 * ```ts
 * parseJsonObject('{"id":"did:web:issuer.example"}') // { id: 'did:web:issuer.example' }
 * ```
 */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    // No cause: the engine's SyntaxError quotes the remote party's text, which has no place in
    // this server's logs (and says nothing the message does not).
    throw resolutionFailed('the response is not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw resolutionFailed('the response is not a JSON object')
  return value as Record<string, unknown>
}
