import { CredsignError } from '../errors/credsign-error.js'
import { randomBytes, subtle, wipe } from '../util/bytes.js'
import { isKeyAlgorithm } from './algorithms.js'
import { EC_CURVES, isEcAlgorithm } from './curves.js'
import { webCryptoEd25519 } from './ed25519-support.js'
import { importPrivateKey } from './import.js'
import { loadNobleCurves } from './key-parts.js'
import { RSA_MODULUS_LENGTHS } from './jwk.js'
import { isRsaAlgorithm, RSA_SCHEMES } from './rsa-algorithms.js'
import { callWebCrypto } from './webcrypto.js'
import { webCryptoHasCurve } from './webcrypto-curves.js'
import type { KeyMaterial } from './key-material.js'
import type { KeyAlgorithm, RsaModulusLength } from './types.js'

export type { KeyMaterial } from './key-material.js'

/**
 * Options of {@link generateKeyPair}.
 *
 * @example
 *
 * ```ts
 * import { generateKeyPair } from 'credsign'
 * const rsa = await generateKeyPair('RS256', { modulusLength: 4096 })
 * const ed = await generateKeyPair('Ed25519', { backend: 'noble' })
 * ```
 */
export interface GenerateKeyPairOptions {
  /** RSA modulus size in bits (RSA algorithms only): 2048, 3072 (the default) or 4096. */
  modulusLength?: RsaModulusLength
  /**
   * `auto` (default) generates with WebCrypto where the runtime supports the algorithm (Ed25519 and
   * P-521 are feature-detected; P-256, P-384 and RSA always), else with `@noble/curves`. `noble`
   * forces noble; RSA has no noble implementation, so `noble` with an RSA algorithm is
   * `unsupported_algorithm`.
   */
  backend?: 'auto' | 'noble'
}

/**
 * Generates a new key pair from the platform CSPRNG and returns it in canonical form (PKCS#8 DER +
 * public JWK with `kid`). secp256k1 always uses `@noble/curves` (WebCrypto has no such curve). The
 * caller wipes `pkcs8` when done with it.
 *
 * @example
 *
 * ```ts
 * import { generateKeyPair } from 'credsign'
 * const material = await generateKeyPair('P-256')
 * const rsa = await generateKeyPair('RS256', { modulusLength: 2048 }) // signs RS256 only
 * material.pkcs8.fill(0)
 * rsa.pkcs8.fill(0)
 * ```
 */
export async function generateKeyPair(
  algorithm: KeyAlgorithm,
  options: GenerateKeyPairOptions = {},
): Promise<KeyMaterial> {
  if (!isKeyAlgorithm(algorithm))
    throw new CredsignError('unsupported_algorithm', 'unsupported key algorithm')
  const backend = options.backend ?? 'auto'
  if (backend !== 'auto' && backend !== 'noble')
    throw new CredsignError('invalid_argument', 'backend must be auto or noble')

  if (isRsaAlgorithm(algorithm)) {
    const modulusLength = options.modulusLength ?? 3072
    if (!(RSA_MODULUS_LENGTHS as readonly number[]).includes(modulusLength)) {
      throw new CredsignError(
        'unsupported_algorithm',
        'RSA modulus length must be 2048, 3072 or 4096',
      )
    }
    if (backend === 'noble')
      throw new CredsignError('unsupported_algorithm', 'RSA keys are generated with WebCrypto only')
    const scheme = RSA_SCHEMES[algorithm]
    const pair = await callWebCrypto('generate an RSA key', () =>
      subtle().generateKey(
        {
          name: scheme.webCryptoName,
          modulusLength,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: scheme.hash,
        },
        true,
        ['sign', 'verify'],
      ),
    )
    // WebCrypto exports every RSA key as rsaEncryption: the algorithm is ours to record.
    return fromWebCrypto(pair.privateKey, algorithm)
  }

  if (algorithm === 'Ed25519') {
    if (backend === 'auto' && (await webCryptoEd25519())) {
      const pair = await callWebCrypto(
        'generate an Ed25519 key',
        async () =>
          (await subtle().generateKey({ name: 'Ed25519' }, true, [
            'sign',
            'verify',
          ])) as CryptoKeyPair,
      )
      return fromWebCrypto(pair.privateKey)
    }
    const seed = randomBytes(32)
    try {
      return await importPrivateKey({ seed, algorithm })
    } finally {
      wipe(seed)
    }
  }

  if (isEcAlgorithm(algorithm)) {
    const curve = EC_CURVES[algorithm]
    if (
      backend === 'auto' &&
      curve.webCryptoHash !== undefined &&
      (await webCryptoHasCurve(curve))
    ) {
      const pair = await callWebCrypto('generate an EC key', () =>
        subtle().generateKey({ name: 'ECDSA', namedCurve: algorithm }, true, ['sign', 'verify']),
      )
      return fromWebCrypto(pair.privateKey)
    }
    // Uniform in [1, n-1]: noble reduces a wide random value modulo n - 1 (FIPS 186-5 A.2.1).
    const { NOBLE_CURVES } = await loadNobleCurves()
    const scalar = NOBLE_CURVES[algorithm].utils.randomSecretKey()
    try {
      return await importPrivateKey({ seed: scalar, algorithm })
    } finally {
      wipe(scalar)
    }
  }
  throw new CredsignError('unsupported_algorithm', 'unsupported key algorithm')
}

async function fromWebCrypto(
  privateKey: CryptoKey,
  algorithm?: KeyAlgorithm,
): Promise<KeyMaterial> {
  const exported = new Uint8Array(
    await callWebCrypto('export the new key', () => subtle().exportKey('pkcs8', privateKey)),
  )
  try {
    // The same validation and canonical re-encoding as an import: one code path for all keys.
    return await importPrivateKey(
      algorithm === undefined ? { pkcs8: exported } : { pkcs8: exported, algorithm },
    )
  } finally {
    wipe(exported)
  }
}
