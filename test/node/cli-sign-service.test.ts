// `credsign sign` calls the signing service directly: no HTTP code on its path (no fake Request,
// no auth, CORS or problem+json in-process), Data Integrity only through a dynamic import, and a
// request that cannot succeed refused before the key is unlocked, with the member at fault.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type CliIo } from '../../src/cli/run.js'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))
const SECRETS = ['correct horse battery staple']

/**
 * The relative modules `file` imports statically (import and export declarations, type-only ones
 * excluded).
 */
async function staticImports(file: string): Promise<string[]> {
  const source = ts.createSourceFile(file, await readFile(file, 'utf8'), ts.ScriptTarget.Latest)
  const out: string[] = []
  for (const statement of source.statements) {
    const typeOnly =
      (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly === true) ||
      (ts.isExportDeclaration(statement) && statement.isTypeOnly)
    const specifier =
      ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)
        ? statement.moduleSpecifier
        : undefined
    if (
      typeOnly ||
      specifier === undefined ||
      !ts.isStringLiteral(specifier) ||
      !specifier.text.startsWith('.')
    )
      continue
    out.push(resolve(dirname(file), specifier.text.replace(/\.js$/, '.ts')))
  }
  return out
}

/** Every src/ file loaded when `entry` is imported (static imports, transitively), relative to src/. */
async function staticClosure(entry: string): Promise<Set<string>> {
  const seen = new Set<string>()
  const queue = [join(SRC, entry)]
  while (queue.length > 0) {
    const file = queue.pop()!
    const name = relative(SRC, file).split('\\').join('/')
    if (seen.has(name)) continue
    seen.add(name)
    queue.push(...(await staticImports(file)))
  }
  return seen
}

describe('credsign sign: the signing service, no HTTP', () => {
  it('loads signVerifiable and no file of src/http/; Data Integrity is not loaded up front', async () => {
    const closure = await staticClosure('cli/sign.ts')
    expect(closure).toContain('service/sign-verifiable.ts')
    expect([...closure].filter((name) => name.startsWith('http/'))).toEqual([])
    expect(
      [...closure].filter(
        (name) =>
          name.startsWith('formats/data-integrity/') &&
          name !== 'formats/data-integrity/cryptosuites.ts' &&
          name !== 'formats/data-integrity/types.ts',
      ),
    ).toEqual([])
  })

  it('the HTTP sign route and the VC-API issue routes sign through the same service', async () => {
    for (const file of ['http/sign-route.ts', 'http/vc-api-routes.ts'])
      expect(await staticClosure(file), file).toContain('service/sign-verifiable.ts')
  })
})

describe('credsign sign: requests refused before the key is unlocked', () => {
  let dir: string
  let vcFile: string
  const cli = async (
    argv: string[],
    secrets: string[] = SECRETS,
  ): Promise<{ code: number; out: string; err: string }> => {
    const out: string[] = []
    const err: string[] = []
    const io: CliIo = {
      env: {
        PBKDF2_ITERATIONS: '1000',
        CREDSIGN_DATA_DIR: join(dir, 'data'),
        CREDSIGN_SECRETS: secrets.join('\n'),
      },
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    }
    const code = await runCli(argv, io)
    return { code, out: out.join('\n'), err: err.join('\n') }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsign-cli-sign-'))
    vcFile = join(dir, 'vc.json')
    await writeFile(
      vcFile,
      JSON.stringify({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        issuer: 'did:web:issuer.example',
        credentialSubject: { id: 'did:example:alice' },
      }),
    )
    const key = await cli([
      'keygen',
      '--id',
      'did:web:issuer.example#key-1',
      '--algorithm',
      'Ed25519',
    ])
    expect(key.code, key.err).toBe(0)
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('a credential with a challenge: invalid_request naming the member, even with wrong secrets (no unlock was tried)', async () => {
    const run = await cli(
      [
        'sign',
        '--id',
        'did:web:issuer.example#key-1',
        '--format',
        'jwt',
        '--in',
        vcFile,
        '--challenge',
        'c-1',
      ],
      ['a wrong secret'],
    )
    expect(run.code).toBe(1)
    expect(run.err).toBe(
      'credsign sign: invalid_request: challenge: credentials take no challenge (challenge: credentials take no challenge)',
    )
  })

  it('an unknown cryptosuite: invalid_request listing the suites of the one list', async () => {
    const run = await cli([
      'sign',
      '--id',
      'did:web:issuer.example#key-1',
      '--format',
      'data-integrity',
      '--in',
      vcFile,
      '--cryptosuite',
      'bbs-2023',
    ])
    expect(run.code).toBe(1)
    expect(run.err).toContain(
      'invalid_request: cryptosuite: must be one of "eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019", "Ed25519Signature2020"',
    )
  })

  it('a document nested deeper than credsign serve accepts is refused (malformed), as before', async () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 40; i++) deep = { a: deep }
    const path = join(dir, 'deep.json')
    await writeFile(
      path,
      JSON.stringify({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        credentialSubject: deep,
      }),
    )
    const run = await cli([
      'sign',
      '--id',
      'did:web:issuer.example#key-1',
      '--format',
      'jwt',
      '--in',
      path,
    ])
    expect(run.code).toBe(1)
    expect(run.err).toMatch(/malformed: the input nests deeper than 31 levels/)
  })

  it('still signs once the request fits', async () => {
    const run = await cli([
      'sign',
      '--id',
      'did:web:issuer.example#key-1',
      '--format',
      'data-integrity',
      '--in',
      vcFile,
      '--cryptosuite',
      'eddsa-jcs-2022',
    ])
    expect(run.code, run.err).toBe(0)
    expect(JSON.parse(run.out).proof).toMatchObject({
      cryptosuite: 'eddsa-jcs-2022',
      verificationMethod: 'did:web:issuer.example#key-1',
    })
  })
})
