/**
 * The node:crypto backend (src/backend/node-crypto.ts) against the default WebCrypto / noble path,
 * in one process: the backend object is used directly and never installed, so `loadPrivateKey` and
 * `verifySignature` here take the default path. Runs in the `node` project only (the `node-backend`
 * project installs the backend for every other test file).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { p256, p384, p521 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { scryptAsync } from '@noble/hashes/scrypt.js'
import {
  generateKeyPair,
  importPrivateKey,
  isRsaAlgorithm,
  jwkFromDidKey,
  jwsAlgorithm,
  loadPrivateKey,
  verifySignature,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  type KeyMaterial,
  type PrivateKeyHandle,
  type PublicJwk,
} from '../../src/index.js'
import { cryptoBackend, installBackend, type CryptoBackend } from '../../src/keys/backend.js'
import {
  InFlight,
  NODE_CRYPTO_POLICIES,
  detectRuntime,
  digestSelfTest,
  EC_SELF_TEST,
  ecSelfTestScalar,
  nodeCryptoBackend,
  scryptSelfTest,
  selfTest,
} from '../../src/backend/node-crypto.js'
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { sdDigest } from '../../src/formats/sd-jwt/hash.js'
import { b64u, fromB64u } from '../../src/util/bytes.js'
import { parsePublicJwk } from '../../src/keys/jwk.js'
import { encodePkcs8, parsePkcs8 } from '../../src/keys/pkcs8.js'
import { expectCode, hex, sOf, toHex, utf8 } from '../core/keys-helpers.js'
import diSignatures from '../fixtures/vectors/di-signatures.json' with { type: 'json' }

const ORDERS = {
  'P-256': p256.Point.Fn.ORDER,
  'P-384': p384.Point.Fn.ORDER,
  'P-521': p521.Point.Fn.ORDER,
  secp256k1: secp256k1.Point.Fn.ORDER,
} as const
const NOBLE = { 'P-256': p256, 'P-384': p384, 'P-521': p521, secp256k1 } as const
const EC = ['P-256', 'P-384', 'P-521', 'secp256k1'] as const
const data = utf8('{"iss":"did:example:issuer","vc":{"type":["VerifiableCredential"]}}')

const backend = nodeCryptoBackend()

function tampered(bytes: Uint8Array, index = 0): Uint8Array {
  const copy = new Uint8Array(bytes)
  copy[index] = (copy[index] as number) ^ 0x01
  return copy
}

/** The backend's handle for a key (it must not decline on Node). */
async function nodeHandle(
  material: KeyMaterial,
  from: CryptoBackend = backend,
): Promise<PrivateKeyHandle> {
  const canonical = new Uint8Array(material.pkcs8)
  const pending = from.loadPrivateKey?.(material.algorithm, canonical)
  expect(pending, `node:crypto declined ${material.algorithm}`).toBeDefined()
  try {
    return await (pending as Promise<PrivateKeyHandle>)
  } finally {
    canonical.fill(0)
  }
}

async function nodeVerify(
  jwk: PublicJwk,
  message: Uint8Array,
  signature: Uint8Array,
  from: CryptoBackend = backend,
): Promise<boolean> {
  const pending = from.verify?.(parsePublicJwk(jwk), message, signature)
  expect(pending, 'node:crypto declined to verify').toBeDefined()
  return pending as Promise<boolean>
}

/** S := n - s: the high-S twin of a low-S signature (both valid). */
function twin(algorithm: (typeof EC)[number], signature: Uint8Array): Uint8Array {
  const size = signature.length / 2
  let s = ORDERS[algorithm] - sOf(signature)
  const out = new Uint8Array(signature)
  for (let i = 2 * size - 1; i >= size; i--) {
    out[i] = Number(s & 0xffn)
    s >>= 8n
  }
  return out
}

const materials = {} as Record<KeyAlgorithm, KeyMaterial>
beforeAll(async () => {
  for (const algorithm of KEY_ALGORITHMS) {
    const material = await generateKeyPair(algorithm, { modulusLength: 2048 })
    // An RSA JWK names no scheme: the JWK says which algorithm it is for, as a JWKS publisher's does.
    materials[algorithm] = isRsaAlgorithm(algorithm)
      ? { ...material, publicJwk: { ...material.publicJwk, alg: jwsAlgorithm(algorithm) } }
      : material
  }
}, 60_000)

