import { checkCredentialStatus } from './check-status.js'
import type { StatusChecker } from '../verify/types.js'

/**
 * The status check `verify()` runs, for verifiers made by `createVerifier`: with
 * `options.statusLists` (`createStatusListResolver`) every `BitstringStatusListEntry` and
 * `status.status_list` of a verified credential is checked (revoked: `status_revoked`, suspended:
 * `status_suspended`, a list that cannot be had or checked: an error); without it each status is a
 * `status_unchecked` check. A status list credential is verified with the same verifier, so pass
 * the handlers of the lists' format too (`joseHandler` for JWT lists).
 *
 * @example
 *
 * ```ts
 * import {
 *   createStatusListResolver,
 *   createVerifier,
 *   joseHandler,
 *   statusListChecker,
 * } from 'credsign'
 * const verifyJwt = createVerifier({
 *   handlers: [joseHandler],
 *   statusCheckers: [statusListChecker],
 * })
 * const statusLists = createStatusListResolver({ fetch: globalThis.fetch })
 * const result = await verifyJwt('eyJhbGciOiJFZERTQSJ9.e30.c2ln', { statusLists })
 * result.verified // false: not a valid JWT
 * ```
 */
export const statusListChecker: StatusChecker = checkCredentialStatus
