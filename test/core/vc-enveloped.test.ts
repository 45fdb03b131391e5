import { describe, expect, it } from 'vitest'
import { issueSdJwt } from '../../src/formats/sd-jwt/issue.js'
import { presentSdJwt } from '../../src/formats/sd-jwt/present.js'
import {
  envelopeCredential,
  envelopePresentation,
  JwtVcSigner,
  JwtVpSigner,
  parseEnvelopedCredential,
} from '../../src/index.js'
import { verify } from '../../src/service/index.js'
import { didOf, didSigner, V2 } from './vc-helpers.js'

const JWT = 'eyJhbGciOiJFUzI1NiIsInR5cCI6InZjK2p3dCJ9.eyJpc3MiOiJ4In0.c2ln'

describe('envelopeCredential', () => {
  it('wraps a JWT as a VCDM 2.0 EnvelopedVerifiableCredential', () => {
    expect(envelopeCredential(JWT)).toEqual({
      '@context': V2,
      id: `data:application/vc+jwt,${JWT}`,
      type: 'EnvelopedVerifiableCredential',
    })
  })

  it('keeps SD-JWT characters and percent-encodes what RFC 2397 needs', () => {
    expect(envelopeCredential(`${JWT}~WyJhIl0~`, 'application/vc+sd-jwt').id).toBe(
      `data:application/vc+sd-jwt,${JWT}~WyJhIl0~`,
    )
    expect(envelopeCredential('a b,c', 'text/plain').id).toBe('data:text/plain,a%20b%2Cc')
  })

  it('writes bytes as base64', () => {
    expect(envelopeCredential(new Uint8Array([0xd2, 0x84, 0x43]), 'application/vc+cose').id).toBe(
      'data:application/vc+cose;base64,0oRD',
    )
  })

  it.each([[''], [new Uint8Array()], [42 as never]])(
    'refuses an empty or non-text credential %#',
    (value) => {
      expect(() => envelopeCredential(value)).toThrow(
        expect.objectContaining({ code: 'invalid_argument' }),
      )
    },
  )

  it('refuses a malformed media type', () => {
    expect(() => envelopeCredential(JWT, 'vc+jwt')).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    expect(() => envelopeCredential(JWT, 'application/vc+jwt,x')).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })
})

describe('parseEnvelopedCredential', () => {
  it('round-trips text and bytes', () => {
    expect(parseEnvelopedCredential(envelopeCredential(JWT))).toEqual({
      mediaType: 'application/vc+jwt',
      parameters: {},
      base64: false,
      bytes: new TextEncoder().encode(JWT),
      text: JWT,
    })
    const bytes = new Uint8Array([0xd2, 0x84, 0x43, 0xa1])
    const parsed = parseEnvelopedCredential(envelopeCredential(bytes, 'application/vc+cose'))
    expect(parsed).toMatchObject({ mediaType: 'application/vc+cose', base64: true, bytes })
    expect(parsed.text).toBeUndefined()
  })

  it('accepts the URL itself, parameters, case, missing padding and line breaks', () => {
    expect(parseEnvelopedCredential(`DATA:Application/VC+JWT;charset=utf-8,${JWT}`)).toMatchObject({
      mediaType: 'application/vc+jwt',
      parameters: { charset: 'utf-8' },
      text: JWT,
    })
    expect(parseEnvelopedCredential('data:application/vc+cose;base64,0oRD\n0oQ')).toMatchObject({
      bytes: new Uint8Array([0xd2, 0x84, 0x43, 0xd2, 0x84]),
    })
    // The VCDM 2.0 test suite's legacy form: `;base64url` is a parameter, the data is the JWT itself.
    expect(parseEnvelopedCredential(`data:application/vc-ld+jwt;base64url,${JWT}`)).toMatchObject({
      mediaType: 'application/vc-ld+jwt',
      parameters: { base64url: '' },
      base64: false,
      text: JWT,
    })
  })

  it.each<[string, unknown]>([
    ['not enveloped', { type: 'VerifiableCredential', id: `data:application/vc+jwt,${JWT}` }],
    ['no id', { type: 'EnvelopedVerifiableCredential' }],
    ['not a data: URL', { type: 'EnvelopedVerifiableCredential', id: 'not-a-credential' }],
    ['no comma', 'data:application/vc+jwt'],
    ['no media type', `data:,${JWT}`],
    ['bad base64', 'data:application/vc+cose;base64,***'],
    ['bad percent-encoding', 'data:text/plain,%E0%A4%A'],
    ['a number', 42],
  ])('refuses %s with malformed', (_name, value) => {
    expect(() => parseEnvelopedCredential(value)).toThrow(
      expect.objectContaining({ code: 'malformed' }),
    )
  })
})

