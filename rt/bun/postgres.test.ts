// Bun check of the BUILT credsign/postgres against DATABASE_URL (skipped without one, except under CI):
//   npx tsup && DATABASE_URL=postgres://... npx bun test ./rt/bun/
import { test } from 'bun:test'
import * as credsign from '../../dist/index.js'
import * as postgres from '../../dist/postgres/index.js'
import type { Credsign } from '../shared/smoke.ts'
import { postgresRoundTrip, postgresUrl } from '../shared/postgres.ts'

const url = postgresUrl((name) => process.env[name])

test.skipIf(url === undefined)(
  'bun: PostgresStore migrate/generate/unlock/sign and the shared limiter (DATABASE_URL)',
  async () => {
    await postgresRoundTrip(
      credsign as unknown as Credsign,
      postgres as never,
      url as string,
      'bun',
    )
  },
  60_000,
)
