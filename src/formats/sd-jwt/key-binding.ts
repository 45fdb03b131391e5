import { CredsignError } from '../../errors/credsign-error.js'
import { isStoreFailure } from '../../errors/store-failure.js'
import { isPlainObject } from '../../jose/json.js'
import { signJwt } from '../../jose/jwt-sign.js'
import { checkJwtTimes } from '../../jose/jwt-times.js'
import { verifyJwt } from '../../jose/jwt-verify.js'
import { hasPrivateMembers } from '../../jose/private-jwk.js'
import type { JoseHeader, JwtVerifyOptions } from '../../jose/types.js'
import { requiredMembers } from '../../keys/jwk.js'
import type { PublicJwk, Signer } from '../../keys/types.js'
import type { KeyResolver, ResolvedKey } from '../../resolve/types.js'
import { sdDigest } from './hash.js'
import { defaultResolver } from '../../resolve/default-resolver.js'
import type { SplitSdJwt } from './serialization.js'
import type { SdHashAlgorithm, SdJwtVerifyOptions } from './types.js'
import {
  audienceProblem,
  expectedNonceOf,
  verifierAudienceOf,
  type AudienceOptions,
} from '../../verify/audience.js'

/**
 * The `typ` of an SD-JWT Key Binding JWT (RFC 9901 section 4.3). Not credsign's `kb-cert+jwt`
 * (`KEY_BINDING_TYP`), which is an issuer's statement about a key, not a holder's proof.
 *
 * @example
 *
 * ```ts
 * import { KB_JWT_TYP } from 'credsign'
 * KB_JWT_TYP // 'kb+jwt'
 * ```
 */
export const KB_JWT_TYP = 'kb+jwt'

/** Default freshness window of a KB-JWT's `iat`, in seconds. */
const DEFAULT_MAX_AGE_SECONDS = 300

/**
 * What decides whether a KB-JWT is needed, what it must say, and where a `cnf.kid` key comes from:
 * the verifier's options. @internal
 */
export type KeyBindingPolicy = Pick<
  SdJwtVerifyOptions,
  | 'resolver'
  | 'algorithms'
  | 'audience'
  | 'nonce'
  | 'requireKeyBinding'
  | 'keyBindingMaxAgeSeconds'
  | 'now'
  | 'clockToleranceSeconds'
> &
  AudienceOptions

/** Whether the policy asks for a KB-JWT for this payload. @internal */
function keyBindingRequired(payload: Record<string, unknown>, policy: KeyBindingPolicy): boolean {
  if (
    policy.requireKeyBinding === true ||
    policy.audience !== undefined ||
    policy.nonce !== undefined
  )
    return true
  return policy.requireKeyBinding !== false && payload.cnf !== undefined
}

/**
 * Verifies the KB-JWT of an SD-JWT+KB (RFC 9901 section 7.3): signed by the holder key of `cnf`
 * (see {@link holderKeyOf}) with `typ: kb+jwt`; `iat`, `aud`, `nonce` and `sd_hash` present;
 * `sd_hash` = hash (`_sd_alg`) of everything up to the last `~`; `aud` and `nonce` as the policy
 * asks; `iat` not in the future and not older than `keyBindingMaxAgeSeconds` (default 300).
 * Resolves with the KB-JWT, or undefined when there is none and none is required.
 *
 * Codes: `key_binding_required`, `key_binding_invalid`, `key_not_authorized` and
 * `resolver_not_configured` (a `cnf.kid`, see {@link holderKeyOf}), `audience_mismatch`,
 * `nonce_mismatch`, `expired`, `not_yet_valid`.
 *
 * @internal
 */
