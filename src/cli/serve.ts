import { randomBytes } from 'node:crypto'
import cluster from 'node:cluster'
import { createServer, STATUS_CODES, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { createHandler, isJwtVcIssuerUrl } from '../http/handler.js'
import { DEFAULT_BODY_TIMEOUT_MS, toNodeListener } from '../http/node-listener.js'
import { renderPrometheus } from '../http/metrics.js'
import { errorResponse, HttpError } from '../http/problem.js'
import type { CorsOptions, HttpAuth, HttpLogEntry } from '../http/options.js'
import {
  dataDirOf,
  ensureDataDir,
  errnoSuffix,
  isProduction,
  openCliVault,
  type CliVault,
  readTextFile,
  writeNewPrivateFile,
} from './config.js'
import { CliError, flagsOrThrow, stringFlag, type Flags } from './flags.js'
import { connectToPrimary, runPrimary, WORKER_ENV } from './cluster.js'
import { SERVE_COMPAT_FLAGS, serveCompatOf } from './serve-compat.js'
import { checkIssuerKeys, loadIssuerConfig } from './issuer-profiles.js'
import { openServeStatusLists, type ServeStatusLists } from './serve-status-lists.js'
import { accessLogLine, ServeMetrics } from './observability.js'
import type { CliIo } from './run.js'

/**
 * How long in-flight requests get to finish after SIGINT / SIGTERM before their connections are
 * cut.
 */
const SHUTDOWN_GRACE_MS = 10_000
const MAX_TOKEN_FILE_BYTES = 64 * 1024
/**
 * Read deadlines (docs/http.md, "Limits and safety"). Headers: node:http's `headersTimeout`, 10 s
 * (Node's own default is 60 s: long enough for slowloris to hold many connections). Body: the
 * listener's `bodyTimeoutMs`, 30 s, answered with a 408 problem. Node's `requestTimeout` backs both
 * up one second later (its 408 is plain text), and idle keep-alive connections close after 5 s.
 */
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000
const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000
/** SetTimeout's largest delay. */
const MAX_TIMEOUT_MS = 2_147_483_647
/** What createHandler accepts, and what the `Authorization: Bearer` syntax can carry. */
const TOKEN_SHAPE = /^[\x21-\x7e]{16,4096}$/

/**
 * `credsign serve`: the credsign/http handler on node:http. Keys in `DATA_DIR/keys` (or PostgreSQL
 * when `DATABASE_URL` is set, migrated first unless `--no-migrate`), the service secret from
 * `SIGNING_KEY_PATH`, bearer tokens from `CREDSIGN_TOKENS` / `CREDSIGN_TOKEN_FILE`. Prints
 * `credsign listening on http://HOST:PORT`, and resolves with 0 once SIGINT / SIGTERM (or
 * `io.onShutdown`) has stopped it: the server closes (in-flight requests get 10 s), then the
 * store.
 *
 * @example
 *
 * ```sh
 * NODE_ENV=production SIGNING_KEY_PATH=/run/secrets/signing-key CREDSIGN_TOKEN_FILE=/run/secrets/api-tokens \
 *   npx credsign serve --host 0.0.0.0 --port 8080 --data-dir /var/lib/credsign
 * ```
 *
 * @internal
 */
export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const flags = flagsOrThrow(args, {
    '--port': 'value',
    '--host': 'value',
    '--data-dir': 'value',
    '--schema': 'value',
    '--no-auth': 'flag',
    '--no-migrate': 'flag',
    '--headers-timeout': 'value',
    '--body-timeout': 'value',
    '--keep-alive-timeout': 'value',
    '--allow-inline-contexts': 'flag',
    '--no-access-log': 'flag',
    '--no-metrics': 'flag',
    '--metrics-token-file': 'value',
    '--issuer-profiles': 'value',
    '--jwt-vc-issuer': 'value',
    '--workers': 'value',
    '--no-verifier-page': 'flag',
    ...SERVE_COMPAT_FLAGS,
  })
  const workerIndex = workerIndexOf(io.env)
  const workers = workerIndex === undefined ? workersOf(flags, io) : 1
  const deadlines = deadlinesOf(flags)
  const port = portOf(stringFlag(flags, '--port') ?? io.env.PORT)
  const host = stringFlag(flags, '--host') ?? '127.0.0.1'
  const dataDir = dataDirOf(flags, io.env)
  // A worker repeats the primary's setup: its warnings were printed once, by the primary.
  const setupIo: CliIo = workerIndex === undefined ? io : { ...io, err: () => undefined }
  const compat = await serveCompatOf(flags, setupIo)
  const cors = compat.cors === 'off' ? undefined : (compat.cors ?? corsFromEnv(io.env))
  // What the vault needs of the compatibility settings, in the primary and in every worker.
  const vaultCompat = {
    ...(compat.lockout === undefined ? {} : { lockout: compat.lockout }),
    ...(compat.vault === undefined ? {} : { eecc: compat.vault }),
  }
  // Authentication first: a refused configuration should not create a service secret.
  const auth = await serveAuth(flags, setupIo, dataDir)
  const metricsTokens = await metricsTokensOf(flags, io)
  const profilesFile =
    stringFlag(flags, '--issuer-profiles') ?? (io.env.CREDSIGN_ISSUER_PROFILES?.trim() || undefined)
  const issuerConfig = profilesFile === undefined ? undefined : await loadIssuerConfig(profilesFile)
  const issuers = issuerConfig?.issuers
  const jwtVcIssuer = jwtVcIssuerOf(flags, io.env)
  const openStatusLists = async (
    vault: CliVault['vault'],
  ): Promise<ServeStatusLists | undefined> =>
    issuerConfig === undefined || issuerConfig.statusLists.length === 0
      ? undefined
      : openServeStatusLists(setupIo, {
          dataDir,
          migrations,
          schema,
          lists: issuerConfig.statusLists,
          issuers: issuerConfig.issuers,
          vault,
          file: resolve(profilesFile!),
        })
  const accessLog = accessLogOn(flags, io.env)
  const migrations = flags['--no-migrate'] ? 'require' : 'apply'
  const schema = stringFlag(flags, '--schema')
  const announce = (address: string): void => {
    io.out(`credsign listening on http://${address}`)
    if (flags['--no-verifier-page'] !== true)
      io.err(
        `credsign: verifier page on http://${address}/verify (--no-verifier-page turns it off)`,
      )
  }
  let unsubscribe: () => void = () => undefined
  const shutdown = new Promise<void>((resolve) => {
    unsubscribe = (io.onShutdown ?? onSignals)(() => {
      unsubscribe()
      resolve()
    })
  })
  try {
    return await serveAs(workerIndex, workers)
  } finally {
    unsubscribe()
  }

  async function serveAs(workerIndex: number | undefined, workers: number): Promise<number> {
    if (workers > 1) {
      // Everything a worker does before it listens, once, here: the development secret and token
      // created, migrations applied, issuer keys checked, any refusal printed once.
      const preflight = await openCliVault(io, {
        dataDir,
        migrations,
        schema,
        sealsKeys: true,
        ...vaultCompat,
      })
      try {
        if (issuers !== undefined) await checkIssuerKeys(issuers, preflight.vault, profilesFile!)
        // Created once here, so that workers starting together find them.
        const statusLists = await openStatusLists(preflight.vault)
        await statusLists?.close()
        io.err(`credsign: keys in ${preflight.where}`)
        if (statusLists !== undefined) io.err(`credsign: status lists in ${statusLists.where}`)
      } finally {
        await preflight.close()
      }
      return runPrimary({
        workers,
        script: io.workerScript!,
        args: ['serve', ...args],
        io,
        shutdown,
        graceMs: SHUTDOWN_GRACE_MS,
        announce,
        ...(compat.lockout === undefined ? {} : { lockout: compat.lockout }),
      })
    }

    const metrics = flags['--no-metrics'] ? undefined : new ServeMetrics()
    let vault: CliVault['vault'] | undefined
    let stopWorker!: () => void
    const stoppedByPrimary = new Promise<void>((resolve) => (stopWorker = resolve))
    const link =
      workerIndex === undefined
        ? undefined
        : connectToPrimary({
            clearCache: () => vault?.clearUnlockCache(),
            snapshot: () => metrics?.registry.snapshot() ?? { families: [] },
            stop: () => stopWorker(),
          })
    let opened: CliVault
    try {
      opened = await openCliVault(setupIo, {
        dataDir,
        migrations,
        schema,
        sealsKeys: true,
        ...vaultCompat,
        ...(link === undefined ? {} : { fileLimiter: link.limiter }),
        instrument: {
          store: (store) => {
            const observed = metrics === undefined ? store : metrics.instrumentStore(store)
            return link === undefined ? observed : link.invalidating(observed)
          },
          limiter: (limiter) =>
            metrics === undefined ? limiter : metrics.instrumentLimiter(limiter),
        },
      })
    } catch (error) {
      link?.close()
      throw error
    }
    vault = opened.vault
    let server: Server | undefined
    let statusLists: ServeStatusLists | undefined
    try {
      if (issuers !== undefined) await checkIssuerKeys(issuers, opened.vault, profilesFile!)
      statusLists = await openStatusLists(opened.vault)
      const writeLog = io.accessLog ?? io.out
      const handler = createHandler({
        vault: opened.vault,
        auth,
        requestIds: true,
        ...(cors === undefined ? {} : { cors }),
        ...(compat.compat === undefined ? {} : { compat: compat.compat }),
        ...(compat.ed25519Name === undefined ? {} : { ed25519Name: compat.ed25519Name }),
        ...(compat.requestEncryption === undefined
          ? {}
          : { requestEncryption: compat.requestEncryption }),
        ...(compat.service === undefined ? {} : { service: compat.service }),
        ...(issuers === undefined ? {} : { issuers }),
        ...(jwtVcIssuer === undefined ? {} : { jwtVcIssuer }),
        ...(statusLists === undefined ? {} : { statusLists: statusLists.lists }),
        // For W3C conformance runs only: inline contexts can change what a signed document says.
        ...(flags['--allow-inline-contexts']
          ? { dataIntegrity: { allowInlineContexts: true } }
          : {}),
        ...(metrics === undefined
          ? {}
          : {
              metrics: {
                exposition: async () =>
                  renderPrometheus(
                    link === undefined ? metrics.registry.snapshot() : await link.collectMetrics(),
                  ),
                ...(metricsTokens === undefined ? {} : { bearerTokens: metricsTokens }),
              },
            }),
        ...(metrics === undefined && !accessLog
          ? {}
          : {
              onLog: (entry: HttpLogEntry) => {
                metrics?.onRequest(entry)
                if (accessLog) writeLog(accessLogLine(entry, Date.now(), workerIndex))
              },
            }),
        verifierPage: flags['--no-verifier-page'] !== true,
      })
      server = createDeadlineServer(
        toNodeListener(handler, { bodyTimeoutMs: deadlines.bodyMs }),
        deadlines,
      )
      const address = await listen(server, port, host)
      server.on('error', (error) => io.err(`credsign serve: server error${errnoSuffix(error)}`))
      if (link !== undefined) {
        await link.ready(address)
        await Promise.race([shutdown, stoppedByPrimary])
        await close(server)
        server = undefined
        return 0
      }
      io.err(`credsign: keys in ${opened.where}`)
      if (statusLists !== undefined) io.err(`credsign: status lists in ${statusLists.where}`)
      announce(address)
      await shutdown
      io.err('credsign: shutting down')
      await close(server)
      server = undefined
      io.err('credsign: stopped')
      return 0
    } finally {
      if (server?.listening) await close(server)
      await statusLists?.close()
      await opened.close()
      if (link !== undefined) {
        link.close()
        // The IPC channel would keep this worker alive.
        process.disconnect?.()
      }
    }
  }
}

