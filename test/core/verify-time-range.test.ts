// Issue 12, finding 4: a JWT time claim beyond the range of a Date (±8.64e15 ms) used to throw a
// plain RangeError from decodeJwtCredential (docs promise `malformed` / typed errors) and made verify()
// of a correctly signed VCDM 1.1 JWT answer format `unknown`. Every such claim is now claim_invalid.
import { describe, expect, it } from 'vitest'
import { CredsignError, decodeJwtCredential } from '../../src/index.js'
import { checkJwtTimes } from '../../src/jose/jwt-times.js'
import { verify } from '../../src/service/index.js'
import { codes, credentialV1, didOf, didSigner, signRaw } from './vc-helpers.js'

const OUT_OF_RANGE = [1e20, -1e20, 8.64e12 + 1, -8.64e12 - 1, Number.MAX_VALUE]

describe('time claims outside the Date range (finding 4)', () => {
  it('decodeJwtCredential never throws a RangeError for a VCDM 1.1 JWT with such exp / nbf', async () => {
    const signer = await didSigner()
    for (const value of OUT_OF_RANGE) {
      for (const claim of ['exp', 'nbf']) {
        const jwt = await signRaw(
          signer,
          { alg: 'EdDSA', kid: signer.id },
          { iss: didOf(signer), vc: credentialV1(), [claim]: value },
        )
        let thrown: unknown
        try {
          const decoded = decodeJwtCredential(jwt)
          expect(decoded.format).toBe('vc-jwt')
        } catch (error) {
          thrown = error
        }
        if (thrown !== undefined)
          expect(CredsignError.is(thrown), `${claim}=${value}: ${String(thrown)}`).toBe(true)
      }
    }
  })

  it('verify() of a correctly signed VCDM 1.1 JWT with such a claim is vc-jwt with claim_invalid', async () => {
    const signer = await didSigner()
    for (const value of OUT_OF_RANGE) {
      for (const claim of ['exp', 'nbf', 'iat']) {
        const jwt = await signRaw(
          signer,
          { alg: 'EdDSA', kid: signer.id },
          { iss: didOf(signer), vc: credentialV1(), [claim]: value },
        )
        const result = await verify(jwt)
        expect(result.format, `${claim}=${value}`).toBe('vc-jwt')
        expect(result.verified).toBe(false)
        expect(codes(result), `${claim}=${value}`).toContain('claim_invalid')
      }
    }
  })

  it('a plain JWT and checkJwtTimes: claim_invalid, not a comparison that happens to pass', async () => {
    const signer = await didSigner()
    // exp = 1e20 would otherwise mean "never expires"; nbf = -1e20 "always valid".
    for (const claims of [{ exp: 1e20 }, { nbf: -1e20 }, { iat: -1e20 }]) {
      const jwt = await signRaw(
        signer,
        { alg: 'EdDSA', kid: signer.id },
        { iss: didOf(signer), ...claims },
      )
      expect(codes(await verify(jwt))).toEqual(['claim_invalid'])
      expect(() => checkJwtTimes(claims)).toThrow(
        expect.objectContaining({ code: 'claim_invalid' }),
      )
    }
    // the edges of the range are still dates
    expect(() => checkJwtTimes({ exp: 8.64e12, nbf: -8.64e12 })).not.toThrow()
  })
})
