import { createDecipheriv, createPublicKey, randomBytes } from 'node:crypto'
import type { CallerSecret } from '../envelope/caller-secrets.js'
import { stretch } from '../envelope/stretch.js'
import { CredsignError } from '../errors/credsign-error.js'
import { importPrivateKey } from '../keys/import.js'
import type { KeyMaterial } from '../keys/key-material.js'
import { jwkFromMultikey } from '../keys/multikey.js'
import type { KeyAlgorithm } from '../keys/types.js'
import { LONG_KEY_ID_LENGTH, validateKeyId } from '../stores/key-id.js'
import type { KeyRecord } from '../stores/key-store.js'
import { wipe } from '../util/bytes.js'
import { fromB58 } from '../util/base58.js'
import type { LegacyKeyReseal, LegacyKeySource } from '../vault/legacy-key-source.js'
import { hasSqlState, quoteIdentifier, type PgConnector, type Query } from './connection.js'

/*
 * The EECC key service (2.x) kept each key as one row of its `keys` table (docs/migrate-from-eecc.md):
 * `identifier` = hex PBKDF2-SHA-256(identifier, salt = service secret, its iterations, 32 bytes);
 * `encrypted_private_key` / `encrypted_public_key` = hex `salt:iv:tag:ciphertext`, AES-256-GCM under
 * PBKDF2-SHA-256(sorted caller secrets joined without separator + service secret, salt, iterations),
 * over the JSON string of the Multikey multibase. Everything here reads that format and nothing
 * else: it never writes an origin row, it only deletes the rows it migrated.
 */

/** What the origin wrote in `signature_type`, and the credsign algorithm of each. */
const ALGORITHM_OF_SIGNATURE_TYPE: Readonly<Record<string, KeyAlgorithm>> = {
  Ed25519: 'Ed25519',
  ES256: 'P-256',
  PS256: 'RSA-PSS',
}
/** Multicodec varint prefixes of the private Multikeys the origin's libraries wrote. */
const ED25519_PRIV = [0x80, 0x26] as const
const P256_PRIV = [0x86, 0x26] as const
/** Longest blob read: an RSA-4096 PKCS#8 multibase, JSON-quoted, hex, with salt, IV and tag. */
const MAX_BLOB_CHARS = 16_384
/** The origin refused service secrets shorter than this. */
const MIN_SERVICE_SECRET_BYTES = 32

/**
 * Options of {@link PostgresStore.eeccLegacyKeys}: where the EECC key service kept its keys and the
 * secrets it sealed them with.
 *
 * @example
 *
 * ```ts
 * import { readFileSync } from 'node:fs'
 * import type { EeccLegacyKeysOptions } from 'credsign/postgres'
 * const options: EeccLegacyKeysOptions = {
 *   serviceSecret: readFileSync('/run/secrets/signing-key', 'utf8'),
 *   iterations: 100_000,
 * }
 * ```
 */
export interface EeccLegacyKeysOptions {
  /**
   * The origin's service secret: the content of its `SIGNING_KEY_PATH` file. A string is trimmed,
   * as the origin did; bytes are used as they are (the UTF-8 of the trimmed text).
   */
  serviceSecret: string | Uint8Array
  /** The origin's `PBKDF2_ITERATIONS` (default 100,000, the origin's default). */
  iterations?: number
  /** Schema of the origin's table (default `public`). */
  schema?: string
  /** The origin's table (default `keys`). */
  table?: string
}

/** What {@link EeccLegacyKeys} needs of the store it migrates into. @internal */
export interface LegacyTarget {
  connector: PgConnector
  /** Inserts a new record in the caller's transaction; false when the id is already taken. */
  insert(query: Query, record: KeyRecord): Promise<boolean>
}

