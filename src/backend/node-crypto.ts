import { Buffer } from 'node:buffer'
// A namespace import: a runtime whose node:crypto lacks a function still loads this module, and the
// self-tests turn the missing function into "decline" (the default path).
import * as nodeCrypto from 'node:crypto'
import type { JsonWebKey as NodeJsonWebKey, KeyObject } from 'node:crypto'
import { CredsignError } from '../errors/credsign-error.js'
import { EC_CURVES, isEcAlgorithm, toLowS } from '../keys/curves.js'
import type { EcAlgorithm } from '../keys/curves.js'
import { isRsaPublicKey, jwkFromPublicKey } from '../keys/jwk.js'
import { isRsaAlgorithm, RSA_SCHEMES } from '../keys/rsa-algorithms.js'
import type { PublicKeyBytes } from '../keys/jwk.js'
import { encodePkcs8 } from '../keys/pkcs8.js'
import { webCryptoSigningKey } from '../keys/private-key.js'
import type { PrivateKeyHandle } from '../keys/private-key.js'
import type { KeyAlgorithm } from '../keys/types.js'
import { fromB64u, fromHex, utf8, wipe } from '../util/bytes.js'
import type { CryptoBackend, ScryptParams, ShaAlgorithm } from '../keys/backend.js'

/*
 * The node:crypto backend, installed by the package's `node` export condition (src/index.node.ts).
 * Node, Deno and Bun all match that condition, and their node:crypto modules differ (OpenSSL,
 * a Rust implementation, BoringSSL), so what it takes over is decided per runtime from measurements
 * (BENCHMARKS.md) and per algorithm by a self-test on first use. Everything it declines takes the
 * default WebCrypto / noble path.
 *
 * Two ways to call node:crypto:
 * - `sync`: the synchronous call on the JavaScript thread. For operations of about 25 µs (Ed25519,
 *   P-256, RSA verification) it is the fastest: no hop to a worker thread and back.
 * - `pool`: the callback form, which runs on libuv's thread pool (like WebCrypto does). For the
 *   operations of 0.25 ms and more (P-384, secp256k1, RSA signing) it keeps the event loop free and
 *   lets concurrent signatures use several cores, for a loss of a few per cent against `sync`.
 * A `sync` operation still goes to the pool while another operation of this backend is under way
 * (a batch, e.g. `Promise.all` over many signatures): one at a time, the synchronous call is faster;
 * many at once, the pool spreads them over the cores. See {@link InFlight}.
 */

type Mode = 'sync' | 'pool'

/** What the backend takes over on one runtime; anything absent takes the default path. */
export interface NodeCryptoPolicy {
  readonly sign: Readonly<Partial<Record<KeyAlgorithm, Mode>>>
  readonly verify: Readonly<Partial<Record<KeyAlgorithm, Mode>>>
  readonly scrypt: boolean
  /** Whether SHA-2 digests of short texts (SD-JWT disclosures, `sd_hash`) use `crypto.createHash`. */
  readonly digest: boolean
  /** Whether a `sync` sign / verify started while others are under way goes to the thread pool. */
  readonly batchesToPool: { readonly sign: boolean; readonly verify: boolean }
}

/** A runtime that matches the `node` export condition. */
export type NodeLikeRuntime = 'node' | 'deno' | 'bun'

/**
 * RSA on Node and Bun, every scheme alike: a private-key operation takes milliseconds (the thread
 * pool), a public-key one tens of microseconds (synchronous). P-521 is slower still both ways
 * (pool).
 */
const RSA_MODES = {
  sign: {
    'RSA-PSS': 'pool',
    PS384: 'pool',
    PS512: 'pool',
    RS256: 'pool',
    RS384: 'pool',
    RS512: 'pool',
  },
  verify: {
    'RSA-PSS': 'sync',
    PS384: 'sync',
    PS512: 'sync',
    RS256: 'sync',
    RS384: 'sync',
    RS512: 'sync',
  },
} as const satisfies { sign: NodeCryptoPolicy['sign']; verify: NodeCryptoPolicy['verify'] }

/**
 * Node and Bun alike: Ed25519 and P-256 inline (a signature takes less than a trip to the pool),
 * the slower curves on libuv's thread pool. (Bun's secp256k1 fails the self-test: BoringSSL.)
 */
const CURVE_MODES = {
  Ed25519: 'sync',
  'P-256': 'sync',
  'P-384': 'pool',
  'P-521': 'pool',
  secp256k1: 'pool',
} as const

