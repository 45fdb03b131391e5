import { CredsignError, type ErrorCode } from '../../errors/credsign-error.js'
import { parseDateTime } from '../../credential/date-time.js'
import { isDid } from '../../did/did-url.js'
import { checkJwtTimes, epochMilliseconds } from '../../jose/jwt-times.js'
import { defaultResolver } from '../../resolve/default-resolver.js'
import { decodeSignature, jwsLimits, splitJws } from '../../jose/parse.js'
import type { DecodedSignature, SplitJws } from '../../jose/parse.js'
import type { JoseHeader, JwsVerifyOptions, VerifiedJws } from '../../jose/types.js'
import { verifyDecoded } from '../../jose/verify-jws.js'
import type { ResolvedKey } from '../../resolve/types.js'
import type {
  FormatHandler,
  VerificationFormat,
  VerificationResult,
  VerifyContext,
  VerifyOptions,
} from '../../verify/types.js'
import { classifyJwt } from './classify.js'
import { normalizeTyp, saysSdJwt } from '../../jose/typ.js'
import { extractDocument, issuerOf, readPayload } from './decode-jwt-credential.js'
import { headerIssProblem, type ExtractedDocument } from '../../credential/vc-jose-claims.js'
import {
  checkCredentialPeriod,
  checkDocumentModel,
  checkEmbeddedCredentials,
  checkPartyBinding,
} from '../../verify/document-checks.js'
import { ResultBuilder } from '../../verify/result-builder.js'
import { recordSignature, recordSignatureFailure } from '../../verify/check-of-code.js'
import type { JsonObject, ValidationProblem } from '../../credential/types.js'
import { isJsonObject } from '../../credential/validate-shared.js'
import { dataModelVersion } from '../../credential/data-model-version.js'
import { checkCertificateBinding, x5cIssuerKey } from '../../verify/x5c-issuer.js'
import { checkAudience } from '../../verify/audience.js'
import type { X5cIssuerKey } from '../../verify/x5c-issuer.js'

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/

/** A JWS (any serialization) split, and its signatures decoded, with the default limits. */
interface ParsedJws {
  split: SplitJws
  decoded: DecodedSignature[]
}

/**
 * The `verify()` handler for the JOSE family: compact JWS and JWT, JWS JSON serializations
 * (flattened and general), and on top of them JWT credentials and presentations: VC-JOSE-COSE
 * (`vc+jwt`, `vp+jwt`) and the VCDM 1.1 encoding (`vc-jwt`, `vp-jwt`). `verify()` registers it
 * first; it never throws for bad input.
 *
 * Checks, in order (names as in `VerificationResult.checks`): `format`; `typ` (credential formats:
 * `vc+jwt` / `vp+jwt`, or `JWT`/none for 1.1); `algorithm`, `key`, `signature` (the jose layer:
 * `options.algorithms`, `options.resolver`; a token without `kid` whose `iss` is a DID is verified
 * with that DID's key); `credential` / `presentation` (data model, non-strict; VC-JOSE-COSE forbids
 * `vc`/`vp` claims); `claims` (registered claim types, VCDM 1.1 mapping conflicts, `iss` ≠ issuer);
 * `issuer_binding` (the key's controller is the issuer / holder; `options.issuerBinding: false`
 * skips it); `key_purpose` (when the resolver knows the key's DID relationships: `assertionMethod`
 * for credentials, `authentication` for presentations); `validity`; `audience` (every kind: a token
 * with `aud` must name `options.audience`, RFC 7519 section 4.1.3; a credential inside a
 * presentation is checked against the presentation's audience) and `nonce` (presentations and plain
 * JWTs, when the options ask); `credentials` (every embedded credential through `context.verify`).
 *
 * @example
 *
 * ```ts
 * import { JwtVcSigner, KeyVault, MemoryStore, asDidSigner, joseHandler } from 'credsign'
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
 * joseHandler.detect(jwt) // true
 * const result = await joseHandler.verify(
 *   jwt,
 *   {},
 *   {
 *     verify: async () => {
 *       throw new Error('no embedded credentials here')
 *     },
 *   },
 * )
 * result.verified // true; usually you call verify(jwt), which uses this handler
 * ```
 */
