import { CredsignError } from '../errors/credsign-error.js'
import { isSigningFormat, oneOf, SIGNING_FORMATS, VERIFIABLE_KINDS } from '../service/formats.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8 } from '../util/bytes.js'
import { MAX_KEY_ID_LENGTH } from '../stores/key-id.js'
import { validateJwksAlias } from '../vault/key-vault.js'
import { authenticate, checkAuthOption } from './auth.js'
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_JSON_DEPTH, type BodyLimits } from './body.js'
import { decodeSegment, json, type Route, type RouteContext } from './route-context.js'
import { checkCorsOption, corsHeaders, preflightHeaders } from './cors.js'
import { openApiDocument } from './openapi.js'
import type { HandlerOptions } from './options.js'
import { errorResponse, HttpError, type ProblemCode } from './problem.js'
import {
  didWebDocument,
  didWebFor,
  healthRoute,
  jwksRoute,
  jwtVcIssuerRoute,
  keyRoute,
} from './public-routes.js'
import { signRoute } from './sign-route.js'
import { deleteRoute, generateRoute } from './sign-routes.js'
import { issueRoute, verifyRoute } from './vc-api-routes.js'
import { metricsRoute } from './metrics-route.js'
import { statusListRoute, updateStatusRoute } from './status-routes.js'
import { Reply, replyResponse } from './reply.js'
import { HANDLER_INTERNALS, type HandlerInternals } from './node-request.js'
import { VERIFIER_PAGE_ROUTES } from './verifier-page.js'
import {
  checkRequestEncryption,
  isEeccCompat,
  openEncryptedRequest,
  originErrorResponse,
} from './eecc-compat.js'

/** A web-standard request handler, as `createHandler` returns it. */
export type CredsignHandler = (request: Request) => Promise<Response>

const ROUTES: readonly Route[] = [
  generateRoute,
  deleteRoute,
  ...VERIFIABLE_KINDS.map(signRoute),
  issueRoute('/credentials/issue'),
  issueRoute('/issuers/:name/credentials/issue'),
  verifyRoute('credential'),
  verifyRoute('presentation'),
  keyRoute,
  jwksRoute,
  healthRoute('/health'),
  healthRoute('/health/liveness'),
  healthRoute('/health/readiness'),
]

const OPENAPI_PATH = '/openapi.json'

/**
 * The credsign HTTP service as a web-standard `(Request) => Promise<Response>` handler: the origin
 * key service's routes (`/generate`, `/delete`, `/sign/{vc,vp,pop}/{jwt,data-integrity,sd-jwt}`,
 * `/health*`), the VC-API (`/credentials/issue`, `/credentials/verify`, `/presentations/verify`),
 * public keys (`/keys/:id`, `/.well-known/jwks.json`, did:web documents) and `/openapi.json`. Runs
 * unchanged on Deno, Bun, Cloudflare-style runtimes and (through {@link toNodeListener}) node:http
 * and Express. Every error is an `application/problem+json` with a stable `code`; see docs/http.md
 * for the routes and every difference from the origin service.
 *
 * Throws `invalid_argument` for invalid options (no `auth`, tokens shorter than 16 characters, …).
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore } from 'credsign'
 * import { createHandler } from 'credsign/http'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * const handler = createHandler({
 *   vault,
 *   auth: { bearerTokens: ['a-long-random-token-0123456789'] },
 * })
 * const response = await handler(new Request('http://localhost/health'))
 * response.status // 200
 * // Deno.serve(handler) · Bun.serve({ fetch: handler }) · http.createServer(toNodeListener(handler))
 * ```
 */
