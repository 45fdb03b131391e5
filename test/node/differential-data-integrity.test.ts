// Differential property tests of verify() for Data Integrity against Digital Bazaar (@digitalbazaar/vc
// 7, jsonld-signatures 11, @digitalbazaar/data-integrity and its eddsa / ecdsa cryptosuites,
// @digitalbazaar/ed25519-signature-2020): valid credentials (VCDM 2.0, VCDM 1.1, the W3C employment
// vector with blank nodes) and presentations (challenge + domain, one embedded credential), signed by
// each side (credsign's DataIntegritySigner, DB's vc.issue / vc.signPresentation) with every suite
// both implement (eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019 P-256 / P-384, ecdsa-jcs-2019
// P-256 / P-384, Ed25519Signature2020), then mutated as an attacker would, and verified by credsign
// (`verify()` with dataIntegrityHandler(), did:key offline) and by DB (vc.verifyCredential, or vc.verify
// with the same challenge and domain; every suite's verifier offered, so a proof is judged by the
// suite it names). The property: when credsign says `verified: true`, DB verifies too. Credsign may
// be stricter (see STRICTER below).
//
// The mutations (MutationSpec): change, add or delete any member anywhere (the proof included),
// with values chosen to hit JSON-LD's corners (IRIs, relative IRIs, blank node ids, keywords, full
// and compact IRIs, null, numbers vs strings, dates); a string or number swapped for another of its
// type (escapes, lone surrogates, IRIs, odd dates; doubles at their edges), which keeps the document's
// shape, so credsign canonicalizes it from its shape template; RDF-equivalent rewrites (`@id` for `id`, full
// IRIs for terms, a value wrapped in an array, an issuer as an object), which keep an rdfc proof
// valid; `@context` reordered, truncated, extended (known and unknown URLs, inline objects, null);
// proof members (`created`, `expires`, `proofPurpose`, `verificationMethod` to another key, DID or
// fragment, `cryptosuite`, `type`, `challenge`, `domain`, `previousProof`, `id`, `@context`);
// `proofValue` bit flips, multibase prefix, lengths, and the high-S twin of an ECDSA signature; proof
// sets (wrapped, duplicated, another side's / suite's proof added, a chain, duplicate ids); members
// moved between the document and its proof; a presentation's credential swapped for, or joined by,
// one signed by the other side, another suite or another key. And `resign`: the proof is signed again, by the key its
// `verificationMethod` names (one of ours, or an attacker's own did:key), over the mutated document
// exactly as credsign hashes it, so that credsign's signature check passes and its verdict rests on
// its other checks and on credsign and DB hashing the same bytes (a document credsign canonicalizes
// differently from jsonld — its shape templates, say — shows up as "credsign accepts, DB refuses").
//
// Found so far (fixed in src/, regression tests in test/core/data-integrity-verify.test.ts and the
// rows below; see docs/security.md): a proof whose `verificationMethod` is a bare DID; an rdfc proof
// whose `type` the document's contexts map to an @vocab IRI instead of the suite's; a presentation
// whose embedded entry is a Data Integrity-secured document but no credential.
//
// STRICTER: the classes of credsign-only refusals seen (tallied per error code and printed; the
// property allows them), each with its reason:
// - `context_not_allowed`, `context_not_found`, `jsonld_form_not_allowed`: the context policy (VC
//   Data Integrity 1.0, "Validating Contexts"): inline contexts, entries no proof signs, context URLs
//   the loader does not know (DB's jcs suites never load contexts, so any string passes there),
//   members written as full or compact IRIs; DB accepts these because the RDF, or for jcs the JSON,
//   is what was signed.
// - `not_yet_valid`: a proof `created` in the future; DB does not compare `created` with the clock.
// - `proof_invalid`: proof members of the wrong JSON type (`challenge` or `id` not a string, a
//   `verificationMethod` written `{ "id": … }`: the same RDF), an empty or malformed `previousProof`,
//   `created` / `expires` that are not dateTimeStamps (VC DI 1.0 requires them), a proof `@context`
//   that does not start the document's; DB reads these leniently or ignores the member.
// - `signature_invalid` or `unsupported_cryptosuite` in one proof of a set whose other proof verifies:
//   credsign requires every proof to verify; jsonld-signatures' ProofSet.verify accepts the set when
//   some proof does (`results.some(r => r.verified)`) and skips proofs no offered suite matches.
// - `credential_invalid`: VCDM member checks DB's vc 7 does not make (`id`, `holder`, a proof's `id`
//   must be URLs; strict VCDM 2.0 members).
// - `embedded_credential_invalid`: an embedded credential refused for one of the reasons above.
// - `jsonld_invalid`: a member named `__proto__` (which JSON-LD processing would drop unsigned), a
//   context entry that is neither a URL, an object nor null.
// - `invalid_argument`: a lone surrogate in a string (not Unicode, so not I-JSON and no RDF literal):
//   UTF-8 turns it into U+FFFD before hashing, so DB's rdfc suites sign and verify "\uD800",
//   "\uDC00" and "\uFFFD" alike (test/core/data-integrity-verify.test.ts); the jcs suites of both
//   sides refuse or escape it differently (test/node/differential-jcs.test.ts).
// And DB refuses, for reasons of its own the specs do not ask for, what credsign accepts: see
// DB_STRICTER (a string `@context`; a presentation without a challenge).
//
// DB looser than the specs, seen here and not copied: a verificationMethod with a second fragment
// (`did:key:z6Mk…#z6Mk…#again`: its did:key driver reads up to the first one; no method has that
// id, Controlled Identifiers 1.0 "Retrieve Verification Method"); a proof set accepted when one
// proof verifies; `holder`, `id` and a proof's `id` that are not URLs (VCDM 2.0 requires URLs); a
// proof `created` in the future.
//
// Seeded: FC_SEED overrides the seed, FC_RUNS the number of cases per property (default below);
// a failure prints the seed and path to replay with fast-check. Counterexamples found are kept in
// REGRESSIONS at the bottom and run every time.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
// @ts-expect-error -- @digitalbazaar/* and jsonld-signatures ship no type declarations
import * as vc from '@digitalbazaar/vc'
// @ts-expect-error -- no type declarations
import jsigs from 'jsonld-signatures'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createDocumentLoader,
  DataIntegritySigner,
  dataIntegrityHandler,
} from '../../src/formats/data-integrity/index.js'
import {
  checkKeyFits,
  suiteOfProof,
  CRYPTOSUITE_NAMES,
} from '../../src/formats/data-integrity/cryptosuites.js'
import { proofHashData } from '../../src/formats/data-integrity/proof-hash.js'
import {
  applyProofContext,
  documentForProof,
  proofConfigOf,
} from '../../src/formats/data-integrity/proof-document.js'
import { verify, type Signer, type VerificationResult } from '../../src/index.js'
import { b58, fromB58 } from '../../src/util/base58.js'
import { DOCUMENTED_CODES } from '../core/documented-codes.js'
import {
  dbDocumentLoader,
  dbErrors,
  makeCredsignKey,
  makeParty,
  type DbResult,
  type Json,
  type Party,
} from './fixtures/digital-bazaar-interop.js'
import { DB_SUITES, type DbSuiteCase } from './fixtures/digital-bazaar-suites.js'

