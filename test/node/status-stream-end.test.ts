// decompressStatusList accepts one ZLIB stream / one GZIP member and nothing after it, on every
// runtime: credsign finds the stream's end itself (src/status/stream-end.ts walks the DEFLATE
// blocks). This file checks that walk against independent encoders, so no valid list is refused:
// node:zlib at every level, strategy and memory level, pako (the encoder of the reference stacks,
// through @digitalbazaar/bitstring and @sd-jwt/jwt-status-list), stored, fixed and dynamic
// blocks, and GZIP headers with every optional field
// (RFC 1952 section 2.3: FEXTRA, FNAME, FCOMMENT, FHCRC). Then the same streams with one byte more
// are refused, as Chromium's DecompressionStream refuses them. The references (pako under
// @sd-jwt/jwt-status-list and @digitalbazaar/bitstring) read past the end: they are no verdict here.
import { randomBytes } from 'node:crypto'
import {
  constants,
  crc32,
  deflateRawSync,
  deflateSync,
  gunzipSync,
  gzipSync,
  inflateSync,
} from 'node:zlib'
// @ts-expect-error -- @digitalbazaar/* ship no type declarations
import { Bitstring as UntypedBitstring } from '@digitalbazaar/bitstring'
import { StatusList } from '@sd-jwt/jwt-status-list'
import { describe, expect, it } from 'vitest'
import { CredsignError, decompressStatusList } from '../../src/index.js'

function makeInputs(): [string, Uint8Array][] {
  const random = new Uint8Array(randomBytes(70_000))
  const sparse = new Uint8Array(131_072)
  for (const i of crypto.getRandomValues(new Uint32Array(300)))
    sparse[i % sparse.length] = 1 << (i % 8)
  const text = new TextEncoder().encode('status list '.repeat(5000))
  return [
    ['empty', new Uint8Array(0)],
    ['one byte', new Uint8Array([0xb9])],
    ['16 KB of zeros', new Uint8Array(16_384)],
    ['a sparse 128 KB list', sparse],
    ['70 KB of random bytes (stored blocks)', random],
    ['repetitive text', text],
    ['random bytes of low entropy', random.map((byte) => byte & 0x03)],
  ]
}

/** Made once (random): every encoder compresses the same bytes. */
const INPUTS = makeInputs()

async function streams(): Promise<[string, Uint8Array, 'gzip' | 'deflate'][]> {
  const out: [string, Uint8Array, 'gzip' | 'deflate'][] = []
  for (const [name, data] of INPUTS) {
    for (const level of [0, 1, 6, 9])
      for (const strategy of [
        constants.Z_DEFAULT_STRATEGY,
        constants.Z_FILTERED,
        constants.Z_HUFFMAN_ONLY,
        constants.Z_RLE,
        constants.Z_FIXED,
      ]) {
        const options = { level, strategy, memLevel: level === 9 ? 9 : 8 }
        out.push([
          `${name}, zlib level ${level} strategy ${strategy}`,
          deflateSync(data, options),
          'deflate',
        ])
        out.push([
          `${name}, gzip level ${level} strategy ${strategy}`,
          gzipSync(data, options),
          'gzip',
        ])
      }
    out.push([`${name}, zlib windowBits 9`, deflateSync(data, { windowBits: 9 }), 'deflate'])
    if (data.length > 0) {
      out.push([`${name}, pako zlib (sd-jwt-js)`, await sdJwtZlib(data), 'deflate'])
      out.push([`${name}, pako gzip (Digital Bazaar)`, await dbGzip(data), 'gzip'])
    }
    out.push([`${name}, gzip with every header field`, gzipWithFields(data), 'gzip'])
  }
  return out
}

const Bitstring = UntypedBitstring as {
  new (options: { buffer: Uint8Array }): { encodeBits(): Promise<string> }
}

/** Pako's GZIP of `data`, as Digital Bazaar writes an encodedList. */
async function dbGzip(data: Uint8Array): Promise<Uint8Array> {
  return Buffer.from(await new Bitstring({ buffer: data.slice() }).encodeBits(), 'base64url')
}

/** Pako's ZLIB of `data` (read as 8-bit statuses), as sd-jwt-js writes an lst. */
async function sdJwtZlib(data: Uint8Array): Promise<Uint8Array> {
  const lst = new StatusList([...data], 8).compressStatusList()
  return Buffer.from(lst, 'base64url')
}

/** A GZIP member with FEXTRA, FNAME, FCOMMENT and FHCRC set (RFC 1952 section 2.3). */
function gzipWithFields(data: Uint8Array): Uint8Array {
  const extra = [0x41, 0x70, 0x02, 0x00, 0x01, 0x02] // one subfield "Ap" of 2 bytes
  const header = [
    0x1f,
    0x8b,
    8,
    0x04 | 0x08 | 0x10 | 0x02,
    0,
    0,
    0,
    0,
    0,
    255,
    extra.length,
    0,
    ...extra,
    ...new TextEncoder().encode('list.bin'),
    0,
    ...new TextEncoder().encode('a comment'),
    0,
  ]
  const headerCrc = crc32(new Uint8Array(header)) & 0xffff
  const trailer = new DataView(new ArrayBuffer(8))
  trailer.setUint32(0, crc32(data), true)
  trailer.setUint32(4, data.length, true)
  return new Uint8Array([
    ...header,
    headerCrc & 0xff,
    headerCrc >> 8,
    ...deflateRawSync(data),
    ...new Uint8Array(trailer.buffer),
  ])
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'accepted'
  } catch (error) {
    if (error instanceof CredsignError) return error.code
    throw error
  }
}

describe('decompressStatusList finds the end of every valid stream, and refuses a byte after it', () => {
  it('streams of node:zlib, pako and a hand-made GZIP header: each decodes, one byte more is refused', async () => {
    const cases = await streams()
    expect(cases.length).toBeGreaterThan(300)
    for (const [name, stream, format] of cases) {
      // What the stream holds, by node:zlib (one stream here, so its reading is the right one).
      const original = format === 'gzip' ? gunzipSync(stream) : inflateSync(stream)
      const bytes = await decompressStatusList(stream, format).catch((error: unknown) => {
        throw new Error(`${name}: ${String(error)}`)
      })
      expect(bytes.length, name).toBe(original.length)
      expect(Buffer.compare(bytes, original), name).toBe(0)
      for (const extra of [0x00, 0x1f, 0xff])
        expect(
          await codeOf(decompressStatusList(new Uint8Array([...stream, extra]), format)),
          `${name} + ${extra}`,
        ).toBe('status_list_invalid')
    }
  })
})
