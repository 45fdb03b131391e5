import { asDidSigner } from '../did/as-did-signer.js'
import { keyIdDid } from '../did/did-url.js'
import { CredsignError } from '../errors/credsign-error.js'
import { JwtVcSigner } from '../formats/jwt/vc-signer.js'
import { JwtVpSigner } from '../formats/jwt/vp-signer.js'
import { presentSdJwt } from '../formats/sd-jwt/present.js'
import type { DisclosureFrame, HolderBinding } from '../formats/sd-jwt/types.js'
import { SdJwtVcSigner } from '../formats/sd-jwt/vc-signer.js'
import { isPlainObject } from '../jose/json.js'
import type { Signer } from '../keys/types.js'
import { Oid4vciProofSigner } from '../oid4vci/proof-signer.js'
import { lazyModule } from '../util/lazy-module.js'
import type { UnlockedKey } from '../vault/unlocked-key.js'
import { defaultDisclosureFrame } from './default-disclosure-frame.js'
import {
  CRYPTOSUITES_OFFERED,
  formatSigns,
  isSigningFormat,
  oneOf,
  SIGNING_FORMATS,
  VERIFIABLE_KINDS,
  type CryptosuiteName,
  type SigningFormat,
  type VerifiableKind,
} from './formats.js'

/*
 * "Sign this credential / presentation / proof of possession in format X": the one implementation
 * behind `POST /sign/{kind}/{format}`, the VC-API issue routes and `credsign sign`. The transports
 * only read their input (a request body, flags and a file), unlock the key and write the result.
 */

/**
 * What to sign and how. Which members fit depends on `kind` and `format` (the others are refused,
 * so that a caller never believes an option took effect when it did not):
 *
 * - `vc`: `verifiable` is the credential (an object); `cryptosuite` (data-integrity);
 *   `disclosureFrame` and `holderPublicJwk` (sd-jwt).
 * - `vp`: `verifiable` is the presentation (an object), or for `sd-jwt` the SD-JWT to present (a
 *   string, with `presentationFrame`); `challenge`, `domain`, `validUntil` (both required for
 *   sd-jwt); `cryptosuite` (data-integrity).
 * - `pop` (OpenID4VCI key proof, `jwt` or `data-integrity`): no `verifiable`; `domain` (the
 *   Credential Issuer Identifier, required), `challenge` (the c_nonce); `clientId` and
 *   `keyReference` (jwt). An empty `challenge` or `domain` counts as absent, as in the origin key
 *   service.
 *
 * @example
 *
 * ```ts
 * const request: SignVerifiableRequest = {
 *   kind: 'vp',
 *   format: 'jwt',
 *   verifiable: {
 *     '@context': ['https://www.w3.org/ns/credentials/v2'],
 *     type: ['VerifiablePresentation'],
 *   },
 *   domain: 'https://verifier.example',
 *   challenge: 'n-1',
 * }
 * ```
 *
 * @internal
 */
export interface SignVerifiableRequest {
  kind: VerifiableKind
  format: SigningFormat
  verifiable?: Record<string, unknown> | string
  /** Nonce / challenge: OID4VCI c_nonce, Data Integrity challenge, KB-JWT nonce, JWT VP nonce. */
  challenge?: string
  /**
   * Audience / domain: OID4VCI Credential Issuer Identifier, Data Integrity domain, KB-JWT and JWT
   * VP aud.
   */
  domain?: string
  /** Presentations: `exp` of a JWT VP (to the second), `expires` of a Data Integrity proof. */
  validUntil?: string
  cryptosuite?: CryptosuiteName
  /** SD-JWT credentials: which claims become disclosures (default {@link defaultDisclosureFrame}). */
  disclosureFrame?: DisclosureFrame | Record<string, unknown>
  /** SD-JWT credentials: the holder key written to `cnf.jwk`. */
  holderPublicJwk?: Record<string, unknown>
  /** SD-JWT presentations: what to disclose (default: everything). */
  presentationFrame?: DisclosureFrame | Record<string, unknown>
  /** OID4VCI jwt proof: `iss` (the wallet's client_id). */
  clientId?: string
  /** OID4VCI jwt proof: name the key by `kid` or embed its `jwk`. */
  keyReference?: 'kid' | 'jwk'
  /** JWS name for Ed25519 (default `EdDSA`). */
  ed25519Name?: 'EdDSA' | 'Ed25519'
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number
  /**
   * Data Integrity: accept inline `@context` objects (see
   * `DataIntegritySignOptions.allowInlineContexts`; default false).
   */
  allowInlineContexts?: boolean
}

