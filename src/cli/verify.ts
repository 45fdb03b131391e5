import { combineResolvers } from '../resolve/combine.js'
import { createResolver } from '../resolve/create-resolver.js'
import { vaultResolver } from '../resolve/vault-resolver.js'
import { parseEnvelopedCredential } from '../credential/enveloped.js'
import { parseJsonText } from '../jose/json.js'
import type { FormatHandler, VerifyOptions } from '../verify/types.js'
import { verify } from '../service/verify.js'
import { dataDirOf, openCliVault, readInput } from './config.js'
import { CliError, flagsOrThrow, stringFlag } from './flags.js'
import type { CliIo } from './run.js'
import { lazyModule } from '../util/lazy-module.js'

// JSON-LD and the contexts load only for a document that may carry a Data Integrity proof; a chunk
// that cannot be loaded is `crypto_unavailable`, not an unexplained 'unexpected error'.
const loadDataIntegrity = lazyModule(
  () => import('../formats/data-integrity/handler.js'),
  'Data Integrity',
)

/**
 * `credsign verify [--in FILE|-] [--audience A] [--nonce N] [--allow-network [--jwks URL
 * [--jwks-issuer ISSUER]]]`: verifies a credential or presentation in any format credsign reads
 * (JWT-VC/VP, SD-JWT, Data Integrity; an EnvelopedVerifiableCredential is unwrapped) and prints the
 * `VerificationResult` as JSON. Exit 0 only when it verified. Keys come from this vault, opened
 * read-only (no service secret needed: public keys only; a missing key directory is read as empty,
 * never created), then did:key and did:jwk. Nothing is fetched from the network unless
 * `--allow-network` is given: then did:web documents (https only) and the JWK Set at `--jwks URL`
 * are fetched, under the resolver's limits (timeout, size, no redirects). A key from that set
 * verifies only credentials of `--jwks-issuer` (without it, none passes the issuer binding check).
 *
 * @example
 *
 * ```sh
 * npx credsign sign --id did:web:issuer.example#key-1 --format jwt --in vc.json | npx credsign verify
 * ```
 *
 * @internal
 */
export async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  const flags = flagsOrThrow(args, {
    '--in': 'value',
    '--audience': 'value',
    '--nonce': 'value',
    '--data-dir': 'value',
    '--schema': 'value',
    '--allow-network': 'flag',
    '--jwks': 'value',
    '--jwks-issuer': 'value',
  })
  const allowNetwork = flags['--allow-network'] === true
  const jwks = stringFlag(flags, '--jwks')
  const jwksIssuer = stringFlag(flags, '--jwks-issuer')
  if (jwks !== undefined && !allowNetwork)
    throw new CliError('--jwks fetches a JWK Set: it needs --allow-network', 2)
  if (jwksIssuer !== undefined && jwks === undefined)
    throw new CliError('--jwks-issuer names the issuer of the --jwks URL: pass --jwks too', 2)
  const input = parseDocument(await readInput(flags, io))
  const handlers: FormatHandler[] = []
  if (typeof input === 'object') {
    const { dataIntegrityHandler } = await loadDataIntegrity()
    handlers.push(dataIntegrityHandler())
  }
  const opened = await openCliVault(io, {
    dataDir: dataDirOf(flags, io.env),
    migrations: 'require',
    schema: stringFlag(flags, '--schema'),
    serviceSecret: 'none',
    readOnly: true,
  })
  try {
    const audience = stringFlag(flags, '--audience')
    const nonce = stringFlag(flags, '--nonce')
    const options: VerifyOptions = {
      resolver: combineResolvers(
        vaultResolver(opened.vault, { thumbprints: false }),
        // Without `fetch` the resolver never leaves the process: did:web answers
        // resolver_not_configured. The network is the user's explicit choice, per run.
        createResolver(
          allowNetwork
            ? {
                fetch: io.fetch ?? ((url, init) => fetch(url, init)),
                ...(jwks === undefined
                  ? {}
                  : {
                      jwks: [jwksIssuer === undefined ? jwks : { url: jwks, issuer: jwksIssuer }],
                    }),
              }
            : {},
        ),
      ),
      handlers,
      ...(audience === undefined ? {} : { audience }),
      ...(nonce === undefined ? {} : { nonce }),
    }
    const result = await verify(input, options)
    io.out(JSON.stringify(result, null, 2))
    return result.verified ? 0 : 1
  } finally {
    await opened.close()
  }
}

/** A JSON document (an enveloped credential unwrapped), or the text itself (a compact JWT / SD-JWT). */
function parseDocument(text: string): unknown {
  const trimmed = text.trim()
  if (trimmed === '') throw new CliError('the input is empty')
  if (!trimmed.startsWith('{') && !trimmed.startsWith('"')) return trimmed
  let value: unknown
  try {
    value = JSON.parse(trimmed)
  } catch {
    throw new CliError('the input starts like JSON but is not valid JSON')
  }
  // JSON.parse keeps the last of a duplicate member, other parsers the first: verify() refuses such
  // text (malformed), and so must the CLI, which would otherwise hand it the object JSON.parse chose.
  if (hasDuplicateMemberOrDeepNesting(trimmed)) return trimmed
  if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    hasType(value, 'EnvelopedVerifiableCredential')
  ) {
    const content = parseEnvelopedCredential(value)
    if (content.text === undefined)
      throw new CliError('the enveloped credential is not text (COSE is not supported)')
    return content.text
  }
  return value
}

function hasType(value: object, type: string): boolean {
  const types = (value as { type?: unknown }).type
  return types === type || (Array.isArray(types) && types.includes(type))
}

/** Whether verify()'s strict parser refuses the text (a member twice, hostile nesting). */
function hasDuplicateMemberOrDeepNesting(text: string): boolean {
  try {
    parseJsonText(text, 'input')
    return false
  } catch {
    return true
  }
}
