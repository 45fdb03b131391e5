// The five suites as data: what each proof looks like, which keys it takes, how it canonicalizes
// and hashes. The algorithms themselves (create and verify) are shared: every suite here is
// "canonicalize the proof configuration and the document, hash both, sign the concatenation".
import { sha256, sha384 } from '@noble/hashes/sha2.js'
import { CredsignError } from '../../errors/credsign-error.js'
import type { KeyAlgorithm } from '../../keys/types.js'
import type { CryptosuiteName } from './types.js'

/** How a suite turns a JSON-LD document into bytes to hash. @internal */
export type Canonicalization = 'rdfc' | 'jcs'

/** One cryptosuite. @internal */
export interface Cryptosuite {
  name: CryptosuiteName
  /** `type` of the proof. */
  proofType: 'DataIntegrityProof' | 'Ed25519Signature2020'
  /** `cryptosuite` of the proof (DataIntegrityProof only). */
  cryptosuite?: string
  canonicalization: Canonicalization
  /** Key algorithms the suite is defined for. */
  keyAlgorithms: readonly KeyAlgorithm[]
  /**
   * Whether the stored proof keeps the `@context` of its configuration. The jcs suites do (their
   * verifiers compare it with the document's); the rdfc suites take the document's at
   * verification.
   */
  proofKeepsContext: boolean
}

/** Every suite credsign implements, by name. @internal */
export const CRYPTOSUITES: Readonly<Record<CryptosuiteName, Cryptosuite>> = {
  'eddsa-rdfc-2022': {
    name: 'eddsa-rdfc-2022',
    proofType: 'DataIntegrityProof',
    cryptosuite: 'eddsa-rdfc-2022',
    canonicalization: 'rdfc',
    keyAlgorithms: ['Ed25519'],
    proofKeepsContext: false,
  },
  'eddsa-jcs-2022': {
    name: 'eddsa-jcs-2022',
    proofType: 'DataIntegrityProof',
    cryptosuite: 'eddsa-jcs-2022',
    canonicalization: 'jcs',
    keyAlgorithms: ['Ed25519'],
    proofKeepsContext: true,
  },
  'ecdsa-rdfc-2019': {
    name: 'ecdsa-rdfc-2019',
    proofType: 'DataIntegrityProof',
    cryptosuite: 'ecdsa-rdfc-2019',
    canonicalization: 'rdfc',
    keyAlgorithms: ['P-256', 'P-384'],
    proofKeepsContext: false,
  },
  'ecdsa-jcs-2019': {
    name: 'ecdsa-jcs-2019',
    proofType: 'DataIntegrityProof',
    cryptosuite: 'ecdsa-jcs-2019',
    canonicalization: 'jcs',
    keyAlgorithms: ['P-256', 'P-384'],
    proofKeepsContext: true,
  },
  Ed25519Signature2020: {
    name: 'Ed25519Signature2020',
    proofType: 'Ed25519Signature2020',
    canonicalization: 'rdfc',
    keyAlgorithms: ['Ed25519'],
    proofKeepsContext: false,
  },
}

/**
 * The names of every suite credsign implements, in the order the docs list them: what the HTTP
 * schema, the CLI and `service/formats.ts` offer. Adding a suite to {@link CRYPTOSUITES} adds it
 * here.
 *
 * @example
 *
 * ```ts
 * CRYPTOSUITE_NAMES.includes('eddsa-jcs-2022') // true
 * ```
 *
 * @internal
 */
export const CRYPTOSUITE_NAMES = Object.keys(CRYPTOSUITES) as readonly CryptosuiteName[]

/**
 * The suite credsign signs with when the caller names none: eddsa-rdfc-2022 for Ed25519,
 * ecdsa-rdfc-2019 for P-256 / P-384; undefined for keys no suite takes (secp256k1, RSA).
 *
 * @example
 *
 * ```ts
 * defaultCryptosuiteName('P-384') // 'ecdsa-rdfc-2019'
 * defaultCryptosuiteName('secp256k1') // undefined
 * ```
 *
 * @internal
 */
export function defaultCryptosuiteName(
  algorithm: KeyAlgorithm | string,
): CryptosuiteName | undefined {
  if (algorithm === 'Ed25519') return 'eddsa-rdfc-2022'
  if (algorithm === 'P-256' || algorithm === 'P-384') return 'ecdsa-rdfc-2019'
  return undefined
}

/** The suite a proof names (its `type` and `cryptosuite`), or `unsupported_cryptosuite`. @internal */
export function suiteOfProof(type: unknown, cryptosuite: unknown): Cryptosuite {
  if (type === 'Ed25519Signature2020') return CRYPTOSUITES.Ed25519Signature2020
  if (type !== 'DataIntegrityProof') {
    throw new CredsignError(
      'unsupported_cryptosuite',
      `credsign does not verify proofs of type ${JSON.stringify(String(type).slice(0, 60))}`,
    )
  }
  const suite =
    typeof cryptosuite === 'string' ? CRYPTOSUITES[cryptosuite as CryptosuiteName] : undefined
  if (suite === undefined || suite.proofType !== 'DataIntegrityProof') {
    throw new CredsignError(
      'unsupported_cryptosuite',
      `credsign does not implement the cryptosuite ${JSON.stringify(String(cryptosuite).slice(0, 60))}`,
    )
  }
  return suite
}

/**
 * The suite a caller named, or the default for the key: eddsa-rdfc-2022 for Ed25519,
 * ecdsa-rdfc-2019 for P-256 / P-384. @internal
 */
export function suiteForSigning(name: unknown, algorithm: KeyAlgorithm): Cryptosuite {
  const chosen = name ?? defaultCryptosuiteName(algorithm)
  if (chosen === undefined) {
    throw new CredsignError(
      'unsupported_cryptosuite',
      `no Data Integrity cryptosuite signs with ${algorithm} keys (Ed25519, P-256 and P-384 do)`,
    )
  }
  const suite = typeof chosen === 'string' ? CRYPTOSUITES[chosen as CryptosuiteName] : undefined
  if (suite === undefined)
    throw new CredsignError(
      'invalid_argument',
      `unknown cryptosuite ${JSON.stringify(String(chosen).slice(0, 60))}`,
    )
  checkKeyFits(suite, algorithm)
  return suite
}

/** `unsupported_cryptosuite` unless the suite is defined for the key's algorithm. @internal */
export function checkKeyFits(suite: Cryptosuite, algorithm: string): void {
  if (!suite.keyAlgorithms.includes(algorithm as KeyAlgorithm)) {
    throw new CredsignError(
      'unsupported_cryptosuite',
      `${suite.name} is defined for ${suite.keyAlgorithms.join(' and ')} keys, not ${algorithm}`,
    )
  }
}

/**
 * The suite's hash for a key: SHA-384 for P-384 (both hashes, so `hashData` is 96 bytes), SHA-256
 * otherwise. @internal
 */
export function hashFor(algorithm: string): (data: Uint8Array) => Uint8Array {
  return algorithm === 'P-384' ? sha384 : sha256
}

/** The signature length a suite's `proofValue` must decode to, for the key. @internal */
export function signatureLength(algorithm: string): number {
  return algorithm === 'P-384' ? 96 : 64
}
