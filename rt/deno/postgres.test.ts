// Deno check of the BUILT credsign/postgres against DATABASE_URL (skipped without one, except under CI):
//   npx tsup && DATABASE_URL=postgres://... npx deno test --node-modules-dir=manual --cached-only --no-check -A rt/deno/
import * as credsign from '../../dist/index.js'
import * as postgres from '../../dist/postgres/index.js'
import type { Credsign } from '../shared/smoke.ts'
import { postgresRoundTrip, postgresUrl } from '../shared/postgres.ts'

const url = postgresUrl((name) => Deno.env.get(name))

Deno.test({
  name: 'deno: PostgresStore migrate/generate/unlock/sign and the shared limiter (DATABASE_URL)',
  ignore: url === undefined,
  // pg keeps timers and sockets the store closes at the end; Deno's sanitizers would see them mid-test.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    postgresRoundTrip(credsign as unknown as Credsign, postgres as never, url as string, 'deno'),
})
