import { CredsignError } from '../errors/credsign-error.js'

/*
 * Where a ZLIB stream (RFC 1950) or a GZIP member (RFC 1952) ends, found by walking its DEFLATE
 * blocks (RFC 1951) without producing their output: decompressStatusList inflates with the
 * runtime's DecompressionStream, which tells nothing of the bytes it did not read, and runtimes
 * differ in what they do with them (Chromium refuses them, Node ignores them after a ZLIB stream,
 * skips zero padding and reads further members after a GZIP one). Walked only once the runtime has
 * inflated the input, so the blocks are known to decode; any inconsistency is still refused.
 * The Huffman decoding is the canonical-code walk of zlib's puff.c (Mark Adler), reading a bit at a
 * time: the compressed lists are small and this runs once per fetched list.
 */

/** Bits of a byte array, least significant first (RFC 1951 section 3.1.1). */
class Bits {
  /** The next byte. */
  position: number
  private buffer = 0
  private count = 0

  constructor(
    private readonly data: Uint8Array,
    start: number,
  ) {
    this.position = start
  }

  take(needed: number): number {
    let value = this.buffer
    while (this.count < needed) {
      if (this.position >= this.data.length) throw invalid('the DEFLATE data ends early')
      value |= (this.data[this.position++] as number) << this.count
      this.count += 8
    }
    this.buffer = value >>> needed
    this.count -= needed
    return value & ((1 << needed) - 1)
  }

  /** Drops the rest of the current byte (a stored block starts on a byte boundary). */
  align(): void {
    this.buffer = 0
    this.count = 0
  }
}

/** A canonical Huffman code: how many codes of each length, and the symbols in code order. */
interface Huffman {
  counts: Uint16Array
  symbols: Uint16Array
}

function huffman(lengths: ArrayLike<number>): Huffman {
  const counts = new Uint16Array(16)
  for (let i = 0; i < lengths.length; i++) counts[lengths[i] as number]!++
  const offsets = new Uint16Array(16)
  for (let length = 1; length < 15; length++)
    offsets[length + 1] = (offsets[length] as number) + (counts[length] as number)
  const symbols = new Uint16Array(lengths.length)
  for (let symbol = 0; symbol < lengths.length; symbol++) {
    const length = lengths[symbol] as number
    if (length !== 0) symbols[offsets[length]!++] = symbol
  }
  return { counts, symbols }
}

function decode(bits: Bits, code: Huffman): number {
  let value = 0
  let first = 0
  let index = 0
  for (let length = 1; length <= 15; length++) {
    value |= bits.take(1)
    const count = code.counts[length] as number
    if (value - first < count) return code.symbols[index + value - first] as number
    index += count
    first = (first + count) << 1
    value <<= 1
  }
  throw invalid('a DEFLATE code that is not in its table')
}

