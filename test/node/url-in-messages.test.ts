// A URL credsign fetches (or is asked to) may carry credentials: userinfo (`user:password@`) or a
// query (`?token=…`). Messages travel further than the URL was meant to (verify()'s errors and
// check details, HTTP error bodies, logs), so they show only scheme://host[:port]/path
// (src/util/shown-url.ts), and the bounded GET refuses userinfo before any request, without the
// fetch's error (which quotes the whole URL) as cause.
import { describe, expect, it } from 'vitest'
import { KeyVault, MemoryStore, createStatusListResolver, verify } from '../../src/index.js'
import { createDocumentLoader } from '../../src/formats/data-integrity/index.js'
import {
  checkContextPolicy,
  contextPolicyOf,
} from '../../src/formats/data-integrity/context-policy.js'
import { createHandler } from '../../src/http/index.js'
import { shownUrl } from '../../src/util/shown-url.js'
import { bitstringEntry, credentialWithStatus } from '../core/status-helpers.js'
import { didSigner, V2 } from '../core/vc-helpers.js'

const PASSWORD = 'hunter2'
const TOKEN = 's3cret-token'
/** Every secret a URL below carries; none may appear in any message. */
const SECRETS = [PASSWORD, TOKEN, 'frag-secret']

/** `error`'s message and those of its causes, all of them. */
function messagesOf(error: unknown): string {
  const messages: string[] = []
  for (let at = error; at instanceof Error; at = at.cause) messages.push(at.message)
  return messages.join(' | ')
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret)
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

describe('shownUrl', () => {
  it('shows scheme, host, port and path; never userinfo, query or fragment; a dropped query as ?…', () => {
    expect(
      shownUrl(`https://user:${PASSWORD}@lists.example:8443/1?token=${TOKEN}#frag-secret`),
    ).toBe('"https://lists.example:8443/1?…"')
    expect(shownUrl('https://lists.example/status/1')).toBe('"https://lists.example/status/1"')
    expect(shownUrl(`urn:uuid:1234?token=${TOKEN}`)).toBe('"urn:uuid:1234?…"')
    // Not a URL: cut by its characters.
    expect(shownUrl(`https://user:${PASSWORD}@[bad/x?token=${TOKEN}`)).toBe('"https://[bad/x?…"')
    expect(shownUrl(`not a url#frag-secret`)).toBe('"not a url"')
    const long = shownUrl(`https://lists.example/${'a'.repeat(300)}?token=${TOKEN}`)
    expect(long).toBe(`"https://lists.example/${'a'.repeat(120 - 22)}…"`)
  })
})

