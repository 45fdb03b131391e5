// VCDM 2.0 section 5.3 (Integrity of Related Resources): the digests of `relatedResource` entries
// are checked against every resource credsign can dereference — a bundled JSON-LD context (by the
// digests of the bytes it was generated from), a document the caller handed over, or what the
// caller's `load` function returns. Nothing is fetched unless the caller supplied `load`.
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { CredsignError } from '../errors/credsign-error.js'
import type { VerificationCheck, VerificationIssue, VerificationResult } from './types.js'
import { BUNDLED_CONTEXT_DIGESTS } from '../credential/bundled-context-digests.js'
import { fromHex, utf8 } from '../util/bytes.js'
import {
  decodeBase58,
  decodeBase64NoPad,
  decodeBase64Padded,
  decodeBase64UrlNoPad,
  decodeBase64UrlPadded,
  decodeHex,
} from './multibase-decoders.js'

/**
 * Where `verify()` (option `relatedResources`) finds the resources named by a credential's
 * `relatedResource` entries, to check their `digestSRI` / `digestMultibase`. Bundled JSON-LD
 * contexts (the credentials v1/v2, Data Integrity, Multikey, JWK, DID v1 contexts) are always
 * known. A resource found nowhere is reported as a `related_resource_unchecked` check, which does
 * not fail verification unless `required` is true.
 *
 * @example
 *
 * ```ts
 * import { verify, type RelatedResourceOptions } from 'credsign'
 * declare const jwt: string
 * const relatedResources: RelatedResourceOptions = {
 *   documents: {
 *     'https://issuer.example/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
 *   },
 *   // Only if you want the network: you choose what may be fetched, with which limits.
 *   load: async (url, { mediaType }) => {
 *     if (!url.startsWith('https://issuer.example/')) return undefined
 *     const response = await fetch(url, {
 *       headers: mediaType === undefined ? {} : { accept: mediaType },
 *       redirect: 'error',
 *     })
 *     return response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined
 *   },
 * }
 * const result = await verify(jwt, { relatedResources })
 * ```
 */
export interface RelatedResourceOptions {
  /**
   * Resources by URL, as bytes or text (text is hashed as UTF-8). They take precedence over bundled
   * contexts.
   */
  documents?: Readonly<Record<string, Uint8Array | string>>
  /**
   * Dereferences a resource that is neither in `documents` nor bundled; `undefined` (or a throw)
   * means it cannot be had, and the resource is reported unchecked. Called with the entry's
   * `mediaType`, which VCDM 2.0 asks to send as `Accept` and to hold the `Content-Type` to. At most
   * 16 calls per document. Without `load` nothing is fetched.
   */
  load?: (url: string, request: { mediaType?: string }) => Promise<Uint8Array | string | undefined>
  /**
   * Fail (`related_resource_unchecked`) when a related resource cannot be dereferenced. Default
   * false.
   */
  required?: boolean
}

/** What became of one `relatedResource` entry. @internal */
interface RelatedResourceOutcome {
  id: string
  path: string
  status: 'match' | 'mismatch' | 'unchecked'
  detail: string
}

type HashName = 'sha256' | 'sha384' | 'sha512' | 'sha3-256' | 'sha3-384' | 'sha3-512'

type Hashes = Readonly<Record<HashName, (bytes: Uint8Array) => Uint8Array>>

/**
 * The hash functions, SHA-3 loaded on first use (when a resource's bytes are to be hashed): few
 * credentials name a related resource, and importing the package need not compile noble's SHA-3. A
 * chunk that cannot be loaded is `crypto_unavailable`, retried by the next document. (The same
 * contract as util/lazy-module.ts, written out here: this module is itself loaded lazily, and
 * importing lazy-module from it made that module a chunk of its own in every app's initial load,
 * +0.2 KB gz on verifySignature.)
 */
