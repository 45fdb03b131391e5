import { CredsignError } from '../errors/credsign-error.js'
import { verifyWith } from '../verify/engine.js'
import type {
  FormatHandler,
  StatusChecker,
  VerificationCheck,
  VerificationResult,
  VerifyOptions,
} from '../verify/types.js'

/**
 * What {@link createVerifier} builds a verifier from.
 *
 * @example
 *
 * ```ts
 * import { joseHandler, statusListChecker, type VerifierOptions } from 'credsign'
 * const options: VerifierOptions = {
 *   handlers: [joseHandler],
 *   statusCheckers: [statusListChecker],
 * }
 * ```
 */
export interface VerifierOptions {
  /**
   * The format handlers, tried in order (the first whose `detect` accepts the input verifies it):
   * `joseHandler` (JWS, JWT, JWT-VC/VP), `sdJwtHandler`, `envelopedHandler`,
   * `dataIntegrityHandler()` from `credsign/data-integrity`. Put `sdJwtHandler` before
   * `joseHandler` when you pass both, as `verify()` does. An input no handler takes fails
   * (`format_not_enabled` when it is a format credsign knows).
   */
  handlers: readonly FormatHandler[]
  /**
   * Status checks run on every verified credential (`statusListChecker`). Without one, a
   * credential's status is a visible `status_unchecked` check (as `verify()` without
   * `statusLists`), and a call that passes `statusLists` throws `invalid_argument`.
   */
  statusCheckers?: readonly StatusChecker[]
}

/**
 * A verifier made by {@link createVerifier}: `verify()`'s contract (never throws for bad input;
 * `verified` is true exactly when `errors` is empty; throws `invalid_argument` only for malformed
 * options) over the handlers it was made with.
 *
 * @example
 *
 * ```ts
 * import { createVerifier, joseHandler, type Verifier } from 'credsign'
 * const verifyJwt: Verifier = createVerifier({ handlers: [joseHandler] })
 * const result = await verifyJwt('not.a.jwt')
 * result.verified // false
 * ```
 */
export type Verifier = (input: unknown, options?: VerifyOptions) => Promise<VerificationResult>

/**
 * Makes a `verify()` that knows only the formats you name, so a browser bundle carries only their
 * code: `createVerifier({ handlers: [joseHandler] })` verifies JWS, JWT and JWT-VC/VP with the same
 * checks as `verify()` (the same engine and handler), without the SD-JWT, envelope and status list
 * code. Nothing is skipped silently: an input that needs a handler you did not pass fails
 * (`format_not_enabled`, or the handler's own error for a credential embedded in a presentation); a
 * credential's status without a status checker is a `status_unchecked` check, and `statusLists`
 * without one is refused (`invalid_argument`); relatedResource digests are checked as `verify()`
 * checks them (that code loads on first use). `options.handlers` of a call are tried after these.
 *
 * @example
 *
 * ```ts
 * import {
 *   JwtVcSigner,
 *   KeyVault,
 *   MemoryStore,
 *   asDidSigner,
 *   createVerifier,
 *   joseHandler,
 * } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s1'] })
 * const jwt = await new JwtVcSigner(asDidSigner(await vault.unlock('issuer', ['s1']))).sign({
 *   '@context': ['https://www.w3.org/ns/credentials/v2'],
 *   type: ['VerifiableCredential'],
 *   credentialSubject: { id: 'did:example:alice' },
 * })
 * const verifyJwt = createVerifier({ handlers: [joseHandler] })
 * const result = await verifyJwt(jwt)
 * console.log(result.verified, result.format) // true 'vc+jwt'
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  if (options === null || typeof options !== 'object')
    throw new CredsignError('invalid_argument', 'createVerifier options must be an object')
  const { handlers, statusCheckers = [] } = options
  if (!Array.isArray(handlers) || handlers.length === 0)
    throw new CredsignError('invalid_argument', 'createVerifier needs at least one format handler')
  for (const handler of handlers) {
    if (!handler || typeof handler.detect !== 'function' || typeof handler.verify !== 'function')
      throw new CredsignError('invalid_argument', 'every handler needs detect() and verify()')
  }
  if (!Array.isArray(statusCheckers) || statusCheckers.some((c) => typeof c !== 'function'))
    throw new CredsignError('invalid_argument', 'statusCheckers must be an array of functions')
  const ownHandlers = [...handlers]
  const steps: StatusChecker[] =
    statusCheckers.length > 0 ? [...statusCheckers] : [statusNotChecked]
  return async (input, callOptions = {}) => {
    if (
      statusCheckers.length === 0 &&
      callOptions !== null &&
      typeof callOptions === 'object' &&
      callOptions.statusLists !== undefined
    )
      throw new CredsignError(
        'invalid_argument',
        'statusLists needs a status checker: createVerifier({ handlers, statusCheckers: [statusListChecker] })',
      )
    // callOptions.handlers is checked by the engine before it is used; a non-array fails there.
    const extra = Array.isArray(callOptions?.handlers) ? callOptions.handlers : []
    return verifyWith(input, callOptions, [...ownHandlers, ...extra], steps)
  }
}

/**
 * The status step of a verifier without status checkers: a verified credential that names a status
 * (W3C `credentialStatus`, a JWT / SD-JWT `status` claim) gets a `status_unchecked` check that did
 * not pass (visible, not an error), as `verify()` records it without `statusLists`.
 */
const statusNotChecked: StatusChecker = async (result) => {
  if (!result.verified || result.errors.length > 0 || result.presentation !== undefined)
    return result
  const paths: string[] = []
  if (result.credential !== undefined && result.credential.credentialStatus !== undefined)
    paths.push('credentialStatus')
  const payload = result.payload
  if (
    payload !== null &&
    typeof payload === 'object' &&
    !Array.isArray(payload) &&
    (payload as Record<string, unknown>).status !== undefined
  )
    paths.push('status')
  if (paths.length === 0) return result
  const checks: VerificationCheck[] = paths.map((path) => ({
    name: 'status_unchecked',
    passed: false,
    detail: `${path}: not checked (this verifier has no status checker: nothing is fetched)`,
  }))
  return { ...result, checks: [...result.checks, ...checks] }
}
