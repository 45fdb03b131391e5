// Custody hunt: what an attacker who can write the key store (but knows no secret), a caller with
// wrong secrets, concurrent callers and crashes can do to the vault's keys. Property-based
// (fast-check) and differential (an independent node:crypto sealer of docs/envelope.md).
import { createCipheriv, createHmac, hkdfSync, pbkdf2Sync, randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { mkdtemp, open, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  CredsignError,
  KeyVault,
  MemoryAttemptLimiter,
  MemoryStore,
  SecretEnvelope,
  generateKeyPair,
  verifySignature,
  type KeyRecord,
  type KeyStore,
  type SealedEnvelope,
} from 'credsign'
import { FileStore } from 'credsign/file'

// Counts every KDF run (the vault's and the envelope's), around the real implementation.
const kdfRuns = vi.hoisted(() => ({ count: 0 }))
vi.mock('../../src/envelope/stretch.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/envelope/stretch.js')>()
  return {
    ...original,
    stretch: (...args: Parameters<typeof original.stretch>) => {
      kdfRuns.count++
      return original.stretch(...args)
    },
  }
})

const CHEAP_KDF = { id: 'pbkdf2-sha256', iterations: 1000 } as const
const SERVICE_SECRET = 'custody-hunt-service-secret-0123456789abcdef'
const SECRETS = ['key-access-secret-custody-0001', 'user passphrase custody']
const message = new TextEncoder().encode('custody hunt')

const ALLOWED_OPEN_REFUSALS = new Set([
  'envelope_malformed',
  'envelope_unsupported_version',
  'envelope_context_mismatch',
  'service_secret_mismatch',
  'envelope_tampered',
])

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof CredsignError) return error.code
    return `untyped: ${String(error)}`
  }
  return 'resolved'
}

function vaultOn(store: KeyStore, extra: Partial<ConstructorParameters<typeof KeyVault>[0]> = {}) {
  return new KeyVault({ store, serviceSecret: SERVICE_SECRET, kdf: CHEAP_KDF, ...extra })
}

/** Rewrites a stored record as a store writer would: no secret, no revision check of ours. */
async function overwrite(store: KeyStore, id: string, change: (r: KeyRecord) => KeyRecord) {
  const record = (await store.get(id))!
  await store.update(change(structuredClone(record)))
}

// An independent sealer of docs/envelope.md (node:crypto), to build envelopes that a holder of the
// service secret could write: valid MAC, any parameters, any plaintext.
const u32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
const lp = (parts: Buffer[]) => Buffer.concat(parts.flatMap((p) => [u32(p.length), p]))
const hkdf = (ikm: Buffer, salt: Buffer | string, info: string, length: number) =>
  Buffer.from(hkdfSync('sha256', ikm, salt, info, length))
const serviceKeys = (secret: string) => {
  const S = Buffer.from(secret.trim(), 'utf8')
  return {
    sfp: hkdf(S, 'credsign/service-secret/v1', 'fingerprint', 8),
    macKey: hkdf(S, 'credsign/service-secret/v1', 'envelope-mac', 32),
    pepper: hkdf(S, 'credsign/service-secret/v1', 'envelope-kek', 32),
  }
}
const canonicalKdfText = (kdf: Record<string, unknown>) =>
  kdf.id === 'pbkdf2-sha256'
    ? `pbkdf2-sha256;iterations=${String(kdf.iterations)}`
    : kdf.id === 'scrypt'
      ? `scrypt;N=${String(kdf.N)};r=${String(kdf.r)};p=${String(kdf.p)}`
      : `argon2id;m=${String(kdf.m)};t=${String(kdf.t)};p=${String(kdf.p)}`

function specHeader(
  kid: string,
  alg: string,
  kv: number,
  kdf: Record<string, unknown>,
  salt: Buffer,
  sfp: Buffer,
  iv: Buffer,
) {
  return lp([
    Buffer.from('credsign-envelope'),
    Buffer.from('1'),
    Buffer.from(kid, 'utf8'),
    Buffer.from(alg, 'utf8'),
    Buffer.from(String(kv)),
    Buffer.from(canonicalKdfText(kdf)),
    salt,
    sfp,
    iv,
  ])
}

/**
 * Seals `plaintext` as the specification says, under `kdf` (PBKDF2 only is computed; any other KDF
 * gets random ciphertext, for envelopes that must be refused before decryption).
 */
function specSeal(options: {
  plaintext: Uint8Array
  secrets: readonly string[]
  kid: string
  alg: string
  kv: number
  kdf: Record<string, unknown>
  serviceSecret?: string
}): SealedEnvelope {
  const keys = serviceKeys(options.serviceSecret ?? SERVICE_SECRET)
  const salt = randomBytes(16)
  const iv = randomBytes(12)
  const header = specHeader(options.kid, options.alg, options.kv, options.kdf, salt, keys.sfp, iv)
  let ct: Buffer
  if (options.kdf.id === 'pbkdf2-sha256' && options.kdf.iterations === 1000) {
    const E = Buffer.concat([
      Buffer.from('credsign/caller-secrets/v1'),
      Buffer.from([options.secrets.length]),
      ...options.secrets.flatMap((s) => {
        const bytes = Buffer.from(s.normalize('NFC'), 'utf8')
        return [u32(bytes.length), bytes]
      }),
    ])
    const stretched = pbkdf2Sync(E, salt, 1000, 32, 'sha256')
    const kek = hkdf(stretched, keys.pepper, 'credsign/envelope/v1/kek', 32)
    const cipher = createCipheriv('aes-256-gcm', kek, iv)
    cipher.setAAD(header)
    ct = Buffer.concat([cipher.update(options.plaintext), cipher.final(), cipher.getAuthTag()])
  } else {
    ct = randomBytes(64)
  }
  const mac = createHmac('sha256', keys.macKey).update(header).update(u32(ct.length)).update(ct)
  return {
    v: 1,
    kid: options.kid,
    alg: options.alg,
    kv: options.kv,
    kdf: options.kdf as SealedEnvelope['kdf'],
    salt: salt.toString('base64url'),
    sfp: keys.sfp.toString('base64url'),
    iv: iv.toString('base64url'),
    ct: ct.toString('base64url'),
    mac: mac.digest().toString('base64url'),
  }
}

/** JSON text with object members sorted: equal for values equal as JSON. */
function sorted(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}

/** Every string a thrown error carries: message, stack, causes, own properties, JSON, inspect. */
function errorText(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '')
      parts.push(JSON.stringify(current, Object.getOwnPropertyNames(current)) ?? '')
      current = (current as { cause?: unknown }).cause
    } else {
      parts.push(String(current), JSON.stringify(current) ?? '')
      current = undefined
    }
  }
  parts.push(inspect(error, { depth: 10, showHidden: true }))
  return parts.join('\n')
}

