// Differential wrong-accept hunt over hostile did:web DID documents and verification method
// selection. Each case serves one or more did:web documents through the caller's fetch, signs a
// credential with a key of the case's choosing, and compares the verdicts of:
//
// - credsign `verify()` with `createResolver({ fetch })`, for a VCDM 1.1 JWT credential (`kid` and
//   `iss` as the case says) and for a Data Integrity credential (eddsa-jcs-2022, `verificationMethod`
//   and `issuer` as the case says, proofPurpose assertionMethod);
// - did-jwt-vc's verifyCredential (did-jwt 8, did-resolver 4 with a `web` method that serves the same
//   documents), with proofPurpose 'assertionMethod';
// - Digital Bazaar's vc.verifyCredential (jsonld-signatures' AssertionProofPurpose, which loads the
//   method's controller document and checks its assertionMethod) with a document loader that
//   serves the same documents and dereferences DID URLs with DB's did-io (`findVerificationMethod`),
//   as DB's DID drivers do.
//
// The property: credsign may be stricter, never looser. Each case pins credsign's verdict (its error
// code) and each reference's; where credsign verifies and a reference refuses, the case's
// `referenceStricter` says why the reference is wrong, and where credsign refuses and a reference
// accepts, its `why` gives the spec reason credsign is right to refuse.
//
// Also here: presentations (the holder's key must be an authentication method; did-jwt-vc's
// verifyPresentation and DB's vc.verify), the did:web read operation (credsign's URL against the
// method's own steps, for ports, paths, percent-encoding, case, trailing dots, userinfo and IP
// tricks) and did:jwk with hostile members (no reference installed: pinned to the did:jwk spec).
//
// Found here and fixed (docs/security.md): a method whose `controller` is a DID the document names
// as its controller verified for the document's DID (Controlled Identifiers 1.0 step 10; DB
// refuses); a `publicKeyJwk` with `use: "enc"` or `key_ops` without `verify` verified JWTs and Data
// Integrity proofs (a did:jwk `use: "enc"` key signed any plain JWT); a Data Integrity proof
// verified with a JWK whose `alg` is another key type's; a non-string `alg` was dropped.
//
// Reference behaviour seen here, not copied (looser than the specs):
// - did-jwt never reads `kid` (it tries every method of `iss`'s document for the purpose), checks
//   neither the document `id` (Controlled Identifiers 1.0 "Retrieve Verification Method" step 6)
//   nor a method's `controller` (step 10), and ignores a JWK's `use`, `key_ops` and `alg`.
// - DB's did-io dereferences a fragment without checking the document's `id`; its DID URL
//   dereferencing compares ids as strings, so a relative `#k` reference matches nothing (DB stricter).
// - Neither reads `deactivated`: did:web has no document metadata channel; a member of that name in
//   the document is an unknown property (DID Core 7.1.3: deactivated is resolution metadata, and
//   did:web deactivates by removing the document).
import { ed25519 } from '@noble/curves/ed25519.js'
import { p256 } from '@noble/curves/nist.js'
// @ts-expect-error -- @digitalbazaar/* ship no type declarations
import * as vc from '@digitalbazaar/vc'
// @ts-expect-error -- no type declarations
import { DataIntegrityProof } from '@digitalbazaar/data-integrity'
// @ts-expect-error -- no type declarations
import * as eddsaJcs2022 from '@digitalbazaar/eddsa-jcs-2022-cryptosuite'
// @ts-expect-error -- no type declarations
import { findVerificationMethod } from '@digitalbazaar/did-io'
// @ts-expect-error -- no type declarations
import jsigs from 'jsonld-signatures'
import { verifyCredential, verifyPresentation } from 'did-jwt-vc'
import { Resolver } from 'did-resolver'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  DataIntegritySigner,
  dataIntegrityHandler,
} from '../../src/formats/data-integrity/index.js'
import {
  createResolver,
  didWebUrl,
  importPrivateKey,
  loadPrivateKey,
  multikeyFromJwk,
  verify,
  type KeyAlgorithm,
  type PublicJwk,
  type Signer,
  type VerificationResult,
} from '../../src/index.js'
import { b58, fromB58 } from '../../src/util/base58.js'
import { b64u, utf8 } from '../../src/util/bytes.js'
import { signRaw } from '../core/vc-helpers.js'
import { dbDocumentLoader, dbErrors, type DbResult } from './fixtures/digital-bazaar-interop.js'

const DID = 'did:web:issuer.example'
const OTHER = 'did:web:other.example'
const DID_V1 = 'https://www.w3.org/ns/did/v1'
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1'
const JWK_V1 = 'https://w3id.org/security/jwk/v1'
const ED_2020_V1 = 'https://w3id.org/security/suites/ed25519-2020/v1'
const V1 = 'https://www.w3.org/2018/credentials/v1'
const V2 = 'https://www.w3.org/ns/credentials/v2'
const NOW = Date.UTC(2030, 0, 1)
const T = NOW / 1000

type Json = Record<string, unknown>

/** A key on both sides: a credsign signer (its id set per case) and its public JWK. */
interface Key {
  algorithm: KeyAlgorithm
  publicJwk: PublicJwk
  sign(data: Uint8Array): Promise<Uint8Array>
}

async function makeKey(algorithm: KeyAlgorithm): Promise<Key> {
  const secret =
    algorithm === 'Ed25519' ? ed25519.utils.randomSecretKey() : p256.utils.randomSecretKey()
  const material = await importPrivateKey({ seed: secret, algorithm })
  const handle = await loadPrivateKey(algorithm, material.pkcs8)
  const { kid: _kid, ...publicJwk } = material.publicJwk
  return { algorithm, publicJwk: publicJwk as PublicJwk, sign: (data) => handle.sign(data) }
}

