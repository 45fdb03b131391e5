// The status list codecs against independent implementations of the same layouts: Digital Bazaar's
// @digitalbazaar/bitstring (the W3C reference stack: left-to-right bit order, pako GZIP) and
// @sd-jwt/jwt-status-list (OWF sd-jwt-js: LSB-first packing, pako ZLIB). Random lists, both ways.
// @ts-expect-error -- @digitalbazaar/* ship no type declarations
import { Bitstring as UntypedBitstring } from '@digitalbazaar/bitstring'
import { StatusList, type BitsPerStatus } from '@sd-jwt/jwt-status-list'
import { describe, expect, it } from 'vitest'
import {
  createBitstring,
  createTokenStatusBytes,
  decodeBitstring,
  decodeTokenStatusList,
  encodeBitstring,
  encodeTokenStatusList,
  readBitstringStatus,
  readTokenStatus,
  writeBitstringStatus,
  writeTokenStatus,
} from '../../src/index.js'

interface DbBitstring {
  bits: Uint8Array
  set(position: number, on: boolean): void
  get(position: number): boolean
  encodeBits(): Promise<string>
}
const Bitstring = UntypedBitstring as {
  new (options: { length: number } | { buffer: Uint8Array }): DbBitstring
  decodeBits(options: { encoded: string }): Promise<Uint8Array>
}

/** Byte equality without vitest's deep diff (slow on megabyte arrays). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

function randomIndexes(count: number, below: number): number[] {
  const words = crypto.getRandomValues(new Uint32Array(count))
  return [...new Set([...words].map((word) => word % below))]
}

describe('W3C bitstring: credsign and @digitalbazaar/bitstring agree', () => {
  it('lists written by credsign read the same in Digital Bazaar, and the other way round', async () => {
    for (let round = 0; round < 5; round++) {
      const set = randomIndexes(300, 131_072)
      const ours = createBitstring(131_072)
      const theirs = new Bitstring({ length: 131_072 })
      for (const index of set) {
        writeBitstringStatus(ours, index, 1)
        theirs.set(index, true)
      }
      expect(sameBytes(ours, theirs.bits)).toBe(true)
      // Their encoding (base64url of GZIP, no multibase prefix) decodes with ours, and ours with theirs.
      const fromThem = await decodeBitstring('u' + (await theirs.encodeBits()))
      const fromUs = await Bitstring.decodeBits({ encoded: (await encodeBitstring(ours)).slice(1) })
      const back = new Bitstring({ buffer: fromUs })
      for (const index of [...set, ...randomIndexes(300, 131_072)]) {
        expect(readBitstringStatus(fromThem, index)).toBe(set.includes(index) ? 1 : 0)
        expect(back.get(index)).toBe(set.includes(index))
      }
    }
  })
})

describe('Token Status List: credsign and @sd-jwt/jwt-status-list agree', () => {
  it('for 1, 2, 4 and 8 bits, both ways', async () => {
    for (const bits of [1, 2, 4, 8] as const) {
      const size = 8192
      const values = new Map(randomIndexes(500, size).map((i) => [i, 1 + (i % ((1 << bits) - 1))]))
      const statuses = Array.from({ length: size }, (_, i) => values.get(i) ?? 0)
      const ours = createTokenStatusBytes(size, bits)
      for (const [index, value] of values) writeTokenStatus(ours, bits, index, value)
      const theirs = new StatusList(statuses, bits as BitsPerStatus)
      const fromThem = await decodeTokenStatusList(theirs.compressStatusList())
      expect(sameBytes(fromThem, ours)).toBe(true)
      const back = StatusList.decompressStatusList(await encodeTokenStatusList(ours), bits)
      for (let i = 0; i < size; i++) {
        if (back.getStatus(i) !== statuses[i])
          expect(back.getStatus(i), `index ${i}`).toBe(statuses[i])
        if (readTokenStatus(fromThem, bits, i) !== statuses[i])
          expect(readTokenStatus(fromThem, bits, i)).toBe(statuses[i])
      }
    }
  })
})
