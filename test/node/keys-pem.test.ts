/**
 * PEM and DER private keys as OpenSSL writes them (PKCS#8, SEC1, PKCS#1; made with the `openssl`
 * command at test time) import into a vault and sign what node:crypto verifies; SPKI public keys
 * round-trip with `openssl pkey -pubout`; broken input (mismatched, truncated, encrypted,
 * bit-flipped) fails with a CredsignError code, never anything else.
 */
import { execFileSync } from 'node:child_process'
import { constants, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CredsignError,
  KeyVault,
  MemoryStore,
  importPrivateKey,
  isKeyAlgorithm,
  jwkFromSpki,
  jwkFromSpkiPem,
  spkiFromJwk,
  spkiPemFromJwk,
  type KeyAlgorithm,
  type PrivateKeyInput,
  type PublicJwk,
} from 'credsign'

const dir = mkdtempSync(join(tmpdir(), 'credsign-pem-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs openssl and returns its stdout (text or bytes). */
function openssl(args: string[], input?: string | Buffer): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] })
}
function file(name: string): string {
  return join(dir, name)
}
function text(name: string): string {
  return readFileSync(file(name), 'utf8')
}
function bytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(file(name)))
}

const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: 'service-secret-for-tests-only-0123456789abcdef',
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
let counter = 0

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof CredsignError) return error.code
    throw error
  }
  return 'resolved'
}

/** Node:crypto's verify options for what a credsign key of `algorithm` signs. */
function nodeVerifyKey(algorithm: KeyAlgorithm, key: KeyObject) {
  if (algorithm === 'Ed25519') return { key }
  if (
    algorithm === 'P-256' ||
    algorithm === 'P-384' ||
    algorithm === 'P-521' ||
    algorithm === 'secp256k1'
  )
    return { key, dsaEncoding: 'ieee-p1363' as const }
  if (/^RS\d/.test(algorithm)) return { key, padding: constants.RSA_PKCS1_PADDING }
  const saltLength = algorithm === 'PS384' ? 48 : algorithm === 'PS512' ? 64 : 32
  return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }
}
function nodeHash(algorithm: KeyAlgorithm): string | null {
  if (algorithm === 'Ed25519') return null
  if (algorithm === 'P-384' || algorithm.endsWith('384')) return 'sha384'
  if (algorithm === 'P-521' || algorithm.endsWith('512')) return 'sha512'
  return 'sha256'
}

function withoutKid(jwk: PublicJwk): PublicJwk {
  const { kid: _kid, ...rest } = jwk
  return rest as PublicJwk
}

/**
 * Imports into the vault, signs, and checks the signature with node:crypto and the public key with
 * openssl's.
 */
async function importAndSign(
  key: PrivateKeyInput,
  privatePem: string,
  expected: KeyAlgorithm,
  spkiOf: 'rsaEncryption' | 'openssl' = 'openssl',
): Promise<void> {
  const id = `pem-${++counter}`
  const info = await vault.import({ id, secrets: ['s1'], key })
  expect(info.current.algorithm).toBe(expected)
  const publicKey = createPublicKey(privatePem)
  // The public key the vault derived is the one OpenSSL derives (SPKI bytes compared; for an
  // id-RSASSA-PSS key OpenSSL's SPKI keeps the restriction, credsign's is rsaEncryption: the
  // signature check below is the comparison).
  if (spkiOf === 'openssl')
    expect(
      Buffer.from(spkiFromJwk(info.current.publicJwk)).equals(
        publicKey.export({ format: 'der', type: 'spki' }),
      ),
    ).toBe(true)
  const data = new TextEncoder().encode(`signed with ${id}`)
  const signature = await vault.withKey(id, ['s1'], (signer) => signer.sign(data))
  expect(nodeVerify(nodeHash(expected), data, nodeVerifyKey(expected, publicKey), signature)).toBe(
    true,
  )
}

