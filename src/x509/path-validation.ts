import { CredsignError } from '../errors/credsign-error.js'
import type { ErrorCode } from '../errors/credsign-error.js'
import type { PublicJwk } from '../keys/types.js'
import { constantTimeEqual } from '../util/bytes.js'
import { checkNameConstraints, constrainedNames, nameConstraintsOf } from './name-constraints.js'
import type { CertificateSummary, DecodedCertificate } from './parse.js'
import { loadPkijs } from './pkijs.js'
import type * as Pkijs from 'pkijs'

/*
 * RFC 5280 section 6 path validation of an `x5c` chain (leaf first) up to one of the caller's
 * trust anchors, with the HAIP rules on top. pkijs' CertificateChainValidationEngine builds the
 * path and checks the signatures, validity, basicConstraints cA, keyCertSign and name
 * constraints; it does not check pathLenConstraint, the leaf's keyUsage, unknown critical
 * extensions of the leaf, the order of x5c, or name constraints per CA (it merges them), so
 * credsign checks those itself, and checks validity and the CA rules itself first, to give each
 * broken chain the code of its rule. Each rule has a broken chain in test/node/x509-verify.test.ts.
 */

/**
 * Extensions credsign (or pkijs, for policies) processes: any other extension marked critical makes
 * a certificate unusable (RFC 5280 section 4.2). extKeyUsage is restricted on the leaf
 * ({@link checkPathExtendedKeyUsage}).
 */
const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.18', // issuerAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.30', // nameConstraints
  '2.5.29.31', // cRLDistributionPoints (read when revocation is configured)
  '2.5.29.32', // certificatePolicies (pkijs' policy processing)
  '2.5.29.33', // policyMappings (pkijs)
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.36', // policyConstraints (pkijs)
  '2.5.29.37', // extKeyUsage
  '2.5.29.54', // inhibitAnyPolicy (pkijs)
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
])

/**
 * A chain that validated: the leaf's key and what the binding and the cache need.
 *
 * @example
 *
 * ```ts
 * declare const chain: ValidatedChain
 * chain.leaf.subjectAltName?.dns // names the issuer check compares with iss
 * ```
 *
 * @internal
 */
export interface ValidatedChain {
  /** The leaf's public key: the key the JWS must verify with. */
  publicJwk: PublicJwk
  leaf: CertificateSummary
  /** The trust anchor the path ends at. */
  anchor: CertificateSummary
  /** Epoch ms: the verdict holds from the latest notBefore to the earliest notAfter of the path. */
  validFrom: number
  validUntil: number
  /** The validated path, leaf first and the anchor last (revocation is checked along it). */
  path: readonly DecodedCertificate[]
}

function fail(code: ErrorCode, message: string): never {
  throw new CredsignError(code, message)
}

/**
 * Where certificate `index` of a path sits, for messages: `length` is the number of `x5c`
 * certificates, so `index === length` is the trust anchor.
 *
 * @example
 *
 * ```ts
 * position(0, 2) // 'the leaf certificate'
 * position(1, 2) // 'x5c[1]'
 * ```
 *
 * @internal
 */
export function position(index: number, length: number): string {
  if (index === 0) return 'the leaf certificate'
  return index === length ? 'the trust anchor' : `x5c[${index}]`
}

