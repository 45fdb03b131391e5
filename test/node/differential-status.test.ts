// A differential wrong-accept hunt on status checking during verify(): valid credentials and lists
// are issued, then the list and the entry are mutated, and credsign's verdict is compared with
// independent references and with the specifications. The one rule: credsign never says "status
// checked, not set" where a reference or a specification MUST reports the credential revoked or
// refuses the list, unless the row names the specification text that sides with credsign.
// - W3C Bitstring Status List v1.0 (W3C Recommendation): lists and credentials secured with
//   eddsa-rdfc-2022, checked by @digitalbazaar/vc-bitstring-status-list's checkStatus (which
//   verifies the list's proof with @digitalbazaar/vc and compares the issuers) and by credsign's
//   verify() with the Data Integrity handler; the spec's section 2.1 (entry), 2.2 (list) and 3.2
//   (Validate Algorithm).
// - IETF Token Status List (draft-ietf-oauth-status-list, section 5.1 claims and 8.3 validation
//   rules): SD-JWT VCs and statuslist+jwt lists checked by @sd-jwt/sd-jwt-vc's SDJwtVcInstance
//   (statusListFetcher / statusVerifier; it verifies the list JWT's signature and iat / nbf / exp
//   and reads the index with @sd-jwt/jwt-status-list) and by credsign's verify().
// Where the references are looser than the specifications (Digital Bazaar never compares the list's
// id with the URL it was fetched from; sd-jwt-js checks neither typ, sub nor ttl), credsign
// follows the specification, and the row says so.
// Found and fixed by this test (each case fails before its fix): an entry whose id is the list URL;
// a list secured as an SD-JWT with its id withheld; a token list claiming the issuer's iss on a key
// nothing binds to it; a cached Data Integrity list used past its proof's expires.
// @ts-expect-error -- no type declarations
import * as dbStatus from '@digitalbazaar/vc-bitstring-status-list'
// @ts-expect-error -- no type declarations
import { DataIntegrityProof } from '@digitalbazaar/data-integrity'
// @ts-expect-error -- no type declarations
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite'
// @ts-expect-error -- no type declarations
import jsigs from 'jsonld-signatures'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { createHash, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto'
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { DB_CONTEXTS, didKeyDriver } from './fixtures/digital-bazaar.js'
import {
  DataIntegritySigner,
  createDocumentLoader,
  dataIntegrityHandler,
} from '../../src/formats/data-integrity/index.js'
import {
  asDidSigner,
  createBitstring,
  JwtVcSigner,
  createStatusListResolver,
  CredsignError,
  KeyVault,
  MemoryStore,
  SdJwtVcSigner,
  signJwt,
  verify,
  writeBitstringStatus,
  type Signer,
  type VerificationResult,
} from '../../src/index.js'
import { b64u } from '../../src/util/bytes.js'
import { tokenList, type TokenListOptions } from '../core/status-helpers.js'

type Json = Record<string, unknown>
const V2 = 'https://www.w3.org/ns/credentials/v2'
const LIST_URL = 'https://issuer.example/status/differential'
const TOKEN_URI = 'https://issuer.example/tsl/differential'

let issuer: Signer
let other: Signer
const publicKeys = new Map<string, KeyObject>()

const didOf = (signer: Signer): string => signer.id.split('#')[0] as string
const codes = (result: VerificationResult): string[] => result.errors.map((error) => error.code)

beforeAll(async () => {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: new Uint8Array(32).fill(7),
    kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
  })
  for (const [id, fill] of [
    ['issuer', 11],
    ['other', 12],
  ] as const) {
    const seed = new Uint8Array(32).fill(fill)
    await vault.import({ id, secrets: ['s'], key: { seed, algorithm: 'Ed25519' } })
  }
  issuer = asDidSigner(await vault.unlock('issuer', ['s']))
  other = asDidSigner(await vault.unlock('other', ['s']))
  for (const signer of [issuer, other])
    publicKeys.set(signer.id, createPublicKey({ key: signer.publicJwk as never, format: 'jwk' }))
})

// ---------------------------------------------------------------------------------------------
// W3C Bitstring Status List against @digitalbazaar/vc-bitstring-status-list
// ---------------------------------------------------------------------------------------------

const credsignContexts = createDocumentLoader()
/** DB's document loader: did:key through DB's driver, contexts from DB's packages, `lists` by URL. */
function dbLoader(lists: Record<string, unknown>) {
  return jsigs.extendContextLoader(async (url: string) => {
    if (Object.hasOwn(lists, url))
      return { contextUrl: null, documentUrl: url, document: structuredClone(lists[url]) }
    if (url.startsWith('did:key:'))
      return { contextUrl: null, documentUrl: url, document: await didKeyDriver.get({ url }) }
    const known = DB_CONTEXTS.get(url)
    if (known !== undefined)
      return { contextUrl: null, documentUrl: url, document: known, tag: 'static' }
    const { document } = await credsignContexts(url)
    return { contextUrl: null, documentUrl: url, document: structuredClone(document) }
  }) as (url: string) => Promise<{ document: unknown }>
}

const diSigner = (signer: Signer) =>
  new DataIntegritySigner(signer, { cryptosuite: 'eddsa-rdfc-2022' })

/** The GZIP'd, multibase `encodedList` of a bitstring with `set` (index → value) written. */
function encodedListOf(set: Record<number, number> = {}, entries = 131_072, size = 1): string {
  const bits = createBitstring(entries, size)
  for (const [index, value] of Object.entries(set))
    writeBitstringStatus(bits, Number(index), value, size)
  return `u${b64u(gzipSync(bits))}`
}

/** An unsigned BitstringStatusListCredential of `issuerDid` at `url`, bit 3 set. */
function listCredential(issuerDid: string, url = LIST_URL): Json {
  return {
    '@context': [V2],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: issuerDid,
    credentialSubject: {
      id: `${url}#list`,
      type: 'BitstringStatusList',
      statusPurpose: 'revocation',
      encodedList: encodedListOf({ 3: 1 }),
    },
  }
}

