// Adversarial review of the EECC legacy path (issue 17): the answer to an unlock must not tell a
// stranger whether an origin row waits under an id. The origin hid exactly that (a keyed hash of
// the identifier, encrypted public keys); credsign must not give it away through the work it does
// (the time it takes) or through the error code. The work is counted, not timed: every PBKDF2 run
// and its iterations, the origin's and credsign's alike (both run the envelope's stretch(), in
// WebCrypto).
import { generateKeyPairSync, pbkdf2Sync, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { KeyVault } from 'credsign'
import { PostgresStore } from 'credsign/postgres'
import {
  adminPool,
  codeOf,
  createEeccKeysTable,
  databaseUrl,
  eeccEncrypt,
  describePg,
  dropSchema,
  freshSchema,
} from './helpers.js'

/** Every PBKDF2 run of the code under test, as its iteration count. */
const work: number[] = []

const base58Module = 'base58-universal'
const base58 = (await import(base58Module)) as { encode(bytes: Uint8Array): string }

const url = databaseUrl as string
const schema = freshSchema('eecc_oracle')
const ORIGIN_SECRET = 'origin-service-secret-' + randomBytes(24).toString('base64url')
/** Distinct from credsign's so the two kinds of work cannot be mistaken for each other. */
const ORIGIN_ITERATIONS = 1_234
const CREDSIGN_ITERATIONS = 1_000
let admin: ReturnType<typeof adminPool>
let store: PostgresStore

beforeAll(async () => {
  if (databaseUrl === undefined) return
  admin = adminPool(url, 2)
  await admin.query(`CREATE SCHEMA "${schema}"`)
  await createEeccKeysTable(admin, schema)
  store = new PostgresStore({ connection: url, schema })
  await store.migrate()
})
afterAll(async () => {
  if (admin === undefined) return
  await store.close()
  await dropSchema(admin, schema)
  await admin.end()
})

const originEncrypt = (plaintext: string, secrets: string[]): string =>
  eeccEncrypt(plaintext, secrets, ORIGIN_SECRET, ORIGIN_ITERATIONS)

/** An Ed25519 origin row for `identifier`, sealed under `secrets`. */
async function originRow(identifier: string, secrets: string[]): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const d = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url')
  const x = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
  const mb = (...parts: Uint8Array[]) => 'z' + base58.encode(Buffer.concat(parts))
  await admin.query(
    `INSERT INTO "${schema}"."keys" (identifier, key_type, signature_type, encrypted_private_key, encrypted_public_key)
     VALUES ($1, 'JsonWebKey', 'Ed25519', $2, $3)`,
    [
      pbkdf2Sync(identifier, Buffer.from(ORIGIN_SECRET), ORIGIN_ITERATIONS, 32, 'sha256').toString(
        'hex',
      ),
      originEncrypt(JSON.stringify(mb(Buffer.from([0x80, 0x26]), d, x)), secrets),
      originEncrypt(JSON.stringify(mb(Buffer.from([0xed, 0x01]), x)), secrets),
    ],
  )
}

function newVault(): KeyVault {
  return new KeyVault({
    store,
    serviceSecret: 'the credsign service secret, 32+ bytes long',
    kdf: { id: 'pbkdf2-sha256', iterations: CREDSIGN_ITERATIONS },
    limiter: store.attemptLimiter({ maxFailures: 100 }),
    legacyKeys: store.eeccLegacyKeys({
      serviceSecret: ORIGIN_SECRET,
      iterations: ORIGIN_ITERATIONS,
      schema,
    }),
  })
}

/** The code an unlock answers, and the PBKDF2 work (iterations, sorted) it did to answer it. */
async function answer(
  vault: KeyVault,
  id: string,
  secrets: (string | Uint8Array)[],
): Promise<{ code: string; work: number[] }> {
  const subtle = globalThis.crypto.subtle
  const deriveBits = subtle.deriveBits.bind(subtle)
  const spy = vi.spyOn(subtle, 'deriveBits').mockImplementation(async (algorithm, key, length) => {
    work.push((algorithm as Pbkdf2Params).iterations)
    return deriveBits(algorithm, key, length)
  })
  work.length = 0
  try {
    const code = await codeOf(vault.unlock(id, secrets))
    return { code, work: [...work].sort((a, b) => a - b) }
  } finally {
    spy.mockRestore()
  }
}

describePg('EECC legacy rows are not revealed by an unlock', () => {
  it('wrong secrets for a waiting origin row do the same work, and answer the same, as an unknown id', async () => {
    const vault = newVault()
    const waiting = 'did:web:waiting.example#key-1'
    await originRow(waiting, ['right-secret'])
    const unknown = await answer(vault, 'did:web:nobody.example#key-1', ['a-wrong-secret'])
    const legacy = await answer(vault, waiting, ['a-wrong-secret'])
    expect(unknown.code).toBe('wrong_secrets')
    expect(legacy.code).toBe('wrong_secrets')
    // Before the fix: unknown [1000, 1234] (identifier hash + decoy open), legacy [1234, 1234]
    // (identifier hash + the origin row's open): the legacy row answered without credsign's KDF.
    expect(legacy.work).toEqual(unknown.work)
    // The row is still there and opens with the right secrets.
    expect((await vault.unlock(waiting, ['right-secret'])).id).toBe(waiting)
  })

  it('secrets that are not UTF-8 (no origin key can have them) answer like any wrong secrets', async () => {
    const vault = newVault()
    const waiting = 'did:web:binary.example#key-1'
    await originRow(waiting, ['right-secret'])
    const credsignKey = 'did:web:credsign.example#key-1'
    await vault.generate({ id: credsignKey, algorithm: 'Ed25519', secrets: ['right-secret'] })
    const binary = [new Uint8Array([0xff, 0xfe, 0x00, 0x80])]
    const unknown = await answer(vault, 'did:web:nobody.example#key-2', binary)
    const legacy = await answer(vault, waiting, binary)
    const existing = await answer(vault, credsignKey, binary)
    // Before the fix: invalid_secrets for an unknown id and an origin row, before any work, but
    // wrong_secrets for a credsign key: the code told them apart.
    expect([unknown.code, legacy.code, existing.code]).toEqual([
      'wrong_secrets',
      'wrong_secrets',
      'wrong_secrets',
    ])
    expect(legacy.work).toEqual(unknown.work)
  })
})
