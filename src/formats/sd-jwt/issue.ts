import { CredsignError } from '../../errors/credsign-error.js'
import { isOptionsObject, isPlainObject, serializePayload } from '../../jose/json.js'
import { hasPrivateMembers } from '../../jose/private-jwk.js'
import { signCompact } from '../../jose/sign.js'
import type { JoseHeader } from '../../jose/types.js'
import { keyAlgorithmFromJwk } from '../../keys/algorithms.js'
import { requiredMembers } from '../../keys/jwk.js'
import { signatureUseProblem } from '../../keys/key-use.js'
import type { PublicJwk, Signer } from '../../keys/types.js'
import { b64u, utf8 } from '../../util/bytes.js'
import { jsonClaimsCopy } from '../../credential/prepare-document.js'
import { frameLevel } from './frame.js'
import { decoyDigest, isSdHashAlgorithm, randomSalt, sdDigest } from './hash.js'
import type { DisclosureFrame, HolderBinding, SdHashAlgorithm, SdJwtIssueOptions } from './types.js'
import { x5cMember } from '../../jose/x5c-header.js'

/** Header members that come from the signer and the options, never from `header`. */
const DERIVED_HEADER = ['alg', 'typ', 'kid', 'crit', 'b64']

/**
 * Deterministic inputs for known-answer tests: the specification's salts and decoys and a
 * byte-compatible JSON encoder. Not part of the public API.
 *
 * @internal
 */
export interface SdJwtIssueSeam {
  /**
   * The salt of the disclosure at `path` (claim names and array indexes from the top). Default: 128
   * random bits.
   */
  saltGenerator?: (at: { path: (string | number)[]; name?: string }) => string
  /** JSON text of a disclosure array or of the payload. Default `JSON.stringify`. */
  encodeJson?: (value: unknown) => string
  /** `count` decoy digests for the level at `path`. Default: digests of random salts. */
  decoys?: (at: { path: (string | number)[]; count: number }) => string[]
}

/**
 * An issued SD-JWT before signing: the payload with digests, and the disclosures in creation order.
 *
 * @internal
 */
export interface SdPayload {
  payload: Record<string, unknown>
  disclosures: string[]
}

/**
 * Issues an SD-JWT (RFC 9901): the claims that `disclosureFrame` marks become disclosures (`[salt,
 * name, value]` / `[salt, value]`, 128-bit CSPRNG salts), their digests go into `_sd` arrays
 * (sorted, with any decoys) and `{"...": digest}` array elements, `_sd_alg` names the hash,
 * `holder` becomes `cnf`, and the payload is signed as a compact JWS by `signer` through the jose
 * layer. Resolves with `<issuer-jwt>~<disclosure>~…~`.
 *
 * Claims are written as given (`iss`, `iat`, `vct`, … are the caller's: see {@link SdJwtVcSigner}
 * for SD-JWT VC). Frame entries that name no claim are ignored, so one frame can serve credentials
 * with optional claims. Errors: `invalid_argument` (claims not a JSON object, a claim named `_sd`
 * or `...` anywhere or `_sd_alg` at the top, `cnf` in the claims and `holder` both, a malformed
 * frame, a private key as `holder`, a header member credsign sets), `unsupported_algorithm`, and
 * whatever the signer throws.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, issueSdJwt, presentSdJwt } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({
 *   id: 'did:web:issuer.example#key-1',
 *   algorithm: 'P-256',
 *   secrets: ['s1'],
 * })
 * const sdJwt = await vault.withKey('did:web:issuer.example#key-1', ['s1'], (signer) =>
 *   issueSdJwt(
 *     signer,
 *     {
 *       iss: 'did:web:issuer.example',
 *       vct: 'https://credentials.example.com/identity_credential',
 *       given_name: 'John',
 *       address: { street_address: '123 Main St', locality: 'Anytown', country: 'US' },
 *       nationalities: ['US', 'DE'],
 *     },
 *     {
 *       disclosureFrame: {
 *         _sd: ['given_name', 'address'],
 *         address: { _sd: ['street_address'] },
 *         nationalities: { _sd: [0, 1] },
 *       },
 *     },
 *   ),
 * )
 * // 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImRpZDp3ZWI6aXNzdWVyLmV4YW1wbGUja2V5LTEiLCJ0eXAiOiJkYytzZC1qd3QifQ.eyJfc2Qi…~WyJ…~…~'
 * ```
 */
