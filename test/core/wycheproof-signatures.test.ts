/**
 * Project Wycheproof signature vectors (C2SP/wycheproof, Apache-2.0; copies in
 * test/fixtures/vectors/wycheproof/) through `verifySignature`, on every backend this run has:
 * `auto` (project `node`: Node's WebCrypto; `node-backend`: node:crypto; `browser`: Chromium's
 * WebCrypto; noble where the platform lacks the curve) and `noble` (forced). Every `valid` vector
 * must verify, every `invalid` one must be refused (false, or a typed error when credsign refuses
 * the group's key on import), `acceptable` ones are counted (none in the files credsign supports).
 *
 * Files of an algorithm or encoding credsign does not verify are in UNSUPPORTED_FILES with the
 * reason; they still run, and none of their vectors may be accepted (a DER signature never as r ||
 * s). RSA vectors are verified with the file's one RSA algorithm (`verifySignature`'s `algorithm`):
 * an RSA key is used with one scheme and hash, so a PKCS#1 v1.5 signature never passes as PSS, nor
 * a SHA-512 one as SHA-256 (the WrongPrimitive vectors of each file check exactly that). Counts per
 * file and backend: docs/wycheproof.md.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { isRsaAlgorithm, verifySignature, type KeyAlgorithm } from '../../src/index.js'
import {
  autoBackendName,
  emptyTally,
  fromHex,
  groupJwk,
  record,
  verdictOf,
  type SignatureFile,
  type SignatureGroup,
  type Tally,
} from './wycheproof-helpers.js'
import ed25519 from '../fixtures/vectors/wycheproof/ed25519_test.json' with { type: 'json' }
import p256 from '../fixtures/vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json' with { type: 'json' }
import p384 from '../fixtures/vectors/wycheproof/ecdsa_secp384r1_sha384_p1363_test.json' with { type: 'json' }
import secp256k1 from '../fixtures/vectors/wycheproof/ecdsa_secp256k1_sha256_p1363_test.json' with { type: 'json' }
import pss2048 from '../fixtures/vectors/wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json' with { type: 'json' }
import pss3072 from '../fixtures/vectors/wycheproof/rsa_pss_3072_sha256_mgf1_32_test.json' with { type: 'json' }
import pss4096 from '../fixtures/vectors/wycheproof/rsa_pss_4096_sha256_mgf1_32_test.json' with { type: 'json' }
import p521 from '../fixtures/vectors/wycheproof/ecdsa_secp521r1_sha512_p1363_test.json' with { type: 'json' }
import p256Der from '../fixtures/vectors/wycheproof/ecdsa_secp256r1_sha256_test.json' with { type: 'json' }
import pss2048sha384 from '../fixtures/vectors/wycheproof/rsa_pss_2048_sha384_mgf1_48_test.json' with { type: 'json' }
import pss4096sha512 from '../fixtures/vectors/wycheproof/rsa_pss_4096_sha512_mgf1_64_test.json' with { type: 'json' }
import pkcs1v15sha256 from '../fixtures/vectors/wycheproof/rsa_signature_2048_sha256_test.json' with { type: 'json' }
import pkcs1v15sha384 from '../fixtures/vectors/wycheproof/rsa_signature_3072_sha384_test.json' with { type: 'json' }
import pkcs1v15sha512 from '../fixtures/vectors/wycheproof/rsa_signature_4096_sha512_test.json' with { type: 'json' }

interface SupportedFile {
  name: string
  file: SignatureFile
  algorithm: KeyAlgorithm
  /** What each group must say about its parameters (so a file cannot silently test something else). */
  groupCheck: (group: SignatureGroup) => boolean
}

/**
 * What the groups of a PSS file must say: one SHA-2 hash for message and MGF1, a salt as long as
 * the hash.
 */
const pssGroup =
  (sha: string, sLen: number) =>
  (g: SignatureGroup): boolean =>
    g.type === 'RsassaPssVerify' &&
    g.sha === sha &&
    g.mgf === 'MGF1' &&
    g.mgfSha === sha &&
    g.sLen === sLen
const pkcs1Group =
  (sha: string) =>
  (g: SignatureGroup): boolean =>
    g.type === 'RsassaPkcs1Verify' && g.sha === sha

