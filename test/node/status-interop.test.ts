// Status lists across implementations, both ways:
// - IETF Token Status List: lists credsign publishes (StatusLists) read with @sd-jwt/jwt-status-list
//   (getListFromStatusListJWT, getStatusListFromJWT), and lists built by @sd-jwt/jwt-status-list
//   (StatusList + createHeaderAndPayload, their compression) checked by credsign's verify();
// - W3C Bitstring Status List: credsign's list credential, signed eddsa-rdfc-2022, and its
//   credentials' entries checked by @digitalbazaar/vc-bitstring-status-list's checkStatus (which
//   verifies the list's proof with @digitalbazaar/vc); and a list credential issued by DB (createList,
//   createCredential, vc.issue) checked by credsign's verify() with the Data Integrity handler.
// Everything offline: did:key through DB's driver, contexts from DB's packages.
// @ts-expect-error -- no type declarations
import * as vc from '@digitalbazaar/vc'
// @ts-expect-error -- no type declarations
import * as dbStatus from '@digitalbazaar/vc-bitstring-status-list'
// @ts-expect-error -- no type declarations
import { DataIntegrityProof } from '@digitalbazaar/data-integrity'
// @ts-expect-error -- no type declarations
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite'
// @ts-expect-error -- no type declarations
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey'
// @ts-expect-error -- no type declarations
import jsigs from 'jsonld-signatures'
import {
  StatusList,
  createHeaderAndPayload,
  getListFromStatusListJWT,
  getStatusListFromJWT,
} from '@sd-jwt/jwt-status-list'
import { beforeAll, describe, expect, it } from 'vitest'
import { DB_CONTEXTS, didKeyDriver } from './fixtures/digital-bazaar.js'
import {
  DataIntegritySigner,
  createDocumentLoader,
  dataIntegrityHandler,
} from '../../src/formats/data-integrity/index.js'
import {
  asDidSigner,
  createStatusListResolver,
  KeyVault,
  MemoryStatusListStore,
  MemoryStore,
  SdJwtVcSigner,
  signJwt,
  StatusLists,
  verify,
  type Signer,
} from '../../src/index.js'
import { b58 } from '../../src/util/base58.js'

type Json = Record<string, unknown>
const TOKEN_URI = 'https://issuer.example/tsl/1'
const LIST_URL = 'https://issuer.example/status/1'

let signer: Signer
let dbKey: { signer(): unknown }

const credsignContexts = createDocumentLoader()
function dbLoader(extra: Record<string, unknown> = {}) {
  return jsigs.extendContextLoader(async (url: string) => {
    if (Object.hasOwn(extra, url))
      return { contextUrl: null, documentUrl: url, document: structuredClone(extra[url]) }
    if (url.startsWith('did:key:'))
      return { contextUrl: null, documentUrl: url, document: await didKeyDriver.get({ url }) }
    const known = DB_CONTEXTS.get(url)
    if (known !== undefined)
      return { contextUrl: null, documentUrl: url, document: known, tag: 'static' }
    const { document } = await credsignContexts(url)
    return { contextUrl: null, documentUrl: url, document: structuredClone(document) }
  }) as (url: string) => Promise<{ document: unknown }>
}

beforeAll(async () => {
  const vault = new KeyVault({
    store: new MemoryStore(),
    serviceSecret: new Uint8Array(32).fill(5),
    kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
  })
  const seed = new Uint8Array(32).fill(9)
  await vault.import({ id: 'issuer', secrets: ['s'], key: { seed, algorithm: 'Ed25519' } })
  signer = asDidSigner(await vault.unlock('issuer', ['s']))
  const did = signer.id.split('#')[0] as string
  const publicKeyMultibase = did.slice('did:key:'.length)
  // Multikey secret: multicodec ed25519-priv (0x1300) + the seed, base58btc.
  const secretKeyMultibase = `z${b58(new Uint8Array([0x80, 0x26, ...seed]))}`
  dbKey = (await Ed25519Multikey.from({
    '@context': 'https://w3id.org/security/multikey/v1',
    type: 'Multikey',
    id: signer.id,
    controller: did,
    publicKeyMultibase,
    secretKeyMultibase,
  })) as { signer(): unknown }
})

