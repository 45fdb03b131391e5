import { parseJsonObject } from '../jose/json.js'
import { SIGNING_FORMATS, type CryptosuiteName } from '../service/formats.js'
import {
  checkSignRequest,
  resolvableSigner,
  SignRequestInvalid,
  signVerifiable,
  type SignedVerifiable,
  type SignVerifiableRequest,
} from '../service/sign-verifiable.js'
import { dataDirOf, openCliVault, readCallerSecrets, readInput } from './config.js'
import { choiceFlag, CliError, flagsOrThrow, requireFlag, stringFlag } from './flags.js'
import type { CliIo } from './run.js'

/**
 * Deepest JSON nesting of the document `credsign sign` takes (what `credsign serve` allows inside a
 * request body).
 */
const MAX_DOCUMENT_DEPTH = 31

/**
 * `credsign sign --id ID --format jwt|data-integrity|sd-jwt [--kind vc|vp] [--in FILE|-]`: signs
 * the credential or presentation read from FILE (or stdin) with a vault key, exactly as `POST
 * /sign/{kind}/{format}` of `credsign serve` does (both call `signVerifiable`), and prints the JWT
 * / SD-JWT, or the signed JSON. For `--kind vp --format sd-jwt` the input is the SD-JWT to present,
 * and `--domain` and `--challenge` are required. `--holder-key ID` (with `--format sd-jwt`) binds
 * the credential to that vault key's public key (`cnf.jwk`), so that its holder can present it with
 * a KB-JWT.
 *
 * @example
 *
 * ```sh
 * CREDSIGN_SECRETS='first secret' npx credsign sign --id did:web:issuer.example#key-1 --format jwt --in vc.json
 * ```
 *
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
  const format = choiceFlag(flags, '--format', SIGNING_FORMATS)
  const kind = choiceFlag(flags, '--kind', ['vc', 'vp'] as const, 'vc')
  const secrets = await readCallerSecrets(flags, io.env)
  const text = await readInput(flags, io)
  const request: SignVerifiableRequest = {
    kind,
    format,
    verifiable: kind === 'vp' && format === 'sd-jwt' ? text.trim() : documentOf(text, kind),
  }
  const challenge = stringFlag(flags, '--challenge')
  if (challenge !== undefined) request.challenge = challenge
  const domain = stringFlag(flags, '--domain')
  if (domain !== undefined) request.domain = domain
  const cryptosuite = stringFlag(flags, '--cryptosuite')
  if (cryptosuite !== undefined) request.cryptosuite = cryptosuite as CryptosuiteName // checked by checkSignRequest
  const holderKey = stringFlag(flags, '--holder-key')
  if (holderKey !== undefined && (format !== 'sd-jwt' || kind !== 'vc'))
    throw new CliError('--holder-key applies to --format sd-jwt credentials only')
  const opened = await openCliVault(io, {
    dataDir: dataDirOf(flags, io.env),
    migrations: 'require',
    schema: stringFlag(flags, '--schema'),
  })
  try {
    if (holderKey !== undefined)
      request.holderPublicJwk = { ...(await opened.vault.publicKey(holderKey)).current.publicJwk }
    // Checked before the key is unlocked: a request that cannot succeed costs no unlock attempt.
    refused(() => checkSignRequest(request))
    const key = await opened.vault.unlock(identifier, secrets)
    let signed: SignedVerifiable
    try {
      signed = await refusedAsync(() => signVerifiable(resolvableSigner(key), request))
    } finally {
      key.lock()
    }
    io.out(
      signed.mediaType === 'application/json'
        ? JSON.stringify(signed.secured, null, 2)
        : signed.secured,
    )
    return 0
  } finally {
    await opened.close()
  }
}

/**
 * The credential or presentation to sign: a JSON object, read as the HTTP service reads a body
 * (duplicate members and nesting deeper than the service allows are refused).
 */
function documentOf(text: string, kind: 'vc' | 'vp'): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new CliError(
      `the input is not JSON: expected the ${kind === 'vc' ? 'credential' : 'presentation'} to sign`,
    )
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CliError('the input must be a JSON object')
  // The service's body limit was 32 levels with the document one level down inside the body.
  return parseJsonObject(text, 'the input', MAX_DOCUMENT_DEPTH)
}

/** A request member that does not fit, as one line: `invalid_request: detail (member: reason)`. */
function refusal(error: unknown): unknown {
  if (!(error instanceof SignRequestInvalid)) return error
  const where =
    error.field === undefined ? '' : ` (${error.field}: ${error.reason ?? error.message})`
  return new CliError(`invalid_request: ${error.message}${where}`)
}

function refused(run: () => void): void {
  try {
    run()
  } catch (error) {
    throw refusal(error)
  }
}

async function refusedAsync<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    throw refusal(error)
  }
}
