// credsign csr / credsign cert add with a real openssl CA: the CLI makes a CSR from a vault key,
// openssl verifies it and issues the leaf under an intermediate, `cert add` attaches leaf +
// intermediate, and a JWT signed with that key carries the x5c that verify() accepts against the
// root. Bad chain files are refused with a code and exit 1: no stack trace, no path but the user's.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, afterAll, describe, expect, it } from 'vitest'
import { JwtVcSigner, createTrustAnchors, verify } from '../../src/index.js'
import { openCliVault } from '../../src/cli/config.js'
import { runCli, type CliIo } from '../../src/cli/run.js'
import { parseSubject } from '../../src/cli/x509.js'
import { OpensslCa, type CaCert } from './fixtures/openssl-ca.js'
import { serveInProcess, serveRefused } from '../fixtures/serve.js'

const ISSUER = 'https://issuer.example'
const KEY = 'issuer-1'
let dir: string
let secretsFile: string
let ca: OpensslCa
let root: CaCert
let intermediate: CaCert

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsign-cli-x509-'))
  secretsFile = join(dir, 'secrets.txt')
  await writeFile(secretsFile, 'correct horse battery staple\n', { mode: 0o600 })
  ca = new OpensslCa()
  root = ca.root()
  intermediate = ca.intermediate('int', root)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function io(out: string[], err: string[]): CliIo {
  return {
    env: { PBKDF2_ITERATIONS: '1000', CREDSIGN_DATA_DIR: join(dir, 'data') },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  }
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, io(out, err))
  return { code, out: out.join('\n'), err: err.join('\n') }
}

const LEAF = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'subjectAltName=DNS:issuer.example,URI:https://issuer.example',
]

