// `credsign serve --compat eecc` through the real CLI, configured the way the origin was (DB_*,
// FAILED_ATTEMPTS_*, SIGNING_KEY_PATH, PBKDF2_ITERATIONS), on a database that still holds an origin
// row made by an independent implementation of the origin's scheme (issue 17, items 1 and 2).
import { generateKeyPairSync, pbkdf2Sync, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as jose from 'jose'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runCli, type CliIo } from '../../src/cli/run.js'
import {
  adminPool,
  createEeccKeysTable,
  databaseUrl,
  describePg,
  dropSchema,
  eeccEncrypt,
  freshSchema,
} from './helpers.js'
import { serveInProcess } from '../fixtures/serve.js'

const base58Module = 'base58-universal'
const base58 = (await import(base58Module)) as { encode(bytes: Uint8Array): string }

const schema = freshSchema('eecc_serve')
const ORIGIN_SECRET = randomBytes(36).toString('base64')
const ITERATIONS = 1000
let admin: ReturnType<typeof adminPool>
let dir: string

const originEncrypt = (plaintext: string, secrets: string[]): string =>
  eeccEncrypt(plaintext, secrets, ORIGIN_SECRET, ITERATIONS)

/** An origin Ed25519 row; resolves with the public JWK a client of the origin kept. */
async function plantOriginKey(identifier: string, secrets: string[]): Promise<jose.JWK> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const jwk = publicKey.export({ format: 'jwk' })
  const d = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url')
  const x = Buffer.from(jwk.x as string, 'base64url')
  const secret = 'z' + base58.encode(Buffer.concat([Buffer.from([0x80, 0x26]), d, x]))
  const pub = 'z' + base58.encode(Buffer.concat([Buffer.from([0xed, 0x01]), x]))
  await admin.query(
    `INSERT INTO "${schema}".keys (identifier, key_type, signature_type, encrypted_private_key, encrypted_public_key)
     VALUES ($1, 'JsonWebKey', 'Ed25519', $2, $3)`,
    [
      pbkdf2Sync(identifier, Buffer.from(ORIGIN_SECRET), ITERATIONS, 32, 'sha256').toString('hex'),
      originEncrypt(JSON.stringify(secret), secrets),
      originEncrypt(JSON.stringify(pub), secrets),
    ],
  )
  return jwk as jose.JWK
}

beforeAll(async () => {
  if (databaseUrl === undefined) return
  admin = adminPool(databaseUrl, 2)
  await admin.query(`CREATE SCHEMA "${schema}"`)
  await createEeccKeysTable(admin, schema)
  dir = await mkdtemp(join(tmpdir(), 'credsign-eecc-'))
  // The origin's file: the secret with a trailing newline, which both trim.
  await writeFile(join(dir, 'signing-key'), `${ORIGIN_SECRET}\n`, { mode: 0o600 })
})
afterAll(async () => {
  if (admin === undefined) return
  await dropSchema(admin, schema)
  await admin.end()
  await rm(dir, { recursive: true, force: true })
})

/** The origin's variables for the test database (DATABASE_URL itself is not set). */
function originEnv(): Record<string, string> {
  const url = new URL(databaseUrl as string)
  return {
    DB_HOST: url.hostname,
    DB_PORT: url.port || '5432',
    DB_USERNAME: decodeURIComponent(url.username) || 'postgres',
    DB_PASSWORD: decodeURIComponent(url.password),
    DB_NAME: url.pathname.slice(1),
    SIGNING_KEY_PATH: join(dir, 'signing-key'),
    PBKDF2_ITERATIONS: String(ITERATIONS),
    FAILED_ATTEMPTS_MAX_FAILED_ATTEMPTS: '2',
    SERVICE_VERSION: '2.4.3',
    CREDSIGN_ACCESS_LOG: 'off',
  }
}

const serve = (args: string[], env: Record<string, string>) =>
  serveInProcess(['--port', '0', ...args], env)

const post = (base: string, path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

describePg('credsign serve --compat eecc on the origin’s database', () => {
  it('signs with an origin key (moved on first use), answers as the origin, locks after FAILED_ATTEMPTS_MAX_FAILED_ATTEMPTS', async () => {
    const id = 'did:web:legacy.example#key-1'
    const jwk = await plantOriginKey(id, ['user-secret', 'access-secret'])
    const lockedId = 'did:web:legacy.example#key-2'
    await plantOriginKey(lockedId, ['s'])
    const served = await serve(
      ['--compat', 'eecc', '--no-auth', '--schema', schema, '--eecc-table', `${schema}.keys`],
      originEnv(),
    )
    try {
      const health = await fetch(`${served.base}/health`)
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({
        info: { database: { status: 'up' } },
        service: { name: 'key-service', version: '2.4.3' },
      })
      const signed = await post(served.base, '/sign/vc/jwt', {
        identifier: id,
        secrets: ['access-secret', 'user-secret'],
        verifiable: {
          '@context': ['https://www.w3.org/ns/credentials/v2'],
          type: ['VerifiableCredential'],
          issuer: 'did:web:legacy.example',
          credentialSubject: { id: 'did:example:alice' },
        },
      })
      expect(signed.status).toBe(201)
      const { protectedHeader } = await jose.jwtVerify(
        await signed.text(),
        await jose.importJWK(jwk, 'Ed25519'),
        { algorithms: ['Ed25519'] },
      )
      expect(protectedHeader).toMatchObject({ alg: 'Ed25519', kid: id })
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".keys`)
      expect(rows[0].n).toBe(1) // key-1 moved; key-2 waits

      // The origin's lockout knob: 2 failures, then 429 in the origin's error shape.
      const attempt = (secrets: string[]) =>
        post(served.base, '/delete', { identifier: lockedId, secrets })
      expect((await attempt(['wrong'])).status).toBe(400)
      expect((await attempt(['wrong'])).status).toBe(400)
      const locked = await attempt(['s'])
      expect(locked.status).toBe(429)
      expect(await locked.json()).toMatchObject({
        status: 'TOO_MANY_REQUESTS',
        statusCode: 429,
        path: '/delete',
        code: 'locked',
      })

      // A PS256 key for an identifier without a fragment: a key id of ~750 characters, stored.
      const made = await post(served.base, '/generate', {
        identifier: 'did:web:new.example',
        secrets: ['s1'],
        signatureType: 'PS256',
        keyType: 'Multikey',
      })
      expect(made.status).toBe(201)
      const method = (await made.json()) as { id: string }
      expect(method.id.length).toBeGreaterThan(500)
      const { rows: stored } = await admin.query(
        `SELECT char_length(id) AS n FROM "${schema}".credsign_keys WHERE id = $1`,
        [method.id],
      )
      expect(stored[0].n).toBe(method.id.length)
      const deleted = await post(served.base, '/delete', { identifier: method.id, secrets: ['s1'] })
      expect(deleted.status).toBe(201)
    } finally {
      expect(await served.stop()).toBe(0)
    }
  }, 60_000)

  it('refuses a --compat other than eecc, and --eecc-table without it', async () => {
    const io = (errors: string[]): CliIo => ({
      env: originEnv(),
      out: () => undefined,
      err: (line) => errors.push(line),
    })
    const first: string[] = []
    expect(await runCli(['serve', '--compat', 'nest', '--no-auth'], io(first))).toBe(2)
    const second: string[] = []
    expect(await runCli(['serve', '--eecc-table', 'public.keys', '--no-auth'], io(second))).toBe(2)
    expect(second.join('\n')).toMatch(/--eecc-table needs --compat eecc/)
  })
})
