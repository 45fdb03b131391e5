import { isPlainObject } from '../jose/json.js'
import { jwkThumbprint } from '../keys/thumbprint.js'
import { proofCheckSettings, proofFailure, type ProofCheckSettings } from './proof-options.js'
import type { Oid4vciProofResult, VerifyOid4vciProofOptions } from './types.js'
import { verifyDiVpProof } from './verify-di-vp-proof.js'
import { verifyJwtProof } from './verify-jwt-proof.js'

/**
 * Most proofs one `proofs` object may carry here (each costs a key resolution and a signature
 * check).
 */
const MAX_PROOFS = 64

/** The proof types credsign verifies. */
const PROOF_TYPES = ['jwt', 'di_vp'] as const
type ProofType = (typeof PROOF_TYPES)[number]

/**
 * Verifies one OpenID4VCI 1.0 key proof (Appendix F) at the Credential Endpoint and returns the key
 * to bind the credential to. Accepted input:
 *
 * - A single proof: `{ proof_type: 'jwt', jwt }` or `{ proof_type: 'di_vp', di_vp }` (what
 *   `Oid4vciProofSigner` returns);
 * - The Credential Request's `proofs` object holding exactly one proof: `{ jwt: [jwt] }` or `{ di_vp:
 *   [vp] }` (for several, use {@link verifyOid4vciProofs});
 * - A bare compact JWT string (`jwt`) or a bare Verifiable Presentation object (`di_vp`).
 *
 * `jwt`: `typ` `openid4vci-proof+jwt`; an accepted asymmetric `alg` (never `none` or HMAC); exactly
 * one of `kid` (resolved through `resolver`) / `jwk` (no private members) / `x5c` (not supported:
 * `unsupported_format`); the signature; `aud` = `expectedAudience` (a string or a one-member
 * array); `iat` required, at most `maxAgeSeconds` old, not in the future; `nonce` = `expectedNonce`
 * when given; `iss` = `expectedClientId` when given, absent when `anonymous`; a `key_attestation`
 * header must list the proof key in its `attested_keys` (returned as `keyAttestation`, its
 * signature yours to check).
 *
 * `di_vp`: one `DataIntegrityProof` with `proofPurpose: authentication`, `domain` =
 * `expectedAudience`, `challenge` = `expectedNonce` when given, `created` (when present) within
 * `maxAgeSeconds`, and the signature through `verify()` with `options.handlers` (pass
 * `[dataIntegrityHandler()]`; without it: `format_not_enabled`); `holder`, when present, must be
 * the key's controller.
 *
 * Never throws for bad input: `error` is `invalid_nonce` for a missing or wrong `c_nonce` (`reason:
 * nonce_mismatch`) and `invalid_proof` for everything else, `reason` the specific code. Throws
 * `invalid_argument` only for bad options. Replay protection beyond the `iat` window (a `c_nonce`
 * used once) is the issuer's nonce store.
 *
 * @example
 *
 * ```ts
 * import { verifyOid4vciProof } from 'credsign'
 * declare const credentialRequest: { proofs: { jwt: string[] } }
 * const result = await verifyOid4vciProof(credentialRequest.proofs, {
 *   expectedAudience: 'https://credential-issuer.example.com',
 *   expectedNonce: 'LarRGSbmUPYtRYO6BQ4yn8', // the c_nonce this wallet was given
 * })
 * if (!result.verified)
 *   console.log(400, { error: result.error, error_description: result.message })
 * else console.log(result.key?.publicJwk) // cnf.jwk of the credential
 * ```
 */
export async function verifyOid4vciProof(
  proof: unknown,
  options: VerifyOid4vciProofOptions,
): Promise<Oid4vciProofResult> {
  const settings = proofCheckSettings(options)
  const entries = proofEntries(proof)
  if (!Array.isArray(entries)) return entries
  if (entries.length !== 1) {
    return proofFailure(
      entries[0]?.type,
      'malformed',
      `the proofs object holds ${entries.length} proofs: verify them with verifyOid4vciProofs`,
    )
  }
  return verifyEntry(entries[0] as ProofEntry, settings)
}

