// A hunt for leaks and crashes in credsign/http: generated malformed and hostile requests (fast-check)
// on every route /openapi.json lists, through createHandler. Every answer must be a documented
// status (the route's success, a 304/503/422 the route documents, or a problem whose `code` is in
// docs/errors.md with its HTTP status), never a 5xx or internal_error from a healthy store, and no
// body or header may carry the store's directory, the service secret, a caller secret, a bearer
// token, a private JWK or PEM, a stack trace or a Node system error. Authentication is enforced on
// every route OpenAPI does not mark public (the metrics token on /metrics only, the API token
// everywhere else but there), and no unauthenticated request writes to the key or status list
// store. A store that throws Errors naming its files answers a fixed 5xx text.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCipheriv, randomBytes, randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CredsignError,
  KeyVault,
  MemoryStore,
  StatusLists,
  asDidSigner,
  type KeyStore,
  type StatusListStore,
} from '../../src/index.js'
import { FileStatusListStore, FileStore } from '../../src/file/index.js'
import {
  HTTP_STATUS,
  createHandler,
  toNodeListener,
  type CredsignHandler,
} from '../../src/http/index.js'
import { connect, type AddressInfo } from 'node:net'
import { createServer } from 'node:http'
import { serveInProcess, type Served } from '../fixtures/serve.js'
import { runCli, type CliIo } from '../../src/cli/run.js'

/** Everything secret carries this marker, and no generated request puts it anywhere else. */
const MARK = 'LEAKHUNT'
const DIR = mkdtempSync(join(tmpdir(), `credsign-${MARK}-store-`))
const SERVICE_SECRET = `service-${MARK}-${randomUUID()}`
const TOKEN = `api-${MARK}-${randomUUID()}`
const METRICS_TOKEN = `metrics-${MARK}-${randomUUID()}`
const S1 = `caller-${MARK}-${randomUUID()}`
const ISSUER = 'did:web:issuer.example'
const KEY = `${ISSUER}#key-1`
const V2 = 'https://www.w3.org/ns/credentials/v2'

/** The codes docs/errors.md tables, with their HTTP column. */
const DOCUMENTED: ReadonlySet<string> = new Set(
  [
    ...readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8').matchAll(
      /^\| `([a-z_]+)` \|/gm,
    ),
  ].map((m) => m[1]!),
)

let writes = 0
/** Counts every write a store is asked for (create, update, delete, allocate, set). */
function counted<T extends object>(target: T, writers: readonly string[]): T {
  return new Proxy(target, {
    get(object, name, receiver) {
      const value = Reflect.get(object, name, receiver) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        if (writers.includes(String(name))) writes++
        return (value as (...a: unknown[]) => unknown).apply(object, args)
      }
    },
  })
}

const KEY_WRITERS = ['create', 'update', 'delete']
const LIST_WRITERS = [
  'createStatusList',
  'allocateStatusIndex',
  'allocateStatusIndexes',
  'setStatus',
]

let handler: CredsignHandler
/** A credential the main handler signed with KEY (verified against a failing store below). */
let signedJwt = ''
let routes: { method: string; path: string; public: boolean; success: number[] }[] = []

beforeAll(async () => {
  const vault = new KeyVault({
    store: counted<KeyStore>(new FileStore({ directory: join(DIR, 'keys') }), KEY_WRITERS),
    serviceSecret: SERVICE_SECRET,
    kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
  })
  await vault.generate({ id: KEY, algorithm: 'Ed25519', secrets: [S1] })
  const signer = asDidSigner(await vault.unlock(KEY, [S1]))
  const lists = new StatusLists({
    store: counted<StatusListStore>(
      new FileStatusListStore({ directory: join(DIR, 'lists') }),
      LIST_WRITERS,
    ),
    signer,
  })
  await lists.createList({
    id: 'bsl',
    kind: 'bitstring',
    purpose: 'revocation',
    url: 'https://issuer.example/status-lists/bsl',
  })
  handler = createHandler({
    vault,
    auth: { bearerTokens: [TOKEN] },
    metrics: { exposition: () => '# HELP x\n', bearerTokens: [METRICS_TOKEN] },
    statusLists: lists,
    issuers: [{ name: 'jwt', keyId: KEY, secrets: [S1], format: 'jwt', statusList: 'bsl' }],
    didWeb: [{ did: ISSUER, keyIds: [KEY] }],
    jwtVcIssuer: 'https://issuer.example',
    verifierPage: true,
  })
  compatHandler = createHandler({
    vault,
    auth: { bearerTokens: [TOKEN] },
    compat: 'eecc',
    requestEncryption: { sharedSecret: SHARED },
    cors: { origins: [APP_ORIGIN] },
    metrics: { exposition: () => '# HELP x\n' },
    jwksAliases: { 'alias-1': KEY },
    requestIds: true,
    statusLists: lists,
    issuers: [{ name: 'jwt', keyId: KEY, secrets: [S1], format: 'jwt', statusList: 'bsl' }],
    didWeb: [{ did: ISSUER, keyIds: [KEY] }],
    jwtVcIssuer: 'https://issuer.example',
    verifierPage: true,
  })
  const signed = await handler(
    new Request('http://issuer.example/sign/vc/jwt', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(validBody('/sign/vc/jwt')),
    }),
  )
  expect(signed.status).toBe(201)
  signedJwt = await signed.text()
  const document = (await (await handler(new Request('http://h/openapi.json'))).json()) as {
    paths: Record<string, Record<string, { security?: unknown[]; responses: object }>>
  }
  routes = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      public: Array.isArray(operation.security) && operation.security.length === 0,
      success: Object.keys(operation.responses)
        .filter((k) => k !== 'default')
        .map(Number),
    })),
  )
})

