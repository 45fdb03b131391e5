// credsign/http end to end, over real sockets: node:http servers on 127.0.0.1 (port 0) running
// `toNodeListener(createHandler(...))`, driven with global fetch. Every signed output is verified
// twice: by credsign itself (verify(), verifyOid4vciProof) and by an independent implementation
// (jose for JWTs, Digital Bazaar's @digitalbazaar/vc + cryptosuites for Data Integrity, @sd-jwt for
// SD-JWT), which gets the issuer keys from the server's own did:web documents (fetched over HTTP)
// or from the /generate responses.
//
// did:web: credsign's did:web resolver follows the did:web specification and refuses IP-address
// hosts (`did:web:127.0.0.1%3APORT` is `malformed`), so the DIDs here are `did:web:localhost%3APORT`
// and `did:web:localhost%3APORT:issuers:acme`; every fetch of their documents (credsign's resolver
// with `allowHttp`, and DB's document loader) goes to 127.0.0.1, so the server sees
// `Host: 127.0.0.1:PORT` and serves the one configured DID with that path (public-routes.ts).
//
// The main server is configured in two steps (beforeAll): the keys are made through POST /generate
// on a bare handler, then the handler is rebuilt with `didWeb` and `issuers` naming the returned key
// ids (what a deployment does: the ids of fragment-less identifiers are only known after /generate).
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createHash,
  createPublicKey,
  verify as nodeVerify,
  constants as cryptoConstants,
} from 'node:crypto'
// @ts-expect-error -- @digitalbazaar/* and jsonld-signatures ship no type declarations
import * as vc from '@digitalbazaar/vc'
// @ts-expect-error -- no type declarations
import { DataIntegrityProof } from '@digitalbazaar/data-integrity'
// @ts-expect-error -- no type declarations
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite'
// @ts-expect-error -- no type declarations
import * as eddsaJcs2022 from '@digitalbazaar/eddsa-jcs-2022-cryptosuite'
// @ts-expect-error -- no type declarations
import { cryptosuite as ecdsaRdfc2019 } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite'
// @ts-expect-error -- no type declarations
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey'
// @ts-expect-error -- no type declarations
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey'
// @ts-expect-error -- no type declarations
import jsigs from 'jsonld-signatures'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { SDJwtInstance } from '@sd-jwt/core'
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  EmbeddedJWK,
  errors as joseErrors,
  importJWK,
  jwtVerify,
  type JWK,
} from 'jose'
import { DB_CONTEXTS, didKeyDriver } from './fixtures/digital-bazaar.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createDocumentLoader,
  dataIntegrityHandler,
} from '../../src/formats/data-integrity/index.js'
import {
  createHandler,
  toNodeListener,
  type CredsignHandler,
  type HandlerOptions,
  type HttpLogEntry,
} from '../../src/http/index.js'
import {
  createResolver,
  JwtVcSigner,
  KeyVault,
  MemoryStore,
  verify,
  verifyOid4vciProof,
  asDidSigner,
  type KeyStore,
  type VerificationResult,
} from '../../src/index.js'

type Json = Record<string, unknown>
// Response bodies are whatever the server sent: read them loosely, assert them strictly.
type Body = any

const V2 = 'https://www.w3.org/ns/credentials/v2'
const EXAMPLES_V2 = 'https://www.w3.org/ns/credentials/examples/v2'
const SECRETS = ['first caller secret', 'second caller secret']
const WRONG = ['first caller secret', 'not the second secret']
const TOKEN_A = 'e2e-bearer-token-A-0123456789'
const TOKEN_B = 'e2e-bearer-token-B-0123456789'
const CHALLENGE = 'c-nonce-3f9a1e'
const DOMAIN = 'https://verifier.example'
const CREDENTIAL_ISSUER = 'https://credential-issuer.example'
const CLIENT_ID = 'wallet-client-7'
const VCT = 'https://credentials.example/identity_credential'

const fastKdf = { id: 'pbkdf2-sha256', iterations: 1000 } as const // the lowest PBKDF2 count the envelope accepts
const newVault = (store: KeyStore = new MemoryStore()): KeyVault =>
  new KeyVault({ store, serviceSecret: crypto.getRandomValues(new Uint8Array(32)), kdf: fastKdf })

// ---------------------------------------------------------------------------------------------
// Servers and requests.

interface TestServer {
  port: number
  base: string
  /** TCP connections accepted so far. */
  connections(): number
  use(handler: CredsignHandler): void
  close(): Promise<void>
}

async function startServer(handler?: CredsignHandler): Promise<TestServer> {
  let listener: ((req: IncomingMessage, res: ServerResponse) => void) | undefined =
    handler === undefined ? undefined : toNodeListener(handler)
  const server = createServer((req, res) => {
    if (listener !== undefined) return listener(req, res)
    res.statusCode = 503
    res.end()
  })
  let connections = 0
  server.on('connection', () => connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    connections: () => connections,
    base: `http://127.0.0.1:${port}`,
    use(next) {
      listener = toNodeListener(next)
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

interface Reply {
  status: number
  headers: Headers
  text: string
  body: Body
}

interface CallOptions {
  body?: unknown
  /** Bearer token (default TOKEN_A); null for none. */
  token?: string | null
  headers?: Record<string, string>
}

async function call(
  server: TestServer,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers }
  const token = options.token === undefined ? TOKEN_A : options.token
  if (token !== null) headers.authorization = `Bearer ${token}`
  let body: string | undefined
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    headers['content-type'] ??= 'application/json'
  }
  const response = await fetch(`${server.base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  })
  const text = await response.text()
  const type = response.headers.get('content-type') ?? ''
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: /json/.test(type) && text !== '' ? JSON.parse(text) : text,
  }
}

const post = (
  server: TestServer,
  path: string,
  body: unknown,
  options: Omit<CallOptions, 'body'> = {},
) => call(server, 'POST', path, { ...options, body })
const get = (server: TestServer, path: string, options: CallOptions = {}) =>
  call(server, 'GET', path, options)

/** Expects an RFC 9457 problem with this status and code. */
function expectProblem(reply: Reply, status: number, code: string): Body {
  expect({ status: reply.status, code: reply.body?.code }, reply.text).toEqual({ status, code })
  expect(reply.headers.get('content-type')).toBe('application/problem+json')
  expect(reply.body).toMatchObject({
    type: `urn:credsign:error:${code}`,
    title: code,
    status,
    code,
  })
  expect(typeof reply.body.detail).toBe('string')
  return reply.body
}

function expectStatus(reply: Reply, status: number): void {
  expect(reply.status, reply.text).toBe(status)
}

/** Did:web → the URL of its document, by the did:web rules, but at 127.0.0.1 (the test server). */
function didDocumentUrl(did: string): string {
  const [authority, ...path] = did.slice('did:web:'.length).split(':')
  const port = decodeURIComponent(authority!).split(':')[1]
  return `http://127.0.0.1:${port}/${path.length === 0 ? '.well-known' : path.map(decodeURIComponent).join('/')}/did.json`
}

/** Credsign's resolvers fetch `http://localhost:PORT/...` (allowHttp): sent to 127.0.0.1 here. */
const loopbackFetch = (url: string, init: RequestInit): Promise<Response> =>
  fetch(url.replace(/^http:\/\/localhost:/, 'http://127.0.0.1:'), init)
/**
 * Credsign's resolver for the test DIDs: did:web over the network (with allowHttp for localhost),
 * did:key / did:jwk offline.
 */
const webResolver = createResolver({ fetch: loopbackFetch, allowHttp: true })

const b64json = (segment: string): Json =>
  JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Json
const jwtParts = (jwt: string): { header: Json; payload: Json } => {
  const [h, p] = jwt.split('~')[0]!.split('.')
  return { header: b64json(h!), payload: b64json(p!) }
}
const encodeJson = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url')

function expectVerified(result: VerificationResult, format?: string): void {
  expect(result.errors).toEqual([])
  expect(result.verified).toBe(true)
  if (format !== undefined) expect(result.format).toBe(format)
}

/** A VCDM 2.0 credential (the examples v2 vocabulary defines its terms: JSON-LD safe mode). */
const credentialDraft = (extra: Json = {}): Json => ({
  '@context': [V2, EXAMPLES_V2],
  id: `urn:uuid:${crypto.randomUUID()}`,
  type: ['VerifiableCredential', 'ExampleAlumniCredential'],
  validFrom: '2024-01-01T00:00:00Z',
  credentialSubject: { id: 'did:example:alice', alumniOf: 'Example University', degree: 'BSc' },
  ...extra,
})

// ---------------------------------------------------------------------------------------------
// Independent verifiers: Digital Bazaar (Data Integrity), @sd-jwt (node:crypto callbacks), jose.

const credsignContexts = createDocumentLoader()
/** Every did.json DB's loader fetched from a test server. */
const dbFetchedDidDocuments: string[] = []

/**
 * DB's document loader: did:key through DB's driver, did:web by fetching the test server, contexts
 * from DB's packages.
 */
const dbDocumentLoader = jsigs.extendContextLoader(async (url: string) => {
  if (url.startsWith('did:key:'))
    return { contextUrl: null, documentUrl: url, document: await didKeyDriver.get({ url }) }
  if (url.startsWith('did:web:')) {
    const [did, fragment] = url.split('#')
    const location = didDocumentUrl(did!)
    const response = await fetch(location)
    if (response.status !== 200) throw new Error(`${location}: ${response.status}`)
    dbFetchedDidDocuments.push(location)
    const document = (await response.json()) as Json
    if (fragment === undefined) return { contextUrl: null, documentUrl: url, document }
    const method = (document.verificationMethod as Json[]).find((vm) => vm.id === url)
    if (method === undefined) throw new Error(`${url} is not in ${location}`)
    return {
      contextUrl: null,
      documentUrl: url,
      document: { '@context': 'https://w3id.org/security/multikey/v1', ...method },
    }
  }
  const known = DB_CONTEXTS.get(url)
  if (known !== undefined)
    return { contextUrl: null, documentUrl: url, document: known, tag: 'static' }
  const { document } = await credsignContexts(url) // contexts no DB package ships (examples v2)
  return { contextUrl: null, documentUrl: url, document: structuredClone(document), tag: 'static' }
}) as (url: string) => Promise<unknown>

const dbSuites = () => [
  new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
  new DataIntegrityProof({ cryptosuite: ecdsaRdfc2019 }),
  new DataIntegrityProof({ cryptosuite: eddsaJcs2022.createVerifyCryptosuite() }),
]

interface DbResult {
  verified: boolean
  error?: unknown
  results?: { error?: unknown }[]
  presentationResult?: DbResult
  credentialResults?: DbResult[]
}
function dbErrors(result: DbResult): string {
  const errors: unknown[] = [
    result.error,
    ...(result.results ?? []).map((r) => r.error),
    result.presentationResult?.error,
    ...(result.credentialResults ?? []).flatMap((r) => [
      r.error,
      ...(r.results ?? []).map((x) => x.error),
    ]),
  ]
  return errors
    .filter((e) => e !== undefined)
    .flatMap((e) => ((e as { errors?: unknown[] }).errors ?? [e]) as unknown[])
    .map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : JSON.stringify(e)))
    .join('; ')
}
async function dbVerifyCredential(credential: unknown): Promise<void> {
  const result = (await vc.verifyCredential({
    credential,
    suite: dbSuites(),
    documentLoader: dbDocumentLoader,
  })) as DbResult
  expect(dbErrors(result)).toBe('')
  expect(result.verified).toBe(true)
}
async function dbVerifyPresentation(
  presentation: unknown,
  challenge: string,
  domain: string,
): Promise<DbResult> {
  return (await vc.verify({
    presentation,
    challenge,
    domain,
    suite: dbSuites(),
    documentLoader: dbDocumentLoader,
  })) as DbResult
}