const SEED = Number(process.env.FC_SEED ?? 20_261_207)
const RUNS = Number(process.env.FC_RUNS ?? 300)

const VECTORS = new URL('../fixtures/vectors/', import.meta.url)
const vector = (path: string): Json =>
  JSON.parse(readFileSync(new URL(path, VECTORS), 'utf8')) as Json

const CHALLENGE = 'n-0S6_WzA2Mj'
const DOMAIN = 'https://verifier.example'
const V2 = 'https://www.w3.org/ns/credentials/v2'
const V1 = 'https://www.w3.org/2018/credentials/v1'
const EXAMPLES_V2 = 'https://www.w3.org/ns/credentials/examples/v2'
const DI_V2 = 'https://w3id.org/security/data-integrity/v2'
const ED_2020 = 'https://w3id.org/security/suites/ed25519-2020/v1'

// ---------------------------------------------------------------------------------------------
// Keys: the W3C vector keys on both sides, and an attacker's own did:keys (credsign signers only:
// DB resolves any did:key itself).

interface Key {
  algorithm: string
  did: string
  vm: string
  signer: Signer
}
const parties = new Map<string, Party>()
const keys: Key[] = []

/** The key a verification method names, exactly or by its DID's prefix (`did#other`, `did?q#f`). */
const keyOfVm = (vm: unknown): Key | undefined =>
  typeof vm !== 'string'
    ? undefined
    : (keys.find((k) => k.vm === vm) ??
      keys.find((k) => vm.toLowerCase().startsWith(k.did.toLowerCase())))

beforeAll(async () => {
  for (const algorithm of ['Ed25519', 'P-256', 'P-384'] as const) {
    const party = await makeParty(algorithm)
    parties.set(algorithm, party)
    keys.push({ algorithm, did: party.did, vm: party.vm, signer: party.signer })
  }
  for (const [name, algorithm, fill] of [
    ['attacker-ed25519', 'Ed25519', 0x42],
    ['attacker-p256', 'P-256', 0x43],
  ] as const) {
    const signer = await makeCredsignKey(name, algorithm, new Uint8Array(32).fill(fill))
    keys.push({ algorithm, did: signer.id.slice(0, signer.id.indexOf('#')), vm: signer.id, signer })
  }
  await makeBases()
}, 60_000)

const attacker = (algorithm: string): Key =>
  keys.find((k) => k.algorithm === algorithm && k.vm.includes(':key:') && !isParty(k)) as Key
const isParty = (k: Key): boolean => [...parties.values()].some((p) => p.vm === k.vm)

// ---------------------------------------------------------------------------------------------
// Valid documents, signed by each side with each suite.

type Kind = 'vc2' | 'vc1' | 'employ' | 'vp'

function credentialV2(did: string): Json {
  return { ...vector('w3c-vc-di-eddsa/TestVectors/unsigned.json'), issuer: did }
}
function credentialV1(did: string): Json {
  return {
    '@context': [V1, EXAMPLES_V2],
    id: 'urn:uuid:6d5c1c9a-3b0e-4b8f-9a51-0c6f1b2e7d10',
    type: ['VerifiableCredential', 'AlumniCredential'],
    issuer: did,
    issuanceDate: '2023-01-01T00:00:00Z',
    expirationDate: '2099-01-01T00:00:00Z',
    credentialSubject: { id: 'did:example:abcdefgh', alumniOf: 'The School of Examples' },
  }
}
function credentialEmploy(did: string): Json {
  const employ = vector('w3c-vc-di-eddsa/TestVectors/employmentAuth.json')
  return {
    ...employ,
    issuer: { ...(employ.issuer as Json), id: did },
    validUntil: '2099-12-03T00:00:00Z',
  }
}

interface Base {
  name: string
  suite: DbSuiteCase
  side: 'credsign' | 'db'
  kind: Kind
  document: Json
}
const bases: Base[] = []
const isVp = (kind: Kind): boolean => kind === 'vp'

async function sign(party: Party, c: DbSuiteCase, side: Base['side'], doc: Json): Promise<Json> {
  if (side === 'credsign')
    return new DataIntegritySigner(party.signer, { cryptosuite: c.suite }).sign(doc)
  return (await vc.issue({
    credential: structuredClone(doc),
    suite: c.dbSigner(party.dbKey),
    documentLoader: dbDocumentLoader,
  })) as Json
}

async function signVp(party: Party, c: DbSuiteCase, side: Base['side']): Promise<Json> {
  const credential = await sign(party, c, side, credentialV2(party.did))
  if (side === 'credsign') {
    return new DataIntegritySigner(party.signer, { cryptosuite: c.suite }).sign(
      { '@context': [V2], type: ['VerifiablePresentation'], verifiableCredential: [credential] },
      { challenge: CHALLENGE, domain: DOMAIN },
    )
  }
  return (await vc.signPresentation({
    presentation: vc.createPresentation({
      verifiableCredential: [credential],
      holder: party.did,
      version: 2.0,
    }),
    suite: c.dbSigner(party.dbKey),
    challenge: CHALLENGE,
    domain: DOMAIN,
    documentLoader: dbDocumentLoader,
  })) as Json
}

