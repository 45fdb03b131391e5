// A nested JWT (RFC 7519 section 7.2 step 8: protected `cty` JWT) means "the claims are the inner
// JWT's". credsign does not process nested JWTs, so it must refuse one rather than say verified
// for the outer signature with none of the inner token's claims (its exp, aud, typ) checked: jose's
// jwtVerify refuses the same token (its claims set is not a JSON object).
import { compactVerify, importJWK, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { JwtVcSigner, createVerifier, joseHandler, verify } from '../../src/index.js'
import { credentialV2, didOf, didSigner, signRaw } from './vc-helpers.js'

describe('a nested JWT (cty JWT) is refused, by verify() and a joseHandler verifier', () => {
  it('an expired credential wrapped in a validly signed outer JWS is not verified', async () => {
    const issuer = await didSigner('Ed25519')
    const iss = didOf(issuer)
    const expiredInner = await signRaw(
      issuer,
      { alg: 'EdDSA', kid: issuer.id, typ: 'vc+jwt' },
      { ...credentialV2({ issuer: iss }), iss, exp: 1 },
    )
    const fresh = await new JwtVcSigner(issuer).sign(credentialV2())
    const slim = createVerifier({ handlers: [joseHandler] })
    const key = await importJWK({ ...issuer.publicJwk }, 'EdDSA')
    for (const cty of ['JWT', 'jwt', 'application/JWT']) {
      for (const inner of [expiredInner, fresh]) {
        const nested = await signRaw(issuer, { alg: 'EdDSA', kid: issuer.id, cty }, inner)
        // The independent implementation: the outer JWS verifies, the JWT does not.
        await expect(compactVerify(nested, key)).resolves.toBeDefined()
        await expect(jwtVerify(nested, key)).rejects.toThrow()
        for (const result of [await verify(nested), await slim(nested)]) {
          expect(result.verified, cty).toBe(false)
          expect(result.errors.map((error) => error.code)).toEqual(['unsupported_format'])
        }
      }
    }
  })

  it('a JWS with another cty (vc, a media type) is still verified as before', async () => {
    const issuer = await didSigner('Ed25519')
    const signed = await signRaw(
      issuer,
      { alg: 'EdDSA', kid: issuer.id, cty: 'text/plain' },
      'hello',
    )
    expect((await verify(signed)).verified).toBe(true)
    expect((await createVerifier({ handlers: [joseHandler] })(signed)).verified).toBe(true)
  })
})
