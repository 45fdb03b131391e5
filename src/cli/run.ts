import { CredsignError } from '../errors/credsign-error.js'
import type { FetchLike } from '../resolve/options.js'
import { SIGNING_FORMATS } from '../service/formats.js'
import { CREDSIGN_VERSION } from '../http/package-version.js'
import { CliError, closestName, printable } from './flags.js'
import { keygenCommand } from './keygen.js'
import { migrateCommand } from './migrate.js'
import { serveCommand } from './serve.js'
import { signCommand } from './sign.js'
import { verifyCommand } from './verify.js'
import { certCommand, csrCommand } from './x509.js'

/**
 * Where the CLI writes and what it reads; injectable for tests.
 *
 * @example
 *
 * ```ts
 * const lines: string[] = []
 * const io: CliIo = {
 *   env: { PBKDF2_ITERATIONS: '1000' },
 *   out: (l) => lines.push(l),
 *   err: (l) => lines.push(l),
 *   readStdin: async () => jwt,
 * }
 * const code = await runCli(['verify'], io)
 * ```
 *
 * @internal
 */
export interface CliIo {
  env: Record<string, string | undefined>
  out: (line: string) => void
  err: (line: string) => void
  /** Standard input in full, for `--in -` (default: the process's stdin). */
  readStdin?: () => Promise<string>
  /**
   * `serve --workers N`: the `credsign` script the workers run (the command sets it); without it
   * `serve` runs in this process only.
   */
  workerScript?: string
  /** `serve`: where the access log's JSON lines go (default: `out`). */
  accessLog?: (line: string) => void
  /**
   * `serve`: registers `stop`, which shuts the server down, and returns a function that unregisters
   * it. Default: SIGINT and SIGTERM.
   */
  onShutdown?: (stop: () => void) => () => void
  /**
   * `verify --allow-network`: the fetch that resolves did:web documents and JWK Sets (default: the
   * global `fetch`). Never called without that flag.
   */
  fetch?: FetchLike
}

/**
 * Each command's usage lines: `credsign <command> --help` prints its own, `credsign help` all of
 * them.
 */