export async function issueSdJwt(
  signer: Signer,
  claims: Record<string, unknown>,
  options: SdJwtIssueOptions = {},
): Promise<string> {
  return issueSdJwtWith(signer, claims, options, {})
}

/** {@link issueSdJwt} with a test seam. @internal */
export async function issueSdJwtWith(
  signer: Signer,
  claims: Record<string, unknown>,
  options: SdJwtIssueOptions,
  seam: SdJwtIssueSeam,
): Promise<string> {
  if (!isOptionsObject(options))
    throw new CredsignError('invalid_argument', 'options must be an object')
  const { typ, kid, header, ed25519Name, fullySpecified, x5c } = options
  const protectedHeader = headerOf(
    signer,
    typ ?? (isPlainObject(claims) && typeof claims.vct === 'string' ? 'dc+sd-jwt' : 'sd-jwt'),
    kid,
    header === undefined && x5c !== true
      ? undefined
      : { ...x5cMember(signer, x5c, header), ...header },
  )
  const { payload, disclosures } = buildSdPayload(claims, options, seam)
  const encoded = serializePayload(payload, 'invalid_argument', seam.encodeJson)
  const jws = await signCompact(signer, encoded, {
    protectedHeader,
    includeKid: false,
    ...(ed25519Name === undefined ? {} : { ed25519Name }),
    ...(fullySpecified === undefined ? {} : { fullySpecified }),
  })
  return `${jws}~${disclosures.map((d) => `${d}~`).join('')}`
}

/**
 * The protected header of an issuer-signed JWT: `kid` (the signer's id unless `false` or another
 * string), `typ`, then the caller's extra members.
 *
 * @internal
 */
export function headerOf(
  signer: Signer,
  typ: string,
  kid: string | false | undefined,
  extra: JoseHeader | undefined,
  cty?: string,
): JoseHeader {
  if (typeof typ !== 'string' || typ.length === 0)
    throw new CredsignError('invalid_argument', 'typ must be a non-empty string')
  if (extra !== undefined && !isPlainObject(extra))
    throw new CredsignError('invalid_argument', 'header must be an object')
  for (const name of DERIVED_HEADER) {
    if (extra?.[name] !== undefined)
      throw new CredsignError(
        'invalid_argument',
        `header may not set ${name}: use the signer and the options`,
      )
  }
  if (!signer || typeof signer.id !== 'string')
    throw new CredsignError('invalid_argument', 'signer must have id, algorithm and sign()')
  const keyId = kid ?? signer.id
  if (keyId !== false && (typeof keyId !== 'string' || keyId.length === 0))
    throw new CredsignError('invalid_argument', 'kid must be a non-empty string or false')
  return {
    ...(keyId === false ? {} : { kid: keyId }),
    typ,
    ...(cty === undefined ? {} : { cty }),
    ...extra,
  }
}

/**
 * Builds the issuer-signed payload and the disclosures from the claims and the frame (RFC 9901
 * section 4), as {@link issueSdJwt} does before signing. `_sd` comes first at each level (then the
 * other claims in their order), `_sd_alg` and `cnf` last at the top.
 *
 * @internal
 */
