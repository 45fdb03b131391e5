// Bun smoke test of the BUILT package: `npx tsup` first, then `npx bun test ./rt/bun/`.
import { describe, expect, test } from 'bun:test'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as credsign from '../../dist/index.js'
import * as credsignDataIntegrity from '../../dist/data-integrity/index.js'
import * as credsignFile from '../../dist/file/index.js'
import {
  ALGORITHMS,
  roundTrip,
  wrongSecrets,
  dataIntegrityRoundTrip,
  type Credsign,
  type CredsignDataIntegrity,
} from '../shared/smoke.ts'
import { x5cRoundTrip, type CredsignX509 } from '../shared/x509.ts'

const lib = credsign as unknown as Credsign
const di = credsignDataIntegrity as unknown as CredsignDataIntegrity

describe('bun', () => {
  for (const algorithm of ALGORITHMS) {
    test(`${algorithm} generate/unlock/sign/verify (MemoryStore)`, async () => {
      await roundTrip(lib, algorithm)
    }, 60_000)
  }

  test('an x5c chain (openssl-made fixture) verifies against its root', async () => {
    await x5cRoundTrip(credsign as unknown as CredsignX509)
  })

  test('wrong secrets are refused with wrong_secrets', async () => {
    await wrongSecrets(lib)
  })

  test('FileStore generate/unlock/sign in a temp dir', async () => {
    expect(typeof credsignFile.loadServiceSecret).toBe('function')
    const directory = await mkdtemp(join(tmpdir(), 'credsign-bun-'))
    try {
      await roundTrip(lib, 'Ed25519', new credsignFile.FileStore({ directory }))
      expect((await readdir(directory)).length).toBeGreaterThan(0)
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  })
})

for (const suite of ['eddsa-rdfc-2022', 'ecdsa-jcs-2019']) {
  test(`bun: Data Integrity ${suite}`, async () => {
    await dataIntegrityRoundTrip(lib, di, suite)
  })
}