/** An independent JWK of a Multikey verification method (DB's multikey libraries). */
async function dbJwkOf(method: Json): Promise<JWK> {
  const withContext = { '@context': 'https://w3id.org/security/multikey/v1', ...method }
  const lib = (method.publicKeyMultibase as string).startsWith('z6Mk')
    ? Ed25519Multikey
    : EcdsaMultikey
  const keyPair = await lib.from(withContext)
  return (await lib.toJwk({ keyPair })) as JWK
}

const JWS_NODE: Record<string, { hash: string | null; pss?: true }> = {
  EdDSA: { hash: null },
  Ed25519: { hash: null },
  ES256: { hash: 'sha256' },
  ES384: { hash: 'sha384' },
  PS256: { hash: 'sha256', pss: true },
}
/** A JWS signature check on node:crypto only (for @sd-jwt's verifier callbacks). */
function nodeJwsVerify(jwk: JWK, alg: string, data: string, signature: string): boolean {
  const scheme = JWS_NODE[alg]
  if (scheme === undefined) throw new Error(`unexpected alg ${alg}`)
  const key = createPublicKey({ key: jwk as never, format: 'jwk' })
  const sig = Buffer.from(signature, 'base64url')
  if (scheme.hash === null) return nodeVerify(null, Buffer.from(data), key, sig)
  if (scheme.pss)
    return nodeVerify(
      scheme.hash,
      Buffer.from(data),
      { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      sig,
    )
  return nodeVerify(scheme.hash, Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, sig)
}
/** The members that make a public JWK (DB's toJwk adds ext / key_ops, credsign kid / alg / use). */
const publicMembers = (jwk: Json): Json =>
  Object.fromEntries(
    ['kty', 'crv', 'x', 'y', 'n', 'e'].filter((m) => jwk[m] !== undefined).map((m) => [m, jwk[m]]),
  )
const algOfJws = (data: string): string => b64json(data.split('.')[0]!).alg as string
const sdHasher = (data: string | ArrayBuffer, alg: string): Uint8Array => {
  expect(alg.toLowerCase()).toBe('sha-256')
  return new Uint8Array(
    createHash('sha256')
      .update(typeof data === 'string' ? data : new Uint8Array(data))
      .digest(),
  )
}
/** @sd-jwt verifier for an issuer JWK; KB-JWTs are checked against cnf.jwk. */
function sdJwtVcVerifier(issuerJwk: JWK): SDJwtVcInstance {
  return new SDJwtVcInstance({
    hasher: sdHasher,
    verifier: (data, signature) => nodeJwsVerify(issuerJwk, algOfJws(data), data, signature),
    kbVerifier: (data, signature, payload) =>
      nodeJwsVerify((payload as { cnf: { jwk: JWK } }).cnf.jwk, algOfJws(data), data, signature),
  })
}

// ---------------------------------------------------------------------------------------------
// The main server: bearer tokens A and B, did:web documents, four VC-API issuer profiles.

let main: TestServer
let ISSUER_DID: string // did:web:localhost%3APORT, at /.well-known/did.json
let PATH_DID: string // did:web:localhost%3APORT:issuers:acme, at /issuers/acme/did.json
const log: HttpLogEntry[] = []
/** The /generate responses of the main keys, by role. */
const keys = {} as Record<'ed' | 'p256' | 'p384' | 'path' | 'holder', Body>
let mainOptions: HandlerOptions

const jwkOfKey = async (role: keyof typeof keys): Promise<JWK> =>
  (keys[role].publicKeyJwk as JWK | undefined) ?? dbJwkOf(keys[role])
const didKeyOf = (multibase: string): string => `did:key:${multibase}`
/** The did:key the fragment-less non-DID holder key signs as. */
const holderDid = (): string => didKeyOf((keys.holder.id as string).split('#')[1]!)

beforeAll(async () => {
  const vault = newVault()
  const bootstrap: HandlerOptions = { vault, auth: { bearerTokens: [TOKEN_A, TOKEN_B] } }
  main = await startServer(createHandler(bootstrap))
  ISSUER_DID = `did:web:localhost%3A${main.port}`
  PATH_DID = `${ISSUER_DID}:issuers:acme`
  const generate = async (
    identifier: string,
    signatureType: string,
    keyType: string,
  ): Promise<Body> => {
    const reply = await post(main, '/generate', {
      identifier,
      secrets: SECRETS,
      signatureType,
      keyType,
    })
    expectStatus(reply, 201)
    return reply.body
  }
  keys.ed = await generate(`${ISSUER_DID}#ed`, 'Ed25519', 'JsonWebKey')
  keys.p256 = await generate(`${ISSUER_DID}#p256`, 'ES256', 'JsonWebKey')
  keys.p384 = await generate(`${ISSUER_DID}#p384`, 'ES384', 'Multikey')
  keys.path = await generate(PATH_DID, 'Ed25519', 'Multikey') // no fragment: id = PATH_DID#<multibase>
  keys.holder = await generate('holder', 'ES256', 'JsonWebKey') // not a DID: signs as its did:key

  mainOptions = {
    vault,
    auth: { bearerTokens: [TOKEN_A, TOKEN_B] },
    didWeb: [
      { did: ISSUER_DID, keyIds: [keys.ed.id, keys.p256.id, keys.p384.id] },
      { did: PATH_DID, keyIds: [keys.path.id] },
    ],
    issuers: [
      { name: 'jwt', keyId: keys.p256.id, secrets: SECRETS, format: 'jwt' },
      {
        name: 'eddsa',
        keyId: keys.ed.id,
        secrets: SECRETS,
        format: 'data-integrity',
        cryptosuite: 'eddsa-rdfc-2022',
      },
      {
        name: 'ecdsa',
        keyId: keys.holder.id,
        secrets: SECRETS,
        format: 'data-integrity',
        cryptosuite: 'ecdsa-rdfc-2019',
      },
      { name: 'sd', keyId: keys.path.id, secrets: SECRETS, format: 'sd-jwt' },
    ],
    onLog: (entry) => log.push(entry),
  }
  main.use(createHandler(mainOptions))
})

afterAll(async () => {
  await main?.close()
})

const sign = (path: string, identifier: string, extra: Json = {}, token?: string) =>
  post(main, path, { identifier, secrets: SECRETS, ...extra }, token === undefined ? {} : { token })

// ---------------------------------------------------------------------------------------------

describe('POST /generate', () => {
  it('Ed25519 / ES256 / ES384 as JsonWebKey and Multikey: the verification method of the new key', async () => {
    for (const [signatureType, kty, crv, alg] of [
      ['Ed25519', 'OKP', 'Ed25519', 'EdDSA'],
      ['ES256', 'EC', 'P-256', 'ES256'],
      ['ES384', 'EC', 'P-384', 'ES384'],
    ] as const) {
      const id = `${ISSUER_DID}#gen-${signatureType}`
      const asJwk = await post(main, '/generate', {
        identifier: `${id}-jwk`,
        secrets: SECRETS,
        signatureType,
        keyType: 'JsonWebKey',
      })
      expectStatus(asJwk, 201)
      expect(asJwk.headers.get('content-type')).toBe('application/json')
      expect(Object.keys(asJwk.body).sort()).toEqual(['controller', 'id', 'publicKeyJwk', 'type'])
      expect(asJwk.body).toMatchObject({
        id: `${id}-jwk`,
        type: 'JsonWebKey',
        controller: ISSUER_DID,
        publicKeyJwk: { kty, crv, alg, use: 'sig' },
      })
      expect(asJwk.body.publicKeyJwk).not.toHaveProperty('d')
      // The JWK's kid is its RFC 7638 thumbprint (computed here by jose).
      expect(asJwk.body.publicKeyJwk.kid).toBe(
        await calculateJwkThumbprint(asJwk.body.publicKeyJwk),
      )

      const asMultikey = await post(main, '/generate', {
        identifier: `${id}-mk`,
        secrets: SECRETS,
        signatureType,
        keyType: 'Multikey',
      })
      expectStatus(asMultikey, 201)
      expect(Object.keys(asMultikey.body).sort()).toEqual([
        'controller',
        'id',
        'publicKeyMultibase',
        'type',
      ])
      expect(asMultikey.body).toMatchObject({
        id: `${id}-mk`,
        type: 'Multikey',
        controller: ISSUER_DID,
      })
      expect(asMultikey.body.publicKeyMultibase).toMatch(
        { Ed25519: /^z6Mk/, ES256: /^zDna/, ES384: /^z82L/ }[signatureType],
      )
      // DB's multikey libraries decode it to the same curve, and GET /keys/:id has the same key.
      const jwk = await dbJwkOf(asMultikey.body)
      expect(jwk).toMatchObject({ kty, crv })
      const info = await get(main, `/keys/${encodeURIComponent(`${id}-mk`)}`)
      expectStatus(info, 200)
      expect(info.body.publicKeyMultibase).toBe(asMultikey.body.publicKeyMultibase)
      expect(publicMembers(info.body.publicKeyJwk)).toEqual(publicMembers(jwk as Json))
    }
  })

  it('keyType defaults to JsonWebKey', async () => {
    const reply = await post(main, '/generate', {
      identifier: `${ISSUER_DID}#gen-default`,
      secrets: SECRETS,
      signatureType: 'Ed25519',
    })
    expectStatus(reply, 201)
    expect(reply.body.type).toBe('JsonWebKey')
  })

  it('an identifier without a fragment names the controller: id = identifier#publicKeyMultibase', async () => {
    // Multikey: the suffix is the returned publicKeyMultibase.
    expect(keys.path.id).toBe(`${PATH_DID}#${keys.path.publicKeyMultibase}`)
    expect(keys.path.controller).toBe(PATH_DID)
    // JsonWebKey: the suffix is the Multikey of the returned JWK (GET /keys/:id and DB's decoder agree).
    const [controller, suffix] = (keys.holder.id as string).split('#')
    expect(controller).toBe('holder')
    expect(keys.holder.controller).toBe('holder')
    const info = await get(main, `/keys/${encodeURIComponent(keys.holder.id)}`)
    expect(info.body.publicKeyMultibase).toBe(suffix)
    expect(
      await dbJwkOf({
        id: keys.holder.id,
        type: 'Multikey',
        controller: 'did:example:x',
        publicKeyMultibase: suffix,
      }),
    ).toMatchObject({ x: keys.holder.publicKeyJwk.x, y: keys.holder.publicKeyJwk.y })
    // The same fragment-less identifier again makes another key under another id (no conflict).
    const again = await post(main, '/generate', {
      identifier: PATH_DID,
      secrets: SECRETS,
      signatureType: 'Ed25519',
      keyType: 'Multikey',
    })
    expectStatus(again, 201)
    expect(again.body.id).toBe(`${PATH_DID}#${again.body.publicKeyMultibase}`)
    expect(again.body.id).not.toBe(keys.path.id)
  })

  it('a duplicate id is 409 exists (the origin answered 500), and the first key is untouched', async () => {
    const before = await get(main, `/keys/${encodeURIComponent(keys.ed.id)}`)
    const reply = await post(main, '/generate', {
      identifier: keys.ed.id,
      secrets: ['other secret'],
      signatureType: 'ES256',
    })
    expectProblem(reply, 409, 'exists')
    const after = await get(main, `/keys/${encodeURIComponent(keys.ed.id)}`)
    expect(after.body).toEqual(before.body)
    // The original secrets still open it.
    expectStatus(await sign('/sign/vc/jwt', keys.ed.id, { verifiable: credentialDraft() }), 201)
  })

  it('PS256 (RSA-PSS): generates, signs a JWT VC as its did:key; verified by credsign and jose; no Data Integrity suite', async () => {
    const reply = await post(main, '/generate', {
      identifier: 'rsa-issuer#key-1',
      secrets: SECRETS,
      signatureType: 'PS256',
    })
    expectStatus(reply, 201)
    expect(reply.body.publicKeyJwk).toMatchObject({ kty: 'RSA', alg: 'PS256', e: 'AQAB' })
    expect(Buffer.from(reply.body.publicKeyJwk.n, 'base64url').length * 8).toBe(3072)
    const jwt = await sign('/sign/vc/jwt', 'rsa-issuer#key-1', { verifiable: credentialDraft() })
    expectStatus(jwt, 201)
    const result = await verify(jwt.text)
    expectVerified(result, 'vc+jwt')
    expect(result.issuer).toMatch(/^did:key:z/)
    const { payload, protectedHeader } = await jwtVerify(
      jwt.text,
      await importJWK(reply.body.publicKeyJwk, 'PS256'),
      { typ: 'vc+jwt' },
    )
    expect(protectedHeader.alg).toBe('PS256')
    expect(payload.iss).toBe(result.issuer)
    // Without a fragment, RSA's Multikey makes the key id longer than the 500 characters allowed.
    expectProblem(
      await post(main, '/generate', {
        identifier: 'rsa-no-fragment',
        secrets: SECRETS,
        signatureType: 'PS256',
      }),
      400,
      'invalid_request',
    )
    expectProblem(
      await sign('/sign/vc/data-integrity', 'rsa-issuer#key-1', { verifiable: credentialDraft() }),
      400,
      'unsupported_cryptosuite',
    )
  })
  it('ES512, PS384, PS512, RS256 (issue 16): each generates, signs a JWT VC with exactly its algorithm; verified by credsign and jose', async () => {
    for (const [signatureType, kty] of [
      ['ES512', 'EC'],
      ['PS384', 'RSA'],
      ['PS512', 'RSA'],
      ['RS256', 'RSA'],
    ] as const) {
      const id = `new-alg-${signatureType}#key-1`
      const reply = await post(main, '/generate', {
        identifier: id,
        secrets: SECRETS,
        signatureType,
      })
      expectStatus(reply, 201)
      expect(reply.body.publicKeyJwk).toMatchObject({ kty, alg: signatureType })
      const jwt = await sign('/sign/vc/jwt', id, { verifiable: credentialDraft() })
      expectStatus(jwt, 201)
      const result = await verify(jwt.text)
      expectVerified(result, 'vc+jwt')
      const { protectedHeader } = await jwtVerify(
        jwt.text,
        await importJWK(reply.body.publicKeyJwk, signatureType),
        { typ: 'vc+jwt', algorithms: [signatureType] },
      )
      expect(protectedHeader.alg).toBe(signatureType)
    }
  })
})

// ---------------------------------------------------------------------------------------------

describe('POST /sign/vc/{jwt,data-integrity,sd-jwt}', () => {
  const JWT_CASES = [
    ['ed', 'EdDSA'],
    ['p256', 'ES256'],
    ['p384', 'ES384'],
    ['path', 'EdDSA'],
    ['holder', 'ES256'],
  ] as const

  for (const [role, alg] of JWT_CASES) {
    it(`jwt, ${role} key (${alg}): credsign verify() resolves the key ${role === 'holder' ? '(did:key, offline)' : 'from the did:web document'}; jose verifies with the key's JWK`, async () => {
      const key = keys[role]
      const reply = await sign('/sign/vc/jwt', key.id, { verifiable: credentialDraft() })
      expectStatus(reply, 201)
      expect(reply.headers.get('content-type')).toBe('application/jwt')
      expect(reply.headers.get('cache-control')).toBe('no-store')
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff')
      const jwt = reply.text
      const issuer = role === 'holder' ? holderDid() : (key.id as string).split('#')[0]!
      const kid = role === 'holder' ? `${issuer}#${issuer.slice('did:key:'.length)}` : key.id
      expect(decodeProtectedHeader(jwt)).toEqual({ alg, kid, typ: 'vc+jwt', cty: 'vc' })

      const fetchedBefore = log.filter((e) => e.route === '/{did:web}/did.json').length
      const result = await verify(jwt, { resolver: webResolver })
      expectVerified(result, 'vc+jwt')
      expect(result.issuer).toBe(issuer)
      expect(result.key?.id).toBe(kid)
      const fetched = log.filter((e) => e.route === '/{did:web}/did.json').length - fetchedBefore
      expect(fetched).toBe(role === 'holder' ? 0 : 1)

      const { payload } = await jwtVerify(jwt, await importJWK(await jwkOfKey(role), alg), {
        typ: 'vc+jwt',
        issuer,
      })
      expect(payload).toMatchObject({
        issuer,
        iss: issuer,
        credentialSubject: { id: 'did:example:alice', degree: 'BSc' },
        nbf: Date.parse('2024-01-01T00:00:00Z') / 1000,
      })
    })
  }

  it('jwt: the issuer is filled with the key controller; another issuer is 400 issuer_mismatch (the origin silently rewrote it)', async () => {
    const reply = await sign('/sign/vc/jwt', keys.ed.id, {
      verifiable: credentialDraft({ issuer: 'did:example:someone-else' }),
    })
    expectProblem(reply, 400, 'issuer_mismatch')
    const own = await sign('/sign/vc/jwt', keys.ed.id, {
      verifiable: credentialDraft({ issuer: { id: ISSUER_DID, name: 'Example Issuer' } }),
    })
    expectStatus(own, 201)
    expect(jwtParts(own.text).payload.issuer).toEqual({ id: ISSUER_DID, name: 'Example Issuer' })
  })

  const DI_CASES = [
    ['ed', undefined, 'eddsa-rdfc-2022'],
    ['ed', 'eddsa-jcs-2022', 'eddsa-jcs-2022'],
    ['p256', undefined, 'ecdsa-rdfc-2019'],
    ['p384', undefined, 'ecdsa-rdfc-2019'],
    ['path', undefined, 'eddsa-rdfc-2022'],
    ['holder', undefined, 'ecdsa-rdfc-2019'],
  ] as const

  for (const [role, requested, cryptosuite] of DI_CASES) {
    it(`data-integrity, ${role} key, ${cryptosuite}${requested === undefined ? ' (default)' : ' (requested)'}: credsign verify() and DB vc.verifyCredential`, async () => {
      const key = keys[role]
      const reply = await sign('/sign/vc/data-integrity', key.id, {
        verifiable: credentialDraft(),
        ...(requested === undefined ? {} : { cryptosuite: requested }),
      })
      expectStatus(reply, 201)
      expect(reply.headers.get('content-type')).toBe('application/json')
      const secured = reply.body as Json
      const issuer = role === 'holder' ? holderDid() : (key.id as string).split('#')[0]!
      const vm = role === 'holder' ? `${issuer}#${issuer.slice('did:key:'.length)}` : key.id
      expect(secured.issuer).toBe(issuer)
      expect(secured.proof).toMatchObject({
        type: 'DataIntegrityProof',
        cryptosuite,
        proofPurpose: 'assertionMethod',
        verificationMethod: vm,
      })

      const result = await verify(secured, {
        resolver: webResolver,
        handlers: [dataIntegrityHandler()],
      })
      expectVerified(result, 'data-integrity')
      expect(result.key?.id).toBe(vm)

      const fetched = dbFetchedDidDocuments.length
      await dbVerifyCredential(secured)
      if (role !== 'holder')
        expect(dbFetchedDidDocuments.slice(fetched)).toContain(didDocumentUrl(issuer))
    })
  }

  it('sd-jwt, VCDM 2.0 credential (vc+sd-jwt, path DID key): credsign verify() and @sd-jwt/core with the key from the did:web document', async () => {
    const reply = await sign('/sign/vc/sd-jwt', keys.path.id, {
      verifiable: credentialDraft(),
      disclosureFrame: { credentialSubject: { _sd: ['alumniOf', 'degree'] } },
    })
    expectStatus(reply, 201)
    expect(reply.headers.get('content-type')).toBe('application/vc+sd-jwt')
    const sdJwt = reply.text
    expect(jwtParts(sdJwt).header).toMatchObject({
      alg: 'EdDSA',
      kid: keys.path.id,
      typ: 'vc+sd-jwt',
      cty: 'vc',
    })
    expect(sdJwt.split('~').filter((p) => p !== '')).toHaveLength(3) // issuer JWT + 2 disclosures

    const result = await verify(sdJwt, { resolver: webResolver })
    expectVerified(result, 'sd-jwt')
    expect(result.credential).toMatchObject({
      issuer: PATH_DID,
      credentialSubject: { alumniOf: 'Example University', degree: 'BSc' },
    })

    // @sd-jwt/core, with the issuer key taken from the served did:web document (decoded by DB).
    const document = (await (await fetch(didDocumentUrl(PATH_DID))).json()) as Json
    const method = (document.verificationMethod as Json[]).find((m) => m.id === keys.path.id)!
    const issuerJwk = await dbJwkOf(method)
    const core = new SDJwtInstance({
      hasher: sdHasher,
      verifier: (data, signature) => nodeJwsVerify(issuerJwk, algOfJws(data), data, signature),
    })
    const theirs = (await core.verify(sdJwt)).payload as Json
    expect(theirs).toMatchObject({
      iss: PATH_DID,
      issuer: PATH_DID,
      credentialSubject: { id: 'did:example:alice', alumniOf: 'Example University', degree: 'BSc' },
    })
  })

  for (const role of ['p256', 'ed'] as const) {
    it(`sd-jwt, SD-JWT VC claims (dc+sd-jwt, ${role} key, holder cnf): credsign verify() and @sd-jwt/sd-jwt-vc with the /generate JWK`, async () => {
      const claims = {
        vct: VCT,
        given_name: 'Erika',
        family_name: 'Mustermann',
        birthdate: '1963-08-12',
        nationality: 'DE',
      }
      const reply = await sign('/sign/vc/sd-jwt', keys[role].id, {
        verifiable: claims,
        disclosureFrame: { _sd: ['given_name', 'family_name', 'birthdate'] },
        holderPublicJwk: keys.holder.publicKeyJwk,
      })
      expectStatus(reply, 201)
      expect(reply.headers.get('content-type')).toBe('application/dc+sd-jwt')
      const sdJwt = reply.text
      const { header, payload } = jwtParts(sdJwt)
      expect(header).toMatchObject({ kid: keys[role].id, typ: 'dc+sd-jwt' })
      expect(payload).toMatchObject({
        iss: ISSUER_DID,
        vct: VCT,
        nationality: 'DE',
        cnf: {
          jwk: {
            kty: 'EC',
            crv: 'P-256',
            x: keys.holder.publicKeyJwk.x,
            y: keys.holder.publicKeyJwk.y,
          },
        },
      })
      expect(payload).not.toHaveProperty('given_name')

      // Issued, not presented: no KB-JWT yet, so key binding is not required for this check.
      const result = await verify(sdJwt, { resolver: webResolver, requireKeyBinding: false })
      expectVerified(result, 'sd-jwt')
      const theirs = await sdJwtVcVerifier(keys[role].publicKeyJwk).verify(sdJwt)
      expect(theirs.payload).toMatchObject({ ...claims, iss: ISSUER_DID })
    })
  }
})

// ---------------------------------------------------------------------------------------------

describe('POST /sign/vp/{jwt,data-integrity,sd-jwt}', () => {
  it('jwt (ES384 holder, embedded JWT VC): credsign verify() with nonce/audience; jose checks aud, nonce and exp', async () => {
    const credential = (await sign('/sign/vc/jwt', keys.p256.id, { verifiable: credentialDraft() }))
      .text
    const presentation = {
      '@context': [V2],
      type: ['VerifiablePresentation'],
      verifiableCredential: [
        {
          '@context': V2,
          type: 'EnvelopedVerifiableCredential',
          id: `data:application/vc+jwt,${credential}`,
        },
      ],
    }
    const validUntil = new Date(Date.now() + 600_000).toISOString()
    const reply = await sign('/sign/vp/jwt', keys.p384.id, {
      verifiable: presentation,
      challenge: CHALLENGE,
      audience: DOMAIN,
      validUntil,
    })
    expectStatus(reply, 201)
    expect(reply.headers.get('content-type')).toBe('application/jwt')
    const jwt = reply.text
    expect(decodeProtectedHeader(jwt)).toEqual({
      alg: 'ES384',
      kid: keys.p384.id,
      typ: 'vp+jwt',
      cty: 'vp',
    })

    const result = await verify(jwt, { resolver: webResolver, nonce: CHALLENGE, audience: DOMAIN })
    expectVerified(result, 'vp+jwt')
    expect(result.presentation).toBeDefined()
    expect(result.credentials?.map((c) => c.verified)).toEqual([true])
    const wrong = await verify(jwt, { resolver: webResolver, nonce: 'another', audience: DOMAIN })
    expect(wrong.errors.map((e) => e.code)).toContain('nonce_mismatch')

    const { payload } = await jwtVerify(jwt, await importJWK(await jwkOfKey('p384'), 'ES384'), {
      typ: 'vp+jwt',
      audience: DOMAIN,
      issuer: ISSUER_DID,
    })
    expect(payload.nonce).toBe(CHALLENGE)
    expect(payload.holder).toBe(ISSUER_DID)
    expect(payload.exp).toBe(Math.floor(Date.parse(validUntil) / 1000))
    await expect(
      jwtVerify(jwt, await importJWK(await jwkOfKey('p384'), 'ES384'), {
        audience: 'https://other.example',
      }),
    ).rejects.toThrow(joseErrors.JWTClaimValidationFailed)
  })

  it('data-integrity (Ed25519 holder, embedded DI VC): credsign verify() and DB vc.verify with challenge and domain; a wrong challenge fails on both', async () => {
    const credential = (
      await sign('/sign/vc/data-integrity', keys.p256.id, { verifiable: credentialDraft() })
    ).body
    const reply = await sign('/sign/vp/data-integrity', keys.ed.id, {
      verifiable: {
        '@context': [V2],
        type: ['VerifiablePresentation'],
        verifiableCredential: [credential],
      },
      challenge: CHALLENGE,
      domain: DOMAIN,
    })
    expectStatus(reply, 201)
    const vp = reply.body as Json
    expect(vp.holder).toBe(ISSUER_DID) // as in the origin: the key's controller when absent
    expect(vp.proof).toMatchObject({
      cryptosuite: 'eddsa-rdfc-2022',
      proofPurpose: 'authentication',
      challenge: CHALLENGE,
      domain: DOMAIN,
      verificationMethod: keys.ed.id,
    })

    const handlers = [dataIntegrityHandler()]
    const result = await verify(vp, {
      resolver: webResolver,
      handlers,
      nonce: CHALLENGE,
      audience: DOMAIN,
    })
    expectVerified(result, 'data-integrity')
    expect(result.credentials?.map((c) => c.verified)).toEqual([true])
    expect(
      (
        await verify(vp, { resolver: webResolver, handlers, nonce: 'another', audience: DOMAIN })
      ).errors.map((e) => e.code),
    ).toEqual(['nonce_mismatch'])

    const db = await dbVerifyPresentation(vp, CHALLENGE, DOMAIN)
    expect(dbErrors(db)).toBe('')
    expect(db.verified).toBe(true)
    expect(db.credentialResults?.map((r) => r.verified)).toEqual([true])
    const dbWrong = await dbVerifyPresentation(vp, 'another', DOMAIN)
    expect(dbWrong.verified).toBe(false)
    expect(dbErrors(dbWrong)).toMatch(/challenge/i)
  })

  it('sd-jwt: the holder presents a dc+sd-jwt with a KB-JWT; credsign verify() and @sd-jwt/sd-jwt-vc check key binding, nonce and audience', async () => {
    const claims = {
      vct: VCT,
      given_name: 'Erika',
      family_name: 'Mustermann',
      birthdate: '1963-08-12',
    }
    const issued = (
      await sign('/sign/vc/sd-jwt', keys.p256.id, {
        verifiable: claims,
        disclosureFrame: { _sd: ['given_name', 'family_name', 'birthdate'] },
        holderPublicJwk: keys.holder.publicKeyJwk,
      })
    ).text
    const reply = await sign('/sign/vp/sd-jwt', keys.holder.id, {
      verifiable: issued,
      nonce: CHALLENGE,
      domain: DOMAIN,
      presentationFrame: { _sd: ['given_name'] },
    })
    expectStatus(reply, 201)
    expect(reply.headers.get('content-type')).toBe('application/dc+sd-jwt')
    const presented = reply.text
    expect(presented.split('~').filter((p) => p !== '')).toHaveLength(3) // issuer JWT, given_name, KB-JWT
    expect(b64json(presented.slice(presented.lastIndexOf('~') + 1).split('.')[0]!)).toEqual({
      alg: 'ES256',
      typ: 'kb+jwt',
    })

    const result = await verify(presented, {
      resolver: webResolver,
      nonce: CHALLENGE,
      audience: DOMAIN,
    })
    expectVerified(result, 'sd-jwt')
    expect(result.disclosed).toEqual(['given_name'])
    expect(
      (
        await verify(presented, { resolver: webResolver, nonce: 'another', audience: DOMAIN })
      ).errors.map((e) => e.code),
    ).toContain('nonce_mismatch')

    const sd = sdJwtVcVerifier(keys.p256.publicKeyJwk)
    const theirs = await sd.verify(presented, {
      keyBindingNonce: CHALLENGE,
      requiredClaimKeys: ['given_name'],
    })
    expect(theirs.kb?.payload).toMatchObject({ aud: DOMAIN, nonce: CHALLENGE })
    expect(theirs.payload).toMatchObject({ given_name: 'Erika', iss: ISSUER_DID })
    expect(theirs.payload).not.toHaveProperty('family_name')
    await expect(sd.verify(presented, { keyBindingNonce: 'another' })).rejects.toThrow(/nonce/i)
  })

  it('sd-jwt: a presentation needs domain and challenge (the KB-JWT aud and nonce)', async () => {
    const issued = (
      await sign('/sign/vc/sd-jwt', keys.p256.id, {
        verifiable: { vct: VCT, given_name: 'Erika' },
        holderPublicJwk: keys.holder.publicKeyJwk,
      })
    ).text
    expectProblem(
      await sign('/sign/vp/sd-jwt', keys.holder.id, { verifiable: issued, challenge: CHALLENGE }),
      400,
      'invalid_request',
    )
  })
})

// ---------------------------------------------------------------------------------------------

describe('POST /sign/pop/{jwt,data-integrity} (OpenID4VCI key proofs)', () => {
  it('jwt with kid (did:web key): verifyOid4vciProof and jose (typ, aud, iss, nonce)', async () => {
    const reply = await sign('/sign/pop/jwt', keys.p256.id, {
      domain: CREDENTIAL_ISSUER,
      challenge: CHALLENGE,
      clientId: CLIENT_ID,
    })
    expectStatus(reply, 201)
    expect(reply.headers.get('content-type')).toBe('application/jwt')
    const jwt = reply.text
    expect(decodeProtectedHeader(jwt)).toEqual({
      alg: 'ES256',
      kid: keys.p256.id,
      typ: 'openid4vci-proof+jwt',
    })

    const result = await verifyOid4vciProof(
      { proof_type: 'jwt', jwt },
      {
        expectedAudience: CREDENTIAL_ISSUER,
        expectedNonce: CHALLENGE,
        expectedClientId: CLIENT_ID,
        resolver: webResolver,
      },
    )
    expect(result.verified, JSON.stringify(result)).toBe(true)
    expect(result.key?.publicJwk).toMatchObject({
      x: keys.p256.publicKeyJwk.x,
      y: keys.p256.publicKeyJwk.y,
    })
    const wrongNonce = await verifyOid4vciProof(jwt, {
      expectedAudience: CREDENTIAL_ISSUER,
      expectedNonce: 'another',
      resolver: webResolver,
    })
    expect(wrongNonce).toMatchObject({ verified: false, error: 'invalid_nonce' })

    const { payload } = await jwtVerify(jwt, await importJWK(keys.p256.publicKeyJwk, 'ES256'), {
      typ: 'openid4vci-proof+jwt',
      audience: CREDENTIAL_ISSUER,
      issuer: CLIENT_ID,
      maxTokenAge: '5m',
    })
    expect(payload.nonce).toBe(CHALLENGE)
  })

  it('jwt with the key embedded (keyReference jwk, anonymous: no clientId): verifyOid4vciProof and jose EmbeddedJWK', async () => {
    const reply = await sign('/sign/pop/jwt', keys.ed.id, {
      audience: CREDENTIAL_ISSUER,
      nonce: CHALLENGE,
      keyReference: 'jwk',
    })
    expectStatus(reply, 201)
    const header = decodeProtectedHeader(reply.text)
    expect(header).not.toHaveProperty('kid')
    expect(header.jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: keys.ed.publicKeyJwk.x })
    const result = await verifyOid4vciProof(reply.text, {
      expectedAudience: CREDENTIAL_ISSUER,
      expectedNonce: CHALLENGE,
      anonymous: true,
    })
    expect(result.verified, JSON.stringify(result)).toBe(true)
    const { payload } = await jwtVerify(reply.text, EmbeddedJWK, {
      typ: 'openid4vci-proof+jwt',
      audience: CREDENTIAL_ISSUER,
    })
    expect(payload).not.toHaveProperty('iss')
    expect(payload.nonce).toBe(CHALLENGE)
  })

  for (const role of ['ed', 'holder'] as const) {
    it(`data-integrity (di_vp, ${role} key): verifyOid4vciProof with dataIntegrityHandler, and DB vc.verify`, async () => {
      const reply = await sign('/sign/pop/data-integrity', keys[role].id, {
        domain: CREDENTIAL_ISSUER,
        challenge: CHALLENGE,
      })
      expectStatus(reply, 201)
      const vp = reply.body as Json
      const holder = role === 'holder' ? holderDid() : ISSUER_DID
      expect(vp).toMatchObject({ type: ['VerifiablePresentation'], holder })
      expect(vp.proof).toMatchObject({
        type: 'DataIntegrityProof',
        proofPurpose: 'authentication',
        domain: CREDENTIAL_ISSUER,
        challenge: CHALLENGE,
      })

      const handlers = [dataIntegrityHandler()]
      const result = await verifyOid4vciProof(
        { proof_type: 'di_vp', di_vp: vp },
        {
          expectedAudience: CREDENTIAL_ISSUER,
          expectedNonce: CHALLENGE,
          resolver: webResolver,
          handlers,
        },
      )
      expect(result.verified, JSON.stringify(result)).toBe(true)
      expect(result.proofType).toBe('di_vp')
      expect(
        (
          await verifyOid4vciProof(vp, {
            expectedAudience: 'https://other-issuer.example',
            expectedNonce: CHALLENGE,
            resolver: webResolver,
            handlers,
          })
        ).verified,
      ).toBe(false)

      const db = await dbVerifyPresentation(vp, CHALLENGE, CREDENTIAL_ISSUER)
      expect(dbErrors(db)).toBe('')
      expect(db.verified).toBe(true)
    })
  }

  it('a proof of possession needs domain; sd-jwt has no proof type (400)', async () => {
    expectProblem(
      await sign('/sign/pop/jwt', keys.ed.id, { challenge: CHALLENGE }),
      400,
      'invalid_request',
    )
    expectProblem(await sign('/sign/pop/data-integrity', keys.ed.id, {}), 400, 'invalid_request')
    expectProblem(
      await sign('/sign/pop/sd-jwt', keys.ed.id, { domain: CREDENTIAL_ISSUER }),
      400,
      'unsupported_format',
    )
  })
})

