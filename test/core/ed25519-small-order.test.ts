/**
 * Issue 12, finding 2: small-order (and non-canonically encoded) Ed25519 public keys.
 *
 * With the identity point as public key A, the signature R = identity, S = 0 satisfies the RFC 8032
 * equation [S]B = R + [k]A for every message (0 = 0 + k·0): OpenSSL (node:crypto, Node's WebCrypto)
 * and BoringSSL (Chromium) accept it, noble's strict mode refuses it. A key whose point has order
 * 1, 2, 4 or 8 gives the same kind of universal forgery for a fraction of all messages. credsign
 * refuses such keys wherever a public key enters (the key decoding layer, `invalid_key`), so the
 * verdict no longer depends on the runtime. Runs in every project (node, node-backend, browser).
 */
import { describe, expect, it } from 'vitest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { sha256 } from '@noble/hashes/sha2.js'
import {
  didJwkDocument,
  didKeyDocument,
  didKeyFromJwk,
  jwkFromDidJwk,
  jwkFromDidKey,
  jwkFromMultikey,
  jwkThumbprint,
  multikeyFromJwk,
  signJwt,
  toPublicJwk,
  verify,
  verifyJwt,
  verifyOid4vciProof,
  verifySdJwt,
  verifySignature,
  type PublicJwk,
} from '../../src/index.js'
import { b64u, concat, utf8 } from '../../src/util/bytes.js'
import { b58 } from '../../src/util/base58.js'
import { expectCode, hex, toHex } from './keys-helpers.js'
import { seg, testKey, withId } from './jose-helpers.js'

/**
 * The eight points of order dividing 8 (the torsion subgroup E[8]), in their canonical RFC 8032
 * encodings: y little-endian, the sign of x in the top bit. Why these: with A in E[8], [k]A only
 * depends on k mod 8, so a signature (R, S) with R = -[k]A + [S]B verifies for 1/8 (or more) of all
 * messages without any private key. The same list is libsodium's blocklist and Wycheproof's
 * small-order keys; the test below checks each one is in E[8] and that there are no others.
 */
