import { CredsignError } from '../errors/credsign-error.js'

/**
 * A minimal DER (ITU-T X.690) reader and writer: just the subset the PKCS#8, SEC1, PKCS#1 and
 * RSASSA-PSS structures credsign handles need. The reader is strict (definite, minimal lengths;
 * minimal INTEGERs; no trailing bytes), because accepting several encodings of one key would let
 * two different byte strings name the same secret.
 */

/**
 * One decoded DER element: its identifier octet and a view of its contents.
 *
 * @example
 *
 * ```ts
 * const element: DerElement = decodeDer(new Uint8Array([0x02, 0x01, 0x07]))
 * element.tag // 0x02 (INTEGER)
 * ```
 */
export interface DerElement {
  /**
   * The identifier octet (class, constructed bit and tag number; only single-octet tags are
   * supported).
   */
  readonly tag: number
  /** The contents octets, a view into the input (not a copy). */
  readonly value: Uint8Array
}

/**
 * Identifier octets used by credsign's key structures.
 *
 * @example
 *
 * ```ts
 * decodeDer(derNull(), DER_TAG.NULL) // ok; any other tag throws invalid_key
 * ```
 */
export const DER_TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const

function malformed(what: string): CredsignError {
  return new CredsignError('invalid_key', `malformed DER: ${what}`)
}

/**
 * Reads the element at `offset` and returns it with the offset just past it.
 *
 * @example
 *
 * ```ts
 * const { element, next } = readDer(new Uint8Array([0x05, 0x00]), 0)
 * // element.tag === 0x05, element.value.length === 0, next === 2
 * ```
 */
export function readDer(bytes: Uint8Array, offset: number): { element: DerElement; next: number } {
  if (offset + 2 > bytes.length) throw malformed('truncated header')
  const tag = bytes[offset] as number
  // Tag numbers >= 31 use a multi-octet form no key structure here needs.
  if ((tag & 0x1f) === 0x1f) throw malformed('unsupported tag')
  let lengthByte = bytes[offset + 1] as number
  let position = offset + 2
  let length: number
  if (lengthByte < 0x80) {
    length = lengthByte
  } else {
    const count = lengthByte & 0x7f
    // 0x80 is the BER indefinite form; more than 4 length octets cannot describe a key.
    if (count === 0 || count > 4) throw malformed('bad length')
    if (position + count > bytes.length) throw malformed('truncated length')
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[position + i] as number)
    lengthByte = bytes[position] as number
    // DER demands the shortest length form.
    if (length < 0x80 || lengthByte === 0) throw malformed('non-minimal length')
    position += count
  }
  if (position + length > bytes.length) throw malformed('truncated value')
  return {
    element: { tag, value: bytes.subarray(position, position + length) },
    next: position + length,
  }
}

/**
 * Decodes exactly one element spanning all of `bytes`, optionally requiring its tag.
 *
 * @example
 *
 * ```ts
 * const seq = decodeDer(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]), DER_TAG.SEQUENCE)
 * readDerChildren(seq).length // 1
 * ```
 */
export function decodeDer(bytes: Uint8Array, tag?: number): DerElement {
  const { element, next } = readDer(bytes, 0)
  if (next !== bytes.length) throw malformed('trailing bytes')
  if (tag !== undefined && element.tag !== tag) throw malformed('unexpected tag')
  return element
}

/**
 * The children of a constructed element, in order.
 *
 * @example
 *
 * ```ts
 * const seq = decodeDer(new Uint8Array([0x30, 0x04, 0x05, 0x00, 0x05, 0x00]))
 * readDerChildren(seq).map((c) => c.tag) // [5, 5]
 * ```
 */
export function readDerChildren(element: DerElement): DerElement[] {
  if ((element.tag & 0x20) === 0) throw malformed('expected a constructed element')
  const children: DerElement[] = []
  let offset = 0
  while (offset < element.value.length) {
    const { element: child, next } = readDer(element.value, offset)
    children.push(child)
    offset = next
  }
  return children
}

/**
 * The unsigned magnitude of a DER INTEGER that must be non-negative, without sign padding.
 *
 * @example
 *
 * ```ts
 * derUnsigned({ tag: 0x02, value: new Uint8Array([0x00, 0x80]) }) // Uint8Array [0x80]
 * ```
 */
export function derUnsigned(element: DerElement): Uint8Array {
  if (element.tag !== DER_TAG.INTEGER) throw malformed('expected INTEGER')
  const v = element.value
  if (v.length === 0) throw malformed('empty INTEGER')
  const first = v[0] as number
  if (first & 0x80) throw malformed('negative INTEGER')
  if (v.length > 1 && first === 0 && ((v[1] as number) & 0x80) === 0)
    throw malformed('non-minimal INTEGER')
  return first === 0 && v.length > 1 ? v.subarray(1) : v
}

/**
 * A small non-negative DER INTEGER (a version number or a salt length) as a JS number.
 *
 * @example
 *
 * ```ts
 * derSmallInt({ tag: 0x02, value: new Uint8Array([0x20]) }) // 32
 * ```
 */
export function derSmallInt(element: DerElement): number {
  const magnitude = derUnsigned(element)
  if (magnitude.length > 4) throw malformed('INTEGER too large')
  let n = 0
  for (const byte of magnitude) n = n * 256 + byte
  return n
}

/**
 * The payload of a BIT STRING that must hold whole octets (no unused bits).
 *
 * @example
 *
 * ```ts
 * derBitStringBytes({ tag: 0x03, value: new Uint8Array([0x00, 0xab]) }) // Uint8Array [0xab]
 * ```
 */
