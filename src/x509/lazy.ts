import type { CertificateInput, CertificateSummary } from './parse.js'

/*
 * The X.509 functions `credsign` exports, as thin wrappers: the implementation (src/x509/parse.ts
 * and what it imports, pkijs included) is a chunk of its own, loaded on the first call. A bundle of
 * the whole core does not carry certificate code until it is used (scripts/bundle-size.mjs).
 */
let implementation: Promise<typeof import('./parse.js')> | undefined

function load(): Promise<typeof import('./parse.js')> {
  implementation ??= import('./parse.js')
  return implementation
}

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
  return (await load()).parseCertificate(input)
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
  return (await load()).parseCertificates(input)
}
