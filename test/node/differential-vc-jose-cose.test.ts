// Differential tests of verify() for VC-JOSE-COSE 2.0 `vc+jwt` / `vp+jwt` tokens and the
// `EnvelopedVerifiableCredential` data: URLs inside VCDM 2.0 presentations, against jose 6
// (jwtVerify with the matching options) plus the rules VC-JOSE-COSE and VCDM 2.0 add on top of it.
//
// Valid tokens are signed by credsign's JwtVcSigner / JwtVpSigner and by jose's SignJWT, with an
// Ed25519 issuer, a P-256 holder and an Ed25519 attacker (did:key, offline). Generated mutations of
// their protected header and claims (member values and types, unicode and whitespace, issuer
// binding, kid DID URLs, validity, `crit` / `b64`, `cnf`, the JSON serialization) and of the
// enveloped credentials of a presentation (media types, base64, parameters, percent-encoding,
// wrapper members, the credential inside) are re-signed with the chosen key, so only what they say
// is judged. Each is verified by credsign's `verify()` and by the reference below with the same
// clock, tolerance, audience and nonce. The property: credsign may be stricter, never looser: when
// credsign says `verified: true`, the reference accepts too.
//
// The reference (`reference()`): jose's jwtVerify (compact only; `typ` vc+jwt / vp+jwt; the
// algorithms EdDSA / ES256; the key named by `kid` in the parties' table; clock and tolerance;
// `audience` for presentations, and for credentials that carry an `aud`: RFC 7519 section 4.1.3 makes
// `aud` optional, and a credential need not be addressed); `nonce` compared exactly; `cty` JWT is a
// nested JWT (RFC 7519 section 7.2, not processed); then VC-JOSE-COSE: no `vc` / `vp` claim, `iss`
// (in the claims and in any JOSE header, section "iss" of Key Discovery) equal to `issuer` /
// `issuer.id` (the holder for presentations), the `kid` key controlled by the issuer (holder), and
// VCDM 2.0: first `@context` v2, the types, `issuer` a URL or an object with one, `validFrom` /
// `validUntil` (dateTimeStamp) against the clock, every `verifiableCredential` of a presentation an
// `EnvelopedVerifiableCredential` whose `data:` URL (RFC 2397) holds a compact `vc+jwt` that this
// reference accepts as a credential.
//
// Reference refusals excused (each a documented decision of credsign, counted as `documented`, not
// asserted), and why:
// - a dateTime string `iat` (jose: must be a number): the W3C VC-JOSE-COSE suite's own tokens carry
//   one (credential-jose-minimal.txt and the rest), which must verify; nothing else is excused (a
//   null, boolean, array, object or other string `iat` is no NumericDate nor the suite's form).
// - no `kid`, `iss` a DID of the table: VC-JOSE-COSE says `kid` MUST be present when the issuer's
//   key is a DID URL, but credsign verifies did-jwt style kid-less tokens with the key of the DID in
//   `iss` (JwtVcSigner's `kid: false`), and that key is still bound to the issuer.
// - `kid` a bare did:key DID (no fragment): a did:key document has exactly one verification method,
//   which the resolver returns for the DID (the same resolution as the kid-less case).
// - an envelope labelled `application/vc-ld+jwt` or `application/jwt` (earlier drafts' and RFC
//   7519's media types) holding a `vc+jwt`: VC-JOSE-COSE section 7 only says the most specific
//   media type SHOULD be used; the content is verified as a `vc+jwt` all the same.
// - a data: URL with whitespace around its media type or a parameter without a value (`;foo`):
//   RFC 2397's grammar has neither, but it states no rule for recipients, and WHATWG's data: URL
//   processor (what browsers run) accepts both; neither changes the media type or the base64
//   decision, and the content is verified in full (credsign documents `;foo` as a parameter '').
// - a JWS JSON serialization (jose's jwtVerify: compact only): VC-JOSE-COSE says "Use of the JWS
//   JSON serialization is NOT RECOMMENDED" (not forbidden); credsign holds it to the same claim
//   rules as the compact form (docs/security.md), which this file checks by verifying the same
//   claims in compact form with the reference.
// What credsign refuses and the reference accepts (duplicate JSON members, non-canonical base64url,
// `iat` in the future, a `sub` / `jti` contradicting the document, an `aud` no audience was given
// for, a `typ` with whitespace, …) only makes credsign stricter, which the property allows.
//
// Found and fixed (docs/security.md): a JOSE header `iss` naming someone other than the issuer
// (holder) was ignored; a null / boolean / array / object / non-date string `iat` was treated as
// absent. Both held for
// `vc+sd-jwt` / `vp+sd-jwt` too (the SD-JWT handler shares the rules now; pinned below).
//
// Found and fixed too: an inline `@context` entry that redefines a top-level term of the base
// context (`VerifiableCredential`, `id`, `iss`, …, all @protected) verified, although JSON-LD refuses
// such a document and VC-JOSE-COSE (Validation) requires the verified document to be well-formed
// compact JSON-LD; the JOSE formats never expand JSON-LD (`checkContext` refuses it now).
//
// Variants: every header / claim value of HEADER_VALUES / CLAIM_VALUES and every envelope variant
// alone, on a credsign-made and a jose-made base (468 vc+jwt and 544 vp+jwt cases), then
// FC_RUNS random combinations of up to three mutations per kind.
//
// Seeded: FC_SEED overrides the seed, FC_RUNS the number of random cases per property.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  type KeyObject,
} from 'node:crypto'
import { readFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import * as jose from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  JwtVcSigner,
  JwtVpSigner,
  didKeyFromJwk,
  envelopeCredential,
  staticResolver,
  verify,
  type PublicJwk,
  type Signer,
  type VerificationResult,
  type VerifyOptions,
} from '../../src/index.js'
import { b64u, fromB64u, fromUtf8, utf8 } from '../../src/util/bytes.js'
import { DOCUMENTED_CODES } from '../core/documented-codes.js'
import vmEd25519 from '../fixtures/vectors/w3c-vc-jose-cose-test-suite/vm-ed25519.json' with { type: 'json' }
import tokens from '../fixtures/vectors/jose-cose/tokens.json' with { type: 'json' }

const SEED = Number(process.env.FC_SEED ?? 20_261_207)
const RUNS = Number(process.env.FC_RUNS ?? 600)

const NOW = Date.UTC(2030, 0, 1)
const T = NOW / 1000
const DAY = 86_400
const TOLERANCE = 60
const AUDIENCE = 'https://verifier.example'
const OTHER_AUDIENCE = 'https://other.example'
const NONCE = 'n-0S6_WzA2Mj'
const V1 = 'https://www.w3.org/2018/credentials/v1'
const V2 = 'https://www.w3.org/ns/credentials/v2'
const EX2 = 'https://www.w3.org/ns/credentials/examples/v2'
const ALGORITHMS = ['EdDSA', 'ES256']

// ---------------------------------------------------------------------------------------------
// Parties: keys made with node:crypto, so that jose and credsign sign with the same private key.

type Role = 'issuer' | 'holder' | 'attacker'
interface Party {
  did: string
  vm: string
  alg: 'EdDSA' | 'ES256'
  signer: Signer
  privateKey: KeyObject
  publicKey: KeyObject
}
const parties = {} as Record<Role, Party>