/**
 * Verifies every proof of a Credential Request's `proofs` object (`{ jwt: [...] }` or `{ di_vp:
 * [...] }`; a single proof is accepted too) with the same rules and options as
 * {@link verifyOid4vciProof}, and answers one result per proof, in order. Issue a credential only
 * when every result is verified: a batch is accepted whole or not at all. A proof made with the key
 * of an earlier verified proof of the batch fails (`malformed`): a batch binds each credential to
 * its own key (section 8). A malformed `proofs` object (no or several proof types, an empty array,
 * more than 64 proofs) gives one failed result. Never throws for bad input; `invalid_argument` for
 * bad options.
 *
 * @example
 *
 * ```ts
 * import { verifyOid4vciProofs } from 'credsign'
 * declare const credentialRequest: { proofs: { jwt: string[] } }
 * const results = await verifyOid4vciProofs(credentialRequest.proofs, {
 *   expectedAudience: 'https://credential-issuer.example.com',
 *   expectedNonce: 'n-1',
 * })
 * const failed = results.find((r) => !r.verified)
 * const keys = failed ? [] : results.map((r) => r.key?.publicJwk) // one credential per key
 * ```
 */
export async function verifyOid4vciProofs(
  proofs: unknown,
  options: VerifyOid4vciProofOptions,
): Promise<Oid4vciProofResult[]> {
  const settings = proofCheckSettings(options)
  const entries = proofEntries(proofs)
  if (!Array.isArray(entries)) return [entries]
  const results: Oid4vciProofResult[] = []
  // Section 8: a batch asks for credentials "each with distinct cryptographic material"; a second
  // proof of one key (the same proof replayed in the batch, or a new one) would bind two
  // credentials to that key, which the c_nonce shared by the batch cannot catch (section 13.2).
  const boundKeys = new Map<string, number>()
  for (const [index, entry] of entries.entries()) {
    const result = await verifyEntry(entry, settings)
    const publicJwk = result.verified ? result.key?.publicJwk : undefined
    if (publicJwk !== undefined) {
      const thumbprint = await jwkThumbprint(publicJwk).catch(() => undefined)
      if (thumbprint === undefined) {
        results.push(
          proofFailure(entry.type, 'malformed', `proof ${index}'s key has no thumbprint`),
        )
        continue
      }
      const earlier = boundKeys.get(thumbprint)
      if (earlier !== undefined) {
        results.push(
          proofFailure(
            entry.type,
            'malformed',
            `proof ${index} is made with the key of proof ${earlier}: each proof of a batch needs its own key`,
          ),
        )
        continue
      }
      boundKeys.set(thumbprint, index)
    }
    results.push(result)
  }
  return results
}

interface ProofEntry {
  type: ProofType
  value: unknown
}

function verifyEntry(entry: ProofEntry, settings: ProofCheckSettings): Promise<Oid4vciProofResult> {
  return entry.type === 'jwt'
    ? verifyJwtProof(entry.value, settings)
    : verifyDiVpProof(entry.value, settings)
}

/** The proofs in any accepted input shape, or the failure that says why there are none. */
function proofEntries(input: unknown): ProofEntry[] | Oid4vciProofResult {
  if (typeof input === 'string') return [{ type: 'jwt', value: input }]
  if (!isPlainObject(input))
    return proofFailure(
      undefined,
      'malformed',
      'a proof is a { proof_type, … } object, a proofs object, a JWT or a Verifiable Presentation',
    )
  if (Object.prototype.hasOwnProperty.call(input, 'proof_type')) {
    const type = input.proof_type
    if (!isProofType(type))
      return proofFailure(
        undefined,
        'unsupported_format',
        `proof_type ${JSON.stringify(String(type).slice(0, 40))} is not supported (jwt and di_vp are)`,
      )
    if (!Object.prototype.hasOwnProperty.call(input, type))
      return proofFailure(type, 'malformed', `a ${type} proof needs a ${type} member`)
    return [{ type, value: input[type] }]
  }
  if (
    Object.prototype.hasOwnProperty.call(input, 'proof') ||
    Object.prototype.hasOwnProperty.call(input, '@context')
  )
    return [{ type: 'di_vp', value: input }]

  // The Credential Request's `proofs`: exactly one member, named after the proof type, a non-empty array.
  const names = Object.keys(input)
  if (names.length !== 1)
    return proofFailure(
      undefined,
      'malformed',
      'a proofs object has exactly one member, named after the proof type',
    )
  const type = names[0] as string
  if (!isProofType(type))
    return proofFailure(
      undefined,
      'unsupported_format',
      `proof type ${JSON.stringify(type.slice(0, 40))} is not supported (jwt and di_vp are)`,
    )
  const list = input[type]
  if (!Array.isArray(list) || list.length === 0)
    return proofFailure(type, 'malformed', `proofs.${type} must be a non-empty array`)
  if (list.length > MAX_PROOFS)
    return proofFailure(
      type,
      'malformed',
      `proofs.${type} holds ${list.length} proofs; at most ${MAX_PROOFS} are verified`,
    )
  return list.map((value) => ({ type, value }))
}

function isProofType(value: unknown): value is ProofType {
  return typeof value === 'string' && (PROOF_TYPES as readonly string[]).includes(value)
}
