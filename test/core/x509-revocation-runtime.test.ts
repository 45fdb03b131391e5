// Certificate revocation on every runtime the core runs on (this file runs in Node and in
// Chromium): a committed chain whose certificates name CRLs, and the CRLs `openssl ca -gencrl` made
// for it (test/fixtures/x509/revocation.ts), served by an in-memory fetch. The CRL is parsed and its
// signature verified on this runtime's WebCrypto. The broken answers (tampered, expired, another CA,
// OCSP) are in test/node/x509-revocation.test.ts (openssl at test time).
import { describe, expect, it } from 'vitest'
import {
  SdJwtVcSigner,
  createTrustAnchors,
  loadPrivateKey,
  parseCertificate,
  verify,
  type RevocationFetch,
} from 'credsign'
import { decodePem } from '../../src/keys/pem.js'
import {
  REVOCATION_INT_CRL,
  REVOCATION_INT_X5C,
  REVOCATION_LEAF_KEY_PEM,
  REVOCATION_LEAF_X5C,
  REVOCATION_ORIGIN,
  REVOCATION_REVOKED_KEY_PEM,
  REVOCATION_REVOKED_X5C,
  REVOCATION_ROOT_CRL,
  REVOCATION_ROOT_PEM,
} from '../fixtures/x509/revocation.js'

const NOW = new Date(Date.UTC(2030, 0, 1))

function bytes(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
}

const CRLS = new Map([
  [`${REVOCATION_ORIGIN}/root.crl`, REVOCATION_ROOT_CRL],
  [`${REVOCATION_ORIGIN}/int.crl`, REVOCATION_INT_CRL],
])

async function token(x5c: string, keyPem: string): Promise<string> {
  const key = await loadPrivateKey('P-256', decodePem(keyPem)[0]?.der as Uint8Array)
  const { publicJwk } = await parseCertificate(x5c)
  if (publicJwk === undefined) throw new Error('no key')
  return new SdJwtVcSigner({
    id: 'leaf',
    algorithm: 'P-256',
    publicJwk,
    sign: (data) => key.sign(data),
  }).issue(
    { iss: 'https://issuer.example', vct: 'https://credentials.example/identity' },
    { kid: false, header: { x5c: [x5c, REVOCATION_INT_X5C] } },
  )
}

describe('x5c revocation on this runtime', () => {
  it('CRLs through the caller fetch: the good leaf verifies, the revoked one is certificate_revoked', async () => {
    const fetched: string[] = []
    const fetch: RevocationFetch = async (url) => {
      fetched.push(url)
      const crl = CRLS.get(url)
      if (crl === undefined) return new Response(null, { status: 404 })
      return new Response(bytes(crl), { headers: { 'content-type': 'application/pkix-crl' } })
    }
    const trustAnchors = createTrustAnchors([REVOCATION_ROOT_PEM], {
      revocation: { fetch, cacheMs: 0 },
    })
    const good = await verify(await token(REVOCATION_LEAF_X5C, REVOCATION_LEAF_KEY_PEM), {
      trustAnchors,
      now: NOW,
    })
    expect(good.errors).toEqual([])
    expect(good.verified).toBe(true)
    expect(fetched.sort()).toEqual([...CRLS.keys()].sort())

    const revoked = await verify(await token(REVOCATION_REVOKED_X5C, REVOCATION_REVOKED_KEY_PEM), {
      trustAnchors,
      now: NOW,
    })
    expect(revoked.errors.map((error) => error.code)).toEqual(['certificate_revoked'])
  })

  it("a fetch that must be called unbound, as a browser's window.fetch (else 'Illegal invocation'), works", async () => {
    // WebIDL operations of the global object refuse another `this`: `({ fetch }).fetch(url)` throws
    // in Chromium. This stand-in refuses the same way on every runtime.
    function unboundOnly(this: unknown, url: string): Promise<Response> {
      if (this !== undefined && this !== globalThis)
        return Promise.reject(new TypeError('Illegal invocation'))
      const crl = CRLS.get(url) as string
      return Promise.resolve(
        new Response(bytes(crl), { headers: { 'content-type': 'application/pkix-crl' } }),
      )
    }
    const trustAnchors = createTrustAnchors([REVOCATION_ROOT_PEM], {
      revocation: { fetch: unboundOnly, cacheMs: 0 },
    })
    const result = await verify(await token(REVOCATION_LEAF_X5C, REVOCATION_LEAF_KEY_PEM), {
      trustAnchors,
      now: NOW,
    })
    expect(result.errors).toEqual([])
  })
})