function entryAt(index: string, extra: Json = {}): Json {
  return {
    id: `${LIST_URL}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: index,
    statusListCredential: LIST_URL,
    ...extra,
  }
}

/** What a verifier concluded: status read and not set, set (revoked), or the check refused. */
type Verdict = 'unset' | 'set' | 'refused'

interface BitstringCase {
  name: string
  /** The credential's entry (default: index 4, not set on the list). */
  entry?: Json
  /** Changes to the unsigned list credential before it is signed. */
  list?: (list: Json) => void
  /** Who signs the list (default the credential's issuer). */
  listSigner?: 'other'
  /** Changes to the signed list (after its proof was made). */
  afterSigning?: (list: Json) => void
  /** More options of createStatusListResolver. */
  extra?: Json
  ours: string[]
  /** DB's verdict. */
  reference: Verdict
  /** Why credsign's verdict differs from DB's, from the specification. */
  why?: string
}

const BITSTRING_CASES: BitstringCase[] = [
  { name: 'baseline: index 4, not set', ours: [], reference: 'unset' },
  {
    name: 'baseline: index 3, set',
    entry: entryAt('3'),
    ours: ['status_revoked'],
    reference: 'set',
  },
  {
    name: 'the list of another issuer, signed by its key',
    list: (list) => (list.issuer = 'OTHER'),
    listSigner: 'other',
    ours: ['status_list_issuer_mismatch'],
    reference: 'refused',
  },
  {
    name: "a list naming the credential's issuer, signed by another key",
    listSigner: 'other',
    ours: ['status_list_not_verified'],
    reference: 'refused',
  },
  {
    name: 'a list whose proof no longer verifies (a bit cleared after signing)',
    entry: entryAt('3'),
    afterSigning: (list) => ((list.credentialSubject as Json).encodedList = encodedListOf()),
    ours: ['status_list_not_verified'],
    reference: 'refused',
  },
  {
    name: 'a list without the BitstringStatusListCredential type',
    list: (list) => (list.type = ['VerifiableCredential']),
    ours: ['status_list_not_verified'],
    reference: 'refused',
  },
  {
    name: 'a list subject type written as an array',
    list: (list) => ((list.credentialSubject as Json).type = ['BitstringStatusList']),
    ours: [],
    reference: 'refused',
    why: 'section 2.2 requires the type BitstringStatusList; ["BitstringStatusList"] is the same JSON-LD type (the same RDF, so the same eddsa-rdfc-2022 proof verifies both), and VCDM 2.0 section 4.5 lets type be one string or a set; DB compares the JSON string',
  },
  {
    name: 'an entry of purpose suspension on a list of purpose revocation',
    entry: entryAt('3', { statusPurpose: 'suspension' }),
    ours: ['status_purpose_mismatch'],
    reference: 'refused',
  },
  {
    name: 'a list of purposes [suspension, revocation], an entry of revocation, set',
    entry: entryAt('3'),
    list: (list) => ((list.credentialSubject as Json).statusPurpose = ['suspension', 'revocation']),
    ours: ['status_revoked'],
    reference: 'refused',
  },
  {
    name: 'a list of purposes [suspension, revocation], an entry of revocation, not set',
    list: (list) => ((list.credentialSubject as Json).statusPurpose = ['suspension', 'revocation']),
    ours: [],
    reference: 'refused',
    why: 'section 3.2 step 5: the status purpose must equal "a statusPurpose value in the statusListCredential", whose note says one list may carry several purposes; DB compares the whole value with the entry string',
  },
  {
    name: 'a list served at the entry URL whose id is another list (a redirect, a substitution)',
    list: (list) => (list.id = `${LIST_URL}/other`),
    ours: ['status_list_not_verified'],
    reference: 'unset',
    why: "a list that names itself another URL is another list (of the same issuer: another population, an older version); credsign holds a list's stated id to the entry's statusListCredential, DB never compares them",
  },
  {
    name: 'a list past its validUntil',
    list: (list) => {
      list.validFrom = '2020-01-01T00:00:00Z'
      list.validUntil = '2021-01-01T00:00:00Z'
    },
    ours: ['status_list_expired'],
    reference: 'refused',
  },
  {
    name: 'a list not valid yet (validFrom in 2100)',
    list: (list) => (list.validFrom = '2100-01-01T00:00:00Z'),
    ours: ['status_list_expired'],
    reference: 'refused',
  },
  {
    name: 'a list of 131,064 entries (16,383 bytes, below the 16 KB minimum)',
    list: (list) =>
      ((list.credentialSubject as Json).encodedList = `u${b64u(gzipSync(new Uint8Array(16_383)))}`),
    ours: ['status_list_too_short'],
    reference: 'unset',
    why: 'section 3.2 step 9: fewer than minimumNumberOfEntries (131,072) entries is a STATUS_LIST_LENGTH_ERROR (herd privacy, section 6.1); DB does not count',
  },
  {
    name: 'an index past the end (131,072)',
    entry: entryAt('131072'),
    ours: ['status_index_out_of_range'],
    reference: 'refused',
  },
  {
    name: 'an entry whose id is the status list URL',
    entry: entryAt('4', { id: LIST_URL }),
    ours: ['status_entry_invalid'],
    reference: 'refused',
  },
  {
    name: 'an entry whose id is the status list URL, spelled with the default port',
    entry: entryAt('4', { id: LIST_URL.replace('issuer.example', 'issuer.example:443') }),
    ours: ['status_entry_invalid'],
    reference: 'unset',
    why: 'section 2.1 again: https://issuer.example:443/… is the same URL (WHATWG URL parsing drops the default port); DB compares the strings',
  },
  {
    name: 'a list that itself carries a credentialStatus',
    list: (list) =>
      (list.credentialStatus = entryAt('5', { statusListCredential: `${LIST_URL}/meta` })),
    ours: [],
    reference: 'refused',
    why: "section 3.2 does not look at a list's own status (and credsign does not fetch it: the list's status is a visible status_unchecked check of its verification); DB refuses because @digitalbazaar/vc's verifyCredential requires a checkStatus function for any credential with a credentialStatus, a precondition of its API rather than a rule of the specification",
  },
  {
    name: 'encodedList without the multibase prefix',
    list: (list) =>
      ((list.credentialSubject as Json).encodedList = b64u(gzipSync(createBitstring(131_072)))),
    ours: ['status_list_invalid'],
    reference: 'refused',
  },
  {
    name: 'encodedList in padded base64url',
    list: (list) => {
      const subject = list.credentialSubject as Json
      subject.encodedList = `${String(subject.encodedList)}${'='.repeat((4 - ((String(subject.encodedList).length - 1) % 4)) % 4)}`
    },
    ours: ['status_list_invalid'],
    reference: 'unset',
    why: 'section 2.2: encodedList is Multibase base64url without padding (section 3.1, Bitstring Generation); DB decodes padded base64url too',
  },
  {
    name: 'encodedList as ZLIB instead of GZIP',
    list: (list) =>
      ((list.credentialSubject as Json).encodedList =
        `u${b64u(deflateSync(createBitstring(131_072)))}`),
    ours: ['status_list_invalid'],
    reference: 'unset',
    why: 'section 3.1 (Bitstring Generation): the bitstring is compressed with GZIP (RFC 1952); pako, under DB, detects ZLIB and reads it too',
  },
  {
    name: 'encodedList as raw DEFLATE',
    list: (list) =>
      ((list.credentialSubject as Json).encodedList =
        `u${b64u(deflateRawSync(createBitstring(131_072)))}`),
    ours: ['status_list_invalid'],
    reference: 'refused',
  },
  {
    name: 'encodedList GZIP with trailing garbage',
    list: (list) => {
      const gz = gzipSync(createBitstring(131_072))
      ;(list.credentialSubject as Json).encodedList =
        `u${b64u(Buffer.concat([gz, Buffer.from('garbage')]))}`
    },
    ours: ['status_list_invalid'],
    reference: 'refused',
  },
  {
    // Zero bytes after the GZIP member: pako (under DB) and Node's inflater skip them, Chromium's
    // DecompressionStream refuses them; credsign refuses them on every runtime.
    name: 'encodedList GZIP with trailing zero bytes, bit 3 set',
    entry: entryAt('3'),
    list: (list) =>
      ((list.credentialSubject as Json).encodedList =
        `u${b64u(Buffer.concat([gzipSync(createBitstring(131_072).fill(0x10)), Buffer.alloc(8)]))}`),
    ours: ['status_list_invalid'],
    reference: 'set',
    why: 'section 3.1 (Bitstring Generation): the bitstring is compressed with GZIP, one RFC 1952 member, nothing after it; credsign gives one answer on every runtime (Chromium refuses the padding, pako and Node skip it)',
  },
  {
    // Two GZIP members: pako (under DB) and Node read the concatenation, so index 131,075 is bit 3
    // of the second member; Chromium's DecompressionStream, and decoders reading one member (Rust
    // flate2's GzDecoder), do not.
    name: 'encodedList of two GZIP members, an index in the second',
    entry: entryAt('131075'),
    list: (list) => {
      const bits = createBitstring(131_072)
      writeBitstringStatus(bits, 3, 1)
      ;(list.credentialSubject as Json).encodedList =
        `u${b64u(Buffer.concat([gzipSync(createBitstring(131_072)), gzipSync(bits)]))}`
    },
    ours: ['status_list_invalid'],
    reference: 'set',
    why: 'section 3.1 (Bitstring Generation) compresses the bitstring with GZIP, one member; RFC 1952 section 2.2 lets a file hold several, but a list whose length depends on whether the decoder reads past the first (Chromium and flate2 GzDecoder do not, pako does) is refused on every runtime',
  },
  {
    name: 'a zip bomb past maxListBytes',
    list: (list) =>
      ((list.credentialSubject as Json).encodedList =
        `u${b64u(gzipSync(new Uint8Array(4 * 1024 * 1024)))}`),
    extra: { maxListBytes: 1024 * 1024 },
    ours: ['status_list_too_large'],
    reference: 'unset',
    why: 'section 7 (security) leaves resources to the verifier: credsign stops inflating at maxListBytes, DB inflates all of it',
  },
  {
    // DB implements no statusSize: it reads bit 5, where the spec reads bits 10 and 11 (value 2).
    name: 'statusSize 2 with statusMessage, index 5 holding 2',
    entry: entryAt('5', {
      statusSize: 2,
      statusMessage: [0, 1, 2, 3].map((n) => ({ status: `0x${n}`, message: `m${n}` })),
    }),
    list: (list) =>
      ((list.credentialSubject as Json).encodedList = encodedListOf({ 5: 2 }, 131_072, 2)),
    ours: ['status_revoked'],
    reference: 'unset',
  },
  {
    name: 'statusSize 2 on a list of 131,072 bits (65,536 two-bit entries)',
    entry: entryAt('4', {
      statusSize: 2,
      statusMessage: [0, 1, 2, 3].map((n) => ({ status: `0x${n}`, message: `m${n}` })),
    }),
    ours: ['status_list_too_short'],
    reference: 'unset',
    why: 'section 3.2 step 9: the bitstring length divided by statusSize must reach 131,072 entries',
  },
  {
    name: 'a list with a second proof that does not verify',
    afterSigning: (list) => {
      const proof = list.proof as Json
      list.proof = [proof, { ...proof, proofValue: `z${'1'.repeat(86)}` }]
    },
    ours: ['status_list_not_verified'],
    reference: 'unset',
    why: 'section 3.2 step 4: "ensure that all proofs verify successfully" (else STATUS_VERIFICATION_ERROR); @digitalbazaar/vc accepts the set on its one good proof',
  },
]

// Section 2.1: statusListIndex "MUST be an arbitrary size integer greater than or equal to 0,
// expressed as a string in base 10". DB reads parseInt(index, 10), a prefix: "0x10" as 0, "1e3" as
// 1, " 5" and "5.0" as 5, "-1" as -1 (out of range); credsign refuses anything but the canonical
// decimal form rather than guess which index was meant.
const NOT_BASE_10 =
  'section 2.1: statusListIndex is a base-10 integer string; credsign refuses any other form rather than read a prefix of it as DB does (parseInt)'
for (const [index, ours, reference] of [
  ['01', ['status_entry_invalid'], 'unset'],
  ['1e3', ['status_entry_invalid'], 'unset'],
  [' 5', ['status_entry_invalid'], 'unset'],
  ['5 ', ['status_entry_invalid'], 'unset'],
  ['0x10', ['status_entry_invalid'], 'unset'],
  ['5.0', ['status_entry_invalid'], 'unset'],
  ['+5', ['status_entry_invalid'], 'unset'],
  ['-1', ['status_entry_invalid'], 'refused'],
  ['', ['status_entry_invalid'], 'refused'],
  ['4294967296', ['status_index_out_of_range'], 'refused'],
  ['99999999999999999999', ['status_entry_invalid'], 'refused'],
] as const)
  BITSTRING_CASES.push({
    name: `statusListIndex ${JSON.stringify(index)}`,
    entry: entryAt(index, { id: `${LIST_URL}#entry` }),
    ours: [...ours],
    reference,
    why: NOT_BASE_10,
  })

