import { beforeAll, describe, expect, it } from 'vitest'
import { p256, p384 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import {
  generateKeyPair,
  importPrivateKey,
  jwkFromMultikey,
  jwkThumbprint,
  loadPrivateKey,
  multikeyFromJwk,
  verifySignature,
  type KeyAlgorithm,
  type KeyMaterial,
  type PrivateJwk,
  type PublicJwk,
} from '../../src/index.js'
import { derOctetString, derOid, derSequence, derSmallInteger } from '../../src/keys/der.js'
import { parsePkcs8 } from '../../src/keys/pkcs8.js'
import { b64u, fromB64u } from '../../src/util/bytes.js'
import { b58, fromB58 } from '../../src/util/base58.js'
import { expectCode, utf8 } from './keys-helpers.js'

const EC: ('P-256' | 'P-384' | 'secp256k1')[] = ['P-256', 'P-384', 'secp256k1']
const ORDERS = {
  'P-256': p256.Point.Fn.ORDER,
  'P-384': p384.Point.Fn.ORDER,
  secp256k1: secp256k1.Point.Fn.ORDER,
}
const SIZES = { Ed25519: 32, 'P-256': 32, 'P-384': 48, secp256k1: 32 }

function flipLastBit(b64: string): string {
  const bytes = fromB64u(b64)
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1
  return b64u(bytes)
}

function bigToBytes(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn)
    n >>= 8n
  }
  return out
}

const materials = {} as Record<KeyAlgorithm, KeyMaterial>
let privateJwks = {} as Record<KeyAlgorithm, PrivateJwk>
beforeAll(async () => {
  for (const algorithm of ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS'] as const) {
    materials[algorithm] = await generateKeyPair(algorithm, { modulusLength: 2048 })
  }
  privateJwks = Object.fromEntries(
    await Promise.all(
      Object.entries(materials).map(async ([algorithm, material]) => {
        const { key } = await parsePkcs8(material.pkcs8)
        const { kid: _kid, ...pub } = material.publicJwk
        if ('rsa' in key) {
          const r = key.rsa
          return [
            algorithm,
            {
              ...pub,
              d: b64u(r.d),
              p: b64u(r.p),
              q: b64u(r.q),
              dp: b64u(r.dp),
              dq: b64u(r.dq),
              qi: b64u(r.qi),
            },
          ]
        }
        return [algorithm, { ...pub, d: b64u(key.algorithm === 'Ed25519' ? key.seed : key.scalar) }]
      }),
    ),
  ) as Record<KeyAlgorithm, PrivateJwk>
}, 60_000)

