import { isJwsAlgorithm, JWS_ALGORITHMS } from '../jose/algorithms.js'
import { decodeJwsUnverified } from '../jose/decode.js'
import { isPlainObject } from '../jose/json.js'
import { verifyJwt } from '../jose/jwt-verify.js'
import { hasPrivateMembers } from '../jose/private-jwk.js'
import { typMatches } from '../jose/typ.js'
import type { JwtVerifyOptions } from '../jose/types.js'
import { checkKeyAttestation } from './key-attestation.js'
import type { ProofCheckSettings } from './proof-options.js'
import { failureOf, proofFailure } from './proof-options.js'
import { OID4VCI_PROOF_TYP } from './proof-typ.js'
import type { Oid4vciProofResult } from './types.js'

/** The header parameters that name the key a proof is made with (Appendix F.1: exactly one). */
const KEY_PARAMETERS = ['kid', 'jwk', 'x5c'] as const

/**
 * Verifies one `jwt` key proof (OpenID4VCI 1.0 Appendix F.1 and F.4) and returns the key the
 * credential is to be bound to. Structure and header rules run before any key is resolved: compact
 * JWS; `typ` is `openid4vci-proof+jwt`; `alg` is an accepted asymmetric algorithm; exactly one of
 * `kid` / `jwk` / `x5c` (`x5c` is not supported); a `jwk` without private members. Then the
 * signature (the `kid` through the resolver, authorised for `authentication` when its controller
 * document is known; or the header `jwk`), `aud` (the issuer alone), `iat` (required, not older
 * than `maxAgeSeconds`, not in the future), `nonce`, `iss`, and a `key_attestation` header's
 * binding to the proof key (`checkKeyAttestation`). Never throws.
 *
 * @example
 *
 * ```ts
 * const result = await verifyJwtProof(
 *   jwt,
 *   proofCheckSettings({ expectedAudience: 'https://issuer.example' }),
 * )
 * ```
 *
 * @internal
 */
export async function verifyJwtProof(
  jwt: unknown,
  settings: ProofCheckSettings,
): Promise<Oid4vciProofResult> {
  const fail = (reason: Parameters<typeof proofFailure>[1], message: string): Oid4vciProofResult =>
    proofFailure('jwt', reason, message)
  try {
    if (typeof jwt !== 'string' || jwt.length === 0)
      return fail('malformed', 'a jwt proof is a compact JWT string')
    const decoded = decodeJwsUnverified(jwt)
    if (decoded.serialization !== 'compact')
      return fail('malformed', 'a jwt proof uses the compact serialization')
    const header = decoded.signatures[0]?.protectedHeader ?? {}

    if (!typMatches(header.typ, OID4VCI_PROOF_TYP)) {
      return fail(
        'typ_mismatch',
        header.typ === undefined
          ? `the proof has no typ (must be ${OID4VCI_PROOF_TYP})`
          : `typ ${JSON.stringify(String(header.typ).slice(0, 40))} is not ${OID4VCI_PROOF_TYP}`,
      )
    }
    const alg = header.alg
    const accepted = settings.algorithms ?? JWS_ALGORITHMS
    if (!isJwsAlgorithm(alg) || !accepted.includes(alg)) {
      return fail(
        'algorithm_not_allowed',
        `alg ${JSON.stringify(String(alg).slice(0, 16))} is not an accepted asymmetric algorithm`,
      )
    }

    const present = KEY_PARAMETERS.filter((name) =>
      Object.prototype.hasOwnProperty.call(header, name),
    )
    if (present.length === 0)
      return fail(
        'malformed',
        'the proof names no key: the header needs exactly one of kid, jwk and x5c',
      )
    if (present.length > 1)
      return fail(
        'malformed',
        `the header has ${present.join(' and ')}: exactly one of kid, jwk and x5c is allowed`,
      )
    if (present[0] === 'x5c')
      return fail(
        'unsupported_format',
        'x5c key proofs (certificate chains) are not supported: use kid or jwk',
      )
    if (present[0] === 'jwk') {
      if (!isPlainObject(header.jwk)) return fail('malformed', 'the header jwk must be an object')
      // Appendix F.4: "the header parameter does not contain a private key".
      if (hasPrivateMembers(header.jwk))
        return fail('malformed', 'the header jwk holds a private key')
    } else if (typeof header.kid !== 'string' || header.kid.length === 0) {
      return fail('malformed', 'kid must be a non-empty string')
    }

    const verifyOptions: JwtVerifyOptions = {
      typ: OID4VCI_PROOF_TYP,
      audience: settings.expectedAudience,
      requiredClaims: ['aud', 'iat'],
      maxAgeSeconds: settings.maxAgeSeconds,
      clockToleranceSeconds: settings.clockToleranceSeconds,
      now: settings.now,
      resolver: settings.resolver,
      allowEmbeddedJwk: present[0] === 'jwk',
    }
    if (settings.expectedNonce !== undefined) verifyOptions.nonce = settings.expectedNonce
    if (settings.algorithms !== undefined) verifyOptions.algorithms = settings.algorithms
    const { payload, key } = await verifyJwt(jwt, verifyOptions)

    // A key proof authenticates the holder (di_vp proofs say so with proofPurpose authentication):
    // a kid whose controller document lists it, but not for authentication (a did:jwk of a use enc
    // key is keyAgreement only), is no key to bind a holder's credential to.
    if (Array.isArray(key.relationships) && !key.relationships.includes('authentication')) {
      return fail(
        'key_not_authorized',
        "the kid's controller document does not list it for authentication",
      )
    }

    // Appendix F.1: aud is a string, the Credential Issuer Identifier. verifyJwt found it in aud; a
    // proof made for several audiences is not a proof for this issuer alone (any of them could
    // replay it at another), so only a one-member array is the same as the string (RFC 7519 4.1.3).
    if (Array.isArray(payload.aud) && payload.aud.length !== 1) {
      return fail(
        'audience_mismatch',
        'aud must name the Credential Issuer alone: a proof for several audiences is refused',
      )
    }

    if (settings.anonymous && payload.iss !== undefined) {
      return fail(
        'claim_invalid',
        'iss must be absent: the access token came from an anonymous pre-authorized code flow',
      )
    }
    if (settings.expectedClientId !== undefined && payload.iss !== settings.expectedClientId) {
      return fail(
        'claim_invalid',
        payload.iss === undefined
          ? 'iss is missing: it must be the client_id'
          : 'iss is not the client_id of this client',
      )
    }

    // Appendix D.1: a proof that carries a key attestation must be signed by a key it attests.
    const hasAttestation = Object.prototype.hasOwnProperty.call(header, 'key_attestation')
    if (hasAttestation) await checkKeyAttestation(header.key_attestation, key.publicJwk, settings)

    const result: Oid4vciProofResult = {
      verified: true,
      proofType: 'jwt',
      key: { id: key.id, publicJwk: key.publicJwk },
    }
    if (hasAttestation) result.keyAttestation = header.key_attestation as string
    if (key.controller !== undefined && result.key !== undefined) {
      result.key.controller = key.controller
      result.holder = key.controller
    }
    return result
  } catch (error) {
    return failureOf('jwt', error)
  }
}
