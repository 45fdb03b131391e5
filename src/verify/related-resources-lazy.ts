// relatedResource digests (VCDM 2.0 section 5.3) need @noble/hashes, the multibase codecs and the
// table of bundled context digests; few credentials name a related resource. The verify engine and
// the signers reach that code through here, so it loads (an `import()`, a lazy chunk in a browser
// bundle) only for a document that has `relatedResource`, and is never skipped for one: a failed
// load is an exception, which the engine turns into a failed verification and a signer into a
// refusal to sign.
import type { VerificationResult } from './types.js'
import type { RelatedResourceOptions } from './related-resources.js'

type RelatedResourcesModule = typeof import('./related-resources.js')

let loading: Promise<RelatedResourcesModule> | undefined

function relatedResourcesModule(): Promise<RelatedResourcesModule> {
  loading ??= import('./related-resources.js').catch((error: unknown) => {
    // A failed load (a bundler's chunk not found) is retried by the next document.
    loading = undefined
    throw error
  })
  return loading
}

/**
 * `withRelatedResourceChecks` for a result whose document names related resources; any other result
 * is returned as it is, without loading anything.
 *
 * @internal
 */
export async function withRelatedResourceChecksWhenNamed(
  result: VerificationResult,
  options: RelatedResourceOptions | undefined,
): Promise<VerificationResult> {
  const document = result.credential ?? result.presentation
  if (document === undefined || document.relatedResource === undefined) return result
  const { withRelatedResourceChecks } = await relatedResourcesModule()
  return withRelatedResourceChecks(result, options)
}

/**
 * `refuseMismatchedRelatedResources` for a document that names related resources; nothing to check
 * (or load) for any other.
 *
 * @internal
 */
export async function refuseMismatchedRelatedResourcesWhenNamed(
  document: Record<string, unknown>,
  options: Pick<RelatedResourceOptions, 'documents'> = {},
): Promise<void> {
  if (document.relatedResource === undefined) return
  const { refuseMismatchedRelatedResources } = await relatedResourcesModule()
  await refuseMismatchedRelatedResources(document, options)
}