/**
 * Per-runtime choices, from `npm run bench` and the measurements in BENCHMARKS.md.
 *
 * - Node (OpenSSL): everything. PBKDF2 stays in WebCrypto: node:crypto's pbkdf2 is the same OpenSSL
 *   code on the same thread pool (equal times), so there is nothing to gain.
 * - Bun (BoringSSL): as Node. BoringSSL has no secp256k1: the self-test declines it (noble signs).
 *   Its synchronous signing stays ahead of its thread pool even with 8 signatures in flight, so
 *   batches of signatures stay synchronous (batches of verifications do go to the pool).
 * - SHA-2 of short texts (SD-JWT digests): `createHash` on all three, 3-6x noble for a 70-byte
 *   disclosure (Node 0.7 vs 3.3 µs, Deno 1.6 vs 6.1, Bun 0.4 vs 2.4).
 * - Deno: only Ed25519 and secp256k1, always synchronously. Its node:crypto P-256 is slower than its
 *   WebCrypto, P-384 and RSA gain or lose up to 20 %, and its callback forms cost milliseconds.
 *
 * @example
 *
 * ```ts
 * NODE_CRYPTO_POLICIES.deno.sign['P-256'] // undefined: Deno signs P-256 with WebCrypto
 * ```
 */
export const NODE_CRYPTO_POLICIES: Readonly<Record<NodeLikeRuntime, NodeCryptoPolicy>> = {
  node: {
    sign: {
      ...CURVE_MODES,
      ...RSA_MODES.sign,
    },
    verify: {
      ...CURVE_MODES,
      ...RSA_MODES.verify,
    },
    scrypt: true,
    digest: true,
    batchesToPool: { sign: true, verify: true },
  },
  bun: {
    sign: {
      ...CURVE_MODES,
      ...RSA_MODES.sign,
    },
    verify: {
      ...CURVE_MODES,
      ...RSA_MODES.verify,
    },
    scrypt: true,
    digest: true,
    batchesToPool: { sign: false, verify: true },
  },
  deno: {
    sign: { Ed25519: 'sync', secp256k1: 'sync' },
    verify: { Ed25519: 'sync', secp256k1: 'sync' },
    scrypt: true,
    digest: true,
    batchesToPool: { sign: false, verify: false },
  },
}

/**
 * The runtime this code runs on, among those that match the `node` export condition.
 *
 * @example
 *
 * ```ts
 * detectRuntime() // 'node' under Node.js
 * ```
 */
export function detectRuntime(): NodeLikeRuntime {
  const g = globalThis as { Deno?: unknown; Bun?: unknown }
  if (g.Deno !== undefined) return 'deno'
  if (g.Bun !== undefined) return 'bun'
  return 'node'
}

/**
 * The digest node:crypto signs with: Ed25519 hashes internally (null), ECDSA with its curve's hash,
 * RSA with its algorithm's.
 */
function hashOf(algorithm: KeyAlgorithm): string | null {
  if (algorithm === 'Ed25519') return null
  if (isRsaAlgorithm(algorithm)) return RSA_SCHEMES[algorithm].nodeHash
  return EC_HASH[algorithm]
}

const EC_HASH = {
  'P-256': 'sha256',
  'P-384': 'sha384',
  'P-521': 'sha512',
  secp256k1: 'sha256',
} as const

/**
 * The `Signer` encodings: IEEE P1363 `r || s` for ECDSA; RSASSA-PSS with MGF1 over the same hash
 * and a salt as long as the hash; RSASSA-PKCS1-v1_5 (node:crypto's default padding for RSA keys).
 */
function signingOptions(algorithm: KeyAlgorithm): {
  dsaEncoding?: 'ieee-p1363'
  padding?: number
  saltLength?: number
} {
  if (isRsaAlgorithm(algorithm)) {
    const scheme = RSA_SCHEMES[algorithm]
    if (scheme.webCryptoName === 'RSA-PSS')
      return { padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }
    return { padding: nodeCrypto.constants.RSA_PKCS1_PADDING }
  }
  if (isEcAlgorithm(algorithm)) return { dsaEncoding: 'ieee-p1363' }
  return {}
}

function nodeFailure(operation: string, cause: unknown): CredsignError {
  return new CredsignError('crypto_unavailable', `node:crypto could not ${operation}`, { cause })
}

/** A plain Uint8Array copy (not a Buffer): the same type the other paths return. */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}

/** A Buffer view of `bytes` (no copy), for the node:crypto signatures typed as Buffer-only. */
function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

// --- self-tests -------------------------------------------------------------------------------

const SELF_TEST_MESSAGE = utf8('credsign node:crypto self-test')

// RFC 8032 section 7.1, TEST 1 (the same vector WebCrypto's Ed25519 detection uses).
const RFC8032_PKCS8 =
  '302e020100300506032b6570042204209d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'
const RFC8032_X = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo'
const RFC8032_SIGNATURE =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'

