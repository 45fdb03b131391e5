import type { VerificationResult } from './types.js'

/**
 * `VerifyOptions.allowedContexts` for every format: the credential or presentation a handler
 * verified may name no JSON-LD context outside the list. The Data Integrity handler applies the
 * list itself (with its document loader, before any key is resolved) and records a `context` check;
 * for the other formats (a `vc+jwt`, a `vc+sd-jwt`, a plug-in handler's) the engine reads the
 * verified document's `@context` here, so the option is never silently ignored. A document with no
 * `@context` (an SD-JWT VC, a plain JWT) names none, so none is outside the list.
 *
 * @internal
 */
export function withAllowedContexts(
  result: VerificationResult,
  allowed: readonly string[] | undefined,
): VerificationResult {
  if (
    allowed === undefined ||
    !result.verified ||
    result.checks.some((check) => check.name === 'context')
  )
    return result
  const document = result.presentation ?? result.credential
  if (document === undefined) return result
  const entries =
    document['@context'] === undefined
      ? []
      : Array.isArray(document['@context'])
        ? document['@context']
        : [document['@context']]
  const outside = entries.find((entry) => typeof entry !== 'string' || !allowed.includes(entry))
  if (outside === undefined) {
    return {
      ...result,
      checks: [
        ...result.checks,
        { name: 'context', passed: true, detail: `${entries.length} context(s), all allowed` },
      ],
    }
  }
  const shown =
    typeof outside === 'string' ? JSON.stringify(outside.slice(0, 100)) : 'an inline context object'
  const message = `@context names ${shown}, which allowedContexts does not list`
  return {
    ...result,
    verified: false,
    checks: [...result.checks, { name: 'context', passed: false, detail: message }],
    errors: [...result.errors, { code: 'context_not_allowed', message, path: '@context' }],
  }
}