async function dbVerdict(credential: Json, list: Json): Promise<Verdict> {
  const checked = (await dbStatus.checkStatus({
    credential,
    documentLoader: dbLoader({ [LIST_URL]: list }),
    suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
    verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: true,
  })) as { verified: boolean; error?: Error; results?: { status: boolean }[] }
  if (!checked.verified || checked.error !== undefined) return 'refused'
  return checked.results?.[0]?.status === true ? 'set' : 'unset'
}

function oursVerdict(result: VerificationResult): Verdict {
  if (result.errors.length > 0)
    return result.errors.every((error) => error.code === 'status_revoked') ? 'set' : 'refused'
  return 'unset'
}

describe('W3C Bitstring Status List: credsign against @digitalbazaar/vc-bitstring-status-list', () => {
  it.each(BITSTRING_CASES)('$name', async (testCase) => {
    const listSigner = testCase.listSigner === 'other' ? other : issuer
    const unsigned = listCredential(didOf(issuer))
    testCase.list?.(unsigned)
    if (unsigned.issuer === 'OTHER') unsigned.issuer = didOf(other)
    const list = (await diSigner(listSigner).sign(unsigned, {
      allowIssuerMismatch: true,
    })) as Json
    testCase.afterSigning?.(list)
    const credential = (await diSigner(issuer).sign({
      '@context': [V2],
      type: ['VerifiableCredential'],
      issuer: didOf(issuer),
      credentialSubject: { id: 'did:example:alice' },
      credentialStatus: testCase.entry ?? entryAt('4'),
    })) as Json
    const result = await verify(credential, {
      handlers: [dataIntegrityHandler()],
      statusLists: createStatusListResolver({ lists: { [LIST_URL]: list }, ...testCase.extra }),
    })
    expect(codes(result)).toEqual(testCase.ours)
    const ours = oursVerdict(result)
    const reference = await dbVerdict(credential, list)
    expect(reference, 'the reference verdict').toBe(testCase.reference)
    // The rule: credsign says "not set" only where the reference says so too, or the specification
    // sides with credsign (the row says why).
    if (ours === 'unset' && reference !== 'unset') expect(testCase.why).toBeDefined()
    // And credsign never says "not set" where the reference reads the bit set.
    if (reference === 'set') expect(ours).not.toBe('unset')
  })

  it('a cached list is used for its ttl (milliseconds) at most: a revocation published since is seen once it passes', async () => {
    const listWith = async (set: Record<number, number>): Promise<string> => {
      const unsigned = listCredential(didOf(issuer))
      const subject = unsigned.credentialSubject as Json
      subject.encodedList = encodedListOf(set)
      subject.ttl = 60_000
      return JSON.stringify(await diSigner(issuer).sign(unsigned))
    }
    let body = await listWith({ 3: 1 })
    const fetched: string[] = []
    let clock = Date.now()
    const statusLists = createStatusListResolver({
      fetch: async (url: string) => {
        fetched.push(url)
        return new Response(body, { headers: { 'content-type': 'application/vc' } })
      },
      clock: () => clock,
    })
    const credential = (await diSigner(issuer).sign({
      '@context': [V2],
      type: ['VerifiableCredential'],
      issuer: didOf(issuer),
      credentialSubject: { id: 'did:example:alice' },
      credentialStatus: entryAt('4'),
    })) as Json
    // One handler list: a list a plug-in handler verified is reused only under the same handlers.
    const handlers = [dataIntegrityHandler()]
    const check = async () => codes(await verify(credential, { handlers, statusLists }))
    expect(await check()).toEqual([])
    // The issuer revokes index 4 and publishes the list again.
    body = await listWith({ 3: 1, 4: 1 })
    expect(await dbVerdict(credential, JSON.parse(body) as Json)).toBe('set')
    // Section 2.2: ttl is the time "before the status list … should be refreshed": inside it the
    // cached list may answer, past it never.
    clock += 59_000
    expect(await check()).toEqual([])
    expect(fetched).toHaveLength(1)
    clock += 2_000
    expect(await check()).toEqual(['status_revoked'])
    expect(fetched).toHaveLength(2)
  })

  it('a cached Data Integrity list is not used past the expires of its proof', async () => {
    // Section 3.2 step 4: the list's proofs must verify; a proof past its `expires` does not (VC
    // Data Integrity section 4.3 (Verify Proof): "expires" in the past is an error). The cache
    // must not hand the list out past that time, as it does not past validUntil or a JWT exp.
    const t0 = Date.now()
    let clock = t0
    const unsigned = listCredential(didOf(issuer))
    ;(unsigned.credentialSubject as Json).ttl = 3_600_000
    const list = await new DataIntegritySigner(issuer, {
      cryptosuite: 'eddsa-rdfc-2022',
      expires: new Date(t0 + 30_000),
    }).sign(unsigned)
    const statusLists = createStatusListResolver({
      fetch: async () =>
        new Response(JSON.stringify(list), { headers: { 'content-type': 'application/vc' } }),
      clock: () => clock,
    })
    const credential = (await diSigner(issuer).sign({
      '@context': [V2],
      type: ['VerifiableCredential'],
      issuer: didOf(issuer),
      credentialSubject: { id: 'did:example:alice' },
      credentialStatus: entryAt('4'),
    })) as Json
    const handlers = [dataIntegrityHandler()]
    const check = async () =>
      codes(await verify(credential, { handlers, statusLists, now: new Date(clock) }))
    expect(await check()).toEqual([])
    clock += 30_000 + 61_000 // past expires and the default clock tolerance
    // A verifier without the cached copy refuses it now.
    expect(
      codes(
        await verify(credential, {
          handlers,
          statusLists: createStatusListResolver({ lists: { [LIST_URL]: list } }),
          now: new Date(clock),
        }),
      ),
    ).toEqual(['status_list_expired'])
    expect(await check()).toEqual(['status_list_expired'])
  })

  it('a cached Data Integrity list is not used before the created of its proof', async () => {
    // The twin of expires: a proof created after `now` does not verify (VC Data Integrity
    // section 4.3), so a check as of an earlier time (a past `now`, or a caller joining a load
    // started for a later one) must not be answered from the list a later check cached.
    const t0 = Date.now()
    const unsigned = listCredential(didOf(issuer))
    ;(unsigned.credentialSubject as Json).ttl = 3_600_000
    const list = await new DataIntegritySigner(issuer, {
      cryptosuite: 'eddsa-rdfc-2022',
      created: new Date(t0),
    }).sign(unsigned)
    const statusLists = createStatusListResolver({
      fetch: async () =>
        new Response(JSON.stringify(list), { headers: { 'content-type': 'application/vc' } }),
      clock: () => t0,
    })
    const credential = (await new DataIntegritySigner(issuer, {
      cryptosuite: 'eddsa-rdfc-2022',
      created: new Date(t0 - 3_600_000),
    }).sign({
      '@context': [V2],
      type: ['VerifiableCredential'],
      issuer: didOf(issuer),
      credentialSubject: { id: 'did:example:alice' },
      credentialStatus: entryAt('4'),
    })) as Json
    const handlers = [dataIntegrityHandler()]
    const before = new Date(t0 - 61_000 - 60_000) // before created, beyond the clock tolerance
    const check = async (now: Date) =>
      codes(await verify(credential, { handlers, statusLists, now }))
    // A verifier without the cached copy refuses it as of `before`.
    expect(
      codes(
        await verify(credential, {
          handlers,
          statusLists: createStatusListResolver({ lists: { [LIST_URL]: list } }),
          now: before,
        }),
      ),
    ).toEqual(['status_list_expired'])
    expect(await check(new Date(t0 + 1_000))).toEqual([])
    expect(await check(before)).toEqual(['status_list_expired'])
  })
})