function makeParty(kind: 'ed25519' | 'p256'): Party {
  const { privateKey, publicKey } =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const publicJwk = publicKey.export({ format: 'jwk' }) as unknown as PublicJwk
  const did = didKeyFromJwk(publicJwk)
  const vm = `${did}#${did.slice('did:key:'.length)}`
  const sign = (data: Uint8Array): Uint8Array =>
    kind === 'ed25519'
      ? nodeSign(null, data, privateKey)
      : nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return {
    did,
    vm,
    alg: kind === 'ed25519' ? 'EdDSA' : 'ES256',
    signer: {
      id: vm,
      algorithm: kind === 'ed25519' ? 'Ed25519' : 'P-256',
      publicJwk,
      sign: async (data) => sign(data),
    },
    privateKey,
    publicKey,
  }
}

beforeAll(() => {
  parties.issuer = makeParty('ed25519')
  parties.holder = makeParty('p256')
  parties.attacker = makeParty('ed25519')
})

/** A party's key as a did:jwk (the same key, another DID: binding is to the DID, not the key). */
function didJwkOf(party: Party): string {
  return `did:jwk:${b64uJson(party.signer.publicJwk)}`
}

/**
 * The reference's key table: each party's verification method id, did:key and did:jwk (a party of
 * its own, named by its did:jwk).
 */
function keyTable(): Map<string, Party> {
  const table = new Map<string, Party>()
  for (const party of Object.values(parties)) {
    table.set(party.vm, party)
    table.set(`${didJwkOf(party)}#0`, { ...party, did: didJwkOf(party) })
  }
  return table
}

// ---------------------------------------------------------------------------------------------
// Signing raw tokens, either way.

type By = 'credsign' | 'jose'

function b64uJson(value: unknown): string {
  return b64u(utf8(typeof value === 'string' ? value : JSON.stringify(value)))
}

async function signRawWith(
  party: Party,
  header: Record<string, unknown>,
  payload: unknown,
  by: By,
): Promise<string> {
  if (by === 'jose') {
    // jose refuses some headers it would not write (a non-string typ); those go the other way.
    try {
      return await new jose.CompactSign(utf8(JSON.stringify(payload)))
        .setProtectedHeader(header as jose.CompactJWSHeaderParameters)
        .sign(party.privateKey)
    } catch {
      // fall through
    }
  }
  const input = `${b64uJson(header)}.${b64uJson(payload)}`
  return `${input}.${b64u(await party.signer.sign(utf8(input)))}`
}

function decodePart(segment: string): Record<string, unknown> {
  return JSON.parse(fromUtf8(fromB64u(segment))) as Record<string, unknown>
}

// ---------------------------------------------------------------------------------------------
// The reference.

interface Verdict {
  accepted: boolean
  reason?: string
  /** The excused decision that let the reference accept (see the header of this file). */
  documented?: string
}

interface RefOptions {
  audience?: string
  nonce?: string
}

const DATE_TIME_STAMP = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/

/** The top-level term definitions of the VCDM 2.0 base context (the W3C file, not credsign's copy). */
const BASE_TERMS = (
  JSON.parse(
    readFileSync(
      new URL(
        '../fixtures/vectors/w3c-contexts/vc-data-model/contexts/credentials/v2',
        import.meta.url,
      ),
      'utf8',
    ),
  ) as { '@context': Record<string, unknown> }
)['@context']

/** Whether an inline @context entry redefines a term of the base context (differently). */
function redefinesProtectedTerm(document: Record<string, unknown>): boolean {
  return typesOf(document['@context'])
    .slice(1)
    .some(
      (entry) =>
        isObject(entry) &&
        Object.entries(entry).some(
          ([term, definition]) =>
            term !== '@protected' &&
            Object.hasOwn(BASE_TERMS, term) &&
            !isDeepStrictEqual(definition, BASE_TERMS[term]),
        ),
    )
}

/** A dateTime, offset optional (the form of the W3C suite's `iat`). */
const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$/

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const typesOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value])

/** `issuer` / `holder`: a URL string, or an object with a string `id`. */
function partyId(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (isObject(value) && typeof value.id === 'string') return value.id
  return undefined
}

class Refused extends Error {}
const refuse = (reason: string): never => {
  throw new Refused(reason)
}

