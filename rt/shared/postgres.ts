// Runtime-neutral checks of the BUILT credsign/postgres (dist/postgres) against DATABASE_URL, for
// Deno (rt/deno/postgres.test.ts) and Bun (rt/bun/postgres.test.ts): `pg` is loaded by the store
// itself (`await import('pg')`) in each runtime. Plain throws, no assertion library.
import { check, roundTrip, type Credsign } from './smoke.ts'

interface PostgresModule {
  PostgresStore: new (options: Record<string, unknown>) => {
    migrate(): Promise<{ version: number }>
    ping(): Promise<void>
    get(id: string): Promise<{ revision: number } | undefined>
    attemptLimiter(policy?: Record<string, unknown>): unknown
    close(): Promise<void>
  }
}

/** The server to test against; under CI a missing one is an error, elsewhere the checks are skipped. */
export function postgresUrl(env: (name: string) => string | undefined): string | undefined {
  const url = env('DATABASE_URL') || undefined
  if (url === undefined && env('CI'))
    throw new Error('DATABASE_URL is not set under CI: the PostgreSQL runtime checks must run')
  return url
}

/**
 * Migrate → ping → generate/unlock/sign/verify with the shared limiter → a locked key → drop the
 * schema.
 */
export async function postgresRoundTrip(
  lib: Credsign,
  postgres: PostgresModule,
  url: string,
  runtime: string,
): Promise<void> {
  const schema = `rt_${runtime}_${Math.random().toString(16).slice(2, 10)}`
  const store = new postgres.PostgresStore({ connection: url, schema })
  try {
    check((await store.migrate()).version >= 1, 'migrate() reports a schema version')
    await store.ping()
    await roundTrip(lib, 'Ed25519', store)
    check((await store.get('smoke-ed25519'))?.revision === 1, 'the key is in PostgreSQL')
    const vault = new lib.KeyVault({
      store,
      serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
      limiter: store.attemptLimiter({ maxFailures: 1 }),
    })
    await vault.generate({ id: 'locked', algorithm: 'P-256', secrets: ['right'] })
    const codes: string[] = []
    for (let i = 0; i < 2; i++) {
      try {
        await vault.unlock('locked', ['wrong'])
      } catch (error) {
        codes.push(String((error as { code?: unknown }).code))
      }
    }
    check(codes.join() === 'wrong_secrets,locked', `wrong unlocks gave ${codes.join()}`)
  } finally {
    const pg = (
      (await import('pg')) as unknown as {
        default: {
          Client: new (c: unknown) => {
            connect(): Promise<void>
            query(t: string): Promise<unknown>
            end(): Promise<void>
          }
        }
      }
    ).default
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.end()
    await store.close()
  }
}