/**
 * The number of this `credsign serve` worker (from 1), or undefined in the primary / a single
 * process.
 */
function workerIndexOf(env: CliIo['env']): number | undefined {
  const raw = env[WORKER_ENV]
  if (raw === undefined || !cluster.isWorker) return undefined
  const index = Number(raw)
  return Number.isSafeInteger(index) && index >= 1 ? index : undefined
}

/**
 * `--workers N` (or `CREDSIGN_WORKERS`): 1 to 256 processes. Default: the number of cores the
 * process may use when run as the `credsign` command, 1 when called in-process (`runCli`), which
 * cannot fork itself.
 */
function workersOf(flags: Flags, io: CliIo): number {
  const raw = stringFlag(flags, '--workers') ?? (io.env.CREDSIGN_WORKERS?.trim() || undefined)
  if (raw === undefined) return io.workerScript === undefined ? 1 : availableParallelism()
  const workers = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN
  if (!(workers >= 1 && workers <= 256))
    throw new CliError('--workers (or CREDSIGN_WORKERS) must be a number from 1 to 256', 2)
  if (workers > 1 && io.workerScript === undefined)
    throw new CliError(
      '--workers above 1 needs the credsign command itself (it forks its workers)',
      2,
    )
  return workers
}

/**
 * `--jwt-vc-issuer URL` (or `CREDSIGN_JWT_VC_ISSUER`): serve the SD-JWT VC issuer metadata of this
 * issuer identifier at `/.well-known/jwt-vc-issuer[/path]`, with the vault's keys (and the `x5c` of
 * versions with a chain). Checked before anything starts: an https URL, path of one segment.
 */