describe('a store writer swapping what the envelope does not bind', () => {
  it("a version's public key replaced by another key's: the unlock is store_corrupt, never a signer that disagrees with its published key", async () => {
    const store = new MemoryStore()
    const vault = vaultOn(store)
    for (const algorithm of ['Ed25519', 'P-256', 'secp256k1'] as const) {
      const a = `key-a-${algorithm}`
      const b = `key-b-${algorithm}`
      await vault.generate({ id: a, algorithm, secrets: SECRETS })
      await vault.generate({ id: b, algorithm, secrets: SECRETS })
      const bJwk = (await store.get(b))!.versions[0]!.publicJwk
      await overwrite(store, a, (r) => {
        r.versions[0]!.publicJwk = bJwk
        return r
      })
      // What a verifier fetching the JWKS sees is the writer's choice (public keys are not
      // authenticated: docs/security.md). Signing must not go along with it.
      const outcome = await vault.unlock(a, SECRETS).then(
        async (signer) => {
          const signature = await signer.sign(message)
          const agrees = await verifySignature(signer.publicJwk, message, signature)
          signer.lock()
          return agrees ? 'signs with the published key' : 'signs with another key'
        },
        (error: unknown) => (error instanceof CredsignError ? error.code : String(error)),
      )
      expect(outcome, algorithm).toBe('store_corrupt')
      // The real owner of the published key still works, and so does A once repaired.
      await expect(vault.withKey(b, SECRETS, () => 'ok')).resolves.toBe('ok')
    }
  })

  it('an RSA public key replaced by another RSA key (same algorithm): store_corrupt', async () => {
    const store = new MemoryStore()
    const vault = vaultOn(store)
    const other = await generateKeyPair('RSA-PSS', { modulusLength: 2048 })
    await vault.generate({ id: 'rsa', algorithm: 'RSA-PSS', secrets: SECRETS, modulusLength: 2048 })
    await overwrite(store, 'rsa', (r) => {
      r.versions[0]!.publicJwk = other.publicJwk
      return r
    })
    expect(await codeOf(vault.unlock('rsa', SECRETS))).toBe('store_corrupt')
    // attachCertificateChain checks a chain against the stored key: it must not accept one for
    // the writer's key either (refused before any chain is read).
    expect(await codeOf(vault.attachCertificateChain('rsa', SECRETS, []))).toBe('store_corrupt')
  })

  it("members a store writer adds to a stored public key (alg, use, key_ops, another kid) never reach the signer's publicJwk", async () => {
    const store = new MemoryStore()
    const vault = vaultOn(store)
    const info = await vault.generate({ id: 'k', algorithm: 'P-256', secrets: SECRETS })
    const genuine = (await store.get('k'))!.versions[0]!.publicJwk
    await overwrite(store, 'k', (r) => {
      r.versions[0]!.publicJwk = {
        ...r.versions[0]!.publicJwk,
        alg: 'ES384',
        use: 'enc',
        key_ops: ['encrypt'],
        kid: 'did:example:someone-else#key-1',
      } as KeyRecord['versions'][0]['publicJwk']
      return r
    })
    const signer = await vault.unlock('k', SECRETS)
    expect(signer.publicJwk).toEqual(genuine)
    expect(signer.publicJwk.kid).toBe(info.current.thumbprint)
    signer.lock()
  })

  it("an RSA key's algorithm relabelled as another RSA algorithm (same key type, other scheme or hash): envelope_context_mismatch", async () => {
    const store = new MemoryStore()
    const vault = vaultOn(store)
    await vault.generate({ id: 'r', algorithm: 'RS256', secrets: SECRETS, modulusLength: 2048 })
    for (const algorithm of ['RSA-PSS', 'PS384', 'PS512', 'RS384', 'RS512'] as const) {
      await overwrite(store, 'r', (rec) => {
        rec.versions[0]!.algorithm = algorithm
        return rec
      })
      expect(await codeOf(vault.unlock('r', SECRETS)), algorithm).toBe('envelope_context_mismatch')
    }
    await overwrite(store, 'r', (rec) => {
      rec.versions[0]!.algorithm = 'RS256'
      return rec
    })
    const signer = await vault.unlock('r', SECRETS)
    expect(signer.algorithm).toBe('RS256')
    signer.lock()
  })

  it('a public key with extra or reordered members (a database that reorders jsonb) still unlocks', async () => {
    const store = new MemoryStore()
    const vault = vaultOn(store)
    await vault.generate({ id: 'k', algorithm: 'P-256', secrets: SECRETS })
    await overwrite(store, 'k', (r) => {
      const jwk = r.versions[0]!.publicJwk as unknown as Record<string, unknown>
      const reordered = Object.fromEntries(Object.entries(jwk).reverse())
      r.versions[0]!.publicJwk = reordered as unknown as KeyRecord['versions'][0]['publicJwk']
      return r
    })
    await expect(vault.withKey('k', SECRETS, (s) => s.sign(message))).resolves.toBeInstanceOf(
      Uint8Array,
    )
  })

  it("key A's sealed version stored under id B, or under another version or algorithm: never opens as B", async () => {
    const store = new MemoryStore()
    const vault = vaultOn(store)
    await vault.generate({ id: 'a', algorithm: 'Ed25519', secrets: SECRETS })
    await vault.generate({ id: 'b', algorithm: 'Ed25519', secrets: SECRETS })
    await vault.rotate('a', SECRETS)
    const recordA = (await store.get('a'))!
    // The whole version (envelope and public key) moved to B.
    await overwrite(store, 'b', (r) => {
      r.versions[0] = { ...structuredClone(recordA.versions[1]!), version: 1, status: 'current' }
      return r
    })
    expect(await codeOf(vault.unlock('b', SECRETS))).toBe('envelope_context_mismatch')
    // The envelope's bound members edited to match B: the MAC fails.
    await overwrite(store, 'b', (r) => {
      r.versions[0]!.envelope = { ...r.versions[0]!.envelope, kid: 'b', kv: 1 }
      return r
    })
    expect(await codeOf(vault.unlock('b', SECRETS))).toBe('envelope_tampered')
    // Within A: version 1's envelope as version 2, and version 2 relabelled as another algorithm.
    await overwrite(store, 'a', (r) => {
      r.versions[1]!.envelope = structuredClone(recordA.versions[0]!.envelope)
      return r
    })
    expect(await codeOf(vault.unlock('a', SECRETS))).toBe('envelope_context_mismatch')
    await overwrite(store, 'a', (r) => {
      r.versions[1] = {
        ...structuredClone(recordA.versions[1]!),
        algorithm: 'P-256',
        publicJwk: (recordA.versions[1]!.publicJwk.kty === 'OKP'
          ? { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }
          : recordA.versions[1]!.publicJwk) as KeyRecord['versions'][0]['publicJwk'],
      }
      return r
    })
    expect(await codeOf(vault.unlock('a', SECRETS))).toBe('envelope_context_mismatch')
    // None of these was a guess: the owner is not locked out.
    await overwrite(store, 'a', (r) => ({ ...structuredClone(recordA), revision: r.revision }))
    await expect(vault.withKey('a', SECRETS, () => 'ok')).resolves.toBe('ok')
  })
})