let A: Key // the issuer's key
let B: Key // another Ed25519 key (the attacker's)
let P: Key // a P-256 key

/** The did:web document URL of the two DIDs the cases use (the did:web read operation). */
const URLS: Record<string, string> = {
  [DID]: 'https://issuer.example/.well-known/did.json',
  [OTHER]: 'https://other.example/.well-known/did.json',
}

function multikey(key: Key): string {
  return multikeyFromJwk(key.publicJwk)
}

/** A Multikey method of `key` with id `id` in the document of `did`. */
function mk(id: string, key: Key, controller = DID): Json {
  return { id, type: 'Multikey', controller, publicKeyMultibase: multikey(key) }
}

/** A JsonWebKey method. */
function jwkMethod(id: string, key: Key, extra: Json = {}, type = 'JsonWebKey'): Json {
  return { id, type, controller: DID, publicKeyJwk: { ...key.publicJwk, ...extra } }
}

/** The issuer's well-formed document: `#k` holds A, listed in assertionMethod and authentication. */
function baseDocument(extra: Json = {}): Json {
  return {
    '@context': [DID_V1, MULTIKEY_V1, JWK_V1],
    id: DID,
    verificationMethod: [mk(`${DID}#k`, A)],
    assertionMethod: [`${DID}#k`],
    authentication: [`${DID}#k`],
    ...extra,
  }
}

/** A document for OTHER that lists the method `id` (of `key`) under assertionMethod. */
function otherDocument(extra: Json = {}): Json {
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: OTHER,
    verificationMethod: [mk(`${OTHER}#k`, B, OTHER)],
    assertionMethod: [`${OTHER}#k`],
    ...extra,
  }
}

/** A credsign verdict: 'ok', or the first error code. */
type Verdict = string

interface Case {
  name: string
  /** The documents served, by DID. */
  docs: () => Record<string, unknown>
  /** The JWT `kid` and the Data Integrity `verificationMethod`. */
  method: string
  /** `iss` / `issuer` (default DID). */
  issuer?: string
  /** The key that signs (default A). */
  signer?: () => Key
  /** Credsign's verdict for the JWT and the Data Integrity credential. */
  jwt: Verdict
  di: Verdict
  /**
   * Whether each reference verifies (asserted, so a change in a reference shows up). When credsign
   * verifies, the reference must too.
   */
  didJwt: boolean
  db: boolean
  /** Why credsign refuses what a reference accepts: the spec credsign follows. */
  why?: string
  /**
   * Why a reference refuses what credsign verifies (a reference stricter than the specs, for a
   * reason of its own): required whenever that happens.
   */
  referenceStricter?: string
  /** Only the JWT side (a JWS `alg` case: Data Integrity has no such header). */
  jwtOnly?: boolean
}

function signerOf(key: Key, id: string): Signer {
  return { id, algorithm: key.algorithm, publicJwk: key.publicJwk, sign: (data) => key.sign(data) }
}

function fetchOf(docs: Record<string, unknown>): (url: string) => Promise<Response> {
  const byUrl = new Map<string, unknown>()
  for (const [did, doc] of Object.entries(docs)) byUrl.set(URLS[did] ?? did, doc)
  return async (url: string) => {
    const doc = byUrl.get(url)
    if (doc === undefined) return new Response('not found', { status: 404 })
    return new Response(JSON.stringify(doc), {
      status: 200,
      headers: { 'content-type': 'application/did+json' },
    })
  }
}

function verdict(result: VerificationResult): Verdict {
  return result.verified ? 'ok' : (result.errors[0]?.code ?? 'refused-without-error')
}

// ---------------------------------------------------------------------------------------------
// JWT: credsign vs did-jwt-vc

async function jwtFor(c: Case): Promise<string> {
  const key = (c.signer ?? (() => A))()
  const alg = key.algorithm === 'Ed25519' ? 'EdDSA' : 'ES256'
  return signRaw(
    signerOf(key, c.method),
    { alg, typ: 'JWT', kid: c.method },
    {
      iss: c.issuer ?? DID,
      sub: 'did:example:alice',
      nbf: T - 3600,
      vc: {
        '@context': [V1],
        type: ['VerifiableCredential'],
        credentialSubject: { degree: 'BSc' },
      },
    },
  )
}

async function credsignJwt(c: Case, jwt: string): Promise<VerificationResult> {
  return verify(jwt, { resolver: createResolver({ fetch: fetchOf(c.docs()) }), now: NOW })
}

async function didJwtVerifies(c: Case, jwt: string): Promise<{ ok: boolean; error?: string }> {
  const docs = c.docs()
  const resolver = new Resolver({
    web: async (did: string) => {
      const doc = docs[did]
      return doc === undefined
        ? {
            didResolutionMetadata: { error: 'notFound' },
            didDocument: null,
            didDocumentMetadata: {},
          }
        : {
            didResolutionMetadata: { contentType: 'application/did+json' },
            didDocument: structuredClone(doc) as never,
            didDocumentMetadata: {},
          }
    },
  })
  try {
    await verifyCredential(jwt, resolver, {
      proofPurpose: 'assertionMethod',
      policies: { now: T },
    })
    return { ok: true }
  } catch (error) {
    return { ok: false, error: (error as Error).message }
  }
}

// ---------------------------------------------------------------------------------------------
// Data Integrity: credsign vs Digital Bazaar

async function diFor(c: Case): Promise<Json> {
  const key = (c.signer ?? (() => A))()
  const signer = new DataIntegritySigner(signerOf(key, c.method), {
    cryptosuite: 'eddsa-jcs-2022',
    allowIssuerMismatch: true,
  })
  return (await signer.sign({
    '@context': [V2],
    type: ['VerifiableCredential'],
    issuer: c.issuer ?? DID,
    credentialSubject: { id: 'did:example:alice' },
  })) as Json
}