function jwtVcIssuerOf(flags: Flags, env: CliIo['env']): string | undefined {
  const issuer =
    stringFlag(flags, '--jwt-vc-issuer') ?? (env.CREDSIGN_JWT_VC_ISSUER?.trim() || undefined)
  if (issuer !== undefined && !isJwtVcIssuerUrl(issuer))
    throw new CliError(
      '--jwt-vc-issuer (or CREDSIGN_JWT_VC_ISSUER) must be an https URL without query or fragment, its path at most one segment',
      2,
    )
  return issuer
}

/** `--no-access-log`, or `CREDSIGN_ACCESS_LOG=off` (also `0`, `false`, `no`): no access log. */
function accessLogOn(flags: Flags, env: CliIo['env']): boolean {
  if (flags['--no-access-log']) return false
  const setting = env.CREDSIGN_ACCESS_LOG?.trim().toLowerCase()
  if (setting === undefined || setting === '' || ['on', '1', 'true', 'yes'].includes(setting))
    return true
  if (['off', '0', 'false', 'no'].includes(setting)) return false
  throw new CliError('CREDSIGN_ACCESS_LOG must be on or off', 2)
}

/**
 * A separate token for `GET /metrics`: `CREDSIGN_METRICS_TOKEN`, or the file named by
 * `--metrics-token-file` (never on the command line, where other users can read it). Without one,
 * `/metrics` takes the API tokens.
 */