const EXAMPLES_V2 = 'https://www.w3.org/ns/credentials/examples/v2'
const codes = (result: { errors: { code: string }[] }): string[] => result.errors.map((e) => e.code)

async function signedCredential(): Promise<string> {
  const issuer = await didSigner()
  return new JwtVcSigner(issuer).sign({
    '@context': [V2],
    type: ['VerifiableCredential'],
    credentialSubject: { id: 'did:example:alice' },
  })
}

// VCDM 2.0 section 4.13.1 and the W3C VCDM 2.0 suite (tests/4.13.2-envelopes.js): the negative
// fixtures of "The @context property … MUST be present …", "The id value … MUST be a data: URL …" and
// "The type value … MUST be EnvelopedVerifiableCredential".
const WRAPPER_CASES: [string, (envelope: Record<string, unknown>) => Record<string, unknown>][] = [
  ['@context missing', ({ '@context': _, ...rest }) => rest],
  ['@context empty', (envelope) => ({ ...envelope, '@context': [] })],
  ['@context only the examples context', (envelope) => ({ ...envelope, '@context': EXAMPLES_V2 })],
  [
    '@context examples context first',
    (envelope) => ({ ...envelope, '@context': [EXAMPLES_V2, V2] }),
  ],
]

describe('EnvelopedVerifiableCredential wrapper', () => {
  it('verifies on its own (as the VC-API verify route receives it): the inner credential result with an envelope check', async () => {
    const result = await verify(envelopeCredential(await signedCredential()))
    expect(result.errors).toEqual([])
    expect(result.format).toBe('vc+jwt')
    expect(result.checks[0]).toEqual({
      name: 'envelope',
      passed: true,
      detail: 'EnvelopedVerifiableCredential (application/vc+jwt)',
    })
  })

  it.each(WRAPPER_CASES)(
    'is refused with credential_invalid on its own and in a presentation: %s',
    async (_, change) => {
      const vc = await signedCredential()
      const envelope = change(envelopeCredential(vc))
      const alone = await verify(envelope)
      expect(codes(alone)).toEqual(['credential_invalid'])
      expect(alone.errors[0]?.path).toMatch(/^@context/)

      const holder = await didSigner()
      // The signer refuses such a presentation (data model); a hand-made one is refused by the verifier.
      await expect(
        new JwtVpSigner(holder).sign({
          '@context': [V2],
          type: ['VerifiablePresentation'],
          verifiableCredential: [envelope],
        }),
      ).rejects.toMatchObject({ code: 'credential_invalid' })
      const { signJwt } = await import('../../src/jose/index.js')
      const handMade = await signJwt(
        holder,
        {
          '@context': [V2],
          type: ['VerifiablePresentation'],
          holder: didOf(holder),
          iss: didOf(holder),
          verifiableCredential: [envelope],
        },
        { typ: 'vp+jwt' },
      )
      const inPresentation = await verify(handMade)
      expect(codes(inPresentation)).toEqual(['embedded_credential_invalid'])
      expect(codes(inPresentation.credentials?.[0] as never)).toEqual(['credential_invalid'])
    },
  )

  it.each<[string, (envelope: Record<string, unknown>) => Record<string, unknown>, string]>([
    [
      'id without its data: URL part',
      (envelope) => ({ ...envelope, id: (envelope.id as string).split(',').pop() }),
      'malformed',
    ],
    ['type missing', ({ type: _, ...rest }) => rest, 'credential_invalid'],
    [
      'type VerifiableCredential',
      (envelope) => ({ ...envelope, type: 'VerifiableCredential' }),
      'credential_invalid',
    ],
  ])('is refused on its own: %s', async (_, change, code) => {
    expect(codes(await verify(change(envelopeCredential(await signedCredential()))))).toEqual([
      code,
    ])
  })

  it('refuses a presentation inside an EnvelopedVerifiableCredential', async () => {
    const holder = await didSigner()
    const vp = await new JwtVpSigner(holder).sign({
      '@context': [V2],
      type: ['VerifiablePresentation'],
    })
    const result = await verify(envelopeCredential(vp))
    expect(codes(result)).toEqual(['credential_invalid'])
    expect(result.errors[0]?.message).toMatch(/holds a vp\+jwt presentation/)
  })

  it('refuses COSE with unsupported_format', async () => {
    expect(
      codes(await verify(envelopeCredential(new Uint8Array([0xd2, 0x84]), 'application/vc+cose'))),
    ).toEqual(['unsupported_format'])
  })
})

