import { CredsignError } from '../errors/credsign-error.js'
import { loadX509 } from './lazy.js'
import type { CertificateInput } from './parse.js'

/**
 * The certificates a verifier trusts as the roots of `x5c` chains, made by
 * {@link createTrustAnchors} and passed to `verify()` as `trustAnchors`. An object rather than a
 * plain list on purpose: it carries the loader of the X.509 code (and pkijs), so an application
 * that never creates one never loads or bundles any of it.
 *
 * @example
 *
 * ```ts
 * import { createTrustAnchors, verify, type TrustAnchors } from 'credsign'
 * declare const rootPem: string, sdJwt: string
 * const anchors: TrustAnchors = createTrustAnchors([rootPem])
 * const result = await verify(sdJwt, { trustAnchors: anchors })
 * ```
 */
export interface TrustAnchors {
  /** The certificates as given (PEM, DER or base64 DER each; a PEM string may hold several). */
  readonly certificates: readonly CertificateInput[]
  /**
   * Loads the X.509 implementation (verify() calls this only for a token with `x5c`).
   *
   * @internal
   */
  readonly load: () => ReturnType<typeof loadX509>
}

/**
 * Trust anchors for `verify()`'s `trustAnchors` option: the CA certificates an issuer's `x5c` chain
 * must lead to (PEM text, which may hold several certificates; DER bytes; or base64 DER). They are
 * parsed on first use, and a bad one makes that verification fail with `invalid_argument`. Throws
 * `invalid_argument` here when `certificates` is not a non-empty list of strings and bytes.
 *
 * @example
 *
 * ```ts
 * import { createTrustAnchors, verify } from 'credsign'
 * declare const rootPem: string, sdJwt: string
 * const trustAnchors = createTrustAnchors([rootPem])
 * const result = await verify(sdJwt, { trustAnchors })
 * result.checks.find((check) => check.name === 'certificate_chain') // leaf → trust anchor
 * ```
 */
export function createTrustAnchors(
  certificates: CertificateInput | readonly CertificateInput[],
): TrustAnchors {
  const list: unknown[] = Array.isArray(certificates) ? [...certificates] : [certificates]
  if (
    list.length === 0 ||
    !list.every((entry) => typeof entry === 'string' || entry instanceof Uint8Array)
  )
    throw new CredsignError(
      'invalid_argument',
      'trust anchors are one or more certificates: PEM or base64 strings, DER bytes',
    )
  return Object.freeze({
    // Bytes copied: verify() remembers a frozen list's content by identity (x5c-key.ts), so the
    // caller's buffer must not change under it.
    certificates: Object.freeze(
      (list as CertificateInput[]).map((entry) =>
        entry instanceof Uint8Array ? entry.slice() : entry,
      ),
    ),
    load: loadX509,
  })
}