let hashesLoading: Promise<Hashes> | undefined
function loadHashes(): Promise<Hashes> {
  hashesLoading ??= import('@noble/hashes/sha3.js').then(
    ({ sha3_256, sha3_384, sha3_512 }): Hashes => ({
      sha256,
      sha384,
      sha512,
      'sha3-256': sha3_256,
      'sha3-384': sha3_384,
      'sha3-512': sha3_512,
    }),
    (cause: unknown) => {
      hashesLoading = undefined
      throw new CredsignError('crypto_unavailable', 'SHA-3 could not be loaded', { cause })
    },
  )
  return hashesLoading
}
const LENGTHS: Readonly<Record<HashName, number>> = {
  sha256: 32,
  sha384: 48,
  sha512: 64,
  'sha3-256': 32,
  'sha3-384': 48,
  'sha3-512': 64,
}
/** Multihash codes (one-byte varints) of the hashes above. */
const MULTIHASH_CODES: ReadonlyMap<number, HashName> = new Map([
  [0x12, 'sha256'],
  [0x20, 'sha384'],
  [0x13, 'sha512'],
  [0x16, 'sha3-256'],
  [0x15, 'sha3-384'],
  [0x14, 'sha3-512'],
])
/**
 * A digest without multihash header, by length: what the VCDM 2.0 suite and the spec's own examples
 * publish.
 */
const RAW_DIGESTS: ReadonlyMap<number, HashName> = new Map([
  [32, 'sha256'],
  [48, 'sha384'],
  [64, 'sha512'],
])
const MULTIBASE_DECODERS: Readonly<Record<string, (text: string) => Uint8Array>> = {
  z: decodeBase58,
  u: decodeBase64UrlNoPad,
  U: decodeBase64UrlPadded,
  m: decodeBase64NoPad,
  M: decodeBase64Padded,
  f: decodeHex,
  F: (text) => decodeHex(text.toLowerCase()),
}
const SRI = /^(sha256|sha384|sha512)-([A-Za-z0-9+/_-]+={0,2})(?:\?[\x21-\x7e]*)?$/i
const MAX_LOADS = 16
const MAX_ENTRIES = 256

/** One digest the issuer stated, decoded; or why it cannot be read. */
type StatedDigest =
  { algorithm: HashName; value: Uint8Array; shown: string } | { unreadable: string; known: boolean }

/** The digests of one resource, computed from its bytes or taken from the bundled table. */
type ResourceDigest = (algorithm: HashName) => Uint8Array | undefined

/**
 * Checks every `relatedResource` entry of `document` that credsign can dereference. Never throws
 * for bad input: an entry that is not an object with a string `id` is the data model's problem
 * (`credential_invalid`) and skipped here. Throws `crypto_unavailable` when SHA-3 cannot be
 * loaded.
 *
 * @internal
 */
async function relatedResourceOutcomes(
  document: Record<string, unknown>,
  options: RelatedResourceOptions = {},
): Promise<RelatedResourceOutcome[]> {
  const value = document.relatedResource
  if (value === undefined) return []
  const entries = asList(value)
  const outcomes: RelatedResourceOutcome[] = []
  let loads = 0
  for (const [index, entry] of entries.entries()) {
    if (index >= MAX_ENTRIES) break
    if (!isJsonObject(entry) || typeof entry.id !== 'string') continue
    const path = Array.isArray(value) ? `relatedResource[${index}]` : 'relatedResource'
    const stated = [
      ...listOf(entry.digestSRI).flatMap(readSri),
      ...listOf(entry.digestMultibase).map(readMultibase),
    ]
    const id = entry.id
    let resource: ResourceDigest | undefined
    let source = ''
    let attempted = false
    const given =
      options.documents !== undefined && Object.hasOwn(options.documents, id)
        ? options.documents[id]
        : undefined
    if (given !== undefined) {
      resource = fromBytes(given, await loadHashes())
      source = 'relatedResources.documents'
    } else if (BUNDLED_CONTEXT_DIGESTS.has(id)) {
      resource = fromKnown(id)
      source = 'bundled context'
    } else if (options.load !== undefined && loads < MAX_LOADS) {
      loads += 1
      attempted = true
      const loaded = await loadResource(
        options.load,
        id,
        typeof entry.mediaType === 'string' ? entry.mediaType : undefined,
      )
      if (loaded !== undefined) {
        resource = fromBytes(loaded, await loadHashes())
        source = 'relatedResources.load'
      }
    }
    if (resource === undefined) {
      const why =
        options.load === undefined
          ? 'not bundled or in relatedResources.documents, and no relatedResources.load'
          : attempted
            ? 'relatedResources.load could not provide it'
            : `relatedResources.load is called at most ${MAX_LOADS} times per document`
      outcomes.push({ id, path, status: 'unchecked', detail: `${clip(id)}: not checked (${why})` })
      continue
    }
    outcomes.push({ id, path, ...compare(stated, resource, source, id) })
  }
  return outcomes
}

