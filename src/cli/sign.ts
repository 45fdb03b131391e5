import { createHandler } from '../http/handler.js'
import { dataDirOf, openCliVault, readCallerSecrets, readInput } from './config.js'
import { choiceFlag, CliError, flagsOrThrow, requireFlag, stringFlag } from './flags.js'
import type { CliIo } from './run.js'

/** Largest document `credsign sign` takes (the service's own default is 1 MiB). */
const MAX_SIGN_BODY_BYTES = 16 * 1024 * 1024

/**
 * `credsign sign --id ID --format jwt|data-integrity|sd-jwt [--kind vc|vp] [--in FILE|-]`: signs the
 * credential or presentation read from FILE (or stdin) with a vault key, exactly as
 * `POST /sign/{kind}/{format}` of `credsign serve` does (the same handler runs in-process), and
 * prints the JWT / SD-JWT, or the signed JSON. For `--kind vp --format sd-jwt` the input is the
 * SD-JWT to present, and `--domain` and `--challenge` are required. `--holder-key ID` (with
 * `--format sd-jwt`) binds the credential to that vault key's public key (`cnf.jwk`), so that its
 * holder can present it with a KB-JWT.
 *
 * @example
 * ```sh
 * CREDSIGN_SECRETS='first secret' npx credsign sign --id did:web:issuer.example#key-1 --format jwt --in vc.json
 * ```
 * @internal
 */
export async function signCommand(args: string[], io: CliIo): Promise<number> {
  const flags = flagsOrThrow(args, {
    '--id': 'value',
    '--format': 'value',
    '--kind': 'value',
    '--in': 'value',
    '--secrets-file': 'value',
    '--challenge': 'value',
    '--domain': 'value',
    '--cryptosuite': 'value',
    '--holder-key': 'value',
    '--data-dir': 'value',
    '--schema': 'value',
  })
  const identifier = requireFlag(flags, '--id')
  const format = choiceFlag(flags, '--format', ['jwt', 'data-integrity', 'sd-jwt'] as const)
  const kind = choiceFlag(flags, '--kind', ['vc', 'vp'] as const, 'vc')
  const secrets = await readCallerSecrets(flags, io.env)
  const text = await readInput(flags, io)
  let verifiable: unknown
  if (kind === 'vp' && format === 'sd-jwt') {
    verifiable = text.trim()
  } else {
    try {
      verifiable = JSON.parse(text)
    } catch {
      throw new CliError(`the input is not JSON: expected the ${kind === 'vc' ? 'credential' : 'presentation'} to sign`)
    }
    if (verifiable === null || typeof verifiable !== 'object' || Array.isArray(verifiable)) throw new CliError('the input must be a JSON object')
  }
  const body: Record<string, unknown> = { identifier, secrets, verifiable }
  for (const name of ['challenge', 'domain', 'cryptosuite']) {
    const value = stringFlag(flags, `--${name}`)
    if (value !== undefined) body[name] = value
  }
  const holderKey = stringFlag(flags, '--holder-key')
  if (holderKey !== undefined && (format !== 'sd-jwt' || kind !== 'vc')) throw new CliError('--holder-key applies to --format sd-jwt credentials only')
  const opened = await openCliVault(io, { dataDir: dataDirOf(flags, io.env), migrations: 'require', schema: stringFlag(flags, '--schema') })
  try {
    if (holderKey !== undefined) body.holderPublicJwk = (await opened.vault.publicKey(holderKey)).current.publicJwk
    const handler = createHandler({ vault: opened.vault, auth: { disabled: true }, limits: { maxBodyBytes: MAX_SIGN_BODY_BYTES } })
    const response = await handler(
      new Request(`http://credsign.invalid/sign/${kind}/${format}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    )
    const output = await response.text()
    if (!response.ok) throw problemError(output)
    const contentType = response.headers.get('content-type') ?? ''
    io.out(contentType.startsWith('application/json') ? JSON.stringify(JSON.parse(output), null, 2) : output)
    return 0
  } finally {
    await opened.close()
  }
}

/** A problem+json body as one line: `code: detail (path: message; …)`. */
function problemError(body: string): CliError {
  try {
    const problem = JSON.parse(body) as { code?: unknown; detail?: unknown; errors?: { path?: unknown; message?: unknown }[] }
    const details = (Array.isArray(problem.errors) ? problem.errors : [])
      .filter((e) => typeof e?.path === 'string' && typeof e.message === 'string')
      .map((e) => `${String(e.path)}: ${String(e.message)}`)
    return new CliError(`${String(problem.code)}: ${String(problem.detail)}${details.length > 0 ? ` (${details.join('; ')})` : ''}`)
  } catch {
    return new CliError('signing failed')
  }
}
