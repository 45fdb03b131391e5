import { CredsignError } from '../errors/credsign-error.js'
import { subtle, toArrayBufferView } from '../util/bytes.js'
import { EC_CURVES, isEcAlgorithm } from './curves.js'
import { webCryptoEd25519 } from './ed25519-support.js'
import { ed25519SignatureWellFormed } from './ed25519-signature-form.js'
import { isKeyAlgorithm } from './algorithms.js'
import { isRsaPublicKey, jwkFromPublicKey, parsePublicJwk } from './jwk.js'
import type { PublicKeyBytes } from './jwk.js'
import { isRsaAlgorithm, RSA_SCHEMES } from './rsa-algorithms.js'
import { callWebCrypto } from './webcrypto.js'
import { webCryptoHasCurve } from './webcrypto-curves.js'
import { cryptoBackend } from './backend.js'
import type { KeyAlgorithm, PrivateJwk, PublicJwk } from './types.js'
import { lazyModule } from '../util/lazy-module.js'

// noble-verify.ts, loaded on first use where the platform lacks an algorithm: a chunk that fails
// to load is `crypto_unavailable` (not a raw import error a verifier would report as a bad key),
// and the next call tries again.
const loadNobleVerify = /* @__PURE__ */ lazyModule(
  () => import('./noble-verify.js'),
  '@noble/curves',
)

/**
 * Options of {@link verifySignature}.
 *
 * @example
 *
 * ```ts
 * import { verifySignature, type PublicJwk } from 'credsign'
 * declare const jwk: PublicJwk, data: Uint8Array, signature: Uint8Array
 * await verifySignature(jwk, data, signature, { backend: 'noble' })
 * ```
 */
export interface VerifySignatureOptions {
  /**
   * The key algorithm the signature was made with. An RSA JWK names no scheme (its `alg`, if any,
   * is only a hint): pass the RSA algorithm here (`RS256`, `PS384`, ...; a JWS verifier passes the
   * one its header's `alg` names). Without it, an RSA key is the algorithm its `alg` names, else
   * `RSA-PSS` (PS256). For other keys it must be the key's own algorithm (else
   * `invalid_argument`).
   */
  algorithm?: KeyAlgorithm
  /**
   * `auto` (default): WebCrypto for P-256, P-384, RSA and (where supported) Ed25519 and P-521,
   * noble otherwise; under the package's `node` export condition, node:crypto first where it
   * handles the algorithm. `noble` forces `@noble/curves` for the elliptic-curve algorithms; RSA
   * has no noble implementation (`unsupported_algorithm`).
   */
  backend?: 'auto' | 'noble'
}

/**
 * Verifies a signature made by a credsign signer (encodings as in `Signer`): Ed25519 (strict RFC
 * 8032: canonical R, S < L, the cofactorless equation; small-order and non-canonical public keys
 * are `invalid_key`; the same verdict on every backend), ECDSA `r || s` over the curve's hash
 * (high-S signatures are accepted, as other implementations produce them), RSASSA-PSS (salt as long
 * as the hash) or RSASSA-PKCS1-v1_5 with the hash of the RSA algorithm (`options.algorithm`).
 *
 * Resolves `false` for any wrong signature, including one of the wrong length. Throws a typed error
 * for a malformed or unsupported key (`invalid_key`, `unsupported_algorithm`) or for arguments that
 * are not byte arrays (`invalid_argument`).
 *
 * @example
 *
 * ```ts
 * import { generateKeyPair, loadPrivateKey, verifySignature } from 'credsign'
 * const { pkcs8, publicJwk } = await generateKeyPair('secp256k1')
 * const key = await loadPrivateKey('secp256k1', pkcs8)
 * const data = new TextEncoder().encode('hi')
 * await verifySignature(publicJwk, data, await key.sign(data)) // true
 * ```
 */
