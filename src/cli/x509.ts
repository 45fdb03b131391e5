import { writeFile } from 'node:fs/promises'
import { createCertificateSigningRequest } from '../x509/lazy.js'
import type { CsrSubject } from '../x509/csr.js'
import { dataDirOf, errnoSuffix, openCliVault, readCallerSecrets, readTextFile } from './config.js'
import { CliError, flagsOrThrow, requireFlag, stringFlag } from './flags.js'
import type { CliIo } from './run.js'

/*
 * `credsign csr` and `credsign cert add`: the CLI side of X.509 issuer keys (docs/x509.md). A vault
 * key makes a CSR for a CA; the chain the CA returns is attached to the key version.
 */

/** The attribute names `--subject` takes (RFC 4514 short names, as openssl prints them). */
const SUBJECT_ATTRIBUTES: Readonly<Record<string, keyof CsrSubject>> = {
  CN: 'commonName',
  O: 'organization',
  OU: 'organizationalUnit',
  C: 'country',
  L: 'locality',
  ST: 'state',
  organizationIdentifier: 'organizationIdentifier',
  serialNumber: 'serialNumber',
}

/** The largest chain file read (a chain is a few kilobytes). */
const MAX_CHAIN_FILE_BYTES = 256 * 1024

/**
 * `--subject "CN=issuer.example,O=Example,C=DE"`: RFC 4514 style, `\,` for a comma in a value.
 *
 * @example
 *
 * ```ts
 * parseSubject('CN=issuer.example,O=Example\\, Inc.,C=DE')
 * // { commonName: 'issuer.example', organization: 'Example, Inc.', country: 'DE' }
 * ```
 *
 * @internal
 */
export function parseSubject(text: string): CsrSubject {
  const subject: Record<string, string> = {}
  const parts: string[] = []
  let current = ''
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string
    if (char === '\\' && i + 1 < text.length) current += text[++i]
    else if (char === ',') {
      parts.push(current)
      current = ''
    } else current += char
  }
  parts.push(current)
  for (const part of parts) {
    const equals = part.indexOf('=')
    const name = part.slice(0, equals).trim()
    const value = part.slice(equals + 1).trim()
    const member = Object.hasOwn(SUBJECT_ATTRIBUTES, name) ? SUBJECT_ATTRIBUTES[name] : undefined
    if (equals < 0 || member === undefined || value === '')
      throw new CliError(
        `--subject is NAME=VALUE pairs separated by commas, NAME one of ${Object.keys(SUBJECT_ATTRIBUTES).join(', ')}`,
        2,
      )
    if (Object.hasOwn(subject, member)) throw new CliError(`--subject names ${name} twice`, 2)
    subject[member] = value
  }
  return subject as CsrSubject
}

/**
 * The values of a repeatable option (`--dns a --dns=b`) and the arguments without it.
 *
 * @example
 *
 * ```ts
 * repeatedOption(['--dns', 'a', '--key', 'k', '--dns=b'], '--dns') // [['a', 'b'], ['--key', 'k']]
 * ```
 *
 * @internal
 */
export function repeatedOption(args: string[], name: string): [string[], string[]] {
  const values: string[] = []
  const rest: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (arg.startsWith(`${name}=`)) values.push(arg.slice(name.length + 1))
    else if (arg === name) {
      const value = args[++i]
      if (value === undefined || value.startsWith('--'))
        throw new CliError(`${name} needs a value`, 2)
      values.push(value)
    } else rest.push(arg)
  }
  return [values, rest]
}

/**
 * `credsign csr --key ID --subject "CN=..." [--dns NAME]... [--uri URI]... [--out FILE]`: a PKCS#10
 * CSR signed by the vault key (its secrets from `--secrets-file` / `CREDSIGN_SECRETS`), printed as
 * PEM or written to FILE.
 *
 * @example
 *
 * ```sh
 * npx credsign csr --key issuer-1 --subject "CN=issuer.example,O=Example,C=DE" --dns issuer.example --secrets-file secrets.txt --out issuer.csr
 * ```
 *
 * @internal
 */
export async function csrCommand(args: string[], io: CliIo): Promise<number> {
  const [dnsNames, withoutDns] = repeatedOption(args, '--dns')
  const [uris, rest] = repeatedOption(withoutDns, '--uri')
  const flags = flagsOrThrow(rest, {
    '--key': 'value',
    '--subject': 'value',
    '--out': 'value',
    '--secrets-file': 'value',
    '--data-dir': 'value',
    '--schema': 'value',
  })
  const id = requireFlag(flags, '--key')
  const subject = parseSubject(requireFlag(flags, '--subject'))
  const out = stringFlag(flags, '--out')
  const secrets = await readCallerSecrets(flags, io.env)
  const opened = await openCliVault(io, {
    dataDir: dataDirOf(flags, io.env),
    migrations: 'require',
    schema: stringFlag(flags, '--schema'),
  })
  let pem: string
  try {
    const csr = await opened.vault.withKey(id, secrets, (signer) =>
      createCertificateSigningRequest(signer, {
        subject,
        ...(dnsNames.length > 0 && { dnsNames }),
        ...(uris.length > 0 && { uris }),
      }),
    )
    pem = csr.pem.trimEnd()
  } finally {
    await opened.close()
  }
  if (out === undefined) {
    io.out(pem)
    return 0
  }
  try {
    await writeFile(out, `${pem}\n`)
  } catch (error) {
    throw new CliError(`cannot write ${out}${errnoSuffix(error)}`)
  }
  return 0
}

/**
 * `credsign cert add --key ID --chain FILE.pem [--version N]`: attaches the certificate chain in
 * FILE (PEM, leaf first, trust anchor left out) to the key's current version (or version N), after
 * the vault checked it (`KeyVault.attachCertificateChain`); prints the key's `certificateChain`.
 *
 * @example
 *
 * ```sh
 * npx credsign cert add --key issuer-1 --chain issuer-chain.pem --secrets-file secrets.txt
 * ```
 *
 * @internal
 */
export async function certCommand(args: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args
  if (action !== 'add') throw new CliError('the cert command has one action: cert add', 2)
  const flags = flagsOrThrow(rest, {
    '--key': 'value',
    '--chain': 'value',
    '--version': 'value',
    '--secrets-file': 'value',
    '--data-dir': 'value',
    '--schema': 'value',
  })
  const id = requireFlag(flags, '--key')
  const chainFile = requireFlag(flags, '--chain')
  const versionText = stringFlag(flags, '--version')
  if (versionText !== undefined && !/^[1-9][0-9]{0,8}$/.test(versionText))
    throw new CliError('--version is a positive integer', 2)
  const chain = await readTextFile(chainFile, MAX_CHAIN_FILE_BYTES)
  const secrets = await readCallerSecrets(flags, io.env)
  const opened = await openCliVault(io, {
    dataDir: dataDirOf(flags, io.env),
    migrations: 'require',
    schema: stringFlag(flags, '--schema'),
  })
  try {
    const info = await opened.vault.attachCertificateChain(
      id,
      secrets,
      chain,
      versionText === undefined ? {} : { version: Number(versionText) },
    )
    const version =
      versionText === undefined
        ? info.current
        : (info.versions.find((v) => v.version === Number(versionText)) ?? info.current)
    io.out(
      JSON.stringify(
        { id: info.id, version: version.version, certificateChain: version.certificateChain },
        null,
        2,
      ),
    )
    return 0
  } finally {
    await opened.close()
  }
}
