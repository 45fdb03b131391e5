import { CredsignError } from '../errors/credsign-error.js'
import type { PublicJwk } from '../keys/types.js'
import { constantTimeEqual } from '../util/bytes.js'
import { certificateDers, decodeCertificate } from './parse.js'
import type { CertificateInput, DecodedCertificate } from './parse.js'

/*
 * The chain an issuer attaches to one of its key versions and sends as `x5c`: leaf first, each
 * certificate issued by the next, the trust anchor left out (HAIP 1.0: the verifier has it; RFC
 * 7515 section 4.1.6: the anchor MAY be omitted). Checked when it is attached, so a wrong chain is
 * refused at the vault, not by every wallet later. This is not path validation against a trust
 * anchor (the verifier does that); it is "does this chain belong to this key, in this order".
 */

/**
 * A chain accepted for a key version: what the vault stores and the signer sends.
 *
 * @example
 *
 * ```ts
 * import type { KeyCertificateChain } from 'credsign'
 * declare const chain: KeyCertificateChain
 * if (Date.parse(chain.notAfter) < Date.now() + 30 * 86_400_000) console.log('renew soon')
 * ```
 */
export interface KeyCertificateChain {
  /** The certificates as `x5c` entries (standard base64 DER), leaf first, no trust anchor. */
  x5c: string[]
  /** When the first certificate of the chain expires (ISO 8601): the chain is usable until then. */
  notAfter: string
}

function sameKey(a: PublicJwk, b: PublicJwk | undefined): boolean {
  if (b === undefined || a.kty !== b.kty) return false
  if (a.kty === 'RSA' && b.kty === 'RSA') return a.n === b.n && a.e === b.e
  if (a.kty === 'EC' && b.kty === 'EC') return a.crv === b.crv && a.x === b.x && a.y === b.y
  if (a.kty === 'OKP' && b.kty === 'OKP') return a.crv === b.crv && a.x === b.x
  return false
}

async function issuedBy(child: DecodedCertificate, issuer: DecodedCertificate): Promise<boolean> {
  if (!constantTimeEqual(child.issuerDer, issuer.subjectDer)) return false
  try {
    return await child.pkijs.verify(issuer.pkijs)
  } catch {
    return false // an algorithm WebCrypto cannot check: not shown to be issued by it
  }
}

/**
 * Checks a certificate chain for the key whose public key is `publicJwk` and returns what to store.
 * Errors: `certificate_invalid` (a certificate cannot be decoded, more than 10),
 * `certificate_key_mismatch` (the leaf certifies another key), `certificate_self_signed` (the leaf
 * is self-signed: HAIP refuses it), `certificate_chain_order` (a certificate is not issued by the
 * next one: wrong order, a gap, or a foreign certificate), `certificate_anchor_included` (the last
 * certificate is a self-signed root: leave the trust anchor out), `certificate_expired` (a
 * certificate has expired at `now`).
 *
 * @example
 *
 * ```ts
 * import { checkKeyCertificateChain } from './certificate-chain.js'
 * declare const chainPem: string, publicJwk: import('credsign').PublicJwk
 * const { x5c, notAfter } = await checkKeyCertificateChain(chainPem, publicJwk, Date.now())
 * ```
 *
 * @internal
 */
export async function checkKeyCertificateChain(
  chain: CertificateInput | readonly CertificateInput[],
  publicJwk: PublicJwk,
  now: number,
): Promise<KeyCertificateChain> {
  const certificates: DecodedCertificate[] = []
  for (const der of certificateDers(chain)) certificates.push(await decodeCertificate(der))
  const [leaf] = certificates
  if (leaf === undefined) throw new CredsignError('certificate_invalid', 'no certificate')
  if (!sameKey(publicJwk, leaf.summary.publicJwk))
    throw new CredsignError(
      'certificate_key_mismatch',
      "the chain's leaf certificate is for another key than this key version",
    )
  if (leaf.summary.selfIssued && (await issuedBy(leaf, leaf)))
    throw new CredsignError(
      'certificate_self_signed',
      'the leaf certificate is self-signed; HAIP needs a CA-issued issuer certificate',
    )
  for (let i = 0; i + 1 < certificates.length; i++) {
    if (
      !(await issuedBy(
        certificates[i] as DecodedCertificate,
        certificates[i + 1] as DecodedCertificate,
      ))
    )
      throw new CredsignError(
        'certificate_chain_order',
        `certificate ${i} of the chain is not issued by certificate ${i + 1} (order leaf first, each followed by its issuer)`,
      )
  }
  const last = certificates[certificates.length - 1] as DecodedCertificate
  if (certificates.length > 1 && last.summary.selfIssued && (await issuedBy(last, last)))
    throw new CredsignError(
      'certificate_anchor_included',
      'the chain ends with a self-signed root: leave the trust anchor out (verifiers have it)',
    )
  let notAfter = Infinity
  for (const [index, certificate] of certificates.entries()) {
    const end = Date.parse(certificate.summary.notAfter)
    if (end < now)
      throw new CredsignError(
        'certificate_expired',
        `certificate ${index} of the chain expired at ${certificate.summary.notAfter}`,
      )
    notAfter = Math.min(notAfter, end)
  }
  return {
    x5c: certificates.map((certificate) => certificate.summary.x5c),
    notAfter: new Date(notAfter).toISOString(),
  }
}
