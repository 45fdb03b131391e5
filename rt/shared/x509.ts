// The good x5c chain on Deno and Bun (built package): an SD-JWT VC signed by the leaf of the
// committed openssl-made chain (test/fixtures/x509/chain.ts) verifies against its root, at a fixed
// `now` inside the chain's validity; without anchors it is trust_anchors_not_configured.
import {
  FIXTURE_ISSUER,
  FIXTURE_LEAF_KEY_PEM,
  FIXTURE_ROOT_PEM,
  FIXTURE_X5C,
} from '../../test/fixtures/x509/chain.ts'
import { check } from './smoke.ts'

/** The slice of the package the check touches. */
export interface CredsignX509 {
  loadPrivateKey(
    algorithm: string,
    pkcs8: Uint8Array,
  ): Promise<{ sign(data: Uint8Array): Promise<Uint8Array> }>
  parseCertificate(input: string): Promise<{ publicJwk?: Record<string, string> }>
  createTrustAnchors(certificates: string[]): unknown
  SdJwtVcSigner: new (signer: unknown) => {
    issue(claims: Record<string, unknown>, options: Record<string, unknown>): Promise<string>
  }
  verify(
    input: unknown,
    options?: Record<string, unknown>,
  ): Promise<{ verified: boolean; errors: { code: string }[] }>
}

function pkcs8Of(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '')
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0))
}

export async function x5cRoundTrip(lib: CredsignX509): Promise<void> {
  const key = await lib.loadPrivateKey('P-256', pkcs8Of(FIXTURE_LEAF_KEY_PEM))
  const { publicJwk } = await lib.parseCertificate(FIXTURE_X5C[0] as string)
  check(publicJwk !== undefined, 'the leaf certificate has a key')
  const sdJwt = await new lib.SdJwtVcSigner({
    id: 'leaf',
    algorithm: 'P-256',
    publicJwk,
    sign: (data: Uint8Array) => key.sign(data),
  }).issue(
    { iss: FIXTURE_ISSUER, vct: 'https://credentials.example/identity', given_name: 'Erika' },
    { disclosureFrame: { _sd: ['given_name'] }, kid: false, header: { x5c: [...FIXTURE_X5C] } },
  )
  const now = Date.UTC(2030, 0, 1)
  const trustAnchors = lib.createTrustAnchors([FIXTURE_ROOT_PEM])
  const result = await lib.verify(sdJwt, { trustAnchors, now })
  check(result.verified, `x5c verifies: ${JSON.stringify(result.errors)}`)
  const bare = await lib.verify(sdJwt, { now })
  check(
    bare.errors.map((e) => e.code).join() === 'trust_anchors_not_configured',
    `without anchors: ${JSON.stringify(bare.errors)}`,
  )
}
