// Interop with an independent SD-JWT implementation: @sd-jwt/sd-jwt-vc and @sd-jwt/core 0.19.0
// (OpenWallet Foundation; dev dependencies only, credsign's core never imports them). They bring no
// crypto of their own: the hasher, salt generator, signers and verifiers below are written here on
// node:crypto (createHash, randomBytes, sign / verify with KeyObjects), with nothing from credsign.
//
// 1. credsign issues (SdJwtVcSigner over vault keys, P-256 and Ed25519; nested, recursive and
//    array-element disclosures, decoys, holder `cnf`) and presents (KB-JWT); @sd-jwt verifies.
// 2. @sd-jwt issues and presents (KB-JWT); credsign verifies (verifySdJwt with `key`, and verify()
//    with a staticResolver).
// 3. A tampered disclosure fails on both sides.
//
// @sd-jwt/sd-jwt-vc 0.19 issues `typ: dc+sd-jwt` (and ignores `typ` when verifying); credsign issues
// `dc+sd-jwt` or, with `legacyTyp`, `vc+sd-jwt`, and accepts both: every direction runs with both.
import {
  KeyObject,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { SDJwtInstance } from '@sd-jwt/core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  CredsignError,
  KeyVault,
  MemoryStore,
  SdJwtVcSigner,
  asDidSigner,
  decodeSdJwt,
  presentSdJwt,
  staticResolver,
  verify,
  verifySdJwt,
  type DisclosureFrame,
  type PublicJwk,
  type Signer,
} from '../../src/index.js'

type Algorithm = 'P-256' | 'Ed25519'
const ALGORITHMS: Algorithm[] = ['P-256', 'Ed25519']
const JWS_ALG: Record<Algorithm, 'ES256' | 'EdDSA'> = { 'P-256': 'ES256', Ed25519: 'EdDSA' }
type Json = Record<string, unknown>

const VCT = 'https://credentials.example.com/identity_credential'
const AUDIENCE = 'https://verifier.example.org'
const NONCE = '1234567890-nonce'

// ---------------------------------------------------------------------------------------------
// @sd-jwt's "bring your own crypto", on node:crypto only.

const HASHES: Record<string, string> = {
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
}
function hasher(data: string | ArrayBuffer, alg: string): Uint8Array {
  const name = HASHES[alg.toLowerCase()]
  if (name === undefined) throw new Error(`hasher: unsupported ${alg}`)
  return new Uint8Array(
    createHash(name)
      .update(typeof data === 'string' ? data : new Uint8Array(data))
      .digest(),
  )
}
const saltGenerator = (length: number): string => randomBytes(length).toString('base64url')

