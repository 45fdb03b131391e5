// Issue 12, finding 3: a W3C vc+sd-jwt / vp+sd-jwt whose issuer made validUntil, exp, cnf, status …
// selectively disclosable verified, so a holder could choose what the verifier saw of its expiry,
// revocation entry or key binding. SD-JWT VC's never-disclosable rule now applies to the W3C variants
// too (claim_invalid), and credsign's own signer refuses to make them disclosable.
import { describe, expect, it } from 'vitest'
import { SdJwtVcSigner, issueSdJwt, presentSdJwt, type DisclosureFrame } from '../../src/index.js'
import { verify } from '../../src/service/index.js'
import { W3C_NEVER_DISCLOSABLE } from '../../src/formats/sd-jwt/vc-claims.js'
import {
  codes,
  credentialV2,
  didOf,
  didSigner,
  expectVerified,
  presentationV2,
} from './vc-helpers.js'

const PAST = '2021-01-01T00:00:00Z'
const FUTURE = '2099-01-01T00:00:00Z'

describe('W3C SD-JWT: claims that must never come from a disclosure (finding 3)', () => {
  it('an expired validUntil made disclosable by another issuer is claim_invalid when disclosed', async () => {
    const issuer = await didSigner()
    const credential = { ...credentialV2({ validUntil: PAST }), issuer: didOf(issuer) }
    const sdJwt = await issueSdJwt(issuer, credential, {
      typ: 'vc+sd-jwt',
      disclosureFrame: { _sd: ['validUntil'] },
    })
    const result = await verify(sdJwt)
    expect(result.verified).toBe(false)
    expect(codes(result)).toContain('claim_invalid')
    expect(result.errors.find((e) => e.code === 'claim_invalid')?.message).toContain('validUntil')
  })

  it('every member of the list, top level or inside (cnf.jwk, status.status_list), is refused when it comes from a disclosure', async () => {
    const issuer = await didSigner()
    const holder = await didSigner()
    const base = {
      ...credentialV2({
        validFrom: '2020-01-01T00:00:00Z',
        validUntil: FUTURE,
        credentialStatus: { id: 'https://example.org/status#1', type: 'BitstringStatusListEntry' },
      }),
      issuer: didOf(issuer),
    }
    const claims: Record<string, unknown> = {
      ...base,
      iss: didOf(issuer),
      nbf: 1,
      exp: 4_000_000_000,
      cnf: { jwk: holder.publicJwk },
      status: { status_list: { idx: 1, uri: 'https://example.org/sl' } },
    }
    expect(W3C_NEVER_DISCLOSABLE.every((name) => claims[name] !== undefined)).toBe(true)
    for (const name of W3C_NEVER_DISCLOSABLE) {
      const sdJwt = await issueSdJwt(issuer, claims, {
        typ: 'vc+sd-jwt',
        disclosureFrame: { _sd: [name] },
      })
      const result = await verify(sdJwt, { requireKeyBinding: false })
      expect(result.verified, name).toBe(false)
      expect(codes(result), name).toContain('claim_invalid')
    }
    const nested: [string, DisclosureFrame][] = [
      ['cnf.jwk', { cnf: { _sd: ['jwk'] } }],
      ['status.status_list', { status: { _sd: ['status_list'] } }],
    ]
    for (const [name, frame] of nested) {
      const sdJwt = await issueSdJwt(issuer, claims, { typ: 'vc+sd-jwt', disclosureFrame: frame })
      const result = await verify(sdJwt, { requireKeyBinding: false })
      expect(codes(result), name).toContain('claim_invalid')
    }
  })

  it('a disclosed cnf no longer stands in for the issuer-signed cnf (no KB-JWT requirement skipped)', async () => {
    const issuer = await didSigner()
    const holder = await didSigner()
    const claims = { ...credentialV2(), issuer: didOf(issuer), cnf: { jwk: holder.publicJwk } }
    const sdJwt = await issueSdJwt(issuer, claims, {
      typ: 'vc+sd-jwt',
      disclosureFrame: { _sd: ['cnf'] },
    })
    const result = await verify(sdJwt)
    expect(result.verified).toBe(false)
    expect(codes(result)).toContain('claim_invalid')
  })

  it('vp+sd-jwt: a disclosed exp is refused as well; holder and type stay disclosable (as in the VC-JOSE-COSE examples)', async () => {
    const holder = await didSigner()
    const presentation = {
      ...presentationV2({ holder: didOf(holder) }),
      iss: didOf(holder),
      exp: 4_000_000_000,
    }
    const withExp = await issueSdJwt(holder, presentation, {
      typ: 'vp+sd-jwt',
      disclosureFrame: { _sd: ['exp'] },
    })
    expect(codes(await verify(withExp))).toContain('claim_invalid')
    const withHolder = await issueSdJwt(holder, presentation, {
      typ: 'vp+sd-jwt',
      disclosureFrame: { _sd: ['holder', 'type'] },
    })
    expectVerified(await verify(withHolder))
  })

  it('ordinary subject claims stay disclosable, and the issuer-side signer refuses the listed ones', async () => {
    const issuer = await didSigner()
    const signer = new SdJwtVcSigner(issuer)
    const sdJwt = await signer.signCredential(
      credentialV2({ credentialSubject: { id: 'did:example:alice', name: 'Alice', age: 42 } }),
      { disclosureFrame: { credentialSubject: { _sd: ['name', 'age'] } } },
    )
    expectVerified(await verify(sdJwt))
    expectVerified(
      await verify(
        await presentSdJwt(sdJwt, { disclose: { credentialSubject: { _sd: ['age'] } } }),
      ),
    )
    for (const name of ['@context', 'validUntil', 'validFrom', 'credentialStatus', 'status']) {
      await expect(
        signer.signCredential(credentialV2({ validUntil: FUTURE }), {
          disclosureFrame: { _sd: [name] },
        }),
        name,
      ).rejects.toMatchObject({ code: 'invalid_argument' })
    }
  })
})

