import { describe, expect, it } from 'vitest'
import { envelopeCredential, parseEnvelopedCredential } from '../../src/vc/index.js'
import { V2 } from './vc-helpers.js'

const JWT = 'eyJhbGciOiJFUzI1NiIsInR5cCI6InZjK2p3dCJ9.eyJpc3MiOiJ4In0.c2ln'

describe('envelopeCredential', () => {
  it('wraps a JWT as a VCDM 2.0 EnvelopedVerifiableCredential', () => {
    expect(envelopeCredential(JWT)).toEqual({ '@context': V2, id: `data:application/vc+jwt,${JWT}`, type: 'EnvelopedVerifiableCredential' })
  })

  it('keeps SD-JWT characters and percent-encodes what RFC 2397 needs', () => {
    expect(envelopeCredential(`${JWT}~WyJhIl0~`, 'application/vc+sd-jwt').id).toBe(`data:application/vc+sd-jwt,${JWT}~WyJhIl0~`)
    expect(envelopeCredential('a b,c', 'text/plain').id).toBe('data:text/plain,a%20b%2Cc')
  })

  it('writes bytes as base64', () => {
    expect(envelopeCredential(new Uint8Array([0xd2, 0x84, 0x43]), 'application/vc+cose').id).toBe('data:application/vc+cose;base64,0oRD')
  })

  it.each([[''], [new Uint8Array()], [42 as never]])('refuses an empty or non-text credential %#', (value) => {
    expect(() => envelopeCredential(value)).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
  })

  it('refuses a malformed media type', () => {
    expect(() => envelopeCredential(JWT, 'vc+jwt')).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
    expect(() => envelopeCredential(JWT, 'application/vc+jwt,x')).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
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
    expect(parseEnvelopedCredential(`DATA:Application/VC+JWT;charset=utf-8,${JWT}`)).toMatchObject({ mediaType: 'application/vc+jwt', parameters: { charset: 'utf-8' }, text: JWT })
    expect(parseEnvelopedCredential('data:application/vc+cose;base64,0oRD\n0oQ')).toMatchObject({ bytes: new Uint8Array([0xd2, 0x84, 0x43, 0xd2, 0x84]) })
    // The VCDM 2.0 test suite's legacy form: `;base64url` is a parameter, the data is the JWT itself.
    expect(parseEnvelopedCredential(`data:application/vc-ld+jwt;base64url,${JWT}`)).toMatchObject({ mediaType: 'application/vc-ld+jwt', parameters: { base64url: '' }, base64: false, text: JWT })
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
    expect(() => parseEnvelopedCredential(value)).toThrow(expect.objectContaining({ code: 'malformed' }))
  })
})