/**
 * Validates `chain` (the decoded `x5c`, leaf first, the trust anchor not included) against
 * `anchors` at `now` (epoch ms). Throws a `CredsignError` naming the rule that failed:
 *
 * - `certificate_anchor_included`: a trust anchor (same DER, or same subject and key) is in x5c;
 * - `certificate_self_signed`: the leaf is self-signed;
 * - `certificate_chain_order`: a certificate is not issued by the one after it (RFC 7515 section
 *   4.1.6: leaf first, each next one certifies the previous), or x5c holds one off the path;
 * - `certificate_expired` / `certificate_not_yet_valid`: a certificate of the path at `now`;
 * - `certificate_critical_extension`: an extension credsign does not process is critical;
 * - `certificate_not_ca`: a certificate above the leaf is not a CA (basicConstraints cA);
 * - `certificate_key_usage`: a CA without keyCertSign, a leaf without digitalSignature (when the
 *   keyUsage extension is present);
 * - `certificate_path_length`: more intermediates below a CA than its pathLenConstraint allows;
 * - `certificate_name_constraints`: a name outside a CA's permitted subtrees, or in an excluded one;
 * - `certificate_untrusted`: no path to a trust anchor (unknown issuer, a bad signature);
 * - `unsupported_algorithm`: the leaf's key is of a type credsign does not verify with.
 *
 * @example
 *
 * ```ts
 * declare const x5c: DecodedCertificate[], anchors: DecodedCertificate[]
 * const { publicJwk, leaf } = await validateCertificatePath(x5c, anchors, Date.now())
 * ```
 *
 * @internal
 */
export async function validateCertificatePath(
  chain: readonly DecodedCertificate[],
  anchors: readonly DecodedCertificate[],
  now: number,
): Promise<ValidatedChain> {
  const leaf = chain[0]
  if (leaf === undefined) return fail('malformed', 'x5c is empty')
  if (anchors.length === 0)
    return fail('trust_anchors_not_configured', 'no trust anchor is configured for x5c')

  for (const [index, certificate] of chain.entries()) {
    if (anchors.some((anchor) => isSameCertificate(anchor, certificate)))
      fail(
        'certificate_anchor_included',
        `${position(index, chain.length)} is a trust anchor: x5c must not include it (HAIP)`,
      )
  }
  if (leaf.summary.selfIssued && (await isSelfSigned(leaf)))
    fail('certificate_self_signed', 'the leaf certificate is self-signed')
  for (let i = 0; i + 1 < chain.length; i++) {
    const next = chain[i + 1] as DecodedCertificate
    if (!constantTimeEqual((chain[i] as DecodedCertificate).issuerDer, next.subjectDer))
      fail(
        'certificate_chain_order',
        `${position(i, chain.length)} is not issued by x5c[${i + 1}]: x5c must list the leaf first, then each certificate's issuer`,
      )
  }
  const pkijs = await loadPkijs()
  for (const [index, certificate] of chain.entries())
    checkOwnRules(pkijs, certificate, index, chain.length, now)

  const path = await pkijsPath(chain, anchors, now)
  const anchor = path[path.length - 1] as DecodedCertificate
  checkPathLength(path)
  checkAllNameConstraints(path)
  checkExplicitPolicy(path)

  const publicJwk = leaf.summary.publicJwk
  if (publicJwk === undefined)
    return fail(
      'unsupported_algorithm',
      'the leaf certificate has a key type credsign does not verify with',
    )
  const times = path.map((certificate) => ({
    from: Date.parse(certificate.summary.notBefore),
    until: Date.parse(certificate.summary.notAfter),
  }))
  return {
    publicJwk,
    leaf: leaf.summary,
    anchor: anchor.summary,
    validFrom: Math.max(...times.map((time) => time.from)),
    validUntil: Math.min(...times.map((time) => time.until)),
    path,
  }
}

function isSameCertificate(a: DecodedCertificate, b: DecodedCertificate): boolean {
  return (
    constantTimeEqual(a.summary.der, b.summary.der) ||
    (constantTimeEqual(a.subjectDer, b.subjectDer) && constantTimeEqual(a.spkiDer, b.spkiDer))
  )
}

async function isSelfSigned(certificate: DecodedCertificate): Promise<boolean> {
  try {
    return await certificate.pkijs.verify()
  } catch {
    return false
  }
}

