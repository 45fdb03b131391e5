// Deno test of the BUILT `node` export condition entry (dist/index.node.js), which Deno resolves for
// `npm:credsign`: its node:crypto backend with Deno's policy. Deno runs each test file in its own
// isolate, so the backend this file installs does not reach smoke.test.ts (dist/index.js).
//   npx tsup && npx deno test --node-modules-dir=manual --cached-only --no-check -A rt/deno/
import * as credsign from '../../dist/index.node.js'
import { nodeEntryChecks, type NodeEntry } from '../shared/node-entry.ts'

for (const { name, run } of nodeEntryChecks(credsign as unknown as NodeEntry, 'deno')) {
  Deno.test(`deno (node entry): ${name}`, run)
}
