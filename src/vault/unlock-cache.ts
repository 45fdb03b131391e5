import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { b64u, concat, randomBytes, utf8 } from '../util/bytes.js'
import { CredsignError } from '../errors/credsign-error.js'
import { cryptoBackend } from '../keys/backend.js'
import type { SharedKeyMaterial } from './unlocked-key.js'
import type { KeyAlgorithm, PublicJwk } from '../keys/types.js'

/**
 * Options of the opt-in unlock cache. Caching trades the KDF cost of every unlock for keeping
 * unlocked private keys in memory for `ttlMs`; see `docs/security.md`.
 */
export interface UnlockCacheOptions {
  /** How long an unlocked key stays cached, in milliseconds (1 ms to 1 hour). */
  ttlMs: number
  /** Most keys cached at once (default 100); the least recently used is evicted first. */
  maxEntries?: number
}

/** The public facts of a cached key version. */
interface CachedVersion {
  version: number
  algorithm: KeyAlgorithm
  publicJwk: PublicJwk
  x5c?: string[]
}

interface CacheEntry {
  keyId: string
  material: SharedKeyMaterial
  version: CachedVersion
  expiresAt: number
}

/**
 * Unlocked keys keyed by an HMAC (under a per-process random key) of the key id, the requested
 * version and the exact caller secrets. Wrong secrets produce a different cache key, so they can
 * never hit; they go through the KDF and the limiter like any other attempt.
 *
 * @internal
 */
export class UnlockCache {
  readonly #macKey = randomBytes(32)
  readonly #entries = new Map<string, CacheEntry>()
  readonly #ttlMs: number
  readonly #maxEntries: number
  /** Bumped by every invalidation: an unlock that began before one must not cache what it read. */
  #generation = 0

  constructor(options: UnlockCacheOptions) {
    const { ttlMs, maxEntries = 100 } = options
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > 3_600_000) {
      throw new CredsignError(
        'invalid_argument',
        'unlockCache.ttlMs must be an integer from 1 to 3,600,000',
      )
    }
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new CredsignError(
        'invalid_argument',
        'unlockCache.maxEntries must be a positive integer',
      )
    }
    this.#ttlMs = ttlMs
    this.#maxEntries = maxEntries
  }

  /**
   * The current generation; pass it to {@link set}. An unlock reads the record before it opens the
   * envelope, so a delete, rotate or rewrap can invalidate in between: its (stale) result must not
   * be cached, or old secrets and deleted keys would keep working until the TTL ends.
   */
  get generation(): number {
    return this.#generation
  }

  /** The cache key for one unlock request. `encodedSecrets` is the canonical secret encoding. */
  cacheKey(keyId: string, version: number | 'current', encodedSecrets: Uint8Array): string {
    const id = utf8(keyId)
    const header = new Uint8Array(4)
    new DataView(header.buffer).setUint32(0, id.length)
    const data = concat(header, id, utf8(`\u0000${version}\u0000`), encodedSecrets)
    try {
      return hmacSha256Base64url(this.#macKey, data)
    } finally {
      data.fill(0)
    }
  }

  get(
    cacheKey: string,
    now: number,
  ): { material: SharedKeyMaterial; version: CachedVersion } | undefined {
    const entry = this.#entries.get(cacheKey)
    if (!entry) return undefined
    if (now >= entry.expiresAt || entry.material.destroyed) {
      this.#drop(cacheKey, entry)
      return undefined
    }
    // Refresh recency (Map keeps insertion order) without extending the TTL.
    this.#entries.delete(cacheKey)
    this.#entries.set(cacheKey, entry)
    return { material: entry.material, version: entry.version }
  }

  set(
    cacheKey: string,
    keyId: string,
    version: CachedVersion,
    material: SharedKeyMaterial,
    now: number,
    generation: number,
  ): void {
    if (generation !== this.#generation) return
    const existing = this.#entries.get(cacheKey)
    if (existing) this.#drop(cacheKey, existing)
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size < this.#maxEntries && now < entry.expiresAt) break
      this.#drop(key, entry)
    }
    material.cached = true
    this.#entries.set(cacheKey, { keyId, material, version, expiresAt: now + this.#ttlMs })
  }

  /** Drops every cached unlock of `keyId` (after delete, rotate, rewrap or retire). */
  invalidate(keyId: string): void {
    this.#generation += 1
    for (const [key, entry] of this.#entries) if (entry.keyId === keyId) this.#drop(key, entry)
  }

  /** Drops everything. */
  clear(): void {
    this.#generation += 1
    for (const [key, entry] of this.#entries) this.#drop(key, entry)
  }

  get size(): number {
    return this.#entries.size
  }

  #drop(cacheKey: string, entry: CacheEntry): void {
    this.#entries.delete(cacheKey)
    entry.material.cached = false
  }
}

/**
 * Base64url HMAC-SHA-256: the crypto backend's (node:crypto) when installed, else @noble/hashes;
 * the same string either way. The input holds caller secrets: the caller wipes it.
 *
 * @internal
 */
export function hmacSha256Base64url(key: Uint8Array, data: Uint8Array): string {
  return cryptoBackend()?.hmacSha256Base64url?.(key, data) ?? b64u(hmac(sha256, key, data))
}
