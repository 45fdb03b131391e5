import { CredsignError } from '../errors/credsign-error.js'
import { subtle, toArrayBufferView, wipe } from '../util/bytes.js'
import { isKeyAlgorithm } from './algorithms.js'
import { EC_CURVES, isEcAlgorithm, toLowS } from './curves.js'
import { webCryptoEd25519 } from './ed25519-support.js'
import {
  derivePublicKey,
  isRsaPrivateKey,
  loadNobleCurves,
  wipePrivateKeyParts,
  withKeyAlgorithm,
} from './key-parts.js'
import { isRsaAlgorithm, RSA_SCHEMES } from './rsa-algorithms.js'
import { callWebCrypto } from './webcrypto.js'
import { webCryptoHasCurve } from './webcrypto-curves.js'
import { cryptoBackend } from './backend.js'
import type { PrivateKeyParts } from './key-parts.js'
import { encodePkcs8, parsePkcs8 } from './pkcs8.js'
import type { KeyAlgorithm } from './types.js'

/**
 * A private key ready to sign. Signatures use the encodings of the `Signer` interface: 64 bytes for
 * Ed25519; `r || s` (IEEE P1363), always low-S, for ECDSA (which hashes internally with SHA-256,
 * SHA-384 on P-384, SHA-512 on P-521); for RSA keys RSASSA-PSS (the algorithm's hash for message
 * and MGF1, a salt as long as the hash) or RSASSA-PKCS1-v1_5 with the algorithm's hash.
 *
 * @example
 *
 * ```ts
 * import { generateKeyPair, loadPrivateKey } from 'credsign'
 * const { pkcs8 } = await generateKeyPair('P-256')
 * const handle = await loadPrivateKey('P-256', pkcs8)
 * const signature = await handle.sign(new TextEncoder().encode('data')) // 64 bytes, r || s, low-S
 * handle.destroy()
 * ```
 */
export interface PrivateKeyHandle {
  /** The key type. */
  readonly algorithm: KeyAlgorithm
  /**
   * Which implementation signs: a non-extractable WebCrypto key, `@noble/curves` with a private
   * copy of the key, or (only when the package is loaded through its `node` export condition) a
   * node:crypto `KeyObject`.
   */
  readonly backend: 'webcrypto' | 'noble' | 'node'
  /** Signs `data`; `signer_locked` after {@link PrivateKeyHandle.destroy}. */
  sign(data: Uint8Array): Promise<Uint8Array>
  /** Forgets the key: zeroes noble's copy, drops the CryptoKey (or KeyObject) reference. Idempotent. */
  destroy(): void
  /**
   * A non-extractable WebCrypto `CryptoKey` (usage `sign`) for the same key, for libraries that
   * sign only with CryptoKeys (`credsign/adapters`, for jose). The WebCrypto handle gives its own
   * key; the others import one from a transient PKCS#8 copy, wiped at once. `signer_locked` after
   * {@link PrivateKeyHandle.destroy}; `unsupported_algorithm` for secp256k1 (no WebCrypto has it);
   * `crypto_unavailable` where the runtime's WebCrypto lacks the algorithm (Ed25519, P-521). A key
   * handed out lives as long as its holder keeps it: `destroy()` cannot take it back.
   *
   * @internal
   */
  webCryptoKey?(): Promise<CryptoKey>
}

/**
 * Options of {@link loadPrivateKey}.
 *
 * @example
 *
 * ```ts
 * import { generateKeyPair, loadPrivateKey } from 'credsign'
 * const { pkcs8 } = await generateKeyPair('Ed25519')
 * const handle = await loadPrivateKey('Ed25519', pkcs8, { backend: 'noble' })
 * handle.backend // 'noble'
 * ```
 */
export interface LoadPrivateKeyOptions {
  /**
   * `auto` (default): WebCrypto for P-256, P-384, RSA and, where the runtime supports them, Ed25519
   * and P-521; noble for secp256k1 and for Ed25519 and P-521 elsewhere. Under the package's `node`
   * export condition, node:crypto first for the algorithms it handles (README, "Runtimes and
   * backends"). `noble` forces `@noble/curves` for the elliptic-curve algorithms; RSA has no noble
   * implementation (`unsupported_algorithm`).
   */
  backend?: 'auto' | 'noble'
}

