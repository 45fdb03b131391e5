import { builtInHandlers } from '../formats/built-in-handlers.js'
import { checkCredentialStatus } from '../status/check-status.js'
import { verifyWith } from '../verify/engine.js'
import type { VerificationResult, VerifyOptions } from '../verify/types.js'

/**
 * Verifies a credential, presentation, JWT or JWS in any format credsign knows, and says exactly
 * what was checked. Never throws for bad input: every problem is an entry in `errors` with a stable
 * `code`; `verified` is true exactly when there is none. It throws (`invalid_argument`) only for
 * malformed `options`, which is a programming error.
 *
 * Built in: JWS (compact and JSON), JWT, JWT-VC/VP (VC-JOSE-COSE for VCDM 2.0, VC-JWT for VCDM
 * 1.1), SD-JWT (SD-JWT VC, and VC-JOSE-COSE `vc+sd-jwt` / `vp+sd-jwt`). More formats plug in
 * through `options.handlers` (Data Integrity from `credsign/data-integrity`). Keys come from
 * `options.resolver` (default: did:key and did:jwk, offline; nothing is fetched unless you
 * configure a fetcher). A credential's status (W3C Bitstring Status List, IETF Token Status List)
 * is checked when `options.statusLists` says where lists come from (`createStatusListResolver`);
 * without it each status is a `status_unchecked` check.
 *
 * @example
 *
 * ```ts
 * import { JwtVcSigner, KeyVault, MemoryStore, asDidSigner, verify } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'issuer', algorithm: 'Ed25519', secrets: ['s1'] })
 * const signer = asDidSigner(await vault.unlock('issuer', ['s1'])) // kid: did:key:z6Mk…#z6Mk…
 * const jwt = await new JwtVcSigner(signer).sign({
 *   '@context': ['https://www.w3.org/ns/credentials/v2'],
 *   type: ['VerifiableCredential'],
 *   credentialSubject: { id: 'did:example:alice' },
 * })
 * const result = await verify(jwt) // the issuer is filled from the key's DID
 * console.log(result.verified, result.format) // true 'vc+jwt'
 * ```
 */
export async function verify(
  input: unknown,
  options: VerifyOptions = {},
): Promise<VerificationResult> {
  // options.handlers is checked by the engine before it is used; a non-array fails there.
  const extra = Array.isArray(options?.handlers) ? options.handlers : []
  return verifyWith(input, options, [...builtInHandlers(), ...extra], [checkCredentialStatus])
}