async function makeBases(): Promise<void> {
  const makers: [Kind, (did: string) => Json][] = [
    ['vc2', credentialV2],
    ['vc1', credentialV1],
    ['employ', credentialEmploy],
  ]
  for (const c of DB_SUITES) {
    const party = parties.get(c.algorithm) as Party
    for (const side of ['credsign', 'db'] as const) {
      for (const [kind, make] of makers)
        bases.push({
          name: `${c.label} ${kind} by ${side}`,
          suite: c,
          side,
          kind,
          document: await sign(party, c, side, make(party.did)),
        })
      bases.push({
        name: `${c.label} vp by ${side}`,
        suite: c,
        side,
        kind: 'vp',
        document: await signVp(party, c, side),
      })
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations: plain data (printable, replayable); indexes pick among what the document has.

type Path = (string | number)[]

/** Values a member may be set to. */
const VALUES: (() => unknown)[] = [
  () => 'x',
  () => '',
  () => 'did:example:mallory',
  () => 'https://example.com/a',
  () => 'relative/path',
  () => '_:b0',
  () => 'urn:uuid:00000000-0000-4000-8000-000000000000',
  () => 'VerifiableCredential',
  () => 'VerifiablePresentation',
  () => 'AlumniCredential',
  () => 'https://www.w3.org/2018/credentials#VerifiableCredential',
  () => 'cred:VerifiableCredential',
  () => 'ex:foo',
  () => '@id',
  () => '2020-01-01T00:00:00Z',
  () => '2099-01-01T00:00:00Z',
  () => '2020-01-01',
  () => '2020-01-01T00:00:00',
  () => 'é\u0000"<>\n',
  () => 1,
  () => 0,
  () => -1.5,
  () => 1e21,
  () => 0.1,
  () => 2 ** 53 + 2,
  () => null,
  () => true,
  () => [],
  () => ({}),
  () => ['x'],
  () => ({ id: 'did:example:mallory' }),
  () => ({ '@value': 'x', '@type': 'http://www.w3.org/2001/XMLSchema#string' }),
  () => ({
    '@value': '2099-01-01T00:00:00Z',
    '@type': 'http://www.w3.org/2001/XMLSchema#dateTime',
  }),
  () => ({ '@id': 'did:example:mallory' }),
  () => ({ '@list': ['a', 'b'] }),
  () => attacker('Ed25519').did,
  () => (parties.get('Ed25519') as Party).did,
  () => (parties.get('P-256') as Party).did,
]

/**
 * Values that keep a document's shape (a string for a string, a number for a number): the same
 * shape is canonicalized from credsign's template of it, without JSON-LD (rdfc-template.ts), so
 * these test the template's escaping, IRI and number handling against jsonld's, with DB as the
 * judge.
 */
const SAME_SHAPE_STRINGS = [
  '',
  ' ',
  'x y',
  '\ud800',
  '\udfff\ud800',
  '\u0000\u0001\u001f\u007f',
  '\t\r\n\b\f',
  '"\\',
  '\u2028\u2029',
  '😀',
  'e\u0301',
  '_:b0',
  '_:c14n0',
  'did:example:mallory',
  'https://example.com/a b',
  'https://example.com/<a>',
  'http://example.com/%ZZ',
  'urn:x:',
  'relative',
  '#fragment',
  '//host/path',
  'mailto:a@b.example',
  'VerifiableCredential',
  '2020-01-01T00:00:00Z',
  '2020-01-01T00:00:00.000+14:00',
  '0001-01-01T00:00:00Z',
  '2020-02-30T00:00:00Z',
  '2020-01-01T24:00:00Z',
  '9999-12-31T23:59:60Z',
  '@id',
  '@type',
  'ex:foo',
  'cred:issuer',
  'xsd:string',
]
const SAME_SHAPE_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  1.5,
  1e21,
  1e-7,
  5e-324,
  2 ** 53,
  2 ** 53 + 2,
  1.7976931348623157e308,
  123456789.125,
]

/** Member names a node may gain. */
const NAMES = [
  'name',
  'description',
  'id',
  'type',
  'issuer',
  'holder',
  'validFrom',
  'validUntil',
  'issuanceDate',
  'expirationDate',
  'credentialSubject',
  'credentialStatus',
  'evidence',
  'termsOfUse',
  'proof',
  'verifiableCredential',
  'alumniOf',
  'undefinedTermXyz',
  'https://example.org/vocab#x',
  'https://www.w3.org/2018/credentials#validUntil',
  'ex:foo',
  'cred:issuer',
  '@id',
  '@type',
  '@vocab',
  '@graph',
  '@included',
  '@nest',
  '@reverse',
  '@index',
  '@language',
  '@direction',
  '@value',
  '@set',
  '@foo',
  '@',
  '@context',
  'created',
  'expires',
  'challenge',
  'domain',
  'nonce',
  'cryptosuite',
  'previousProof',
  'proofPurpose',
  'verificationMethod',
  'proofValue',
  '__proto__',
  // JCS sorts member names by UTF-16 code units: a combining mark, a precomposed letter and an astral
  // character (a surrogate pair, which sorts below U+E000-U+FFFF) in one object.
  'e\u0301',
  'é',
  '\u{1F600}',
  '\uFFFD',
]

/** Entries a `@context` may gain. */
const CONTEXT_ENTRIES: (() => unknown)[] = [
  () => EXAMPLES_V2,
  () => V2,
  () => V1,
  () => DI_V2,
  () => ED_2020,
  () => 'https://w3id.org/citizenship/v4rc1',
  () => 'https://unknown.example/context/v1',
  () => null,
  () => ({ '@vocab': 'https://evil.example/#' }),
  () => ({ alumniOf: 'https://schema.org/name' }),
  () => ({ name: 'https://www.w3.org/ns/credentials/examples#alumniOf' }),
  () => ({ foo: '@id' }),
  () => ({ '@protected': false }),
  () => ({ '@version': 1.1 }),
]

const PROOF_FIELDS = [
  'created',
  'expires',
  'proofPurpose',
  'verificationMethod',
  'cryptosuite',
  'type',
  'challenge',
  'domain',
  'nonce',
  'previousProof',
  'id',
  '@context',
] as const
type ProofField = (typeof PROOF_FIELDS)[number]

const PROOF_VALUES: Record<ProofField, ((proof: Json, doc: Json) => unknown)[]> = {
  created: [
    () => '2099-01-01T00:00:00Z',
    () => '2020-01-01T00:00:00Z',
    () => '2020-01-01T00:00:00',
    () => '2020-01-01',
    () => '2020-01-01T00:00:00.123+01:00',
    () => 'yesterday',
    () => 1_700_000_000,
    () => null,
  ],
  expires: [
    () => '2020-01-01T00:00:00Z',
    () => '2099-01-01T00:00:00Z',
    () => '2020-01-01T00:00:00',
    () => '2020-01-01',
    () => 'never',
    () => 1_700_000_000,
    () => ['2020-01-01T00:00:00Z'],
  ],
  proofPurpose: [
    () => 'authentication',
    () => 'assertionMethod',
    () => 'capabilityInvocation',
    () => 'capabilityDelegation',
    () => 'keyAgreement',
    () => 'AssertionMethod',
    () => 'https://w3id.org/security#assertionMethod',
    () => '',
  ],
  verificationMethod: [
    () => (parties.get('P-256') as Party).vm,
    () => (parties.get('Ed25519') as Party).vm,
    () => attacker('Ed25519').vm,
    () => attacker('P-256').vm,
    (proof) => String(proof.verificationMethod).split('#')[0],
    (proof) => `${String(proof.verificationMethod).split('#')[0]}#other`,
    (proof) =>
      `${String(proof.verificationMethod).split('#')[0]}#${attacker('Ed25519').vm.split('#')[1]}`,
    () => 'did:example:123#key-1',
    (proof) => String(proof.verificationMethod).replace('#', '?versionId=1#'),
    (proof) => String(proof.verificationMethod).replace('#', '/path#'),
    (proof) => String(proof.verificationMethod).replace('did:key:', 'DID:KEY:'),
    (proof) => String(proof.verificationMethod).replace(/#z/, '#%7A'),
    (proof) => `${String(proof.verificationMethod)}#again`,
    (proof) => `${String(proof.verificationMethod)} `,
    (proof) => ({ id: proof.verificationMethod }),
    (proof) => [proof.verificationMethod],
  ],
  cryptosuite: [
    ...CRYPTOSUITE_NAMES.map((name) => () => name),
    () => 'ecdsa-sd-2023',
    () => 'bbs-2023',
    () => 'eddsa-2022',
    () => '',
    () => ['eddsa-rdfc-2022'],
  ],
  type: [
    () => 'DataIntegrityProof',
    () => 'Ed25519Signature2020',
    () => 'Ed25519Signature2018',
    () => 'JsonWebSignature2020',
    () => ['DataIntegrityProof'],
    () => 'https://w3id.org/security#DataIntegrityProof',
  ],
  challenge: [() => CHALLENGE, () => 'other', () => '', () => [CHALLENGE]],
  domain: [
    () => DOMAIN,
    () => 'https://other.example',
    () => [DOMAIN],
    () => [DOMAIN, 'https://other.example'],
    () => ['https://other.example'],
    () => [],
  ],
  nonce: [() => 'abc', () => CHALLENGE],
  previousProof: [
    () => 'urn:uuid:00000000-0000-4000-8000-00000000dead',
    (proof) => proof.id ?? 'urn:uuid:self',
    (_proof, doc) =>
      (Array.isArray(doc.proof) ? (doc.proof as Json[]) : [])
        .map((p) => p.id)
        .find((id) => id !== undefined) ?? 'urn:uuid:p0',
    () => [],
  ],
  id: [() => 'urn:uuid:p0', () => 'urn:uuid:p1', () => 'not an iri', () => 'did:example:mallory'],
  '@context': [
    () => DI_V2,
    (_proof, doc) => structuredClone(doc['@context']),
    () => [V2],
    (_proof, doc) => [...asArray(doc['@context']), EXAMPLES_V2],
    () => [V2, { '@vocab': 'https://evil.example/#' }],
  ],
}

type MutationSpec =
  | { op: 'set'; at: number; value: number }
  | { op: 'delete'; at: number }
  | { op: 'sameShape'; at: number; value: number }
  | { op: 'add'; at: number; name: number; value: number }
  | { op: 'copy'; from: number; to: number }
  | {
      op: 'equivalent'
      at: number
      how: 'wrap' | 'unwrap' | 'reverse' | 'idObject' | 'atId' | 'atType' | 'fullIri' | 'reorder'
    }
  | {
      op: 'context'
      how: 'reverse' | 'dropFirst' | 'dropLast' | 'append' | 'prepend' | 'duplicate' | 'string'
      value: number
    }
  | { op: 'proof'; which: number; field: number; value: number }
  | { op: 'proofDelete'; which: number; field: number }
  | {
      op: 'proofValue'
      which: number
      how: 'flip' | 'prefix' | 'append1' | 'prepend1' | 'truncate' | 'highS' | 'otherProof'
      n: number
    }
  | {
      op: 'proofSet'
      how: 'wrap' | 'duplicate' | 'addOther' | 'chain' | 'sameIds' | 'unwrap'
      other: number
    }
  | { op: 'between'; toProof: boolean; field: number }
  | { op: 'embed'; other: number; replace: boolean }
  | { op: 'resign'; which: number }

const asArray = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function allPaths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (prefix.length > 0) out.push(prefix)
  if (Array.isArray(value)) value.forEach((v, i) => allPaths(v, [...prefix, i], out))
  else if (isObject(value))
    for (const [k, v] of Object.entries(value)) allPaths(v, [...prefix, k], out)
  return out
}
const objectPaths = (doc: Json): Path[] => [
  [],
  ...allPaths(doc).filter((p) => isObject(getAt(doc, p))),
]

function getAt(doc: unknown, path: Path): unknown {
  let node = doc
  for (const key of path) node = (node as Record<string | number, unknown>)[key]
  return node
}
function setAt(doc: Json, path: Path, value: unknown): void {
  const parent = getAt(doc, path.slice(0, -1)) as Record<string | number, unknown>
  Object.defineProperty(parent, path[path.length - 1] as string | number, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}
function deleteAt(doc: Json, path: Path): void {
  const parent = getAt(doc, path.slice(0, -1))
  const key = path[path.length - 1] as string | number
  if (Array.isArray(parent)) parent.splice(key as number, 1)
  else delete (parent as Json)[key]
}
const pick = <T>(list: readonly T[], n: number): T | undefined =>
  list.length === 0 ? undefined : list[n % list.length]

/** The proof objects of a document, and a setter for the one picked. */
function proofAt(doc: Json, which: number): Json | undefined {
  const proofs = asArray(doc.proof).filter(isObject)
  return pick(proofs, which)
}

/** Full IRIs of the terms the mutations rewrite (VCDM 2.0 / 1.1 and examples v2). */
const FULL_IRIS: Record<string, string> = {
  validFrom: 'https://www.w3.org/2018/credentials#validFrom',
  validUntil: 'https://www.w3.org/2018/credentials#validUntil',
  issuer: 'https://www.w3.org/2018/credentials#issuer',
  name: 'https://schema.org/name',
  description: 'https://schema.org/description',
  alumniOf: 'https://www.w3.org/ns/credentials/examples#alumniOf',
  credentialSubject: 'https://www.w3.org/2018/credentials#credentialSubject',
  expirationDate: 'https://www.w3.org/2018/credentials#expirationDate',
  created: 'http://purl.org/dc/terms/created',
  expires: 'https://w3id.org/security#expiration',
  proofPurpose: 'https://w3id.org/security#proofPurpose',
  challenge: 'https://w3id.org/security#challenge',
  domain: 'https://w3id.org/security#domain',
}

/** Signs the picked proof again, exactly as credsign verifies it; a no-op when it cannot. */
async function resign(doc: Json, which: number): Promise<void> {
  const proofs = asArray(doc.proof)
  const proof = pick(proofs, which)
  if (!isObject(proof) || !proofs.every(isObject)) return
  const key = keyOfVm(proof.verificationMethod)
  if (key === undefined) return
  try {
    const suite = suiteOfProof(proof.type, proof.cryptosuite)
    checkKeyFits(suite, key.algorithm)
    const unsecured = applyProofContext(
      documentForProof(doc, proofs as Json[], proof.previousProof),
      proof,
    )
    const config = proofConfigOf(suite, proof, unsecured['@context'])
    const { hashData } = await proofHashData(suite, key.algorithm, unsecured, config, resignLoader)
    proof.proofValue = `z${b58(await key.signer.sign(hashData))}`
  } catch {
    // Credsign cannot hash it (unknown suite, JSON-LD error): the old proofValue stays.
  }
}
const resignLoader = createDocumentLoader()

const CURVE_ORDERS: Record<number, bigint> = {
  64: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  96: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
}
const bytesToBig = (bytes: Uint8Array): bigint =>
  bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n)
function bigToBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = length - 1; i >= 0; i -= 1) {
    out[i] = Number(value & 0xffn)
    value >>= 8n
  }
  return out
}