/**
 * Loads a PKCS#8 private key for signing. The bytes are validated (and must hold a key of
 * `algorithm`, else `invalid_key`; an rsaEncryption key serves any of the six RSA algorithms, and
 * signs with the one named here). On the WebCrypto path the key becomes a non-extractable
 * `CryptoKey` and no copy of the bytes is kept; on the noble path the handle keeps a private copy
 * of the seed or scalar, which `destroy()` zeroes. `pkcs8` itself is not modified: the caller wipes
 * it.
 *
 * @example
 *
 * ```ts
 * import { generateKeyPair, loadPrivateKey, verifySignature } from 'credsign'
 * const material = await generateKeyPair('Ed25519')
 * const key = await loadPrivateKey('Ed25519', material.pkcs8)
 * material.pkcs8.fill(0)
 * const data = new TextEncoder().encode('hello')
 * const signature = await key.sign(data)
 * await verifySignature(material.publicJwk, data, signature) // true
 * key.destroy()
 * ```
 */
export async function loadPrivateKey(
  algorithm: KeyAlgorithm,
  pkcs8: Uint8Array,
  options: LoadPrivateKeyOptions = {},
): Promise<PrivateKeyHandle> {
  if (!isKeyAlgorithm(algorithm))
    throw new CredsignError('unsupported_algorithm', 'unsupported key algorithm')
  const backend = options.backend ?? 'auto'
  if (backend !== 'auto' && backend !== 'noble')
    throw new CredsignError('invalid_argument', 'backend must be auto or noble')
  if (isRsaAlgorithm(algorithm) && backend === 'noble')
    throw new CredsignError('unsupported_algorithm', 'RSA signing uses WebCrypto only')

  const parsed = await parsePkcs8(pkcs8)
  const publicKey = parsed.publicKey
  let key = parsed.key
  let keep = false
  try {
    try {
      key = withKeyAlgorithm(parsed.key, algorithm, parsed.rsaRestriction)
    } catch (cause) {
      throw new CredsignError('invalid_key', `the PKCS#8 key is not a ${algorithm} key`, { cause })
    }
    const keyPublic = isRsaPrivateKey(key)
      ? { algorithm: key.algorithm, n: key.rsa.n, e: key.rsa.e }
      : publicKey
    // A platform backend (the `node` export condition: node:crypto) signs first when it handles the algorithm.
    const platform = backend === 'auto' ? cryptoBackend() : undefined
    if (platform?.loadPrivateKey !== undefined) {
      const canonical = encodePkcs8(key, keyPublic)
      try {
        const handle = platform.loadPrivateKey(algorithm, canonical)
        if (handle !== undefined) return await handle
      } finally {
        wipe(canonical)
      }
    }
    const useWebCrypto =
      backend === 'auto' &&
      (isRsaAlgorithm(algorithm) ||
        (algorithm === 'Ed25519' && (await webCryptoEd25519())) ||
        (isEcAlgorithm(algorithm) && (await webCryptoHasCurve(EC_CURVES[algorithm]))))
    if (useWebCrypto) {
      // Import the canonical re-encoding, which every WebCrypto implementation accepts.
      const canonical = encodePkcs8(key, keyPublic)
      try {
        return await webCryptoHandle(algorithm, canonical)
      } finally {
        wipe(canonical)
      }
    }
    keep = true
    return nobleHandle(key)
  } finally {
    // `key` shares its parts with `parsed.key` (withKeyAlgorithm does not copy): one wipe covers both.
    if (!keep) wipePrivateKeyParts(parsed.key)
  }
}

function lockedError(): CredsignError {
  return new CredsignError('signer_locked', 'this private key handle was destroyed')
}

function checkData(data: unknown): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array))
    throw new CredsignError('invalid_argument', 'data to sign must be a Uint8Array')
}

/**
 * A non-extractable WebCrypto signing key of `algorithm` from credsign's canonical PKCS#8 (which
 * the caller wipes): see {@link PrivateKeyHandle.webCryptoKey}.
 *
 * @example
 *
 * ```ts
 * const { pkcs8 } = await generateKeyPair('P-256')
 * const key = await webCryptoSigningKey('P-256', pkcs8) // key.extractable === false
 * ```
 *
 * @internal
 */