/** The rules of one x5c certificate on its own: validity, critical extensions, CA / leaf usage. */
function checkOwnRules(
  pkijs: typeof Pkijs,
  certificate: DecodedCertificate,
  index: number,
  length: number,
  now: number,
): void {
  const { summary } = certificate
  const where = position(index, length)
  checkCertificateBasics(pkijs, certificate, where, now)
  if (index === 0) {
    if (summary.keyUsage !== undefined && !summary.keyUsage.includes('digitalSignature'))
      fail(
        'certificate_key_usage',
        'the leaf certificate does not allow digitalSignature (keyUsage)',
      )
    // extKeyUsage is not checked here: it depends on the caller's requiredExtendedKeyUsage, which
    // replaces the default rule (checkPathExtendedKeyUsage, on every call, cached chains too).
    return
  }
  if (summary.basicConstraints?.ca !== true)
    fail('certificate_not_ca', `${where} is not a CA certificate (basicConstraints cA)`)
  if (summary.keyUsage !== undefined && !summary.keyUsage.includes('keyCertSign'))
    fail('certificate_key_usage', `${where} is a CA without keyCertSign (keyUsage)`)
}

/**
 * The rules a certificate obeys on its own, whatever it certifies: valid at `now`
 * ({@link checkValidityPeriod}), and {@link checkCertificateForm}'s. For the x5c path. Errors:
 * `certificate_not_yet_valid`, `certificate_expired`, `certificate_untrusted`,
 * `certificate_critical_extension`, naming the certificate as `where`.
 *
 * @example
 *
 * ```ts
 * declare const certificate: DecodedCertificate
 * declare const pkijs: typeof import('pkijs')
 * checkCertificateBasics(pkijs, certificate, 'the leaf certificate', Date.now())
 * ```
 *
 * @internal
 */
export function checkCertificateBasics(
  pkijs: typeof Pkijs,
  certificate: DecodedCertificate,
  where: string,
  now: number,
): void {
  checkValidityPeriod(certificate.summary, where, now)
  checkCertificateForm(pkijs, certificate, where)
}

/**
 * A certificate (its summary's validity) is valid at `now`: else `certificate_not_yet_valid` or
 * `certificate_expired`, naming it as `where`. Apart from {@link checkCertificateForm} for a
 * delegated OCSP responder (revocation.ts), whose answer several verifications may share, each at
 * its own time.
 *
 * @example
 *
 * ```ts
 * declare const responder: DecodedCertificate
 * checkValidityPeriod(responder.summary, 'the responder certificate', Date.now())
 * ```
 *
 * @internal
 */
export function checkValidityPeriod(
  validity: Pick<CertificateSummary, 'notBefore' | 'notAfter'>,
  where: string,
  now: number,
): void {
  if (Date.parse(validity.notBefore) > now)
    fail('certificate_not_yet_valid', `${where} is not valid before ${validity.notBefore}`)
  if (Date.parse(validity.notAfter) < now)
    fail('certificate_expired', `${where} expired at ${validity.notAfter}`)
}

/**
 * The rules a certificate obeys on its own at any time: not signed over a broken hash, no critical
 * extension credsign does not process (`alsoUnderstood`: those the caller processes besides).
 * Errors: `certificate_untrusted`, `certificate_critical_extension`, naming it as `where`.
 *
 * @example
 *
 * ```ts
 * declare const responder: DecodedCertificate
 * declare const pkijs: typeof import('pkijs')
 * checkCertificateForm(pkijs, responder, 'the OCSP responder')
 * ```
 *
 * @internal
 */