describe('EnvelopedVerifiablePresentation', () => {
  const AUDIENCE = 'https://verifier.example'
  const NONCE = 'n-0S6_WzA2Mj'

  async function vpJwt(): Promise<string> {
    const holder = await didSigner()
    return new JwtVpSigner(holder).sign(
      {
        '@context': [V2],
        type: ['VerifiablePresentation'],
        holder: didOf(holder),
        verifiableCredential: [envelopeCredential(await signedCredential())],
      },
      { audience: AUDIENCE, nonce: NONCE },
    )
  }

  it('verifies a vp+jwt with the presentation format, audience and nonce (VC-API domain and challenge) applied inside', async () => {
    const envelope = envelopePresentation(await vpJwt())
    const result = await verify(envelope, { audience: AUDIENCE, nonce: NONCE })
    expect(result.errors).toEqual([])
    expect(result.format).toBe('vp+jwt')
    expect(result.presentation?.type).toEqual(['VerifiablePresentation'])
    expect(result.credentials?.[0]?.verified).toBe(true)
    expect(result.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['envelope', 'audience', 'nonce', 'credentials']),
    )
    expect(codes(await verify(envelope, { audience: AUDIENCE, nonce: 'another' }))).toEqual([
      'nonce_mismatch',
    ])
    expect(
      codes(await verify(envelope, { audience: 'https://other.example', nonce: NONCE })),
    ).toEqual(['audience_mismatch'])
  })

  it('verifies a vp+sd-jwt with its key binding JWT carrying audience and nonce', async () => {
    const holder = await didSigner()
    const issued = await issueSdJwt(
      holder,
      {
        '@context': [V2],
        type: ['VerifiablePresentation'],
        holder: didOf(holder),
        iss: didOf(holder),
        verifiableCredential: [envelopeCredential(await signedCredential())],
      },
      {
        typ: 'vp+sd-jwt',
        holder: holder.publicJwk,
        disclosureFrame: { _sd: ['verifiableCredential'] },
      },
    )
    const presented = await presentSdJwt(issued, { holder, audience: AUDIENCE, nonce: NONCE })
    const envelope = envelopePresentation(presented, 'application/vp+sd-jwt')
    const result = await verify(envelope, { audience: AUDIENCE, nonce: NONCE })
    expect(result.errors).toEqual([])
    expect(result.format).toBe('sd-jwt')
    expect(result.presentation?.holder).toBe(didOf(holder))
    expect(codes(await verify(envelope, { audience: AUDIENCE, nonce: 'another' }))).toEqual([
      'nonce_mismatch',
    ])
  })

  it.each(WRAPPER_CASES)('is refused with credential_invalid: %s', async (_, change) => {
    expect(
      codes(
        await verify(change(envelopePresentation(await vpJwt())), {
          audience: AUDIENCE,
          nonce: NONCE,
        }),
      ),
    ).toEqual(['credential_invalid'])
  })

  it.each<[string, (envelope: Record<string, unknown>) => Record<string, unknown>, string]>([
    [
      'id without its data: URL part',
      (envelope) => ({ ...envelope, id: (envelope.id as string).split(',').pop() }),
      'malformed',
    ],
    [
      'type VerifiablePresentation',
      (envelope) => ({ ...envelope, type: ['VerifiablePresentation'] }),
      'credential_invalid',
    ],
    ['type missing', ({ type: _, ...rest }) => rest, 'credential_invalid'],
  ])('is refused: %s', async (_, change, code) => {
    expect(
      codes(
        await verify(change(envelopePresentation(await vpJwt())), {
          audience: AUDIENCE,
          nonce: NONCE,
        }),
      ),
    ).toEqual([code])
  })

  it('refuses a credential inside an EnvelopedVerifiablePresentation, and a vp+jwt labelled vc+jwt', async () => {
    const vc = await signedCredential()
    expect(codes(await verify(envelopePresentation(vc)))).toEqual(['credential_invalid'])
    expect(codes(await verify(envelopePresentation(vc, 'application/vc+jwt')))).toEqual([
      'unsupported_format',
    ])
  })
})

