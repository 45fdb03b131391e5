import { CredsignError } from '../../errors/credsign-error.js'
import type { JwsAlgorithm, PublicJwk } from '../../keys/types.js'
import { isJwsAlgorithm, keyAlgorithmOf } from '../../jose/algorithms.js'
import { signatureUseProblem } from '../../keys/key-use.js'
import { verifySignature } from '../../keys/verify-signature.js'
import { resolveVerificationMethod } from '../../resolve/authorize.js'
import type { KeyResolver, ResolvedKey } from '../../resolve/types.js'
import type { VerificationRelationship } from '../../did/did-document.js'
import { fromB58 } from '../../util/base58.js'
import { parseDateTime } from '../../credential/date-time.js'
import { checkKeyFits, signatureLength, suiteOfProof, type Cryptosuite } from './cryptosuites.js'
import { checkProofTypeMeaning, proofHashData } from './proof-hash.js'
import {
  applyProofContext,
  documentForProof,
  previousProofIds,
  proofConfigOf,
  verificationMethodProblem,
} from './proof-document.js'
import type { DocumentLoader, JsonLdDocument } from './types.js'

/**
 * Longest `proofValue` decoded: a 96-byte P-384 signature is at most 132 base58 characters, plus
 * the `z`.
 */
const MAX_PROOF_VALUE_LENGTH = 200

/**
 * `algorithm_not_allowed` when the key's JWK says it is not for verifying this suite's signatures:
 * `use` other than `sig`, `key_ops` without `verify` (`signatureUseProblem`, JOSE key selection's
 * rule), or an `alg` that is not an algorithm of the key (RFC 7517 sections 4.2 to 4.4). A Data
 * Integrity proof names no JWS algorithm, so the key's own algorithm stands in for it.
 */
function checkPublishedUse(jwk: PublicJwk): void {
  const alg = (jwk as { alg?: unknown }).alg
  const refuse = (reason: string): never => {
    throw new CredsignError('algorithm_not_allowed', `the verification method's key ${reason}`)
  }
  const useProblem = signatureUseProblem(jwk)
  if (useProblem !== undefined) refuse(useProblem)
  if (alg !== undefined && !(isJwsAlgorithm(alg) && keyAlgorithmOf(alg) === algorithmOf(jwk)))
    refuse(`is for ${JSON.stringify(String(alg).slice(0, 20))}, not for its own key type`)
}

/** What one proof's verification needs besides the document. @internal */
export interface ProofCheckOptions {
  resolver: KeyResolver
  documentLoader: DocumentLoader
  /** The purpose the verifier expects. */
  proofPurpose: string
  /** Expected `challenge` (from `VerifyOptions.nonce`), when given. */
  challenge?: string
  /** Expected `domain` (from `VerifyOptions.audience`), when given. */
  domain?: string
  /**
   * The JWS algorithms the caller accepts (`VerifyOptions.algorithms`): a proof whose key cannot
   * make one of them is refused, as a JWS would be. Undefined: every key the suite is defined for.
   */
  algorithms?: readonly JwsAlgorithm[]
  /** Check `created` / `expires` against `now`. */
  checkTimes: boolean
  /** Canonical documents already computed for other proofs of the same document (proof sets). */
  canonicalDocuments?: Map<string, Promise<string>>
  now: number
  toleranceMs: number
}

/** The outcome of a verified proof. @internal */
export interface VerifiedProof {
  suite: Cryptosuite
  key: ResolvedKey
}

/**
 * Which step of a proof's verification failed: the `check` of `VerificationResult.checks`.
 *
 * @internal
 */
export class ProofCheckError extends CredsignError {
  constructor(
    readonly check: string,
    error: CredsignError,
  ) {
    super(error.code, error.message, { cause: error.cause })
  }
}

/** Whether `error` is a {@link ProofCheckError}. @internal */
export function isProofCheckError(error: unknown): error is ProofCheckError {
  return error instanceof ProofCheckError
}

async function step<T>(check: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (isProofCheckError(error)) throw error
    if (CredsignError.is(error)) throw new ProofCheckError(check, error)
    throw error
  }
}

