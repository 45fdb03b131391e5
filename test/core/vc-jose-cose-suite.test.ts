/// <reference types="vite/client" />
// The W3C VC-JOSE-COSE test suite inputs (conformance.md section 1.3): the JOSE cases, replayed
// through verify() and the signers. The suite's keys are JsonWebKey verification methods whose
// `kid` is the JWK thumbprint and whose controller is https://example.issuer/vc-jose-cose, so a
// staticResolver over their public keys, configured with that controller, binds every token to
// its issuer. Its tokens were made in 2024 and some carry an `exp` from then: they are replayed
// at their own `iat` (a fixed clock), which is the suite's claim policy.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  importPrivateKey,
  loadPrivateKey,
  staticResolver,
  type KeyAlgorithm,
  type KeyResolver,
  type PrivateJwk,
  type Signer,
} from '../../src/index.js'
import { b64u, fromB64u, utf8 } from '../../src/util/bytes.js'
import { JwtVcSigner, JwtVpSigner, decodeJwtCredential } from '../../src/index.js'
import type { FormatHandler } from '../../src/verify/types.js'
import tokens from '../fixtures/vectors/jose-cose/tokens.json' with { type: 'json' }
import credentialMinimal from '../fixtures/vectors/jose-cose/credential-minimal.json' with { type: 'json' }
import credentialFull from '../fixtures/vectors/jose-cose/credential-full.json' with { type: 'json' }
import credentialUnknownExtensions from '../fixtures/vectors/jose-cose/credential-unknown-extensions.json' with { type: 'json' }
import presentationSingle from '../fixtures/vectors/jose-cose/presentation-single.json' with { type: 'json' }
import presentationMultiple from '../fixtures/vectors/jose-cose/presentation-multiple.json' with { type: 'json' }
import vmEd25519 from '../fixtures/vectors/w3c-vc-jose-cose-test-suite/vm-ed25519.json' with { type: 'json' }
import vmP256 from '../fixtures/vectors/w3c-vc-jose-cose-test-suite/vm-p256.json' with { type: 'json' }
import vmP384 from '../fixtures/vectors/w3c-vc-jose-cose-test-suite/vm-p384.json' with { type: 'json' }
import vmP521 from '../fixtures/vectors/w3c-vc-jose-cose-test-suite/vm-p521.json' with { type: 'json' }
import { codes, decode, expectVerified, verifyVc } from './vc-helpers.js'

/** The suite's SD-JWT inputs (`*sdjwt*.txt`, copied unchanged), as text. */
const SDJWT_INPUTS = import.meta.glob(
  '../fixtures/vectors/w3c-vc-jose-cose-test-suite/*sdjwt*.txt',
  { eager: true, query: '?raw', import: 'default' },
) as Record<string, string>
import { expectCode } from './keys-helpers.js'

const ISSUER = 'https://example.issuer/vc-jose-cose'
type Vm = {
  id: string
  controller: string
  publicKeyJwk: Record<string, unknown>
  secretKeyJwk: Record<string, unknown>
}
const VMS = [vmEd25519, vmP256, vmP384, vmP521] as Vm[]
const token = (name: keyof typeof tokens): string => tokens[name]

/** The resolver of the suite's keys (Ed25519, P-256, P-384 and P-521). */
const resolver: KeyResolver = staticResolver({ keys: VMS.map((vm) => vm.publicKeyJwk) } as never, {
  controller: ISSUER,
})

/** The suite's clock for a token: its own numeric iat, else a time after every validFrom. */
function clockOf(jwt: string): number {
  const iat = decode(jwt).payload.iat
  return typeof iat === 'number' ? iat * 1000 : Date.UTC(2025, 0, 1)
}

const verifySuite = (jwt: string, extra: Record<string, unknown> = {}) =>
  verifyVc(jwt, { resolver, now: clockOf(jwt), ...extra })

async function signerOf(vm: Vm, algorithm: KeyAlgorithm): Promise<Signer> {
  const material = await importPrivateKey({ jwk: vm.secretKeyJwk as unknown as PrivateJwk })
  const key = await loadPrivateKey(algorithm, material.pkcs8)
  material.pkcs8.fill(0)
  return { id: vm.id, algorithm, publicJwk: material.publicJwk, sign: (data) => key.sign(data) }
}

