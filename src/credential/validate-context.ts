import { VC_V1_CONTEXT, VC_V2_CONTEXT } from './contexts.js'
import type { VcVersion } from './types.js'
import { isAbsoluteUrl, isJsonObject, joinPath, type Problems } from './validate-shared.js'

/**
 * Checks `@context`: present, an ordered set whose first entry is the base context of `version`,
 * every other entry a URL or an inline context object; `protectedTerms`: and no inline context
 * redefining a top-level term of the VCDM 2.0 base context (off for Data Integrity, whose JSON-LD
 * processing refuses it with its own code). Whether the URLs resolve and what else inline contexts
 * define is JSON-LD processing, left to Data Integrity (JWT formats never expand).
 */
export function checkContext(
  document: Record<string, unknown>,
  version: VcVersion,
  problems: Problems,
  path: string,
  protectedTerms = true,
): void {
  const at = joinPath(path, '@context')
  const context = document['@context']
  if (context === undefined) {
    problems.add(at, '@context is required')
    return
  }
  const entries = Array.isArray(context) ? (context as unknown[]) : [context]
  const base = version === '2.0' ? VC_V2_CONTEXT : VC_V1_CONTEXT
  if (entries[0] !== base) {
    problems.add(joinPath(at, 0), `the first @context entry must be ${base}`)
  }
  entries.forEach((entry, index) => {
    if (index === 0) return
    checkEntry(entry, { baseAllowed: false }, problems, joinPath(at, index))
    if (protectedTerms && version === '2.0' && isJsonObject(entry)) {
      for (const term of V2_PROTECTED_TERMS)
        if (
          Object.hasOwn(entry, term) &&
          !((term === 'id' || term === 'type') && entry[term] === `@${term}`)
        )
          problems.add(
            joinPath(joinPath(at, index), term),
            `an inline @context must not redefine ${term}, a protected term of ${VC_V2_CONTEXT}`,
          )
    }
  })
}

/**
 * The top-level terms of the VCDM 2.0 base context, all `@protected`. JSON-LD refuses a document
 * whose own context redefines one, so a JOSE-secured document, which is never expanded, must not
 * carry one either (VC-JOSE-COSE, Validation: the verified document is well-formed compact
 * JSON-LD), or its reader would take `VerifiableCredential`, `iss` or `name` to mean what the
 * inline context says. Stricter than JSON-LD in one way: a definition identical to the base
 * context's is refused too (only the keyword aliases `id: "@id"` and `type: "@type"` pass), as
 * nothing needs to restate the base context. Type-scoped terms (`issuer`, `credentialSubject`, …)
 * are not here: the base context's type-scoped definitions replace an inline one where they apply.
 * Kept equal to the bundled context's top-level terms by test/core/vc-protected-terms.test.ts (the
 * bundled context is in the Data Integrity chunk, which the JOSE formats do not load).
 *
 * @example
 *
 * ```ts
 * V2_PROTECTED_TERMS.includes('VerifiableCredential') // true
 * ```
 *
 * @internal
 */
export const V2_PROTECTED_TERMS: readonly string[] = /* @__PURE__ */ (
  'id type description digestMultibase digestSRI mediaType name VerifiableCredential ' +
  'EnvelopedVerifiableCredential VerifiablePresentation EnvelopedVerifiablePresentation ' +
  'JsonSchemaCredential JsonSchema BitstringStatusListCredential BitstringStatusList ' +
  'BitstringStatusListEntry DataIntegrityProof ... _sd _sd_alg aud cnf exp iat iss jku kid nbf ' +
  'sub x5u'
).split(' ')

/**
 * Checks the `@context` of an `EnvelopedVerifiableCredential` or `EnvelopedVerifiablePresentation`
 * (VCDM 2.0 sections 4.13.1 and 4.13.2): present, and the base context
 * (`https://www.w3.org/ns/credentials/v2`) first, then URLs or inline context objects. The spec
 * asks for "a context, such as the base context", that defines `id`, `type` and the envelope type;
 * no other published context defines them, and the W3C suite refuses an envelope whose only context
 * is another one (`https://www.w3.org/ns/credentials/examples/v2`), so the base context is
 * required.
 */
export function checkEnvelopeContext(
  document: Record<string, unknown>,
  problems: Problems,
  path: string,
  envelopeType = 'EnvelopedVerifiableCredential',
): void {
  const at = joinPath(path, '@context')
  const context = document['@context']
  if (context === undefined) {
    problems.add(
      at,
      `an ${envelopeType} needs an @context (the base context ${VC_V2_CONTEXT} defines its terms)`,
    )
    return
  }
  const entries = Array.isArray(context) ? (context as unknown[]) : [context]
  if (entries.length === 0) {
    problems.add(
      at,
      `@context must not be empty: an ${envelopeType} needs the base context ${VC_V2_CONTEXT}`,
    )
    return
  }
  if (entries[0] !== VC_V2_CONTEXT)
    problems.add(
      Array.isArray(context) ? joinPath(at, 0) : at,
      `the first @context entry of an ${envelopeType} must be ${VC_V2_CONTEXT}`,
    )
  entries.forEach((entry, index) => {
    if (index > 0) checkEntry(entry, { baseAllowed: false }, problems, joinPath(at, index))
  })
}

/**
 * One `@context` entry: a URL (a base context only where `baseAllowed`) or an inline context
 * object.
 */
function checkEntry(
  entry: unknown,
  rules: { baseAllowed: boolean },
  problems: Problems,
  at: string,
): void {
  if (typeof entry === 'string') {
    if (!isAbsoluteUrl(entry)) problems.add(at, '@context entries must be URLs or objects')
    else if (!rules.baseAllowed && (entry === VC_V1_CONTEXT || entry === VC_V2_CONTEXT))
      problems.add(at, 'a base context may appear only first')
  } else if (!isJsonObject(entry)) {
    problems.add(at, '@context entries must be URLs or objects')
  }
}
