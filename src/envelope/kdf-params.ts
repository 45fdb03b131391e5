import { CredsignError } from '../errors/credsign-error.js'
import type { KdfParams } from './types.js'

/**
 * The KDF a {@link SecretEnvelope} uses when none is configured: PBKDF2-HMAC-SHA-256 with 600,000
 * iterations (OWASP Password Storage Cheat Sheet, 2023). PBKDF2 is the default because WebCrypto
 * runs it natively and off the JavaScript thread on every supported runtime; the memory-hard KDFs
 * run in JavaScript here.
 *
 * @example
 *
 * ```ts
 * import { DEFAULT_KDF } from 'credsign'
 * console.log(DEFAULT_KDF) // { id: 'pbkdf2-sha256', iterations: 600000 }
 * ```
 */
export const DEFAULT_KDF: Readonly<Extract<KdfParams, { id: 'pbkdf2-sha256' }>> = Object.freeze({
  id: 'pbkdf2-sha256',
  iterations: 600_000,
})

/**
 * Recommended parameter sets (OWASP Password Storage Cheat Sheet). Pass one as the `kdf` option of
 * {@link SecretEnvelope}; `docs/envelope.md` explains when to pick which.
 *
 * - `pbkdf2`: PBKDF2-HMAC-SHA-256, 600,000 iterations (the default).
 * - `scrypt`: N = 2^17 (128 MiB with r = 8), r = 8, p = 1.
 * - `argon2id`: m = 19,456 KiB (19 MiB), t = 2, p = 1.
 *
 * @example
 *
 * ```ts
 * import { KDF_PRESETS, SecretEnvelope } from 'credsign'
 * const envelope = new SecretEnvelope({
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 *   kdf: KDF_PRESETS.argon2id,
 * })
 * ```
 */
export const KDF_PRESETS: {
  readonly pbkdf2: Readonly<Extract<KdfParams, { id: 'pbkdf2-sha256' }>>
  readonly scrypt: Readonly<Extract<KdfParams, { id: 'scrypt' }>>
  readonly argon2id: Readonly<Extract<KdfParams, { id: 'argon2id' }>>
} = Object.freeze({
  pbkdf2: DEFAULT_KDF,
  scrypt: Object.freeze({ id: 'scrypt', N: 2 ** 17, r: 8, p: 1 } as const),
  argon2id: Object.freeze({ id: 'argon2id', m: 19_456, t: 2, p: 1 } as const),
})

/**
 * Accepted parameter ranges. They bound what a stored (possibly attacker-edited) envelope can make
 * the opener compute or allocate: at most about 10 s of PBKDF2, and at most 1 GiB for scrypt and
 * Argon2id. `docs/envelope.md` lists them.
 */
const BOUNDS = {
  pbkdf2Iterations: [1_000, 10_000_000],
  scryptLog2N: [10, 20],
  scryptR: [1, 32],
  scryptP: [1, 16],
  scryptMaxBytes: 2 ** 30,
  argon2M: [64, 1_048_576],
  argon2T: [1, 20],
  argon2P: [1, 16],
} as const

type BoundsCode = 'invalid_argument' | 'envelope_malformed'

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function intIn(
  obj: Record<string, unknown>,
  name: string,
  [min, max]: readonly [number, number],
  code: BoundsCode,
): number {
  const value = obj[name]
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new CredsignError(code, `kdf.${name} must be an integer in ${min}..${max}`)
  }
  return value
}

function exactKeys(obj: Record<string, unknown>, keys: readonly string[], code: BoundsCode): void {
  // Unknown members are rejected rather than ignored: they are not covered by the MAC, and a
  // parameter this version does not understand must never be silently dropped.
  const own = Object.keys(obj)
  if (own.length !== keys.length || !own.every((k) => keys.includes(k))) {
    throw new CredsignError(code, `kdf must have exactly the members ${keys.join(', ')}`)
  }
}

/**
 * Validates KDF parameters against the bounds and returns a fresh plain copy (so later mutation of
 * the input cannot change what was validated). `code` is `invalid_argument` for caller-supplied
 * parameters and `envelope_malformed` for parameters read from a stored envelope.
 *
 * @example
 *
 * ```ts
 * validateKdfParams({ id: 'scrypt', N: 1024, r: 8, p: 1 }, 'invalid_argument')
 * ```
 *
 * @internal
 */
