import { CredsignError } from '../errors/credsign-error.js'
import { keyAlgorithmFromJwk } from '../keys/algorithms.js'
import { requiredMembers } from '../keys/jwk.js'
import type { JwsAlgorithm, PublicJwk, Signer } from '../keys/types.js'
import type { KeyResolver, ResolvedKey } from '../resolve/types.js'
import { isOptionsObject, isPlainObject } from './json.js'
import { hasPrivateMembers } from './private-jwk.js'
import { signJwt } from './jwt-sign.js'
import { verifyJwt } from './jwt-verify.js'
import type { JwtClaims, JwtVerifyOptions } from './types.js'

/**
 * The `typ` of credsign key binding JWTs. Distinct on purpose from SD-JWT's `kb+jwt`, which is a
 * holder's proof of possession, not an issuer's statement about someone's key (RFC 8725 section
 * 3.11: explicit types keep one kind of JWT from being accepted as another).
 *
 * @example
 *
 * ```ts
 * import { KEY_BINDING_TYP } from 'credsign'
 * KEY_BINDING_TYP // 'kb-cert+jwt'
 * ```
 */
export const KEY_BINDING_TYP = 'kb-cert+jwt'

/**
 * Options of {@link signKeyBinding}.
 *
 * @example
 *
 * ```ts
 * import type { KeyBindingOptions } from 'credsign'
 * declare const devicePublicJwk: import('credsign').PublicJwk
 * const options: KeyBindingOptions = {
 *   subject: '@user.w3id',
 *   publicKey: devicePublicJwk,
 *   expiresIn: 3600,
 * }
 * ```
 */
export interface KeyBindingOptions {
  /** Who holds the key: a user name, an account, a DID. Becomes `sub`. */
  subject: string
  /**
   * The key being bound. Becomes `cnf.jwk` (RFC 7800): its required members, plus `kid` when it has
   * one.
   */
  publicKey: PublicJwk
  /** Lifetime in seconds (required: a binding that never expires cannot be withdrawn). */
  expiresIn: number
  /** `iss`, e.g. the registry's URL, when verifiers check it. */
  issuer?: string
  /** `aud`, when the binding is meant for particular verifiers. */
  audience?: string | string[]
  /** Header `typ` (default {@link KEY_BINDING_TYP}). */
  typ?: string
  /** Add `jti`: a random UUID (`true`) or this value. */
  jwtId?: boolean | string
  /** Clock, epoch milliseconds (default `Date.now`). */
  now?: () => number
  /** `EdDSA` (default) or `Ed25519` for an Ed25519 issuing key. */
  ed25519Name?: 'EdDSA' | 'Ed25519'
  /**
   * `true`: the RFC 9864 fully-specified `alg` names (`Ed25519`, `ESP256`, `ESP384`, `ESP512`);
   * default `false`.
   */
  fullySpecified?: boolean
  /**
   * Header `kid` (default `signer.id`). It must be the `kid` under which verifiers find the issuer
   * key in its JWK Set: for a set published with `vault.jwks()`, whose kids are thumbprints, pass
   * `signer.publicJwk.kid`.
   */
  kid?: string
}

/**
 * Issues a key binding JWT: "`subject` holds `publicKey`", signed by the issuer's key (the eVault
 * pattern: a registry binds a user's device key to the user's name, and any service verifies that
 * through the registry's JWKS). Claims: `iss` and `aud` when given, `sub`, `cnf: { jwk }`, `iat`,
 * `exp`; header `typ: kb-cert+jwt` and `kid` = the signer's id.
 *
 * Errors: `invalid_argument` (missing subject, non-positive `expiresIn`, a private key as
 * `publicKey`), `invalid_key` / `unsupported_algorithm` (a malformed or unsupported public key),
 * and the signer's errors.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, generateKeyPair, signKeyBinding } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'registry-key-1', algorithm: 'P-256', secrets: ['s1'] })
 * const device = await generateKeyPair('P-256')
 * const certificate = await vault.withKey('registry-key-1', ['s1'], (signer) =>
 *   // kid: the thumbprint, as in vault.jwks(), which the registry publishes
 *   signKeyBinding(signer, {
 *     subject: '@user.w3id',
 *     publicKey: device.publicJwk,
 *     expiresIn: 3600,
 *     kid: signer.publicJwk.kid,
 *   }),
 * )
 * ```
 */
