/**
 * Key-derivation settings stored in every envelope, so that changing the default never makes
 * existing keys undecryptable.
 *
 * - `pbkdf2-sha256`: iterated; runs off the main thread through WebCrypto. Default 600,000
 *   iterations.
 * - `scrypt`: memory-hard; `N` a power of two, `r`, `p` as in RFC 7914.
 * - `argon2id`: memory-hard (RFC 9106); `m` memory in KiB, `t` passes, `p` lanes.
 */
export type KdfParams =
  | { id: 'pbkdf2-sha256'; iterations: number }
  | { id: 'scrypt'; N: number; r: number; p: number }
  | { id: 'argon2id'; m: number; t: number; p: number }

/**
 * What an envelope is bound to. Opening with a different context fails with
 * `envelope_context_mismatch`, so an envelope copied onto another key id, algorithm or version is
 * detected.
 */
export interface EnvelopeContext {
  keyId: string
  algorithm: string
  keyVersion: number
}

/**
 * The stored, JSON-serialisable form of an encrypted private key (format version 1).
 * `docs/envelope.md` specifies every field and the exact byte layout of the authenticated data.
 * Binary fields are base64url without padding.
 */
export interface SealedEnvelope {
  /** Format version. */
  v: 1
  /** Bound key id. */
  kid: string
  /** Bound key algorithm. */
  alg: string
  /** Bound key version. */
  kv: number
  /** KDF id and parameters. */
  kdf: KdfParams
  /** Per-envelope random KDF salt (16 bytes). */
  salt: string
  /** Fingerprint of the service secret this envelope was sealed under (8 bytes). */
  sfp: string
  /** AES-256-GCM nonce (12 bytes). */
  iv: string
  /** AES-256-GCM ciphertext followed by the 16-byte tag. */
  ct: string
  /** HMAC-SHA-256 over all other fields, keyed from the service secret (32 bytes). */
  mac: string
}
