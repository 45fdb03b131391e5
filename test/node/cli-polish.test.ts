// credsign --version, per-command help, "did you mean" for mistyped commands and flags, verify's
// read-only store (nothing created), and verify's network access only with --allow-network.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readOnlyStore } from '../../src/cli/config.js'
import { closestName, editDistance } from '../../src/cli/flags.js'
import type { KeyStore } from '../../src/stores/key-store.js'
import { runCli, type CliIo } from '../../src/cli/run.js'

const repoRoot = resolve(import.meta.dirname, '../..')
const SECRETS = 'correct horse battery staple'
const ISSUER = 'did:web:issuer.example'
const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  issuer: ISSUER,
  credentialSubject: { id: 'did:example:alice', name: 'Alice' },
}

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsign-cli-polish-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

interface Run {
  code: number
  out: string
  err: string
}

async function cli(argv: string[], io: Partial<CliIo> = {}, stdin?: string): Promise<Run> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, {
    env: { PBKDF2_ITERATIONS: '1000', CREDSIGN_DATA_DIR: join(dir, 'data') },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    ...(stdin === undefined ? {} : { readStdin: async () => stdin }),
    ...io,
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('credsign --version and help', () => {
  it('--version and -v print the package version, exit 0', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string
    }
    for (const flag of ['--version', '-v']) {
      const run = await cli([flag])
      expect(run).toEqual({ code: 0, out: version, err: '' })
    }
  })

  it('<command> --help, <command> -h and help <command> print that command only, exit 0', async () => {
    const commands = ['serve', 'keygen', 'sign', 'verify', 'migrate']
    for (const command of commands) {
      const others = commands.filter((other) => other !== command)
      for (const argv of [
        [command, '--help'],
        [command, '-h'],
        ['help', command],
      ]) {
        const run = await cli(argv)
        expect(run.code, argv.join(' ')).toBe(0)
        expect(run.out.startsWith(`usage: credsign ${command} `), run.out).toBe(true)
        for (const other of others) expect(run.out).not.toContain(`  ${other} `)
        expect(run.out).not.toContain('SIGNING_KEY_PATH')
      }
    }
    // --help anywhere among the options (no option's value starts with --).
    const late = await cli(['sign', '--id', 'k', '--help'])
    expect(late.code).toBe(0)
    expect(late.out).toMatch(/^usage: credsign sign --id ID --format/)
    expect((await cli(['verify', '--help'])).out).toContain('--allow-network')
    // The full text still lists everything.
    const all = await cli(['help'])
    expect(all.code).toBe(0)
    expect(all.out).toContain('credsign --version')
    for (const command of commands) expect(all.out).toContain(`  ${command} `)
  })

  it('a mistyped command or flag gets a suggestion and exit 2; values are never echoed', async () => {
    const flag = await cli(['keygen', '--id', 'k', '--secret-file', 'hunter2-secret'])
    expect(flag.code).toBe(2)
    expect(flag.err).toContain('unknown option "--secret-file"; did you mean --secrets-file?')
    expect(flag.err).not.toContain('hunter2')
    const inline = await cli(['verify', '--in', 'x', '--allow-netwrok'])
    expect(inline.code).toBe(2)
    expect(inline.err).toContain('did you mean --allow-network?')
    const assigned = await cli(['serve', '--prot=hunter2-secret'])
    expect(assigned.code).toBe(2)
    expect(assigned.err).toContain('unknown option "--prot"; did you mean --port?')
    expect(assigned.err).not.toContain('hunter2')
    const far = await cli(['verify', '--frobnicate'])
    expect(far.code).toBe(2)
    expect(far.err).toContain('unknown option "--frobnicate"')
    expect(far.err).not.toContain('did you mean')

    const command = await cli(['vreify'])
    expect(command.code).toBe(2)
    expect(command.err).toMatch(/^credsign: unknown command "vreify"; did you mean verify\?/)
    const helpTopic = await cli(['help', 'kegen'])
    expect(helpTopic.code).toBe(2)
    expect(helpTopic.err).toContain('did you mean keygen?')
    const secretLike = await cli(['postgres://user:hunter2@db/app'])
    expect(secretLike.code).toBe(2)
    expect(secretLike.err).not.toContain('hunter2')
    expect(secretLike.err).not.toContain('did you mean')
  })

  it('editDistance and closestName', () => {
    expect(editDistance('', '')).toBe(0)
    expect(editDistance('abc', '')).toBe(3)
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(editDistance('vreify', 'verify')).toBe(1) // a swap counts once
    expect(editDistance('--secret-file', '--secrets-file')).toBe(1)
    expect(closestName('--secrets', ['--id', '--secrets-file'])).toBe('--secrets-file') // a prefix
    expect(closestName('--s', ['--schema', '--secrets-file'])).toBeUndefined() // ambiguous
    expect(closestName('--x', ['--id'])).toBeUndefined()
    expect(closestName('sing', ['serve', 'sign'])).toBe('sign')
  })
})