export async function webCryptoSigningKey(
  algorithm: KeyAlgorithm,
  canonical: Uint8Array,
): Promise<CryptoKey> {
  if (algorithm === 'secp256k1')
    throw new CredsignError('unsupported_algorithm', 'WebCrypto has no secp256k1 keys')
  return (await webCryptoHandle(algorithm, canonical)).webCryptoKey()
}

async function webCryptoHandle(
  algorithm: KeyAlgorithm,
  canonical: Uint8Array,
): Promise<PrivateKeyHandle & { webCryptoKey(): Promise<CryptoKey> }> {
  let importParams: RsaHashedImportParams | EcKeyImportParams | Algorithm
  let signParams: RsaPssParams | EcdsaParams | Algorithm
  if (isRsaAlgorithm(algorithm)) {
    const scheme = RSA_SCHEMES[algorithm]
    importParams = { name: scheme.webCryptoName, hash: scheme.hash }
    signParams =
      scheme.webCryptoName === 'RSA-PSS'
        ? { name: 'RSA-PSS', saltLength: scheme.saltLength }
        : { name: scheme.webCryptoName }
  } else if (algorithm === 'Ed25519') {
    importParams = { name: 'Ed25519' }
    signParams = { name: 'Ed25519' }
  } else {
    const hash = EC_CURVES[algorithm].webCryptoHash ?? 'SHA-256'
    importParams = { name: 'ECDSA', namedCurve: algorithm }
    signParams = { name: 'ECDSA', hash }
  }
  let cryptoKey: CryptoKey | undefined = await callWebCrypto('import the private key', () =>
    subtle().importKey('pkcs8', toArrayBufferView(canonical), importParams, false, ['sign']),
  )
  return {
    algorithm,
    backend: 'webcrypto',
    async sign(data: Uint8Array): Promise<Uint8Array> {
      const current = cryptoKey
      if (current === undefined) throw lockedError()
      checkData(data)
      const signature = new Uint8Array(
        await callWebCrypto('sign', () =>
          subtle().sign(signParams, current, toArrayBufferView(data)),
        ),
      )
      // WebCrypto ECDSA returns either half; credsign always emits low-S.
      return isEcAlgorithm(algorithm) ? toLowS(EC_CURVES[algorithm], signature) : signature
    },
    destroy(): void {
      cryptoKey = undefined
    },
    async webCryptoKey(): Promise<CryptoKey> {
      if (cryptoKey === undefined) throw lockedError()
      return cryptoKey
    },
  }
}

function nobleHandle(key: PrivateKeyParts): PrivateKeyHandle {
  if (isRsaPrivateKey(key))
    throw new CredsignError('unsupported_algorithm', 'RSA signing uses WebCrypto only')
  let secret: Uint8Array | undefined = key.algorithm === 'Ed25519' ? key.seed : key.scalar
  const algorithm = key.algorithm
  return {
    algorithm,
    backend: 'noble',
    async sign(data: Uint8Array): Promise<Uint8Array> {
      if (secret === undefined) throw lockedError()
      checkData(data)
      // noble on first use (noble-curves.ts): only where the platform cannot sign.
      const { ed25519, NOBLE_CURVES } = await loadNobleCurves()
      if (secret === undefined) throw lockedError() // destroyed while noble loaded
      if (algorithm === 'Ed25519') return ed25519.sign(data, secret)
      // prehash: the curve's own hash (SHA-256 / SHA-384 / SHA-512); lowS is noble's default, made explicit;
      // extraEntropy hedges RFC 6979 nonces against fault attacks.
      return NOBLE_CURVES[algorithm].sign(data, secret, {
        prehash: true,
        lowS: true,
        extraEntropy: true,
        format: 'compact',
      })
    },
    destroy(): void {
      if (secret !== undefined) wipe(secret)
      secret = undefined
    },
    async webCryptoKey(): Promise<CryptoKey> {
      if (secret === undefined) throw lockedError()
      const parts: PrivateKeyParts =
        algorithm === 'Ed25519' ? { algorithm, seed: secret } : { algorithm, scalar: secret }
      const publicKey = await derivePublicKey(parts)
      if (secret === undefined) throw lockedError() // destroyed while noble loaded
      const canonical = encodePkcs8(parts, publicKey)
      try {
        return await webCryptoSigningKey(algorithm, canonical)
      } finally {
        wipe(canonical)
      }
    },
  }
}
