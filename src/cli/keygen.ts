import { didSignerId } from '../did/as-did-signer.js'
import { keyIdDid } from '../did/did-url.js'
import { KEY_ALGORITHMS } from '../keys/algorithms.js'
import { isRsaAlgorithm } from '../keys/rsa-algorithms.js'
import type { KeyAlgorithm, PublicJwk } from '../keys/types.js'
import { verificationMethod, type VerificationMethod } from '../keys/verification-method.js'
import { dataDirOf, openCliVault, readCallerSecrets } from './config.js'
import { choiceFlag, CliError, flagsOrThrow, requireFlag, stringFlag } from './flags.js'
import type { CliIo } from './run.js'

/**
 * `credsign keygen --id ID --algorithm ALG`: generates a key in the vault, sealed under the caller
 * secrets of `--secrets-file` / `CREDSIGN_SECRETS`, and prints the verification method that its
 * signatures name (JSON): the key id itself for a DID URL id, else the did:key the key signs as
 * (what `credsign sign` and `credsign serve` do with such keys).
 *
 * @example
 *
 * ```sh
 * printf 'first secret\nsecond secret\n' > secrets.txt
 * npx credsign keygen --id did:web:issuer.example#key-1 --algorithm Ed25519 --secrets-file secrets.txt
 * ```
 *
 * @internal
 */
export async function keygenCommand(args: string[], io: CliIo): Promise<number> {
  const flags = flagsOrThrow(args, {
    '--id': 'value',
    '--algorithm': 'value',
    '--secrets-file': 'value',
    '--key-type': 'value',
    '--modulus-length': 'value',
    '--data-dir': 'value',
    '--schema': 'value',
  })
  const id = requireFlag(flags, '--id')
  const algorithm = choiceFlag<KeyAlgorithm>(flags, '--algorithm', KEY_ALGORITHMS)
  const type = choiceFlag(flags, '--key-type', ['JsonWebKey', 'Multikey'] as const, 'JsonWebKey')
  const modulus = stringFlag(flags, '--modulus-length')
  if (
    modulus !== undefined &&
    (!isRsaAlgorithm(algorithm) || !['2048', '3072', '4096'].includes(modulus))
  ) {
    throw new CliError(
      '--modulus-length is 2048, 3072 or 4096, for RSA keys only (RSA-PSS, PS384, PS512, RS256, RS384, RS512)',
      2,
    )
  }
  const secrets = await readCallerSecrets(flags, io.env)
  const opened = await openCliVault(io, {
    dataDir: dataDirOf(flags, io.env),
    migrations: 'require',
    schema: stringFlag(flags, '--schema'),
    sealsKeys: true,
  })
  try {
    const info = await opened.vault.generate({
      id,
      algorithm,
      secrets,
      ...(modulus === undefined ? {} : { modulusLength: Number(modulus) as 2048 | 3072 | 4096 }),
    })
    const method = signingMethod(info.id, info.current.publicJwk, type)
    if (method.id !== info.id)
      io.err(`credsign: note: ${info.id} is not a DID URL, so it signs as ${method.controller}`)
    io.out(JSON.stringify(method, null, 2))
    return 0
  } finally {
    await opened.close()
  }
}

/**
 * The verification method a vault key's signatures name: `id` under its DID for a DID URL id, else
 * the key's did:key (`did:key:z…#z…`).
 *
 * @example
 *
 * ```ts
 * signingMethod('did:web:issuer.example#key-1', publicJwk, 'JsonWebKey').controller // 'did:web:issuer.example'
 * ```
 *
 * @internal
 */
export function signingMethod(
  id: string,
  publicJwk: PublicJwk,
  type: 'JsonWebKey' | 'Multikey',
): VerificationMethod {
  const did = keyIdDid(id)
  if (did !== undefined) return verificationMethod(publicJwk, { id, controller: did, type })
  const didKeyId = didSignerId(publicJwk, 'key')
  return verificationMethod(publicJwk, {
    id: didKeyId,
    controller: didKeyId.slice(0, didKeyId.indexOf('#')),
    type,
  })
}
