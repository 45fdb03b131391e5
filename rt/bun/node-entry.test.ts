// Bun test of the BUILT `node` export condition entry (dist/index.node.js), which Bun resolves for
// `credsign`: its node:crypto backend with Bun's policy. The checks run in a child process (see
// node-entry.child.ts); each one becomes a test here.   npx tsup && npx bun test ./rt/bun/
import { describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'

const child = Bun.spawnSync(
  [process.execPath, fileURLToPath(new URL('./node-entry.child.ts', import.meta.url))],
  { stdout: 'pipe', stderr: 'pipe' },
)
const results = new TextDecoder()
  .decode(child.stdout)
  .split('\n')
  .filter((line) => line.startsWith('{'))
  .map((line) => JSON.parse(line) as { name: string; ok: boolean; error?: string })

describe('bun (node entry)', () => {
  test('the child process ran every check', () => {
    if (child.exitCode !== 0) console.error(new TextDecoder().decode(child.stderr))
    expect(child.exitCode).toBe(0)
    expect(results.length).toBeGreaterThanOrEqual(7)
  })
  for (const result of results) {
    test(result.name, () => {
      if (!result.ok) console.error(result.error)
      expect(result.ok).toBe(true)
    })
  }
})
