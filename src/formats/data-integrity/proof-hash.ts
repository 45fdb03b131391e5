// The part every suite shares, for signing and verifying alike: canonicalize the proof
// configuration and the document, hash each, and concatenate (proof configuration hash first).
import { CredsignError } from '../../errors/credsign-error.js'
import { utf8 } from '../../util/bytes.js'
import { concat } from '../../util/bytes.js'
import type { Cryptosuite } from './cryptosuites.js'
import { hashFor } from './cryptosuites.js'
import { canonicalizeJson } from './jcs.js'
import { canonizeRdfcWithHash } from './rdfc.js'
import type { DocumentLoader, JsonLdDocument } from './types.js'

/**
 * Canonical forms of one document, shared by the proofs verified on it. The caller keys them by
 * everything that shapes the document a proof signs besides the suite (its `previousProof` and
 * proof `@context`): `keyOf` adds the canonicalization and its hash. @internal
 */
export interface CanonicalDocumentCache {
  keyOf(suite: Cryptosuite, algorithm: string): string
  entries: Map<string, Promise<string>>
}

/** Every intermediate value of the hashing step, as the spec vectors publish them. @internal */
export interface ProofHashSteps {
  /** The canonical document (RDFC-1.0 N-Quads or JCS). */
  canonicalDocument: string
  /** The canonical proof configuration. */
  canonicalProofConfig: string
  documentHash: Uint8Array
  proofConfigHash: Uint8Array
  /** ProofConfigHash ‖ documentHash: what is signed. */
  hashData: Uint8Array
}

/**
 * Hashes `document` (already without its proof, or with the proofs a chain endorses) and
 * `proofConfig` (the proof without `proofValue`, with the `@context` the suite asks for) the way
 * `suite` does with a key of `algorithm`.
 *
 * @internal
 */
export async function proofHashData(
  suite: Cryptosuite,
  algorithm: string,
  document: JsonLdDocument,
  proofConfig: JsonLdDocument,
  documentLoader: DocumentLoader,
  documentCache?: CanonicalDocumentCache,
): Promise<ProofHashSteps> {
  const canonicalize = (doc: JsonLdDocument): Promise<string> => {
    if (suite.canonicalization === 'jcs') return Promise.resolve(canonicalizeJson(doc))
    // ecdsa-rdfc-2019 with P-384 runs RDFC-1.0 with SHA-384 (blank node labels differ from SHA-256's).
    return canonizeRdfcWithHash(doc, documentLoader, algorithm === 'P-384' ? 'SHA-384' : 'SHA-256')
  }
  // The proofs of a set usually sign the same document: canonicalize it once per verification.
  const documentKey = documentCache?.keyOf(suite, algorithm)
  let canonicalDocumentPromise =
    documentKey === undefined ? undefined : documentCache?.entries.get(documentKey)
  if (canonicalDocumentPromise === undefined) {
    canonicalDocumentPromise = canonicalize(document)
    if (documentKey !== undefined) documentCache?.entries.set(documentKey, canonicalDocumentPromise)
  }
  const [canonicalProofConfig, canonicalDocument] = await Promise.all([
    canonicalize(proofConfig),
    canonicalDocumentPromise,
  ])
  const hash = hashFor(algorithm)
  const proofConfigHash = hash(utf8(canonicalProofConfig))
  const documentHash = hash(utf8(canonicalDocument))
  return {
    canonicalDocument,
    canonicalProofConfig,
    documentHash,
    proofConfigHash,
    hashData: concat(proofConfigHash, documentHash),
  }
}

const RDF_TYPE = '<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>'

/**
 * An rdfc proof is a statement in RDF, and what was signed must say that it is a proof of this
 * suite: the proof's `type` must map to the suite's IRI (VC Data Integrity 1.0, 2.1: the type "MUST
 * be specified as a string that maps to a URL"; `https://w3id.org/security#DataIntegrityProof`, or
 * `…#Ed25519Signature2020`). When the document's contexts do not define it (an Ed25519Signature2020
 * proof without the ed25519-2020 context, a DataIntegrityProof on a VCDM 1.1 credential without the
 * data-integrity context), an `@vocab` such as the examples context's maps the type and the suite's
 * terms (`proofPurpose`, `verificationMethod`, `expires`, …) to other IRIs: the JSON says
 * `assertionMethod` while the signed statement says nothing about any purpose. The type IRI is the
 * one to check: the suite's type-scoped context, which defines those terms, applies exactly when
 * the type maps to it. Digital Bazaar's verifiers refuse these proofs too.
 */
export function checkProofTypeMeaning(suite: Cryptosuite, canonicalProofConfig: string): void {
  if (suite.canonicalization !== 'rdfc') return
  const typed = `${RDF_TYPE} <https://w3id.org/security#${suite.proofType}> .`
  if (!canonicalProofConfig.split('\n').some((quad) => quad.endsWith(typed))) {
    throw new CredsignError(
      'proof_invalid',
      `the document's contexts do not define the proof type ${suite.proofType} (add the suite's context, e.g. ${suite.proofType === 'DataIntegrityProof' ? 'https://w3id.org/security/data-integrity/v2' : 'https://w3id.org/security/suites/ed25519-2020/v1'}): the signed proof is not a ${suite.proofType}`,
    )
  }
}
