// Test-only hooks stay out of the published entry points: the RDFC cache controls live in
// src/testing/rdfc-cache.ts, which no entry point (credsign/testing included) and no library module
// imports; the SD-JWT issuance seam is a parameter of internal functions only.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

const ENTRY_POINTS = {
  credsign: () => import('../../src/index.js'),
  'credsign (node)': () => import('../../src/index.node.js'),
  'credsign/data-integrity': () => import('../../src/formats/data-integrity/index.js'),
  'credsign/file': () => import('../../src/file/index.js'),
  'credsign/postgres': () => import('../../src/postgres/index.js'),
  'credsign/testing': () => import('../../src/testing/index.js'),
  'credsign/http': () => import('../../src/http/index.js'),
}

const TEST_HOOKS = [
  'setRdfcCache',
  'rdfcCacheStats',
  'resetRdfcCache',
  'rdfcTemplateControls',
  'resetRdfcTemplates',
  'sealWithFixedRandomness',
  'issueSdJwtWith',
  'buildSdPayload',
]

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

describe('test-only hooks', () => {
  for (const [name, load] of Object.entries(ENTRY_POINTS)) {
    it(`are not exported from ${name}`, async () => {
      const exported = Object.keys(await load())
      expect(exported.filter((key) => TEST_HOOKS.includes(key))).toEqual([])
    })
  }

  it('src/testing/rdfc-cache.ts is imported by no library module', () => {
    const importers = sourceFiles(SRC)
      .filter((file) => !file.endsWith(join('testing', 'rdfc-cache.ts')))
      .filter((file) => /['"][./]*(testing\/)?rdfc-cache\.js['"]/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file))
    expect(importers).toEqual([])
  })
})