export async function signKeyBinding(signer: Signer, options: KeyBindingOptions): Promise<string> {
  if (!isOptionsObject(options))
    throw new CredsignError('invalid_argument', 'options must be an object')
  const {
    subject,
    publicKey,
    expiresIn,
    issuer,
    audience,
    typ = KEY_BINDING_TYP,
    jwtId,
    now,
    ed25519Name,
    fullySpecified,
    kid,
  } = options
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0))
    throw new CredsignError('invalid_argument', 'kid must be a non-empty string')
  if (typeof subject !== 'string' || subject.length === 0)
    throw new CredsignError('invalid_argument', 'subject must be a non-empty string')
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new CredsignError('invalid_argument', 'expiresIn must be a positive number of seconds')
  }
  if (!isPlainObject(publicKey))
    throw new CredsignError('invalid_argument', 'publicKey must be a JWK')
  if (hasPrivateMembers(publicKey))
    throw new CredsignError(
      'invalid_argument',
      'publicKey must be a public key: it would be published',
    )
  // cnf.jwk carries the required members only: an `alg` naming another key type's algorithm
  // (RFC 7517 4.4) is refused rather than dropped, as the key conversions refuse it.
  keyAlgorithmFromJwk(publicKey)
  const jwk: PublicJwk = requiredMembers(publicKey)
  if (typeof publicKey.kid === 'string') jwk.kid = publicKey.kid

  const claims: JwtClaims = {}
  if (issuer !== undefined) claims.iss = issuer
  claims.sub = subject
  if (audience !== undefined) claims.aud = audience
  claims.cnf = { jwk }
  return signJwt(signer, claims, {
    typ,
    expiresIn,
    ...(jwtId === undefined ? {} : { jwtId }),
    ...(now === undefined ? {} : { now }),
    ...(ed25519Name === undefined ? {} : { ed25519Name }),
    ...(fullySpecified === undefined ? {} : { fullySpecified }),
    ...(kid === undefined ? {} : { protectedHeader: { kid } }),
  })
}

/**
 * Options of {@link verifyKeyBinding}. Give `jwks` (the issuer's JWK Set) or `resolver`.
 *
 * @example
 *
 * ```ts
 * import type { VerifyKeyBindingOptions } from 'credsign'
 * declare const registryJwks: { keys: import('credsign').PublicJwk[] }
 * const options: VerifyKeyBindingOptions = { jwks: registryJwks, subject: '@user.w3id' }
 * ```
 */
export interface VerifyKeyBindingOptions {
  /** The issuer's keys, e.g. the registry's `/.well-known/jwks.json`. */
  jwks?: { keys: PublicJwk[] }
  /** Or a resolver for the `kid` (e.g. a DID-based issuer). */
  resolver?: KeyResolver
  /** Required `iss`. */
  issuer?: string
  /** Required `sub`. */
  subject?: string
  /** Required audience (one of `aud`). */
  audience?: string | string[]
  /** Accepted `typ` (default {@link KEY_BINDING_TYP}). */
  typ?: string | string[]
  /** Accepted algorithms (default: all credsign verifies). */
  algorithms?: JwsAlgorithm[]
  /** Verifier clock: epoch ms, Date, or a function (default `Date.now`). */
  now?: JwtVerifyOptions['now']
  /** Allowed clock skew in seconds (default 60). */
  clockToleranceSeconds?: number
}

