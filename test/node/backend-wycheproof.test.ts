/**
 * The Wycheproof signature vectors on three backends in one process, vector by vector: the default
 * path (Node's WebCrypto, noble for secp256k1), `backend: 'noble'`, and node:crypto (installed here
 * with `installBackend`, as the package's `node` export condition does). Every vector must get the
 * same verdict on all three: equal counts (test/core/wycheproof-signatures) could still hide two
 * backends wrong in opposite directions. Also shows why the small-order check sits in the key
 * layer: node:crypto itself accepts the identity-key forgery.
 *
 * `node` project only (the `node-backend` project excludes backend-*.test.ts: it installs the
 * backend for every file, so this comparison would have nothing to compare).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { verifySignature, type KeyAlgorithm, type PublicJwk } from '../../src/index.js'
import { cryptoBackend, installBackend } from '../../src/keys/backend.js'
import { nodeCryptoBackend } from '../../src/backend/node-crypto.js'
import { concat, utf8 } from '../../src/util/bytes.js'
import { fromHex, groupJwk, verdictOf, type SignatureFile } from '../core/wycheproof-helpers.js'
import ed25519 from '../fixtures/vectors/wycheproof/ed25519_test.json' with { type: 'json' }
import p256 from '../fixtures/vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json' with { type: 'json' }
import p384 from '../fixtures/vectors/wycheproof/ecdsa_secp384r1_sha384_p1363_test.json' with { type: 'json' }
import secp256k1 from '../fixtures/vectors/wycheproof/ecdsa_secp256k1_sha256_p1363_test.json' with { type: 'json' }
import pss2048 from '../fixtures/vectors/wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json' with { type: 'json' }
import p521 from '../fixtures/vectors/wycheproof/ecdsa_secp521r1_sha512_p1363_test.json' with { type: 'json' }
import pss2048sha384 from '../fixtures/vectors/wycheproof/rsa_pss_2048_sha384_mgf1_48_test.json' with { type: 'json' }
import pss4096sha512 from '../fixtures/vectors/wycheproof/rsa_pss_4096_sha512_mgf1_64_test.json' with { type: 'json' }
import pkcs1v15sha256 from '../fixtures/vectors/wycheproof/rsa_signature_2048_sha256_test.json' with { type: 'json' }
import pkcs1v15sha512 from '../fixtures/vectors/wycheproof/rsa_signature_4096_sha512_test.json' with { type: 'json' }

/** `algorithm`: the RSA algorithm the file's signatures are verified with (RSA keys name no scheme). */
const FILES: readonly {
  name: string
  file: SignatureFile
  rsa: boolean
  algorithm?: KeyAlgorithm
}[] = [
  { name: 'ed25519_test.json', file: ed25519 as SignatureFile, rsa: false },
  { name: 'ecdsa_secp256r1_sha256_p1363_test.json', file: p256 as SignatureFile, rsa: false },
  { name: 'ecdsa_secp384r1_sha384_p1363_test.json', file: p384 as SignatureFile, rsa: false },
  { name: 'ecdsa_secp521r1_sha512_p1363_test.json', file: p521 as SignatureFile, rsa: false },
  { name: 'ecdsa_secp256k1_sha256_p1363_test.json', file: secp256k1 as SignatureFile, rsa: false },
  {
    name: 'rsa_pss_2048_sha256_mgf1_32_test.json',
    file: pss2048 as SignatureFile,
    rsa: true,
    algorithm: 'RSA-PSS',
  },
  {
    name: 'rsa_pss_2048_sha384_mgf1_48_test.json',
    file: pss2048sha384 as SignatureFile,
    rsa: true,
    algorithm: 'PS384',
  },
  {
    name: 'rsa_pss_4096_sha512_mgf1_64_test.json',
    file: pss4096sha512 as SignatureFile,
    rsa: true,
    algorithm: 'PS512',
  },
  {
    name: 'rsa_signature_2048_sha256_test.json',
    file: pkcs1v15sha256 as SignatureFile,
    rsa: true,
    algorithm: 'RS256',
  },
  {
    name: 'rsa_signature_4096_sha512_test.json',
    file: pkcs1v15sha512 as SignatureFile,
    rsa: true,
    algorithm: 'RS512',
  },
]

/** `tcId:verdict` for every vector of `file`, with verifySignature on the current backend. */
async function verdicts(
  file: SignatureFile,
  backend: 'auto' | 'noble',
  algorithm?: KeyAlgorithm,
): Promise<string[]> {
  const out: string[] = []
  const options = algorithm === undefined ? { backend } : { backend, algorithm }
  for (const group of file.testGroups) {
    const jwk = groupJwk(group)
    for (const vector of group.tests) {
      const { verdict } = await verdictOf(() =>
        verifySignature(jwk, fromHex(vector.msg), fromHex(vector.sig), options),
      )
      out.push(`${vector.tcId}:${verdict}`)
    }
  }
  return out
}

afterEach(() => installBackend(undefined))

describe.each(FILES)(
  '$name: one verdict per vector on every backend',
  ({ file, rsa, algorithm }) => {
    it('default path, noble and node:crypto agree, and agree with Wycheproof', async () => {
      expect(cryptoBackend()).toBeUndefined()
      const byDefault = await verdicts(file, 'auto', algorithm)
      installBackend(nodeCryptoBackend())
      const byNode = await verdicts(file, 'auto', algorithm)
      installBackend(undefined)
      expect(byNode).toEqual(byDefault)
      if (!rsa) expect(await verdicts(file, 'noble')).toEqual(byDefault)
      // `acceptable` (the PKCS#1 v1.5 MissingNull vectors) is refused, the decision of docs/wycheproof.md.
      const expected = file.testGroups.flatMap((group) =>
        group.tests.map(
          (vector) => `${vector.tcId}:${vector.result === 'valid' ? 'accepted' : 'refused'}`,
        ),
      )
      expect(byDefault).toEqual(expected)
    })
  },
)

describe('the identity-key forgery (issue 12, finding 2)', () => {
  const identity = fromHex('0100000000000000000000000000000000000000000000000000000000000000')
  const forged = concat(identity, new Uint8Array(32))
  const message = utf8('any message at all')

  it('node:crypto alone accepts it (OpenSSL checks no key order): the premise of the key-layer check', async () => {
    const verdict = await nodeCryptoBackend().verify?.(
      { algorithm: 'Ed25519', publicKey: identity },
      message,
      forged,
    )
    expect(verdict).toBe(true)
  })

  it('through verifySignature it is invalid_key on the default path and on node:crypto', async () => {
    const jwk: PublicJwk = {
      kty: 'OKP',
      crv: 'Ed25519',
      x: Buffer.from(identity).toString('base64url'),
    }
    expect(await verdictOf(() => verifySignature(jwk, message, forged))).toEqual({
      verdict: 'refused',
      detail: 'invalid_key',
    })
    installBackend(nodeCryptoBackend())
    expect(await verdictOf(() => verifySignature(jwk, message, forged))).toEqual({
      verdict: 'refused',
      detail: 'invalid_key',
    })
  })
})
