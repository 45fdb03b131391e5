import { CredsignError } from '../../errors/credsign-error.js'
import { epochMilliseconds } from '../../jose/jwt-times.js'
import { jwkKeyAlgorithm } from '../../keys/algorithms.js'
import { defaultResolver } from '../../resolve/default-resolver.js'
import type { ResolvedKey } from '../../resolve/types.js'
import {
  checkCredentialPeriod,
  checkDocumentModel,
  checkEmbeddedCredentials,
  clip,
} from '../../verify/document-checks.js'
import { ResultBuilder } from '../../verify/result-builder.js'
import { VERIFIER_AUDIENCE, type AudienceOptions } from '../../verify/audience.js'
import type { JsonObject } from '../../credential/types.js'
import { idOf, isJsonObject, typesOf } from '../../credential/validate-shared.js'
import { dataModelVersion } from '../../credential/data-model-version.js'
import type {
  FormatHandler,
  VerificationResult,
  VerifyContext,
  VerifyOptions,
} from '../../verify/types.js'
import {
  allowedContextSet,
  checkContextPolicy,
  checkContextsSigned,
  contextPolicyOf,
  type ContextPolicy,
} from './context-policy.js'
import { createDocumentLoader, offlineDocumentLoader } from './document-loader.js'
import { loaderWithLimits, type JsonLdLimits } from './jsonld-limits.js'
import { previousProofIds } from './proof-document.js'
import type { DocumentLoader } from './types.js'
import { isProofCheckError, verifyProof, type VerifiedProof } from './verify-proof.js'

/**
 * Options of {@link dataIntegrityHandler}.
 *
 * @example
 *
 * ```ts
 * import type { DataIntegrityHandlerOptions } from 'credsign/data-integrity'
 * const options: DataIntegrityHandlerOptions = {
 *   contexts: {
 *     'https://example.org/ctx/v1': { '@context': { name: 'https://schema.org/name' } },
 *   },
 * }
 * ```
 */
export interface DataIntegrityHandlerOptions {
  /** Where JSON-LD contexts come from (default: bundled contexts plus `contexts`, offline). */
  documentLoader?: DocumentLoader
  /** Extra contexts by URL for the default loader (ignored when `documentLoader` is given). */
  contexts?: Readonly<Record<string, unknown>>
  /**
   * The proof purpose every proof of the document given to `verify()` must have. Default:
   * `authentication` for presentations, `assertionMethod` for everything else. The credentials
   * inside a presentation and the status lists a credential points to are their issuers'
   * assertions: they keep the default (`assertionMethod`) whatever this says.
   */
  proofPurpose?: string
  /**
   * Most proofs accepted on one document (default 8): each costs a key resolution and a signature
   * check.
   */
  maxProofs?: number
  /**
   * Work budgets of JSON-LD processing (rdfc suites); each limit not given keeps its default
   * (`JSONLD_LIMIT_DEFAULTS`).
   */
  jsonLdLimits?: JsonLdLimits
  /**
   * The only context URLs a document may name, anywhere in it (the VC Data Integrity "known
   * contexts"). Default: every context the document loader knows (bundled, `contexts`, or what your
   * loader answers). `verify(input, { allowedContexts })` replaces it for one call. Either way, a
   * URL must also be known to the loader.
   */
  allowedContexts?: readonly string[]
  /**
   * Accept context objects (and `null` entries) written into the document itself. Default false: an
   * inline context, appended after signing, can rename or swap terms so that the JSON an
   * application reads changes while the RDF, and so an rdfc proof, does not
   * (`context_not_allowed`). Prefer giving your context a URL with `contexts`.
   */
  allowInlineContexts?: boolean
}

/** Most `proof` entries any document may carry, whatever the option says. */
const PROOF_LIMIT = 64

