/**
 * The cryptosuites credsign signs and verifies: the W3C Data Integrity suites (`cryptosuite` of a
 * `DataIntegrityProof`) and the legacy `Ed25519Signature2020` proof type.
 *
 * | name                   | key           | canonicalization | hash              |
 * | ---------------------- | ------------- | ---------------- | ----------------- |
 * | `eddsa-rdfc-2022`      | Ed25519       | RDFC-1.0         | SHA-256           |
 * | `eddsa-jcs-2022`       | Ed25519       | JCS (RFC 8785)   | SHA-256           |
 * | `ecdsa-rdfc-2019`      | P-256 / P-384 | RDFC-1.0         | SHA-256 / SHA-384 |
 * | `ecdsa-jcs-2019`       | P-256 / P-384 | JCS              | SHA-256 / SHA-384 |
 * | `Ed25519Signature2020` | Ed25519       | RDFC-1.0         | SHA-256           |
 *
 * @example
 *
 * ```ts
 * import type { CryptosuiteName } from 'credsign/data-integrity'
 * const suite: CryptosuiteName = 'eddsa-rdfc-2022'
 * ```
 */
export type CryptosuiteName =
  | 'eddsa-rdfc-2022'
  | 'eddsa-jcs-2022'
  | 'ecdsa-rdfc-2019'
  | 'ecdsa-jcs-2019'
  | 'Ed25519Signature2020'

/**
 * A Data Integrity proof as it appears in a secured document's `proof`. Unknown members are kept
 * (and signed: they are part of the proof configuration).
 *
 * @example
 *
 * ```ts
 * import type { DataIntegrityProof } from 'credsign/data-integrity'
 * const proof: DataIntegrityProof = {
 *   type: 'DataIntegrityProof',
 *   cryptosuite: 'eddsa-rdfc-2022',
 *   created: '2023-02-24T23:36:38Z',
 *   verificationMethod:
 *     'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
 *   proofPurpose: 'assertionMethod',
 *   proofValue:
 *     'z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme',
 * }
 * ```
 */
export interface DataIntegrityProof {
  /** `DataIntegrityProof`, or `Ed25519Signature2020` for the legacy suite. */
  type: string
  /** The cryptosuite of a `DataIntegrityProof`. */
  cryptosuite?: string
  /**
   * The proof's own identifier (a URL, usually `urn:uuid:…`); needed to be named by a
   * `previousProof`.
   */
  id?: string
  /** When the proof was made: an XML Schema dateTime (`2023-02-24T23:36:38Z`). */
  created?: string
  /** After this dateTime the proof is no longer valid. */
  expires?: string
  /** The DID URL (or other URL) of the key that made the proof. */
  verificationMethod: string
  /** Why the proof was made: `assertionMethod` (credentials), `authentication` (presentations), … */
  proofPurpose: string
  /** The signature: multibase base58btc (`z…`). */
  proofValue: string
  /** Presentations: the verifier's challenge (a nonce). */
  challenge?: string
  /** Presentations: the verifier's domain (or domains). */
  domain?: string | string[]
  /** A value the proof creator chose, to make the proof unique. */
  nonce?: string
  /** The `id`(s) of the proof(s) this one endorses (a proof chain). */
  previousProof?: string | string[]
  /** The JSON-LD context of the proof (the jcs suites keep the document's). */
  '@context'?: unknown
  [member: string]: unknown
}

/** A JSON-LD document (a credential, a presentation, a DID document): any JSON object. */
export type JsonLdDocument = Record<string, unknown>

/**
 * A document returned by a {@link DocumentLoader}: the JSON-LD `RemoteDocument` shape that `jsonld`
 * expects.
 *
 * @example
 *
 * ```ts
 * import type { RemoteDocument } from 'credsign/data-integrity'
 * const remote: RemoteDocument = {
 *   documentUrl: 'https://example.org/ctx',
 *   document: { '@context': { name: 'https://schema.org/name' } },
 *   contextUrl: null,
 * }
 * ```
 */
export interface RemoteDocument {
  documentUrl: string
  document: unknown
  contextUrl: null
}

/**
 * Returns the JSON-LD document at a URL (a context). credsign's loader answers from bundled and
 * caller-added contexts and throws `context_not_found` for anything else; it never fetches unless
 * you configured a fetcher. A loader you write must not fetch arbitrary URLs either.
 *
 * @example
 *
 * ```ts
 * import { createDocumentLoader, type DocumentLoader } from 'credsign/data-integrity'
 * const loader: DocumentLoader = createDocumentLoader()
 * const { document } = await loader('https://www.w3.org/ns/credentials/v2')
 * ```
 */
export type DocumentLoader = (url: string) => Promise<RemoteDocument>
