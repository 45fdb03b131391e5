// Run by node-entry.test.ts in a child `bun` process: imports the BUILT `node` export condition
// entry (dist/index.node.js) and prints one JSON line per check. A separate process because
// `bun test` shares modules between test files, and this import installs the node:crypto backend
// for every importer of dist/ (smoke.test.ts must keep testing dist/index.js without it).
import * as credsign from '../../dist/index.node.js'
import { nodeEntryChecks, type NodeEntry } from '../shared/node-entry.ts'

for (const { name, run } of nodeEntryChecks(credsign as unknown as NodeEntry, 'bun')) {
  try {
    await run()
    console.log(JSON.stringify({ name, ok: true }))
  } catch (error) {
    console.log(
      JSON.stringify({ name, ok: false, error: String((error as Error)?.stack ?? error) }),
    )
  }
}