async function credsignDi(c: Case, credential: Json): Promise<VerificationResult> {
  return verify(credential, {
    handlers: [dataIntegrityHandler()],
    resolver: createResolver({ fetch: fetchOf(c.docs()) }),
    now: NOW,
  })
}

/**
 * DB's document loader over the case's documents: a DID URL is dereferenced as DB's DID drivers do
 * (did-io's findVerificationMethod on the DID's document), a DID gives its document, anything else
 * (contexts) goes to the shared DB loader.
 */
function dbLoader(docs: Record<string, unknown>): (url: string) => Promise<unknown> {
  return async (url: string) => {
    if (url.startsWith('did:web:')) {
      const [did = '', fragment] = url.split('#')
      const doc = docs[did]
      if (doc === undefined) throw new Error(`not found: ${did}`)
      const document =
        fragment === undefined
          ? structuredClone(doc)
          : findVerificationMethod({ doc: structuredClone(doc), methodId: url })
      if (document === undefined) throw new Error(`no method ${url}`)
      return { contextUrl: null, documentUrl: url, document }
    }
    return dbDocumentLoader(url)
  }
}

async function dbVerifies(c: Case, credential: Json): Promise<{ ok: boolean; error?: string }> {
  try {
    const result = (await vc.verifyCredential({
      credential: structuredClone(credential),
      suite: new DataIntegrityProof({ cryptosuite: eddsaJcs2022.createVerifyCryptosuite() }),
      documentLoader: jsigs.extendContextLoader(dbLoader(c.docs())),
      now: new Date(NOW),
    })) as DbResult
    return result.verified ? { ok: true } : { ok: false, error: dbErrors(result) }
  } catch (error) {
    return { ok: false, error: String(error) }
  }
}

// ---------------------------------------------------------------------------------------------
// The cases

/** A Multikey value with another multicodec prefix in front of A's 32 key bytes. */
function withCodec(key: Key, codec: number[]): string {
  const bytes = fromB58(multikey(key).slice(1)).slice(2)
  return `z${b58(new Uint8Array([...codec, ...bytes]))}`
}

const DB_RELATIVE =
  "DB's did-io matches a DID URL against method ids as strings, so a relative `#k` matches nothing; DID Core 3.2.2 resolves it against the document id"
const DID_JWT_TYPES =
  'did-jwt knows no JsonWebKey type (only JsonWebKey2020) and no key in a relationship it cannot find in verificationMethod'

