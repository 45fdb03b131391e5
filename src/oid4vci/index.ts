/**
 * OpenID4VCI 1.0 proofs of possession (Appendix F): `Oid4vciProofSigner` makes `jwt` and `di_vp`
 * key proofs with a wallet key; `verifyOid4vciProof` / `verifyOid4vciProofs` check them at the
 * Credential Endpoint and return the key to bind the credential to. Runtime-agnostic: `di_vp` takes
 * the Data Integrity signer and handler from `credsign/data-integrity` as parameters, so the core
 * never loads JSON-LD.
 *
 * @module
 */
export { OID4VCI_PROOF_TYP } from './proof-typ.js'
export { Oid4vciProofSigner } from './proof-signer.js'
export { verifyOid4vciProof, verifyOid4vciProofs } from './verify-proof.js'
export type {
  Oid4vciDataIntegritySigner,
  Oid4vciDiVpOptions,
  Oid4vciDiVpProof,
  Oid4vciJwtProof,
  Oid4vciJwtProofOptions,
  Oid4vciProofResult,
  VerifyOid4vciProofOptions,
} from './types.js'