export function checkCertificateForm(
  pkijs: typeof Pkijs,
  certificate: DecodedCertificate,
  where: string,
  alsoUnderstood: ReadonlySet<string> = new Set(),
): void {
  const { summary } = certificate
  // Every x5c certificate is signed by the next one or an anchor, a responder by its CA: a SHA-1 or
  // MD5 signature there is forgeable by a chosen-prefix collision. (An anchor's own self-signature
  // proves nothing and is not looked at.)
  const weak = weakSignatureAlgorithm(pkijs, certificate.pkijs.signatureAlgorithm)
  if (weak !== undefined)
    fail('certificate_untrusted', `${where} is signed with ${weak}, a broken hash`)
  for (const extension of summary.extensions) {
    if (
      extension.critical &&
      !UNDERSTOOD_EXTENSIONS.has(extension.oid) &&
      !alsoUnderstood.has(extension.oid)
    )
      fail(
        'certificate_critical_extension',
        `${where} has the critical extension ${extension.oid}, which credsign does not process`,
      )
  }
}

/** AnyExtendedKeyUsage (RFC 5280 section 4.2.1.12). */
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0'

/**
 * The extKeyUsage purposes of RFC 5280 section 4.2.1.12 and RFC 4945 (IPsec): each is a use other
 * than signing credentials. A leaf whose extKeyUsage lists only these (a TLS server certificate,
 * say) was certified for that use alone; its key may live on a web server, and RFC 5280 says the
 * certificate "MUST only be used for one of the purposes indicated".
 */
const UNRELATED_PURPOSES: ReadonlyMap<string, string> = new Map([
  ['1.3.6.1.5.5.7.3.1', 'serverAuth'],
  ['1.3.6.1.5.5.7.3.2', 'clientAuth'],
  ['1.3.6.1.5.5.7.3.3', 'codeSigning'],
  ['1.3.6.1.5.5.7.3.4', 'emailProtection'],
  ['1.3.6.1.5.5.7.3.5', 'ipsecEndSystem'],
  ['1.3.6.1.5.5.7.3.6', 'ipsecTunnel'],
  ['1.3.6.1.5.5.7.3.7', 'ipsecUser'],
  ['1.3.6.1.5.5.7.3.8', 'timeStamping'],
  ['1.3.6.1.5.5.7.3.9', 'OCSPSigning'],
  ['1.3.6.1.5.5.7.3.17', 'ipsecIKE'],
])

/**
 * The leaf's extKeyUsage must permit signing credentials. No standard purpose exists for an SD-JWT
 * VC or JWT issuer key (HAIP and SD-JWT VC name none; ISO/IEC 18013-5 defines one for mdoc document
 * signers), so by default: absent, anyExtendedKeyUsage, or any purpose that is not one of
 * {@link UNRELATED_PURPOSES} passes; only-unrelated purposes are `certificate_extended_key_usage`.
 * With `required` (the trust anchors' `requiredExtendedKeyUsage`, for an ecosystem that defines its
 * purpose), the leaf must list one of them: absent extKeyUsage and anyExtendedKeyUsage do not count
 * (RFC 5280 lets an application that requires a purpose refuse anyExtendedKeyUsage).
 *
 * @example
 *
 * ```ts
 * checkLeafExtendedKeyUsage(['1.3.6.1.5.5.7.3.1'], undefined) // throws: serverAuth only
 * checkLeafExtendedKeyUsage(undefined, undefined) // passes
 * ```
 *
 * @internal
 */
export function checkLeafExtendedKeyUsage(
  purposes: readonly string[] | undefined,
  required: readonly string[] | undefined,
): void {
  if (required !== undefined) {
    if (purposes === undefined || !purposes.some((oid) => required.includes(oid)))
      fail(
        'certificate_extended_key_usage',
        `the leaf certificate's extKeyUsage lists none of the required purposes ${required.join(', ')}${purposes === undefined ? ' (it has no extKeyUsage)' : ` (it lists ${purposes.join(', ')})`}`,
      )
    return
  }
  if (purposes === undefined || purposes.includes(ANY_EXTENDED_KEY_USAGE)) return
  if (purposes.every((oid) => UNRELATED_PURPOSES.has(oid)))
    fail(
      'certificate_extended_key_usage',
      `the leaf certificate is certified only for ${purposes.map((oid) => UNRELATED_PURPOSES.get(oid)).join(', ')} (extKeyUsage), not for signing credentials`,
    )
}

