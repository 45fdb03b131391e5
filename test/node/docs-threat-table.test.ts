import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// docs/security.md's threat table names, for every attack class, the code that stops it and the test
// that proves it. A row whose test or source file was moved or deleted would be a claim nobody checks.
describe('docs/security.md threat table', () => {
  const docs = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8')
  const table = docs.slice(docs.indexOf('## Threat table'))
  const rows = table
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('| ') && !line.startsWith('| attack class') && !line.startsWith('|---'),
    )

  it('has a row per attack class, each naming at least one test', () => {
    expect(rows.length).toBeGreaterThanOrEqual(20)
    for (const row of rows) expect(row, row).toMatch(/(test|bench)\/[\w/.-]+\.(test\.)?ts/)
  })

  it('every file a row names exists', () => {
    const named = new Set(
      rows.flatMap((row) =>
        [...row.matchAll(/\b((?:test|bench|src|docs)\/[\w/.-]+\.(?:ts|md))\b/g)].map(
          (m) => m[1] as string,
        ),
      ),
    )
    expect(named.size).toBeGreaterThan(20)
    const missing = [...named].filter(
      (path) => !existsSync(new URL(`../../${path}`, import.meta.url)),
    )
    expect(missing).toEqual([])
  })
})