describe('selection', () => {
  it('the default entry installs no backend', () => {
    expect(cryptoBackend()).toBeUndefined()
  })

  it('on Node every algorithm passes the self-test and the policy takes every algorithm', () => {
    expect(detectRuntime()).toBe('node')
    for (const algorithm of KEY_ALGORITHMS) {
      expect(selfTest(algorithm), algorithm).toBe(true)
      expect(NODE_CRYPTO_POLICIES.node.sign[algorithm], algorithm).toBeDefined()
      expect(NODE_CRYPTO_POLICIES.node.verify[algorithm], algorithm).toBeDefined()
    }
    expect(scryptSelfTest()).toBe(true)
    expect(NODE_CRYPTO_POLICIES.node.scrypt).toBe(true)
  })

  it("the ECDSA self-test's known answers are what @noble/curves makes again (point and RFC 6979 signature)", () => {
    const message = utf8('credsign node:crypto self-test')
    for (const algorithm of EC) {
      const scalar = ecSelfTestScalar(algorithm)
      const noble = NOBLE[algorithm]
      expect(EC_SELF_TEST[algorithm].publicKey, algorithm).toBe(
        b64u(noble.getPublicKey(scalar, false)),
      )
      const signature = noble.sign(message, scalar, {
        prehash: true,
        lowS: true,
        format: 'compact',
      })
      expect(EC_SELF_TEST[algorithm].signature, algorithm).toBe(b64u(signature))
      // And noble's own verification accepts it (low-S, strict), under the committed point.
      expect(
        noble.verify(
          fromB64u(EC_SELF_TEST[algorithm].signature),
          message,
          noble.getPublicKey(scalar),
          {
            prehash: true,
            lowS: true,
            format: 'compact',
          },
        ),
      ).toBe(true)
    }
  })

  it("Deno's policy: only Ed25519 and secp256k1 go through node:crypto; the rest is declined", async () => {
    const deno = nodeCryptoBackend({ runtime: 'deno' })
    for (const algorithm of KEY_ALGORITHMS) {
      const material = materials[algorithm]
      const takes = algorithm === 'Ed25519' || algorithm === 'secp256k1'
      const load = deno.loadPrivateKey?.(algorithm, material.pkcs8)
      expect(load !== undefined, `load ${algorithm}`).toBe(takes)
      if (load) expect((await load).backend).toBe('node')
      const verify = deno.verify?.(parsePublicJwk(material.publicJwk), data, new Uint8Array(64))
      expect(verify !== undefined, `verify ${algorithm}`).toBe(takes)
      await verify
    }
  })
})

describe('identical output', () => {
  it('Ed25519: byte-identical to WebCrypto and noble (RFC 8032 TEST 1 and a fresh key)', async () => {
    const rfc = await importPrivateKey({
      seed: hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
      algorithm: 'Ed25519',
    })
    const rfcNode = await nodeHandle(rfc)
    expect(toHex(await rfcNode.sign(new Uint8Array(0)))).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    )
    const material = materials.Ed25519
    const ours = await nodeHandle(material)
    const web = await loadPrivateKey('Ed25519', material.pkcs8)
    const noble = await loadPrivateKey('Ed25519', material.pkcs8, { backend: 'noble' })
    expect([ours.backend, web.backend, noble.backend]).toEqual(['node', 'webcrypto', 'noble'])
    for (const message of [
      new Uint8Array(0),
      new Uint8Array([0]),
      data,
      new Uint8Array(10_000).fill(7),
    ]) {
      const signature = await ours.sign(message)
      expect(toHex(signature)).toBe(toHex(await web.sign(message)))
      expect(toHex(signature)).toBe(toHex(await noble.sign(message)))
    }
  })

  for (const algorithm of [
    ...EC,
    'RSA-PSS',
    'PS384',
    'PS512',
    'RS256',
    'RS384',
    'RS512',
  ] as const) {
    it(`${algorithm}: node:crypto signatures verify on the default path, and the default path's on node:crypto`, async () => {
      const material = materials[algorithm]
      const ours = await nodeHandle(material)
      const theirs = await loadPrivateKey(algorithm, material.pkcs8)
      const defaultBackends = isRsaAlgorithm(algorithm)
        ? (['auto'] as const)
        : (['auto', 'noble'] as const)
      for (let i = 0; i < 5; i++) {
        const mine = await ours.sign(data)
        for (const b of defaultBackends) {
          expect(await verifySignature(material.publicJwk, data, mine, { backend: b })).toBe(true)
          expect(
            await verifySignature(material.publicJwk, tampered(data), mine, { backend: b }),
          ).toBe(false)
        }
        const other = await theirs.sign(data)
        expect(await nodeVerify(material.publicJwk, data, other)).toBe(true)
        expect(await nodeVerify(material.publicJwk, tampered(data), other)).toBe(false)
        expect(await nodeVerify(material.publicJwk, data, tampered(other))).toBe(false)
        if (!isRsaAlgorithm(algorithm)) {
          const viaNoble = await (
            await loadPrivateKey(algorithm, material.pkcs8, { backend: 'noble' })
          ).sign(data)
          expect(await nodeVerify(material.publicJwk, data, viaNoble)).toBe(true)
        }
      }
    })
  }

  it('signatures are plain Uint8Arrays of the Signer lengths (not Buffers)', async () => {
    const lengths: Record<KeyAlgorithm, number> = {
      Ed25519: 64,
      'P-256': 64,
      'P-384': 96,
      'P-521': 132,
      secp256k1: 64,
      'RSA-PSS': 256,
      PS384: 256,
      PS512: 256,
      RS256: 256,
      RS384: 256,
      RS512: 256,
    }
    for (const algorithm of KEY_ALGORITHMS) {
      const signature = await (await nodeHandle(materials[algorithm])).sign(data)
      expect(Object.getPrototypeOf(signature), algorithm).toBe(Uint8Array.prototype)
      expect(signature.length, algorithm).toBe(lengths[algorithm])
    }
  })
})

