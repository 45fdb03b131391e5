// credsign serve --workers: the primary (runPrimary) with scripted workers that speak its IPC
// protocol, so a worker's life can be set exactly: one that listened and then died is replaced,
// also while another worker is still starting; one that never listens stops the server.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runPrimary } from '../../src/cli/cluster.js'

/** A worker script: per worker index (and start count, through a file), what it does. */
function workerScript(dir: string): string {
  const script = join(dir, 'worker.mjs')
  writeFileSync(
    script,
    `
import { appendFileSync, readFileSync } from 'node:fs'
const index = process.env.CREDSIGN_SERVE_WORKER
const log = ${JSON.stringify(join(dir, 'starts.log'))}
appendFileSync(log, index + '\\n')
const starts = readFileSync(log, 'utf8').split('\\n').filter((line) => line === index).length
let next = 1
const ask = (kind, payload) => process.send({ credsignIpc: 1, id: next++, kind, payload })
process.on('message', (message) => {
  if (message && message.credsignIpc === 1 && message.kind === 'shutdown') {
    process.send({ credsignIpc: 1, id: message.id, ok: true, payload: true }, () => process.exit(0))
  }
})
const behaviour = process.argv[2]
if (behaviour === 'never-listens') {
  process.exit(3)
} else if (index === '1' && starts === 1) {
  // Listens, then dies before worker 2 has started listening.
  ask('ready', { address: 'http://127.0.0.1:1' })
  setTimeout(() => process.exit(9), 100)
} else {
  // Worker 2 (and a replacement of 1) listens later.
  setTimeout(() => ask('ready', { address: 'http://127.0.0.1:1' }), index === '2' ? 1500 : 200)
  setInterval(() => {}, 1000)
}
`,
  )
  return script
}

function run(behaviour: string) {
  const dir = mkdtempSync(join(tmpdir(), 'credsign-cluster-'))
  const errors: string[] = []
  const announced: string[] = []
  let stop!: () => void
  const shutdown = new Promise<void>((resolve) => (stop = resolve))
  const exit = runPrimary({
    workers: 2,
    script: workerScript(dir),
    args: [behaviour],
    io: { env: {}, out: () => {}, err: (line: string) => errors.push(line) },
    shutdown,
    graceMs: 500,
    announce: (address) => announced.push(address),
  })
  return { dir, errors, announced, stop, exit }
}

describe('credsign serve --workers: a worker that dies', () => {
  it('after listening, while another still starts: it is replaced and the server comes up', async () => {
    const primary = run('dies-after-ready')
    const deadline = Date.now() + 10_000
    while (primary.announced.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50))
    expect(primary.errors.join('\n')).not.toMatch(/before it listened/)
    expect(primary.errors.join('\n')).toMatch(/worker 1 exited \(code 9\); starting another/)
    expect(primary.announced).toEqual(['http://127.0.0.1:1'])
    primary.stop()
    await expect(primary.exit).resolves.toBe(0)
  }, 20_000)

  it('before listening: the server stops with code 1 and says why', async () => {
    const primary = run('never-listens')
    await expect(primary.exit).resolves.toBe(1)
    expect(primary.errors.join('\n')).toMatch(/exited \(code 3\) before it listened; stopping/)
    expect(primary.announced).toEqual([])
  }, 20_000)
})