// ---------------------------------------------------------------------------------------------
// IETF Token Status List against @sd-jwt/sd-jwt-vc (SDJwtVcInstance's status check)
// ---------------------------------------------------------------------------------------------

function hasher(data: string | ArrayBuffer): Uint8Array {
  return new Uint8Array(
    createHash('sha256')
      .update(typeof data === 'string' ? data : new Uint8Array(data))
      .digest(),
  )
}

/** An EdDSA JWS check with the key of the header's `kid`, among `trusted` signers only. */
function jwsVerifier(trusted: readonly Signer[]) {
  return (data: string, signature: string): boolean => {
    const header = JSON.parse(
      Buffer.from(data.split('.')[0] as string, 'base64url').toString(),
    ) as Json
    const signer = trusted.find((candidate) => candidate.id === header.kid)
    const key = signer === undefined ? undefined : publicKeys.get(signer.id)
    return (
      key !== undefined &&
      header.alg === 'EdDSA' &&
      nodeVerify(null, Buffer.from(data), key, Buffer.from(signature, 'base64url'))
    )
  }
}

/**
 * SDJwtVcInstance's verdict. Its status list JWT is verified with `statusVerifier`, here trusting
 * the credential issuer's key only (the draft's issuer binding: credsign's `iss` / key check); a
 * status other than 0 makes `statusValidator` throw.
 */