export const joseHandler: FormatHandler = {
  name: 'jose',
  detect: isJoseInput,
  verify: verifyJose,
}

function isJoseInput(input: unknown): boolean {
  if (typeof input === 'string') return COMPACT.test(input)
  if (!isJsonObject(input) || typeof input.payload !== 'string') return false
  return typeof input.signature === 'string' || Array.isArray(input.signatures)
}

async function verifyJose(
  input: unknown,
  options: VerifyOptions,
  context: VerifyContext,
): Promise<VerificationResult> {
  try {
    return await verifyToken(input, options, context)
  } catch (error) {
    // Every expected failure is recorded as an error above; this is the never-throw backstop.
    return formatFailure(
      'unknown',
      CredsignError.is(error) ? error.code : 'malformed',
      CredsignError.is(error) ? error.message : 'the input could not be processed',
    )
  }
}

/** A result that fails with one `format` check: the token is not verified as a JWS at all. */
function formatFailure(
  format: VerificationFormat,
  code: ErrorCode,
  message: string,
): VerificationResult {
  const builder = new ResultBuilder(format)
  builder.fail('format', code, message)
  return builder.result()
}

/**
 * Any serialization of a JWS (compact, flattened JSON, general JSON) goes through the same rules:
 * what the token claims to be comes from its protected header and payload, whatever envelope it
 * arrives in. A JSON serialization must never be a way around the claim checks (RFC 7519 says a JWT
 * is compact, but a verifier that saw a `vp+jwt` in another envelope and skipped `exp`, `nonce` and
 * `aud` would accept a replay).
 */
async function verifyToken(
  input: unknown,
  options: VerifyOptions,
  context: VerifyContext,
): Promise<VerificationResult> {
  // Read the header and payload before verifying, to know what the token claims to be; nothing
  // read here is trusted until the signature has verified.
  let header: JoseHeader
  let keyHeader: JoseHeader
  let payload: unknown
  let parsed: ParsedJws
  try {
    const limits = jwsLimits({})
    const split = splitJws(input, limits)
    const decoded = split.signatures.map((raw) => decodeSignature(raw, limits))
    parsed = { split, decoded }
    header = classifyingHeader(decoded)
    keyHeader = keySelectingHeader(decoded)
    payload = readPayload(split.payload, limits.maxJsonDepth)
  } catch (error) {
    return formatFailure(
      'jws',
      CredsignError.is(error) ? error.code : 'malformed',
      CredsignError.is(error) ? error.message : 'not a JWS',
    )
  }

  if (claimsSdJwt(header, parsed.decoded, payload)) {
    // verify() gives SD-JWTs to sdJwtHandler first; a verifier made without it must not verify
    // one here as a plain JWS, which would skip the disclosure and key binding rules.
    return formatFailure(
      'sd-jwt',
      'format_not_enabled',
      'this is an SD-JWT (typ …+sd-jwt, _sd_alg or _sd claims, or disclosures / kb_jwt beside the signature) and is verified only as one: in its SD-JWT form (issuer JWT~disclosures~), by verify() or by a createVerifier given sdJwtHandler before joseHandler',
    )
  }

  if (typeof header.cty === 'string' && normalizeTyp(header.cty) === 'jwt') {
    // RFC 7519 section 7.2 step 8: the claims are the inner JWT's. Nested JWTs are not processed,
    // so the token is refused: verifying the outer signature alone would be a verdict with none
    // of the inner token's claims (exp, aud, typ) checked.
    return formatFailure(
      'jws',
      'unsupported_format',
      'a nested JWT (cty JWT): credsign does not verify nested JWTs; verify the inner JWT itself',
    )
  }

  const serialization = parsed.split.serialization
  const kind = classifyJwt(header, payload)
  const builder = new ResultBuilder(kind.format)
  builder.extra.header = header
  if (payload !== undefined) builder.extra.payload = payload
  builder.pass(
    'format',
    serialization === 'compact'
      ? describe(kind.format)
      : `${describe(kind.format)} (${serialization} JSON serialization)`,
  )
  const isDocument = kind.format !== 'jwt' && kind.format !== 'jws'
  if (kind.typProblem !== undefined)
    builder.fail('typ', 'typ_mismatch', kind.typProblem, 'header.typ')
  else if (isDocument)
    builder.pass('typ', typeof header.typ === 'string' ? header.typ : 'none (VCDM 1.1 allows that)')

  if (options.profile === 'haip')
    builder.fail(
      'profile',
      'haip_format',
      `HAIP: the credential format must be dc+sd-jwt (an SD-JWT VC), not ${kind.format}`,
    )

  const verified = await checkSignature(keyHeader, options, builder, payload, parsed)
  if (!verified) return builder.result()

  const extracted = extractDocument(kind.format, payload)
  if (extracted) builder.extra[extracted.kind] = extracted.document
  const issuer = issuerOf(extracted, payload)
  if (issuer !== undefined) builder.extra.issuer = issuer

  if (isDocument && extracted === undefined) {
    // A vc+jwt / vp+jwt typ over a payload that is not a JSON object.
    builder.fail(
      kind.format.startsWith('vc') ? 'credential' : 'presentation',
      'credential_invalid',
      `a ${kind.format} payload must be a JSON object`,
    )
    return builder.result()
  }
  if (extracted) checkDocument(extracted, kind.format, builder)
  if (!isJsonObject(payload)) {
    // typ JWT promises a claims set, which must be a JSON object (RFC 7519 section 7.2).
    if (typeof header.typ === 'string' && normalizeTyp(header.typ) === 'jwt') {
      builder.fail('claims', 'malformed', 'typ is JWT but the payload is not a JSON object')
    }
    return builder.result()
  }
  // Every JOSE header of every signature (a JSON serialization's unprotected ones too).
  const headers = parsed.decoded.flatMap((d) => [d.protectedHeader, d.unprotectedHeader])
  checkClaims(payload, extracted, builder, headerIssProblem(headers, payload, issuer))
  if (verified.x5c !== undefined)
    checkCertificateBinding(issuer, verified.x5c.chain, options, builder)
  else
    checkPartyBinding(
      issuer,
      extracted?.kind === 'credential'
        ? 'issuer'
        : extracted?.kind === 'presentation'
          ? 'holder'
          : undefined,
      verified.key,
      options,
      builder,
    )
  checkValidity(payload, extracted, options, builder)
  // RFC 7519 section 4.1.3 for every kind, credentials included (one addressed to a verifier is
  // not for another); a nonce binds presentations and plain JWTs only.
  checkAudience(payload.aud, options, builder, {
    what: 'the token',
    audOptional: extracted?.kind === 'credential',
  })
  if (extracted?.kind !== 'credential') checkNonce(payload, options, builder)
  if (extracted?.kind === 'presentation')
    await checkEmbeddedCredentials(extracted.document, options, context, builder)
  return builder.result()
}