/**
 * The EECC key service's keys, read from its `keys` table on the same PostgreSQL and moved into a
 * {@link PostgresStore} on first use: pass it as the vault's `legacyKeys`. A key is opened with the
 * origin's scheme (its secret ordering rules, its KDF) and the caller's secrets and re-sealed as a
 * credsign key outside any transaction; then one transaction that holds the origin row's lock
 * stores it and deletes the origin row: two callers migrate a key once, a crash leaves the origin
 * row as it was, and no KDF runs under the lock.
 *
 * @example
 *
 * ```ts
 * import { KeyVault } from 'credsign'
 * import { PostgresStore } from 'credsign/postgres'
 * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
 * const legacyKeys = store.eeccLegacyKeys({ serviceSecret: process.env.SERVICE_SECRET! })
 * const vault = new KeyVault({
 *   store,
 *   serviceSecret: process.env.SERVICE_SECRET!,
 *   limiter: store.attemptLimiter({ maxFailures: 3 }),
 *   legacyKeys,
 * })
 * console.log(await legacyKeys.pending(), await vault.list())
 * ```
 */
export class EeccLegacyKeys implements LegacyKeySource {
  readonly #target: LegacyTarget
  readonly #serviceSecret: Buffer
  readonly #iterations: number
  readonly #table: string

