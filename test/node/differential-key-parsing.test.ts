/**
 * Differential key parsing: credsign's own DER, PEM and JWK readers (src/keys) against node:crypto
 * (OpenSSL 3) on the same bytes. Keys of every supported algorithm are made by node:crypto, then
 * mutated (fast-check: byte flips, insertions, deletions, appended bytes; JWK members changed) and
 * crafted (length forms, AlgorithmIdentifier parameters, point forms, attributes, PEM labels and
 * layout). The invariant, for every input: when credsign accepts a key, node:crypto accepts the
 * same input and reads the same public key (compared as the required JWK members). Credsign
 * refusing what node accepts is allowed (credsign is stricter by design: DER only, minimal
 * integers, no hybrid points, no small-order Ed25519 keys, RSA 2048/3072/4096); the few inputs a
 * spec calls valid that node refuses are listed as such below. Wycheproof's public keys are read by
 * both too.
 *
 * Two findings, fixed, each with its test below: a PEM text with a private key block credsign does
 * not read (`DSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`) next to one it does imported the second while
 * OpenSSL reads the first; PKCS#8 attributes were skipped unread, so any bytes there passed.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CredsignError,
  importPrivateKey,
  jwkFromSpki,
  jwkFromSpkiPem,
  toPublicJwk,
  type KeyAlgorithm,
  type PrivateJwk,
  type PrivateKeyInput,
  type PublicJwk,
} from 'credsign'
import ed25519Vectors from '../fixtures/vectors/wycheproof/ed25519_test.json' with { type: 'json' }
import p256Vectors from '../fixtures/vectors/wycheproof/ecdsa_secp256r1_sha256_test.json' with { type: 'json' }
import p384Vectors from '../fixtures/vectors/wycheproof/ecdsa_secp384r1_sha384_p1363_test.json' with { type: 'json' }
import p521Vectors from '../fixtures/vectors/wycheproof/ecdsa_secp521r1_sha512_p1363_test.json' with { type: 'json' }
import k1Vectors from '../fixtures/vectors/wycheproof/ecdsa_secp256k1_sha256_p1363_test.json' with { type: 'json' }
import rsa2048Vectors from '../fixtures/vectors/wycheproof/rsa_signature_2048_sha256_test.json' with { type: 'json' }
import rsa4096Vectors from '../fixtures/vectors/wycheproof/rsa_signature_4096_sha512_test.json' with { type: 'json' }
import pssVectors from '../fixtures/vectors/wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json' with { type: 'json' }

/** The RFC 7638 required members of a public JWK: what "the same key" means here. */
type KeyId = Record<string, string>

function requiredMembers(jwk: object): KeyId {
  const out: KeyId = {}
  for (const name of ['crv', 'e', 'kty', 'n', 'x', 'y']) {
    const value = (jwk as Record<string, unknown>)[name]
    if (typeof value === 'string') out[name] = value
  }
  return out
}

/** Node's public key as required JWK members, or `refused` (an id-RSASSA-PSS key has no JWK form). */
function nodeKeyId(key: KeyObject): KeyId | 'refused' {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  if (publicKey.asymmetricKeyType === 'rsa-pss') {
    // n and e from the RSAPublicKey in the SPKI's BIT STRING, as a JWK would carry them.
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))
    const [n, e] = children(contents(part(children(spki), 1)).subarray(1)).map((integer) => {
      const magnitude = contents(integer)
      return Buffer.from(magnitude[0] === 0 ? magnitude.subarray(1) : magnitude).toString(
        'base64url',
      )
    })
    return { e: e as string, kty: 'RSA', n: n as string }
  }
  return requiredMembers(publicKey.export({ format: 'jwk' }))
}

function nodeSpki(der: Uint8Array): KeyId | 'refused' {
  try {
    return nodeKeyId(createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }))
  } catch {
    return 'refused'
  }
}

/** Node reads private DER under whichever of its three types fits, as a caller trying each would. */
function nodePrivateDer(der: Uint8Array): KeyId | 'refused' {
  for (const type of ['pkcs8', 'sec1', 'pkcs1'] as const) {
    let key: KeyObject
    try {
      key = createPrivateKey({ key: Buffer.from(der), format: 'der', type })
    } catch {
      continue
    }
    return nodeKeyId(key)
  }
  return 'refused'
}

function nodePem(pem: string, kind: 'public' | 'private'): KeyId | 'refused' {
  let key: KeyObject
  try {
    key = kind === 'public' ? createPublicKey(pem) : createPrivateKey(pem)
  } catch {
    return 'refused'
  }
  return nodeKeyId(key)
}