/**
 * The header that says what the token is (`typ`, `cty`): the protected header only, since an
 * unprotected `typ` is not covered by any signature. The signatures of a general JWS must agree on
 * it, or one envelope would be two different tokens depending on which signature a verifier reads.
 */
function classifyingHeader(decoded: readonly DecodedSignature[]): JoseHeader {
  const [first, ...rest] = decoded
  if (first === undefined) throw new CredsignError('malformed', 'the JWS has no signatures')
  for (const other of rest) {
    for (const name of ['typ', 'cty'] as const) {
      if (
        JSON.stringify(other.protectedHeader[name]) !== JSON.stringify(first.protectedHeader[name])
      ) {
        throw new CredsignError('malformed', `the signatures of the JWS disagree on ${name}`)
      }
    }
  }
  return first.protectedHeader
}

/**
 * Whether a JWS says it is an SD-JWT: a protected `typ` that says so (`saysSdJwt`), a payload with
 * `_sd_alg` or a top-level `_sd`, or an unprotected header carrying `disclosures` / `kb_jwt` (the
 * JSON serialization of RFC 9901 section 8).
 */
function claimsSdJwt(
  header: JoseHeader,
  decoded: readonly DecodedSignature[],
  payload: unknown,
): boolean {
  if (saysSdJwt(header.typ)) return true
  // RFC 9901 section 4.1: `_sd_alg` and a top-level `_sd` are the issuer-signed JWT's own claims
  // (RFC 9901 does not require a typ; sdJwtHandler refuses an untyped one, and so must this).
  if (isJsonObject(payload) && (Object.hasOwn(payload, '_sd_alg') || Object.hasOwn(payload, '_sd')))
    return true
  return decoded.some(
    ({ unprotectedHeader }) =>
      unprotectedHeader !== undefined &&
      (Object.hasOwn(unprotectedHeader, 'disclosures') ||
        Object.hasOwn(unprotectedHeader, 'kb_jwt')),
  )
}

