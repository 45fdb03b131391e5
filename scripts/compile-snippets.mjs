// The part scripts/compile-examples.mjs (TSDoc @example blocks) and scripts/compile-readme.mjs
// (README ```ts blocks) share: write each snippet as a module of its own inside the package directory
// (so `import 'credsign/…'` resolves through package.json "exports" to dist/*.d.ts, as a user's does)
// and type-check them all with a user's settings: ESM, strict, Node and DOM types.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'

/** The compiler options a user's project would have. */
export const USER_COMPILER_OPTIONS = {
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

/**
 * Writes `snippets` ({ code, file, line, label? }) as `<prefix>NNN.ts` modules in `outDir` (emptied
 * first) and type-checks them. Returns a Map from "where" (source file:line, label, module) to the
 * compiler's messages; empty when everything compiles.
 */
export function compileSnippets(snippets, { root, outDir, prefix, digits = 3 }) {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const byFile = new Map()
  snippets.forEach((snippet, index) => {
    const name = join(outDir, `${prefix}${String(index + 1).padStart(digits, '0')}.ts`)
    // `export {}` makes every snippet a module (top-level await, no names shared between snippets).
    writeFileSync(name, `${snippet.code}\nexport {}\n`)
    byFile.set(name, snippet)
  })
  const program = ts.createProgram([...byFile.keys()], USER_COMPILER_OPTIONS)
  const failures = new Map()
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n    ')
    if (diagnostic.file === undefined || !byFile.has(diagnostic.file.fileName)) {
      failures.set(`(global) ${message}`, [])
      continue
    }
    const snippet = byFile.get(diagnostic.file.fileName)
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
    const label = snippet.label === undefined ? '' : `${snippet.label}, `
    const where = `${snippet.file}:${snippet.line + line} (${label}${relative(root, diagnostic.file.fileName)})`
    if (!failures.has(where)) failures.set(where, [])
    failures.get(where).push(`TS${diagnostic.code}: ${message}`)
  }
  return failures
}