function mutateProofValue(proof: Json, how: string, n: number, base: Base, doc: Json): void {
  const value = proof.proofValue
  if (typeof value !== 'string' || value.length < 2) return
  switch (how) {
    case 'flip': {
      let bytes: Uint8Array
      try {
        bytes = fromB58(value.slice(1))
      } catch {
        return
      }
      const bit = n % (bytes.length * 8)
      bytes[bit >> 3] = (bytes[bit >> 3] as number) ^ (1 << (bit & 7))
      proof.proofValue = `z${b58(bytes)}`
      return
    }
    case 'prefix':
      proof.proofValue = `${pick(['u', 'Z', 'm', 'f', 'b', ''], n)}${value.slice(1)}`
      return
    case 'append1':
      proof.proofValue = `${value}1`
      return
    case 'prepend1':
      proof.proofValue = `z1${value.slice(1)}`
      return
    case 'truncate':
      proof.proofValue = value.slice(0, Math.max(1, value.length - 1 - (n % 4)))
      return
    case 'highS': {
      // ECDSA: (r, n - s) verifies as well as (r, s); both sides accept it (WebCrypto and credsign).
      let bytes: Uint8Array
      try {
        bytes = fromB58(value.slice(1))
      } catch {
        return
      }
      const order = base.suite.algorithm === 'Ed25519' ? undefined : CURVE_ORDERS[bytes.length]
      if (order === undefined) return
      const half = bytes.length / 2
      const s = bytesToBig(bytes.slice(half))
      bytes.set(bigToBytes(order - s, half), half)
      proof.proofValue = `z${b58(bytes)}`
      return
    }
    case 'otherProof': {
      // The proofValue of another base's proof over the same kind of document.
      const others = bases.filter((b) => b.kind === base.kind && b !== base)
      const other = pick(others, n)
      const otherProof = other === undefined ? undefined : proofAt(other.document, 0)
      if (otherProof !== undefined) proof.proofValue = otherProof.proofValue
      void doc
      return
    }
  }
}

