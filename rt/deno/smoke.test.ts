// Deno smoke test of the BUILT package: `npx tsup` first, then
//   npx deno test --node-modules-dir=manual --cached-only --no-check -A rt/deno/
import * as credsign from '../../dist/index.js'
import * as credsignDataIntegrity from '../../dist/data-integrity/index.js'
import * as credsignFile from '../../dist/file/index.js'
import {
  ALGORITHMS,
  check,
  roundTrip,
  wrongSecrets,
  dataIntegrityRoundTrip,
  type Credsign,
  type CredsignDataIntegrity,
} from '../shared/smoke.ts'
import { x5cRoundTrip, type CredsignX509 } from '../shared/x509.ts'

const lib = credsign as unknown as Credsign
const di = credsignDataIntegrity as unknown as CredsignDataIntegrity

for (const algorithm of ALGORITHMS) {
  Deno.test(`deno: ${algorithm} generate/unlock/sign/verify (MemoryStore)`, async () => {
    await roundTrip(lib, algorithm)
  })
}

Deno.test('deno: wrong secrets are refused with wrong_secrets', async () => {
  await wrongSecrets(lib)
})

Deno.test('deno: FileStore generate/unlock/sign in a temp dir', async () => {
  check(
    typeof credsignFile.loadServiceSecret === 'function',
    'credsign/file exports loadServiceSecret',
  )
  const directory = await Deno.makeTempDir({ prefix: 'credsign-deno-' })
  try {
    await roundTrip(lib, 'Ed25519', new credsignFile.FileStore({ directory }))
    let files = 0
    for await (const _ of Deno.readDir(directory)) files++
    check(files > 0, 'FileStore wrote something into its directory')
  } finally {
    await Deno.remove(directory, { recursive: true })
  }
})

for (const suite of ['eddsa-rdfc-2022', 'ecdsa-jcs-2019']) {
  Deno.test(`deno: Data Integrity ${suite}`, async () => {
    await dataIntegrityRoundTrip(lib, di, suite)
  })
}

Deno.test('deno: an x5c chain (openssl-made fixture) verifies against its root', async () => {
  await x5cRoundTrip(credsign as unknown as CredsignX509)
})
