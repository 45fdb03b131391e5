// Issue 13, item 8: no server path in any response. A damaged key file under a FileStore-backed
// server makes the file store throw `store_corrupt` with the file's absolute path in its message;
// the client gets the code and a fixed detail, the operator's log (onLog) gets the message.
// Over a real socket: node:http on 127.0.0.1, port 0.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHandler, toNodeListener, type HttpLogEntry } from '../../src/http/index.js'
import { FileStore, keyFileStem } from '../../src/file/index.js'
import { JwtVcSigner, KeyVault } from '../../src/index.js'

const TOKEN = 'server-paths-token-0123456789'
const KEY_ID = 'did:web:issuer.example#key-1'
const SECRETS = ['first secret']

let dir: string
let server: Server
let base: string
let jwt: string
const logs: HttpLogEntry[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsign-server-paths-'))
  const vault = new KeyVault({
    store: new FileStore({ directory: dir }),
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
    kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
  })
  await vault.generate({ id: KEY_ID, algorithm: 'Ed25519', secrets: SECRETS })
  // Signed while the key was intact; its kid is the vault's key, which the verify routes resolve from the vault.
  jwt = await new JwtVcSigner(await vault.unlock(KEY_ID, SECRETS)).sign({
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiableCredential'],
    issuer: 'did:web:issuer.example',
    credentialSubject: { id: 'did:example:alice' },
  })
  // The damage: the key file is no longer JSON.
  await writeFile(join(dir, `${keyFileStem(KEY_ID)}.json`), '{ this is not json')
  server = createServer(
    toNodeListener(
      createHandler({ vault, auth: { bearerTokens: [TOKEN] }, onLog: (entry) => logs.push(entry) }),
    ),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await rm(dir, { recursive: true, force: true })
})

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string; body: any }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, text, body: text === '' ? undefined : JSON.parse(text) }
}

/** No trace of the data directory, and no absolute path (two or more `/name` segments outside URLs). */
function expectNoServerPath(text: string): void {
  expect(text).not.toContain(dir)
  expect(text).not.toContain(tmpdir())
  expect(text).not.toContain(keyFileStem(KEY_ID))
  const withoutUrls = text
    .replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"]*/gi, '')
    .replace(/urn:[^\s"]*/gi, '')
  expect(withoutUrls).not.toMatch(/(?:^|[\s"'(])\/[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+/)
}

describe('a damaged key file: no server path in the response', () => {
  it('POST /sign/vc/jwt → 500 store_corrupt with a fixed detail; the path only in the onLog entry', async () => {
    const credential = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      credentialSubject: { id: 'did:example:alice' },
    }
    logs.length = 0
    const reply = await call('POST', '/sign/vc/jwt', {
      identifier: KEY_ID,
      secrets: SECRETS,
      verifiable: credential,
    })
    expect({ status: reply.status, code: reply.body?.code }, reply.text).toEqual({
      status: 500,
      code: 'store_corrupt',
    })
    expectNoServerPath(reply.text)
    // The operator still learns which file is damaged, from the server-side log.
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatchObject({ status: 500, code: 'store_corrupt' })
    expect(logs[0]!.detail).toContain(dir)
  })

  it('every route that reads the key: /sign/vp, /sign/pop, /keys/:id, the JWKS', async () => {
    const replies = [
      await call('POST', '/sign/vp/jwt', {
        identifier: KEY_ID,
        secrets: SECRETS,
        verifiable: {
          '@context': ['https://www.w3.org/ns/credentials/v2'],
          type: ['VerifiablePresentation'],
        },
      }),
      await call('POST', '/sign/pop/jwt', {
        identifier: KEY_ID,
        secrets: SECRETS,
        domain: 'https://issuer.example',
      }),
      await call('GET', `/keys/${encodeURIComponent(KEY_ID)}`),
      await call('GET', '/.well-known/jwks.json'),
    ]
    for (const reply of replies) {
      expect(reply.status, reply.text).toBeGreaterThanOrEqual(500)
      expectNoServerPath(reply.text)
    }
  })

  it('POST /credentials/verify of a JWT whose kid is the damaged key: 500 store_corrupt (an outage, not a verdict), and no path in it', async () => {
    const reply = await call('POST', '/credentials/verify', { verifiableCredential: jwt })
    expect(reply.status, reply.text).toBe(500)
    expect(reply.body.code).toBe('store_corrupt')
    expect(reply.body.verified).toBeUndefined()
    expectNoServerPath(reply.text)
  })
})