const CASES: Case[] = [
  {
    name: 'baseline: absolute ids, Multikey in assertionMethod',
    docs: () => ({ [DID]: baseDocument() }),
    method: `${DID}#k`,
    jwt: 'ok',
    di: 'ok',
    didJwt: true,
    db: true,
  },
  {
    name: 'relative ids (#k) in verificationMethod and assertionMethod',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [mk('#k', A)],
        assertionMethod: ['#k'],
        authentication: ['#k'],
      }),
    }),
    method: `${DID}#k`,
    jwt: 'ok',
    di: 'ok',
    didJwt: true,
    db: false,
    referenceStricter: DB_RELATIVE,
  },
  {
    name: 'document id is another DID (served at the issuer URL)',
    docs: () => ({ [DID]: { ...baseDocument(), id: OTHER } }),
    method: `${DID}#k`,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: true,
    db: false,
    why: 'Controlled Identifiers 1.0 "Retrieve Verification Method" step 6 and the did:web read operation: the document id must be the DID; did-jwt does not compare them',
  },
  {
    name: 'method controller is another DID the document does not name',
    docs: () => ({
      [DID]: baseDocument({ verificationMethod: [mk(`${DID}#k`, A, OTHER)] }),
      [OTHER]: otherDocument(),
    }),
    method: `${DID}#k`,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: true,
    db: false,
    why: 'Controlled Identifiers 1.0 step 10: the method controller must be the document URL; did-jwt never reads it',
  },
  {
    // Found here: credsign accepted a method whose controller is a DID the document names as its
    // own controller, and reported the key as the issuer's; Digital Bazaar refuses it.
    name: 'method controller is another DID the document names as controller',
    docs: () => ({
      [DID]: baseDocument({
        controller: [OTHER],
        verificationMethod: [mk(`${DID}#k`, A, OTHER)],
      }),
      [OTHER]: otherDocument(),
    }),
    method: `${DID}#k`,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: true,
    db: false,
    why: 'Controlled Identifiers 1.0 step 10: the method controller must be the document URL, whatever the document controller says; did-jwt never reads it',
  },
  {
    name: 'method controller is another DID that also lists the method (DB binds to it)',
    docs: () => ({
      [DID]: baseDocument({
        controller: [OTHER],
        verificationMethod: [mk(`${DID}#k`, A, OTHER)],
      }),
      [OTHER]: otherDocument({ assertionMethod: [`${OTHER}#k`, `${DID}#k`] }),
    }),
    method: `${DID}#k`,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: true,
    db: false,
    why: 'Controlled Identifiers 1.0 step 10 (as above); DB binds the proof to the method controller, not the issuer, and refuses too',
  },
  {
    name: 'assertionMethod references a method of another DID (absolute)',
    docs: () => ({
      [DID]: baseDocument({ assertionMethod: [`${OTHER}#k`] }),
      [OTHER]: otherDocument(),
    }),
    method: `${OTHER}#k`,
    signer: () => B,
    jwt: 'issuer_mismatch',
    di: 'issuer_mismatch',
    didJwt: false,
    db: false,
  },
  {
    name: 'assertionMethod references a method not in verificationMethod',
    docs: () => ({ [DID]: baseDocument({ assertionMethod: [`${DID}#missing`] }) }),
    method: `${DID}#missing`,
    jwt: 'key_not_found',
    di: 'key_not_found',
    didJwt: false,
    db: false,
  },
  {
    name: 'method in verificationMethod only, not in assertionMethod',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [mk(`${DID}#k`, A), mk(`${DID}#only`, B)],
      }),
    }),
    method: `${DID}#only`,
    signer: () => B,
    jwt: 'key_not_authorized',
    di: 'key_not_authorized',
    didJwt: false,
    db: false,
  },
  {
    name: 'method embedded in authentication only, used for an assertion',
    docs: () => ({
      [DID]: baseDocument({ authentication: [mk(`${DID}#auth`, B)] }),
    }),
    method: `${DID}#auth`,
    signer: () => B,
    jwt: 'key_not_authorized',
    di: 'key_not_authorized',
    didJwt: false,
    db: false,
  },
  {
    name: 'assertionMethod references a method embedded in authentication',
    docs: () => ({
      [DID]: baseDocument({
        authentication: [mk(`${DID}#auth`, B)],
        assertionMethod: [`${DID}#k`, `${DID}#auth`],
      }),
    }),
    method: `${DID}#auth`,
    signer: () => B,
    jwt: 'ok',
    di: 'ok',
    didJwt: false,
    db: true,
    referenceStricter: `${DID_JWT_TYPES}; Controlled Identifiers 1.0 step 11 accepts a method associated with the relationship by reference`,
  },
  {
    name: 'duplicate method ids, the first with the attacker key',
    docs: () => ({
      [DID]: baseDocument({ verificationMethod: [mk(`${DID}#k`, B), mk(`${DID}#k`, A)] }),
    }),
    method: `${DID}#k`,
    signer: () => B,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: true,
    db: true,
    why: 'DID Core 5.2: verification method ids are unique; both references take the first of two',
  },
  {
    name: 'duplicate method ids, the second with the attacker key',
    docs: () => ({
      [DID]: baseDocument({ verificationMethod: [mk(`${DID}#k`, A), mk(`${DID}#k`, B)] }),
    }),
    method: `${DID}#k`,
    signer: () => B,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: false,
    db: false,
  },
  {
    name: 'duplicate method ids, one relative, one embedded in assertionMethod',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [mk('#k', A)],
        assertionMethod: [mk(`${DID}#k`, B)],
      }),
    }),
    method: `${DID}#k`,
    signer: () => B,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: true,
    db: true,
    why: 'DID Core 5.2: unique ids, and `#k` and the absolute id are the same id (DID Core 3.2.2)',
  },
  {
    name: 'publicKeyJwk with a private member d',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [
          jwkMethod(`${DID}#k`, A, { d: (A.publicJwk as { x: string }).x }, 'JsonWebKey2020'),
        ],
      }),
    }),
    method: `${DID}#k`,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: true,
    db: true,
    why: 'DID Core 5.2.1: publicKeyJwk MUST NOT contain private key members (whoever published it lost the key)',
  },
  {
    // Found here: credsign dropped `use` from a DID document's JWK and verified with it (JOSE and
    // Data Integrity).
    name: 'publicKeyJwk with use: enc',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [jwkMethod(`${DID}#k`, A, { use: 'enc' }, 'JsonWebKey2020')],
      }),
    }),
    method: `${DID}#k`,
    jwt: 'algorithm_not_allowed',
    di: 'algorithm_not_allowed',
    didJwt: true,
    db: true,
    why: 'RFC 7517 4.2: a key published with use "enc" is for encryption, not for verifying signatures (as credsign already holds for JWK Sets)',
  },
  {
    // Found here, as `use` above.
    name: 'publicKeyJwk with key_ops without verify',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [jwkMethod(`${DID}#k`, A, { key_ops: ['encrypt'] }, 'JsonWebKey2020')],
      }),
    }),
    method: `${DID}#k`,
    jwt: 'algorithm_not_allowed',
    di: 'algorithm_not_allowed',
    didJwt: true,
    db: true,
    why: 'RFC 7517 4.3: key_ops lists the operations the key is for; verify is not one',
  },
  {
    name: 'publicKeyJwk with use: sig and key_ops [verify]',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [
          jwkMethod(`${DID}#k`, A, { use: 'sig', alg: 'EdDSA' }, 'JsonWebKey2020'),
          {
            ...jwkMethod(`${DID}#k2`, B, { key_ops: ['verify'] }, 'JsonWebKey2020'),
          },
        ],
      }),
    }),
    method: `${DID}#k`,
    jwt: 'ok',
    di: 'ok',
    didJwt: true,
    db: true,
  },
  {
    // Found here (Data Integrity): the JWK's alg was read by JOSE key selection only.
    name: 'publicKeyJwk whose alg is not an algorithm of its key (ES256 on an Ed25519 key)',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [jwkMethod(`${DID}#k`, A, { alg: 'ES256' }, 'JsonWebKey2020')],
      }),
    }),
    method: `${DID}#k`,
    jwt: 'algorithm_not_allowed',
    di: 'algorithm_not_allowed',
    didJwt: true,
    db: true,
    why: 'RFC 7517 4.4: alg is the algorithm the key is for; ES256 cannot be an Ed25519 key',
  },
  {
    // Found here: a non-string alg was dropped, so the key verified whatever the JWS named.
    name: 'publicKeyJwk whose alg is not a string (["ES384"])',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [jwkMethod(`${DID}#k`, A, { alg: ['ES384'] }, 'JsonWebKey2020')],
      }),
    }),
    method: `${DID}#k`,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: true,
    db: true,
    why: 'RFC 7517 4.4: alg is a string; a malformed JWK is not read as one without the member',
  },
  {
    name: 'P-256 publicKeyJwk with alg ES256',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [jwkMethod(`${DID}#k`, P, { alg: 'ES256' }, 'JsonWebKey2020')],
      }),
    }),
    method: `${DID}#k`,
    signer: () => P,
    jwtOnly: true, // the Data Integrity side runs eddsa-jcs-2022
    jwt: 'ok',
    di: 'skipped',
    didJwt: true,
    db: false,
  },
  {
    name: 'P-256 publicKeyJwk with alg ES384, an ES256 signature',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [jwkMethod(`${DID}#k`, P, { alg: 'ES384' }, 'JsonWebKey2020')],
      }),
    }),
    method: `${DID}#k`,
    signer: () => P,
    jwtOnly: true,
    jwt: 'algorithm_not_allowed',
    di: 'skipped',
    didJwt: true,
    db: false,
    why: 'RFC 7517 4.4: the key is published for ES384 only; did-jwt ignores alg',
  },
  {
    name: 'publicKeyJwk with crv / kty mismatch (OKP key with crv P-256)',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [jwkMethod(`${DID}#k`, A, { crv: 'P-256' }, 'JsonWebKey2020')],
      }),
    }),
    method: `${DID}#k`,
    // JOSE key selection reports a resolver's unsupported_algorithm as key_resolution_failed.
    jwt: 'key_resolution_failed',
    di: 'unsupported_algorithm',
    didJwt: false,
    db: false,
  },
  {
    name: 'JsonWebKey type',
    docs: () => ({ [DID]: baseDocument({ verificationMethod: [jwkMethod(`${DID}#k`, A)] }) }),
    method: `${DID}#k`,
    jwt: 'ok',
    di: 'ok',
    didJwt: false,
    db: true,
    referenceStricter: DID_JWT_TYPES,
  },
  {
    name: 'JsonWebKey2020 type',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [jwkMethod(`${DID}#k`, A, {}, 'JsonWebKey2020')],
      }),
    }),
    method: `${DID}#k`,
    jwt: 'ok',
    di: 'ok',
    didJwt: true,
    db: true,
  },
  {
    name: 'Multikey with a publicKeyJwk',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [{ ...jwkMethod(`${DID}#k`, A), type: 'Multikey' }],
      }),
    }),
    method: `${DID}#k`,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: true,
    db: false,
    why: 'Controlled Identifiers 1.0 2.2.2: a Multikey carries publicKeyMultibase; did-jwt reads any key property of any type',
  },
  {
    name: 'JsonWebKey2020 with a publicKeyMultibase',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [{ ...mk(`${DID}#k`, A), type: 'JsonWebKey2020' }],
      }),
    }),
    method: `${DID}#k`,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: true,
    db: false,
    why: 'JSON Web Signature 2020 / Controlled Identifiers 1.0 2.2.1: a JsonWebKey carries publicKeyJwk; did-jwt reads any key property of any type',
  },
  {
    name: 'Ed25519VerificationKey2020 with a publicKeyJwk',
    docs: () => ({
      [DID]: {
        ...baseDocument({
          verificationMethod: [jwkMethod(`${DID}#k`, A, {}, 'Ed25519VerificationKey2020')],
        }),
        '@context': [DID_V1, ED_2020_V1],
      },
    }),
    method: `${DID}#k`,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: true,
    db: true,
    why: 'Ed25519Signature2020: an Ed25519VerificationKey2020 is publicKeyMultibase; both references read the JWK whatever the type',
  },
  {
    name: 'Ed25519VerificationKey2020 with a Multikey value',
    docs: () => ({
      [DID]: {
        ...baseDocument({
          verificationMethod: [{ ...mk(`${DID}#k`, A), type: 'Ed25519VerificationKey2020' }],
        }),
        '@context': [DID_V1, ED_2020_V1],
      },
    }),
    method: `${DID}#k`,
    jwt: 'ok',
    di: 'ok',
    didJwt: true,
    db: true,
  },
  {
    name: 'Multikey with the P-256 multicodec prefix in front of Ed25519 bytes',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [
          { ...mk(`${DID}#k`, A), publicKeyMultibase: withCodec(A, [0x80, 0x24]) },
        ],
      }),
    }),
    method: `${DID}#k`,
    jwt: 'key_resolution_failed',
    di: 'key_resolution_failed',
    didJwt: false,
    db: true,
    why: 'Controlled Identifiers 1.0 2.2.2: the multicodec header names the key type (0x1200: P-256, 33 bytes); DB slices the header off and never reads it',
  },
  {
    name: 'Multikey with the X25519 multicodec prefix in front of Ed25519 bytes',
    docs: () => ({
      [DID]: baseDocument({
        verificationMethod: [
          { ...mk(`${DID}#k`, A), publicKeyMultibase: withCodec(A, [0xec, 0x01]) },
        ],
      }),
    }),
    method: `${DID}#k`,
    jwt: 'key_resolution_failed',
    di: 'unsupported_algorithm',
    didJwt: false,
    db: true,
    why: 'Controlled Identifiers 1.0 2.2.2: 0xec is an X25519 key-agreement key, never a signature key; DB slices the header off and never reads it',
  },
  {
    name: 'kid names another DID than iss (the key is in both documents)',
    docs: () => ({
      [DID]: baseDocument(),
      [OTHER]: otherDocument({ verificationMethod: [mk(`${OTHER}#k`, A, OTHER)] }),
    }),
    method: `${OTHER}#k`,
    jwt: 'issuer_mismatch',
    di: 'issuer_mismatch',
    didJwt: true,
    db: false,
    why: "the kid names a method of another DID than iss (VC-JOSE-COSE: the key is the issuer's); did-jwt never reads kid and finds the same key in the iss document",
  },
  {
    name: 'kid names another DID than iss (attacker key, attacker document)',
    docs: () => ({ [DID]: baseDocument(), [OTHER]: otherDocument() }),
    method: `${OTHER}#k`,
    signer: () => B,
    jwt: 'issuer_mismatch',
    di: 'issuer_mismatch',
    didJwt: false,
    db: false,
  },
  {
    name: 'kid is a bare fragment (#k)',
    docs: () => ({ [DID]: baseDocument() }),
    method: '#k',
    jwtOnly: true, // a Data Integrity verificationMethod must be a URL: credsign's signer refuses `#k`
    jwt: 'key_not_found',
    di: 'skipped',
    didJwt: true,
    db: false,
    why: 'credsign does not resolve a fragment-only kid against iss: a kid is an opaque key name (RFC 7515 4.1.4), and an absolute DID URL names the method unambiguously; did-jwt never reads kid',
  },
  {
    name: 'DID URL with ?versionId= query',
    docs: () => ({ [DID]: baseDocument() }),
    method: `${DID}?versionId=1#k`,
    jwt: 'malformed',
    di: 'malformed',
    didJwt: true,
    db: false,
    why: 'did:web has no versions: a query the resolver cannot honour must not be dropped (DID Core 7.2.2); did-jwt never reads kid',
  },
  {
    name: 'DID URL with ?service= query',
    docs: () => ({ [DID]: baseDocument() }),
    method: `${DID}?service=files#k`,
    jwt: 'malformed',
    di: 'malformed',
    didJwt: true,
    db: false,
    why: 'a service query dereferences to a service endpoint, not a verification method (DID Core 7.2.2); did-jwt never reads kid',
  },
  {
    name: 'DID URL with a path',
    docs: () => ({ [DID]: baseDocument() }),
    method: `${DID}/keys#k`,
    jwt: 'malformed',
    di: 'malformed',
    didJwt: true,
    db: false,
    why: 'a DID URL path names another resource than the DID document; did-jwt never reads kid',
  },
  {
    name: 'document without @context',
    docs: () => {
      const { '@context': _context, ...doc } = baseDocument()
      return { [DID]: doc }
    },
    method: `${DID}#k`,
    jwt: 'ok',
    di: 'ok',
    didJwt: true,
    db: false,
    referenceStricter:
      'jsonld-signatures frames a controller document without the DID context as JSON-LD and drops every term; DID Core 6.2 (application/did+json) has no @context requirement',
  },
  {
    name: "alsoKnownAs naming another DID does not make the key that DID's",
    docs: () => ({ [DID]: baseDocument({ alsoKnownAs: [OTHER] }), [OTHER]: otherDocument() }),
    method: `${DID}#k`,
    issuer: OTHER,
    jwt: 'issuer_mismatch',
    di: 'issuer_mismatch',
    didJwt: false,
    db: false,
  },
  {
    name: 'document with a deactivated member (not metadata: an unknown property)',
    docs: () => ({ [DID]: baseDocument({ deactivated: true }) }),
    method: `${DID}#k`,
    jwt: 'ok',
    di: 'ok',
    didJwt: true,
    db: true,
  },
]

