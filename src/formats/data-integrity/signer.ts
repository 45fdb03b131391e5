import { CredsignError } from '../../errors/credsign-error.js'
import type { Signer } from '../../keys/types.js'
import { numericDateToDateTime, parseDateTime } from '../../credential/date-time.js'
import { copyDocument } from '../../credential/prepare-document.js'
import { mergeOptions } from '../../util/merge-options.js'
import { bindParty } from '../../credential/party.js'
import type { JsonObject } from '../../credential/types.js'
import { validateCredential } from '../../credential/validate-credential.js'
import { refuseMismatchedRelatedResourcesWhenNamed } from '../../verify/related-resources-lazy.js'
import { validatePresentation } from '../../credential/validate-presentation.js'
import { isAbsoluteUrl, isJsonObject, typesOf } from '../../credential/validate-shared.js'
import { dataModelVersion } from '../../credential/data-model-version.js'
import {
  checkContextPolicy,
  checkContextsSigned,
  checkDocumentForm,
  contextPolicyOf,
} from './context-policy.js'
import { createProof, type NewProofOptions } from './create-proof.js'
import { suiteForSigning } from './cryptosuites.js'
import { offlineDocumentLoader } from './document-loader.js'
import { loaderWithLimits, type JsonLdLimits } from './jsonld-limits.js'
import { previousProofIds, verificationMethodProblem } from './proof-document.js'
import type { CryptosuiteName, DocumentLoader } from './types.js'

/**
 * Options of {@link DataIntegritySigner}: defaults in the constructor, per call in `sign` (which
 * wins).
 *
 * @example
 *
 * ```ts
 * import type { DataIntegritySignOptions } from 'credsign/data-integrity'
 * const options: DataIntegritySignOptions = {
 *   cryptosuite: 'eddsa-jcs-2022',
 *   expires: '2030-01-01T00:00:00Z',
 * }
 * ```
 */
export interface DataIntegritySignOptions {
  /** Default: `eddsa-rdfc-2022` for Ed25519 keys, `ecdsa-rdfc-2019` for P-256 / P-384. */
  cryptosuite?: CryptosuiteName
  /**
   * The verification method id in the proof (default: the signer's id, which must then be a URL
   * such as a DID URL; see `asDidSigner`). A DID URL needs its fragment: a bare DID names the
   * controller document, not a method (`invalid_argument`).
   */
  verificationMethod?: string
  /** Default: `authentication` for presentations, `assertionMethod` for everything else. */
  proofPurpose?: string
  /**
   * The proof's `created`: a dateTimeStamp string (with `Z` or an offset), a Date, or `false` for
   * none (default: now, to the second).
   */
  created?: string | Date | false
  /** The proof's `expires`: a dateTimeStamp string (with `Z` or an offset) or a Date. */
  expires?: string | Date
  /** Presentations: the verifier's challenge. */
  challenge?: string
  /** Presentations: the verifier's domain(s). */
  domain?: string | string[]
  /** A nonce of the signer's choosing. */
  nonce?: string
  /** The new proof's `id` (a URL such as `urn:uuid:…`), so later proofs can chain to it. */
  proofId?: string
  /**
   * Make a proof chain: the `id`(s) of existing proofs this proof endorses. They are signed along
   * with the document; an id that is not among the document's proofs is `previous_proof_missing`.
   * Without it, a new proof joins the existing ones as a proof set.
   */
  previousProof?: string | string[]
  /**
   * Where JSON-LD contexts come from (default: the bundled ones, offline; see
   * `createDocumentLoader`).
   */
  documentLoader?: DocumentLoader
  /**
   * Work budgets of JSON-LD processing (rdfc suites); each limit not given keeps its default
   * (`JSONLD_LIMIT_DEFAULTS`).
   */
  jsonLdLimits?: JsonLdLimits
  /**
   * The only context URLs the document may name (default: any the document loader knows). As the
   * verifier's option of the same name: nothing is signed that such a verifier would refuse.
   */
  allowedContexts?: readonly string[]
  /**
   * Sign documents that carry context objects (or `null` entries) of their own. Default false
   * (`context_not_allowed`): verifiers refuse them by default, since an inline context can change
   * what terms mean without changing the signed RDF. Give your context a URL instead
   * (`createDocumentLoader({ contexts })`), or set this and tell verifiers to do the same.
   */
  allowInlineContexts?: boolean
  /**
   * Credentials: sign even if `issuer` is not the controller of the signing key (default false:
   * `issuer_mismatch`).
   */
  allowIssuerMismatch?: boolean
  /** Presentations: sign even if `holder` is not the controller of the signing key. */
  allowHolderMismatch?: boolean
  /**
   * Data model validation: refuse unknown top-level members (default: true for VCDM 2.0, false for
   * 1.1).
   */
  strict?: boolean
  /** Extension members accepted in strict mode. */
  allowProperties?: readonly string[]
  /** The clock, epoch milliseconds (default `Date.now`). */
  now?: () => number
}