describe('PKCS#8 input', () => {
  it('garbage, truncated, padded or empty DER is invalid_key', async () => {
    for (const algorithm of ['Ed25519', 'P-256', 'RSA-PSS'] as const) {
      const der = materials[algorithm].pkcs8
      await expectCode(
        () => importPrivateKey({ pkcs8: der.subarray(0, der.length - 1) }),
        'invalid_key',
      )
      await expectCode(() => importPrivateKey({ pkcs8: der.subarray(0, 10) }), 'invalid_key')
      await expectCode(
        () => importPrivateKey({ pkcs8: new Uint8Array([...der, 0]) }),
        'invalid_key',
      )
      await expectCode(() => loadPrivateKey(algorithm, der.subarray(1)), 'invalid_key')
    }
    await expectCode(() => importPrivateKey({ pkcs8: new Uint8Array(0) }), 'invalid_key')
    await expectCode(
      () => importPrivateKey({ pkcs8: utf8('-----BEGIN PRIVATE KEY-----') }),
      'invalid_key',
    )
    const random = crypto.getRandomValues(new Uint8Array(200))
    random[0] = 0x30
    await expectCode(() => importPrivateKey({ pkcs8: random }), 'invalid_key')
  })

  it('BER-only length forms are refused', async () => {
    const der = materials.Ed25519.pkcs8 // 30 2e ...
    const longForm = new Uint8Array([0x30, 0x81, 0x2e, ...der.subarray(2)])
    const indefinite = new Uint8Array([0x30, 0x80, ...der.subarray(2), 0, 0])
    await expectCode(() => importPrivateKey({ pkcs8: longForm }), 'invalid_key')
    await expectCode(() => importPrivateKey({ pkcs8: indefinite }), 'invalid_key')
  })

  it('X25519 and Ed448 keys are unsupported_algorithm; a P-521 key loaded as P-256 is invalid_key', async () => {
    const p521 = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, [
      'sign',
    ])) as CryptoKeyPair
    const der = new Uint8Array(await crypto.subtle.exportKey('pkcs8', p521.privateKey))
    expect((await importPrivateKey({ pkcs8: der })).algorithm).toBe('P-521')
    await expectCode(() => loadPrivateKey('P-256', der), 'invalid_key')
    for (const oid of ['1.3.101.110', '1.3.101.113']) {
      const key = derSequence(
        derSmallInteger(0),
        derSequence(derOid(oid)),
        derOctetString(derOctetString(new Uint8Array(oid.endsWith('3') ? 57 : 32).fill(9))),
      )
      await expectCode(() => importPrivateKey({ pkcs8: key }), 'unsupported_algorithm')
    }
  })

  it('RSA moduli other than 2048/3072/4096 are unsupported_algorithm', async () => {
    const pair = (await crypto.subtle.generateKey(
      {
        name: 'RSA-PSS',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair
    const der = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey))
    await expectCode(() => importPrivateKey({ pkcs8: der }), 'unsupported_algorithm')
    await expectCode(() => loadPrivateKey('RSA-PSS', der), 'unsupported_algorithm')
    const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as unknown as PrivateJwk
    await expectCode(() => importPrivateKey({ jwk }), 'unsupported_algorithm')
    const publicJwk = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as unknown as PublicJwk
    await expectCode(
      () => verifySignature(publicJwk, utf8('x'), new Uint8Array(128)),
      'unsupported_algorithm',
    )
    await expectCode(
      () => generateKeyPair('RSA-PSS', { modulusLength: 1024 as 2048 }),
      'unsupported_algorithm',
    )
  })

  it('a key of another algorithm than announced is invalid_key', async () => {
    await expectCode(() => loadPrivateKey('P-384', materials['P-256'].pkcs8), 'invalid_key')
    await expectCode(() => loadPrivateKey('Ed25519', materials.secp256k1.pkcs8), 'invalid_key')
  })

  it('wrong argument types are invalid_argument / unsupported_algorithm', async () => {
    await expectCode(
      () => importPrivateKey({ pkcs8: [1, 2, 3] as unknown as Uint8Array }),
      'invalid_argument',
    )
    await expectCode(
      () => loadPrivateKey('Ed25519', 'MC4CAQAw' as unknown as Uint8Array),
      'invalid_argument',
    )
    await expectCode(
      () => loadPrivateKey('P-192' as KeyAlgorithm, materials['P-256'].pkcs8),
      'unsupported_algorithm',
    )
    await expectCode(() => loadPrivateKey('P-521', materials['P-256'].pkcs8), 'invalid_key')
    await expectCode(
      () => loadPrivateKey('Ed25519', materials.Ed25519.pkcs8, { backend: 'node' as 'noble' }),
      'invalid_argument',
    )
    await expectCode(
      () => importPrivateKey(null as unknown as { pkcs8: Uint8Array }),
      'invalid_argument',
    )
    await expectCode(() => importPrivateKey({} as { pkcs8: Uint8Array }), 'invalid_argument')
    await expectCode(
      () =>
        importPrivateKey({
          pkcs8: materials.Ed25519.pkcs8,
          jwk: privateJwks.Ed25519,
        } as unknown as { pkcs8: Uint8Array }),
      'invalid_argument',
    )
    await expectCode(() => generateKeyPair('P-192' as KeyAlgorithm), 'unsupported_algorithm')
  })
})