afterAll(() => {
  rmSync(DIR, { recursive: true, force: true })
})

interface Answer {
  status: number
  headers: Headers
  text: string
}

/** Everything that must never leave the server, in any body or header. */
function leaks(answer: Answer): string[] {
  const found: string[] = []
  const lines: string[] = []
  answer.headers.forEach((v, n) => lines.push(`${n}: ${v}`))
  const headerText = lines.join('\n')
  for (const [where, text] of [
    ['body', answer.text],
    ['headers', headerText],
  ] as const) {
    if (text.includes(MARK)) found.push(`${where}: a secret, token or the store path`)
    if (text.includes(DIR) || text.includes(tmpdir() + '/')) found.push(`${where}: a server path`)
    if (/PRIVATE KEY/.test(text)) found.push(`${where}: a PEM private key`)
    if (/\b(ENOENT|EACCES|EISDIR|EPERM|ENOTDIR)\b/.test(text))
      found.push(`${where}: a Node system error`)
  }
  const type = answer.headers.get('content-type') ?? ''
  if (/json/.test(type)) {
    if (/"d"\s*:/.test(answer.text)) found.push('body: a private JWK member "d"')
    if (/\n\s+at |\bat [^\s"]+ \(|\.(ts|js|mjs|cjs):\d/.test(answer.text))
      found.push('body: a stack trace or source path')
  }
  return found
}

/** The second configuration: eecc compat, request encryption, CORS, /metrics on the API token. */
let compatHandler: CredsignHandler
let compatMode = false
const SHARED = `${MARK}-shared-0123456789abcdef`.slice(0, 32)
const APP_ORIGIN = 'https://app.example'

async function send(request: Request): Promise<Answer> {
  const response = await (compatMode ? compatHandler : handler)(request)
  return { status: response.status, headers: response.headers, text: await response.text() }
}

/** What a route's path looks like with its parameters filled. */
const PARAM_VALUES = [
  KEY,
  'bsl',
  'jwt',
  '..%2F..%2Fetc%2Fpasswd',
  '..',
  '%2e%2e',
  '%00',
  'a%00b',
  '%FF',
  '%E0%A4%A',
  '..%5C..%5Ckeys',
  '%2Fetc%2Fpasswd',
  'did%3Aweb%3Aissuer.example%23key-1',
  'CON',
  'x'.repeat(3000),
  '%F0%9F%92%A9',
  '%EF%BF%BF',
  'a%2F..%2F..%2Fkeys',
  '__proto__',
  'constructor',
]

const VALID_BODIES: Readonly<Record<string, unknown>> = {
  '/generate': { identifier: 'did:web:x.example', secrets: ['s-1'], signatureType: 'Ed25519' },
  '/delete': { identifier: 'did:web:nobody.example#k', secrets: ['s-1'] },
  '/credentials/issue': {
    credential: {
      '@context': [V2],
      type: ['VerifiableCredential'],
      issuer: ISSUER,
      credentialSubject: { id: 'did:example:alice' },
    },
  },
  '/credentials/verify': { verifiableCredential: 'a.b.c' },
  '/presentations/verify': { verifiablePresentation: 'a.b.c' },
  '/credentials/status': { listId: 'bsl', index: 3, status: 'suspended' },
  '/verify': { input: 'a.b.c' },
}
function validBody(path: string): unknown {
  if (path.startsWith('/sign/')) {
    const vc = path.startsWith('/sign/vc')
    return {
      identifier: KEY,
      secrets: [S1],
      ...(path.startsWith('/sign/pop')
        ? {}
        : {
            verifiable: vc
              ? {
                  '@context': [V2],
                  type: ['VerifiableCredential'],
                  issuer: ISSUER,
                  credentialSubject: { id: 'did:example:alice' },
                }
              : { '@context': [V2], type: ['VerifiablePresentation'], holder: ISSUER },
          }),
      ...(vc ? {} : { challenge: 'c', domain: 'https://verifier.example' }),
    }
  }
  if (path.endsWith('/credentials/issue')) return VALID_BODIES['/credentials/issue']
  return VALID_BODIES[path] ?? { a: 1 }
}

/** A JSON value the generator may put anywhere: never a marker. */
const value = fc.jsonValue({ maxDepth: 3 })

type BodyKind =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'huge'; chunked: boolean }

function bodyArbitrary(path: string): fc.Arbitrary<BodyKind> {
  const base = validBody(path) as Record<string, unknown>
  // Members that are replaced: never the caller secrets (a generated value there is no secret).
  const members = Object.keys(base).filter((m) => m !== 'secrets')
  const text = (t: string): BodyKind => ({ kind: 'text', text: t })
  const inner = JSON.stringify(base).slice(1)
  return fc.oneof(
    fc.constant<BodyKind>({ kind: 'none' }),
    { weight: 3, arbitrary: fc.constant(text(JSON.stringify(base))) },
    value.map((v) => text(JSON.stringify(v))),
    fc
      .tuple(fc.constantFrom(...members, 'secrets', 'options', 'x'), value)
      .map(([member, v]) => text(JSON.stringify({ ...base, [member]: v }))),
    // a member inside the document (verifiable, credential) replaced or added
    fc
      .tuple(
        fc.constantFrom(
          '@context',
          'type',
          'issuer',
          'credentialSubject',
          'validFrom',
          'id',
          'proof',
          'credentialStatus',
          'holder',
          'verifiableCredential',
        ),
        value,
      )
      .map(([member, v]) => {
        const copy = structuredClone(base)
        const doc = (copy.verifiable ?? copy.credential) as Record<string, unknown> | undefined
        if (doc !== undefined && typeof doc === 'object') doc[member] = v
        return text(JSON.stringify(copy))
      }),
    // duplicate members, __proto__, constructor
    fc.constantFrom(
      text(`{"${Object.keys(base)[0]}":1,${inner}`),
      text(`{"\\u005f_proto__":{"polluted":1},${inner}`),
      text(`{"__proto__":{"polluted":1},${inner}`),
      text(`{"constructor":{"prototype":{"polluted":1}},${inner}`),
      text(`{"a":1,"a":2}`),
      text(`{"a":{"__proto__":[]}}`),
    ),
    // deep nesting, closed or not
    fc
      .tuple(fc.integer({ min: 20, max: 20_000 }), fc.constantFrom('[', '{"a":'), fc.boolean())
      .map(([depth, open, closed]) => {
        const close = open === '[' ? ']' : '}'
        return text(open.repeat(depth) + '1' + (closed ? close.repeat(depth) : ''))
      }),
    // arbitrary bytes (invalid UTF-8 among them), and JSON with an invalid byte inside a string
    fc.uint8Array({ maxLength: 64 }).map((bytes): BodyKind => ({ kind: 'bytes', bytes })),
    fc.constantFrom(0xff, 0xc0, 0xed, 0x80).map((b): BodyKind => {
      const json = new TextEncoder().encode(JSON.stringify({ ...base, x: 'AB' }))
      const at = json.indexOf(0x41)
      json[at] = b
      return { kind: 'bytes', bytes: json }
    }),
    fc.boolean().map((chunked): BodyKind => ({ kind: 'huge', chunked })),
  )
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/ld+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  null,
]

/** Authorization variants, with the routes' token each one validly presents (null: none). */
function authVariants(): { headers: [string, string][]; presents: 'api' | 'metrics' | null }[] {
  const flip = (t: string) => t.slice(0, -1) + (t.endsWith('a') ? 'b' : 'a')
  return [
    { headers: [], presents: null },
    { headers: [['authorization', `Bearer ${TOKEN}`]], presents: 'api' },
    { headers: [['authorization', `bearer ${TOKEN}`]], presents: 'api' },
    { headers: [['authorization', `Bearer ${TOKEN}   `]], presents: 'api' },
    { headers: [['authorization', `Bearer   ${TOKEN}`]], presents: 'api' },
    { headers: [['authorization', `Bearer ${METRICS_TOKEN}`]], presents: 'metrics' },
    { headers: [['authorization', `Bearer ${flip(TOKEN)}`]], presents: null },
    { headers: [['authorization', `Bearer ${TOKEN.slice(0, -1)}`]], presents: null },
    { headers: [['authorization', `Bearer ${TOKEN}x`]], presents: null },
    { headers: [['authorization', `Bearer ${flip(METRICS_TOKEN)}`]], presents: null },
    { headers: [['authorization', `Bearer\t${TOKEN}`]], presents: null },
    { headers: [['authorization', `Basic ${btoa(`x:${TOKEN}`)}`]], presents: null },
    { headers: [['authorization', TOKEN]], presents: null },
    { headers: [['authorization', `Token ${TOKEN}`]], presents: null },
    { headers: [['authorization', `Bearer ${TOKEN}, Bearer x`]], presents: null },
    {
      headers: [
        ['authorization', `Bearer ${TOKEN}`],
        ['authorization', 'Bearer someone-else-0123456789'],
      ],
      presents: null,
    },
    {
      headers: [
        ['authorization', `Bearer ${TOKEN}`],
        ['authorization', `Bearer ${METRICS_TOKEN}`],
      ],
      presents: null,
    },
  ]
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'PROPFIND']

interface Case {
  route: (typeof routes)[number]
  method: string
  param: string
  query: string
  auth: number
  contentType: string | null
  body: BodyKind
  /** Compat mode: the text body sent as the origin's `{ encryptedData }`. */
  encrypt: boolean
  /** An `Origin` header (CORS), or none. */
  origin: string | null
}

function caseArbitrary(): fc.Arbitrary<Case> {
  return fc.constantFrom(...routes).chain((route) =>
    fc.record({
      route: fc.constant(route),
      method: fc.oneof(
        { weight: 3, arbitrary: fc.constant(route.method) },
        fc.constantFrom(...METHODS),
      ),
      param: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            ...(route.path.includes('{type}')
              ? ['jwt', 'data-integrity', 'sd-jwt']
              : route.path.includes('{name}')
                ? ['jwt']
                : [encodeURIComponent(KEY), 'bsl']),
          ),
        },
        fc.constantFrom(...PARAM_VALUES),
        fc
          .string({ maxLength: 20, unit: 'binary' })
          .filter((s) => !s.includes(MARK))
          .map(encodeURIComponent),
      ),
      query: fc.oneof(
        fc.constant(''),
        fc.constantFrom('?a=1&a=2', '?__proto__[x]=1', '?%FF', '?token=x', '?' + 'q'.repeat(9000)),
      ),
      auth: fc.oneof(
        { weight: 2, arbitrary: fc.integer({ min: 0, max: authVariants().length - 1 }) },
        // the token the route takes, most of the time: the route's own refusals get exercised
        fc.constant(route.path === '/metrics' ? 5 : 1),
      ),
      contentType: fc.constantFrom(...CONTENT_TYPES),
      body: bodyArbitrary(route.path),
      encrypt: fc.boolean(),
      origin: fc.constantFrom(null, APP_ORIGIN, 'https://evil.example', 'null'),
    }),
  )
}

