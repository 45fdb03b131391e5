#!/usr/bin/env node
// Starts every server in examples/ against the BUILT package (dist/; run `npm run build` first, as
// .ci/test.sh does) and calls it like a client: /health, an authenticated /generate, and a
// /sign/vc/jwt whose JWT must verify with jose against the generated key. Then SIGTERM.
//   express, node-http: node + tsx, with examples/tsconfig.json (no source path mapping → dist/)
//   hono-bun: bun (npm package), which reads examples/tsconfig.json itself
//   deno: deno run (npm package); Deno resolves the package's own name to dist/
// Usage: node scripts/test-examples.mjs [--junit FILE] [NAME...]
// One JUnit <testcase> per step (.ci/count-junit.mjs counts them); exit 1 on any failure.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as jose from 'jose'

const repo = fileURLToPath(new URL('..', import.meta.url))
const bin = (name) => join(repo, 'node_modules', '.bin', name)
const STARTUP_MS = 60_000
const REQUEST_MS = 30_000

const EXAMPLES = {
  express: {
    command: process.execPath,
    args: ['--import', 'tsx', 'examples/express/server.ts'],
    ownRoute: true,
  },
  'node-http': {
    command: process.execPath,
    args: ['--import', 'tsx', 'examples/node-http/server.ts'],
  },
  'hono-bun': { command: bin('bun'), args: ['examples/hono-bun/server.ts'], ownRoute: true },
  deno: {
    command: bin('deno'),
    args: [
      'run',
      '--node-modules-dir=manual',
      '--cached-only',
      '--no-check',
      '--allow-net=127.0.0.1',
      '--allow-env',
      'examples/deno/server.ts',
    ],
  },
}

/** The recipes of examples/recipes/ (issue 17): scripts that exit 0 once every output verified. */
const RECIPES = ['evault-key-binding', 'fluree', 'vcverifier']

const args = process.argv.slice(2)
let junit
const only = []
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--junit') junit = args[++i]
  else if (Object.hasOwn(EXAMPLES, args[i]) || args[i] === 'recipes') only.push(args[i])
  else {
    console.error(
      `usage: node scripts/test-examples.mjs [--junit FILE] [${[...Object.keys(EXAMPLES), 'recipes'].join('|')}]...`,
    )
    process.exit(2)
  }
}

/** @type {{ example: string; name: string; ms: number; error?: string }[]} */
const results = []

if (!existsSync(join(repo, 'dist', 'http', 'index.js'))) {
  results.push({
    example: 'build',
    name: 'dist/http/index.js exists (run npm run build first)',
    ms: 0,
    error: 'dist/ has no build of credsign/http',
  })
} else {
  for (const name of only.length > 0 ? only : [...Object.keys(EXAMPLES), 'recipes'])
    if (name === 'recipes') for (const recipe of RECIPES) await runRecipe(recipe)
    else await runExample(name, EXAMPLES[name])
}

const failed = results.filter((r) => r.error !== undefined)
for (const r of results)
  console.log(
    `${r.error === undefined ? '✓' : '✗'} ${r.example}: ${r.name} (${r.ms} ms)${r.error === undefined ? '' : `\n    ${r.error.replaceAll('\n', '\n    ')}`}`,
  )
console.log(`examples: ${results.length - failed.length} passed, ${failed.length} failed`)
if (junit !== undefined) writeJunit(junit)
process.exit(failed.length > 0 ? 1 : 0)

