import { canonizeTemplated } from './rdfc-template.js'
import type { RdfcHash } from './rdfc-template.js'
import type { DocumentLoader, JsonLdDocument } from './types.js'

/**
 * RDFC-1.0 canonical N-Quads of a JSON-LD document, as the rdfc cryptosuites hash it: JSON-LD
 * expansion and RDF deserialization in safe mode with `documentLoader`, then RDFC-1.0 (SHA-256).
 * Errors: `context_not_found`, `jsonld_invalid` (naming the member and its path, e.g.
 * `credentialSubject.degree: term not defined by any context`), `protected_term_redefinition`;
 * `invalid_argument` for a value that is not JSON data (a Date, a Map, a function: jsonld would
 * read it by its string form) and for a lone UTF-16 surrogate in a string or IRI (no Unicode scalar
 * value, so no RDF term: UTF-8 would hash it as U+FFFD, the same as U+FFFD itself).
 *
 * Documents of a shape seen before (same structure and contexts, other string values) are
 * canonicalized from a template of that shape, without JSON-LD expansion; the output is
 * byte-identical either way (see `rdfc-template.ts`).
 *
 * @example
 *
 * ```ts
 * import { canonizeRdfc, createDocumentLoader } from 'credsign/data-integrity'
 * const nquads = await canonizeRdfc(
 *   {
 *     '@context': ['https://www.w3.org/ns/credentials/v2'],
 *     id: 'urn:uuid:1',
 *     type: ['VerifiableCredential'],
 *   },
 *   createDocumentLoader(),
 * )
 * // '<urn:uuid:1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n'
 * ```
 */
export async function canonizeRdfc(
  document: JsonLdDocument,
  documentLoader: DocumentLoader,
): Promise<string> {
  return canonizeRdfcWithHash(document, documentLoader, 'SHA-256')
}

/**
 * {@link canonizeRdfc} with the hash RDFC-1.0 uses for blank node labels (`SHA-384` for
 * ecdsa-rdfc-2019 with P-384 keys). Templates are shared between hashes: they hold the dataset, not
 * its canonical form.
 *
 * @internal
 */
export async function canonizeRdfcWithHash(
  document: JsonLdDocument,
  documentLoader: DocumentLoader,
  hash: RdfcHash,
): Promise<string> {
  return canonizeTemplated(document, documentLoader, hash)
}