describe('SdJwtVcSigner.signCredential and the constructor clock', () => {
  it('uses the now() given to the constructor for iat (it was ignored)', async () => {
    const issuer = await didSigner()
    const fixed = Date.UTC(2030, 0, 1)
    const sdJwt = await new SdJwtVcSigner(issuer, { now: () => fixed }).signCredential(
      credentialV2(),
    )
    const payload = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.from(atob(sdJwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')), (c) =>
          c.charCodeAt(0),
        ),
      ),
    ) as { iat: number }
    expect(payload.iat).toBe(fixed / 1000)
  })
})

describe('@context from a disclosure (adversarial review)', () => {
  it('is claim_invalid in any SD-JWT: it would make a W3C credential skip every W3C rule', async () => {
    const issuer = await didSigner()
    const claims = {
      ...credentialV2({ validUntil: PAST }),
      issuer: didOf(issuer),
      vct: 'urn:example:vct',
    }
    const sdJwt = await issueSdJwt(issuer, claims, {
      typ: 'vc+sd-jwt',
      disclosureFrame: { _sd: ['@context'] },
    })
    const result = await verify(sdJwt)
    expect(result.verified).toBe(false)
    expect(codes(result)).toContain('claim_invalid')
    const { verifySdJwt } = await import('../../src/formats/sd-jwt/verify-sd-jwt.js')
    await expect(verifySdJwt(sdJwt, { key: issuer.publicJwk })).rejects.toMatchObject({
      code: 'claim_invalid',
    })
  })

  it('is claim_invalid in a vp+sd-jwt too, through verify() as through verifySdJwt (the handler skipped it for the W3C kinds)', async () => {
    const holder = await didSigner()
    const presentation = { ...presentationV2({ holder: didOf(holder) }), iss: didOf(holder) }
    const sdJwt = await issueSdJwt(holder, presentation, {
      typ: 'vp+sd-jwt',
      disclosureFrame: { _sd: ['@context'] },
    })
    const result = await verify(sdJwt)
    expect(result.verified).toBe(false)
    expect(codes(result)).toContain('claim_invalid')
    const { verifySdJwt } = await import('../../src/formats/sd-jwt/verify-sd-jwt.js')
    await expect(
      verifySdJwt(sdJwt, { key: holder.publicJwk, typ: ['vp+sd-jwt'] }),
    ).rejects.toMatchObject({ code: 'claim_invalid' })
  })
})