/**
 * A verified key binding.
 *
 * @example
 *
 * ```ts
 * import type { VerifiedKeyBinding } from 'credsign'
 * declare const binding: VerifiedKeyBinding
 * new Date(binding.expiresAt * 1000)
 * ```
 */
export interface VerifiedKeyBinding {
  /** Who holds the key (`sub`). */
  subject: string
  /** The bound key (`cnf.jwk`), public members only. */
  publicJwk: PublicJwk
  /** When the binding ends (`exp`), NumericDate seconds. */
  expiresAt: number
  /** When it was issued (`iat`), when present. */
  issuedAt?: number
  /** `iss`, when present. */
  issuer?: string
  /** The issuer key that verified the JWT. */
  issuerKey: ResolvedKey
  /** All claims. */
  claims: JwtClaims
}

/**
 * Verifies a key binding JWT from {@link signKeyBinding} (or any JWT of that shape): signature
 * against the issuer's JWK Set (matched by `kid`; without `kid`, every key whose type fits `alg`;
 * never a `use: enc` key) or resolver, `typ`, expiry (`exp` is required), and a valid public
 * `cnf.jwk`. Codes as in `verifyJwt`; a binding without `sub`, `exp` or `cnf`, or with an unusable
 * `cnf.jwk`, is `claim_invalid`; an expired one `expired`; one signed by a key outside the JWK Set
 * `key_not_found` (unknown `kid`) or `signature_invalid`.
 *
 * @example
 *
 * ```ts
 * import { verifyKeyBinding } from 'credsign'
 * declare const certificate: string, registryJwks: { keys: import('credsign').PublicJwk[] }
 * const binding = await verifyKeyBinding(certificate, {
 *   jwks: registryJwks,
 *   subject: '@user.w3id',
 * })
 * binding.publicJwk // the device key, to verify the user's signatures with
 * ```
 */
export async function verifyKeyBinding(
  jwt: string,
  options: VerifyKeyBindingOptions,
): Promise<VerifiedKeyBinding> {
  if (!isOptionsObject(options))
    throw new CredsignError('invalid_argument', 'options must be an object')
  if (options.jwks === undefined && options.resolver === undefined) {
    // Without a trust anchor anyone could issue a binding for anyone (e.g. from a did:key of their own).
    throw new CredsignError('invalid_argument', 'give the issuer keys: jwks or resolver')
  }
  const verifyOptions: JwtVerifyOptions = {
    typ: options.typ ?? KEY_BINDING_TYP,
    requiredClaims: ['sub', 'exp', 'cnf'],
  }
  for (const name of [
    'jwks',
    'resolver',
    'issuer',
    'subject',
    'audience',
    'algorithms',
    'now',
    'clockToleranceSeconds',
  ] as const) {
    if (options[name] !== undefined)
      (verifyOptions as Record<string, unknown>)[name] = options[name]
  }
  const { payload, key } = await verifyJwt(jwt, verifyOptions)
  const cnf = payload.cnf
  if (!isPlainObject(cnf) || !isPlainObject(cnf.jwk))
    throw new CredsignError('claim_invalid', 'cnf must hold a jwk')
  const bound = cnf.jwk
  if (hasPrivateMembers(bound))
    throw new CredsignError('claim_invalid', 'cnf.jwk holds a private key')
  let publicJwk: PublicJwk
  try {
    publicJwk = requiredMembers(bound as unknown as PublicJwk)
  } catch (cause) {
    throw new CredsignError('claim_invalid', 'cnf.jwk is not a public key credsign supports', {
      cause,
    })
  }
  if (typeof bound.kid === 'string') publicJwk.kid = bound.kid
  const binding: VerifiedKeyBinding = {
    subject: payload.sub as string,
    publicJwk,
    expiresAt: payload.exp as number,
    issuerKey: key,
    claims: payload,
  }
  if (typeof payload.iat === 'number') binding.issuedAt = payload.iat
  if (typeof payload.iss === 'string') binding.issuer = payload.iss
  return binding
}
