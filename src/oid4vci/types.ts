import type { ErrorCode } from '../errors/credsign-error.js'
import type { JwsAlgorithm, PublicJwk } from '../keys/types.js'
import type { KeyResolver } from '../resolve/types.js'
import type { FormatHandler } from '../verify/types.js'

/**
 * Options of `Oid4vciProofSigner.sign` (the `jwt` proof type, OpenID4VCI 1.0 Appendix F.1).
 *
 * @example
 *
 * ```ts
 * import type { Oid4vciJwtProofOptions } from 'credsign'
 * const options: Oid4vciJwtProofOptions = {
 *   audience: 'https://credential-issuer.example.com',
 *   nonce: 'LarRGSbmUPYtRYO6BQ4yn8',
 * }
 * ```
 */
export interface Oid4vciJwtProofOptions {
  /** The Credential Issuer Identifier: becomes `aud`. */
  audience: string
  /** The `c_nonce` from the issuer's Nonce Endpoint: becomes `nonce`. */
  nonce?: string
  /**
   * The wallet's OAuth `client_id`: becomes `iss`, and only when given. Leave it out after an
   * anonymous Pre-Authorized Code Flow, where the spec forbids `iss`.
   */
  clientId?: string
  /**
   * How the header names the key: `kid` (the signer's id, a DID URL the issuer resolves) or `jwk`
   * (the public key itself, never a private member). Default: `kid` when `signer.id` is a DID URL,
   * else `jwk`.
   */
  keyReference?: 'kid' | 'jwk'
  /** The clock for `iat`, epoch milliseconds (default `Date.now`). */
  now?: () => number
  /**
   * `true`: `alg` by its RFC 9864 fully-specified name (`Ed25519`, `ESP256`, `ESP384`, `ESP512`);
   * default `false`.
   */
  fullySpecified?: boolean
}

/**
 * Options of `Oid4vciProofSigner.signDiVp` (the `di_vp` proof type, OpenID4VCI 1.0 Appendix F.2).
 *
 * @example
 *
 * ```ts
 * import type { Oid4vciDiVpOptions } from 'credsign'
 * const options: Oid4vciDiVpOptions = {
 *   audience: 'https://credential-issuer.example.com',
 *   nonce: 'c-nonce-1',
 *   cryptosuite: 'eddsa-rdfc-2022',
 * }
 * ```
 */
export type Oid4vciDiVpOptions = Omit<Oid4vciJwtProofOptions, 'keyReference' | 'clientId'> & {
  /** Default: `eddsa-rdfc-2022` for Ed25519 keys, `ecdsa-rdfc-2019` for P-256 / P-384. */
  cryptosuite?: string
  /** The presentation's data model: `2.0` (default) or `1.1`. */
  dataModel?: '2.0' | '1.1'
}

/**
 * What `signDiVp` needs from a Data Integrity signer: `DataIntegritySigner` from
 * `credsign/data-integrity` fits. The core takes it as a parameter so that it never loads JSON-LD.
 *
 * @example
 *
 * ```ts
 * import type { Oid4vciDataIntegritySigner } from 'credsign'
 * import { DataIntegritySigner } from 'credsign/data-integrity'
 * declare const holderKey: import('credsign').Signer
 * const diSigner: Oid4vciDataIntegritySigner = new DataIntegritySigner(holderKey)
 * ```
 */
export interface Oid4vciDataIntegritySigner {
  sign(
    document: Record<string, unknown>,
    options?: Record<string, unknown>,
  ): Promise<Record<string, unknown>>
}

/**
 * A single `jwt` key proof, as `Oid4vciProofSigner.sign` returns it. In an OpenID4VCI 1.0
 * Credential Request it goes into `proofs: { jwt: [proof.jwt] }`.
 *
 * @example
 *
 * ```ts
 * import type { Oid4vciJwtProof } from 'credsign'
 * declare const proof: Oid4vciJwtProof
 * const body = {
 *   credential_configuration_id: 'UniversityDegree',
 *   proofs: { jwt: [proof.jwt] },
 * }
 * ```
 */
export interface Oid4vciJwtProof {
  proof_type: 'jwt'
  jwt: string
}