async function sdJwtVcVerdict(sdJwt: string, lists: Record<string, string>): Promise<Verdict> {
  const instance = new SDJwtVcInstance({
    hasher,
    hashAlg: 'sha-256',
    verifier: jwsVerifier([issuer, other]),
    statusVerifier: jwsVerifier([issuer]),
    statusListFetcher: async (uri: string) => {
      const list = lists[uri]
      if (list === undefined) throw new Error(`no list at ${uri}`)
      return list
    },
    statusValidator: async (status: number) => {
      if (status !== 0) throw new Error(`STATUS SET ${status}`)
    },
  })
  try {
    await instance.verify(sdJwt)
    return 'unset'
  } catch (error) {
    return String((error as Error).message).includes('STATUS SET') ? 'set' : 'refused'
  }
}

async function sdJwtVc(idx: unknown, uri: unknown = TOKEN_URI): Promise<string> {
  return new SdJwtVcSigner(issuer).issue(
    { given_name: 'Erika' },
    { vct: 'https://credentials.example.com/id', status: { status_list: { idx, uri } } as never },
  )
}

/**
 * A statuslist+jwt of `signer` at TOKEN_URI: 1024 two-bit entries, 3 INVALID and 5 SUSPENDED;
 * `claims` changes its payload before it is signed again.
 */
