import { parseDateTime } from '../../credential/date-time.js'
import type { ErrorCode } from '../../errors/credsign-error.js'
import { CredsignError } from '../../errors/credsign-error.js'
import { checkJwtTimes, epochMilliseconds } from '../../jose/jwt-times.js'
import type { ResolvedKey } from '../../resolve/types.js'
import { extractVcJosePayload, headerIssProblem } from '../../credential/vc-jose-claims.js'
import type { JoseHeader } from '../../jose/types.js'
import {
  checkCredentialPeriod,
  checkDocumentModel,
  checkEmbeddedCredentials,
  checkPartyBinding,
  clip,
} from '../../verify/document-checks.js'
import { recordSignature, recordSignatureFailure } from '../../verify/check-of-code.js'
import { ResultBuilder } from '../../verify/result-builder.js'
import type { JsonObject, ValidationProblem } from '../../credential/types.js'
import { idOf, typesOf } from '../../credential/validate-shared.js'
import { dataModelVersion } from '../../credential/data-model-version.js'
import type {
  FormatHandler,
  VerificationResult,
  VerifyContext,
  VerifyOptions,
} from '../../verify/types.js'
import { parseDisclosure } from './disclosure.js'
import {
  checkIssuerTyp,
  readIssuerJwt,
  verifyIssuerSignature,
  type IssuerJwt,
} from './issuer-jwt.js'
import { verifyKbJwt } from './key-binding.js'
import { haipProblems } from './haip.js'
import { isDid } from '../../did/did-url.js'
import { saysSdJwt } from '../../jose/typ.js'
import { checkCertificateBinding, x5cIssuerKey } from '../../verify/x5c-issuer.js'
import type { X5cIssuerKey } from '../../verify/x5c-issuer.js'
import { processPayload } from './process.js'
import { splitSdJwt, type SplitSdJwt } from './serialization.js'
import { checkDisclosureRules, kindOf, type SdJwtKind } from './vc-claims.js'
import {
  VERIFIER_AUDIENCE,
  checkAudience,
  verifierAudienceOf,
  type AudienceOptions,
} from '../../verify/audience.js'

/**
 * The `typ` values `verify()` accepts for SD-JWT: SD-JWT VC (`dc+sd-jwt`, `vc+sd-jwt`) and W3C
 * VC-JOSE-COSE (`vc+sd-jwt`, `vp+sd-jwt`).
 */
const HANDLER_TYPES = ['dc+sd-jwt', 'vc+sd-jwt', 'vp+sd-jwt']

const SD_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*~/

/**
 * The `verify()` handler for SD-JWT (RFC 9901): SD-JWT VC (`dc+sd-jwt`, and `vc+sd-jwt` without
 * `@context`), and W3C VC-JOSE-COSE credentials (`vc+sd-jwt`) and presentations (`vp+sd-jwt`)
 * secured as SD-JWT. `verify()` registers it after the JOSE handler; it takes any string that is a
 * compact JWS followed by `~`. Never throws for bad input. Format `sd-jwt`; `payload` is the
 * processed claims, `disclosed` the disclosed JSON paths, `issuer` the `iss` (the credential's
 * issuer, the presentation's holder), `credential` / `presentation` for the W3C variants.
 *
 * Checks, in order: `format`; `typ`; `algorithm`, `key`, `signature` (issuer key from the `kid`
 * through `options.resolver`, or the `iss` DID when there is no `kid`); `disclosures` (RFC 9901
 * section 7.1); `credential` / `presentation` (VCDM 2.0 data model, W3C variants) or `claims`
 * (SD-JWT VC: `vct`, claims that must not be disclosed; W3C: `iss` = issuer); `issuer_binding` (the
 * key's controller is `iss`; `issuerBinding: false` skips it); `key_purpose`; `validity` (`exp`,
 * `nbf`, `iat`; `validFrom` / `validUntil`); `key_binding` (required when the SD-JWT has `cnf`,
 * with `requireKeyBinding`, or when `audience` / `nonce` are given; the KB-JWT verifies with
 * `cnf.jwk`, else with the key of `cnf.kid` through `options.resolver`, which a DID document must
 * list under `authentication` when the resolver says: `key_not_authorized`), `audience`, `nonce`
 * (KB-JWT `aud` / `nonce`); `credentials` (a presentation's embedded credentials).
 *
 * @example
 *
 * ```ts
 * import {
 *   SdJwtVcSigner,
 *   asDidSigner,
 *   generateKeyPair,
 *   loadPrivateKey,
 *   sdJwtHandler,
 *   verify,
 * } from 'credsign'
 * const { pkcs8, publicJwk } = await generateKeyPair('Ed25519')
 * const key = await loadPrivateKey('Ed25519', pkcs8)
 * const signer = asDidSigner({
 *   id: 'k',
 *   algorithm: 'Ed25519',
 *   publicJwk,
 *   sign: (d) => key.sign(d),
 * })
 * const sdJwt = await new SdJwtVcSigner(signer).issue(
 *   { vct: 'urn:example:badge', name: 'Alice' },
 *   { disclosureFrame: { _sd: ['name'] } },
 * )
 * sdJwtHandler.detect(sdJwt) // true
 * const result = await verify(sdJwt) // built in: format 'sd-jwt', payload.name 'Alice', disclosed ['name']
 * ```
 */
