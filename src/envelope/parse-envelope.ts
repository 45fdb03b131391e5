import { CredsignError } from '../errors/credsign-error.js'
import { b64u, fromB64u } from '../util/bytes.js'
import { isBindableText, isKeyVersion } from './envelope-context.js'
import { validateKdfParams } from './kdf-params.js'
import type { SealedEnvelope } from './types.js'

/**
 * A shape-checked envelope with its binary fields decoded.
 *
 * @example
 *
 * ```ts
 * const decoded: DecodedEnvelope = decodeEnvelope(storedJson)
 * decoded.iv.length // 12
 * ```
 *
 * @internal
 */
export interface DecodedEnvelope {
  envelope: SealedEnvelope
  salt: Uint8Array
  sfp: Uint8Array
  iv: Uint8Array
  ct: Uint8Array
  mac: Uint8Array
}

const MEMBERS = ['v', 'kid', 'alg', 'kv', 'kdf', 'salt', 'sfp', 'iv', 'ct', 'mac'] as const

function malformed(message: string): CredsignError {
  return new CredsignError('envelope_malformed', message)
}

function binary(
  name: string,
  text: unknown,
  check: (length: number) => boolean,
  expected: string,
): { text: string; bytes: Uint8Array } {
  if (typeof text !== 'string') throw malformed(`${name} must be a base64url string`)
  const bytes = fromB64u(text, 'envelope_malformed')
  // One byte string, one text: refuse non-canonical encodings (stray trailing bits) as well.
  if (b64u(bytes) !== text) throw malformed(`${name} is not canonical base64url`)
  if (!check(bytes.length)) throw malformed(`${name} must be ${expected}`)
  return { text, bytes }
}

/**
 * Shape-checks a stored envelope and decodes its binary fields, without any cryptography. See
 * {@link parseEnvelope} for the rules.
 *
 * @example
 *
 * ```ts
 * try {
 *   decodeEnvelope({ v: 1 })
 * } catch (error) {
 *   // CredsignError 'envelope_malformed': members are missing
 * }
 * ```
 *
 * @internal
 */
export function decodeEnvelope(json: unknown): DecodedEnvelope {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw malformed('envelope must be a JSON object')
  const obj = json as Record<string, unknown>
  if (!Object.hasOwn(obj, 'v')) throw malformed('envelope has no v (format version)')
  // The version comes first: a later version may have an entirely different shape.
  if (obj.v !== 1)
    throw new CredsignError(
      'envelope_unsupported_version',
      'envelope format version is not supported (this library reads v 1)',
    )
  for (const name of MEMBERS)
    if (!Object.hasOwn(obj, name)) throw malformed(`envelope has no ${name}`)
  // Unknown members are refused: the MAC does not cover them, and v1 has no optional members.
  if (Object.keys(obj).length !== MEMBERS.length) throw malformed('envelope has unknown members')
  // Read every member exactly once, so what is checked is what is used.
  const { kid, alg, kv } = obj
  if (!isBindableText(kid)) throw malformed('kid must be a non-empty, well-formed string')
  if (!isBindableText(alg)) throw malformed('alg must be a non-empty, well-formed string')
  if (!isKeyVersion(kv)) throw malformed('kv must be a non-negative integer')
  const kdf = validateKdfParams(obj.kdf, 'envelope_malformed')
  const salt = binary('salt', obj.salt, (n) => n === 16, '16 bytes')
  const sfp = binary('sfp', obj.sfp, (n) => n === 8, '8 bytes')
  const iv = binary('iv', obj.iv, (n) => n === 12, '12 bytes')
  const ct = binary('ct', obj.ct, (n) => n >= 16, 'at least 16 bytes (the GCM tag)')
  const mac = binary('mac', obj.mac, (n) => n === 32, '32 bytes')
  const envelope: SealedEnvelope = {
    v: 1,
    kid,
    alg,
    kv,
    kdf,
    salt: salt.text,
    sfp: sfp.text,
    iv: iv.text,
    ct: ct.text,
    mac: mac.text,
  }
  return { envelope, salt: salt.bytes, sfp: sfp.bytes, iv: iv.bytes, ct: ct.bytes, mac: mac.bytes }
}

/**
 * Checks that a stored value has the shape of a {@link SealedEnvelope} (format version 1) and
 * returns a fresh copy. This is structure only: nothing is decrypted or authenticated (that is
 * {@link SecretEnvelope.open}). Pass the parsed JSON value (`JSON.parse(text)`), not the text.
 *
 * Throws `envelope_unsupported_version` if `v` is present and not `1` (checked first, since another
 * version may have another shape), and `envelope_malformed` for anything else wrong: not an object,
 * no `v`, a missing, unknown or mistyped member, bad or non-canonical base64url, a wrong length
 * (salt 16, sfp 8, iv 12, mac 32 bytes, ct at least 16), or KDF parameters out of bounds.
 *
 * @example
 *
 * ```ts
 * import { CredsignError, parseEnvelope } from 'credsign'
 * try {
 *   parseEnvelope({ v: 2 })
 * } catch (error) {
 *   console.log(CredsignError.is(error, 'envelope_unsupported_version')) // true
 * }
 * ```
 */
export function parseEnvelope(json: unknown): SealedEnvelope {
  return decodeEnvelope(json).envelope
}