beforeAll(async () => {
  A = await makeKey('Ed25519')
  B = await makeKey('Ed25519')
  P = await makeKey('P-256')
})

describe('hostile did:web documents: credsign vs did-jwt-vc and Digital Bazaar', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const jwt = await jwtFor(c)
      const ours = await credsignJwt(c, jwt)
      const theirs = await didJwtVerifies(c, jwt)
      let line = `${c.name}\n  jwt: credsign ${verdict(ours)} (${ours.errors[0]?.message ?? ''}) did-jwt ${theirs.ok} ${theirs.error ?? ''}`
      let diVerdict = 'skipped'
      let dbOk: boolean | undefined
      if (c.jwtOnly !== true) {
        const credential = await diFor(c)
        const oursDi = await credsignDi(c, credential)
        const db = await dbVerifies(c, credential)
        diVerdict = verdict(oursDi)
        dbOk = db.ok
        line += `\n  di: credsign ${diVerdict} (${oursDi.errors[0]?.message ?? ''}) db ${db.ok} ${db.error ?? ''}`
      }
      expect({ jwt: verdict(ours), didJwt: theirs.ok }, line).toEqual({
        jwt: c.jwt,
        didJwt: c.didJwt,
      })
      if (verdict(ours) === 'ok' && !theirs.ok) expect(c.referenceStricter, line).toBeDefined()
      if (verdict(ours) !== 'ok' && theirs.ok) expect(c.why, line).toBeDefined()
      if (c.jwtOnly !== true) {
        expect({ di: diVerdict, db: dbOk }, line).toEqual({ di: c.di, db: c.db })
        if (diVerdict === 'ok' && dbOk !== true) expect(c.referenceStricter, line).toBeDefined()
        if (diVerdict !== 'ok' && dbOk === true) expect(c.why, line).toBeDefined()
      }
    })
  }
})

