/**
 * The RSA key algorithms: an RSA key is generated or imported for one signature scheme and one hash
 * (WebCrypto's model) and signs with exactly that one JWS algorithm. `RSA-PSS` is PS256 (its name
 * since credsign 0.1, kept so stored keys stay readable); the others carry their JWS name.
 */
export type RsaAlgorithm = 'RSA-PSS' | 'PS384' | 'PS512' | 'RS256' | 'RS384' | 'RS512'

/**
 * The key types credsign generates, stores and signs with (an RSA key: one per signature
 * algorithm).
 */
export type KeyAlgorithm = 'Ed25519' | 'P-256' | 'P-384' | 'P-521' | 'secp256k1' | RsaAlgorithm

/** RSA modulus lengths accepted for RSA keys. */
export type RsaModulusLength = 2048 | 3072 | 4096

/**
 * JWS `alg` values credsign signs and verifies with. `Ed25519` is the fully-specified name from RFC
 * 9864 for what older specifications call `EdDSA`; `ESP256`, `ESP384` and `ESP512` are the RFC 9864
 * fully-specified names of ECDSA on P-256, P-384 and P-521 (same signatures as `ES256`, `ES384`,
 * `ES512`).
 */
export type JwsAlgorithm =
  | 'EdDSA'
  | 'Ed25519'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'ESP256'
  | 'ESP384'
  | 'ESP512'
  | 'ES256K'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'

/** Members every public JWK may carry besides its key material. */
export interface JwkMetadata {
  kid?: string
  alg?: string
  /**
   * `enc` on a key a resolver hands out: its source published it for encryption (RFC 7517 section
   * 4.2), and no signature is ever verified with it.
   */
  use?: 'sig' | 'enc'
  key_ops?: string[]
}

/** An Ed25519 public key as a JWK (RFC 8037). */
export interface OkpPublicJwk extends JwkMetadata {
  kty: 'OKP'
  crv: 'Ed25519'
  x: string
}

/** An elliptic-curve public key as a JWK (RFC 7518, RFC 8812 for secp256k1). */
export interface EcPublicJwk extends JwkMetadata {
  kty: 'EC'
  crv: 'P-256' | 'P-384' | 'P-521' | 'secp256k1'
  x: string
  y: string
}

/** An RSA public key as a JWK (RFC 7518). */
export interface RsaPublicJwk extends JwkMetadata {
  kty: 'RSA'
  n: string
  e: string
}

/** Any public JWK credsign produces or accepts. It never has a private member. */
export type PublicJwk = OkpPublicJwk | EcPublicJwk | RsaPublicJwk

/** A JWK with its private part, as accepted by key import. */
export type PrivateJwk =
  | (OkpPublicJwk & { d: string })
  | (EcPublicJwk & { d: string })
  | (RsaPublicJwk & { d: string; p: string; q: string; dp: string; dq: string; qi: string })

/**
 * Anything that can sign bytes with one key: an unlocked vault key, a remote KMS, an HSM. Every
 * signing format in credsign consumes this interface and nothing more.
 *
 * `sign` returns the signature in the encoding JOSE and Data Integrity both use: 64 bytes for
 * Ed25519; `r || s` (IEEE P1363, low-S) for ECDSA; for RSA keys the RSASSA-PSS signature (the
 * algorithm's hash for message and MGF1, salt as long as the hash) or the RSASSA-PKCS1-v1_5
 * signature. Signers hash the data themselves (SHA-256 for P-256 and secp256k1, SHA-384 for P-384,
 * SHA-512 for P-521; RSA: the hash of its algorithm).
 *
 * @example
 *
 * ```ts
 * import type { Signer } from 'credsign'
 * // A signer backed by some remote KMS plugs into every credsign format:
 * const remote: Signer = {
 *   id: 'did:web:issuer.example#key-1',
 *   algorithm: 'P-256',
 *   publicJwk: { kty: 'EC', crv: 'P-256', x: '...', y: '...' },
 *   sign: async (data) => new Uint8Array(64), // call the KMS here
 * }
 * ```
 */
export interface Signer {
  /** The key identifier, usually a verification method id (a DID URL) or a vault key id. */
  readonly id: string
  /** The key type; the JWS algorithm follows from it (see `jwsAlgorithm`). */
  readonly algorithm: KeyAlgorithm
  /** The public key, with `kid` set to its RFC 7638 thumbprint. */
  readonly publicJwk: PublicJwk
  /**
   * The X.509 certificate chain of this key, if it has one: `x5c` entries (standard base64 DER),
   * leaf first, trust anchor omitted. JOSE signers put it in the `x5c` header when asked (`x5c:
   * true`); an unlocked vault key carries its version's attached chain.
   */
  readonly x5c?: readonly string[]
  /** Signs `data` and resolves with the signature bytes. */
  sign(data: Uint8Array): Promise<Uint8Array>
}
