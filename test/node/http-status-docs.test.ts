// HTTP_STATUS (src/http/status.ts) is the "HTTP (credsign/http)" column of docs/errors.md, in both
// of its tables (the library's ErrorCode and credsign/http's own HttpErrorCode): they must not drift. The column's notation: a status (`400`), optionally followed by a header the
// response carries (`429 + \`Retry-After\``) or a remark in parentheses (`500 (a bug in the caller)`);
// `(startup)` marks an error raised while the service starts (createHandler / KeyVault construction),
// which a request that reaches it anyway answers with 500.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { HTTP_STATUS } from '../../src/http/index.js'

interface DocumentedStatus {
  status: number
  header?: string
}

function parseHttpCell(cell: string): DocumentedStatus {
  if (cell === '(startup)') return { status: 500 }
  const match = /^(\d{3})(?: \+ `([A-Za-z-]+)`| \([^()]+\))?$/.exec(cell)
  if (match === null) throw new Error(`unparsable HTTP cell: ${JSON.stringify(cell)}`)
  return { status: Number(match[1]), ...(match[2] === undefined ? {} : { header: match[2] }) }
}

/**
 * Every code row of the code tables of docs/errors.md (the library's and the HTTP adapter's), with
 * its HTTP cell.
 */
function documentedTable(): Map<string, DocumentedStatus> {
  const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
  const lines = docs.split('\n')
  const headers = lines.flatMap((line, index) => (/^\| code \|/.test(line) ? [index] : []))
  expect(headers, 'two code tables: the library codes and the HTTP adapter codes').toHaveLength(2)
  const table = new Map<string, DocumentedStatus>()
  for (const header of headers) {
    expect(lines[header], 'the table header names the HTTP column last').toMatch(
      /^\| code \|.*\| HTTP \(credsign\/http\) \|$/,
    )
    expect(lines[header + 1]).toMatch(/^\|(---\|)+$/)
    const columns = lines[header]!.split('|').length
    for (const line of lines.slice(header + 2)) {
      if (!line.startsWith('|')) break
      const cells = line.split('|')
      expect(cells.length, `same number of columns: ${line}`).toBe(columns)
      const code = /^ `([a-z_]+)` $/.exec(cells[1]!)?.[1]
      expect(code, `first cell is a code: ${line}`).toBeDefined()
      expect(table.has(code!), `${code} is listed once`).toBe(false)
      table.set(code!, parseHttpCell(cells[cells.length - 2]!.trim()))
    }
  }
  return table
}

describe('HTTP_STATUS and docs/errors.md', () => {
  it('parses the notation of the HTTP column', () => {
    expect(parseHttpCell('400')).toEqual({ status: 400 })
    expect(parseHttpCell('(startup)')).toEqual({ status: 500 })
    expect(parseHttpCell('429 + `Retry-After`')).toEqual({ status: 429, header: 'Retry-After' })
    expect(parseHttpCell('500 (a bug in the caller)')).toEqual({ status: 500 })
    for (const bad of [
      '',
      '4xx',
      '400 or 409',
      '400 + Retry-After',
      '(later)',
      '429+`Retry-After`',
    ])
      expect(() => parseHttpCell(bad), bad).toThrow(/unparsable/)
  })

  it('lists every code of HTTP_STATUS, and no other', () => {
    const table = documentedTable()
    expect(table.size).toBeGreaterThan(50)
    expect([...table.keys()].filter((code) => !(code in HTTP_STATUS))).toEqual([])
    expect(Object.keys(HTTP_STATUS).filter((code) => !table.has(code))).toEqual([])
  })

  it('gives every code the status HTTP_STATUS answers', () => {
    const table = documentedTable()
    const documented = Object.fromEntries([...table].map(([code, { status }]) => [code, status]))
    expect(documented).toEqual({ ...HTTP_STATUS })
  })

  it('names the response headers of locked, unauthorized and method_not_allowed (checked over a socket in http-hostile.test.ts)', () => {
    const headers = Object.fromEntries(
      [...documentedTable()]
        .filter(([, d]) => d.header !== undefined)
        .map(([code, d]) => [code, d.header]),
    )
    expect(headers).toEqual({
      locked: 'Retry-After',
      unauthorized: 'WWW-Authenticate',
      method_not_allowed: 'Allow',
    })
  })
})
