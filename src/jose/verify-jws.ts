import { CredsignError } from '../errors/credsign-error.js'
import type { ErrorCode } from '../errors/credsign-error.js'
import type { JwsAlgorithm } from '../keys/types.js'
import { defaultResolver } from '../resolve/default-resolver.js'
import { utf8 } from '../util/bytes.js'
import { acceptedAlgorithms, isJwsAlgorithm } from './algorithms.js'
import { checkHeaders } from './header.js'
import { isOptionsObject } from './json.js'
import { keySources, verifyWithSelectedKey } from './key-selection.js'
import type { KeySources } from './key-selection.js'
import { decodeSignature, jwsLimits, splitJws } from './parse.js'
import type { DecodedSignature, JwsLimits, RawSignature, SplitJws } from './parse.js'
import type { JoseHeader, JwsVerifyOptions, VerifiedJws } from './types.js'

/** A check on the merged header that runs after `alg`/`crit` and before any key is resolved. */
export type HeaderCheck = (header: JoseHeader) => void

/**
 * Verifies a JWS in compact, flattened JSON or general JSON serialization (RFC 7515), given as a
 * string (compact or JSON text) or as a parsed JSON object. Resolves with the payload bytes, the
 * headers and the key that verified; throws a `CredsignError` otherwise. It never returns an
 * unverified payload.
 *
 * What is refused, and with which code:
 *
 * - `malformed`: not exactly three compact segments; base64url with padding, `+`, `/`, whitespace or
 *   non-zero trailing bits; input, header or payload over the size limits; a header that is not a
 *   UTF-8 JSON object, has a member twice, or nests too deep; a member both in the protected and
 *   the unprotected header; no `alg`, or `alg` outside the protected header; a general JWS with no
 *   signatures; a detached payload.
 * - `algorithm_not_allowed`: `alg` is `none`, HMAC (`HS256`…) or anything not in `options.algorithms`
 *   (default {@link JWS_ALGORITHMS}); or the key cannot make that `alg` (wrong key type, curve,
 *   `use`, `key_ops` or JWK `alg`): there is no algorithm confusion.
 * - `crit_unsupported`: `crit` empty, not in the protected header, naming a registered parameter, a
 *   parameter absent from the protected header, `b64`, or one not in `options.crit`.
 * - `key_not_found`: no `kid` and no `key`/`jwks` (or an embedded `jwk` without `allowEmbeddedJwk`);
 *   a `kid` nobody knows. Resolver errors (`key_resolution_failed`, `resolver_not_configured`) pass
 *   through.
 * - `signature_invalid`: the signature does not verify (including an empty one).
 *
 * Keys come from `options.key`, else `options.jwks`, else `kid` through `options.resolver`
 * (default: did:key and did:jwk, offline), else, with `allowEmbeddedJwk`, the header's `jwk`. ECDSA
 * signatures with a high S verify (other implementations produce them).
 *
 * A general JSON JWS verifies when any one of its signatures verifies with an acceptable key; the
 * result describes the first that did. When none does, the error lists every signature's reason and
 * carries the shared code, or `signature_invalid` when the reasons differ; `cause` is an
 * `AggregateError` of the individual errors.
 *
 * @example
 *
 * ```ts
 * import {
 *   generateKeyPair,
 *   loadPrivateKey,
 *   signCompact,
 *   verifyJws,
 *   didKeyFromJwk,
 *   type Signer,
 * } from 'credsign'
 * const { pkcs8, publicJwk } = await generateKeyPair('Ed25519')
 * const key = await loadPrivateKey('Ed25519', pkcs8)
 * const did = didKeyFromJwk(publicJwk)
 * const signer: Signer = {
 *   id: did,
 *   algorithm: 'Ed25519',
 *   publicJwk,
 *   sign: (data) => key.sign(data),
 * }
 * const jws = await signCompact(signer, '{"select":["?name"]}')
 * const { payload, key: verifiedBy } = await verifyJws(jws) // did:key kids resolve offline
 * new TextDecoder().decode(payload) // '{"select":["?name"]}'
 * verifiedBy.controller === did // true
 * ```
 */
export async function verifyJws(
  input: unknown,
  options: JwsVerifyOptions = {},
): Promise<VerifiedJws> {
  return verifyJwsWith(input, options, undefined)
}

/** {@link verifyJws} with an extra header check (the JWT layer checks `typ` there). */
export async function verifyJwsWith(
  input: unknown,
  options: JwsVerifyOptions,
  headerCheck: HeaderCheck | undefined,
): Promise<VerifiedJws> {
  const context = signatureContext(options, headerCheck)
  try {
    return await verifySplit(splitJws(input, context.limits), context, undefined)
  } catch (error) {
    throw typed(error)
  }
}

/**
 * {@link verifyJws} of a JWS (compact, flattened or general, any number of signatures) that the
 * caller already split and decoded with the limits of `options` (`splitJws`, then `decodeSignature`
 * of every signature in order), so that nothing is split or decoded twice. Same checks, same
 * errors.
 *
 * @internal
 */
export async function verifyDecoded(
  split: SplitJws,
  decoded: readonly DecodedSignature[],
  options: JwsVerifyOptions,
): Promise<VerifiedJws> {
  const context = signatureContext(options, undefined)
  if (decoded.length !== split.signatures.length)
    throw new CredsignError('invalid_argument', 'one decoded signature per signature of the JWS')
  try {
    return await verifySplit(split, context, decoded)
  } catch (error) {
    throw typed(error)
  }
}