async function metricsTokensOf(flags: Flags, io: CliIo): Promise<string[] | undefined> {
  const file = stringFlag(flags, '--metrics-token-file')
  const fromEnv = io.env.CREDSIGN_METRICS_TOKEN?.trim() || undefined
  if (flags['--no-metrics'] && (file !== undefined || fromEnv !== undefined))
    throw new CliError('--no-metrics contradicts a metrics token: drop one of them', 2)
  if (file === undefined && fromEnv === undefined) return undefined
  const tokens = [
    ...(fromEnv === undefined ? [] : [fromEnv]),
    ...(file === undefined ? [] : splitTokens(await readTextFile(file, MAX_TOKEN_FILE_BYTES))),
  ]
  if (tokens.length === 0 || tokens.some((t) => !TOKEN_SHAPE.test(t)))
    throw new CliError(
      `the metrics token (${file === undefined ? 'CREDSIGN_METRICS_TOKEN' : file}) must be 16 to 4096 visible ASCII characters`,
      2,
    )
  return tokens
}

/** The read deadlines of `credsign serve`, in milliseconds. */
interface Deadlines {
  headersMs: number
  bodyMs: number
  keepAliveMs: number
}

/** `--headers-timeout`, `--body-timeout`, `--keep-alive-timeout` (milliseconds, at least 1). */
function deadlinesOf(flags: Flags): Deadlines {
  return {
    headersMs: millisecondsFlag(flags, '--headers-timeout', DEFAULT_HEADERS_TIMEOUT_MS),
    bodyMs: millisecondsFlag(flags, '--body-timeout', DEFAULT_BODY_TIMEOUT_MS),
    keepAliveMs: millisecondsFlag(flags, '--keep-alive-timeout', DEFAULT_KEEP_ALIVE_TIMEOUT_MS),
  }
}