describe('credsign verify: read-only, and the network only with --allow-network', () => {
  let method: { id: string; type: string; controller: string; publicKeyJwk: object }
  let jwt: string
  let server: Server
  let requests = 0
  let origin: string

  beforeAll(async () => {
    const keygen = await cli(['keygen', '--id', `${ISSUER}#key-1`, '--algorithm', 'Ed25519'], {
      env: {
        PBKDF2_ITERATIONS: '1000',
        CREDSIGN_DATA_DIR: join(dir, 'issuer'),
        CREDSIGN_SECRETS: SECRETS,
      },
    })
    expect(keygen.code, keygen.err).toBe(0)
    method = JSON.parse(keygen.out)
    const vcFile = join(dir, 'vc.json')
    await writeFile(vcFile, JSON.stringify(credential))
    const signed = await cli(
      ['sign', '--id', `${ISSUER}#key-1`, '--format', 'jwt', '--in', vcFile],
      {
        env: {
          PBKDF2_ITERATIONS: '1000',
          CREDSIGN_DATA_DIR: join(dir, 'issuer'),
          CREDSIGN_SECRETS: SECRETS,
        },
      },
    )
    expect(signed.code, signed.err).toBe(0)
    jwt = signed.out.trim()
    const didDocument = JSON.stringify({
      '@context': ['https://www.w3.org/ns/did/v1'],
      id: ISSUER,
      verificationMethod: [method],
      assertionMethod: [method.id],
    })
    server = createServer((request, response) => {
      requests++
      if (request.url === '/jwks.json') {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ keys: [{ ...method.publicKeyJwk, kid: method.id }] }))
      } else if (request.url === '/.well-known/did.json') {
        response.writeHead(200, { 'content-type': 'application/did+json' })
        response.end(didDocument)
      } else {
        response.writeHead(404).end()
      }
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }, 60_000)
  afterAll(async () => {
    await new Promise((done) => server.close(done))
  })

  /**
   * Did:web sends https requests to the DID's host; this fetch sends them to the local server
   * instead (did:web refuses localhost and IP addresses by design, so the DID names a real-looking
   * host) and records what was asked for.
   */
  const asked: string[] = []
  const toLocalServer: NonNullable<CliIo['fetch']> = (url, init) => {
    asked.push(url)
    const { pathname } = new URL(url)
    return fetch(`${origin}${pathname}`, init)
  }

  it('verify in an empty directory creates nothing (no data directory, no keys directory)', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'credsign-cli-empty-'))
    try {
      const dataDir = join(empty, 'credsign-data')
      const run = await cli(['verify', '--data-dir', dataDir], { env: {} }, jwt)
      expect(run.code).toBe(1) // the key is not in this (absent) vault, and nothing is fetched
      expect(JSON.parse(run.out).errors[0].code).toBe('resolver_not_configured')
      expect(await readdir(empty)).toEqual([])
      // An existing but empty data directory stays empty too.
      await mkdir(dataDir)
      expect((await cli(['verify', '--data-dir', dataDir], { env: {} }, jwt)).code).toBe(1)
      expect(await readdir(dataDir)).toEqual([])
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  })

  it('as a process in an empty working directory: the default ./credsign-data is not created', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'credsign-cli-cwd-'))
    try {
      const input = join(dir, 'signed.jwt')
      await writeFile(input, jwt)
      const child = spawn(
        process.execPath,
        [
          '--import',
          join(repoRoot, 'node_modules/tsx/dist/loader.mjs'),
          join(repoRoot, 'src/cli/main.ts'),
          'verify',
          '--in',
          input,
        ],
        {
          cwd: empty,
          env: { ...process.env, CREDSIGN_DATA_DIR: '', DATABASE_URL: '', SIGNING_KEY_PATH: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      let stdout = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      const code = await new Promise<number | null>((done) => child.on('exit', done))
      expect(code).toBe(1)
      expect(JSON.parse(stdout).errors[0].code).toBe('resolver_not_configured')
      expect(await readdir(empty)).toEqual([])
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  }, 60_000)

  it('without --allow-network a did:web credential fails with resolver_not_configured and nothing is fetched', async () => {
    const before = requests
    asked.length = 0
    const run = await cli(
      ['verify'],
      { env: { CREDSIGN_DATA_DIR: join(dir, 'verifier') }, fetch: toLocalServer },
      jwt,
    )
    expect(run.code).toBe(1)
    const result = JSON.parse(run.out)
    expect(result.verified).toBe(false)
    expect(result.errors[0].code).toBe('resolver_not_configured')
    expect(asked).toEqual([])
    expect(requests).toBe(before)
  })

  it('with --allow-network the did:web document is fetched and the credential verifies', async () => {
    const before = requests
    asked.length = 0
    const run = await cli(
      ['verify', '--allow-network'],
      { env: { CREDSIGN_DATA_DIR: join(dir, 'verifier') }, fetch: toLocalServer },
      jwt,
    )
    expect(run.code, run.out).toBe(0)
    expect(JSON.parse(run.out)).toMatchObject({ verified: true, issuer: ISSUER, errors: [] })
    expect(asked).toEqual(['https://issuer.example/.well-known/did.json'])
    expect(requests).toBe(before + 1)
  })

  it('the read-only store passes reads through and refuses every write before it reaches the store', async () => {
    const record = {
      id: 'k',
      revision: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      versions: [],
    }
    const calls: string[] = []
    const inner: KeyStore = {
      create: async (r) => (calls.push('create'), r),
      update: async (r) => (calls.push('update'), r),
      delete: async () => (calls.push('delete'), true),
      get: async (id) => (calls.push('get'), id === 'k' ? record : undefined),
      list: async () => (calls.push('list'), { records: [record] }),
      ping: async () => void calls.push('ping'),
    }
    const reader = readOnlyStore(inner)
    expect((await reader.get('k'))?.id).toBe('k')
    expect((await reader.list()).records).toHaveLength(1)
    await reader.ping?.()
    for (const write of [
      () => reader.create(record),
      () => reader.update(record),
      () => reader.delete('k'),
    ])
      await expect(write()).rejects.toMatchObject({ code: 'store_unavailable' })
    expect(calls).toEqual(['get', 'list', 'ping'])
  })

  it('with --allow-network --jwks URL the key comes from that JWK Set', async () => {
    asked.length = 0
    // The DID document is not found here: the key can only come from the JWK Set.
    const jwksOnly: NonNullable<CliIo['fetch']> = async (url, init) => {
      asked.push(url)
      return url === 'https://issuer.example/jwks.json'
        ? fetch(`${origin}/jwks.json`, init)
        : new Response('not found', { status: 404 })
    }
    const jwksArgs = ['verify', '--allow-network', '--jwks', 'https://issuer.example/jwks.json']
    const env = { CREDSIGN_DATA_DIR: join(dir, 'verifier') }
    // Without --jwks-issuer nothing says whose key it is.
    const unbound = await cli(jwksArgs, { env, fetch: jwksOnly }, jwt)
    expect(unbound.code).toBe(1)
    expect(JSON.parse(unbound.out).errors[0].code).toBe('issuer_mismatch')
    const other = await cli(
      [...jwksArgs, '--jwks-issuer', 'did:web:other.example'],
      { env, fetch: jwksOnly },
      jwt,
    )
    expect(other.code).toBe(1)
    asked.length = 0
    const run = await cli([...jwksArgs, '--jwks-issuer', ISSUER], { env, fetch: jwksOnly }, jwt)
    expect(run.code, run.out).toBe(0)
    expect(JSON.parse(run.out)).toMatchObject({ verified: true, issuer: ISSUER, errors: [] })
    expect(asked).toContain('https://issuer.example/jwks.json')
  })

  it('--jwks needs --allow-network (exit 2, nothing fetched)', async () => {
    const before = requests
    const run = await cli(
      ['verify', '--jwks', 'https://issuer.example/jwks.json'],
      { env: { CREDSIGN_DATA_DIR: join(dir, 'verifier') }, fetch: toLocalServer },
      jwt,
    )
    expect(run.code).toBe(2)
    expect(run.err).toContain('--jwks fetches a JWK Set: it needs --allow-network')
    const issuerAlone = await cli(['verify', '--allow-network', '--jwks-issuer', ISSUER], {}, jwt)
    expect(issuerAlone.code).toBe(2)
    expect(requests).toBe(before)
  })
})
