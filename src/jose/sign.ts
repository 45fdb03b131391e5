import { CredsignError } from '../errors/credsign-error.js'
import { jwsAlgorithm } from '../keys/algorithms.js'
import { sameAlgorithm } from './algorithms.js'
import type { JwsAlgorithm, Signer } from '../keys/types.js'
import { asciiB64uInto, asciiText, b64u, b64uInto, b64uLength, utf8 } from '../util/bytes.js'
import { checkHeaders } from './header.js'
import { isOptionsObject, isPlainObject } from './json.js'
import { hasPrivateMembers } from './private-jwk.js'
import type { FlattenedJws, GeneralJws, JoseHeader, JwsSignatureInput } from './types.js'

/** One signature of a JWS: the encoded protected header, the unprotected header and the signature. */
interface SignatureParts {
  protected: string
  header?: JoseHeader
  signature: string
}

/**
 * Signs `payload` as a JWS in compact serialization (RFC 7515 section 7.1):
 * `BASE64URL(header).BASE64URL(payload).BASE64URL(signature)`.
 *
 * The protected header gets `alg` from the signer's key type (`EdDSA`, or `Ed25519` with
 * `ed25519Name: 'Ed25519'`; `ES256`, `ES384`, `ES512`, `ES256K`; for RSA keys the one algorithm the
 * key was made for: `PS256`, `PS384`, `PS512`, `RS256`, `RS384`, `RS512`; with `fullySpecified`,
 * the RFC 9864 names `Ed25519`, `ESP256`, `ESP384`, `ESP512`). An `alg` given in `protectedHeader`
 * must name the same algorithm (`invalid_argument`), and may pick the polymorphic or the
 * fully-specified name (`EdDSA` or `Ed25519`, `ES256` or `ESP256`, ...) when no option does. `kid`
 * defaults to `signer.id` (`includeKid: false` leaves it out). Members keep the order given, so a
 * caller can reproduce an exact header; `alg` (and a defaulted `kid`) come first when the caller
 * did not place them. A string payload is signed as its UTF-8 bytes.
 *
 * Errors: `invalid_argument` (bad payload, header or signer; a header member that is not JSON;
 * `crit` not per RFC 7515; `b64: false`, which credsign does not produce), `unsupported_algorithm`,
 * and whatever the signer throws (e.g. `signer_locked`).
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, signCompact } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'query-signer', algorithm: 'Ed25519', secrets: ['s1'] })
 * const jws = await vault.withKey('query-signer', ['s1'], (signer) =>
 *   signCompact(signer, JSON.stringify({ from: 'mydb:main', select: ['?name'] }), {
 *     protectedHeader: { typ: 'JWT' },
 *   }),
 * )
 * // 'eyJhbGciOiJFZERTQSIsImtpZCI6InF1ZXJ5LXNpZ25lciIsInR5cCI6IkpXVCJ9.eyJmcm9tIjoi….…'
 * ```
 */
export async function signCompact(
  signer: Signer,
  payload: Uint8Array | string,
  options: Omit<JwsSignatureInput, 'signer' | 'unprotectedHeader'> = {},
): Promise<string> {
  if (!isOptionsObject(options))
    throw new CredsignError('invalid_argument', 'options must be an object')
  if ((options as JwsSignatureInput).unprotectedHeader !== undefined) {
    throw new CredsignError(
      'invalid_argument',
      'the compact serialization has no unprotected header',
    )
  }
  if (typeof payload !== 'string') payloadBytesOf(payload) // the same argument check, first
  const prepared = prepareSignature({ ...options, signer })
  // The signing input is built as bytes (ASCII base64url), not as strings that are then encoded:
  // the same bytes signPayload signs, with one allocation and no UTF-8 pass over the payload text.
  // ASCII JSON (the usual case) is base64url-encoded straight from its characters.
  const data =
    asciiSigningInput(prepared.protectedJson, payload) ??
    bytesSigningInput(utf8(prepared.protectedJson), payloadBytesOf(payload))
  const signingInput = asciiText(data)
  const signature = await prepared.signer.sign(data)
  if (!(signature instanceof Uint8Array))
    throw new CredsignError('invalid_argument', 'the signer did not return a Uint8Array')
  return `${signingInput}.${b64u(signature)}`
}