/**
 * The extKeyUsage rule along a validated `path` (leaf first, the trust anchor last): the leaf's
 * ({@link checkLeafExtendedKeyUsage}), and a CA's extKeyUsage, when it has one without
 * anyExtendedKeyUsage, constrains what it certifies (RFC 5280 defines no chaining; Go's crypto/x509
 * and openssl apply it, and CAs constrained to TLS rely on it): a CA listing only purposes that are
 * not signing credentials (a TLS-only sub-CA) vouches for no credential key, and with `required` a
 * CA must list one of the required purposes. Else `certificate_extended_key_usage`.
 *
 * @example
 *
 * ```ts
 * declare const path: DecodedCertificate[]
 * checkPathExtendedKeyUsage(path, ['1.0.18013.5.1.2'])
 * ```
 *
 * @internal
 */
export function checkPathExtendedKeyUsage(
  path: readonly DecodedCertificate[],
  required: readonly string[] | undefined,
): void {
  for (const [index, certificate] of path.entries()) {
    const purposes = certificate.summary.extendedKeyUsage
    if (index === 0) {
      checkLeafExtendedKeyUsage(purposes, required)
      continue
    }
    if (purposes === undefined || purposes.includes(ANY_EXTENDED_KEY_USAGE)) continue
    const where = position(index, path.length - 1)
    if (required !== undefined && !purposes.some((oid) => required.includes(oid)))
      fail(
        'certificate_extended_key_usage',
        `${where} is a CA whose extKeyUsage (${purposes.join(', ')}) lists none of the required purposes ${required.join(', ')}: it certifies no such key`,
      )
    if (required === undefined && purposes.every((oid) => UNRELATED_PURPOSES.has(oid)))
      fail(
        'certificate_extended_key_usage',
        `${where} is a CA certified only for ${purposes.map((oid) => UNRELATED_PURPOSES.get(oid)).join(', ')} (extKeyUsage): it vouches for no key signing credentials`,
      )
  }
}

/** Certificate signature algorithms over MD2, MD5 or SHA-1 (RFC 3279, RFC 5758). */
const WEAK_SIGNATURE_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.2', 'md2WithRSAEncryption'],
  ['1.2.840.113549.1.1.4', 'md5WithRSAEncryption'],
  ['1.2.840.113549.1.1.5', 'sha1WithRSAEncryption'],
  ['1.3.14.3.2.29', 'sha1WithRSAEncryption (OIW)'],
  ['1.2.840.10045.4.1', 'ecdsa-with-SHA1'],
  ['1.2.840.10040.4.3', 'dsa-with-sha1'],
])

/**
 * Pkijs' path building and validation; returns the path, leaf first and the anchor last, after
 * checking that it is exactly x5c followed by one anchor.
 */
async function pkijsPath(
  chain: readonly DecodedCertificate[],
  anchors: readonly DecodedCertificate[],
  now: number,
): Promise<DecodedCertificate[]> {
  const pkijs = await loadPkijs()
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: anchors.map((anchor) => anchor.pkijs),
    // pkijs takes the last certificate as the one to validate.
    certs: [...chain].reverse().map((certificate) => certificate.pkijs),
    checkDate: new Date(now),
  })
  let result: Awaited<ReturnType<typeof engine.verify>>
  try {
    result = await engine.verify()
  } catch (cause) {
    throw new CredsignError(
      'certificate_untrusted',
      'the certificate path could not be validated',
      {
        cause,
      },
    )
  }
  if (!result.result) throw fromPkijs(result.resultCode, result.resultMessage, chain, anchors, now)
  const built = result.certificatePath ?? []
  const path: DecodedCertificate[] = []
  for (const certificate of built) {
    const known = [...chain, ...anchors].find((candidate) => candidate.pkijs === certificate)
    if (known === undefined) break
    path.push(known)
  }
  const anchor = path[chain.length]
  if (
    path.length !== chain.length + 1 ||
    chain.some((certificate, i) => path[i] !== certificate) ||
    anchor === undefined ||
    !anchors.includes(anchor)
  )
    fail(
      'certificate_chain_order',
      'the validated path is not x5c followed by a trust anchor: x5c holds certificates off the path',
    )
  return path
}

