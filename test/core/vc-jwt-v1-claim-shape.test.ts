// A JWT whose `vc` or `vp` claim is present but not a JSON object (VCDM 1.1 section 6.3.1: the
// claim IS the credential / presentation) was classified as a plain `jwt` and verified: `verified:
// true` for a token that claims to be a 1.1 credential and is not one, where did-jwt-vc refuses it
// (found by test/node/differential-vc-jwt-v1.test.ts). It must fail as a broken 1.1 token.
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeJwtCredential, type Signer } from '../../src/index.js'
import { codes, didOf, didSigner, signRaw, verifyVc } from './vc-helpers.js'

const NOW = Date.UTC(2025, 5, 1, 12)
const SECONDS = NOW / 1000

let signer: Signer
beforeAll(async () => {
  signer = await didSigner('Ed25519')
})

const NOT_OBJECTS: unknown[] = [
  'a credential',
  [],
  [{ type: ['VerifiableCredential'] }],
  null,
  42,
  true,
]

describe('a vc / vp claim that is not a JSON object', () => {
  for (const claim of ['vc', 'vp'] as const) {
    for (const value of NOT_OBJECTS) {
      it(`${claim}: ${JSON.stringify(value)} fails as a ${claim}-jwt`, async () => {
        const payload = { iss: didOf(signer), nbf: SECONDS - 60, [claim]: value }
        for (const typ of [undefined, 'JWT']) {
          const header = { alg: 'EdDSA', kid: signer.id, ...(typ === undefined ? {} : { typ }) }
          const jwt = await signRaw(signer, header, payload)
          const result = await verifyVc(jwt, { now: NOW })
          expect(result.verified).toBe(false)
          expect(result.format).toBe(`${claim}-jwt`)
          expect(codes(result)).toContain('claim_invalid')
          expect(result.errors.find((e) => e.code === 'claim_invalid')).toMatchObject({
            path: claim,
            message: `the ${claim} claim must be a JSON object`,
          })
          expect(decodeJwtCredential(jwt).format).toBe(`${claim}-jwt`)
        }
      })
    }
  }

  it('a string vc beside a vp object is refused too (vc first), not verified as the presentation', async () => {
    const payload = {
      iss: didOf(signer),
      vc: 'a credential',
      vp: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: ['VerifiablePresentation'],
      },
    }
    const result = await verifyVc(
      await signRaw(signer, { alg: 'EdDSA', kid: signer.id }, payload),
      {
        now: NOW,
      },
    )
    expect(result.verified).toBe(false)
    expect(result.format).toBe('vc-jwt')
  })

  it('a JWT with neither claim is still a plain jwt', async () => {
    const jwt = await signRaw(
      signer,
      { alg: 'EdDSA', kid: signer.id, typ: 'JWT' },
      { iss: didOf(signer), vcx: 'not the vc claim' },
    )
    const result = await verifyVc(jwt, { now: NOW })
    expect(result.format).toBe('jwt')
    expect(result.verified).toBe(true)
  })
})
