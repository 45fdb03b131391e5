// The status list codecs against the specs' own data: the encodedList of the W3C Bitstring Status
// List v1.0 example, and the examples and test vectors of draft-ietf-oauth-status-list (extracted
// unchanged into test/fixtures/status/ietf-token-status-list-vectors.json, with their source).
// The compressed bytes themselves are not compared: the spec's generator used zlib level 9 and
// CompressionStream uses the default level, so only what the bytes decode to is fixed.
import { describe, expect, it } from 'vitest'
import {
  BITSTRING_MIN_BITS,
  bitstringEntryCount,
  compressStatusList,
  createBitstring,
  createTokenStatusBytes,
  CredsignError,
  decodeBitstring,
  decodeTokenStatusList,
  decompressStatusList,
  DEFAULT_MAX_STATUS_LIST_BYTES,
  encodeBitstring,
  encodeTokenStatusList,
  isTokenStatusBits,
  readBitstringStatus,
  readTokenStatus,
  tokenStatusEntryCount,
  writeBitstringStatus,
  writeTokenStatus,
  type TokenStatusBits,
} from '../../src/index.js'
import { b64u } from '../../src/util/bytes.js'

interface Vectors {
  lists: { bits: TokenStatusBits; entries: number; lst: string; statuses: Record<string, number> }[]
  small: {
    bits: TokenStatusBits
    bytes: number[]
    lst: string
    statuses: number[]
    compressedHex: string
  }[]
}
const RAW = import.meta.glob('../fixtures/status/ietf-token-status-list-vectors.json', {
  eager: true,
  query: '?raw',
  import: 'default',
}) as Record<string, string>
const VECTORS = JSON.parse(Object.values(RAW)[0] as string) as Vectors

/** The W3C spec's example encodedList (16 KB of zero bits). */
const W3C_EXAMPLE_LIST = 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA'

function hex(text: string): Uint8Array {
  return new Uint8Array(text.match(/../g)!.map((pair) => parseInt(pair, 16)))
}

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (error) {
    if (error instanceof CredsignError) return error.code
    throw error
  }
  return undefined
}