// An RSA-2048 public key and its RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt) signature of
// SELF_TEST_MESSAGE, made once with OpenSSL. Verifying it checks padding, hash and salt length.
const RSA_SELF_TEST = {
  n: 'wzDgyIg7-0ghpPCF-rNbGrvPVwx0SuA8D7GXibP4847sjmJ4tyqddPMJtp_6_bzNpYnoAnnxeRozNQUbJRdlezK3qDWGdFmmnJenEe6_EvQJNNIpOc4gn5GufD26e95YdZmRNjOZt_dhCWKhVB8VLDrmobVbKVX--C3EX4gfSWU604Ofyi4kDDM6HPbZNkV-3OXC5sGX6MAfGyD6bA4Fvu5lsL5cl0FrWihTx1sdsrbKh7a3l_-rjPSUcvBtQbaN0722fKOHo1U-ppRNW53eriekqtjnDpUa96V5Kd012uriyLj0FLp82_tx2hQX4TVXM992UwijLLkJejLnjJIJZQ',
  e: 'AQAB',
  signature:
    'AXutLmz_ox3mdSvkOGi0-xe3kEHSuSBfIQwYCPFtIUzrDNg8ZltaPaQdBUjiav0wlGJojDRtQdAF-ZafQi2HJIeYhvhbbKZGplS2p4zo0p2OA37_X3rbCndhpFFAvwb6hdDQRuVah0vpjZ64Hipn8RUdsJOFw4vJ4LnE5vg7bSKS5s3nr7JGe9GD2uQIFxpTiIqhG7MCdJ41RQCcRf8m_vk0HhhMPBqnRGojytt1qd4lRLQ_SZLa9eNil9dmFnwamSKMUXmpvPkrUIkLc2wdfOkGjHVMIkjb3CLPX5MTpKc8r_g2n_ZdSfSZHJMsmWuzYHAmgJt7esYaEJMsS2QkMQ',
} as const

// A second RSA-2048 public key and its signatures of SELF_TEST_MESSAGE with the other five RSA
// algorithms (PKCS#1 v1.5 with SHA-256/384/512; PSS with SHA-384/512, MGF1 with the same hash and a
// salt as long as the hash), made once with OpenSSL: each checks that algorithm's padding and hash.
const RSA_SCHEME_SELF_TEST = {
  n: 'vEnFWLj7dXYY0HJ-r4gkmdRUSrCH1fYhDd1KBum1RW-eOpA1-Wc5lrD_qwULIsy_Myudol2dAyVPijwXf5FVQp7oqpDtQfn3-glYuKO-UW8JKTGNIc4QiPqoA8DURzzE5yZ3ExORtdmjIiADWc-EdMAESUg6_tWps6c42AbNH5MzfOnhxyNDBOxuOxRySTUGUd8IFzBlpwySIHhyEwNspna5OZH5In9mqUmcI1bkvr5T7rV2qEbglDYAI6jVq67_62g5RL_2QQrLYBYNWaNyEGdf1NFfcNAsVrtRuxnpoUFiMHYcOOpJJKAk93HJu8sk7mSIMAF2WwQJGhHt8ixaPw',
  e: 'AQAB',
  signatures: {
    RS256:
      'tm4czxmxoOgMrFFGj9jAyynoVfuzY61sz0_xEHKQZgWguRk4ZkyTt9jj9eV6FKuAkXBvcn3Elzk0szt0QgddPXoWI7m8kR9Hl6k3SZoZMBMITT6R-nVYtzAnZTKSgVSVV6A6Xot54VAxSnbqQr9gv4YtB5M9gRjKqDWp0URNFXLcPam9fYoxEFtsBNJ7dtp-F27B8qbn1wJc8woW0VFi5EdMD7cP6gVUj7RJWUBV6HBWbNEIFCvWYOkcmVkEzQxJtYaRh001lX8FapOs5gFuIZm3H2axKusIDtlbwpj-8F8tZpv8Ih_dEEm52mi_lyJrL5pEaRb2ou9uBC1EeU9HZQ',
    RS384:
      'XEkZtvRoTkBvWbFNm1yewLRssB8c7uPaiHP0O2iQhn5j-3brZnS-pnkY-4uEwfwlpGYqPERLE8u2pRpWAILx28en1xxEpTHlgIFkj_7dwuN94FomDefr2_VxSWmCgyzp2ekd0xDY7W0VoLQFsWphw6GDyohYh_VYYqMEvZcjEpaIbyjgJCs4OcyhlqdjKsJkoQrphOZdMOMyc4zMSWj46a8M083eBoL7WqmO2FpA7S5Kan8uPBPSowbvZtXwL0k7umMDpT9S4HHQZS9AtzRj3xkMG22i1tybD5WUWrTw9KnHO7xnxH9C3OGLhOIbloGj4axmnrg3RMEOJeIe1jB_kg',
    RS512:
      'oG6m06Yvx86WGmu94NlkwaO4GCt1dJ9IrFHKXCE_-DzPgsofhPdYLyz4TFNDUaqh4qJMFwpIS2E5CN_lYULgfJ314n-qIF3knu3TELFmyCXtM9VR5sQSHHSo3gf8YZUvF8ulF1YG8--Xt3eJ-xK-bhFR2wub6va5-onBa1M9jlb6vqPli5EzHZAkf7bJyYCeB5GDhcodZYZuhKQEi1wT1ip9uknIvjucyiemdm9RHG7Hq_GyojcYg1oB9ql6X3w_OYvjDCBxHcC7Mehs7KoFTohFqJz-Ys9ba-5ysW1ngmu9rFiu0GBNVBNek60YcBNZIVWcGI6F3zdJis38pHIYuA',
    PS384:
      'Cq7lP_4axyM6Ink5ZSteNXfR4QtyzNOQORgALTk6quPiJa9fme75GL2LeOEWkLFeQXXqaFuS3zFkGaR3WJ7oDK7XIl6OsagixRtlLZUov2wRRXkTAYpMQdq5d7ZqYxUck0iUE_yKKOBlDjONfw7ap4sP6eqqX9X4prJDe90TnQZWXYXriW5Z2b4y5mwzfGVQmBLDcXbnGDfYpfeDBG4Pjz3bjYGT6Kcfk-P7MGY_2bcfwd6gSKApBmpV0lMJSLO36EFEHNJiozPyLA7Ui909ih7rycpPQ2R4FHZ1SsIuw8TTYfUvot-uQua377M_Snw2il3yF1MRdRcN-qALmhFTEQ',
    PS512:
      'FWgZyJw8amDtZ965cGRqo4F1VkKK-mP5fcGDTMJj1gLlLmFn9BQB_9M77B7JYxT7SFys-NVc4ux9GyWNypsl8Pn4MkDbqky1OLv4Nr_u5FtFiLRWDeqnbcKYoYOxZR3t_ehzXGSoOYux9VHnunGzDMkOn0hCFw0Pt7f6g9kvGqeEL583uO-REfwB8wyFMMln6QIRjmn_HRlLOKyQ-CjZn_BjCLu-xtUWt1bEax4WjZGSehGkg3hzHnJD1QFbL_LSTwpH62i-mmsaRlREKzJnMqZyg3Je-JYoQBfZGLHgnKTf7tGoe0RlH8tAsAqF-zXsO7R1s354kfKSg2c4Xoq2xw',
  },
} as const