function nodeJwk(jwk: object, kind: 'public' | 'private'): KeyId | 'refused' {
  let key: KeyObject
  try {
    const input = { key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' as const }
    key = kind === 'public' ? createPublicKey(input) : createPrivateKey(input)
  } catch {
    return 'refused'
  }
  return nodeKeyId(key)
}

/** Credsign's reading, or `refused` for a CredsignError; anything else thrown fails the test. */
function ours(read: () => PublicJwk): KeyId | 'refused' {
  try {
    return requiredMembers(read())
  } catch (error) {
    if (error instanceof CredsignError) return 'refused'
    throw error
  }
}
async function oursPrivate(input: PrivateKeyInput): Promise<KeyId | 'refused'> {
  try {
    return requiredMembers((await importPrivateKey(input)).publicJwk)
  } catch (error) {
    if (error instanceof CredsignError) return 'refused'
    throw error
  }
}

/** The invariant: credsign's key, when it reads one, is node's key for the same input. */
function expectNodeAgrees(credsign: KeyId | 'refused', node: () => KeyId | 'refused'): void {
  if (credsign === 'refused') return
  expect(node()).toEqual(credsign)
}

// --- the keys -----------------------------------------------------------------------------------

const pairs = {
  Ed25519: generateKeyPairSync('ed25519'),
  'P-256': generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
  'P-384': generateKeyPairSync('ec', { namedCurve: 'secp384r1' }),
  'P-521': generateKeyPairSync('ec', { namedCurve: 'secp521r1' }),
  secp256k1: generateKeyPairSync('ec', { namedCurve: 'secp256k1' }),
  RSA: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  'RSA-PSS': generateKeyPairSync('rsa-pss', {
    modulusLength: 2048,
    hashAlgorithm: 'sha256',
    // saltLength left at its default (20, at most the hash length, as a PS256 key may have)
    mgf1HashAlgorithm: 'sha256',
  }),
}
type PairName = keyof typeof pairs
const isRsa = (name: PairName): boolean => name === 'RSA' || name === 'RSA-PSS'
/** RSA keys say nothing of their scheme: PS256 suits rsaEncryption and PS256-restricted keys. */
const algorithmFor = (name: PairName): KeyAlgorithm | undefined =>
  isRsa(name) ? 'RSA-PSS' : undefined

function der(key: KeyObject, type: 'spki' | 'pkcs8' | 'sec1' | 'pkcs1'): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type } as never) as Buffer)
}
function pem(key: KeyObject, type: 'spki' | 'pkcs8' | 'sec1' | 'pkcs1'): string {
  return key.export({ format: 'pem', type } as never) as string
}

/** The private DER forms node writes for each key. */
function privateForms(name: PairName): [string, Uint8Array][] {
  const { privateKey } = pairs[name]
  const forms: [string, Uint8Array][] = [['pkcs8', der(privateKey, 'pkcs8')]]
  if (name === 'RSA') forms.push(['pkcs1', der(privateKey, 'pkcs1')])
  else if (!isRsa(name) && name !== 'Ed25519') forms.push(['sec1', der(privateKey, 'sec1')])
  return forms
}

// --- DER building blocks for the crafted cases ---------------------------------------------------

function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n]
  if (n < 0x100) return [0x81, n]
  return [0x82, n >> 8, n & 0xff]
}
/** One DER element (minimal length) from its tag and contents. */
function tlv(tag: number, ...parts: (Uint8Array | number[])[]): Uint8Array {
  const body = parts.flatMap((part) => [...part])
  return new Uint8Array([tag, ...lengthOctets(body.length), ...body])
}
/** The complete child elements of a constructed DER element. */
function children(element: Uint8Array): Uint8Array[] {
  const readLength = (at: number): [number, number] => {
    const first = element[at] as number
    if (first < 0x80) return [first, 1]
    let n = 0
    for (let i = 1; i <= (first & 0x7f); i++) n = n * 256 + (element[at + i] as number)
    return [n, 1 + (first & 0x7f)]
  }
  const [total, header] = readLength(1)
  const out: Uint8Array[] = []
  for (let at = 1 + header; at < 1 + header + total;) {
    const [length, octets] = readLength(at + 1)
    out.push(element.subarray(at, at + 1 + octets + length))
    at += 1 + octets + length
  }
  return out
}
/** The contents octets of a DER element. */
function contents(element: Uint8Array): Uint8Array {
  const first = element[1] as number
  return element.subarray(first < 0x80 ? 2 : 2 + (first & 0x7f))
}
function part(list: Uint8Array[], index: number): Uint8Array {
  const element = list[index]
  if (element === undefined) throw new Error(`no element ${index}`)
  return element
}

