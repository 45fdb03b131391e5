// Building status lists for the verifier's tests with nothing but the codecs and the signers, so
// the verifier is tested against lists it did not make itself (and forged lists can be made).
import {
  JwtVcSigner,
  SdJwtVcSigner,
  createBitstring,
  encodeBitstring,
  encodeTokenStatusList,
  createTokenStatusBytes,
  signJwt,
  writeBitstringStatus,
  writeTokenStatus,
  type Signer,
  type TokenStatusBits,
} from '../../src/index.js'
import { V2, didOf } from './vc-helpers.js'

export const LIST_URL = 'https://issuer.example/status/1'
export const TOKEN_URL = 'https://issuer.example/statuslists/1'

export interface BitstringListOptions {
  url?: string
  purpose?: string | string[]
  /** Index → value */
  set?: Record<number, number>
  statusSize?: number
  /** Entries of the list (default the W3C minimum). */
  entries?: number
  /** Raw encodedList instead of one built from `set`. */
  encodedList?: string
  validFrom?: string
  validUntil?: string
  id?: string | null
  ttl?: number
  type?: string[]
  subjectType?: string
}

/** A BitstringStatusListCredential, unsigned. */
export async function bitstringListCredential(
  options: BitstringListOptions = {},
): Promise<Record<string, unknown>> {
  const size = options.statusSize ?? 1
  const bits = createBitstring(options.entries ?? 131_072, size)
  for (const [index, value] of Object.entries(options.set ?? {}))
    writeBitstringStatus(bits, Number(index), value, size)
  const url = options.url ?? LIST_URL
  return {
    '@context': [V2],
    ...(options.id === null ? {} : { id: options.id ?? url }),
    type: options.type ?? ['VerifiableCredential', 'BitstringStatusListCredential'],
    ...(options.validFrom === undefined ? {} : { validFrom: options.validFrom }),
    ...(options.validUntil === undefined ? {} : { validUntil: options.validUntil }),
    credentialSubject: {
      id: `${url}#list`,
      type: options.subjectType ?? 'BitstringStatusList',
      statusPurpose: options.purpose ?? 'revocation',
      encodedList: options.encodedList ?? (await encodeBitstring(bits)),
      ...(options.ttl === undefined ? {} : { ttl: options.ttl }),
    },
  }
}

/** The list above as a vc+jwt signed by `signer` (its issuer: the signer's DID). */
export async function bitstringListJwt(
  signer: Signer,
  options: BitstringListOptions = {},
): Promise<string> {
  return new JwtVcSigner(signer).sign(await bitstringListCredential(options))
}

/** A vc+jwt credential of `signer` carrying `credentialStatus`. */
export async function credentialWithStatus(
  signer: Signer,
  credentialStatus: unknown,
): Promise<string> {
  return new JwtVcSigner(signer).sign({
    '@context': [V2, 'https://www.w3.org/ns/credentials/examples/v2'],
    type: ['VerifiableCredential', 'ExampleCredential'],
    credentialSubject: { id: 'did:example:alice', name: 'Alice' },
    credentialStatus,
  })
}

export function bitstringEntry(
  index: number | string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: `${LIST_URL}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: String(index),
    statusListCredential: LIST_URL,
    ...extra,
  }
}

export interface TokenListOptions {
  uri?: string
  bits?: TokenStatusBits
  set?: Record<number, number>
  entries?: number
  lst?: string
  typ?: string
  sub?: string | null
  iss?: string | null
  iat?: number | null
  exp?: number
  ttl?: number
  /** The issuer to name when `iss` is not given: default the signer's DID. */
}

/** A statuslist+jwt signed by `signer`. */
export async function tokenList(signer: Signer, options: TokenListOptions = {}): Promise<string> {
  const bits = options.bits ?? 1
  const bytes = createTokenStatusBytes(options.entries ?? 1024, bits)
  for (const [index, value] of Object.entries(options.set ?? {}))
    writeTokenStatus(bytes, bits, Number(index), value)
  const now = Math.floor(Date.now() / 1000)
  const claims: Record<string, unknown> = {
    ...(options.iss === null ? {} : { iss: options.iss ?? didOf(signer) }),
    ...(options.sub === null ? {} : { sub: options.sub ?? options.uri ?? TOKEN_URL }),
    ...(options.iat === null ? {} : { iat: options.iat ?? now }),
    ...(options.exp === undefined ? {} : { exp: options.exp }),
    ...(options.ttl === undefined ? {} : { ttl: options.ttl }),
    status_list: { bits, lst: options.lst ?? (await encodeTokenStatusList(bytes)) },
  }
  return signJwt(signer, claims, { typ: options.typ ?? 'statuslist+jwt', issuedAt: false })
}

/** An SD-JWT VC of `signer` pointing at a Token Status List. */
export async function sdJwtWithStatus(
  signer: Signer,
  idx: unknown,
  uri: unknown = TOKEN_URL,
): Promise<string> {
  return new SdJwtVcSigner(signer).issue(
    { given_name: 'Erika' },
    {
      vct: 'https://credentials.example.com/identity_credential',
      status: { status_list: { idx, uri } } as never,
    },
  )
}

/** A fetch that serves `lists` by URL with the right media type, and counts its calls. */
export function servingFetch(lists: Record<string, { body: string; type: string }>): {
  fetch: (url: string, init: RequestInit) => Promise<Response>
  calls: string[]
} {
  const calls: string[] = []
  return {
    calls,
    fetch: async (url) => {
      calls.push(url)
      const list = lists[url]
      if (list === undefined) return new Response('not found', { status: 404 })
      return new Response(list.body, { status: 200, headers: { 'content-type': list.type } })
    },
  }
}