const HUGE = 1024 * 1024 + 1

function requestOf(c: Case): Request {
  const path = c.route.path.replace(/\{[a-z]+\}/g, c.param)
  const headers = new Headers()
  for (const [name, v] of authVariants()[c.auth]!.headers) headers.append(name, v)
  if (c.contentType !== null) headers.set('content-type', c.contentType)
  if (c.origin !== null) headers.set('origin', c.origin)
  const init: RequestInit & { duplex?: 'half' } = { method: c.method, headers }
  if (c.method !== 'GET' && c.method !== 'HEAD') {
    const b = c.body
    if (b.kind === 'text')
      init.body = compatMode && c.encrypt ? encryptText(b.text, SHARED) : b.text
    else if (b.kind === 'bytes') init.body = new Uint8Array(b.bytes)
    else if (b.kind === 'huge') {
      const chunk = new Uint8Array(64 * 1024).fill(0x20)
      if (b.chunked) {
        let sent = 0
        init.body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent > HUGE) controller.close()
            else {
              sent += chunk.byteLength
              controller.enqueue(chunk)
            }
          },
        })
        init.duplex = 'half'
      } else init.body = new Uint8Array(HUGE).fill(0x20)
    }
  }
  return new Request(`http://issuer.example${path}${c.query}`, init)
}