export function createHandler(options: HandlerOptions): CredsignHandler {
  const settings = checkOptions(options)
  const tokenDigests =
    'bearerTokens' in options.auth ? options.auth.bearerTokens.map((t) => sha256(utf8(t))) : []
  const routes = [
    ...ROUTES,
    ...(options.metrics === undefined ? [] : [metricsRoute(options.metrics)]),
    ...(options.jwtVcIssuer === undefined ? [] : [jwtVcIssuerRoute(options.jwtVcIssuer)]),
    ...(options.statusLists === undefined ? [] : [updateStatusRoute, statusListRoute]),
    ...(options.verifierPage === true ? VERIFIER_PAGE_ROUTES : []),
  ]
  const didWebPaths = (options.didWeb ?? []).map((p) => didWebPath(p.did))
  let openApi: string | undefined
  const now = options.now ?? Date.now

  async function handle(request: Request): Promise<Response | Reply> {
    const started = performance.now()
    let routeName = '(unmatched)'
    let code: ProblemCode | undefined
    let serverDetail: string | undefined
    let response: Response | Reply
    const origin = request.headers.get('origin')
    const requestId =
      options.requestIds === true ? requestIdOf(request.headers.get('x-request-id')) : undefined
    try {
      const url = new URL(request.url)
      const requested = request.method.toUpperCase()
      // HEAD is GET without the body (RFC 9110 section 9.3.2); the body is dropped in finish().
      const method = requested === 'HEAD' ? 'GET' : requested
      const match = matchRoute(routes, url.pathname)
      if (match.kind === 'none') {
        const publication = method === 'GET' ? didWebFor(options, url) : undefined
        if (publication !== undefined) {
          routeName = '/{did:web}/did.json'
          response = json(await didWebDocument(options, publication), 200, {
            'cache-control': 'public, max-age=300',
          })
        } else if (url.pathname === OPENAPI_PATH && method === 'GET') {
          routeName = OPENAPI_PATH
          openApi ??= JSON.stringify(
            openApiDocument(
              routes,
              didWebPaths,
              !('disabled' in options.auth),
              options.vault.store.maxKeyIdLength ?? MAX_KEY_ID_LENGTH,
            ),
          )
          response = new Response(openApi, {
            status: 200,
            headers: { 'content-type': 'application/json' },
          })
        } else {
          throw new HttpError('route_not_found', 'no route has this path')
        }
      } else {
        const allowed = match.routes.map((r) => r.method)
        const route = match.routes.find((r) => r.method === method)
        routeName = (route ?? match.routes[0]!).path
        if (method === 'OPTIONS' && options.cors !== undefined) {
          const headers = corsHeaders(options.cors, origin)
          response = new Response(null, {
            status: 204,
            headers:
              Object.keys(headers).length === 0
                ? {}
                : { ...headers, ...preflightHeaders(options.cors, allowed.join(', ')) },
          })
          return finish(response)
        }
        if (route === undefined)
          throw new HttpError('method_not_allowed', `use ${allowed.join(' or ')}`, {
            allow: allowed.join(', '),
          })
        if (match.params === undefined)
          throw new HttpError('route_not_found', 'a path segment is not valid percent-encoding')
        const caller =
          route.public === true || route.ownAuth === true
            ? { client: undefined }
            : await authenticate(options.auth, tokenDigests, request)
        const context: RouteContext = {
          request: await openEncryptedRequest(request, route.path, options, settings.limits),
          params: match.params,
          caller,
          options,
          limits: settings.limits,
          now,
        }
        response = await route.run(context)
      }
    } catch (error) {
      const failure = errorResponse(error, now())
      code = failure.code
      serverDetail = failure.serverDetail
      response = isEeccCompat(options)
        ? await originErrorResponse(
            replyResponse(failure.response),
            pathOf(request),
            options,
            now(),
          )
        : failure.response
    }
    return finish(response)

    function finish(response: Response | Reply): Response | Reply {
      const head = request.method.toUpperCase() === 'HEAD'
      const result =
        response instanceof Reply
          ? head && response.body !== null
            ? new Reply(response.status, response.headers, null)
            : response
          : head && response.body !== null
            ? new Response(null, { status: response.status, headers: response.headers })
            : response
      const set = (name: string, value: string): void => {
        if (result instanceof Reply) result.headers[name.toLowerCase()] = value
        else result.headers.set(name, value)
      }
      for (const [name, value] of Object.entries(corsHeaders(options.cors, origin)))
        set(name, value)
      set('x-content-type-options', 'nosniff')
      const hasCacheControl =
        result instanceof Reply
          ? result.headers['cache-control'] !== undefined
          : result.headers.has('cache-control')
      if (!hasCacheControl) set('cache-control', 'no-store')
      if (requestId !== undefined) set('x-request-id', requestId)
      if (options.onLog !== undefined) {
        try {
          options.onLog({
            method: request.method,
            route: routeName,
            status: result.status,
            ...(code === undefined ? {} : { code }),
            ...(serverDetail === undefined ? {} : { detail: serverDetail }),
            durationMs: performance.now() - started,
            ...(requestId === undefined ? {} : { requestId }),
          })
        } catch {
          // A failing logger must not turn a response into an error.
        }
      }
      return result
    }
  }

  const credsignHandler = async function credsignHandler(request: Request): Promise<Response> {
    const result = await handle(request)
    return result instanceof Reply ? replyResponse(result) : result
  }
  const internal: HandlerInternals = {
    handle,
    // A Request-like object from toNodeListener is enough, unless an authorize hook is given the
    // request: it gets a real Request.
    acceptsNodeRequests: !('authorize' in options.auth),
  }
  Object.defineProperty(credsignHandler, HANDLER_INTERNALS, { value: internal })
  return credsignHandler
}

