import { expand, extract } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { CredsignError } from '../errors/credsign-error.js'
import { utf8, wipe } from '../util/bytes.js'

/**
 * The keys derived from one service secret. Never leaves the envelope module.
 *
 * @example
 *
 * ```ts
 * const keys: ServiceKeys = deriveServiceKeys('0123456789abcdef0123456789abcdef')
 * ```
 *
 * @internal
 */
export interface ServiceKeys {
  /** 8-byte fingerprint stored in envelopes (`sfp`), to pick the right secret when opening. */
  readonly sfp: Uint8Array
  /** 32-byte HMAC-SHA-256 key for the envelope MAC. */
  readonly macKey: Uint8Array
  /** 32-byte pepper: the HKDF salt that turns the stretched caller secrets into the KEK. */
  readonly pepper: Uint8Array
}

/** The minimum service secret length, in bytes (256 bits if it is uniformly random). */
const MIN_SERVICE_SECRET_BYTES = 32
const EXTRACT_SALT = utf8('credsign/service-secret/v1')
const LONE_SURROGATE = /[\uD800-\uDFFF]/u

/**
 * Derives the fingerprint, MAC key and pepper from a service secret with HKDF-SHA-256 (salt
 * `credsign/service-secret/v1`; infos `fingerprint`, `envelope-mac`, `envelope-kek`). A string is
 * trimmed of surrounding whitespace (as when read from a file) and taken as UTF-8; bytes are used
 * as they are and not modified. Fewer than 32 bytes, or anything else, throws
 * `invalid_service_secret`.
 *
 * @example
 *
 * ```ts
 * deriveServiceKeys('0123456789abcdef0123456789abcdef').sfp.length // 8
 * ```
 *
 * @internal
 */
export function deriveServiceKeys(secret: unknown): ServiceKeys {
  let ikm: Uint8Array
  if (typeof secret === 'string') {
    const trimmed = secret.trim()
    if (LONE_SURROGATE.test(trimmed))
      throw new CredsignError('invalid_service_secret', 'service secret is not well-formed Unicode')
    ikm = utf8(trimmed)
  } else if (secret instanceof Uint8Array) {
    ikm = Uint8Array.from(secret)
  } else {
    throw new CredsignError(
      'invalid_service_secret',
      'service secret must be a string or a Uint8Array',
    )
  }
  try {
    if (ikm.length < MIN_SERVICE_SECRET_BYTES) {
      throw new CredsignError(
        'invalid_service_secret',
        `service secret must be at least ${MIN_SERVICE_SECRET_BYTES} bytes`,
      )
    }
    const prk = extract(sha256, ikm, EXTRACT_SALT)
    try {
      return {
        sfp: expand(sha256, prk, utf8('fingerprint'), 8),
        macKey: expand(sha256, prk, utf8('envelope-mac'), 32),
        pepper: expand(sha256, prk, utf8('envelope-kek'), 32),
      }
    } finally {
      wipe(prk)
    }
  } finally {
    wipe(ikm)
  }
}
