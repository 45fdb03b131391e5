import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { CredsignError } from '../errors/credsign-error.js'
import {
  b64u,
  constantTimeEqual,
  randomBytes,
  subtle,
  toArrayBufferView,
  utf8,
  wipe,
} from '../util/bytes.js'
import { encodeCallerSecrets, normalizeCallerSecrets } from './caller-secrets.js'
import type { CallerSecret } from './caller-secrets.js'
import { validateContext } from './envelope-context.js'
import { encodeHeader } from './header.js'
import type { HeaderFields } from './header.js'
import { DEFAULT_KDF, isWeakerKdf, validateKdfParams } from './kdf-params.js'
import { decodeEnvelope } from './parse-envelope.js'
import { deriveServiceKeys } from './service-keys.js'
import type { ServiceKeys } from './service-keys.js'
import { stretch } from './stretch.js'
import type { EnvelopeContext, KdfParams, SealedEnvelope } from './types.js'

/**
 * Options of {@link SecretEnvelope}.
 *
 * @example
 *
 * ```ts
 * import { KDF_PRESETS, type SecretEnvelopeOptions } from 'credsign'
 * const options: SecretEnvelopeOptions = {
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 *   kdf: KDF_PRESETS.argon2id,
 * }
 * ```
 */
export interface SecretEnvelopeOptions {
  /**
   * The service secret: at least 32 bytes, ideally 32 random bytes. A string is trimmed of
   * surrounding whitespace (as read from a file) and taken as UTF-8. It acts as a pepper: without
   * it, a stolen envelope cannot even be attacked by guessing caller secrets.
   */
  serviceSecret: Uint8Array | string
  /**
   * Earlier service secrets, still accepted by {@link SecretEnvelope.open} and
   * {@link SecretEnvelope.rewrap} during a rotation. New envelopes always use `serviceSecret`.
   */
  previousServiceSecrets?: readonly (Uint8Array | string)[]
  /** KDF for new envelopes; {@link DEFAULT_KDF} if omitted. Stored in each envelope. */
  kdf?: KdfParams
}

/**
 * Options of {@link SecretEnvelope.seal}.
 *
 * @example
 *
 * ```ts
 * import type { SealOptions } from 'credsign'
 * const options: SealOptions = { kdf: { id: 'scrypt', N: 2 ** 17, r: 8, p: 1 } }
 * ```
 */
export interface SealOptions {
  /** KDF for this envelope instead of the configured one. */
  kdf?: KdfParams
}

/**
 * What {@link SecretEnvelope.rewrap} changes. Omitted members keep the secrets / use the configured
 * KDF.
 *
 * @example
 *
 * ```ts
 * import type { RewrapTarget } from 'credsign'
 * const newPassphrase: RewrapTarget = { secrets: ['key access secret', 'new user passphrase'] }
 * const upgradeKdfOnly: RewrapTarget = {}
 * ```
 */
export interface RewrapTarget {
  /** New caller secrets; the old ones if omitted. */
  secrets?: readonly CallerSecret[]
  /** KDF for the new envelope; the configured KDF (not the old envelope's) if omitted. */
  kdf?: KdfParams
}

const KEK_INFO = utf8('credsign/envelope/v1/kek')

function macOf(macKey: Uint8Array, header: Uint8Array, ct: Uint8Array): Uint8Array {
  // MAC input = header || u32be(len(ct)) || ct; the header is itself length-prefixed throughout.
  const ctLength = new Uint8Array(4)
  new DataView(ctLength.buffer).setUint32(0, ct.length, false)
  return hmac.create(sha256, macKey).update(header).update(ctLength).update(ct).digest()
}

