// OpenID4VCI 1.0 Appendix D.1: a `jwt` key proof with a `key_attestation` header must be signed by
// one of the keys the attestation lists. Each refusal has its error and reason; an attested proof
// verifies and hands the attestation back (its signature is the issuer's to check).
import { beforeAll, describe, expect, it } from 'vitest'
import {
  OID4VCI_PROOF_TYP,
  verifyOid4vciProof,
  type VerifyOid4vciProofOptions,
} from '../../src/index.js'
import { rawCompact, seg, testKey, type TestKey } from './jose-helpers.js'

const ISSUER = 'https://credential-issuer.example.com'
const NOW = Date.UTC(2030, 0, 1)
const NOW_S = NOW / 1000
const options: VerifyOid4vciProofOptions = {
  expectedAudience: ISSUER,
  expectedNonce: 'c-nonce',
  now: NOW,
}
const claims = { aud: ISSUER, iat: NOW_S, nonce: 'c-nonce' }

let wallet: TestKey
let other: TestKey
let provider: TestKey
beforeAll(async () => {
  wallet = await testKey('P-256')
  other = await testKey('P-256')
  provider = await testKey('P-256')
})

/** A key attestation signed by the wallet provider (its signature is not what these tests judge). */
function attestation(
  attested: unknown,
  changes: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return rawCompact(
    provider.signer,
    { typ: 'key-attestation+jwt', alg: 'ES256', kid: 'provider-key', ...header },
    { iat: NOW_S - 60, exp: NOW_S + 3600, attested_keys: attested, ...changes },
  )
}

/** A proof by the wallet key (jwk in the header) carrying `keyAttestation`. */
async function proof(keyAttestation: unknown): Promise<string> {
  return rawCompact(
    wallet.signer,
    {
      typ: OID4VCI_PROOF_TYP,
      alg: 'ES256',
      jwk: wallet.publicJwk,
      key_attestation: keyAttestation,
    },
    claims,
  )
}

describe('key_attestation in a jwt key proof (Appendix D.1)', () => {
  it('a proof signed by an attested key verifies and returns the attestation', async () => {
    const keyAttestation = await attestation([other.publicJwk, wallet.publicJwk])
    const result = await verifyOid4vciProof(await proof(keyAttestation), options)
    expect(result).toMatchObject({ verified: true, keyAttestation })
    expect(result.key?.publicJwk).toEqual(wallet.publicJwk)
  })

  it('a proof without key_attestation has no keyAttestation', async () => {
    const jwt = await rawCompact(
      wallet.signer,
      { typ: OID4VCI_PROOF_TYP, alg: 'ES256', jwk: wallet.publicJwk },
      claims,
    )
    const result = await verifyOid4vciProof(jwt, options)
    expect(result.verified).toBe(true)
    expect('keyAttestation' in result).toBe(false)
  })

  it("the attestation's alg must be one of options.algorithms too (F.1: proof_signing_alg_values_supported)", async () => {
    const keyAttestation = await attestation([wallet.publicJwk])
    const jwt = await proof(keyAttestation)
    // The proof is ES256; the attestation ES256 as well, then PS256 (not in the list).
    const allowed = { ...options, algorithms: ['ES256' as const] }
    expect(await verifyOid4vciProof(jwt, allowed)).toMatchObject({ verified: true })
    const other = await proof(await attestation([wallet.publicJwk], {}, { alg: 'PS256' }))
    expect(await verifyOid4vciProof(other, allowed)).toMatchObject({
      verified: false,
      error: 'invalid_proof',
      reason: 'algorithm_not_allowed',
    })
    expect(await verifyOid4vciProof(other, options)).toMatchObject({ verified: true })
  })

  const cases: [string, () => Promise<unknown>, string][] = [
    [
      "another wallet's attestation (the proof key is not attested)",
      () => attestation([other.publicJwk]),
      'key_not_authorized',
    ],
    ['not a JWT', async () => 'not-a-jwt', 'malformed'],
    ['an object', async () => ({ attested_keys: [] }), 'malformed'],
    ['null', async () => null, 'malformed'],
    [
      'a JSON serialization',
      async () => {
        const [p, c, s] = (await attestation([wallet.publicJwk])).split('.')
        return JSON.stringify({ protected: p, payload: c, signature: s })
      },
      'malformed',
    ],
    ['typ JWT', () => attestation([wallet.publicJwk], {}, { typ: 'JWT' }), 'typ_mismatch'],
    ['no typ', () => attestation([wallet.publicJwk], {}, { typ: undefined }), 'typ_mismatch'],
    [
      'alg none',
      async () =>
        `${seg({ typ: 'key-attestation+jwt', alg: 'none' })}.${seg({ iat: NOW_S, exp: NOW_S + 60, attested_keys: [wallet.publicJwk] })}.`,
      'algorithm_not_allowed',
    ],
    [
      'alg HS256',
      () => attestation([wallet.publicJwk], {}, { alg: 'HS256' }),
      'algorithm_not_allowed',
    ],
    ['no exp', () => attestation([wallet.publicJwk], { exp: undefined }), 'claim_invalid'],
    ['no iat', () => attestation([wallet.publicJwk], { iat: undefined }), 'claim_invalid'],
    ['expired', () => attestation([wallet.publicJwk], { exp: NOW_S - 3600 }), 'expired'],
    [
      'issued in the future',
      () => attestation([wallet.publicJwk], { iat: NOW_S + 3600 }),
      'not_yet_valid',
    ],
    ['no attested_keys', () => attestation(undefined), 'claim_invalid'],
    ['empty attested_keys', () => attestation([]), 'claim_invalid'],
    ['attested_keys an object', () => attestation({ keys: [wallet.publicJwk] }), 'claim_invalid'],
    [
      'attested_keys holding a private key',
      async () => attestation([{ ...wallet.publicJwk, d: 'AAAA' }]),
      'claim_invalid',
    ],
    [
      'attested_keys holding garbage',
      () => attestation([{ kty: 'EC' }, wallet.publicJwk]),
      'claim_invalid',
    ],
  ]
  for (const [name, make, reason] of cases) {
    it(`${name} → invalid_proof / ${reason}`, async () => {
      const result = await verifyOid4vciProof(await proof(await make()), options)
      expect(result).toMatchObject({ verified: false, error: 'invalid_proof', reason })
      expect(result.key).toBeUndefined()
      expect(result.keyAttestation).toBeUndefined()
    })
  }
})