const DATA_INTEGRITY_V2 = 'https://w3id.org/security/data-integrity/v2'
const ED25519_2020_V1 = 'https://w3id.org/security/suites/ed25519-2020/v1'
/** Contexts that define `DataIntegrityProof` and its members. */
const DEFINES_DATA_INTEGRITY = new Set([
  'https://www.w3.org/ns/credentials/v2',
  DATA_INTEGRITY_V2,
  'https://w3id.org/security/data-integrity/v1',
])

/**
 * Adds Data Integrity proofs to credentials, presentations and other JSON-LD documents, with a key
 * from a vault (or any `Signer`). Before signing it copies the document, fills `issuer` / `holder`
 * from the key's DID (like the JWT signers), validates the data model, and adds the suite's context
 * when the document lacks it. A document that already has proofs gets one more: a proof set, or
 * with `previousProof` a proof chain.
 *
 * The rdfc suites process the document as JSON-LD offline, in safe mode: a term no context defines
 * is `jsonld_invalid`, an unknown context `context_not_found`, and nothing is fetched.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, asDidSigner } from 'credsign'
 * import { DataIntegritySigner } from 'credsign/data-integrity'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s1'] })
 * const signer = new DataIntegritySigner(asDidSigner(await vault.unlock('issuer', ['s1'])))
 * const secured = await signer.sign({
 *   '@context': [
 *     'https://www.w3.org/ns/credentials/v2',
 *     'https://www.w3.org/ns/credentials/examples/v2',
 *   ],
 *   type: ['VerifiableCredential', 'AlumniCredential'],
 *   credentialSubject: { id: 'did:example:alice', alumniOf: 'The School of Examples' },
 * })
 * // secured.issuer: 'did:key:z6Mk…'; secured.proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', … }
 * ```
 */
export class DataIntegritySigner {
  readonly #signer: Signer
  readonly #defaults: DataIntegritySignOptions

  /** `options` are defaults for every {@link DataIntegritySigner.sign} call. */
  constructor(signer: Signer, options: DataIntegritySignOptions = {}) {
    if (!signer || typeof signer.sign !== 'function' || typeof signer.id !== 'string')
      throw new CredsignError('invalid_argument', 'DataIntegritySigner needs a Signer')
    if (options === null || typeof options !== 'object')
      throw new CredsignError('invalid_argument', 'options must be an object')
    if (options.now !== undefined && typeof options.now !== 'function')
      throw new CredsignError(
        'invalid_argument',
        'now must be a function returning epoch milliseconds',
      )
    // Fails early for a key no suite signs with (secp256k1, RSA) or a suite that does not fit the key.
    suiteForSigning(options.cryptosuite, signer.algorithm)
    this.#signer = signer
    this.#defaults = { ...options }
  }