describe('ECDSA low-S and high-S', () => {
  for (const algorithm of EC) {
    it(`${algorithm}: 200 node:crypto signatures are all low-S and pass noble's strict (lowS) verification`, async () => {
      const material = materials[algorithm]
      const key = await nodeHandle(material)
      const point = (parsePublicJwk(material.publicJwk) as { publicKey: Uint8Array }).publicKey
      const half = ORDERS[algorithm] >> 1n
      const signatures = await Promise.all(Array.from({ length: 200 }, () => key.sign(data)))
      for (const signature of signatures) {
        expect(sOf(signature) <= half).toBe(true)
        expect(
          NOBLE[algorithm].verify(signature, data, point, {
            prehash: true,
            lowS: true,
            format: 'compact',
          }),
        ).toBe(true)
      }
    })

    it(`${algorithm}: the high-S twin of a signature verifies, as on the default path`, async () => {
      const material = materials[algorithm]
      const high = twin(algorithm, await (await nodeHandle(material)).sign(data))
      expect(sOf(high) > ORDERS[algorithm] >> 1n).toBe(true)
      expect(await nodeVerify(material.publicJwk, data, high)).toBe(true)
      expect(await verifySignature(material.publicJwk, data, high)).toBe(true)
    })
  }

  it('the published vc-di-ecdsa / vc-di-eddsa signatures (three of them high-S) verify; altered ones do not', async () => {
    let highS = 0
    for (const vector of diSignatures) {
      const jwk = jwkFromDidKey(vector.verificationMethod)
      const message = hex(vector.combinedHash)
      const signature = hex(vector.sigHex)
      expect(await nodeVerify(jwk, message, signature), vector.source).toBe(true)
      expect(await nodeVerify(jwk, tampered(message, 5), signature), vector.source).toBe(false)
      if (jwk.kty === 'EC' && sOf(signature) > ORDERS[jwk.crv] >> 1n) highS++
    }
    expect(highS).toBe(3)
  })
})

describe('refusals', () => {
  it('malformed signatures are false, never an exception', async () => {
    for (const algorithm of KEY_ALGORITHMS) {
      const { publicJwk } = materials[algorithm]
      const length =
        algorithm === 'P-384'
          ? 96
          : algorithm === 'P-521'
            ? 132
            : isRsaAlgorithm(algorithm)
              ? 256
              : 64
      const order = algorithm in ORDERS ? ORDERS[algorithm as keyof typeof ORDERS] : 0n
      const rIsOrder = new Uint8Array(length)
      if (order > 0n) rIsOrder.set(hex(order.toString(16).padStart(length, '0')), 0)
      for (const signature of [
        new Uint8Array(0),
        new Uint8Array(length - 1),
        new Uint8Array(length + 1),
        new Uint8Array(length),
        new Uint8Array(length).fill(0xff),
        rIsOrder,
      ]) {
        expect(
          await nodeVerify(publicJwk, data, signature),
          `${algorithm} ${signature.length}`,
        ).toBe(false)
        expect(await verifySignature(publicJwk, data, signature), `${algorithm} default`).toBe(
          false,
        )
      }
    }
  })

  it('a destroyed handle is signer_locked; data must be a Uint8Array', async () => {
    for (const algorithm of KEY_ALGORITHMS) {
      const key = await nodeHandle(materials[algorithm])
      await expectCode(() => key.sign('text' as unknown as Uint8Array), 'invalid_argument')
      key.destroy()
      key.destroy()
      await expectCode(() => key.sign(data), 'signer_locked')
    }
  })

  it('keeps no reference to the PKCS#8 bytes it was given (the caller wipes them)', async () => {
    for (const algorithm of KEY_ALGORITHMS) {
      const material = materials[algorithm]
      const bytes = new Uint8Array(material.pkcs8)
      const key = await (backend.loadPrivateKey?.(algorithm, bytes) as Promise<PrivateKeyHandle>)
      bytes.fill(0)
      expect(await verifySignature(material.publicJwk, data, await key.sign(data)), algorithm).toBe(
        true,
      )
    }
  })

  it('a PKCS#8 node:crypto cannot parse is crypto_unavailable (callers only pass validated keys)', async () => {
    await expectCode(
      () => backend.loadPrivateKey?.('Ed25519', new Uint8Array([0x30, 0x00])),
      'crypto_unavailable',
    )
  })
})