/**
 * Signs `payload` as a JWS in flattened JSON serialization (RFC 7515 section 7.2.2): one signature,
 * with an optional unprotected header (`header`). Header rules as in {@link signCompact}; `alg` and
 * `crit` always go in the protected header, and the protected and unprotected headers must not
 * share a member.
 *
 * @example
 *
 * ```ts
 * import { generateKeyPair, loadPrivateKey, signFlattened, type Signer } from 'credsign'
 * const { pkcs8, publicJwk } = await generateKeyPair('P-256')
 * const key = await loadPrivateKey('P-256', pkcs8)
 * const signer: Signer = {
 *   id: 'did:web:issuer.example#key-1',
 *   algorithm: 'P-256',
 *   publicJwk,
 *   sign: (data) => key.sign(data),
 * }
 * const jws = await signFlattened(
 *   { signer, unprotectedHeader: { 'x-request-id': '42' } },
 *   '{"hello":"world"}',
 * )
 * // { payload: 'eyJoZWxsbyI6IndvcmxkIn0', protected: 'eyJhbGciOiJFUzI1NiIs…', header: { 'x-request-id': '42' }, signature: '…' }
 * ```
 */
export async function signFlattened(
  input: JwsSignatureInput,
  payload: Uint8Array | string,
): Promise<FlattenedJws> {
  const payloadB64 = encodePayload(payload)
  const parts = await signPayload(input, payloadB64)
  return { payload: payloadB64, ...parts }
}

/**
 * Signs `payload` once per input, as a JWS in general JSON serialization (RFC 7515 section 7.2.1):
 * one payload, several signatures, possibly by keys of different types (e.g. an Ed25519 and a P-256
 * key during an algorithm migration). Header rules as in {@link signFlattened}, per signature.
 * `inputs` must be a non-empty array.
 *
 * @example
 *
 * ```ts
 * import {
 *   generateKeyPair,
 *   loadPrivateKey,
 *   signGeneral,
 *   type KeyAlgorithm,
 *   type Signer,
 * } from 'credsign'
 * async function signerFor(algorithm: KeyAlgorithm, id: string): Promise<Signer> {
 *   const { pkcs8, publicJwk } = await generateKeyPair(algorithm)
 *   const key = await loadPrivateKey(algorithm, pkcs8)
 *   return { id, algorithm, publicJwk, sign: (data) => key.sign(data) }
 * }
 * const jws = await signGeneral('{"tx":1}', [
 *   { signer: await signerFor('Ed25519', 'did:web:a.example#k1') },
 *   { signer: await signerFor('P-256', 'did:web:b.example#k1') },
 * ])
 * jws.signatures.length // 2
 * ```
 */
export async function signGeneral(
  payload: Uint8Array | string,
  inputs: JwsSignatureInput[],
): Promise<GeneralJws> {
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw new CredsignError('invalid_argument', 'inputs must be a non-empty array')
  const payloadB64 = encodePayload(payload)
  const signatures = await Promise.all(inputs.map((input) => signPayload(input, payloadB64)))
  return { payload: payloadB64, signatures }
}

/**
 * Signs one signature over an already encoded payload and returns its parts. Shared by the three
 * serializations and by `signJwt`.
 */
export async function signPayload(
  input: JwsSignatureInput,
  payloadB64: string,
): Promise<SignatureParts> {
  const { signer, protectedJson, unprotected } = prepareSignature(input)
  const protectedB64 = b64u(utf8(protectedJson))
  const signature = await signer.sign(utf8(`${protectedB64}.${payloadB64}`))
  if (!(signature instanceof Uint8Array))
    throw new CredsignError('invalid_argument', 'the signer did not return a Uint8Array')
  return unprotected === undefined
    ? { protected: protectedB64, signature: b64u(signature) }
    : { protected: protectedB64, header: unprotected, signature: b64u(signature) }
}

/** One signature input, checked, with its protected header as JSON text. */
interface PreparedSignature {
  signer: Signer
  protectedJson: string
  unprotected: JoseHeader | undefined
}

/** Everything {@link signPayload} checks and derives before it signs. */
function prepareSignature(input: JwsSignatureInput): PreparedSignature {
  if (!isPlainObject(input))
    throw new CredsignError('invalid_argument', 'a signature input must be an object')
  const { signer, includeKid = true, ed25519Name, fullySpecified } = input
  checkSigner(signer)
  const given = withoutUndefined(input.protectedHeader, 'protectedHeader') ?? {}
  const unprotected = withoutUndefined(input.unprotectedHeader, 'unprotectedHeader')

  const alg = signingAlgorithm(signer, { ed25519Name, fullySpecified }, given.alg)
  let header: JoseHeader
  if (given.alg !== undefined) {
    // The caller placed alg: keep the caller's member order (an exact header can be reproduced).
    header = { ...given, alg }
    if (includeKid && header.kid === undefined && unprotected?.kid === undefined)
      header.kid = signer.id
  } else {
    const kid =
      includeKid && given.kid === undefined && unprotected?.kid === undefined
        ? { kid: signer.id }
        : {}
    header = { alg, ...kid, ...given }
  }
  checkHeaders(header, unprotected, [], 'sign')
  for (const part of [header, unprotected]) {
    const jwk = part?.jwk
    if (isPlainObject(jwk) && hasPrivateMembers(jwk)) {
      throw new CredsignError('invalid_argument', 'a header jwk must be a public key')
    }
  }

  const protectedJson = toJson(header, 'protectedHeader')
  if (unprotected !== undefined) toJson(unprotected, 'unprotectedHeader')
  return { signer, protectedJson, unprotected }
}