async function tokenListOf(
  signer: Signer,
  options: TokenListOptions = {},
  claims?: (claims: Json) => void,
): Promise<string> {
  const list = await tokenList(signer, { uri: TOKEN_URI, bits: 2, set: { 3: 1, 5: 2 }, ...options })
  if (claims === undefined) return list
  const payload = JSON.parse(Buffer.from(list.split('.')[1] as string, 'base64url').toString())
  claims(payload as Json)
  const header = JSON.parse(Buffer.from(list.split('.')[0] as string, 'base64url').toString())
  return signJwt(signer, payload as Json, {
    typ: (header as Json).typ as string,
    issuedAt: false,
  })
}

const encodedTokenBytes = (compress: (bytes: Uint8Array) => Uint8Array): string => {
  const bytes = new Uint8Array(256) // 1024 two-bit entries
  bytes[0] = 0b0100_0000 // index 3: 01 (INVALID)
  bytes[1] = 0b0000_1000 // index 5: 10 (SUSPENDED)
  return b64u(compress(bytes))
}

interface TokenCase {
  name: string
  idx?: unknown
  list: () => Promise<string>
  ours: string[]
  reference: Verdict
  why?: string
  extra?: Json
}

const TYP_SPEC =
  'draft-ietf-oauth-status-list section 5.1: the Status List Token "MUST" have typ statuslist+jwt; sd-jwt-js does not check typ'