async function reference(
  token: unknown,
  kind: 'credential' | 'presentation',
  options: RefOptions,
  depth = 0,
): Promise<Verdict> {
  const documented: string[] = []
  try {
    if (typeof token !== 'string') refuse('jose jwtVerify: a JWT is a compact string')
    const jwt = token as string
    const [headerB64, payloadB64] = jwt.split('.')
    const header = decodePart(headerB64 ?? '')
    const payload = decodePart(payloadB64 ?? '')
    // The key: kid in the table, else (documented) a bare did:key DID or a kid-less DID iss.
    const table = keyTable()
    let party: Party | undefined
    if (typeof header.kid === 'string') {
      party = table.get(header.kid)
      if (party === undefined) {
        party = [...table.values()].find((p) => p.did === header.kid)
        if (party !== undefined) documented.push('bare did:key kid')
      }
    } else if (header.kid === undefined && header.jwk === undefined) {
      party = [...table.values()].find((p) => p.did === payload.iss)
      if (party !== undefined) documented.push('kid-less DID iss')
    }
    if (party === undefined) return refuse('no key for this kid')
    const typ = kind === 'credential' ? 'vc+jwt' : 'vp+jwt'
    const addressed = kind === 'presentation' || payload.aud !== undefined
    const claimOptions: jose.JWTClaimVerificationOptions = {
      currentDate: new Date(NOW),
      clockTolerance: TOLERANCE,
      ...(addressed && options.audience !== undefined ? { audience: options.audience } : {}),
    }
    try {
      await jose.jwtVerify(jwt, party.publicKey, { ...claimOptions, typ, algorithms: ALGORITHMS })
    } catch (error) {
      if (
        !(error instanceof jose.errors.JWTClaimValidationFailed) ||
        error.claim !== 'iat' ||
        typeof payload.iat !== 'string' ||
        !DATE_TIME.test(payload.iat) ||
        Number.isNaN(Date.parse(payload.iat))
      )
        throw error
      // Documented: the W3C suite's dateTime iat. The other claims, by jose, without it.
      const { iat: _iat, ...rest } = payload
      void _iat
      const unsecured = `${b64uJson({ alg: 'none' })}.${b64uJson(rest)}.`
      jose.UnsecuredJWT.decode(unsecured, claimOptions)
      documented.push('string iat')
    }
    if (addressed && options.audience === undefined && payload.aud !== undefined)
      refuse('aud, but no audience to compare it with (RFC 7519 section 4.1.3)')
    if (typeof header.cty === 'string' && header.cty.toLowerCase() === 'jwt')
      refuse('cty JWT: a nested JWT')
    if (kind === 'presentation' && options.nonce !== undefined && payload.nonce !== options.nonce)
      refuse('nonce')
    // VC-JOSE-COSE: the payload is the document.
    if ('vc' in payload || 'vp' in payload) refuse('vc / vp claim (VC-JOSE-COSE: MUST NOT)')
    // JSON-LD: a single @context value is a one-entry set.
    if (typesOf(payload['@context'])[0] !== V2) refuse('first @context is not VCDM 2.0')
    // JSON-LD 1.1: the base context's terms are @protected, and an inline context that defines one
    // otherwise is an error (VC-JOSE-COSE Validation: the verified document MUST be well-formed
    // compact JSON-LD).
    if (redefinesProtectedTerm(payload)) refuse('an inline context redefines a protected term')
    const type = kind === 'credential' ? 'VerifiableCredential' : 'VerifiablePresentation'
    if (!typesOf(payload.type).includes(type)) refuse(`type has no ${type}`)
    const named = kind === 'credential' ? partyId(payload.issuer) : partyId(payload.holder)
    if (kind === 'credential') {
      if (named === undefined || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(named))
        refuse('issuer is not a URL')
      if (!isObject(payload.credentialSubject) && !Array.isArray(payload.credentialSubject))
        refuse('no credentialSubject')
    } else if (payload.holder !== undefined && named === undefined) refuse('holder')
    // iss, wherever it is (claims, protected header), names the issuer (holder).
    for (const iss of [payload.iss, header.iss]) {
      if (iss === undefined) continue
      if (typeof iss !== 'string') refuse('iss is not a string')
      if (named !== undefined && iss !== named) refuse('iss is not the issuer (holder)')
    }
    if (header.iss !== undefined && payload.iss !== undefined && header.iss !== payload.iss)
      refuse('header iss is not the iss claim')
    const bound = named ?? (typeof payload.iss === 'string' ? payload.iss : undefined)
    if (bound !== undefined && bound !== party.did) refuse('the key is not the issuer (holder)')
    // Validity period of a credential (VCDM 2.0 section 4.9; a presentation has none).
    for (const [name, late] of kind === 'presentation'
      ? []
      : ([
          ['validFrom', false],
          ['validUntil', true],
        ] as const)) {
      const value = payload[name]
      if (value === undefined) continue
      if (typeof value !== 'string' || !DATE_TIME_STAMP.test(value))
        refuse(`${name} is no dateTimeStamp`)
      const at = Date.parse(value as string)
      if (Number.isNaN(at)) refuse(`${name} is no date`)
      if (late ? NOW >= at + TOLERANCE * 1000 : NOW < at - TOLERANCE * 1000)
        refuse(`outside ${name}`)
    }
    if (kind === 'presentation') {
      const entries =
        payload.verifiableCredential === undefined ? [] : typesOf(payload.verifiableCredential)
      for (const entry of entries) {
        const inner = await envelopedReference(entry, options, depth)
        if (!inner.accepted) refuse(`verifiableCredential: ${inner.reason ?? ''}`)
        if (inner.documented !== undefined) documented.push(inner.documented)
      }
    }
    return documented.length === 0
      ? { accepted: true }
      : { accepted: true, documented: documented.join(', ') }
  } catch (error) {
    return {
      accepted: false,
      reason:
        error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error),
    }
  }
}

/** Media types whose content is a `vc+jwt` (the last two documented, see the header). */
const VC_JWT_MEDIA_TYPES = ['application/vc+jwt', 'application/vc-ld+jwt', 'application/jwt']