/**
 * The ECDSA known answers, made once with @noble/curves (test/node/backend-node-crypto.test.ts
 * makes them again and compares): for the scalar {@link ecSelfTestScalar}, its uncompressed public
 * point and its deterministic (RFC 6979), low-S, `r || s` signature of the self-test message with
 * the curve's hash. Constants rather than noble itself, so that loading the node entry loads no
 * curve arithmetic.
 *
 * @example
 *
 * ```ts
 * fromB64u(EC_SELF_TEST['P-256'].signature).length // 64
 * ```
 */
export const EC_SELF_TEST: Readonly<
  Record<EcAlgorithm, { readonly publicKey: string; readonly signature: string }>
> = {
  'P-256': {
    publicKey:
      'BFFcPW6545a5BNP-yn9U_c0MwemXvzddylFa0KbDtANfRTa-OlDzGPv5pUdZAqIhUCvvDVfgjFOyzApW8X2fk1Q',
    signature:
      'X3Bu6rR3jo8qL9GnqdNUdw2a_iwJ5iHwveDaC2sTFGAcKFPBItPIb4tCzfJs12hmoVIe5AUIa1xuB9FYrEr46Q',
  },
  'P-384': {
    publicKey:
      'BMdvIoPdqVzUmw7Z5zPSkER043IW8SThPSyatM8BAhxJrZyrs9C5dJmu8vCrMT-gKCa8H4NFG1yJYqdcr_c1iNRACmKWQ2FU-zQ8OT6RBIpse8utyDzYpfJv6uiDFW-SoQ',
    signature:
      'gcbM4289X1mqnMv32oIxpZVGXbXabjqd-jSvgFhHLvyepo1uobmki6W4BB93gFImAGyIxfIIZtSI8RwS1mSKBtiyKPehLLWDYMDmpjLbFW8Aq8apsrF0MjQZejeF5eUF',
  },
  'P-521': {
    publicKey:
      'BAADZsjDsi37h9CSIWPNS1PNQ6JKKfeSkvpO8SiNae0Tmn_AVSEg6hvbT4jKDaTrkd6bB3AY1Yhdv_DpGmZjmptypQC9XkTjpSbhBRpDccm65cdhHtSJWC7NzB6id_4jeShqOhwMciTHseuwqLbl-9pc6tI_R8MAkX1PmPLS1Nx50BCYJg',
    signature:
      'AanDCThGx3FzPdkvLvcg_GcOZdd9I2hgryxyUxCxanH8QOLnlG1O075m270w807PF4sgrgV2ZLDoEg3LGPE1nB69AJKplKfjwXwSIqR2S2K0OAhj-Mzn9w4G6RMtV0Rsp8Y0iNJ3h1_DwLUmNxxDx77UZKL9Alg7ItkISfrHY8ocerZz',
  },
  secp256k1: {
    publicKey:
      'BIS_dWImK71pQAhXSPO-avpSrjFxVRgezjG2Y1HM_6SwjMQ9Y7KFnUaf7hXzHJ7bUyQmbm_QQH6HOC1g_EURrNg',
    signature:
      'B-R6Le-00gCI8EF5nS3nYHMR0fR_ih95hJudpO0HPg0Xsr2N6zfcsK3slAHtxPMOtJKW08gWYA0H4diXYgJkqA',
  },
}

