// The option check of `relatedResources`, apart from the digest code (related-resources.ts, with
// @noble/hashes and the bundled context digests): every verify() call validates its options, but
// only a credential that names a related resource loads the code that checks one.
import { CredsignError } from '../errors/credsign-error.js'

/**
 * Throws `invalid_argument` for a malformed `relatedResources` option (a programming error).
 *
 * @internal
 */
export function checkRelatedResourceOptions(options: unknown): void {
  if (options === undefined) return
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new CredsignError('invalid_argument', 'relatedResources must be an object')
  const { documents, load, required } = options as Record<string, unknown>
  if (documents !== undefined) {
    if (documents === null || typeof documents !== 'object' || Array.isArray(documents))
      throw new CredsignError(
        'invalid_argument',
        'relatedResources.documents must be an object of URL → bytes or text',
      )
    for (const content of Object.values(documents)) {
      if (!(content instanceof Uint8Array) && typeof content !== 'string')
        throw new CredsignError(
          'invalid_argument',
          'relatedResources.documents values must be Uint8Array or string',
        )
    }
  }
  if (load !== undefined && typeof load !== 'function')
    throw new CredsignError('invalid_argument', 'relatedResources.load must be a function')
  if (required !== undefined && typeof required !== 'boolean')
    throw new CredsignError('invalid_argument', 'relatedResources.required must be a boolean')
}