async function applyMutation(doc: Json, m: MutationSpec, base: Base): Promise<Json> {
  switch (m.op) {
    case 'set': {
      const path = pick(allPaths(doc), m.at)
      if (path !== undefined) setAt(doc, path, (VALUES[m.value % VALUES.length] as () => unknown)())
      return doc
    }
    case 'sameShape': {
      // A string or number leaf (outside the proof's proofValue) gets another value of its type.
      const leaves = allPaths(doc).filter((p) => {
        const v = getAt(doc, p)
        return (typeof v === 'string' || typeof v === 'number') && p[p.length - 1] !== 'proofValue'
      })
      const path = pick(leaves, m.at)
      if (path === undefined) return doc
      const list = typeof getAt(doc, path) === 'string' ? SAME_SHAPE_STRINGS : SAME_SHAPE_NUMBERS
      setAt(doc, path, list[m.value % list.length])
      return doc
    }
    case 'delete': {
      const path = pick(allPaths(doc), m.at)
      if (path !== undefined) deleteAt(doc, path)
      return doc
    }
    case 'add': {
      const path = pick(objectPaths(doc), m.at) as Path
      setAt(
        doc,
        [...path, NAMES[m.name % NAMES.length] as string],
        (VALUES[m.value % VALUES.length] as () => unknown)(),
      )
      return doc
    }
    case 'copy': {
      // A member's value copied over another's (moving a claim, or a node, elsewhere).
      const paths = allPaths(doc)
      const from = pick(paths, m.from)
      const to = pick(paths, m.to)
      if (from !== undefined && to !== undefined && !isPrefix(to, from))
        setAt(doc, to, structuredClone(getAt(doc, from)))
      return doc
    }
    case 'equivalent':
      return equivalent(doc, m)
    case 'context': {
      const context = asArray(doc['@context'])
      const entry = (CONTEXT_ENTRIES[m.value % CONTEXT_ENTRIES.length] as () => unknown)()
      const next: Record<typeof m.how, () => unknown> = {
        reverse: () => [...context].reverse(),
        dropFirst: () => context.slice(1),
        dropLast: () => context.slice(0, -1),
        append: () => [...context, entry],
        prepend: () => [entry, ...context],
        duplicate: () => [...context, ...context.slice(-1)],
        string: () => context[0],
      }
      doc['@context'] = next[m.how]()
      return doc
    }
    case 'proof': {
      const proof = proofAt(doc, m.which)
      const field = PROOF_FIELDS[m.field % PROOF_FIELDS.length] as ProofField
      const values = PROOF_VALUES[field]
      if (proof !== undefined)
        proof[field] = (values[m.value % values.length] as (p: Json, d: Json) => unknown)(
          proof,
          doc,
        )
      return doc
    }
    case 'proofDelete': {
      const proof = proofAt(doc, m.which)
      const names = proof === undefined ? [] : Object.keys(proof)
      const name = pick(names, m.field)
      if (proof !== undefined && name !== undefined) delete proof[name]
      return doc
    }
    case 'proofValue': {
      const proof = proofAt(doc, m.which)
      if (proof !== undefined) mutateProofValue(proof, m.how, m.n, base, doc)
      return doc
    }
    case 'proofSet': {
      const proofs = asArray(doc.proof)
      const others = bases.filter((b) => b.kind === base.kind && b !== base)
      const other = pick(others, m.other)
      const otherProof =
        other === undefined ? undefined : structuredClone(proofAt(other.document, 0))
      switch (m.how) {
        case 'wrap':
          doc.proof = proofs
          break
        case 'unwrap':
          doc.proof = proofs[0]
          break
        case 'duplicate':
          doc.proof = [...proofs, structuredClone(proofs[0])]
          break
        case 'addOther':
          if (otherProof !== undefined) doc.proof = [...proofs, otherProof]
          break
        case 'chain': {
          // Another proof endorsing the first (signed as a set member: only `resign` makes it valid).
          const first = proofs[0]
          if (isObject(first) && otherProof !== undefined) {
            first.id ??= 'urn:uuid:p0'
            doc.proof = [...proofs, { ...otherProof, id: 'urn:uuid:p1', previousProof: first.id }]
          }
          break
        }
        case 'sameIds':
          doc.proof = proofs.map((p) => (isObject(p) ? { ...p, id: 'urn:uuid:p0' } : p))
          break
      }
      return doc
    }
    case 'between': {
      const proof = proofAt(doc, 0)
      if (proof === undefined || Array.isArray(doc.proof)) return doc
      if (m.toProof) {
        const name = pick(
          Object.keys(doc).filter((k) => k !== 'proof' && k !== '@context'),
          m.field,
        )
        if (name !== undefined) {
          proof[name] = doc[name]
          delete doc[name]
        }
      } else {
        const name = pick(Object.keys(proof), m.field)
        if (name !== undefined) {
          doc[name] = proof[name]
          delete proof[name]
        }
      }
      return doc
    }
    case 'embed': {
      // A presentation gets (or swaps its credential for) a credential signed by another side,
      // suite or key; only a re-signature of the presentation makes that valid.
      if (!isVp(base.kind)) return doc
      const other = pick(
        bases.filter((b) => b.kind !== 'vp'),
        m.other,
      ) as Base
      doc.verifiableCredential = m.replace
        ? [structuredClone(other.document)]
        : [...asArray(doc.verifiableCredential), structuredClone(other.document)]
      return doc
    }
    case 'resign':
      await resign(doc, m.which)
      return doc
  }
}

const isPrefix = (prefix: Path, path: Path): boolean =>
  prefix.length <= path.length && prefix.every((k, i) => path[i] === k)

