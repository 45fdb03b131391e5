import { CredsignError } from '../errors/credsign-error.js'
import { copyBytes } from '../util/bytes.js'
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
  /** The leaf's extKeyUsage must list one of these OIDs (see {@link TrustAnchorOptions}). */
  readonly requiredExtendedKeyUsage?: readonly string[]
  /** Certificate revocation checking, when configured (see {@link RevocationOptions}). */
  readonly revocation?: Readonly<Required<RevocationOptions>>
}

/**
 * A `fetch` for revocation data: the WHATWG signature, so `globalThis.fetch` or a wrapper of it (an
 * allow-list, a proxy) fits.
 *
 * @example
 *
 * ```ts
 * import type { RevocationFetch } from 'credsign'
 * const onlyOurCa: RevocationFetch = (url, init) => {
 *   if (!url.startsWith('http://crl.ca.example/')) throw new Error(`not fetched: ${url}`)
 *   return fetch(url, init)
 * }
 * ```
 */
export type RevocationFetch = (url: string, init: RequestInit) => Promise<Response>

/**
 * Certificate revocation checking for `x5c` chains (CRL and OCSP, RFC 5280 / RFC 6960), through the
 * caller's `fetch` only: without this option nothing is fetched. For every certificate of the path
 * but the trust anchor, credsign reads its cRLDistributionPoints (http/https URIs) and its
 * authorityInfoAccess OCSP URI, fetches them (bounded in time and size, no redirects), verifies the
 * CRL or OCSP response against the certificate's issuer and the verification time, and refuses a
 * revoked certificate (`certificate_revoked`). See docs/x509.md.
 *
 * @example
 *
 * ```ts
 * import { createTrustAnchors, type RevocationOptions } from 'credsign'
 * declare const rootPem: string
 * const revocation: RevocationOptions = { fetch, mode: 'require', timeoutMs: 3000 }
 * const trustAnchors = createTrustAnchors([rootPem], { revocation })
 * ```
 */
export interface RevocationOptions {
  /** How CRLs and OCSP responses are fetched (GET only; redirects are refused). */
  fetch: RevocationFetch
  /**
   * `'require'` (the default): every certificate of the path must have a valid answer saying it is
   * not revoked: no CRL or OCSP pointer, a fetch that fails, or data that does not verify is
   * `revocation_unavailable` / `revocation_invalid`. `'if-available'`: a certificate without a
   * pointer, or whose revocation data cannot be fetched, passes (the check says so); data that was
   * fetched and does not verify is still `revocation_invalid`, and revoked is always revoked.
   */
  mode?: 'require' | 'if-available'
  /** The most bytes of one CRL or OCSP response (default 1 MiB, at most 64 MiB). */
  maxBytes?: number
  /**
   * One fetch's time limit in ms (default 5000, at most 600000); also how long a verification waits
   * for a fetch of the same CRL or OCSP answer that another verification began.
   */
  timeoutMs?: number
  /**
   * How long a verified CRL or OCSP answer is reused at most, in ms (default 3600000); never past
   * its nextUpdate. 0 disables the cache (and the sharing of a fetch begun before this
   * verification's revocation check did).
   */
  cacheMs?: number
}

/**
 * The policy options of {@link createTrustAnchors}.
 *
 * @example
 *
 * ```ts
 * import { createTrustAnchors, type TrustAnchorOptions } from 'credsign'
 * declare const rootPem: string
 * // ISO/IEC 18013-5's document signer purpose, for an ecosystem that mandates it on issuer keys
 * const options: TrustAnchorOptions = { requiredExtendedKeyUsage: ['1.0.18013.5.1.2'] }
 * const trustAnchors = createTrustAnchors([rootPem], options)
 * ```
 */
export interface TrustAnchorOptions {
  /**
   * Object identifiers (dotted) of which the leaf's extKeyUsage must list at least one; a leaf
   * without extKeyUsage, or with only anyExtendedKeyUsage, is then
   * `certificate_extended_key_usage`. Without this option the rule is RFC 5280's: a leaf whose
   * extKeyUsage lists only purposes that are not signing credentials (serverAuth, clientAuth,
   * codeSigning, …) is refused.
   */
  requiredExtendedKeyUsage?: readonly string[]
  /** Check certificate revocation through the caller's fetch (nothing is fetched without it). */
  revocation?: RevocationOptions
}

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/

function limit(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new CredsignError('invalid_argument', `${name} must be an integer from ${min} to ${max}`)
  return value
}

function revocationOptions(value: unknown): Readonly<Required<RevocationOptions>> {
  if (typeof value !== 'object' || value === null)
    throw new CredsignError('invalid_argument', 'revocation must be an object with a fetch')
  const options = value as Partial<RevocationOptions>
  if (typeof options.fetch !== 'function')
    throw new CredsignError('invalid_argument', 'revocation.fetch must be a function')
  const mode = options.mode ?? 'require'
  if (mode !== 'require' && mode !== 'if-available')
    throw new CredsignError(
      'invalid_argument',
      "revocation.mode must be 'require' or 'if-available'",
    )
  return Object.freeze({
    fetch: options.fetch,
    mode,
    maxBytes: limit(options.maxBytes, 'revocation.maxBytes', 1024 * 1024, 1, 64 * 1024 * 1024),
    timeoutMs: limit(options.timeoutMs, 'revocation.timeoutMs', 5_000, 1, 600_000),
    cacheMs: limit(options.cacheMs, 'revocation.cacheMs', 3_600_000, 0, 7 * 86_400_000),
  })
}

/**
 * Trust anchors for `verify()`'s `trustAnchors` option: the CA certificates an issuer's `x5c` chain
 * must lead to (PEM text, which may hold several certificates; DER bytes; or base64 DER). They are
 * parsed on first use, and a bad one makes that verification fail with `invalid_argument`. Throws
 * `invalid_argument` here when `certificates` is not a non-empty list of strings and bytes, or an
 * option is malformed. `options` adds policy: a required extKeyUsage of the leaf, certificate
 * revocation checking through your fetch ({@link TrustAnchorOptions}).
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
  options: TrustAnchorOptions = {},
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
  if (typeof options !== 'object' || options === null)
    throw new CredsignError('invalid_argument', 'createTrustAnchors options must be an object')
  const required = options.requiredExtendedKeyUsage as unknown
  if (
    required !== undefined &&
    (!Array.isArray(required) ||
      required.length === 0 ||
      !required.every((oid) => typeof oid === 'string' && OID.test(oid)))
  )
    throw new CredsignError(
      'invalid_argument',
      'requiredExtendedKeyUsage must be a non-empty list of dotted object identifiers',
    )
  return Object.freeze({
    // Bytes copied: verify() remembers a frozen list's content by identity (x5c-key.ts), so the
    // caller's buffer must not change under it.
    certificates: Object.freeze(
      (list as CertificateInput[]).map((entry) =>
        entry instanceof Uint8Array ? copyBytes(entry) : entry,
      ),
    ),
    load: loadX509,
    ...(required !== undefined && {
      requiredExtendedKeyUsage: Object.freeze([...(required as string[])]),
    }),
    ...(options.revocation !== undefined && {
      revocation: revocationOptions(options.revocation),
    }),
  })
}
