// credsign serve: in-process through runCli (port 0, injected shutdown) for the configuration rules
// (development creates the service secret and an API token; production creates nothing), the
// routes with bearer authentication, the README's curl commands, and PostgreSQL when DATABASE_URL
// is set; and as a real process for SIGTERM.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as jose from 'jose'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveInProcess, serveRefused, type Served } from '../fixtures/serve.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const CHEAP = { PBKDF2_ITERATIONS: '1000' }
const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  issuer: 'did:web:issuer.example',
  credentialSubject: { id: 'did:example:alice', name: 'Alice' },
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsign-serve-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Starts `credsign serve --port 0 ARGS` in-process; rejects if it exits instead of listening. */
const serve = (args: string[], env: Record<string, string | undefined>): Promise<Served> =>
  serveInProcess(['--port', '0', ...args], env)

/** Runs `credsign serve` expecting it to refuse to start. */
const refused = (args: string[], env: Record<string, string | undefined>) =>
  serveRefused(
    [...(args.includes('--port') || env.PORT !== undefined ? [] : ['--port', '0']), ...args],
    env,
  )

const json = (token: string | undefined, body: unknown): RequestInit => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
  },
  body: JSON.stringify(body),
})

describe('credsign serve', () => {
  it('development: creates the service secret and an API token (0600, never printed), serves /health, and /generate and /sign/vc/jwt with the bearer token', async () => {
    const dataDir = join(dir, 'dev')
    const server = await serve(['--data-dir', dataDir], { ...CHEAP })
    try {
      expect(server.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const secretPath = join(dataDir, 'service-secret')
      const tokenPath = join(dataDir, 'api-token')
      for (const path of [secretPath, tokenPath])
        expect((await stat(path)).mode & 0o777).toBe(0o600)
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700)
      const secret = (await readFile(secretPath, 'utf8')).trim()
      const token = (await readFile(tokenPath, 'utf8')).trim()
      expect(secret.length).toBeGreaterThanOrEqual(32)
      expect(token.length).toBeGreaterThanOrEqual(32)
      const printed = [...server.out, ...server.err].join('\n')
      expect(printed).not.toContain(secret)
      expect(printed).not.toContain(token)
      expect(
        server.err.filter((l) =>
          l.includes(`created a development service secret in ${secretPath}`),
        ),
      ).toHaveLength(1)
      expect(printed).toContain(tokenPath)

      const health = await fetch(`${server.base}/health`)
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({ status: 'ok', service: { name: 'credsign' } })

      const request = {
        identifier: 'did:web:issuer.example#key-1',
        secrets: ['s3cret-one'],
        signatureType: 'ES256',
      }
      expect((await fetch(`${server.base}/generate`, json(undefined, request))).status).toBe(401)
      expect(
        (await fetch(`${server.base}/generate`, json('not-the-token-0123456789', request))).status,
      ).toBe(401)
      const generated = await fetch(`${server.base}/generate`, json(token, request))
      expect(generated.status).toBe(201)
      const method = (await generated.json()) as { id: string; publicKeyJwk: jose.JWK }
      expect(method.id).toBe('did:web:issuer.example#key-1')

      const signed = await fetch(
        `${server.base}/sign/vc/jwt`,
        json(token, { identifier: method.id, secrets: ['s3cret-one'], verifiable: credential }),
      )
      expect(signed.status).toBe(201)
      const jwt = await signed.text()
      const { payload, protectedHeader } = await jose.jwtVerify(
        jwt,
        await jose.importJWK(method.publicKeyJwk, 'ES256'),
      )
      expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: method.id, typ: 'vc+jwt' })
      expect(payload).toMatchObject({
        issuer: 'did:web:issuer.example',
        credentialSubject: { name: 'Alice' },
      })
      expect((await stat(join(dataDir, 'keys'))).isDirectory()).toBe(true)
    } finally {
      expect(await server.stop()).toBe(0)
    }
    expect(server.err.at(-1)).toBe('credsign: stopped')

    // A restart reuses the secret, the token and the keys, and creates nothing.
    const again = await serve(['--data-dir', dataDir], { ...CHEAP })
    try {
      expect(again.err.join('\n')).not.toMatch(/created/)
      const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim()
      const signed = await fetch(
        `${again.base}/sign/vc/jwt`,
        json(token, {
          identifier: 'did:web:issuer.example#key-1',
          secrets: ['s3cret-one'],
          verifiable: credential,
        }),
      )
      expect(signed.status).toBe(201)
    } finally {
      expect(await again.stop()).toBe(0)
    }
  })

  it('runs the curl commands of the README section against the server', async () => {
    const readme = await readFile(join(repoRoot, 'README.md'), 'utf8')
    const section = readme.slice(
      readme.indexOf('## Run it as a service'),
      readme.indexOf('\n## ', readme.indexOf('## Run it as a service') + 1),
    )
    expect(section).toContain('export TOKEN=$(cat credsign-data/api-token)')
    expect(section).toContain('npx credsign serve')
    expect(section).toContain('npm run build && node dist/cli.js serve')
    expect(section).toContain('credsign listening on http://127.0.0.1:3000')
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!)
    const curls = blocks.flatMap(shellCommands).filter((words) => words[0] === 'curl')
    expect(curls.length).toBeGreaterThanOrEqual(4)

    // `npx credsign serve` in a fresh directory: the README's relative credsign-data/ is this one.
    const dataDir = join(dir, 'readme', 'credsign-data')
    const server = await serve(['--data-dir', dataDir], { ...CHEAP })
    try {
      const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim()
      const results: { path: string; status: number; body: string }[] = []
      for (const words of curls) {
        const { url, init } = curlToFetch(words, { TOKEN: token })
        expect(url.startsWith('http://127.0.0.1:3000/'), url).toBe(true)
        const path = url.slice('http://127.0.0.1:3000'.length)
        const response = await fetch(server.base + path, init)
        results.push({ path, status: response.status, body: await response.text() })
      }
      for (const r of results) expect(r.status, `${r.path}: ${r.body}`).toBeLessThan(300)
      const byPath = (path: string) => results.find((r) => r.path === path)!
      expect(JSON.parse(byPath('/health').body).status).toBe('ok')
      const method = JSON.parse(byPath('/generate').body) as { id: string; publicKeyJwk: jose.JWK }
      const jwks = JSON.parse(byPath('/.well-known/jwks.json').body) as { keys: jose.JWK[] }
      expect(jwks.keys.map((k) => k.x)).toContain(method.publicKeyJwk.x)
      const { payload } = await jose.jwtVerify(
        byPath('/sign/vc/jwt').body,
        await jose.importJWK(method.publicKeyJwk, 'EdDSA'),
      )
      expect(payload.issuer).toBe('did:web:issuer.example')
      // The JWKS alone verifies it too: it lists the key under the JWT's kid.
      const viaJwks = await jose.jwtVerify(
        byPath('/sign/vc/jwt').body,
        jose.createLocalJWKSet(jwks as jose.JSONWebKeySet),
      )
      expect(viaJwks.protectedHeader.kid).toBe('did:web:issuer.example#key-1')
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })

  it('production: refuses to start without a service secret (and creates none), without tokens, or with a short secret', async () => {
    const dataDir = join(dir, 'prod')
    const production = {
      ...CHEAP,
      NODE_ENV: 'production',
      CREDSIGN_TOKENS: 'a-production-token-0123456789',
    }
    const noSecret = await refused(['--data-dir', dataDir], {
      ...production,
      SIGNING_KEY_PATH: join(dataDir, 'signing-key'),
    })
    expect(noSecret.code).toBe(1)
    expect(noSecret.err).toMatch(
      /service secret file .*signing-key does not exist.*SIGNING_KEY_PATH/,
    )
    const defaultPath = await refused(['--data-dir', dataDir], production)
    expect(defaultPath.code).toBe(1)
    expect(defaultPath.err).toContain('/run/secrets/signing-key does not exist')
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' })

    const secretPath = join(dir, 'prod-secret')
    await writeFile(secretPath, 'short-secret-of-29-characters\n', { mode: 0o600 })
    const short = await refused([], { ...production, SIGNING_KEY_PATH: secretPath })
    expect(short.code).toBe(1)
    expect(short.err).toMatch(/29 bytes after trimming whitespace; at least 32/)
    expect(short.err).not.toContain('short-secret-of')

    await writeFile(secretPath, `${'k'.repeat(40)}\n`, { mode: 0o600 })
    const noToken = await refused(['--data-dir', dataDir], {
      ...CHEAP,
      NODE_ENV: 'production',
      SIGNING_KEY_PATH: secretPath,
    })
    expect(noToken.code).toBe(1)
    expect(noToken.err).toMatch(/no API token: set CREDSIGN_TOKENS .* or CREDSIGN_TOKEN_FILE/)
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' })

    // With both, it starts, and creates no token file.
    const tokenFile = join(dir, 'tokens')
    await writeFile(tokenFile, 'first-token-0123456789\nsecond-token-0123456789\n')
    const server = await serve(['--data-dir', dataDir], {
      ...CHEAP,
      NODE_ENV: 'production',
      SIGNING_KEY_PATH: secretPath,
      CREDSIGN_TOKEN_FILE: tokenFile,
    })
    try {
      const request = {
        identifier: 'did:web:issuer.example#p',
        secrets: ['s'],
        signatureType: 'Ed25519',
      }
      expect(
        (await fetch(`${server.base}/generate`, json('second-token-0123456789', request))).status,
      ).toBe(201)
      await expect(stat(join(dataDir, 'api-token'))).rejects.toMatchObject({ code: 'ENOENT' })
      await expect(stat(join(dataDir, 'service-secret'))).rejects.toMatchObject({ code: 'ENOENT' })
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })

  it('--no-auth opens the routes with a warning; tokens, CORS and ports are validated', async () => {
    const dataDir = join(dir, 'noauth')
    const server = await serve(['--data-dir', dataDir, '--no-auth'], {
      ...CHEAP,
      CORS_ORIGINS: 'https://wallet.example',
    })
    try {
      expect(server.err.join('\n')).toMatch(/warning: --no-auth/)
      await expect(stat(join(dataDir, 'api-token'))).rejects.toMatchObject({ code: 'ENOENT' })
      const request = {
        identifier: 'did:web:issuer.example#open',
        secrets: ['s'],
        signatureType: 'Ed25519',
      }
      expect((await fetch(`${server.base}/generate`, json(undefined, request))).status).toBe(201)
      const preflight = await fetch(`${server.base}/generate`, {
        method: 'OPTIONS',
        headers: { origin: 'https://wallet.example', 'access-control-request-method': 'POST' },
      })
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://wallet.example')
    } finally {
      expect(await server.stop()).toBe(0)
    }
    const env = { ...CHEAP, CREDSIGN_DATA_DIR: join(dir, 'invalid') }
    expect(
      (await refused(['--no-auth'], { ...env, CREDSIGN_TOKENS: 'a-token-of-enough-length' })).code,
    ).toBe(2)
    const shortToken = await refused([], { ...env, CREDSIGN_TOKENS: 'good-token-0123456789,short' })
    expect(shortToken.code).toBe(1)
    expect(shortToken.err).toContain('CREDSIGN_TOKENS entry 2')
    expect(shortToken.err).not.toContain('short')
    expect((await refused([], { ...env, CORS_ORIGINS: 'wallet.example/path' })).code).toBe(2)
    expect((await refused(['--port', '70000'], env)).code).toBe(2)
    expect((await refused([], { ...env, PORT: 'http' })).code).toBe(2)
    expect((await refused(['--bogus'], env)).code).toBe(2)
  })

  it('reports a port in use as one line, exit 1', async () => {
    const first = await serve(['--data-dir', join(dir, 'busy')], {
      ...CHEAP,
      CREDSIGN_TOKENS: 'a-token-of-enough-length',
    })
    try {
      const port = new URL(first.base).port
      const second = await refused(['--data-dir', join(dir, 'busy'), '--port', port], {
        ...CHEAP,
        CREDSIGN_TOKENS: 'a-token-of-enough-length',
      })
      expect(second.code).toBe(1)
      expect(second.err).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`)
    } finally {
      expect(await first.stop()).toBe(0)
    }
  })

  it('as a process: prints the address, answers, and exits 0 on SIGTERM', async () => {
    const dataDir = join(dir, 'process')
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--data-dir', dataDir],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          ...CHEAP,
          NODE_ENV: 'development',
          CREDSIGN_TOKENS: '',
          CREDSIGN_TOKEN_FILE: '',
          SIGNING_KEY_PATH: '',
          DATABASE_URL: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    )
    try {
      const base = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString()
          const match = /credsign listening on (http:\/\/\S+)/.exec(stdout)
          if (match) resolve(match[1]!)
        })
        void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)))
      })
      expect((await fetch(`${base}/health`)).status).toBe(200)
      // A keep-alive connection stays open: shutdown must still finish promptly.
      const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim()
      expect(
        (await fetch(`${base}/keys/none`, { headers: { authorization: `Bearer ${token}` } }))
          .status,
      ).toBe(404)
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(stderr).toContain('credsign: stopped')
    } finally {
      child.kill('SIGKILL')
    }
  })

  describe.skipIf(!process.env.DATABASE_URL)('with DATABASE_URL', () => {
    const schema = `cli_serve_${Math.random().toString(16).slice(2, 10)}`
    afterAll(async () => {
      const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => pool.end())
    })

    it('applies the migrations and keeps keys in PostgreSQL; --no-migrate requires them', async () => {
      const env = {
        ...CHEAP,
        DATABASE_URL: process.env.DATABASE_URL,
        CREDSIGN_TOKENS: 'a-token-of-enough-length',
      }
      const dataDir = join(dir, 'pg')
      const unmigrated = await refused(
        ['--data-dir', dataDir, '--schema', schema, '--no-migrate'],
        env,
      )
      expect(unmigrated.code).toBe(1)
      expect(unmigrated.err).toMatch(/pending migrations .*credsign migrate/)
      const server = await serve(['--data-dir', dataDir, '--schema', schema], env)
      try {
        expect(server.err.join('\n')).toMatch(/applied PostgreSQL migration/)
        expect(server.err.join('\n')).toContain(`keys in PostgreSQL (schema ${schema})`)
        expect([...server.out, ...server.err].join('\n')).not.toContain(process.env.DATABASE_URL!)
        const request = {
          identifier: 'did:web:issuer.example#pg',
          secrets: ['s'],
          signatureType: 'Ed25519',
        }
        expect(
          (await fetch(`${server.base}/generate`, json('a-token-of-enough-length', request)))
            .status,
        ).toBe(201)
        expect((await fetch(`${server.base}/health/readiness`)).status).toBe(200)
      } finally {
        expect(await server.stop()).toBe(0)
      }
      const migrated = await serve(['--data-dir', dataDir, '--schema', schema, '--no-migrate'], env)
      try {
        const keys = await fetch(
          `${migrated.base}/keys/${encodeURIComponent('did:web:issuer.example#pg')}`,
          { headers: { authorization: 'Bearer a-token-of-enough-length' } },
        )
        expect(keys.status).toBe(200)
      } finally {
        expect(await migrated.stop()).toBe(0)
      }
      await expect(stat(join(dataDir, 'keys'))).rejects.toMatchObject({ code: 'ENOENT' })
    })
  })
})

/**
 * Splits a POSIX shell snippet into commands of words: single and double quotes (double quotes
 * expand nothing here; `$NAME` is kept for curlToFetch), backslash-newline continuations, `#`
 * comments. Enough for the README's curl lines, and strict about anything else.
 */
function shellCommands(script: string): string[][] {
  const commands: string[][] = []
  let words: string[] = []
  let word = ''
  let inWord = false
  const endWord = (): void => {
    if (inWord) words.push(word)
    word = ''
    inWord = false
  }
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!
    if (c === "'") {
      const close = script.indexOf("'", i + 1)
      if (close === -1) throw new Error('unterminated single quote')
      word += script.slice(i + 1, close)
      inWord = true
      i = close
    } else if (c === '"') {
      let j = i + 1
      for (; script[j] !== '"'; j++) {
        if (j >= script.length) throw new Error('unterminated double quote')
        if (script[j] === '\\' && '"\\$`'.includes(script[j + 1]!)) j++
        word += script[j]
      }
      inWord = true
      i = j
    } else if (c === '\\' && script[i + 1] === '\n') {
      i++
    } else if (c === '#' && !inWord) {
      const newline = script.indexOf('\n', i)
      i = (newline === -1 ? script.length : newline) - 1
    } else if (c === '\n' || c === ';') {
      endWord()
      if (words.length > 0) commands.push(words)
      words = []
    } else if (c === ' ' || c === '\t') {
      endWord()
    } else {
      word += c
      inWord = true
    }
  }
  endWord()
  if (words.length > 0) commands.push(words)
  return commands
}

/**
 * The fetch equivalent of `curl [-s] [-X METHOD] [-H header]... [-d body] URL`, with `$NAME` from
 * `vars`.
 */
function curlToFetch(
  words: string[],
  vars: Record<string, string>,
): { url: string; init: RequestInit } {
  const expand = (text: string): string =>
    text.replace(/\$([A-Z_]+)/g, (_, name: string) => {
      if (!(name in vars)) throw new Error(`README curl uses $${name}`)
      return vars[name]!
    })
  let url: string | undefined
  let method: string | undefined
  let body: string | undefined
  const headers = new Headers()
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!
    if (word === '-s') continue
    if (word === '-X') method = words[++i]
    else if (word === '-H') {
      const header = expand(words[++i]!)
      headers.append(
        header.slice(0, header.indexOf(':')).trim(),
        header.slice(header.indexOf(':') + 1).trim(),
      )
    } else if (word === '-d') body = expand(words[++i]!)
    else if (/^https?:\/\//.test(word) && url === undefined) url = expand(word)
    else throw new Error(`README curl: unexpected argument ${word}`)
  }
  if (url === undefined) throw new Error('README curl without a URL')
  return {
    url,
    init: {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
    },
  }
}
