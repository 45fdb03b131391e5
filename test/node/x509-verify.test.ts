// verify() with x5c issuer keys: RFC 5280 path validation against the caller's trust anchors, with
// chains made at test time by the openssl CLI (test/node/fixtures/x509-chains.ts). The good chain
// verifies in every format that carries x5c (JWT, JWT-VC, SD-JWT VC); each broken chain is refused
// with the code of the rule it breaks. Where pkijs does not enforce a rule itself (pathLen, the
// leaf's keyUsage, x5c order, a critical extension of the leaf, name constraints of two CAs), the
// broken chain here is what proves credsign's own check.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  JwtVcSigner,
  SdJwtVcSigner,
  createTrustAnchors,
  generateKeyPair,
  loadPrivateKey,
  signCompact,
  verify,
  type ErrorCode,
  type Signer,
  type VerificationResult,
  type VerifyOptions,
} from 'credsign'
import { decodePem } from '../../src/keys/pem.js'
import { signerOf } from './fixtures/certificate-signer.js'
import { ISSUER, makeTestChains, type MadeCert, type TestChains } from './fixtures/x509-chains.js'

let chains: TestChains
const DAY = 86_400_000

beforeAll(() => {
  chains = makeTestChains()
}, 60_000)

const x5cOf = (chain: MadeCert[]): string[] => chain.map((certificate) => certificate.x5c)

/** An SD-JWT VC from `ISSUER` (or `iss`) signed by the chain's leaf, x5c in its header, no kid. */
async function sdJwtVc(chain: MadeCert[], iss: string = ISSUER): Promise<string> {
  const signer = await signerOf(chain[0] as MadeCert)
  return new SdJwtVcSigner(signer).issue(
    { iss, vct: 'https://credentials.example/identity', given_name: 'Erika' },
    { disclosureFrame: { _sd: ['given_name'] }, kid: false, header: { x5c: x5cOf(chain) } },
  )
}

/** A VC-JOSE-COSE credential signed by the chain's leaf. */
async function jwtVc(chain: MadeCert[], issuer: string = ISSUER): Promise<string> {
  const signer = await signerOf(chain[0] as MadeCert)
  return new JwtVcSigner(signer).sign(
    {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      issuer,
      credentialSubject: { id: 'did:example:alice' },
    },
    { kid: false, header: { x5c: x5cOf(chain) } },
  )
}

function anchors(...roots: MadeCert[]): VerifyOptions {
  return { trustAnchors: createTrustAnchors(roots.map((root) => root.pem)) }
}

function codes(result: VerificationResult): ErrorCode[] {
  return result.errors.map((error) => error.code)
}