describe('JWK input', () => {
  for (const algorithm of ['Ed25519', ...EC] as const) {
    it(`${algorithm}: public members that do not match d are invalid_key`, async () => {
      const other = (await generateKeyPair(algorithm)).publicJwk
      const { kid: _kid, ...otherPublic } = other
      await expectCode(
        () =>
          importPrivateKey({ jwk: { ...privateJwks[algorithm], ...otherPublic } as PrivateJwk }),
        'invalid_key',
      )
    })

    it(`${algorithm}: an off-curve point is invalid_key`, async () => {
      const jwk = privateJwks[algorithm] as { x: string; y?: string }
      const bad =
        algorithm === 'Ed25519'
          ? { ...jwk, x: b64u(new Uint8Array(32).fill(0xff)) }
          : { ...jwk, y: flipLastBit(jwk.y as string) }
      await expectCode(() => importPrivateKey({ jwk: bad as PrivateJwk }), 'invalid_key')
      const { d: _d, ...publicBad } = bad as PrivateJwk & { d: string }
      await expectCode(
        () => verifySignature(publicBad as PublicJwk, utf8('x'), new Uint8Array(64)),
        'invalid_key',
      )
      await expectCode(() => jwkThumbprint(publicBad as PublicJwk), 'invalid_key')
      await expectCode(
        () => Promise.resolve().then(() => multikeyFromJwk(publicBad as PublicJwk)),
        'invalid_key',
      )
    })

    it(`${algorithm}: wrong d and coordinate lengths are invalid_key`, async () => {
      const jwk = privateJwks[algorithm] as { d: string; x: string }
      const size = SIZES[algorithm]
      await expectCode(
        () =>
          importPrivateKey({
            jwk: { ...jwk, d: b64u(new Uint8Array(size - 1).fill(1)) } as PrivateJwk,
          }),
        'invalid_key',
      )
      await expectCode(
        () =>
          importPrivateKey({
            jwk: { ...jwk, d: b64u(new Uint8Array(size + 1).fill(1)) } as PrivateJwk,
          }),
        'invalid_key',
      )
      await expectCode(
        () => importPrivateKey({ jwk: { ...jwk, x: jwk.x.slice(0, -2) } as PrivateJwk }),
        'invalid_key',
      )
      await expectCode(
        () => importPrivateKey({ jwk: { ...jwk, d: jwk.d + '=' } as PrivateJwk }),
        'invalid_key',
      )
      const { x: _x, ...noX } = jwk
      await expectCode(() => importPrivateKey({ jwk: noX as unknown as PrivateJwk }), 'invalid_key')
    })
  }

  for (const algorithm of EC) {
    it(`${algorithm}: scalars 0 and >= n are invalid_key`, async () => {
      const size = SIZES[algorithm]
      for (const scalar of [
        0n,
        ORDERS[algorithm],
        ORDERS[algorithm] + 1n,
        (1n << BigInt(size * 8)) - 1n,
      ]) {
        await expectCode(
          () => importPrivateKey({ seed: bigToBytes(scalar, size), algorithm }),
          'invalid_key',
        )
      }
      // n - 1 is the largest valid scalar.
      await expect(
        importPrivateKey({ seed: bigToBytes(ORDERS[algorithm] - 1n, size), algorithm }),
      ).resolves.toBeTruthy()
    })
  }

  it('unsupported kty and crv are unsupported_algorithm', async () => {
    const base = privateJwks['P-256'] as unknown as Record<string, unknown>
    for (const crv of ['P-192', 'P-256K', 'X25519', 'Ed448', 'BLS12381_G2']) {
      await expectCode(
        () => importPrivateKey({ jwk: { ...base, crv } as unknown as PrivateJwk }),
        'unsupported_algorithm',
      )
    }
    await expectCode(
      () => importPrivateKey({ jwk: { kty: 'oct', k: 'AAAA' } as unknown as PrivateJwk }),
      'unsupported_algorithm',
    )
    await expectCode(
      () =>
        importPrivateKey({
          jwk: { ...privateJwks.Ed25519, crv: 'X25519' } as unknown as PrivateJwk,
        }),
      'unsupported_algorithm',
    )
    await expectCode(
      () => importPrivateKey({ jwk: { kty: 'OKP', x: 'AA', d: 'AA' } as unknown as PrivateJwk }),
      'invalid_key',
    )
    await expectCode(
      () => importPrivateKey({ jwk: 'not a jwk' as unknown as PrivateJwk }),
      'invalid_argument',
    )
    await expectCode(
      () => importPrivateKey({ jwk: { crv: 'P-256' } as unknown as PrivateJwk }),
      'invalid_key',
    )
  })

  it('RSA: missing CRT members, inconsistent values, multi-prime and non-minimal integers', async () => {
    const jwk = privateJwks['RSA-PSS'] as unknown as Record<string, string>
    const { p: _p, ...noP } = jwk
    await expectCode(() => importPrivateKey({ jwk: noP as unknown as PrivateJwk }), 'invalid_key')
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'e']) {
      await expectCode(
        () =>
          importPrivateKey({
            jwk: { ...jwk, [member]: flipLastBit(jwk[member] as string) } as unknown as PrivateJwk,
          }),
        'invalid_key',
      )
    }
    // Swap in the other key's n: the primes no longer multiply to n.
    const other = await generateKeyPair('RSA-PSS', { modulusLength: 2048 })
    await expectCode(
      () =>
        importPrivateKey({
          jwk: { ...jwk, n: (other.publicJwk as { n: string }).n } as unknown as PrivateJwk,
        }),
      'invalid_key',
    )
    await expectCode(
      () => importPrivateKey({ jwk: { ...jwk, oth: [] } as unknown as PrivateJwk }),
      'unsupported_algorithm',
    )
    const paddedN = b64u(new Uint8Array([0, ...fromB64u(jwk.n as string)]))
    await expectCode(
      () => importPrivateKey({ jwk: { ...jwk, n: paddedN } as unknown as PrivateJwk }),
      'invalid_key',
    )
  })
})

