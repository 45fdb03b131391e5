// The good x5c chain verifies on every runtime the core runs on (this file runs in Node and in
// Chromium): a committed openssl-made chain (test/fixtures/x509/chain.ts), an SD-JWT VC signed at
// test time by its leaf, verified with the root as trust anchor at a fixed `now` inside the chain's
// validity. The broken chains are in test/node/x509-path-validation.test.ts (openssl at test time).
import { describe, expect, it } from 'vitest'
import {
  SdJwtVcSigner,
  createTrustAnchors,
  loadPrivateKey,
  parseCertificate,
  verify,
} from 'credsign'
import { decodePem } from '../../src/keys/pem.js'
import {
  FIXTURE_ISSUER,
  FIXTURE_LEAF_KEY_PEM,
  FIXTURE_ROOT_PEM,
  FIXTURE_X5C,
} from '../fixtures/x509/chain.js'

const NOW = Date.UTC(2030, 0, 1)

describe('x5c on this runtime', () => {
  it('an SD-JWT VC signed by the leaf verifies against the root; without anchors it does not', async () => {
    const key = await loadPrivateKey('P-256', decodePem(FIXTURE_LEAF_KEY_PEM)[0]?.der as Uint8Array)
    const { publicJwk } = await parseCertificate(FIXTURE_X5C[0] as string)
    if (publicJwk === undefined) throw new Error('no key')
    const sdJwt = await new SdJwtVcSigner({
      id: 'leaf',
      algorithm: 'P-256',
      publicJwk,
      sign: (data) => key.sign(data),
    }).issue(
      { iss: FIXTURE_ISSUER, vct: 'https://credentials.example/identity', given_name: 'Erika' },
      { disclosureFrame: { _sd: ['given_name'] }, kid: false, header: { x5c: [...FIXTURE_X5C] } },
    )
    const trustAnchors = createTrustAnchors([FIXTURE_ROOT_PEM])
    const result = await verify(sdJwt, { trustAnchors, now: NOW, checkValidity: true })
    expect(result.errors).toEqual([])
    expect(result.checks.find((check) => check.name === 'certificate_chain')?.passed).toBe(true)
    expect((await verify(sdJwt, { now: NOW })).errors.map((e) => e.code)).toEqual([
      'trust_anchors_not_configured',
    ])
    // After the chain's validity (2126): expired.
    const late = await verify(sdJwt, { trustAnchors, now: Date.UTC(2127, 0, 1) })
    expect(late.errors.map((e) => e.code)).toEqual(['certificate_expired'])
  })
})