/** A KeyStore that returns whatever was put in it: no validation, as a careless custom store. */
class RawStore implements KeyStore {
  readonly records = new Map<string, unknown>()
  create(record: KeyRecord): Promise<KeyRecord> {
    const stored = { ...structuredClone(record), revision: 1 }
    this.records.set(record.id, stored)
    return Promise.resolve(structuredClone(stored))
  }
  get(id: string): Promise<KeyRecord | undefined> {
    const value = this.records.get(id)
    return Promise.resolve(value === undefined ? undefined : (structuredClone(value) as KeyRecord))
  }
  update(record: KeyRecord): Promise<KeyRecord> {
    const stored = { ...structuredClone(record), revision: record.revision + 1 }
    this.records.set(record.id, stored)
    return Promise.resolve(structuredClone(stored))
  }
  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.records.delete(id))
  }
  list(): Promise<{ records: KeyRecord[] }> {
    return Promise.resolve({ records: [...this.records.values()] as KeyRecord[] })
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    0,
    -1,
    1.5,
    2 ** 31,
    2 ** 53,
    1e308,
    '',
    '1',
    'AA',
    [],
    {},
    { id: 'scrypt', N: 2 ** 40, r: 8, p: 1 },
    { id: 'argon2id', m: 2 ** 32, t: 1, p: 1 },
    { id: 'pbkdf2-sha256', iterations: 2 ** 40 },
  ),
  fc.jsonValue() as fc.Arbitrary<Json>,
)

const b64uBytes = (text: string) => Buffer.from(text, 'base64url')

/** One edit of a sealed envelope (as a plain JSON object). */
const envelopeEdit: fc.Arbitrary<{ name: string; apply: (e: Record<string, Json>) => void }> =
  fc.oneof(
    // Any member replaced by a hostile value, or deleted, or an extra member added.
    fc
      .tuple(
        fc.constantFrom('v', 'kid', 'alg', 'kv', 'kdf', 'salt', 'sfp', 'iv', 'ct', 'mac'),
        hostileValue,
      )
      .map(([member, value]) => ({
        name: `${member} := ${JSON.stringify(value)}`,
        apply: (e: Record<string, Json>) => {
          e[member] = value
        },
      })),
    fc.constantFrom('v', 'kid', 'alg', 'kv', 'kdf', 'salt', 'sfp', 'iv', 'ct', 'mac').map((m) => ({
      name: `delete ${m}`,
      apply: (e: Record<string, Json>) => {
        delete e[m]
      },
    })),
    fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), hostileValue).map(([m, value]) => ({
      name: `extra ${m}`,
      apply: (e: Record<string, Json>) => {
        if (!Object.hasOwn(e, m)) e[m] = value
      },
    })),
    // A KDF parameter raised, lowered or made odd; the KDF switched to another with in-bounds values.
    fc
      .tuple(
        fc.constantFrom('iterations', 'N', 'r', 'p', 'm', 't', 'id'),
        fc.oneof(
          fc.integer({ min: -10, max: 2 ** 31 }),
          fc.constantFrom(0, 1, 2 ** 20, 2 ** 21, 2 ** 30, 2 ** 40, 10_000_001, 999),
        ),
      )
      .map(([param, value]) => ({
        name: `kdf.${param} := ${value}`,
        apply: (e: Record<string, Json>) => {
          e.kdf = { ...(e.kdf as Record<string, Json>), [param]: value }
        },
      })),
    fc
      .constantFrom<Json>(
        { id: 'scrypt', N: 1024, r: 8, p: 1 },
        { id: 'argon2id', m: 64, t: 1, p: 1 },
        { id: 'pbkdf2-sha256', iterations: 1001 },
        { id: 'pbkdf2-sha256', iterations: 10_000_000 },
        { id: 'scrypt', N: 2 ** 20, r: 8, p: 1 },
        { id: 'argon2id', m: 1_048_576, t: 20, p: 16 },
      )
      .map((kdf) => ({
        name: `kdf := ${JSON.stringify(kdf)}`,
        apply: (e: Record<string, Json>) => {
          e.kdf = kdf
        },
      })),
    // A binary member with one bit flipped, truncated or extended (still canonical base64url).
    fc
      .tuple(
        fc.constantFrom('salt', 'sfp', 'iv', 'ct', 'mac'),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom('flip', 'truncate', 'extend'),
      )
      .map(([member, at, bit, how]) => ({
        name: `${how} ${member}[${at}]`,
        apply: (e: Record<string, Json>) => {
          if (typeof e[member] !== 'string') return
          const bytes = b64uBytes(e[member])
          const edited =
            how === 'flip'
              ? ((bytes[at % bytes.length]! ^= 1 << bit), bytes)
              : how === 'truncate'
                ? bytes.subarray(0, at % bytes.length)
                : Buffer.concat([bytes, Buffer.from([at & 0xff])])
          e[member] = edited.toString('base64url')
        },
      })),
    // The bound members edited in place.
    fc
      .tuple(fc.constantFrom('kid', 'alg'), fc.string({ minLength: 1, maxLength: 12 }))
      .map(([member, text]) => ({
        name: `${member} := ${JSON.stringify(text)}`,
        apply: (e: Record<string, Json>) => {
          e[member] = text
        },
      })),
    fc.integer({ min: 0, max: 3 }).map((v) => ({
      name: `v := ${v}`,
      apply: (e: Record<string, Json>) => {
        e.v = v
      },
    })),
    fc.integer({ min: 0, max: 5 }).map((kv) => ({
      name: `kv := ${kv}`,
      apply: (e: Record<string, Json>) => {
        e.kv = kv
      },
    })),
  )

