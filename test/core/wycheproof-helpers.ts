/**
 * Shared code of the Project Wycheproof tests (test/core/wycheproof-*.test.ts): the vector file
 * shapes, the backend a verification runs on, and a tally that turns every vector into one of
 * "accepted", "refused" (false, or a typed CredsignError) or "crashed" (anything else thrown).
 */
import { CredsignError } from '../../src/errors/credsign-error.js'
import { cryptoBackend } from '../../src/keys/backend.js'
import { EC_CURVES } from '../../src/keys/curves.js'
import { webCryptoEd25519 } from '../../src/keys/ed25519-support.js'
import type { KeyAlgorithm, PublicJwk } from '../../src/keys/types.js'
import { webCryptoHasCurve } from '../../src/keys/webcrypto-curves.js'
import { b64u } from '../../src/util/bytes.js'

export type WycheproofResult = 'valid' | 'invalid' | 'acceptable'

export interface SignatureVector {
  tcId: number
  comment: string
  flags: string[]
  msg: string
  sig: string
  result: WycheproofResult
}

export interface SignatureGroup {
  type: string
  publicKeyJwk?: Record<string, unknown>
  keyJwk?: Record<string, unknown>
  publicKey?: { pk?: string; curve?: string; wx?: string; wy?: string }
  sha?: string
  mgf?: string
  mgfSha?: string
  sLen?: number
  tests: SignatureVector[]
}

export interface SignatureFile {
  algorithm: string
  numberOfTests: number
  testGroups: SignatureGroup[]
}

export interface JoseVector {
  tcId: number
  comment: string
  flags: string[]
  jws: unknown
  result: WycheproofResult
}

export interface JoseGroup {
  comment: string
  public?: Record<string, unknown>
  private?: Record<string, unknown>
  tests: JoseVector[]
}

export interface JoseFile {
  numberOfTests: number
  testGroups: JoseGroup[]
}

/** What credsign did with one vector. */
export type Verdict = 'accepted' | 'refused' | 'crashed'

/**
 * The verdict of one verification: `true` is accepted; `false` or a typed CredsignError (a key
 * refused on import, an unsupported algorithm, a malformed token) is refused; anything else thrown
 * is a crash (a bug: every bad input must get a CredsignError).
 */
export async function verdictOf(
  run: () => Promise<unknown>,
): Promise<{ verdict: Verdict; detail?: string }> {
  try {
    const value = await run()
    if (value === true) return { verdict: 'accepted' }
    if (value === false) return { verdict: 'refused', detail: 'false' }
    return { verdict: 'crashed', detail: `returned ${String(value)}` }
  } catch (error) {
    if (error instanceof CredsignError) return { verdict: 'refused', detail: error.code }
    return {
      verdict: 'crashed',
      detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    }
  }
}

/** Per-file, per-backend counts, as reported in docs/wycheproof.md. */
export interface Tally {
  validAccepted: number
  invalidRefused: number
  acceptableAccepted: number
  acceptableRefused: number
  /** Vectors of an explicitly skipped kind (see each test's skip list), all refused. */
  skippedRefused: number
  /** `tcId: what went wrong`: must stay empty. */
  wrong: string[]
}

export function emptyTally(): Tally {
  return {
    validAccepted: 0,
    invalidRefused: 0,
    acceptableAccepted: 0,
    acceptableRefused: 0,
    skippedRefused: 0,
    wrong: [],
  }
}

/**
 * Records one verdict against the vector's expected result. `skipReason`: the vector is of a kind
 * credsign does not support (explicit list in the test); such a vector must still never be
 * accepted, whatever its Wycheproof result.
 */
