/**
 * SD-JWT VC issuance, presentation (with a KB-JWT) and verification next to @sd-jwt/sd-jwt-vc 0.19
 * (OpenWallet Foundation), with the same keys and the same claims, in one run. Used by bench/run.ts
 * (`BENCH_ONLY=sd-jwt npm run bench` runs this section alone).
 *
 * - Claims: an identity credential with 10 selectively disclosable claims: 8 top-level ones, of which
 *   `address` is itself disclosable and holds 2 more (a recursive disclosure). No decoys. `vct`,
 *   `iss` (the issuer's did:key), `iat` and `cnf` (the holder's key) are plain claims.
 * - Keys: P-256 (ES256) and Ed25519 (EdDSA). The issuer and the holder each have one key, the same on
 *   both sides: credsign signs with unlocked vault keys (`asDidSigner` for the issuer), @sd-jwt
 *   with node:crypto KeyObjects of the same PKCS#8.
 * - @sd-jwt brings no crypto: its callbacks are written here on node:crypto (createHash for the
 *   hasher, randomBytes for salts, sign / verify with KeyObjects, ieee-p1363 for ECDSA). Its issuer
 *   key is pre-imported; its KB-JWT verifier imports `cnf.jwk` on each call, as it must.
 * - Issue: credsign `new SdJwtVcSigner(issuer).issue(claims, { vct, disclosureFrame, holder })`
 *   (`iss`, `iat`, `cnf`, `typ: dc+sd-jwt`, `kid`); @sd-jwt `issue({ iss, iat, vct, cnf, ...claims
 *   }, frame, { header: { kid } })`.
 * - Present: both present the same credsign-issued SD-JWT, revealing 4 claims (given_name,
 *   family_name, birthdate, address.locality, hence 5 disclosures) with a KB-JWT (aud, nonce, iat,
 *   sd_hash): credsign `presentSdJwt(sdJwt, { disclose, holder, audience, nonce })`, @sd-jwt
 *   `present(sdJwt, frame, { kb })`.
 * - Verify: both verify the same 16 credsign presentations in turn, key binding required: credsign
 *   `verifySdJwt(p, { key, audience, nonce })` (issuer key given, like @sd-jwt's) and `verify(p, {
 *   audience, nonce })` (did:key resolution, issuer binding, key purpose, SD-JWT VC claim rules,
 *   validity); @sd-jwt `verify(p, { keyBindingNonce })` plus an `aud` comparison (it does not check
 *   `aud` itself).
 * - Raw: node:crypto sign / verify with the same key (a KeyObject) on the issuer JWS's signing input:
 *   issue and present each sign once, verify checks two signatures (issuer JWS and KB-JWT), so the
 *   ceilings are raw sign, raw sign and raw verify ÷ 2 ops/s. "ceiling ×" = that ÷ @sd-jwt: no
 *   implementation signing / verifying with node:crypto can beat @sd-jwt by more than that.
 * - Cross-checks in the run: @sd-jwt verifies credsign's presentation (KB-JWT required) and credsign
 *   verifies @sd-jwt's, with the same claims on both sides.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import type * as Credsign from '../src/index.js'
import { generateKeyPair } from '../src/keys/generate.js'
import type { BenchTools } from './jwt.js'

type Algorithm = 'P-256' | 'Ed25519'
type Json = Record<string, unknown>
const ALGORITHMS: Algorithm[] = ['P-256', 'Ed25519']
const JWS_ALG: Record<Algorithm, string> = { 'P-256': 'ES256', Ed25519: 'EdDSA' }

const VCT = 'https://credentials.example.com/identity_credential'
const AUDIENCE = 'https://verifier.example.org'
const NONCE = 'n-0S6_WzA2Mj'
const CLAIMS = {
  given_name: 'Erika',
  family_name: 'Mustermann',
  email: 'erika.mustermann@example.com',
  phone_number: '+49 30 1234567',
  birthdate: '1963-08-12',
  is_over_18: true,
  is_over_21: true,
  address: {
    street_address: 'Heidestraße 17',
    locality: 'Köln',
    region: 'Nordrhein-Westfalen',
    country: 'DE',
  },
  nationalities: ['DE'],
}
const FRAME = {
  _sd: [
    'given_name',
    'family_name',
    'email',
    'phone_number',
    'birthdate',
    'is_over_18',
    'is_over_21',
    'address',
  ],
  address: { _sd: ['street_address', 'locality'] },
}
const DISCLOSURES = 10
/** Credsign's presentation frame and @sd-jwt's, revealing the same claims. */
const OUR_DISCLOSE = {
  _sd: ['given_name', 'family_name', 'birthdate'],
  address: { _sd: ['locality'] },
}
const THEIR_DISCLOSE = {
  given_name: true,
  family_name: true,
  birthdate: true,
  address: { locality: true },
}
const VERIFY_SET = 16

