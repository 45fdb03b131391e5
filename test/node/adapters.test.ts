// credsign/adapters: vault keys signing through jose, @sd-jwt/core + @sd-jwt/sd-jwt-vc and Digital
// Bazaar's Data Integrity suites. Each library signs with the adapter; the result verifies with the
// library itself and with credsign; the private key is never extractable.
import { createHash, createPublicKey, randomBytes, verify as nodeVerify } from 'node:crypto'
import {
  CompactSign,
  FlattenedSign,
  GeneralSign,
  SignJWT,
  compactVerify,
  flattenedVerify,
  importJWK,
  jwtVerify,
} from 'jose'
import { SDJwtInstance } from '@sd-jwt/core'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
// @ts-expect-error -- @digitalbazaar/* and jsonld-signatures ship no type declarations
import * as vc from '@digitalbazaar/vc'
// @ts-expect-error -- no type declarations
import { DataIntegrityProof } from '@digitalbazaar/data-integrity'
// @ts-expect-error -- no type declarations
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite'
// @ts-expect-error -- no type declarations
import { cryptosuite as ecdsaRdfc2019 } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite'
// @ts-expect-error -- no type declarations
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020'
// @ts-expect-error -- no type declarations
import jsigs from 'jsonld-signatures'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  CredsignError,
  KeyVault,
  MemoryStore,
  asDidSigner,
  generateKeyPair,
  isKeyAlgorithm,
  loadPrivateKey,
  verify,
  verifyJws,
  verifyJwt,
  verifySdJwt,
  type KeyAlgorithm,
  type PublicJwk,
  type UnlockedKey,
} from 'credsign'
import { digitalBazaarSigner, joseSigningKey, sdJwtSigner } from 'credsign/adapters'
import { createDocumentLoader, dataIntegrityHandler } from 'credsign/data-integrity'
import { DB_CONTEXTS, didKeyDriver } from './fixtures/digital-bazaar.js'
import { privateKeyHandleOf } from '../../src/vault/unlocked-key.js'

type Json = Record<string, unknown>
const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(9),
  kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
})
const encoder = new TextEncoder()

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof CredsignError) return error.code
    throw error
  }
  return 'resolved'
}

/** The private part of `key` cannot be read back, in any format. */
async function expectNotExtractable(key: CryptoKey): Promise<void> {
  expect(key.extractable).toBe(false)
  expect(key.type).toBe('private')
  expect(key.usages).toEqual(['sign'])
  for (const format of ['pkcs8', 'jwk'] as const)
    await expect(crypto.subtle.exportKey(format, key)).rejects.toThrow()
}

const ALL: KeyAlgorithm[] = (
  [
    'Ed25519',
    'P-256',
    'P-384',
    'P-521',
    'RSA-PSS',
    'PS384',
    'PS512',
    'RS256',
    'RS384',
    'RS512',
  ] as const
).filter((a) => isKeyAlgorithm(a))
const keys = new Map<KeyAlgorithm, UnlockedKey>()

beforeAll(async () => {
  // One RSA key, imported once per RSA algorithm (the key material says nothing of the scheme).
  const rsa = await generateKeyPair('RSA-PSS', { modulusLength: 2048 })
  for (const algorithm of [...ALL, 'secp256k1' as const]) {
    const id = `adapter-${algorithm}`
    if (/^(RSA-PSS|PS|RS)/.test(algorithm))
      await vault.import({ id, secrets: ['s'], key: { pkcs8: rsa.pkcs8, algorithm } })
    else await vault.generate({ id, algorithm, secrets: ['s'] })
    keys.set(algorithm, await vault.unlock(id, ['s']))
  }
  rsa.pkcs8.fill(0)
}, 60_000)

function unlocked(algorithm: KeyAlgorithm): UnlockedKey {
  return keys.get(algorithm) as UnlockedKey
}