function nodeAlgorithmOf(key: KeyObject): Algorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519'
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return 'P-256'
  throw new Error(`unexpected key type ${key.asymmetricKeyType}`)
}
/** A JWS signer (base64url signature of the ASCII signing input). */
function jwsSigner(privateKey: KeyObject): (data: string) => string {
  const ed = nodeAlgorithmOf(privateKey) === 'Ed25519'
  return (data) =>
    (ed
      ? nodeSign(null, Buffer.from(data), privateKey)
      : nodeSign('sha256', Buffer.from(data), { key: privateKey, dsaEncoding: 'ieee-p1363' })
    ).toString('base64url')
}
function jwsVerify(publicKey: KeyObject, data: string, signature: string): boolean {
  const sig = Buffer.from(signature, 'base64url')
  return nodeAlgorithmOf(publicKey) === 'Ed25519'
    ? nodeVerify(null, Buffer.from(data), publicKey, sig)
    : nodeVerify('sha256', Buffer.from(data), { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig)
}
/** The KB-JWT verifier: the holder key comes from the verified payload's `cnf.jwk`. */
function kbVerifier(data: string, signature: string, payload: { cnf?: { jwk: object } }): boolean {
  if (payload.cnf?.jwk === undefined) throw new Error('no cnf.jwk')
  return jwsVerify(
    createPublicKey({ key: payload.cnf.jwk as never, format: 'jwk' }),
    data,
    signature,
  )
}

/**
 * An @sd-jwt verifier for the issuer key `issuerPublic` (a KeyObject, or a JWK imported by
 * node:crypto).
 */
function theirVerifier(issuerPublic: KeyObject | PublicJwk): SDJwtVcInstance {
  const key =
    issuerPublic instanceof KeyObject
      ? issuerPublic
      : createPublicKey({ key: issuerPublic as never, format: 'jwk' })
  return new SDJwtVcInstance({
    hasher,
    hashAlg: 'sha-256',
    verifier: (data, sig) => jwsVerify(key, data, sig),
    kbVerifier,
  })
}

/** An @sd-jwt issuer and holder over node:crypto key pairs. */
function theirIssuer(issuer: KeyObject, holder?: KeyObject): SDJwtVcInstance {
  return new SDJwtVcInstance({
    hasher,
    hashAlg: 'sha-256',
    saltGenerator,
    signer: jwsSigner(issuer),
    signAlg: JWS_ALG[nodeAlgorithmOf(issuer)],
    ...(holder === undefined
      ? {}
      : { kbSigner: jwsSigner(holder), kbSignAlg: JWS_ALG[nodeAlgorithmOf(holder)] }),
  })
}

// ---------------------------------------------------------------------------------------------
// The credential: nested objects, a recursively disclosable object, array elements, decoys.

const CLAIMS = {
  given_name: 'Erika',
  family_name: 'Mustermann',
  email: 'erika@example.com',
  phone_number: '+49 30 1234567',
  birthdate: '1963-08-12',
  is_over_18: true,
  address: { street_address: 'Heidestraße 17', locality: 'Köln', region: 'NRW', country: 'DE' },
  nationalities: ['DE', 'FR'],
  degrees: [{ type: 'Bachelor of Science', university: 'Uni Köln' }],
}
/**
 * `address` is disclosable and so are two of its members (recursive); `nationalities` elements;
 * decoys at two levels.
 */
const FRAME: DisclosureFrame = {
  _sd: ['given_name', 'family_name', 'email', 'birthdate', 'is_over_18', 'address'],
  address: { _sd: ['street_address', 'locality'], _sd_decoy: 1 },
  nationalities: { _sd: [0, 1] },
  degrees: { 0: { _sd: ['university'] } },
  _sd_decoy: 2,
}
const DISCLOSURES = 11 // 6 top-level + 2 in address + 2 nationalities + 1 in degrees[0]
const PRESENTABLE = [
  'address',
  'address.locality',
  'address.street_address',
  'birthdate',
  'degrees.0.university',
  'email',
  'family_name',
  'given_name',
  'is_over_18',
  'nationalities.0',
  'nationalities.1',
]
/** What the holder reveals: given_name, address.locality (hence address), nationalities[1]. */
const OUR_PRESENTATION: DisclosureFrame = {
  _sd: ['given_name'],
  address: { _sd: ['locality'] },
  nationalities: { _sd: [1] },
}
const THEIR_PRESENTATION = {
  given_name: true,
  address: { locality: true },
  nationalities: { 1: true },
}
/** The claims a verifier sees from that presentation (without iss, iat, vct, cnf). */
const PRESENTED_CLAIMS = {
  given_name: 'Erika',
  phone_number: '+49 30 1234567',
  address: { locality: 'Köln', region: 'NRW', country: 'DE' },
  nationalities: ['FR'],
  degrees: [{ type: 'Bachelor of Science' }],
}
/**
 * Credsign's `disclosed` paths index the processed claims, where undisclosed array elements are
 * gone: the issued `nationalities[1]` is `nationalities[0]` of `claims` once `[0]` is withheld.
 */
const PRESENTED_PATHS = ['address', 'address.locality', 'given_name', 'nationalities[0]']

// ---------------------------------------------------------------------------------------------
// Keys: credsign's in a vault; @sd-jwt's plain node:crypto key pairs.

interface OurKeys {
  issuer: Signer // did:key DID URL signer over a vault key
  holder: Signer // vault key
}
const ours = {} as Record<Algorithm, OurKeys>
interface TheirKeys {
  issuerPrivate: KeyObject
  issuerPublic: KeyObject
  issuerJwk: PublicJwk
  holderPrivate: KeyObject
  holderJwk: PublicJwk
}
const theirs = {} as Record<Algorithm, TheirKeys>

function nodePair(algorithm: Algorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  return algorithm === 'Ed25519'
    ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('ec', { namedCurve: 'P-256' })
}
const jwkOf = (key: KeyObject): PublicJwk => key.export({ format: 'jwk' }) as unknown as PublicJwk

beforeAll(async () => {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: new Uint8Array(32).fill(3),
    kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
  })
  for (const algorithm of ALGORITHMS) {
    await vault.generate({ id: `issuer-${algorithm}`, algorithm, secrets: ['s'] })
    // The holder uses the other algorithm: KB-JWT alg != issuer alg on every run.
    await vault.generate({
      id: `holder-${algorithm}`,
      algorithm: algorithm === 'P-256' ? 'Ed25519' : 'P-256',
      secrets: ['s'],
    })
    ours[algorithm] = {
      issuer: asDidSigner(await vault.unlock(`issuer-${algorithm}`, ['s'])),
      holder: await vault.unlock(`holder-${algorithm}`, ['s']),
    }
    const issuer = nodePair(algorithm)
    const holder = nodePair(algorithm === 'P-256' ? 'Ed25519' : 'P-256')
    theirs[algorithm] = {
      issuerPrivate: issuer.privateKey,
      issuerPublic: issuer.publicKey,
      issuerJwk: jwkOf(issuer.publicKey),
      holderPrivate: holder.privateKey,
      holderJwk: jwkOf(holder.publicKey),
    }
  }
}, 60_000)

