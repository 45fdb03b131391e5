// Malformed and hostile requests against credsign/http over a real socket (node:http on
// 127.0.0.1): every one must end in the documented problem+json (docs/errors.md), never a crash,
// a hang or a 500, and the server must keep serving health and signing requests after each one.
// No response (body or header) and no log entry may carry a caller secret or the bearer token.
import { randomUUID } from 'node:crypto'
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KeyVault, MemoryStore } from '../../src/index.js'
import { createHandler, toNodeListener, type HttpLogEntry } from '../../src/http/index.js'

const V1 = 'https://www.w3.org/2018/credentials/v1'
const V2 = 'https://www.w3.org/ns/credentials/v2'
const ISSUER = 'did:web:issuer.example'
const MAIN = `${ISSUER}#key-1`
const LOCKED = `${ISSUER}#key-locked`
const UNKNOWN = `${ISSUER}#key-nobody-has`
const TOKEN = `test-token-${randomUUID()}`
const OTHER_TOKEN = `other-token-${randomUUID()}`

/**
 * Distinctive secrets, so that a scan of every response and log line for them cannot match by
 * chance.
 */
const secret = (label: string): string => `${label}-${randomUUID()}`
const S1 = secret('main-one')
const S2 = secret('main-two')
const S_LOCKED = secret('locked-key')
const S_WRONG = secret('wrong')
const S_NEW = secret('new-key')
const S_MISC = secret('misc')
const S_LONG = `long-${randomUUID()}-`.padEnd(1001, 'q')
const SECRETS = [S1, S2, S_LOCKED, S_WRONG, S_NEW, S_MISC, S_LONG]

const MAIN_SECRETS = [S1, S2]

function credential(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': [V2],
    id: 'urn:uuid:6a3c1a0e-3c55-4a43-8c1b-5b1d1d1f0a01',
    type: ['VerifiableCredential'],
    issuer: ISSUER,
    validFrom: '2020-01-01T00:00:00Z',
    credentialSubject: { id: 'did:example:alice', name: 'Alice' },
    ...extra,
  }
}

function presentation(): Record<string, unknown> {
  return { '@context': [V2], type: ['VerifiablePresentation'], holder: ISSUER }
}

/** A valid sign request body for the main key, with `changes` applied (undefined deletes a member). */
function signBody(changes: Record<string, unknown> = {}): string {
  const body: Record<string, unknown> = {
    identifier: MAIN,
    secrets: MAIN_SECRETS,
    verifiable: credential(),
  }
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete body[name]
    else body[name] = value
  }
  return JSON.stringify(body)
}

interface Sent {
  method?: string
  path: string
  /** Headers on top of the defaults (valid bearer token, `application/json`); null removes one. */
  headers?: Record<string, string | null>
  body?: string | Uint8Array
  /** Send the body with `Transfer-Encoding: chunked` and no Content-Length. */
  chunked?: boolean
}

interface Received {
  status: number
  headers: IncomingHttpHeaders
  text: string
  ms: number
}

interface Row extends Sent {
  name: string
  status: number
  code: string
  check?: (response: Received, problem: Record<string, unknown>) => void
}

let server: Server
let port: number
let vault: KeyVault
const logs: HttpLogEntry[] = []
/** Every response this file received, scanned for secrets at the end (and row by row). */
const received: Received[] = []
/** Requests that never got an answer (the client hung up), but still get a log line. */
let unanswered = 0

function send(request: Sent): Promise<Received> {
  const started = performance.now()
  const headers: Record<string, string> = {
    authorization: `Bearer ${TOKEN}`,
    'content-type': 'application/json',
  }
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value === null) delete headers[name.toLowerCase()]
    else headers[name.toLowerCase()] = value
  }
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string'
        ? Buffer.from(request.body, 'utf8')
        : Buffer.from(request.body)
  if (body !== undefined) {
    if (request.chunked === true) headers['transfer-encoding'] = 'chunked'
    else headers['content-length'] ??= String(body.byteLength)
  }
  return new Promise((resolve, reject) => {
    let answered = false
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: request.method ?? 'POST',
        path: request.path,
        headers,
        agent: false,
      },
      (res) => {
        answered = true
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const response = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }
          received.push(response)
          resolve(response)
          outgoing.destroy()
        })
      },
    )
    // A server that answers before reading the whole body (413) may close while we still write.
    outgoing.on('error', (error) => {
      if (!answered) reject(error)
    })
    outgoing.setTimeout(20_000, () =>
      outgoing.destroy(
        new Error(`no answer to ${request.method ?? 'POST'} ${request.path} within 20 s`),
      ),
    )
    if (body !== undefined) {
      if (request.chunked === true) {
        for (let offset = 0; offset < body.byteLength; offset += 64 * 1024)
          outgoing.write(body.subarray(offset, offset + 64 * 1024))
      } else {
        outgoing.write(body)
      }
    }
    outgoing.end()
  })
}