/**
 * A single `di_vp` key proof, as `Oid4vciProofSigner.signDiVp` returns it. In an OpenID4VCI 1.0
 * Credential Request it goes into `proofs: { di_vp: [proof.di_vp] }`.
 *
 * @example
 *
 * ```ts
 * import type { Oid4vciDiVpProof } from 'credsign'
 * declare const proof: Oid4vciDiVpProof
 * const body = {
 *   credential_configuration_id: 'UniversityDegree',
 *   proofs: { di_vp: [proof.di_vp] },
 * }
 * ```
 */
export interface Oid4vciDiVpProof {
  proof_type: 'di_vp'
  di_vp: Record<string, unknown>
}

/**
 * Options of `verifyOid4vciProof`: what the Credential Issuer expects.
 *
 * @example
 *
 * ```ts
 * import type { VerifyOid4vciProofOptions } from 'credsign'
 * const options: VerifyOid4vciProofOptions = {
 *   expectedAudience: 'https://credential-issuer.example.com',
 *   expectedNonce: 'LarRGSbmUPYtRYO6BQ4yn8',
 *   anonymous: true,
 * }
 * ```
 */
export interface VerifyOid4vciProofOptions {
  /**
   * The Credential Issuer Identifier: `aud` (jwt: the string, or a one-member array) or `domain`
   * (di_vp) must name it.
   */
  expectedAudience: string
  /**
   * The `c_nonce` the issuer handed out: `nonce` (jwt) or `challenge` (di_vp) must equal it (else
   * `invalid_nonce`).
   */
  expectedNonce?: string
  /**
   * How old the proof may be, in seconds: `iat` (jwt) or `created` (di_vp, when present). Default
   * 300.
   */
  maxAgeSeconds?: number
  /** Allowed clock skew in seconds (default 60). */
  clockToleranceSeconds?: number
  /**
   * The issuer's clock: epoch milliseconds, a Date, or a function returning epoch milliseconds
   * (default `Date.now`).
   */
  now?: number | Date | (() => number)
  /** Resolves `kid` / `verificationMethod` (default: did:key and did:jwk, offline). */
  resolver?: KeyResolver
  /**
   * Accepted JWS algorithms (default: every asymmetric algorithm credsign verifies; never `none` or
   * HMAC).
   */
  algorithms?: JwsAlgorithm[]
  /** Jwt: `iss` must equal this `client_id`. */
  expectedClientId?: string
  /** Jwt: the access token came from an anonymous Pre-Authorized Code Flow, so `iss` must be absent. */
  anonymous?: boolean
  /**
   * Di_vp: the `verify()` handlers that verify it, i.e. `[dataIntegrityHandler()]` from
   * `credsign/data-integrity`.
   */
  handlers?: FormatHandler[]
}

/**
 * The answer of `verifyOid4vciProof`. `error` is the OpenID4VCI Credential Error Response code to
 * send back (`invalid_proof`, or `invalid_nonce` for a missing or wrong `c_nonce`); `reason` is
 * credsign's specific code (`typ_mismatch`, `signature_invalid`, `audience_mismatch`, …).
 *
 * @example
 *
 * ```ts
 * import type { Oid4vciProofResult } from 'credsign'
 * declare const result: Oid4vciProofResult
 * if (!result.verified) console.log({ error: result.error, error_description: result.message })
 * else console.log(result.key?.publicJwk) // bind the credential to this key
 * ```
 */
export interface Oid4vciProofResult {
  verified: boolean
  /** Which proof type was seen (absent when the input was not recognisably either). */
  proofType?: 'jwt' | 'di_vp'
  /** Set exactly when `verified` is false. */
  error?: 'invalid_proof' | 'invalid_nonce'
  /** The specific credsign code behind `error`. */
  reason?: ErrorCode
  /** A short human-readable explanation (never a secret). */
  message?: string
  /**
   * The key the credential should be bound to: its id (the `kid` or verification method; the RFC
   * 7638 thumbprint for a header `jwk`), the public key, and its controller when known (a DID).
   */
  key?: { id?: string; publicJwk: PublicJwk; controller?: string }
  /** Who holds the key: its controller (the DID of a did:key / did:jwk / did:web key), when known. */
  holder?: string
  /**
   * Jwt: the proof's `key_attestation` header (a compact `key-attestation+jwt`, Appendix D.1), when
   * it has one. credsign checked that the proof key is among its `attested_keys`, its `typ`, `alg`,
   * `iat` and `exp`; NOT its signature, its signer's trust or its `nonce`: verify it against your
   * Wallet Provider trust anchors before relying on what it attests.
   */
  keyAttestation?: string
}
