import { isDid } from '../did/did-url.js'
import { CredsignError } from '../errors/credsign-error.js'
import { isPlainObject } from '../jose/json.js'
import { signJwt } from '../jose/jwt-sign.js'
import { hasPrivateMembers } from '../jose/private-jwk.js'
import type { JoseHeader, JwtClaims } from '../jose/types.js'
import { jwsAlgorithm } from '../keys/algorithms.js'
import { requiredMembers } from '../keys/jwk.js'
import type { Signer } from '../keys/types.js'
import { VC_V1_CONTEXT, VC_V2_CONTEXT } from '../credential/contexts.js'
import { defaultCryptosuiteName } from '../formats/data-integrity/cryptosuites.js'
import { OID4VCI_PROOF_TYP } from './proof-typ.js'
import type {
  Oid4vciDataIntegritySigner,
  Oid4vciDiVpOptions,
  Oid4vciDiVpProof,
  Oid4vciJwtProof,
  Oid4vciJwtProofOptions,
} from './types.js'

/**
 * Makes OpenID4VCI 1.0 key proofs (Appendix F) with a wallet key from a vault (or any `Signer`):
 * the `jwt` proof type (`typ: openid4vci-proof+jwt`) and the `di_vp` proof type (a Verifiable
 * Presentation with a Data Integrity proof). Constructor options are defaults for every call.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, Oid4vciProofSigner, asDidSigner } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'wallet-key', algorithm: 'P-256', secrets: ['s1'] })
 * const holder = asDidSigner(await vault.unlock('wallet-key', ['s1'])) // kid: did:key:zDn…#zDn…
 * const proof = await new Oid4vciProofSigner(holder).sign({
 *   audience: 'https://credential-issuer.example.com',
 *   nonce: 'LarRGSbmUPYtRYO6BQ4yn8',
 * })
 * const request = {
 *   credential_configuration_id: 'UniversityDegree',
 *   proofs: { jwt: [proof.jwt] },
 * }
 * ```
 */
export class Oid4vciProofSigner {
  readonly #signer: Signer
  readonly #defaults: Partial<Oid4vciJwtProofOptions>

  /** `defaults` apply to every `sign` / `signDiVp` call (per-call options win). */
  constructor(signer: Signer, defaults: Partial<Oid4vciJwtProofOptions> = {}) {
    if (
      !signer ||
      typeof signer !== 'object' ||
      typeof signer.sign !== 'function' ||
      typeof signer.id !== 'string' ||
      !isPlainObject(signer.publicJwk)
    ) {
      throw new CredsignError('invalid_argument', 'Oid4vciProofSigner needs a Signer')
    }
    if (!isPlainObject(defaults))
      throw new CredsignError('invalid_argument', 'defaults must be an object')
    this.#signer = signer
    this.#defaults = { ...defaults }
  }

