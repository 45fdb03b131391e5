import * as z from 'zod'
import { CredsignError } from '../errors/credsign-error.js'
import { parseJsonText } from '../jose/json.js'
import { verify } from '../service/verify.js'
import type { VerifyOptions } from '../verify/types.js'
import { readJsonBody } from './body.js'
import type { HttpAuth } from './options.js'
import { json, type Route } from './route-context.js'
import { parseRequest } from './validate.js'
import { dataIntegrity, verifierResolver } from './vc-api-routes.js'
import { refusedCard, verdictCard } from './verifier-card.js'
import { verificationOutage } from './verify-outage.js'
import {
  VERIFIER_PAGE_ICON,
  VERIFIER_PAGE_SCRIPT,
  VERIFIER_PAGE_STYLE,
  verifierPageHtml,
} from './verifier-page-assets.js'

/*
 * The verifier page (docs/http.md, "The verifier page"): `GET /verify` (and `GET /`) serve a small
 * page where a person pastes or drops a credential or presentation and reads the verdict as a card.
 * The page sends it to `POST /verify` on this server and nowhere else, which runs the same
 * `verify()`, resolver and Data Integrity handler as `POST /credentials/verify` and answers the card
 * (verifier-card.ts). The page, its script, style and icon need no authentication; `POST /verify`
 * needs the same as the other verify routes (the page asks for the bearer token when there is one).
 *
 * Strict Content-Security-Policy: nothing but this origin's own script, style and icon, no inline
 * script or style, no form submission, no framing, and Trusted Types, so the script cannot put a
 * string into the DOM as HTML even by mistake: every value from a credential becomes a text node.
 */

/**
 * The Content-Security-Policy of the verifier page. `default-src 'none'`: anything not listed is
 * refused; `require-trusted-types-for 'script'` with no policy makes `innerHTML` and its kin throw
 * in the browsers that support Trusted Types.
 *
 * @internal
 */
export const VERIFIER_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ')

/** Headers of every page asset: the policy, and no referrer, no framing, no cross-origin use. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': VERIFIER_PAGE_CSP,
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
}

/** `POST /verify`: what the page sends. */
const verifierPageRequestSchema = z
  .strictObject({
    input: z.string().min(1).max(1_000_000).meta({
      description:
        'What the person pasted: a compact JWT or SD-JWT, or a JSON document (Data Integrity, an envelope) as text.',
    }),
    challenge: z.string().max(10_000).optional(),
    domain: z.string().max(10_000).optional(),
  })
  .meta({ id: 'VerifierPageRequest' })

function asset(path: string, summary: string, contentType: string, body: string): Route {
  return {
    method: 'GET',
    path,
    public: true,
    summary,
    successStatus: 200,
    async run() {
      return new Response(body, {
        status: 200,
        headers: { 'content-type': contentType, ...PAGE_HEADERS },
      })
    },
  }
}

function page(path: string, summary: string): Route {
  return {
    method: 'GET',
    path,
    public: true,
    summary,
    successStatus: 200,
    async run({ options }) {
      return new Response(verifierPageHtml(authHint(options.auth)), {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8', ...PAGE_HEADERS },
      })
    },
  }
}

/** What the page tells the person about the token: asked for up front, never, or on a 401. */
function authHint(auth: HttpAuth): 'bearer' | 'none' | 'custom' {
  if ('bearerTokens' in auth) return 'bearer'
  return 'disabled' in auth ? 'none' : 'custom'
}

/**
 * `POST /verify`: verifies what the page sent and answers its card (200, verified or not), or a 5xx
 * problem when the verifier's own key store failed (verify-outage.ts).
 */
const verifyForPageRoute: Route = {
  method: 'POST',
  path: '/verify',
  summary:
    "Verifier page: verify a pasted credential or presentation. 200 with a verdict card, verified or not (503 / 500 when the verifier's own key store fails).",
  successStatus: 200,
  requestSchema: verifierPageRequestSchema,
  async run({ request, limits, options, now }) {
    const body = parseRequest(verifierPageRequestSchema, await readJsonBody(request, limits))
    const text = body.input.trim()
    let input: unknown = text
    if (text.startsWith('{') || text.startsWith('[')) {
      try {
        input = parseJsonText(text, 'the pasted document', limits.maxJsonDepth)
      } catch (error) {
        if (!CredsignError.is(error)) throw error
        return json(refusedCard({ code: error.code, message: error.message }))
      }
    }
    const verifyOptions: VerifyOptions = {
      ...options.verify,
      resolver: verifierResolver(options),
      handlers: [
        await dataIntegrity(undefined, options.dataIntegrity?.allowInlineContexts === true),
      ],
      ...(body.challenge === undefined || body.challenge === '' ? {} : { nonce: body.challenge }),
      ...(body.domain === undefined || body.domain === '' ? {} : { audience: body.domain }),
      now,
    }
    const result = await verify(input, verifyOptions)
    // The verifier's own store failed: a 5xx problem the page shows as such, not a verdict card.
    const outage = verificationOutage(result)
    if (outage !== undefined) throw outage
    return json(verdictCard(result, input))
  },
}

/**
 * The routes of the verifier page, which `createHandler` adds when `verifierPage` is true.
 *
 * @internal
 */
export const VERIFIER_PAGE_ROUTES: readonly Route[] = [
  page('/', 'The verifier page (the same as /verify).'),
  page('/verify', 'The verifier page: paste or drop a credential or presentation (HTML).'),
  asset(
    '/verify/app.js',
    'The verifier page script.',
    'text/javascript; charset=utf-8',
    VERIFIER_PAGE_SCRIPT,
  ),
  asset(
    '/verify/app.css',
    'The verifier page style.',
    'text/css; charset=utf-8',
    VERIFIER_PAGE_STYLE,
  ),
  asset('/verify/icon.svg', 'The verifier page icon.', 'image/svg+xml', VERIFIER_PAGE_ICON),
  verifyForPageRoute,
]