describe('status lists', () => {
  const secretUrls = [
    // Fetched: the bounded GET refuses its userinfo.
    `https://user:${PASSWORD}@lists.example/status/1?token=${TOKEN}`,
    // Refused before any fetch: not https.
    `http://lists.example/status/1?token=${TOKEN}`,
    // Fetched, and the server answers 404.
    `https://lists.example/status/1?token=${TOKEN}`,
  ]

  it('verify(): no secret of the list URL in an error message or a check detail; the fetch never gets the userinfo URL', async () => {
    const issuer = await didSigner('Ed25519')
    const fetched: string[] = []
    const statusLists = createStatusListResolver({
      fetch: async (url: string) => {
        fetched.push(url)
        return new Response('not found', { status: 404 })
      },
    })
    for (const url of secretUrls) {
      const vc = await credentialWithStatus(
        issuer,
        bitstringEntry(7, { statusListCredential: url }),
      )
      const result = await verify(vc, { statusLists })
      expect(
        result.errors.map((error) => error.code),
        url,
      ).toEqual(['status_list_unavailable'])
      expect(result.errors[0]?.message, url).toContain('"')
      expectNoSecret(JSON.stringify(result.errors))
      expectNoSecret(JSON.stringify(result.checks))
    }
    expect(fetched).toEqual([`https://lists.example/status/1?token=${TOKEN}`])
  })

  it("the status list resolver's error and its causes, with the platform's own fetch (whose error quotes the whole URL)", async () => {
    const resolver = createStatusListResolver({ fetch: globalThis.fetch })
    const error = await rejectionOf(
      resolver.fetchList(secretUrls[0] as string, { mediaTypes: ['application/vc+jwt'] }),
    )
    expect((error as { code?: string }).code).toBe('status_list_unavailable')
    expect(messagesOf(error)).toContain('credentials')
    expectNoSecret(messagesOf(error))
  })

  it('POST /credentials/verify: not in the error body (a 4xx carries the message; a 5xx one is replaced)', async () => {
    const vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret: 'url-in-messages-service-secret-0123456789',
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    })
    const issuer = await didSigner('Ed25519')
    const handler = createHandler({
      vault,
      auth: { disabled: true },
      verify: {
        statusLists: createStatusListResolver({
          // The query-secret URL answers with something that is not a list: status_list_not_verified,
          // whose message the client gets; the others end before any answer (5xx, logged).
          fetch: async (url: string) =>
            url.includes('?')
              ? new Response('not a list', {
                  status: 200,
                  headers: { 'content-type': 'application/vc+jwt' },
                })
              : new Response('not found', { status: 404 }),
        }),
      },
    })
    const codes: string[] = []
    for (const url of secretUrls) {
      const vc = await credentialWithStatus(
        issuer,
        bitstringEntry(7, { statusListCredential: url }),
      )
      const response = await handler(
        new Request('http://localhost/credentials/verify', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ verifiableCredential: vc }),
        }),
      )
      const body = (await response.json()) as { code: string; detail: string }
      codes.push(body.code)
      expectNoSecret(JSON.stringify(body))
      if (body.code === 'status_list_not_verified')
        expect(body.detail).toContain('"https://lists.example/status/1?…"')
    }
    expect(codes).toEqual([
      'status_list_unavailable',
      'status_list_unavailable',
      'status_list_not_verified',
    ])
  })
})

describe('JSON-LD contexts', () => {
  it('the document loader: not bundled (offline), not https, and a fetch refused for its userinfo', async () => {
    const offline = createDocumentLoader()
    const withFetch = createDocumentLoader({
      fetch: async () => new Response('{}', { status: 404 }),
    })
    for (const [loader, url] of [
      [offline, `https://user:${PASSWORD}@contexts.example/v1?token=${TOKEN}`],
      [withFetch, `http://contexts.example/v1?token=${TOKEN}`],
      [withFetch, `https://user:${PASSWORD}@contexts.example/v1?token=${TOKEN}#frag-secret`],
      [withFetch, `https://contexts.example/v1?token=${TOKEN}`],
    ] as const) {
      const error = await rejectionOf(loader(url))
      expect((error as { code?: string }).code, url).toBe('context_not_found')
      expect(messagesOf(error), url).toContain('contexts.example/v1')
      expectNoSecret(messagesOf(error))
    }
  })
  it('the context policy: a context outside allowedContexts, and one the loader fails on', async () => {
    const url = `https://user:${PASSWORD}@contexts.example/v1?token=${TOKEN}`
    const document = { '@context': [V2, url], type: ['VerifiableCredential'] }
    const loader = createDocumentLoader()
    const notAllowed = await rejectionOf(
      checkContextPolicy(document, contextPolicyOf({ allowedContexts: [V2] }), loader),
    )
    const failing = await rejectionOf(
      checkContextPolicy(document, contextPolicyOf({}), async (requested: string) => {
        if (requested === url) throw new Error('no such context')
        return loader(requested)
      }),
    )
    expect((notAllowed as { code?: string }).code).toBe('context_not_allowed')
    expect((failing as { code?: string }).code).toBe('context_not_found')
    for (const error of [notAllowed, failing]) {
      expect(messagesOf(error)).toContain('"https://contexts.example/v1?…"')
      expectNoSecret(messagesOf(error))
    }
  })
})