const EC_CURVES = [
  ['P-256', 'prime256v1'],
  ['P-384', 'secp384r1'],
  ['P-521', 'secp521r1'],
  ['secp256k1', 'secp256k1'],
] as const
const SUPPORTED_CURVES = EC_CURVES.filter(([algorithm]) => isKeyAlgorithm(algorithm))
const RSA_ALGORITHMS = (['RSA-PSS', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'] as const).filter(
  (a) => isKeyAlgorithm(a),
)

beforeAll(() => {
  expect(openssl(['version']).toString()).toMatch(/OpenSSL 3\./)
  openssl(['genpkey', '-algorithm', 'ed25519', '-out', file('ed25519.pem')])
  for (const [algorithm, name] of EC_CURVES) {
    // PKCS#8 from genpkey; SEC1 (with the EC PARAMETERS block before it) from ecparam -genkey.
    openssl([
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      `ec_paramgen_curve:${name}`,
      '-out',
      file(`${algorithm}.pkcs8.pem`),
    ])
    openssl(['ecparam', '-name', name, '-genkey', '-out', file(`${algorithm}.sec1.pem`)])
    openssl([
      'ec',
      '-in',
      file(`${algorithm}.sec1.pem`),
      '-outform',
      'DER',
      '-out',
      file(`${algorithm}.sec1.der`),
    ])
    // `pkey -outform DER` writes the traditional form (SEC1, PKCS#1); pkcs8 -topk8 -nocrypt writes PKCS#8.
    openssl([
      'pkcs8',
      '-topk8',
      '-nocrypt',
      '-in',
      file(`${algorithm}.pkcs8.pem`),
      '-outform',
      'DER',
      '-out',
      file(`${algorithm}.pkcs8.der`),
    ])
  }
  openssl([
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    file('rsa.pkcs8.pem'),
  ])
  openssl(['genrsa', '-traditional', '-out', file('rsa.pkcs1.pem'), '2048'])
  openssl([
    'rsa',
    '-in',
    file('rsa.pkcs1.pem'),
    '-traditional',
    '-outform',
    'DER',
    '-out',
    file('rsa.pkcs1.der'),
  ])
  openssl([
    'pkcs8',
    '-topk8',
    '-nocrypt',
    '-in',
    file('rsa.pkcs8.pem'),
    '-outform',
    'DER',
    '-out',
    file('rsa.pkcs8.der'),
  ])
  openssl(['genrsa', '-traditional', '-out', file('rsa1024.pem'), '1024'])
  // id-RSASSA-PSS keys: restricted to PSS (no parameters), or to PS384 exactly (parameters).
  openssl([
    'genpkey',
    '-algorithm',
    'RSA-PSS',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    file('rsa-pss.pem'),
  ])
  openssl([
    'genpkey',
    '-algorithm',
    'RSA-PSS',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-pkeyopt',
    'rsa_pss_keygen_md:sha384',
    '-pkeyopt',
    'rsa_pss_keygen_mgf1_md:sha384',
    '-pkeyopt',
    'rsa_pss_keygen_saltlen:48',
    '-out',
    file('rsa-pss-384.pem'),
  ])
  openssl([
    'ecparam',
    '-name',
    'brainpoolP256r1',
    '-genkey',
    '-noout',
    '-out',
    file('brainpool.pem'),
  ])
  // Encrypted: PKCS#8 PBES2 (PEM and DER) and OpenSSL's legacy PEM encryption.
  openssl([
    'pkcs8',
    '-topk8',
    '-in',
    file('P-256.pkcs8.pem'),
    '-v2',
    'aes-256-cbc',
    '-passout',
    'pass:secret',
    '-out',
    file('encrypted.pem'),
  ])
  openssl([
    'pkcs8',
    '-topk8',
    '-in',
    file('P-256.pkcs8.pem'),
    '-v2',
    'aes-256-cbc',
    '-passout',
    'pass:secret',
    '-outform',
    'DER',
    '-out',
    file('encrypted.der'),
  ])
  openssl([
    'rsa',
    '-in',
    file('rsa.pkcs1.pem'),
    '-traditional',
    '-aes128',
    '-passout',
    'pass:secret',
    '-out',
    file('rsa.legacy-encrypted.pem'),
  ])
  openssl([
    'ec',
    '-in',
    file('P-256.sec1.pem'),
    '-aes128',
    '-passout',
    'pass:secret',
    '-out',
    file('ec.legacy-encrypted.pem'),
  ])
}, 120_000)

describe('PEM and DER private keys written by openssl import and sign', () => {
  it('Ed25519 PKCS#8 (genpkey): pem, der and the pkcs8 form (PEM string and DER)', async () => {
    const pem = text('ed25519.pem')
    const der = new Uint8Array(
      openssl(['pkcs8', '-topk8', '-nocrypt', '-in', file('ed25519.pem'), '-outform', 'DER']),
    )
    await importAndSign({ pem }, pem, 'Ed25519')
    await importAndSign({ der }, pem, 'Ed25519')
    await importAndSign({ pkcs8: pem }, pem, 'Ed25519')
    await importAndSign({ pkcs8: der }, pem, 'Ed25519')
  })

  for (const [algorithm] of SUPPORTED_CURVES) {
    it(`${algorithm}: PKCS#8 (genpkey) and SEC1 (ecparam -genkey, with its EC PARAMETERS block), PEM and DER`, async () => {
      const pkcs8 = text(`${algorithm}.pkcs8.pem`)
      const sec1 = text(`${algorithm}.sec1.pem`)
      expect(sec1).toContain('-----BEGIN EC PARAMETERS-----')
      expect(sec1).toContain('-----BEGIN EC PRIVATE KEY-----')
      await importAndSign({ pem: pkcs8 }, pkcs8, algorithm)
      await importAndSign({ der: bytes(`${algorithm}.pkcs8.der`) }, pkcs8, algorithm)
      await importAndSign({ pem: sec1 }, sec1, algorithm)
      await importAndSign({ der: bytes(`${algorithm}.sec1.der`), algorithm }, sec1, algorithm)
      // The library helper takes the same forms.
      const material = await importPrivateKey({ pem: sec1 })
      expect(material.algorithm).toBe(algorithm)
      material.pkcs8.fill(0)
    })
  }

  for (const algorithm of RSA_ALGORITHMS) {
    it(`RSA as ${algorithm}: PKCS#8 (genpkey) and PKCS#1 (genrsa -traditional), PEM and DER, with the algorithm named`, async () => {
      const pkcs8 = text('rsa.pkcs8.pem')
      const pkcs1 = text('rsa.pkcs1.pem')
      expect(pkcs1).toContain('-----BEGIN RSA PRIVATE KEY-----')
      await importAndSign({ pem: pkcs8, algorithm }, pkcs8, algorithm)
      await importAndSign({ pem: pkcs1, algorithm }, pkcs1, algorithm)
      await importAndSign({ der: bytes('rsa.pkcs1.der'), algorithm }, pkcs1, algorithm)
      await importAndSign({ der: bytes('rsa.pkcs8.der'), algorithm }, pkcs8, algorithm)
    })
  }

  it('an RSA pem / der without algorithm is invalid_argument (PKCS#1 says nothing of PSS or PKCS#1 v1.5, nor the hash)', async () => {
    expect(await codeOf(importPrivateKey({ pem: text('rsa.pkcs1.pem') }))).toBe('invalid_argument')
    expect(await codeOf(importPrivateKey({ der: bytes('rsa.pkcs8.der') }))).toBe('invalid_argument')
    // The pkcs8 form keeps its 0.1 default: RSA-PSS (PS256).
    expect((await importPrivateKey({ pkcs8: bytes('rsa.pkcs8.der') })).algorithm).toBe('RSA-PSS')
  })

  if (isKeyAlgorithm('PS384') && isKeyAlgorithm('RS256')) {
    it('id-RSASSA-PSS keys (genpkey -algorithm RSA-PSS): parameters name the algorithm; the restriction holds', async () => {
      await importAndSign(
        { pem: text('rsa-pss-384.pem') },
        text('rsa-pss-384.pem'),
        'PS384',
        'rsaEncryption',
      )
      expect(
        await codeOf(importPrivateKey({ pem: text('rsa-pss-384.pem'), algorithm: 'RS256' })),
      ).toBe('invalid_key')
      expect(await codeOf(importPrivateKey({ pem: text('rsa-pss.pem') }))).toBe('invalid_argument')
      await importAndSign(
        { pem: text('rsa-pss.pem'), algorithm: 'PS512' },
        text('rsa-pss.pem'),
        'PS512',
        'rsaEncryption',
      )
      expect(await codeOf(importPrivateKey({ pem: text('rsa-pss.pem'), algorithm: 'RS256' }))).toBe(
        'invalid_key',
      )
    })
  }

  it('an algorithm that is not the key’s is invalid_key', async () => {
    expect(
      await codeOf(importPrivateKey({ pem: text('P-256.sec1.pem'), algorithm: 'P-384' })),
    ).toBe('invalid_key')
    expect(await codeOf(importPrivateKey({ pem: text('ed25519.pem'), algorithm: 'RSA-PSS' }))).toBe(
      'invalid_key',
    )
    expect(
      await codeOf(importPrivateKey({ pem: text('rsa.pkcs1.pem'), algorithm: 'Ed25519' })),
    ).toBe('invalid_key')
  })
})

describe('refusals, each with its code', () => {
  it('encrypted keys: encrypted_key_unsupported (PKCS#8 PEM and DER, OpenSSL legacy PEM)', async () => {
    expect(text('encrypted.pem')).toContain('BEGIN ENCRYPTED PRIVATE KEY')
    expect(text('rsa.legacy-encrypted.pem')).toContain('Proc-Type: 4,ENCRYPTED')
    expect(
      await codeOf(
        vault.import({ id: 'enc-1', secrets: ['s1'], key: { pem: text('encrypted.pem') } }),
      ),
    ).toBe('encrypted_key_unsupported')
    expect(await codeOf(importPrivateKey({ pkcs8: text('encrypted.pem') }))).toBe(
      'encrypted_key_unsupported',
    )
    expect(await codeOf(importPrivateKey({ der: bytes('encrypted.der') }))).toBe(
      'encrypted_key_unsupported',
    )
    expect(
      await codeOf(
        importPrivateKey({ pem: text('rsa.legacy-encrypted.pem'), algorithm: 'RSA-PSS' }),
      ),
    ).toBe('encrypted_key_unsupported')
    expect(await codeOf(importPrivateKey({ pem: text('ec.legacy-encrypted.pem') }))).toBe(
      'encrypted_key_unsupported',
    )
  })

  it('RSA below 2048 bits and unknown curves: unsupported_algorithm', async () => {
    expect(await codeOf(importPrivateKey({ pem: text('rsa1024.pem'), algorithm: 'RSA-PSS' }))).toBe(
      'unsupported_algorithm',
    )
    expect(await codeOf(importPrivateKey({ pem: text('brainpool.pem') }))).toBe(
      'unsupported_algorithm',
    )
  })

  it('a SEC1 key whose embedded public key belongs to another key: invalid_key', async () => {
    const mine = bytes('P-256.sec1.der')
    const other = new Uint8Array(openssl(['ec', '-in', file('P-256.pkcs8.pem'), '-outform', 'DER']))
    // The last 65 bytes of an OpenSSL P-256 SEC1 DER are the uncompressed public point.
    const forged = mine.slice()
    forged.set(other.subarray(other.length - 65), forged.length - 65)
    expect(forged[forged.length - 65]).toBe(4)
    expect(await codeOf(importPrivateKey({ der: forged }))).toBe('invalid_key')
    // The same, as PEM.
    const pem = `-----BEGIN EC PRIVATE KEY-----\n${Buffer.from(forged).toString('base64')}\n-----END EC PRIVATE KEY-----\n`
    expect(await codeOf(vault.import({ id: 'forged-1', secrets: ['s1'], key: { pem } }))).toBe(
      'invalid_key',
    )
  })

  it('a TLS-style bundle (certificate and key in one PEM file) imports its key', async () => {
    const certificate = openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      file('P-256.pkcs8.pem'),
      '-subj',
      '/CN=credsign test',
      '-days',
      '1',
    ]).toString()
    const bundle = certificate + text('P-256.pkcs8.pem') + certificate
    await importAndSign({ pem: bundle }, text('P-256.pkcs8.pem'), 'P-256')
    expect(await codeOf(importPrivateKey({ pem: certificate }))).toBe('invalid_key')
  })

  it('a label that does not match the contents, a public key or certificate as a private key: invalid_key', async () => {
    const pkcs8Body = text('P-256.pkcs8.pem').replace(
      /-----(BEGIN|END) PRIVATE KEY-----/g,
      '-----$1 EC PRIVATE KEY-----',
    )
    expect(await codeOf(importPrivateKey({ pem: pkcs8Body }))).toBe('invalid_key')
    const publicPem = openssl(['pkey', '-in', file('P-256.pkcs8.pem'), '-pubout']).toString()
    expect(await codeOf(importPrivateKey({ pem: publicPem }))).toBe('invalid_key')
    expect(await codeOf(importPrivateKey({ pkcs8: text('P-256.sec1.pem') }))).toBe('invalid_key')
    const twoKeys = text('ed25519.pem') + text('P-256.pkcs8.pem')
    expect(await codeOf(importPrivateKey({ pem: twoKeys }))).toBe('invalid_key')
    expect(await codeOf(importPrivateKey({ pem: 'no PEM here' }))).toBe('invalid_key')
  })

  it('truncated PEM: invalid_key at every cut', async () => {
    for (const name of ['ed25519.pem', 'P-256.sec1.pem', 'rsa.pkcs1.pem', 'P-384.pkcs8.pem']) {
      const pem = text(name)
      for (let cut = 0; cut < pem.length - 2; cut += name.startsWith('rsa') ? 37 : 7) {
        const input = {
          pem: pem.slice(0, cut),
          algorithm: name.startsWith('rsa') ? 'RSA-PSS' : undefined,
        } as PrivateKeyInput
        expect(await codeOf(importPrivateKey(input)), `${name} cut at ${cut}`).toBe('invalid_key')
      }
    }
  })

  it('wrong input types: invalid_argument', async () => {
    expect(
      await codeOf(importPrivateKey({ pem: new Uint8Array(3) } as unknown as PrivateKeyInput)),
    ).toBe('invalid_argument')
    expect(await codeOf(importPrivateKey({ der: 'abc' } as unknown as PrivateKeyInput))).toBe(
      'invalid_argument',
    )
    expect(
      await codeOf(
        importPrivateKey({
          pem: text('ed25519.pem'),
          der: bytes('P-256.sec1.der'),
        } as unknown as PrivateKeyInput),
      ),
    ).toBe('invalid_argument')
  })
})