// ---------------------------------------------------------------------------------------------
// did:web read operation: credsign's URL against the did:web method's own steps

/**
 * The did:web read operation as the method specification writes it (did:web "Read (Resolve)"):
 * colons become slashes, a percent-encoded port colon is decoded, `https://` is prepended, an id
 * without a path gets `/.well-known`, and `/did.json` is appended. A plain string rewrite: what a
 * naive resolver fetches.
 */
function specDidWebUrl(did: string): string {
  const id = did.slice('did:web:'.length)
  const [authority = '', ...path] = id.split(':')
  const host = authority.replace(/%3a/i, ':')
  return `https://${host}${path.length === 0 ? '/.well-known' : `/${path.join('/')}`}/did.json`
}

/** The host a DID names: its first segment, the port's `%3A` decoded, lower-cased. */
function hostOf(did: string): string {
  return (did.slice('did:web:'.length).split(':')[0] ?? '').replace(/%3a.*$/i, '').toLowerCase()
}

const WEB_DIDS: { did: string; accepted: boolean; why?: string }[] = [
  { did: 'did:web:issuer.example', accepted: true },
  { did: 'did:web:issuer.example%3A8443', accepted: true },
  { did: 'did:web:issuer.example:users:alice', accepted: true },
  { did: 'did:web:issuer.example%3A8443:users:alice', accepted: true },
  { did: 'did:web:ISSUER.Example', accepted: true },
  { did: 'did:web:xn--bcher-kva.example', accepted: true },
  { did: 'did:web:issuer.example:users:%C3%A9', accepted: true },
  { did: 'did:web:issuer.example.', accepted: false, why: 'an empty DNS label' },
  {
    did: 'did:web:issuer.example%40evil.example',
    accepted: false,
    why: 'userinfo: the naive URL goes to evil.example',
  },
  {
    did: 'did:web:evil.example%2F%2Fissuer.example',
    accepted: false,
    why: 'an encoded slash in the host',
  },
  {
    did: 'did:web:issuer.example%23.evil.example',
    accepted: false,
    why: 'an encoded # in the host',
  },
  {
    did: 'did:web:issuer.example%3A443%40evil.example',
    accepted: false,
    why: 'userinfo after a port',
  },
  { did: 'did:web:issuer.example:%2E%2E:admin', accepted: false, why: 'a dot-segment' },
  { did: 'did:web:issuer.example:a%2Fb', accepted: false, why: 'an encoded slash in a segment' },
  { did: 'did:web:issuer.example:a%3Fb', accepted: false, why: 'an encoded ? in a segment' },
  { did: 'did:web:issuer.example::x', accepted: false, why: 'an empty path segment' },
  { did: 'did:web:127.0.0.1', accepted: false, why: 'the method forbids IP addresses' },
  {
    did: 'did:web:2130706433',
    accepted: false,
    why: 'a numeric host is an IPv4 address to the URL parser',
  },
  { did: 'did:web:0x7f.1', accepted: false, why: 'a hex IPv4 address' },
  { did: 'did:web:issuer.example%3A0', accepted: false, why: 'port 0' },
  { did: 'did:web:issuer.example%3A65536', accepted: false, why: 'a port above 65535' },
  { did: 'did:web:localhost', accepted: false, why: 'the verifier itself (without allowHttp)' },
  { did: 'did:web:-issuer.example', accepted: false, why: 'a label starting with a hyphen' },
  {
    did: 'did:web:issuer_example.com',
    accepted: false,
    why: 'an underscore is no host name character',
  },
]

