// Checks of the BUILT `node` export condition entry (dist/index.node.js: the node:crypto backend) on
// Deno and Bun, which match that condition too and bring their own node:crypto. Each runtime's
// policy (src/backend/node-crypto.ts) decides which algorithms go through node:crypto; the rest must
// fall back to WebCrypto / noble. Every signature is checked against an independent implementation
// (WebCrypto called directly, @noble/curves), and the pinned scrypt envelope must open, so the
// backend's output is the same as the default path's.
import { ed25519 } from '@noble/curves/ed25519.js'
import { p256, p384 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { ALGORITHMS, check, roundTrip, type Credsign } from './smoke.ts'

/** The slice of the node entry the checks touch, beyond the smoke tests'. */
export interface NodeEntry extends Credsign {
  generateKeyPair(
    algorithm: string,
    options?: Record<string, unknown>,
  ): Promise<{ algorithm: string; pkcs8: Uint8Array; publicJwk: Record<string, string> }>
  loadPrivateKey(
    algorithm: string,
    pkcs8: Uint8Array,
    options?: Record<string, unknown>,
  ): Promise<{ backend: string; sign(data: Uint8Array): Promise<Uint8Array> }>
  SecretEnvelope: new (options: Record<string, unknown>) => {
    open(sealed: unknown, secrets: string[], context: unknown): Promise<Uint8Array>
  }
}

/** Which implementation `loadPrivateKey` must pick per algorithm on each runtime. */
export const EXPECTED_BACKEND: Record<'deno' | 'bun', Record<string, string>> = {
  // Deno: node:crypto only where it beats Deno's WebCrypto / noble (Ed25519, secp256k1).
  deno: {
    Ed25519: 'node',
    'P-256': 'webcrypto',
    'P-384': 'webcrypto',
    secp256k1: 'node',
    'RSA-PSS': 'webcrypto',
  },
  // Bun: BoringSSL has no secp256k1, which the backend's self-test detects: noble signs it.
  bun: { Ed25519: 'node', 'P-256': 'node', 'P-384': 'node', secp256k1: 'noble', 'RSA-PSS': 'node' },
}

// The pinned scrypt vector of test/core/envelope-fixtures.ts (N = 1024, r = 8, p = 1).
const VECTOR = {
  serviceSecret: 'credsign-test-vector-service-secret-0001',
  secrets: ['key-access-secret-0001', 'user passphrase: crème brûlée'],
  context: { keyId: 'did:example:issuer#key-1', algorithm: 'Ed25519', keyVersion: 1 },
  plaintext: Array.from({ length: 32 }, (_, i) => i),
  sealed: {
    v: 1,
    kid: 'did:example:issuer#key-1',
    alg: 'Ed25519',
    kv: 1,
    kdf: { id: 'scrypt', N: 1024, r: 8, p: 1 },
    salt: 'EBESExQVFhcYGRobHB0eHw',
    sfp: '8laytGqUYpE',
    iv: 'oKGio6Slpqeoqaqr',
    ct: '0w_dVzqsSbBOHo_NmRwUtMV7O8fJoxSIJpv8uubcaP_g3P4RSF3ILkR4ciWkUfh4',
    mac: 'XEWEAnbBbknRjc8YGZkidCAPx1u-gDsITRum_AJJWbs',
  },
}

const WEBCRYPTO: Record<
  string,
  { import: Record<string, string>; verify: Record<string, unknown> }
> = {
  Ed25519: { import: { name: 'Ed25519' }, verify: { name: 'Ed25519' } },
  'P-256': {
    import: { name: 'ECDSA', namedCurve: 'P-256' },
    verify: { name: 'ECDSA', hash: 'SHA-256' },
  },
  'P-384': {
    import: { name: 'ECDSA', namedCurve: 'P-384' },
    verify: { name: 'ECDSA', hash: 'SHA-384' },
  },
  'RSA-PSS': {
    import: { name: 'RSA-PSS', hash: 'SHA-256' },
    verify: { name: 'RSA-PSS', saltLength: 32 },
  },
}

function fromB64u(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/')
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0))
}