/**
 * The `verify()` handler for Data Integrity: `DataIntegrityProof` with `eddsa-rdfc-2022`,
 * `eddsa-jcs-2022`, `ecdsa-rdfc-2019`, `ecdsa-jcs-2019`, and `Ed25519Signature2020`, on
 * credentials, presentations and other JSON-LD documents. Pass it in `options.handlers`; JSON-LD is
 * only loaded when an rdfc proof is verified.
 *
 * Before any proof, the context policy (VC Data Integrity "Validating Contexts"): every context URL
 * known to the document loader and in `allowedContexts` (when given), no inline context unless
 * `allowInlineContexts` (`context_not_allowed`), no context entries that some proof does not sign,
 * and the credential itself at the top level, not wrapped in `@graph` and the like
 * (`jsonld_form_not_allowed`). A redefined protected term is `protected_term_redefinition`.
 *
 * Every proof of the document must verify (a proof set), and a proof chain must be whole: a
 * `previousProof` naming no proof of the document is `previous_proof_missing`. Per proof: the
 * purpose (`proof_purpose_mismatch`), `challenge` against `options.nonce` and `domain` against
 * `options.audience` (when given), `created` / `expires` against the clock, the verification method
 * through `options.resolver` and its authorisation for the purpose in its controller document
 * (`key_not_authorized`), the key type against the suite, and the signature. Then, as for JWTs: the
 * data model, issuer binding (some proof's key is controlled by the issuer / holder;
 * `issuerBinding: false` skips it), the validity period, and embedded credentials.
 *
 * Make the handler once and reuse it: contexts and shape templates are cached per document loader,
 * and `contexts` gives the handler a loader of its own.
 *
 * @example
 *
 * ```ts
 * import { verify } from 'credsign'
 * import { dataIntegrityHandler } from 'credsign/data-integrity'
 * declare const securedCredential: Record<string, unknown>
 * const result = await verify(securedCredential, { handlers: [dataIntegrityHandler()] })
 * result.format // 'data-integrity'
 * ```
 */
export function dataIntegrityHandler(options: DataIntegrityHandlerOptions = {}): FormatHandler {
  if (options === null || typeof options !== 'object')
    throw new CredsignError('invalid_argument', 'handler options must be an object')
  const baseLoader =
    options.documentLoader ??
    (options.contexts === undefined
      ? offlineDocumentLoader()
      : createDocumentLoader({ contexts: options.contexts }))
  if (typeof baseLoader !== 'function')
    throw new CredsignError('invalid_argument', 'documentLoader must be a function')
  const loader = loaderWithLimits(baseLoader, options.jsonLdLimits)
  const maxProofs = options.maxProofs ?? 8
  if (!Number.isInteger(maxProofs) || maxProofs < 1 || maxProofs > PROOF_LIMIT)
    throw new CredsignError(
      'invalid_argument',
      `maxProofs must be an integer from 1 to ${PROOF_LIMIT}`,
    )
  if (
    options.proofPurpose !== undefined &&
    (typeof options.proofPurpose !== 'string' || options.proofPurpose.length === 0)
  ) {
    throw new CredsignError('invalid_argument', 'proofPurpose must be a non-empty string')
  }
  const contextPolicy = contextPolicyOf(options)
  return {
    name: 'data-integrity',
    // Any object with a `proof` member is ours: a malformed one (`[]`, `null`, a string) is `proof_invalid`, not "format not enabled".
    detect: (input) => isJsonObject(input) && Object.hasOwn(input, 'proof'),
    verify: async (input, verifyOptions, context) => {
      try {
        return await verifyDocument(input as JsonObject, verifyOptions, context, {
          loader,
          maxProofs,
          proofPurpose: options.proofPurpose,
          contextPolicy,
        })
      } catch (error) {
        // The never-throw backstop: every expected failure is recorded as it happens.
        const builder = new ResultBuilder('data-integrity')
        builder.fail(
          'format',
          CredsignError.is(error) ? error.code : 'malformed',
          CredsignError.is(error) ? error.message : 'the document could not be verified',
        )
        return builder.result()
      }
    },
  }
}

interface HandlerSettings {
  loader: DocumentLoader
  maxProofs: number
  proofPurpose: string | undefined
  contextPolicy: ContextPolicy
}

const VC_TYPE_IRI = 'https://www.w3.org/2018/credentials#VerifiableCredential'
const VP_TYPE_IRI = 'https://www.w3.org/2018/credentials#VerifiablePresentation'

/**
 * What the document is. A proof covers RDF, not JSON: the same credential can be written with
 * `@type` for `type`, or its type as a full IRI, and still verify, so the JSON alone must not be
 * able to turn a credential into a "plain document" whose data model and validity nobody checks. A
 * document whose first context is a VCDM context is a credential unless typed as a presentation (as
 * the signer decides), so a credential without the literal `type` fails the data model check.
 */
