import { CredsignError } from '../errors/credsign-error.js'
import { b64u, subtle, toArrayBufferView, utf8 } from '../util/bytes.js'
import { MAX_CHAIN_LENGTH, certificateDers, decodeCertificate } from './parse.js'
import type { CertificateInput, DecodedCertificate } from './parse.js'
import { BoundedMap } from './bounded-map.js'
import { checkPathExtendedKeyUsage, validateCertificatePath } from './path-validation.js'
import { checkRevocation } from './revocation.js'
import type { RevocationContext } from './revocation.js'
import type { ValidatedChain } from './path-validation.js'

/*
 * The issuer key of a JWS from its `x5c` header, trusted only through the caller's trust anchors.
 * This module (and pkijs behind it) is imported by verify() only when a token carries x5c.
 *
 * Two bounded caches: parsed trust anchor sets (by their content), and validated chains (by anchor
 * set and x5c). A cached chain is reused only while the verification time lies inside the
 * validity of every certificate of its path; the answer is the same as a fresh validation's, since
 * nothing else in it depends on the time. Revocation, when configured, is checked on every call
 * (applyPolicy), cached or not.
 */

const anchorSets = new BoundedMap<DecodedCertificate[]>(16)
const chains = new BoundedMap<ValidatedChain & { id: string }>(256)

/**
 * A chain validated for a JWS: the leaf's key, and `id`, the leaf's `x5t#S256` thumbprint.
 *
 * @example
 *
 * ```ts
 * declare const key: X5cKey
 * key.id // 'x5t#S256:…' (the base64url SHA-256 of the leaf's DER)
 * ```
 *
 * @internal
 */
export interface X5cKey extends ValidatedChain {
  id: string
  /** Whether this verdict came from the cache. */
  cached: boolean
  /** What revocation checking found, when it is configured ('revocation: … good (CRL)'). */
  revocation?: string
}

/**
 * The trust anchors' policy beyond path validation: a required extKeyUsage of the leaf, and
 * revocation checking (both applied on every call, a cached chain included).
 *
 * @example
 *
 * ```ts
 * const policy: X5cPolicy = { requiredExtendedKeyUsage: ['1.0.18013.5.1.2'] }
 * ```
 *
 * @internal
 */
export interface X5cPolicy {
  requiredExtendedKeyUsage?: readonly string[] | undefined
  revocation?: RevocationContext | undefined
}

function contentKey(inputs: readonly CertificateInput[]): string {
  return inputs
    .map((input) => (typeof input === 'string' ? `s${input.length}:${input}` : `b${b64u(input)}`))
    .join('\u0000')
}

/**
 * The key of an anchor list in both caches: the SHA-256 of its content, so a cache entry does not
 * hold a copy of every anchor's text. Remembered per list for a frozen list (a TrustAnchors' list,
 * which verify() passes on every call): the anchors are then not re-read and re-hashed per verify.
 */
const anchorKeys = new WeakMap<readonly CertificateInput[], string>()

async function anchorSetKey(inputs: readonly CertificateInput[]): Promise<string> {
  const remembered = anchorKeys.get(inputs)
  if (remembered !== undefined) return remembered
  const digest = await subtle().digest('SHA-256', toArrayBufferView(utf8(contentKey(inputs))))
  const key = b64u(new Uint8Array(digest))
  if (Object.isFrozen(inputs)) anchorKeys.set(inputs, key)
  return key
}

/**
 * The trust anchors as decoded certificates (PEM bundles, PEM blocks, DER or base64 each), cached
 * by content. `invalid_argument` for anything that is not a certificate: they are the caller's
 * configuration.
 *
 * @example
 *
 * ```ts
 * declare const rootPem: string
 * const anchors = await trustAnchorCertificates([rootPem])
 * ```
 *
 * @internal
 */
export async function trustAnchorCertificates(
  inputs: readonly CertificateInput[],
): Promise<DecodedCertificate[]> {
  if (!Array.isArray(inputs))
    throw new CredsignError('invalid_argument', 'trustAnchors must be an array of certificates')
  const key = await anchorSetKey(inputs)
  const cached = anchorSets.get(key)
  if (cached !== undefined) return cached
  // Only a set that decoded is cached: the caller fixes a bad configuration and tries again.
  const anchors = await decodeAnchors(inputs)
  anchorSets.set(key, anchors)
  return anchors
}

