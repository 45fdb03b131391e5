#!/usr/bin/env node
// The `credsign` command (package.json "bin"). All logic is in run.ts, where tests call it.
// No top-level await: this file is also built as CommonJS.
import { nodeCryptoBackend } from '../backend/node-crypto.js'
import { installBackend } from '../keys/backend.js'
import { runCli } from './run.js'

// As the package's `node` entry does: signing and verification through node:crypto where faster.
installBackend(nodeCryptoBackend())

// Access log lines are written in batches, once per turn of the event loop: one write per burst
// of requests instead of one per request.
let accessLines: string[] = []
const flushAccessLog = (): void => {
  const lines = accessLines
  accessLines = []
  process.stdout.write(lines.join('\n') + '\n')
}

void runCli(process.argv.slice(2), {
  env: process.env,
  ...(process.argv[1] === undefined ? {} : { workerScript: process.argv[1] }),
  accessLog: (line) => {
    if (accessLines.push(line) === 1) setImmediate(flushAccessLog)
  },
  out: (line) => console.log(line),
  err: (line) => console.error(line),
}).then((code) => {
  process.exitCode = code
})
