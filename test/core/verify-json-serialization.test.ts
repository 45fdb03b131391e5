// Issue 12, finding 1: a JWS in JSON serialization (flattened or general) used to be checked for its
// signature only, so a replayed or expired vp+jwt re-wrapped as `{ protected, payload, signature }`
// verified, and the caller's `nonce` / `audience` were ignored. Every serialization now goes through
// the same format rules, and verify() refuses any verdict that skipped an expectation the caller passed.
import { describe, expect, it } from 'vitest'
import { JwtVpSigner, JwtVcSigner } from '../../src/index.js'
import { verify } from '../../src/service/index.js'
import type { VerificationResult } from '../../src/verify/index.js'
import {
  codes,
  credentialV2,
  didOf,
  didSigner,
  expectVerified,
  presentationV2,
  signRaw,
  V2,
} from './vc-helpers.js'

const NOW = Date.UTC(2025, 0, 1)

/** The three serializations of one compact JWS: compact, flattened JSON, general JSON. */
function serializations(compact: string): [string, unknown][] {
  const [protectedB64, payload, signature] = compact.split('.') as [string, string, string]
  const flattened = { protected: protectedB64, payload, signature }
  const general = { payload, signatures: [{ protected: protectedB64, signature }] }
  return [
    ['compact', compact],
    ['flattened', flattened],
    ['general', general],
    ['flattened as text', JSON.stringify(flattened)],
    ['general as text', JSON.stringify(general)],
  ]
}

/**
 * What must be the same for every serialization: verdict, codes, format and the names of the
 * checks.
 */
function summary(result: VerificationResult): unknown {
  return {
    verified: result.verified,
    format: result.format,
    codes: codes(result),
    checks: result.checks.map((c) => `${c.name}:${c.passed}`),
  }
}

describe('JSON-serialized JWS: the same rules as compact (finding 1)', () => {
  it('the issue repro: a stale, expired vp+jwt re-wrapped as flattened / general JSON is refused with the compact codes', async () => {
    const holder = await didSigner()
    const vp = await signRaw(
      holder,
      { alg: 'EdDSA', typ: 'vp+jwt', kid: holder.id },
      { ...presentationV2({ holder: didOf(holder) }), iss: didOf(holder), exp: 1, nonce: 'old' },
    )
    const results = await Promise.all(
      serializations(vp).map(
        async ([name, input]) =>
          [name, await verify(input, { nonce: 'fresh', audience: 'https://rp' })] as const,
      ),
    )
    for (const [name, result] of results) {
      expect(result.verified, name).toBe(false)
      expect(result.format, name).toBe('vp+jwt')
      expect(codes(result), name).toEqual(
        expect.arrayContaining(['expired', 'nonce_mismatch', 'audience_mismatch']),
      )
      expect(summary(result), name).toEqual(summary(results[0]![1]))
    }
  })

  it('issuer binding: a vc+jwt whose issuer is not the key controller fails issuer_mismatch in every serialization', async () => {
    const signer = await didSigner('P-256')
    const vc = await signRaw(
      signer,
      { alg: 'ES256', typ: 'vc+jwt', kid: signer.id },
      credentialV2({ issuer: 'did:example:someone-else' }),
    )
    for (const [name, input] of serializations(vc)) {
      const result = await verify(input, { now: NOW })
      expect(codes(result), name).toContain('issuer_mismatch')
      expect(result.format, name).toBe('vc+jwt')
    }
  })

  it('typ and data model: a vc+jwt typ over a VCDM 1.1 payload is refused in every serialization', async () => {
    const signer = await didSigner()
    const vc = await signRaw(
      signer,
      { alg: 'EdDSA', typ: 'vc+jwt', kid: signer.id },
      {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: ['VerifiableCredential'],
        issuer: didOf(signer),
        issuanceDate: '2020-01-01T00:00:00Z',
        credentialSubject: { id: 'did:example:a' },
      },
    )
    for (const [name, input] of serializations(vc)) {
      const result = await verify(input, { now: NOW })
      expect(result.verified, name).toBe(false)
      expect(codes(result), name).toContain('credential_invalid')
    }
  })

  it('embedded credentials of a JSON-serialized presentation are verified', async () => {
    const issuer = await didSigner()
    const holder = await didSigner()
    const expired = await new JwtVcSigner(issuer).sign(
      credentialV2({ validUntil: '2021-01-01T00:00:00Z' }),
    )
    const envelope = {
      '@context': V2,
      id: `data:application/vc+jwt,${expired}`,
      type: 'EnvelopedVerifiableCredential',
    }
    const vp = await new JwtVpSigner(holder).sign(
      presentationV2({ verifiableCredential: [envelope] }),
      { nonce: 'n', audience: 'https://rp' },
    )
    for (const [name, input] of serializations(vp)) {
      const result = await verify(input, { nonce: 'n', audience: 'https://rp' })
      expect(codes(result), name).toEqual(['embedded_credential_invalid'])
    }
  })

  it('a valid presentation verifies the same in every serialization, with the same checks', async () => {
    const holder = await didSigner('P-384')
    const vp = await new JwtVpSigner(holder).sign(presentationV2(), {
      nonce: 'n-1',
      audience: 'https://rp',
    })
    const results = await Promise.all(
      serializations(vp).map(async ([, input]) =>
        verify(input, { nonce: 'n-1', audience: 'https://rp' }),
      ),
    )
    for (const result of results) {
      expectVerified(result)
      expect(summary(result)).toEqual(summary(results[0]!))
    }
  })

  it('the general JSON signatures must agree on typ (one envelope, one meaning)', async () => {
    const signer = await didSigner()
    const other = await didSigner()
    const payload = { ...presentationV2({ holder: didOf(signer) }), iss: didOf(signer) }
    const asVp = (
      await signRaw(signer, { alg: 'EdDSA', typ: 'vp+jwt', kid: signer.id }, payload)
    ).split('.')
    const asJwt = (
      await signRaw(other, { alg: 'EdDSA', typ: 'JWT', kid: other.id }, payload)
    ).split('.')
    const general = {
      payload: asVp[1],
      signatures: [
        { protected: asVp[0], signature: asVp[2] },
        { protected: asJwt[0], signature: asJwt[2] },
      ],
    }
    const result = await verify(general)
    expect(result.verified).toBe(false)
    expect(codes(result)).toEqual(['malformed'])
  })

  it('an unprotected typ does not change what the token is (no signature covers it)', async () => {
    const signer = await didSigner()
    const [h, p, s] = (
      await signRaw(signer, { alg: 'EdDSA', kid: signer.id }, { iss: didOf(signer), sub: 'x' })
    ).split('.')
    const result = await verify({
      protected: h,
      header: { typ: 'vc+jwt' },
      payload: p,
      signature: s,
    })
    expectVerified(result)
    expect(result.format).toBe('jwt')
    expect(result.header).toEqual({ alg: 'EdDSA', kid: signer.id })
  })
})

