import { CredsignError } from '../../errors/credsign-error.js'
import { isPlainObject } from '../../jose/json.js'
import type { DecodedDisclosure } from './types.js'

/**
 * Deepest nesting of processed claims, across recursive disclosures (each disclosure's JSON is
 * bounded on its own).
 */
const MAX_PROCESSING_DEPTH = 128

/**
 * The digests behind the members of one processed container: member name or array index → digest.
 *
 * @internal
 */
export type DigestSources = WeakMap<object, Map<string | number, string>>

/** What {@link processPayload} produces. @internal */
export interface ProcessedPayload {
  claims: Record<string, unknown>
  /** JSON paths of the disclosed claims, in processing order. */
  disclosed: string[]
  /** For each processed object or array, which of its members came from which disclosure. */
  sources: DigestSources
}

/**
 * Applies disclosures to an issuer-signed payload (RFC 9901 section 7.1, steps 3 to 5):
 *
 * - Every `_sd` digest and every `{"...": digest}` array element is looked up among the disclosures;
 *   a match is inserted (an object property, or the array element), recursively; digests without a
 *   match are decoys (an unmatched array element is removed);
 * - `_sd` everywhere and `_sd_alg` at the top are removed.
 *
 * Refused with `disclosure_invalid`: the same disclosure twice; a digest that occurs more than once
 * in the payload and the disclosures; a disclosure referenced by no digest; an array-element
 * disclosure in `_sd` or a property disclosure in an array; a disclosed name that already exists at
 * its level; `_sd` that is not an array of strings; `...` that is not a string.
 *
 * @example
 *
 * ```ts
 * const { claims, disclosed } = processPayload({ _sd: [d1], iss: 'https://issuer.example' }, [
 *   disclosure1,
 * ])
 * ```
 *
 * @internal
 */
export function processPayload(
  payload: Record<string, unknown>,
  disclosures: readonly DecodedDisclosure[],
): ProcessedPayload {
  const byDigest = new Map<string, DecodedDisclosure>()
  for (const disclosure of disclosures) {
    if (byDigest.has(disclosure.digest))
      throw new CredsignError('disclosure_invalid', 'the same disclosure is presented twice')
    byDigest.set(disclosure.digest, disclosure)
  }
  const state: State = {
    byDigest,
    seen: new Set(),
    used: new Set(),
    disclosed: [],
    sources: new WeakMap(),
  }
  const claims = processObject(payload, '', 0, state, true)
  if (state.used.size !== byDigest.size) {
    throw new CredsignError(
      'disclosure_invalid',
      `${byDigest.size - state.used.size} disclosure(s) are not referenced by any digest`,
    )
  }
  return { claims, disclosed: state.disclosed, sources: state.sources }
}

interface State {
  byDigest: Map<string, DecodedDisclosure>
  seen: Set<string>
  used: Set<string>
  disclosed: string[]
  sources: DigestSources
}

function processValue(value: unknown, path: string, depth: number, state: State): unknown {
  if (Array.isArray(value)) return processArray(value, path, depth + 1, state)
  if (isPlainObject(value)) return processObject(value, path, depth + 1, state, false)
  return value
}

function processObject(
  input: Record<string, unknown>,
  path: string,
  depth: number,
  state: State,
  top: boolean,
): Record<string, unknown> {
  if (depth > MAX_PROCESSING_DEPTH)
    throw new CredsignError(
      'disclosure_invalid',
      `the claims nest deeper than ${MAX_PROCESSING_DEPTH} levels`,
    )
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(input)) {
    if (name === '_sd' || (top && name === '_sd_alg')) continue
    define(out, name, processValue(value, pathOf(path, name), depth, state))
  }
  const digests = input._sd
  if (digests === undefined) return out
  if (!Array.isArray(digests) || digests.some((d) => typeof d !== 'string'))
    throw new CredsignError(
      'disclosure_invalid',
      `${path || 'the payload'}: _sd must be an array of digests`,
    )
  let sources: Map<string | number, string> | undefined
  for (const digest of digests as string[]) {
    const disclosure = lookup(digest, state)
    if (disclosure === undefined) continue // a decoy, or a claim the holder did not disclose
    const name = disclosure.name
    if (name === undefined)
      throw new CredsignError(
        'disclosure_invalid',
        `${path || 'the payload'}: an array-element disclosure is referenced from _sd`,
      )
    if (Object.prototype.hasOwnProperty.call(out, name)) {
      throw new CredsignError(
        'disclosure_invalid',
        `a disclosure sets ${JSON.stringify(name.slice(0, 40))}, which already exists at ${path || 'the top level'}`,
      )
    }
    const claimPath = pathOf(path, name)
    state.disclosed.push(claimPath)
    define(out, name, processValue(disclosure.value, claimPath, depth, state))
    sources ??= new Map()
    sources.set(name, digest)
  }
  if (sources !== undefined) state.sources.set(out, sources)
  return out
}

function processArray(input: unknown[], path: string, depth: number, state: State): unknown[] {
  if (depth > MAX_PROCESSING_DEPTH)
    throw new CredsignError(
      'disclosure_invalid',
      `the claims nest deeper than ${MAX_PROCESSING_DEPTH} levels`,
    )
  const out: unknown[] = []
  let sources: Map<string | number, string> | undefined
  for (const element of input) {
    if (!isArrayDigest(element)) {
      out.push(processValue(element, pathOf(path, out.length), depth, state))
      continue
    }
    const digest = element['...']
    if (typeof digest !== 'string')
      throw new CredsignError(
        'disclosure_invalid',
        `${path}: an array element digest ("...") must be a string`,
      )
    const disclosure = lookup(digest, state)
    if (disclosure === undefined) continue // a decoy, or an element the holder did not disclose: removed
    if (disclosure.name !== undefined)
      throw new CredsignError(
        'disclosure_invalid',
        `${path}: a property disclosure is referenced as an array element`,
      )
    const index = out.length
    const elementPath = pathOf(path, index)
    state.disclosed.push(elementPath)
    out.push(processValue(disclosure.value, elementPath, depth, state))
    sources ??= new Map()
    sources.set(index, digest)
  }
  if (sources !== undefined) state.sources.set(out, sources)
  return out
}

/** `{"...": digest}`: an object whose only member is `...` (RFC 9901 section 4.2.4.2). */
function isArrayDigest(element: unknown): element is { '...': unknown } {
  if (!isPlainObject(element)) return false
  const keys = Object.keys(element)
  return keys.length === 1 && keys[0] === '...'
}

function lookup(digest: string, state: State): DecodedDisclosure | undefined {
  if (state.seen.has(digest))
    throw new CredsignError('disclosure_invalid', 'a digest occurs more than once in the SD-JWT')
  state.seen.add(digest)
  const disclosure = state.byDigest.get(digest)
  if (disclosure !== undefined) state.used.add(digest)
  return disclosure
}

/** A data member, whatever its name (`__proto__` included). */
function define(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/

/**
 * A JSON path: `name`, `a.b`, `a[0]`, and `a["odd name"]` for names that are not identifiers.
 *
 * @example
 *
 * ```ts
 * pathOf('address', 'street_address') // 'address.street_address'
 * pathOf('', '@context') // '["@context"]'
 * ```
 *
 * @internal
 */
export function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  if (IDENTIFIER.test(key)) return parent === '' ? key : `${parent}.${key}`
  return `${parent}[${JSON.stringify(key)}]`
}
