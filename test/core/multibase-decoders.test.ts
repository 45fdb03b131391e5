// The relatedResource digest decoders (src/verify/multibase-decoders.ts) and util/bytes' base58 and
// padded base64 (did:key, Multikey, Data Integrity proofValue, PEM, data: URLs) against @scure/base,
// which credsign used before they moved off it: on every text, both accept and agree on the bytes,
// or both refuse; every encoding is @scure/base's. A decoder laxer than @scure/base would turn an
// issuer's malformed digest (a mismatch, which fails verification) into a match or a skipped entry.
import { base58, base64, base64nopad, base64url, base64urlnopad, hex } from '@scure/base'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeBase58,
  decodeBase64NoPad,
  decodeBase64Padded,
  decodeBase64UrlNoPad,
  decodeBase64UrlPadded,
  decodeHex,
} from '../../src/verify/multibase-decoders.js'
import { b58, fromB58 } from '../../src/util/base58.js'
import { b64, fromB64 } from '../../src/util/base64.js'

const PAIRS: [
  string,
  (text: string) => Uint8Array,
  { encode(b: Uint8Array): string; decode(t: string): Uint8Array },
][] = [
  ['base58btc', decodeBase58, base58],
  ['base64url', decodeBase64UrlNoPad, base64urlnopad],
  ['padded base64url', decodeBase64UrlPadded, base64url],
  ['base64', decodeBase64NoPad, base64nopad],
  ['padded base64', decodeBase64Padded, base64],
  ['hex', decodeHex, hex],
  ['util/bytes fromB58', (text) => fromB58(text), base58],
  ['util/bytes fromB64', (text) => fromB64(text), base64],
]

function outcome(decode: (text: string) => Uint8Array, text: string): string {
  try {
    return `ok ${hex.encode(decode(text))}`
  } catch {
    return 'refused'
  }
}

// Texts near every base's alphabet, padding and lengths: each encoding's characters, `=`, the
// other bases' characters, and a few outside all of them.
const CHARS = [
  ...'123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz',
  ...'0OIl+/-_=',
  ' ',
  'é',
]
const nearText = fc.array(fc.constantFrom(...CHARS), { maxLength: 24 }).map((c) => c.join(''))

describe('relatedResource digest decoders agree with @scure/base', () => {
  for (const [name, ours, scure] of PAIRS) {
    it(`${name}: the encoding of any bytes decodes to them`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
          expect(outcome(ours, scure.encode(bytes))).toBe(`ok ${hex.encode(bytes)}`)
        }),
        { seed: 15, numRuns: 400 },
      )
    })
    it(`${name}: any text is accepted with the same bytes, or refused, by both`, () => {
      fc.assert(
        fc.property(nearText, (text) => {
          expect(outcome(ours, text)).toBe(outcome((t) => scure.decode(t), text))
        }),
        { seed: 15, numRuns: 3000 },
      )
    })
    it(`${name}: an encoding with one character changed is refused or decoded as @scure/base does`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 40 }),
          fc.nat(),
          fc.constantFrom(...CHARS),
          (bytes, at, char) => {
            const text = scure.encode(bytes)
            const index = at % text.length
            const changed = text.slice(0, index) + char + text.slice(index + 1)
            expect(outcome(ours, changed)).toBe(outcome((t) => scure.decode(t), changed))
          },
        ),
        { seed: 15, numRuns: 1000 },
      )
    })
  }

  it('util/bytes encodes base58btc and padded base64 as @scure/base does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        expect(b58(bytes)).toBe(base58.encode(bytes))
        expect(b64(bytes)).toBe(base64.encode(bytes))
      }),
      { seed: 15, numRuns: 1000 },
    )
    expect(b58(new Uint8Array([0, 0, 0, 255]))).toBe(base58.encode(new Uint8Array([0, 0, 0, 255])))
  })

  it('base58btc: leading zero bytes, the empty text, and a long text that is no digest', () => {
    expect(decodeBase58('')).toEqual(new Uint8Array(0))
    expect(decodeBase58('111')).toEqual(new Uint8Array(3))
    expect(decodeBase58(base58.encode(new Uint8Array([0, 0, 1, 2])))).toEqual(
      new Uint8Array([0, 0, 1, 2]),
    )
    // 4,000 characters: no quadratic decoding; the answer is longer than any digest.
    expect(decodeBase58('z'.repeat(4000)).length).toBeGreaterThan(66)
    expect(() => decodeBase58('0'.repeat(4000))).toThrow()
  })
})
