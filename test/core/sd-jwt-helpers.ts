/// <reference types="vite/client" />
// Shared pieces of the sd-jwt-*.test.ts files: the spec vectors (copied unchanged into
// test/fixtures/vectors/ietf-sd-jwt*/ and loaded as raw text, so the tests run in Chromium too),
// a Python-json.dumps-compatible encoder, signers over the spec keys, and the reconstruction of a
// generator's input (claims, frame, salts, decoys) from a published payload and its disclosures.
import {
  importPrivateKey,
  loadPrivateKey,
  type KeyAlgorithm,
  type PrivateJwk,
  type PublicJwk,
  type Signer,
} from '../../src/index.js'
import type { DisclosureFrame } from '../../src/formats/sd-jwt/types.js'
import type { SdJwtIssueSeam } from '../../src/formats/sd-jwt/issue.js'

const RAW = import.meta.glob('../fixtures/vectors/{ietf-sd-jwt,ietf-sd-jwt-vc}/**/*', {
  eager: true,
  query: '?raw',
  import: 'default',
}) as Record<string, string>

/** A fixture file's text, by its path under test/fixtures/vectors/. */
export function fixture(path: string): string {
  const text = RAW[`../fixtures/vectors/${path}`]
  if (text === undefined) throw new Error(`no fixture ${path}`)
  return text
}

export function hasFixture(path: string): boolean {
  return RAW[`../fixtures/vectors/${path}`] !== undefined
}

export function fixtureJson<T = unknown>(path: string): T {
  return JSON.parse(fixture(path)) as T
}

/** Example folders (`ietf-sd-jwt/main-example`, …) that hold a given file. */
export function foldersWith(file: string): string[] {
  return Object.keys(RAW)
    .filter((p) => p.endsWith(`/${file}`))
    .map((p) => p.slice('../fixtures/vectors/'.length, -(file.length + 1)))
    .sort()
}

/**
 * Python `json.dumps` with default settings: `", "` and `": "` separators, every character outside
 * printable ASCII escaped as lowercase `\uXXXX`, members in insertion order.
 */
export function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyString(k)}: ${pyJson(v)}`)
      .join(', ')}}`
  }
  if (typeof value === 'string') return pyString(value)
  return JSON.stringify(value)
}

