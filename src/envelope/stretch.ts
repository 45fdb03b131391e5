import { cryptoBackend } from '../keys/backend.js'
import { subtle, toArrayBufferView } from '../util/bytes.js'
import { lazyModule } from '../util/lazy-module.js'
import type { KdfParams } from './types.js'

// noble's JavaScript KDFs, loaded on first use: under the `node` condition noble's scrypt never
// runs, and a PBKDF2 or Argon2id vault never needs it (it is most of what importing the package
// would compile). A chunk that cannot be loaded is `crypto_unavailable`, retried on the next unlock.
const loadScrypt = /* @__PURE__ */ lazyModule(() => import('@noble/hashes/scrypt.js'), 'scrypt')
const loadArgon2 = /* @__PURE__ */ lazyModule(() => import('@noble/hashes/argon2.js'), 'Argon2id')

/**
 * Longest stretch of synchronous work (ms) the JavaScript KDFs do before yielding to the event
 * loop. Measured on Node 20: 5 ms costs about 10-25 % throughput against the synchronous version
 * (each yield is a timer of about 1 ms); 1 ms would cost about 90 %.
 */
const ASYNC_TICK_MS = 5

/**
 * Runs the password KDF named by `kdf` over `password` with `salt` and returns 32 bytes. The caller
 * wipes the result. Parameters must already be validated against the bounds.
 *
 * - PBKDF2 runs in WebCrypto, which works off the JavaScript thread in Node, Deno, Bun and browsers.
 * - Scrypt and Argon2id run in JavaScript (noble, loaded on first use) and yield every
 *   {@link ASYNC_TICK_MS} ms, so the event loop is never blocked for longer than that.
 * - Under the package's `node` export condition scrypt runs in node:crypto instead, on libuv's thread
 *   pool (same output, about twice as fast, no stall).
 *
 * @example
 *
 * ```ts
 * const out = await stretch(
 *   { id: 'pbkdf2-sha256', iterations: 1000 },
 *   new Uint8Array([1]),
 *   new Uint8Array(16),
 * )
 * out.length // 32
 * ```
 *
 * @internal
 */
export async function stretch(
  kdf: KdfParams,
  password: Uint8Array,
  salt: Uint8Array,
): Promise<Uint8Array> {
  switch (kdf.id) {
    case 'pbkdf2-sha256': {
      const s = subtle()
      const key = await s.importKey('raw', toArrayBufferView(password), 'PBKDF2', false, [
        'deriveBits',
      ])
      const bits = await s.deriveBits(
        {
          name: 'PBKDF2',
          hash: 'SHA-256',
          salt: toArrayBufferView(salt),
          iterations: kdf.iterations,
        },
        key,
        256,
      )
      return new Uint8Array(bits)
    }
    case 'scrypt': {
      // Under the `node` export condition: node:crypto's scrypt, on the thread pool (no stall at all).
      const viaPlatform = cryptoBackend()?.scrypt?.(password, salt, {
        N: kdf.N,
        r: kdf.r,
        p: kdf.p,
        dkLen: 32,
      })
      if (viaPlatform !== undefined) return viaPlatform
      // noble counts 128 * r * (N + p + 1) bytes; the bounds keep 128 * N * r <= 1 GiB, so this
      // limit only ever admits what the bounds already allowed.
      const maxmem = 128 * kdf.r * (kdf.N + kdf.p + 1)
      const { scryptAsync } = await loadScrypt()
      return scryptAsync(password, salt, {
        N: kdf.N,
        r: kdf.r,
        p: kdf.p,
        dkLen: 32,
        asyncTick: ASYNC_TICK_MS,
        maxmem,
      })
    }
    case 'argon2id': {
      const { argon2idAsync } = await loadArgon2()
      return argon2idAsync(password, salt, {
        m: kdf.m,
        t: kdf.t,
        p: kdf.p,
        dkLen: 32,
        asyncTick: ASYNC_TICK_MS,
        maxmem: kdf.m * 1024,
      })
    }
  }
}