// ---------------------------------------------------------------------------------------------

describe('POST /delete', () => {
  it('204 with the right secrets; the key is gone: signing with it is 400 wrong_secrets, GET /keys/:id 404', async () => {
    const made = await post(main, '/generate', {
      identifier: 'to-be-deleted#k',
      secrets: SECRETS,
      signatureType: 'Ed25519',
    })
    expectStatus(made, 201)
    expectStatus(
      await sign('/sign/vc/jwt', 'to-be-deleted#k', { verifiable: credentialDraft() }),
      201,
    )
    expectProblem(
      await post(main, '/delete', { identifier: 'to-be-deleted#k', secrets: WRONG }),
      400,
      'wrong_secrets',
    )
    const deleted = await post(main, '/delete', { identifier: 'to-be-deleted#k', secrets: SECRETS })
    expectStatus(deleted, 204)
    expect(deleted.text).toBe('')
    const after = await sign('/sign/vc/jwt', 'to-be-deleted#k', { verifiable: credentialDraft() })
    expectProblem(after, 400, 'wrong_secrets') // an unknown id looks like wrong secrets
    expectProblem(
      await get(main, `/keys/${encodeURIComponent('to-be-deleted#k')}`),
      404,
      'not_found',
    )
    expect(
      (await get(main, '/.well-known/jwks.json')).body.keys.map((k: Json) => k.kid),
    ).not.toContain(made.body.publicKeyJwk.kid)
  })
})

