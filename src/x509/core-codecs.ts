import { CredsignError } from '../errors/credsign-error.js'

/*
 * The codecs of src/keys the X.509 code uses (DER, PEM, SubjectPublicKeyInfo) and base64, handed in by
 * lazy.ts when it loads this chunk rather than imported here. Why: a static import from this lazily
 * loaded chunk would move those modules into chunks of their own in dist/, which bundlers then keep
 * whole in every app's initial load (scripts/bundle-size.mjs measured +3 KB gz on verifySignature), and a package
 * both use (@scure/base) lands in the app's initial chunk. Only the error class and util/bytes
 * (chunks of their own already) are imported directly.
 */

/**
 * The codecs of src/keys the X.509 code needs.
 *
 * @example
 *
 * ```ts
 * import { b64, fromB64 } from '../util/base64.js'
 * declare const der: CoreCodecs['der']
 * import { decodePem, encodePem } from '../keys/pem.js'
 * import { jwkFromSpki, spkiFromJwk } from '../keys/spki.js'
 * const codecs: CoreCodecs = {
 *   base64: { encode: b64, decode: fromB64 },
 *   der,
 *   decodePem,
 *   encodePem,
 *   jwkFromSpki,
 *   spkiFromJwk,
 * }
 * ```
 *
 * @internal
 */
export interface CoreCodecs {
  /** Standard base64 with padding, strict (util/base64). */
  readonly base64: { encode(bytes: Uint8Array): string; decode(text: string): Uint8Array }
  readonly der: Pick<
    typeof import('../keys/der.js'),
    | 'readDer'
    | 'derSmallInt'
    | 'derBitStringBytes'
    | 'encodeDer'
    | 'derSequence'
    | 'derOid'
    | 'derUnsignedInteger'
    | 'derSmallInteger'
    | 'derBitString'
    | 'derOctetString'
    | 'derNull'
  >
  readonly decodePem: typeof import('../keys/pem.js').decodePem
  readonly encodePem: typeof import('../keys/pem.js').encodePem
  readonly jwkFromSpki: typeof import('../keys/spki.js').jwkFromSpki
  readonly spkiFromJwk: typeof import('../keys/spki.js').spkiFromJwk
}

let installed: CoreCodecs | undefined

/**
 * Installs the codecs (lazy.ts does, once, on load).
 *
 * @example
 *
 * ```ts
 * import { installCodecs } from './core-codecs.js'
 * declare const codecs: CoreCodecs
 * installCodecs(codecs)
 * ```
 *
 * @internal
 */
export function installCodecs(codecs: CoreCodecs): void {
  installed = codecs
}

/**
 * The installed codecs. Throws `crypto_unavailable` when this chunk was imported without lazy.ts (a
 * bug in credsign, never a caller's doing).
 *
 * @example
 *
 * ```ts
 * import { codecs } from './core-codecs.js'
 * codecs().der.readDer(new Uint8Array([0x05, 0x00]), 0)
 * ```
 *
 * @internal
 */
export function codecs(): CoreCodecs {
  if (installed === undefined)
    throw new CredsignError('crypto_unavailable', 'the X.509 module was loaded without its codecs')
  return installed
}
