import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

describe('docs/errors.md', () => {
  it('documents every ErrorCode, and nothing that is not one', () => {
    const source = readFileSync(new URL('../../src/errors/credsign-error.ts', import.meta.url), 'utf8')
    const union = source.slice(source.indexOf('export type ErrorCode'), source.indexOf('/** Marks credsign errors'))
    const codes = [...union.matchAll(/\|\s*'([a-z_]+)'/g)].map((m) => m[1])
    expect(codes.length).toBeGreaterThan(30)
    const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
    const documented = [...docs.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1])
    expect(documented.filter((c) => !codes.includes(c))).toEqual([])
    expect(codes.filter((c) => !documented.includes(c))).toEqual([])
  })
})