// ---------------------------------------------------------------------------------------------

describe('VC-API: /credentials/issue, /issuers/:name/credentials/issue, /credentials/verify, /presentations/verify', () => {
  const issuerOfProfile = (name: string): string =>
    ({ jwt: ISSUER_DID, eddsa: ISSUER_DID, ecdsa: holderDid(), sd: PATH_DID })[name]!
  const issued = new Map<string, Json>()

  const PROFILES = [
    ['jwt', 'data:application/vc+jwt,'],
    ['eddsa', 'eddsa-rdfc-2022'],
    ['ecdsa', 'ecdsa-rdfc-2019'],
    ['sd', 'data:application/vc+sd-jwt,'],
  ] as const

  for (const [name, expected] of PROFILES) {
    it(`/issuers/${name}/credentials/issue → 201 { verifiableCredential }, then /credentials/verify → 200`, async () => {
      const issuer = issuerOfProfile(name)
      const reply = await post(main, `/issuers/${name}/credentials/issue`, {
        credential: credentialDraft({ issuer }),
        options: { credentialId: 'urn:uuid:0b3c1d5e-8f7a-4a7b-9c1d-2e3f4a5b6c7d' },
      })
      expectStatus(reply, 201)
      expect(Object.keys(reply.body)).toEqual(['verifiableCredential'])
      const secured = reply.body.verifiableCredential as Json
      if (expected.startsWith('data:')) {
        // VCDM 2.0 JOSE formats come as an EnvelopedVerifiableCredential.
        expect(secured).toMatchObject({ '@context': V2, type: 'EnvelopedVerifiableCredential' })
        expect(secured.id as string).toMatch(new RegExp(`^${expected.replace(/[+]/g, '\\+')}ey`))
        const inner = jwtParts((secured.id as string).slice(expected.length)).payload
        expect(inner).toMatchObject({
          id: 'urn:uuid:0b3c1d5e-8f7a-4a7b-9c1d-2e3f4a5b6c7d',
          issuer,
          iss: issuer,
        })
      } else {
        expect(secured).toMatchObject({
          id: 'urn:uuid:0b3c1d5e-8f7a-4a7b-9c1d-2e3f4a5b6c7d',
          issuer,
          proof: {
            type: 'DataIntegrityProof',
            cryptosuite: expected,
            proofPurpose: 'assertionMethod',
          },
        })
        await dbVerifyCredential(secured) // DB agrees
      }
      issued.set(name, secured)

      const verified = await post(main, '/credentials/verify', {
        verifiableCredential: secured,
        options: { checks: ['proof'] },
      })
      expectStatus(verified, 200)
      expect(verified.body).toMatchObject({
        verified: true,
        format: name === 'jwt' ? 'vc+jwt' : name === 'sd' ? 'sd-jwt' : 'data-integrity',
        warnings: [],
        errors: [],
      })
      expect(verified.body.checks.length).toBeGreaterThan(0)
    })
  }

  it('/credentials/issue picks the profile by options.format / options.cryptosuite and the credential issuer', async () => {
    const jwt = await post(main, '/credentials/issue', {
      credential: credentialDraft({ issuer: ISSUER_DID }),
      options: { format: 'jwt' },
    })
    expectStatus(jwt, 201)
    expect(jwt.body.verifiableCredential.id).toMatch(/^data:application\/vc\+jwt,/)
    expect(
      jwtParts(jwt.body.verifiableCredential.id.slice('data:application/vc+jwt,'.length)).header
        .kid,
    ).toBe(keys.p256.id)

    const ecdsa = await post(main, '/credentials/issue', {
      credential: credentialDraft({ issuer: holderDid() }),
      options: { cryptosuite: 'ecdsa-rdfc-2019' },
    })
    expectStatus(ecdsa, 201)
    expect(ecdsa.body.verifiableCredential.proof).toMatchObject({
      cryptosuite: 'ecdsa-rdfc-2019',
      verificationMethod: `${holderDid()}#${holderDid().slice(8)}`,
    })

    const sd = await post(main, '/credentials/issue', {
      credential: credentialDraft({ issuer: PATH_DID }),
      options: { format: 'sd-jwt' },
    })
    expectStatus(sd, 201)
    expect(sd.body.verifiableCredential.id).toMatch(/^data:application\/vc\+sd-jwt,/)

    expectProblem(
      await post(main, '/credentials/issue', {
        credential: credentialDraft({ issuer: 'did:web:someone-else.example' }),
        options: { format: 'jwt' },
      }),
      400,
      'invalid_request',
    )
    expectProblem(
      await post(main, '/issuers/nobody/credentials/issue', { credential: credentialDraft() }),
      404,
      'route_not_found',
    )
    // The VC-API suites' "wrong body" case: verifiableCredential instead of credential.
    expectProblem(
      await post(main, '/credentials/issue', { verifiableCredential: credentialDraft() }),
      400,
      'invalid_request',
    )
  })

  it('a VCDM 1.1 credential through the jwt profile comes back as the compact JWT (no envelope form), and verifies', async () => {
    const credential = {
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiableCredential'],
      issuer: ISSUER_DID,
      issuanceDate: '2024-01-01T00:00:00Z',
      credentialSubject: { id: 'did:example:alice' },
    }
    const reply = await post(main, '/issuers/jwt/credentials/issue', { credential })
    expectStatus(reply, 201)
    expect(typeof reply.body.verifiableCredential).toBe('string')
    expectStatus(
      await post(main, '/credentials/verify', {
        verifiableCredential: reply.body.verifiableCredential,
      }),
      200,
    )
  })

  const tamper: Record<string, (secured: Json) => unknown> = {
    jwt: (secured) => {
      const jws = (secured.id as string).slice('data:application/vc+jwt,'.length)
      const [h, p, s] = jws.split('.')
      const payload = b64json(p!)
      ;(payload.credentialSubject as Json).degree = 'PhD'
      return { ...secured, id: `data:application/vc+jwt,${h}.${encodeJson(payload)}.${s}` }
    },
    eddsa: (secured) => ({
      ...secured,
      credentialSubject: { ...(secured.credentialSubject as Json), degree: 'PhD' },
    }),
    ecdsa: (secured) => ({
      ...secured,
      credentialSubject: { ...(secured.credentialSubject as Json), degree: 'PhD' },
    }),
    sd: (secured) => {
      const parts = (secured.id as string).slice('data:application/vc+sd-jwt,'.length).split('~')
      const index = parts.findIndex(
        (part, i) =>
          i > 0 &&
          part !== '' &&
          (JSON.parse(Buffer.from(part, 'base64url').toString()) as unknown[])[1] === 'degree',
      )
      parts[index] = encodeJson([
        (JSON.parse(Buffer.from(parts[index]!, 'base64url').toString()) as unknown[])[0],
        'degree',
        'PhD',
      ])
      return { ...secured, id: `data:application/vc+sd-jwt,${parts.join('~')}` }
    },
  }
  const TAMPER_CODES: Record<string, string> = {
    jwt: 'signature_invalid',
    eddsa: 'signature_invalid',
    ecdsa: 'signature_invalid',
    sd: 'disclosure_invalid',
  }

  for (const [name] of PROFILES) {
    it(`a tampered ${name} credential → 422 problem+json with the verification errors`, async () => {
      const secured = issued.get(name)
      expect(secured, 'issued by the test above').toBeDefined()
      const reply = await post(main, '/credentials/verify', {
        verifiableCredential: tamper[name]!(secured!),
      })
      const problem = expectProblem(reply, 422, TAMPER_CODES[name]!)
      expect(problem.verified).toBe(false)
      expect(problem.errors.length).toBeGreaterThan(0)
      expect(problem.errors[0]).toMatchObject({
        code: TAMPER_CODES[name],
        message: expect.any(String),
      })
      expect(Array.isArray(problem.checks)).toBe(true)
    })
  }

  it('issuer binding: a credential whose issuer is not its key controller is 422 issuer_mismatch by default, 200 with verify.issuerBinding false', async () => {
    // What the W3C suites send: credentials from issuers unrelated to their keys. A library signer
    // with allowIssuerMismatch makes one; the default server refuses it, a server configured like
    // the conformance setup (docs: `verify: { issuerBinding: false }`) accepts it.
    const vault = newVault()
    await vault.generate({ id: 'foreign', algorithm: 'Ed25519', secrets: ['s'] })
    const signer = asDidSigner(await vault.unlock('foreign', ['s']))
    const jwt = await new JwtVcSigner(signer).sign(
      credentialDraft({ issuer: 'did:example:unrelated-issuer' }),
      { allowIssuerMismatch: true },
    )
    expectProblem(
      await post(main, '/credentials/verify', { verifiableCredential: jwt }),
      422,
      'issuer_mismatch',
    )
    const lenient = await startServer(
      createHandler({
        ...mainOptions,
        onLog: undefined,
        verify: { issuerBinding: false },
      } as HandlerOptions),
    )
    try {
      const reply = await post(lenient, '/credentials/verify', { verifiableCredential: jwt })
      expectStatus(reply, 200)
      expect(reply.body.verified).toBe(true)
    } finally {
      await lenient.close()
    }
  })

  it('/presentations/verify: a DI VP from /sign/vp/data-integrity → 200; wrong challenge → 422 nonce_mismatch; wrong domain → 422 audience_mismatch', async () => {
    const credential = (
      await post(main, '/issuers/eddsa/credentials/issue', {
        credential: credentialDraft({ issuer: ISSUER_DID }),
      })
    ).body.verifiableCredential
    const vp = (
      await sign('/sign/vp/data-integrity', keys.p384.id, {
        verifiable: {
          '@context': [V2],
          type: ['VerifiablePresentation'],
          verifiableCredential: [credential],
        },
        challenge: CHALLENGE,
        domain: DOMAIN,
      })
    ).body

    const ok = await post(main, '/presentations/verify', {
      verifiablePresentation: vp,
      options: { challenge: CHALLENGE, domain: DOMAIN },
    })
    expectStatus(ok, 200)
    expect(ok.body).toMatchObject({ verified: true, format: 'data-integrity' })

    const wrongChallenge = expectProblem(
      await post(main, '/presentations/verify', {
        verifiablePresentation: vp,
        options: { challenge: 'another', domain: DOMAIN },
      }),
      422,
      'nonce_mismatch',
    )
    expect(wrongChallenge.errors.map((e: Json) => e.code)).toEqual(['nonce_mismatch'])
    expectProblem(
      await post(main, '/presentations/verify', {
        verifiablePresentation: vp,
        options: { challenge: CHALLENGE, domain: 'https://other.example' },
      }),
      422,
      'audience_mismatch',
    )
    // Credentials and presentations are not interchangeable (issue 13: their own codes, were credential_invalid).
    expectProblem(
      await post(main, '/credentials/verify', {
        verifiableCredential: vp,
        options: { challenge: CHALLENGE, domain: DOMAIN },
      }),
      422,
      'not_a_credential',
    )
    expectProblem(
      await post(main, '/presentations/verify', { verifiablePresentation: credential }),
      422,
      'not_a_presentation',
    )
  })

  it('/presentations/verify also takes an SD-JWT presentation with its KB-JWT', async () => {
    const issuedSdJwt = (
      await sign('/sign/vc/sd-jwt', keys.p256.id, {
        verifiable: { vct: VCT, given_name: 'Erika' },
        holderPublicJwk: keys.holder.publicKeyJwk,
      })
    ).text
    const presented = (
      await sign('/sign/vp/sd-jwt', keys.holder.id, {
        verifiable: issuedSdJwt,
        challenge: CHALLENGE,
        domain: DOMAIN,
      })
    ).text
    expectStatus(
      await post(main, '/presentations/verify', {
        verifiablePresentation: presented,
        options: { challenge: CHALLENGE, domain: DOMAIN },
      }),
      200,
    )
    expectProblem(
      await post(main, '/presentations/verify', {
        verifiablePresentation: presented,
        options: { challenge: 'another', domain: DOMAIN },
      }),
      422,
      'nonce_mismatch',
    )
  })
})