export function buildSdPayload(
  claims: Record<string, unknown>,
  options: SdJwtIssueOptions,
  seam: SdJwtIssueSeam = {},
): SdPayload {
  if (!isPlainObject(claims))
    throw new CredsignError('invalid_argument', 'claims must be an object')
  const alg = options.hashAlgorithm ?? 'sha-256'
  if (!isSdHashAlgorithm(alg))
    throw new CredsignError('invalid_argument', 'hashAlgorithm must be sha-256, sha-384 or sha-512')
  const copy = jsonClaimsCopy(claims)
  if (copy._sd_alg !== undefined)
    throw new CredsignError('invalid_argument', 'claims may not set _sd_alg: use hashAlgorithm')
  const cnf = options.holder === undefined ? undefined : confirmationOf(options.holder)
  if (cnf !== undefined && copy.cnf !== undefined)
    throw new CredsignError('invalid_argument', 'claims.cnf and the holder option are both given')
  const context: BuildContext = {
    alg,
    disclosures: [],
    salt: seam.saltGenerator ?? (() => randomSalt()),
    encode: seam.encodeJson ?? JSON.stringify,
    decoys: seam.decoys ?? (({ count }) => Array.from({ length: count }, () => decoyDigest(alg))),
  }
  const payload = buildObject(copy, options.disclosureFrame, [], context)
  payload._sd_alg = alg
  if (cnf !== undefined) payload.cnf = cnf
  return { payload, disclosures: context.disclosures }
}

interface BuildContext {
  alg: SdHashAlgorithm
  disclosures: string[]
  salt: NonNullable<SdJwtIssueSeam['saltGenerator']>
  encode: (value: unknown) => string
  decoys: NonNullable<SdJwtIssueSeam['decoys']>
}

function buildValue(
  value: unknown,
  frame: DisclosureFrame | undefined,
  path: (string | number)[],
  context: BuildContext,
): unknown {
  // No frame here: nothing below is disclosable and no decoy is asked for, so the value (part of
  // buildSdPayload's private copy) goes into the payload as it is, once checked for reserved names.
  // Rebuilding it would give the same JSON, at the cost of a path and a frame level per member.
  if (frame === undefined) {
    refuseReservedNames(value, path)
    return value
  }
  if (Array.isArray(value)) return buildArray(value, frame, path, context)
  if (isPlainObject(value)) return buildObject(value, frame, path, context)
  return value
}

/**
 * `invalid_argument` when an object anywhere in `value` has a member named `_sd` or `...` (what
 * {@link buildObject} refuses at each level it rebuilds). The path is built only for the message.
 */
function refuseReservedNames(value: unknown, path: (string | number)[]): void {
  const below = reservedNameIn(value)
  if (below !== undefined)
    throw new CredsignError(
      'invalid_argument',
      `${shown([...path, ...below])}: _sd and ... are reserved and cannot be claim names`,
    )
}

/** The path (relative to `value`) of the first `_sd` or `...` member, or undefined. */
function reservedNameIn(value: unknown): (string | number)[] | undefined {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const below = reservedNameIn(value[index])
      if (below !== undefined) return [index, ...below]
    }
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  for (const name of Object.keys(value)) {
    if (name === '_sd' || name === '...') return [name]
    const below = reservedNameIn((value as Record<string, unknown>)[name])
    if (below !== undefined) return [name, ...below]
  }
  return undefined
}

