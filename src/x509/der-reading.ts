import { CredsignError } from '../errors/credsign-error.js'
import type { DerElement } from '../keys/der.js'
import { codecs } from './core-codecs.js'

/*
 * The strict DER walk of certificate structures: keys/der.ts reads (minimal lengths, no indefinite
 * form, single-octet tags); this file keeps each element's whole encoding (what a comparison of
 * names or a SubjectPublicKeyInfo needs) and turns every decoding failure into
 * `certificate_invalid`.
 */

/**
 * One DER element with its full encoding (identifier, length and contents).
 *
 * @example
 *
 * ```ts
 * const [first]: DerNode[] = derNodes(new Uint8Array([0x05, 0x00]))
 * first.encoded // Uint8Array [0x05, 0x00]
 * ```
 *
 * @internal
 */
export interface DerNode extends DerElement {
  /** The whole element: identifier, length and contents octets (a view into the input). */
  readonly encoded: Uint8Array
}

/**
 * A `certificate_invalid` error for `what` (no input bytes in the message).
 *
 * @example
 *
 * ```ts
 * throw certificateInvalid('no SubjectPublicKeyInfo')
 * ```
 *
 * @internal
 */
export function certificateInvalid(what: string, cause?: unknown): CredsignError {
  return new CredsignError('certificate_invalid', `malformed certificate: ${what}`, { cause })
}

/**
 * Every element of `bytes`, in order; `bytes` must be exactly a run of whole elements.
 *
 * @example
 *
 * ```ts
 * derNodes(new Uint8Array([0x05, 0x00, 0x05, 0x00])).length // 2
 * ```
 *
 * @internal
 */
export function derNodes(bytes: Uint8Array): DerNode[] {
  const nodes: DerNode[] = []
  let offset = 0
  try {
    while (offset < bytes.length) {
      const { element, next } = codecs().der.readDer(bytes, offset)
      nodes.push({ ...element, encoded: bytes.subarray(offset, next) })
      offset = next
    }
  } catch (error) {
    throw certificateInvalid('bad DER', error)
  }
  return nodes
}

/**
 * The one element spanning all of `bytes`, with tag `tag`.
 *
 * @example
 *
 * ```ts
 * derNode(new Uint8Array([0x30, 0x00]), 0x30).value.length // 0
 * ```
 *
 * @internal
 */
export function derNode(bytes: Uint8Array, tag: number, what: string): DerNode {
  const nodes = derNodes(bytes)
  const [node] = nodes
  if (nodes.length !== 1 || node === undefined) throw certificateInvalid(`${what}: not one element`)
  if (node.tag !== tag) throw certificateInvalid(`${what}: unexpected tag`)
  return node
}

/**
 * The children of a constructed element with tag `tag`.
 *
 * @example
 *
 * ```ts
 * derChildren({ tag: 0x30, value: new Uint8Array([0x05, 0x00]) }, 0x30, 'x').length // 1
 * ```
 *
 * @internal
 */
export function derChildren(element: DerElement, tag: number, what: string): DerNode[] {
  if (element.tag !== tag) throw certificateInvalid(`${what}: unexpected tag`)
  if ((element.tag & 0x20) === 0) throw certificateInvalid(`${what}: not constructed`)
  return derNodes(element.value)
}

/**
 * The dotted form of an OBJECT IDENTIFIER's contents (minimal base-128 arcs).
 *
 * @example
 *
 * ```ts
 * oidString(new Uint8Array([0x55, 0x1d, 0x13])) // '2.5.29.19'
 * ```
 *
 * @internal
 */
export function oidString(value: Uint8Array): string {
  if (value.length === 0 || value.length > 64) throw certificateInvalid('bad object identifier')
  const arcs: number[] = []
  let arc = 0
  let started = false
  for (const byte of value) {
    // 0x80 as the first octet of an arc is a non-minimal encoding (X.690 8.19.2).
    if (!started && byte === 0x80) throw certificateInvalid('bad object identifier')
    started = true
    arc = arc * 128 + (byte & 0x7f)
    if (arc > Number.MAX_SAFE_INTEGER / 128) throw certificateInvalid('bad object identifier')
    if ((byte & 0x80) === 0) {
      arcs.push(arc)
      arc = 0
      started = false
    }
  }
  if (started) throw certificateInvalid('bad object identifier')
  const [first = 0, ...rest] = arcs
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80]
  return [...head, ...rest].join('.')
}

/**
 * A small non-negative DER INTEGER (a version, a pathLenConstraint), read by keys/der.ts's
 * `derSmallInt` (minimal, non-negative, at most 4 magnitude octets).
 *
 * @example
 *
 * ```ts
 * derSmallInteger({ tag: 0x02, value: new Uint8Array([0x02]) }, 'version') // 2
 * ```
 *
 * @internal
 */
export function derSmallInteger(element: DerElement, what: string): number {
  try {
    return codecs().der.derSmallInt(element)
  } catch (error) {
    throw certificateInvalid(`${what}: not a small non-negative INTEGER`, error)
  }
}

/**
 * The octets of a BIT STRING without unused bits (a signature), read by keys/der.ts's
 * `derBitStringBytes`.
 *
 * @example
 *
 * ```ts
 * derBitStringOctets({ tag: 0x03, value: new Uint8Array([0x00, 0xab]) }, 'x') // Uint8Array [0xab]
 * ```
 *
 * @internal
 */
export function derBitStringOctets(element: DerElement, what: string): Uint8Array {
  try {
    return codecs().der.derBitStringBytes(element)
  } catch (error) {
    throw certificateInvalid(`${what} is not a BIT STRING of whole octets`, error)
  }
}

/**
 * A DER BOOLEAN (X.690 11.1: TRUE is 0xff).
 *
 * @example
 *
 * ```ts
 * derBoolean({ tag: 0x01, value: new Uint8Array([0xff]) }, 'cA') // true
 * ```
 *
 * @internal
 */
export function derBoolean(element: DerElement, what: string): boolean {
  if (element.tag !== 0x01 || element.value.length !== 1)
    throw certificateInvalid(`${what}: not a BOOLEAN`)
  if (element.value[0] === 0xff) return true
  if (element.value[0] === 0x00) return false
  throw certificateInvalid(`${what}: not a DER BOOLEAN`)
}