describe('jose signs with a vault key (joseSigningKey)', () => {
  for (const algorithm of ALL) {
    it(`${algorithm}: SignJWT, CompactSign, FlattenedSign, GeneralSign; jose and credsign verify; the CryptoKey is not extractable`, async () => {
      const key = unlocked(algorithm)
      const { key: cryptoKey, alg, kid } = await joseSigningKey(key)
      await expectNotExtractable(cryptoKey)
      expect(kid).toBe(key.publicJwk.kid)
      const publicKey = await importJWK(key.publicJwk as never, alg)

      const jwt = await new SignJWT({ sub: 'did:example:alice', claim: algorithm })
        .setProtectedHeader({ alg, kid })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(cryptoKey)
      expect((await jwtVerify(jwt, publicKey)).payload.claim).toBe(algorithm)
      const mine = await verifyJwt(jwt, { key: key.publicJwk, algorithms: [alg] })
      expect(mine.payload.claim).toBe(algorithm)

      const payload = encoder.encode(`compact ${algorithm}`)
      const compact = await new CompactSign(payload).setProtectedHeader({ alg }).sign(cryptoKey)
      expect((await compactVerify(compact, publicKey)).payload).toEqual(payload)
      expect((await verifyJws(compact, { key: key.publicJwk, algorithms: [alg] })).payload).toEqual(
        payload,
      )

      const flattened = await new FlattenedSign(payload).setProtectedHeader({ alg }).sign(cryptoKey)
      expect((await flattenedVerify(flattened, publicKey)).payload).toEqual(payload)
      expect(
        (await verifyJws(flattened, { key: key.publicJwk, algorithms: [alg] })).payload,
      ).toEqual(payload)

      const general = await new GeneralSign(payload)
        .addSignature(cryptoKey)
        .setProtectedHeader({ alg })
        .sign()
      expect((await verifyJws(general, { key: key.publicJwk, algorithms: [alg] })).payload).toEqual(
        payload,
      )
    })
  }

  it('an RSA key signs with its one algorithm: jose refuses another alg with its CryptoKey', async () => {
    const { key } = await joseSigningKey(unlocked('RSA-PSS'))
    await expect(
      new CompactSign(encoder.encode('x')).setProtectedHeader({ alg: 'RS256' }).sign(key),
    ).rejects.toThrow()
    await expect(
      new CompactSign(encoder.encode('x')).setProtectedHeader({ alg: 'PS384' }).sign(key),
    ).rejects.toThrow()
    if (isKeyAlgorithm('RS256')) {
      const { key: rs256 } = await joseSigningKey(unlocked('RS256'))
      await expect(
        new CompactSign(encoder.encode('x')).setProtectedHeader({ alg: 'PS256' }).sign(rs256),
      ).rejects.toThrow()
    }
  })

  it('Ed25519 with its fully-specified name (RFC 9864)', async () => {
    const key = unlocked('Ed25519')
    const { key: cryptoKey, alg } = await joseSigningKey(key, { ed25519Name: 'Ed25519' })
    expect(alg).toBe('Ed25519')
    const jws = await new CompactSign(encoder.encode('x'))
      .setProtectedHeader({ alg })
      .sign(cryptoKey)
    expect(
      (await verifyJws(jws, { key: key.publicJwk, algorithms: ['Ed25519'] })).protectedHeader.alg,
    ).toBe('Ed25519')
  })

  it('refusals: secp256k1 (unsupported_algorithm), a locked key (signer_locked), not an UnlockedKey (invalid_argument)', async () => {
    expect(await codeOf(joseSigningKey(unlocked('secp256k1')))).toBe('unsupported_algorithm')
    await vault.generate({ id: 'adapter-locked', algorithm: 'P-256', secrets: ['s'] })
    const locked = await vault.unlock('adapter-locked', ['s'])
    locked.lock()
    expect(await codeOf(joseSigningKey(locked))).toBe('signer_locked')
    const fake = {
      id: 'k',
      algorithm: 'P-256',
      publicJwk: locked.publicJwk,
      sign: async () => new Uint8Array(64),
    }
    expect(await codeOf(joseSigningKey(fake as unknown as UnlockedKey))).toBe('invalid_argument')
  })

  it('the handle behind the key is the one this project runs (node:crypto in node-backend, so its export path is covered)', () => {
    const expected = process.env.CREDSIGN_TEST_BACKEND === 'node' ? 'node' : 'webcrypto'
    expect(privateKeyHandleOf(unlocked('P-256')).backend).toBe(expected)
  })

  it('every handle kind gives a non-extractable key: the noble handle too', async () => {
    const { pkcs8, publicJwk } = await generateKeyPair('P-256')
    const handle = await loadPrivateKey('P-256', pkcs8, { backend: 'noble' })
    pkcs8.fill(0)
    expect(handle.backend).toBe('noble')
    const cryptoKey = await (handle.webCryptoKey as () => Promise<CryptoKey>)()
    await expectNotExtractable(cryptoKey)
    const jws = await new CompactSign(encoder.encode('noble'))
      .setProtectedHeader({ alg: 'ES256' })
      .sign(cryptoKey)
    expect((await verifyJws(jws, { key: publicJwk })).payload).toEqual(encoder.encode('noble'))
    handle.destroy()
    expect(await codeOf((handle.webCryptoKey as () => Promise<CryptoKey>)())).toBe('signer_locked')
  })
})

