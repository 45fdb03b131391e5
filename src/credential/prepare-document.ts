// Preparing a caller's credential or presentation for signing, in every format: a private JSON copy
// (signing never changes the caller's object, and getters or toJSON() cannot show the checks one
// document and the signature another), its data model, and the encoding to use.
import { CredsignError } from '../errors/credsign-error.js'
import { dataModelVersion } from './data-model-version.js'
import type { JsonObject, VcVersion } from './types.js'
import { isJsonObject } from './validate-shared.js'
import { copyJsonData } from '../util/json-copy.js'

/** A deep copy of a caller's document, so that signing never changes the caller's object. */
export function copyDocument(document: unknown, what: 'credential' | 'presentation'): JsonObject {
  if (!isJsonObject(document))
    throw new CredsignError('credential_invalid', `the ${what} must be a JSON object`)
  let copy: unknown
  try {
    copy = copyJsonData(document)
  } catch (cause) {
    throw new CredsignError('credential_invalid', `the ${what} is not JSON (a cycle or a BigInt)`, {
      cause,
    })
  }
  // A toJSON() can turn the object into anything, or into nothing (undefined).
  if (!isJsonObject(copy))
    throw new CredsignError('credential_invalid', `the ${what} must be a JSON object`)
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
export function prepareDocument(
  input: unknown,
  what: 'credential' | 'presentation',
  version: unknown,
): PreparedDocument {
  const document = copyDocument(input, what)
  const dataModel = dataModelVersion(document)
  if (dataModel === undefined) {
    throw new CredsignError(
      'credential_invalid',
      '@context[0]: the first @context entry must be https://www.w3.org/ns/credentials/v2 or https://www.w3.org/2018/credentials/v1',
    )
  }
  const encoding = version ?? dataModel
  if (encoding !== '1.1' && encoding !== '2.0')
    throw new CredsignError('invalid_argument', "version must be '1.1' or '2.0'")
  if (encoding === '2.0' && dataModel === '1.1') {
    throw new CredsignError(
      'credential_invalid',
      `@context[0]: VC-JOSE-COSE secures VCDM 2.0 ${what}s only; sign a VCDM 1.1 ${what} with the 1.1 encoding`,
    )
  }
  return { document, dataModel, encoding }
}

/**
 * One plain JSON copy of caller claims: `invalid_argument` for what JSON cannot hold (a cycle, a
 * BigInt, a throwing getter) or for a non-object. @internal
 */
export function jsonClaimsCopy(claims: unknown): JsonObject {
  let copy: unknown
  try {
    copy = copyJsonData(claims)
  } catch (cause) {
    throw new CredsignError(
      'invalid_argument',
      'claims must be JSON data (no cycle, BigInt or throwing getter)',
      { cause },
    )
  }
  if (!isJsonObject(copy)) throw new CredsignError('invalid_argument', 'claims must be an object')
  return copy
}