describe('Token Status List interop with @sd-jwt/jwt-status-list', () => {
  it('a list credsign publishes reads the same in sd-jwt-js, and its entries too', async () => {
    const lists = new StatusLists({ store: new MemoryStatusListStore(), signer })
    await lists.createList({ id: 'tsl', kind: 'token', uri: TOKEN_URI, bits: 2, size: 4096 })
    const allocations = await Promise.all(Array.from({ length: 12 }, () => lists.allocate('tsl')))
    const indexes = allocations.map((a) => a.index)
    await lists.revoke('tsl', indexes[0] as number)
    await lists.suspend('tsl', indexes[1] as number)
    await lists.setStatus('tsl', indexes[2] as number, 3)
    const { jwt } = await lists.publish('tsl')
    const theirs = getListFromStatusListJWT(jwt)
    expect(theirs.getBitsPerStatus()).toBe(2)
    expect(indexes.map((i) => theirs.getStatus(i))).toEqual([1, 2, 3, ...Array(9).fill(0)])
    const allocation = allocations[0]
    if (allocation?.kind !== 'token') throw new Error('a token list gives a status claim')
    const sdJwt = await new SdJwtVcSigner(signer).issue(
      { given_name: 'Erika' },
      { vct: 'https://credentials.example.com/id', status: allocation.status },
    )
    expect(getStatusListFromJWT(sdJwt.split('~')[0] as string)).toEqual({
      idx: indexes[0],
      uri: TOKEN_URI,
    })
    const result = await verify(sdJwt, {
      statusLists: createStatusListResolver({ lists: { [TOKEN_URI]: jwt } }),
    })
    expect(result.errors.map((e) => e.code)).toEqual(['status_revoked'])
  })

  it('a list built and compressed by sd-jwt-js is read by credsign at every index', async () => {
    for (const bits of [1, 2, 4, 8] as const) {
      const values = Array.from({ length: 64 }, (_, i) => (i * 7 + bits) % 2 ** bits)
      const { payload } = createHeaderAndPayload(
        new StatusList(values, bits),
        { iss: signer.id.split('#')[0], sub: TOKEN_URI, iat: Math.floor(Date.now() / 1000) },
        { alg: 'EdDSA', typ: 'statuslist+jwt' },
      )
      const token = await signJwt(signer, payload as Json, { typ: 'statuslist+jwt' })
      const statusLists = createStatusListResolver({ lists: { [TOKEN_URI]: token } })
      for (const idx of [0, 1, 2, 3, 17, 63]) {
        const sdJwt = await new SdJwtVcSigner(signer).issue(
          {},
          { vct: 'urn:example', status: { status_list: { idx, uri: TOKEN_URI } } },
        )
        const result = await verify(sdJwt, { statusLists })
        expect(result.status?.[0]?.value, `bits ${bits} idx ${idx}`).toBe(values[idx])
      }
    }
  })
})