// ---------------------------------------------------------------------------------------------
// @sd-jwt: node:crypto hasher and verifiers (nothing of credsign's on their side).

const HASHES: Record<string, string> = {
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
}
function hasher(data: string | ArrayBuffer, alg: string): Uint8Array {
  return new Uint8Array(
    createHash(HASHES[alg.toLowerCase()] as string)
      .update(typeof data === 'string' ? data : new Uint8Array(data))
      .digest(),
  )
}
const saltGenerator = (length: number): string => randomBytes(length).toString('base64url')

/** A JWS verifier on node:crypto for `jwk` and its JWS `alg`. */
function nodeJwsVerifier(
  jwk: PublicJwk,
  alg: string,
): (data: string, signature: string) => boolean {
  const key = createPublicKey({ key: jwk as never, format: 'jwk' })
  const bits = alg.slice(-3)
  const hash = alg === 'EdDSA' || alg === 'Ed25519' ? null : `sha${bits === '56K' ? '256' : bits}`
  return (data, signature) => {
    const sig = Buffer.from(signature, 'base64url')
    if (alg.startsWith('ES'))
      return nodeVerify(hash, Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, sig)
    if (alg.startsWith('PS'))
      return nodeVerify(
        hash,
        Buffer.from(data),
        { key, padding: 6, saltLength: Number(bits) / 8 },
        sig,
      )
    return nodeVerify(hash, Buffer.from(data), key, sig)
  }
}

