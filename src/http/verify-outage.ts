import { CredsignError } from '../errors/credsign-error.js'
import { STORE_FAILURE_CODES } from '../errors/store-failure.js'
import type { VerificationResult } from '../verify/types.js'

/**
 * The outage behind a failed verification, as the error a verify route throws, or `undefined` when
 * the verdict is the credential's own. A verification that failed because the verifier's own key
 * store failed (`store_unavailable`, `store_corrupt`: {@link STORE_FAILURE_CODES}, in the document's
 * errors or any embedded credential's) says nothing about the credential: a 422 `verified: false`
 * would tell the client "this credential is invalid" when the truth is "the verifier is down". The
 * route answers it as a problem with the code's own status instead (503 / 500), with the fixed
 * detail of a server fault and the store's message only in the log.
 *
 * Only those codes count. A credential cannot raise them by itself: the store raises them for its
 * own state, never for the reference it is asked about (src/errors/store-failure.ts). Everything
 * else a credential controls (an unreachable did:web host or status list URL:
 * `key_resolution_failed`, `status_list_unavailable`; `crypto_unavailable` from input that reached
 * a platform primitive) stays a verdict.
 *
 * @internal
 */
export function verificationOutage(result: VerificationResult): CredsignError | undefined {
  if (result.verified) return undefined
  for (const issue of result.errors)
    if (STORE_FAILURE_CODES.has(issue.code)) return new CredsignError(issue.code, issue.message)
  for (const embedded of result.credentials ?? []) {
    const outage = verificationOutage(embedded)
    if (outage !== undefined) return outage
  }
  return undefined
}