function millisecondsFlag(flags: Flags, name: string, fallback: number): number {
  const value = stringFlag(flags, name)
  if (value === undefined) return fallback
  const ms = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN
  if (!(ms >= 1 && ms <= MAX_TIMEOUT_MS))
    throw new CliError(`${name} must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`, 2)
  return ms
}

/**
 * A node:http server whose connections cannot be held open by slow clients: headers within
 * `headersMs` (Node answers 408 and closes), the body within `bodyMs` (the listener answers a 408
 * problem and closes), idle keep-alive connections closed after `keepAliveMs`. Node checks the
 * first two on a timer, `connectionsCheckingInterval`: at most a quarter of the headers deadline,
 * so a connection is cut no later than 1.25 times it.
 */
function createDeadlineServer(
  listener: ReturnType<typeof toNodeListener>,
  deadlines: Deadlines,
): Server {
  const server = createServer(
    {
      headersTimeout: deadlines.headersMs,
      // The backstop for headers and body together, after the listener's own (problem+json) answer.
      requestTimeout: Math.min(MAX_TIMEOUT_MS, deadlines.headersMs + deadlines.bodyMs + 1_000),
      keepAliveTimeout: deadlines.keepAliveMs,
      connectionsCheckingInterval: Math.max(
        50,
        Math.min(1_000, Math.floor(deadlines.headersMs / 4)),
      ),
    },
    listener,
  )
  server.on('clientError', answerClientError)
  return server
}

/**
 * Node:http's answer to a request it refuses before any listener (its default is a bare status
 * line, no problem, no code): headers not in by `headersTimeout` are 408 `request_timeout`, headers
 * over `maxHeaderSize` 431 `headers_too_large`, a chunk extension over Node's limit 413
 * `payload_too_large`, anything it cannot parse as HTTP/1.1 (a header line, a chunk size, two
 * lengths) 400 `malformed`. The parser's message is never sent (it quotes the request). The
 * connection is then closed, as Node closes it.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const written = (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0
  if (socket.writable && written === 0) {
    const refusal =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new HttpError('request_timeout', 'the request did not arrive in time')
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? new HttpError('headers_too_large', 'the headers are too large')
          : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
            ? new HttpError('payload_too_large', 'the chunk extensions are too large')
            : new HttpError('malformed', 'the request is not valid HTTP/1.1')
    // The handler's problem document and status (src/http/problem.ts, status.ts), written by hand:
    // node:http has no response object for a request it refused.
    const { response } = errorResponse(refusal, Date.now())
    const body = response.body ?? ''
    const headers = {
      ...response.headers,
      'x-content-type-options': 'nosniff',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    }
    socket.write(
      `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n` +
        Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `\r\n${body}`,
    )
  }
  socket.destroy()
}

/** Calls `stop` on the first SIGINT or SIGTERM (a second one then ends the process the default way). */
function onSignals(stop: () => void): () => void {
  const handler = (): void => stop()
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}

function portOf(value: string | undefined): number {
  if (value === undefined || value === '') return 3000
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN
  if (!(port >= 0 && port <= 65535))
    throw new CliError('--port (or PORT) must be a port number from 0 to 65535', 2)
  return port
}