// ---------------------------------------------------------------------------------------------

describe('public keys: GET /keys/:id, /.well-known/jwks.json, did:web documents', () => {
  it('GET /keys/:id (the # percent-encoded) needs authentication and returns the public key', async () => {
    const path = `/keys/${encodeURIComponent(keys.p256.id)}`
    expect(path).toContain('%23p256')
    const reply = await get(main, path)
    expectStatus(reply, 200)
    expect(reply.body).toMatchObject({
      id: keys.p256.id,
      algorithm: 'P-256',
      publicKeyJwk: keys.p256.publicKeyJwk,
    })
    expect(reply.body.publicKeyMultibase).toMatch(/^zDna/)
    expect(reply.body.versions).toHaveLength(1)
    expectProblem(await get(main, path, { token: null }), 401, 'unauthorized')
    expectProblem(
      await get(main, `/keys/${encodeURIComponent(`${ISSUER_DID}#nope`)}`),
      404,
      'not_found',
    )
    expectProblem(await get(main, '/keys/%E0%A4%A'), 404, 'route_not_found') // not valid percent-encoding
  })

  it('GET /.well-known/jwks.json (public) holds every key by thumbprint and by key id; createLocalJWKSet matches the JWT kid', async () => {
    const reply = await get(main, '/.well-known/jwks.json', { token: null })
    expectStatus(reply, 200)
    expect(reply.headers.get('cache-control')).toBe('public, max-age=300')
    const set = reply.body as { keys: JWK[] }
    for (const role of ['ed', 'p256', 'p384', 'path', 'holder'] as const) {
      const jwk = await jwkOfKey(role)
      const thumbprint = await calculateJwkThumbprint(jwk)
      const published = set.keys.find((k) => k.kid === thumbprint)
      expect(published, role).toMatchObject({
        ...publicMembers(jwk as Json),
        kid: thumbprint,
        use: 'sig',
      })
      expect(published).not.toHaveProperty('d')
    }
    const jwt = (await sign('/sign/vc/jwt', keys.p384.id, { verifiable: credentialDraft() })).text
    const jwks = createLocalJWKSet(set)
    // Each key's current version is also published under its key id, the JWT's kid: jose matches it.
    const matched = await jwtVerify(jwt, jwks, { typ: 'vc+jwt', issuer: ISSUER_DID })
    expect(matched.protectedHeader.kid).toBe(keys.p384.id)
    expect(set.keys.filter((k) => k.kid === keys.p384.id)).toHaveLength(1)
    // A verifier can also pick the key from the set by its thumbprint.
    const key = await jwks({
      alg: 'ES384',
      kid: await calculateJwkThumbprint(await jwkOfKey('p384')),
    })
    const { payload } = await jwtVerify(jwt, key, { typ: 'vc+jwt', issuer: ISSUER_DID })
    expect(payload.credentialSubject).toMatchObject({ id: 'did:example:alice' })
  })

  it('GET /.well-known/did.json and /issuers/acme/did.json (public): every configured key, as Multikey, in every relationship', async () => {
    const root = await fetch(didDocumentUrl(ISSUER_DID))
    expect(root.status).toBe(200)
    expect(root.headers.get('content-type')).toBe('application/json')
    expect(root.headers.get('cache-control')).toBe('public, max-age=300')
    const document = (await root.json()) as Json
    expect(document.id).toBe(ISSUER_DID)
    expect(document['@context']).toEqual([
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/multikey/v1',
    ])
    const ids = [keys.ed.id, keys.p256.id, keys.p384.id]
    expect((document.verificationMethod as Json[]).map((m) => m.id)).toEqual(ids)
    for (const relationship of ['assertionMethod', 'authentication'])
      expect(document[relationship]).toEqual(ids)
    const methods = document.verificationMethod as Json[]
    expect(methods[2]).toEqual({
      id: keys.p384.id,
      type: 'Multikey',
      controller: ISSUER_DID,
      publicKeyMultibase: keys.p384.publicKeyMultibase,
    })
    for (const [index, role] of [
      [0, 'ed'],
      [1, 'p256'],
    ] as const) {
      expect(await dbJwkOf(methods[index]!)).toMatchObject({ x: keys[role].publicKeyJwk.x })
    }

    const path = (await (await fetch(didDocumentUrl(PATH_DID))).json()) as Json
    expect(path.id).toBe(PATH_DID)
    expect(path.verificationMethod).toEqual([
      {
        id: keys.path.id,
        type: 'Multikey',
        controller: PATH_DID,
        publicKeyMultibase: keys.path.publicKeyMultibase,
      },
    ])

    expectProblem(
      await get(main, '/issuers/other/did.json', { token: null }),
      404,
      'route_not_found',
    )
  })
})

// ---------------------------------------------------------------------------------------------

/** A MemoryStore whose ping fails (a database that is down). */
class PingFailsStore implements KeyStore {
  readonly #inner = new MemoryStore()
  create(...args: Parameters<KeyStore['create']>) {
    return this.#inner.create(...args)
  }
  get(...args: Parameters<KeyStore['get']>) {
    return this.#inner.get(...args)
  }
  update(...args: Parameters<KeyStore['update']>) {
    return this.#inner.update(...args)
  }
  delete(...args: Parameters<KeyStore['delete']>) {
    return this.#inner.delete(...args)
  }
  list(...args: Parameters<KeyStore['list']>) {
    return this.#inner.list(...args)
  }
  ping(): Promise<void> {
    return Promise.reject(new Error('connection refused'))
  }
}

describe('health: /health, /health/liveness, /health/readiness', () => {
  it('200 with the Terminus shape, no authentication needed', async () => {
    for (const path of ['/health', '/health/readiness']) {
      const reply = await get(main, path, { token: null })
      expectStatus(reply, 200)
      expect(reply.headers.get('cache-control')).toBe('no-store')
      expect(reply.body).toEqual({
        status: 'ok',
        info: { store: { status: 'up' } },
        error: {},
        details: { store: { status: 'up' } },
        service: { name: 'credsign', version: expect.any(String) },
      })
    }
    const live = await get(main, '/health/liveness', { token: null })
    expectStatus(live, 200)
    expect(live.body).toEqual({
      status: 'ok',
      info: {},
      error: {},
      details: {},
      service: { name: 'credsign', version: expect.any(String) },
    })
  })

  it("503 from /health and /health/readiness when the store's ping fails; liveness stays 200", async () => {
    const down = await startServer(
      createHandler({
        vault: newVault(new PingFailsStore()),
        auth: { bearerTokens: [TOKEN_A] },
        service: { name: 'issuer-service', version: '9.9.9' },
      }),
    )
    try {
      for (const path of ['/health', '/health/readiness']) {
        const reply = await get(down, path, { token: null })
        expectStatus(reply, 503)
        expect(reply.body).toEqual({
          status: 'error',
          info: {},
          error: { store: { status: 'down', message: 'store_unavailable' } },
          details: { store: { status: 'down', message: 'store_unavailable' } },
          service: { name: 'issuer-service', version: '9.9.9' },
        })
        expect(reply.text).not.toContain('connection refused') // the store's own message stays inside
      }
      expectStatus(await get(down, '/health/liveness', { token: null }), 200)
    } finally {
      await down.close()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// GET /openapi.json, with a small JSON Schema (2020-12 subset) checker: the request schemas it
// publishes must accept what the server accepts and reject what it rejects as invalid_request.

type Schema = Record<string, unknown>

/** Resolves a local $ref against the whole OpenAPI document, as OpenAPI 3.1 tools do (no $id here). */
function resolvePointer(document: Json, ref: string): Schema {
  expect(ref.startsWith('#/'), ref).toBe(true)
  let node: unknown = document
  for (const raw of ref.slice(2).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    node = node !== null && typeof node === 'object' ? (node as Json)[token] : undefined
    if (node === undefined) throw new Error(`unresolvable $ref ${ref}`)
  }
  return node as Schema
}

/** The violations of `value` against `schema` (the keywords credsign's schemas use). */
function schemaErrors(document: Json, schema: Schema, value: unknown, path = ''): string[] {
  const known = new Set([
    '$ref',
    'type',
    'properties',
    'required',
    'additionalProperties',
    'propertyNames',
    'enum',
    'minLength',
    'maxLength',
    'pattern',
    'minItems',
    'maxItems',
    'items',
    'anyOf',
    'default',
    'description',
    'examples',
    'id',
    'title',
  ])
  const unknown = Object.keys(schema).filter((k) => !known.has(k))
  if (unknown.length > 0)
    throw new Error(`schema keywords this checker does not know: ${unknown.join(', ')}`)
  if (typeof schema.$ref === 'string')
    return schemaErrors(document, resolvePointer(document, schema.$ref), value, path)
  const errors: string[] = []
  if (Array.isArray(schema.anyOf)) {
    if (
      !(schema.anyOf as Schema[]).some((s) => schemaErrors(document, s, value, path).length === 0)
    )
      errors.push(`${path}: no anyOf branch`)
  }
  const type = schema.type
  if (type !== undefined) {
    const actual =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? 'array'
          : Number.isInteger(value)
            ? 'integer'
            : typeof value
    const fits = type === actual || (type === 'number' && actual === 'integer')
    if (!fits) return [...errors, `${path}: expected ${String(type)}, got ${actual}`]
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    errors.push(`${path}: not in enum`)
  if (typeof value === 'string') {
    const length = [...value].length
    if (typeof schema.minLength === 'number' && length < schema.minLength)
      errors.push(`${path}: shorter than ${schema.minLength}`)
    if (typeof schema.maxLength === 'number' && length > schema.maxLength)
      errors.push(`${path}: longer than ${schema.maxLength}`)
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      errors.push(`${path}: does not match ${schema.pattern}`)
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      errors.push(`${path}: fewer than ${schema.minItems} items`)
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      errors.push(`${path}: more than ${schema.maxItems} items`)
    if (schema.items !== undefined)
      value.forEach((item, i) =>
        errors.push(...schemaErrors(document, schema.items as Schema, item, `${path}[${i}]`)),
      )
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Json
    const properties = (schema.properties ?? {}) as Record<string, Schema>
    for (const name of (schema.required ?? []) as string[])
      if (!(name in object)) errors.push(`${path}.${name}: required`)
    for (const [name, member] of Object.entries(object)) {
      if (name in properties)
        errors.push(...schemaErrors(document, properties[name]!, member, `${path}.${name}`))
      else if (schema.additionalProperties === false) errors.push(`${path}.${name}: not allowed`)
      else if (
        schema.additionalProperties !== undefined &&
        typeof schema.additionalProperties === 'object'
      )
        errors.push(
          ...schemaErrors(
            document,
            schema.additionalProperties as Schema,
            member,
            `${path}.${name}`,
          ),
        )
    }
  }
  return errors
}

describe('GET /openapi.json', () => {
  let document: Json

  beforeAll(async () => {
    const reply = await get(main, '/openapi.json', { token: null })
    expectStatus(reply, 200)
    document = reply.body as Json
  })

  it('is OpenAPI 3.1.0 and lists every route with its methods, the did:web documents and itself', () => {
    expect(document.openapi).toBe('3.1.0')
    expect(document.info).toMatchObject({ title: 'credsign', version: expect.any(String) })
    const paths = document.paths as Record<string, Json>
    const listed = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    )
    expect(listed.sort()).toEqual(
      [
        'POST /generate',
        'POST /delete',
        'POST /sign/vc/{type}',
        'POST /sign/vp/{type}',
        'POST /sign/pop/{type}',
        'POST /credentials/issue',
        'POST /issuers/{name}/credentials/issue',
        'POST /credentials/verify',
        'POST /presentations/verify',
        'GET /keys/{id}',
        'GET /.well-known/jwks.json',
        'GET /health',
        'GET /health/liveness',
        'GET /health/readiness',
        'GET /.well-known/did.json',
        'GET /issuers/acme/did.json',
        'GET /openapi.json',
      ].sort(),
    )
    // Public routes opt out of the bearer requirement; the others inherit it.
    expect(document.security).toEqual([{ bearer: [] }])
    expect((document.components as Json).securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer' },
    })
    for (const path of [
      '/health',
      '/health/liveness',
      '/health/readiness',
      '/.well-known/jwks.json',
      '/.well-known/did.json',
      '/issuers/acme/did.json',
      '/openapi.json',
    ])
      expect(paths[path]!.get, path).toMatchObject({ security: [] })
    for (const path of ['/generate', '/sign/vc/{type}', '/credentials/verify'])
      expect(paths[path]!.post).not.toHaveProperty('security')
    expect(paths['/sign/vc/{type}']!.post).toMatchObject({
      parameters: [
        {
          name: 'type',
          in: 'path',
          required: true,
          schema: { enum: ['jwt', 'data-integrity', 'sd-jwt'] },
        },
      ],
    })
  })

  it('every POST has a JSON request schema whose $refs resolve within the document; objects are closed (additionalProperties: false) with their required members', () => {
    const paths = document.paths as Record<string, Json>
    const required: Record<string, string[]> = {
      '/generate': ['identifier', 'secrets', 'signatureType'],
      '/delete': ['identifier', 'secrets'],
      '/sign/vc/{type}': ['identifier', 'secrets'],
      '/credentials/issue': ['credential'],
      '/credentials/verify': ['verifiableCredential'],
      '/presentations/verify': ['verifiablePresentation'],
    }
    for (const [path, item] of Object.entries(paths)) {
      const operation = item.post as Json | undefined
      if (operation === undefined) continue
      const schema = (operation.requestBody as Body)?.content?.['application/json']
        ?.schema as Schema
      expect(schema, path).toBeDefined()
      const resolved =
        typeof schema.$ref === 'string' ? resolvePointer(document, schema.$ref) : schema
      expect(resolved, path).toMatchObject({ type: 'object', additionalProperties: false })
      if (required[path] !== undefined) expect(resolved.required, path).toEqual(required[path])
    }
  })

  const BODIES: [string, string, unknown][] = [
    // [path, label, body]
    [
      '/generate',
      'valid',
      {
        identifier: 'openapi-gen#k',
        secrets: SECRETS,
        signatureType: 'Ed25519',
        keyType: 'Multikey',
      },
    ],
    [
      '/generate',
      'unknown member',
      { identifier: 'openapi-gen#k2', secrets: SECRETS, signatureType: 'Ed25519', extra: true },
    ],
    ['/generate', 'no signatureType', { identifier: 'openapi-gen#k3', secrets: SECRETS }],
    [
      '/generate',
      'RS256',
      { identifier: 'openapi-gen#k4', secrets: SECRETS, signatureType: 'RS256' },
    ],
    [
      '/generate',
      "the origin docs' keyType JWK",
      { identifier: 'openapi-gen#k5', secrets: SECRETS, signatureType: 'Ed25519', keyType: 'JWK' },
    ],
    [
      '/generate',
      'no secrets',
      { identifier: 'openapi-gen#k6', secrets: [], signatureType: 'Ed25519' },
    ],
    [
      '/generate',
      '11 secrets',
      {
        identifier: 'openapi-gen#k7',
        secrets: Array.from({ length: 11 }, (_, i) => `s${i}`),
        signatureType: 'Ed25519',
      },
    ],
    [
      '/generate',
      'an empty secret',
      { identifier: 'openapi-gen#k8', secrets: [''], signatureType: 'Ed25519' },
    ],
    [
      '/generate',
      'a space in the identifier',
      { identifier: 'openapi gen', secrets: SECRETS, signatureType: 'Ed25519' },
    ],
    [
      '/generate',
      'a 501-character identifier',
      { identifier: `x#${'a'.repeat(499)}`, secrets: SECRETS, signatureType: 'Ed25519' },
    ],
    ['/generate', 'not an object', ['identifier']],
    [
      '/delete',
      'valid (unknown key: wrong_secrets)',
      { identifier: 'openapi-nobody#k', secrets: ['x'] },
    ],
    ['/delete', 'unknown member', { identifier: 'openapi-nobody#k', secrets: ['x'], force: true }],
    [
      '/sign/vc/jwt',
      'valid (unknown key: wrong_secrets)',
      { identifier: 'openapi-nobody#k', secrets: ['x'], verifiable: credentialDraft() },
    ],
    [
      '/sign/vc/jwt',
      'a number as verifiable',
      { identifier: 'openapi-nobody#k', secrets: ['x'], verifiable: 42 },
    ],
    [
      '/sign/vc/jwt',
      'secrets as a string',
      { identifier: 'openapi-nobody#k', secrets: 'x', verifiable: {} },
    ],
    [
      '/sign/pop/jwt',
      'keyReference x5c',
      {
        identifier: 'openapi-nobody#k',
        secrets: ['x'],
        domain: CREDENTIAL_ISSUER,
        keyReference: 'x5c',
      },
    ],
    [
      '/sign/vp/jwt',
      'validUntil not ISO 8601',
      { identifier: 'openapi-nobody#k', secrets: ['x'], verifiable: {}, validUntil: 'tomorrow' },
    ],
    [
      '/credentials/issue',
      'valid',
      { credential: credentialDraft(), options: { format: 'data-integrity' } },
    ],
    [
      '/credentials/issue',
      'unknown option',
      { credential: credentialDraft(), options: { proofFormat: 'ldp' } },
    ],
    [
      '/credentials/issue',
      'format ldp_vc',
      { credential: credentialDraft(), options: { format: 'ldp_vc' } },
    ],
    ['/credentials/verify', 'valid (a string: 422)', { verifiableCredential: 'not-a-credential' }],
    [
      '/credentials/verify',
      'unknown option',
      { verifiableCredential: {}, options: { proofPurpose: 'x' } },
    ],
    ['/credentials/verify', 'empty', {}],
    [
      '/presentations/verify',
      'too many checks',
      {
        verifiablePresentation: {},
        options: { checks: Array.from({ length: 21 }, () => 'proof') },
      },
    ],
  ]

  it('the published request schemas accept exactly what the server does not refuse as invalid_request', async () => {
    const paths = document.paths as Record<string, Json>
    const schemaOf = (path: string): Schema => {
      const template = path.replace(/^\/sign\/(vc|vp|pop)\/[a-z-]+$/, '/sign/$1/{type}')
      return (paths[template]!.post as Body).requestBody.content['application/json']
        .schema as Schema
    }
    const disagreements: string[] = []
    for (const [path, label, body] of BODIES) {
      const problems = schemaErrors(document, schemaOf(path), body)
      const reply = await post(main, path, body)
      const refused = reply.status === 400 && reply.body?.code === 'invalid_request'
      if (refused === (problems.length === 0))
        disagreements.push(
          `${path} ${label}: schema ${problems.length === 0 ? 'accepts' : `refuses (${problems.join('; ')})`}, server ${reply.status} ${reply.body?.code ?? ''}`,
        )
      if (refused) expect(reply.body.errors?.length ?? 0, `${path} ${label}`).toBeGreaterThan(0)
    }
    expect(disagreements).toEqual([])
    // Both sides of the comparison occurred.
    expect(BODIES.filter(([, label]) => label.startsWith('valid')).length).toBeGreaterThanOrEqual(4)
  })
})

// ---------------------------------------------------------------------------------------------

describe('authentication', () => {
  it('no or a wrong bearer token → 401 with WWW-Authenticate; public routes need none', async () => {
    const none = await post(
      main,
      '/sign/vc/jwt',
      { identifier: keys.ed.id, secrets: SECRETS, verifiable: credentialDraft() },
      { token: null },
    )
    expectProblem(none, 401, 'unauthorized')
    expect(none.headers.get('www-authenticate')).toBe('Bearer')
    const wrong = await post(
      main,
      '/generate',
      { identifier: 'x#y', secrets: SECRETS, signatureType: 'Ed25519' },
      { token: 'e2e-bearer-token-C-0123456789' },
    )
    expectProblem(wrong, 401, 'unauthorized')
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
    expectProblem(
      await call(main, 'POST', '/credentials/verify', {
        token: null,
        body: { verifiableCredential: 'x' },
      }),
      401,
      'unauthorized',
    )
    expectProblem(
      await call(main, 'POST', '/generate', {
        headers: { authorization: `Basic ${Buffer.from(`u:${TOKEN_A}`).toString('base64')}` },
        token: null,
        body: {},
      }),
      401,
      'unauthorized',
    )
    // Token B is as good as A.
    expectStatus(
      await sign('/sign/vc/jwt', keys.ed.id, { verifiable: credentialDraft() }, TOKEN_B),
      201,
    )
  })

  describe('an authorize hook returning { client }: failed attempts are counted per key and client (docs/security.md)', () => {
    let server: TestServer
    const CLIENT_TOKENS: Record<string, string> = {
      'token-of-client-A': 'A',
      'token-of-client-B': 'B',
    }

    beforeAll(async () => {
      server = await startServer(
        createHandler({
          vault: newVault(),
          auth: {
            // In production the client comes from an identity the caller cannot mint freely (here: its token).
            authorize: (request) => {
              const token = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1]
              const client = token === undefined ? undefined : CLIENT_TOKENS[token]
              return client === undefined ? false : { client }
            },
          },
        }),
      )
    })
    afterAll(async () => {
      await server?.close()
    })

    it('no token → 401 with WWW-Authenticate', async () => {
      const reply = await post(
        server,
        '/generate',
        { identifier: 'k#1', secrets: SECRETS, signatureType: 'Ed25519' },
        { token: null },
      )
      expectProblem(reply, 401, 'unauthorized')
      expect(reply.headers.get('www-authenticate')).toBe('Bearer')
    })

    it('5 wrong attempts by client A lock the key for A (429 + Retry-After), while client B still signs', async () => {
      expectStatus(
        await post(
          server,
          '/generate',
          { identifier: 'shared#key', secrets: SECRETS, signatureType: 'ES256' },
          { token: 'token-of-client-A' },
        ),
        201,
      )
      const attempt = (token: string, secrets: string[]) =>
        post(
          server,
          '/sign/vc/jwt',
          { identifier: 'shared#key', secrets, verifiable: credentialDraft() },
          { token },
        )
      for (let i = 0; i < 5; i++)
        expectProblem(await attempt('token-of-client-A', WRONG), 400, 'wrong_secrets')
      const locked = await attempt('token-of-client-A', SECRETS)
      const problem = expectProblem(locked, 429, 'locked')
      const retryAfter = Number(locked.headers.get('retry-after'))
      expect(retryAfter).toBeGreaterThan(890)
      expect(retryAfter).toBeLessThanOrEqual(900)
      expect(Date.parse(problem.retryAt) - Date.now()).toBeGreaterThan(880_000)

      const other = await attempt('token-of-client-B', SECRETS)
      expectStatus(other, 201)
      expectVerified(await verify(other.text), 'vc+jwt')
      // B's success does not unlock A.
      expectProblem(await attempt('token-of-client-A', SECRETS), 429, 'locked')
    })
  })
})

// ---------------------------------------------------------------------------------------------

describe('lockout: 429 with Retry-After on JWT and Data Integrity routes (the origin answered 500 on JWT paths)', () => {
  const make = async (id: string) =>
    expectStatus(
      await post(main, '/generate', { identifier: id, secrets: SECRETS, signatureType: 'Ed25519' }),
      201,
    )

  it('JWT route: 5 wrong secrets → 400 each, then 429 even with the right ones (JWT, DI and delete alike) for that token; token B is a different client', async () => {
    await make('lock-jwt#k')
    const body = (secrets: string[]) => ({
      identifier: 'lock-jwt#k',
      secrets,
      verifiable: credentialDraft(),
    })
    for (let i = 0; i < 5; i++)
      expectProblem(await post(main, '/sign/vc/jwt', body(WRONG)), 400, 'wrong_secrets')
    for (const path of [
      '/sign/vc/jwt',
      '/sign/vp/jwt',
      '/sign/pop/jwt',
      '/sign/vc/data-integrity',
    ]) {
      const extra = path.includes('pop')
        ? { identifier: 'lock-jwt#k', secrets: SECRETS, domain: CREDENTIAL_ISSUER }
        : path.includes('/vp/')
          ? { ...body(SECRETS), verifiable: { '@context': [V2], type: ['VerifiablePresentation'] } }
          : body(SECRETS)
      const reply = await post(main, path, extra)
      expectProblem(reply, 429, 'locked')
      expect(Number(reply.headers.get('retry-after')), path).toBeGreaterThan(0)
    }
    expectProblem(
      await post(main, '/delete', { identifier: 'lock-jwt#k', secrets: SECRETS }),
      429,
      'locked',
    )
    // With bearer tokens the client is the token (`token-<index>`): B has its own count.
    expectStatus(await post(main, '/sign/vc/jwt', body(SECRETS), { token: TOKEN_B }), 201)
  })

  it('Data Integrity route: 5 wrong secrets → 400 each, then 429 with Retry-After', async () => {
    await make('lock-di#k')
    const body = (secrets: string[]) => ({
      identifier: 'lock-di#k',
      secrets,
      verifiable: credentialDraft(),
    })
    for (let i = 0; i < 5; i++)
      expectProblem(await post(main, '/sign/vc/data-integrity', body(WRONG)), 400, 'wrong_secrets')
    const reply = await post(main, '/sign/vc/data-integrity', body(SECRETS))
    const problem = expectProblem(reply, 429, 'locked')
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(890)
    expect(new Date(problem.retryAt).toISOString()).toBe(problem.retryAt)
    expectProblem(
      await post(main, '/sign/vp/data-integrity', {
        ...body(SECRETS),
        verifiable: { '@context': [V2], type: ['VerifiablePresentation'] },
      }),
      429,
      'locked',
    )
    expectProblem(
      await post(main, '/sign/pop/data-integrity', {
        identifier: 'lock-di#k',
        secrets: SECRETS,
        domain: CREDENTIAL_ISSUER,
      }),
      429,
      'locked',
    )
  })
})

// ---------------------------------------------------------------------------------------------

function corsHeaderNames(headers: Headers): string[] {
  const names: string[] = []
  headers.forEach((_, name) => {
    if (name.startsWith('access-control-')) names.push(name)
  })
  return names
}

describe('CORS', () => {
  it('off by default: no access-control headers, and OPTIONS is not answered as a preflight', async () => {
    const origin = { origin: 'https://wallet.example' }
    for (const reply of [
      await get(main, '/health', { headers: origin, token: null }),
      await post(
        main,
        '/sign/vc/jwt',
        { identifier: keys.ed.id, secrets: SECRETS, verifiable: credentialDraft() },
        { headers: origin },
      ),
      await post(main, '/generate', {}, { headers: origin, token: null }),
    ]) {
      expect(corsHeaderNames(reply.headers)).toEqual([])
    }
    const preflight = await call(main, 'OPTIONS', '/sign/vc/jwt', {
      token: null,
      headers: { ...origin, 'access-control-request-method': 'POST' },
    })
    expectProblem(preflight, 405, 'method_not_allowed')
    expect(preflight.headers.get('allow')).toBe('POST')
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  })

  describe('with configured origins', () => {
    let server: TestServer
    const ORIGIN = 'https://wallet.example'
    beforeAll(async () => {
      server = await startServer(
        createHandler({
          vault: newVault(),
          auth: { bearerTokens: [TOKEN_A] },
          cors: { origins: [ORIGIN], maxAgeSeconds: 120 },
        }),
      )
    })
    afterAll(async () => {
      await server?.close()
    })

    it('an allowed origin gets Access-Control-Allow-Origin (also on errors, with Retry-After and WWW-Authenticate exposed)', async () => {
      const ok = await get(server, '/health', { token: null, headers: { origin: ORIGIN } })
      expectStatus(ok, 200)
      expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN)
      expect(ok.headers.get('vary')).toBe('Origin')
      expect(ok.headers.get('access-control-expose-headers')).toBe('retry-after, www-authenticate')
      const denied = await post(
        server,
        '/generate',
        { identifier: 'x#y', secrets: SECRETS, signatureType: 'Ed25519' },
        { token: null, headers: { origin: ORIGIN } },
      )
      expectProblem(denied, 401, 'unauthorized')
      expect(denied.headers.get('access-control-allow-origin')).toBe(ORIGIN)
      expect(denied.headers.get('access-control-allow-credentials')).toBeNull()
    })

    it('a preflight OPTIONS is 204 with allow-methods / allow-headers / max-age, without authentication', async () => {
      const preflight = await call(server, 'OPTIONS', '/sign/vc/jwt', {
        token: null,
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      })
      expectStatus(preflight, 204)
      expect(preflight.text).toBe('')
      expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN)
      expect(preflight.headers.get('access-control-allow-methods')).toBe('POST')
      expect(preflight.headers.get('access-control-allow-headers')).toBe(
        'authorization, content-type',
      )
      expect(preflight.headers.get('access-control-max-age')).toBe('120')
      const keysPreflight = await call(server, 'OPTIONS', '/keys/abc', {
        token: null,
        headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
      })
      expectStatus(keysPreflight, 204)
      expect(keysPreflight.headers.get('access-control-allow-methods')).toBe('GET')
    })

    it('another origin gets no CORS headers (the preflight is answered, but allows nothing)', async () => {
      const other = { origin: 'https://evil.example' }
      const reply = await get(server, '/health', { token: null, headers: other })
      expectStatus(reply, 200)
      expect(corsHeaderNames(reply.headers)).toEqual([])
      const preflight = await call(server, 'OPTIONS', '/sign/vc/jwt', {
        token: null,
        headers: { ...other, 'access-control-request-method': 'POST' },
      })
      expectStatus(preflight, 204)
      expect(corsHeaderNames(preflight.headers)).toEqual([])
    })
  })
})

// ---------------------------------------------------------------------------------------------

describe('request handling', () => {
  it('unknown routes, wrong methods, non-JSON bodies and bad :type are problems with the right status', async () => {
    expectProblem(await get(main, '/nowhere'), 404, 'route_not_found')
    const method = await get(main, '/generate')
    expectProblem(method, 405, 'method_not_allowed')
    expect(method.headers.get('allow')).toBe('POST')
    expectProblem(
      await call(main, 'POST', '/generate', {
        body: 'identifier=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'unsupported_media_type',
    )
    expectProblem(
      await call(main, 'POST', '/generate', { body: '{"identifier": "x#y", "identifier": "x#z"}' }),
      400,
      'malformed',
    )
    expectProblem(
      await sign('/sign/vc/ldp', keys.ed.id, { verifiable: credentialDraft() }),
      400,
      'invalid_request',
    )
    const big = await post(main, '/credentials/verify', {
      verifiableCredential: 'x'.repeat(1024 * 1024 + 1),
    })
    expectProblem(big, 413, 'payload_too_large')
  })

  it('a body refused unread (401, 413 on its Content-Length) is drained: the keep-alive connection keeps serving', async () => {
    const server = await startServer(
      createHandler({ vault: newVault(), auth: { bearerTokens: [TOKEN_A] } }),
    )
    // node:http's client on one keep-alive socket, so every request below goes over the same connection.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const send = (path: string, headers: Record<string, string>, body?: string) =>
      new Promise<{ status: number; code?: string }>((resolve, reject) => {
        const request = httpRequest(
          `${server.base}${path}`,
          { agent, method: body === undefined ? 'GET' : 'POST', headers },
          (response) => {
            const chunks: Buffer[] = []
            response.on('data', (chunk: Buffer) => chunks.push(chunk))
            response.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8')
              resolve({
                status: response.statusCode ?? 0,
                ...(text.startsWith('{')
                  ? { code: (JSON.parse(text) as Json).code as string }
                  : {}),
              })
            })
          },
        )
        request.on('error', reject)
        request.end(body)
      })
    try {
      const big = JSON.stringify({ verifiableCredential: 'x'.repeat(2 * 1024 * 1024) })
      const json = { 'content-type': 'application/json' }
      for (let i = 0; i < 3; i++) {
        expect(await send('/credentials/verify', json, big)).toEqual({
          status: 401,
          code: 'unauthorized',
        })
        expect(await send('/health/liveness', {})).toMatchObject({ status: 200 })
        expect(
          await send('/credentials/verify', { ...json, authorization: `Bearer ${TOKEN_A}` }, big),
        ).toEqual({ status: 413, code: 'payload_too_large' })
        expect(await send('/health/liveness', {})).toMatchObject({ status: 200 })
      }
      expect(server.connections()).toBe(1)
    } finally {
      agent.destroy()
      await server.close()
    }
  })

  it('the log names route templates and codes, never paths with key ids, secrets or bodies', async () => {
    const start = log.length
    await get(main, `/keys/${encodeURIComponent(keys.ed.id)}`)
    await sign('/sign/vc/jwt', 'log-nobody#k', { verifiable: credentialDraft() })
    const entries = log.slice(start)
    expect(entries).toEqual([
      { method: 'GET', route: '/keys/:id', status: 200, durationMs: expect.any(Number) },
      {
        method: 'POST',
        route: '/sign/vc/:type',
        status: 400,
        code: 'wrong_secrets',
        durationMs: expect.any(Number),
      },
    ])
    expect(JSON.stringify(log)).not.toMatch(/caller secret|log-nobody|%23/)
  })
})