describe('@sd-jwt signs with a vault key (sdJwtSigner)', () => {
  const VCT = 'https://credentials.example.com/identity_credential'
  const sdAlgorithms: KeyAlgorithm[] = [
    'Ed25519',
    'P-256',
    'secp256k1',
    ...ALL.filter((a) => a === 'P-521' || a === 'RS256' || a === 'PS384'),
  ]
  for (const algorithm of sdAlgorithms) {
    it(`${algorithm}: SDJwtVcInstance issues and presents with a KB-JWT; @sd-jwt and credsign verify`, async () => {
      const issuer = unlocked(algorithm)
      const holder = unlocked('P-256')
      const issuerCallbacks = sdJwtSigner(issuer)
      const holderCallbacks = sdJwtSigner(holder)
      const sd = new SDJwtVcInstance({
        hasher,
        hashAlg: 'sha-256',
        saltGenerator,
        ...issuerCallbacks,
        kbSigner: holderCallbacks.signer,
        kbSignAlg: holderCallbacks.signAlg,
        verifier: nodeJwsVerifier(issuer.publicJwk, issuerCallbacks.signAlg),
        kbVerifier: nodeJwsVerifier(holder.publicJwk, holderCallbacks.signAlg),
      })
      const iat = Math.floor(Date.now() / 1000)
      const sdJwt = await sd.issue(
        {
          iss: 'https://issuer.example',
          iat,
          exp: iat + 3600,
          vct: VCT,
          cnf: { jwk: holder.publicJwk },
          given_name: 'Alice',
          family_name: 'Doe',
        },
        { _sd: ['given_name', 'family_name'] } as never,
        { header: { kid: issuer.publicJwk.kid } },
      )
      expect(
        JSON.parse(Buffer.from(sdJwt.split('.')[0] as string, 'base64url').toString()).alg,
      ).toBe(issuerCallbacks.signAlg)
      // @sd-jwt verifies its own issuance (node:crypto verifier).
      expect((await sd.verify(sdJwt)).payload).toMatchObject({ given_name: 'Alice' })
      // credsign verifies it.
      const ours = await verifySdJwt(sdJwt, { key: issuer.publicJwk, requireKeyBinding: false })
      expect(ours.claims).toMatchObject({ given_name: 'Alice', family_name: 'Doe' })

      const presentation = await sd.present(sdJwt, { given_name: true } as never, {
        kb: { payload: { aud: 'https://verifier.example', nonce: 'n-1', iat } },
      })
      const theirs = await sd.verify(presentation, { keyBindingNonce: 'n-1' } as never)
      expect(theirs.payload).toMatchObject({ given_name: 'Alice' })
      const mine = await verifySdJwt(presentation, {
        key: issuer.publicJwk,
        audience: 'https://verifier.example',
        nonce: 'n-1',
      })
      expect(mine.claims).toMatchObject({ given_name: 'Alice' })
      expect(mine.claims).not.toHaveProperty('family_name')
    })
  }

  it('@sd-jwt/core SDJwtInstance issues with the adapter; a locked key fails with signer_locked', async () => {
    await vault.generate({ id: 'adapter-sd-locked', algorithm: 'Ed25519', secrets: ['s'] })
    const key = await vault.unlock('adapter-sd-locked', ['s'])
    const core = new SDJwtInstance({
      hasher,
      hashAlg: 'sha-256',
      saltGenerator,
      ...sdJwtSigner(key),
      verifier: nodeJwsVerifier(key.publicJwk, 'EdDSA'),
    })
    const sdJwt = await core.issue({ iss: 'https://issuer.example', name: 'Alice' }, {
      _sd: ['name'],
    } as never)
    expect((await core.verify(sdJwt)).payload).toMatchObject({ name: 'Alice' })
    key.lock()
    expect(
      await codeOf(
        core.issue({ iss: 'https://issuer.example', name: 'Bob' }, { _sd: ['name'] } as never),
      ),
    ).toBe('signer_locked')
    expect(() => sdJwtSigner({} as never)).toThrow(CredsignError)
  })
})

// ---------------------------------------------------------------------------------------------
// Digital Bazaar: DB's own did:key driver and context packages on their side.

const credsignContexts = createDocumentLoader()
const dbDocumentLoader = jsigs.extendContextLoader(async (url: string) => {
  if (url.startsWith('did:key:'))
    return { contextUrl: null, documentUrl: url, document: await didKeyDriver.get({ url }) }
  const known = DB_CONTEXTS.get(url)
  if (known !== undefined)
    return { contextUrl: null, documentUrl: url, document: known, tag: 'static' }
  const { document } = await credsignContexts(url)
  return { contextUrl: null, documentUrl: url, document: structuredClone(document), tag: 'static' }
}) as (url: string) => Promise<unknown>