/** Pkijs result codes (CertificateChainValidationEngine) to credsign's codes. */
function fromPkijs(
  code: number | undefined,
  message: string | undefined,
  chain: readonly DecodedCertificate[],
  anchors: readonly DecodedCertificate[],
  now: number,
): CredsignError {
  const detail = `certificate path: ${message ?? 'not valid'}`
  switch (code) {
    case 8: {
      // x5c's own dates were checked before: this is the anchor's.
      const expired = anchors.some((anchor) => Date.parse(anchor.summary.notAfter) < now)
      return new CredsignError(
        expired ? 'certificate_expired' : 'certificate_not_yet_valid',
        `the trust anchor is not valid at the verification time (${detail})`,
      )
    }
    case 3:
    case 7:
    case 14:
      return new CredsignError('certificate_not_ca', detail)
    case 4:
      return new CredsignError('certificate_key_usage', detail)
    case 6:
      return new CredsignError('certificate_critical_extension', detail)
    case 41:
    case 42:
      return new CredsignError('certificate_name_constraints', detail)
    case 10:
      return new CredsignError('certificate_chain_order', detail)
    default:
      return new CredsignError(
        'certificate_untrusted',
        chain.length > 0 && anchors.length > 0
          ? `the chain does not lead to a configured trust anchor (${detail})`
          : detail,
      )
  }
}

/**
 * RFC 5280 section 4.2.1.9: a CA's pathLenConstraint is the most non-self-issued intermediate
 * certificates that may follow it (the leaf not counted). The trust anchor's is applied too.
 */
function checkPathLength(path: readonly DecodedCertificate[]): void {
  for (let i = path.length - 1; i >= 1; i--) {
    const limit = (path[i] as DecodedCertificate).summary.basicConstraints?.pathLength
    if (limit === undefined) continue
    const below = path.slice(1, i).filter((certificate) => !certificate.summary.selfIssued).length
    if (below > limit)
      fail(
        'certificate_path_length',
        `${position(i, path.length - 1)} allows ${limit} intermediate certificate(s) below it (pathLenConstraint), the path has ${below}`,
      )
  }
}

/**
 * Every CA's name constraints, on its own, against every certificate below it (self-issued
 * intermediates excepted, RFC 5280 section 6.1.4 (b)).
 */
function checkAllNameConstraints(path: readonly DecodedCertificate[]): void {
  for (let i = path.length - 1; i >= 1; i--) {
    const set = nameConstraintsOf((path[i] as DecodedCertificate).pkijs)
    if (set === undefined) continue
    for (let j = 0; j < i; j++) {
      const certificate = path[j] as DecodedCertificate
      if (j > 0 && certificate.summary.selfIssued) continue
      checkNameConstraints(set, constrainedNames(certificate), position(j, path.length - 1))
    }
  }
}

const ANY_POLICY = '2.5.29.32.0'

/** One node of RFC 5280's valid_policy_tree, as far as whether the tree is empty depends on it. */
interface PolicyNode {
  valid: string
  expected: readonly string[]
}

/**
 * The parsed value of `certificate`'s extension `oid`, or undefined when it has none; a policy
 * extension pkijs could not read is `certificate_untrusted` (never "no constraint").
 */
function policyExtension<T>(
  certificate: DecodedCertificate,
  oid: string,
  where: string,
): T | undefined {
  const extension = certificate.pkijs.extensions?.find((entry) => entry.extnID === oid)
  if (extension === undefined) return undefined
  const parsed: unknown = extension.parsedValue
  if (
    parsed === undefined ||
    parsed === null ||
    typeof parsed !== 'object' ||
    'parsingError' in parsed
  )
    fail('certificate_untrusted', `${where} has a policy extension (${oid}) that does not decode`)
  return parsed as T
}