/** Byte equality without vitest's deep diff (slow on megabyte arrays). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

function randomIndexes(count: number, below: number): number[] {
  const set = new Set<number>()
  const words = crypto.getRandomValues(new Uint32Array(count * 2))
  for (const word of words) if (set.size < count) set.add(word % below)
  return [...set]
}

describe('compression (CompressionStream / DecompressionStream)', () => {
  it('round-trips GZIP and ZLIB DEFLATE, empty, zero and random data alike', async () => {
    const inputs = [
      new Uint8Array(0),
      new Uint8Array(16384),
      crypto.getRandomValues(new Uint8Array(50_000)),
    ]
    for (const format of ['gzip', 'deflate'] as const)
      for (const input of inputs) {
        const zipped = await compressStatusList(input, format)
        expect(sameBytes(await decompressStatusList(zipped, format), input)).toBe(true)
      }
  })

  it('writes the right container: the GZIP magic 1f 8b, a ZLIB header 78 xx with a valid check', async () => {
    const gzip = await compressStatusList(new Uint8Array(10), 'gzip')
    expect([gzip[0], gzip[1]]).toEqual([0x1f, 0x8b])
    const zlib = await compressStatusList(new Uint8Array(10), 'deflate')
    expect(zlib[0]).toBe(0x78)
    expect(((zlib[0] as number) * 256 + (zlib[1] as number)) % 31).toBe(0)
  })

  it('stops inflating a zip bomb at the limit: status_list_too_large, at the default limit too', async () => {
    const bomb = await compressStatusList(
      new Uint8Array(DEFAULT_MAX_STATUS_LIST_BYTES + 1),
      'deflate',
    )
    expect(bomb.length).toBeLessThan(40_000)
    expect(await codeOf(decompressStatusList(bomb, 'deflate'))).toBe('status_list_too_large')
    const small = await compressStatusList(new Uint8Array(2048), 'gzip')
    expect(await codeOf(decompressStatusList(small, 'gzip', 2047))).toBe('status_list_too_large')
    expect((await decompressStatusList(small, 'gzip', 2048)).length).toBe(2048)
  })

  it('refuses data that is not one complete stream of the format: status_list_invalid', async () => {
    const gzip = await compressStatusList(crypto.getRandomValues(new Uint8Array(1000)), 'gzip')
    const zlib = await compressStatusList(crypto.getRandomValues(new Uint8Array(1000)), 'deflate')
    const flipped = gzip.slice()
    flipped[flipped.length - 6] = (flipped[flipped.length - 6] as number) ^ 1 // the CRC-32
    const bad: [Uint8Array, 'gzip' | 'deflate'][] = [
      [new Uint8Array(0), 'gzip'],
      [new Uint8Array(0), 'deflate'],
      [crypto.getRandomValues(new Uint8Array(64)), 'gzip'],
      [crypto.getRandomValues(new Uint8Array(64)), 'deflate'],
      [gzip, 'deflate'],
      [zlib, 'gzip'],
      [gzip.subarray(0, gzip.length - 4), 'gzip'], // truncated
      [zlib.subarray(0, zlib.length - 1), 'deflate'],
      [flipped, 'gzip'],
    ]
    for (const [data, format] of bad)
      expect(await codeOf(decompressStatusList(data, format)), `${format} ${data.length}`).toBe(
        'status_list_invalid',
      )
  })

  it('bytes after the end of the stream: status_list_invalid on every runtime', async () => {
    // One ZLIB stream (RFC 1950) / one GZIP member (RFC 1952) and nothing after it. Chromium's
    // DecompressionStream refuses trailing bytes; Node's ignores them after a ZLIB stream, skips
    // zero padding after a GZIP member and reads a second member: credsign gives Chromium's answer
    // everywhere (pako, under @sd-jwt/jwt-status-list and Digital Bazaar, accepts them too).
    const input = crypto.getRandomValues(new Uint8Array(1000))
    const empty = new Uint8Array(0)
    for (const format of ['gzip', 'deflate'] as const) {
      const zipped = await compressStatusList(input, format)
      const trailer = zipped.subarray(zipped.length - (format === 'gzip' ? 8 : 4))
      const trailers: [string, Uint8Array][] = [
        ['one zero byte', new Uint8Array([0x00])],
        ['zero padding', new Uint8Array(512)],
        ['a zero, then junk', new Uint8Array([0x00, 0x01, 0x02])],
        ['junk', new Uint8Array([0x01, 0x02, 0x03])],
        ['a GZIP magic', new Uint8Array([0x1f, 0x8b])],
        ['a second stream of the same data', zipped],
        ['a second, empty stream', await compressStatusList(empty, format)],
        ['a zero and a copy of the checksum trailer', new Uint8Array([0x00, ...trailer])],
      ]
      for (const [name, bytes] of trailers)
        expect(
          await codeOf(decompressStatusList(new Uint8Array([...zipped, ...bytes]), format)),
          `${format}: ${name}`,
        ).toBe('status_list_invalid')
      // An empty stream first, the data after it: two streams all the same.
      const first = await compressStatusList(empty, format)
      expect(
        await codeOf(decompressStatusList(new Uint8Array([...first, ...zipped]), format)),
        `${format}: an empty stream, then the data`,
      ).toBe('status_list_invalid')
      expect(await decompressStatusList(zipped, format)).toEqual(input)
    }
  })

  it('a bad checksum (Adler-32 of ZLIB, CRC-32 / ISIZE of GZIP): status_list_invalid', async () => {
    const input = crypto.getRandomValues(new Uint8Array(1000))
    for (const [format, offsets] of [
      ['deflate', [1, 4]],
      ['gzip', [1, 5, 8]],
    ] as const) {
      const zipped = await compressStatusList(input, format)
      for (const offset of offsets) {
        const bad = zipped.slice()
        bad[bad.length - offset] = (bad[bad.length - offset] as number) ^ 0x01
        expect(await codeOf(decompressStatusList(bad, format)), `${format} -${offset}`).toBe(
          'status_list_invalid',
        )
      }
    }
  })

  it('refuses a format it does not know and a bad limit: invalid_argument', async () => {
    const zipped = await compressStatusList(new Uint8Array(1), 'gzip')
    expect(await codeOf(decompressStatusList(zipped, 'deflate-raw' as 'gzip'))).toBe(
      'invalid_argument',
    )
    expect(await codeOf(decompressStatusList(zipped, 'gzip', -1))).toBe('invalid_argument')
    expect(await codeOf(compressStatusList(zipped, 'br' as 'gzip'))).toBe('invalid_argument')
  })
})

describe('W3C Bitstring Status List codec', () => {
  it("decodes the spec example's encodedList to 16 KB of zero bits", async () => {
    const bits = await decodeBitstring(W3C_EXAMPLE_LIST)
    expect(bits.length).toBe(16384)
    expect(bits.every((byte) => byte === 0)).toBe(true)
    expect(bitstringEntryCount(bits)).toBe(BITSTRING_MIN_BITS)
  })

  it('puts index 0 at the left-most (most significant) bit of byte 0, as the spec says', () => {
    const bits = createBitstring(16)
    writeBitstringStatus(bits, 0, 1)
    expect(bits[0]).toBe(0x80)
    writeBitstringStatus(bits, 7, 1)
    expect(bits[0]).toBe(0x81)
    writeBitstringStatus(bits, 8, 1)
    expect(bits[1]).toBe(0x80)
    writeBitstringStatus(bits, 0, 0)
    expect(bits[0]).toBe(0x01)
    const last = bitstringEntryCount(bits) - 1
    writeBitstringStatus(bits, last, 1)
    expect(bits[bits.length - 1]).toBe(0x01)
  })

  it('reads a multi-bit status big-endian from its first bit, across byte boundaries', () => {
    const bits = createBitstring(131_072, 2)
    writeBitstringStatus(bits, 0, 2, 2)
    expect(bits[0]).toBe(0b1000_0000)
    writeBitstringStatus(bits, 1, 1, 2)
    expect(bits[0]).toBe(0b1001_0000)
    const three = createBitstring(131_072, 3)
    writeBitstringStatus(three, 2, 0b101, 3) // bits 6, 7, 8
    expect([three[0], three[1]]).toEqual([0b0000_0010, 0b1000_0000])
    expect(readBitstringStatus(three, 2, 3)).toBe(0b101)
    expect(readBitstringStatus(three, 1, 3)).toBe(0)
    expect(readBitstringStatus(three, 3, 3)).toBe(0)
  })

  it('round-trips a 131,072-entry list through encodedList, every set entry and only those', async () => {
    for (const size of [1, 2, 4]) {
      const bits = createBitstring(131_072, size)
      const set = new Map(randomIndexes(500, 131_072).map((i) => [i, 1 + (i % (2 ** size - 1))]))
      for (const [index, value] of set) writeBitstringStatus(bits, index, value, size)
      const encoded = await encodeBitstring(bits)
      expect(encoded.startsWith('uH4sI')).toBe(true)
      const decoded = await decodeBitstring(encoded)
      expect(sameBytes(decoded, bits)).toBe(true)
      let nonZero = 0
      for (let i = 0; i < 131_072; i++) {
        const value = readBitstringStatus(decoded, i, size)
        if (value !== 0) nonZero++
        if (value !== (set.get(i) ?? 0)) expect(value, `index ${i}`).toBe(set.get(i) ?? 0)
      }
      expect(nonZero).toBe(set.size)
    }
  })

  it('never makes a list below the 16 KB minimum', () => {
    expect(createBitstring(1).length).toBe(16384)
    expect(createBitstring(200_000).length).toBe(25_000)
    expect(createBitstring(131_072, 8).length).toBe(131_072)
  })

  it('refuses a malformed encodedList: status_list_invalid', async () => {
    const gzip = await compressStatusList(new Uint8Array(16384), 'gzip')
    const zlib = await compressStatusList(new Uint8Array(16384), 'deflate')
    for (const encoded of [
      '',
      'u',
      b64u(gzip), // no multibase prefix
      'z' + b64u(gzip), // base58btc prefix on base64url data
      'U' + b64u(gzip), // base64url with padding is 'U', and not what the spec says
      'u' + b64u(gzip) + '=',
      'u' + b64u(gzip).replace(/.$/, '+'),
      'u' + b64u(zlib), // DEFLATE, not GZIP
      'u' + b64u(gzip).slice(0, -8),
      42 as unknown as string,
    ])
      expect(await codeOf(decodeBitstring(encoded)), String(encoded).slice(0, 12)).toBe(
        'status_list_invalid',
      )
  })

  it('stops a GZIP bomb in encodedList at maxBytes: status_list_too_large', async () => {
    const encoded = await encodeBitstring(new Uint8Array(1 << 20))
    expect(await codeOf(decodeBitstring(encoded, { maxBytes: 16384 }))).toBe(
      'status_list_too_large',
    )
  })

  it('refuses indexes outside the list and values that do not fit: typed codes', async () => {
    const bits = createBitstring(131_072)
    for (const index of [-1, 131_072, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2, 2 ** 53])
      expect(await codeOf(() => readBitstringStatus(bits, index)), String(index)).toBe(
        'status_index_out_of_range',
      )
    expect(await codeOf(() => readBitstringStatus(bits, 65_536, 2))).toBe(
      'status_index_out_of_range',
    )
    expect(readBitstringStatus(bits, 65_535, 2)).toBe(0)
    expect(await codeOf(() => writeBitstringStatus(bits, 0, 2))).toBe('invalid_argument')
    expect(await codeOf(() => writeBitstringStatus(bits, 0, 4, 2))).toBe('invalid_argument')
    expect(await codeOf(() => writeBitstringStatus(bits, 0, -1))).toBe('invalid_argument')
    for (const size of [0, 9, 1.5])
      expect(await codeOf(() => readBitstringStatus(bits, 0, size))).toBe('status_list_invalid')
  })
})

describe('IETF Token Status List codec', () => {
  it("packs the draft's small examples into its byte arrays, least significant bit first", async () => {
    for (const example of VECTORS.small) {
      const bytes = createTokenStatusBytes(example.statuses.length, example.bits)
      example.statuses.forEach((value, index) =>
        writeTokenStatus(bytes, example.bits, index, value),
      )
      expect([...bytes]).toEqual(example.bytes)
      expect([...(await decodeTokenStatusList(example.lst))]).toEqual(example.bytes)
      expect([...(await decompressStatusList(hex(example.compressedHex), 'deflate'))]).toEqual(
        example.bytes,
      )
      const decoded = await decodeTokenStatusList(await encodeTokenStatusList(bytes))
      example.statuses.forEach((value, index) =>
        expect(readTokenStatus(decoded, example.bits, index)).toBe(value),
      )
    }
  })

  it('reads the test vectors of the draft (1, 2, 4 and 8 bits, 2^20 entries): every listed status, zero elsewhere', async () => {
    expect(VECTORS.lists.map((list) => list.bits)).toEqual([1, 2, 4, 8])
    for (const list of VECTORS.lists) {
      const bytes = await decodeTokenStatusList(list.lst)
      expect(tokenStatusEntryCount(bytes, list.bits)).toBe(list.entries)
      const listed = new Map(Object.entries(list.statuses).map(([k, v]) => [Number(k), v]))
      let nonZero = 0
      for (let i = 0; i < list.entries; i++) {
        const value = readTokenStatus(bytes, list.bits, i)
        if (value !== (listed.get(i) ?? 0))
          expect(value, `bits ${list.bits} index ${i}`).toBe(listed.get(i) ?? 0)
        if (value !== 0) nonZero++
      }
      expect(nonZero).toBe([...listed.values()].filter((v) => v !== 0).length)
      // The same statuses written by credsign make the same bytes.
      const ours = createTokenStatusBytes(list.entries, list.bits)
      for (const [index, value] of listed) writeTokenStatus(ours, list.bits, index, value)
      expect(ours.length).toBe(bytes.length)
      expect(ours.every((byte, i) => byte === bytes[i])).toBe(true)
    }
  })

  it('refuses a malformed lst and bits outside 1, 2, 4, 8: status_list_invalid', async () => {
    const gzip = await compressStatusList(new Uint8Array(16), 'gzip')
    for (const lst of [
      '',
      'eNrbuRgAAhcBXQ==',
      'eNrbuRgAAhcBX',
      'eNrbuRgAAhcB',
      b64u(gzip),
      7 as unknown as string,
    ])
      expect(await codeOf(decodeTokenStatusList(lst)), String(lst)).toBe('status_list_invalid')
    const bytes = new Uint8Array(4)
    for (const bits of [0, 3, 16, 1.5])
      expect(await codeOf(() => readTokenStatus(bytes, bits as TokenStatusBits, 0))).toBe(
        'status_list_invalid',
      )
    expect([1, 2, 3, 4, 8, '1'].map(isTokenStatusBits)).toEqual([
      true,
      true,
      false,
      true,
      true,
      false,
    ])
  })

  it('refuses indexes outside the list and values that do not fit: typed codes', async () => {
    const bytes = createTokenStatusBytes(12, 2) // 3 bytes, 12 entries
    expect(await codeOf(() => readTokenStatus(bytes, 2, 12))).toBe('status_index_out_of_range')
    expect(await codeOf(() => readTokenStatus(bytes, 2, -1))).toBe('status_index_out_of_range')
    expect(await codeOf(() => readTokenStatus(bytes, 2, 0.5))).toBe('status_index_out_of_range')
    expect(readTokenStatus(bytes, 2, 11)).toBe(0)
    expect(await codeOf(() => writeTokenStatus(bytes, 2, 0, 4))).toBe('invalid_argument')
    expect(await codeOf(() => writeTokenStatus(bytes, 8, 0, 256))).toBe('invalid_argument')
    writeTokenStatus(bytes, 8, 2, 255)
    expect(bytes[2]).toBe(255)
    expect(readTokenStatus(bytes, 4, 5)).toBe(15)
  })

  it('stops a DEFLATE bomb in lst at maxBytes: status_list_too_large', async () => {
    const lst = await encodeTokenStatusList(new Uint8Array(1 << 20))
    expect(await codeOf(decodeTokenStatusList(lst, { maxBytes: 1 << 19 }))).toBe(
      'status_list_too_large',
    )
  })
})