describe('x5c: the good chain', () => {
  it('an SD-JWT VC with x5c verifies against the root, with the leaf key and SAN binding', async () => {
    const result = await verify(await sdJwtVc(chains.good), anchors(chains.root))
    expect(result.errors).toEqual([])
    expect(result.verified).toBe(true)
    const chainCheck = result.checks.find((check) => check.name === 'certificate_chain')
    expect(chainCheck?.passed).toBe(true)
    expect(result.key?.id).toMatch(/^x5t#S256:/)
    expect(result.checks.find((check) => check.name === 'issuer_binding')?.detail).toContain(
      'subjectAltName',
    )
  })

  it('a JWT-VC and a plain JWS with x5c verify too', async () => {
    const vc = await verify(await jwtVc(chains.good), anchors(chains.root))
    expect(vc.errors).toEqual([])
    expect(vc.format).toBe('vc+jwt')
    const signer = await signerOf(chains.leaf)
    const jws = await signCompact(signer, JSON.stringify({ iss: ISSUER, sub: 'x' }), {
      protectedHeader: { x5c: x5cOf(chains.good) },
      includeKid: false,
    })
    const plain = await verify(jws, anchors(chains.root))
    expect(plain.errors).toEqual([])
  })

  it('anchors as one PEM bundle, as DER, and among other anchors all work', async () => {
    const token = await sdJwtVc(chains.good)
    const der = decodePem(chains.root.pem)[0]?.der as Uint8Array
    for (const trustAnchors of [
      [chains.otherRoot.pem + chains.root.pem],
      [der],
      [chains.otherRoot.pem, chains.root.pem],
    ]) {
      expect(
        (await verify(token, { trustAnchors: createTrustAnchors(trustAnchors) })).errors,
      ).toEqual([])
    }
  })

  it('a second verification is served from the chain cache, and the same verdict', async () => {
    const token = await sdJwtVc(chains.good)
    await verify(token, anchors(chains.root))
    const again = await verify(token, anchors(chains.root))
    expect(again.verified).toBe(true)
    expect(again.checks.find((check) => check.name === 'certificate_chain')?.detail).toContain(
      'cached',
    )
    // The cache never answers for a time outside the chain's validity.
    const later = await verify(token, { ...anchors(chains.root), now: Date.now() + 20 * 365 * DAY })
    expect(codes(later)).toContain('certificate_expired')
  })
})

describe('x5c is never trusted on its own', () => {
  it('no trust anchor configured: trust_anchors_not_configured (was key_not_found: x5c was ignored)', async () => {
    const result = await verify(await sdJwtVc(chains.good))
    expect(result.verified).toBe(false)
    expect(codes(result)).toEqual(['trust_anchors_not_configured'])
    const vc = await verify(await jwtVc(chains.good))
    expect(codes(vc)).toEqual(['trust_anchors_not_configured'])
  })

  it('trust anchors are made by createTrustAnchors: an empty list or a plain array is a caller error', async () => {
    expect(() => createTrustAnchors([])).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    await expect(
      verify(await sdJwtVc(chains.good), {
        trustAnchors: [chains.root.pem] as unknown as ReturnType<typeof createTrustAnchors>,
      }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
  })

  it('a chain from another root: certificate_untrusted', async () => {
    const result = await verify(await sdJwtVc(chains.foreignChain), anchors(chains.root))
    expect(codes(result)).toEqual(['certificate_untrusted'])
  })

  it('a JWS signed by another key than the leaf: signature_invalid', async () => {
    const other = await generateKeyPair('P-256')
    const key = await loadPrivateKey('P-256', other.pkcs8)
    const signer: Signer = {
      id: 'other',
      algorithm: 'P-256',
      publicJwk: other.publicJwk,
      sign: (data) => key.sign(data),
    }
    const token = await new SdJwtVcSigner(signer).issue(
      { iss: ISSUER, vct: 'https://credentials.example/identity' },
      { kid: false, header: { x5c: x5cOf(chains.good) } },
    )
    expect(codes(await verify(token, anchors(chains.root)))).toEqual(['signature_invalid'])
  })

  it('a bad trust anchor is a caller error', async () => {
    const result = await verify(await sdJwtVc(chains.good), {
      trustAnchors: createTrustAnchors(['not a certificate']),
    })
    expect(codes(result)).toEqual(['invalid_argument'])
  })

  it('x5c that is not an array of base64 certificates: malformed / certificate_invalid', async () => {
    const signer = await signerOf(chains.leaf)
    for (const [x5c, code] of [
      ['MIIB', 'malformed'],
      [[], 'malformed'],
      [['%%%'], 'certificate_invalid'],
      [['AAAA'], 'certificate_invalid'],
    ] as const) {
      const token = await new SdJwtVcSigner(signer).issue(
        { iss: ISSUER, vct: 'https://credentials.example/identity' },
        { kid: false, header: { x5c } },
      )
      expect(codes(await verify(token, anchors(chains.root))), JSON.stringify(x5c)).toEqual([code])
    }
  })
})

describe('x5c: each broken chain is refused with the code of its rule', () => {
  const cases: [string, () => MadeCert[], ErrorCode, VerifyOptions?][] = [
    [
      'expired leaf (valid one day, verified three days later)',
      () => chains.shortLived,
      'certificate_expired',
      { now: Date.now() + 3 * DAY },
    ],
    [
      'not yet valid (verified a day before issue)',
      () => chains.good,
      'certificate_not_yet_valid',
      { now: Date.now() - DAY },
    ],
    [
      'leaf keyUsage without digitalSignature',
      () => chains.leafWrongKeyUsage,
      'certificate_key_usage',
    ],
    ['CA without keyCertSign', () => chains.caWithoutKeyCertSign, 'certificate_key_usage'],
    ['CA:FALSE intermediate', () => chains.intermediateNotCa, 'certificate_not_ca'],
    [
      'pathLenConstraint 0 with an intermediate below',
      () => chains.pathLenExceeded,
      'certificate_path_length',
    ],
    [
      'leaf outside the permitted DNS subtree',
      () => chains.nameConstraintViolated,
      'certificate_name_constraints',
    ],
    ['leaf self-signed', () => chains.selfSignedLeaf, 'certificate_self_signed'],
    [
      'trust anchor included in x5c',
      () => [...chains.good, chains.root],
      'certificate_anchor_included',
    ],
    [
      'wrong order (intermediate first)',
      () => [chains.intermediate, chains.leaf],
      'certificate_chain_order',
    ],
    [
      'unknown critical extension in the leaf',
      () => chains.unknownCriticalExtension,
      'certificate_critical_extension',
    ],
  ]
  for (const [name, chain, code, extra] of cases) {
    it(`${name}: ${code}`, async () => {
      for (const token of [await sdJwtVc(chain()), await jwtVc(chain())]) {
        const result = await verify(token, { ...anchors(chains.root), ...extra })
        expect(result.verified).toBe(false)
        expect(codes(result), JSON.stringify(result.errors)).toEqual([code])
        expect(result.checks.find((check) => !check.passed)?.name).toBe('certificate_chain')
      }
    })
  }

  it('a self-signed leaf that is itself configured as the anchor: certificate_anchor_included', async () => {
    const result = await verify(
      await sdJwtVc(chains.selfSignedLeaf),
      anchors(chains.selfSignedLeaf[0] as MadeCert),
    )
    expect(codes(result)).toEqual(['certificate_anchor_included'])
  })

  it('an intermediate cannot widen its root’s name constraints (pkijs alone would accept this chain)', async () => {
    const { root, chain } = chains.nameConstraintWidened
    const result = await verify(await sdJwtVc(chain), anchors(root))
    expect(codes(result)).toEqual(['certificate_name_constraints'])
  })

  it('an expired trust anchor: certificate_expired', async () => {
    // The root is valid 3650 days; the leaf and intermediate too: verify after all of them.
    const result = await verify(await sdJwtVc(chains.good), {
      ...anchors(chains.root),
      now: Date.now() + 3651 * DAY,
    })
    expect(codes(result)).toEqual(['certificate_expired'])
  })
})

describe('SAN ↔ iss', () => {
  it('an iss the leaf does not name: certificate_san_mismatch', async () => {
    const result = await verify(
      await sdJwtVc(chains.good, 'https://other.example'),
      anchors(chains.root),
    )
    expect(codes(result)).toEqual(['certificate_san_mismatch'])
    expect(result.checks.find((check) => !check.passed)?.name).toBe('issuer_binding')
    const vc = await verify(await jwtVc(chains.good, 'https://other.example'), anchors(chains.root))
    expect(codes(vc)).toEqual(['certificate_san_mismatch'])
  })

  it('an https iss with a path matches the dNSName of its host; a non-https iss needs a URI SAN', async () => {
    const withPath = await verify(
      await sdJwtVc(chains.good, 'https://issuer.example/tenants/7'),
      anchors(chains.root),
    )
    expect(withPath.errors).toEqual([])
    const urn = await verify(
      await sdJwtVc(chains.good, 'urn:example:issuer.example'),
      anchors(chains.root),
    )
    expect(codes(urn)).toEqual(['certificate_san_mismatch'])
    const suffix = await verify(
      await sdJwtVc(chains.good, 'https://evilissuer.example'),
      anchors(chains.root),
    )
    expect(codes(suffix)).toEqual(['certificate_san_mismatch'])
  })

  it('issuerBinding: false skips the SAN rule (as it skips every binding)', async () => {
    const result = await verify(await sdJwtVc(chains.good, 'https://other.example'), {
      ...anchors(chains.root),
      issuerBinding: false,
    })
    expect(result.errors).toEqual([])
  })
})

describe('x5c next to other key references', () => {
  it('with a kid and no anchors, the kid decides and x5c is not used', async () => {
    const { publicJwk, pkcs8 } = await generateKeyPair('P-256')
    const key = await loadPrivateKey('P-256', pkcs8)
    const { didKeyFromJwk } = await import('credsign')
    const did = didKeyFromJwk(publicJwk)
    const signer: Signer = {
      id: `${did}#${did.slice('did:key:'.length)}`,
      algorithm: 'P-256',
      publicJwk,
      sign: (data) => key.sign(data),
    }
    const token = await new SdJwtVcSigner(signer).issue(
      { iss: did, vct: 'https://credentials.example/identity' },
      { header: { x5c: x5cOf(chains.good) } },
    )
    const result = await verify(token)
    expect(result.errors).toEqual([])
    expect(result.checks.some((check) => check.name === 'certificate_chain')).toBe(false)
    // With anchors, x5c decides: the leaf's key did not sign this token.
    expect(codes(await verify(token, anchors(chains.root)))).toEqual(['signature_invalid'])
  })
})