/**
 * The private scalar of the ECDSA self-test: the bytes 1, 2, 3, ... (a value below every curve's
 * group order).
 *
 * @example
 *
 * ```ts
 * ecSelfTestScalar('P-256')[0] // 1
 * ```
 */
export function ecSelfTestScalar(algorithm: EcAlgorithm): Uint8Array {
  return Uint8Array.from({ length: EC_CURVES[algorithm].size }, (_, i) => i + 1)
}

// RFC 7914 section 12, first vector: P = "", S = "", N = 16, r = 1, p = 1, dkLen = 64.
const RFC7914_VECTOR_1 =
  '77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906'

/**
 * Whether this runtime's node:crypto computes scrypt (RFC 7914's first vector, a few microseconds).
 *
 * @example
 *
 * ```ts
 * scryptSelfTest() // true on Node, Deno and Bun
 * ```
 */
export function scryptSelfTest(): boolean {
  try {
    const out = plain(
      nodeCrypto.scryptSync(new Uint8Array(0), new Uint8Array(0), 64, { N: 16, r: 1, p: 1 }),
    )
    const expected = fromHex(RFC7914_VECTOR_1)
    return (
      out.length === 64 &&
      out.every((byte, i) => byte === expected[i]) &&
      typeof nodeCrypto.scrypt === 'function'
    )
  } catch {
    return false
  }
}

function flipped(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes)
  out[out.length - 1] = (out[out.length - 1] as number) ^ 1
  return out
}

/**
 * Whether this runtime's node:crypto signs and verifies `algorithm` exactly as credsign does: a
 * known answer for Ed25519 (deterministic); for ECDSA, a signature made by @noble/curves
 * ({@link EC_SELF_TEST}) accepted, and rejected when altered, before node:crypto's own signature of
 * the same key is checked; a known signature for each RSA algorithm. Any exception means no.
 *
 * @example
 *
 * ```ts
 * selfTest('secp256k1') // false on Bun (BoringSSL has no secp256k1)
 * ```
 */
export function selfTest(algorithm: KeyAlgorithm): boolean {
  try {
    const hash = hashOf(algorithm)
    const options = signingOptions(algorithm)
    if (algorithm === 'Ed25519') {
      const pkcs8 = fromHex(RFC8032_PKCS8)
      const key = nodeCrypto.createPrivateKey({ key: view(pkcs8), format: 'der', type: 'pkcs8' })
      const expected = fromHex(RFC8032_SIGNATURE)
      const signature = plain(nodeCrypto.sign(null, new Uint8Array(0), key))
      if (signature.length !== 64 || !signature.every((byte, i) => byte === expected[i]))
        return false
      const publicKey = nodeCrypto.createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: RFC8032_X },
        format: 'jwk',
      })
      const empty = new Uint8Array(0)
      return (
        nodeCrypto.verify(null, empty, publicKey, expected) &&
        !nodeCrypto.verify(null, empty, publicKey, flipped(expected))
      )
    }
    if (isRsaAlgorithm(algorithm)) {
      const vector =
        algorithm === 'RSA-PSS'
          ? RSA_SELF_TEST
          : {
              n: RSA_SCHEME_SELF_TEST.n,
              e: RSA_SCHEME_SELF_TEST.e,
              signature: RSA_SCHEME_SELF_TEST.signatures[algorithm],
            }
      const publicKey = nodeCrypto.createPublicKey({
        key: { kty: 'RSA', n: vector.n, e: vector.e },
        format: 'jwk',
      })
      const signature = fromB64u(vector.signature)
      return (
        nodeCrypto.verify(hash, SELF_TEST_MESSAGE, { key: publicKey, ...options }, signature) &&
        !nodeCrypto.verify(
          hash,
          SELF_TEST_MESSAGE,
          { key: publicKey, ...options },
          flipped(signature),
        )
      )
    }
    const curve = EC_CURVES[algorithm]
    const vector = EC_SELF_TEST[algorithm]
    const scalar = ecSelfTestScalar(algorithm)
    const point = fromB64u(vector.publicKey)
    const pkcs8 = encodePkcs8({ algorithm, scalar }, { algorithm, publicKey: point })
    const key = nodeCrypto.createPrivateKey({ key: view(pkcs8), format: 'der', type: 'pkcs8' })
    const ours = plain(nodeCrypto.sign(hash, SELF_TEST_MESSAGE, { key, ...options }))
    const theirs = fromB64u(vector.signature)
    const publicKey = nodeCrypto.createPublicKey({
      key: nodeJwk({ algorithm, publicKey: point }),
      format: 'jwk',
    })
    const verifies = (signature: Uint8Array, message: Uint8Array = SELF_TEST_MESSAGE): boolean =>
      nodeCrypto.verify(hash, message, { key: publicKey, ...options }, signature)
    // node:crypto's verification first passes noble's known answer (and rejects it altered or for
    // another message); only then does it judge node:crypto's own (randomised) signature.
    return (
      verifies(theirs) &&
      !verifies(flipped(theirs)) &&
      !verifies(theirs, flipped(SELF_TEST_MESSAGE)) &&
      ours.length === 2 * curve.size &&
      verifies(ours) &&
      !verifies(flipped(ours))
    )
  } catch {
    return false
  }
}

