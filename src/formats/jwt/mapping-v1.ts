// VCDM 1.1 section 6.3.1 "JSON Web Token": the encoding rules (document → `vc`/`vp` claim plus
// registered claims) and the decoding rules (claims → document). The spec allows the registered
// claims to be used "instead of, or in addition to" their document counterparts. credsign uses
// "instead of" by default (`mappedProperties: 'remove'`): it is what did-jwt-vc / Veramo issue,
// and did-jwt-vc's normalizer leaves a stray `vc` member behind when the members are duplicated.
// `keep` ("in addition to") is there for verifiers that read only the `vc` claim (EBSI style); it
// is also lossless for sub-second and time-zone dates, which NumericDates cannot carry.
import {
  isNumericDate,
  numericDateOf,
  numericDateToDateTime,
  parseDateTime,
} from '../../credential/date-time.js'
import type { JsonObject, ValidationProblem, VcVersion } from '../../credential/types.js'
import { idOf, isJsonObject } from '../../credential/validate-shared.js'
import { dataModelVersion } from '../../credential/data-model-version.js'

/**
 * Whether the document members a registered claim represents are removed from `vc` / `vp` (the
 * default) or kept.
 */
export type MappedProperties = 'keep' | 'remove'

/**
 * The date members `nbf` and `exp` stand for: VCDM 1.1 names, or VCDM 2.0 names for a 2.0 document
 * in the 1.1 encoding.
 */
function dateMembers(version: VcVersion | undefined): { from: string; until: string } {
  return version === '2.0'
    ? { from: 'validFrom', until: 'validUntil' }
    : { from: 'issuanceDate', until: 'expirationDate' }
}

/**
 * The registered claims of a credential under the VCDM 1.1 encoding, and its `vc` claim: `iss` ←
 * issuer, `nbf` ← issuanceDate (validFrom for a 2.0 document), `exp` ← expirationDate (validUntil),
 * `jti` ← id, `sub` ← credentialSubject.id (only with a single subject). `credential` must be a
 * validated copy the caller owns; with `remove` it is changed in place.
 */
export function encodeV1Credential(credential: JsonObject, mapped: MappedProperties): JsonObject {
  const claims: JsonObject = {}
  const remove = mapped === 'remove'
  const { from, until } = dateMembers(dataModelVersion(credential))

  const issuer = idOf(credential.issuer)
  if (issuer !== undefined) {
    claims.iss = issuer
    if (remove) removeId(credential, 'issuer')
  }
  const nbf = numericDateOf(credential[from])
  if (nbf !== undefined) {
    claims.nbf = nbf
    if (remove) delete credential[from]
  }
  const exp = numericDateOf(credential[until])
  if (exp !== undefined) {
    claims.exp = exp
    if (remove) delete credential[until]
  }
  if (typeof credential.id === 'string') {
    claims.jti = credential.id
    if (remove) delete credential.id
  }
  const subject = singleSubject(credential.credentialSubject)
  if (subject !== undefined && typeof subject.id === 'string') {
    claims.sub = subject.id
    if (remove) delete subject.id
  }
  return { vc: credential, ...claims }
}

/**
 * The registered claims of a presentation under the VCDM 1.1 encoding, and its `vp` claim: `iss` ←
 * holder, `jti` ← id. (`aud` and `nonce` come from the signing options.)
 */
export function encodeV1Presentation(
  presentation: JsonObject,
  mapped: MappedProperties,
): JsonObject {
  const claims: JsonObject = {}
  const remove = mapped === 'remove'
  const holder = idOf(presentation.holder)
  if (holder !== undefined) {
    claims.iss = holder
    if (remove) removeId(presentation, 'holder')
  }
  if (typeof presentation.id === 'string') {
    claims.jti = presentation.id
    if (remove) delete presentation.id
  }
  return { vp: presentation, ...claims }
}

/** A document rebuilt from a VCDM 1.1 JWT, and what did not add up. */
export interface DecodedV1 {
  document: JsonObject
  /**
   * Claims that contradict the document (`iss` names another issuer than `vc.issuer`, `jti` another
   * id, `sub` another subject) or are not of their type (`nbf` not a NumericDate).
   */
  problems: ValidationProblem[]
}

/**
 * The VCDM 1.1 decoding rules for a credential: start from `vc`, then `iss` sets issuer (or
 * `issuer.id`), `nbf` issuanceDate, `exp` expirationDate (validFrom / validUntil for a 2.0
 * document), `sub` credentialSubject.id, `jti` id. A date member already in `vc` that denotes the
 * same second is kept as written (it may carry a fraction or an offset); otherwise the claim wins,
 * as the spec says. An identity member that disagrees with its claim is a problem rather than
 * silently replaced: which of the two is "the issuer" would otherwise depend on the decoder.
 */
