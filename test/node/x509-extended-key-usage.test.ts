// extKeyUsage of the leaf certificate (RFC 5280 section 4.2.1.12) on verify, with leaves made by
// the openssl CLI: a leaf certified only for purposes other than signing credentials (a TLS server
// certificate, say) is refused by default; `requiredExtendedKeyUsage` on the trust anchors makes
// an ecosystem's purpose mandatory. Without the rule (path-validation.ts
// checkLeafExtendedKeyUsage) the serverAuth-only leaf here verified. A CA's own extKeyUsage
// constrains the leaves under it (checkPathExtendedKeyUsage).
import { beforeAll, describe, expect, it } from 'vitest'
import {
  SdJwtVcSigner,
  createTrustAnchors,
  verify,
  type ErrorCode,
  type TrustAnchorOptions,
} from 'credsign'
import { signerOf } from './fixtures/certificate-signer.js'
import { ChainMaker, LEAF_EXTENSIONS, type MadeCert } from './fixtures/x509-chains.js'

const MDL_DS = '1.0.18013.5.1.2' // ISO/IEC 18013-5 document signer
let root: MadeCert
let intermediate: MadeCert
const leaves: Record<string, MadeCert> = {}
const intermediates: Record<string, MadeCert> = {}

beforeAll(() => {
  const maker = new ChainMaker()
  root = maker.root()
  intermediate = maker.intermediate('int', root)
  const leaf = (name: string, eku?: string): MadeCert =>
    maker.leaf(name, intermediate, [
      ...LEAF_EXTENSIONS,
      ...(eku === undefined ? [] : [`extendedKeyUsage=${eku}`]),
    ])
  leaves.none = leaf('none')
  leaves.serverAuth = leaf('server-auth', 'serverAuth')
  leaves.tlsPair = leaf('tls-pair', 'serverAuth,clientAuth')
  leaves.codeSigning = leaf('code-signing', 'critical,codeSigning')
  leaves.any = leaf('any', 'anyExtendedKeyUsage')
  leaves.mdl = leaf('mdl', `serverAuth,${MDL_DS}`)
  leaves.privateOid = leaf('private', '1.3.6.1.4.1.55555.7')
  // CAs whose own extKeyUsage constrains what they certify (as Go's x509 and openssl read it).
  const ca = (name: string, eku: string): MadeCert =>
    maker.intermediate(name, root, [
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      'keyUsage=critical,keyCertSign,cRLSign',
      `extendedKeyUsage=${eku}`,
    ])
  intermediates.tls = ca('tls-ca', 'serverAuth,clientAuth')
  intermediates.mdl = ca('mdl-ca', MDL_DS)
  const under = (name: string, issuer: MadeCert, eku?: string): MadeCert =>
    maker.leaf(name, issuer, [
      ...LEAF_EXTENSIONS,
      ...(eku === undefined ? [] : [`extendedKeyUsage=${eku}`]),
    ])
  leaves.noneUnderTls = under('none-under-tls', intermediates.tls)
  leaves.mdlUnderTls = under('mdl-under-tls', intermediates.tls, MDL_DS)
  leaves.mdlUnderMdl = under('mdl-under-mdl', intermediates.mdl, MDL_DS)
  leaves.twoUnderMdl = under('two-under-mdl', intermediates.mdl, `${MDL_DS},1.3.6.1.4.1.55555.7`)
}, 60_000)

async function codesFor(
  leaf: MadeCert,
  options: TrustAnchorOptions = {},
  issuer: MadeCert = intermediate,
): Promise<ErrorCode[]> {
  const token = await new SdJwtVcSigner(await signerOf(leaf)).issue(
    { iss: 'https://issuer.example', vct: 'https://credentials.example/identity' },
    { kid: false, header: { x5c: [leaf.x5c, issuer.x5c] } },
  )
  const result = await verify(token, { trustAnchors: createTrustAnchors([root.pem], options) })
  if (result.errors.length > 0)
    expect(result.checks.find((check) => check.name === 'certificate_chain')?.passed).toBe(false)
  return result.errors.map((error) => error.code)
}