describe('credsign csr / cert add', () => {
  it('csr → openssl issues → cert add → a JWT with x5c verifies against the root', async () => {
    const keygen = await cli([
      'keygen',
      '--id',
      KEY,
      '--algorithm',
      'P-256',
      '--secrets-file',
      secretsFile,
    ])
    expect(keygen.code, keygen.err).toBe(0)

    // Printed on stdout, and written with --out: the same kind of PEM, both verified by openssl.
    const printed = await cli([
      'csr',
      '--key',
      KEY,
      '--subject',
      'CN=issuer.example,O=Example\\, Inc.,C=DE',
      '--dns',
      'issuer.example',
      '--uri=https://issuer.example',
      '--dns',
      'www.issuer.example',
      '--secrets-file',
      secretsFile,
    ])
    expect(printed.code, printed.err).toBe(0)
    expect(printed.out).toMatch(
      /^-----BEGIN CERTIFICATE REQUEST-----\n[\s\S]+-----END CERTIFICATE REQUEST-----$/,
    )
    const csrFile = join(dir, 'issuer.csr')
    const written = await cli([
      'csr',
      '--key',
      KEY,
      '--subject',
      'CN=issuer.example,O=Example\\, Inc.,C=DE',
      '--dns',
      'issuer.example',
      '--uri',
      'https://issuer.example',
      '--secrets-file',
      secretsFile,
      '--out',
      csrFile,
    ])
    expect(written.code, written.err).toBe(0)
    expect(written.out).toBe('')
    for (const [name, pem] of [
      ['printed.csr', printed.out],
      ['written.csr', await readFile(csrFile, 'utf8')],
    ] as const) {
      const text = ca.openssl([
        'req',
        '-in',
        ca.write(name, pem),
        '-verify',
        '-noout',
        '-text',
        '-nameopt',
        'RFC2253',
      ])
      expect(text).toContain('Subject: CN=issuer.example,O=Example\\, Inc.,C=DE')
    }
    expect(ca.openssl(['req', '-in', 'printed.csr', '-noout', '-text'])).toMatch(
      /DNS:issuer\.example, DNS:www\.issuer\.example, URI:https:\/\/issuer\.example/,
    )

    const leaf = ca.signCsr('leaf', 'written.csr', intermediate, LEAF)
    const chainFile = join(dir, 'chain.pem')
    await writeFile(chainFile, leaf.pem + intermediate.pem)
    const added = await cli([
      'cert',
      'add',
      '--key',
      KEY,
      '--chain',
      chainFile,
      '--secrets-file',
      secretsFile,
    ])
    expect(added.code, added.err).toBe(0)
    const summary = JSON.parse(added.out) as {
      id: string
      version: number
      certificateChain: { x5c: string[]; notAfter: string }
    }
    expect(summary).toMatchObject({ id: KEY, version: 1 })
    expect(summary.certificateChain.x5c).toEqual([leaf.x5c, intermediate.x5c])

    // The library on the CLI's vault: the key signs with x5c, verify() validates the path to the root.
    const opened = await openCliVault(io([], []), {
      dataDir: join(dir, 'data'),
      migrations: 'require',
    })
    try {
      const jwt = await opened.vault.withKey(KEY, ['correct horse battery staple'], (signer) =>
        new JwtVcSigner(signer).sign(
          {
            '@context': ['https://www.w3.org/ns/credentials/v2'],
            type: ['VerifiableCredential'],
            issuer: ISSUER,
            credentialSubject: { id: 'did:example:subject' },
          },
          { x5c: true, kid: false, allowIssuerMismatch: true },
        ),
      )
      const result = await verify(jwt, { trustAnchors: createTrustAnchors([root.pem]) })
      expect(result.errors).toEqual([])
      expect(result.verified).toBe(true)
      const other = ca.root('other-root', '/CN=other root')
      const untrusted = await verify(jwt, { trustAnchors: createTrustAnchors([other.pem]) })
      expect(untrusted.verified).toBe(false)
    } finally {
      await opened.close()
    }
  })

  it('serve --jwt-vc-issuer (or CREDSIGN_JWT_VC_ISSUER) publishes the vault keys with their x5c at /.well-known/jwt-vc-issuer', async () => {
    // A key of its own with an openssl-issued chain, in a data dir of its own.
    const dataDir = join(dir, 'serve-data')
    const env = { PBKDF2_ITERATIONS: '1000', CREDSIGN_DATA_DIR: dataDir }
    const run = async (argv: string[]): Promise<string> => {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli(argv, { env, out: (l) => out.push(l), err: (l) => err.push(l) })
      expect(code, err.join('\n')).toBe(0)
      return out.join('\n')
    }
    const secrets = ['--secrets-file', secretsFile]
    await run(['keygen', '--id', 'issuer-2', '--algorithm', 'P-256', ...secrets])
    const csrFile = join(dir, 'issuer-2.csr')
    await run([
      'csr',
      '--key',
      'issuer-2',
      '--subject',
      'CN=issuer.example',
      '--dns',
      'issuer.example',
      ...secrets,
      '--out',
      csrFile,
    ])
    const leaf = ca.signCsr('leaf-2', csrFile, intermediate, LEAF)
    const chainFile = join(dir, 'chain-2.pem')
    await writeFile(chainFile, leaf.pem + intermediate.pem)
    await run(['cert', 'add', '--key', 'issuer-2', '--chain', chainFile, ...secrets])

    type Metadata = { issuer: string; jwks: { keys: { kid: string; x5c?: string[] }[] } }
    const server = await serveInProcess(
      ['--port', '0', '--no-auth', '--no-access-log', '--workers', '1', '--jwt-vc-issuer', ISSUER],
      env,
    )
    try {
      const response = await fetch(`${server.base}/.well-known/jwt-vc-issuer`)
      expect(response.status).toBe(200)
      const metadata = (await response.json()) as Metadata
      expect(metadata.issuer).toBe(ISSUER)
      // The current version under the did:key kid its JWTs carry, and under its thumbprint.
      const withChain = metadata.jwks.keys.filter((key) => key.x5c !== undefined)
      expect(withChain.length).toBe(2)
      expect(withChain.some((key) => key.kid.startsWith('did:key:'))).toBe(true)
      for (const key of withChain) expect(key.x5c).toEqual([leaf.x5c, intermediate.x5c])
    } finally {
      expect(await server.stop()).toBe(0)
    }

    // The environment variable, an issuer with a path; without either the route is 404.
    const tenant = await serveInProcess(
      ['--port', '0', '--no-auth', '--no-access-log', '--workers', '1'],
      { ...env, CREDSIGN_JWT_VC_ISSUER: `${ISSUER}/tenant` },
    )
    try {
      const response = await fetch(`${tenant.base}/.well-known/jwt-vc-issuer/tenant`)
      expect(((await response.json()) as Metadata).issuer).toBe(`${ISSUER}/tenant`)
    } finally {
      await tenant.stop()
    }
    const plain = await serveInProcess(
      ['--port', '0', '--no-auth', '--no-access-log', '--workers', '1'],
      env,
    )
    try {
      expect((await fetch(`${plain.base}/.well-known/jwt-vc-issuer`)).status).toBe(404)
    } finally {
      await plain.stop()
    }

    const refused = await serveRefused(
      ['--port', '0', '--no-auth', '--jwt-vc-issuer', 'http://issuer.example'],
      env,
    )
    expect(refused.code).toBe(2)
    expect(refused.err).toContain(
      '--jwt-vc-issuer (or CREDSIGN_JWT_VC_ISSUER) must be an https URL',
    )
  })

  it('a bad chain file: a code, exit 1, no stack trace, no path but the one given', async () => {
    const secretsArgs = ['--secrets-file', secretsFile]
    const cases: [string, string | undefined, RegExp][] = [
      ['garbage.pem', 'not a certificate\n', /^credsign cert: [a-z_]+: /],
      ['empty.pem', '', /^credsign cert: [a-z_]+: /],
      // a valid certificate for another key
      ['other-key.pem', intermediate.pem, /^credsign cert: [a-z_]+: /],
      ['missing.pem', undefined, /^credsign cert: cannot read .*missing\.pem \(ENOENT\)$/],
    ]
    for (const [name, content, expected] of cases) {
      const path = join(dir, name)
      if (content !== undefined) await writeFile(path, content)
      const run = await cli(['cert', 'add', '--key', KEY, '--chain', path, ...secretsArgs])
      expect(run.code, name).toBe(1)
      expect(run.err, name).toMatch(expected)
      expect(run.err, name).not.toMatch(/\n\s+at /)
      expect(run.err.replaceAll(path, ''), name).not.toContain(dir)
      expect(run.out, name).toBe('')
    }
  })

  it('usage: per-command --help, did-you-mean, bad --subject / --version / action are exit 2', async () => {
    const help = await cli(['csr', '--help'])
    expect(help.code).toBe(0)
    expect(help.out).toMatch(/^usage: credsign csr --key ID --subject/)
    const certHelp = await cli(['cert', 'add', '--help'])
    expect(certHelp.out).toMatch(/^usage: credsign cert add --key ID --chain FILE\.pem/)
    const typo = await cli(['cert', 'add', '--chian', 'x.pem'])
    expect(typo.code).toBe(2)
    expect(typo.err).toContain('did you mean --chain?')
    expect((await cli(['csrr'])).err).toContain('did you mean csr?')
    for (const argv of [
      ['csr', '--key', KEY, '--subject', 'XX=nope'],
      ['csr', '--key', KEY, '--subject', 'CN=a,CN=b'],
      ['csr', '--key', KEY, '--subject', 'CN=a', '--dns'],
      ['cert', 'add', '--key', KEY, '--chain', 'x.pem', '--version', '0'],
      ['cert', 'remove', '--key', KEY],
    ])
      expect((await cli(argv)).code, argv.join(' ')).toBe(2)
  })

  it('parseSubject reads RFC 4514 short names and escaped commas', () => {
    expect(
      parseSubject('CN=issuer.example, O=Example\\, Inc.,C=DE,organizationIdentifier=VATDE-1'),
    ).toEqual({
      commonName: 'issuer.example',
      organization: 'Example, Inc.',
      country: 'DE',
      organizationIdentifier: 'VATDE-1',
    })
  })
})