const OID = {
  ed25519: [0x06, 0x03, 0x2b, 0x65, 0x70],
  x25519: [0x06, 0x03, 0x2b, 0x65, 0x6e],
  ecPublicKey: [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01],
  secp256k1: [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a],
  p384: [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22],
  rsaEncryption: [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
  /** PKCS#9 friendlyName, the attribute RFC 8410's OneAsymmetricKey example carries. */
  friendlyName: [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x14],
}
const NULL = [0x05, 0x00]

// --- fast-check mutations -------------------------------------------------------------------------

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; value: number }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'append'; bytes: Uint8Array }

/** Positions are fractions of the length, so one arbitrary fits inputs of any size. */
const mutation: fc.Arbitrary<(bytes: Uint8Array) => Uint8Array> = fc
  .oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.nat(255) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.nat(255) }),
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 4 }),
    }),
    fc.record({
      kind: fc.constant('append' as const),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
    }),
  )
  .map((m: Mutation) => (bytes: Uint8Array): Uint8Array => {
    const out = [...bytes]
    if (m.kind === 'append') return new Uint8Array([...out, ...m.bytes])
    if (out.length === 0) return bytes
    const at = m.at % out.length
    if (m.kind === 'flip') out[at] = (out[at] as number) ^ (1 << m.bit)
    else if (m.kind === 'set') out[at] = m.value
    else if (m.kind === 'insert') out.splice(m.at % (out.length + 1), 0, m.value)
    else out.splice(at, m.count)
    return new Uint8Array(out)
  })
const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 })
const apply = (bytes: Uint8Array, list: ((b: Uint8Array) => Uint8Array)[]): Uint8Array =>
  list.reduce((acc, m) => m(acc), bytes)

const NAMES = Object.keys(pairs) as PairName[]

describe('mutated DER: whenever credsign reads a key, node:crypto reads the same key', () => {
  for (const name of NAMES) {
    it(`${name}: SubjectPublicKeyInfo`, () => {
      const spki = der(pairs[name].publicKey, 'spki')
      // The unmutated key: both read it (an id-RSASSA-PSS SPKI is refused by credsign by design).
      if (name !== 'RSA-PSS') expect(ours(() => jwkFromSpki(spki))).toEqual(nodeSpki(spki))
      fc.assert(
        fc.property(mutations, (list) => {
          const mutated = apply(spki, list)
          expectNodeAgrees(
            ours(() => jwkFromSpki(mutated)),
            () => nodeSpki(mutated),
          )
        }),
        { numRuns: isRsa(name) ? 300 : 600 },
      )
    })

    for (const [form, original] of privateForms(name)) {
      it(`${name}: private key, ${form} DER`, async () => {
        const algorithm = algorithmFor(name)
        expect(await oursPrivate({ der: original, algorithm })).toEqual(nodePrivateDer(original))
        await fc.assert(
          fc.asyncProperty(mutations, async (list) => {
            const mutated = apply(original, list)
            expectNodeAgrees(await oursPrivate({ der: mutated, algorithm }), () =>
              nodePrivateDer(mutated),
            )
          }),
          { numRuns: isRsa(name) ? 150 : 400 },
        )
      }, 60_000)
    }
  }
})

