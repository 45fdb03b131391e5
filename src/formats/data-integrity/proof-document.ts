// What exactly gets hashed for one proof: the document (without `proof`, or with the proofs a chain
// endorses) and the proof configuration (the proof without `proofValue`, with the right `@context`).
// Shared by signing and verification so the two cannot drift apart.
import { CredsignError } from '../../errors/credsign-error.js'
import type { Cryptosuite } from './cryptosuites.js'
import type { JsonLdDocument } from './types.js'

/**
 * The `id`s a proof's `previousProof` names (a string or an array of strings). Each at most once:
 * the list names a set of proofs (VC Data Integrity 1.0, "an unordered list"), and a repeated id
 * would put that proof into the hashed document again for every repetition (a few bytes of input
 * for a whole proof to hash); unique ids are also bounded by the number of proofs. @internal
 */
export function previousProofIds(previousProof: unknown): string[] {
  if (previousProof === undefined) return []
  const ids = Array.isArray(previousProof) ? previousProof : [previousProof]
  if (
    ids.length === 0 ||
    !ids.every((id): id is string => typeof id === 'string' && id.length > 0)
  ) {
    throw new CredsignError(
      'proof_invalid',
      'previousProof must be a proof id or a non-empty array of proof ids',
    )
  }
  const seen = new Set<string>()
  for (const id of ids) {
    if (seen.has(id))
      throw new CredsignError(
        'proof_invalid',
        `previousProof names ${JSON.stringify(id.slice(0, 120))} twice`,
      )
    seen.add(id)
  }
  return ids
}

/**
 * Why `verificationMethod` names no verification method, or `undefined` when it may. A DID without
 * a fragment (`did:key:z6Mk…`, `did:web:issuer.example?versionId=2`) dereferences to the controller
 * document, not to a verification method (Controlled Identifiers 1.0, "Retrieve Verification
 * Method": the result must be a verification method; DID Core 7.2), so a proof naming one is
 * malformed, as Digital Bazaar's verifiers find. credsign's resolvers read a bare DID as the
 * document's only method, which JOSE needs (a `kid`-less JWT names its key by `iss`); a Data
 * Integrity proof must name its method. Shared by signing and verification.
 *
 * @internal
 */
export function verificationMethodProblem(verificationMethod: string): string | undefined {
  if (!verificationMethod.startsWith('did:')) return undefined
  const hash = verificationMethod.indexOf('#')
  if (hash === -1 || hash === verificationMethod.length - 1)
    return 'a DID URL naming a verification method needs a fragment (a DID without one is its controller document)'
  return undefined
}

/**
 * The document a proof signs: `document` without `proof`, plus, for a proof in a chain, `proof` set
 * to the list of proofs its `previousProof` names, in `previousProof` order, exactly as they appear
 * in the document (always an array, as the spec's `matchingProofs` and the published
 * `proofChainTempDoc` vectors have it; for RDFC the two forms are the same graph, for JCS they are
 * not). A name that matches no proof is `previous_proof_missing` (a dangling chain must never
 * verify as if it were a set).
 *
 * @internal
 */
export function documentForProof(
  document: JsonLdDocument,
  proofs: readonly JsonLdDocument[],
  previousProof: unknown,
): JsonLdDocument {
  const { proof: _ignored, ...unsecured } = document
  const ids = previousProofIds(previousProof)
  if (ids.length === 0) return unsecured
  const endorsed = ids.map((id) => {
    const match = proofs.filter((candidate) => candidate.id === id)
    if (match.length === 0)
      throw new CredsignError(
        'previous_proof_missing',
        `previousProof names ${JSON.stringify(id.slice(0, 120))}, which is not a proof of this document`,
      )
    if (match.length > 1)
      throw new CredsignError(
        'proof_invalid',
        `two proofs have the id ${JSON.stringify(id.slice(0, 120))}`,
      )
    return match[0] as JsonLdDocument
  })
  return { ...unsecured, proof: endorsed }
}

/**
 * The proof configuration a suite hashes, from a proof without `proofValue`:
 *
 * - Rdfc suites: `@context` is the document's (a proof in a JSON-LD document is interpreted in the
 *   document's context);
 * - Jcs suites: `@context` is the proof's own (set from the document at signing).
 *
 * @internal
 */
export function proofConfigOf(
  suite: Cryptosuite,
  proofOptions: JsonLdDocument,
  documentContext: unknown,
): JsonLdDocument {
  const { proofValue: _ignored, ...config } = proofOptions
  if (suite.canonicalization === 'rdfc') {
    delete config['@context']
    if (documentContext !== undefined) config['@context'] = documentContext
  }
  return config
}

/**
 * Verification: when a proof carries `@context`, the document's `@context` must start with the same
 * entries in the same order, and the document is then hashed with the proof's `@context` (so a
 * verifier sees exactly what the signer signed, whatever was appended later). Returns the document
 * to hash. `proof_invalid` when the contexts do not match.
 *
 * @internal
 */
export function applyProofContext(
  unsecured: JsonLdDocument,
  proof: JsonLdDocument,
): JsonLdDocument {
  if (proof['@context'] === undefined) return unsecured
  const proofContext = asArray(proof['@context'])
  const documentContext = asArray(unsecured['@context'])
  const prefix = proofContext.every(
    (entry, index) =>
      index < documentContext.length &&
      JSON.stringify(entry) === JSON.stringify(documentContext[index]),
  )
  if (!prefix)
    throw new CredsignError(
      'proof_invalid',
      "the proof's @context is not the start of the document's @context",
    )
  return { ...unsecured, '@context': proof['@context'] }
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}