export const sdJwtHandler: FormatHandler = {
  name: 'sd-jwt',
  detect: (input) =>
    (typeof input === 'string' && (SD_JWT.test(input) || isSdJwtTyped(input))) ||
    isSdJwtJson(input),
  verify: verifySdJwtInput,
}

/**
 * Whether a compact JWS says it is an SD-JWT (`typ` `…+sd-jwt`, `sd-jwt` or `sd-jwt+json`, any
 * case, trimmed) although it has no `~`: an issuer-signed JWT stripped of its disclosure list,
 * which must not pass as a plain JWT (that would skip key binding). `verify()` tries this handler
 * first, so it is `malformed` here.
 *
 * @internal
 */
function isSdJwtTyped(input: unknown): boolean {
  if (typeof input !== 'string' || !COMPACT.test(input)) return false
  try {
    const header = readIssuerJwt({ jws: input, disclosures: [], presented: '' }).header
    return saysSdJwt(header.typ)
  } catch {
    return false
  }
}

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/

/**
 * Whether a JWS JSON serialization (flattened or general) is an SD-JWT (RFC 9901 section 8): its
 * first signature's unprotected header carries `disclosures` or `kb_jwt`. `verify()` tries this
 * handler before the JOSE one, which would verify the signature alone and skip the disclosure and
 * key binding rules.
 *
 * @internal
 */
function isSdJwtJson(input: unknown): boolean {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return false
  const record = input as Record<string, unknown>
  if (typeof record.payload !== 'string') return false
  const first = Array.isArray(record.signatures) ? (record.signatures[0] as unknown) : record
  const header =
    first !== null && typeof first === 'object'
      ? (first as Record<string, unknown>).header
      : undefined
  return (
    header !== null && typeof header === 'object' && ('disclosures' in header || 'kb_jwt' in header)
  )
}

async function verifySdJwtInput(
  input: unknown,
  options: VerifyOptions,
  context: VerifyContext,
): Promise<VerificationResult> {
  const builder = new ResultBuilder('sd-jwt')
  try {
    await run(input, options, context, builder)
  } catch (error) {
    // Every expected failure is recorded where it happens; this is the never-throw backstop.
    builder.fail(
      'sd-jwt',
      CredsignError.is(error) ? error.code : 'malformed',
      CredsignError.is(error) ? error.message : 'the SD-JWT could not be processed',
    )
  }
  return builder.result()
}

async function run(
  input: unknown,
  options: VerifyOptions,
  context: VerifyContext,
  builder: ResultBuilder,
): Promise<void> {
  let split: SplitSdJwt
  let issuer: IssuerJwt
  try {
    split = splitSdJwt(input)
    issuer = readIssuerJwt(split)
  } catch (error) {
    builder.fail('format', codeOf(error), messageOf(error))
    return
  }
  builder.extra.header = issuer.header
  builder.pass('format', split.kbJwt === undefined ? 'SD-JWT' : 'SD-JWT+KB')
  let kind = kindOf(issuer.header, issuer.payload)
  try {
    checkIssuerTyp(issuer.header, HANDLER_TYPES)
    builder.pass('typ', String(issuer.header.typ))
  } catch (error) {
    builder.fail('typ', codeOf(error), messageOf(error), 'header.typ')
  }

  const signed = await checkSignature(split, issuer, options, builder)
  if (signed === undefined) return
  const { key, x5c } = signed

  let claims: JsonObject
  let disclosed: string[]
  try {
    const processed = processPayload(
      issuer.payload,
      split.disclosures.map((d) => parseDisclosure(d, issuer.alg)),
    )
    claims = processed.claims
    disclosed = processed.disclosed
  } catch (error) {
    builder.fail('disclosures', codeOf(error), messageOf(error))
    return
  }
  builder.extra.payload = claims
  builder.extra.disclosed = disclosed
  builder.pass(
    'disclosures',
    `${split.disclosures.length} disclosure(s), ${disclosed.length} claim(s) disclosed`,
  )

  kind = refineKind(kind, claims)
  const party = checkDocument(kind, claims, disclosed, builder, issuer.header)
  const issuerId = party ?? (typeof claims.iss === 'string' ? claims.iss : undefined)
  if (issuerId !== undefined) builder.extra.issuer = issuerId
  if (x5c !== undefined) checkCertificateBinding(issuerId, x5c.chain, options, builder)
  else
    checkPartyBinding(
      issuerId,
      kind === 'w3c-presentation' ? 'holder' : 'issuer',
      key,
      options,
      builder,
    )
  checkValidity(kind, claims, builder.extra.credential, options, builder)
  // The issuer-signed JWT's own `aud` (an SD-JWT VC addressed to a verifier) under verify()'s one
  // rule; only the KB-JWT is required to be addressed (RFC 9901 section 7.3).
  const addressed = checkAudience(claims.aud, options, builder, {
    what: 'the issuer-signed JWT',
    audOptional: true,
  })
  await checkKeyBinding(split, issuer, options, builder, addressed)
  if (options.profile === 'haip') {
    const [first, ...rest] = haipProblems(issuer.header, claims, split, x5c !== undefined)
    if (first === undefined) builder.pass('profile', 'haip')
    else {
      builder.fail('profile', first.code, first.message)
      for (const problem of rest) builder.issue(problem.code, problem.message)
    }
  }
  if (kind === 'w3c-presentation' && builder.extra.presentation !== undefined) {
    await checkEmbeddedCredentials(
      builder.extra.presentation as JsonObject,
      options,
      context,
      builder,
    )
  }
}

