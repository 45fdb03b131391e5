// credsign serve with status lists on PostgreSQL (issue 18, item 3): `credsign migrate` creates the
// status list tables beside the key tables; serve creates the configured list there, issues with an
// entry, revokes through POST /credentials/status, and a verifier fetching the list turns the
// credential down.
import { createServer } from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { runCli } from '../../src/cli/run.js'
import { verify } from '../../src/service/verify.js'
import { createStatusListResolver } from '../../src/status/status-list-resolver.js'
import { adminPool, databaseUrl, describePg, dropSchema, freshSchema } from './helpers.js'
import { serveInProcess } from '../fixtures/serve.js'

const TOKEN = 'api-token-0123456789abcdef'
const SECRET = 'caller-secret-0123456789'

describePg('credsign serve with status lists on PostgreSQL', () => {
  const schema = freshSchema('statusserve')
  const admin = adminPool()
  let dir: string
  afterAll(async () => {
    await dropSchema(admin, schema)
    await admin.end()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })
  const env = { DATABASE_URL: databaseUrl, PBKDF2_ITERATIONS: '1000', CREDSIGN_TOKENS: TOKEN }

  const serve = (args: string[]) =>
    serveInProcess(['--schema', schema, ...args], env, { accessLog: 'drop' })

  const post = (base: string, path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    })

  it('migrates the status list tables, issues with status, revokes, and the verifier refuses', async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsign-pg-status-'))
    const err: string[] = []
    const migrated = await runCli(['migrate', '--schema', schema], {
      env: { DATABASE_URL: databaseUrl },
      out: () => undefined,
      err: (line) => err.push(line),
    })
    expect(migrated).toBe(0)
    expect(err.join('\n')).toMatch(/^status list tables: applied /)
    const tables = await admin.query(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    )
    expect(tables.rows.map((r) => r.table_name)).toContain('credsign_status_lists')

    const first = await serve(['--port', '0', '--data-dir', dir, '--no-migrate'])
    let keyId: string
    try {
      const generated = await post(first.base, '/generate', {
        identifier: 'issuer-1',
        secrets: [SECRET],
        signatureType: 'ES256',
      })
      expect(generated.status).toBe(201)
      keyId = ((await generated.json()) as { id: string }).id
    } finally {
      await first.stop()
    }
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as { port: number }).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const url = `http://127.0.0.1:${port}/status-lists/r1`
    const profiles = join(dir, 'issuers.json')
    await writeFile(
      profiles,
      JSON.stringify({
        issuers: [{ name: 'jwt', keyId, secrets: [SECRET], format: 'jwt', statusList: 'r1' }],
        statusLists: [{ id: 'r1', url, signedBy: 'jwt' }],
      }),
      { mode: 0o600 },
    )
    const server = await serve([
      '--port',
      String(port),
      '--data-dir',
      dir,
      '--no-migrate',
      '--issuer-profiles',
      profiles,
    ])
    try {
      const issued = await post(server.base, '/credentials/issue', {
        credential: {
          '@context': ['https://www.w3.org/ns/credentials/v2'],
          type: ['VerifiableCredential'],
          credentialSubject: { id: 'did:example:alice' },
        },
      })
      expect(issued.status).toBe(201)
      const { verifiableCredential } = (await issued.json()) as {
        verifiableCredential: { id: string }
      }
      const jwt = verifiableCredential.id.slice(verifiableCredential.id.indexOf(',') + 1)
      const statusLists = createStatusListResolver({ fetch: globalThis.fetch, allowHttp: true })
      const before = await verify(jwt, { statusLists })
      expect(before.errors).toEqual([])
      const revoked = await post(server.base, '/credentials/status', {
        credentialStatus: before.credential?.credentialStatus,
        status: 'revoked',
      })
      expect(revoked.status).toBe(200)
      const rows = await admin.query(`SELECT id FROM "${schema}".credsign_status_lists`)
      expect(rows.rows).toEqual([{ id: 'r1' }])
      const after = await verify(jwt, {
        statusLists: createStatusListResolver({ fetch: globalThis.fetch, allowHttp: true }),
      })
      expect(after.errors.map((e) => e.code)).toEqual(['status_revoked'])
    } finally {
      await server.stop()
    }
  })
})