  /** @internal Made by {@link PostgresStore.eeccLegacyKeys}. */
  constructor(target: LegacyTarget, options: EeccLegacyKeysOptions) {
    if (typeof options !== 'object' || options === null)
      throw new CredsignError('invalid_argument', 'eeccLegacyKeys options are required')
    const secret = options.serviceSecret
    const bytes =
      typeof secret === 'string'
        ? Buffer.from(secret.trim(), 'utf8')
        : secret instanceof Uint8Array
          ? Buffer.from(secret)
          : undefined
    if (bytes === undefined || bytes.length < MIN_SERVICE_SECRET_BYTES)
      throw new CredsignError(
        'invalid_service_secret',
        'the EECC service secret must be at least 32 bytes',
      )
    const iterations = options.iterations ?? 100_000
    if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 10_000_000)
      throw new CredsignError(
        'invalid_argument',
        'iterations must be an integer from 1 to 10,000,000',
      )
    this.#target = target
    this.#serviceSecret = bytes
    this.#iterations = iterations
    this.#table = `${quoteIdentifier(options.schema ?? 'public')}.${quoteIdentifier(options.table ?? 'keys')}`
  }

  /**
   * Whether an origin row with this identifier is still waiting.
   *
   * @example
   *
   * ```ts
   * import { PostgresStore } from 'credsign/postgres'
   * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
   * const legacy = store.eeccLegacyKeys({ serviceSecret: process.env.SERVICE_SECRET! })
   * console.log(await legacy.has('did:web:issuer.example#key-1'))
   * ```
   */
  async has(id: string): Promise<boolean> {
    validateKeyId(id, LONG_KEY_ID_LENGTH)
    const hash = await this.#identifierHash(id)
    return this.#target.connector.run('look up an EECC key', async (query) => {
      const rows = await this.#rows(query, hash, false)
      return rows !== undefined && rows.length > 0
    })
  }

  /**
   * How many origin rows are left (0 when the table is gone): when it reaches 0, every key has
   * moved and the origin's table can be dropped.
   *
   * @example
   *
   * ```ts
   * import { PostgresStore } from 'credsign/postgres'
   * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
   * const legacy = store.eeccLegacyKeys({ serviceSecret: process.env.SERVICE_SECRET! })
   * console.log(`${await legacy.pending()} EECC keys not yet used since the switch`)
   * ```
   */
  async pending(): Promise<number> {
    return this.#target.connector.run('count EECC keys', async (query) => {
      try {
        const { rows } = await query(`SELECT count(*)::int AS n FROM ${this.#table}`)
        return Number(rows[0]?.n ?? 0)
      } catch (error) {
        if (hasSqlState(error, '42P01')) return 0
        throw error
      }
    })
  }

  /**
   * Moves the origin key `id` into the store if `secrets` open it (see {@link LegacyKeySource}).
   *
   * @example
   *
   * ```ts
   * import { PostgresStore } from 'credsign/postgres'
   * import type { LegacyKeyReseal } from 'credsign'
   * declare const reseal: LegacyKeyReseal
   * const store = new PostgresStore({ connection: process.env.DATABASE_URL })
   * const legacy = store.eeccLegacyKeys({ serviceSecret: process.env.SERVICE_SECRET! })
   * await legacy.migrate('did:web:issuer.example#key-1', ['s1'], reseal) // 'migrated' or 'absent'
   * ```
   */
  async migrate(
    id: string,
    secrets: CallerSecret[],
    reseal: LegacyKeyReseal,
  ): Promise<'migrated' | 'absent'> {
    validateKeyId(id, LONG_KEY_ID_LENGTH)
    const password = Buffer.concat([legacyPassword(secrets), this.#serviceSecret])
    const opened: { row: LegacyRow; material: KeyMaterial }[] = []
    try {
      const hash = await this.#identifierHash(id)
      // Read and opened without a lock or a transaction: unknown ids and wrong secrets end here,
      // and no KDF runs while a connection or a row lock is held.
      const rows = await this.#target.connector.run('look up an EECC key', (query) =>
        this.#rows(query, hash, false),
      )
      if (rows === undefined || rows.length === 0) {
        // The work of opening a row that is there (one PBKDF2 more): an unknown id and wrong secrets
        // for a waiting row must take the same time, or the answer tells which ids the origin held.
        await this.#decoyOpen(password)
        return 'absent'
      }
      for (const row of rows) {
        const material = await this.#open(row, password)
        if (material !== undefined) opened.push({ row, material })
      }
      const first = opened[0]
      if (first === undefined)
        throw new CredsignError('wrong_secrets', 'the secrets do not open the EECC key')
      if (opened.some((o) => o.material.publicJwk.kid !== first.material.publicJwk.kid))
        throw new CredsignError(
          'store_corrupt',
          'EECC rows of one identifier hold different keys: migrate them by hand',
        )
      const record = await reseal(first.material)
      return await this.#target.connector.run(
        'migrate an EECC key',
        async (query) => {
          // FOR UPDATE: a concurrent migration of this key waits here, and then finds its rows gone.
          const locked = await this.#rows(query, hash, true)
          const unchanged = opened.every(({ row }) =>
            locked?.some(
              (l) =>
                l.rowId === row.rowId &&
                l.privateBlob === row.privateBlob &&
                l.publicBlob === row.publicBlob,
            ),
          )
          if (!unchanged) return 'absent'
          // Someone generated this id in credsign meanwhile: leave the origin row alone.
          if (!(await this.#target.insert(query, record))) return 'absent'
          await query(`DELETE FROM ${this.#table} WHERE id::text = ANY($1::text[])`, [
            opened.map((o) => o.row.rowId),
          ])
          return 'migrated'
        },
        { transaction: true },
      )
    } finally {
      for (const o of opened) wipe(o.material.pkcs8)
      password.fill(0)
    }
  }

  /** The origin rows of `hash` (oldest first), or undefined when the table does not exist. */
  async #rows(query: Query, hash: string, lock: boolean): Promise<LegacyRow[] | undefined> {
    try {
      const { rows } = await query(
        `SELECT id::text AS id, signature_type, encrypted_private_key, encrypted_public_key
           FROM ${this.#table} WHERE identifier = $1 ORDER BY created_at, id${lock ? ' FOR UPDATE' : ''}`,
        [hash],
      )
      return rows.map((row) => ({
        rowId: String(row.id),
        signatureType: row.signature_type,
        privateBlob: row.encrypted_private_key,
        publicBlob: row.encrypted_public_key,
      }))
    } catch (error) {
      // The operator dropped the table once every key had moved: nothing is waiting.
      if (hasSqlState(error, '42P01')) return undefined
      throw error
    }
  }

  /**
   * The key of one origin row, or undefined when the secrets do not open it. A row that opens but
   * is not a key the origin could have written is `store_corrupt`.
   */
  async #open(row: LegacyRow, password: Buffer): Promise<KeyMaterial | undefined> {
    const algorithm =
      typeof row.signatureType === 'string'
        ? ALGORITHM_OF_SIGNATURE_TYPE[row.signatureType]
        : undefined
    if (algorithm === undefined)
      throw new CredsignError('store_corrupt', 'EECC row with an unknown signature_type')
    const secretText = await this.#decrypt(row.privateBlob, password)
    if (secretText === undefined) return undefined
    const publicText = await this.#decrypt(row.publicBlob, password)
    if (publicText === undefined)
      throw new CredsignError('store_corrupt', 'EECC row whose public key does not open')
    const material = await privateKeyOf(algorithm, multibaseOf(secretText))
    try {
      assertSamePublicKey(algorithm, material, multibaseOf(publicText))
      return material
    } catch (error) {
      wipe(material.pkcs8)
      throw error
    }
  }

  /** One origin blob opened: its UTF-8 plaintext, or undefined when the GCM tag does not verify. */
  async #decrypt(blob: unknown, password: Buffer): Promise<string | undefined> {
    const parts = typeof blob === 'string' && blob.length <= MAX_BLOB_CHARS ? blob.split(':') : []
    if (parts.length !== 4 || !parts.every((p) => /^(?:[0-9a-f]{2})+$/i.test(p)))
      throw new CredsignError('store_corrupt', 'EECC row with a malformed encrypted key')
    const [salt, iv, tag, ciphertext] = parts.map((p) => Buffer.from(p, 'hex')) as [
      Buffer,
      Buffer,
      Buffer,
      Buffer,
    ]
    if (tag.length !== 16)
      throw new CredsignError('store_corrupt', 'EECC row with a malformed encrypted key')
    const key = await this.#pbkdf2(password, salt)
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv)
      decipher.setAuthTag(tag)
      const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()])
      try {
        return plaintext.toString('utf8')
      } finally {
        plaintext.fill(0)
      }
    } catch {
      // GCM tells wrong secrets and altered data apart no better than the origin did.
      return undefined
    } finally {
      key.fill(0)
    }
  }

  /** Costs what opening one origin blob costs: the KDF over `password` with a random salt. */
  async #decoyOpen(password: Buffer): Promise<void> {
    wipe(await this.#pbkdf2(password, randomBytes(32)))
  }

  /** The origin's keyed identifier hash: hex PBKDF2-SHA-256(identifier, service secret). */
  async #identifierHash(id: string): Promise<string> {
    const hash = await this.#pbkdf2(Buffer.from(id, 'utf8'), this.#serviceSecret)
    return Buffer.from(hash.buffer, hash.byteOffset, hash.length).toString('hex')
  }

  /** The origin's KDF: 32 bytes of PBKDF2-SHA-256 at its iterations (the envelope's own code). */
  #pbkdf2(password: Uint8Array, salt: Uint8Array): Promise<Uint8Array> {
    return stretch({ id: 'pbkdf2-sha256', iterations: this.#iterations }, password, salt)
  }
}

