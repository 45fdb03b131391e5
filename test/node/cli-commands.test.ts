// credsign keygen / sign / verify, run in-process through runCli with an injected environment:
// round trips for every format and algorithm, and the rules about secrets (never from argv,
// never printed) and the service secret (created in development only).
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type CliIo } from '../../src/cli/run.js'

const SECRETS = ['correct horse battery staple', 'second factor']
const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  issuer: 'did:web:issuer.example',
  credentialSubject: { id: 'did:example:alice', name: 'Alice' },
}

let dir: string
let secretsFile: string
let vcFile: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsign-cli-'))
  secretsFile = join(dir, 'secrets.txt')
  vcFile = join(dir, 'vc.json')
  await writeFile(secretsFile, `${SECRETS.join('\n')}\n`, { mode: 0o600 })
  await writeFile(vcFile, JSON.stringify(credential))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

interface Run {
  code: number
  out: string
  err: string
}

/** Runs the CLI with a cheap KDF and this test's data directory (overridable). */
async function cli(
  argv: string[],
  env: Record<string, string | undefined> = {},
  stdin?: string,
): Promise<Run> {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = {
    env: { PBKDF2_ITERATIONS: '1000', CREDSIGN_DATA_DIR: join(dir, 'data'), ...env },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    ...(stdin === undefined ? {} : { readStdin: async () => stdin }),
  }
  const code = await runCli(argv, io)
  return { code, out: out.join('\n'), err: err.join('\n') }
}

async function written(name: string, text: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}