async function checkSignature(
  split: SplitSdJwt,
  issuer: IssuerJwt,
  options: VerifyOptions,
  builder: ResultBuilder,
): Promise<{ key: ResolvedKey; x5c?: X5cIssuerKey } | undefined> {
  try {
    const iss = issuer.payload.iss
    const x5c = await x5cIssuerKey(
      issuer.header,
      options,
      issuer.header.kid !== undefined ||
        issuer.header.jwk !== undefined ||
        (typeof iss === 'string' && isDid(iss.split('#')[0])),
      builder,
    )
    const verifiedBy = await verifyIssuerSignature(split, issuer, {
      ...(options.resolver === undefined ? {} : { resolver: options.resolver }),
      ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
      // A validated x5c chain: its leaf's key, whatever kid says.
      ...(x5c === undefined ? {} : { key: x5c.key.publicJwk }),
    })
    const key = x5c?.key ?? verifiedBy
    recordSignature(builder, issuer.header.alg, key)
    return x5c === undefined ? { key } : { key, x5c }
  } catch (error) {
    recordSignatureFailure(builder, issuer.header.alg, codeOf(error), messageOf(error))
    return undefined
  }
}

/**
 * A token whose `typ` is not an SD-JWT one (already a `typ_mismatch`) is still read as what its
 * claims say, as the JOSE handler does: a W3C credential or presentation when it has `@context` and
 * a `VerifiableCredential` / `VerifiablePresentation` type, so its other problems are the right
 * ones.
 */
function refineKind(kind: SdJwtKind, claims: JsonObject): SdJwtKind {
  if (kind !== 'sd-jwt' || claims['@context'] === undefined) return kind
  const types = typesOf(claims.type) ?? []
  if (types.includes('VerifiableCredential')) return 'w3c-credential'
  if (types.includes('VerifiablePresentation')) return 'w3c-presentation'
  return kind
}

/**
 * The data model (W3C variants) or the SD-JWT VC claim rules; returns the issuer / holder id of a
 * W3C document.
 */
function checkDocument(
  kind: SdJwtKind,
  claims: JsonObject,
  disclosed: string[],
  builder: ResultBuilder,
  header: JoseHeader,
): string | undefined {
  if (kind === 'w3c-credential' || kind === 'w3c-presentation') {
    const extracted = extractVcJosePayload(
      kind === 'w3c-credential' ? 'credential' : 'presentation',
      claims,
      kind === 'w3c-credential' ? 'vc+sd-jwt' : 'vp+sd-jwt',
    )
    builder.extra[extracted.kind] = extracted.document
    const problems: ValidationProblem[] = [...extracted.modelProblems]
    if (dataModelVersion(extracted.document) !== '2.0') {
      problems.push({
        path: '@context',
        message: `a ${kind === 'w3c-credential' ? 'vc' : 'vp'}+sd-jwt payload must be a VCDM 2.0 ${extracted.kind} (first @context entry https://www.w3.org/ns/credentials/v2)`,
      })
    }
    checkDocumentModel(extracted.kind, extracted.document, builder, problems)
    const claimProblems = [...extracted.claimProblems]
    const party =
      extracted.kind === 'credential'
        ? idOf(extracted.document.issuer)
        : idOf(extracted.document.holder)
    const headerProblem = headerIssProblem([header], claims, party)
    if (headerProblem !== undefined) claimProblems.push(headerProblem)
    try {
      checkDisclosureRules(kind, claims, disclosed)
    } catch (error) {
      claimProblems.push({ path: '', message: messageOf(error) })
    }
    const [first, ...rest] = claimProblems
    if (first === undefined) builder.pass('claims')
    else {
      builder.fail('claims', 'claim_invalid', first.message, first.path)
      for (const problem of rest) builder.issue('claim_invalid', problem.message, problem.path)
    }
    return party
  }
  try {
    checkDisclosureRules(kind, claims, disclosed)
    if (kind !== 'sd-jwt-vc' && claims.iss !== undefined && typeof claims.iss !== 'string')
      throw new CredsignError('claim_invalid', 'iss must be a string')
    const headerProblem = headerIssProblem([header], claims, undefined)
    if (headerProblem !== undefined) throw new CredsignError('claim_invalid', headerProblem.message)
    builder.pass('claims', kind === 'sd-jwt-vc' ? `vct ${clip(String(claims.vct))}` : undefined)
  } catch (error) {
    builder.fail('claims', codeOf(error), messageOf(error))
  }
  return undefined
}