/** One `verifiableCredential` entry of a VCDM 2.0 `vp+jwt`: an EnvelopedVerifiableCredential. */
async function envelopedReference(
  entry: unknown,
  options: RefOptions,
  depth: number,
): Promise<Verdict> {
  if (depth > 2) return { accepted: false, reason: 'too deep' }
  if (!isObject(entry)) return { accepted: false, reason: 'not an EnvelopedVerifiableCredential' }
  if (!typesOf(entry.type).includes('EnvelopedVerifiableCredential'))
    return { accepted: false, reason: 'not an EnvelopedVerifiableCredential' }
  if (typesOf(entry['@context'])[0] !== V2)
    return { accepted: false, reason: 'the envelope has no VCDM 2.0 @context' }
  if (typeof entry.id !== 'string') return { accepted: false, reason: 'no id' }
  // RFC 2397: data:[<mediatype>][;base64],<data>, mediatype = type/subtype *(;attribute=value).
  const strict =
    /^data:([a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+)((?:;[a-z0-9-]+=[^;,]*)*)(;base64)?,(.*)$/is
  // Documented: whitespace around the media type and a parameter without a value, which RFC 2397's
  // grammar has not but WHATWG's data: URL processor (browsers) accepts; they change neither the
  // media type nor the base64 decision, and the content is verified in full.
  const lenient =
    /^data:\s*([a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+)\s*((?:;[a-z0-9-]+(?:=[^;,]*)?)*?)(;base64)?,(.*)$/is
  let match = strict.exec(entry.id)
  let lenientUrl = false
  if (match === null) {
    match = lenient.exec(entry.id)
    lenientUrl = true
  }
  if (match === null) return { accepted: false, reason: 'not an RFC 2397 data: URL' }
  const mediaType = (match[1] as string).toLowerCase()
  if (!VC_JWT_MEDIA_TYPES.includes(mediaType))
    return { accepted: false, reason: `media type ${mediaType} is not vc+jwt` }
  let content: string
  try {
    const data = decodeURIComponent(match[4] as string)
    content = match[3] === undefined ? data : Buffer.from(data, 'base64').toString('utf8')
  } catch {
    return { accepted: false, reason: 'bad percent-encoding' }
  }
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(content))
    return { accepted: false, reason: 'the data is no compact JWS' }
  // The presentation's audience is the verifier's identity, which an addressed credential must
  // name; the nonce is the presentation's.
  const inner = await reference(
    content,
    'credential',
    options.audience === undefined ? {} : { audience: options.audience },
    depth + 1,
  )
  if (inner.accepted && mediaType !== 'application/vc+jwt')
    return { accepted: true, documented: `${mediaType} envelope` }
  if (inner.accepted && lenientUrl) return { accepted: true, documented: 'lenient data: URL' }
  return inner
}

// ---------------------------------------------------------------------------------------------
// Cases as data: a base token, mutations of its header / claims / envelopes, verify options.

/**
 * A symbolic value: `absent` deletes the member; `$issuer` / `$holder` / `$attacker` a party's DID,
 * `$issuer.vm` its verification method, `$issuer.obj` `{ id: did }`; `t<seconds>` a NumericDate
 * offset from T; `iso<seconds>` the dateTime of such an offset; anything else is literal.
 */
type Sym = unknown

function resolveSym(value: Sym): unknown {
  if (typeof value !== 'string') return value
  const party =
    /^\$(issuer|holder|attacker)(\.vm|\.obj|\.bare#holder|\.upper|\.jwk|\.jwk#0)?$/.exec(value)
  if (party !== null) {
    const p = parties[party[1] as Role]
    switch (party[2]) {
      case '.vm':
        return p.vm
      case '.obj':
        return { id: p.did, name: 'Example' }
      case '.bare#holder':
        return `${p.did}#${parties.holder.did.slice('did:key:'.length)}`
      case '.upper':
        return p.did.replace('did:key:', 'DID:KEY:')
      case '.jwk':
        return didJwkOf(p)
      case '.jwk#0':
        return `${didJwkOf(p)}#0`
      default:
        return p.did
    }
  }
  const time = /^t(-?[\d.]+)$/.exec(value)
  if (time !== null) return T + Number(time[1])
  const iso = /^iso(-?\d+)$/.exec(value)
  if (iso !== null) return new Date(NOW + Number(iso[1]) * 1000).toISOString().replace('.000', '')
  return value
}

type Mutation =
  | { op: 'header'; name: string; value: Sym }
  | { op: 'claim'; name: string; value: Sym }
  | { op: 'signer'; role: Role }
  | { op: 'envelope'; variant: string }
  | { op: 'json' }

interface Case {
  kind: 'credential' | 'presentation'
  by: By
  mutations: Mutation[]
  options: RefOptions
}

/** Protected header members and the values they are mutated to (`absent` deletes). */
const HEADER_VALUES: [names: string[], values: Sym[]][] = [
  [
    ['typ'],
    [
      'absent',
      'vc+jwt',
      'vp+jwt',
      'application/vc+jwt',
      'VC+JWT',
      'JWT',
      'vc+jwt ',
      ' vp+jwt',
      ['vc+jwt'],
      'vc+ld+json+jwt',
      'vc+sd-jwt',
      'ｖc+jwt',
      'vc+jwt\u0000',
    ],
  ],
  [['cty'], ['absent', 'vc', 'vp', 'JWT', 'application/vc', 'jwt', 7]],
  [
    ['kid'],
    [
      'absent',
      '$issuer.vm',
      '$holder.vm',
      '$attacker.vm',
      '$issuer',
      '$holder',
      '$issuer.bare#holder',
      '$issuer.jwk#0',
      '$attacker.jwk#0',
      '#key-1',
      42,
      ['$issuer.vm'],
    ],
  ],
  [['iss'], ['absent', '$issuer', '$holder', '$attacker', 42, '$issuer.obj']],
  [
    ['crit', 'b64', 'alg', 'jwk', 'exp'],
    ['absent', ['exp'], ['x'], [], true, false, 'none', 'ES256', 't-3600'],
  ],
]

/** Claims and the values they are mutated to. */
const CLAIM_VALUES: [names: string[], values: Sym[]][] = [
  [
    ['iss'],
    [
      'absent',
      '$issuer',
      '$holder',
      '$attacker',
      '$issuer.vm',
      '$issuer.upper',
      '$issuer.obj',
      '$issuer.jwk',
      42,
      ['$issuer'],
    ],
  ],
  [
    ['issuer', 'holder'],
    [
      'absent',
      '$issuer',
      '$holder',
      '$attacker',
      '$issuer.obj',
      '$holder.obj',
      '$attacker.obj',
      '$issuer.vm',
      '$issuer.upper',
      '$issuer.jwk',
      '$holder.jwk',
      { name: 'no id' },
      { id: 42 },
      ['$issuer'],
    ],
  ],
  [
    ['vc', 'vp'],
    ['absent', {}, null, 'x'],
  ],
  [
    ['@context'],
    [
      [V2],
      [V2, EX2],
      V2,
      [V1],
      [EX2, V2],
      [V1, V2],
      [],
      [V2, { VerifiableCredential: 'https://evil.example/VC' }],
      [V2, { type: '@type' }],
      [V2, { id: 'https://evil.example/id' }],
      [V2, { name: 'https://schema.org/name' }],
      [V2, { iss: 'https://evil.example/iss' }],
      [V2, { issuer: 'https://evil.example/issuer' }],
      [V2, { '@vocab': 'https://evil.example/' }],
      [V2, { VerifiablePresentation: { '@id': 'https://evil.example/VP' } }],
    ],
  ],
  [
    ['type'],
    [
      ['VerifiableCredential'],
      'VerifiableCredential',
      ['VerifiablePresentation'],
      'VerifiablePresentation',
      ['VerifiableCredential', 'VerifiablePresentation'],
      'absent',
    ],
  ],
  [
    ['iat'],
    ['absent', 't-3600', 't30', 't3600', '2010-01-01T19:23:24Z', 'x', null, true, [], {}, 't-10.5'],
  ],
  [
    ['nbf', 'exp'],
    ['absent', `t${-400 * DAY}`, 't-61', 't-30', 't30', 't61', 't3600', '1900000000', null, 0],
  ],
  [
    ['validFrom', 'validUntil'],
    [
      'absent',
      `iso${-400 * DAY}`,
      'iso-3600',
      'iso30',
      'iso3600',
      `iso${400 * DAY}`,
      '2040-01-01T00:00:00',
      '2020-01-01',
      'not a date',
      5,
    ],
  ],
  [['aud'], ['absent', AUDIENCE, OTHER_AUDIENCE, [OTHER_AUDIENCE, AUDIENCE], [OTHER_AUDIENCE], 42]],
  [
    ['nonce', 'sub', 'jti', 'cnf'],
    ['absent', NONCE, 'other', 5, { jwk: { kty: 'OKP' } }],
  ],
  [['credentialSubject'], [{ id: 'did:example:alice' }, 'absent', 'did:example:alice', []]],
]

/** Every (name, value) of a table, as mutations: the exhaustive single-mutation set. */
function mutationsOf(op: 'header' | 'claim', table: [string[], Sym[]][]): Mutation[] {
  return table.flatMap(([names, values]) =>
    names.flatMap((name) => values.map((value): Mutation => ({ op, name, value }))),
  )
}

function arbOf(op: 'header' | 'claim', table: [string[], Sym[]][]): fc.Arbitrary<Mutation> {
  return fc.oneof(
    ...table.map(([names, values]) =>
      fc.record({
        op: fc.constant(op),
        name: fc.constantFrom(...names),
        value: fc.constantFrom(...values),
      }),
    ),
  )
}

const headerArb = arbOf('header', HEADER_VALUES)
const claimArb = arbOf('claim', CLAIM_VALUES)

/**
 * Envelope variants of the presentation's credentials: what the data: URL says and holds.
 * `vc:<name>` swaps the credential inside (see `innerCredential`).
 */
const ENVELOPES = [
  'plain',
  'base64',
  'base64-nopad',
  'charset',
  'charset-after-base64',
  'upper-media',
  'percent-dots',
  'param-no-value',
  'space-media',
  'vc+sd-jwt',
  'vc+sd-jwt~',
  'vc+ld+json+jwt',
  'vc-ld+jwt',
  'application/jwt',
  'vp+jwt',
  'no-media',
  'text/plain',
  'fragment',
  'trailing-newline',
  'json-serialization',
  'wrapper-no-context',
  'wrapper-v1-context',
  'wrapper-extra-members',
  'wrapper-presentation-type',
  'wrapper-type-vc',
  'bare-string',
  'unsecured-object',
  'object-not-array',
  'two',
  'none',
  'vc:expired',
  'vc:attacker-says-issuer',
  'vc:untyped',
  'vc:aud-other',
  'vc:aud-ours',
  'vc:header-iss-attacker',
  'vc:null-iat',
  'vc:presentation',
  'vc:jose-made',
] as const

const envelopeArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constant('envelope' as const),
  variant: fc.constantFrom(...ENVELOPES),
})

const signerArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constant('signer' as const),
  role: fc.constantFrom<Role>('issuer', 'holder', 'attacker'),
})

/** A presentation's verify options: mostly the ones it was made for. */
const optionsArb: fc.Arbitrary<RefOptions> = fc.constantFrom<RefOptions>(
  { audience: AUDIENCE, nonce: NONCE },
  { audience: AUDIENCE, nonce: NONCE },
  { audience: AUDIENCE, nonce: NONCE },
  { audience: AUDIENCE },
  { nonce: NONCE },
  {},
  { audience: OTHER_AUDIENCE, nonce: NONCE },
  { audience: AUDIENCE, nonce: 'other-nonce' },
)

function caseArb(kind: 'credential' | 'presentation'): fc.Arbitrary<Case> {
  const mutation =
    kind === 'credential'
      ? fc.oneof(headerArb, claimArb, signerArb, fc.constant<Mutation>({ op: 'json' }))
      : fc.oneof(headerArb, claimArb, signerArb, envelopeArb, envelopeArb)
  return fc.record({
    kind: fc.constant(kind),
    by: fc.constantFrom<By>('credsign', 'jose'),
    mutations: fc.array(mutation, { minLength: 0, maxLength: 3 }),
    options:
      kind === 'credential'
        ? fc.constantFrom<RefOptions>({}, {}, { audience: AUDIENCE })
        : optionsArb,
  })
}

// ---------------------------------------------------------------------------------------------
// Building a case's input.

function credentialDocument(issuer: Party): Record<string, unknown> {
  return {
    '@context': [V2, EX2],
    id: 'urn:uuid:6a3c1a0e-3c55-4a43-8c1b-5b1d1d1f0a01',
    type: ['VerifiableCredential', 'ExampleCredential'],
    issuer: issuer.did,
    validFrom: new Date(NOW - 30 * DAY * 1000).toISOString().replace('.000', ''),
    credentialSubject: { id: 'did:example:alice', name: 'Alice' },
  }
}

/** A valid vc+jwt by the issuer, made by credsign or jose. */
async function baseCredential(by: By, issuer: Party = parties.issuer): Promise<string> {
  const document = credentialDocument(issuer)
  if (by === 'credsign')
    return new JwtVcSigner(issuer.signer, { now: () => NOW - 1000 }).sign(document)
  return new jose.SignJWT(document)
    .setProtectedHeader({ alg: issuer.alg, typ: 'vc+jwt', kid: issuer.vm, cty: 'vc' })
    .setIssuer(issuer.did)
    .setIssuedAt(T - 1)
    .sign(issuer.privateKey)
}

/** The credential an envelope variant carries. */
async function innerCredential(variant: string, by: By): Promise<string | Record<string, unknown>> {
  const issuer = parties.issuer
  const [headerB64, payloadB64] = (await baseCredential(by)).split('.') as [string, string]
  const header = decodePart(headerB64)
  const payload = decodePart(payloadB64)
  switch (variant) {
    case 'vc:expired':
      return signRawWith(issuer, header, { ...payload, validUntil: '2020-01-01T00:00:00Z' }, by)
    case 'vc:attacker-says-issuer':
      return signRawWith(parties.attacker, { ...header, kid: parties.attacker.vm }, payload, by)
    case 'vc:untyped': {
      const { typ: _typ, ...rest } = header
      void _typ
      return signRawWith(issuer, rest, payload, by)
    }
    case 'vc:aud-other':
      return signRawWith(issuer, header, { ...payload, aud: OTHER_AUDIENCE }, by)
    case 'vc:aud-ours':
      return signRawWith(issuer, header, { ...payload, aud: AUDIENCE }, by)
    case 'vc:header-iss-attacker':
      return signRawWith(issuer, { ...header, iss: parties.attacker.did }, payload, by)
    case 'vc:null-iat':
      return signRawWith(issuer, header, { ...payload, iat: null }, by)
    case 'vc:presentation':
      return new JwtVpSigner(parties.holder.signer, { now: () => NOW }).sign({
        '@context': [V2],
        type: ['VerifiablePresentation'],
        holder: parties.holder.did,
      })
    case 'vc:jose-made':
      return baseCredential('jose')
    case 'unsecured-object':
      return payload
    default:
      return signRawWith(issuer, header, payload, by)
  }
}

function envelopeOf(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { '@context': V2, id, type: 'EnvelopedVerifiableCredential', ...extra }
}

/** The presentation's `verifiableCredential` for an envelope variant. */
async function envelopeEntries(variant: string, by: By): Promise<unknown> {
  const credential = await innerCredential(variant, by)
  if (typeof credential !== 'string') return [credential]
  const vc = credential
  const b64 = Buffer.from(vc).toString('base64')
  switch (variant) {
    case 'base64':
      return [envelopeOf(`data:application/vc+jwt;base64,${b64}`)]
    case 'base64-nopad':
      return [envelopeOf(`data:application/vc+jwt;base64,${b64.replace(/=+$/, '')}`)]
    case 'charset':
      return [envelopeOf(`data:application/vc+jwt;charset=utf-8,${vc}`)]
    case 'charset-after-base64':
      return [envelopeOf(`data:application/vc+jwt;base64;charset=utf-8,${b64}`)]
    case 'upper-media':
      return [envelopeOf(`data:Application/VC+JWT,${vc}`)]
    case 'percent-dots':
      return [envelopeOf(`data:application/vc+jwt,${vc.replace(/\./g, '%2E')}`)]
    case 'param-no-value':
      return [envelopeOf(`data:application/vc+jwt;foo,${vc}`)]
    case 'space-media':
      return [envelopeOf(`data: application/vc+jwt ,${vc}`)]
    case 'vc+sd-jwt':
      return [envelopeOf(`data:application/vc+sd-jwt,${vc}`)]
    case 'vc+sd-jwt~':
      return [envelopeOf(`data:application/vc+sd-jwt,${vc}~`)]
    case 'vc+ld+json+jwt':
      return [envelopeOf(`data:application/vc+ld+json+jwt,${vc}`)]
    case 'vc-ld+jwt':
      return [envelopeOf(`data:application/vc-ld+jwt,${vc}`)]
    case 'application/jwt':
      return [envelopeOf(`data:application/jwt,${vc}`)]
    case 'vp+jwt':
      return [envelopeOf(`data:application/vp+jwt,${vc}`)]
    case 'no-media':
      return [envelopeOf(`data:,${vc}`)]
    case 'text/plain':
      return [envelopeOf(`data:text/plain,${vc}`)]
    case 'fragment':
      return [envelopeOf(`data:application/vc+jwt,${vc}#${parties.attacker.did}`)]
    case 'trailing-newline':
      return [envelopeOf(`data:application/vc+jwt,${vc}%0A`)]
    case 'json-serialization': {
      const [p, pl, s] = vc.split('.')
      const json = JSON.stringify({ protected: p, payload: pl, signature: s })
      return [envelopeOf(`data:application/vc+jwt,${encodeURIComponent(json)}`)]
    }
    case 'wrapper-no-context':
      return [{ id: `data:application/vc+jwt,${vc}`, type: 'EnvelopedVerifiableCredential' }]
    case 'wrapper-v1-context':
      return [envelopeOf(`data:application/vc+jwt,${vc}`, { '@context': [V1] })]
    case 'wrapper-extra-members':
      return [
        envelopeOf(`data:application/vc+jwt,${vc}`, {
          issuer: parties.attacker.did,
          credentialSubject: { id: 'did:example:mallory' },
        }),
      ]
    case 'wrapper-presentation-type':
      return [
        {
          '@context': V2,
          id: `data:application/vc+jwt,${vc}`,
          type: 'EnvelopedVerifiablePresentation',
        },
      ]
    case 'wrapper-type-vc':
      return [envelopeOf(`data:application/vc+jwt,${vc}`, { type: ['VerifiableCredential'] })]
    case 'bare-string':
      return [vc]
    case 'object-not-array':
      return envelopeOf(`data:application/vc+jwt,${vc}`)
    case 'two':
      return [envelopeCredential(vc), envelopeCredential(await baseCredential('jose'))]
    case 'none':
      return []
    default:
      return [envelopeCredential(vc)]
  }
}

