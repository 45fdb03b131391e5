// VCDM 2.0 section 5.3 (Integrity of Related Resources): relatedResource digests checked at verify
// time (every format, embedded credentials too) and refused at issue time.
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { base58, base64, base64urlnopad, hex } from '@scure/base'
import { describe, expect, it, vi } from 'vitest'
import { BUNDLED_CONTEXT_DOCUMENTS } from '../../src/formats/data-integrity/contexts/index.js'
import { dataIntegrityHandler } from '../../src/formats/data-integrity/handler.js'
import { DataIntegritySigner } from '../../src/formats/data-integrity/signer.js'
import { SdJwtVcSigner } from '../../src/formats/sd-jwt/vc-signer.js'
import { BUNDLED_CONTEXT_DIGESTS } from '../../src/credential/bundled-context-digests.js'
import { envelopeCredential, JwtVcSigner, JwtVpSigner } from '../../src/index.js'
import { verify } from '../../src/service/index.js'
import { rejectionCode } from './di-helpers.js'
import { didOf, didSigner, V2 } from './vc-helpers.js'

// Raw text imports work in every vitest project (Node and Chromium); the files are UTF-8, so the
// text's UTF-8 encoding is the files' bytes.
const RAW = import.meta.glob<string>('../fixtures/vectors/w3c-contexts/**/*', {
  eager: true,
  query: '?raw',
  import: 'default',
})
const fileBytes = (file: string): Uint8Array => {
  const text = RAW[`../fixtures/vectors/w3c-contexts/${file}`]
  if (text === undefined) throw new Error(`fixture ${file} missing`)
  return new TextEncoder().encode(text)
}
const HASH = { sha256, sha384, sha512 }
const digest = (
  algorithm: 'sha256' | 'sha384' | 'sha512',
  bytes: string | Uint8Array,
): Uint8Array =>
  HASH[algorithm](typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes)
const FILES: Record<string, string> = {
  'https://www.w3.org/2018/credentials/v1': 'vc-data-model/contexts/credentials/v1',
  'https://www.w3.org/ns/credentials/v2': 'vc-data-model/contexts/credentials/v2',
  'https://www.w3.org/2018/credentials/examples/v1':
    'vc-data-model/contexts/credentials/examples/v1',
  'https://www.w3.org/ns/credentials/examples/v2': 'vc-data-model/contexts/credentials/examples/v2',
  'https://www.w3.org/ns/credentials/undefined-terms/v2':
    'vc-data-model/contexts/credentials/undefined-terms/v2',
  'https://w3id.org/security/data-integrity/v1': 'vc-data-integrity/contexts/data-integrity/v1',
  'https://w3id.org/security/data-integrity/v2': 'vc-data-integrity/contexts/data-integrity/v2',
  'https://w3id.org/security/multikey/v1': 'vc-data-integrity/contexts/multikey/v1',
  'https://w3id.org/security/jwk/v1': 'vc-data-integrity/contexts/jwk/v1',
  'https://www.w3.org/ns/did/v1': 'did-spec-registries/vocabs/v1/context.jsonld',
  'https://w3id.org/citizenship/v4rc1': 'citizenship-vocab/contexts/citizenship-v4rc1.jsonld',
}
const v2Bytes = fileBytes(FILES[V2] as string)

// w3c/vc-data-model-2.0-test-suite tests/fixtures.js: the digests of the v2 context as served since
// Feb 2025 (the bytes credsign bundles), the July 2024 ones, and the suite's deliberately wrong ones.
const SUITE = {
  digestSRI: 'sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU',
  digestMultibase: 'uWZVc7WaX1h4D8rJVb-vlMIqxaEKEb1tYbX8fet7JJzQ',
  july2024SRI: 'sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg',
  july2024Multibase: 'uJKGMkOmFbVJhEfKTduMC2XCyvRAYLjOVmZWwIH1wQ7k',
  wrongMultibase: 'uM4RgWQc3RUDtjJCSgTJtTfvpZ7SPEg_LNO0ESlovQC0',
  wrongSRI: 'sha384-_rCVIV7fSXXTNIvpiq26jRDyj8JG8TDjij-tD0ewLk4JpnXEz6a5AeeY_1qQ0d0P',
}
const LOGO = 'https://issuer.example/logo.svg'
const LOGO_BYTES = '<svg xmlns="http://www.w3.org/2000/svg"/>'
const sri = (algorithm: 'sha256' | 'sha384' | 'sha512', bytes: string | Uint8Array): string =>
  `${algorithm}-${base64.encode(digest(algorithm, bytes))}`
