import { CredsignError } from '../../errors/credsign-error.js'
import type { Signer } from '../../keys/types.js'
import { b58 } from '../../util/base58.js'
import type { Cryptosuite } from './cryptosuites.js'
import { checkKeyFits, signatureLength } from './cryptosuites.js'
import { checkProofTypeMeaning, proofHashData, type ProofHashSteps } from './proof-hash.js'
import { documentForProof, proofConfigOf } from './proof-document.js'
import type { DataIntegrityProof, DocumentLoader, JsonLdDocument } from './types.js'

/** The proof options of one new proof, validated. @internal */
export interface NewProofOptions {
  verificationMethod: string
  proofPurpose: string
  id?: string
  created?: string
  expires?: string
  challenge?: string
  domain?: string | string[]
  nonce?: string
  previousProof?: string | string[]
}

/**
 * The proof's members in the order the spec examples (and Digital Bazaar's libraries) write them;
 * the order does not affect the signature, only how the JSON reads.
 */
function proofOptionsOf(suite: Cryptosuite, options: NewProofOptions): JsonLdDocument {
  const proof: JsonLdDocument = { type: suite.proofType }
  if (options.id !== undefined) proof.id = options.id
  if (suite.cryptosuite !== undefined) proof.cryptosuite = suite.cryptosuite
  if (options.created !== undefined) proof.created = options.created
  if (options.expires !== undefined) proof.expires = options.expires
  proof.verificationMethod = options.verificationMethod
  proof.proofPurpose = options.proofPurpose
  if (options.challenge !== undefined) proof.challenge = options.challenge
  if (options.domain !== undefined) proof.domain = options.domain
  if (options.nonce !== undefined) proof.nonce = options.nonce
  if (options.previousProof !== undefined) proof.previousProof = options.previousProof
  return proof
}

/** A new proof and the intermediate values it was computed from. @internal */
export interface CreatedProof {
  proof: DataIntegrityProof
  steps: ProofHashSteps
}

/**
 * Creates one proof over `document` (whose existing proofs, if any, are in `document.proof`): the
 * suite's proof configuration and transformation, hashing, and the signature, encoded as multibase
 * base58btc. Does not add the proof to the document.
 *
 * @internal
 */
export async function createProof(
  document: JsonLdDocument,
  existingProofs: readonly JsonLdDocument[],
  suite: Cryptosuite,
  signer: Signer,
  options: NewProofOptions,
  documentLoader: DocumentLoader,
): Promise<CreatedProof> {
  checkKeyFits(suite, signer.algorithm)
  const proofOptions = proofOptionsOf(suite, options)
  // jcs: the proof keeps the document's @context (its verifier checks the document still starts with it).
  if (suite.proofKeepsContext && document['@context'] !== undefined)
    proofOptions['@context'] = document['@context']
  const hashed = documentForProof(document, existingProofs, options.previousProof)
  const config = proofConfigOf(suite, proofOptions, document['@context'])
  const steps = await proofHashData(suite, signer.algorithm, hashed, config, documentLoader)
  // What a verifier refuses is never signed.
  checkProofTypeMeaning(suite, steps.canonicalProofConfig)
  const signature = await signer.sign(steps.hashData)
  if (!(signature instanceof Uint8Array))
    throw new CredsignError('invalid_argument', 'the signer did not return a Uint8Array')
  // A signature of another length (a DER-encoded ECDSA signature, a truncated buffer) would make a
  // proof no verifier accepts: refuse it here rather than hand out an unverifiable document.
  if (signature.length !== signatureLength(signer.algorithm)) {
    throw new CredsignError(
      'invalid_argument',
      `the signer returned ${signature.length} bytes; a ${signer.algorithm} signature for ${suite.name} is ${signatureLength(signer.algorithm)} bytes (raw, not DER)`,
    )
  }
  return {
    proof: { ...proofOptions, proofValue: `z${b58(signature)}` } as DataIntegrityProof,
    steps,
  }
}