function buildObject(
  input: Record<string, unknown>,
  frame: DisclosureFrame | undefined,
  path: (string | number)[],
  context: BuildContext,
): Record<string, unknown> {
  const level = frameLevel(frame, shown(path))
  const digests: string[] = []
  const rest: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(input)) {
    if (name === '_sd' || name === '...')
      throw new CredsignError(
        'invalid_argument',
        `${shown([...path, name])}: _sd and ... are reserved and cannot be claim names`,
      )
    const inner = buildValue(value, level.inner(name), [...path, name], context)
    if (level.names.has(name)) {
      // Verifiers refuse such a disclosure (see parseDisclosure): never issue one.
      if (name === '__proto__')
        throw new CredsignError(
          'invalid_argument',
          `${shown([...path, name])}: __proto__ cannot be selectively disclosable`,
        )
      digests.push(disclose(context, [...path, name], name, inner))
    } else {
      Object.defineProperty(rest, name, {
        value: inner,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
  }
  if (level.decoys > 0) digests.push(...decoysFor(context, path, level.decoys))
  if (digests.length === 0) return rest
  return { _sd: digests.sort(), ...rest }
}

function buildArray(
  input: unknown[],
  frame: DisclosureFrame | undefined,
  path: (string | number)[],
  context: BuildContext,
): unknown[] {
  const level = frameLevel(frame, shown(path))
  const out: unknown[] = input.map((element, index) => {
    const inner = buildValue(element, level.inner(index), [...path, index], context)
    return level.indexes.has(index)
      ? { '...': disclose(context, [...path, index], undefined, inner) }
      : inner
  })
  for (const digest of level.decoys > 0 ? decoysFor(context, path, level.decoys) : []) {
    // A decoy element at a random position: the position says nothing either.
    out.splice(randomIndex(out.length + 1), 0, { '...': digest })
  }
  return out
}

function disclose(
  context: BuildContext,
  path: (string | number)[],
  name: string | undefined,
  value: unknown,
): string {
  const salt = name === undefined ? context.salt({ path }) : context.salt({ path, name })
  if (typeof salt !== 'string' || salt.length === 0)
    throw new CredsignError('invalid_argument', 'a salt must be a non-empty string')
  const disclosure = b64u(
    utf8(context.encode(name === undefined ? [salt, value] : [salt, name, value])),
  )
  context.disclosures.push(disclosure)
  return sdDigest(context.alg, disclosure)
}

function decoysFor(context: BuildContext, path: (string | number)[], count: number): string[] {
  const decoys = context.decoys({ path, count })
  if (
    !Array.isArray(decoys) ||
    decoys.length !== count ||
    decoys.some((d) => typeof d !== 'string')
  )
    throw new CredsignError('invalid_argument', 'decoys must return count digests')
  return decoys
}

function randomIndex(bound: number): number {
  const value = new Uint32Array(1)
  globalThis.crypto.getRandomValues(value)
  return (value[0] as number) % bound
}

/**
 * `cnf` for the holder option: `{ jwk }` (public members, plus `kid` when given) or `{ kid }`.
 *
 * @internal
 */
export function confirmationOf(holder: HolderBinding): Record<string, unknown> {
  if (!isPlainObject(holder))
    throw new CredsignError('invalid_argument', 'holder must be a public JWK, { jwk } or { kid }')
  if ('kty' in holder) return { jwk: publicOnly(holder as PublicJwk) }
  if ('jwk' in holder && holder.jwk !== undefined) return { jwk: publicOnly(holder.jwk) }
  if ('kid' in holder && typeof holder.kid === 'string' && holder.kid.length > 0)
    return { kid: holder.kid }
  throw new CredsignError('invalid_argument', 'holder must be a public JWK, { jwk } or { kid }')
}

function publicOnly(jwk: PublicJwk): PublicJwk {
  if (!isPlainObject(jwk)) throw new CredsignError('invalid_argument', 'holder.jwk must be a JWK')
  if (hasPrivateMembers(jwk))
    throw new CredsignError(
      'invalid_argument',
      'the holder key must be a public key: it is published in cnf',
    )
  // cnf carries the key's public members only, so what the holder's JWK says the key is for must
  // hold before it is dropped: an `alg` of another key type (RFC 7517 4.4) or a key not for
  // signatures (`use`, `key_ops`, 4.2 and 4.3) would be published as a key for any KB-JWT.
  keyAlgorithmFromJwk(jwk)
  const use = signatureUseProblem(jwk)
  if (use !== undefined) throw new CredsignError('invalid_key', `the holder key ${use}`)
  const required = requiredMembers(jwk) as unknown as Record<string, unknown>
  // The caller's member order (cnf is written as given), public members and kid only.
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(jwk)) {
    if (name in required || (name === 'kid' && typeof value === 'string'))
      out[name] = required[name] ?? value
  }
  return out as unknown as PublicJwk
}

function shown(path: (string | number)[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '')
}
