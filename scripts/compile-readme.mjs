// Type-checks every ```ts block of README.md against the BUILT package (dist/*.d.ts, resolved through
// package.json "exports" as a user's `import 'credsign/…'` resolves), with the same compiler settings
// as the TSDoc examples (scripts/compile-examples.mjs), so a README snippet that drifted from the API,
// or uses a name it never defines, fails CI.
// Usage: npx tsup && node scripts/compile-readme.mjs [--out DIR] [FILE.md ...]   (exit 1 when any does not compile)
//
// Each block is one module: what it does not build itself it declares (`declare const vault: KeyVault`),
// so a reader sees every name's type. Only ```ts blocks are compiled (```sh and others are not code).
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ENTRY_POINTS } from './entry-points.mjs'
import { compileSnippets } from './compile-snippets.mjs'

const root = resolve(import.meta.dirname, '..')
const args = process.argv.slice(2)
const outArg = args.indexOf('--out')
// Inside the package directory, so `import 'credsign'` resolves to this package (self-reference).
const outDir = resolve(root, outArg >= 0 ? args[outArg + 1] : '.ci-out/compiled-readme')
const files = args.filter((arg, i) => arg !== '--out' && args[i - 1] !== '--out')
if (files.length === 0) files.push('README.md')

for (const { types } of ENTRY_POINTS) {
  if (!existsSync(join(root, types))) {
    console.log(`${types} is missing: build the package first (npx tsup)`)
    process.exit(1)
  }
}

// 1. The ```ts blocks, with the line of their first code line.
const blocks = [] // { file, line, code }
for (const file of files) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i])) continue
    const start = i + 1
    let end = start
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++
    if (end === lines.length) {
      console.log(`${file}:${i + 1}: a \`\`\`ts block that is never closed`)
      process.exit(1)
    }
    blocks.push({ file, line: start + 1, code: lines.slice(start, end).join('\n') })
    i = end
  }
}
if (blocks.length === 0) {
  console.log(`no \`\`\`ts blocks in ${files.join(', ')}`)
  process.exit(1)
}

// 2. One module per block.
const failures = compileSnippets(blocks, { root, outDir, prefix: 'readme-', digits: 2 })

if (failures.size > 0) {
  for (const [where, messages] of failures) console.log(`${where}\n  ${messages.join('\n  ')}`)
  console.log(
    `\n${failures.size} error location(s) in ${blocks.length} \`\`\`ts blocks of ${files.join(', ')}`,
  )
  process.exit(1)
}
console.log(`all ${blocks.length} \`\`\`ts blocks of ${files.join(', ')} compile against dist/`)
