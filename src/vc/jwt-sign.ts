// The steps JwtVcSigner and JwtVpSigner share: copying the caller's document, the time claims,
// extra claims, the header, and the JWS itself (through the jose layer, never hand-assembled).
import { CredsignError } from '../errors/credsign-error.js'
import { signCompact } from '../jose/sign.js'
import type { JoseHeader } from '../jose/types.js'
import type { Signer } from '../keys/types.js'
import type { JwtVcSignOptions, JwtVpSignOptions } from './sign-options.js'
import type { JsonObject, VcVersion } from './types.js'
import { numericDateOf } from './date-time.js'
import { dataModelVersion } from './version.js'
import { isJsonObject } from './validate-shared.js'

/** Claims credsign derives itself: `claims` may not set them. */
const DERIVED_CLAIMS = ['iss', 'iat', 'nbf', 'exp', 'jti', 'sub', 'aud', 'nonce', 'vc', 'vp']

/** Header members that come from options, not from `header`. */
const DERIVED_HEADER = ['alg', 'typ', 'cty', 'kid', 'crit', 'b64']

/** A deep copy of a caller's document, so that signing never changes the caller's object. */
export function copyDocument(document: unknown, what: 'credential' | 'presentation'): JsonObject {
  if (!isJsonObject(document)) throw new CredsignError('credential_invalid', `the ${what} must be a JSON object`)
  let text: unknown
  try {
    text = JSON.stringify(document)
  } catch (cause) {
    throw new CredsignError('credential_invalid', `the ${what} is not JSON (a cycle or a BigInt)`, { cause })
  }
  // A toJSON() can turn the object into anything, or into nothing (undefined).
  const copy: unknown = typeof text === 'string' ? JSON.parse(text) : undefined
  if (!isJsonObject(copy)) throw new CredsignError('credential_invalid', `the ${what} must be a JSON object`)
  return copy
}

/** A caller's document ready to sign: a private copy, its data model and the JWT encoding to use. */
export interface PreparedDocument {
  document: JsonObject
  dataModel: VcVersion
  encoding: VcVersion
}

/**
 * The checks both JWT signers start with: copy the document, read its data model from `@context`,
 * and pick the encoding (`version` may send a 2.0 document in the 1.1 encoding, never the reverse:
 * VC-JOSE-COSE is defined for VCDM 2.0 only).
 */
export function prepareDocument(input: unknown, what: 'credential' | 'presentation', version: unknown): PreparedDocument {
  const document = copyDocument(input, what)
  const dataModel = dataModelVersion(document)
  if (dataModel === undefined) {
    throw new CredsignError('credential_invalid', '@context[0]: the first @context entry must be https://www.w3.org/ns/credentials/v2 or https://www.w3.org/2018/credentials/v1')
  }
  const encoding = version ?? dataModel
  if (encoding !== '1.1' && encoding !== '2.0') throw new CredsignError('invalid_argument', "version must be '1.1' or '2.0'")
  if (encoding === '2.0' && dataModel === '1.1') {
    throw new CredsignError('credential_invalid', `@context[0]: VC-JOSE-COSE secures VCDM 2.0 ${what}s only; sign a VCDM 1.1 ${what} with the 1.1 encoding`)
  }
  return { document, dataModel, encoding }
}

/** VC-JOSE-COSE payloads are the document itself: a `vc` or `vp` claim in one is refused. */
export function refuseJwtClaimsIn20(document: JsonObject, encoding: VcVersion): void {
  if (encoding === '2.0' && (document.vc !== undefined || document.vp !== undefined)) {
    throw new CredsignError('credential_invalid', `${document.vc !== undefined ? 'vc' : 'vp'}: VC-JOSE-COSE forbids the vc and vp claims`)
  }
}

/** The 1.1 encoding's choice of keeping or removing mapped members from the `vc` / `vp` object. */
export function mappedPropertiesOf(option: unknown): 'keep' | 'remove' {
  const mapped = option ?? 'remove'
  if (mapped !== 'keep' && mapped !== 'remove') throw new CredsignError('invalid_argument', "mappedProperties must be 'keep' or 'remove'")
  return mapped
}

/** Merges constructor defaults with per-call options (per-call wins, `undefined` does not override). */
export function mergeOptions<T extends object>(defaults: T | undefined, options: T | undefined): T {
  const merged = { ...defaults } as Record<string, unknown>
  for (const [name, value] of Object.entries(options ?? {})) if (value !== undefined) merged[name] = value
  return merged as T
}