const TOKEN_CASES: TokenCase[] = [
  { name: 'baseline: idx 4, VALID', list: () => tokenListOf(issuer), ours: [], reference: 'unset' },
  {
    name: 'baseline: idx 3, INVALID',
    idx: 3,
    list: () => tokenListOf(issuer),
    ours: ['status_revoked'],
    reference: 'set',
  },
  {
    name: 'baseline: idx 5, SUSPENDED',
    idx: 5,
    list: () => tokenListOf(issuer),
    ours: ['status_suspended'],
    reference: 'set',
  },
  {
    name: 'the list of another issuer, signed by its key',
    list: () => tokenListOf(other),
    ours: ['status_list_issuer_mismatch'],
    reference: 'refused',
  },
  {
    name: "a list naming the credential's issuer, signed by another key",
    list: () => tokenListOf(other, { iss: didOf(issuer) }),
    ours: ['status_list_issuer_mismatch'],
    reference: 'refused',
  },
  {
    name: 'a list naming no iss, signed by another key',
    list: () => tokenListOf(other, { iss: null }),
    ours: ['status_list_issuer_mismatch'],
    reference: 'refused',
  },
  {
    name: 'typ JWT',
    list: () => tokenListOf(issuer, { typ: 'JWT' }),
    ours: ['status_list_not_verified'],
    reference: 'unset',
    why: TYP_SPEC,
  },
  {
    name: 'typ vc+jwt',
    list: () => tokenListOf(issuer, { typ: 'vc+jwt' }),
    ours: ['status_list_not_verified'],
    reference: 'unset',
    why: TYP_SPEC,
  },
  {
    name: 'typ application/statuslist+jwt',
    list: () => tokenListOf(issuer, { typ: 'application/statuslist+jwt' }),
    // RFC 7515 section 4.1.9: "application/" may be omitted, and media type names are
    // case-insensitive (RFC 2045): the same typ.
    ours: [],
    reference: 'unset',
  },
  {
    name: 'typ STATUSLIST+JWT',
    list: () => tokenListOf(issuer, { typ: 'STATUSLIST+JWT' }),
    ours: [],
    reference: 'unset',
  },
  {
    name: 'typ application/statuslist+jwt with a parameter',
    list: () => tokenListOf(issuer, { typ: 'application/statuslist+jwt; charset=utf-8' }),
    ours: ['status_list_not_verified'],
    reference: 'unset',
    why: TYP_SPEC,
  },
  {
    name: 'sub is another list',
    list: () => tokenListOf(issuer, { sub: `${TOKEN_URI}/other` }),
    ours: ['status_list_not_verified'],
    reference: 'unset',
    why: 'section 5.1: sub "MUST be equal to that of the uri claim contained in the status_list claim of the Referenced Token" (section 8.3 step 6a); sd-jwt-js does not compare them, so a list of another population of the same issuer reads as this one',
  },
  {
    name: 'sub is the uri with a trailing slash',
    list: () => tokenListOf(issuer, { sub: `${TOKEN_URI}/` }),
    ours: ['status_list_not_verified'],
    reference: 'unset',
    why: 'section 5.1: sub MUST be equal to uri (string equality)',
  },
  {
    name: 'no sub',
    list: () => tokenListOf(issuer, { sub: null }),
    ours: ['status_list_not_verified'],
    reference: 'unset',
    why: 'section 5.1: sub is REQUIRED',
  },
  {
    name: 'no iat',
    list: () => tokenListOf(issuer, { iat: null }),
    ours: ['status_list_not_verified'],
    reference: 'unset',
    why: 'section 5.1: iat is REQUIRED',
  },
  {
    name: 'exp in the past',
    list: () => tokenListOf(issuer, { iat: 1_600_000_000, exp: 1_600_000_600 }),
    ours: ['status_list_expired'],
    reference: 'refused',
  },
  {
    name: 'iat in 2100',
    list: () => tokenListOf(issuer, { iat: 4_102_444_800 }),
    ours: ['status_list_expired'],
    reference: 'refused',
  },
  {
    name: 'nbf in 2100',
    list: () => tokenListOf(issuer, {}, (claims) => (claims.nbf = 4_102_444_800)),
    ours: ['status_list_expired'],
    reference: 'refused',
  },
  ...[0, -60, '60', null].map((ttl): TokenCase => ({
    name: `ttl ${JSON.stringify(ttl)}`,
    list: () => tokenListOf(issuer, {}, (claims) => (claims.ttl = ttl)),
    ours: ['status_list_not_verified'],
    reference: 'unset',
    why: 'section 5.1: ttl "MUST be a positive number"; sd-jwt-js keeps no cache and ignores it',
  })),
  ...[3, 0, 16, '2'].map((bits): TokenCase => ({
    name: `bits ${JSON.stringify(bits)}`,
    list: () => tokenListOf(issuer, {}, (claims) => ((claims.status_list as Json).bits = bits)),
    ours: ['status_list_invalid'],
    reference: 'refused',
  })),
  {
    name: 'bits 1 on a 2-bit list (the bits say another layout)',
    idx: 5,
    list: () => tokenListOf(issuer, {}, (claims) => ((claims.status_list as Json).bits = 1)),
    // Read as one-bit entries, index 5 is bit 5 of byte 0 (0): both read "VALID", the issuer's word.
    ours: [],
    reference: 'unset',
  },
  ...(
    [
      // sd-jwt-js reads a fractional index (1.5 lands on the INVALID at 1 to 3) and a string one.
      [-1, ['status_entry_invalid'], 'refused'],
      [1.5, ['status_entry_invalid'], 'set'],
      ['4', ['status_entry_invalid'], 'unset'],
      [1024, ['status_index_out_of_range'], 'refused'],
      [2 ** 53, ['status_entry_invalid'], 'refused'],
    ] as const
  ).map(([idx, ours, reference]): TokenCase => ({
    name: `idx ${JSON.stringify(idx)}`,
    idx,
    list: () => tokenListOf(issuer),
    ours: [...ours],
    reference,
    why: 'section 6.1: idx is a non-negative Integer inside the list; "if the index is out of bounds" the Relying Party MUST reject (section 8.3 step 8)',
  })),
  {
    name: 'lst GZIP instead of ZLIB',
    list: () => tokenListOf(issuer, { lst: encodedTokenBytes(gzipSync) }),
    ours: ['status_list_invalid'],
    reference: 'unset',
    why: 'section 4.1: lst is compressed with DEFLATE "with the ZLIB data format" (RFC 1950); pako reads GZIP too',
  },
  {
    name: 'lst raw DEFLATE',
    list: () => tokenListOf(issuer, { lst: encodedTokenBytes(deflateRawSync) }),
    ours: ['status_list_invalid'],
    reference: 'refused',
  },
  ...(
    [
      ['a zero byte', [0x00]],
      ['junk', [0x6a, 0x75, 0x6e, 0x6b]],
      ['a second ZLIB stream', [...deflateSync(new Uint8Array(256).fill(0xff))]],
    ] as const
  ).map(([name, trailer]): TokenCase => ({
    name: `lst ZLIB followed by ${name}`,
    list: () =>
      tokenListOf(issuer, {
        lst: encodedTokenBytes((bytes) =>
          Buffer.concat([deflateSync(bytes), Buffer.from(trailer)]),
        ),
      }),
    ours: ['status_list_invalid'],
    reference: 'unset',
    why: 'section 4.1: lst is DEFLATE "with the ZLIB data format" (RFC 1950: header, data, Adler-32, nothing after); pako (under sd-jwt-js) ignores what follows the stream',
  })),
  {
    name: 'lst ZLIB with a bad Adler-32',
    list: () =>
      tokenListOf(issuer, {
        lst: encodedTokenBytes((bytes) => {
          const zlib = Buffer.from(deflateSync(bytes))
          zlib[zlib.length - 1] = (zlib[zlib.length - 1] as number) ^ 0x01
          return zlib
        }),
      }),
    ours: ['status_list_invalid'],
    reference: 'refused',
  },
  {
    name: 'lst padded base64url',
    list: () =>
      tokenListOf(issuer, {
        lst: `${encodedTokenBytes(deflateSync)}${'='.repeat((4 - (encodedTokenBytes(deflateSync).length % 4)) % 4) || '=='}`,
      }),
    ours: ['status_list_invalid'],
    reference: 'unset',
    why: 'section 4.1: lst is base64url-encoded (RFC 7515 Base64url Encoding: no padding)',
  },
  {
    name: 'a zip bomb past maxListBytes',
    list: () => tokenListOf(issuer, { lst: b64u(deflateSync(new Uint8Array(4 * 1024 * 1024))) }),
    ours: ['status_list_too_large'],
    reference: 'unset',
    why: 'section 12 (security: decompression): a verifier bounds the inflated size; credsign stops at maxListBytes, sd-jwt-js inflates all of it',
    extra: { maxListBytes: 1024 * 1024 },
  },
]