const SMALL_ORDER_POINTS: readonly { order: number; hex: string }[] = [
  { order: 1, hex: '0100000000000000000000000000000000000000000000000000000000000000' }, // (0, 1): the identity
  { order: 2, hex: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f' }, // (0, -1)
  { order: 4, hex: '0000000000000000000000000000000000000000000000000000000000000000' }, // (sqrt(-1), 0)
  { order: 4, hex: '0000000000000000000000000000000000000000000000000000000000000080' }, // (-sqrt(-1), 0)
  { order: 8, hex: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a' },
  { order: 8, hex: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa' },
  { order: 8, hex: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05' },
  { order: 8, hex: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85' },
]

const P = 2n ** 255n - 19n

/** The 32-byte little-endian encoding of y with the x sign bit. */
function encode(y: bigint, xSign: 0 | 1): Uint8Array {
  const out = new Uint8Array(32)
  let rest = y
  for (let i = 0; i < 32; i++) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  out[31] = ((out[31] as number) & 0x7f) | (xSign << 7)
  return out
}

/**
 * Non-canonical encodings: y >= p (p .. 2^255 - 1, i.e. p + 0 .. p + 18) with either sign bit, and
 * the "negative zero" x encodings of the two points with x = 0 (y = 1 and y = -1 with the sign bit
 * set). RFC 8032 section 5.1.3 refuses them all; some decode to small-order points under laxer
 * rules (ZIP-215), which is how a blocklist of canonical encodings alone gets bypassed.
 */
const NON_CANONICAL: readonly Uint8Array[] = [
  ...Array.from({ length: 19 }, (_, i) => [
    encode(P + BigInt(i), 0),
    encode(P + BigInt(i), 1),
  ]).flat(),
  encode(1n, 1),
  encode(P - 1n, 1),
]

const IDENTITY = hex(SMALL_ORDER_POINTS[0]!.hex)
/** R = identity encoding, S = 0: the universal forgery for the identity key. */
const FORGED_SIGNATURE = concat(IDENTITY, new Uint8Array(32))

function jwkOf(point: Uint8Array): PublicJwk {
  return { kty: 'OKP', crv: 'Ed25519', x: b64u(point) }
}

/** A did:key built by hand (multicodec ed25519-pub 0xed 0x01): didKeyFromJwk refuses these keys. */
function didKeyOf(point: Uint8Array): string {
  return `did:key:z${b58(concat(new Uint8Array([0xed, 0x01]), point))}`
}

function didJwkOf(point: Uint8Array): string {
  return `did:jwk:${seg(jwkOf(point))}`
}

/** A compact JWS "signed" by the identity key: any header and payload, the forged signature. */
function forgedCompact(header: object, payload: object): string {
  return `${seg(header)}.${seg(payload)}.${b64u(FORGED_SIGNATURE)}`
}

const ALL_WEAK_ENCODINGS = [...SMALL_ORDER_POINTS.map((point) => hex(point.hex)), ...NON_CANONICAL]

describe('the small-order list itself', () => {
  it('has the 8 distinct points of E[8], each of the stated order, and nothing else is small-order', () => {
    const seen = new Set<string>()
    for (const { order, hex: text } of SMALL_ORDER_POINTS) {
      const point = ed25519.Point.fromBytes(hex(text), false)
      expect(
        point.multiply(BigInt(order)).is0() || point.multiplyUnsafe(BigInt(order)).is0(),
        text,
      ).toBe(true)
      if (order > 1) expect(point.multiplyUnsafe(BigInt(order / 2)).is0(), text).toBe(false)
      seen.add(toHex(point.toBytes()))
    }
    expect(seen.size).toBe(8) // E[8] has exactly 8 points: this list is all of it.
  })

  it('non-canonical encodings are what they say (y >= p, or x = 0 with the sign bit)', () => {
    for (const bytes of NON_CANONICAL) expect(() => ed25519.Point.fromBytes(bytes, false)).toThrow()
  })
})

describe('small-order and non-canonical Ed25519 public keys are refused wherever a key enters', () => {
  it.each(ALL_WEAK_ENCODINGS.map((bytes) => [toHex(bytes), bytes] as const))(
    '%s',
    async (_, bytes) => {
      const jwk = jwkOf(bytes)
      await expectCode(
        () => verifySignature(jwk, utf8('any message'), FORGED_SIGNATURE),
        'invalid_key',
      )
      await expectCode(
        () => verifySignature(jwk, utf8('any message'), FORGED_SIGNATURE, { backend: 'noble' }),
        'invalid_key',
      )
      await expectCode(() => toPublicJwk(jwk), 'invalid_key')
      await expectCode(() => jwkThumbprint(jwk), 'invalid_key')
      await expectCode(() => multikeyFromJwk(jwk), 'invalid_key')
      await expectCode(() => didKeyFromJwk(jwk), 'invalid_key')
      await expectCode(() => jwkFromDidKey(didKeyOf(bytes)), 'invalid_key')
      await expectCode(() => didKeyDocument(didKeyOf(bytes)), 'invalid_key')
      await expectCode(
        () => jwkFromMultikey(didKeyOf(bytes).slice('did:key:'.length)),
        'invalid_key',
      )
      await expectCode(() => jwkFromDidJwk(didJwkOf(bytes)), 'invalid_key')
      await expectCode(() => didJwkDocument(didJwkOf(bytes)), 'invalid_key')
    },
  )
})

describe('the identity-key forgery of finding 2 fails on every path', () => {
  const message = utf8('pay 1,000,000 to Mallory')

  it('verifySignature: invalid_key (it verified on the node:crypto backend)', async () => {
    await expectCode(
      () => verifySignature(jwkOf(IDENTITY), message, FORGED_SIGNATURE),
      'invalid_key',
    )
  })

  it('verify() of a vc+jwt "signed" by a did:key of the identity point', async () => {
    const did = didKeyOf(IDENTITY)
    const kid = `${did}#${did.slice('did:key:'.length)}`
    const token = forgedCompact(
      { alg: 'EdDSA', typ: 'vc+jwt', kid },
      {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        issuer: did,
        credentialSubject: { id: 'did:example:mallory', degree: 'PhD' },
      },
    )
    const result = await verify(token)
    expect(result.verified).toBe(false)
  })

  it('verifyJwt with the identity JWK as key, and as an embedded header jwk', async () => {
    const token = forgedCompact({ alg: 'EdDSA' }, { sub: 'mallory' })
    await expect(verifyJwt(token, { key: jwkOf(IDENTITY) })).rejects.toThrow()
    const embedded = forgedCompact({ alg: 'EdDSA', jwk: jwkOf(IDENTITY) }, { sub: 'mallory' })
    await expect(verifyJwt(embedded, { allowEmbeddedJwk: true })).rejects.toThrow()
  })

  it('an OpenID4VCI jwt proof with the identity point as header jwk', async () => {
    const now = Date.UTC(2030, 0, 1)
    const proof = forgedCompact(
      { alg: 'EdDSA', typ: 'openid4vci-proof+jwt', jwk: jwkOf(IDENTITY) },
      { aud: 'https://issuer.example', iat: now / 1000, nonce: 'n-1' },
    )
    const result = await verifyOid4vciProof(
      { proof_type: 'jwt', jwt: proof },
      { expectedAudience: 'https://issuer.example', expectedNonce: 'n-1', now },
    )
    expect(result.verified).toBe(false)
  })

  it('an SD-JWT VC whose cnf.jwk is the identity point: the forged KB-JWT is refused', async () => {
    const issuer = await testKey('Ed25519')
    const issuerDid = didKeyFromJwk(issuer.publicJwk)
    const signer = withId(issuer, `${issuerDid}#${issuerDid.slice('did:key:'.length)}`)
    const now = Date.UTC(2030, 0, 1)
    const issued = await signJwt(
      signer,
      {
        iss: issuerDid,
        vct: 'https://credentials.example/identity',
        iat: now / 1000,
        cnf: { jwk: jwkOf(IDENTITY) },
        given_name: 'Erika',
      },
      { typ: 'dc+sd-jwt' },
    )
    const sdJwt = `${issued}~`
    const kbJwt = forgedCompact(
      { alg: 'EdDSA', typ: 'kb+jwt' },
      {
        iat: now / 1000,
        aud: 'https://verifier.example',
        nonce: 'n-2',
        sd_hash: b64u(sha256(utf8(sdJwt))),
      },
    )
    await expect(
      verifySdJwt(sdJwt + kbJwt, {
        key: issuer.publicJwk,
        audience: 'https://verifier.example',
        nonce: 'n-2',
        now,
      }),
    ).rejects.toThrow()
    const result = await verify(sdJwt + kbJwt, {
      audience: 'https://verifier.example',
      nonce: 'n-2',
      now,
    })
    expect(result.verified).toBe(false)
  })
})
