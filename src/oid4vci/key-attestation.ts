import { CredsignError } from '../errors/credsign-error.js'
import { isJwsAlgorithm, JWS_ALGORITHMS } from '../jose/algorithms.js'
import { decodeJwsUnverified } from '../jose/decode.js'
import { isPlainObject, parseJsonObject } from '../jose/json.js'
import { checkJwtTimes } from '../jose/jwt-times.js'
import { hasPrivateMembers } from '../jose/private-jwk.js'
import { typMatches } from '../jose/typ.js'
import { jwkThumbprint } from '../keys/thumbprint.js'
import type { PublicJwk } from '../keys/types.js'
import type { ProofCheckSettings } from './proof-options.js'

/** The JWT `typ` of a key attestation (OpenID4VCI 1.0 Appendix D.1). */
const KEY_ATTESTATION_TYP = 'key-attestation+jwt'

/** Most `attested_keys` read (each costs a thumbprint). */
const MAX_ATTESTED_KEYS = 256

/**
 * The checks OpenID4VCI 1.0 Appendix D.1 puts on the `key_attestation` header of a `jwt` key proof
 * that do not depend on trusting its signer: a compact JWS with `typ` `key-attestation+jwt` and an
 * asymmetric `alg` among `options.algorithms` (F.1); `iat` and `exp` present ("MUST be present if
 * the attestation is used with the JWT proof type") and `exp` not passed; `attested_keys` a
 * non-empty array of public JWKs; and the key that signed the proof one of them ("the Credential
 * Issuer MUST validate that the JWT used as a proof is signed by a key contained in the
 * attestation"). Without this a proof signed by any key carries another wallet's attestation, and
 * an issuer that trusts the attestation binds a credential to a key it never attested.
 *
 * The attestation's own signature and its signer's trust (a Wallet Provider under the issuer's
 * trust framework) are the issuer's to check: `verifyOid4vciProof` returns it as `keyAttestation`.
 *
 * Throws `malformed` (not a compact JWS), `typ_mismatch`, `algorithm_not_allowed`, `claim_invalid`,
 * `expired` / `not_yet_valid`, and `key_not_authorized` when the proof key is not attested.
 *
 * @example
 *
 * ```ts
 * await checkKeyAttestation(header.key_attestation, verifiedKey.publicJwk, settings) // throws key_not_authorized
 * ```
 *
 * @internal
 */
export async function checkKeyAttestation(
  attestation: unknown,
  proofKey: PublicJwk,
  settings: ProofCheckSettings,
): Promise<void> {
  if (typeof attestation !== 'string' || attestation.length === 0)
    throw new CredsignError('malformed', 'key_attestation must be a compact JWT')
  const decoded = decodeJwsUnverified(attestation)
  if (decoded.serialization !== 'compact')
    throw new CredsignError('malformed', 'key_attestation must be a compact JWT')
  const header = decoded.signatures[0]?.protectedHeader ?? {}
  if (!typMatches(header.typ, KEY_ATTESTATION_TYP))
    throw new CredsignError('typ_mismatch', `key_attestation's typ is not ${KEY_ATTESTATION_TYP}`)
  // F.1: with issuer metadata, the attestation's alg too must be in proof_signing_alg_values_supported.
  const accepted = settings.algorithms ?? JWS_ALGORITHMS
  if (!isJwsAlgorithm(header.alg) || !accepted.includes(header.alg))
    throw new CredsignError(
      'algorithm_not_allowed',
      "key_attestation's alg is not an accepted asymmetric signature algorithm",
    )
  const claims = parseJsonObject(decoded.payload, 'the key_attestation claims set')
  for (const name of ['iat', 'exp'] as const) {
    if (claims[name] === undefined)
      throw new CredsignError('claim_invalid', `key_attestation has no ${name}`)
  }
  checkJwtTimes(claims, {
    now: settings.now,
    clockToleranceSeconds: settings.clockToleranceSeconds,
  })

  const attested = claims.attested_keys
  if (!Array.isArray(attested) || attested.length === 0)
    throw new CredsignError('claim_invalid', 'attested_keys must be a non-empty array of JWKs')
  if (attested.length > MAX_ATTESTED_KEYS)
    throw new CredsignError(
      'claim_invalid',
      `attested_keys holds ${attested.length} keys; at most ${MAX_ATTESTED_KEYS} are read`,
    )
  const proofThumbprint = await jwkThumbprint(proofKey)
  let found = false
  for (const jwk of attested) {
    if (!isPlainObject(jwk) || hasPrivateMembers(jwk))
      throw new CredsignError('claim_invalid', 'attested_keys must hold public JWKs')
    let thumbprint: string
    try {
      thumbprint = await jwkThumbprint(jwk as unknown as PublicJwk)
    } catch (cause) {
      throw new CredsignError('claim_invalid', 'attested_keys holds an invalid key', { cause })
    }
    if (thumbprint === proofThumbprint) found = true
  }
  if (!found)
    throw new CredsignError(
      'key_not_authorized',
      'the proof is not signed by a key of its key_attestation (attested_keys)',
    )
}