const segment = (compact: string, index: number): Json =>
  JSON.parse(
    Buffer.from(compact.split('~')[0]!.split('.')[index]!, 'base64url').toString('utf8'),
  ) as Json
const headerOf = (sdJwt: string): Json => segment(sdJwt, 0)
const payloadOf = (sdJwt: string): Json => segment(sdJwt, 1)
const kbHeaderOf = (sdJwt: string): Json =>
  JSON.parse(
    Buffer.from(sdJwt.slice(sdJwt.lastIndexOf('~') + 1).split('.')[0]!, 'base64url').toString(
      'utf8',
    ),
  ) as Json
/** The claims minus the registered ones, for comparing with CLAIMS / PRESENTED_CLAIMS. */
function userClaims(claims: unknown): Json {
  const { iss, iat, exp, nbf, vct, cnf, ...rest } = claims as Json
  void [iss, iat, exp, nbf, vct, cnf]
  return rest
}
/** The required members of a public JWK (what `cnf.jwk` must carry), for comparison. */
function requiredMembers(jwk: unknown): Json {
  const j = jwk as Json
  return j.kty === 'OKP'
    ? { kty: j.kty, crv: j.crv, x: j.x }
    : { kty: j.kty, crv: j.crv, x: j.x, y: j.y }
}
/** The `_sd` and `...` digests in a value, at any depth. */
function countDigests(value: unknown): number {
  if (Array.isArray(value))
    return value.reduce<number>(
      (n, v) => n + (v !== null && typeof v === 'object' && '...' in v ? 1 : countDigests(v)),
      0,
    )
  if (value === null || typeof value !== 'object') return 0
  let n = 0
  for (const [k, v] of Object.entries(value))
    n += k === '_sd' ? (v as unknown[]).length : countDigests(v)
  return n
}

/**
 * Every digest of an SD-JWT: in the payload and inside disclosure values (a recursive disclosure
 * carries its members' digests).
 */
function allDigests(sdJwt: string): number {
  const disclosures = sdJwt
    .split('~')
    .slice(1)
    .filter((p) => p !== '' && !p.includes('.'))
  const values = disclosures.map((d) =>
    (JSON.parse(Buffer.from(d, 'base64url').toString('utf8')) as unknown[]).at(-1),
  )
  return countDigests(payloadOf(sdJwt)) + values.reduce<number>((n, v) => n + countDigests(v), 0)
}

/**
 * Rewrites the value of the disclosure for claim `name` (a wrong digest now: it is referenced by
 * nothing).
 */
