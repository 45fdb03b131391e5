// Issue 13, item 7: slow clients. A body trickled at 1 byte/s must not hold a request or a
// connection open: toNodeListener's body read deadline answers 408 `request_timeout` (problem+json)
// and closes the connection; a body the handler did not need is drained under the same deadline;
// `credsign serve` also bounds slow headers (node:http's headersTimeout). Raw TCP sockets on
// 127.0.0.1 with short deadlines (a few hundred ms): no long sleeps, every client is bounded.
import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/run.js'
import {
  createHandler,
  toNodeListener,
  type HttpAuth,
  type HttpLogEntry,
} from '../../src/http/index.js'
import { CredsignError, KeyVault, MemoryStore } from '../../src/index.js'

const TOKEN = 'slow-clients-token-0123456789'
const DEADLINE_MS = 300
/**
 * Scheduling slack on a loaded 2-core machine; the point is "about the deadline", not "200 s
 * later".
 */
const SLACK_MS = 1_500

let server: Server
let port: number
const logs: HttpLogEntry[] = []

/**
 * Bearer tokens: toNodeListener serves it from node's request directly. An authorize hook needs a
 * web Request: the body goes through a web stream, under the same deadline.
 */
function newHandler(auth: HttpAuth = { bearerTokens: [TOKEN] }) {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
  })
  return createHandler({ vault, auth, onLog: (entry) => logs.push(entry) })
}

/** The server of the web-stream path. */
let webServer: Server
let webPort: number

beforeAll(async () => {
  server = createServer(toNodeListener(newHandler(), { bodyTimeoutMs: DEADLINE_MS }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  const authorize = (request: Request): boolean =>
    request.headers.get('authorization') === `Bearer ${TOKEN}`
  webServer = createServer(
    toNodeListener(newHandler({ authorize }), { bodyTimeoutMs: DEADLINE_MS }),
  )
  await new Promise<void>((resolve) => webServer.listen(0, '127.0.0.1', resolve))
  webPort = (webServer.address() as AddressInfo).port
})

afterAll(async () => {
  for (const s of [server, webServer]) {
    s.closeAllConnections()
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }
})

interface SlowClient {
  socket: Socket
  /** Everything the server sent. */
  received(): string
  /** Resolves with the milliseconds from connecting until the server closed the connection. */
  closed: Promise<number>
  stop(): void
}

/**
 * Connects, sends `head` at once, then `body` one byte per `intervalMs` (1 byte/s by default).
 * Stops sending when the server closes the connection, or at `stop()`.
 */
function slowClient(target: number, head: string, body: string, intervalMs = 1_000): SlowClient {
  const started = performance.now()
  const socket = connect(target, '127.0.0.1')
  let text = ''
  let sent = 0
  let timer: ReturnType<typeof setInterval> | undefined
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => (text += chunk))
  socket.on('error', () => undefined) // a reset after the server destroys the connection is expected
  socket.on('connect', () => {
    socket.write(head)
    const next = (): void => {
      if (sent < body.length && !socket.destroyed) socket.write(body[sent++]!)
    }
    next()
    timer = setInterval(next, intervalMs)
  })
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer)
      resolve(performance.now() - started)
    }),
  )
  return {
    socket,
    received: () => text,
    closed,
    stop() {
      clearInterval(timer)
      socket.destroy()
    },
  }
}