function documentKind(document: JsonObject): 'credential' | 'presentation' | undefined {
  const types = [...(typesOf(document.type) ?? []), ...(typesOf(document['@type']) ?? [])]
  if (types.includes('VerifiablePresentation') || types.includes(VP_TYPE_IRI)) return 'presentation'
  if (
    types.includes('VerifiableCredential') ||
    types.includes(VC_TYPE_IRI) ||
    dataModelVersion(document) !== undefined
  )
    return 'credential'
  return undefined
}

/**
 * The context policy of one call: `verify()`'s `allowedContexts`, when given, replaces the
 * handler's.
 */
function policyFor(options: VerifyOptions, handlerPolicy: ContextPolicy): ContextPolicy {
  const perCall: unknown = options.allowedContexts
  if (perCall === undefined) return handlerPolicy
  return { ...handlerPolicy, allowedContexts: allowedContextSet(perCall) }
}

async function verifyDocument(
  document: JsonObject,
  options: VerifyOptions,
  context: VerifyContext,
  settings: HandlerSettings,
): Promise<VerificationResult> {
  const builder = new ResultBuilder('data-integrity')
  const kind = documentKind(document)
  builder.pass('format', `Data Integrity-secured ${kind ?? 'document'}`)
  if (kind !== undefined) builder.extra[kind] = document

  const proofs = Array.isArray(document.proof) ? document.proof : [document.proof]
  if (!checkProofList(proofs, settings.maxProofs, builder)) return builder.result()
  // Before any key is resolved: what the contexts may say decides whether the proofs matter at all.
  try {
    await checkContextPolicy(document, policyFor(options, settings.contextPolicy), settings.loader)
    checkContextsSigned(document, proofs)
    builder.pass('context')
  } catch (error) {
    if (!CredsignError.is(error)) throw error
    builder.fail('context', error.code, error.message)
    return builder.result()
  }

  if (kind !== undefined) checkDocumentModel(kind, document, builder, [], true)

  const now = epochMilliseconds(options.now)
  const toleranceSeconds = options.clockToleranceSeconds ?? 60
  const proofPurpose = expectedPurpose(kind, options, settings.proofPurpose)
  const verified: VerifiedProof[] = []
  const canonicalDocuments = new Map<string, Promise<string>>()
  for (const [index, proof] of proofs.entries()) {
    const path = proofs.length === 1 && !Array.isArray(document.proof) ? 'proof' : `proof[${index}]`
    try {
      verified.push(
        await verifyProof(document, proofs, proof, {
          resolver: options.resolver ?? defaultResolver(),
          documentLoader: settings.loader,
          proofPurpose,
          ...(options.nonce === undefined ? {} : { challenge: options.nonce }),
          ...(options.audience === undefined ? {} : { domain: options.audience }),
          ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
          checkTimes: options.checkValidity !== false,
          canonicalDocuments,
          now,
          toleranceMs: toleranceSeconds * 1000,
        }),
      )
      builder.pass(
        'signature',
        `${path}: ${String(proof.type)}${typeof proof.cryptosuite === 'string' ? ` ${proof.cryptosuite}` : ''} by ${clip(String(proof.verificationMethod))}`,
      )
    } catch (error) {
      if (isProofCheckError(error))
        builder.fail(error.check, error.code, `${path}: ${error.message}`, path)
      else throw error
    }
  }
  const first = verified[0]
  if (first !== undefined) builder.extra.key = keySummary(first.key)
  if (builder.failed) return builder.result()
  // Every proof passed these per-proof checks: record them once, so that verify() can see that
  // each expectation the caller passed was checked (it refuses a verdict that skipped one).
  if (options.algorithms !== undefined)
    builder.pass(
      'algorithm',
      [...new Set(verified.map((proof) => jwkKeyAlgorithm(proof.key.publicJwk)))].join(', '),
    )
  builder.pass('proof_purpose', proofPurpose)
  if (options.nonce !== undefined) builder.pass('nonce', 'every proof has the expected challenge')
  if (options.audience !== undefined) builder.pass('audience', options.audience)

  if (kind !== undefined) checkBinding(document, kind, verified, options, builder)
  if (kind === 'credential') {
    if (options.checkValidity === false)
      builder.pass('validity', 'not checked (checkValidity: false)')
    else if (checkCredentialPeriod(document, now, toleranceSeconds, builder))
      builder.pass('validity')
  }
  if (kind === 'presentation') await checkEmbeddedCredentials(document, options, context, builder)
  return builder.result()
}