/** The members every proof needs, with their types. */
function checkShape(proof: JsonLdDocument): void {
  for (const name of ['type', 'verificationMethod', 'proofPurpose', 'proofValue'] as const) {
    if (typeof proof[name] !== 'string' || proof[name].length === 0)
      throw new CredsignError('proof_invalid', `the proof has no ${name}`)
  }
  for (const name of ['id', 'created', 'expires', 'challenge', 'nonce', 'cryptosuite'] as const) {
    if (proof[name] !== undefined && typeof proof[name] !== 'string')
      throw new CredsignError('proof_invalid', `the proof's ${name} must be a string`)
  }
  // VC Data Integrity 1.0: `created` and `expires` are dateTimeStamps, with a time zone (`Z` or an offset).
  for (const name of ['created', 'expires'] as const) {
    if (
      proof[name] !== undefined &&
      parseDateTime(proof[name], { requireOffset: true }) === undefined
    ) {
      throw new CredsignError(
        'proof_invalid',
        `the proof's ${name} is not an XML Schema dateTimeStamp (a dateTime with Z or an offset)`,
      )
    }
  }
  const domain = proof.domain
  if (
    domain !== undefined &&
    typeof domain !== 'string' &&
    !(Array.isArray(domain) && domain.length > 0 && domain.every((d) => typeof d === 'string'))
  ) {
    throw new CredsignError(
      'proof_invalid',
      "the proof's domain must be a string or an array of strings",
    )
  }
  const methodProblem = verificationMethodProblem(proof.verificationMethod as string)
  if (methodProblem !== undefined)
    throw new CredsignError('proof_invalid', `the proof's verificationMethod: ${methodProblem}`)
  previousProofIds(proof.previousProof)
}

/** The key algorithm of a resolved public key, as the suites name them. */
function algorithmOf(jwk: PublicJwk): string {
  return jwk.kty === 'OKP' ? jwk.crv : jwk.kty === 'EC' ? jwk.crv : 'RSA-PSS'
}

/**
 * Verifies one proof of `document` (`proofs` are all of its proofs, for chains). Throws a
 * {@link ProofCheckError} naming the failed step: `proof` (malformed, broken chain), `cryptosuite`,
 * `proof_purpose`, `nonce` (challenge), `audience` (domain), `validity` (created / expires), `key`
 * (resolution, authorisation for the purpose, a key the suite is not defined for),
 * `canonicalization` (JSON-LD processing), `signature`.
 *
 * @internal
 */
