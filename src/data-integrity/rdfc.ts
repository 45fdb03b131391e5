import { canonizeDataset, toDataset } from './jsonld.js'
import type { DocumentLoader, JsonLdDocument } from './types.js'

/**
 * RDFC-1.0 canonical N-Quads of a JSON-LD document, as the rdfc cryptosuites hash it: JSON-LD
 * expansion and RDF deserialization in safe mode with `documentLoader`, then RDFC-1.0 (SHA-256).
 * Errors: `context_not_found`, `jsonld_invalid`.
 *
 * @example
 * ```ts
 * import { canonizeRdfc, createDocumentLoader } from 'credsign/data-integrity'
 * const nquads = await canonizeRdfc(
 *   { '@context': ['https://www.w3.org/ns/credentials/v2'], id: 'urn:uuid:1', type: ['VerifiableCredential'] },
 *   createDocumentLoader(),
 * )
 * // '<urn:uuid:1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n'
 * ```
 */
export async function canonizeRdfc(document: JsonLdDocument, documentLoader: DocumentLoader): Promise<string> {
  return canonizeDataset(await toDataset(document, documentLoader))
}
