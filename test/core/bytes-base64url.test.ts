import { base64urlnopad } from '@scure/base'
import { describe, expect, it } from 'vitest'
import { b64u, fromB64u, fromHex, toHex } from '../../src/util/bytes.js'

describe('base64url', () => {
  it('encodes and decodes exactly like an independent implementation, for every length 0..300', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length))
      const text = b64u(bytes)
      expect(text).toBe(base64urlnopad.encode(bytes))
      expect(fromB64u(text)).toEqual(bytes)
    }
  })

  it('matches RFC 4648 test vectors (without padding)', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ]
    for (const [plain, encoded] of cases) {
      expect(b64u(new TextEncoder().encode(plain))).toBe(encoded)
      expect(new TextDecoder().decode(fromB64u(encoded))).toBe(plain)
    }
    expect(b64u(new Uint8Array([0xfb, 0xff]))).toBe('-_8')
  })

  it('rejects padding, the standard alphabet, whitespace, impossible lengths and non-canonical tails', () => {
    for (const bad of [
      'Zg==',
      'Zm9v+',
      'Zm9v/',
      'Zm 9v',
      'Zm9v\n',
      'Z',
      'Zm9vY',
      'Zh',
      'Zm9',
      'Zm-',
      'é',
      '\u0000\u0000',
    ]) {
      expect(() => fromB64u(bad, 'malformed'), bad).toThrow(
        expect.objectContaining({ code: 'malformed' }),
      )
    }
    expect(() => fromB64u(42 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })
})

describe('hex', () => {
  it('encodes and decodes exactly like an independent implementation, for every length 0..64', () => {
    for (let length = 0; length <= 64; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length))
      const text = toHex(bytes)
      // Independent: the hex of each byte by Number.prototype.toString.
      expect(text).toBe(
        Array.from(bytes, (byte) => (byte < 16 ? '0' : '') + byte.toString(16)).join(''),
      )
      expect(fromHex(text)).toEqual(bytes)
      expect(fromHex(text.toUpperCase())).toEqual(bytes)
    }
  })

  it('refuses what is not an even number of hex digits', () => {
    for (const bad of ['0', 'abc', '0g', ' 00', '00 ', '+1', '0x00', 'é0']) {
      expect(() => fromHex(bad), bad).toThrow(expect.objectContaining({ code: 'malformed' }))
    }
    expect(() => fromHex('zz', 'invalid_key')).toThrow(
      expect.objectContaining({ code: 'invalid_key' }),
    )
  })
})