// ---------------------------------------------------------------------------------------------
// @sd-jwt's crypto callbacks on node:crypto.

function hasher(data: string | ArrayBuffer, alg: string): Uint8Array {
  if (alg !== 'sha-256') throw new Error(`bench hasher: ${alg}`)
  return new Uint8Array(
    createHash('sha256')
      .update(typeof data === 'string' ? data : new Uint8Array(data))
      .digest(),
  )
}
const saltGenerator = (length: number): string => randomBytes(length).toString('base64url')
const isEd = (key: KeyObject) => key.asymmetricKeyType === 'ed25519'
const rawSign = (key: KeyObject, data: Buffer): Buffer =>
  isEd(key)
    ? nodeSign(null, data, key)
    : nodeSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
const rawVerify = (key: KeyObject, data: Buffer, signature: Buffer): boolean =>
  isEd(key)
    ? nodeVerify(null, data, key, signature)
    : nodeVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
const jwsSign = (key: KeyObject) => (data: string) =>
  rawSign(key, Buffer.from(data)).toString('base64url')
const jwsVerify = (key: KeyObject) => (data: string, signature: string) =>
  rawVerify(key, Buffer.from(data), Buffer.from(signature, 'base64url'))
const kbVerifier = (data: string, signature: string, payload: { cnf?: { jwk?: object } }) => {
  const jwk = payload.cnf?.jwk
  if (jwk === undefined) return false
  return rawVerify(
    createPublicKey({ key: jwk as never, format: 'jwk' }),
    Buffer.from(data),
    Buffer.from(signature, 'base64url'),
  )
}

// ---------------------------------------------------------------------------------------------

interface KeyPair {
  pkcs8: Uint8Array
  nodePrivate: KeyObject
  nodePublic: KeyObject
}
interface KeyCase {
  issuer: KeyPair
  holder: KeyPair
}

async function keyPair(algorithm: Algorithm): Promise<KeyPair> {
  const material = await generateKeyPair(algorithm)
  const pkcs8 = new Uint8Array(material.pkcs8)
  const nodePrivate = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })
  return { pkcs8, nodePrivate, nodePublic: createPublicKey(nodePrivate) }
}

interface Ours {
  issue: number
  present: number
  verify: number
  verifySdJwt: number
}
interface Shared {
  issue: number
  present: number
  verify: number
  rawSign: number
  rawVerify: number
  sizes: string
}
interface Row {
  algorithm: Algorithm
  backend: string
  ours: Ours
  shared: Shared
}

/**
 * `measure(lib, label)` runs both algorithms on whichever credsign backend is installed now
 * (@sd-jwt's and the raw figures are measured once, on the first call); `report()` gives the
 * Markdown lines.
 */