// --- keys -------------------------------------------------------------------------------------

function nodeJwk(key: PublicKeyBytes): NodeJsonWebKey {
  return jwkFromPublicKey(key) as unknown as NodeJsonWebKey
}

/** Public KeyObjects by key, so verifying many signatures of one issuer imports its key once. */
class PublicKeyCache {
  readonly #entries = new Map<string, KeyObject>()
  /**
   * The same KeyObjects by the key object itself: `verifySignature` hands over the same validated
   * object for the same key while that stays in its own cache, so the common case needs no encoding
   * of the key. Weak: forgotten with the key object.
   */
  readonly #byObject = new WeakMap<PublicKeyBytes, KeyObject>()
  constructor(readonly limit: number) {}

  get(key: PublicKeyBytes): KeyObject {
    const known = this.#byObject.get(key)
    if (known !== undefined) return known
    const object = this.#byMembers(key)
    this.#byObject.set(key, object)
    return object
  }

  #byMembers(key: PublicKeyBytes): KeyObject {
    const jwk = jwkFromPublicKey(key) as {
      kty: string
      crv?: string
      x?: string
      y?: string
      n?: string
      e?: string
    }
    const id = jwk.kty === 'RSA' ? `RSA.${jwk.n}.${jwk.e}` : `${jwk.crv}.${jwk.x}.${jwk.y ?? ''}`
    const hit = this.#entries.get(id)
    if (hit !== undefined) {
      // Most recently used last: the first entry is the one to evict.
      this.#entries.delete(id)
      this.#entries.set(id, hit)
      return hit
    }
    let object: KeyObject
    try {
      object = nodeCrypto.createPublicKey({ key: jwk as unknown as NodeJsonWebKey, format: 'jwk' })
    } catch (cause) {
      throw nodeFailure('import the public key', cause)
    }
    this.#entries.set(id, object)
    if (this.#entries.size > this.limit)
      this.#entries.delete(this.#entries.keys().next().value as string)
    return object
  }
}

function expectedSignatureLength(key: PublicKeyBytes): number {
  if (key.algorithm === 'Ed25519') return 64
  if (isRsaPublicKey(key)) return key.n.length
  return 2 * EC_CURVES[key.algorithm].size
}

function signInPool(
  hash: string | null,
  data: Uint8Array,
  key: Parameters<typeof nodeCrypto.sign>[2],
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    try {
      nodeCrypto.sign(hash, data, key, (error, signature) =>
        error ? reject(nodeFailure('sign', error)) : resolve(signature),
      )
    } catch (cause) {
      reject(nodeFailure('sign', cause))
    }
  })
}

function verifyInPool(
  hash: string | null,
  data: Uint8Array,
  key: Parameters<typeof nodeCrypto.verify>[2],
  signature: Uint8Array,
): Promise<boolean> {
  // An error here is a malformed signature (the key was validated): just invalid.
  return new Promise((resolve) => {
    try {
      nodeCrypto.verify(hash, data, key, signature, (error, valid) => resolve(!error && valid))
    } catch {
      resolve(false)
    }
  })
}

/**
 * Counts this backend's operations under way. A synchronous one counts until the microtask after it
 * returns, which runs before its caller resumes: calls made one after another (each awaited) always
 * find the count at zero, while calls started together (a batch) find it above zero.
 *
 * @example
 *
 * ```ts
 * const inFlight = new InFlight()
 * inFlight.busy() // false
 * ```
 */