/**
 * RFC 5280 section 6.1 policy processing, for its one outcome that can refuse a path with the
 * user-initial-policy-set anyPolicy: an explicit policy required (explicit_policy reaching 0 by the
 * path's policyConstraints) and an empty valid_policy_tree. pkijs' policy processing is looser than
 * the RFC there: it reads a certificate without certificatePolicies as if it listed anyPolicy (RFC
 * 5280 section 6.1.3 (e) empties the tree for good) and mis-applies policyMappings, so paths that
 * OpenSSL refuses ("no explicit policy") validated; test/node/x509-path-differential.test.ts has
 * the chains. This follows sections 6.1.2 to 6.1.5 step by step (the trust anchor's extensions not
 * processed, qualifiers and pruning left out: neither changes whether the last depth has a node).
 */
function checkExplicitPolicy(path: readonly DecodedCertificate[]): void {
  const n = path.length - 1
  let explicitPolicy = n + 1
  let inhibitAnyPolicy = n + 1
  let policyMapping = n + 1
  let tree: PolicyNode[] | undefined = [{ valid: ANY_POLICY, expected: [ANY_POLICY] }]
  for (let i = 1; i <= n; i++) {
    const index = n - i
    const certificate = path[index] as DecodedCertificate
    const where = position(index, n)
    const selfIssued = certificate.summary.selfIssued
    const policies = policyExtension<Pkijs.CertificatePolicies>(certificate, '2.5.29.32', where)
    // 6.1.3 (d), (e)
    if (tree !== undefined && policies !== undefined) {
      const previous: PolicyNode[] = tree
      if (!Array.isArray(policies.certificatePolicies))
        fail(
          'certificate_untrusted',
          `${where} has a certificatePolicies extension that does not decode`,
        )
      const identifiers = policies.certificatePolicies.map((policy) => policy.policyIdentifier)
      const next: PolicyNode[] = []
      for (const policy of identifiers) {
        if (policy === ANY_POLICY) continue
        if (
          previous.some((node) => node.expected.includes(policy)) ||
          previous.some((node) => node.valid === ANY_POLICY)
        )
          next.push({ valid: policy, expected: [policy] })
      }
      if (identifiers.includes(ANY_POLICY) && (inhibitAnyPolicy > 0 || (i < n && selfIssued)))
        for (const node of previous)
          for (const value of node.expected)
            if (!next.some((child) => child.valid === value))
              next.push({ valid: value, expected: [value] })
      tree = next.length > 0 ? next : undefined
    } else tree = undefined
    const constraints = policyExtension<Pkijs.PolicyConstraints>(certificate, '2.5.29.36', where)
    if (i === n) {
      // 6.1.5 (a), (b)
      if (explicitPolicy > 0) explicitPolicy--
      if (constraints?.requireExplicitPolicy === 0) explicitPolicy = 0
      break
    }
    // 6.1.4 (a), (b)
    const mappings = policyExtension<Pkijs.PolicyMappings>(certificate, '2.5.29.33', where)
    if (mappings !== undefined) {
      if (!Array.isArray(mappings.mappings))
        fail(
          'certificate_untrusted',
          `${where} has a policyMappings extension that does not decode`,
        )
      if (
        mappings.mappings.some(
          (mapping) =>
            mapping.issuerDomainPolicy === ANY_POLICY || mapping.subjectDomainPolicy === ANY_POLICY,
        )
      )
        fail('certificate_untrusted', `${where} maps anyPolicy (policyMappings)`)
      if (tree !== undefined) {
        const mapped = new Map<string, string[]>()
        for (const mapping of mappings.mappings)
          mapped.set(mapping.issuerDomainPolicy, [
            ...(mapped.get(mapping.issuerDomainPolicy) ?? []),
            mapping.subjectDomainPolicy,
          ])
        const current: PolicyNode[] = tree
        let level: PolicyNode[] = current
        for (const [issuerPolicy, subjectPolicies] of mapped) {
          if (policyMapping > 0) {
            if (level.some((node) => node.valid === issuerPolicy))
              level = level.map((node) =>
                node.valid === issuerPolicy ? { ...node, expected: subjectPolicies } : node,
              )
            else if (level.some((node) => node.valid === ANY_POLICY))
              level = [...level, { valid: issuerPolicy, expected: subjectPolicies }]
          } else level = level.filter((node) => node.valid !== issuerPolicy)
        }
        tree = level.length > 0 ? level : undefined
      }
    }
    // 6.1.4 (h), (i), (j)
    if (!selfIssued) {
      if (explicitPolicy > 0) explicitPolicy--
      if (policyMapping > 0) policyMapping--
      if (inhibitAnyPolicy > 0) inhibitAnyPolicy--
    }
    const required = constraints?.requireExplicitPolicy
    if (required !== undefined && required < explicitPolicy) explicitPolicy = required
    const inhibitMapping = constraints?.inhibitPolicyMapping
    if (inhibitMapping !== undefined && inhibitMapping < policyMapping)
      policyMapping = inhibitMapping
    const inhibitAny = policyExtension<{ valueBlock: { valueDec: number } }>(
      certificate,
      '2.5.29.54',
      where,
    )?.valueBlock.valueDec
    if (inhibitAny !== undefined && inhibitAny < inhibitAnyPolicy) inhibitAnyPolicy = inhibitAny
  }
  if (explicitPolicy === 0 && tree === undefined)
    fail(
      'certificate_untrusted',
      'the path requires an explicit certificate policy (policyConstraints) and no policy is valid along it (RFC 5280 section 6.1)',
    )
}

