/** A JSON object: a credential, a presentation, a JWT claims set. */
export type JsonObject = Record<string, unknown>

/**
 * A version of the W3C Verifiable Credentials Data Model. As a JWT encoding: `1.1` is VCDM 1.1
 * section 6.3.1 (the document in a `vc` / `vp` claim, registered claims derived from it); `2.0` is
 * W3C VC-JOSE-COSE (the document itself is the claims set, `typ: vc+jwt` / `vp+jwt`).
 */
export type VcVersion = '1.1' | '2.0'

/** One problem found by data-model validation: where, and what is wrong. */
export interface ValidationProblem {
  /** JSON path from the document root (`credentialSubject[1]`, `issuer.id`); empty for the root. */
  path: string
  message: string
}