describe('seed input', () => {
  it('wrong seed lengths are invalid_key', async () => {
    for (const algorithm of ['Ed25519', ...EC] as const) {
      for (const length of [0, 16, SIZES[algorithm] - 1, SIZES[algorithm] + 1, 64]) {
        await expectCode(
          () => importPrivateKey({ seed: new Uint8Array(length).fill(1), algorithm }),
          'invalid_key',
        )
      }
    }
  })

  it('RSA has no seed form; bad types are invalid_argument', async () => {
    await expectCode(
      () => importPrivateKey({ seed: new Uint8Array(32), algorithm: 'RSA-PSS' }),
      'invalid_argument',
    )
    await expectCode(
      () => importPrivateKey({ seed: 'abc' as unknown as Uint8Array, algorithm: 'Ed25519' }),
      'invalid_argument',
    )
    await expectCode(
      () => importPrivateKey({ seed: new Uint8Array(32), algorithm: 'X25519' as KeyAlgorithm }),
      'unsupported_algorithm',
    )
  })
})

describe('verifySignature input', () => {
  it('wrong lengths and out-of-range ECDSA values are false, not errors', async () => {
    for (const algorithm of EC) {
      const size = SIZES[algorithm]
      const jwk = materials[algorithm].publicJwk
      for (const backend of ['auto', 'noble'] as const) {
        expect(await verifySignature(jwk, utf8('x'), new Uint8Array(0), { backend })).toBe(false)
        expect(
          await verifySignature(jwk, utf8('x'), new Uint8Array(2 * size + 1), { backend }),
        ).toBe(false)
        expect(await verifySignature(jwk, utf8('x'), new Uint8Array(2 * size), { backend })).toBe(
          false,
        )
        const nn = bigToBytes(ORDERS[algorithm], size)
        expect(
          await verifySignature(jwk, utf8('x'), new Uint8Array([...nn, ...nn]), { backend }),
        ).toBe(false)
        expect(
          await verifySignature(jwk, utf8('x'), new Uint8Array(2 * size).fill(0xff), { backend }),
        ).toBe(false)
      }
    }
    expect(await verifySignature(materials.Ed25519.publicJwk, utf8('x'), new Uint8Array(65))).toBe(
      false,
    )
    expect(
      await verifySignature(materials.Ed25519.publicJwk, utf8('x'), new Uint8Array(64).fill(0xff), {
        backend: 'noble',
      }),
    ).toBe(false)
    expect(
      await verifySignature(materials['RSA-PSS'].publicJwk, utf8('x'), new Uint8Array(255)),
    ).toBe(false)
    expect(
      await verifySignature(
        materials['RSA-PSS'].publicJwk,
        utf8('x'),
        new Uint8Array(256).fill(0xff),
      ),
    ).toBe(false)
  })

  it('non-bytes are invalid_argument; a non-object key is invalid_argument', async () => {
    await expectCode(
      () =>
        verifySignature(
          materials.Ed25519.publicJwk,
          'x' as unknown as Uint8Array,
          new Uint8Array(64),
        ),
      'invalid_argument',
    )
    await expectCode(
      () => verifySignature(materials.Ed25519.publicJwk, utf8('x'), [] as unknown as Uint8Array),
      'invalid_argument',
    )
    await expectCode(
      () => verifySignature(undefined as unknown as PublicJwk, utf8('x'), new Uint8Array(64)),
      'invalid_argument',
    )
  })
})

