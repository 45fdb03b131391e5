#!/usr/bin/env node
// The `credsign` command (package.json "bin"). All logic is in run.ts, where tests call it.
// No top-level await: this file is also built as CommonJS.
import { runCli } from './run.js'

void runCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
}).then((code) => {
  process.exitCode = code
})