/** The request's path, for the origin's error body (never its query). */
function pathOf(request: Request): string {
  try {
    return new URL(request.url).pathname
  } catch {
    return '/'
  }
}

/** What an `X-Request-Id` may be to be echoed and logged: short, and nothing a log could misread. */
const REQUEST_ID_SHAPE = /^[A-Za-z0-9._:-]{1,128}$/

/** The caller's request id when it has a safe shape, else a new one (a random UUID). */
function requestIdOf(presented: string | null): string {
  return presented !== null && REQUEST_ID_SHAPE.test(presented) ? presented : crypto.randomUUID()
}

type RouteMatch =
  { kind: 'none' } | { kind: 'path'; routes: Route[]; params: Record<string, string> | undefined }

function matchRoute(routes: readonly Route[], pathname: string): RouteMatch {
  const segments = pathname.split('/')
  const found: Route[] = []
  let params: Record<string, string> | undefined
  let invalid = false
  for (const route of routes) {
    const pattern = route.path.split('/')
    if (pattern.length !== segments.length) continue
    const candidate: Record<string, string> = {}
    let ok = true
    let bad = false
    for (let i = 0; i < pattern.length; i++) {
      const expected = pattern[i]!
      const actual = segments[i]!
      if (expected.startsWith(':')) {
        if (actual === '') {
          ok = false
          break
        }
        const decoded = decodeSegment(actual)
        if (decoded === undefined) bad = true
        else candidate[expected.slice(1)] = decoded
      } else if (expected !== actual) {
        ok = false
        break
      }
    }
    if (!ok) continue
    found.push(route)
    if (bad) invalid = true
    else params ??= candidate
  }
  if (found.length === 0) return { kind: 'none' }
  return { kind: 'path', routes: found, params: invalid ? undefined : params }
}

function didWebPath(did: string): string {
  const parts = did.split(':').slice(3)
  return parts.length === 0 ? '/.well-known/did.json' : `/${parts.join('/')}/did.json`
}

interface Settings {
  limits: BodyLimits
}