/** The options checked once per JWS. */
function signatureContext(
  options: JwsVerifyOptions,
  headerCheck: HeaderCheck | undefined,
): SignatureContext {
  if (!isOptionsObject(options))
    throw new CredsignError('invalid_argument', 'options must be an object')
  return {
    limits: jwsLimits(options),
    algorithms: acceptedAlgorithms(options.algorithms),
    understood: criticalNames(options.crit),
    sources: keySources(options, defaultResolver),
    headerCheck,
  }
}

/**
 * The one signature, or the any-signature rule over several; `decoded` is each signature's headers
 * when the caller decoded them already.
 */
async function verifySplit(
  jws: SplitJws,
  context: SignatureContext,
  decoded: readonly DecodedSignature[] | undefined,
): Promise<VerifiedJws> {
  if (jws.signatures.length === 1) {
    return {
      payload: jws.payload,
      ...(await verifyOne(
        jws.signatures[0] as RawSignature,
        jws.payloadB64,
        context,
        decoded?.[0],
      )),
    }
  }
  const entries = decoded ?? decodeEach(jws.signatures, context.limits)
  refuseUnencodedPayload(entries)
  const failures: CredsignError[] = []
  for (const [index, raw] of jws.signatures.entries()) {
    try {
      const entry = entries[index] as DecodedSignature | CredsignError
      if (entry instanceof CredsignError) throw entry
      return { payload: jws.payload, ...(await verifyOne(raw, jws.payloadB64, context, entry)) }
    } catch (error) {
      failures.push(typed(error))
    }
  }
  throw combined(failures)
}

interface SignatureContext {
  limits: JwsLimits
  algorithms: ReadonlySet<JwsAlgorithm>
  understood: readonly string[]
  sources: KeySources
  headerCheck: HeaderCheck | undefined
}

async function verifyOne(
  raw: RawSignature,
  payloadB64: string,
  context: SignatureContext,
  predecoded?: DecodedSignature,
): Promise<Omit<VerifiedJws, 'payload'>> {
  const decoded = predecoded ?? decodeSignature(raw, context.limits)
  const header = checkHeaders(
    decoded.protectedHeader,
    decoded.unprotectedHeader,
    context.understood,
    'verify',
  )
  const alg = header.alg as string
  if (!isJwsAlgorithm(alg) || !context.algorithms.has(alg)) {
    // `none` and the HMAC family never make it here: they are not JWS_ALGORITHMS at all.
    throw new CredsignError(
      'algorithm_not_allowed',
      `alg ${JSON.stringify(alg.slice(0, 16))} is not accepted`,
    )
  }
  context.headerCheck?.(header)
  const data = utf8(`${decoded.protectedB64}.${payloadB64}`)
  const key = await verifyWithSelectedKey(header, alg, data, decoded.signature, context.sources)
  const result: Omit<VerifiedJws, 'payload'> = { protectedHeader: decoded.protectedHeader, key }
  if (decoded.unprotectedHeader !== undefined) result.unprotectedHeader = decoded.unprotectedHeader
  return result
}

/**
 * RFC 7797 section 3: `b64` must be the same in every signature of a JWS, since it decides what the
 * payload is. credsign never accepts `b64` (its one signature is refused as `crit_unsupported`);
 * with several signatures, one that names it must refuse the whole JWS, or the any-signature rule
 * would let another signature verify a payload that a `b64`-aware verifier reads differently.
 */
function refuseUnencodedPayload(decoded: readonly (DecodedSignature | CredsignError)[]): void {
  for (const entry of decoded) {
    // A malformed entry fails on its own in the any-signature loop; it must not stop a good one.
    if (entry instanceof CredsignError) continue
    const { protectedHeader, unprotectedHeader } = entry
    if (
      'b64' in protectedHeader ||
      (unprotectedHeader !== undefined && 'b64' in unprotectedHeader)
    ) {
      throw new CredsignError(
        'crit_unsupported',
        'a signature of the JWS uses b64 (RFC 7797): every signature must agree on it, and credsign does not support unencoded payloads',
      )
    }
  }
}

/**
 * Each signature's headers decoded once (a malformed one as its error), for the b64 rule and the
 * verification.
 */
function decodeEach(
  signatures: readonly RawSignature[],
  limits: JwsLimits,
): (DecodedSignature | CredsignError)[] {
  return signatures.map((raw) => {
    try {
      return decodeSignature(raw, limits)
    } catch (error) {
      return typed(error)
    }
  })
}

function criticalNames(crit: readonly string[] | undefined): readonly string[] {
  if (crit === undefined) return []
  if (!Array.isArray(crit) || crit.some((name) => typeof name !== 'string'))
    throw new CredsignError('invalid_argument', 'crit must be an array of header parameter names')
  return crit
}

/**
 * Every failure of a verification is a CredsignError: anything else is a bug surfaced as
 * `malformed`.
 */
function typed(error: unknown): CredsignError {
  if (error instanceof CredsignError) return error
  return new CredsignError('malformed', 'the JWS could not be processed', { cause: error })
}

function combined(failures: CredsignError[]): CredsignError {
  const codes = new Set(failures.map((failure) => failure.code))
  const code: ErrorCode =
    codes.size === 1 ? (failures[0] as CredsignError).code : 'signature_invalid'
  const reasons = failures
    .map((failure, index) => `[${index}] ${failure.code}: ${failure.message}`)
    .join('; ')
  return new CredsignError(code, `no signature of the JWS verified: ${reasons}`, {
    cause: new AggregateError(failures, 'every signature failed'),
  })
}