export class InFlight {
  #count = 0
  /** Whether another operation is under way. */
  busy(): boolean {
    return this.#count > 0
  }
  /** Counts a synchronous operation until the next microtask. */
  sync<T>(run: () => T): T {
    this.#count++
    queueMicrotask(() => {
      this.#count--
    })
    return run()
  }
  /** Counts an operation on the thread pool until it settles. */
  pool<T>(work: () => Promise<T>): Promise<T> {
    this.#count++
    return work().finally(() => {
      this.#count--
    })
  }
}

// --- the backend ------------------------------------------------------------------------------

/**
 * Options of {@link nodeCryptoBackend}.
 *
 * @example
 *
 * ```ts
 * const options: NodeCryptoBackendOptions = { runtime: 'deno', publicKeyCacheSize: 16 }
 * ```
 */
export interface NodeCryptoBackendOptions {
  /** Whose policy to apply (default: the runtime this runs on). */
  runtime?: NodeLikeRuntime
  /** How many public keys `verify` keeps imported (least recently used evicted first). Default 256. */
  publicKeyCacheSize?: number
}

/**
 * The node:crypto backend for `installBackend`: private keys become `KeyObject`s (no copy of the
 * bytes stays in JavaScript memory), signatures come from `crypto.sign` (ECDSA normalised to low-S
 * exactly like the WebCrypto path), verification uses `crypto.verify` with cached public
 * `KeyObject`s (high-S accepted, as on every other path), scrypt runs in `crypto.scrypt` on the
 * thread pool.
 *
 * @example
 *
 * ```ts
 * import { installBackend } from '../keys/backend.js'
 * installBackend(nodeCryptoBackend())
 * ```
 */
export function nodeCryptoBackend(options: NodeCryptoBackendOptions = {}): CryptoBackend {
  const policy = NODE_CRYPTO_POLICIES[options.runtime ?? detectRuntime()]
  const tested = new Map<KeyAlgorithm, boolean>()
  const usable = (algorithm: KeyAlgorithm): boolean => {
    let ok = tested.get(algorithm)
    if (ok === undefined) {
      ok = selfTest(algorithm)
      tested.set(algorithm, ok)
    }
    return ok
  }
  const publicKeys = new PublicKeyCache(options.publicKeyCacheSize ?? 256)
  const inFlight = new InFlight()
  let scryptOk: boolean | undefined
  let digestOk: boolean | undefined

  return {
    name: 'node',

    loadPrivateKey(
      algorithm: KeyAlgorithm,
      pkcs8: Uint8Array,
    ): Promise<PrivateKeyHandle> | undefined {
      const mode = policy.sign[algorithm]
      if (mode === undefined || !usable(algorithm)) return undefined
      let key: KeyObject
      try {
        // A view of the caller's bytes, which the caller wipes: OpenSSL keeps its own copy.
        key = nodeCrypto.createPrivateKey({ key: view(pkcs8), format: 'der', type: 'pkcs8' })
      } catch (cause) {
        return Promise.reject(nodeFailure('import the private key', cause))
      }
      return Promise.resolve(
        privateKeyHandle(algorithm, key, mode, policy.batchesToPool.sign ? inFlight : undefined),
      )
    },

    verify(
      key: PublicKeyBytes,
      data: Uint8Array,
      signature: Uint8Array,
    ): Promise<boolean> | undefined {
      const mode = policy.verify[key.algorithm]
      if (mode === undefined || !usable(key.algorithm)) return undefined
      if (signature.length !== expectedSignatureLength(key)) return Promise.resolve(false)
      let publicKey: KeyObject
      try {
        publicKey = publicKeys.get(key)
      } catch (error) {
        return Promise.reject(error)
      }
      const hash = hashOf(key.algorithm)
      const input = { key: publicKey, ...signingOptions(key.algorithm) }
      if (mode === 'pool' || (policy.batchesToPool.verify && inFlight.busy()))
        return inFlight.pool(() => verifyInPool(hash, data, input, signature))
      return inFlight.sync(() => {
        try {
          return Promise.resolve(nodeCrypto.verify(hash, data, input, signature))
        } catch {
          return Promise.resolve(false)
        }
      })
    },

    scrypt(
      password: Uint8Array,
      salt: Uint8Array,
      { N, r, p, dkLen }: ScryptParams,
    ): Promise<Uint8Array> | undefined {
      scryptOk ??= policy.scrypt && scryptSelfTest()
      if (!scryptOk) return undefined
      // OpenSSL needs 128 * r * (N + 2) bytes for V plus 128 * r * p for B; the envelope bounds
      // (128 * N * r <= 1 GiB) already limit what gets here.
      const maxmem = 128 * r * (N + p + 2)
      return new Promise((resolve, reject) => {
        try {
          nodeCrypto.scrypt(password, salt, dkLen, { N, r, p, maxmem }, (error, derived) => {
            if (error) {
              reject(nodeFailure('run scrypt', error))
              return
            }
            const out = plain(derived)
            wipe(derived)
            resolve(out)
          })
        } catch (cause) {
          // Parameter errors are thrown synchronously (the bounds make them unreachable).
          reject(nodeFailure('run scrypt', cause))
        }
      })
    },

    digestBase64url(algorithm: ShaAlgorithm, text: string): string | undefined {
      digestOk ??= policy.digest && digestSelfTest()
      if (!digestOk) return undefined
      return nodeCrypto
        .createHash(NODE_HASH_NAMES[algorithm])
        .update(text, 'utf8')
        .digest('base64url')
    },

    hmacSha256Base64url(key: Uint8Array, data: Uint8Array): string | undefined {
      digestOk ??= policy.digest && digestSelfTest()
      if (!digestOk) return undefined
      return nodeCrypto.createHmac('sha256', key).update(data).digest('base64url')
    },
  }
}