  /**
   * Returns a copy of `document` with one more proof. Errors: `credential_invalid` (data model),
   * `issuer_mismatch`, `context_not_allowed` / `context_not_found` / `jsonld_form_not_allowed` (the
   * context policy, every suite), `jsonld_invalid` / `protected_term_redefinition` (rdfc suites),
   * `previous_proof_missing`, `unsupported_cryptosuite` (a suite that does not fit the key),
   * `invalid_argument` (options), and whatever the signer throws (`signer_locked`).
   *
   * @example
   *
   * ```ts
   * import { generateKeyPair, loadPrivateKey, didKeyFromJwk, type Signer } from 'credsign'
   * import { DataIntegritySigner } from 'credsign/data-integrity'
   * const { pkcs8, publicJwk } = await generateKeyPair('P-256')
   * const key = await loadPrivateKey('P-256', pkcs8)
   * const did = didKeyFromJwk(publicJwk)
   * const signer: Signer = {
   *   id: `${did}#${did.slice(8)}`,
   *   algorithm: 'P-256',
   *   publicJwk,
   *   sign: (d) => key.sign(d),
   * }
   * const presentation = await new DataIntegritySigner(signer).sign(
   *   {
   *     '@context': ['https://www.w3.org/ns/credentials/v2'],
   *     type: ['VerifiablePresentation'],
   *   },
   *   { challenge: 'n-0S6_WzA2Mj', domain: 'https://verifier.example' },
   * )
   * // presentation.proof.proofPurpose === 'authentication'
   * ```
   */
  async sign(
    document: Record<string, unknown>,
    options: DataIntegritySignOptions = {},
  ): Promise<Record<string, unknown>> {
    if (options === null || typeof options !== 'object')
      throw new CredsignError('invalid_argument', 'options must be an object')
    const opts = mergeOptions(this.#defaults, options)
    if (opts.now !== undefined && typeof opts.now !== 'function')
      throw new CredsignError(
        'invalid_argument',
        'now must be a function returning epoch milliseconds',
      )
    const suite = suiteForSigning(opts.cryptosuite, this.#signer.algorithm)
    const types = isJsonObject(document) ? (typesOf(document.type) ?? []) : []
    const kind = types.includes('VerifiablePresentation')
      ? 'presentation'
      : types.includes('VerifiableCredential') || dataModelVersion(document) !== undefined
        ? 'credential'
        : 'document'
    const copy = copyDocument(document, kind === 'presentation' ? 'presentation' : 'credential')
    const now = opts.now === undefined ? Date.now() : opts.now()
    if (!Number.isFinite(now))
      throw new CredsignError('invalid_argument', 'now() must return epoch milliseconds')

    // First: a wrapped credential would otherwise be judged by the data model of its wrapper.
    checkDocumentForm(copy)
    const existing = existingProofs(copy)
    addSuiteContext(copy, suite.proofType)
    // An existing proof with its own @context (jcs) signs the document's @context as it is: a
    // context added now is an entry it does not sign, which verification refuses.
    if (existing.length > 0) {
      try {
        checkContextsSigned(copy, existing)
      } catch (error) {
        if (!CredsignError.is(error)) throw error
        throw new CredsignError(
          'context_not_allowed',
          `${error.message}; a ${suite.proofType} proof needs its context in the document's @context before the first proof is made`,
        )
      }
    }
    if (kind === 'credential') {
      bindParty(copy, this.#signer, {
        member: 'issuer',
        allowMismatch: opts.allowIssuerMismatch === true,
      })
      const version = dataModelVersion(copy)
      if (version === '1.1' && copy.issuanceDate === undefined)
        copy.issuanceDate = numericDateToDateTime(Math.floor(now / 1000))
      validateCredential(copy, {
        jsonLd: true,
        ...(version === undefined ? {} : { version }),
        ...(opts.strict === undefined ? {} : { strict: opts.strict }),
        ...(opts.allowProperties === undefined ? {} : { allowProperties: opts.allowProperties }),
      })
      await refuseMismatchedRelatedResourcesWhenNamed(copy)
    } else if (kind === 'presentation') {
      bindParty(copy, this.#signer, {
        member: 'holder',
        allowMismatch: opts.allowHolderMismatch === true,
      })
      validatePresentation(copy, {
        jsonLd: true,
        ...(opts.strict === undefined ? {} : { strict: opts.strict }),
        ...(opts.allowProperties === undefined ? {} : { allowProperties: opts.allowProperties }),
      })
    }

    const proofOptions = newProofOptions(opts, this.#signer, kind, now, existing)
    const baseLoader = opts.documentLoader ?? offlineDocumentLoader()
    if (typeof baseLoader !== 'function')
      throw new CredsignError('invalid_argument', 'documentLoader must be a function')
    const loader = loaderWithLimits(baseLoader, opts.jsonLdLimits)
    await checkContextPolicy(copy, contextPolicyOf(opts), loader)
    const { proof } = await createProof(copy, existing, suite, this.#signer, proofOptions, loader)
    copy.proof = existing.length === 0 ? proof : [...existing, proof]
    return copy
  }
}

/** The proofs a document already carries (a set or chain to extend). */
function existingProofs(document: JsonObject): JsonObject[] {
  const proof = document.proof
  if (proof === undefined) return []
  const list = Array.isArray(proof) ? proof : [proof]
  if (!list.every(isJsonObject))
    throw new CredsignError('credential_invalid', 'proof: existing proofs must be objects')
  return list
}

/**
 * The suite's vocabulary must be in the document's context for the proof to mean anything as
 * JSON-LD.
 */
function addSuiteContext(document: JsonObject, proofType: string): void {
  const context = document['@context']
  const entries = Array.isArray(context) ? context : context === undefined ? [] : [context]
  const needed = proofType === 'Ed25519Signature2020' ? ED25519_2020_V1 : DATA_INTEGRITY_V2
  const present =
    proofType === 'Ed25519Signature2020'
      ? entries.includes(ED25519_2020_V1)
      : entries.some((entry) => typeof entry === 'string' && DEFINES_DATA_INTEGRITY.has(entry))
  // A document without @context is left to validation (credentials) or signed as plain JSON (jcs).
  if (!present && context !== undefined) document['@context'] = [...entries, needed]
}

function dateTimeOption(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new CredsignError('invalid_argument', `${name} is an invalid Date`)
    return numericDateToDateTime(Math.floor(value.getTime() / 1000))
  }
  // A dateTimeStamp (VC Data Integrity 1.0): the time zone is required, `Z` or an offset.
  if (typeof value !== 'string' || parseDateTime(value, { requireOffset: true }) === undefined) {
    throw new CredsignError(
      'invalid_argument',
      `${name} must be a Date or an XML Schema dateTimeStamp string (with Z or an offset)`,
    )
  }
  return value
}

function stringOption(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.length === 0)
    throw new CredsignError('invalid_argument', `${name} must be a non-empty string`)
  return value
}