describe('tampered envelopes and records read from the store', () => {
  it('every edit of a sealed envelope: a typed refusal before any KDF run, never a signer', async () => {
    const store = new RawStore()
    const vault = vaultOn(store)
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: SECRETS })
    const genuine = structuredClone(store.records.get('k')) as KeyRecord
    const seen = new Map<string, number>()
    await fc.assert(
      fc.asyncProperty(fc.array(envelopeEdit, { minLength: 1, maxLength: 3 }), async (edits) => {
        const record = structuredClone(genuine)
        const envelope = record.versions[0]!.envelope as unknown as Record<string, Json>
        for (const edit of edits) edit.apply(envelope)
        fc.pre(sorted(envelope) !== sorted(genuine.versions[0]!.envelope))
        store.records.set('k', record)
        const before = kdfRuns.count
        const started = performance.now()
        // The owner's own secrets: even they must not open an edited envelope.
        const code = await codeOf(vault.unlock('k', SECRETS))
        seen.set(code, (seen.get(code) ?? 0) + 1)
        expect(
          // store_corrupt: the vault's record check refused the envelope's JSON shape first.
          ALLOWED_OPEN_REFUSALS.has(code) || code === 'store_corrupt',
          `${code} after ${edits.map((e) => e.name).join(', ')}`,
        ).toBe(true)
        expect(kdfRuns.count - before).toBe(0)
        expect(performance.now() - started).toBeLessThan(1000)
      }),
      {
        numRuns: 400,
        // One edit for each refusal, so every check is reached whatever the seed.
        examples: (
          [
            ['v', 2],
            ['v', '1'],
            ['kid', 'another'],
            ['salt', 'AAAA'],
            ['sfp', 'AAAAAAAAAAA'],
            ['mac', 'A'.repeat(43)],
          ] as const
        ).map(([member, value]) => [
          [
            {
              name: `${member} := ${JSON.stringify(value)}`,
              apply: (e: Record<string, Json>) => {
                e[member] = value
              },
            },
          ],
        ]),
      },
    )
    // The edits reached every check, not only the first one.
    expect([...seen.keys()].sort()).toEqual([...ALLOWED_OPEN_REFUSALS, 'store_corrupt'].sort())
    // And none was counted as a guess; the counter does count a real open.
    store.records.set('k', genuine)
    const before = kdfRuns.count
    await expect(vault.withKey('k', SECRETS, () => 'ok')).resolves.toBe('ok')
    expect(kdfRuns.count - before).toBe(1)
  }, 60_000)

  it('every edit of the record around the envelope (algorithm, public key, version, status, id, chain): typed, or a signer of the sealed key that names it', async () => {
    const store = new RawStore()
    const vault = vaultOn(store)
    await vault.generate({ id: 'k', algorithm: 'P-256', secrets: SECRETS })
    await vault.rotate('k', SECRETS)
    await vault.generate({ id: 'other', algorithm: 'Ed25519', secrets: SECRETS })
    const genuine = structuredClone(store.records.get('k')) as KeyRecord
    const other = structuredClone(store.records.get('other')) as KeyRecord
    const genuineKeys = genuine.versions.map((v) => {
      const jwk = v.publicJwk as unknown as Record<string, unknown>
      return JSON.stringify([jwk.x, jwk.y])
    })
    const recordEdit = fc.oneof(
      fc
        .tuple(
          fc.constantFrom('id', 'revision', 'createdAt', 'updatedAt', 'versions'),
          hostileValue,
        )
        .map(([member, value]) => ({
          name: `record.${member} := ${JSON.stringify(value)}`,
          apply: (r: Record<string, Json>) => {
            r[member] = value
          },
        })),
      fc
        .tuple(
          fc.integer({ min: 0, max: 1 }),
          fc.constantFrom(
            'version',
            'algorithm',
            'publicJwk',
            'status',
            'createdAt',
            'envelope',
            'certificateChain',
          ),
          fc.oneof(
            hostileValue,
            fc.constantFrom<Json>(
              'Ed25519',
              'P-384',
              'secp256k1',
              'RSA-PSS',
              'RS256',
              'current',
              'previous',
              1,
              2,
              3,
              other.versions[0]!.publicJwk as unknown as Json,
              other.versions[0]!.envelope as unknown as Json,
              genuine.versions[0]!.publicJwk as unknown as Json,
              genuine.versions[1]!.publicJwk as unknown as Json,
              genuine.versions[0]!.envelope as unknown as Json,
              { x5c: ['AAAA'], notAfter: '2099-01-01T00:00:00Z' },
            ),
          ),
        )
        .map(([index, member, value]) => ({
          name: `versions[${index}].${member} := ${JSON.stringify(value)}`,
          apply: (r: Record<string, Json>) => {
            const versions = r.versions
            if (!Array.isArray(versions)) return
            const entry = versions[index]
            if (entry !== null && typeof entry === 'object' && !Array.isArray(entry))
              entry[member] = value
          },
        })),
      fc.constantFrom('reverse', 'drop-first', 'drop-last', 'duplicate').map((how) => ({
        name: `versions ${how}`,
        apply: (r: Record<string, Json>) => {
          const versions = r.versions
          if (!Array.isArray(versions)) return
          if (how === 'reverse') versions.reverse()
          else if (how === 'drop-first') versions.shift()
          else if (how === 'drop-last') versions.pop()
          else versions.push(structuredClone(versions[0]!))
        },
      })),
    )
    const codes = new Map<string, number>()
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordEdit, { minLength: 1, maxLength: 3 }),
        fc.constantFrom<number | undefined>(undefined, 1, 2),
        async (edits, version) => {
          const record = structuredClone(genuine) as unknown as Record<string, Json>
          for (const edit of edits) edit.apply(record)
          fc.pre(sorted(record) !== sorted(genuine))
          store.records.set('k', record)
          const before = kdfRuns.count
          const what = edits.map((e) => e.name).join(', ')
          let outcome: string
          try {
            const signer = await vault.unlock(
              'k',
              SECRETS,
              version === undefined ? {} : { version },
            )
            const signature = await signer.sign(message)
            // A signer handed out must sign with the sealed key of the version it names, and name
            // one of this id's genuine keys of the genuine algorithm.
            expect(await verifySignature(signer.publicJwk, message, signature), what).toBe(true)
            const jwk = signer.publicJwk as unknown as Record<string, unknown>
            expect(genuineKeys, what).toContain(JSON.stringify([jwk.x, jwk.y]))
            expect(signer.algorithm, what).toBe('P-256')
            signer.lock()
            outcome = 'signed'
          } catch (error) {
            if (!(error instanceof CredsignError))
              throw new Error(`untyped after ${what}`, { cause: error })
            outcome = error.code
          }
          codes.set(outcome, (codes.get(outcome) ?? 0) + 1)
          expect(
            ['signed', 'store_corrupt', 'wrong_secrets', 'invalid_key', ...ALLOWED_OPEN_REFUSALS],
            `${outcome} after ${what}`,
          ).toContain(outcome)
          expect(kdfRuns.count - before, what).toBeLessThanOrEqual(1)
          // A refusal that blames the store or the envelope ran no KDF.
          if (outcome === 'store_corrupt' || ALLOWED_OPEN_REFUSALS.has(outcome))
            expect(kdfRuns.count - before, what).toBeLessThanOrEqual(
              outcome === 'store_corrupt' ? 1 : 0,
            )
        },
      ),
      {
        numRuns: 300,
        // An edit of what the envelope does not bind that still signs (a chain on the old version).
        examples: [
          [
            [
              {
                name: 'versions[0].certificateChain := a chain',
                apply: (r: Record<string, Json>) => {
                  const versions = r.versions as { [key: string]: Json }[]
                  versions[0]!.certificateChain = {
                    x5c: ['AAAA'],
                    notAfter: '2099-01-01T00:00:00Z',
                  }
                },
              },
            ],
            undefined,
          ],
        ],
      },
    )
    expect(codes.get('signed')).toBeGreaterThan(0)
  }, 60_000)
})