// w3c/vc-data-model-2.0-test-suite tests/fixtures.js (commit 6e07524): `vp_jwt`, the suite's
// EnvelopedVerifiablePresentation content: an EdDSA did:key VCDM 1.1-encoded (`vp` claim) presentation
// with aud example.com and nonce 123456789, holding an ES256 did:key credential as data:application/jwt.
const SUITE_VP_JWT =
  'eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJFZERTQSIsICJraWQiOiAiZGlkOmtleTp6Nk1rajhoM2t6V1pyUGl1Y295WTlMR0NUcFhoQ3FCb1gzZG9EbUh6NU1hUHhudmkjejZNa2o4aDNreldaclBpdWNveVk5TEdDVHBYaENxQm9YM2RvRG1IejVNYVB4bnZpIn0.eyJpc3MiOiAiZGlkOmtleTp6Nk1rajhoM2t6V1pyUGl1Y295WTlMR0NUcFhoQ3FCb1gzZG9EbUh6NU1hUHhudmkiLCAiYXVkIjogImV4YW1wbGUuY29tIiwgIm5vbmNlIjogIjEyMzQ1Njc4OSIsICJ2cCI6IHsiQGNvbnRleHQiOiBbImh0dHBzOi8vd3d3LnczLm9yZy9ucy9jcmVkZW50aWFscy92MiJdLCAidHlwZSI6IFsiVmVyaWZpYWJsZVByZXNlbnRhdGlvbiJdLCAiaG9sZGVyIjogImRpZDprZXk6ejZNa2o4aDNreldaclBpdWNveVk5TEdDVHBYaENxQm9YM2RvRG1IejVNYVB4bnZpIiwgInZlcmlmaWFibGVDcmVkZW50aWFsIjogW3siQGNvbnRleHQiOiAiaHR0cHM6Ly93d3cudzMub3JnL25zL2NyZWRlbnRpYWxzL3YyIiwgInR5cGUiOiAiRW52ZWxvcGVkVmVyaWZpYWJsZUNyZWRlbnRpYWwiLCAiaWQiOiAiZGF0YTphcHBsaWNhdGlvbi9qd3QsZXlKaGJHY2lPaUpGVXpJMU5pSXNJbXRwWkNJNkltUnBaRHByWlhrNmVrUnVZV1ZVVVV0RVlsaFJWRFJpWVhSNFMyTnVUVkZaVVRoS2VXNXFjVU0xV0hveGRVMXJOV1YxUnpKb2REaHVjU042Ukc1aFpWUlJTMFJpV0ZGVU5HSmhkSGhMWTI1TlVWbFJPRXA1Ym1weFF6VlllakYxVFdzMVpYVkhNbWgwT0c1eEluMC5leUpwYzNNaU9pSmthV1E2YTJWNU9ucEVibUZsVkZGTFJHSllVVlEwWW1GMGVFdGpiazFSV1ZFNFNubHVhbkZETlZoNk1YVk5helZsZFVjeWFIUTRibkVpTENKemRXSWlPaUprYVdRNlpYaGhiWEJzWlRwaGJHbGpaU0lzSW5aaklqcDdJa0JqYjI1MFpYaDBJanBiSW1oMGRIQnpPaTh2ZDNkM0xuY3pMbTl5Wnk5dWN5OWpjbVZrWlc1MGFXRnNjeTkyTWlKZExDSjBlWEJsSWpwYklsWmxjbWxtYVdGaWJHVkRjbVZrWlc1MGFXRnNJbDBzSW1OeVpXUmxiblJwWVd4VGRXSnFaV04wSWpwN0ltbGtJam9pWkdsa09tVjRZVzF3YkdVNllXeHBZMlVpTENKdVlXMWxJam9pUVd4cFkyVWlmU3dpYVhOemRXVnlJam9pWkdsa09tdGxlVHA2Ukc1aFpWUlJTMFJpV0ZGVU5HSmhkSGhMWTI1TlVWbFJPRXA1Ym1weFF6VlllakYxVFdzMVpYVkhNbWgwT0c1eEluMTkucUU4VVliU0pmSWRZVV9MU3d4TEVJRHRqVHBMTGFwNkVZNTNKR3dhZy1UM3dyX2FROVNRem1pcUZFMUZQWEZnZkFVOEdIT2tTWTdBUm1feDVBRnZPTkEifV19fQ.9L0gNj8NbDTMZhCCNDL-q6aSKEddxuJKsX0FGGb7qooHsQQ7i_ZHQEo3hL2jzowWvHzrX4PGTrAhc8j4SIkFCg'

