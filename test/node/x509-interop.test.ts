// Interop of x5c issuer keys with @sd-jwt/sd-jwt-vc (OpenWallet Foundation), both ways, over a
// root → intermediate → leaf chain made by the openssl CLI:
// 1. @sd-jwt issues an SD-JWT VC with x5c in its header (signed by the leaf's key through
//    node:crypto); credsign verifies it with the root as trust anchor, and refuses it without one.
// 2. credsign issues one; @sd-jwt verifies it with an x5c-capable verifier callback written with
//    node:crypto's X509Certificate (the chain checked link by link up to the root, the JWS with the
//    leaf's key): an implementation independent of pkijs.
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  SdJwtVcSigner,
  createTrustAnchors,
  loadPrivateKey,
  parseCertificate,
  verify,
  type Signer,
} from 'credsign'
import { decodePem } from '../../src/keys/pem.js'
import { ISSUER, makeTestChains, type TestChains } from './fixtures/x509-chains.js'

let chains: TestChains
const VCT = 'https://credentials.example/identity'

beforeAll(() => {
  chains = makeTestChains()
}, 60_000)

const hasher = (data: string | ArrayBuffer): Uint8Array =>
  new Uint8Array(
    createHash('sha256')
      .update(typeof data === 'string' ? data : new Uint8Array(data))
      .digest(),
  )
const saltGenerator = (length: number): string => randomBytes(length).toString('base64url')

/**
 * An @sd-jwt verifier callback that trusts `rootPem` and reads the key from the JWS header's x5c:
 * each certificate issued and signed by the next, the last by the root, all valid now; then the
 * signature with the leaf's key.
 */
function x5cVerifier(rootPem: string): (data: string, signature: string) => boolean {
  const root = new X509Certificate(rootPem)
  return (data, signature) => {
    const header = JSON.parse(Buffer.from(data.split('.')[0] as string, 'base64url').toString())
    const x5c = header.x5c as string[]
    const certificates = x5c.map((entry) => new X509Certificate(Buffer.from(entry, 'base64')))
    const path = [...certificates, root]
    const now = new Date()
    for (let i = 0; i + 1 < path.length; i++) {
      const [child, parent] = [path[i] as X509Certificate, path[i + 1] as X509Certificate]
      if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) return false
      if (new Date(child.validFrom) > now || new Date(child.validTo) < now) return false
      if (i > 0 && !child.ca) return false
    }
    if (path[0]?.ca) return false
    return nodeVerify(
      'sha256',
      Buffer.from(data),
      { key: (path[0] as X509Certificate).publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    )
  }
}

describe('x5c interop with @sd-jwt/sd-jwt-vc', () => {
  it('an SD-JWT VC with x5c made by @sd-jwt verifies in credsign (and not without anchors)', async () => {
    const leafKey = createPrivateKey(chains.leaf.keyPem)
    const theirs = new SDJwtVcInstance({
      hasher,
      hashAlg: 'sha-256',
      saltGenerator,
      signer: (data: string) =>
        nodeSign('sha256', Buffer.from(data), { key: leafKey, dsaEncoding: 'ieee-p1363' }).toString(
          'base64url',
        ),
      signAlg: 'ES256',
    })
    const sdJwt = await theirs.issue(
      { iss: ISSUER, iat: Math.floor(Date.now() / 1000), vct: VCT, given_name: 'Erika' },
      { _sd: ['given_name'] },
      { header: { typ: 'dc+sd-jwt', x5c: chains.good.map((certificate) => certificate.x5c) } },
    )
    const result = await verify(sdJwt, { trustAnchors: createTrustAnchors([chains.root.pem]) })
    expect(result.errors).toEqual([])
    expect(result.payload).toMatchObject({ given_name: 'Erika' })
    expect((await verify(sdJwt)).errors.map((e) => e.code)).toEqual([
      'trust_anchors_not_configured',
    ])
    // Their own x5c-capable verifier agrees.
    const verifier = new SDJwtVcInstance({
      hasher,
      hashAlg: 'sha-256',
      verifier: x5cVerifier(chains.root.pem),
    })
    await expect(verifier.verify(sdJwt)).resolves.toBeDefined()
  })

  it('an SD-JWT VC with x5c made by credsign verifies in @sd-jwt with an x5c verifier callback', async () => {
    const key = await loadPrivateKey('P-256', decodePem(chains.leaf.keyPem)[0]?.der as Uint8Array)
    const { publicJwk } = await parseCertificate(chains.leaf.pem)
    if (publicJwk === undefined) throw new Error('no key')
    const leaf: Signer = { id: 'leaf', algorithm: 'P-256', publicJwk, sign: (d) => key.sign(d) }
    const ours = await new SdJwtVcSigner(leaf).issue(
      { iss: ISSUER, vct: VCT, given_name: 'Erika' },
      {
        disclosureFrame: { _sd: ['given_name'] },
        kid: false,
        header: { x5c: chains.good.map((certificate) => certificate.x5c) },
      },
    )
    const verifier = new SDJwtVcInstance({
      hasher,
      hashAlg: 'sha-256',
      verifier: x5cVerifier(chains.root.pem),
    })
    const verified = await verifier.verify(ours)
    expect(verified.payload).toMatchObject({ iss: ISSUER, given_name: 'Erika' })
    // The callback is not a rubber stamp: a chain from another root fails it.
    const otherRoot = new SDJwtVcInstance({
      hasher,
      hashAlg: 'sha-256',
      verifier: x5cVerifier(chains.otherRoot.pem),
    })
    await expect(otherRoot.verify(ours)).rejects.toThrow()
  })
})
