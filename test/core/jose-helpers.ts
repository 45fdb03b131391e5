import {
  generateKeyPair,
  isRsaAlgorithm,
  loadPrivateKey,
  type KeyAlgorithm,
  type KeyMaterial,
  type PublicJwk,
  type Signer,
} from '../../src/index.js'
import { b64u, utf8 } from '../../src/util/bytes.js'

/** A test signer plus its key material (PKCS#8 for interop tests). */
export interface TestKey {
  signer: Signer
  publicJwk: PublicJwk
  material: KeyMaterial
}

/** A signer over a fresh key (RSA 2048 to keep generation quick). */
export async function testKey(
  algorithm: KeyAlgorithm,
  id = `urn:test:${algorithm}`,
): Promise<TestKey> {
  const material = await generateKeyPair(
    algorithm,
    isRsaAlgorithm(algorithm) ? { modulusLength: 2048 } : {},
  )
  const handle = await loadPrivateKey(algorithm, material.pkcs8)
  const signer: Signer = {
    id,
    algorithm,
    publicJwk: material.publicJwk,
    sign: (data) => handle.sign(data),
  }
  return { signer, publicJwk: material.publicJwk, material }
}

/** The same signer under another id. */
export function withId(key: TestKey, id: string): Signer {
  return { ...key.signer, id }
}

/** Base64url of a JSON value or string. */
export function seg(value: unknown): string {
  return b64u(utf8(typeof value === 'string' ? value : JSON.stringify(value)))
}

/**
 * A compact JWS signed by `signer` over a hand-made protected header (no checks: for hostile
 * tokens).
 */
export async function rawCompact(
  signer: Signer,
  header: string | object,
  payload: string | object,
): Promise<string> {
  const input = `${seg(header)}.${seg(payload)}`
  return `${input}.${b64u(await signer.sign(utf8(input)))}`
}

export const ALGORITHMS: KeyAlgorithm[] = ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS']
