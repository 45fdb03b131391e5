import type { PublicKeyBytes } from './jwk.js'
import type { PrivateKeyHandle } from './private-key.js'
import type { KeyAlgorithm } from './types.js'

/*
 * An optional, faster implementation of a few primitives for one platform. The core never depends
 * on one: with none installed (the default everywhere), keys sign and verify with WebCrypto and
 * @noble/curves and the KDFs run in WebCrypto and @noble/hashes.
 *
 * A backend is installed only by a platform entry point (today `src/index.node.ts`, which the
 * package's `node` export condition selects). It is internal: not part of the public API.
 *
 * Every method may decline by returning `undefined` (synchronously), for an algorithm or runtime it
 * does not handle; the caller then takes the default path. Inputs are already validated by the
 * caller, and every method must produce exactly what the default path produces (byte-identical
 * where the primitive is deterministic; the same encodings and acceptance rules otherwise).
 */

/** Scrypt parameters, already checked against the envelope bounds. */
export interface ScryptParams {
  readonly N: number
  readonly r: number
  readonly p: number
  readonly dkLen: number
}

/** A SHA-2 digest the SD-JWT layer uses (`_sd_alg` names, RFC 9901 / IANA Named Information). */
export type ShaAlgorithm = 'sha-256' | 'sha-384' | 'sha-512'

/**
 * A platform crypto implementation that the core consults before its default path.
 *
 * @example
 *
 * ```ts
 * const declinesEverything: CryptoBackend = { name: 'node' }
 * installBackend(declinesEverything) // every operation takes the default path
 * ```
 *
 * @internal
 */
export interface CryptoBackend {
  /** Short name; also the `backend` of the {@link PrivateKeyHandle}s it makes. */
  readonly name: 'node'
  /**
   * A signing handle for `pkcs8` (credsign's canonical, validated encoding of an `algorithm` key),
   * or `undefined` to decline. The caller wipes `pkcs8` once the promise settles: the backend must
   * not keep a copy of the bytes.
   */
  loadPrivateKey?(algorithm: KeyAlgorithm, pkcs8: Uint8Array): Promise<PrivateKeyHandle> | undefined
  /**
   * `verifySignature` for a validated public key (same acceptance rules), or `undefined` to
   * decline.
   */
  verify?(
    key: PublicKeyBytes,
    data: Uint8Array,
    signature: Uint8Array,
  ): Promise<boolean> | undefined
  /** Scrypt (RFC 7914), or `undefined` to decline. The caller wipes the result. */
  scrypt?(
    password: Uint8Array,
    salt: Uint8Array,
    params: ScryptParams,
  ): Promise<Uint8Array> | undefined
  /**
   * Base64url (no padding) of the `algorithm` digest of `text`'s UTF-8 bytes, synchronously, or
   * `undefined` to decline. Used for SD-JWT disclosure digests and `sd_hash`, where the inputs are
   * short and many, so a native hash saves most of the per-disclosure cost.
   */
  digestBase64url?(algorithm: ShaAlgorithm, text: string): string | undefined
  /**
   * Base64url (no padding) of HMAC-SHA-256 of `data` under `key`, synchronously, or `undefined` to
   * decline. Used for the vault's per-unlock cache and in-flight keys (one or two per signing
   * request).
   */
  hmacSha256Base64url?(key: Uint8Array, data: Uint8Array): string | undefined
}

let installed: CryptoBackend | undefined

/**
 * Makes `backend` the one the core consults, replacing any earlier one (`undefined`: none).
 *
 * @example
 *
 * ```ts
 * installBackend(nodeCryptoBackend())
 * ```
 *
 * @internal
 */
export function installBackend(backend: CryptoBackend | undefined): void {
  installed = backend
}

/**
 * The installed backend, or `undefined` (the default: WebCrypto and noble only).
 *
 * @example
 *
 * ```ts
 * cryptoBackend()?.name // 'node' under the package's `node` export condition
 * ```
 *
 * @internal
 */
export function cryptoBackend(): CryptoBackend | undefined {
  return installed
}
