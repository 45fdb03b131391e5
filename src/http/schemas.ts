import { z } from 'zod'
import { CRYPTOSUITES_OFFERED, SIGNING_FORMATS } from '../service/formats.js'

/*
 * Every request body schema of credsign/http. The same objects validate requests (strict: unknown
 * members are refused) and generate the OpenAPI document (`openapi.ts`), so the two cannot drift.
 * Limits follow the origin key service's declared DTOs (which it never enforced): identifiers of 1
 * to 500 characters, 1 to 10 secrets of 1 to 1,000 characters. Identifiers also accept `#` and `%`,
 * because key ids are DID URLs.
 */

/** A key id as the vault accepts it. */
export const identifierSchema = z
  .string()
  .min(1)
  .max(500)
  .regex(/^[A-Za-z0-9_\-:.#%]+$/, 'letters, digits and -_:.#% only')
  .meta({ description: 'Key id, typically a DID URL (did:web:issuer.example#key-1).', examples: ['did:web:issuer.example#key-1'] })

/** The caller secrets that open a key: all of them, in order. */
export const secretsSchema = z
  .array(z.string().min(1).max(1000))
  .min(1)
  .max(10)
  .meta({ description: '1 to 10 caller secrets, each 1 to 1,000 characters; all are needed, in this order.' })

/** The origin's `signatureType` names, plus the two credsign adds. */
export const signatureTypeSchema = z.enum(['Ed25519', 'ES256', 'ES384', 'ES256K', 'PS256']).meta({
  description: 'Ed25519, ES256 (P-256), ES384 (P-384), ES256K (secp256k1) or PS256 (RSA-PSS 3072).',
})

/** `POST /generate`. */
export const generateRequestSchema = z
  .strictObject({
    identifier: identifierSchema,
    secrets: secretsSchema,
    signatureType: signatureTypeSchema,
    keyType: z.enum(['JsonWebKey', 'Multikey']).default('JsonWebKey').meta({ description: 'Shape of the returned verification method.' }),
  })
  .meta({ id: 'GenerateRequest' })

/** `POST /delete`. */
export const deleteRequestSchema = z.strictObject({ identifier: identifierSchema, secrets: secretsSchema }).meta({ id: 'DeleteRequest' })

const isoDateTime = z
  .string()
  .max(64)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, 'an ISO 8601 date-time with Z or an offset')

/**
 * A JSON object passed through as parsed, the same object (a record schema would rebuild it and
 * silently drop a `__proto__` member, so the signed document would differ from the one sent).
 * The signers check the content; JSON.parse made every member an own data property.
 */
const jsonObject = z
  .custom<Record<string, unknown>>((value) => value !== null && typeof value === 'object' && !Array.isArray(value), { message: 'expected object' })
  .meta({ type: 'object' })

/** A JSON value the DisclosureFrame / presentation frame type accepts (checked again by the library). */
const frameSchema = jsonObject.meta({ description: 'An SD-JWT disclosure frame (`_sd`, `_sd_decoy`, nested objects), see docs/sd-jwt.md.' })

/** `POST /sign/{vc,vp,pop}/{type}`: the origin's fields, plus credsign's optional ones. */
export const signRequestSchema = z
  .strictObject({
    identifier: identifierSchema,
    secrets: secretsSchema,
    verifiable: z
      .union([jsonObject, z.string().min(1).max(1_000_000)])
      .optional()
      .meta({ description: 'The credential or presentation to sign (an object); for /sign/vp/sd-jwt, the SD-JWT to present (a string).' }),
    challenge: z.string().max(10_000).optional().meta({ description: 'Nonce / challenge (OID4VCI c_nonce, DI challenge, KB-JWT nonce). Alias: nonce.' }),
    nonce: z.string().max(10_000).optional().meta({ description: 'Alias of challenge.' }),
    domain: z.string().max(10_000).optional().meta({ description: 'Audience / domain (OID4VCI Credential Issuer Identifier, DI domain, KB-JWT aud). Alias: audience.' }),
    audience: z.string().max(10_000).optional().meta({ description: 'Alias of domain.' }),
    validUntil: isoDateTime.optional().meta({ description: 'Presentations: exp of a JWT VP, expires of a DI proof.' }),
    cryptosuite: z.enum(CRYPTOSUITES_OFFERED).optional(),
    disclosureFrame: frameSchema.optional(),
    holderPublicJwk: jsonObject.optional().meta({ description: 'SD-JWT: the holder key written to cnf.jwk.' }),
    presentationFrame: frameSchema.optional(),
    clientId: z.string().min(1).max(500).optional().meta({ description: 'OID4VCI jwt proof: iss (the wallet client_id). Omit in anonymous pre-authorized flows.' }),
    keyReference: z.enum(['kid', 'jwk']).optional().meta({ description: 'OID4VCI jwt proof: name the key by kid (default) or embed the jwk.' }),
  })
  .meta({ id: 'SignRequest' })

/** `POST /credentials/issue` (VC-API). */
export const issueRequestSchema = z
  .strictObject({
    credential: jsonObject,
    options: z
      .strictObject({
        format: z.enum(SIGNING_FORMATS).optional(),
        cryptosuite: z.string().max(100).optional(),
        profile: z.string().max(100).optional(),
        credentialId: z.string().max(2000).optional(),
      })
      .optional(),
  })
  .meta({ id: 'IssueCredentialRequest' })

const verifyOptionsSchema = z
  .strictObject({
    checks: z.array(z.string().max(100)).max(20).optional(),
    challenge: z.string().max(10_000).optional(),
    domain: z.string().max(10_000).optional(),
    // The verification relationships only: each purpose keeps one cached verifier (and its context cache).
    expectedProofPurpose: z.enum(['assertionMethod', 'authentication', 'capabilityInvocation', 'capabilityDelegation', 'keyAgreement']).optional(),
  })
  .optional()

/** `POST /credentials/verify` (VC-API). */
export const verifyCredentialRequestSchema = z
  .strictObject({
    verifiableCredential: z.union([jsonObject, z.string().min(1).max(1_000_000)]),
    options: verifyOptionsSchema,
  })
  .meta({ id: 'VerifyCredentialRequest' })

/** `POST /presentations/verify` (VC-API). */
export const verifyPresentationRequestSchema = z
  .strictObject({
    verifiablePresentation: z.union([jsonObject, z.string().min(1).max(1_000_000)]),
    options: verifyOptionsSchema,
  })
  .meta({ id: 'VerifyPresentationRequest' })

export type GenerateRequest = z.output<typeof generateRequestSchema>
export type DeleteRequest = z.output<typeof deleteRequestSchema>
export type SignRequest = z.output<typeof signRequestSchema>
export type IssueRequest = z.output<typeof issueRequestSchema>
export type VerifyCredentialRequest = z.output<typeof verifyCredentialRequestSchema>
export type VerifyPresentationRequest = z.output<typeof verifyPresentationRequestSchema>
