// Cold start: what the first `await import('credsign')` costs a fresh Node process, next to jose.
// Usage: node bench/cold-import.mjs [runs] [label=path ...]
//   (from the repo root, after `npx tsup`; default 21 runs). Each label=path adds a row importing
//   that file, e.g. `before=.old/dist/index.node.js` for a copy of an earlier build kept inside the
//   repository (so its bare imports resolve to this node_modules): before and after in one run.
//
// Each run is a new `node` process (nothing cached in memory; the OS file cache is warm after the
// first run, as on a server that restarts). The child measures `performance.now()` around the
// dynamic import and prints it; the parent also times the whole process (spawn to exit, which
// includes Node's own start). Reports the median of each. `credsign` resolves through this
// repository's package.json "exports" (the `node` condition: dist/index.node.js), as installed.
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'

const runs = Number(process.argv[2] ?? 21)
const subjects = [
  { name: 'node (no import)', specifier: null },
  { name: 'jose', specifier: 'jose' },
  { name: 'credsign', specifier: 'credsign' },
  { name: 'credsign/http', specifier: 'credsign/http' },
  ...process.argv.slice(3).map((argument) => {
    const [label, path] = argument.split('=')
    if (!label || !path) throw new Error(`expected label=path, got ${argument}`)
    return {
      name: label,
      specifier: pathToFileURL(resolve(path)).href,
      shown: `${label}: \`import('${path}')\``,
    }
  }),
]

function once(specifier) {
  const code =
    specifier === null
      ? 'console.log(0)'
      : `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t)`
  const started = performance.now()
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
  })
  const wall = performance.now() - started
  if (child.status !== 0) throw new Error(`import(${specifier}) failed: ${child.stderr}`)
  return { importMs: Number(child.stdout.trim()), wallMs: wall }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const results = new Map(subjects.map((s) => [s.name, []]))
// Interleaved, so a slow moment of the machine hits every subject alike.
for (let i = 0; i < runs; i++) for (const s of subjects) results.get(s.name).push(once(s.specifier))

console.log(`Node ${process.version}, ${runs} fresh processes each, median`)
console.log('')
console.log('| cold start | `await import()`, ms | whole process, ms |')
console.log('|---|---:|---:|')
for (const s of subjects) {
  const rows = results.get(s.name)
  const importMs = s.specifier === null ? '—' : median(rows.map((r) => r.importMs)).toFixed(1)
  console.log(
    `| ${s.specifier === null ? s.name : s.shown !== undefined ? s.shown : `\`import('${s.specifier}')\``} | ${importMs} | ${median(rows.map((r) => r.wallMs)).toFixed(1)} |`,
  )
}