describe('multibase input', () => {
  const valid = (): string => multikeyFromJwk(materials['P-256'].publicJwk)

  it('malformed strings are invalid_key; other codecs unsupported_algorithm', () => {
    const cases: [string, string][] = [
      ['', 'invalid_key'],
      ['z', 'invalid_key'],
      [valid().slice(1), 'invalid_key'], // no multibase prefix
      ['u' + b64u(fromB64u('AAAA')), 'invalid_key'], // base64url multibase is not Multikey
      [valid().slice(0, -1) + '0', 'invalid_key'], // '0' is not in the base58 alphabet
      ['z' + b58(fromB58(valid().slice(1)).subarray(0, 30)), 'invalid_key'], // truncated point
      [
        'z' + b58(new Uint8Array([0xec, 0x01, ...new Uint8Array(32).fill(1)])),
        'unsupported_algorithm',
      ], // x25519-pub
      [
        'z' + b58(new Uint8Array([0xeb, 0x01, ...new Uint8Array(96).fill(1)])),
        'unsupported_algorithm',
      ], // bls12_381-g2-pub
      ['z' + b58(new Uint8Array([0x82, 0x24, 2, ...new Uint8Array(65).fill(1)])), 'invalid_key'], // p521-pub one byte short
      ['z' + b58(new Uint8Array([0x80, 0x26, ...new Uint8Array(32).fill(1)])), 'invalid_key'], // ed25519-priv
      [
        'z' +
          b58(
            new Uint8Array([0x80, 0x24, ...p256.getPublicKey(p256.utils.randomSecretKey(), false)]),
          ),
        'invalid_key',
      ], // uncompressed
      ['z' + b58(new Uint8Array([0x80, 0x24, 5, ...new Uint8Array(32).fill(1)])), 'invalid_key'], // bad SEC1 prefix
      ['z' + b58(new Uint8Array([0xed, 0x81, 0x00, ...new Uint8Array(32)])), 'invalid_key'], // non-minimal varint
      ['z' + 'A'.repeat(5000), 'invalid_key'], // refused before quadratic base58 decoding
    ]
    for (const [input, code] of cases) {
      let caught: unknown
      try {
        jwkFromMultikey(input)
      } catch (error) {
        caught = error
      }
      expect((caught as { code?: string }).code, input.slice(0, 30)).toBe(code)
    }
    expect(() => jwkFromMultikey(42 as unknown as string)).toThrowError(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })

  it('a compressed x with no point on the curve is invalid_key', () => {
    // Find an x for which x^3 + ax + b is not a square on P-256.
    let x = 5n
    for (;;) {
      const encoded = new Uint8Array([2, ...bigToBytes(x, 32)])
      try {
        p256.Point.fromBytes(encoded)
        x++
      } catch {
        expect(() =>
          jwkFromMultikey('z' + b58(new Uint8Array([0x80, 0x24, ...encoded]))),
        ).toThrowError(expect.objectContaining({ code: 'invalid_key' }))
        return
      }
    }
  })

  it('an Ed25519 multikey with a non-canonical or off-curve point is invalid_key', () => {
    // y = p (not reduced) is a non-canonical encoding.
    const p = (1n << 255n) - 19n
    const nonCanonical = new Uint8Array(32)
    let v = p
    for (let i = 0; i < 32; i++) {
      nonCanonical[i] = Number(v & 0xffn)
      v >>= 8n
    }
    expect(() =>
      jwkFromMultikey('z' + b58(new Uint8Array([0xed, 0x01, ...nonCanonical]))),
    ).toThrowError(expect.objectContaining({ code: 'invalid_key' }))
  })
})