describe('extKeyUsage, the default rule', () => {
  it('a leaf certified only for TLS or code signing is certificate_extended_key_usage', async () => {
    expect(await codesFor(leaves.serverAuth as MadeCert)).toEqual([
      'certificate_extended_key_usage',
    ])
    expect(await codesFor(leaves.tlsPair as MadeCert)).toEqual(['certificate_extended_key_usage'])
    expect(await codesFor(leaves.codeSigning as MadeCert)).toEqual([
      'certificate_extended_key_usage',
    ])
  })

  it('no extKeyUsage, anyExtendedKeyUsage, or a purpose besides the unrelated ones: accepted', async () => {
    for (const leaf of [leaves.none, leaves.any, leaves.mdl, leaves.privateOid])
      expect(await codesFor(leaf as MadeCert)).toEqual([])
  })
})

describe('requiredExtendedKeyUsage', () => {
  const required: TrustAnchorOptions = { requiredExtendedKeyUsage: [MDL_DS] }

  it('a leaf listing the required purpose verifies', async () => {
    expect(await codesFor(leaves.mdl as MadeCert, required)).toEqual([])
  })

  it('no extKeyUsage, anyExtendedKeyUsage or another purpose: certificate_extended_key_usage', async () => {
    for (const leaf of [leaves.none, leaves.any, leaves.privateOid, leaves.serverAuth])
      expect(await codesFor(leaf as MadeCert, required)).toEqual(['certificate_extended_key_usage'])
  })

  it('a required purpose that the default rule calls unrelated (serverAuth) is what decides: the leaf listing it verifies', async () => {
    // The default rule is for callers who name no purpose; run as well, it refused this leaf.
    const serverAuth: TrustAnchorOptions = { requiredExtendedKeyUsage: ['1.3.6.1.5.5.7.3.1'] }
    expect(await codesFor(leaves.serverAuth as MadeCert, serverAuth)).toEqual([])
    expect(await codesFor(leaves.codeSigning as MadeCert, serverAuth)).toEqual([
      'certificate_extended_key_usage',
    ])
  })

  it('a malformed list is invalid_argument at createTrustAnchors', () => {
    for (const bad of [[], ['serverAuth'], ['1.2.x'], 'not-a-list'])
      expect(() =>
        createTrustAnchors([root.pem], { requiredExtendedKeyUsage: bad as string[] }),
      ).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
  })
})

describe("a CA's extKeyUsage constrains the leaves under it (Go crypto/x509, openssl)", () => {
  const required: TrustAnchorOptions = { requiredExtendedKeyUsage: [MDL_DS] }

  it('a leaf without extKeyUsage under a CA certified only for TLS is certificate_extended_key_usage', async () => {
    expect(
      await codesFor(leaves.noneUnderTls as MadeCert, {}, intermediates.tls as MadeCert),
    ).toEqual(['certificate_extended_key_usage'])
  })

  it('required: the required purpose on the leaf, under a CA certified only for TLS, is refused; under a CA listing it, accepted', async () => {
    expect(
      await codesFor(leaves.mdlUnderTls as MadeCert, required, intermediates.tls as MadeCert),
    ).toEqual(['certificate_extended_key_usage'])
    expect(
      await codesFor(leaves.mdlUnderMdl as MadeCert, required, intermediates.mdl as MadeCert),
    ).toEqual([])
    expect(await codesFor(leaves.mdl as MadeCert, required)).toEqual([]) // a CA without extKeyUsage
  })

  it('required, on a chain cached by a verification without it: a purpose the CA does not list is refused', async () => {
    const leaf = leaves.twoUnderMdl as MadeCert
    expect(await codesFor(leaf, {}, intermediates.mdl as MadeCert)).toEqual([])
    // The leaf lists the private purpose, its CA does not: the CA never certified it.
    expect(
      await codesFor(
        leaf,
        { requiredExtendedKeyUsage: ['1.3.6.1.4.1.55555.7'] },
        intermediates.mdl as MadeCert,
      ),
    ).toEqual(['certificate_extended_key_usage'])
  })
})
