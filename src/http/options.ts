import type { CallerSecret } from '../envelope/caller-secrets.js'
import type { KeyResolver } from '../resolve/types.js'
import type { CryptosuiteName, SigningFormat } from '../service/formats.js'
import type { DisclosureFrame } from '../formats/sd-jwt/types.js'
import type { KeyVault } from '../vault/key-vault.js'
import type { StatusLists } from '../status/status-lists.js'
import type { VerifyOptions } from '../verify/types.js'

/**
 * What a request's authentication decided: `true` (allowed), `false` (401), or `{ client }`
 * (allowed; failed unlock attempts are then counted per key and client, so one client cannot lock
 * out another: see docs/security.md).
 *
 * @example
 *
 * ```ts
 * import type { AuthDecision } from 'credsign/http'
 * const decision: AuthDecision = { client: 'wallet-backend' }
 * ```
 */
export type AuthDecision = boolean | { client: string }

/**
 * How credsign/http authenticates requests. There is no default: pass one of
 *
 * - `{ bearerTokens: [...] }`: `Authorization: Bearer <token>` must carry one of these (compared in
 *   constant time); the client of a request is `token-<index>`;
 * - `{ authorize(request) }`: your own check (mTLS header from a proxy, JWT, session, …);
 * - `{ disabled: true }`: no authentication, for a service only reachable by trusted callers (what
 *   the origin key service assumes). Health probes, `/openapi.json`, the JWKS and did:web documents
 *   never need authentication.
 *
 * @example
 *
 * ```ts
 * import type { HttpAuth } from 'credsign/http'
 * const auth: HttpAuth = { bearerTokens: [process.env.CREDSIGN_TOKEN ?? ''] }
 * ```
 */
export type HttpAuth =
  | { bearerTokens: readonly string[] }
  | { authorize: (request: Request) => AuthDecision | Promise<AuthDecision> }
  | { disabled: true }

/**
 * Cross-origin access (off unless configured, as in the origin service).
 *
 * @example
 *
 * ```ts
 * import type { CorsOptions } from 'credsign/http'
 * const cors: CorsOptions = { origins: ['https://wallet.example'], maxAgeSeconds: 600 }
 * ```
 */
export interface CorsOptions {
  /** Allowed origins (exact match), or `'*'` for any. */
  origins: readonly string[] | '*'
  /** `Access-Control-Allow-Credentials: true` (never together with `'*'`). Default false. */
  credentials?: boolean
  /** Preflight cache lifetime in seconds (default 600). */
  maxAgeSeconds?: number
}

/**
 * A VC-API issuer: the key that signs `POST /credentials/issue` (and
 * `/issuers/{name}/credentials/issue`) and how. The server holds the key's secrets, since VC-API
 * requests carry none: prefer `unlockCache` on the vault for such keys.
 *
 * @example
 *
 * ```ts
 * import type { IssuerProfile } from 'credsign/http'
 * const profile: IssuerProfile = {
 *   name: 'di',
 *   keyId: 'did:web:issuer.example#key-1',
 *   secrets: ['s1'],
 *   format: 'data-integrity',
 * }
 * ```
 */
export interface IssuerProfile {
  /** Path segment of `/issuers/{name}/credentials/issue`, and `options.profile`. */
  name: string
  keyId: string
  secrets: CallerSecret[]
  /** `jwt`, `data-integrity` or `sd-jwt` (the formats of `POST /sign/vc/{type}`). */
  format: SigningFormat
  /** Data Integrity suite (default: eddsa-rdfc-2022 for Ed25519, ecdsa-rdfc-2019 for P-256 / P-384). */
  cryptosuite?: CryptosuiteName
  /** SD-JWT: which claims become disclosures (default: every top-level `credentialSubject` member). */
  disclosureFrame?: DisclosureFrame
  /**
   * For a key id that is not a DID URL: sign as its `did:key` (default) or `did:jwk`, so that
   * verifiers can resolve the key offline.
   */
  didMethod?: 'key' | 'jwk'
  /**
   * A Bitstring Status List of `HandlerOptions.statusLists` (its id): every credential issued with
   * this profile gets a `credentialStatus` entry allocated from it (a random, never reused index).
   */
  statusList?: string
}