export async function verifyKbJwt(
  split: SplitSdJwt,
  payload: Record<string, unknown>,
  alg: SdHashAlgorithm,
  policy: KeyBindingPolicy,
): Promise<{ header: JoseHeader; payload: Record<string, unknown> } | undefined> {
  if (split.kbJwt === undefined) {
    if (keyBindingRequired(payload, policy)) {
      throw new CredsignError(
        'key_binding_required',
        payload.cnf !== undefined
          ? 'the SD-JWT is bound to a holder key (cnf) but has no KB-JWT'
          : 'a KB-JWT is required',
      )
    }
    return undefined
  }
  const holder = await holderKeyOf(payload.cnf, policy.resolver)
  const key = holder.publicJwk
  const options: JwtVerifyOptions = { key, typ: KB_JWT_TYP, checkTimes: false }
  if (policy.algorithms !== undefined) options.algorithms = policy.algorithms
  let verified
  try {
    verified = await verifyJwt(split.kbJwt, options)
  } catch (error) {
    if (CredsignError.is(error) && error.code !== 'invalid_argument') {
      throw new CredsignError(
        'key_binding_invalid',
        `the KB-JWT does not verify with the cnf key: ${error.code}: ${error.message}`,
        { cause: error },
      )
    }
    throw error
  }
  // Possession is proven; a DID controller document that says what the key is for must allow authentication.
  if (
    holder.resolved !== undefined &&
    Array.isArray(holder.resolved.relationships) &&
    !holder.resolved.relationships.includes('authentication')
  ) {
    throw new CredsignError(
      'key_not_authorized',
      'the controller document of cnf.kid does not list the key under authentication',
    )
  }
  const claims = verified.payload as Record<string, unknown>
  for (const name of ['iat', 'aud', 'nonce', 'sd_hash']) {
    if (claims[name] === undefined)
      throw new CredsignError('key_binding_invalid', `the KB-JWT has no ${name}`)
  }
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat))
    throw new CredsignError('key_binding_invalid', 'the KB-JWT iat must be a NumericDate')
  if (typeof claims.nonce !== 'string')
    throw new CredsignError('key_binding_invalid', 'the KB-JWT nonce must be a string')
  if (claims.sd_hash !== sdDigest(alg, split.presented))
    throw new CredsignError(
      'key_binding_invalid',
      'the KB-JWT sd_hash does not match the presented SD-JWT',
    )
  // RFC 9901 section 7.3 (and RFC 7519 section 4.1.3): the verifier checks that the KB-JWT is
  // addressed to it. Without an audience to check, a presentation made for another verifier would
  // be accepted (replayed): refused. verify()'s one rule (an SD-JWT inside a presentation is
  // checked against the presentation's audience).
  const audience = audienceProblem(claims.aud, verifierAudienceOf(policy), 'the KB-JWT')
  if (audience !== undefined) throw new CredsignError('audience_mismatch', audience)
  // The caller's nonce, or inside a presentation the presentation's (src/verify/audience.ts).
  const nonce = expectedNonceOf(policy)
  if (nonce !== undefined && claims.nonce !== nonce)
    throw new CredsignError(
      'nonce_mismatch',
      policy.nonce === undefined
        ? 'the KB-JWT nonce is not the nonce of the presentation it is in'
        : 'the KB-JWT nonce is not the expected one',
    )
  const maxAge = policy.keyBindingMaxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS
  checkJwtTimes(claims, {
    maxAgeSeconds: maxAge,
    ...(policy.now === undefined ? {} : { now: policy.now }),
    ...(policy.clockToleranceSeconds === undefined
      ? {}
      : { clockToleranceSeconds: policy.clockToleranceSeconds }),
  })
  return { header: verified.protectedHeader, payload: claims }
}

/**
 * The holder key of `cnf` (RFC 7800) that a KB-JWT must verify with:
 *
 * - `cnf.jwk` (a public JWK) when present, whatever else `cnf` says: a `kid` next to it is only a
 *   hint and is never resolved. A `jwk` that is not a public key credsign supports is
 *   `key_binding_invalid`. Its `alg`, `use` and `key_ops` are kept, so a KB-JWT they do not allow
 *   is refused.
 * - Else `cnf.kid`, through `resolver` (default: did:key and did:jwk, offline; did:web and other
 *   network references only through a resolver the caller configured with a fetch). A reference
 *   that needs a resolver that is not configured (did:web without fetch) keeps the resolver's
 *   `resolver_not_configured`, as for the issuer key; a failure of the verifier's own key store
 *   (`store_unavailable`, `store_corrupt`) keeps its code (an outage); any other resolution failure
 *   (`key_not_found`, `key_resolution_failed`, `malformed`, a resolver that throws) is
 *   `key_binding_invalid` with the resolver's error as `cause`. The answer must be a public key.
 *   `resolved` is the resolver's answer, whose `relationships` the caller checks for
 *   `authentication` once the signature verified.
 * - Neither (or no `cnf` at all): `key_binding_invalid`.
 *
 * @internal
 */
