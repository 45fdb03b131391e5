import { CredsignError } from '../errors/credsign-error.js'
import type { Signer } from '../keys/types.js'
import { b64u, randomBytes, toHex, utf8 } from '../util/bytes.js'
import { isOptionsObject, isPlainObject } from './json.js'
import { signPayload } from './sign.js'
import type { JoseHeader, JwtClaims, JwtSignOptions } from './types.js'

/**
 * Signs a JWT (RFC 7519): the claims as the JSON payload of a compact JWS. Header rules as in
 * `signCompact` (`alg` from the signer, `kid` = `signer.id` by default), plus `typ`.
 *
 * Claims helpers, all in NumericDate seconds on the clock `now` (default `Date.now`):
 *
 * - `issuedAt` (default true): `iat` = now, or the number given; `false` adds none. A claims set that
 *   already has `iat` keeps it when `issuedAt` is not given.
 * - `expiresIn`: `exp` = `iat` (or now) + this many seconds.
 * - `notBefore`: `nbf` = this NumericDate.
 * - `jwtId`: `jti` = a random UUID (`true`) or the string given.
 *
 * A helper and the same claim in `claims` at once is `invalid_argument` (which should win is the
 * caller's call). Claim values the caller passes are signed as given, so a test vector with a
 * string `iat` can be re-signed exactly; members are serialized in the order given, the helpers'
 * claims after them.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, signJwt } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'as-key', algorithm: 'P-256', secrets: ['s1'] })
 * const jwt = await vault.withKey('as-key', ['s1'], (signer) =>
 *   signJwt(
 *     signer,
 *     { iss: 'https://as.example', sub: 'alice', aud: 'https://api.example' },
 *     { typ: 'at+jwt', expiresIn: 300, jwtId: true },
 *   ),
 * )
 * ```
 */
export async function signJwt(
  signer: Signer,
  claims: JwtClaims,
  options: JwtSignOptions = {},
): Promise<string> {
  if (!isPlainObject(claims))
    throw new CredsignError('invalid_argument', 'claims must be an object')
  if (!isOptionsObject(options))
    throw new CredsignError('invalid_argument', 'options must be an object')
  const { typ, issuedAt, expiresIn, notBefore, jwtId, now, protectedHeader, ...signatureOptions } =
    options
  if ((signatureOptions as { unprotectedHeader?: unknown }).unprotectedHeader !== undefined) {
    throw new CredsignError('invalid_argument', 'a JWT has no unprotected header')
  }
  const clock = now ?? Date.now
  if (typeof clock !== 'function')
    throw new CredsignError(
      'invalid_argument',
      'now must be a function returning epoch milliseconds',
    )
  const nowSeconds = (): number => {
    const ms = clock()
    if (typeof ms !== 'number' || !Number.isFinite(ms))
      throw new CredsignError('invalid_argument', 'now() must return epoch milliseconds')
    return Math.floor(ms / 1000)
  }

  const added: JwtClaims = {}
  const conflict = (claim: string, option: string): void => {
    if (claims[claim] !== undefined)
      throw new CredsignError(
        'invalid_argument',
        `claims.${claim} and the ${option} option are both given`,
      )
  }
  if (issuedAt !== undefined && issuedAt !== false) {
    conflict('iat', 'issuedAt')
    added.iat = issuedAt === true ? nowSeconds() : numericDateOption(issuedAt, 'issuedAt')
  } else if (issuedAt === undefined && claims.iat === undefined) {
    added.iat = nowSeconds()
  }
  if (notBefore !== undefined) {
    conflict('nbf', 'notBefore')
    added.nbf = numericDateOption(notBefore, 'notBefore')
  }
  if (expiresIn !== undefined) {
    conflict('exp', 'expiresIn')
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new CredsignError('invalid_argument', 'expiresIn must be a positive number of seconds')
    }
    const base = added.iat ?? (typeof claims.iat === 'number' ? claims.iat : nowSeconds())
    added.exp = base + expiresIn
  }
  if (jwtId !== undefined && jwtId !== false) {
    conflict('jti', 'jwtId')
    if (jwtId !== true && (typeof jwtId !== 'string' || jwtId.length === 0))
      throw new CredsignError('invalid_argument', 'jwtId must be true or a non-empty string')
    added.jti = jwtId === true ? randomUuid() : jwtId
  }

  let header: JoseHeader | undefined = protectedHeader
  if (typ !== undefined) {
    if (typeof typ !== 'string' || typ.length === 0)
      throw new CredsignError('invalid_argument', 'typ must be a non-empty string')
    if (header?.typ !== undefined && header.typ !== typ)
      throw new CredsignError('invalid_argument', 'typ and protectedHeader.typ differ')
    header = { ...header, typ }
  }

  let json: string
  try {
    json = JSON.stringify({ ...claims, ...added })
  } catch (cause) {
    throw new CredsignError('invalid_argument', 'claims cannot be serialized as JSON', { cause })
  }
  const payloadB64 = b64u(utf8(json))
  const parts = await signPayload(
    header === undefined
      ? { ...signatureOptions, signer }
      : { ...signatureOptions, signer, protectedHeader: header },
    payloadB64,
  )
  return `${parts.protected}.${payloadB64}.${parts.signature}`
}

function numericDateOption(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new CredsignError(
      'invalid_argument',
      `${name} must be a NumericDate (seconds since the epoch)`,
    )
  return value
}

/**
 * A random (version 4) UUID; `crypto.randomUUID` where the runtime has it (not in insecure browser
 * contexts).
 */
function randomUuid(): string {
  const native = globalThis.crypto?.randomUUID
  if (typeof native === 'function') return native.call(globalThis.crypto)
  const bytes = randomBytes(16)
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80
  const hex = toHex(bytes)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