describe('Digital Bazaar signs with a vault key (digitalBazaarSigner)', () => {
  const cases: {
    label: string
    algorithm: KeyAlgorithm
    verifier: () => unknown
    signer: (signer: unknown) => unknown
  }[] = [
    {
      label: 'DataIntegrityProof eddsa-rdfc-2022',
      algorithm: 'Ed25519',
      signer: (signer) => new DataIntegrityProof({ signer, cryptosuite: eddsaRdfc2022 }),
      verifier: () => new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
    },
    {
      label: 'DataIntegrityProof ecdsa-rdfc-2019 P-256',
      algorithm: 'P-256',
      signer: (signer) => new DataIntegrityProof({ signer, cryptosuite: ecdsaRdfc2019 }),
      verifier: () => new DataIntegrityProof({ cryptosuite: ecdsaRdfc2019 }),
    },
    {
      label: 'DataIntegrityProof ecdsa-rdfc-2019 P-384',
      algorithm: 'P-384',
      signer: (signer) => new DataIntegrityProof({ signer, cryptosuite: ecdsaRdfc2019 }),
      verifier: () => new DataIntegrityProof({ cryptosuite: ecdsaRdfc2019 }),
    },
    {
      label: 'Ed25519Signature2020',
      algorithm: 'Ed25519',
      signer: (signer) => new Ed25519Signature2020({ signer }),
      verifier: () => new Ed25519Signature2020(),
    },
  ]
  for (const c of cases) {
    it(`${c.label}: vc.issue with the adapter; DB and credsign verify; a tampered claim fails on both`, async () => {
      const signer = asDidSigner(unlocked(c.algorithm))
      const did = signer.id.split('#')[0] as string
      const dbSigner = digitalBazaarSigner(signer)
      expect(dbSigner).toMatchObject({ id: signer.id, algorithm: c.algorithm })
      const credential: Json = {
        '@context': [
          'https://www.w3.org/ns/credentials/v2',
          'https://www.w3.org/ns/credentials/examples/v2',
        ],
        id: 'urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33',
        type: ['VerifiableCredential', 'AlumniCredential'],
        issuer: did,
        credentialSubject: { id: 'did:example:abcdefgh', alumniOf: 'The School of Examples' },
      }
      const signed = (await vc.issue({
        credential: structuredClone(credential),
        suite: c.signer(dbSigner),
        documentLoader: dbDocumentLoader,
      })) as Json
      expect((signed.proof as Json).verificationMethod).toBe(signer.id)

      const theirs = (await vc.verifyCredential({
        credential: signed,
        suite: [c.verifier()],
        documentLoader: dbDocumentLoader,
      })) as { verified: boolean; error?: unknown }
      expect(theirs.error).toBeUndefined()
      expect(theirs.verified).toBe(true)
      const mine = await verify(signed, { handlers: [dataIntegrityHandler()] })
      expect(mine.errors).toEqual([])
      expect(mine.verified).toBe(true)

      const tampered = structuredClone(signed)
      ;(tampered.credentialSubject as Json).alumniOf = 'The School of Forgeries'
      expect(
        (
          (await vc.verifyCredential({
            credential: tampered,
            suite: [c.verifier()],
            documentLoader: dbDocumentLoader,
          })) as { verified: boolean }
        ).verified,
      ).toBe(false)
      expect((await verify(tampered, { handlers: [dataIntegrityHandler()] })).verified).toBe(false)
    })
  }

  it('the id option names the verification method; bad input is invalid_argument', async () => {
    const key = unlocked('Ed25519')
    expect(digitalBazaarSigner(key, { id: 'did:web:issuer.example#key-1' }).id).toBe(
      'did:web:issuer.example#key-1',
    )
    expect(() => digitalBazaarSigner(key, { id: '' })).toThrow(CredsignError)
    expect(await codeOf(digitalBazaarSigner(key).sign({ data: 'abc' } as never))).toBe(
      'invalid_argument',
    )
    expect(await codeOf(digitalBazaarSigner(key).sign(undefined as never))).toBe('invalid_argument')
  })
})
