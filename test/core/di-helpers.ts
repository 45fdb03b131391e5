// Shared by the Data Integrity tests: signers from the spec vectors' multibase keys, and the
// vector files (copied from ../shared/vectors, see test/fixtures/vectors/README.md).
import { expect } from 'vitest'
import {
  importPrivateKey,
  loadPrivateKey,
  type KeyAlgorithm,
  type Signer,
} from '../../src/index.js'
import { CredsignError, type ErrorCode } from '../../src/errors/credsign-error.js'
import { fromB58 } from '../../src/util/base58.js'

/** Multicodec prefixes of multibase secret keys: ed25519-priv, p256-priv, p384-priv. */
const SECRET_CODECS: Record<string, KeyAlgorithm> = {
  '8026': 'Ed25519',
  '8626': 'P-256',
  '8726': 'P-384',
}

/** A Signer for a vector key pair: `privateKeyMultibase` (or `secretKeyMultibase`), with `vm` as id. */
export async function vectorSigner(secretMultibase: string, vm: string): Promise<Signer> {
  const bytes = fromB58(secretMultibase.slice(1))
  const codec = [...bytes.subarray(0, 2)].map((b) => b.toString(16).padStart(2, '0')).join('')
  const algorithm = SECRET_CODECS[codec]
  if (algorithm === undefined) throw new Error(`unknown secret key codec ${codec}`)
  const material = await importPrivateKey({ seed: bytes.slice(2), algorithm })
  const key = await loadPrivateKey(algorithm, material.pkcs8)
  return { id: vm, algorithm, publicJwk: material.publicJwk, sign: (data) => key.sign(data) }
}

/** The did:key verification method of a multibase public key. */
export function didKeyVm(publicKeyMultibase: string): string {
  return `did:key:${publicKeyMultibase}#${publicKeyMultibase}`
}

export const hexOf = (bytes: Uint8Array): string =>
  [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')

/** Resolves the error code a promise rejects with (fails the test if it resolves). */
export async function rejectionCode(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise
  } catch (error) {
    expect(CredsignError.is(error)).toBe(true)
    return (error as CredsignError).code
  }
  throw new Error('expected a rejection')
}

/** A deep copy, for mutating vectors. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}
