import { subtle } from '../util/bytes.js'
import type { EcCurveInfo } from './curves.js'

/** Detections by curve name: each curve is probed once per process. */
const detections = new Map<string, Promise<boolean>>()

async function detect(curve: EcCurveInfo): Promise<boolean> {
  const hash = curve.webCryptoHash
  if (hash === undefined) return false
  try {
    // A sign-and-verify round trip rather than a mere "is the name known" probe: a runtime that
    // lists the curve but cannot use it falls back to noble.
    const s = subtle()
    const pair = await s.generateKey({ name: 'ECDSA', namedCurve: curve.algorithm }, false, [
      'sign',
      'verify',
    ])
    const data = new Uint8Array([1, 2, 3])
    const signature = await s.sign({ name: 'ECDSA', hash }, pair.privateKey, data)
    if (signature.byteLength !== 2 * curve.size) return false
    return await s.verify({ name: 'ECDSA', hash }, pair.publicKey, signature, data)
  } catch {
    return false
  }
}

/**
 * Whether this runtime's WebCrypto signs and verifies ECDSA on `curve`: `true` at once for P-256
 * and P-384 (every WebCrypto has them), `false` for secp256k1 (none has it), detected once per
 * process for P-521 (Node, Deno, Firefox and Safari have it; not every runtime does).
 *
 * @example
 *
 * ```ts
 * if (await webCryptoHasCurve(EC_CURVES['P-521'])) console.log('P-521 via crypto.subtle')
 * ```
 */
export function webCryptoHasCurve(curve: EcCurveInfo): Promise<boolean> {
  if (curve.webCryptoEverywhere) return Promise.resolve(true)
  if (curve.webCryptoHash === undefined) return Promise.resolve(false)
  let detection = detections.get(curve.algorithm)
  if (detection === undefined) {
    detection = detect(curve)
    detections.set(curve.algorithm, detection)
  }
  return detection
}