/**
 * Seals bytes (a private key) so that opening needs this service's secret and every caller secret,
 * in order. Format and threat model: `docs/envelope.md`.
 *
 * One AES-256-GCM encryption under a key derived from all secrets: the caller secrets are encoded
 * unambiguously, stretched by a stored password KDF with a random salt, then combined with a pepper
 * derived from the service secret. The key id, algorithm, key version, format version and KDF
 * parameters are authenticated, and an HMAC keyed from the service secret detects any edit before
 * the KDF runs, so tampering never costs a KDF run nor reads as a wrong secret.
 *
 * The service secret itself is not kept: only keys derived from it, in private fields.
 *
 * @example
 *
 * ```ts
 * import { SecretEnvelope } from 'credsign'
 * const envelope = new SecretEnvelope({
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * const context = { keyId: 'did:example:issuer#key-1', algorithm: 'Ed25519', keyVersion: 1 }
 * const sealed = await envelope.seal(
 *   new Uint8Array([1, 2, 3]),
 *   ['key access secret', 'user secret'],
 *   context,
 * )
 * const stored = JSON.stringify(sealed)
 * const plaintext = await envelope.open(
 *   JSON.parse(stored),
 *   ['key access secret', 'user secret'],
 *   context,
 * )
 * plaintext.fill(0) // wipe when done
 * ```
 */
export class SecretEnvelope {
  /** Keys of the current service secret: every new envelope uses them. */
  readonly #current: ServiceKeys
  /** Keys of the current and previous service secrets, current first: accepted when opening. */
  readonly #accepted: readonly ServiceKeys[]
  /** KDF for new envelopes and the bar for {@link SecretEnvelope.needsRewrap}. */
  readonly #kdf: KdfParams

  /**
   * Derives the service keys once. Throws `invalid_service_secret` if a service secret (current or
   * previous) is shorter than 32 bytes or not a string or bytes, and `invalid_argument` if `kdf` is
   * out of bounds. Byte secrets are copied, never modified; the caller may wipe them afterwards.
   *
   * @example
   *
   * ```ts
   * import { KDF_PRESETS, SecretEnvelope } from 'credsign'
   * const envelope = new SecretEnvelope({
   *   serviceSecret: 'a service secret of at least thirty-two bytes, read from a file\n',
   *   previousServiceSecrets: [
   *     'the service secret used before the last rotation, also 32+ bytes',
   *   ],
   *   kdf: KDF_PRESETS.scrypt,
   * })
   * ```
   */
  constructor(options: SecretEnvelopeOptions) {
    if (typeof options !== 'object' || options === null)
      throw new CredsignError('invalid_argument', 'options must be an object')
    const current = deriveServiceKeys(options.serviceSecret)
    const previous = options.previousServiceSecrets ?? []
    if (!Array.isArray(previous))
      throw new CredsignError('invalid_service_secret', 'previousServiceSecrets must be an array')
    this.#current = current
    this.#accepted = [current, ...previous.map((secret: unknown) => deriveServiceKeys(secret))]
    this.#kdf =
      options.kdf === undefined
        ? { ...DEFAULT_KDF }
        : validateKdfParams(options.kdf, 'invalid_argument')
  }