/** Extra bits of the length symbols 257..285 and the distance symbols 0..29 (RFC 1951 3.2.5). */
const LENGTH_EXTRA = [
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]
const DISTANCE_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]
/** The order of the code length code lengths in a dynamic block header (RFC 1951 3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

let fixedCodes: { literals: Huffman; distances: Huffman } | undefined

function fixed(): { literals: Huffman; distances: Huffman } {
  if (fixedCodes !== undefined) return fixedCodes
  const lengths = new Uint8Array(288)
  lengths.fill(8, 0, 144)
  lengths.fill(9, 144, 256)
  lengths.fill(7, 256, 280)
  lengths.fill(8, 280, 288)
  fixedCodes = { literals: huffman(lengths), distances: huffman(new Uint8Array(30).fill(5)) }
  return fixedCodes
}

function dynamic(bits: Bits): { literals: Huffman; distances: Huffman } {
  const literalCount = bits.take(5) + 257
  const distanceCount = bits.take(5) + 1
  const codeLengthCount = bits.take(4) + 4
  if (literalCount > 286 || distanceCount > 30) throw invalid('a DEFLATE block with too many codes')
  const codeLengths = new Uint8Array(19)
  for (let i = 0; i < codeLengthCount; i++)
    codeLengths[CODE_LENGTH_ORDER[i] as number] = bits.take(3)
  const lengthCode = huffman(codeLengths)
  const lengths = new Uint8Array(literalCount + distanceCount)
  for (let i = 0; i < lengths.length;) {
    const symbol = decode(bits, lengthCode)
    if (symbol < 16) {
      lengths[i++] = symbol
      continue
    }
    let value = 0
    let repeat: number
    if (symbol === 16) {
      if (i === 0) throw invalid('a DEFLATE length repeat with nothing to repeat')
      value = lengths[i - 1] as number
      repeat = 3 + bits.take(2)
    } else repeat = symbol === 17 ? 3 + bits.take(3) : 11 + bits.take(7)
    if (i + repeat > lengths.length) throw invalid('DEFLATE code lengths past their count')
    lengths.fill(value, i, i + repeat)
    i += repeat
  }
  if (lengths[256] === 0) throw invalid('a DEFLATE block without an end-of-block code')
  return {
    literals: huffman(lengths.subarray(0, literalCount)),
    distances: huffman(lengths.subarray(literalCount)),
  }
}

/** The offset just past the DEFLATE data that starts at `start` (its final block's end). */
function deflateEnd(data: Uint8Array, start: number): number {
  const bits = new Bits(data, start)
  for (;;) {
    const last = bits.take(1)
    const type = bits.take(2)
    if (type === 0) {
      bits.align()
      const at = bits.position
      if (at + 4 > data.length) throw invalid('the DEFLATE data ends early')
      const length = (data[at] as number) | ((data[at + 1] as number) << 8)
      const check = (data[at + 2] as number) | ((data[at + 3] as number) << 8)
      if ((length ^ 0xffff) !== check) throw invalid('a stored DEFLATE block with a bad length')
      bits.position = at + 4 + length
      if (bits.position > data.length) throw invalid('the DEFLATE data ends early')
    } else if (type === 3) {
      throw invalid('a DEFLATE block of the reserved type')
    } else {
      const { literals, distances } = type === 1 ? fixed() : dynamic(bits)
      for (;;) {
        const symbol = decode(bits, literals)
        if (symbol === 256) break
        if (symbol < 256) continue
        if (symbol > 285) throw invalid('a DEFLATE length code out of range')
        bits.take(LENGTH_EXTRA[symbol - 257] as number)
        const distance = decode(bits, distances)
        if (distance > 29) throw invalid('a DEFLATE distance code out of range')
        bits.take(DISTANCE_EXTRA[distance] as number)
      }
    }
    // The final block ends the data; a partial byte after it is padding.
    if (last === 1) return bits.position
  }
}

/**
 * Throws `status_list_invalid` unless `compressed` is exactly one ZLIB stream (`'deflate'`: the
 * two-byte header, the DEFLATE data, the Adler-32) or one GZIP member (`'gzip'`: the header with
 * its optional fields, the DEFLATE data, CRC-32 and ISIZE), with no byte after it. Checks the
 * framing only; the checksums are the inflater's.
 *
 * @example
 *
 * ```ts
 * assertSingleStream(await compressStatusList(new Uint8Array(8), 'gzip'), 'gzip') // passes
 * assertSingleStream(new Uint8Array([...zlib, 0]), 'deflate') // throws status_list_invalid
 * ```
 *
 * @internal
 */
export function assertSingleStream(compressed: Uint8Array, format: 'gzip' | 'deflate'): void {
  let end: number
  try {
    end =
      format === 'deflate'
        ? deflateEnd(compressed, zlibHeaderLength(compressed)) + 4
        : deflateEnd(compressed, gzipHeaderLength(compressed)) + 8
  } catch (cause) {
    if (cause instanceof CredsignError) throw cause
    throw invalid('the compressed data cannot be walked')
  }
  if (end !== compressed.length)
    throw invalid(
      end > compressed.length
        ? `the ${format} data ends early`
        : `${compressed.length - end} bytes follow the ${format} ${format === 'gzip' ? 'member' : 'stream'}`,
    )
}

function zlibHeaderLength(data: Uint8Array): number {
  if (data.length < 2) throw invalid('the ZLIB header ends early')
  // FDICT (a preset dictionary, 4 more bytes): no status list uses one, and the inflater refuses it.
  return ((data[1] as number) & 0x20) !== 0 ? 6 : 2
}

function gzipHeaderLength(data: Uint8Array): number {
  if (data.length < 10) throw invalid('the GZIP header ends early')
  const flags = data[3] as number
  let at = 10
  if ((flags & 0x04) !== 0) {
    // FEXTRA: a two-byte length, then that many bytes.
    if (at + 2 > data.length) throw invalid('the GZIP header ends early')
    at += 2 + ((data[at] as number) | ((data[at + 1] as number) << 8))
  }
  // FNAME, FCOMMENT: zero-terminated strings.
  for (const flag of [0x08, 0x10]) {
    if ((flags & flag) === 0) continue
    while (at < data.length && data[at] !== 0) at++
    at++
  }
  if ((flags & 0x02) !== 0) at += 2 // FHCRC
  if (at > data.length) throw invalid('the GZIP header ends early')
  return at
}

function invalid(message: string): CredsignError {
  return new CredsignError(
    'status_list_invalid',
    `the status list is not one compressed stream: ${message}`,
  )
}