function sOf(signature: Uint8Array): bigint {
  let s = 0n
  for (const byte of signature.subarray(signature.length / 2)) s = (s << 8n) | BigInt(byte)
  return s
}

/**
 * Verifies with an implementation other than credsign's: WebCrypto directly, or noble for
 * secp256k1.
 */
async function independentVerify(
  algorithm: string,
  jwk: Record<string, string>,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (algorithm === 'secp256k1') {
    const point = new Uint8Array([4, ...fromB64u(jwk.x as string), ...fromB64u(jwk.y as string)])
    return secp256k1.verify(signature, data, point, {
      prehash: true,
      lowS: true,
      format: 'compact',
    })
  }
  const params = WEBCRYPTO[algorithm] as (typeof WEBCRYPTO)[string]
  const { kid: _kid, ...plain } = jwk
  const key = await crypto.subtle.importKey('jwk', plain, params.import, false, ['verify'])
  return crypto.subtle.verify(params.verify, key, signature, data)
}

/** Named checks; each runtime registers them with its own runner. */
export function nodeEntryChecks(
  lib: NodeEntry,
  runtime: 'deno' | 'bun',
): { name: string; run(): Promise<void> }[] {
  const data = new TextEncoder().encode(`hello from the node entry on ${runtime}`)
  const checks: { name: string; run(): Promise<void> }[] = []
  for (const algorithm of ALGORITHMS) {
    checks.push({
      name: `${algorithm}: ${EXPECTED_BACKEND[runtime][algorithm]} signs; an independent implementation verifies`,
      async run() {
        await roundTrip(lib, algorithm)
        const material = await lib.generateKeyPair(algorithm, { modulusLength: 2048 })
        const key = await lib.loadPrivateKey(algorithm, material.pkcs8)
        check(
          key.backend === EXPECTED_BACKEND[runtime][algorithm],
          `${algorithm} signs with ${key.backend}`,
        )
        const order = { 'P-256': p256, 'P-384': p384, secp256k1 }[algorithm]?.Point.Fn.ORDER
        for (let i = 0; i < (order === undefined ? 3 : 50); i++) {
          const signature = await key.sign(data)
          check(
            await independentVerify(algorithm, material.publicJwk, data, signature),
            `independent verification of ${algorithm} signature ${i}`,
          )
          check(
            await lib.verifySignature(material.publicJwk, data, signature),
            `credsign verifies its ${algorithm} signature ${i}`,
          )
          if (order !== undefined)
            check(sOf(signature) <= order >> 1n, `${algorithm} signature ${i} is low-S`)
        }
      },
    })
  }
  checks.push({
    name: 'Ed25519: byte-identical to @noble/curves',
    async run() {
      const seed = crypto.getRandomValues(new Uint8Array(32))
      const pkcs8 = new Uint8Array([...fromHex('302e020100300506032b657004220420'), ...seed])
      const key = await lib.loadPrivateKey('Ed25519', pkcs8)
      check(key.backend === 'node', `Ed25519 signs with ${key.backend}`)
      for (const message of [new Uint8Array(0), data]) {
        const ours = await key.sign(message)
        check(toHex(ours) === toHex(ed25519.sign(message, seed)), 'same signature as noble')
      }
    },
  })
  checks.push({
    name: 'scrypt: the pinned envelope vector opens (same KDF output)',
    async run() {
      const envelope = new lib.SecretEnvelope({ serviceSecret: VECTOR.serviceSecret })
      const opened = await envelope.open(VECTOR.sealed, VECTOR.secrets, VECTOR.context)
      check(toHex(opened) === toHex(Uint8Array.from(VECTOR.plaintext)), 'pinned plaintext')
    },
  })
  return checks
}

function fromHex(text: string): Uint8Array {
  return Uint8Array.from({ length: text.length / 2 }, (_, i) =>
    parseInt(text.slice(2 * i, 2 * i + 2), 16),
  )
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