export function createSdJwtBench(tools: BenchTools) {
  const { opsPerSecond, fmt } = tools
  const keys = new Map<Algorithm, KeyCase>()
  const shared = new Map<Algorithm, Shared>()
  const rows: Row[] = []

  async function measure(lib: typeof Credsign, label: string): Promise<void> {
    for (const algorithm of ALGORITHMS) {
      let key = keys.get(algorithm)
      if (key === undefined) {
        key = { issuer: await keyPair(algorithm), holder: await keyPair(algorithm) }
        keys.set(algorithm, key)
      }
      const vault = new lib.KeyVault({
        store: new lib.MemoryStore(),
        serviceSecret: new Uint8Array(32).fill(11),
        kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
      })
      await vault.import({ id: 'issuer', secrets: ['s'], key: { pkcs8: key.issuer.pkcs8 } })
      await vault.import({ id: 'holder', secrets: ['s'], key: { pkcs8: key.holder.pkcs8 } })
      const unlocked = await vault.unlock('issuer', ['s'])
      const issuer = lib.asDidSigner(unlocked)
      const holder = await vault.unlock('holder', ['s'])
      const iss = issuer.id.split('#')[0] as string
      const holderJwk = holder.publicJwk

      // credsign
      const vcSigner = new lib.SdJwtVcSigner(issuer)
      const issueOurs = () =>
        vcSigner.issue(CLAIMS, { vct: VCT, disclosureFrame: FRAME, holder: holderJwk })
      const issued = await issueOurs()
      const presentOurs = () =>
        lib.presentSdJwt(issued, {
          disclose: OUR_DISCLOSE,
          holder,
          audience: AUDIENCE,
          nonce: NONCE,
        })
      const presentations: string[] = []
      for (let i = 0; i < VERIFY_SET; i++) presentations.push(await presentOurs())
      let v = 0
      const verifyOurs = async () => {
        const result = await lib.verify(presentations[v++ % VERIFY_SET] as string, {
          audience: AUDIENCE,
          nonce: NONCE,
        })
        if (!result.verified)
          throw new Error(`credsign verify() did not verify: ${JSON.stringify(result.errors)}`)
      }
      const verifySdJwtOurs = () =>
        lib.verifySdJwt(presentations[v++ % VERIFY_SET] as string, {
          key: issuer.publicJwk,
          audience: AUDIENCE,
          nonce: NONCE,
        })

      // @sd-jwt, driven directly
      const sd = new SDJwtVcInstance({
        hasher,
        hashAlg: 'sha-256',
        saltGenerator,
        signer: jwsSign(key.issuer.nodePrivate),
        signAlg: JWS_ALG[algorithm],
        verifier: jwsVerify(key.issuer.nodePublic),
        kbSigner: jwsSign(key.holder.nodePrivate),
        kbSignAlg: JWS_ALG[algorithm],
        kbVerifier,
      })
      const issueTheirs = () =>
        sd.issue(
          { iss, iat: Math.floor(Date.now() / 1000), vct: VCT, cnf: { jwk: holderJwk }, ...CLAIMS },
          FRAME as never,
          { header: { kid: issuer.id } },
        )
      const presentTheirs = () =>
        sd.present(issued, THEIR_DISCLOSE as never, {
          kb: { payload: { aud: AUDIENCE, nonce: NONCE, iat: Math.floor(Date.now() / 1000) } },
        })
      const verifyTheirs = async () => {
        const result = await sd.verify(presentations[v++ % VERIFY_SET] as string, {
          keyBindingNonce: NONCE,
        })
        if (result.kb?.payload.aud !== AUDIENCE) throw new Error('@sd-jwt: wrong aud')
      }

      let common = shared.get(algorithm)
      if (common === undefined) {
        const sizes = await crossCheck(
          lib,
          sd,
          issuer.publicJwk,
          issued,
          presentations[0] as string,
          await issueTheirs(),
          await presentTheirs(),
        )
        const input = Buffer.from(issued.split('~')[0]!.split('.').slice(0, 2).join('.'))
        const signature = rawSign(key.issuer.nodePrivate, input)
        for (const fn of [issueTheirs, presentTheirs, verifyTheirs]) await warmUp(fn)
        common = {
          issue: await opsPerSecond(issueTheirs),
          present: await opsPerSecond(presentTheirs),
          verify: await opsPerSecond(verifyTheirs),
          rawSign: await opsPerSecond(() => rawSign(key.issuer.nodePrivate, input)),
          rawVerify: await opsPerSecond(() => rawVerify(key.issuer.nodePublic, input, signature)),
          sizes,
        }
        shared.set(algorithm, common)
      }
      for (const fn of [issueOurs, presentOurs, verifyOurs, verifySdJwtOurs]) await warmUp(fn)
      const ours: Ours = {
        issue: await opsPerSecond(issueOurs),
        present: await opsPerSecond(presentOurs),
        verify: await opsPerSecond(verifyOurs),
        verifySdJwt: await opsPerSecond(verifySdJwtOurs),
      }
      rows.push({ algorithm, backend: label, ours, shared: common })
      unlocked.lock()
      holder.lock()
    }
  }

  function report(): string[] {
    const lines = [
      '| algorithm | credsign backend | issue, credsign | issue, @sd-jwt | × | ceiling × | present + KB, credsign | present + KB, @sd-jwt | × | ceiling × | verify(), credsign | verifySdJwt, credsign | verify, @sd-jwt | × (verifySdJwt) | × (verify()) | ceiling × | raw sign | raw verify | sizes / cross-checked |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ]
    for (const { algorithm, backend, ours, shared: s } of rows) {
      lines.push(
        `| ${algorithm} (${JWS_ALG[algorithm]}) | ${backend} | ${fmt(ours.issue)} | ${fmt(s.issue)} | **${fmt(ours.issue / s.issue, 2)}** | ${fmt(s.rawSign / s.issue, 2)} | ` +
          `${fmt(ours.present)} | ${fmt(s.present)} | **${fmt(ours.present / s.present, 2)}** | ${fmt(s.rawSign / s.present, 2)} | ` +
          `${fmt(ours.verify)} | ${fmt(ours.verifySdJwt)} | ${fmt(s.verify)} | **${fmt(ours.verifySdJwt / s.verify, 2)}** | **${fmt(ours.verify / s.verify, 2)}** | ${fmt(s.rawVerify / 2 / s.verify, 2)} | ` +
          `${fmt(s.rawSign)} | ${fmt(s.rawVerify)} | ${s.sizes} |`,
      )
    }
    return lines
  }

  return { measure, report }
}

/** Runs `fn` for up to 300 calls or 0.5 s before it is measured. */
async function warmUp(fn: () => Promise<unknown> | unknown): Promise<void> {
  const end = performance.now() + 500
  for (let i = 0; i < 300 && performance.now() < end; i++) await fn()
}

/**
 * Each side verifies the other's presentation (key binding required) and reads the same claims;
 * returns the sizes of credsign's issued SD-JWT and presentation.
 */
async function crossCheck(
  lib: typeof Credsign,
  sd: SDJwtVcInstance,
  issuerJwk: Credsign.PublicJwk,
  ourIssued: string,
  ourPresentation: string,
  theirIssued: string,
  theirPresentation: string,
): Promise<string> {
  const theirVerdict = await sd.verify(ourPresentation, { keyBindingNonce: NONCE })
  const ourVerdict = await lib.verifySdJwt(theirPresentation, {
    key: issuerJwk,
    audience: AUDIENCE,
    nonce: NONCE,
  })
  const withoutTimes = (claims: unknown) => {
    const { iat, cnf, ...rest } = claims as Json
    void [iat, cnf]
    return JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)))
  }
  if (withoutTimes(theirVerdict.payload) !== withoutTimes(ourVerdict.claims))
    throw new Error('bench: credsign and @sd-jwt presentations disclose different claims')
  const countDisclosures = (sdJwt: string) =>
    sdJwt
      .split('~')
      .slice(1)
      .filter((p) => p !== '' && !p.includes('.')).length
  if (countDisclosures(ourIssued) !== DISCLOSURES || countDisclosures(theirIssued) !== DISCLOSURES)
    throw new Error('bench: expected 10 disclosures on both sides')
  if (countDisclosures(ourPresentation) !== 5 || countDisclosures(theirPresentation) !== 5)
    throw new Error('bench: expected 5 disclosures in both presentations')
  return `${ourIssued.length} B issued, ${ourPresentation.length} B presented; both ways ✓`
}