export function record(
  tally: Tally,
  vector: { tcId: number; result: WycheproofResult; comment: string },
  outcome: { verdict: Verdict; detail?: string },
  skipReason?: string,
): void {
  const where = `tcId ${vector.tcId} (${vector.result}, ${vector.comment || 'no comment'})`
  if (outcome.verdict === 'crashed') {
    tally.wrong.push(`${where}: crashed: ${outcome.detail}`)
    return
  }
  if (skipReason !== undefined) {
    if (outcome.verdict === 'accepted')
      tally.wrong.push(`${where}: accepted although ${skipReason}`)
    else tally.skippedRefused++
    return
  }
  if (vector.result === 'valid') {
    if (outcome.verdict === 'accepted') tally.validAccepted++
    else tally.wrong.push(`${where}: valid vector refused (${outcome.detail})`)
  } else if (vector.result === 'invalid') {
    if (outcome.verdict === 'refused') tally.invalidRefused++
    else tally.wrong.push(`${where}: invalid vector accepted`)
  } else if (outcome.verdict === 'accepted') tally.acceptableAccepted++
  else tally.acceptableRefused++
}

/** Bytes of a hex string (Wycheproof's `msg` and `sig`). */
export function fromHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16)
  return out
}

/**
 * The implementation `verifySignature(..., { backend: 'auto' })` reaches for `algorithm` in this
 * test run: node:crypto (vitest project `node-backend`), else the runtime's WebCrypto (project
 * `node`: Node's, project `browser`: Chromium's), else noble (Ed25519 where WebCrypto lacks it,
 * secp256k1 always).
 */
export async function autoBackendName(algorithm: KeyAlgorithm): Promise<string> {
  const runtime =
    typeof (globalThis as { window?: unknown }).window === 'undefined' ? 'node' : 'browser'
  if (cryptoBackend() !== undefined) return 'node:crypto'
  if (algorithm === 'secp256k1') return 'noble'
  if (algorithm === 'P-521' && !(await webCryptoHasCurve(EC_CURVES['P-521']))) return 'noble'
  if (algorithm === 'Ed25519' && !(await webCryptoEd25519())) return 'noble'
  return runtime === 'node' ? 'webcrypto (node)' : 'webcrypto (browser)'
}

/** Wycheproof curve names and the JWK `crv` / coordinate size credsign would use for them. */
const CURVES: Readonly<Record<string, { crv: string; size: number }>> = {
  secp256r1: { crv: 'P-256', size: 32 },
  secp384r1: { crv: 'P-384', size: 48 },
  secp256k1: { crv: 'secp256k1', size: 32 },
  secp521r1: { crv: 'P-521', size: 66 },
}

/**
 * A hex integer as exactly `size` big-endian bytes, base64url (Wycheproof's wx / wy drop or add
 * leading zeros).
 */
function coordinate(hexValue: string, size: number): string {
  let value = BigInt(`0x${hexValue}`)
  const bytes = new Uint8Array(size)
  for (let i = size - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn)
    value >>= 8n
  }
  return b64u(bytes)
}

/**
 * The group's public key as a JWK: `publicKeyJwk` (or `keyJwk`) where the file has one; some ECDSA
 * groups (and the whole DER file) only give the point's coordinates (`publicKey.wx`, `wy`),
 * converted here.
 */
export function groupJwk(group: SignatureGroup): PublicJwk {
  if (group.publicKeyJwk !== undefined) return group.publicKeyJwk as unknown as PublicJwk
  // The RSASSA-PKCS1-v1_5 files name their (public) JWK keyJwk.
  if (group.keyJwk !== undefined) return group.keyJwk as unknown as PublicJwk
  const key = group.publicKey as { curve?: string; wx?: string; wy?: string } | undefined
  const curve = key?.curve === undefined ? undefined : CURVES[key.curve]
  if (key?.wx === undefined || key.wy === undefined || curve === undefined)
    throw new Error(`no public key in a ${group.type} group`)
  return {
    kty: 'EC',
    crv: curve.crv,
    x: coordinate(key.wx, curve.size),
    y: coordinate(key.wy, curve.size),
  } as PublicJwk
}