function presentationDocument(): Record<string, unknown> {
  return {
    '@context': [V2, EX2],
    id: 'urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5',
    type: ['VerifiablePresentation'],
    holder: parties.holder.did,
  }
}

/** A valid vp+jwt by the holder with the enveloped credentials of `variant`. */
async function basePresentation(by: By, variant: string): Promise<string> {
  const holder = parties.holder
  const document = {
    ...presentationDocument(),
    verifiableCredential: await envelopeEntries(variant, by),
  }
  if (by === 'credsign') {
    try {
      return await new JwtVpSigner(holder.signer, { now: () => NOW - 1000 }).sign(document, {
        audience: AUDIENCE,
        nonce: NONCE,
        expiresIn: 600,
      })
    } catch {
      // JwtVpSigner refuses to sign some broken envelopes: jose signs those.
    }
  }
  return new jose.SignJWT({ ...document, nonce: NONCE })
    .setProtectedHeader({ alg: holder.alg, typ: 'vp+jwt', kid: holder.vm })
    .setIssuer(holder.did)
    .setAudience(AUDIENCE)
    .setIssuedAt(T - 1)
    .setExpirationTime(T + 599)
    .sign(holder.privateKey)
}

interface Built {
  input: unknown
  /** The same claims in compact form, when `input` is a JSON serialization. */
  compact: string
}

async function build(c: Case): Promise<Built> {
  const variant = c.mutations.find((m) => m.op === 'envelope')
  const base =
    c.kind === 'credential'
      ? await baseCredential(c.by)
      : await basePresentation(c.by, variant?.op === 'envelope' ? variant.variant : 'plain')
  const [headerB64, payloadB64] = base.split('.') as [string, string]
  const header = decodePart(headerB64)
  const payload = decodePart(payloadB64)
  let party = c.kind === 'credential' ? parties.issuer : parties.holder
  let json = false
  for (const mutation of c.mutations) {
    switch (mutation.op) {
      case 'header':
      case 'claim': {
        const target = mutation.op === 'header' ? header : payload
        const value = resolveSym(mutation.value)
        if (value === 'absent') delete target[mutation.name]
        else target[mutation.name] = Array.isArray(value) ? value.map((v) => resolveSym(v)) : value
        break
      }
      case 'signer':
        party = parties[mutation.role]
        header.alg = party.alg
        break
      case 'json':
        json = true
        break
      case 'envelope':
        break
    }
  }
  const compact = await signRawWith(party, header, payload, c.by)
  if (!json) return { input: compact, compact }
  const [p, pl, s] = compact.split('.')
  return { input: { protected: p, payload: pl, signature: s }, compact }
}

function verifyOptionsOf(options: RefOptions): VerifyOptions {
  return {
    now: NOW,
    clockToleranceSeconds: TOLERANCE,
    algorithms: ['EdDSA', 'ES256'],
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
  }
}

// ---------------------------------------------------------------------------------------------
// The property.

interface Tally {
  cases: number
  bothAccept: number
  oursOnlyRefused: number
  bothRefused: number
  documented: Map<string, number>
  codes: Map<string, number>
}
const tallies: Record<string, Tally> = {}
const tallyOf = (name: string): Tally =>
  (tallies[name] ??= {
    cases: 0,
    bothAccept: 0,
    oursOnlyRefused: 0,
    bothRefused: 0,
    documented: new Map(),
    codes: new Map(),
  })

function describeCase(c: Case, ours: VerificationResult, theirs: Verdict): string {
  return JSON.stringify(
    {
      case: c,
      credsign: {
        verified: ours.verified,
        format: ours.format,
        checks: ours.checks.map((check) => `${check.name}:${check.passed ? 'ok' : 'FAIL'}`),
        errors: ours.errors.map((e) => e.code),
      },
      reference: theirs,
    },
    null,
    1,
  )
}

/** Runs one case; returns why it breaks the property, or undefined. */
async function check(c: Case, tally: Tally): Promise<string | undefined> {
  const built = await build(c)
  const ours = await verify(built.input, verifyOptionsOf(c.options))
  // A JSON serialization: the reference judges the same claims in compact form (documented).
  const theirs = await reference(built.compact, c.kind, c.options)
  tally.cases += 1
  for (const error of ours.errors) {
    expect(DOCUMENTED_CODES).toContain(error.code)
    tally.codes.set(error.code, (tally.codes.get(error.code) ?? 0) + 1)
  }
  if (theirs.documented !== undefined || typeof built.input !== 'string') {
    const key = theirs.documented ?? 'JSON serialization'
    tally.documented.set(key, (tally.documented.get(key) ?? 0) + 1)
  }
  if (ours.verified && !theirs.accepted) {
    if (process.env.DIFF_VERBOSE)
      console.log('WRONG ACCEPT', JSON.stringify(c.mutations), c.by, theirs.reason)
    return describeCase(c, ours, theirs)
  }
  if (ours.verified) tally.bothAccept += 1
  else if (theirs.accepted) tally.oursOnlyRefused += 1
  else tally.bothRefused += 1
  return undefined
}