async function decodeAnchors(inputs: readonly CertificateInput[]): Promise<DecodedCertificate[]> {
  const anchors: DecodedCertificate[] = []
  for (const [index, input] of inputs.entries()) {
    try {
      for (const der of certificateDers(input)) anchors.push(await decodeCertificate(der))
    } catch (error) {
      if (CredsignError.is(error, 'crypto_unavailable')) throw error
      throw new CredsignError(
        'invalid_argument',
        `trustAnchors[${index}] is not a certificate (PEM, DER or base64 DER)`,
        { cause: error },
      )
    }
  }
  return anchors
}

/**
 * Validates the `x5c` header value against `trustAnchors` at `now` and returns the leaf's key.
 * Errors: `malformed` (x5c is not an array of 1 to 10 strings), `certificate_invalid` (an entry is
 * not a certificate), `trust_anchors_not_configured`, and the path validation codes of
 * `validateCertificatePath`.
 *
 * @example
 *
 * ```ts
 * declare const header: { x5c: string[] }, rootPem: string
 * const key = await keyFromX5c(header.x5c, [rootPem], Date.now())
 * key.publicJwk // verify the JWS with this
 * ```
 *
 * @internal
 */
export async function keyFromX5c(
  x5c: unknown,
  trustAnchors: readonly CertificateInput[] | undefined,
  now: number,
  policy: X5cPolicy = {},
): Promise<X5cKey> {
  if (
    !Array.isArray(x5c) ||
    x5c.length === 0 ||
    x5c.length > MAX_CHAIN_LENGTH ||
    x5c.some((entry) => typeof entry !== 'string')
  )
    throw new CredsignError(
      'malformed',
      `x5c must be an array of 1 to ${MAX_CHAIN_LENGTH} base64 certificates`,
    )
  if (trustAnchors === undefined || trustAnchors.length === 0)
    throw new CredsignError(
      'trust_anchors_not_configured',
      'the token names its key by x5c, and no trust anchor is configured: x5c is never trusted on its own (pass trustAnchors)',
    )
  const entries = x5c as string[]
  const anchorKey = await anchorSetKey(trustAnchors)
  const cacheKey = `${anchorKey}\u0001${entries.join(',')}`
  const hit = chains.get(cacheKey)
  if (hit !== undefined && now >= hit.validFrom && now <= hit.validUntil)
    return applyPolicy({ ...hit, cached: true }, now, policy)

  const anchors = await trustAnchorCertificates(trustAnchors)
  const decoded: DecodedCertificate[] = []
  for (const entry of entries) {
    // certificateDer reads base64 here (PEM text is not an x5c entry).
    if (entry.startsWith('-'))
      throw new CredsignError('certificate_invalid', 'an x5c entry is base64 DER, not PEM')
    decoded.push(await decodeCertificate(entry))
  }
  const validated = await validateCertificatePath(decoded, anchors, now)
  const digest = await subtle().digest('SHA-256', toArrayBufferView(validated.leaf.der))
  const id = `x5t#S256:${b64u(new Uint8Array(digest))}`
  chains.set(cacheKey, { ...validated, id })
  return applyPolicy({ ...validated, id, cached: false }, now, policy)
}

/**
 * The policy checks, after path validation or a cache hit: a cached chain is never a shortcut past
 * revocation (whose answers have caches of their own, bounded by their nextUpdate).
 */
async function applyPolicy(key: X5cKey, now: number, policy: X5cPolicy): Promise<X5cKey> {
  checkPathExtendedKeyUsage(key.path, policy.requiredExtendedKeyUsage)
  if (policy.revocation === undefined) return key
  return { ...key, revocation: await checkRevocation(key.path, now, policy.revocation) }
}

/**
 * Empties the validated-chain cache (for benchmarks that measure a first sight).
 *
 * @example
 *
 * ```ts
 * clearX5cCache()
 * ```
 *
 * @internal
 */
export function clearX5cCache(): void {
  chains.clear()
}