function tamperDisclosure(sdJwt: string, name: string, value: unknown): string {
  const parts = sdJwt.split('~')
  let done = false
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!
    if (part === '' || part.includes('.')) continue
    const decoded = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown[]
    if (decoded.length === 3 && decoded[1] === name) {
      decoded[2] = value
      parts[i] = Buffer.from(JSON.stringify(decoded)).toString('base64url')
      done = true
    }
  }
  if (!done) throw new Error(`no disclosure for ${name}`)
  return parts.join('~')
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected ${code}`).toBeInstanceOf(CredsignError)
  expect((error as CredsignError).code).toBe(code)
}

// ---------------------------------------------------------------------------------------------

describe('credsign issues, @sd-jwt/sd-jwt-vc verifies', () => {
  for (const algorithm of ALGORITHMS) {
    for (const legacyTyp of [false, true]) {
      const typ = legacyTyp ? 'vc+sd-jwt' : 'dc+sd-jwt'
      it(`${algorithm} (${JWS_ALG[algorithm]}), typ ${typ}: issued SD-JWT VC, all claims`, async () => {
        const { issuer, holder } = ours[algorithm]
        const sdJwt = await new SdJwtVcSigner(issuer).issue(CLAIMS, {
          vct: VCT,
          disclosureFrame: FRAME,
          holder: holder.publicJwk,
          expiresIn: 3600,
          legacyTyp,
        })
        expect(headerOf(sdJwt)).toMatchObject({ alg: JWS_ALG[algorithm], typ, kid: issuer.id })
        const payload = payloadOf(sdJwt)
        expect(payload._sd_alg).toBe('sha-256')
        // 11 disclosures + 2 top-level decoys + 1 decoy in address (inside the address disclosure).
        expect(sdJwt.split('~').filter((p) => p !== '').length - 1).toBe(DISCLOSURES)
        expect(allDigests(sdJwt)).toBe(DISCLOSURES + 3)
        expect(countDigests(payload)).toBe(DISCLOSURES + 3 - 3) // address's 2 digests and its decoy are in its disclosure

        const sd = theirVerifier(issuer.publicJwk)
        const result = await sd.verify(sdJwt)
        const did = issuer.id.split('#')[0]
        expect(result.payload).toMatchObject({ iss: did, vct: VCT })
        expect(typeof result.payload.iat).toBe('number')
        expect(result.payload.exp).toBe((result.payload.iat as number) + 3600)
        expect(requiredMembers((result.payload.cnf as Json).jwk)).toEqual(
          requiredMembers(holder.publicJwk),
        )
        expect(userClaims(result.payload)).toEqual(CLAIMS)
        expect(await sd.getClaims(sdJwt)).toEqual(result.payload)
        expect((await sd.presentableKeys(sdJwt)).sort()).toEqual(PRESENTABLE)

        // credsign reads the same claims.
        const mine = await verifySdJwt(sdJwt, { requireKeyBinding: false })
        expect(mine.claims).toEqual(result.payload)
        expect(mine.disclosed.length).toBe(DISCLOSURES)
      })

      it(`${algorithm}, typ ${typ}: credsign presentation with KB-JWT, @sd-jwt verifier requires key binding`, async () => {
        const { issuer, holder } = ours[algorithm]
        const sdJwt = await new SdJwtVcSigner(issuer).issue(CLAIMS, {
          vct: VCT,
          disclosureFrame: FRAME,
          holder: holder.publicJwk,
          legacyTyp,
        })
        const presentation = await presentSdJwt(sdJwt, {
          disclose: OUR_PRESENTATION,
          holder,
          audience: AUDIENCE,
          nonce: NONCE,
        })
        expect(kbHeaderOf(presentation)).toEqual({
          alg: holder.algorithm === 'P-256' ? 'ES256' : 'EdDSA',
          typ: 'kb+jwt',
        })

        const sd = theirVerifier(issuer.publicJwk)
        const result = await sd.verify(presentation, {
          keyBindingNonce: NONCE,
          requiredClaimKeys: ['given_name', 'address.locality'],
        })
        expect(result.kb).toBeDefined()
        expect(result.kb?.payload).toMatchObject({ aud: AUDIENCE, nonce: NONCE })
        expect(Math.abs(result.kb!.payload.iat - Date.now() / 1000)).toBeLessThan(60)
        expect(userClaims(result.payload)).toEqual(PRESENTED_CLAIMS)
        expect(result.payload).not.toHaveProperty('family_name')
        expect(await sd.getClaims(presentation)).toEqual(result.payload)

        // Their verdict and credsign's agree.
        const mine = await verifySdJwt(presentation, { audience: AUDIENCE, nonce: NONCE })
        expect(mine.claims).toEqual(result.payload)
        expect([...mine.disclosed].sort()).toEqual(PRESENTED_PATHS)
        expect(mine.keyBinding?.payload).toEqual(result.kb?.payload)

        // @sd-jwt refuses it for another nonce.
        await expect(sd.verify(presentation, { keyBindingNonce: 'another-nonce' })).rejects.toThrow(
          /Nonce/,
        )
      })
    }

    it(`${algorithm}: credsign presentations with nothing disclosed, and with everything`, async () => {
      const { issuer, holder } = ours[algorithm]
      const sdJwt = await new SdJwtVcSigner(issuer).issue(CLAIMS, {
        vct: VCT,
        disclosureFrame: FRAME,
        holder: { jwk: holder.publicJwk },
      })
      const sd = theirVerifier(issuer.publicJwk)
      const none = await presentSdJwt(sdJwt, {
        disclose: 'none',
        holder,
        audience: AUDIENCE,
        nonce: NONCE,
      })
      const r1 = await sd.verify(none, { keyBindingNonce: NONCE })
      expect(userClaims(r1.payload)).toEqual({
        phone_number: CLAIMS.phone_number,
        nationalities: [],
        degrees: [{ type: 'Bachelor of Science' }],
      })
      const all = await presentSdJwt(sdJwt, {
        disclose: 'all',
        holder,
        audience: AUDIENCE,
        nonce: NONCE,
      })
      const r2 = await sd.verify(all, { keyBindingNonce: NONCE })
      expect(userClaims(r2.payload)).toEqual(CLAIMS)
    })

    it(`${algorithm}: signCredential (W3C VCDM 2.0, vc+sd-jwt) verifies with @sd-jwt/core`, async () => {
      const { issuer } = ours[algorithm]
      const credential = {
        '@context': [
          'https://www.w3.org/ns/credentials/v2',
          'https://www.w3.org/ns/credentials/examples/v2',
        ],
        type: ['VerifiableCredential', 'ExampleIdentityCredential'],
        validFrom: '2024-01-01T00:00:00Z',
        credentialSubject: {
          id: 'did:example:alice',
          firstName: 'Jane',
          lastName: 'Doe',
          birthDate: '1990-01-01',
        },
      }
      const sdJwt = await new SdJwtVcSigner(issuer).signCredential(credential, {
        disclosureFrame: { credentialSubject: { _sd: ['firstName', 'lastName', 'birthDate'] } },
      })
      expect(headerOf(sdJwt)).toMatchObject({ typ: 'vc+sd-jwt', cty: 'vc' })
      const key = createPublicKey({ key: issuer.publicJwk as never, format: 'jwk' })
      const core = new SDJwtInstance({ hasher, verifier: (data, sig) => jwsVerify(key, data, sig) })
      const result = (await core.verify(sdJwt)).payload as Json
      expect(result).toMatchObject({
        ...credential,
        issuer: issuer.id.split('#')[0],
        iss: issuer.id.split('#')[0],
      })
      // Holder side with @sd-jwt: reveal birthDate only; credsign verify() reads the same credential.
      const presented = await new SDJwtInstance({ hasher }).present(sdJwt, {
        credentialSubject: { birthDate: true },
      } as never)
      const theirClaims = (await core.verify(presented)).payload as Json
      expect(theirClaims.credentialSubject).toEqual({
        id: 'did:example:alice',
        birthDate: '1990-01-01',
      })
      const mine = await verify(presented)
      expect(mine.errors).toEqual([])
      expect(mine.credential).toEqual(theirClaims)
    })

    it(`${algorithm}: issueSdJwt (plain SD-JWT, sha-384 digests) verifies with @sd-jwt/core`, async () => {
      const { issuer, holder } = ours[algorithm]
      const { issueSdJwt } = await import('../../src/index.js')
      const sdJwt = await issueSdJwt(
        issuer,
        { iss: 'https://issuer.example', ...CLAIMS },
        { disclosureFrame: FRAME, hashAlgorithm: 'sha-384', holder: holder.publicJwk },
      )
      expect(payloadOf(sdJwt)._sd_alg).toBe('sha-384')
      const key = createPublicKey({ key: issuer.publicJwk as never, format: 'jwk' })
      const core = new SDJwtInstance({
        hasher,
        verifier: (data, sig) => jwsVerify(key, data, sig),
        kbVerifier,
      })
      const presentation = await presentSdJwt(sdJwt, {
        disclose: OUR_PRESENTATION,
        holder,
        audience: AUDIENCE,
        nonce: NONCE,
      })
      const result = await core.verify(presentation, { keyBindingNonce: NONCE })
      expect(userClaims(result.payload)).toEqual(PRESENTED_CLAIMS)
    })
  }
})

describe('@sd-jwt/sd-jwt-vc issues and presents, credsign verifies', () => {
  for (const algorithm of ALGORITHMS) {
    for (const typ of ['dc+sd-jwt', 'vc+sd-jwt']) {
      const issue = async () => {
        const k = theirs[algorithm]
        const sd = theirIssuer(k.issuerPrivate, k.holderPrivate)
        const iat = Math.floor(Date.now() / 1000)
        const sdJwt = await sd.issue(
          {
            iss: 'https://issuer.example',
            iat,
            exp: iat + 3600,
            vct: VCT,
            cnf: { jwk: k.holderJwk },
            ...CLAIMS,
          },
          FRAME as never,
          // 0.19 writes typ dc+sd-jwt; the header option overrides it for the legacy value.
          { header: { kid: 'issuer-key-1', ...(typ === 'dc+sd-jwt' ? {} : { typ }) } },
        )
        const presentation = await sd.present(sdJwt, THEIR_PRESENTATION, {
          kb: { payload: { aud: AUDIENCE, nonce: NONCE, iat: Math.floor(Date.now() / 1000) } },
        })
        return { k, sd, sdJwt, presentation }
      }

      it(`${algorithm} (${JWS_ALG[algorithm]}), typ ${typ}: verifySdJwt with the issuer key`, async () => {
        const { k, sdJwt, presentation } = await issue()
        expect(headerOf(sdJwt)).toEqual({ typ, kid: 'issuer-key-1', alg: JWS_ALG[algorithm] })
        expect(allDigests(sdJwt)).toBe(DISCLOSURES + 3)

        // The issued SD-JWT, all disclosures (it has cnf: key binding must be waived explicitly).
        await expectCode(verifySdJwt(sdJwt, { key: k.issuerJwk }), 'key_binding_required')
        const issued = await verifySdJwt(sdJwt, { key: k.issuerJwk, requireKeyBinding: false })
        expect(userClaims(issued.claims)).toEqual(CLAIMS)
        expect(issued.claims).toMatchObject({
          iss: 'https://issuer.example',
          vct: VCT,
          cnf: { jwk: k.holderJwk },
        })
        expect([...issued.disclosed].sort()).toEqual(
          PRESENTABLE.map((p) => p.replace(/\.(\d+)(?=\.|$)/g, '[$1]')).sort(),
        )

        // Their presentation with KB-JWT.
        const result = await verifySdJwt(presentation, {
          key: k.issuerJwk,
          audience: AUDIENCE,
          nonce: NONCE,
        })
        expect(userClaims(result.claims)).toEqual(PRESENTED_CLAIMS)
        expect([...result.disclosed].sort()).toEqual(PRESENTED_PATHS)
        expect(result.keyBinding?.header).toEqual({
          typ: 'kb+jwt',
          alg: JWS_ALG[algorithm === 'P-256' ? 'Ed25519' : 'P-256'],
        })
        expect(result.keyBinding?.payload).toMatchObject({ aud: AUDIENCE, nonce: NONCE })
        // … and the same claims as @sd-jwt reads.
        const theirClaims = await theirVerifier(k.issuerPublic).verify(presentation, {
          keyBindingNonce: NONCE,
        })
        expect(result.claims).toEqual(theirClaims.payload)

        await expectCode(
          verifySdJwt(presentation, {
            key: k.issuerJwk,
            audience: AUDIENCE,
            nonce: 'another-nonce',
          }),
          'nonce_mismatch',
        )
        await expectCode(
          verifySdJwt(presentation, {
            key: k.issuerJwk,
            audience: 'https://other.example',
            nonce: NONCE,
          }),
          'audience_mismatch',
        )
      })

      it(`${algorithm}, typ ${typ}: verify() with a staticResolver`, async () => {
        const { k, presentation } = await issue()
        const resolver = staticResolver(
          { 'issuer-key-1': k.issuerJwk },
          { controller: 'https://issuer.example', relationships: ['assertionMethod'] },
        )
        const result = await verify(presentation, { resolver, audience: AUDIENCE, nonce: NONCE })
        expect(result.errors).toEqual([])
        expect(result.verified).toBe(true)
        expect(result.format).toBe('sd-jwt')
        expect(result.issuer).toBe('https://issuer.example')
        expect(userClaims(result.payload)).toEqual(PRESENTED_CLAIMS)
        expect([...(result.disclosed ?? [])].sort()).toEqual(PRESENTED_PATHS)

        const wrong = await verify(presentation, {
          resolver,
          audience: AUDIENCE,
          nonce: 'another-nonce',
        })
        expect(wrong.verified).toBe(false)
        expect(wrong.errors.map((e) => e.code)).toContain('nonce_mismatch')
        // A resolver whose key is another one: signature_invalid.
        const other = staticResolver(
          { 'issuer-key-1': theirs[algorithm === 'P-256' ? 'Ed25519' : 'P-256'].issuerJwk },
          { controller: 'https://issuer.example', relationships: ['assertionMethod'] },
        )
        const bad = await verify(presentation, {
          resolver: other,
          audience: AUDIENCE,
          nonce: NONCE,
        })
        expect(bad.verified).toBe(false)
      })
    }
  }

  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}: mixed roles: credsign holder presents an @sd-jwt credential, @sd-jwt holder presents a credsign one`, async () => {
      // @sd-jwt issuer, credsign holder (a vault key in cnf), @sd-jwt verifier.
      const k = theirs[algorithm]
      const { issuer, holder } = ours[algorithm]
      const iat = Math.floor(Date.now() / 1000)
      const theirCredential = await theirIssuer(k.issuerPrivate).issue(
        { iss: 'https://issuer.example', iat, vct: VCT, cnf: { jwk: holder.publicJwk }, ...CLAIMS },
        FRAME as never,
      )
      const ourPresentation = await presentSdJwt(theirCredential, {
        disclose: OUR_PRESENTATION,
        holder,
        audience: AUDIENCE,
        nonce: NONCE,
      })
      const r1 = await theirVerifier(k.issuerPublic).verify(ourPresentation, {
        keyBindingNonce: NONCE,
      })
      expect(userClaims(r1.payload)).toEqual(PRESENTED_CLAIMS)
      expect(r1.kb?.payload.aud).toBe(AUDIENCE)

      // credsign issuer, @sd-jwt holder (a node:crypto key in cnf), credsign verifier.
      const ourCredential = await new SdJwtVcSigner(issuer).issue(CLAIMS, {
        vct: VCT,
        disclosureFrame: FRAME,
        holder: k.holderJwk,
      })
      const wallet = theirIssuer(k.issuerPrivate, k.holderPrivate) // only its kbSigner and hasher are used
      const theirPresentation = await wallet.present(ourCredential, THEIR_PRESENTATION, {
        kb: { payload: { aud: AUDIENCE, nonce: NONCE, iat } },
      })
      const r2 = await verifySdJwt(theirPresentation, { audience: AUDIENCE, nonce: NONCE })
      expect(userClaims(r2.claims)).toEqual(PRESENTED_CLAIMS)
      const r3 = await verify(theirPresentation, { audience: AUDIENCE, nonce: NONCE })
      expect(r3.errors).toEqual([])
      expect(r3.issuer).toBe(issuer.id.split('#')[0])
    })
  }

  for (const hashAlg of ['sha-384', 'sha-512'] as const) {
    it(`@sd-jwt with _sd_alg ${hashAlg} (digests and sd_hash)`, async () => {
      const k = theirs['P-256']
      const sd = new SDJwtVcInstance({
        hasher,
        hashAlg,
        saltGenerator,
        signer: jwsSigner(k.issuerPrivate),
        signAlg: 'ES256',
        kbSigner: jwsSigner(k.holderPrivate),
        kbSignAlg: 'EdDSA',
      })
      const iat = Math.floor(Date.now() / 1000)
      const sdJwt = await sd.issue(
        { iss: 'https://issuer.example', iat, vct: VCT, cnf: { jwk: k.holderJwk }, ...CLAIMS },
        FRAME as never,
      )
      expect(payloadOf(sdJwt)._sd_alg).toBe(hashAlg)
      const presentation = await sd.present(sdJwt, THEIR_PRESENTATION, {
        kb: { payload: { aud: AUDIENCE, nonce: NONCE, iat } },
      })
      const result = await verifySdJwt(presentation, {
        key: k.issuerJwk,
        audience: AUDIENCE,
        nonce: NONCE,
      })
      expect(userClaims(result.claims)).toEqual(PRESENTED_CLAIMS)
      await expectCode(
        verifySdJwt(tamperDisclosure(presentation, 'given_name', 'Mallory'), {
          key: k.issuerJwk,
          audience: AUDIENCE,
          nonce: NONCE,
        }),
        'disclosure_invalid',
      )
    })
  }

  it('decodeSdJwt reads an @sd-jwt presentation like @sd-jwt does', async () => {
    const k = theirs['P-256']
    const sd = theirIssuer(k.issuerPrivate, k.holderPrivate)
    const sdJwt = await sd.issue(
      { iss: 'https://issuer.example', vct: VCT, cnf: { jwk: k.holderJwk }, ...CLAIMS },
      FRAME as never,
    )
    const presentation = await sd.present(sdJwt, THEIR_PRESENTATION, {
      kb: { payload: { aud: AUDIENCE, nonce: NONCE, iat: Math.floor(Date.now() / 1000) } },
    })
    const decoded = decodeSdJwt(presentation)
    expect(decoded.claims).toEqual(await sd.getClaims(presentation))
    expect(decoded.disclosures.length).toBe(4)
    expect(decoded.kbJwt?.payload).toMatchObject({ aud: AUDIENCE, nonce: NONCE })
  })
})