interface LegacyRow {
  rowId: string
  signatureType: unknown
  privateBlob: unknown
  publicBlob: unknown
}

/**
 * The origin's KDF password: the caller secrets sorted (UTF-16 code unit order, on a copy: the
 * caller's array is never reordered), joined without a separator, then the service secret is
 * appended by the caller. These rules hold for origin rows only; credsign keys need every secret in
 * order. Strings are taken as given (no NFC): the origin did not normalise.
 */
function legacyPassword(secrets: CallerSecret[]): Buffer {
  if (!Array.isArray(secrets) || secrets.length === 0)
    throw new CredsignError('invalid_secrets', 'between 1 and 10 secrets are required')
  const texts: string[] = []
  for (const secret of secrets) {
    if (typeof secret === 'string') texts.push(secret)
    else
      try {
        texts.push(new TextDecoder('utf-8', { fatal: true }).decode(secret))
      } catch {
        // Not UTF-8: no origin key was sealed under it. A random password opens nothing and costs
        // what wrong secrets cost; an early invalid_secrets would tell an unknown id (and an origin
        // row) from a credsign key, which never gets here.
        return randomBytes(32)
      }
  }
  return Buffer.from([...texts].sort().join(''), 'utf8')
}

/** The quoted multibase string a blob holds (`JSON.stringify` of the Multikey value). */
function multibaseOf(plaintext: string): string {
  let value: unknown
  try {
    value = JSON.parse(plaintext)
  } catch {
    value = undefined
  }
  if (typeof value !== 'string' || !value.startsWith('z') || value.length > MAX_BLOB_CHARS)
    throw new CredsignError('store_corrupt', 'EECC key is not a base58btc multibase string')
  return value
}