/** Routes whose success is not their OpenAPI success status alone. */
function alsoDocumented(path: string, status: number): boolean {
  if (path.startsWith('/status-lists/') && status === 304) return true
  if (path.startsWith('/health') && status === 503) return true
  return false
}

let generated = 0

/**
 * Whether the request's URL (after the URL parser's dot-segment removal) has the route's shape,
 * with parameters that are valid percent-encoding: the route, not another path or a 404, answers
 * it.
 */
function reachesRoute(c: Case): boolean {
  const actual = new URL(requestOf(c).url).pathname.split('/')
  const template = c.route.path.split('/')
  if (actual.length !== template.length) return false
  return template.every((segment, i) => {
    if (!segment.startsWith('{')) return segment === actual[i]
    try {
      decodeURIComponent(actual[i]!)
      return actual[i] !== ''
    } catch {
      return false
    }
  })
}

function check(c: Case, answer: Answer): void {
  const label = `${c.method} ${c.route.path} param=${c.param.slice(0, 40)} auth=${c.auth} type=${c.contentType} body=${c.body.kind} → ${answer.status} ${answer.text.slice(0, 300)}`
  expect(leaks(answer), label).toEqual([])
  expect(answer.status, label).toBeLessThan(500)
  // The route (of this path) the method selects, if any.
  const target = routes.find(
    (r) =>
      r.path === c.route.path &&
      (r.method === c.method || (c.method === 'HEAD' && r.method === 'GET')),
  )
  const matched = target !== undefined
  if (answer.status >= 400) {
    // compat: the origin's error body (application/json, statusCode), or a VC-API 422 problem.
    const type = answer.headers.get('content-type')
    const originShape = compatMode && type === 'application/json'
    expect(type, label).toBe(originShape ? 'application/json' : 'application/problem+json')
    if (c.method !== 'HEAD') {
      const problem = JSON.parse(answer.text) as {
        code: string
        status: number
        statusCode: number
      }
      expect(DOCUMENTED.has(problem.code), label).toBe(true)
      expect(originShape ? problem.statusCode : problem.status, label).toBe(answer.status)
      const verifies = c.route.path.endsWith('/verify') && answer.status === 422
      if (!verifies)
        expect(HTTP_STATUS[problem.code as keyof typeof HTTP_STATUS], label).toBe(answer.status)
    }
  } else if (compatMode && c.method === 'OPTIONS') {
    // A CORS preflight: no body, no authentication (browsers send none), nothing done.
    expect(answer.status, label).toBe(204)
    expect(answer.text, label).toBe('')
  } else if (c.method === 'OPTIONS' || target === undefined) {
    // No CORS configured: OPTIONS and other methods are refused.
    expect.fail(`a method the route does not have was answered: ${label}`)
  } else if (reachesRoute(c)) {
    expect(
      target.success.includes(answer.status) || alsoDocumented(c.route.path, answer.status),
      `an undocumented success status: ${label}`,
    ).toBe(true)
  }
  // Authentication, on a method the route has and a path whose parameters decode.
  const presents = authVariants()[c.auth]!.presents
  const needs =
    target?.public === true
      ? 'none'
      : c.route.path === '/metrics' && !compatMode
        ? 'metrics'
        : 'api'
  if (matched && needs !== 'none' && presents !== needs && reachesRoute(c))
    expect(answer.status, `unauthenticated: ${label}`).toBe(401)
  if (answer.status === 401)
    expect(answer.headers.get('www-authenticate'), label).toMatch(/^Bearer/)
  // CORS: only the configured origin is ever allowed.
  const allowed = answer.headers.get('access-control-allow-origin')
  if (allowed !== null) expect(allowed, label).toBe(APP_ORIGIN)
}