describe('a tampered disclosure fails on both sides', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}: credsign-issued, tampered after credsign's KB-JWT`, async () => {
      const { issuer, holder } = ours[algorithm]
      const sdJwt = await new SdJwtVcSigner(issuer).issue(CLAIMS, {
        vct: VCT,
        disclosureFrame: FRAME,
        holder: holder.publicJwk,
      })
      const presentation = await presentSdJwt(sdJwt, {
        disclose: OUR_PRESENTATION,
        holder,
        audience: AUDIENCE,
        nonce: NONCE,
      })
      const tampered = tamperDisclosure(presentation, 'given_name', 'Mallory')
      await expect(
        theirVerifier(issuer.publicJwk).verify(tampered, { keyBindingNonce: NONCE }),
      ).rejects.toThrow(/sd_hash/)
      // credsign finds the unreferenced disclosure before it gets to sd_hash.
      await expectCode(
        verifySdJwt(tampered, { audience: AUDIENCE, nonce: NONCE }),
        'disclosure_invalid',
      )
      const result = await verify(tampered, { audience: AUDIENCE, nonce: NONCE })
      expect(result.verified).toBe(false)
      expect(result.errors.map((e) => e.code)).toContain('disclosure_invalid')
    })

    it(`${algorithm}: credsign-issued, tampered, no KB-JWT`, async () => {
      const { issuer, holder } = ours[algorithm]
      const sdJwt = await new SdJwtVcSigner(issuer).issue(CLAIMS, {
        vct: VCT,
        disclosureFrame: FRAME,
        holder: holder.publicJwk,
      })
      const tampered = tamperDisclosure(sdJwt, 'locality', 'Bonn')
      await expectCode(verifySdJwt(tampered, { requireKeyBinding: false }), 'disclosure_invalid')
      // @sd-jwt 0.19 does not reject an SD-JWT with a disclosure no digest references (RFC 9901
      // section 7.1 step 5 says it MUST): it drops the claim. The forged value never surfaces.
      const verdict = await theirVerifier(issuer.publicJwk)
        .verify(tampered)
        .then(
          (r) => r.payload as Json,
          () => undefined,
        )
      if (verdict !== undefined) {
        expect(JSON.stringify(verdict)).not.toContain('Bonn')
        expect((verdict.address as Json).locality).toBeUndefined()
      }
    })

    it(`${algorithm}: @sd-jwt-issued and presented, tampered after their KB-JWT`, async () => {
      const k = theirs[algorithm]
      const sd = theirIssuer(k.issuerPrivate, k.holderPrivate)
      const iat = Math.floor(Date.now() / 1000)
      const sdJwt = await sd.issue(
        { iss: 'https://issuer.example', iat, vct: VCT, cnf: { jwk: k.holderJwk }, ...CLAIMS },
        FRAME as never,
      )
      const presentation = await sd.present(sdJwt, THEIR_PRESENTATION, {
        kb: { payload: { aud: AUDIENCE, nonce: NONCE, iat } },
      })
      for (const [name, value] of [
        ['given_name', 'Mallory'],
        ['locality', 'Bonn'],
      ] as const) {
        const tampered = tamperDisclosure(presentation, name, value)
        await expect(
          theirVerifier(k.issuerPublic).verify(tampered, { keyBindingNonce: NONCE }),
        ).rejects.toThrow(/sd_hash/)
        await expectCode(
          verifySdJwt(tampered, { key: k.issuerJwk, audience: AUDIENCE, nonce: NONCE }),
          'disclosure_invalid',
        )
      }
      // A disclosure dropped after the KB-JWT was made: sd_hash no longer matches, on both sides.
      const parts = presentation.split('~')
      const dropped = [parts[0], ...parts.slice(2)].join('~')
      await expect(
        theirVerifier(k.issuerPublic).verify(dropped, { keyBindingNonce: NONCE }),
      ).rejects.toThrow(/sd_hash/)
      await expectCode(
        verifySdJwt(dropped, { key: k.issuerJwk, audience: AUDIENCE, nonce: NONCE }),
        'key_binding_invalid',
      )
    })
  }
})