describe('did:web read operation: credsign vs the method specification', () => {
  for (const { did, accepted, why } of WEB_DIDS) {
    it(`${did}: ${accepted ? 'the URL the method specifies' : `refused (${why})`}`, async () => {
      let url: string | undefined
      try {
        url = didWebUrl(did)
      } catch (error) {
        expect((error as { code?: string }).code).toBe('malformed')
      }
      // localhost passes didWebUrl (tests use it with allowHttp) but never resolves without allowHttp.
      const resolved = await createResolver({ fetch: fetchOf({}) })
        .resolveDid(did)
        .then(
          () => 'ok',
          (error: { code?: string }) => error.code,
        )
      if (!accepted) {
        expect(resolved).not.toBe('ok')
        expect(url === undefined || did === 'did:web:localhost').toBe(true)
        return
      }
      expect(url).toBeDefined()
      // Where credsign fetches, it is exactly where the method says, on the host the DID names.
      expect(new URL(url as string).href).toBe(new URL(specDidWebUrl(did)).href)
      expect(new URL(url as string).hostname).toBe(hostOf(did))
      // Served there, a document with the DID as its id resolves; one with any other spelling of
      // the DID (the lower-cased host) does not (the id must be the DID, exactly).
      const doc = { '@context': [DID_V1], id: did, verificationMethod: [] }
      const at = (value: unknown) =>
        createResolver({
          fetch: async (requested: string) =>
            new URL(requested).href === new URL(url as string).href
              ? new Response(JSON.stringify(value), {
                  headers: { 'content-type': 'application/did+json' },
                })
              : new Response('not found', { status: 404 }),
        }).resolveDid(did)
      await expect(at(doc)).resolves.toMatchObject({ id: did })
      const other =
        did === did.toLowerCase() ? did.replace('did:web:', 'did:web:x') : did.toLowerCase()
      await expect(at({ ...doc, id: other })).rejects.toMatchObject({
        code: 'key_resolution_failed',
      })
    })
  }
})

// ---------------------------------------------------------------------------------------------
// did:jwk: the JWK is the document (no reference resolver is installed: verdicts pinned to the
// did:jwk specification)