describe('the VCDM 2.0 suite enveloped presentation', () => {
  // As tests/4.13.2-envelopes.js builds it (generateEnvelope): media type application/jwt.
  const envelope = {
    '@context': V2,
    type: 'EnvelopedVerifiablePresentation',
    id: `data:application/jwt,${SUITE_VP_JWT}`,
  }

  it('verifies with the challenge and domain the suite sends, and only with them', async () => {
    const result = await verify(envelope, { audience: 'example.com', nonce: '123456789' })
    expect(result.errors).toEqual([])
    expect(result.credentials?.[0]?.verified).toBe(true)
    expect(codes(await verify(envelope, { audience: 'example.com', nonce: '987654321' }))).toEqual([
      'nonce_mismatch',
    ])
  })

  it('refuses the same VCDM 1.1-encoded token labelled application/vp+jwt (fixtures.js envelopedPresentation): vp+jwt is VC-JOSE-COSE', async () => {
    const labelled = { ...envelope, id: `data:application/vp+jwt,${SUITE_VP_JWT}` }
    expect(codes(await verify(labelled, { audience: 'example.com', nonce: '123456789' }))).toEqual([
      'credential_invalid',
    ])
  })

  it('is refused with the suite negative fixtures', async () => {
    expect(codes(await verify({ ...envelope, '@context': [] }))).toEqual(['credential_invalid'])
    expect(codes(await verify({ ...envelope, '@context': [EXAMPLES_V2] }))).toEqual([
      'credential_invalid',
    ])
    expect(codes(await verify({ ...envelope, id: SUITE_VP_JWT }))).toEqual(['malformed'])
    expect(codes(await verify({ ...envelope, type: ['VerifiablePresentation'] }))).toEqual([
      'credential_invalid',
    ])
  })
})