describe('crafted DER: length forms, parameters, point forms, integers', () => {
  const ecSpki = der(pairs['P-256'].publicKey, 'spki')
  const [ecAlgorithm] = children(ecSpki)
  const point = contents(part(children(ecSpki), 1)).subarray(1)
  const odd = (point[64] as number) & 1
  const compressed = new Uint8Array([0x02 | odd, ...point.subarray(1, 33)])
  const edSpki = der(pairs.Ed25519.publicKey, 'spki')
  const edPublic = contents(part(children(edSpki), 1)).subarray(1)
  const rsaSpki = der(pairs.RSA.publicKey, 'spki')
  const [rsaAlgorithm, rsaBits] = children(rsaSpki)
  const rsaPublicKey = contents(part([rsaBits as Uint8Array], 0)).subarray(1)
  const [modulus, exponent] = children(rsaPublicKey)
  const rsaSpkiOf = (...fields: (Uint8Array | number[])[]): Uint8Array =>
    tlv(0x30, part([rsaAlgorithm as Uint8Array], 0), tlv(0x03, [0], tlv(0x30, ...fields)))
  const ecSpkiOf = (bits: (Uint8Array | number[])[], algorithmId?: Uint8Array): Uint8Array =>
    tlv(0x30, algorithmId ?? part([ecAlgorithm as Uint8Array], 0), tlv(0x03, ...bits))

  /** Inputs credsign refuses (what node makes of each is noted; looser where it reads a key). */
  const refused: [string, Uint8Array][] = [
    // node: reads the key (OpenSSL accepts BER lengths and trailing bytes after the SEQUENCE)
    [
      'SEQUENCE length in long form (30 81 59)',
      new Uint8Array([0x30, 0x81, ...ecSpki.subarray(1)]),
    ],
    [
      'indefinite length (30 80 … 00 00)',
      new Uint8Array([0x30, 0x80, ...ecSpki.subarray(2), 0, 0]),
    ],
    ['a byte after the SEQUENCE', new Uint8Array([...ecSpki, 0])],
    // node: reads the hybrid point as the same key; RFC 5480 allows only 02/03/04
    ['hybrid EC point (06/07 || x || y)', ecSpkiOf([[0], [0x06 | odd], point.subarray(1)])],
    ['hybrid EC point with the wrong parity', ecSpkiOf([[0], [0x07 ^ odd], point.subarray(1)])],
    ['BIT STRING with 1 unused bit', ecSpkiOf([[1], point])],
    [
      'a P-256 point under the secp256k1 OID',
      ecSpkiOf([[0], point], tlv(0x30, OID.ecPublicKey, OID.secp256k1)),
    ],
    [
      'EC AlgorithmIdentifier with a third element',
      ecSpkiOf(
        [[0], point],
        tlv(
          0x30,
          OID.ecPublicKey,
          contents(part([ecAlgorithm as Uint8Array], 0)).subarray(9),
          NULL,
        ),
      ),
    ],
    [
      'Ed25519 with NULL parameters',
      tlv(0x30, tlv(0x30, OID.ed25519, NULL), tlv(0x03, [0], edPublic)),
    ],
    ['Ed25519 key of 33 bytes', tlv(0x30, tlv(0x30, OID.ed25519), tlv(0x03, [0], edPublic, [0]))],
    [
      'an Ed25519 key under the X25519 OID',
      tlv(0x30, tlv(0x30, OID.x25519), tlv(0x03, [0], edPublic)),
    ],
    // node: reads each of these as a key (negative, padded, tiny or even exponents included)
    [
      'rsaEncryption with an OID as parameters',
      tlv(0x30, tlv(0x30, OID.rsaEncryption, OID.secp256k1), part([rsaBits as Uint8Array], 0)),
    ],
    [
      'RSA modulus with a leading zero octet',
      rsaSpkiOf(
        tlv(0x02, [0], contents(part([modulus as Uint8Array], 0))),
        part([exponent as Uint8Array], 0),
      ),
    ],
    [
      'RSA modulus negative (sign octet dropped)',
      rsaSpkiOf(
        tlv(0x02, contents(part([modulus as Uint8Array], 0)).subarray(1)),
        part([exponent as Uint8Array], 0),
      ),
    ],
    ['RSA e = 1', rsaSpkiOf(part([modulus as Uint8Array], 0), [0x02, 0x01, 0x01])],
    ['RSA e = 2 (even)', rsaSpkiOf(part([modulus as Uint8Array], 0), [0x02, 0x01, 0x02])],
    [
      'RSA e = 65537 with a leading zero',
      rsaSpkiOf(part([modulus as Uint8Array], 0), [0x02, 0x04, 0x00, 0x01, 0x00, 0x01]),
    ],
    [
      'RSAPublicKey followed by a byte inside the BIT STRING',
      tlv(0x30, part([rsaAlgorithm as Uint8Array], 0), tlv(0x03, [0], rsaPublicKey, [0])),
    ],
    [
      'RSA BIT STRING with 1 unused bit',
      tlv(0x30, part([rsaAlgorithm as Uint8Array], 0), tlv(0x03, [1], rsaPublicKey)),
    ],
    ['RSA 1024 bits', der(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, 'spki')],
    [
      'an id-RSASSA-PSS SPKI (a JWK cannot carry the restriction)',
      der(pairs['RSA-PSS'].publicKey, 'spki'),
    ],
  ]
  it.each(refused)('credsign refuses: %s', (_, input) => {
    expect(ours(() => jwkFromSpki(input))).toBe('refused')
  })

  /** Inputs both read, as the same key. */
  const accepted: [string, Uint8Array][] = [
    ['a compressed EC point (RFC 5480 allows it)', ecSpkiOf([[0], compressed])],
    [
      'rsaEncryption without its NULL (RFC 3279 says NULL; both read it)',
      tlv(0x30, tlv(0x30, OID.rsaEncryption), part([rsaBits as Uint8Array], 0)),
    ],
    ['RSA e = 3', rsaSpkiOf(part([modulus as Uint8Array], 0), [0x02, 0x01, 0x03])],
  ]
  it.each(accepted)('both read the same key: %s', (_, input) => {
    const credsign = ours(() => jwkFromSpki(input))
    expect(credsign).not.toBe('refused')
    expect(nodeSpki(input)).toEqual(credsign)
  })

  const edPkcs8 = der(pairs.Ed25519.privateKey, 'pkcs8')
  const [edVersion, edAlgorithm, edPrivate] = children(edPkcs8).map((c) => new Uint8Array(c))
  const seed = contents(contents(part([edPrivate as Uint8Array], 0)))
  const ecPkcs8 = der(pairs['P-256'].privateKey, 'pkcs8')
  const [ecVersion, ecAlgorithmId, ecPrivate] = children(ecPkcs8).map((c) => new Uint8Array(c))
  const [innerVersion, scalar] = children(contents(part([ecPrivate as Uint8Array], 0))).map(
    (c) => new Uint8Array(c),
  )
  const ecPrivateOf = (...fields: Uint8Array[]): Uint8Array =>
    tlv(
      0x30,
      ecVersion as Uint8Array,
      ecAlgorithmId as Uint8Array,
      tlv(0x04, tlv(0x30, innerVersion as Uint8Array, ...fields)),
    )
  const n256 = Buffer.from(
    'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
    'hex',
  )
  const ed = (...rest: Uint8Array[]): Uint8Array =>
    tlv(0x30, edVersion as Uint8Array, edAlgorithm as Uint8Array, edPrivate as Uint8Array, ...rest)

  const refusedPrivate: [string, Uint8Array][] = [
    [
      'Ed25519 seed in two OCTET STRINGs',
      tlv(
        0x30,
        edVersion as Uint8Array,
        edAlgorithm as Uint8Array,
        tlv(0x04, tlv(0x04, tlv(0x04, seed))),
      ),
    ],
    [
      'Ed25519 seed in no inner OCTET STRING',
      tlv(0x30, edVersion as Uint8Array, edAlgorithm as Uint8Array, tlv(0x04, seed)),
    ],
    [
      'Ed25519 with NULL parameters',
      tlv(0x30, edVersion as Uint8Array, tlv(0x30, OID.ed25519, NULL), edPrivate as Uint8Array),
    ],
    [
      'OneAsymmetricKey v2',
      tlv(
        0x30,
        [0x02, 0x01, 0x02],
        edAlgorithm as Uint8Array,
        edPrivate as Uint8Array,
        tlv(0x81, [0], contents(part(children(edSpki), 1)).subarray(1)),
      ),
    ],
    ['a public key in a v0 structure', ed(tlv(0x81, [0], edPublic))],
    // node: reads these (the scalar mod n, the [0] curve over the AlgorithmIdentifier's, a hybrid point)
    ['EC scalar = n', ecPrivateOf(tlv(0x04, n256))],
    ['EC scalar = 0', ecPrivateOf(tlv(0x04, new Uint8Array(32)))],
    [
      'EC scalar of 33 bytes (leading zero)',
      ecPrivateOf(tlv(0x04, [0], contents(scalar as Uint8Array))),
    ],
    [
      'ECPrivateKey [0] names another curve than the AlgorithmIdentifier',
      ecPrivateOf(scalar as Uint8Array, tlv(0xa0, OID.p384)),
    ],
    [
      'embedded public key as a hybrid point',
      ecPrivateOf(scalar as Uint8Array, tlv(0xa1, tlv(0x03, [0], [0x06 | odd], point.subarray(1)))),
    ],
    [
      'SEC1 with a byte after the SEQUENCE',
      new Uint8Array([...der(pairs['P-256'].privateKey, 'sec1'), 0]),
    ],
  ]
  it.each(refusedPrivate)('credsign refuses: %s', async (_, input) => {
    expect(await oursPrivate({ der: input })).toBe('refused')
  })

  const acceptedPrivate: [string, Uint8Array][] = [
    ['EC without the embedded public key', ecPrivateOf(scalar as Uint8Array)],
    [
      'EC with a compressed embedded public key',
      ecPrivateOf(scalar as Uint8Array, tlv(0xa1, tlv(0x03, [0], compressed))),
    ],
    [
      'EC scalar read as secp256k1 (no public key to contradict it)',
      tlv(
        0x30,
        ecVersion as Uint8Array,
        tlv(0x30, OID.ecPublicKey, OID.secp256k1),
        tlv(0x04, tlv(0x30, innerVersion as Uint8Array, scalar as Uint8Array)),
      ),
    ],
    ['PKCS#8 with an empty attribute set', ed(tlv(0xa0))],
    [
      'PKCS#8 with a friendlyName attribute (RFC 8410 section 10.3)',
      ed(tlv(0xa0, tlv(0x30, OID.friendlyName, tlv(0x31, tlv(0x0c, [0x41]))))),
    ],
  ]
  it.each(acceptedPrivate)('both read the same key: %s', async (_, input) => {
    const credsign = await oursPrivate({ der: input })
    expect(credsign).not.toBe('refused')
    expect(nodePrivateDer(input)).toEqual(credsign)
  })

  it('spec-valid, node stricter: OneAsymmetricKey v1 with its public key (RFC 5958, RFC 8410 section 10.3)', async () => {
    const v1 = tlv(
      0x30,
      [0x02, 0x01, 0x01],
      edAlgorithm as Uint8Array,
      edPrivate as Uint8Array,
      tlv(0x81, [0], edPublic),
    )
    expect(await oursPrivate({ der: v1 })).toEqual(nodeSpki(edSpki))
    // OpenSSL 3.0 knows PrivateKeyInfo only ("wrong tag" at the [1] publicKey).
    expect(nodePrivateDer(v1)).toBe('refused')
  })

  // Finding: the [0] attributes were skipped unread, so any bytes there passed (node refuses them).
  const badAttributes: [string, Uint8Array][] = [
    ['bytes that are no DER', ed(tlv(0xa0, [1, 2, 3]))],
    ['an INTEGER instead of an Attribute', ed(tlv(0xa0, [0x02, 0x01, 0x00]))],
    ['an Attribute without its SET of values', ed(tlv(0xa0, tlv(0x30, OID.friendlyName)))],
    [
      'an Attribute whose values are no SET',
      ed(tlv(0xa0, tlv(0x30, OID.friendlyName, tlv(0x0c, [0x41])))),
    ],
    ['an Attribute whose type is no OID', ed(tlv(0xa0, tlv(0x30, NULL, tlv(0x31))))],
    ['an EC key with one byte of attributes', tlv(0x30, ...children(ecPkcs8), tlv(0xa0, [0xff]))],
  ]
  it.each(badAttributes)(
    'PKCS#8 attributes that are not Attributes: invalid_key (%s)',
    async (_, input) => {
      await expect(importPrivateKey({ der: input })).rejects.toMatchObject({ code: 'invalid_key' })
      expect(nodePrivateDer(input)).toBe('refused')
    },
  )
})