/**
 * The members that select a key (`kid`, `jwk`), from both headers of every signature, and the first
 * signature's `alg` (for the `algorithm` check's detail): a token with no `kid` or `jwk` anywhere
 * is verified with the key of its `iss` DID.
 */
function keySelectingHeader(decoded: readonly DecodedSignature[]): JoseHeader {
  const merged: JoseHeader = { alg: decoded[0]?.protectedHeader.alg }
  for (const signature of decoded) {
    for (const source of [signature.unprotectedHeader, signature.protectedHeader]) {
      if (source === undefined) continue
      if (source.kid !== undefined) merged.kid = source.kid
      if (source.jwk !== undefined) merged.jwk = source.jwk
    }
  }
  return merged
}

function describe(format: string): string {
  switch (format) {
    case 'vc+jwt':
      return 'vc+jwt: VC-JOSE-COSE credential'
    case 'vp+jwt':
      return 'vp+jwt: VC-JOSE-COSE presentation'
    case 'vc-jwt':
      return 'vc-jwt: VCDM 1.1 JWT credential (vc claim)'
    case 'vp-jwt':
      return 'vp-jwt: VCDM 1.1 JWT presentation (vp claim)'
    case 'jwt':
      return 'jwt'
    default:
      return 'jws: a JWS whose payload is not a JSON object'
  }
}

/**
 * Algorithm, key and signature through the jose layer. Records the three checks and returns the
 * verified JWS, or records the failure and returns undefined.
 */
async function checkSignature(
  header: JoseHeader,
  options: VerifyOptions,
  builder: ResultBuilder,
  payload: unknown,
  parsed: ParsedJws,
): Promise<(VerifiedJws & { x5c?: X5cIssuerKey }) | undefined> {
  const jwsOptions: JwsVerifyOptions = {}
  if (options.algorithms !== undefined) jwsOptions.algorithms = options.algorithms
  let keyFromIss: ResolvedKey | undefined
  let x5c: X5cIssuerKey | undefined
  const iss = isJsonObject(payload) ? payload.iss : undefined
  const issIsDid = isDid(typeof iss === 'string' ? iss.split('#')[0] : undefined)
  try {
    x5c = await x5cIssuerKey(
      x5cHeader(parsed.decoded, options),
      options,
      header.kid !== undefined || header.jwk !== undefined || issIsDid,
      builder,
    )
    if (x5c !== undefined) {
      // The x5c chain validated: its leaf's key, whatever kid says.
      keyFromIss = x5c.key
      jwsOptions.key = x5c.key.publicJwk
    } else if (header.kid === undefined && header.jwk === undefined && issIsDid) {
      // No kid (did-jwt and other VCDM 1.1 issuers often send none): the issuer's DID names the key.
      const resolved = await (options.resolver ?? defaultResolver()).resolveKey(iss as string)
      keyFromIss = resolved
      jwsOptions.key = resolved.publicJwk
    } else if (options.resolver !== undefined) {
      jwsOptions.resolver = options.resolver
    }
    // The token was split and decoded above with the default limits, which are the ones jwsOptions
    // asks for: verify those parts rather than splitting and decoding it again (a general JWS with
    // several signatures goes through the jose layer's any-signature rule).
    const verified = await verifyDecoded(parsed.split, parsed.decoded, jwsOptions)
    const key = keyFromIss ?? verified.key
    recordSignature(builder, verified.protectedHeader.alg, key)
    return x5c === undefined ? { ...verified, key } : { ...verified, key, x5c }
  } catch (error) {
    recordSignatureFailure(
      builder,
      header?.alg,
      CredsignError.is(error) ? error.code : 'malformed',
      CredsignError.is(error) ? error.message : 'the JWS could not be verified',
    )
    return undefined
  }
}