// VC-JOSE-COSE section 7 (IANA): `application/vc+jwt` (`vp+jwt`) values are a compact JWS ("a series
// of base64url-encoded values … separated by period"), `application/vc+sd-jwt` an SD-JWT (periods
// and tildes) "with a payload conforming to the Verifiable Credential Data Model". The content of a
// `data:` URL is read as its media type says, or refused: never parsed as whatever it turns out to
// be (a JSON envelope, a JWS JSON serialization) nor taken for a credential of another kind.
describe('envelope content is what its media type registers', () => {
  const presentationOf = async (entries: unknown[]): Promise<string> => {
    const holder = await didSigner()
    const { signJwt } = await import('../../src/jose/index.js')
    return signJwt(
      holder,
      {
        '@context': [V2],
        type: ['VerifiablePresentation'],
        holder: didOf(holder),
        iss: didOf(holder),
        verifiableCredential: entries,
      },
      { typ: 'vp+jwt' },
    )
  }
  const withContent = (mediaType: string, text: string): Record<string, unknown> => ({
    '@context': V2,
    id: `data:${mediaType},${encodeURIComponent(text)}`,
    type: 'EnvelopedVerifiableCredential',
  })

  async function notCompact(): Promise<[string, Record<string, unknown>][]> {
    const vc = await signedCredential()
    const [protectedHeader, payload, signature] = vc.split('.')
    return [
      [
        'a JSON EnvelopedVerifiableCredential',
        withContent('application/vc+jwt', JSON.stringify(envelopeCredential(vc))),
      ],
      [
        'a flattened JWS JSON serialization',
        withContent(
          'application/vc+jwt',
          JSON.stringify({ protected: protectedHeader, payload, signature }),
        ),
      ],
      ['the JWT with whitespace around it', withContent('application/vc+jwt', ` ${vc}\n`)],
      [
        'a JSON envelope labelled application/jwt',
        withContent('application/jwt', JSON.stringify(envelopeCredential(vc))),
      ],
    ]
  }

  it('refuses an EnvelopedVerifiableCredential whose data: URL does not hold a compact JWS, on its own and in a presentation', async () => {
    for (const [name, envelope] of await notCompact()) {
      const alone = await verify(envelope)
      expect(codes(alone), name).toEqual(['malformed'])
      expect(alone.errors[0]?.message, name).toMatch(/compact JWS/)
      const inPresentation = await verify(await presentationOf([envelope]))
      expect(codes(inPresentation), name).toEqual(['embedded_credential_invalid'])
      expect(codes(inPresentation.credentials?.[0] as never), name).toEqual(['malformed'])
    }
  })

  it('is not signed into a presentation by JwtVpSigner (the data model check)', async () => {
    const holder = await didSigner()
    for (const [name, envelope] of await notCompact()) {
      await expect(
        new JwtVpSigner(holder).sign({
          '@context': [V2],
          type: ['VerifiablePresentation'],
          verifiableCredential: [envelope],
        }),
        name,
      ).rejects.toMatchObject({
        code: 'credential_invalid',
        message: expect.stringMatching(/compact JWS/),
      })
    }
  })

  it('refuses an EnvelopedVerifiablePresentation whose data: URL holds a JSON envelope', async () => {
    const holder = await didSigner()
    const vp = await new JwtVpSigner(holder).sign({
      '@context': [V2],
      type: ['VerifiablePresentation'],
    })
    const inner = envelopePresentation(vp)
    expect((await verify(inner)).errors).toEqual([])
    const nested = {
      ...inner,
      id: `data:application/vp+jwt,${encodeURIComponent(JSON.stringify(inner))}`,
    }
    expect(codes(await verify(nested))).toEqual(['malformed'])
  })

  it('still reads a base64 data: URL and percent-encoded characters of a compact JWS', async () => {
    const vc = await signedCredential()
    const base64 = { ...envelopeCredential(vc), id: `data:application/vc+jwt;base64,${btoa(vc)}` }
    expect((await verify(base64)).errors).toEqual([])
    const escaped = {
      ...envelopeCredential(vc),
      id: `data:application/vc+jwt,${vc.replace(/\./g, '%2E')}`,
    }
    expect((await verify(escaped)).errors).toEqual([])
    expect((await verify(await presentationOf([base64, escaped]))).errors).toEqual([])
  })

  async function sdJwts(): Promise<{ w3c: string; sdJwtVc: string; untypedVc: string }> {
    const issuer = await didSigner()
    const w3c = await issueSdJwt(
      issuer,
      {
        '@context': [V2],
        type: ['VerifiableCredential'],
        issuer: didOf(issuer),
        iss: didOf(issuer),
        credentialSubject: { id: 'did:example:alice', name: 'Alice' },
      },
      { typ: 'vc+sd-jwt', disclosureFrame: { credentialSubject: { _sd: ['name'] } } },
    )
    const vcClaims = { vct: 'urn:example:badge', iss: didOf(issuer), name: 'Alice' }
    const sdJwtVc = await issueSdJwt(issuer, vcClaims, {
      typ: 'dc+sd-jwt',
      disclosureFrame: { _sd: ['name'] },
    })
    // An SD-JWT VC under the media type it had before draft-06 (no @context: no VCDM payload).
    const untypedVc = await issueSdJwt(issuer, vcClaims, {
      typ: 'vc+sd-jwt',
      disclosureFrame: { _sd: ['name'] },
    })
    return { w3c, sdJwtVc, untypedVc }
  }

  it('refuses an SD-JWT whose kind is not the one its media type names, on its own and in a presentation', async () => {
    const { w3c, sdJwtVc, untypedVc } = await sdJwts()
    const mislabelled: [string, Record<string, unknown>][] = [
      [
        'an SD-JWT VC (dc+sd-jwt) as application/vc+sd-jwt',
        envelopeCredential(sdJwtVc, 'application/vc+sd-jwt'),
      ],
      [
        'an SD-JWT VC without @context as application/vc+sd-jwt',
        envelopeCredential(untypedVc, 'application/vc+sd-jwt'),
      ],
      [
        'a VCDM vc+sd-jwt as application/dc+sd-jwt',
        envelopeCredential(w3c, 'application/dc+sd-jwt'),
      ],
      [
        'a JSON envelope as application/vc+sd-jwt',
        withContent(
          'application/vc+sd-jwt',
          JSON.stringify(envelopeCredential(w3c, 'application/vc+sd-jwt')),
        ),
      ],
    ]
    for (const [name, envelope] of mislabelled) {
      const alone = await verify(envelope)
      expect(alone.verified, name).toBe(false)
      expect(codes(alone), name).toEqual([
        expect.stringMatching(/^(credential_invalid|malformed)$/),
      ])
      const inPresentation = await verify(await presentationOf([envelope]))
      expect(codes(inPresentation), name).toEqual(['embedded_credential_invalid'])
    }
    // What each media type names still verifies.
    for (const envelope of [
      envelopeCredential(w3c, 'application/vc+sd-jwt'),
      envelopeCredential(sdJwtVc, 'application/dc+sd-jwt'),
    ]) {
      expect((await verify(envelope)).errors).toEqual([])
      expect((await verify(await presentationOf([envelope]))).errors).toEqual([])
    }
  })
})