export function decodeV1Credential(claims: JsonObject): DecodedV1 {
  const problems: ValidationProblem[] = []
  const source = claims.vc
  if (!isJsonObject(source))
    return {
      document: {},
      problems: [{ path: 'vc', message: 'the vc claim must be a JSON object' }],
    }
  const document = copy(source)
  const { from, until } = dateMembers(dataModelVersion(document))
  setIdentity(document, 'issuer', claims.iss, 'iss', problems)
  setDate(document, from, claims.nbf, 'nbf', problems)
  setDate(document, until, claims.exp, 'exp', problems)
  setPlain(document, 'id', claims.jti, 'jti', problems)
  if (claims.sub !== undefined) {
    if (typeof claims.sub !== 'string') {
      problems.push({ path: 'sub', message: 'sub must be a string' })
    } else if (document.credentialSubject === undefined) {
      document.credentialSubject = { id: claims.sub }
    } else {
      const subject = singleSubject(document.credentialSubject)
      if (subject !== undefined) setPlain(subject, 'id', claims.sub, 'sub', problems)
      else if (!hasSubject(document.credentialSubject, claims.sub))
        problems.push({ path: 'sub', message: 'sub names none of the credential subjects' })
    }
  }
  return { document, problems }
}

/** The VCDM 1.1 decoding rules for a presentation: start from `vp`, `iss` sets holder, `jti` id. */
export function decodeV1Presentation(claims: JsonObject): DecodedV1 {
  const problems: ValidationProblem[] = []
  const source = claims.vp
  if (!isJsonObject(source))
    return {
      document: {},
      problems: [{ path: 'vp', message: 'the vp claim must be a JSON object' }],
    }
  const document = copy(source)
  setIdentity(document, 'holder', claims.iss, 'iss', problems)
  setPlain(document, 'id', claims.jti, 'jti', problems)
  return { document, problems }
}

function setIdentity(
  document: JsonObject,
  member: string,
  claim: unknown,
  claimName: string,
  problems: ValidationProblem[],
): void {
  if (claim === undefined) return
  if (typeof claim !== 'string') {
    problems.push({ path: claimName, message: `${claimName} must be a string` })
    return
  }
  const value = document[member]
  if (value === undefined) {
    document[member] = claim
  } else if (isJsonObject(value) && value.id === undefined) {
    // The "instead of" form of an issuer object: { name: … } in vc, its id in iss.
    document[member] = { ...value, id: claim }
  } else if (idOf(value) !== claim) {
    problems.push({
      path: claimName,
      message: `${claimName} names another ${member} than the ${member} member`,
    })
  }
}

function setPlain(
  target: JsonObject,
  member: string,
  claim: unknown,
  claimName: string,
  problems: ValidationProblem[],
): void {
  if (claim === undefined) return
  if (typeof claim !== 'string') {
    problems.push({ path: claimName, message: `${claimName} must be a string` })
    return
  }
  if (target[member] === undefined) target[member] = claim
  else if (target[member] !== claim)
    problems.push({
      path: claimName,
      message: `${claimName} differs from the ${member} it stands for`,
    })
}

function setDate(
  document: JsonObject,
  member: string,
  claim: unknown,
  claimName: string,
  problems: ValidationProblem[],
): void {
  if (claim === undefined) return
  if (!isNumericDate(claim)) {
    problems.push({
      path: claimName,
      message: `${claimName} must be a NumericDate (seconds since the epoch)`,
    })
    return
  }
  if (Math.abs(claim) > 8.64e12) {
    // Beyond the Date range there is no dateTime to map it to (toISOString() would throw).
    problems.push({ path: claimName, message: `${claimName} is outside the range of dates` })
    return
  }
  const written = parseDateTime(document[member])
  if (written !== undefined && Math.floor(written / 1000) === Math.floor(claim)) return
  document[member] = numericDateToDateTime(claim)
}

function singleSubject(value: unknown): JsonObject | undefined {
  if (isJsonObject(value)) return value
  if (Array.isArray(value) && value.length === 1 && isJsonObject(value[0])) return value[0]
  return undefined
}

function hasSubject(value: unknown, id: string): boolean {
  return Array.isArray(value) && value.some((subject) => isJsonObject(subject) && subject.id === id)
}

function removeId(document: JsonObject, member: string): void {
  const value = document[member]
  if (typeof value === 'string') {
    delete document[member]
  } else if (isJsonObject(value)) {
    delete value.id
    if (Object.keys(value).length === 0) delete document[member]
  }
}

/** A deep copy of JSON data (the decoded claims are JSON already). */
function copy(value: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject
}