function checkValidity(
  kind: SdJwtKind,
  claims: JsonObject,
  credential: Record<string, unknown> | undefined,
  options: VerifyOptions,
  builder: ResultBuilder,
): void {
  if (options.checkValidity === false) {
    builder.pass('validity', 'not checked (checkValidity: false)')
    return
  }
  const tolerance = options.clockToleranceSeconds ?? 60
  const now = epochMilliseconds(options.now)
  const w3c = kind === 'w3c-credential' || kind === 'w3c-presentation'
  try {
    checkJwtTimes(claims, {
      now,
      clockToleranceSeconds: tolerance,
      // The W3C suite's dateTime `iat` is read as absent; any other non-number is no NumericDate.
      nonNumericIat: w3c && parseDateTime(claims.iat) !== undefined ? 'ignore' : 'reject',
    })
  } catch (error) {
    builder.fail('validity', codeOf(error), messageOf(error))
    return
  }
  if (
    credential !== undefined &&
    !checkCredentialPeriod(credential as JsonObject, now, tolerance, builder)
  )
    return
  builder.pass('validity')
}

/**
 * The KB-JWT. `addressed`: the issuer-signed JWT's own `aud` named the caller's audience, which
 * then needs no KB-JWT to be checked (as a `vc+jwt` with `aud` needs none); a KB-JWT present is
 * still checked against it, and `cnf`, `nonce` or `requireKeyBinding` still require one.
 */
async function checkKeyBinding(
  split: SplitSdJwt,
  issuer: IssuerJwt,
  options: VerifyOptions,
  builder: ResultBuilder,
  addressed: boolean,
): Promise<void> {
  const embedded = (options as AudienceOptions)[VERIFIER_AUDIENCE]
  const audience = addressed && split.kbJwt === undefined ? undefined : options.audience
  try {
    const kb = await verifyKbJwt(split, issuer.payload, issuer.alg, {
      ...(options.resolver === undefined ? {} : { resolver: options.resolver }),
      ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
      ...(audience === undefined ? {} : { audience }),
      ...(embedded === undefined ? {} : { [VERIFIER_AUDIENCE]: embedded }),
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      // HAIP: a KB-JWT is always required (the profile check names the rule when it is missing).
      ...(options.profile === 'haip'
        ? { requireKeyBinding: true }
        : options.requireKeyBinding === undefined
          ? {}
          : { requireKeyBinding: options.requireKeyBinding }),
      ...(options.keyBindingMaxAgeSeconds === undefined
        ? {}
        : { keyBindingMaxAgeSeconds: options.keyBindingMaxAgeSeconds }),
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.clockToleranceSeconds === undefined
        ? {}
        : { clockToleranceSeconds: options.clockToleranceSeconds }),
    })
    builder.pass(
      'key_binding',
      kb === undefined
        ? 'no KB-JWT (not required)'
        : 'KB-JWT signed by the cnf key, sd_hash matches',
    )
    if (kb !== undefined) {
      const { audience } = verifierAudienceOf(options)
      if (audience !== undefined) builder.pass('audience', audience)
    }
    if (options.nonce !== undefined) builder.pass('nonce')
  } catch (error) {
    const code = codeOf(error)
    if (code === 'audience_mismatch') {
      builder.pass('key_binding')
      builder.fail('audience', code, messageOf(error), 'kb.aud')
    } else if (code === 'nonce_mismatch') {
      builder.pass('key_binding')
      builder.fail('nonce', code, messageOf(error), 'kb.nonce')
    } else {
      builder.fail('key_binding', code, messageOf(error))
    }
  }
}

function codeOf(error: unknown): ErrorCode {
  return CredsignError.is(error) ? error.code : 'malformed'
}

function messageOf(error: unknown): string {
  return CredsignError.is(error) ? error.message : 'the SD-JWT could not be processed'
}