const COMMAND_HELP: Record<string, string> = {
  serve: `  serve [--port 3000] [--host 127.0.0.1] [--data-dir ./credsign-data] [--no-auth] [--schema NAME] [--no-migrate]
      Run the HTTP signing service (credsign/http) until SIGINT/SIGTERM. Keys: encrypted files in
      DATA_DIR/keys, or PostgreSQL when DATABASE_URL is set (pending migrations are applied first;
      with --no-migrate they must already be). Port: --port, else PORT, else 3000.
      Read deadlines in ms: [--headers-timeout 10000] [--body-timeout 30000] [--keep-alive-timeout 5000]
      (a slow client is answered 408 and its connection closed).
      [--allow-inline-contexts]: Data Integrity documents may carry inline @context objects (for the
      W3C conformance suites only: an inline context can change what a signed document says).
      [--issuer-profiles FILE]: VC-API issuer profiles (JSON) for POST /credentials/issue.
      [--jwt-vc-issuer https://issuer.example]: serve the SD-JWT VC issuer metadata (the vault's
      keys, with x5c where a certificate chain is attached) at /.well-known/jwt-vc-issuer.
      [--no-access-log]: no JSON access log line per request on stdout (on by default).
      [--no-metrics] [--metrics-token-file PATH]: GET /metrics (Prometheus) is on, behind the API
      tokens, or behind its own token (this file, or CREDSIGN_METRICS_TOKEN).
      [--no-verifier-page]: do not serve the verifier page (GET /verify, where a person pastes a
      credential and reads the verdict; POST /verify needs the API token like every verify route).
      [--workers N]: N worker processes on the one port (default: the number of cores); the
      failed-attempt limit, the unlock cache and /metrics stay correct across them.
      [--ed25519-alg EdDSA|Ed25519]: the JWS alg of Ed25519 keys (default EdDSA).
      [--lockout-max-failures N] [--lockout-seconds S]: failed unlocks allowed within S seconds,
      then locked for S seconds (default 5 and 900).
      [--compat eecc] [--eecc-table SCHEMA.TABLE]: answer as the EECC key service did, read its
      variables (FAILED_ATTEMPTS_*, DB_*, REQUEST_ENCRYPTION_*, CORS_ENABLED, SERVICE_VERSION) and
      move its keys (table public.keys) into credsign on first use (docs/migrate-from-eecc.md).`,
  keygen: `  keygen --id ID --algorithm Ed25519|P-256|P-384|P-521|secp256k1|RSA-PSS|PS384|PS512|RS256|RS384|RS512 [--key-type JsonWebKey|Multikey]
         [--modulus-length 2048|3072|4096] [--secrets-file PATH] [--data-dir DIR] [--schema NAME]
      Generate a key; prints the verification method its signatures name (JSON).`,
  sign: `  sign --id ID --format ${SIGNING_FORMATS.join('|')} [--kind vc|vp] [--in FILE|-] [--secrets-file PATH]
       [--challenge C] [--domain D] [--cryptosuite SUITE] [--holder-key ID] [--data-dir DIR] [--schema NAME]
      Sign the credential or presentation in FILE (default: stdin) as POST /sign/KIND/FORMAT does;
      prints the JWT / SD-JWT or the signed JSON. For --kind vp --format sd-jwt the input is the SD-JWT.`,
  verify: `  verify [--in FILE|-] [--audience A] [--nonce N] [--data-dir DIR] [--schema NAME]
         [--allow-network [--jwks URL --jwks-issuer ISSUER]]
      Verify a credential or presentation (JWT, SD-JWT, Data Integrity); prints the result (JSON).
      Exit 0 only if it verified. Keys: this vault's (read only: nothing is created), did:key,
      did:jwk. Nothing is fetched unless --allow-network: then did:web documents over https, and
      the JWK Set at --jwks URL, whose keys verify credentials of --jwks-issuer.`,
  csr: `  csr --key ID --subject "CN=NAME,O=ORG,C=CC" [--dns NAME]... [--uri URI]... [--out FILE]
      [--secrets-file PATH] [--data-dir DIR] [--schema NAME]
      Make a PKCS#10 certificate signing request signed by the key, for a CA; prints the PEM (or
      writes it to FILE). Subject names: CN, O, OU, C, L, ST, organizationIdentifier, serialNumber.`,
  cert: `  cert add --key ID --chain FILE.pem [--version N] [--secrets-file PATH] [--data-dir DIR] [--schema NAME]
      Attach the certificate chain the CA issued (PEM, leaf first, root left out) to the key's
      current version (or version N), after checking that the leaf holds the key; signers then
      send it as x5c. Prints the attached chain's summary (JSON).`,
  migrate: `  migrate [--schema NAME] [--status] [--allow-destructive]
      Apply the PostgreSQL store's pending migrations (DATABASE_URL, or --database-url URL).
      Idempotent and safe when several replicas run it at once. --status only lists them.`,
  help: `  help [COMMAND]
      Show this text, or one command's usage (also: credsign COMMAND --help).`,
}