describe('PEM: labels, several blocks, layout', () => {
  const a = pairs['P-256']
  const b = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const keyA = requiredMembers(a.publicKey.export({ format: 'jwk' }))
  const keyB = requiredMembers(b.publicKey.export({ format: 'jwk' }))
  const dsa = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 224 }).privateKey
  const dsaPkcs8 = pem(dsa, 'pkcs8')
  // OpenSSL's traditional form: `-----BEGIN DSA PRIVATE KEY-----`
  const dsaTraditional = execFileSync('openssl', ['pkey', '-traditional'], {
    input: dsaPkcs8,
  }).toString()

  it('finding: a DSA PRIVATE KEY block before a supported key is a second private key, not skipped', async () => {
    expect(dsaTraditional).toMatch(/^-----BEGIN DSA PRIVATE KEY-----/)
    const text = dsaTraditional + pem(b.privateKey, 'pkcs8')
    // The reference reads the first private key of the text: the DSA one, not B.
    expect(createPrivateKey(text).asymmetricKeyType).toBe('dsa')
    await expect(importPrivateKey({ pem: text })).rejects.toMatchObject({
      code: 'invalid_key',
      message: expect.stringMatching(/expected one private key in the PEM text, found 2/),
    })
    // In either order, and for every "<algorithm> PRIVATE KEY" label credsign does not read.
    const openssh = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
    for (const other of [openssh, dsaTraditional]) {
      for (const order of [other + pem(b.privateKey, 'sec1'), pem(b.privateKey, 'pkcs8') + other])
        await expect(importPrivateKey({ pem: order })).rejects.toMatchObject({
          code: 'invalid_key',
        })
    }
    // Alone, such a block is still "no private key" (invalid_key), as before.
    await expect(importPrivateKey({ pem: dsaTraditional })).rejects.toMatchObject({
      code: 'invalid_key',
      message: expect.stringMatching(/no private key in the PEM text/),
    })
  })

  const privateTexts: [string, string, KeyId | 'refused'][] = [
    ['PKCS#8', pem(b.privateKey, 'pkcs8'), keyB],
    ['SEC1', pem(b.privateKey, 'sec1'), keyB],
    [
      'a PUBLIC KEY block, then the private key',
      pem(a.publicKey, 'spki') + pem(b.privateKey, 'pkcs8'),
      keyB,
    ],
    [
      'the private key, then a PUBLIC KEY block',
      pem(b.privateKey, 'pkcs8') + pem(a.publicKey, 'spki'),
      keyB,
    ],
    ['text around the block', `key B:\n${pem(b.privateKey, 'pkcs8')}that was it\n`, keyB],
    [
      'spaces inside the base64 lines',
      pem(b.privateKey, 'pkcs8').replace(/\n(.{10})/, '\n$1 '),
      keyB,
    ],
    [
      'two supported private keys',
      pem(a.privateKey, 'pkcs8') + pem(b.privateKey, 'pkcs8'),
      'refused',
    ],
    [
      'an X25519 key before B',
      pem(generateKeyPairSync('x25519').privateKey, 'pkcs8') + pem(b.privateKey, 'pkcs8'),
      'refused',
    ],
    ['a DSA PKCS#8 key before B', dsaPkcs8 + pem(b.privateKey, 'pkcs8'), 'refused'],
    [
      'a PKCS#8 key under EC PRIVATE KEY',
      pem(b.privateKey, 'pkcs8').replace(/PRIVATE KEY/g, 'EC PRIVATE KEY'),
      'refused',
    ],
    [
      'a SEC1 key under PRIVATE KEY',
      pem(b.privateKey, 'sec1').replace(/EC PRIVATE KEY/g, 'PRIVATE KEY'),
      'refused',
    ],
    [
      'an RFC 1421 header line',
      pem(b.privateKey, 'pkcs8').replace('-----\n', '-----\nComment: B\n\n'),
      'refused',
    ],
    [
      'base64 cut by an inner =',
      pem(b.privateKey, 'pkcs8').replace(/\n(.{8})(.{4})/, '\n$1====$2'),
      'refused',
    ],
  ]
  it.each(privateTexts)('private key PEM, %s', async (_, text, expected) => {
    const credsign = await oursPrivate({ pem: text })
    expect(credsign).toEqual(expected)
    expectNodeAgrees(credsign, () => nodePem(text, 'private'))
  })

  const publicTexts: [string, string, KeyId | 'refused'][] = [
    ['SPKI', pem(a.publicKey, 'spki'), keyA],
    ['text around the block', `A:\n${pem(a.publicKey, 'spki')}end\n`, keyA],
    [
      'two PUBLIC KEY blocks (node reads the first)',
      pem(a.publicKey, 'spki') + pem(b.publicKey, 'spki'),
      'refused',
    ],
    [
      'SPKI under RSA PUBLIC KEY',
      pem(a.publicKey, 'spki').replace(/PUBLIC KEY/g, 'RSA PUBLIC KEY'),
      'refused',
    ],
    ['a private key (node derives its public key)', pem(a.privateKey, 'pkcs8'), 'refused'],
    [
      'a base64 line that adds bytes',
      pem(a.publicKey, 'spki').replace('\n-----END', '\nAAAA\n-----END'),
      'refused',
    ],
  ]
  it.each(publicTexts)('public key PEM, %s', (_, text, expected) => {
    const credsign = ours(() => jwkFromSpkiPem(text))
    expect(credsign).toEqual(expected)
    expectNodeAgrees(credsign, () => nodePem(text, 'public'))
  })

  it('texts of several blocks: whenever credsign reads a key, node reads the same key', async () => {
    // The blocks a key file may hold: the key, its public key and certificate, OpenSSL's EC
    // PARAMETERS, and private keys credsign reads or does not (DSA, X25519, OpenSSH).
    const directory = mkdtempSync(join(tmpdir(), 'credsign-keys-'))
    let certificate: string
    try {
      writeFileSync(join(directory, 'a.pem'), pem(a.privateKey, 'pkcs8'))
      certificate = execFileSync('openssl', [
        'req',
        '-x509',
        '-key',
        join(directory, 'a.pem'),
        '-subj',
        '/CN=a',
        '-days',
        '1',
      ]).toString()
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
    const ecParameters = execFileSync('openssl', ['ecparam', '-name', 'prime256v1']).toString()
    const pool = [
      pem(a.privateKey, 'pkcs8'),
      pem(b.privateKey, 'sec1'),
      pem(a.publicKey, 'spki'),
      certificate,
      ecParameters,
      dsaTraditional,
      dsaPkcs8,
      pem(generateKeyPairSync('x25519').privateKey, 'pkcs8'),
      '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
    ]
    let read = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: 4 }),
        async (picks) => {
          const text = picks.map((i) => pool[i]).join('')
          const credsign = await oursPrivate({ pem: text })
          if (credsign !== 'refused') read++
          expectNodeAgrees(credsign, () => nodePem(text, 'private'))
        },
      ),
      { numRuns: 300 },
    )
    expect(read).toBeGreaterThan(10)
  }, 60_000)

  it('spec-valid, node stricter: RFC 7468 lax layout (indented lines, CR line ends) reads the same key', () => {
    // RFC 7468 section 3 (laxtextualmsg) allows whitespace around the lines and CR as a line end;
    // OpenSSL wants "-----BEGIN" at the start of a line and LF. Node reads the strict form of the text.
    const strict = pem(a.publicKey, 'spki')
    for (const lax of [strict.replace(/^/gm, '  '), strict.replace(/\n/g, '\r')]) {
      expect(nodePem(lax, 'public')).toBe('refused')
      expect(ours(() => jwkFromSpkiPem(lax))).toEqual(keyA)
    }
  })

  it('mutated PEM text: whenever credsign reads a key, node reads the same key from its strict layout', async () => {
    const texts = [pem(b.privateKey, 'sec1'), pem(pairs.Ed25519.privateKey, 'pkcs8')]
    const strictLayout = (text: string): string =>
      text
        .split(/\r\n|\r|\n/)
        .map((line) => line.trim())
        .join('\n')
    await fc.assert(
      fc.asyncProperty(fc.nat(texts.length - 1), mutations, async (which, list) => {
        const bytes = apply(new TextEncoder().encode(texts[which] as string), list)
        const text = new TextDecoder().decode(bytes)
        expectNodeAgrees(await oursPrivate({ pem: text }), () =>
          nodePem(strictLayout(text), 'private'),
        )
      }),
      { numRuns: 500 },
    )
  }, 60_000)
})