/** Rewrites that give the same RDF (so an rdfc proof stays valid) but another JSON. */
function equivalent(doc: Json, m: Extract<MutationSpec, { op: 'equivalent' }>): Json {
  const paths = allPaths(doc).filter((p) => typeof p[p.length - 1] === 'string')
  const path = pick(paths, m.at)
  if (path === undefined) return doc
  const value = getAt(doc, path)
  const name = path[path.length - 1] as string
  const parent = getAt(doc, path.slice(0, -1)) as Json
  switch (m.how) {
    case 'wrap':
      if (name !== '@context') setAt(doc, path, [value])
      break
    case 'unwrap':
      if (Array.isArray(value) && value.length === 1) setAt(doc, path, value[0])
      break
    case 'reverse':
      if (Array.isArray(value)) setAt(doc, path, [...value].reverse())
      break
    case 'idObject':
      if (typeof value === 'string' && /^(did|urn|https?):/.test(value))
        setAt(doc, path, { id: value })
      break
    case 'atId':
    case 'atType':
    case 'fullIri': {
      const renamed =
        m.how === 'fullIri'
          ? FULL_IRIS[name]
          : m.how === 'atId'
            ? name === 'id'
              ? '@id'
              : undefined
            : name === 'type'
              ? '@type'
              : undefined
      if (renamed === undefined) break
      // Keep the member order, with the member renamed in place.
      const entries = Object.entries(parent).map(([k, v]) => (k === name ? [renamed, v] : [k, v]))
      for (const k of Object.keys(parent)) delete parent[k]
      Object.assign(parent, Object.fromEntries(entries))
      break
    }
    case 'reorder': {
      if (!isObject(value)) break
      const entries = Object.entries(value).reverse()
      for (const k of Object.keys(value)) delete value[k]
      Object.assign(value, Object.fromEntries(entries))
      break
    }
  }
  return doc
}

const nat = fc.nat({ max: 10_000 })
const mutationArb: fc.Arbitrary<MutationSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('set' as const), at: nat, value: nat }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: nat }) },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('sameShape' as const), at: nat, value: nat }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('add' as const), at: nat, name: nat, value: nat }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('copy' as const), from: nat, to: nat }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('equivalent' as const),
      at: nat,
      how: fc.constantFrom(
        'wrap',
        'unwrap',
        'reverse',
        'idObject',
        'atId',
        'atType',
        'fullIri',
        'reorder',
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('context' as const),
      how: fc.constantFrom(
        'reverse',
        'dropFirst',
        'dropLast',
        'append',
        'prepend',
        'duplicate',
        'string',
      ),
      value: nat,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('proof' as const),
      which: nat,
      field: nat,
      value: nat,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('proofDelete' as const), which: nat, field: nat }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('proofValue' as const),
      which: nat,
      how: fc.constantFrom(
        'flip',
        'prefix',
        'append1',
        'prepend1',
        'truncate',
        'highS',
        'otherProof',
      ),
      n: nat,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('proofSet' as const),
      how: fc.constantFrom('wrap', 'duplicate', 'addOther', 'chain', 'sameIds', 'unwrap'),
      other: nat,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('between' as const),
      toProof: fc.boolean(),
      field: nat,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('embed' as const), other: nat, replace: fc.boolean() }),
  },
)

/** Mutations, then (usually) a re-signature, then maybe one more mutation of the proof. */
const casesArb = (kinds: readonly Kind[]) =>
  fc
    .record({
      base: fc.nat(),
      before: fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
      resign: fc.option(nat, { freq: 3, nil: undefined }),
      after: fc.option(mutationArb, { freq: 4, nil: undefined }),
      withDomain: fc.boolean(),
    })
    .map((spec) => ({ ...spec, kinds }))

/**
 * Re-signed documents: one or two changes of the content or the proof, always signed again (by the
 * key the proof names), so that only credsign's other checks, and the two sides hashing the same
 * bytes, stand between the change and an accept.
 */
const resignedArb = (kinds: readonly Kind[]) =>
  fc
    .record({
      base: fc.nat(),
      before: fc.array(
        mutationArb.filter((m) => m.op !== 'proofValue' && m.op !== 'proofSet'),
        { minLength: 1, maxLength: 2 },
      ),
      resign: nat,
      resignEmbedded: fc.boolean(),
      withDomain: fc.boolean(),
    })
    .map((spec) => ({ ...spec, after: undefined, kinds }))

interface CaseSpec {
  base: number
  before: MutationSpec[]
  resign: number | undefined
  /** Presentations: sign the (first) embedded credential again too, before the presentation. */
  resignEmbedded?: boolean
  after: MutationSpec | undefined
  withDomain: boolean
  kinds: readonly Kind[]
}

// ---------------------------------------------------------------------------------------------
// The property.

const handler = dataIntegrityHandler()
const dbVerifiers = (): unknown[] => DB_SUITES.map((c) => c.dbVerifier())

interface Tally {
  cases: number
  bothAccept: number
  oursOnlyRefused: Map<string, number>
  bothRefused: number
  /** Credsign's codes when both refuse. */
  bothRefusedCodes: Map<string, number>
  /** Both accept although the document was changed (RDF-equivalent rewrites, re-signed documents). */
  mutatedAccepted: number
  resigned: number
  /** Credsign accepts, DB refuses for a reason of its own (DB_STRICTER). */
  dbStricter: Map<string, number>
}
const newTally = (): Tally => ({
  cases: 0,
  bothAccept: 0,
  oursOnlyRefused: new Map(),
  bothRefused: 0,
  bothRefusedCodes: new Map(),
  mutatedAccepted: 0,
  resigned: 0,
  dbStricter: new Map(),
})

async function dbVerify(
  doc: Json,
  vp: boolean,
  withDomain: boolean,
  challenge = CHALLENGE,
): Promise<DbResult> {
  const documentLoader = dbDocumentLoader
  try {
    if (vp)
      return (await vc.verify({
        presentation: structuredClone(doc),
        challenge,
        ...(withDomain ? { domain: DOMAIN } : {}),
        suite: dbVerifiers(),
        documentLoader,
      })) as DbResult
    return (await vc.verifyCredential({
      credential: structuredClone(doc),
      suite: dbVerifiers(),
      documentLoader,
    })) as DbResult
  } catch (error) {
    return { verified: false, error }
  }
}

/**
 * Credsign verified a document that it does not take for a credential or presentation (a plain
 * JSON-LD document): DB's equivalent is jsonld-signatures' verify with the same purpose.
 */
async function dbVerifyPlain(doc: Json, purpose: string): Promise<DbResult> {
  const { AssertionProofPurpose, AuthenticationProofPurpose } = jsigs.purposes
  return (await jsigs.verify(structuredClone(doc), {
    suite: dbVerifiers(),
    purpose:
      purpose === 'authentication'
        ? new AuthenticationProofPurpose({ challenge: CHALLENGE })
        : new AssertionProofPurpose(),
    documentLoader: dbDocumentLoader,
  })) as DbResult
}

function describeCase(
  spec: CaseSpec,
  base: Base,
  doc: Json,
  ours: VerificationResult,
  db: DbResult,
): string {
  return JSON.stringify(
    {
      base: base.name,
      spec,
      document: doc,
      credsign: {
        verified: ours.verified,
        checks: ours.checks.map((c) => `${c.name}:${c.passed ? 'ok' : 'FAIL'}`),
        errors: ours.errors.map((e) => `${e.code}: ${e.message}`),
      },
      db: { verified: db.verified, errors: dbErrors(db) },
    },
    null,
    1,
  )
}