const USAGE = `usage: credsign <command> [options]
       credsign --version

commands:
${Object.values(COMMAND_HELP).join('\n')}

environment:
  SIGNING_KEY_PATH     service secret file, >= 32 bytes after trimming. Default: DATA_DIR/service-secret,
                       created if missing, in development; /run/secrets/signing-key, never created,
                       when NODE_ENV=production.
  CREDSIGN_DATA_DIR    default of --data-dir.
  DATABASE_URL         keep keys (and the failed-attempt count) in PostgreSQL.
  CREDSIGN_TOKENS      serve: bearer tokens, comma-separated (16+ characters each).
  CREDSIGN_TOKEN_FILE  serve: a file of bearer tokens, one per line. Without tokens, development
                       generates one into DATA_DIR/api-token; production refuses to start (or --no-auth).
  CREDSIGN_SECRETS     keygen, sign, csr, cert: the key's secrets, one per line (or --secrets-file PATH). Secrets
                       are never taken as arguments, which other users can see.
  CORS_ORIGINS         serve: * or comma-separated origins allowed to call from a browser.
  CREDSIGN_ACCESS_LOG  serve: off turns the access log off (as --no-access-log).
  CREDSIGN_METRICS_TOKEN  serve: the token that alone opens GET /metrics (16+ characters).
  CREDSIGN_ISSUER_PROFILES  serve: default of --issuer-profiles.
  CREDSIGN_WORKERS     serve: default of --workers.
  CREDSIGN_JWT_VC_ISSUER  serve: default of --jwt-vc-issuer.
  PBKDF2_ITERATIONS    KDF iterations for new keys (default 600000, at least 1000).
  CREDSIGN_UNLOCK_CACHE_TTL_MS  keep unlocked keys in memory this long (off by default).
  CREDSIGN_COMPAT, CREDSIGN_ED25519_ALG, CREDSIGN_LOCKOUT_MAX_FAILURES, CREDSIGN_LOCKOUT_SECONDS
                       serve: defaults of --compat, --ed25519-alg, --lockout-max-failures,
                       --lockout-seconds. With --compat eecc, PBKDF2_ITERATIONS is the origin's count.

Exit codes: 0 success, 1 failure, 2 usage error.`

/** `credsign <command> --help`: that command's usage lines only. */
function commandUsage(command: string): string {
  return `usage: credsign ${(COMMAND_HELP[command] as string).trimStart()}\n\n(credsign help lists every command and the environment variables)`
}

/** A usage error naming the nearest command when the name looks like a typo of one. */
function unknownCommand(command: string, io: CliIo): number {
  const suggestion = closestName(command, Object.keys(COMMAND_HELP))
  io.err(
    `credsign: unknown command${printable(command)}${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}\n\n${USAGE}`,
  )
  return 2
}

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  serve: serveCommand,
  keygen: keygenCommand,
  sign: signCommand,
  verify: verifyCommand,
  migrate: migrateCommand,
  csr: csrCommand,
  cert: certCommand,
}

/**
 * The `credsign` command line, as a function: parses `argv` (without `node` and the script), runs
 * the command and resolves with the exit code (0 success, 1 failure, 2 usage error). Failures are
 * one line on `io.err`; nothing ever prints a secret (service secret, API token, caller secrets,
 * the database URL).
 *
 * @example
 *
 * ```sh
 * DATABASE_URL=postgres://app@db.internal/app npx credsign migrate --schema credsign
 * npx credsign serve --port 3000
 * ```
 *
 * @internal
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined) {
    io.err(USAGE)
    return 2
  }
  if (command === '--version' || command === '-v') {
    io.out(CREDSIGN_VERSION)
    return 0
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    const [topic] = rest
    if (topic === undefined) {
      io.out(USAGE)
      return 0
    }
    if (!Object.hasOwn(COMMAND_HELP, topic)) return unknownCommand(topic, io)
    io.out(commandUsage(topic))
    return 0
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
  if (run === undefined) return unknownCommand(command, io)
  // `-h` only first: later it may be an option's value. `--help` anywhere: no value starts with `--`.
  if (rest[0] === '-h' || rest.includes('--help')) {
    io.out(commandUsage(command))
    return 0
  }
  try {
    return await run(rest, io)
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`credsign ${command}: ${error.message}`)
      if (error.exitCode === 2) io.err('(credsign help lists the commands and options)')
      return error.exitCode
    }
    // CredsignError messages never hold secrets; anything else might, so only its kind is shown.
    io.err(
      `credsign ${command}: ${CredsignError.is(error) ? `${error.code}: ${error.message}` : 'unexpected error'}`,
    )
    return 1
  }
}
