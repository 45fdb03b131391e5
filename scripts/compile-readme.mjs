// Type-checks every ```ts block of README.md against the BUILT package (dist/*.d.ts, resolved through
// package.json "exports" as a user's `import 'credsign/…'` resolves), with the same compiler settings
// as the TSDoc examples (scripts/compile-examples.mjs), so a README snippet that drifted from the API,
// or uses a name it never defines, fails CI.
// Usage: npx tsup && node scripts/compile-readme.mjs [--out DIR] [FILE.md ...]   (exit 1 when any does not compile)
//
// Each block is one module: what it does not build itself it declares (`declare const vault: KeyVault`),
// so a reader sees every name's type. Only ```ts blocks are compiled (```sh and others are not code).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { ENTRY_POINTS } from './entry-points.mjs'

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
rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })
const byFile = new Map()
blocks.forEach((block, index) => {
  const name = join(outDir, `readme-${String(index + 1).padStart(2, '0')}.ts`)
  // `export {}` makes every block a module (top-level await, no names shared between blocks).
  writeFileSync(name, `${block.code}\nexport {}\n`)
  byFile.set(name, block)
})

// 3. Type-check them as a user's project would (the settings of compile-examples.mjs).
const options = {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  strict: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: true,
  noEmit: true,
}
const program = ts.createProgram([...byFile.keys()], options)
const failures = new Map()
for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n    ')
  if (diagnostic.file === undefined || !byFile.has(diagnostic.file.fileName)) {
    failures.set(`(global) ${message}`, [])
    continue
  }
  const block = byFile.get(diagnostic.file.fileName)
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
  const where = `${block.file}:${block.line + line} (${relative(root, diagnostic.file.fileName)})`
  if (!failures.has(where)) failures.set(where, [])
  failures.get(where).push(`TS${diagnostic.code}: ${message}`)
}

if (failures.size > 0) {
  for (const [where, messages] of failures) console.log(`${where}\n  ${messages.join('\n  ')}`)
  console.log(
    `\n${failures.size} error location(s) in ${blocks.length} \`\`\`ts blocks of ${files.join(', ')}`,
  )
  process.exit(1)
}
console.log(`all ${blocks.length} \`\`\`ts blocks of ${files.join(', ')} compile against dist/`)