/**
 * What {@link signVerifiable} made: a compact token (JWT, SD-JWT, SD-JWT with KB-JWT) with its media
 * type, or a JSON document (a Data Integrity secured document, a `di_vp` proof).
 *
 * @example
 *
 * ```ts
 * declare const signed: SignedVerifiable
 * const body =
 *   signed.mediaType === 'application/json' ? JSON.stringify(signed.secured) : signed.secured
 * ```
 *
 * @internal
 */
export type SignedVerifiable =
  | {
      mediaType: 'application/jwt' | 'application/vc+sd-jwt' | 'application/dc+sd-jwt'
      secured: string
    }
  | { mediaType: 'application/json'; secured: Record<string, unknown> }

/**
 * A sign request that does not fit its kind and format: `invalid_argument`, with the member at
 * fault (`field`) and what is wrong with it (`reason`), so that a transport can point at it (the
 * HTTP routes answer `invalid_request` with `errors: [{ path: field, message: reason }]`).
 *
 * @example
 *
 * ```ts
 * try {
 *   checkSignRequest({ kind: 'vc', format: 'jwt', verifiable: {}, challenge: 'c' })
 * } catch (error) {
 *   if (error instanceof SignRequestInvalid) console.log(error.field) // 'challenge'
 * }
 * ```
 *
 * @internal
 */
export class SignRequestInvalid extends CredsignError {
  constructor(
    message: string,
    readonly field?: string,
    readonly reason?: string,
  ) {
    super('invalid_argument', message)
    this.name = 'SignRequestInvalid'
  }
}

/**
 * The signer a transport signs with: a key whose id is a DID URL signs as itself; any other key
 * signs as its did:key (or did:jwk), so that whatever it signs names a key every verifier can
 * resolve offline.
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'plain', algorithm: 'Ed25519', secrets: ['s1'] })
 * resolvableSigner(await vault.unlock('plain', ['s1'])).id // 'did:key:z6Mk…#z6Mk…'
 * ```
 *
 * @internal
 */
export function resolvableSigner(key: UnlockedKey | Signer, method: 'key' | 'jwk' = 'key'): Signer {
  return keyIdDid(key.id) !== undefined ? key : asDidSigner(key, method)
}

/**
 * `unsupported_format` unless `format` signs documents of `kind` (OpenID4VCI has no sd-jwt proof
 * type). The HTTP route calls it before reading the body, as it always has.
 *
 * @example
 *
 * ```ts
 * checkSignable('pop', 'sd-jwt') // throws CredsignError unsupported_format
 * ```
 *
 * @internal
 */
export function checkSignable(kind: VerifiableKind, format: SigningFormat): void {
  if (formatSigns(format, kind)) return
  const others = SIGNING_FORMATS.filter((f) => formatSigns(f, kind))
  if (kind === 'pop')
    throw new CredsignError(
      'unsupported_format',
      `OpenID4VCI has no ${format} proof type: use ${oneOf(others)}`,
    )
  throw new CredsignError(
    'unsupported_format',
    `${format} does not sign a ${kind}: use ${oneOf(others)}`,
  )
}

/**
 * Checks that every member of `request` fits its kind and format, without signing: a transport
 * calls it before it unlocks the key, so that a request that cannot succeed never costs an unlock
 * attempt. {@link signVerifiable} runs it again.
 *
 * Errors: {@link SignRequestInvalid} (`invalid_argument`), `unsupported_format`.
 *
 * @example
 *
 * ```ts
 * checkSignRequest({ kind: 'pop', format: 'jwt' }) // throws SignRequestInvalid: domain is required
 * ```
 *
 * @internal
 */