/**
 * The protected header whose `x5c` names the key: the one signature's. A JWS with several
 * signatures and an `x5c` is refused when trust anchors are configured (which signature's chain
 * would vouch for the token is not defined); without anchors x5c is not used at all. An unprotected
 * `x5c` is never used (SD-JWT VC requires it protected; nothing signs an unprotected one).
 */
function x5cHeader(decoded: readonly DecodedSignature[], options: VerifyOptions): JoseHeader {
  const [only, ...others] = decoded
  if (others.length === 0) return only?.protectedHeader ?? {}
  if (
    options.trustAnchors !== undefined &&
    decoded.some((signature) => signature.protectedHeader.x5c !== undefined)
  )
    throw new CredsignError(
      'key_not_found',
      'x5c in a JWS with several signatures is not supported: use one signature',
    )
  return {}
}

/** Data model of the credential or presentation; VC-JOSE-COSE payloads must be VCDM 2.0. */
function checkDocument(extracted: ExtractedDocument, format: string, builder: ResultBuilder): void {
  const { kind, document } = extracted
  const problems = [...extracted.modelProblems]
  if ((format === 'vc+jwt' || format === 'vp+jwt') && dataModelVersion(document) !== '2.0') {
    problems.push({
      path: '@context',
      message: `a ${format} payload must be a VCDM 2.0 ${kind} (first @context entry https://www.w3.org/ns/credentials/v2)`,
    })
  }
  checkDocumentModel(kind, document, builder, problems)
}

/** Registered claims of the right type; VCDM 1.1 mapping conflicts; iss against the document. */
function checkClaims(
  payload: JsonObject,
  extracted: ExtractedDocument | undefined,
  builder: ResultBuilder,
  headerProblem: ValidationProblem | undefined,
): void {
  const problems = [...(extracted?.claimProblems ?? [])]
  if (headerProblem !== undefined) problems.push(headerProblem)
  for (const name of ['iss', 'sub', 'jti', 'nonce']) {
    if (
      payload[name] !== undefined &&
      typeof payload[name] !== 'string' &&
      !problems.some((p) => p.path === name)
    ) {
      problems.push({ path: name, message: `${name} must be a string` })
    }
  }
  const aud = payload.aud
  if (
    aud !== undefined &&
    typeof aud !== 'string' &&
    !(Array.isArray(aud) && aud.every((entry) => typeof entry === 'string'))
  ) {
    problems.push({ path: 'aud', message: 'aud must be a string or an array of strings' })
  }
  if (problems.length === 0) {
    builder.pass('claims')
    return
  }
  const [first, ...rest] = problems
  if (first) builder.fail('claims', 'claim_invalid', first.message, first.path)
  for (const problem of rest) builder.issue('claim_invalid', problem.message, problem.path)
}

/**
 * `exp` / `nbf` / `iat` (RFC 7519, a non-numeric `iat` ignored) and the document's own validity
 * period.
 */
function checkValidity(
  payload: JsonObject,
  extracted: ExtractedDocument | undefined,
  options: VerifyOptions,
  builder: ResultBuilder,
): void {
  if (options.checkValidity === false) {
    builder.pass('validity', 'not checked (checkValidity: false)')
    return
  }
  const tolerance = options.clockToleranceSeconds ?? 60
  const now = epochMilliseconds(options.now)
  try {
    // The W3C suite's dateTime `iat` is read as absent; any other non-number is no NumericDate.
    checkJwtTimes(payload, {
      now,
      clockToleranceSeconds: tolerance,
      nonNumericIat: parseDateTime(payload.iat) === undefined ? 'reject' : 'ignore',
    })
  } catch (error) {
    if (!CredsignError.is(error)) throw error
    builder.fail('validity', error.code, error.message)
    return
  }
  if (
    extracted?.kind === 'credential' &&
    !checkCredentialPeriod(extracted.document, now, tolerance, builder)
  )
    return
  builder.pass('validity')
}

/** `nonce` against the caller's, when it gave one (presentations and plain JWTs). */
function checkNonce(payload: JsonObject, options: VerifyOptions, builder: ResultBuilder): void {
  if (options.nonce !== undefined) {
    if (payload.nonce === options.nonce) builder.pass('nonce')
    else
      builder.fail(
        'nonce',
        'nonce_mismatch',
        payload.nonce === undefined ? 'the token has no nonce' : 'nonce is not the expected one',
        'nonce',
      )
  }
}