describe('credsign/http leak hunt (generated requests on every route)', () => {
  it('the leak scan finds each thing it looks for (it can fail)', () => {
    const json = (text: string, headers: Record<string, string> = {}): Answer => ({
      status: 400,
      headers: new Headers({ 'content-type': 'application/problem+json', ...headers }),
      text,
    })
    expect(leaks(json(`{"detail":"${S1}"}`))).not.toEqual([])
    expect(leaks(json('{}', { 'x-a': TOKEN }))).not.toEqual([])
    expect(leaks(json(`{"detail":"cannot read ${join(DIR, 'keys')}"}`))).not.toEqual([])
    expect(leaks(json(`{"detail":"open '${join(tmpdir(), 'x')}'"}`))).not.toEqual([])
    expect(leaks(json('{"kty":"OKP","d":"abc"}'))).not.toEqual([])
    expect(leaks(json('"-----BEGIN PRIVATE KEY-----"'))).not.toEqual([])
    expect(leaks(json('"Error: x\\n    at run (file:///app/dist/index.js:10:5)"'))).not.toEqual([])
    expect(leaks(json('"ENOENT: no such file"'))).not.toEqual([])
    expect(leaks(json('{"code":"malformed","detail":"the request body is not JSON"}'))).toEqual([])
  })

  it('lists every route in /openapi.json, the non-public ones with the bearer scheme', () => {
    const publicRoutes = routes.filter((r) => r.public).map((r) => `${r.method} ${r.path}`)
    expect(publicRoutes.sort()).toEqual(
      [
        'GET /.well-known/did.json',
        'GET /.well-known/jwks.json',
        'GET /.well-known/jwt-vc-issuer',
        'GET /health',
        'GET /health/liveness',
        'GET /health/readiness',
        'GET /openapi.json',
        'GET /status-lists/{id}',
        'GET /',
        'GET /verify',
        'GET /verify/app.css',
        'GET /verify/app.js',
        'GET /verify/icon.svg',
      ].sort(),
    )
    expect(routes.length).toBeGreaterThanOrEqual(25)
  })

  it('every generated request gets a documented answer, authenticated where documented, with nothing leaked', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary(), async (c) => {
        const before = writes
        const presents = authVariants()[c.auth]!.presents
        const answer = await send(requestOf(c))
        generated++
        check(c, answer)
        if (presents !== 'api' && c.method !== 'GET')
          expect(writes, `a write without the API token: ${c.method} ${c.route.path}`).toBe(before)
      }),
      {
        numRuns: Number(process.env.LEAK_HUNT_RUNS ?? 700),
        seed: Number(process.env.LEAK_HUNT_SEED ?? 20261207),
      },
    )
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(generated).toBeGreaterThanOrEqual(700)
  }, 60_000)

  it("the same in compat: 'eecc' with request encryption, CORS and /metrics on the API token", async () => {
    compatMode = true
    try {
      await fc.assert(
        fc.asyncProperty(caseArbitrary(), async (c) => {
          const before = writes
          const presents = authVariants()[c.auth]!.presents
          const answer = await send(requestOf(c))
          generated++
          check(c, answer)
          if (presents !== 'api' && c.method !== 'GET')
            expect(writes, `a write without the API token: ${c.method} ${c.route.path}`).toBe(
              before,
            )
        }),
        {
          numRuns: Number(process.env.LEAK_HUNT_RUNS ?? 400),
          seed: Number(process.env.LEAK_HUNT_SEED ?? 20261208),
        },
      )
    } finally {
      compatMode = false
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  }, 60_000)
})