  /**
   * Encrypts `plaintext` under the current service secret and `secrets` (all of them, in this
   * order), bound to `context`, with a fresh random salt and IV. Runs the KDF once. `plaintext` and
   * `secrets` are not modified.
   *
   * Throws `invalid_argument` (plaintext not a `Uint8Array`, bad context, KDF out of bounds) or
   * `invalid_secrets` (not 1 to 10 secrets, or a secret that is empty, over 1,000 characters or
   * over 4,000 bytes).
   *
   * @example
   *
   * ```ts
   * import { KDF_PRESETS, SecretEnvelope } from 'credsign'
   * const envelope = new SecretEnvelope({
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * const sealed = await envelope.seal(
   *   crypto.getRandomValues(new Uint8Array(32)),
   *   ['key access secret'],
   *   { keyId: 'key-1', algorithm: 'Ed25519', keyVersion: 1 },
   *   { kdf: KDF_PRESETS.argon2id },
   * )
   * console.log(sealed.kdf) // { id: 'argon2id', m: 19456, t: 2, p: 1 }
   * ```
   */
  async seal(
    plaintext: Uint8Array,
    secrets: readonly CallerSecret[],
    context: EnvelopeContext,
    options: SealOptions = {},
  ): Promise<SealedEnvelope> {
    return this.#sealChecked(
      plaintext,
      secrets,
      context,
      options?.kdf,
      randomBytes(16),
      randomBytes(12),
    )
  }

  /**
   * Decrypts a stored envelope. Checks run cheapest first and each failure has its own code:
   *
   * 1. `invalid_secrets`: `secrets` has the wrong shape (`invalid_argument` for a bad `context`).
   * 2. `envelope_unsupported_version` if `v` is not 1, else `envelope_malformed` for any shape problem
   *    (see {@link parseEnvelope}), including KDF parameters out of bounds.
   * 3. `envelope_context_mismatch`: the envelope's kid, alg or kv differ from `context`.
   * 4. `service_secret_mismatch`: no configured service secret has the envelope's fingerprint.
   * 5. `envelope_tampered`: the MAC does not verify. No KDF has run, so this never counts as a
   *    wrong-secret attempt and an edited envelope cannot make the opener do expensive work.
   * 6. `wrong_secrets`: the KDF ran and decryption failed, so the caller secrets are wrong (wrong
   *    value, order, number or split).
   *
   * The caller owns the returned bytes and should wipe them when done.
   *
   * @example
   *
   * ```ts
   * import { CredsignError, SecretEnvelope } from 'credsign'
   * const envelope = new SecretEnvelope({
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * const context = { keyId: 'key-1', algorithm: 'Ed25519', keyVersion: 1 }
   * const sealed = await envelope.seal(new Uint8Array([42]), ['a', 'b'], context, {
   *   kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
   * })
   * try {
   *   await envelope.open(sealed, ['b', 'a'], context)
   * } catch (error) {
   *   console.log(CredsignError.is(error, 'wrong_secrets')) // true: order matters
   * }
   * ```
   */
  async open(
    sealed: unknown,
    secrets: readonly CallerSecret[],
    context: EnvelopeContext,
  ): Promise<Uint8Array> {
    const parts = normalizeCallerSecrets(secrets)
    try {
      return await this.#openParts(sealed, parts, validateContext(context))
    } finally {
      wipe(...parts)
    }
  }

  /**
   * Opens an envelope and seals its contents again under the current service secret with a fresh
   * salt and IV: to change the caller secrets (`to.secrets`), to move off a previous service
   * secret, or to upgrade the KDF (`to.kdf`, else the configured KDF). The plaintext is wiped and
   * never returned. Runs the KDF twice. Errors are those of {@link SecretEnvelope.open} (for the old
   * envelope) and {@link SecretEnvelope.seal} (for `to`, checked before anything is opened).
   *
   * The old envelope stays valid: store the new one in its place (compare-and-swap) so that the old
   * secrets stop working.
   *
   * @example
   *
   * ```ts
   * import { SecretEnvelope } from 'credsign'
   * const envelope = new SecretEnvelope({
   *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
   * })
   * const context = { keyId: 'key-1', algorithm: 'Ed25519', keyVersion: 1 }
   * const cheap = { kdf: { id: 'pbkdf2-sha256', iterations: 1000 } } as const
   * const sealed = await envelope.seal(new Uint8Array([42]), ['old secret'], context, cheap)
   * const resealed = await envelope.rewrap(sealed, ['old secret'], context, {
   *   secrets: ['new secret'],
   *   ...cheap,
   * })
   * await envelope.open(resealed, ['new secret'], context) // Uint8Array [42]
   * ```
   */
  async rewrap(
    sealed: unknown,
    secrets: readonly CallerSecret[],
    context: EnvelopeContext,
    to: RewrapTarget,
  ): Promise<SealedEnvelope> {
    const parts = normalizeCallerSecrets(secrets)
    let newParts: Uint8Array[] | undefined
    try {
      const ctx = validateContext(context)
      if (typeof to !== 'object' || to === null)
        throw new CredsignError('invalid_argument', 'to must be an object')
      // Validate the target before the expensive open, so a bad request costs no KDF run.
      if (to.secrets !== undefined) newParts = normalizeCallerSecrets(to.secrets)
      const kdf = to.kdf === undefined ? this.#kdf : validateKdfParams(to.kdf, 'invalid_argument')
      const plaintext = await this.#openParts(sealed, parts, ctx)
      try {
        return await this.#sealParts(
          plaintext,
          newParts ?? parts,
          ctx,
          kdf,
          randomBytes(16),
          randomBytes(12),
        )
      } finally {
        wipe(plaintext)
      }
    } finally {
      wipe(...parts, ...(newParts ?? []))
    }
  }

  /**
   * Whether an envelope should be rewrapped: it was sealed under a previous (or unknown) service
   * secret, or its KDF is weaker than the configured one (another KDF id, or the same id with a
   * lower cost parameter: PBKDF2 iterations; scrypt N, r or p; Argon2id m or t). Structural only:
   * nothing is decrypted or authenticated (open and rewrap do that). Throws like
   * {@link parseEnvelope}.
   *
   * @example
   *
   * ```ts
   * import { SecretEnvelope } from 'credsign'
   * const context = { keyId: 'key-1', algorithm: 'Ed25519', keyVersion: 1 }
   * const cheap = new SecretEnvelope({
   *   serviceSecret: 'x'.repeat(32),
   *   kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
   * })
   * const sealed = await cheap.seal(new Uint8Array([1]), ['s'], context)
   * const strict = new SecretEnvelope({ serviceSecret: 'x'.repeat(32) }) // default: 600,000 iterations
   * strict.needsRewrap(sealed) // true
   * ```
   */
  needsRewrap(sealed: unknown): boolean {
    const decoded = decodeEnvelope(sealed)
    return (
      !constantTimeEqual(decoded.sfp, this.#current.sfp) ||
      isWeakerKdf(decoded.envelope.kdf, this.#kdf)
    )
  }

  async #sealChecked(
    plaintext: Uint8Array,
    secrets: readonly CallerSecret[],
    context: EnvelopeContext,
    kdfOption: KdfParams | undefined,
    salt: Uint8Array,
    iv: Uint8Array,
  ): Promise<SealedEnvelope> {
    if (!(plaintext instanceof Uint8Array))
      throw new CredsignError('invalid_argument', 'plaintext must be a Uint8Array')
    const parts = normalizeCallerSecrets(secrets)
    try {
      const ctx = validateContext(context)
      const kdf =
        kdfOption === undefined ? this.#kdf : validateKdfParams(kdfOption, 'invalid_argument')
      return await this.#sealParts(plaintext, parts, ctx, kdf, salt, iv)
    } finally {
      wipe(...parts)
    }
  }

  async #sealParts(
    plaintext: Uint8Array,
    parts: readonly Uint8Array[],
    context: EnvelopeContext,
    kdf: KdfParams,
    salt: Uint8Array,
    iv: Uint8Array,
  ): Promise<SealedEnvelope> {
    const keys = this.#current
    const fields: HeaderFields = {
      kid: context.keyId,
      alg: context.algorithm,
      kv: context.keyVersion,
      kdf,
      salt,
      sfp: keys.sfp,
      iv,
    }
    const header = encodeHeader(fields)
    const kek = await deriveKek(kdf, parts, salt, keys.pepper, 'encrypt')
    const ct = new Uint8Array(
      await subtle().encrypt(
        {
          name: 'AES-GCM',
          iv: toArrayBufferView(iv),
          additionalData: toArrayBufferView(header),
          tagLength: 128,
        },
        kek,
        toArrayBufferView(plaintext),
      ),
    )
    return {
      v: 1,
      kid: context.keyId,
      alg: context.algorithm,
      kv: context.keyVersion,
      kdf: { ...kdf },
      salt: b64u(salt),
      sfp: b64u(keys.sfp),
      iv: b64u(iv),
      ct: b64u(ct),
      mac: b64u(macOf(keys.macKey, header, ct)),
    }
  }

  async #openParts(
    sealed: unknown,
    parts: readonly Uint8Array[],
    context: EnvelopeContext,
  ): Promise<Uint8Array> {
    const decoded = decodeEnvelope(sealed)
    const { envelope } = decoded
    if (envelope.kid !== context.keyId)
      throw new CredsignError('envelope_context_mismatch', 'envelope is bound to another key id')
    if (envelope.alg !== context.algorithm)
      throw new CredsignError('envelope_context_mismatch', 'envelope is bound to another algorithm')
    if (envelope.kv !== context.keyVersion)
      throw new CredsignError(
        'envelope_context_mismatch',
        'envelope is bound to another key version',
      )
    const candidates = this.#accepted.filter((keys) => constantTimeEqual(keys.sfp, decoded.sfp))
    if (candidates.length === 0) {
      throw new CredsignError(
        'service_secret_mismatch',
        'envelope was sealed under a service secret that is not configured',
      )
    }
    const header = encodeHeader({
      kid: envelope.kid,
      alg: envelope.alg,
      kv: envelope.kv,
      kdf: envelope.kdf,
      salt: decoded.salt,
      sfp: decoded.sfp,
      iv: decoded.iv,
    })
    // Fingerprints are 8 bytes, so two configured secrets could in theory share one: try each.
    const keys = candidates.find((k) =>
      constantTimeEqual(macOf(k.macKey, header, decoded.ct), decoded.mac),
    )
    if (keys === undefined)
      throw new CredsignError('envelope_tampered', 'envelope failed its integrity check')
    const kek = await deriveKek(envelope.kdf, parts, decoded.salt, keys.pepper, 'decrypt')
    try {
      return new Uint8Array(
        await subtle().decrypt(
          {
            name: 'AES-GCM',
            iv: toArrayBufferView(decoded.iv),
            additionalData: toArrayBufferView(header),
            tagLength: 128,
          },
          kek,
          toArrayBufferView(decoded.ct),
        ),
      )
    } catch {
      // The MAC proved the envelope intact, so a failing GCM tag means the KEK is wrong: the
      // caller secrets are. No cause is attached (it says nothing more).
      throw new CredsignError('wrong_secrets', 'the secrets do not open this envelope')
    }
  }
}

/**
 * KEK = HKDF-SHA-256(ikm = KDF(encoded caller secrets, salt), salt = pepper, info =
 * "credsign/envelope/v1/kek"), derived inside WebCrypto as a non-extractable AES-256-GCM key, so
 * the raw KEK never exists in JavaScript memory; the stretched bytes are wiped once imported.
 */
async function deriveKek(
  kdf: KdfParams,
  parts: readonly Uint8Array[],
  salt: Uint8Array,
  pepper: Uint8Array,
  usage: 'encrypt' | 'decrypt',
): Promise<CryptoKey> {
  const encoded = encodeCallerSecrets(parts)
  let stretched: Uint8Array
  try {
    stretched = await stretch(kdf, encoded, salt)
  } finally {
    wipe(encoded)
  }
  const s = subtle()
  let ikm: CryptoKey
  try {
    ikm = await s.importKey('raw', toArrayBufferView(stretched), 'HKDF', false, ['deriveKey'])
  } finally {
    wipe(stretched)
  }
  return s.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: toArrayBufferView(pepper),
      info: toArrayBufferView(KEK_INFO),
    },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  )
}