  /**
   * A `jwt` key proof (OpenID4VCI 1.0 Appendix F.1). Header: `typ: openid4vci-proof+jwt`, `alg`
   * from the key, and exactly one of `kid` (the signer's id) or `jwk` (the public key's required
   * members: never a private one). Claims: `iss` only when `clientId` is given, `aud`, `iat`, and
   * `nonce` when given.
   *
   * Errors: `invalid_argument` (no audience, option types, `keyReference: 'jwk'` with a key that
   * has private members), `unsupported_algorithm`, and the signer's errors (`signer_locked`).
   *
   * @example
   *
   * ```ts
   * import { Oid4vciProofSigner, generateKeyPair, loadPrivateKey, type Signer } from 'credsign'
   * const { pkcs8, publicJwk } = await generateKeyPair('Ed25519')
   * const key = await loadPrivateKey('Ed25519', pkcs8)
   * const signer: Signer = {
   *   id: 'wallet-key-1',
   *   algorithm: 'Ed25519',
   *   publicJwk,
   *   sign: (d) => key.sign(d),
   * }
   * // Not a DID URL: the header carries the public key (jwk). Anonymous pre-authorized flow: no clientId, no iss.
   * const { proof_type, jwt } = await new Oid4vciProofSigner(signer).sign({
   *   audience: 'https://issuer.example',
   *   nonce: 'c-nonce-1',
   * })
   * ```
   */
  async sign(options: Oid4vciJwtProofOptions): Promise<Oid4vciJwtProof> {
    if (!isPlainObject(options))
      throw new CredsignError('invalid_argument', 'options must be an object')
    const opts = merged(this.#defaults, options)
    const audience = requireString(opts.audience, 'audience')
    const nonce = optionalString(opts.nonce, 'nonce')
    const clientId = optionalString(opts.clientId, 'clientId')
    const clock = clockOf(opts.now)
    const signer = this.#signer
    const keyReference = opts.keyReference ?? (isDidUrl(signer.id) ? 'kid' : 'jwk')
    if (keyReference !== 'kid' && keyReference !== 'jwk')
      throw new CredsignError('invalid_argument', "keyReference must be 'kid' or 'jwk'")

    // The spec example's member order: typ, alg, then the key; iss, aud, iat, nonce.
    if (opts.fullySpecified !== undefined && typeof opts.fullySpecified !== 'boolean')
      throw new CredsignError('invalid_argument', 'fullySpecified must be a boolean')
    const header: JoseHeader = {
      typ: OID4VCI_PROOF_TYP,
      alg: jwsAlgorithm(signer.algorithm, { fullySpecified: opts.fullySpecified === true }),
    }
    if (keyReference === 'kid') {
      if (signer.id.length === 0)
        throw new CredsignError('invalid_argument', "keyReference 'kid' needs a signer id")
      header.kid = signer.id
    } else {
      if (hasPrivateMembers(signer.publicJwk))
        throw new CredsignError(
          'invalid_argument',
          "the signer's publicJwk has private members: it would be published in the header",
        )
      header.jwk = requiredMembers(signer.publicJwk)
    }
    const claims: JwtClaims = {}
    if (clientId !== undefined) claims.iss = clientId
    claims.aud = audience
    claims.iat = Math.floor(clock() / 1000)
    if (nonce !== undefined) claims.nonce = nonce
    const jwt = await signJwt(signer, claims, { protectedHeader: header, includeKid: false })
    return { proof_type: 'jwt', jwt }
  }

  /**
   * A `di_vp` key proof (OpenID4VCI 1.0 Appendix F.2): a Verifiable Presentation (VCDM 2.0 by
   * default) whose `holder` is the key's DID, secured by `dataIntegritySigner` with a Data
   * Integrity proof: `proofPurpose: authentication`, `domain` = the audience (the Credential Issuer
   * Identifier), `challenge` = the nonce when given, `created` = now, cryptosuite `eddsa-rdfc-2022`
   * (Ed25519) or `ecdsa-rdfc-2019` (P-256 / P-384) unless another is named.
   *
   * The core never loads JSON-LD: pass `new DataIntegritySigner(sameKey)` from
   * `credsign/data-integrity`. When this signer's id is a DID URL, the proof's `verificationMethod`
   * must be that id (else `invalid_argument`: the two signers hold different keys).
   *
   * Errors: `invalid_argument`, `unsupported_cryptosuite` (secp256k1 and RSA keys have no Data
   * Integrity suite), and the Data Integrity signer's errors.
   *
   * @example
   *
   * ```ts
   * import { KeyVault, MemoryStore, Oid4vciProofSigner, asDidSigner } from 'credsign'
   * import { DataIntegritySigner } from 'credsign/data-integrity'
   * const vault = new KeyVault({
   *   store: new MemoryStore(),
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * await vault.generate({ id: 'wallet-key', algorithm: 'Ed25519', secrets: ['s1'] })
   * const holder = asDidSigner(await vault.unlock('wallet-key', ['s1']))
   * const { di_vp } = await new Oid4vciProofSigner(holder).signDiVp(
   *   new DataIntegritySigner(holder),
   *   {
   *     audience: 'https://credential-issuer.example.com',
   *     nonce: 'c-nonce-1',
   *   },
   * )
   * // di_vp.proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'authentication', domain: …, challenge: 'c-nonce-1', … }
   * ```
   */
  async signDiVp(
    dataIntegritySigner: Oid4vciDataIntegritySigner,
    options: Oid4vciDiVpOptions,
  ): Promise<Oid4vciDiVpProof> {
    if (!dataIntegritySigner || typeof dataIntegritySigner.sign !== 'function') {
      throw new CredsignError(
        'invalid_argument',
        'signDiVp needs a Data Integrity signer (new DataIntegritySigner(key) from credsign/data-integrity)',
      )
    }
    if (!isPlainObject(options))
      throw new CredsignError('invalid_argument', 'options must be an object')
    const { keyReference: _keyReference, clientId: _clientId, ...defaults } = this.#defaults
    const opts = merged(defaults, options) as Oid4vciDiVpOptions
    const audience = requireString(opts.audience, 'audience')
    const nonce = optionalString(opts.nonce, 'nonce')
    const clock = clockOf(opts.now)
    const dataModel = opts.dataModel ?? '2.0'
    if (dataModel !== '2.0' && dataModel !== '1.1')
      throw new CredsignError('invalid_argument', "dataModel must be '2.0' or '1.1'")
    const cryptosuite =
      optionalString(opts.cryptosuite, 'cryptosuite') ?? defaultCryptosuite(this.#signer.algorithm)

    const signer = this.#signer
    const controller = isDidUrl(signer.id) ? didOf(signer.id) : undefined
    const presentation: Record<string, unknown> = {
      '@context': [dataModel === '2.0' ? VC_V2_CONTEXT : VC_V1_CONTEXT],
      type: ['VerifiablePresentation'],
    }
    if (controller !== undefined) presentation.holder = controller
    const signOptions: Record<string, unknown> = {
      cryptosuite,
      proofPurpose: 'authentication',
      domain: audience,
      now: clock,
    }
    if (nonce !== undefined) signOptions.challenge = nonce

    const secured = await dataIntegritySigner.sign(presentation, signOptions)
    if (!isPlainObject(secured) || !isPlainObject(secured.proof)) {
      throw new CredsignError(
        'invalid_argument',
        'the Data Integrity signer did not return a document with one proof',
      )
    }
    if (controller !== undefined && secured.proof.verificationMethod !== signer.id) {
      throw new CredsignError(
        'invalid_argument',
        `the Data Integrity signer signed with another key than ${JSON.stringify(signer.id.slice(0, 120))}`,
      )
    }
    return { proof_type: 'di_vp', di_vp: secured }
  }
}

/** Whether a key id is a DID or DID URL (`did:key:z…#z…`), which an issuer can resolve. */
function isDidUrl(id: string): boolean {
  return isDid(didOf(id))
}

function didOf(id: string): string {
  const hash = id.indexOf('#')
  return hash === -1 ? id : id.slice(0, hash)
}

/**
 * The Data Integrity suite for a key type (the one default, from the cryptosuites); no suite for
 * secp256k1 and RSA.
 */
function defaultCryptosuite(algorithm: Signer['algorithm']): string {
  const suite = defaultCryptosuiteName(algorithm)
  if (suite !== undefined) return suite
  throw new CredsignError(
    'unsupported_cryptosuite',
    `no Data Integrity cryptosuite signs with ${algorithm} keys (Ed25519, P-256 and P-384 do); use the jwt proof type`,
  )
}

/** Defaults overlaid by the call's options; an option explicitly `undefined` keeps the default. */
function merged<T extends object>(defaults: Partial<T>, options: T): T {
  const result: Record<string, unknown> = { ...defaults }
  for (const [name, value] of Object.entries(options)) if (value !== undefined) result[name] = value
  return result as T
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new CredsignError('invalid_argument', `${name} must be a non-empty string`)
  return value
}

function optionalString(value: unknown, name: string): string | undefined {
  return value === undefined ? undefined : requireString(value, name)
}

function clockOf(now: unknown): () => number {
  const clock = now ?? Date.now
  if (typeof clock !== 'function')
    throw new CredsignError(
      'invalid_argument',
      'now must be a function returning epoch milliseconds',
    )
  return () => {
    const ms: unknown = clock()
    if (typeof ms !== 'number' || !Number.isFinite(ms))
      throw new CredsignError('invalid_argument', 'now() must return epoch milliseconds')
    return ms
  }
}