export function checkSignRequest(request: SignVerifiableRequest): void {
  if (!isPlainObject(request))
    throw new CredsignError('invalid_argument', 'the sign request must be an object')
  const { kind, format } = request
  if (!(VERIFIABLE_KINDS as readonly unknown[]).includes(kind))
    throw invalid(
      'kind',
      `must be one of ${VERIFIABLE_KINDS.map((k) => JSON.stringify(k)).join(', ')}`,
    )
  if (!isSigningFormat(format))
    throw invalid(
      'format',
      `must be one of ${SIGNING_FORMATS.map((f) => JSON.stringify(f)).join(', ')}`,
    )
  checkSignable(kind, format)
  for (const field of ['challenge', 'domain', 'validUntil', 'clientId'] as const) {
    if (request[field] !== undefined && typeof request[field] !== 'string')
      throw invalid(field, 'expected string')
  }
  for (const field of ['disclosureFrame', 'holderPublicJwk', 'presentationFrame'] as const) {
    if (request[field] !== undefined && !isPlainObject(request[field]))
      throw invalid(field, 'expected object')
  }
  if (
    request.cryptosuite !== undefined &&
    !(CRYPTOSUITES_OFFERED as readonly unknown[]).includes(request.cryptosuite)
  ) {
    throw invalid(
      'cryptosuite',
      `must be one of ${CRYPTOSUITES_OFFERED.map((s) => JSON.stringify(s)).join(', ')}`,
    )
  }
  if (
    request.keyReference !== undefined &&
    request.keyReference !== 'kid' &&
    request.keyReference !== 'jwk'
  )
    throw invalid('keyReference', 'must be one of "kid", "jwk"')

  const refuse = (field: keyof SignVerifiableRequest, why: string): void => {
    if (request[field] !== undefined) throw invalid(field, why)
  }
  if (kind !== 'pop') {
    if (format === 'sd-jwt' && kind === 'vp') {
      if (typeof request.verifiable !== 'string')
        throw new SignRequestInvalid(
          'verifiable: the SD-JWT to present (a string)',
          'verifiable',
          'expected the SD-JWT string',
        )
    } else if (!isPlainObject(request.verifiable)) {
      throw new SignRequestInvalid(
        `verifiable: the ${kind === 'vc' ? 'credential' : 'presentation'} to sign (an object) is required`,
        'verifiable',
        'expected object',
      )
    }
  } else {
    refuse('verifiable', 'a proof of possession signs no document (the origin ignored it)')
    if (present(request.domain) === undefined) {
      throw new SignRequestInvalid(
        'domain: the Credential Issuer Identifier is required for a proof of possession (OpenID4VCI appendix F)',
        'domain',
        'required',
      )
    }
    refuse('validUntil', 'OpenID4VCI key proofs carry no expiry; the issuer limits their age')
  }
  if (kind === 'vc') {
    refuse('challenge', 'credentials take no challenge')
    refuse('domain', 'credentials take no domain')
    refuse(
      'validUntil',
      'put validUntil in the credential; the request field applies to presentations',
    )
  }
  if (format !== 'sd-jwt' || kind !== 'vc') {
    refuse('disclosureFrame', 'only for /sign/vc/sd-jwt')
    refuse('holderPublicJwk', 'only for /sign/vc/sd-jwt')
  }
  if (format !== 'sd-jwt' || kind !== 'vp') refuse('presentationFrame', 'only for /sign/vp/sd-jwt')
  if (format !== 'data-integrity') refuse('cryptosuite', 'only for data-integrity')
  if (kind !== 'pop' || format !== 'jwt') {
    refuse('clientId', 'only for /sign/pop/jwt')
    refuse('keyReference', 'only for /sign/pop/jwt')
  }
  if (
    format === 'sd-jwt' &&
    kind === 'vp' &&
    (present(request.domain) === undefined || present(request.challenge) === undefined)
  ) {
    throw new SignRequestInvalid(
      'an SD-JWT presentation needs domain (KB-JWT aud) and challenge (KB-JWT nonce)',
    )
  }
}