function postHead(
  path: string,
  length: number,
  options: { token?: string | null; keepAlive?: boolean } = {},
): string {
  const token = options.token === undefined ? TOKEN : options.token
  return [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${length}`,
    ...(token === null ? [] : [`Authorization: Bearer ${token}`]),
    `Connection: ${options.keepAlive === false ? 'close' : 'keep-alive'}`,
    '',
    '',
  ].join('\r\n')
}

/** The status, headers and JSON body of the first response in `raw`. */
function parseResponse(raw: string): {
  status: number
  headers: Record<string, string>
  body: any
} {
  const end = raw.indexOf('\r\n\r\n')
  expect(end, raw).toBeGreaterThan(0)
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n')
  const headers = Object.fromEntries(
    lines.map((l) => [
      l.slice(0, l.indexOf(':')).toLowerCase(),
      l.slice(l.indexOf(':') + 1).trim(),
    ]),
  )
  const length = Number(headers['content-length'] ?? 0)
  const text = raw.slice(end + 4, end + 4 + length)
  return {
    status: Number(statusLine!.split(' ')[1]),
    headers,
    body: text === '' ? undefined : JSON.parse(text),
  }
}

const BODY = JSON.stringify({ verifiableCredential: 'x'.repeat(150) })

describe.each([
  ['node request (bearer tokens)', () => port],
  ['web Request (an authorize hook)', () => webPort],
])('toNodeListener: the body read deadline, %s', (_path, target) => {
  it('a body sent at 1 byte/s is answered 408 request_timeout (problem+json) and the connection is closed at about the deadline', async () => {
    logs.length = 0
    const client = slowClient(target(), postHead('/credentials/verify', BODY.length), BODY)
    try {
      const closedAfter = await client.closed
      expect(closedAfter).toBeGreaterThanOrEqual(DEADLINE_MS - 20)
      expect(closedAfter).toBeLessThan(DEADLINE_MS + SLACK_MS)
      const response = parseResponse(client.received())
      expect(response.status).toBe(408)
      expect(response.headers['content-type']).toBe('application/problem+json')
      expect(response.headers.connection).toBe('close')
      expect(response.body).toMatchObject({
        type: 'urn:credsign:error:request_timeout',
        title: 'request_timeout',
        status: 408,
        code: 'request_timeout',
      })
      expect(logs).toEqual([
        expect.objectContaining({
          route: '/credentials/verify',
          status: 408,
          code: 'request_timeout',
        }),
      ])
    } finally {
      client.stop()
    }
  })

  it('chunked transfer encoding, one byte per second: the same 408 and close', async () => {
    const head = [
      'POST /credentials/verify HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      'Transfer-Encoding: chunked',
      `Authorization: Bearer ${TOKEN}`,
      '',
      '',
    ].join('\r\n')
    // Each byte is its own chunk: "1\r\n{\r\n" …, sent one character of the framing per interval.
    const client = slowClient(target(), head, `1\r\n{\r\n1\r\n"\r\n`, 200)
    try {
      const closedAfter = await client.closed
      expect(closedAfter).toBeLessThan(DEADLINE_MS + SLACK_MS)
      expect(parseResponse(client.received()).status).toBe(408)
    } finally {
      client.stop()
    }
  })

  it('a refusal given without reading the body (401) is sent at once; the trickling rest is cut off at the deadline', async () => {
    const client = slowClient(
      target(),
      postHead('/credentials/verify', BODY.length, { token: null }),
      BODY,
    )
    try {
      const closedAfter = await client.closed
      expect(closedAfter).toBeGreaterThanOrEqual(DEADLINE_MS - 20)
      expect(closedAfter).toBeLessThan(DEADLINE_MS + SLACK_MS)
      const response = parseResponse(client.received())
      expect(response.status).toBe(401)
      expect(response.body.code).toBe('unauthorized')
    } finally {
      client.stop()
    }
  })

  it('a body that arrives in time is served, and its keep-alive connection outlives the deadline', async () => {
    const body = JSON.stringify({ verifiableCredential: 'not-a-credential' })
    const socket = connect(target(), '127.0.0.1')
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (text += chunk))
    let closed = false
    socket.on('close', () => (closed = true))
    try {
      await new Promise<void>((resolve) => socket.on('connect', resolve))
      socket.write(postHead('/credentials/verify', body.length) + body)
      await waitFor(() => text.includes('\r\n\r\n') && text.endsWith('}'))
      expect(parseResponse(text).status).toBe(422)
      await new Promise((resolve) => setTimeout(resolve, DEADLINE_MS * 2))
      expect(closed).toBe(false)
      text = ''
      socket.write(postHead('/credentials/verify', body.length) + body)
      await waitFor(() => text.includes('\r\n\r\n') && text.endsWith('}'))
      expect(parseResponse(text).status).toBe(422)
    } finally {
      socket.destroy()
    }
  })

  it('refuses invalid deadlines; 0 turns it off', () => {
    const handler = newHandler()
    for (const bodyTimeoutMs of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      expect(() => toNodeListener(handler, { bodyTimeoutMs }), String(bodyTimeoutMs)).toThrow(
        CredsignError,
      )
    }
    expect(typeof toNodeListener(handler, { bodyTimeoutMs: 0 })).toBe('function')
  })
})

describe('credsign serve: header and body deadlines', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsign-slow-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('--headers-timeout cuts a client that never finishes its headers; --body-timeout answers a slow body 408', async () => {
    const err: string[] = []
    let trigger: (() => void) | undefined
    let listening!: (base: string) => void
    const started = new Promise<string>((resolve) => (listening = resolve))
    const dataDir = join(dir, 'serve')
    const done = runCli(
      [
        'serve',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--headers-timeout',
        '400',
        '--body-timeout',
        String(DEADLINE_MS),
      ],
      {
        env: { PBKDF2_ITERATIONS: '1000' },
        out: (line) => {
          const match = /^credsign listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(line)
          if (match) listening(match[1]!)
        },
        err: (line) => err.push(line),
        onShutdown: (stop) => {
          trigger = stop
          return () => undefined
        },
      },
    )
    const servePort = Number(
      await Promise.race([
        started,
        done.then((code) =>
          Promise.reject(new Error(`serve exited with ${code}: ${err.join('\n')}`)),
        ),
      ]),
    )
    try {
      const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim()
      // Slow headers: one header byte per second, never the blank line.
      const headers = slowClient(
        servePort,
        'POST /credentials/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n',
        'X-Slow: aaaaaaaaaaaaaaaaaaaa',
      )
      // A slow body, after complete headers.
      const body = slowClient(
        servePort,
        postHead('/credentials/verify', BODY.length, { token }),
        BODY,
      )
      try {
        const [headersClosed, bodyClosed] = await Promise.all([headers.closed, body.closed])
        expect(headersClosed).toBeGreaterThanOrEqual(400 - 20)
        expect(headersClosed).toBeLessThan(400 * 1.25 + SLACK_MS)
        expect(headers.received()).toMatch(/^HTTP\/1\.1 408 /)
        expect(bodyClosed).toBeLessThan(DEADLINE_MS + SLACK_MS)
        const response = parseResponse(body.received())
        expect(response.status).toBe(408)
        expect(response.body.code).toBe('request_timeout')
      } finally {
        headers.stop()
        body.stop()
      }
      // Still serving.
      expect((await fetch(`http://127.0.0.1:${servePort}/health/liveness`)).status).toBe(200)
    } finally {
      trigger?.()
      expect(await done).toBe(0)
    }
  })

  it('refuses a deadline that is not a positive number of milliseconds', async () => {
    for (const value of ['0', '-5', '1.5', 'soon', '99999999999']) {
      const err: string[] = []
      const code = await runCli(
        ['serve', '--port', '0', '--data-dir', join(dir, 'refused'), '--body-timeout', value],
        {
          env: {},
          out: () => undefined,
          err: (line) => err.push(line),
          onShutdown: (stop) => {
            stop()
            return () => undefined
          },
        },
      )
      expect({ value, code }).toEqual({ value, code: 2 })
      expect(err.join('\n')).toMatch(/--body-timeout must be a number of milliseconds/)
    }
  })
})

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > until) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
