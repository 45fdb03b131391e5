import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// The layer map of ARCHITECTURE.md, lowest first: a folder imports only folders on an earlier line
// (or its own). Folders on one line are peers and never import each other. Type-only imports count
// too: a type that flows up the graph is a dependency all the same.
const LAYERS: readonly (readonly string[])[] = [
  ['errors'],
  ['util'],
  ['keys'],
  ['backend'],
  ['x509'],
  ['did'],
  ['envelope'],
  ['stores'],
  ['vault'],
  ['resolve'],
  ['jose'],
  ['credential'],
  ['verify'],
  ['formats/jwt', 'formats/sd-jwt', 'formats/data-integrity', 'formats/enveloped'],
  ['formats'], // src/formats/*.ts: what composes the formats (the built-in handlers of verify())
  ['oid4vci'],
  ['status'],
  ['service'],
  ['file', 'postgres', 'testing', 'adapters'],
  ['http'],
  ['cli'],
]

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

/**
 * The layer folder of a file under src/ (`formats/jwt` for src/formats/jwt/handler.ts); undefined
 * for entry files at the top.
 */
function folderOf(file: string): string | undefined {
  const path = relative(SRC, file).split('\\').join('/')
  const parts = path.split('/')
  if (parts.length === 1) return undefined // src/index.ts, src/index.node.ts: the entry points, above everything
  if (parts[0] === 'formats') return parts.length === 2 ? 'formats' : `formats/${parts[1]}`
  return parts[0]
}

function layerOf(folder: string): number {
  const index = LAYERS.findIndex((line) => line.includes(folder))
  if (index < 0)
    throw new Error(`src/${folder} is in no layer: add it to LAYERS and to ARCHITECTURE.md`)
  return index
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

/** Every relative import and re-export of `file`, static or dynamic, resolved to a path under src/. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  return info.importedFiles
    .map((ref) => ref.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name))
}

describe('import boundaries (ARCHITECTURE.md layer map)', () => {
  const files = sourceFiles(SRC)

  it('every folder under src/ is in the layer map', () => {
    for (const file of files) {
      const folder = folderOf(file)
      if (folder !== undefined) expect(() => layerOf(folder), file).not.toThrow()
    }
  })

  it('no folder imports a folder of its own layer or of a layer below it in the list', () => {
    const violations: string[] = []
    for (const file of files) {
      const from = folderOf(file)
      if (from === undefined) continue
      for (const target of importsOf(file)) {
        const to = folderOf(target)
        if (to === undefined) {
          violations.push(
            `${relative(SRC, file)} imports an entry point (${relative(SRC, target)})`,
          )
          continue
        }
        if (to === from) continue
        if (layerOf(to) >= layerOf(from))
          violations.push(
            `${relative(SRC, file)} (${from}) imports ${relative(SRC, target)} (${to})`,
          )
      }
    }
    expect(violations).toEqual([])
  })
})