function compare(
  stated: StatedDigest[],
  resource: ResourceDigest,
  source: string,
  id: string,
): Pick<RelatedResourceOutcome, 'status' | 'detail'> {
  const matched: string[] = []
  const skipped: string[] = []
  for (const digest of stated) {
    if ('unreadable' in digest) {
      // A digest of a hash credsign knows that cannot be decoded can never match: the issuer's
      // statement about the resource is wrong. One in an encoding or hash credsign does not know is
      // skipped, as SRI skips unknown algorithms.
      if (digest.known) return { status: 'mismatch', detail: `${clip(id)}: ${digest.unreadable}` }
      skipped.push(digest.unreadable)
      continue
    }
    const actual = resource(digest.algorithm)
    if (actual === undefined) {
      skipped.push(`${digest.algorithm} is not known for the ${source}`)
      continue
    }
    if (!equalBytes(actual, digest.value)) {
      return {
        status: 'mismatch',
        detail: `${clip(id)}: the ${digest.shown} digest does not match the ${source}`,
      }
    }
    matched.push(digest.algorithm)
  }
  if (matched.length === 0)
    return {
      status: 'unchecked',
      detail: `${clip(id)}: not checked (${skipped.join('; ') || 'no digest'})`,
    }
  return { status: 'match', detail: `${clip(id)}: ${matched.join(', ')} match the ${source}` }
}

/**
 * The verify() step: records one `related_resource` check per resource compared (a mismatch is
 * `related_resource_mismatch`) and one `related_resource_unchecked` check, not passed and without
 * an error, per resource that could not be dereferenced (an error only with `required: true`). Runs
 * only on a document whose signature verified, so nothing is loaded for a forgery, and only once
 * per document (an enveloped credential's result is its inner one). Never throws.
 *
 * @internal
 */
export async function withRelatedResourceChecks(
  result: VerificationResult,
  options: RelatedResourceOptions | undefined,
): Promise<VerificationResult> {
  const document = result.credential ?? result.presentation
  if (document === undefined || document.relatedResource === undefined) return result
  if (result.checks.some((check) => check.name.startsWith('related_resource'))) return result
  const signature = result.checks.filter((check) => check.name === 'signature')
  if (signature.length === 0 || signature.some((check) => !check.passed)) return result
  let outcomes: RelatedResourceOutcome[]
  try {
    outcomes = await relatedResourceOutcomes(document, options)
  } catch (error) {
    // A check that could not run is not a check that passed: fail closed (it was `[]`, a pass).
    // A credsign error (SHA-3 that could not be loaded: crypto_unavailable) keeps its code.
    const typed = CredsignError.is(error)
    const message = `the related resources could not be checked: ${typed ? error.message : 'unexpected error'}`
    return {
      ...result,
      verified: false,
      checks: [
        ...result.checks,
        { name: 'related_resource_unchecked', passed: false, detail: message },
      ],
      errors: [
        ...result.errors,
        {
          code: typed ? error.code : 'related_resource_unchecked',
          message,
          path: 'relatedResource',
        },
      ],
    }
  }
  const checks: VerificationCheck[] = [...result.checks]
  const errors: VerificationIssue[] = [...result.errors]
  for (const outcome of outcomes) {
    if (outcome.status === 'match')
      checks.push({ name: 'related_resource', passed: true, detail: outcome.detail })
    else if (outcome.status === 'mismatch') {
      checks.push({ name: 'related_resource', passed: false, detail: outcome.detail })
      errors.push({
        code: 'related_resource_mismatch',
        message: outcome.detail,
        path: outcome.path,
      })
    } else {
      checks.push({ name: 'related_resource_unchecked', passed: false, detail: outcome.detail })
      if (options?.required === true)
        errors.push({
          code: 'related_resource_unchecked',
          message: outcome.detail,
          path: outcome.path,
        })
    }
  }
  return { ...result, verified: result.verified && errors.length === 0, checks, errors }
}

/**
 * The signers' step: refuses (`related_resource_mismatch`, nothing is signed) a credential whose
 * `relatedResource` digest does not match a resource credsign can dereference offline (a bundled
 * context, or one of `options.documents`). Resources it cannot dereference are signed as stated.
 *
 * @internal
 */
export async function refuseMismatchedRelatedResources(
  document: Record<string, unknown>,
  options: Pick<RelatedResourceOptions, 'documents'> = {},
): Promise<void> {
  const mismatch = (await relatedResourceOutcomes(document, options)).find(
    (outcome) => outcome.status === 'mismatch',
  )
  if (mismatch !== undefined)
    throw new CredsignError('related_resource_mismatch', `${mismatch.path}: ${mismatch.detail}`)
}

