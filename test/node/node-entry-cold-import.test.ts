/**
 * What importing the `node` entry (src/index.node.ts) loads: no curve arithmetic (@noble/curves),
 * no password KDF (@noble/hashes argon2 / scrypt) and no SHA-3 until something uses them (issue 15:
 * cold `import('credsign')`). A fresh Node process imports the entry through tsx with a resolve
 * hook that appends every resolved URL to a log file; a marker line separates the import from a
 * later use that does load noble (secp256k1 key generation), which shows the hook sees lazy loads.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
let dir: string
let imported: string[]
let later: string[]

const HOOK = `
import { appendFileSync } from 'node:fs'
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  appendFileSync(process.env.CREDSIGN_RESOLVE_LOG, resolved.url + '\\n')
  return resolved
}
`

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsign-cold-import-'))
  const hook = join(dir, 'hook.mjs')
  const log = join(dir, 'resolved.log')
  await writeFile(hook, HOOK)
  await writeFile(log, '')
  const register = join(dir, 'register.mjs')
  await writeFile(
    register,
    `import { register } from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hook).href)})\n`,
  )
  const entry = pathToFileURL(join(repoRoot, 'src/index.node.ts')).href
  const script = `
    import { appendFileSync } from 'node:fs'
    const credsign = await import(${JSON.stringify(entry)})
    appendFileSync(process.env.CREDSIGN_RESOLVE_LOG, '--- imported\\n')
    await credsign.generateKeyPair('secp256k1')
  `
  const child = spawn(
    process.execPath,
    [
      '--import',
      join(repoRoot, 'node_modules/tsx/dist/loader.mjs'),
      '--import',
      register,
      '--input-type=module',
      '-e',
      script,
    ],
    { env: { ...process.env, CREDSIGN_RESOLVE_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const code = await new Promise<number | null>((done) => child.on('exit', done))
  expect(code, stderr).toBe(0)
  const lines = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '')
  const marker = lines.indexOf('--- imported')
  expect(marker).toBeGreaterThan(0)
  imported = lines.slice(0, marker)
  later = lines.slice(marker + 1)
}, 60_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('import of the node entry', () => {
  it('loads the entry and the node:crypto backend (the hook sees the import)', () => {
    expect(imported.some((url) => url.endsWith('/src/index.node.ts'))).toBe(true)
    expect(imported.some((url) => url.endsWith('/src/backend/node-crypto.ts'))).toBe(true)
  })

  it('loads no @noble/curves module', () => {
    expect(imported.filter((url) => url.includes('/@noble/curves/'))).toEqual([])
  })

  it('loads no password KDF (argon2, scrypt) and no SHA-3 from @noble/hashes', () => {
    expect(
      imported.filter((url) => /\/@noble\/hashes\/(argon2|scrypt|sha3|blake2)\.js$/.test(url)),
    ).toEqual([])
  })

  it('noble still loads when used (secp256k1 key generation, after the import)', () => {
    expect(later.some((url) => url.includes('/@noble/curves/'))).toBe(true)
  })
})
