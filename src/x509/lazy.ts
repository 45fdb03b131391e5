import {
  derBitString,
  derBitStringBytes,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derSmallInt,
  derSmallInteger,
  derUnsignedInteger,
  encodeDer,
  readDer,
} from '../keys/der.js'
import { decodePem, encodePem } from '../keys/pem.js'
import { lazyModule } from '../util/lazy-module.js'
import { jwkFromSpki, spkiFromJwk } from '../keys/spki.js'
import type { Signer } from '../keys/types.js'
import type { CertificateSigningRequest, CsrOptions } from './csr.js'
import type { CertificateInput, CertificateSummary } from './parse.js'
import { b64, fromB64 } from '../util/base64.js'

/*
 * The X.509 functions `credsign` exports, as thin wrappers: the implementation (implementation.ts
 * and what it imports, pkijs included) is a chunk of its own, loaded on the first call, so a bundle
 * of the core carries no certificate code until it is used (scripts/bundle-size.mjs). The key
 * codecs it needs are handed in here (core-codecs.ts says why).
 */
type X509Module = typeof import('./implementation.js')

/**
 * The X.509 implementation, loaded (with pkijs behind it) on the first call and cached; every X.509
 * code path of credsign goes through here. A chunk that did not load (offline, a bundler that
 * dropped it) is `crypto_unavailable`, retried on the next call (util/lazy-module.ts).
 *
 * @example
 *
 * ```ts
 * import { loadX509 } from './lazy.js'
 * const x509 = await loadX509()
 * const decoded = await x509.decodeCertificate(new Uint8Array([0x30, 0x00])) // certificate_invalid
 * ```
 *
 * @internal
 */
export const loadX509: () => Promise<X509Module> = /* @__PURE__ */ lazyModule(
  () =>
    import('./implementation.js').then((module) => {
      // Built here, inside the function: a module-level object (or `import * as`) would be a
      // statement bundlers keep in every app's initial load.
      module.installCodecs({
        base64: { encode: b64, decode: (text: string) => fromB64(text) },
        der: {
          readDer,
          derSmallInt,
          derBitStringBytes,
          encodeDer,
          derSequence,
          derOid,
          derUnsignedInteger,
          derSmallInteger,
          derBitString,
          derOctetString,
          derNull,
        },
        decodePem,
        encodePem,
        jwkFromSpki,
        spkiFromJwk,
      })
      return module
    }),
  'the X.509 module',
)

/**
 * Parses one X.509 certificate (DER bytes, a PEM `CERTIFICATE` block, or an `x5c` entry's base64)
 * into a {@link CertificateSummary}. It decodes and summarises; it does not verify a signature or
 * decide trust (that is path validation, on verify).
 *
 * Strict where a lenient reader would change a decision: DER only (minimal lengths, nothing after
 * the certificate), each extension at most once, basicConstraints / keyUsage / subjectAltName / key
 * identifiers decoded strictly (a malformed one is an error, not an absent one), the TBS signature
 * algorithm equal to the outer one.
 *
 * Errors: `invalid_argument` (not a string or bytes), `certificate_invalid` (anything malformed,
 * over 16 KiB), `crypto_unavailable` (pkijs could not be loaded).
 *
 * @example
 *
 * ```ts
 * import { parseCertificate } from 'credsign'
 * declare const x5cLeaf: string // the first entry of an x5c header
 * const leaf = await parseCertificate(x5cLeaf)
 * if (leaf.keyUsage?.includes('digitalSignature')) console.log(leaf.subjectAltName?.uri)
 * ```
 */
export async function parseCertificate(input: CertificateInput): Promise<CertificateSummary> {
  return (await loadX509()).parseCertificate(input)
}

/**
 * Parses several certificates: a PEM bundle (blocks in order) or a list of DER / PEM / x5c entries,
 * each as {@link parseCertificate} does; no order or signature is checked. Errors: those of
 * {@link parseCertificate}, and `certificate_invalid` for an empty list or more than 10
 * certificates.
 *
 * @example
 *
 * ```ts
 * import { parseCertificates } from 'credsign'
 * declare const chainPem: string // leaf, then intermediates
 * const [leaf, ...intermediates] = await parseCertificates(chainPem)
 * ```
 */
export async function parseCertificates(
  input: CertificateInput | readonly CertificateInput[],
): Promise<CertificateSummary[]> {
  return (await loadX509()).parseCertificates(input)
}

/**
 * Builds a PKCS#10 certificate signing request for `signer`'s public key and signs it with
 * `signer`: with an unlocked vault key the private key never leaves the vault. Send the PEM to the
 * CA; attach what it issues with {@link KeyVault.attachCertificateChain}.
 *
 * Supported keys: Ed25519, P-256, P-384, P-521, secp256k1 and RSA PKCS#1 v1.5 (RS256/384/512); HAIP
 * issuers use P-256. RSA-PSS keys are refused (`unsupported_algorithm`). ECDSA signatures are
 * written in the DER form X.509 uses.
 *
 * Errors: `invalid_argument` (no subject attribute, a bad DNS name or URI, an unknown key usage),
 * `unsupported_algorithm`, and what `signer.sign` throws (`signer_locked`, …).
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, createCertificateSigningRequest } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer-1', algorithm: 'P-256', secrets: ['s1'] })
 * const csr = await vault.withKey('issuer-1', ['s1'], (signer) =>
 *   createCertificateSigningRequest(signer, {
 *     subject: { commonName: 'issuer.example', organization: 'Example' },
 *     dnsNames: ['issuer.example'],
 *     uris: ['https://issuer.example'],
 *   }),
 * )
 * console.log(csr.pem)
 * ```
 */
export async function createCertificateSigningRequest(
  signer: Signer,
  options: CsrOptions,
): Promise<CertificateSigningRequest> {
  return (await loadX509()).createCertificateSigningRequest(signer, options)
}