async function loadResource(
  load: NonNullable<RelatedResourceOptions['load']>,
  url: string,
  mediaType: string | undefined,
): Promise<Uint8Array | string | undefined> {
  try {
    const loaded = await load(url, mediaType === undefined ? {} : { mediaType })
    return loaded instanceof Uint8Array || typeof loaded === 'string' ? loaded : undefined
  } catch {
    return undefined
  }
}

function fromBytes(content: Uint8Array | string, hashes: Hashes): ResourceDigest {
  const bytes = typeof content === 'string' ? utf8(content) : content
  const cache = new Map<HashName, Uint8Array>()
  return (algorithm) => {
    let digest = cache.get(algorithm)
    if (digest === undefined) {
      digest = hashes[algorithm](bytes)
      cache.set(algorithm, digest)
    }
    return digest
  }
}

function fromKnown(url: string): ResourceDigest {
  const known = BUNDLED_CONTEXT_DIGESTS.get(url)
  return (algorithm) => {
    const value =
      known !== undefined &&
      (algorithm === 'sha256' || algorithm === 'sha384' || algorithm === 'sha512')
        ? known[algorithm]
        : undefined
    return value === undefined ? undefined : fromHex(value)
  }
}

/** An SRI metadata string: whitespace-separated hash expressions (SRI section 3.5). */
function readSri(value: unknown): StatedDigest[] {
  if (typeof value !== 'string')
    return [{ unreadable: 'a digestSRI value is not a string', known: true }]
  return value
    .split(/\s+/)
    .filter((token) => token !== '')
    .map((token): StatedDigest => {
      const match = SRI.exec(token)
      if (match === null)
        return {
          unreadable: `digestSRI ${clip(token)} is not a sha256/sha384/sha512 hash expression`,
          known: false,
        }
      const algorithm = (match[1] as string).toLowerCase() as HashName
      const text = (match[2] as string).replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/')
      try {
        const bytes = decodeBase64NoPad(text)
        if (bytes.length !== LENGTHS[algorithm])
          return {
            unreadable: `digestSRI ${algorithm} has ${bytes.length} bytes, not ${LENGTHS[algorithm]}`,
            known: true,
          }
        return { algorithm, value: bytes, shown: `digestSRI ${algorithm}` }
      } catch {
        return { unreadable: `digestSRI ${clip(token)} is not base64`, known: true }
      }
    })
}

/**
 * A multibase multihash (VC Data Integrity section 2.6), or a bare SHA-2 digest as the VCDM 2.0
 * suite publishes.
 */
function readMultibase(value: unknown): StatedDigest {
  if (typeof value !== 'string' || value.length < 2)
    return { unreadable: 'a digestMultibase value is not a multibase string', known: true }
  const decoder = MULTIBASE_DECODERS[value[0] as string]
  if (decoder === undefined)
    return {
      unreadable: `digestMultibase base ${clip(value[0] as string)} is not one credsign decodes`,
      known: false,
    }
  let bytes: Uint8Array
  try {
    bytes = decoder(value.slice(1))
  } catch {
    return {
      unreadable: `digestMultibase ${clip(value)} does not decode as its multibase prefix says`,
      known: true,
    }
  }
  const code = bytes[0] ?? -1
  const coded = MULTIHASH_CODES.get(code)
  if (coded !== undefined && bytes[1] === LENGTHS[coded] && bytes.length === LENGTHS[coded] + 2) {
    return { algorithm: coded, value: bytes.subarray(2), shown: `digestMultibase ${coded}` }
  }
  const raw = RAW_DIGESTS.get(bytes.length)
  if (raw !== undefined) return { algorithm: raw, value: bytes, shown: `digestMultibase ${raw}` }
  return {
    unreadable: `digestMultibase ${clip(value)} is not a multihash credsign knows (sha2-256/384/512, sha3-256/384/512)`,
    known: false,
  }
}

/** One value or a list of them; nothing when absent. */
function listOf(value: unknown): unknown[] {
  return value === undefined ? [] : asList(value)
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let index = 0; index < a.length; index += 1)
    difference |= (a[index] as number) ^ (b[index] as number)
  return difference === 0
}

function clip(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)
}

// Not credential/validate-shared's: this module loads lazily, and a module shared by it and the
// entry would be split by bundlers into one more chunk every app loads (+0.1 KB gz on
// verifySignature). Same one-liners.
function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value]
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