describe('Bitstring Status List interop with @digitalbazaar/vc-bitstring-status-list', () => {
  it('a credsign list (eddsa-rdfc-2022) and its entries check in DB checkStatus, proof verified', async () => {
    const lists = new StatusLists({ store: new MemoryStatusListStore(), signer })
    await lists.createList({ id: 'bsl', kind: 'bitstring', purpose: 'revocation', url: LIST_URL })
    const a = await lists.allocate('bsl')
    const b = await lists.allocate('bsl')
    if (a.kind !== 'bitstring' || b.kind !== 'bitstring') throw new Error('bitstring entries')
    await lists.revoke('bsl', a.index)
    const listCredential = await new DataIntegritySigner(signer, {
      cryptosuite: 'eddsa-rdfc-2022',
    }).sign(await lists.statusListCredential('bsl'))
    const loader = dbLoader({ [LIST_URL]: listCredential })
    const credentialOf = (entry: unknown) =>
      new DataIntegritySigner(signer, { cryptosuite: 'eddsa-rdfc-2022' }).sign({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        credentialSubject: { id: 'did:example:alice' },
        credentialStatus: entry,
      })
    for (const [allocation, expected] of [
      [a, 1],
      [b, 0],
    ] as const) {
      const credential = await credentialOf(allocation.credentialStatus)
      const checked = (await dbStatus.checkStatus({
        credential,
        documentLoader: loader,
        suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
        verifyBitstringStatusListCredential: true,
        verifyMatchingIssuers: true,
      })) as { verified: boolean; error?: Error; results?: { status: boolean }[] }
      expect(checked.error).toBeUndefined()
      expect(checked.verified).toBe(true)
      expect(checked.results?.[0]?.status).toBe(expected === 1)
      // credsign reads the same list, through the Data Integrity handler.
      const ours = await verify(credential, {
        handlers: [dataIntegrityHandler()],
        statusLists: createStatusListResolver({ lists: { [LIST_URL]: listCredential } }),
      })
      expect(ours.status?.[0]?.value).toBe(expected)
      expect(ours.errors.map((e) => e.code)).toEqual(expected === 1 ? ['status_revoked'] : [])
    }
    // DB reads the vc+jwt list credsign publishes too (its payload is the credential).
    const { jwt } = await lists.publish('bsl')
    const payload = JSON.parse(
      Buffer.from(jwt.split('.')[1] as string, 'base64url').toString(),
    ) as { credentialSubject: { encodedList: string } }
    const decoded = await dbStatus.decodeList({
      encodedList: payload.credentialSubject.encodedList,
    })
    expect([decoded.getStatus(a.index), decoded.getStatus(b.index)]).toEqual([true, false])
  })

  it('a list DB creates and issues (vc.issue, eddsa-rdfc-2022) is checked by credsign', async () => {
    const list = await dbStatus.createList({ length: 131_072 })
    list.setStatus(4242, true)
    const unsigned = (await dbStatus.createCredential({
      id: LIST_URL,
      list,
      statusPurpose: 'revocation',
    })) as Json
    unsigned.issuer = signer.id.split('#')[0]
    const listCredential = (await vc.issue({
      credential: unsigned,
      suite: new DataIntegrityProof({ signer: dbKey.signer(), cryptosuite: eddsaRdfc2022 }),
      documentLoader: dbLoader(),
    })) as Json
    const statusLists = createStatusListResolver({ lists: { [LIST_URL]: listCredential } })
    for (const [index, expected] of [
      [4242, ['status_revoked']],
      [4243, []],
    ] as const) {
      const credential = await new DataIntegritySigner(signer, {
        cryptosuite: 'eddsa-rdfc-2022',
      }).sign({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        credentialSubject: { id: 'did:example:alice' },
        credentialStatus: {
          type: 'BitstringStatusListEntry',
          statusPurpose: 'revocation',
          statusListIndex: String(index),
          statusListCredential: LIST_URL,
        },
      })
      const result = await verify(credential, {
        handlers: [dataIntegrityHandler()],
        statusLists,
      })
      expect(result.errors.map((e) => e.code)).toEqual(expected)
    }
    // A DB list whose proof was tampered with is not trusted.
    const tampered = structuredClone(listCredential) as { credentialSubject: Json }
    tampered.credentialSubject.statusPurpose = 'suspension'
    const credential = await new DataIntegritySigner(signer, {
      cryptosuite: 'eddsa-rdfc-2022',
    }).sign({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      credentialSubject: { id: 'did:example:alice' },
      credentialStatus: {
        type: 'BitstringStatusListEntry',
        statusPurpose: 'suspension',
        statusListIndex: '4242',
        statusListCredential: LIST_URL,
      },
    })
    const forged = await verify(credential, {
      handlers: [dataIntegrityHandler()],
      statusLists: createStatusListResolver({ lists: { [LIST_URL]: tampered } }),
    })
    expect(forged.errors.map((e) => e.code)).toEqual(['status_list_not_verified'])
  })
})
