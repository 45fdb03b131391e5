// Lists public exports (of every package entry point) whose TSDoc has no @example.
// Usage: node scripts/check-examples.mjs   (exit 1 when any is missing)
// That the examples compile is scripts/compile-examples.mjs (needs dist/).
import ts from 'typescript'
import { ENTRY_POINTS } from './entry-points.mjs'
const entries = ENTRY_POINTS.map((entry) => entry.source)
const program = ts.createProgram(entries, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  skipLibCheck: true,
})
const checker = program.getTypeChecker()
const missing = []
for (const entry of entries) {
  const source = program.getSourceFile(entry)
  const moduleSymbol = checker.getSymbolAtLocation(source)
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
    // Types and interfaces document shapes; the rule is for values (functions, classes, constants).
    if (
      !(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Variable))
    )
      continue
    const tags = symbol.getJsDocTags(checker)
    if (!tags.some((t) => t.name === 'example')) missing.push(`${entry}: ${exported.name}`)
  }
}
if (missing.length) {
  console.log(`exports without an @example (${missing.length}):\n  ` + missing.join('\n  '))
  process.exit(1)
}
console.log('every exported function, class and constant has an @example')