function newProofOptions(
  opts: DataIntegritySignOptions,
  signer: Signer,
  kind: string,
  now: number,
  existing: JsonObject[],
): NewProofOptions {
  const verificationMethod = opts.verificationMethod ?? signer.id
  if (!isAbsoluteUrl(verificationMethod)) {
    throw new CredsignError(
      'invalid_argument',
      `the verification method must be a URL (a DID URL): ${JSON.stringify(String(verificationMethod).slice(0, 80))}; pass verificationMethod or wrap the signer with asDidSigner`,
    )
  }
  const methodProblem = verificationMethodProblem(verificationMethod)
  if (methodProblem !== undefined)
    throw new CredsignError(
      'invalid_argument',
      `the verification method ${JSON.stringify(verificationMethod.slice(0, 80))}: ${methodProblem}`,
    )
  const proofPurpose =
    stringOption(opts.proofPurpose, 'proofPurpose') ??
    (kind === 'presentation' ? 'authentication' : 'assertionMethod')
  const out: NewProofOptions = { verificationMethod, proofPurpose }
  const created =
    opts.created === false
      ? undefined
      : (dateTimeOption(opts.created, 'created') ?? numericDateToDateTime(Math.floor(now / 1000)))
  if (created !== undefined) out.created = created
  const expires = dateTimeOption(opts.expires, 'expires')
  if (expires !== undefined) out.expires = expires
  const challenge = stringOption(opts.challenge, 'challenge')
  if (challenge !== undefined) out.challenge = challenge
  if (opts.domain !== undefined) {
    const domains = Array.isArray(opts.domain) ? opts.domain : [opts.domain]
    if (domains.length === 0 || !domains.every((d) => typeof d === 'string' && d.length > 0))
      throw new CredsignError('invalid_argument', 'domain must be a string or an array of strings')
    // A copy: the caller's array (or a constructor default shared by every call) must not alias the proof.
    out.domain = Array.isArray(opts.domain) ? [...(domains as string[])] : opts.domain
  }
  const nonce = stringOption(opts.nonce, 'nonce')
  if (nonce !== undefined) out.nonce = nonce
  const id = stringOption(opts.proofId, 'proofId')
  if (id !== undefined) {
    if (!isAbsoluteUrl(id))
      throw new CredsignError('invalid_argument', 'proofId must be a URL (urn:uuid:…)')
    if (existing.some((proof) => proof.id === id))
      throw new CredsignError(
        'invalid_argument',
        'the document already has a proof with this proofId',
      )
    out.id = id
  }
  if (opts.previousProof !== undefined) {
    let ids: string[]
    try {
      ids = previousProofIds(opts.previousProof)
    } catch (error) {
      // A caller's option: invalid_argument, with the reason (malformed, or an id named twice).
      throw new CredsignError(
        'invalid_argument',
        CredsignError.is(error)
          ? error.message
          : 'previousProof must be a proof id or a non-empty array of proof ids',
      )
    }
    out.previousProof = Array.isArray(opts.previousProof) ? [...ids] : (ids[0] as string)
  }
  return out
}