describe('lockout under concurrency and crashes', () => {
  let directory: string
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'credsign-custody-'))
  })
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  const stores: [string, () => KeyStore][] = [
    ['MemoryStore', () => new MemoryStore()],
    ['FileStore', () => new FileStore({ directory })],
  ]

  for (const [name, makeStore] of stores) {
    it(`${name}: bursts of wrong guesses (distinct, repeated, per client) never test more than maxFailures guesses per limiter key`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 5 }),
          fc.array(
            fc.record({
              guess: fc.integer({ min: 0, max: 14 }),
              client: fc.constantFrom<string | undefined>(undefined, 'c1', 'c2'),
            }),
            { minLength: 1, maxLength: 24 },
          ),
          async (maxFailures, burst) => {
            let now = 1_000_000
            const store = makeStore()
            const id = `burst-${Math.random().toString(36).slice(2)}`
            const vault = vaultOn(store, { lockout: { maxFailures }, clock: () => now })
            await vault.generate({ id, algorithm: 'Ed25519', secrets: SECRETS })
            const before = kdfRuns.count
            const results = await Promise.all(
              burst.map(({ guess, client }) =>
                codeOf(
                  vault.unlock(
                    id,
                    [`wrong guess ${guess}`],
                    client === undefined ? {} : { client },
                  ),
                ),
              ),
            )
            for (const code of results) expect(['wrong_secrets', 'locked']).toContain(code)
            // Guesses actually tested, per limiter key (identical concurrent requests share one).
            const tested = new Map<string, Set<number>>()
            burst.forEach(({ guess, client }, i) => {
              if (results[i] !== 'wrong_secrets') return
              const key = client ?? ''
              tested.set(key, (tested.get(key) ?? new Set()).add(guess))
            })
            let testedTotal = 0
            for (const guesses of tested.values()) {
              expect(guesses.size).toBeLessThanOrEqual(maxFailures)
              testedTotal += guesses.size
            }
            expect(kdfRuns.count - before).toBe(testedTotal)
            // The owner, without a client: locked exactly when the key-wide count reached the limit.
            const keyWide = tested.get('')?.size ?? 0
            const owner = await codeOf(vault.withKey(id, SECRETS, () => undefined))
            expect(owner).toBe(keyWide >= maxFailures ? 'locked' : 'resolved')
            // After the lockout the owner's right secrets work, and reset the count.
            now += 15 * 60_000 + 1
            expect(await codeOf(vault.withKey(id, SECRETS, () => undefined))).toBe('resolved')
            expect(await codeOf(vault.unlock(id, ['wrong again']))).toBe('wrong_secrets')
          },
        ),
        { numRuns: name === 'FileStore' ? 25 : 60 },
      )
    }, 60_000)
  }

  it('FileStore: 12 concurrent distinct wrong guesses from two vaults on one directory with one limiter: exactly 5 tested', async () => {
    const limiter = new MemoryAttemptLimiter()
    const vaults = [0, 1].map(() => vaultOn(new FileStore({ directory }), { limiter }))
    await vaults[0]!.generate({ id: 'shared', algorithm: 'P-256', secrets: SECRETS })
    const before = kdfRuns.count
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => codeOf(vaults[i % 2]!.unlock('shared', [`guess ${i}`]))),
    )
    expect(results.filter((c) => c === 'wrong_secrets')).toHaveLength(5)
    expect(results.filter((c) => c === 'locked')).toHaveLength(7)
    expect(kdfRuns.count - before).toBe(5)
    const locked = await vaults[1]!.unlock('shared', SECRETS).catch((e: unknown) => e)
    expect(locked).toBeInstanceOf(CredsignError)
    expect((locked as CredsignError).code).toBe('locked')
    expect((locked as CredsignError & { retryAt?: number }).retryAt).toBeGreaterThan(Date.now())
  })

  it('an attempt whose process stalls (or dies) mid-unlock stays counted; one that failed on storage does not', async () => {
    const inner = new MemoryStore()
    let mode: 'hang' | 'fail' | 'normal' = 'normal'
    const store: KeyStore = {
      create: (r) => inner.create(r),
      update: (r) => inner.update(r),
      delete: (id, rev) => inner.delete(id, rev),
      list: (o) => inner.list(o),
      get: (id) =>
        mode === 'hang'
          ? new Promise(() => {})
          : mode === 'fail'
            ? Promise.reject(new CredsignError('store_unavailable', 'down'))
            : inner.get(id),
    }
    const vault = vaultOn(store)
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: SECRETS })
    // Storage errors: the secrets were never tested, the attempts are not counted.
    mode = 'fail'
    for (let i = 0; i < 8; i++)
      expect(await codeOf(vault.unlock('k', [`g${i}`]))).toBe('store_unavailable')
    mode = 'normal'
    await expect(vault.withKey('k', SECRETS, () => 'ok')).resolves.toBe('ok')
    // Five attempts that never finish (a stalled or killed worker): counted at admission.
    mode = 'hang'
    for (let i = 0; i < 5; i++) void vault.unlock('k', [`stalled ${i}`])
    await new Promise((r) => setTimeout(r, 20))
    mode = 'normal'
    expect(await codeOf(vault.unlock('k', SECRETS))).toBe('locked')
  })
})

describe('rollback', () => {
  it('a record restored from before a rewrap or a rotation opens as it did (documented: docs/security.md)', async () => {
    const store = new MemoryStore()
    const vault = vaultOn(store)
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: SECRETS })
    const before = structuredClone((await store.get('k'))!)
    await vault.rewrap('k', SECRETS, { secrets: ['new secret'] })
    await vault.rotate('k', ['new secret'])
    await vault.retire('k', 1, ['new secret'])
    expect(await codeOf(vault.unlock('k', SECRETS))).toBe('wrong_secrets')
    // The store writer puts the old row back.
    await overwrite(store, 'k', (r) => ({ ...structuredClone(before), revision: r.revision }))
    const signer = await vault.unlock('k', SECRETS)
    expect(signer.version).toBe(1)
    signer.lock()
    expect(await codeOf(vault.unlock('k', ['new secret']))).toBe('wrong_secrets')
  })

  it('a record restored from before a service-secret rotation opens while the old secret is configured, and never after', async () => {
    const store = new MemoryStore()
    const oldSecret = 'the-service-secret-before-the-rotation-0123456789'
    await vaultOn(store, { serviceSecret: oldSecret }).generate({
      id: 'k',
      algorithm: 'Ed25519',
      secrets: SECRETS,
    })
    const before = structuredClone((await store.get('k'))!)
    const rotating = vaultOn(store, { previousServiceSecrets: [oldSecret] })
    expect(await rotating.needsRewrap('k')).toBe(true)
    await rotating.rewrap('k', SECRETS)
    expect(await rotating.needsRewrap('k')).toBe(false)
    await overwrite(store, 'k', (r) => ({ ...structuredClone(before), revision: r.revision }))
    await expect(rotating.withKey('k', SECRETS, () => 'ok')).resolves.toBe('ok')
    expect(await rotating.needsRewrap('k')).toBe(true)
    // Once the old secret is removed, the restored record opens for nobody.
    expect(await codeOf(vaultOn(store).unlock('k', SECRETS))).toBe('service_secret_mismatch')
  })
})