const multihash = (bytes: string | Uint8Array): string =>
  `z${base58.encode(new Uint8Array([0x12, 0x20, ...digest('sha256', bytes)]))}`

function credential(relatedResource: unknown, issuer?: string): Record<string, unknown> {
  return {
    '@context': [V2],
    type: ['VerifiableCredential'],
    ...(issuer === undefined ? {} : { issuer }),
    credentialSubject: { id: 'did:example:alice' },
    relatedResource,
  }
}

const codes = (result: { errors: { code: string }[] }): string[] => result.errors.map((e) => e.code)

describe('bundled context digests', () => {
  it('are the digests of the files each bundled context was generated from', () => {
    const bundled = new Map(BUNDLED_CONTEXT_DOCUMENTS.map(([url, document]) => [url, document]))
    expect([...BUNDLED_CONTEXT_DIGESTS.keys()].sort()).toEqual(Object.keys(FILES).sort())
    for (const [url, file] of Object.entries(FILES)) {
      const bytes = fileBytes(file)
      expect(JSON.parse(new TextDecoder().decode(bytes)), url).toEqual(bundled.get(url))
      expect(BUNDLED_CONTEXT_DIGESTS.get(url), url).toEqual({
        sha256: hex.encode(sha256(bytes)),
        sha384: hex.encode(sha384(bytes)),
        sha512: hex.encode(sha512(bytes)),
      })
    }
  })

  it('match the digests the VCDM 2.0 test suite publishes for the v2 context', () => {
    expect(sri('sha384', v2Bytes)).toBe(SUITE.digestSRI)
    expect(`u${base64urlnopad.encode(sha256(v2Bytes))}`).toBe(SUITE.digestMultibase)
  })
})