/**
 * DB refusals the specs do not ask for, so not counted against credsign (each tallied and printed):
 *
 * - DB's vc 7 requires `@context` to be an array (`credential['@context'][0]` must be the VCDM
 *   context); a single string is the same JSON-LD (a one-entry ordered set), and a valid document
 *   of the W3C VCDM 2.0 test suite has one (presentation-enveloped-vc-ok.json, on its embedded
 *   EnvelopedVerifiableCredential, in test/fixtures/vectors).
 */
const DB_STRICTER: { name: string; matches(doc: Json, dbErrors: string): boolean }[] = [
  {
    // vc.verify demands a challenge (AuthenticationProofPurpose); VC Data Integrity makes it
    // optional, and credsign checks one when the caller passes `nonce` (here, for a credential
    // turned presentation, it does not). A document typed both VerifiableCredential and
    // VerifiablePresentation is verified as a presentation: result.credential stays undefined, as
    // for any document that is not a credential (docs/data-integrity.md).
    name: 'presentation without a challenge, verified without a nonce',
    matches: (doc, errors) =>
      /The challenge is not as expected; challenge="undefined"|"challenge" param is required/.test(
        errors,
      ) && asArray(doc.proof).every((p) => isObject(p) && p.challenge === undefined),
  },
  {
    name: 'string @context',
    matches: (doc, errors) =>
      /needs to be first in the list of contexts/.test(errors) &&
      [doc, ...asArray(doc.verifiableCredential)].some(
        (d) => isObject(d) && typeof d['@context'] === 'string',
      ),
  },
]

async function runCase(spec: CaseSpec, tally: Tally): Promise<void> {
  const candidates = bases.filter((b) => spec.kinds.includes(b.kind))
  const base = candidates[spec.base % candidates.length] as Base
  let doc = structuredClone(base.document)
  for (const m of spec.before) doc = await applyMutation(doc, m, base)
  if (spec.resign !== undefined) {
    const before = JSON.stringify(doc)
    const embedded = asArray(doc.verifiableCredential)[0]
    if (spec.resignEmbedded === true && isObject(embedded)) await resign(embedded, spec.resign)
    await resign(doc, spec.resign)
    if (JSON.stringify(doc) !== before) tally.resigned += 1
  }
  if (spec.after !== undefined) doc = await applyMutation(doc, spec.after, base)
  const vp = isVp(base.kind)
  const ours = await verify(structuredClone(doc), {
    handlers: [handler],
    ...(vp ? { nonce: CHALLENGE, ...(spec.withDomain ? { audience: DOMAIN } : {}) } : {}),
  })
  tally.cases += 1
  for (const error of ours.errors)
    expect(DOCUMENTED_CODES, `undocumented code ${error.code}`).toContain(error.code)
  expect(ours.verified).toBe(ours.errors.length === 0)
  const plain = ours.verified && ours.credential === undefined && ours.presentation === undefined
  // A credential turned presentation (typed VerifiablePresentation too, proofPurpose authentication,
  // re-signed): credsign verified a presentation, so DB's presentation API judges it.
  const turnedPresentation = ours.verified && !vp && ours.presentation !== undefined
  const db = plain
    ? await dbVerifyPlain(doc, vp ? 'authentication' : 'assertionMethod')
    : turnedPresentation
      ? // credsign was given no nonce or audience: DB gets the proof's own challenge, no domain.
        await dbVerify(doc, true, false, String(proofAt(doc, 0)?.challenge ?? ''))
      : await dbVerify(doc, vp, spec.withDomain)
  if (!ours.verified) {
    const codes = [...new Set(ours.errors.map((e) => e.code))].sort().join('+')
    if (db.verified) {
      if (process.env.DIDIFF_VERBOSE !== undefined && !tally.oursOnlyRefused.has(codes))
        console.info(`credsign-only refusal ${codes}:\n${describeCase(spec, base, doc, ours, db)}`)
      tally.oursOnlyRefused.set(codes, (tally.oursOnlyRefused.get(codes) ?? 0) + 1)
    } else {
      tally.bothRefused += 1
      tally.bothRefusedCodes.set(codes, (tally.bothRefusedCodes.get(codes) ?? 0) + 1)
    }
    return
  }
  const stricter = db.verified ? undefined : DB_STRICTER.find((d) => d.matches(doc, dbErrors(db)))
  if (stricter !== undefined) {
    tally.dbStricter.set(stricter.name, (tally.dbStricter.get(stricter.name) ?? 0) + 1)
    return
  }
  expect(
    db.verified,
    `credsign accepted what Digital Bazaar refuses:\n${describeCase(spec, base, doc, ours, db)}`,
  ).toBe(true)
  tally.bothAccept += 1
  if (JSON.stringify(doc) !== JSON.stringify(base.document)) tally.mutatedAccepted += 1
}

const params = (runs: number): fc.Parameters<unknown> => ({
  seed: SEED,
  numRuns: Math.max(1, Math.round(runs)),
  endOnFailure: true,
})

function report(name: string, tally: Tally, started: number): void {
  console.info(
    `[differential-data-integrity] ${name}: ${tally.cases} cases in ${Date.now() - started} ms (seed ${SEED}); both accept ${tally.bothAccept} (${tally.mutatedAccepted} of them mutated), both refuse ${tally.bothRefused}, re-signed ${tally.resigned}; credsign-only refusals ${JSON.stringify(Object.fromEntries(tally.oursOnlyRefused))}; DB-only refusals the specs do not ask for ${JSON.stringify(Object.fromEntries(tally.dbStricter))}; both refuse, credsign's codes ${JSON.stringify(Object.fromEntries(tally.bothRefusedCodes))}`,
  )
}

describe('verify() vs Digital Bazaar on Data Integrity: credsign is never looser', () => {
  it('mutated credentials (VCDM 2.0, 1.1, blank nodes), every suite, signed by either side', async () => {
    const tally = newTally()
    const started = Date.now()
    await fc.assert(
      fc.asyncProperty(casesArb(['vc2', 'vc1', 'employ']), (spec) => runCase(spec, tally)),
      params(RUNS),
    )
    report('credentials', tally, started)
    expect(tally.bothAccept).toBeGreaterThan(RUNS / 20)
    expect(tally.mutatedAccepted).toBeGreaterThan(0)
    expect(tally.bothRefused).toBeGreaterThan(RUNS / 4)
    expect(tally.oursOnlyRefused.size).toBeGreaterThan(0)
  }, 120_000)

  it('re-signed credentials and presentations: changed content or proof, signed again', async () => {
    const tally = newTally()
    const started = Date.now()
    await fc.assert(
      fc.asyncProperty(resignedArb(['vc2', 'vc1', 'employ', 'vp']), (spec) => runCase(spec, tally)),
      params(RUNS),
    )
    report('re-signed', tally, started)
    expect(tally.resigned).toBeGreaterThan(RUNS / 3)
    expect(tally.mutatedAccepted).toBeGreaterThan(RUNS / 10)
    expect(tally.bothRefused).toBeGreaterThan(RUNS / 8)
  }, 120_000)

  it('mutated presentations (challenge, domain, an embedded credential), every suite, signed by either side', async () => {
    const tally = newTally()
    const started = Date.now()
    await fc.assert(
      fc.asyncProperty(casesArb(['vp']), (spec) => runCase(spec, tally)),
      params(RUNS * 0.6),
    )
    report('presentations', tally, started)
    expect(tally.bothAccept).toBeGreaterThan(RUNS / 60)
    expect(tally.mutatedAccepted).toBeGreaterThan(0)
    expect(tally.bothRefused).toBeGreaterThan(RUNS / 8)
  }, 120_000)
})

