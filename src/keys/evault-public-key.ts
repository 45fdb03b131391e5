import { CredsignError } from '../errors/credsign-error.js'
import { jwkFromSpki, spkiFromJwk } from './spki.js'
import type { PrivateJwk, PublicJwk } from './types.js'
import { fromHex, toHex } from '../util/bytes.js'

/*
 * The public-key string of eVault (MetaState's eID wallet, its `/provision` and `PATCH /public-key`
 * requests and its key binding certificates): `z` followed by the lower-case HEX of the SPKI DER.
 * It looks like a multibase base58btc value (`z…`), but it is not one: the digits are hex, and no
 * multicodec prefix is there. Both directions are kept here so that nobody writes a base58 decoder
 * at it by mistake.
 */

/** Longest string read: the SPKI of an RSA-4096 key in hex, with room to spare. */
const MAX_LENGTH = 2 * 1200 + 1

/**
 * The eVault public-key string of a public key: `z` + lower-case hex of its SPKI DER (e.g.
 * `z3059301306072a8648ce3d0201…` for P-256, what the eID wallet generates). Private members of a
 * private JWK are ignored.
 *
 * @example
 *
 * ```ts
 * import { evaultPublicKeyFromJwk, generateKeyPair } from 'credsign'
 * const { publicJwk } = await generateKeyPair('P-256')
 * evaultPublicKeyFromJwk(publicJwk).slice(0, 27) // 'z3059301306072a8648ce3d0201'
 * ```
 */
export function evaultPublicKeyFromJwk(jwk: PublicJwk | PrivateJwk): string {
  return `z${toHex(spkiFromJwk(jwk))}`
}

/**
 * The public JWK of an eVault public-key string (`z` + hex of the SPKI DER), validated as any SPKI
 * key. Errors: `invalid_key` for anything else (no `z`, odd length, a non-hex digit, a multibase
 * base58 value, an SPKI that does not parse); `unsupported_algorithm` for key types credsign does
 * not support.
 *
 * @example
 *
 * ```ts
 * import { evaultPublicKeyFromJwk, generateKeyPair, jwkFromEvaultPublicKey } from 'credsign'
 * const { publicJwk } = await generateKeyPair('P-256')
 * const back = jwkFromEvaultPublicKey(evaultPublicKeyFromJwk(publicJwk))
 * console.log(back.kty === 'EC' && publicJwk.kty === 'EC' && back.x === publicJwk.x) // true
 * ```
 */
export function jwkFromEvaultPublicKey(value: string): PublicJwk {
  if (
    typeof value !== 'string' ||
    value.length > MAX_LENGTH ||
    !/^z(?:[0-9a-fA-F]{2})+$/.test(value)
  )
    throw new CredsignError(
      'invalid_key',
      'not an eVault public key (z followed by the hex of an SPKI DER)',
    )
  return jwkFromSpki(fromHex(value.slice(1), 'invalid_key'))
}