describe('verification key cache', () => {
  it('stays correct when keys are evicted (cache of 2, 5 keys, interleaved)', async () => {
    const small = nodeCryptoBackend({ publicKeyCacheSize: 2 })
    const keys = await Promise.all(Array.from({ length: 5 }, () => generateKeyPair('P-256')))
    const signatures = await Promise.all(
      keys.map(async (m) => (await nodeHandle(m, small)).sign(data)),
    )
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as KeyMaterial
        expect(await nodeVerify(key.publicJwk, data, signatures[i] as Uint8Array, small)).toBe(true)
        const other = signatures[(i + 1) % keys.length] as Uint8Array
        expect(await nodeVerify(key.publicJwk, data, other, small)).toBe(false)
      }
    }
  })
})

describe('pool and sync modes', () => {
  it('InFlight: calls awaited one after another never see each other; calls started together do', async () => {
    const inFlight = new InFlight()
    const seen: boolean[] = []
    const op = async (): Promise<number> => {
      seen.push(inFlight.busy())
      return inFlight.sync(() => 1)
    }
    for (let i = 0; i < 5; i++) await op()
    expect(seen).toEqual([false, false, false, false, false])
    seen.length = 0
    await Promise.all([op(), op(), op()])
    expect(seen).toEqual([false, true, true])
    expect(inFlight.busy()).toBe(false)
    let release = (): void => undefined
    const pending = inFlight.pool(() => new Promise<void>((resolve) => (release = resolve)))
    await Promise.resolve()
    expect(inFlight.busy()).toBe(true)
    release()
    await pending
    expect(inFlight.busy()).toBe(false)
    // Node sends batches to the pool; Deno's callback forms are slow and Bun signs faster
    // synchronously even in batches (BENCHMARKS.md).
    expect(NODE_CRYPTO_POLICIES.node.batchesToPool).toEqual({ sign: true, verify: true })
    expect(NODE_CRYPTO_POLICIES.bun.batchesToPool).toEqual({ sign: false, verify: true })
    expect(NODE_CRYPTO_POLICIES.deno.batchesToPool).toEqual({ sign: false, verify: false })
  })

  it('Ed25519 signatures made in a batch (diverted to the thread pool, or not) are byte-identical to sequential ones', async () => {
    const material = materials.Ed25519
    const key = await nodeHandle(material)
    const bunKey = await nodeHandle(material, nodeCryptoBackend({ runtime: 'bun' }))
    const messages = Array.from({ length: 20 }, (_, i) => utf8(`batch ${i}`))
    const batch = await Promise.all(messages.map((m) => key.sign(m)))
    const bunBatch = await Promise.all(messages.map((m) => bunKey.sign(m)))
    const web = await loadPrivateKey('Ed25519', material.pkcs8)
    for (let i = 0; i < messages.length; i++) {
      expect(toHex(bunBatch[i] as Uint8Array)).toBe(toHex(batch[i] as Uint8Array))
      expect(toHex(batch[i] as Uint8Array)).toBe(toHex(await key.sign(messages[i] as Uint8Array)))
      expect(toHex(batch[i] as Uint8Array)).toBe(toHex(await web.sign(messages[i] as Uint8Array)))
    }
  })

  it('100 concurrent signatures per algorithm all verify', async () => {
    for (const algorithm of KEY_ALGORITHMS) {
      const material = materials[algorithm]
      const key = await nodeHandle(material)
      const messages = Array.from({ length: isRsaAlgorithm(algorithm) ? 20 : 100 }, (_, i) =>
        utf8(`message ${i}`),
      )
      const signatures = await Promise.all(messages.map((m) => key.sign(m)))
      const results = await Promise.all(
        messages.map((m, i) => nodeVerify(material.publicJwk, m, signatures[i] as Uint8Array)),
      )
      expect(results.every(Boolean), algorithm).toBe(true)
    }
  })

  it('a signing input mutated right after sign() is called does not change the signature (pool mode copies it)', async () => {
    const material = materials['P-384']
    const key = await nodeHandle(material)
    const message = new Uint8Array(data)
    const pending = key.sign(message)
    message.fill(0)
    expect(await verifySignature(material.publicJwk, data, await pending)).toBe(true)
  })
})