describe('verify(): relatedResource digests', () => {
  it.each([
    ['digestSRI (suite)', { id: V2, digestSRI: SUITE.digestSRI }],
    ['digestMultibase raw sha2-256 (suite)', { id: V2, digestMultibase: SUITE.digestMultibase }],
    ['digestMultibase base58btc multihash', { id: V2, digestMultibase: multihash(v2Bytes) }],
    [
      'with mediaType, in a list',
      [{ id: V2, mediaType: 'application/ld+json', digestSRI: SUITE.digestSRI }],
    ],
    [
      'several SRI expressions',
      { id: V2, digestSRI: [sri('sha256', v2Bytes), sri('sha512', v2Bytes)] },
    ],
  ])('accepts a matching digest of a bundled context: %s', async (_, relatedResource) => {
    const signer = await didSigner()
    const result = await verify(await new JwtVcSigner(signer).sign(credential(relatedResource)))
    expect(result.errors).toEqual([])
    expect(result.checks).toContainEqual(
      expect.objectContaining({ name: 'related_resource', passed: true }),
    )
  })

  it.each([
    ['the July 2024 digestSRI', SUITE.july2024SRI, undefined],
    ['the July 2024 digestMultibase', undefined, SUITE.july2024Multibase],
    ["the suite's wrong digestSRI", SUITE.wrongSRI, undefined],
    ["the suite's wrong digestMultibase", undefined, SUITE.wrongMultibase],
    ['a matching SRI next to a wrong one', [SUITE.digestSRI, sri('sha512', 'other')], undefined],
  ])(
    'refuses %s for the v2 context with related_resource_mismatch',
    async (_, digestSRI, digestMultibase) => {
      // Signed with a bundled-context mismatch the signer refuses, so the payload is signed by hand through
      // a document map that the signer sees instead: the verifier has only the bundled bytes.
      const signer = await didSigner()
      const entry = {
        id: V2,
        ...(digestSRI === undefined ? {} : { digestSRI }),
        ...(digestMultibase === undefined ? {} : { digestMultibase }),
      }
      const jwt = await signUnchecked(signer, credential(entry))
      const result = await verify(jwt)
      expect(result.verified).toBe(false)
      expect(codes(result)).toEqual(['related_resource_mismatch'])
      expect(result.errors[0]?.path).toBe('relatedResource')
    },
  )

  it('reports a resource it cannot dereference as a related_resource_unchecked check, not an error', async () => {
    const signer = await didSigner()
    const jwt = await new JwtVcSigner(signer).sign(
      credential([{ id: LOGO, digestSRI: sri('sha384', 'anything') }]),
    )
    const result = await verify(jwt)
    expect(result.verified).toBe(true)
    expect(result.checks).toContainEqual({
      name: 'related_resource_unchecked',
      passed: false,
      detail: expect.stringContaining(LOGO),
    })
    const strict = await verify(jwt, { relatedResources: { required: true } })
    expect(codes(strict)).toEqual(['related_resource_unchecked'])
  })

  it('checks caller documents and loaded resources, bytes or text, and passes the mediaType to load', async () => {
    const signer = await didSigner()
    const jwt = await new JwtVcSigner(signer).sign(
      credential([{ id: LOGO, mediaType: 'image/svg+xml', digestSRI: sri('sha384', LOGO_BYTES) }]),
    )
    expect(
      (await verify(jwt, { relatedResources: { documents: { [LOGO]: LOGO_BYTES } } })).verified,
    ).toBe(true)
    expect(
      (
        await verify(jwt, {
          relatedResources: { documents: { [LOGO]: new TextEncoder().encode(LOGO_BYTES) } },
        })
      ).verified,
    ).toBe(true)
    const tampered = await verify(jwt, {
      relatedResources: { documents: { [LOGO]: `${LOGO_BYTES} ` } },
    })
    expect(codes(tampered)).toEqual(['related_resource_mismatch'])
    const load = vi.fn(async () => LOGO_BYTES)
    expect((await verify(jwt, { relatedResources: { load } })).verified).toBe(true)
    expect(load).toHaveBeenCalledWith(LOGO, { mediaType: 'image/svg+xml' })
    const swapped = await verify(jwt, { relatedResources: { load: async () => '<svg/>' } })
    expect(codes(swapped)).toEqual(['related_resource_mismatch'])
    const failing = await verify(jwt, {
      relatedResources: { load: async () => Promise.reject(new Error('offline')) },
    })
    expect(failing.verified).toBe(true)
    expect(failing.checks.map((c) => c.name)).toContain('related_resource_unchecked')
  })

  it('loads nothing for a document whose signature does not verify', async () => {
    const signer = await didSigner()
    const jwt = await new JwtVcSigner(signer).sign(
      credential([{ id: LOGO, digestSRI: sri('sha384', LOGO_BYTES) }]),
    )
    const forged = `${jwt.slice(0, -4)}${jwt.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
    const load = vi.fn(async () => LOGO_BYTES)
    const result = await verify(forged, { relatedResources: { load } })
    expect(codes(result)).toEqual(['signature_invalid'])
    expect(load).not.toHaveBeenCalled()
  })

  it('skips digests of hashes or encodings it does not know, and fails a known digest that does not decode', async () => {
    const signer = await didSigner()
    const unknown = await verify(
      await new JwtVcSigner(signer).sign(credential({ id: V2, digestMultibase: 'kABCDEF' })),
    )
    expect(unknown.verified).toBe(true)
    expect(unknown.checks.map((c) => c.name)).toContain('related_resource_unchecked')
    const truncated = await verify(
      await signUnchecked(signer, credential({ id: V2, digestSRI: 'sha384-AAAA' })),
    )
    expect(codes(truncated)).toEqual(['related_resource_mismatch'])
  })

  it('checks SD-JWT and Data Integrity credentials the same way', async () => {
    const signer = await didSigner()
    const entry = [{ id: LOGO, digestMultibase: multihash(LOGO_BYTES) }]
    const sdJwt = await new SdJwtVcSigner(signer).signCredential(credential(entry))
    expect(
      (await verify(sdJwt, { relatedResources: { documents: { [LOGO]: LOGO_BYTES } } })).verified,
    ).toBe(true)
    expect(
      codes(await verify(sdJwt, { relatedResources: { documents: { [LOGO]: 'other' } } })),
    ).toEqual(['related_resource_mismatch'])

    const secured = await new DataIntegritySigner(signer, { cryptosuite: 'eddsa-jcs-2022' }).sign(
      credential(entry),
    )
    const handlers = [dataIntegrityHandler()]
    expect(
      (await verify(secured, { handlers, relatedResources: { documents: { [LOGO]: LOGO_BYTES } } }))
        .verified,
    ).toBe(true)
    expect(
      codes(
        await verify(secured, { handlers, relatedResources: { documents: { [LOGO]: 'other' } } }),
      ),
    ).toEqual(['related_resource_mismatch'])
  })

  it('checks the credentials inside a presentation', async () => {
    const signer = await didSigner()
    const vc = await new JwtVcSigner(signer).sign(
      credential([{ id: LOGO, digestSRI: sri('sha384', LOGO_BYTES) }]),
    )
    const vp = await new JwtVpSigner(signer).sign({
      '@context': [V2],
      type: ['VerifiablePresentation'],
      holder: didOf(signer),
      verifiableCredential: [envelopeCredential(vc)],
    })
    expect(
      (await verify(vp, { relatedResources: { documents: { [LOGO]: LOGO_BYTES } } })).verified,
    ).toBe(true)
    const result = await verify(vp, { relatedResources: { documents: { [LOGO]: 'other' } } })
    expect(codes(result)).toEqual(['embedded_credential_invalid'])
    expect(result.credentials?.[0]?.errors.map((e) => e.code)).toEqual([
      'related_resource_mismatch',
    ])
  })

  it.each([
    [null],
    [[]],
    [{ documents: { [LOGO]: 42 } }],
    [{ load: 'fetch' }],
    [{ required: 'yes' }],
  ])('throws invalid_argument for relatedResources %j', async (relatedResources) => {
    await expect(
      verify('x', { relatedResources: relatedResources as never }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
  })
})

describe('signers refuse a relatedResource digest that does not match a bundled context', () => {
  const wrong = credential({ id: V2, digestSRI: SUITE.july2024SRI })

  it('JwtVcSigner, SdJwtVcSigner and DataIntegritySigner', async () => {
    const signer = await didSigner()
    expect(await rejectionCode(new JwtVcSigner(signer).sign(wrong))).toBe(
      'related_resource_mismatch',
    )
    expect(await rejectionCode(new SdJwtVcSigner(signer).signCredential(wrong))).toBe(
      'related_resource_mismatch',
    )
    expect(
      await rejectionCode(
        new DataIntegritySigner(signer, { cryptosuite: 'eddsa-jcs-2022' }).sign(wrong),
      ),
    ).toBe('related_resource_mismatch')
  })

  it('sign a matching digest, and a resource they cannot dereference as stated', async () => {
    const signer = await didSigner()
    await expect(
      new JwtVcSigner(signer).sign(credential({ id: V2, digestSRI: SUITE.digestSRI })),
    ).resolves.toMatch(/^ey/)
    await expect(
      new JwtVcSigner(signer).sign(credential({ id: LOGO, digestSRI: sri('sha384', 'x') })),
    ).resolves.toMatch(/^ey/)
  })
})

/** A vc+jwt signed without the signer's relatedResource check, to test the verifier alone. */
async function signUnchecked(
  signer: Awaited<ReturnType<typeof didSigner>>,
  document: Record<string, unknown>,
): Promise<string> {
  const { signJwt } = await import('../../src/jose/index.js')
  const issuer = didOf(signer)
  return signJwt(signer, { ...document, issuer, iss: issuer }, { typ: 'vc+jwt' })
}