async function runProperty(name: string, arb: fc.Arbitrary<Case>): Promise<void> {
  const tally = tallyOf(name)
  const failures: string[] = []
  await fc.assert(
    fc.asyncProperty(arb, async (c) => {
      const failure = await check(c, tally)
      if (failure !== undefined) failures.push(failure)
      return failure === undefined
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  )
  expect(failures).toEqual([])
}

/** Every single mutation alone, on both bases: the exhaustive part of the hunt. */
async function everySingle(kind: 'credential' | 'presentation'): Promise<void> {
  const tally = tallyOf(`${kind} (each mutation alone)`)
  const singles: Mutation[] = [
    ...mutationsOf('header', HEADER_VALUES),
    ...mutationsOf('claim', CLAIM_VALUES),
  ]
  if (kind === 'presentation')
    for (const variant of ENVELOPES) singles.push({ op: 'envelope', variant })
  else singles.push({ op: 'json' })
  for (const role of ['holder', 'attacker'] as const) singles.push({ op: 'signer', role })
  const failures: string[] = []
  for (const mutation of singles) {
    for (const by of ['credsign', 'jose'] as const) {
      const failure = await check(
        {
          kind,
          by,
          mutations: [mutation],
          // Audience and nonce are a presentation's: credsign refuses to verify a credential
          // against them unless it carries an `aud` (expectation_unchecked).
          options: kind === 'credential' ? {} : { audience: AUDIENCE, nonce: NONCE },
        },
        tally,
      )
      if (failure !== undefined) failures.push(failure)
    }
  }
  expect(failures).toEqual([])
}

describe('VC-JOSE-COSE vc+jwt / vp+jwt: credsign is never looser than jose + the spec rules', () => {
  it('the bases verify on both sides (so every refusal below is the mutation)', async () => {
    for (const by of ['credsign', 'jose'] as const) {
      for (const kind of ['credential', 'presentation'] as const) {
        const c: Case = {
          kind,
          by,
          mutations: [],
          options: kind === 'credential' ? {} : { audience: AUDIENCE, nonce: NONCE },
        }
        const built = await build(c)
        const ours = await verify(built.input, verifyOptionsOf(c.options))
        expect(ours.errors).toEqual([])
        expect(ours.verified).toBe(true)
        expect(ours.format).toBe(kind === 'credential' ? 'vc+jwt' : 'vp+jwt')
        expect(await reference(built.compact, kind, c.options)).toEqual({ accepted: true })
      }
    }
  })

  it('each header / claim mutation alone, vc+jwt', async () => {
    await everySingle('credential')
  }, 30_000)

  it('each header / claim / envelope mutation alone, vp+jwt', async () => {
    await everySingle('presentation')
  }, 30_000)

  it('random combinations, vc+jwt', async () => {
    await runProperty('vc+jwt (combinations)', caseArb('credential'))
  }, 30_000)

  it('random combinations, vp+jwt with enveloped credentials', async () => {
    await runProperty('vp+jwt (combinations)', caseArb('presentation'))
  }, 30_000)

  it('every branch was exercised: both accept, credsign only refuses, both refuse', () => {
    for (const [name, tally] of Object.entries(tallies)) {
      expect(tally.cases, name).toBeGreaterThan(0)
      expect(tally.bothRefused, name).toBeGreaterThan(0)
      expect(tally.bothAccept, name).toBeGreaterThan(0)
      if (process.env.DIFF_VERBOSE)
        console.log(name, {
          ...tally,
          documented: Object.fromEntries(tally.documented),
          codes: Object.fromEntries(tally.codes),
        })
    }
  })
})

// ---------------------------------------------------------------------------------------------
// The defects this hunt found, pinned one by one (each failed before its fix in src/).

describe('VC-JOSE-COSE: wrong accepts found by the hunt', () => {
  const header = (party: Party, typ: string): Record<string, unknown> => ({
    alg: party.alg,
    typ,
    kid: party.vm,
  })

  it('a JOSE header iss other than the issuer / holder is refused (VC-JOSE-COSE Key Discovery: iss, if present, MUST match issuer)', async () => {
    const issuer = parties.issuer
    const payload = credentialDocument(issuer)
    const options = verifyOptionsOf({})
    // Control: the same token with a header iss that names the issuer verifies.
    const same = await signRawWith(
      issuer,
      { ...header(issuer, 'vc+jwt'), iss: issuer.did },
      payload,
      'jose',
    )
    expect((await verify(same, options)).verified).toBe(true)
    for (const iss of [parties.attacker.did, 42, { id: issuer.did }]) {
      const jwt = await signRawWith(issuer, { ...header(issuer, 'vc+jwt'), iss }, payload, 'jose')
      const result = await verify(jwt, options)
      expect(result.verified, JSON.stringify(iss)).toBe(false)
      expect(result.errors.map((e) => e.code)).toEqual(['claim_invalid'])
      expect((await reference(jwt, 'credential', {})).accepted).toBe(false)
    }
    // Beside a payload iss that names the issuer, too.
    const both = await signRawWith(
      issuer,
      { ...header(issuer, 'vc+jwt'), iss: parties.attacker.did },
      { ...payload, iss: issuer.did },
      'credsign',
    )
    expect((await verify(both, options)).errors.map((e) => e.code)).toEqual(['claim_invalid'])
    // A presentation: the header iss must be the holder.
    const holder = parties.holder
    const vp = await signRawWith(
      holder,
      { ...header(holder, 'vp+jwt'), iss: parties.attacker.did },
      {
        ...presentationDocument(),
        verifiableCredential: [envelopeCredential(await baseCredential('credsign'))],
      },
      'jose',
    )
    expect((await verify(vp, options)).errors.map((e) => e.code)).toEqual(['claim_invalid'])
    // The JSON serialization's unprotected header is a JOSE header too.
    const protectedB64 = b64uJson({ alg: issuer.alg, typ: 'vc+jwt' })
    const payloadB64 = b64uJson(payload)
    const signature = b64u(await issuer.signer.sign(utf8(`${protectedB64}.${payloadB64}`)))
    const flattened = await verify(
      {
        protected: protectedB64,
        header: { kid: issuer.vm, iss: parties.attacker.did },
        payload: payloadB64,
        signature,
      },
      options,
    )
    expect(flattened.errors.map((e) => e.code)).toEqual(['claim_invalid'])
    const control = await verify(
      { protected: protectedB64, header: { kid: issuer.vm }, payload: payloadB64, signature },
      options,
    )
    expect(control.verified).toBe(true)
  })

  it('an iat that is neither a NumericDate nor a dateTime string (null, boolean, array, object, other strings) is refused, as jose does', async () => {
    const issuer = parties.issuer
    const options = verifyOptionsOf({})
    for (const iat of [null, true, [], {}, [T], 'x', '', String(T), '2010-13-01T00:00:00Z']) {
      const jwt = await signRawWith(
        issuer,
        header(issuer, 'vc+jwt'),
        { ...credentialDocument(issuer), iat },
        'credsign',
      )
      const result = await verify(jwt, options)
      expect(result.verified, JSON.stringify(iat)).toBe(false)
      expect(result.errors.map((e) => e.code)).toEqual(['claim_invalid'])
      expect((await reference(jwt, 'credential', {})).accepted).toBe(false)
    }
    // The W3C suite's dateTime iat still verifies (documented), and so does a numeric one.
    for (const iat of ['2010-01-01T19:23:24Z', T - 10]) {
      const jwt = await signRawWith(
        issuer,
        header(issuer, 'vc+jwt'),
        { ...credentialDocument(issuer), iat },
        'credsign',
      )
      expect((await verify(jwt, options)).verified).toBe(true)
    }
    // Inside a presentation: the enveloped credential with a null iat fails the presentation.
    const c: Case = {
      kind: 'presentation',
      by: 'jose',
      mutations: [{ op: 'envelope', variant: 'vc:null-iat' }],
      options: {},
    }
    const vp = await verify((await build(c)).input, verifyOptionsOf({}))
    expect(vp.errors.map((e) => e.code)).toContain('embedded_credential_invalid')
  })

  // Found by this hunt: the base context's top-level terms are @protected (src/credential/
  // validate-context.ts `checkContext`).
  it('an inline context redefining a protected term of the base context is refused (VC-JOSE-COSE Validation: well-formed compact JSON-LD)', async () => {
    const issuer = parties.issuer
    const options = verifyOptionsOf({})
    const evil = { VerifiableCredential: 'https://evil.example/VC' }
    const redefined = { ...credentialDocument(issuer), '@context': [V2, EX2, evil] }
    const jwt = await signRawWith(issuer, header(issuer, 'vc+jwt'), redefined, 'jose')
    expect(redefinesProtectedTerm(redefined)).toBe(true)
    expect((await verify(jwt, options)).errors.map((e) => e.code)).toEqual(['credential_invalid'])
    // The same in a vc+sd-jwt, and in a vp+jwt's own @context.
    const sd = `${await signRawWith(issuer, header(issuer, 'vc+sd-jwt'), { ...redefined, _sd_alg: 'sha-256' }, 'jose')}~`
    expect((await verify(sd, options)).errors.map((e) => e.code)).toEqual(['credential_invalid'])
    const vp = await signRawWith(
      parties.holder,
      header(parties.holder, 'vp+jwt'),
      {
        ...presentationDocument(),
        '@context': [V2, { VerifiablePresentation: 'https://evil.example/VP' }],
      },
      'jose',
    )
    expect((await verify(vp, options)).errors.map((e) => e.code)).toEqual(['credential_invalid'])
    // Credsign does not sign one either.
    await expect(new JwtVcSigner(issuer.signer).sign(redefined)).rejects.toMatchObject({
      code: 'credential_invalid',
    })
    // Controls: a new term, and the id / type keyword aliases as the base context has them.
    for (const inline of [{ ex: 'https://example.org/ex#' }, { id: '@id', type: '@type' }]) {
      const ok = await signRawWith(
        issuer,
        header(issuer, 'vc+jwt'),
        { ...credentialDocument(issuer), '@context': [V2, inline] },
        'jose',
      )
      expect((await verify(ok, options)).errors).toEqual([])
    }
  })

  it('the same two, in a vc+sd-jwt on its own and enveloped as application/vc+sd-jwt in a vp+jwt', async () => {
    const issuer = parties.issuer
    const options = verifyOptionsOf({})
    const sdJwt = async (
      extraHeader: Record<string, unknown>,
      extraClaims: Record<string, unknown>,
    ) =>
      `${await signRawWith(
        issuer,
        { ...header(issuer, 'vc+sd-jwt'), ...extraHeader },
        { ...credentialDocument(issuer), _sd_alg: 'sha-256', ...extraClaims },
        'jose',
      )}~`
    const inPresentation = async (credential: string) =>
      verify(
        await signRawWith(
          parties.holder,
          header(parties.holder, 'vp+jwt'),
          {
            ...presentationDocument(),
            verifiableCredential: [envelopeCredential(credential, 'application/vc+sd-jwt')],
          },
          'jose',
        ),
        options,
      )
    // Controls: the issuer-signed JWT with an iss header naming the issuer, and a dateTime iat.
    for (const good of [
      await sdJwt({ iss: issuer.did }, {}),
      await sdJwt({}, { iat: '2010-01-01T19:23:24Z' }),
    ]) {
      expect((await verify(good, options)).errors).toEqual([])
      expect((await inPresentation(good)).errors).toEqual([])
    }
    for (const bad of [
      await sdJwt({ iss: parties.attacker.did }, {}),
      await sdJwt({ iss: 42 }, {}),
      await sdJwt({}, { iat: null }),
      await sdJwt({}, { iat: true }),
      await sdJwt({}, { iat: 'yesterday' }),
    ]) {
      expect((await verify(bad, options)).errors.map((e) => e.code)).toEqual(['claim_invalid'])
      expect((await inPresentation(bad)).errors.map((e) => e.code)).toEqual([
        'embedded_credential_invalid',
      ])
    }
  })
})

// ---------------------------------------------------------------------------------------------
// The official VC-JOSE-COSE suite tokens (../shared/vectors/w3c-vc-jose-cose-test-suite, W3C
// Software and Document License; copied to test/fixtures/vectors), mutated and re-signed with the
// suite's Ed25519 key (vm-ed25519.json), an https issuer whose key a staticResolver binds to it.

describe('VC-JOSE-COSE suite token, mutated with the suite key', () => {
  const ISSUER = 'https://example.issuer/vc-jose-cose'
  const SUITE_NOW = Date.UTC(2025, 0, 1)
  const resolver = staticResolver({ keys: [vmEd25519.publicKeyJwk] } as never, {
    controller: ISSUER,
  })
  const privateKey = (): KeyObject =>
    createPrivateKey({ key: vmEd25519.secretKeyJwk as never, format: 'jwk' })

  async function suiteVerdicts(header: Record<string, unknown>, payload: Record<string, unknown>) {
    const jwt = await new jose.CompactSign(utf8(JSON.stringify(payload)))
      .setProtectedHeader(header as jose.CompactJWSHeaderParameters)
      .sign(privateKey())
    const ours = await verify(jwt, { resolver, now: SUITE_NOW })
    let theirs = true
    try {
      const publicKey = createPublicKey({ key: vmEd25519.publicKeyJwk as never, format: 'jwk' })
      const { iat: _iat, ...rest } = payload
      void _iat
      await jose.compactVerify(jwt, publicKey)
      jose.UnsecuredJWT.decode(`${b64uJson({ alg: 'none' })}.${b64uJson(rest)}.`, {
        currentDate: new Date(SUITE_NOW),
      })
      for (const iss of [payload.iss, header.iss])
        if (iss !== undefined && iss !== partyId(payload.issuer)) theirs = false
      if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'vc+jwt') theirs = false
    } catch {
      theirs = false
    }
    return { ours, theirs }
  }

  it('the header and claim mutations of credential-issuer-match-signed.txt', async () => {
    const [headerB64, payloadB64] = tokens['credential-issuer-match-signed.txt'].split('.') as [
      string,
      string,
    ]
    const header = decodePart(headerB64)
    const payload = decodePart(payloadB64)
    const variants: [Record<string, unknown>, Record<string, unknown>][] = [
      [header, payload],
      [{ ...header, iss: 'https://attacker.example' }, payload],
      [{ ...header, iss: ISSUER }, payload],
      [header, { ...payload, iss: 'https://attacker.example' }],
      [header, { ...payload, issuer: { id: ISSUER, name: 'Example' } }],
      [header, { ...payload, issuer: 'https://attacker.example', iss: 'https://attacker.example' }],
      [header, { ...payload, iat: null }],
      [header, { ...payload, iat: true }],
      [{ ...header, typ: 'bad+typ' }, payload],
      [{ ...header, cty: 'vp' }, payload],
    ]
    let accepted = 0
    for (const [h, p] of variants) {
      const { ours, theirs } = await suiteVerdicts(h, p)
      if (ours.verified) {
        accepted += 1
        expect(theirs, JSON.stringify({ h, p })).toBe(true)
      }
    }
    expect(accepted).toBeGreaterThanOrEqual(3)
  })
})
