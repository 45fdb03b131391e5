// TLS against a real server with its own CA: verify-full accepts only the right CA and host name,
// `require` accepts anything (why it is not enough), client certificates authenticate.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CredsignError } from 'credsign'
import { PostgresStore, type PostgresTlsOptions } from 'credsign/postgres'
import { makeTestRecord } from 'credsign/testing'
import {
  adminPool,
  databaseUrl,
  errorCode,
  privateServersAvailable,
  startPrivateServer,
  type PrivateServer,
} from './helpers.js'

const run = promisify(execFile)
if (databaseUrl !== undefined && !privateServersAvailable && process.env.CI) {
  throw new Error(
    'under CI the TLS tests must run: they start a private PostgreSQL, which needs root and the server binaries',
  )
}
const describeTls = privateServersAvailable && databaseUrl !== undefined ? describe : describe.skip

let server: PrivateServer
let certs: string
const pem: Record<string, string> = {}
const SERVER_NAME = 'db.credsign-test.example'

async function openssl(...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: certs })
}

/** A CA, and a certificate it signs for `cn` (with `san` as subjectAltName when given). */
async function issue(ca: string, name: string, cn: string, san?: string): Promise<void> {
  await openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  )
  const ext = `${name}.ext`
  await writeFile(
    join(certs, ext),
    san === undefined
      ? 'basicConstraints=CA:FALSE\n'
      : `basicConstraints=CA:FALSE\nsubjectAltName=${san}\n`,
  )
  await openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    ext,
  )
}

beforeAll(async () => {
  if (!privateServersAvailable || databaseUrl === undefined) return
  certs = await mkdtemp(join(tmpdir(), 'credsign-tls-'))
  for (const ca of ['ca', 'other-ca']) {
    await openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
      '-subj',
      `/CN=credsign test ${ca}`,
      '-days',
      '2',
    )
  }
  await issue('ca', 'server', SERVER_NAME, `DNS:${SERVER_NAME}`)
  await issue('ca', 'client', 'credsign_client')
  for (const name of ['ca', 'other-ca', 'server', 'client']) {
    pem[`${name}.crt`] = await readFile(join(certs, `${name}.crt`), 'utf8')
    pem[`${name}.key`] = await readFile(join(certs, `${name}.key`), 'utf8')
  }

  server = await startPrivateServer()
  const data = `${server.dir}/data`
  for (const [file, text] of [
    ['server.crt', pem['server.crt']],
    ['server.key', pem['server.key']],
    ['root.crt', pem['ca.crt']],
  ] as const) {
    await writeFile(join(data, file), text as string, { mode: 0o600 })
    await run('chown', ['postgres:postgres', join(data, file)])
  }
  // credsign_client may connect over TLS with a client certificate only; everyone else as before.
  const hba = await readFile(join(data, 'pg_hba.conf'), 'utf8')
  await writeFile(
    join(data, 'pg_hba.conf'),
    `hostssl all credsign_client 127.0.0.1/32 cert\nhost all credsign_client 127.0.0.1/32 reject\n${hba}`,
  )
  const admin = adminPool(server.url, 1)
  await admin.query(`ALTER SYSTEM SET ssl = on`)
  await admin.query(`ALTER SYSTEM SET ssl_cert_file = 'server.crt'`)
  await admin.query(`ALTER SYSTEM SET ssl_key_file = 'server.key'`)
  await admin.query(`ALTER SYSTEM SET ssl_ca_file = 'root.crt'`)
  await admin.query('SELECT pg_reload_conf()')
  await admin.query('CREATE ROLE credsign_client LOGIN')
  await admin.query(
    `GRANT CREATE ON DATABASE ${new URL(server.url).pathname.slice(1)} TO credsign_client`,
  )
  await admin.end()
}, 60_000)

afterAll(async () => {
  await server?.destroy()
  if (certs !== undefined) await rm(certs, { recursive: true, force: true })
})

function store(ssl: PostgresTlsOptions, user = 'credsign_client'): PostgresStore {
  return new PostgresStore({
    connection: {
      host: '127.0.0.1',
      port: server.port,
      database: new URL(server.url).pathname.slice(1),
      user,
      ssl,
      connectTimeoutMs: 3_000,
    },
    schema: 'tls',
  })
}

/** How a ping over `s` ends: 'resolved', or the error code and its cause. */
async function failure(s: PostgresStore): Promise<{ code: string; cause: string }> {
  try {
    await s.ping()
  } catch (error) {
    return {
      code: errorCode(error),
      cause:
        errorCode((error as CredsignError).cause) + ' ' + String((error as CredsignError).cause),
    }
  } finally {
    await s.close()
  }
  return { code: 'resolved', cause: '' }
}

describeTls('PostgresStore over TLS', () => {
  it('verify-full with the CA, the server name and a client certificate works end to end', async () => {
    const s = store({
      mode: 'verify-full',
      ca: pem['ca.crt'],
      servername: SERVER_NAME,
      cert: pem['client.crt'],
      key: new TextEncoder().encode(pem['client.key']),
    })
    try {
      await s.migrate()
      await s.create(makeTestRecord('k1'))
      expect((await s.get('k1'))?.revision).toBe(1)
    } finally {
      await s.close()
    }
  })

  it('verify-full refuses a certificate for another name (the man-in-the-middle case)', async () => {
    // Connecting to 127.0.0.1 without naming the server: the certificate is valid but not for this host.
    const result = await failure(
      store({
        mode: 'verify-full',
        ca: pem['ca.crt'],
        cert: pem['client.crt'],
        key: pem['client.key'],
      }),
    )
    expect(result.code).toBe('store_unavailable')
    expect(result.cause).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|altname|does not match/i)
  })

  it('verify-full refuses a server whose certificate chains to another CA', async () => {
    const result = await failure(
      store({
        mode: 'verify-full',
        ca: pem['other-ca.crt'],
        servername: SERVER_NAME,
        cert: pem['client.crt'],
        key: pem['client.key'],
      }),
    )
    expect(result.code).toBe('store_unavailable')
    expect(result.cause).toMatch(/UNABLE_TO_VERIFY|unable to verify|self.signed|certificate/i)
  })

  it('verify-ca checks the chain but not the name; require checks nothing', async () => {
    expect(
      (
        await failure(
          store({
            mode: 'verify-ca',
            ca: pem['ca.crt'],
            cert: pem['client.crt'],
            key: pem['client.key'],
          }),
        )
      ).code,
    ).toBe('resolved')
    expect(
      (
        await failure(
          store({
            mode: 'verify-ca',
            ca: pem['other-ca.crt'],
            cert: pem['client.crt'],
            key: pem['client.key'],
          }),
        )
      ).code,
    ).toBe('store_unavailable')
    // No CA, wrong name: `require` still connects. Anyone on the path could have answered.
    expect(
      (await failure(store({ mode: 'require', cert: pem['client.crt'], key: pem['client.key'] })))
        .code,
    ).toBe('resolved')
  })

  it('the server refuses the client without its certificate', async () => {
    const result = await failure(
      store({ mode: 'verify-full', ca: pem['ca.crt'], servername: SERVER_NAME }),
    )
    expect(result.code).toBe('store_unavailable')
    expect(result.cause).toMatch(/28000|certificate/i)
  })
})