export function derBitStringBytes(element: DerElement): Uint8Array {
  if (element.tag !== DER_TAG.BIT_STRING) throw malformed('expected BIT STRING')
  if (element.value.length === 0 || element.value[0] !== 0)
    throw malformed('BIT STRING with unused bits')
  return element.value.subarray(1)
}

/**
 * Encodes one element from its identifier octet and the parts of its contents. The output is
 * allocated once, so no intermediate copy of (possibly secret) contents is left behind.
 *
 * @example
 *
 * ```ts
 * encodeDer(0x05) // Uint8Array [0x05, 0x00]
 * encodeDer(0x04, new Uint8Array([1]), new Uint8Array([2])) // Uint8Array [0x04, 0x02, 0x01, 0x02]
 * ```
 */
export function encodeDer(tag: number, ...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const part of parts) n += part.length
  let header: number[]
  if (n < 0x80) header = [tag, n]
  else if (n < 0x100) header = [tag, 0x81, n]
  else if (n < 0x10000) header = [tag, 0x82, n >> 8, n & 0xff]
  else if (n < 0x1000000) header = [tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]
  else throw new CredsignError('invalid_argument', 'DER value too long')
  const out = new Uint8Array(header.length + n)
  out.set(header, 0)
  let offset = header.length
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/**
 * A SEQUENCE of already-encoded elements.
 *
 * @example
 *
 * ```ts
 * derSequence(derNull()) // Uint8Array [0x30, 0x02, 0x05, 0x00]
 * ```
 */
export function derSequence(...children: Uint8Array[]): Uint8Array {
  return encodeDer(DER_TAG.SEQUENCE, ...children)
}

/**
 * An INTEGER holding a non-negative big-endian magnitude (leading zeros are trimmed, a sign octet
 * is added when needed).
 *
 * @example
 *
 * ```ts
 * derUnsignedInteger(new Uint8Array([0x80])) // Uint8Array [0x02, 0x02, 0x00, 0x80]
 * ```
 */
export function derUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++
  const trimmed = magnitude.length === 0 ? new Uint8Array([0]) : magnitude.subarray(start)
  // A set top bit would read as negative: prefix a zero octet.
  return ((trimmed[0] as number) & 0x80) !== 0
    ? encodeDer(DER_TAG.INTEGER, new Uint8Array([0]), trimmed)
    : encodeDer(DER_TAG.INTEGER, trimmed)
}

/**
 * An INTEGER from a small non-negative JS number.
 *
 * @example
 *
 * ```ts
 * derSmallInteger(1) // Uint8Array [0x02, 0x01, 0x01]
 * ```
 */
export function derSmallInteger(n: number): Uint8Array {
  const bytes: number[] = []
  let rest = n
  do {
    bytes.unshift(rest & 0xff)
    rest = Math.floor(rest / 256)
  } while (rest > 0)
  return derUnsignedInteger(new Uint8Array(bytes))
}

/**
 * An OCTET STRING.
 *
 * @example
 *
 * ```ts
 * derOctetString(new Uint8Array([1])) // Uint8Array [0x04, 0x01, 0x01]
 * ```
 */
export function derOctetString(bytes: Uint8Array): Uint8Array {
  return encodeDer(DER_TAG.OCTET_STRING, bytes)
}

/**
 * A BIT STRING of whole octets.
 *
 * @example
 *
 * ```ts
 * derBitString(new Uint8Array([0xab])) // Uint8Array [0x03, 0x02, 0x00, 0xab]
 * ```
 */
export function derBitString(bytes: Uint8Array): Uint8Array {
  return encodeDer(DER_TAG.BIT_STRING, new Uint8Array([0]), bytes)
}

/**
 * The NULL element.
 *
 * @example
 *
 * ```ts
 * derNull() // Uint8Array [0x05, 0x00]
 * ```
 */
export function derNull(): Uint8Array {
  return new Uint8Array([DER_TAG.NULL, 0])
}

/**
 * The contents octets of an OBJECT IDENTIFIER given in dotted form.
 *
 * @example
 *
 * ```ts
 * oidBytes('1.3.101.112') // Uint8Array [0x2b, 0x65, 0x70]
 * ```
 */
export function oidBytes(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((arc) => Number(arc))
  const [first, second, ...rest] = arcs
  if (
    first === undefined ||
    second === undefined ||
    arcs.some((a) => !Number.isSafeInteger(a) || a < 0)
  ) {
    throw new CredsignError('invalid_argument', 'bad object identifier')
  }
  const out: number[] = []
  for (const arc of [first * 40 + second, ...rest]) {
    const chunk: number[] = [arc & 0x7f]
    let v = Math.floor(arc / 128)
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80)
      v = Math.floor(v / 128)
    }
    out.push(...chunk)
  }
  return new Uint8Array(out)
}

/**
 * An OBJECT IDENTIFIER element given in dotted form.
 *
 * @example
 *
 * ```ts
 * derOid('1.3.101.112') // Uint8Array [0x06, 0x03, 0x2b, 0x65, 0x70]
 * ```
 */
export function derOid(dotted: string): Uint8Array {
  return encodeDer(DER_TAG.OID, oidBytes(dotted))
}

/**
 * Whether `element` is the OBJECT IDENTIFIER `dotted`.
 *
 * @example
 *
 * ```ts
 * isDerOid(decodeDer(derOid('1.3.101.112')), '1.3.101.112') // true
 * ```
 */
export function isDerOid(element: DerElement, dotted: string): boolean {
  if (element.tag !== DER_TAG.OID) return false
  const expected = oidBytes(dotted)
  if (expected.length !== element.value.length) return false
  return expected.every((byte, i) => element.value[i] === byte)
}