/** Runs examples/recipes/NAME.ts on the built package; it must exit 0 within STARTUP_MS. */
async function runRecipe(name) {
  const started = Date.now()
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/recipes/${name}.ts`], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: join(repo, 'examples', 'tsconfig.json'),
      NO_COLOR: '1',
    },
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), STARTUP_MS)
  const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)))
  clearTimeout(timer)
  results.push({
    example: 'recipes',
    name: `${name} runs and verifies its outputs`,
    ms: Date.now() - started,
    ...(code === 0 && /: ok$/m.test(output)
      ? {}
      : { error: `exit ${code}\n${output.slice(-2000)}` }),
  })
}

async function runExample(name, example) {
  const port = await freePort()
  const token = randomBytes(24).toString('base64url')
  const base = `http://127.0.0.1:${port}`
  const child = spawn(example.command, example.args, {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      CREDSIGN_TOKEN: token,
      CREDSIGN_SERVICE_SECRET: randomBytes(32).toString('base64url'),
      TSX_TSCONFIG_PATH: join(repo, 'examples', 'tsconfig.json'),
      DENO_NO_UPDATE_CHECK: '1',
      DENO_NO_PROMPT: '1',
      NO_COLOR: '1',
    },
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  child.on('error', (error) => (output += `\nspawn failed: ${error.message}`))
  const tail = () => `output:\n${output.trim().split('\n').slice(-15).join('\n') || '(none)'}`
  let broken = false
  const step = async (stepName, fn) => {
    const started = performance.now()
    let error
    if (broken) error = 'not run: an earlier step failed'
    else {
      try {
        await fn()
      } catch (e) {
        error = `${e instanceof Error ? e.message : String(e)}\n${tail()}`
        broken = true
      }
    }
    results.push({
      example: `examples/${name}`,
      name: stepName,
      ms: Math.round(performance.now() - started),
      ...(error === undefined ? {} : { error }),
    })
  }

  try {
    await step('starts and answers GET /health', async () => {
      const deadline = Date.now() + STARTUP_MS
      let exit
      void exited.then((e) => (exit = e))
      for (;;) {
        if (exit !== undefined)
          throw new Error(
            `the server exited (code ${exit.code}, signal ${exit.signal}) before answering`,
          )
        const response = await fetch(`${base}/health`, {
          signal: AbortSignal.timeout(2_000),
        }).catch(() => undefined)
        if (response?.status === 200) {
          const body = await response.json()
          if (body.status !== 'ok') throw new Error(`/health said ${JSON.stringify(body)}`)
          break
        }
        if (Date.now() > deadline)
          throw new Error(`no answer on ${base}/health within ${STARTUP_MS} ms`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      if (example.ownRoute) {
        const own = await fetch(`${base}/`, { signal: AbortSignal.timeout(REQUEST_MS) })
        if (own.status !== 200 || !(await own.text()).includes('your own routes'))
          throw new Error(`GET / (the app's own route) answered ${own.status}`)
      }
    })

    let method
    await step('POST /generate: 401 without the bearer token, 201 with it', async () => {
      const body = {
        identifier: 'did:web:issuer.example#key-1',
        secrets: ['correct horse battery staple'],
        signatureType: 'Ed25519',
      }
      const anonymous = await post(`${base}/generate`, body)
      if (anonymous.status !== 401)
        throw new Error(`without a token: ${anonymous.status}, expected 401`)
      await anonymous.body?.cancel()
      const response = await post(`${base}/generate`, body, token)
      const text = await response.text()
      if (response.status !== 201) throw new Error(`with the token: ${response.status} ${text}`)
      method = JSON.parse(text)
      if (
        method.id !== body.identifier ||
        method.publicKeyJwk?.crv !== 'Ed25519' ||
        'd' in method.publicKeyJwk
      )
        throw new Error(`unexpected verification method ${text}`)
    })

    await step(
      'POST /sign/vc/jwt: the JWT verifies with jose (the generated key, and GET /.well-known/jwks.json)',
      async () => {
        const credential = {
          '@context': ['https://www.w3.org/ns/credentials/v2'],
          type: ['VerifiableCredential'],
          issuer: 'did:web:issuer.example',
          credentialSubject: { id: 'did:example:alice', name: 'Alice' },
        }
        const response = await post(
          `${base}/sign/vc/jwt`,
          {
            identifier: method.id,
            secrets: ['correct horse battery staple'],
            verifiable: credential,
          },
          token,
        )
        const jwt = await response.text()
        if (response.status !== 201) throw new Error(`${response.status} ${jwt}`)
        const { payload, protectedHeader } = await jose.jwtVerify(
          jwt,
          await jose.importJWK(method.publicKeyJwk, 'EdDSA'),
          { typ: 'vc+jwt' },
        )
        if (
          protectedHeader.kid !== method.id ||
          payload.issuer !== credential.issuer ||
          payload.credentialSubject?.name !== 'Alice'
        ) {
          throw new Error(`unexpected JWT ${JSON.stringify({ protectedHeader, payload })}`)
        }
        const jwks = await fetch(`${base}/.well-known/jwks.json`, {
          signal: AbortSignal.timeout(REQUEST_MS),
        })
        if (jwks.status !== 200) throw new Error(`/.well-known/jwks.json answered ${jwks.status}`)
        await jose.jwtVerify(jwt, jose.createLocalJWKSet(await jwks.json()))
      },
    )

    await step('stops on SIGTERM', async () => {
      child.kill('SIGTERM')
      const timeout = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('still running 10 s after SIGTERM')), 10_000).unref(),
      )
      await Promise.race([exited, timeout])
    })
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  }
}

function post(url, body, token) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_MS),
  })
}

/** A port nothing listens on right now (the example binds it a moment later). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function writeJunit(file) {
  const escape = (text) =>
    text
      .replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c])
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  const suites = new Map()
  for (const r of results) suites.set(r.example, [...(suites.get(r.example) ?? []), r])
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="examples" tests="${results.length}" failures="${failed.length}" errors="0">`,
  ]
  for (const [suite, cases] of suites) {
    lines.push(
      `  <testsuite name="${escape(suite)}" tests="${cases.length}" failures="${cases.filter((c) => c.error !== undefined).length}" errors="0">`,
    )
    for (const c of cases) {
      const open = `    <testcase classname="${escape(suite)}" name="${escape(c.name)}" time="${(c.ms / 1000).toFixed(3)}"`
      if (c.error === undefined) lines.push(`${open}/>`)
      else
        lines.push(
          `${open}>`,
          `      <failure message="${escape(c.error.split('\n')[0])}">${escape(c.error)}</failure>`,
          '    </testcase>',
        )
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>', '')
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, lines.join('\n'))
}