/** A store that fails the way a file store on a broken disk fails: Node errors naming its files. */
class FailingStore implements KeyStore {
  constructor(private readonly mode: 'node-error' | 'unavailable' | 'corrupt') {}
  #fail(): never {
    const path = join(DIR, 'keys', 'did_web_x.json')
    if (this.mode === 'node-error')
      throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), {
        code: 'EACCES',
        path,
      })
    if (this.mode === 'unavailable')
      throw new CredsignError('store_unavailable', `file store: cannot read ${path} (EIO)`)
    throw new CredsignError('store_corrupt', `file store: ${path} is not valid UTF-8 JSON`)
  }
  async create(): Promise<never> {
    this.#fail()
  }
  async get(): Promise<never> {
    this.#fail()
  }
  async update(): Promise<never> {
    this.#fail()
  }
  async delete(): Promise<never> {
    this.#fail()
  }
  async list(): Promise<never> {
    this.#fail()
  }
  async ping(): Promise<void> {
    this.#fail()
  }
}

describe('credsign/http over a failing store', () => {
  for (const mode of ['node-error', 'unavailable', 'corrupt'] as const) {
    it(`${mode}: every route answers a fixed 5xx or its own refusal, never the store's message`, async () => {
      const failing = createHandler({
        vault: new KeyVault({ store: new FailingStore(mode), serviceSecret: SERVICE_SECRET }),
        auth: { bearerTokens: [TOKEN] },
        issuers: [{ name: 'jwt', keyId: KEY, secrets: [S1], format: 'jwt' }],
        didWeb: [{ did: ISSUER, keyIds: [KEY] }],
        jwtVcIssuer: 'https://issuer.example',
        verifierPage: true,
      })
      const paths = [
        ['POST', '/generate'],
        ['POST', '/delete'],
        ['POST', '/sign/vc/jwt'],
        ['POST', '/sign/vp/data-integrity'],
        ['POST', '/credentials/issue'],
        ['POST', '/issuers/jwt/credentials/issue'],
        ['GET', `/keys/${encodeURIComponent(KEY)}`],
        ['GET', '/.well-known/jwks.json'],
        ['GET', '/.well-known/did.json'],
        ['GET', '/.well-known/jwt-vc-issuer'],
        ['GET', '/health'],
        ['GET', '/health/readiness'],
        ['POST', '/credentials/verify'],
        ['POST', '/verify'],
      ] as const
      let faults = 0
      for (const [method, path] of paths) {
        const body =
          method === 'POST'
            ? JSON.stringify(
                path === '/delete' || path.startsWith('/sign/')
                  ? { ...(validBody(path) as object), identifier: KEY, secrets: [S1] }
                  : path === '/credentials/verify'
                    ? { verifiableCredential: signedJwt }
                    : path === '/verify'
                      ? { input: signedJwt }
                      : validBody(path),
              )
            : undefined
        const response = await failing(
          new Request(`http://issuer.example${path}`, {
            method,
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            ...(body === undefined ? {} : { body }),
          }),
        )
        const answer = {
          status: response.status,
          headers: response.headers,
          text: await response.text(),
        }
        const label = `${method} ${path} → ${answer.status} ${answer.text}`
        expect(leaks(answer), label).toEqual([])
        if (answer.status >= 500) faults++
        if (answer.status >= 400 && !path.startsWith('/health')) {
          const problem = JSON.parse(answer.text) as { code: string }
          expect(DOCUMENTED.has(problem.code) || problem.code === 'internal_error', label).toBe(
            true,
          )
        }
      }
      // The store failed on every route that reads it: the fault shows, only as a fault.
      expect(faults).toBeGreaterThanOrEqual(8)
    })
  }
})

/** Sends raw bytes on a new connection; resolves with everything received until the server closes. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
    socket.setTimeout(5_000, () => socket.destroy())
    socket.write(bytes, 'latin1')
  })
}

/** The status, headers and body of the first response in `raw`. */
function parsed(raw: string): Answer {
  const end = raw.indexOf('\r\n\r\n')
  expect(end, JSON.stringify(raw)).toBeGreaterThan(0)
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n')
  const headers = new Headers()
  for (const line of lines) {
    const at = line.indexOf(':')
    headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim())
  }
  const length = Number(headers.get('content-length') ?? 0)
  return {
    status: Number(statusLine!.split(' ')[1]),
    headers,
    text: raw.slice(end + 4, end + 4 + length),
  }
}