describe('IETF Token Status List: credsign against @sd-jwt/sd-jwt-vc', () => {
  it.each(TOKEN_CASES)('$name', async (testCase) => {
    const list = await testCase.list()
    const credential = await sdJwtVc(testCase.idx ?? 4)
    const result = await verify(credential, {
      statusLists: createStatusListResolver({
        lists: { [TOKEN_URI]: list },
        ...(testCase.extra ?? {}),
      }),
    })
    expect(codes(result)).toEqual(testCase.ours)
    const ours = result.errors.length > 0 ? 'refused' : 'unset'
    const reference = await sdJwtVcVerdict(credential, { [TOKEN_URI]: list })
    expect(reference, 'the reference verdict').toBe(testCase.reference)
    if (ours === 'unset' && reference !== 'unset') expect(testCase.why).toBeDefined()
    if (reference === 'set') expect(result.errors.length).toBeGreaterThan(0)
  })

  it('a cached list is used for its ttl at most: a revocation published since is seen once it passes', async () => {
    const t0 = Math.floor(Date.now() / 1000)
    let body = await tokenListOf(issuer, { iat: t0 - 20, ttl: 60 })
    const fetched: string[] = []
    let clock = t0 * 1000
    const statusLists = createStatusListResolver({
      fetch: async (url: string) => {
        fetched.push(url)
        return new Response(body, { headers: { 'content-type': 'application/statuslist+jwt' } })
      },
      clock: () => clock,
    })
    const credential = await sdJwtVc(4)
    expect(codes(await verify(credential, { statusLists, now: clock }))).toEqual([])
    // The issuer revokes index 4 and publishes a new list.
    body = await tokenListOf(issuer, { iat: t0, ttl: 60, set: { 3: 1, 4: 1, 5: 2 } })
    expect(await sdJwtVcVerdict(credential, { [TOKEN_URI]: body })).toBe('set')
    // Inside the ttl, the cached list may answer (section 5.1: ttl is how long it "can be cached").
    clock += 59_000
    expect(codes(await verify(credential, { statusLists, now: clock }))).toEqual([])
    expect(fetched).toHaveLength(1)
    // Past it, never.
    clock += 2_000
    expect(codes(await verify(credential, { statusLists, now: clock }))).toEqual(['status_revoked'])
    expect(fetched).toHaveLength(2)
  })

  it("a list claiming the credential's iss, signed by a key nothing binds to it, is not the issuer's", async () => {
    // A resolver that knows the credential key's controller, and also serves a key it knows no
    // controller for (a JWKS or static key supplied without saying whose it is). The list's `iss`
    // is only a claim of whoever holds that key: verify() refuses a credential on such a key
    // (issuer_binding), and a vc+jwt list too; a token list must not pass on its word either.
    const resolver = {
      resolveKey: async (kid: string) => {
        if (kid === issuer.id)
          return { id: kid, publicJwk: issuer.publicJwk, controller: didOf(issuer) }
        if (kid === other.id) return { id: kid, publicJwk: other.publicJwk }
        throw new CredsignError('key_not_found', 'unknown key')
      },
    }
    const credential = await sdJwtVc(4)
    const forged = await tokenListOf(other, { iss: didOf(issuer) })
    const result = await verify(credential, {
      resolver,
      statusLists: createStatusListResolver({ lists: { [TOKEN_URI]: forged } }),
    })
    expect(codes(result)).toEqual(['status_list_issuer_mismatch'])
    // The reference, trusting the issuer's key for its lists, refuses it too.
    expect(await sdJwtVcVerdict(credential, { [TOKEN_URI]: forged })).toBe('refused')
    // The issuer's own list, on its key, reads as before.
    const own = await verify(credential, {
      resolver,
      statusLists: createStatusListResolver({
        lists: { [TOKEN_URI]: await tokenListOf(issuer, { set: { 4: 1 } }) },
      }),
    })
    expect(codes(own)).toEqual(['status_revoked'])
  })

  it('a cached list is never used past its exp, whatever its ttl', async () => {
    const t0 = Math.floor(Date.now() / 1000)
    let body = await tokenListOf(issuer, { iat: t0, exp: t0 + 30, ttl: 3600 })
    let clock = t0 * 1000
    const statusLists = createStatusListResolver({
      fetch: async () =>
        new Response(body, { headers: { 'content-type': 'application/statuslist+jwt' } }),
      clock: () => clock,
    })
    const credential = await sdJwtVc(4)
    expect(codes(await verify(credential, { statusLists, now: clock }))).toEqual([])
    body = await tokenListOf(issuer, { iat: t0 + 31, ttl: 3600, set: { 4: 1 } })
    clock += 31_000 + 60_000 // past exp and the default clock tolerance
    expect(codes(await verify(credential, { statusLists, now: clock }))).toEqual(['status_revoked'])
  })
})

// ---------------------------------------------------------------------------------------------
// Rules no reference implements: credsign against the specifications alone
// ---------------------------------------------------------------------------------------------

describe('Bitstring lists in other securing formats: the same rules', () => {
  const credential = () =>
    new JwtVcSigner(issuer).sign({
      '@context': [V2],
      type: ['VerifiableCredential'],
      credentialSubject: { id: 'did:example:alice' },
      credentialStatus: entryAt('4'),
    })

  it('a vc+jwt list whose subject is not a BitstringStatusList is not a list', async () => {
    const list = listCredential(didOf(issuer))
    ;(list.credentialSubject as Json).type = 'StatusList2021'
    const result = await verify(await credential(), {
      statusLists: createStatusListResolver({
        lists: { [LIST_URL]: await new JwtVcSigner(issuer).sign(list) },
      }),
    })
    expect(codes(result)).toEqual(['status_list_not_verified'])
  })

  it('a vc+sd-jwt list issued for another URL, its id withheld, is not this list', async () => {
    // The issuer's list of another population (index 4 not set there), its `id` made selectively
    // disclosable: whoever serves it (a cache, a holder stapling it) withholds the id and serves it
    // at this list's URL. Its issuer and signature are right; only the id says which list it is.
    const elsewhere = listCredential(didOf(issuer), `${LIST_URL}/other`)
    ;(elsewhere.credentialSubject as Json).encodedList = encodedListOf({})
    const sdJwt = await new SdJwtVcSigner(issuer).signCredential(elsewhere, {
      disclosureFrame: { _sd: ['id'] },
    })
    const withheld = `${sdJwt.split('~')[0] as string}~`
    for (const served of [sdJwt, withheld]) {
      const result = await verify(await credential(), {
        statusLists: createStatusListResolver({ lists: { [LIST_URL]: served } }),
      })
      expect(codes(result), served === sdJwt ? 'id disclosed' : 'id withheld').toEqual([
        'status_list_not_verified',
      ])
    }
  })
})
