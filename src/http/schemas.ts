import * as z from 'zod'
import { LONG_KEY_ID_LENGTH } from '../stores/key-id.js'

/*
 * The schema pieces several request bodies of credsign/http share. Each route's own body schema
 * sits in the route's file (and reaches OpenAPI through the route table), built from these. The
 * same objects validate requests (strict: unknown members are refused) and generate the OpenAPI
 * document (`openapi.ts`), so the two cannot drift. Limits follow the origin key service's declared
 * DTOs (which it never enforced): identifiers of 1 to 500 characters, 1 to 10 secrets of 1 to 1,000
 * characters. Identifiers also accept `#` and `%`, because key ids are DID URLs.
 */

/**
 * A key id as a vault may accept it: up to 2,048 characters (the routes then hold it to the store's
 * `maxKeyIdLength`, 500 by default), the characters of DID URLs and eNames.
 */
export const identifierSchema = z
  .string()
  .min(1)
  .max(LONG_KEY_ID_LENGTH)
  .regex(/^[A-Za-z0-9_\-:.#%@~+=]+$/, 'letters, digits and -_:.#%@~+= only')
  .meta({
    id: 'KeyId',
    description: 'Key id, typically a DID URL (did:web:issuer.example#key-1).',
    examples: ['did:web:issuer.example#key-1'],
  })

/** The caller secrets that open a key: all of them, in order. */
export const secretsSchema = z.array(z.string().min(1).max(1000)).min(1).max(10).meta({
  description: '1 to 10 caller secrets, each 1 to 1,000 characters; all are needed, in this order.',
})

/** The origin's `signatureType` names, plus the two credsign adds. */
export const signatureTypeSchema = z
  .enum(['Ed25519', 'ES256', 'ES384', 'ES512', 'ES256K', 'PS256', 'PS384', 'PS512', 'RS256'])
  .meta({
    description:
      'Ed25519, ES256 (P-256), ES384 (P-384), ES512 (P-521), ES256K (secp256k1), PS256, PS384, PS512 (RSA-PSS 3072 with SHA-256/384/512) or RS256 (RSASSA-PKCS1-v1_5 3072, SHA-256). An RSA key signs with its one algorithm only.',
  })

/**
 * A JSON object passed through as parsed, the same object (a record schema would rebuild it and
 * silently drop a `__proto__` member, so the signed document would differ from the one sent). The
 * signers check the content; JSON.parse made every member an own data property.
 *
 * @internal
 */
export const jsonObject = z
  .custom<Record<string, unknown>>(
    (value) => value !== null && typeof value === 'object' && !Array.isArray(value),
    { message: 'expected object' },
  )
  .meta({ type: 'object' })
