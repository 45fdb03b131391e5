import { isPlainObject } from '../jose/json.js'
import type { KeyResolver, ResolvedKey, ResolveOptions } from '../resolve/types.js'
import { parseDateTime } from '../credential/date-time.js'
import { builtInHandlers } from '../formats/built-in-handlers.js'
import { verifyWith } from '../verify/engine.js'
import type { VerifyOptions } from '../verify/types.js'
import type { ProofCheckSettings } from './proof-options.js'
import { failureOf, proofFailure } from './proof-options.js'
import type { Oid4vciProofResult } from './types.js'

/**
 * Verifies one `di_vp` key proof (OpenID4VCI 1.0 Appendix F.2 and F.4): a Verifiable Presentation
 * with exactly one `DataIntegrityProof` (a `cryptosuite` is required) whose `proofPurpose` is
 * `authentication`, whose `domain` is the Credential Issuer Identifier (one string, not an array
 * holding it), whose `challenge` is the `c_nonce` (when one is expected) and whose `created`, when
 * present, is within `maxAgeSeconds`. These run first; then `verify()` with the caller's handlers
 * checks the signature, the verification method's authorisation for `authentication`, and that
 * `holder` (when present) is the key's controller. Without a handler that takes the presentation:
 * `format_not_enabled`. Never throws.
 *
 * @example
 *
 * ```ts
 * const result = await verifyDiVpProof(
 *   vp,
 *   proofCheckSettings({
 *     expectedAudience: 'https://issuer.example',
 *     handlers: [dataIntegrityHandler()],
 *   }),
 * )
 * ```
 *
 * @internal
 */
export async function verifyDiVpProof(
  vp: unknown,
  settings: ProofCheckSettings,
): Promise<Oid4vciProofResult> {
  const fail = (reason: Parameters<typeof proofFailure>[1], message: string): Oid4vciProofResult =>
    proofFailure('di_vp', reason, message)
  try {
    if (!isPlainObject(vp))
      return fail('malformed', 'a di_vp proof is a Verifiable Presentation (a JSON object)')
    const types = typeof vp.type === 'string' ? [vp.type] : Array.isArray(vp.type) ? vp.type : []
    if (!types.includes('VerifiablePresentation'))
      return fail('malformed', 'a di_vp proof must have the type VerifiablePresentation')
    const proofs = Array.isArray(vp.proof) ? vp.proof : vp.proof === undefined ? [] : [vp.proof]
    if (proofs.length !== 1 || !isPlainObject(proofs[0]))
      return fail('proof_invalid', 'a di_vp proof carries exactly one Data Integrity proof')
    const proof = proofs[0]
    if (proof.type !== 'DataIntegrityProof' || typeof proof.cryptosuite !== 'string') {
      return fail('proof_invalid', 'the proof must be a DataIntegrityProof with a cryptosuite')
    }
    if (typeof proof.verificationMethod !== 'string' || proof.verificationMethod.length === 0)
      return fail('proof_invalid', 'the proof has no verificationMethod')
    if (proof.proofPurpose !== 'authentication') {
      return fail(
        'proof_purpose_mismatch',
        `proofPurpose must be authentication, not ${JSON.stringify(String(proof.proofPurpose).slice(0, 40))}`,
      )
    }
    // Appendix F.2: domain "MUST be set to the Credential Issuer Identifier", one string. Data
    // Integrity allows a set of domains, but a proof for several audiences (or an array naming
    // only this one) is not a key proof made for this Credential Issuer alone.
    if (proof.domain !== settings.expectedAudience) {
      return fail(
        'audience_mismatch',
        proof.domain === undefined
          ? 'the proof has no domain (it must be the Credential Issuer Identifier)'
          : typeof proof.domain !== 'string'
            ? 'the proof domain must be one string, the Credential Issuer Identifier'
            : 'the proof is for another domain than this Credential Issuer',
      )
    }
    if (settings.expectedNonce !== undefined && proof.challenge !== settings.expectedNonce) {
      return fail(
        'nonce_mismatch',
        proof.challenge === undefined
          ? 'the proof has no challenge (c_nonce)'
          : 'the challenge is not the expected c_nonce',
      )
    }
    if (proof.created !== undefined) {
      const created = parseDateTime(proof.created, { requireOffset: true })
      if (created === undefined)
        return fail('proof_invalid', 'created must be a dateTimeStamp (with Z or an offset)')
      const toleranceMs = settings.clockToleranceSeconds * 1000
      if (created > settings.now + toleranceMs)
        return fail('not_yet_valid', 'the proof was created in the future')
      if (settings.now - created > settings.maxAgeSeconds * 1000 + toleranceMs)
        return fail('expired', 'the proof is older than maxAgeSeconds (created)')
    }

    if (!settings.handlers.some((handler) => detects(handler.detect.bind(handler), vp))) {
      return fail(
        'format_not_enabled',
        "no handler verifies Data Integrity proofs: pass handlers: [dataIntegrityHandler()] from 'credsign/data-integrity'",
      )
    }
    const capture = capturingResolver(settings.resolver)
    const verifyOptions: VerifyOptions = {
      handlers: settings.handlers,
      resolver: capture.resolver,
      now: settings.now,
      clockToleranceSeconds: settings.clockToleranceSeconds,
      audience: settings.expectedAudience,
    }
    if (settings.expectedNonce !== undefined) verifyOptions.nonce = settings.expectedNonce
    if (settings.algorithms !== undefined) verifyOptions.algorithms = settings.algorithms
    const verified = await verifyWith(vp, verifyOptions, [
      ...builtInHandlers(),
      ...(verifyOptions.handlers ?? []),
    ])
    const first = verified.errors[0]
    if (!verified.verified || first !== undefined)
      return fail(
        first?.code ?? 'proof_invalid',
        first?.message ?? 'the presentation did not verify',
      )

    const key =
      capture.keys.get(proof.verificationMethod) ??
      (await settings.resolver.resolveKey(proof.verificationMethod))
    const result: Oid4vciProofResult = {
      verified: true,
      proofType: 'di_vp',
      key: { id: key.id, publicJwk: key.publicJwk },
    }
    if (key.controller !== undefined && result.key !== undefined) {
      result.key.controller = key.controller
      result.holder = key.controller
    }
    return result
  } catch (error) {
    return failureOf('di_vp', error)
  }
}

function detects(detect: (input: unknown) => boolean, input: unknown): boolean {
  try {
    return detect(input) === true
  } catch {
    return false
  }
}

/** The caller's resolver, remembering what it answered: the key that verified is the key to bind. */
function capturingResolver(inner: KeyResolver): {
  resolver: KeyResolver
  keys: Map<string, ResolvedKey>
} {
  const keys = new Map<string, ResolvedKey>()
  const resolver: KeyResolver = {
    resolveKey: async (reference: string, options?: ResolveOptions) => {
      const key = await inner.resolveKey(reference, options)
      keys.set(reference, key)
      return key
    },
  }
  return { resolver, keys }
}