const SUPPORTED: readonly SupportedFile[] = [
  {
    name: 'ed25519_test.json',
    file: ed25519 as SignatureFile,
    algorithm: 'Ed25519',
    groupCheck: (g) => g.type === 'EddsaVerify',
  },
  {
    name: 'ecdsa_secp256r1_sha256_p1363_test.json',
    file: p256 as SignatureFile,
    algorithm: 'P-256',
    groupCheck: (g) => g.type === 'EcdsaP1363Verify' && g.sha === 'SHA-256',
  },
  {
    name: 'ecdsa_secp384r1_sha384_p1363_test.json',
    file: p384 as SignatureFile,
    algorithm: 'P-384',
    groupCheck: (g) => g.type === 'EcdsaP1363Verify' && g.sha === 'SHA-384',
  },
  {
    name: 'ecdsa_secp521r1_sha512_p1363_test.json',
    file: p521 as SignatureFile,
    algorithm: 'P-521',
    groupCheck: (g) => g.type === 'EcdsaP1363Verify' && g.sha === 'SHA-512',
  },
  {
    name: 'ecdsa_secp256k1_sha256_p1363_test.json',
    file: secp256k1 as SignatureFile,
    algorithm: 'secp256k1',
    groupCheck: (g) => g.type === 'EcdsaP1363Verify' && g.sha === 'SHA-256',
  },
  // credsign's PS256 (key algorithm RSA-PSS): SHA-256, MGF1 with SHA-256, a 32-byte salt.
  {
    name: 'rsa_pss_2048_sha256_mgf1_32_test.json',
    file: pss2048 as SignatureFile,
    algorithm: 'RSA-PSS',
    groupCheck: pssGroup('SHA-256', 32),
  },
  {
    name: 'rsa_pss_3072_sha256_mgf1_32_test.json',
    file: pss3072 as SignatureFile,
    algorithm: 'RSA-PSS',
    groupCheck: pssGroup('SHA-256', 32),
  },
  {
    name: 'rsa_pss_4096_sha256_mgf1_32_test.json',
    file: pss4096 as SignatureFile,
    algorithm: 'RSA-PSS',
    groupCheck: pssGroup('SHA-256', 32),
  },
  {
    name: 'rsa_pss_2048_sha384_mgf1_48_test.json',
    file: pss2048sha384 as SignatureFile,
    algorithm: 'PS384',
    groupCheck: pssGroup('SHA-384', 48),
  },
  {
    name: 'rsa_pss_4096_sha512_mgf1_64_test.json',
    file: pss4096sha512 as SignatureFile,
    algorithm: 'PS512',
    groupCheck: pssGroup('SHA-512', 64),
  },
  {
    name: 'rsa_signature_2048_sha256_test.json',
    file: pkcs1v15sha256 as SignatureFile,
    algorithm: 'RS256',
    groupCheck: pkcs1Group('SHA-256'),
  },
  {
    name: 'rsa_signature_3072_sha384_test.json',
    file: pkcs1v15sha384 as SignatureFile,
    algorithm: 'RS384',
    groupCheck: pkcs1Group('SHA-384'),
  },
  {
    name: 'rsa_signature_4096_sha512_test.json',
    file: pkcs1v15sha512 as SignatureFile,
    algorithm: 'RS512',
    groupCheck: pkcs1Group('SHA-512'),
  },
]

/**
 * Files credsign does not verify, and why. Their vectors still run through `verifySignature` with
 * the group's public key, and every one of them must be refused.
 */
const UNSUPPORTED_FILES: readonly { name: string; file: SignatureFile; reason: string }[] = [
  {
    name: 'ecdsa_secp256r1_sha256_test.json',
    file: p256Der as SignatureFile,
    reason:
      'ASN.1 DER signatures: credsign (JWS, RFC 7518 section 3.4; Data Integrity ecdsa-*) only takes r || s (IEEE P1363), tested by ecdsa_secp256r1_sha256_p1363_test.json; a DER signature given as is must never verify',
  },
]

/** Valid vectors credsign refuses on purpose, by file and tcId, with the reason. None today. */
const JUSTIFIED_REFUSALS: Readonly<Record<string, Readonly<Record<number, string>>>> = {}

/** The summary printed after the run (and copied into docs/wycheproof.md). */
const summary: string[] = []
afterAll(() => {
  if (summary.length > 0) console.log(`Wycheproof signature vectors:\n${summary.join('\n')}`)
})

/**
 * Runs every vector of `file` through `verifySignature` with `backend` (and, for RSA files, the
 * file's `algorithm`). `skipReason` marks an unsupported file, whose vectors must all be refused.
 */
