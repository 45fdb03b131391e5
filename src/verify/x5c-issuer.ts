import { CredsignError } from '../errors/credsign-error.js'
import { epochMilliseconds } from '../jose/jwt-times.js'
import type { JoseHeader } from '../jose/types.js'
import type { ResolvedKey } from '../resolve/types.js'
import { sanNamesIssuer } from '../x509/san-issuer.js'
import type { X5cKey } from '../x509/x5c-key.js'
import type { RevocationContext } from '../x509/revocation.js'
import type { TrustAnchors } from '../x509/trust-anchors.js'
import { loadBoundedFetch } from '../resolve/network-loader.js'
import { shownUrl } from '../util/shown-url.js'
import { clip } from './document-checks.js'
import type { ResultBuilder } from './result-builder.js'
import type { VerifyOptions } from './types.js'

/**
 * The issuer key a JOSE or SD-JWT handler gets from the protected header's `x5c`: the validated
 * chain, and the key as a `ResolvedKey` (id: the leaf's `x5t#S256`; no controller: the binding to
 * the issuer is the subjectAltName check of {@link checkCertificateBinding}).
 *
 * @internal
 */
export interface X5cIssuerKey {
  chain: X5cKey
  key: ResolvedKey
}

/**
 * The key named by `protectedHeader.x5c`, validated against `options.trustAnchors` at
 * `options.now`; undefined when the header has no `x5c`, or when it has one but no trust anchor is
 * configured and the token names its key another way too (`kid`, `jwk`, an `iss` DID): then that
 * other way decides, and the x5c is not used. A token whose only key reference is `x5c`, with no
 * anchor configured, throws `trust_anchors_not_configured`: x5c never vouches for itself. Records
 * the `certificate_chain` check when a chain validated. Loads the X.509 code (and pkijs) only here,
 * only for tokens with `x5c`.
 *
 * @example
 *
 * ```ts
 * const x5c = await x5cIssuerKey(header, options, header.kid !== undefined, builder)
 * if (x5c) jwsOptions.key = x5c.key.publicJwk
 * ```
 *
 * @internal
 */
export async function x5cIssuerKey(
  protectedHeader: JoseHeader,
  options: VerifyOptions,
  namedOtherwise: boolean,
  builder: ResultBuilder,
): Promise<X5cIssuerKey | undefined> {
  const x5c = protectedHeader.x5c
  if (x5c === undefined) return undefined
  const anchors = options.trustAnchors
  if (anchors === undefined) {
    if (namedOtherwise) return undefined
    throw new CredsignError(
      'trust_anchors_not_configured',
      'the token names its key only by x5c, and no trust anchor is configured: x5c is never trusted on its own (pass trustAnchors)',
    )
  }
  // The X.509 code (and pkijs) is loaded through the caller's trust anchors: verify() itself never
  // references it, so apps that configure none never bundle it.
  const x509 = await anchors.load()
  const chain = await x509.keyFromX5c(x5c, anchors.certificates, epochMilliseconds(options.now), {
    requiredExtendedKeyUsage: anchors.requiredExtendedKeyUsage,
    revocation: revocationContext(anchors.revocation),
  })
  builder.pass(
    'certificate_chain',
    `${clip(chain.leaf.subject)} → trust anchor ${clip(chain.anchor.subject)}${chain.cached ? ' (cached)' : ''}${chain.revocation === undefined ? '' : `; ${chain.revocation}`}`,
  )
  return { chain, key: { id: chain.id, publicJwk: chain.publicJwk } }
}

/**
 * The trust anchors' revocation options as the X.509 code takes them: fetches go through the one
 * bounded GET of credsign (resolve/bounded-fetch.ts: time and size limits, no redirects, no
 * cookies), loaded on the first fetch; nothing is fetched when the caller configured no
 * revocation.
 */
function revocationContext(revocation: TrustAnchors['revocation']): RevocationContext | undefined {
  if (revocation === undefined) return undefined
  const { fetch, timeoutMs, maxBytes } = revocation
  // One verification spends at most two fetch timeouts on revocation in all: a path of up to 9
  // certificates with up to 4 locations each, tried one after another, could otherwise hold a
  // verify() for 36 timeouts (three minutes with the defaults) when every location hangs.
  const budgetMs = 2 * timeoutMs
  const deadline = Date.now() + budgetMs
  /** How long a fetch this verification starts now may run; throws when its budget is spent. */
  const fetchTimeLimitMs = (): number => {
    const left = deadline - Date.now()
    if (left <= 0)
      throw new CredsignError(
        'revocation_unavailable',
        `the time for revocation fetches of this verification (${budgetMs} ms) is spent`,
      )
    return Math.min(timeoutMs, left)
  }
  return {
    mode: revocation.mode,
    cacheMs: revocation.cacheMs,
    fetchBytes: async (url, mediaTypes) => {
      // Loaded first, so the time its loading takes counts against the budget too.
      const { fetchBoundedBytes } = await loadBoundedFetch()
      return fetchBoundedBytes(url, { fetch, timeoutMs: fetchTimeLimitMs(), maxBytes, mediaTypes })
    },
    // A fetch another verification started runs under that one's limits (a longer timeout, maybe):
    // this one stops waiting at its own, with the error its own fetch would have ended in. (Only a
    // verification that joined a fetch gets here, so the module is loaded.)
    waitForShared: async (shared) => {
      const { withinTimeout } = await loadBoundedFetch()
      return withinTimeout(shared, fetchTimeLimitMs())
    },
    // Handed in: see RevocationContext.shownUrl.
    shownUrl,
  }
}

/**
 * `issuer_binding` for a key from `x5c`: the leaf's subjectAltName must name the issuer (or the
 * holder of a presentation) as `sanNamesIssuer` says, else `certificate_san_mismatch`.
 * `issuerBinding: false` skips it; a party-less token (an SD-JWT VC without `iss`, whose issuer is
 * then the certificate's subject) passes.
 *
 * @example
 *
 * ```ts
 * checkCertificateBinding('https://issuer.example', x5c.chain, options, builder)
 * ```
 *
 * @internal
 */
export function checkCertificateBinding(
  party: string | undefined,
  chain: X5cKey,
  options: VerifyOptions,
  builder: ResultBuilder,
): void {
  if (options.issuerBinding === false) {
    builder.pass('issuer_binding', 'not checked (issuerBinding: false)')
  } else if (party === undefined) {
    builder.pass(
      'issuer_binding',
      `no iss: the issuer is the certificate subject ${clip(chain.leaf.subject)}`,
    )
  } else if (sanNamesIssuer(party, chain.leaf.subjectAltName)) {
    builder.pass('issuer_binding', `${party} (subjectAltName of the leaf certificate)`)
  } else {
    builder.fail(
      'issuer_binding',
      'certificate_san_mismatch',
      `the leaf certificate's subjectAltName does not name ${clip(party)} (a dNSName equal to an https issuer's host, or a URI equal to the issuer)`,
    )
  }
}