/**
 * A did:web DID this server publishes: `GET /.well-known/did.json` for `did:web:host`, `GET
 * /a/b/did.json` for `did:web:host:a:b`. Every key id must be a DID URL of this DID.
 *
 * @example
 *
 * ```ts
 * import type { DidWebPublication } from 'credsign/http'
 * const published: DidWebPublication = {
 *   did: 'did:web:issuer.example',
 *   keyIds: ['did:web:issuer.example#key-1'],
 * }
 * ```
 */
export interface DidWebPublication {
  did: string
  keyIds: readonly string[]
  /** Verification method type (default `Multikey`). */
  verificationMethodType?: 'Multikey' | 'JsonWebKey'
}

/**
 * One line of the request log: never a body, a secret or a raw path (routes are templates).
 *
 * @example
 *
 * ```ts
 * import type { HttpLogEntry } from 'credsign/http'
 * const entry: HttpLogEntry = {
 *   method: 'POST',
 *   route: '/sign/vc/:type',
 *   status: 201,
 *   durationMs: 3.2,
 * }
 * ```
 */
export interface HttpLogEntry {
  method: string
  /** The route template (`/keys/:id`), or `(unmatched)`. */
  route: string
  status: number
  /** The error code when the response is a problem. */
  code?: string
  /**
   * For a server fault (5xx): the library's message, which may name server-side things (the key
   * file's path, the store) and is therefore never sent to the client (the problem has a fixed
   * detail).
   */
  detail?: string
  durationMs: number
  /**
   * The request's id when {@link HandlerOptions.requestIds} is on: the caller's `X-Request-Id`, or
   * one generated here.
   */
  requestId?: string
}

/**
 * `GET /metrics`: the Prometheus text exposition (format 0.0.4) of whatever `exposition` returns.
 * Behind the handler's authentication, or, with `bearerTokens`, behind those tokens only (a scraper
 * then needs no API token).
 *
 * @example
 *
 * ```ts
 * import type { MetricsOptions } from 'credsign/http'
 * const metrics: MetricsOptions = {
 *   exposition: () => '# TYPE up gauge\nup 1\n',
 *   bearerTokens: ['a-separate-scrape-token-0123'],
 * }
 * ```
 */
export interface MetricsOptions {
  /** The exposition text (`credsign serve` renders its counters and histograms here). */
  exposition: () => string | Promise<string>
  /** Tokens (16+ characters) that alone open `/metrics`, instead of the handler's `auth`. */
  bearerTokens?: readonly string[]
}

/**
 * Options of `createHandler`.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore } from 'credsign'
 * import type { HandlerOptions } from 'credsign/http'
 * const options: HandlerOptions = {
 *   vault: new KeyVault({
 *     store: new MemoryStore(),
 *     serviceSecret: 'a service secret of at least 32 bytes',
 *   }),
 *   auth: { bearerTokens: ['change-me-to-a-long-random-token'] },
 * }
 * ```
 */
