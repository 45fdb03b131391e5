import type { KeyAlgorithm, PublicJwk } from '../keys/types.js'
import type { KeyVersionStatus } from '../stores/key-store.js'

/** The public facts of one key version. Contains no secret. */
export interface KeyVersionInfo {
  version: number
  algorithm: KeyAlgorithm
  status: KeyVersionStatus
  /** ISO 8601. */
  createdAt: string
  /** The public key with `kid` (RFC 7638 thumbprint), `alg` (JWS algorithm) and `use: 'sig'`. */
  publicJwk: PublicJwk
  /** The Multikey encoding of the public key (`z…`). */
  publicKeyMultibase: string
  /** RFC 7638 SHA-256 thumbprint, base64url. */
  thumbprint: string
  /**
   * The X.509 chain attached to this version, if any: `x5c` (leaf first, no trust anchor) and
   * `notAfter`, when its first certificate expires (renew before then: request a new certificate
   * for a CSR of this version, or rotate and attach one for the new version).
   */
  certificateChain?: { x5c: string[]; notAfter: string }
}

/**
 * The public view of a vault key: its current version's public key plus every version still listed
 * for verification. Served without secrets.
 */
export interface KeyInfo {
  id: string
  /** ISO 8601. */
  createdAt: string
  updatedAt: string
  /** The version that signs. */
  current: KeyVersionInfo
  /** Every listed version, ascending (the current one included). */
  versions: KeyVersionInfo[]
}

/** A page of {@link KeyInfo}s from `vault.list()`. */
export interface KeyInfoPage {
  keys: KeyInfo[]
  /** Present when more keys follow; pass it back as `cursor`. */
  nextCursor?: string
}

/** A JSON Web Key Set (RFC 7517 section 5). */
export interface Jwks {
  keys: PublicJwk[]
}