function pyString(text: string): string {
  return JSON.stringify(text).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

interface Keys {
  issuer_private_jwk: PrivateJwk
  issuer_public_jwk: PublicJwk
  holder_private_jwk: PrivateJwk
  holder_public_jwk: PublicJwk
}

export const KEYS = fixtureJson<Keys>('ietf-sd-jwt/keys.json')
export const VC_KEYS = fixtureJson<Keys>('ietf-sd-jwt-vc/keys.json')

export async function signerFromJwk(
  jwk: PrivateJwk,
  id: string,
  algorithm: KeyAlgorithm = 'P-256',
): Promise<Signer> {
  const material = await importPrivateKey({ jwk })
  const key = await loadPrivateKey(algorithm, material.pkcs8)
  material.pkcs8.fill(0)
  return { id, algorithm, publicJwk: material.publicJwk, sign: (data) => key.sign(data) }
}

/** One entry of a `disclosures.json`. */
export interface SpecDisclosure {
  disclosure: string
  digest_sha256: string
  decoded: unknown[]
}

/** The generator input behind a published payload, and the seam that replays its randomness. */
export interface Reconstruction {
  claims: Record<string, unknown>
  frame: DisclosureFrame
  seam: SdJwtIssueSeam
  holder?: PublicJwk
  /** Levels whose decoys sit in arrays (their positions are random in credsign: not reproducible). */
  arrayDecoys: number
}

/**
 * Walks a published issuer payload with its disclosures and recovers the generator input: the
 * claims (always-visible claims in payload order, then the disclosed ones), the disclosure frame,
 * the salt of every disclosure by path, and the decoy digests of every level.
 */
export function reconstruct(
  payload: Record<string, unknown>,
  disclosures: SpecDisclosure[],
): Reconstruction {
  const byDigest = new Map(disclosures.map((d) => [d.digest_sha256, d]))
  const salts = new Map<string, string>()
  const decoys = new Map<string, string[]>()
  let arrayDecoys = 0
  const key = (path: (string | number)[]) => JSON.stringify(path)

  const value = (
    v: unknown,
    path: (string | number)[],
  ): { value: unknown; frame?: DisclosureFrame } => {
    if (Array.isArray(v)) return array(v, path)
    if (v !== null && typeof v === 'object')
      return object(v as Record<string, unknown>, path, false)
    return { value: v }
  }
  const object = (
    o: Record<string, unknown>,
    path: (string | number)[],
    top: boolean,
  ): { value: Record<string, unknown>; frame?: DisclosureFrame } => {
    const out: Record<string, unknown> = {}
    const frame: DisclosureFrame = {}
    let used = false
    for (const [k, v] of Object.entries(o)) {
      if (k === '_sd' || (top && (k === '_sd_alg' || k === 'cnf'))) continue
      const inner = value(v, [...path, k])
      out[k] = inner.value
      if (inner.frame) {
        frame[k] = inner.frame
        used = true
      }
    }
    for (const digest of (o._sd as string[] | undefined) ?? []) {
      const d = byDigest.get(digest)
      if (d === undefined) {
        decoys.set(key(path), [...(decoys.get(key(path)) ?? []), digest])
        frame._sd_decoy = (frame._sd_decoy ?? 0) + 1
        used = true
        continue
      }
      const [salt, name, raw] = d.decoded as [string, string, unknown]
      salts.set(key([...path, name]), salt)
      const inner = value(raw, [...path, name])
      out[name] = inner.value
      frame._sd = [...(frame._sd ?? []), name]
      if (inner.frame) frame[name] = inner.frame
      used = true
    }
    return used ? { value: out, frame } : { value: out }
  }
  const array = (
    a: unknown[],
    path: (string | number)[],
  ): { value: unknown[]; frame?: DisclosureFrame } => {
    const out: unknown[] = []
    const frame: DisclosureFrame = {}
    let used = false
    for (const element of a) {
      const index = out.length
      const digest =
        element !== null &&
        typeof element === 'object' &&
        !Array.isArray(element) &&
        Object.keys(element).length === 1
          ? (element as Record<string, unknown>)['...']
          : undefined
      if (typeof digest === 'string') {
        const d = byDigest.get(digest)
        if (d === undefined) {
          arrayDecoys += 1
          continue
        }
        const [salt, raw] = d.decoded as [string, unknown]
        salts.set(key([...path, index]), salt)
        const inner = value(raw, [...path, index])
        out.push(inner.value)
        frame._sd = [...(frame._sd ?? []), index]
        if (inner.frame) frame[index] = inner.frame
        used = true
        continue
      }
      const inner = value(element, [...path, index])
      out.push(inner.value)
      if (inner.frame) {
        frame[index] = inner.frame
        used = true
      }
    }
    return used ? { value: out, frame } : { value: out }
  }

  const top = object(payload, [], true)
  const seam: SdJwtIssueSeam = {
    encodeJson: pyJson,
    saltGenerator: ({ path }) => {
      const salt = salts.get(key(path))
      if (salt === undefined) throw new Error(`no spec salt for ${key(path)}`)
      return salt
    },
    decoys: ({ path, count }) => {
      const list = decoys.get(key(path)) ?? []
      if (list.length !== count) throw new Error(`expected ${count} decoys at ${key(path)}`)
      return list
    },
  }
  const cnf = payload.cnf as { jwk?: PublicJwk } | undefined
  const result: Reconstruction = { claims: top.value, frame: top.frame ?? {}, seam, arrayDecoys }
  if (cnf?.jwk) result.holder = cnf.jwk
  return result
}

/** Base64url decoding of a JWS segment to JSON. */
export function segmentJson(segment: string): Record<string, unknown> {
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) =>
    c.charCodeAt(0),
  )
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
}