/**
 * The key of an origin private Multikey: Ed25519 (`0x1300` prefix, 32-byte seed or 64-byte seed +
 * public key), P-256 (`0x1306` prefix, 32-byte scalar), or the EECC RSA library's unprefixed PKCS#8
 * DER.
 */
async function privateKeyOf(algorithm: KeyAlgorithm, multibase: string): Promise<KeyMaterial> {
  const bytes = fromB58(multibase.slice(1), 'invalid_key')
  try {
    const prefixed = (prefix: readonly number[]) => bytes[0] === prefix[0] && bytes[1] === prefix[1]
    if (algorithm === 'Ed25519' && prefixed(ED25519_PRIV)) {
      const body = bytes.subarray(2)
      if (body.length !== 32 && body.length !== 64) throw corrupt('an Ed25519 key of odd length')
      const material = await importPrivateKey({ seed: body.subarray(0, 32), algorithm })
      if (body.length === 64) {
        const appended = Buffer.from(body.subarray(32)).toString('base64url')
        if (appended !== (material.publicJwk as { x?: string }).x) {
          wipe(material.pkcs8)
          throw corrupt('an Ed25519 key whose public half does not match')
        }
      }
      return material
    }
    if (algorithm === 'P-256' && prefixed(P256_PRIV)) {
      if (bytes.length !== 34) throw corrupt('a P-256 key of odd length')
      return await importPrivateKey({ seed: bytes.subarray(2), algorithm })
    }
    if (algorithm === 'RSA-PSS' && bytes[0] === 0x30)
      return await importPrivateKey({ pkcs8: bytes, algorithm })
    throw corrupt(`no ${algorithm} private key`)
  } catch (error) {
    if (CredsignError.is(error, 'store_corrupt')) throw error
    throw new CredsignError('store_corrupt', 'EECC private key does not decode', { cause: error })
  } finally {
    wipe(bytes)
  }
}

/** The row's public key must be the private key's: else the row was tampered with. */
function assertSamePublicKey(
  algorithm: KeyAlgorithm,
  material: KeyMaterial,
  publicMultibase: string,
): void {
  const expected = material.publicJwk as unknown as Record<string, unknown>
  let actual: Record<string, unknown>
  try {
    if (algorithm === 'RSA-PSS') {
      const spki = Buffer.from(fromB58(publicMultibase.slice(1), 'invalid_key'))
      actual = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({
        format: 'jwk',
      }) as Record<string, unknown>
    } else {
      actual = jwkFromMultikey(publicMultibase) as unknown as Record<string, unknown>
    }
  } catch (cause) {
    throw new CredsignError('store_corrupt', 'EECC public key does not decode', { cause })
  }
  for (const member of ['x', 'y', 'n', 'e']) {
    if (expected[member] !== actual[member])
      throw corrupt('a public key that is not the private key’s')
  }
}

function corrupt(what: string): CredsignError {
  return new CredsignError('store_corrupt', `EECC row holds ${what}`)
}