describe('JWK: mutated members', () => {
  const jwks = Object.fromEntries(
    NAMES.filter((name) => name !== 'RSA-PSS').map((name) => [
      name,
      pairs[name].privateKey.export({ format: 'jwk' }) as Record<string, string>,
    ]),
  )
  const publicOf = (jwk: Record<string, string>): Record<string, string> => {
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk
    return rest
  }
  /** One member changed: its bytes mutated, or the value replaced by another name. */
  const memberChange = fc.record({
    member: fc.constantFrom('kty', 'crv', 'x', 'y', 'd', 'n', 'e', 'p', 'q', 'dp', 'dq', 'qi'),
    bytes: mutations,
    name: fc.constantFrom(
      'EC',
      'OKP',
      'RSA',
      'P-256',
      'P-384',
      'P-521',
      'secp256k1',
      'Ed25519',
      'X25519',
    ),
    replaceByName: fc.boolean(),
  })
  const change = (
    jwk: Record<string, string>,
    c: {
      member: string
      bytes: ((b: Uint8Array) => Uint8Array)[]
      name: string
      replaceByName: boolean
    },
  ): Record<string, string> => {
    const value = jwk[c.member]
    if (value === undefined) return { ...jwk, [c.member]: c.name }
    if (c.replaceByName || c.member === 'kty' || c.member === 'crv')
      return { ...jwk, [c.member]: c.name }
    const bytes = apply(new Uint8Array(Buffer.from(value, 'base64url')), c.bytes)
    return { ...jwk, [c.member]: Buffer.from(bytes).toString('base64url') }
  }

  for (const name of NAMES.filter((n) => n !== 'RSA-PSS')) {
    it(`${name}: public and private JWKs`, async () => {
      const jwk = jwks[name] as Record<string, string>
      expect(await oursPrivate({ jwk: jwk as unknown as PrivateJwk })).toEqual(
        nodeJwk(jwk, 'private'),
      )
      await fc.assert(
        fc.asyncProperty(
          fc.array(memberChange, { minLength: 1, maxLength: 2 }),
          async (changes) => {
            const changed = changes.reduce(change, jwk)
            const publicJwk = publicOf(changed)
            let credsignPublic: KeyId | 'refused'
            try {
              credsignPublic = requiredMembers(await toPublicJwk(publicJwk as unknown as PublicJwk))
            } catch (error) {
              if (!(error instanceof CredsignError)) throw error
              credsignPublic = 'refused'
            }
            expectNodeAgrees(credsignPublic, () => nodeJwk(publicJwk, 'public'))
            const credsignPrivate = await oursPrivate({ jwk: changed as unknown as PrivateJwk })
            expectNodeAgrees(credsignPrivate, () => nodeJwk(changed, 'private'))
          },
        ),
        { numRuns: isRsa(name) ? 150 : 300 },
      )
    }, 60_000)
  }
})

describe('Wycheproof public keys (DER): credsign reads each as node does, or refuses it', () => {
  interface Group {
    publicKeyDer?: string
  }
  const files: [string, { testGroups: Group[] }, number][] = [
    // [file, vectors, keys credsign must read]
    ['ed25519', ed25519Vectors, 1],
    ['P-256', p256Vectors, 1],
    ['P-384', p384Vectors, 1],
    ['P-521', p521Vectors, 1],
    ['secp256k1', k1Vectors, 1],
    ['RSA 2048', rsa2048Vectors, 1],
    ['RSA 4096', rsa4096Vectors, 1],
    ['RSA-PSS 2048', pssVectors, 0],
  ]
  it.each(files)('%s', (_, vectors, minimum) => {
    let read = 0
    for (const group of vectors.testGroups) {
      if (group.publicKeyDer === undefined) continue
      const bytes = new Uint8Array(Buffer.from(group.publicKeyDer, 'hex'))
      const credsign = ours(() => jwkFromSpki(bytes))
      if (credsign !== 'refused') read++
      expectNodeAgrees(credsign, () => nodeSpki(bytes))
    }
    expect(read).toBeGreaterThanOrEqual(minimum)
  })
})
