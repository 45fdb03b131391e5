import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

/**
 * The string members of `export type <name> = | 'a' | 'b' …` in a source file (up to `end`, or the
 * file's end).
 */
function unionMembers(path: string, name: string, end?: string): string[] {
  const source = readFileSync(new URL(path, import.meta.url), 'utf8')
  const start = source.indexOf(`export type ${name}`)
  expect(start, `${path} declares ${name}`).toBeGreaterThan(-1)
  const union = source.slice(start, end === undefined ? undefined : source.indexOf(end, start))
  return [...union.matchAll(/\|\s*'([a-z_]+)'/g)].map((m) => m[1]!)
}

/** The codes of the table in the section of docs/errors.md whose heading starts with `heading`. */
function documentedIn(heading: string): string[] {
  const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
  const sections = docs.split(/^(?=## )/m)
  const section = sections.find((s) => s.startsWith(heading))
  expect(section, `docs/errors.md has a section "${heading}"`).toBeDefined()
  return [...section!.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!)
}

describe('docs/errors.md', () => {
  const core = unionMembers(
    '../../src/errors/credsign-error.ts',
    'ErrorCode',
    '/** Marks credsign errors',
  )
  const http = unionMembers('../../src/http/http-error-code.ts', 'HttpErrorCode')

  it('documents every ErrorCode in the library section, and nothing that is not one', () => {
    expect(core.length).toBeGreaterThan(30)
    const documented = documentedIn('## Library codes')
    expect(documented.filter((c) => !core.includes(c))).toEqual([])
    expect(core.filter((c) => !documented.includes(c))).toEqual([])
  })

  it('documents every HttpErrorCode in the HTTP adapter section, and nothing that is not one', () => {
    expect(http.length).toBeGreaterThan(5)
    const documented = documentedIn('## HTTP adapter codes')
    expect(documented.filter((c) => !http.includes(c))).toEqual([])
    expect(http.filter((c) => !documented.includes(c))).toEqual([])
  })

  it('gives every code one owner: no code is both a library and an HTTP adapter code, no table row is outside the two sections', () => {
    expect(core.filter((c) => http.includes(c))).toEqual([])
    const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
    const everyRow = [...docs.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!)
    expect(everyRow.sort()).toEqual([...core, ...http].sort())
  })
})