describe('secrets in errors', () => {
  it('no caller secret, service secret, key byte or store path in any error of a refused unlock, seal or open', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'credsign-leak-'))
    try {
      const store = new FileStore({ directory })
      const vault = vaultOn(store, { lockout: { maxFailures: 1000 } })
      await vault.generate({ id: 'k', algorithm: 'P-256', secrets: SECRETS })
      const record = (await store.get('k'))!
      const envelope = new SecretEnvelope({ serviceSecret: SERVICE_SECRET })
      const context = { keyId: 'k', algorithm: 'P-256', keyVersion: 1 }
      const pkcs8 = Buffer.from(await envelope.open(record.versions[0]!.envelope, SECRETS, context))
      const keyTexts = [
        pkcs8.toString('hex'),
        pkcs8.toString('base64url'),
        pkcs8.toString('base64'),
      ]
      const tail = pkcs8.subarray(pkcs8.length - 24)
      keyTexts.push(tail.toString('hex'), tail.toString('base64url'))
      const forbidden = (secret: string) => [
        secret,
        SERVICE_SECRET,
        ...SECRETS,
        directory,
        ...keyTexts,
      ]
      const secretArb = fc
        .tuple(
          fc.string({ minLength: 4, maxLength: 40 }),
          fc.uint8Array({ minLength: 6, maxLength: 6 }),
        )
        .map(([text, salt]) => `${text}${Buffer.from(salt).toString('hex')}`)
      await fc.assert(
        fc.asyncProperty(secretArb, fc.nat({ max: 6 }), async (secret, how) => {
          const errors: unknown[] = []
          const grab = async (p: Promise<unknown>) => {
            try {
              await p
            } catch (error) {
              errors.push(error)
            }
          }
          const tampered = structuredClone(record)
          tampered.versions[0]!.envelope.mac =
            record.versions[0]!.envelope.salt + 'AAAAAAAAAAAAAAAAAAAAA'
          switch (how) {
            case 0:
              await grab(vault.unlock('k', [secret, SECRETS[1]!]))
              break
            case 1:
              await grab(vault.unlock('k', [secret + '\uD800']))
              break
            case 2:
              await grab(
                vault.unlock(
                  'k',
                  Array.from({ length: 11 }, () => secret),
                ),
              )
              break
            case 3:
              await grab(vault.unlock('k', [secret.repeat(1 + Math.ceil(1001 / secret.length))]))
              break
            case 4:
              await grab(envelope.open(tampered.versions[0]!.envelope, [secret], context))
              await grab(
                envelope.open({ ...record.versions[0]!.envelope, kid: secret }, [secret], context),
              )
              break
            case 5:
              await grab(envelope.open(record.versions[0]!.envelope, [secret], context))
              await grab(envelope.rewrap(record.versions[0]!.envelope, [secret], context, {}))
              break
            default:
              await grab(
                vault.unlock(`unknown-${Buffer.from(secret).toString('hex').slice(0, 8)}`, [
                  secret,
                ]),
              )
              await grab(vault.delete('k', [secret]))
              await grab(vault.rotate('k', [secret]))
          }
          expect(errors.length).toBeGreaterThan(0)
          for (const error of errors) {
            expect(error).toBeInstanceOf(CredsignError)
            const text = errorText(error)
            for (const bad of forbidden(secret))
              expect(text.includes(bad), `${bad} in ${text}`).toBe(false)
          }
        }),
        { numRuns: 70 },
      )
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('envelopes a holder of the service secret could write (independent node:crypto sealer)', () => {
  it('the sealer agrees with SecretEnvelope (control)', async () => {
    const { pkcs8 } = await generateKeyPair('Ed25519')
    const sealed = specSeal({
      plaintext: pkcs8,
      secrets: SECRETS,
      kid: 'k',
      alg: 'Ed25519',
      kv: 1,
      kdf: CHEAP_KDF,
    })
    const envelope = new SecretEnvelope({ serviceSecret: SERVICE_SECRET })
    const opened = await envelope.open(sealed, SECRETS, {
      keyId: 'k',
      algorithm: 'Ed25519',
      keyVersion: 1,
    })
    expect(Buffer.from(opened).equals(Buffer.from(pkcs8))).toBe(true)
  })

  it('KDF parameters past the bounds, with a valid MAC: envelope_malformed before any KDF runs or memory is taken', async () => {
    const envelope = new SecretEnvelope({ serviceSecret: SERVICE_SECRET })
    const context = { keyId: 'k', algorithm: 'Ed25519', keyVersion: 1 }
    const outOfBounds = fc.oneof(
      fc
        .integer({ min: 10_000_001, max: 2 ** 52 })
        .map((iterations) => ({ id: 'pbkdf2-sha256', iterations })),
      fc.integer({ min: -5, max: 999 }).map((iterations) => ({ id: 'pbkdf2-sha256', iterations })),
      fc
        .tuple(fc.integer({ min: 21, max: 52 }), fc.integer({ min: 1, max: 32 }))
        .map(([log, r]) => ({ id: 'scrypt', N: 2 ** log, r, p: 1 })),
      fc.integer({ min: 9, max: 20 }).map((log) => ({ id: 'scrypt', N: 2 ** log, r: 64, p: 1 })),
      fc.integer({ min: 17, max: 40 }).map((p) => ({ id: 'scrypt', N: 1024, r: 8, p })),
      fc.integer({ min: 1_048_577, max: 2 ** 40 }).map((m) => ({ id: 'argon2id', m, t: 1, p: 1 })),
      fc.integer({ min: 21, max: 2 ** 31 }).map((t) => ({ id: 'argon2id', m: 64, t, p: 1 })),
      fc.integer({ min: 17, max: 2 ** 24 }).map((p) => ({ id: 'argon2id', m: 1_048_576, t: 1, p })),
      fc.constant({ id: 'scrypt', N: 2 ** 20, r: 9, p: 1 }),
      fc.constant({ id: 'scrypt', N: 3 * 2 ** 12, r: 8, p: 1 }),
    )
    await fc.assert(
      fc.asyncProperty(outOfBounds, async (kdf) => {
        const sealed = specSeal({
          plaintext: new Uint8Array(32),
          secrets: SECRETS,
          kid: 'k',
          alg: 'Ed25519',
          kv: 1,
          kdf,
        })
        const before = kdfRuns.count
        const started = performance.now()
        expect(await codeOf(envelope.open(sealed, SECRETS, context))).toBe('envelope_malformed')
        expect(kdfRuns.count - before).toBe(0)
        expect(performance.now() - started).toBeLessThan(500)
      }),
      { numRuns: 200 },
    )
  })

  it('a sealed key of another type than the envelope says, or of the same type but not the published key: never a signer', async () => {
    const algorithms = ['Ed25519', 'P-256', 'P-384', 'secp256k1'] as const
    for (const sealedAs of algorithms) {
      for (const actual of algorithms) {
        const store = new MemoryStore()
        const vault = vaultOn(store)
        await vault.generate({ id: 'k', algorithm: sealedAs, secrets: SECRETS })
        const { pkcs8 } = await generateKeyPair(actual)
        await overwrite(store, 'k', (r) => {
          r.versions[0]!.envelope = specSeal({
            plaintext: pkcs8,
            secrets: SECRETS,
            kid: 'k',
            alg: sealedAs,
            kv: 1,
            kdf: CHEAP_KDF,
          })
          return r
        })
        const error = await vault.unlock('k', SECRETS).catch((e: unknown) => e)
        const code = error instanceof CredsignError ? error.code : String(error)
        // Whatever it says, it quotes no byte of the key it opened.
        const text = errorText(error)
        const der = Buffer.from(pkcs8)
        for (const form of [der.toString('hex'), der.toString('base64url'), der.toString('base64')])
          for (let i = 0; i + 16 <= form.length; i += 8)
            expect(text.includes(form.slice(i, i + 16)), `key bytes in ${text}`).toBe(false)
        expect(code, `${actual} sealed as ${sealedAs}`).toBe(
          actual === sealedAs ? 'store_corrupt' : 'invalid_key',
        )
      }
    }
  })
})

describe('oversized envelopes planted in the store', () => {
  it("a megabytes-long ct, kid or alg in a key version's envelope: store_corrupt before it is decoded or MACed, for every caller", async () => {
    const store = new RawStore()
    const vault = vaultOn(store)
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: SECRETS })
    const genuine = structuredClone(store.records.get('k')) as KeyRecord
    const huge = Buffer.alloc(4 * 1024 * 1024, 7).toString('base64url')
    for (const member of ['ct', 'kid', 'alg'] as const) {
      const record = structuredClone(genuine)
      ;(record.versions[0]!.envelope as unknown as Record<string, string>)[member] = huge
      store.records.set('k', record)
      const before = kdfRuns.count
      const started = performance.now()
      // A stranger's wrong guess: not an attempt, so it could be repeated without limit.
      expect(await codeOf(vault.unlock('k', ['a stranger guess'])), member).toBe('store_corrupt')
      expect(performance.now() - started, member).toBeLessThan(100)
      expect(kdfRuns.count - before).toBe(0)
      // The stores refuse to write such an envelope in the first place.
      const memory = new MemoryStore()
      expect(await codeOf(memory.create(record)), member).toBe('invalid_argument')
    }
    // Every PKCS#8 the vault seals fits: RSA 4096 (the largest) round-trips through MemoryStore.
    const memory = new MemoryStore()
    const rsa = vaultOn(memory)
    await rsa.generate({ id: 'r', algorithm: 'RSA-PSS', secrets: SECRETS, modulusLength: 4096 })
    await expect(rsa.withKey('r', SECRETS, () => 'ok')).resolves.toBe('ok')
  }, 60_000)
})