export async function verifyProof(
  document: JsonLdDocument,
  proofs: readonly JsonLdDocument[],
  proof: JsonLdDocument,
  options: ProofCheckOptions,
): Promise<VerifiedProof> {
  await step('proof', () => checkShape(proof))
  const suite = await step('cryptosuite', () => suiteOfProof(proof.type, proof.cryptosuite))
  const purpose = proof.proofPurpose as string
  if (purpose !== options.proofPurpose) {
    throw new ProofCheckError(
      'proof_purpose',
      new CredsignError(
        'proof_purpose_mismatch',
        `the proof is for ${JSON.stringify(purpose.slice(0, 60))}, the verifier expects ${options.proofPurpose}`,
      ),
    )
  }
  if (options.challenge !== undefined && proof.challenge !== options.challenge) {
    throw new ProofCheckError(
      'nonce',
      new CredsignError(
        'nonce_mismatch',
        proof.challenge === undefined
          ? 'the proof has no challenge'
          : 'the proof has another challenge than the expected one',
      ),
    )
  }
  if (options.domain !== undefined) {
    const domains = Array.isArray(proof.domain)
      ? proof.domain
      : proof.domain === undefined
        ? []
        : [proof.domain]
    if (!domains.includes(options.domain)) {
      throw new ProofCheckError(
        'audience',
        new CredsignError(
          'audience_mismatch',
          proof.domain === undefined
            ? 'the proof has no domain'
            : 'the proof is for another domain',
        ),
      )
    }
  }
  if (options.checkTimes) checkTimes(proof, options)

  // Everything hashed is decided before any key is resolved: a malformed chain or context fails
  // without a network round trip.
  const unsecured = await step('proof', () =>
    applyProofContext(documentForProof(document, proofs, proof.previousProof), proof),
  )
  const config = proofConfigOf(suite, proof, unsecured['@context'])
  const proofValue = proof.proofValue as string
  const signature = await step('proof', () => {
    if (!proofValue.startsWith('z'))
      throw new CredsignError(
        'proof_invalid',
        'proofValue must be multibase base58btc (starting with z)',
      )
    // Base58 decoding is quadratic in the length: no signature here is longer than 96 bytes (≤ 132 characters).
    if (proofValue.length > MAX_PROOF_VALUE_LENGTH)
      throw new CredsignError(
        'proof_invalid',
        `proofValue is ${proofValue.length} characters long; no signature of these suites is longer than ${MAX_PROOF_VALUE_LENGTH}`,
      )
    try {
      return fromB58(proofValue.slice(1))
    } catch (cause) {
      throw new CredsignError('proof_invalid', 'proofValue is not valid base58btc', { cause })
    }
  })

  const key = await step('key', async () => {
    const resolved = await resolveVerificationMethod(
      options.resolver,
      proof.verificationMethod as string,
      { purpose: purpose as VerificationRelationship },
    )
    checkKeyFits(suite, algorithmOf(resolved.publicJwk))
    checkPublishedUse(resolved.publicJwk)
    return resolved
  })
  const algorithm = algorithmOf(key.publicJwk)
  if (
    options.algorithms !== undefined &&
    !options.algorithms.some((alg) => isJwsAlgorithm(alg) && keyAlgorithmOf(alg) === algorithm)
  ) {
    throw new ProofCheckError(
      'algorithm',
      new CredsignError(
        'algorithm_not_allowed',
        `a ${algorithm} key signs none of the accepted algorithms (${options.algorithms.join(', ')})`,
      ),
    )
  }
  if (signature.length !== signatureLength(algorithm)) {
    throw new ProofCheckError(
      'signature',
      new CredsignError(
        'signature_invalid',
        `a ${suite.name} signature with a ${algorithm} key is ${signatureLength(algorithm)} bytes, not ${signature.length}`,
      ),
    )
  }
  // The hashed document depends on the proof only through previousProof and the proof's @context.
  const variant = JSON.stringify([proof.previousProof ?? null, proof['@context'] ?? null])
  const cache =
    options.canonicalDocuments === undefined
      ? undefined
      : {
          keyOf: (s: Cryptosuite, a: string) =>
            `${s.canonicalization}|${s.canonicalization === 'rdfc' && a === 'P-384' ? 'SHA-384' : 'SHA-256'}|${variant}`,
          entries: options.canonicalDocuments,
        }
  const { hashData, canonicalProofConfig } = await step('canonicalization', () =>
    proofHashData(suite, algorithm, unsecured, config, options.documentLoader, cache),
  )
  await step('proof', () => checkProofTypeMeaning(suite, canonicalProofConfig))
  const valid = await step('signature', () => verifySignature(key.publicJwk, hashData, signature))
  if (!valid)
    throw new ProofCheckError(
      'signature',
      new CredsignError('signature_invalid', 'the proof signature does not verify'),
    )
  return { suite, key }
}

function checkTimes(proof: JsonLdDocument, options: ProofCheckOptions): void {
  const created = parseDateTime(proof.created, { requireOffset: true })
  if (created !== undefined && created > options.now + options.toleranceMs) {
    throw new ProofCheckError(
      'validity',
      new CredsignError(
        'not_yet_valid',
        `the proof was created in the future (${String(proof.created)})`,
      ),
    )
  }
  const expires = parseDateTime(proof.expires, { requireOffset: true })
  if (expires !== undefined && options.now >= expires + options.toleranceMs) {
    throw new ProofCheckError(
      'validity',
      new CredsignError('expired', `the proof expired at ${String(proof.expires)}`),
    )
  }
}
