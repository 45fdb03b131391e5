import type { FetchLike } from '../../src/index.js'

/** One recorded call of a fake fetch. */
export interface FetchCall {
  url: string
  init: RequestInit
}

/** A route answer: a Response, or a function making one (called per request). */
export type Route = Response | ((call: FetchCall) => Response | Promise<Response>)

/**
 * An in-test fetch over a route table (exact URLs); unknown URLs answer 404. Records every call, so
 * tests can assert that nothing was fetched, or what was.
 */
export function fakeFetch(routes: Record<string, Route>): FetchLike & { calls: FetchCall[] } {
  const calls: FetchCall[] = []
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const call = { url, init }
    calls.push(call)
    const route = routes[url]
    if (route === undefined)
      return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } })
    // A Response body can be read once: clone the shared one for every request.
    return typeof route === 'function' ? route(call) : route.clone()
  }
  return Object.assign(fetch, { calls })
}

/** A JSON response with the given content type (default `application/did+json`). */
export function json(value: unknown, contentType = 'application/did+json', status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': contentType } })
}