describe('verify() never says verified for an expectation it did not check', () => {
  it('a nonce or an audience asked of a credential (which carries none) is expectation_unchecked', async () => {
    const issuer = await didSigner()
    const vc = await new JwtVcSigner(issuer).sign(credentialV2())
    expectVerified(await verify(vc))
    for (const options of [{ nonce: 'n' }, { audience: 'https://rp' }]) {
      const result = await verify(vc, options)
      expect(result.verified).toBe(false)
      expect(codes(result)).toEqual(['expectation_unchecked'])
      expect(result.checks.at(-1)).toMatchObject({ name: 'expectations', passed: false })
    }
  })

  it('requireKeyBinding asked of a JWT credential (which cannot carry a KB-JWT) is expectation_unchecked', async () => {
    const issuer = await didSigner()
    const vc = await new JwtVcSigner(issuer).sign(credentialV2())
    const result = await verify(vc, { requireKeyBinding: true })
    expect(codes(result)).toEqual(['expectation_unchecked'])
    expect(result.errors[0]?.message).toContain('requireKeyBinding')
  })

  it('a plug-in handler that skips what the caller asked for cannot produce verified: true', async () => {
    const lax = {
      name: 'lax',
      detect: (input: unknown) => typeof input === 'object' && input !== null && 'lax' in input,
      verify: async () => ({
        verified: true,
        format: 'data-integrity' as const,
        credential: { issuer: 'did:example:x' },
        checks: [{ name: 'signature', passed: true }],
        errors: [],
      }),
    }
    const result = await verify({ lax: true }, { handlers: [lax] })
    expect(result.verified).toBe(false)
    expect(codes(result)).toEqual(['expectation_unchecked'])
    // issuer binding and validity were never checked for this credential
    expect(result.errors[0]?.message).toMatch(/issuerBinding, checkValidity/)
  })
})

describe('allowedContexts applies to every format', () => {
  it('a vc+jwt credential naming a context outside the list is context_not_allowed; inside it, verified with a context check', async () => {
    const issuer = await didSigner()
    const vc = await new JwtVcSigner(issuer).sign(credentialV2())
    const both = [V2, 'https://www.w3.org/ns/credentials/examples/v2']
    const allowed = await verify(vc, { allowedContexts: both })
    expectVerified(allowed)
    expect(allowed.checks.find((c) => c.name === 'context')).toMatchObject({ passed: true })
    const refused = await verify(vc, { allowedContexts: [V2] })
    expect(codes(refused)).toEqual(['context_not_allowed'])
  })
})