describe('fuzz: truncations and bit flips of PEM and DER are CredsignErrors', () => {
  /** A small deterministic PRNG (xorshift32), so a failure reproduces. */
  function prng(seed: number): () => number {
    let x = seed
    return () => {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      return (x >>> 0) / 2 ** 32
    }
  }
  const cases: [string, 'der' | 'pem', KeyAlgorithm | undefined][] = [
    ['ed25519.pem', 'pem', undefined],
    ['P-256.sec1.der', 'der', undefined],
    ['P-384.pkcs8.der', 'der', undefined],
    ['P-256.sec1.pem', 'pem', undefined],
    ['rsa.pkcs1.der', 'der', 'RSA-PSS'],
    ['rsa.pkcs8.pem', 'pem', 'RSA-PSS'],
  ]
  for (const [name, form, algorithm] of cases) {
    it(`${name}: every outcome is a key or a CredsignError`, async () => {
      const random = prng(0x9e3779b9 ^ name.length)
      const original = form === 'der' ? bytes(name) : new TextEncoder().encode(text(name))
      const outcomes = new Map<string, number>()
      const attempt = async (mutated: Uint8Array): Promise<void> => {
        const input =
          form === 'der'
            ? { der: mutated, algorithm }
            : { pem: new TextDecoder().decode(mutated), algorithm }
        const outcome = await codeOf(importPrivateKey(input as PrivateKeyInput))
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      }
      const step = Math.max(1, Math.floor(original.length / 60))
      for (let cut = 0; cut < original.length; cut += step) await attempt(original.slice(0, cut))
      for (let i = 0; i < 150; i++) {
        const mutated = original.slice()
        const flips = 1 + Math.floor(random() * 3)
        for (let f = 0; f < flips; f++) {
          const at = Math.floor(random() * mutated.length)
          mutated[at] = (mutated[at] as number) ^ (1 << Math.floor(random() * 8))
        }
        await attempt(mutated)
      }
      // Most mutations break the key; every outcome is a documented CredsignError code or a key.
      for (const code of outcomes.keys())
        expect([
          'resolved',
          'invalid_key',
          'unsupported_algorithm',
          'invalid_argument',
          'encrypted_key_unsupported',
        ]).toContain(code)
      expect(outcomes.get('invalid_key')).toBeGreaterThan(100)
    })
  }

  it('SPKI DER: every truncation and bit flip is a JWK or a CredsignError', () => {
    const random = prng(12345)
    for (const name of ['ed25519.pem', 'P-256.pkcs8.pem', 'rsa.pkcs8.pem']) {
      const spki = new Uint8Array(
        createPublicKey(text(name)).export({ format: 'der', type: 'spki' }),
      )
      const check = (der: Uint8Array): void => {
        try {
          jwkFromSpki(der)
        } catch (error) {
          expect(error).toBeInstanceOf(CredsignError)
        }
      }
      for (let cut = 0; cut < spki.length; cut++) check(spki.slice(0, cut))
      for (let i = 0; i < 300; i++) {
        const mutated = spki.slice()
        const at = Math.floor(random() * mutated.length)
        mutated[at] = (mutated[at] as number) ^ (1 << Math.floor(random() * 8))
        check(mutated)
      }
    }
  })
})