describe('differential: SecretEnvelope against the node:crypto sealer of the specification', () => {
  it('random contexts, secrets (NFC or not) and plaintexts seal and open identically both ways', async () => {
    const envelope = new SecretEnvelope({ serviceSecret: SERVICE_SECRET })
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
    const decomposed = fc.constantFrom('e\u0301', '\u00e9', 'A\u030a', '\u212b', '\ufb01', 'ß')
    const secret = fc
      .tuple(text, fc.option(decomposed, { nil: undefined }))
      .map(([t, d]) => (d === undefined ? t : `${t}${d}`))
      .filter((s) => [...s.normalize('NFC')].length <= 1000)
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          kid: text,
          alg: text,
          kv: fc.integer({ min: 0, max: 2 ** 31 }),
          secrets: fc.array(secret, { minLength: 1, maxLength: 4 }),
          plaintext: fc.uint8Array({ minLength: 0, maxLength: 300 }),
        }),
        async ({ kid, alg, kv, secrets, plaintext }) => {
          const context = { keyId: kid, algorithm: alg, keyVersion: kv }
          const kdf = CHEAP_KDF as unknown as Record<string, unknown>
          // Theirs opened by ours, with the secrets as given and in their other normal form.
          const theirs = specSeal({ plaintext, secrets, kid, alg, kv, kdf })
          const opened = await envelope.open(theirs, secrets, context)
          expect(Buffer.from(opened).equals(Buffer.from(plaintext))).toBe(true)
          const nfd = secrets.map((s) => s.normalize('NFD'))
          const again = await envelope.open(theirs, nfd, context)
          expect(Buffer.from(again).equals(Buffer.from(plaintext))).toBe(true)
          // The secrets in another order (when that changes them) do not open it.
          const reversed = [...secrets].reverse()
          if (reversed.some((s, i) => s.normalize('NFC') !== secrets[i]!.normalize('NFC')))
            expect(await codeOf(envelope.open(theirs, reversed, context))).toBe('wrong_secrets')
          // Ours, re-sealed by theirs-compatible rules: their MAC over our header agrees.
          const ours = await envelope.seal(plaintext, secrets, context, { kdf: CHEAP_KDF })
          const keys = serviceKeys(SERVICE_SECRET)
          const header = specHeader(
            kid,
            alg,
            kv,
            kdf,
            Buffer.from(ours.salt, 'base64url'),
            keys.sfp,
            Buffer.from(ours.iv, 'base64url'),
          )
          const ct = Buffer.from(ours.ct, 'base64url')
          const mac = createHmac('sha256', keys.macKey).update(header).update(u32(ct.length))
          expect(mac.update(ct).digest().toString('base64url')).toBe(ours.mac)
        },
      ),
      { numRuns: 60 },
    )
  }, 60_000)
})

