import { fromHex, subtle } from '../util/bytes.js'

// RFC 8032 section 7.1, TEST 1: the seed as PKCS#8, and the signature of the empty message.
const TEST_PKCS8 = fromHex(
  '302e020100300506032b6570042204209d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
)
const TEST_PUBLIC = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
const TEST_SIGNATURE = fromHex(
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
)

let detection: Promise<boolean> | undefined

async function detect(): Promise<boolean> {
  try {
    const s = subtle()
    // A known-answer run rather than a mere "does it import" probe: a runtime that exposes the
    // name but signs differently (or only half-implements it) falls back to noble.
    const privateKey = await s.importKey('pkcs8', TEST_PKCS8, { name: 'Ed25519' }, false, ['sign'])
    const signature = new Uint8Array(
      await s.sign({ name: 'Ed25519' }, privateKey, new Uint8Array(0)),
    )
    if (signature.length !== 64 || !signature.every((byte, i) => byte === TEST_SIGNATURE[i]))
      return false
    const publicKey = await s.importKey('raw', TEST_PUBLIC, { name: 'Ed25519' }, true, ['verify'])
    return await s.verify({ name: 'Ed25519' }, publicKey, TEST_SIGNATURE, new Uint8Array(0))
  } catch {
    return false
  }
}

/**
 * Whether this runtime's WebCrypto signs and verifies Ed25519 correctly. Detected once per process
 * (a known-answer test) and cached.
 *
 * @example
 *
 * ```ts
 * if (await webCryptoEd25519()) console.log('Ed25519 via crypto.subtle')
 * ```
 */
export function webCryptoEd25519(): Promise<boolean> {
  detection ??= detect()
  return detection
}
