// Shared pieces of the vc-*.test.ts files: signers over fresh keys, sample documents, a decoder.
import { expect } from 'vitest'
import {
  asDidSigner,
  generateKeyPair,
  loadPrivateKey,
  type KeyAlgorithm,
  type Signer,
} from '../../src/index.js'
import { b64u, fromB64u, fromUtf8, utf8 } from '../../src/util/bytes.js'
import type { VerifyOptions as JoseVerifyOptions } from '../../src/verify/types.js'
import { verify } from '../../src/service/index.js'
import type { VerificationResult } from '../../src/verify/index.js'

export const V2 = 'https://www.w3.org/ns/credentials/v2'
export const V1 = 'https://www.w3.org/2018/credentials/v1'

export const ALGORITHMS: { key: KeyAlgorithm; alg: string }[] = [
  { key: 'Ed25519', alg: 'EdDSA' },
  { key: 'P-256', alg: 'ES256' },
  { key: 'P-384', alg: 'ES384' },
  { key: 'secp256k1', alg: 'ES256K' },
  { key: 'RSA-PSS', alg: 'PS256' },
]

/** A signer over a fresh key, named by its did:key verification method (resolvable offline). */
export async function didSigner(algorithm: KeyAlgorithm = 'Ed25519'): Promise<Signer> {
  const material = await generateKeyPair(
    algorithm,
    algorithm === 'RSA-PSS' ? { modulusLength: 2048 } : {},
  )
  const handle = await loadPrivateKey(algorithm, material.pkcs8)
  material.pkcs8.fill(0)
  return asDidSigner({
    id: 'test-key',
    algorithm,
    publicJwk: material.publicJwk,
    sign: (data) => handle.sign(data),
  })
}

/** The DID of a did:key signer. */
export function didOf(signer: Signer): string {
  return signer.id.split('#')[0] as string
}

/** A plain signer over a fresh key with the given id. */
export async function plainSigner(algorithm: KeyAlgorithm, id: string): Promise<Signer> {
  const material = await generateKeyPair(
    algorithm,
    algorithm === 'RSA-PSS' ? { modulusLength: 2048 } : {},
  )
  const handle = await loadPrivateKey(algorithm, material.pkcs8)
  return { id, algorithm, publicJwk: material.publicJwk, sign: (data) => handle.sign(data) }
}

export function credentialV2(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': [V2, 'https://www.w3.org/ns/credentials/examples/v2'],
    id: 'urn:uuid:6a3c1a0e-3c55-4a43-8c1b-5b1d1d1f0a01',
    type: ['VerifiableCredential', 'ExampleDegreeCredential'],
    validFrom: '2020-01-01T00:00:00Z',
    credentialSubject: { id: 'did:example:alice', degree: { type: 'BachelorDegree', name: 'BSc' } },
    ...extra,
  }
}

export function credentialV1(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': [V1, 'https://www.w3.org/2018/credentials/examples/v1'],
    id: 'http://example.edu/credentials/3732',
    type: ['VerifiableCredential', 'UniversityDegreeCredential'],
    issuanceDate: '2020-01-01T19:23:24Z',
    credentialSubject: { id: 'did:example:alice', degree: { type: 'BachelorDegree', name: 'BSc' } },
    ...extra,
  }
}

export function presentationV2(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { '@context': [V2], type: ['VerifiablePresentation'], ...extra }
}

export function presentationV1(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { '@context': [V1], type: ['VerifiablePresentation'], ...extra }
}

/** Header and payload of a compact JWS, unverified. */
export function decode(jwt: string): {
  header: Record<string, unknown>
  payload: Record<string, unknown>
} {
  const [h, p] = jwt.split('.') as [string, string]
  return {
    header: JSON.parse(fromUtf8(fromB64u(h))) as Record<string, unknown>,
    payload: JSON.parse(fromUtf8(fromB64u(p))) as Record<string, unknown>,
  }
}

/** Verify() with the loose options object the tests pass (JoseVerifyOptions members included). */
export function verifyVc(
  input: unknown,
  options: JoseVerifyOptions & Record<string, unknown> = {},
): Promise<VerificationResult> {
  return verify(input, options)
}

/** The error codes of a result, in order. */
export function codes(result: VerificationResult): string[] {
  return result.errors.map((e) => e.code)
}

/** Asserts a verified result (showing the errors when not). */
export function expectVerified(result: VerificationResult): void {
  expect(result.errors, JSON.stringify(result.errors)).toEqual([])
  expect(result.verified).toBe(true)
}

/**
 * A compact JWS over a hand-made header and payload, signed by `signer` (no checks: for hostile
 * tokens).
 */
export async function signRaw(
  signer: Signer,
  header: Record<string, unknown>,
  payload: unknown,
): Promise<string> {
  const input = `${b64u(utf8(JSON.stringify(header)))}.${b64u(utf8(typeof payload === 'string' ? payload : JSON.stringify(payload)))}`
  return `${input}.${b64u(await signer.sign(utf8(input)))}`
}