describe('scrypt', () => {
  const cases = [
    { N: 1024, r: 8, p: 1, dkLen: 32 },
    { N: 2 ** 14, r: 8, p: 2, dkLen: 32 },
    { N: 1024, r: 1, p: 16, dkLen: 32 },
    { N: 2048, r: 32, p: 3, dkLen: 64 },
  ]
  for (const params of cases) {
    it(`N=${params.N} r=${params.r} p=${params.p}: identical to @noble/hashes`, async () => {
      const password = utf8('crème brûlée')
      const salt = Uint8Array.from({ length: 16 }, (_, i) => i)
      const ours = await backend.scrypt?.(password, salt, params)
      expect(ours).toBeDefined()
      expect(Object.getPrototypeOf(ours)).toBe(Uint8Array.prototype)
      expect(toHex(ours as Uint8Array)).toBe(toHex(await scryptAsync(password, salt, params)))
    })
  }

  it('RFC 7914 section 12, third vector (N=16384, r=8, p=1)', async () => {
    const out = await backend.scrypt?.(utf8('pleaseletmein'), utf8('SodiumChloride'), {
      N: 16384,
      r: 8,
      p: 1,
      dkLen: 64,
    })
    expect(toHex(out as Uint8Array)).toBe(
      '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887',
    )
  })

  it('the OWASP preset (N=2^17, r=8: 128 MiB) fits the memory limit it is given', async () => {
    const out = await backend.scrypt?.(utf8('p'), new Uint8Array(16), {
      N: 2 ** 17,
      r: 8,
      p: 1,
      dkLen: 32,
    })
    expect(out?.length).toBe(32)
  })
})

describe('canonical PKCS#8 is what the backend receives', () => {
  it('the bytes loadPrivateKey would pass re-encode to themselves', async () => {
    for (const algorithm of KEY_ALGORITHMS) {
      const { key, publicKey } = await parsePkcs8(materials[algorithm].pkcs8)
      expect(toHex(encodePkcs8(key, publicKey))).toBe(toHex(materials[algorithm].pkcs8))
    }
  })
})

describe('failures are typed', () => {
  it('scrypt parameters node:crypto refuses reject with crypto_unavailable (the envelope bounds never let them through)', async () => {
    await expectCode(
      () => backend.scrypt?.(utf8('p'), new Uint8Array(16), { N: 1000, r: 8, p: 1, dkLen: 32 }),
      'crypto_unavailable',
    )
  })
})

describe('SHA-2 digests (SD-JWT)', () => {
  it('the self-test passes on Node and every runtime policy takes digests', () => {
    expect(digestSelfTest()).toBe(true)
    for (const runtime of ['node', 'deno', 'bun'] as const)
      expect(NODE_CRYPTO_POLICIES[runtime].digest, runtime).toBe(true)
  })

  it('equals noble for each size over ASCII, multi-byte UTF-8 and empty texts', () => {
    const backend = nodeCryptoBackend()
    const nobleOf = { 'sha-256': sha256, 'sha-384': sha384, 'sha-512': sha512 } as const
    const texts = [
      '',
      'abc',
      'WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0',
      'Möbius 💡',
      'x'.repeat(10_000),
    ]
    for (const algorithm of ['sha-256', 'sha-384', 'sha-512'] as const) {
      for (const text of texts) {
        expect(
          backend.digestBase64url?.(algorithm, text),
          `${algorithm} ${text.slice(0, 10)}`,
        ).toBe(b64u(nobleOf[algorithm](utf8(text))))
      }
    }
  })

  it('sdDigest takes the backend path when installed and gives the RFC 9901 example digest either way', () => {
    const disclosure = 'WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0'
    const previous = cryptoBackend()
    let calls = 0
    const node = nodeCryptoBackend()
    try {
      installBackend({
        name: 'node',
        digestBase64url: (algorithm, text) => (calls++, node.digestBase64url?.(algorithm, text)),
      })
      expect(sdDigest('sha-256', disclosure)).toBe('X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0')
      expect(calls).toBe(1)
      installBackend({ name: 'node', digestBase64url: () => undefined })
      expect(sdDigest('sha-256', disclosure)).toBe('X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0')
    } finally {
      installBackend(previous)
    }
  })
})