describe('VC-JOSE-COSE suite: verify (cases 6 to 16)', () => {
  it('case 6: credential-jose-minimal.txt (ES256, string iat) verifies', async () => {
    const result = await verifySuite(token('credential-jose-minimal.txt'))
    expectVerified(result)
    expect(result.format).toBe('vc+jwt')
    expect(result.issuer).toBe(ISSUER)
    expect(result.key).toEqual({ id: vmP256.publicKeyJwk.kid, controller: ISSUER })
    expect(result.header).toEqual({
      alg: 'ES256',
      cty: 'vc',
      kid: vmP256.publicKeyJwk.kid,
      typ: 'vc+jwt',
    })
  })

  it('case 8: credential-issuer-match-signed.txt (EdDSA) verifies', async () => {
    const result = await verifySuite(token('credential-issuer-match-signed.txt'))
    expectVerified(result)
    expect(result.key?.id).toBe(vmEd25519.publicKeyJwk.kid)
  })

  it('case 8: re-signing its signing input with vm-ed25519.json gives the same signature, byte for byte', async () => {
    const jwt = token('credential-issuer-match-signed.txt')
    const [header, payload, signature] = jwt.split('.') as [string, string, string]
    const signer = await signerOf(vmEd25519 as Vm, 'Ed25519')
    expect(b64u(await signer.sign(utf8(`${header}.${payload}`)))).toBe(signature)
  })

  describe('case 7: presentation-jose-multiple.txt (ES384, three enveloped credentials)', () => {
    const vp = () => token('presentation-jose-multiple.txt')

    it('the presentation verifies; its embedded vc+jwt and vc+sd-jwt verify; COSE is unsupported', async () => {
      const result = await verifySuite(vp())
      expect(result.format).toBe('vp+jwt')
      expect(result.issuer).toBe(ISSUER)
      expect(result.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(['credentials'])
      expect(result.errors.map((e) => [e.code, e.path])).toEqual([
        ['embedded_credential_invalid', 'verifiableCredential[2]'],
      ])
      const [jwt, sdJwt, cose] = result.credentials ?? []
      expect(jwt?.verified).toBe(true)
      expect(jwt?.format).toBe('vc+jwt')
      expect(jwt?.issuer).toBe(ISSUER)
      // The SD-JWT handler is built in now: the vc+sd-jwt credential (ES384, string iat) verifies.
      expect(sdJwt?.errors).toEqual([])
      expect(sdJwt).toMatchObject({
        verified: true,
        format: 'sd-jwt',
        issuer: ISSUER,
        key: { id: vmP384.publicKeyJwk.kid, controller: ISSUER },
      })
      expect(sdJwt?.credential).toMatchObject({
        credentialSubject: { firstName: 'Jane', lastName: 'Doe' },
      })
      expect(sdJwt?.disclosed).toEqual([
        'credentialSubject.firstName',
        'credentialSubject.lastName',
      ])
      expect(codes(cose as never)).toEqual(['unsupported_format'])
      expect(cose?.errors[0]?.message).toMatch(/application\/vc\+cose/)
    })

    it('a handler passed in options comes after the built-in ones: it cannot take over SD-JWT', async () => {
      const stub: FormatHandler = {
        name: 'sd-jwt-stub',
        detect: (input) => typeof input === 'string' && input.includes('~'),
        verify: async () => ({
          verified: false,
          format: 'sd-jwt',
          checks: [],
          errors: [{ code: 'malformed', message: 'stub' }],
        }),
      }
      const result = await verifySuite(vp(), { handlers: [stub] })
      expect(result.errors.map((e) => e.path)).toEqual(['verifiableCredential[2]'])
    })

    it('the presentation alone verifies (verifyEmbedded: false)', async () => {
      expectVerified(await verifySuite(vp(), { verifyEmbedded: false }))
    })

    it("its exp (December 2024) is enforced at today's date, and skipped with checkValidity: false", async () => {
      const today = await verifyVc(vp(), { resolver, verifyEmbedded: false })
      expect(codes(today)).toEqual(['expired'])
      expectVerified(
        await verifyVc(vp(), { resolver, verifyEmbedded: false, checkValidity: false }),
      )
    })
  })

  it('case 9: credential-jose-unknown-extensions.txt (ES512, P-521) verifies', async () => {
    const result = await verifySuite(token('credential-jose-unknown-extensions.txt'))
    expectVerified(result)
    expect(result.header).toMatchObject({ alg: 'ES512', kid: vmP521.publicKeyJwk.kid })
  })

  it('cases 10 and 11: unsigned credential and presentation JSON fail: unsupported_format', async () => {
    for (const document of [credentialMinimal, presentationSingle]) {
      const result = await verifyVc(document, { resolver })
      expect(codes(result)).toEqual(['unsupported_format'])
      expect(await verifyVc(JSON.stringify(document), { resolver })).toMatchObject({
        verified: false,
        errors: [{ code: 'unsupported_format' }],
      })
    }
  })

  it('case 12: credential-jose-bad-signature.txt fails: signature_invalid', async () => {
    expect(codes(await verifySuite(token('credential-jose-bad-signature.txt')))).toEqual([
      'signature_invalid',
    ])
  })

  it('case 13: credential-jose-bad-media-type.txt (typ bad+typ) fails: typ_mismatch', async () => {
    const result = await verifySuite(token('credential-jose-bad-media-type.txt'))
    expect(result.format).toBe('vc+jwt')
    expect(codes(result)).toEqual(['typ_mismatch'])
  })

  it('case 14: presentation-jose-bad-media-type.txt fails: typ_mismatch (and its broken embedded credential)', async () => {
    const result = await verifySuite(token('presentation-jose-bad-media-type.txt'))
    expect(result.format).toBe('vp+jwt')
    expect(codes(result)).toEqual(['typ_mismatch', 'embedded_credential_invalid'])
    expect(
      codes(
        await verifySuite(token('presentation-jose-bad-media-type.txt'), { verifyEmbedded: false }),
      ),
    ).toEqual(['typ_mismatch'])
  })

  it('case 15: credential-jose-vc-vp-claims.txt fails: credential_invalid at vc and vp', async () => {
    const result = await verifySuite(token('credential-jose-vc-vp-claims.txt'))
    expect(result.errors.map((e) => [e.code, e.path])).toEqual([
      ['credential_invalid', 'vc'],
      ['credential_invalid', 'vp'],
    ])
  })

  it('case 16: presentation-jose-bad-credential.txt (envelope id not a data: URL) fails: embedded_credential_invalid', async () => {
    const result = await verifySuite(token('presentation-jose-bad-credential.txt'))
    expect(result.errors.map((e) => [e.code, e.path])).toEqual([
      ['embedded_credential_invalid', 'verifiableCredential[0]'],
    ])
    expect(codes(result.credentials?.[0] as never)).toEqual(['malformed'])
  })

  it('every token decodes without verification', () => {
    for (const [name, jwt] of Object.entries(tokens)) {
      const decoded = decodeJwtCredential(jwt)
      expect(decoded.format, name).toBe(name.startsWith('presentation') ? 'vp+jwt' : 'vc+jwt')
      expect(decoded.issuer, name).toBe(ISSUER)
    }
  })
})

describe('VC-JOSE-COSE suite: verify SD-JWT (cases 20 to 26)', () => {
  const sdjwt = (name: string): string =>
    (SDJWT_INPUTS[`../fixtures/vectors/w3c-vc-jose-cose-test-suite/${name}`] as string).trim()
  const verifySd = (name: string, extra: Record<string, unknown> = {}) =>
    verifyVc(sdjwt(name), { resolver, now: Date.UTC(2025, 0, 1), ...extra })

  it('case 20: credential-sdjwt-selective.txt (ES384, vc+sd-jwt) verifies', async () => {
    const result = await verifySd('credential-sdjwt-selective.txt')
    expectVerified(result)
    expect(result).toMatchObject({
      format: 'sd-jwt',
      issuer: ISSUER,
      credential: {
        credentialSubject: { firstName: 'Jane', lastName: 'Doe', birthDate: '1990-01-01' },
      },
    })
  })

  it('case 21: credential-sdjwt-nested.txt (ES512, P-521) verifies', async () => {
    expectVerified(await verifySd('credential-sdjwt-nested.txt'))
  })

  it('case 22: presentation-sdjwt-selective.txt (vp+sd-jwt: holder and type disclosed) verifies, with its embedded vc+jwt', async () => {
    const result = await verifySd('presentation-sdjwt-selective.txt')
    expectVerified(result)
    expect(result).toMatchObject({
      format: 'sd-jwt',
      issuer: ISSUER,
      presentation: { holder: ISSUER, type: 'VerifiablePresentation' },
    })
    expect(result.credentials?.[0]).toMatchObject({ verified: true, format: 'vc+jwt' })
  })

  it('case 23: credential-sdjwt-bad-signature.txt fails: signature_invalid', async () => {
    expect(codes(await verifySd('credential-sdjwt-bad-signature.txt'))).toEqual([
      'signature_invalid',
    ])
  })

  it('case 24: credential-sdjwt-bad-media-type.txt (typ bad+typ) fails: typ_mismatch', async () => {
    const result = await verifySd('credential-sdjwt-bad-media-type.txt')
    expect(result.format).toBe('sd-jwt')
    expect(codes(result)).toEqual(['typ_mismatch'])
    expect(result.credential).toMatchObject({ issuer: ISSUER }) // its issuer is a disclosed claim
  })

  it('case 25: presentation-sdjwt-bad-media-type.txt fails: typ_mismatch (and its broken embedded credential, as in case 14)', async () => {
    const result = await verifySd('presentation-sdjwt-bad-media-type.txt')
    expect(codes(result)).toEqual(['typ_mismatch', 'embedded_credential_invalid'])
    expect(
      codes(await verifySd('presentation-sdjwt-bad-media-type.txt', { verifyEmbedded: false })),
    ).toEqual(['typ_mismatch'])
  })

  it('case 26: presentation-sdjwt-bad-credential.txt fails (bad typ, and its broken embedded credential)', async () => {
    // ES512 verifies now: what fails is the media type and the embedded credential, as the suite intends.
    expect(codes(await verifySd('presentation-sdjwt-bad-credential.txt'))).toEqual([
      'typ_mismatch',
      'embedded_credential_invalid',
    ])
  })
})

describe('VC-JOSE-COSE suite: issue (cases 1 to 5)', () => {
  let p256: Signer
  let p384: Signer
  beforeAll(async () => {
    p256 = await signerOf(vmP256 as Vm, 'P-256')
    p384 = await signerOf(vmP384 as Vm, 'P-384')
  })

  it('cases 1 and 2: credential-minimal.json (P-256) and credential-full.json (P-384)', async () => {
    for (const [signer, credential, kid] of [
      [p256, credentialMinimal, vmP256.publicKeyJwk.kid],
      [p384, credentialFull, vmP384.publicKeyJwk.kid],
    ] as const) {
      const jwt = await new JwtVcSigner(signer, { kid }).sign(credential)
      const { header, payload } = decode(jwt)
      expect(header).toMatchObject({ kid, typ: 'vc+jwt', cty: 'vc' })
      expect(payload).toMatchObject({ ...credential, iss: ISSUER })
      expectVerified(await verifyVc(jwt, { resolver }))
    }
  })

  it("case 3: presentation-single.json (P-256); its embedded credential is the suite's broken one", async () => {
    const jwt = await new JwtVpSigner(p256, { kid: vmP256.publicKeyJwk.kid }).sign(
      presentationSingle,
    )
    expect(decode(jwt).header.typ).toBe('vp+jwt')
    expectVerified(await verifyVc(jwt, { resolver, verifyEmbedded: false }))
    expect(codes(await verifyVc(jwt, { resolver }))).toEqual(['embedded_credential_invalid'])
  })

  it('case 4: presentation-multiple.json (P-521, ES512)', async () => {
    // The suite's P-521 key is a P-521 key, nothing else.
    await expectCode(() => signerOf(vmP521 as Vm, 'P-256'), 'invalid_key')
    const p521 = await signerOf(vmP521 as Vm, 'P-521')
    const jwt = await new JwtVpSigner(p521, { kid: vmP521.publicKeyJwk.kid }).sign(
      presentationMultiple,
    )
    expect(decode(jwt).header).toMatchObject({ alg: 'ES512', typ: 'vp+jwt' })
    expectVerified(await verifyVc(jwt, { resolver, verifyEmbedded: false }))
  })

  it('case 5: credential-unknown-extensions.json is refused (strict by default for VCDM 2.0)', async () => {
    await expectCode(
      () => new JwtVcSigner(p256).sign(credentialUnknownExtensions),
      'credential_invalid',
    )
  })
})

describe('the suite keys', () => {
  it('decode to their thumbprint kids', async () => {
    for (const vm of [vmEd25519, vmP256, vmP384] as Vm[]) {
      expect(fromB64u(vm.publicKeyJwk.kid as string).length).toBe(32)
      expect((await resolver.resolveKey(vm.publicKeyJwk.kid as string)).controller).toBe(ISSUER)
    }
  })
})

// The suite's tokens as the VCDM 2.0 envelopes a presentation or a VC-API verify route carries them
// (VCDM 2.0 section 4.13): what RFC 2397 allows of the data: URL verifies (media type case,
// `;base64`, percent-encoding, a parameter); a label that is not the token's kind, or content that
// is not the compact token the label registers (the .txt file's trailing newline kept), does not.
describe('VC-JOSE-COSE suite tokens in envelopes', () => {
  const sdjwt = (name: string): string =>
    (SDJWT_INPUTS[`../fixtures/vectors/w3c-vc-jose-cose-test-suite/${name}`] as string).trim()
  const V2 = 'https://www.w3.org/ns/credentials/v2'
  const envelope = (type: string, id: string) => ({ '@context': V2, type, id })
  const jose = token('credential-jose-minimal.txt')
  const at = { resolver, now: clockOf(jose) }
  const sdAt = { resolver, now: Date.UTC(2025, 0, 1) }

  it('verifies a vc+jwt and a vc+sd-jwt under every spelling RFC 2397 allows', async () => {
    const spellings = (mediaType: string, text: string): string[] => [
      `data:${mediaType},${text}`,
      `DATA:${mediaType.toUpperCase()},${text}`,
      `data:${mediaType};base64,${btoa(text)}`,
      `data:${mediaType};charset=utf-8,${text.replace(/\./g, '%2E')}`,
    ]
    for (const id of spellings('application/vc+jwt', jose))
      expectVerified(await verifyVc(envelope('EnvelopedVerifiableCredential', id), at))
    const sd = sdjwt('credential-sdjwt-selective.txt')
    for (const id of spellings('application/vc+sd-jwt', sd))
      expectVerified(await verifyVc(envelope('EnvelopedVerifiableCredential', id), sdAt))
  })

  it('refuses each under a label of another kind, and with the file newline kept', async () => {
    const sd = sdjwt('credential-sdjwt-selective.txt')
    const vpSd = sdjwt('presentation-sdjwt-selective.txt')
    const refused: [string, Record<string, unknown>, Record<string, unknown>][] = [
      [
        'vc+jwt as vc+sd-jwt',
        envelope('EnvelopedVerifiableCredential', `data:application/vc+sd-jwt,${jose}`),
        at,
      ],
      [
        'vc+jwt as vp+jwt',
        envelope('EnvelopedVerifiablePresentation', `data:application/vp+jwt,${jose}`),
        at,
      ],
      [
        'vc+sd-jwt as vc+jwt',
        envelope('EnvelopedVerifiableCredential', `data:application/vc+jwt,${sd}`),
        sdAt,
      ],
      [
        'vc+sd-jwt as dc+sd-jwt',
        envelope('EnvelopedVerifiableCredential', `data:application/dc+sd-jwt,${sd}`),
        sdAt,
      ],
      [
        'vp+sd-jwt as vc+sd-jwt',
        envelope('EnvelopedVerifiableCredential', `data:application/vc+sd-jwt,${vpSd}`),
        sdAt,
      ],
      [
        'vc+jwt with a newline',
        envelope('EnvelopedVerifiableCredential', `data:application/vc+jwt,${jose}%0A`),
        at,
      ],
      [
        'vc+sd-jwt with a newline',
        envelope('EnvelopedVerifiableCredential', `data:application/vc+sd-jwt,${sd}%0A`),
        sdAt,
      ],
    ]
    for (const [name, input, options] of refused) {
      const result = await verifyVc(input, options)
      expect(result.verified, name).toBe(false)
      expect(codes(result), name).toEqual([
        expect.stringMatching(/^(credential_invalid|malformed)$/),
      ])
    }
  })
})