describe('a limiter that fails to record the outcome', () => {
  it('the opened private key is wiped when end() throws after the secrets proved right', async () => {
    const opened: Uint8Array[] = []
    const original = SecretEnvelope.prototype.open
    const spy = vi.spyOn(SecretEnvelope.prototype, 'open').mockImplementation(async function (
      this: SecretEnvelope,
      ...args
    ) {
      const plaintext = await original.apply(this, args)
      opened.push(plaintext)
      return plaintext
    })
    try {
      let failEnd = false
      const inner = new MemoryAttemptLimiter()
      const vault = vaultOn(new MemoryStore(), {
        limiter: {
          begin: (key, now) => inner.begin(key, now),
          end: async (key, outcome, now) => {
            await inner.end(key, outcome, now)
            if (failEnd) throw new CredsignError('store_unavailable', 'the limiter is down')
          },
        },
      })
      await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: SECRETS })
      failEnd = true
      for (const operation of [
        () => vault.unlock('k', SECRETS),
        () => vault.rotate('k', SECRETS),
        () => vault.delete('k', SECRETS),
      ]) {
        opened.length = 0
        expect(await codeOf(operation())).toBe('store_unavailable')
        expect(opened).toHaveLength(1)
        expect(opened[0]!.every((byte) => byte === 0)).toBe(true)
      }
    } finally {
      spy.mockRestore()
    }
  })
})

describe('KDF parameters lowered below what the envelope was sealed with', () => {
  it('even a holder of the service secret who re-MACs the header with cheaper parameters gets no envelope that opens (the ciphertext depends on the KDF output)', async () => {
    const envelope = new SecretEnvelope({ serviceSecret: SERVICE_SECRET })
    const context = { keyId: 'k', algorithm: 'Ed25519', keyVersion: 1 }
    const sealed = await envelope.seal(new Uint8Array(32).fill(9), SECRETS, context, {
      kdf: { id: 'pbkdf2-sha256', iterations: 2000 },
    })
    const keys = serviceKeys(SERVICE_SECRET)
    const lower = fc.oneof(
      fc
        .integer({ min: 1000, max: 1999 })
        .map((iterations) => ({ id: 'pbkdf2-sha256', iterations })),
      fc.constantFrom({ id: 'scrypt', N: 1024, r: 1, p: 1 }, { id: 'argon2id', m: 64, t: 1, p: 1 }),
    )
    await fc.assert(
      fc.asyncProperty(lower, async (kdf) => {
        const header = specHeader(
          'k',
          'Ed25519',
          1,
          kdf,
          Buffer.from(sealed.salt, 'base64url'),
          keys.sfp,
          Buffer.from(sealed.iv, 'base64url'),
        )
        const ct = Buffer.from(sealed.ct, 'base64url')
        const mac = createHmac('sha256', keys.macKey).update(header).update(u32(ct.length))
        const forged = {
          ...sealed,
          kdf: kdf as SealedEnvelope['kdf'],
          mac: mac.update(ct).digest().toString('base64url'),
        }
        const before = kdfRuns.count
        expect(await codeOf(envelope.open(forged, SECRETS, context))).toBe('wrong_secrets')
        expect(kdfRuns.count - before).toBe(1)
      }),
      { numRuns: 20 },
    )
  })
})

describe('concurrent unlock and delete / retire', () => {
  for (const change of ['delete', 'retire'] as const) {
    it(`an unlock that read the record before a ${change} and finishes after it hands out no signer of the destroyed key`, async () => {
      const original = SecretEnvelope.prototype.open
      let hold: (() => void) | undefined
      let calls = 0
      const spy = vi.spyOn(SecretEnvelope.prototype, 'open').mockImplementation(async function (
        this: SecretEnvelope,
        ...args
      ) {
        const plaintext = await original.apply(this, args)
        // The unlock's open (the first or, for retire, the second call) waits for the change.
        if (++calls === (change === 'delete' ? 1 : 2))
          await new Promise<void>((resolve) => (hold = resolve))
        return plaintext
      })
      try {
        const vault = vaultOn(new MemoryStore())
        await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: SECRETS })
        if (change === 'retire') {
          await vault.rotate('k', SECRETS) // open #1
        }
        const unlocking = vault.unlock('k', SECRETS, change === 'retire' ? { version: 1 } : {})
        await vi.waitFor(() => expect(hold).toBeDefined())
        if (change === 'delete') await vault.delete('k', SECRETS)
        else await vault.retire('k', 1, SECRETS)
        hold!()
        const outcome = await unlocking.then(
          async (signer) => codeOf(signer.sign(message)),
          (error: unknown) => (error instanceof CredsignError ? error.code : String(error)),
        )
        expect(['signer_locked', 'wrong_secrets']).toContain(outcome)
      } finally {
        spy.mockRestore()
      }
    })
  }
})

describe('FileStore: a store writer who replaces a key file', () => {
  let directory: string
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'credsign-custody-file-'))
  })
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  async function keyFile(): Promise<string> {
    const names = (await readdir(directory)).filter((n) => n.endsWith('.json'))
    expect(names).toHaveLength(1)
    return join(directory, names[0]!)
  }

  it('a symlink to a file the service can read (its service secret): store_corrupt, and no error quotes a byte of that file', async () => {
    const secretPath = join(directory, '..', `${directory.split('/').pop()}-service-secret`)
    // A letter first: JSON.parse then fails on the first token, and V8 quotes the text after it.
    const serviceSecret = `s${randomBytes(32).toString('hex')}`
    await writeFile(secretPath, `${serviceSecret}\n`)
    try {
      const vault = new KeyVault({
        store: new FileStore({ directory }),
        serviceSecret,
        kdf: CHEAP_KDF,
      })
      await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: SECRETS })
      const path = await keyFile()
      await rm(path)
      await symlink(secretPath, path)
      for (const attempt of [
        () => vault.unlock('k', SECRETS),
        () => vault.publicKey('k'),
        () => vault.jwks(),
      ]) {
        const error = await attempt().catch((e: unknown) => e)
        expect(error).toBeInstanceOf(CredsignError)
        expect((error as CredsignError).code).toBe('store_corrupt')
        const text = errorText(error)
        for (let i = 0; i + 6 <= serviceSecret.length; i++)
          expect(text.includes(serviceSecret.slice(i, i + 6)), text).toBe(false)
      }
    } finally {
      await rm(secretPath, { force: true })
    }
  })

  it('a FIFO in place of a key file: store_corrupt at once, not a read that never returns (and holds a libuv thread)', async () => {
    const vault = vaultOn(new FileStore({ directory }))
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: SECRETS })
    const path = await keyFile()
    await rm(path)
    execFileSync('mkfifo', [path])
    let release: ReturnType<typeof setTimeout> | undefined
    try {
      const outcome = await Promise.race([
        codeOf(vault.unlock('k', ['a stranger guess'])),
        new Promise<string>((resolve) => {
          release = setTimeout(() => resolve('hung'), 2000)
        }),
      ])
      expect(outcome).toBe('store_corrupt')
    } finally {
      clearTimeout(release)
      // Unblock a reader that did open the FIFO, so the test leaves no thread behind.
      const writer = await open(path, constants.O_WRONLY | constants.O_NONBLOCK).catch(
        () => undefined,
      )
      await writer?.close()
    }
  })
})