describe('SPKI public keys in and out', () => {
  const names = [
    'ed25519.pem',
    'rsa.pkcs8.pem',
    ...SUPPORTED_CURVES.map(([algorithm]) => `${algorithm}.pkcs8.pem`),
  ]
  for (const name of names) {
    it(`${name}: spkiPemFromJwk equals openssl pkey -pubout, and jwkFromSpkiPem reads it back`, async () => {
      const material = await importPrivateKey({
        pem: text(name),
        algorithm: name.startsWith('rsa') ? 'RSA-PSS' : undefined,
      } as PrivateKeyInput)
      material.pkcs8.fill(0)
      const opensslPem = openssl(['pkey', '-in', file(name), '-pubout']).toString()
      expect(spkiPemFromJwk(material.publicJwk)).toBe(opensslPem)
      expect(jwkFromSpkiPem(opensslPem)).toEqual(withoutKid(material.publicJwk))
      const der = new Uint8Array(openssl(['pkey', '-in', file(name), '-pubout', '-outform', 'DER']))
      expect(jwkFromSpki(der)).toEqual(withoutKid(material.publicJwk))
      expect(Buffer.from(spkiFromJwk(material.publicJwk)).equals(Buffer.from(der))).toBe(true)
      // node:crypto reads what credsign writes.
      expect(
        createPublicKey(spkiPemFromJwk(material.publicJwk)).export({ format: 'jwk' }),
      ).toMatchObject(withoutKid(material.publicJwk))
    })
  }

  it('a compressed EC point (openssl ec -conv_form compressed) reads as the same JWK', async () => {
    const material = await importPrivateKey({ pem: text('P-256.sec1.pem') })
    material.pkcs8.fill(0)
    const compressed = openssl([
      'ec',
      '-in',
      file('P-256.sec1.pem'),
      '-pubout',
      '-conv_form',
      'compressed',
    ]).toString()
    expect(jwkFromSpkiPem(compressed)).toEqual(withoutKid(material.publicJwk))
  })

  it('private keys, certificates and PKCS#1 public keys are not SPKI: invalid_key; unknown curves unsupported_algorithm', () => {
    const code = (run: () => unknown): string => {
      try {
        run()
        return 'returned'
      } catch (error) {
        if (error instanceof CredsignError) return error.code
        throw error
      }
    }
    expect(code(() => jwkFromSpkiPem(text('ed25519.pem')))).toBe('invalid_key')
    expect(
      code(() =>
        jwkFromSpkiPem(
          openssl(['rsa', '-in', file('rsa.pkcs1.pem'), '-RSAPublicKey_out']).toString(),
        ),
      ),
    ).toBe('invalid_key')
    expect(
      code(() =>
        jwkFromSpkiPem(openssl(['ec', '-in', file('brainpool.pem'), '-pubout']).toString()),
      ),
    ).toBe('unsupported_algorithm')
    expect(code(() => jwkFromSpki(new Uint8Array([0x30, 0x00])))).toBe('invalid_key')
    expect(code(() => spkiFromJwk({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }))).toBe(
      'invalid_key',
    )
  })
})