async function holderKeyOf(
  cnf: unknown,
  resolver: KeyResolver | undefined,
): Promise<{ publicJwk: PublicJwk; resolved?: ResolvedKey }> {
  if (!isPlainObject(cnf))
    throw new CredsignError(
      'key_binding_invalid',
      'the SD-JWT has no cnf (jwk or kid) to verify the KB-JWT with',
    )
  if (cnf.jwk !== undefined) {
    if (!isPlainObject(cnf.jwk))
      throw new CredsignError('key_binding_invalid', 'cnf.jwk is not a JWK object')
    if (hasPrivateMembers(cnf.jwk))
      throw new CredsignError('key_binding_invalid', 'cnf.jwk holds a private key')
    try {
      const publicJwk = requiredMembers(cnf.jwk as unknown as PublicJwk)
      // What the key says it is for (RFC 7517 4.2 to 4.4) stays on it, as on a resolved key, so
      // JOSE key selection refuses a KB-JWT it does not allow (an alg of another algorithm, use
      // other than sig, key_ops without verify: algorithm_not_allowed), as jose's jwtVerify does.
      for (const name of ['alg', 'use', 'key_ops'] as const)
        if (cnf.jwk[name] !== undefined)
          (publicJwk as unknown as Record<string, unknown>)[name] = cnf.jwk[name]
      return { publicJwk }
    } catch (cause) {
      throw new CredsignError(
        'key_binding_invalid',
        'cnf.jwk is not a public key credsign supports',
        { cause },
      )
    }
  }
  const kid = cnf.kid
  if (kid === undefined)
    throw new CredsignError(
      'key_binding_invalid',
      'the SD-JWT cnf has neither jwk nor kid to verify the KB-JWT with',
    )
  if (typeof kid !== 'string' || kid.length === 0)
    throw new CredsignError('key_binding_invalid', 'cnf.kid must be a non-empty string')
  const keys = resolver ?? defaultResolver()
  if (typeof keys !== 'object' || keys === null || typeof keys.resolveKey !== 'function') {
    throw new CredsignError(
      'invalid_argument',
      'resolver must be a KeyResolver (an object with resolveKey())',
    )
  }
  let resolved: unknown
  try {
    resolved = await keys.resolveKey(kid)
  } catch (error) {
    // The verifier's own key store failing is an outage, not a bad key binding: kept as such.
    if (isStoreFailure(error)) throw error
    if (CredsignError.is(error, 'resolver_not_configured')) {
      throw new CredsignError(
        'resolver_not_configured',
        `cnf.kid cannot be resolved: ${error.message}`,
        { cause: error },
      )
    }
    const reason = CredsignError.is(error)
      ? `${error.code}: ${error.message}`
      : 'the resolver failed'
    throw new CredsignError(
      'key_binding_invalid',
      `cnf.kid does not resolve to a key (resolution failed: ${reason})`,
      { cause: error },
    )
  }
  if (
    !isPlainObject(resolved) ||
    typeof resolved.id !== 'string' ||
    !isPlainObject(resolved.publicJwk)
  ) {
    throw new CredsignError(
      'key_binding_invalid',
      'cnf.kid: the resolver returned something that is not a ResolvedKey',
    )
  }
  if (hasPrivateMembers(resolved.publicJwk))
    throw new CredsignError('key_binding_invalid', 'cnf.kid: the resolver returned a private key')
  const key = resolved as unknown as ResolvedKey
  try {
    // Validated here (a caller's resolver may hand out anything); used as resolved, `alg` included.
    requiredMembers(key.publicJwk)
  } catch (cause) {
    throw new CredsignError(
      'key_binding_invalid',
      'cnf.kid resolves to a key that is not a public key credsign supports',
      { cause },
    )
  }
  return { publicJwk: key.publicJwk, resolved: key }
}

/**
 * Signs a KB-JWT over `presented` (the SD-JWT up to and including its last `~`): header `typ:
 * kb+jwt` (no `kid`: the verifier takes the key from `cnf`), claims `iat`, `aud`, `nonce`,
 * `sd_hash`.
 *
 * @internal
 */
export async function signKbJwt(
  holder: Signer,
  presented: string,
  alg: SdHashAlgorithm,
  claims: {
    audience: string
    nonce: string
    now?: () => number
    ed25519Name?: 'EdDSA' | 'Ed25519'
    fullySpecified?: boolean
  },
): Promise<string> {
  return signJwt(
    holder,
    { aud: claims.audience, nonce: claims.nonce, sd_hash: sdDigest(alg, presented) },
    {
      typ: KB_JWT_TYP,
      includeKid: false,
      ...(claims.now === undefined ? {} : { now: claims.now }),
      ...(claims.ed25519Name === undefined ? {} : { ed25519Name: claims.ed25519Name }),
      ...(claims.fullySpecified === undefined ? {} : { fullySpecified: claims.fullySpecified }),
    },
  )
}