/** `CORS_ORIGINS`: `*` or comma-separated origins (exact match). Off when unset. */
function corsFromEnv(env: CliIo['env']): CorsOptions | undefined {
  const raw = env.CORS_ORIGINS?.trim()
  if (!raw) return undefined
  if (raw === '*') return { origins: '*' }
  const origins = raw
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '')
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw new CliError(
        'CORS_ORIGINS must be * or comma-separated origins such as https://wallet.example (scheme and host, no path)',
        2,
      )
  }
  return { origins }
}

/**
 * The `auth` option: `--no-auth`, else the tokens of `CREDSIGN_TOKENS` (comma-separated) and
 * `CREDSIGN_TOKEN_FILE` (one per line or comma-separated), else in development a token generated
 * once into `DATA_DIR/api-token` (mode 0600). Only paths are printed, never a token.
 */
async function serveAuth(flags: Flags, io: CliIo, dataDir: string): Promise<HttpAuth> {
  const env = io.env
  const listed = splitTokens(env.CREDSIGN_TOKENS ?? '')
  const tokenFile = env.CREDSIGN_TOKEN_FILE?.trim() || undefined
  if (flags['--no-auth']) {
    if (listed.length > 0 || tokenFile !== undefined)
      throw new CliError(
        '--no-auth contradicts CREDSIGN_TOKENS / CREDSIGN_TOKEN_FILE: unset them or drop --no-auth',
        2,
      )
    io.err(
      'credsign: warning: --no-auth: anyone who can reach this port can use the service; run it only where a gateway authenticates the callers',
    )
    return { disabled: true }
  }
  const fromFile =
    tokenFile === undefined ? [] : splitTokens(await readTextFile(tokenFile, MAX_TOKEN_FILE_BYTES))
  if (tokenFile !== undefined && fromFile.length === 0)
    throw new CliError(`${tokenFile} (CREDSIGN_TOKEN_FILE) holds no token`)
  const tokens = [...listed, ...fromFile]
  if (tokens.length > 0) {
    const bad = tokens.findIndex((t) => !TOKEN_SHAPE.test(t))
    if (bad !== -1) {
      const source =
        bad < listed.length
          ? `CREDSIGN_TOKENS entry ${bad + 1}`
          : `${tokenFile} entry ${bad - listed.length + 1}`
      throw new CliError(
        `${source}: a token must be 16 to 4096 visible ASCII characters (no spaces)`,
      )
    }
    return { bearerTokens: tokens }
  }
  if (isProduction(env)) {
    throw new CliError(
      'no API token: set CREDSIGN_TOKENS (comma-separated) or CREDSIGN_TOKEN_FILE (one per line), 16+ characters each, or pass --no-auth for a service only trusted callers can reach',
    )
  }
  const path = join(dataDir, 'api-token')
  await ensureDataDir(dataDir)
  const created = await writeNewPrivateFile(path, `${randomBytes(32).toString('base64url')}\n`)
  const token = (await readTextFile(path, MAX_TOKEN_FILE_BYTES)).trim()
  if (!TOKEN_SHAPE.test(token))
    throw new CliError(
      `${path} does not hold a usable token (16+ visible ASCII characters): delete it to get a new one`,
    )
  io.err(
    `credsign: ${created ? 'created a development API token in' : 'development API token in'} ${path} (send it as "Authorization: Bearer $(cat ${path})")`,
  )
  return { bearerTokens: [token] }
}

function splitTokens(text: string): string[] {
  return text
    .split(/[\r\n,]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '')
}

/** Listens and resolves with `host:port` as a URL authority (the port the system chose for 0). */
function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error): void =>
      reject(new CliError(`cannot listen on ${host}:${port}${errnoSuffix(error)}`))
    server.once('error', failed)
    server.listen(port, host, () => {
      server.off('error', failed)
      const address = server.address()
      const actual = typeof address === 'object' && address !== null ? address.port : port
      resolve(`${host.includes(':') ? `[${host}]` : host}:${actual}`)
    })
  })
}

/** Stops accepting, lets in-flight requests finish (at most {@link SHUTDOWN_GRACE_MS}), then closes. */
function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS)
    timer.unref()
    server.close(() => {
      clearTimeout(timer)
      resolve()
    })
    server.closeIdleConnections()
  })
}