const RSASSA_PSS = '1.2.840.113549.1.1.10'
/** Hashes broken for signatures (chosen-prefix collisions), by OID. */
const WEAK_HASHES: ReadonlyMap<string, string> = new Map([
  ['1.3.14.3.2.26', 'SHA-1'],
  ['1.2.840.113549.2.5', 'MD5'],
  ['1.2.840.113549.2.2', 'MD2'],
])

/**
 * The name of `algorithm` when it signs over a broken hash (MD2, MD5, SHA-1), else undefined. For
 * certificates, CRLs and OCSP responses (revocation.ts). RSASSA-PSS names its hash in its
 * parameters, SHA-1 when they leave it out (RFC 4055 section 3.1): PSS over SHA-1 is as forgeable
 * as sha1WithRSAEncryption, and pkijs verifies it.
 *
 * @example
 *
 * ```ts
 * declare const pkijs: typeof import('pkijs'), crl: import('pkijs').CertificateRevocationList
 * weakSignatureAlgorithm(pkijs, crl.signatureAlgorithm) // 'RSASSA-PSS over SHA-1' or undefined
 * ```
 *
 * @internal
 */
export function weakSignatureAlgorithm(
  pkijs: typeof Pkijs,
  algorithm: Pkijs.AlgorithmIdentifier,
): string | undefined {
  const named = WEAK_SIGNATURE_ALGORITHMS.get(algorithm.algorithmId)
  if (named !== undefined) return named
  if (algorithm.algorithmId !== RSASSA_PSS) return undefined
  let hash: string
  try {
    hash = new pkijs.RSASSAPSSParams({ schema: algorithm.algorithmParams }).hashAlgorithm
      .algorithmId
  } catch {
    return 'RSASSA-PSS with unreadable parameters'
  }
  const weak = WEAK_HASHES.get(hash)
  return weak === undefined ? undefined : `RSASSA-PSS over ${weak}`
}