async function run(
  file: SignatureFile,
  backend: 'auto' | 'noble',
  algorithm: KeyAlgorithm | undefined,
  skipReason?: string,
  justified: Readonly<Record<number, string>> = {},
): Promise<Tally> {
  const tally = emptyTally()
  const options = algorithm === undefined ? { backend } : { backend, algorithm }
  for (const group of file.testGroups) {
    const jwk = groupJwk(group)
    for (const vector of group.tests) {
      const outcome = await verdictOf(() =>
        verifySignature(jwk, fromHex(vector.msg), fromHex(vector.sig), options),
      )
      record(
        tally,
        vector,
        outcome,
        skipReason ?? (outcome.verdict === 'refused' ? justified[vector.tcId] : undefined),
      )
    }
  }
  return tally
}

function expectedCounts(file: SignatureFile): {
  valid: number
  invalid: number
  acceptable: number
} {
  const counts = { valid: 0, invalid: 0, acceptable: 0 }
  for (const group of file.testGroups) for (const vector of group.tests) counts[vector.result]++
  return counts
}

describe.each(SUPPORTED)('Wycheproof $name', ({ name, file, algorithm, groupCheck }) => {
  it('has the parameters credsign verifies in every group, and the stated number of vectors', () => {
    expect(file.testGroups.every(groupCheck)).toBe(true)
    expect(file.testGroups.reduce((sum, group) => sum + group.tests.length, 0)).toBe(
      file.numberOfTests,
    )
  })

  const backends = isRsaAlgorithm(algorithm) ? (['auto'] as const) : (['auto', 'noble'] as const)
  it.each(backends)(
    'backend %s: every valid vector accepted, every invalid one refused',
    async (backend) => {
      const tally = await run(file, backend, algorithm, undefined, JUSTIFIED_REFUSALS[name])
      const label = backend === 'noble' ? 'noble' : await autoBackendName(algorithm)
      const counts = expectedCounts(file)
      summary.push(
        `  ${name} [${label}]: valid accepted ${tally.validAccepted}/${counts.valid}, invalid refused ${tally.invalidRefused}/${counts.invalid}, ` +
          `acceptable ${tally.acceptableAccepted} accepted / ${tally.acceptableRefused} refused, wrong ${tally.wrong.length}`,
      )
      expect(tally.wrong).toEqual([])
      expect(tally.validAccepted + tally.skippedRefused).toBe(counts.valid)
      expect(tally.invalidRefused).toBe(counts.invalid)
      expect(tally.acceptableAccepted + tally.acceptableRefused).toBe(counts.acceptable)
      // The decision (docs/wycheproof.md): acceptable vectors (the PKCS#1 v1.5 MissingNull ones) are refused on every backend.
      expect(tally.acceptableAccepted).toBe(0)
    },
  )
})

it.each(SUPPORTED.filter((entry) => isRsaAlgorithm(entry.algorithm)))(
  '$algorithm has no noble path: backend noble refuses the key type (unsupported_algorithm), by design ($name)',
  async ({ file, algorithm }) => {
    const group = file.testGroups[0] as SignatureGroup
    const vector = group.tests[0]!
    const outcome = await verdictOf(() =>
      verifySignature(groupJwk(group), fromHex(vector.msg), fromHex(vector.sig), {
        backend: 'noble',
        algorithm,
      }),
    )
    expect(outcome).toEqual({ verdict: 'refused', detail: 'unsupported_algorithm' })
  },
)

it('an RSA key never verifies with another RSA algorithm than the signature was made with', async () => {
  // The first valid vector of each RSA file, verified as each of the other five RSA algorithms.
  for (const entry of SUPPORTED.filter((candidate) => isRsaAlgorithm(candidate.algorithm))) {
    const group = entry.file.testGroups.find((g) =>
      g.tests.some((t) => t.result === 'valid'),
    ) as SignatureGroup
    const vector = group.tests.find((t) => t.result === 'valid')!
    for (const other of ['RSA-PSS', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'] as const) {
      const valid = await verifySignature(
        groupJwk(group),
        fromHex(vector.msg),
        fromHex(vector.sig),
        { algorithm: other },
      )
      expect(valid, `${entry.name} as ${other}`).toBe(other === entry.algorithm)
    }
  }
})

describe.each(UNSUPPORTED_FILES)(
  'Wycheproof $name (unsupported: never accepted)',
  ({ name, file, reason }) => {
    it.each(['auto', 'noble'] as const)('backend %s: every vector refused', async (backend) => {
      const tally = await run(file, backend, undefined, reason)
      const label = backend === 'noble' ? 'noble' : `auto: ${await autoBackendName('P-256')}`
      summary.push(
        `  ${name} [${label}]: skipped (${reason.split(':')[0]}), ${tally.skippedRefused}/${file.numberOfTests} refused, wrong ${tally.wrong.length}`,
      )
      expect(tally.wrong).toEqual([])
      expect(tally.skippedRefused).toBe(file.numberOfTests)
    })
  },
)
