import * as z from 'zod'
import { sha256 } from '@noble/hashes/sha2.js'
import { CredsignError } from '../errors/credsign-error.js'
import type { StatusLists } from '../status/status-lists.js'
import { b64u, utf8 } from '../util/bytes.js'
import { readJsonBody } from './body.js'
import { json, type Route, type RouteContext } from './route-context.js'
import { HttpError } from './problem.js'
import { parseRequest } from './validate.js'

/*
 * Status lists over HTTP (docs/http.md, "Status lists"): the public, cacheable GET of each published
 * list, and the authenticated VC-API `POST /credentials/status` that changes a credential's status.
 * Both need `options.statusLists` (the issuer's `StatusLists`); without it they answer 404.
 */

/** Where the handler serves list `id`: a credential's `statusListCredential` / `uri` names it. */
export const STATUS_LIST_PATH = '/status-lists/'

function listsOf(context: RouteContext): StatusLists {
  const lists = context.options.statusLists
  if (lists === undefined)
    throw new HttpError('route_not_found', 'this server publishes no status lists')
  return lists
}

/**
 * `GET /status-lists/:id`: the list signed and current (`vc+jwt` for a Bitstring Status List,
 * `statuslist+jwt` for a Token Status List), re-signed only when it changed or nears its expiry.
 * Public, cacheable for its `ttl`, with a strong `ETag` (a 304 for a matching `If-None-Match`).
 */
export const statusListRoute: Route = {
  method: 'GET',
  path: `${STATUS_LIST_PATH}:id`,
  public: true,
  summary:
    'A published status list: application/vc+jwt (Bitstring) or application/statuslist+jwt (Token Status List). Cacheable; ETag and If-None-Match.',
  successStatus: 200,
  async run(context) {
    const lists = listsOf(context)
    let published
    try {
      published = await lists.publish(context.params.id!)
    } catch (error) {
      // An unknown list id is a path that serves nothing, not a store problem.
      if (CredsignError.is(error, 'not_found') || CredsignError.is(error, 'invalid_key_id'))
        throw new HttpError('route_not_found', 'no status list has this id')
      throw error
    }
    const etag = `"${b64u(sha256(utf8(published.jwt)).subarray(0, 18))}"`
    const secondsLeft = Math.floor((published.expiresAt - context.now()) / 1000)
    const maxAge = Math.max(0, Math.min(published.ttl, secondsLeft))
    const headers = {
      etag,
      'cache-control': `public, max-age=${maxAge}`,
      'content-type': published.mediaType,
    }
    if (matchesEtag(context.request.headers.get('if-none-match'), etag))
      return new Response(null, { status: 304, headers })
    return new Response(published.jwt, { status: 200, headers })
  },
}

/** RFC 9110 section 13.1.2: `*`, or any listed tag, compared weakly (a `W/` prefix is ignored). */
function matchesEtag(header: string | null, etag: string): boolean {
  if (header === null) return false
  if (header.trim() === '*') return true
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .includes(etag)
}

const statusChangeSchema = z
  .strictObject({
    /** The credential's entry, as it carries it: a BitstringStatusListEntry or `status`. */
    credentialStatus: z
      .union([
        z.looseObject({
          type: z.literal('BitstringStatusListEntry'),
          statusListIndex: z.string().regex(/^(?:0|[1-9][0-9]{0,15})$/),
          statusListCredential: z.string().min(1).max(2000),
        }),
        z.strictObject({
          status_list: z.looseObject({
            idx: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
            uri: z.string().min(1).max(2000),
          }),
        }),
      ])
      .optional(),
    /** Or the list and index directly. */
    listId: z.string().min(1).max(500).optional(),
    index: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    /**
     * `revoked` (final), `suspended`, `active` (status 0: lifts a suspension), or a status value
     * (message lists, application-specific Token Status List values).
     */
    status: z.union([z.enum(['revoked', 'suspended', 'active']), z.number().int().min(0).max(255)]),
  })
  .meta({ id: 'UpdateCredentialStatusRequest' })

/**
 * `POST /credentials/status` (VC-API "update status", authenticated): sets the status of the entry
 * a credential carries (or of `listId` + `index`). 200 `{ listId, index, status, changed }`; the
 * next `GET /status-lists/{listId}` serves the re-signed list.
 */
export const updateStatusRoute: Route = {
  method: 'POST',
  path: '/credentials/status',
  summary:
    "VC-API: change a credential's status (revoked, suspended, active, or a value) on this server's status lists.",
  successStatus: 200,
  requestSchema: statusChangeSchema,
  async run(context) {
    const lists = listsOf(context)
    const body = parseRequest(
      statusChangeSchema,
      await readJsonBody(context.request, context.limits),
    )
    const { listId, index } = targetOf(body)
    let changed: boolean
    if (body.status === 'revoked') changed = await lists.revoke(listId, index)
    else if (body.status === 'suspended') changed = await lists.suspend(listId, index)
    // `active` is status 0: lifts a suspension; a final status (revoked) refuses it, 409.
    else if (body.status === 'active') changed = await lists.setStatus(listId, index, 0)
    else changed = await lists.setStatus(listId, index, body.status)
    return json({ listId, index, status: body.status, changed })
  },
}

function targetOf(body: z.infer<typeof statusChangeSchema>): {
  listId: string
  index: number
} {
  const entry = body.credentialStatus
  if (entry === undefined) {
    if (body.listId === undefined || body.index === undefined)
      throw new HttpError('invalid_request', 'give credentialStatus, or listId and index')
    return { listId: body.listId, index: body.index }
  }
  if (body.listId !== undefined || body.index !== undefined)
    throw new HttpError('invalid_request', 'give credentialStatus or listId and index, not both')
  let url: string
  let index: number
  if ('statusListCredential' in entry && typeof entry.statusListCredential === 'string') {
    const bitstring = entry as { statusListCredential: string; statusListIndex: string }
    url = bitstring.statusListCredential
    index = Number(bitstring.statusListIndex)
  } else {
    const token = entry as { status_list: { idx: number; uri: string } }
    url = token.status_list.uri
    index = token.status_list.idx
  }
  return { listId: listIdOf(url), index }
}

/**
 * The list id of a list URL this server serves: its path ends in `/status-lists/{id}` (the host is
 * not compared: behind a proxy the public host is not the request's). An id this server does not
 * have is `not_found`.
 */
function listIdOf(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new HttpError('invalid_request', 'the status list URL is not a URL')
  }
  const at = parsed.pathname.lastIndexOf(STATUS_LIST_PATH)
  if (at < 0 || parsed.search !== '' || parsed.hash !== '')
    throw new HttpError(
      'invalid_request',
      `the status list is not one this server serves (a URL ending in ${STATUS_LIST_PATH}{id})`,
    )
  const id = parsed.pathname.slice(at + STATUS_LIST_PATH.length)
  try {
    return decodeURIComponent(id)
  } catch {
    throw new HttpError('invalid_request', 'the status list id is not valid percent-encoding')
  }
}
