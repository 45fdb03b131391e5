import { isDid } from '../did/did-url.js'
import { CredsignError } from '../errors/credsign-error.js'
import type { Signer } from '../keys/types.js'
import type { JsonObject } from './types.js'
import { idOf, isAbsoluteUrl, isJsonObject } from './validate-shared.js'

/**
 * Who controls the signer's key, as far as its id says: the DID of a DID URL
 * (`did:web:issuer.example#key-1` → `did:web:issuer.example`, and a bare DID is its own
 * controller), or the part before `#` of any other URL with a fragment
 * (`https://issuer.example/vc#key-1` → `https://issuer.example/vc`, the Controlled Identifiers
 * convention for verification method ids). `undefined` for ids that name no controller (a vault key
 * id, a thumbprint).
 *
 * @example
 *
 * ```ts
 * import { signerController } from 'credsign'
 * signerController({ id: 'did:web:issuer.example#key-1' } as never) // 'did:web:issuer.example'
 * signerController({ id: 'issuer-key' } as never) // undefined
 * ```
 */
export function signerController(signer: Pick<Signer, 'id'>): string | undefined {
  const id = signer.id
  if (typeof id !== 'string') return undefined
  const hash = id.indexOf('#')
  const base = hash === -1 ? id : id.slice(0, hash)
  if (isDid(base)) return base
  if (hash > 0 && isAbsoluteUrl(base)) return base
  return undefined
}

/** How {@link bindParty} treats the `issuer` of a credential or the `holder` of a presentation. */
export interface BindPartyOptions {
  /** `issuer` (required: an error when it cannot be filled) or `holder` (optional). */
  member: 'issuer' | 'holder'
  /** Accept a value that names another controller than the signer's key. */
  allowMismatch: boolean
}

/**
 * The issuer rules of the JWT signers, applied to a copy the caller owns (`document` is changed in
 * place): an absent `issuer` / `holder` (or an issuer object without `id`) is filled with the key's
 * controller; one that names a different controller is `issuer_mismatch` unless `allowMismatch`; a
 * credential whose issuer cannot be known (absent, and the key id names no controller) is
 * `credential_invalid`. A present value is never overwritten. Returns the issuer / holder id, if
 * any.
 */
export function bindParty(
  document: JsonObject,
  signer: Signer,
  options: BindPartyOptions,
): string | undefined {
  const { member } = options
  const controller = signerController(signer)
  const value = document[member]
  if (value === undefined) {
    if (controller !== undefined) {
      document[member] = controller
      return controller
    }
    if (member === 'issuer') {
      throw new CredsignError(
        'credential_invalid',
        "issuer: the credential has no issuer and the signer's id is not a DID URL to take it from",
      )
    }
    return undefined
  }
  // An issuer object without `id` (`{ name: 'Example University' }`) gets the key's controller as
  // its id, as an issuing service fills it (the VCDM 2.0 suite expects that). A holder object
  // without `id` is invalid (the suite's presentation-holder-name-fail), so it is left to validation.
  if (
    member === 'issuer' &&
    isJsonObject(value) &&
    value.id === undefined &&
    controller !== undefined
  ) {
    document[member] = { id: controller, ...value }
    return controller
  }
  const id = idOf(value)
  // A malformed value is left to data-model validation, which names the problem precisely.
  if (id === undefined) return undefined
  if (controller !== undefined && id !== controller && !options.allowMismatch) {
    const opt = member === 'issuer' ? 'allowIssuerMismatch' : 'allowHolderMismatch'
    throw new CredsignError(
      'issuer_mismatch',
      `${member}: ${JSON.stringify(id.slice(0, 120))} is not the controller of the signing key (${JSON.stringify(controller.slice(0, 120))}); pass ${opt}: true if that is intended`,
    )
  }
  return id
}
