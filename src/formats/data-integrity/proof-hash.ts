// The part every suite shares, for signing and verifying alike: canonicalize the proof
// configuration and the document, hash each, and concatenate (proof configuration hash first).
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
