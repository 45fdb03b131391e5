// Type-checks every TSDoc @example of every package entry point against the BUILT package
// (dist/*.d.ts, resolved through package.json "exports" exactly as a user's `import 'credsign/…'`
// resolves), so an example that drifted from the API fails CI.
// Usage: npx tsup && node scripts/compile-examples.mjs [--out DIR]   (exit 1 when any does not compile)
//
// Which examples: the @example tags of every name the six entry points export (values and types)
// and of their members (class methods and properties, interface members). Each ```ts block is one
// module; inputs it does not build itself come from `declare const` lines in the example.
import { existsSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { ENTRY_POINTS } from './entry-points.mjs'
import { compileSnippets } from './compile-snippets.mjs'

const root = resolve(import.meta.dirname, '..')
const outArg = process.argv.indexOf('--out')
// Inside the package directory, so `import 'credsign'` resolves to this package (self-reference).
const outDir = resolve(root, outArg > 0 ? process.argv[outArg + 1] : '.ci-out/compiled-examples')

for (const { types } of ENTRY_POINTS) {
  if (!existsSync(join(root, types))) {
    console.log(`${types} is missing: build the package first (npx tsup)`)
    process.exit(1)
  }
}

// 1. Collect the examples from the sources.
const program = ts.createProgram(
  ENTRY_POINTS.map((entry) => join(root, entry.source)),
  {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
  },
)
const checker = program.getTypeChecker()
const examples = [] // { file, line, code, owner }
const seen = new Set() // a declaration exported by two entry points is checked once

function collect(symbol, owner) {
  for (const declaration of symbol.declarations ?? []) {
    for (const tag of ts.getJSDocTags(declaration)) {
      if (tag.tagName.text !== 'example') continue
      const sourceFile = declaration.getSourceFile()
      const key = `${sourceFile.fileName}:${tag.pos}`
      if (seen.has(key)) continue
      seen.add(key)
      const text = ts.getTextOfJSDocComment(tag.comment) ?? ''
      const blocks = [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1])
      if (blocks.length === 0) blocks.push(text)
      // Source line of each block's first code line: the line after its opening fence.
      const tagLine = sourceFile.getLineAndCharacterOfPosition(tag.getStart(sourceFile)).line
      const lines = sourceFile.text.split('\n')
      const fenceLines = []
      for (let i = tagLine; i < lines.length && !/\*\//.test(lines[i]); i++)
        if (/```/.test(lines[i])) fenceLines.push(i)
      blocks.forEach((code, index) => {
        const fence = fenceLines[index * 2]
        examples.push({
          file: relative(root, sourceFile.fileName),
          line: (fence ?? tagLine) + 2,
          code,
          owner,
        })
      })
    }
  }
}

for (const entry of ENTRY_POINTS) {
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(join(root, entry.source)))
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
    const owner = `${entry.name}: ${exported.name}`
    collect(symbol, owner)
    for (const table of [symbol.members, symbol.exports]) {
      table?.forEach((member, name) => {
        if (name !== 'prototype') collect(member, `${owner}.${name}`)
      })
    }
  }
}

// 2. One module per example.
const failures = compileSnippets(
  examples.map((example) => ({ ...example, label: example.owner })),
  { root, outDir, prefix: 'example-' },
)

if (failures.size > 0) {
  for (const [where, messages] of failures) console.log(`${where}\n  ${messages.join('\n  ')}`)
  console.log(
    `\n${failures.size} error location(s) in ${examples.length} @example blocks (modules in ${relative(root, outDir)})`,
  )
  process.exit(1)
}
console.log(
  `all ${examples.length} @example blocks of ${ENTRY_POINTS.length} entry points compile against dist/`,
)