/**
 * Signs a credential, a presentation or an OpenID4VCI proof of possession in one of the
 * {@link SIGNING_FORMATS}, with `signer` (pass an unlocked vault key through {@link resolvableSigner}
 * so that the result names a resolvable key):
 *
 * - `vc`: `jwt` → JWT-VC (`application/jwt`); `data-integrity` → the credential with a proof;
 *   `sd-jwt` → `application/vc+sd-jwt` for a W3C credential (it has `@context`), else SD-JWT VC
 *   (`application/dc+sd-jwt`), with every subject claim disclosable unless a frame says otherwise.
 * - `vp`: `jwt` → JWT VP (`exp` = `validUntil`); `data-integrity` → the presentation with an
 *   `authentication` proof, its holder the key's DID unless given; `sd-jwt` → the SD-JWT presented
 *   with a KB-JWT.
 * - `pop`: `jwt` → the `openid4vci-proof+jwt`; `data-integrity` → the `di_vp` presentation.
 *
 * Data Integrity (and with it JSON-LD) is loaded only when a `data-integrity` request is signed.
 *
 * Errors: {@link SignRequestInvalid} (`invalid_argument`), `unsupported_format`, and the format
 * signer's own (`credential_invalid`, `unsupported_cryptosuite`, `signer_locked`, …).
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s1'] })
 * const key = await vault.unlock('issuer', ['s1'])
 * try {
 *   const signed = await signVerifiable(resolvableSigner(key), {
 *     kind: 'vc',
 *     format: 'jwt',
 *     verifiable: {
 *       '@context': ['https://www.w3.org/ns/credentials/v2'],
 *       type: ['VerifiableCredential'],
 *       credentialSubject: { id: 'did:example:alice' },
 *     },
 *   })
 *   signed.mediaType // 'application/jwt'
 * } finally {
 *   key.lock()
 * }
 * ```
 *
 * @internal
 */
export async function signVerifiable(
  signer: Signer,
  request: SignVerifiableRequest,
): Promise<SignedVerifiable> {
  checkSignRequest(request)
  const settings: SigningSettings = {
    ed25519Name: request.ed25519Name ?? 'EdDSA',
    now: request.now ?? Date.now,
  }
  const used = {
    ...request,
    challenge: present(request.challenge),
    domain: present(request.domain),
  }
  return SIGN_IN[request.format](signer, used, settings)
}

interface SigningSettings {
  ed25519Name: 'EdDSA' | 'Ed25519'
  now: () => number
}

/**
 * How each format signs each of its kinds (a request already checked). Keyed by the one list of
 * formats: a format added there without an entry here does not compile.
 */
const SIGN_IN: Readonly<
  Record<
    SigningFormat,
    (
      signer: Signer,
      request: SignVerifiableRequest,
      settings: SigningSettings,
    ) => Promise<SignedVerifiable>
  >
> = {
  jwt: signJwt,
  'data-integrity': signDataIntegrity,
  'sd-jwt': signSdJwt,
}

async function signJwt(
  signer: Signer,
  request: SignVerifiableRequest,
  { ed25519Name, now }: SigningSettings,
): Promise<SignedVerifiable> {
  if (request.kind === 'pop') {
    const { jwt } = await new Oid4vciProofSigner(signer).sign({
      audience: request.domain!,
      ...optional('nonce', request.challenge),
      ...optional('clientId', request.clientId),
      ...optional('keyReference', request.keyReference),
      now,
    })
    return { mediaType: 'application/jwt', secured: jwt }
  }
  const document = request.verifiable as Record<string, unknown>
  if (request.kind === 'vc')
    return {
      mediaType: 'application/jwt',
      secured: await new JwtVcSigner(signer, { ed25519Name, now }).sign(document),
    }
  // exp = validUntil to the second: iat is pinned to the same clock reading expiresIn counts from.
  const issuedAt = Math.floor(now() / 1000)
  const expiresIn =
    request.validUntil === undefined ? undefined : secondsUntil(request.validUntil, issuedAt)
  const jwt = await new JwtVpSigner(signer, { ed25519Name, now }).sign(document, {
    ...optional('audience', request.domain),
    ...optional('nonce', request.challenge),
    ...(expiresIn === undefined ? {} : { issuedAt, expiresIn }),
  })
  return { mediaType: 'application/jwt', secured: jwt }
}