function checkOptions(options: HandlerOptions): Settings {
  if (options === null || typeof options !== 'object')
    throw new CredsignError('invalid_argument', 'createHandler needs options')
  const vault = options.vault as unknown as { unlock?: unknown } | undefined
  if (vault === null || typeof vault !== 'object' || typeof vault.unlock !== 'function')
    throw new CredsignError('invalid_argument', 'options.vault must be a KeyVault')
  checkAuthOption(options.auth)
  const corsProblem = checkCorsOption(options.cors)
  if (corsProblem !== undefined) throw new CredsignError('invalid_argument', corsProblem)
  const maxBodyBytes = options.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const maxJsonDepth = options.limits?.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1)
    throw new CredsignError('invalid_argument', 'limits.maxBodyBytes must be a positive integer')
  if (!Number.isSafeInteger(maxJsonDepth) || maxJsonDepth < 2 || maxJsonDepth > 256)
    throw new CredsignError(
      'invalid_argument',
      'limits.maxJsonDepth must be an integer from 2 to 256',
    )
  const names = new Set<string>()
  for (const profile of options.issuers ?? []) {
    if (
      profile === null ||
      typeof profile !== 'object' ||
      typeof profile.name !== 'string' ||
      !/^[A-Za-z0-9_.-]{1,100}$/.test(profile.name)
    ) {
      throw new CredsignError(
        'invalid_argument',
        'each issuer profile needs a name of letters, digits and _.- (at most 100)',
      )
    }
    if (names.has(profile.name))
      throw new CredsignError('invalid_argument', `two issuer profiles are named ${profile.name}`)
    names.add(profile.name)
    if (
      profile.statusList !== undefined &&
      (typeof profile.statusList !== 'string' || options.statusLists === undefined)
    )
      throw new CredsignError(
        'invalid_argument',
        `issuer profile ${profile.name}: statusList needs the id of a list in options.statusLists`,
      )
    if (!isSigningFormat(profile.format))
      throw new CredsignError(
        'invalid_argument',
        `issuer profile ${profile.name}: format must be ${oneOf(SIGNING_FORMATS)}`,
      )
    if (typeof profile.keyId !== 'string' || !Array.isArray(profile.secrets))
      throw new CredsignError(
        'invalid_argument',
        `issuer profile ${profile.name}: keyId and secrets are required`,
      )
  }
  for (const publication of options.didWeb ?? []) {
    if (
      publication === null ||
      typeof publication !== 'object' ||
      typeof publication.did !== 'string' ||
      !/^did:web:[^:#?/]+(:[^:#?/]+)*$/.test(publication.did)
    ) {
      throw new CredsignError('invalid_argument', 'didWeb entries need a did:web DID')
    }
    if (!Array.isArray(publication.keyIds) || publication.keyIds.length === 0)
      throw new CredsignError(
        'invalid_argument',
        `didWeb ${publication.did}: keyIds must list at least one key`,
      )
  }
  if (options.metrics !== undefined) {
    const metrics = options.metrics as unknown as Record<string, unknown> | null
    if (metrics === null || typeof metrics !== 'object' || typeof metrics.exposition !== 'function')
      throw new CredsignError('invalid_argument', 'metrics needs an exposition function')
    if (metrics.bearerTokens !== undefined)
      checkAuthOption({ bearerTokens: options.metrics.bearerTokens! })
  }
  if (options.compat !== undefined && options.compat !== 'eecc')
    throw new CredsignError('invalid_argument', "compat must be 'eecc' when given")
  checkRequestEncryption(options)
  if (options.jwksAliases !== undefined) {
    if (options.jwksAliases === null || typeof options.jwksAliases !== 'object')
      throw new CredsignError('invalid_argument', 'jwksAliases must map kids to key ids')
    for (const [alias, id] of Object.entries(options.jwksAliases)) {
      validateJwksAlias(alias)
      if (typeof id !== 'string')
        throw new CredsignError('invalid_argument', 'jwksAliases must map kids to key ids')
    }
  }
  if (options.jwtVcIssuer !== undefined) checkJwtVcIssuer(options)
  if (options.onLog !== undefined && typeof options.onLog !== 'function')
    throw new CredsignError('invalid_argument', 'onLog must be a function')
  return { limits: { maxBodyBytes, maxJsonDepth } }
}

/**
 * Whether `issuer` can be a `jwtVcIssuer`: an https URL without query, fragment or credentials, its
 * path at most one segment (one route). `credsign serve --jwt-vc-issuer` checks its flag with it.
 *
 * @example
 *
 * ```ts
 * isJwtVcIssuerUrl('https://issuer.example/tenant') // true
 * isJwtVcIssuerUrl('http://issuer.example') // false
 * ```
 *
 * @internal
 */
export function isJwtVcIssuerUrl(issuer: unknown): boolean {
  let url: URL | undefined
  try {
    url = typeof issuer === 'string' ? new URL(issuer) : undefined
  } catch {
    url = undefined
  }
  return !(
    url === undefined ||
    url.protocol !== 'https:' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== '' ||
    /^\/[^/]+\/./.test(url.pathname)
  )
}

function checkJwtVcIssuer(options: HandlerOptions): void {
  if (!isJwtVcIssuerUrl(options.jwtVcIssuer))
    throw new CredsignError(
      'invalid_argument',
      'jwtVcIssuer must be an https URL without query or fragment, its path at most one segment',
    )
  if (options.jwks === false)
    throw new CredsignError('invalid_argument', 'jwtVcIssuer needs the JWKS (jwks is false)')
}