describe('did:jwk with hostile members, as a JWT kid and iss', () => {
  const didJwk = (jwk: object): string => `did:jwk:${b64u(utf8(JSON.stringify(jwk)))}`
  const cases: { name: string; extra: Json; verdict: Verdict; why: string }[] = [
    { name: 'the plain key', extra: {}, verdict: 'ok', why: 'a signing key' },
    {
      name: 'extra public members (kid, x5u, ext)',
      extra: { kid: 'k-1', x5u: 'https://evil.example/x5u', ext: true },
      verdict: 'ok',
      why: 'did:jwk keeps any public member; none of these names another key',
    },
    {
      name: 'a private member d',
      extra: { d: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      verdict: 'key_resolution_failed',
      why: 'did:jwk: the JWK MUST NOT contain private members',
    },
    {
      name: 'use: enc',
      extra: { use: 'enc' },
      verdict: 'algorithm_not_allowed',
      why: 'did:jwk: an enc key is only a keyAgreement method; RFC 7517 4.2',
    },
    {
      name: 'key_ops without verify',
      extra: { key_ops: ['encrypt'] },
      verdict: 'algorithm_not_allowed',
      why: 'RFC 7517 4.3 (found here: the key verified as an assertionMethod key)',
    },
    {
      name: 'alg of another key type',
      extra: { alg: 'ES256' },
      verdict: 'algorithm_not_allowed',
      why: 'RFC 7517 4.4',
    },
  ]
  for (const c of cases) {
    it(`${c.name}: ${c.verdict} (${c.why})`, async () => {
      const did = didJwk({ ...A.publicJwk, ...c.extra })
      const jwt = await signRaw(
        signerOf(A, `${did}#0`),
        { alg: 'EdDSA', typ: 'JWT', kid: `${did}#0` },
        {
          iss: did,
          nbf: T - 3600,
          vc: { '@context': [V1], type: ['VerifiableCredential'], credentialSubject: { a: 1 } },
        },
      )
      expect(verdict(await verify(jwt, { now: NOW }))).toBe(c.verdict)
    })
  }

  it('use: enc signs no plain JWT either (no credential, so no key purpose check to catch it)', async () => {
    // Found here: a JWT without `vc` has no role, so only the key's own use can refuse it.
    const did = didJwk({ ...A.publicJwk, use: 'enc' })
    const jwt = await signRaw(
      signerOf(A, `${did}#0`),
      { alg: 'EdDSA', typ: 'JWT', kid: `${did}#0` },
      { iss: did, nbf: T - 3600, sub: 'alice' },
    )
    expect(verdict(await verify(jwt, { now: NOW }))).toBe('algorithm_not_allowed')
  })
})

// ---------------------------------------------------------------------------------------------
// Presentations: the holder's key must be an authentication method

describe('presentations: the authentication relationship, credsign vs did-jwt-vc and Digital Bazaar', () => {
  const AUDIENCE = 'https://verifier.example'
  const NONCE = 'n-0S6_WzA2Mj'
  const cases: {
    name: string
    doc: () => Json
    method: string
    signer?: () => Key
    verdict: Verdict
    references: boolean
  }[] = [
    {
      name: 'a method listed in authentication',
      doc: () => baseDocument(),
      method: `${DID}#k`,
      verdict: 'ok',
      references: true,
    },
    {
      name: 'a method listed in assertionMethod only',
      doc: () => baseDocument({ authentication: [] }),
      method: `${DID}#k`,
      verdict: 'key_not_authorized',
      references: false,
    },
    {
      name: 'a method embedded in authentication',
      doc: () => baseDocument({ authentication: [mk(`${DID}#auth`, B)] }),
      method: `${DID}#auth`,
      signer: () => B,
      verdict: 'ok',
      references: true,
    },
    {
      name: 'a method embedded in capabilityInvocation only',
      doc: () => baseDocument({ capabilityInvocation: [mk(`${DID}#cap`, B)] }),
      method: `${DID}#cap`,
      signer: () => B,
      verdict: 'key_not_authorized',
      references: false,
    },
  ]
  for (const c of cases) {
    it(`${c.name}: ${c.verdict}`, async () => {
      const key = (c.signer ?? (() => A))()
      const docs: Record<string, unknown> = { [DID]: c.doc() }
      const resolver = createResolver({ fetch: fetchOf(docs) })

      const jwt = await signRaw(
        signerOf(key, c.method),
        { alg: 'EdDSA', typ: 'JWT', kid: c.method },
        {
          iss: DID,
          aud: AUDIENCE,
          nonce: NONCE,
          nbf: T - 60,
          vp: { '@context': [V1], type: ['VerifiablePresentation'] },
        },
      )
      const ours = await verify(jwt, { resolver, now: NOW, audience: AUDIENCE, nonce: NONCE })
      const didJwtResolver = new Resolver({
        web: async (did: string) => ({
          didResolutionMetadata: { contentType: 'application/did+json' },
          didDocument: structuredClone(docs[did]) as never,
          didDocumentMetadata: {},
        }),
      })
      const theirs = await verifyPresentation(jwt, didJwtResolver, {
        proofPurpose: 'authentication',
        domain: AUDIENCE,
        challenge: NONCE,
        policies: { now: T },
      }).then(
        () => true,
        () => false,
      )
      expect({ jwt: verdict(ours), didJwt: theirs }).toEqual({
        jwt: c.verdict,
        didJwt: c.references,
      })

      const presentation = (await new DataIntegritySigner(signerOf(key, c.method), {
        cryptosuite: 'eddsa-jcs-2022',
      }).sign(
        { '@context': [V2], type: ['VerifiablePresentation'], holder: DID },
        { challenge: NONCE, domain: AUDIENCE },
      )) as Json
      const oursDi = await verify(presentation, {
        handlers: [dataIntegrityHandler()],
        resolver,
        now: NOW,
        audience: AUDIENCE,
        nonce: NONCE,
      })
      const db = (await vc
        .verify({
          presentation: structuredClone(presentation),
          challenge: NONCE,
          domain: AUDIENCE,
          suite: new DataIntegrityProof({ cryptosuite: eddsaJcs2022.createVerifyCryptosuite() }),
          documentLoader: jsigs.extendContextLoader(dbLoader(docs)),
        })
        .catch((error: unknown) => ({ verified: false, error }))) as DbResult
      expect({ di: verdict(oursDi), db: db.verified }, dbErrors(db)).toEqual({
        di: c.verdict,
        db: c.references,
      })
    })
  }
})