// VCDM 2.0 sections 4.13.1 and 4.13.2: "The type value of the object MUST be
// EnvelopedVerifiableCredential" (EnvelopedVerifiablePresentation). An object typed as both is
// neither: verify() took it for a presentation on its own, and a presentation for a credential.
describe('an envelope typed as both an EnvelopedVerifiableCredential and an EnvelopedVerifiablePresentation', () => {
  const BOTH = ['EnvelopedVerifiableCredential', 'EnvelopedVerifiablePresentation']

  it('is refused on its own, whatever it holds', async () => {
    const holder = await didSigner()
    const vp = await new JwtVpSigner(holder).sign({
      '@context': [V2],
      type: ['VerifiablePresentation'],
    })
    const presentation = { ...envelopePresentation(vp), type: BOTH }
    const result = await verify(presentation)
    expect(result.verified).toBe(false)
    expect(codes(result)).toEqual(['credential_invalid'])
    expect(result.errors[0]?.path).toBe('type')
    const credential = { ...envelopeCredential(await signedCredential()), type: BOTH }
    expect(codes(await verify(credential))).toEqual(['credential_invalid'])
  })

  it('is refused in a presentation, and the signer will not sign one holding it', async () => {
    const holder = await didSigner()
    const entry = { ...envelopeCredential(await signedCredential()), type: BOTH }
    await expect(
      new JwtVpSigner(holder).sign({
        '@context': [V2],
        type: ['VerifiablePresentation'],
        verifiableCredential: [entry],
      }),
    ).rejects.toMatchObject({ code: 'credential_invalid' })
    const { signJwt } = await import('../../src/jose/index.js')
    const handMade = await signJwt(
      holder,
      {
        '@context': [V2],
        type: ['VerifiablePresentation'],
        holder: didOf(holder),
        iss: didOf(holder),
        verifiableCredential: [entry],
      },
      { typ: 'vp+jwt' },
    )
    const result = await verify(handMade)
    expect(codes(result)).toEqual(['embedded_credential_invalid'])
    expect(codes(result.credentials?.[0] as never)).toEqual(['credential_invalid'])
  })
})