const NODE_HASH_NAMES: Readonly<Record<ShaAlgorithm, string>> = {
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
}

/**
 * Whether this runtime's `crypto.createHash` gives the FIPS 180-4 digests of "abc" as unpadded
 * base64url for all three SHA-2 sizes (a few microseconds, once).
 *
 * @example
 *
 * ```ts
 * digestSelfTest() // true on Node, Deno and Bun
 * ```
 */
export function digestSelfTest(): boolean {
  try {
    const expected: Readonly<Record<ShaAlgorithm, string>> = {
      'sha-256': 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0',
      'sha-384': 'ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP_W-2AhgcroefMI1i67KE0yCWn',
      'sha-512':
        '3a81oZNherrMQXNJriBBMRLm-k6JqX6iCp7u5ktV05ohkpkqJ0_BqDa6PCOj_uu9RU1EI2Q86A4qmslPpUyknw',
    }
    return (Object.keys(expected) as ShaAlgorithm[]).every(
      (algorithm) =>
        nodeCrypto
          .createHash(NODE_HASH_NAMES[algorithm])
          .update('abc', 'utf8')
          .digest('base64url') === expected[algorithm],
    )
  } catch {
    return false
  }
}

function lockedError(): CredsignError {
  return new CredsignError('signer_locked', 'this private key handle was destroyed')
}

/**
 * `batches`: the backend's InFlight counter when batches of signatures go to the pool, else
 * undefined.
 */
function privateKeyHandle(
  algorithm: KeyAlgorithm,
  key: KeyObject,
  mode: Mode,
  batches: InFlight | undefined,
): PrivateKeyHandle {
  const hash = hashOf(algorithm)
  let input: ({ key: KeyObject } & ReturnType<typeof signingOptions>) | undefined = {
    key,
    ...signingOptions(algorithm),
  }
  const finish = (signature: Uint8Array): Uint8Array => {
    const out = plain(signature)
    // node:crypto ECDSA returns either half; credsign always emits low-S (as on the WebCrypto path).
    return isEcAlgorithm(algorithm) ? toLowS(EC_CURVES[algorithm], out) : out
  }
  return {
    algorithm,
    backend: 'node',
    async sign(data: Uint8Array): Promise<Uint8Array> {
      const current = input
      if (current === undefined) throw lockedError()
      if (!(data instanceof Uint8Array))
        throw new CredsignError('invalid_argument', 'data to sign must be a Uint8Array')
      if (mode === 'pool' || batches?.busy()) {
        const work = (): Promise<Uint8Array> => signInPool(hash, data, current)
        return finish(await (batches ? batches.pool(work) : work()))
      }
      const run = (): Uint8Array => {
        try {
          return finish(nodeCrypto.sign(hash, data, current))
        } catch (cause) {
          throw nodeFailure('sign', cause)
        }
      }
      return batches ? batches.sync(run) : run()
    },
    destroy(): void {
      // A KeyObject cannot be zeroed from JavaScript; OpenSSL clears the key when it is collected.
      input = undefined
    },
    async webCryptoKey(): Promise<CryptoKey> {
      const current = input
      if (current === undefined) throw lockedError()
      // A KeyObject can always be exported, so it is never handed out: a non-extractable CryptoKey
      // is imported from a transient export, wiped at once.
      const exported = current.key.export({ format: 'der', type: 'pkcs8' })
      try {
        return await webCryptoSigningKey(
          algorithm,
          new Uint8Array(exported.buffer, exported.byteOffset, exported.byteLength),
        )
      } finally {
        exported.fill(0)
      }
    },
  }
}