// ---------------------------------------------------------------------------------------------
// Regression rows: counterexamples found by the properties above, replayed every run.

const REGRESSIONS: { name: string; spec: CaseSpec }[] = [
  {
    // Seed 13: Ed25519Signature2020 on VCDM 2.0, the ed25519-2020 context dropped, re-signed (then
    // validUntil renamed to its IRI): the proof type is examples#Ed25519Signature2020.
    name: 'Ed25519Signature2020 without its context (an @vocab types the proof)',
    spec: {
      base: 688484448,
      before: [{ op: 'context', how: 'dropLast', value: 2283 }],
      resign: 2321,
      after: { op: 'equivalent', at: 2840, how: 'fullIri' },
      withDomain: false,
      kinds: ['vc2', 'vc1', 'employ'],
    },
  },
  {
    // Seed 13: eddsa-rdfc-2022 on VCDM 1.1 (signed by DB), the data-integrity context deleted,
    // re-signed: DB adds the context to the proof configuration it hashes, so its signature check fails.
    name: 'DataIntegrityProof on VCDM 1.1 without the data-integrity context',
    spec: {
      base: 2147483637,
      before: [
        { op: 'add', at: 6856, name: 13, value: 1 },
        { op: 'delete', at: 4601 },
      ],
      resign: 4,
      resignEmbedded: false,
      withDomain: false,
      after: undefined,
      kinds: ['vc2', 'vc1', 'employ', 'vp'],
    },
  },
  {
    // Seed 15: a presentation (ecdsa-jcs-2019 P-384, signed by DB) whose embedded credential lost its
    // VCDM context and its type (found as `type: {}`; `true` since VALUES grew), both re-signed: the
    // entry verified as a plain JSON-LD document and counted as a verified credential.
    name: 'a presentation whose embedded entry is a Data Integrity document but no credential',
    spec: {
      base: 25779255,
      before: [
        { op: 'delete', at: 2863 },
        { op: 'set', at: 7889, value: 9602 },
      ],
      resign: 4212,
      resignEmbedded: true,
      withDomain: false,
      after: undefined,
      kinds: ['vc2', 'vc1', 'employ', 'vp'],
    },
  },
  {
    // Seed 13: a presentation whose proof names the bare DID, re-signed.
    name: 'a presentation proof whose verificationMethod is the bare DID',
    spec: {
      base: 1016509031,
      before: [
        { op: 'proofDelete', which: 892, field: 4157 },
        { op: 'proof', which: 3746, field: 8391, value: 4534 },
      ],
      resign: 10,
      after: { op: 'proofSet', how: 'unwrap', other: 199 },
      withDomain: true,
      kinds: ['vp'],
    },
  },
]

describe('verify() vs Digital Bazaar on Data Integrity: regression rows', () => {
  it('every base document verifies on both sides', async () => {
    expect(bases.length).toBe(DB_SUITES.length * 2 * 4)
    for (const base of bases) {
      const tally = newTally()
      await runCase(
        {
          base: bases.filter((b) => b.kind === base.kind).indexOf(base),
          before: [],
          resign: undefined,
          after: undefined,
          withDomain: true,
          kinds: [base.kind],
        },
        tally,
      )
      expect(tally.bothAccept, base.name).toBe(1)
    }
  }, 60_000)
  // The wrong accepts found, as their inputs (fixed in src/; see docs/security.md): both refuse.
  const finding = async (baseName: string, change: (doc: Json) => void): Promise<void> => {
    const base = bases.find((b) => b.name === baseName) as Base
    const doc = structuredClone(base.document)
    change(doc)
    await resign(doc, 0)
    const ours = await verify(structuredClone(doc), { handlers: [handler] })
    expect(ours.errors.map((e) => e.code)).toEqual(['proof_invalid'])
    expect((await dbVerify(doc, false, false)).verified).toBe(false)
  }
  it('finding: a proof whose verificationMethod is the bare DID (no fragment)', async () => {
    for (const name of ['eddsa-rdfc-2022 vc2 by credsign', 'eddsa-jcs-2022 employ by db'])
      await finding(name, (doc) => {
        const proof = doc.proof as Json
        proof.verificationMethod = String(proof.verificationMethod).split('#')[0]
      })
  })
  it("finding: an rdfc proof whose type the document's contexts map to an @vocab IRI", async () => {
    await finding('Ed25519Signature2020 vc2 by credsign', (doc) => {
      doc['@context'] = asArray(doc['@context']).filter((c) => c !== ED_2020)
    })
    await finding('eddsa-rdfc-2022 vc1 by credsign', (doc) => {
      doc['@context'] = asArray(doc['@context']).filter((c) => c !== DI_V2)
    })
  })
  it('DB-only refusal (seed 31): a credential whose @context is the VCDM 2.0 context as a string', async () => {
    const base = bases.find((b) => b.name === 'ecdsa-jcs-2019 P-256 vc2 by credsign') as Base
    const doc = structuredClone(base.document)
    doc['@context'] = V2
    delete (doc.proof as Json)['@context']
    await resign(doc, 0)
    expect((await verify(structuredClone(doc), { handlers: [handler] })).errors).toEqual([])
    const db = await dbVerify(doc, false, false)
    expect(db.verified).toBe(false)
    expect(DB_STRICTER.find((d) => d.matches(doc, dbErrors(db)))?.name).toBe('string @context')
  })
  it('a credential typed VerifiablePresentation too, proofPurpose authentication: refused by both (credsign: the type names both)', async () => {
    for (const name of ['eddsa-rdfc-2022 vc2 by credsign', 'eddsa-jcs-2022 vc1 by db']) {
      const base = bases.find((b) => b.name === name) as Base
      const doc = structuredClone(base.document)
      doc.type = ['VerifiableCredential', 'VerifiablePresentation']
      ;(doc.proof as Json).proofPurpose = 'authentication'
      await resign(doc, 0)
      // It verified as a presentation (no holder to bind, any key may sign one) while a reader of
      // its type takes it for a credential: credsign refuses a document typed both.
      for (const nonce of [undefined, CHALLENGE]) {
        const ours = await verify(structuredClone(doc), {
          handlers: [handler],
          ...(nonce === undefined ? {} : { nonce }),
        })
        expect(ours.verified).toBe(false)
        expect(ours.errors.map((e) => e.code)).toContain('credential_invalid')
      }
      const db = await dbVerify(doc, true, false, '')
      expect(db.verified).toBe(false)
    }
  })
  for (const row of REGRESSIONS) {
    it(row.name, async () => {
      const tally = newTally()
      await runCase(row.spec, tally)
      expect(tally.bothRefused, 'credsign refuses it now').toBe(1)
    })
  }
})