/**
 * The purpose every proof of `document` must have: the handler's `proofPurpose` for the document
 * the caller gave `verify()`; for a credential inside a presentation or a status list (verified
 * under another party's identity, VERIFIER_AUDIENCE), the default of its kind, as Digital Bazaar's
 * vc.verify keeps CredentialIssuancePurpose for a presentation's credentials whatever the
 * presentation's purpose. A purpose named for presentations must not make an issuer's
 * authentication proof (a login, a challenge answer) pass for an assertion it made.
 */
function expectedPurpose(
  kind: 'credential' | 'presentation' | undefined,
  options: VerifyOptions,
  configured: string | undefined,
): string {
  const nested = (options as AudienceOptions)[VERIFIER_AUDIENCE] !== undefined
  if (configured !== undefined && !nested) return configured
  return kind === 'presentation' ? 'authentication' : 'assertionMethod'
}

/**
 * Every entry a proof object, within the limit, ids unique, every `previousProof` naming one of
 * them.
 */
function checkProofList(
  proofs: unknown[],
  maxProofs: number,
  builder: ResultBuilder,
): proofs is JsonObject[] {
  if (proofs.length === 0) {
    builder.fail('proof', 'proof_invalid', 'the proof list is empty')
    return false
  }
  if (proofs.length > maxProofs) {
    builder.fail(
      'proof',
      'proof_invalid',
      `the document has ${proofs.length} proofs; at most ${maxProofs} are verified (maxProofs)`,
    )
    return false
  }
  if (!proofs.every(isJsonObject)) {
    builder.fail('proof', 'proof_invalid', 'every proof must be a JSON object')
    return false
  }
  const ids = new Set<unknown>()
  for (const proof of proofs) {
    if (proof.id === undefined) continue
    if (ids.has(proof.id)) {
      builder.fail('proof', 'proof_invalid', `two proofs have the id ${clip(String(proof.id))}`)
      return false
    }
    ids.add(proof.id)
  }
  for (const [index, proof] of proofs.entries()) {
    let named: string[]
    try {
      named = previousProofIds(proof.previousProof)
    } catch (error) {
      builder.fail(
        'proof',
        'proof_invalid',
        `proof[${index}]: ${(error as Error).message}`,
        `proof[${index}]`,
      )
      return false
    }
    for (const id of named) {
      if (id === proof.id) {
        builder.fail(
          'proof',
          'previous_proof_missing',
          `proof[${index}]: a proof cannot endorse itself`,
          `proof[${index}]`,
        )
        return false
      }
      if (!ids.has(id)) {
        builder.fail(
          'proof',
          'previous_proof_missing',
          `proof[${index}]: previousProof ${clip(id)} is not a proof of this document`,
          `proof[${index}]`,
        )
        return false
      }
    }
  }
  builder.pass('proof', `${proofs.length} proof(s)`)
  return true
}

/**
 * Some proof's key is controlled by the issuer (credentials) or the holder (presentations, when
 * named).
 */
function checkBinding(
  document: JsonObject,
  kind: 'credential' | 'presentation',
  verified: VerifiedProof[],
  options: VerifyOptions,
  builder: ResultBuilder,
): void {
  const party = idOf(kind === 'credential' ? document.issuer : document.holder)
  if (party !== undefined) builder.extra.issuer = party
  if (options.issuerBinding === false) {
    builder.pass('issuer_binding', 'not checked (issuerBinding: false)')
    return
  }
  if (party === undefined) {
    if (kind === 'presentation') builder.pass('issuer_binding', 'no holder to bind')
    else builder.fail('issuer_binding', 'issuer_mismatch', 'the credential names no issuer')
    return
  }
  const bound = verified.find((proof) => proof.key.controller === party)
  if (bound !== undefined) {
    builder.extra.key = keySummary(bound.key)
    builder.pass('issuer_binding', party)
    return
  }
  const controllers = verified
    .map((proof) => proof.key.controller)
    .filter((c): c is string => c !== undefined)
  builder.fail(
    'issuer_binding',
    'issuer_mismatch',
    controllers.length === 0
      ? "nothing says who controls the proof's key: give the resolver the key's controller or pass issuerBinding: false"
      : `no proof is by a key of the ${kind === 'credential' ? 'issuer' : 'holder'} ${clip(party)} (keys controlled by ${controllers.map(clip).join(', ')})`,
  )
}

function keySummary(key: ResolvedKey): { id: string; controller?: string } {
  return key.controller === undefined ? { id: key.id } : { id: key.id, controller: key.controller }
}