export async function verifySignature(
  publicJwk: PublicJwk | PrivateJwk,
  data: Uint8Array,
  signature: Uint8Array,
  options: VerifySignatureOptions = {},
): Promise<boolean> {
  const algorithm = options.algorithm
  if (algorithm !== undefined && !isKeyAlgorithm(algorithm))
    throw new CredsignError('invalid_argument', 'algorithm must be a key algorithm')
  const key = parseCached(publicJwk, algorithm)
  if (!(data instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw new CredsignError('invalid_argument', 'data and signature must be Uint8Arrays')
  }
  const backend = options.backend ?? 'auto'
  if (backend !== 'auto' && backend !== 'noble')
    throw new CredsignError('invalid_argument', 'backend must be auto or noble')
  if (isRsaPublicKey(key) && backend === 'noble')
    throw new CredsignError('unsupported_algorithm', 'RSA verification uses WebCrypto only')
  // One Ed25519 rule on every backend (ed25519-verify.ts): the form of R and S is checked here,
  // before any platform library, so none can accept a malleated S or a non-canonical R.
  if (key.algorithm === 'Ed25519' && !ed25519SignatureWellFormed(signature)) return false
  // A platform backend (the `node` export condition: node:crypto) verifies first when it handles the algorithm.
  const viaPlatform =
    backend === 'auto' ? cryptoBackend()?.verify?.(key, data, signature) : undefined
  if (viaPlatform !== undefined) return viaPlatform

  const s = (): SubtleCrypto => subtle()
  const webVerify = (
    importKey: () => Promise<CryptoKey>,
    params: Algorithm | RsaPssParams | EcdsaParams,
  ): Promise<boolean> =>
    callWebCrypto('verify', async () =>
      s().verify(
        params,
        await importedKey(key, importKey),
        toArrayBufferView(signature),
        toArrayBufferView(data),
      ),
    )
  if (key.algorithm === 'Ed25519') {
    if (backend === 'auto' && (await webCryptoEd25519())) {
      return webVerify(
        () =>
          s().importKey('raw', toArrayBufferView(key.publicKey), { name: 'Ed25519' }, false, [
            'verify',
          ]),
        { name: 'Ed25519' },
      )
    }
    // Cofactorless, as OpenSSL and BoringSSL (noble's own verify is cofactored: ed25519-verify.ts).
    // Loaded on first use: WebCrypto has Ed25519 on every current engine.
    const { verifyEd25519 } = await loadNobleVerify()
    return verifyEd25519(key.publicKey, data, signature)
  }
  if (isRsaPublicKey(key)) {
    if (signature.length !== key.n.length) return false
    const scheme = RSA_SCHEMES[key.algorithm]
    const params: Algorithm | RsaPssParams =
      scheme.webCryptoName === 'RSA-PSS'
        ? { name: 'RSA-PSS', saltLength: scheme.saltLength }
        : { name: scheme.webCryptoName }
    return webVerify(
      () =>
        s().importKey(
          'jwk',
          { ...jwkFromPublicKey(key), ext: true } as JsonWebKey,
          { name: scheme.webCryptoName, hash: scheme.hash },
          false,
          ['verify'],
        ),
      params,
    )
  }
  if (!isEcAlgorithm(key.algorithm)) return false
  const curve = EC_CURVES[key.algorithm]
  if (signature.length !== 2 * curve.size) return false
  if (backend === 'auto' && curve.webCryptoHash !== undefined && (await webCryptoHasCurve(curve))) {
    const hash = curve.webCryptoHash
    return webVerify(
      () =>
        s().importKey(
          'raw',
          toArrayBufferView(key.publicKey),
          { name: 'ECDSA', namedCurve: curve.algorithm },
          false,
          ['verify'],
        ),
      { name: 'ECDSA', hash },
    )
  }
  // noble only where WebCrypto lacks the curve (secp256k1, P-521 on some engines) or `noble` is
  // asked for: loaded on first use, so a bundle that verifies with WebCrypto never carries it.
  const { verifyEcdsaWithNoble } = await loadNobleVerify()
  return verifyEcdsaWithNoble(curve.algorithm, key.publicKey, data, signature)
}

/**
 * Validated public keys by their key members (the last 256). Validation (an Ed25519 point
 * decompression, an on-curve check) costs about as much as a verification, and a verifier sees the
 * same few issuer keys over and over. `parsePublicJwk` reads nothing but these members, so equal
 * members give an equal result; only successful parses are kept. Public data only, and the objects
 * never leave this module (and the backend it hands them to), so nobody can alter a cached key.
 */
const parsedKeys = new Map<string, PublicKeyBytes>()
const PARSED_KEYS_LIMIT = 256

function parseCached(
  jwk: PublicJwk | PrivateJwk,
  algorithm: KeyAlgorithm | undefined,
): PublicKeyBytes {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    return forAlgorithm(parsePublicJwk(jwk), algorithm)
  const { kty, crv, x, y, n, e, alg: hint } = jwk as unknown as Record<string, unknown>
  // `alg` matters for RSA keys only (it picks the scheme when the caller names none).
  const alg = kty === 'RSA' ? hint : undefined
  const members = [kty, crv, x, y, n, e, alg]
  if (!members.every((v) => v === undefined || typeof v === 'string'))
    return forAlgorithm(parsePublicJwk(jwk), algorithm)
  const id = JSON.stringify([...members, algorithm])
  const hit = parsedKeys.get(id)
  if (hit !== undefined) {
    parsedKeys.delete(id) // most recently used last; the first entry is evicted first
    parsedKeys.set(id, hit)
    return hit
  }
  // Parses exactly the values `id` names (not the object again), so an entry can never hold another key.
  const key = forAlgorithm(
    parsePublicJwk({ kty, crv, x, y, n, e, alg } as unknown as PublicJwk),
    algorithm,
  )
  parsedKeys.set(id, key)
  if (parsedKeys.size > PARSED_KEYS_LIMIT)
    parsedKeys.delete(parsedKeys.keys().next().value as string)
  return key
}

/** `key` used with `algorithm`: an RSA key takes the RSA algorithm named; any other must be its own. */
function forAlgorithm(key: PublicKeyBytes, algorithm: KeyAlgorithm | undefined): PublicKeyBytes {
  if (algorithm === undefined || algorithm === key.algorithm) return key
  if (isRsaPublicKey(key) && isRsaAlgorithm(algorithm)) return { algorithm, n: key.n, e: key.e }
  throw new CredsignError(
    'invalid_argument',
    `a ${isRsaPublicKey(key) ? 'RSA' : key.algorithm} key cannot verify ${algorithm} signatures`,
  )
}

/**
 * WebCrypto public keys by the validated key they were imported from: a `parseCached` result is the
 * same object for the same key members, so each issuer key is imported once while it stays in that
 * cache (and is forgotten with it). Only successful imports are kept; the keys are public,
 * non-extractable and verify-only, for the one algorithm their key bytes belong to.
 */
const importedKeys = new WeakMap<PublicKeyBytes, CryptoKey>()

async function importedKey(
  key: PublicKeyBytes,
  importKey: () => Promise<CryptoKey>,
): Promise<CryptoKey> {
  const hit = importedKeys.get(key)
  if (hit !== undefined) return hit
  const imported = await importKey()
  importedKeys.set(key, imported)
  return imported
}