/** `iat` and the `exp` that `expiresIn` asks for, as NumericDates. */
export function timeClaims(options: JwtVcSignOptions | JwtVpSignOptions): { iat?: number; exp?: number; now: number } {
  const now = options.now === undefined ? Date.now() : options.now()
  if (!Number.isFinite(now)) throw new CredsignError('invalid_argument', 'now() must return epoch milliseconds')
  const nowSeconds = Math.floor(now / 1000)
  const out: { iat?: number; exp?: number; now: number } = { now }
  const issuedAt = options.issuedAt ?? true
  if (issuedAt === true) out.iat = nowSeconds
  else if (typeof issuedAt === 'number') {
    if (!Number.isFinite(issuedAt) || issuedAt < 0) throw new CredsignError('invalid_argument', 'issuedAt must be a NumericDate (seconds)')
    out.iat = Math.floor(issuedAt)
  } else if (issuedAt !== false) {
    throw new CredsignError('invalid_argument', 'issuedAt must be a boolean or a NumericDate')
  }
  if (options.expiresIn !== undefined) {
    if (!Number.isFinite(options.expiresIn) || options.expiresIn <= 0) throw new CredsignError('invalid_argument', 'expiresIn must be a positive number of seconds')
    out.exp = (out.iat ?? nowSeconds) + Math.floor(options.expiresIn)
  }
  return out
}

/**
 * The registered claims a VC-JOSE-COSE payload (`vc+jwt`, `vc+sd-jwt`) gets from its credential:
 * `iss`, `iat`, and, with `validity` (the default), `nbf` from `validFrom` and `exp` from
 * `validUntil` (the earlier of that and the `expiresIn` one). Added with {@link addClaims}, so a
 * credential member that contradicts one is `credential_invalid`. @internal
 */
export function addVcJoseClaims(document: JsonObject, issuer: string | undefined, times: { iat?: number; exp?: number }, validity: boolean): void {
  addClaims(document, {
    iss: issuer,
    iat: times.iat,
    nbf: validity ? numericDateOf(document.validFrom) : undefined,
    exp: earlier(times.exp, validity ? numericDateOf(document.validUntil) : undefined),
  })
}

/** The earlier of two optional NumericDates. */
export function earlier(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return Math.min(a, b)
}

/**
 * Adds `claims` to `payload` without ever replacing a member: a member that is already there with
 * another value is `credential_invalid` (2.0: the payload is the document, so a credential member
 * named `iss` or `exp` that disagrees with what credsign derives is a contradiction, not something to
 * overwrite quietly).
 */
export function addClaims(payload: JsonObject, claims: JsonObject): void {
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) continue
    if (name in payload && JSON.stringify(payload[name]) !== JSON.stringify(value)) {
      throw new CredsignError('credential_invalid', `${name}: the document has a member ${name} that contradicts the ${name} claim credsign derives`)
    }
    payload[name] = value
  }
}

/** The caller's extra claims, checked: JSON object, no derived claim. */
export function extraClaims(options: JwtVcSignOptions | JwtVpSignOptions): JsonObject {
  const claims = options.claims
  if (claims === undefined) return {}
  if (!isJsonObject(claims)) throw new CredsignError('invalid_argument', 'claims must be an object')
  // Checked and signed as one plain JSON copy: a getter, a cycle or a BigInt is the caller's error
  // (not a TypeError later), and no getter can answer the check below differently from the payload.
  const copy = jsonClaimsCopy(claims)
  for (const name of DERIVED_CLAIMS) {
    if (copy[name] !== undefined) throw new CredsignError('invalid_argument', `claims may not set ${name}: credsign derives it from the document and options`)
  }
  return copy
}

/**
 * One plain JSON copy of caller claims: `invalid_argument` for what JSON cannot hold (a cycle, a
 * BigInt, a throwing getter) or for a non-object. @internal
 */
export function jsonClaimsCopy(claims: unknown): JsonObject {
  let copy: unknown
  try {
    const text: unknown = JSON.stringify(claims)
    copy = typeof text === 'string' ? JSON.parse(text) : undefined
  } catch (cause) {
    throw new CredsignError('invalid_argument', 'claims must be JSON data (no cycle, BigInt or throwing getter)', { cause })
  }
  if (!isJsonObject(copy)) throw new CredsignError('invalid_argument', 'claims must be an object')
  return copy
}

/** Signs the payload as a compact JWS with the header the options describe. */
export async function signJwtPayload(
  signer: Signer,
  payload: JsonObject,
  header: { typ: string; cty?: string },
  options: JwtVcSignOptions | JwtVpSignOptions,
): Promise<string> {
  const extra = options.header ?? {}
  if (!isJsonObject(extra)) throw new CredsignError('invalid_argument', 'header must be an object')
  for (const name of DERIVED_HEADER) {
    if (extra[name] !== undefined) throw new CredsignError('invalid_argument', `header may not set ${name}: use the signer and the options`)
  }
  const kid = options.kid ?? signer.id
  if (kid !== false && (typeof kid !== 'string' || kid.length === 0)) throw new CredsignError('invalid_argument', 'kid must be a non-empty string or false')
  const protectedHeader: JoseHeader = kid === false ? { ...header, ...extra } : { kid, ...header, ...extra }
  return signCompact(signer, JSON.stringify(payload), {
    protectedHeader,
    includeKid: false,
    ...(options.ed25519Name === undefined ? {} : { ed25519Name: options.ed25519Name }),
  })
}
