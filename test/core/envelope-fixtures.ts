// Shared inputs for the envelope tests. The pinned vectors were generated once with
// sealWithFixedRandomness from these inputs; docs/envelope.md repeats PINNED.pbkdf2 byte for byte.
import { expect, vi } from 'vitest'
import { CredsignError } from '../../src/errors/credsign-error.js'
import type { ErrorCode } from '../../src/errors/credsign-error.js'
import type {
  CallerSecret,
  EnvelopeContext,
  KdfParams,
  SealedEnvelope,
  SecretEnvelope,
} from '../../src/envelope/index.js'

export const CHEAP = {
  pbkdf2: { id: 'pbkdf2-sha256', iterations: 1_000 },
  scrypt: { id: 'scrypt', N: 1_024, r: 8, p: 1 },
  argon2id: { id: 'argon2id', m: 64, t: 2, p: 1 },
} as const satisfies Record<string, KdfParams>

export const VECTOR = {
  serviceSecret: 'credsign-test-vector-service-secret-0001',
  secrets: ['key-access-secret-0001', 'user passphrase: crème brûlée'],
  context: {
    keyId: 'did:example:issuer#key-1',
    algorithm: 'Ed25519',
    keyVersion: 1,
  } satisfies EnvelopeContext,
  plaintext: Uint8Array.from({ length: 32 }, (_, i) => i),
  salt: Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i),
  iv: Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i),
} as const

export const PINNED: Record<keyof typeof CHEAP, SealedEnvelope> = {
  pbkdf2: {
    v: 1,
    kid: 'did:example:issuer#key-1',
    alg: 'Ed25519',
    kv: 1,
    kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    salt: 'EBESExQVFhcYGRobHB0eHw',
    sfp: '8laytGqUYpE',
    iv: 'oKGio6Slpqeoqaqr',
    ct: '0FlnwDOntc2-4yk5oMGZBsMaTKEUynmzY2wiJDV-eB5RBtDNkUbEzehr16O0Pha5',
    mac: 'CrEOMjGO0lzhSll1syvX-Dz4lzx6F1ltc9LO30Nt8tw',
  },
  scrypt: {
    v: 1,
    kid: 'did:example:issuer#key-1',
    alg: 'Ed25519',
    kv: 1,
    kdf: { id: 'scrypt', N: 1024, r: 8, p: 1 },
    salt: 'EBESExQVFhcYGRobHB0eHw',
    sfp: '8laytGqUYpE',
    iv: 'oKGio6Slpqeoqaqr',
    ct: '0w_dVzqsSbBOHo_NmRwUtMV7O8fJoxSIJpv8uubcaP_g3P4RSF3ILkR4ciWkUfh4',
    mac: 'XEWEAnbBbknRjc8YGZkidCAPx1u-gDsITRum_AJJWbs',
  },
  argon2id: {
    v: 1,
    kid: 'did:example:issuer#key-1',
    alg: 'Ed25519',
    kv: 1,
    kdf: { id: 'argon2id', m: 64, t: 2, p: 1 },
    salt: 'EBESExQVFhcYGRobHB0eHw',
    sfp: '8laytGqUYpE',
    iv: 'oKGio6Slpqeoqaqr',
    ct: 'PzqlxUG5CxmzQ15_OVPAasisA429745SkE8fcr0RdToWrJ5vI4Sd-i8V69hQqhTt',
    mac: 'Ui7mVL4z9hhAyledtCJcdzoNFqHMPd-O-sg5IMy_MYk',
  },
}

/** Every secret string any envelope test uses; none may ever appear in an error. */
export const ALL_SECRET_STRINGS: string[] = [
  VECTOR.serviceSecret,
  ...VECTOR.secrets,
  'service-secret-A-for-envelope-tests-0123456789',
  'service-secret-B-for-envelope-tests-0123456789',
  'correct horse battery staple',
  'second factor 9f8e7d',
  'a-wrong-secret-value',
  'new-secret-after-rewrap',
  'short-service-secret-0123456789',
]

/**
 * Awaits `promise` (or runs `fn`), expects a CredsignError with `code`, and checks that neither the
 * serialised error nor its message or stack contains any test secret.
 */
export async function expectCode(
  work: Promise<unknown> | (() => unknown),
  code: ErrorCode,
): Promise<CredsignError> {
  let caught: unknown
  try {
    await (typeof work === 'function' ? work() : work)
  } catch (error) {
    caught = error
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(CredsignError)
  const error = caught as CredsignError
  expect(error.code).toBe(code)
  const text =
    JSON.stringify(error) +
    error.message +
    String(error.stack) +
    String((error as { cause?: unknown }).cause ?? '')
  for (const secret of ALL_SECRET_STRINGS) expect(text).not.toContain(secret)
  return error
}

/** A copy of `sealed` with one member replaced. */
export function withMember(
  sealed: SealedEnvelope,
  name: string,
  value: unknown,
): Record<string, unknown> {
  return { ...sealed, [name]: value }
}

/** Flips one bit of byte `index` (negative: from the end) of a base64url member. */
export function flipByte(text: string, index: number): string {
  const bytes = decodeB64u(text)
  const i = index < 0 ? bytes.length + index : index
  bytes[i] = (bytes[i] as number) ^ 0x01
  return toB64u(bytes)
}

/** Base64url decoding written independently of the library's. */
export function decodeB64u(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
  return Uint8Array.from(bin, (c) => c.charCodeAt(0))
}

/** Base64url encoding without padding, written independently of the library's. */
export function toB64u(bytes: Uint8Array): string {
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/**
 * Seals through the public `SecretEnvelope.seal`, with the pinned salt and IV in place of random
 * ones, for the known-answer vectors. `seal` draws the salt (16 bytes), then the IV (12 bytes) from
 * `crypto.getRandomValues` before its first await, so the two are handed out during that
 * synchronous call only; the real source is back before anything else runs. The library itself has
 * no way to seal with chosen randomness (a repeated key and IV breaks AES-GCM).
 */
export async function sealWithFixedRandomness(
  envelope: SecretEnvelope,
  plaintext: Uint8Array,
  secrets: readonly CallerSecret[],
  context: EnvelopeContext,
  fixed: { salt: Uint8Array; iv: Uint8Array; kdf?: KdfParams },
): Promise<SealedEnvelope> {
  const pending = [fixed.salt, fixed.iv]
  const drawn: number[] = []
  const source = vi
    .spyOn(globalThis.crypto, 'getRandomValues')
    .mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      const next = pending.shift()
      drawn.push(array?.byteLength ?? 0)
      if (next === undefined || array === null || next.byteLength !== array.byteLength)
        throw new Error(
          `seal drew ${drawn.join(', ')} random bytes; the vector has a 16-byte salt and a 12-byte IV`,
        )
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(next)
      return array
    })
  let sealing: Promise<SealedEnvelope>
  try {
    sealing = envelope.seal(
      plaintext,
      secrets,
      context,
      fixed.kdf === undefined ? {} : { kdf: fixed.kdf },
    )
  } finally {
    source.mockRestore()
  }
  expect(drawn, 'seal drew the salt, then the IV, and nothing else').toEqual([16, 12])
  return sealing
}