/**
 * The JWS `alg` for a signer. With no naming option, a header `alg` that names the key's algorithm
 * by its other name (`EdDSA`/`Ed25519`, `ES256`/`ESP256`, ...) picks the name; otherwise the name
 * follows from the key and the options, and must match.
 */
function signingAlgorithm(
  signer: Signer,
  naming: Pick<JwsSignatureInput, 'ed25519Name' | 'fullySpecified'>,
  headerAlg: unknown,
): JwsAlgorithm {
  const { ed25519Name, fullySpecified } = naming
  const options = {
    ...(ed25519Name === undefined ? {} : { ed25519Name }),
    ...(fullySpecified === undefined ? {} : { fullySpecified }),
  }
  const alg = jwsAlgorithm(signer.algorithm, options)
  if (
    ed25519Name === undefined &&
    fullySpecified === undefined &&
    typeof headerAlg === 'string' &&
    sameAlgorithm(headerAlg, alg)
  ) {
    return headerAlg as JwsAlgorithm
  }
  if (headerAlg !== undefined && headerAlg !== alg) {
    throw new CredsignError(
      'invalid_argument',
      `the header says alg ${JSON.stringify(String(headerAlg).slice(0, 16))} but the ${signer.algorithm} signer signs ${alg}`,
    )
  }
  return alg
}

function checkSigner(signer: unknown): asserts signer is Signer {
  const s = signer as Partial<Signer> | null | undefined
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.sign !== 'function' ||
    typeof s.algorithm !== 'string' ||
    typeof s.id !== 'string'
  ) {
    throw new CredsignError('invalid_argument', 'signer must have id, algorithm and sign()')
  }
}

/** A shallow copy without members set to `undefined` (so `{ kid: undefined }` means "no kid"). */
function withoutUndefined(header: JoseHeader | undefined, what: string): JoseHeader | undefined {
  if (header === undefined) return undefined
  if (!isPlainObject(header))
    throw new CredsignError('invalid_argument', `${what} must be an object`)
  // fromEntries defines data properties: a member named __proto__ stays a member.
  return Object.fromEntries(
    Object.entries(header).filter(([, value]) => value !== undefined),
  ) as JoseHeader
}

function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value)
  } catch (cause) {
    throw new CredsignError('invalid_argument', `${what} cannot be serialized as JSON`, { cause })
  }
}

/** `BASE64URL(header) '.' BASE64URL(payload)` as bytes, or undefined unless both are ASCII text. */
function asciiSigningInput(
  headerJson: string,
  payload: Uint8Array | string,
): Uint8Array | undefined {
  if (typeof payload !== 'string') return undefined
  const headerLength = b64uLength(headerJson.length)
  const data = new Uint8Array(headerLength + 1 + b64uLength(payload.length))
  if (asciiB64uInto(headerJson, data, 0) < 0) return undefined
  data[headerLength] = 0x2e // '.'
  if (asciiB64uInto(payload, data, headerLength + 1) < 0) return undefined
  return data
}

/** `BASE64URL(header) '.' BASE64URL(payload)` as bytes. */
function bytesSigningInput(headerBytes: Uint8Array, payloadBytes: Uint8Array): Uint8Array {
  const headerLength = b64uLength(headerBytes.length)
  const data = new Uint8Array(headerLength + 1 + b64uLength(payloadBytes.length))
  b64uInto(headerBytes, data, 0)
  data[headerLength] = 0x2e // '.'
  b64uInto(payloadBytes, data, headerLength + 1)
  return data
}

/** The base64url payload segment; strings are signed as UTF-8. */
export function encodePayload(payload: Uint8Array | string): string {
  return b64u(payloadBytesOf(payload))
}

/** The payload's bytes; strings are signed as UTF-8. */
function payloadBytesOf(payload: Uint8Array | string): Uint8Array {
  if (typeof payload === 'string') return utf8(payload)
  if (payload instanceof Uint8Array) return payload
  throw new CredsignError('invalid_argument', 'payload must be a string or a Uint8Array')
}
