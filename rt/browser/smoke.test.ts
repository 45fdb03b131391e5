// Chromium smoke test of the BUILT package (vitest project 'browser-dist'): `npx tsup` first, then
//   npx vitest run --project browser-dist
// It loads what a browser bundler gets from the `import` condition: the per-module build (dist/esm/).
import { describe, expect, it } from 'vitest'
import * as credsign from '../../dist/esm/index.js'
import * as credsignDataIntegrity from '../../dist/esm/formats/data-integrity/index.js'
import {
  ALGORITHMS,
  roundTrip,
  wrongSecrets,
  dataIntegrityRoundTrip,
  type Credsign,
  type CredsignDataIntegrity,
} from '../shared/smoke.ts'

const lib = credsign as unknown as Credsign
const di = credsignDataIntegrity as unknown as CredsignDataIntegrity

describe('browser (dist)', () => {
  it('runs in a real browser with WebCrypto', () => {
    expect(typeof window).toBe('object')
    expect(navigator.userAgent).toMatch(/Chrome/)
    expect(typeof crypto.subtle).toBe('object')
  })

  for (const algorithm of ALGORITHMS) {
    it(`${algorithm} generate/unlock/sign/verify (MemoryStore)`, async () => {
      await roundTrip(lib, algorithm)
    })
  }

  it('wrong secrets are refused with wrong_secrets', async () => {
    await wrongSecrets(lib)
  })
})

for (const suite of ['eddsa-rdfc-2022', 'ecdsa-jcs-2019']) {
  it(`Data Integrity ${suite}`, async () => {
    await dataIntegrityRoundTrip(lib, di, suite)
  })
}