describe('credsign keygen / sign / verify', () => {
  it('keygen prints the verification method; the service secret is created once, in development, mode 0600', async () => {
    const run = await cli([
      'keygen',
      '--id',
      'did:web:issuer.example#key-1',
      '--algorithm',
      'Ed25519',
      '--secrets-file',
      secretsFile,
    ])
    expect(run.code, run.err).toBe(0)
    const method = JSON.parse(run.out)
    expect(method).toMatchObject({
      id: 'did:web:issuer.example#key-1',
      type: 'JsonWebKey',
      controller: 'did:web:issuer.example',
      publicKeyJwk: { kty: 'OKP', crv: 'Ed25519' },
    })
    expect(method.publicKeyJwk.d).toBeUndefined()
    const secretPath = join(dir, 'data', 'service-secret')
    expect(run.err).toContain(`created a development service secret in ${secretPath}`)
    expect((await stat(secretPath)).mode & 0o777).toBe(0o600)
    const secret = (await readFile(secretPath, 'utf8')).trim()
    expect(secret.length).toBeGreaterThanOrEqual(32)
    for (const text of [run.out, run.err]) {
      expect(text).not.toContain(secret)
      for (const s of SECRETS) expect(text).not.toContain(s)
    }
    // The second command uses the same secret, silently; the id is taken now.
    const again = await cli([
      'keygen',
      '--id',
      'did:web:issuer.example#key-1',
      '--algorithm',
      'Ed25519',
      '--secrets-file',
      secretsFile,
    ])
    expect(again.code).toBe(1)
    expect(again.err).toMatch(/exists/)
    expect(again.err).not.toContain('service secret')
  })

  it('signs a credential as a JWT, Data Integrity and SD-JWT, and verify accepts each (exit 0) from a file or stdin', async () => {
    for (const format of ['jwt', 'data-integrity', 'sd-jwt']) {
      const signed = await cli(
        ['sign', '--id', 'did:web:issuer.example#key-1', '--format', format, '--in', vcFile],
        { CREDSIGN_SECRETS: SECRETS.join('\n') },
      )
      expect(signed.code, `${format}: ${signed.err}`).toBe(0)
      if (format === 'data-integrity')
        expect(JSON.parse(signed.out).proof).toMatchObject({
          type: 'DataIntegrityProof',
          cryptosuite: 'eddsa-rdfc-2022',
          verificationMethod: 'did:web:issuer.example#key-1',
        })
      else expect(signed.out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+~?/)
      const fromFile = await cli(['verify', '--in', await written(`signed.${format}`, signed.out)])
      expect(fromFile.code, fromFile.out).toBe(0)
      const result = JSON.parse(fromFile.out)
      expect(result).toMatchObject({ verified: true, issuer: 'did:web:issuer.example', errors: [] })
      expect(result.format).toBe(format === 'jwt' ? 'vc+jwt' : format)
      const fromStdin = await cli(['verify'], {}, `${signed.out}\n`)
      expect(fromStdin.code).toBe(0)
    }
  })

  it('reads the document from stdin with --in -, and verify exits 1 with the reasons for a tampered one', async () => {
    const signed = await cli(
      [
        'sign',
        '--id',
        'did:web:issuer.example#key-1',
        '--format',
        'jwt',
        '--in',
        '-',
        '--secrets-file',
        secretsFile,
      ],
      {},
      JSON.stringify(credential),
    )
    expect(signed.code, signed.err).toBe(0)
    const [header, payload, signature] = signed.out.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    claims.credentialSubject.name = 'Mallory'
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`
    const verdict = await cli(['verify', '--in', '-'], {}, forged)
    expect(verdict.code).toBe(1)
    const result = JSON.parse(verdict.out)
    expect(result.verified).toBe(false)
    expect(result.errors.map((e: { code: string }) => e.code)).toContain('signature_invalid')
    expect((await cli(['verify'], {}, 'not a credential')).code).toBe(1)
  })

  // A JSON document with a member twice: JSON.parse keeps the last, other parsers the first, so one
  // file says two things and the signature covers one of them. verify() refuses such text
  // (`malformed`, src/jose/json.ts parseJsonText); the CLI parsed the file with JSON.parse first and
  // handed verify() the object, so the duplicate was never seen and the credential said verified.
  it('verify refuses a JSON document with a duplicate member, as verify() does with the text', async () => {
    const signed = await cli(
      [
        'sign',
        '--id',
        'did:web:issuer.example#key-1',
        '--format',
        'data-integrity',
        '--in',
        vcFile,
      ],
      { CREDSIGN_SECRETS: SECRETS.join('\n') },
    )
    expect(signed.code, signed.err).toBe(0)
    const text = signed.out.trim()
    expect((await cli(['verify'], {}, text)).code).toBe(0)
    // The signed credentialSubject stays last (JSON.parse's pick); a first-wins reader sees Mallory's.
    const twice = `{"credentialSubject":{"id":"did:example:mallory","name":"Mallory"},${text.slice(1)}`
    for (const args of [['verify'], ['verify', '--in', await written('twice.json', twice)]]) {
      const verdict = await cli(args, {}, twice)
      expect(verdict.code, verdict.out).toBe(1)
      const result = JSON.parse(verdict.out)
      expect(result.verified).toBe(false)
      expect(result.errors.map((e: { code: string }) => e.code)).toEqual(['malformed'])
    }
  })

  it('signs a presentation (JWT with audience and nonce; SD-JWT presentation with key binding)', async () => {
    const holderSecrets = join(dir, 'holder-secrets.txt')
    await writeFile(holderSecrets, 'holder secret\n')
    const holder = await cli([
      'keygen',
      '--id',
      'did:web:holder.example#key-1',
      '--algorithm',
      'P-256',
      '--secrets-file',
      holderSecrets,
    ])
    expect(holder.code, holder.err).toBe(0)
    const vcJwt = (
      await cli([
        'sign',
        '--id',
        'did:web:issuer.example#key-1',
        '--format',
        'jwt',
        '--in',
        vcFile,
        '--secrets-file',
        secretsFile,
      ])
    ).out
    const presentation = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
      holder: 'did:web:holder.example',
      verifiableCredential: [
        {
          '@context': 'https://www.w3.org/ns/credentials/v2',
          type: 'EnvelopedVerifiableCredential',
          id: `data:application/vc+jwt,${vcJwt}`,
        },
      ],
    }
    const vpFile = await written('vp.json', JSON.stringify(presentation))
    const vp = await cli([
      'sign',
      '--id',
      'did:web:holder.example#key-1',
      '--kind',
      'vp',
      '--format',
      'jwt',
      '--in',
      vpFile,
      '--secrets-file',
      holderSecrets,
      '--domain',
      'https://verifier.example',
      '--challenge',
      'n-0S6_WzA2Mj',
    ])
    expect(vp.code, vp.err).toBe(0)
    const vpPath = await written('vp.jwt', vp.out)
    const ok = await cli([
      'verify',
      '--in',
      vpPath,
      '--audience',
      'https://verifier.example',
      '--nonce',
      'n-0S6_WzA2Mj',
    ])
    expect(ok.code, ok.out).toBe(0)
    expect(JSON.parse(ok.out)).toMatchObject({
      verified: true,
      format: 'vp+jwt',
      credentials: [{ verified: true }],
    })
    const wrongNonce = await cli([
      'verify',
      '--in',
      vpPath,
      '--audience',
      'https://verifier.example',
      '--nonce',
      'other',
    ])
    expect(wrongNonce.code).toBe(1)
    expect(JSON.parse(wrongNonce.out).errors.map((e: { code: string }) => e.code)).toContain(
      'nonce_mismatch',
    )

    // An SD-JWT VC, presented by the holder with a KB-JWT.
    const unbound = await cli([
      'sign',
      '--id',
      'did:web:issuer.example#key-1',
      '--format',
      'sd-jwt',
      '--in',
      vcFile,
      '--secrets-file',
      secretsFile,
    ])
    expect(unbound.code, unbound.err).toBe(0)
    // Without holder binding there is nothing a KB-JWT could prove: presenting with one is refused.
    const noCnf = await cli([
      'sign',
      '--id',
      'did:web:holder.example#key-1',
      '--kind',
      'vp',
      '--format',
      'sd-jwt',
      '--in',
      await written('unbound.sd-jwt', unbound.out),
      '--secrets-file',
      holderSecrets,
      '--domain',
      'https://verifier.example',
      '--challenge',
      'abc',
    ])
    expect(noCnf.code).toBe(1)
    expect(noCnf.err).toMatch(/invalid_argument: .*no holder binding/)
    const sdJwt = await cli([
      'sign',
      '--id',
      'did:web:issuer.example#key-1',
      '--format',
      'sd-jwt',
      '--in',
      vcFile,
      '--secrets-file',
      secretsFile,
      '--holder-key',
      'did:web:holder.example#key-1',
    ])
    expect(sdJwt.code, sdJwt.err).toBe(0)
    const presented = await cli([
      'sign',
      '--id',
      'did:web:holder.example#key-1',
      '--kind',
      'vp',
      '--format',
      'sd-jwt',
      '--in',
      await written('vc.sd-jwt', sdJwt.out),
      '--secrets-file',
      holderSecrets,
      '--domain',
      'https://verifier.example',
      '--challenge',
      'abc',
    ])
    expect(presented.code, presented.err).toBe(0)
    expect(presented.out.split('~').at(-1)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/) // the KB-JWT
    const presentedOk = await cli([
      'verify',
      '--in',
      await written('presented.sd-jwt', presented.out),
      '--audience',
      'https://verifier.example',
      '--nonce',
      'abc',
    ])
    expect(presentedOk.code, presentedOk.out).toBe(0)
    expect(JSON.parse(presentedOk.out)).toMatchObject({ verified: true })
    const missing = await cli([
      'sign',
      '--id',
      'did:web:holder.example#key-1',
      '--kind',
      'vp',
      '--format',
      'sd-jwt',
      '--in',
      join(dir, 'vc.sd-jwt'),
      '--secrets-file',
      holderSecrets,
    ])
    expect(missing.code).toBe(1)
    expect(missing.err).toMatch(/invalid_request/)
  })

  it('every algorithm: keygen → sign (jwt) → verify; a non-DID id signs as its did:key', async () => {
    for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS']) {
      const id = `plain-${algorithm.toLowerCase()}`
      const key = await cli([
        'keygen',
        '--id',
        id,
        '--algorithm',
        algorithm,
        '--secrets-file',
        secretsFile,
        '--key-type',
        'Multikey',
        ...(algorithm === 'RSA-PSS' ? ['--modulus-length', '2048'] : []),
      ])
      expect(key.code, `${algorithm}: ${key.err}`).toBe(0)
      const method = JSON.parse(key.out)
      expect(method.type).toBe('Multikey')
      expect(method.id).toBe(`${method.controller}#${method.publicKeyMultibase}`)
      expect(method.controller).toMatch(/^did:key:z/)
      expect(key.err).toContain(`${id} is not a DID URL`)
      const subjectOnly = { ...credential, issuer: undefined }
      const signed = await cli([
        'sign',
        '--id',
        id,
        '--format',
        'jwt',
        '--in',
        await written(`${id}.json`, JSON.stringify(subjectOnly)),
        '--secrets-file',
        secretsFile,
      ])
      expect(signed.code, `${algorithm}: ${signed.err}`).toBe(0)
      const verdict = await cli(['verify'], {}, signed.out)
      expect(verdict.code, verdict.out).toBe(0)
      expect(JSON.parse(verdict.out)).toMatchObject({ verified: true, issuer: method.controller })
    }
  })

  it('wrong secrets fail with wrong_secrets and exit 1; nothing echoes a secret', async () => {
    const run = await cli(
      ['sign', '--id', 'did:web:issuer.example#key-1', '--format', 'jwt', '--in', vcFile],
      { CREDSIGN_SECRETS: 'guess-1\nguess-2' },
    )
    expect(run.code).toBe(1)
    expect(run.err).toMatch(/credsign sign: wrong_secrets/)
    expect(run.err).not.toContain('guess-')
    const unknown = await cli(
      ['sign', '--id', 'did:web:nobody.example#k', '--format', 'jwt', '--in', vcFile],
      { CREDSIGN_SECRETS: 'x' },
    )
    expect(unknown.code).toBe(1)
  })

  it('never takes secrets as arguments; usage errors exit 2 without echoing values', async () => {
    const asArg = await cli([
      'keygen',
      '--id',
      'k',
      '--algorithm',
      'Ed25519',
      '--secrets',
      'hunter2-secret',
    ])
    expect(asArg.code).toBe(2)
    expect(asArg.err).toContain('"--secrets"')
    expect(asArg.err).not.toContain('hunter2')
    const stray = await cli(['sign', '--id', 'k', '--format', 'jwt', 'hunter2-secret'])
    expect(stray.code).toBe(2)
    expect(stray.err).not.toContain('hunter2')
    const none = await cli(['keygen', '--id', 'k', '--algorithm', 'Ed25519'])
    expect(none.code).toBe(2)
    expect(none.err).toMatch(/--secrets-file PATH .* CREDSIGN_SECRETS/)
    expect(
      (await cli(['keygen', '--id', 'k', '--algorithm', 'Ed448'], { CREDSIGN_SECRETS: 's' })).code,
    ).toBe(2)
    expect(
      (await cli(['sign', '--id', 'k', '--format', 'cose'], { CREDSIGN_SECRETS: 's' })).code,
    ).toBe(2)
    expect(
      (
        await cli(['sign', '--id', 'k', '--format', 'jwt', '--kind', 'pop'], {
          CREDSIGN_SECRETS: 's',
        })
      ).code,
    ).toBe(2)
    expect((await cli(['keygen', '--algorithm', 'Ed25519'], { CREDSIGN_SECRETS: 's' })).code).toBe(
      2,
    )
    expect(
      (await cli(['keygen', '--id', 'k', '--algorithm', 'Ed25519'], { CREDSIGN_SECRETS: '\n\n' }))
        .code,
    ).toBe(2)
    expect(
      (
        await cli(['keygen', '--id', 'k', '--algorithm', 'Ed25519'], {
          CREDSIGN_SECRETS: 's',
          PBKDF2_ITERATIONS: '999',
        })
      ).code,
    ).toBe(2)
    const missingFile = await cli(['verify', '--in', join(dir, 'nope.json')])
    expect(missingFile.code).toBe(1)
    expect(missingFile.err).toContain('ENOENT')
    const help = await cli(['help'])
    expect(help.code).toBe(0)
    for (const command of ['serve', 'keygen', 'sign', 'verify', 'migrate'])
      expect(help.out).toContain(`  ${command} `)
    expect((await cli([])).code).toBe(2)
    expect((await cli(['frobnicate'])).code).toBe(2)
  })

  it('production never creates a service secret; a short one is refused', async () => {
    const prodDir = join(dir, 'prod')
    const missing = await cli(['keygen', '--id', 'k', '--algorithm', 'Ed25519'], {
      NODE_ENV: 'production',
      CREDSIGN_DATA_DIR: prodDir,
      CREDSIGN_SECRETS: 's',
      SIGNING_KEY_PATH: join(prodDir, 'signing-key'),
    })
    expect(missing.code).toBe(1)
    expect(missing.err).toMatch(
      /service secret file .*signing-key does not exist.*SIGNING_KEY_PATH/,
    )
    await expect(stat(prodDir)).rejects.toMatchObject({ code: 'ENOENT' })
    const short = await written('short-secret', '  only-twenty-one-chars \n')
    const tooShort = await cli(['keygen', '--id', 'k', '--algorithm', 'Ed25519'], {
      NODE_ENV: 'production',
      CREDSIGN_SECRETS: 's',
      SIGNING_KEY_PATH: short,
    })
    expect(tooShort.code).toBe(1)
    expect(tooShort.err).toMatch(
      /holds 21 bytes after trimming whitespace; at least 32 are required/,
    )
    expect(tooShort.err).not.toContain('only-twenty-one-chars')
  })
})