function expectNoSecrets(response: Received): void {
  const everything = `${JSON.stringify(response.headers)}\n${response.text}`
  for (const s of [...SECRETS, TOKEN, OTHER_TOKEN])
    expect(everything.includes(s), 'a response carries a secret or token').toBe(false)
}

function expectProblem(response: Received, status: number, code: string): Record<string, unknown> {
  expectNoSecrets(response)
  expect({ status: response.status, body: response.text.slice(0, 300) }).toMatchObject({ status })
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json(;|$)/)
  expect(response.headers['x-content-type-options']).toBe('nosniff')
  expect(response.headers['cache-control']).toBe('no-store')
  const problem = JSON.parse(response.text) as Record<string, unknown>
  expect(problem).toMatchObject({ type: `urn:credsign:error:${code}`, title: code, status, code })
  expect(typeof problem.detail).toBe('string')
  expect((problem.detail as string).length).toBeGreaterThan(0)
  expect(problem.detail).not.toMatch(/\n\s+at /) // no stack trace
  return problem
}

/** The server still answers: health, and a real signature with the main key. */
async function expectAlive(): Promise<void> {
  const health = await send({
    method: 'GET',
    path: '/health',
    headers: { authorization: null, 'content-type': null },
  })
  expectNoSecrets(health)
  expect(health.status).toBe(200)
  expect(JSON.parse(health.text)).toMatchObject({ status: 'ok' })
  const signed = await send({ path: '/sign/vc/jwt', body: signBody() })
  expectNoSecrets(signed)
  expect({ status: signed.status, body: signed.text.slice(0, 300) }).toMatchObject({ status: 201 })
  expect(signed.headers['content-type']).toMatch(/^application\/jwt/)
  expect(signed.text.split('.')).toHaveLength(3)
}

function nested(depth: number, open: string, close: string, inner = '1'): string {
  return `${open.repeat(depth)}${inner}${close.repeat(depth)}`
}

const generateBody = (changes: Record<string, unknown> = {}): string =>
  JSON.stringify({
    identifier: `${ISSUER}#key-${randomUUID()}`,
    secrets: [S_NEW],
    signatureType: 'Ed25519',
    ...changes,
  })

const retryAfter = (response: Received, problem: Record<string, unknown>): void => {
  const seconds = Number(response.headers['retry-after'])
  expect(Number.isInteger(seconds)).toBe(true)
  expect(seconds).toBeGreaterThanOrEqual(1)
  expect(seconds).toBeLessThanOrEqual(15 * 60)
  expect(typeof problem.retryAt).toBe('string')
  expect(Date.parse(problem.retryAt as string)).toBeGreaterThan(Date.now())
}

const bearerChallenge = (response: Received): void => {
  expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/)
}

const HUGE = 1024 * 1024 + 1024