describe('credsign serve (node:http): requests node:http parses itself', () => {
  let served: Served
  let port: number
  beforeAll(async () => {
    served = await serveInProcess(
      ['--port', '0', '--host', '127.0.0.1'],
      {
        CREDSIGN_DATA_DIR: join(DIR, 'serve'),
        PBKDF2_ITERATIONS: '1000',
        CREDSIGN_TOKENS: TOKEN,
        CREDSIGN_METRICS_TOKEN: METRICS_TOKEN,
      },
      { accessLog: 'drop' },
    )
    port = Number(new URL(served.base).port)
  })
  afterAll(async () => {
    await served.stop()
  })

  it('two Authorization headers, the first the API token: 401, as createHandler answers them', async () => {
    for (const [first, second] of [
      [TOKEN, 'someone-else-0123456789'],
      [TOKEN, METRICS_TOKEN],
      [METRICS_TOKEN, TOKEN],
    ] as const) {
      for (const path of ['/keys/nobody', '/metrics']) {
        const answer = parsed(
          await rawExchange(
            port,
            `GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${first}\r\n` +
              `Authorization: Bearer ${second}\r\nConnection: close\r\n\r\n`,
          ),
        )
        expect(leaks(answer), path).toEqual([])
        expect(
          answer.status,
          `${path}: Bearer ${first.slice(0, 8)}… then Bearer ${second.slice(0, 8)}…`,
        ).toBe(401)
        expect(JSON.parse(answer.text).code).toBe('unauthorized')
      }
    }
  })

  it('two Authorization headers through toNodeListener with an authorize hook: the hook sees both', async () => {
    const seen: (string | null)[] = []
    const server = createServer(
      toNodeListener(
        createHandler({
          vault: new KeyVault({ store: new MemoryStore(), serviceSecret: SERVICE_SECRET }),
          auth: {
            authorize: (request) => {
              seen.push(request.headers.get('authorization'))
              return request.headers.get('authorization') === `Bearer ${TOKEN}`
            },
          },
        }),
      ),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const hookPort = (server.address() as AddressInfo).port
      const answer = parsed(
        await rawExchange(
          hookPort,
          `GET /keys/nobody HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
            `Authorization: Bearer someone-else\r\nConnection: close\r\n\r\n`,
        ),
      )
      expect(answer.status).toBe(401)
      expect(seen).toEqual([`Bearer ${TOKEN}, Bearer someone-else`])
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it('requests node:http refuses before the listener get a problem with a code, not a bare status line', async () => {
    const auth = `Authorization: Bearer ${TOKEN}\r\n`
    for (const [name, bytes] of [
      ['a header line without a colon', `GET /health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n`],
      [
        'headers over 16 KiB',
        `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      ],
      [
        'a chunk size that is not hex',
        `POST /generate HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      ],
      [
        'Content-Length and Transfer-Encoding',
        `POST /generate HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
      ],
      [
        'two different Content-Lengths',
        `POST /generate HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
      ],
      ['a NUL in a header value', `GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n`],
      ['not HTTP', `HELLO\r\n\r\n`],
    ] as const) {
      const raw = await rawExchange(port, bytes)
      const answer = parsed(raw)
      expect(leaks(answer), name).toEqual([])
      expect(answer.headers.get('content-type'), `${name}: ${raw.slice(0, 200)}`).toBe(
        'application/problem+json',
      )
      const problem = JSON.parse(answer.text) as { code: string; status: number }
      expect(DOCUMENTED.has(problem.code), name).toBe(true)
      expect(HTTP_STATUS[problem.code as keyof typeof HTTP_STATUS], name).toBe(answer.status)
      expect(problem.status, name).toBe(answer.status)
      expect(answer.status, name).toBe(name === 'headers over 16 KiB' ? 431 : 400)
    }
  })
})

/** The eecc origin's request encryption (AES-256-GCM, hex parts joined by `:`, base64), of raw text. */
function encryptText(plaintext: string, secret: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(secret, 'utf8'), iv)
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  const joined = [iv, cipher.getAuthTag(), ct].map((b) => b.toString('hex')).join(':')
  return JSON.stringify({ encryptedData: Buffer.from(joined, 'utf8').toString('base64') })
}

describe("compat: 'eecc' with requestEncryption: an encrypted body is held to the plain body's rules", () => {
  const SHARED = `${MARK}-shared-0123456789abcdef`.slice(0, 32)
  const compat = (): CredsignHandler =>
    createHandler({
      vault: new KeyVault({ store: new MemoryStore(), serviceSecret: SERVICE_SECRET }),
      auth: { bearerTokens: [TOKEN] },
      compat: 'eecc',
      requestEncryption: { sharedSecret: SHARED },
    })
  const post = async (h: CredsignHandler, body: string): Promise<Answer> => {
    const response = await h(
      new Request('http://issuer.example/generate', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body,
      }),
    )
    return { status: response.status, headers: response.headers, text: await response.text() }
  }
  const generate = '"identifier":"did:web:a.example","secrets":["s-1"],"signatureType":"Ed25519"'

  for (const [name, plaintext] of [
    ['nesting 30,000 deep', `{${generate},"x":${'['.repeat(30_000)}${']'.repeat(30_000)}}`],
    ['nesting 33 deep (over maxJsonDepth)', `{${generate},"x":${'['.repeat(33)}${']'.repeat(33)}}`],
    ['a duplicate member', `{${generate},"identifier":"did:web:b.example"}`],
  ] as const) {
    it(`${name}: 400 malformed, as the same body unencrypted`, async () => {
      const h = compat()
      expect(SHARED).toHaveLength(32)
      const plain = await post(h, plaintext)
      expect(plain.status).toBe(400)
      const encrypted = await post(h, encryptText(plaintext, SHARED))
      expect(leaks(encrypted), encrypted.text).toEqual([])
      expect(encrypted.status, encrypted.text).toBe(400)
      expect((JSON.parse(encrypted.text) as { code: string }).code).toBe('malformed')
    })
  }
})

describe('the CLI (keygen, sign, verify): failures print no secret and exit non-zero', () => {
  const CLI_DIR = join(DIR, 'cli')
  const run = async (
    argv: string[],
    env: Record<string, string | undefined> = {},
    stdin = JSON.stringify({
      '@context': [V2],
      type: ['VerifiableCredential'],
      issuer: 'did:web:cli.example',
      credentialSubject: { id: 'did:example:alice' },
    }),
  ): Promise<{ code: number; text: string }> => {
    const lines: string[] = []
    const io: CliIo = {
      env: { PBKDF2_ITERATIONS: '1000', CREDSIGN_DATA_DIR: join(CLI_DIR, 'data'), ...env },
      out: (line) => lines.push(line),
      err: (line) => lines.push(line),
      readStdin: async () => stdin,
    }
    return { code: await runCli(argv, io), text: lines.join('\n') }
  }
  beforeAll(async () => {
    await mkdir(CLI_DIR, { recursive: true })
    await writeFile(join(CLI_DIR, 'secrets.txt'), `${S1}\n`)
    await writeFile(join(CLI_DIR, 'long-secret.txt'), `${S1}${'x'.repeat(1000)}\n`)
    await writeFile(join(CLI_DIR, 'eleven.txt'), `${S1}\n`.repeat(11))
    await writeFile(join(CLI_DIR, 'short-service-secret'), `${MARK}-short`)
    await writeFile(join(CLI_DIR, 'bad.json'), `{"a": "${S1}"`)
    const made = await run(['keygen', '--id', 'did:web:cli.example#k', '--algorithm', 'Ed25519'], {
      CREDSIGN_SECRETS: S1,
      SIGNING_KEY_PATH: join(CLI_DIR, 'service-secret'),
    })
    expect(made.code, made.text).toBe(0)
  })

  const SIGN = ['sign', '--id', 'did:web:cli.example#k', '--format', 'jwt']
  const DEV = (): Record<string, string> => ({ SIGNING_KEY_PATH: join(CLI_DIR, 'service-secret') })
  const cases: [string, string[], () => Record<string, string>, string?][] = [
    ['an unknown --secret option with the secret', [...SIGN, '--secret', S1], DEV],
    ['an unknown --secret=<secret>', [...SIGN, `--secret=${S1}`], DEV],
    ['the secret as a stray argument', [...SIGN, S1], DEV],
    ['the secret after a flag taking a value', ['keygen', '--id', 'x#k', '--algorithm', S1], DEV],
    ['11 secrets', [...SIGN, '--secrets-file', join(CLI_DIR, 'eleven.txt')], DEV],
    [
      'a secret over 1,000 characters',
      [...SIGN, '--secrets-file', join(CLI_DIR, 'long-secret.txt')],
      DEV,
    ],
    [
      'wrong secrets (CREDSIGN_SECRETS)',
      [...SIGN, '--in', '-'],
      () => ({ ...DEV(), CREDSIGN_SECRETS: `${S1}-wrong` }),
    ],
    [
      'an input file that is not JSON',
      [...SIGN, '--in', join(CLI_DIR, 'bad.json')],
      () => ({ ...DEV(), CREDSIGN_SECRETS: S1 }),
    ],
    [
      'stdin with a duplicate member',
      [...SIGN, '--in', '-'],
      () => ({ ...DEV(), CREDSIGN_SECRETS: S1 }),
      `{"a":1,"a":"${S1}"}`,
    ],
    [
      'an input file that does not exist',
      [...SIGN, '--in', join(CLI_DIR, 'none.json')],
      () => ({ ...DEV(), CREDSIGN_SECRETS: S1 }),
    ],
    [
      'a service secret too short',
      [...SIGN, '--in', '-'],
      () => ({ CREDSIGN_SECRETS: S1, SIGNING_KEY_PATH: join(CLI_DIR, 'short-service-secret') }),
    ],
    ['verify of a file that is not JSON', ['verify', '--in', join(CLI_DIR, 'bad.json')], DEV],
    ['verify with an unknown option carrying the secret', ['verify', `--secrets=${S1}`], DEV],
  ]
  for (const [name, argv, env, stdin] of cases) {
    it(name, async () => {
      const result = await run(argv, env(), ...(stdin === undefined ? [] : [stdin]))
      expect(result.code, result.text).not.toBe(0)
      expect(result.text).not.toContain(S1)
      // Paths are the operator's own (the CLI names the file it cannot read); nothing else marked.
      expect(result.text.replaceAll(DIR, '<dir>')).not.toContain(MARK)
      expect(result.text).not.toMatch(/\n\s+at |PRIVATE KEY|"d"\s*:/)
    })
  }
})