export function validateKdfParams(value: unknown, code: BoundsCode): KdfParams {
  if (!isRecord(value)) throw new CredsignError(code, 'kdf must be an object')
  switch (value.id) {
    case 'pbkdf2-sha256': {
      exactKeys(value, ['id', 'iterations'], code)
      return {
        id: 'pbkdf2-sha256',
        iterations: intIn(value, 'iterations', BOUNDS.pbkdf2Iterations, code),
      }
    }
    case 'scrypt': {
      exactKeys(value, ['id', 'N', 'r', 'p'], code)
      const N = value.N
      if (
        typeof N !== 'number' ||
        !Number.isSafeInteger(N) ||
        N < 2 ** BOUNDS.scryptLog2N[0] ||
        N > 2 ** BOUNDS.scryptLog2N[1] ||
        (N & (N - 1)) !== 0
      ) {
        throw new CredsignError(
          code,
          `kdf.N must be a power of two in 2^${BOUNDS.scryptLog2N[0]}..2^${BOUNDS.scryptLog2N[1]}`,
        )
      }
      const r = intIn(value, 'r', BOUNDS.scryptR, code)
      const p = intIn(value, 'p', BOUNDS.scryptP, code)
      if (128 * N * r > BOUNDS.scryptMaxBytes)
        throw new CredsignError(code, 'kdf: scrypt memory 128*N*r exceeds 1 GiB')
      return { id: 'scrypt', N, r, p }
    }
    case 'argon2id': {
      exactKeys(value, ['id', 'm', 't', 'p'], code)
      const m = intIn(value, 'm', BOUNDS.argon2M, code)
      const t = intIn(value, 't', BOUNDS.argon2T, code)
      const p = intIn(value, 'p', BOUNDS.argon2P, code)
      // RFC 9106 section 3.1: m >= 8 * p.
      if (m < 8 * p) throw new CredsignError(code, 'kdf.m must be at least 8 * kdf.p')
      return { id: 'argon2id', m, t, p }
    }
    default:
      throw new CredsignError(code, 'kdf.id must be pbkdf2-sha256, scrypt or argon2id')
  }
}

/**
 * The canonical text of KDF parameters that is authenticated in the envelope header, e.g.
 * `pbkdf2-sha256;iterations=600000`, `scrypt;N=131072;r=8;p=1`, `argon2id;m=19456;t=2;p=1`.
 * Parameters must already be validated (integers, so decimal text is unambiguous).
 *
 * @example
 *
 * ```ts
 * canonicalKdf({ id: 'argon2id', m: 19456, t: 2, p: 1 }) // 'argon2id;m=19456;t=2;p=1'
 * ```
 *
 * @internal
 */
export function canonicalKdf(kdf: KdfParams): string {
  switch (kdf.id) {
    case 'pbkdf2-sha256':
      return `pbkdf2-sha256;iterations=${kdf.iterations}`
    case 'scrypt':
      return `scrypt;N=${kdf.N};r=${kdf.r};p=${kdf.p}`
    case 'argon2id':
      return `argon2id;m=${kdf.m};t=${kdf.t};p=${kdf.p}`
  }
}

/**
 * Whether `stored` is weaker than `wanted`: a different KDF id (a migration target), or the same id
 * with any cost parameter lower (PBKDF2 iterations; scrypt N, r or p; Argon2id m or t). Argon2id's
 * `p` is not a cost: the total work is m * t whatever the lane count.
 *
 * @example
 *
 * ```ts
 * isWeakerKdf(
 *   { id: 'pbkdf2-sha256', iterations: 100_000 },
 *   { id: 'pbkdf2-sha256', iterations: 600_000 },
 * ) // true
 * ```
 *
 * @internal
 */
export function isWeakerKdf(stored: KdfParams, wanted: KdfParams): boolean {
  if (stored.id === 'pbkdf2-sha256' && wanted.id === 'pbkdf2-sha256')
    return stored.iterations < wanted.iterations
  if (stored.id === 'scrypt' && wanted.id === 'scrypt')
    return stored.N < wanted.N || stored.r < wanted.r || stored.p < wanted.p
  if (stored.id === 'argon2id' && wanted.id === 'argon2id')
    return stored.m < wanted.m || stored.t < wanted.t
  return true
}