const rows: Row[] = [
  // --- bytes that are not JSON ---
  {
    name: 'truncated JSON',
    path: '/sign/vc/jwt',
    body: signBody().slice(0, -7),
    status: 400,
    code: 'malformed',
  },
  {
    name: 'JSON with trailing garbage',
    path: '/sign/vc/jwt',
    body: `${signBody()} {"x":1}`,
    status: 400,
    code: 'malformed',
  },
  {
    name: 'NaN as a value',
    path: '/sign/vc/jwt',
    body: signBody().replace('"verifiable":', '"n":NaN,"verifiable":'),
    status: 400,
    code: 'malformed',
  },
  {
    name: 'single-quoted JSON',
    path: '/sign/vc/jwt',
    body: signBody().replaceAll('"', "'"),
    status: 400,
    code: 'malformed',
  },
  {
    name: 'comment in JSON',
    path: '/sign/vc/jwt',
    body: `/* hi */ ${signBody()}`,
    status: 400,
    code: 'malformed',
  },
  {
    name: 'invalid UTF-8 (0xff inside a string)',
    path: '/sign/vc/jwt',
    body: Buffer.concat([
      Buffer.from(`{"identifier":"${MAIN}","secrets":["${S1}`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"]}'),
    ]),
    status: 400,
    code: 'malformed',
  },
  {
    name: 'overlong UTF-8 encoding of "/"',
    path: '/sign/vc/jwt',
    body: Buffer.concat([
      Buffer.from('{"identifier":"a'),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from(`","secrets":["${S1}"]}`),
    ]),
    status: 400,
    code: 'malformed',
  },
  {
    name: 'UTF-8-encoded lone surrogate',
    path: '/sign/vc/jwt',
    body: Buffer.concat([
      Buffer.from(`{"identifier":"${MAIN}","secrets":["`),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"]}'),
    ]),
    status: 400,
    code: 'malformed',
  },
  {
    name: 'UTF-8 byte order mark before the JSON',
    path: '/sign/vc/jwt',
    body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(signBody())]),
    status: 400,
    code: 'malformed',
  },
  {
    name: 'empty body (Content-Length: 0)',
    path: '/sign/vc/jwt',
    body: '',
    status: 400,
    code: 'malformed',
  },
  {
    name: 'empty body, chunked',
    path: '/sign/vc/jwt',
    body: '',
    chunked: true,
    status: 400,
    code: 'malformed',
  },
  {
    name: 'whitespace-only body',
    path: '/sign/vc/jwt',
    body: ' \r\n\t ',
    status: 400,
    code: 'malformed',
  },

  // --- JSON of the wrong shape ---
  {
    name: 'JSON array',
    path: '/sign/vc/jwt',
    body: `[${signBody()}]`,
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'JSON string',
    path: '/sign/vc/jwt',
    body: JSON.stringify(signBody()),
    status: 400,
    code: 'invalid_request',
  },
  { name: 'JSON null', path: '/sign/vc/jwt', body: 'null', status: 400, code: 'invalid_request' },
  { name: 'JSON number', path: '/generate', body: '42', status: 400, code: 'invalid_request' },
  {
    name: 'identifier is a number',
    path: '/sign/vc/jwt',
    body: signBody({ identifier: 12345 }),
    status: 400,
    code: 'invalid_request',
    check: (_, problem) =>
      expect(problem.errors).toEqual([
        expect.objectContaining({ code: 'invalid_request', path: 'identifier' }),
      ]),
  },
  {
    name: 'secrets is a string',
    path: '/sign/vc/jwt',
    body: signBody({ secrets: S1 }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'secrets with a number',
    path: '/sign/vc/jwt',
    body: signBody({ secrets: [S1, 42] }),
    status: 400,
    code: 'invalid_request',
    check: (_, problem) =>
      expect(problem.errors).toEqual([expect.objectContaining({ path: 'secrets[1]' })]),
  },
  {
    name: 'secrets is an object',
    path: '/delete',
    body: JSON.stringify({ identifier: MAIN, secrets: { 0: S1 } }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'verifiable is a number',
    path: '/sign/vc/jwt',
    body: signBody({ verifiable: 7 }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'missing identifier',
    path: '/sign/vc/jwt',
    body: signBody({ identifier: undefined }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'missing secrets',
    path: '/delete',
    body: JSON.stringify({ identifier: MAIN }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'unknown member at the top level',
    path: '/sign/vc/jwt',
    body: signBody({ debug: true }),
    status: 400,
    code: 'invalid_request',
    check: (_, problem) => expect(problem.detail).toContain('debug'),
  },
  {
    name: 'unknown member in options of /credentials/verify',
    path: '/credentials/verify',
    body: JSON.stringify({
      verifiableCredential: credential(),
      options: { challenge: 'c', skipChecks: ['proof'] },
    }),
    status: 400,
    code: 'invalid_request',
    check: (_, problem) =>
      expect(problem.errors).toEqual([expect.objectContaining({ path: 'options' })]),
  },
  {
    name: 'unknown member at the top level of /presentations/verify',
    path: '/presentations/verify',
    body: JSON.stringify({ verifiablePresentation: presentation(), extra: 1 }),
    status: 400,
    code: 'invalid_request',
  },

  // --- bounds of identifiers and secrets (schema: 1..500 chars, 1..10 secrets of 1..1000 chars) ---
  {
    name: '0 secrets',
    path: '/sign/vc/jwt',
    body: signBody({ secrets: [] }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: '11 secrets',
    path: '/sign/vc/jwt',
    body: signBody({ secrets: Array.from({ length: 11 }, () => S_MISC) }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a 1,001-character secret',
    path: '/sign/vc/jwt',
    body: signBody({ secrets: [S1, S_LONG] }),
    status: 400,
    code: 'invalid_request',
    check: (_, problem) =>
      expect(problem.errors).toEqual([expect.objectContaining({ path: 'secrets[1]' })]),
  },
  {
    name: 'an empty-string secret',
    path: '/sign/vc/jwt',
    body: signBody({ secrets: [S1, ''] }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a 501-character identifier',
    path: '/sign/vc/jwt',
    body: signBody({ identifier: `${ISSUER}#`.padEnd(501, 'k') }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'an empty identifier',
    path: '/delete',
    body: JSON.stringify({ identifier: '', secrets: [S_MISC] }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'identifier with a space',
    path: '/sign/vc/jwt',
    body: signBody({ identifier: `${ISSUER}#key 1` }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'identifier with a slash',
    path: '/delete',
    body: JSON.stringify({ identifier: '../../etc/passwd', secrets: [S_MISC] }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'identifier with a NUL character',
    path: '/sign/vc/jwt',
    body: signBody({ identifier: `${MAIN}\u0000` }),
    status: 400,
    code: 'invalid_request',
  },

  // --- size and nesting ---
  {
    name: 'body over 1 MiB with Content-Length',
    path: '/sign/vc/jwt',
    body: signBody({ verifiable: credential({ padding: 'p'.repeat(HUGE) }) }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'body over 1 MiB, chunked without Content-Length',
    path: '/sign/vc/jwt',
    body: signBody({ verifiable: credential({ padding: 'p'.repeat(HUGE) }) }),
    chunked: true,
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'Content-Length over 1 MiB with a small body',
    path: '/sign/vc/jwt',
    headers: { 'content-length': String(8 * 1024 * 1024) },
    body: signBody(),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'depth 40 inside verifiable',
    path: '/sign/vc/jwt',
    body: signBody({ verifiable: JSON.parse(nested(39, '{"a":', '}')) }),
    status: 400,
    code: 'malformed',
  },
  {
    name: 'depth 100,000 of arrays',
    path: '/sign/vc/jwt',
    body: nested(100_000, '[', ']'),
    status: 400,
    code: 'malformed',
    check: (r) => expect(r.ms).toBeLessThan(5000),
  },
  {
    name: 'depth 100,000 of objects, chunked',
    path: '/sign/vc/jwt',
    body: nested(100_000, '{"a":', '}'),
    chunked: true,
    status: 400,
    code: 'malformed',
    check: (r) => expect(r.ms).toBeLessThan(5000),
  },
  {
    name: 'depth 100,000, unclosed',
    path: '/generate',
    body: '['.repeat(100_000),
    status: 400,
    code: 'malformed',
    check: (r) => expect(r.ms).toBeLessThan(5000),
  },

  // --- prototype keys and duplicates ---
  {
    name: '__proto__ at the top level',
    path: '/sign/vc/jwt',
    body: signBody().replace('{', '{"__proto__":{"polluted":"yes","identifier":"x"},'),
    status: 400,
    code: 'invalid_request',
    check: () => expect(({} as Record<string, unknown>).polluted).toBeUndefined(),
  },
  {
    name: '__proto__ at the top level of /generate',
    path: '/generate',
    body: generateBody().replace('{', '{"__proto__":{"isAdmin":true},'),
    status: 400,
    code: 'invalid_request',
    check: () => expect(({} as Record<string, unknown>).isAdmin).toBeUndefined(),
  },
  {
    name: 'constructor at the top level',
    path: '/sign/vc/jwt',
    body: signBody().replace('{', '{"constructor":{"prototype":{"polluted":"yes"}},'),
    status: 400,
    code: 'invalid_request',
    check: () => expect(({} as Record<string, unknown>).polluted).toBeUndefined(),
  },
  {
    name: 'prototype at the top level',
    path: '/delete',
    body: JSON.stringify({
      identifier: MAIN,
      secrets: MAIN_SECRETS,
      prototype: { polluted: 'yes' },
    }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'duplicate member',
    path: '/sign/vc/jwt',
    body: signBody().replace('{', `{"identifier":"${UNKNOWN}",`),
    status: 400,
    code: 'malformed',
  },
  {
    name: 'duplicate member spelled with an escape',
    path: '/sign/vc/jwt',
    body: signBody().replace('{', `{"\\u0069dentifier":"${UNKNOWN}",`),
    status: 400,
    code: 'malformed',
  },
  {
    name: 'duplicate member in a nested object',
    path: '/sign/vc/jwt',
    body: signBody().replace(
      '"credentialSubject":{',
      '"credentialSubject":{"id":"did:example:mallory",',
    ),
    status: 400,
    code: 'malformed',
  },

  // --- content type ---
  {
    name: 'Content-Type text/plain',
    path: '/sign/vc/jwt',
    headers: { 'content-type': 'text/plain' },
    body: signBody(),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'no Content-Type',
    path: '/sign/vc/jwt',
    headers: { 'content-type': null },
    body: signBody(),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'Content-Type multipart/form-data',
    path: '/sign/vc/jwt',
    headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
    body: `--XyZ\r\nContent-Disposition: form-data; name="body"\r\n\r\n${signBody()}\r\n--XyZ--\r\n`,
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'Content-Type application/x-www-form-urlencoded',
    path: '/generate',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `identifier=x&secrets=${S_MISC}`,
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'Content-Type application/jsonp',
    path: '/generate',
    headers: { 'content-type': 'application/jsonp' },
    body: generateBody(),
    status: 415,
    code: 'unsupported_media_type',
  },

  // --- authentication ---
  {
    name: 'no Authorization header',
    path: '/sign/vc/jwt',
    headers: { authorization: null },
    body: signBody(),
    status: 401,
    code: 'unauthorized',
    check: bearerChallenge,
  },
  {
    name: 'wrong bearer token',
    path: '/sign/vc/jwt',
    headers: { authorization: `Bearer ${TOKEN}x` },
    body: signBody(),
    status: 401,
    code: 'unauthorized',
    check: bearerChallenge,
  },
  {
    name: 'a token the server does not have',
    path: '/delete',
    headers: { authorization: `Bearer ${OTHER_TOKEN}` },
    body: JSON.stringify({ identifier: MAIN, secrets: MAIN_SECRETS }),
    status: 401,
    code: 'unauthorized',
    check: bearerChallenge,
  },
  {
    name: 'Authorization: Basic',
    path: '/sign/vc/jwt',
    headers: { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` },
    body: signBody(),
    status: 401,
    code: 'unauthorized',
    check: bearerChallenge,
  },
  {
    name: 'Authorization: Bearer without a token',
    path: '/sign/vc/jwt',
    headers: { authorization: 'Bearer' },
    body: signBody(),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'Authorization: the token without the scheme',
    path: '/sign/vc/jwt',
    headers: { authorization: TOKEN },
    body: signBody(),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'Authorization: token with a space inside',
    path: '/sign/vc/jwt',
    headers: { authorization: `Bearer ${TOKEN.slice(0, 8)} ${TOKEN.slice(8)}` },
    body: signBody(),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'Authorization: a 5,000-character token',
    path: '/sign/vc/jwt',
    headers: { authorization: `Bearer ${'t'.repeat(5000)}` },
    body: signBody(),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'Authorization on GET /keys/:id is required too',
    method: 'GET',
    path: `/keys/${encodeURIComponent(MAIN)}`,
    headers: { authorization: null, 'content-type': null },
    status: 401,
    code: 'unauthorized',
  },

  // --- keys and secrets (an unknown key id is wrong_secrets on purpose: docs/errors.md) ---
  {
    name: 'unknown key id',
    path: '/sign/vc/jwt',
    body: signBody({ identifier: UNKNOWN }),
    status: 400,
    code: 'wrong_secrets',
  },
  {
    name: 'unknown key id on /delete',
    path: '/delete',
    body: JSON.stringify({ identifier: UNKNOWN, secrets: [S_MISC] }),
    status: 400,
    code: 'wrong_secrets',
  },
  {
    name: 'wrong secrets',
    path: '/sign/vc/jwt',
    body: signBody({ secrets: [S1, S_WRONG] }),
    status: 400,
    code: 'wrong_secrets',
  },
  {
    name: 'right secrets in the wrong order',
    path: '/sign/vp/jwt',
    body: signBody({ secrets: [S2, S1], verifiable: presentation() }),
    status: 400,
    code: 'wrong_secrets',
  },
  {
    name: 'one secret too few',
    path: '/delete',
    body: JSON.stringify({ identifier: MAIN, secrets: [S1] }),
    status: 400,
    code: 'wrong_secrets',
  },
  {
    name: 'locked key on /sign/vc/jwt',
    path: '/sign/vc/jwt',
    body: signBody({ identifier: LOCKED, secrets: [S_LOCKED] }),
    status: 429,
    code: 'locked',
    check: retryAfter,
  },
  {
    name: 'locked key on /sign/vc/data-integrity',
    path: '/sign/vc/data-integrity',
    body: signBody({ identifier: LOCKED, secrets: [S_LOCKED] }),
    status: 429,
    code: 'locked',
    check: retryAfter,
  },
  {
    name: 'locked key on /delete',
    path: '/delete',
    body: JSON.stringify({ identifier: LOCKED, secrets: [S_LOCKED] }),
    status: 429,
    code: 'locked',
    check: retryAfter,
  },
  {
    name: 'GET /keys/:id of an unknown key',
    method: 'GET',
    path: `/keys/${encodeURIComponent(UNKNOWN)}`,
    headers: { 'content-type': null },
    status: 404,
    code: 'not_found',
  },

  // --- routes and methods ---
  {
    name: 'unsupported type /sign/vc/foo',
    path: '/sign/vc/foo',
    body: signBody(),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: '/sign/pop/sd-jwt',
    path: '/sign/pop/sd-jwt',
    body: signBody({ verifiable: undefined, domain: 'https://issuer.example' }),
    status: 400,
    code: 'unsupported_format',
  },
  {
    name: 'unknown route',
    path: `/admin/${encodeURIComponent(MAIN)}`,
    body: signBody(),
    status: 404,
    code: 'route_not_found',
  },
  {
    name: 'unknown route under /sign',
    path: '/sign/vc/jwt/extra',
    body: signBody(),
    status: 404,
    code: 'route_not_found',
  },
  {
    name: 'GET /generate',
    method: 'GET',
    path: '/generate',
    headers: { 'content-type': null },
    status: 405,
    code: 'method_not_allowed',
    check: (r) => expect(r.headers.allow).toBe('POST'),
  },
  {
    name: 'PUT /sign/vc/jwt',
    method: 'PUT',
    path: '/sign/vc/jwt',
    body: signBody(),
    status: 405,
    code: 'method_not_allowed',
    check: (r) => expect(r.headers.allow).toBe('POST'),
  },
  {
    name: 'DELETE /keys/:id',
    method: 'DELETE',
    path: `/keys/${encodeURIComponent(MAIN)}`,
    headers: { 'content-type': null },
    status: 405,
    code: 'method_not_allowed',
    check: (r) => expect(r.headers.allow).toBe('GET'),
  },
  {
    name: 'bad percent-encoding in /keys/%E0%A4%A',
    method: 'GET',
    path: '/keys/%E0%A4%A',
    headers: { 'content-type': null },
    status: 404,
    code: 'route_not_found',
  },
  {
    name: 'percent-encoded invalid UTF-8 in /keys/%FF',
    method: 'GET',
    path: '/keys/%FF',
    headers: { 'content-type': null },
    status: 404,
    code: 'route_not_found',
  },
  {
    name: 'TRACE /health (a method the Fetch API cannot carry)',
    method: 'TRACE',
    path: '/health',
    headers: { 'content-type': null },
    status: 405,
    code: 'method_not_allowed',
    check: (r) => expect(r.headers.allow).toBe('GET'),
  },
  {
    name: 'TRACE on an unknown path',
    method: 'TRACE',
    path: '/nowhere',
    headers: { 'content-type': null },
    status: 404,
    code: 'route_not_found',
  },
  {
    name: 'GET /keys/:id with a key id the vault refuses',
    method: 'GET',
    path: '/keys/..%2F..%2Fetc%2Fpasswd',
    headers: { 'content-type': null },
    status: 400,
    code: 'invalid_key_id',
  },
  {
    name: 'Host header "[" (not a URL host)',
    method: 'GET',
    path: `/keys/${encodeURIComponent(UNKNOWN)}`,
    headers: { host: '[', 'content-type': null },
    status: 404,
    code: 'not_found',
  },
  {
    name: 'Host header with port 99999',
    path: '/sign/vc/jwt',
    headers: { host: 'issuer.example:99999' },
    body: signBody({ secrets: [S_WRONG, S2] }),
    status: 400,
    code: 'wrong_secrets',
  },
  {
    name: 'Host header "a:b:c"',
    path: '/delete',
    headers: { host: 'a:b:c' },
    body: JSON.stringify({ identifier: MAIN, secrets: [S_WRONG] }),
    status: 400,
    code: 'wrong_secrets',
  },
  {
    name: 'POST /credentials/issue without issuers configured',
    path: '/credentials/issue',
    body: JSON.stringify({ credential: credential() }),
    status: 404,
    code: 'route_not_found',
  },

  // --- fields that do not fit the route ---
  {
    name: 'nonce and challenge both given and different',
    path: '/sign/vp/jwt',
    body: signBody({ verifiable: presentation(), challenge: 'c-1', nonce: 'c-2' }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'domain and audience both given and different',
    path: '/sign/vp/data-integrity',
    body: signBody({
      verifiable: presentation(),
      domain: 'https://a.example',
      audience: 'https://b.example',
    }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: '/sign/pop/jwt without domain',
    path: '/sign/pop/jwt',
    body: signBody({ verifiable: undefined, challenge: 'c-nonce' }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: '/sign/vc/jwt with a challenge',
    path: '/sign/vc/jwt',
    body: signBody({ challenge: 'c-1' }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: '/sign/vp/sd-jwt with an object verifiable',
    path: '/sign/vp/sd-jwt',
    body: signBody({ verifiable: presentation(), domain: 'https://v.example', challenge: 'c' }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: '/sign/vc/jwt with a string verifiable',
    path: '/sign/vc/jwt',
    body: signBody({ verifiable: 'eyJhbGciOiJub25lIn0.e30.' }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'validUntil that is not a date-time',
    path: '/sign/vp/jwt',
    body: signBody({ verifiable: presentation(), validUntil: 'tomorrow' }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'validUntil in the past',
    path: '/sign/vp/jwt',
    body: signBody({ verifiable: presentation(), validUntil: '2001-01-01T00:00:00Z' }),
    status: 400,
    code: 'invalid_request',
  },

  // --- documents the signers refuse ---
  {
    name: 'undefined JSON-LD term on /sign/vc/data-integrity',
    path: '/sign/vc/data-integrity',
    body: signBody({
      verifiable: {
        '@context': [V1],
        type: ['VerifiableCredential'],
        issuer: ISSUER,
        issuanceDate: '2020-01-01T00:00:00Z',
        credentialSubject: { id: 'did:example:alice', notDefinedByAnyContext: 'x' },
      },
    }),
    status: 400,
    code: 'jsonld_invalid',
  },
  {
    name: 'credential issued by another DID',
    path: '/sign/vc/jwt',
    body: signBody({ verifiable: credential({ issuer: 'did:web:someone-else.example' }) }),
    status: 400,
    code: 'issuer_mismatch',
  },
  {
    name: 'credential issued by another DID, Data Integrity',
    path: '/sign/vc/data-integrity',
    body: signBody({ verifiable: credential({ issuer: { id: 'did:web:someone-else.example' } }) }),
    status: 400,
    code: 'issuer_mismatch',
  },
  {
    name: 'credential without credentialSubject',
    path: '/sign/vc/jwt',
    body: signBody({ verifiable: credential({ credentialSubject: undefined }) }),
    status: 400,
    code: 'credential_invalid',
  },

  // --- /generate ---
  {
    name: "generate with signatureType 'RS384' (not offered over HTTP)",
    path: '/generate',
    body: generateBody({ signatureType: 'RS384' }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'generate with keyType X25519',
    path: '/generate',
    body: generateBody({ keyType: 'X25519' }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'generate of an existing id',
    path: '/generate',
    body: generateBody({ identifier: MAIN }),
    status: 409,
    code: 'exists',
  },
  {
    name: 'generate whose key id would pass 500 characters',
    path: '/generate',
    body: generateBody({ identifier: `did:web:${'a'.repeat(480)}` }),
    status: 400,
    code: 'invalid_request',
  },
]

beforeAll(async () => {
  vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
    kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
  })
  await vault.generate({ id: MAIN, algorithm: 'Ed25519', secrets: MAIN_SECRETS })
  await vault.generate({ id: LOCKED, algorithm: 'Ed25519', secrets: [S_LOCKED] })
  const handler = createHandler({
    vault,
    auth: { bearerTokens: [TOKEN] },
    onLog: (entry) => logs.push(entry),
  })
  server = createServer(toNodeListener(handler))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  // Lock LOCKED for this client: the default limiter locks after 5 failures.
  for (let i = 0; i < 5; i++)
    expectProblem(
      await send({
        path: '/sign/vc/jwt',
        body: signBody({ identifier: LOCKED, secrets: [S_WRONG] }),
      }),
      400,
      'wrong_secrets',
    )
  retryAfter(
    ...withProblem(
      await send({
        path: '/sign/vc/jwt',
        body: signBody({ identifier: LOCKED, secrets: [S_WRONG] }),
      }),
      429,
      'locked',
    ),
  )
})

function withProblem(
  response: Received,
  status: number,
  code: string,
): [Received, Record<string, unknown>] {
  return [response, expectProblem(response, status, code)]
}

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('credsign/http over node:http: hostile requests', () => {
  it('has a table of at least 45 rows with distinct names', () => {
    expect(rows.length).toBeGreaterThanOrEqual(45)
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length)
  })

  it('serves before the first row', async () => {
    await expectAlive()
  })

  for (const row of rows) {
    it(`${row.name} → ${row.status} ${row.code}`, async () => {
      const response = await send(row)
      const problem = expectProblem(response, row.status, row.code)
      // The headers docs/errors.md promises with these statuses.
      if (row.status === 401) bearerChallenge(response)
      if (row.status === 405) expect(response.headers.allow).toMatch(/^(GET|POST)(, (GET|POST))*$/)
      if (row.status === 429) retryAfter(response, problem)
      row.check?.(response, problem)
      await expectAlive()
    })
  }

  it('a client that hangs up in the middle of the body: the request ends as malformed, not internal_error, and the server keeps serving', async () => {
    for (const framing of ['transfer-encoding: chunked', 'content-length: 4096']) {
      const before = logs.length
      const socket = connect(port, '127.0.0.1')
      socket.on('error', () => undefined)
      const partial = framing.startsWith('transfer')
        ? `1000\r\n{"identifier":"${MAIN}","secrets":["${S1}`
        : `{"identifier":"${MAIN}","secrets":["${S1}`
      await new Promise<void>((resolve) =>
        socket.write(
          `POST /sign/vc/jwt HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\n${framing}\r\n\r\n${partial}`,
          () => resolve(),
        ),
      )
      await new Promise((resolve) => setTimeout(resolve, 100))
      socket.destroy()
      const deadline = Date.now() + 10_000
      while (logs.length === before && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20))
      unanswered += 1
      expect(logs.slice(before)).toEqual([
        expect.objectContaining({
          method: 'POST',
          route: '/sign/vc/:type',
          status: 400,
          code: 'malformed',
        }),
      ])
      await expectAlive()
    }
  })

  it('never answered with a secret or the token (every response of this file)', () => {
    expect(received.length).toBeGreaterThan(rows.length * 3)
    for (const response of received) expectNoSecrets(response)
  })

  it('logged one line per request, with route templates only: no secret, key id or raw path', () => {
    expect(logs.length).toBe(received.length + unanswered)
    const templates = new Set([
      '/generate',
      '/delete',
      '/sign/vc/:type',
      '/sign/vp/:type',
      '/sign/pop/:type',
      '/credentials/issue',
      '/credentials/verify',
      '/presentations/verify',
      '/keys/:id',
      '/health',
      '(unmatched)',
    ])
    for (const entry of logs) {
      const line = JSON.stringify(entry)
      for (const s of [...SECRETS, TOKEN, OTHER_TOKEN])
        expect(line.includes(s), 'a log line carries a secret or token').toBe(false)
      for (const fragment of [
        'did:',
        'key-1',
        'key-locked',
        'nobody-has',
        '%',
        'admin',
        'foo',
        'extra',
      ])
        expect(line, line).not.toContain(fragment)
      expect(templates.has(entry.route), entry.route).toBe(true)
      expect(Object.keys(entry).sort()).toEqual(
        entry.code === undefined
          ? ['durationMs', 'method', 'route', 'status']
          : ['code', 'durationMs', 'method', 'route', 'status'],
      )
    }
    // Every problem row shows up with its code.
    for (const row of rows)
      expect(
        logs.some((e) => e.status === row.status && e.code === row.code),
        row.name,
      ).toBe(true)
  })
})
