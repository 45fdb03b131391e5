import type { ErrorCode } from '../errors/credsign-error.js'
import type { VerificationCheck, VerificationIssue, VerificationResult } from '../verify/types.js'
import { clientMessage } from './problem.js'

/*
 * A verification's checks as a client may see them. A failed check's detail is the message of the
 * error it raised (`ResultBuilder.fail`), and that message can be a server's: a resolver's network
 * error names an internal host, a store's names a file path. Each failed check is paired with its
 * error and its detail passes the same filter as a problem's (`clientMessage`: a server fault gets
 * its fixed text); a failed check whose error cannot be found keeps no detail.
 */

/** A check as the client sees it; a failed one has the code of its error. @internal */
export interface ClientCheck extends VerificationCheck {
  code?: ErrorCode
}

/**
 * The checks of a result, filtered for the client, and the errors no failed check accounts for.
 *
 * @internal
 */
export function clientChecks(result: Pick<VerificationResult, 'checks' | 'errors'>): {
  checks: ClientCheck[]
  unpaired: VerificationIssue[]
} {
  const unpaired = [...result.errors]
  const checks = result.checks.map((check): ClientCheck => {
    if (check.passed)
      return check.detail === undefined
        ? { name: check.name, passed: true }
        : { name: check.name, passed: true, detail: check.detail }
    const index = unpaired.findIndex((e) => e.message === check.detail)
    if (index === -1) return { name: check.name, passed: false }
    const error = unpaired.splice(index, 1)[0]!
    return {
      name: check.name,
      passed: false,
      code: error.code,
      detail: clientMessage(error.code, error.message),
    }
  })
  return { checks, unpaired }
}