export interface HandlerOptions {
  vault: KeyVault
  /** Required: authentication is never on by accident (see {@link HttpAuth}). */
  auth: HttpAuth
  limits?: {
    /** Largest request body in bytes (default 1 MiB). */
    maxBodyBytes?: number
    /** Deepest JSON nesting (default 32). */
    maxJsonDepth?: number
  }
  /** CORS; off when absent. */
  cors?: CorsOptions
  /** VC-API issuers. Without any, `POST /credentials/issue` answers 404 `route_not_found`. */
  issuers?: readonly IssuerProfile[]
  /** Did:web documents to serve. */
  didWeb?: readonly DidWebPublication[]
  /**
   * `GET /.well-known/jwks.json`: the current public keys of these ids, `'all'` (every key in the
   * vault, the default), or `false` (no route).
   */
  jwks?: readonly string[] | 'all' | false
  /**
   * Extra `kid`s in the JWKS, `{ kid: keyId }`: the current version of `keyId` once more under
   * `kid`, for tokens that name their key by such a label (eVault's key binding certificates:
   * `entropy-key-1`). Neither a DID URL nor thumbprint-shaped (see `KeyVault.jwks`).
   */
  jwksAliases?: Readonly<Record<string, string>>
  /**
   * The issuer identifier (an `https` URL without query or fragment, its path at most one segment)
   * whose SD-JWT VC issuer metadata `GET /.well-known/jwt-vc-issuer[/<path>]` serves: `{ issuer,
   * jwks }`, the keys of `jwks` with their `x5c` when a certificate chain is attached. Absent: the
   * route answers 404. Needs `jwks` not `false`.
   */
  jwtVcIssuer?: string
  /**
   * Defaults of the VC-API verify routes. The resolver defaults to this vault's keys (for DIDs it
   * publishes), then did:key and did:jwk; nothing is fetched unless you pass a resolver that
   * fetches. For the W3C conformance suites set `issuerBinding: false` (their issuers are unrelated
   * to the keys).
   */
  verify?: Omit<VerifyOptions, 'handlers' | 'nonce' | 'audience'>
  /**
   * Data Integrity on the VC-API routes (issue and verify). `allowInlineContexts: true` accepts
   * inline `@context` objects, which can give a document's terms another meaning without changing
   * what is signed (docs/data-integrity.md, "Context policy"); off by default. The W3C VCDM 2.0
   * suite sends inline contexts: turn it on for conformance runs, not in production.
   */
  dataIntegrity?: { allowInlineContexts?: boolean }
  /**
   * Serve the verifier page (docs/http.md, "The verifier page"): `GET /verify` and `GET /`, where a
   * person pastes or drops a credential or presentation and reads the verdict, and `POST /verify`,
   * which the page calls (same authentication, resolver and `verify()` as the VC-API verify
   * routes). Off by default; `credsign serve` turns it on unless `--no-verifier-page`.
   */
  verifierPage?: boolean
  /** Extra resolver consulted by the verify routes before the defaults. */
  resolver?: KeyResolver
  /**
   * JWS name for Ed25519 (default `EdDSA`, or `Ed25519` with `compat: 'eecc'`; the origin service
   * emitted `Ed25519`).
   */
  ed25519Name?: 'EdDSA' | 'Ed25519'
  /**
   * `'eecc'`: answer where a client of the EECC key service 2.x would notice (docs/http.md,
   * "Compatibility mode"): `alg: Ed25519`, its health body (`info.database`, service
   * `key-service`), its error body (`{ timestamp, status, statusCode, type, message, path, … }`
   * plus `code`), 201 for `/delete`, RSA-4096 for `PS256`. Every credsign check still runs.
   */
  compat?: 'eecc'
  /**
   * The origin's request encryption (with `compat: 'eecc'` only): bodies of `/generate`, `/delete`
   * and `/sign/*` may be `{ encryptedData }` (base64 of `hex(iv):hex(tag):hex(ciphertext)`,
   * AES-256-GCM under the 32 UTF-8 bytes of `sharedSecret`). Weak: no replay protection, no binding
   * to the route (a captured signing request replays as a `/delete`); use TLS instead where you
   * can. Off by default.
   */
  requestEncryption?: { sharedSecret: string }
  /** Name and version in `/health` (default `credsign` and the package version). */
  service?: { name?: string; version?: string }
  /** Called once per request, after the response is made. Must not throw. */
  onLog?: (entry: HttpLogEntry) => void
  /**
   * Request ids: honour the caller's `X-Request-Id` (1 to 128 of `A-Z a-z 0-9 . _ : -`; anything
   * else is replaced), or generate one (a UUID); echo it as `X-Request-Id` on the response and pass
   * it to `onLog`. Off by default; `credsign serve` turns it on.
   */
  requestIds?: boolean
  /** `GET /metrics` (absent: no such route). */
  metrics?: MetricsOptions
  /**
   * The issuer's status lists: served at `GET /status-lists/{id}` (public, cacheable), changed with
   * `POST /credentials/status` (authenticated), and allocated from by issuer profiles with a
   * `statusList`. A list's `url` / `uri` should be this server's `…/status-lists/{id}`. Absent: no
   * such routes.
   */
  statusLists?: StatusLists
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number
}