// Loaded on first use only: JSON-LD and the bundled contexts must not load for the other formats.
// A chunk that cannot be loaded is `crypto_unavailable`, retried by the next call.
const loadDataIntegritySigner = /* @__PURE__ */ lazyModule(
  () => import('../formats/data-integrity/signer.js'),
  'Data Integrity',
)

async function signDataIntegrity(
  signer: Signer,
  request: SignVerifiableRequest,
  { now }: SigningSettings,
): Promise<SignedVerifiable> {
  const { DataIntegritySigner } = await loadDataIntegritySigner()
  if (request.kind === 'pop') {
    const { di_vp } = await new Oid4vciProofSigner(signer).signDiVp(
      new DataIntegritySigner(signer, { now }),
      {
        audience: request.domain!,
        ...optional('nonce', request.challenge),
        now,
      },
    )
    return { mediaType: 'application/json', secured: di_vp }
  }
  const di = new DataIntegritySigner(signer, {
    now,
    ...optional('cryptosuite', request.cryptosuite),
    ...(request.allowInlineContexts === true ? { allowInlineContexts: true } : {}),
  })
  const document = request.verifiable as Record<string, unknown>
  if (request.kind === 'vc')
    return { mediaType: 'application/json', secured: await di.sign(document) }
  const presentation = { ...document }
  // As in the origin: a presentation without a holder is the key controller's.
  const controller = keyIdDid(signer.id)
  if (presentation.holder === undefined && controller !== undefined)
    presentation.holder = controller
  const secured = await di.sign(presentation, {
    proofPurpose: 'authentication',
    ...optional('challenge', request.challenge),
    ...optional('domain', request.domain),
    ...optional('expires', request.validUntil),
  })
  return { mediaType: 'application/json', secured }
}

async function signSdJwt(
  signer: Signer,
  request: SignVerifiableRequest,
  { ed25519Name, now }: SigningSettings,
): Promise<SignedVerifiable> {
  if (request.kind === 'vc') {
    const sdJwt = new SdJwtVcSigner(signer, { ed25519Name, now })
    const credential = request.verifiable as Record<string, unknown>
    // `now` per call too: signCredential reads only ed25519Name and kid from the constructor defaults.
    const sdOptions = {
      now,
      disclosureFrame:
        request.disclosureFrame === undefined
          ? defaultDisclosureFrame(credential)
          : (request.disclosureFrame as DisclosureFrame),
      ...(request.holderPublicJwk === undefined
        ? {}
        : { holder: request.holderPublicJwk as unknown as HolderBinding }),
    }
    if (credential['@context'] !== undefined)
      return {
        mediaType: 'application/vc+sd-jwt',
        secured: await sdJwt.signCredential(credential, sdOptions),
      }
    return { mediaType: 'application/dc+sd-jwt', secured: await sdJwt.issue(credential, sdOptions) }
  }
  const presented = await presentSdJwt(request.verifiable as string, {
    disclose:
      request.presentationFrame === undefined
        ? 'all'
        : (request.presentationFrame as DisclosureFrame),
    holder: signer,
    audience: request.domain!,
    nonce: request.challenge!,
    ed25519Name,
    now,
  })
  return { mediaType: 'application/dc+sd-jwt', secured: presented }
}

function secondsUntil(isoDate: string, nowSeconds: number): number {
  const seconds = Math.floor(Date.parse(isoDate) / 1000) - nowSeconds
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new SignRequestInvalid(
      'validUntil: must be in the future',
      'validUntil',
      'must be in the future',
    )
  return seconds
}

function invalid(field: string, reason: string): SignRequestInvalid {
  return new SignRequestInvalid(`${field}: ${reason}`, field, reason)
}

/** A challenge or domain as used: an empty one is absent (the origin treated it so). */
function present(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}

/** `{ [name]: value }`, or `{}` when the value is absent. */
function optional<N extends string, V>(name: N, value: V | undefined): { [K in N]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [K in N]?: V }
}
